/* atapi.c: the ATAPI CD-ROM behind an IDE channel: PACKET protocol (ATA-6 9.8, SFF-8020i)
 * and the MMC-3 commands boot loaders and Linux send. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/ide/internal.h"

/* MMC-3 operation codes */
enum {
    GPCMD_TEST_UNIT_READY = 0x00, GPCMD_REQUEST_SENSE = 0x03, GPCMD_INQUIRY = 0x12,
    GPCMD_MODE_SENSE_6 = 0x1a, GPCMD_START_STOP_UNIT = 0x1b,
    GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1e, GPCMD_READ_FORMAT_CAPACITIES = 0x23,
    GPCMD_READ_CAPACITY = 0x25, GPCMD_READ_10 = 0x28, GPCMD_SEEK_10 = 0x2b,
    GPCMD_READ_TOC = 0x43, GPCMD_GET_CONFIGURATION = 0x46,
    GPCMD_GET_EVENT_STATUS_NOTIFICATION = 0x4a, GPCMD_READ_DISC_INFORMATION = 0x51,
    GPCMD_MODE_SENSE_10 = 0x5a, GPCMD_READ_12 = 0xa8, GPCMD_SET_CD_SPEED = 0xbb,
    GPCMD_MECHANISM_STATUS = 0xbd, GPCMD_READ_CD = 0xbe,
};

/* Sense keys and additional sense codes (SPC-2, MMC-3 annex F) */
enum {
    SENSE_NONE = 0, SENSE_NOT_READY = 2, SENSE_ILLEGAL_REQUEST = 5, SENSE_UNIT_ATTENTION = 6,
};
enum {
    ASC_INV_OPCODE = 0x20, ASC_LBA_OUT_OF_RANGE = 0x21, ASC_INV_FIELD_IN_CDB = 0x24,
    ASC_MEDIUM_MAY_HAVE_CHANGED = 0x28, ASC_SAVING_NOT_SUPPORTED = 0x39,
    ASC_MEDIUM_NOT_PRESENT = 0x3a, ASC_INCOMPATIBLE_FORMAT = 0x30,
    ASC_MEDIUM_REMOVAL_PREVENTED = 0x53,
};

/* Profiles (MMC-3 5.3.1) */
#define MMC_PROFILE_CD_ROM  0x0008
#define MMC_PROFILE_DVD_ROM 0x0010
#define CD_MAX_SECTORS      (80 * 60 * 75)   /* an 80-minute CD */

static uint16_t be16(const uint8_t *p) { return p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
static void st_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void st_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static uint32_t cd_sectors(IDEState *s)
{
    return ide_has_medium(s) ? MIN(s->bd->length(s->bd) / ATAPI_SECTOR_SIZE, 0xffffffffULL) : 0;
}

/* LBA to MSF, with the 2-second (150 frame) lead-in offset (MMC-3 4.2.3.3). */
static void lba_to_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;
    p[0] = MIN(lba / (60 * 75), 255);
    p[1] = (lba / 75) % 60;
    p[2] = lba % 75;
}

void ide_atapi_identify(IDEState *s)
{
    uint16_t w[256] = { 0 };
    bool dma = s->bus->bmdma != NULL;
    uint8_t tmp[40];

    /* ATAPI, CD-ROM device type 05h, removable, DRQ within 50us, 12-byte packets */
    w[0] = 0x8000 | (0x05 << 8) | 0x80 | 0x40;
    ide_padstr(tmp, s->serial, 20);
    for (int i = 0; i < 10; i++)
        w[10 + i] = tmp[2 * i] << 8 | tmp[2 * i + 1];
    ide_padstr(tmp, s->fw_rev, 8);
    for (int i = 0; i < 4; i++)
        w[23 + i] = tmp[2 * i] << 8 | tmp[2 * i + 1];
    ide_padstr(tmp, s->model, 40);
    for (int i = 0; i < 20; i++)
        w[27 + i] = tmp[2 * i] << 8 | tmp[2 * i + 1];
    w[49] = (1 << 11) | (1 << 9) | (dma ? 1 << 8 : 0);
    w[53] = 2 | 4;
    if (dma)
        w[63] = 0x07;
    w[64] = 0x03;
    w[65] = 0xb4;
    w[66] = 0xb4;
    w[67] = 0x12c;
    w[68] = 0xb4;
    w[71] = 30;
    w[72] = 30;
    w[80] = 0x1e;                               /* ATA-1 to ATA-4 */
    w[82] = (1 << 14) | (1 << 4);               /* NOP, PACKET */
    w[85] = (1 << 14) | (1 << 4);
    if (dma)
        w[88] = 0x3f;
    for (int i = 0; i < 256; i++) {
        s->io_buffer[2 * i] = w[i];
        s->io_buffer[2 * i + 1] = w[i] >> 8;
    }
}

