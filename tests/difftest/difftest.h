/* difftest.h: differential testing of the translator against the host CPU — random
 * instruction sequences run natively (in a forked child, in 64-bit mode or in 32-bit
 * compatibility mode) and as guest code under TCG (long mode or 32-bit protected mode),
 * comparing general registers, the defined flags, the x87/MMX/SSE state and memory.
 *
 *     DiffCtx dc;
 *     diff_init(&dc, TCG_BACKEND_INTERP);             // guest RAM, a TCG CPU, the native child
 *     DiffRng rng = diff_seed(1);
 *     DiffSeq seq;
 *     diff_gen(&seq, &rng, &dc.host, DIFF_MODE64, DIFF_MIX_ALL);
 *     DiffResult r = diff_run(&dc, &seq, stderr);     // DIFF_SAME, DIFF_DIVERGED, DIFF_SKIP
 *     diff_fini(&dc);
 *
 * Both sides execute the same bytes at the same addresses: a prologue that loads the initial
 * state (FXRSTOR, VINSERTF128, POPF, MOVs), the random sequence, and an epilogue that stores
 * the final state (MOVs, PUSHF, FXSAVE, VEXTRACTF128, FNSTENV) into the state page, then
 * jumps to D_EXIT (HLT under TCG, the way back to C natively). The generator (gen.h) tracks what the sequence leaves
 * undefined (SDM 2, "Flags Affected" and "FPU Flags Affected") and masks it when comparing.
 */
#ifndef TESTS_DIFFTEST_DIFFTEST_H
#define TESTS_DIFFTEST_DIFFTEST_H

#include "util/osdep.h"
#include "hw/core/memory.h"
#include "cpu/x86/cpu.h"
#include "accel/tcg/tcg-accel.h"

/* One fixed layout below 4 GiB, identical natively and in guest RAM. */
#define D_DATA 0x100000u            /* the data buffer, two pages (gen.h: its zones) */
#define D_DATA_SIZE 0x2000u
#define D_LOW 0x8000u               /* a second buffer below 64 KiB, for 16-bit addressing */
#define D_LOW_SIZE 0x2000u
#define D_STATE 0x120000u           /* the initial (DiffImage at +0) and final (+0x800) state */
#define D_STATE_OUT (D_STATE + 0x800u)
#define D_SCRATCH (D_STATE + 0xf00u) /* a few bytes of stack for POPF/PUSHF in the glue */
#define D_GLUE 0x130000u            /* native only: entry and exit glue */
#define D_EXIT 0x131000u            /* where the epilogue jumps */
#define D_CODE 0x140000u            /* prologue, sequence, epilogue */
#define D_CODE_SIZE 0x2000u
#define D_END 0x150000u
#define D_RAM (4 * MiB)
#define D_PT 0x200000u              /* guest page tables (long mode) */

#define F_C 0x001u
#define F_P 0x004u
#define F_A 0x010u
#define F_Z 0x040u
#define F_S 0x080u
#define F_D 0x400u
#define F_O 0x800u
#define F_ALL (F_C | F_P | F_A | F_Z | F_S | F_O)

/* x87 status word condition codes. */
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_C3 0x4000u
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)

/* 64-bit (long mode), 32-bit (protected mode; natively compatibility mode), 16-bit (a 16-bit
 * protected-mode code segment with CS based at D_CODE and DS/ES/SS based at D_DATA; natively
 * an LDT segment). */
typedef enum { DIFF_MODE64, DIFF_MODE32, DIFF_MODE16 } DiffMode;

/* Which instruction families a sequence may draw from (gen.c: the class table). */
enum {
    DIFF_MIX_INT = 1u << 0,          /* integer, flags, memory, strings, branches, stack, BCD */
    DIFF_MIX_X87 = 1u << 1,          /* x87 without the transcendentals */
    DIFF_MIX_TRANSC = 1u << 2,       /* FSIN, FCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1 */
    DIFF_MIX_SIMD = 1u << 3,         /* MMX, SSE .. SSE4.2 */
    DIFF_MIX_AVX = 1u << 4,          /* VEX: BMI1, BMI2, AVX, AVX2, FMA, F16C */
    DIFF_MIX_ALL = 0x1f,
};

