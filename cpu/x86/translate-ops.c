/* translate-ops.c: IR generation for the x86 general-purpose instructions (SDM 2, opcode map
 * appendix A), in 16-, 32- and 64-bit code. System instructions call the helpers of cpu/x86/helper.h. */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/translate.h"

#define HELPER(fn, rt, ...) static const TCGHelperInfo hi_##fn = TCG_HELPER(fn, 0, rt, __VA_ARGS__)
#define HELPER0(fn, rt) static const TCGHelperInfo hi_##fn = TCG_HELPER(fn, 0, rt, P)

HELPER(helper_tr_divb, V, P, I64);
HELPER(helper_tr_idivb, V, P, I64);
HELPER(helper_tr_divw, V, P, I64);
HELPER(helper_tr_idivw, V, P, I64);
HELPER(helper_tr_divl, V, P, I64);
HELPER(helper_tr_idivl, V, P, I64);
HELPER(helper_tr_divq, V, P, I64);
HELPER(helper_tr_idivq, V, P, I64);
HELPER(helper_tr_in, I64, P, I32, I32);
HELPER(helper_tr_out, V, P, I32, I64, I32);
HELPER0(helper_tr_read_eflags, I64);
HELPER(helper_tr_write_eflags, V, P, I64, I32);
HELPER0(helper_tr_daa, V);
HELPER0(helper_tr_das, V);
HELPER0(helper_tr_aaa, V);
HELPER0(helper_tr_aas, V);
HELPER(helper_tr_aam, V, P, I32);
HELPER(helper_tr_aad, V, P, I32);
HELPER(helper_tr_cmpxchg8b, V, P, I64, I32);
HELPER(helper_tr_cmpxchg16b, V, P, I64, I32);
HELPER0(helper_tr_rdrand, I64);
HELPER(helper_tr_rotate, I64, P, I64, I64, I32);
HELPER(helper_tr_shd, I64, P, I64, I64, I64, I32);
HELPER0(helper_tr_cli, V);
HELPER0(helper_tr_sti, V);
HELPER(helper_tr_set_ac, V, P, I32);
HELPER0(helper_tr_rdtscp, V);
HELPER(helper_xgetbv, I64, P, I32);
HELPER(helper_xsetbv, V, P, I32, I64);
HELPER(helper_tr_set_hlt, V, P, I64);
/* The system helpers (cpu/x86/helper.h). */
HELPER(helper_raise_interrupt, V, P, I32, I64);
HELPER(helper_iret, V, P, I32, I64);
HELPER(helper_load_seg, V, P, I32, I32);
HELPER(helper_ljmp, V, P, I32, I64, I64);
HELPER(helper_lcall, V, P, I32, I64, I32, I64);
HELPER(helper_lret, V, P, I32, I32);
HELPER(helper_lgdt, V, P, I64, I32);
HELPER(helper_lidt, V, P, I64, I32);
HELPER(helper_lldt, V, P, I32);
HELPER(helper_ltr, V, P, I32);
HELPER(helper_lar, I64, P, I32, I64);
HELPER(helper_lsl, I64, P, I32, I64);
HELPER(helper_verr, V, P, I32);
HELPER(helper_verw, V, P, I32);
HELPER(helper_syscall, V, P, I64);
HELPER(helper_sysret, V, P, I32);
HELPER0(helper_sysenter, V);
HELPER(helper_sysexit, V, P, I32);
HELPER(helper_write_crN, V, P, I32, I64);
HELPER(helper_read_crN, I64, P, I32);
HELPER(helper_write_drN, V, P, I32, I64);
HELPER(helper_read_drN, I64, P, I32);
HELPER0(helper_clts, V);
HELPER(helper_lmsw, V, P, I32);
HELPER(helper_invlpg, V, P, I64);
HELPER0(helper_rdtsc, I64);
HELPER(helper_hlt, V, P, I64);
HELPER0(helper_rdmsr, V);
HELPER0(helper_wrmsr, V);
HELPER0(helper_cpuid, V);

static TCGv_i64 tmp(void)
{
    return tcg_temp_new_i64();
}

static TCGv_i64 const64(int64_t v)
{
    return tcg_constant_i64(v);
}

static void exit_after_helper(DisasContext *s)
{
    /* The helper set rip (and maybe the mode); leave so the loop looks at the new state. */
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    s->end = DISAS_JUMPED;
}

static int reg_of_opcode(DisasContext *s)
{
    return (s->d.op & 7) | ((s->d.rex & 1) << 3);
}

/* ---------------------------------------------------------------- arithmetic */

