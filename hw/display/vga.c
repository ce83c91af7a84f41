/* vga.c: the VGA core: sequencer, graphics controller, CRTC, attribute controller and DAC
 * registers, the planar memory behind the 0xa0000 window with its read and write modes, the
 * vertical retrace status, and the Bochs VBE DISPI extension (IBM VGA technical reference;
 * Bochs "VBE display interface"). */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/clock.h"
#include "hw/display/vga-internal.h"
#include "hw/display/vga.h"

/* Register bits used below (IBM VGA reference) */
#define SR4_CHAIN4       0x08
#define SR4_ODD_EVEN_OFF 0x04        /* 1: sequential, 0: odd/even addressing */
#define GR5_ODD_EVEN     0x10
#define GR5_READ_MODE    0x08
#define GR6_MEMMAP(g)    (((g) >> 2) & 3)
#define GR6_CHAIN_OE     0x02
#define MISC_COLOR       0x01        /* CRTC at 0x3d4, input status 1 at 0x3da */
#define CR11_PROTECT     0x80
#define AR10_MASK        0xef

/* Writable bits of each register (reserved bits read as 0) */
static const uint8_t sr_mask[8] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0x00, 0x00, 0xff };
static const uint8_t gr_mask[16] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };

static void vga_invalidate(VGAState *s) { s->full_update = true; }

/* ---- memory window ---- */

/* Offset of a CPU address in the window selected by GR6 bits 2-3; -1 outside it. */
static int64_t vga_window_offset(VGAState *s, uint64_t addr)
{
    switch (GR6_MEMMAP(s->gr[6])) {
    case 0: return addr;                                  /* A0000-BFFFF, 128 KiB */
    case 1: return addr < 0x10000 ? (int64_t)addr : -1;   /* A0000-AFFFF */
    case 2: return addr >= 0x10000 && addr < 0x18000 ? (int64_t)addr - 0x10000 : -1;
    default: return addr >= 0x18000 ? (int64_t)addr - 0x18000 : -1;
    }
}

static uint8_t vga_mem_readb(VGAState *s, uint64_t addr)
{
    uint32_t off;
    if (vbe_enabled(s)) {
        /* banked frame buffer: 64 KiB window at A0000 (Bochs VBE) */
        if (addr >= 0x10000)
            return 0xff;
        uint64_t boff = (uint64_t)s->vbe_regs[VBE_DISPI_INDEX_BANK] * 0x10000 + addr;
        if (!vbe_planar(s))
            return boff < s->vram_size ? s->vram.host[boff] : 0xff;
        /* 4 bpp: banks of plane bytes, through the latches like any planar mode */
        if (boff >= s->vram_size / 4)
            return 0xff;
        off = boff;
    } else {
        int64_t a = vga_window_offset(s, addr);
        if (a < 0)
            return 0xff;
        /* Chain 4 is linear in vram (plane = A1:0 of an interleaved byte address), as in
         * QEMU; with the planes interleaved this also matches the unchained layout of
         * mode X. */
        if (s->sr[4] & SR4_CHAIN4)
            return s->vram.host[a];
        if (s->gr[5] & GR5_ODD_EVEN) {
            int plane = (s->gr[4] & 2) | (a & 1);
            return *vga_plane_ptr(s, plane, a & ~1);
        }
        off = a & 0xffff;
    }
    s->latch = *(uint32_t *)(s->vram.host + ((uint64_t)off << 2));  /* planes 0-3, LE */
    if (!(s->gr[5] & GR5_READ_MODE))
        return s->latch >> (8 * (s->gr[4] & 3));
    /* read mode 1: color compare against GR2 for the planes enabled in GR7 */
    uint8_t result = 0xff;
    for (int p = 0; p < 4; p++) {
        if (!(s->gr[7] & (1 << p)))
            continue;
        uint8_t plane = s->latch >> (8 * p);
        uint8_t want = (s->gr[2] & (1 << p)) ? 0xff : 0x00;
        result &= ~(plane ^ want);
    }
    return result;
}

