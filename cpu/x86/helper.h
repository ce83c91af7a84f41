/* helper.h: the x86 system helpers the translator calls (segments, interrupts, CRs, MSRs, CPUID,
 * x87, SSE), and the narrow memory-access interface those helpers use.
 *
 * Guest memory: the helpers never touch the soft TLB directly. accel/tcg installs its
 * accessors once with x86_set_mem_ops() (cpu_ld*_mmu/cpu_st*_mmu, tlb_flush*,
 * cpu_loop_exit_restore, the MMU index of the current CPL and of supervisor accesses); unit
 * tests install a flat-memory double. This keeps cpu/x86 free of tcg/ and lets both link
 * into one binary without duplicate symbols.
 *
 * Exceptions: helpers raise with x86_raise_exception*() (cpu/x86/excp.h), which records the
 * event in env and leaves through ops->loop_exit; the execution loop then calls
 * x86_deliver_pending(env) (or sees env->triple_fault and stops the machine).
 */
#ifndef CPU_X86_HELPER_H
#define CPU_X86_HELPER_H

#include "cpu/x86/cpu.h"

typedef struct X86MemOps {
    /* Little-endian access of 1, 2, 4 or 8 bytes at a linear address, through the TLB of
     * mmu_idx; a fault raises #PF (retaddr restores the guest state). */
    uint64_t (*ld)(X86CPUState *env, uint64_t vaddr, unsigned size, int mmu_idx, uintptr_t retaddr);
    void (*st)(X86CPUState *env, uint64_t vaddr, uint64_t val, unsigned size, int mmu_idx,
               uintptr_t retaddr);
    void (*tlb_flush)(X86CPUState *env);
    void (*tlb_flush_page)(X86CPUState *env, uint64_t vaddr);
    /* cpu_loop_exit_restore: restore guest state for retaddr (if non-zero) and longjmp out. */
    void (*loop_exit)(X86CPUState *env, uintptr_t retaddr);   /* must not return */
    /* MMU index for accesses at the current CPL, and for implicit supervisor accesses
     * (descriptor tables, TSS, interrupt stacks at CPL 0). */
    int (*mmu_index)(X86CPUState *env);
    int (*mmu_index_kernel)(X86CPUState *env);
} X86MemOps;

extern const X86MemOps *x86_mem_ops;
void x86_set_mem_ops(const X86MemOps *ops);

static inline NORETURN void x86_loop_exit(X86CPUState *env, uintptr_t retaddr)
{
    x86_mem_ops->loop_exit(env, retaddr);
    __builtin_unreachable();
}

static inline uint64_t x86_ld_kernel(X86CPUState *env, uint64_t addr, unsigned size, uintptr_t ra)
{
    return x86_mem_ops->ld(env, addr, size, x86_mem_ops->mmu_index_kernel(env), ra);
}
static inline void x86_st_kernel(X86CPUState *env, uint64_t addr, uint64_t v, unsigned size,
                                 uintptr_t ra)
{
    x86_mem_ops->st(env, addr, v, size, x86_mem_ops->mmu_index_kernel(env), ra);
}
static inline uint64_t x86_ld_data(X86CPUState *env, uint64_t addr, unsigned size, uintptr_t ra)
{
    return x86_mem_ops->ld(env, addr, size, x86_mem_ops->mmu_index(env), ra);
}
static inline void x86_st_data(X86CPUState *env, uint64_t addr, uint64_t v, unsigned size,
                               uintptr_t ra)
{
    x86_mem_ops->st(env, addr, v, size, x86_mem_ops->mmu_index(env), ra);
}

static inline int x86_cpl(const X86CPUState *env)
{
    return env->hflags & HF_CPL_MASK;
}

/* ---- interrupts and exceptions (seg_helper_int.c) ---- */
/* Deliver an event now: vector through the IVT/IDT of the current mode. is_sw_int: INT n /
 * INT3 / INTO (DPL check against CPL, return address next_rip); is_hw: external interrupt or
 * NMI. Exceptions push env->rip (the faulting instruction). */
void x86_do_interrupt(X86CPUState *env, int vector, bool is_sw_int, bool has_err, uint32_t err,
                      uint64_t next_rip, bool is_hw);
/* Deliver what x86_raise_exception* recorded in env; no-op if nothing is pending. */
void x86_deliver_pending(X86CPUState *env);
/* INT n, INT3, INTO: record a software interrupt returning to next_rip and leave the block. */
NORETURN void helper_raise_interrupt(X86CPUState *env, int vector, uint64_t next_rip);
/* IRET: shift 0 = 16-bit, 1 = 32-bit, 2 = 64-bit operand size. */
void helper_iret(X86CPUState *env, int shift, uint64_t next_rip);

