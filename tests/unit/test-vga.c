/* test-vga.c: VGA registers, planar memory read/write modes, text mode 3 and graphics modes
 * 13h/12h rendered into the console surface pixel by pixel, dirty tracking, retrace status,
 * Bochs VBE with the linear frame buffer and banks, and the PNG screendump. */
#include <criterion/criterion.h>
#include <png.h>
#include <unistd.h>
#include "hw/core/device.h"
#include "hw/core/clock.h"
#include "ui/console.h"
#include "tests/unit/test-ide-board.h"

static void setup(void)
{
    test_board_init();
    Error *err = NULL;
    cr_assert_not_null(device_create("isa-vga", NULL, &err), "%s", err ? err->msg : "");
}

TestSuite(vga, .init = setup);

typedef struct VgaMode {
    uint8_t misc, sr[5], cr[25], gr[9], ar[21];
} VgaMode;

/* Register sets of the standard modes (IBM VGA technical reference, mode tables). */
static const VgaMode mode3 = {
    0x67, { 0x03, 0x00, 0x03, 0x00, 0x02 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00,
      0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
      0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00 },
};
static const VgaMode mode13 = {
    0x63, { 0x03, 0x01, 0x0f, 0x00, 0x0e },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
      0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00 },
};
static const VgaMode mode12 = {
    0xe3, { 0x03, 0x01, 0x0f, 0x00, 0x06 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
      0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00 },
};

static const VgaMode mode4 = {
    0x63, { 0x03, 0x09, 0x03, 0x00, 0x02 },
    { 0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x00, 0x96, 0xb9, 0xa2, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0f, 0x00, 0xff },
    { 0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
      0x16, 0x17, 0x01, 0x00, 0x03, 0x00, 0x00 },
};
static const VgaMode mode0d = {
    0x63, { 0x03, 0x09, 0x0f, 0x00, 0x06 },
    { 0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x00, 0x96, 0xb9, 0xe3, 0xff },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
      0x16, 0x17, 0x01, 0x00, 0x0f, 0x00, 0x00 },
};

static void set_mode(const VgaMode *m)
{
    outb(0x3c2, m->misc);
    for (int i = 0; i < 5; i++) {
        outb(0x3c4, i);
        outb(0x3c5, m->sr[i]);
    }
    outb(0x3d4, 0x11);
    outb(0x3d5, 0x00);                           /* unlock CR0-7 */
    for (int i = 0; i < 25; i++) {
        outb(0x3d4, i);
        outb(0x3d5, m->cr[i]);
    }
    for (int i = 0; i < 9; i++) {
        outb(0x3ce, i);
        outb(0x3cf, m->gr[i]);
    }
    inb(0x3da);
    for (int i = 0; i < 21; i++) {
        outb(0x3c0, i);
        outb(0x3c0, m->ar[i]);
    }
    outb(0x3c0, 0x20);                           /* palette access off: display on */
}

static void set_dac(uint8_t idx, uint8_t r, uint8_t g, uint8_t b)
{
    outb(0x3c8, idx);
    outb(0x3c9, r);
    outb(0x3c9, g);
    outb(0x3c9, b);
}

static void wmem(uint32_t addr, uint8_t v) { address_space_st(&mem_as, addr, v, 1); }
static uint8_t rmem(uint32_t addr) { return address_space_ld(&mem_as, addr, 1, NULL); }

static uint32_t pixel(int x, int y)
{
    DisplaySurface *s = console_default()->surface;
    cr_assert(x < s->width && y < s->height);
    return surface_row(s, y)[x];
}

static const uint8_t glyph_A[16] = {
    0x00, 0x00, 0x10, 0x38, 0x6c, 0xc6, 0xc6, 0xfe, 0xc6, 0xc6, 0xc6, 0xc6, 0x00, 0x00, 0x00, 0x00,
};