static inline uint32_t expand4(uint8_t bits)
{
    uint32_t v = 0;
    for (int p = 0; p < 4; p++)
        if (bits & (1 << p))
            v |= 0xffu << (8 * p);
    return v;
}

static void vga_mark_dirty(VGAState *s, uint32_t off, uint32_t len)
{
    memory_region_set_dirty(&s->vram, off, len);
}

static void vga_mem_writeb(VGAState *s, uint64_t addr, uint8_t val)
{
    uint8_t map_mask = s->sr[2] & 0x0f;
    int64_t a;
    if (vbe_enabled(s)) {
        if (addr >= 0x10000)
            return;
        uint64_t off = (uint64_t)s->vbe_regs[VBE_DISPI_INDEX_BANK] * 0x10000 + addr;
        if (!vbe_planar(s)) {
            if (off < s->vram_size) {
                s->vram.host[off] = val;
                vga_mark_dirty(s, off, 1);
            }
            return;
        }
        if (off >= s->vram_size / 4)
            return;
        a = off;
        goto planar;
    }
    a = vga_window_offset(s, addr);
    if (a < 0)
        return;
    if (s->sr[4] & SR4_CHAIN4) {
        if (map_mask & (1 << (a & 3))) {
            s->vram.host[a] = val;
            vga_mark_dirty(s, a, 1);
        }
        return;
    }
    if (!(s->sr[4] & SR4_ODD_EVEN_OFF)) {
        /* odd/even writes follow SR4 bit 2; reads follow GR5 bit 4 (IBM VGA reference) */
        int plane = (s->gr[4] & 2) | (a & 1);
        if (map_mask & (1 << plane)) {
            *vga_plane_ptr(s, plane, a & ~1) = val;
            vga_mark_dirty(s, ((a & ~1) & 0xffff) << 2, 4);
            if (plane == 2)
                s->font_dirty = true;
        }
        return;
    }
planar:;
    /* write modes 0-3 (IBM VGA: "Graphics Controller Registers", Mode Register) */
    uint32_t data, bit_mask = s->gr[8];
    int rotate = s->gr[3] & 7;
    uint8_t rv = (uint8_t)((val >> rotate) | (val << (8 - rotate)));
    switch (s->gr[5] & 3) {
    case 0: {
        uint32_t sr_planes = expand4(s->gr[1]);
        data = (rv * 0x01010101u & ~sr_planes) | (expand4(s->gr[0]) & sr_planes);
        break;
    }
    case 1:
        data = s->latch;
        goto store;
    case 2:
        data = expand4(val & 0x0f);
        break;
    default:
        bit_mask &= rv;
        data = expand4(s->gr[0]);
        break;
    }
    switch ((s->gr[3] >> 3) & 3) {
    case 1: data &= s->latch; break;
    case 2: data |= s->latch; break;
    case 3: data ^= s->latch; break;
    }
    bit_mask *= 0x01010101u;
    data = (data & bit_mask) | (s->latch & ~bit_mask);
store:;
    uint32_t off = vbe_enabled(s) ? (uint32_t)a : (uint32_t)a & 0xffff;
    uint32_t *p = (uint32_t *)(s->vram.host + ((uint64_t)off << 2));
    uint32_t plane_mask = expand4(map_mask);
    *p = (*p & ~plane_mask) | (data & plane_mask);
    vga_mark_dirty(s, (uint64_t)off << 2, 4);
    if (map_mask & 4)
        s->font_dirty = true;
}

static uint64_t vga_mem_read(void *opaque, uint64_t addr, unsigned size)
{
    VGAState *s = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)vga_mem_readb(s, addr + i) << (8 * i);
    return v;
}

static void vga_mem_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VGAState *s = opaque;
    for (unsigned i = 0; i < size; i++)
        vga_mem_writeb(s, addr + i, val >> (8 * i));
}

static const MemoryRegionOps vga_mem_ops = {
    .read = vga_mem_read, .write = vga_mem_write, .min_size = 1, .max_size = 4,
};

/* ---- input status 1: display enable and vertical retrace from the CRTC timing ---- */

