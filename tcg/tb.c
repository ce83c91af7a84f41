/* tb.c: the code cache: W^X buffer, block hash, page lists, jump caches, chaining, invalidation. */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg-internal.h"
#include <sys/mman.h>
#include <unistd.h>
#include <capstone/capstone.h>

/*
 * Memory: with a native back end the cache is one memfd mapped twice, a
 * read-write view where code is written and a read-execute view where it runs,
 * so no page is ever writable and executable at once. If memfd is refused, a
 * single private mapping is flipped between RW and RX with mprotect around
 * each write (single-threaded use only). The interpreter needs no executable
 * memory at all.
 */
static uint8_t *cache_rw, *cache_rx;
static size_t cache_size, cache_used, cache_reserved;
static bool cache_dual, cache_exec;
/* Recursive: translation runs under it and fetches guest code through the MMU, whose page walk
 * may set an accessed bit in RAM, and that RAM write invalidates code under the lock again. */
static pthread_mutex_t tb_lock;
static uint32_t cache_gen = 1;
static TCGStats stats;

/* Blocks of the current generation in allocation order (= code address order). */
static TranslationBlock **tbs;
static size_t nb_tbs, cap_tbs;
/* Block structs are recycled, never freed, so a stale pointer stays readable. */
static TranslationBlock *tb_free_list;

#define TB_HASH_BITS 16
static TranslationBlock *tb_hash[1 << TB_HASH_BITS];

typedef struct PageEntry {
    uint64_t page;
    uintptr_t first;       /* tagged tb | n */
    struct PageEntry *next;
} PageEntry;
#define PAGE_HASH_BITS 14
static PageEntry *page_hash[1 << PAGE_HASH_BITS];

bool tcg_cache_init(size_t size, bool exec)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&tb_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    size = ALIGN_UP(size, 4096);
    cache_size = size;
    cache_exec = exec;
    if (!exec) {
        cache_rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (cache_rw == MAP_FAILED) {
            error_report("tcg: code cache: mmap of %zu bytes failed: %s", size, strerror(errno));
            return false;
        }
        cache_rx = cache_rw;
        return true;
    }
    /* VIREO_TCG_NO_MEMFD=1 forces the mprotect fallback (tests). */
    const char *no_memfd = getenv("VIREO_TCG_NO_MEMFD");
    int fd = no_memfd && *no_memfd == '1' ? -1 : memfd_create("vireo-tcg", MFD_CLOEXEC);
    if (fd >= 0 && ftruncate(fd, (off_t)size) == 0) {
        void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        void *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
        if (rw != MAP_FAILED && rx != MAP_FAILED) {
            close(fd);
            cache_rw = rw;
            cache_rx = rx;
            cache_dual = true;
            return true;
        }
        if (rw != MAP_FAILED)
            munmap(rw, size);
        if (rx != MAP_FAILED)
            munmap(rx, size);
    }
    if (fd >= 0)
        close(fd);
    cache_rw = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (cache_rw == MAP_FAILED) {
        error_report("tcg: code cache: mmap of %zu bytes failed: %s", size, strerror(errno));
        return false;
    }
    cache_rx = cache_rw;
    return true;
}

void *tcg_rx_to_rw(const void *rx)
{
    return cache_rw + ((const uint8_t *)rx - cache_rx);
}

void tcg_cache_make_writable(void)
{
    if (cache_exec && !cache_dual && mprotect(cache_rw, cache_size, PROT_READ | PROT_WRITE))
        fatal("tcg: mprotect(RW) of the code cache failed: %s", strerror(errno));
}

void tcg_cache_make_exec(void)
{
    if (cache_exec && !cache_dual && mprotect(cache_rw, cache_size, PROT_READ | PROT_EXEC))
        fatal("tcg: mprotect(RX) of the code cache failed: %s", strerror(errno));
    if (cache_exec)
        __builtin___clear_cache((char *)cache_rx, (char *)cache_rx + cache_used);
}

