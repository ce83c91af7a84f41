/* core.c: an IDE channel's task-file registers and the ATA disk commands (ATA/ATAPI-6). */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/ide/internal.h"

/* Commands (ATA/ATAPI-6 clause 8) */
enum {
    WIN_DEVICE_RESET = 0x08,
    WIN_RECAL = 0x10,                 /* 10h-1Fh: RECALIBRATE (obsolete, still used) */
    WIN_READ = 0x20, WIN_READ_NORETRY = 0x21,
    WIN_READ_EXT = 0x24, WIN_READDMA_EXT = 0x25,
    WIN_READ_NATIVE_MAX_EXT = 0x27, WIN_MULTREAD_EXT = 0x29,
    WIN_WRITE = 0x30, WIN_WRITE_NORETRY = 0x31,
    WIN_WRITE_EXT = 0x34, WIN_WRITEDMA_EXT = 0x35, WIN_MULTWRITE_EXT = 0x39,
    WIN_VERIFY = 0x40, WIN_VERIFY_NORETRY = 0x41, WIN_VERIFY_EXT = 0x42,
    WIN_SEEK = 0x70,
    WIN_DIAGNOSE = 0x90, WIN_SPECIFY = 0x91,
    WIN_PACKET = 0xa0, WIN_PIDENTIFY = 0xa1,
    WIN_MULTREAD = 0xc4, WIN_MULTWRITE = 0xc5, WIN_SETMULT = 0xc6,
    WIN_READDMA = 0xc8, WIN_READDMA_NORETRY = 0xc9,
    WIN_WRITEDMA = 0xca, WIN_WRITEDMA_NORETRY = 0xcb,
    WIN_STANDBYNOW1 = 0xe0, WIN_IDLEIMMEDIATE = 0xe1, WIN_STANDBY = 0xe2, WIN_SETIDLE = 0xe3,
    WIN_CHECKPOWERMODE = 0xe5, WIN_SLEEPNOW = 0xe6,
    WIN_FLUSH_CACHE = 0xe7, WIN_FLUSH_CACHE_EXT = 0xea,
    WIN_IDENTIFY = 0xec, WIN_SETFEATURES = 0xef,
    WIN_READ_NATIVE_MAX = 0xf8,
    WIN_DOORLOCK = 0xde, WIN_DOORUNLOCK = 0xdf,
};

void ide_padstr(uint8_t *dst, const char *src, int len)
{
    for (int i = 0; i < len; i++)
        dst[i] = *src ? *src++ : ' ';
}

/* IDENTIFY strings are stored with the two bytes of each word swapped (ATA-6 8.15.9). */
static void put_idstr(uint16_t *words, const char *src, int len)
{
    uint8_t tmp[64];
    ide_padstr(tmp, src, len);
    for (int i = 0; i < len / 2; i++)
        words[i] = tmp[2 * i] << 8 | tmp[2 * i + 1];
}

static void put_le16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }

/* ---- interrupts and status ---- */

void ide_set_irq(IDEBus *bus)
{
    bus->irq_pending = true;
    if (!(bus->devctl & ATA_DC_NIEN))
        irq_raise(bus->irq);
}

static void ide_clear_irq(IDEBus *bus)
{
    bus->irq_pending = false;
    irq_lower(bus->irq);
}

void ide_set_signature(IDEState *s)
{
    s->select &= ATA_DEV_DEV;
    s->select |= 0xa0;
    s->nsector = 1;
    s->sector = 1;
    if (s->kind == IDE_CD) {
        s->lcyl = 0x14;
        s->hcyl = 0xeb;
    } else {
        s->lcyl = 0;
        s->hcyl = 0;
    }
}

void ide_abort_command(IDEState *s)
{
    ide_transfer_stop(s);
    s->status = ATA_SR_DRDY | ATA_SR_ERR;
    s->error = ATA_ER_ABRT;
}

void ide_transfer_start(IDEState *s, uint32_t size, IDEEndTransfer *end)
{
    s->data_ptr = 0;
    s->data_end = size;
    s->end_transfer = end;
    s->status |= ATA_SR_DRQ;
    s->status &= ~ATA_SR_BSY;
}

void ide_transfer_stop(IDEState *s)
{
    s->data_ptr = s->data_end = 0;
    s->end_transfer = NULL;
    s->dma_start = NULL;
    s->status &= ~ATA_SR_DRQ;
}

/* ---- addressing ---- */

