/* memory.c: region tree, flattening, dispatch of CPU and DMA accesses, dirty logging. */
#include "util/osdep.h"
#include "util/log.h"
#include "util/bql.h"
#include "hw/core/memory.h"
#include <sys/mman.h>

#define PAGE_BITS 12
#define PAGE_SIZE (1u << PAGE_BITS)

typedef unsigned __int128 u128;
typedef __int128 s128;

static AddressSpace *all_spaces;
static int transaction_depth;
static bool memory_changed;
static unsigned region_seq;

static MemoryRegion **ram_blocks;
static int nr_ram_blocks;
static uint64_t next_ram_addr;

typedef struct RamWriteSub {
    RamWriteNotifier *fn;
    void *opaque;
} RamWriteSub;
static RamWriteSub *ram_write_subs;
static int nr_ram_write_subs;

static void region_init(MemoryRegion *mr, const char *name, uint64_t size, MemoryRegionKind kind)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = name;
    mr->size = size;
    mr->kind = kind;
    mr->enabled = true;
}

void memory_region_init_container(MemoryRegion *mr, const char *name, uint64_t size)
{
    region_init(mr, name, size, MR_CONTAINER);
}

static void ram_alloc(MemoryRegion *mr)
{
    size_t len = ALIGN_UP(mr->size, PAGE_SIZE);
    void *p = mmap(NULL, len ? len : PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        fatal("cannot allocate %" PRIu64 " MiB for %s: %s", mr->size >> 20, mr->name, strerror(errno));
    mr->host = p;
    mr->ram_addr = next_ram_addr;
    next_ram_addr += ALIGN_UP(len ? len : PAGE_SIZE, 2 * MiB);
    ram_blocks = xrealloc(ram_blocks, (nr_ram_blocks + 1) * sizeof(*ram_blocks));
    ram_blocks[nr_ram_blocks++] = mr;
}

void memory_region_init_ram(MemoryRegion *mr, const char *name, uint64_t size)
{
    region_init(mr, name, size, MR_RAM);
    ram_alloc(mr);
}

void memory_region_init_rom(MemoryRegion *mr, const char *name, uint64_t size)
{
    region_init(mr, name, size, MR_ROM);
    ram_alloc(mr);
    mr->readonly = true;
}

void memory_region_init_io(MemoryRegion *mr, const char *name, const MemoryRegionOps *ops,
                           void *opaque, uint64_t size)
{
    region_init(mr, name, size, MR_IO);
    mr->ops = ops;
    mr->opaque = opaque;
}

void memory_region_init_alias(MemoryRegion *mr, const char *name, MemoryRegion *orig,
                              uint64_t offset, uint64_t size)
{
    region_init(mr, name, size, MR_ALIAS);
    mr->alias = orig;
    mr->alias_offset = offset;
}

static void mark_changed(void)
{
    memory_transaction_begin();
    memory_changed = true;
    memory_transaction_commit();
}

void memory_region_add_subregion_overlap(MemoryRegion *parent, uint64_t addr,
                                         MemoryRegion *sub, int priority)
{
    assert(parent->kind == MR_CONTAINER);
    assert(!sub->parent);
    if (parent->nsubs == parent->subs_cap) {
        parent->subs_cap = parent->subs_cap ? 2 * parent->subs_cap : 8;
        parent->subs = xrealloc(parent->subs, parent->subs_cap * sizeof(*parent->subs));
    }
    parent->subs[parent->nsubs++] = sub;
    sub->parent = parent;
    sub->addr = addr;
    sub->priority = priority;
    sub->seq = ++region_seq;
    mark_changed();
}

void memory_region_add_subregion(MemoryRegion *parent, uint64_t addr, MemoryRegion *sub)
{
    memory_region_add_subregion_overlap(parent, addr, sub, 0);
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub)
{
    for (int i = 0; i < parent->nsubs; i++) {
        if (parent->subs[i] == sub) {
            memmove(&parent->subs[i], &parent->subs[i + 1], (parent->nsubs - i - 1) * sizeof(sub));
            parent->nsubs--;
            sub->parent = NULL;
            mark_changed();
            return;
        }
    }
    assert(!"memory_region_del_subregion: not a subregion");
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        mark_changed();
    }
}

