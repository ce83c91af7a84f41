/* seg_helper_int.c: interrupt and exception delivery in real, protected, virtual-8086 and long
 * mode, and IRET in all its forms (Intel SDM 3A ch. 6 and 20; SDM 2, IRET). */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/seg_helper.h"
#include "cpu/x86/cc.h"

static void log_interrupt(X86CPUState *env, int vector, bool is_sw, bool has_err, uint32_t err)
{
    qlog(LOG_INT, "x86: %s %#x%s err=%#x at %04x:%016" PRIx64 " cpl=%d\n",
         is_sw ? "int" : "exception/irq", vector, has_err ? "" : " (no err)", err,
         env->segs[R_CS].selector, env->rip, x86_cpl(env));
}

static void do_interrupt_real(X86CPUState *env, int vector, bool is_sw, uint64_t next_rip)
{
    uint32_t off = (uint32_t)vector * 4;
    if (off + 3 > env->idt.limit)
        x86_raise_exception_ra(env, EXCP_GP, (uint32_t)vector * 8 + 2, true, 0);
    uint16_t ip = (uint16_t)x86_ld_kernel(env, env->idt.base + off, 2, 0);
    uint16_t cs = (uint16_t)x86_ld_kernel(env, env->idt.base + off + 2, 2, 0);
    X86Stack st;
    stack_init_current(env, &st, 0);
    stack_push(env, &st, x86_get_eflags(env) & 0xffff, 2);
    stack_push(env, &st, env->segs[R_CS].selector, 2);
    stack_push(env, &st, (is_sw ? next_rip : env->rip) & 0xffff, 2);
    stack_commit(env, &st);
    env->eflags &= ~(uint64_t)(EFLAGS_IF | EFLAGS_TF | EFLAGS_AC | EFLAGS_RF);
    x86_load_seg_real(env, R_CS, cs);
    env->rip = ip;
}

