/* test-x86-fpu.c: the x87 helpers (stack, arithmetic forms, constants, transcendentals, FXAM,
 * FXTRACT, environment save/restore, #MF) against the host x87: the same instruction on the
 * same two-register stack must leave the same FXSAVE image (FCW, FSW, tags, registers). */
#include "test-x86-harness.h"
#include "cpu/x86/softfloat80.h"
#include "cpu/x86/fpu_helper.h"
#include <math.h>

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static Float80 random_operand(void)
{
    uint64_t r = rnd();
    uint64_t mant = rnd() | (1ULL << 63);
    switch (r % 8) {
    case 0: {
        static const Float80 sp[] = {
            { 0, 0 }, { 0, 0x8000 }, { 1ULL << 63, 0x7fff }, { 1ULL << 63, 0xffff },
            { 0xc000000000000000ULL, 0xffff }, { 0xa000000000000000ULL, 0x7fff }, { 5, 0 },
            { 0x4000000000000000ULL, 0x3fff }, { 0x8000000000000000ULL, 0x3fff },
            { 0xc90fdaa22168c235ULL, 0x4000 }, { 0x8000000000000000ULL, 0x403e },
        };
        return sp[(r >> 8) % ARRAY_SIZE(sp)];
    }
    case 1:
        return f80_make((r >> 8) & 1, 0x3fff - 70 + (unsigned)(rnd() % 140), mant);
    case 2:
        return f80_make((r >> 8) & 1, (unsigned)(rnd() % 0x7fff), mant);
    default:
        /* The ranges transcendental arguments usually have: |x| < 8. */
        return f80_make((r >> 8) & 1, 0x3fff - 20 + (unsigned)(rnd() % 23), mant);
    }
}

enum { I_FSIN, I_FCOS, I_FSINCOS, I_FPTAN, I_FPATAN, I_F2XM1, I_FYL2X, I_FYL2XP1, I_FXTRACT,
       I_FSCALE, I_FPREM, I_FPREM1, I_FSQRT, I_FRNDINT, I_FCHS, I_FABS, I_FXAM, I_FTST,
       I_FADD, I_FSUB_ST1, I_FSUBR, I_FDIVR_ST1, I_FCOM, I_FUCOMPP, I_FXCH, I_FLD1, I_FLDPI,
       I_FLDL2E, I_FLDL2T, I_FLDLG2, I_FLDLN2, I_FLDZ, I_NB };
static const char *const iname[] = {
    "fsin", "fcos", "fsincos", "fptan", "fpatan", "f2xm1", "fyl2x", "fyl2xp1", "fxtract",
    "fscale", "fprem", "fprem1", "fsqrt", "frndint", "fchs", "fabs", "fxam", "ftst", "fadd",
    "fsub st(1)", "fsubr", "fdivr st(1)", "fcom", "fucompp", "fxch", "fld1", "fldpi", "fldl2e",
    "fldl2t", "fldlg2", "fldln2", "fldz" };

static uint8_t host_img[512] __attribute__((aligned(16)));

static void host_run(int insn, Float80 a, Float80 b, uint16_t cw)
{
    uint16_t saved;
    __asm__ volatile("fnstcw %0" : "=m"(saved));
#define H(text)                                                                                 \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" text "\n\t"         \
                     "fxsave %[img]\n\tfninit"                                                  \
                     : [img] "=m"(host_img) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw));            \
    break;
    switch (insn) {
    case I_FSIN: H("fsin")
    case I_FCOS: H("fcos")
    case I_FSINCOS: H("fsincos")
    case I_FPTAN: H("fptan")
    case I_FPATAN: H("fpatan")
    case I_F2XM1: H("f2xm1")
    case I_FYL2X: H("fyl2x")
    case I_FYL2XP1: H("fyl2xp1")
    case I_FXTRACT: H("fxtract")
    case I_FSCALE: H("fscale")
    case I_FPREM: H("fprem")
    case I_FPREM1: H("fprem1")
    case I_FSQRT: H("fsqrt")
    case I_FRNDINT: H("frndint")
    case I_FCHS: H("fchs")
    case I_FABS: H("fabs")
    case I_FXAM: H("fxam")
    case I_FTST: H("ftst")
    case I_FADD: H("fadd %%st(1), %%st")
    case I_FSUB_ST1: H(".byte 0xdc, 0xe9")      /* Intel FSUB ST(1), ST0: ST1 = ST1 - ST0 */
    case I_FSUBR: H("fsubr %%st(1), %%st")       /* ST0 = ST1 - ST0 */
    case I_FDIVR_ST1: H(".byte 0xdc, 0xf1")     /* Intel FDIVR ST(1), ST0: ST1 = ST0 / ST1 */
    case I_FCOM: H("fcom %%st(1)")
    case I_FUCOMPP: H("fucompp")
    case I_FXCH: H("fxch %%st(1)")
    case I_FLD1: H("fld1")
    case I_FLDPI: H("fldpi")
    case I_FLDL2E: H("fldl2e")
    case I_FLDL2T: H("fldl2t")
    case I_FLDLG2: H("fldlg2")
    case I_FLDLN2: H("fldln2")
    default: H("fldz")
    }
