/* tcg-bench.c: the same IR workloads on both tcg back ends: time per IR op, host insns per op, translation time. */
#include "tests/unit/test-tcg-common.h"
#include "tcg/tcg-internal.h"
#include <time.h>
#include <capstone/capstone.h>
#include <valgrind/callgrind.h>

/*
 * Usage: tcg-bench                 print the table (clock time; static code size)
 *        tcg-bench --has-native    exit status 0 if the native back end is built
 *        tcg-bench --count W B     run workload W on back end B (0 interp, 1 native)
 *                                  once, collecting only around the execution:
 *                                  meant for valgrind --tool=callgrind
 *                                  --collect-atstart=no (see tcg-bench.sh)
 */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------------- workloads
 * Each is one block with a loop inside: L: body; r7 -= 1; brcond r7 != 0, L.
 * r7 holds the iteration count.
 */
static void body_alu(void)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_add_i64(t_r[0], t_r[0], t_r[1]);
    tcg_gen_xor_i64(t_r[1], t_r[1], t_r[0]);
    tcg_gen_shli_i64(t, t_r[0], 3);
    tcg_gen_sub_i64(t_r[2], t_r[2], t);
    tcg_gen_mul_i64(t_r[3], t_r[3], t_r[2]);
    tcg_gen_rotli_i64(t_r[3], t_r[3], 7);
    tcg_gen_and_i64(t, t_r[3], t_r[1]);
    tcg_gen_or_i64(t_r[4], t_r[4], t);
    tcg_gen_setcond_i64(TCG_COND_LTU, t, t_r[4], t_r[0]);
    tcg_gen_add_i64(t_r[5], t_r[5], t);
    tcg_gen_ext32u_i64(t, t_r[5]);
    tcg_gen_add_i64(t_r[0], t_r[0], t);
    tcg_temp_free_i64(t);
}

static void body_mem(void)
{
    TCGv_i64 a = tcg_temp_new_i64(), v = tcg_temp_new_i64();
    tcg_gen_andi_i64(a, t_r[0], 0x1ff8);
    tcg_gen_addi_i64(a, a, T_RAM_BASE);
    tcg_gen_guest_ld_i64(v, a, 0, MO_UQ);
    tcg_gen_add_i64(v, v, t_r[1]);
    tcg_gen_guest_st_i64(v, a, 0, MO_UQ);
    tcg_gen_guest_ld_i32(t_w[0], a, 0, MO_UW);
    tcg_gen_addi_i64(t_r[0], t_r[0], 8);
    tcg_temp_free_i64(a);
    tcg_temp_free_i64(v);
}

static void body_call(void)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_ori_i64(t, t_r[1], 1);
    tcg_gen_divu_i64(t_r[2], t_r[0], t);
    tcg_gen_add_i64(t_r[0], t_r[0], t_r[2]);
    tcg_gen_addi_i64(t_r[1], t_r[1], 3);
    tcg_temp_free_i64(t);
}

static void (*const bodies[])(void) = { body_alu, body_mem, body_call };
static const char *const names[] = { "alu", "guest mem", "helper call", "chained blocks",
                                     "indirect jumps" };
#define NB_LOOP 3
#define NB_WORK 5

static void translate_loop(TranslationBlock *tb, void *opaque)
{
    int w = (int)(intptr_t)opaque;
    TCGLabel *l = gen_new_label();
    tcg_gen_insn_start(tb->pc, 0);
    gen_set_label(l);
    bodies[w]();
    tcg_gen_subi_i64(t_r[7], t_r[7], 1);
    tcg_gen_brcondi_i64(TCG_COND_NE, t_r[7], 0, l);
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    tb->size = 4;
    tb->icount = 1;
}

/* Two blocks that chain into each other until r7 reaches 0. */
static void translate_chain(TranslationBlock *tb, void *opaque)
{
    TCGLabel *out = gen_new_label();
    tcg_gen_insn_start(tb->pc, 0);
    tcg_gen_addi_i64(t_r[0], t_r[0], (int64_t)tb->pc);
    tcg_gen_xor_i64(t_r[1], t_r[1], t_r[0]);
    tcg_gen_subi_i64(t_r[7], t_r[7], 1);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t_r[7], 0, out);
    tcg_gen_goto_tb(0);
    tcg_gen_movi_i64(t_pc, tb->pc == 0x100 ? 0x200 : 0x100);
    tcg_gen_exit_tb(tb, 0);
    gen_set_label(out);
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    tb->size = 4;
    tb->icount = 1;
}

