/* cpu.h: the architectural state of one x86 CPU — the single truth for TCG, KVM, gdb and snapshots. */
#ifndef CPU_X86_CPU_H
#define CPU_X86_CPU_H

#include "util/osdep.h"

/* General registers, in encoding order. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
/* Segment registers, in encoding order (Intel SDM 2, table 3-6 "Sreg"). */
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, X86_NSEGS };

/* EFLAGS (Intel SDM 1, 3.4.3). */
#define EFLAGS_CF   (1u << 0)
#define EFLAGS_FIXED (1u << 1)     /* reads as 1 */
#define EFLAGS_PF   (1u << 2)
#define EFLAGS_AF   (1u << 4)
#define EFLAGS_ZF   (1u << 6)
#define EFLAGS_SF   (1u << 7)
#define EFLAGS_TF   (1u << 8)
#define EFLAGS_IF   (1u << 9)
#define EFLAGS_DF   (1u << 10)
#define EFLAGS_OF   (1u << 11)
#define EFLAGS_IOPL (3u << 12)
#define EFLAGS_NT   (1u << 14)
#define EFLAGS_RF   (1u << 16)
#define EFLAGS_VM   (1u << 17)
#define EFLAGS_AC   (1u << 18)
#define EFLAGS_VIF  (1u << 19)
#define EFLAGS_VIP  (1u << 20)
#define EFLAGS_ID   (1u << 21)
#define EFLAGS_ARITH (EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)

/* CR0 / CR4 / EFER bits (Intel SDM 3A, 2.5 and 2.2.1). */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_VME        (1u << 0)
#define CR4_PVI        (1u << 1)
#define CR4_TSD        (1u << 2)
#define CR4_DE         (1u << 3)
#define CR4_PSE        (1u << 4)
#define CR4_PAE        (1u << 5)
#define CR4_MCE        (1u << 6)
#define CR4_PGE        (1u << 7)
#define CR4_PCE        (1u << 8)
#define CR4_OSFXSR     (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define CR4_UMIP       (1u << 11)
#define CR4_LA57       (1u << 12)
#define CR4_FSGSBASE   (1u << 16)
#define CR4_PCIDE      (1u << 17)
#define CR4_OSXSAVE    (1u << 18)
#define CR4_SMEP       (1u << 20)
#define CR4_SMAP       (1u << 21)
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define EFER_NXE (1u << 11)

/* MSR numbers (Intel SDM 4). */
#define MSR_IA32_TSC            0x10
#define MSR_IA32_APICBASE       0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_SYSENTER_CS    0x174
#define MSR_IA32_SYSENTER_ESP   0x175
#define MSR_IA32_SYSENTER_EIP   0x176
#define MSR_IA32_MISC_ENABLE    0x1a0
#define MSR_IA32_TSC_DEADLINE   0x6e0
#define MSR_MTRRcap             0xfe
#define MSR_MTRRphysBase0       0x200
#define MSR_MTRRfix64K_00000    0x250
#define MSR_MTRRfix16K_80000    0x258
#define MSR_MTRRfix16K_A0000    0x259
#define MSR_MTRRfix4K_C0000     0x268
#define MSR_IA32_PAT            0x277
#define MSR_MTRRdefType         0x2ff
#define MSR_EFER                0xc0000080
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_FMASK               0xc0000084
#define MSR_FSBASE              0xc0000100
#define MSR_GSBASE              0xc0000101
#define MSR_KERNELGSBASE        0xc0000102
#define MSR_TSC_AUX             0xc0000103

/* Exception vectors (Intel SDM 3A, table 6-1). */
enum { EXCP_DE = 0, EXCP_DB, EXCP_NMI, EXCP_BP, EXCP_OF, EXCP_BR, EXCP_UD, EXCP_NM,
       EXCP_DF, EXCP_CSO, EXCP_TS, EXCP_NP, EXCP_SS, EXCP_GP, EXCP_PF, EXCP_RSVD15,
       EXCP_MF, EXCP_AC, EXCP_MC, EXCP_XM, EXCP_VE };

/*
 * Descriptor flags in the layout of a descriptor's high dword (bits 8-23: type, S, DPL,
 * P, AVL, L, D/B, G), so that loading a descriptor is `flags = hi & 0x00f0ff00`.
 */
#define DESC_TYPE_SHIFT 8
#define DESC_TYPE_MASK  (15u << 8)
#define DESC_A   (1u << 8)
#define DESC_S   (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_DPL_MASK (3u << 13)
#define DESC_P   (1u << 15)
#define DESC_AVL (1u << 20)
#define DESC_L   (1u << 21)
#define DESC_B   (1u << 22)
#define DESC_G   (1u << 23)
#define DESC_CS_MASK (1u << 11)   /* code segment (with DESC_S) */
#define DESC_C_MASK  (1u << 10)   /* conforming (code) */
#define DESC_E_MASK  (1u << 10)   /* expand-down (data) */
#define DESC_R_MASK  (1u << 9)    /* readable (code) */
#define DESC_W_MASK  (1u << 9)    /* writable (data) */

