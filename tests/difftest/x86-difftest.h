/* x86-difftest.h: differential testing of the translator against the host CPU — random
 * sequences of 64-bit integer instructions run natively (in a forked child) and as guest code
 * under TCG, comparing registers, architecturally defined flags and memory.
 *
 *     DiffCtx dc;
 *     diff_init(&dc, TCG_BACKEND_INTERP);            // flat RAM, a CPU in long mode
 *     DiffSeq seq;
 *     diff_gen(&seq, &rng);                           // 1..8 random instructions
 *     DiffResult r = diff_run(&dc, &seq, stderr);     // DIFF_SAME, DIFF_DIVERGED, DIFF_SKIP
 *
 * The generator tracks which flags the sequence leaves undefined (SDM 2, each instruction's
 * "Flags Affected") and never lets an instruction read them; they are masked when comparing.
 * Registers: RSP is never an operand; R15 holds the data buffer and is never written.
 */
#ifndef TESTS_DIFFTEST_X86_DIFFTEST_H
#define TESTS_DIFFTEST_X86_DIFFTEST_H

#include "util/osdep.h"
#include "hw/core/memory.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/decode.h"
#include "accel/tcg/tcg-accel.h"
#include "accel/tcg/cputlb.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cpuid.h>

#define D_DATA 0x100000ull          /* data buffer, same address natively and in the guest */
#define D_DATA_SIZE 4096
#define D_STATE 0x120000ull         /* native: where the epilogue stores the registers */
#define D_CODE 0x10000ull           /* guest code */
#define D_PT 0x200000ull            /* guest page tables */
#define D_RAM (4 * MiB)

#define F_C 0x001u
#define F_P 0x004u
#define F_A 0x010u
#define F_Z 0x040u
#define F_S 0x080u
#define F_O 0x800u
#define F_ALL (F_C | F_P | F_A | F_Z | F_S | F_O)

typedef struct DiffRng { uint64_t s; } DiffRng;

static inline uint64_t diff_rand(DiffRng *r)
{
    /* xorshift64* */
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

static inline uint64_t diff_rand_value(DiffRng *r)
{
    /* Interesting values more often than uniform ones. */
    static const uint64_t special[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                        0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull,
                                        0x8000000000000000ull, ~0ull, 0x99, 0x09, 0x100 };
    switch (diff_rand(r) % 4) {
    case 0: return special[diff_rand(r) % ARRAY_SIZE(special)];
    case 1: return diff_rand(r) & 0xff;
    default: return diff_rand(r);
    }
}

typedef struct DiffSeq {
    uint8_t code[256];
    unsigned len, ninsn;
    uint64_t regs[16];
    uint64_t flags;
    uint8_t xmm[8][16];             /* XMM0-7 */
    uint8_t ymm_hi[8][16];          /* bits 255:128 of YMM0-7, when ymm */
    bool ymm;                       /* the host has AVX2: YMM state set and compared */
    uint8_t data[D_DATA_SIZE];
    uint32_t undef_flags;           /* flags left undefined at the end */
} DiffSeq;

typedef struct DiffState {
    uint64_t regs[16];
    uint64_t flags;
    uint8_t xmm[8][16];
    uint8_t ymm_hi[8][16];
    uint8_t data[D_DATA_SIZE];
} DiffState;

typedef enum { DIFF_SAME, DIFF_DIVERGED, DIFF_SKIP } DiffResult;

/* Host features the generator may use. */
typedef struct DiffHost {
    bool lahf, popcnt, lzcnt, bmi1, movbe, adx, bmi2, avx2;
    bool vex_only;                  /* generate only BMI/AVX/AVX2 instructions */
} DiffHost;
static inline void diff_avx_detect(bool *avx2, bool *bmi2);   /* x86-difftest-avx.h */

static inline DiffHost diff_host(void)
{
    unsigned a, b, c, d;
    DiffHost h = { 0 };
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        h.popcnt = c & (1u << 23);
        h.movbe = c & (1u << 22);
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        h.bmi1 = b & (1u << 3);
        h.adx = b & (1u << 19);
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        h.lahf = c & 1;
        h.lzcnt = c & (1u << 5);
    }
    diff_avx_detect(&h.avx2, &h.bmi2);
    return h;
}

/* Condition code n (Jcc low nibble) reads these flags. */
static const uint32_t diff_cond_use[8] = { F_O, F_C, F_Z, F_C | F_Z, F_S, F_P, F_S | F_O, F_S | F_O | F_Z };

typedef struct Emit {
    uint8_t *p;
    unsigned n;
} Emit;

static inline void e8(Emit *e, uint8_t b) { e->p[e->n++] = b; }
static inline void eimm(Emit *e, uint64_t v, int n) { for (int i = 0; i < n; i++) e8(e, v >> (8 * i)); }