/* The same two blocks, but each ends in an indirect jump (lookup_and_goto_ptr). */
static void translate_indirect(TranslationBlock *tb, void *opaque)
{
    TCGLabel *out = gen_new_label();
    tcg_gen_insn_start(tb->pc, 0);
    tcg_gen_addi_i64(t_r[0], t_r[0], (int64_t)tb->pc);
    tcg_gen_xor_i64(t_r[1], t_r[1], t_r[0]);
    tcg_gen_subi_i64(t_r[7], t_r[7], 1);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t_r[7], 0, out);
    tcg_gen_movi_i64(t_pc, tb->pc == 0x500 ? 0x600 : 0x500);
    tcg_gen_lookup_and_goto_ptr();
    gen_set_label(out);
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    tb->size = 4;
    tb->icount = 1;
}

typedef struct Prepared {
    TranslationBlock *tb;
    uint64_t ops_per_iter;   /* IR ops after optimization, executed per iteration */
    uint64_t host_insns;     /* static size of the loop's host code (native) */
} Prepared;

static uint64_t count_insns(const TranslationBlock *tb)
{
    csh h;
    cs_insn *insn;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
        return 0;
    size_t n = cs_disasm(h, tb->tc_ptr, tb->tc_size, (uintptr_t)tb->tc_ptr, 0, &insn);
    if (n)
        cs_free(insn, n);
    cs_close(&h);
    return n;
}

static Prepared prepare(int w)
{
    Prepared p = { 0 };
    TCGStats a, b;
    tcg_stats_get(&a);
    if (w < NB_LOOP) {
        p.tb = tcg_tb_gen(0x1000 + w * 16, 0x1000 + w * 16, 0, 0, 0, translate_loop, (void *)(intptr_t)w);
        tcg_stats_get(&b);
        p.ops_per_iter = b.ops_out - a.ops_out - 1;   /* all but the final exit */
    } else if (w == 4) {
        p.tb = tcg_tb_gen(0x500, 0x500, 0, 0, 0, translate_indirect, NULL);
        tcg_tb_gen(0x600, 0x600, 0, 0, 0, translate_indirect, NULL);
        /* executed per block: add, xor, sub, brcond, mov pc, call lookup, goto_ptr */
        p.ops_per_iter = 7;
    } else {
        TranslationBlock *x = tcg_tb_gen(0x100, 0x100, 0, 0, 0, translate_chain, NULL);
        TranslationBlock *y = tcg_tb_gen(0x200, 0x200, 0, 0, 0, translate_chain, NULL);
        tcg_tb_link(x, 0, y);
        tcg_tb_link(y, 0, x);
        tcg_stats_get(&b);
        /* executed per block when chained: add, xor, sub, brcond, goto_tb */
        p.ops_per_iter = 5;
        p.tb = x;
    }
    if (tcg_backend->needs_exec)
        p.host_insns = count_insns(p.tb);
    return p;
}

static void reset_state(uint64_t iters)
{
    memset(tenv.r, 0, sizeof(tenv.r));
    tenv.r[1] = 0x9e3779b97f4a7c15ull;
    tenv.r[7] = iters;
    tenv.exit_req = 0;
}

static double run_once(Prepared *p, uint64_t iters)
{
    reset_state(iters);
    double t0 = now();
    uintptr_t r = tcg_tb_exec(&tenv, p->tb);
    double t1 = now();
    if (TB_EXIT_INDEX(r) != TB_EXIT_NOCHAIN || tenv.r[7] != 0) {
        fprintf(stderr, "tcg-bench: workload did not finish (exit %u, r7 %" PRIu64 ")\n",
                TB_EXIT_INDEX(r), tenv.r[7]);
        exit(1);
    }
    return t1 - t0;
}

/* Best of several runs: the machine is shared. */
static double best_time(Prepared *p, uint64_t iters)
{
    double best = 1e9;
    for (int i = 0; i < 5; i++) {
        double t = run_once(p, iters);
        if (t < best)
            best = t;
    }
    return best;
}

