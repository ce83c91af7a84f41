/* seg_helper_task.c: hardware task switching through a TSS (Intel SDM 3A ch. 7). */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/seg_helper.h"

/* Load one segment register of the incoming task; faults are #TS(selector) (SDM 3A 7.3 step 13). */
static void task_load_seg(X86CPUState *env, int seg, uint32_t sel, int cpl, uintptr_t ra)
{
    uint32_t e1, e2;
    if (env->eflags & EFLAGS_VM) {
        x86_load_seg_real(env, seg, (uint16_t)sel);
        return;
    }
    if ((sel & 0xfffc) == 0) {
        if (seg == R_CS || seg == R_SS)
            x86_raise_exception_ra(env, EXCP_TS, sel & 0xfffc, true, ra);
        x86_load_null_seg(env, seg, sel, cpl);
        return;
    }
    if (!x86_read_descriptor(env, sel, &e1, &e2, ra) || !(e2 & DESC_S))
        x86_raise_exception_ra(env, EXCP_TS, sel & 0xfffc, true, ra);
    int dpl = desc_dpl(e2), rpl = sel & 3;
    if (seg == R_CS) {
        if (!(e2 & DESC_CS_MASK) || ((e2 & DESC_C_MASK) ? dpl > rpl : dpl != rpl))
            x86_raise_exception_ra(env, EXCP_TS, sel & 0xfffc, true, ra);
    } else if (seg == R_SS) {
        if ((e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK) || dpl != cpl || rpl != cpl)
            x86_raise_exception_ra(env, EXCP_TS, sel & 0xfffc, true, ra);
    } else {
        if ((e2 & DESC_CS_MASK) && !(e2 & DESC_R_MASK))
            x86_raise_exception_ra(env, EXCP_TS, sel & 0xfffc, true, ra);
        if (!((e2 & DESC_CS_MASK) && (e2 & DESC_C_MASK)) && (dpl < cpl || dpl < rpl))
            x86_raise_exception_ra(env, EXCP_TS, sel & 0xfffc, true, ra);
    }
    if (!(e2 & DESC_P))
        x86_raise_exception_ra(env, seg == R_SS ? EXCP_SS : EXCP_NP, sel & 0xfffc, true, ra);
    x86_set_desc_accessed(env, sel, e2, ra);
    x86_seg_cache_from_desc(&env->segs[seg], sel, e1, e2 | DESC_A);
}

static void set_tss_busy(X86CPUState *env, uint32_t sel, bool busy, uintptr_t ra)
{
    uint64_t addr = env->gdt.base + (sel & ~7u) + 4;
    uint32_t e2 = (uint32_t)x86_ld_kernel(env, addr, 4, ra);
    e2 = busy ? (e2 | (2u << DESC_TYPE_SHIFT)) : (e2 & ~(2u << DESC_TYPE_SHIFT));
    x86_st_kernel(env, addr, e2, 4, ra);
}

