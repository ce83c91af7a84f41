/* gen-x87.c: x87 instruction classes — loads and stores of every memory format, arithmetic in
 * register and memory forms, comparisons, constants, control (FLDCW with every rounding and
 * precision control, FNSTSW, FNSTCW, FNSTENV) and the transcendentals. All exceptions stay
 * masked; stack overflow and underflow happen and are compared like everything else.
 *
 * Condition codes follow SDM 2's "FPU Flags Affected": arithmetic defines C1 (round-up or
 * stack fault) and leaves C0, C2, C3 undefined; comparisons, FXAM and FPREM define all four;
 * control instructions leave all four undefined. */
#include "tests/difftest/gen.h"

enum { FX_ARITH, FX_CMP, FX_TRIG, FX_UNDEF, FX_KEEP_C023, FX_KEEP_C1 };

static void x87_effects(Gen *g, int kind)
{
    switch (kind) {
    case FX_ARITH: g->fdef = FSW_C1; g->fund = FSW_C0 | FSW_C2 | FSW_C3; break;
    case FX_CMP: g->fdef = FSW_CC; break;
    case FX_TRIG: g->fdef = FSW_C1 | FSW_C2; g->fund = FSW_C0 | FSW_C3; break;
    case FX_UNDEF: g->fund = FSW_CC; break;
    case FX_KEEP_C1: g->fund = FSW_C0 | FSW_C2 | FSW_C3; break;   /* FCMOV: C1 = 0 only on underflow */
    default: g->fund = FSW_C1; break;        /* FCOMI: C0 C2 C3 kept; C1 is cleared by the
                                                SDM's account but kept by AMD CPUs */
    }
}

/* An x87 instruction with a memory operand: escape byte d8..df, /reg. */
static void x87_mem(Gen *g, uint8_t esc, int reg, Opnd m)
{
    g_op(g, 0, 0, 0, esc, reg, m);
}

static void x87_reg(Gen *g, uint8_t esc, uint8_t modrm)
{
    g8(g, esc);
    g8(g, modrm);
}

static bool gen_x87_load(Gen *g)                /* FLD FILD FBLD, FLD ST(i), constants */
{
    switch (g_pick(g, 9)) {
    case 0: x87_mem(g, 0xd9, 0, g_mem(g, 4, 1)); break;           /* FLD m32 */
    case 1: x87_mem(g, 0xdd, 0, g_mem(g, 8, 1)); break;           /* FLD m64 */
    case 2: x87_mem(g, 0xdb, 5, g_mem(g, 10, 1)); break;          /* FLD m80 */
    case 3: {                                                       /* FILD m16/32/64 */
        static const struct { uint8_t esc; int reg, size; } f[] = {
            { 0xdf, 0, 2 }, { 0xdb, 0, 4 }, { 0xdf, 5, 8 } };
        int i = (int)g_pick(g, 3);
        x87_mem(g, f[i].esc, f[i].reg, g_mem(g, (unsigned)f[i].size, 1));
        break;
    }
    case 4:                                                         /* FBLD of a valid BCD */
        x87_mem(g, 0xdf, 4, g_mem_at(g, Z_BCD + 16 * g_pick(g, 16)));
        break;
    case 5: case 6: x87_reg(g, 0xd9, (uint8_t)(0xc0 + g_pick(g, 8))); break;    /* FLD ST(i) */
    default: {
        static const uint8_t k[] = { 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee };
        x87_reg(g, 0xd9, k[g_pick(g, ARRAY_SIZE(k))]);
        break;
    }
    }
    x87_effects(g, FX_ARITH);
    return true;
}

