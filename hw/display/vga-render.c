/* vga-render.c: draws the VGA's text and graphics modes (and VBE frame buffers) into the
 * console surface, redrawing only text cells and scanlines whose memory changed. */
#include "util/osdep.h"
#include "hw/core/clock.h"
#include "hw/display/vga-internal.h"

enum { VGA_MODE_BLANK, VGA_MODE_TEXT, VGA_MODE_PLANAR4, VGA_MODE_CGA2, VGA_MODE_PACKED8,
       VGA_MODE_VBE };

#define TEXT_MAX_COLS 256
#define TEXT_MAX_ROWS 128
#define GFX_MAX_W     2048
#define GFX_MAX_H     2048
#define PAGE          4096

/* Cursor blinks every 16 frames, characters every 32 (70 Hz text modes): in ns. */
#define CURSOR_BLINK_NS (16 * NS_PER_SEC / 70)

static inline uint32_t rgb6(const uint8_t *p, bool eight)
{
    if (eight)
        return p[0] << 16 | p[1] << 8 | p[2];
    uint32_t r = (p[0] & 0x3f) << 2 | (p[0] & 0x3f) >> 4;
    uint32_t g = (p[1] & 0x3f) << 2 | (p[1] & 0x3f) >> 4;
    uint32_t b = (p[2] & 0x3f) << 2 | (p[2] & 0x3f) >> 4;
    return r << 16 | g << 8 | b;
}

static inline uint32_t dac_color(VGAState *s, uint8_t index)
{
    bool eight = s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC;
    return rgb6(&s->palette[(index & s->dac_mask) * 3], eight);
}

/* 4-bit attribute color through the palette registers and Color Select (AR14). */
static inline uint32_t attr_color(VGAState *s, uint8_t c)
{
    uint8_t v = s->ar[c & 0x0f];
    if (s->ar[0x10] & 0x80)
        v = (v & 0x0f) | (s->ar[0x14] & 0x03) << 4;
    else
        v &= 0x3f;
    v |= (s->ar[0x14] & 0x0c) << 4;
    return dac_color(s, v);
}

/* CRTC address to offset in a plane: word/doubleword mode and the CGA bank bits (CR17). */
static inline uint32_t crtc_to_offset(VGAState *s, uint32_t a, unsigned scan)
{
    uint32_t off;
    if (s->cr[0x14] & 0x40)
        off = a << 2;
    else if (!(s->cr[0x17] & 0x40))
        off = (a << 1) | ((s->cr[0x17] & 0x20) ? (a >> 15) & 1 : (a >> 13) & 1);
    else
        off = a;
    if (!(s->cr[0x17] & 0x01))
        off = (off & ~0x2000u) | (scan & 1) << 13;
    if (!(s->cr[0x17] & 0x02))
        off = (off & ~0x4000u) | ((scan >> 1) & 1) << 14;
    return off & 0xffff;
}

static int vga_mode(VGAState *s)
{
    if (vbe_enabled(s))
        return VGA_MODE_VBE;
    if (!(s->ar_index & 0x20) || (s->sr[1] & 0x20))
        return VGA_MODE_BLANK;          /* palette being loaded, or screen off (SR1 bit 5) */
    if (!(s->gr[6] & 0x01))
        return VGA_MODE_TEXT;
    if (s->gr[5] & 0x40)
        return VGA_MODE_PACKED8;
    if (s->gr[5] & 0x20)
        return VGA_MODE_CGA2;
    return VGA_MODE_PLANAR4;
}

static unsigned vga_vdisp(VGAState *s)
{
    unsigned v = (s->cr[0x12] | (s->cr[7] & 0x02) << 7 | (s->cr[7] & 0x40) << 3) + 1;
    if (s->cr[9] & 0x80)
        v >>= 1;                        /* double scan */
    return v;
}

static void vga_resize(VGAState *s, int w, int h)
{
    DisplaySurface *surf = s->con->surface;
    if (surf->width != w || surf->height != h) {
        dpy_gfx_replace_surface(s->con, surface_create(w, h));
        s->full_update = true;
    }
}

