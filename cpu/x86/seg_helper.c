/* seg_helper.c: protected-mode segmentation — descriptor loads with their checks, far JMP/CALL/RET
 * (through call gates), LGDT/LIDT/LLDT/LTR, LAR/LSL/VERR/VERW (Intel SDM 3A ch. 3 and 5). */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/seg_helper.h"
#include "cpu/x86/cc.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

bool x86_read_descriptor(X86CPUState *env, uint32_t selector, uint32_t *e1, uint32_t *e2,
                         uintptr_t ra)
{
    uint64_t base;
    uint32_t limit, index = selector & ~7u;
    if (selector & 4) {
        if (!(env->ldt.flags & DESC_P))
            return false;
        base = env->ldt.base;
        limit = env->ldt.limit;
    } else {
        base = env->gdt.base;
        limit = env->gdt.limit;
    }
    if (index + 7 > limit)
        return false;
    *e1 = (uint32_t)x86_ld_kernel(env, base + index, 4, ra);
    *e2 = (uint32_t)x86_ld_kernel(env, base + index + 4, 4, ra);
    return true;
}

/* Long-mode system descriptors (LDT, TSS, gates) are 16 bytes: the third dword holds base or
 * offset bits 63:32 (Intel SDM 3A 7.2.3, 5.8.3.1). */
static bool read_descriptor_hi(X86CPUState *env, uint32_t selector, uint32_t *e3, uintptr_t ra)
{
    uint64_t base = (selector & 4) ? env->ldt.base : env->gdt.base;
    uint32_t limit = (selector & 4) ? env->ldt.limit : env->gdt.limit;
    uint32_t index = selector & ~7u;
    if (index + 15 > limit)
        return false;
    *e3 = (uint32_t)x86_ld_kernel(env, base + index + 8, 4, ra);
    return true;
}

void x86_seg_cache_from_desc(SegmentCache *sc, uint32_t selector, uint32_t e1, uint32_t e2)
{
    uint32_t limit = (e1 & 0xffff) | (e2 & 0x000f0000);
    if (e2 & DESC_G)
        limit = (limit << 12) | 0xfff;
    sc->selector = (uint16_t)selector;
    sc->base = (e1 >> 16) | ((e2 & 0xff) << 16) | (e2 & 0xff000000);
    sc->limit = limit;
    sc->flags = e2 & 0x00f0ff00;
}

void x86_set_desc_accessed(X86CPUState *env, uint32_t selector, uint32_t e2, uintptr_t ra)
{
    if (e2 & DESC_A)
        return;
    uint64_t base = (selector & 4) ? env->ldt.base : env->gdt.base;
    x86_st_kernel(env, base + (selector & ~7u) + 4, e2 | DESC_A, 4, ra);
}

void x86_load_seg_cache(X86CPUState *env, int seg, uint32_t selector, uint32_t e1, uint32_t e2)
{
    x86_seg_cache_from_desc(&env->segs[seg], selector, e1, e2);
    if (seg == R_CS || seg == R_SS || seg == R_DS || seg == R_ES)
        x86_update_hflags(env);
}

/* hflags takes CPL from SS.DPL (cpu.c); a CS load must carry its CPL into SS's cached DPL
 * when SS is not reloaded (same-privilege transfers keep it equal anyway). */
static void set_cpl(X86CPUState *env, int cpl)
{
    env->segs[R_SS].flags = (env->segs[R_SS].flags & ~DESC_DPL_MASK) | ((uint32_t)cpl << DESC_DPL_SHIFT);
    x86_update_hflags(env);
}

void x86_load_null_seg(X86CPUState *env, int seg, uint32_t selector, int rpl_dpl)
{
    SegmentCache *s = &env->segs[seg];
    s->selector = (uint16_t)selector;
    s->base = 0;
    s->limit = 0;
    /* Unusable; a null SS in 64-bit mode keeps its DPL = CPL for hflags. */
    s->flags = seg == R_SS ? ((uint32_t)rpl_dpl << DESC_DPL_SHIFT) | DESC_B : 0;
    x86_update_hflags(env);
}