/* The address in the task file, as LBA; false for a CHS address outside the geometry. */
static bool ide_get_sector(IDEState *s, uint64_t *lba)
{
    if (s->select & ATA_DEV_LBA) {
        if (s->lba48)
            *lba = (uint64_t)s->hob_hcyl << 40 | (uint64_t)s->hob_lcyl << 32 |
                   (uint64_t)s->hob_sector << 24 | s->hcyl << 16 | s->lcyl << 8 | s->sector;
        else
            *lba = (uint64_t)(s->select & 0x0f) << 24 | s->hcyl << 16 | s->lcyl << 8 | s->sector;
        return true;
    }
    unsigned cyl = s->hcyl << 8 | s->lcyl, head = s->select & 0x0f, sect = s->sector;
    if (sect == 0 || sect > s->cur_sectors || head >= s->cur_heads)
        return false;
    *lba = ((uint64_t)cyl * s->cur_heads + head) * s->cur_sectors + sect - 1;
    return true;
}

/* Write an address back into the task file (the next sector, or the one in error). */
static void ide_set_sector(IDEState *s, uint64_t lba)
{
    if (s->select & ATA_DEV_LBA) {
        s->sector = lba;
        s->lcyl = lba >> 8;
        s->hcyl = lba >> 16;
        if (s->lba48) {
            s->hob_sector = lba >> 24;
            s->hob_lcyl = lba >> 32;
            s->hob_hcyl = lba >> 40;
        } else {
            s->select = (s->select & 0xf0) | ((lba >> 24) & 0x0f);
        }
        return;
    }
    if (!s->cur_heads || !s->cur_sectors)
        return;
    unsigned track = lba / s->cur_sectors;
    unsigned cyl = track / s->cur_heads;
    s->sector = lba % s->cur_sectors + 1;
    s->select = (s->select & 0xf0) | (track % s->cur_heads);
    s->lcyl = cyl;
    s->hcyl = cyl >> 8;
}

static uint32_t ide_sector_count(IDEState *s)
{
    if (s->lba48)
        return (s->hob_nsector << 8 | s->nsector) ?: 65536;
    return s->nsector ?: 256;
}

static void ide_sector_error(IDEState *s, uint8_t err)
{
    ide_transfer_stop(s);
    ide_set_sector(s, s->cur_lba);
    s->status = ATA_SR_DRDY | ATA_SR_ERR;
    s->error = err;
    ide_set_irq(s->bus);
}

/* Read/write n sectors at cur_lba from/to io_buffer; false (and the error reported) if the
 * range is beyond the medium or the backend failed. */
static bool ide_disk_io(IDEState *s, unsigned n, bool write)
{
    if (s->cur_lba >= s->nb_sectors || n > s->nb_sectors - s->cur_lba) {
        qlog(LOG_GUEST_ERRORS, "ide%d: sector %" PRIu64 "+%u beyond the disk (%" PRIu64 ")\n",
             s->unit, s->cur_lba, n, s->nb_sectors);
        ide_sector_error(s, ATA_ER_IDNF | ATA_ER_ABRT);
        return false;
    }
    int r = write ? s->bd->write(s->bd, s->cur_lba * 512, s->io_buffer, n * 512)
                  : s->bd->read(s->bd, s->cur_lba * 512, s->io_buffer, n * 512);
    if (r < 0) {
        error_report("%s: %s error at sector %" PRIu64 ": %s", s->bd->name,
                     write ? "write" : "read", s->cur_lba, strerror(-r));
        ide_sector_error(s, ATA_ER_UNC | ATA_ER_ABRT);
        return false;
    }
    return true;
}

/* ---- PIO sector transfers ---- */

static void ide_pio_read_next(IDEState *s);

static void ide_pio_read_end(IDEState *s)
{
    s->cur_lba += s->block_sectors;
    s->remaining -= s->block_sectors;
    ide_set_sector(s, s->cur_lba);
    if (s->remaining == 0) {
        ide_transfer_stop(s);
        s->status = ATA_SR_DRDY | ATA_SR_DSC;
        return;
    }
    ide_pio_read_next(s);
}

static void ide_pio_read_next(IDEState *s)
{
    s->block_sectors = MIN(s->remaining, s->mult_sectors && s->cmd != WIN_READ &&
                           s->cmd != WIN_READ_NORETRY && s->cmd != WIN_READ_EXT
                           ? s->mult_sectors : 1);
    if (!ide_disk_io(s, s->block_sectors, false))
        return;
    s->status = ATA_SR_DRDY | ATA_SR_DSC;
    ide_transfer_start(s, s->block_sectors * 512, ide_pio_read_end);
    ide_set_irq(s->bus);
}

