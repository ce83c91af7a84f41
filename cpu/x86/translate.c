/* translate.c: x86 translator core — block loop, operand and address generation, lazy flags,
 * conditions and block exits. The instructions themselves are in translate-ops.c.
 *
 * Lazy flags: the translator knows statically which operation last set the flags (s->cc_op)
 * and stores it to env->cc_op only when something may read it (helpers, block ends, faults:
 * the insn_start words carry it so a fault restores it). Conditions after CMP/SUB and logic
 * ops are computed directly from cc_dst/cc_src without materialising EFLAGS.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/translate.h"

TCGv_i64 cpu_regs[16];
uint64_t x86_tr_bps[X86_TR_MAX_BPS];
int x86_tr_nbps;
TCGv_i64 cpu_cc_dst, cpu_cc_src, cpu_cc_src2;
TCGv_i64 cpu_seg_base[X86_NSEGS];

static const TCGHelperInfo hi_cc_compute_all =
    TCG_HELPER(x86_cc_compute_all, TCG_CALL_PURE, TCG_TYPE_I32, TCG_TYPE_I32, TCG_TYPE_I64,
               TCG_TYPE_I64, TCG_TYPE_I64);
static const TCGHelperInfo hi_cc_compute_c =
    TCG_HELPER(x86_cc_compute_c_all, TCG_CALL_PURE, TCG_TYPE_I32, TCG_TYPE_I32, TCG_TYPE_I64,
               TCG_TYPE_I64, TCG_TYPE_I64);
static const TCGHelperInfo hi_raise =
    TCG_HELPER(helper_tr_raise, TCG_CALL_NO_WRITE_GLOBALS, TCG_TYPE_VOID, TCG_TYPE_PTR, TCG_TYPE_I32);
static const TCGHelperInfo hi_raise_err =
    TCG_HELPER(helper_tr_raise_err, TCG_CALL_NO_WRITE_GLOBALS, TCG_TYPE_VOID, TCG_TYPE_PTR,
               TCG_TYPE_I32, TCG_TYPE_I32);
static const TCGHelperInfo hi_unimpl =
    TCG_HELPER(helper_tr_unimplemented, TCG_CALL_NO_WRITE_GLOBALS, TCG_TYPE_VOID, TCG_TYPE_PTR,
               TCG_TYPE_I64, TCG_TYPE_I32);
static const TCGHelperInfo hi_fetch_fault =
    TCG_HELPER(helper_tr_fetch_fault, TCG_CALL_NO_WRITE_GLOBALS, TCG_TYPE_VOID, TCG_TYPE_PTR,
               TCG_TYPE_I64);

void x86_translate_init(void)
{
    static const char *const names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                           "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    static const char *const seg_names[X86_NSEGS] = { "es_base", "cs_base", "ss_base", "ds_base",
                                                      "fs_base", "gs_base" };
    for (int i = 0; i < 16; i++)
        cpu_regs[i] = tcg_global_mem_new_i64(offsetof(X86CPUState, regs[i]), names[i]);
    cpu_cc_dst = tcg_global_mem_new_i64(offsetof(X86CPUState, cc_dst), "cc_dst");
    cpu_cc_src = tcg_global_mem_new_i64(offsetof(X86CPUState, cc_src), "cc_src");
    cpu_cc_src2 = tcg_global_mem_new_i64(offsetof(X86CPUState, cc_src2), "cc_src2");
    for (int i = 0; i < X86_NSEGS; i++)
        cpu_seg_base[i] = tcg_global_mem_new_i64(offsetof(X86CPUState, segs[i].base), seg_names[i]);
}

/* ---------------------------------------------------------------- flags */

void set_cc_op(DisasContext *s, uint32_t op)
{
    if (s->cc_op == op)
        return;
    s->cc_op = op;
    s->cc_op_dirty = true;
}

