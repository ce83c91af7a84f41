/* chipset.c: creates and wires the pc machine's chipset: PIC, PIT, RTC, i8042, i440FX/PIIX,
 * fw_cfg, speaker, POST port; CMOS and fw_cfg contents the firmware expects. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/pc/chipset.h"

/* The AT BIOS checksum of CMOS bytes 0x10-0x2d, stored big-endian at 0x2e/0x2f (IBM AT
 * technical reference, CMOS RAM map). */
static void pc_cmos_update_checksum(PCChipset *cs)
{
    uint16_t sum = 0;
    for (int i = 0x10; i <= 0x2d; i++)
        sum += rtc_cmos_get(cs->rtc, i);
    rtc_cmos_set(cs->rtc, 0x2e, sum >> 8);
    rtc_cmos_set(cs->rtc, 0x2f, sum);
}

void pc_cmos_set(PCChipset *cs, int index, uint8_t value)
{
    rtc_cmos_set(cs->rtc, index, value);
    if (index >= 0x10 && index <= 0x2d)
        pc_cmos_update_checksum(cs);
}

int pc_chipset_get_vector(void *opaque)
{
    PCChipset *cs = opaque;
    if (cs->apic[0])
        return apic_get_vector(cs->apic[0]);
    return i8259_get_vector(cs->pic);
}

/* Memory sizes where the IBM AT BIOS and SeaBIOS (src/fw/paravirt.c, CMOS_MEM_*) look. */
static void pc_cmos_init_memory(PCChipset *cs, const PCChipsetConfig *cfg)
{
    uint64_t below = cfg->ram_below_4g;
    pc_cmos_set(cs, 0x15, 640 & 0xff);           /* base memory, KiB */
    pc_cmos_set(cs, 0x16, 640 >> 8);
    uint64_t ext_kb = below > 1 * MiB ? (below - 1 * MiB) / KiB : 0;
    if (ext_kb > 0xffff)
        ext_kb = 0xffff;
    pc_cmos_set(cs, 0x17, ext_kb);               /* extended memory above 1 MiB, KiB */
    pc_cmos_set(cs, 0x18, ext_kb >> 8);
    pc_cmos_set(cs, 0x30, ext_kb);
    pc_cmos_set(cs, 0x31, ext_kb >> 8);
    uint64_t above16 = below > 16 * MiB ? (below - 16 * MiB) / (64 * KiB) : 0;
    if (above16 > 0xffff)
        above16 = 0xffff;
    pc_cmos_set(cs, 0x34, above16);              /* memory above 16 MiB, 64 KiB units */
    pc_cmos_set(cs, 0x35, above16 >> 8);
    uint64_t above4g = cfg->ram_above_4g / (64 * KiB);
    pc_cmos_set(cs, 0x5b, above4g);              /* memory above 4 GiB, 64 KiB units */
    pc_cmos_set(cs, 0x5c, above4g >> 8);
    pc_cmos_set(cs, 0x5d, above4g >> 16);
    pc_cmos_set(cs, 0x5f, (cfg->ncpus > 0 ? cfg->ncpus : 1) - 1);   /* SMP count - 1 */
    /* Equipment byte: math coprocessor, PS/2 mouse; the floppy bits are the FDC's. */
    pc_cmos_set(cs, 0x14, 0x06);
}

/* -boot order: CMOS 0x3d holds the first two devices, 0x38 bits 7-4 the third (QEMU and
 * Bochs BIOS convention: 1 floppy, 2 hard disk, 3 CD-ROM, 4 network). */
static bool pc_boot_order(PCChipset *cs, const char *order, Error **errp)
{
    int dev[3] = { 0, 0, 0 };
    int n = 0;
    for (const char *p = order; *p; p++) {
        int d;
        switch (*p) {
        case 'a': case 'b': d = 1; break;
        case 'c': d = 2; break;
        case 'd': d = 3; break;
        case 'n': d = 4; break;
        default:
            error_setg(errp, "boot order '%s': '%c' is not one of a, b, c, d, n", order, *p);
            return false;
        }
        if (n < 3)
            dev[n++] = d;
    }
    pc_cmos_set(cs, 0x3d, dev[0] | (dev[1] << 4));
    pc_cmos_set(cs, 0x38, (dev[2] << 4) | 1);    /* bit 0: skip the floppy signature check */
    fw_cfg_add_i16(cs->fw_cfg, FW_CFG_BOOT_DEVICE, order[0]);
    return true;
}

