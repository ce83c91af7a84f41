/* translate-x87.c: the x87 escape opcodes D8-DF (SDM 2, tables) as calls to
 * the 80-bit helpers (cpu/x86/fpu_helper*.c). */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/helper.h"
#include "cpu/x86/translate.h"

#define H0(fn) static const TCGHelperInfo hi_##fn = TCG_HELPER(fn, 0, V, P)
#define H(fn, rt, ...) static const TCGHelperInfo hi_##fn = TCG_HELPER(fn, 0, rt, P, __VA_ARGS__)

H0(helper_fwait);
H(helper_flds_FT0, V, I32);
H(helper_fldl_FT0, V, I64);
H(helper_fild_FT0, V, I64);
H(helper_flds_ST0, V, I32);
H(helper_fldl_ST0, V, I64);
H(helper_fild_ST0, V, I64);
H(helper_fldt_ST0, V, I64);
H(helper_fbld_ST0, V, I64);
H(helper_fld_STN, V, I32);
H(helper_fldconst, V, I32);
H(helper_fsts_ST0, V, I64);
H(helper_fstl_ST0, V, I64);
H(helper_fist_ST0, V, I64, I32);
H(helper_fistt_ST0, V, I64, I32);
H(helper_fstt_ST0, V, I64);
H(helper_fbstp_ST0, V, I64);
H(helper_fst_STN, V, I32);
H(helper_fcmov, V, I32, I64);
H0(helper_fpop);
H0(helper_fincstp);
H0(helper_fdecstp);
H(helper_ffree_STN, V, I32);
H(helper_fxch_STN, V, I32);
H(helper_farith, V, I32, I32, I32);
H(helper_fcom, V, I32, I32);
H(helper_fcomi, V, I32, I32);
H0(helper_fchs);
H0(helper_fabs);
H0(helper_ftst);
H0(helper_fxam);
H0(helper_fsqrt);
H0(helper_frndint);
H0(helper_fscale);
H0(helper_fxtract);
H0(helper_fprem);
H0(helper_fprem1);
H0(helper_f2xm1);
H0(helper_fyl2x);
H0(helper_fyl2xp1);
H0(helper_fptan);
H0(helper_fpatan);
H0(helper_fsin);
H0(helper_fcos);
H0(helper_fsincos);
H0(helper_fninit);
H(helper_fldcw, V, I32);
static const TCGHelperInfo hi_helper_fnstsw = TCG_HELPER(helper_fnstsw, 0, I32, P);
H0(helper_fnclex);
H(helper_fnstenv, V, I64, I32);
H(helper_fldenv, V, I64, I32);
H(helper_fnsave, V, I64, I32);
H(helper_frstor, V, I64, I32);
H(helper_fxsave, V, I64, I32);
H(helper_fxrstor, V, I64, I32);
H(helper_xsave, V, I64, I32);
H(helper_xrstor, V, I64, I32);

static TCGv_i32 c32(int32_t v)
{
    return tcg_constant_i32(v);
}

/* Call a helper with (env, args...). */
static void call(DisasContext *s, const TCGHelperInfo *hi, TCGTempRef ret, unsigned n, const TCGTempRef *args)
{
    (void)s;   /* kept for the CALL macros' uniform shape */
    TCGTempRef all[6];
    all[0] = tcg_ref(tcg_env);
    for (unsigned i = 0; i < n; i++)
        all[i + 1] = args[i];
    tcg_gen_callN(hi, ret, n + 1, all);
}
#define CALL(s, fn, ...) call(s, &hi_##fn, TCG_NORET, \
    sizeof((TCGTempRef[]){ __VA_ARGS__ }) / sizeof(TCGTempRef), (TCGTempRef[]){ __VA_ARGS__ })
#define CALL0(s, fn) call(s, &hi_##fn, TCG_NORET, 0, NULL)

/* D8/DC/DA/DE memory forms and D8/DC/DE register forms: reg is the ModRM reg field. */
static void arith_or_compare(DisasContext *s, int reg, int dst, int src, bool pop)
{
    if (reg == 2 || reg == 3) {
        CALL(s, helper_fcom, tcg_ref(c32(src)), tcg_ref(c32(0)));
        if (reg == 3 || pop)
            CALL0(s, helper_fpop);
        return;
    }
    CALL(s, helper_farith, tcg_ref(c32(reg)), tcg_ref(c32(dst)), tcg_ref(c32(src)));
    if (pop)
        CALL0(s, helper_fpop);
}

