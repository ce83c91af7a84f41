/* translate-vex.c: VEX-encoded instructions (Intel SDM 2, 2.3): BMI1/BMI2 on the general
 * registers, and AVX/AVX2 on the YMM registers.
 *
 * The AVX forms of SSE instructions reuse the SSE helpers one 128-bit lane at a time
 * (translate-sse.c's tables): the first source (VEX.vvvv) is copied into a scratch register,
 * the helper combines it with the second source (ModRM.rm, or memory loaded into
 * env->tr_sse_tmp), and the scratch is written to the destination with every bit above the
 * operation's width cleared (SDM 1, 14.1.3). Exceptions (SDM 2, 2.3.2-2.3.4): VEX in real or
 * virtual-8086 mode is LES/LDS with a register operand (#UD); AVX needs CR4.OSXSAVE and
 * XCR0.SSE|AVX (#UD); an invalid VEX.L or a VEX.vvvv that is not 1111b where unused is #UD;
 * then CR0.TS gives #NM. BMI instructions need none of the AVX state.
 */
#include "util/osdep.h"
#include "cpu/x86/helper.h"
#include "cpu/x86/translate.h"

static const TCGHelperInfo hi_vpermil = TCG_HELPER(helper_vpermil, 0, V, P, P, P, P, I32, I32);
static const TCGHelperInfo hi_vperm = TCG_HELPER(helper_vperm, 0, V, P, P, P, P, I32);
static const TCGHelperInfo hi_vshiftv = TCG_HELPER(helper_vshiftv, 0, V, P, P, P, P, I32, I32);
static const TCGHelperInfo hi_vtest = TCG_HELPER(helper_vtest, 0, V, P, P, P, I32, I32);
static const TCGHelperInfo hi_vblendv = TCG_HELPER(helper_vblendv, 0, V, P, P, P, P, I32, I32);
static const TCGHelperInfo hi_vmaskmov_ld = TCG_HELPER(helper_vmaskmov_ld, 0, V, P, P, P, I64, I32, I32);
static const TCGHelperInfo hi_vmaskmov_st = TCG_HELPER(helper_vmaskmov_st, 0, V, P, P, P, I64, I32, I32);
static const TCGHelperInfo hi_vcvtph2ps = TCG_HELPER(helper_vcvtph2ps, 0, V, P, P, P, I32);
static const TCGHelperInfo hi_vcvtps2ph = TCG_HELPER(helper_vcvtps2ph, 0, V, P, P, P, I32, I32);
static const TCGHelperInfo hi_vfma = TCG_HELPER(helper_vfma, 0, V, P, P, P, P, I32);
static const TCGHelperInfo hi_vgather = TCG_HELPER(helper_vgather, 0, V, P, I32, I64, I64);
static const TCGHelperInfo hi_pdep = TCG_HELPER(helper_pdep, TCG_CALL_PURE, I64, I64, I64);
static const TCGHelperInfo hi_pext = TCG_HELPER(helper_pext, TCG_CALL_PURE, I64, I64, I64);
static const TCGHelperInfo hi_bextr = TCG_HELPER(helper_bextr, TCG_CALL_PURE, I64, I64, I64, I32);

#define VTMP ((intptr_t)offsetof(X86CPUState, tr_vex_tmp[0]))    /* the result being built */
#define VCONST ((intptr_t)offsetof(X86CPUState, tr_vex_tmp[1]))  /* a vector built from imm8 */
#define MEMTMP ((intptr_t)offsetof(X86CPUState, tr_sse_tmp))   /* a memory operand */

static int mo_of(int bytes)
{
    return bytes == 1 ? MO_8 : bytes == 2 ? MO_16 : bytes == 4 ? MO_32 : MO_64;
}

/* `bytes` (1..32) of memory at a into env at ofs. */
static void vex_load(DisasContext *s, TCGv_i64 a, intptr_t ofs, int bytes)
{
    TCGv_i64 t = tcg_temp_new_i64(), ai = tcg_temp_new_i64();
    if (bytes < 8) {
        gen_op_ld(s, mo_of(bytes), t, a);
        if (bytes == 1)
            tcg_gen_st8_i64(t, tcg_env, ofs);
        else if (bytes == 2)
            tcg_gen_st16_i64(t, tcg_env, ofs);
        else
            tcg_gen_st32_i64(t, tcg_env, ofs);
        return;
    }
    for (int i = 0; i < bytes; i += 8) {
        tcg_gen_addi_i64(ai, a, i);
        gen_op_ld(s, MO_64, t, ai);
        tcg_gen_st_i64(t, tcg_env, ofs + i);
    }
}

/* Store `bytes` of env at ofs to memory at a; a fault leaves memory unchanged: the last
 * qword (the second page, if the operand crosses one) is rewritten with its own value first. */
static void vex_store(DisasContext *s, TCGv_i64 a, intptr_t ofs, int bytes)
{
    TCGv_i64 t = tcg_temp_new_i64(), ai = tcg_temp_new_i64();
    if (bytes <= 8) {
        if (bytes == 4)
            tcg_gen_ld32u_i64(t, tcg_env, ofs);
        else
            tcg_gen_ld_i64(t, tcg_env, ofs);
        gen_op_st(s, mo_of(bytes), t, a);
        return;
    }
    tcg_gen_addi_i64(ai, a, bytes - 8);
    gen_op_ld(s, MO_64, t, ai);
    gen_op_st(s, MO_64, t, ai);
    for (int i = 0; i < bytes; i += 8) {
        tcg_gen_addi_i64(ai, a, i);
        tcg_gen_ld_i64(t, tcg_env, ofs + i);
        gen_op_st(s, MO_64, t, ai);
    }
}

/* Register reg = the first n bytes at src, the rest of the 256 bits cleared. */
static void vex_set(int reg, intptr_t src, int n)
{
    if (src != xmm_ofs(reg))
        copy_env(xmm_ofs(reg), src, n);
    zero_env(xmm_ofs(reg), n < 8 ? 8 : n, 32);
    if (n == 4)
        tcg_gen_st32_i64(tcg_constant_i64(0), tcg_env, xmm_ofs(reg) + 4);
}

