/* test-tcg-cache.c: code cache: chaining, invalidation, flushes, exit requests, precise state, W^X. */
#include <criterion/criterion.h>
#include "tests/unit/test-tcg-common.h"
#include "util/log.h"
#include <unistd.h>

/*
 * A three-block guest "program" in the fake CPU:
 *   0x100: r0 += 1; goto 0x200
 *   0x200: r1 += r0; if r0 <u 10 goto 0x100 else goto 0x300
 *   0x300: exit with idx TB_EXIT_NOCHAIN
 * Each block sets pc before leaving, so a driver can follow it.
 */
static void translate_prog(TranslationBlock *tb, void *opaque)
{
    tcg_gen_insn_start(tb->pc, 0);
    switch (tb->pc) {
    case 0x100:
        tcg_gen_addi_i64(t_r[0], t_r[0], 1);
        tcg_gen_goto_tb(0);
        tcg_gen_movi_i64(t_pc, 0x200);
        tcg_gen_exit_tb(tb, 0);
        break;
    case 0x200: {
        TCGLabel *done = gen_new_label();
        tcg_gen_add_i64(t_r[1], t_r[1], t_r[0]);
        tcg_gen_brcondi_i64(TCG_COND_GEU, t_r[0], 10, done);
        tcg_gen_goto_tb(0);
        tcg_gen_movi_i64(t_pc, 0x100);
        tcg_gen_exit_tb(tb, 0);
        gen_set_label(done);
        tcg_gen_goto_tb(1);
        tcg_gen_movi_i64(t_pc, 0x300);
        tcg_gen_exit_tb(tb, 1);
        break;
    }
    default:
        tcg_gen_movi_i64(t_r[2], 0x300);
        tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
        break;
    }
    tb->size = 4;
    tb->icount = 1;
}

static TCGJumpCache jc;

static TranslationBlock *find(uint64_t pc)
{
    TranslationBlock *tb = tcg_jc_lookup(&jc, pc, 0, 0);
    if (!tb)
        tb = tcg_tb_lookup(pc, pc, 0, 0);
    if (!tb)
        tb = tcg_tb_gen(pc, pc, 0, 0, 0, translate_prog, NULL);
    tcg_jc_insert(&jc, tb);
    return tb;
}

/* A minimal driver loop; returns how many times generated code returned to it. */
static unsigned drive(uint64_t pc, bool link)
{
    unsigned returns = 0;
    TranslationBlock *last = NULL;
    unsigned idx = 0;
    for (;;) {
        TranslationBlock *tb = find(pc);
        if (link && last && idx < 2)
            tcg_tb_link(last, idx, tb);
        uintptr_t r = tcg_tb_exec(&tenv, tb);
        returns++;
        last = TB_EXIT_TB(r);
        idx = TB_EXIT_INDEX(r);
        if (idx == TB_EXIT_NOCHAIN || idx == TB_EXIT_REQUESTED)
            return returns;
        pc = tenv.pc;
        cr_assert_lt(returns, 1000);
    }
}

static void reset_regs(void)
{
    memset(tenv.r, 0, sizeof(tenv.r));
    tenv.pc = 0;
    tenv.exit_req = 0;
}

Test(tcg_cache, chained_loop_runs_without_returning)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        memset(&jc, 0, sizeof(jc));
        reset_regs();
        unsigned unlinked = drive(0x100, false);
        cr_assert_eq(tenv.r[0], 10);
        cr_assert_eq(tenv.r[1], 55);
        cr_assert_eq(tenv.r[2], 0x300);
        cr_assert_eq(unlinked, 21, "%s: %u returns without chaining", tcg_backend_name(), unlinked);

        /* First chained run links the slots as it goes; the second runs the
         * whole loop inside generated code. */
        reset_regs();
        drive(0x100, true);
        reset_regs();
        unsigned chained = drive(0x100, true);
        cr_assert_eq(tenv.r[0], 10);
        cr_assert_eq(tenv.r[1], 55);
        cr_assert_eq(chained, 1, "%s: %u returns with chaining", tcg_backend_name(), chained);
        TCGStats st;
        tcg_stats_get(&st);
        cr_assert_geq(st.chains, 3);
        cr_assert_eq(st.blocks, 3, "blocks live after a back-end switch flush");
    }
}

