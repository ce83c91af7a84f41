/* cputlb.c: soft TLB of the TCG accelerator — fill through the x86 page walk, MMIO and ROM slow
 * paths, self-modifying-code invalidation, and the memory accessors the x86 helpers use.
 *
 * Layout (tcg/tcg.h TCGSoftTLB): env->tlb_table[mmu_idx][index] holds page-aligned virtual tags;
 * generated code compares the tag with the page of the address and adds `addend` on a hit.
 * Misses and flagged tags (MMIO, pages holding translated code) come here.
 */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/memory.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/helper-tr.h"
#include "cpu/x86/mmu.h"
#include "accel/tcg/cputlb.h"


#define TLB_SIZE (1u << X86_TLB_BITS)

static AccelCPU *all_tlb_cpus;

static inline unsigned tlb_index(uint64_t vaddr)
{
    return (vaddr >> TLB_PAGE_BITS) & (TLB_SIZE - 1);
}

int x86_mmu_index_for(const X86CPUState *env, uint32_t hflags)
{
    if (!(hflags & HF_PG))
        return X86_MMU_PHYS;
    if ((hflags & HF_CPL_MASK) == 3)
        return (hflags & HF_ALIGN_CHECK) ? X86_MMU_USER_AC : X86_MMU_USER;
    if ((env->cr[4] & CR4_SMAP) && !(hflags & HF_SMAP_AC))
        return X86_MMU_KSMAP;
    return X86_MMU_KERNEL;
}

int x86_tr_mmu_index_kernel(const X86CPUState *env)
{
    if (!(env->hflags & HF_PG))
        return X86_MMU_PHYS;
    /* Implicit supervisor accesses (GDT, LDT, IDT, TSS) to user pages fault under CR4.SMAP
     * whatever EFLAGS.AC and the CPL (SDM 3A, 4.6). */
    if (env->cr[4] & CR4_SMAP)
        return X86_MMU_KSMAP;
    return X86_MMU_KERNEL;
}

int x86_mmu_index(X86CPUState *env)
{
    return x86_tr_mmu_index(env);
}

int x86_mmu_index_kernel(X86CPUState *env)
{
    return x86_tr_mmu_index_kernel(env);
}

static void tlb_clear(X86CPUState *env)
{
    AccelCPU *ac = tcg_accel_cpu(env);
    memset(env->tlb_table, 0xff, sizeof(env->tlb_table));
    if (ac)
        memset(ac->victim, 0xff, sizeof(ac->victim));
}

static inline bool tlb_entry_has_page(const X86TLBEntry *e, uint64_t page)
{
    return (e->addr_read != TLB_EMPTY && (e->addr_read & TLB_PAGE_MASK) == page) ||
           (e->addr_write != TLB_EMPTY && (e->addr_write & TLB_PAGE_MASK) == page) ||
           (e->addr_code != TLB_EMPTY && (e->addr_code & TLB_PAGE_MASK) == page);
}

void tlb_flush(X86CPUState *env)
{
    AccelCPU *ac = tcg_accel_cpu(env);
    tlb_clear(env);
    if (ac) {
        ac->large_page_seen = false;
        tcg_jc_clear(&ac->jc);
    }
}

void tlb_flush_page(X86CPUState *env, uint64_t vaddr)
{
    AccelCPU *ac = tcg_accel_cpu(env);
    if (!ac || ac->large_page_seen) {
        tlb_flush(env);
        return;
    }
    uint64_t page = vaddr & TLB_PAGE_MASK;
    unsigned i = tlb_index(vaddr);
    for (int m = 0; m < X86_NB_MMU_MODES; m++) {
        X86TLBEntry *e = &env->tlb_table[m][i];
        if ((e->addr_read & TLB_PAGE_MASK) == page || (e->addr_write & TLB_PAGE_MASK) == page ||
            (e->addr_code & TLB_PAGE_MASK) == page)
            memset(e, 0xff, sizeof(*e));
        for (int v = 0; v < TLB_VICTIMS; v++)
            if (tlb_entry_has_page(&ac->victim[m][v], page))
                memset(&ac->victim[m][v], 0xff, sizeof(X86TLBEntry));
    }
    /* Blocks are found by virtual PC in the jump cache: the mapping behind it changed. */
    tcg_jc_clear(&ac->jc);
}