/* ---- segments and far transfers (seg_helper.c) ---- */
void helper_load_seg(X86CPUState *env, int seg, uint32_t selector);
void helper_ljmp(X86CPUState *env, uint32_t selector, uint64_t new_rip, uint64_t next_rip);
void helper_lcall(X86CPUState *env, uint32_t selector, uint64_t new_rip, int shift,
                  uint64_t next_rip);
void helper_lret(X86CPUState *env, int shift, int addend);
void helper_lgdt(X86CPUState *env, uint64_t base, uint32_t limit);
void helper_lidt(X86CPUState *env, uint64_t base, uint32_t limit);
void helper_lldt(X86CPUState *env, uint32_t selector);
void helper_ltr(X86CPUState *env, uint32_t selector);
/* LAR/LSL: set ZF (as CC_OP_EFLAGS) and return the value, or clear ZF and return `old`. */
uint64_t helper_lar(X86CPUState *env, uint32_t selector, uint64_t old);
uint64_t helper_lsl(X86CPUState *env, uint32_t selector, uint64_t old);
void helper_verr(X86CPUState *env, uint32_t selector);
void helper_verw(X86CPUState *env, uint32_t selector);
/* Read a descriptor's two dwords; false if the selector is outside its table. */
bool x86_read_descriptor(X86CPUState *env, uint32_t selector, uint32_t *e1, uint32_t *e2,
                         uintptr_t ra);
void x86_seg_cache_from_desc(SegmentCache *sc, uint32_t selector, uint32_t e1, uint32_t e2);

/* ---- task switch (seg_helper_task.c) ---- */
enum { TASK_SWITCH_JMP, TASK_SWITCH_CALL, TASK_SWITCH_IRET, TASK_SWITCH_INT };
void x86_task_switch(X86CPUState *env, uint32_t tss_selector, uint32_t e1, uint32_t e2, int source,
                     uint64_t next_rip, uintptr_t ra);

/* ---- system instructions (sys_helper.c) ---- */
void helper_syscall(X86CPUState *env, uint64_t next_rip);
void helper_sysret(X86CPUState *env, int dflag /* 1: 32-bit, 2: 64-bit */);
void helper_sysenter(X86CPUState *env);
void helper_sysexit(X86CPUState *env, int dflag);
void helper_write_crN(X86CPUState *env, int reg, uint64_t value);
uint64_t helper_read_crN(X86CPUState *env, int reg);
void helper_write_drN(X86CPUState *env, int reg, uint64_t value);
uint64_t helper_read_drN(X86CPUState *env, int reg);
void helper_clts(X86CPUState *env);
void helper_lmsw(X86CPUState *env, uint32_t value);
void helper_invlpg(X86CPUState *env, uint64_t addr);
/* The guest TSC without the CR4.TSD check (for the MSR and for the accelerator). */
uint64_t x86_read_tsc(X86CPUState *env);
/* The translated CPU's TSC rate: CLOCK_VIRTUAL nanoseconds (cpu/x86/sys_helper.c). */
#define X86_TSC_HZ 1000000000ULL
uint64_t helper_rdtsc(X86CPUState *env);
/* Returns the TSC; *aux receives TSC_AUX. */
uint64_t helper_rdtscp(X86CPUState *env, uint32_t *aux);
/* Raise #GP(0) unless CPL <= IOPL or the TSS I/O bitmap allows `size` bytes at `port`. */
void helper_check_io(X86CPUState *env, uint32_t port, unsigned size);
/* HLT: #GP(0) at CPL > 0, else env->halted = true (the loop waits for an interrupt). */
void helper_hlt(X86CPUState *env, uint64_t next_rip);
void helper_rdmsr(X86CPUState *env);              /* ECX -> EDX:EAX */
void helper_wrmsr(X86CPUState *env);              /* EDX:EAX -> MSR[ECX] */
/* MSR access without the #GP: false if the MSR does not exist or the value is invalid. */
bool x86_msr_read(X86CPUState *env, uint32_t index, uint64_t *value);
bool x86_msr_write(X86CPUState *env, uint32_t index, uint64_t value);
void helper_cpuid(X86CPUState *env);              /* EAX, ECX -> EAX, EBX, ECX, EDX */
/* Debug registers (SDM 3A 17.2): which enabled DR0-3 breakpoints an instruction fetch at
 * linear_rip (0 when EFLAGS.RF is set) or a data access hits, as a B0-B3 mask; and the #DB
 * (DR6 updated; single_step sets BS for a TF trap). Instruction breakpoints are faults
 * (check before executing), data breakpoints and single-step are traps (after). */
