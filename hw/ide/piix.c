/* piix.c: the PIIX3/PIIX4 IDE function ("piix3-ide" 8086:7010, "piix4-ide" 8086:7111): two
 * channels on the legacy ports and ISA IRQs 14/15, and the bus-master registers at BAR4
 * (Intel 82371SB PIIX3 and 82371AB PIIX4 datasheets, "IDE interface"). */
#include "util/osdep.h"
#include "hw/core/board.h"
#include "hw/pci/pci.h"
#include "hw/ide/internal.h"

typedef struct PIIXIDEState {
    PCIDevice pci;
    IDEBus bus[2];
    BMDMAState bmdma[2];
    MemoryRegion bar4;
} PIIXIDEState;

static const struct {
    uint16_t cmd, ctl;
    int irq;
} piix_legacy[2] = { { 0x1f0, 0x3f6, 14 }, { 0x170, 0x376, 15 } };

/* PIIX config registers beyond the header: IDETIM (40h, 42h), SIDETIM (44h), UDMACTL (48h),
 * UDMATIM (4Ah) are timing knobs the guest may write; they change nothing here. */
#define PIIX_IDETIM 0x40

static bool piix_can_master(void *opaque)
{
    PIIXIDEState *s = opaque;
    return pci_get_word(s->pci.config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

static bool piix_ide_realize_common(Device *dev, uint16_t device_id, Error **errp)
{
    PIIXIDEState *s = (PIIXIDEState *)dev;
    const PCIDeviceInfo info = {
        .vendor_id = 0x8086, .device_id = device_id,
        .class_code = 0x010180,              /* IDE, bus master, both channels legacy */
    };
    if (!board.system_io) {
        error_setg(errp, "no I/O space to attach to");
        return false;
    }
    if (!pci_device_realize(&s->pci, dev->cls->name, &info, PCI_DEVFN_AUTO, errp))
        return false;
    for (int i = 0x40; i < 0x4c; i++)
        s->pci.wmask[i] = 0xff;
    memory_region_init_container(&s->bar4, "piix-bmdma", 16);
    for (int ch = 0; ch < 2; ch++) {
        IDEBus *bus = &s->bus[ch];
        ide_bus_init(bus, isa_get_irq(piix_legacy[ch].irq));
        memory_region_init_io(&bus->cmd_io, ch ? "ide1-cmd" : "ide0-cmd", &ide_cmd_ops, bus, 8);
        memory_region_init_io(&bus->ctl_io, ch ? "ide1-ctl" : "ide0-ctl", &ide_ctl_ops, bus, 1);
        memory_region_add_subregion(board.system_io, piix_legacy[ch].cmd, &bus->cmd_io);
        memory_region_add_subregion(board.system_io, piix_legacy[ch].ctl, &bus->ctl_io);
        bmdma_init(&s->bmdma[ch], bus, pci_dma_as(&s->pci));
        s->bmdma[ch].can_master = piix_can_master;
        s->bmdma[ch].master_opaque = s;
        memory_region_add_subregion(&s->bar4, 8 * ch, &s->bmdma[ch].io);
        ide_bus_reset(bus);
    }
    pci_register_bar(&s->pci, 4, PCI_BAR_IO, &s->bar4);
    return true;
}

static bool piix3_ide_realize(Device *dev, Error **errp)
{
    return piix_ide_realize_common(dev, 0x7010, errp);
}

static bool piix4_ide_realize(Device *dev, Error **errp)
{
    return piix_ide_realize_common(dev, 0x7111, errp);
}

static void piix_ide_reset(Device *dev)
{
    PIIXIDEState *s = (PIIXIDEState *)dev;
    pci_device_reset(&s->pci);
    for (int i = 0x40; i < 0x4c; i++)
        s->pci.config[i] = 0;
    for (int ch = 0; ch < 2; ch++)
        ide_bus_reset(&s->bus[ch]);
}

IDEBus *piix_ide_get_bus(Device *dev, int channel)
{
    if (!dev || channel < 0 || channel > 1 ||
        (strcmp(dev->cls->name, "piix3-ide") && strcmp(dev->cls->name, "piix4-ide")))
        return NULL;
    return &((PIIXIDEState *)dev)->bus[channel];
}

static const DeviceProp piix_ide_props[] = {
    PCI_PROP_ADDR(PIIXIDEState),
    PROP_END,
};

static const DeviceClass piix3_ide_class = {
    .name = "piix3-ide", .bus = "pci", .desc = "PIIX3 IDE controller (two channels, bus master)",
    .size = sizeof(PIIXIDEState), .props = piix_ide_props,
    .realize = piix3_ide_realize, .reset = piix_ide_reset,
};
DEVICE_CLASS_REGISTER(piix3_ide_class);

static const DeviceClass piix4_ide_class = {
    .name = "piix4-ide", .bus = "pci", .desc = "PIIX4 IDE controller (two channels, bus master)",
    .size = sizeof(PIIXIDEState), .props = piix_ide_props,
    .realize = piix4_ide_realize, .reset = piix_ide_reset,
};
DEVICE_CLASS_REGISTER(piix4_ide_class);
