/* gen-avx.c: VEX classes — BMI1 and BMI2 on general registers; AVX and AVX2 on the YMM
 * registers (floating point under every MXCSR mode, integer ops, shuffles and permutes,
 * broadcasts, masked moves, 128-bit inserts and extracts, gathers with VSIB addressing); FMA3
 * and F16C. The frame loads and compares the YMM upper halves (gen.c), so what a 128-bit VEX
 * form zeroes and what a legacy SSE form keeps is checked too.
 *
 * A row or class runs only where the host's CPUID has its feature and the OS enabled the AVX
 * state (difftest.c: DiffHost). VEX is generated in 64- and 32-bit code, not in 16-bit code.
 * Opcodes, forms and flag effects: SDM 2, chapters 3-5 and the VEX tables in appendix A. */
#include "tests/difftest/gen.h"

/* The VEX prefix (SDM 2, 2.3.5) — sometimes the two-byte C5 form where it can say it (map 0F,
 * W0, no VEX.X or VEX.B), else C4 — then the opcode, ModRM/SIB/displacement and imm_len bytes
 * of imm. vvvv 0 encodes 1111b, "no register" for the forms that require it. */
static void g_vex(Gen *g, int map, int pp, int w, int l, int reg, int vvvv, uint8_t op, Opnd o,
                  int imm_len, uint64_t imm)
{
    if (o.mem && o.a16 != g_is16(g))
        g8(g, 0x67);
    unsigned r = (unsigned)reg >> 3 & 1;
    unsigned x = o.mem ? (unsigned)o.rex >> 1 & 1 : 0;
    unsigned b = o.mem ? (unsigned)o.rex & 1 : (unsigned)o.reg >> 3 & 1;
    uint8_t tail = (uint8_t)((~vvvv & 15) << 3 | l << 2 | pp);
    if (map == 1 && !w && !x && !b && g_chance(g, 50)) {
        g8(g, 0xc5);
        g8(g, (uint8_t)(!r << 7 | tail));
    } else {
        g8(g, 0xc4);
        g8(g, (uint8_t)(!r << 7 | !x << 6 | !b << 5 | map));
        g8(g, (uint8_t)(w << 7 | tail));
    }
    g8(g, op);
    g_modrm(g, reg, o, imm_len, imm);
}

/* A YMM/XMM register or (mem_pct percent) 32 bytes of the memory zone; VEX needs no alignment
 * but for VMOVAPS and friends, which are not generated. */
static Opnd v_rm(Gen *g, unsigned mem_pct)
{
    return g_chance(g, mem_pct) ? g_mem(g, 32, 1) : g_r(g_xmm(g));
}

/* ---- BMI1, BMI2 */

typedef struct BmiOp {
    uint8_t map, op, pp;
    uint8_t ext;                    /* BLSI/BLSMSK/BLSR: ModRM.reg; vvvv the destination */
    bool bmi2, imm;
    uint32_t def, und;
} BmiOp;

#define SZOC (F_S | F_Z | F_O | F_C)

static const BmiOp bmi_ops[] = {
    { 2, 0xf2, 0, 0, false, false, SZOC, F_A | F_P },               /* ANDN */
    { 2, 0xf7, 0, 0, false, false, F_Z | F_O | F_C, F_A | F_S | F_P }, /* BEXTR */
    { 2, 0xf3, 0, 3, false, false, SZOC, F_A | F_P },               /* BLSI */
    { 2, 0xf3, 0, 2, false, false, SZOC, F_A | F_P },               /* BLSMSK */
    { 2, 0xf3, 0, 1, false, false, SZOC, F_A | F_P },               /* BLSR */
    { 2, 0xf5, 0, 0, true, false, SZOC, F_A | F_P },                /* BZHI */
    { 2, 0xf6, 3, 0, true, false, 0, 0 },                           /* MULX (reads EDX) */
    { 2, 0xf5, 3, 0, true, false, 0, 0 },                           /* PDEP */
    { 2, 0xf5, 2, 0, true, false, 0, 0 },                           /* PEXT */
    { 3, 0xf0, 3, 0, true, true, 0, 0 },                            /* RORX (vvvv 1111b) */
    { 2, 0xf7, 2, 0, true, false, 0, 0 },                           /* SARX */
    { 2, 0xf7, 1, 0, true, false, 0, 0 },                           /* SHLX */
    { 2, 0xf7, 3, 0, true, false, 0, 0 },                           /* SHRX */
};