void memory_region_set_address(MemoryRegion *mr, uint64_t addr)
{
    if (mr->addr != addr) {
        mr->addr = addr;
        mark_changed();
    }
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        mark_changed();
    }
}

void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset)
{
    if (mr->alias_offset != offset) {
        mr->alias_offset = offset;
        mark_changed();
    }
}

/* ---- flattening ---- */

typedef struct FlatBuilder {
    FlatRange *r;
    int n, cap;
} FlatBuilder;

static void fb_push(FlatBuilder *fb, u128 lo, u128 hi, MemoryRegion *mr, s128 base, bool ro)
{
    if (fb->n == fb->cap) {
        fb->cap = fb->cap ? 2 * fb->cap : 16;
        fb->r = xrealloc(fb->r, fb->cap * sizeof(*fb->r));
    }
    fb->r[fb->n++] = (FlatRange){ .start = (uint64_t)lo, .size = (uint64_t)(hi - lo), .mr = mr,
                                  .offset = (uint64_t)((s128)lo - base), .readonly = ro };
}

static int cmp_range(const void *a, const void *b)
{
    const FlatRange *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Map [lo, hi) to mr where nothing is mapped yet; fb stays sorted. */
static void fb_fill_gaps(FlatBuilder *fb, u128 lo, u128 hi, MemoryRegion *mr, s128 base, bool ro)
{
    int n0 = fb->n;
    u128 cur = lo;
    for (int i = 0; i < n0 && cur < hi; i++) {
        u128 s = fb->r[i].start, e = s + fb->r[i].size;
        if (e <= cur)
            continue;
        if (s > cur)
            fb_push(fb, cur, MIN(s, hi), mr, base, ro);
        if (e > cur)
            cur = e;
    }
    if (cur < hi)
        fb_push(fb, cur, hi, mr, base, ro);
    if (fb->n != n0)
        qsort(fb->r, fb->n, sizeof(*fb->r), cmp_range);
}

static int cmp_sub(const void *a, const void *b)
{
    const MemoryRegion *x = *(MemoryRegion *const *)a, *y = *(MemoryRegion *const *)b;
    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1;
    return x->seq > y->seq ? -1 : 1;    /* later wins at equal priority */
}

/* base: the address (in the address space) of offset 0 of mr; [clo, chi): the window. */
static void render(FlatBuilder *fb, MemoryRegion *mr, s128 base, u128 clo, u128 chi, bool ro)
{
    if (!mr->enabled)
        return;
    s128 mlo = base, mhi = base + (s128)(u128)mr->size;
    if (mr->kind == MR_ALIAS) {
        mlo = base + (s128)mr->alias_offset;
        mhi = mlo + (s128)(u128)mr->size;
    }
    u128 lo = MAX((u128)(mlo < 0 ? 0 : mlo), clo), hi = MIN((u128)(mhi < 0 ? 0 : mhi), chi);
    if (lo >= hi)
        return;
    switch (mr->kind) {
    case MR_ALIAS:
        /* offset 0 of the target sits alias_offset below the alias's own start */
        render(fb, mr->alias, base, lo, hi, ro || mr->readonly);
        break;
    case MR_CONTAINER: {
        MemoryRegion **subs = xmalloc((mr->nsubs + 1) * sizeof(*subs));
        if (mr->nsubs)
            memcpy(subs, mr->subs, mr->nsubs * sizeof(*subs));
        qsort(subs, mr->nsubs, sizeof(*subs), cmp_sub);
        for (int i = 0; i < mr->nsubs; i++) {
            MemoryRegion *s = subs[i];
            s128 sbase = base + (s128)s->addr;
            if (s->kind == MR_ALIAS)
                sbase -= (s128)s->alias_offset;
            render(fb, s, sbase, lo, hi, ro);
        }
        free(subs);
        break;
    }
    default:
        fb_fill_gaps(fb, lo, hi, mr, base, ro || mr->readonly || mr->kind == MR_ROM);
        break;
    }
}

static FlatView *flatten(AddressSpace *as)
{
    FlatBuilder fb = { 0 };
    MemoryRegion *root = as->root;
    s128 base = (s128)root->addr;
    render(&fb, root, base, 0, (u128)root->size, false);
    /* Merge neighbours that continue the same region (fewer KVM slots, shorter lookups). */
    int w = 0;
    for (int i = 0; i < fb.n; i++) {
        if (w > 0) {
            FlatRange *p = &fb.r[w - 1];
            if (p->mr == fb.r[i].mr && p->start + p->size == fb.r[i].start &&
                p->offset + p->size == fb.r[i].offset && p->readonly == fb.r[i].readonly) {
                p->size += fb.r[i].size;
                continue;
            }
        }
        fb.r[w++] = fb.r[i];
    }
    FlatView *v = xzalloc(sizeof(*v));
    v->ranges = fb.r;
    v->nr = w;
    return v;
}

static void flatview_free(FlatView *v)
{
    if (v) {
        free(v->ranges);
        free(v);
    }
}

static void address_space_update(AddressSpace *as)
{
    FlatView *old = as->view;
    as->view = flatten(as);
    for (MemoryListener *l = as->listeners; l; l = l->next)
        if (l->commit)
            l->commit(l, as, old, as->view);
    flatview_free(old);
}

void memory_transaction_begin(void)
{
    transaction_depth++;
}

void memory_transaction_commit(void)
{
    assert(transaction_depth > 0);
    if (--transaction_depth == 0 && memory_changed) {
        memory_changed = false;
        for (AddressSpace *as = all_spaces; as; as = as->next)
            address_space_update(as);
    }
}

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    memset(as, 0, sizeof(*as));
    as->name = name;
    as->root = root;
    as->next = all_spaces;
    all_spaces = as;
    as->view = flatten(as);
}