/* Permanent space at the start of the cache (a back end's prologue), kept by
 * flushes. Only before the first block. */
void *tcg_cache_reserve(size_t n, void **rx)
{
    if (cache_used != cache_reserved)
        fatal("tcg: code cache reservation after blocks were generated");
    size_t start = ALIGN_UP(cache_used, 64);
    cache_used = cache_reserved = start + n;
    *rx = cache_rx + start;
    return cache_rw + start;
}

/* ---------------------------------------------------------------- hashing */

static unsigned tb_hash_fn(uint64_t phys_pc, uint64_t cs_base, uint32_t flags)
{
    uint64_t h = phys_pc * 0x9E3779B97F4A7C15ull ^ cs_base * 0xC2B2AE3D27D4EB4Full ^ flags;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return (unsigned)(h >> (64 - TB_HASH_BITS));
}

static unsigned page_bits(void) { return tcg_have_tlb ? tcg_tlb.page_bits : 12; }

static PageEntry **page_slot(uint64_t page)
{
    uint64_t h = (page * 0x9E3779B97F4A7C15ull) >> (64 - PAGE_HASH_BITS);
    PageEntry **pp = &page_hash[h];
    while (*pp && (*pp)->page != page)
        pp = &(*pp)->next;
    return pp;
}

static void page_add(uint64_t page, TranslationBlock *tb, unsigned n)
{
    PageEntry **pp = page_slot(page);
    if (!*pp) {
        *pp = xzalloc(sizeof(PageEntry));
        (*pp)->page = page;
    }
    tb->page_next[n] = (*pp)->first;
    (*pp)->first = (uintptr_t)tb | n;
}

static void page_remove(uint64_t page, TranslationBlock *tb, unsigned n)
{
    PageEntry **pp = page_slot(page);
    if (!*pp)
        return;
    uintptr_t *link = &(*pp)->first;
    while (*link) {
        TranslationBlock *t = (TranslationBlock *)(*link & ~(uintptr_t)1);
        unsigned k = *link & 1;
        if (t == tb && k == n) {
            *link = t->page_next[k];
            break;
        }
        link = &t->page_next[k];
    }
    if (!(*pp)->first) {
        PageEntry *dead = *pp;
        *pp = dead->next;
        free(dead);
    }
}

static uint64_t tb_page(const TranslationBlock *tb, unsigned n)
{
    unsigned pb = page_bits();
    return n == 0 ? tb->phys_pc >> pb : tb->page2_phys >> pb;
}

static bool tb_has_page2(const TranslationBlock *tb)
{
    return tb->page2_phys != ~0ull && tb_page(tb, 1) != tb_page(tb, 0);
}

/* ---------------------------------------------------------------- flush */

static void flush_locked(void)
{
    for (size_t i = 0; i < nb_tbs; i++) {
        TranslationBlock *tb = tbs[i];
        free(tb->insn_map);
        tb->insn_map = NULL;
        tb->invalid = true;
        tb->hash_next = tb_free_list;
        tb_free_list = tb;
    }
    nb_tbs = 0;
    memset(tb_hash, 0, sizeof(tb_hash));
    for (size_t i = 0; i < ARRAY_SIZE(page_hash); i++) {
        while (page_hash[i]) {
            PageEntry *e = page_hash[i];
            page_hash[i] = e->next;
            free(e);
        }
    }
    cache_used = cache_reserved;
    cache_gen++;
    stats.flushes++;
    stats.blocks = 0;
}

void tcg_tb_flush(void)
{
    pthread_mutex_lock(&tb_lock);
    flush_locked();
    pthread_mutex_unlock(&tb_lock);
}

uint32_t tcg_cache_gen(void)
{
    return __atomic_load_n(&cache_gen, __ATOMIC_ACQUIRE);
}

/* ---------------------------------------------------------------- generation */

static TranslationBlock *tb_alloc(void)
{
    TranslationBlock *tb = tb_free_list;
    if (tb)
        tb_free_list = tb->hash_next;
    else
        tb = xmalloc(sizeof(*tb));
    memset(tb, 0, sizeof(*tb));
    return tb;
}

