/* x86-difftest.c: the long differential run — random instruction sequences on the host CPU
 * and under TCG, compared (see difftest.h).
 *
 *     build/tests/difftest/x86-difftest [-n COUNT] [-s SEED] [-b native|interp] [-m 64,32,16|all]
 *                                       [-x int,x87,transc,simd,avx|all] [-c CLASS] [-v]
 *
 * -x picks the instruction families (avx: the VEX ones, BMI1/BMI2/AVX/AVX2/FMA/F16C, where the
 * host has them); -c keeps only the generator classes whose name contains CLASS (see
 * gen-*.c), for hunting.
 */
#include "util/osdep.h"
#include "tests/difftest/difftest.h"
#include <time.h>

static unsigned parse_mix(const char *s)
{
    static const struct { const char *name; unsigned bits; } names[] = {
        { "int", DIFF_MIX_INT }, { "x87", DIFF_MIX_X87 }, { "transc", DIFF_MIX_TRANSC },
        { "simd", DIFF_MIX_SIMD }, { "avx", DIFF_MIX_AVX }, { "all", DIFF_MIX_ALL },
    };
    unsigned mix = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        unsigned i;
        for (i = 0; i < ARRAY_SIZE(names) && strcmp(t, names[i].name); i++)
            ;
        if (i == ARRAY_SIZE(names))
            return 0;
        mix |= names[i].bits;
    }
    return mix;
}

int main(int argc, char **argv)
{
    uint64_t count = 10000, seed = 1;
    TCGBackendKind backend = TCG_BACKEND_INTERP;
    const char *modes = "all";
    unsigned mix = DIFF_MIX_ALL;
    int max_report = 10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            count = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-b") && i + 1 < argc)
            backend = strcmp(argv[++i], "native") == 0 ? TCG_BACKEND_NATIVE : TCG_BACKEND_INTERP;
        else if (!strcmp(argv[i], "-m") && i + 1 < argc)
            modes = argv[++i];
        else if (!strcmp(argv[i], "-x") && i + 1 < argc && (mix = parse_mix(argv[i + 1])))
            i++;
        else if (!strcmp(argv[i], "-c") && i + 1 < argc)
            diff_gen_only(argv[++i]);
        else if (!strcmp(argv[i], "-v"))
            max_report = 1000;
        else {
            fprintf(stderr, "x86-difftest: usage: x86-difftest [-n COUNT] [-s SEED] [-b native|interp] "
                            "[-m 64,32,16|all] [-x int,x87,transc,simd,avx|all] [-c CLASS] [-v]\n");
            return 2;
        }
    }
    DiffCtx dc;
    if (!diff_init(&dc, backend)) {
        fprintf(stderr, "x86-difftest: cannot run here: %s\n", dc.why);
        return 2;
    }
    /* The modes to rotate through: those asked for that this host can run natively. */
    DiffMode run[3];
    unsigned nrun = 0;
    for (DiffMode m = DIFF_MODE64; m <= DIFF_MODE16; m++) {
        if (strcmp(modes, "all") && !strstr(modes, diff_mode_name(m)))
            continue;
        if (m == DIFF_MODE32 && !dc.host.compat32)
            printf("x86-difftest: 32-bit mode SKIPPED: this host kernel runs no 32-bit user code\n");
        else if (m == DIFF_MODE16 && !dc.host.code16)
            printf("x86-difftest: 16-bit mode SKIPPED: no 16-bit code segment (modify_ldt) here\n");
        else
            run[nrun++] = m;
    }
    if (!nrun) {
        fprintf(stderr, "x86-difftest: no mode to run\n");
        return 2;
    }
    DiffRng rng = diff_seed(seed);
    uint64_t same[3] = { 0 }, diverged[3] = { 0 }, skipped[3] = { 0 }, insns[3] = { 0 };
    DiffSeq *s = xzalloc(sizeof *s);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 0; i < count; i++) {
        DiffMode mode = run[i % nrun];
        diff_gen(s, &rng, &dc.host, mode, mix);
        uint64_t bad = diverged[0] + diverged[1] + diverged[2];
        DiffResult r = diff_run(&dc, s, bad < (uint64_t)max_report ? stderr : NULL);
        if (r == DIFF_SAME)
            same[mode]++, insns[mode] += s->ninsn;
        else if (r == DIFF_DIVERGED)
            diverged[mode]++;
        else
            skipped[mode]++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    for (unsigned k = 0; k < nrun; k++) {
        DiffMode m = run[k];
        printf("x86-difftest: %s back end, %s-bit, seed %" PRIu64 ": %" PRIu64 " sequences (%" PRIu64
               " insns) identical, %" PRIu64 " diverged, %" PRIu64 " skipped (native fault)\n",
               tcg_backend_name(), diff_mode_name(m), seed, same[m], insns[m], diverged[m], skipped[m]);
    }
    printf("x86-difftest: %" PRIu64 " sequences in %.1f s\n", count, secs);
    free(s);
    diff_fini(&dc);
    return diverged[0] + diverged[1] + diverged[2] ? 1 : 0;
}