void ide_atapi_reset(IDEState *s)
{
    s->sense_key = SENSE_NONE;
    s->asc = s->ascq = 0;
    s->locked = false;
    s->atapi_sectors_left = 0;
}

void ide_atapi_medium_changed(IDEState *s, bool inserted)
{
    s->tray_open = !inserted;
    s->unit_attention = inserted;
    s->media_event = inserted ? 2 : 3;          /* NewMedia / MediaRemoval (MMC-3 6.5.4) */
    if (inserted && s->bd)
        s->nb_sectors = cd_sectors(s);
}

/* ---- completion ---- */

static void atapi_cmd_ok(IDEState *s)
{
    ide_transfer_stop(s);
    s->error = 0;
    s->status = ATA_SR_DRDY;
    s->nsector = ATAPI_IR_IO | ATAPI_IR_COD;
    s->sense_key = SENSE_NONE;
    s->asc = s->ascq = 0;
    ide_set_irq(s->bus);
}

static void atapi_cmd_error(IDEState *s, uint8_t key, uint8_t asc, uint8_t ascq)
{
    ide_transfer_stop(s);
    s->error = key << 4 | ATA_ER_ABRT;
    s->status = ATA_SR_DRDY | ATA_SR_ERR;
    s->nsector = ATAPI_IR_IO | ATAPI_IR_COD;
    s->sense_key = key;
    s->asc = asc;
    s->ascq = ascq;
    s->atapi_sectors_left = 0;
    ide_set_irq(s->bus);
}

/* ---- data-in phase: PIO in DRQ blocks of at most the byte count limit, or DMA ---- */

static void atapi_data_block(IDEState *s);
static bool atapi_refill(IDEState *s);

static void atapi_block_end(IDEState *s)
{
    /* What is left of the buffer goes in the next DRQ block; then more sectors. */
    uint32_t done = s->data_ptr;
    uint32_t left = s->atapi_byte_limit;       /* end of the buffered data */
    if (done < left) {
        s->data_ptr = done;
        atapi_data_block(s);
        return;
    }
    if (s->atapi_sectors_left && atapi_refill(s)) {
        s->data_ptr = 0;
        atapi_data_block(s);
        return;
    }
    if (!s->atapi_sectors_left && !(s->status & ATA_SR_ERR))
        atapi_cmd_ok(s);
}

/* Offer the next DRQ block of the buffered data (data_ptr .. atapi_byte_limit). */
static void atapi_data_block(IDEState *s)
{
    uint32_t limit = s->atapi_drq_limit;
    uint32_t start = s->data_ptr;
    uint32_t n = MIN(s->atapi_byte_limit - start, limit);
    s->lcyl = n;
    s->hcyl = n >> 8;
    s->nsector = ATAPI_IR_IO;
    s->status = ATA_SR_DRDY | ATA_SR_DRQ;
    s->data_end = start + n;
    s->end_transfer = atapi_block_end;
    ide_set_irq(s->bus);
}

static void atapi_dma_send(IDEState *s)
{
    BMDMAState *bm = s->bus->bmdma;
    bool err = false;
    for (;;) {
        uint32_t n = s->atapi_byte_limit;
        if (bmdma_transfer(bm, s->io_buffer, n, true, &err) < n) {
            qlog(LOG_GUEST_ERRORS, "atapi: DMA %s\n", err ? "to a bad address" :
                 "PRD table shorter than the transfer");
            bmdma_command_done(bm, true);
            atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB, 0);
            return;
        }
        if (!s->atapi_sectors_left)
            break;
        if (!atapi_refill(s)) {
            bmdma_command_done(bm, true);
            return;
        }
    }
    bmdma_command_done(bm, false);
    atapi_cmd_ok(s);
}