#define CACHE_MIN_FREE (256 * KiB)

/* -d out_asm: the host code of a block (disassembled with capstone when native). */
static void dump_host_code(const TranslationBlock *tb)
{
    log_lock();
    log_printf("OUT: [size=%u] pc 0x%" PRIx64 " (%s)\n", tb->tc_size, tb->pc, tcg_backend_name());
    csh h;
    cs_insn *insn;
    size_t n = 0;
    if (tcg_backend->needs_exec && cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK) {
        n = cs_disasm(h, tb->tc_ptr, tb->tc_size, (uintptr_t)tb->tc_ptr, 0, &insn);
        for (size_t i = 0; i < n; i++)
            log_printf("  0x%" PRIx64 ":  %-8s %s\n", insn[i].address, insn[i].mnemonic, insn[i].op_str);
        if (n)
            cs_free(insn, n);
        cs_close(&h);
    } else {
        log_printf("  %u bytes of interpreter bytecode\n", tb->tc_size);
    }
    log_printf("\n");
    log_unlock();
}

TranslationBlock *tcg_tb_gen(uint64_t pc, uint64_t phys_pc, uint64_t cs_base, uint32_t flags,
                             uint32_t cflags, TCGTranslateFn *translate, void *opaque)
{
    TCGContext *s = tcg_ctx;
    TranslationBlock *tb;

    if (!tcg_backend)
        fatal("tcg: tcg_tb_gen() called before tcg_init()");
    pthread_mutex_lock(&tb_lock);
    if (cache_size - cache_used < CACHE_MIN_FREE)
        flush_locked();
    tb = tb_alloc();
    for (;;) {
        memset(tb, 0, sizeof(*tb));
        tb->pc = pc;
        tb->phys_pc = phys_pc;
        tb->cs_base = cs_base;
        tb->flags = flags;
        tb->cflags = cflags;
        tb->page2_phys = ~0ull;
        tb->jmp_patch_ofs[0] = tb->jmp_patch_ofs[1] = ~0u;
        tcg_func_start(tb);
        translate(tb, opaque);
        /* A block must never run off its end: a trailing exit costs nothing
         * when the front end already left (it is unreachable and removed). */
        tcg_gen_exit_tb(NULL, TB_EXIT_NOCHAIN);
        if (!s->overflow)
            break;
        /* Too many temps or labels: retry with half the instructions. */
        unsigned max = cflags & CF_COUNT_MASK;
        if (!max)
            max = TB_MAX_INSNS_DEFAULT;
        if (max <= 1 || tb->icount <= 1)
            fatal("tcg: a single guest instruction needs more than %d temps or %d labels",
                  TCG_MAX_TEMPS, TCG_MAX_LABELS);
        max = MIN(max, tb->icount) / 2;
        cflags = (cflags & ~CF_COUNT_MASK) | MAX(max, 1u);
    }
    stats.ops_in += s->nb_ops;
    if (log_enabled(LOG_OP))
        tcg_dump_ops(s, "OP");
    tcg_optimize(s);
    tcg_liveness(s);
    if (log_enabled(LOG_OP_OPT))
        tcg_dump_ops(s, "OP after optimization and liveness analysis");

    uint32_t n_insns = 0;
    for (int i = 0; i < s->nb_ops; i++) {
        if (s->ops[i].opc == INDEX_op_insn_start)
            n_insns++;
        else if (s->ops[i].opc != INDEX_op_nop)
            stats.ops_out++;
    }
    uint32_t *insn_ofs = xmalloc((n_insns + 1) * sizeof(uint32_t));
    int size;
    for (int attempt = 0;; attempt++) {
        size_t start = ALIGN_UP(cache_used, 16);
        uint8_t *view = tcg_backend->needs_exec ? cache_rx : cache_rw;
        tcg_cache_make_writable();
        tb->tc_ptr = NULL;
        size = tcg_backend->gen_code(s, tb, cache_rw + start, cache_rx + start,
                                     cache_size - start, insn_ofs);
        if (size >= 0) {
            /* A back end may put data (a constant pool) before the entry point. */
            if (!tb->tc_ptr)
                tb->tc_ptr = view + start;
            tb->tc_size = (uint32_t)(view + start + size - (uint8_t *)tb->tc_ptr);
            cache_used = start + size;
            tcg_cache_make_exec();
            break;
        }
        tcg_cache_make_exec();
        if (attempt)
            fatal("tcg: one block does not fit in the %zu-byte code cache", cache_size);
        flush_locked();
    }
    tb->gen = cache_gen;
    tb->n_insns = n_insns;
    if (log_enabled(LOG_OUT_ASM))
        dump_host_code(tb);
    tb->insn_map = xmalloc((n_insns ? n_insns : 1) * sizeof(TCGInsnMap));
    for (uint32_t i = 0, k = 0; i < (uint32_t)s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        if (op->opc != INDEX_op_insn_start)
            continue;
        tb->insn_map[k].host_ofs = insn_ofs[k];
        tb->insn_map[k].words[0] = op->args[0];
        tb->insn_map[k].words[1] = op->args[1];
        k++;
    }
    free(insn_ofs);

    if (nb_tbs == cap_tbs) {
        cap_tbs = cap_tbs ? cap_tbs * 2 : 4096;
        tbs = xrealloc(tbs, cap_tbs * sizeof(*tbs));
    }
    tbs[nb_tbs++] = tb;
    if (cflags & CF_NO_CACHE) {
        /* Findable by nobody, and never linked into or out of. */
        tb->cflags |= CF_NO_CHAIN;
        pthread_mutex_unlock(&tb_lock);
        stats.blocks_total++;
        return tb;
    }
    unsigned h = tb_hash_fn(phys_pc, cs_base, flags);
    tb->hash_next = tb_hash[h];
    tb_hash[h] = tb;
    page_add(tb_page(tb, 0), tb, 0);
    if (tb_has_page2(tb))
        page_add(tb_page(tb, 1), tb, 1);
    stats.blocks++;
    stats.blocks_total++;
    pthread_mutex_unlock(&tb_lock);
    return tb;
}

