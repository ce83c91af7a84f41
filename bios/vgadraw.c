/* vgadraw.c: pixels and characters in the graphics modes: CGA 2- and 1-bit interleaved
 * (B800h), EGA/VGA planar through the graphics controller (A000h), and mode 13h's bytes.
 * Characters are drawn from the font INT 43h points at, BDA 485h lines high. */
#include "vga.h"

/* Bytes of one pixel line: CGA's odd lines live 8 KiB up. */
static u16 line_offset(const struct vga_mode *m, u8 page, u16 y)
{
    switch (m->model) {
    case MM_CGA2:
    case MM_CGA1:
        return (y & 1) * 0x2000 + (y >> 1) * 80;
    case MM_PLANAR:
        return page * rd16(BDA_SEG, BDA_VIDEO_PAGESIZE) + y * (m->width / 8);
    default:
        return y * m->width;
    }
}

/* Planar writes through set/reset: colour into the planes selected by the bit mask. */
static void planar_write(u16 off, u8 mask, u8 color, int xor)
{
    gc_write(0, color);
    gc_write(1, 0x0f);
    gc_write(3, xor ? 0x18 : 0x00);
    gc_write(8, mask);
    rd8(0xa000, off);                   /* load the latches */
    wr8(0xa000, off, 0xff);
}

static void planar_restore(void)
{
    gc_write(0, 0);
    gc_write(1, 0);
    gc_write(3, 0);
    gc_write(8, 0xff);
}

/* AH=0Ch: bit 7 of the colour XORs (not in the 256-colour mode). */
void gfx_pixel_write(const struct vga_mode *m, u8 page, u16 x, u16 y, u8 color)
{
    if (x >= m->width || y >= m->height)
        return;
    u16 off = line_offset(m, page, y);
    int xor = (color & 0x80) && m->model != MM_LINEAR8;
    switch (m->model) {
    case MM_CGA2: {
        off += x / 4;
        u8 sh = (3 - (x & 3)) * 2, v = rd8(m->seg, off);
        v = xor ? v ^ ((color & 3) << sh) : (v & ~(3 << sh)) | (color & 3) << sh;
        wr8(m->seg, off, v);
        return;
    }
    case MM_CGA1: {
        off += x / 8;
        u8 bit = 0x80 >> (x & 7), v = rd8(m->seg, off);
        v = xor ? v ^ (color & 1 ? bit : 0) : (v & ~bit) | (color & 1 ? bit : 0);
        wr8(m->seg, off, v);
        return;
    }
    case MM_PLANAR:
        planar_write(off + x / 8, 0x80 >> (x & 7), color & 0x0f, xor);
        planar_restore();
        return;
    default:
        wr8(m->seg, off + x, color);
    }
}

/* AH=0Dh */
u8 gfx_pixel_read(const struct vga_mode *m, u8 page, u16 x, u16 y)
{
    if (x >= m->width || y >= m->height)
        return 0;
    u16 off = line_offset(m, page, y);
    switch (m->model) {
    case MM_CGA2:
        return rd8(m->seg, off + x / 4) >> ((3 - (x & 3)) * 2) & 3;
    case MM_CGA1:
        return rd8(m->seg, off + x / 8) >> (7 - (x & 7)) & 1;
    case MM_PLANAR: {
        u8 color = 0, save = gc_read(4);
        for (u8 plane = 0; plane < 4; plane++) {
            gc_write(4, plane);
            color |= (rd8(0xa000, off + x / 8) >> (7 - (x & 7)) & 1) << plane;
        }
        gc_write(4, save);
        return color;
    }
    default:
        return rd8(m->seg, off + x);
    }
}

/* Bytes per character cell on one pixel line. */
static u8 cell_bytes(const struct vga_mode *m)
{
    return m->model == MM_CGA2 ? 2 : m->model == MM_LINEAR8 ? 8 : 1;
}