/* The state image both sides load and store. fx is an FXSAVE area (x87 control, status and
 * abridged tag, MXCSR, ST0-7, XMM0-15); fenv the 28-byte FNSTENV image (full tag word);
 * ymm_hi bits 255:128 of YMM0-15 (YMM0-7 in 32-bit mode), used when the sequence's ymm is set. */
typedef struct DiffImage {
    uint64_t regs[16];
    uint64_t flags;
    uint8_t pad[0x100 - 17 * 8];
    uint8_t fx[512];
    uint8_t fenv[28];
    uint8_t pad2[4];
    uint8_t ymm_hi[16][16];          /* at +0x320 */
} DiffImage;

typedef struct DiffSeq {
    DiffMode mode;
    uint8_t code[D_CODE_SIZE];       /* prologue + sequence + epilogue, loaded at D_CODE */
    unsigned len, ninsn;
    unsigned body, body_len;         /* the random part, for reports */
    DiffImage in;
    bool ymm;                        /* the frame loads and stores the YMM upper halves */
    uint8_t data[D_DATA_SIZE];
    uint8_t low[D_LOW_SIZE];
    uint32_t undef_flags;            /* EFLAGS bits left undefined at the end */
    uint16_t undef_fsw;              /* x87 condition codes left undefined at the end */
    uint8_t data_undef[D_DATA_SIZE / 8]; /* data bytes whose final value is undefined */
} DiffSeq;

typedef struct DiffState {
    DiffImage img;
    uint8_t data[D_DATA_SIZE];
    uint8_t low[D_LOW_SIZE];
} DiffState;

typedef enum { DIFF_SAME, DIFF_DIVERGED, DIFF_SKIP } DiffResult;

/* Host features the generator may use (CPUID). */
typedef struct DiffHost {
    bool lahf, popcnt, lzcnt, bmi1, movbe, adx;
    bool sse3, ssse3, sse41, sse42;
    bool bmi2;
    bool avx, avx2, fma, f16c;       /* and the OS saves the AVX state (XCR0) */
    bool compat32;                   /* 32-bit code runs natively (the child checked) */
    bool low;                        /* D_LOW is mapped natively: 16-bit addressing in 32-bit mode */
    bool code16;                     /* 16-bit code runs natively (modify_ldt worked) */
} DiffHost;

typedef struct DiffCtx {
    MemoryRegion root, ram, io_root;
    AddressSpace as, io;
    X86CPU *cpu;
    DiffHost host;
    uint8_t *shared;                 /* [D_DATA, D_END) shared with the native child */
    uint8_t *shared_low;             /* [D_LOW, D_LOW + D_LOW_SIZE), or NULL */
    int pid, cmd_fd, ack_fd;         /* the native child and its pipes */
    char why[160];                   /* diff_init failed: why */
} DiffCtx;

typedef struct DiffRng { uint64_t s; } DiffRng;

static inline DiffRng diff_seed(uint64_t seed)
{
    return (DiffRng){ seed * 0x9e3779b97f4a7c15ull | 1 };
}

static inline uint64_t diff_rand(DiffRng *r)
{
    /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

bool diff_init(DiffCtx *dc, TCGBackendKind backend);
void diff_fini(DiffCtx *dc);
void diff_gen(DiffSeq *s, DiffRng *r, const DiffHost *h, DiffMode mode, unsigned mix);
/* The given instructions in the frame, with a random initial state the caller may adjust
 * (s->in) before diff_run; nothing is masked unless the caller sets undef_*. With h->avx the
 * YMM upper halves are loaded and compared too. */
void diff_gen_fixed(DiffSeq *s, DiffRng *r, const DiffHost *h, DiffMode mode, const uint8_t *body,
                    unsigned len);
/* Debugging aid: only classes whose name contains name_part (NULL: all). */
void diff_gen_only(const char *name_part);
DiffResult diff_run(DiffCtx *dc, const DiffSeq *s, FILE *report);
void diff_print_seq(const DiffSeq *s, FILE *f);
const char *diff_mode_name(DiffMode mode);              /* "64", "32", "16" */

#endif
