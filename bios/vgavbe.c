/* vgavbe.c: VESA BIOS Extension 3.0 (INT 10h AX=4Fxxh) on the Bochs DISPI registers: the
 * controller and mode information, mode setting with the linear frame buffer (PCI BAR0),
 * bank switching, scan-line length, display start, DAC width and palette, state save.
 * Mode numbers: the VESA ones 100h-11Bh, then 32-bit and wide-screen modes of our own. */
#include "vga.h"
#include "output.h"
#include "string.h"

extern char vbe_window_far[], vbe_pm_table[], vbe_pm_table_end[];

struct vbe_mode {
    u16 mode, x, y;
    u8 bpp;
};

static const struct vbe_mode vbe_modes[] = {
    { 0x100, 640, 400, 8 }, { 0x101, 640, 480, 8 }, { 0x103, 800, 600, 8 },
    { 0x105, 1024, 768, 8 }, { 0x107, 1280, 1024, 8 },
    { 0x10d, 320, 200, 15 }, { 0x10e, 320, 200, 16 }, { 0x10f, 320, 200, 24 },
    { 0x110, 640, 480, 15 }, { 0x111, 640, 480, 16 }, { 0x112, 640, 480, 24 },
    { 0x113, 800, 600, 15 }, { 0x114, 800, 600, 16 }, { 0x115, 800, 600, 24 },
    { 0x116, 1024, 768, 15 }, { 0x117, 1024, 768, 16 }, { 0x118, 1024, 768, 24 },
    { 0x119, 1280, 1024, 15 }, { 0x11a, 1280, 1024, 16 }, { 0x11b, 1280, 1024, 24 },
    { 0x140, 320, 200, 32 }, { 0x141, 640, 400, 32 }, { 0x142, 640, 480, 32 },
    { 0x143, 800, 600, 32 }, { 0x144, 1024, 768, 32 }, { 0x145, 1280, 1024, 32 },
    { 0x146, 320, 200, 8 }, { 0x147, 1600, 1200, 32 }, { 0x148, 1152, 864, 32 },
    { 0x160, 1280, 720, 32 }, { 0x161, 1280, 800, 32 }, { 0x162, 1440, 900, 32 },
    { 0x163, 1600, 900, 32 }, { 0x164, 1680, 1050, 32 }, { 0x165, 1920, 1080, 32 },
    { 0x166, 1920, 1200, 32 }, { 0x167, 2560, 1600, 32 }, { 0x168, 1280, 720, 16 },
    { 0x169, 1920, 1080, 16 },
};

static const char oem_string[] = "vireo VBE";
static const char oem_vendor[] = "vireo";
static const char oem_product[] = "Bochs VBE (DISPI)";
static const char oem_revision[] = "1";

static u32 vbe_lfb;                     /* PCI BAR0 of the VGA; 0 when there is no DISPI */
static u16 max_x, max_y;
static u8 max_bpp;

static u8 bytes_pp(u8 bpp) { return (bpp + 7) / 8; }
static u32 vram_bytes(void) { return (u32)dispi_read(DISPI_VIDEO_MEMORY_64K) << 16; }

static const struct vbe_mode *vbe_find(u16 mode)
{
    for (u16 i = 0; i < ARRAY_SIZE(vbe_modes); i++)
        if (vbe_modes[i].mode == mode)
            return &vbe_modes[i];
    return NULL;
}

/* A mode the card can show: within its limits and its video memory. */
static int vbe_fits(const struct vbe_mode *m)
{
    return m->x <= max_x && m->y <= max_y && m->bpp <= max_bpp &&
           (u32)m->x * bytes_pp(m->bpp) * m->y <= vram_bytes();
}

void vga_vbe_init(u16 bdf)
{
    dispi_write(DISPI_ID, 0xb0c5);
    if (dispi_read(DISPI_ID) < 0xb0c0 || dispi_read(DISPI_ID) > 0xb0c5) {
        dprintf(1, "vireo VGA BIOS: no Bochs DISPI interface, VBE off\n");
        return;
    }
    dispi_write(DISPI_ENABLE, DISPI_GETCAPS);
    max_x = dispi_read(DISPI_XRES);
    max_y = dispi_read(DISPI_YRES);
    max_bpp = dispi_read(DISPI_BPP);
    dispi_write(DISPI_ENABLE, 0);
    u32 bar = pci_read32(bdf, 0x10);
    vbe_lfb = pci_read16(bdf, 0) == 0x1234 && bar & ~0xfu ? bar & ~0xfu : 0xe0000000u;
    dprintf(1, "vireo VGA BIOS: VBE 3.0, %u KiB, LFB at %08x, up to %ux%ux%u\n",
            vram_bytes() >> 10, vbe_lfb, max_x, max_y, max_bpp);
}