/* dst = dst OP src for the eight ALU operations (ADD OR ADC SBB AND SUB XOR CMP). The
 * destination is register reg, or memory at addr when addr.n >= 0. Flags are set after the
 * store so that a faulting store leaves them untouched. */
static void gen_alu(DisasContext *s, int op, int ot, int reg, TCGv_i64 addr, TCGv_i64 src)
{
    TCGv_i64 t0 = tmp(), t1 = tmp(), res = tmp(), carry = tmp();
    if (addr.n >= 0)
        gen_op_ld(s, ot, t0, addr);
    else
        gen_op_mov_v_reg(s, ot, t0, reg);
    gen_ext(ot, t1, src, false);
    if (op == 2 || op == 3)
        gen_compute_eflags_c(s, carry);
    switch (op) {
    case 0: tcg_gen_add_i64(res, t0, t1); break;
    case 1: tcg_gen_or_i64(res, t0, t1); break;
    case 2: tcg_gen_add_i64(res, t0, t1); tcg_gen_add_i64(res, res, carry); break;
    case 3: tcg_gen_sub_i64(res, t0, t1); tcg_gen_sub_i64(res, res, carry); break;
    case 4: tcg_gen_and_i64(res, t0, t1); break;
    case 5: case 7: tcg_gen_sub_i64(res, t0, t1); break;
    case 6: tcg_gen_xor_i64(res, t0, t1); break;
    }
    gen_ext(ot, res, res, false);
    if (op != 7) {
        if (addr.n >= 0)
            gen_op_st(s, ot, res, addr);
        else
            gen_op_mov_reg_v(s, ot, reg, res);
    }
    tcg_gen_mov_i64(cpu_cc_dst, res);
    switch (op) {
    case 0: tcg_gen_mov_i64(cpu_cc_src, t1); set_cc_op(s, CC_OP_ADDB + ot); break;
    case 2: tcg_gen_mov_i64(cpu_cc_src, t1); tcg_gen_mov_i64(cpu_cc_src2, carry); set_cc_op(s, CC_OP_ADCB + ot); break;
    case 3: tcg_gen_mov_i64(cpu_cc_src, t1); tcg_gen_mov_i64(cpu_cc_src2, carry); set_cc_op(s, CC_OP_SBBB + ot); break;
    case 5: case 7: tcg_gen_mov_i64(cpu_cc_src, t1); set_cc_op(s, CC_OP_SUBB + ot); break;
    default: set_cc_op(s, CC_OP_LOGICB + ot); break;
    }
}

static void gen_incdec(DisasContext *s, int ot, int reg, TCGv_i64 addr, bool dec)
{
    TCGv_i64 t0 = tmp(), carry = tmp();
    if (addr.n >= 0)
        gen_op_ld(s, ot, t0, addr);
    else
        gen_op_mov_v_reg(s, ot, t0, reg);
    gen_compute_eflags_c(s, carry);
    tcg_gen_addi_i64(t0, t0, dec ? -1 : 1);
    gen_ext(ot, t0, t0, false);
    if (addr.n >= 0)
        gen_op_st(s, ot, t0, addr);
    else
        gen_op_mov_reg_v(s, ot, reg, t0);
    tcg_gen_mov_i64(cpu_cc_src, carry);
    tcg_gen_mov_i64(cpu_cc_dst, t0);
    set_cc_op(s, (dec ? CC_OP_DECB : CC_OP_INCB) + ot);
}

static void gen_logic_flags(DisasContext *s, int ot, TCGv_i64 res)
{
    gen_ext(ot, cpu_cc_dst, res, false);
    set_cc_op(s, CC_OP_LOGICB + ot);
}

/* r/m operand address for a read-modify-write: (TCGv){-1} for a register. */
static TCGv_i64 rm_addr(DisasContext *s)
{
    if (s->d.mod == 3)
        return (TCGv_i64){ -1 };
    return gen_modrm_linear(s);
}