#undef H
    __asm__ volatile("fldcw %0" : : "m"(saved));
}

static void guest_run(int insn, Float80 a, Float80 b, uint16_t cw)
{
    helper_fninit(tenv);
    helper_fldcw(tenv, cw);
    wr(0x1000, b.mant, 8);
    wr(0x1008, b.exp, 2);
    wr(0x1010, a.mant, 8);
    wr(0x1018, a.exp, 2);
    helper_fldt_ST0(tenv, 0x1000);
    helper_fldt_ST0(tenv, 0x1010);
    switch (insn) {
    case I_FSIN: helper_fsin(tenv); break;
    case I_FCOS: helper_fcos(tenv); break;
    case I_FSINCOS: helper_fsincos(tenv); break;
    case I_FPTAN: helper_fptan(tenv); break;
    case I_FPATAN: helper_fpatan(tenv); break;
    case I_F2XM1: helper_f2xm1(tenv); break;
    case I_FYL2X: helper_fyl2x(tenv); break;
    case I_FYL2XP1: helper_fyl2xp1(tenv); break;
    case I_FXTRACT: helper_fxtract(tenv); break;
    case I_FSCALE: helper_fscale(tenv); break;
    case I_FPREM: helper_fprem(tenv); break;
    case I_FPREM1: helper_fprem1(tenv); break;
    case I_FSQRT: helper_fsqrt(tenv); break;
    case I_FRNDINT: helper_frndint(tenv); break;
    case I_FCHS: helper_fchs(tenv); break;
    case I_FABS: helper_fabs(tenv); break;
    case I_FXAM: helper_fxam(tenv); break;
    case I_FTST: helper_ftst(tenv); break;
    case I_FADD: helper_farith(tenv, FOP_ADD, 0, 1); break;
    case I_FSUB_ST1: helper_farith(tenv, FOP_SUB, 1, 0); break;
    case I_FSUBR: helper_farith(tenv, FOP_SUBR, 0, 1); break;
    case I_FDIVR_ST1: helper_farith(tenv, FOP_DIVR, 1, 0); break;
    case I_FCOM: helper_fcom(tenv, 1, false); break;
    case I_FUCOMPP: helper_fcom(tenv, 1, true); helper_fpop(tenv); helper_fpop(tenv); break;
    case I_FXCH: helper_fxch_STN(tenv, 1); break;
    default: helper_fldconst(tenv, insn - I_FLD1 < 5 ? (int[]){ 0, 3, 2, 1, 4, 5, 6 }[insn - I_FLD1] : (insn == I_FLDLN2 ? 5 : 6)); break;
    }
    helper_fxsave(tenv, 0x2000, 0);
}

static unsigned long compared;