/* The same loop with indirect jumps: every block ends in lookup_and_goto_ptr. */
static void translate_indirect(TranslationBlock *tb, void *opaque)
{
    tcg_gen_insn_start(tb->pc, 0);
    switch (tb->pc) {
    case 0x1100:
        tcg_gen_addi_i64(t_r[0], t_r[0], 1);
        tcg_gen_movi_i64(t_pc, 0x1200);
        tcg_gen_lookup_and_goto_ptr();
        break;
    case 0x1200: {
        TCGLabel *done = gen_new_label();
        tcg_gen_add_i64(t_r[1], t_r[1], t_r[0]);
        tcg_gen_brcondi_i64(TCG_COND_GEU, t_r[0], 10, done);
        tcg_gen_movi_i64(t_pc, 0x1100);
        tcg_gen_lookup_and_goto_ptr();
        gen_set_label(done);
        tcg_gen_movi_i64(t_pc, 0x1300);
        tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN + 0);
        break;
    }
    }
    tb->size = 4;
    tb->icount = 1;
}

Test(tcg_cache, lookup_and_goto_ptr_stays_in_generated_code)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        unsigned returns = 0;
        for (int round = 0; round < 2; round++) {
            reset_regs();
            tenv.pc = 0x1100;
            returns = 0;
            while (tenv.pc != 0x1300) {
                TranslationBlock *tb = tcg_tb_lookup(tenv.pc, tenv.pc, 0, 0);
                if (!tb)
                    tb = tcg_tb_gen(tenv.pc, tenv.pc, 0, 0, 0, translate_indirect, NULL);
                uintptr_t r = tcg_tb_exec(&tenv, tb);
                cr_assert_eq(r, TB_EXIT_NOCHAIN);
                returns++;
                cr_assert_lt(returns, 100);
            }
            cr_assert_eq(tenv.r[0], 10);
            cr_assert_eq(tenv.r[1], 55);
        }
        cr_assert_eq(returns, 1, "%s: %u returns once both blocks exist", tcg_backend_name(), returns);
    }
}

Test(tcg_cache, invalidation_unlinks_and_removes)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        memset(&jc, 0, sizeof(jc));
        reset_regs();
        drive(0x100, true);
        reset_regs();
        cr_assert_eq(drive(0x100, true), 1);
        cr_assert(tcg_page_has_code(0x200));
        TranslationBlock *b200 = tcg_tb_lookup(0x200, 0x200, 0, 0);
        cr_assert_not_null(b200);

        TCGStats st0;
        tcg_stats_get(&st0);
        /* A guest store into [0x200, 0x204): only that block goes. */
        cr_assert_eq(tcg_tb_invalidate_phys_range(0x202, 0x203), 1);
        cr_assert_null(tcg_tb_lookup(0x200, 0x200, 0, 0));
        cr_assert_null(tcg_jc_lookup(&jc, 0x200, 0, 0));
        cr_assert_not_null(tcg_tb_lookup(0x100, 0x100, 0, 0));
        cr_assert_eq(tcg_tb_invalidate_phys_range(0x204, 0x300), 0);
        /* The 0x100 block must not jump into the dead block any more. */
        TranslationBlock *b100 = tcg_tb_lookup(0x100, 0x100, 0, 0);
        reset_regs();
        uintptr_t r = tcg_tb_exec(&tenv, b100);
        cr_assert_eq(TB_EXIT_TB(r), b100);
        cr_assert_eq(TB_EXIT_INDEX(r), 0);
        cr_assert_eq(tenv.r[0], 1);
        cr_assert_eq(tenv.r[1], 0);
        cr_assert_not(tcg_tb_link(b100, 0, b200), "linking to an invalid block");
        TCGStats st;
        tcg_stats_get(&st);
        cr_assert_geq(st.unlinks - st0.unlinks, 1);
        cr_assert_eq(st.invalidated - st0.invalidated, 1);
        /* Retranslation brings the loop back. */
        reset_regs();
        drive(0x100, true);
        cr_assert_eq(tenv.r[1], 55);
        /* The page list survives and a whole-page invalidation takes all three. */
        cr_assert_eq(tcg_tb_invalidate_phys_range(0, 0x1000), 3);
        cr_assert_not(tcg_page_has_code(0x200));
    }
}

Test(tcg_cache, exit_request_stops_a_chained_loop)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        memset(&jc, 0, sizeof(jc));
        reset_regs();
        drive(0x100, true);
        reset_regs();
        tenv.exit_req = 1;
        TranslationBlock *tb = find(0x100);
        uintptr_t r = tcg_tb_exec(&tenv, tb);
        cr_assert_eq(TB_EXIT_INDEX(r), TB_EXIT_REQUESTED);
        cr_assert_eq(TB_EXIT_TB(r), tb);
        cr_assert_eq(tenv.r[0], 0, "no guest state changed before the check");
    }
}