static uint16_t le16(const uint8_t *p) { return p[0] | (p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24); }
static void st16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void st32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

/* Direct Linux boot: split a bzImage into setup and protected-mode parts, fill in the boot
 * header as a boot loader would (Linux Documentation/arch/x86/boot.rst), and hand everything to
 * the firmware through the FW_CFG_{SETUP,KERNEL,INITRD,CMDLINE}_* items. */
static bool pc_load_linux(PCChipset *cs, const PCChipsetConfig *cfg, Error **errp)
{
    const uint8_t *k = cfg->kernel;
    size_t ksize = cfg->kernel_size;
    const uint32_t real_addr = 0x10000, cmdline_addr = 0x20000, prot_addr = 0x100000;
    if (ksize < 0x1000 || memcmp(k + 0x202, "HdrS", 4) != 0) {
        error_setg(errp, "kernel: not a Linux bzImage (no HdrS boot header)");
        return false;
    }
    uint16_t version = le16(k + 0x206);
    if (version < 0x202 || !(k[0x211] & 0x01)) {
        error_setg(errp, "kernel: boot protocol %x.%02x or a zImage; a bzImage with protocol "
                   "2.02 or later is needed", version >> 8, version & 0xff);
        return false;
    }
    unsigned setup_sects = k[0x1f1] ? k[0x1f1] : 4;
    size_t setup_size = (setup_sects + 1) * 512;
    if (setup_size >= ksize) {
        error_setg(errp, "kernel: setup (%zu bytes) is larger than the file", setup_size);
        return false;
    }
    const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
    size_t cmdline_len = strlen(cmdline) + 1;
    uint32_t cmdline_max = version >= 0x206 ? le32(k + 0x238) : 255;
    if (cmdline_len - 1 > cmdline_max) {
        error_setg(errp, "kernel: command line of %zu bytes exceeds the kernel's limit of %u",
                   cmdline_len - 1, cmdline_max);
        return false;
    }
    size_t kernel_size = ksize - setup_size;
    if (prot_addr + kernel_size > cfg->ram_below_4g) {
        error_setg(errp, "kernel: %zu bytes do not fit in %" PRIu64 " MiB of RAM", kernel_size,
                   (uint64_t)(cfg->ram_below_4g / MiB));
        return false;
    }
    uint8_t *setup = xmalloc(setup_size);
    memcpy(setup, k, setup_size);
    setup[0x210] = 0xb0;                          /* type_of_loader: QEMU-style loader id */
    setup[0x211] |= 0x80;                         /* CAN_USE_HEAP */
    st16(setup + 0x224, cmdline_addr - real_addr - 0x200);   /* heap_end_ptr */
    st32(setup + 0x228, cmdline_addr);            /* cmd_line_ptr */

    if (cfg->initrd && cfg->initrd_size) {
        /* Highest address the kernel accepts, and below the top 1 MiB of low RAM, where the
         * firmware keeps its own tables (SeaBIOS's high zone holds ACPI and SMBIOS there). */
        uint64_t max = version >= 0x203 ? le32(k + 0x22c) : 0x37ffffff;
        if (max >= cfg->ram_below_4g - PC_FIRMWARE_HIGH_RESERVE)
            max = cfg->ram_below_4g - PC_FIRMWARE_HIGH_RESERVE - 1;
        if (cfg->initrd_size > max || prot_addr + kernel_size > max - cfg->initrd_size) {
            error_setg(errp, "initrd: %zu bytes do not fit below 0x%" PRIx64, cfg->initrd_size, max);
            free(setup);
            return false;
        }
        uint32_t initrd_addr = (max - cfg->initrd_size) & ~4095u;
        st32(setup + 0x218, initrd_addr);         /* ramdisk_image */
        st32(setup + 0x21c, cfg->initrd_size);    /* ramdisk_size */
        fw_cfg_add_i32(cs->fw_cfg, FW_CFG_INITRD_ADDR, initrd_addr);
        fw_cfg_add_i32(cs->fw_cfg, FW_CFG_INITRD_SIZE, cfg->initrd_size);
        fw_cfg_add_bytes(cs->fw_cfg, FW_CFG_INITRD_DATA, cfg->initrd, cfg->initrd_size);
    }
    fw_cfg_add_i32(cs->fw_cfg, FW_CFG_KERNEL_ADDR, prot_addr);
    fw_cfg_add_i32(cs->fw_cfg, FW_CFG_KERNEL_SIZE, kernel_size);
    fw_cfg_add_bytes(cs->fw_cfg, FW_CFG_KERNEL_DATA, k + setup_size, kernel_size);
    fw_cfg_add_i32(cs->fw_cfg, FW_CFG_CMDLINE_ADDR, cmdline_addr);
    fw_cfg_add_i32(cs->fw_cfg, FW_CFG_CMDLINE_SIZE, cmdline_len);
    fw_cfg_add_bytes(cs->fw_cfg, FW_CFG_CMDLINE_DATA, cmdline, cmdline_len);
    fw_cfg_add_i32(cs->fw_cfg, FW_CFG_SETUP_ADDR, real_addr);
    fw_cfg_add_i32(cs->fw_cfg, FW_CFG_SETUP_SIZE, setup_size);
    fw_cfg_add_bytes(cs->fw_cfg, FW_CFG_SETUP_DATA, setup, setup_size);
    free(setup);
    return true;
}

