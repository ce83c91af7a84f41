/* disk.c: INT 13h for floppies and hard disks: CHS functions, the EDD 3.0 extensions
 * (41h-48h) with LBA, and geometry translation for disks beyond 1024 cylinders. */
#include "bios.h"
#include "disk.h"
#include "farptr.h"
#include "output.h"
#include "string.h"
#include "x86.h"

VARFSEG_DEF(struct disks, disks);
VARFSEG_DEF(struct cdboot, cdboot);

/* INT 1Eh diskette parameter table (IBM PC/AT BIOS listing: 1.44 MB values). */
struct floppy_params {
    u8 specify1, specify2, motor_off, bytes_per_sector, sectors, gap, dtl, format_gap,
       fill, head_settle, motor_start;
} PACKED;
VARFSEG_DEF(const struct floppy_params, floppy_params) =
    { 0xaf, 0x02, 0x25, 0x02, 18, 0x1b, 0xff, 0x6c, 0xf6, 0x0f, 0x08 };
VARFSEG_DECL(const struct floppy_params, floppy_params);

#if !MODE16
void disk_setup(void)
{
    memset(&disks, 0, sizeof(disks));
    floppy_setup();
    ata_setup();
    wr8(BDA_SEG, BDA_HD_COUNT, disks.nhd);
    wr16(0, 0x1e * 4, OFFSET16(floppy_params));
    wr16(0, 0x1e * 4 + 2, BIOS_SEG);
    for (int i = 0; i < disks.nfloppy; i++)
        printf("Floppy %c: %u sectors\n", 'A' + i, disks.fd[i].sectors);
    for (int i = 0; i < disks.nhd; i++)
        printf("Disk %02x: %s, %u MiB, CHS %u/%u/%u\n", 0x80 + i, disks.hd[i].model,
               disks.hd[i].sectors >> 11, disks.hd[i].cyls, disks.hd[i].heads, disks.hd[i].spt);
    for (int i = 0; i < disks.ncd; i++)
        printf("CD %u: %s\n", i, disks.cd[i].model);
}
#endif

#if MODE16
struct drive *drive_lookup(u8 dl)
{
    if (dl < disks.nfloppy)
        return &disks.fd[dl];
    if (dl >= 0x80 && dl < 0x80 + disks.nhd)
        return &disks.hd[dl - 0x80];
    if (dl >= 0xe0 && dl < 0xe0 + disks.ncd)
        return &disks.cd[dl - 0xe0];
    return NULL;
}

int disk_rw(struct disk_op *op)
{
    /* Normalise so a 127-sector transfer never wraps the 64 KiB segment. */
    op->seg += op->off >> 4;
    op->off &= 15;
    if (op->lba >= op->drive->sectors || op->count > op->drive->sectors - op->lba) {
        op->count = 0;
        return DISK_SECTOR_NOT_FOUND;
    }
    if (op->drive->type == DRIVE_FLOPPY)
        return floppy_rw(op);
    if (op->drive->type == DRIVE_ATA)
        return ata_rw(op);
    if (op->drive->type == DRIVE_ATAPI && !op->write)
        return atapi_rw(op);
    if (op->drive->type == DRIVE_CDEMU && !op->write)
        return cdemu_rw(op);
    if (op->drive->type == DRIVE_ATAPI || op->drive->type == DRIVE_CDEMU) {
        op->count = 0;
        return DISK_WRITE_PROTECT;
    }
    op->count = 0;
    return DISK_BAD_CMD;
}

/* El Torito emulation: each 512-byte sector is a quarter of a 2048-byte CD block. */
static u8 cdemu_buf[2048];

/* AH=4B00h: the emulated drive goes away, the real drives take their numbers back. */
void cdemu_terminate(void)
{
    int hd = cdboot.drive >= 0x80;
    struct drive *list = hd ? disks.hd : disks.fd;
    u8 *n = hd ? &disks.nhd : &disks.nfloppy;
    for (int i = 0; i + 1 < *n; i++)
        list[i] = list[i + 1];
    (*n)--;
    if (hd)
        wr8(BDA_SEG, BDA_HD_COUNT, disks.nhd);
    else
        wr16(BDA_SEG, BDA_EQUIPMENT, (rd16(BDA_SEG, BDA_EQUIPMENT) & ~0x00c1) |
                                         (disks.nfloppy ? 1 | (disks.nfloppy - 1) << 6 : 0));
    cdboot.active = 0;
}

int cdemu_rw(struct disk_op *op)
{
    struct drive *d = op->drive;
    u16 done = 0;
    u32 lin = ((u32)op->seg << 4) + op->off;
    while (done < op->count) {
        u32 lba = op->lba + done;
        int st = atapi_read(&disks.cd[d->emu_cd], d->emu_rba + lba / 4, 1, BIOS_SEG,
                            (u16)(u32)cdemu_buf);
        if (st) {
            op->count = done;
            return st;
        }
        for (u32 q = lba % 4; q < 4 && done < op->count; q++, done++, lin += 512)
            far_write(lin >> 4, lin & 15, cdemu_buf + q * 512, 512);
    }
    return DISK_OK;
}