static bool gen_x87_store(Gen *g)               /* FST(P) FIST(P) FISTTP FBSTP, FST(P) ST(i) */
{
    static const struct { uint8_t esc; int reg, size; } f[] = {
        { 0xd9, 2, 4 }, { 0xd9, 3, 4 }, { 0xdd, 2, 8 }, { 0xdd, 3, 8 }, { 0xdb, 7, 10 },
        { 0xdf, 2, 2 }, { 0xdf, 3, 2 }, { 0xdb, 2, 4 }, { 0xdb, 3, 4 }, { 0xdf, 7, 8 },
        { 0xdf, 1, 2 }, { 0xdb, 1, 4 }, { 0xdd, 1, 8 }, { 0xdf, 6, 10 },
    };
    unsigned i = g_pick(g, ARRAY_SIZE(f) + 4);
    if (i >= ARRAY_SIZE(f))
        x87_reg(g, 0xdd, (uint8_t)((i & 1 ? 0xd0 : 0xd8) + g_pick(g, 8)));
    else
        x87_mem(g, f[i].esc, f[i].reg, g_mem(g, (unsigned)f[i].size, 1));
    x87_effects(g, FX_ARITH);
    return true;
}

static bool gen_x87_arith(Gen *g)               /* FADD FMUL FSUB(R) FDIV(R): all forms */
{
    static const int ops[] = { 0, 1, 4, 5, 6, 7 };
    int op = ops[g_pick(g, ARRAY_SIZE(ops))];
    switch (g_pick(g, 6)) {
    case 0: x87_mem(g, 0xd8, op, g_mem(g, 4, 1)); break;          /* m32fp */
    case 1: x87_mem(g, 0xdc, op, g_mem(g, 8, 1)); break;          /* m64fp */
    case 2: x87_mem(g, g_chance(g, 50) ? 0xda : 0xde, op, g_mem(g, 4, 1)); break;   /* m32/m16int */
    case 3: x87_reg(g, 0xd8, (uint8_t)(0xc0 | op << 3 | g_pick(g, 8))); break;    /* ST, ST(i) */
    case 4: x87_reg(g, 0xdc, (uint8_t)(0xc0 | op << 3 | g_pick(g, 8))); break;    /* ST(i), ST */
    default: x87_reg(g, 0xde, (uint8_t)(0xc0 | op << 3 | g_pick(g, 8))); break;   /* ...P */
    }
    x87_effects(g, FX_ARITH);
    return true;
}

static bool gen_x87_compare(Gen *g)             /* FCOM(P)(P) FUCOM(P)(P) FICOM(P) FTST FXAM FCOMI */
{
    switch (g_pick(g, 9)) {
    case 0: x87_mem(g, g_chance(g, 50) ? 0xd8 : 0xdc, 2 + (int)g_pick(g, 2), g_mem(g, 8, 1)); break;
    case 1: x87_mem(g, g_chance(g, 50) ? 0xda : 0xde, 2 + (int)g_pick(g, 2), g_mem(g, 4, 1)); break;
    case 2: x87_reg(g, 0xd8, (uint8_t)(0xd0 + g_pick(g, 16))); break;               /* FCOM(P) ST(i) */
    case 3: x87_reg(g, 0xdd, (uint8_t)(0xe0 + g_pick(g, 16))); break;               /* FUCOM(P) ST(i) */
    case 4:                                                                           /* FCOMPP FUCOMPP */
        if (g_chance(g, 50))
            x87_reg(g, 0xde, 0xd9);
        else
            x87_reg(g, 0xda, 0xe9);
        break;
    case 5: x87_reg(g, 0xd9, g_chance(g, 50) ? 0xe4 : 0xe5); break;                 /* FTST FXAM */
    default: {                                                                        /* F(U)COMI(P) */
        x87_reg(g, g_chance(g, 50) ? 0xdb : 0xdf, (uint8_t)((g_chance(g, 50) ? 0xe8 : 0xf0) + g_pick(g, 8)));
        g->def = F_ALL;
        x87_effects(g, FX_KEEP_C023);
        return true;
    }
    }
    x87_effects(g, FX_CMP);
    return true;
}