static void ide_pio_write_end(IDEState *s)
{
    if (!ide_disk_io(s, s->block_sectors, true))
        return;
    s->cur_lba += s->block_sectors;
    s->remaining -= s->block_sectors;
    ide_set_sector(s, s->cur_lba);
    if (s->remaining == 0) {
        ide_transfer_stop(s);
        s->status = ATA_SR_DRDY | ATA_SR_DSC;
    } else {
        s->block_sectors = MIN(s->remaining, s->block_sectors);
        ide_transfer_start(s, s->block_sectors * 512, ide_pio_write_end);
    }
    ide_set_irq(s->bus);
}

/* The sectors a READ/WRITE command names (PIO or DMA): false, with the command ended in an
 * error, when they are not all on the disk or a write meets a read-only one. */
static bool ide_start_transfer(IDEState *s, bool write)
{
    uint64_t lba;
    if (!ide_get_sector(s, &lba)) {
        s->cur_lba = 0;
        ide_sector_error(s, ATA_ER_IDNF | ATA_ER_ABRT);
        return false;
    }
    s->cur_lba = lba;
    s->remaining = ide_sector_count(s);
    s->is_write = write;
    if (s->cur_lba >= s->nb_sectors || s->remaining > s->nb_sectors - s->cur_lba) {
        qlog(LOG_GUEST_ERRORS, "ide%d: %s of %u sectors at %" PRIu64 " beyond the disk\n",
             s->unit, write ? "write" : "read", s->remaining, s->cur_lba);
        ide_sector_error(s, ATA_ER_IDNF | ATA_ER_ABRT);
        return false;
    }
    if (write && s->bd->read_only) {
        ide_abort_command(s);
        ide_set_irq(s->bus);
        return false;
    }
    return true;
}

/* Start a READ/WRITE [MULTIPLE] [EXT]; the first write block needs no interrupt. */
static void ide_start_rw(IDEState *s, bool write, bool multiple)
{
    if (multiple && !s->mult_sectors) {
        ide_abort_command(s);
        ide_set_irq(s->bus);
        return;
    }
    if (!ide_start_transfer(s, write))
        return;
    if (!write) {
        ide_pio_read_next(s);
        return;
    }
    s->block_sectors = MIN(s->remaining, multiple ? s->mult_sectors : 1);
    s->status = ATA_SR_DRDY | ATA_SR_DSC;
    ide_transfer_start(s, s->block_sectors * 512, ide_pio_write_end);
}

/* ---- bus-master DMA ---- */

void ide_dma_request(IDEState *s, IDEDmaStart *start)
{
    BMDMAState *bm = s->bus->bmdma;
    if (!bm) {
        qlog(LOG_GUEST_ERRORS, "ide%d: DMA command 0x%02x on a channel without bus master\n",
             s->unit, s->cmd);
        ide_abort_command(s);
        ide_set_irq(s->bus);
        return;
    }
    s->dma_start = start;
    s->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
    if (bm->cmd & BM_CMD_START) {
        s->dma_start = NULL;
        start(s);
    }
}

static void ide_dma_rw(IDEState *s)
{
    BMDMAState *bm = s->bus->bmdma;
    bool err = false;
    while (s->remaining) {
        unsigned n = MIN(s->remaining, IDE_BUF_SIZE / 512);
        if (s->is_write) {
            uint32_t got = bmdma_transfer(bm, s->io_buffer, n * 512, false, &err);
            if (got < n * 512)
                break;
            if (!ide_disk_io(s, n, true)) {
                bmdma_command_done(bm, true);
                return;
            }
        } else {
            if (!ide_disk_io(s, n, false)) {
                bmdma_command_done(bm, true);
                return;
            }
            if (bmdma_transfer(bm, s->io_buffer, n * 512, true, &err) < n * 512)
                break;
        }
        s->cur_lba += n;
        s->remaining -= n;
    }
    if (s->remaining) {
        /* The PRD table ended early or pointed outside RAM: the command fails. */
        qlog(LOG_GUEST_ERRORS, "ide%d: DMA %s at sector %" PRIu64 "\n", s->unit,
             err ? "to/from a bad address" : "PRD table shorter than the transfer", s->cur_lba);
        bmdma_command_done(bm, true);
        ide_sector_error(s, ATA_ER_ABRT);
        return;
    }
    ide_set_sector(s, s->cur_lba);
    ide_transfer_stop(s);
    s->status = ATA_SR_DRDY | ATA_SR_DSC;
    bmdma_command_done(bm, false);
    ide_set_irq(s->bus);
}

static void ide_start_dma_rw(IDEState *s, bool write)
{
    if (ide_start_transfer(s, write))
        ide_dma_request(s, ide_dma_rw);
}

/* ---- IDENTIFY DEVICE (ATA-6 8.15) ---- */