/* SHL/SHR/SAR (op 4, 5, 7; 6 is SHL) with a constant or a CL count. */
static void gen_shift(DisasContext *s, int op, int ot, TCGv_i64 addr, TCGv_i64 count, bool is_const,
                      int cval)
{
    int mask = ot == MO_64 ? 63 : 31;
    TCGv_i64 t0 = tmp(), res = tmp(), part = tmp();
    if (addr.n >= 0)
        gen_op_ld(s, ot, t0, addr);
    else
        gen_op_mov_v_reg(s, ot, t0, s->d.rm);
    if (op == 7)
        gen_ext(ot, t0, t0, true);

    if ((op == 0 || op == 1) && is_const && ot >= MO_32 && (cval & mask)) {
        /* ROL/ROR by a constant, inline: CF and OF go to cc_dst/cc_src2 over the
         * materialised flags (CC_OP_ADCOX). */
        int c = cval & mask, bits = 8 << ot;
        TCGv_i64 cf = tmp(), of = tmp(), hi = tmp();
        gen_compute_eflags(s);
        if (ot == MO_64) {
            if (op == 0)
                tcg_gen_rotli_i64(res, t0, c);
            else
                tcg_gen_rotri_i64(res, t0, c);
        } else {
            TCGv_i32 r32 = tcg_temp_new_i32();
            tcg_gen_extrl_i64_i32(r32, t0);
            if (op == 0)
                tcg_gen_rotli_i32(r32, r32, c);
            else
                tcg_gen_rotri_i32(r32, r32, c);
            tcg_gen_extu_i32_i64(res, r32);
        }
        if (addr.n >= 0)
            gen_op_st(s, ot, res, addr);
        else
            gen_op_mov_reg_v(s, ot, s->d.rm, res);
        tcg_gen_shri_i64(hi, res, bits - 1);
        if (op == 0) {
            tcg_gen_andi_i64(cf, res, 1);
            tcg_gen_xor_i64(of, hi, cf);
        } else {
            tcg_gen_andi_i64(cf, hi, 1);
            tcg_gen_shri_i64(of, res, bits - 2);
            tcg_gen_xor_i64(of, of, hi);
        }
        tcg_gen_andi_i64(of, of, 1);
        tcg_gen_mov_i64(cpu_cc_dst, cf);
        tcg_gen_mov_i64(cpu_cc_src2, of);
        set_cc_op(s, CC_OP_ADCOX);
        return;
    }
    if (op >= 0 && op <= 3) {
        /* ROL ROR RCL RCR: a helper on materialised flags (CF/OF only change). */
        TCGv_i64 cnt = tmp();
        if (is_const)
            tcg_gen_movi_i64(cnt, cval);
        else
            tcg_gen_mov_i64(cnt, count);
        gen_compute_eflags(s);
        gen_update_cc_op(s);
        tcg_gen_call4(&hi_helper_tr_rotate, tcg_ref(res), tcg_env, t0, cnt,
                      tcg_constant_i32(op | (ot << 4)));
        if (addr.n >= 0)
            gen_op_st(s, ot, res, addr);
        else
            gen_op_mov_reg_v(s, ot, s->d.rm, res);
        s->cc_op = CC_OP_EFLAGS;
        s->cc_op_dirty = false;
        return;
    }
    uint32_t ccop = (op == 4 || op == 6) ? CC_OP_SHLB + ot : CC_OP_SARB + ot;
    if (is_const) {
        int c = cval & mask;
        if (c == 0) {
            /* Nothing changes, but a 32-bit register destination is still written: its upper
             * half is cleared in 64-bit mode. */
            if (addr.n < 0 && ot == MO_32)
                gen_op_mov_reg_v(s, ot, s->d.rm, t0);
            return;
        }
        if (op == 4 || op == 6) {
            tcg_gen_shli_i64(res, t0, c);
            tcg_gen_shli_i64(part, t0, c - 1);
        } else if (op == 5) {
            tcg_gen_shri_i64(res, t0, c);
            tcg_gen_shri_i64(part, t0, c - 1);
        } else {
            tcg_gen_sari_i64(res, t0, c);
            tcg_gen_sari_i64(part, t0, c - 1);
        }
        gen_ext(ot, res, res, false);
        if (addr.n >= 0)
            gen_op_st(s, ot, res, addr);
        else
            gen_op_mov_reg_v(s, ot, s->d.rm, res);
        tcg_gen_mov_i64(cpu_cc_dst, res);
        tcg_gen_mov_i64(cpu_cc_src, part);
        set_cc_op(s, ccop);
        return;
    }
    /* A count of zero changes nothing, flags included: branch around, cc_op becomes dynamic. */
    TCGv_i64 cnt = tmp(), cm1 = tmp();
    TCGLabel *skip = gen_new_label();
    tcg_gen_andi_i64(cnt, count, mask);
    gen_update_cc_op(s);
    tcg_gen_brcondi_i64(TCG_COND_EQ, cnt, 0, skip);
    tcg_gen_subi_i64(cm1, cnt, 1);
    if (op == 4 || op == 6) {
        tcg_gen_shl_i64(res, t0, cnt);
        tcg_gen_shl_i64(part, t0, cm1);
    } else if (op == 5) {
        tcg_gen_shr_i64(res, t0, cnt);
        tcg_gen_shr_i64(part, t0, cm1);
    } else {
        tcg_gen_sar_i64(res, t0, cnt);
        tcg_gen_sar_i64(part, t0, cm1);
    }
    gen_ext(ot, res, res, false);
    if (addr.n >= 0)
        gen_op_st(s, ot, res, addr);
    else
        gen_op_mov_reg_v(s, ot, s->d.rm, res);
    tcg_gen_mov_i64(cpu_cc_dst, res);
    tcg_gen_mov_i64(cpu_cc_src, part);
    tcg_gen_st_i32(tcg_constant_i32(ccop), tcg_env, offsetof(X86CPUState, cc_op));
    gen_set_label(skip);
    if (addr.n < 0 && ot == MO_32)
        tcg_gen_ext32u_i64(cpu_regs[s->d.rm], cpu_regs[s->d.rm]);
    s->cc_op = X86_CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
}