static uint8_t vga_input_status1(VGAState *s)
{
    unsigned htotal = (s->cr[0] + 5) * ((s->sr[1] & 1) ? 8 : 9);
    unsigned vtotal = (s->cr[6] | (s->cr[7] & 0x01) << 8 | (s->cr[7] & 0x20) << 4) + 2;
    unsigned vdisp = (s->cr[0x12] | (s->cr[7] & 0x02) << 7 | (s->cr[7] & 0x40) << 3) + 1;
    unsigned vrs = s->cr[0x10] | (s->cr[7] & 0x04) << 6 | (s->cr[7] & 0x80) << 2;
    unsigned vre_len = ((s->cr[0x11] & 0x0f) - (vrs & 0x0f)) & 0x0f;
    unsigned hdisp = (s->cr[1] + 1) * ((s->sr[1] & 1) ? 8 : 9);
    int64_t dot_hz = ((s->misc >> 2) & 3) == 1 ? 28322000 : 25175000;
    if (htotal < 16 || vtotal < 4 || vtotal < vdisp) {
        /* nonsense timing: a 70 Hz, 449-line frame */
        htotal = 800;
        vtotal = 449;
        vdisp = 400;
        vrs = 412;
        vre_len = 2;
        hdisp = 720;
    }
    int64_t line_ns = htotal * NS_PER_SEC / dot_hz;
    int64_t t = clock_ns(CLOCK_VIRTUAL) - s->retrace_base;
    int64_t frame_ns = line_ns * vtotal;
    int64_t in_frame = ((t % frame_ns) + frame_ns) % frame_ns;
    unsigned line = in_frame / line_ns;
    int64_t in_line = in_frame % line_ns;
    uint8_t v = 0;
    if (line >= vrs && line < vrs + (vre_len ? vre_len : 16))
        v |= 0x08;
    if (line >= vdisp || in_line >= line_ns * hdisp / htotal)
        v |= 0x01;                            /* display enable inactive */
    return v;
}

/* ---- ports 0x3b0-0x3df ---- */

static bool vga_port_ignored(VGAState *s, uint16_t port)
{
    /* The CRTC and input status 1 answer at 3Bx or 3Dx following Misc Output bit 0. */
    if (s->misc & MISC_COLOR)
        return port >= 0x3b0 && port <= 0x3bf;
    return port >= 0x3d0 && port <= 0x3df;
}

static uint8_t vga_ioport_readb(VGAState *s, uint16_t port)
{
    if (vga_port_ignored(s, port))
        return 0xff;
    switch (port) {
    case 0x3c0:
        return s->ar_flip_flop ? 0 : s->ar_index;
    case 0x3c1: {
        uint8_t idx = s->ar_index & 0x1f;
        return idx < ARRAY_SIZE(s->ar) ? s->ar[idx] : 0;
    }
    case 0x3c2:
        return 0x10;                          /* input status 0: switch sense */
    case 0x3c3:
        return 1;                             /* VGA enable */
    case 0x3c4:
        return s->sr_index;
    case 0x3c5:
        return s->sr_index < 8 ? s->sr[s->sr_index] : 0;
    case 0x3c6:
        return s->dac_mask;
    case 0x3c7:
        return s->dac_state;
    case 0x3c8:
        return s->dac_write_index;
    case 0x3c9: {
        uint8_t v = s->palette[s->dac_read_index * 3 + s->dac_sub];
        if (++s->dac_sub == 3) {
            s->dac_sub = 0;
            s->dac_read_index++;
        }
        return v;
    }
    case 0x3ca:
        return s->fcr;
    case 0x3cc:
        return s->misc;
    case 0x3ce:
        return s->gr_index;
    case 0x3cf:
        return s->gr_index < 16 ? s->gr[s->gr_index] : 0;
    case 0x3b4: case 0x3d4:
        return s->cr_index;
    case 0x3b5: case 0x3d5:
        return s->cr_index < 0x19 ? s->cr[s->cr_index] : 0;
    case 0x3ba: case 0x3da:
        s->ar_flip_flop = false;              /* reading Input Status 1 resets the AC flip-flop */
        return vga_input_status1(s);
    default:
        return 0xff;
    }
}