static bool gen_bmi(Gen *g)
{
    const BmiOp *t = &bmi_ops[g_pick(g, ARRAY_SIZE(bmi_ops))];
    if (t->bmi2 ? !g->h->bmi2 : !g->h->bmi1)
        return false;
    /* VEX.W selects 64-bit operands in long mode only; 32-bit code keeps W0. */
    int w = g_is64(g) && g_chance(g, 50);
    Opnd o = g_rm(g, w ? 8 : 4, 1, 25);
    int reg = t->ext ? t->ext : g_gpr(g);
    int v = t->imm ? 0 : g_gpr(g);
    g_vex(g, t->map, t->pp, w, 0, reg, v, t->op, o, t->imm, g_rand(g));
    g->def = t->def;
    g->und = t->und;
    return true;
}

/* ---- AVX, AVX2: the regular forms */

enum { FA, FI, F2 };        /* AVX; AVX at 128 bits and AVX2 at 256; AVX2 only */
enum {                      /* operands */
    V_NDS,                  /* x, vvvv, x/m */
    V_UN,                   /* x, x/m (vvvv 1111b) */
    V_NDS_I,                /* x, vvvv, x/m, imm8 */
    V_UN_I,                 /* x, x/m, imm8 */
    V_256_NDS,              /* 256-bit only: y, vvvv, y/m */
    V_256_NDS_I,            /* 256-bit only: y, vvvv, y/m, imm8 */
    V_256_UN_I,             /* 256-bit only: y, y/m, imm8 */
};

typedef struct AvxOp {
    uint8_t map, op, pp, form;
    uint8_t w;              /* VEX.W: 0, 1, or 2 for either (WIG) */
    uint8_t feat;
} AvxOp;

static bool v_feat(const Gen *g, unsigned feat, int l)
{
    return feat == FA ? g->h->avx : feat == FI && !l ? g->h->avx : g->h->avx2;
}

#define I1(op) { 1, op, 1, V_NDS, 0, FI }
#define P(map, op, pp, form, feat) { map, op, pp, form, 2, feat }