/* Fill the entry for vaddr; on a fault either return false (probe) or raise #PF. */
static bool tlb_fill(X86CPUState *env, uint64_t vaddr, int access, int mmu_idx, uintptr_t ra,
                     bool probe)
{
    X86CPU *cpu = container_of(env, X86CPU, env);
    AccelCPU *ac = cpu->accel;
    uint64_t page = vaddr & TLB_PAGE_MASK, paddr;
    int prot = X86_PAGE_READ | X86_PAGE_WRITE | X86_PAGE_EXEC;

    if ((env->hflags & HF_LMA) && mmu_idx != X86_MMU_PHYS) {
        /* SDM 3A 3.3.7.1: a non-canonical linear address is #GP(0) (#SS for stack accesses,
         * which the TLB cannot tell apart). */
        int bits = (env->cr[4] & CR4_LA57) ? 57 : 48;
        if (((int64_t)(vaddr << (64 - bits)) >> (64 - bits)) != (int64_t)vaddr) {
            if (probe)
                return false;
            x86_tr_raise(env, EXCP_GP, 0, true, ra);
        }
    }
    if (mmu_idx == X86_MMU_PHYS) {
        paddr = page & env->a20_mask;
    } else {
        uint64_t psize = TLB_PAGE_SIZE;
        uint32_t err = 0;
        if (x86_mmu_translate(env, vaddr, access, mmu_idx, &paddr, &prot, &psize, &err) != 0) {
            if (probe)
                return false;
            /* SDM 3A, 4.7: CR2 holds the faulting linear address. */
            env->cr[2] = vaddr;
            qlog(LOG_INT, "tcg: #PF at %#" PRIx64 " access %d err %#x\n", vaddr, access, err);
            x86_tr_raise(env, EXCP_PF, err, true, ra);
        }
        if (psize > TLB_PAGE_SIZE && ac)
            ac->large_page_seen = true;
        paddr &= TLB_PAGE_MASK;
    }

    X86TLBEntry *e = &env->tlb_table[mmu_idx][tlb_index(vaddr)];
    if (ac && !tlb_entry_has_page(e, page) &&
        (e->addr_read != TLB_EMPTY || e->addr_write != TLB_EMPTY || e->addr_code != TLB_EMPTY)) {
        unsigned v = ac->victim_next[mmu_idx]++ % TLB_VICTIMS;
        ac->victim[mmu_idx][v] = *e;
        ac->victim_paddr[mmu_idx][v] = ac->tlb_paddr[mmu_idx][tlb_index(vaddr)];
    }
    const FlatRange *fr = address_space_lookup(cpu->as, paddr);
    bool ram = fr && (fr->mr->kind == MR_RAM || fr->mr->kind == MR_ROM) &&
               fr->start <= paddr && paddr + TLB_PAGE_SIZE <= fr->start + fr->size;
    uint64_t flags = ram ? 0 : TLB_MMIO, rwatch = 0, wwatch = 0;
    uint64_t align = mmu_idx == X86_MMU_USER_AC ? TLB_ALIGN : 0;
    if ((env->hflags & HF_DEBUG) && mmu_idx != X86_MMU_PHYS) {
        rwatch = x86_debug_check_data(env, page, TLB_PAGE_SIZE, false) ? TLB_WATCH : 0;
        wwatch = x86_debug_check_data(env, page, TLB_PAGE_SIZE, true) ? TLB_WATCH : 0;
    }
    e->addr_read = (prot & X86_PAGE_READ) ? page | flags | rwatch | align : TLB_EMPTY;
    e->addr_code = (prot & X86_PAGE_EXEC) ? page | flags : TLB_EMPTY;
    if (prot & X86_PAGE_WRITE) {
        uint64_t wflags = flags;
        if (ram && (fr->readonly || fr->mr->kind == MR_ROM || fr->mr->readonly))
            wflags |= TLB_MMIO;              /* ROM: the address space ignores the write */
        /* During translation (probe) the engine's lock is held: do not ask it about code
         * pages, just send writes to the slow path, which relaxes the entry if needed. */
        if (ram && (fr->mr->dirty_clients || probe || tcg_page_has_code(paddr)))
            wflags |= TLB_NOTDIRTY;
        e->addr_write = page | wflags | wwatch | align;
    } else {
        e->addr_write = TLB_EMPTY;
    }
    e->addend = ram ? (uintptr_t)(fr->mr->host + fr->offset + (paddr - fr->start)) - page : 0;
    if (ac)
        ac->tlb_paddr[mmu_idx][tlb_index(vaddr)] = paddr;
    return true;
}

