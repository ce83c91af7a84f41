/* i440fx.c: 440FX host bridge — config mechanism #1 (0xcf8/0xcfc), PAM shadowing, SMRAM, 0xcf9. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/pci/i440fx.h"

/* CONFIG_ADDRESS (PCI 3.0, 3.2.2.3.2): enable 31, bus 23:16, device 15:11, function 10:8,
 * register 7:2. Only bus 0 exists. */
static bool config_target(I440FXState *s, int *devfn, uint32_t *reg)
{
    uint32_t a = s->config_address;
    if (!(a & 0x80000000u) || ((a >> 16) & 0xff) != 0)
        return false;
    *devfn = (a >> 8) & 0xff;
    *reg = a & 0xfc;
    return true;
}

static uint64_t config_addr_read(void *opaque, uint64_t off, unsigned size)
{
    I440FXState *s = opaque;
    if (off == 0 && size == 4)
        return s->config_address;
    if (off == 1 && size == 1)
        return 0;                /* PIIX RCR: reads back 0 after the reset it triggers */
    return 0xffffffffu >> (32 - 8 * size);
}

static void config_addr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    I440FXState *s = opaque;
    if (off == 0 && size == 4) {
        s->config_address = val & 0x80fffffcu;
        return;
    }
    if (off == 1 && size == 1) {
        /* PIIX3 Reset Control Register (82371SB 4.1.x), which shares this dword: RCPU (bit 2)
         * resets the system, SRST (bit 1) selects hard over soft; both are a full reset here. */
        if (val & 0x04) {
            qlog(LOG_GUEST_ERRORS, "piix: reset through port 0xcf9 (0x%02x)\n", (unsigned)val);
            if (board.request_reset)
                board.request_reset();
        }
        return;
    }
    qlog(LOG_GUEST_ERRORS, "i440fx: %u-byte write to CONFIG_ADDRESS+%u ignored\n", size,
         (unsigned)off);
}

static uint64_t config_data_read(void *opaque, uint64_t off, unsigned size)
{
    I440FXState *s = opaque;
    int devfn;
    uint32_t reg;
    if (!config_target(s, &devfn, &reg))
        return 0xffffffffu >> (32 - 8 * size);
    return pci_config_read(s->bus, devfn, reg + off, size);
}

static void config_data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    I440FXState *s = opaque;
    int devfn;
    uint32_t reg;
    if (config_target(s, &devfn, &reg))
        pci_config_write(s->bus, devfn, reg + off, val, size);
}

static const MemoryRegionOps config_addr_ops = {
    .read = config_addr_read, .write = config_addr_write, .min_size = 1, .max_size = 4,
};
static const MemoryRegionOps config_data_ops = {
    .read = config_data_read, .write = config_data_write, .min_size = 1, .max_size = 4,
};

/* ---- PAM: Programmable Attribute Map (82441FX 3.2.18) ---- */

static uint32_t pam_base(int seg)
{
    return seg == 0 ? 0xf0000 : 0xc0000 + (seg - 1) * 0x4000;
}

static uint32_t pam_size(int seg)
{
    return seg == 0 ? 0x10000 : 0x4000;
}

/* RE (bit 0) and WE (bit 1) of the segment's nibble. */
static int pam_mode(I440FXState *s, int seg)
{
    if (seg == 0)
        return (s->pci.config[I440FX_PAM0] >> 4) & 3;
    uint8_t r = s->pci.config[I440FX_PAM0 + 1 + (seg - 1) / 2];
    return ((seg - 1) & 1 ? r >> 4 : r) & 3;
}

/* Write-enabled, read-disabled: reads come from PCI, writes go to DRAM. */
static uint64_t pam_wo_ctx_read(void *opaque, uint64_t off, unsigned size)
{
    I440FXPamWO *w = opaque;
    return address_space_ld(&w->s->pci_view_as, w->base + off, size, NULL);
}

static void pam_wo_ctx_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    I440FXPamWO *w = opaque;
    MemoryRegion *ram = w->s->ram;
    uint64_t a = w->base + off;
    if (a + size > ram->size)
        return;
    memcpy(ram->host + a, &val, size);
    memory_notify_ram_write(ram, a, size);
}

static const MemoryRegionOps pam_wo_ops = {
    .read = pam_wo_ctx_read, .write = pam_wo_ctx_write, .min_size = 1, .max_size = 8,
};

static void pam_update(I440FXState *s)
{
    memory_transaction_begin();
    for (int i = 0; i < I440FX_PAM_SEGMENTS; i++) {
        int mode = pam_mode(s, i);
        memory_region_set_enabled(&s->pam_pci[i], mode == 0);
        memory_region_set_enabled(&s->pam_ro[i], mode == 1);
        memory_region_set_enabled(&s->pam_wo[i], mode == 2);
        memory_region_set_enabled(&s->pam_rw[i], mode == 3);
    }
    /* SMRAM: with D_OPEN (and SMRAM enabled) the CPU sees DRAM at A0000 instead of the VGA
     * window. SMM itself is not modelled, so D_CLS has no effect. */
    uint8_t sm = s->pci.config[I440FX_SMRAM];
    memory_region_set_enabled(&s->smram, (sm & SMRAM_D_OPEN) && (sm & SMRAM_G_SMRAME));
    memory_transaction_commit();
}