static void compare_images(int insn, Float80 a, Float80 b, uint16_t cw)
{
    const uint8_t *g = tmem + 0x2000, *h = host_img;
    uint16_t gsw, hsw;
    memcpy(&gsw, g + 2, 2);
    memcpy(&hsw, h + 2, 2);
    compared++;
    cr_assert(!memcmp(g, h, 2) && gsw == hsw && g[4] == h[4],
              "%s cw=%#x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 ": fcw/fsw/ftw guest %04x/%04x/%02x host %04x/%04x/%02x",
              iname[insn], cw, a.exp, a.mant, b.exp, b.mant, *(uint16_t *)g, gsw, g[4], *(uint16_t *)h, hsw, h[4]);
    for (int i = 0; i < 8; i++) {
        int phys = (((hsw >> 11) & 7) + i) & 7;
        if (!((h[4] >> phys) & 1))
            continue;
        cr_assert(!memcmp(g + 32 + 16 * i, h + 32 + 16 * i, 10),
                  "%s cw=%#x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 ": ST(%d) guest %04x:%016" PRIx64
                  " host %04x:%016" PRIx64, iname[insn], cw, a.exp, a.mant, b.exp, b.mant, i,
                  *(uint16_t *)(g + 40 + 16 * i), *(uint64_t *)(g + 32 + 16 * i),
                  *(uint16_t *)(h + 40 + 16 * i), *(uint64_t *)(h + 32 + 16 * i));
    }
}

static const uint16_t cws[] = { 0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x027f, 0x007f };

Test(x86_fpu, instructions_match_host)
{
    harness_init();
    for (unsigned i = 0; i < 1500; i++) {
        Float80 a = random_operand(), b = random_operand();
        for (int insn = 0; insn < I_NB; insn++) {
            uint16_t cw = cws[(i + insn) % ARRAY_SIZE(cws)];
            host_run(insn, a, b, cw);
            guest_run(insn, a, b, cw);
            compare_images(insn, a, b, cw);
        }
    }
}

Test(x86_fpu, constants_in_every_rounding_mode)
{
    harness_init();
    for (int insn = I_FLD1; insn <= I_FLDZ; insn++)
        for (unsigned m = 0; m < ARRAY_SIZE(cws); m++) {
            Float80 z = { 0, 0 };
            host_run(insn, z, z, cws[m]);
            guest_run(insn, z, z, cws[m]);
            compare_images(insn, z, z, cws[m]);
        }
}

Test(x86_fpu, stack_overflow_underflow)
{
    harness_init();
    helper_fninit(tenv);
    for (int i = 0; i < 8; i++)
        helper_fild_ST0(tenv, i);
    cr_assert_eq(helper_fnstsw(tenv) & 0x3f, 0);
    helper_fild_ST0(tenv, 99);      /* ninth push: overflow, masked: ST0 = indefinite */
    uint16_t sw = helper_fnstsw(tenv);
    cr_assert_eq(sw & (FSW_IE | FSW_SF | FSW_C1), FSW_IE | FSW_SF | FSW_C1);
    Float80 st0 = tenv->fpregs[tenv->fpstt];
    cr_assert(st0.exp == 0xffff && st0.mant == 0xc000000000000000ULL);
    helper_fninit(tenv);
    helper_farith(tenv, FOP_ADD, 0, 1);   /* empty stack: underflow, C1 = 0 */
    sw = helper_fnstsw(tenv);
    cr_assert_eq(sw & (FSW_IE | FSW_SF | FSW_C1), FSW_IE | FSW_SF);
    /* Unmasked: no result is written, ES/B set, and the next FWAIT raises #MF (CR0.NE). */
    helper_fninit(tenv);
    helper_fldcw(tenv, 0x37e);
    helper_fild_ST0(tenv, 1);
    helper_farith(tenv, FOP_ADD, 0, 3);
    cr_assert_eq(tenv->fpregs[tenv->fpstt].mant, 1ULL << 63, "destination unchanged");
    cr_assert(helper_fnstsw(tenv) & FSW_ES);
    tenv->cr[0] |= CR0_NE;
    EXPECT_EXC(helper_fwait(tenv), EXCP_MF, -1);
    helper_fnclex(tenv);
    EXPECT_OK(helper_fwait(tenv));
    /* Division by zero, unmasked ZE. */
    helper_fldcw(tenv, 0x37b);
    helper_fild_ST0(tenv, 0);
    helper_farith(tenv, FOP_DIVR, 0, 1);  /* ST0 = ST1 / ST0 = 1 / 0 */
    cr_assert(helper_fnstsw(tenv) & FSW_ZE);
    cr_assert(f80_is_zero(tenv->fpregs[tenv->fpstt]), "unmasked ZE leaves ST0");
}

