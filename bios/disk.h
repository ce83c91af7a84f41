/* disk.h: the drive table behind INT 13h, and the floppy and ATA drivers that serve it. */
#ifndef BIOS_DISK_H
#define BIOS_DISK_H
#include "types.h"

#define DRIVE_NONE 0
#define DRIVE_FLOPPY 1
#define DRIVE_ATA 2
#define DRIVE_ATAPI 3
#define DRIVE_CDEMU 4           /* El Torito floppy/hard disk emulation: 512-byte sectors of a CD image */

/* INT 13h status codes (AH) */
#define DISK_OK 0x00
#define DISK_BAD_CMD 0x01
#define DISK_ADDR_MARK 0x02
#define DISK_WRITE_PROTECT 0x03
#define DISK_SECTOR_NOT_FOUND 0x04
#define DISK_DMA_BOUNDARY 0x09
#define DISK_MEDIA_UNSUPPORTED 0x0c
#define DISK_CONTROLLER 0x20
#define DISK_SEEK 0x40
#define DISK_TIMEOUT 0x80
#define DISK_NOT_READY 0xaa

struct drive {
    u8 type;
    u8 unit;            /* floppy: drive 0/1; ATA: channel * 2 + slave */
    u8 floppy_type;     /* CMOS 10h type */
    u8 lba48;
    u16 iobase, ctlbase;
    u16 cyls, heads, spt;       /* logical geometry reported by INT 13h */
    u32 sectors;                /* capacity (clamped to 2^32 - 1 sectors) */
    u16 blksize;
    u32 emu_rba;                /* DRIVE_CDEMU: first 2048-byte block of the image */
    u8 emu_cd;                  /* DRIVE_CDEMU: index in disks.cd */
    char model[41];
};

#define MAX_FLOPPY 2
#define MAX_HD 4
#define MAX_CD 2
struct disks {
    u8 nfloppy, nhd, ncd;
    struct drive fd[MAX_FLOPPY];
    struct drive hd[MAX_HD];
    struct drive cd[MAX_CD];
};
VARFSEG_DECL(struct disks, disks);

/* Transfer request: count sectors at lba to/from seg:off (normalised by the caller). */
struct disk_op {
    struct drive *drive;
    u32 lba;
    u16 count;
    u16 seg, off;
    u8 write;
};

struct drive *drive_lookup(u8 dl);
int disk_rw(struct disk_op *op);        /* returns INT 13h status; op->count = sectors done */

int floppy_rw(struct disk_op *op);
int cdemu_rw(struct disk_op *op);
void floppy_setup(void);
int ata_rw(struct disk_op *op);
int atapi_rw(struct disk_op *op);
int atapi_read(struct drive *d, u32 lba, u16 count, u16 seg, u16 off);

/* El Torito boot state for INT 13h AH=4Bh (El Torito 1.0 section 5.3). */
struct cdboot {
    u8 active, media, drive;
    u32 rba;
    u16 load_seg, count;
};
VARFSEG_DECL(struct cdboot, cdboot);
void cdemu_terminate(void);
void ata_setup(void);

#endif
