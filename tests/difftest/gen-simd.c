/* gen-simd.c: MMX and SSE .. SSE4.2 classes — packed and scalar floating point under every
 * MXCSR rounding mode with DAZ/FTZ (exceptions masked, their flags compared), conversions,
 * integer ops, shuffles, inserts and extracts, PTEST, ROUNDxx, DPPS, PCMPxSTRx, CRC32, and
 * the MMX forms that share the x87 registers. Each instruction comes from a table row; the
 * host's CPUID decides which rows may be used.
 *
 * Left out: RCPPS/RCPSS/RSQRTPS/RSQRTSS, whose approximations are specific to each CPU
 * design (SDM 2: "relative error <= 1.5 * 2^-12"), so no model matches every host. */
#include "tests/difftest/gen.h"

enum {                                          /* operand shapes */
    K_X,        /* xmm, xmm/m */
    K_M,        /* mm, mm/m64 */
    K_XG,       /* xmm, r/m32/64 (CVTSI2SS, MOVD/MOVQ, PINSRx) */
    K_GX,       /* r32/64, xmm/m (CVTSS2SI, MOVMSKPS, PMOVMSKB, PEXTRW c5) */
    K_GM,       /* r32, mm (PMOVMSKB, PEXTRW) */
    K_EX,       /* r/m, xmm (PEXTRB/W/D/Q, EXTRACTPS, MOVD/MOVQ stores) */
    K_GRP,      /* shift group: /ext, xmm or mm register, imm8 */
    K_MX,       /* mm, xmm/m64 (CVTPS2PI) */
    K_XM,       /* xmm, mm/m64 (CVTPI2PS) */
    K_CRC,      /* CRC32 r32/64, r/m */
};
enum { ANY, S3, SS3, S41, S42 };               /* the CPUID bit a row needs */
enum { I_NONE, I_ANY, I_CMP, I_ROUND, I_SHIFT }; /* the immediate */

typedef struct SimdOp {
    uint8_t pfx, map, op;
    uint8_t kind, msize, feat, imm;
    uint8_t ext;                                /* K_GRP: the ModRM reg field */
    bool flags;                                 /* writes ZF PF CF, clears OF SF AF (or all six) */
    bool wide;                                  /* a REX.W form exists (64-bit GPR operand) */
} SimdOp;

#define X(p, m, o, ms) { p, m, o, K_X, ms, ANY, I_NONE, 0, false, false }
#define XF(p, m, o, ms, f) { p, m, o, K_X, ms, f, I_NONE, 0, false, false }
#define XI(p, m, o, ms, f, i) { p, m, o, K_X, ms, f, i, 0, false, false }