void gen_update_cc_op(DisasContext *s)
{
    if (s->cc_op_dirty && s->cc_op != X86_CC_OP_DYNAMIC) {
        tcg_gen_st_i32(tcg_constant_i32(s->cc_op), tcg_env, offsetof(X86CPUState, cc_op));
        s->cc_op_dirty = false;
    }
}

void gen_sync_state(DisasContext *s)
{
    gen_update_cc_op(s);
    tcg_gen_st_i64(tcg_constant_i64(s->eip), tcg_env, offsetof(X86CPUState, rip));
}

static TCGv_i32 cc_op_value(DisasContext *s)
{
    if (s->cc_op != X86_CC_OP_DYNAMIC)
        return tcg_constant_i32(s->cc_op);
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_ld_i32(t, tcg_env, offsetof(X86CPUState, cc_op));
    return t;
}

static int cc_size(uint32_t op)
{
    return (op - CC_OP_MULB) & 3;
}

void gen_compute_eflags(DisasContext *s)
{
    if (s->cc_op == CC_OP_EFLAGS)
        return;
    if (s->cc_op >= CC_OP_LOGICB && s->cc_op <= CC_OP_LOGICQ) {
        /* After a logic op only ZF, SF and PF can be set: cheap enough to do inline. */
        TCGv_i64 r = tcg_temp_new_i64(), t = tcg_temp_new_i64(), f = tcg_temp_new_i64();
        gen_ext(cc_size(s->cc_op), r, cpu_cc_dst, true);
        tcg_gen_setcondi_i64(TCG_COND_EQ, f, r, 0);
        tcg_gen_shli_i64(f, f, 6);
        tcg_gen_setcondi_i64(TCG_COND_LT, t, r, 0);
        tcg_gen_shli_i64(t, t, 7);
        tcg_gen_or_i64(f, f, t);
        tcg_gen_andi_i64(t, r, 0xff);
        tcg_gen_ctpop_i64(t, t);
        tcg_gen_andi_i64(t, t, 1);
        tcg_gen_xori_i64(t, t, 1);
        tcg_gen_shli_i64(t, t, 2);
        tcg_gen_or_i64(cpu_cc_src, f, t);
        set_cc_op(s, CC_OP_EFLAGS);
        return;
    }
    TCGv_i32 f = tcg_temp_new_i32();
    tcg_gen_call4(&hi_cc_compute_all, tcg_ref(f), cc_op_value(s), cpu_cc_dst, cpu_cc_src, cpu_cc_src2);
    tcg_gen_extu_i32_i64(cpu_cc_src, f);
    set_cc_op(s, CC_OP_EFLAGS);
}

void gen_ext(int ot, TCGv_i64 ret, TCGv_i64 a, bool sign)
{
    switch (ot) {
    case MO_8: sign ? tcg_gen_ext8s_i64(ret, a) : tcg_gen_ext8u_i64(ret, a); break;
    case MO_16: sign ? tcg_gen_ext16s_i64(ret, a) : tcg_gen_ext16u_i64(ret, a); break;
    case MO_32: sign ? tcg_gen_ext32s_i64(ret, a) : tcg_gen_ext32u_i64(ret, a); break;
    default: tcg_gen_mov_i64(ret, a); break;
    }
}

