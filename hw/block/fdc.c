/* fdc.c: an Intel 82078-style floppy disk controller in PC-AT mode ("isa-fdc") with two
 * drives: DOR/MSR/DSR/FIFO/DIR/CCR registers, the command/execution/result phases, DMA and
 * non-DMA transfers, IRQ 6 and the disk change line (Intel 82077AA and 82078 datasheets). */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/dma/isa-dma.h"
#include "hw/block/fdc.h"

/* Digital Output Register */
#define DOR_SEL_MASK  0x03
#define DOR_NRESET    0x04
#define DOR_DMAEN     0x08               /* DMA and interrupt gate in PC-AT mode */

/* Main Status Register */
#define MSR_RQM       0x80
#define MSR_DIO       0x40               /* 1: controller to host */
#define MSR_NDMA      0x20
#define MSR_CB        0x10

/* Status register 0..3 bits */
#define ST0_IC_ABNORMAL 0x40
#define ST0_IC_INVALID  0x80
#define ST0_IC_POLL     0xc0
#define ST0_SE          0x20
#define ST0_EC          0x10
#define ST0_NR          0x08
#define ST1_EN          0x80
#define ST1_ND          0x04
#define ST1_NW          0x02
#define ST1_MA          0x01
#define ST3_WP          0x40
#define ST3_RDY         0x20
#define ST3_T0          0x10
#define ST3_TS          0x08

/* Commands (82078 datasheet, command set summary) */
enum {
    FD_READ_TRACK = 0x02, FD_SPECIFY = 0x03, FD_SENSE_DRIVE = 0x04, FD_WRITE = 0x05,
    FD_READ = 0x06, FD_RECALIBRATE = 0x07, FD_SENSE_INT = 0x08, FD_WRITE_DELETED = 0x09,
    FD_READ_ID = 0x0a, FD_READ_DELETED = 0x0c, FD_FORMAT = 0x0d, FD_DUMPREG = 0x0e,
    FD_SEEK = 0x0f, FD_VERSION = 0x10, FD_PERPENDICULAR = 0x12, FD_CONFIGURE = 0x13,
    FD_LOCK = 0x14, FD_VERIFY = 0x16, FD_PART_ID = 0x18,
};

/* Data rates in the DSR/CCR (82078 table "Data Rate Select") */
enum { RATE_500K = 0, RATE_300K = 1, RATE_250K = 2, RATE_1M = 3 };

#define FD_SECTOR 512
#define FD_DRIVES 2

typedef struct FDFormat {
    uint32_t kib;
    uint8_t tracks, heads, spt;
    uint8_t cmos_type;
    uint8_t rates;                       /* bit per usable rate code */
} FDFormat;

static const FDFormat fd_formats[] = {
    { 160, 40, 1, 8, 1, 1 << RATE_250K | 1 << RATE_300K },
    { 180, 40, 1, 9, 1, 1 << RATE_250K | 1 << RATE_300K },
    { 320, 40, 2, 8, 1, 1 << RATE_250K | 1 << RATE_300K },
    { 360, 40, 2, 9, 1, 1 << RATE_250K | 1 << RATE_300K },
    { 720, 80, 2, 9, 3, 1 << RATE_250K },
    { 1200, 80, 2, 15, 2, 1 << RATE_500K },
    { 1440, 80, 2, 18, 4, 1 << RATE_500K },
    { 1680, 80, 2, 21, 4, 1 << RATE_500K },       /* DMF */
    { 1722, 82, 2, 21, 4, 1 << RATE_500K },
    { 2880, 80, 2, 36, 5, 1 << RATE_1M },
};

typedef struct FDrive {
    bool present;
    BlockDev *bd;
    uint8_t cmos_type;
    const FDFormat *fmt;                 /* NULL: no diskette */
    uint8_t track, sect;                 /* head position; sector under the head */
    bool dskchg;
} FDrive;

typedef enum { XFER_READ, XFER_WRITE, XFER_FORMAT, XFER_VERIFY } XferKind;

struct FDCState {
    Device dev;
    uint32_t iobase, irq, dma;
    MemoryRegion io, io_dir;
    IrqLine *irq_line;
    FDrive drv[FD_DRIVES];

    uint8_t dor, tdr, rate;
    uint8_t msr;
    bool irq_pending;
    /* command / result bytes through the FIFO */
    uint8_t cmd[16];
    int cmd_len, cmd_need;
    uint8_t res[16];
    int res_len, res_pos;
    /* SENSE INTERRUPT STATUS */
    int reset_sensei;
    bool seek_int;
    uint8_t seek_st0;
    /* SPECIFY, CONFIGURE, LOCK, PERPENDICULAR */
    uint8_t srt_hut, hlt_nd, config, pretrk, perp;
    bool lock;