void address_space_add_listener(AddressSpace *as, MemoryListener *l)
{
    l->next = as->listeners;
    as->listeners = l;
    if (l->commit)
        l->commit(l, as, NULL, as->view);
}

void address_space_remove_listener(AddressSpace *as, MemoryListener *l)
{
    for (MemoryListener **p = &as->listeners; *p; p = &(*p)->next) {
        if (*p == l) {
            *p = l->next;
            return;
        }
    }
}

const FlatRange *address_space_lookup(AddressSpace *as, uint64_t addr)
{
    const FlatView *v = as->view;
    int lo = 0, hi = v->nr - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const FlatRange *r = &v->ranges[mid];
        if (addr < r->start)
            hi = mid - 1;
        else if (addr - r->start >= r->size)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

/* ---- dirty logging and write notification ---- */

void memory_region_enable_dirty_log(MemoryRegion *mr, unsigned client)
{
    assert(mr->kind == MR_RAM || mr->kind == MR_ROM);
    if (!mr->dirty)
        mr->dirty = xzalloc((mr->size + PAGE_SIZE - 1) >> PAGE_BITS);
    mr->dirty_clients |= client;
    /* Start with everything dirty: the client has seen nothing yet. */
    memory_region_set_dirty(mr, 0, mr->size);
}

void memory_region_set_dirty(MemoryRegion *mr, uint64_t offset, uint64_t len)
{
    if (!mr->dirty || !len)
        return;
    uint64_t last = MIN(offset + len - 1, mr->size - 1);
    for (uint64_t p = offset >> PAGE_BITS; p <= last >> PAGE_BITS; p++)
        mr->dirty[p] |= mr->dirty_clients;
}


bool memory_region_test_and_clear_dirty(MemoryRegion *mr, uint64_t offset, uint64_t len,
                                        unsigned client)
{
    if (!mr->dirty || !len)
        return false;
    for (AddressSpace *as = all_spaces; as; as = as->next)
        for (MemoryListener *l = as->listeners; l; l = l->next)
            if (l->log_sync)
                l->log_sync(l, mr);
    bool dirty = false;
    uint64_t last = MIN(offset + len - 1, mr->size - 1);
    for (uint64_t p = offset >> PAGE_BITS; p <= last >> PAGE_BITS; p++) {
        if (mr->dirty[p] & client) {
            dirty = true;
            mr->dirty[p] &= ~client;
        }
    }
    return dirty;
}

void memory_add_ram_write_notifier(RamWriteNotifier *fn, void *opaque)
{
    ram_write_subs = xrealloc(ram_write_subs, (nr_ram_write_subs + 1) * sizeof(*ram_write_subs));
    ram_write_subs[nr_ram_write_subs++] = (RamWriteSub){ fn, opaque };
}

void memory_notify_ram_write(MemoryRegion *mr, uint64_t offset, uint64_t len)
{
    memory_region_set_dirty(mr, offset, len);
    for (int i = 0; i < nr_ram_write_subs; i++)
        ram_write_subs[i].fn(ram_write_subs[i].opaque, mr->ram_addr + offset, len);
}

MemoryRegion *memory_ram_block(uint64_t ram_addr, uint64_t *offset)
{
    for (int i = 0; i < nr_ram_blocks; i++) {
        MemoryRegion *mr = ram_blocks[i];
        if (ram_addr >= mr->ram_addr && ram_addr - mr->ram_addr < mr->size) {
            *offset = ram_addr - mr->ram_addr;
            return mr;
        }
    }
    return NULL;
}

/* ---- dispatch ---- */

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static uint64_t io_read(MemoryRegion *mr, uint64_t off, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min = ops->min_size ? ops->min_size : 1, max = ops->max_size ? ops->max_size : 4;
    if (!ops->read)
        return size_mask(size);
    if (size > max) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i += max)
            v |= io_read(mr, off + i, max) << (8 * i);
        return v;
    }
    if (size < min) {
        uint64_t aligned = off & ~(uint64_t)(min - 1);
        uint64_t v = ops->read(mr->opaque, aligned, min);
        return (v >> (8 * (off - aligned))) & size_mask(size);
    }
    return ops->read(mr->opaque, off, size) & size_mask(size);
}