/* ---- text modes ---- */

static void vga_draw_text(VGAState *s)
{
    unsigned cols = MIN(s->cr[1] + 1, TEXT_MAX_COLS);
    unsigned cw = (s->sr[1] & 1) ? 8 : 9;
    unsigned ch = (s->cr[9] & 0x1f) + 1;
    unsigned rows = MIN(vga_vdisp(s) / ch, TEXT_MAX_ROWS);
    unsigned dup = (s->sr[1] & 0x08) ? 2 : 1;      /* 40-column modes: dot clock / 2 */
    /* keep what garbage registers ask for within a sane surface */
    cols = MIN(cols, GFX_MAX_W / (cw * dup));
    rows = MIN(rows, GFX_MAX_H / ch);
    if (rows == 0)
        rows = 1;
    vga_resize(s, cols * cw * dup, rows * ch);

    unsigned cells = cols * rows;
    if (s->text_cache_cells != (int)cells) {
        free(s->text_cache);
        s->text_cache = xmalloc(cells * sizeof(uint32_t));
        s->text_cache_cells = cells;
        s->full_update = true;
    }
    if (s->font_dirty) {
        s->font_dirty = false;
        s->full_update = true;
    }
    uint8_t sr3 = s->sr[3];
    uint32_t font_b = (((sr3 >> 4) & 1) | ((sr3 << 1) & 6)) * 8192;   /* attr bit 3 = 0 */
    uint32_t font_a = (((sr3 >> 5) & 1) | ((sr3 >> 1) & 6)) * 8192;   /* attr bit 3 = 1 */
    uint32_t start = s->cr[0x0c] << 8 | s->cr[0x0d];
    uint32_t stride = s->cr[0x13] * 2;
    uint32_t cursor = s->cr[0x0e] << 8 | s->cr[0x0f];
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    bool cursor_on = !(s->cr[0x0a] & 0x20) && ((now / CURSOR_BLINK_NS) & 1) == 0;
    bool blink_on = ((now / (2 * CURSOR_BLINK_NS)) & 1) == 0;
    unsigned cstart = s->cr[0x0a] & 0x1f, cend = s->cr[0x0b] & 0x1f;
    bool line_gfx = s->ar[0x10] & 0x04, blink_attr = s->ar[0x10] & 0x08;
    DisplaySurface *surf = s->con->surface;

    for (unsigned row = 0; row < rows; row++) {
        int dirty_x0 = -1, dirty_x1 = -1;
        for (unsigned col = 0; col < cols; col++) {
            uint32_t a = start + row * stride + col;
            uint32_t off = crtc_to_offset(s, a, 0);
            uint8_t c = *vga_plane_ptr(s, 0, off);
            uint8_t attr = *vga_plane_ptr(s, 1, off);
            bool is_cursor = cursor_on && (a & 0xffff) == cursor;
            bool blinking = blink_attr && (attr & 0x80) && !blink_on;
            uint32_t key = c | attr << 8 | is_cursor << 16 | blinking << 17;
            uint32_t *cache = &s->text_cache[row * cols + col];
            if (!s->full_update && *cache == key)
                continue;
            *cache = key;
            uint8_t fgi = attr & 0x0f, bgi = attr >> 4;
            if (blink_attr)
                bgi &= 7;
            uint32_t fg = attr_color(s, fgi), bg = attr_color(s, bgi);
            if (blinking)
                fg = bg;
            uint32_t font = (attr & 0x08) ? font_a : font_b;
            for (unsigned y = 0; y < ch; y++) {
                uint8_t bits = *vga_plane_ptr(s, 2, font + c * 32 + y);
                if (is_cursor && y >= cstart && y <= cend)
                    bits = 0xff;
                uint32_t *d = surface_row(surf, row * ch + y) + col * cw * dup;
                for (unsigned x = 0; x < 8; x++) {
                    uint32_t px = (bits & (0x80 >> x)) ? fg : bg;
                    for (unsigned k = 0; k < dup; k++)
                        *d++ = px;
                }
                if (cw == 9) {
                    /* the 9th column repeats the 8th for line-drawing characters */
                    bool dup8 = (is_cursor && y >= cstart && y <= cend) ||
                                (line_gfx && c >= 0xc0 && c <= 0xdf && (bits & 1));
                    uint32_t px = dup8 ? fg : bg;
                    for (unsigned k = 0; k < dup; k++)
                        *d++ = px;
                }
            }
            if (dirty_x0 < 0)
                dirty_x0 = col;
            dirty_x1 = col + 1;
        }
        if (dirty_x0 >= 0)
            dpy_gfx_update(s->con, dirty_x0 * cw * dup, row * ch, (dirty_x1 - dirty_x0) * cw * dup,
                           ch);
    }
}