/* Copy a string into the caller's buffer (VBE 2.0 OEM area); returns its far pointer. */
static u32 put_string(struct bregs *r, u16 *at, const char *s)
{
    u16 n = strlen(s) + 1;
    far_write(r->es, r->di + *at, s, n);
    u32 ptr = (u32)r->es << 16 | (u16)(r->di + *at);
    *at += n;
    return ptr;
}

static void vbe_controller_info(struct bregs *r)
{
    u8 info[256];
    int vbe2 = rd32(r->es, r->di) == 0x32454256;           /* "VBE2": 512 bytes */
    memset(info, 0, sizeof(info));
    memcpy(info, "VESA", 4);
    *(u16 *)&info[0x04] = 0x0300;
    *(u32 *)&info[0x0a] = 1;                               /* DAC width switchable */
    *(u32 *)&info[0x0e] = (u32)r->es << 16 | (u16)(r->di + 0x22);
    *(u16 *)&info[0x12] = dispi_read(DISPI_VIDEO_MEMORY_64K);
    *(u16 *)&info[0x14] = 0x0100;
    /* the mode list sits in the block's reserved area, filtered by video memory */
    u16 n = 0;
    for (u16 i = 0; i < ARRAY_SIZE(vbe_modes); i++)
        if (vbe_fits(&vbe_modes[i]))
            *(u16 *)&info[0x22 + 2 * n++] = vbe_modes[i].mode;
    *(u16 *)&info[0x22 + 2 * n] = 0xffff;
    if (vbe2) {
        far_write(r->es, r->di, info, sizeof(info));
        u16 at = 0x100;
        u32 p[4];
        p[0] = put_string(r, &at, oem_string);
        p[1] = put_string(r, &at, oem_vendor);
        p[2] = put_string(r, &at, oem_product);
        p[3] = put_string(r, &at, oem_revision);
        far_write(r->es, r->di + 0x06, &p[0], 4);
        far_write(r->es, r->di + 0x16, &p[1], 12);
    } else {
        /* VBE 1.x callers: 256 bytes, strings in the RAM copy of our data */
        u16 ds;
        __asm__("movw %%ds, %0" : "=r"(ds));
        *(u32 *)&info[0x06] = (u32)ds << 16 | (u16)(u32)oem_string;
        far_write(r->es, r->di, info, sizeof(info));
    }
    r->ax = 0x004f;
}

static void mode_info(struct bregs *r)
{
    const struct vbe_mode *m = vbe_find(r->cx & 0x1ff);
    if (!m || !vbe_fits(m)) {
        r->ax = 0x014f;
        return;
    }
    u8 mi[256];
    memset(mi, 0, sizeof(mi));
    u16 pitch = m->x * bytes_pp(m->bpp);
    u32 pages = vram_bytes() / ((u32)pitch * m->y);
    *(u16 *)&mi[0x00] = 0x00bb;         /* supported, colour, graphics, not VGA, LFB */
    mi[0x02] = 0x07;                    /* window A: exists, readable, writable */
    *(u16 *)&mi[0x04] = 64;
    *(u16 *)&mi[0x06] = 64;
    *(u16 *)&mi[0x08] = 0xa000;
    *(u32 *)&mi[0x0c] = (u32)rom_seg() << 16 | (u16)(u32)vbe_window_far;
    *(u16 *)&mi[0x10] = pitch;
    *(u16 *)&mi[0x12] = m->x;
    *(u16 *)&mi[0x14] = m->y;
    mi[0x16] = 8;
    mi[0x17] = 16;
    mi[0x18] = 1;
    mi[0x19] = m->bpp;
    mi[0x1a] = 1;
    mi[0x1b] = m->bpp == 8 ? 4 : 6;     /* packed pixel / direct colour */
    mi[0x1d] = pages > 256 ? 255 : pages - 1;
    mi[0x1e] = 1;
    if (m->bpp > 8) {
        /* red, green, blue, reserved: size and position */
        u8 g = m->bpp == 16 ? 6 : m->bpp == 15 ? 5 : 8, c = m->bpp <= 16 ? 5 : 8;
        u8 masks[8] = { c, (u8)(c + g), g, c, c, 0, 0, 0 };
        if (m->bpp == 15) { masks[6] = 1; masks[7] = 15; }
        if (m->bpp == 32) { masks[6] = 8; masks[7] = 24; }
        memcpy(&mi[0x1f], masks, 8);
        memcpy(&mi[0x36], masks, 8);
        mi[0x27] = m->bpp == 32 || m->bpp == 15 ? 2 : 0;   /* reserved bits usable */
    }
    *(u32 *)&mi[0x28] = vbe_lfb;
    *(u16 *)&mi[0x32] = pitch;
    mi[0x34] = mi[0x1d];
    mi[0x35] = mi[0x1d];
    far_write(r->es, r->di, mi, sizeof(mi));
    r->ax = 0x004f;
}