static const SimdOp simd_ops[] = {
    /* SSE/SSE2 floating point, packed and scalar */
    X(0, 1, 0x10, 16), X(0, 1, 0x11, 16), X(0x66, 1, 0x10, 16), X(0xf3, 1, 0x10, 4),
    X(0xf2, 1, 0x10, 8), X(0xf3, 1, 0x11, 4), X(0xf2, 1, 0x11, 8), X(0, 1, 0x28, 16),
    X(0x66, 1, 0x29, 16), X(0, 1, 0x12, 8), X(0, 1, 0x16, 8), X(0x66, 1, 0x12, 0x88),
    X(0x66, 1, 0x16, 0x88), X(0, 1, 0x14, 16), X(0, 1, 0x15, 16), X(0x66, 1, 0x14, 16),
    X(0x66, 1, 0x15, 16), X(0, 1, 0x51, 16), X(0x66, 1, 0x51, 16), X(0xf3, 1, 0x51, 4),
    X(0xf2, 1, 0x51, 8), X(0, 1, 0x54, 16), X(0, 1, 0x55, 16), X(0, 1, 0x56, 16),
    X(0, 1, 0x57, 16), X(0x66, 1, 0x54, 16), X(0x66, 1, 0x57, 16),
    X(0, 1, 0x58, 16), X(0, 1, 0x59, 16), X(0, 1, 0x5c, 16), X(0, 1, 0x5d, 16),
    X(0, 1, 0x5e, 16), X(0, 1, 0x5f, 16), X(0x66, 1, 0x58, 16), X(0x66, 1, 0x59, 16),
    X(0x66, 1, 0x5c, 16), X(0x66, 1, 0x5d, 16), X(0x66, 1, 0x5e, 16), X(0x66, 1, 0x5f, 16),
    X(0xf3, 1, 0x58, 4), X(0xf3, 1, 0x59, 4), X(0xf3, 1, 0x5c, 4), X(0xf3, 1, 0x5d, 4),
    X(0xf3, 1, 0x5e, 4), X(0xf3, 1, 0x5f, 4), X(0xf2, 1, 0x58, 8), X(0xf2, 1, 0x59, 8),
    X(0xf2, 1, 0x5c, 8), X(0xf2, 1, 0x5d, 8), X(0xf2, 1, 0x5e, 8), X(0xf2, 1, 0x5f, 8),
    XI(0, 1, 0xc2, 16, ANY, I_CMP), XI(0x66, 1, 0xc2, 16, ANY, I_CMP),
    XI(0xf3, 1, 0xc2, 4, ANY, I_CMP), XI(0xf2, 1, 0xc2, 8, ANY, I_CMP),
    XI(0, 1, 0xc6, 16, ANY, I_ANY), XI(0x66, 1, 0xc6, 16, ANY, I_ANY),
    /* conversions */
    X(0, 1, 0x5a, 8), X(0x66, 1, 0x5a, 16), X(0xf3, 1, 0x5a, 4), X(0xf2, 1, 0x5a, 8),
    X(0, 1, 0x5b, 16), X(0x66, 1, 0x5b, 16), X(0xf3, 1, 0x5b, 16), X(0xf3, 1, 0xe6, 8),
    X(0x66, 1, 0xe6, 16), X(0xf2, 1, 0xe6, 16),
    { 0xf3, 1, 0x2a, K_XG, 4, ANY, I_NONE, 0, false, true },
    { 0xf2, 1, 0x2a, K_XG, 4, ANY, I_NONE, 0, false, true },
    { 0xf3, 1, 0x2c, K_GX, 4, ANY, I_NONE, 0, false, true },
    { 0xf3, 1, 0x2d, K_GX, 4, ANY, I_NONE, 0, false, true },
    { 0xf2, 1, 0x2c, K_GX, 8, ANY, I_NONE, 0, false, true },
    { 0xf2, 1, 0x2d, K_GX, 8, ANY, I_NONE, 0, false, true },
    { 0, 1, 0x2a, K_XM, 8, ANY, I_NONE, 0, false, false },
    { 0x66, 1, 0x2a, K_XM, 8, ANY, I_NONE, 0, false, false },
    { 0, 1, 0x2c, K_MX, 8, ANY, I_NONE, 0, false, false },
    { 0, 1, 0x2d, K_MX, 8, ANY, I_NONE, 0, false, false },
    { 0x66, 1, 0x2c, K_MX, 16, ANY, I_NONE, 0, false, false },
    { 0x66, 1, 0x2d, K_MX, 16, ANY, I_NONE, 0, false, false },
    /* compares into EFLAGS, masks */
    { 0, 1, 0x2e, K_X, 4, ANY, I_NONE, 0, true, false },
    { 0, 1, 0x2f, K_X, 4, ANY, I_NONE, 0, true, false },
    { 0x66, 1, 0x2e, K_X, 8, ANY, I_NONE, 0, true, false },
    { 0x66, 1, 0x2f, K_X, 8, ANY, I_NONE, 0, true, false },
    { 0, 1, 0x50, K_GX, 0, ANY, I_NONE, 0, false, false },
    { 0x66, 1, 0x50, K_GX, 0, ANY, I_NONE, 0, false, false },
    { 0x66, 1, 0xd7, K_GX, 0, ANY, I_NONE, 0, false, false },
    { 0, 1, 0xd7, K_GM, 0, ANY, I_NONE, 0, false, false },
    /* integer moves, inserts and extracts */
    X(0x66, 1, 0x6f, 16), X(0xf3, 1, 0x6f, 16), X(0x66, 1, 0x7f, 16), X(0xf3, 1, 0x7f, 16),
    X(0xf3, 1, 0x7e, 8), X(0x66, 1, 0xd6, 0x88),
    { 0x66, 1, 0x6e, K_XG, 4, ANY, I_NONE, 0, false, true },
    { 0x66, 1, 0x7e, K_EX, 4, ANY, I_NONE, 0, false, true },
    { 0, 1, 0x6e, K_XG, 4, ANY, I_NONE, 0, false, true },     /* MOVD/MOVQ mm, r/m */
    { 0x66, 1, 0xc4, K_XG, 2, ANY, I_ANY, 0, false, false },
    { 0, 1, 0xc4, K_XG, 2, ANY, I_ANY, 0, false, false },
    { 0x66, 1, 0xc5, K_GX, 0, ANY, I_ANY, 0, false, false },
    { 0, 1, 0xc5, K_GM, 0, ANY, I_ANY, 0, false, false },
    XI(0x66, 1, 0x70, 16, ANY, I_ANY), XI(0xf3, 1, 0x70, 16, ANY, I_ANY),
    XI(0xf2, 1, 0x70, 16, ANY, I_ANY),
    { 0, 1, 0x70, K_M, 8, ANY, I_ANY, 0, false, false },
    { 0, 1, 0x6f, K_M, 8, ANY, I_NONE, 0, false, false },
    { 0, 1, 0x7f, K_M, 8, ANY, I_NONE, 0, false, false },
    /* shift groups by an immediate, on xmm and mm */
    { 0x66, 1, 0x71, K_GRP, 0, ANY, I_SHIFT, 2, false, false },
    { 0x66, 1, 0x71, K_GRP, 0, ANY, I_SHIFT, 4, false, false },
    { 0x66, 1, 0x71, K_GRP, 0, ANY, I_SHIFT, 6, false, false },
    { 0x66, 1, 0x72, K_GRP, 0, ANY, I_SHIFT, 2, false, false },
    { 0x66, 1, 0x72, K_GRP, 0, ANY, I_SHIFT, 4, false, false },
    { 0x66, 1, 0x72, K_GRP, 0, ANY, I_SHIFT, 6, false, false },
    { 0x66, 1, 0x73, K_GRP, 0, ANY, I_SHIFT, 2, false, false },
    { 0x66, 1, 0x73, K_GRP, 0, ANY, I_SHIFT, 3, false, false },
    { 0x66, 1, 0x73, K_GRP, 0, ANY, I_SHIFT, 6, false, false },
    { 0x66, 1, 0x73, K_GRP, 0, ANY, I_SHIFT, 7, false, false },
    { 0, 1, 0x71, K_GRP, 0, ANY, I_SHIFT, 2, false, false },
    { 0, 1, 0x72, K_GRP, 0, ANY, I_SHIFT, 4, false, false },
    { 0, 1, 0x73, K_GRP, 0, ANY, I_SHIFT, 6, false, false },
    /* non-temporal stores, LDDQU, MOVQ2DQ, MOVDQ2Q */
    X(0, 1, 0x2b, 0x90), X(0x66, 1, 0x2b, 0x90), X(0x66, 1, 0xe7, 0x90),
    { 0, 1, 0xe7, K_M, 0x88, ANY, I_NONE, 0, false, false },
    XF(0xf2, 1, 0xf0, 0x90, S3),
    { 0xf3, 1, 0xd6, K_XM, 0, ANY, I_NONE, 0, false, false },
    { 0xf2, 1, 0xd6, K_MX, 0, ANY, I_NONE, 0, false, false },
    /* SSE3 */
    XF(0x66, 1, 0xd0, 16, S3), XF(0xf2, 1, 0xd0, 16, S3), XF(0x66, 1, 0x7c, 16, S3),
    XF(0x66, 1, 0x7d, 16, S3), XF(0xf2, 1, 0x7c, 16, S3), XF(0xf2, 1, 0x7d, 16, S3),
    XF(0xf3, 1, 0x16, 16, S3), XF(0xf3, 1, 0x12, 16, S3), XF(0xf2, 1, 0x12, 8, S3),
    /* SSSE3, xmm and mm */
    XF(0x66, 2, 0x00, 16, SS3), XF(0x66, 2, 0x01, 16, SS3), XF(0x66, 2, 0x02, 16, SS3),
    XF(0x66, 2, 0x03, 16, SS3), XF(0x66, 2, 0x04, 16, SS3), XF(0x66, 2, 0x05, 16, SS3),
    XF(0x66, 2, 0x06, 16, SS3), XF(0x66, 2, 0x07, 16, SS3), XF(0x66, 2, 0x08, 16, SS3),
    XF(0x66, 2, 0x09, 16, SS3), XF(0x66, 2, 0x0a, 16, SS3), XF(0x66, 2, 0x0b, 16, SS3),
    XF(0x66, 2, 0x1c, 16, SS3), XF(0x66, 2, 0x1d, 16, SS3), XF(0x66, 2, 0x1e, 16, SS3),
    XI(0x66, 3, 0x0f, 16, SS3, I_ANY),
    { 0, 2, 0x00, K_M, 8, SS3, I_NONE, 0, false, false },
    { 0, 2, 0x04, K_M, 8, SS3, I_NONE, 0, false, false },
    { 0, 2, 0x0b, K_M, 8, SS3, I_NONE, 0, false, false },
    { 0, 2, 0x1e, K_M, 8, SS3, I_NONE, 0, false, false },
    { 0, 3, 0x0f, K_M, 8, SS3, I_ANY, 0, false, false },
    /* SSE4.1 */
    XF(0x66, 2, 0x10, 16, S41), XF(0x66, 2, 0x14, 16, S41), XF(0x66, 2, 0x15, 16, S41),
    { 0x66, 2, 0x17, K_X, 16, S41, I_NONE, 0, true, false },
    XF(0x66, 2, 0x20, 8, S41), XF(0x66, 2, 0x21, 4, S41), XF(0x66, 2, 0x22, 2, S41),
    XF(0x66, 2, 0x23, 8, S41), XF(0x66, 2, 0x24, 4, S41), XF(0x66, 2, 0x25, 8, S41),
    XF(0x66, 2, 0x30, 8, S41), XF(0x66, 2, 0x31, 4, S41), XF(0x66, 2, 0x32, 2, S41),
    XF(0x66, 2, 0x33, 8, S41), XF(0x66, 2, 0x34, 4, S41), XF(0x66, 2, 0x35, 8, S41),
    XF(0x66, 2, 0x28, 16, S41), XF(0x66, 2, 0x29, 16, S41), XF(0x66, 2, 0x2b, 16, S41),
    XF(0x66, 2, 0x38, 16, S41), XF(0x66, 2, 0x39, 16, S41), XF(0x66, 2, 0x3a, 16, S41),
    XF(0x66, 2, 0x3b, 16, S41), XF(0x66, 2, 0x3c, 16, S41), XF(0x66, 2, 0x3d, 16, S41),
    XF(0x66, 2, 0x3e, 16, S41), XF(0x66, 2, 0x3f, 16, S41), XF(0x66, 2, 0x40, 16, S41),
    XF(0x66, 2, 0x41, 16, S41),
    XI(0x66, 3, 0x08, 16, S41, I_ROUND), XI(0x66, 3, 0x09, 16, S41, I_ROUND),
    XI(0x66, 3, 0x0a, 4, S41, I_ROUND), XI(0x66, 3, 0x0b, 8, S41, I_ROUND),
    XI(0x66, 3, 0x0c, 16, S41, I_ANY), XI(0x66, 3, 0x0d, 16, S41, I_ANY),
    XI(0x66, 3, 0x0e, 16, S41, I_ANY), XI(0x66, 3, 0x21, 4, S41, I_ANY),
    XI(0x66, 3, 0x40, 16, S41, I_ANY), XI(0x66, 3, 0x41, 16, S41, I_ANY),
    XI(0x66, 3, 0x42, 16, S41, I_ANY),
    { 0x66, 3, 0x14, K_EX, 1, S41, I_ANY, 0, false, false },
    { 0x66, 3, 0x15, K_EX, 2, S41, I_ANY, 0, false, false },
    { 0x66, 3, 0x16, K_EX, 4, S41, I_ANY, 0, false, true },
    { 0x66, 3, 0x17, K_EX, 4, S41, I_ANY, 0, false, false },
    { 0x66, 3, 0x20, K_XG, 1, S41, I_ANY, 0, false, false },
    { 0x66, 3, 0x22, K_XG, 4, S41, I_ANY, 0, false, true },
    /* SSE4.2 */
    XF(0x66, 2, 0x37, 16, S42),
    { 0x66, 3, 0x60, K_X, 16, S42, I_ANY, 0, true, true },
    { 0x66, 3, 0x61, K_X, 16, S42, I_ANY, 0, true, true },
    { 0x66, 3, 0x62, K_X, 16, S42, I_ANY, 0, true, false },
    { 0x66, 3, 0x63, K_X, 16, S42, I_ANY, 0, true, false },
    { 0xf2, 2, 0xf0, K_CRC, 1, S42, I_NONE, 0, false, false },
    { 0xf2, 2, 0xf1, K_CRC, 4, S42, I_NONE, 0, false, true },
};