Test(tcg_cache, flush_drops_everything)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        memset(&jc, 0, sizeof(jc));
        reset_regs();
        drive(0x100, true);
        uint32_t gen = tcg_cache_gen();
        tcg_tb_flush();
        cr_assert_neq(tcg_cache_gen(), gen);
        cr_assert_null(tcg_jc_lookup(&jc, 0x100, 0, 0));
        cr_assert_null(tcg_tb_lookup(0x100, 0x100, 0, 0));
        cr_assert_not(tcg_page_has_code(0x100));
        reset_regs();
        drive(0x100, true);
        cr_assert_eq(tenv.r[1], 55);
    }
}

static void body_many(void *opaque)
{
    /* a largish block: 200 ops */
    for (int i = 0; i < 100; i++) {
        tcg_gen_addi_i64(t_r[0], t_r[0], 1);
        tcg_gen_xor_i64(t_r[1], t_r[1], t_r[0]);
    }
}

Test(tcg_cache, flushes_when_full)
{
    TCGConfig cfg = { .backend = TCG_BACKEND_INTERP, .code_size = 1 * MiB };
    /* First tcg_init of this test process: the cache gets this size. */
    cr_assert(tcg_init(&cfg));
    t_setup(TCG_BACKEND_AUTO);
    TCGStats st;
    tcg_stats_get(&st);
    cr_assert_eq(st.code_capacity, 1 * MiB);
    uint64_t flushes0 = st.flushes;
    uint64_t want0 = 0, want1 = 0;
    memset(tenv.r, 0, sizeof(tenv.r));
    for (int i = 0; i < 3000; i++) {
        TranslationBlock *tb = t_gen(0x10000 + i * 4, body_many, NULL);
        t_run(tb);
        for (int k = 0; k < 100; k++) {
            want0++;
            want1 ^= want0;
        }
    }
    cr_assert_eq(tenv.r[0], want0);
    cr_assert_eq(tenv.r[1], want1);
    tcg_stats_get(&st);
    cr_assert_gt(st.flushes, flushes0, "3000 blocks of 200 ops overflow 1 MiB");
    cr_assert_geq(st.blocks_total, 3000);
}

Test(tcg_cache, no_writable_executable_mapping)
{
    t_setup(TCG_BACKEND_AUTO);
    TranslationBlock *tb = t_gen(0x100, body_many, NULL);
    t_run(tb);
    FILE *f = fopen("/proc/self/maps", "r");
    cr_assert_not_null(f);
    char line[512];
    int exec_maps = 0;
    while (fgets(line, sizeof line, f)) {
        char perms[8] = "";
        sscanf(line, "%*s %7s", perms);
        cr_assert_not(perms[0] == 'r' && perms[1] == 'w' && perms[2] == 'x', "RWX mapping: %s", line);
        exec_maps += perms[2] == 'x';
    }
    fclose(f);
    cr_assert_gt(exec_maps, 0);
}

Test(tcg_cache, mprotect_fallback_runs_and_stays_wx)
{
    /* This test process has not initialized tcg yet: force the single mapping. */
    setenv("VIREO_TCG_NO_MEMFD", "1", 1);
    t_setup(TCG_BACKEND_AUTO);
    memset(&jc, 0, sizeof(jc));
    reset_regs();
    drive(0x100, true);
    reset_regs();
    cr_assert_eq(drive(0x100, true), 1, "chaining patches code through mprotect flips");
    cr_assert_eq(tenv.r[1], 55);
    char *sbuf;
    size_t slen;
    FILE *m = open_memstream(&sbuf, &slen);
    tcg_stats_dump(m);
    fclose(m);
    if (tcg_native_available())
        cr_assert(strstr(sbuf, "mprotect W^X"), "%s", sbuf);
    free(sbuf);
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char perms[8] = "";
        sscanf(line, "%*s %7s", perms);
        cr_assert_not(perms[0] == 'r' && perms[1] == 'w' && perms[2] == 'x', "RWX mapping: %s", line);
    }
    fclose(f);
}

/* ---------------------------------------------------------------- precise exceptions */

static uint64_t helper_seen_r0;
static uintptr_t helper_ra;

static void helper_raise(void *env)
{
    TEnv *e = env;
    helper_seen_r0 = e->r[0];
    helper_ra = TCG_GETPC();
    siglongjmp(t_fault_jmp, 2);
}

static const TCGHelperInfo info_raise = TCG_HELPER(helper_raise, 0, TCG_TYPE_VOID, TCG_TYPE_PTR);

static int fault_kind;

