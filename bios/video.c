/* video.c: the character functions of INT 10h: cursor, pages, scrolling, character/attribute,
 * teletype, write string, mirrored to COM1. The system BIOS serves 80x25 text with it until a
 * VGA option ROM installs its INT 10h; the VGA BIOS (built with VGABIOS=1) uses the same code
 * for every text mode and hands the cells of graphics modes to vgadraw.c. */
#include "bios.h"
#include "farptr.h"
#include "output.h"
#include "x86.h"
#if VGABIOS
#include "vga.h"
#else
static int vga_gfx_mode(void) { return 0; }
#endif

static u8 cols(void) { return rd8(BDA_SEG, BDA_VIDEO_COLS); }
static u8 rows(void) { return rd8(BDA_SEG, BDA_VIDEO_ROWS) + 1; }
static u16 text_seg(void) { return rd8(BDA_SEG, BDA_VIDEO_MODE) == 7 ? 0xb000 : 0xb800; }

static u16 cursor_get(u8 page) { return rd16(BDA_SEG, BDA_CURSOR_POS + (page & 7) * 2); }

static void crtc_write16(u8 reg, u16 v)
{
    u16 crtc = rd16(BDA_SEG, BDA_CRTC_BASE);
    outw((v & 0xff00) | reg, crtc);
    outw((u16)(v << 8) | (reg + 1), crtc);
}

static void cursor_set(u8 page, u8 row, u8 col)
{
    wr16(BDA_SEG, BDA_CURSOR_POS + (page & 7) * 2, (u16)row << 8 | col);
    if (page != rd8(BDA_SEG, BDA_VIDEO_PAGE) || vga_gfx_mode())
        return;
    crtc_write16(0x0e, rd16(BDA_SEG, BDA_VIDEO_PAGESTART) / 2 + row * cols() + col);
}

static u16 cell_off(u8 page, u8 row, u8 col)
{
    return (page & 7) * rd16(BDA_SEG, BDA_VIDEO_PAGESIZE) + (row * cols() + col) * 2;
}

static void cell_write(u8 page, u8 row, u8 col, u8 ch, int attr)
{
    if (vga_gfx_mode()) {
#if VGABIOS
        gfx_cell_write(page, row, col, ch, attr < 0 ? 0x0f : attr);
#endif
        return;
    }
    wr8(text_seg(), cell_off(page, row, col), ch);
    if (attr >= 0)
        wr8(text_seg(), cell_off(page, row, col) + 1, attr);
}

static u16 cell_read(u8 page, u8 row, u8 col)
{
#if VGABIOS
    if (vga_gfx_mode())
        return gfx_cell_read(page, row, col);
#endif
    return rd16(text_seg(), cell_off(page, row, col));
}

/* Scroll the window (r0,c0)-(r1,c1) of the active page up or down by n lines (0: blank it). */
static void scroll(int n, int up, u8 attr, u8 r0, u8 c0, u8 r1, u8 c1)
{
    if (r1 >= rows()) r1 = rows() - 1;
    if (c1 >= cols()) c1 = cols() - 1;
    if (r0 > r1 || c0 > c1)
        return;
#if VGABIOS
    if (vga_gfx_mode()) {
        gfx_scroll(n, up, attr, r0, c0, r1, c1);
        return;
    }
#endif
    int h = r1 - r0 + 1;
    if (n == 0 || n > h)
        n = h;
    u8 page = rd8(BDA_SEG, BDA_VIDEO_PAGE);
    u16 seg = text_seg();
    for (int i = 0; i < h; i++) {
        int row = up ? r0 + i : r1 - i;
        int src = up ? row + n : row - n;
        for (int c = c0; c <= c1; c++) {
            u16 v = (up ? src <= r1 : src >= r0) ? rd16(seg, cell_off(page, src, c))
                                                 : (u16)attr << 8 | ' ';
            wr16(seg, cell_off(page, row, c), v);
        }
    }
}

static void tty_putc(u8 page, char c, int attr, int mirror)
{
    if (mirror && serial_mirror_enabled())
        serial_putc(c);
    u16 pos = cursor_get(page);
    u8 row = pos >> 8, col = pos & 0xff;
    switch (c) {
    case '\r': col = 0; break;
    case '\n': row++; break;
    case '\b': if (col) col--; break;
    case '\a': break;
    default:
        cell_write(page, row, col, c, attr);
        if (++col >= cols()) { col = 0; row++; }
    }
    if (row >= rows()) {
        scroll(1, 1, vga_gfx_mode() ? 0 : 0x07, 0, 0, rows() - 1, cols() - 1);
        row = rows() - 1;
    }
    cursor_set(page, row, col);
}

/* Firmware messages on the text screen (both modes): straight into the buffer, sharing the
 * BDA cursor with whichever INT 10h is installed, so nothing is mirrored twice. */
void video_putc(char c) { tty_putc(rd8(BDA_SEG, BDA_VIDEO_PAGE), c, -1, 0); }

#if MODE16