    /* the transfer in the execution phase */
    XferKind kind;
    bool in_exec, dma_mode;
    int unit;
    uint8_t head, c, h, r, n, eot;
    bool mt;
    bool eot_reached;
    uint8_t buf[FD_SECTOR];
    int buf_pos, buf_len;
    uint8_t fmt_sc, fmt_fill;
    int fmt_done;
};

static FDCState *fdc_of(void *opaque) { return opaque; }

/* ---- interrupts and phases ---- */

static void fdc_update_irq(FDCState *s)
{
    irq_set(s->irq_line, s->irq_pending && (s->dor & DOR_DMAEN));
}

static void fdc_raise_irq(FDCState *s)
{
    s->irq_pending = true;
    fdc_update_irq(s);
}

static void fdc_lower_irq(FDCState *s)
{
    s->irq_pending = false;
    fdc_update_irq(s);
}

static void fdc_to_command_phase(FDCState *s)
{
    s->cmd_len = 0;
    s->cmd_need = 0;
    s->res_len = s->res_pos = 0;
    s->in_exec = false;
    s->msr = MSR_RQM;
}

static void fdc_to_result_phase(FDCState *s, const uint8_t *res, int len, bool irq)
{
    memcpy(s->res, res, len);
    s->res_len = len;
    s->res_pos = 0;
    s->in_exec = false;
    s->msr = MSR_RQM | MSR_DIO | MSR_CB;
    if (irq)
        fdc_raise_irq(s);
}

static void fdc_reset(FDCState *s, bool hard)
{
    fdc_lower_irq(s);
    fdc_to_command_phase(s);
    s->seek_int = false;
    s->rate = hard ? RATE_500K : s->rate;
    if (hard || !s->lock) {
        s->config = 0x20;                /* EFIFO set: FIFO disabled; polling enabled */
        s->pretrk = 0;
    }
    s->perp &= 0x7f;
    if (isa_dma_present())
        isa_dma_release_DREQ(s->dma);
    /* With polling enabled, a reset reports a ready change of each of the 4 drives. */
    s->reset_sensei = (s->config & 0x10) ? 0 : 4;
}

/* ---- data transfer ---- */

static FDrive *fdc_drive(FDCState *s, int unit)
{
    return unit < FD_DRIVES && s->drv[unit].present ? &s->drv[unit] : NULL;
}

static bool fdc_rate_ok(FDCState *s, FDrive *d)
{
    return d->fmt && (d->fmt->rates & (1 << s->rate));
}

static uint8_t fdc_st0(FDCState *s, uint8_t ic)
{
    return ic | s->head << 2 | s->unit;
}

static void fdc_end_transfer(FDCState *s, uint8_t st0, uint8_t st1, uint8_t st2)
{
    uint8_t res[7] = { st0, st1, st2, s->c, s->h, s->r, s->n };
    if (s->dma_mode)
        isa_dma_release_DREQ(s->dma);
    fdc_to_result_phase(s, res, 7, true);
}

static uint64_t fdc_lba(FDCState *s, FDrive *d)
{
    return ((uint64_t)s->c * d->fmt->heads + s->h) * d->fmt->spt + s->r - 1;
}

/* Is (C, H, R, N) a sector of the diskette under the head? */
static bool fdc_sector_valid(FDCState *s, FDrive *d)
{
    return s->c < d->fmt->tracks && s->h == s->head && s->head < d->fmt->heads &&
           s->r >= 1 && s->r <= d->fmt->spt && s->n == 2;
}

/* Move (C, H, R) to the next sector; sets eot_reached when the track (or cylinder, with MT)
 * is done. */
static void fdc_next_sector(FDCState *s)
{
    if (s->r < s->eot) {
        s->r++;
        return;
    }
    s->r = 1;
    if (s->mt) {
        if (s->h == 0) {                   /* multi-track: go on with side 1 */
            s->h = 1;
            s->head = 1;
            return;
        }
        s->h = 0;
        s->head = 0;
    }
    s->c++;
    s->eot_reached = true;
}

static int fdc_sector_io(FDCState *s, FDrive *d, bool write)
{
    uint64_t off = fdc_lba(s, d) * FD_SECTOR;
    return write ? d->bd->write(d->bd, off, s->buf, FD_SECTOR)
                 : d->bd->read(d->bd, off, s->buf, FD_SECTOR);
}

