/* i440fx.h: Intel 440FX PCI host bridge (PMC): configuration mechanism #1, PAM, SMRAM. */
#ifndef HW_PCI_I440FX_H
#define HW_PCI_I440FX_H

#include "hw/pci/pci.h"

/* 82441FX configuration registers (Intel 290549, 3.2). */
#define I440FX_PAM0      0x59    /* PAM0-PAM6: 0x59-0x5f */
#define I440FX_SMRAM     0x72
#define  SMRAM_D_OPEN     0x40
#define  SMRAM_D_CLS      0x20
#define  SMRAM_D_LCK      0x10
#define  SMRAM_G_SMRAME   0x08
#define  SMRAM_C_BASE_SEG 0x02   /* hardwired: SMRAM at A0000 */
#define I440FX_PAM_SEGMENTS 13   /* F0000-FFFFF, then 12 x 16 KiB from C0000 */

typedef struct I440FXState I440FXState;

/* One PAM segment in write-only mode: reads from PCI, writes to DRAM. */
typedef struct I440FXPamWO {
    I440FXState *s;
    uint32_t base;
} I440FXPamWO;

struct I440FXState {
    PCIDevice pci;
    PCIBus *bus;
    MemoryRegion *ram;           /* guest RAM block (offset = guest physical below 1 MiB) */
    MemoryRegion *pci_view;      /* what the CPU sees in C0000-FFFFF when PAM disables RAM */
    AddressSpace pci_view_as;
    uint32_t config_address;     /* CONFIG_ADDRESS (0xcf8) */
    MemoryRegion addr_io, data_io;
    MemoryRegion pam_rw[I440FX_PAM_SEGMENTS], pam_ro[I440FX_PAM_SEGMENTS],
                 pam_wo[I440FX_PAM_SEGMENTS], pam_pci[I440FX_PAM_SEGMENTS];
    I440FXPamWO pam_wo_ctx[I440FX_PAM_SEGMENTS];
    MemoryRegion smram;          /* RAM at A0000 while D_OPEN */
};

/* Create the PCI bus (BARs in board.system_memory/system_io), the host bridge at 00.0 and the
 * config ports 0xcf8/0xcfc. `ram` backs the shadow areas; `pci_view` is a container the
 * board fills with what lies under them (the isa-bios alias, ISA option ROMs). */
I440FXState *i440fx_create(MemoryRegion *ram, MemoryRegion *pci_view, Error **errp);

#endif