/* A typical guest-block-sized IR sequence (about 10 guest instructions). */
static void translate_typical(TranslationBlock *tb, void *opaque)
{
    TCGv_i64 a = tcg_temp_new_i64(), v = tcg_temp_new_i64();
    for (int i = 0; i < 10; i++) {
        tcg_gen_insn_start(tb->pc + i * 3, i);
        switch (i % 5) {
        case 0:
            tcg_gen_addi_i64(a, t_r[i % 6], 16);
            tcg_gen_andi_i64(a, a, 0xfff);
            tcg_gen_addi_i64(a, a, T_RAM_BASE);
            tcg_gen_guest_ld_i64(v, a, 0, MO_UQ);
            tcg_gen_add_i64(t_r[1], t_r[1], v);
            break;
        case 1:
            tcg_gen_sub_i64(t_r[2], t_r[2], t_r[3]);
            tcg_gen_setcond_i64(TCG_COND_EQ, v, t_r[2], tcg_constant_i64(0));
            tcg_gen_st8_i64(v, tcg_env, offsetof(TEnv, scratch));
            break;
        case 2:
            tcg_gen_deposit_i64(t_r[4], t_r[4], t_r[5], 8, 8);
            break;
        case 3:
            tcg_gen_guest_st_i32(t_w[1], a, 0, MO_UL);
            tcg_gen_addi_i32(t_w[1], t_w[1], 1);
            break;
        default:
            tcg_gen_xor_i64(t_r[0], t_r[0], t_r[1]);
            tcg_gen_shri_i64(v, t_r[0], 3);
            tcg_gen_movcond_i64(TCG_COND_LT, t_r[3], t_r[0], t_r[1], v, t_r[3]);
            break;
        }
    }
    tcg_gen_goto_tb(0);
    tcg_gen_movi_i64(t_pc, tb->pc + 30);
    tcg_gen_exit_tb(tb, 0);
    tb->size = 30;
    tb->icount = 10;
}

/* Best of 5 rounds of 500 blocks: the machine is shared. */
static double translation_us(void)
{
    const int n = 500;
    double best = 1e9;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        for (int i = 0; i < n; i++) {
            uint64_t pc = 0x100000 + (uint64_t)(round * n + i) * 32;
            tcg_tb_gen(pc, pc, 0, 0, 0, translate_typical, NULL);
        }
        double t = (now() - t0) / n * 1e6;
        if (t < best)
            best = t;
    }
    return best;
}

static int count_mode(int w, int b)
{
    t_setup(b ? TCG_BACKEND_NATIVE : TCG_BACKEND_INTERP);
    Prepared p = prepare(w);
    uint64_t iters = 20000;
    run_once(&p, 10);   /* warm */
    CALLGRIND_TOGGLE_COLLECT;
    run_once(&p, iters);
    CALLGRIND_TOGGLE_COLLECT;
    printf("ops %" PRIu64 "\n", p.ops_per_iter * iters);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--has-native"))
        return tcg_native_available() ? 0 : 1;
    if (argc == 4 && !strcmp(argv[1], "--count"))
        return count_mode(atoi(argv[2]), atoi(argv[3]));

    int nb = tcg_native_available() ? 2 : 1;
    double ns[NB_WORK][2] = { { 0 } };
    uint64_t ops[NB_WORK][2] = { { 0 } }, hi[NB_WORK] = { 0 };
    double tr[2];
    const uint64_t iters[NB_WORK] = { 2000000, 1000000, 500000, 2000000, 1000000 };

    for (int b = 0; b < nb; b++) {
        t_setup(b ? TCG_BACKEND_NATIVE : TCG_BACKEND_INTERP);
        for (int w = 0; w < NB_WORK; w++) {
            Prepared p = prepare(w);
            uint64_t it = b ? iters[w] : iters[w] / 4;
            double t = best_time(&p, it);
            ns[w][b] = t * 1e9 / (double)(p.ops_per_iter * it);
            ops[w][b] = p.ops_per_iter;
            if (b)
                hi[w] = p.host_insns;
        }
        tr[b] = translation_us();
    }
    printf("tcg-bench: the same IR on both back ends (best of 5, clock time)\n");
    printf("%-16s %8s %12s %12s %10s %14s\n", "workload", "IR ops", "interp ns/op", "native ns/op",
           "interp/nat", "native insn/op");
    for (int w = 0; w < NB_WORK; w++) {
        if (nb == 2)
            printf("%-16s %8" PRIu64 " %12.2f %12.2f %9.1fx %14.2f\n", names[w], ops[w][0], ns[w][0],
                   ns[w][1], ns[w][0] / ns[w][1], (double)hi[w] / (double)ops[w][1]);
        else
            printf("%-16s %8" PRIu64 " %12.2f %12s %10s %14s\n", names[w], ops[w][0], ns[w][0], "-", "-", "-");
    }
    printf("(IR ops: per loop iteration after optimization; native insn/op: static x86-64\n"
           " instructions in the whole block per IR op, prologue/exits included)\n");
    printf("translation, typical 10-insn block: interp %.1f us", tr[0]);
    if (nb == 2)
        printf(", native %.1f us", tr[1]);
    printf("\n");
    return 0;
}