/* Load the sector (C, H, R) for a read; false if the command ended with an error. */
static bool fdc_load_sector(FDCState *s, FDrive *d)
{
    if (!fdc_sector_valid(s, d)) {
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_ND, 0);
        return false;
    }
    if (fdc_sector_io(s, d, false) < 0) {
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), 0x20 /* DE */, 0x20 /* DD */);
        return false;
    }
    s->buf_pos = 0;
    s->buf_len = FD_SECTOR;
    return true;
}

static bool fdc_store_sector(FDCState *s, FDrive *d)
{
    if (!fdc_sector_valid(s, d)) {
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_ND, 0);
        return false;
    }
    if (fdc_sector_io(s, d, true) < 0) {
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), 0x20, 0x20);
        return false;
    }
    return true;
}

/* One FORMAT ID field (C, H, R, N) has arrived in buf[0..3]. */
static void fdc_format_id(FDCState *s, FDrive *d)
{
    uint8_t c = s->buf[0], h = s->buf[1], r = s->buf[2], n = s->buf[3];
    if (c < d->fmt->tracks && h == s->head && h < d->fmt->heads && r >= 1 &&
        r <= d->fmt->spt && n == 2) {
        uint8_t sector[FD_SECTOR];
        memset(sector, s->fmt_fill, sizeof(sector));
        uint64_t off = (((uint64_t)c * d->fmt->heads + h) * d->fmt->spt + r - 1) * FD_SECTOR;
        d->bd->write(d->bd, off, sector, FD_SECTOR);
    } else {
        qlog(LOG_GUEST_ERRORS, "fdc: FORMAT ID %u/%u/%u/%u outside the diskette, skipped\n",
             c, h, r, n);
    }
    s->c = c;
    s->h = h;
    s->r = r;
    s->n = n;
    s->fmt_done++;
    s->buf_pos = 0;
}

/* The DMA controller moves data: called with DREQ held (see hw/dma/isa-dma.h). */
static int fdc_dma_transfer(void *opaque, int chan, int pos, int size)
{
    FDCState *s = opaque;
    FDrive *d = fdc_drive(s, s->unit);
    if (!s->in_exec || !s->dma_mode || !d) {
        isa_dma_release_DREQ(chan);
        return pos;
    }
    bool verify_only = isa_dma_transfer_type(chan) == 0;
    while (pos < size && s->in_exec) {
        int n;
        switch (s->kind) {
        case XFER_READ:
            if (s->buf_pos == s->buf_len && !fdc_load_sector(s, d))
                return pos;
            n = MIN(size - pos, s->buf_len - s->buf_pos);
            if (!verify_only)
                isa_dma_write_memory(chan, s->buf + s->buf_pos, pos, n);
            s->buf_pos += n;
            pos += n;
            if (s->buf_pos == s->buf_len) {
                fdc_next_sector(s);
                if (s->eot_reached && pos < size) {
                    /* end of track before terminal count: abnormal (82077AA 8.1) */
                    fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_EN, 0);
                    return pos;
                }
            }
            break;
        case XFER_WRITE:
            n = MIN(size - pos, FD_SECTOR - s->buf_pos);
            isa_dma_read_memory(chan, s->buf + s->buf_pos, pos, n);
            s->buf_pos += n;
            pos += n;
            if (pos == size && s->buf_pos < FD_SECTOR) {
                /* TC inside a sector: the rest is written as zeros */
                memset(s->buf + s->buf_pos, 0, FD_SECTOR - s->buf_pos);
                s->buf_pos = FD_SECTOR;
            }
            if (s->buf_pos == FD_SECTOR) {
                if (!fdc_store_sector(s, d))
                    return pos;
                s->buf_pos = 0;
                fdc_next_sector(s);
                if (s->eot_reached && pos < size) {
                    fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_EN, 0);
                    return pos;
                }
            }
            break;
        case XFER_FORMAT:
            n = MIN(size - pos, 4 - s->buf_pos);
            isa_dma_read_memory(chan, s->buf + s->buf_pos, pos, n);
            s->buf_pos += n;
            pos += n;
            if (s->buf_pos == 4) {
                fdc_format_id(s, d);
                if (s->fmt_done == s->fmt_sc) {
                    fdc_end_transfer(s, fdc_st0(s, 0), 0, 0);
                    return pos;
                }
            }
            break;
        default:
            return pos;
        }
    }
    if (s->in_exec && pos >= size)
        fdc_end_transfer(s, fdc_st0(s, 0), 0, 0);   /* terminal count: normal termination */
    return pos;
}

