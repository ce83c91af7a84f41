/* misc.c: interrupt dispatch and the small services: INT 11h, 12h, 14h, 15h, 17h, 18h, 1Ah,
 * and the timer tick (IRQ0, INT 08h). */
#include "bios.h"
#include "farptr.h"
#include "output.h"
#include "string.h"
#include "x86.h"

VARFSEG_DEF(struct timing, timing) = { 1000 };

#if !MODE16
/* PIT channel 2 in mode 0 counts 1193 ticks (1 ms); its OUT shows in port 61h bit 5. Port
 * 61h bit 4 cannot be used for delays: emulators toggle it on every read. */
void timer_calibrate(void)
{
    u8 p61 = inb(0x61);
    outb((p61 & ~0x02) | 0x01, 0x61);   /* gate on, speaker off */
    outb(0xb0, 0x43);                   /* channel 2, lo/hi, mode 0 */
    outb(1193 & 0xff, 0x42);
    outb(1193 >> 8, 0x42);
    u64 start = rdtsc();
    u32 i;
    for (i = 0; i < 100000000 && !(inb(0x61) & 0x20); i++)
        ;
    u64 d = rdtsc() - start;
    outb(p61, 0x61);
    u32 per_us = d >> 32 ? 0 : (u32)d / 1000;       /* no 64-bit division in firmware */
    timing.tsc_per_us = per_us ? per_us : 1000;
    dprintf(3, "timer: %u TSC ticks per microsecond\n", timing.tsc_per_us);
}
#endif

void pic_unmask(int irq)
{
    if (irq < 8) {
        outb(inb(PIC1_DATA) & ~(1 << irq), PIC1_DATA);
    } else {
        outb(inb(PIC2_DATA) & ~(1 << (irq - 8)), PIC2_DATA);
        outb(inb(PIC1_DATA) & ~(1 << 2), PIC1_DATA);
    }
}

#if MODE16
/* Called by irq_common (entry16.S) on the BIOS stack with DS=ES=SS=0xF000. */
VISIBLE16 void irq_dispatch(struct bregs *r)
{
    u16 ss = r->caller_ss, sp = (u16)r->caller_esp;
    r->handler = rd16(ss, sp);
    r->ip = rd16(ss, sp + 2);
    r->cs = rd16(ss, sp + 4);
    r->flags = rd16(ss, sp + 6);
    ((void (*)(struct bregs *))(u32)r->handler)(r);
    wr16(ss, sp + 2, r->ip);
    wr16(ss, sp + 4, r->cs);
    wr16(ss, sp + 6, r->flags);
}

void unsupported(struct bregs *r, u8 intno, u8 status)
{
    dprintf(1, "vireo BIOS: not implemented: INT %02xh AX=%04x\n", intno, r->ax);
    set_status(r, status);
}

/* ---- timer ---------------------------------------------------------------------------- */
#define TICKS_PER_DAY 0x1800b0

u32 ticks_now(void) { return rd32(BDA_SEG, BDA_TICKS); }

/* Wait n ticks (55 ms each) with interrupts on. */
void wait_ticks(u32 n)
{
    u32 start = ticks_now();
    while (ticks_now() - start < n)
        wait_irq();
}

/* Busy-wait with the TSC, calibrated at POST against PIT channel 2 (timer_calibrate). */
void udelay(u32 us)
{
    u64 end = rdtsc() + (u64)us * timing.tsc_per_us;
    while (rdtsc() < end)
        ;
}

VISIBLE16 void handle_08(struct bregs *r)
{
    u32 t = rd32(BDA_SEG, BDA_TICKS) + 1;
    if (t >= TICKS_PER_DAY) {
        t = 0;
        wr8(BDA_SEG, BDA_TICKS_OVERFLOW, 1);
    }
    wr32(BDA_SEG, BDA_TICKS, t);
    /* Diskette motor: switch it off when its countdown (BDA 40h) runs out. */
    u8 m = rd8(BDA_SEG, BDA_FLOPPY_MOTOR_TICKS);
    if (m && !--m) {
        wr8(BDA_SEG, BDA_FLOPPY_MOTOR, rd8(BDA_SEG, BDA_FLOPPY_MOTOR) & 0xf0);
        outb(0x0c, 0x3f2);
    }
    wr8(BDA_SEG, BDA_FLOPPY_MOTOR_TICKS, m);
    __asm__ volatile("int $0x1c" ::: "memory");
    pic_eoi_master();
}

