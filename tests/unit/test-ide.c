/* test-ide.c: ATA disks on an IDE channel: IDENTIFY, CHS/LBA28/LBA48 PIO, MULTIPLE, errors,
 * reset, and bus-master DMA through a PRD table into RAM. */
#include <criterion/criterion.h>
#include "hw/core/board.h"
#include "hw/core/device.h"
#include "hw/ide/ide.h"

#include "tests/unit/test-ide-board.h"

static IDEBus *bus;
static MemDisk *disk;

#define CMD 0x1f0
#define CTL 0x3f6

static void setup(void)
{
    test_board_init();
    Error *err = NULL;
    Device *d = device_create("isa-ide", "iobase=0x1f0,iobase2=0x3f6,irq=14", &err);
    cr_assert_not_null(d, "%s", err ? err->msg : "");
    bus = isa_ide_get_bus(d);
    disk = memdisk_new(4 * MiB, 4 * MiB);
    cr_assert(ide_attach_drive(bus, 0, &disk->bd, IDE_HD, &err));
}

static void read_words(uint16_t *w, int n)
{
    for (int i = 0; i < n; i++)
        w[i] = inw(CMD);
}

static void lba28(uint32_t lba, uint8_t count)
{
    outb(CMD + 6, 0xe0 | ((lba >> 24) & 0xf));
    outb(CMD + 2, count);
    outb(CMD + 3, lba);
    outb(CMD + 4, lba >> 8);
    outb(CMD + 5, lba >> 16);
}

TestSuite(ide, .init = setup);

Test(ide, identify_reports_geometry_and_size)
{
    uint16_t w[256];
    outb(CMD + 6, 0xa0);
    outb(CMD + 7, 0xec);
    cr_assert_eq(irq_level[14], 1);
    cr_assert_eq(inb(CTL) & 0x88, 0x08, "DRQ set, BSY clear");
    read_words(w, 256);
    cr_assert_eq(inb(CMD + 7), 0x50, "DRDY|DSC after the data");
    cr_assert_eq(irq_level[14], 0, "reading Status acknowledged the interrupt");
    uint64_t secs = 4 * MiB / 512;
    cr_assert_eq(w[0], 0x0040);
    cr_assert_eq(w[3], 16);
    cr_assert_eq(w[6], 63);
    cr_assert_eq(w[1], secs / (16 * 63));
    cr_assert_eq(w[60] | (uint32_t)w[61] << 16, secs);
    cr_assert_eq(w[100] | (uint64_t)w[101] << 16, secs);
    cr_assert(w[83] & (1 << 10), "48-bit feature set");
    cr_assert(w[49] & (1 << 9), "LBA");
    cr_assert_eq(w[47] & 0xff, 16);
    cr_assert_eq(w[93] & 0xdf61, 0x4041, "device 0 answers for the absent device 1");
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = w[27 + i] >> 8;
        model[2 * i + 1] = w[27 + i];
    }
    model[40] = 0;
    cr_assert_eq(strncmp(model, "VIREO HARDDISK  ", 16), 0, "model '%s'", model);
}

Test(ide, pio_read_lba28_two_sectors)
{
    uint16_t w[256];
    lba28(100, 2);
    outb(CMD + 7, 0x20);
    for (int sec = 0; sec < 2; sec++) {
        cr_assert_eq(irq_level[14], 1, "interrupt for block %d", sec);
        cr_assert_eq(inb(CMD + 7) & 0x89, 0x08);
        read_words(w, 256);
        for (int i = 0; i < 256; i++) {
            uint64_t off = (100 + sec) * 512ULL + 2 * i;
            cr_assert_eq(w[i], expected_byte(off) | expected_byte(off + 1) << 8);
        }
    }
    cr_assert_eq(inb(CMD + 7), 0x50);
    cr_assert_eq(irq_rises[14], 2);
    /* The task file points past the last sector read. */
    cr_assert_eq(inb(CMD + 3), 102);
}

Test(ide, pio_write_32bit_and_flush)
{
    lba28(7, 1);
    outb(CMD + 7, 0x30);
    cr_assert_eq(irq_level[14], 0, "no interrupt before the first write block");
    cr_assert_eq(inb(CMD + 7) & 0x08, 0x08);
    for (int i = 0; i < 128; i++)
        outl(CMD, 0xa5a50000 | i);
    cr_assert_eq(irq_level[14], 1);
    cr_assert_eq(inb(CMD + 7), 0x50);
    cr_assert_eq(disk->data[7 * 512 + 4 * 5], 5);
    cr_assert_eq(disk->data[7 * 512 + 4 * 5 + 3], 0xa5);
    outb(CMD + 7, 0xe7);
    cr_assert_eq(disk->flushes, 1);
    cr_assert_eq(inb(CMD + 7), 0x50);
}