static void ide_identify(IDEState *s)
{
    uint16_t w[256] = { 0 };
    uint64_t lba28 = MIN(s->nb_sectors, 0x0fffffffULL);
    /* current logical cylinders under the geometry INITIALIZE DEVICE PARAMETERS set */
    uint64_t cur_cyls = MIN(s->nb_sectors / ((uint64_t)s->cur_heads * s->cur_sectors), 65535);
    if (s->cur_heads == s->heads && s->cur_sectors == s->sectors)
        cur_cyls = s->cylinders;
    uint64_t cur_cap = cur_cyls * s->cur_heads * s->cur_sectors;
    bool dma = s->bus->bmdma != NULL;

    w[0] = 0x0040;                               /* fixed device */
    w[1] = s->cylinders;
    w[3] = s->heads;
    w[4] = 512 * s->sectors;                     /* retired: unformatted bytes per track */
    w[5] = 512;
    w[6] = s->sectors;
    put_idstr(&w[10], s->serial, 20);
    w[20] = 3;                                   /* retired: buffer type */
    w[21] = 512;
    w[22] = 4;
    put_idstr(&w[23], s->fw_rev, 8);
    put_idstr(&w[27], s->model, 40);
    w[47] = 0x8000 | IDE_MAX_MULT;
    w[49] = (1 << 11) | (1 << 9) | (dma ? 1 << 8 : 0);   /* IORDY, LBA, DMA */
    w[50] = 0x4000;
    w[51] = 0x200;                               /* PIO timing mode 2 */
    w[52] = 0x200;
    w[53] = 1 | 2 | 4;                           /* words 54-58, 64-70, 88 valid */
    w[54] = cur_cyls;
    w[55] = s->cur_heads;
    w[56] = s->cur_sectors;
    w[57] = cur_cap;
    w[58] = cur_cap >> 16;
    if (s->mult_sectors)
        w[59] = 0x100 | s->mult_sectors;
    w[60] = lba28;
    w[61] = lba28 >> 16;
    if (dma)
        w[63] = 0x07 | ((s->xfer_mode >> 3) == 4 ? 1 << (8 + (s->xfer_mode & 7)) : 0);
    w[64] = 0x03;                                /* PIO modes 3 and 4 */
    w[65] = 120;
    w[66] = 120;
    w[67] = 120;
    w[68] = 120;
    w[80] = 0x7e;                                /* ATA-1 to ATA-6 */
    w[81] = 0x19;                                /* ATA/ATAPI-6 T13 1410D revision 3a */
    w[82] = (1 << 14) | (1 << 5);                /* NOP, write cache */
    w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);   /* FLUSH EXT, FLUSH, 48-bit */
    w[84] = 1 << 14;
    w[85] = (1 << 14) | (s->write_cache ? 1 << 5 : 0);
    w[86] = (1 << 13) | (1 << 12) | (1 << 10);
    w[87] = 1 << 14;
    if (dma)
        w[88] = 0x3f | ((s->xfer_mode >> 3) == 8 ? 1 << (8 + (s->xfer_mode & 7)) : 0);
    /* Hardware reset result (ATA-6 8.15.52): diagnostics passed, number by jumper, 80-wire
     * cable; device 0 says whether it answers for an absent device 1 (firmware uses this to
     * skip probing device 1). */
    if (s->unit == 0)
        w[93] = 0x600b | (s->bus->ifs[1].kind == IDE_NONE ? 0x0040 : 0);
    else
        w[93] = 0x6b00;
    for (int i = 0; i < 4; i++)
        w[100 + i] = s->nb_sectors >> (16 * i);
    for (int i = 0; i < 256; i++)
        put_le16(s->io_buffer + 2 * i, w[i]);
}

static void ide_end_nodata(IDEState *s)
{
    ide_transfer_stop(s);
    s->status = ATA_SR_DRDY | ATA_SR_DSC;
}

/* ---- command dispatch ---- */

static void ide_set_features(IDEState *s)
{
    switch (s->feature) {
    case 0x02: s->write_cache = true; break;      /* enable write cache */
    case 0x82: s->write_cache = false; break;
    case 0x03:                                    /* set transfer mode (ATA-6 8.37.10) */
        switch (s->nsector >> 3) {
        case 0: case 1: case 4: case 8:
            s->xfer_mode = s->nsector;
            break;
        default:
            ide_abort_command(s);
            return;
        }
        break;
    case 0x66: case 0xcc: case 0xaa: case 0x55:   /* reverting defaults, look-ahead */
        break;
    default:
        qlog(LOG_UNIMP, "ide%d: SET FEATURES subcommand 0x%02x not implemented\n", s->unit,
             s->feature);
        ide_abort_command(s);
        return;
    }
    ide_end_nodata(s);
}