/* Send `size` bytes of io_buffer to the host, cut to the allocation length. */
static void atapi_reply(IDEState *s, uint32_t size, uint32_t alloc_len)
{
    size = MIN(size, alloc_len);
    if (size == 0) {
        atapi_cmd_ok(s);
        return;
    }
    s->atapi_sectors_left = 0;
    s->atapi_byte_limit = size;
    if (s->atapi_dma) {
        ide_dma_request(s, atapi_dma_send);
        return;
    }
    s->data_ptr = 0;
    atapi_data_block(s);
}

/* Load the next batch of sectors of a READ into io_buffer. */
static bool atapi_refill(IDEState *s)
{
    uint32_t n = MIN(s->atapi_sectors_left, IDE_BUF_SIZE / ATAPI_SECTOR_SIZE);
    int r = s->bd->read(s->bd, (uint64_t)s->atapi_lba * ATAPI_SECTOR_SIZE, s->io_buffer,
                        n * ATAPI_SECTOR_SIZE);
    if (r < 0) {
        error_report("%s: read error at sector %u: %s", s->bd->name, s->atapi_lba, strerror(-r));
        atapi_cmd_error(s, 3 /* MEDIUM ERROR */, 0x11 /* unrecovered read error */, 0);
        return false;
    }
    s->atapi_lba += n;
    s->atapi_sectors_left -= n;
    s->atapi_byte_limit = n * ATAPI_SECTOR_SIZE;
    return true;
}