static void io_write(MemoryRegion *mr, uint64_t off, uint64_t val, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned min = ops->min_size ? ops->min_size : 1, max = ops->max_size ? ops->max_size : 4;
    if (!ops->write)
        return;
    if (size > max) {
        for (unsigned i = 0; i < size; i += max)
            io_write(mr, off + i, val >> (8 * i), max);
        return;
    }
    if (size < min) {
        uint64_t aligned = off & ~(uint64_t)(min - 1);
        unsigned sh = 8 * (off - aligned);
        uint64_t old = ops->read ? ops->read(mr->opaque, aligned, min) & size_mask(min) : 0;
        uint64_t v = (old & ~(size_mask(size) << sh)) | ((val & size_mask(size)) << sh);
        ops->write(mr->opaque, aligned, v, min);
        return;
    }
    ops->write(mr->opaque, off, val & size_mask(size), size);
}

static void log_io(AddressSpace *as, const char *dir, uint64_t addr, uint64_t val, unsigned size,
                   const char *name)
{
    if (as->is_io)
        qlog(LOG_IOPORT, "ioport: %s port 0x%04" PRIx64 " size %u value 0x%" PRIx64 " (%s)\n", dir,
             addr, size, val, name);
}

uint64_t address_space_ld(AddressSpace *as, uint64_t addr, unsigned size, MemTxResult *res)
{
    const FlatRange *r = address_space_lookup(as, addr);
    uint64_t v = 0;
    if (res)
        *res = MEMTX_OK;
    if (r && addr - r->start + size <= r->size) {
        uint64_t off = addr - r->start + r->offset;
        if (r->mr->kind == MR_IO) {
            v = io_read(r->mr, off, size);
            log_io(as, "read", addr, v, size, r->mr->name);
        } else {
            memcpy(&v, r->mr->host + off, size);
        }
        return v;
    }
    if (r) {
        /* Straddles a range boundary: byte by byte. */
        for (unsigned i = 0; i < size; i++)
            v |= address_space_ld(as, addr + i, 1, res) << (8 * i);
        return v;
    }
    qlog(LOG_GUEST_ERRORS, "%s: read of %u bytes at unassigned address 0x%" PRIx64 "\n", as->name,
         size, addr);
    log_io(as, "read", addr, size_mask(size), size, "unassigned");
    if (res)
        *res = MEMTX_DECODE_ERROR;
    return size_mask(size);
}

