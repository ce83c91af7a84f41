/* test-i440fx.c: config mechanism #1, PAM shadowing, SMRAM, PIIX PIRQ routing and 0xcf9. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/pci/i440fx.h"
#include "hw/pci/piix.h"

static I440FXState *host;
static PIIXState *piix;
static MemoryRegion pci_view, bios_rom, vga_win;

static uint64_t vga_read(void *o, uint64_t off, unsigned size) { return 0x56; }
static void vga_write(void *o, uint64_t off, uint64_t v, unsigned size) { }
static const MemoryRegionOps vga_ops = { .read = vga_read, .write = vga_write };

static void setup(void)
{
    hwt_board_init(2 * MiB);
    memory_region_init_container(&pci_view, "pci-view", 1 * MiB);
    memory_region_init_rom(&bios_rom, "isa-bios", 128 * KiB);
    memset(bios_rom.host, 0xab, 128 * KiB);
    memory_region_add_subregion(&pci_view, 0xe0000, &bios_rom);
    memory_region_init_io(&vga_win, "vga-lowmem", &vga_ops, NULL, 128 * KiB);
    memory_region_add_subregion_overlap(&hwt_mem, 0xa0000, &vga_win, 1);
    host = i440fx_create(&hwt_ram, &pci_view, NULL);
    cr_assert_not_null(host);
    piix = piix_create(host->bus, "piix3", NULL);
    cr_assert_not_null(piix);
}

TestSuite(i440fx, .init = setup);

static uint32_t cfg_read(int devfn, int reg, unsigned size)
{
    outl(0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc));
    switch (size) {
    case 1: return inb(0xcfc + (reg & 3));
    case 2: return inw(0xcfc + (reg & 2));
    default: return inl(0xcfc);
    }
}

static void cfg_write(int devfn, int reg, uint32_t v, unsigned size)
{
    outl(0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc));
    switch (size) {
    case 1: outb(0xcfc + (reg & 3), v); break;
    case 2: outw(0xcfc + (reg & 2), v); break;
    default: outl(0xcfc, v); break;
    }
}

static uint8_t mem8(uint64_t a) { return address_space_ld(&hwt_mem_as, a, 1, NULL); }
static void mem8_write(uint64_t a, uint8_t v) { address_space_st(&hwt_mem_as, a, v, 1); }

Test(i440fx, config_mechanism_1)
{
    cr_assert_eq(cfg_read(0, 0, 4), 0x12378086);
    cr_assert_eq(cfg_read(0, 2, 2), 0x1237);
    cr_assert_eq(cfg_read(0, 0x0b, 1), 0x06, "host bridge class");
    cr_assert_eq(inl(0xcf8), 0x80000008u);
    cr_assert_eq(cfg_read(PCI_DEVFN(1, 0), 0, 4), 0x70008086);
    cr_assert_eq(cfg_read(PCI_DEVFN(1, 0), 0x0e, 1), 0x80, "PIIX3 is multi-function");
    cr_assert_eq(cfg_read(PCI_DEVFN(1, 0), 0x0a, 2), 0x0601, "ISA bridge");
    cr_assert_eq(cfg_read(PCI_DEVFN(7, 0), 0, 4), 0xffffffff, "empty slot");
    outl(0xcf8, 0x00000000);     /* enable bit clear: no config cycle */
    cr_assert_eq(inl(0xcfc), 0xffffffff);
    outl(0xcf8, 0x80010000);     /* bus 1 does not exist */
    cr_assert_eq(inl(0xcfc), 0xffffffff);
    /* A byte write to 0xcf8 does not change CONFIG_ADDRESS. */
    outl(0xcf8, 0x80000000);
    outb(0xcf8, 0x12);
    cr_assert_eq(inl(0xcf8), 0x80000000);
}

Test(i440fx, pam_shadowing)
{
    cr_assert_eq(mem8(0xf0010), 0xab, "power-on: BIOS ROM visible");
    mem8_write(0xf0010, 0x11);
    cr_assert_eq(mem8(0xf0010), 0xab, "ROM ignores writes");
    cfg_write(0, I440FX_PAM0, 0x30, 1);             /* F0000: read/write DRAM */
    cr_assert_eq(mem8(0xf0010), 0x00);
    mem8_write(0xf0010, 0x11);
    cr_assert_eq(mem8(0xf0010), 0x11);
    cfg_write(0, I440FX_PAM0, 0x10, 1);             /* read-only DRAM */
    mem8_write(0xf0010, 0x22);
    cr_assert_eq(mem8(0xf0010), 0x11, "write-protected shadow");
    cfg_write(0, I440FX_PAM0, 0x20, 1);             /* write-only: read PCI, write DRAM */
    cr_assert_eq(mem8(0xf0010), 0xab);
    mem8_write(0xf0010, 0x33);
    cr_assert_eq(hwt_ram.host[0xf0010], 0x33);
    cfg_write(0, I440FX_PAM0, 0x00, 1);
    cr_assert_eq(mem8(0xf0010), 0xab);
    cr_assert_eq(cfg_read(0, I440FX_PAM0, 1), 0x00);
    /* PAM5 (0x5e) low nibble is E0000-E3FFF, high nibble E4000-E7FFF. */
    cfg_write(0, I440FX_PAM0 + 5, 0x03, 1);
    mem8_write(0xe0000, 0x44);
    mem8_write(0xe4000, 0x44);
    cr_assert_eq(mem8(0xe0000), 0x44);
    cr_assert_eq(mem8(0xe4000), 0xab);
    /* A dword write covers PAM3-PAM6 at once. */
    cfg_write(0, 0x5c, 0x33333333, 4);
    cr_assert_eq(mem8(0xe4000), 0x00);
    cr_assert_eq(mem8(0xec000), 0x00);
    host->pci.dev.cls->reset(&host->pci.dev);
    cr_assert_eq(mem8(0xe0000), 0xab, "reset re-exposes the ROM");
}