static void translate_faulting(TranslationBlock *tb, void *opaque)
{
    TCGv_i64 a = tcg_temp_new_i64(), v = tcg_temp_new_i64();
    tcg_gen_insn_start(0x500, 1);
    tcg_gen_addi_i64(t_r[0], t_r[0], 5);
    tcg_gen_insn_start(0x503, 2);
    tcg_gen_movi_i64(a, T_RAM_BASE + 0x10);
    tcg_gen_guest_ld_i64(v, a, 0, MO_UQ);
    tcg_gen_add_i64(t_r[1], t_r[1], v);
    tcg_gen_insn_start(0x507, 3);
    tcg_gen_addi_i64(t_r[0], t_r[0], 100);
    if (fault_kind == 1)
        tcg_gen_call1(&info_raise, TCG_NORET, tcg_env);
    tcg_gen_insn_start(0x50a, 4);
    tcg_gen_movi_i64(a, T_RAM_BASE + 0x3010);   /* the "MMIO" page: slow path */
    tcg_gen_guest_st_i64(t_r[0], a, 1, MO_UQ);
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    tb->size = 14;
    tb->icount = 4;
}

Test(tcg_cache, slow_path_fault_restores_guest_insn)
{
    for (volatile int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        reset_regs();
        fault_kind = 0;
        t_fault_addr = T_RAM_BASE + 0x3010;
        TranslationBlock *tb = tcg_tb_gen(0x500, 0x500, 0, 0, 0, translate_faulting, NULL);
        if (sigsetjmp(t_fault_jmp, 1) == 0) {
            tcg_tb_exec(&tenv, tb);
            cr_assert_fail("%s: the store should have faulted", tcg_backend_name());
        }
        uint64_t words[TCG_INSN_START_WORDS];
        cr_assert_eq(tcg_restore_state(t_fault_ra, words), tb, "%s", tcg_backend_name());
        cr_assert_eq(words[0], 0x50a, "%s: fault at %#" PRIx64, tcg_backend_name(), words[0]);
        cr_assert_eq(words[1], 4);
        /* Globals were written back before the access that faulted. */
        cr_assert_eq(tenv.r[0], 105);
        cr_assert_eq(tenv.r[1], t_ram_ld(T_RAM_BASE + 0x10, 8));
        cr_assert_null(tcg_restore_state((uintptr_t)&words, words));
        t_fault_addr = ~0ull;
    }
}

Test(tcg_cache, helper_raise_sees_synced_globals_and_its_insn)
{
    for (volatile int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        reset_regs();
        fault_kind = 1;
        TranslationBlock *tb = tcg_tb_gen(0x500, 0x500, 0, 0, 0, translate_faulting, NULL);
        if (sigsetjmp(t_fault_jmp, 1) == 0) {
            tcg_tb_exec(&tenv, tb);
            cr_assert_fail("the helper should have raised");
        }
        cr_assert_eq(helper_seen_r0, 105, "%s", tcg_backend_name());
        uint64_t words[TCG_INSN_START_WORDS];
        cr_assert_eq(tcg_restore_state(helper_ra, words), tb);
        cr_assert_eq(words[0], 0x507, "%s: helper at %#" PRIx64, tcg_backend_name(), words[0]);
        cr_assert_eq(words[1], 3);
    }
}

Test(tcg_cache, guest_access_fast_and_slow_paths)
{
    for (volatile int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        reset_regs();
        fault_kind = 0;
        t_fault_addr = ~0ull;
        t_slow_loads = t_slow_stores = 0;
        TranslationBlock *tb = tcg_tb_gen(0x500, 0x500, 0, 0, 0, translate_faulting, NULL);
        tcg_tb_exec(&tenv, tb);
        cr_assert_eq(t_slow_loads, 0, "%s: RAM load hits the TLB", tcg_backend_name());
        cr_assert_eq(t_slow_stores, 1, "%s: MMIO store takes the slow path", tcg_backend_name());
        cr_assert_eq(t_ram_ld(T_RAM_BASE + 0x3010, 8), 105);
        /* Drop the TLB: the load goes slow too, and still gets the same value. */
        memset(tenv.tlb, 0xff, sizeof(tenv.tlb));
        reset_regs();
        tcg_tb_exec(&tenv, tb);
        cr_assert_eq(t_slow_loads, 1);
        cr_assert_eq(tenv.r[1], t_ram_ld(T_RAM_BASE + 0x10, 8));
    }
}

/* ---------------------------------------------------------------- dumps, stats */