static const AvxOp avx_ops[] = {
    /* integer on the 0F map: add/sub (saturating), multiplies, SAD, averages, min/max,
     * compares, packs and unpacks, logic, shifts by an xmm count */
    I1(0xfe), I1(0xfa), I1(0xd4), I1(0xec), I1(0xd8), I1(0xd5), I1(0xe4), I1(0xf4), I1(0xf5),
    I1(0xf6), I1(0xe0), I1(0xda), I1(0xee), I1(0x74), I1(0x66), I1(0x63), I1(0x6b), I1(0x60),
    I1(0x6d), I1(0xdb), I1(0xdf), I1(0xef), I1(0xd1), I1(0xe2), I1(0xf3),
    /* floating point: arithmetic packed and scalar, sqrt, logic, unpacks, horizontal,
     * conversions, duplicates, compares (32 predicates), shuffles, moves */
    P(1, 0x58, 0, V_NDS, FA), P(1, 0x59, 1, V_NDS, FA), P(1, 0x5c, 0, V_NDS, FA),
    P(1, 0x5d, 1, V_NDS, FA), P(1, 0x5e, 0, V_NDS, FA), P(1, 0x5f, 0, V_NDS, FA),
    P(1, 0x58, 2, V_NDS, FA), P(1, 0x59, 3, V_NDS, FA), P(1, 0x5d, 2, V_NDS, FA),
    P(1, 0x5e, 3, V_NDS, FA), P(1, 0x51, 0, V_UN, FA), P(1, 0x51, 1, V_UN, FA),
    P(1, 0x51, 3, V_NDS, FA), P(1, 0x54, 0, V_NDS, FA), P(1, 0x55, 1, V_NDS, FA),
    P(1, 0x57, 1, V_NDS, FA), P(1, 0x14, 0, V_NDS, FA), P(1, 0x15, 1, V_NDS, FA),
    P(1, 0x7c, 3, V_NDS, FA), P(1, 0x7d, 1, V_NDS, FA), P(1, 0xd0, 1, V_NDS, FA),
    P(1, 0x5a, 0, V_UN, FA), P(1, 0x5a, 1, V_UN, FA), P(1, 0x5b, 0, V_UN, FA),
    P(1, 0x5b, 1, V_UN, FA), P(1, 0x5b, 2, V_UN, FA), P(1, 0xe6, 1, V_UN, FA),
    P(1, 0xe6, 2, V_UN, FA), P(1, 0xe6, 3, V_UN, FA), P(1, 0x12, 2, V_UN, FA),
    P(1, 0x12, 3, V_UN, FA), P(1, 0x16, 2, V_UN, FA), P(1, 0xc2, 0, V_NDS_I, FA),
    P(1, 0xc2, 1, V_NDS_I, FA), P(1, 0xc2, 2, V_NDS_I, FA), P(1, 0xc2, 3, V_NDS_I, FA),
    P(1, 0xc6, 0, V_NDS_I, FA), P(1, 0xc6, 1, V_NDS_I, FA), P(1, 0x6f, 2, V_UN, FA),
    P(1, 0x10, 0, V_UN, FA), P(1, 0x10, 2, V_NDS, FA), P(1, 0x10, 3, V_NDS, FA),
    P(1, 0x70, 1, V_UN_I, FI), P(1, 0x70, 2, V_UN_I, FI), P(1, 0x70, 3, V_UN_I, FI),
    /* the 0F38 map: SSSE3/SSE4.1 integer forms, sign/zero extensions, variable permutes,
     * shifts by a vector of counts, broadcasts from a register */
    { 2, 0x00, 1, V_NDS, 0, FI }, { 2, 0x04, 1, V_NDS, 0, FI }, { 2, 0x0b, 1, V_NDS, 0, FI },
    { 2, 0x1c, 1, V_UN, 0, FI }, { 2, 0x1e, 1, V_UN, 0, FI }, { 2, 0x20, 1, V_UN, 0, FI },
    { 2, 0x23, 1, V_UN, 0, FI }, { 2, 0x31, 1, V_UN, 0, FI }, { 2, 0x35, 1, V_UN, 0, FI },
    { 2, 0x28, 1, V_NDS, 0, FI }, { 2, 0x2b, 1, V_NDS, 0, FI }, { 2, 0x37, 1, V_NDS, 0, FI },
    { 2, 0x39, 1, V_NDS, 0, FI }, { 2, 0x40, 1, V_NDS, 0, FI }, { 2, 0x3e, 1, V_NDS, 0, FI },
    { 2, 0x0c, 1, V_NDS, 0, FA }, { 2, 0x0d, 1, V_NDS, 0, FA }, { 2, 0x36, 1, V_256_NDS, 0, F2 },
    { 2, 0x16, 1, V_256_NDS, 0, F2 }, { 2, 0x45, 1, V_NDS, 2, F2 }, { 2, 0x46, 1, V_NDS, 0, F2 },
    { 2, 0x47, 1, V_NDS, 2, F2 }, { 2, 0x18, 1, V_UN, 0, F2 }, { 2, 0x58, 1, V_UN, 0, F2 },
    { 2, 0x59, 1, V_UN, 0, F2 }, { 2, 0x78, 1, V_UN, 0, F2 }, { 2, 0x79, 1, V_UN, 0, F2 },
    /* the 0F3A map: PALIGNR, blends, permutes by immediate, MPSADBW, rounding, the 128-bit
     * lane permutes and inserts */
    { 3, 0x0f, 1, V_NDS_I, 0, FI }, { 3, 0x0e, 1, V_NDS_I, 0, FI }, { 3, 0x42, 1, V_NDS_I, 0, FI },
    { 3, 0x0c, 1, V_NDS_I, 0, FA }, { 3, 0x0d, 1, V_NDS_I, 0, FA }, { 3, 0x02, 1, V_NDS_I, 0, F2 },
    { 3, 0x04, 1, V_UN_I, 0, FA }, { 3, 0x05, 1, V_UN_I, 0, FA }, { 3, 0x08, 1, V_UN_I, 0, FA },
    { 3, 0x09, 1, V_UN_I, 0, FA }, { 3, 0x0a, 1, V_NDS_I, 0, FA }, { 3, 0x0b, 1, V_NDS_I, 0, FA },
    { 3, 0x00, 1, V_256_UN_I, 1, F2 }, { 3, 0x01, 1, V_256_UN_I, 1, F2 },
    { 3, 0x46, 1, V_256_NDS_I, 0, F2 }, { 3, 0x06, 1, V_256_NDS_I, 0, FA },
    { 3, 0x38, 1, V_256_NDS_I, 0, F2 }, { 3, 0x18, 1, V_256_NDS_I, 0, FA },
};

