/*
 * mmio.c: physical addresses that nothing decodes behave like an open PC bus: reads return
 * all ones and writes are dropped. RAM next to them keeps working.
 */
#include "guest.h"

static const uint32_t holes[] = { 0x20000000, 0xc0000000, 0xfeb00000 };

int guest_main(void)
{
    printf("mmio: unassigned physical addresses with -m 128\n");
    for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
        volatile uint8_t *b = (volatile uint8_t *)holes[i];
        volatile uint16_t *w = (volatile uint16_t *)holes[i];
        volatile uint32_t *l = (volatile uint32_t *)holes[i];
        uint8_t vb = *b;
        uint16_t vw = *w;
        uint32_t vl = *l;
        check(vb == 0xff && vw == 0xffff && vl == 0xffffffff,
              "%#x: 8/16/32-bit reads are all ones (%#x %#x %#x)", holes[i], vb, vw, vl);
        *l = 0x12345678;
        *b = 0;
        vl = *l;
        check(vl == 0xffffffff, "%#x: writes are ignored (then reads %#x)", holes[i], vl);
    }
    /* The last page of RAM, just below the first hole above it. */
    volatile uint32_t *top = (volatile uint32_t *)(128 * 1024 * 1024 - 4096);
    *top = 0xdeadbeef;
    check(*top == 0xdeadbeef, "RAM at 128 MiB - 4 KiB keeps a written value");
    return pass_fail("mmio");
}