static void x87_memory(DisasContext *s, int op, int reg)
{
    TCGv_i64 a = gen_modrm_linear(s), t = tcg_temp_new_i64();
    TCGv_i32 t32 = tcg_temp_new_i32();
    int data32 = s->ot != MO_16;

    tcg_gen_st_i64(a, tcg_env, offsetof(X86CPUState, fpdp));
    switch (op) {
    case 0: case 2: case 4: case 6:      /* arithmetic with m32fp, m32int, m64fp, m16int */
        if (op == 0) {
            gen_op_ld(s, MO_32, t, a);
            tcg_gen_extrl_i64_i32(t32, t);
            CALL(s, helper_flds_FT0, tcg_ref(t32));
        } else if (op == 4) {
            gen_op_ld(s, MO_64, t, a);
            CALL(s, helper_fldl_FT0, tcg_ref(t));
        } else {
            gen_op_ld(s, op == 2 ? MO_SL : MO_SW, t, a);
            CALL(s, helper_fild_FT0, tcg_ref(t));
        }
        arith_or_compare(s, reg, 0, FPU_FT0, false);
        return;
    case 1:                              /* D9 */
        switch (reg) {
        case 0:
            gen_op_ld(s, MO_32, t, a);
            tcg_gen_extrl_i64_i32(t32, t);
            CALL(s, helper_flds_ST0, tcg_ref(t32));
            return;
        case 2: case 3:
            CALL(s, helper_fsts_ST0, tcg_ref(a));
            if (reg == 3)
                CALL0(s, helper_fpop);
            return;
        case 4: CALL(s, helper_fldenv, tcg_ref(a), tcg_ref(c32(data32))); return;
        case 5:
            gen_op_ld(s, MO_16, t, a);
            tcg_gen_extrl_i64_i32(t32, t);
            CALL(s, helper_fldcw, tcg_ref(t32));
            return;
        case 6: CALL(s, helper_fnstenv, tcg_ref(a), tcg_ref(c32(data32))); return;
        case 7:
            tcg_gen_ld16u_i64(t, tcg_env, offsetof(X86CPUState, fpuc));
            gen_op_st(s, MO_16, t, a);
            return;
        }
        break;
    case 3:                              /* DB */
        switch (reg) {
        case 0:
            gen_op_ld(s, MO_SL, t, a);
            CALL(s, helper_fild_ST0, tcg_ref(t));
            return;
        case 1:
            CALL(s, helper_fistt_ST0, tcg_ref(a), tcg_ref(c32(32)));
            CALL0(s, helper_fpop);
            return;
        case 2: case 3:
            CALL(s, helper_fist_ST0, tcg_ref(a), tcg_ref(c32(32)));
            if (reg == 3)
                CALL0(s, helper_fpop);
            return;
        case 5: CALL(s, helper_fldt_ST0, tcg_ref(a)); return;
        case 7:
            CALL(s, helper_fstt_ST0, tcg_ref(a));
            CALL0(s, helper_fpop);
            return;
        }
        break;
    case 5:                              /* DD */
        switch (reg) {
        case 0:
            gen_op_ld(s, MO_64, t, a);
            CALL(s, helper_fldl_ST0, tcg_ref(t));
            return;
        case 1:
            CALL(s, helper_fistt_ST0, tcg_ref(a), tcg_ref(c32(64)));
            CALL0(s, helper_fpop);
            return;
        case 2: case 3:
            CALL(s, helper_fstl_ST0, tcg_ref(a));
            if (reg == 3)
                CALL0(s, helper_fpop);
            return;
        case 4: CALL(s, helper_frstor, tcg_ref(a), tcg_ref(c32(data32))); return;
        case 6: CALL(s, helper_fnsave, tcg_ref(a), tcg_ref(c32(data32))); return;
        case 7: {
            TCGv_i32 sw = tcg_temp_new_i32();
            call(s, &hi_helper_fnstsw, tcg_ref(sw), 0, NULL);
            tcg_gen_extu_i32_i64(t, sw);
            gen_op_st(s, MO_16, t, a);
            return;
        }
        }
        break;
    case 7:                              /* DF */
        switch (reg) {
        case 0:
            gen_op_ld(s, MO_SW, t, a);
            CALL(s, helper_fild_ST0, tcg_ref(t));
            return;
        case 1:
            CALL(s, helper_fistt_ST0, tcg_ref(a), tcg_ref(c32(16)));
            CALL0(s, helper_fpop);
            return;
        case 2: case 3:
            CALL(s, helper_fist_ST0, tcg_ref(a), tcg_ref(c32(16)));
            if (reg == 3)
                CALL0(s, helper_fpop);
            return;
        case 4: CALL(s, helper_fbld_ST0, tcg_ref(a)); return;
        case 5:
            gen_op_ld(s, MO_64, t, a);
            CALL(s, helper_fild_ST0, tcg_ref(t));
            return;
        case 6: CALL(s, helper_fbstp_ST0, tcg_ref(a)); return;
        case 7:
            CALL(s, helper_fist_ST0, tcg_ref(a), tcg_ref(c32(64)));
            CALL0(s, helper_fpop);
            return;
        }
        break;
    }
    gen_exception(s, EXCP_UD);
}