static void set_mode(struct bregs *r)
{
    u16 mode = r->bx & 0x1ff;
    int noclear = r->bx & 0x8000;
    if (mode < 0x100) {
        /* VBE 2.0 4.5: bit 7 of a VGA mode number is not the no-clear flag here */
        r->ax = !(mode & 0x80) && vga_set_mode(mode, noclear) ? 0x004f : 0x014f;
        return;
    }
    const struct vbe_mode *m = vbe_find(mode);
    if (!m || !vbe_fits(m)) {
        r->ax = 0x014f;
        return;
    }
    if (m->bpp == 8 && !(rd8(BDA_SEG, BDA_VGA_FLAGS) & 0x08))
        vga_dac_load_default(DAC_256);
    dispi_write(DISPI_ENABLE, 0);
    dispi_write(DISPI_XRES, m->x);
    dispi_write(DISPI_YRES, m->y);
    dispi_write(DISPI_BPP, m->bpp);
    dispi_write(DISPI_ENABLE, DISPI_ENABLED | (r->bx & 0x4000 ? DISPI_LFB_ENABLED : 0) |
                                  (noclear ? DISPI_NOCLEARMEM : 0));
    wr8(BDA_SEG, BDA_VIDEO_CTL, (rd8(BDA_SEG, BDA_VIDEO_CTL) & 0x7f) | (noclear ? 0x80 : 0));
    r->ax = dispi_read(DISPI_ENABLE) & DISPI_ENABLED ? 0x004f : 0x014f;
}

/* 4F03h: the VBE mode from the DISPI registers, else the VGA mode. */
static void current_mode(struct bregs *r)
{
    u16 en = dispi_read(DISPI_ENABLE);
    r->bx = rd8(BDA_SEG, BDA_VIDEO_MODE);
    if (en & DISPI_ENABLED) {
        for (u16 i = 0; i < ARRAY_SIZE(vbe_modes); i++)
            if (vbe_modes[i].x == dispi_read(DISPI_XRES) && vbe_modes[i].y == dispi_read(DISPI_YRES) &&
                vbe_modes[i].bpp == dispi_read(DISPI_BPP))
                r->bx = vbe_modes[i].mode | (en & DISPI_LFB_ENABLED ? 0x4000 : 0);
    }
    if (rd8(BDA_SEG, BDA_VIDEO_CTL) & 0x80)
        r->bx |= 0x8000;                /* memory not cleared at the last mode set */
    r->ax = 0x004f;
}

static void state(struct bregs *r)
{
    u16 flags = r->cx & 0x0f;
    if (r->dl == 0)
        r->bx = (vga_state_size(flags) + 63) / 64;
    else if (r->dl == 1 || r->dl == 2)
        vga_state_xfer(flags, r->es, r->bx, r->dl == 1);
    else {
        r->ax = 0x014f;
        return;
    }
    r->ax = 0x004f;
}

static void window(struct bregs *r)
{
    if (!(dispi_read(DISPI_ENABLE) & DISPI_ENABLED) || (dispi_read(DISPI_ENABLE) & DISPI_LFB_ENABLED)) {
        r->ax = 0x034f;                 /* not in a banked VBE mode */
        return;
    }
    if (r->bl != 0 || r->bh > 1) {
        r->ax = 0x014f;                 /* only window A */
        return;
    }
    if (r->bh == 0) {
        dispi_write(DISPI_BANK, r->dx);
        if (dispi_read(DISPI_BANK) != r->dx) {
            r->ax = 0x014f;
            return;
        }
    } else {
        r->dx = dispi_read(DISPI_BANK);
    }
    r->ax = 0x004f;
}

static void scanline(struct bregs *r)
{
    u8 bpp = dispi_read(DISPI_BPP), bpx = bytes_pp(bpp);
    u16 h = dispi_read(DISPI_YRES);
    switch (r->bl) {
    case 0:
    case 2: {
        u16 px = r->bl == 0 ? r->cx : r->cx / bpx;
        dispi_write(DISPI_VIRT_WIDTH, px);
        if (dispi_read(DISPI_VIRT_WIDTH) != px) {
            r->ax = 0x024f;             /* more than video memory holds */
            return;
        }
        break;
    }
    case 1:
        break;
    case 3: {
        u32 px = vram_bytes() / bpx / (h ? h : 1);
        if (px > 0xffff / bpx)
            px = 0xffff / bpx;
        r->bx = px * bpx;
        r->cx = px;
        r->ax = 0x004f;
        return;
    }
    default:
        r->ax = 0x014f;
        return;
    }
    r->cx = dispi_read(DISPI_VIRT_WIDTH);
    r->bx = r->cx * bpx;
    r->dx = dispi_read(DISPI_VIRT_HEIGHT);
    r->ax = 0x004f;
}