/* Floppies, real or emulated from a CD image (hard disk emulation has no floppy type). */
static int is_floppy(const struct drive *d)
{
    return d->type == DRIVE_FLOPPY || (d->type == DRIVE_CDEMU && d->floppy_type);
}

static void disk_status(struct bregs *r, struct drive *d, u8 status)
{
    wr8(BDA_SEG, d && is_floppy(d) ? BDA_FLOPPY_STATUS : BDA_DISK_STATUS, status);
    set_status(r, status);
}

/* AH=02h/03h/04h: CH = cylinder low, CL[7:6] = cylinder high, CL[5:0] = sector, DH = head. */
static void disk_chs(struct bregs *r, struct drive *d)
{
    u16 cyl = r->ch | (u16)(r->cl & 0xc0) << 2;
    u16 sec = r->cl & 0x3f, head = r->dh;
    u8 count = r->al;
    if (!count || count > 128 || !sec || sec > d->spt || head >= d->heads || cyl >= d->cyls) {
        r->al = 0;
        disk_status(r, d, DISK_BAD_CMD);
        return;
    }
    struct disk_op op = {
        .drive = d,
        .lba = ((u32)cyl * d->heads + head) * d->spt + sec - 1,
        .count = count,
        .seg = r->es,
        .off = r->bx,
        .write = r->ah == 0x03,
    };
    int st;
    if (r->ah == 0x04) {
        st = op.lba + count <= d->sectors ? DISK_OK : DISK_SECTOR_NOT_FOUND;
    } else {
        st = disk_rw(&op);
        count = op.count;
    }
    r->al = count;
    disk_status(r, d, st);
}

/* Disk address packet (EDD 3.0 section 8.1). */
struct dap {
    u8 size, reserved;
    u16 count;
    u16 off, seg;
    u64 lba;
} PACKED;

static void disk_ext_rw(struct bregs *r, struct drive *d)
{
    struct dap p;
    far_read(&p, r->ds, r->si, sizeof(p));
    if (p.size < 16) {
        disk_status(r, d, DISK_BAD_CMD);
        return;
    }
    if (r->ah == 0x44 || r->ah == 0x47) {
        disk_status(r, d, p.lba + (r->ah == 0x44 ? p.count : 0) <= d->sectors ? DISK_OK
                                                                            : DISK_SECTOR_NOT_FOUND);
        return;
    }
    if (p.off == 0xffff && p.seg == 0xffff) {
        /* A 64-bit flat buffer address needs protected mode; we do not switch from INT 13h. */
        wr16(r->ds, r->si + 2, 0);
        unsupported(r, 0x13, DISK_BAD_CMD);
        return;
    }
    if (p.lba >> 32) {
        wr16(r->ds, r->si + 2, 0);
        disk_status(r, d, DISK_SECTOR_NOT_FOUND);
        return;
    }
    int st = DISK_OK;
    u16 done = 0, chunk = 0xffff / d->blksize;
    /* Split so each chunk fits in one segment (127 sectors of 512 bytes, 31 of 2048). */
    while (done < p.count && st == DISK_OK) {
        u16 n = p.count - done;
        if (n > chunk)
            n = chunk;
        u32 lin = ((u32)p.seg << 4) + p.off + (u32)done * d->blksize;
        struct disk_op op = {
            .drive = d, .lba = (u32)p.lba + done, .count = n,
            .seg = lin >> 4, .off = lin & 15, .write = r->ah == 0x43,
        };
        st = disk_rw(&op);
        done += op.count;
    }
    wr16(r->ds, r->si + 2, done);
    disk_status(r, d, st);
}

/* AH=48h result buffer (EDD 3.0 section 8.5). */
struct edd_params {
    u16 size, flags;
    u32 cyls, heads, spt;
    u64 sectors;
    u16 blksize;
    u16 dpte_off, dpte_seg;
} PACKED;

static void disk_ext_params(struct bregs *r, struct drive *d)
{
    u16 size = rd16(r->ds, r->si);
    if (size < 26) {
        disk_status(r, d, DISK_BAD_CMD);
        return;
    }
    struct edd_params p = {
        .size = size >= 30 ? 30 : 26,
        .flags = d->type == DRIVE_FLOPPY ? 0x0006 : 0x0002,     /* CHS info valid */
        .cyls = d->cyls, .heads = d->heads, .spt = d->spt,
        .sectors = d->sectors, .blksize = d->blksize,
        .dpte_off = 0xffff, .dpte_seg = 0xffff,
    };
    far_write(r->ds, r->si, &p, p.size);
    disk_status(r, d, DISK_OK);
}