static void gen_mul_group(DisasContext *s, int op, int ot)
{
    TCGv_i64 src = tmp(), a = tmp(), lo = tmp(), hi = tmp();
    gen_ld_modrm(s, ot, src, NULL);
    bool sign = op == 5;
    if (op == 6 || op == 7) {
        static const TCGHelperInfo *const divs[2][4] = {
            { &hi_helper_tr_divb, &hi_helper_tr_divw, &hi_helper_tr_divl, &hi_helper_tr_divq },
            { &hi_helper_tr_idivb, &hi_helper_tr_idivw, &hi_helper_tr_idivl, &hi_helper_tr_idivq },
        };
        gen_sync_state(s);
        tcg_gen_call2(divs[op == 7][ot], TCG_NORET, tcg_env, src);
        return;
    }
    if (ot == MO_64) {
        if (sign) {
            tcg_gen_muls2_i64(lo, hi, cpu_regs[R_EAX], src);
            tcg_gen_mov_i64(cpu_regs[R_EAX], lo);
            tcg_gen_mov_i64(cpu_regs[R_EDX], hi);
            tcg_gen_sari_i64(a, lo, 63);
            tcg_gen_sub_i64(cpu_cc_src, hi, a);
        } else {
            tcg_gen_mulu2_i64(lo, hi, cpu_regs[R_EAX], src);
            tcg_gen_mov_i64(cpu_regs[R_EAX], lo);
            tcg_gen_mov_i64(cpu_regs[R_EDX], hi);
            tcg_gen_mov_i64(cpu_cc_src, hi);
        }
        tcg_gen_mov_i64(cpu_cc_dst, lo);
        set_cc_op(s, CC_OP_MULQ);
        return;
    }
    int bits = 8 << ot;
    gen_op_mov_v_reg(s, ot, a, R_EAX);
    if (sign) {
        gen_ext(ot, a, a, true);
        gen_ext(ot, src, src, true);
    }
    tcg_gen_mul_i64(lo, a, src);                 /* exact: both factors fit in 32 bits */
    if (ot == MO_8) {
        gen_op_mov_reg_v(s, MO_16, R_EAX, lo);
    } else {
        TCGv_i64 h = tmp();
        tcg_gen_shri_i64(h, lo, bits);
        gen_op_mov_reg_v(s, ot, R_EAX, lo);
        gen_op_mov_reg_v(s, ot, R_EDX, h);
    }
    if (sign) {
        gen_ext(ot, a, lo, true);
        tcg_gen_sub_i64(cpu_cc_src, lo, a);
    } else {
        tcg_gen_shri_i64(cpu_cc_src, lo, bits);
    }
    gen_ext(ot, cpu_cc_dst, lo, false);
    set_cc_op(s, CC_OP_MULB + ot);
}

/* IMUL Gv, Ev[, imm]: truncated product, CF = OF = it did not fit. */
static void gen_imul3(DisasContext *s, int ot, TCGv_i64 b)
{
    TCGv_i64 a = tmp(), lo = tmp(), hi = tmp(), t = tmp();
    gen_ld_modrm(s, ot, a, NULL);
    if (ot == MO_64) {
        tcg_gen_muls2_i64(lo, hi, a, b);
        tcg_gen_sari_i64(t, lo, 63);
        tcg_gen_sub_i64(cpu_cc_src, hi, t);
    } else {
        gen_ext(ot, a, a, true);
        gen_ext(ot, t, b, true);
        tcg_gen_mul_i64(lo, a, t);
        gen_ext(ot, t, lo, true);
        tcg_gen_sub_i64(cpu_cc_src, lo, t);
    }
    gen_op_mov_reg_v(s, ot, s->d.reg, lo);
    gen_ext(ot, cpu_cc_dst, lo, false);
    set_cc_op(s, CC_OP_MULB + ot);
}