uint32_t x86_debug_check_code(X86CPUState *env, uint64_t linear_rip);
uint32_t x86_debug_check_data(X86CPUState *env, uint64_t addr, unsigned len, int is_write);
NORETURN void x86_debug_raise(X86CPUState *env, uint32_t hits, bool single_step, uintptr_t retaddr);
void x86_cpuid(X86CPUState *env, uint32_t leaf, uint32_t subleaf, uint32_t *eax, uint32_t *ebx,
               uint32_t *ecx, uint32_t *edx);

/* ---- x87 (fpu_helper*.c). ST(i) is fpregs[(fpstt + i) & 7]. Exceptions follow the x87
 * rules: flags go to FSW; an unmasked one sets ES/B and is delivered as #MF by the next
 * waiting instruction (helper_fwait, which the translator calls before every x87 instruction
 * except FNINIT/FNCLEX/FNSTCW/FNSTSW/FNSTENV/FNSAVE). #NM (CR0.EM/TS) is the translator's. ---- */
/*
 * Opcode map (Intel SDM 2, table A-7..A-22), reg = ModRM.reg, i = ModRM.rm:
 *   D8 /reg m32, DC m64, DA m32int, DE m16int: load the operand into FT0 (helper_flds_FT0,
 *     helper_fldl_FT0, helper_fild_FT0), then reg 0,1,4-7: helper_farith(env, reg, 0, FPU_FT0);
 *     reg 2/3: helper_fcom(env, FPU_FT0, 0) (+ helper_fpop for 3).
 *   D8 C0+reg*8+i: helper_farith(env, reg, 0, i) / FCOM(P) ST(i).
 *   DC and DE register forms (ST(i) = ST(i) op ST0): helper_farith(env, reg < 4 ? reg : reg ^ 1,
 *     i, 0), DE also pops; DE D9 is FCOMPP (fcom 1, pop, pop).
 *   D9 /0 /2 /3 m32, DD /0 /2 /3 m64, DB /5 /7 m80: flds/fldl/fldt_ST0, fsts/fstl/fstt_ST0.
 *   DB /0 /2 /3, DF /0 /2 /3 /5 /7, DD /1, DB /1, DF /1: fild_ST0 / fist_ST0 / fistt_ST0.
 *   DF /4 /6: fbld_ST0, fbstp_ST0.  D9 C0+i FLD ST(i): fld_STN; DD D0+i/D8+i: fst_STN (+pop);
 *   D9 C8+i: fxch_STN; DD C0+i: ffree_STN; DA/DB C0..DF: FCMOVcc = helper_fcmov(n, cc).
 *   DB E8+i/F0+i, DF E8+i/F0+i: helper_fcomi(env, i, unordered) (+ pop for DF).
 *   D9 E8..EE: helper_fldconst(env, rm). D9 E0 FCHS .. FF FCOS: the unary helpers below.
 */
enum { FOP_ADD = 0, FOP_MUL = 1, FOP_SUB = 4, FOP_SUBR = 5, FOP_DIV = 6, FOP_DIVR = 7 };
#define FPU_FT0 8   /* operand index meaning env->ft0 (a memory operand) */
void helper_fwait(X86CPUState *env);
/* Memory operands into FT0 (integers: the translator sign-extends m16/m32). */
void helper_flds_FT0(X86CPUState *env, uint32_t v);
void helper_fldl_FT0(X86CPUState *env, uint64_t v);
void helper_fild_FT0(X86CPUState *env, int64_t v);
/* Loads that push. */
void helper_flds_ST0(X86CPUState *env, uint32_t v);
void helper_fldl_ST0(X86CPUState *env, uint64_t v);
void helper_fild_ST0(X86CPUState *env, int64_t v);
void helper_fldt_ST0(X86CPUState *env, uint64_t addr);
void helper_fbld_ST0(X86CPUState *env, uint64_t addr);
void helper_fld_STN(X86CPUState *env, int n);
/* FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ: k = ModRM rm (0..6) of D9 E8+k. */
void helper_fldconst(X86CPUState *env, int k);
/* Stores of ST0 to the linear address addr (the helper stores, because an unmasked exception
 * must leave memory unchanged); the translator pops afterwards for the P forms (helper_fpop). */
