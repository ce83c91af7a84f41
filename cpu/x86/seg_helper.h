/* seg_helper.h: internals shared by the segmentation, interrupt and task-switch helpers. */
#ifndef CPU_X86_SEG_HELPER_H
#define CPU_X86_SEG_HELPER_H

#include "cpu/x86/helper.h"
#include "cpu/x86/excp.h"

/* A stack being pushed or popped by a helper: SS base, stack pointer, address-size mask. */
typedef struct X86Stack {
    uint64_t base, sp, mask;
    int mmu_idx;
    uintptr_t ra;
} X86Stack;

static inline void stack_push(X86CPUState *env, X86Stack *s, uint64_t val, unsigned size)
{
    s->sp = (s->sp - size) & s->mask;
    x86_mem_ops->st(env, (s->base + s->sp) & (s->mask == ~0ULL ? ~0ULL : 0xffffffffULL), val,
                    size, s->mmu_idx, s->ra);
}

static inline uint64_t stack_pop(X86CPUState *env, X86Stack *s, unsigned size)
{
    uint64_t v = x86_mem_ops->ld(env, (s->base + s->sp) & (s->mask == ~0ULL ? ~0ULL : 0xffffffffULL),
                                 size, s->mmu_idx, s->ra);
    s->sp = (s->sp + size) & s->mask;
    return v;
}

/* The address-size mask of a stack segment: 64-bit in 64-bit mode, else SS.B. */
static inline uint64_t stack_mask_of(const X86CPUState *env, uint32_t ss_flags)
{
    if (env->hflags & HF_CS64)
        return ~0ULL;
    return (ss_flags & DESC_B) ? 0xffffffffULL : 0xffff;
}

/* Write back the stack pointer, keeping the bits above the mask (Intel SDM: a 16-bit stack
 * only changes SP). */
static inline void stack_commit(X86CPUState *env, const X86Stack *s)
{
    if (s->mask == 0xffff)
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffULL) | s->sp;
    else
        env->regs[R_ESP] = s->sp;   /* a 32-bit write zero-extends in long mode too */
}

static inline void stack_init_current(X86CPUState *env, X86Stack *s, uintptr_t ra)
{
    s->base = (env->hflags & HF_CS64) ? 0 : env->segs[R_SS].base;
    s->mask = stack_mask_of(env, env->segs[R_SS].flags);
    s->sp = env->regs[R_ESP] & s->mask;
    s->mmu_idx = x86_mem_ops->mmu_index(env);
    s->ra = ra;
}

static inline uint32_t desc_dpl(uint32_t e2)
{
    return (e2 >> DESC_DPL_SHIFT) & 3;
}
static inline uint32_t desc_type(uint32_t e2)
{
    return (e2 >> DESC_TYPE_SHIFT) & 15;
}

/* Load a segment register from a descriptor, setting its accessed bit in the table. */
void x86_load_seg_cache(X86CPUState *env, int seg, uint32_t selector, uint32_t e1, uint32_t e2);
void x86_set_desc_accessed(X86CPUState *env, uint32_t selector, uint32_t e2, uintptr_t ra);
/* The inner stack SS:ESP for privilege `dpl` from the current TSS (32- or 16-bit TSS). */
void x86_tss_get_stack(X86CPUState *env, int dpl, uint32_t *ss, uint64_t *sp, uintptr_t ra);
/* Long mode: RSPn (ist = 0) or ISTn from the 64-bit TSS. */
uint64_t x86_tss64_get_stack(X86CPUState *env, int dpl, int ist, uintptr_t ra);
/* Load a null selector; a null SS keeps DPL = rpl_dpl so hflags still know the CPL. */
void x86_load_null_seg(X86CPUState *env, int seg, uint32_t selector, int rpl_dpl);
/* Null the data segment registers that the new (outer) privilege level may not use. */
void x86_validate_data_segs(X86CPUState *env, int cpl);
/* Checks of a stack segment selector for an inner-privilege transfer; raises #TS/#SS. */
void x86_check_inner_ss(X86CPUState *env, uint32_t ss_sel, int dpl, uint32_t *e1, uint32_t *e2,
                        uintptr_t ra);

#endif
