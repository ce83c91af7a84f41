/* ioapic.h: 82093AA I/O APIC at 0xfec00000, 24 redirection entries, messages to local APICs. */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"

#define IOAPIC_NUM_PINS 24
#define IOAPIC_DEFAULT_BASE 0xfec00000ULL

typedef struct IOAPICState {
    Device dev;
    uint64_t base;
    uint8_t id;
    uint8_t ioregsel;
    uint32_t irr;                /* raw input levels of the 24 pins */
    uint64_t redtbl[IOAPIC_NUM_PINS];
    IrqLine *inputs;             /* GSI 0-23 */
    MemoryRegion mmio;
} IOAPICState;

IOAPICState *ioapic_create(Error **errp);
/* A level-triggered vector was EOIed by a local APIC. */
void ioapic_eoi(IOAPICState *s, uint8_t vector);

#endif