static inline uint64_t tag_of(const X86TLBEntry *e, int access)
{
    return access == 0 ? e->addr_read : access == 1 ? e->addr_write : e->addr_code;
}

/* A miss in the main table: swap in a victim entry that has vaddr's page for `access`. */
static bool tlb_victim_hit(X86CPUState *env, uint64_t vaddr, int access, int mmu_idx)
{
    AccelCPU *ac = tcg_accel_cpu(env);
    uint64_t page = vaddr & TLB_PAGE_MASK;
    if (!ac)
        return false;
    for (int v = 0; v < TLB_VICTIMS; v++) {
        X86TLBEntry *ve = &ac->victim[mmu_idx][v];
        uint64_t tag = tag_of(ve, access);
        if (tag == TLB_EMPTY || (tag & TLB_PAGE_MASK) != page)
            continue;
        unsigned i = tlb_index(vaddr);
        X86TLBEntry old = env->tlb_table[mmu_idx][i];
        uint64_t old_paddr = ac->tlb_paddr[mmu_idx][i];
        env->tlb_table[mmu_idx][i] = *ve;
        ac->tlb_paddr[mmu_idx][i] = ac->victim_paddr[mmu_idx][v];
        *ve = old;
        ac->victim_paddr[mmu_idx][v] = old_paddr;
        return true;
    }
    return false;
}

/* Make sure the TLB has vaddr's page for `access`; returns the entry. */
static X86TLBEntry *tlb_entry_for(X86CPUState *env, uint64_t vaddr, int access, int mmu_idx,
                                  uintptr_t ra)
{
    X86TLBEntry *e = &env->tlb_table[mmu_idx][tlb_index(vaddr)];
    uint64_t tag = tag_of(e, access);
    if ((tag == TLB_EMPTY || (tag & TLB_PAGE_MASK) != (vaddr & TLB_PAGE_MASK)) &&
        !tlb_victim_hit(env, vaddr, access, mmu_idx))
        tlb_fill(env, vaddr, access, mmu_idx, ra, false);
    return e;
}

void cpu_restore_state(X86CPUState *env, uintptr_t retaddr)
{
    uint64_t words[TCG_INSN_START_WORDS];
    if (!retaddr)
        return;
    TranslationBlock *tb = tcg_restore_state(retaddr, words);
    if (!tb)
        return;
    env->rip = words[0];
    if ((uint32_t)words[1] != X86_CC_OP_DYNAMIC)
        env->cc_op = (uint32_t)words[1];
}

void cpu_loop_exit_restore(X86CPUState *env, uintptr_t retaddr)
{
    cpu_restore_state(env, retaddr);
    cpu_loop_exit(env);
}

void cpu_loop_exit(X86CPUState *env)
{
    AccelCPU *ac = tcg_accel_cpu(env);
    siglongjmp(ac->jmp_env, 1);
}

/* A write to a page holding translated code: drop the blocks there. If the block that is
 * running is among them and has more instructions after this one, re-execute this instruction
 * alone (its store has not happened yet), so the rest runs freshly translated. */