Test(vga, text_mode_renders_glyphs_with_attributes)
{
    set_mode(&mode3);
    /* load a glyph into plane 2 the way a BIOS does */
    outw(0x3c4, 0x0402);
    outw(0x3c4, 0x0704);
    outw(0x3ce, 0x0204);
    outw(0x3ce, 0x0005);
    outw(0x3ce, 0x0406);
    for (int i = 0; i < 16; i++)
        wmem(0xa0000 + 'A' * 32 + i, glyph_A[i]);
    outw(0x3c4, 0x0302);
    outw(0x3c4, 0x0204);
    outw(0x3ce, 0x0004);
    outw(0x3ce, 0x1005);
    outw(0x3ce, 0x0e06);
    set_dac(0x01, 0, 0, 42);
    set_dac(0x3e, 63, 63, 21);
    outw(0x3d4, 0x200a);                         /* cursor off */
    for (int i = 0; i < 80 * 25; i++) {
        wmem(0xb8000 + 2 * i, ' ');
        wmem(0xb8000 + 2 * i + 1, 0x07);
    }
    wmem(0xb8000 + 2 * 81, 'A');                 /* row 1, column 1 */
    wmem(0xb8000 + 2 * 81 + 1, 0x1e);            /* yellow on blue */
    cr_assert_eq(rmem(0xb8000 + 2 * 81), 'A', "odd/even reads back");
    DisplayConsole *con = console_default();
    cr_assert_not_null(con);
    console_refresh(con);
    cr_assert_eq(con->surface->width, 720);
    cr_assert_eq(con->surface->height, 400);
    uint32_t yellow = 0xffff55, blue = 0x0000aa;
    int x0 = 9, y0 = 16;
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 9; x++) {
            bool on = x < 8 && (glyph_A[y] & (0x80 >> x));
            cr_assert_eq(pixel(x0 + x, y0 + y), on ? yellow : blue, "pixel %d,%d", x, y);
        }
    cr_assert_eq(pixel(0, 0), 0, "attribute 07 with DAC 7 left black");
    char text[81 * 25 + 1];
    cr_assert_eq(console_text_snapshot(con, text, sizeof(text)), 81 * 25);
    cr_assert_eq(strncmp(text + 81, " A  ", 4), 0);
    cr_assert_eq(text[80], '\n');
    /* only the changed cell is redrawn */
    int x, y, w, h;
    console_take_dirty(con, &x, &y, &w, &h);
    wmem(0xb8000 + 2 * (80 * 24 + 79) + 1, 0x10);
    console_refresh(con);
    cr_assert(console_take_dirty(con, &x, &y, &w, &h));
    cr_assert_eq(x, 79 * 9);
    cr_assert_eq(y, 24 * 16);
    cr_assert_eq(w, 9);
    cr_assert_eq(h, 16);
    cr_assert_eq(pixel(719, 399), blue);
    console_refresh(con);
    cr_assert_not(console_take_dirty(con, &x, &y, &w, &h), "nothing changed");
}

Test(vga, text_cursor_and_blank)
{
    set_mode(&mode3);
    set_dac(0x07, 42, 42, 42);
    outw(0x3d4, 0x0e0a);                         /* cursor lines 14-15 */
    outw(0x3d4, 0x0f0b);
    outw(0x3d4, 0x000e);
    outw(0x3d4, 0x000f);
    wmem(0xb8001, 0x07);
    clock_virtual_stop();
    console_refresh(console_default());
    /* blinking cursor: one of the two phases shows it; take the one we are in */
    bool shown = pixel(0, 14) == 0xaaaaaa;
    cr_assert_eq(pixel(0, 13), 0);
    cr_assert_eq(pixel(0, 15), shown ? 0xaaaaaa : 0);
    clock_virtual_start();
    inb(0x3da);
    outb(0x3c0, 0x00);                           /* PAS off: the screen goes blank */
    console_refresh(console_default());
    cr_assert_eq(pixel(0, 15), 0);
}