void helper_fsts_ST0(X86CPUState *env, uint64_t addr);
void helper_fstl_ST0(X86CPUState *env, uint64_t addr);
void helper_fist_ST0(X86CPUState *env, uint64_t addr, int bits);
void helper_fistt_ST0(X86CPUState *env, uint64_t addr, int bits);
void helper_fstt_ST0(X86CPUState *env, uint64_t addr);
void helper_fbstp_ST0(X86CPUState *env, uint64_t addr);    /* stores and pops */
void helper_fst_STN(X86CPUState *env, int n);              /* ST(n) = ST0 */
void helper_fcmov(X86CPUState *env, int n, uint64_t taken);  /* FCMOVcc: ST0 = ST(n) if taken */
void helper_fpop(X86CPUState *env);
void helper_fincstp(X86CPUState *env);
void helper_fdecstp(X86CPUState *env);
void helper_ffree_STN(X86CPUState *env, int n);
void helper_fxch_STN(X86CPUState *env, int n);
/* ST(dst) = ST(dst) op ST(src) (src FPU_FT0: the memory operand); op FOP_*. */
void helper_farith(X86CPUState *env, int op, int dst, int src);
/* FCOM/FUCOM ST0 with ST(src) or FT0: C0/C2/C3. FCOMI/FUCOMI: ZF/PF/CF. */
void helper_fcom(X86CPUState *env, int src, int unordered);
void helper_fcomi(X86CPUState *env, int src, int unordered);
void helper_fchs(X86CPUState *env);
void helper_fabs(X86CPUState *env);
void helper_ftst(X86CPUState *env);
void helper_fxam(X86CPUState *env);
void helper_fsqrt(X86CPUState *env);
void helper_frndint(X86CPUState *env);
void helper_fscale(X86CPUState *env);
void helper_fxtract(X86CPUState *env);
void helper_fprem(X86CPUState *env);
void helper_fprem1(X86CPUState *env);
void helper_f2xm1(X86CPUState *env);
void helper_fyl2x(X86CPUState *env);
void helper_fyl2xp1(X86CPUState *env);
void helper_fptan(X86CPUState *env);
void helper_fpatan(X86CPUState *env);
void helper_fsin(X86CPUState *env);
void helper_fcos(X86CPUState *env);
void helper_fsincos(X86CPUState *env);
void helper_fninit(X86CPUState *env);
void helper_fldcw(X86CPUState *env, uint16_t cw);
uint16_t helper_fnstsw(X86CPUState *env);
void helper_fnclex(X86CPUState *env);
/* data32: operand size 32 (else 16); protected-mode layout unless real/v86 mode. */
void helper_fnstenv(X86CPUState *env, uint64_t addr, int data32);
void helper_fldenv(X86CPUState *env, uint64_t addr, int data32);
void helper_fnsave(X86CPUState *env, uint64_t addr, int data32);
void helper_frstor(X86CPUState *env, uint64_t addr, int data32);
/* FXSAVE/FXRSTOR (512 bytes, 16-byte aligned: #GP(0) otherwise); rex_w: 64-bit FIP/FDP. */
void helper_fxsave(X86CPUState *env, uint64_t addr, int rex_w);
void helper_fxrstor(X86CPUState *env, uint64_t addr, int rex_w);
/* XSAVE/XRSTOR/XSAVEOPT (standard format; 64-byte aligned), XGETBV/XSETBV. The XSAVE state
 * components vireo implements (Intel SDM 1, 13.1) and where the standard format puts them. */
#define XSTATE_X87 1ULL
#define XSTATE_SSE 2ULL
#define XSTATE_YMM 4ULL                 /* YMM_Hi128: bits 255:128 of YMM0-15 */
#define XSTATE_SUPPORTED (XSTATE_X87 | XSTATE_SSE | XSTATE_YMM)
#define XSAVE_YMM_OFFSET 576
#define XSAVE_YMM_SIZE 256
void helper_xsave(X86CPUState *env, uint64_t addr, int rex_w);
void helper_xrstor(X86CPUState *env, uint64_t addr, int rex_w);
uint64_t helper_xgetbv(X86CPUState *env, uint32_t ecx);
void helper_xsetbv(X86CPUState *env, uint32_t ecx, uint64_t value);
/* The FSW as FNSTSW reads it (TOP folded in). */
uint16_t x86_fpu_status_word(const X86CPUState *env);

#include "cpu/x86/helper-sse.h"
#include "cpu/x86/helper-avx.h"

#endif
