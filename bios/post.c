/* post.c: power-on self test in 32-bit flat mode: console, memory, IVT/BDA/EBDA, interrupt
 * controllers, timers, devices, then hand-off to INT 19h (or to a Linux kernel from fw_cfg). */
#include "bios.h"
#include "farptr.h"
#include "fwcfg.h"
#include "output.h"
#include "pci.h"
#include "string.h"
#include "x86.h"

#if !MODE16

static void ivt_set(u8 vec, char *entry)
{
    wr16(0, vec * 4, OFFSET16(*entry));
    wr16(0, vec * 4 + 2, BIOS_SEG);
}

static void ivt_setup(void)
{
    for (int v = 0; v < 256; v++)
        ivt_set(v, entry_iret);
    for (int v = 0x08; v < 0x10; v++)
        ivt_set(v, entry_hwirq_master);
    for (int v = 0x70; v < 0x78; v++)
        ivt_set(v, entry_hwirq_slave);
    ivt_set(0x08, entry_08);
    ivt_set(0x09, entry_09);
    ivt_set(0x0e, entry_0e);
    ivt_set(0x74, entry_74);
    ivt_set(0x76, entry_76);
    ivt_set(0x10, entry_10);
    ivt_set(0x11, entry_11);
    ivt_set(0x12, entry_12);
    ivt_set(0x13, entry_13);
    ivt_set(0x14, entry_14);
    ivt_set(0x15, entry_15);
    ivt_set(0x16, entry_16);
    ivt_set(0x17, entry_17);
    ivt_set(0x18, entry_18);
    ivt_set(0x19, entry_19);
    ivt_set(0x1a, entry_1a);
    /* Table pointers, not code: no video parameter table, no 8x8 upper font yet. */
    wr32(0, 0x1d * 4, 0);
    wr32(0, 0x1f * 4, 0);
}

/* Parallel port: a data latch that reads back what was written. */
static int lpt_present(u16 port)
{
    outb(0xaa, port);
    return inb(port) == 0xaa;
}

static void bda_setup(void)
{
    memset((void *)0x400, 0, 0x100);
    u16 equip = 0x0020 | 0x0002;        /* 80x25 colour, x87 present (IBM PC/AT BIOS ref.) */
    int ncom = 0, nlpt = 0;
    if (inb(0x3f8 + 5) != 0xff) {
        wr16(BDA_SEG, BDA_COM_PORTS, 0x3f8);
        ncom = 1;
    }
    if (lpt_present(0x378)) {
        wr16(BDA_SEG, BDA_LPT_PORTS, 0x378);
        nlpt = 1;
    }
    equip |= ncom << 9 | nlpt << 14;
    /* CMOS 0x10: diskette drive types, high nibble = drive A. */
    u8 fd = cmos_read(0x10);
    int nfd = ((fd >> 4) != 0) + ((fd & 15) != 0);
    if (nfd)
        equip |= 1 | (nfd - 1) << 6;
    wr16(BDA_SEG, BDA_EQUIPMENT, equip);
    wr16(BDA_SEG, BDA_MEM_KB, memmap.low_kb);
    wr16(BDA_SEG, BDA_EBDA_SEG, EBDA_SEG_DEFAULT);
    wr16(BDA_SEG, BDA_KBD_HEAD, 0x1e);
    wr16(BDA_SEG, BDA_KBD_TAIL, 0x1e);
    wr16(BDA_SEG, BDA_KBD_BUF_START, 0x1e);
    wr16(BDA_SEG, BDA_KBD_BUF_END, 0x3e);
    wr8(BDA_SEG, BDA_KBD_FLAGS2, 0x10);  /* enhanced (101-key) keyboard */
    wr8(BDA_SEG, BDA_VIDEO_MODE, 3);
    wr16(BDA_SEG, BDA_VIDEO_COLS, 80);
    wr16(BDA_SEG, BDA_VIDEO_PAGESIZE, 4096);
    wr16(BDA_SEG, BDA_CURSOR_TYPE, 0x0607);
    wr16(BDA_SEG, BDA_CRTC_BASE, 0x3d4);
    wr8(BDA_SEG, BDA_VIDEO_ROWS, 24);
    wr8(BDA_SEG, BDA_CHAR_HEIGHT, 16);

    memset((void *)(EBDA_SEG_DEFAULT * 16), 0, EBDA_KB * 1024);
    wr8(EBDA_SEG_DEFAULT, 0, EBDA_KB);
}

/* 8259A: ICW1 edge/cascade/ICW4, ICW2 vector bases 08h and 70h, ICW3 cascade on IRQ2. */
static void pic_setup(void)
{
    outb(0x11, PIC1_CMD);
    outb(0x11, PIC2_CMD);
    outb(0x08, PIC1_DATA);
    outb(0x70, PIC2_DATA);
    outb(0x04, PIC1_DATA);
    outb(0x02, PIC2_DATA);
    outb(0x01, PIC1_DATA);
    outb(0x01, PIC2_DATA);
    /* Unmask timer, keyboard, cascade; devices unmask their own lines. */
    outb(~0x07 & 0xff, PIC1_DATA);
    outb(0xff, PIC2_DATA);
}

