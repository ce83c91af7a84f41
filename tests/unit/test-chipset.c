/* test-chipset.c: the pc chipset as the board creates it — memory map, wiring, CMOS, fw_cfg. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/pc/chipset.h"

static MemoryRegion ram, bios;
static PCChipsetConfig cfg;

static void setup(void)
{
    hwt_board_init(0);           /* the chipset maps RAM itself */
    memory_region_init_ram(&ram, "pc.ram", 64 * MiB);
    memory_region_init_rom(&bios, "pc.bios", 128 * KiB);
    for (unsigned i = 0; i < 128 * KiB; i++)
        bios.host[i] = i * 7;
    cfg = (PCChipsetConfig){
        .ram = &ram, .ram_below_4g = 64 * MiB, .bios = &bios, .ncpus = 2,
        .cpu_intr = &hwt_lines[20], .boot_order = "dc", .rtc = "base=2020-01-01",
    };
}

TestSuite(chipset, .init = setup);

static uint8_t cmos(uint8_t i) { outb(0x70, i); return inb(0x71); }

static void fw_read(uint16_t key, void *buf, unsigned len)
{
    outw(0x510, key);
    for (unsigned i = 0; i < len; i++)
        ((uint8_t *)buf)[i] = inb(0x511);
}

Test(chipset, memory_map_and_bios)
{
    PCChipset *cs = pc_chipset_create(&cfg, NULL);
    cr_assert_not_null(cs);
    MemTxResult r;
    cr_assert_eq(address_space_ld(&hwt_mem_as, 0xfffffff0, 1, &r), (uint8_t)((128 * KiB - 16) * 7),
                 "reset vector in the BIOS");
    cr_assert_eq(address_space_ld(&hwt_mem_as, 0xffff0, 1, &r), (uint8_t)((128 * KiB - 16) * 7),
                 "isa-bios alias below 1 MiB");
    address_space_st(&hwt_mem_as, 0x100000, 0xabcd, 2);
    cr_assert_eq(ld16(ram.host + 0x100000), 0xabcd);
    cr_assert_eq(address_space_ld(&hwt_mem_as, 64 * MiB, 1, &r), 0xff, "nothing above RAM");
    /* Shadowing through PAM, as SeaBIOS does. */
    outl(0xcf8, 0x80000058);
    outl(0xcfc, 0x00003300);     /* PAM0 (0x59) = 0x33 */
    cr_assert_eq(address_space_ld(&hwt_mem_as, 0xffff0, 1, &r), 0, "shadow RAM, not yet copied");
}

Test(chipset, interrupt_wiring)
{
    PCChipset *cs = pc_chipset_create(&cfg, NULL);
    cr_assert_not_null(cs);
    cr_assert_eq(cs->isa_irq, board.isa_irq);
    outb(0x20, 0x11); outb(0x21, 0x08); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xa0, 0x11); outb(0xa1, 0x70); outb(0xa1, 0x02); outb(0xa1, 0x01);
    outb(0x21, 0); outb(0xa1, 0);
    irq_raise(board.isa_irq[4]);
    cr_assert_eq(hwt_line[20], 1, "INTR raised");
    cr_assert_eq(pc_chipset_get_vector(cs), 0x0c);
    /* The keyboard controller reaches IRQ1 through the same path. */
    outb(0x20, 0x20);
    outb(0x60, 0xee);            /* echo */
    cr_assert_eq(pc_chipset_get_vector(cs), 0x09);
    cr_assert_eq(inb(0x60), 0xee);
    /* Speaker port drives PIT channel 2's gate. */
    outb(0x61, 0x03);
    cr_assert(pit_get_gate(cs->pit, 2));
    cr_assert_eq(inb(0x61) & 3, 3);
}

