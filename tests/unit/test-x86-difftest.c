/* test-x86-difftest.c: a bounded differential run against the host CPU on both tcg back ends,
 * in 64-bit and 32-bit mode (the long run is build/tests/difftest/x86-difftest; make
 * check-difftest-million runs a million), and the sequences it once found diverging, replayed
 * against the host. */
#include <criterion/criterion.h>
#include "util/osdep.h"
#include "tests/difftest/difftest.h"

/* The interpreter must always work; the native back end may be missing from a build, and a
 * host may not let the native side map its fixed area. */
static void diff_skip_or_fail(const DiffCtx *dc, TCGBackendKind backend)
{
    cr_assert(backend == TCG_BACKEND_NATIVE || strstr(dc->why, "map"), "difftest: %s", dc->why);
    cr_skip_test("SKIPPED: difftest: %s", dc->why);
}

static void run_diff(TCGBackendKind backend, DiffMode mode, unsigned mix, uint64_t seed,
                     unsigned count)
{
    DiffCtx dc;
    if (!diff_init(&dc, backend))
        diff_skip_or_fail(&dc, backend);
    if (mode == DIFF_MODE32 && !dc.host.compat32) {
        diff_fini(&dc);
        cr_skip_test("SKIPPED: this host kernel runs no 32-bit user code (no compatibility mode)");
    }
    if (mode == DIFF_MODE16 && !dc.host.code16) {
        diff_fini(&dc);
        cr_skip_test("SKIPPED: this host gives no 16-bit code segment (modify_ldt)");
    }
    DiffRng rng = diff_seed(seed);
    DiffSeq *s = malloc(sizeof *s);
    unsigned same = 0, diverged = 0;
    for (unsigned i = 0; i < count; i++) {
        diff_gen(s, &rng, &dc.host, mode, mix);
        DiffResult r = diff_run(&dc, s, diverged < 5 ? stderr : NULL);
        same += r == DIFF_SAME;
        diverged += r == DIFF_DIVERGED;
    }
    free(s);
    diff_fini(&dc);
    cr_assert_eq(diverged, 0, "%u of %u sequences diverged from the host CPU", diverged, count);
    cr_assert_gt(same, count * 9 / 10, "only %u sequences ran on the host", same);
}

Test(x86_difftest, long_mode_interp, .timeout = 120)
{
    run_diff(TCG_BACKEND_INTERP, DIFF_MODE64, DIFF_MIX_ALL, 11, 2000);
}

Test(x86_difftest, long_mode_native, .timeout = 120)
{
    run_diff(TCG_BACKEND_NATIVE, DIFF_MODE64, DIFF_MIX_ALL, 12, 2000);
}

Test(x86_difftest, protected_mode_interp, .timeout = 120)
{
    run_diff(TCG_BACKEND_INTERP, DIFF_MODE32, DIFF_MIX_ALL, 13, 2000);
}

Test(x86_difftest, protected_mode_native, .timeout = 120)
{
    run_diff(TCG_BACKEND_NATIVE, DIFF_MODE32, DIFF_MIX_ALL, 14, 2000);
}

Test(x86_difftest, code16_interp, .timeout = 120)
{
    run_diff(TCG_BACKEND_INTERP, DIFF_MODE16, DIFF_MIX_ALL, 15, 1000);
}

Test(x86_difftest, code16_native, .timeout = 120)
{
    run_diff(TCG_BACKEND_NATIVE, DIFF_MODE16, DIFF_MIX_ALL, 16, 1000);
}

/* VEX sequences (BMI1/BMI2, AVX, AVX2, FMA, F16C) with the YMM upper halves compared, where the
 * host has them; 300 per back end and mode (the long run: x86-difftest -x avx). */
static void run_vex(TCGBackendKind backend, DiffMode mode, uint64_t seed)
{
    DiffCtx dc;
    if (!diff_init(&dc, backend))
        diff_skip_or_fail(&dc, backend);
    bool avx = dc.host.avx, compat32 = dc.host.compat32;
    diff_fini(&dc);
    if (!avx)
        cr_skip_test("SKIPPED: the host has no AVX (CPUID, or XCR0 without the AVX state)");
    if (mode == DIFF_MODE32 && !compat32)
        cr_skip_test("SKIPPED: this host kernel runs no 32-bit user code (no compatibility mode)");
    run_diff(backend, mode, DIFF_MIX_AVX, seed, 300);
}

Test(x86_difftest, vex_long_mode_interp, .timeout = 60)
{
    run_vex(TCG_BACKEND_INTERP, DIFF_MODE64, 21);
}

Test(x86_difftest, vex_long_mode_native, .timeout = 60)
{
    run_vex(TCG_BACKEND_NATIVE, DIFF_MODE64, 22);
}

Test(x86_difftest, vex_protected_mode_interp, .timeout = 60)
{
    run_vex(TCG_BACKEND_INTERP, DIFF_MODE32, 23);
}

Test(x86_difftest, vex_protected_mode_native, .timeout = 60)
{
    run_vex(TCG_BACKEND_NATIVE, DIFF_MODE32, 24);
}

/* Divergences the tester found, each cut down to a few instructions that build their own
 * operands (64-bit code unless said otherwise; R15 points at the data buffer), replayed from
 * the FNINIT state with nothing masked. */