Test(ide, chs_read_uses_current_geometry)
{
    /* INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors per track. */
    outb(CMD + 6, 0xa0 | 3);
    outb(CMD + 2, 17);
    outb(CMD + 7, 0x91);
    cr_assert_eq(inb(CMD + 7), 0x50);
    uint16_t id[256];
    outb(CMD + 7, 0xec);
    read_words(id, 256);
    cr_assert_eq(id[54], 8192 / (4 * 17), "current cylinders");
    cr_assert_eq(id[55], 4);
    cr_assert_eq(id[56], 17);
    cr_assert_eq(id[57], (8192 / 68) * 68);
    /* C/H/S = 2/1/5 -> LBA (2*4+1)*17+4 = 157 */
    outb(CMD + 6, 0xa0 | 1);
    outb(CMD + 2, 1);
    outb(CMD + 3, 5);
    outb(CMD + 4, 2);
    outb(CMD + 5, 0);
    outb(CMD + 7, 0x20);
    uint16_t w[256];
    read_words(w, 256);
    cr_assert_eq(w[0] & 0xff, expected_byte(157 * 512));
    /* sector 0 is not a CHS address */
    outb(CMD + 3, 0);
    outb(CMD + 7, 0x20);
    cr_assert_eq(inb(CMD + 7), 0x41);
    cr_assert(inb(CMD + 1) & 0x10, "IDNF");
}

Test(ide, lba48_read_beyond_28_bits)
{
    MemDisk *big = memdisk_new(4096 * GiB, 4096);
    Error *err = NULL;
    cr_assert(ide_attach_drive(bus, 1, &big->bd, IDE_HD, &err));
    uint64_t lba = 0x123456789ULL;
    outb(CMD + 6, 0xf0);                        /* device 1, LBA */
    outb(CMD + 2, 0);                           /* count 15:8 */
    outb(CMD + 3, lba >> 24);
    outb(CMD + 4, lba >> 32);
    outb(CMD + 5, lba >> 40);
    outb(CMD + 2, 3);                           /* count 7:0 */
    outb(CMD + 3, lba);
    outb(CMD + 4, lba >> 8);
    outb(CMD + 5, lba >> 16);
    outb(CMD + 7, 0x24);
    for (int sec = 0; sec < 3; sec++) {
        uint16_t w[256];
        cr_assert_eq(inb(CMD + 7) & 0x89, 0x08, "sector %d", sec);
        read_words(w, 256);
        uint64_t off = (lba + sec) * 512;
        cr_assert_eq(w[10], expected_byte(off + 20) | expected_byte(off + 21) << 8);
    }
    cr_assert_eq(inb(CMD + 7), 0x50);
    /* HOB reads back the high bytes of the next address */
    outb(CTL, 0x80);
    cr_assert_eq(inb(CMD + 3), (uint8_t)((lba + 3) >> 24));
    cr_assert_eq(inb(CMD + 4), (uint8_t)((lba + 3) >> 32));
    outb(CTL, 0);
    cr_assert_eq(inb(CMD + 3), (uint8_t)(lba + 3));
    uint16_t w[256];
    outb(CMD + 7, 0xec);
    read_words(w, 256);
    cr_assert_eq(w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32, 4096 * GiB / 512);
    cr_assert_eq(w[60] | (uint32_t)w[61] << 16, 0x0fffffff, "LBA28 capacity saturates");
}

