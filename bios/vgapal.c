/* vgapal.c: INT 10h AH=0Bh (CGA background and palette) and AH=10h (attribute controller
 * palette registers and the DAC). */
#include "vga.h"

/* AH=0Bh BH=00h: background (graphics) or border (text); BH=01h: CGA palette 0 or 1. */
void vga_int10_0b(struct bregs *r)
{
    const struct vga_mode *m = vga_current_mode();
    u8 pal = rd8(BDA_SEG, BDA_VIDEO_PAL);
    if (r->bh == 0)
        pal = (pal & 0xe0) | (r->bl & 0x1f);
    else if (r->bh == 1)
        pal = (pal & 0xdf) | (r->bl & 1 ? 0x20 : 0);
    else
        return;
    wr8(BDA_SEG, BDA_VIDEO_PAL, pal);
    if (m->model == MM_TEXT) {
        ac_write(0x11, ac_read(pal & 0x0f));  /* the border in that text colour */
        return;
    }
    u8 back = (pal & 0x07) | (pal & 0x18 ? 0x10 : 0);
    ac_write(0x00, back);
    ac_write(0x11, back);
    if (m->model == MM_CGA2) {
        /* palette 0: green, red, brown; palette 1: cyan, magenta, white (bit 4: intensity) */
        for (u8 i = 1; i < 4; i++)
            ac_write(i, i * 2 + (pal & 0x20 ? 1 : 0) + (pal & 0x10 ? 0x10 : 0));
    }
}

static void dac_read(u8 index, u8 *rgb)
{
    outb(index, VGA_DAC_RINDEX);
    for (u8 c = 0; c < 3; c++)
        rgb[c] = inb(VGA_DAC_DATA);
}

void vga_int10_10(struct bregs *r)
{
    switch (r->al) {
    case 0x00:                          /* set one palette register */
        if (r->bl < 0x14)
            ac_write(r->bl, r->bh);
        return;
    case 0x01:
        ac_write(0x11, r->bh);
        return;
    case 0x02:                          /* 16 palette registers + overscan from ES:DX */
        for (u8 i = 0; i < 17; i++)
            ac_write(i < 16 ? i : 0x11, rd8(r->es, r->dx + i));
        return;
    case 0x03:                          /* BL=0: background intensity, 1: blink */
        ac_write(0x10, (ac_read(0x10) & ~0x08) | (r->bl & 1 ? 0x08 : 0));
        return;
    case 0x07:
        if (r->bl < 0x14)
            r->bh = ac_read(r->bl);
        return;
    case 0x08:
        r->bh = ac_read(0x11);
        return;
    case 0x09:
        for (u8 i = 0; i < 17; i++)
            wr8(r->es, r->dx + i, ac_read(i < 16 ? i : 0x11));
        return;
    case 0x10:
        vga_dac_write(r->bl, r->dh, r->ch, r->cl);
        return;
    case 0x12:                          /* CX DAC registers from BX, RGB triples at ES:DX */
        for (u16 i = 0; i < r->cx && r->bx + i < 256; i++)
            vga_dac_write(r->bx + i, rd8(r->es, r->dx + i * 3), rd8(r->es, r->dx + i * 3 + 1),
                          rd8(r->es, r->dx + i * 3 + 2));
        return;
    case 0x13: {                        /* colour page: BL=0 paging mode, BL=1 page */
        u8 mc = ac_read(0x10);
        if (r->bl == 0)
            ac_write(0x10, (mc & 0x7f) | (r->bh & 1 ? 0x80 : 0));
        else if (r->bl == 1)
            ac_write(0x14, mc & 0x80 ? r->bh & 0x0f : (r->bh & 3) << 2);
        return;
    }
    case 0x15: {
        u8 rgb[3];
        dac_read(r->bl, rgb);
        r->dh = rgb[0];
        r->ch = rgb[1];
        r->cl = rgb[2];
        return;
    }
    case 0x17:
        for (u16 i = 0; i < r->cx && r->bx + i < 256; i++) {
            u8 rgb[3];
            dac_read(r->bx + i, rgb);
            far_write(r->es, r->dx + i * 3, rgb, 3);
        }
        return;
    case 0x18:
        outb(r->bl, VGA_PEL_MASK);
        return;
    case 0x19:
        r->bl = inb(VGA_PEL_MASK);
        return;
    case 0x1a: {
        u8 mc = ac_read(0x10), cs = ac_read(0x14);
        r->bl = mc >> 7;
        r->bh = mc & 0x80 ? cs & 0x0f : cs >> 2 & 3;
        return;
    }
    case 0x1b: {                        /* sum CX registers from BX to grey */
        u8 flags = rd8(BDA_SEG, BDA_VGA_FLAGS);
        wr8(BDA_SEG, BDA_VGA_FLAGS, flags | 0x02);
        for (u16 i = 0; i < r->cx && r->bx + i < 256; i++) {
            u8 rgb[3];
            dac_read(r->bx + i, rgb);
            vga_dac_write(r->bx + i, rgb[0], rgb[1], rgb[2]);
        }
        wr8(BDA_SEG, BDA_VGA_FLAGS, flags);
        return;
    }
    }
    unsupported(r, 0x10, 0);
}