static void fdc_start_exec(FDCState *s)
{
    s->in_exec = true;
    s->dma_mode = !(s->hlt_nd & 1);
    s->buf_pos = 0;
    s->buf_len = s->kind == XFER_READ ? 0 : FD_SECTOR;
    if (s->kind == XFER_READ)
        s->buf_pos = s->buf_len = 0;
    if (s->dma_mode) {
        if (!isa_dma_register_channel(s->dma, fdc_dma_transfer, s)) {
            qlog(LOG_GUEST_ERRORS, "fdc: DMA transfer without a DMA controller\n");
            fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), 0x10 /* OR */, 0);
            return;
        }
        s->msr = MSR_CB;
        /* The transfer runs when the DMA channel is ready; it may already be. */
        isa_dma_hold_DREQ(s->dma);
        return;
    }
    s->msr = MSR_RQM | MSR_NDMA | MSR_CB | (s->kind == XFER_READ ? MSR_DIO : 0);
    if (s->kind == XFER_READ) {
        FDrive *d = fdc_drive(s, s->unit);
        if (!fdc_load_sector(s, d))
            return;
    }
    fdc_raise_irq(s);
}

/* Non-DMA data through the FIFO. */
static uint8_t fdc_pio_read(FDCState *s)
{
    FDrive *d = fdc_drive(s, s->unit);
    if (s->kind != XFER_READ || !d || s->buf_pos >= s->buf_len)
        return 0xff;
    uint8_t v = s->buf[s->buf_pos++];
    fdc_lower_irq(s);
    if (s->buf_pos == s->buf_len) {
        fdc_next_sector(s);
        if (s->eot_reached)
            fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_EN, 0);
        else if (fdc_load_sector(s, d))
            fdc_raise_irq(s);
    }
    return v;
}

static void fdc_pio_write(FDCState *s, uint8_t v)
{
    FDrive *d = fdc_drive(s, s->unit);
    if (!d)
        return;
    fdc_lower_irq(s);
    if (s->kind == XFER_FORMAT) {
        s->buf[s->buf_pos++] = v;
        if (s->buf_pos == 4) {
            fdc_format_id(s, d);
            if (s->fmt_done == s->fmt_sc)
                fdc_end_transfer(s, fdc_st0(s, 0), 0, 0);
        }
        return;
    }
    if (s->kind != XFER_WRITE)
        return;
    s->buf[s->buf_pos++] = v;
    if (s->buf_pos < FD_SECTOR)
        return;
    if (!fdc_store_sector(s, d))
        return;
    s->buf_pos = 0;
    fdc_next_sector(s);
    if (s->eot_reached)
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_EN, 0);
    else
        fdc_raise_irq(s);
}

/* ---- commands ---- */

static void fdc_result1(FDCState *s, uint8_t v, bool irq)
{
    fdc_to_result_phase(s, &v, 1, irq);
}

static void fdc_invalid(FDCState *s)
{
    qlog(LOG_GUEST_ERRORS, "fdc: invalid command 0x%02x\n", s->cmd[0]);
    fdc_result1(s, ST0_IC_INVALID, false);
}

/* Select unit/head from the second command byte; NULL (and the command ended) if absent. */
static FDrive *fdc_select(FDCState *s, bool check_medium)
{
    s->unit = s->cmd[1] & 3;
    s->head = (s->cmd[1] >> 2) & 1;
    s->dor = (s->dor & ~DOR_SEL_MASK) | s->unit;
    FDrive *d = fdc_drive(s, s->unit);
    if (!d) {
        /* No drive answers: not ready. */
        uint8_t res[7] = { fdc_st0(s, ST0_IC_ABNORMAL | ST0_NR), 0, 0, s->cmd[2], s->cmd[3],
                           s->cmd[4], s->cmd[5] };
        fdc_to_result_phase(s, res, 7, true);
        return NULL;
    }
    if (check_medium && !fdc_rate_ok(s, d)) {
        /* No diskette, or the wrong data rate for it: no ID address mark is found. */
        uint8_t res[7] = { fdc_st0(s, ST0_IC_ABNORMAL), ST1_MA, 0, s->cmd[2], s->cmd[3],
                           s->cmd[4], s->cmd[5] };
        fdc_to_result_phase(s, res, 7, true);
        return NULL;
    }
    return d;
}