/* Found by the differential tester (the host CPU's behaviour): a push onto a full stack
 * reports the overflow alone, not the #D a denormal m32 would raise; FLD ST(i) of an empty
 * register onto a full stack is an underflow, C1 = 0. */
Test(x86_fpu, stack_fault_priority)
{
    harness_init();
    helper_fninit(tenv);
    for (int i = 0; i < 8; i++)
        helper_fild_ST0(tenv, i);
    helper_flds_ST0(tenv, 1);                   /* the smallest denormal float */
    cr_assert_eq(helper_fnstsw(tenv) & (0x3f | FSW_SF | FSW_C1), FSW_IE | FSW_SF | FSW_C1);
    helper_fnclex(tenv);
    helper_ffree_STN(tenv, 3);
    helper_fld_STN(tenv, 3);
    cr_assert_eq(helper_fnstsw(tenv) & (0x3f | FSW_SF | FSW_C1), FSW_IE | FSW_SF);
}

/* More of the host CPU's answers the differential tester found. */
Test(x86_fpu, stack_faults_and_nan_operands)
{
    const uint16_t faults = 0x3f | FSW_SF | FSW_C1;
    harness_init();
    /* A memory operand's #D is not reported next to a NaN, and an SNaN m32 against a QNaN
     * ST0 gives the QNaN (SDM 1, table 4-7) with IE. */
    helper_fninit(tenv);
    helper_fldt_ST0(tenv, 0);                   /* +0 from zeroed memory */
    helper_fldconst(tenv, 6);
    helper_farith(tenv, FOP_DIV, 0, 1);         /* 0/0: ST0 = indefinite */
    helper_fnclex(tenv);
    helper_flds_FT0(tenv, 1);                   /* a denormal float */
    helper_farith(tenv, FOP_MUL, 0, FPU_FT0);
    cr_assert_eq(helper_fnstsw(tenv) & faults, 0, "fsw %#x", helper_fnstsw(tenv));
    helper_flds_FT0(tenv, 0x7fa00000);          /* SNaN float */
    helper_farith(tenv, FOP_ADD, 0, FPU_FT0);
    cr_assert_eq(helper_fnstsw(tenv) & faults, FSW_IE);
    cr_assert(tenv->fpregs[tenv->fpstt].exp == 0xffff &&
              tenv->fpregs[tenv->fpstt].mant == 0xc000000000000000ULL, "the QNaN ST0 wins");
    /* FCHS of an empty ST0: the indefinite itself. FCMOV with the condition false still
     * checks both registers. */
    helper_fninit(tenv);
    helper_fchs(tenv);
    cr_assert_eq(tenv->fpregs[tenv->fpstt].exp, 0xffff);
    helper_fninit(tenv);
    helper_fldconst(tenv, 0);
    helper_fcmov(tenv, 3, 0);
    cr_assert_eq(helper_fnstsw(tenv) & faults, FSW_IE | FSW_SF);
    cr_assert_eq(tenv->fpregs[tenv->fpstt].exp, 0xffff, "ST0 = indefinite");
    /* FCMOV taken without a fault leaves C1 alone. */
    tenv->fpus |= FSW_C1;
    helper_fcmov(tenv, 0, 1);
    cr_assert(helper_fnstsw(tenv) & FSW_C1);
    /* FPREM with a NaN operand keeps C0 and C3, clears C1 and C2. */
    helper_fninit(tenv);
    helper_fldconst(tenv, 0);
    helper_fldconst(tenv, 6);
    helper_farith(tenv, FOP_DIV, 0, 0);         /* 0/0: ST0 = indefinite */
    tenv->fpus |= FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3;
    helper_fprem(tenv);
    cr_assert_eq(helper_fnstsw(tenv) & (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3), FSW_C0 | FSW_C3);
    /* FXTRACT and FPTAN of an empty ST0 onto a full stack: an underflow (C1 = 0), both
     * results the indefinite. */
    helper_fninit(tenv);
    for (int i = 0; i < 8; i++)
        helper_fild_ST0(tenv, i + 1);
    helper_ffree_STN(tenv, 0);
    helper_fxtract(tenv);
    cr_assert_eq(helper_fnstsw(tenv) & faults, FSW_IE | FSW_SF);
    cr_assert_eq(tenv->fpregs[tenv->fpstt].exp, 0xffff);
    cr_assert_eq(tenv->fpregs[(tenv->fpstt + 1) & 7].exp, 0xffff);
    helper_fnclex(tenv);
    helper_ffree_STN(tenv, 0);
    helper_fptan(tenv);
    cr_assert_eq(helper_fnstsw(tenv) & (faults | FSW_C2), FSW_IE | FSW_SF);
}