/* A register usable as an operand: not RSP (4) nor R15 (the data base). */
static inline int diff_reg(DiffRng *r)
{
    static const int ok[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
    return ok[diff_rand(r) % ARRAY_SIZE(ok)];
}

/* Prefixes + opcode + ModRM for an instruction with a reg field and an r/m operand that is a
 * register (mod 3) or [r15 + disp8]. size: 1, 2, 4, 8. */
static inline void emit_modrm_insn(Emit *e, DiffRng *r, int size, const uint8_t *pfx, int npfx,
                                   int map, uint8_t op, int reg, bool mem, int rm, int max_disp)
{
    uint8_t rex = 0x40;
    if (size == 2)
        e8(e, 0x66);
    for (int i = 0; i < npfx; i++)
        e8(e, pfx[i]);
    if (size == 8)
        rex |= 8;
    if (reg & 8)
        rex |= 4;
    if (mem)
        rex |= 1;                  /* r15 as base */
    else if (rm & 8)
        rex |= 1;
    /* Byte registers 4-7 mean AH..BH without REX and SPL..DIL with it; we never use 4, and
     * always emit REX, so 5-7 are BPL SIL DIL. */
    e8(e, rex);
    if (map >= 1)
        e8(e, 0x0f);
    if (map == 2)
        e8(e, 0x38);
    if (map == 3)
        e8(e, 0x3a);
    e8(e, op);
    if (mem) {
        e8(e, 0x40 | ((reg & 7) << 3) | 7);
        e8(e, diff_rand(r) % max_disp);
    } else {
        e8(e, 0xc0 | ((reg & 7) << 3) | (rm & 7));
    }
}

static inline int diff_size(DiffRng *r, bool allow16)
{
    int s = diff_rand(r) % 3;
    if (s == 0 && !allow16)
        s = 1;
    return s == 0 ? 2 : s == 1 ? 4 : 8;
}

#include "tests/difftest/x86-difftest-avx.h"

/* Append one random instruction; *undef is the set of undefined flags (in/out). Returns false
 * if the chosen instruction would read an undefined flag (the caller tries again). */
static inline bool diff_gen_insn(Emit *e, DiffRng *r, const DiffHost *h, uint32_t *undef)
{
    unsigned start = e->n;
    if ((h->avx2 || h->bmi1) && (h->vex_only || diff_rand(r) % 5 == 0)) {   /* VEX: BMI, AVX */
        uint32_t vdef, vund;
        if (h->avx2 && (!h->bmi1 || diff_rand(r) % 3))
            diff_gen_avx(e, r, &vdef, &vund);
        else
            diff_gen_bmi(e, r, h->bmi2, &vdef, &vund);
        *undef = (*undef & ~vdef) | vund;
        return true;
    }
    int kind = diff_rand(r) % 30;
    bool mem = diff_rand(r) % 4 == 0;
    int reg = diff_reg(r), rm = diff_reg(r);
    uint32_t use = 0, def = 0, und = 0;

    switch (kind) {
    case 0: case 1: case 2: case 3: {           /* ALU r/m, r and r, r/m (8 ops x 4 forms) */
        int alu = diff_rand(r) % 8, form = diff_rand(r) % 4;
        int size = (form & 1) ? diff_size(r, true) : 1;
        emit_modrm_insn(e, r, size, NULL, 0, 0, alu * 8 + form, reg, mem, rm, 56);
        def = F_ALL;
        if (alu == 1 || alu == 4 || alu == 6)
            und = F_A;
        if (alu == 2 || alu == 3)
            use = F_C;
        break;
    }
    case 4: {                                   /* 80/81/83 /n imm */
        int alu = diff_rand(r) % 8, which = diff_rand(r) % 3;
        int size = which == 0 ? 1 : diff_size(r, true);
        uint8_t op = which == 0 ? 0x80 : which == 1 ? 0x81 : 0x83;
        emit_modrm_insn(e, r, size, NULL, 0, 0, op, alu, mem, rm, 56);
        eimm(e, diff_rand_value(r), op == 0x81 ? (size == 2 ? 2 : 4) : 1);
        def = F_ALL;
        if (alu == 1 || alu == 4 || alu == 6)
            und = F_A;
        if (alu == 2 || alu == 3)
            use = F_C;
        break;
    }
    case 5: {                                   /* F6/F7: TEST NOT NEG MUL IMUL */
        static const int ops[] = { 0, 2, 3, 4, 5 };
        int n = ops[diff_rand(r) % 5];
        bool byte = diff_rand(r) % 3 == 0;
        int size = byte ? 1 : diff_size(r, true);
        if (n >= 4)
            mem = false;
        emit_modrm_insn(e, r, size, NULL, 0, 0, byte ? 0xf6 : 0xf7, n, mem, rm, 56);
        if (n == 0) {
            eimm(e, diff_rand_value(r), byte ? 1 : size == 2 ? 2 : 4);
            def = F_ALL;
            und = F_A;
        } else if (n == 3) {
            def = F_ALL;
        } else if (n >= 4) {
            def = F_C | F_O;
            und = F_S | F_Z | F_A | F_P;
        }
        break;
    }
    case 6: {                                   /* INC/DEC */
        bool byte = diff_rand(r) % 3 == 0;
        emit_modrm_insn(e, r, byte ? 1 : diff_size(r, true), NULL, 0, 0, byte ? 0xfe : 0xff,
                        diff_rand(r) % 2, mem, rm, 56);
        def = F_O | F_S | F_Z | F_A | F_P;
        break;
    }
    case 7: case 8: {                           /* shifts and rotates by an immediate or 1 */
        int n = diff_rand(r) % 8;
        bool byte = diff_rand(r) % 3 == 0;
        int size = byte ? 1 : diff_size(r, true);
        int width = size * 8;
        bool one = diff_rand(r) % 3 == 0;
        int count = one ? 1 : (int)(diff_rand(r) % 70);
        int c = count & (size == 8 ? 63 : 31);
        emit_modrm_insn(e, r, size, NULL, 0, 0, one ? (byte ? 0xd0 : 0xd1) : (byte ? 0xc0 : 0xc1),
                        n, mem, rm, 56);
        if (!one)
            e8(e, count);
        if (c == 0)
            break;
        if (n <= 3) {                           /* ROL ROR RCL RCR */
            def = F_C | F_O;
            if (n >= 2)
                use = F_C;
            if (c != 1)
                und = F_O;
        } else {                                /* SHL SHR SAL SAR */
            def = F_C | F_S | F_Z | F_P | F_O;
            und = F_A;
            if (c != 1)
                und |= F_O;
            if (c >= width)
                und |= F_C;
        }
        break;
    }
    case 9: {                                   /* IMUL r, r/m [, imm] */
        int form = diff_rand(r) % 3, size = diff_size(r, true);
        if (form == 0) {
            emit_modrm_insn(e, r, size, NULL, 0, 1, 0xaf, reg, mem, rm, 56);
        } else {
            emit_modrm_insn(e, r, size, NULL, 0, 0, form == 1 ? 0x6b : 0x69, reg, mem, rm, 56);
            eimm(e, diff_rand_value(r), form == 1 ? 1 : size == 2 ? 2 : 4);
        }
        def = F_C | F_O;
        und = F_S | F_Z | F_A | F_P;
        break;
    }
    case 10: {                                  /* BT/BTS/BTR/BTC: register forms, and imm */
        int size = diff_size(r, true);
        if (diff_rand(r) % 2) {
            static const uint8_t ops[] = { 0xa3, 0xab, 0xb3, 0xbb };
            emit_modrm_insn(e, r, size, NULL, 0, 1, ops[diff_rand(r) % 4], reg, false, rm, 1);
        } else {
            emit_modrm_insn(e, r, size, NULL, 0, 1, 0xba, 4 + diff_rand(r) % 4, mem, rm, 56);
            e8(e, diff_rand(r));
        }
        def = F_C;
        und = F_O | F_S | F_Z | F_A | F_P;
        break;
    }
    case 11: {                                  /* BSF/BSR */
        emit_modrm_insn(e, r, diff_size(r, true), NULL, 0, 1, diff_rand(r) % 2 ? 0xbc : 0xbd,
                        reg, mem, rm, 56);
        def = F_Z;
        und = F_C | F_O | F_S | F_A | F_P;
        break;
    }
    case 12: {                                  /* SHLD/SHRD imm */
        int size = diff_size(r, false);
        int count = diff_rand(r) % 64, c = count & (size == 8 ? 63 : 31);
        emit_modrm_insn(e, r, size, NULL, 0, 1, diff_rand(r) % 2 ? 0xa4 : 0xac, reg, mem, rm, 56);
        e8(e, count);
        if (c == 0)
            break;
        def = F_C | F_S | F_Z | F_P | F_O;
        und = F_A | (c != 1 ? F_O : 0);
        break;
    }
    case 13: {                                  /* CMPXCHG, XADD */
        bool byte = diff_rand(r) % 3 == 0;
        bool x = diff_rand(r) % 2;
        emit_modrm_insn(e, r, byte ? 1 : diff_size(r, true), NULL, 0, 1,
                        (x ? 0xc0 : 0xb0) + !byte, reg, mem, rm, 56);
        def = F_ALL;
        break;
    }
    case 14: {                                  /* MOV, XCHG, MOVZX/MOVSX, MOVSXD, LEA */
        int w = diff_rand(r) % 6;
        if (w == 0) {
            bool byte = diff_rand(r) % 3 == 0;
            emit_modrm_insn(e, r, byte ? 1 : diff_size(r, true), NULL, 0, 0,
                            0x88 + (diff_rand(r) % 2) * 2 + !byte, reg, mem, rm, 56);
        } else if (w == 1) {
            bool byte = diff_rand(r) % 3 == 0;
            emit_modrm_insn(e, r, byte ? 1 : diff_size(r, true), NULL, 0, 0, 0x86 + !byte, reg,
                            mem, rm, 56);
        } else if (w == 2) {
            static const uint8_t ops[] = { 0xb6, 0xb7, 0xbe, 0xbf };
            emit_modrm_insn(e, r, diff_size(r, true), NULL, 0, 1, ops[diff_rand(r) % 4], reg, mem,
                            rm, 56);
        } else if (w == 3) {
            emit_modrm_insn(e, r, 8, NULL, 0, 0, 0x63, reg, mem, rm, 56);
        } else if (w == 4) {
            emit_modrm_insn(e, r, diff_size(r, true), NULL, 0, 0, 0x8d, reg, true, rm, 120);
        } else {
            int size = diff_size(r, true);   /* MOV r, imm */
            if (size == 2)
                e8(e, 0x66);
            e8(e, 0x40 | (size == 8 ? 8 : 0) | (reg >> 3));
            e8(e, 0xb8 + (reg & 7));
            eimm(e, diff_rand_value(r), size);
        }
        break;
    }
    case 15: {                                  /* CMOVcc, SETcc */
        int cc = diff_rand(r) % 16;
        use = diff_cond_use[cc >> 1];
        if (diff_rand(r) % 2)
            emit_modrm_insn(e, r, diff_size(r, true), NULL, 0, 1, 0x40 + cc, reg, mem, rm, 56);
        else
            emit_modrm_insn(e, r, 1, NULL, 0, 1, 0x90 + cc, 0, mem, rm, 56);
        break;
    }
    case 16: {                                  /* ADC/SBB via the ALU forms, heavier weight */
        int alu = 2 + diff_rand(r) % 2;
        emit_modrm_insn(e, r, diff_size(r, true), NULL, 0, 0, alu * 8 + 1, reg, mem, rm, 56);
        def = F_ALL;
        use = F_C;
        break;
    }
    case 17: {                                  /* BSWAP, CBW/CWD family */
        int w = diff_rand(r) % 3;
        if (w == 0) {
            e8(e, 0x40 | (diff_rand(r) % 2 ? 8 : 0) | (reg >> 3));
            e8(e, 0x0f);
            e8(e, 0xc8 + (reg & 7));
        } else {
            int size = diff_size(r, true);
            if (size == 2)
                e8(e, 0x66);
            if (size == 8)
                e8(e, 0x48);
            e8(e, w == 1 ? 0x98 : 0x99);
        }
        break;
    }
    case 18: {                                  /* flag instructions */
        int w = diff_rand(r) % 5;
        if (w == 0) { e8(e, 0xf5); use = F_C; def = F_C; }
        else if (w == 1) { e8(e, 0xf8); def = F_C; }
        else if (w == 2) { e8(e, 0xf9); def = F_C; }
        else if (w == 3 && h->lahf) { e8(e, 0x9e); def = F_S | F_Z | F_A | F_P | F_C; }
        else if (w == 4 && h->lahf) { e8(e, 0x9f); use = F_S | F_Z | F_A | F_P | F_C; }
        else return false;
        break;
    }
    case 19: {                                  /* POPCNT, TZCNT, LZCNT */
        int w = diff_rand(r) % 3;
        if ((w == 0 && !h->popcnt) || (w == 1 && !h->bmi1) || (w == 2 && !h->lzcnt))
            return false;
        static const uint8_t f3[] = { 0xf3 };
        emit_modrm_insn(e, r, diff_size(r, true), f3, 1, 1, w == 0 ? 0xb8 : w == 1 ? 0xbc : 0xbd,
                        reg, mem, rm, 56);
        if (w == 0) {
            def = F_ALL;
        } else {
            def = F_C | F_Z;
            und = F_O | F_S | F_A | F_P;
        }
        break;
    }
    case 20: {                                  /* MOVBE */
        if (!h->movbe)
            return false;
        emit_modrm_insn(e, r, diff_size(r, true), NULL, 0, 2, diff_rand(r) % 2 ? 0xf0 : 0xf1, reg,
                        true, rm, 56);
        break;
    }
    case 21: {                                  /* ADCX / ADOX */
        if (!h->adx)
            return false;
        bool o = diff_rand(r) % 2;
        uint8_t pfx[1] = { o ? 0xf3 : 0x66 };
        int size = diff_rand(r) % 2 ? 8 : 4;
        /* the operand-size prefix 66 is mandatory for ADCX: emit it as the prefix list */
        emit_modrm_insn(e, r, size, pfx, 1, 2, 0xf6, reg, mem, rm, 56);
        use = def = o ? F_O : F_C;
        break;
    }
    case 24: case 25: {                         /* string ops over the buffer (DF = 0) */
        int w = diff_rand(r) % 5, size = 1 << (diff_rand(r) % 4);
        static const uint8_t ops[5] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };   /* movs cmps stos lods scas */
        e8(e, 0x49); e8(e, 0x8d); e8(e, 0x77); e8(e, diff_rand(r) % 64);            /* lea d(%r15),%rsi */
        e8(e, 0x49); e8(e, 0x8d); e8(e, 0x7f); e8(e, 64 + diff_rand(r) % 64);       /* lea d(%r15),%rdi */
        int count = diff_rand(r) % 9;
        e8(e, 0xb9); eimm(e, count, 4);                                             /* mov $n,%ecx */
        int rep = diff_rand(r) % 3;                 /* none, F3, F2 */
        if (w == 1 || w == 4) {
            /* CMPS/SCAS read flags only through the REPE/REPNE condition they set themselves */
            if (rep)
                e8(e, rep == 1 ? 0xf3 : 0xf2);
            def = F_ALL;
        } else if (rep) {
            e8(e, 0xf3);
        }
        if (size == 2)
            e8(e, 0x66);
        else if (size == 8)
            e8(e, 0x48);
        e8(e, ops[w] + (size > 1));
        if ((w == 1 || w == 4) && rep && count == 0)
            def = 0;                                /* a zero count writes no flags */
        break;
    }
    case 26: {                                  /* DIV/IDIV with a divisor that cannot fault */
        int size = diff_rand(r) % 2 ? 4 : 8;
        bool sign = diff_rand(r) % 2;
        int dv = 1 + diff_rand(r) % 1000;
        e8(e, 0xb9); eimm(e, dv, 4);                                                /* mov $dv,%ecx */
        if (sign) {
            if (size == 8) e8(e, 0x48);
            e8(e, 0x99);                                                            /* cdq/cqo */
        } else {
            e8(e, 0x31); e8(e, 0xd2);                                               /* xor %edx,%edx */
        }
        if (size == 8) e8(e, 0x48);
        e8(e, 0xf7); e8(e, sign ? 0xf9 : 0xf1);                                     /* (i)div %ecx */
        def = 0;
        und = F_ALL;
        break;
    }
    case 27: case 28: case 29: {               /* SSE2 integer on XMM0-7 (no flags) */
        static const uint8_t ops[] = { 0xfc, 0xfd, 0xfe, 0xd4, 0xf8, 0xf9, 0xfa, 0xfb, 0xec, 0xed,
            0xdc, 0xdd, 0xe8, 0xe9, 0xd8, 0xd9, 0xd5, 0xe5, 0xe4, 0xf4, 0xf5, 0xe0, 0xe3, 0xda,
            0xde, 0xea, 0xee, 0xf6, 0x74, 0x75, 0x76, 0x64, 0x65, 0x66, 0x63, 0x6b, 0x67, 0x60,
            0x61, 0x62, 0x6c, 0x68, 0x69, 0x6a, 0x6d, 0xdb, 0xdf, 0xeb, 0xef, 0xd1, 0xd2, 0xd3,
            0xe1, 0xe2, 0xf1, 0xf2, 0xf3 };
        int w = diff_rand(r) % 4;
        int xr = diff_rand(r) % 8, xm = diff_rand(r) % 8;
        e8(e, 0x66);
        if (w == 0 || w == 1) {                 /* op xmm, xmm/m128 (aligned) */
            uint8_t op = ops[diff_rand(r) % ARRAY_SIZE(ops)];
            if (mem) {
                e8(e, 0x41); e8(e, 0x0f); e8(e, op); e8(e, 0x47 | (xr << 3)); e8(e, 16 * (diff_rand(r) % 4));
            } else {
                e8(e, 0x0f); e8(e, op); e8(e, 0xc0 | (xr << 3) | xm);
            }
        } else if (w == 2) {                    /* PSHUFD / shift groups by immediate */
            if (diff_rand(r) % 2) {
                e8(e, 0x0f); e8(e, 0x70); e8(e, 0xc0 | (xr << 3) | xm); e8(e, diff_rand(r));
            } else {
                static const uint8_t grp[][2] = { { 0x71, 2 }, { 0x71, 4 }, { 0x71, 6 }, { 0x72, 2 },
                    { 0x72, 4 }, { 0x72, 6 }, { 0x73, 2 }, { 0x73, 3 }, { 0x73, 6 }, { 0x73, 7 } };
                int g = diff_rand(r) % ARRAY_SIZE(grp);
                e8(e, 0x0f); e8(e, grp[g][0]); e8(e, 0xc0 | (grp[g][1] << 3) | xm); e8(e, diff_rand(r) % 70);
            }
        } else {                                /* PMOVMSKB r32, xmm / MOVD xmm <-> r32 */
            int gr = diff_reg(r);
            int v = diff_rand(r) % 3;
            if (gr & 8)
                e8(e, v == 0 ? 0x44 : 0x41);
            e8(e, 0x0f);
            if (v == 0) { e8(e, 0xd7); e8(e, 0xc0 | ((gr & 7) << 3) | xm); }
            else if (v == 1) { e8(e, 0x6e); e8(e, 0xc0 | (xr << 3) | (gr & 7)); }
            else { e8(e, 0x7e); e8(e, 0xc0 | (xr << 3) | (gr & 7)); }
        }
        break;
    }
    default: {                                  /* more plain ALU register traffic */
        int alu = diff_rand(r) % 8;
        emit_modrm_insn(e, r, diff_size(r, true), NULL, 0, 0, alu * 8 + 3, reg, false, rm, 1);
        def = F_ALL;
        if (alu == 1 || alu == 4 || alu == 6)
            und = F_A;
        if (alu == 2 || alu == 3)
            use = F_C;
        break;
    }
    }
    if (use & *undef) {
        e->n = start;
        return false;
    }
    *undef = (*undef & ~def) | und;
    return true;
}

