/* memory.h: memory regions, address spaces and their flattened views; DMA; port I/O.
 *
 * An address space is a tree of regions: RAM and ROM (backed by host memory), MMIO (read/write
 * callbacks), aliases (a window onto another region) and containers (which hold subregions,
 * the higher priority winning where they overlap; at equal priority the later one added wins).
 * Whenever the tree changes it is flattened into a sorted list of non-overlapping ranges that
 * are handed to listeners (the TCG TLB flushes, KVM updates its memory slots).
 *
 *     MemoryRegion ram, rom, uart;
 *     memory_region_init_ram(&ram, "pc.ram", 128 * MiB);
 *     memory_region_add_subregion(sysmem, 0, &ram);
 *     memory_region_init_io(&uart, "serial", &serial_ops, s, 8);
 *     memory_region_add_subregion(sysio, 0x3f8, &uart);
 *
 * Port I/O is a second address space of 64 KiB with the same region types.
 * Every I/O callback has the shape (opaque, offset, size).
 */
#ifndef HW_CORE_MEMORY_H
#define HW_CORE_MEMORY_H

#include "util/osdep.h"

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_DECODE_ERROR = 1,      /* nothing is mapped there */
    MEMTX_ACCESS_ERROR = 2,      /* mapped, but not this kind of access (DMA into MMIO/ROM) */
} MemTxResult;

typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    /* Access sizes the callbacks handle (default 1..4). Wider accesses are split, narrower
     * ones are widened (reads: the part is extracted; writes: read-modify-write). */
    unsigned min_size, max_size;
} MemoryRegionOps;

typedef enum MemoryRegionKind {
    MR_CONTAINER, MR_RAM, MR_ROM, MR_IO, MR_ALIAS,
} MemoryRegionKind;

/* Dirty-page clients. */
enum { DIRTY_VGA = 1u << 0, DIRTY_CODE = 1u << 1, DIRTY_MIGRATION = 1u << 2 };

typedef struct MemoryRegion MemoryRegion;
struct MemoryRegion {
    const char *name;
    MemoryRegionKind kind;
    uint64_t size;
    /* RAM and ROM */
    uint8_t *host;
    uint64_t ram_addr;           /* offset in the global RAM-block space (unique per block) */
    bool readonly;               /* RAM made read-only (PAM); ROM always is */
    uint8_t *dirty;              /* one byte per page of DIRTY_* bits, when logging */
    unsigned dirty_clients;
    /* MMIO */
    const MemoryRegionOps *ops;
    void *opaque;
    /* alias */
    MemoryRegion *alias;
    uint64_t alias_offset;
    /* placement */
    MemoryRegion *parent;
    uint64_t addr;
    int priority;
    bool enabled;
    unsigned seq;                /* insertion order, for priority ties */
    MemoryRegion **subs;
    int nsubs, subs_cap;
};

/* One range of a flattened view: [start, start + size) maps to `mr` (RAM, ROM or IO) at
 * `offset` within it. */
typedef struct FlatRange {
    uint64_t start, size;
    MemoryRegion *mr;
    uint64_t offset;
    bool readonly;
} FlatRange;

typedef struct FlatView {
    FlatRange *ranges;
    int nr;
} FlatView;

typedef struct AddressSpace AddressSpace;

typedef struct MemoryListener {
    /* Called after the view of `as` changed; `old` may be NULL on the first call. */
    void (*commit)(struct MemoryListener *l, AddressSpace *as, const FlatView *old,
                   const FlatView *view);
    /* Called before dirty bits of `mr` are read (KVM fetches its dirty log here). */
    void (*log_sync)(struct MemoryListener *l, MemoryRegion *mr);
    struct MemoryListener *next;
} MemoryListener;

struct AddressSpace {
    const char *name;
    MemoryRegion *root;
    FlatView *view;
    MemoryListener *listeners;
    AddressSpace *next;
    bool is_io;                  /* port I/O: log accesses under -d ioport */
};