static void notdirty_write(X86CPUState *env, X86TLBEntry *e, int mmu_idx, uint64_t vaddr,
                           unsigned size, uintptr_t ra)
{
    AccelCPU *ac = tcg_accel_cpu(env);
    uint64_t paddr = ac->tlb_paddr[mmu_idx][tlb_index(vaddr)] | (vaddr & ~TLB_PAGE_MASK);
    X86CPU *cpu = container_of(env, X86CPU, env);
    const FlatRange *fr = address_space_lookup(cpu->as, paddr);

    if (fr && fr->mr->dirty_clients)
        memory_region_set_dirty(fr->mr, fr->offset + (paddr - fr->start), size);
    if (!tcg_page_has_code(paddr)) {
        if (!(fr && fr->mr->dirty_clients))
            e->addr_write &= ~TLB_NOTDIRTY;
        return;
    }
    if (ra) {
        uint64_t words[TCG_INSN_START_WORDS];
        TranslationBlock *tb = tcg_restore_state(ra, words);
        if (tb && tb->icount > 1) {
            bool hit = (paddr < tb->phys_pc + tb->size && paddr + size > tb->phys_pc) ||
                       (tb->page2_phys != ~0ull && (paddr & TLB_PAGE_MASK) == tb->page2_phys);
            if (hit) {
                tcg_tb_invalidate_phys_range(paddr, paddr + size);
                ac->next_cflags = 1 | CF_NO_CHAIN;
                env->rip = words[0];
                if ((uint32_t)words[1] != X86_CC_OP_DYNAMIC)
                    env->cc_op = (uint32_t)words[1];
                cpu_loop_exit(env);
            }
        }
    }
    tcg_tb_invalidate_phys_range(paddr, paddr + size);
    if (!tcg_page_has_code(paddr) && !(fr && fr->mr->dirty_clients))
        e->addr_write &= ~TLB_NOTDIRTY;
}

static uint64_t access_page(X86CPUState *env, uint64_t vaddr, unsigned size, bool is_write,
                            uint64_t val, int mmu_idx, uintptr_t ra)
{
    X86TLBEntry *e = tlb_entry_for(env, vaddr, is_write ? 1 : 0, mmu_idx, ra);
    uint64_t tag = is_write ? e->addr_write : e->addr_read;
    AccelCPU *ac = tcg_accel_cpu(env);

    if (tag & TLB_MMIO) {
        X86CPU *cpu = container_of(env, X86CPU, env);
        uint64_t paddr = ac->tlb_paddr[mmu_idx][tlb_index(vaddr)] | (vaddr & ~TLB_PAGE_MASK);
        MemTxResult res;
        if (is_write) {
            address_space_st(cpu->as, paddr, val, size);
            return 0;
        }
        return address_space_ld(cpu->as, paddr, size, &res);
    }
    if (tag & TLB_WATCH)
        ac->watch_hits |= x86_debug_check_data(env, vaddr, size, is_write);
    if (is_write && (tag & TLB_NOTDIRTY))
        notdirty_write(env, e, mmu_idx, vaddr, size, ra);
    void *host = (void *)(uintptr_t)(vaddr + e->addend);
    if (is_write) {
        switch (size) {
        case 1: *(uint8_t *)host = val; break;
        case 2: memcpy(host, &(uint16_t){ val }, 2); break;
        case 4: memcpy(host, &(uint32_t){ val }, 4); break;
        default: memcpy(host, &val, 8); break;
        }
        return 0;
    }
    switch (size) {
    case 1: return *(uint8_t *)host;
    case 2: { uint16_t v; memcpy(&v, host, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, host, 4); return v; }
    default: { uint64_t v; memcpy(&v, host, 8); return v; }
    }
}

/* SDM 3A 6.15 (#AC): with alignment checking on, a CPL-3 access of 2, 4 or 8 bytes must sit on
 * its own size (the TLB sends every access of X86_MMU_USER_AC here). */
static void check_alignment(X86CPUState *env, uint64_t vaddr, unsigned size, int mmu_idx, uintptr_t ra)
{
    if (mmu_idx == X86_MMU_USER_AC && (vaddr & (size - 1)))
        x86_tr_raise(env, EXCP_AC, 0, true, ra);
}

uint64_t tlb_ld(X86CPUState *env, uint64_t vaddr, unsigned size, int mmu_idx, uintptr_t ra)
{
    check_alignment(env, vaddr, size, mmu_idx, ra);
    if (((vaddr & ~TLB_PAGE_MASK) + size) <= TLB_PAGE_SIZE)
        return access_page(env, vaddr, size, false, 0, mmu_idx, ra);
    /* Crosses a page: byte by byte, little-endian. */
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= access_page(env, vaddr + i, 1, false, 0, mmu_idx, ra) << (8 * i);
    return v;
}

