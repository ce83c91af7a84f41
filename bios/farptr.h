/* farptr.h: reach memory outside the current segment: far (seg:off) access in 16-bit code,
 * plain flat pointers in 32-bit code. Both spellings work in both modes. */
#ifndef BIOS_FARPTR_H
#define BIOS_FARPTR_H
#include "types.h"

#if MODE16
/* 16-bit code runs with DS=ES=SS=0xF000; other memory goes through GS. */
static inline void set_gs(u16 seg) { __asm__ volatile("movw %w0, %%gs" :: "rm"(seg) : "memory"); }
#define FARPTR(type, off) ((volatile type __seg_gs *)(u32)(u16)(off))
static inline u8 rd8(u16 seg, u16 off) { set_gs(seg); return *FARPTR(u8, off); }
static inline u16 rd16(u16 seg, u16 off) { set_gs(seg); return *FARPTR(u16, off); }
static inline u32 rd32(u16 seg, u16 off) { set_gs(seg); return *FARPTR(u32, off); }
static inline void wr8(u16 seg, u16 off, u8 v) { set_gs(seg); *FARPTR(u8, off) = v; }
static inline void wr16(u16 seg, u16 off, u16 v) { set_gs(seg); *FARPTR(u16, off) = v; }
static inline void wr32(u16 seg, u16 off, u32 v) { set_gs(seg); *FARPTR(u32, off) = v; }
#else
#define FLATPTR(seg, off) ((volatile void *)(((u32)(seg) << 4) + (u16)(off)))
static inline u8 rd8(u16 seg, u16 off) { return *(volatile u8 *)FLATPTR(seg, off); }
static inline u16 rd16(u16 seg, u16 off) { return *(volatile u16 *)FLATPTR(seg, off); }
static inline u32 rd32(u16 seg, u16 off) { return *(volatile u32 *)FLATPTR(seg, off); }
static inline void wr8(u16 seg, u16 off, u8 v) { *(volatile u8 *)FLATPTR(seg, off) = v; }
static inline void wr16(u16 seg, u16 off, u16 v) { *(volatile u16 *)FLATPTR(seg, off) = v; }
static inline void wr32(u16 seg, u16 off, u32 v) { *(volatile u32 *)FLATPTR(seg, off) = v; }
#endif

/* Copy between the current segment and far memory (both modes). */
void far_read(void *dst, u16 seg, u16 off, u16 len);
void far_write(u16 seg, u16 off, const void *src, u16 len);

/* BIOS data area (segment 0x40), IBM PC technical reference offsets. */
#define BDA_SEG 0x40
#define BDA_COM_PORTS 0x00
#define BDA_LPT_PORTS 0x08
#define BDA_EBDA_SEG 0x0e
#define BDA_EQUIPMENT 0x10
#define BDA_MEM_KB 0x13
#define BDA_KBD_FLAGS0 0x17
#define BDA_KBD_FLAGS1 0x18
#define BDA_KBD_HEAD 0x1a
#define BDA_KBD_TAIL 0x1c
#define BDA_FLOPPY_RECAL 0x3e
#define BDA_FLOPPY_MOTOR 0x3f
#define BDA_FLOPPY_MOTOR_TICKS 0x40
#define BDA_FLOPPY_STATUS 0x41
#define BDA_VIDEO_MODE 0x49
#define BDA_VIDEO_COLS 0x4a
#define BDA_VIDEO_PAGESIZE 0x4c
#define BDA_VIDEO_PAGESTART 0x4e
#define BDA_CURSOR_POS 0x50
#define BDA_CURSOR_TYPE 0x60
#define BDA_VIDEO_PAGE 0x62
#define BDA_CRTC_BASE 0x63
#define BDA_TICKS 0x6c
#define BDA_TICKS_OVERFLOW 0x70
#define BDA_CTRL_BREAK 0x71
#define BDA_SOFT_RESET 0x72
#define BDA_DISK_STATUS 0x74
#define BDA_HD_COUNT 0x75
#define BDA_KBD_BUF_START 0x80
#define BDA_KBD_BUF_END 0x82
#define BDA_VIDEO_ROWS 0x84
#define BDA_CHAR_HEIGHT 0x85
#define BDA_VIDEO_CTL 0x87      /* bit 7: memory not cleared at the last mode set; 0: no cursor emulation */
#define BDA_FLOPPY_LAST_RATE 0x8b
#define BDA_KBD_FLAGS2 0x96
#define BDA_KBD_LEDS 0x97

#define EBDA_SEG_DEFAULT 0x9fc0
#define EBDA_KB 1

#endif