void memory_region_init_container(MemoryRegion *mr, const char *name, uint64_t size);
/* RAM is allocated zeroed with mmap and never freed while the process runs. */
void memory_region_init_ram(MemoryRegion *mr, const char *name, uint64_t size);
void memory_region_init_rom(MemoryRegion *mr, const char *name, uint64_t size);
void memory_region_init_io(MemoryRegion *mr, const char *name, const MemoryRegionOps *ops,
                           void *opaque, uint64_t size);
void memory_region_init_alias(MemoryRegion *mr, const char *name, MemoryRegion *orig,
                              uint64_t offset, uint64_t size);

void memory_region_add_subregion(MemoryRegion *parent, uint64_t addr, MemoryRegion *sub);
void memory_region_add_subregion_overlap(MemoryRegion *parent, uint64_t addr,
                                         MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, uint64_t addr);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset);

/* Batch several changes into one re-flattening. Nests. */
void memory_transaction_begin(void);
void memory_transaction_commit(void);

/* Dirty logging of RAM (VGA refresh, code invalidation, snapshots). */
void memory_region_enable_dirty_log(MemoryRegion *mr, unsigned client);
void memory_region_set_dirty(MemoryRegion *mr, uint64_t offset, uint64_t len);
/* True if any page of [offset, offset+len) is dirty for `client`; clears those bits. */
bool memory_region_test_and_clear_dirty(MemoryRegion *mr, uint64_t offset, uint64_t len,
                                        unsigned client);

/* Something wrote guest RAM behind the CPU's back (DMA, the loader, KVM dirty log): tell
 * the subscribers (the translator invalidates code there). Addresses are ram_addr. */
typedef void RamWriteNotifier(void *opaque, uint64_t ram_addr, uint64_t len);
void memory_add_ram_write_notifier(RamWriteNotifier *fn, void *opaque);
void memory_notify_ram_write(MemoryRegion *mr, uint64_t offset, uint64_t len);
/* The RAM block holding ram_addr, and the offset in it; NULL if none. */
MemoryRegion *memory_ram_block(uint64_t ram_addr, uint64_t *offset);

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);
void address_space_add_listener(AddressSpace *as, MemoryListener *l);
void address_space_remove_listener(AddressSpace *as, MemoryListener *l);
/* The range containing addr, or NULL if nothing is mapped there. */
const FlatRange *address_space_lookup(AddressSpace *as, uint64_t addr);

/* CPU-style access: MMIO dispatches to devices, unassigned reads give all ones. */
MemTxResult address_space_rw(AddressSpace *as, uint64_t addr, void *buf, uint64_t len,
                             bool is_write);
static inline MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len)
{
    return address_space_rw(as, addr, buf, len, false);
}
static inline MemTxResult address_space_write(AddressSpace *as, uint64_t addr, const void *buf,
                                              uint64_t len)
{
    return address_space_rw(as, addr, (void *)buf, len, true);
}
/* One little-endian access of 1, 2, 4 or 8 bytes (port I/O: 1, 2, 4). */
uint64_t address_space_ld(AddressSpace *as, uint64_t addr, unsigned size, MemTxResult *res);
MemTxResult address_space_st(AddressSpace *as, uint64_t addr, uint64_t value, unsigned size);
/* Write to ROM as well as RAM (firmware and kernel loading). */
MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len);

/* DMA: bounds-checked, RAM only. If any byte of the range is not RAM (or is ROM/read-only
 * for a write) nothing is transferred and the result says why; the device reports an error
 * to the guest. */
MemTxResult dma_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len);
MemTxResult dma_write(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len);
/* Host pointer to [addr, addr+len) if it is contiguous RAM, else NULL. */
void *dma_map(AddressSpace *as, uint64_t addr, uint64_t len, bool is_write);

/* Print the region tree and the flat view (monitor `info mtree`). */
void memory_dump_tree(AddressSpace *as, FILE *f);

#endif