static void vga_ioport_writeb(VGAState *s, uint16_t port, uint8_t val)
{
    if (vga_port_ignored(s, port))
        return;
    switch (port) {
    case 0x3c0:
        if (!s->ar_flip_flop) {
            if ((s->ar_index ^ val) & 0x20)
                vga_invalidate(s);            /* bit 5 (PAS) turns the display on and off */
            s->ar_index = val & 0x3f;
        } else {
            uint8_t idx = s->ar_index & 0x1f;
            if (idx < 0x10)
                s->ar[idx] = val & 0x3f;
            else if (idx == 0x10)
                s->ar[idx] = val & AR10_MASK;
            else if (idx == 0x11)
                s->ar[idx] = val;
            else if (idx == 0x12)
                s->ar[idx] = val & 0x3f;
            else if (idx == 0x13)
                s->ar[idx] = val & 0x0f;
            else if (idx == 0x14)
                s->ar[idx] = val & 0x0f;
            vga_invalidate(s);
        }
        s->ar_flip_flop = !s->ar_flip_flop;
        return;
    case 0x3c2:
        s->misc = val & 0xef;
        vga_invalidate(s);
        return;
    case 0x3c3:
        return;
    case 0x3c4:
        s->sr_index = val & 7;
        return;
    case 0x3c5:
        s->sr[s->sr_index] = val & sr_mask[s->sr_index];
        if (s->sr_index == 2 || s->sr_index == 4)
            vga_update_alias(s);
        if (s->sr_index == 1 || s->sr_index == 3 || s->sr_index == 4)
            vga_invalidate(s);
        if (s->sr_index == 3)
            s->font_dirty = true;
        return;
    case 0x3c6:
        s->dac_mask = val;
        vga_invalidate(s);
        return;
    case 0x3c7:
        s->dac_read_index = val;
        s->dac_sub = 0;
        s->dac_state = 0x03;
        return;
    case 0x3c8:
        s->dac_write_index = val;
        s->dac_sub = 0;
        s->dac_state = 0x00;
        return;
    case 0x3c9: {
        bool eight = s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC;
        s->dac_cache[s->dac_sub] = eight ? val : val & 0x3f;
        if (++s->dac_sub == 3) {
            memcpy(&s->palette[s->dac_write_index * 3], s->dac_cache, 3);
            s->dac_sub = 0;
            s->dac_write_index++;
            vga_invalidate(s);
        }
        return;
    }
    case 0x3ce:
        s->gr_index = val & 0x0f;
        return;
    case 0x3cf:
        if (s->gr_index < 9) {
            uint8_t old = s->gr[s->gr_index];
            s->gr[s->gr_index] = val & gr_mask[s->gr_index];
            /* only the shift mode (GR5 bits 5-6) and graphics/text (GR6 bit 0) change what
             * is displayed; drivers flip the write mode all the time */
            uint8_t changed = old ^ s->gr[s->gr_index];
            if ((s->gr_index == 5 && (changed & 0x60)) || (s->gr_index == 6 && (changed & 0x01)))
                vga_invalidate(s);
            if (s->gr_index == 6)
                vga_update_alias(s);
        }
        return;
    case 0x3b4: case 0x3d4:
        s->cr_index = val;
        return;
    case 0x3b5: case 0x3d5:
        if (s->cr_index >= 0x19)
            return;
        /* CR11 bit 7 protects CR0-CR7, except the line compare bit 4 of CR7 */
        if ((s->cr[0x11] & CR11_PROTECT) && s->cr_index <= 7) {
            if (s->cr_index == 7)
                s->cr[7] = (s->cr[7] & ~0x10) | (val & 0x10);
            return;
        }
        s->cr[s->cr_index] = val;
        if (s->cr_index != 0x0e && s->cr_index != 0x0f)
            vga_invalidate(s);
        return;
    case 0x3ba: case 0x3da:
        s->fcr = val & 0x10;
        return;
    }
}

static uint64_t vga_ioport_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)vga_ioport_readb(opaque, 0x3b0 + off + i) << (8 * i);
    return v;
}