void gen_compute_eflags_c(DisasContext *s, TCGv_i64 reg)
{
    uint32_t op = s->cc_op;
    if (op >= CC_OP_SUBB && op <= CC_OP_SUBQ) {
        /* CF = src1 <u src2 with src1 = dst + src */
        int sz = cc_size(op);
        TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64();
        tcg_gen_add_i64(a, cpu_cc_dst, cpu_cc_src);
        gen_ext(sz, a, a, false);
        gen_ext(sz, b, cpu_cc_src, false);
        tcg_gen_setcond_i64(TCG_COND_LTU, reg, a, b);
        return;
    }
    if (op >= CC_OP_ADDB && op <= CC_OP_ADDQ) {
        int sz = cc_size(op);
        TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64();
        gen_ext(sz, a, cpu_cc_dst, false);
        gen_ext(sz, b, cpu_cc_src, false);
        tcg_gen_setcond_i64(TCG_COND_LTU, reg, a, b);
        return;
    }
    if ((op >= CC_OP_LOGICB && op <= CC_OP_LOGICQ) || op == CC_OP_CLR || op == CC_OP_POPCNT) {
        tcg_gen_movi_i64(reg, 0);
        return;
    }
    if (op >= CC_OP_INCB && op <= CC_OP_DECQ) {
        tcg_gen_mov_i64(reg, cpu_cc_src);
        return;
    }
    if (op == CC_OP_EFLAGS) {
        tcg_gen_andi_i64(reg, cpu_cc_src, 1);
        return;
    }
    TCGv_i32 c = tcg_temp_new_i32();
    tcg_gen_call4(&hi_cc_compute_c, tcg_ref(c), cc_op_value(s), cpu_cc_dst, cpu_cc_src, cpu_cc_src2);
    tcg_gen_extu_i32_i64(reg, c);
}

/* Jcc/SETcc/CMOVcc condition b (low 4 bits of the opcode): reg = 1 if it holds. */
void gen_setcc(DisasContext *s, int b, TCGv_i64 reg)
{
    int jcc = (b >> 1) & 7;
    bool inv = b & 1;
    uint32_t op = s->cc_op;
    TCGCond cond = TCG_COND_NEVER;
    TCGv_i64 a = tcg_temp_new_i64(), c = tcg_temp_new_i64();

    if (op >= CC_OP_SUBB && op <= CC_OP_SUBQ && jcc != 0 && jcc != 5) {
        int sz = cc_size(op);
        bool sign = jcc == 4 || jcc == 6 || jcc == 7;
        switch (jcc) {
        case 1: case 3: case 6: case 7:   /* B, BE, L, LE: compare src1 with src2 */
            tcg_gen_add_i64(a, cpu_cc_dst, cpu_cc_src);
            gen_ext(sz, a, a, sign);
            gen_ext(sz, c, cpu_cc_src, sign);
            cond = jcc == 1 ? TCG_COND_LTU : jcc == 3 ? TCG_COND_LEU : jcc == 6 ? TCG_COND_LT : TCG_COND_LE;
            break;
        case 2:                           /* Z */
            gen_ext(sz, a, cpu_cc_dst, false);
            tcg_gen_movi_i64(c, 0);
            cond = TCG_COND_EQ;
            break;
        case 4:                           /* S */
            gen_ext(sz, a, cpu_cc_dst, true);
            tcg_gen_movi_i64(c, 0);
            cond = TCG_COND_LT;
            break;
        }
        tcg_gen_setcond_i64(inv ? tcg_invert_cond(cond) : cond, reg, a, c);
        return;
    }
    if (op >= CC_OP_LOGICB && op <= CC_OP_LOGICQ && jcc != 5) {
        int sz = cc_size(op);
        gen_ext(sz, a, cpu_cc_dst, true);
        switch (jcc) {
        case 0: case 1:                   /* O, B: always clear */
            tcg_gen_movi_i64(reg, inv);
            return;
        case 2: case 3: cond = TCG_COND_EQ; break;     /* Z, BE (CF = 0) */
        case 4: case 6: cond = TCG_COND_LT; break;     /* S, L (OF = 0) */
        case 7: cond = TCG_COND_LE; break;             /* LE: ZF | SF */
        }
        tcg_gen_setcondi_i64(inv ? tcg_invert_cond(cond) : cond, reg, a, 0);
        return;
    }
    if ((jcc == 2 || jcc == 4) && op != X86_CC_OP_DYNAMIC &&
        ((op >= CC_OP_ADDB && op <= CC_OP_SARQ) || (op >= CC_OP_BMILGB && op <= CC_OP_BMILGQ))) {
        /* ZF and SF come from the result in cc_dst for every op that keeps one there. */
        int sz = cc_size(op);
        gen_ext(sz, a, cpu_cc_dst, jcc == 4);
        cond = jcc == 2 ? TCG_COND_EQ : TCG_COND_LT;
        tcg_gen_setcondi_i64(inv ? tcg_invert_cond(cond) : cond, reg, a, 0);
        return;
    }
    if (jcc == 1) {
        gen_compute_eflags_c(s, reg);
        if (inv)
            tcg_gen_xori_i64(reg, reg, 1);
        return;
    }
    /* General case: all the flags. */
    TCGv_i64 f = tcg_temp_new_i64();
    if (op == CC_OP_EFLAGS) {
        tcg_gen_mov_i64(f, cpu_cc_src);
    } else {
        TCGv_i32 f32 = tcg_temp_new_i32();
        tcg_gen_call4(&hi_cc_compute_all, tcg_ref(f32), cc_op_value(s), cpu_cc_dst, cpu_cc_src,
                      cpu_cc_src2);
        tcg_gen_extu_i32_i64(f, f32);
    }
    switch (jcc) {
    case 0: tcg_gen_extract_i64(reg, f, 11, 1); break;
    case 2: tcg_gen_extract_i64(reg, f, 6, 1); break;
    case 3:
        tcg_gen_andi_i64(reg, f, EFLAGS_CF | EFLAGS_ZF);
        tcg_gen_setcondi_i64(TCG_COND_NE, reg, reg, 0);
        break;
    case 4: tcg_gen_extract_i64(reg, f, 7, 1); break;
    case 5: tcg_gen_extract_i64(reg, f, 2, 1); break;
    case 6:
    case 7:
        tcg_gen_shri_i64(a, f, 4);                  /* OF (bit 11) down to bit 7 */
        tcg_gen_xor_i64(a, a, f);
        tcg_gen_extract_i64(reg, a, 7, 1);
        if (jcc == 7) {
            tcg_gen_extract_i64(c, f, 6, 1);
            tcg_gen_or_i64(reg, reg, c);
        }
        break;
    }
    if (inv)
        tcg_gen_xori_i64(reg, reg, 1);
}

