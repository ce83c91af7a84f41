/* x86-difftest-avx.h: the VEX part of the differential tester's generator — BMI1/BMI2 on
 * general registers and AVX/AVX2 on YMM0-7 (whose upper halves the harness also compares),
 * emitted only when the host CPU has the extension and its OS enabled the AVX state.
 * Included by x86-difftest.h before its generator.
 */
#ifndef TESTS_DIFFTEST_X86_DIFFTEST_AVX_H
#define TESTS_DIFFTEST_X86_DIFFTEST_AVX_H

/* AVX2 usable (CPUID.1:ECX.AVX/OSXSAVE, XCR0.SSE|AVX, CPUID.7:EBX.AVX2; F16C and FMA come
 * with every AVX2 CPU so far); BMI2. */
static inline void diff_avx_detect(bool *avx2, bool *bmi2)
{
    unsigned a, b, c, d;
    *avx2 = *bmi2 = false;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 28)) || !(c & (1u << 27)))
        goto bmi;
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) == 6 && __get_cpuid_count(7, 0, &a, &b, &c, &d))
        *avx2 = b & (1u << 5);
bmi:
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
        *bmi2 = b & (1u << 8);
}

/* C4 (three-byte VEX) + opcode + ModRM: reg, VEX.vvvv and an r/m that is register rm or
 * [r15 + disp8] (disp8 < max_disp). */