Test(vga, mode13_pixels_and_dirty_lines)
{
    set_mode(&mode13);
    set_dac(1, 63, 0, 0);
    set_dac(2, 0, 63, 0);
    set_dac(200, 10, 20, 30);
    wmem(0xa0000 + 0, 1);
    wmem(0xa0000 + 319, 2);
    wmem(0xa0000 + 100 * 320 + 160, 200);
    wmem(0xa0000 + 199 * 320 + 3, 1);
    cr_assert_eq(rmem(0xa0000 + 100 * 320 + 160), 200);
    DisplayConsole *con = console_default();
    console_refresh(con);
    cr_assert_eq(con->surface->width, 320);
    cr_assert_eq(con->surface->height, 200);
    cr_assert_eq(pixel(0, 0), 0xff0000);
    cr_assert_eq(pixel(319, 0), 0x00ff00);
    cr_assert_eq(pixel(160, 100), (40 | 40 >> 6) << 16 | (80 | 80 >> 6) << 8 | (120 | 120 >> 6));
    cr_assert_eq(pixel(3, 199), 0xff0000);
    cr_assert_eq(pixel(4, 199), 0);
    char text[16];
    cr_assert_eq(console_text_snapshot(con, text, sizeof(text)), -1, "not a text mode");
    /* chain 4 with all planes enabled: plain RAM at 0xa0000 (no MMIO dispatch) */
    const FlatRange *fr = address_space_lookup(&mem_as, 0xa0000);
    cr_assert_not_null(fr);
    cr_assert_str_eq(fr->mr->name, "vga.vram", "window backed by video RAM");
    int x, y, w, h;
    console_take_dirty(con, &x, &y, &w, &h);
    wmem(0xa0000 + 150 * 320 + 7, 2);
    console_refresh(con);
    cr_assert(console_take_dirty(con, &x, &y, &w, &h));
    cr_assert(y <= 150 && y + h > 150);
    cr_assert_eq(pixel(7, 150), 0x00ff00);
    /* a plane write mask turns the RAM window back into the register path */
    outw(0x3c4, 0x0102);
    fr = address_space_lookup(&mem_as, 0xa0000);
    cr_assert_str_neq(fr->mr->name, "vga.vram");
    wmem(0xa0000 + 150 * 320 + 8, 2);            /* plane 0 only: pixel 8 is plane 0 */
    wmem(0xa0000 + 150 * 320 + 9, 2);            /* plane 1: masked */
    console_refresh(con);
    cr_assert_eq(pixel(8, 150), 0x00ff00);
    cr_assert_eq(pixel(9, 150), 0);
    outw(0x3c4, 0x0f02);
    /* a palette change redraws everything */
    set_dac(1, 0, 0, 63);
    console_refresh(con);
    cr_assert(console_take_dirty(con, &x, &y, &w, &h));
    cr_assert_eq(h, 200);
    cr_assert_eq(pixel(0, 0), 0x0000ff);
}

Test(vga, mode4_cga_banks)
{
    set_mode(&mode4);
    set_dac(0x13, 63, 0, 0);
    set_dac(0x15, 0, 63, 0);
    set_dac(0x17, 0, 0, 63);
    wmem(0xb8000, 0xe4);                         /* row 0: pixels 3 2 1 0 */
    wmem(0xb8000 + 0x2000 + 1, 0x1b);            /* row 1 (odd bank), pixels 4-7: 0 1 2 3 */
    wmem(0xb8000 + 80 * 99 + 0x2000 + 79, 0x03); /* last pixel of row 199 */
    DisplayConsole *con = console_default();
    console_refresh(con);
    cr_assert_eq(con->surface->width, 320);
    cr_assert_eq(con->surface->height, 200);
    static const uint32_t col[4] = { 0, 0xff0000, 0x00ff00, 0x0000ff };
    for (int x = 0; x < 4; x++) {
        cr_assert_eq(pixel(x, 0), col[3 - x], "row 0 pixel %d", x);
        cr_assert_eq(pixel(4 + x, 1), col[x], "row 1 pixel %d", 4 + x);
    }
    cr_assert_eq(pixel(4, 0), 0);
    cr_assert_eq(pixel(319, 199), col[3]);
}