Test(chipset, cmos_and_fw_cfg)
{
    cfg.ram_below_4g = 48 * MiB;
    cfg.ram_above_4g = 16 * MiB;
    PCChipset *cs = pc_chipset_create(&cfg, NULL);
    cr_assert_not_null(cs);
    cr_assert_eq(cmos(0x15) | cmos(0x16) << 8, 640);
    cr_assert_eq(cmos(0x17) | cmos(0x18) << 8, 47 * 1024);
    cr_assert_eq(cmos(0x30) | cmos(0x31) << 8, 47 * 1024);
    cr_assert_eq(cmos(0x34) | cmos(0x35) << 8, 32 * 16, "above 16M in 64K units");
    cr_assert_eq(cmos(0x5b) | cmos(0x5c) << 8 | cmos(0x5d) << 16, 256, "16M above 4G");
    cr_assert_eq(cmos(0x5f), 1, "two CPUs");
    cr_assert_eq(cmos(0x3d), 0x23, "CD, then hard disk");
    cr_assert_eq(cmos(0x09), 0x20, "-rtc base year");
    pc_cmos_set(cs, 0x10, 0x40);
    cr_assert_eq(cmos(0x10), 0x40);
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2d; i++)
        sum += cmos(i);
    cr_assert_eq((cmos(0x2e) << 8) | cmos(0x2f), sum & 0xffff, "AT CMOS checksum");
    uint64_t ramsz;
    fw_read(FW_CFG_RAM_SIZE, &ramsz, 8);
    cr_assert_eq(ramsz, 64 * MiB);
    uint16_t ncpu;
    fw_read(FW_CFG_NB_CPUS, &ncpu, 2);
    cr_assert_eq(ncpu, 2);
    const FWCfgEntry *e = fw_cfg_find_file(cs->fw_cfg, "etc/e820");
    cr_assert_not_null(e);
    cr_assert_eq(e->len, 40);
    cr_assert_eq(ld64(e->data + 8), 48 * MiB);
    cr_assert_eq(ld64(e->data + 20), 4 * GiB);
    cr_assert_eq(address_space_ld(&hwt_mem_as, 4 * GiB + 5, 1, NULL), 0, "RAM above 4G mapped");
}

Test(chipset, bootorder_file)
{
    cfg.bootorder = "/pci@i0cf8/ide@1,1/drive@1/disk@0\n";
    PCChipset *cs = pc_chipset_create(&cfg, NULL);
    const FWCfgEntry *e = fw_cfg_find_file(cs->fw_cfg, "bootorder");
    cr_assert_not_null(e);
    cr_assert_str_eq((const char *)e->data, cfg.bootorder);
}

Test(chipset, bad_config)
{
    Error *err = NULL;
    cfg.boot_order = "cx";
    cr_assert_null(pc_chipset_create(&cfg, &err));
    cr_assert_not_null(strstr(err->msg, "'x'"));
}

Test(chipset, bad_memory_layout)
{
    Error *err = NULL;
    cfg.ram_below_4g = 128 * MiB;            /* more than the block holds */
    cr_assert_null(pc_chipset_create(&cfg, &err));
    cr_assert_not_null(err);
}

Test(chipset, linux_boot_items)
{
    static uint8_t kernel[0x3000];
    memset(kernel, 0x90, sizeof(kernel));
    kernel[0x1f1] = 3;                       /* setup: 4 sectors = 2 KiB */
    memcpy(kernel + 0x202, "HdrS", 4);
    kernel[0x206] = 0x0f; kernel[0x207] = 0x02;   /* protocol 2.15 */
    kernel[0x211] = 0x01;                    /* LOADED_HIGH */
    st32(kernel + 0x22c, 0x7fffffff);  /* initrd_addr_max */
    st32(kernel + 0x238, 2048);    /* cmdline_size */
    static uint8_t initrd[5000];
    cfg.kernel = kernel;
    cfg.kernel_size = sizeof(kernel);
    cfg.initrd = initrd;
    cfg.initrd_size = sizeof(initrd);
    cfg.cmdline = "console=ttyS0";
    PCChipset *cs = pc_chipset_create(&cfg, NULL);
    cr_assert_not_null(cs);
    uint32_t v;
    fw_read(FW_CFG_SETUP_SIZE, &v, 4);
    cr_assert_eq(v, 2048);
    fw_read(FW_CFG_KERNEL_SIZE, &v, 4);
    cr_assert_eq(v, sizeof(kernel) - 2048);
    fw_read(FW_CFG_KERNEL_ADDR, &v, 4);
    cr_assert_eq(v, 0x100000);
    fw_read(FW_CFG_INITRD_ADDR, &v, 4);
    cr_assert_eq(v, (64 * MiB - PC_FIRMWARE_HIGH_RESERVE - 1 - sizeof(initrd)) & ~4095u);
    char cmd[14];
    fw_read(FW_CFG_CMDLINE_DATA, cmd, 14);
    cr_assert_str_eq(cmd, "console=ttyS0");
    uint8_t setup[0x240];
    fw_read(FW_CFG_SETUP_DATA, setup, sizeof(setup));
    cr_assert_eq(setup[0x210], 0xb0, "type_of_loader");
    cr_assert_eq(ld32(setup + 0x228), 0x20000, "cmd_line_ptr");
    cr_assert_eq(ld32(setup + 0x218), v, "ramdisk_image");
    cr_assert_eq(setup[0x211] & 0x80, 0x80, "CAN_USE_HEAP");
}