static void i440fx_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    I440FXState *s = (I440FXState *)d;
    uint8_t old_smram = d->config[I440FX_SMRAM];
    pci_default_config_write(d, addr, val, len);
    if (addr <= I440FX_SMRAM && addr + len > I440FX_SMRAM) {
        uint8_t v = d->config[I440FX_SMRAM];
        if (old_smram & SMRAM_D_LCK) {
            /* D_LCK: D_OPEN is forced clear and the register is read-only until reset. */
            v = (old_smram & ~SMRAM_D_CLS) | (v & SMRAM_D_CLS);
            v &= ~SMRAM_D_OPEN;
        } else if ((v & SMRAM_D_LCK)) {
            v &= ~SMRAM_D_OPEN;
        }
        if ((v & SMRAM_D_OPEN) && (v & SMRAM_D_CLS))
            qlog(LOG_GUEST_ERRORS, "i440fx: SMRAM D_OPEN and D_CLS both set\n");
        d->config[I440FX_SMRAM] = (v & 0x78) | SMRAM_C_BASE_SEG;
    }
    if ((addr <= I440FX_PAM0 + 6 && addr + len > I440FX_PAM0) ||
        (addr <= I440FX_SMRAM && addr + len > I440FX_SMRAM))
        pam_update(s);
}

static void i440fx_reset(Device *dev)
{
    I440FXState *s = (I440FXState *)dev;
    pci_device_reset(&s->pci);
    /* Power-on: PAM all disabled (the BIOS ROM is visible), SMRAM closed. */
    memset(s->pci.config + I440FX_PAM0, 0, 7);
    s->pci.config[I440FX_SMRAM] = SMRAM_C_BASE_SEG;
    s->config_address = 0;
    pam_update(s);
}

static bool i440fx_realize(Device *dev, Error **errp)
{
    I440FXState *s = (I440FXState *)dev;
    static const PCIDeviceInfo info = {
        .vendor_id = 0x8086, .device_id = 0x1237, .revision = 0x02, .class_code = 0x060000,
    };
    if (!board.system_memory || !board.system_io) {
        error_setg(errp, "i440fx: the board has no memory or I/O space");
        return false;
    }
    if (!s->ram || s->ram->size < 1 * MiB || !s->pci_view) {
        error_setg(errp, "i440fx: needs at least 1 MiB of RAM and a PCI view of the BIOS area");
        return false;
    }
    s->bus = pci_bus_new("pci.0", board.system_memory, board.system_io);
    if (!pci_device_realize_on(s->bus, &s->pci, "i440fx", &info, PCI_DEVFN(0, 0), errp))
        return false;
    s->pci.config_write = i440fx_config_write;
    /* Chipset registers the BIOS programs: PAM, SMRAM, DRAM row boundaries and the rest of
     * the 0x50-0x7f block are plain read/write bytes here. */
    memset(s->pci.wmask + 0x50, 0xff, 0x30);
    s->pci.wmask[I440FX_SMRAM] = 0x78;

    memory_region_init_io(&s->addr_io, "pci-conf-addr", &config_addr_ops, s, 4);
    memory_region_init_io(&s->data_io, "pci-conf-data", &config_data_ops, s, 4);
    memory_region_add_subregion(board.system_io, 0xcf8, &s->addr_io);
    memory_region_add_subregion(board.system_io, 0xcfc, &s->data_io);

    address_space_init(&s->pci_view_as, s->pci_view, "pci-view");
    memory_transaction_begin();
    for (int i = 0; i < I440FX_PAM_SEGMENTS; i++) {
        uint32_t base = pam_base(i), size = pam_size(i);
        memory_region_init_alias(&s->pam_rw[i], "pam-ram", s->ram, base, size);
        memory_region_init_alias(&s->pam_ro[i], "pam-rom", s->ram, base, size);
        memory_region_set_readonly(&s->pam_ro[i], true);
        memory_region_init_alias(&s->pam_pci[i], "pam-pci", s->pci_view, base, size);
        s->pam_wo_ctx[i].s = s;
        s->pam_wo_ctx[i].base = base;
        memory_region_init_io(&s->pam_wo[i], "pam-wo", &pam_wo_ops, &s->pam_wo_ctx[i], size);
        memory_region_add_subregion_overlap(board.system_memory, base, &s->pam_rw[i], 2);
        memory_region_add_subregion_overlap(board.system_memory, base, &s->pam_ro[i], 2);
        memory_region_add_subregion_overlap(board.system_memory, base, &s->pam_pci[i], 2);
        memory_region_add_subregion_overlap(board.system_memory, base, &s->pam_wo[i], 2);
    }
    memory_region_init_alias(&s->smram, "smram", s->ram, 0xa0000, 0x20000);
    memory_region_add_subregion_overlap(board.system_memory, 0xa0000, &s->smram, 3);
    memory_transaction_commit();
    i440fx_reset(dev);
    return true;
}

static const DeviceClass i440fx_class = {
    .name = "i440FX-pcihost", .desc = "Intel 440FX PCI host bridge", .bus = "sys",
    .size = sizeof(I440FXState), .realize = i440fx_realize, .reset = i440fx_reset,
};
DEVICE_CLASS_REGISTER(i440fx_class);

I440FXState *i440fx_create(MemoryRegion *ram, MemoryRegion *pci_view, Error **errp)
{
    I440FXState *s = (I440FXState *)device_new("i440FX-pcihost", errp);
    if (!s)
        return NULL;
    s->ram = ram;
    s->pci_view = pci_view;
    if (!device_realize(&s->pci.dev, errp))
        return NULL;
    return s;
}