static inline void diff_gen(DiffSeq *s, DiffRng *r, const DiffHost *h)
{
    Emit e = { s->code, 0 };
    uint32_t undef = 0;
    unsigned want = 1 + diff_rand(r) % 8;
    s->ninsn = 0;
    while (s->ninsn < want && e.n < sizeof(s->code) - 32) {
        if (diff_gen_insn(&e, r, h, &undef))
            s->ninsn++;
    }
    s->len = e.n;
    s->undef_flags = undef;
    for (int i = 0; i < 16; i++)
        s->regs[i] = diff_rand_value(r);
    s->regs[R_ESP] = 0;
    s->regs[R_R15] = D_DATA;
    s->flags = (diff_rand(r) & F_ALL) | 2;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 16; j += 8) {
            uint64_t v = diff_rand_value(r), hi = diff_rand_value(r);
            memcpy(&s->xmm[i][j], &v, 8);
            memcpy(&s->ymm_hi[i][j], &hi, 8);
        }
    s->ymm = h->avx2;
    for (int i = 0; i < D_DATA_SIZE; i += 8) {
        uint64_t v = diff_rand_value(r);
        memcpy(&s->data[i], &v, 8);
    }
}

/* ---- native run, in a child process */

static inline void diff_emit_native(const DiffSeq *s, uint8_t *buf, unsigned *len)
{
    Emit e = { buf, 0 };
    static const uint8_t save[] = { 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57 };
    for (unsigned i = 0; i < sizeof(save); i++)
        e8(&e, save[i]);
    e8(&e, 0x48); e8(&e, 0xb8); eimm(&e, D_STATE + 0x200, 8);   /* movabs $xmm area, %rax */
    for (int i = 0; i < 8; i++) {             /* movdqu 16*i(%rax), %xmmi */
        e8(&e, 0xf3); e8(&e, 0x0f); e8(&e, 0x6f); e8(&e, 0x40 | (i << 3)); e8(&e, 16 * i);
    }
    for (int i = 0; i < 8 && s->ymm; i++) {  /* vinserti128 $1, 0x100+16*i(%rax), %ymmi, %ymmi */
        e8(&e, 0xc4); e8(&e, 0xe3); e8(&e, (uint8_t)(((~i & 15) << 3) | 5)); e8(&e, 0x38);
        e8(&e, 0x80 | (i << 3)); eimm(&e, 0x100 + 16 * i, 4); e8(&e, 1);
    }
    e8(&e, 0x68);                            /* push imm32; popfq */
    eimm(&e, s->flags, 4);
    e8(&e, 0x9d);
    for (int i = 0; i < 16; i++) {
        if (i == R_ESP)
            continue;
        e8(&e, 0x48 | (i >> 3));             /* movabs $v, %reg */
        e8(&e, 0xb8 + (i & 7));
        eimm(&e, s->regs[i], 8);
    }
    memcpy(buf + e.n, s->code, s->len);
    e.n += s->len;
    e8(&e, 0x9c);                            /* pushfq */
    e8(&e, 0x50);                            /* push %rax */
    e8(&e, 0x48); e8(&e, 0xb8); eimm(&e, D_STATE, 8);   /* movabs $D_STATE, %rax */
    for (int i = 1; i < 16; i++) {
        if (i == R_ESP)
            continue;
        e8(&e, 0x48 | ((i >> 3) << 2));      /* mov %reg, 8*i(%rax) */
        e8(&e, 0x89);
        e8(&e, 0x40 | ((i & 7) << 3));
        e8(&e, 8 * i);
    }
    for (int i = 0; i < 8; i++) {             /* movdqu %xmmi, 0x200+16*i(%rax) */
        e8(&e, 0xf3); e8(&e, 0x0f); e8(&e, 0x7f); e8(&e, 0x80 | (i << 3)); eimm(&e, 0x200 + 16 * i, 4);
    }
    for (int i = 0; i < 8 && s->ymm; i++) {  /* vextracti128 $1, %ymmi, 0x300+16*i(%rax) */
        e8(&e, 0xc4); e8(&e, 0xe3); e8(&e, 0x7d); e8(&e, 0x39);
        e8(&e, 0x80 | (i << 3)); eimm(&e, 0x300 + 16 * i, 4); e8(&e, 1);
    }
    e8(&e, 0x8f); e8(&e, 0x00);              /* pop (%rax) */
    e8(&e, 0x8f); e8(&e, 0x80); eimm(&e, 128, 4);   /* pop 128(%rax): flags */
    e8(&e, 0xfc);                            /* cld for the C caller */
    static const uint8_t restore[] = { 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3 };
    for (unsigned i = 0; i < sizeof(restore); i++)
        e8(&e, restore[i]);
    *len = e.n;
}

