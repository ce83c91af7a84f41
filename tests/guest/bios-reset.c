/*
 * bios-reset.c: the 32-bit half of the -bios test image: checks the reset state that
 * bios-reset16.S recorded (SDM 3A table 10-1) and where the firmware image is mapped.
 */
#include "guest.h"

void bios_main(uint32_t cr0, uint32_t cs, uint32_t edx);

void bios_main(uint32_t cr0, uint32_t cs, uint32_t edx)
{
    serial_init();
    printf("bios-reset: 32-bit protected mode from the firmware image\n");
    check(cs == 0xf000, "CS at the reset vector is 0xf000 (%#x)", cs);
    check(cr0 == 0x60000010, "CR0 at reset is 0x60000010 (%#x)", cr0);
    check(((edx >> 8) & 0xf) != 0, "EDX at reset holds a processor signature (family nonzero)");

    /* The same 64 KiB at 0xF0000 and at the top of 4 GiB; the reset vector is a far jump. */
    const volatile uint8_t *low = (const volatile uint8_t *)0xf0000;
    const volatile uint8_t *high = (const volatile uint8_t *)0xffff0000;
    bool same = true;
    for (uint32_t i = 0; i < 0x10000; i++)
        same &= low[i] == high[i];
    check(same, "0xF0000-0xFFFFF and 0xFFFF0000-0xFFFFFFFF hold the same image");
    check(high[0xfff0] == 0xea, "0xFFFFFFF0 holds the far jump (0xea)");

    volatile uint32_t *rom = (volatile uint32_t *)0xffff8000;
    uint32_t before = *rom;
    *rom = ~before;
    check(*rom == before, "writes to the image at the top of 4 GiB are ignored");

    volatile uint32_t *ram = (volatile uint32_t *)0x100000;
    ram[0] = 0x11111111;
    ram[1] = 0x22222222;
    check(ram[0] == 0x11111111 && ram[1] == 0x22222222, "RAM at 1 MiB works");

    exit_guest(pass_fail("bios-reset"));
}