static bool gen_avx(Gen *g)
{
    const AvxOp *t = &avx_ops[g_pick(g, ARRAY_SIZE(avx_ops))];
    int l = t->form >= V_256_NDS ? 1 : (int)g_pick(g, 2);
    if (!v_feat(g, t->feat, l))
        return false;
    Opnd o = v_rm(g, 25);
    /* VMOVSS/VMOVSD from memory have no first source either (vvvv 1111b). */
    bool unary = t->form == V_UN || t->form == V_UN_I || t->form == V_256_UN_I ||
                 (o.mem && t->map == 1 && t->op == 0x10);
    bool imm = t->form == V_NDS_I || t->form == V_UN_I || t->form >= V_256_NDS_I;
    uint8_t i8 = (uint8_t)g_rand(g);
    if (t->map == 1 && t->op == 0xc2)
        i8 &= 31;
    if (t->map == 3 && t->op >= 0x08 && t->op <= 0x0b)
        i8 &= 7;                                /* ROUNDxx: RC and MXCSR.RC; bit 3 kept clear */
    int w = t->w == 2 ? (int)g_pick(g, 2) : t->w;
    g_vex(g, t->map, t->pp, w, l, g_xmm(g), unary ? 0 : g_xmm(g), t->op, o, imm, i8);
    return true;
}

/* ---- AVX, AVX2: the irregular forms */

static bool gen_avx_misc(Gen *g)
{
    int l = (int)g_pick(g, 2), reg = g_xmm(g), v = g_xmm(g);
    switch (g_pick(g, 9)) {
    case 0:                                     /* VZEROUPPER, VZEROALL */
        if (!g->h->avx)
            return false;
        gbytes(g, (const uint8_t *)(l ? "\xc5\xfc\x77" : "\xc5\xf8\x77"), 3);
        return true;
    case 1: {                                   /* VPTEST, VTESTPS, VTESTPD: all six flags */
        static const uint8_t ops[] = { 0x17, 0x0e, 0x0f };
        if (!g->h->avx)
            return false;
        g_vex(g, 2, 1, 0, l, reg, 0, ops[g_pick(g, 3)], v_rm(g, 25), 0, 0);
        g->def = F_ALL;
        return true;
    }
    case 2: {                                   /* VPMOVMSKB, VMOVMSKPS, VMOVMSKPD */
        bool pmovmskb = g_chance(g, 50);
        if (!v_feat(g, pmovmskb ? FI : FA, l))
            return false;
        g_vex(g, 1, pmovmskb ? 1 : (int)g_pick(g, 2), 0, l, g_gpr(g), 0, pmovmskb ? 0xd7 : 0x50,
              g_r(g_xmm(g)), 0, 0);
        return true;
    }
    case 3:                                     /* VMOVDQU, VMOVUPS stores */
        if (!g->h->avx)
            return false;
        if (g_chance(g, 50))
            g_vex(g, 1, 2, 0, l, reg, 0, 0x7f, g_mem(g, 32, 1), 0, 0);
        else
            g_vex(g, 1, 0, 0, l, reg, 0, 0x11, g_mem(g, 32, 1), 0, 0);
        return true;
    case 4: {                       /* shifts by imm8 (groups 12-14): vvvv is the destination */
        static const uint8_t grp[][2] = { { 0x71, 2 }, { 0x71, 4 }, { 0x71, 6 }, { 0x72, 2 },
                                          { 0x72, 4 }, { 0x72, 6 }, { 0x73, 2 }, { 0x73, 3 },
                                          { 0x73, 6 }, { 0x73, 7 } };
        unsigned k = g_pick(g, ARRAY_SIZE(grp));
        if (!v_feat(g, FI, l))
            return false;
        g_vex(g, 1, 1, 0, l, grp[k][1], v, grp[k][0], g_r(g_xmm(g)), 1, g_pick(g, 70));
        return true;
    }
    case 5: {                                   /* VBLENDVPS/PD, VPBLENDVB: the mask in imm8[7:4] */
        uint8_t op = (uint8_t)(0x4a + g_pick(g, 3));
        if (!v_feat(g, op == 0x4c ? FI : FA, l))
            return false;
        g_vex(g, 3, 1, 0, l, reg, v, op, v_rm(g, 25), 1, (uint64_t)g_xmm(g) << 4);
        return true;
    }
    case 6: {                                   /* VEXTRACTF128, VEXTRACTI128 to xmm or m128 */
        bool i128 = g_chance(g, 50);
        if (!v_feat(g, i128 ? F2 : FA, 1))
            return false;
        g_vex(g, 3, 1, 0, 1, reg, 0, i128 ? 0x39 : 0x19, v_rm(g, 25), 1, g_rand(g));
        return true;
    }
    case 7: {                                   /* 128-bit only: x, vvvv, x/m (imm8) */
        static const struct { uint8_t map, op, pp, imm; } o[] = {
            { 1, 0x12, 0, 0 }, { 1, 0x16, 0, 0 }, { 3, 0x21, 1, 1 }, { 3, 0x41, 1, 1 },
            { 1, 0x5a, 2, 0 }, { 1, 0x5a, 3, 0 }, { 1, 0x12, 1, 0 }, { 1, 0x16, 1, 0 },
        };
        unsigned k = g_pick(g, ARRAY_SIZE(o));
        if (!g->h->avx)
            return false;
        /* VMOVLPD/VMOVHPD (66 0F 12/16) have only the memory form. */
        Opnd m = o[k].pp == 1 && o[k].map == 1 ? g_mem(g, 8, 1) : v_rm(g, 25);
        g_vex(g, o[k].map, o[k].pp, 0, 0, reg, v, o[k].op, m, o[k].imm, g_rand(g));
        return true;
    }
    default: {                                  /* broadcasts and masked moves with memory */
        static const struct { uint8_t op; bool l1, avx2, mask; } o[] = {
            { 0x18, false, false, false }, { 0x19, true, false, false },   /* VBROADCASTSS/SD */
            { 0x1a, true, false, false }, { 0x5a, true, true, false },     /* F128, I128 */
            { 0x58, false, true, false }, { 0x59, false, true, false },    /* VPBROADCASTD/Q */
            { 0x78, false, true, false }, { 0x79, false, true, false },    /* VPBROADCASTB/W */
            { 0x2c, false, false, true }, { 0x2d, false, false, true },    /* VMASKMOVPS/PD load */
            { 0x2e, false, false, true }, { 0x2f, false, false, true },    /* and store */
            { 0x8c, false, true, true }, { 0x8e, false, true, true },      /* VPMASKMOVD/Q */
        };
        unsigned k = g_pick(g, ARRAY_SIZE(o));
        if (o[k].l1)
            l = 1;
        if (!v_feat(g, o[k].avx2 ? F2 : FA, l))
            return false;
        int w = o[k].op >= 0x8c ? (int)g_pick(g, 2) : 0;
        g_vex(g, 2, 1, w, l, reg, o[k].mask ? v : 0, o[k].op, g_mem(g, 32, 1), 0, 0);
        return true;
    }
    }
}

