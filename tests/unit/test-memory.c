/* test-memory.c: region flattening, priorities, aliases, MMIO dispatch, DMA bounds. */
#include <criterion/criterion.h>
#include "hw/core/memory.h"

typedef struct Dev {
    uint64_t last_off, last_val;
    unsigned last_size, reads, writes;
} Dev;

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
    Dev *d = opaque;
    d->reads++;
    d->last_off = off;
    d->last_size = size;
    return 0x1122334455667788ULL >> (8 * (off & 7));
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Dev *d = opaque;
    d->writes++;
    d->last_off = off;
    d->last_val = val;
    d->last_size = size;
}

static const MemoryRegionOps dev_ops = { .read = dev_read, .write = dev_write, .min_size = 1, .max_size = 4 };

Test(memory, ram_and_unassigned)
{
    MemoryRegion root, ram;
    AddressSpace as;
    memory_region_init_container(&root, "root", UINT64_MAX);
    memory_region_init_ram(&ram, "ram", 64 * KiB);
    memory_region_add_subregion(&root, 0x10000, &ram);
    address_space_init(&as, &root, "test");
    cr_assert_eq(as.view->nr, 1);
    cr_assert_eq(address_space_st(&as, 0x10004, 0xdeadbeef, 4), MEMTX_OK);
    cr_assert_eq(*(uint32_t *)(ram.host + 4), 0xdeadbeef);
    MemTxResult r;
    cr_assert_eq(address_space_ld(&as, 0x10004, 2, &r), 0xbeef);
    cr_assert_eq(address_space_ld(&as, 0x5000, 4, &r), 0xffffffff, "unassigned reads all ones");
    cr_assert_eq(r, MEMTX_DECODE_ERROR);
    uint8_t buf[8];
    /* Straddles the end of RAM: the tail reads as 0xff. */
    *(uint32_t *)(ram.host + 0xfffc) = 0x04030201;
    address_space_read(&as, 0x1fffc, buf, 8);
    cr_assert_eq(buf[0], 1);
    cr_assert_eq(buf[3], 4);
    cr_assert_eq(buf[4], 0xff);
}

Test(memory, priority_and_overlap)
{
    MemoryRegion root, ram, io, hi;
    AddressSpace as;
    Dev d = { 0 };
    memory_region_init_container(&root, "root", 1ULL << 32);
    memory_region_init_ram(&ram, "ram", 1 * MiB);
    memory_region_init_io(&io, "io", &dev_ops, &d, 0x1000);
    memory_region_init_ram(&hi, "hi", 0x1000);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion_overlap(&root, 0xa0000, &io, 1);
    address_space_init(&as, &root, "test");
    cr_assert_eq(as.view->nr, 3, "ram / io / ram");
    const FlatRange *r = address_space_lookup(&as, 0xa0010);
    cr_assert_eq(r->mr, &io);
    cr_assert_eq(r->offset, 0);
    r = address_space_lookup(&as, 0xa1000);
    cr_assert_eq(r->mr, &ram);
    cr_assert_eq(r->offset, 0xa1000);
    /* Disabling the overlay uncovers RAM again and merges the view. */
    memory_region_set_enabled(&io, false);
    cr_assert_eq(as.view->nr, 1);
    memory_region_set_enabled(&io, true);
    /* A lower-priority region under the IO window is hidden where they overlap. */
    memory_region_add_subregion_overlap(&root, 0xa0800, &hi, -1);
    cr_assert_eq(address_space_lookup(&as, 0xa0800)->mr, &io);
}

Test(memory, alias_window)
{
    MemoryRegion root, rom, alias;
    AddressSpace as;
    memory_region_init_container(&root, "root", 1ULL << 32);
    memory_region_init_rom(&rom, "bios", 128 * KiB);
    rom.host[0x1fff0] = 0xea;
    memory_region_init_alias(&alias, "bios-low", &rom, 0x10000, 64 * KiB);
    memory_region_add_subregion(&root, 0xfffe0000, &rom);
    memory_region_add_subregion(&root, 0xf0000, &alias);
    address_space_init(&as, &root, "test");
    cr_assert_eq(address_space_ld(&as, 0xffff0, 1, NULL), 0xea);
    cr_assert_eq(address_space_ld(&as, 0xfffffff0, 1, NULL), 0xea);
    const FlatRange *r = address_space_lookup(&as, 0xf0000);
    cr_assert_eq(r->mr, &rom);
    cr_assert_eq(r->offset, 0x10000);
    cr_assert(r->readonly);
    /* Writes to ROM are ignored by the CPU path, allowed by the loader path. */
    address_space_st(&as, 0xffff0, 0x90, 1);
    cr_assert_eq(rom.host[0x1fff0], 0xea);
    uint8_t v = 0x90;
    address_space_write_rom(&as, 0xffff0, &v, 1);
    cr_assert_eq(rom.host[0x1fff0], 0x90);
}

