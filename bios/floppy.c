/* floppy.c: 82077AA diskette controller at 3F0h, read/write through ISA DMA channel 2 with
 * completion on IRQ6 (INT 0Eh). */
#include "bios.h"
#include "disk.h"
#include "farptr.h"
#include "output.h"
#include "x86.h"

#define FDC_DOR 0x3f2
#define FDC_MSR 0x3f4
#define FDC_FIFO 0x3f5
#define FDC_CCR 0x3f7
#define MSR_RQM 0x80
#define MSR_DIO 0x40

/* Geometry per CMOS drive type: 1 = 360K, 2 = 1.2M, 3 = 720K, 4 = 1.44M, 5 = 2.88M. */
static const struct { u8 cyls, spt, rate; } floppy_geom[6] = {
    { 0, 0, 0 }, { 40, 9, 2 }, { 80, 15, 0 }, { 80, 9, 2 }, { 80, 18, 0 }, { 80, 36, 3 },
};

#if !MODE16
void floppy_setup(void)
{
    u8 types = cmos_read(0x10);
    for (int i = 0; i < MAX_FLOPPY; i++) {
        u8 t = i == 0 ? types >> 4 : types & 15;
        if (!t || t >= ARRAY_SIZE(floppy_geom))
            continue;
        struct drive *d = &disks.fd[disks.nfloppy++];
        d->type = DRIVE_FLOPPY;
        d->unit = i;
        d->floppy_type = t;
        d->cyls = floppy_geom[t].cyls;
        d->heads = 2;
        d->spt = floppy_geom[t].spt;
        d->sectors = (u32)d->cyls * 2 * d->spt;
        d->blksize = 512;
    }
    if (disks.nfloppy)
        pic_unmask(6);
    wr8(BDA_SEG, BDA_FLOPPY_RECAL, 0);
}
#endif

#if MODE16
VISIBLE16 void handle_0e(struct bregs *r)
{
    wr8(BDA_SEG, BDA_FLOPPY_RECAL, rd8(BDA_SEG, BDA_FLOPPY_RECAL) | 0x80);
    pic_eoi_master();
}

static int fdc_wait_irq(void)
{
    u32 start = ticks_now();
    while (!(rd8(BDA_SEG, BDA_FLOPPY_RECAL) & 0x80)) {
        if (ticks_now() - start > 36)   /* 2 s */
            return -1;
        wait_irq();
    }
    wr8(BDA_SEG, BDA_FLOPPY_RECAL, rd8(BDA_SEG, BDA_FLOPPY_RECAL) & 0x7f);
    return 0;
}

static int fdc_out(u8 v)
{
    for (u32 i = 0; i < 100000; i++) {
        if ((inb(FDC_MSR) & (MSR_RQM | MSR_DIO)) == MSR_RQM) {
            outb(v, FDC_FIFO);
            return 0;
        }
    }
    return -1;
}

static int fdc_in(void)
{
    for (u32 i = 0; i < 100000; i++) {
        u8 msr = inb(FDC_MSR);
        if ((msr & (MSR_RQM | MSR_DIO)) == (MSR_RQM | MSR_DIO))
            return inb(FDC_FIFO);
    }
    return -1;
}

static int fdc_cmd(const u8 *cmd, int n)
{
    for (int i = 0; i < n; i++)
        if (fdc_out(cmd[i]))
            return -1;
    return 0;
}

/* SENSE INTERRUPT STATUS: ST0, present cylinder. */
static int fdc_sense(u8 *st0)
{
    if (fdc_out(0x08))
        return -1;
    int s = fdc_in(), pcn = fdc_in();
    if (s < 0 || pcn < 0)
        return -1;
    *st0 = s;
    return pcn;
}

static void motor_on(u8 unit)
{
    u8 motor = 0x10 << unit;
    wr8(BDA_SEG, BDA_FLOPPY_MOTOR_TICKS, 0x25 /* ~2 s, as INT 1Eh byte 2 */);
    if (rd8(BDA_SEG, BDA_FLOPPY_MOTOR) & (1 << unit))
        return;
    outb(motor | 0x0c | unit, FDC_DOR);
    wr8(BDA_SEG, BDA_FLOPPY_MOTOR, (rd8(BDA_SEG, BDA_FLOPPY_MOTOR) & 0xf0) | (1 << unit));
}