void gen_jcc(DisasContext *s, int b, TCGLabel *l)
{
    TCGv_i64 t = tcg_temp_new_i64();
    gen_setcc(s, b, t);
    tcg_gen_brcondi_i64(TCG_COND_NE, t, 0, l);
}

/* ---------------------------------------------------------------- registers */

static bool byte_reg_is_high(DisasContext *s, int reg)
{
    return reg >= 4 && reg < 8 && !(s->d.prefixes & X86_PFX_REX);
}

void gen_op_mov_v_reg(DisasContext *s, int ot, TCGv_i64 t, int reg)
{
    if (ot == MO_8 && byte_reg_is_high(s, reg))
        tcg_gen_extract_i64(t, cpu_regs[reg - 4], 8, 8);
    else
        gen_ext(ot, t, cpu_regs[reg], false);
}

void gen_op_mov_reg_v(DisasContext *s, int ot, int reg, TCGv_i64 t)
{
    switch (ot) {
    case MO_8:
        if (byte_reg_is_high(s, reg))
            tcg_gen_deposit_i64(cpu_regs[reg - 4], cpu_regs[reg - 4], t, 8, 8);
        else
            tcg_gen_deposit_i64(cpu_regs[reg], cpu_regs[reg], t, 0, 8);
        break;
    case MO_16:
        tcg_gen_deposit_i64(cpu_regs[reg], cpu_regs[reg], t, 0, 16);
        break;
    case MO_32:
        /* SDM 1, 3.4.1.1: 32-bit results are zero-extended to 64 bits. */
        tcg_gen_ext32u_i64(cpu_regs[reg], t);
        break;
    default:
        tcg_gen_mov_i64(cpu_regs[reg], t);
        break;
    }
}