static bool gen_x87_misc(Gen *g)                /* one-operand and stack instructions */
{
    static const struct { uint8_t modrm; int fx; } ops[] = {
        { 0xe0, FX_ARITH },  /* FCHS */     { 0xe1, FX_ARITH },  /* FABS */
        { 0xfa, FX_ARITH },  /* FSQRT */    { 0xfc, FX_ARITH },  /* FRNDINT */
        { 0xfd, FX_ARITH },  /* FSCALE */   { 0xf4, FX_ARITH },  /* FXTRACT */
        { 0xf8, FX_CMP },    /* FPREM */    { 0xf5, FX_CMP },    /* FPREM1 */
        { 0xf6, FX_ARITH },  /* FDECSTP */  { 0xf7, FX_ARITH },  /* FINCSTP */
        { 0xd0, FX_UNDEF },  /* FNOP */
    };
    switch (g_pick(g, 5)) {
    case 0:
        x87_reg(g, 0xd9, (uint8_t)(0xc8 + g_pick(g, 8)));                             /* FXCH */
        x87_effects(g, FX_ARITH);
        return true;
    case 1:
        x87_reg(g, 0xdd, (uint8_t)(0xc0 + g_pick(g, 8)));                             /* FFREE */
        x87_effects(g, FX_UNDEF);
        return true;
    case 2: {                                                                         /* FCMOVcc */
        static const uint32_t use[4] = { F_C, F_Z, F_C | F_Z, F_P };
        unsigned cc = g_pick(g, 4);
        x87_reg(g, g_chance(g, 50) ? 0xda : 0xdb, (uint8_t)(0xc0 + cc * 8 + g_pick(g, 8)));
        g->use = use[cc];
        x87_effects(g, FX_KEEP_C1);
        return true;
    }
    default: {
        unsigned i = g_pick(g, ARRAY_SIZE(ops));
        x87_reg(g, 0xd9, ops[i].modrm);
        x87_effects(g, ops[i].fx);
        return true;
    }
    }
}

/* FNSTENV or FNSAVE into their own zone, and half the time FLDENV or FRSTOR of that image at
 * once: the 14- or 28-byte environment (SDM 1, figures 8-9 and 8-10) with its pointer fields
 * masked, followed by the eight registers for FNSAVE. */
static void x87_env(Gen *g)
{
    bool save = g_chance(g, 40), wide = g_chance(g, 70);
    unsigned len = (wide ? 28 : 14) + (save ? 80 : 0);
    Opnd m = g_mem_at(g, Z_ENV + g_pick(g, Z_ENV_SIZE - len));
    uint32_t off = m.addr - D_DATA;
    g_op(g, wide ? 4 : 2, 0, 0, save ? 0xdd : 0xd9, 6, m);
    if (wide) {
        g_data_undef(g, off + 2, 2);
        g_data_undef(g, off + 6, 2);
        g_data_undef(g, off + 10, 18);
    } else {
        g_data_undef(g, off + 6, 8);
    }
    g->fuse = FSW_CC;                           /* the status word goes to memory */
    if (g_chance(g, 50))                        /* FLDENV / FRSTOR: C0-C3 as they were */
        g_op(g, wide ? 4 : 2, 0, 0, save ? 0xdd : 0xd9, 4, m);
    else if (save)
        x87_effects(g, FX_CMP);                 /* FNSAVE ends with FNINIT */
    else
        x87_effects(g, FX_UNDEF);
}

