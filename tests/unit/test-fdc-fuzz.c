/* test-fdc-fuzz.c: bounded random traffic against the floppy controller and the 8237 pair
 * (impossible commands, random DMA programming, resets mid-transfer). */
#include <criterion/criterion.h>
#include "hw/core/device.h"
#include "hw/block/fdc.h"
#include "tests/unit/test-ide-board.h"

static uint64_t rng = 0x1234567887654321ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

Test(fdc_fuzz, random_register_traffic)
{
    test_board_init();
    Error *err = NULL;
    cr_assert_not_null(device_create("isa-dma", NULL, &err));
    Device *d = device_create("isa-fdc", NULL, &err);
    cr_assert_not_null(d);
    MemDisk *f = memdisk_new(1440 * KiB, 1440 * KiB);
    cr_assert(fdc_attach_drive(isa_fdc_get(d), 0, &f->bd, &err));
    static const uint16_t dma_ports[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                          0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x81, 0x82,
                                          0x83, 0x87, 0xc0, 0xc4, 0xd0, 0xd4, 0xd6, 0xd8, 0xde };
    static const uint8_t fdc_cmds[] = { 0x46, 0xe6, 0x45, 0xc5, 0x4a, 0x4d, 0x07, 0x0f, 0x8f,
                                        0x08, 0x03, 0x04, 0x0e, 0x10, 0x13, 0x14, 0x94, 0x12,
                                        0x16, 0x18, 0x42, 0x1f };
    for (int i = 0; i < 1000000; i++) {
        uint64_t r = rnd();
        switch (r & 7) {
        case 0: case 1: case 2:
            outb(0x3f5, (r & 0x100) ? fdc_cmds[(r >> 9) % sizeof(fdc_cmds)] : r >> 16);
            break;
        case 3:
            inb(0x3f0 + ((r >> 8) % 8 == 6 ? 7 : (r >> 8) % 8));
            break;
        case 4:
            if ((r & 0xff00) == 0)               /* resets, now and then */
                outb((r & 0x10000) ? 0x3f2 : 0x3f4, (r & 0x20000) ? 0x80 : 0x08);
            else
                outb((r & 0x10000) ? 0x3f2 : 0x3f7, (r >> 24) | 0x04);
            break;
        case 5:
            outb(dma_ports[(r >> 8) % ARRAY_SIZE(dma_ports)], r >> 24);
            break;
        case 6:
            inb(dma_ports[(r >> 8) % ARRAY_SIZE(dma_ports)]);
            break;
        default:
            inb(0x3f5);
            break;
        }
    }
    /* after a reset the controller answers VERSION */
    outb(0x3f2, 0x08);
    outb(0x3f2, 0x0c);
    for (int i = 0; i < 4; i++) {
        outb(0x3f5, 0x08);
        inb(0x3f5);
        inb(0x3f5);
    }
    cr_assert_eq(inb(0x3f4) & 0xc0, 0x80);
    outb(0x3f5, 0x10);
    cr_assert_eq(inb(0x3f5), 0x90);
}