/* ---------------------------------------------------------------- look-up */

TranslationBlock *tcg_tb_lookup(uint64_t phys_pc, uint64_t pc, uint64_t cs_base, uint32_t flags)
{
    pthread_mutex_lock(&tb_lock);
    TranslationBlock *tb = tb_hash[tb_hash_fn(phys_pc, cs_base, flags)];
    for (; tb; tb = tb->hash_next)
        if (tb->phys_pc == phys_pc && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags)
            break;
    pthread_mutex_unlock(&tb_lock);
    return tb;
}

static unsigned jc_index(uint64_t pc)
{
    return (unsigned)((pc ^ (pc >> TCG_JC_BITS)) & ((1u << TCG_JC_BITS) - 1));
}

TranslationBlock *tcg_jc_lookup(TCGJumpCache *jc, uint64_t pc, uint64_t cs_base, uint32_t flags)
{
    if (jc->gen != tcg_cache_gen()) {
        memset(jc->tb, 0, sizeof(jc->tb));
        jc->gen = tcg_cache_gen();
        return NULL;
    }
    TranslationBlock *tb = jc->tb[jc_index(pc)];
    if (tb && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags && !tb->invalid)
        return tb;
    return NULL;
}

void tcg_jc_insert(TCGJumpCache *jc, TranslationBlock *tb)
{
    if (jc->gen != tb->gen) {
        memset(jc->tb, 0, sizeof(jc->tb));
        jc->gen = tb->gen;
    }
    jc->tb[jc_index(tb->pc)] = tb;
}

void tcg_jc_clear(TCGJumpCache *jc)
{
    memset(jc->tb, 0, sizeof(jc->tb));
}

uintptr_t tcg_tb_exec(void *env, TranslationBlock *tb)
{
    return tcg_backend->exec(env, tb);
}