Test(tcg_cache, op_dump_and_stats)
{
    char path[] = "/tmp/vireo-tcg-dump-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert(log_set_file(path));
    log_mask = LOG_OP | LOG_OP_OPT | LOG_OUT_ASM;
    t_setup(TCG_BACKEND_AUTO);
    t_gen(0x100, body_many, NULL);
    log_mask = 0;
    fflush(log_file());
    FILE *f = fopen(path, "r");
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    unlink(path);
    cr_assert(strstr(buf, "add_i64 r0,r0,$0x1"), "IR dump:\n%.400s", buf);
    cr_assert(strstr(buf, "OP after optimization"));
    cr_assert(strstr(buf, "OUT: [size="));
    if (tcg_native_available())
        cr_assert(strstr(buf, "jmp "), "disassembly expected:\n%.2000s", strstr(buf, "OUT:"));
    char *sbuf;
    size_t slen;
    FILE *m = open_memstream(&sbuf, &slen);
    tcg_stats_dump(m);
    fclose(m);
    cr_assert(strstr(sbuf, "blocks          1 live"), "%s", sbuf);
    free(sbuf);
}

/* ---------------------------------------------------------------- two pages, overflow */

static void translate_two_pages(TranslationBlock *tb, void *opaque)
{
    tcg_gen_insn_start(tb->pc, 0);
    tcg_gen_addi_i64(t_r[0], t_r[0], 1);
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    tb->size = 8;                 /* 0x...ffc .. 0x...1003: crosses into the next page */
    tb->icount = 2;
    tb->page2_phys = 0x7000;      /* the second virtual page maps elsewhere */
}

Test(tcg_cache, block_on_two_pages_dies_with_either)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        for (int which = 0; which < 2; which++) {
            TranslationBlock *tb = tcg_tb_gen(0x2ffc, 0x2ffc, 0, 0, 0, translate_two_pages, NULL);
            cr_assert(tcg_page_has_code(0x2000));
            cr_assert(tcg_page_has_code(0x7000));
            cr_assert_not(tcg_page_has_code(0x3000), "the virtual next page is not the physical one");
            cr_assert_eq(tcg_tb_invalidate_phys_range(0x7800, 0x7801), 0, "beyond the block's bytes");
            if (which == 0)
                cr_assert_eq(tcg_tb_invalidate_phys_range(0x2ffd, 0x2ffe), 1);
            else
                cr_assert_eq(tcg_tb_invalidate_phys_range(0x7002, 0x7003), 1);
            cr_assert(tb->invalid);
            cr_assert_not(tcg_page_has_code(0x2000));
            cr_assert_not(tcg_page_has_code(0x7000));
        }
    }
}

static unsigned overflow_calls;

/* 300 fresh temps per guest instruction: more than one block can hold. */
static void translate_hungry(TranslationBlock *tb, void *opaque)
{
    unsigned max = tb->cflags & CF_COUNT_MASK;
    overflow_calls++;
    if (!max)
        max = 50;
    for (unsigned i = 0; i < max; i++) {
        tcg_gen_insn_start(tb->pc + i, 0);
        for (int k = 0; k < 300; k++) {
            TCGv_i32 t = tcg_temp_new_i32();
            tcg_gen_addi_i32(t, t_w[0], k);
            tcg_gen_add_i32(t_w[1], t_w[1], t);
        }
        tb->icount = i + 1;
    }
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    tb->size = tb->icount;
}

Test(tcg_cache, too_many_temps_retranslates_smaller)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        overflow_calls = 0;
        TranslationBlock *tb = tcg_tb_gen(0x4000, 0x4000, 0, 0, 0, translate_hungry, NULL);
        cr_assert_gt(overflow_calls, 1);
        cr_assert_lt(tb->icount, 50);
        cr_assert_geq(tb->icount, 1);
        tenv.w[0] = 1;
        tenv.w[1] = 0;
        tcg_tb_exec(&tenv, tb);
        uint32_t want = 0;
        for (unsigned i = 0; i < tb->icount; i++)
            for (int k = 0; k < 300; k++)
                want += 1 + k;
        cr_assert_eq(tenv.w[1], want);
    }
}

/* ---------------------------------------------------------------- discard */

static void body_discard(void *opaque)
{
    tcg_gen_movi_i64(t_r[3], 0x1111);     /* dead: discarded before anyone reads it */
    tcg_gen_addi_i64(t_r[4], t_r[4], 1);
    tcg_gen_discard_i64(t_r[3]);
    tcg_gen_movi_i32(t_w[2], 7);
    tcg_gen_discard_i32(t_w[2]);
}