Test(x86_fpu, memory_forms_and_stores)
{
    harness_init();
    helper_fninit(tenv);
    helper_fldl_ST0(tenv, 0x400921fb54442d18ULL);          /* pi as double */
    helper_flds_FT0(tenv, 0x40000000);                      /* 2.0f */
    helper_farith(tenv, FOP_MUL, 0, FPU_FT0);
    helper_fstl_ST0(tenv, 0x3000);
    cr_assert_eq(rd(0x3000, 8), 0x401921fb54442d18ULL);
    helper_fild_FT0(tenv, 3);
    helper_farith(tenv, FOP_SUBR, 0, FPU_FT0);              /* 3 - 2pi */
    helper_fist_ST0(tenv, 0x3010, 16);
    cr_assert_eq((int16_t)rd(0x3010, 2), -3);
    helper_fistt_ST0(tenv, 0x3010, 32);
    cr_assert_eq((int32_t)rd(0x3010, 4), -3);
    helper_fsts_ST0(tenv, 0x3020);
    uint32_t f32 = (uint32_t)rd(0x3020, 4);
    float f;
    memcpy(&f, &f32, 4);
    cr_assert(f > -3.2831855f && f < -3.2831851f, "3 - 2pi stored as float: %f", (double)f);
    /* FBSTP/FBLD round trip. */
    helper_fild_ST0(tenv, -123456789012345678LL);
    helper_fbstp_ST0(tenv, 0x3040);
    cr_assert_eq(rd(0x3040, 1), 0x78);
    cr_assert_eq(rd(0x3049, 1), 0x80);
    helper_fbld_ST0(tenv, 0x3040);
    helper_fist_ST0(tenv, 0x3050, 64);
    cr_assert_eq((int64_t)rd(0x3050, 8), -123456789012345678LL);
    /* FIST of a value out of range: integer indefinite with IE. */
    helper_fldl_ST0(tenv, 0x43e0000000000000ULL);          /* 2^63 */
    helper_fist_ST0(tenv, 0x3060, 64);
    cr_assert_eq(rd(0x3060, 8), 0x8000000000000000ULL);
    cr_assert(helper_fnstsw(tenv) & FSW_IE);
}

