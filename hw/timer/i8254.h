/* i8254.h: the 8254 programmable interval timer (ports 0x40-0x43), channel 0 on IRQ0. */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"
#include "hw/core/clock.h"

#define PIT_FREQ 1193182             /* Hz: 14.31818 MHz / 12 */

typedef struct PITChannel {
    uint32_t count;                  /* initial count, 1..0x10000 (binary) or 1..10000 (BCD) */
    int64_t load_time;               /* CLOCK_VIRTUAL ns when counting (re)started */
    uint64_t frozen_ticks;           /* elapsed ticks while the gate holds the count */
    bool frozen;
    bool armed;                      /* modes 1 and 5: waiting for a gate trigger */
    uint8_t mode, rw_mode, bcd;
    bool gate;
    bool null_count;
    uint16_t latched_count;
    uint8_t count_latched;           /* 0, or the rw mode of the latch still to be read */
    uint8_t status;
    bool status_latched;
    uint8_t read_msb, write_msb;     /* next byte of a 16-bit access is the MSB */
    uint8_t write_lsb;
    bool irq_level;
    Timer *timer;                    /* channel 0: next edge of OUT */
    int64_t next_edge;               /* CLOCK_VIRTUAL ns of the edge the timer is for */
} PITChannel;

typedef struct PITState {
    Device dev;
    uint32_t iobase, irq;
    PITChannel ch[3];
    IrqLine *irq_line;
    bool irq_disabled;           /* HPET legacy replacement owns IRQ0 */
    MemoryRegion io;
} PITState;

PITState *pit_create(Error **errp);
/* GATE input of a channel (channel 2: port 0x61 bit 0). */
void pit_set_gate(PITState *s, int channel, bool level);
bool pit_get_gate(PITState *s, int channel);
/* OUT pin of a channel now (channel 2: port 0x61 bit 5). */
bool pit_get_out(PITState *s, int channel);
/* Connect or disconnect OUT0 from IRQ0 (HPET legacy replacement route). */
void pit_set_irq_enabled(PITState *s, bool enabled);
/* The counter value a read would return now (binary). */
uint32_t pit_get_count(PITState *s, int channel);

#endif