/* MOV/POP to a segment register in protected mode (Intel SDM 2, MOV: protected mode checks). */
void helper_load_seg(X86CPUState *env, int seg, uint32_t selector)
{
    uintptr_t ra = GETPC();
    uint32_t e1, e2;
    int cpl = x86_cpl(env), rpl = selector & 3;

    selector &= 0xffff;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & EFLAGS_VM)) {
        x86_load_seg_real(env, seg, (uint16_t)selector);
        return;
    }
    if ((selector & 0xfffc) == 0) {
        /* A null SS is allowed only in 64-bit mode at CPL < 3 with RPL = CPL. */
        if (seg == R_SS && (!(env->hflags & HF_CS64) || cpl == 3 || rpl != cpl))
            x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
        x86_load_null_seg(env, seg, selector, cpl);
        return;
    }
    if (!x86_read_descriptor(env, selector, &e1, &e2, ra))
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    if (!(e2 & DESC_S))
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    int dpl = desc_dpl(e2);
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || (e2 & DESC_CS_MASK) || !(e2 & DESC_W_MASK))
            x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
        if (!(e2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_SS, selector & 0xfffc, true, ra);
    } else {
        if ((e2 & DESC_CS_MASK) && !(e2 & DESC_R_MASK))
            x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
        /* Data and non-conforming code: DPL >= max(CPL, RPL). */
        if (!((e2 & DESC_CS_MASK) && (e2 & DESC_C_MASK)) && (dpl < cpl || dpl < rpl))
            x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
        if (!(e2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_NP, selector & 0xfffc, true, ra);
    }
    x86_set_desc_accessed(env, selector, e2, ra);
    x86_load_seg_cache(env, seg, selector, e1, e2 | DESC_A);
}

void x86_validate_data_segs(X86CPUState *env, int cpl)
{
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
    for (unsigned i = 0; i < ARRAY_SIZE(segs); i++) {
        SegmentCache *s = &env->segs[segs[i]];
        int dpl = (s->flags >> DESC_DPL_SHIFT) & 3;
        bool conforming_code = (s->flags & DESC_CS_MASK) && (s->flags & DESC_C_MASK);
        /* Intel SDM 2, RET/IRET: data or non-conforming code with DPL < CPL becomes null. */
        if ((s->selector & 0xfffc) != 0 && (s->flags & DESC_S) && !conforming_code && dpl < cpl) {
            s->selector = 0;
            s->flags = 0;
            s->base = 0;
            s->limit = 0;
        } else if ((s->selector & 0xfffc) == 0 && !(env->hflags & HF_CS64)) {
            s->flags = 0;
        }
    }
    x86_update_hflags(env);
}

void x86_tss_get_stack(X86CPUState *env, int dpl, uint32_t *ss, uint64_t *sp, uintptr_t ra)
{
    int type = (env->tr.flags >> DESC_TYPE_SHIFT) & 15;
    if (!(env->tr.flags & DESC_P)) {
        error_report("x86: inner stack requested with no TSS loaded");
        x86_raise_exception_ra(env, EXCP_TS, env->tr.selector & 0xfffc, true, ra);
    }
    int shift = (type >> 3) & 1;   /* 0: 16-bit TSS, 1: 32-bit TSS */
    uint32_t index = (dpl * 4 + 2) << shift;
    if (index + (4u << shift) - 1 > env->tr.limit)
        x86_raise_exception_ra(env, EXCP_TS, env->tr.selector & 0xfffc, true, ra);
    if (shift) {
        *sp = (uint32_t)x86_ld_kernel(env, env->tr.base + index, 4, ra);
        *ss = (uint16_t)x86_ld_kernel(env, env->tr.base + index + 4, 2, ra);
    } else {
        *sp = (uint16_t)x86_ld_kernel(env, env->tr.base + index, 2, ra);
        *ss = (uint16_t)x86_ld_kernel(env, env->tr.base + index + 2, 2, ra);
    }
}

uint64_t x86_tss64_get_stack(X86CPUState *env, int dpl, int ist, uintptr_t ra)
{
    /* 64-bit TSS (Intel SDM 3A 7.7): RSP0-2 at 4, 12, 20; IST1-7 at 36 + 8 * (n - 1). */
    uint32_t index = ist ? 36 + 8 * (ist - 1) : 4 + 8 * dpl;
    if (!(env->tr.flags & DESC_P) || index + 7 > env->tr.limit)
        x86_raise_exception_ra(env, EXCP_TS, env->tr.selector & 0xfffc, true, ra);
    return x86_ld_kernel(env, env->tr.base + index, 8, ra);
}