void x86_task_switch(X86CPUState *env, uint32_t tss_sel, uint32_t e1, uint32_t e2, int source,
                     uint64_t next_rip, uintptr_t ra)
{
    int type = desc_type(e2);
    bool is32 = type & 8;
    SegmentCache ntss;
    x86_seg_cache_from_desc(&ntss, tss_sel, e1, e2);

    qlog(LOG_INT, "x86: task switch to %#x (source %d)\n", tss_sel, source);
    /* The incoming TSS must be available, except for IRET which returns to a busy one. */
    bool busy = type & 2;
    if (source == TASK_SWITCH_IRET ? !busy : busy)
        x86_raise_exception_ra(env, source == TASK_SWITCH_IRET ? EXCP_TS : EXCP_GP,
                               tss_sel & 0xfffc, true, ra);
    if (ntss.limit < (is32 ? 0x67u : 0x2bu))
        x86_raise_exception_ra(env, EXCP_TS, tss_sel & 0xfffc, true, ra);
    int otype = (env->tr.flags >> DESC_TYPE_SHIFT) & 15;
    bool old32 = otype & 8;
    if (env->tr.limit < (old32 ? 0x67u : 0x2bu))
        x86_raise_exception_ra(env, EXCP_TS, env->tr.selector & 0xfffc, true, ra);

    /* Read the whole incoming state first, so a fault leaves the old task untouched. */
    uint64_t nb = ntss.base;
    uint32_t n_cr3 = 0, n_eip, n_eflags, n_regs[8], n_segs[6], n_ldt;
    if (is32) {
        n_cr3 = (uint32_t)x86_ld_kernel(env, nb + 28, 4, ra);
        n_eip = (uint32_t)x86_ld_kernel(env, nb + 32, 4, ra);
        n_eflags = (uint32_t)x86_ld_kernel(env, nb + 36, 4, ra);
        for (int i = 0; i < 8; i++)
            n_regs[i] = (uint32_t)x86_ld_kernel(env, nb + 40 + 4 * i, 4, ra);
        for (int i = 0; i < 6; i++)
            n_segs[i] = (uint16_t)x86_ld_kernel(env, nb + 72 + 4 * i, 2, ra);
        n_ldt = (uint16_t)x86_ld_kernel(env, nb + 96, 2, ra);
        if (x86_ld_kernel(env, nb + 100, 2, ra) & 1)
            qlog(LOG_UNIMP, "x86: TSS debug trap bit (T) is not implemented\n");
    } else {
        n_eip = (uint16_t)x86_ld_kernel(env, nb + 14, 2, ra);
        n_eflags = (uint16_t)x86_ld_kernel(env, nb + 16, 2, ra);
        for (int i = 0; i < 8; i++)
            n_regs[i] = (uint16_t)x86_ld_kernel(env, nb + 18 + 2 * i, 2, ra) | 0xffff0000u;
        for (int i = 0; i < 4; i++)
            n_segs[i] = (uint16_t)x86_ld_kernel(env, nb + 34 + 2 * i, 2, ra);
        n_segs[R_FS] = n_segs[R_GS] = 0;
        n_ldt = (uint16_t)x86_ld_kernel(env, nb + 42, 2, ra);
    }

    /* Save the outgoing task (Intel SDM 3A 7.3 steps 8-9). */
    uint32_t eflags = (uint32_t)x86_get_eflags(env);
    if (source == TASK_SWITCH_JMP || source == TASK_SWITCH_IRET)
        set_tss_busy(env, env->tr.selector, false, ra);
    if (source == TASK_SWITCH_IRET)
        eflags &= ~EFLAGS_NT;
    uint64_t ob = env->tr.base;
    if (old32) {
        x86_st_kernel(env, ob + 32, (uint32_t)next_rip, 4, ra);
        x86_st_kernel(env, ob + 36, eflags, 4, ra);
        for (int i = 0; i < 8; i++)
            x86_st_kernel(env, ob + 40 + 4 * i, (uint32_t)env->regs[i], 4, ra);
        for (int i = 0; i < 6; i++)
            x86_st_kernel(env, ob + 72 + 4 * i, env->segs[i].selector, 2, ra);
    } else {
        x86_st_kernel(env, ob + 14, (uint16_t)next_rip, 2, ra);
        x86_st_kernel(env, ob + 16, (uint16_t)eflags, 2, ra);
        for (int i = 0; i < 8; i++)
            x86_st_kernel(env, ob + 18 + 2 * i, (uint16_t)env->regs[i], 2, ra);
        for (int i = 0; i < 4; i++)
            x86_st_kernel(env, ob + 34 + 2 * i, env->segs[i].selector, 2, ra);
    }
    if (source == TASK_SWITCH_CALL || source == TASK_SWITCH_INT) {
        x86_st_kernel(env, nb, env->tr.selector, 2, ra);
        n_eflags |= EFLAGS_NT;
    }
    if (source != TASK_SWITCH_IRET)
        set_tss_busy(env, tss_sel, true, ra);

    /* Switch (steps 10-13). */
    env->tr = ntss;
    env->tr.flags |= 2u << DESC_TYPE_SHIFT;
    env->cr[0] |= CR0_TS;
    if (is32 && (env->cr[0] & CR0_PG)) {
        env->cr[3] = n_cr3;
        x86_mem_ops->tlb_flush(env);
    }
    x86_set_eflags(env, (n_eflags & 0x3f7fd7) | EFLAGS_FIXED);
    env->rip = n_eip;
    for (int i = 0; i < 8; i++)
        env->regs[i] = is32 ? n_regs[i] : ((env->regs[i] & ~0xffffULL) | (n_regs[i] & 0xffff));
    /* Selectors first, with unusable caches, then the checked descriptor loads. */
    for (int i = 0; i < 6; i++) {
        env->segs[i].selector = (uint16_t)n_segs[i];
        env->segs[i].flags &= ~DESC_P;
    }
    int cpl = (env->eflags & EFLAGS_VM) ? 3 : (int)(n_segs[R_CS] & 3);
    env->segs[R_SS].flags = (env->segs[R_SS].flags & ~DESC_DPL_MASK) | ((uint32_t)cpl << DESC_DPL_SHIFT);
    env->ldt.selector = (uint16_t)n_ldt;
    env->ldt.flags = 0;
    if (n_ldt & 4)
        x86_raise_exception_ra(env, EXCP_TS, n_ldt & 0xfffc, true, ra);
    if ((n_ldt & 0xfffc) != 0) {
        uint32_t le1, le2;
        if (!x86_read_descriptor(env, n_ldt, &le1, &le2, ra) || (le2 & DESC_S) || desc_type(le2) != 2)
            x86_raise_exception_ra(env, EXCP_TS, n_ldt & 0xfffc, true, ra);
        if (!(le2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_TS, n_ldt & 0xfffc, true, ra);
        x86_seg_cache_from_desc(&env->ldt, n_ldt, le1, le2);
    }
    task_load_seg(env, R_CS, n_segs[R_CS], cpl, ra);
    task_load_seg(env, R_SS, n_segs[R_SS], cpl, ra);
    task_load_seg(env, R_ES, n_segs[R_ES], cpl, ra);
    task_load_seg(env, R_DS, n_segs[R_DS], cpl, ra);
    task_load_seg(env, R_FS, n_segs[R_FS], cpl, ra);
    task_load_seg(env, R_GS, n_segs[R_GS], cpl, ra);
    x86_update_hflags(env);
    if (env->rip > env->segs[R_CS].limit && !(env->eflags & EFLAGS_VM))
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
}