/* ---- INT 11h / 12h -------------------------------------------------------------------- */
VISIBLE16 void handle_11(struct bregs *r) { r->ax = rd16(BDA_SEG, BDA_EQUIPMENT); }
VISIBLE16 void handle_12(struct bregs *r) { r->ax = rd16(BDA_SEG, BDA_MEM_KB); }

/* ---- INT 14h: serial ports from the BDA list ------------------------------------------ */
VISIBLE16 void handle_14(struct bregs *r)
{
    u16 port = r->dx < 4 ? rd16(BDA_SEG, BDA_COM_PORTS + r->dx * 2) : 0;
    if (!port) {
        r->ah = 0x80;
        return;
    }
    switch (r->ah) {
    case 0x00: {
        /* AL bits 7-5 select 110..9600 baud (divisor 1047..12), bits 4-0 the line format */
        static const u16 div[8] = { 1047, 768, 384, 192, 96, 48, 24, 12 };
        outb(0x80, port + 3);
        outb(div[r->al >> 5] & 0xff, port);
        outb(div[r->al >> 5] >> 8, port + 1);
        outb(r->al & 0x1f, port + 3);
        r->ah = inb(port + 5);
        r->al = inb(port + 6);
        break;
    }
    case 0x01: {
        u32 i;
        for (i = 0; i < 100000 && !(inb(port + 5) & 0x20); i++)
            ;
        if (i < 100000)
            outb(r->al, port);
        r->ah = inb(port + 5) | (i >= 100000 ? 0x80 : 0);
        break;
    }
    case 0x02: {
        u32 i;
        for (i = 0; i < 100000 && !(inb(port + 5) & 0x01); i++)
            ;
        r->ah = inb(port + 5) & 0x1e;
        if (i >= 100000)
            r->ah |= 0x80;
        else
            r->al = inb(port);
        break;
    }
    case 0x03:
        r->ah = inb(port + 5);
        r->al = inb(port + 6);
        break;
    default:
        unsupported(r, 0x14, 0x86);
    }
}

/* ---- INT 15h ---------------------------------------------------------------------------- */
struct sysconf {
    u16 size;
    u8 model, submodel, revision, feature1, feature2, feature3, feature4, feature5;
} PACKED;
/* Feature byte 1: second 8259, RTC, INT 15h/4Fh intercept, EBDA; byte 2: INT 16h/09h. */
VARFSEG_DEF(const struct sysconf, sysconf) = { 8, 0xfc, 0, 0, 0x74, 0x40, 0, 0, 0 };
VARFSEG_DECL(const struct sysconf, sysconf);

static void int15_e820(struct bregs *r)
{
    if (r->edx != 0x534d4150 || r->ecx < 20 || r->ebx >= memmap.count) {
        set_status(r, 0x86);
        return;
    }
    far_write(r->es, r->di, &memmap.e[r->ebx], sizeof(struct e820_entry));
    r->ebx = r->ebx + 1 < memmap.count ? r->ebx + 1 : 0;
    r->eax = 0x534d4150;
    r->ecx = 20;
    clear_cf(r);
}

void pm_copy(u32 src, u32 dst, u32 len);

/* INT 15h AH=87h: CX words between the segments described at ES:SI (IBM PC/AT BIOS: a
 * 48-byte GDT whose entries 10h and 18h give source and destination). */
static void int15_block_move(struct bregs *r)
{
    u8 gdt[48];
    far_read(gdt, r->es, r->si, sizeof(gdt));
    u32 src = gdt[0x12] | gdt[0x13] << 8 | gdt[0x14] << 16 | (u32)gdt[0x17] << 24;
    u32 dst = gdt[0x1a] | gdt[0x1b] << 8 | gdt[0x1c] << 16 | (u32)gdt[0x1f] << 24;
    if (r->cx > 0x8000) {
        set_status(r, 0x01);
        return;
    }
    u8 port92 = inb(0x92);
    outb(port92 | 2, 0x92);             /* A20 on for the copy, as the caller left it after */
    pm_copy(src, dst, (u32)r->cx * 2);
    outb(port92, 0x92);
    set_status(r, 0);
}

