/* test-dma.c: the 8237 pair: address/count programming through the flip-flop, current
 * registers, page registers, masks, terminal count in the status register, word channels,
 * and transfers into RAM driven by a test device. */
#include <criterion/criterion.h>
#include "hw/core/device.h"
#include "hw/dma/isa-dma.h"
#include "tests/unit/test-ide-board.h"

static void setup(void)
{
    test_board_init();
    Error *err = NULL;
    cr_assert_not_null(device_create("isa-dma", NULL, &err), "%s", err ? err->msg : "");
    /* As the BIOS does: channel 4 in cascade mode and unmasked, so 0-3 reach the bus. */
    outb(0xd6, 0xc0);
    outb(0xd4, 0x00);
}

TestSuite(dma, .init = setup);

/* Program a byte channel (0-3) or word channel (5-7) the way a BIOS does. */
static void program(int chan, uint8_t mode, uint32_t phys, uint32_t bytes)
{
    static const uint8_t page_port[8] = { 0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a };
    bool word = chan >= 4;
    uint16_t base = word ? 0xc0 : 0x00;
    int sh = word ? 1 : 0;
    int c = chan & 3;
    outb(base + (0x0a << sh), 0x04 | c);                 /* mask */
    outb(base + (0x0c << sh), 0);                        /* clear flip-flop */
    outb(base + (0x0b << sh), mode | c);
    uint16_t addr = word ? (phys >> 1) & 0xffff : phys & 0xffff;
    uint16_t count = (bytes >> sh) - 1;
    outb(base + ((2 * c) << sh), addr);
    outb(base + ((2 * c) << sh), addr >> 8);
    outb(page_port[chan], phys >> 16);
    outb(base + ((2 * c + 1) << sh), count);
    outb(base + ((2 * c + 1) << sh), count >> 8);
    outb(base + (0x0a << sh), c);                        /* unmask */
}

static uint8_t pattern[0x10000];
static int calls;
static int test_handler(void *opaque, int chan, int pos, int size)
{
    calls++;
    int n = MIN(size - pos, (int)(intptr_t)opaque);
    isa_dma_write_memory(chan, pattern + pos, pos, n);
    return pos + n;
}

Test(dma, cascade_channel_gates_the_first_controller)
{
    cr_assert(isa_dma_register_channel(2, test_handler, (void *)(intptr_t)0x10000));
    outb(0xd4, 0x04);                            /* mask channel 4 */
    program(2, 0x46, 0x20000, 0x10);
    isa_dma_hold_DREQ(2);
    cr_assert_eq(calls, 0);
    outb(0xd4, 0x00);
    cr_assert_eq(calls, 1);
    isa_dma_release_DREQ(2);
}

Test(dma, registers_read_back)
{
    program(2, 0x46, 0x123456, 0x200);
    outb(0x0c, 0);
    cr_assert_eq(inb(0x04), 0x56);
    cr_assert_eq(inb(0x04), 0x34);
    cr_assert_eq(inb(0x05), 0xff);
    cr_assert_eq(inb(0x05), 0x01);
    cr_assert_eq(inb(0x81), 0x12);
    cr_assert_eq(inb(0x0f) & 0x0f, 0x0b, "only channel 2 unmasked");
    outb(0x0f, 0x0f);
    cr_assert_eq(inb(0x0f) & 0x0f, 0x0f);
    outb(0x0e, 0);
    cr_assert_eq(inb(0x0f) & 0x0f, 0x00);
    outb(0x0d, 0);                               /* master clear masks everything */
    cr_assert_eq(inb(0x0f) & 0x0f, 0x0f);
    cr_assert_eq(isa_dma_transfer_type(2), 0, "mode cleared too");
}

