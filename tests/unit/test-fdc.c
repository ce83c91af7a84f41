/* test-fdc.c: the floppy controller: reset and SENSE INTERRUPT, VERSION/CONFIGURE/LOCK/
 * DUMPREG, SEEK/RECALIBRATE, READ/WRITE through 8237 channel 2 and without DMA, multi-track,
 * READ ID, FORMAT, data rates per medium, the disk change line, and bad commands. */
#include <criterion/criterion.h>
#include "hw/core/device.h"
#include "hw/block/fdc.h"
#include "tests/unit/test-ide-board.h"

#define FD 0x3f0

static FDCState *fdc;
static MemDisk *flop;

static void setup(void)
{
    test_board_init();
    Error *err = NULL;
    cr_assert_not_null(device_create("isa-dma", NULL, &err));
    outb(0xd6, 0xc0);                           /* cascade channel 4, unmasked */
    outb(0xd4, 0x00);
    Device *d = device_create("isa-fdc", NULL, &err);
    cr_assert_not_null(d, "%s", err ? err->msg : "");
    fdc = isa_fdc_get(d);
    flop = memdisk_new(1440 * KiB, 1440 * KiB);
    cr_assert(fdc_attach_drive(fdc, 0, &flop->bd, &err));
}

TestSuite(fdc, .init = setup);

static void fd_cmd(const uint8_t *bytes, int n)
{
    for (int i = 0; i < n; i++) {
        cr_assert_eq(inb(FD + 4) & 0xc0, 0x80, "RQM, host to controller, byte %d", i);
        outb(FD + 5, bytes[i]);
    }
}

static int fd_result(uint8_t *res)
{
    int n = 0;
    while ((inb(FD + 4) & 0xd0) == 0xd0) {
        res[n++] = inb(FD + 5);
        cr_assert(n <= 16);
    }
    return n;
}

static void fd_reset(void)
{
    outb(FD + 2, 0x08);                          /* reset */
    outb(FD + 2, 0x1c);                          /* drive 0, motor, DMA+IRQ, out of reset */
    cr_assert_eq(irq_level[6], 1, "reset interrupt");
    for (int i = 0; i < 4; i++) {
        uint8_t c = 0x08, res[16];
        fd_cmd(&c, 1);
        cr_assert_eq(fd_result(res), 2);
        cr_assert_eq(res[0], 0xc0 | i);
    }
    cr_assert_eq(irq_level[6], 0);
    outb(FD + 7, 0);                             /* 500 kb/s */
    uint8_t spec[3] = { 0x03, 0xdf, 0x02 };
    fd_cmd(spec, 3);
}

static void program_dma2(uint8_t mode, uint32_t phys, uint32_t bytes)
{
    outb(0x0a, 0x06);
    outb(0x0c, 0);
    outb(0x0b, mode);
    outb(0x04, phys);
    outb(0x04, phys >> 8);
    outb(0x81, phys >> 16);
    outb(0x05, (bytes - 1));
    outb(0x05, (bytes - 1) >> 8);
    outb(0x0a, 0x02);
}

static uint8_t fbyte(int c, int h, int r, int i)
{
    uint64_t off = (((uint64_t)c * 2 + h) * 18 + r - 1) * 512 + i;
    return expected_byte(off);
}

Test(fdc, version_configure_lock_dumpreg)
{
    fd_reset();
    uint8_t res[16], c = 0x10;
    fd_cmd(&c, 1);
    cr_assert_eq(fd_result(res), 1);
    cr_assert_eq(res[0], 0x90);
    uint8_t conf[4] = { 0x13, 0, 0x57, 0x09 };
    fd_cmd(conf, 4);
    cr_assert_eq(inb(FD + 4), 0x80, "no result phase");
    c = 0x94;
    fd_cmd(&c, 1);
    cr_assert_eq(fd_result(res), 1);
    cr_assert_eq(res[0], 0x10);
    outb(FD + 4, 0x80);                          /* DSR software reset: lock keeps config */
    c = 0x0e;
    for (int i = 0; i < 4 && (inb(FD + 4) & 0xc0) == 0x80; i++) {
        uint8_t si = 0x08;
        fd_cmd(&si, 1);
        fd_result(res);
    }
    fd_cmd(&c, 1);
    cr_assert_eq(fd_result(res), 10);
    cr_assert_eq(res[4], 0xdf, "SPECIFY SRT/HUT");
    cr_assert_eq(res[7] & 0x80, 0x80, "locked");
    cr_assert_eq(res[8], 0x57);
    cr_assert_eq(res[9], 0x09);
}