Test(tcg_ops, discard_drops_dead_global_writes)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        tenv.r[3] = 0xabc;
        tenv.r[4] = 41;
        tenv.w[2] = 5;
        TCGStats s0, s1;
        tcg_stats_get(&s0);
        TranslationBlock *tb = t_gen(0x100, body_discard, NULL);
        tcg_stats_get(&s1);
        t_run(tb);
        cr_assert_eq(tenv.r[4], 42);
        /* The engine was allowed not to store them: both keep their old values here. */
        cr_assert_eq(tenv.r[3], 0xabc, "%s", tcg_backend_name());
        cr_assert_eq(tenv.w[2], 5, "%s", tcg_backend_name());
        /* add and exit survive; the movs are gone. */
        cr_assert_leq(s1.ops_out - s0.ops_out, 4);
    }
}

/* ---------------------------------------------------------------- self-modifying code */

#define SMC_A (T_RAM_BASE + 0x3000)    /* page 3: every store takes the slow path */
#define SMC_B (T_RAM_BASE + 0x3100)

static void translate_smc(TranslationBlock *tb, void *opaque)
{
    tcg_gen_insn_start(tb->pc, 0);
    if (tb->pc == SMC_A) {
        tcg_gen_addi_i64(t_r[0], t_r[0], 1);
        tcg_gen_goto_tb(0);
        tcg_gen_movi_i64(t_pc, SMC_B);
        tcg_gen_exit_tb(tb, 0);
    } else {
        TCGLabel *skip = gen_new_label(), *done = gen_new_label();
        tcg_gen_brcondi_i64(TCG_COND_NE, t_r[0], 2, skip);
        tcg_gen_guest_st_i64(t_r[0], tcg_constant_i64(SMC_A), 0, MO_UQ);   /* overwrite block A */
        gen_set_label(skip);
        tcg_gen_addi_i64(t_r[1], t_r[1], 1);
        tcg_gen_brcondi_i64(TCG_COND_GEU, t_r[0], 3, done);
        tcg_gen_goto_tb(0);
        tcg_gen_movi_i64(t_pc, SMC_A);
        tcg_gen_exit_tb(tb, 0);
        gen_set_label(done);
        tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    }
    tb->size = 16;
    tb->icount = 1;
}

Test(tcg_cache, store_into_running_chain_invalidates_and_unlinks)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        t_smc = true;
        reset_regs();
        TCGStats s0, s1;
        tcg_stats_get(&s0);
        uint64_t pc = SMC_A;
        TranslationBlock *last = NULL;
        unsigned idx = 0, returns = 0;
        for (;;) {
            TranslationBlock *tb = tcg_tb_lookup(pc, pc, 0, 0);
            if (!tb)
                tb = tcg_tb_gen(pc, pc, 0, 0, 0, translate_smc, NULL);
            if (last && idx < 2)
                tcg_tb_link(last, idx, tb);
            uintptr_t r = tcg_tb_exec(&tenv, tb);
            returns++;
            cr_assert_lt(returns, 50);
            last = TB_EXIT_TB(r);
            idx = TB_EXIT_INDEX(r);
            if (idx == TB_EXIT_NOCHAIN)
                break;
            pc = tenv.pc;
        }
        tcg_stats_get(&s1);
        cr_assert_eq(tenv.r[0], 3, "%s", tcg_backend_name());
        cr_assert_eq(tenv.r[1], 3);
        cr_assert_eq(t_ram_ld(SMC_A, 8), 2);
        cr_assert_eq(s1.invalidated - s0.invalidated, 1, "block A was overwritten once");
        cr_assert_eq(s1.blocks_total - s0.blocks_total, 3, "A, B, and A again");
        cr_assert_eq(returns, 5, "%s: %u returns", tcg_backend_name(), returns);
        t_smc = false;
    }
}

/* ---------------------------------------------------------------- pointer ops */

static void body_ptr(void *opaque)
{
    TCGv_ptr p = tcg_temp_new_ptr(), q = tcg_temp_new_ptr();
    TCGv_i32 i = tcg_temp_new_i32();
    tcg_gen_addi_ptr(p, tcg_env, offsetof(TEnv, scratch));   /* p = &scratch[0] */
    tcg_gen_mov_i32(i, t_w[0]);
    tcg_gen_extu_i32_ptr(q, i);
    tcg_gen_add_ptr(q, p, q);                                /* q = &scratch[w0] */
    tcg_gen_ld8u_i64(t_r[0], q, 0);
    tcg_gen_st_i64(t_r[1], p, 8);
    tcg_gen_st_ptr(p, tcg_env, offsetof(TEnv, r[2]));
    tcg_gen_ld_ptr(q, tcg_env, offsetof(TEnv, r[2]));
    tcg_gen_mov_ptr(p, q);
    tcg_gen_ld32u_i64(t_r[3], p, 8);
    tcg_gen_movi_i32(i, -5);
    tcg_gen_ext_i32_ptr(q, i);
    tcg_gen_st_ptr(q, tcg_env, offsetof(TEnv, r[4]));
}