/* Controller reset, SPECIFY (step rate, head times, DMA mode) and RECALIBRATE. */
static int fdc_reset(struct drive *d)
{
    u8 st0;
    dprintf(3, "floppy: reset\n");
    outb(0x00, FDC_DOR);
    udelay(20);
    wr8(BDA_SEG, BDA_FLOPPY_RECAL, 0);
    wr8(BDA_SEG, BDA_FLOPPY_MOTOR, 0);
    outb(0x0c, FDC_DOR);
    if (fdc_wait_irq())
        return DISK_TIMEOUT;
    for (int i = 0; i < 4; i++)
        fdc_sense(&st0);
    static const u8 specify[3] = { 0x03, 0xaf, 0x02 };
    if (fdc_cmd(specify, 3))
        return DISK_CONTROLLER;
    outb(floppy_geom[d->floppy_type].rate, FDC_CCR);
    motor_on(d->unit);
    u8 recal[2] = { 0x07, d->unit };
    if (fdc_cmd(recal, 2) || fdc_wait_irq() || fdc_sense(&st0) != 0)
        return DISK_SEEK;
    wr8(BDA_SEG, BDA_FLOPPY_RECAL, 1 << d->unit);
    return DISK_OK;
}

/* 8237 channel 2: single mode, address increment, read (write to memory) = 46h or 4Ah. */
static int dma_setup(u32 addr, u16 len, int write)
{
    if ((addr & 0xffff) + len > 0x10000 || addr + len > 0x1000000)
        return DISK_DMA_BOUNDARY;
    outb(0x06, 0x0a);                   /* mask channel 2 */
    outb(0x00, 0x0c);                   /* clear byte flip-flop */
    outb(write ? 0x4a : 0x46, 0x0b);
    outb(addr & 0xff, 0x04);
    outb((addr >> 8) & 0xff, 0x04);
    outb(addr >> 16, 0x81);
    outb(0x00, 0x0c);
    outb((len - 1) & 0xff, 0x05);
    outb((len - 1) >> 8, 0x05);
    outb(0x02, 0x0a);                   /* unmask */
    return DISK_OK;
}

/* One track-or-less transfer: sectors [sec, sec+n) of (cyl, head). */
static int floppy_xfer(struct drive *d, u8 cyl, u8 head, u8 sec, u8 n, u32 addr, int write)
{
    int st = dma_setup(addr, (u16)n * 512, write);
    if (st)
        return st;
    u8 st0;
    dprintf(6, "floppy: xfer c%u h%u s%u n%u addr %x\n", cyl, head, sec, n, addr);
    u8 seek[3] = { 0x0f, (u8)(head << 2 | d->unit), cyl };
    if (fdc_cmd(seek, 3) || fdc_wait_irq() || fdc_sense(&st0) != cyl)
        return DISK_SEEK;
    /* READ DATA (E6h: MT, MFM, SK) / WRITE DATA (C5h: MT, MFM) */
    u8 cmd[9] = { write ? 0xc5 : 0xe6, (u8)(head << 2 | d->unit), cyl, head, sec, 2,
                  (u8)d->spt, 0x1b, 0xff };
    if (fdc_cmd(cmd, 9))
        return DISK_CONTROLLER;
    if (fdc_wait_irq())
        return DISK_TIMEOUT;
    dprintf(6, "floppy: irq\n");
    u8 res[7];
    for (int i = 0; i < 7; i++) {
        int v = fdc_in();
        if (v < 0)
            return DISK_CONTROLLER;
        res[i] = v;
    }
    if ((res[0] & 0xc0) == 0)
        return DISK_OK;
    if (res[1] & 0x02)
        return DISK_WRITE_PROTECT;
    if (res[1] & 0x04)
        return DISK_SECTOR_NOT_FOUND;
    return DISK_ADDR_MARK;
}

int floppy_rw(struct disk_op *op)
{
    struct drive *d = op->drive;
    int st = DISK_OK;
    u16 done = 0;
    if (!(rd8(BDA_SEG, BDA_FLOPPY_RECAL) & (1 << d->unit)))
        st = fdc_reset(d);
    motor_on(d->unit);
    u32 addr = ((u32)op->seg << 4) + op->off;
    while (st == DISK_OK && done < op->count) {
        u32 lba = op->lba + done;
        u8 sec = lba % d->spt + 1;
        u8 head = (lba / d->spt) % 2;
        u8 cyl = lba / (d->spt * 2);
        u8 n = d->spt - sec + 1;
        if (n > op->count - done)
            n = op->count - done;
        st = floppy_xfer(d, cyl, head, sec, n, addr + (u32)done * 512, op->write);
        if (st == DISK_DMA_BOUNDARY && n > 1) {
            /* Shrink to what fits before the 64 KiB DMA page boundary. */
            u32 a = addr + (u32)done * 512;
            u16 fit = (0x10000 - (a & 0xffff)) / 512;
            if (fit) {
                n = fit;
                st = floppy_xfer(d, cyl, head, sec, n, a, op->write);
            }
        }
        if (st == DISK_OK)
            done += n;
    }
    if (st != DISK_OK && st != DISK_DMA_BOUNDARY)
        wr8(BDA_SEG, BDA_FLOPPY_RECAL, 0);      /* recalibrate next time */
    op->count = done;
    return st;
}
#endif