static void atapi_read(IDEState *s, uint32_t lba, uint32_t count)
{
    uint32_t total = cd_sectors(s);
    if (lba >= total || count > total - lba) {
        qlog(LOG_GUEST_ERRORS, "atapi: read of %u sectors at %u beyond the disc (%u)\n",
             count, lba, total);
        atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    if (count == 0) {
        atapi_cmd_ok(s);
        return;
    }
    s->atapi_lba = lba;
    s->atapi_sectors_left = count;
    if (!atapi_refill(s))
        return;
    if (s->atapi_dma) {
        ide_dma_request(s, atapi_dma_send);
        return;
    }
    s->data_ptr = 0;
    atapi_data_block(s);
}

/* ---- commands ---- */

static uint32_t atapi_read_toc(IDEState *s, const uint8_t *cdb, uint8_t *buf, bool *bad)
{
    bool msf = cdb[1] & 2;
    int format = cdb[2] & 0x0f;
    int start_track = cdb[6];
    uint32_t total = cd_sectors(s);
    uint8_t *q = buf + 4;

    /* Old drives put the format in the control byte's vendor bits (SFF-8020i 10.8.8). */
    if (format == 0 && (cdb[9] >> 6))
        format = cdb[9] >> 6;
    switch (format) {
    case 0:                                     /* formatted TOC: one data track */
        if (start_track > 1 && start_track != 0xaa) {
            *bad = true;
            return 0;
        }
        if (start_track <= 1) {
            q[0] = 0;
            q[1] = 0x14;                        /* ADR 1, data track, copy permitted */
            q[2] = 1;
            q[3] = 0;
            if (msf) { q[4] = 0; lba_to_msf(q + 5, 0); } else st_be32(q + 4, 0);
            q += 8;
        }
        q[0] = 0;
        q[1] = 0x16;
        q[2] = 0xaa;                            /* lead-out */
        q[3] = 0;
        if (msf) { q[4] = 0; lba_to_msf(q + 5, total); } else st_be32(q + 4, total);
        q += 8;
        buf[2] = 1;
        buf[3] = 1;
        break;
    case 1:                                     /* multi-session information */
        buf[2] = 1;
        buf[3] = 1;
        memset(q, 0, 8);
        q[1] = 0x14;
        q[2] = 1;
        if (msf) lba_to_msf(q + 5, 0);
        q += 8;
        break;
    case 2: {                                   /* raw TOC: points A0, A1, A2, 1 */
        static const uint8_t points[] = { 0xa0, 0xa1, 0xa2, 0x01 };
        buf[2] = 1;
        buf[3] = 1;
        for (int i = 0; i < 4; i++) {
            memset(q, 0, 11);
            q[0] = 1;                           /* session */
            q[1] = 0x14;
            q[3] = points[i];
            switch (points[i]) {
            case 0xa0: q[8] = 1; q[9] = 0x00; break;   /* first track, disc type CD-ROM */
            case 0xa1: q[8] = 1; break;                /* last track */
            case 0xa2: lba_to_msf(q + 8, total); break;
            default: lba_to_msf(q + 8, 0); break;
            }
            q += 11;
        }
        break;
    }
    default:
        *bad = true;
        return 0;
    }
    uint32_t len = q - buf;
    st_be16(buf, len - 2);
    return len;
}

static uint32_t atapi_get_configuration(IDEState *s, const uint8_t *cdb, uint8_t *buf)
{
    int rt = cdb[1] & 3;
    unsigned start = be16(cdb + 2);
    bool dvd = ide_has_medium(s) && cd_sectors(s) > CD_MAX_SECTORS;
    uint16_t profile = !ide_has_medium(s) ? 0 : dvd ? MMC_PROFILE_DVD_ROM : MMC_PROFILE_CD_ROM;
    uint8_t *q = buf + 8;

    memset(buf, 0, 8);
    st_be16(buf + 6, profile);
#define FEATURE(num, body) \
    if ((rt == 2 && start == (num)) || (rt != 2 && (num) >= start)) { body }
    FEATURE(0x0000, {                           /* profile list */
        st_be16(q, 0); q[2] = 0x03; q[3] = 8;
        st_be16(q + 4, MMC_PROFILE_DVD_ROM); q[6] = profile == MMC_PROFILE_DVD_ROM; q[7] = 0;
        st_be16(q + 8, MMC_PROFILE_CD_ROM); q[10] = profile == MMC_PROFILE_CD_ROM; q[11] = 0;
        q += 12;
    })
    FEATURE(0x0001, {                           /* core: ATAPI physical interface */
        st_be16(q, 1); q[2] = 0x07; q[3] = 8;
        st_be32(q + 4, 2); q[8] = 1; q[9] = q[10] = q[11] = 0;
        q += 12;
    })
    FEATURE(0x0003, {                           /* removable medium: tray, eject, lock */
        st_be16(q, 3); q[2] = 0x03; q[3] = 4;
        q[4] = (1 << 5) | (1 << 3) | (s->locked ? 1 << 1 : 0) | 1;
        q[5] = q[6] = q[7] = 0;
        q += 8;
    })
#undef FEATURE
    uint32_t len = q - buf;
    st_be32(buf, len - 4);
    return len;
}

static uint32_t atapi_mode_page(IDEState *s, int page, int pc, uint8_t *q)
{
    bool changeable = pc == 1;
    switch (page) {
    case 0x01:                                  /* read error recovery */
        memset(q, 0, 8);
        q[0] = 0x01;
        q[1] = 0x06;
        if (!changeable)
            q[3] = 5;                           /* read retry count */
        return 8;
    case 0x2a:                                  /* CD/DVD capabilities (MMC-3 6.3.11) */
        memset(q, 0, 22);
        q[0] = 0x2a;
        q[1] = 0x14;
        if (changeable)
            return 22;
        q[2] = 0x3b;                            /* reads CD-R, CD-RW, method 2, DVD-ROM */
        q[4] = 0x71;                            /* audio play, mode 2 form 1/2, multisession */
        q[5] = 0x7f;
        q[6] = 0x29 | (s->locked ? 0x02 : 0);   /* tray, eject, lock (state) */
        q[7] = 0x03;
        st_be16(q + 8, 706);                    /* 4x, kB/s */
        st_be16(q + 10, 256);
        st_be16(q + 12, 2048);
        st_be16(q + 14, 706);
        return 22;
    default:
        return 0;
    }
}

static void atapi_mode_sense(IDEState *s, const uint8_t *cdb, bool ten)
{
    uint8_t *buf = s->io_buffer;
    int pc = cdb[2] >> 6, page = cdb[2] & 0x3f;
    uint32_t alloc = ten ? be16(cdb + 7) : cdb[4];
    uint32_t hdr = ten ? 8 : 4, len;

    if (pc == 3) {
        atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED, 0);
        return;
    }
    memset(buf, 0, hdr);
    len = hdr;
    if (page == 0x3f) {
        len += atapi_mode_page(s, 0x01, pc, buf + len);
        len += atapi_mode_page(s, 0x2a, pc, buf + len);
    } else {
        uint32_t n = atapi_mode_page(s, page, pc, buf + len);
        if (!n) {
            atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB, 0);
            return;
        }
        len += n;
    }
    if (ten) {
        st_be16(buf, len - 2);
        buf[2] = ide_has_medium(s) ? 0x01 : 0x70;  /* medium type: 120 mm data / no disc */
    } else {
        buf[0] = len - 1;
        buf[1] = ide_has_medium(s) ? 0x01 : 0x70;
    }
    atapi_reply(s, len, alloc);
}

