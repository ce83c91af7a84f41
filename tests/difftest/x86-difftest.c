/* x86-difftest.c: the long differential run — random 64-bit integer sequences on the host CPU
 * and under TCG, compared (see x86-difftest.h).
 *
 *     build/tests/difftest/x86-difftest [-n COUNT] [-s SEED] [-b native|interp] [-x] [-v]
 *
 * -x: only the VEX classes (BMI1/BMI2, AVX/AVX2; x86-difftest-avx.h), where the host has them.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "tests/difftest/x86-difftest.h"
#include <time.h>

int main(int argc, char **argv)
{
    uint64_t count = 10000, seed = 1;
    TCGBackendKind backend = TCG_BACKEND_INTERP;
    int max_report = 10;
    bool vex_only = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            count = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-b") && i + 1 < argc)
            backend = strcmp(argv[++i], "native") == 0 ? TCG_BACKEND_NATIVE : TCG_BACKEND_INTERP;
        else if (!strcmp(argv[i], "-x"))
            vex_only = true;
        else if (!strcmp(argv[i], "-v"))
            max_report = 1000;
        else {
            fprintf(stderr, "x86-difftest: usage: x86-difftest [-n COUNT] [-s SEED] [-b native|interp] [-x] [-v]\n");
            return 2;
        }
    }
    DiffCtx dc;
    if (!diff_init(&dc, backend)) {
        fprintf(stderr, "x86-difftest: tcg back end not available\n");
        return 2;
    }
    DiffHost host = diff_host();
    host.vex_only = vex_only;
    if (vex_only && !host.bmi1 && !host.avx2) {
        fprintf(stderr, "x86-difftest: SKIPPED: the host CPU has neither BMI1 nor AVX2\n");
        return 0;
    }
    DiffRng rng = { seed * 0x9e3779b97f4a7c15ull | 1 };
    uint64_t same = 0, diverged = 0, skipped = 0, insns = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 0; i < count; i++) {
        DiffSeq s;
        diff_gen(&s, &rng, &host);
        DiffResult r = diff_run(&dc, &s, diverged < (uint64_t)max_report ? stderr : NULL);
        if (r == DIFF_SAME)
            same++, insns += s.ninsn;
        else if (r == DIFF_DIVERGED)
            diverged++;
        else
            skipped++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("x86-difftest: %s back end, seed %" PRIu64 ": %" PRIu64 " sequences (%" PRIu64
           " insns) identical, %" PRIu64 " diverged, %" PRIu64 " skipped (native fault), %.1f s\n",
           tcg_backend_name(), seed, same, insns, diverged, skipped, secs);
    return diverged ? 1 : 0;
}
