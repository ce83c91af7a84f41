/* vga-pci.c: "VGA", the standard VGA of `-vga std` as a PCI function (Bochs/QEMU 1234:1111):
 * legacy window and ports, the VBE linear frame buffer at BAR0, and the VGA BIOS as the PCI
 * expansion ROM. */
#include "util/osdep.h"
#include "hw/core/board.h"
#include "hw/pci/pci.h"
#include "hw/display/vga-internal.h"
#include "hw/display/vga.h"

typedef struct PCIVGAState {
    PCIDevice pci;
    uint64_t vram_size;
    char *romfile;
    VGAState vga;
    MemoryRegion lfb, rom;
} PCIVGAState;

static bool pci_vga_realize(Device *dev, Error **errp)
{
    PCIVGAState *d = (PCIVGAState *)dev;
    static const PCIDeviceInfo info = {
        .vendor_id = 0x1234, .device_id = 0x1111, .revision = 2,
        .class_code = 0x030000,                  /* VGA-compatible display controller */
        .subsystem_vendor_id = 0x1af4, .subsystem_id = 0x1100,
    };
    if (!board.system_memory || !board.system_io) {
        error_setg(errp, "no memory or I/O space to attach to");
        return false;
    }
    if (d->vram_size < 1 * MiB || d->vram_size > 256 * MiB ||
        (d->vram_size & (d->vram_size - 1))) {
        error_setg(errp, "vgamem %" PRIu64 " must be a power of two from 1M to 256M",
                   d->vram_size);
        return false;
    }
    if (d->romfile && *d->romfile && !vga_load_rom(&d->rom, d->romfile, NULL, 0, errp))
        return false;
    if (!pci_device_realize(&d->pci, "VGA", &info, PCI_DEVFN_AUTO, errp))
        return false;
    vga_core_init(&d->vga, d->vram_size, "vga");
    vga_map_legacy(&d->vga, board.system_memory, board.system_io);
    /* BAR0 decodes the whole of video memory: the VBE linear frame buffer */
    memory_region_init_alias(&d->lfb, "vga.lfb", &d->vga.vram, 0, d->vga.vram_size);
    pci_register_bar(&d->pci, 0, PCI_BAR_MEM32_PREFETCH, &d->lfb);
    if (d->romfile && *d->romfile)
        pci_register_bar(&d->pci, PCI_ROM_SLOT, 0, &d->rom);
    return true;
}

static void pci_vga_reset(Device *dev)
{
    PCIVGAState *d = (PCIVGAState *)dev;
    pci_device_reset(&d->pci);
    vga_core_reset(&d->vga);
}

static const DeviceProp pci_vga_props[] = {
    PCI_PROP_ADDR(PCIVGAState),
    PROP_SIZE("vgamem", PCIVGAState, vram_size, 16 * MiB, "video memory size (BAR0)"),
    PROP_STR("romfile", PCIVGAState, romfile, NULL, "VGA BIOS image (expansion ROM)"),
    PROP_END,
};

static const DeviceClass pci_vga_class = {
    .name = "VGA", .bus = "pci", .desc = "standard VGA with Bochs VBE (-vga std)",
    .size = sizeof(PCIVGAState), .props = pci_vga_props, .user_creatable = true,
    .realize = pci_vga_realize, .reset = pci_vga_reset,
};
DEVICE_CLASS_REGISTER(pci_vga_class);
