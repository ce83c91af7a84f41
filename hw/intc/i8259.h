/* i8259.h: the PC's cascaded pair of 8259A programmable interrupt controllers, with ELCR. */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"

/* One 8259A (Intel 8259A datasheet, 231468). */
typedef struct PIC8259 {
    uint8_t irr, imr, isr;       /* interrupt request, mask, in-service registers */
    uint8_t last_irr;            /* input levels seen, for edge detection */
    uint8_t priority_add;        /* the IR with the highest priority (rotation) */
    uint8_t irq_base;            /* ICW2: T7-T3 of the vector */
    uint8_t read_reg_select;     /* OCW3 RIS: 0 IRR, 1 ISR */
    bool poll;                   /* OCW3 P: next read is a poll */
    bool special_mask;           /* OCW3 SMM */
    uint8_t init_state;          /* 0 ready, 1-3: expecting ICW2-ICW4 */
    bool init4, single_mode, ltim;
    bool auto_eoi, rotate_on_auto_eoi, special_fully_nested;
    uint8_t elcr;                /* edge/level control (PIIX ELCR1/ELCR2) */
    uint8_t elcr_mask;           /* bits of the ELCR that exist */
} PIC8259;

typedef struct I8259State {
    Device dev;
    uint32_t master_base, slave_base, elcr_base;
    IrqLine *intr;               /* to the CPU's INTR pin; set before realize */
    PIC8259 chip[2];             /* 0 master (IRQ0-7), 1 slave (IRQ8-15 on master IR2) */
    IrqLine *inputs;             /* 16 lines: ISA IRQ0-15 */
    MemoryRegion io_master, io_slave, io_elcr;
} I8259State;

/* Create and realize the pair on board.system_io; `intr` is the CPU's INTR input. */
I8259State *i8259_create(IrqLine *intr, Error **errp);
/* Interrupt acknowledge cycle: the vector to deliver (spurious IRQ7/IRQ15 when nothing is). */
int i8259_get_vector(void *opaque);
/* The level the pair drives onto INTR now. */
bool i8259_intr_level(I8259State *s);

#endif