/* 8237A pair (IBM PC/AT technical reference, DMA): master reset, channel 4 of the second
 * controller set to cascade mode and unmasked so the first controller (channels 0-3, the
 * floppy's channel 2 among them) can reach the bus; everything else masked until a driver
 * programs it. */
static void dma_setup(void)
{
    outb(0, 0x0d);                      /* DMA1 master clear */
    outb(0, 0xda);                      /* DMA2 master clear */
    outb(0xc0, 0xd6);                   /* DMA2 mode: channel 4 cascade */
    outb(0x00, 0xd4);                   /* DMA2 single mask: unmask channel 4 */
}

/* Local APIC in virtual-wire mode (Intel MP spec 3.6.2.2): LINT0 = ExtINT so the 8259's
 * interrupts reach the CPU, LINT1 = NMI. At reset LINT0 is masked and PIC IRQs are lost. */
static void lapic_virtual_wire(void)
{
    u32 a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    if (!(d & (1 << 9)))
        return;
    volatile u32 *lapic = (volatile u32 *)0xfee00000;
    lapic[0xf0 / 4] = 0x1ff;            /* spurious vector FFh, APIC software-enabled */
    lapic[0x350 / 4] = 0x700;           /* LVT LINT0: ExtINT */
    lapic[0x360 / 4] = 0x400;           /* LVT LINT1: NMI */
}

static u8 bcd2bin(u8 v) { return (v >> 4) * 10 + (v & 15); }

/* PIT channel 0, mode 3, divisor 65536: the 18.2 Hz BIOS tick. RTC in 24 h BCD. */
static void timer_setup(void)
{
    outb(0x36, 0x43);
    outb(0, 0x40);
    outb(0, 0x40);
    cmos_write(0x0a, 0x26);
    cmos_write(0x0b, 0x02);
    cmos_read(0x0c);
    cmos_read(0x0d);
    for (int i = 0; i < 100000 && (cmos_read(0x0a) & 0x80); i++)
        ;
    u32 secs = bcd2bin(cmos_read(0x04)) * 3600 + bcd2bin(cmos_read(0x02)) * 60 +
               bcd2bin(cmos_read(0x00));
    /* 1193182 / 65536 = 18.2065 ticks per second */
    wr32(BDA_SEG, BDA_TICKS, secs * 18 + secs * 2065 / 10000);
}

static void fwcfg_options(void)
{
    int v = fwcfg_digit("opt/vireo/debug-level");
    if (v >= 0)
        debug_level_set(v);
    v = fwcfg_digit("opt/vireo/serial-mirror");
    if (v >= 0)
        serial_mirror_set(v);
}

VISIBLE32 void NORETURN post_main(void)
{
    post_code(0x03);
    serial_init();
    int have_fwcfg = fwcfg_present();
    if (have_fwcfg)
        fwcfg_options();
    printf("vireo BIOS\n");
    dprintf(1, "POST: 32-bit flat mode, fw_cfg %s%s\n", have_fwcfg ? "present" : "absent",
            have_fwcfg && fwcfg_has_dma() ? " (DMA)" : "");
    post_code(0x10);
    memmap_setup();
    printf("RAM: %u MiB below 4 GiB, %u MiB above\n", memmap.ram_below_4g >> 20,
           (u32)(memmap.ram_above_4g >> 20));
    post_code(0x20);
    ivt_setup();
    bda_setup();
    post_code(0x30);
    pic_setup();
    dma_setup();
    lapic_virtual_wire();
    timer_setup();
    timer_calibrate();
    post_code(0x40);
    kbd_setup();
    post_code(0x48);
    pci_setup();
    post_code(0x4c);
    pmm_setup();
    /* A VGA ROM has set up text mode: from now on messages go to the screen as well. */
    if (optionrom_setup() && rd8(BDA_SEG, BDA_VIDEO_MODE) == 3) {
        console_screen_enable(1);
        printf("vireo BIOS -- %u MiB RAM\n", (memmap.ram_below_4g >> 20) + (u32)(memmap.ram_above_4g >> 20));
    }
    pmm_close();
    memmap_low_update();
    post_code(0x4e);
    /* After PCI: QEMU builds the ACPI tables (their _CRS) when the loader script is read. */
    tables_setup();
    post_code(0x50);
    disk_setup();
    post_code(0x60);
    boot_setup();
    post_code(0x70);
    if (have_fwcfg && linux_boot_prepare()) {
        post_code(0x7f);
        jump_to_real();
    }
    realjump.cs = BIOS_SEG;
    realjump.ip = OFFSET16(*boot_handoff16);
    realjump.ss = 0;
    realjump.sp = 0x7000;
    realjump.ds = 0;
    post_code(0x80);
    dprintf(1, "POST done, INT 19h\n");
    jump_to_real();
}

#endif