static void vga_ioport_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    /* A 16-bit write is an index/data pair (outw 0x3c4, 0x0f02). */
    for (unsigned i = 0; i < size; i++)
        vga_ioport_writeb(opaque, 0x3b0 + off + i, val >> (8 * i));
}

static const MemoryRegionOps vga_io_ops = {
    .read = vga_ioport_read, .write = vga_ioport_write, .min_size = 1, .max_size = 2,
};

/* ---- Bochs VBE DISPI ---- */

static unsigned vbe_bytes_pp(unsigned bpp) { return (bpp + 7) / 8; }

static void vbe_update_start(VGAState *s)
{
    uint16_t *r = s->vbe_regs;
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    if (bpp == 4) {
        /* planar: offsets count bytes of one plane, 8 pixels each */
        s->vbe_line_offset = r[VBE_DISPI_INDEX_VIRT_WIDTH] / 8;
        s->vbe_start_addr = (uint64_t)r[VBE_DISPI_INDEX_Y_OFFSET] * s->vbe_line_offset +
                            r[VBE_DISPI_INDEX_X_OFFSET] / 8;
        return;
    }
    s->vbe_line_offset = r[VBE_DISPI_INDEX_VIRT_WIDTH] * vbe_bytes_pp(bpp);
    s->vbe_start_addr = (uint64_t)r[VBE_DISPI_INDEX_Y_OFFSET] * s->vbe_line_offset +
                        (uint64_t)r[VBE_DISPI_INDEX_X_OFFSET] * vbe_bytes_pp(bpp);
}

static void vbe_enable(VGAState *s, uint16_t val)
{
    uint16_t *r = s->vbe_regs;
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    if (bpp == 0)
        bpp = r[VBE_DISPI_INDEX_BPP] = 8;
    unsigned x = r[VBE_DISPI_INDEX_XRES], y = r[VBE_DISPI_INDEX_YRES];
    if (bpp != 4 && bpp != 8 && bpp != 15 && bpp != 16 && bpp != 24 && bpp != 32) {
        qlog(LOG_GUEST_ERRORS, "vbe: %u bits per pixel refused (4, 8, 15, 16, 24, 32)\n", bpp);
        return;
    }
    if (x == 0 || y == 0 || x > VBE_DISPI_MAX_XRES || y > VBE_DISPI_MAX_YRES || (x & 7) ||
        (uint64_t)x * y * bpp / 8 > s->vram_size) {
        qlog(LOG_GUEST_ERRORS, "vbe: mode %ux%ux%u refused\n", x, y, bpp);
        return;
    }
    r[VBE_DISPI_INDEX_VIRT_WIDTH] = x;
    r[VBE_DISPI_INDEX_VIRT_HEIGHT] = MIN((uint64_t)s->vram_size * 8 / ((uint64_t)x * bpp), 0xffff);
    r[VBE_DISPI_INDEX_X_OFFSET] = r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
    r[VBE_DISPI_INDEX_BANK] = 0;
    r[VBE_DISPI_INDEX_ENABLE] = val & (VBE_DISPI_ENABLED | VBE_DISPI_8BIT_DAC |
                                       VBE_DISPI_LFB_ENABLED | VBE_DISPI_NOCLEARMEM);
    vbe_update_start(s);
    size_t used = (size_t)y * s->vbe_line_offset * (bpp == 4 ? 4 : 1);
    if (!(val & VBE_DISPI_NOCLEARMEM)) {
        memset(s->vram.host, 0, used);
        vga_mark_dirty(s, 0, used);
    }
    /* Put the VGA into a graphics mode with a 64 KiB window at A0000 for banked access
     * (packed modes go through chain 4; 4 bpp keeps the planar registers). */
    s->gr[6] = (s->gr[6] & ~0x0c) | 0x05;
    if (bpp != 4)
        s->sr[4] |= SR4_CHAIN4 | SR4_ODD_EVEN_OFF;
    s->ar[0x10] |= 0x01;
    vga_invalidate(s);
    vga_update_alias(s);
}

