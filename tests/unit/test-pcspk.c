/* test-pcspk.c: port 0x61 (PIT channel 2 gate/output, speaker enable, refresh) and port 0x80. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/audio/pcspk.h"
#include "hw/misc/port80.h"

static PITState *pit;
static PCSpkState *spk;

static void setup(void)
{
    hwt_board_init(0);
    clock_virtual_stop();
    pit = pit_create(NULL);
    spk = pcspk_create(pit, NULL);
    cr_assert_not_null(spk);
}

TestSuite(pcspk, .init = setup);

Test(pcspk, gate_and_tone)
{
    cr_assert_eq(inb(0x61) & 3, 0);
    outb(0x43, 0xb6);            /* channel 2, square wave */
    outb(0x42, 0xa9); outb(0x42, 0x04);    /* 1193 -> ~1000 Hz */
    cr_assert_not(pcspk_is_on(spk), "gate and data off");
    outb(0x61, 0x01);
    cr_assert(pit_get_gate(pit, 2));
    cr_assert_not(pcspk_is_on(spk), "data bit off: silent");
    outb(0x61, 0x03);
    cr_assert(pcspk_is_on(spk));
    cr_assert_eq(pcspk_frequency(spk), PIT_FREQ / 1193);
    cr_assert_eq(inb(0x61) & 3, 3);
    outb(0x61, 0x00);
    cr_assert_eq(pcspk_frequency(spk), 0);
}

Test(pcspk, channel2_out_on_bit5)
{
    /* The BIOS's delay loop: mode 0 on channel 2, gate on, poll bit 5 for terminal count. */
    outb(0x61, 0x00);
    outb(0x43, 0xb0);
    outb(0x42, 0x10); outb(0x42, 0x00);   /* 16 ticks */
    cr_assert_eq(inb(0x61) & 0x20, 0, "OUT low after the count in mode 0");
    outb(0x61, 0x01);
    clock_virtual_start();
    int spins = 0;
    while (!(inb(0x61) & 0x20) && spins < 100000000)
        spins++;
    clock_virtual_stop();
    cr_assert(inb(0x61) & 0x20, "terminal count reached");
}

Test(pcspk, refresh_toggles)
{
    clock_virtual_start();
    uint8_t first = inb(0x61) & 0x10;
    int spins = 0;
    while ((inb(0x61) & 0x10) == first && spins < 100000000)
        spins++;
    clock_virtual_stop();
    cr_assert_neq(inb(0x61) & 0x10, first, "bit 4 toggles with time");
}

Test(pcspk, port80_post_codes)
{
    Port80State *p = port80_create(NULL);
    cr_assert_not_null(p);
    outb(0x80, 0x42);
    outb(0x80, 0x55);
    cr_assert_eq(p->last, 0x55);
    cr_assert_eq(p->writes, 2);
    cr_assert_eq(inb(0x80), 0xff);
}
