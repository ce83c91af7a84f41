/* test-atapi.c: the ATAPI CD-ROM: signature, IDENTIFY PACKET DEVICE, the PACKET protocol with
 * byte-count-limited DRQ blocks, READ(10)/(12), READ TOC formats, sense data, media change and
 * eject with lock, GET CONFIGURATION/EVENT STATUS, MODE SENSE, and DMA reads. */
#include <criterion/criterion.h>
#include "hw/core/device.h"
#include "hw/ide/ide.h"
#include "tests/unit/test-ide-board.h"

#define CMD 0x170
#define CTL 0x376
#define BM  0xc008

static IDEBus *bus;
static MemDisk *cd;

static void setup(void)
{
    test_board_init();
    Error *err = NULL;
    Device *d = device_create("isa-ide", "iobase=0x170,iobase2=0x376,irq=15", &err);
    cr_assert_not_null(d);
    bus = isa_ide_get_bus(d);
    cd = memdisk_new(1 * MiB, 1 * MiB);          /* 512 CD sectors */
    cd->bd.removable = true;
    cd->bd.read_only = true;
    cr_assert(ide_attach_drive(bus, 0, &cd->bd, IDE_CD, &err));
}

TestSuite(atapi, .init = setup);

static uint8_t reply[256 * KiB];

/* Send a packet; read the data in whatever DRQ blocks the drive offers. Returns the byte
 * count, or -1 with the sense key in *key on CHECK CONDITION. */
static int packet(const uint8_t cdb[12], uint16_t limit, int *blocks, int *key)
{
    outb(CMD + 6, 0xa0);
    outb(CMD + 1, 0);
    outb(CMD + 4, limit);
    outb(CMD + 5, limit >> 8);
    outb(CMD + 7, 0xa0);
    cr_assert_eq(inb(CTL) & 0x89, 0x08, "ready for the packet");
    cr_assert_eq(inb(CMD + 2) & 3, 1, "CoD=1 IO=0");
    for (int i = 0; i < 6; i++)
        outw(CMD, cdb[2 * i] | cdb[2 * i + 1] << 8);
    int n = 0, b = 0;
    for (;;) {
        cr_assert_eq(irq_level[15], 1, "interrupt for each phase");
        uint8_t st = inb(CMD + 7);
        if (!(st & 0x08)) {
            cr_assert_eq(inb(CMD + 2) & 3, 3, "status phase: CoD=1 IO=1");
            if (blocks)
                *blocks = b;
            if (st & 0x01) {
                if (key)
                    *key = inb(CMD + 1) >> 4;
                return -1;
            }
            return n;
        }
        cr_assert_eq(inb(CMD + 2) & 3, 2, "data phase: IO=1");
        unsigned cnt = inb(CMD + 4) | inb(CMD + 5) << 8;
        cr_assert(cnt > 0 && cnt <= (limit & ~1u));
        for (unsigned i = 0; i < cnt; i += 2) {
            uint16_t w = inw(CMD);
            reply[n++] = w;
            reply[n++] = w >> 8;
        }
        b++;
        cr_assert(b < 1000);
    }
}

