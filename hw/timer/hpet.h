/* hpet.h: High Precision Event Timer (IA-PC HPET 1.0a) at 0xfed00000: 100 MHz main counter,
 * three comparators, legacy replacement routing to IRQ0/IRQ8. */
#ifndef HW_TIMER_HPET_H
#define HW_TIMER_HPET_H

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"
#include "hw/core/clock.h"

#define HPET_BASE        0xfed00000ULL
#define HPET_NUM_TIMERS  3
#define HPET_PERIOD_FS   10000000ULL     /* 10 ns per tick */
#define HPET_PERIOD_NS   10
#define HPET_ROUTE_CAP   0x00ff0000u     /* comparators may use I/O APIC pins 16-23 */

struct HPETState;
typedef struct HPETTimer {
    struct HPETState *hpet;
    int index;
    uint64_t config, cmp, period;
    Timer *timer;
    bool level_out;
} HPETTimer;

typedef struct HPETState {
    Device dev;
    uint64_t base;
    uint64_t config, isr;
    uint64_t counter;            /* main counter while halted, or at enable_ns */
    int64_t enable_ns;
    HPETTimer t[HPET_NUM_TIMERS];
    IrqLine **gsi;               /* 24 I/O APIC inputs; set before realize (NULL: legacy only) */
    /* Called when legacy replacement turns on or off, so the PIT and RTC let go of (or take
     * back) IRQ0 and IRQ8. */
    void (*legacy_changed)(void *opaque, bool on);
    void *legacy_opaque;
    MemoryRegion mmio;
} HPETState;

HPETState *hpet_create(IrqLine **gsi, Error **errp);
uint64_t hpet_read_counter(HPETState *s);

#endif