static void display_start(struct bregs *r)
{
    switch (r->bl) {
    case 0x00:
    case 0x80:
        dispi_write(DISPI_X_OFFSET, r->cx);
        dispi_write(DISPI_Y_OFFSET, r->dx);
        break;
    case 0x01:
        r->bh = 0;
        r->cx = dispi_read(DISPI_X_OFFSET);
        r->dx = dispi_read(DISPI_Y_OFFSET);
        break;
    case 0x02:
    case 0x82: {                        /* ECX: byte offset of the start */
        u32 pitch = (u32)dispi_read(DISPI_VIRT_WIDTH) * bytes_pp(dispi_read(DISPI_BPP));
        if (!pitch) {
            r->ax = 0x014f;
            return;
        }
        dispi_write(DISPI_X_OFFSET, r->ecx % pitch / bytes_pp(dispi_read(DISPI_BPP)));
        dispi_write(DISPI_Y_OFFSET, r->ecx / pitch);
        break;
    }
    case 0x04:                          /* the flip is immediate: always done */
        r->cx = 1;
        break;
    default:
        r->ax = 0x014f;
        return;
    }
    r->ax = 0x004f;
}

static void dac_width(struct bregs *r)
{
    u16 en = dispi_read(DISPI_ENABLE);
    if ((en & DISPI_ENABLED) && dispi_read(DISPI_BPP) > 8) {
        r->ax = 0x034f;                 /* no DAC in a direct colour mode */
        return;
    }
    if (r->bl == 0)
        dispi_write(DISPI_ENABLE, r->bh >= 8 ? en | DISPI_8BIT_DAC : en & ~DISPI_8BIT_DAC);
    else if (r->bl != 1) {
        r->ax = 0x014f;
        return;
    }
    r->bh = dispi_read(DISPI_ENABLE) & DISPI_8BIT_DAC ? 8 : 6;
    r->ax = 0x004f;
}

/* 4F09h: entries are blue, green, red, alignment. */
static void palette(struct bregs *r)
{
    if ((r->bl & 0x7f) == 2 || (r->bl & 0x7f) == 3) {
        r->ax = 0x024f;                 /* no secondary palette */
        return;
    }
    if ((r->bl & 0x7f) > 1 || r->dx + r->cx > 256) {
        r->ax = 0x014f;
        return;
    }
    for (u16 i = 0; i < r->cx; i++) {
        u16 at = r->di + i * 4;
        if (r->bl & 1) {
            outb(r->dx + i, VGA_DAC_RINDEX);
            u8 red = inb(VGA_DAC_DATA), green = inb(VGA_DAC_DATA), blue = inb(VGA_DAC_DATA);
            wr32(r->es, at, (u32)red << 16 | green << 8 | blue);
        } else {
            outb(r->dx + i, VGA_DAC_WINDEX);
            outb(rd8(r->es, at + 2), VGA_DAC_DATA);
            outb(rd8(r->es, at + 1), VGA_DAC_DATA);
            outb(rd8(r->es, at), VGA_DAC_DATA);
        }
    }
    r->ax = 0x004f;
}

void vga_int10_4f(struct bregs *r)
{
    if (!vbe_lfb) {
        unsupported(r, 0x10, 0);        /* AL stays != 4Fh: no VBE */
        return;
    }
    switch (r->al) {
    case 0x00: vbe_controller_info(r); return;
    case 0x01: mode_info(r); return;
    case 0x02: set_mode(r); return;
    case 0x03: current_mode(r); return;
    case 0x04: state(r); return;
    case 0x05: window(r); return;
    case 0x06: scanline(r); return;
    case 0x07: display_start(r); return;
    case 0x08: dac_width(r); return;
    case 0x09: palette(r); return;
    case 0x0a:                          /* protected-mode interface, in the ROM */
        if (r->bl != 0)
            break;
        r->es = rom_seg();
        r->di = (u16)(u32)vbe_pm_table;
        r->cx = (u16)(u32)vbe_pm_table_end - (u16)(u32)vbe_pm_table;
        r->ax = 0x004f;
        return;
    }
    dprintf(1, "vireo VGA BIOS: VBE function %04xh not implemented\n", r->ax);
}
