/* vga-internal.h: state of the VGA core shared by vga.c (registers and memory), vga-render.c
 * (drawing into the console surface) and the bus wrappers vga-isa.c and vga-pci.c. Register
 * names follow the IBM VGA technical reference; VBE DISPI follows the Bochs VBE interface. */
#ifndef HW_DISPLAY_VGA_INTERNAL_H
#define HW_DISPLAY_VGA_INTERNAL_H

#include "util/osdep.h"
#include "hw/core/memory.h"
#include "ui/console.h"

#define VGA_PLANAR_SIZE  (256 * KiB)   /* 4 planes of 64 KiB, interleaved in vram */

/* Bochs VBE DISPI registers (ports 0x1ce index, 0x1cf data) */
enum {
    VBE_DISPI_INDEX_ID, VBE_DISPI_INDEX_XRES, VBE_DISPI_INDEX_YRES, VBE_DISPI_INDEX_BPP,
    VBE_DISPI_INDEX_ENABLE, VBE_DISPI_INDEX_BANK, VBE_DISPI_INDEX_VIRT_WIDTH,
    VBE_DISPI_INDEX_VIRT_HEIGHT, VBE_DISPI_INDEX_X_OFFSET, VBE_DISPI_INDEX_Y_OFFSET,
    VBE_DISPI_INDEX_VIDEO_MEMORY_64K, VBE_DISPI_INDEX_NB,
};
#define VBE_DISPI_ID0          0xb0c0
#define VBE_DISPI_ID5          0xb0c5
#define VBE_DISPI_ENABLED      0x01
#define VBE_DISPI_GETCAPS      0x02
#define VBE_DISPI_8BIT_DAC     0x20
#define VBE_DISPI_LFB_ENABLED  0x40
#define VBE_DISPI_NOCLEARMEM   0x80
#define VBE_DISPI_MAX_XRES     2560
#define VBE_DISPI_MAX_YRES     1600
#define VBE_DISPI_MAX_BPP      32
#define VBE_DISPI_LFB_PHYSICAL_ADDRESS 0xe0000000u

typedef struct VGAState {
    MemoryRegion vram;               /* RAM: planar memory first, the VBE frame buffer */
    uint32_t vram_size;
    MemoryRegion legacy_mem;         /* the 0xa0000-0xbffff window */
    MemoryRegion ioports;            /* 0x3b0-0x3df */
    MemoryRegion vbe_io;             /* 0x1ce-0x1cf */
    /* Chain-4 and VBE banked modes: vram mapped straight at 0xa0000 (no exits, fast TLB);
     * the renderer then treats the whole window as dirty. */
    MemoryRegion lowmem_alias;
    bool alias_on;
    uint64_t alias_off;

    uint8_t misc;                    /* Miscellaneous Output */
    uint8_t fcr;                     /* Feature Control */
    uint8_t sr_index, sr[8];         /* Sequencer */
    uint8_t gr_index, gr[16];        /* Graphics Controller */
    uint8_t cr_index, cr[32];        /* CRT Controller */
    uint8_t ar_index, ar[21];        /* Attribute Controller */
    bool ar_flip_flop;               /* false: next 0x3c0 write is the index */
    uint8_t dac_read_index, dac_write_index, dac_sub, dac_state, dac_mask;
    uint8_t dac_cache[3];
    uint8_t palette[768];
    uint32_t latch;

    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_DISPI_INDEX_NB];
    uint64_t vbe_start_addr;
    uint32_t vbe_line_offset;

    /* display side */
    DisplayConsole *con;
    bool full_update;
    int last_w, last_h, last_mode;
    uint32_t *text_cache;            /* char | attr << 8 | cursor << 16 per cell */
    int text_cache_cells;
    bool font_dirty;
    int64_t retrace_base;
} VGAState;

/* vga.c */
void vga_core_init(VGAState *s, uint32_t vram_size, const char *name);
/* Map the legacy window and ports (and the DISPI ports) into the given containers. */
void vga_map_legacy(VGAState *s, MemoryRegion *mem, MemoryRegion *io);
void vga_core_reset(VGAState *s);
void vga_update_alias(VGAState *s);
static inline uint8_t *vga_plane_ptr(VGAState *s, int plane, uint32_t off)
{
    return s->vram.host + ((off & 0xffff) << 2) + plane;
}
static inline bool vbe_enabled(const VGAState *s)
{
    return s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}
/* 4 bpp VBE modes keep the VGA's planar memory and registers */
static inline bool vbe_planar(const VGAState *s)
{
    return vbe_enabled(s) && s->vbe_regs[VBE_DISPI_INDEX_BPP] == 4;
}

/* vga-render.c */
void vga_update_display(void *opaque);
void vga_invalidate_display(void *opaque);
int vga_text_snapshot(void *opaque, char *buf, size_t len);

#endif