static void fdc_cmd_rw(FDCState *s, XferKind kind)
{
    FDrive *d = fdc_select(s, true);
    if (!d)
        return;
    s->kind = kind;
    s->mt = s->cmd[0] & 0x80;
    s->c = s->cmd[2];
    s->h = s->cmd[3];
    s->r = s->cmd[4];
    s->n = s->cmd[5];
    s->eot = s->cmd[6];
    s->eot_reached = false;
    /* Implied seek: the head goes to the cylinder asked for. */
    d->track = s->c;
    if (kind == XFER_WRITE && d->bd->read_only) {
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_NW, 0);
        return;
    }
    if (!fdc_sector_valid(s, d)) {
        qlog(LOG_GUEST_ERRORS, "fdc: sector C/H/R/N %u/%u/%u/%u not on the diskette\n",
             s->c, s->h, s->r, s->n);
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_ND, s->c >= d->fmt->tracks ? 0x10 : 0);
        return;
    }
    if (kind == XFER_VERIFY) {
        /* VERIFY reads the sectors without transferring data (82078 "Verify"). */
        uint8_t last = MIN(s->eot, d->fmt->spt);
        s->r = last;
        fdc_next_sector(s);
        fdc_end_transfer(s, fdc_st0(s, 0), 0, 0);
        return;
    }
    fdc_start_exec(s);
}

static void fdc_cmd_format(FDCState *s)
{
    FDrive *d = fdc_select(s, true);
    if (!d)
        return;
    s->kind = XFER_FORMAT;
    s->n = s->cmd[2];
    s->fmt_sc = s->cmd[3];
    s->fmt_fill = s->cmd[5];
    s->fmt_done = 0;
    s->c = d->track;
    s->h = s->head;
    s->r = 1;
    if (d->bd->read_only) {
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_NW, 0);
        return;
    }
    if (s->fmt_sc == 0) {
        fdc_end_transfer(s, fdc_st0(s, 0), 0, 0);
        return;
    }
    fdc_start_exec(s);
    s->buf_pos = 0;
}

static void fdc_cmd_read_id(FDCState *s)
{
    FDrive *d = fdc_select(s, true);
    if (!d)
        return;
    s->c = d->track;
    s->h = s->head;
    s->n = 2;
    if (d->track >= d->fmt->tracks || s->head >= d->fmt->heads) {
        s->r = 1;
        fdc_end_transfer(s, fdc_st0(s, ST0_IC_ABNORMAL), ST1_MA, 0);
        return;
    }
    d->sect = d->sect % d->fmt->spt + 1;
    s->r = d->sect;
    fdc_end_transfer(s, fdc_st0(s, 0), 0, 0);
}

static void fdc_seek_done(FDCState *s, FDrive *d, uint8_t st0)
{
    if (d && d->fmt)
        d->dskchg = false;                 /* a step pulse with a diskette in resets DSKCHG */
    s->seek_int = true;
    s->seek_st0 = st0;
    fdc_to_command_phase(s);
    fdc_raise_irq(s);
}