static void fcmov(DisasContext *s, int cc, bool negate, int i)
{
    /* FCMOVcc: B (CF), E (ZF), BE (CF|ZF), U (PF) as Jcc conditions 2, 4, 6, 10. */
    static const int jcc[4] = { 2, 4, 6, 10 };
    TCGv_i64 c = tcg_temp_new_i64();
    gen_update_cc_op(s);
    gen_setcc(s, jcc[cc] | negate, c);
    CALL(s, helper_fcmov, tcg_ref(c32(i)), tcg_ref(c));
}

static void fcomi(DisasContext *s, int i, bool unordered, bool pop)
{
    gen_compute_eflags(s);
    gen_sync_state(s);
    CALL(s, helper_fcomi, tcg_ref(c32(i)), tcg_ref(c32(unordered)));
    if (pop)
        CALL0(s, helper_fpop);
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

static void x87_register(DisasContext *s, int op, int reg, int i)
{
    int modrm = s->d.modrm;
    switch (op) {
    case 0:                              /* D8: ST0 = ST0 op ST(i) */
        arith_or_compare(s, reg, 0, i, false);
        return;
    case 1:                              /* D9 */
        switch (reg) {
        case 0: CALL(s, helper_fld_STN, tcg_ref(c32(i))); return;
        case 1: CALL(s, helper_fxch_STN, tcg_ref(c32(i))); return;
        case 2: if (i == 0) return; break;                 /* FNOP */
        case 4:
            if (i == 0) { CALL0(s, helper_fchs); return; }
            if (i == 1) { CALL0(s, helper_fabs); return; }
            if (i == 4) { CALL0(s, helper_ftst); return; }
            if (i == 5) { CALL0(s, helper_fxam); return; }
            break;
        case 5:
            if (i < 7) { CALL(s, helper_fldconst, tcg_ref(c32(i))); return; }
            break;
        case 6: {
            static const TCGHelperInfo *const f[8] = { &hi_helper_f2xm1, &hi_helper_fyl2x,
                &hi_helper_fptan, &hi_helper_fpatan, &hi_helper_fxtract, &hi_helper_fprem1,
                &hi_helper_fdecstp, &hi_helper_fincstp };
            call(s, f[i], TCG_NORET, 0, NULL);
            return;
        }
        case 7: {
            static const TCGHelperInfo *const f[8] = { &hi_helper_fprem, &hi_helper_fyl2xp1,
                &hi_helper_fsqrt, &hi_helper_fsincos, &hi_helper_frndint, &hi_helper_fscale,
                &hi_helper_fsin, &hi_helper_fcos };
            call(s, f[i], TCG_NORET, 0, NULL);
            return;
        }
        }
        break;
    case 2:                              /* DA */
        if (reg < 4) {
            fcmov(s, reg, false, i);
            return;
        }
        if (modrm == 0xe9) {             /* FUCOMPP */
            CALL(s, helper_fcom, tcg_ref(c32(1)), tcg_ref(c32(1)));
            CALL0(s, helper_fpop);
            CALL0(s, helper_fpop);
            return;
        }
        break;
    case 3:                              /* DB */
        if (reg < 4) {
            fcmov(s, reg, true, i);
            return;
        }
        if (modrm == 0xe2) { CALL0(s, helper_fnclex); return; }
        if (modrm == 0xe3) { CALL0(s, helper_fninit); return; }
        if (modrm == 0xe0 || modrm == 0xe1 || modrm == 0xe4)
            return;                      /* FENI/FDISI/FSETPM: no-ops since the 80287 */
        if (reg == 5 || reg == 6) {
            fcomi(s, i, reg == 5, false);
            return;
        }
        break;
    case 4:                              /* DC: ST(i) = ST(i) op ST0 (SUB/SUBR, DIV/DIVR swap) */
        arith_or_compare(s, reg >= 4 ? reg ^ 1 : reg, i, 0, false);
        return;
    case 5:                              /* DD */
        switch (reg) {
        case 0: CALL(s, helper_ffree_STN, tcg_ref(c32(i))); return;
        case 1: CALL(s, helper_fxch_STN, tcg_ref(c32(i))); return;
        case 2: CALL(s, helper_fst_STN, tcg_ref(c32(i))); return;
        case 3:
            CALL(s, helper_fst_STN, tcg_ref(c32(i)));
            CALL0(s, helper_fpop);
            return;
        case 4: case 5:
            CALL(s, helper_fcom, tcg_ref(c32(i)), tcg_ref(c32(1)));
            if (reg == 5)
                CALL0(s, helper_fpop);
            return;
        }
        break;
    case 6:                              /* DE: arithmetic and pop */
        if (reg == 3) {
            if (modrm == 0xd9) {
                CALL(s, helper_fcom, tcg_ref(c32(1)), tcg_ref(c32(0)));
                CALL0(s, helper_fpop);
                CALL0(s, helper_fpop);
                return;
            }
            break;
        }
        if (reg == 2) {
            arith_or_compare(s, 3, 0, i, false);
            return;
        }
        arith_or_compare(s, reg >= 4 ? reg ^ 1 : reg, i, 0, true);
        return;
    case 7:                              /* DF */
        if (modrm == 0xe0) {
            TCGv_i32 sw = tcg_temp_new_i32();
            call(s, &hi_helper_fnstsw, tcg_ref(sw), 0, NULL);
            TCGv_i64 t = tcg_temp_new_i64();
            tcg_gen_extu_i32_i64(t, sw);
            gen_op_mov_reg_v(s, MO_16, R_EAX, t);
            return;
        }
        if (reg == 5 || reg == 6) {
            fcomi(s, i, reg == 5, true);
            return;
        }
        if (reg == 0) {                  /* FFREEP */
            CALL(s, helper_ffree_STN, tcg_ref(c32(i)));
            CALL0(s, helper_fpop);
            return;
        }
        break;
    }
    gen_exception(s, EXCP_UD);
}

/* The control instructions that do not wait for pending x87 exceptions (SDM 1, 8.3.11). */
static bool x87_no_wait(int op, int reg, int mod, int modrm)
{
    if (mod != 3)
        return (op == 1 && (reg == 6 || reg == 7)) || (op == 5 && (reg == 6 || reg == 7));
    return (op == 3 && (modrm == 0xe2 || modrm == 0xe3)) || (op == 7 && modrm == 0xe0);
}

void gen_x87_insn(DisasContext *s)
{
    X86Insn *d = &s->d;
    int op = d->op & 7, reg = d->reg & 7, i = d->modrm & 7;

    /* SDM 3A 2.5: CR0.EM or CR0.TS make x87 instructions raise #NM. */
    if (s->flags & (HF_EM | HF_TS)) {
        gen_exception(s, EXCP_NM);
        return;
    }
    gen_sync_state(s);
    if (!x87_no_wait(op, reg, d->mod, d->modrm))
        CALL0(s, helper_fwait);
    bool control = x87_no_wait(op, reg, d->mod, d->modrm) || (op == 1 && d->mod != 3 && (reg == 4 || reg == 5)) ||
                   (op == 5 && d->mod != 3 && reg == 4);
    if (!control) {
        /* Last instruction pointer and opcode (SDM 1, 8.1.8-9). */
        tcg_gen_st_i64(tcg_constant_i64(s->eip), tcg_env, offsetof(X86CPUState, fpip));
        tcg_gen_st16_i32(tcg_constant_i32(((d->op & 7) << 8) | d->modrm), tcg_env,
                         offsetof(X86CPUState, fpop));
    }
    if (d->mod != 3)
        x87_memory(s, op, reg);
    else
        x87_register(s, op, reg, i);
}

void gen_fwait_insn(DisasContext *s)
{
    if ((s->flags & (HF_MP | HF_TS)) == (HF_MP | HF_TS)) {
        gen_exception(s, EXCP_NM);
        return;
    }
    gen_sync_state(s);
    CALL0(s, helper_fwait);
}

void gen_fxsave_insn(DisasContext *s, bool restore)
{
    if (s->flags & (HF_EM | HF_TS)) {
        gen_exception(s, (s->flags & HF_EM) ? EXCP_UD : EXCP_NM);
        return;
    }
    TCGv_i64 a = gen_modrm_linear(s);
    gen_sync_state(s);
    if (restore)
        CALL(s, helper_fxrstor, tcg_ref(a), tcg_ref(c32(!!(s->d.rex & 8))));
    else
        CALL(s, helper_fxsave, tcg_ref(a), tcg_ref(c32(!!(s->d.rex & 8))));
}

/* XSAVE/XSAVEOPT/XRSTOR (0F AE /4 /6 /5): #UD without CR4.OSXSAVE comes before #NM (SDM 2). */
void gen_xsave_insn(DisasContext *s, bool restore)
{
    if (!(s->flags & HF_OSXSAVE)) {
        gen_exception(s, EXCP_UD);
        return;
    }
    if (s->flags & HF_TS) {
        gen_exception(s, EXCP_NM);
        return;
    }
    TCGv_i64 a = gen_modrm_linear(s);
    gen_sync_state(s);
    if (restore)
        CALL(s, helper_xrstor, tcg_ref(a), tcg_ref(c32(!!(s->d.rex & 8))));
    else
        CALL(s, helper_xsave, tcg_ref(a), tcg_ref(c32(!!(s->d.rex & 8))));
}