Test(tcg_ops, pointer_arithmetic_on_env)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        for (int k = 0; k < 64; k++)
            tenv.scratch[k] = (uint8_t)(k * 3);
        tenv.w[0] = 20;
        tenv.r[1] = 0x1122334455667788ull;
        t_run(t_gen(0x100, body_ptr, NULL));
        cr_assert_eq(tenv.r[0], 60, "%s", tcg_backend_name());
        cr_assert_eq(tenv.r[2], (uintptr_t)tenv.scratch);
        cr_assert_eq(tenv.r[3], 0x55667788);
        cr_assert_eq(tenv.r[4], (uint64_t)-5);
    }
}

static void translate_no_exit(TranslationBlock *tb, void *opaque)
{
    TCGLabel *l = gen_new_label();
    tcg_gen_insn_start(tb->pc, 0);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t_r[0], 0, l);
    tcg_gen_addi_i64(t_r[1], t_r[1], 1);
    gen_set_label(l);   /* a front-end bug: nothing after this label */
    tb->size = 4;
    tb->icount = 1;
}

Test(tcg_cache, block_without_exit_does_not_run_off)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        reset_regs();
        tenv.r[0] = 1;
        TranslationBlock *tb = tcg_tb_gen(0x800, 0x800, 0, 0, 0, translate_no_exit, NULL);
        cr_assert_eq(tcg_tb_exec(&tenv, tb), TB_EXIT_NOCHAIN);
        cr_assert_eq(tenv.r[1], 1);
    }
}

Test(tcg_cache, no_cache_blocks_are_never_found_or_linked)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        memset(&jc, 0, sizeof(jc));
        reset_regs();
        TranslationBlock *one = tcg_tb_gen(0x100, 0x100, 0, 0, CF_NO_CACHE | 1, translate_prog, NULL);
        cr_assert_null(tcg_tb_lookup(0x100, 0x100, 0, 0));
        cr_assert_not(tcg_page_has_code(0x100));
        uintptr_t r = tcg_tb_exec(&tenv, one);
        cr_assert_eq(tenv.r[0], 1);
        TranslationBlock *next = find(0x200);
        cr_assert_not(tcg_tb_link(TB_EXIT_TB(r), TB_EXIT_INDEX(r), next), "no linking out of it");
        cr_assert_not(tcg_tb_link(next, 0, one), "no linking into it");
    }
}

/* ---------------------------------------------------------------- optimizer: setcond + brcond */

static void body_setcond_branch(void *opaque)
{
    TCGLabel *l = gen_new_label();
    TCGv_i64 t = tcg_temp_new_i64();
    TCGCond c = (TCGCond)(intptr_t)opaque;
    tcg_gen_setcond_i64(c, t, t_r[0], t_r[1]);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t, 0, l);
    tcg_gen_addi_i64(t_r[2], t_r[2], 1);
    gen_set_label(l);
}

