/* test-pci.c: PCI configuration space, BAR sizing and mapping, INTx routing. */
#include <criterion/criterion.h>
#include "hw/core/board.h"
#include "hw/pci/pci.h"

static MemoryRegion t_mem, t_io;
static AddressSpace t_mem_as, t_io_as;

typedef struct TDev {
    PCIDevice pci;
    MemoryRegion mmio, mmio64, pio, rom;
    uint64_t last_write_off, last_write_val;
} TDev;

static uint64_t tdev_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque;
    return 0xa0 + off;
}

static void tdev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    TDev *t = opaque;
    t->last_write_off = off;
    t->last_write_val = val;
}

static const MemoryRegionOps tdev_ops = { .read = tdev_read, .write = tdev_write, .min_size = 1, .max_size = 4 };

static PCIBus *setup_bus(void)
{
    memory_region_init_container(&t_mem, "mem", UINT64_MAX);
    memory_region_init_container(&t_io, "io", 0x10000);
    address_space_init(&t_mem_as, &t_mem, "mem");
    address_space_init(&t_io_as, &t_io, "io");
    board.memory_as = &t_mem_as;
    board.io_as = &t_io_as;
    return pci_bus_new("pci.0", &t_mem, &t_io);
}

static TDev *make_tdev(PCIBus *bus, int devfn)
{
    TDev *t = xzalloc(sizeof(*t));
    static const PCIDeviceInfo info = {
        .vendor_id = 0x1234, .device_id = 0x5678, .revision = 2, .class_code = 0x020000,
        .interrupt_pin = 1,
    };
    cr_assert(pci_device_realize_on(bus, &t->pci, "tdev", &info, devfn, NULL));
    memory_region_init_io(&t->mmio, "tdev-mmio", &tdev_ops, t, 4096);
    memory_region_init_io(&t->pio, "tdev-io", &tdev_ops, t, 32);
    memory_region_init_rom(&t->rom, "tdev-rom", 3000);
    pci_register_bar(&t->pci, 0, PCI_BAR_MEM32, &t->mmio);
    pci_register_bar(&t->pci, 1, PCI_BAR_IO, &t->pio);
    memory_region_init_io(&t->mmio64, "tdev-mmio64", &tdev_ops, t, 4096);
    pci_register_bar(&t->pci, 2, PCI_BAR_MEM64_PREFETCH, &t->mmio64);
    pci_register_bar(&t->pci, PCI_ROM_SLOT, 0, &t->rom);
    return t;
}

Test(pci, header_and_empty_slots)
{
    PCIBus *bus = setup_bus();
    make_tdev(bus, PCI_DEVFN(3, 0));
    int devfn = PCI_DEVFN(3, 0);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_VENDOR_ID, 4), 0x56781234);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_CLASS_PROG - 1, 4), 0x02000002);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_INTERRUPT_PIN, 1), 1);
    cr_assert_eq(pci_config_read(bus, PCI_DEVFN(4, 0), 0, 4), 0xffffffff, "empty slot reads ones");
    cr_assert_eq(pci_config_read(bus, PCI_DEVFN(4, 0), 0, 2), 0xffff);
    /* Read-only identity. */
    pci_config_write(bus, devfn, PCI_VENDOR_ID, 0, 4);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_VENDOR_ID, 2), 0x1234);
    pci_config_write(bus, devfn, PCI_INTERRUPT_LINE, 11, 1);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_INTERRUPT_LINE, 1), 11);
}

Test(pci, bar_sizing)
{
    PCIBus *bus = setup_bus();
    int devfn = PCI_DEVFN(3, 0);
    make_tdev(bus, devfn);
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_BASE_ADDRESS_0, 4), 0xfffff000);
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_BASE_ADDRESS_0 + 4, 4), 0xffffffe1);
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0 + 8, 0xffffffff, 4);
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0 + 12, 0xffffffff, 4);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_BASE_ADDRESS_0 + 8, 4), 0xfffff00c);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_BASE_ADDRESS_0 + 12, 4), 0xffffffff);
    pci_config_write(bus, devfn, PCI_ROM_ADDRESS, 0xffffffff, 4);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_ROM_ADDRESS, 4), 0xfffff001, "3000-byte ROM sizes as 4 KiB");
    /* Unimplemented BARs read 0 and do not take writes. */
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0 + 16, 0xffffffff, 4);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_BASE_ADDRESS_0 + 16, 4), 0);
}

