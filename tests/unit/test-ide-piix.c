/* test-ide-piix.c: the PIIX3 IDE PCI function: header, legacy channels, BAR4 bus master
 * gated by the command register's bus-master bit. */
#include <criterion/criterion.h>
#include "hw/core/device.h"
#include "hw/pci/pci.h"
#include "hw/ide/ide.h"
#include "tests/unit/test-ide-board.h"

static PCIBus *pbus;
static Device *piix;
static MemDisk *disk;
#define DEVFN PCI_DEVFN(1, 1)

static void setup(void)
{
    test_board_init();
    pbus = pci_bus_new("pci.0", &sysmem, &sysio);
    Error *err = NULL;
    piix = device_create("piix3-ide", "addr=1.1", &err);
    cr_assert_not_null(piix, "%s", err ? err->msg : "");
    disk = memdisk_new(1 * MiB, 1 * MiB);
    cr_assert(ide_attach_drive(piix_ide_get_bus(piix, 0), 0, &disk->bd, IDE_HD, &err));
    MemDisk *cd = memdisk_new(64 * KiB, 64 * KiB);
    cr_assert(ide_attach_drive(piix_ide_get_bus(piix, 1), 0, &cd->bd, IDE_CD, &err));
}

TestSuite(piix_ide, .init = setup);

Test(piix_ide, header_and_legacy_ports)
{
    cr_assert_eq(pci_config_read(pbus, DEVFN, 0, 4), 0x70108086);
    cr_assert_eq(pci_config_read(pbus, DEVFN, 0x09, 1), 0x80);
    cr_assert_eq(pci_config_read(pbus, DEVFN, 0x0a, 2), 0x0101);
    pci_config_write(pbus, DEVFN, 0x20, 0xffffffff, 4);
    cr_assert_eq(pci_config_read(pbus, DEVFN, 0x20, 4), 0xfffffff1, "16-byte I/O BAR");
    pci_config_write(pbus, DEVFN, 0x40, 0x80008000, 4);   /* what SeaBIOS writes */
    cr_assert_eq(pci_config_read(pbus, DEVFN, 0x40, 4), 0x80008000);
    cr_assert_eq(inb(0x1f7), 0x50, "disk on the primary");
    cr_assert_eq(inb(0x175), 0xeb, "ATAPI signature on the secondary");
    outb(0x177, 0xec);
    cr_assert_eq(irq_level[15], 1);
}

static void put_prd(uint32_t at, uint32_t addr, uint32_t len, bool eot)
{
    uint8_t prd[8] = { addr, addr >> 8, addr >> 16, addr >> 24, len, len >> 8, 0, eot ? 0x80 : 0 };
    memcpy(ram.host + at, prd, 8);
}

static void read_dma(void)
{
    put_prd(0x1000, 0x8000, 1024, true);
    outl(0xc004, 0x1000);
    outb(0x1f6, 0xe0);
    outb(0x1f2, 2);
    outb(0x1f3, 9);
    outb(0x1f4, 0);
    outb(0x1f5, 0);
    outb(0x1f7, 0xc8);
    outb(0xc000, 0x09);
}

Test(piix_ide, bus_master_dma_through_bar4)
{
    pci_config_write(pbus, DEVFN, 0x20, 0xc001, 4);
    pci_config_write(pbus, DEVFN, PCI_COMMAND, PCI_COMMAND_IO, 2);
    read_dma();
    cr_assert_eq(inb(0xc002) & 7, 6, "master disabled: error");
    cr_assert_eq(ram.host[0x8000], 0);
    outb(0xc000, 0);
    outb(0xc002, 6);
    pci_config_write(pbus, DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    read_dma();
    cr_assert_eq(inb(0xc002) & 7, 4);
    cr_assert_eq(inb(0x1f7), 0x50);
    cr_assert_eq(ram.host[0x8000 + 1000], expected_byte(9 * 512 + 1000));
    /* the secondary's engine is at BAR4 + 8 */
    outl(0xc00c, 0x12345678);
    cr_assert_eq(inl(0xc00c), 0x12345678 & ~3u);
    cr_assert_eq(inl(0xc004), 0x1000);
}
