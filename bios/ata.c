/* ata.c: ATA/ATAPI on the legacy IDE ports (1F0h/3F6h, 170h/376h): IDENTIFY at POST and
 * polled PIO sector transfers (LBA28, LBA48 beyond 2^28 sectors) at run time. */
#include "bios.h"
#include "disk.h"
#include "farptr.h"
#include "output.h"
#include "string.h"
#include "x86.h"

#define ATA_DATA 0
#define ATA_ERROR 1
#define ATA_COUNT 2
#define ATA_LBA0 3
#define ATA_LBA1 4
#define ATA_LBA2 5
#define ATA_DEVICE 6
#define ATA_STATUS 7
#define ATA_CMD 7
#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DF 0x20
#define ST_DRDY 0x40
#define ST_BSY 0x80

static const u16 ata_ports[2][2] = { { 0x1f0, 0x3f6 }, { 0x170, 0x376 } };

/* Wait for BSY to clear; returns the status or -1 on timeout (about 3 s of polling). */
static int ata_wait_notbusy(u16 io, u32 loops)
{
    for (u32 i = 0; i < loops; i++) {
        u8 st = inb(io + ATA_STATUS);
        if (st == 0xff)
            return -1;                  /* floating bus: nothing there */
        if (!(st & ST_BSY))
            return st;
    }
    return -1;
}

static void ata_400ns(u16 ctl)
{
    for (int i = 0; i < 4; i++)
        inb(ctl);
}

static void ata_read_words(u16 port, u16 seg, u16 off, u16 words)
{
#if MODE16
    __asm__ volatile("pushw %%es\n\tmovw %w3, %%es\n\trep insw\n\tpopw %%es"
                     : "+D"(off), "+c"(words) : "d"(port), "r"(seg) : "memory");
#else
    u32 dst = ((u32)seg << 4) + off;
    __asm__ volatile("rep insw" : "+D"(dst), "+c"(words) : "d"(port) : "memory");
#endif
}

static void ata_write_words(u16 port, u16 seg, u16 off, u16 words)
{
#if MODE16
    __asm__ volatile("pushw %%ds\n\tmovw %w3, %%ds\n\trep outsw\n\tpopw %%ds"
                     : "+S"(off), "+c"(words) : "d"(port), "r"(seg) : "memory");
#else
    u32 src = ((u32)seg << 4) + off;
    __asm__ volatile("rep outsw" : "+S"(src), "+c"(words) : "d"(port) : "memory");
#endif
}

/* PACKET (A0h) in PIO mode: send the 12-byte CDB, then take DRQ blocks of the size the
 * device reports in the byte count registers until it drops DRQ (ATA/ATAPI-6 9.8). */
static int atapi_packet(struct drive *d, const u8 *cdb, u16 seg, u16 off, u32 len)
{
    u16 io = d->iobase;
    if (ata_wait_notbusy(io, 1000000) < 0)
        return DISK_TIMEOUT;
    outb(0xa0 | (d->unit & 1) << 4, io + ATA_DEVICE);
    ata_400ns(d->ctlbase);
    if (ata_wait_notbusy(io, 1000000) < 0)
        return DISK_TIMEOUT;
    outb(0, io + ATA_ERROR);            /* features: PIO */
    outb(0, io + ATA_COUNT);
    outb(0x00, io + ATA_LBA1);          /* byte count limit 8000h */
    outb(0x80, io + ATA_LBA2);
    outb(0xa0, io + ATA_CMD);
    ata_400ns(d->ctlbase);
    int st = ata_wait_notbusy(io, 1000000);
    if (st < 0 || (st & ST_ERR) || !(st & ST_DRQ))
        return DISK_CONTROLLER;
#if MODE16
    ata_write_words(io, BIOS_SEG, (u16)(u32)cdb, 6);
#else
    ata_write_words(io, (u32)cdb >> 4, (u32)cdb & 15, 6);
#endif
    u32 lin = ((u32)seg << 4) + off, done = 0;
    for (;;) {
        ata_400ns(d->ctlbase);
        st = ata_wait_notbusy(io, 3000000);
        if (st < 0)
            return DISK_TIMEOUT;
        if (st & ST_ERR)
            return DISK_SECTOR_NOT_FOUND;
        if (!(st & ST_DRQ))
            break;
        u16 n = inb(io + ATA_LBA1) | inb(io + ATA_LBA2) << 8;
        if (done + n > len) {
            for (u16 i = 0; i < n / 2; i++)
                inw(io);                /* more than asked for: drain */
        } else {
            u32 a = lin + done;
            ata_read_words(io, a >> 4, a & 15, n / 2);
        }
        done += n;
    }
    return done >= len ? DISK_OK : DISK_SECTOR_NOT_FOUND;
}