Test(vga, mode0d_and_mode_x)
{
    set_mode(&mode0d);
    set_dac(0x14, 63, 63, 0);                    /* color 12 -> AR 0x14 */
    outw(0x3ce, 0x0205);                         /* write mode 2 */
    outw(0x3ce, (0x01 << 8) | 0x08);             /* pixel 7 of the byte */
    rmem(0xa0000 + 40 * 199 + 39);
    wmem(0xa0000 + 40 * 199 + 39, 12);
    DisplayConsole *con = console_default();
    console_refresh(con);
    cr_assert_eq(con->surface->width, 320);
    cr_assert_eq(con->surface->height, 200);
    cr_assert_eq(pixel(319, 199), 0xffff00);
    cr_assert_eq(pixel(318, 199), 0);

    /* mode X: mode 13h unchained, 4 planes of 80 bytes per line */
    set_mode(&mode13);
    outw(0x3c4, 0x0604);
    outw(0x3d4, 0x0014);
    outw(0x3d4, 0xe317);
    set_dac(7, 0, 63, 63);
    outw(0x3c4, (1 << (5 & 3)) << 8 | 0x02);     /* plane of x = 5 */
    wmem(0xa0000 + 100 * 80 + 5 / 4, 7);
    console_refresh(con);
    cr_assert_eq(con->surface->width, 320);
    cr_assert_eq(con->surface->height, 200);
    cr_assert_eq(pixel(5, 100), 0x00ffff);
    cr_assert_eq(pixel(4, 100), 0);
    cr_assert_eq(pixel(6, 100), 0);
}

Test(vga, mode12_write_modes_and_read_modes)
{
    set_mode(&mode12);
    for (int i = 0; i < 16; i++)
        set_dac(mode12.ar[i], i * 4, 63 - i * 4, i);
    /* write mode 2: pixel 3 of byte 0 gets color 9 */
    outw(0x3ce, 0x0205);
    outw(0x3ce, (0x10 << 8) | 0x08);             /* bit mask: pixel 3 */
    rmem(0xa0000);                               /* load latches */
    wmem(0xa0000, 9);
    /* write mode 0 with set/reset: pixels 0-1 of line 1 get color 5 */
    outw(0x3ce, 0x0005);
    outw(0x3ce, 0x0500);
    outw(0x3ce, 0x0f01);
    outw(0x3ce, (0xc0 << 8) | 0x08);
    rmem(0xa0000 + 80);
    wmem(0xa0000 + 80, 0);
    outw(0x3ce, 0x0001);
    outw(0x3ce, 0xff08);
    DisplayConsole *con = console_default();
    console_refresh(con);
    cr_assert_eq(con->surface->width, 640);
    cr_assert_eq(con->surface->height, 480);
    uint32_t c9 = pixel(3, 0), c5 = pixel(0, 1);
    cr_assert_eq(c9, ((36 << 2 | 36 >> 4) << 16) | ((27 << 2 | 27 >> 4) << 8) | (9 << 2));
    cr_assert_eq(c5, ((20 << 2 | 20 >> 4) << 16) | ((43 << 2 | 43 >> 4) << 8) | (5 << 2));
    cr_assert_eq(pixel(1, 1), c5);
    cr_assert_eq(pixel(2, 1), pixel(2, 0), "unmasked pixels keep color 0");
    /* planar memory goes through the registers; only the changed lines are redrawn */
    int x, y, w, h;
    console_take_dirty(con, &x, &y, &w, &h);
    outw(0x3ce, 0x0205);
    rmem(0xa0000 + 80 * 300);
    wmem(0xa0000 + 80 * 300, 9);
    outw(0x3ce, 0x0005);
    console_refresh(con);
    cr_assert(console_take_dirty(con, &x, &y, &w, &h));
    cr_assert(y <= 300 && y + h > 300);
    cr_assert_leq(h, 16, "only the lines of the written page (%d)", h);
    cr_assert_eq(pixel(0, 300), c9);
    /* read mode 0 per plane, read mode 1 color compare */
    outw(0x3ce, 0x0004);
    cr_assert_eq(rmem(0xa0000), 0x10, "plane 0 of color 9");
    outw(0x3ce, 0x0304);
    cr_assert_eq(rmem(0xa0000), 0x10, "plane 3 of color 9");
    outw(0x3ce, 0x0104);
    cr_assert_eq(rmem(0xa0000), 0x00);
    outw(0x3ce, 0x0805);                         /* read mode 1 */
    outw(0x3ce, 0x0902);                         /* compare color 9 */
    outw(0x3ce, 0x0f07);
    cr_assert_eq(rmem(0xa0000), 0x10);
    outw(0x3ce, 0x0502);
    cr_assert_eq(rmem(0xa0000 + 80), 0xc0);
}