typedef struct SegmentCache {
    uint64_t base;
    uint32_t limit;      /* effective byte limit (granularity already applied) */
    uint32_t flags;      /* DESC_* bits; DESC_P clear means unusable */
    uint16_t selector;
} SegmentCache;

typedef struct DescTable {
    uint64_t base;
    uint16_t limit;
} DescTable;

/* x87 register in its 80-bit memory format. */
typedef struct Float80 {
    uint64_t mant;
    uint16_t exp;        /* sign in bit 15 */
} Float80;

/* One AVX register; the low 16 bytes are the XMM register. */
typedef union YMMReg {
    uint8_t b[32];
    uint16_t w[16];
    uint32_t d[8];
    uint64_t q[4];
} YMMReg;

/* Interrupt requests raised asynchronously (by devices or other threads). */
enum {
    CPU_INTERRUPT_HARD  = 1u << 0,   /* INTR line asserted: ask the interrupt controller */
    CPU_INTERRUPT_NMI   = 1u << 1,
    CPU_INTERRUPT_SMI   = 1u << 2,
    CPU_INTERRUPT_INIT  = 1u << 3,
    CPU_INTERRUPT_SIPI  = 1u << 4,
    CPU_INTERRUPT_EXIT  = 1u << 5,   /* leave the execution loop (kick) */
    CPU_INTERRUPT_RESET = 1u << 6,
};

/* Lazy condition codes: how to compute EFLAGS_ARITH from cc_dst/cc_src/cc_src2. The
 * translator owns the full list (cpu/x86/cc.h); CC_OP_EFLAGS means "cc_src holds the flags". */
#define CC_OP_EFLAGS 0

/* hflags: mode bits derived from CR0/CR4/EFER/CS/SS/EFLAGS by x86_update_hflags(). The
 * translator keys blocks on them; every change of the underlying state must recompute them. */
#define HF_CPL_MASK   (3u << 0)
#define HF_PE         (1u << 2)    /* CR0.PE */
#define HF_VM         (1u << 3)    /* EFLAGS.VM: virtual-8086 */
#define HF_CS32       (1u << 4)    /* default operand size 32 (CS.D) */
#define HF_SS32       (1u << 5)    /* stack size 32 (SS.B) */
#define HF_LMA        (1u << 6)    /* EFER.LMA: IA-32e mode */
#define HF_CS64       (1u << 7)    /* 64-bit code segment (LMA and CS.L) */
#define HF_ADDSEG     (1u << 8)    /* some of DS/ES/SS has a non-zero base: add it */
#define HF_PG         (1u << 9)    /* CR0.PG */
#define HF_TF         (1u << 10)   /* EFLAGS.TF: single-step trap after each insn */
#define HF_IF         (1u << 11)   /* EFLAGS.IF (interrupts enabled) */
#define HF_SMAP_AC    (1u << 12)   /* EFLAGS.AC with CR4.SMAP */
#define HF_OSFXSR     (1u << 13)
#define HF_EM         (1u << 14)   /* CR0.EM */
#define HF_TS         (1u << 15)   /* CR0.TS */
#define HF_MP         (1u << 16)   /* CR0.MP */
#define HF_INHIBIT_IRQ (1u << 17)  /* interrupt shadow */
#define HF_OSXSAVE    (1u << 18)   /* CR4.OSXSAVE: XSAVE family and XGETBV/XSETBV usable */
#define HF_AVX        (1u << 19)   /* CR4.OSXSAVE and XCR0 enables SSE and AVX: VEX usable */
#define HF_DEBUG      (1u << 20)   /* DR7 enables a breakpoint: one insn per block, checked */
#define HF_ALIGN_CHECK (1u << 21)  /* CR0.AM and EFLAGS.AC: CPL-3 accesses raise #AC if misaligned */

#define X86_MAX_MSR_MTRR_VAR 8

/* One soft-TLB entry (accel/tcg): page-aligned virtual tags for read, write and fetch (low
 * bits flag slow-path cases, all ones is empty) and host address = guest address + addend. */
typedef struct X86TLBEntry {
    uint64_t addr_read, addr_write, addr_code;
    uintptr_t addend;
} X86TLBEntry;
#define X86_TLB_BITS 8
#define X86_NB_MMU_MODES 5

