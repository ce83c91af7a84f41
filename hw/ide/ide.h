/* ide.h: what a board needs to create IDE channels and attach disks and CD-ROMs to them.
 *
 *     Device *d = device_create("isa-ide", "iobase=0x1f0,iobase2=0x3f6,irq=14", &err);
 *     ide_attach_drive(isa_ide_get_bus(d), 0, blockdev, IDE_HD, &err);
 *
 * The channel core (core.c, atapi.c) knows nothing of the bus it hangs from; isa.c wraps it
 * on fixed ISA ports and bmdma.c adds the PIIX bus-master DMA engine that a PCI function maps
 * at BAR4.
 */
#ifndef HW_IDE_IDE_H
#define HW_IDE_IDE_H

#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/device.h"
#include "hw/core/blockdev.h"

typedef enum IDEDriveKind { IDE_NONE, IDE_HD, IDE_CD } IDEDriveKind;

typedef struct IDEBus IDEBus;

/* Attach a medium as unit 0 (master) or 1 (slave). A CD-ROM may have bd == NULL (empty
 * drive) or a bd whose length() is 0. Call before the guest runs (board setup). */
bool ide_attach_drive(IDEBus *bus, int unit, BlockDev *bd, IDEDriveKind kind, Error **errp);
/* Override the default CHS geometry of a disk (16 heads, 63 sectors, cylinders from size). */
bool ide_set_geometry(IDEBus *bus, int unit, unsigned cyls, unsigned heads, unsigned secs,
                      Error **errp);
/* Insert (bd != NULL) or eject (bd == NULL) the medium of a CD-ROM, as the monitor's
 * `change`/`eject` do: the guest sees a unit attention and a media event. */
bool ide_cd_change_medium(IDEBus *bus, int unit, BlockDev *bd, Error **errp);

/* Give a channel a PIIX bus-master DMA engine reaching guest memory through `as`; returns
 * its 8 I/O ports for the caller to map (the PCI function at BAR4 + 8 * channel). */
struct MemoryRegion;
struct AddressSpace;
struct MemoryRegion *ide_bus_add_bmdma(IDEBus *bus, struct AddressSpace *as);

/* Bus-master transfers fail (as a PCI master abort would) while can_master(opaque) is false. */
void ide_bus_set_master_check(IDEBus *bus, bool (*can_master)(void *opaque), void *opaque);

/* The channel of an "isa-ide" device. */
IDEBus *isa_ide_get_bus(Device *dev);
/* Channel 0 (primary) or 1 (secondary) of a "piix3-ide"/"piix4-ide" PCI function. */
IDEBus *piix_ide_get_bus(Device *dev, int channel);

#endif
