/* vgabios.c: vireo's VGA BIOS (option ROM for the standard VGA, 1234:1111): initialisation,
 * the INT 10h dispatcher, and the information functions (AH=12h, 1Ah, 1Bh). Modes are in
 * vgamodes.c, graphics drawing in vgadraw.c, the character functions shared with the system
 * BIOS in video.c, palettes in vgapal.c, fonts in vgacharset.c, state in vgastate.c and VBE
 * in vgavbe.c. */
#include "vga.h"
#include "output.h"

extern char entry_int10[];
void handle_10(struct bregs *r);

/* The save pointer table (BDA 4A8h): video parameter table, then no dynamic save area and no
 * font or palette overrides. */
static u32 save_ptrs[7];

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
    dprintf(1, "vireo VGA BIOS: not implemented: INT %02xh AX=%04x BX=%04x\n", intno, r->ax, r->bx);
}

/* AH=12h: alternate select */
static void vga_int10_12(struct bregs *r)
{
    u8 flags = rd8(BDA_SEG, BDA_VGA_FLAGS);
    switch (r->bl) {
    case 0x10:                          /* EGA information */
        r->bh = vga_crtc() == 0x3b4;
        r->bl = 3;                      /* 256 KiB */
        r->ch = rd8(BDA_SEG, BDA_VIDEO_SWITCHES) >> 4;
        r->cl = rd8(BDA_SEG, BDA_VIDEO_SWITCHES) & 0x0f;
        return;
    case 0x30:                          /* scan lines of the next text mode: 200/350/400 */
        if (r->al > 2)
            break;
        flags &= 0x6f;
        flags |= r->al == 0 ? 0x80 : r->al == 2 ? 0x10 : 0;
        wr8(BDA_SEG, BDA_VGA_FLAGS, flags);
        r->al = 0x12;
        return;
    case 0x31:                          /* default palette loading on mode set */
    case 0x33:                          /* grey-scale summing */
        if (r->al > 1)
            break;
        u8 bit = r->bl == 0x31 ? 0x08 : 0x02;
        int set = r->bl == 0x31 ? r->al == 1 : r->al == 0;
        wr8(BDA_SEG, BDA_VGA_FLAGS, set ? flags | bit : flags & ~bit);
        r->al = 0x12;
        return;
    case 0x32:                          /* video addressing: misc output bit 1 */
        if (r->al > 1)
            break;
        outb(r->al ? inb(VGA_MISC_R) & ~0x02 : inb(VGA_MISC_R) | 0x02, VGA_MISC_W);
        r->al = 0x12;
        return;
    case 0x34:                          /* cursor emulation: BDA 487h bit 0 set = off */
        if (r->al > 1)
            break;
        wr8(BDA_SEG, BDA_VIDEO_CTL, (rd8(BDA_SEG, BDA_VIDEO_CTL) & ~1) | r->al);
        r->al = 0x12;
        return;
    case 0x36:                          /* screen refresh: sequencer 1 bit 5 */
        if (r->al > 1)
            break;
        seq_write(1, (seq_read(1) & ~0x20) | (r->al ? 0x20 : 0));
        r->al = 0x12;
        return;
    }
    unsupported(r, 0x10, 0);
}

/* AH=1Bh: the functionality table (static part in the ROM) and the current state. */
static const u8 static_functionality[16] ROMONLY = {
    0xff, 0xe0, 0x0f, 0x00, 0x00, 0x00, 0x00,   /* modes 00h-07h, 0Dh-0Fh, 10h-13h */
    0x07,                                       /* 200, 350, 400 scan lines in text modes */
    0x08, 0x02,                                 /* 8 font blocks, 2 active at once */
    0xff,                                       /* all palette, font and DAC functions */
    0x0e,                                       /* save/restore, blink/intensity, DCC */
    0x00, 0x00, 0x00, 0x00,
};