typedef struct X86CPUState {
    /* Integer state. */
    uint64_t regs[16];
    uint64_t rip;
    /* All EFLAGS bits except EFLAGS_ARITH and DF, which live in the lazy cc_* fields and df. */
    uint64_t eflags;
    uint64_t cc_dst, cc_src, cc_src2;
    uint32_t cc_op;
    int32_t df;                      /* +1 or -1: string direction */

    SegmentCache segs[X86_NSEGS];
    SegmentCache ldt, tr;
    DescTable gdt, idt;

    uint64_t cr[5];                  /* CR0, (CR1 unused), CR2, CR3, CR4 */
    uint64_t dr[8];                  /* DR4/5 alias DR6/7 and are never stored */
    uint64_t efer;
    uint64_t xcr0;

    /* MSRs. */
    uint64_t star, lstar, cstar, fmask, kernel_gs_base, tsc_aux;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat, apic_base, misc_enable, feature_control;
    uint64_t mtrr_deftype, mtrr_fixed[11];
    uint64_t mtrr_var_base[X86_MAX_MSR_MTRR_VAR], mtrr_var_mask[X86_MAX_MSR_MTRR_VAR];
    int64_t tsc_offset;              /* guest TSC = host-derived time + tsc_offset */

    /* x87 (Intel SDM 1, 8.1). fpregs[i] is physical register i (not ST(i)). */
    Float80 fpregs[8];
    uint16_t fpuc, fpus;             /* control word, status word without TOP */
    uint8_t fpstt;                   /* TOP */
    uint8_t fptag_empty[8];          /* 1 = physical register i is empty */
    uint16_t fpop;                   /* last opcode (11 bits) */
    uint64_t fpip, fpdp;             /* last instruction / data pointer */
    uint16_t fpcs, fpds;

    /* SSE/AVX. */
    YMMReg ymm[16];
    uint32_t mxcsr;

    /* accel/tcg (x86tr): kept in env so generated code reaches them at fixed offsets. Set
     * non-zero (any thread) to make every translated block exit at its start. */
    int32_t tcg_exit_request;
    /* Scratch for an MMX/SSE memory operand handed to a helper by pointer (translate-sse.c). */
    YMMReg tr_sse_tmp;
    /* Scratch for AVX: the result being built and a constant operand (translate-vex.c). */
    YMMReg tr_vex_tmp[2];
    /* The soft TLB, one table per MMU index (accel/tcg/cputlb.c; layout for tcg/tcg.h). */
    X86TLBEntry tlb_table[X86_NB_MMU_MODES][1 << X86_TLB_BITS];

    /* Execution control. */
    uint32_t hflags;                 /* derived mode bits (CPL, CS32, LMA, ...); translator-owned */
    uint32_t a20_mask;               /* 0xffffffff, or with bit 20 clear when A20 is disabled */
    bool halted;
    bool interrupt_shadow;           /* after STI / MOV SS: no interrupt before the next insn */
    bool nmi_blocked;
    /* Exception being delivered (for double-fault rules) or pending injection. */
    int32_t exception_pending;       /* vector or -1 */
    uint32_t exception_error_code;
    bool exception_has_error_code;
    uint64_t exception_cr2;
    /* cpu/x86/excp.c, seg_helper_int.c: the pending event is a software
     * interrupt (INT n/INT3/INTO): deliver with the DPL check and return to exception_next_rip. */
    bool exception_is_sw;
    uint64_t exception_next_rip;
    /* An exception is being delivered (delivery_vector): a second one raised meanwhile follows
     * the double-fault rules (Intel SDM 3A 6.15); cleared when delivery completes. */
    bool in_delivery;
    uint8_t delivery_vector;
    bool triple_fault;               /* shutdown: the execution loop returns ACCEL_EXIT_SHUTDOWN */
    uint64_t cr8;                    /* task priority (CR8 = TPR[7:4]) */
    Float80 ft0;                     /* x87 memory operand being used (FT0) */
    uint16_t ft0_flags;              /* its conversion's exceptions, raised when FT0 is used */
    YMMReg xmm_t0;                   /* SSE/MMX memory operand (helper-sse.h) */
} X86CPUState;

struct AccelCPU;

/* The interrupt controller the CPU asks for a vector when INTR is asserted (PIC or APIC). */
typedef struct X86InterruptSource {
    int (*get_vector)(void *opaque);       /* acknowledge: returns the vector, or -1 */
    void *opaque;
} X86InterruptSource;

/* IA32_APIC_BASE (Intel SDM 3A 10.4.4): BSP flag, APIC global enable, base in bits 12-39. */
#define APICBASE_BSP    (1ULL << 8)
#define APICBASE_ENABLE (1ULL << 11)
#define APICBASE_BASE   0xffffff000ULL
#define APICBASE_DEFAULT 0xfee00000ULL