Test(vga, register_files_and_retrace)
{
    inb(0x3da);
    outb(0x3c0, 0x12);
    outb(0x3c0, 0xff);
    cr_assert_eq(inb(0x3c1), 0x3f, "reserved bits read as 0");
    outb(0x3c0, 0x20);
    outb(0x3c2, 0x67);
    cr_assert_eq(inb(0x3cc), 0x67);
    outw(0x3d4, 0x0011);
    outw(0x3d4, 0x5501);
    cr_assert_eq((outb(0x3d4, 0x01), inb(0x3d5)), 0x55);
    outw(0x3d4, 0x8011);                         /* protect CR0-7 */
    outw(0x3d4, 0x6601);
    cr_assert_eq((outb(0x3d4, 0x01), inb(0x3d5)), 0x55, "write-protected");
    outb(0x3c2, 0x66);                           /* monochrome: CRTC moves to 0x3b4 */
    cr_assert_eq(inb(0x3d5), 0xff);
    outb(0x3b4, 0x01);
    cr_assert_eq(inb(0x3b5), 0x55);
    outb(0x3c2, 0x67);
    set_dac(5, 1, 2, 3);
    outb(0x3c7, 5);
    cr_assert_eq(inb(0x3c9), 1);
    cr_assert_eq(inb(0x3c9), 2);
    cr_assert_eq(inb(0x3c9), 3);
    set_mode(&mode3);
    /* vertical retrace comes and goes as the virtual clock runs (70 Hz: 14 ms a frame) */
    bool seen_on = false, seen_off = false;
    for (long i = 0; i < 50000000 && !(seen_on && seen_off); i++) {
        uint8_t st = inb(0x3da);
        if (st & 0x08)
            seen_on = true;
        else if (seen_on)
            seen_off = true;
    }
    cr_assert(seen_on && seen_off);
}

