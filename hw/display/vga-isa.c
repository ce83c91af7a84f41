/* vga-isa.c: "isa-vga", the VGA core on the ISA bus: the legacy window and ports, the VBE
 * linear frame buffer at a fixed address, and optionally the VGA BIOS at 0xc0000. */
#include "util/osdep.h"
#include "hw/core/board.h"
#include "hw/core/device.h"
#include "hw/display/vga-internal.h"
#include "hw/display/vga.h"

typedef struct ISAVGAState {
    Device dev;
    uint64_t vram_size;
    uint64_t lfb_addr;
    char *romfile;
    VGAState vga;
    MemoryRegion lfb, rom;
} ISAVGAState;

static bool isa_vga_realize(Device *dev, Error **errp)
{
    ISAVGAState *d = (ISAVGAState *)dev;
    if (!board.system_memory || !board.system_io) {
        error_setg(errp, "no memory or I/O space to attach to");
        return false;
    }
    if (d->vram_size < 256 * KiB || d->vram_size > 256 * MiB ||
        (d->vram_size & (d->vram_size - 1))) {
        error_setg(errp, "vgamem %" PRIu64 " must be a power of two from 256K to 256M",
                   d->vram_size);
        return false;
    }
    if (d->romfile && *d->romfile &&
        !vga_load_rom(&d->rom, d->romfile, board.system_memory, 0xc0000, errp))
        return false;
    vga_core_init(&d->vga, d->vram_size, "vga");
    vga_map_legacy(&d->vga, board.system_memory, board.system_io);
    if (d->lfb_addr) {
        memory_region_init_alias(&d->lfb, "vga.lfb", &d->vga.vram, 0, d->vga.vram_size);
        memory_region_add_subregion(board.system_memory, d->lfb_addr, &d->lfb);
    }
    return true;
}

static void isa_vga_reset(Device *dev)
{
    vga_core_reset(&((ISAVGAState *)dev)->vga);
}

static const DeviceProp isa_vga_props[] = {
    PROP_SIZE("vgamem", ISAVGAState, vram_size, 16 * MiB, "video memory size"),
    PROP_U64("lfb", ISAVGAState, lfb_addr, VBE_DISPI_LFB_PHYSICAL_ADDRESS,
             "physical address of the VBE linear frame buffer (0: none)"),
    PROP_STR("romfile", ISAVGAState, romfile, NULL, "VGA BIOS image mapped at 0xc0000"),
    PROP_END,
};

static const DeviceClass isa_vga_class = {
    .name = "isa-vga", .bus = "isa", .desc = "VGA with Bochs VBE extensions on the ISA bus",
    .size = sizeof(ISAVGAState), .props = isa_vga_props,
    .realize = isa_vga_realize, .reset = isa_vga_reset,
};
DEVICE_CLASS_REGISTER(isa_vga_class);