/* The SSE2 integer ops; most exist on mm as well (not PUNPCKxQDQ). */
static const uint8_t int_ops[] = { 0xfc, 0xfd, 0xfe, 0xd4, 0xf8, 0xf9, 0xfa, 0xfb, 0xec, 0xed,
    0xdc, 0xdd, 0xe8, 0xe9, 0xd8, 0xd9, 0xd5, 0xe5, 0xe4, 0xf4, 0xf5, 0xe0, 0xe3, 0xda, 0xde,
    0xea, 0xee, 0xf6, 0x74, 0x75, 0x76, 0x64, 0x65, 0x66, 0x63, 0x6b, 0x67, 0x60, 0x61, 0x62,
    0x68, 0x69, 0x6a, 0xdb, 0xdf, 0xeb, 0xef, 0xd1, 0xd2, 0xd3, 0xe1, 0xe2, 0xf1, 0xf2, 0xf3,
    0x6c, 0x6d };

static bool simd_feature(const Gen *g, int feat)
{
    switch (feat) {
    case S3: return g->h->sse3;
    case SS3: return g->h->ssse3;
    case S41: return g->h->sse41;
    case S42: return g->h->sse42;
    default: return true;
    }
}

static uint8_t simd_imm(Gen *g, int kind)
{
    switch (kind) {
    case I_CMP: return (uint8_t)g_pick(g, 8);
    case I_ROUND: return (uint8_t)g_pick(g, 16);
    case I_SHIFT: return (uint8_t)(g_chance(g, 80) ? g_pick(g, 20) : g_pick(g, 256));
    default: return (uint8_t)g_rand(g);
    }
}