/* ---------------------------------------------------------------- chaining */

static void jmp_in_remove(TranslationBlock *dest, TranslationBlock *src, unsigned n)
{
    uintptr_t *link = &dest->jmp_in_list;
    uintptr_t want = (uintptr_t)src | n;
    while (*link) {
        TranslationBlock *t = (TranslationBlock *)(*link & ~(uintptr_t)1);
        unsigned k = *link & 1;
        if (*link == want) {
            *link = t->jmp_in_next[k];
            return;
        }
        link = &t->jmp_in_next[k];
    }
}

static void unlink_slot(TranslationBlock *src, unsigned n)
{
    TranslationBlock *dest = src->jmp_dest[n];
    if (!dest)
        return;
    tcg_cache_make_writable();
    tcg_backend->set_jump(src, n, NULL);
    tcg_cache_make_exec();
    jmp_in_remove(dest, src, n);
    src->jmp_dest[n] = NULL;
    stats.unlinks++;
}

bool tcg_tb_link(TranslationBlock *from, unsigned n, TranslationBlock *to)
{
    bool ok = false;
    pthread_mutex_lock(&tb_lock);
    if (n < 2 && !from->invalid && !to->invalid && from->gen == cache_gen && to->gen == cache_gen &&
        from->jmp_patch_ofs[n] != ~0u && !(from->cflags & CF_NO_CHAIN) && !(to->cflags & CF_NO_CACHE)) {
        if (from->jmp_dest[n] != to) {
            unlink_slot(from, n);
            from->jmp_dest[n] = to;
            from->jmp_in_next[n] = to->jmp_in_list;
            to->jmp_in_list = (uintptr_t)from | n;
            tcg_cache_make_writable();
            tcg_backend->set_jump(from, n, to);
            tcg_cache_make_exec();
            stats.chains++;
        }
        ok = true;
    }
    pthread_mutex_unlock(&tb_lock);
    return ok;
}

/* ---------------------------------------------------------------- invalidation */

static void tb_invalidate_locked(TranslationBlock *tb)
{
    if (tb->invalid)
        return;
    unsigned h = tb_hash_fn(tb->phys_pc, tb->cs_base, tb->flags);
    for (TranslationBlock **pp = &tb_hash[h]; *pp; pp = &(*pp)->hash_next) {
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
    }
    page_remove(tb_page(tb, 0), tb, 0);
    if (tb_has_page2(tb))
        page_remove(tb_page(tb, 1), tb, 1);
    /* Blocks jumping into us go back to their exit path. */
    while (tb->jmp_in_list) {
        TranslationBlock *src = (TranslationBlock *)(tb->jmp_in_list & ~(uintptr_t)1);
        unlink_slot(src, tb->jmp_in_list & 1);
    }
    for (unsigned n = 0; n < 2; n++)
        unlink_slot(tb, n);
    tb->invalid = true;
    stats.invalidated++;
    stats.blocks--;
}

unsigned tcg_tb_invalidate_phys_range(uint64_t start, uint64_t end)
{
    unsigned count = 0;
    unsigned pb = page_bits();
    if (end <= start)
        return 0;
    pthread_mutex_lock(&tb_lock);
    for (uint64_t page = start >> pb; page <= (end - 1) >> pb; page++) {
        PageEntry **pp = page_slot(page);
        uintptr_t link = *pp ? (*pp)->first : 0;
        while (link) {
            TranslationBlock *tb = (TranslationBlock *)(link & ~(uintptr_t)1);
            unsigned n = link & 1;
            link = tb->page_next[n];
            /* Block extent in physical space: [phys_pc, phys_pc + size) on its
             * first page, continuing at page2_phys for the rest. */
            uint64_t b0 = tb->phys_pc, e0 = tb->phys_pc + tb->size;
            bool hit;
            uint64_t first_end = ((tb->phys_pc >> pb) + 1) << pb;
            if (tb_has_page2(tb) && e0 > first_end) {
                uint64_t rest = e0 - first_end;
                uint64_t b1 = tb_page(tb, 1) << pb;
                hit = (start < first_end && end > b0) || (start < b1 + rest && end > b1);
            } else if (tb_has_page2(tb)) {
                hit = true;   /* page2 given but no byte there: be conservative */
            } else {
                hit = start < MAX(e0, b0 + 1) && end > b0;
            }
            if (hit) {
                tb_invalidate_locked(tb);
                count++;
                /* The list changed (and its entry may be gone): restart this page. */
                pp = page_slot(page);
                link = *pp ? (*pp)->first : 0;
            }
        }
    }
    pthread_mutex_unlock(&tb_lock);
    return count;
}

