/* vgacharset.c: INT 10h AH=11h, the character generator: fonts loaded into plane 2 for the
 * text modes (user, 8x14, 8x8, 8x16; the 1xh variants also reprogram the character height
 * and the rows), the graphics-mode font vectors INT 1Fh/43h, and font information. */
#include "vga.h"

/* An empty alternate (9-dot) replacement table: no character differs from the 8-dot font. */
static const u8 no_alternates[1] ROMONLY = { 0 };

/* AH=11h AL=2xh, BL: 0 = DL rows, 1 = 14, 2 = 25, 3 = 43. */
static void gfx_rows(struct bregs *r, u8 height)
{
    static const u8 rows_by_code[4] = { 0, 14, 25, 43 };
    u8 rows = r->bl < 4 && r->bl ? rows_by_code[r->bl] : r->dl;
    if (rows)
        wr8(BDA_SEG, BDA_VIDEO_ROWS, rows - 1);
    wr16(BDA_SEG, BDA_CHAR_HEIGHT, height);
}

void vga_int10_11(struct bregs *r)
{
    u8 height;
    switch (r->al) {
    case 0x00:
    case 0x10:                          /* user font: ES:BP, CX chars from DX, BH bytes each */
        if (r->bh == 0 || r->bh > 32)
            break;
        vga_font_load(r->es, r->bp, r->dx, r->cx, r->bl, r->bh);
        if (r->al == 0x10)
            vga_text_rows(r->bh);
        return;
    case 0x01: case 0x11:
    case 0x02: case 0x12:
    case 0x04: case 0x14:
        height = (r->al & 0x0f) == 1 ? 14 : (r->al & 0x0f) == 2 ? 8 : 16;
        vga_font_load(rom_seg(), vga_rom_font(height), 0, 256, r->bl, height);
        if (r->al & 0x10)
            vga_text_rows(height);
        return;
    case 0x03:                          /* character map select */
        seq_write(3, r->bl);
        return;
    case 0x20:
        wr16(0, 0x1f * 4, r->bp);
        wr16(0, 0x1f * 4 + 2, r->es);
        return;
    case 0x21:
        wr16(0, 0x43 * 4, r->bp);
        wr16(0, 0x43 * 4 + 2, r->es);
        gfx_rows(r, r->cl);
        return;
    case 0x22:
    case 0x23:
    case 0x24:
        height = r->al == 0x22 ? 14 : r->al == 0x23 ? 8 : 16;
        wr16(0, 0x43 * 4, vga_rom_font(height));
        wr16(0, 0x43 * 4 + 2, rom_seg());
        gfx_rows(r, height);
        return;
    case 0x30: {                        /* font information: BH selects the pointer */
        static const u8 heights[8] = { 0, 0, 14, 8, 8, 14, 16, 16 };
        if (r->bh > 7)
            break;
        if (r->bh < 2) {
            u8 vec = r->bh ? 0x43 : 0x1f;
            r->bp = rd16(0, vec * 4);
            r->es = rd16(0, vec * 4 + 2);
        } else {
            r->es = rom_seg();
            r->bp = r->bh == 5 || r->bh == 7 ? (u16)(u32)no_alternates : vga_rom_font(heights[r->bh]);
            if (r->bh == 4)
                r->bp += 128 * 8;
        }
        r->cx = rd16(BDA_SEG, BDA_CHAR_HEIGHT);
        r->dl = rd8(BDA_SEG, BDA_VIDEO_ROWS);
        return;
    }
    }
    unsupported(r, 0x10, 0);
}