/* ---------------------------------------------------------------- strings */

enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };

static void gen_addr_reg_update(DisasContext *s, int reg, TCGv_i64 delta)
{
    TCGv_i64 t = tmp();
    tcg_gen_add_i64(t, cpu_regs[reg], delta);
    gen_op_mov_reg_v(s, s->aflag, reg, t);
}

static TCGv_i64 gen_string_addr(DisasContext *s, int reg, int seg, bool override_ok)
{
    TCGv_i64 a = tmp();
    gen_ext(s->aflag, a, cpu_regs[reg], false);
    if (s->code64) {
        if (override_ok && (s->d.seg == R_FS || s->d.seg == R_GS))
            tcg_gen_add_i64(a, a, cpu_seg_base[s->d.seg]);
        return a;
    }
    if (override_ok && s->d.seg >= 0)
        seg = s->d.seg;
    tcg_gen_add_i64(a, a, cpu_seg_base[seg]);
    tcg_gen_ext32u_i64(a, a);
    return a;
}

static void gen_string(DisasContext *s, int kind, int ot)
{
    bool rep = s->d.prefixes & (X86_PFX_REP | X86_PFX_REPNE);
    bool repz = s->d.last_rep == 0xf3;
    TCGLabel *l_done = NULL;
    TCGv_i64 delta = tmp(), t0 = tmp(), t1 = tmp();

    if (rep) {
        TCGv_i64 c = tmp();
        l_done = gen_new_label();
        gen_update_cc_op(s);
        gen_ext(s->aflag, c, cpu_regs[R_ECX], false);
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, l_done);
    }
    if (kind == STR_INS || kind == STR_OUTS)
        gen_sync_state(s);
    tcg_gen_ld32s_i64(delta, tcg_env, offsetof(X86CPUState, df));
    tcg_gen_shli_i64(delta, delta, ot);
    switch (kind) {
    case STR_MOVS:
        gen_op_ld(s, ot, t0, gen_string_addr(s, R_ESI, R_DS, true));
        gen_op_st(s, ot, t0, gen_string_addr(s, R_EDI, R_ES, false));
        gen_addr_reg_update(s, R_ESI, delta);
        gen_addr_reg_update(s, R_EDI, delta);
        break;
    case STR_STOS:
        gen_op_mov_v_reg(s, ot, t0, R_EAX);
        gen_op_st(s, ot, t0, gen_string_addr(s, R_EDI, R_ES, false));
        gen_addr_reg_update(s, R_EDI, delta);
        break;
    case STR_LODS:
        gen_op_ld(s, ot, t0, gen_string_addr(s, R_ESI, R_DS, true));
        gen_op_mov_reg_v(s, ot, R_EAX, t0);
        gen_addr_reg_update(s, R_ESI, delta);
        break;
    case STR_CMPS:
    case STR_SCAS:
        if (kind == STR_CMPS)
            gen_op_ld(s, ot, t0, gen_string_addr(s, R_ESI, R_DS, true));
        else
            gen_op_mov_v_reg(s, ot, t0, R_EAX);
        gen_op_ld(s, ot, t1, gen_string_addr(s, R_EDI, R_ES, false));
        if (kind == STR_CMPS)
            gen_addr_reg_update(s, R_ESI, delta);
        gen_addr_reg_update(s, R_EDI, delta);
        tcg_gen_sub_i64(cpu_cc_dst, t0, t1);
        gen_ext(ot, cpu_cc_dst, cpu_cc_dst, false);
        tcg_gen_mov_i64(cpu_cc_src, t1);
        set_cc_op(s, CC_OP_SUBB + ot);
        break;
    case STR_INS: {
        TCGv_i32 port = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(port, cpu_regs[R_EDX]);
        tcg_gen_andi_i32(port, port, 0xffff);
        tcg_gen_call3(&hi_helper_tr_in, tcg_ref(t0), tcg_env, port, tcg_constant_i32(1 << ot));
        gen_op_st(s, ot, t0, gen_string_addr(s, R_EDI, R_ES, false));
        gen_addr_reg_update(s, R_EDI, delta);
        break;
    }
    case STR_OUTS: {
        TCGv_i32 port = tcg_temp_new_i32();
        gen_op_ld(s, ot, t0, gen_string_addr(s, R_ESI, R_DS, true));
        tcg_gen_extrl_i64_i32(port, cpu_regs[R_EDX]);
        tcg_gen_andi_i32(port, port, 0xffff);
        tcg_gen_call4(&hi_helper_tr_out, TCG_NORET, tcg_env, port, t0, tcg_constant_i32(1 << ot));
        gen_addr_reg_update(s, R_ESI, delta);
        break;
    }
    }
    if (!rep)
        return;
    /* One iteration per pass; the block jumps back to this instruction (SDM 2, REP: interrupts
     * may be taken between iterations, with rCX/rSI/rDI up to date). */
    TCGv_i64 c = tmp();
    tcg_gen_subi_i64(c, cpu_regs[R_ECX], 1);
    gen_op_mov_reg_v(s, s->aflag, R_ECX, c);
    gen_update_cc_op(s);
    if (kind == STR_CMPS || kind == STR_SCAS)
        tcg_gen_brcondi_i64(repz ? TCG_COND_NE : TCG_COND_EQ, cpu_cc_dst, 0, l_done);
    gen_jmp_tb(s, s->eip, 1);
    gen_set_label(l_done);
    s->cc_op = X86_CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
    gen_jmp_tb(s, s->next_eip, 0);
}