Test(fdc, seek_recalibrate_sense_interrupt)
{
    fd_reset();
    uint8_t res[16];
    uint8_t seek[3] = { 0x0f, 0x04, 40 };        /* head 1, drive 0, cylinder 40 */
    fd_cmd(seek, 3);
    cr_assert_eq(irq_level[6], 1);
    uint8_t si = 0x08;
    fd_cmd(&si, 1);
    cr_assert_eq(fd_result(res), 2);
    cr_assert_eq(res[0], 0x24, "SE, head 1, drive 0");
    cr_assert_eq(res[1], 40);
    uint8_t rel[3] = { 0xcf, 0x00, 5 };           /* relative seek outwards by 5 */
    fd_cmd(rel, 3);
    fd_cmd(&si, 1);
    fd_result(res);
    cr_assert_eq(res[1], 45);
    uint8_t recal[2] = { 0x07, 0x00 };
    fd_cmd(recal, 2);
    fd_cmd(&si, 1);
    fd_result(res);
    cr_assert_eq(res[0], 0x20);
    cr_assert_eq(res[1], 0);
    fd_cmd(&si, 1);                              /* nothing pending */
    cr_assert_eq(fd_result(res), 1);
    cr_assert_eq(res[0], 0x80);
    uint8_t sds[2] = { 0x04, 0x00 };
    fd_cmd(sds, 2);
    fd_result(res);
    cr_assert_eq(res[0], 0x38, "RDY, track 0, two-sided");
    uint8_t recal1[2] = { 0x07, 0x01 };          /* no drive 1 */
    fd_cmd(recal1, 2);
    fd_cmd(&si, 1);
    fd_result(res);
    cr_assert_eq(res[0] & 0xd0, 0x50, "abnormal, equipment check");
}

Test(fdc, read_sectors_by_dma)
{
    fd_reset();
    program_dma2(0x46, 0x10000, 3 * 512);
    uint8_t rd[9] = { 0xe6, 0x00, 2, 0, 17, 2, 18, 0x1b, 0xff };   /* C2 H0 R17, MT */
    fd_cmd(rd, 9);
    cr_assert_eq(irq_level[6], 1);
    uint8_t res[16];
    cr_assert_eq(fd_result(res), 7);
    cr_assert_eq(res[0], 0x04, "normal termination, head 1 after the multi-track step");
    cr_assert_eq(res[1], 0);
    cr_assert_eq(res[3], 2);
    cr_assert_eq(res[4], 1);
    cr_assert_eq(res[5], 2, "next sector: side 1 sector 2");
    cr_assert_eq(ram.host[0x10000], fbyte(2, 0, 17, 0));
    cr_assert_eq(ram.host[0x10000 + 1023], fbyte(2, 0, 18, 511));
    cr_assert_eq(ram.host[0x10000 + 1024], fbyte(2, 1, 1, 0), "continued on side 1");
    cr_assert_eq(ram.host[0x10000 + 1536], 0);
    cr_assert_eq(inb(0x08) & 0x04, 0x04, "DMA terminal count");
}