static void a20_set(int on)
{
    u8 v = inb(0x92);
    outb(on ? (v | 2) : (v & ~2), 0x92);
}

VISIBLE16 void handle_15(struct bregs *r)
{
    u32 extkb;
    switch (r->ah) {
    case 0x24:
        switch (r->al) {
        case 0x00: a20_set(0); set_status(r, 0); return;
        case 0x01: a20_set(1); set_status(r, 0); return;
        case 0x02: r->al = (inb(0x92) >> 1) & 1; set_status(r, 0); return;
        case 0x03: r->bx = 3; set_status(r, 0); return;
        }
        break;
    case 0x4f:
        set_cf(r);      /* keyboard intercept: let the key through unchanged */
        return;
    case 0x53:
        apm_int15(r);
        return;
    case 0xc1:                          /* extended BIOS data area segment */
        r->es = rd16(BDA_SEG, BDA_EBDA_SEG);
        clear_cf(r);
        return;
    case 0xc2:
        mouse_int15(r);
        return;
    case 0x86:
        sti();
        udelay((u32)r->cx << 16 | r->dx);
        cli();
        set_status(r, 0);
        return;
    case 0x87:
        int15_block_move(r);
        return;
    case 0x88:
        extkb = memmap.ram_below_4g > 64 * 1024 * 1024 ? 63 * 1024
              : (memmap.ram_below_4g - 0x100000) / 1024;
        r->ax = extkb;
        clear_cf(r);
        return;
    case 0x90:
    case 0x91:
        set_status(r, 0);
        return;
    case 0xc0:
        r->es = BIOS_SEG;
        r->bx = OFFSET16(sysconf);
        set_status(r, 0);
        return;
    case 0xe8:
        if (r->al == 0x20) {
            int15_e820(r);
            return;
        }
        if (r->al == 0x01) {
            u32 b = memmap.ram_below_4g;
            u32 low = b > 16 * 1024 * 1024 ? 15 * 1024 : (b - 0x100000) / 1024;
            u32 high = b > 16 * 1024 * 1024 ? (b - 16 * 1024 * 1024) / 65536 : 0;
            r->ax = r->cx = low;
            r->bx = r->dx = high;
            clear_cf(r);
            return;
        }
        break;
    }
    unsupported(r, 0x15, 0x86);
}

/* ---- INT 17h: printer ----------------------------------------------------------------- */
VISIBLE16 void handle_17(struct bregs *r)
{
    u16 port = r->dx < 3 ? rd16(BDA_SEG, BDA_LPT_PORTS + r->dx * 2) : 0;
    if (!port) {
        r->ah = 0x01;                   /* time-out */
        return;
    }
    switch (r->ah) {
    case 0x00:
        outb(r->al, port);
        outb(0x0d, port + 2);           /* strobe */
        outb(0x0c, port + 2);
        break;
    case 0x01:
        outb(0x08, port + 2);           /* init */
        udelay(100);
        outb(0x0c, port + 2);
        break;
    case 0x02:
        break;
    default:
        unsupported(r, 0x17, 0x86);
        return;
    }
    r->ah = (inb(port + 1) & 0xf8) ^ 0x48;
}

/* ---- INT 18h: no more boot devices ------------------------------------------------------ */
VISIBLE16 void handle_18(struct bregs *r)
{
    printf("vireo BIOS: no bootable device.\n");
    for (;;)
        wait_irq();
}

/* ---- INT 1Ah: clock and PCI BIOS -------------------------------------------------------- */
static int rtc_wait_update(void)
{
    for (u32 i = 0; i < 200000; i++)
        if (!(cmos_read(0x0a) & 0x80))
            return 0;
    return -1;
}

static void int1a_pci(struct bregs *r);