static uint64_t vbe_read(void *opaque, uint64_t off, unsigned size)
{
    VGAState *s = opaque;
    if (off == 0)
        return s->vbe_index;
    if (off != 1 && off != 2)
        return 0xffff;
    uint16_t *r = s->vbe_regs;
    if (s->vbe_index >= VBE_DISPI_INDEX_NB)
        return 0;
    if (r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
        switch (s->vbe_index) {
        case VBE_DISPI_INDEX_XRES: return VBE_DISPI_MAX_XRES;
        case VBE_DISPI_INDEX_YRES: return VBE_DISPI_MAX_YRES;
        case VBE_DISPI_INDEX_BPP: return VBE_DISPI_MAX_BPP;
        }
    }
    if (s->vbe_index == VBE_DISPI_INDEX_VIDEO_MEMORY_64K)
        return s->vram_size >> 16;
    return r[s->vbe_index];
}

static void vbe_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    VGAState *s = opaque;
    uint16_t *r = s->vbe_regs;
    if (off == 0) {
        s->vbe_index = val;
        return;
    }
    switch (s->vbe_index) {
    case VBE_DISPI_INDEX_ID:
        if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5)
            r[VBE_DISPI_INDEX_ID] = val;
        return;
    case VBE_DISPI_INDEX_XRES: case VBE_DISPI_INDEX_YRES: case VBE_DISPI_INDEX_BPP:
        /* mode parameters can only change while VBE is disabled */
        if (!vbe_enabled(s))
            r[s->vbe_index] = val;
        return;
    case VBE_DISPI_INDEX_ENABLE:
        if ((val & VBE_DISPI_ENABLED) && !vbe_enabled(s)) {
            vbe_enable(s, val);
        } else if (!(val & VBE_DISPI_ENABLED)) {
            r[VBE_DISPI_INDEX_ENABLE] = val & (VBE_DISPI_GETCAPS | VBE_DISPI_8BIT_DAC);
            vga_invalidate(s);
            vga_update_alias(s);
        } else {
            r[VBE_DISPI_INDEX_ENABLE] = (r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) |
                                        (val & ~VBE_DISPI_ENABLED & 0xe2);
        }
        return;
    case VBE_DISPI_INDEX_BANK:
        if ((uint64_t)val * 0x10000 < s->vram_size) {
            r[VBE_DISPI_INDEX_BANK] = val;
            vga_update_alias(s);
        }
        return;
    case VBE_DISPI_INDEX_VIRT_WIDTH: {
        unsigned bits = r[VBE_DISPI_INDEX_BPP] ? r[VBE_DISPI_INDEX_BPP] : 8;
        if (bits == 15)
            bits = 16;
        if (val == 0 || val < r[VBE_DISPI_INDEX_XRES] ||
            (uint64_t)val * bits / 8 * r[VBE_DISPI_INDEX_YRES] > s->vram_size)
            return;
        r[VBE_DISPI_INDEX_VIRT_WIDTH] = val;
        r[VBE_DISPI_INDEX_VIRT_HEIGHT] = MIN((uint64_t)s->vram_size * 8 / ((uint64_t)val * bits),
                                             0xffff);
        vbe_update_start(s);
        vga_invalidate(s);
        return;
    }
    case VBE_DISPI_INDEX_X_OFFSET: case VBE_DISPI_INDEX_Y_OFFSET:
        r[s->vbe_index] = val;
        vbe_update_start(s);
        vga_invalidate(s);
        return;
    default:
        return;
    }
}

static const MemoryRegionOps vbe_io_ops = {
    .read = vbe_read, .write = vbe_write, .min_size = 2, .max_size = 2,
};

/* ---- setup ---- */

void vga_core_reset(VGAState *s)
{
    memset(s->sr, 0, sizeof(s->sr));
    memset(s->gr, 0, sizeof(s->gr));
    memset(s->cr, 0, sizeof(s->cr));
    memset(s->ar, 0, sizeof(s->ar));
    s->sr_index = s->gr_index = s->cr_index = s->ar_index = 0;
    s->ar_flip_flop = false;
    s->misc = MISC_COLOR;
    s->fcr = 0;
    s->dac_mask = 0xff;
    s->dac_read_index = s->dac_write_index = s->dac_sub = 0;
    s->latch = 0;
    memset(s->vbe_regs, 0, sizeof(s->vbe_regs));
    s->vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    s->vbe_index = 0;
    s->vbe_start_addr = s->vbe_line_offset = 0;
    s->retrace_base = clock_ns(CLOCK_VIRTUAL);
    s->full_update = true;
    vga_update_alias(s);
}

