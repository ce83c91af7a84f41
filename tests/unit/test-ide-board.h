/* test-ide-board.h: a tiny board for device unit tests (64 KiB of ports, 1 MiB of RAM, ISA
 * IRQ lines that record their level) and a disk in host memory. Shared by the storage and
 * display tests; each test runs in its own process, so the globals are per test. */
#ifndef TEST_IDE_BOARD_H
#define TEST_IDE_BOARD_H

#include <criterion/criterion.h>
#include "hw/core/board.h"
#include "hw/core/blockdev.h"

/* ---- a tiny board: 64 KiB of ports, 1 MiB of RAM, IRQ lines that record their level ---- */

static MemoryRegion sysmem, sysio, ram;
static AddressSpace mem_as, io_as;
static int irq_level[ISA_NUM_IRQS], irq_rises[ISA_NUM_IRQS];

static UNUSED void board_irq(void *opaque, int n, int level)
{
    if (level && !irq_level[n])
        irq_rises[n]++;
    irq_level[n] = level;
}

static UNUSED void test_board_init(void)
{
    memory_region_init_container(&sysmem, "mem", 1ULL << 32);
    memory_region_init_ram(&ram, "ram", 1 * MiB);
    memory_region_add_subregion(&sysmem, 0, &ram);
    memory_region_init_container(&sysio, "io", 0x10000);
    address_space_init(&mem_as, &sysmem, "memory");
    address_space_init(&io_as, &sysio, "io");
    board.system_memory = &sysmem;
    board.system_io = &sysio;
    board.memory_as = &mem_as;
    board.io_as = &io_as;
    IrqLine *l = irq_alloc_lines(board_irq, NULL, ISA_NUM_IRQS);
    for (int i = 0; i < ISA_NUM_IRQS; i++)
        board.isa_irq[i] = &l[i];
}

static UNUSED uint32_t in(uint16_t port, unsigned size)
{
    MemTxResult r;
    return address_space_ld(&io_as, port, size, &r);
}
static UNUSED uint8_t inb(uint16_t port) { return in(port, 1); }
static UNUSED uint16_t inw(uint16_t port) { return in(port, 2); }
static UNUSED uint32_t inl(uint16_t port) { return in(port, 4); }
static UNUSED void outb(uint16_t port, uint8_t v) { address_space_st(&io_as, port, v, 1); }
static UNUSED void outw(uint16_t port, uint16_t v) { address_space_st(&io_as, port, v, 2); }
static UNUSED void outl(uint16_t port, uint32_t v) { address_space_st(&io_as, port, v, 4); }

/* ---- a disk in host memory; sectors beyond `backed` read as a pattern of their LBA ---- */

typedef struct MemDisk {
    BlockDev bd;
    uint8_t *data;
    uint64_t size, backed;
    int flushes;
} MemDisk;

static UNUSED uint64_t md_length(BlockDev *bd) { return ((MemDisk *)bd)->size; }
static UNUSED int md_read(BlockDev *bd, uint64_t off, void *buf, size_t len)
{
    MemDisk *m = (MemDisk *)bd;
    cr_assert(off + len <= m->size, "device read beyond the medium");
    for (size_t i = 0; i < len; i++) {
        uint64_t o = off + i;
        ((uint8_t *)buf)[i] = o < m->backed ? m->data[o] : (uint8_t)((o >> 9) * 7 + (o & 511));
    }
    return 0;
}
static UNUSED int md_write(BlockDev *bd, uint64_t off, const void *buf, size_t len)
{
    MemDisk *m = (MemDisk *)bd;
    cr_assert(off + len <= m->backed, "device write beyond the backed part");
    memcpy(m->data + off, buf, len);
    return 0;
}
static UNUSED int md_flush(BlockDev *bd) { ((MemDisk *)bd)->flushes++; return 0; }

static UNUSED MemDisk *memdisk_new(uint64_t size, uint64_t backed)
{
    MemDisk *m = xzalloc(sizeof(*m));
    m->bd = (BlockDev){ .name = "memdisk", .length = md_length, .read = md_read,
                        .write = md_write, .flush = md_flush };
    m->size = size;
    m->backed = backed;
    m->data = xmalloc(backed);
    for (uint64_t i = 0; i < backed; i++)
        m->data[i] = (uint8_t)((i >> 9) * 7 + (i & 511));
    return m;
}

static UNUSED uint8_t expected_byte(uint64_t off) { return (uint8_t)((off >> 9) * 7 + (off & 511)); }

#endif
