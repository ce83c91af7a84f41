/* pci.h: the PCI devices POST found on bus 0. */
#ifndef BIOS_PCI_H
#define BIOS_PCI_H
#include "types.h"

#define PCI_MAX_DEV 32
struct pci_device {
    u16 bdf;
    u16 vendor, device;
    u32 class;          /* class << 16 | subclass << 8 | prog-if */
    u8 htype, irq;
    u32 rom_addr, rom_size;     /* expansion ROM BAR assignment, 0 if none */
};
struct pci_devices {
    int count;
    u16 router_bdf;
    struct pci_device dev[PCI_MAX_DEV];
};
VARFSEG_DECL(struct pci_devices, pci_devices);

/* Boot entry vectors of PnP option ROMs (network boot and the like). */
#define MAX_BEV 4
struct bev {
    u16 seg, off;
    char name[24];
};
struct bev_list {
    u8 count;
    struct bev e[MAX_BEV];
};
VARFSEG_DECL(struct bev_list, bev_list);
/* The VGA ROM's INT 10h when ours mirrors in front of it (seg << 16 | off), else 0. */
VARFSEG_DECL(u32, int10_chain);

void pci_setup(void);           /* POST */
void optionrom_setup(void);     /* POST: VGA ROM, PCI ROMs, ISA ROMs at C8000h-DFFFFh */

#endif