void vga_update_alias(VGAState *s)
{
    if (!s->lowmem_alias.name)
        return;                               /* not mapped yet */
    bool on;
    uint64_t off = 0;
    if (vbe_enabled(s)) {
        off = (uint64_t)s->vbe_regs[VBE_DISPI_INDEX_BANK] * 0x10000;
        on = !vbe_planar(s) && off + 0x10000 <= s->vram_size;
    } else {
        /* chain 4 with all planes writable behaves as plain memory in A0000-AFFFF */
        on = (s->sr[4] & SR4_CHAIN4) && (s->sr[2] & 0x0f) == 0x0f && GR6_MEMMAP(s->gr[6]) == 1;
    }
    if (on == s->alias_on && off == s->alias_off)
        return;
    memory_transaction_begin();
    memory_region_set_alias_offset(&s->lowmem_alias, off);
    memory_region_set_enabled(&s->lowmem_alias, on);
    memory_transaction_commit();
    s->alias_on = on;
    s->alias_off = off;
    s->full_update = true;
}

static const GraphicHwOps vga_hw_ops = {
    .gfx_update = vga_update_display, .invalidate = vga_invalidate_display,
    .text_snapshot = vga_text_snapshot,
};

void vga_core_init(VGAState *s, uint32_t vram_size, const char *name)
{
    s->vram_size = MAX(vram_size, VGA_PLANAR_SIZE);
    memory_region_init_ram(&s->vram, "vga.vram", s->vram_size);
    memory_region_enable_dirty_log(&s->vram, DIRTY_VGA);
    memory_region_init_io(&s->legacy_mem, "vga-lowmem", &vga_mem_ops, s, 0x20000);
    memory_region_init_io(&s->ioports, "vga", &vga_io_ops, s, 0x30);
    /* 0x1ce index, 0x1cf data (and 0x1d0, its alias on Bochs) */
    memory_region_init_io(&s->vbe_io, "vbe", &vbe_io_ops, s, 3);
    s->con = graphic_console_init(name, &vga_hw_ops, s);
    vga_core_reset(s);
}

void vga_map_legacy(VGAState *s, MemoryRegion *mem, MemoryRegion *io)
{
    /* above RAM (which would otherwise show through at 0xa0000) */
    memory_region_add_subregion_overlap(mem, 0xa0000, &s->legacy_mem, 1);
    memory_region_init_alias(&s->lowmem_alias, "vga.lowmem-ram", &s->vram, 0, 0x10000);
    memory_region_set_enabled(&s->lowmem_alias, false);
    memory_region_add_subregion_overlap(mem, 0xa0000, &s->lowmem_alias, 2);
    s->alias_on = false;
    vga_update_alias(s);
    memory_region_add_subregion(io, 0x3b0, &s->ioports);
    memory_region_add_subregion(io, 0x1ce, &s->vbe_io);
}

bool vga_load_rom(MemoryRegion *rom, const char *path, MemoryRegion *parent, uint64_t addr,
                  Error **errp)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_setg(errp, "romfile %s: %s", path, strerror(errno));
        return false;
    }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (len <= 0 || (uint64_t)len > 1 * MiB) {
        fclose(f);
        error_setg(errp, "romfile %s: size %ld is not between 1 byte and 1 MiB", path, len);
        return false;
    }
    uint64_t size = 2 * KiB;
    while (size < (uint64_t)len)
        size <<= 1;
    memory_region_init_rom(rom, "vga.rom", size);
    bool ok = fread(rom->host, 1, len, f) == (size_t)len;
    fclose(f);
    if (!ok) {
        error_setg(errp, "romfile %s: read error", path);
        return false;
    }
    if (parent)
        memory_region_add_subregion(parent, addr, rom);
    return true;
}