Test(dma, transfer_to_memory_and_terminal_count)
{
    for (int i = 0; i < 0x10000; i++)
        pattern[i] = i * 3 + 1;
    cr_assert(isa_dma_register_channel(2, test_handler, (void *)(intptr_t)0x10000));
    program(2, 0x46, 0x20000, 0x400);
    isa_dma_hold_DREQ(2);
    cr_assert_eq(calls, 1);
    cr_assert_eq(memcmp(ram.host + 0x20000, pattern, 0x400), 0);
    cr_assert_eq(ram.host[0x20400], 0, "nothing past the count");
    cr_assert_eq(inb(0x08) & 0x0f, 0x04, "TC on channel 2");
    cr_assert_eq(inb(0x08) & 0x0f, 0x00, "cleared by the read");
    cr_assert_eq(inb(0x0f) & 0x04, 0x04, "channel masked after TC without autoinit");
    /* a masked channel does not run */
    isa_dma_hold_DREQ(2);
    cr_assert_eq(calls, 1);
    isa_dma_release_DREQ(2);
}

Test(dma, partial_transfers_advance_current_registers)
{
    cr_assert(isa_dma_register_channel(1, test_handler, (void *)(intptr_t)0x100));
    program(1, 0x44 | 0x10, 0x30000, 0x300);             /* autoinit */
    outb(0x0c, 0);
    isa_dma_hold_DREQ(1);
    cr_assert_eq(calls, 1);
    cr_assert_eq(inb(0x02), 0x00);
    cr_assert_eq(inb(0x02), 0x01, "current address moved by 0x100");
    outb(0x0a, 1);                                       /* unmask again: runs */
    outb(0x0a, 1);
    cr_assert_eq(calls, 3, "each register write lets a held DREQ run");
    isa_dma_release_DREQ(1);
    cr_assert_eq(inb(0x08) & 0x02, 0x02);
    outb(0x0c, 0);
    cr_assert_eq(inb(0x03), 0xff);
    cr_assert_eq(inb(0x03), 0x02, "autoinit reloaded the count");
    cr_assert_eq(ram.host[0x30000 + 0x2ff], pattern[0x2ff]);
}

Test(dma, word_channel_and_page_wrap)
{
    for (int i = 0; i < 0x10000; i++)
        pattern[i] = i ^ 0x5a;
    cr_assert(isa_dma_register_channel(5, test_handler, (void *)(intptr_t)0x10000));
    program(5, 0x44, 0x40000, 0x800);
    isa_dma_hold_DREQ(5);
    cr_assert_eq(memcmp(ram.host + 0x40000, pattern, 0x800), 0);
    cr_assert_eq(inb(0xd0) & 0x02, 0x02, "TC of channel 5 in the second controller");
    isa_dma_release_DREQ(5);
    /* A byte channel wraps inside its 64 KiB page instead of crossing it. */
    cr_assert(isa_dma_register_channel(3, test_handler, (void *)(intptr_t)0x10000));
    program(3, 0x44, 0x5fff0, 0x20);
    isa_dma_hold_DREQ(3);
    cr_assert_eq(ram.host[0x5ffff], pattern[0x0f]);
    cr_assert_eq(ram.host[0x50000], pattern[0x10], "wrapped to the page start");
    cr_assert_eq(ram.host[0x60000], 0);
    isa_dma_release_DREQ(3);
}

Test(dma, outside_ram_is_harmless)
{
    cr_assert(isa_dma_register_channel(2, test_handler, (void *)(intptr_t)0x10000));
    program(2, 0x46, 0xff0000, 0x1000);                  /* page 0xff: nothing there */
    isa_dma_hold_DREQ(2);
    cr_assert_eq(inb(0x08) & 0x04, 0x04);
    uint8_t buf[4];
    program(2, 0x4a, 0xff0000, 0x4);
    cr_assert_eq(isa_dma_read_memory(2, buf, 0, 4), 4);
    cr_assert_eq(buf[0], 0xff, "unassigned memory reads as 0xff");
    cr_assert_eq(isa_dma_read_memory(9, buf, 0, 4), 0);
}

Test(dma, only_one_controller_pair)
{
    Error *err = NULL;
    cr_assert_null(device_create("isa-dma", NULL, &err));
    cr_assert_not_null(strstr(err->msg, "only one"));
}