Test(vga, vbe_lfb_and_banks)
{
    outw(0x1ce, 0);
    cr_assert_eq(inw(0x1cf), 0xb0c5);
    outw(0x1ce, 0x0a);
    cr_assert_eq(inw(0x1cf), 16 * MiB >> 16);
    outw(0x1ce, 4);
    outw(0x1cf, 0x02);                           /* GETCAPS */
    outw(0x1ce, 1);
    cr_assert_eq(inw(0x1cf), 2560);
    outw(0x1ce, 4);
    outw(0x1cf, 0);
    outw(0x1ce, 1); outw(0x1cf, 640);
    outw(0x1ce, 2); outw(0x1cf, 480);
    outw(0x1ce, 3); outw(0x1cf, 32);
    outw(0x1ce, 4); outw(0x1cf, 0x41);           /* enable, LFB */
    uint32_t px = 0x00123456;
    address_space_write(&mem_as, 0xe0000000 + (10 * 640 + 20) * 4, &px, 4);
    outw(0x1ce, 5); outw(0x1cf, 1);              /* bank 1 */
    wmem(0xa0000 + 0x100, 0xab);                 /* byte 0x10100: pixel 16448, blue */
    DisplayConsole *con = console_default();
    console_refresh(con);
    cr_assert_eq(con->surface->width, 640);
    cr_assert_eq(con->surface->height, 480);
    cr_assert_eq(pixel(20, 10), 0x123456);
    cr_assert_eq(pixel(16448 % 640, 16448 / 640), 0xab);
    /* y offset pans the display */
    outw(0x1ce, 9); outw(0x1cf, 10);
    console_refresh(con);
    cr_assert_eq(pixel(20, 0), 0x123456);
    /* an impossible mode is refused; 16 bpp works */
    outw(0x1ce, 4); outw(0x1cf, 0);
    outw(0x1ce, 1); outw(0x1cf, 641);
    outw(0x1ce, 2); outw(0x1cf, 480);
    outw(0x1ce, 3); outw(0x1cf, 32);
    outw(0x1ce, 4); outw(0x1cf, 0x41);
    cr_assert_eq(inw(0x1cf) & 1, 0, "width not a multiple of 8");
    outw(0x1ce, 3); outw(0x1cf, 12);
    outw(0x1ce, 1); outw(0x1cf, 640);
    outw(0x1ce, 4); outw(0x1cf, 0x41);
    cr_assert_eq(inw(0x1cf) & 1, 0, "12 bpp is not a VBE depth");
    outw(0x1ce, 1); outw(0x1cf, 800);
    outw(0x1ce, 2); outw(0x1cf, 600);
    outw(0x1ce, 3); outw(0x1cf, 16);
    outw(0x1ce, 4); outw(0x1cf, 0x41);
    uint16_t c = 0xf800;                          /* red in 5:6:5 */
    address_space_write(&mem_as, 0xe0000000 + 2 * 801, &c, 2);
    console_refresh(con);
    cr_assert_eq(con->surface->width, 800);
    cr_assert_eq(pixel(1, 1), 0xff0000);
    cr_assert_eq(pixel(0, 0), 0, "memory cleared on mode set");
}

Test(vga, vbe_4bpp_planar_banks)
{
    /* what SeaBIOS does for 800x600x16: the planar VGA mode first, then DISPI at 4 bpp */
    set_mode(&mode12);
    set_dac(mode12.ar[9], 63, 0, 63);
    outw(0x1ce, 1); outw(0x1cf, 800);
    outw(0x1ce, 2); outw(0x1cf, 600);
    outw(0x1ce, 3); outw(0x1cf, 4);
    outw(0x1ce, 4); outw(0x1cf, 0x01);
    cr_assert_eq(inw(0x1cf) & 1, 1);
    outw(0x1ce, 6); outw(0x1cf, 1600);           /* virtual width: 200 plane bytes a line */
    outw(0x3ce, 0x0205);                         /* write mode 2 */
    outw(0x3ce, 0x8008);                         /* leftmost pixel of the byte */
    rmem(0xa0000 + 200 * 10);
    wmem(0xa0000 + 200 * 10, 9);                 /* (0, 10) */
    outw(0x1ce, 5); outw(0x1cf, 1);              /* bank 1: plane bytes 65536.. */
    uint32_t off = 200 * 599 + 99 - 65536;       /* (799, 599) */
    outw(0x3ce, 0x0108);
    rmem(0xa0000 + off);
    wmem(0xa0000 + off, 9);                      /* (799, 599) */
    DisplayConsole *con = console_default();
    console_refresh(con);
    cr_assert_eq(con->surface->width, 800);
    cr_assert_eq(con->surface->height, 600);
    cr_assert_eq(pixel(0, 10), 0xff00ff);
    cr_assert_eq(pixel(1, 10), 0);
    cr_assert_eq(pixel(799, 599), 0xff00ff);
    const FlatRange *fr = address_space_lookup(&mem_as, 0xa0000);
    cr_assert_str_neq(fr->mr->name, "vga.vram", "planar banks go through the registers");
}

