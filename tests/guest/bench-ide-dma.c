/*
 * bench-ide-dma.c: the `make bench` guest for disk throughput through PIIX IDE bus-master
 * DMA (tests/bench/ide-dma.sh); not one of the guest tests. It programs the primary
 * channel's bus-master engine itself (Intel 82371AB datasheet, "Bus Master IDE" registers)
 * and the ATA disk with READ/WRITE DMA EXT (ATA8-ACS), 128 KiB per command through a
 * two-entry PRD table, polling the bus-master status with the CPU's interrupts off. The disk's sector N begins with
 * N as a 32-bit little-endian number: reads check it, writes put back the same contents.
 * COM1 lines for the host to time: BENCH-READ-START, BENCH-READ-DONE, BENCH-WRITE-START,
 * BENCH-WRITE-DONE (the host stamps them as they arrive).
 */
#include "guest.h"

#define ATA_BASE 0x1f0
#define ATA_CTRL 0x3f6
#define ATA_SR_BSY 0x80
#define ATA_SR_DRQ 0x08
#define ATA_SR_ERR 0x01
#define BM_CMD 0
#define BM_STATUS 2
#define BM_PRDT 4
#define BM_CMD_START 0x01
#define BM_CMD_TO_MEMORY 0x08
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR 0x02
#define BM_ST_IRQ 0x04

#define SECTORS_PER_CMD 256                /* 128 KiB */
#define PRD_TABLE 0x300000u
#define BUFFER 0x400000u
#define READ_MIB 4096
#define WRITE_MIB 2048

static uint32_t pci_read(uint8_t dev, uint8_t fn, uint8_t reg)
{
    outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | reg);
    return inl(0xcfc);
}

static void pci_write(uint8_t dev, uint8_t fn, uint8_t reg, uint32_t v)
{
    outl(0xcf8, 0x80000000u | dev << 11 | fn << 8 | reg);
    outl(0xcfc, v);
}

static uint16_t bm;                        /* bus-master I/O base (BAR4) */

/* One DMA command of SECTORS_PER_CMD sectors at lba; false on a device error. */
static bool ata_dma(uint32_t lba, bool write)
{
    outb(bm + BM_CMD, 0);
    outb(bm + BM_STATUS, BM_ST_ERROR | BM_ST_IRQ);       /* write 1 to clear */
    outl(bm + BM_PRDT, PRD_TABLE);
    outb(bm + BM_CMD, write ? 0 : BM_CMD_TO_MEMORY);
    outb(ATA_BASE + 6, 0x40);                            /* device 0, LBA */
    outb(ATA_BASE + 2, SECTORS_PER_CMD >> 8);            /* LBA48: high bytes first */
    outb(ATA_BASE + 3, lba >> 24);
    outb(ATA_BASE + 4, 0);
    outb(ATA_BASE + 5, 0);
    outb(ATA_BASE + 2, SECTORS_PER_CMD & 0xff);
    outb(ATA_BASE + 3, lba);
    outb(ATA_BASE + 4, lba >> 8);
    outb(ATA_BASE + 5, lba >> 16);
    outb(ATA_BASE + 7, write ? 0x35 : 0x25);             /* WRITE/READ DMA EXT */
    outb(bm + BM_CMD, (write ? 0 : BM_CMD_TO_MEMORY) | BM_CMD_START);
    /* Done when the drive raises INTRQ (seen in the bus-master status, with the CPU's
     * interrupts off) and is no longer busy. */
    uint8_t st, bms;
    while (!((bms = inb(bm + BM_STATUS)) & (BM_ST_IRQ | BM_ST_ERROR)))
        ;
    while ((st = inb(ATA_BASE + 7)) & ATA_SR_BSY)
        ;
    outb(bm + BM_CMD, 0);
    if ((st & (ATA_SR_ERR | ATA_SR_DRQ)) || (bms & (BM_ST_ERROR | BM_ST_ACTIVE))) {
        printf("BENCH-ERROR %s lba %u: ATA status 0x%02x, bus-master status 0x%02x\n",
               write ? "write" : "read", (unsigned)lba, st, bms);
        return false;
    }
    return true;
}

int guest_main(void)
{
    /* The PIIX IDE function is 00:01.1; give BAR4 an address if the firmware did not. */
    if ((pci_read(1, 1, 0) & 0xffff) != 0x8086) {
        printf("BENCH-ERROR no Intel IDE function at 00:01.1\n");
        return 1;
    }
    uint32_t bar4 = pci_read(1, 1, 0x20) & ~3u;
    if (!bar4) {
        bar4 = 0xc000;
        pci_write(1, 1, 0x20, bar4 | 1);
    }
    bm = bar4;
    pci_write(1, 1, 0x04, pci_read(1, 1, 0x04) | 0x05); /* I/O space, bus master */
    outb(ATA_CTRL, 0x00);                                /* INTRQ on (nIEN clear) */

    /* Disk size from IDENTIFY DEVICE (words 100-103: LBA48 sectors). */
    outb(ATA_BASE + 6, 0xa0);
    outb(ATA_BASE + 7, 0xec);
    while (inb(ATA_BASE + 7) & ATA_SR_BSY)
        ;
    if (!(inb(ATA_BASE + 7) & ATA_SR_DRQ)) {
        printf("BENCH-ERROR no ATA disk on the primary channel\n");
        return 1;
    }
    uint16_t id[256];
    for (int i = 0; i < 256; i++)
        id[i] = inw(ATA_BASE);
    uint32_t sectors = id[100] | (uint32_t)id[101] << 16;
    uint32_t cmds = sectors / SECTORS_PER_CMD;
    if (!cmds) {
        printf("BENCH-ERROR disk of %u sectors is too small\n", (unsigned)sectors);
        return 1;
    }
    uint32_t prd[4] = { BUFFER, 0, BUFFER + 0x10000, 0x80000000u };   /* 2 x 64 KiB, EOT */
    memcpy((void *)PRD_TABLE, prd, sizeof prd);
    printf("BENCH-DISK %u MiB\n", (unsigned)(sectors / 2048));

    volatile uint32_t *buf = (volatile uint32_t *)BUFFER;
    printf("BENCH-READ-START\n");
    for (uint32_t i = 0; i < READ_MIB * 2048u / SECTORS_PER_CMD; i++) {
        uint32_t lba = (i % cmds) * SECTORS_PER_CMD;
        buf[0] = buf[(SECTORS_PER_CMD - 1) * 128] = 0xffffffff;
        if (!ata_dma(lba, false))
            return 1;
        if (buf[0] != lba || buf[(SECTORS_PER_CMD - 1) * 128] != lba + SECTORS_PER_CMD - 1) {
            printf("BENCH-ERROR read lba %u: data 0x%x 0x%x\n", (unsigned)lba, (unsigned)buf[0],
                   (unsigned)buf[(SECTORS_PER_CMD - 1) * 128]);
            return 1;
        }
    }
    printf("BENCH-READ-DONE %u MiB\n", READ_MIB);

    printf("BENCH-WRITE-START\n");
    for (uint32_t i = 0; i < WRITE_MIB * 2048u / SECTORS_PER_CMD; i++) {
        uint32_t lba = (i % cmds) * SECTORS_PER_CMD;
        for (uint32_t s = 0; s < SECTORS_PER_CMD; s++)
            buf[s * 128] = lba + s;            /* the rest of each sector is zero already */
        if (!ata_dma(lba, true))
            return 1;
    }
    printf("BENCH-WRITE-DONE %u MiB\n", WRITE_MIB);
    return 0;
}