/* One line of a glyph (8 pixels, bit 7 leftmost) into a cell at line offset off. */
static void glyph_line(const struct vga_mode *m, u16 off, u8 bits, u8 color)
{
    int xor = (color & 0x80) && m->model != MM_LINEAR8;
    switch (m->model) {
    case MM_CGA2: {
        u16 v = 0;
        for (u8 i = 0; i < 8; i++)
            if (bits & (0x80 >> i))
                v |= (u16)(color & 3) << (14 - i * 2);
        for (u8 b = 0; b < 2; b++) {
            u8 part = v >> (8 - b * 8);
            wr8(m->seg, off + b, xor ? rd8(m->seg, off + b) ^ part : part);
        }
        return;
    }
    case MM_CGA1: {
        u8 v = color & 1 ? bits : 0;
        wr8(m->seg, off, xor ? rd8(m->seg, off) ^ v : v);
        return;
    }
    case MM_PLANAR:
        if (xor) {
            planar_write(off, bits, color & 0x0f, 1);
        } else {
            planar_write(off, bits, color & 0x0f, 0);
            planar_write(off, (u8)~bits, 0, 0);
        }
        return;
    default:
        for (u8 i = 0; i < 8; i++)
            wr8(m->seg, off + i, bits & (0x80 >> i) ? color : 0);
    }
}

void gfx_cell_write(u8 page, u8 row, u8 col, u8 ch, u8 color)
{
    const struct vga_mode *m = vga_current_mode();
    u8 h = rd8(BDA_SEG, BDA_CHAR_HEIGHT);
    if ((u16)col * 8 >= m->width || (u16)row * h >= m->height)
        return;
    u16 fseg = rd16(0, 0x43 * 4 + 2), foff = rd16(0, 0x43 * 4) + ch * h;
    for (u8 y = 0; y < h; y++)
        glyph_line(m, line_offset(m, page, row * h + y) + col * cell_bytes(m), rd8(fseg, foff + y),
                   color);
    if (m->model == MM_PLANAR)
        planar_restore();
}

/* AH=08h in graphics modes: the character whose glyph matches the lit pixels of the cell. */
u8 gfx_cell_read(u8 page, u8 row, u8 col)
{
    const struct vga_mode *m = vga_current_mode();
    u8 h = rd8(BDA_SEG, BDA_CHAR_HEIGHT);
    u8 cell[16];
    if (h > 16)
        return 0;
    for (u8 y = 0; y < h; y++) {
        cell[y] = 0;
        for (u8 x = 0; x < 8; x++)
            if (gfx_pixel_read(m, page, col * 8 + x, row * h + y))
                cell[y] |= 0x80 >> x;
    }
    u16 fseg = rd16(0, 0x43 * 4 + 2), foff = rd16(0, 0x43 * 4);
    for (u16 ch = 0; ch < 256; ch++) {
        u8 y = 0;
        while (y < h && rd8(fseg, foff + ch * h + y) == cell[y])
            y++;
        if (y == h)
            return ch;
    }
    return 0;
}

/* Copy (src >= 0) or fill one pixel line of a run of cells. */
static void line_move(const struct vga_mode *m, u16 dst, int src, u16 n, u8 color)
{
    if (m->model == MM_PLANAR) {
        if (src >= 0) {
            gc_write(5, (gc_read(5) & ~3) | 1);             /* write mode 1: latches */
            for (u16 i = 0; i < n; i++) {
                rd8(0xa000, src + i);
                wr8(0xa000, dst + i, 0);
            }
            gc_write(5, gc_read(5) & ~3);
        } else {
            for (u16 i = 0; i < n; i++)
                planar_write(dst + i, 0xff, color & 0x0f, 0);
            planar_restore();
        }
        return;
    }
    u8 fill = m->model == MM_CGA2 ? (color & 3) * 0x55 : m->model == MM_CGA1 ? (color & 1 ? 0xff : 0)
                                                                            : color;
    for (u16 i = 0; i < n; i++)
        wr8(m->seg, dst + i, src >= 0 ? rd8(m->seg, src + i) : fill);
}

/* AH=06h/07h and teletype scrolling in graphics modes (the active page). */
void gfx_scroll(int n, int up, u8 color, u8 r0, u8 c0, u8 r1, u8 c1)
{
    const struct vga_mode *m = vga_current_mode();
    u8 h = rd8(BDA_SEG, BDA_CHAR_HEIGHT), page = rd8(BDA_SEG, BDA_VIDEO_PAGE);
    u8 cb = cell_bytes(m);
    int h_rows = r1 - r0 + 1;
    if (n == 0 || n > h_rows)
        n = h_rows;
    for (int i = 0; i < h_rows; i++) {
        int row = up ? r0 + i : r1 - i;
        int src = up ? row + n : row - n;
        int copy = up ? src <= r1 : src >= r0;
        for (u8 y = 0; y < h; y++) {
            u16 dst = line_offset(m, page, row * h + y) + c0 * cb;
            int s = copy ? line_offset(m, page, src * h + y) + c0 * cb : -1;
            line_move(m, dst, s, (c1 - c0 + 1) * cb, color);
        }
    }
}
