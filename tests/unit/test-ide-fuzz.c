/* test-ide-fuzz.c: bounded random register traffic against the IDE channels (ATA disk and
 * ATAPI CD-ROM) and the bus-master engine, with random guest memory for PRD tables. The
 * host must not crash or hang, and the devices must work normally after a reset. */
#include <criterion/criterion.h>
#include "hw/core/device.h"
#include "hw/ide/ide.h"
#include "tests/unit/test-ide-board.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define ITERATIONS 1000000

Test(ide_fuzz, random_register_traffic)
{
    test_board_init();
    Error *err = NULL;
    Device *d0 = device_create("isa-ide", "iobase=0x1f0,iobase2=0x3f6,irq=14", &err);
    Device *d1 = device_create("isa-ide", "iobase=0x170,iobase2=0x376,irq=15", &err);
    cr_assert(d0 && d1);
    IDEBus *b0 = isa_ide_get_bus(d0), *b1 = isa_ide_get_bus(d1);
    MemDisk *hd = memdisk_new(2 * MiB, 2 * MiB), *cd = memdisk_new(1 * MiB, 1 * MiB);
    cr_assert(ide_attach_drive(b0, 0, &hd->bd, IDE_HD, &err));
    cr_assert(ide_attach_drive(b1, 0, &cd->bd, IDE_CD, &err));
    memory_region_add_subregion(&sysio, 0xc000, ide_bus_add_bmdma(b0, &mem_as));
    memory_region_add_subregion(&sysio, 0xc008, ide_bus_add_bmdma(b1, &mem_as));
    for (uint32_t i = 0; i < 1 * MiB; i += 8)
        *(uint64_t *)(ram.host + i) = rnd();
    static const uint8_t cmds[] = { 0x20, 0x24, 0x29, 0x30, 0x34, 0x39, 0xc4, 0xc5, 0xc6, 0xc8,
                                    0x25, 0xca, 0x35, 0xec, 0xa1, 0xa0, 0x91, 0xef, 0xe7, 0x40,
                                    0x70, 0x10, 0x90, 0x08, 0xf8, 0x27 };
    static const uint8_t ops[] = { 0x00, 0x03, 0x12, 0x1a, 0x1b, 0x1e, 0x25, 0x28, 0x2b, 0x43,
                                   0x46, 0x4a, 0x51, 0x5a, 0xa8, 0xbb, 0xbd, 0xbe };
    for (int i = 0; i < ITERATIONS; i++) {
        uint64_t r = rnd();
        uint16_t base = (r & 1) ? 0x170 : 0x1f0;
        switch ((r >> 1) & 7) {
        case 0: case 1:                          /* task file */
            outb(base + 1 + ((r >> 4) % 6), r >> 16);
            break;
        case 2:                                  /* a plausible command */
            outb(base + 7, cmds[(r >> 8) % sizeof(cmds)]);
            break;
        case 3: {                                /* data: a packet or sector data */
            int n = (r >> 8) & 63;
            for (int k = 0; k < n; k++) {
                if (k == 0 && (r & 0x10000))
                    outw(base, ops[(r >> 20) % sizeof(ops)] | (rnd() & 0xff00));
                else if (r & 0x20000)
                    outw(base, rnd());
                else
                    inw(base);
            }
            break;
        }
        case 4:                                  /* status, alternate status, control */
            if (r & 0x100)
                outb(base == 0x1f0 ? 0x3f6 : 0x376, (r >> 16) & 0x86);
            else
                inb(base + 7);
            break;
        case 5:                                  /* bus master */
            outb(0xc000 + ((r & 1) << 3) + ((r >> 8) & 7), r >> 16);
            break;
        case 6:
            in(base + ((r >> 8) & 7), 1 << ((r >> 12) % 3));
            break;
        default:                                 /* rewrite some of the PRD area */
            *(uint32_t *)(ram.host + ((r >> 8) % (1 * MiB - 4) & ~3u)) = r >> 32;
            break;
        }
    }
    /* after a reset both devices answer normally */
    devices_reset_all();
    outb(0x1f6, 0xa0);
    outb(0x1f7, 0xec);
    cr_assert_eq(inb(0x1f7), 0x58);
    uint16_t w0 = inw(0x1f0);
    cr_assert_eq(w0, 0x0040);
    outb(0x176, 0xa0);
    outb(0x177, 0xa1);
    cr_assert_eq(inw(0x170), 0x85c0);
}