Test(x86_fpu, env_save_restore)
{
    harness_init();
    tenv->cr[0] = CR0_PE | CR0_ET;
    helper_fninit(tenv);
    helper_fldcw(tenv, 0x0b7f);
    helper_fild_ST0(tenv, 7);
    helper_fldconst(tenv, 3);
    helper_farith(tenv, FOP_DIV, 0, 1);           /* PE */
    tenv->fpip = 0x12345678;
    tenv->fpcs = 0x1b;
    tenv->fpop = 0x5f1;
    uint16_t sw = helper_fnstsw(tenv);
    X86CPUState saved = *tenv;
    helper_fnsave(tenv, 0x4000, 1);
    cr_assert_eq(rd(0x4000, 2), 0x0b7f);
    cr_assert_eq(rd(0x4004, 2), sw);
    cr_assert_eq(rd(0x4008, 2), x86_fpu_tag_word(&saved));
    cr_assert_eq(rd(0x400c, 4), 0x12345678);
    cr_assert_eq(rd(0x4010, 4), 0x1b | (0x5f1u << 16));
    cr_assert_eq(tenv->fpuc, 0x37f, "FNSAVE reinitialises");
    helper_frstor(tenv, 0x4000, 1);
    cr_assert_eq(tenv->fpuc, 0x0b7f);
    cr_assert_eq(helper_fnstsw(tenv), sw);
    for (int i = 0; i < 8; i++)
        cr_assert(tenv->fpregs[i].mant == saved.fpregs[i].mant && tenv->fpregs[i].exp == saved.fpregs[i].exp);
    cr_assert_arr_eq(tenv->fptag_empty, saved.fptag_empty, 8);
    /* 16-bit real-mode environment layout. */
    tenv->cr[0] = CR0_ET;
    tenv->fpip = 0x12345;
    helper_fnstenv(tenv, 0x5000, 0);
    cr_assert_eq(rd(0x5006, 2), 0x2345);
    cr_assert_eq(rd(0x5008, 2), (0x1u << 12) | 0x5f1);
    cr_assert_eq(tenv->fpuc & 0x3f, 0x3f);
    /* FXSAVE/FXRSTOR round trip including XMM and MXCSR; misaligned is #GP(0). */
    tenv->mxcsr = 0x9fc0;
    tenv->ymm[7].q[1] = 0xfeedfacecafebeefULL;
    helper_fxsave(tenv, 0x6000, 0);
    cr_assert_eq(rd(0x6018, 4), 0x9fc0);
    helper_fninit(tenv);
    tenv->mxcsr = 0x1f80;
    tenv->ymm[7].q[1] = 0;
    helper_fxrstor(tenv, 0x6000, 0);
    cr_assert_eq(tenv->mxcsr, 0x9fc0);
    cr_assert_eq(tenv->ymm[7].q[1], 0xfeedfacecafebeefULL);
    for (int i = 0; i < 8; i++)
        cr_assert(tenv->fpregs[i].mant == saved.fpregs[i].mant && tenv->fpregs[i].exp == saved.fpregs[i].exp,
                  "reg %d: %04x:%016" PRIx64 " vs %04x:%016" PRIx64, i, tenv->fpregs[i].exp,
                  tenv->fpregs[i].mant, saved.fpregs[i].exp, saved.fpregs[i].mant);
    EXPECT_EXC(helper_fxsave(tenv, 0x6008, 0), EXCP_GP, 0);
    wr(0x6018, 0x10000, 4);
    EXPECT_EXC(helper_fxrstor(tenv, 0x6000, 0), EXCP_GP, 0);
}

Test(x86_fpu, xsave_xrstor_against_host_layout)
{
    harness_init();
    tenv->cr[4] |= CR4_OSXSAVE | CR4_OSFXSR;
    EXPECT_OK(helper_xsetbv(tenv, 0, 7));
    EXPECT_EXC(helper_xsetbv(tenv, 0, 5), EXCP_GP, 0);     /* AVX needs SSE */
    EXPECT_EXC(helper_xsetbv(tenv, 0, 0xf), EXCP_GP, 0);   /* no MPX */
    EXPECT_OK(helper_xsetbv(tenv, 0, 3));
    EXPECT_EXC(helper_xsetbv(tenv, 0, 2), EXCP_GP, 0);     /* x87 must stay on */
    cr_assert_eq(helper_xgetbv(tenv, 0), 3);
    helper_fninit(tenv);
    helper_fild_ST0(tenv, 42);
    helper_fldconst(tenv, 3);
    tenv->mxcsr = 0x1fa0;
    tenv->ymm[3].q[0] = 0x1122334455667788ULL;
    tenv->regs[R_EAX] = 3;
    tenv->regs[R_EDX] = 0;
    memset(tmem + 0x8000, 0, 1024);
    EXPECT_OK(helper_xsave(tenv, 0x8000, 1));
    /* The legacy region is FXSAVE's, and XSTATE_BV marks both components. */
    helper_fxsave(tenv, 0x9000, 1);
    cr_assert(!memcmp(tmem + 0x8000, tmem + 0x9000, 416));
    cr_assert_eq(rd(0x8000 + 512, 8), 3);
    EXPECT_EXC(helper_xsave(tenv, 0x8010, 1), EXCP_GP, 0);   /* not 64-byte aligned */
    /* XRSTOR with XSTATE_BV = x87 only: SSE goes to its initial state, MXCSR from memory. */
    helper_fninit(tenv);
    tenv->ymm[3].q[0] = 0;
    tenv->mxcsr = 0x1f80;
    wr(0x8000 + 512, 1, 8);
    EXPECT_OK(helper_xrstor(tenv, 0x8000, 1));
    cr_assert_eq(tenv->fpstt, 6);
    cr_assert_eq(tenv->mxcsr, 0x1fa0);
    cr_assert_eq(tenv->ymm[3].q[0], 0);
    wr(0x8000 + 520, 1, 8);                                    /* XCOMP_BV: compacted */
    EXPECT_EXC(helper_xrstor(tenv, 0x8000, 1), EXCP_GP, 0);
    tenv->cr[4] &= ~(uint64_t)CR4_OSXSAVE;
    EXPECT_EXC(helper_xgetbv(tenv, 0), EXCP_UD, -1);
}