/* READ(10) of count 2048-byte blocks; a fresh medium first answers UNIT ATTENTION. */
int atapi_read(struct drive *d, u32 lba, u16 count, u16 seg, u16 off)
{
    u8 cdb[12] = { 0x28, 0, lba >> 24, lba >> 16, lba >> 8, lba, 0, count >> 8, count, 0, 0, 0 };
    int st = DISK_TIMEOUT;
    for (int tries = 0; tries < 3 && st; tries++)
        st = atapi_packet(d, cdb, seg, off, (u32)count * 2048);
    return st;
}

#if !MODE16
/* READ CAPACITY(10): last LBA and block size, big-endian. */
static void atapi_capacity(struct drive *d)
{
    static u8 buf[8];
    u8 cdb[12] = { 0x25 };
    for (int tries = 0; tries < 3; tries++)
        if (!atapi_packet(d, cdb, (u32)buf >> 4, (u32)buf & 15, 8)) {
            d->sectors = (buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]) + 1;
            return;
        }
    d->sectors = 0;                     /* no medium */
}

static void ata_model(char *dst, const u16 *id)
{
    for (int i = 0; i < 20; i++) {
        dst[i * 2] = id[27 + i] >> 8;
        dst[i * 2 + 1] = id[27 + i] & 0xff;
    }
    int n = 40;
    while (n && dst[n - 1] == ' ')
        n--;
    dst[n] = 0;
}

/* LBA-assisted translation (the usual BIOS scheme): grow heads until cylinders fit 1024. */
static void ata_translate(struct drive *d, const u16 *id)
{
    d->cyls = id[1];
    d->heads = id[3];
    d->spt = id[6];
    if (!d->cyls || !d->heads || !d->spt || d->heads > 16 || d->spt > 63) {
        d->heads = 16;
        d->spt = 63;
        d->cyls = d->sectors / (16 * 63);
    }
    if (d->cyls <= 1024)
        return;
    static const u16 heads[] = { 16, 32, 64, 128, 255 };
    u32 cyls = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(heads); i++) {
        d->heads = heads[i];
        d->spt = 63;
        cyls = d->sectors / ((u32)d->heads * 63);
        if (cyls <= 1024)
            break;
    }
    d->cyls = cyls > 1024 ? 1024 : cyls;
}

static void ata_probe(int ch, int slave)
{
    u16 io = ata_ports[ch][0], ctl = ata_ports[ch][1];
    outb(0x02, ctl);                    /* nIEN: we poll */
    outb(0xa0 | slave << 4, io + ATA_DEVICE);
    ata_400ns(ctl);
    /* Cheap presence test: the sector count register must hold a value. */
    outb(0x55, io + ATA_COUNT);
    outb(0xaa, io + ATA_LBA0);
    if (inb(io + ATA_COUNT) != 0x55 || inb(io + ATA_LBA0) != 0xaa)
        return;
    if (ata_wait_notbusy(io, 100000) < 0)
        return;
    outb(0xec, io + ATA_CMD);           /* IDENTIFY DEVICE */
    ata_400ns(ctl);
    int st = ata_wait_notbusy(io, 1000000);
    if (st < 0 || st == 0)
        return;
    int atapi = 0;
    if (st & ST_ERR) {
        /* ATAPI devices abort IDENTIFY and leave signature 14h/EBh in the LBA registers. */
        if (inb(io + ATA_LBA1) != 0x14 || inb(io + ATA_LBA2) != 0xeb)
            return;
        outb(0xa1, io + ATA_CMD);       /* IDENTIFY PACKET DEVICE */
        ata_400ns(ctl);
        st = ata_wait_notbusy(io, 1000000);
        if (st < 0 || (st & ST_ERR))
            return;
        atapi = 1;
    }
    if (!(st & ST_DRQ))
        return;
    static u16 id[256];
    ata_read_words(io, (u32)id >> 4, (u32)id & 15, 256);
    struct drive *d;
    if (atapi) {
        if (disks.ncd >= MAX_CD)
            return;
        d = &disks.cd[disks.ncd++];
        d->type = DRIVE_ATAPI;
        d->blksize = 2048;
        d->unit = ch * 2 + slave;
        d->iobase = io;
        d->ctlbase = ctl;
        atapi_capacity(d);
    } else {
        if (disks.nhd >= MAX_HD)
            return;
        d = &disks.hd[disks.nhd++];
        d->type = DRIVE_ATA;
        d->blksize = 512;
        u32 lba28 = id[60] | (u32)id[61] << 16;
        u64 lba48 = id[100] | (u64)id[101] << 16 | (u64)id[102] << 32 | (u64)id[103] << 48;
        if ((id[83] & (1 << 10)) && lba48 > lba28) {
            d->lba48 = 1;
            d->sectors = lba48 >> 32 ? 0xffffffff : (u32)lba48;
        } else {
            d->sectors = (id[49] & (1 << 9)) ? lba28 : (u32)id[1] * id[3] * id[6];
        }
        ata_translate(d, id);
    }
    d->unit = ch * 2 + slave;
    d->iobase = io;
    d->ctlbase = ctl;
    ata_model(d->model, id);
    dprintf(3, "ata%d-%d: %s %s\n", ch, slave, atapi ? "ATAPI" : "ATA", d->model);
}