/* An xmm (or mm) register or memory operand: m128 operands are kept aligned. */
static Opnd simd_rm(Gen *g, unsigned msize, bool mmx)
{
    if (msize && g_chance(g, 30))
        return g_mem(g, msize, msize >= 16 ? 16 : 1);
    return g_r(mmx ? (int)g_pick(g, 8) : g_xmm(g));
}

static bool gen_simd_row(Gen *g, const SimdOp *s)
{
    if (!simd_feature(g, s->feat))
        return false;
    int size = s->wide && g_is64(g) && g_chance(g, 50) ? 8 : 4;
    unsigned msize = s->msize & 0x7f;
    Opnd o;
    int reg;
    switch (s->kind) {
    case K_X:
    case K_M:
        if (s->msize & 0x80)                    /* memory-only forms */
            o = g_mem(g, msize, msize >= 16 ? 16 : 1);
        else
            o = simd_rm(g, msize, s->kind == K_M);
        reg = s->kind == K_M ? (int)g_pick(g, 8) : g_xmm(g);
        break;
    case K_XG:
        o = g_rm(g, msize == 4 ? (unsigned)size : msize, 1, 30);
        reg = s->pfx == 0 ? (int)g_pick(g, 8) : g_xmm(g);
        break;
    case K_GX:
        o = msize ? simd_rm(g, msize, false) : g_r(g_xmm(g));
        reg = g_gpr(g);
        break;
    case K_GM:
        o = g_r((int)g_pick(g, 8));
        reg = g_gpr(g);
        break;
    case K_EX:
        o = g_rm(g, msize == 4 ? (unsigned)size : msize, 1, 30);
        reg = g_xmm(g);
        break;
    case K_GRP:
        o = g_r(s->pfx ? g_xmm(g) : (int)g_pick(g, 8));
        reg = s->ext;
        break;
    case K_MX:
        o = simd_rm(g, msize, false);
        reg = (int)g_pick(g, 8);
        break;
    case K_XM:
        o = msize && g_chance(g, 30) ? g_mem(g, 8, 1) : g_r((int)g_pick(g, 8));
        reg = g_xmm(g);
        break;
    default:                                    /* K_CRC: r32/64, r/m8/16/32/64 */
        if (s->op == 0xf1 && g_chance(g, 30))
            size = 2;
        o = g_rm(g, s->op == 0xf0 ? 1 : (unsigned)size, 1, 30);
        g_op(g, s->op == 0xf0 && size != 8 ? 0 : size, s->pfx, s->map, s->op, g_gpr(g), o);
        return true;
    }
    g_opi(g, size == 8 ? 8 : 0, s->pfx, s->map, s->op, reg, o, s->imm != I_NONE,
          simd_imm(g, s->imm));
    if (s->flags)
        g->def = F_ALL;
    return true;
}

