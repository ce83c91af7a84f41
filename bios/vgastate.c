/* vgastate.c: save and restore the video state (INT 10h AH=1Ch, and VBE 4F04h with the DISPI
 * registers as its "SVGA" part). The buffer layout is the BIOS's own: the parts the flags in
 * CX select, in order: registers (64 bytes), BDA video fields and font vectors (49), DAC
 * (769), DISPI (18). */
#include "vga.h"

enum { ST_HW = 1, ST_BDA = 2, ST_DAC = 4, ST_SVGA = 8 };
#define HW_SIZE 64
#define BDA_PART_SIZE 49
#define DAC_SIZE 769
#define SVGA_SIZE 18

u16 vga_state_size(u16 flags)
{
    return (flags & ST_HW ? HW_SIZE : 0) + (flags & ST_BDA ? BDA_PART_SIZE : 0) +
           (flags & ST_DAC ? DAC_SIZE : 0) + (flags & ST_SVGA ? SVGA_SIZE : 0);
}

/* One function for both directions keeps the two layouts identical. */
static void byte_xfer(u16 seg, u16 *off, u8 *v, int save)
{
    if (save)
        wr8(seg, *off, *v);
    else
        *v = rd8(seg, *off);
    (*off)++;
}

static void hw_xfer(u16 seg, u16 *off, int save)
{
    u16 crtc = vga_crtc();
    u8 v;
    if (save) {
        v = inb(VGA_MISC_R); byte_xfer(seg, off, &v, 1);
        for (u8 i = 0; i < 5; i++) { v = seq_read(i); byte_xfer(seg, off, &v, 1); }
        for (u8 i = 0; i < 25; i++) { outb(i, crtc); v = inb(crtc + 1); byte_xfer(seg, off, &v, 1); }
        for (u8 i = 0; i < 9; i++) { v = gc_read(i); byte_xfer(seg, off, &v, 1); }
        for (u8 i = 0; i < 21; i++) { v = ac_read(i); byte_xfer(seg, off, &v, 1); }
    } else {
        vga_screen_enable(0);
        byte_xfer(seg, off, &v, 0); outb(v, VGA_MISC_W);
        crtc = v & 1 ? 0x3d4 : 0x3b4;
        seq_write(0, 1);
        (*off)++;
        for (u8 i = 1; i < 5; i++) { byte_xfer(seg, off, &v, 0); seq_write(i, v); }
        seq_write(0, 3);
        outw(0x0011, crtc);
        for (u8 i = 0; i < 25; i++) { byte_xfer(seg, off, &v, 0); outw((u16)v << 8 | i, crtc); }
        for (u8 i = 0; i < 9; i++) { byte_xfer(seg, off, &v, 0); gc_write(i, v); }
        inb(crtc + 6);
        for (u8 i = 0; i < 21; i++) { byte_xfer(seg, off, &v, 0); outb(i, VGA_AC); outb(v, VGA_AC); }
        vga_screen_enable(1);
    }
    *off += HW_SIZE - 61;               /* spare */
}

static const u8 bda_parts[][2] = { { 0x49, 30 }, { 0x84, 7 }, { 0xa8, 4 } };

static void bda_xfer(u16 seg, u16 *off, int save)
{
    for (u8 p = 0; p < ARRAY_SIZE(bda_parts); p++)
        for (u8 i = 0; i < bda_parts[p][1]; i++) {
            u8 v = rd8(BDA_SEG, bda_parts[p][0] + i);
            byte_xfer(seg, off, &v, save);
            wr8(BDA_SEG, bda_parts[p][0] + i, v);
        }
    for (u8 i = 0; i < 8; i++) {        /* INT 1Fh and INT 43h */
        u16 a = (i < 4 ? 0x1f * 4 : 0x43 * 4 - 4) + i;
        u8 v = rd8(0, a);
        byte_xfer(seg, off, &v, save);
        wr8(0, a, v);
    }
}

static void dac_xfer(u16 seg, u16 *off, int save)
{
    u8 v = inb(VGA_PEL_MASK);
    byte_xfer(seg, off, &v, save);
    outb(v, VGA_PEL_MASK);
    outb(0, save ? VGA_DAC_RINDEX : VGA_DAC_WINDEX);
    for (u16 i = 0; i < 768; i++) {
        if (save)
            v = inb(VGA_DAC_DATA);
        byte_xfer(seg, off, &v, save);
        if (!save)
            outb(v, VGA_DAC_DATA);
    }
}

static void svga_xfer(u16 seg, u16 *off, int save)
{
    u16 v[9];
    for (u8 i = 0; i < 9; i++) {
        v[i] = dispi_read(DISPI_XRES + i);
        byte_xfer(seg, off, (u8 *)&v[i], save);
        byte_xfer(seg, off, (u8 *)&v[i] + 1, save);
    }
    if (save)
        return;
    dispi_write(DISPI_ENABLE, 0);
    for (u8 i = 0; i < 3; i++)
        dispi_write(DISPI_XRES + i, v[i]);
    if (v[3] & DISPI_ENABLED) {
        dispi_write(DISPI_ENABLE, v[3] | DISPI_NOCLEARMEM);
        dispi_write(DISPI_BANK, v[4]);
        dispi_write(DISPI_VIRT_WIDTH, v[5]);
        dispi_write(DISPI_X_OFFSET, v[7]);
        dispi_write(DISPI_Y_OFFSET, v[8]);
    }
}

void vga_state_xfer(u16 flags, u16 seg, u16 off, int save)
{
    if (flags & ST_HW)
        hw_xfer(seg, &off, save);
    if (flags & ST_BDA)
        bda_xfer(seg, &off, save);
    if (flags & ST_DAC)
        dac_xfer(seg, &off, save);
    if (flags & ST_SVGA)
        svga_xfer(seg, &off, save);
}

/* AH=1Ch: AL=0 size in 64-byte blocks (BX), 1 save to ES:BX, 2 restore; CX = parts. */
void vga_int10_1c(struct bregs *r)
{
    u16 flags = r->cx & (ST_HW | ST_BDA | ST_DAC);
    switch (r->al) {
    case 0:
        r->bx = (vga_state_size(flags) + 63) / 64;
        break;
    case 1:
    case 2:
        vga_state_xfer(flags, r->es, r->bx, r->al == 1);
        break;
    default:
        unsupported(r, 0x10, 0);
        return;
    }
    r->al = 0x1c;
}