Test(i440fx, smram)
{
    cr_assert_eq(cfg_read(0, I440FX_SMRAM, 1), 0x02);
    hwt_ram.host[0xa0000] = 0x99;
    cr_assert_eq(mem8(0xa0000), 0x56, "VGA window");
    cfg_write(0, I440FX_SMRAM, SMRAM_D_OPEN | SMRAM_G_SMRAME, 1);
    cr_assert_eq(mem8(0xa0000), 0x99, "D_OPEN: DRAM");
    cfg_write(0, I440FX_SMRAM, SMRAM_G_SMRAME, 1);
    cr_assert_eq(mem8(0xa0000), 0x56);
    cfg_write(0, I440FX_SMRAM, SMRAM_G_SMRAME | SMRAM_D_LCK | SMRAM_D_OPEN, 1);
    cr_assert_eq(cfg_read(0, I440FX_SMRAM, 1), 0x1a, "locking clears D_OPEN");
    cfg_write(0, I440FX_SMRAM, SMRAM_D_OPEN | SMRAM_G_SMRAME, 1);
    cr_assert_eq(cfg_read(0, I440FX_SMRAM, 1), 0x1a, "locked");
    cr_assert_eq(mem8(0xa0000), 0x56);
}

Test(i440fx, reset_control_register)
{
    outb(0xcf9, 0x02);
    cr_assert_eq(hwt_resets, 0, "SRST alone does not reset");
    outb(0xcf9, 0x06);
    cr_assert_eq(hwt_resets, 1);
}

typedef struct TDev { PCIDevice pci; MemoryRegion bar; } TDev;

static uint64_t tbar_read(void *o, uint64_t off, unsigned size) { return 0x5a; }
static void tbar_write(void *o, uint64_t off, uint64_t v, unsigned size) { }
static const MemoryRegionOps tbar_ops = { .read = tbar_read, .write = tbar_write };

Test(i440fx, pirq_routing_and_bars)
{
    TDev *t = xzalloc(sizeof(*t));
    PCIDeviceInfo info = { .vendor_id = 0x1af4, .device_id = 1, .interrupt_pin = 1 };
    cr_assert(pci_device_realize(&t->pci, "t", &info, PCI_DEVFN(3, 0), NULL));
    memory_region_init_io(&t->bar, "t-bar", &tbar_ops, t, 256);
    pci_register_bar(&t->pci, 0, PCI_BAR_MEM32, &t->bar);
    int devfn = PCI_DEVFN(3, 0);

    /* Slot 3 INTA# -> PIRQD (0x63). Routing disabled at power-on. */
    pci_set_irq(&t->pci, 1);
    for (int i = 0; i < 16; i++)
        cr_assert_eq(hwt_line[i], 0);
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC + 3, 11, 1);
    cr_assert_eq(hwt_line[11], 1);
    pci_set_irq(&t->pci, 0);
    cr_assert_eq(hwt_line[11], 0);
    pci_set_irq(&t->pci, 1);
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC + 3, 0x80 | 11, 1);
    cr_assert_eq(hwt_line[11], 0, "disabling the route releases the IRQ");
    cfg_write(PCI_DEVFN(1, 0), PIIX_PIRQRC + 3, 2, 1);
    cr_assert_eq(hwt_line[2], 0, "IRQ2 is not routable");
    cfg_write(PCI_DEVFN(1, 0), 0x60, 0x0a0a0a0a, 4);
    cr_assert_eq(hwt_line[10], 1);

    /* BAR programmed through the config ports appears in the memory map. */
    cfg_write(devfn, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    cr_assert_eq(cfg_read(devfn, PCI_BASE_ADDRESS_0, 4), 0xffffff00);
    cfg_write(devfn, PCI_BASE_ADDRESS_0, 0xfebff000, 4);
    cfg_write(devfn, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    cr_assert_eq(mem8(0xfebff010), 0x5a);
    cfg_write(devfn, PCI_BASE_ADDRESS_0, 0xfebfe000, 4);
    cr_assert_eq(mem8(0xfebff010), 0xff);
    cr_assert_eq(mem8(0xfebfe010), 0x5a);
}

Test(i440fx, fuzz_config_ports)
{
    for (unsigned seed = 1; seed < 60; seed++) {
        outl(0xcf8, 0x80000000u | ((seed * 0x9e3779b9u) & 0xfffc));
        hwt_fuzz_ports(0xcfc, 0xd00, 200, seed);
    }
    /* Whatever happened, the host bridge still answers (the fuzz may not reset the machine
     * twice in a way that breaks the bus). */
    cr_assert_eq(cfg_read(0, 0, 4), 0x12378086);
}

Test(i440fx, qemu_subsystem_ids)
{
    /* SeaBIOS's qemu_detect: 00.0 must carry subsystem 1af4:1100 for it to use fw_cfg. */
    cr_assert_eq(cfg_read(0, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
    cr_assert_eq(cfg_read(0, PCI_SUBSYSTEM_ID, 2), 0x1100);
    cr_assert_eq(cfg_read(PCI_DEVFN(1, 0), PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
}
