/* isa.c: "isa-ide", one IDE channel on fixed ISA ports (no bus master): the legacy form of
 * the PIIX channels, and what boards use until the PCI function is wired. */
#include "util/osdep.h"
#include "hw/core/board.h"
#include "hw/ide/internal.h"

typedef struct ISAIDEState {
    Device dev;
    uint32_t iobase, iobase2, irq;
    IDEBus bus;
} ISAIDEState;

static bool isa_ide_realize(Device *dev, Error **errp)
{
    ISAIDEState *d = (ISAIDEState *)dev;
    if (d->iobase > 0xfff8 || d->iobase2 > 0xffff || d->irq >= ISA_NUM_IRQS) {
        error_setg(errp, "iobase 0x%x, iobase2 0x%x or irq %u out of range", d->iobase,
                   d->iobase2, d->irq);
        return false;
    }
    if (!board.system_io) {
        error_setg(errp, "no I/O space to attach to");
        return false;
    }
    ide_bus_init(&d->bus, isa_get_irq(d->irq));
    memory_region_init_io(&d->bus.cmd_io, "ide-cmd", &ide_cmd_ops, &d->bus, 8);
    memory_region_init_io(&d->bus.ctl_io, "ide-ctl", &ide_ctl_ops, &d->bus, 1);
    memory_region_add_subregion(board.system_io, d->iobase, &d->bus.cmd_io);
    memory_region_add_subregion(board.system_io, d->iobase2, &d->bus.ctl_io);
    ide_bus_reset(&d->bus);
    return true;
}

static void isa_ide_reset(Device *dev)
{
    ide_bus_reset(&((ISAIDEState *)dev)->bus);
}

IDEBus *isa_ide_get_bus(Device *dev)
{
    if (!dev || strcmp(dev->cls->name, "isa-ide"))
        return NULL;
    return &((ISAIDEState *)dev)->bus;
}

static const DeviceProp isa_ide_props[] = {
    PROP_U32("iobase", ISAIDEState, iobase, 0x1f0, "command block ports (8)"),
    PROP_U32("iobase2", ISAIDEState, iobase2, 0x3f6, "device control / alternate status port"),
    PROP_U32("irq", ISAIDEState, irq, 14, "ISA interrupt line"),
    PROP_END,
};

static const DeviceClass isa_ide_class = {
    .name = "isa-ide", .bus = "isa", .desc = "IDE channel on ISA ports (PIO only)",
    .size = sizeof(ISAIDEState), .props = isa_ide_props,
    .realize = isa_ide_realize, .reset = isa_ide_reset,
};
DEVICE_CLASS_REGISTER(isa_ide_class);