/* ---------------------------------------------------------------- segments and far transfers */

static bool real_mode_segs(DisasContext *s)
{
    return !s->pe || s->vm86;
}

/* Load segment register seg from the 16-bit selector in sel. Protected mode: the descriptor checks of seg_helper.c. */
static bool gen_load_seg(DisasContext *s, int seg, TCGv_i64 sel)
{
    if (real_mode_segs(s)) {
        TCGv_i64 t = tmp();
        tcg_gen_andi_i64(t, sel, 0xffff);
        tcg_gen_st16_i64(t, tcg_env, offsetof(X86CPUState, segs[seg].selector));
        tcg_gen_shli_i64(cpu_seg_base[seg], t, 4);
        return true;
    }
    TCGv_i32 sel32 = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(sel32, sel);
    gen_sync_state(s);
    tcg_gen_call3(&hi_helper_load_seg, TCG_NORET, tcg_env, tcg_constant_i32(seg), sel32);
    return true;
}

static void gen_far_jmp(DisasContext *s, TCGv_i64 sel, TCGv_i64 off, bool call, int ot)
{
    if (real_mode_segs(s) && !s->vm86) {
        if (call) {
            TCGv_i64 cs = tmp();
            tcg_gen_ld16u_i64(cs, tcg_env, offsetof(X86CPUState, segs[R_CS].selector));
            gen_push(s, ot, cs);
            gen_push(s, ot, const64(s->next_eip));
        }
        gen_load_seg(s, R_CS, sel);
        TCGv_i64 t = tmp();
        tcg_gen_andi_i64(t, off, eip_mask(s, ot));
        gen_jmp_reg(s, t);
        return;
    }
    const TCGHelperInfo *hi = call ? &hi_helper_lcall : &hi_helper_ljmp;
    TCGv_i32 sel32 = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(sel32, sel);
    gen_sync_state(s);
    if (call)
        tcg_gen_call5(hi, TCG_NORET, tcg_env, sel32, off, tcg_constant_i32(ot == MO_16 ? 0 : ot == MO_32 ? 1 : 2),
                      const64(s->next_eip));
    else
        tcg_gen_call4(hi, TCG_NORET, tcg_env, sel32, off, const64(s->next_eip));
    exit_after_helper(s);
}

static void gen_far_ret(DisasContext *s, int ot, int addend, bool iret)
{
    if (!s->pe) {
        TCGv_i64 ip = tmp(), cs = tmp(), fl = tmp();
        int size = 1 << ot;
        gen_op_ld(s, ot, ip, gen_stack_addr(s, 0));
        gen_op_ld(s, ot, cs, gen_stack_addr(s, size));
        if (iret) {
            gen_op_ld(s, ot, fl, gen_stack_addr(s, 2 * size));
            gen_sync_state(s);
            tcg_gen_call3(&hi_helper_tr_write_eflags, TCG_NORET, tcg_env, fl, tcg_constant_i32(ot | 0x100));
            s->cc_op = CC_OP_EFLAGS;
            s->cc_op_dirty = false;
        }
        gen_stack_update(s, (iret ? 3 : 2) * size + addend);
        gen_load_seg(s, R_CS, cs);
        if (iret) {
            /* IF may have been set: back to the loop, which takes a pending interrupt. */
            tcg_gen_st_i64(ip, tcg_env, offsetof(X86CPUState, rip));
            exit_after_helper(s);
        } else {
            gen_jmp_reg(s, ip);
        }
        return;
    }
    const TCGHelperInfo *hi = iret ? &hi_helper_iret : &hi_helper_lret;
    gen_sync_state(s);
    int shift = ot == MO_16 ? 0 : ot == MO_32 ? 1 : 2;
    if (iret)
        tcg_gen_call3(hi, TCG_NORET, tcg_env, tcg_constant_i32(shift), const64(s->next_eip));
    else
        tcg_gen_call3(hi, TCG_NORET, tcg_env, tcg_constant_i32(shift), tcg_constant_i32(addend));
    exit_after_helper(s);
}