/* "etc/e820": the RAM ranges, { u64 address; u64 length; u32 type } little-endian, packed. */
static void pc_fw_cfg_e820(PCChipset *cs, const PCChipsetConfig *cfg)
{
    uint8_t e820[2 * 20];
    int n = 0;
    uint64_t ranges[2][2] = { { 0, cfg->ram_below_4g }, { 4 * GiB, cfg->ram_above_4g } };
    for (int i = 0; i < 2; i++) {
        if (!ranges[i][1])
            continue;
        uint8_t *e = e820 + 20 * n++;
        for (int b = 0; b < 8; b++) {
            e[b] = ranges[i][0] >> (8 * b);
            e[8 + b] = ranges[i][1] >> (8 * b);
        }
        st32(e + 16, 1);                          /* E820_RAM */
    }
    fw_cfg_add_file(cs->fw_cfg, "etc/e820", e820, 20 * n);
}

static bool pc_map_memory(PCChipset *cs, const PCChipsetConfig *cfg, Error **errp)
{
    if (!cfg->ram || cfg->ram_below_4g < 1 * MiB || cfg->ram_below_4g > 4 * GiB ||
        cfg->ram_below_4g + cfg->ram_above_4g > cfg->ram->size) {
        error_setg(errp, "pc: RAM layout (%" PRIu64 " below 4G + %" PRIu64 " above) does not match "
                   "the RAM block", cfg->ram_below_4g, cfg->ram_above_4g);
        return false;
    }
    uint64_t bios_size = cfg->bios ? cfg->bios->size : 0;
    if (bios_size < 64 * KiB || bios_size > 16 * MiB || (bios_size & (bios_size - 1))) {
        error_setg(errp, "pc: BIOS size %" PRIu64 " is not a power of two between 64 KiB and 16 MiB",
                   bios_size);
        return false;
    }
    memory_transaction_begin();
    memory_region_init_alias(&cs->ram_below, "pc.ram-below-4g", cfg->ram, 0, cfg->ram_below_4g);
    memory_region_add_subregion(board.system_memory, 0, &cs->ram_below);
    if (cfg->ram_above_4g) {
        memory_region_init_alias(&cs->ram_above, "pc.ram-above-4g", cfg->ram, cfg->ram_below_4g,
                                 cfg->ram_above_4g);
        memory_region_add_subregion(board.system_memory, 4 * GiB, &cs->ram_above);
    }
    memory_region_add_subregion(board.system_memory, 4 * GiB - bios_size, cfg->bios);
    /* What PAM-disabled segments show: the last 128 KiB of the BIOS at 0xE0000 (isa-bios). */
    uint64_t isa_size = MIN(bios_size, 128 * KiB);
    memory_region_init_container(&cs->pci_view, "pci-legacy", 1 * MiB);
    memory_region_init_alias(&cs->isa_bios, "isa-bios", cfg->bios, bios_size - isa_size, isa_size);
    memory_region_add_subregion(&cs->pci_view, 1 * MiB - isa_size, &cs->isa_bios);
    memory_transaction_commit();
    return true;
}