/* ---- graphics modes ---- */

/* Collect which pages of vram changed since the last frame (and clear them). */
static uint8_t *vga_collect_dirty(VGAState *s, uint64_t lo, uint64_t hi)
{
    uint64_t npages = (s->vram_size + PAGE - 1) / PAGE;
    uint8_t *pages = xzalloc(npages);
    for (uint64_t p = lo / PAGE; p < npages && p * PAGE < hi; p++)
        pages[p] = memory_region_test_and_clear_dirty(&s->vram, p * PAGE, PAGE, DIRTY_VGA);
    return pages;
}

static bool range_dirty(VGAState *s, const uint8_t *pages, uint64_t a, uint64_t b)
{
    if (b > s->vram_size)
        b = s->vram_size;
    for (uint64_t p = a / PAGE; p * PAGE < b; p++)
        if (pages[p])
            return true;
    return false;
}

static void vga_draw_planar(VGAState *s, int mode)
{
    unsigned clocks = s->cr[1] + 1;
    unsigned width = mode == VGA_MODE_PACKED8 ? clocks * 4 : clocks * 8;
    unsigned lines = vga_vdisp(s);
    unsigned msl = s->cr[9] & 0x1f;
    /* Scanlines repeated by the max scan line register are drawn once (mode 13h: 400 -> 200),
     * unless the row scan counter picks the CGA banks. */
    bool cga_banks = !(s->cr[0x17] & 0x01) || !(s->cr[0x17] & 0x02);
    unsigned repeat = cga_banks ? 1 : msl + 1;
    unsigned height = MAX(lines / repeat, 1);
    width = MIN(width, GFX_MAX_W);
    height = MIN(height, GFX_MAX_H);
    vga_resize(s, width, height);
    DisplaySurface *surf = s->con->surface;

    uint32_t start = s->cr[0x0c] << 8 | s->cr[0x0d];
    uint32_t stride = s->cr[0x13] * 2;
    unsigned line_compare = s->cr[0x18] | (s->cr[7] & 0x10) << 4 | (s->cr[9] & 0x40) << 3;
    uint8_t plane_enable = s->ar[0x12] & 0x0f;
    uint8_t *pages = vga_collect_dirty(s, 0, VGA_PLANAR_SIZE);
    uint32_t palette16[16];
    for (int i = 0; i < 16; i++)
        palette16[i] = attr_color(s, i);

    uint32_t row_addr = start;
    int upd_y0 = -1;
    for (unsigned y = 0; y < height; y++) {
        if (y * repeat * ((s->cr[9] & 0x80) ? 2 : 1) == line_compare && y)
            row_addr = 0;                          /* split screen (line compare) */
        unsigned scan = cga_banks ? y % (msl + 1) : 0;
        uint64_t lo, hi;
        if (mode == VGA_MODE_PACKED8) {
            lo = (uint64_t)(row_addr << 2) & (VGA_PLANAR_SIZE - 1);
            hi = lo + clocks * 4;
        } else {
            uint32_t off0 = crtc_to_offset(s, row_addr, scan);
            uint32_t off1 = crtc_to_offset(s, row_addr + clocks - 1, scan);
            lo = (uint64_t)off0 << 2;
            hi = off1 < off0 ? VGA_PLANAR_SIZE : ((uint64_t)off1 << 2) + 4;
        }
        bool dirty = s->full_update || hi > VGA_PLANAR_SIZE || range_dirty(s, pages, lo, hi);
        if (dirty) {
            uint32_t *d = surface_row(surf, y);
            for (unsigned cx = 0; cx < clocks && (d - surface_row(surf, y)) < (int)width; cx++) {
                uint32_t off = crtc_to_offset(s, row_addr + cx, scan);
                uint8_t *p = s->vram.host + (off << 2);
                if (mode == VGA_MODE_PACKED8) {
                /* 256 colors: 4 pixels per character clock, linear in interleaved vram */
                uint32_t a = (row_addr << 2) + cx * 4;
                for (int k = 0; k < 4; k++)
                    *d++ = dac_color(s, s->vram.host[(a + k) & (VGA_PLANAR_SIZE - 1)]);
            } else if (mode == VGA_MODE_CGA2) {
                    for (int b = 0; b < 2; b++)
                        for (int k = 0; k < 4; k++)
                            *d++ = palette16[((p[b] >> (6 - 2 * k)) & 3) & plane_enable];
                } else {
                    for (int x = 7; x >= 0; x--) {
                        uint8_t v = ((p[0] >> x) & 1) | ((p[1] >> x) & 1) << 1 |
                                    ((p[2] >> x) & 1) << 2 | ((p[3] >> x) & 1) << 3;
                        *d++ = palette16[v & plane_enable];
                    }
                }
            }
            if (upd_y0 < 0)
                upd_y0 = y;
        } else if (upd_y0 >= 0) {
            dpy_gfx_update(s->con, 0, upd_y0, width, y - upd_y0);
            upd_y0 = -1;
        }
        /* the next row: after the last scanline of a character row */
        if (cga_banks ? scan == msl : true)
            row_addr += stride;
    }
    if (upd_y0 >= 0)
        dpy_gfx_update(s->con, 0, upd_y0, width, height - upd_y0);
    free(pages);
}