static void vga_int10_1b(struct bregs *r)
{
    if (r->bx != 0) {
        unsupported(r, 0x10, 0);
        return;
    }
    const struct vga_mode *m = vga_current_mode();
    u8 st[64] = { 0 };
    *(u16 *)&st[0] = (u16)(u32)static_functionality;
    *(u16 *)&st[2] = rom_seg();
    far_read(st + 4, BDA_SEG, 0x49, 30);
    st[0x22] = rd8(BDA_SEG, BDA_VIDEO_ROWS);    /* as BDA 484h, like SeaVGABIOS */
    *(u16 *)&st[0x23] = rd16(BDA_SEG, BDA_CHAR_HEIGHT);
    st[0x25] = 0x08;                    /* VGA with colour display, no alternate */
    u16 colours = m->mode == 7 ? 0 : m->model == MM_TEXT ? 16 : 1 << m->bpp;
    *(u16 *)&st[0x27] = colours;
    u16 pagesize = rd16(BDA_SEG, BDA_VIDEO_PAGESIZE);
    u8 pages = m->model == MM_TEXT ? 8 : m->model == MM_PLANAR ? 0x10000 / pagesize : 1;
    st[0x29] = pages > 8 ? 8 : pages;
    u8 lines = m->height == 200 ? 0 : m->height == 350 ? 1 : m->height == 480 ? 3 : 2;
    if (m->model == MM_TEXT) {
        u8 f = rd8(BDA_SEG, BDA_VGA_FLAGS);
        lines = f & 0x80 ? 0 : f & 0x10 ? 2 : 1;
    }
    st[0x2a] = lines;
    u8 cms = seq_read(3);
    st[0x2b] = (cms & 3) | (cms >> 2 & 4);
    st[0x2c] = (cms >> 2 & 3) | (cms >> 3 & 4);
    u8 f = rd8(BDA_SEG, BDA_VGA_FLAGS);
    st[0x2d] = (f & 0x0e) | (rd8(BDA_SEG, BDA_VIDEO_CTL) & 1 ? 0 : 0x10) |
               (ac_read(0x10) & 0x08 ? 0x20 : 0);
    st[0x31] = 3;                       /* 256 KiB */
    far_write(r->es, r->di, st, sizeof(st));
    r->al = 0x1b;
}

VISIBLE16 void handle_vga10(struct bregs *r)
{
    const struct vga_mode *m = vga_current_mode();
    switch (r->ah) {
    case 0x00: {
        u8 mode = r->al & 0x7f;
        if (!vga_set_mode(mode, r->al & 0x80)) {
            dprintf(1, "vireo VGA BIOS: video mode %02xh does not exist\n", mode);
            return;
        }
        r->al = mode > 7 ? 0x20 : mode == 6 ? 0x3f : 0x30;
        return;
    }
    case 0x04:                          /* light pen: never triggered */
        r->ah = 0;
        return;
    case 0x0b:
        vga_int10_0b(r);
        return;
    case 0x0c:
        if (m->model != MM_TEXT)
            gfx_pixel_write(m, r->bh, r->cx, r->dx, r->al);
        return;
    case 0x0d:
        r->al = m->model != MM_TEXT ? gfx_pixel_read(m, r->bh, r->cx, r->dx) : 0;
        return;
    case 0x10:
        vga_int10_10(r);
        return;
    case 0x11:
        vga_int10_11(r);
        return;
    case 0x12:
        vga_int10_12(r);
        return;
    case 0x1a:                          /* display combination: VGA colour, no alternate */
        if (r->al > 1)
            break;
        if (r->al == 0)
            r->bx = 0x0008;
        r->al = 0x1a;
        return;
    case 0x1b:
        vga_int10_1b(r);
        return;
    case 0x1c:
        vga_int10_1c(r);
        return;
    case 0x4f:
        vga_int10_4f(r);
        return;
    }
    handle_10(r);
}

VISIBLE16 void vga_init(u16 bdf)
{
    serial_init();                      /* for the INT 10h mirror; same settings as POST */
    u16 cs = rom_seg();
    wr16(0, 0x10 * 4, (u16)(u32)entry_int10);
    wr16(0, 0x10 * 4 + 2, cs);
    save_ptrs[0] = (u32)cs << 16 | (u16)(u32)vga_params;
    wr16(BDA_SEG, BDA_SAVE_PTR, (u16)(u32)save_ptrs);
    u16 ds;
    __asm__("movw %%ds, %0" : "=r"(ds));
    wr16(BDA_SEG, BDA_SAVE_PTR + 2, ds);
    wr8(BDA_SEG, BDA_VIDEO_SWITCHES, 0xf9);
    wr8(BDA_SEG, BDA_VGA_FLAGS, 0x51);   /* VGA active, 400-line text, display switching */
    wr8(BDA_SEG, BDA_DCC_INDEX, 0x08);
    vga_vbe_init(bdf);
    vga_set_mode(3, 0);
    dprintf(1, "vireo VGA BIOS: 80x25 text, INT 10h at %04x:%04x, data at %04x:%04x (%u KiB)\n",
            cs, (u16)(u32)entry_int10, ds, (u16)(u32)save_ptrs, rd16(BDA_SEG, BDA_MEM_KB));
}
