/* test-x86-difftest.c: a bounded differential run against the host CPU on both tcg back ends
 * (the long run is build/tests/difftest/x86-difftest). */
#include <criterion/criterion.h>
#include "util/osdep.h"
#include "tests/difftest/x86-difftest.h"

static void run_diff(TCGBackendKind backend, uint64_t seed, unsigned count)
{
    DiffCtx dc;
    if (!diff_init(&dc, backend)) {
        cr_assert_eq(backend, TCG_BACKEND_NATIVE, "the interpreter must always be available");
        cr_skip_test("SKIPPED: the native tcg back end is not usable in this build");
    }
    DiffHost host = diff_host();
    DiffRng rng = { seed * 0x9e3779b97f4a7c15ull | 1 };
    unsigned same = 0, diverged = 0;
    for (unsigned i = 0; i < count; i++) {
        DiffSeq s;
        diff_gen(&s, &rng, &host);
        DiffResult r = diff_run(&dc, &s, diverged < 5 ? stderr : NULL);
        same += r == DIFF_SAME;
        diverged += r == DIFF_DIVERGED;
    }
    cr_assert_eq(diverged, 0, "%u of %u sequences diverged from the host CPU", diverged, count);
    cr_assert_gt(same, count * 9 / 10, "only %u sequences ran on the host", same);
}

Test(x86_difftest, integer_sequences_interp, .timeout = 120)
{
    run_diff(TCG_BACKEND_INTERP, 11, 1500);
}

Test(x86_difftest, integer_sequences_native, .timeout = 120)
{
    run_diff(TCG_BACKEND_NATIVE, 12, 1500);
}