Test(ide, read_multiple_blocks)
{
    outb(CMD + 7, 0xc4);                        /* READ MULTIPLE before SET MULTIPLE */
    cr_assert_eq(inb(CMD + 7), 0x41);
    cr_assert_eq(inb(CMD + 1), 0x04);
    outb(CMD + 2, 3);                           /* not a power of two */
    outb(CMD + 7, 0xc6);
    cr_assert_eq(inb(CMD + 7), 0x41);
    outb(CMD + 2, 4);
    outb(CMD + 7, 0xc6);
    cr_assert_eq(inb(CMD + 7), 0x50);
    irq_rises[14] = 0;
    lba28(10, 10);
    outb(CMD + 7, 0xc4);
    int blocks = 0;
    uint16_t w[256 * 4];
    while (inb(CMD + 7) & 0x08) {
        blocks++;
        int words = blocks < 3 ? 1024 : 512;
        read_words(w, words);
        cr_assert_eq(w[0] & 0xff, expected_byte((10 + (blocks - 1) * 4) * 512ULL));
        cr_assert_eq(w[256] & 0xff, expected_byte((11 + (blocks - 1) * 4) * 512ULL));
        cr_assert(blocks < 10);
    }
    cr_assert_eq(blocks, 3, "4+4+2 sectors");
    cr_assert_eq(irq_rises[14], 3);
    /* WRITE MULTIPLE: 8 sectors as 2 blocks */
    lba28(20, 8);
    outb(CMD + 7, 0xc5);
    for (int b = 0; b < 2; b++) {
        cr_assert_eq(inb(CTL) & 0x08, 0x08);
        for (int i = 0; i < 1024; i++)
            outw(CMD, 0x1111 * b);
    }
    cr_assert_eq(inb(CMD + 7), 0x50);
    cr_assert_eq(disk->data[27 * 512], 0x11);
    cr_assert_eq(disk->data[20 * 512], 0);
}

Test(ide, beyond_the_disk_is_idnf)
{
    lba28(8190, 4);                             /* disk has 8192 sectors */
    outb(CMD + 7, 0x20);
    cr_assert_eq(inb(CMD + 7), 0x41);
    cr_assert_eq(inb(CMD + 1), 0x14, "IDNF|ABRT");
    lba28(0x0fffffff, 0);
    outb(CMD + 7, 0x30);
    cr_assert_eq(inb(CMD + 7), 0x41);
    cr_assert_eq(in(CMD, 2), 0xffff, "no data phase");
    outb(CMD + 7, 0x77);                        /* no such command */
    cr_assert_eq(inb(CMD + 7), 0x41);
    cr_assert_eq(inb(CMD + 1), 0x04);
}

Test(ide, absent_devices_and_empty_channel)
{
    outb(CMD + 6, 0xb0);                        /* device 1: absent */
    cr_assert_eq(inb(CMD + 7), 0x00);
    outb(CMD + 2, 0x55);
    outb(CMD + 3, 0xaa);
    cr_assert_eq(inb(CMD + 2), 0x55, "latched task file reads back");
    cr_assert_eq(inb(CMD + 3), 0xaa);
    outb(CMD + 7, 0xec);
    cr_assert_eq(irq_level[14], 0);
    Error *err = NULL;
    Device *d2 = device_create("isa-ide", "iobase=0x170,iobase2=0x376,irq=15", &err);
    cr_assert_not_null(d2);
    cr_assert_eq(inb(0x177), 0x00, "nothing on the channel: BSY pulled low");
    outb(0x172, 0x55);
    cr_assert_eq(inb(0x172), 0x00);
    cr_assert_not(ide_attach_drive(bus, 0, &disk->bd, IDE_HD, &err), "unit in use");
    cr_assert_not_null(strstr(err->msg, "already in use"));
}

Test(ide, software_reset_and_nien)
{
    outb(CMD + 3, 0x55);
    outb(CTL, 0x04);                            /* SRST */
    cr_assert_eq(inb(CMD + 7) & 0x80, 0x80);
    outb(CTL, 0x00);
    cr_assert_eq(inb(CMD + 7), 0x50);
    cr_assert_eq(inb(CMD + 2), 1);
    cr_assert_eq(inb(CMD + 3), 1);
    cr_assert_eq(inb(CMD + 4), 0);
    cr_assert_eq(inb(CMD + 5), 0);
    outb(CTL, 0x02);                            /* nIEN */
    outb(CMD + 7, 0xec);
    cr_assert_eq(irq_level[14], 0);
    outb(CTL, 0x00);
    cr_assert_eq(irq_level[14], 1, "the pending interrupt shows once enabled");
}

/* ---- bus-master DMA ---- */

#define BM 0xc000

static void put_prd(uint32_t at, uint32_t addr, uint32_t len, bool eot)
{
    uint8_t prd[8] = { addr, addr >> 8, addr >> 16, addr >> 24, len, len >> 8, 0, eot ? 0x80 : 0 };
    memcpy(ram.host + at, prd, 8);
}