/* APIC mode: an ISA IRQ goes to the models (PIC and I/O APIC), or to the accelerator's own
 * interrupt controllers, whose GSI routing does the same wiring. */
static void pc_isa_irq_handler(void *opaque, int n, int level)
{
    PCChipset *cs = opaque;
    if (board.kernel_irqchip_set_gsi)
        board.kernel_irqchip_set_gsi(n, level);
    else
        irq_set(cs->isa_irq_models[n], level);
}

/* A line wired to the I/O APIC only (HPET routes): the model's pin n, or GSI n. */
static void pc_gsi_handler(void *opaque, int n, int level)
{
    PCChipset *cs = opaque;
    if (board.kernel_irqchip_set_gsi)
        board.kernel_irqchip_set_gsi(n, level);
    else
        irq_set(&cs->ioapic->inputs[n], level);
}

/* HPET legacy replacement takes IRQ0 from the PIT and IRQ8 from the RTC (HPET 1.0a, 2.3.9). */
static void pc_hpet_legacy_changed(void *opaque, bool on)
{
    PCChipset *cs = opaque;
    pit_set_irq_enabled(cs->pit, !on);
    rtc_set_irq_enabled(cs->rtc, !on);
}

PCChipset *pc_chipset_create(const PCChipsetConfig *cfg, Error **errp)
{
    if (!board.system_memory || !board.system_io || !board.memory_as || !board.io_as) {
        error_setg(errp, "pc: the board's memory and I/O spaces are not set up");
        return NULL;
    }
    PCChipset *cs = xzalloc(sizeof(*cs));
    int ncpus = cfg->ncpus > 0 ? cfg->ncpus : 1;
    if (!pc_map_memory(cs, cfg, errp))
        goto fail;

    /* Interrupts first: every ISA device takes its line from board.isa_irq[]. */
    if (cfg->apic) {
        if (ncpus > APIC_MAX) {
            error_setg(errp, "pc: %d CPUs, but at most %d local APICs", ncpus, APIC_MAX);
            goto fail;
        }
        for (int i = 0; i < ncpus; i++) {
            IrqLine *intr = cfg->cpu_intr_all ? cfg->cpu_intr_all[i] : i == 0 ? cfg->cpu_intr : NULL;
            if (!(cs->apic[i] = apic_create(i, intr, errp)))
                goto fail;
        }
        cs->apic[0]->cpu_nmi = cfg->cpu_nmi;
        if (!(cs->ioapic = ioapic_create(errp)))
            goto fail;
        IrqLine *gsi = irq_alloc_lines(pc_gsi_handler, cs, IOAPIC_NUM_PINS);
        for (int i = 0; i < IOAPIC_NUM_PINS; i++)
            cs->gsi[i] = &gsi[i];
    }
    /* In APIC mode the 8259 is LINT0 of the BSP's APIC (ExtINT, virtual wire). */
    if (!(cs->pic = i8259_create(cfg->apic ? &cs->apic[0]->lint[0] : cfg->cpu_intr, errp)))
        goto fail;
    if (cfg->apic) {
        cs->apic[0]->extint_ack = i8259_get_vector;
        cs->apic[0]->extint_opaque = cs->pic;
    }
    IrqLine *isa = cfg->apic ? irq_alloc_lines(pc_isa_irq_handler, cs, ISA_NUM_IRQS) : NULL;
    for (int i = 0; i < ISA_NUM_IRQS; i++) {
        /* ISA IRQ n is I/O APIC pin n, except the PIT's IRQ0 on pin 2 (MADT override). */
        if (cfg->apic)
            cs->isa_irq_models[i] = irq_split(&cs->pic->inputs[i],
                                              &cs->ioapic->inputs[i == 0 ? 2 : i]);
        board.isa_irq[i] = cfg->apic ? &isa[i] : &cs->pic->inputs[i];
    }
    cs->isa_irq = board.isa_irq;

    if (!(cs->rtc = rtc_create(cfg->rtc, errp))) {
        error_prepend(errp, "-rtc %s: ", cfg->rtc ? cfg->rtc : "");
        goto fail;
    }
    if (!(cs->pit = pit_create(errp)) || !(cs->speaker = pcspk_create(cs->pit, errp)) ||
        !(cs->kbc = i8042_create(errp)) ||
        !(cs->port92 = port92_create(errp)) || !(cs->port80 = port80_create(errp)))
        goto fail;

    if (cfg->apic && !cfg->no_hpet) {
        if (!(cs->hpet = hpet_create(cs->gsi, errp)))
            goto fail;
        cs->hpet->legacy_changed = pc_hpet_legacy_changed;
        cs->hpet->legacy_opaque = cs;
    }

    if (!(cs->host = i440fx_create(cfg->ram, &cs->pci_view, errp)))
        goto fail;
    cs->pci_bus = cs->host->bus;
    if (!(cs->isa_bridge = piix_create(cs->pci_bus, cfg->piix_model, errp)))
        goto fail;

    if (!(cs->fw_cfg = fw_cfg_create(errp)))
        goto fail;
    FWCfgState *fw = cs->fw_cfg;
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, cfg->ram_below_4g + cfg->ram_above_4g);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, ncpus);
    fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, ncpus);
    fw_cfg_add_i16(fw, FW_CFG_NOGRAPHIC, 0);
    uint8_t uuid[16] = { 0 };
    fw_cfg_add_bytes(fw, FW_CFG_UUID, uuid, sizeof(uuid));
    fw_cfg_add_i32(fw, FW_CFG_IRQ0_OVERRIDE, 1);   /* PIT IRQ0 is GSI 2 on the I/O APIC */
    fw_cfg_add_i16(fw, FW_CFG_BOOT_MENU, cfg->boot_menu);
    if (cfg->boot_menu && cfg->boot_menu_timeout) {
        uint8_t t[2] = { cfg->boot_menu_timeout, cfg->boot_menu_timeout >> 8 };
        fw_cfg_add_file(fw, "etc/boot-menu-wait", t, 2);
    }
    pc_fw_cfg_e820(cs, cfg);
    if (cfg->bootorder && *cfg->bootorder)
        fw_cfg_add_file(fw, "bootorder", cfg->bootorder, strlen(cfg->bootorder) + 1);

    pc_cmos_init_memory(cs, cfg);
    if (!pc_boot_order(cs, cfg->boot_order ? cfg->boot_order : "cad", errp))
        goto fail;
    if (cfg->kernel && !pc_load_linux(cs, cfg, errp))
        goto fail;
    if (!cfg->no_acpi) {
        if (!(cs->pm = piix4_pm_create(errp)))
            goto fail;
        /* The DSDT's static _PRT assumes the firmware routes PIRQA-D to IRQ 10, 10, 11, 11
         * (what SeaBIOS's piix_isa_bridge_setup programs). */
        AcpiBuildConfig acfg = {
            .ncpus = ncpus, .ram_below_4g = cfg->ram_below_4g,
            .have_ioapic = cfg->apic, .have_hpet = cs->hpet != NULL,
            .pirq_irq = { 10, 10, 11, 11 },
        };
        acpi_build_tables(fw, &acfg);
    }
    return cs;
fail:
    /* Devices already realized stay registered; the caller exits on this error. */
    return NULL;
}