/* ---------------------------------------------------------------- control */

static void gen_jcc_to(DisasContext *s, int b, uint64_t target)
{
    TCGLabel *taken = gen_new_label();
    gen_update_cc_op(s);
    gen_jcc(s, b, taken);
    gen_jmp_tb(s, s->next_eip, 0);
    gen_set_label(taken);
    gen_jmp_tb(s, target, 1);
}

static uint64_t rel_target(DisasContext *s)
{
    int ot = s->code64 ? MO_64 : s->ot;
    return (s->next_eip + x86_insn_simm(&s->d)) & eip_mask(s, ot);
}

static void gen_loop(DisasContext *s, int b)
{
    TCGv_i64 c = tmp(), z = tmp();
    TCGLabel *taken = gen_new_label();
    uint64_t target = rel_target(s);
    gen_update_cc_op(s);
    if (b == 0xe3) {
        gen_ext(s->aflag, c, cpu_regs[R_ECX], false);
        tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, taken);
    } else {
        TCGLabel *not_taken = gen_new_label();
        tcg_gen_subi_i64(c, cpu_regs[R_ECX], 1);
        gen_op_mov_reg_v(s, s->aflag, R_ECX, c);
        gen_ext(s->aflag, c, c, false);
        if (b == 0xe2) {
            tcg_gen_brcondi_i64(TCG_COND_NE, c, 0, taken);
        } else {
            tcg_gen_brcondi_i64(TCG_COND_EQ, c, 0, not_taken);
            gen_setcc(s, 4, z);                  /* ZF */
            tcg_gen_brcondi_i64(b == 0xe1 ? TCG_COND_NE : TCG_COND_EQ, z, 0, taken);
        }
        gen_set_label(not_taken);
    }
    gen_jmp_tb(s, s->next_eip, 0);
    gen_set_label(taken);
    gen_jmp_tb(s, target, 1);
}

static void gen_io_port(DisasContext *s, bool in, int ot, TCGv_i32 port)
{
    TCGv_i64 v = tmp();
    gen_sync_state(s);
    if (in) {
        tcg_gen_call3(&hi_helper_tr_in, tcg_ref(v), tcg_env, port, tcg_constant_i32(1 << ot));
        gen_op_mov_reg_v(s, ot, R_EAX, v);
    } else {
        gen_op_mov_v_reg(s, ot, v, R_EAX);
        tcg_gen_call4(&hi_helper_tr_out, TCG_NORET, tcg_env, port, v, tcg_constant_i32(1 << ot));
    }
}

static void gen_set_eflags_bit(DisasContext *s, uint32_t bit, int how /* 0 clear 1 set 2 flip */)
{
    gen_compute_eflags(s);
    if (how == 0)
        tcg_gen_andi_i64(cpu_cc_src, cpu_cc_src, ~(uint64_t)bit);
    else if (how == 1)
        tcg_gen_ori_i64(cpu_cc_src, cpu_cc_src, bit);
    else
        tcg_gen_xori_i64(cpu_cc_src, cpu_cc_src, bit);
}

static bool check_cpl0(DisasContext *s)
{
    if (s->cpl != 0) {
        gen_exception_err(s, EXCP_GP, 0);
        return false;
    }
    return true;
}