static void ide_exec_cmd(IDEState *s, uint8_t cmd)
{
    bool cd = s->kind == IDE_CD;
    s->cmd = cmd;
    s->error = 0;
    s->lba48 = false;
    ide_transfer_stop(s);

    /* An ATAPI device aborts the ATA commands it does not have and shows its signature, so
     * drivers that send IDENTIFY DEVICE learn what it is (ATA-6 8.15). */
    if (cd) {
        switch (cmd) {
        case WIN_PACKET:
            if (s->feature & 0x02) {               /* OVL: overlap is not supported */
                ide_abort_command(s);
                ide_set_irq(s->bus);
                return;
            }
            s->atapi_dma = s->feature & 0x01;
            s->nsector = ATAPI_IR_COD;
            s->status = ATA_SR_DRDY;
            /* The packet goes through the data register; no interrupt (ATA-6 9.8). */
            ide_transfer_start(s, 12, ide_atapi_packet_cmd);
            return;
        case WIN_PIDENTIFY:
            ide_atapi_identify(s);
            s->status = ATA_SR_DRDY;
            ide_transfer_start(s, 512, ide_end_nodata);
            ide_set_irq(s->bus);
            return;
        case WIN_DEVICE_RESET:
            ide_atapi_reset(s);
            ide_set_signature(s);
            s->status = 0;
            s->error = 0x01;
            return;
        case WIN_DIAGNOSE:
            ide_set_signature(s);
            s->status = 0;
            s->error = 0x01;
            ide_set_irq(s->bus);
            return;
        case WIN_CHECKPOWERMODE:
            s->nsector = 0xff;
            /* fallthrough */
        case WIN_SETFEATURES: case WIN_IDLEIMMEDIATE: case WIN_STANDBYNOW1: case WIN_SLEEPNOW:
        case WIN_STANDBY: case WIN_SETIDLE:
            if (cmd == WIN_SETFEATURES) {
                ide_set_features(s);
                if (s->status & ATA_SR_ERR) {
                    ide_set_irq(s->bus);
                    return;
                }
            }
            ide_end_nodata(s);
            ide_set_irq(s->bus);
            return;
        default:
            ide_abort_command(s);
            ide_set_signature(s);
            ide_set_irq(s->bus);
            return;
        }
    }

    switch (cmd) {
    case WIN_IDENTIFY:
        ide_identify(s);
        s->status = ATA_SR_DRDY | ATA_SR_DSC;
        ide_transfer_start(s, 512, ide_end_nodata);
        ide_set_irq(s->bus);
        return;
    case WIN_READ_EXT: case WIN_MULTREAD_EXT:
        s->lba48 = true;
        ide_start_rw(s, false, cmd == WIN_MULTREAD_EXT);
        return;
    case WIN_READ: case WIN_READ_NORETRY: case WIN_MULTREAD:
        ide_start_rw(s, false, cmd == WIN_MULTREAD);
        return;
    case WIN_WRITE_EXT: case WIN_MULTWRITE_EXT:
        s->lba48 = true;
        ide_start_rw(s, true, cmd == WIN_MULTWRITE_EXT);
        return;
    case WIN_WRITE: case WIN_WRITE_NORETRY: case WIN_MULTWRITE:
        ide_start_rw(s, true, cmd == WIN_MULTWRITE);
        return;
    case WIN_READDMA_EXT:
        s->lba48 = true;
        /* fallthrough */
    case WIN_READDMA: case WIN_READDMA_NORETRY:
        ide_start_dma_rw(s, false);
        return;
    case WIN_WRITEDMA_EXT:
        s->lba48 = true;
        /* fallthrough */
    case WIN_WRITEDMA: case WIN_WRITEDMA_NORETRY:
        ide_start_dma_rw(s, true);
        return;
    case WIN_VERIFY_EXT:
        s->lba48 = true;
        /* fallthrough */
    case WIN_VERIFY: case WIN_VERIFY_NORETRY: {
        uint64_t lba;
        uint32_t n = ide_sector_count(s);
        if (!ide_get_sector(s, &lba) || lba >= s->nb_sectors || n > s->nb_sectors - lba) {
            s->cur_lba = MIN(lba, s->nb_sectors);
            ide_sector_error(s, ATA_ER_IDNF | ATA_ER_ABRT);
            return;
        }
        ide_set_sector(s, lba + n);
        ide_end_nodata(s);
        ide_set_irq(s->bus);
        return;
    }
    case WIN_SETMULT: {
        unsigned n = s->nsector;
        if (n > IDE_MAX_MULT || (n & (n - 1))) {
            ide_abort_command(s);
        } else {
            s->mult_sectors = n;
            ide_end_nodata(s);
        }
        ide_set_irq(s->bus);
        return;
    }
    case WIN_SPECIFY:
        /* INITIALIZE DEVICE PARAMETERS (ATA-6 8.16): the logical CHS geometry. */
        if (s->nsector == 0 || s->nsector > 63) {
            ide_abort_command(s);
        } else {
            s->cur_sectors = s->nsector;
            s->cur_heads = (s->select & 0x0f) + 1;
            ide_end_nodata(s);
        }
        ide_set_irq(s->bus);
        return;
    case WIN_SEEK: {
        uint64_t lba;
        if (!ide_get_sector(s, &lba) || lba >= s->nb_sectors) {
            s->cur_lba = 0;
            ide_sector_error(s, ATA_ER_IDNF | ATA_ER_ABRT);
            return;
        }
        ide_end_nodata(s);
        ide_set_irq(s->bus);
        return;
    }
    case WIN_READ_NATIVE_MAX_EXT:
        s->lba48 = true;
        /* fallthrough */
    case WIN_READ_NATIVE_MAX:
        if (!(s->select & ATA_DEV_LBA) && cmd == WIN_READ_NATIVE_MAX) {
            ide_set_sector(s, s->nb_sectors - 1);
        } else {
            uint8_t sel = s->select;
            s->select |= ATA_DEV_LBA;
            ide_set_sector(s, (s->lba48 ? s->nb_sectors : MIN(s->nb_sectors, 0x10000000ULL)) - 1);
            s->select = (s->select & 0x0f) | (sel & 0xf0);
        }
        ide_end_nodata(s);
        ide_set_irq(s->bus);
        return;
    case WIN_FLUSH_CACHE: case WIN_FLUSH_CACHE_EXT:
        if (s->bd->flush && s->bd->flush(s->bd) < 0) {
            s->status = ATA_SR_DRDY | ATA_SR_ERR;
            s->error = ATA_ER_ABRT;
        } else {
            ide_end_nodata(s);
        }
        ide_set_irq(s->bus);
        return;
    case WIN_SETFEATURES:
        ide_set_features(s);
        ide_set_irq(s->bus);
        return;
    case WIN_DIAGNOSE:
        ide_set_signature(s);
        s->status = ATA_SR_DRDY | ATA_SR_DSC;
        s->error = 0x01;                          /* device 0 passed */
        ide_set_irq(s->bus);
        return;
    case WIN_CHECKPOWERMODE:
        s->nsector = 0xff;                        /* active or idle */
        ide_end_nodata(s);
        ide_set_irq(s->bus);
        return;
    case WIN_STANDBYNOW1: case WIN_IDLEIMMEDIATE: case WIN_STANDBY: case WIN_SETIDLE:
    case WIN_SLEEPNOW: case WIN_DOORLOCK: case WIN_DOORUNLOCK:
        ide_end_nodata(s);
        ide_set_irq(s->bus);
        return;
    default:
        if ((cmd & 0xf0) == WIN_RECAL) {
            s->lcyl = s->hcyl = 0;
            ide_end_nodata(s);
            ide_set_irq(s->bus);
            return;
        }
        qlog(LOG_UNIMP, "ide%d: ATA command 0x%02x not implemented\n", s->unit, cmd);
        ide_abort_command(s);
        ide_set_irq(s->bus);
        return;
    }
}

