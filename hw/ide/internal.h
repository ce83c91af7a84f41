/* internal.h: state of an IDE channel and its two devices, shared by core.c, atapi.c and
 * bmdma.c (not for boards: they use ide.h). Register names follow ATA/ATAPI-6. */
#ifndef HW_IDE_INTERNAL_H
#define HW_IDE_INTERNAL_H

#include "hw/ide/ide.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"

/* Status register (ATA-6 7.15) */
#define ATA_SR_BSY   0x80
#define ATA_SR_DRDY  0x40
#define ATA_SR_DF    0x20
#define ATA_SR_DSC   0x10
#define ATA_SR_DRQ   0x08
#define ATA_SR_CORR  0x04
#define ATA_SR_ERR   0x01

/* Error register (ATA-6 7.9) */
#define ATA_ER_ICRC  0x80
#define ATA_ER_UNC   0x40
#define ATA_ER_MC    0x20
#define ATA_ER_IDNF  0x10
#define ATA_ER_MCR   0x08
#define ATA_ER_ABRT  0x04
#define ATA_ER_NM    0x02

/* Device Control register (ATA-6 7.8) */
#define ATA_DC_NIEN  0x02
#define ATA_DC_SRST  0x04
#define ATA_DC_HOB   0x80

/* Device/Head register */
#define ATA_DEV_LBA  0x40
#define ATA_DEV_DEV  0x10

/* Interrupt reason in the Sector Count register during PACKET (ATA-6 8.21) */
#define ATAPI_IR_COD 0x01
#define ATAPI_IR_IO  0x02

#define IDE_MAX_MULT      16           /* sectors per DRQ block in READ/WRITE MULTIPLE */
#define IDE_BUF_SIZE      (128 * KiB)  /* one DMA chunk, or one ATAPI transfer batch */
#define ATAPI_SECTOR_SIZE 2048

typedef struct IDEState IDEState;
typedef void IDEEndTransfer(IDEState *s);
/* Runs a DMA command's whole transfer once the bus master is started, and completes it. */
typedef void IDEDmaStart(IDEState *s);

struct IDEState {
    IDEBus *bus;
    int unit;
    IDEDriveKind kind;
    BlockDev *bd;
    uint64_t nb_sectors;
    /* default (IDENTIFY words 1,3,6) and current (INITIALIZE DEVICE PARAMETERS) geometry */
    unsigned cylinders, heads, sectors;
    unsigned cur_heads, cur_sectors;
    char serial[21], model[41], fw_rev[9];

    /* command block registers; hob_* are the "previous content" of the FIFOs (LBA48) */
    uint8_t feature, nsector, sector, lcyl, hcyl;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t select, status, error;
    uint8_t cmd;
    bool lba48;
    unsigned mult_sectors;           /* 0: multiple mode disabled */
    uint8_t xfer_mode;               /* SET FEATURES 03h value */
    bool write_cache;

    /* the sector transfer in progress */
    uint64_t cur_lba;
    uint32_t remaining;              /* sectors still to transfer */
    unsigned block_sectors;          /* sectors per DRQ block */
    bool is_write;

    /* PIO data through the Data register */
    uint8_t *io_buffer;
    uint32_t data_ptr, data_end;
    IDEEndTransfer *end_transfer;

    /* DMA command waiting for the bus master */
    IDEDmaStart *dma_start;

    /* ATAPI */
    uint8_t packet[12];
    uint8_t sense_key, asc, ascq;
    bool tray_open, locked;
    bool unit_attention;             /* medium changed since the guest last looked */
    uint8_t media_event;             /* GET EVENT STATUS NOTIFICATION media event code */
    uint32_t atapi_lba, atapi_sectors_left;
    uint32_t atapi_byte_limit;       /* end of the buffered reply in io_buffer */
    uint32_t atapi_drq_limit;        /* byte count limit the host gave with PACKET */
    bool atapi_dma;
};

/* PIIX bus-master IDE registers of one channel (Intel 82371AB datasheet 2.7.9) */
#define BM_CMD_START   0x01
#define BM_CMD_WRITE   0x08          /* bus master writes memory (a device read) */
#define BM_ST_ACTIVE   0x01
#define BM_ST_ERROR    0x02
#define BM_ST_INTR     0x04
#define BM_ST_DMA0_CAP 0x20
#define BM_ST_DMA1_CAP 0x40

typedef struct BMDMAState {
    IDEBus *bus;
    uint8_t cmd, status;
    uint32_t prd_addr;
    AddressSpace *as;                /* guest memory for the PRD table and data */
    /* NULL, or false while the function may not master the bus (PCI command register) */
    bool (*can_master)(void *opaque);
    void *master_opaque;
    MemoryRegion io;                 /* 8 ports, mapped by the PCI function's BAR4 */
    /* walk of the PRD table by the current command */
    uint32_t cur_prd;                /* address of the next descriptor */
    uint32_t cur_addr, cur_len;      /* what is left of the current descriptor */
    bool eot;                        /* the current descriptor is the last one */
    unsigned prds_walked;
} BMDMAState;

struct IDEBus {
    IDEState ifs[2];
    int cur;                         /* selected unit (Device/Head bit 4) */
    uint8_t devctl;
    bool irq_pending;
    IrqLine *irq;
    BMDMAState *bmdma;               /* NULL: no bus master (plain ISA IDE) */
    MemoryRegion cmd_io, ctl_io;
};

/* core.c */
void ide_bus_init(IDEBus *bus, IrqLine *irq);
void ide_bus_reset(IDEBus *bus);
extern const MemoryRegionOps ide_cmd_ops, ide_ctl_ops;
void ide_set_irq(IDEBus *bus);
void ide_transfer_start(IDEState *s, uint32_t size, IDEEndTransfer *end);
void ide_transfer_stop(IDEState *s);
void ide_abort_command(IDEState *s);
void ide_set_signature(IDEState *s);
void ide_dma_request(IDEState *s, IDEDmaStart *start);
void ide_padstr(uint8_t *dst, const char *src, int len);
static inline bool ide_has_medium(const IDEState *s)
{
    return s->bd && s->bd->length(s->bd) > 0 && !s->tray_open;
}

/* atapi.c */
void ide_atapi_identify(IDEState *s);
void ide_atapi_packet_cmd(IDEState *s);
void ide_atapi_reset(IDEState *s);
void ide_atapi_medium_changed(IDEState *s, bool inserted);

/* bmdma.c: move up to len bytes between buf and the guest memory the PRD table describes,
 * continuing where the previous call of this command stopped. Returns the bytes moved: fewer
 * than len when the table ended first or (with *error set) on a bad descriptor or a target
 * outside RAM. */
uint32_t bmdma_transfer(BMDMAState *bm, uint8_t *buf, uint32_t len, bool to_memory, bool *error);
/* The device finished a DMA command: update the bus-master status (Active stays set when the
 * table was longer than the transfer, as on the PIIX). */
void bmdma_command_done(BMDMAState *bm, bool error);
void bmdma_init(BMDMAState *bm, IDEBus *bus, AddressSpace *as);
void bmdma_reset(BMDMAState *bm);

#endif