/* ---- AVX with general registers */

static bool gen_avx_gpr(Gen *g)
{
    if (!g->h->avx)
        return false;
    /* VEX.W1 (64-bit general operands) in long mode only. */
    int w = g_is64(g) && g_chance(g, 50), x = g_xmm(g), v = g_xmm(g), gpr = g_gpr(g);
    Opnd rm = g_rm(g, w ? 8 : 4, 1, 25);
    switch (g_pick(g, 8)) {
    case 0: g_vex(g, 1, 1, w, 0, x, 0, 0x6e, rm, 0, 0); break;              /* VMOVD/Q x, r/m */
    case 1: g_vex(g, 1, 1, w, 0, x, 0, 0x7e, rm, 0, 0); break;              /* VMOVD/Q r/m, x */
    case 2: g_vex(g, 1, 2 + (int)g_pick(g, 2), w, 0, x, v, 0x2a, rm, 0, 0); break; /* VCVTSI2Sx */
    case 3:                                     /* VCVT(T)SS2SI, VCVT(T)SD2SI */
        g_vex(g, 1, 2 + (int)g_pick(g, 2), w, 0, gpr, 0, (uint8_t)(0x2c + g_pick(g, 2)),
              v_rm(g, 25), 0, 0);
        break;
    case 4:                                     /* VPINSRB, VPINSRD/Q */
        g_vex(g, 3, 1, w, 0, x, v, g_chance(g, 50) ? 0x20 : 0x22, rm, 1, g_rand(g));
        break;
    case 5:                                     /* VPEXTRB/W/D/Q, VEXTRACTPS */
        g_vex(g, 3, 1, w, 0, x, 0, (uint8_t)(0x14 + g_pick(g, 4)), rm, 1, g_rand(g));
        break;
    case 6:                                     /* VPINSRW */
        g_vex(g, 1, 1, 0, 0, x, v, 0xc4, rm, 1, g_rand(g));
        break;
    default:                                    /* VUCOMISS/VCOMISS/VUCOMISD/VCOMISD */
        g_vex(g, 1, (int)g_pick(g, 2), 0, 0, x, 0, (uint8_t)(0x2e + g_pick(g, 2)), v_rm(g, 25), 0,
              0);
        g->def = F_ALL;
        break;
    }
    return true;
}