#define FULL "d9ee d9ee d9ee d9ee d9ee d9ee d9ee d9ee "     /* eight FLDZ: a full stack */
#define NAN0 "d9ee d8f0 dbe2 "                              /* FLDZ; FDIV ST0,ST0; FNCLEX */
static const struct { const char *what, *hex; DiffMode mode; bool vex; } regressions[] = {
    { "push onto a full stack: no #D from a denormal m32", FULL "41c7471001000000 41d94710" },
    { "FLD ST(i) of an empty register onto a full stack: C1 = 0", FULL "ddc3 d9c3" },
    { "a denormal m32 next to a NaN ST0: no #D", NAN0 "41c7471001000000 41d84f10" },
    { "an SNaN m32 and a QNaN ST0: the QNaN", NAN0 "41c74710 0000a07f 41d84710" },
    { "FCHS of an empty ST0: the indefinite", "d9e0" },
    { "FCMOV not taken still checks ST(i)", "d9e8 f8 dac3" },
    { "FCMOV taken keeps C1", FULL "d9e8 f9 dac1" },
    { "FPREM of a NaN keeps C0 and C3", "d9ee " NAN0 "dde1 d9f8" },
    { "FXTRACT of an empty ST0 onto a full stack", FULL "ddc0 d9f4" },
    { "FPTAN of an empty ST0 onto a full stack", FULL "ddc0 d9f2" },
    { "MOVQ mm, mm sets the x87 exponent", "0f7fe2 0f6ff0" },
    { "CVTPI2PS writes an xmm register", "440f2ae0" },
    { "CVTTPS2PI reads an xmm register", "41c74740 0000803f f3410f106740 0f2cc4" },
    { "CVTPI2PS from memory: no MMX transition", "410f2a6f40" },
    { "PINSRB from EDI, not BH", "660f3a20d74d" },
    { "EXTRACTPS", "660f3a17e65d" },
    { "MOVSLDUP and ADDSUBPS of m128", "f3410f124f40 f2410fd05740" },
    { "INSERTPS of an m32", "66410f3a214f4063" },
    { "CVTTSD2SI out of range: IE, not PE", "49b8000010c00b5ae641 4d894740 f2410f2c4740" },
    { "MOVNTI", "410fc34740 490fc34f48" },
    { "MASKMOVQ and MASKMOVDQU store to [rDI]", "bf40001000 0ff7c1 660ff7d3" },
    { "MOVQ2DQ and MOVDQ2Q", "f30fd6c3 f20fd6e1" },
    { "CRC32 r/m16 and r/m32 in 16-bit code", "f20f38f1c8 66f20f38f1d3", DIFF_MODE16 },
    { "VCVTPS2PH of a denormal: DE; with DAZ a zero", "41c7474001000000 c4c17a104f40 c4e3791dca02 "
      "410fae5f50 41c74748c01f0000 410fae5748 c4e3791dcb02", .vex = true },
    { "VFMADD231SS 0 * inf + a denormal: IE without DE", "41c7474000000000 41c747440000807f "
      "41c7474801000000 c4c17a104740 c4c17a104f44 c4c17a105748 c4e279b9d1", .vex = true },
    { "VFMADD231SS rounding up to the smallest normal under FTZ: tiny, flushed",
      "41c7475080bf0000 410fae5750 41c7475400008080 c4c17a105f54 41c74758ffff7f3f "
      "c4c17a106758 c5d057ed c4e261b9ec", .vex = true },
};

static unsigned hex_bytes(const char *hex, uint8_t *out, unsigned max)
{
    unsigned n = 0;
    for (const char *p = hex; *p && n < max;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        cr_assert(sscanf(p, "%2x", &v) == 1, "bad hex in %s", hex);
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

static void run_regressions(TCGBackendKind backend)
{
    DiffCtx dc;
    if (!diff_init(&dc, backend))
        diff_skip_or_fail(&dc, backend);
    DiffSeq *s = malloc(sizeof *s);
    unsigned bad = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(regressions); i++) {
        uint8_t code[256];
        unsigned n = hex_bytes(regressions[i].hex, code, sizeof code);
        DiffRng rng = diff_seed(100 + i);
        if (regressions[i].mode == DIFF_MODE16 && !dc.host.code16) {
            fprintf(stderr, "difftest regression: %s: SKIPPED (no 16-bit code here)\n",
                    regressions[i].what);
            continue;
        }
        if (regressions[i].vex && !(dc.host.avx2 && dc.host.bmi2 && dc.host.fma && dc.host.f16c)) {
            fprintf(stderr, "difftest regression: %s: SKIPPED (the host lacks AVX2, BMI2, FMA or "
                            "F16C)\n", regressions[i].what);
            continue;
        }
        diff_gen_fixed(s, &rng, &dc.host, regressions[i].mode, code, n);
        static const uint8_t fninit[] = { 0x7f, 0x03, 0, 0, 0 };    /* FCW, FSW, FTW */
        uint32_t mxcsr = 0x1f80;
        memcpy(s->in.fx, fninit, sizeof fninit);
        memcpy(&s->in.fx[24], &mxcsr, 4);
        DiffResult r = diff_run(&dc, s, stderr);
        if (r != DIFF_SAME) {
            fprintf(stderr, "difftest regression: %s: %s\n", regressions[i].what,
                    r == DIFF_SKIP ? "did not run on the host" : "diverged");
            bad++;
        }
    }
    free(s);
    diff_fini(&dc);
    cr_assert_eq(bad, 0, "%u of %zu regression sequences failed", bad, ARRAY_SIZE(regressions));
}

Test(x86_difftest, regressions_interp, .timeout = 60)
{
    run_regressions(TCG_BACKEND_INTERP);
}

Test(x86_difftest, regressions_native, .timeout = 60)
{
    run_regressions(TCG_BACKEND_NATIVE);
}