/* ---------------------------------------------------------------- addresses */

TCGv_i64 gen_lea_modrm(DisasContext *s)
{
    const X86Insn *d = &s->d;
    TCGv_i64 ea = tcg_temp_new_i64();
    if (d->rip_rel) {
        tcg_gen_movi_i64(ea, s->next_eip + d->disp);
    } else {
        tcg_gen_movi_i64(ea, d->disp);
        if (d->base >= 0)
            tcg_gen_add_i64(ea, ea, cpu_regs[d->base]);
        if (d->index >= 0) {
            TCGv_i64 t = tcg_temp_new_i64();
            tcg_gen_shli_i64(t, cpu_regs[d->index], d->scale);
            tcg_gen_add_i64(ea, ea, t);
        }
    }
    if (s->aflag == MO_16)
        tcg_gen_ext16u_i64(ea, ea);
    else if (s->aflag == MO_32)
        tcg_gen_ext32u_i64(ea, ea);
    return ea;
}

int gen_default_seg(DisasContext *s)
{
    const X86Insn *d = &s->d;
    if (d->seg >= 0)
        return d->seg;
    if (d->has_modrm && d->mod != 3 && (d->base == R_EBP || d->base == R_ESP))
        return R_SS;
    return R_DS;
}

void gen_add_seg(DisasContext *s, TCGv_i64 addr, int seg, bool override_ok)
{
    if (override_ok && s->d.seg >= 0)
        seg = s->d.seg;
    if (s->code64) {
        if (seg == R_FS || seg == R_GS)
            tcg_gen_add_i64(addr, addr, cpu_seg_base[seg]);
        return;
    }
    if (s->addseg || seg == R_FS || seg == R_GS || seg == R_CS) {
        tcg_gen_add_i64(addr, addr, cpu_seg_base[seg]);
        tcg_gen_ext32u_i64(addr, addr);
    }
}

TCGv_i64 gen_modrm_linear(DisasContext *s)
{
    TCGv_i64 ea = gen_lea_modrm(s);
    gen_add_seg(s, ea, gen_default_seg(s), false);
    return ea;
}

void gen_op_ld(DisasContext *s, int ot, TCGv_i64 val, TCGv_i64 addr)
{
    tcg_gen_guest_ld_i64(val, addr, s->mmu_idx, ot);
}

void gen_op_st(DisasContext *s, int ot, TCGv_i64 val, TCGv_i64 addr)
{
    tcg_gen_guest_st_i64(val, addr, s->mmu_idx, ot);
}

void gen_ld_modrm(DisasContext *s, int ot, TCGv_i64 val, TCGv_i64 *addr_out)
{
    if (s->d.mod == 3) {
        gen_op_mov_v_reg(s, ot, val, s->d.rm);
        if (addr_out)
            *addr_out = (TCGv_i64){ -1 };
        return;
    }
    TCGv_i64 a = gen_modrm_linear(s);
    gen_op_ld(s, ot, val, a);
    if (addr_out)
        *addr_out = a;
}

void gen_st_modrm(DisasContext *s, int ot, TCGv_i64 val, TCGv_i64 addr)
{
    if (s->d.mod == 3) {
        gen_op_mov_reg_v(s, ot, s->d.rm, val);
        return;
    }
    if (addr.n < 0)
        addr = gen_modrm_linear(s);
    gen_op_st(s, ot, val, addr);
}

/* ---------------------------------------------------------------- stack */

static int stack_ot(DisasContext *s)
{
    return s->code64 ? MO_64 : s->ss32 ? MO_32 : MO_16;
}