MemTxResult address_space_st(AddressSpace *as, uint64_t addr, uint64_t value, unsigned size)
{
    const FlatRange *r = address_space_lookup(as, addr);
    if (r && addr - r->start + size <= r->size) {
        uint64_t off = addr - r->start + r->offset;
        if (r->mr->kind == MR_IO) {
            log_io(as, "write", addr, value & size_mask(size), size, r->mr->name);
            io_write(r->mr, off, value, size);
        } else if (!r->readonly) {
            memcpy(r->mr->host + off, &value, size);
            memory_notify_ram_write(r->mr, off, size);
        }
        return MEMTX_OK;
    }
    if (r) {
        MemTxResult res = MEMTX_OK;
        for (unsigned i = 0; i < size; i++)
            res |= address_space_st(as, addr + i, value >> (8 * i), 1);
        return res;
    }
    qlog(LOG_GUEST_ERRORS, "%s: write of %u bytes at unassigned address 0x%" PRIx64 "\n",
         as->name, size, addr);
    log_io(as, "write", addr, value & size_mask(size), size, "unassigned");
    return MEMTX_DECODE_ERROR;
}

static MemTxResult rw_internal(AddressSpace *as, uint64_t addr, uint8_t *buf, uint64_t len,
                               bool is_write, bool write_rom)
{
    MemTxResult res = MEMTX_OK;
    while (len > 0) {
        const FlatRange *r = address_space_lookup(as, addr);
        if (!r) {
            /* Up to the next mapped range, or the end. */
            uint64_t n = len;
            for (int i = 0; i < as->view->nr; i++) {
                const FlatRange *x = &as->view->ranges[i];
                if (x->start > addr) {
                    n = MIN(n, x->start - addr);
                    break;
                }
            }
            if (!is_write)
                memset(buf, 0xff, n);
            qlog(LOG_GUEST_ERRORS, "%s: %s of %" PRIu64 " bytes at unassigned address 0x%" PRIx64 "\n",
                 as->name, is_write ? "write" : "read", n, addr);
            res |= MEMTX_DECODE_ERROR;
            addr += n, buf += n, len -= n;
            continue;
        }
        uint64_t off = addr - r->start + r->offset;
        uint64_t n = MIN(len, r->size - (addr - r->start));
        if (r->mr->kind == MR_IO) {
            unsigned sz = (n == 1 || n == 2 || n == 4 || n == 8) ? (unsigned)n : 1;
            n = sz;
            if (is_write) {
                uint64_t v = 0;
                memcpy(&v, buf, sz);
                address_space_st(as, addr, v, sz);
            } else {
                uint64_t v = address_space_ld(as, addr, sz, NULL);
                memcpy(buf, &v, sz);
            }
        } else if (is_write) {
            if (!r->readonly || write_rom) {
                memcpy(r->mr->host + off, buf, n);
                memory_notify_ram_write(r->mr, off, n);
            }
        } else {
            memcpy(buf, r->mr->host + off, n);
        }
        addr += n, buf += n, len -= n;
    }
    return res;
}