static void atapi_event_status(IDEState *s, const uint8_t *cdb)
{
    uint8_t *buf = s->io_buffer;
    if (!(cdb[1] & 1)) {                        /* only polled operation (MMC-3 6.1.5) */
        atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB, 0);
        return;
    }
    uint32_t len;
    buf[3] = 1 << 4;                            /* supported classes: media */
    if (cdb[4] & (1 << 4)) {
        st_be16(buf, 6);
        buf[2] = 4;                             /* class: media */
        buf[4] = s->media_event;
        buf[5] = (ide_has_medium(s) ? 2 : 0) | (s->tray_open ? 1 : 0);
        buf[6] = buf[7] = 0;
        s->media_event = 0;
        len = 8;
    } else {
        st_be16(buf, 2);
        buf[2] = 0x80;                          /* NEA: no event available */
        len = 4;
    }
    atapi_reply(s, len, be16(cdb + 7));
}

/* Commands a drive answers even with a pending unit attention (SFF-8020i 10.3). */
static bool atapi_ignores_unit_attention(uint8_t op)
{
    return op == GPCMD_INQUIRY || op == GPCMD_REQUEST_SENSE ||
           op == GPCMD_GET_CONFIGURATION || op == GPCMD_GET_EVENT_STATUS_NOTIFICATION;
}

static bool atapi_needs_medium(uint8_t op)
{
    switch (op) {
    case GPCMD_TEST_UNIT_READY: case GPCMD_READ_CAPACITY: case GPCMD_READ_10:
    case GPCMD_READ_12: case GPCMD_READ_TOC: case GPCMD_READ_DISC_INFORMATION:
    case GPCMD_READ_CD: case GPCMD_SEEK_10:
        return true;
    default:
        return false;
    }
}

