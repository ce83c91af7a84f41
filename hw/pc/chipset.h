/* chipset.h: one call that creates and wires the pc machine's chipset (i440FX/PIIX and the
 * legacy ISA devices) for the board code.
 *
 *     PCChipsetConfig cfg = {
 *         .ram = &ram, .ram_below_4g = below, .ram_above_4g = above,
 *         .bios = &bios_rom, .ncpus = 1, .cpu_intr = &cpu_intr_line,
 *         .boot_order = "cd", .kernel = k, .kernel_size = ks, .cmdline = "console=ttyS0",
 *     };
 *     PCChipset *cs = pc_chipset_create(&cfg, &err);
 *     cpu->intr_source = (X86InterruptSource){ pc_chipset_get_vector, cs };
 *
 * Before the call the board sets board.system_memory/system_io/memory_as/io_as and the
 * request_reset/request_shutdown/set_a20 hooks. The chipset maps RAM (below 4G at 0, the rest
 * at 4G), the BIOS ROM (at 4G - size, its last 128 KiB through PAM at 0xE0000), and fills in
 * board.isa_irq[]. Devices created later (serial, IDE, VGA, NICs) use board.isa_irq[] and
 * cs->pci_bus (also pci_bus_default()).
 */
#ifndef HW_PC_CHIPSET_H
#define HW_PC_CHIPSET_H

#include "hw/core/memory.h"
#include "hw/core/irq.h"
#include "hw/core/board.h"
#include "hw/pci/pci.h"
#include "hw/intc/i8259.h"
#include "hw/timer/i8254.h"
#include "hw/timer/mc146818.h"
#include "hw/pci/i440fx.h"
#include "hw/pci/piix.h"
#include "hw/misc/fw_cfg.h"
#include "hw/input/i8042.h"
#include "hw/input/port92.h"
#include "hw/audio/pcspk.h"
#include "hw/misc/port80.h"
#include "hw/acpi/piix4_pm.h"
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "hw/timer/hpet.h"
#include "hw/acpi/acpi_build.h"

/* Top of low RAM kept free of the initrd for the firmware's tables. */
#define PC_FIRMWARE_HIGH_RESERVE (1 * MiB)

typedef struct PCChipsetConfig {
    MemoryRegion *ram;           /* the guest RAM block: ram_below_4g + ram_above_4g bytes */
    uint64_t ram_below_4g, ram_above_4g;
    MemoryRegion *bios;          /* system BIOS ROM, 64 KiB .. 16 MiB */
    int ncpus;                   /* 0 means 1 */
    IrqLine *cpu_intr;           /* the CPU's INTR input: the PIC drives it, or the local APIC */
    const char *boot_order;      /* -boot order=: drive letters a, c, d, n (NULL: "cad") */
    bool boot_menu;              /* -boot menu=on */
    const char *bootorder;       /* fw_cfg "bootorder": OpenFirmware paths, one per line, from
                                  * bootindex= (e.g. "/pci@i0cf8/ide@1,1/drive@0/disk@0\n") */
    uint32_t boot_menu_timeout;  /* ms, 0 for the firmware's default */
    const char *rtc;             /* -rtc suboptions: base=,clock=,driftfix= (NULL: defaults) */
    const char *piix_model;      /* "piix3" (default) or "piix4" for function 0 */
    /* Direct Linux boot (-kernel/-initrd/-append): a bzImage, published through fw_cfg. */
    const uint8_t *kernel;
    size_t kernel_size;
    const uint8_t *initrd;
    size_t initrd_size;
    const char *cmdline;
    bool no_acpi;                /* -no-acpi: no PIIX4 PM function, no tables */
    /* APIC mode: local APICs (one per CPU), the I/O APIC and the HPET, and MADT/HPET tables.
     * The CPU side must then honour CPUID.APIC and call apic_get_tpr/apic_set_tpr (CR8),
     * apic_get_base/apic_set_base (MSR 0x1b) and apic_set_tsc_deadline (MSR 0x6e0). */
    bool apic;
    IrqLine **cpu_intr_all;      /* APIC mode, SMP: INTR of CPU i (NULL: only CPU 0's) */
    IrqLine *cpu_nmi;            /* APIC mode: NMI of CPU 0 (LINT1, NMI IPIs), optional */
    bool no_hpet;                /* APIC mode without the HPET (-no-hpet) */
} PCChipsetConfig;

typedef struct PCChipset {
    I8259State *pic;
    PITState *pit;
    PCSpkState *speaker;
    RTCState *rtc;
    I8042State *kbc;
    Port92State *port92;
    Port80State *port80;
    I440FXState *host;
    PIIXState *isa_bridge;
    PCIBus *pci_bus;
    FWCfgState *fw_cfg;
    PIIX4PMState *pm;            /* NULL with no_acpi */
    APICState *apic[APIC_MAX];   /* APIC mode: CPU i's local APIC */
    IOAPICState *ioapic;
    HPETState *hpet;
    IrqLine *gsi[IOAPIC_NUM_PINS];    /* APIC mode: GSI 0-23 */
    IrqLine *isa_irq_models[ISA_NUM_IRQS];   /* APIC mode: ISA IRQ n to the PIC and I/O APIC */
    IrqLine **isa_irq;           /* = board.isa_irq: ISA IRQ 0-15 */
    MemoryRegion ram_below, ram_above, pci_view, isa_bios;
} PCChipset;

PCChipset *pc_chipset_create(const PCChipsetConfig *cfg, Error **errp);
/* X86InterruptSource.get_vector for CPU 0: interrupt acknowledge (opaque = the PCChipset);
 * the local APIC's in APIC mode, else the 8259's. Other CPUs use apic_get_vector with
 * opaque = cs->apic[i]. */
int pc_chipset_get_vector(void *opaque);
/* CMOS RAM bytes outside the clock (0x0e-0x7f): floppy/disk types and the like. Bytes
 * 0x10-0x2d keep the AT checksum at 0x2e/0x2f up to date. */
void pc_cmos_set(PCChipset *cs, int index, uint8_t value);

#endif