MemTxResult address_space_rw(AddressSpace *as, uint64_t addr, void *buf, uint64_t len, bool is_write)
{
    return rw_internal(as, addr, buf, len, is_write, false);
}

MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len)
{
    return rw_internal(as, addr, (void *)buf, len, true, true);
}

/* Check that [addr, addr+len) is RAM (writable RAM for a write). */
static MemTxResult dma_check(AddressSpace *as, uint64_t addr, uint64_t len, bool is_write)
{
    if (len && addr + len - 1 < addr)
        return MEMTX_DECODE_ERROR;
    while (len > 0) {
        const FlatRange *r = address_space_lookup(as, addr);
        if (!r)
            return MEMTX_DECODE_ERROR;
        if (r->mr->kind == MR_IO || (is_write && r->readonly))
            return MEMTX_ACCESS_ERROR;
        uint64_t n = MIN(len, r->size - (addr - r->start));
        addr += n, len -= n;
    }
    return MEMTX_OK;
}

static MemTxResult dma_rw(AddressSpace *as, uint64_t addr, void *buf, uint64_t len, bool is_write)
{
    MemTxResult res = dma_check(as, addr, len, is_write);
    if (res != MEMTX_OK) {
        qlog(LOG_GUEST_ERRORS, "%s: DMA %s of %" PRIu64 " bytes at 0x%" PRIx64 " outside RAM\n",
             as->name, is_write ? "write" : "read", len, addr);
        return res;
    }
    return rw_internal(as, addr, buf, len, is_write, false);
}

MemTxResult dma_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len)
{
    return dma_rw(as, addr, buf, len, false);
}

MemTxResult dma_write(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len)
{
    return dma_rw(as, addr, (void *)buf, len, true);
}

void *dma_map(AddressSpace *as, uint64_t addr, uint64_t len, bool is_write)
{
    const FlatRange *r = address_space_lookup(as, addr);
    if (!r || r->mr->kind == MR_IO || (is_write && r->readonly) || !len ||
        addr - r->start + len > r->size)
        return NULL;
    uint64_t off = addr - r->start + r->offset;
    if (is_write)
        memory_notify_ram_write(r->mr, off, len);
    return r->mr->host + off;
}

/* ---- info mtree ---- */

static const char *kind_name(MemoryRegionKind k)
{
    static const char *const names[] = { "container", "ram", "rom", "i/o", "alias" };
    return names[k];
}

static void dump_region(FILE *f, const MemoryRegion *mr, uint64_t base, int depth)
{
    uint64_t start = base + mr->addr;
    fprintf(f, "%*s%016" PRIx64 "-%016" PRIx64 " (prio %d, %s%s): %s", depth * 2, "", start,
            start + mr->size - 1, mr->priority, kind_name(mr->kind),
            mr->readonly && mr->kind == MR_RAM ? ", readonly" : "", mr->name);
    if (!mr->enabled)
        fprintf(f, " [disabled]");
    if (mr->kind == MR_ALIAS)
        fprintf(f, " -> %s @%016" PRIx64, mr->alias->name, mr->alias_offset);
    fputc('\n', f);
    for (int i = 0; i < mr->nsubs; i++)
        dump_region(f, mr->subs[i], start, depth + 1);
}

void memory_dump_tree(AddressSpace *as, FILE *f)
{
    fprintf(f, "address-space: %s\n", as->name);
    dump_region(f, as->root, 0, 1);
    fprintf(f, "flat view:\n");
    for (int i = 0; i < as->view->nr; i++) {
        const FlatRange *r = &as->view->ranges[i];
        fprintf(f, "  %016" PRIx64 "-%016" PRIx64 " %-9s %s @%" PRIx64 "%s\n", r->start,
                r->start + r->size - 1, kind_name(r->mr->kind), r->mr->name, r->offset,
                r->readonly ? " ro" : "");
    }
}