void tlb_st(X86CPUState *env, uint64_t vaddr, uint64_t val, unsigned size, int mmu_idx, uintptr_t ra)
{
    check_alignment(env, vaddr, size, mmu_idx, ra);
    if (((vaddr & ~TLB_PAGE_MASK) + size) <= TLB_PAGE_SIZE) {
        access_page(env, vaddr, size, true, val, mmu_idx, ra);
        return;
    }
    /* Both pages must be writable before any byte changes (no partial stores on a fault). */
    tlb_entry_for(env, vaddr, 1, mmu_idx, ra);
    tlb_entry_for(env, vaddr + size - 1, 1, mmu_idx, ra);
    for (unsigned i = 0; i < size; i++)
        access_page(env, vaddr + i, 1, true, (val >> (8 * i)) & 0xff, mmu_idx, ra);
}

uint8_t cpu_ldub_mmu(X86CPUState *env, uint64_t a, int m, uintptr_t ra) { return tlb_ld(env, a, 1, m, ra); }
uint16_t cpu_lduw_mmu(X86CPUState *env, uint64_t a, int m, uintptr_t ra) { return tlb_ld(env, a, 2, m, ra); }
uint32_t cpu_ldl_mmu(X86CPUState *env, uint64_t a, int m, uintptr_t ra) { return tlb_ld(env, a, 4, m, ra); }
uint64_t cpu_ldq_mmu(X86CPUState *env, uint64_t a, int m, uintptr_t ra) { return tlb_ld(env, a, 8, m, ra); }
void cpu_stb_mmu(X86CPUState *env, uint64_t a, uint64_t v, int m, uintptr_t ra) { tlb_st(env, a, v, 1, m, ra); }
void cpu_stw_mmu(X86CPUState *env, uint64_t a, uint64_t v, int m, uintptr_t ra) { tlb_st(env, a, v, 2, m, ra); }
void cpu_stl_mmu(X86CPUState *env, uint64_t a, uint64_t v, int m, uintptr_t ra) { tlb_st(env, a, v, 4, m, ra); }
void cpu_stq_mmu(X86CPUState *env, uint64_t a, uint64_t v, int m, uintptr_t ra) { tlb_st(env, a, v, 8, m, ra); }

/* The engine's slow paths (tcg/tcg.h): oi carries the size and the MMU index. */
static uint64_t slow_load(void *env, uint64_t addr, uint32_t oi, uintptr_t ra)
{
    return tlb_ld(env, addr, 1u << (TCG_OI_MEMOP(oi) & MO_SIZE), TCG_OI_MMU(oi), ra);
}

static void slow_store(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t ra)
{
    tlb_st(env, addr, val, 1u << (TCG_OI_MEMOP(oi) & MO_SIZE), TCG_OI_MMU(oi), ra);
}

const TCGSoftTLB x86_soft_tlb = {
    .tlb_offset = offsetof(X86CPUState, tlb_table),
    .nb_mmu_idx = X86_NB_MMU_MODES,
    .index_bits = X86_TLB_BITS,
    .entry_bits = 5,
    .page_bits = TLB_PAGE_BITS,
    .addr_read_ofs = offsetof(X86TLBEntry, addr_read),
    .addr_write_ofs = offsetof(X86TLBEntry, addr_write),
    .addr_code_ofs = offsetof(X86TLBEntry, addr_code),
    .addend_ofs = offsetof(X86TLBEntry, addend),
    .load_slow = slow_load,
    .store_slow = slow_store,
};
_Static_assert(sizeof(X86TLBEntry) == 32, "entry_bits is 5");

uint64_t tlb_get_code_page(X86CPUState *env, uint64_t vaddr)
{
    int mmu_idx = x86_tr_mmu_index(env);
    X86TLBEntry *e = tlb_entry_for(env, vaddr, 2, mmu_idx, 0);
    AccelCPU *ac = tcg_accel_cpu(env);
    if (e->addr_code & TLB_MMIO) {
        /* Executing from MMIO: the block is translated from whatever the device returns. */
        qlog(LOG_GUEST_ERRORS, "tcg: executing from non-RAM at %#" PRIx64 "\n", vaddr);
    }
    return ac->tlb_paddr[mmu_idx][tlb_index(vaddr)];
}