Test(vga, screendump_png)
{
    set_mode(&mode13);
    set_dac(1, 63, 0, 0);
    wmem(0xa0000 + 5 * 320 + 6, 1);
    char path[] = "/tmp/vireo-vga-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    Error *err = NULL;
    cr_assert(screendump_png(console_default(), path, &err), "%s", err ? err->msg : "");
    png_image img;
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    cr_assert(png_image_begin_read_from_file(&img, path));
    cr_assert_eq(img.width, 320);
    cr_assert_eq(img.height, 200);
    img.format = PNG_FORMAT_RGB;
    uint8_t *buf = xmalloc(PNG_IMAGE_SIZE(img));
    cr_assert(png_image_finish_read(&img, NULL, buf, 0, NULL));
    uint8_t *p = buf + (5 * 320 + 6) * 3;
    cr_assert_eq(p[0], 255);
    cr_assert_eq(p[1], 0);
    cr_assert_eq(buf[0], 0);
    free(buf);
    unlink(path);
    cr_assert_not(screendump_png(console_default(), "/nonexistent/dir/x.png", &err));
    cr_assert_not_null(strstr(err->msg, "No such file"));
}

/* ---- the PCI function ---- */

#include "hw/pci/pci.h"

Test(vga_pci, header_lfb_bar_and_rom)
{
    test_board_init();
    PCIBus *bus = pci_bus_new("pci.0", &sysmem, &sysio);
    char path[] = "/tmp/vireo-vgarom-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    uint8_t rom[3000] = { 0x55, 0xaa, 6 };
    cr_assert_eq(write(fd, rom, sizeof(rom)), (ssize_t)sizeof(rom));
    close(fd);
    Error *err = NULL;
    char *props = xasprintf("addr=2,romfile=%s", path);
    Device *d = device_create("VGA", props, &err);
    cr_assert_not_null(d, "%s", err ? err->msg : "");
    int devfn = PCI_DEVFN(2, 0);
    cr_assert_eq(pci_config_read(bus, devfn, 0, 4), 0x11111234);
    cr_assert_eq(pci_config_read(bus, devfn, 0x08, 4) >> 8, 0x030000);
    pci_config_write(bus, devfn, 0x10, 0xffffffff, 4);
    cr_assert_eq(pci_config_read(bus, devfn, 0x10, 4), 0xff000008, "16 MiB prefetchable BAR0");
    pci_config_write(bus, devfn, 0x30, 0xffffffff, 4);
    cr_assert_eq(pci_config_read(bus, devfn, 0x30, 4) & ~1u, 0xfffff000, "4 KiB ROM BAR");
    pci_config_write(bus, devfn, 0x10, 0xfd000000, 4);
    pci_config_write(bus, devfn, 0x30, 0xfebf0001, 4);
    pci_config_write(bus, devfn, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    cr_assert_eq(address_space_ld(&mem_as, 0xfebf0000, 2, NULL), 0xaa55);
    /* VBE through the BAR */
    outw(0x1ce, 1); outw(0x1cf, 320);
    outw(0x1ce, 2); outw(0x1cf, 200);
    outw(0x1ce, 3); outw(0x1cf, 24);
    outw(0x1ce, 4); outw(0x1cf, 0x41);
    uint8_t bgr[3] = { 0x33, 0x22, 0x11 };
    address_space_write(&mem_as, 0xfd000000 + 3 * (320 * 2 + 5), bgr, 3);
    console_refresh(console_default());
    cr_assert_eq(pixel(5, 2), 0x112233);
    unlink(path);
    cr_assert_null(device_create("VGA", "addr=3,romfile=/nonexistent.rom", &err));
    cr_assert_not_null(strstr(err->msg, "/nonexistent.rom"));
    free(props);
}