/* The CPU's view of its local APIC (Intel SDM 3A ch. 10), for a board whose APIC is a device
 * model: the board fills these in (cpu/x86 knows no device). The APIC raises the CPU's INTR
 * through x86_cpu_interrupt and answers the acknowledge through X86InterruptSource. An
 * accelerator that runs its own APIC (KVM's in-kernel irqchip) leaves them unused. */
typedef struct X86APICHooks {
    void (*set_base)(void *opaque, uint64_t apic_base);   /* WRMSR IA32_APIC_BASE, checked */
    uint8_t (*get_tpr)(void *opaque);                      /* CR8 = TPR[7:4] */
    void (*set_tpr)(void *opaque, uint8_t cr8);
    uint64_t (*get_tsc_deadline)(void *opaque);            /* IA32_TSC_DEADLINE */
    void (*set_tsc_deadline)(void *opaque, uint64_t deadline, uint64_t tsc_now, uint64_t tsc_hz);
    void *opaque;
} X86APICHooks;

typedef struct X86CPU {
    X86CPUState env;
    int index;
    uint32_t apic_id;
    bool has_apic;                         /* the board gives this CPU a local APIC */
    X86APICHooks apic;                     /* ...a device model of it: how to reach it */
    volatile uint32_t interrupt_request;   /* CPU_INTERRUPT_*; set from any thread */
    X86InterruptSource intr_source;
    struct AccelCPU *accel;                /* the accelerator's per-vCPU data */
    struct AddressSpace *as;               /* what the CPU sees: system memory */
    struct AddressSpace *io;               /* port I/O space */
    bool env_dirty;                        /* env changed outside the accelerator: reload it */
    bool stopped;                          /* paused (gdb, monitor): the thread waits */
    bool parked;                           /* ...and it is waiting, with env up to date */
    /* Guest debugging wanted by the gdb stub; the vCPU thread hands it to the accelerator. */
    bool debug_dirty;
    bool debug_single_step;
    int debug_nbps;
    uint64_t debug_bps[4];
    void *thread;                          /* system/cpus.c's per-vCPU thread data */
} X86CPU;

/* Reset to the power-on state (Intel SDM 3A, 9.1.1): CS:IP F000:FFF0, base FFFF0000. */
void x86_cpu_reset(X86CPU *cpu);
/* INIT (an INIT IPI, Intel SDM 3A table 9-1): the reset state, except that the x87/SSE state,
 * the MSRs, CR0.CD/NW and the TSC survive. The board resets the local APIC. */
void x86_cpu_init(X86CPU *cpu);
/* EFLAGS with the lazy arithmetic flags and DF folded in. */
uint64_t x86_get_eflags(const X86CPUState *env);
/* Set EFLAGS entirely; leaves cc_op = CC_OP_EFLAGS. */
void x86_set_eflags(X86CPUState *env, uint64_t eflags);
/* Compute the arithmetic flags from the lazy state (cpu/x86/cc.c). */
uint32_t x86_cc_compute(const X86CPUState *env);
/* Recompute env->hflags after a mode change (CR0, CR4, EFER, CS, SS). */
void x86_update_hflags(X86CPUState *env);
/* Load a segment register in real or virtual-8086 mode (base = selector << 4). */
void x86_load_seg_real(X86CPUState *env, int seg, uint16_t selector);
/* Ask the CPU to look at interrupt_request (thread-safe), and kick it out of guest code. */
void x86_cpu_interrupt(X86CPU *cpu, uint32_t mask);
void x86_cpu_clear_interrupt(X86CPU *cpu, uint32_t mask);
/* The A20 gate (port 0x92, i8042). The translator's TLB caches masked addresses, so a change
 * goes through x86_cpu_tlb_flush_hook, which the TCG accelerator sets. */
void x86_cpu_set_a20(X86CPU *cpu, bool enabled);
extern void (*x86_cpu_tlb_flush_hook)(X86CPUState *env);
/* Set by whoever runs vCPU threads: wakes/kicks a CPU after x86_cpu_interrupt(). */
extern void (*x86_cpu_kick_hook)(X86CPU *cpu);
/* CR8, the task priority (Intel SDM 3A 10.8.6.1): the local APIC's TPR[7:4] when the CPU has
 * one, else a plain register. Setting it may unmask a pending interrupt. */
uint8_t x86_cpu_get_cr8(X86CPU *cpu);
void x86_cpu_set_cr8(X86CPU *cpu, uint8_t cr8);
/* x87 full tag word (2 bits per register) computed from the registers, and back. */
uint16_t x86_fpu_tag_word(const X86CPUState *env);
void x86_fpu_set_tag_word(X86CPUState *env, uint16_t ftw);
/* Print the registers (gdb-less debugging, -d cpu, KVM error reports). */
void x86_cpu_dump_state(const X86CPUState *env, FILE *f);

#endif