Test(tcg_ops, setcond_then_brcond_is_one_compare)
{
    static const TCGCond conds[] = { TCG_COND_LT, TCG_COND_GEU, TCG_COND_EQ, TCG_COND_GT };
    static const int64_t vals[] = { -1, 0, 1, INT64_MIN };
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        for (unsigned ci = 0; ci < ARRAY_SIZE(conds); ci++) {
            TCGStats s0, s1;
            tcg_stats_get(&s0);
            TranslationBlock *tb = t_gen(0x100 + ci * 4, body_setcond_branch, (void *)(intptr_t)conds[ci]);
            tcg_stats_get(&s1);
            /* brcond, add, label, exit: the setcond went away */
            cr_assert_eq(s1.ops_out - s0.ops_out, 4, "%" PRIu64 " ops", s1.ops_out - s0.ops_out);
            for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
                for (unsigned j = 0; j < ARRAY_SIZE(vals); j++) {
                    tenv.r[0] = (uint64_t)vals[i];
                    tenv.r[1] = (uint64_t)vals[j];
                    tenv.r[2] = 0;
                    t_run(tb);
                    bool want;
                    switch (conds[ci]) {
                    case TCG_COND_LT: want = vals[i] < vals[j]; break;
                    case TCG_COND_GEU: want = (uint64_t)vals[i] >= (uint64_t)vals[j]; break;
                    case TCG_COND_EQ: want = vals[i] == vals[j]; break;
                    default: want = vals[i] > vals[j]; break;
                    }
                    cr_assert_eq(tenv.r[2], want, "%s cond %d (%" PRId64 ", %" PRId64 ")",
                                 tcg_backend_name(), conds[ci], vals[i], vals[j]);
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- known-zero high bits */

static void body_ext32u_chain(void *opaque)
{
    TCGv_i64 t = tcg_temp_new_i64(), t2 = tcg_temp_new_i64();
    tcg_gen_ext32u_i64(t, t_r[0]);
    tcg_gen_ext32u_i64(t2, t);              /* a copy of t */
    tcg_gen_ext32u_i64(t_r[1], t2);         /* a copy of t */
}

/* After the label, v may hold r5's 64 bits: its ext32u must stay. */
static void body_ext32u_after_label(void *opaque)
{
    TCGv_i64 v = tcg_temp_new_i64(), u = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    tcg_gen_ext32u_i64(v, t_r[0]);
    tcg_gen_add_i64(u, v, v);               /* may carry into bit 32 */
    tcg_gen_ext32u_i64(t_r[3], u);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t_r[4], 0, l);
    tcg_gen_mov_i64(v, t_r[5]);
    gen_set_label(l);
    tcg_gen_ext32u_i64(t_r[6], v);
}

Test(tcg_ops, ext32u_of_a_zero_extended_value_is_a_copy)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        TCGStats s0, s1;
        tcg_stats_get(&s0);
        TranslationBlock *tb = t_gen(0x100, body_ext32u_chain, NULL);
        tcg_stats_get(&s1);
        /* ext32u, the move into r1, exit */
        cr_assert_eq(s1.ops_out - s0.ops_out, 3, "%s: %" PRIu64 " ops", tcg_backend_name(),
                     s1.ops_out - s0.ops_out);
        tenv.r[0] = 0xfedcba9876543210ull;
        t_run(tb);
        cr_assert_eq(tenv.r[1], 0x76543210ull, "%s", tcg_backend_name());

        tb = t_gen(0x200, body_ext32u_after_label, NULL);
        for (int taken = 0; taken < 2; taken++) {
            tenv.r[0] = 0x1234567890abcdefull;
            tenv.r[4] = taken ? 0 : 1;
            tenv.r[5] = 0xaaaaaaaa55555555ull;
            t_run(tb);
            cr_assert_eq(tenv.r[3], (2 * 0x90abcdefull) & 0xffffffffull, "%s", tcg_backend_name());
            cr_assert_eq(tenv.r[6], taken ? 0x90abcdefull : 0x55555555ull, "%s taken %d",
                         tcg_backend_name(), taken);
        }
    }
}

/* ---------------------------------------------------------------- small API corners */

static TCGv_ptr g_ptr;

static void body_global_ptr(void *opaque)
{
    TCGv_i32 v = tcg_temp_new_i32();
    TCGv_ptr p = tcg_temp_new_ptr();
    tcg_gen_ld_i32(v, g_ptr, 4);                 /* scratch[4..7] through a pointer global */
    tcg_gen_st_i32(v, tcg_env, offsetof(TEnv, w[3]));
    tcg_gen_mov_ptr(p, tcg_constant_ptr((intptr_t)&tenv.r[5]));
    tcg_gen_st_i64(t_r[0], p, 0);
    tcg_temp_free_i32(v);
    tcg_temp_free_ptr(p);
}

Test(tcg_ops, pointer_globals_constants_and_jump_cache_clear)
{
    t_setup(TCG_BACKEND_AUTO);
    g_ptr = tcg_global_mem_new_ptr(offsetof(TEnv, r[6]), "scratch_ptr");
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        memset(tenv.scratch, 0, sizeof(tenv.scratch));
        tenv.scratch[4] = 0x78;
        tenv.scratch[7] = 0x12;
        tenv.r[6] = (uintptr_t)tenv.scratch;
        tenv.r[0] = 0xfeedface;
        TranslationBlock *tb = t_gen(0x100, body_global_ptr, NULL);
        t_run(tb);
        cr_assert_eq(tenv.w[3], 0x12000078, "%s", tcg_backend_name());
        cr_assert_eq(tenv.r[5], 0xfeedface);
        TCGJumpCache c = { 0 };
        tcg_jc_insert(&c, tb);
        cr_assert_eq(tcg_jc_lookup(&c, 0x100, 0, 0), tb);
        tcg_jc_clear(&c);
        cr_assert_null(tcg_jc_lookup(&c, 0x100, 0, 0));
    }
    cr_assert_eq(tcg_invert_cond(TCG_COND_LTU), TCG_COND_GEU);
    cr_assert_eq(tcg_swap_cond(TCG_COND_LE), TCG_COND_GE);
}