/* The r/m operand: a register, or `bytes` of memory loaded into MEMTMP. */
static intptr_t vex_rm(DisasContext *s, int bytes)
{
    if (s->d.mod == 3)
        return xmm_ofs(s->d.rm);
    vex_load(s, gen_modrm_linear(s), MEMTMP, bytes);
    return MEMTMP;
}

/* The #UD checks of this instruction passed (valid), then #NM; false if an exception was
 * raised. */
static bool vex_check(DisasContext *s, bool valid)
{
    if (!valid) {
        gen_exception(s, EXCP_UD);
        return false;
    }
    if (s->flags & HF_TS) {
        gen_exception(s, EXCP_NM);
        return false;
    }
    gen_sync_state(s);
    return true;
}

static void put_const32(int i, uint32_t v)
{
    tcg_gen_st32_i64(tcg_constant_i64(v), tcg_env, VCONST + 4 * i);
}

static void flags_from_helper(DisasContext *s)
{
    gen_compute_eflags(s);
    gen_update_cc_op(s);
}

static void flags_done(DisasContext *s)
{
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

/* ------------------------------------------------------------------ BMI1 / BMI2 */

static void gen_bmi(DisasContext *s, int kind)
{
    X86Insn *d = &s->d;
    int ot = (s->code64 && (d->rex & 8)) ? MO_64 : MO_32, bits = ot == MO_64 ? 64 : 32;
    TCGv_i64 src = tcg_temp_new_i64(), v = tcg_temp_new_i64(), res = tcg_temp_new_i64();
    gen_ld_modrm(s, ot, src, NULL);
    gen_op_mov_v_reg(s, ot, v, d->vex_v);
    switch (kind) {
    case 0:                                      /* ANDN: ~vvvv & r/m */
        tcg_gen_andc_i64(res, src, v);
        gen_op_mov_reg_v(s, ot, d->reg, res);
        tcg_gen_mov_i64(cpu_cc_dst, res);
        set_cc_op(s, CC_OP_LOGICB + ot);
        return;
    case 1:                                      /* BEXTR r, r/m, vvvv */
        tcg_gen_call3(&hi_bextr, tcg_ref(res), src, v, tcg_constant_i32(bits));
        gen_op_mov_reg_v(s, ot, d->reg, res);
        tcg_gen_mov_i64(cpu_cc_dst, res);
        set_cc_op(s, CC_OP_LOGICB + ot);
        return;
    case 2: case 3: case 4: {                    /* BLSR, BLSMSK, BLSI vvvv, r/m */
        TCGv_i64 t = tcg_temp_new_i64();
        if (kind == 4) {
            tcg_gen_neg_i64(t, src);
            tcg_gen_and_i64(res, src, t);
            tcg_gen_setcondi_i64(TCG_COND_EQ, cpu_cc_src, src, 0);   /* CF = source != 0 */
        } else {
            tcg_gen_subi_i64(t, src, 1);
            if (kind == 2)
                tcg_gen_and_i64(res, src, t);
            else
                tcg_gen_xor_i64(res, src, t);
            tcg_gen_mov_i64(cpu_cc_src, src);                         /* CF = source == 0 */
        }
        gen_op_mov_reg_v(s, ot, d->vex_v, res);
        tcg_gen_mov_i64(cpu_cc_dst, res);
        set_cc_op(s, CC_OP_BMILGB + ot);
        return;
    }
    case 5: {                                    /* BZHI r, r/m, vvvv: CF = index >= bits */
        TCGv_i64 n = tcg_temp_new_i64(), m = tcg_temp_new_i64();
        tcg_gen_ext8u_i64(n, v);
        tcg_gen_andi_i64(m, n, 63);
        tcg_gen_shl_i64(m, tcg_constant_i64(1), m);
        tcg_gen_subi_i64(m, m, 1);
        tcg_gen_movcond_i64(TCG_COND_GEU, m, n, tcg_constant_i64(bits), tcg_constant_i64(-1), m);
        tcg_gen_and_i64(res, src, m);
        gen_op_mov_reg_v(s, ot, d->reg, res);
        tcg_gen_setcondi_i64(TCG_COND_LTU, cpu_cc_src, n, bits);
        tcg_gen_mov_i64(cpu_cc_dst, res);
        set_cc_op(s, CC_OP_BMILGB + ot);
        return;
    }
    case 6: case 7:                              /* PDEP, PEXT r, vvvv, r/m (mask) */
        tcg_gen_call2(kind == 6 ? &hi_pdep : &hi_pext, tcg_ref(res), v, src);
        gen_op_mov_reg_v(s, ot, d->reg, res);
        return;
    case 8: {                                    /* MULX hi=r, lo=vvvv, EDX/RDX * r/m */
        TCGv_i64 lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64(), dx = tcg_temp_new_i64();
        gen_op_mov_v_reg(s, ot, dx, R_EDX);
        if (ot == MO_64) {
            tcg_gen_mulu2_i64(lo, hi, dx, src);
        } else {
            tcg_gen_mul_i64(lo, dx, src);
            tcg_gen_shri_i64(hi, lo, 32);
        }
        gen_op_mov_reg_v(s, ot, d->vex_v, lo);
        gen_op_mov_reg_v(s, ot, d->reg, hi);
        return;
    }
    case 9: {                                    /* RORX r, r/m, imm8 */
        int r = (int)(d->imm & (uint64_t)(bits - 1));
        if (ot == MO_64) {
            tcg_gen_rotri_i64(res, src, r);
        } else {
            TCGv_i64 t = tcg_temp_new_i64();
            tcg_gen_shri_i64(res, src, r);
            tcg_gen_shli_i64(t, src, (32 - r) & 31);
            if (r)
                tcg_gen_or_i64(res, res, t);
        }
        gen_op_mov_reg_v(s, ot, d->reg, res);
        return;
    }
    default: {                                   /* SHLX, SARX, SHRX r, r/m, vvvv */
        TCGv_i64 c = tcg_temp_new_i64();
        tcg_gen_andi_i64(c, v, bits - 1);
        if (kind == 10) {
            tcg_gen_shl_i64(res, src, c);
        } else if (kind == 11) {
            if (ot == MO_32)
                tcg_gen_ext32s_i64(src, src);
            tcg_gen_sar_i64(res, src, c);
        } else {
            tcg_gen_shr_i64(res, src, c);
        }
        gen_op_mov_reg_v(s, ot, d->reg, res);
        return;
    }
    }
}

/* The BMI instruction of this encoding (0..12, see gen_bmi), or -1. */
static int bmi_kind(const X86Insn *d)
{
    int pfx = d->vex_pp, reg = d->reg & 7;
    if (d->map == X86_MAP_0F3A)
        return d->op == 0xf0 && pfx == PFX_F2 ? 9 : -1;
    if (d->map != X86_MAP_0F38)
        return -1;
    switch (d->op) {
    case 0xf2: return pfx == PFX_NONE ? 0 : -1;
    case 0xf3: return pfx == PFX_NONE && reg >= 1 && reg <= 3 ? reg + 1 : -1;
    case 0xf5: return pfx == PFX_NONE ? 5 : pfx == PFX_F2 ? 6 : pfx == PFX_F3 ? 7 : -1;
    case 0xf6: return pfx == PFX_F2 ? 8 : -1;
    case 0xf7: return pfx == PFX_NONE ? 1 : pfx == PFX_66 ? 10 : pfx == PFX_F3 ? 11 : 12;
    default: return -1;
    }
}

/* ------------------------------------------------------------------ AVX through the SSE tables */

enum { VF_BIN, VF_UN, VF_SCALAR, VF_SHIFT, VF_WIDEN, VF_NARROW };

/* How the instruction uses its operands; *ratio: how many times wider the result elements
 * of a widening conversion are. */
static int vex_form(const X86Insn *d, int pfx, int *ratio)
{
    int b = d->op;
    *ratio = 2;
    if (d->map == X86_MAP_0F) {
        if (pfx >= PFX_F3 && (b == 0x51 || b == 0x52 || b == 0x53 || b == 0xc2 ||
                              (b >= 0x58 && b <= 0x5f && b != 0x5b)))
            return VF_SCALAR;
        if ((b == 0x5a && pfx == PFX_NONE) || (b == 0xe6 && pfx == PFX_F3))
            return VF_WIDEN;
        if (b == 0x5a || b == 0xe6)
            return VF_NARROW;
        if (b == 0x51 || b == 0x52 || b == 0x53 || b == 0x5b || b == 0x70 ||
            ((b == 0x12 || b == 0x16) && pfx >= PFX_F3))
            return VF_UN;
        if ((b >= 0xd1 && b <= 0xd3) || b == 0xe1 || b == 0xe2 || (b >= 0xf1 && b <= 0xf3))
            return VF_SHIFT;
        return VF_BIN;
    }
    if (d->map == X86_MAP_0F38) {
        if ((b & 0xef) >= 0x20 && (b & 0xef) <= 0x25) {
            static const uint8_t widen[6] = { 2, 4, 8, 2, 4, 2 };   /* PMOVSX/ZX BW BD BQ WD WQ DQ */
            *ratio = widen[b & 7];
            return VF_WIDEN;
        }
        return (b >= 0x1c && b <= 0x1e) || b == 0x41 ? VF_UN : VF_BIN;
    }
    if (b == 0x08 || b == 0x09)
        return VF_UN;
    return b == 0x0a || b == 0x0b ? VF_SCALAR : VF_BIN;
}

/* imm8 bits that select for the upper 128-bit lane where the 256-bit form has more elements
 * than one lane's imm8 field covers (BLENDPS, BLENDPD, SHUFPD, MPSADBW). */
static int upper_lane_imm(const X86Insn *d, int imm)
{
    if (d->map == X86_MAP_0F3A)
        return d->op == 0x0c ? imm >> 4 : d->op == 0x0d ? imm >> 2 : d->op == 0x42 ? imm >> 3 : imm;
    return d->op == 0xc6 && d->vex_pp == PFX_66 ? imm >> 2 : imm;
}

static bool gen_vex_table(DisasContext *s)
{
    X86Insn *d = &s->d;
    int b = d->op, pfx = d->vex_pp, L = d->vex_l, bytes = 16 << L, ratio;
    const TCGHelperInfo *hi;
    int kind;
    if (d->map != X86_MAP_0F && pfx != PFX_66)
        return false;
    if (d->map == X86_MAP_0F38 && (b == 0x10 || b == 0x14 || b == 0x15))
        return false;                            /* legacy-only XMM0 blends */
    if (d->map == X86_MAP_0F && (b == 0x2a || b == 0x2c || b == 0x2d || b == 0x50 || b == 0xd7 ||
                                 b == 0xc4 || b == 0xc5 || b == 0x77 || b == 0xf7))
        return false;
    if (!sse_lookup(d->map, b, pfx, &hi, &kind))
        return false;
    /* The MMX forms (no prefix) of the integer instructions have no VEX encoding. */
    if (d->map == X86_MAP_0F && pfx == PFX_NONE && (kind == K_INT || kind == K_INTIMM) &&
        !(b >= 0x54 && b <= 0x57) && b != 0xc6)
        return false;
    int form = vex_form(d, pfx, &ratio);
    bool l128_only = (d->map == X86_MAP_0F3A && (b == 0x21 || b == 0x41)) ||
                     (d->map == X86_MAP_0F38 && b == 0x41);
    bool uses_v = form == VF_BIN || form == VF_SCALAR || form == VF_SHIFT;
    if (!vex_check(s, (!L || !l128_only || form == VF_SCALAR) && (uses_v || d->vex_v == 0)))
        return true;
    if (form == VF_SCALAR)
        L = 0, bytes = 16;

    int imm = (int)(d->imm & 0xff);
    if (b == 0xc2 && d->map == X86_MAP_0F)
        imm &= 31;
    int memsize = bytes;
    if (form == VF_SCALAR)
        memsize = d->map == X86_MAP_0F3A ? (b == 0x0a ? 4 : 8) : pfx == PFX_F3 ? 4 : 8;
    else if (form == VF_SHIFT)
        memsize = 16;
    else if (form == VF_WIDEN)
        memsize = bytes / ratio;
    else if (d->map == X86_MAP_0F && b == 0x12 && pfx == PFX_F2 && !L)
        memsize = 8;                             /* VMOVDDUP xmm, m64 */
    else if (d->map == X86_MAP_0F3A && b == 0x21 && d->mod != 3) {
        memsize = 4;                             /* VINSERTPS from m32: no source select */
        imm &= 0x3f;
    }
    intptr_t src2 = vex_rm(s, memsize);
    if (uses_v)
        copy_env(VTMP, xmm_ofs(d->vex_v), bytes);
    for (int lane = 0; lane <= L; lane++) {
        TCGv_ptr dst = env_ptr(VTMP + 16 * lane);
        intptr_t so = form == VF_SHIFT ? 0 : form == VF_WIDEN ? 16 * lane / ratio : 16 * lane;
        TCGv_ptr src = env_ptr(src2 + so);
        TCGv_i32 im = tcg_constant_i32(lane ? upper_lane_imm(d, imm) : imm);
        switch (kind) {
        case K_INT: tcg_gen_call4(hi, TCG_NORET, tcg_env, dst, src, tcg_constant_i32(16)); break;
        case K_INTIMM: tcg_gen_call5(hi, TCG_NORET, tcg_env, dst, src, tcg_constant_i32(16), im); break;
        case K_FP: tcg_gen_call3(hi, TCG_NORET, tcg_env, dst, src); break;
        default: tcg_gen_call4(hi, TCG_NORET, tcg_env, dst, src, im); break;
        }
    }
    if (form == VF_NARROW) {
        if (L)
            copy_env(VTMP + 8, VTMP + 16, 8);
        bytes = 16;
    }
    vex_set(d->reg, VTMP, bytes);
    return true;
}

/* ------------------------------------------------------------------ moves */

/* An SSE instruction whose VEX form writes only a general register, flags or memory of the
 * legacy size, run by translate-sse.c with the VEX prefix presented as legacy prefixes. */
static void vex_as_sse(DisasContext *s)
{
    X86Insn *d = &s->d;
    static const uint8_t rep[4] = { 0, 0, 0xf3, 0xf2 };
    uint8_t prefixes = d->prefixes, last_rep = d->last_rep, rex = d->rex;
    if (d->vex_pp == PFX_66)
        d->prefixes |= X86_PFX_OPSZ;
    d->last_rep = rep[d->vex_pp];
    if (!s->code64)
        d->rex &= ~8;                            /* VEX.W does not widen outside 64-bit mode */
    if (!gen_sse_insn(s))
        gen_unimplemented(s, "VEX-encoded SSE instruction");
    d->prefixes = prefixes;
    d->last_rep = last_rep;
    d->rex = rex;
}

static bool gen_vex_move(DisasContext *s)
{
    X86Insn *d = &s->d;
    int b = d->op, pfx = d->vex_pp, L = d->vex_l, bytes = 16 << L;
    bool mem = d->mod != 3, v0 = d->vex_v == 0;
    int reg = d->reg;
    TCGv_i64 a = { -1 };

    switch (b) {
    case 0x10: case 0x11:
        if (pfx >= PFX_F3) {                     /* VMOVSS / VMOVSD */
            int n = pfx == PFX_F3 ? 4 : 8;
            if (!vex_check(s, !mem || v0))
                return true;
            if (mem) {
                a = gen_modrm_linear(s);
                if (b == 0x11) {
                    vex_store(s, a, xmm_ofs(reg), n);
                } else {
                    vex_load(s, a, MEMTMP, n);
                    vex_set(reg, MEMTMP, n);
                }
                return true;
            }
            int dst = b == 0x10 ? reg : d->rm, src = b == 0x10 ? d->rm : reg;
            copy_env(VTMP, xmm_ofs(d->vex_v), 16);
            copy_env(VTMP, xmm_ofs(src), n);
            vex_set(dst, VTMP, 16);
            return true;
        }
        __attribute__((fallthrough));            /* VMOVUPS / VMOVUPD */
    case 0x28: case 0x29:                        /* VMOVAPS / VMOVAPD */
    case 0x6f: case 0x7f: {                      /* VMOVDQA (66) / VMOVDQU (F3) */
        bool aligned = b == 0x28 || b == 0x29 || (b >= 0x6f && pfx == PFX_66);
        bool store = b == 0x11 || b == 0x29 || b == 0x7f;
        if (b >= 0x6f ? (pfx != PFX_66 && pfx != PFX_F3) : pfx >= PFX_F3)
            return false;
        if (!vex_check(s, v0))
            return true;
        if (mem) {
            a = gen_modrm_linear(s);
            if (aligned)
                gen_check_align(s, a, bytes);
            if (store) {
                vex_store(s, a, xmm_ofs(reg), bytes);
            } else {
                vex_load(s, a, MEMTMP, bytes);
                vex_set(reg, MEMTMP, bytes);
            }
        } else if (store) {
            vex_set(d->rm, xmm_ofs(reg), bytes);
        } else {
            vex_set(reg, xmm_ofs(d->rm), bytes);
        }
        return true;
    }
    case 0x2b: case 0xe7:                        /* VMOVNTPS/PD, VMOVNTDQ */
        if (b == 0xe7 ? pfx != PFX_66 : pfx >= PFX_F3)
            return false;
        if (!vex_check(s, v0 && mem))
            return true;
        a = gen_modrm_linear(s);
        gen_check_align(s, a, bytes);
        vex_store(s, a, xmm_ofs(reg), bytes);
        return true;
    case 0xf0:                                   /* VLDDQU */
        if (pfx != PFX_F2)
            return false;
        if (!vex_check(s, v0 && mem))
            return true;
        vex_load(s, gen_modrm_linear(s), MEMTMP, bytes);
        vex_set(reg, MEMTMP, bytes);
        return true;
    case 0x12: case 0x13: case 0x16: case 0x17: {
        if (pfx >= PFX_F3)
            return false;                        /* VMOVSLDUP/VMOVSHDUP/VMOVDDUP: the tables */
        int half = b >= 0x16 ? 8 : 0;
        if (b & 1) {                             /* VMOVLPS/PD, VMOVHPS/PD m64, xmm */
            if (!vex_check(s, !L && v0 && mem))
                return true;
            vex_store(s, gen_modrm_linear(s), xmm_ofs(reg) + half, 8);
            return true;
        }
        /* VMOVLPS/VMOVHPS xmm, xmm, m64; VMOVHLPS/VMOVLHPS xmm, xmm, xmm (no 66 form) */
        if (!vex_check(s, !L && (mem || pfx == PFX_NONE)))
            return true;
        intptr_t src = mem ? MEMTMP : xmm_ofs(d->rm) + (half ? 0 : 8);
        if (mem)
            vex_load(s, gen_modrm_linear(s), MEMTMP, 8);
        copy_env(VTMP, xmm_ofs(d->vex_v), 16);
        copy_env(VTMP + half, src, 8);
        vex_set(reg, VTMP, 16);
        return true;
    }
    case 0x6e: {                                 /* VMOVD/VMOVQ xmm, r/m */
        if (pfx != PFX_66)
            return false;
        if (!vex_check(s, !L && v0))
            return true;
        int ot = (s->code64 && (d->rex & 8)) ? MO_64 : MO_32;
        TCGv_i64 t = tcg_temp_new_i64();
        gen_ld_modrm(s, ot, t, NULL);
        tcg_gen_st_i64(t, tcg_env, VTMP);
        vex_set(reg, VTMP, 8);
        return true;
    }
    case 0x7e:
        if (pfx == PFX_66) {                     /* VMOVD/VMOVQ r/m, xmm */
            if (vex_check(s, !L && v0))
                vex_as_sse(s);
            return true;
        }
        if (pfx != PFX_F3)
            return false;
        __attribute__((fallthrough));            /* VMOVQ xmm, xmm/m64 */
    case 0xd6:                                   /* VMOVQ xmm/m64, xmm */
        if (b == 0xd6 && pfx != PFX_66)
            return false;
        if (!vex_check(s, !L && v0))
            return true;
        if (b == 0xd6 && mem) {
            vex_store(s, gen_modrm_linear(s), xmm_ofs(reg), 8);
        } else if (b == 0xd6) {
            vex_set(d->rm, xmm_ofs(reg), 8);
        } else {
            vex_set(reg, vex_rm(s, 8), 8);
        }
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ the rest of map 0F */

/* VPINSRB/W/D/Q xmm, xmm(vvvv), r32/m, imm8: a register source gives its low bits. */
static void vex_pinsr(DisasContext *s, int size)
{
    X86Insn *d = &s->d;
    TCGv_i64 v = tcg_temp_new_i64();
    gen_ld_modrm(s, d->mod == 3 && size < 4 ? MO_32 : mo_of(size), v, NULL);
    copy_env(VTMP, xmm_ofs(d->vex_v), 16);
    tcg_gen_call6(&hi_pinsr, TCG_NORET, tcg_env, env_ptr(VTMP), tcg_constant_i32(16),
                  tcg_constant_i32(size), tcg_constant_i32((int)(d->imm & 0xff)), v);
    vex_set(d->reg, VTMP, 16);
}

static bool gen_vex_0f(DisasContext *s)
{
    X86Insn *d = &s->d;
    int b = d->op, pfx = d->vex_pp, L = d->vex_l, bytes = 16 << L;
    bool v0 = d->vex_v == 0;
    switch (b) {
    case 0x77: {                                 /* VZEROUPPER (L=0) / VZEROALL (L=1) */
        if (!vex_check(s, v0 && pfx == PFX_NONE))
            return true;
        for (int i = 0; i < (s->code64 ? 16 : 8); i++)
            zero_env(xmm_ofs(i), L ? 0 : 16, 32);
        return true;
    }
    case 0x2e: case 0x2f:                        /* VUCOMISS/VCOMISS/VUCOMISD/VCOMISD */
        if (pfx >= PFX_F3)
            return false;
        if (vex_check(s, v0))
            vex_as_sse(s);
        return true;
    case 0x2c: case 0x2d:                        /* VCVT(T)SS2SI / VCVT(T)SD2SI */
        if (pfx < PFX_F3)
            return false;
        if (vex_check(s, v0))
            vex_as_sse(s);
        return true;
    case 0x2a: {                                 /* VCVTSI2SS / VCVTSI2SD xmm, xmm, r/m */
        if (pfx < PFX_F3)
            return false;
        if (!vex_check(s, true))
            return true;
        int ot = (s->code64 && (d->rex & 8)) ? MO_64 : MO_32;
        TCGv_i64 v = tcg_temp_new_i64();
        gen_ld_modrm(s, ot, v, NULL);
        if (ot == MO_32)
            tcg_gen_ext32s_i64(v, v);
        copy_env(VTMP, xmm_ofs(d->vex_v), 16);
        tcg_gen_call3(pfx == PFX_F3 ? &hi_cvtsi2ss : &hi_cvtsi2sd, TCG_NORET, tcg_env, env_ptr(VTMP), v);
        vex_set(d->reg, VTMP, 16);
        return true;
    }
    case 0x50: case 0xd7: {                      /* VMOVMSKPS/PD, VPMOVMSKB r, ymm */
        if (b == 0x50 ? pfx >= PFX_F3 : pfx != PFX_66)
            return false;
        if (!vex_check(s, v0 && d->mod == 3))
            return true;
        if (!L) {
            vex_as_sse(s);
            return true;
        }
        TCGv_i32 m = tcg_temp_new_i32();
        TCGv_i64 r = tcg_temp_new_i64(), t = tcg_temp_new_i64();
        tcg_gen_movi_i64(r, 0);
        for (int lane = 1; lane >= 0; lane--) {
            TCGv_ptr src = env_ptr(xmm_ofs(d->rm) + 16 * lane);
            if (b == 0xd7)
                tcg_gen_call3(&hi_pmovmskb, tcg_ref(m), tcg_env, src, tcg_constant_i32(16));
            else
                tcg_gen_call2(pfx == PFX_66 ? &hi_movmskpd : &hi_movmskps, tcg_ref(m), tcg_env, src);
            tcg_gen_extu_i32_i64(t, m);
            tcg_gen_shli_i64(r, r, b == 0xd7 ? 16 : pfx == PFX_66 ? 2 : 4);
            tcg_gen_or_i64(r, r, t);
        }
        gen_op_mov_reg_v(s, s->code64 ? MO_64 : MO_32, d->reg, r);
        return true;
    }
    case 0xae:                                   /* VLDMXCSR / VSTMXCSR m32 */
        if (pfx != PFX_NONE || d->mod == 3 || ((d->reg & 7) != 2 && (d->reg & 7) != 3))
            return false;
        if (vex_check(s, !L && v0))
            gen_mxcsr_insn(s, (d->reg & 7) == 2);
        return true;
    case 0xc5:                                   /* VPEXTRW r, xmm, imm8 */
        if (pfx != PFX_66)
            return false;
        if (vex_check(s, !L && v0 && d->mod == 3))
            vex_as_sse(s);
        return true;
    case 0xc4:                                   /* VPINSRW xmm, xmm, r/m16, imm8 */
        if (pfx != PFX_66)
            return false;
        if (vex_check(s, !L))
            vex_pinsr(s, 2);
        return true;
    case 0x71: case 0x72: case 0x73: {           /* shifts by imm8: VEX.vvvv is the destination */
        /* The bit shifts run as their by-XMM-count forms with the count in VCONST. */
        static const uint8_t ops[3][8] = {
            { 0, 0, 0xd1, 0, 0xe1, 0, 0xf1, 0 }, { 0, 0, 0xd2, 0, 0xe2, 0, 0xf2, 0 },
            { 0, 0, 0xd3, 1, 0, 0, 0xf3, 1 },
        };
        int r = d->reg & 7, op = ops[b - 0x71][r], n = (int)(d->imm & 0xff);
        const TCGHelperInfo *hi;
        int kind;
        if (pfx != PFX_66 || d->mod != 3 || !op)
            return false;
        if (!vex_check(s, true))
            return true;
        if (op == 1) {                           /* VPSRLDQ / VPSLLDQ: bytes within each lane */
            TCGv_i64 t = tcg_temp_new_i64();
            for (int i = 0; i < bytes; i++) {
                int j = (i & 15) + (r == 7 ? -n : n);
                if (j < 0 || j > 15) {
                    tcg_gen_st8_i64(tcg_constant_i64(0), tcg_env, VTMP + i);
                } else {
                    tcg_gen_ld8u_i64(t, tcg_env, xmm_ofs(d->rm) + (i & 16) + j);
                    tcg_gen_st8_i64(t, tcg_env, VTMP + i);
                }
            }
        } else {
            sse_lookup(X86_MAP_0F, op, PFX_66, &hi, &kind);
            tcg_gen_st_i64(tcg_constant_i64(n), tcg_env, VCONST);
            copy_env(VTMP, xmm_ofs(d->rm), bytes);
            for (int lane = 0; lane <= L; lane++)
                tcg_gen_call4(hi, TCG_NORET, tcg_env, env_ptr(VTMP + 16 * lane), env_ptr(VCONST),
                              tcg_constant_i32(16));
        }
        vex_set(d->vex_v, VTMP, bytes);
        return true;
    }
    default:
        return gen_vex_move(s);
    }
}

/* ------------------------------------------------------------------ AVX/AVX2 of maps 0F38/0F3A */

static void vex_broadcast(DisasContext *s, int esize)
{
    X86Insn *d = &s->d;
    int bytes = 16 << d->vex_l;
    if (esize == 16) {
        vex_load(s, gen_modrm_linear(s), MEMTMP, 16);
        copy_env(VTMP, MEMTMP, 16);
        copy_env(VTMP + 16, MEMTMP, 16);
        vex_set(d->reg, VTMP, 32);
        return;
    }
    static const uint64_t rep[9] = { [1] = 0x0101010101010101ULL, [2] = 0x0001000100010001ULL,
                                     [4] = 0x0000000100000001ULL, [8] = 1 };
    TCGv_i64 t = tcg_temp_new_i64();
    if (d->mod != 3) {
        gen_op_ld(s, mo_of(esize), t, gen_modrm_linear(s));
    } else {
        intptr_t o = xmm_ofs(d->rm);
        if (esize == 1)
            tcg_gen_ld8u_i64(t, tcg_env, o);
        else if (esize == 2)
            tcg_gen_ld16u_i64(t, tcg_env, o);
        else if (esize == 4)
            tcg_gen_ld32u_i64(t, tcg_env, o);
        else
            tcg_gen_ld_i64(t, tcg_env, o);
    }
    tcg_gen_muli_i64(t, t, (int64_t)rep[esize]);
    for (int i = 0; i < bytes; i += 8)
        tcg_gen_st_i64(t, tcg_env, VTMP + i);
    vex_set(d->reg, VTMP, bytes);
}

static bool gen_vex_0f38(DisasContext *s)
{
    X86Insn *d = &s->d;
    int b = d->op, L = d->vex_l, bytes = 16 << L;
    bool v0 = d->vex_v == 0, w = d->rex & 8, mem = d->mod != 3;
    if (d->vex_pp != PFX_66)
        return false;
    switch (b) {
    case 0x18: case 0x19: case 0x1a: case 0x58: case 0x59: case 0x5a: case 0x78: case 0x79: {
        /* VBROADCASTSS/SD/F128, VPBROADCASTD/Q, VBROADCASTI128, VPBROADCASTB/W */
        static const uint8_t size[8] = { 4, 8, 16 };
        int esize = b >= 0x78 ? 1 << (b - 0x78) : b >= 0x58 ? (b == 0x5a ? 16 : 4 << (b - 0x58)) : size[b - 0x18];
        bool ok = v0 && !w && (esize != 16 || (L && mem)) && (b != 0x19 || L);
        if (vex_check(s, ok))
            vex_broadcast(s, esize);
        return true;
    }
    case 0x0c: case 0x0d: {                      /* VPERMILPS/PD ymm, ymm, ymm/m (variable) */
        if (!vex_check(s, !w))
            return true;
        intptr_t ctl = vex_rm(s, bytes);
        tcg_gen_call6(&hi_vpermil, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(xmm_ofs(d->vex_v)),
                      env_ptr(ctl), tcg_constant_i32(bytes), tcg_constant_i32(b == 0x0c ? 4 : 8));
        vex_set(d->reg, VTMP, bytes);
        return true;
    }
    case 0x0e: case 0x0f: case 0x17: {           /* VTESTPS, VTESTPD, VPTEST */
        if (!vex_check(s, v0 && (b == 0x17 || !w)))
            return true;
        intptr_t src = vex_rm(s, bytes);
        flags_from_helper(s);
        tcg_gen_call5(&hi_vtest, TCG_NORET, tcg_env, env_ptr(xmm_ofs(d->reg)), env_ptr(src),
                      tcg_constant_i32(bytes), tcg_constant_i32(b == 0x17 ? 0 : b == 0x0e ? 4 : 8));
        flags_done(s);
        return true;
    }
    case 0x16: case 0x36: {                      /* VPERMPS, VPERMD ymm, ymm(index), ymm/m256 */
        if (!vex_check(s, L && !w))
            return true;
        intptr_t table = vex_rm(s, 32);
        tcg_gen_call5(&hi_vperm, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(xmm_ofs(d->vex_v)),
                      env_ptr(table), tcg_constant_i32(4));
        vex_set(d->reg, VTMP, 32);
        return true;
    }
    case 0x2c: case 0x2d: case 0x2e: case 0x2f: case 0x8c: case 0x8e: {
        /* VMASKMOVPS/PD load/store, VPMASKMOVD/Q load/store (mask: VEX.vvvv) */
        int esize = b >= 0x8c ? (w ? 8 : 4) : (b & 1) ? 8 : 4;
        bool store = b == 0x2e || b == 0x2f || b == 0x8e;
        if (!vex_check(s, mem && (b >= 0x8c || !w)))
            return true;
        TCGv_i64 a = gen_modrm_linear(s);
        TCGv_ptr mask = env_ptr(xmm_ofs(d->vex_v));
        if (store) {
            tcg_gen_call6(&hi_vmaskmov_st, TCG_NORET, tcg_env, env_ptr(xmm_ofs(d->reg)), mask, a,
                          tcg_constant_i32(bytes), tcg_constant_i32(esize));
        } else {
            tcg_gen_call6(&hi_vmaskmov_ld, TCG_NORET, tcg_env, env_ptr(VTMP), mask, a,
                          tcg_constant_i32(bytes), tcg_constant_i32(esize));
            vex_set(d->reg, VTMP, bytes);
        }
        return true;
    }
    case 0x45: case 0x46: case 0x47: {           /* VPSRLVD/Q, VPSRAVD, VPSLLVD/Q */
        if (!vex_check(s, b != 0x46 || !w))
            return true;
        int kind = b == 0x47 ? 0 : b == 0x45 ? 1 : 2;
        intptr_t cnt = vex_rm(s, bytes);
        tcg_gen_call6(&hi_vshiftv, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(xmm_ofs(d->vex_v)),
                      env_ptr(cnt), tcg_constant_i32(bytes), tcg_constant_i32(kind * 16 + (w ? 8 : 4)));
        vex_set(d->reg, VTMP, bytes);
        return true;
    }
    case 0x13: {                                 /* VCVTPH2PS (F16C) */
        if (!vex_check(s, v0 && !w))
            return true;
        intptr_t src = vex_rm(s, 8 << L);
        tcg_gen_call4(&hi_vcvtph2ps, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(src), tcg_constant_i32(4 << L));
        vex_set(d->reg, VTMP, bytes);
        return true;
    }
    case 0x90 ... 0x93: {                        /* VPGATHERDD/DQ/QD/QQ, VGATHERDPS/DPD/QPS/QPD */
        /* VSIB: an index field of 100b is a vector register like any other. */
        int idx = d->index < 0 ? 4 : d->index, mask = d->vex_v, dst = d->reg;
        bool qidx = b & 1;
        int n = (qidx || w) ? bytes / 8 : bytes / 4;
        if (!vex_check(s, mem && d->has_sib && dst != mask && dst != idx && mask != idx))
            return true;
        int8_t saved = d->index;
        d->index = -1;
        TCGv_i64 off = gen_lea_modrm(s), seg = tcg_temp_new_i64();
        d->index = saved;
        tcg_gen_movi_i64(seg, 0);
        gen_add_seg(s, seg, gen_default_seg(s), false);
        uint32_t ctl = (uint32_t)(dst | mask << 4 | idx << 8 | d->scale << 12 | (w ? 1 << 14 : 0) |
                                  (qidx ? 1 << 15 : 0) | n << 16 | (s->aflag - MO_16) << 20 | (s->code64 ? 1 << 22 : 0));
        tcg_gen_call4(&hi_vgather, TCG_NORET, tcg_env, tcg_constant_i32(ctl), off, seg);
        return true;
    }
    case 0x96 ... 0x9f: case 0xa6 ... 0xaf: case 0xb6 ... 0xbf: {   /* FMA3 */
        static const uint8_t kinds[10] = { 4, 5, 0, 0, 1, 1, 2, 2, 3, 3 };
        int lo = b & 15;
        if (lo < 6)
            return false;
        bool scalar = lo >= 9 && (lo & 1);
        int esize = w ? 8 : 4, n = scalar ? 1 : bytes / esize;
        if (!vex_check(s, true))
            return true;
        intptr_t src3 = vex_rm(s, scalar ? esize : bytes);
        copy_env(VTMP, xmm_ofs(d->reg), bytes);
        int ctl = ((b >> 4) - 9) | kinds[lo - 6] << 2 | (w ? 32 : 0) | n << 8;
        tcg_gen_call5(&hi_vfma, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(xmm_ofs(d->vex_v)),
                      env_ptr(src3), tcg_constant_i32(ctl));
        vex_set(d->reg, VTMP, scalar ? 16 : bytes);
        return true;
    }
    case 0x2a:                                   /* VMOVNTDQA */
        if (!vex_check(s, v0 && mem))
            return true;
        {
            TCGv_i64 a = gen_modrm_linear(s);
            gen_check_align(s, a, bytes);
            vex_load(s, a, MEMTMP, bytes);
            vex_set(d->reg, MEMTMP, bytes);
        }
        return true;
    default:
        return gen_vex_table(s);
    }
}

static bool gen_vex_0f3a(DisasContext *s)
{
    X86Insn *d = &s->d;
    int b = d->op, L = d->vex_l, bytes = 16 << L, imm = (int)(d->imm & 0xff);
    bool v0 = d->vex_v == 0, w = d->rex & 8;
    if (d->vex_pp != PFX_66)
        return false;
    switch (b) {
    case 0x00: case 0x01: {                      /* VPERMQ, VPERMPD ymm, ymm/m256, imm8 */
        if (!vex_check(s, L && w && v0))
            return true;
        for (int i = 0; i < 4; i++) {
            put_const32(2 * i, (imm >> (2 * i)) & 3);
            put_const32(2 * i + 1, 0);
        }
        intptr_t table = vex_rm(s, 32);
        tcg_gen_call5(&hi_vperm, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(VCONST), env_ptr(table),
                      tcg_constant_i32(8));
        vex_set(d->reg, VTMP, 32);
        return true;
    }
    case 0x04: case 0x05: {                      /* VPERMILPS/PD ymm, ymm/m, imm8 */
        if (!vex_check(s, v0 && !w))
            return true;
        for (int i = 0; i < 8; i++)
            put_const32(i, b == 0x04 ? (imm >> (2 * (i & 3))) & 3 : (i & 1) ? 0 : ((imm >> (i / 2)) & 1) << 1);
        intptr_t src = vex_rm(s, bytes);
        tcg_gen_call6(&hi_vpermil, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(src), env_ptr(VCONST),
                      tcg_constant_i32(bytes), tcg_constant_i32(b == 0x04 ? 4 : 8));
        vex_set(d->reg, VTMP, bytes);
        return true;
    }
    case 0x02: case 0x4a: case 0x4b: case 0x4c: {   /* VPBLENDD imm8, VBLENDVPS/PD, VPBLENDVB */
        if (!vex_check(s, !w))
            return true;
        intptr_t mask = VCONST;
        if (b == 0x02) {
            for (int i = 0; i < 8; i++)
                put_const32(i, (imm >> i) & 1 ? 0x80000000u : 0);
        } else {
            mask = xmm_ofs((imm >> 4) & (s->code64 ? 15 : 7));
        }
        intptr_t src = vex_rm(s, bytes);
        copy_env(VTMP, xmm_ofs(d->vex_v), bytes);
        tcg_gen_call6(&hi_vblendv, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(src), env_ptr(mask),
                      tcg_constant_i32(bytes), tcg_constant_i32(b == 0x4b ? 8 : b == 0x4c ? 1 : 4));
        vex_set(d->reg, VTMP, bytes);
        return true;
    }
    case 0x06: case 0x46: {                      /* VPERM2F128, VPERM2I128 */
        if (!vex_check(s, L && !w))
            return true;
        intptr_t src2 = vex_rm(s, 32), src1 = xmm_ofs(d->vex_v);
        for (int lane = 0; lane < 2; lane++) {
            int sel = imm >> (4 * lane);
            if (sel & 8)
                zero_env(VTMP, 16 * lane, 16 * lane + 16);
            else
                copy_env(VTMP + 16 * lane, ((sel & 2) ? src2 : src1) + 16 * (sel & 1), 16);
        }
        vex_set(d->reg, VTMP, 32);
        return true;
    }
    case 0x18: case 0x38: {                      /* VINSERTF128, VINSERTI128 */
        if (!vex_check(s, L && !w))
            return true;
        intptr_t src2 = vex_rm(s, 16);
        copy_env(VTMP, xmm_ofs(d->vex_v), 32);
        copy_env(VTMP + 16 * (imm & 1), src2, 16);
        vex_set(d->reg, VTMP, 32);
        return true;
    }
    case 0x19: case 0x39: {                      /* VEXTRACTF128, VEXTRACTI128 */
        if (!vex_check(s, L && !w && v0))
            return true;
        intptr_t src = xmm_ofs(d->reg) + 16 * (imm & 1);
        if (d->mod != 3)
            vex_store(s, gen_modrm_linear(s), src, 16);
        else
            vex_set(d->rm, src, 16);
        return true;
    }
    case 0x1d: {                                 /* VCVTPS2PH xmm/m, xmm/ymm, imm8 (F16C) */
        if (!vex_check(s, v0 && !w))
            return true;
        TCGv_i64 a = { -1 };
        if (d->mod != 3)
            a = gen_modrm_linear(s);
        tcg_gen_call5(&hi_vcvtps2ph, TCG_NORET, tcg_env, env_ptr(VTMP), env_ptr(xmm_ofs(d->reg)),
                      tcg_constant_i32(4 << L), tcg_constant_i32(imm));
        if (d->mod != 3)
            vex_store(s, a, VTMP, 8 << L);
        else
            vex_set(d->rm, VTMP, 16);
        return true;
    }
    case 0x14: case 0x15: case 0x16: case 0x17:  /* VPEXTRB/W/D/Q, VEXTRACTPS */
    case 0x60: case 0x61: case 0x62: case 0x63:  /* VPCMPESTRM/ESTRI/ISTRM/ISTRI */
        if (vex_check(s, !L && v0))
            vex_as_sse(s);
        return true;
    case 0x20: case 0x22:                        /* VPINSRB, VPINSRD/Q xmm, xmm, r/m, imm8 */
        if (vex_check(s, !L))
            vex_pinsr(s, b == 0x20 ? 1 : (s->code64 && w) ? 8 : 4);
        return true;
    default:
        return gen_vex_table(s);
    }
}

void gen_vex_insn(DisasContext *s)
{
    X86Insn *d = &s->d;
    /* EVEX (AVX-512) is not implemented and not advertised: 62 is BOUND, invalid here. */
    if ((d->prefixes & X86_PFX_EVEX) || !s->pe || s->vm86) {
        gen_exception(s, EXCP_UD);
        return;
    }
    int bmi = bmi_kind(d);
    if (bmi >= 0) {
        bool unused_v = bmi == 9;
        if (d->vex_l || (unused_v && d->vex_v)) {
            gen_exception(s, EXCP_UD);
            return;
        }
        gen_bmi(s, bmi);
        return;
    }
    if (!(s->flags & HF_AVX)) {
        gen_exception(s, EXCP_UD);
        return;
    }
    bool done = d->map == X86_MAP_0F ? gen_vex_0f(s) || gen_vex_table(s)
              : d->map == X86_MAP_0F38 ? gen_vex_0f38(s) : gen_vex_0f3a(s);
    if (!done)
        gen_unimplemented(s, "VEX-encoded instruction (FMA, F16C, gathers, AES or not an AVX/AVX2 one)");
}