VISIBLE16 void handle_1a(struct bregs *r)
{
    switch (r->ah) {
    case 0x00:
        r->cx = ticks_now() >> 16;
        r->dx = ticks_now() & 0xffff;
        r->al = rd8(BDA_SEG, BDA_TICKS_OVERFLOW);
        wr8(BDA_SEG, BDA_TICKS_OVERFLOW, 0);
        clear_cf(r);
        return;
    case 0x01:
        wr32(BDA_SEG, BDA_TICKS, (u32)r->cx << 16 | r->dx);
        wr8(BDA_SEG, BDA_TICKS_OVERFLOW, 0);
        clear_cf(r);
        return;
    case 0x02:
        if (rtc_wait_update()) { set_cf(r); return; }
        r->ch = cmos_read(0x04);
        r->cl = cmos_read(0x02);
        r->dh = cmos_read(0x00);
        r->dl = cmos_read(0x0b) & 1;
        set_status(r, 0);
        return;
    case 0x03:
        if (rtc_wait_update()) { set_cf(r); return; }
        cmos_write(0x0b, cmos_read(0x0b) | 0x80);      /* SET: hold updates */
        cmos_write(0x04, r->ch);
        cmos_write(0x02, r->cl);
        cmos_write(0x00, r->dh);
        cmos_write(0x0b, (cmos_read(0x0b) & 0x7e) | (r->dl & 1));
        set_status(r, 0);
        return;
    case 0x04:
        if (rtc_wait_update()) { set_cf(r); return; }
        r->ch = cmos_read(0x32);
        r->cl = cmos_read(0x09);
        r->dh = cmos_read(0x08);
        r->dl = cmos_read(0x07);
        set_status(r, 0);
        return;
    case 0x05:
        if (rtc_wait_update()) { set_cf(r); return; }
        cmos_write(0x0b, cmos_read(0x0b) | 0x80);
        cmos_write(0x32, r->ch);
        cmos_write(0x09, r->cl);
        cmos_write(0x08, r->dh);
        cmos_write(0x07, r->dl);
        cmos_write(0x0b, cmos_read(0x0b) & 0x7f);
        set_status(r, 0);
        return;
    case 0xb1:
        int1a_pci(r);
        return;
    }
    unsupported(r, 0x1a, 0x86);
}

/* PCI BIOS specification 2.1, chapter 3: the real-mode INT 1Ah B1xxh interface. */
#define PCI_SUCCESSFUL 0x00
#define PCI_FUNC_NOT_SUPPORTED 0x81
#define PCI_DEVICE_NOT_FOUND 0x86
#define PCI_BAD_REGISTER 0x87

static void int1a_pci(struct bregs *r)
{
    u16 bdf = r->bx;
    switch (r->al) {
    case 0x01:
        r->al = 0x01;                   /* configuration mechanism #1 */
        r->bx = 0x0210;
        r->cl = 0;                      /* last bus */
        r->edx = 0x20494350;            /* "PCI " */
        r->edi = 0;
        set_status(r, 0);
        return;
    case 0x02:
    case 0x03: {
        u16 idx = 0;
        for (u32 b = 0; b < 0x100; b++) {
            u32 id = pci_read32(b, 0);
            if ((u16)id == 0xffff)
                continue;
            u32 match = r->al == 0x02 ? ((u16)id == r->dx && (id >> 16) == r->cx)
                                      : (pci_read32(b, 8) >> 8) == (r->ecx & 0xffffff);
            if (match && idx++ == r->si) {
                r->bx = b;
                set_status(r, PCI_SUCCESSFUL);
                return;
            }
        }
        set_status(r, PCI_DEVICE_NOT_FOUND);
        return;
    }
    case 0x08: r->cl = pci_read8(bdf, r->di); break;
    case 0x09: if (r->di & 1) goto bad; r->cx = pci_read16(bdf, r->di); break;
    case 0x0a: if (r->di & 3) goto bad; r->ecx = pci_read32(bdf, r->di); break;
    case 0x0b: pci_write8(bdf, r->di, r->cl); break;
    case 0x0c: if (r->di & 1) goto bad; pci_write16(bdf, r->di, r->cx); break;
    case 0x0d: if (r->di & 3) goto bad; pci_write32(bdf, r->di, r->ecx); break;
    default:
        unsupported(r, 0x1a, PCI_FUNC_NOT_SUPPORTED);
        return;
    }
    set_status(r, PCI_SUCCESSFUL);
    return;
bad:
    set_status(r, PCI_BAD_REGISTER);
}
#endif