bool x86_tr_fetch_code(X86CPUState *env, uint64_t vaddr, uint8_t *byte, uint64_t *phys)
{
    int mmu_idx = x86_tr_mmu_index(env);
    X86TLBEntry *e = &env->tlb_table[mmu_idx][tlb_index(vaddr)];
    AccelCPU *ac = tcg_accel_cpu(env);
    if ((e->addr_code == TLB_EMPTY || (e->addr_code & TLB_PAGE_MASK) != (vaddr & TLB_PAGE_MASK)) &&
        !tlb_victim_hit(env, vaddr, 2, mmu_idx)) {
        if (!tlb_fill(env, vaddr, 2, mmu_idx, 0, true))
            return false;
        if (e->addr_code == TLB_EMPTY)
            return false;
    }
    uint64_t paddr = ac->tlb_paddr[mmu_idx][tlb_index(vaddr)] | (vaddr & ~TLB_PAGE_MASK);
    if (phys)
        *phys = paddr;
    if (e->addr_code & TLB_MMIO) {
        MemTxResult res;
        *byte = address_space_ld(container_of(env, X86CPU, env)->as, paddr, 1, &res);
    } else {
        *byte = *(uint8_t *)(uintptr_t)(vaddr + e->addend);
    }
    return true;
}

void tlb_protect_code(uint64_t phys_page)
{
    phys_page &= TLB_PAGE_MASK;
    for (AccelCPU *ac = all_tlb_cpus; ac; ac = ac->next) {
        X86CPUState *env = &ac->cpu->env;
        for (int m = 0; m < X86_NB_MMU_MODES; m++) {
            for (unsigned i = 0; i < TLB_SIZE; i++) {
                X86TLBEntry *e = &env->tlb_table[m][i];
                if (e->addr_write != TLB_EMPTY && ac->tlb_paddr[m][i] == phys_page)
                    e->addr_write |= TLB_NOTDIRTY;
            }
            for (int v = 0; v < TLB_VICTIMS; v++) {
                X86TLBEntry *e = &ac->victim[m][v];
                if (e->addr_write != TLB_EMPTY && ac->victim_paddr[m][v] == phys_page)
                    e->addr_write |= TLB_NOTDIRTY;
            }
        }
    }
}

/* DMA or the loader wrote RAM: drop translated code there (addresses are ram_addr; find where
 * the block is mapped in each CPU's address space). */
static void ram_write_notify(void *opaque, uint64_t ram_addr, uint64_t len)
{
    uint64_t off;
    MemoryRegion *mr = memory_ram_block(ram_addr, &off);
    if (!mr)
        return;
    for (AccelCPU *ac = all_tlb_cpus; ac; ac = ac->next) {
        FlatView *v = ac->cpu->as->view;
        for (int i = 0; v && i < v->nr; i++) {
            const FlatRange *fr = &v->ranges[i];
            if (fr->mr != mr || off + len <= fr->offset || off >= fr->offset + fr->size)
                continue;
            uint64_t s = MAX(off, fr->offset), e = MIN(off + len, fr->offset + fr->size);
            tcg_tb_invalidate_phys_range(fr->start + (s - fr->offset), fr->start + (e - fr->offset));
        }
    }
}

static void tlb_map_changed(MemoryListener *l, AddressSpace *as, const FlatView *old,
                            const FlatView *view)
{
    for (AccelCPU *ac = all_tlb_cpus; ac; ac = ac->next) {
        if (ac->cpu->as == as)
            tlb_flush(&ac->cpu->env);
    }
}

static MemoryListener tlb_listener = { .commit = tlb_map_changed };

static const X86MemOps tcg_mem_ops = {
    .ld = tlb_ld,
    .st = tlb_st,
    .tlb_flush = tlb_flush,
    .tlb_flush_page = tlb_flush_page,
    .loop_exit = cpu_loop_exit_restore,
    .mmu_index = x86_mmu_index,
    .mmu_index_kernel = x86_mmu_index_kernel,
};

void tcg_cputlb_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    memory_add_ram_write_notifier(ram_write_notify, NULL);
    x86_set_mem_ops(&tcg_mem_ops);
}

void tcg_cputlb_register_cpu(AccelCPU *ac)
{
    bool listen = true;
    for (AccelCPU *o = all_tlb_cpus; o; o = o->next)
        if (o->cpu->as == ac->cpu->as)
            listen = false;
    ac->next = all_tlb_cpus;
    all_tlb_cpus = ac;
    tlb_clear(&ac->cpu->env);
    if (listen)
        address_space_add_listener(ac->cpu->as, &tlb_listener);
}