Test(memory, mmio_access_splitting)
{
    MemoryRegion root, io;
    AddressSpace as;
    Dev d = { 0 };
    memory_region_init_container(&root, "root", 0x10000);
    memory_region_init_io(&io, "dev", &dev_ops, &d, 0x100);
    memory_region_add_subregion(&root, 0x100, &io);
    address_space_init(&as, &root, "io");
    /* 8-byte access to a device that takes at most 4: two 4-byte accesses. */
    address_space_st(&as, 0x100, 0xaaaabbbbccccddddULL, 8);
    cr_assert_eq(d.writes, 2);
    cr_assert_eq(d.last_off, 4);
    cr_assert_eq(d.last_val, 0xaaaabbbb);
    uint64_t v = address_space_ld(&as, 0x101, 1, NULL);
    cr_assert_eq(v, 0x77);
    cr_assert_eq(d.last_size, 1);
}

static const MemoryRegionOps wide_ops = { .read = dev_read, .write = dev_write, .min_size = 4, .max_size = 4 };

Test(memory, narrow_access_widened)
{
    MemoryRegion root, io;
    AddressSpace as;
    Dev d = { 0 };
    memory_region_init_container(&root, "root", 0x10000);
    memory_region_init_io(&io, "dev32", &wide_ops, &d, 0x100);
    memory_region_add_subregion(&root, 0, &io);
    address_space_init(&as, &root, "io");
    cr_assert_eq(address_space_ld(&as, 0x2, 1, NULL), 0x66);
    cr_assert_eq(d.last_off, 0);
    cr_assert_eq(d.last_size, 4);
    address_space_st(&as, 0x1, 0xab, 1);
    cr_assert_eq(d.last_size, 4);
    cr_assert_eq(d.last_val, 0x5566ab88ULL);
}

typedef struct Counter {
    int commits;
    int last_nr;
} Counter;

static void count_commit(MemoryListener *l, AddressSpace *as, const FlatView *old, const FlatView *v)
{
    (void)l; (void)as; (void)old;
    extern Counter listener_counter;
    listener_counter.commits++;
    listener_counter.last_nr = v->nr;
}
Counter listener_counter;

Test(memory, transactions_batch_listener_updates)
{
    MemoryRegion root, a, b;
    AddressSpace as;
    MemoryListener l = { .commit = count_commit };
    memory_region_init_container(&root, "root", 1ULL << 32);
    memory_region_init_ram(&a, "a", 0x1000);
    memory_region_init_ram(&b, "b", 0x1000);
    address_space_init(&as, &root, "test");
    address_space_add_listener(&as, &l);
    int before = listener_counter.commits;
    memory_transaction_begin();
    memory_region_add_subregion(&root, 0x1000, &a);
    memory_region_add_subregion(&root, 0x3000, &b);
    memory_transaction_commit();
    cr_assert_eq(listener_counter.commits, before + 1);
    cr_assert_eq(listener_counter.last_nr, 2);
    address_space_remove_listener(&as, &l);
}

Test(memory, dma_bounds)
{
    MemoryRegion root, ram, io, rom;
    AddressSpace as;
    Dev d = { 0 };
    memory_region_init_container(&root, "root", 1ULL << 32);
    memory_region_init_ram(&ram, "ram", 0x10000);
    memory_region_init_io(&io, "dev", &dev_ops, &d, 0x1000);
    memory_region_init_rom(&rom, "rom", 0x1000);
    memory_region_add_subregion(&root, 0, &ram);
    memory_region_add_subregion(&root, 0x10000, &io);
    memory_region_add_subregion(&root, 0x20000, &rom);
    address_space_init(&as, &root, "dma");
    uint8_t buf[32];
    memset(buf, 0x5a, sizeof buf);
    cr_assert_eq(dma_write(&as, 0xfff0, buf, 16), MEMTX_OK);
    cr_assert_eq(ram.host[0xffff], 0x5a);
    cr_assert_neq(dma_write(&as, 0xfff0, buf, 32), MEMTX_OK, "runs into MMIO");
    cr_assert_eq(d.writes, 0, "nothing transferred on error");
    cr_assert_neq(dma_read(&as, 0x50000, buf, 4), MEMTX_OK, "unassigned");
    cr_assert_neq(dma_write(&as, 0x20000, buf, 4), MEMTX_OK, "ROM is not writable by DMA");
    cr_assert_eq(dma_read(&as, 0x20000, buf, 4), MEMTX_OK);
    cr_assert_neq(dma_read(&as, UINT64_MAX - 2, buf, 8), MEMTX_OK, "wraps around");
    cr_assert_null(dma_map(&as, 0xfff0, 32, false));
    cr_assert_eq(dma_map(&as, 0x100, 16, true), ram.host + 0x100);
}

Test(memory, dirty_log)
{
    MemoryRegion root, vram;
    AddressSpace as;
    memory_region_init_container(&root, "root", 1ULL << 32);
    memory_region_init_ram(&vram, "vram", 0x10000);
    memory_region_add_subregion(&root, 0xa0000, &vram);
    address_space_init(&as, &root, "test");
    memory_region_enable_dirty_log(&vram, DIRTY_VGA);
    cr_assert(memory_region_test_and_clear_dirty(&vram, 0, 0x10000, DIRTY_VGA));
    cr_assert_not(memory_region_test_and_clear_dirty(&vram, 0, 0x10000, DIRTY_VGA));
    address_space_st(&as, 0xa2004, 1, 1);
    cr_assert_not(memory_region_test_and_clear_dirty(&vram, 0, 0x2000, DIRTY_VGA));
    cr_assert(memory_region_test_and_clear_dirty(&vram, 0x2000, 0x1000, DIRTY_VGA));
}