/* ---- FMA3, F16C */

static bool gen_fma(Gen *g)
{
    static const uint8_t lo[] = { 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
    if (!g->h->fma)
        return false;
    /* 0F38 96-9F, A6-AF, B6-BF: the 132, 213 and 231 orders of FMADDSUB, FMSUBADD, FMADD,
     * FMSUB, FNMADD, FNMSUB, packed and scalar; W picks PS or PD. */
    uint8_t op = (uint8_t)(0x90 + 0x10 * g_pick(g, 3) + lo[g_pick(g, ARRAY_SIZE(lo))]);
    g_vex(g, 2, 1, (int)g_pick(g, 2), (int)g_pick(g, 2), g_xmm(g), g_xmm(g), op, v_rm(g, 25), 0, 0);
    return true;
}

static bool gen_f16c(Gen *g)
{
    if (!g->h->f16c)
        return false;
    int l = (int)g_pick(g, 2);
    if (g_chance(g, 50))                        /* VCVTPH2PS */
        g_vex(g, 2, 1, 0, l, g_xmm(g), 0, 0x13, v_rm(g, 25), 0, 0);
    else                                        /* VCVTPS2PH, imm8[2:0] the rounding */
        g_vex(g, 3, 1, 0, l, g_xmm(g), 0, 0x1d, v_rm(g, 25), 1, g_pick(g, 8));
    return true;
}

/* ---- AVX2 gathers */

/* VPGATHERDD/DQ/QD/QQ, VGATHERDPS/DPD/QPS/QPD (0F38 90-93, W the element size): the index
 * register shifted right first so every index is 0..63, a base register pointing into the
 * memory zone, scale and disp8 random. Destination, index and mask are distinct (else #UD). */
static bool gen_gather(Gen *g)
{
    if (!g->h->avx2)
        return false;
    int op = 0x90 + (int)g_pick(g, 4), w = (int)g_pick(g, 2), l = (int)g_pick(g, 2);
    int n = g_is64(g) ? 16 : 8;
    int dst = g_xmm(g), idx = (dst + 1 + (int)g_pick(g, (unsigned)n - 1)) % n, mask;
    do
        mask = g_xmm(g);
    while (mask == dst || mask == idx);
    /* VPSRLD $26 / VPSRLQ $58, random source into the index register */
    bool qidx = op & 1;
    g_vex(g, 1, 1, 0, 1, 2, idx, qidx ? 0x73 : 0x72, g_r(g_xmm(g)), 1, qidx ? 58 : 26);
    int base = g_gpr(g);
    g_mov_imm32(g, base, D_DATA + Z_MEM);
    Opnd o = { .mem = true, .modrm = 0x44, .has_sib = true, .disp_len = 1,
               .disp = g_pick(g, 64), .addr = D_DATA + Z_MEM };
    o.sib = (uint8_t)(g_pick(g, 4) << 6 | (idx & 7) << 3 | (base & 7));
    o.rex = (uint8_t)((idx & 8 ? 2 : 0) | (base & 8 ? 1 : 0));
    g_vex(g, 2, 1, w, l, dst, mask, (uint8_t)op, o, 0, 0);
    return true;
}

static const DiffClass avx_classes[] = {
    { "bmi", 4, MBOTH, DIFF_MIX_AVX, gen_bmi },
    { "avx", 8, MBOTH, DIFF_MIX_AVX, gen_avx },
    { "avx-misc", 4, MBOTH, DIFF_MIX_AVX, gen_avx_misc },
    { "avx-gpr", 2, MBOTH, DIFF_MIX_AVX, gen_avx_gpr },
    { "fma", 2, MBOTH, DIFF_MIX_AVX, gen_fma },
    { "f16c", 1, MBOTH, DIFF_MIX_AVX, gen_f16c },
    { "avx2-gather", 1, MBOTH, DIFF_MIX_AVX, gen_gather },
};

const DiffClassTable diff_avx_table = { avx_classes, ARRAY_SIZE(avx_classes) };