/* Intel SDM 3A 6.12.1 (protected mode) and 6.14 (IA-32e mode). */
static void do_interrupt_protected(X86CPUState *env, int vector, bool is_sw, bool has_err,
                                   uint32_t err, uint64_t next_rip, bool is_hw)
{
    bool lma = env->efer & EFER_LMA;
    unsigned esize = lma ? 16 : 8;
    /* EXT (bit 0 of error codes): the fault happened while delivering an event external to
     * the program — an interrupt or an earlier exception, not INT n (SDM 3A 6.13). */
    uint32_t ext = is_sw ? 0 : 1;
    uint32_t idt_err = (uint32_t)vector * 8 + 2 + ext;
    uint64_t ret_rip = is_sw ? next_rip : env->rip;
    int cpl = x86_cpl(env);

    if ((uint32_t)vector * esize + esize - 1 > env->idt.limit)
        x86_raise_exception_ra(env, EXCP_GP, idt_err, true, 0);
    uint64_t ptr = env->idt.base + (uint64_t)vector * esize;
    uint32_t e1 = (uint32_t)x86_ld_kernel(env, ptr, 4, 0);
    uint32_t e2 = (uint32_t)x86_ld_kernel(env, ptr + 4, 4, 0);
    uint32_t e3 = lma ? (uint32_t)x86_ld_kernel(env, ptr + 8, 4, 0) : 0;
    int type = (e2 >> 8) & 0x1f;   /* includes the S bit: must be 0 for a gate */
    bool valid;
    if (lma)
        valid = type == 14 || type == 15;
    else
        valid = type == 5 || type == 6 || type == 7 || type == 14 || type == 15;
    if (!valid)
        x86_raise_exception_ra(env, EXCP_GP, idt_err, true, 0);
    int gate_dpl = desc_dpl(e2);
    /* INT n / INT3 / INTO check the gate's DPL; exceptions and interrupts do not. */
    if (is_sw && gate_dpl < cpl)
        x86_raise_exception_ra(env, EXCP_GP, idt_err, true, 0);
    if (!(e2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_NP, idt_err, true, 0);

    if (type == 5) {
        /* Task gate (Intel SDM 3A 7.3): the error code goes on the new task's stack. */
        uint32_t tss_sel = e1 >> 16, te1, te2;
        if ((tss_sel & 4) || !x86_read_descriptor(env, tss_sel, &te1, &te2, 0))
            x86_raise_exception_ra(env, EXCP_TS, (tss_sel & 0xfffc) | ext, true, 0);
        if ((te2 & DESC_S) || (desc_type(te2) != 1 && desc_type(te2) != 9))
            x86_raise_exception_ra(env, EXCP_TS, (tss_sel & 0xfffc) | ext, true, 0);
        if (!(te2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_NP, (tss_sel & 0xfffc) | ext, true, 0);
        x86_task_switch(env, tss_sel, te1, te2, TASK_SWITCH_INT, ret_rip, 0);
        if (has_err) {
            X86Stack st;
            stack_init_current(env, &st, 0);
            stack_push(env, &st, err, (env->segs[R_CS].flags & DESC_B) ? 4 : 2);
            stack_commit(env, &st);
        }
        return;
    }

    uint32_t sel = e1 >> 16;
    uint64_t offset = (e1 & 0xffff) | (e2 & 0xffff0000) | ((uint64_t)e3 << 32);
    unsigned gsz = lma ? 8 : ((type & 8) ? 4 : 2);
    uint32_t ce1, ce2;
    if ((sel & 0xfffc) == 0)
        x86_raise_exception_ra(env, EXCP_GP, ext, true, 0);
    if (!x86_read_descriptor(env, sel, &ce1, &ce2, 0))
        x86_raise_exception_ra(env, EXCP_GP, (sel & 0xfffc) | ext, true, 0);
    if (!(ce2 & DESC_S) || !(ce2 & DESC_CS_MASK))
        x86_raise_exception_ra(env, EXCP_GP, (sel & 0xfffc) | ext, true, 0);
    int dpl = desc_dpl(ce2);
    if (dpl > cpl)
        x86_raise_exception_ra(env, EXCP_GP, (sel & 0xfffc) | ext, true, 0);
    if (!(ce2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_NP, (sel & 0xfffc) | ext, true, 0);
    if (lma && (!(ce2 & DESC_L) || (ce2 & DESC_B)))
        x86_raise_exception_ra(env, EXCP_GP, (sel & 0xfffc) | ext, true, 0);
    int ist = lma ? (e2 & 7) : 0;
    bool vm86 = env->eflags & EFLAGS_VM;
    bool inner = !(ce2 & DESC_C_MASK) && dpl < cpl;
    if (vm86 && (!inner || dpl != 0))
        x86_raise_exception_ra(env, EXCP_GP, (sel & 0xfffc) | ext, true, 0);
    int new_cpl = inner ? dpl : cpl;

    uint64_t old_eflags = x86_get_eflags(env);
    uint32_t old_ss = env->segs[R_SS].selector, old_cs = env->segs[R_CS].selector;
    uint64_t old_esp = env->regs[R_ESP];
    X86Stack st;
    st.ra = 0;
    uint32_t se1 = 0, se2 = 0, ss_sel = 0;

    if (lma) {
        /* IA-32e: 64-bit frame, always SS:RSP; new RSP from RSPn/ISTn, aligned to 16. */
        uint64_t sp;
        if (inner || ist)
            sp = x86_tss64_get_stack(env, new_cpl, ist, 0);
        else
            sp = env->regs[R_ESP];
        st.base = 0;
        st.mask = ~0ULL;
        st.sp = sp & ~15ULL;
        st.mmu_idx = new_cpl == 3 ? x86_mem_ops->mmu_index(env) : x86_mem_ops->mmu_index_kernel(env);
        stack_push(env, &st, old_ss, 8);
        stack_push(env, &st, old_esp, 8);
        stack_push(env, &st, old_eflags, 8);
        stack_push(env, &st, old_cs, 8);
        stack_push(env, &st, ret_rip, 8);
        if (has_err)
            stack_push(env, &st, err, 8);
        if (inner)
            x86_load_null_seg(env, R_SS, (uint32_t)new_cpl, new_cpl);
    } else if (inner) {
        uint64_t sp;
        x86_tss_get_stack(env, new_cpl, &ss_sel, &sp, 0);
        x86_check_inner_ss(env, ss_sel, new_cpl, &se1, &se2, 0);
        SegmentCache tmp;
        x86_seg_cache_from_desc(&tmp, ss_sel, se1, se2);
        st.base = tmp.base;
        st.mask = (se2 & DESC_B) ? 0xffffffffULL : 0xffff;
        st.sp = sp & st.mask;
        st.mmu_idx = x86_mem_ops->mmu_index_kernel(env);
        if (vm86) {
            stack_push(env, &st, env->segs[R_GS].selector, gsz);
            stack_push(env, &st, env->segs[R_FS].selector, gsz);
            stack_push(env, &st, env->segs[R_DS].selector, gsz);
            stack_push(env, &st, env->segs[R_ES].selector, gsz);
        }
        stack_push(env, &st, old_ss, gsz);
        stack_push(env, &st, old_esp, gsz);
        stack_push(env, &st, old_eflags, gsz);
        stack_push(env, &st, old_cs, gsz);
        stack_push(env, &st, ret_rip, gsz);
        if (has_err)
            stack_push(env, &st, err, gsz);
        x86_set_desc_accessed(env, ss_sel, se2, 0);
        x86_seg_cache_from_desc(&env->segs[R_SS], ss_sel, se1, se2 | DESC_A);
    } else {
        stack_init_current(env, &st, 0);
        stack_push(env, &st, old_eflags, gsz);
        stack_push(env, &st, old_cs, gsz);
        stack_push(env, &st, ret_rip, gsz);
        if (has_err)
            stack_push(env, &st, err, gsz);
    }

    if (vm86) {
        for (int s = R_ES; s <= R_GS; s++) {
            if (s == R_CS || s == R_SS)
                continue;
            env->segs[s].selector = 0;
            env->segs[s].base = 0;
            env->segs[s].limit = 0;
            env->segs[s].flags = 0;
        }
    }
    /* Intel SDM 3A 6.12.1.3: clear TF, VM, RF, NT; an interrupt gate also clears IF. */
    env->eflags &= ~(uint64_t)(EFLAGS_TF | EFLAGS_VM | EFLAGS_RF | EFLAGS_NT);
    if (!(type & 1))
        env->eflags &= ~(uint64_t)EFLAGS_IF;
    x86_set_desc_accessed(env, sel, ce2, 0);
    x86_seg_cache_from_desc(&env->segs[R_CS], (sel & 0xfffc) | new_cpl, ce1, ce2 | DESC_A);
    env->segs[R_SS].flags = (env->segs[R_SS].flags & ~DESC_DPL_MASK) |
                            ((uint32_t)new_cpl << DESC_DPL_SHIFT);
    x86_update_hflags(env);
    stack_commit(env, &st);
    env->rip = lma ? offset : (gsz == 2 ? offset & 0xffff : (uint32_t)offset);
}

void x86_do_interrupt(X86CPUState *env, int vector, bool is_sw_int, bool has_err, uint32_t err,
                      uint64_t next_rip, bool is_hw)
{
    log_interrupt(env, vector, is_sw_int, has_err, err);
    bool is_exception = !is_sw_int && !is_hw && vector < 32;
    if (is_exception) {
        env->in_delivery = true;
        env->delivery_vector = (uint8_t)vector;
    }
    if (vector == EXCP_NMI && is_hw)
        env->nmi_blocked = true;
    if (!(env->cr[0] & CR0_PE)) {
        do_interrupt_real(env, vector, is_sw_int, next_rip);
    } else {
        /* Virtual-8086 INT n with IOPL < 3 is #GP(0) (Intel SDM 3A 20.3, without VME). */
        if (is_sw_int && (env->eflags & EFLAGS_VM) && ((env->eflags & EFLAGS_IOPL) >> 12) < 3)
            x86_raise_exception_ra(env, EXCP_GP, 0, true, 0);
        do_interrupt_protected(env, vector, is_sw_int, has_err, err, next_rip, is_hw);
    }
    env->in_delivery = false;
    env->interrupt_shadow = false;
    env->halted = false;
    x86_update_hflags(env);
}

/* Load EFLAGS from an IRET/POPF image: which bits may change depends on CPL and IOPL
 * (Intel SDM 2, IRET and POPF). */
static void iret_set_eflags(X86CPUState *env, uint64_t val, int cpl, int shift)
{
    uint64_t mask = EFLAGS_ARITH | EFLAGS_TF | EFLAGS_DF | EFLAGS_NT | EFLAGS_RF | EFLAGS_AC |
                    EFLAGS_ID;
    int iopl = (env->eflags & EFLAGS_IOPL) >> 12;
    if (cpl == 0)
        mask |= EFLAGS_IOPL | EFLAGS_VIF | EFLAGS_VIP;
    if (cpl <= iopl)
        mask |= EFLAGS_IF;
    if (shift == 0)
        mask &= 0xffff;
    uint64_t cur = x86_get_eflags(env);
    x86_set_eflags(env, (cur & ~mask) | (val & mask));
}

static void iret_real_or_vm86(X86CPUState *env, int shift)
{
    unsigned osz = 2u << shift;
    X86Stack st;
    stack_init_current(env, &st, 0);
    if ((env->eflags & EFLAGS_VM) && ((env->eflags & EFLAGS_IOPL) >> 12) != 3)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, 0);
    uint64_t ip = stack_pop(env, &st, osz);
    uint16_t cs = (uint16_t)stack_pop(env, &st, osz);
    uint64_t fl = stack_pop(env, &st, osz);
    if (osz == 2)
        ip &= 0xffff;
    else if (ip > 0xffff && !(env->eflags & EFLAGS_VM) && ip > env->segs[R_CS].limit)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, 0);
    stack_commit(env, &st);
    uint64_t mask = EFLAGS_ARITH | EFLAGS_TF | EFLAGS_DF | EFLAGS_NT | EFLAGS_IF | EFLAGS_RF |
                    EFLAGS_AC | EFLAGS_ID;
    /* Real mode may change IOPL; virtual-8086 mode may not (and never VM/VIF/VIP). */
    if (!(env->eflags & EFLAGS_VM))
        mask |= EFLAGS_IOPL;
    if (shift == 0)
        mask &= 0xffff;
    uint64_t cur = x86_get_eflags(env);
    x86_set_eflags(env, (cur & ~mask) | (fl & mask));
    x86_load_seg_real(env, R_CS, cs);
    env->rip = ip;
    x86_update_hflags(env);
}

/* IRET to virtual-8086 mode (Intel SDM 2, IRET: RETURN-TO-VIRTUAL-8086-MODE). */
static void iret_to_vm86(X86CPUState *env, X86Stack *st, uint64_t ip, uint16_t cs, uint64_t fl)
{
    uint64_t esp = stack_pop(env, st, 4);
    uint16_t ss = (uint16_t)stack_pop(env, st, 4);
    uint16_t es = (uint16_t)stack_pop(env, st, 4);
    uint16_t ds = (uint16_t)stack_pop(env, st, 4);
    uint16_t fs = (uint16_t)stack_pop(env, st, 4);
    uint16_t gs = (uint16_t)stack_pop(env, st, 4);
    x86_set_eflags(env, fl);
    env->eflags |= EFLAGS_VM;
    x86_load_seg_real(env, R_CS, cs);
    x86_load_seg_real(env, R_SS, ss);
    x86_load_seg_real(env, R_ES, es);
    x86_load_seg_real(env, R_DS, ds);
    x86_load_seg_real(env, R_FS, fs);
    x86_load_seg_real(env, R_GS, gs);
    env->regs[R_ESP] = (uint32_t)esp;
    env->rip = ip & 0xffff;
    x86_update_hflags(env);
}

static void iret_protected(X86CPUState *env, int shift, uint64_t next_rip)
{
    unsigned osz = 2u << shift;
    int cpl = x86_cpl(env);
    uint32_t e1, e2;

    if (env->eflags & EFLAGS_NT) {
        /* Return from a nested task (Intel SDM 3A 7.3); not allowed in IA-32e mode. */
        if (env->efer & EFER_LMA)
            x86_raise_exception_ra(env, EXCP_GP, 0, true, 0);
        uint32_t link = (uint16_t)x86_ld_kernel(env, env->tr.base, 2, 0);
        if ((link & 4) || !x86_read_descriptor(env, link, &e1, &e2, 0))
            x86_raise_exception_ra(env, EXCP_TS, link & 0xfffc, true, 0);
        if ((e2 & DESC_S) || (desc_type(e2) != 3 && desc_type(e2) != 11))
            x86_raise_exception_ra(env, EXCP_TS, link & 0xfffc, true, 0);
        if (!(e2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_NP, link & 0xfffc, true, 0);
        x86_task_switch(env, link, e1, e2, TASK_SWITCH_IRET, next_rip, 0);
        return;
    }

    X86Stack st;
    stack_init_current(env, &st, 0);
    uint64_t ip = stack_pop(env, &st, osz);
    uint32_t cs = (uint16_t)stack_pop(env, &st, osz);
    uint64_t fl = stack_pop(env, &st, osz);
    if (shift == 1)
        ip = (uint32_t)ip;
    if (shift == 1 && (fl & EFLAGS_VM) && cpl == 0 && !(env->efer & EFER_LMA)) {
        iret_to_vm86(env, &st, ip, (uint16_t)cs, fl);
        return;
    }
    int rpl = cs & 3;
    if ((cs & 0xfffc) == 0)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, 0);
    if (!x86_read_descriptor(env, cs, &e1, &e2, 0))
        x86_raise_exception_ra(env, EXCP_GP, cs & 0xfffc, true, 0);
    if (!(e2 & DESC_S) || !(e2 & DESC_CS_MASK) || rpl < cpl)
        x86_raise_exception_ra(env, EXCP_GP, cs & 0xfffc, true, 0);
    int dpl = desc_dpl(e2);
    if ((e2 & DESC_C_MASK) ? dpl > rpl : dpl != rpl)
        x86_raise_exception_ra(env, EXCP_GP, cs & 0xfffc, true, 0);
    if (!(e2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_NP, cs & 0xfffc, true, 0);
    bool lma = env->efer & EFER_LMA;
    bool target64 = lma && (e2 & DESC_L);
    if (lma && (e2 & DESC_L) && (e2 & DESC_B))
        x86_raise_exception_ra(env, EXCP_GP, cs & 0xfffc, true, 0);

    /* In 64-bit mode IRET always pops SS:RSP; elsewhere only on a privilege change. */
    if (rpl == cpl && !(env->hflags & HF_CS64)) {
        if (!target64) {
            SegmentCache tmp;
            x86_seg_cache_from_desc(&tmp, cs, e1, e2);
            if (ip > tmp.limit)
                x86_raise_exception_ra(env, EXCP_GP, 0, true, 0);
        }
        x86_set_desc_accessed(env, cs, e2, 0);
        x86_seg_cache_from_desc(&env->segs[R_CS], cs, e1, e2 | DESC_A);
        stack_commit(env, &st);
        iret_set_eflags(env, fl, cpl, shift);
        env->rip = ip;
        x86_update_hflags(env);
        env->nmi_blocked = false;
        return;
    }
    uint64_t new_sp = stack_pop(env, &st, osz);
    uint32_t ss = (uint16_t)stack_pop(env, &st, osz);
    uint32_t se1 = 0, se2 = 0;
    bool null_ss_ok = target64 && rpl != 3;
    if ((ss & 0xfffc) == 0) {
        if (!null_ss_ok)
            x86_raise_exception_ra(env, EXCP_GP, 0, true, 0);
    } else {
        if ((int)(ss & 3) != rpl)
            x86_raise_exception_ra(env, EXCP_GP, ss & 0xfffc, true, 0);
        if (!x86_read_descriptor(env, ss, &se1, &se2, 0))
            x86_raise_exception_ra(env, EXCP_GP, ss & 0xfffc, true, 0);
        if (!(se2 & DESC_S) || (se2 & DESC_CS_MASK) || !(se2 & DESC_W_MASK) ||
            (int)desc_dpl(se2) != rpl)
            x86_raise_exception_ra(env, EXCP_GP, ss & 0xfffc, true, 0);
        if (!(se2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_SS, ss & 0xfffc, true, 0);
    }
    if (!target64) {
        SegmentCache tmp;
        x86_seg_cache_from_desc(&tmp, cs, e1, e2);
        if (ip > tmp.limit)
            x86_raise_exception_ra(env, EXCP_GP, 0, true, 0);
    }
    /* Flags are checked against the old CPL before it changes. */
    iret_set_eflags(env, fl, cpl, shift);
    x86_set_desc_accessed(env, cs, e2, 0);
    x86_seg_cache_from_desc(&env->segs[R_CS], cs, e1, e2 | DESC_A);
    if ((ss & 0xfffc) == 0) {
        x86_load_null_seg(env, R_SS, ss, rpl);
    } else {
        x86_set_desc_accessed(env, ss, se2, 0);
        x86_seg_cache_from_desc(&env->segs[R_SS], ss, se1, se2 | DESC_A);
    }
    x86_update_hflags(env);
    st.mask = stack_mask_of(env, env->segs[R_SS].flags);
    st.sp = new_sp & st.mask;
    if (shift == 2)
        st.sp = new_sp;
    stack_commit(env, &st);
    if (rpl != cpl)
        x86_validate_data_segs(env, rpl);
    env->rip = ip;
    x86_update_hflags(env);
    env->nmi_blocked = false;
}

void helper_iret(X86CPUState *env, int shift, uint64_t next_rip)
{
    if (!(env->cr[0] & CR0_PE) || (env->eflags & EFLAGS_VM)) {
        iret_real_or_vm86(env, shift);
        env->nmi_blocked = false;
    } else {
        iret_protected(env, shift, next_rip);
    }
}