static void disk_params(struct bregs *r, struct drive *d)
{
    u16 maxcyl = d->cyls - 1;
    r->ch = maxcyl & 0xff;
    r->cl = (d->spt & 0x3f) | ((maxcyl >> 2) & 0xc0);
    r->dh = d->heads - 1;
    r->al = 0;
    if (is_floppy(d)) {
        r->bl = d->floppy_type;
        r->bh = 0;
        r->dl = disks.nfloppy;
        r->es = BIOS_SEG;
        r->di = OFFSET16(floppy_params);
    } else {
        r->dl = disks.nhd;
    }
    disk_status(r, d, DISK_OK);
}

VISIBLE16 void handle_13(struct bregs *r)
{
    struct drive *d = drive_lookup(r->dl);
    dprintf(6, "int13 ax=%04x dl=%02x\n", r->ax, r->dl);
    if (!d) {
        /* AH=08h on a missing floppy still reports the count (RBIL INT 13/AH=08h). */
        if (r->ah == 0x08 && r->dl < 0x80) {
            r->ax = 0; r->bx = 0; r->cx = 0; r->dh = 0; r->dl = disks.nfloppy;
            r->es = 0; r->di = 0;
            if (!disks.nfloppy) { set_status(r, DISK_BAD_CMD); return; }
            clear_cf(r);
            return;
        }
        if (r->ah == 0x15) { r->ah = 0; clear_cf(r); return; }
        set_status(r, DISK_BAD_CMD);
        return;
    }
    if (d->type == DRIVE_ATAPI && (r->ah == 0x02 || r->ah == 0x03 || r->ah == 0x04 ||
                                   r->ah == 0x08)) {
        disk_status(r, d, DISK_BAD_CMD);       /* CHS makes no sense on a CD */
        return;
    }
    switch (r->ah) {
    case 0x4b:
        /* El Torito 1.0 section 5.3: AL=00h terminate emulation, 01h status; both return
         * the specification packet at DS:SI. */
        if ((r->al == 0x00 || r->al == 0x01) && cdboot.active) {
            struct drive *cd = d->type == DRIVE_CDEMU ? &disks.cd[d->emu_cd] : d;
            u8 pkt[0x13] = { 0x13, cdboot.media, cdboot.drive, (u8)(cd->unit >> 1) };
            *(u32 *)(pkt + 4) = cdboot.rba;
            pkt[8] = cd->unit & 1;
            *(u16 *)(pkt + 0x0c) = cdboot.load_seg;
            *(u16 *)(pkt + 0x0e) = cdboot.count;
            if (d->type == DRIVE_CDEMU) {
                pkt[0x10] = (d->cyls - 1) & 0xff;
                pkt[0x11] = (d->spt & 0x3f) | ((d->cyls - 1) >> 2 & 0xc0);
                pkt[0x12] = d->heads - 1;
            }
            far_write(r->ds, r->si, pkt, sizeof(pkt));
            if (r->al == 0x00)
                cdemu_terminate();
            disk_status(r, cd, DISK_OK);
            return;
        }
        break;
    case 0x00: case 0x0d: case 0x10: case 0x11: case 0x14: case 0x0c:
    case 0x17: case 0x18:
        disk_status(r, d, DISK_OK);
        return;
    case 0x01: {
        u8 st = rd8(BDA_SEG, is_floppy(d) ? BDA_FLOPPY_STATUS : BDA_DISK_STATUS);
        r->ah = st;
        if (st) set_cf(r); else clear_cf(r);
        return;
    }
    case 0x02: case 0x03: case 0x04:
        disk_chs(r, d);
        return;
    case 0x08:
        disk_params(r, d);
        return;
    case 0x15:
        if (is_floppy(d)) {
            r->ah = 0x02;               /* floppy with change-line support */
        } else {
            r->ah = 0x03;
            r->cx = d->sectors >> 16;
            r->dx = d->sectors & 0xffff;
        }
        clear_cf(r);
        return;
    case 0x16:
        disk_status(r, d, DISK_OK);     /* disk not changed */
        return;
    case 0x41:
        if (r->bx != 0x55aa) break;
        r->bx = 0xaa55;
        r->ah = 0x30;                   /* EDD 3.0 */
        r->cx = 0x0005;                 /* fixed-disk access (42h-44h,47h,48h) + EDD (48h) */
        clear_cf(r);
        return;
    case 0x42: case 0x43: case 0x44: case 0x47:
        disk_ext_rw(r, d);
        return;
    case 0x48:
        disk_ext_params(r, d);
        return;
    }
    unsupported(r, 0x13, DISK_BAD_CMD);
}
#endif