Test(pci, bar_mapping_follows_command_register)
{
    PCIBus *bus = setup_bus();
    int devfn = PCI_DEVFN(3, 0);
    TDev *t = make_tdev(bus, devfn);
    MemTxResult r;
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0, 0xfebf0000, 4);
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0 + 4, 0xc001, 4);
    cr_assert_eq(address_space_ld(&t_mem_as, 0xfebf0004, 1, &r), 0xff, "not mapped before command.MEM");
    cr_assert_eq(pci_bar_address(&t->pci, 0), PCI_BAR_UNMAPPED);
    pci_config_write(bus, devfn, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    cr_assert_eq(pci_bar_address(&t->pci, 0), 0xfebf0000);
    cr_assert_eq(address_space_ld(&t_mem_as, 0xfebf0004, 1, &r), 0xa4);
    cr_assert_eq(address_space_ld(&t_io_as, 0xc004, 1, &r), 0xff, "I/O BAR needs command.IO");
    pci_config_write(bus, devfn, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    cr_assert_eq(address_space_ld(&t_io_as, 0xc004, 1, &r), 0xa4);
    address_space_st(&t_io_as, 0xc010, 0x55, 1);
    cr_assert_eq(t->last_write_off, 0x10);
    /* Remap: the old address goes dark, the new one answers. */
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0, 0xfe000000, 4);
    cr_assert_eq(address_space_ld(&t_mem_as, 0xfebf0004, 1, &r), 0xff);
    cr_assert_eq(address_space_ld(&t_mem_as, 0xfe000008, 1, &r), 0xa8);
    /* 64-bit BAR above 4G. */
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0 + 8, 0x0000000c, 4);
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0 + 12, 0x1, 4);
    cr_assert_eq(pci_bar_address(&t->pci, 2), 0x100000000ULL);
    cr_assert_eq(address_space_ld(&t_mem_as, 0x100000001ULL, 1, &r), 0xa1);
    /* ROM: needs its enable bit as well as command.MEM. */
    pci_config_write(bus, devfn, PCI_ROM_ADDRESS, 0xfeb00000, 4);
    cr_assert_eq(pci_bar_address(&t->pci, PCI_ROM_SLOT), PCI_BAR_UNMAPPED);
    pci_config_write(bus, devfn, PCI_ROM_ADDRESS, 0xfeb00001, 4);
    cr_assert_eq(pci_bar_address(&t->pci, PCI_ROM_SLOT), 0xfeb00000);
    t->rom.host[5] = 0x77;
    cr_assert_eq(address_space_ld(&t_mem_as, 0xfeb00005, 1, &r), 0x77);
    /* Disabling memory decoding unmaps everything in memory space. */
    pci_config_write(bus, devfn, PCI_COMMAND, PCI_COMMAND_IO, 2);
    cr_assert_eq(pci_bar_address(&t->pci, 0), PCI_BAR_UNMAPPED);
    cr_assert_eq(pci_bar_address(&t->pci, PCI_ROM_SLOT), PCI_BAR_UNMAPPED);
    cr_assert_eq(pci_bar_address(&t->pci, 1), 0xc000);
    pci_device_reset(&t->pci);
    cr_assert_eq(pci_bar_address(&t->pci, 1), PCI_BAR_UNMAPPED);
    cr_assert_eq(pci_config_read(bus, devfn, PCI_BASE_ADDRESS_0 + 4, 4), 1);
}

static int router_level[4];
static void router_set(void *opaque, int n, int level) { router_level[n] = level; }

Test(pci, intx_swizzle_and_disable)
{
    PCIBus *bus = setup_bus();
    pci_bus_set_irq_router(bus, pci_swizzle_map_irq, router_set, NULL, 4);
    TDev *a = make_tdev(bus, PCI_DEVFN(1, 0));
    TDev *b = make_tdev(bus, PCI_DEVFN(5, 0));   /* INTA# of slot 5 -> PIRQ (0+5)&3 = 1 */
    pci_set_irq(&a->pci, 1);
    cr_assert_eq(router_level[1], 1);
    pci_set_irq(&b->pci, 1);
    pci_set_irq(&a->pci, 0);
    cr_assert_eq(router_level[1], 1, "shared line stays up while one device asserts it");
    cr_assert(pci_config_read(bus, PCI_DEVFN(5, 0), PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    pci_config_write(bus, PCI_DEVFN(5, 0), PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    cr_assert_eq(router_level[1], 0, "INTx disable masks the pin");
    pci_config_write(bus, PCI_DEVFN(5, 0), PCI_COMMAND, 0, 2);
    cr_assert_eq(router_level[1], 1);
}

Test(pci, placement_and_dma)
{
    PCIBus *bus = setup_bus();
    TDev *a = make_tdev(bus, PCI_DEVFN_AUTO);
    cr_assert_eq(a->pci.devfn, PCI_DEVFN(1, 0));
    TDev *b = xzalloc(sizeof(*b));
    b->pci.addr_prop = xstrdup("1");
    PCIDeviceInfo info = { .vendor_id = 1 };
    Error *err = NULL;
    cr_assert_not(pci_device_realize_on(bus, &b->pci, "b", &info, PCI_DEVFN_AUTO, &err));
    cr_assert_not_null(strstr(err->msg, "taken"));
    free(b->pci.addr_prop);
    b->pci.addr_prop = xstrdup("1f.7");
    cr_assert(pci_device_realize_on(bus, &b->pci, "b", &info, PCI_DEVFN_AUTO, NULL));
    cr_assert_eq(b->pci.devfn, 0xff);

    MemoryRegion ram;
    memory_region_init_ram(&ram, "ram", 64 * KiB);
    memory_region_add_subregion(&t_mem, 0, &ram);
    uint8_t buf[4] = { 1, 2, 3, 4 };
    cr_assert_eq(pci_dma_write(&a->pci, 0x100, buf, 4), MEMTX_ACCESS_ERROR, "no bus master");
    pci_config_write(bus, a->pci.devfn, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    cr_assert_eq(pci_dma_write(&a->pci, 0x100, buf, 4), MEMTX_OK);
    cr_assert_eq(ram.host[0x103], 4);
    cr_assert_neq(pci_dma_write(&a->pci, 0xfffe, buf, 4), MEMTX_OK, "past the end of RAM");
}