static inline void vex_emit(Emit *e, DiffRng *r, int map, int pp, int w, int l, int reg, int vvvv,
                            bool mem, int rm, uint8_t op, int max_disp)
{
    int b = mem ? 1 : rm >> 3;
    e8(e, 0xc4);
    e8(e, (uint8_t)((((~reg >> 3) & 1) << 7) | 0x40 | ((~b & 1) << 5) | map));
    e8(e, (uint8_t)((w << 7) | ((~vvvv & 15) << 3) | (l << 2) | pp));
    e8(e, op);
    if (mem) {
        e8(e, (uint8_t)(0x47 | ((reg & 7) << 3)));
        e8(e, (uint8_t)(diff_rand(r) % max_disp));
    } else {
        e8(e, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
    }
}

/* One BMI1/BMI2 instruction; *def and *und: the flags it defines and leaves undefined. */
static inline void diff_gen_bmi(Emit *e, DiffRng *r, bool bmi2, uint32_t *def, uint32_t *und)
{
    static const struct { uint8_t map, op, pp, grp; bool bmi2; uint32_t def, und; } t[] = {
        { 2, 0xf2, 0, 0, false, F_O | F_C | F_Z | F_S, F_A | F_P },    /* ANDN */
        { 2, 0xf7, 0, 0, false, F_O | F_C | F_Z, F_A | F_S | F_P },    /* BEXTR */
        { 2, 0xf3, 0, 3, false, F_O | F_C | F_Z | F_S, F_A | F_P },    /* BLSI */
        { 2, 0xf3, 0, 2, false, F_O | F_C | F_Z | F_S, F_A | F_P },    /* BLSMSK */
        { 2, 0xf3, 0, 1, false, F_O | F_C | F_Z | F_S, F_A | F_P },    /* BLSR */
        { 2, 0xf5, 0, 0, true, F_O | F_C | F_Z | F_S, F_A | F_P },     /* BZHI */
        { 2, 0xf6, 3, 0, true, 0, 0 },                                 /* MULX */
        { 2, 0xf5, 3, 0, true, 0, 0 },                                 /* PDEP */
        { 2, 0xf5, 2, 0, true, 0, 0 },                                 /* PEXT */
        { 3, 0xf0, 3, 0, true, 0, 0 },                                 /* RORX */
        { 2, 0xf7, 2, 0, true, 0, 0 },                                 /* SARX */
        { 2, 0xf7, 1, 0, true, 0, 0 },                                 /* SHLX */
        { 2, 0xf7, 3, 0, true, 0, 0 },                                 /* SHRX */
    };
    unsigned i;
    do
        i = diff_rand(r) % ARRAY_SIZE(t);
    while (t[i].bmi2 && !bmi2);
    bool mem = diff_rand(r) % 4 == 0;
    int reg = diff_reg(r), v = diff_reg(r), rm = diff_reg(r), w = diff_rand(r) % 2;
    if (t[i].grp)
        reg = t[i].grp;
    if (t[i].map == 3)
        v = 0;
    vex_emit(e, r, t[i].map, t[i].pp, w, 0, reg, v, mem, rm, t[i].op, 120);
    if (t[i].map == 3)
        e8(e, (uint8_t)diff_rand(r));
    *def = t[i].def;
    *und = t[i].und;
}

/* One AVX/AVX2 instruction on YMM0-7; *def and *und as above (VPTEST/VTESTPS define all six). */
static inline void diff_gen_avx(Emit *e, DiffRng *r, uint32_t *def, uint32_t *und)
{
    /* map, opcode, pp, form: 0 x = v op r/m, 1 x = op r/m (vvvv 1111), 2 with imm8, 3 unary
     * with imm8, 4 256-bit only with imm8, 5 256-bit only; w: VEX.W (2: random). */
    static const struct { uint8_t map, op, pp, form, w; } t[] = {
        { 1, 0xfe, 1, 0, 0 }, { 1, 0xfa, 1, 0, 0 }, { 1, 0xd4, 1, 0, 0 }, { 1, 0xec, 1, 0, 0 },
        { 1, 0xd8, 1, 0, 0 }, { 1, 0xd5, 1, 0, 0 }, { 1, 0xe4, 1, 0, 0 }, { 1, 0xf4, 1, 0, 0 },
        { 1, 0xf5, 1, 0, 0 }, { 1, 0xf6, 1, 0, 0 }, { 1, 0xe0, 1, 0, 0 }, { 1, 0xda, 1, 0, 0 },
        { 1, 0xee, 1, 0, 0 }, { 1, 0x74, 1, 0, 0 }, { 1, 0x66, 1, 0, 0 }, { 1, 0x63, 1, 0, 0 },
        { 1, 0x6b, 1, 0, 0 }, { 1, 0x60, 1, 0, 0 }, { 1, 0x6d, 1, 0, 0 }, { 1, 0xdb, 1, 0, 0 },
        { 1, 0xdf, 1, 0, 0 }, { 1, 0xef, 1, 0, 0 }, { 1, 0xd1, 1, 0, 0 }, { 1, 0xe2, 1, 0, 0 },
        { 1, 0xf3, 1, 0, 0 },
        { 1, 0x58, 0, 0, 2 }, { 1, 0x59, 1, 0, 2 }, { 1, 0x5c, 0, 0, 2 }, { 1, 0x5d, 1, 0, 2 },
        { 1, 0x5e, 0, 0, 2 }, { 1, 0x5f, 0, 0, 2 }, { 1, 0x58, 2, 0, 2 }, { 1, 0x59, 3, 0, 2 },
        { 1, 0x5d, 2, 0, 2 }, { 1, 0x51, 0, 1, 2 }, { 1, 0x51, 3, 0, 2 }, { 1, 0x54, 0, 0, 2 },
        { 1, 0x57, 1, 0, 2 }, { 1, 0x14, 0, 0, 2 }, { 1, 0x15, 1, 0, 2 }, { 1, 0x7c, 3, 0, 2 },
        { 1, 0xd0, 1, 0, 2 }, { 1, 0x5a, 0, 1, 2 }, { 1, 0x5a, 1, 1, 2 }, { 1, 0x5b, 0, 1, 2 },
        { 1, 0xe6, 2, 1, 2 }, { 1, 0xe6, 1, 1, 2 }, { 1, 0x12, 2, 1, 2 }, { 1, 0x12, 3, 1, 2 },
        { 1, 0xc2, 0, 2, 2 }, { 1, 0xc2, 1, 2, 2 }, { 1, 0xc2, 2, 2, 2 }, { 1, 0xc6, 0, 2, 2 },
        { 1, 0xc6, 1, 2, 2 }, { 1, 0x70, 1, 3, 2 }, { 1, 0x70, 2, 3, 2 }, { 1, 0x6f, 2, 1, 2 },
        { 1, 0x10, 0, 1, 2 }, { 1, 0x10, 2, 0, 2 },
        { 2, 0x00, 1, 0, 0 }, { 2, 0x04, 1, 0, 0 }, { 2, 0x0b, 1, 0, 0 }, { 2, 0x1c, 1, 1, 0 },
        { 2, 0x1e, 1, 1, 0 }, { 2, 0x20, 1, 1, 0 }, { 2, 0x23, 1, 1, 0 }, { 2, 0x31, 1, 1, 0 },
        { 2, 0x35, 1, 1, 0 }, { 2, 0x28, 1, 0, 0 }, { 2, 0x2b, 1, 0, 0 }, { 2, 0x37, 1, 0, 0 },
        { 2, 0x39, 1, 0, 0 }, { 2, 0x40, 1, 0, 0 }, { 2, 0x3e, 1, 0, 0 },
        { 2, 0x0c, 1, 0, 0 }, { 2, 0x0d, 1, 0, 0 }, { 2, 0x36, 1, 5, 0 }, { 2, 0x16, 1, 5, 0 },
        { 2, 0x45, 1, 0, 2 }, { 2, 0x46, 1, 0, 0 }, { 2, 0x47, 1, 0, 2 }, { 2, 0x18, 1, 1, 0 },
        { 2, 0x58, 1, 1, 0 }, { 2, 0x59, 1, 1, 0 }, { 2, 0x78, 1, 1, 0 }, { 2, 0x79, 1, 1, 0 },
        { 3, 0x0f, 1, 2, 0 }, { 3, 0x0e, 1, 2, 0 }, { 3, 0x0c, 1, 2, 0 }, { 3, 0x0d, 1, 2, 0 },
        { 3, 0x02, 1, 2, 0 }, { 3, 0x04, 1, 3, 0 }, { 3, 0x05, 1, 3, 0 }, { 3, 0x42, 1, 2, 0 },
        { 3, 0x00, 1, 4, 1 }, { 3, 0x01, 1, 4, 1 }, { 3, 0x46, 1, 4, 0 }, { 3, 0x06, 1, 4, 0 },
        { 3, 0x38, 1, 4, 0 }, { 3, 0x18, 1, 4, 0 }, { 3, 0x08, 1, 3, 0 }, { 3, 0x0a, 1, 2, 0 },
    };
    int reg = diff_rand(r) % 8, v = diff_rand(r) % 8, rm = diff_rand(r) % 8;
    bool mem = diff_rand(r) % 4 == 0;
    int l = diff_rand(r) % 2;
    *def = *und = 0;
    switch (diff_rand(r) % 19) {
    case 0:                                      /* VZEROUPPER */
        e8(e, 0xc5); e8(e, 0xf8); e8(e, 0x77);
        return;
    case 1: {                                    /* VPTEST / VTESTPS / VTESTPD */
        static const uint8_t ops[3] = { 0x17, 0x0e, 0x0f };
        vex_emit(e, r, 2, 1, 0, l, reg, 0, mem, rm, ops[diff_rand(r) % 3], 96);
        *def = F_ALL;
        return;
    }
    case 2: {                                    /* VPMOVMSKB / VMOVMSKPS/PD r32, ymm */
        bool pmovmskb = diff_rand(r) % 2;
        vex_emit(e, r, 1, pmovmskb ? 1 : (int)(diff_rand(r) % 2), 0, l, diff_reg(r), 0, false, rm,
                 pmovmskb ? 0xd7 : 0x50, 1);
        return;
    }
    case 3:                                      /* VMOVDQU store */
        vex_emit(e, r, 1, 2, 0, l, reg, 0, true, 0, 0x7f, 96);
        return;
    case 4: {                                    /* shifts by imm8: vvvv is the destination */
        static const uint8_t grp[][2] = { { 0x71, 2 }, { 0x71, 4 }, { 0x71, 6 }, { 0x72, 2 },
            { 0x72, 4 }, { 0x72, 6 }, { 0x73, 2 }, { 0x73, 3 }, { 0x73, 6 }, { 0x73, 7 } };
        int g = diff_rand(r) % ARRAY_SIZE(grp);
        vex_emit(e, r, 1, 1, 0, l, grp[g][1], v, false, rm, grp[g][0], 1);
        e8(e, (uint8_t)(diff_rand(r) % 70));
        return;
    }
    case 5:                                      /* VBLENDVPS/PD, VPBLENDVB (is4) */
        vex_emit(e, r, 3, 1, 0, l, reg, v, mem, rm, (uint8_t)(0x4a + diff_rand(r) % 3), 96);
        e8(e, (uint8_t)((diff_rand(r) % 8) << 4));
        return;
    case 6:                                      /* VEXTRACTI128 to a register */
        vex_emit(e, r, 3, 1, 0, 1, reg, 0, false, rm, 0x39, 1);
        e8(e, (uint8_t)diff_rand(r));
        return;
    case 7: {                                    /* 128-bit only, x = v op r/m (imm8) */
        static const struct { uint8_t map, op, pp, imm; } o[] = {
            { 1, 0x12, 0, 0 }, { 1, 0x16, 0, 0 }, { 3, 0x21, 1, 1 }, { 3, 0x41, 1, 1 },
            { 1, 0x10, 3, 0 }, { 1, 0x5a, 2, 0 }, { 1, 0x5a, 3, 0 }, { 3, 0x0b, 1, 1 },
        };
        int k = diff_rand(r) % ARRAY_SIZE(o);
        vex_emit(e, r, o[k].map, o[k].pp, 0, 0, reg, v, mem && o[k].op != 0x10, rm, o[k].op, 96);
        if (o[k].imm)
            e8(e, (uint8_t)(o[k].op == 0x0b ? diff_rand(r) % 8 : diff_rand(r)));
        return;
    }
    case 8: {                                    /* with a general register or flags */
        int g = diff_reg(r), w = diff_rand(r) % 2;
        switch (diff_rand(r) % 8) {
        case 0: vex_emit(e, r, 1, 1, w, 0, reg, 0, mem, g, 0x6e, 96); break;   /* VMOVD/Q x, r/m */
        case 1: vex_emit(e, r, 1, 1, w, 0, reg, 0, mem, g, 0x7e, 96); break;   /* VMOVD/Q r/m, x */
        case 2: vex_emit(e, r, 1, 2 + w, diff_rand(r) % 2, 0, reg, v, mem, g, 0x2a, 96); break;
        case 3: vex_emit(e, r, 1, 2 + w, diff_rand(r) % 2, 0, g, 0, mem, rm, 0x2c + w, 96); break;
        case 4:                                  /* VPINSRB/D/Q x, v, r/m, imm8 */
            vex_emit(e, r, 3, 1, w, 0, reg, v, mem, g, diff_rand(r) % 2 ? 0x20 : 0x22, 96);
            e8(e, (uint8_t)diff_rand(r));
            break;
        case 5:                                  /* VPEXTRB/D/Q, VEXTRACTPS r/m, x, imm8 */
            vex_emit(e, r, 3, 1, w, 0, reg, 0, mem, g, (uint8_t)(0x14 + diff_rand(r) % 4), 96);
            e8(e, (uint8_t)diff_rand(r));
            break;
        case 6:                                  /* VPINSRW x, v, r/m16, imm8 */
            vex_emit(e, r, 1, 1, 0, 0, reg, v, mem, g, 0xc4, 96);
            e8(e, (uint8_t)diff_rand(r));
            break;
        default:                                 /* VUCOMISS/VCOMISS/VUCOMISD/VCOMISD */
            vex_emit(e, r, 1, w, 0, 0, reg, 0, mem, rm, (uint8_t)(0x2e + diff_rand(r) % 2), 96);
            *def = F_ALL;
            break;
        }
        return;
    }
    case 9: {                                    /* broadcasts and masked moves from memory */
        static const uint8_t ops[] = { 0x18, 0x19, 0x1a, 0x5a, 0x58, 0x59, 0x78, 0x79, 0x2c, 0x2d,
                                       0x2e, 0x2f, 0x8c, 0x8e };
        uint8_t op = ops[diff_rand(r) % ARRAY_SIZE(ops)];
        if (op == 0x19 || op == 0x1a || op == 0x5a)
            l = 1;
        bool maskmov = (op >= 0x2c && op <= 0x2f) || op >= 0x8c;
        int w = op >= 0x8c ? (int)(diff_rand(r) % 2) : 0;
        vex_emit(e, r, 2, 1, w, l, reg, maskmov ? v : 0, true, 0, op, 96);
        return;
    }
    case 11: {                                   /* FMA3: 132/213/231 of every kind, P and S */
        static const uint8_t lo[] = { 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
        uint8_t op = (uint8_t)(0x90 + 0x10 * (diff_rand(r) % 3) + lo[diff_rand(r) % ARRAY_SIZE(lo)]);
        vex_emit(e, r, 2, 1, (int)(diff_rand(r) % 2), l, reg, v, mem, rm, op, 96);
        return;
    }
    case 12: {                                   /* gathers, with indexes made small first */
        int op = 0x90 + (int)(diff_rand(r) % 4), w = (int)(diff_rand(r) % 2), idx = (reg + 1) % 8;
        int mask = (reg + 2 + (int)(diff_rand(r) % 6)) % 8;
        if (mask == idx)
            mask = (idx + 1) % 8;
        /* VPSRLD $26 / VPSRLQ $58 into the index register: indexes 0..63 */
        vex_emit(e, r, 1, 1, 0, 1, 2, idx, false, rm, (op & 1) ? 0x73 : 0x72, 1);
        e8(e, (op & 1) ? 58 : 26);
        e8(e, 0xc4);
        e8(e, 0xc2);                             /* R, X clear; B set: r15 as base */
        e8(e, (uint8_t)((w << 7) | ((~mask & 15) << 3) | (l << 2) | 1));
        e8(e, (uint8_t)op);
        e8(e, (uint8_t)(0x44 | (reg << 3)));     /* mod 01, VSIB */
        e8(e, (uint8_t)((diff_rand(r) % 4) << 6 | idx << 3 | 7));
        e8(e, (uint8_t)(diff_rand(r) % 64));
        return;
    }
    case 10:                                     /* F16C: VCVTPH2PS, VCVTPS2PH */
        if (diff_rand(r) % 2) {
            vex_emit(e, r, 2, 1, 0, l, reg, 0, mem, rm, 0x13, 96);
        } else {
            vex_emit(e, r, 3, 1, 0, l, reg, 0, mem, rm, 0x1d, 96);
            e8(e, (uint8_t)(diff_rand(r) % 8));
        }
        return;
    default:
        break;
    }
    unsigned i = diff_rand(r) % ARRAY_SIZE(t);
    int w = t[i].w == 2 ? (int)(diff_rand(r) % 2) : t[i].w;
    if (t[i].form >= 4)
        l = 1;
    /* VMOVSS from memory and VPERMQ/VPERMPD have no first source. */
    bool unary = t[i].form == 1 || t[i].form == 3 || (mem && t[i].map == 1 && t[i].op == 0x10) ||
                 (t[i].map == 3 && t[i].op <= 1);
    vex_emit(e, r, t[i].map, t[i].pp, w, l, reg, unary ? 0 : v, mem, rm, t[i].op, 96);
    if (t[i].form >= 2 && t[i].form != 5) {
        uint8_t imm = (uint8_t)diff_rand(r);
        if (t[i].map == 1 && t[i].op == 0xc2)
            imm &= 31;
        if (t[i].map == 3 && (t[i].op == 0x08 || t[i].op == 0x0a))
            imm &= 7;                            /* rounding control; no precision suppression */
        e8(e, imm);
    }
}

#endif
