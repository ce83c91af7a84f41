/* vga.h: shared declarations of the VGA BIOS (bios/vga*.c): the mode table, register access,
 * drawing in graphics modes, and the INT 10h function groups. */
#ifndef BIOS_VGA_H
#define BIOS_VGA_H
#include "bios.h"
#include "farptr.h"
#include "x86.h"

/* VGA ports (IBM VGA Technical Reference) */
#define VGA_AC 0x3c0            /* attribute controller: index/data flip-flop */
#define VGA_AC_READ 0x3c1
#define VGA_MISC_W 0x3c2
#define VGA_SEQ 0x3c4
#define VGA_PEL_MASK 0x3c6
#define VGA_DAC_RINDEX 0x3c7
#define VGA_DAC_WINDEX 0x3c8
#define VGA_DAC_DATA 0x3c9
#define VGA_MISC_R 0x3cc
#define VGA_GC 0x3ce
#define VGA_STATUS1 0x3da       /* reading it resets the attribute flip-flop */

/* Bochs VBE "DISPI" interface (ports 1CEh/1CFh). */
#define DISPI_INDEX 0x1ce
#define DISPI_DATA 0x1cf
enum { DISPI_ID, DISPI_XRES, DISPI_YRES, DISPI_BPP, DISPI_ENABLE, DISPI_BANK, DISPI_VIRT_WIDTH,
       DISPI_VIRT_HEIGHT, DISPI_X_OFFSET, DISPI_Y_OFFSET, DISPI_VIDEO_MEMORY_64K };
#define DISPI_ENABLED 0x01
#define DISPI_GETCAPS 0x02
#define DISPI_8BIT_DAC 0x20
#define DISPI_LFB_ENABLED 0x40
#define DISPI_NOCLEARMEM 0x80
static inline u16 dispi_read(u8 idx) { outw(idx, DISPI_INDEX); return inw(DISPI_DATA); }
static inline void dispi_write(u8 idx, u16 v) { outw(idx, DISPI_INDEX); outw(v, DISPI_DATA); }

/* BDA video fields beyond the ones the system BIOS uses */
#define BDA_VIDEO_MSR 0x65
#define BDA_VIDEO_PAL 0x66
#define BDA_VIDEO_SWITCHES 0x88
#define BDA_VGA_FLAGS 0x89      /* 7,4: scan lines; 3: no palette load; 1: grey summing */
#define BDA_DCC_INDEX 0x8a
#define BDA_SAVE_PTR 0xa8

enum { MM_TEXT, MM_CGA2, MM_CGA1, MM_PLANAR, MM_LINEAR8 };
enum { DAC_EGA, DAC_CGA, DAC_MONO, DAC_256 };

/* IBM video parameter table entry (64 bytes; the save pointer table points at these). */
struct vparam {
    u8 cols, rows_m1, cheight;
    u16 pagesize;
    u8 seq[4];                  /* sequencer 1-4 */
    u8 misc;
    u8 crtc[25];
    u8 ac[20];
    u8 gc[9];
} PACKED;
STATIC_ASSERT(sizeof(struct vparam) == 64, "IBM parameter table entries are 64 bytes");

struct vga_mode {
    u8 mode, model, bpp, dac, param;    /* param: index into vga_params */
    u8 msr;                             /* CGA mode control value for BDA 465h */
    u16 seg, width, height;             /* pixels (text: the character cell grid in dots) */
};

/* Data only ever read through CS (far reads): kept out of the RAM copy (vgaentry.S). */
#define ROMONLY __attribute__((section(".rom.only")))
static inline u16 rom_seg(void) { u16 cs; __asm__("movw %%cs, %0" : "=r"(cs)); return cs; }
extern const struct vparam vga_params[0x1d];
extern const u8 vgafont8[256 * 8], vgafont14[256 * 14], vgafont16[256 * 16];

/* vgamodes.c */
const struct vga_mode *vga_current_mode(void);
int vga_set_mode(u8 mode, int noclear);
void vga_dac_load_default(u8 kind);
void vga_font_load(u16 seg, u16 off, u16 first, u16 count, u8 block, u8 height);
void vga_text_rows(u8 height);
u16 vga_rom_font(u8 height);
void vga_screen_enable(int on);
u16 vga_crtc(void);
u8 seq_read(u8 idx);
void seq_write(u8 idx, u8 v);
u8 gc_read(u8 idx);
void gc_write(u8 idx, u8 v);
u8 ac_read(u8 idx);
void ac_write(u8 idx, u8 v);

/* vgadraw.c: graphics modes; video.c's character functions call the gfx_cell ones */
void gfx_pixel_write(const struct vga_mode *m, u8 page, u16 x, u16 y, u8 color);
u8 gfx_pixel_read(const struct vga_mode *m, u8 page, u16 x, u16 y);
int vga_gfx_mode(void);
void gfx_cell_write(u8 page, u8 row, u8 col, u8 ch, u8 color);
u8 gfx_cell_read(u8 page, u8 row, u8 col);
void gfx_scroll(int n, int up, u8 color, u8 r0, u8 c0, u8 r1, u8 c1);

/* Function groups of INT 10h (vgapal.c, vgacharset.c, vgastate.c, vgavbe.c). */
void vga_int10_0b(struct bregs *r);
void vga_int10_10(struct bregs *r);
void vga_int10_11(struct bregs *r);
void vga_int10_1c(struct bregs *r);
void vga_int10_4f(struct bregs *r);
u16 vga_state_size(u16 flags);
void vga_state_xfer(u16 flags, u16 seg, u16 off, int save);
void vga_dac_write(u8 index, u8 r, u8 g, u8 b);
void vga_vbe_init(u16 bdf);

#endif