static bool gen_simd(Gen *g)
{
    return gen_simd_row(g, &simd_ops[g_pick(g, ARRAY_SIZE(simd_ops))]);
}

static bool gen_simd_int(Gen *g)                /* the SSE2 integer ops on xmm and on mm */
{
    uint8_t op = int_ops[g_pick(g, ARRAY_SIZE(int_ops))];
    bool mmx = g_chance(g, 30) && op != 0x6c && op != 0x6d;
    SimdOp row = { mmx ? 0 : 0x66, 1, op, mmx ? K_M : K_X, mmx ? 8 : 16, ANY, I_NONE, 0, false, false };
    return gen_simd_row(g, &row);
}

static bool gen_maskmov(Gen *g)                 /* MASKMOVDQU, MASKMOVQ: stores to [rDI] */
{
    bool mmx = g_chance(g, 40);
    g_mov_imm32(g, R_EDI, g_base(g) + Z_MEM + g_pick(g, Z_MEM_SIZE - 16));
    int r = mmx ? (int)g_pick(g, 8) : g_xmm(g), m = mmx ? (int)g_pick(g, 8) : g_xmm(g);
    g_op(g, 0, mmx ? 0 : 0x66, 1, 0xf7, r, g_r(m));
    return true;
}

static bool gen_mxcsr(Gen *g)                   /* LDMXCSR with any rounding, DAZ, FTZ; STMXCSR; EMMS */
{
    Opnd m = g_mem(g, 4, 4);
    switch (g_pick(g, 4)) {
    case 0: case 1: {
        uint32_t v = 0x1f80 | g_pick(g, 4) << 13 | (g_chance(g, 30) ? 0x40 : 0) |
                     (g_chance(g, 30) ? 0x8000 : 0) | (g_rand(g) & 0x3f & (g_chance(g, 50) ? ~0u : 0));
        g_mov_mem_imm(g, m, 4, v);
        g_op(g, 0, 0, 1, 0xae, 2, m);
        return true;
    }
    case 2:
        g_op(g, 0, 0, 1, 0xae, 3, m);
        return true;
    default:
        g8(g, 0x0f);
        g8(g, 0x77);
        return true;
    }
}

static const DiffClass simd_classes[] = {
    { "sse", 10, MALL, DIFF_MIX_SIMD, gen_simd },
    { "sse-int-mmx", 4, MALL, DIFF_MIX_SIMD, gen_simd_int },
    { "mxcsr-emms", 1, MALL, DIFF_MIX_SIMD, gen_mxcsr },
    { "maskmov", 1, MALL, DIFF_MIX_SIMD, gen_maskmov },
};

const DiffClassTable diff_simd_table = { simd_classes, ARRAY_SIZE(simd_classes) };