void ide_atapi_packet_cmd(IDEState *s)
{
    uint8_t cdb[12];
    uint8_t *buf = s->io_buffer;
    memcpy(cdb, s->io_buffer, 12);
    memcpy(s->packet, cdb, 12);
    ide_transfer_stop(s);
    s->atapi_sectors_left = 0;
    /* The byte count limit was loaded into the cylinder registers with PACKET. */
    s->atapi_drq_limit = (s->lcyl | s->hcyl << 8) & ~1u;
    if (s->atapi_drq_limit == 0)
        s->atapi_drq_limit = 0xfffe;            /* 0 is not allowed; be lenient */
    uint8_t op = cdb[0];

    if (s->unit_attention && !atapi_ignores_unit_attention(op)) {
        s->unit_attention = false;
        atapi_cmd_error(s, SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED, 0);
        return;
    }
    if (atapi_needs_medium(op) && !ide_has_medium(s)) {
        atapi_cmd_error(s, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT, 0);
        return;
    }

    switch (op) {
    case GPCMD_TEST_UNIT_READY:
    case GPCMD_SEEK_10:
    case GPCMD_SET_CD_SPEED:
        atapi_cmd_ok(s);
        return;
    case GPCMD_REQUEST_SENSE: {
        memset(buf, 0, 18);
        buf[0] = 0x70;                          /* current error, fixed format */
        buf[2] = s->sense_key;
        buf[7] = 10;
        buf[12] = s->asc;
        buf[13] = s->ascq;
        uint8_t alloc = cdb[4];
        /* The sense data is consumed (SPC-2 7.20); a pending unit attention is reported. */
        if (s->unit_attention) {
            buf[2] = SENSE_UNIT_ATTENTION;
            buf[12] = ASC_MEDIUM_MAY_HAVE_CHANGED;
            s->unit_attention = false;
        }
        s->sense_key = SENSE_NONE;
        s->asc = s->ascq = 0;
        atapi_reply(s, 18, alloc);
        return;
    }
    case GPCMD_INQUIRY:
        memset(buf, 0, 36);
        buf[0] = 0x05;                          /* CD/DVD device */
        buf[1] = 0x80;                          /* removable */
        buf[2] = 0x00;
        buf[3] = 0x21;                          /* ATAPI version 2, response format 1 */
        buf[4] = 31;
        ide_padstr(buf + 8, "VIREO", 8);
        ide_padstr(buf + 16, s->model, 16);
        ide_padstr(buf + 32, s->fw_rev, 4);
        atapi_reply(s, 36, be16(cdb + 3));
        return;
    case GPCMD_READ_CAPACITY:
        st_be32(buf, cd_sectors(s) - 1);
        st_be32(buf + 4, ATAPI_SECTOR_SIZE);
        atapi_reply(s, 8, 8);
        return;
    case GPCMD_READ_10:
        atapi_read(s, be32(cdb + 2), be16(cdb + 7));
        return;
    case GPCMD_READ_12:
        atapi_read(s, be32(cdb + 2), be32(cdb + 6));
        return;
    case GPCMD_READ_CD: {
        /* Only user data of Mode 1 / Mode 2 Form 1 sectors (flag byte 10h) is supported. */
        uint32_t count = cdb[6] << 16 | cdb[7] << 8 | cdb[8];
        if (cdb[9] == 0) {
            atapi_cmd_ok(s);
        } else if (cdb[9] == 0x10) {
            atapi_read(s, be32(cdb + 2), count);
        } else {
            qlog(LOG_UNIMP, "atapi: READ CD with sector fields 0x%02x not implemented\n", cdb[9]);
            atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB, 0);
        }
        return;
    }
    case GPCMD_READ_TOC: {
        bool bad = false;
        uint32_t len = atapi_read_toc(s, cdb, buf, &bad);
        if (bad)
            atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB, 0);
        else
            atapi_reply(s, len, be16(cdb + 7));
        return;
    }
    case GPCMD_GET_CONFIGURATION:
        atapi_reply(s, atapi_get_configuration(s, cdb, buf), be16(cdb + 7));
        return;
    case GPCMD_GET_EVENT_STATUS_NOTIFICATION:
        atapi_event_status(s, cdb);
        return;
    case GPCMD_MODE_SENSE_6:
    case GPCMD_MODE_SENSE_10:
        atapi_mode_sense(s, cdb, op == GPCMD_MODE_SENSE_10);
        return;
    case GPCMD_START_STOP_UNIT: {
        bool loej = cdb[4] & 2, start = cdb[4] & 1;
        if (loej && !start) {
            if (s->locked) {
                atapi_cmd_error(s, SENSE_NOT_READY, ASC_MEDIUM_REMOVAL_PREVENTED, 2);
                return;
            }
            if (!s->tray_open)
                s->media_event = 1;             /* EjectRequest */
            s->tray_open = true;
        } else if (loej && start && s->tray_open) {
            s->tray_open = false;
            if (s->bd && s->bd->length(s->bd)) {
                s->unit_attention = true;
                s->media_event = 2;
            }
        }
        atapi_cmd_ok(s);
        return;
    }
    case GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL:
        s->locked = cdb[4] & 1;
        atapi_cmd_ok(s);
        return;
    case GPCMD_READ_DISC_INFORMATION:
        if (cdb[1] & 7) {                       /* only standard disc information */
            atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_INV_FIELD_IN_CDB, 0);
            return;
        }
        memset(buf, 0, 34);
        st_be16(buf, 32);
        buf[2] = 0x0e;                          /* complete disc, last session complete */
        buf[3] = 1;                             /* first track */
        buf[4] = 1;                             /* sessions */
        buf[5] = 1;                             /* first track in last session */
        buf[6] = 1;                             /* last track in last session */
        atapi_reply(s, 34, be16(cdb + 7));
        return;
    default:
        qlog(LOG_UNIMP, "atapi: MMC command 0x%02x not implemented\n", op);
        atapi_cmd_error(s, SENSE_ILLEGAL_REQUEST, ASC_INV_OPCODE, 0);
        return;
    }
}