static bool gen_x87_control(Gen *g)             /* FLDCW FNSTCW FNSTSW FNSTENV FNSAVE FNCLEX FNINIT */
{
    switch (g_pick(g, 8)) {
    case 0: case 1: case 2: {                   /* FLDCW: any RC and PC, exceptions masked */
        Opnd m = g_mem(g, 2, 1);
        uint16_t cw = (uint16_t)(0x7f | g_pick(g, 4) << 8 | g_pick(g, 4) << 10 |
                                 (g_chance(g, 20) ? 0x1000 : 0));
        g_mov_mem_imm(g, m, 2, cw);
        x87_mem(g, 0xd9, 5, m);
        break;
    }
    case 3: x87_mem(g, 0xd9, 7, g_mem(g, 2, 1)); break;                            /* FNSTCW */
    case 4:                                                                          /* FNSTSW */
        if (g_chance(g, 50))
            x87_reg(g, 0xdf, 0xe0);
        else
            x87_mem(g, 0xdd, 7, g_mem(g, 2, 1));
        g->fuse = FSW_CC;
        break;
    case 5:
        x87_env(g);
        return true;
    case 6: x87_reg(g, 0xdb, 0xe2); break;                                           /* FNCLEX */
    default:
        x87_reg(g, 0xdb, 0xe3);                                                      /* FNINIT */
        x87_effects(g, FX_CMP);
        return true;
    }
    x87_effects(g, FX_UNDEF);
    return true;
}

/* The transcendentals. F2XM1 and FYL2XP1 leave the result undefined outside their domain
 * (SDM 2), so they get an operand loaded from memory that lies inside it. */
static bool gen_x87_transc(Gen *g)
{
    static const struct { uint8_t modrm; int fx; } ops[] = {
        { 0xfe, FX_TRIG },   /* FSIN */     { 0xff, FX_TRIG },   /* FCOS */
        { 0xfb, FX_TRIG },   /* FSINCOS */  { 0xf2, FX_TRIG },   /* FPTAN */
        { 0xf3, FX_ARITH },  /* FPATAN */   { 0xf1, FX_ARITH },  /* FYL2X */
        { 0xf0, FX_ARITH },  /* F2XM1 */    { 0xf9, FX_ARITH },  /* FYL2XP1 */
    };
    unsigned i = g_pick(g, ARRAY_SIZE(ops));
    if (ops[i].modrm == 0xf0 || ops[i].modrm == 0xf9 || g_chance(g, 30)) {
        /* |x| < 1 - sqrt(2)/2 (about 0.29) for FYL2XP1, |x| <= 1 for F2XM1 */
        uint32_t off = Z_MEM + g_pick(g, Z_MEM_SIZE - 10);
        uint64_t mant = g_rand(g) | 1ull << 63;
        uint16_t se = (uint16_t)((ops[i].modrm == 0xf9 ? 0x3ffc : 0x3ffe) - g_pick(g, 40)) |
                      (g_chance(g, 50) ? 0x8000 : 0);
        if (ops[i].modrm != 0xf0 && ops[i].modrm != 0xf9)
            se = (uint16_t)(0x3ff0 + g_pick(g, 0x50)) | (g_chance(g, 50) ? 0x8000 : 0);
        g_mov_mem_imm(g, g_mem_at(g, off), 4, (uint32_t)mant);
        g_mov_mem_imm(g, g_mem_at(g, off + 4), 4, (uint32_t)(mant >> 32));
        g_mov_mem_imm(g, g_mem_at(g, off + 8), 2, se);
        Opnd m = g_mem_at(g, off);
        x87_mem(g, 0xdb, 5, m);
    }
    x87_reg(g, 0xd9, ops[i].modrm);
    x87_effects(g, ops[i].fx);
    return true;
}

static const DiffClass x87_classes[] = {
    { "x87-load", 4, MALL, DIFF_MIX_X87, gen_x87_load },
    { "x87-store", 3, MALL, DIFF_MIX_X87, gen_x87_store },
    { "x87-arith", 4, MALL, DIFF_MIX_X87, gen_x87_arith },
    { "x87-compare", 2, MALL, DIFF_MIX_X87, gen_x87_compare },
    { "x87-misc", 3, MALL, DIFF_MIX_X87, gen_x87_misc },
    { "x87-control", 2, MALL, DIFF_MIX_X87, gen_x87_control },
    { "x87-transcendental", 3, MALL, DIFF_MIX_TRANSC, gen_x87_transc },
};

const DiffClassTable diff_x87_table = { x87_classes, ARRAY_SIZE(x87_classes) };
