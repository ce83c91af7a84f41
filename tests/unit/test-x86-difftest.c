/* test-x86-difftest.c: a bounded differential run against the host CPU on both tcg back ends,
 * in 64-bit and 32-bit mode (the long run is build/tests/difftest/x86-difftest; make
 * check-difftest-million runs a million). */
#include <criterion/criterion.h>
#include "util/osdep.h"
#include "tests/difftest/difftest.h"

static void run_diff(TCGBackendKind backend, DiffMode mode, unsigned mix, uint64_t seed,
                     unsigned count)
{
    DiffCtx dc;
    if (!diff_init(&dc, backend)) {
        cr_assert_eq(backend, TCG_BACKEND_NATIVE, "the interpreter must always be available");
        cr_skip_test("SKIPPED: the native tcg back end is not usable in this build");
    }
    if (mode == DIFF_MODE32 && !dc.host.compat32) {
        diff_fini(&dc);
        cr_skip_test("SKIPPED: this host kernel runs no 32-bit user code (no compatibility mode)");
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
    run_diff(TCG_BACKEND_INTERP, DIFF_MODE64, DIFF_MIX_ALL, 11, 1500);
}

Test(x86_difftest, long_mode_native, .timeout = 120)
{
    run_diff(TCG_BACKEND_NATIVE, DIFF_MODE64, DIFF_MIX_ALL, 12, 1500);
}

Test(x86_difftest, protected_mode_interp, .timeout = 120)
{
    run_diff(TCG_BACKEND_INTERP, DIFF_MODE32, DIFF_MIX_ALL, 13, 1500);
}

Test(x86_difftest, protected_mode_native, .timeout = 120)
{
    run_diff(TCG_BACKEND_NATIVE, DIFF_MODE32, DIFF_MIX_ALL, 14, 1500);
}
