/* irq.h: interrupt lines between devices, interrupt controllers and CPUs. */
#ifndef HW_CORE_IRQ_H
#define HW_CORE_IRQ_H

#include "util/osdep.h"

typedef void IrqHandler(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler *handler;
    void *opaque;
    int n;
} IrqLine;

/* Lines n = 0..count-1 all delivered to handler(opaque, n, level). */
IrqLine *irq_alloc_lines(IrqHandler *handler, void *opaque, int count);
/* A line that drives both a and b (ISA IRQs go to the PIC and the I/O APIC). */
IrqLine *irq_split(IrqLine *a, IrqLine *b);

static inline void irq_set(IrqLine *irq, int level)
{
    if (irq)
        irq->handler(irq->opaque, irq->n, level);
}
static inline void irq_raise(IrqLine *irq) { irq_set(irq, 1); }
static inline void irq_lower(IrqLine *irq) { irq_set(irq, 0); }
static inline void irq_pulse(IrqLine *irq)
{
    irq_set(irq, 1);
    irq_set(irq, 0);
}

#endif
