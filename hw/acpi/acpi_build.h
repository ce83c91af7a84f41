/* acpi_build.h: ACPI tables built in C and published through fw_cfg with QEMU's table-loader
 * commands ("etc/acpi/rsdp", "etc/acpi/tables", "etc/table-loader"), which SeaBIOS and our
 * BIOS execute to place, link and checksum them. */
#ifndef HW_ACPI_ACPI_BUILD_H
#define HW_ACPI_ACPI_BUILD_H

#include "hw/misc/fw_cfg.h"

typedef struct AcpiBuildConfig {
    int ncpus;
    uint64_t ram_below_4g;       /* the PCI memory window starts above this */
    bool have_ioapic;            /* MADT (with the I/O APIC and local APICs) */
    bool have_hpet;              /* HPET table */
    /* PIRQA-D -> ISA IRQ as the firmware programs PIIX3 (SeaBIOS: 10, 10, 11, 11). */
    uint8_t pirq_irq[4];
} AcpiBuildConfig;

/* table-loader commands (QEMU hw/acpi/bios-linker-loader.c, the firmware-facing format). */
enum {
    BIOS_LINKER_LOADER_COMMAND_ALLOCATE = 1,
    BIOS_LINKER_LOADER_COMMAND_ADD_POINTER = 2,
    BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM = 3,
    BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH = 1,
    BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG = 2,
};
#define BIOS_LINKER_LOADER_ENTRY_SIZE 128

/* Build RSDP, RSDT, XSDT, FADT, FACS, DSDT (and MADT/HPET when present) into fw_cfg. */
void acpi_build_tables(FWCfgState *fw, const AcpiBuildConfig *cfg);

#endif