Test(fdc, end_of_track_without_tc_is_abnormal)
{
    fd_reset();
    program_dma2(0x46, 0x10000, 4 * 512);
    uint8_t rd[9] = { 0x46, 0x00, 0, 0, 17, 2, 18, 0x1b, 0xff };   /* no MT: 2 sectors left */
    fd_cmd(rd, 9);
    uint8_t res[16];
    cr_assert_eq(fd_result(res), 7);
    cr_assert_eq(res[0], 0x40);
    cr_assert_eq(res[1], 0x80, "end of cylinder");
    cr_assert_eq(ram.host[0x10000 + 1023], fbyte(0, 0, 18, 511));
}

Test(fdc, write_by_dma_and_read_only_media)
{
    fd_reset();
    memset(ram.host + 0x20000, 0xc3, 512);
    program_dma2(0x4a, 0x20000, 512);
    uint8_t wr[9] = { 0xc5, 0x04, 79, 1, 18, 2, 18, 0x1b, 0xff };   /* last sector */
    fd_cmd(wr, 9);
    uint8_t res[16];
    cr_assert_eq(fd_result(res), 7);
    cr_assert_eq(res[0] & 0xc0, 0);
    cr_assert_eq(flop->data[1440 * KiB - 1], 0xc3);
    cr_assert_eq(flop->data[1440 * KiB - 513], fbyte(79, 1, 17, 511));
    flop->bd.read_only = true;
    program_dma2(0x4a, 0x20000, 512);
    fd_cmd(wr, 9);
    fd_result(res);
    cr_assert_eq(res[0] & 0xc0, 0x40);
    cr_assert_eq(res[1], 0x02, "not writable");
}

Test(fdc, non_dma_read_and_write)
{
    fd_reset();
    uint8_t spec[3] = { 0x03, 0xdf, 0x03 };     /* ND: non-DMA */
    fd_cmd(spec, 3);
    uint8_t rd[9] = { 0x66, 0x00, 1, 0, 5, 2, 5, 0x1b, 0xff };
    fd_cmd(rd, 9);
    cr_assert_eq(inb(FD + 4), 0xf0, "RQM DIO NDMA CB");
    for (int i = 0; i < 512; i++)
        cr_assert_eq(inb(FD + 5), fbyte(1, 0, 5, i));
    uint8_t res[16];
    cr_assert_eq(fd_result(res), 7);
    cr_assert_eq(res[1], 0x80, "EOT reached without TC");
    uint8_t wr[9] = { 0x45, 0x00, 1, 0, 6, 2, 6, 0x1b, 0xff };
    fd_cmd(wr, 9);
    cr_assert_eq(inb(FD + 4), 0xb0, "RQM NDMA CB, host to controller");
    for (int i = 0; i < 512; i++)
        outb(FD + 5, i);
    fd_result(res);
    cr_assert_eq(flop->data[(36 + 5) * 512 + 300], (uint8_t)300);
}

Test(fdc, read_id_format_and_rates)
{
    fd_reset();
    uint8_t rid[2] = { 0x4a, 0x00 };
    uint8_t res[16];
    fd_cmd(rid, 2);
    cr_assert_eq(fd_result(res), 7);
    cr_assert_eq(res[0], 0x00);
    cr_assert_eq(res[6], 2);
    outb(FD + 7, 2);                             /* 250 kb/s: wrong for a 1.44M disk */
    fd_cmd(rid, 2);
    fd_result(res);
    cr_assert_eq(res[0], 0x40);
    cr_assert_eq(res[1], 0x01, "missing address mark");
    outb(FD + 7, 0);
    /* FORMAT track 3 side 0 with 0xe5, IDs by DMA */
    uint8_t seek[3] = { 0x0f, 0x00, 3 }, si = 0x08;
    fd_cmd(seek, 3);
    fd_cmd(&si, 1);
    fd_result(res);
    for (int r = 1; r <= 18; r++) {
        uint8_t id[4] = { 3, 0, r, 2 };
        memcpy(ram.host + 0x30000 + 4 * (r - 1), id, 4);
    }
    program_dma2(0x4a, 0x30000, 18 * 4);
    uint8_t fmt[6] = { 0x4d, 0x00, 2, 18, 0x54, 0xe5 };
    fd_cmd(fmt, 6);
    cr_assert_eq(fd_result(res), 7);
    cr_assert_eq(res[0] & 0xc0, 0);
    cr_assert_eq(flop->data[(3 * 36) * 512], 0xe5);
    cr_assert_eq(flop->data[(3 * 36 + 17) * 512 + 511], 0xe5);
    cr_assert_eq(flop->data[(3 * 36 + 18) * 512], fbyte(3, 1, 1, 0), "side 1 untouched");
}