void ata_setup(void)
{
    for (int ch = 0; ch < 2; ch++)
        for (int slave = 0; slave < 2; slave++)
            ata_probe(ch, slave);
}
#endif

#if MODE16
VISIBLE16 void handle_76(struct bregs *r)
{
    inb(0x1f7);
    inb(0x177);
    pic_eoi_slave();
}

int atapi_rw(struct disk_op *op)
{
    int st = atapi_read(op->drive, op->lba, op->count, op->seg, op->off);
    if (st)
        op->count = 0;
    return st;
}

int ata_rw(struct disk_op *op)
{
    struct drive *d = op->drive;
    u16 io = d->iobase;
    u16 done = 0;
    int st = DISK_OK;
    while (done < op->count && st == DISK_OK) {
        u32 lba = op->lba + done;
        u16 n = op->count - done;
        if (n > 127)
            n = 127;
        if (ata_wait_notbusy(io, 1000000) < 0) {
            st = DISK_TIMEOUT;
            break;
        }
        u8 dev = 0xe0 | (d->unit & 1) << 4;
        if (lba >= (1u << 28) || lba + n > (1u << 28)) {
            outb(dev, io + ATA_DEVICE);
            outb(0, io + ATA_COUNT);            /* high bytes first (ATA-8 7.xx EXT) */
            outb(lba >> 24, io + ATA_LBA0);
            outb(0, io + ATA_LBA1);
            outb(0, io + ATA_LBA2);
            outb(n, io + ATA_COUNT);
            outb(lba, io + ATA_LBA0);
            outb(lba >> 8, io + ATA_LBA1);
            outb(lba >> 16, io + ATA_LBA2);
            outb(op->write ? 0x34 : 0x24, io + ATA_CMD);    /* WRITE/READ SECTORS EXT */
        } else {
            outb(dev | ((lba >> 24) & 15), io + ATA_DEVICE);
            outb(n, io + ATA_COUNT);
            outb(lba, io + ATA_LBA0);
            outb(lba >> 8, io + ATA_LBA1);
            outb(lba >> 16, io + ATA_LBA2);
            outb(op->write ? 0x30 : 0x20, io + ATA_CMD);    /* WRITE/READ SECTORS */
        }
        u32 lin = ((u32)op->seg << 4) + op->off + (u32)done * 512;
        for (u16 i = 0; i < n; i++, lin += 512) {
            ata_400ns(d->ctlbase);
            int s = ata_wait_notbusy(io, 1000000);
            if (s < 0) { st = DISK_TIMEOUT; break; }
            if (s & (ST_ERR | ST_DF) || !(s & ST_DRQ)) { st = DISK_SECTOR_NOT_FOUND; break; }
            if (op->write)
                ata_write_words(io, lin >> 4, lin & 15, 256);
            else
                ata_read_words(io, lin >> 4, lin & 15, 256);
            done++;
        }
        if (st == DISK_OK && op->write) {
            int s = ata_wait_notbusy(io, 1000000);
            if (s < 0 || (s & (ST_ERR | ST_DF)))
                st = DISK_CONTROLLER;
        }
    }
    op->count = done;
    return st;
}
#endif