static void fdc_exec_command(FDCState *s)
{
    uint8_t c0 = s->cmd[0];
    switch (c0 & 0x1f) {
    case FD_READ: case FD_READ_DELETED: case FD_READ_TRACK:
        if ((c0 & 0x1f) == FD_READ_TRACK)
            s->cmd[4] = 1;                     /* READ TRACK starts at the index hole */
        fdc_cmd_rw(s, XFER_READ);
        return;
    case FD_WRITE: case FD_WRITE_DELETED:
        if (c0 & 0x20)                         /* SK is not valid for writes */
            break;
        fdc_cmd_rw(s, XFER_WRITE);
        return;
    case FD_VERIFY:
        fdc_cmd_rw(s, XFER_VERIFY);
        return;
    case FD_FORMAT:
        if (c0 & 0xa0)
            break;
        fdc_cmd_format(s);
        return;
    case FD_READ_ID:
        if (c0 & 0xa0)
            break;
        fdc_cmd_read_id(s);
        return;
    case FD_SEEK: {
        if (c0 & 0x3f & ~0x0f)
            break;
        s->unit = s->cmd[1] & 3;
        s->head = (s->cmd[1] >> 2) & 1;
        s->dor = (s->dor & ~DOR_SEL_MASK) | s->unit;
        FDrive *d = fdc_drive(s, s->unit);
        uint8_t st0 = ST0_SE | s->head << 2 | s->unit;
        if (!d) {
            fdc_seek_done(s, NULL, st0 | ST0_IC_ABNORMAL | ST0_EC);
            return;
        }
        if (c0 & 0x80) {                       /* relative seek (82078 "Relative Seek") */
            int t = (c0 & 0x40) ? d->track + s->cmd[2] : d->track - s->cmd[2];
            d->track = t < 0 ? 0 : t > 255 ? 255 : t;
        } else {
            d->track = s->cmd[2];
        }
        fdc_seek_done(s, d, st0);
        return;
    }
    default:
        break;
    }
    switch (c0) {
    case FD_SPECIFY:
        s->srt_hut = s->cmd[1];
        s->hlt_nd = s->cmd[2];
        fdc_to_command_phase(s);
        return;
    case FD_SENSE_DRIVE: {
        s->unit = s->cmd[1] & 3;
        s->head = (s->cmd[1] >> 2) & 1;
        FDrive *d = fdc_drive(s, s->unit);
        uint8_t st3 = s->head << 2 | s->unit;
        if (d) {
            st3 |= ST3_RDY | (d->track == 0 ? ST3_T0 : 0);
            if (d->fmt && d->fmt->heads == 2)
                st3 |= ST3_TS;
            if (d->bd && d->bd->read_only)
                st3 |= ST3_WP;
        }
        fdc_result1(s, st3, false);
        return;
    }
    case FD_RECALIBRATE: {
        s->unit = s->cmd[1] & 3;
        s->head = 0;
        s->dor = (s->dor & ~DOR_SEL_MASK) | s->unit;
        FDrive *d = fdc_drive(s, s->unit);
        if (!d) {
            /* track 0 never seen after 79 steps: equipment check */
            fdc_seek_done(s, NULL, ST0_IC_ABNORMAL | ST0_SE | ST0_EC | s->unit);
            return;
        }
        d->track = 0;
        fdc_seek_done(s, d, ST0_SE | s->unit);
        return;
    }
    case FD_SENSE_INT: {
        uint8_t res[2];
        fdc_lower_irq(s);
        if (s->reset_sensei > 0) {
            int unit = 4 - s->reset_sensei--;
            res[0] = ST0_IC_POLL | unit;
            res[1] = unit < FD_DRIVES ? s->drv[unit].track : 0;
        } else if (s->seek_int) {
            s->seek_int = false;
            res[0] = s->seek_st0;
            res[1] = (s->seek_st0 & 3) < FD_DRIVES ? s->drv[s->seek_st0 & 3].track : 0;
        } else {
            fdc_result1(s, ST0_IC_INVALID, false);
            return;
        }
        fdc_to_result_phase(s, res, 2, false);
        return;
    }
    case FD_DUMPREG: {
        uint8_t res[10] = {
            s->drv[0].track, s->drv[1].track, 0, 0, s->srt_hut, s->hlt_nd, s->eot,
            (s->lock ? 0x80 : 0) | (s->perp & 0x7f), s->config, s->pretrk,
        };
        fdc_to_result_phase(s, res, 10, false);
        return;
    }
    case FD_VERSION:
        fdc_result1(s, 0x90, false);           /* enhanced controller */
        return;
    case FD_PART_ID:
        fdc_result1(s, 0x41, false);           /* 82078, stepping 1 */
        return;
    case FD_PERPENDICULAR:
        if (s->cmd[1] & 0x80)
            s->perp = s->cmd[1] & 0x7f;
        else
            s->perp = (s->perp & 0x7c) | (s->cmd[1] & 3);
        fdc_to_command_phase(s);
        return;
    case FD_CONFIGURE:
        s->config = s->cmd[2];
        s->pretrk = s->cmd[3];
        fdc_to_command_phase(s);
        return;
    case FD_LOCK: case FD_LOCK | 0x80:
        s->lock = c0 & 0x80;
        fdc_result1(s, s->lock ? 0x10 : 0, false);
        return;
    }
    fdc_invalid(s);
}

/* Bytes in each command (82078 command set summary); 0: invalid. */
static int fdc_command_length(uint8_t c0)
{
    switch (c0 & 0x1f) {
    case FD_READ: case FD_READ_DELETED: case FD_READ_TRACK: case FD_WRITE:
    case FD_WRITE_DELETED: case FD_VERIFY:
        return 9;
    case FD_FORMAT: return 6;
    case FD_READ_ID: return 2;
    case FD_SEEK: return 3;
    }
    switch (c0) {
    case FD_SPECIFY: return 3;
    case FD_SENSE_DRIVE: case FD_RECALIBRATE: case FD_PERPENDICULAR: return 2;
    case FD_CONFIGURE: return 4;
    case FD_SENSE_INT: case FD_DUMPREG: case FD_VERSION: case FD_PART_ID:
    case FD_LOCK: case FD_LOCK | 0x80:
        return 1;
    }
    return 0;
}