/* Linear address of SS:[rSP + offset] (wrapped to the stack width). */
TCGv_i64 gen_stack_addr(DisasContext *s, int64_t offset)
{
    TCGv_i64 a = tcg_temp_new_i64();
    tcg_gen_addi_i64(a, cpu_regs[R_ESP], offset);
    int sot = stack_ot(s);
    if (sot == MO_16)
        tcg_gen_ext16u_i64(a, a);
    else if (sot == MO_32)
        tcg_gen_ext32u_i64(a, a);
    if (!s->code64) {
        tcg_gen_add_i64(a, a, cpu_seg_base[R_SS]);
        tcg_gen_ext32u_i64(a, a);
    }
    return a;
}

void gen_stack_update(DisasContext *s, int64_t delta)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_addi_i64(t, cpu_regs[R_ESP], delta);
    gen_op_mov_reg_v(s, stack_ot(s), R_ESP, t);
}

void gen_push(DisasContext *s, int ot, TCGv_i64 val)
{
    int size = 1 << ot;
    TCGv_i64 a = gen_stack_addr(s, -size);
    gen_op_st(s, ot, val, a);
    gen_stack_update(s, -size);
}

void gen_pop_load(DisasContext *s, int ot, TCGv_i64 val)
{
    gen_op_ld(s, ot, val, gen_stack_addr(s, 0));
}

void gen_pop_update(DisasContext *s, int ot)
{
    gen_stack_update(s, 1 << ot);
}

/* ---------------------------------------------------------------- block exits */

uint64_t eip_mask(DisasContext *s, int ot)
{
    return ot == MO_16 ? 0xffff : ot == MO_32 ? 0xffffffffull : ~0ull;
}

static void gen_store_rip(uint64_t eip)
{
    tcg_gen_st_i64(tcg_constant_i64(eip), tcg_env, offsetof(X86CPUState, rip));
}

/* Leave the block after a jump, for the guest state in env (rip stored, cc_op up to date). The
 * next block is looked up without a trip through the execution loop, except where the loop must
 * look at the state between blocks: the instruction in an interrupt shadow ends it (the loop then
 * takes the interrupt that STI / MOV SS held back), and single-stepped blocks return after one
 * instruction. Under EFLAGS.TF the jump traps at its target (SDM 3A 17.3.1.4). */
static void gen_exit_lookup(DisasContext *s)
{
    if (s->flags & HF_TF)
        tcg_gen_call2(&hi_raise, TCG_NORET, tcg_env, tcg_constant_i32(EXCP_DB | 0x100));
    if ((s->tb->cflags & CF_NO_CHAIN) || (s->flags & (HF_INHIBIT_IRQ | HF_TF)))
        tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    else
        tcg_gen_lookup_and_goto_ptr();
    s->end = DISAS_JUMPED;
}

/* Jump to eip: chained through slot when the target is on the block's page (a chained jump never
 * looks at the interrupt shadow, see gen_exit_lookup), else looked up when it runs. */
void gen_jmp_tb(DisasContext *s, uint64_t eip, int slot)
{
    uint64_t pc = s->cs_base + eip;
    if (!s->code64)
        pc &= 0xffffffffull;
    gen_update_cc_op(s);
    if ((pc & ~0xfffull) == (s->tb->pc & ~0xfffull) && !(s->tb->cflags & CF_NO_CHAIN) &&
        !(s->flags & HF_INHIBIT_IRQ)) {
        tcg_gen_goto_tb(slot);
        gen_store_rip(eip);
        tcg_gen_exit_tb(s->tb, slot);
        s->end = DISAS_JUMPED;
    } else {
        gen_store_rip(eip);
        gen_exit_lookup(s);
    }
}

/* Returns, indirect jumps and calls, real-mode far transfers: the next block is looked up. */
void gen_jmp_reg(DisasContext *s, TCGv_i64 eip)
{
    gen_update_cc_op(s);
    tcg_gen_st_i64(eip, tcg_env, offsetof(X86CPUState, rip));
    gen_exit_lookup(s);
}