/* ---- register access ---- */

static IDEState *ide_cur(IDEBus *bus) { return &bus->ifs[bus->cur]; }

static bool ide_bus_empty(IDEBus *bus)
{
    return bus->ifs[0].kind == IDE_NONE && bus->ifs[1].kind == IDE_NONE;
}

/* Data register: 2 or 4 bytes (32-bit PIO) per access. */
static uint32_t ide_data_read(IDEState *s, unsigned size)
{
    if (!(s->status & ATA_SR_DRQ) || !s->end_transfer)
        return 0xffffffffu >> (32 - 8 * size);
    uint32_t v = 0;
    unsigned n = MIN(size, s->data_end - s->data_ptr);
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)s->io_buffer[s->data_ptr + i] << (8 * i);
    s->data_ptr += n;
    if (s->data_ptr >= s->data_end)
        s->end_transfer(s);
    return v;
}

static void ide_data_write(IDEState *s, uint32_t v, unsigned size)
{
    if (!(s->status & ATA_SR_DRQ) || !s->end_transfer)
        return;
    unsigned n = MIN(size, s->data_end - s->data_ptr);
    for (unsigned i = 0; i < n; i++)
        s->io_buffer[s->data_ptr + i] = v >> (8 * i);
    s->data_ptr += n;
    if (s->data_ptr >= s->data_end)
        s->end_transfer(s);
}