void x86_check_inner_ss(X86CPUState *env, uint32_t ss_sel, int dpl, uint32_t *e1, uint32_t *e2,
                        uintptr_t ra)
{
    /* Intel SDM 3A 6.12.1.1 / 5.8.5: the new SS must be a present writable data segment with
     * RPL = DPL = the new CPL, else #TS(SS); not present is #SS(SS). */
    if ((ss_sel & 0xfffc) == 0)
        x86_raise_exception_ra(env, EXCP_TS, ss_sel & 0xfffc, true, ra);
    if ((int)(ss_sel & 3) != dpl)
        x86_raise_exception_ra(env, EXCP_TS, ss_sel & 0xfffc, true, ra);
    if (!x86_read_descriptor(env, ss_sel, e1, e2, ra))
        x86_raise_exception_ra(env, EXCP_TS, ss_sel & 0xfffc, true, ra);
    if ((int)desc_dpl(*e2) != dpl || !(*e2 & DESC_S) || (*e2 & DESC_CS_MASK) || !(*e2 & DESC_W_MASK))
        x86_raise_exception_ra(env, EXCP_TS, ss_sel & 0xfffc, true, ra);
    if (!(*e2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_SS, ss_sel & 0xfffc, true, ra);
}

/* Checks for a code segment targeted directly by JMP/CALL (Intel SDM 3A 5.8.1). */
static void check_direct_code(X86CPUState *env, uint32_t sel, uint32_t e2, uintptr_t ra)
{
    int cpl = x86_cpl(env), dpl = desc_dpl(e2), rpl = sel & 3;
    if (e2 & DESC_C_MASK) {
        if (dpl > cpl)
            x86_raise_exception_ra(env, EXCP_GP, sel & 0xfffc, true, ra);
    } else if (rpl > cpl || dpl != cpl) {
        x86_raise_exception_ra(env, EXCP_GP, sel & 0xfffc, true, ra);
    }
    if (!(e2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_NP, sel & 0xfffc, true, ra);
}

static void check_code_limit(X86CPUState *env, uint64_t rip, uint32_t e1, uint32_t e2, uintptr_t ra)
{
    SegmentCache tmp;
    if ((env->efer & EFER_LMA) && (e2 & DESC_L))
        return;
    x86_seg_cache_from_desc(&tmp, 0, e1, e2);
    if (rip > tmp.limit)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
}

/* A call gate's target (Intel SDM 3A 5.8.3, 5.8.4): reads the gate (16 bytes in long mode),
 * checks it and its code segment. */
static void read_call_gate(X86CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2,
                           uint32_t *cs_sel, uint64_t *offset, uint32_t *ce1, uint32_t *ce2,
                           uintptr_t ra)
{
    int cpl = x86_cpl(env), dpl = desc_dpl(e2), rpl = sel & 3;
    if (dpl < cpl || dpl < rpl)
        x86_raise_exception_ra(env, EXCP_GP, sel & 0xfffc, true, ra);
    if (!(e2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_NP, sel & 0xfffc, true, ra);
    *cs_sel = e1 >> 16;
    *offset = (e1 & 0xffff);
    if (desc_type(e2) != 4)
        *offset |= e2 & 0xffff0000;
    if (env->efer & EFER_LMA) {
        uint32_t e3;
        if (!read_descriptor_hi(env, sel, &e3, ra))
            x86_raise_exception_ra(env, EXCP_GP, sel & 0xfffc, true, ra);
        *offset |= (uint64_t)e3 << 32;
    }
    if ((*cs_sel & 0xfffc) == 0)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    if (!x86_read_descriptor(env, *cs_sel, ce1, ce2, ra))
        x86_raise_exception_ra(env, EXCP_GP, *cs_sel & 0xfffc, true, ra);
    if (!(*ce2 & DESC_S) || !(*ce2 & DESC_CS_MASK) || (int)desc_dpl(*ce2) > cpl)
        x86_raise_exception_ra(env, EXCP_GP, *cs_sel & 0xfffc, true, ra);
    /* Long mode: the target must be 64-bit code. */
    if ((env->efer & EFER_LMA) && (!(*ce2 & DESC_L) || (*ce2 & DESC_B)))
        x86_raise_exception_ra(env, EXCP_GP, *cs_sel & 0xfffc, true, ra);
    if (!(*ce2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_NP, *cs_sel & 0xfffc, true, ra);
}

static void load_cs_at_cpl(X86CPUState *env, uint32_t sel, uint32_t e1, uint32_t e2, int cpl,
                           uintptr_t ra)
{
    x86_set_desc_accessed(env, sel, e2, ra);
    x86_seg_cache_from_desc(&env->segs[R_CS], (sel & 0xfffc) | cpl, e1, e2 | DESC_A);
    set_cpl(env, cpl);
}

static bool is_gate_type_ok(X86CPUState *env, int type)
{
    if (env->efer & EFER_LMA)
        return type == 12;
    return type == 4 || type == 12;
}

void helper_ljmp(X86CPUState *env, uint32_t selector, uint64_t new_rip, uint64_t next_rip)
{
    uintptr_t ra = GETPC();
    uint32_t e1, e2;
    selector &= 0xffff;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & EFLAGS_VM)) {
        x86_load_seg_real(env, R_CS, (uint16_t)selector);
        env->rip = new_rip;
        return;
    }
    if ((selector & 0xfffc) == 0)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    if (!x86_read_descriptor(env, selector, &e1, &e2, ra))
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    if (e2 & DESC_S) {
        if (!(e2 & DESC_CS_MASK))
            x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
        check_direct_code(env, selector, e2, ra);
        check_code_limit(env, new_rip, e1, e2, ra);
        load_cs_at_cpl(env, selector, e1, e2, x86_cpl(env), ra);
        env->rip = new_rip;
        return;
    }
    int type = desc_type(e2);
    if (!(env->efer & EFER_LMA) && (type == 1 || type == 9 || type == 5)) {
        int dpl = desc_dpl(e2);
        if (dpl < x86_cpl(env) || dpl < (int)(selector & 3))
            x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
        if (!(e2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_NP, selector & 0xfffc, true, ra);
        x86_task_switch(env, selector, e1, e2, TASK_SWITCH_JMP, next_rip, ra);
        return;
    }
    if (!is_gate_type_ok(env, type))
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    uint32_t cs_sel, ce1, ce2;
    uint64_t offset;
    read_call_gate(env, selector, e1, e2, &cs_sel, &offset, &ce1, &ce2, ra);
    /* JMP through a call gate never changes privilege: non-conforming needs DPL = CPL. */
    if (!(ce2 & DESC_C_MASK) && (int)desc_dpl(ce2) != x86_cpl(env))
        x86_raise_exception_ra(env, EXCP_GP, cs_sel & 0xfffc, true, ra);
    check_code_limit(env, offset, ce1, ce2, ra);
    load_cs_at_cpl(env, cs_sel, ce1, ce2, x86_cpl(env), ra);
    env->rip = offset;
}

void helper_lcall(X86CPUState *env, uint32_t selector, uint64_t new_rip, int shift,
                  uint64_t next_rip)
{
    uintptr_t ra = GETPC();
    uint32_t e1, e2;
    X86Stack st;
    unsigned osz = 2u << shift;

    selector &= 0xffff;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & EFLAGS_VM)) {
        stack_init_current(env, &st, ra);
        stack_push(env, &st, env->segs[R_CS].selector, osz);
        stack_push(env, &st, next_rip, osz);
        stack_commit(env, &st);
        x86_load_seg_real(env, R_CS, (uint16_t)selector);
        env->rip = new_rip;
        return;
    }
    if ((selector & 0xfffc) == 0)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    if (!x86_read_descriptor(env, selector, &e1, &e2, ra))
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    int cpl = x86_cpl(env);
    if (e2 & DESC_S) {
        if (!(e2 & DESC_CS_MASK))
            x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
        check_direct_code(env, selector, e2, ra);
        check_code_limit(env, new_rip, e1, e2, ra);
        stack_init_current(env, &st, ra);
        stack_push(env, &st, env->segs[R_CS].selector, osz);
        stack_push(env, &st, next_rip, osz);
        load_cs_at_cpl(env, selector, e1, e2, cpl, ra);
        stack_commit(env, &st);
        env->rip = new_rip;
        return;
    }
    int type = desc_type(e2);
    if (!(env->efer & EFER_LMA) && (type == 1 || type == 9 || type == 5)) {
        int dpl = desc_dpl(e2);
        if (dpl < cpl || dpl < (int)(selector & 3))
            x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
        if (!(e2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_NP, selector & 0xfffc, true, ra);
        x86_task_switch(env, selector, e1, e2, TASK_SWITCH_CALL, next_rip, ra);
        return;
    }
    if (!is_gate_type_ok(env, type))
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    uint32_t cs_sel, ce1, ce2;
    uint64_t offset;
    read_call_gate(env, selector, e1, e2, &cs_sel, &offset, &ce1, &ce2, ra);
    int dpl = desc_dpl(ce2);
    /* Gate size decides the push size: 16-bit gate 2 bytes, 32-bit 4, 64-bit 8. */
    unsigned gsz = (env->efer & EFER_LMA) ? 8 : (type == 4 ? 2 : 4);
    check_code_limit(env, offset, ce1, ce2, ra);
    if (!(ce2 & DESC_C_MASK) && dpl < cpl) {
        /* Inner privilege (Intel SDM 3A 5.8.5): switch to the TSS stack of the target DPL,
         * push the caller's SS:ESP, copy the parameters, then CS:EIP. */
        uint32_t ss_sel, se1 = 0, se2 = 0;
        uint64_t sp;
        X86Stack old;
        stack_init_current(env, &old, ra);
        if (env->efer & EFER_LMA) {
            sp = x86_tss64_get_stack(env, dpl, 0, ra);
            ss_sel = dpl;
            st.base = 0;
            st.mask = ~0ULL;
            st.sp = sp;
        } else {
            x86_tss_get_stack(env, dpl, &ss_sel, &sp, ra);
            x86_check_inner_ss(env, ss_sel, dpl, &se1, &se2, ra);
            SegmentCache tmp;
            x86_seg_cache_from_desc(&tmp, ss_sel, se1, se2);
            st.base = tmp.base;
            st.mask = (se2 & DESC_B) ? 0xffffffffULL : 0xffff;
            st.sp = sp & st.mask;
        }
        st.mmu_idx = x86_mem_ops->mmu_index_kernel(env);
        st.ra = ra;
        stack_push(env, &st, env->segs[R_SS].selector, gsz);
        stack_push(env, &st, env->regs[R_ESP] & (gsz == 8 ? ~0ULL : old.mask), gsz);
        if (!(env->efer & EFER_LMA)) {
            unsigned count = e2 & 0x1f;
            for (int i = (int)count - 1; i >= 0; i--) {
                uint64_t v = x86_mem_ops->ld(env, (old.base + ((old.sp + (unsigned)i * gsz) & old.mask)) & 0xffffffffULL,
                                             gsz, old.mmu_idx, ra);
                stack_push(env, &st, v, gsz);
            }
        }
        stack_push(env, &st, env->segs[R_CS].selector, gsz);
        stack_push(env, &st, next_rip, gsz);
        if (env->efer & EFER_LMA) {
            x86_load_null_seg(env, R_SS, ss_sel, dpl);
        } else {
            x86_set_desc_accessed(env, ss_sel, se2, ra);
            x86_seg_cache_from_desc(&env->segs[R_SS], ss_sel, se1, se2 | DESC_A);
        }
        load_cs_at_cpl(env, cs_sel, ce1, ce2, dpl, ra);
        stack_commit(env, &st);
    } else {
        stack_init_current(env, &st, ra);
        stack_push(env, &st, env->segs[R_CS].selector, gsz);
        stack_push(env, &st, next_rip, gsz);
        load_cs_at_cpl(env, cs_sel, ce1, ce2, cpl, ra);
        stack_commit(env, &st);
    }
    env->rip = offset;
}

void helper_lret(X86CPUState *env, int shift, int addend)
{
    uintptr_t ra = GETPC();
    unsigned osz = 2u << shift;
    X86Stack st;
    uint32_t e1, e2, ss_e1 = 0, ss_e2 = 0;
    stack_init_current(env, &st, ra);
    uint64_t new_rip = stack_pop(env, &st, osz);
    uint32_t sel = (uint16_t)stack_pop(env, &st, osz);
    if (!(env->cr[0] & CR0_PE) || (env->eflags & EFLAGS_VM)) {
        st.sp = (st.sp + addend) & st.mask;
        stack_commit(env, &st);
        x86_load_seg_real(env, R_CS, (uint16_t)sel);
        env->rip = new_rip;
        return;
    }
    int cpl = x86_cpl(env), rpl = sel & 3;
    if ((sel & 0xfffc) == 0)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    if (!x86_read_descriptor(env, sel, &e1, &e2, ra))
        x86_raise_exception_ra(env, EXCP_GP, sel & 0xfffc, true, ra);
    if (!(e2 & DESC_S) || !(e2 & DESC_CS_MASK) || rpl < cpl)
        x86_raise_exception_ra(env, EXCP_GP, sel & 0xfffc, true, ra);
    int dpl = desc_dpl(e2);
    if ((e2 & DESC_C_MASK) ? dpl > rpl : dpl != rpl)
        x86_raise_exception_ra(env, EXCP_GP, sel & 0xfffc, true, ra);
    if (!(e2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_NP, sel & 0xfffc, true, ra);
    st.sp = (st.sp + addend) & st.mask;
    if (rpl == cpl) {
        check_code_limit(env, new_rip, e1, e2, ra);
        load_cs_at_cpl(env, sel, e1, e2, cpl, ra);
        stack_commit(env, &st);
        env->rip = new_rip;
        return;
    }
    /* Return to an outer level: pop the caller's SS:ESP (Intel SDM 2, RET far). */
    uint64_t new_sp = stack_pop(env, &st, osz);
    uint32_t ss_sel = (uint16_t)stack_pop(env, &st, osz);
    bool lma64 = (env->efer & EFER_LMA) && (e2 & DESC_L);
    if ((ss_sel & 0xfffc) == 0 && lma64 && rpl != 3) {
        x86_load_null_seg(env, R_SS, ss_sel, rpl);
    } else {
        if ((ss_sel & 0xfffc) == 0 || (int)(ss_sel & 3) != rpl)
            x86_raise_exception_ra(env, EXCP_GP, ss_sel & 0xfffc, true, ra);
        if (!x86_read_descriptor(env, ss_sel, &ss_e1, &ss_e2, ra))
            x86_raise_exception_ra(env, EXCP_GP, ss_sel & 0xfffc, true, ra);
        if (!(ss_e2 & DESC_S) || (ss_e2 & DESC_CS_MASK) || !(ss_e2 & DESC_W_MASK) ||
            (int)desc_dpl(ss_e2) != rpl)
            x86_raise_exception_ra(env, EXCP_GP, ss_sel & 0xfffc, true, ra);
        if (!(ss_e2 & DESC_P))
            x86_raise_exception_ra(env, EXCP_SS, ss_sel & 0xfffc, true, ra);
        x86_set_desc_accessed(env, ss_sel, ss_e2, ra);
        x86_seg_cache_from_desc(&env->segs[R_SS], ss_sel, ss_e1, ss_e2 | DESC_A);
    }
    check_code_limit(env, new_rip, e1, e2, ra);
    load_cs_at_cpl(env, sel, e1, e2, rpl, ra);
    st.mask = stack_mask_of(env, env->segs[R_SS].flags);
    st.sp = (new_sp + addend) & st.mask;
    stack_commit(env, &st);
    x86_validate_data_segs(env, rpl);
    env->rip = new_rip;
}

static void require_cpl0(X86CPUState *env, uintptr_t ra)
{
    if ((env->cr[0] & CR0_PE) && x86_cpl(env) != 0)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
}

void helper_lgdt(X86CPUState *env, uint64_t base, uint32_t limit)
{
    require_cpl0(env, GETPC());
    env->gdt.base = base;
    env->gdt.limit = (uint16_t)limit;
}

void helper_lidt(X86CPUState *env, uint64_t base, uint32_t limit)
{
    require_cpl0(env, GETPC());
    env->idt.base = base;
    env->idt.limit = (uint16_t)limit;
}

/* LLDT/LTR: system descriptors from the GDT only (Intel SDM 2, LLDT, LTR). */
static void load_system_seg(X86CPUState *env, uint32_t selector, SegmentCache *sc, bool is_tr,
                            uintptr_t ra)
{
    uint32_t e1, e2, e3 = 0;
    selector &= 0xffff;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & EFLAGS_VM))
        x86_raise_exception_ra(env, EXCP_UD, 0, false, ra);
    require_cpl0(env, ra);
    if ((selector & 0xfffc) == 0) {
        if (is_tr)
            x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
        sc->selector = (uint16_t)selector;
        sc->base = 0;
        sc->limit = 0;
        sc->flags = 0;
        return;
    }
    if ((selector & 4) || !x86_read_descriptor(env, selector, &e1, &e2, ra))
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    int type = desc_type(e2);
    bool ok = is_tr ? (type == 9 || (type == 1 && !(env->efer & EFER_LMA))) : type == 2;
    if ((e2 & DESC_S) || !ok)
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    if (!(e2 & DESC_P))
        x86_raise_exception_ra(env, EXCP_NP, selector & 0xfffc, true, ra);
    if ((env->efer & EFER_LMA) && !read_descriptor_hi(env, selector, &e3, ra))
        x86_raise_exception_ra(env, EXCP_GP, selector & 0xfffc, true, ra);
    x86_seg_cache_from_desc(sc, selector, e1, e2);
    sc->base |= (uint64_t)e3 << 32;
    if (is_tr) {
        /* Mark the TSS busy (type bit 1) in the GDT and in the cache. */
        e2 |= 2u << DESC_TYPE_SHIFT;
        x86_st_kernel(env, env->gdt.base + (selector & ~7u) + 4, e2, 4, ra);
        sc->flags = e2 & 0x00f0ff00;
    }
}

void helper_lldt(X86CPUState *env, uint32_t selector)
{
    load_system_seg(env, selector, &env->ldt, false, GETPC());
}

void helper_ltr(X86CPUState *env, uint32_t selector)
{
    load_system_seg(env, selector, &env->tr, true, GETPC());
}

static void set_zf(X86CPUState *env, bool zf)
{
    uint32_t f = x86_cc_compute(env);
    f = zf ? (f | EFLAGS_ZF) : (f & ~EFLAGS_ZF);
    x86_cc_set_eflags(env, f);
}

/* Common visibility rule of LAR/LSL/VERR/VERW: a non-conforming segment is visible only if
 * DPL >= CPL and DPL >= RPL. Returns false (ZF = 0) when the selector is unusable. */
static bool probe_selector(X86CPUState *env, uint32_t selector, uint32_t *e1, uint32_t *e2,
                           uintptr_t ra)
{
    selector &= 0xffff;
    if ((selector & 0xfffc) == 0 || !x86_read_descriptor(env, selector, e1, e2, ra))
        return false;
    int dpl = desc_dpl(*e2), cpl = x86_cpl(env), rpl = selector & 3;
    bool conforming_code = (*e2 & DESC_S) && (*e2 & DESC_CS_MASK) && (*e2 & DESC_C_MASK);
    return conforming_code || (dpl >= cpl && dpl >= rpl);
}

static bool system_type_ok(X86CPUState *env, int type, bool for_lar)
{
    /* Intel SDM 2, LAR and LSL: valid system types differ in IA-32e mode. */
    if (env->efer & EFER_LMA)
        return type == 2 || type == 9 || type == 11 || (for_lar && type == 12);
    switch (type) {
    case 1: case 2: case 3: case 9: case 11:
        return true;
    case 4: case 5: case 12:
        return for_lar;
    default:
        return false;
    }
}

uint64_t helper_lar(X86CPUState *env, uint32_t selector, uint64_t old)
{
    uint32_t e1, e2;
    if (!probe_selector(env, selector, &e1, &e2, GETPC()) ||
        (!(e2 & DESC_S) && !system_type_ok(env, desc_type(e2), true))) {
        set_zf(env, false);
        return old;
    }
    set_zf(env, true);
    return e2 & 0x00f0ff00;
}

uint64_t helper_lsl(X86CPUState *env, uint32_t selector, uint64_t old)
{
    uint32_t e1, e2;
    if (!probe_selector(env, selector, &e1, &e2, GETPC()) ||
        (!(e2 & DESC_S) && !system_type_ok(env, desc_type(e2), false))) {
        set_zf(env, false);
        return old;
    }
    SegmentCache tmp;
    x86_seg_cache_from_desc(&tmp, selector, e1, e2);
    set_zf(env, true);
    return tmp.limit;
}

void helper_verr(X86CPUState *env, uint32_t selector)
{
    uint32_t e1, e2;
    bool ok = probe_selector(env, selector, &e1, &e2, GETPC()) && (e2 & DESC_S) &&
              (!(e2 & DESC_CS_MASK) || (e2 & DESC_R_MASK));
    set_zf(env, ok);
}

void helper_verw(X86CPUState *env, uint32_t selector)
{
    uint32_t e1, e2;
    bool ok = probe_selector(env, selector, &e1, &e2, GETPC()) && (e2 & DESC_S) &&
              !(e2 & DESC_CS_MASK) && (e2 & DESC_W_MASK);
    set_zf(env, ok);
}