void gen_eob(DisasContext *s)
{
    gen_update_cc_op(s);
    gen_store_rip(s->next_eip);
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    s->end = DISAS_JUMPED;
}

void gen_exception(DisasContext *s, int vector)
{
    gen_sync_state(s);
    tcg_gen_call2(&hi_raise, TCG_NORET, tcg_env, tcg_constant_i32(vector));
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    s->end = DISAS_JUMPED;
}

void gen_exception_err(DisasContext *s, int vector, uint32_t err)
{
    gen_sync_state(s);
    tcg_gen_call3(&hi_raise_err, TCG_NORET, tcg_env, tcg_constant_i32(vector), tcg_constant_i32(err));
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    s->end = DISAS_JUMPED;
}

void gen_unimplemented(DisasContext *s, const char *what)
{
    uint64_t lo = 0;
    for (int i = 0; i < 8 && i < s->d.len; i++)
        lo |= (uint64_t)s->d.bytes[i] << (8 * i);
    qlog(LOG_UNIMP, "tcg: %s not implemented at %#" PRIx64 "\n", what, s->cs_base + s->eip);
    gen_sync_state(s);
    tcg_gen_call3(&hi_unimpl, TCG_NORET, tcg_env, tcg_constant_i64(lo), tcg_constant_i32(s->d.len));
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    s->end = DISAS_JUMPED;
}

/* ---------------------------------------------------------------- the block */

typedef struct FetchCtx {
    X86CPUState *env;
    TranslationBlock *tb;
    bool first;
} FetchCtx;

static bool tr_fetch(void *opaque, uint64_t pc, uint8_t *byte)
{
    FetchCtx *fc = opaque;
    uint64_t phys;
    if (!x86_tr_fetch_code(fc->env, pc, byte, &phys))
        return false;
    if ((pc & ~0xfffull) != (fc->tb->pc & ~0xfffull)) {
        /* The block reaches into a second page: it must be invalidated by writes there too. */
        if (fc->tb->page2_phys == ~0ull)
            fc->tb->page2_phys = phys & ~0xfffull;
        else if ((phys & ~0xfffull) != fc->tb->page2_phys)
            return false;
    }
    return true;
}

