/* bios.h: the interrupt register frame, mode-switch hand-off blocks and cross-module
 * declarations of the system BIOS. */
#ifndef BIOS_BIOS_H
#define BIOS_BIOS_H
#include "types.h"

#define GPREG_(l, w, e, lo, hi) union { u32 e; u16 w; struct { u8 lo, hi; }; }
#define IDXREG(x) union { u32 e##x; u16 x; }

/* The frame irq_common (entry16.S) builds on the BIOS stack; field order is that code's. */
struct bregs {
    u16 handler, ip, cs, flags;         /* copied from/to the caller's iret frame */
    u16 gs, fs, es, ds;
    IDXREG(di);
    IDXREG(si);
    IDXREG(bp);
    u32 esp_unused;
    GPREG_(b, bx, ebx, bl, bh);
    GPREG_(d, dx, edx, dl, dh);
    GPREG_(c, cx, ecx, cl, ch);
    GPREG_(a, ax, eax, al, ah);
    u32 caller_esp;
    u16 caller_ss;
} PACKED;
STATIC_ASSERT(sizeof(struct bregs) == 8 + 8 + 32 + 6, "bregs layout must match entry16.S");

#define F_CF 0x0001
#define F_ZF 0x0040
#define F_IF 0x0200

static inline void set_cf(struct bregs *r) { r->flags |= F_CF; }
static inline void clear_cf(struct bregs *r) { r->flags &= ~F_CF; }
/* The INT 15h/13h convention: AH = status, CF set when it is not zero. */
static inline void set_status(struct bregs *r, u8 status)
{
    r->ah = status;
    if (status)
        set_cf(r);
    else
        clear_cf(r);
}
/* A function the BIOS does not provide: the traditional "invalid function" answer. */
void unsupported(struct bregs *r, u8 intno, u8 status);

/* Hand-off to real mode (entry16.S to_real16 / call16_from32). */
struct realjump {
    u16 ip, cs, sp, ss, ds, pad;
    u32 edx;
} PACKED;
struct call16_regs {
    u32 eax, ebx, ecx, edx, esi, edi, ebp;
} PACKED;
VARFSEG_DECL(struct realjump, realjump);
VARFSEG_DECL(struct call16_regs, call16_regs);

/* 16-bit entry stubs (entry16.S) for the IVT. */
#if MODE16
#define ENTRY16(name) extern char entry_##name[]
#else
#define ENTRY16(name) extern char entry_##name[] __asm__("f16_entry_" #name)
#endif
ENTRY16(08); ENTRY16(09); ENTRY16(0e); ENTRY16(74); ENTRY16(76);
ENTRY16(10); ENTRY16(11); ENTRY16(12); ENTRY16(13); ENTRY16(14); ENTRY16(15);
ENTRY16(16); ENTRY16(17); ENTRY16(18); ENTRY16(19); ENTRY16(1a);
ENTRY16(iret); ENTRY16(hwirq_master); ENTRY16(hwirq_slave);
#if MODE16
extern char boot_handoff16[];
#else
extern char boot_handoff16[] __asm__("f16_boot_handoff16");
#endif

/* 32-bit side of the mode switches (entry32.S). */
void NORETURN jump_to_real(void);       /* uses realjump */
void call16_asm(void);                  /* far call realjump with call16_regs, then return */

/* PIC (8259A) */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
static inline void pic_eoi_master(void) { __asm__ volatile("outb %%al, $0x20" :: "a"(0x20)); }
static inline void pic_eoi_slave(void) { __asm__ volatile("outb %%al, $0xa0\n\toutb %%al, $0x20" :: "a"(0x20)); }
void pic_unmask(int irq);

/* Module entry points (POST, 32-bit). */
void memmap_setup(void);
void memmap_reserve_top(u32 bytes);     /* firmware tables at the top of RAM below 4 GiB */
void memmap_low_update(void);           /* after option ROMs lowered BDA 413h */
void pmm_setup(void);                   /* POST Memory Manager for option ROMs */
void pmm_close(void);
void tables_setup(void);
void kbd_setup(void);
void disk_setup(void);
void boot_setup(void);
int linux_boot_prepare(void);           /* 1 when fw_cfg carries a kernel to run */
u32 ram_below_4g(void);

/* timer / misc */
struct timing {
    u32 tsc_per_us;
};
VARFSEG_DECL(struct timing, timing);
void timer_calibrate(void);             /* POST */
u32 ticks_now(void);
void wait_ticks(u32 n);
void udelay(u32 us);
void video_putc(char c);                /* the system BIOS's own INT 10h teletype */
void apm_int15(struct bregs *r);        /* INT 15h AH=53h */
void mouse_int15(struct bregs *r);      /* INT 15h AH=C2h */

/* e820 map, built in POST, served by INT 15h E820. */
#define E820_MAX 16
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
struct e820_entry {
    u64 addr, len;
    u32 type;
} PACKED;
struct memmap {
    u32 count;
    struct e820_entry e[E820_MAX];
    u32 low_kb;                         /* conventional memory below the EBDA */
    u32 ram_below_4g;                   /* bytes */
    u64 ram_above_4g;
};
VARFSEG_DECL(struct memmap, memmap);

#endif
