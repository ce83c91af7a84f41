/* helper-tr.h: the translator's side of cpu/x86 — MMU indexes, block translation entry point and
 * the C helpers that translated code calls for complex integer instructions. */
#ifndef CPU_X86_HELPER_TR_H
#define CPU_X86_HELPER_TR_H

#include "cpu/x86/cpu.h"
#include "cpu/x86/cc.h"

#include "cpu/x86/helper.h"
#include "cpu/x86/excp.h"

/* Record an exception in env and leave the block (restoring the state of the instruction at
 * retaddr), through the double-fault logic of cpu/x86/excp.c. */
NORETURN void x86_tr_raise(X86CPUState *env, int vector, uint32_t err, bool has_err, uintptr_t retaddr);
/* accel/tcg: restore the guest state for retaddr and longjmp to the execution loop. */
NORETURN void cpu_loop_exit_restore(X86CPUState *env, uintptr_t retaddr);

/*
 * MMU indexes of the soft TLB (one TLB table each; x86_mmu_translate gets them too):
 *   X86_MMU_KSMAP  supervisor access with SMAP enforced (CR4.SMAP and EFLAGS.AC clear)
 *   X86_MMU_USER   CPL 3 access (or an explicit user access)
 *   X86_MMU_KERNEL supervisor access, user pages allowed (no SMAP, or AC set)
 *   X86_MMU_PHYS   paging disabled: linear address = physical address (A20 applied)
 *   X86_MMU_USER_AC CPL 3 access with alignment checking (CR0.AM and EFLAGS.AC, SDM 3A 6.15 #AC)
 */
enum { X86_MMU_KSMAP = 0, X86_MMU_USER = 1, X86_MMU_KERNEL = 2, X86_MMU_PHYS = 3, X86_MMU_USER_AC = 4 };

/* Page protection bits that x86_mmu_translate returns in *prot. */
#define X86_PAGE_READ  1
#define X86_PAGE_WRITE 2
#define X86_PAGE_EXEC  4

/* Insn-start word 1 when the static cc_op is unknown (env->cc_op is already right). */
#define X86_CC_OP_DYNAMIC 0xffffffffu

int x86_mmu_index_for(const X86CPUState *env, uint32_t hflags);
static inline int x86_tr_mmu_index(const X86CPUState *env)
{
    return x86_mmu_index_for(env, env->hflags);
}
int x86_tr_mmu_index_kernel(const X86CPUState *env);

struct TranslationBlock;
/* Debugger breakpoints (linear addresses): blocks end before them so the loop can stop there. */
#define X86_TR_MAX_BPS 16
extern uint64_t x86_tr_bps[X86_TR_MAX_BPS];
extern int x86_tr_nbps;
static inline bool x86_tr_is_bp(uint64_t pc)
{
    for (int i = 0; i < x86_tr_nbps; i++)
        if (x86_tr_bps[i] == pc)
            return true;
    return false;
}

/* Create the TCG globals for env's fields (once, after tcg_init). */
void x86_translate_init(void);
/* tcg_tb_gen callback: translate the block at tb->pc; opaque is the X86CPU. */
void x86_translate_tb(struct TranslationBlock *tb, void *opaque);

/* Code fetch for the translator (accel/tcg): one byte at a linear address through the TLB,
 * without raising; false if the page cannot be fetched. *phys receives the physical address. */
bool x86_tr_fetch_code(X86CPUState *env, uint64_t vaddr, uint8_t *byte, uint64_t *phys);

/* Helpers called from translated code (cpu/x86/translate-helpers.c). */
void helper_tr_divb(X86CPUState *env, uint64_t divisor);
void helper_tr_idivb(X86CPUState *env, uint64_t divisor);
void helper_tr_divw(X86CPUState *env, uint64_t divisor);
void helper_tr_idivw(X86CPUState *env, uint64_t divisor);
void helper_tr_divl(X86CPUState *env, uint64_t divisor);
void helper_tr_idivl(X86CPUState *env, uint64_t divisor);
void helper_tr_divq(X86CPUState *env, uint64_t divisor);
void helper_tr_idivq(X86CPUState *env, uint64_t divisor);
uint64_t helper_tr_in(X86CPUState *env, uint32_t port, uint32_t size);
void helper_tr_out(X86CPUState *env, uint32_t port, uint64_t val, uint32_t size);
uint64_t helper_tr_read_eflags(X86CPUState *env);
void helper_tr_write_eflags(X86CPUState *env, uint64_t val, uint32_t mask);
void helper_tr_daa(X86CPUState *env);
void helper_tr_das(X86CPUState *env);
void helper_tr_aaa(X86CPUState *env);
void helper_tr_aas(X86CPUState *env);
void helper_tr_aam(X86CPUState *env, uint32_t base);
void helper_tr_aad(X86CPUState *env, uint32_t base);
void helper_tr_cmpxchg8b(X86CPUState *env, uint64_t addr, uint32_t mmu_idx);
void helper_tr_cmpxchg16b(X86CPUState *env, uint64_t addr, uint32_t mmu_idx);
uint64_t helper_tr_rdrand(X86CPUState *env);
NORETURN void helper_tr_raise(X86CPUState *env, uint32_t vector);
NORETURN void helper_tr_raise_err(X86CPUState *env, uint32_t vector, uint32_t err);
void helper_tr_unimplemented(X86CPUState *env, uint64_t insn_bytes_lo, uint32_t len);
void helper_tr_fetch_fault(X86CPUState *env, uint64_t vaddr);
uint64_t helper_tr_rotate(X86CPUState *env, uint64_t val, uint64_t count, uint32_t kind);
uint64_t helper_tr_shd(X86CPUState *env, uint64_t dst, uint64_t src, uint64_t count, uint32_t kind);
void helper_tr_cli(X86CPUState *env);
void helper_tr_sti(X86CPUState *env);
/* CLAC (set = 0) / STAC (set = 1): EFLAGS.AC, which selects the SMAP MMU index. */
void helper_tr_set_ac(X86CPUState *env, int set);
void helper_tr_rdtscp(X86CPUState *env);
void helper_tr_set_hlt(X86CPUState *env, uint64_t next_rip);

/* -d in_asm: disassemble guest code at a linear address with capstone (cpu/x86/translate-disas.c). */
void x86_log_disas(X86CPUState *env, uint64_t pc, uint32_t size, int code_bits);

#endif
