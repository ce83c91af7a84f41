/* video.c: the system BIOS's own INT 10h, a CGA-compatible 80x25 text console at B8000h
 * mirrored to COM1. It serves until a VGA option ROM installs its INT 10h. */
#include "bios.h"
#include "farptr.h"
#include "output.h"
#include "x86.h"

#if MODE16
#define TEXT_SEG 0xb800
#define COLS 80
#define ROWS 25

static u16 cursor_get(u8 page) { return rd16(BDA_SEG, BDA_CURSOR_POS + (page & 7) * 2); }

static void cursor_set(u8 page, u8 row, u8 col)
{
    wr16(BDA_SEG, BDA_CURSOR_POS + (page & 7) * 2, (u16)row << 8 | col);
    if (page != rd8(BDA_SEG, BDA_VIDEO_PAGE))
        return;
    u16 pos = row * COLS + col;
    u16 crtc = rd16(BDA_SEG, BDA_CRTC_BASE);
    outb(0x0e, crtc);
    outb(pos >> 8, crtc + 1);
    outb(0x0f, crtc);
    outb(pos & 0xff, crtc + 1);
}

static u16 cell_off(u8 page, u8 row, u8 col) { return (page & 7) * 4096 + (row * COLS + col) * 2; }

/* Scroll the window (r0,c0)-(r1,c1) up (dir>0) or down by n lines, blanking with attr. */
static void scroll(int n, int up, u8 attr, u8 r0, u8 c0, u8 r1, u8 c1)
{
    if (r1 >= ROWS) r1 = ROWS - 1;
    if (c1 >= COLS) c1 = COLS - 1;
    if (r0 > r1 || c0 > c1)
        return;
    int h = r1 - r0 + 1;
    if (n == 0 || n > h)
        n = h;
    u8 page = rd8(BDA_SEG, BDA_VIDEO_PAGE);
    for (int i = 0; i < h; i++) {
        int row = up ? r0 + i : r1 - i;
        int src = up ? row + n : row - n;
        for (int c = c0; c <= c1; c++) {
            u16 v = (up ? src <= r1 : src >= r0) ? rd16(TEXT_SEG, cell_off(page, src, c))
                                                 : (u16)attr << 8 | ' ';
            wr16(TEXT_SEG, cell_off(page, row, c), v);
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
        wr8(TEXT_SEG, cell_off(page, row, col), c);
        if (attr >= 0)
            wr8(TEXT_SEG, cell_off(page, row, col) + 1, attr);
        if (++col >= COLS) { col = 0; row++; }
    }
    if (row >= ROWS) {
        scroll(1, 1, 0x07, 0, 0, ROWS - 1, COLS - 1);
        row = ROWS - 1;
    }
    cursor_set(page, row, col);
}

void video_putc(char c) { tty_putc(rd8(BDA_SEG, BDA_VIDEO_PAGE), c, -1, 0); }

VISIBLE16 void handle_10(struct bregs *r)
{
    switch (r->ah) {
    case 0x00:
        if ((r->al & 0x7f) != 3 && (r->al & 0x7f) != 2) {
            unsupported(r, 0x10, 0);
            return;
        }
        wr8(BDA_SEG, BDA_VIDEO_MODE, r->al & 0x7f);
        wr8(BDA_SEG, BDA_VIDEO_PAGE, 0);
        if (!(r->al & 0x80))
            for (u16 i = 0; i < COLS * ROWS; i++)
                wr16(TEXT_SEG, i * 2, 0x0720);
        cursor_set(0, 0, 0);
        return;
    case 0x01:
        wr16(BDA_SEG, BDA_CURSOR_TYPE, r->cx);
        return;
    case 0x02:
        cursor_set(r->bh, r->dh, r->dl);
        return;
    case 0x03:
        r->dx = cursor_get(r->bh);
        r->cx = rd16(BDA_SEG, BDA_CURSOR_TYPE);
        return;
    case 0x05:
        wr8(BDA_SEG, BDA_VIDEO_PAGE, r->al & 7);
        return;
    case 0x06:
    case 0x07:
        scroll(r->al, r->ah == 0x06, r->bh, r->ch, r->cl, r->dh, r->dl);
        return;
    case 0x08: {
        u16 pos = cursor_get(r->bh);
        r->ax = rd16(TEXT_SEG, cell_off(r->bh, pos >> 8, pos & 0xff));
        return;
    }
    case 0x09:
    case 0x0a: {
        u16 pos = cursor_get(r->bh);
        u16 off = cell_off(r->bh, pos >> 8, pos & 0xff);
        if (r->cx == 1 && r->al >= 0x20 && serial_mirror_enabled())
            serial_putc(r->al);         /* boot loaders draw coloured text this way */
        for (u16 i = 0; i < r->cx && off < 4096 * 8; i++, off += 2) {
            wr8(TEXT_SEG, off, r->al);
            if (r->ah == 0x09)
                wr8(TEXT_SEG, off + 1, r->bl);
        }
        return;
    }
    case 0x0e:
        tty_putc(rd8(BDA_SEG, BDA_VIDEO_PAGE), r->al, -1, 1);
        return;
    case 0x0f:
        r->al = rd8(BDA_SEG, BDA_VIDEO_MODE);
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
