/* cputlb.h: the soft MMU of the TCG accelerator — per-CPU TLB, guest memory accessors for helpers,
 * precise exits back to the execution loop. */
#ifndef ACCEL_TCG_CPUTLB_H
#define ACCEL_TCG_CPUTLB_H

#include "util/osdep.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/helper-tr.h"
#include "tcg/tcg.h"
#include <setjmp.h>

#define TLB_PAGE_BITS 12
#define TLB_PAGE_SIZE (1ull << TLB_PAGE_BITS)
#define TLB_PAGE_MASK (~(TLB_PAGE_SIZE - 1))
/* Tag flags in the low bits (tcg/tcg.h: any low bit set sends the access to the slow path). */
#define TLB_MMIO     (1ull << 1)    /* not plain RAM: dispatch through the address space */
#define TLB_NOTDIRTY (1ull << 2)    /* writes must invalidate translated code / log dirty pages */
#define TLB_WATCH    (1ull << 3)    /* a data breakpoint (DR0-DR3) covers part of the page */
#define TLB_ALIGN    (1ull << 4)    /* X86_MMU_USER_AC: every access checks its alignment */
#define TLB_EMPTY    (~0ull)

#define TLB_VICTIMS 8

typedef struct AccelCPU {
    X86CPU *cpu;
    sigjmp_buf jmp_env;
    TCGJumpCache jc;
    /* Physical page behind each TLB entry (for MMIO and code invalidation). */
    uint64_t tlb_paddr[X86_NB_MMU_MODES][1 << X86_TLB_BITS];
    /* Entries a fill pushed out, searched before walking the page tables: pages that share an
     * index (code at 1 MiB and data at 2 MiB) would otherwise evict each other on every access. */
    X86TLBEntry victim[X86_NB_MMU_MODES][TLB_VICTIMS];
    uint64_t victim_paddr[X86_NB_MMU_MODES][TLB_VICTIMS];
    unsigned victim_next[X86_NB_MMU_MODES];
    bool large_page_seen;          /* tlb_flush_page must flush everything */
    uint32_t next_cflags;          /* cflags of the next block (1: single instruction) */
    uint32_t watch_hits;           /* data breakpoints the running instruction hit (DR6 B0-B3) */
    struct AccelCPU *next;
    /* Guest debugging (gdb stub). */
    bool single_step;
    bool skip_bp;                  /* resuming at a breakpoint: run it once */
    uint64_t skip_bp_pc;
} AccelCPU;

static inline AccelCPU *tcg_accel_cpu(X86CPUState *env)
{
    return container_of(env, X86CPU, env)->accel;
}

/* Guest memory at a linear address through the TLB of mmu_idx; faults raise #PF and restore the
 * guest state of the instruction at retaddr (0: env is already exact). */
uint8_t cpu_ldub_mmu(X86CPUState *env, uint64_t vaddr, int mmu_idx, uintptr_t retaddr);
uint16_t cpu_lduw_mmu(X86CPUState *env, uint64_t vaddr, int mmu_idx, uintptr_t retaddr);
uint32_t cpu_ldl_mmu(X86CPUState *env, uint64_t vaddr, int mmu_idx, uintptr_t retaddr);
uint64_t cpu_ldq_mmu(X86CPUState *env, uint64_t vaddr, int mmu_idx, uintptr_t retaddr);
void cpu_stb_mmu(X86CPUState *env, uint64_t vaddr, uint64_t val, int mmu_idx, uintptr_t retaddr);
void cpu_stw_mmu(X86CPUState *env, uint64_t vaddr, uint64_t val, int mmu_idx, uintptr_t retaddr);
void cpu_stl_mmu(X86CPUState *env, uint64_t vaddr, uint64_t val, int mmu_idx, uintptr_t retaddr);
void cpu_stq_mmu(X86CPUState *env, uint64_t vaddr, uint64_t val, int mmu_idx, uintptr_t retaddr);
uint64_t tlb_ld(X86CPUState *env, uint64_t vaddr, unsigned size, int mmu_idx, uintptr_t retaddr);
void tlb_st(X86CPUState *env, uint64_t vaddr, uint64_t val, unsigned size, int mmu_idx, uintptr_t retaddr);

void tlb_flush(X86CPUState *env);
void tlb_flush_page(X86CPUState *env, uint64_t vaddr);
/* Physical address of the code page at vaddr (fetch access); raises #PF (retaddr 0). */
uint64_t tlb_get_code_page(X86CPUState *env, uint64_t vaddr);
/* A new block has code in this physical page: make every TLB send writes there to the slow path. */
void tlb_protect_code(uint64_t phys_page);

NORETURN void cpu_loop_exit_restore(X86CPUState *env, uintptr_t retaddr);
NORETURN void cpu_loop_exit(X86CPUState *env);
/* Restore rip/cc_op of the guest instruction containing retaddr (no-op for 0). */
void cpu_restore_state(X86CPUState *env, uintptr_t retaddr);

int x86_mmu_index(X86CPUState *env);
int x86_mmu_index_kernel(X86CPUState *env);

/* Set up the TLB layout for tcg_init, and register a CPU's TLB with code invalidation. */
extern const TCGSoftTLB x86_soft_tlb;
void tcg_cputlb_register_cpu(AccelCPU *ac);
void tcg_cputlb_init(void);

#endif