void x86_translate_tb(TranslationBlock *tb, void *opaque)
{
    X86CPU *cpu = opaque;
    DisasContext ctx = { 0 }, *s = &ctx;
    uint32_t f = tb->flags;
    unsigned max = tb->cflags & CF_COUNT_MASK;

    s->env = &cpu->env;
    s->tb = tb;
    s->cs_base = tb->cs_base;
    s->flags = f;
    s->code64 = f & HF_CS64;
    s->code_bits = s->code64 ? 64 : (f & HF_CS32) ? 32 : 16;
    s->ss32 = f & HF_SS32;
    s->addseg = f & HF_ADDSEG;
    s->pe = f & HF_PE;
    s->vm86 = f & HF_VM;
    s->cpl = f & HF_CPL_MASK;
    s->mmu_idx = x86_mmu_index_for(s->env, f);
    s->cc_op = X86_CC_OP_DYNAMIC;
    if (!max)
        max = TB_MAX_INSNS_DEFAULT;
    if (f & (HF_INHIBIT_IRQ | HF_TF | HF_DEBUG))
        max = 1;

    uint64_t eip = tb->pc - tb->cs_base;
    unsigned n = 0;
    FetchCtx fc = { s->env, tb, true };
    for (;;) {
        s->eip = eip;
        s->end = DISAS_NEXT;
        s->ss_loaded = false;
        if (n > 0 && x86_tr_nbps && x86_tr_is_bp(tb->cs_base + eip)) {
            /* A debugger breakpoint: end the block so the loop stops before it. */
            gen_update_cc_op(s);
            gen_store_rip(eip);
            tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
            break;
        }
        uint64_t saved_page2 = tb->page2_phys;
        X86DecodeResult r = x86_decode(&s->d, s->code_bits, tb->cs_base + eip, tr_fetch, &fc);
        if (r == X86_DEC_FETCH && n > 0) {
            /* The next instruction is not fetchable now: end the block before it; running it
             * will fault (or not) with exact state. */
            tb->page2_phys = saved_page2;
            gen_update_cc_op(s);
            gen_store_rip(eip);
            tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
            break;
        }
        tcg_gen_insn_start(eip, s->cc_op);
        n++;
        s->next_eip = (eip + s->d.len) & (s->code_bits == 64 ? ~0ull : s->code_bits == 32 ? 0xffffffffull : 0xffff);
        if (r == X86_DEC_FETCH) {
            gen_sync_state(s);
            tcg_gen_call2(&hi_fetch_fault, TCG_NORET, tcg_env, tcg_constant_i64(s->d.fault_pc));
            tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
            break;
        }
        if (r == X86_DEC_GP) {
            gen_exception_err(s, EXCP_GP, 0);
            break;
        }
        if (r == X86_DEC_UD) {
            gen_exception(s, EXCP_UD);
            break;
        }
        if (n == 1 && (f & HF_INHIBIT_IRQ)) {
            /* SDM 3A 6.8.3: the shadow of STI / MOV SS covers exactly this instruction.
             * Interrupts are only taken between blocks, so it can end here already; this way
             * it also ends when the instruction leaves the block itself (HLT, jumps). */
            tcg_gen_st8_i32(tcg_constant_i32(0), tcg_env, offsetof(X86CPUState, interrupt_shadow));
        }
        s->ot = s->d.opsize == 2 ? MO_16 : s->d.opsize == 4 ? MO_32 : MO_64;
        s->aflag = s->d.adsize == 2 ? MO_16 : s->d.adsize == 4 ? MO_32 : MO_64;
        disas_insn(s);
        eip = s->next_eip;
        if ((s->end == DISAS_NEXT || s->end == DISAS_EOB_NEXT) && (f & HF_TF) && !s->ss_loaded) {
            /* Single-step trap after the instruction (SDM 3A 17.3.1.4), also after one that
             * ends the block or clears TF itself (POPF): TF counts as it was when it began. */
            s->eip = s->next_eip;
            gen_sync_state(s);
            tcg_gen_call2(&hi_raise, TCG_NORET, tcg_env, tcg_constant_i32(EXCP_DB | 0x100));
            tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
            break;
        }
        if (s->end == DISAS_EOB_NEXT) {
            gen_eob(s);
            break;
        }
        if (s->end == DISAS_JUMPED)
            break;
        if (f & HF_INHIBIT_IRQ) {
            /* The shadow ended with this instruction: go back to the loop, which takes a
             * pending interrupt now (a chained jump would run on past "sti; nop; cli"). */
            gen_eob(s);
            break;
        }
        if (n >= max || ((tb->pc ^ (tb->cs_base + eip)) & ~0xfffull) != 0 ||
            s->d.len + (eip - (tb->pc - tb->cs_base)) > 0x1000) {
            gen_jmp_tb(s, eip, 0);
            break;
        }
    }
    tb->size = (uint32_t)((eip - (tb->pc - tb->cs_base)) & 0xffffffffu);
    if (s->end == DISAS_JUMPED || s->end == DISAS_EOB_NEXT)
        tb->size = (uint32_t)(s->next_eip - (tb->pc - tb->cs_base));
    if (tb->size == 0 || tb->size > 0x2000)
        tb->size = s->d.len ? s->d.len : 1;
    tb->icount = n;

    if (unlikely(log_enabled(LOG_IN_ASM))) {
        log_lock();
        log_printf("IN: %d-bit block at %#" PRIx64 " (%u insns)\n", s->code_bits, tb->pc, n);
        x86_log_disas(s->env, tb->pc, tb->size, s->code_bits);
        log_unlock();
    }
}