/* Run natively; false if the child died (a fault the generator should have avoided). */
static inline bool diff_run_native(const DiffSeq *s, DiffState *out)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return false;
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        close(pfd[0]);
        uint8_t *data = mmap((void *)D_DATA, D_DATA_SIZE, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        uint64_t *state = mmap((void *)D_STATE, 4096, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (data != (void *)D_DATA || state != (void *)D_STATE || code == MAP_FAILED)
            _exit(3);
        memcpy(data, s->data, D_DATA_SIZE);
        memcpy((uint8_t *)state + 0x200, s->xmm, sizeof s->xmm);
        memcpy((uint8_t *)state + 0x300, s->ymm_hi, sizeof s->ymm_hi);
        unsigned len;
        diff_emit_native(s, code, &len);
        ((void (*)(void))code)();
        DiffState r;
        memcpy(r.regs, state, 16 * 8);
        r.regs[R_ESP] = 0;
        r.flags = state[16];
        memcpy(r.xmm, (uint8_t *)state + 0x200, sizeof r.xmm);
        memcpy(r.ymm_hi, (uint8_t *)state + 0x300, sizeof r.ymm_hi);
        memcpy(r.data, data, D_DATA_SIZE);
        ssize_t w = write(pfd[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 4);
    }
    close(pfd[1]);
    size_t got = 0;
    while (got < sizeof *out) {
        ssize_t n = read(pfd[0], (char *)out + got, sizeof *out - got);
        if (n <= 0)
            break;
        got += n;
    }
    close(pfd[0]);
    int st;
    waitpid(pid, &st, 0);
    return got == sizeof *out && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ---- TCG run */

typedef struct DiffCtx {
    MemoryRegion root, ram, io_root;
    AddressSpace as, io;
    X86CPU *cpu;
} DiffCtx;

static inline bool diff_init(DiffCtx *dc, TCGBackendKind backend)
{
    memory_region_init_container(&dc->root, "sys", UINT64_MAX);
    memory_region_init_ram(&dc->ram, "ram", D_RAM);
    memory_region_add_subregion(&dc->root, 0, &dc->ram);
    address_space_init(&dc->as, &dc->root, "memory");
    memory_region_init_container(&dc->io_root, "io", 0x10000);
    address_space_init(&dc->io, &dc->io_root, "io");
    if (!tcg_accel_setup(backend))
        return false;
    dc->cpu = xzalloc(sizeof(*dc->cpu));
    dc->cpu->as = &dc->as;
    dc->cpu->io = &dc->io;
    x86_cpu_reset(dc->cpu);
    Error *err = NULL;
    return tcg_accel_vcpu_init(dc->cpu, &err);
}

static inline void diff_long_mode(DiffCtx *dc)
{
    X86CPUState *env = &dc->cpu->env;
    uint64_t *pml4 = (uint64_t *)(dc->ram.host + D_PT), *pdpt = pml4 + 512, *pd = pml4 + 1024;
    pml4[0] = (D_PT + 0x1000) | 7;
    pdpt[0] = (D_PT + 0x2000) | 7;
    for (int i = 0; i < 512; i++)
        pd[i] = ((uint64_t)i << 21) | 0x87;
    env->cr[3] = D_PT;
    env->cr[4] |= CR4_PAE;
    env->efer |= EFER_LME | EFER_LMA;
    env->cr[0] |= CR0_PE | CR0_PG;
    SegmentCache *cs = &env->segs[R_CS];
    cs->selector = 8;
    cs->base = 0;
    cs->limit = 0xffffffff;
    cs->flags = DESC_P | DESC_S | DESC_CS_MASK | DESC_R_MASK | DESC_A | DESC_L | DESC_G;
    for (int i = 0; i < X86_NSEGS; i++) {
        if (i == R_CS)
            continue;
        env->segs[i].selector = 0x10;
        env->segs[i].base = 0;
        env->segs[i].limit = 0xffffffff;
        env->segs[i].flags = DESC_P | DESC_S | DESC_W_MASK | DESC_A | DESC_B | DESC_G;
    }
    x86_update_hflags(env);
    tlb_flush(env);
}

static inline bool diff_run_tcg(DiffCtx *dc, const DiffSeq *s, DiffState *out)
{
    X86CPUState *env = &dc->cpu->env;
    memcpy(dc->ram.host + D_CODE, s->code, s->len);
    dc->ram.host[D_CODE + s->len] = 0xf4;                  /* hlt */
    memory_notify_ram_write(&dc->ram, D_CODE, s->len + 1);
    memcpy(dc->ram.host + D_DATA, s->data, D_DATA_SIZE);
    memory_notify_ram_write(&dc->ram, D_DATA, D_DATA_SIZE);
    diff_long_mode(dc);
    memcpy(env->regs, s->regs, sizeof env->regs);
    env->regs[R_ESP] = 0x80000;
    x86_set_eflags(env, s->flags);
    for (int i = 0; i < 8; i++) {
        memcpy(env->ymm[i].b, s->xmm[i], 16);
        memcpy(env->ymm[i].b + 16, s->ymm_hi[i], 16);
    }
    env->cr[4] |= CR4_OSFXSR | CR4_OSXSAVE;
    env->xcr0 = 7;
    x86_update_hflags(env);
    env->rip = D_CODE;
    env->halted = false;
    env->exception_pending = -1;
    AccelExit r = tcg_accel_exec(dc->cpu);
    if (r != ACCEL_EXIT_HLT || env->rip != D_CODE + s->len + 1)
        return false;
    memcpy(out->regs, env->regs, sizeof out->regs);
    out->regs[R_ESP] = 0;
    out->flags = x86_get_eflags(env);
    for (int i = 0; i < 8; i++) {
        memcpy(out->xmm[i], env->ymm[i].b, 16);
        memcpy(out->ymm_hi[i], env->ymm[i].b + 16, 16);
    }
    memcpy(out->data, dc->ram.host + D_DATA, D_DATA_SIZE);
    return true;
}

static inline void diff_print_seq(const DiffSeq *s, FILE *f)
{
    fprintf(f, "  code:");
    for (unsigned i = 0; i < s->len; i++)
        fprintf(f, " %02x", s->code[i]);
    fprintf(f, "\n  flags in %#" PRIx64 ", undefined at end %#x\n", s->flags, s->undef_flags);
}

static inline DiffResult diff_run(DiffCtx *dc, const DiffSeq *s, FILE *rep)
{
    DiffState nat, tcg;
    if (!diff_run_native(s, &nat))
        return DIFF_SKIP;
    if (!diff_run_tcg(dc, s, &tcg)) {
        if (rep) {
            fprintf(rep, "difftest: TCG did not reach the end of the sequence (rip %#" PRIx64 ")\n",
                    dc->cpu->env.rip);
            diff_print_seq(s, rep);
        }
        return DIFF_DIVERGED;
    }
    bool same = true;
    for (int i = 0; i < 16; i++) {
        if (nat.regs[i] != tcg.regs[i]) {
            if (rep)
                fprintf(rep, "difftest: reg %d: host %#" PRIx64 " tcg %#" PRIx64 "\n", i,
                        nat.regs[i], tcg.regs[i]);
            same = false;
        }
    }
    for (int i = 0; i < 8; i++) {
        if (memcmp(nat.xmm[i], tcg.xmm[i], 16) != 0) {
            if (rep) {
                uint64_t h[2], t[2];
                memcpy(h, nat.xmm[i], 16);
                memcpy(t, tcg.xmm[i], 16);
                fprintf(rep, "difftest: xmm%d: host %016" PRIx64 "%016" PRIx64 " tcg %016" PRIx64 "%016" PRIx64 "\n",
                        i, h[1], h[0], t[1], t[0]);
            }
            same = false;
        }
    }
    for (int i = 0; i < 8 && s->ymm; i++) {
        if (memcmp(nat.ymm_hi[i], tcg.ymm_hi[i], 16) != 0) {
            if (rep) {
                uint64_t h[2], t[2];
                memcpy(h, nat.ymm_hi[i], 16);
                memcpy(t, tcg.ymm_hi[i], 16);
                fprintf(rep, "difftest: ymm%d[255:128]: host %016" PRIx64 "%016" PRIx64 " tcg %016" PRIx64
                        "%016" PRIx64 "\n", i, h[1], h[0], t[1], t[0]);
            }
            same = false;
        }
    }
    uint32_t mask = F_ALL & ~s->undef_flags;
    if ((nat.flags & mask) != (tcg.flags & mask)) {
        if (rep)
            fprintf(rep, "difftest: flags: host %#" PRIx64 " tcg %#" PRIx64 " (compared %#x)\n",
                    nat.flags & F_ALL, tcg.flags & F_ALL, mask);
        same = false;
    }
    if (memcmp(nat.data, tcg.data, D_DATA_SIZE) != 0) {
        if (rep)
            fprintf(rep, "difftest: data buffer differs\n");
        same = false;
    }
    if (!same && rep)
        diff_print_seq(s, rep);
    return same ? DIFF_SAME : DIFF_DIVERGED;
}

#endif