Test(fdc, disk_change_line_and_media)
{
    fd_reset();
    cr_assert_eq(inb(FD + 7) & 0x80, 0, "a disk present at power-on");
    Error *err = NULL;
    cr_assert(fdc_change_medium(fdc, 0, NULL, &err));
    cr_assert_eq(inb(FD + 7) & 0x80, 0x80);
    uint8_t rd[9] = { 0x46, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff }, res[16];
    program_dma2(0x46, 0x10000, 512);
    fd_cmd(rd, 9);
    fd_result(res);
    cr_assert_eq(res[0] & 0xc0, 0x40, "no diskette");
    MemDisk *d720 = memdisk_new(720 * KiB, 720 * KiB);
    cr_assert(fdc_change_medium(fdc, 0, &d720->bd, &err));
    uint8_t seek[3] = { 0x0f, 0x00, 1 }, si = 0x08;
    fd_cmd(seek, 3);
    fd_cmd(&si, 1);
    fd_result(res);
    cr_assert_eq(inb(FD + 7) & 0x80, 0, "cleared by a step with a diskette in");
    outb(FD + 7, 2);                             /* 250 kb/s for 720K */
    program_dma2(0x46, 0x10000, 512);
    uint8_t rd9[9] = { 0x46, 0x04, 79, 1, 9, 2, 9, 0x1b, 0xff };
    fd_cmd(rd9, 9);
    fd_result(res);
    cr_assert_eq(res[0] & 0xc0, 0);
    cr_assert_eq(ram.host[0x10000], expected_byte(((79 * 2 + 1) * 9 + 8) * 512));
    MemDisk *odd = memdisk_new(1000 * KiB, 4096);
    cr_assert_not(fdc_change_medium(fdc, 0, &odd->bd, &err));
    cr_assert_not_null(strstr(err->msg, "not a known format"));
    cr_assert_eq(fdc_cmos_drive_types(fdc), 0x40);
}

Test(fdc, impossible_commands)
{
    fd_reset();
    uint8_t res[16];
    uint8_t bad = 0x1f;
    fd_cmd(&bad, 1);
    cr_assert_eq(fd_result(res), 1);
    cr_assert_eq(res[0], 0x80);
    /* sector 0, sector 19, cylinder 200, N=3, head mismatch */
    static const uint8_t cases[][9] = {
        { 0x46, 0, 0, 0, 0, 2, 18, 0x1b, 0xff }, { 0x46, 0, 0, 0, 19, 2, 18, 0x1b, 0xff },
        { 0x46, 0, 200, 0, 1, 2, 18, 0x1b, 0xff }, { 0x46, 0, 0, 0, 1, 3, 18, 0x1b, 0xff },
        { 0x46, 0, 0, 1, 1, 2, 18, 0x1b, 0xff }, { 0x46, 1, 0, 0, 1, 2, 18, 0x1b, 0xff },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        program_dma2(0x46, 0x10000, 512);
        fd_cmd(cases[i], 9);
        cr_assert_eq(fd_result(res), 7, "case %zu", i);
        cr_assert_eq(res[0] & 0xc0, 0x40, "case %zu abnormal", i);
    }
    /* reading the FIFO while idle and writing during the result phase are harmless */
    cr_assert_eq(inb(FD + 5), 0xff);
    uint8_t ver = 0x10;
    fd_cmd(&ver, 1);
    outb(FD + 5, 0x06);
    cr_assert_eq(fd_result(res), 1);
    cr_assert_eq(res[0], 0x90);
}
