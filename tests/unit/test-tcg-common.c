/* test-tcg-common.c: the fake CPU shared by the tcg unit tests (no tests of its own). */
#include "tests/unit/test-tcg-common.h"
#include "util/log.h"

TEnv tenv;
uint8_t tram[T_RAM_PAGES << T_PAGE_BITS];
TCGv_i64 t_r[T_NR];
TCGv_i32 t_w[T_NW];
TCGv_i64 t_pc;
unsigned t_slow_loads, t_slow_stores;
bool t_smc;
uint64_t t_fault_addr = ~0ull;
sigjmp_buf t_fault_jmp;
uintptr_t t_fault_ra;
static bool globals_done;

static uint64_t slow_load(void *env, uint64_t addr, uint32_t oi, uintptr_t ra)
{
    unsigned size = 1u << (TCG_OI_MEMOP(oi) & MO_SIZE);
    t_slow_loads++;
    if (addr == t_fault_addr) {
        t_fault_ra = ra;
        siglongjmp(t_fault_jmp, 1);
    }
    if (addr < T_RAM_BASE || addr + size > T_RAM_BASE + sizeof(tram))
        return 0;   /* open bus */
    return t_ram_ld(addr, size);
}

static void slow_store(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t ra)
{
    unsigned size = 1u << (TCG_OI_MEMOP(oi) & MO_SIZE);
    t_slow_stores++;
    if (addr == t_fault_addr) {
        t_fault_ra = ra;
        siglongjmp(t_fault_jmp, 1);
    }
    if (addr < T_RAM_BASE || addr + size > T_RAM_BASE + sizeof(tram))
        return;
    t_ram_st(addr, size, val);
    /* Guest physical = guest virtual here: what a driver does for code pages. */
    if (t_smc)
        tcg_tb_invalidate_phys_range(addr, addr + size);
}

static const TCGSoftTLB t_tlb_desc = {
    .tlb_offset = offsetof(TEnv, tlb),
    .nb_mmu_idx = T_NB_MMU,
    .index_bits = T_TLB_BITS,
    .entry_bits = 5,
    .page_bits = T_PAGE_BITS,
    .addr_read_ofs = offsetof(TEntry, addr_read),
    .addr_write_ofs = offsetof(TEntry, addr_write),
    .addr_code_ofs = offsetof(TEntry, addr_code),
    .addend_ofs = offsetof(TEntry, addend),
    .load_slow = slow_load,
    .store_slow = slow_store,
};

void t_tlb_fill(void)
{
    memset(tenv.tlb, 0xff, sizeof(tenv.tlb));
    for (unsigned mmu = 0; mmu < T_NB_MMU; mmu++) {
        for (unsigned p = 0; p < 4; p++) {
            uint64_t va = T_RAM_BASE + ((uint64_t)p << T_PAGE_BITS);
            TEntry *e = &tenv.tlb[mmu][(va >> T_PAGE_BITS) & ((1 << T_TLB_BITS) - 1)];
            uint64_t flag = p == 3 ? 0x100 : 0;   /* "MMIO": never a fast-path hit */
            e->addr_read = va | flag;
            e->addr_write = va | flag;
            e->addr_code = va | flag;
            e->addend = (uintptr_t)tram - T_RAM_BASE;
        }
    }
}

/* What a driver does: the per-CPU jump cache, then the global hash. */
static TCGJumpCache t_jc;

static TranslationBlock *t_lookup_tb(void *env)
{
    TEnv *e = env;
    TranslationBlock *tb = tcg_jc_lookup(&t_jc, e->pc, 0, 0);
    if (!tb) {
        tb = tcg_tb_lookup(e->pc, e->pc, 0, 0);
        if (tb)
            tcg_jc_insert(&t_jc, tb);
    }
    return tb;
}

void t_setup(TCGBackendKind kind)
{
    _Static_assert(sizeof(TEntry) == 32, "entry_bits = 5");
    TCGConfig cfg = {
        .backend = kind,
        .code_size = 16 * MiB,
        .tlb = &t_tlb_desc,
        .exit_request = true,
        .exit_request_ofs = offsetof(TEnv, exit_req),
        .lookup_tb = t_lookup_tb,
    };
    if (!tcg_init(&cfg))
        abort();
    if (!globals_done) {
        char name[8];
        for (int i = 0; i < T_NR; i++) {
            snprintf(name, sizeof name, "r%d", i);
            t_r[i] = tcg_global_mem_new_i64(offsetof(TEnv, r[i]), name);
        }
        for (int i = 0; i < T_NW; i++) {
            snprintf(name, sizeof name, "w%d", i);
            t_w[i] = tcg_global_mem_new_i32(offsetof(TEnv, w[i]), name);
        }
        t_pc = tcg_global_mem_new_i64(offsetof(TEnv, pc), "pc");
        globals_done = true;
    }
    t_tlb_fill();
}

typedef struct GenArgs {
    TBody *body;
    void *opaque;
} GenArgs;

static void t_translate(TranslationBlock *tb, void *opaque)
{
    GenArgs *g = opaque;
    tcg_gen_insn_start(tb->pc, 0);
    g->body(g->opaque);
    tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
    tb->size = 4;
    tb->icount = 1;
}

TranslationBlock *t_gen(uint64_t pc, TBody *body, void *opaque)
{
    GenArgs g = { body, opaque };
    return tcg_tb_gen(pc, pc, 0, 0, 0, t_translate, &g);
}

uintptr_t t_run(TranslationBlock *tb)
{
    return tcg_tb_exec(&tenv, tb);
}

int t_nb_backends(void)
{
    return tcg_native_available() ? 2 : 1;
}

TCGBackendKind t_backend(int i)
{
    return i == 0 ? TCG_BACKEND_INTERP : TCG_BACKEND_NATIVE;
}
