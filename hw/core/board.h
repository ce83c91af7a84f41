/* board.h: what a device needs from the machine it is plugged into — the system memory and
 * I/O spaces and the ISA interrupt lines — filled in by the board (hw/pc) before devices
 * are realized. */
#ifndef HW_CORE_BOARD_H
#define HW_CORE_BOARD_H

#include "hw/core/memory.h"
#include "hw/core/irq.h"

#define ISA_NUM_IRQS 16

typedef struct Board {
    MemoryRegion *system_memory;   /* root of the CPU-visible physical address space */
    MemoryRegion *system_io;       /* root of the 64 KiB port space */
    AddressSpace *memory_as;
    AddressSpace *io_as;
    IrqLine *isa_irq[ISA_NUM_IRQS];
    /* Request a machine reset or power-off (from devices: i8042, 0xcf9, ACPI, debug-exit). */
    void (*request_reset)(void);
    void (*request_shutdown)(int exit_status);
    /* Gate A20 (port 0x92, i8042). */
    void (*set_a20)(bool enabled);
    /* Set by an accelerator that has its own interrupt controllers (KVM's in-kernel irqchip:
     * PIC, I/O APIC, local APICs): the board's interrupt lines then go to its GSIs (0-23, ISA
     * IRQ n = GSI n) instead of the PIC and I/O APIC models. */
    void (*kernel_irqchip_set_gsi)(int gsi, int level);
} Board;

extern Board board;

static inline IrqLine *isa_get_irq(int n)
{
    return (n >= 0 && n < ISA_NUM_IRQS) ? board.isa_irq[n] : NULL;
}

#endif
