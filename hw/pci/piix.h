/* piix.h: PIIX3/PIIX4 function 0, the PCI-to-ISA bridge with PIRQ routing and reset control. */
#ifndef HW_PCI_PIIX_H
#define HW_PCI_PIIX_H

#include "hw/pci/pci.h"
#include "hw/core/irq.h"

#define PIIX_PIRQRC      0x60    /* PIRQRC[A:D]: 0x60-0x63; bit 7 disables, 3:0 the ISA IRQ */
#define PIIX_NUM_PIRQS   4

typedef struct PIIXState {
    PCIDevice pci;
    char *model;                 /* "piix3" or "piix4" */
    int pirq_level[PIIX_NUM_PIRQS];
    int isa_level[16];           /* what the routing drives on each ISA IRQ */
    uint8_t rcr;                 /* reset control register (0xcf9) */
    MemoryRegion rcr_io;
} PIIXState;

/* Function 0 at 01.0 on `bus`, routing the bus's INTx to board.isa_irq[]. */
PIIXState *piix_create(PCIBus *bus, const char *model, Error **errp);

#endif