static void gen_bcd(DisasContext *s, const TCGHelperInfo *hi, int imm, bool has_imm)
{
    gen_compute_eflags(s);
    gen_update_cc_op(s);
    gen_sync_state(s);
    if (has_imm)
        tcg_gen_call2(hi, TCG_NORET, tcg_env, tcg_constant_i32(imm));
    else
        tcg_gen_call1(hi, TCG_NORET, tcg_env);
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

/* ---------------------------------------------------------------- bit instructions */

/* BT/BTS/BTR/BTC (op 0..3) with the bit offset in off (register form: any value). */
static void gen_bt(DisasContext *s, int op, int ot, TCGv_i64 off, bool imm)
{
    int bits = 8 << ot;
    TCGv_i64 t0 = tmp(), bit = tmp(), mask = tmp(), addr = { -1 };
    if (s->d.mod == 3) {
        gen_op_mov_v_reg(s, ot, t0, s->d.rm);
    } else {
        addr = gen_lea_modrm(s);
        if (!imm) {
            /* SDM 2, BT: a register offset addresses a bit string (signed displacement). */
            TCGv_i64 disp = tmp();
            gen_ext(ot, disp, off, true);
            tcg_gen_sari_i64(disp, disp, 3 + ot);
            tcg_gen_shli_i64(disp, disp, ot);
            tcg_gen_add_i64(addr, addr, disp);
            if (s->aflag == MO_16)
                tcg_gen_ext16u_i64(addr, addr);
            else if (s->aflag == MO_32)
                tcg_gen_ext32u_i64(addr, addr);
        }
        gen_add_seg(s, addr, gen_default_seg(s), false);
        gen_op_ld(s, ot, t0, addr);
    }
    tcg_gen_andi_i64(bit, off, bits - 1);
    TCGv_i64 one = tmp();
    tcg_gen_movi_i64(one, 1);
    tcg_gen_shl_i64(mask, one, bit);
    TCGv_i64 cf = tmp();
    tcg_gen_shr_i64(cf, t0, bit);
    tcg_gen_andi_i64(cf, cf, 1);
    if (op) {
        if (op == 1)
            tcg_gen_or_i64(t0, t0, mask);
        else if (op == 2)
            tcg_gen_andc_i64(t0, t0, mask);
        else
            tcg_gen_xor_i64(t0, t0, mask);
        if (addr.n >= 0)
            gen_op_st(s, ot, t0, addr);
        else
            gen_op_mov_reg_v(s, ot, s->d.rm, t0);
    }
    /* CF = the bit; ZF unchanged; OF SF AF PF undefined (kept). */
    gen_compute_eflags(s);
    tcg_gen_andi_i64(cpu_cc_src, cpu_cc_src, ~(uint64_t)EFLAGS_CF);
    tcg_gen_or_i64(cpu_cc_src, cpu_cc_src, cf);
}

static void gen_bitscan(DisasContext *s, int ot, bool reverse, bool count_form)
{
    int bits = 8 << ot;
    TCGv_i64 src = tmp(), res = tmp(), old = tmp();
    gen_ld_modrm(s, ot, src, NULL);
    if (count_form) {
        /* TZCNT/LZCNT: result is the width for zero; CF = (src == 0), ZF = (result == 0). */
        if (reverse) {
            TCGv_i64 w = tmp();
            tcg_gen_movi_i64(w, 64);
            tcg_gen_clz_i64(res, src, w);
            tcg_gen_subi_i64(res, res, 64 - bits);
        } else {
            tcg_gen_ctz_i64(res, src, const64(bits));
        }
        gen_op_mov_reg_v(s, ot, s->d.reg, res);
        TCGv_i64 cf = tmp(), zf = tmp();
        tcg_gen_setcondi_i64(TCG_COND_EQ, cf, src, 0);
        tcg_gen_setcondi_i64(TCG_COND_EQ, zf, res, 0);
        tcg_gen_shli_i64(zf, zf, 6);
        tcg_gen_or_i64(cpu_cc_src, cf, zf);
        set_cc_op(s, CC_OP_EFLAGS);
        return;
    }
    /* BSF/BSR: destination unchanged for a zero source (what CPUs do), ZF = (src == 0). */
    gen_op_mov_v_reg(s, ot, old, s->d.reg);
    if (reverse) {
        TCGv_i64 c = tmp();
        tcg_gen_clz_i64(c, src, const64(64));
        tcg_gen_subfi_i64(c, 63, c);
        tcg_gen_movcond_i64(TCG_COND_EQ, res, src, const64(0), old, c);
    } else {
        tcg_gen_ctz_i64(res, src, old);
    }
    if (ot == MO_32) {
        /* A zero source leaves the whole 64-bit register alone (no zero-extension). */
        TCGv_i64 z = tmp();
        tcg_gen_ext32u_i64(z, res);
        tcg_gen_movcond_i64(TCG_COND_EQ, cpu_regs[s->d.reg], src, const64(0), cpu_regs[s->d.reg], z);
    } else {
        gen_op_mov_reg_v(s, ot, s->d.reg, res);
    }
    tcg_gen_mov_i64(cpu_cc_dst, src);
    set_cc_op(s, CC_OP_LOGICB + ot);
}

#include "cpu/x86/translate-1b.c.inc"
#include "cpu/x86/translate-0f.c.inc"

void disas_insn(DisasContext *s)
{
    if (s->d.prefixes & (X86_PFX_VEX | X86_PFX_EVEX)) {
        gen_vex_insn(s);
        return;
    }
    switch (s->d.map) {
    case X86_MAP_1B:
        disas_1byte(s);
        break;
    case X86_MAP_0F:
        disas_0f(s);
        break;
    default:
        disas_0f38_3a(s);
        break;
    }
}