static uint64_t ide_cmd_read(void *opaque, uint64_t off, unsigned size)
{
    IDEBus *bus = opaque;
    IDEState *s = ide_cur(bus);
    bool hob = bus->devctl & ATA_DC_HOB;
    if (off == 0)
        return s->kind == IDE_NONE ? 0xffffffffu >> (32 - 8 * size) : ide_data_read(s, size);
    /* Nothing on the channel: the pull-down on DD7 keeps BSY clear (ATA-6 9.16.1). */
    if (ide_bus_empty(bus))
        return 0;
    /* An absent device 1 reads as the registers both devices latched, with Status 00h. */
    switch (off) {
    case 1: return hob ? s->hob_feature : s->error;
    case 2: return hob ? s->hob_nsector : s->nsector;
    case 3: return hob ? s->hob_sector : s->sector;
    case 4: return hob ? s->hob_lcyl : s->lcyl;
    case 5: return hob ? s->hob_hcyl : s->hcyl;
    case 6: return s->select;
    default:
        if (s->kind == IDE_NONE)
            return 0;
        ide_clear_irq(bus);      /* reading Status acknowledges the interrupt */
        return s->status;
    }
}

static void ide_cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    IDEBus *bus = opaque;
    if (off == 0) {
        IDEState *s = ide_cur(bus);
        if (s->kind != IDE_NONE)
            ide_data_write(s, val, size);
        return;
    }
    val &= 0xff;
    /* Both devices latch the command block registers; writing one clears HOB (ATA-6 7.8). */
    bus->devctl &= ~ATA_DC_HOB;
    for (int i = 0; i < 2; i++) {
        IDEState *s = &bus->ifs[i];
        switch (off) {
        case 1: s->hob_feature = s->feature; s->feature = val; break;
        case 2: s->hob_nsector = s->nsector; s->nsector = val; break;
        case 3: s->hob_sector = s->sector; s->sector = val; break;
        case 4: s->hob_lcyl = s->lcyl; s->lcyl = val; break;
        case 5: s->hob_hcyl = s->hcyl; s->hcyl = val; break;
        case 6: s->select = val | 0xa0; break;
        }
    }
    if (off == 6) {
        bus->cur = (val & ATA_DEV_DEV) ? 1 : 0;
        return;
    }
    if (off != 7)
        return;
    IDEState *s = ide_cur(bus);
    if (s->kind == IDE_NONE)
        return;
    /* Commands other than DEVICE RESET are ignored while BSY is set (ATA-6 9.1). */
    if ((s->status & ATA_SR_BSY) && val != WIN_DEVICE_RESET)
        return;
    ide_clear_irq(bus);
    ide_exec_cmd(s, val);
}

const MemoryRegionOps ide_cmd_ops = {
    .read = ide_cmd_read, .write = ide_cmd_write, .min_size = 1, .max_size = 4,
};

static uint64_t ide_ctl_read(void *opaque, uint64_t off, unsigned size)
{
    IDEBus *bus = opaque;
    IDEState *s = ide_cur(bus);
    if (ide_bus_empty(bus))
        return 0;
    return s->kind == IDE_NONE ? 0 : s->status;  /* Alternate Status: no acknowledge */
}

static void ide_drive_reset(IDEState *s)
{
    ide_transfer_stop(s);
    s->mult_sectors = 0;
    s->cur_heads = s->heads;
    s->cur_sectors = s->sectors;
    s->feature = s->error = 0x01;     /* diagnostic code: passed */
    s->hob_feature = s->hob_nsector = s->hob_sector = s->hob_lcyl = s->hob_hcyl = 0;
    s->xfer_mode = 0x0c;              /* PIO mode 4 */
    s->write_cache = true;
    ide_set_signature(s);
    s->status = s->kind == IDE_CD ? 0 : ATA_SR_DRDY | ATA_SR_DSC;
    if (s->kind == IDE_CD)
        ide_atapi_reset(s);
}

static void ide_ctl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    IDEBus *bus = opaque;
    uint8_t old = bus->devctl;
    bus->devctl = val & (ATA_DC_NIEN | ATA_DC_SRST | ATA_DC_HOB);
    /* Software reset (ATA-6 9.2): BSY while SRST is set, signatures when it is cleared. */
    if (val & ATA_DC_SRST) {
        for (int i = 0; i < 2; i++) {
            ide_transfer_stop(&bus->ifs[i]);
            bus->ifs[i].status = ATA_SR_BSY | ATA_SR_DSC;
        }
    } else if (old & ATA_DC_SRST) {
        for (int i = 0; i < 2; i++)
            if (bus->ifs[i].kind != IDE_NONE)
                ide_drive_reset(&bus->ifs[i]);
        bus->cur = 0;
    }
    if (bus->devctl & ATA_DC_NIEN)
        irq_lower(bus->irq);
    else if (bus->irq_pending)
        irq_raise(bus->irq);
}