Test(ide, busmaster_dma_read_and_write)
{
    MemoryRegion *bm = ide_bus_add_bmdma(bus, &mem_as);
    memory_region_add_subregion(&sysio, BM, bm);
    uint16_t w[256];
    outb(CMD + 7, 0xec);
    read_words(w, 256);
    cr_assert(w[49] & (1 << 8), "DMA advertised with a bus master");

    /* 8 sectors: 1 KiB at 0x10000, 3 KiB at 0x20000 */
    put_prd(0x1000, 0x10000, 1024, false);
    put_prd(0x1008, 0x20000, 3072, true);
    outl(BM + 4, 0x1000);
    lba28(40, 8);
    outb(CMD + 7, 0xc8);                        /* READ DMA: waits for the engine */
    cr_assert_eq(irq_level[14], 0);
    outb(BM, 0x09);                             /* start, bus master writes memory */
    cr_assert_eq(irq_level[14], 1);
    cr_assert_eq(inb(BM + 2) & 0x07, 0x04, "interrupt, not active, no error");
    cr_assert_eq(ram.host[0x10000], expected_byte(40 * 512));
    cr_assert_eq(ram.host[0x10000 + 1023], expected_byte(41 * 512 + 511));
    cr_assert_eq(ram.host[0x20000 + 5], expected_byte(42 * 512 + 5));
    cr_assert_eq(ram.host[0x20000 + 3071], expected_byte(47 * 512 + 511));
    cr_assert_eq(inb(CMD + 7), 0x50);
    outb(BM, 0);
    outb(BM + 2, 0x04);                         /* write 1 to clear */
    cr_assert_eq(inb(BM + 2) & 0x04, 0);

    /* WRITE DMA EXT with the engine started first and a table longer than the transfer */
    memset(ram.host + 0x30000, 0x5a, 1024);
    put_prd(0x1100, 0x30000, 1024, false);
    put_prd(0x1108, 0x30000, 1024, true);
    outl(BM + 4, 0x1100);
    outb(BM, 0x01);
    outb(CMD + 6, 0xe0);
    outb(CMD + 2, 0); outb(CMD + 3, 0); outb(CMD + 4, 0); outb(CMD + 5, 0);
    outb(CMD + 2, 2); outb(CMD + 3, 60); outb(CMD + 4, 0); outb(CMD + 5, 0);
    outb(CMD + 7, 0x35);
    cr_assert_eq(inb(CMD + 7), 0x50);
    cr_assert_eq(inb(BM + 2) & 0x07, 0x05, "table left over: still active");
    cr_assert_eq(disk->data[60 * 512], 0x5a);
    cr_assert_eq(disk->data[61 * 512 + 511], 0x5a);
    cr_assert_eq(disk->data[62 * 512], expected_byte(62 * 512));
}

Test(ide, busmaster_dma_bad_descriptors)
{
    MemoryRegion *bm = ide_bus_add_bmdma(bus, &mem_as);
    memory_region_add_subregion(&sysio, BM, bm);
    /* target outside RAM */
    put_prd(0x1000, 0xfff00000, 4096, true);
    outl(BM + 4, 0x1000);
    lba28(0, 8);
    outb(CMD + 7, 0xc8);
    outb(BM, 0x09);
    cr_assert_eq(inb(BM + 2) & 0x07, 0x06, "error + interrupt, not active");
    cr_assert_eq(inb(CMD + 7) & 0x01, 0x01);
    outb(BM, 0);
    outb(BM + 2, 0x06);
    /* table shorter than the transfer */
    put_prd(0x1000, 0x10000, 512, true);
    lba28(0, 8);
    outb(CMD + 7, 0xc8);
    outb(BM, 0x09);
    cr_assert_eq(inb(BM + 2) & 0x07, 0x06);
    cr_assert_eq(inb(CMD + 7) & 0x01, 0x01);
    outb(BM, 0);
    /* table itself outside RAM, and a table of 8192 descriptors without EOT */
    outl(BM + 4, 0xfffff000);
    lba28(0, 1);
    outb(CMD + 7, 0xc8);
    outb(BM, 0x09);
    cr_assert_eq(inb(BM + 2) & 0x02, 0x02);
    outb(BM, 0);
    for (uint32_t i = 0; i < 8192; i++)
        put_prd(0x40000 + 8 * i, 0x10000, 2, false);
    outl(BM + 4, 0x40000);
    lba28(0, 255);
    outb(CMD + 7, 0xc8);
    outb(BM, 0x09);
    cr_assert_eq(inb(BM + 2) & 0x07, 0x06, "the walk stops within the 64 KiB table page");
}

Test(ide, dma_without_bus_master_aborts)
{
    lba28(0, 1);
    outb(CMD + 7, 0xc8);
    cr_assert_eq(inb(CMD + 7), 0x41);
    cr_assert_eq(inb(CMD + 1), 0x04);
}