static void fdc_fifo_write(FDCState *s, uint8_t v)
{
    if (!(s->dor & DOR_NRESET))
        return;
    if (s->in_exec) {
        if (!s->dma_mode)
            fdc_pio_write(s, v);
        return;
    }
    if (s->msr & MSR_DIO)                      /* result phase: the host must read */
        return;
    if (s->cmd_len == 0) {
        s->cmd_need = fdc_command_length(v);
        if (s->cmd_need == 0) {
            s->cmd[0] = v;
            fdc_invalid(s);
            return;
        }
        /* A command other than SENSE INTERRUPT after a reset ends the polling reports. */
        if (v != FD_SENSE_INT)
            s->reset_sensei = 0;
        s->msr |= MSR_CB;
    }
    s->cmd[s->cmd_len++] = v;
    if (s->cmd_len == s->cmd_need)
        fdc_exec_command(s);
}

static uint8_t fdc_fifo_read(FDCState *s)
{
    if (s->in_exec)
        return s->dma_mode ? 0xff : fdc_pio_read(s);
    if (!(s->msr & MSR_DIO) || s->res_pos >= s->res_len)
        return 0xff;
    uint8_t v = s->res[s->res_pos++];
    if (s->res_pos == 1)
        fdc_lower_irq(s);
    if (s->res_pos == s->res_len)
        fdc_to_command_phase(s);
    return v;
}

/* ---- registers ---- */

static uint64_t fdc_io_read(void *opaque, uint64_t off, unsigned size)
{
    FDCState *s = fdc_of(opaque);
    switch (off) {
    case 0: case 1:                            /* SRA/SRB: PS/2 mode only */
        return 0xff;
    case 2:
        return s->dor;
    case 3:
        return s->tdr;
    case 4:
        return (s->dor & DOR_NRESET) ? s->msr : 0;
    case 5:
        return fdc_fifo_read(s);
    default:
        return 0xff;
    }
}

static void fdc_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    FDCState *s = fdc_of(opaque);
    val &= 0xff;
    switch (off) {
    case 2: {                                  /* DOR */
        uint8_t old = s->dor;
        s->dor = val;
        if (!(val & DOR_NRESET)) {
            fdc_reset(s, false);
            s->msr = 0;
        } else if (!(old & DOR_NRESET)) {
            /* leaving reset: the controller reports the reset by an interrupt */
            fdc_reset(s, false);
            fdc_raise_irq(s);
        }
        fdc_update_irq(s);
        return;
    }
    case 3:
        s->tdr = val & 3;
        return;
    case 4:                                    /* DSR */
        s->rate = val & 3;
        if (val & 0x80) {                      /* software reset, self-clearing */
            fdc_reset(s, false);
            fdc_raise_irq(s);
        }
        return;
    case 5:
        fdc_fifo_write(s, val);
        return;
    }
}

static const MemoryRegionOps fdc_ops = {
    .read = fdc_io_read, .write = fdc_io_write, .min_size = 1, .max_size = 1,
};

static uint64_t fdc_dir_read(void *opaque, uint64_t off, unsigned size)
{
    FDCState *s = opaque;
    int unit = s->dor & DOR_SEL_MASK;
    FDrive *d = fdc_drive(s, unit);
    /* DIR: only DSKCHG is driven in PC-AT mode */
    return (d && d->dskchg) ? 0x80 : 0x00;
}

static void fdc_dir_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    FDCState *s = opaque;
    s->rate = val & 3;                         /* CCR */
}

static const MemoryRegionOps fdc_dir_ops = {
    .read = fdc_dir_read, .write = fdc_dir_write, .min_size = 1, .max_size = 1,
};

/* ---- drives and media ---- */

static const FDFormat *fdc_detect(uint64_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(fd_formats); i++)
        if (len == fd_formats[i].kib * KiB)
            return &fd_formats[i];
    return NULL;
}

static void fdc_medium_changed(void *opaque, bool inserted)
{
    FDrive *d = opaque;
    d->fmt = d->bd && inserted ? fdc_detect(d->bd->length(d->bd)) : NULL;
    d->dskchg = true;
}