const MemoryRegionOps ide_ctl_ops = {
    .read = ide_ctl_read, .write = ide_ctl_write, .min_size = 1, .max_size = 1,
};

/* ---- setup ---- */

void ide_bus_init(IDEBus *bus, IrqLine *irq)
{
    bus->irq = irq;
    for (int i = 0; i < 2; i++) {
        IDEState *s = &bus->ifs[i];
        s->bus = bus;
        s->unit = i;
        s->io_buffer = xzalloc(IDE_BUF_SIZE + 4);
        s->kind = IDE_NONE;
    }
}

void ide_bus_reset(IDEBus *bus)
{
    bus->cur = 0;
    bus->devctl = 0;
    ide_clear_irq(bus);
    for (int i = 0; i < 2; i++) {
        IDEState *s = &bus->ifs[i];
        if (s->kind != IDE_NONE)
            ide_drive_reset(s);
        s->select = 0xa0 | (i ? ATA_DEV_DEV : 0);
    }
    if (bus->bmdma)
        bmdma_reset(bus->bmdma);
}

static void ide_default_geometry(IDEState *s)
{
    uint64_t cyls = s->nb_sectors / (16 * 63);
    s->heads = 16;
    s->sectors = 63;
    s->cylinders = MAX(1, MIN(cyls, 16383));
}

static void ide_cd_change_cb(void *opaque, bool inserted)
{
    ide_atapi_medium_changed(opaque, inserted);
}

bool ide_attach_drive(IDEBus *bus, int unit, BlockDev *bd, IDEDriveKind kind, Error **errp)
{
    if (!bus || unit < 0 || unit > 1) {
        error_setg(errp, "IDE unit %d does not exist (0 is master, 1 is slave)", unit);
        return false;
    }
    IDEState *s = &bus->ifs[unit];
    if (s->kind != IDE_NONE) {
        error_setg(errp, "IDE unit %d is already in use", unit);
        return false;
    }
    if (kind == IDE_HD && (!bd || bd->length(bd) < 512)) {
        error_setg(errp, "%s: a hard disk needs a medium of at least one sector",
                   bd ? bd->name : "ide");
        return false;
    }
    if (kind != IDE_HD && kind != IDE_CD) {
        error_setg(errp, "IDE unit %d: unknown drive kind", unit);
        return false;
    }
    s->kind = kind;
    s->bd = bd;
    static unsigned serial_no;
    snprintf(s->serial, sizeof(s->serial), "VR%05u", ++serial_no);
    snprintf(s->fw_rev, sizeof(s->fw_rev), "1.0");
    if (kind == IDE_HD) {
        s->nb_sectors = bd->length(bd) / 512;
        snprintf(s->model, sizeof(s->model), "VIREO HARDDISK");
        ide_default_geometry(s);
    } else {
        snprintf(s->model, sizeof(s->model), "VIREO DVD-ROM");
        if (bd) {
            bd->change_cb = ide_cd_change_cb;
            bd->change_opaque = s;
        }
    }
    ide_drive_reset(s);
    return true;
}

bool ide_set_geometry(IDEBus *bus, int unit, unsigned cyls, unsigned heads, unsigned secs,
                      Error **errp)
{
    if (!bus || unit < 0 || unit > 1 || bus->ifs[unit].kind != IDE_HD) {
        error_setg(errp, "IDE unit %d is not a hard disk", unit);
        return false;
    }
    if (cyls < 1 || cyls > 65535 || heads < 1 || heads > 16 || secs < 1 || secs > 255) {
        error_setg(errp, "geometry %u/%u/%u is outside 1-65535/1-16/1-255", cyls, heads, secs);
        return false;
    }
    IDEState *s = &bus->ifs[unit];
    s->cylinders = cyls;
    s->heads = s->cur_heads = heads;
    s->sectors = s->cur_sectors = secs;
    return true;
}

bool ide_cd_change_medium(IDEBus *bus, int unit, BlockDev *bd, Error **errp)
{
    if (!bus || unit < 0 || unit > 1 || bus->ifs[unit].kind != IDE_CD) {
        error_setg(errp, "IDE unit %d is not a CD-ROM drive", unit);
        return false;
    }
    IDEState *s = &bus->ifs[unit];
    if (!bd && s->locked) {
        error_setg(errp, "the guest has locked the CD-ROM tray");
        return false;
    }
    s->bd = bd;
    if (bd) {
        bd->change_cb = ide_cd_change_cb;
        bd->change_opaque = s;
    }
    ide_atapi_medium_changed(s, bd != NULL);
    return true;
}
