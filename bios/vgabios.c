/* vgabios.c: vireo's VGA BIOS (option ROM for the standard VGA, 1234:1111): programs the
 * CRTC/sequencer/graphics/attribute/DAC registers for the 80x25 text modes, loads the font it
 * draws itself (tools/mkfont.c) into plane 2, and serves INT 10h through the text functions
 * of video.c, mirrored to COM1. Graphics modes and VBE are not implemented yet. */
#include "bios.h"
#include "farptr.h"
#include "output.h"
#include "x86.h"

extern const u8 vgafont8[256 * 8], vgafont14[256 * 14], vgafont16[256 * 16];
extern char entry_int10[];
void handle_10(struct bregs *r);

/* IBM VGA Technical Reference, mode 03h (720x400, 9-dot characters, 70 Hz). */
static const u8 mode3_seq[5] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const u8 mode3_crtc[25] = {
    0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00,
    0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
};
static const u8 mode3_gc[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff };
static const u8 mode3_ac[21] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d,
    0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00,
};

VISIBLE16 void irq_dispatch(struct bregs *r)
{
    u16 ss = r->caller_ss, sp = (u16)r->caller_esp;
    r->handler = rd16(ss, sp);
    r->ip = rd16(ss, sp + 2);
    r->cs = rd16(ss, sp + 4);
    r->flags = rd16(ss, sp + 6);
    ((void (*)(struct bregs *))(u32)r->handler)(r);
    wr16(ss, sp + 6, r->flags);
}

void unsupported(struct bregs *r, u8 intno, u8 status)
{
    dprintf(1, "vireo VGA BIOS: not implemented: INT %02xh AX=%04x\n", intno, r->ax);
}

/* 64-colour EGA palette in the DAC: bits 5-3 are the 1/3-intensity r g b, bits 2-0 the
 * 2/3-intensity R G B (VGA DAC values are 6-bit). */
static void dac_load(void)
{
    outb(0xff, 0x3c6);
    outb(0, 0x3c8);
    for (int i = 0; i < 256; i++) {
        int e = i & 63;
        u8 rgb[3] = {
            (u8)(((e >> 2) & 1) * 42 + ((e >> 5) & 1) * 21),
            (u8)(((e >> 1) & 1) * 42 + ((e >> 4) & 1) * 21),
            (u8)((e & 1) * 42 + ((e >> 3) & 1) * 21),
        };
        for (int c = 0; c < 3; c++)
            outb(rgb[c], 0x3c9);
    }
}

/* Plane 2 holds the font: 32 bytes per character, the glyph in the first h bytes. */
static void font_load(const u8 *font, int h)
{
    outw(0x0402, 0x3c4);                /* map mask: plane 2 */
    outw(0x0704, 0x3c4);                /* memory mode: sequential, extended */
    outw(0x0204, 0x3ce);                /* read map 2 */
    outw(0x0005, 0x3ce);                /* write mode 0, no odd/even */
    outw(0x0406, 0x3ce);                /* A0000h, 64 KiB, text addressing off */
    for (int ch = 0; ch < 256; ch++)
        for (int y = 0; y < 32; y++)
            wr8(0xa000, ch * 32 + y, y < h ? font[ch * h + y] : 0);
    outw(0x0302, 0x3c4);
    outw(0x0304, 0x3c4);
    outw(0x0004, 0x3ce);
    outw(0x1005, 0x3ce);
    outw(0x0e06, 0x3ce);
}

static void set_text_mode(void)
{
    inb(0x3da);
    outb(0x00, 0x3c0);                  /* attribute controller: palette off while loading */
    outb(0x67, 0x3c2);                  /* misc output: colour, 28 MHz clock, 400 lines */
    outw(0x0100, 0x3c4);                /* sequencer synchronous reset */
    for (int i = 1; i < 5; i++)
        outw((u16)mode3_seq[i] << 8 | i, 0x3c4);
    outw(0x0300, 0x3c4);
    outw(0x0e11, 0x3d4);                /* unlock CRTC 0-7 */
    for (int i = 0; i < 25; i++)
        outw((u16)mode3_crtc[i] << 8 | i, 0x3d4);
    for (int i = 0; i < 9; i++)
        outw((u16)mode3_gc[i] << 8 | i, 0x3ce);
    inb(0x3da);
    for (int i = 0; i < 21; i++) {
        outb(i, 0x3c0);
        outb(mode3_ac[i], 0x3c0);
    }
    dac_load();
    font_load(vgafont16, 16);
    inb(0x3da);
    outb(0x20, 0x3c0);                  /* palette on: display enabled */
}

VISIBLE16 void handle_vga10(struct bregs *r)
{
    if (r->ah == 0x00) {
        u8 mode = r->al & 0x7f;
        if (mode != 2 && mode != 3) {
            dprintf(1, "vireo VGA BIOS: not implemented: video mode %02xh\n", mode);
            return;
        }
        set_text_mode();
    }
    if (r->ah == 0x4f) {
        dprintf(1, "vireo VGA BIOS: not implemented: VBE function %04x\n", r->ax);
        r->ax = 0x014f;                 /* VBE: function call failed */
        return;
    }
    handle_10(r);
}

VISIBLE16 void vga_init(u16 bdf)
{
    serial_init();                      /* for the INT 10h mirror; same settings as POST */
    set_text_mode();
    wr16(0, 0x10 * 4, (u16)(u32)entry_int10);
    u16 cs;
    __asm__("movw %%cs, %0" : "=r"(cs));
    wr16(0, 0x10 * 4 + 2, cs);
    /* INT 43h: 8x8 font; INT 1Fh: its upper 128 characters. */
    wr16(0, 0x43 * 4, (u16)(u32)vgafont8);
    wr16(0, 0x43 * 4 + 2, cs);
    wr16(0, 0x1f * 4, (u16)(u32)vgafont8 + 128 * 8);
    wr16(0, 0x1f * 4 + 2, cs);
    struct bregs r = { 0 };
    r.ax = 0x0003;
    handle_10(&r);                      /* BDA video fields, clear screen, cursor home */
    dprintf(1, "vireo VGA BIOS: 80x25 text, INT 10h at %04x:%04x\n", cs, (u16)(u32)entry_int10);
}