Test(chipset, not_a_bzimage)
{
    static uint8_t kernel[0x3000];
    cfg.kernel = kernel;
    cfg.kernel_size = sizeof(kernel);
    Error *err = NULL;
    cr_assert_null(pc_chipset_create(&cfg, &err));
    cr_assert_not_null(strstr(err->msg, "bzImage"));
}

Test(chipset, apic_mode)
{
    cfg.apic = true;
    PCChipset *cs = pc_chipset_create(&cfg, NULL);
    cr_assert_not_null(cs);
    cr_assert_not_null(cs->apic[0]);
    cr_assert_not_null(cs->apic[1]);
    cr_assert_not_null(cs->hpet);
    /* The 8259 still reaches CPU 0 through LINT0 in virtual wire mode. */
    outb(0x20, 0x11); outb(0x21, 0x08); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0x21, 0);
    irq_raise(board.isa_irq[1]);
    cr_assert_eq(hwt_line[20], 1);
    cr_assert_eq(pc_chipset_get_vector(cs), 0x09);
    /* ISA IRQ0 reaches I/O APIC pin 2. */
    address_space_st(&hwt_mem_as, APIC_DEFAULT_BASE + 0xf0, 0x1ff, 4);
    address_space_st(&hwt_mem_as, IOAPIC_DEFAULT_BASE, 0x14, 4);
    address_space_st(&hwt_mem_as, IOAPIC_DEFAULT_BASE + 0x10, 0x30, 4);
    address_space_st(&hwt_mem_as, APIC_DEFAULT_BASE + 0x350, 0x10700, 4);   /* mask LINT0 */
    irq_raise(board.isa_irq[0]);
    cr_assert_eq(pc_chipset_get_vector(cs), 0x30);
    /* MADT and HPET tables are published. */
    const FWCfgEntry *t = fw_cfg_find_file(cs->fw_cfg, "etc/acpi/tables");
    cr_assert_not_null(memmem(t->data, t->len, "APIC", 4));
    cr_assert_not_null(memmem(t->data, t->len, "HPET", 4));
}

Test(chipset, hpet_legacy_takes_irq0)
{
    cfg.apic = true;
    PCChipset *cs = pc_chipset_create(&cfg, NULL);
    cr_assert_not_null(cs);
    outb(0x43, 0x34);            /* PIT channel 0 mode 2: OUT high */
    outb(0x40, 0x00); outb(0x40, 0x10);
    cr_assert(cs->pic->chip[0].last_irr & 1, "IRQ0 high from the PIT");
    address_space_st(&hwt_mem_as, HPET_BASE + 0x10, 3, 4);   /* enable + legacy */
    cr_assert_not(cs->pic->chip[0].last_irr & 1, "the PIT let go of IRQ0");
    cr_assert(cs->pit->irq_disabled && cs->rtc->irq_disabled);
    address_space_st(&hwt_mem_as, HPET_BASE + 0x10, 1, 4);
    cr_assert_not(cs->pit->irq_disabled);
}
