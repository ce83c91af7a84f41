/* gen.h: the sequence generator's building blocks — the encoder state, operand selection
 * (registers, memory in many addressing forms, in 64- and 32-bit mode), value pools, and the
 * class table that gen-int.c, gen-x87.c, gen-simd.c and gen-avx.c fill in.
 *
 * A class is a function that appends one instruction (sometimes with a setup MOV before it)
 * and records its effects: the EFLAGS bits and x87 condition codes it reads (use, fuse),
 * defines (def, fdef) and leaves undefined (und, fund). The driver rejects an instruction that
 * reads something undefined and tries another one.
 *
 * The data buffer at D_DATA is two pages; it has zones, so that no instruction reads what it
 * must not, and the busy ones straddle the page boundary at 0x1000 (accesses that cross it
 * take the soft TLB's slow path):
 *     [0x000, 0x100)  valid packed BCD operands for FBLD, never written
 *     [0x100, 0x200)  FNSTENV/FNSAVE images, read only by the FLDENV/FRSTOR right after
 *     [0xc00, 0x1400) string instruction sources and destinations
 *     [0xe00, 0x1200) memory operands, read and written by anything
 *     the stack starts at D_STACK, 0x1010, and moves through both
 *     [0x1ef8, 0x1f00) the frame's POPF/PUSHF in 16-bit mode (D_SCRATCH16)
 * In 32-bit mode some memory operands and string instructions use 16-bit addressing instead;
 * they go to the buffer at D_LOW, below 64 KiB.
 */
#ifndef TESTS_DIFFTEST_GEN_H
#define TESTS_DIFFTEST_GEN_H

#include "tests/difftest/difftest.h"

#define Z_BCD 0x000u
#define Z_ENV 0x100u
#define Z_ENV_SIZE 0x100u
#define Z_STR 0xc00u
#define Z_STR_SIZE 0x800u
#define Z_MEM 0xe00u
#define Z_MEM_SIZE 0x400u
#define D_STACK (D_DATA + 0x1010u)
#define D_SCRATCH16 0x1f00u
#define R_BASE64 15                  /* long mode: R15 holds D_DATA and is never written */

typedef struct Gen {
    uint8_t *code;
    unsigned n, cap;
    DiffRng *r;
    const DiffHost *h;
    DiffMode mode;
    unsigned mix;
    uint32_t undef;                  /* EFLAGS bits undefined so far */
    uint16_t undef_fsw;              /* x87 condition codes undefined so far */
    uint8_t *data_undef;             /* bitmap of data bytes whose final value is undefined */
    /* effects of the instruction being generated */
    uint32_t use, def, und;
    uint16_t fuse, fdef, fund;
    unsigned depth;                  /* > 0 inside a branch's shadow */
    unsigned avoid;                  /* registers address setup must not use (bit mask) */
    bool ymm;                        /* the frame loads and stores the YMM upper halves */
} Gen;

typedef struct Opnd {
    bool mem;
    int reg;                         /* !mem: the register number */
    uint8_t modrm;                   /* mem: mod and r/m bits */
    bool has_sib;
    uint8_t sib;
    int disp_len;
    uint32_t disp;
    uint8_t rex;                     /* REX.X, REX.B the address needs */
    bool riprel;
    bool a16;                        /* 16-bit addressing (67 in 32-bit mode), into D_LOW */
    uint32_t addr;                   /* mem: the effective address */
} Opnd;

typedef bool (*DiffGenFn)(Gen *g);

enum { M64 = 1u << DIFF_MODE64, M32 = 1u << DIFF_MODE32, M16 = 1u << DIFF_MODE16,
       MBOTH = M64 | M32, MALL = M64 | M32 | M16 };

typedef struct DiffClass {
    const char *name;
    unsigned weight;
    unsigned modes;                  /* M64, M32 */
    unsigned mix;                    /* DIFF_MIX_* */
    DiffGenFn fn;
} DiffClass;

typedef struct DiffClassTable {
    const DiffClass *classes;
    unsigned n;
} DiffClassTable;

extern const DiffClassTable diff_int_table, diff_x87_table, diff_simd_table, diff_avx_table;

static inline uint64_t g_rand(Gen *g) { return diff_rand(g->r); }
static inline unsigned g_pick(Gen *g, unsigned n) { return (unsigned)(diff_rand(g->r) % n); }
static inline bool g_chance(Gen *g, unsigned pct) { return g_pick(g, 100) < pct; }
static inline bool g_is64(const Gen *g) { return g->mode == DIFF_MODE64; }
static inline bool g_is16(const Gen *g) { return g->mode == DIFF_MODE16; }
/* What a register holds to point at data offset 0: D_DATA, or 0 where DS is based there. */
static inline uint32_t g_base(const Gen *g) { return g_is16(g) ? 0 : D_DATA; }
/* Where code offset 0 is, for CALL/RET targets: D_CODE, or 0 where CS is based there. */
static inline uint32_t g_code_base(const Gen *g) { return g_is16(g) ? 0 : D_CODE; }

static inline void g8(Gen *g, uint8_t b)
{
    if (g->n < g->cap)
        g->code[g->n] = b;
    g->n++;
}

static inline void gimm(Gen *g, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        g8(g, (uint8_t)(v >> (8 * i)));
}

static inline void gbytes(Gen *g, const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        g8(g, b[i]);
}

uint64_t g_value(Gen *g);
uint32_t g_f32(Gen *g);
uint64_t g_f64(Gen *g);
void g_f80(Gen *g, uint8_t out[10]);
int g_gpr(Gen *g);
int g_xmm(Gen *g);
int g_size(Gen *g, bool allow16);
Opnd g_r(int reg);
Opnd g_mem(Gen *g, unsigned size, unsigned align);
bool g_low(const Gen *g);
Opnd g_mem_at(Gen *g, uint32_t off);
Opnd g_rm(Gen *g, unsigned size, unsigned align, unsigned mem_pct);
void g_opi(Gen *g, int size, uint8_t mpfx, int map, uint8_t op, int reg, Opnd o, int imm_len,
           uint64_t imm);
/* ModRM/SIB/displacement for reg and o, then imm_len bytes of imm (g_opi's tail; VEX too). */
void g_modrm(Gen *g, int reg, Opnd o, int imm_len, uint64_t imm);
void g_osize(Gen *g, int size);
void g_mov_imm32(Gen *g, int reg, uint32_t v);
void g_mov_mem_imm(Gen *g, Opnd o, int size, uint32_t v);
void g_data_undef(Gen *g, uint32_t off, unsigned len);
bool g_insn(Gen *g);

/* Prefixes (66 when a general-register size 2 or 4 is not the mode's default, 67 for an
 * address of the other size, then the mandatory one), REX, the opcode map escape, the opcode,
 * ModRM/SIB/displacement for reg and o, and an immediate of imm_len bytes. Size 0: no operand
 * size (x87, SSE); 1: a byte; 8: REX.W. */
static inline void g_op(Gen *g, int size, uint8_t mpfx, int map, uint8_t op, int reg, Opnd o)
{
    g_opi(g, size, mpfx, map, op, reg, o, 0, 0);
}

/* Condition code n (the low nibble of Jcc/SETcc/CMOVcc, halved) reads these flags. */
static const uint32_t diff_cond_use[8] = { F_O, F_C, F_Z, F_C | F_Z, F_S, F_P, F_S | F_O,
                                           F_S | F_O | F_Z };

#endif