/* CGA-style cursor lines (0-7) scaled to taller character cells, the bottom lines kept at
 * the bottom (BDA 487h bit 0 clear: emulation on). */
static u8 cursor_line(u8 l, u8 h)
{
    if ((rd8(BDA_SEG, BDA_VIDEO_CTL) & 1) || h <= 8 || l > 7)
        return l;
    return l < 6 ? l * h / 8 : h - 9 + l;
}

static void set_page(u8 page)
{
    page &= 7;
    u16 start = page * rd16(BDA_SEG, BDA_VIDEO_PAGESIZE);
    wr8(BDA_SEG, BDA_VIDEO_PAGE, page);
    wr16(BDA_SEG, BDA_VIDEO_PAGESTART, start);
    crtc_write16(0x0c, vga_gfx_mode() ? start : start / 2);
    u16 pos = cursor_get(page);
    cursor_set(page, pos >> 8, pos & 0xff);
}

VISIBLE16 void handle_10(struct bregs *r)
{
    switch (r->ah) {
    case 0x00:
        if ((r->al & 0x7f) != 3 && (r->al & 0x7f) != 2) {
            unsupported(r, 0x10, 0);
            return;
        }
        wr8(BDA_SEG, BDA_VIDEO_MODE, r->al & 0x7f);
        wr16(BDA_SEG, BDA_VIDEO_COLS, 80);
        wr8(BDA_SEG, BDA_VIDEO_ROWS, 24);
        wr16(BDA_SEG, BDA_VIDEO_PAGESIZE, 4096);
        set_page(0);
        if (!(r->al & 0x80))
            scroll(0, 1, 0x07, 0, 0, 24, 79);
        cursor_set(0, 0, 0);
        return;
    case 0x01: {
        u8 h = rd8(BDA_SEG, BDA_CHAR_HEIGHT);
        wr16(BDA_SEG, BDA_CURSOR_TYPE, r->cx);
        crtc_write16(0x0a, (u16)((r->ch & 0x60) | cursor_line(r->ch & 0x1f, h)) << 8 |
                               cursor_line(r->cl & 0x1f, h));
        return;
    }
    case 0x02:
        cursor_set(r->bh, r->dh, r->dl);
        return;
    case 0x03:
        r->dx = cursor_get(r->bh);
        r->cx = rd16(BDA_SEG, BDA_CURSOR_TYPE);
        return;
    case 0x05:
        set_page(r->al);
        return;
    case 0x06:
    case 0x07:
        scroll(r->al, r->ah == 0x06, r->bh, r->ch, r->cl, r->dh, r->dl);
        return;
    case 0x08: {
        u16 pos = cursor_get(r->bh);
        r->ax = cell_read(r->bh, pos >> 8, pos & 0xff);
        return;
    }
    case 0x09:
    case 0x0a: {
        u16 pos = cursor_get(r->bh);
        u8 row = pos >> 8, col = pos & 0xff;
        if (r->cx == 1 && r->al >= 0x20 && serial_mirror_enabled())
            serial_putc(r->al);         /* boot loaders draw coloured text this way */
        int attr = r->ah == 0x09 || vga_gfx_mode() ? r->bl : -1;
        for (u16 i = 0; i < r->cx && row < rows(); i++) {
            cell_write(r->bh, row, col, r->al, attr);
            if (++col >= cols()) { col = 0; row++; }
        }
        return;
    }
    case 0x0e:
        tty_putc(rd8(BDA_SEG, BDA_VIDEO_PAGE), r->al, vga_gfx_mode() ? r->bl : -1, 1);
        return;
    case 0x0f:
        r->al = rd8(BDA_SEG, BDA_VIDEO_MODE) | (rd8(BDA_SEG, BDA_VIDEO_CTL) & 0x80);
        r->ah = rd8(BDA_SEG, BDA_VIDEO_COLS);
        r->bh = rd8(BDA_SEG, BDA_VIDEO_PAGE);
        return;
    case 0x11:
    case 0x12:
        if (r->ah == 0x12 && r->bl == 0x10) {
            r->bh = 0;                  /* colour */
            r->bl = 3;                  /* 256 KiB */
            r->cx = 0;
            return;
        }
        unsupported(r, 0x10, 0);
        return;
    case 0x13: {
        /* AL bit 0: move cursor; bit 1: string holds char/attribute pairs */
        u16 save = cursor_get(r->bh);
        cursor_set(r->bh, r->dh, r->dl);
        u16 off = r->bp;
        for (u16 i = 0; i < r->cx; i++) {
            char c = rd8(r->es, off++);
            int attr = r->bl;
            if (r->al & 2)
                attr = rd8(r->es, off++);
            tty_putc(r->bh, c, attr, 1);
        }
        if (!(r->al & 1)) {
            wr16(BDA_SEG, BDA_CURSOR_POS + (r->bh & 7) * 2, save);
        }
        return;
    }
    case 0x1a:
        if (r->al == 0) {
            r->al = 0x1a;
            r->bx = 0x0008;             /* VGA with colour display */
        }
        return;
    }
    unsupported(r, 0x10, 0);
}
#endif
