/* decode.h: table-driven x86 instruction decoder (16/32/64-bit) for the translator, tracer and gdb stub.
 *
 * The decoder splits one instruction into its encoding fields — prefixes, REX/VEX/EVEX,
 * opcode map and byte, ModRM/SIB, displacement and immediates — and computes the effective
 * operand and address sizes. It knows which encodings are undefined (#UD) and enforces the
 * 15-byte limit (#GP). It does not know what an instruction does; the translator does.
 *
 *     X86Insn d;
 *     uint8_t code[] = { 0x48, 0x8b, 0x44, 0x24, 0x08 };     // mov rax, [rsp+8]
 *     if (x86_decode_buf(&d, 64, 0x1000, code, sizeof code) == X86_DEC_OK)
 *         printf("%u bytes, opcode %02x, opsize %u\n", d.len, d.op, d.opsize);
 */
#ifndef CPU_X86_DECODE_H
#define CPU_X86_DECODE_H

#include "util/osdep.h"

/* Legacy prefixes seen (bit set). */
#define X86_PFX_LOCK  (1u << 0)
#define X86_PFX_REPNE (1u << 1)    /* F2 */
#define X86_PFX_REP   (1u << 2)    /* F3 */
#define X86_PFX_OPSZ  (1u << 3)    /* 66 */
#define X86_PFX_ADSZ  (1u << 4)    /* 67 */
#define X86_PFX_REX   (1u << 5)    /* a REX prefix is in effect */
#define X86_PFX_VEX   (1u << 6)
#define X86_PFX_EVEX  (1u << 7)

/* Opcode maps. */
enum { X86_MAP_1B = 0, X86_MAP_0F = 1, X86_MAP_0F38 = 2, X86_MAP_0F3A = 3 };

/* Decoder results. */
typedef enum X86DecodeResult {
    X86_DEC_OK = 0,
    X86_DEC_UD,          /* undefined encoding: #UD */
    X86_DEC_GP,          /* longer than 15 bytes: #GP(0) */
    X86_DEC_FETCH,       /* the byte at fault_pc could not be fetched */
} X86DecodeResult;

/* Opcode table attributes (exposed for the translator). */
#define X86_F_MODRM   (1u << 0)
#define X86_F_I64     (1u << 1)    /* invalid in 64-bit mode */
#define X86_F_O64     (1u << 2)    /* valid only in 64-bit mode */
#define X86_F_D64     (1u << 3)    /* default operand size 64 in 64-bit mode */
#define X86_F_F64     (1u << 4)    /* operand size forced to 64 in 64-bit mode */
#define X86_F_UD      (1u << 5)    /* undefined */
#define X86_F_MEM     (1u << 6)    /* ModRM must name memory (mod != 3) */
#define X86_F_LOCK    (1u << 7)    /* LOCK allowed (with a memory destination) */
#define X86_F_GRP     (1u << 8)    /* validity depends on ModRM.reg: see the group masks */

typedef struct X86Insn {
    uint64_t pc;                 /* address of the first byte */
    uint8_t len;                 /* total bytes */
    uint8_t code_bits;           /* 16, 32, 64 */
    uint8_t opsize;              /* effective operand size in bytes: 2, 4, 8 */
    uint8_t adsize;              /* effective address size in bytes: 2, 4, 8 */
    uint8_t prefixes;            /* X86_PFX_* */
    uint8_t last_rep;            /* F2 or F3, whichever came last (0 if none) */
    int8_t seg;                  /* segment override (R_ES..R_GS) or -1 */
    uint8_t rex;                 /* REX byte, or the REX bits of VEX/EVEX (0x40 | WRXB) */
    uint8_t map;                 /* X86_MAP_* */
    uint8_t op;                  /* opcode byte within the map */
    uint8_t vex_l;               /* VEX.L / EVEX.L'L */
    uint8_t vex_v;               /* VEX.vvvv (not inverted) */
    uint8_t vex_pp;              /* VEX.pp: 0 none, 1 66, 2 F3, 3 F2 */
    uint32_t attr;               /* X86_F_* of the opcode */

    bool has_modrm;
    uint8_t modrm, mod, reg, rm;  /* reg and rm include REX.R / REX.B */
    bool has_sib;
    int8_t base, index;          /* -1 if none; register numbers include REX bits */
    uint8_t scale;               /* 0..3 */
    bool rip_rel;                /* 64-bit RIP-relative (disp from the next insn) */
    uint8_t disp_len;
    int64_t disp;                /* sign-extended */
    uint8_t imm_len, imm2_len;
    uint64_t imm;                /* zero-extended raw immediate */
    uint64_t imm2;               /* second immediate (ENTER Ib, far pointer selector) */

    uint64_t fault_pc;           /* X86_DEC_FETCH: address that did not fetch */
    uint8_t bytes[15];           /* the instruction's bytes */
} X86Insn;

/* Fetch one code byte at pc; false if it cannot be fetched (page fault, end of buffer). */
typedef bool X86FetchFn(void *opaque, uint64_t pc, uint8_t *byte);

/* Decode one instruction at pc in a code segment of code_bits (16, 32 or 64). Bytes are
 * fetched one at a time and only as far as the instruction reaches. */
X86DecodeResult x86_decode(X86Insn *d, int code_bits, uint64_t pc, X86FetchFn *fetch, void *opaque);
/* The same, from a buffer (bytes past len do not fetch). */
X86DecodeResult x86_decode_buf(X86Insn *d, int code_bits, uint64_t pc, const uint8_t *buf, size_t len);

/* Sign-extended immediate of the instruction (Ib/Iw/Iz sign-extended to 64 bits). */
static inline int64_t x86_insn_simm(const X86Insn *d)
{
    switch (d->imm_len) {
    case 1: return (int8_t)d->imm;
    case 2: return (int16_t)d->imm;
    case 4: return (int32_t)d->imm;
    default: return (int64_t)d->imm;
    }
}

#endif
