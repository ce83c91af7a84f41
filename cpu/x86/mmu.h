/* mmu.h: the x86 page walk — linear to physical translation with protection checks and
 * accessed/dirty updates (Intel SDM 3A ch. 4), called by accel/tcg's TLB fill. */
#ifndef CPU_X86_MMU_H
#define CPU_X86_MMU_H

#include "cpu/x86/cpu.h"

/* MMU indexes as accel/tcg defines them (cpu/x86/helper-tr.h); the page walk only needs to
 * know which one it is walking for. */
#if __has_include("cpu/x86/helper-tr.h")
#include "cpu/x86/helper-tr.h"
#else
enum { X86_MMU_KSMAP = 0, X86_MMU_USER = 1, X86_MMU_KERNEL = 2, X86_MMU_PHYS = 3, X86_MMU_USER_AC = 4 };
#define X86_PAGE_READ  1
#define X86_PAGE_WRITE 2
#define X86_PAGE_EXEC  4
#endif

/* X86_ACCESS_DEBUG: a debugger's access — no rights checks, no accessed/dirty updates. */
enum { X86_ACCESS_READ = 0, X86_ACCESS_WRITE = 1, X86_ACCESS_FETCH = 2, X86_ACCESS_DEBUG = 3 };

/* #PF error code bits (Intel SDM 3A 4.7). */
#define PF_ERR_P    (1u << 0)
#define PF_ERR_W    (1u << 1)
#define PF_ERR_U    (1u << 2)
#define PF_ERR_RSVD (1u << 3)
#define PF_ERR_I    (1u << 4)

/* Physical address width vireo reports in CPUID 0x80000008 (reserved-bit checks use it). */
#define X86_PHYS_BITS 40

/*
 * Translate vaddr for an access (X86_ACCESS_*) at mmu_idx (X86_MMU_*). Returns 0 and sets
 * *paddr (the physical address of vaddr itself, A20 applied), *prot (X86_PAGE_* the TLB may
 * allow for the whole page without another walk: WRITE only once the dirty bit is set) and
 * *page_size; or returns 1 with *pf_error_code for a #PF (the caller sets CR2 and raises).
 * Accessed and dirty bits are set in guest memory (cpu->as) on success.
 */
int x86_mmu_translate(X86CPUState *env, uint64_t vaddr, int access, int mmu_idx, uint64_t *paddr,
                      int *prot, uint64_t *page_size, uint32_t *pf_error_code);

/* The physical address behind a linear address for a debugger (gdb stub, monitor); false if
 * it is not mapped. */
bool x86_mmu_debug_translate(X86CPUState *env, uint64_t vaddr, uint64_t *paddr);

#endif