static void vga_draw_vbe(VGAState *s)
{
    uint16_t *r = s->vbe_regs;
    unsigned w = r[VBE_DISPI_INDEX_XRES], h = r[VBE_DISPI_INDEX_YRES];
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    unsigned bytes = (bpp + 7) / 8;
    uint64_t line = s->vbe_line_offset;
    vga_resize(s, w, h);
    DisplaySurface *surf = s->con->surface;
    uint64_t base = s->vbe_start_addr;
    uint8_t *pages = vga_collect_dirty(s, bpp == 4 ? base * 4 : base,
                                       bpp == 4 ? (base + line * h) * 4 : base + line * h);
    uint32_t palette16[16];
    for (int i = 0; i < 16; i++)
        palette16[i] = attr_color(s, i);
    int upd_y0 = -1;
    for (unsigned y = 0; y < h && bpp == 4; y++) {
        /* planar 4 bpp: one byte of each plane gives 8 pixels */
        uint64_t a = base + line * y;
        bool inside = (a + w / 8) * 4 <= s->vram_size;
        if (inside && (s->full_update || range_dirty(s, pages, a * 4, (a + w / 8) * 4))) {
            uint32_t *d = surface_row(surf, y);
            for (unsigned cx = 0; cx < w / 8; cx++) {
                const uint8_t *p = s->vram.host + (a + cx) * 4;
                for (int x = 7; x >= 0; x--)
                    *d++ = palette16[((p[0] >> x) & 1) | ((p[1] >> x) & 1) << 1 |
                                     ((p[2] >> x) & 1) << 2 | ((p[3] >> x) & 1) << 3];
            }
            if (upd_y0 < 0)
                upd_y0 = y;
        } else if (upd_y0 >= 0) {
            dpy_gfx_update(s->con, 0, upd_y0, w, y - upd_y0);
            upd_y0 = -1;
        }
    }
    for (unsigned y = 0; y < h && bpp != 4; y++) {
        uint64_t a = base + line * y;
        bool inside = a + (uint64_t)w * bytes <= s->vram_size;
        if (inside && (s->full_update || range_dirty(s, pages, a, a + (uint64_t)w * bytes))) {
            const uint8_t *p = s->vram.host + a;
            uint32_t *d = surface_row(surf, y);
            for (unsigned x = 0; x < w; x++, p += bytes) {
                uint32_t v;
                switch (bpp) {
                case 8: v = dac_color(s, p[0]); break;
                case 15: {
                    uint16_t c = p[0] | p[1] << 8;
                    v = ((c >> 10) & 0x1f) << 19 | ((c >> 5) & 0x1f) << 11 | (c & 0x1f) << 3;
                    v |= (v >> 5) & 0x070707;
                    break;
                }
                case 16: {
                    uint16_t c = p[0] | p[1] << 8;
                    v = ((c >> 11) & 0x1f) << 19 | ((c >> 5) & 0x3f) << 10 | (c & 0x1f) << 3;
                    v |= ((v >> 5) & 0x070007) | ((v >> 6) & 0x000300);
                    break;
                }
                case 24: v = p[2] << 16 | p[1] << 8 | p[0]; break;
                default: v = p[2] << 16 | p[1] << 8 | p[0]; break;
                }
                d[x] = v;
            }
            if (upd_y0 < 0)
                upd_y0 = y;
        } else if (!inside && s->full_update) {
            memset(surface_row(surf, y), 0, (size_t)w * 4);
            if (upd_y0 < 0)
                upd_y0 = y;
        } else if (upd_y0 >= 0) {
            dpy_gfx_update(s->con, 0, upd_y0, w, y - upd_y0);
            upd_y0 = -1;
        }
    }
    if (upd_y0 >= 0)
        dpy_gfx_update(s->con, 0, upd_y0, w, h - upd_y0);
    free(pages);
}

