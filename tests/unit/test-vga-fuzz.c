/* test-vga-fuzz.c: bounded random traffic against the VGA ports, VBE registers and the
 * 0xa0000 window, rendering now and then; nothing may crash, and the surface stays sane. */
#include <criterion/criterion.h>
#include "hw/core/device.h"
#include "ui/console.h"
#include "tests/unit/test-ide-board.h"

static uint64_t rng = 0xdeadbeefcafef00dULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

Test(vga_fuzz, random_register_traffic)
{
    test_board_init();
    Error *err = NULL;
    cr_assert_not_null(device_create("isa-vga", NULL, &err));
    DisplayConsole *con = console_default();
    for (int i = 0; i < 1000000; i++) {
        uint64_t r = rnd();
        switch (r & 7) {
        case 0: case 1: case 2:
            outb(0x3b0 + ((r >> 8) % 0x30), r >> 16);
            break;
        case 3:
            inb(0x3b0 + ((r >> 8) % 0x30));
            break;
        case 4:
            outw(0x1ce, (r >> 8) % 12);
            outw(0x1cf, r >> 24);
            break;
        case 5:
            address_space_st(&mem_as, 0xa0000 + ((r >> 8) % 0x20000), r >> 32, 1 << ((r >> 4) % 3));
            break;
        case 6:
            address_space_ld(&mem_as, 0xa0000 + ((r >> 8) % 0x20000), 1, NULL);
            break;
        default:
            if ((r & 0x3f00) == 0)
                console_refresh(con);
            break;
        }
    }
    console_refresh(con);
    cr_assert(con->surface->width >= 1 && con->surface->width <= 2560);
    cr_assert(con->surface->height >= 1 && con->surface->height <= 2048);
}