static bool fdc_check_medium(BlockDev *bd, Error **errp)
{
    uint64_t len = bd ? bd->length(bd) : 0;
    if (len && !fdc_detect(len)) {
        error_setg(errp, "%s: a diskette image of %" PRIu64 " bytes is not a known format "
                   "(160K-360K, 720K, 1.2M, 1.44M, 1.68M, 2.88M)", bd->name, len);
        return false;
    }
    return true;
}

bool fdc_attach_drive(FDCState *s, int unit, BlockDev *bd, Error **errp)
{
    if (!s || unit < 0 || unit >= FD_DRIVES) {
        error_setg(errp, "floppy unit %d does not exist (0 is A:, 1 is B:)", unit);
        return false;
    }
    FDrive *d = &s->drv[unit];
    if (d->present) {
        error_setg(errp, "floppy unit %d is already in use", unit);
        return false;
    }
    if (!fdc_check_medium(bd, errp))
        return false;
    d->present = true;
    d->bd = bd;
    d->fmt = bd && bd->length(bd) ? fdc_detect(bd->length(bd)) : NULL;
    d->cmos_type = d->fmt ? d->fmt->cmos_type : 4;
    d->track = 0;
    d->dskchg = d->fmt == NULL;
    if (bd) {
        bd->change_cb = fdc_medium_changed;
        bd->change_opaque = d;
    }
    return true;
}

bool fdc_change_medium(FDCState *s, int unit, BlockDev *bd, Error **errp)
{
    if (!s || unit < 0 || unit >= FD_DRIVES || !s->drv[unit].present) {
        error_setg(errp, "there is no floppy drive %d", unit);
        return false;
    }
    if (!fdc_check_medium(bd, errp))
        return false;
    FDrive *d = &s->drv[unit];
    d->bd = bd;
    if (bd) {
        bd->change_cb = fdc_medium_changed;
        bd->change_opaque = d;
    }
    fdc_medium_changed(d, bd && bd->length(bd));
    return true;
}

uint8_t fdc_cmos_drive_types(FDCState *s)
{
    if (!s)
        return 0;
    uint8_t t0 = s->drv[0].present ? s->drv[0].cmos_type : 0;
    uint8_t t1 = s->drv[1].present ? s->drv[1].cmos_type : 0;
    return t0 << 4 | t1;
}

FDCState *isa_fdc_get(Device *dev)
{
    if (!dev || strcmp(dev->cls->name, "isa-fdc"))
        return NULL;
    return (FDCState *)dev;
}

/* ---- device ---- */

static void isa_fdc_reset(Device *dev)
{
    FDCState *s = (FDCState *)dev;
    s->dor = DOR_NRESET | DOR_DMAEN;
    s->tdr = 0;
    s->lock = false;
    s->srt_hut = s->hlt_nd = s->perp = 0;
    for (int i = 0; i < FD_DRIVES; i++)
        s->drv[i].track = 0;
    fdc_reset(s, true);
}

static bool isa_fdc_realize(Device *dev, Error **errp)
{
    FDCState *s = (FDCState *)dev;
    if (s->iobase > 0xfff8 || s->irq >= ISA_NUM_IRQS || s->dma > 3) {
        error_setg(errp, "iobase 0x%x, irq %u or dma %u out of range", s->iobase, s->irq,
                   s->dma);
        return false;
    }
    if (!board.system_io) {
        error_setg(errp, "no I/O space to attach to");
        return false;
    }
    s->irq_line = isa_get_irq(s->irq);
    memory_region_init_io(&s->io, "fdc", &fdc_ops, s, 6);
    memory_region_init_io(&s->io_dir, "fdc-dir", &fdc_dir_ops, s, 1);
    /* base+6 belongs to the IDE channel's device control register */
    memory_region_add_subregion(board.system_io, s->iobase, &s->io);
    memory_region_add_subregion(board.system_io, s->iobase + 7, &s->io_dir);
    isa_fdc_reset(dev);
    return true;
}

static const DeviceProp isa_fdc_props[] = {
    PROP_U32("iobase", FDCState, iobase, 0x3f0, "base port (8 ports, base+6 excluded)"),
    PROP_U32("irq", FDCState, irq, 6, "ISA interrupt line"),
    PROP_U32("dma", FDCState, dma, 2, "ISA DMA channel"),
    PROP_END,
};

static const DeviceClass isa_fdc_class = {
    .name = "isa-fdc", .bus = "isa", .desc = "82078-style floppy disk controller",
    .size = sizeof(FDCState), .props = isa_fdc_props,
    .realize = isa_fdc_realize, .reset = isa_fdc_reset,
};
DEVICE_CLASS_REGISTER(isa_fdc_class);