static void request_sense(uint8_t *key, uint8_t *asc)
{
    uint8_t cdb[12] = { 0x03, 0, 0, 0, 18 };
    cr_assert_eq(packet(cdb, 0xfffe, NULL, NULL), 18);
    *key = reply[2] & 0xf;
    *asc = reply[12];
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

Test(atapi, signature_and_identify_packet)
{
    cr_assert_eq(inb(CMD + 4), 0x14);
    cr_assert_eq(inb(CMD + 5), 0xeb);
    outb(CMD + 6, 0xa0);
    outb(CMD + 7, 0xec);                        /* IDENTIFY DEVICE: aborted */
    cr_assert_eq(inb(CMD + 7) & 0x01, 1);
    cr_assert_eq(inb(CMD + 1), 0x04);
    cr_assert_eq(inb(CMD + 5), 0xeb, "signature shown after the abort");
    outb(CMD + 7, 0xa1);
    uint16_t w[256];
    for (int i = 0; i < 256; i++)
        w[i] = inw(CMD);
    cr_assert_eq(w[0], 0x85c0);
    cr_assert(w[49] & (1 << 9));
    cr_assert_eq(w[27], ('V' << 8) | 'I');
}

Test(atapi, inquiry_and_capacity)
{
    uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
    cr_assert_eq(packet(inq, 0xfffe, NULL, NULL), 36);
    cr_assert_eq(reply[0], 0x05);
    cr_assert_eq(reply[1], 0x80);
    cr_assert_eq(memcmp(reply + 8, "VIREO   ", 8), 0);
    uint8_t tur[12] = { 0x00 };
    cr_assert_eq(packet(tur, 0xfffe, NULL, NULL), 0);
    uint8_t cap[12] = { 0x25 };
    cr_assert_eq(packet(cap, 0xfffe, NULL, NULL), 8);
    cr_assert_eq(be32(reply), 511);
    cr_assert_eq(be32(reply + 4), 2048);
}

Test(atapi, read10_in_byte_count_limited_blocks)
{
    uint8_t cdb[12] = { 0x28, 0, 0, 0, 0, 3, 0, 0, 2 };   /* LBA 3, 2 sectors */
    int blocks;
    cr_assert_eq(packet(cdb, 1000, &blocks, NULL), 4096);
    cr_assert_eq(blocks, 5, "1000-byte limit rounds down to even: 4 x 1000 + 96");
    for (int i = 0; i < 4096; i += 97)
        cr_assert_eq(reply[i], expected_byte(3 * 2048 + i), "byte %d", i);
    /* READ(12), 100 sectors: more than one internal batch */
    uint8_t cdb12[12] = { 0xa8, 0, 0, 0, 0, 10, 0, 0, 0, 100 };
    cr_assert_eq(packet(cdb12, 0xfffe, &blocks, NULL), 100 * 2048);
    cr_assert_eq(reply[99 * 2048 + 7], expected_byte(109 * 2048 + 7));
}

Test(atapi, read_beyond_the_disc_and_bad_opcode)
{
    uint8_t cdb[12] = { 0x28, 0, 0, 0, 0x01, 0xff, 0, 0, 2 };   /* LBA 511 + 2 */
    int key;
    cr_assert_eq(packet(cdb, 0xfffe, NULL, &key), -1);
    cr_assert_eq(key, 5);
    uint8_t k, asc;
    request_sense(&k, &asc);
    cr_assert_eq(k, 5);
    cr_assert_eq(asc, 0x21, "LBA out of range");
    request_sense(&k, &asc);
    cr_assert_eq(k, 0, "sense data is consumed");
    uint8_t bogus[12] = { 0xee };
    cr_assert_eq(packet(bogus, 0xfffe, NULL, &key), -1);
    request_sense(&k, &asc);
    cr_assert_eq(asc, 0x20);
}

Test(atapi, read_toc_formats)
{
    uint8_t f0[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x24 };
    cr_assert_eq(packet(f0, 0xfffe, NULL, NULL), 20);
    cr_assert_eq(reply[0] << 8 | reply[1], 18);
    cr_assert_eq(reply[2], 1);
    cr_assert_eq(reply[3], 1);
    cr_assert_eq(reply[6], 1, "track 1");
    cr_assert_eq(be32(reply + 8), 0);
    cr_assert_eq(reply[14], 0xaa, "lead-out");
    cr_assert_eq(be32(reply + 16), 512);
    uint8_t f0msf[12] = { 0x43, 2, 0, 0, 0, 0, 0, 0x03, 0x24 };
    cr_assert_eq(packet(f0msf, 0xfffe, NULL, NULL), 20);
    cr_assert_eq(reply[9], 0);
    cr_assert_eq(reply[10], 2, "track 1 at 00:02:00");
    cr_assert_eq(reply[11], 0);
    /* lead-out: 512 + 150 frames = 00:08:62 */
    cr_assert_eq(reply[17], 0);
    cr_assert_eq(reply[18], 8);
    cr_assert_eq(reply[19], 62);
    uint8_t f1[12] = { 0x43, 0, 1, 0, 0, 0, 0, 0, 12 };
    cr_assert_eq(packet(f1, 0xfffe, NULL, NULL), 12);
    cr_assert_eq(reply[1], 10);
    cr_assert_eq(reply[6], 1);
    uint8_t f2[12] = { 0x43, 2, 2, 0, 0, 0, 0, 0x03, 0x24 };
    cr_assert_eq(packet(f2, 0xfffe, NULL, NULL), 4 + 4 * 11);
    cr_assert_eq(reply[4 + 3], 0xa0);
    cr_assert_eq(reply[4 + 22 + 3], 0xa2);
    cr_assert_eq(reply[4 + 22 + 9], 8, "lead-out seconds");
    uint8_t bad[12] = { 0x43, 0, 0, 0, 0, 0, 5, 0, 0x24 };
    int key;
    cr_assert_eq(packet(bad, 0xfffe, NULL, &key), -1, "no track 5");
    cr_assert_eq(key, 5);
    /* allocation length cuts the reply */
    uint8_t cut[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 4 };
    cr_assert_eq(packet(cut, 0xfffe, NULL, NULL), 4);
}

Test(atapi, eject_lock_and_media_change)
{
    uint8_t lock[12] = { 0x1e, 0, 0, 0, 1 };
    uint8_t unlock[12] = { 0x1e, 0, 0, 0, 0 };
    uint8_t eject[12] = { 0x1b, 0, 0, 0, 2 };
    uint8_t tur[12] = { 0x00 };
    uint8_t gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    int key;
    uint8_t k, asc;
    cr_assert_eq(packet(lock, 0xfffe, NULL, NULL), 0);
    cr_assert_eq(packet(eject, 0xfffe, NULL, &key), -1, "locked");
    request_sense(&k, &asc);
    cr_assert_eq(asc, 0x53);
    Error *err = NULL;
    cr_assert_not(ide_cd_change_medium(bus, 0, NULL, &err), "the monitor cannot eject either");
    cr_assert_eq(packet(unlock, 0xfffe, NULL, NULL), 0);
    cr_assert_eq(packet(eject, 0xfffe, NULL, NULL), 0);
    cr_assert_eq(packet(tur, 0xfffe, NULL, &key), -1);
    cr_assert_eq(key, 2);
    request_sense(&k, &asc);
    cr_assert_eq(asc, 0x3a, "medium not present");
    cr_assert_eq(packet(gesn, 0xfffe, NULL, NULL), 8);
    cr_assert_eq(reply[2], 4);
    cr_assert_eq(reply[4], 1, "eject request");
    cr_assert_eq(reply[5], 1, "door open, no medium");

    MemDisk *cd2 = memdisk_new(64 * KiB, 64 * KiB);
    cr_assert(ide_cd_change_medium(bus, 0, &cd2->bd, &err));
    cr_assert_eq(packet(gesn, 0xfffe, NULL, NULL), 8, "GESN ignores the unit attention");
    cr_assert_eq(reply[4], 2, "new media");
    cr_assert_eq(reply[5], 2, "medium present");
    cr_assert_eq(packet(tur, 0xfffe, NULL, &key), -1);
    cr_assert_eq(key, 6, "unit attention once");
    cr_assert_eq(packet(tur, 0xfffe, NULL, NULL), 0);
    uint8_t cap[12] = { 0x25 };
    cr_assert_eq(packet(cap, 0xfffe, NULL, NULL), 8);
    cr_assert_eq(be32(reply), 31);
    /* the backend reporting a change itself */
    cd2->bd.change_cb(cd2->bd.change_opaque, true);
    cr_assert_eq(packet(tur, 0xfffe, NULL, &key), -1);
    cr_assert_eq(key, 6);
}

Test(atapi, configuration_mode_sense_disc_info)
{
    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 64 };
    int n = packet(gc, 0xfffe, NULL, NULL);
    cr_assert_gt(n, 8);
    cr_assert_eq(reply[6] << 8 | reply[7], 0x0008, "current profile CD-ROM");
    cr_assert_eq(be32(reply), (uint32_t)n - 4);
    uint8_t gc1[12] = { 0x46, 2, 0, 1, 0, 0, 0, 0, 64 };   /* only the core feature */
    cr_assert_eq(packet(gc1, 0xfffe, NULL, NULL), 20);
    cr_assert_eq(reply[9], 1);
    cr_assert_eq(be32(reply + 12), 2, "ATAPI interface");
    uint8_t ms[12] = { 0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 64 };
    cr_assert_eq(packet(ms, 0xfffe, NULL, NULL), 8 + 22);
    cr_assert_eq(reply[8], 0x2a);
    cr_assert_eq(reply[8 + 6] & 0x08, 0x08, "eject supported");
    uint8_t saved[12] = { 0x5a, 0, 0xea, 0, 0, 0, 0, 0, 64 };
    int key;
    cr_assert_eq(packet(saved, 0xfffe, NULL, &key), -1);
    uint8_t di[12] = { 0x51, 0, 0, 0, 0, 0, 0, 0, 34 };
    cr_assert_eq(packet(di, 0xfffe, NULL, NULL), 34);
    cr_assert_eq(reply[2] & 3, 2, "complete disc");
}