static void vga_draw_blank(VGAState *s)
{
    if (!s->full_update)
        return;
    DisplaySurface *surf = s->con->surface;
    for (int y = 0; y < surf->height; y++)
        memset(surface_row(surf, y), 0, (size_t)surf->width * 4);
    dpy_gfx_update(s->con, 0, 0, surf->width, surf->height);
}

void vga_update_display(void *opaque)
{
    VGAState *s = opaque;
    int mode = vga_mode(s);
    /* Guest writes through the RAM window may not be dirty-logged (KVM without a dirty log
     * for this slot): the 64 KiB window is simply redrawn. */
    if (s->alias_on)
        memory_region_set_dirty(&s->vram, s->alias_off, 0x10000);
    if (mode != s->last_mode) {
        s->last_mode = mode;
        s->full_update = true;
    }
    switch (mode) {
    case VGA_MODE_TEXT: vga_draw_text(s); break;
    case VGA_MODE_PLANAR4: case VGA_MODE_CGA2: case VGA_MODE_PACKED8:
        vga_draw_planar(s, mode);
        break;
    case VGA_MODE_VBE: vga_draw_vbe(s); break;
    default: vga_draw_blank(s); break;
    }
    s->full_update = false;
}

void vga_invalidate_display(void *opaque)
{
    VGAState *s = opaque;
    s->full_update = true;
}

int vga_text_snapshot(void *opaque, char *buf, size_t len)
{
    VGAState *s = opaque;
    if (vga_mode(s) != VGA_MODE_TEXT)
        return -1;
    unsigned cols = MIN(s->cr[1] + 1, TEXT_MAX_COLS);
    unsigned ch = (s->cr[9] & 0x1f) + 1;
    unsigned rows = MAX(MIN(vga_vdisp(s) / ch, TEXT_MAX_ROWS), 1);
    uint32_t start = s->cr[0x0c] << 8 | s->cr[0x0d];
    uint32_t stride = s->cr[0x13] * 2;
    size_t n = 0;
    for (unsigned row = 0; row < rows; row++) {
        for (unsigned col = 0; col < cols; col++) {
            uint8_t c = *vga_plane_ptr(s, 0, crtc_to_offset(s, start + row * stride + col, 0));
            if (n + 1 < len)
                buf[n++] = c == 0 ? ' ' : (c >= 0x20 && c < 0x7f) ? (char)c : '.';
        }
        if (n + 1 < len)
            buf[n++] = '\n';
    }
    buf[n] = 0;
    return n;
}