/* The C-library path used for transcendentals on non-x86 hosts: within a few ulps of the
 * x87 for moderate arguments, and the same special cases. */
Test(x86_fpu, transcendental_portable_path)
{
    static const struct { int op; int insn; } map[] = {
        { X87_T_FSIN, I_FSIN }, { X87_T_FCOS, I_FCOS }, { X87_T_FPTAN, I_FPTAN },
        { X87_T_FPATAN, I_FPATAN }, { X87_T_F2XM1, I_F2XM1 }, { X87_T_FYL2X, I_FYL2X },
        { X87_T_FYL2XP1, I_FYL2XP1 }, { X87_T_FSINCOS, I_FSINCOS },
    };
    harness_init();
    for (unsigned i = 0; i < 3000; i++) {
        /* |a| in [2^-10, 1), b positive and moderate. */
        Float80 a = f80_make(rnd() & 1, 0x3fff - 1 - (unsigned)(rnd() % 10), rnd() | (1ULL << 63));
        Float80 b = f80_make(false, 0x3fff - 3 + (unsigned)(rnd() % 6), rnd() | (1ULL << 63));
        for (unsigned k = 0; k < ARRAY_SIZE(map); k++) {
            Float80 in[2] = { a, b }, out[2];
            if (map[k].op == X87_T_FYL2X)
                in[0] = f80_abs(a);              /* log2 of a positive number */
            if (map[k].op == X87_T_FYL2XP1 && f80_exp(a) > 0x3ffd)
                in[0].exp = (uint16_t)((in[0].exp & 0x8000) | 0x3ffd);   /* |x| < 1 - sqrt(2)/2 */
            x87_transc_libm(map[k].op, in, out, 0x37f);
            host_run(map[k].insn, in[0], in[1], 0x37f);
            /* The host's ST0 after the instruction (ST1 for the pushes' second result). */
            uint16_t hsw;
            memcpy(&hsw, host_img + 2, 2);
            Float80 h;
            memcpy(&h.mant, host_img + 32, 8);
            memcpy(&h.exp, host_img + 40, 2);
            long double hv, gv;
            unsigned char buf[16] = { 0 };
            memcpy(buf, &h.mant, 8);
            memcpy(buf + 8, &h.exp, 2);
            memcpy(&hv, buf, sizeof(hv));
            memset(buf, 0, sizeof(buf));
            memcpy(buf, &out[0].mant, 8);
            memcpy(buf + 8, &out[0].exp, 2);
            memcpy(&gv, buf, sizeof(gv));
            long double tol = fabsl(hv) * 0x1p-58L + 0x1p-16000L;
            compared++;
            cr_assert(fabsl(hv - gv) <= tol, "op %d a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64
                      ": host %Lg libm %Lg", map[k].op, in[0].exp, in[0].mant, in[1].exp, in[1].mant, hv, gv);
            if (map[k].op == X87_T_FPTAN || map[k].op == X87_T_FSINCOS) {
                /* The second result, in ST1. */
                memset(buf, 0, sizeof(buf));
                memcpy(buf, host_img + 48, 10);
                memcpy(&hv, buf, sizeof(hv));
                memset(buf, 0, sizeof(buf));
                memcpy(buf, &out[1].mant, 8);
                memcpy(buf + 8, &out[1].exp, 2);
                memcpy(&gv, buf, sizeof(gv));
                cr_assert(fabsl(hv - gv) <= fabsl(hv) * 0x1p-58L, "op %d ST1: host %Lg libm %Lg", map[k].op, hv, gv);
            }
        }
    }
    /* Out of range for FSIN: C2 set, operand unchanged. */
    Float80 big[2] = { f80_make(false, 0x3fff + 70, 1ULL << 63), f80_make(false, 0, 0) }, out[2];
    cr_assert(x87_transc_libm(X87_T_FSIN, big, out, 0x37f) & FSW_C2);
}