static void put_prd(uint32_t at, uint32_t addr, uint32_t len, bool eot)
{
    uint8_t prd[8] = { addr, addr >> 8, addr >> 16, addr >> 24, len, len >> 8, 0, eot ? 0x80 : 0 };
    memcpy(ram.host + at, prd, 8);
}

Test(atapi, dma_read10)
{
    memory_region_add_subregion(&sysio, BM, ide_bus_add_bmdma(bus, &mem_as));
    put_prd(0x1000, 0x10000, 0, true);          /* 64 KiB */
    outl(BM + 4, 0x1000);
    outb(CMD + 6, 0xa0);
    outb(CMD + 1, 0x01);                        /* DMA */
    outb(CMD + 7, 0xa0);
    uint8_t cdb[12] = { 0x28, 0, 0, 0, 0, 5, 0, 0, 4 };
    for (int i = 0; i < 6; i++)
        outw(CMD, cdb[2 * i] | cdb[2 * i + 1] << 8);
    cr_assert_eq(irq_level[15], 0, "waits for the bus master");
    outb(BM, 0x09);
    cr_assert_eq(irq_level[15], 1);
    cr_assert_eq(inb(CMD + 7), 0x40);
    cr_assert_eq(inb(BM + 2) & 7, 5, "table longer than the transfer: still active");
    cr_assert_eq(ram.host[0x10000 + 4 * 2048 - 1], expected_byte(5 * 2048 + 4 * 2048 - 1));
}