bool tcg_page_has_code(uint64_t phys_addr)
{
    pthread_mutex_lock(&tb_lock);
    PageEntry **pp = page_slot(phys_addr >> page_bits());
    bool r = *pp != NULL;
    pthread_mutex_unlock(&tb_lock);
    return r;
}

/* ---------------------------------------------------------------- precise state */

uintptr_t tcg_getpc(uintptr_t native_ra)
{
    return tcg_backend && !tcg_backend->needs_exec ? tcg_interp_retaddr : native_ra;
}

TranslationBlock *tcg_restore_state(uintptr_t host_pc, uint64_t *words)
{
    TranslationBlock *found = NULL;
    pthread_mutex_lock(&tb_lock);
    size_t lo = 0, hi = nb_tbs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((uintptr_t)tbs[mid]->tc_ptr <= host_pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        TranslationBlock *tb = tbs[lo - 1];
        uintptr_t base = (uintptr_t)tb->tc_ptr;
        if (host_pc > base && host_pc <= base + tb->tc_size && tb->n_insns) {
            /* host_pc is a return address: the instruction it belongs to
             * starts strictly before it. */
            uint32_t off = (uint32_t)(host_pc - base);
            uint32_t k = 0;
            for (uint32_t i = 0; i < tb->n_insns; i++)
                if (tb->insn_map[i].host_ofs < off)
                    k = i;
            memcpy(words, tb->insn_map[k].words, sizeof(tb->insn_map[k].words));
            found = tb;
        }
    }
    pthread_mutex_unlock(&tb_lock);
    return found;
}

/* ---------------------------------------------------------------- statistics */

void tcg_stats_get(TCGStats *s)
{
    pthread_mutex_lock(&tb_lock);
    *s = stats;
    s->code_bytes = cache_used;
    s->code_capacity = cache_size;
    pthread_mutex_unlock(&tb_lock);
}

void tcg_stats_dump(FILE *f)
{
    TCGStats s;
    tcg_stats_get(&s);
    fprintf(f, "TB stats (back end %s):\n", tcg_backend_name());
    fprintf(f, "  blocks          %" PRIu64 " live, %" PRIu64 " translated\n", s.blocks, s.blocks_total);
    fprintf(f, "  code cache      %" PRIu64 " / %" PRIu64 " bytes (%s)\n", s.code_bytes, s.code_capacity,
            cache_dual ? "dual-mapped W^X" : cache_exec ? "mprotect W^X" : "data only");
    fprintf(f, "  chains          %" PRIu64 " linked, %" PRIu64 " unlinked\n", s.chains, s.unlinks);
    fprintf(f, "  invalidated     %" PRIu64 "\n", s.invalidated);
    fprintf(f, "  flushes         %" PRIu64 "\n", s.flushes);
    fprintf(f, "  IR ops          %" PRIu64 " emitted, %" PRIu64 " after optimization\n", s.ops_in, s.ops_out);
    if (s.blocks_total)
        fprintf(f, "  per block       %.1f IR ops in, %.1f out\n", (double)s.ops_in / s.blocks_total,
                (double)s.ops_out / s.blocks_total);
    if (s.blocks)
        fprintf(f, "  host code       %.1f bytes per live block\n", (double)s.code_bytes / s.blocks);
}
