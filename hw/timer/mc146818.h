/* mc146818.h: MC146818 real-time clock and the PC's 128-byte CMOS RAM (ports 0x70/0x71). */
#ifndef HW_TIMER_MC146818_H
#define HW_TIMER_MC146818_H

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"
#include "hw/core/clock.h"

/* Register indexes (Motorola MC146818A datasheet; PC uses as in the IBM AT technical ref). */
enum {
    RTC_SECONDS = 0x00, RTC_SECONDS_ALARM = 0x01, RTC_MINUTES = 0x02, RTC_MINUTES_ALARM = 0x03,
    RTC_HOURS = 0x04, RTC_HOURS_ALARM = 0x05, RTC_DAY_OF_WEEK = 0x06, RTC_DAY_OF_MONTH = 0x07,
    RTC_MONTH = 0x08, RTC_YEAR = 0x09,
    RTC_REG_A = 0x0a, RTC_REG_B = 0x0b, RTC_REG_C = 0x0c, RTC_REG_D = 0x0d,
    RTC_CENTURY = 0x32,          /* IBM PC convention */
    RTC_CMOS_SIZE = 128,
};
#define REG_A_UIP  0x80
#define REG_B_SET  0x80
#define REG_B_PIE  0x40
#define REG_B_AIE  0x20
#define REG_B_UIE  0x10
#define REG_B_SQWE 0x08
#define REG_B_DM   0x04          /* 1: binary, 0: BCD */
#define REG_B_24H  0x02
#define REG_B_DSE  0x01
#define REG_C_IRQF 0x80
#define REG_C_PF   0x40
#define REG_C_AF   0x20
#define REG_C_UF   0x10
#define REG_D_VRT  0x80

#define RTC_MAX_COALESCED 100000 /* driftfix=slew gives up owing more ticks than this */

typedef struct RTCState {
    Device dev;
    uint32_t iobase, irq;
    char *base;                  /* -rtc base=utc|localtime|YYYY-MM-DD[THH:MM:SS] */
    char *clock_name, *driftfix; /* -rtc clock=host|rt|vm, driftfix=none|slew */
    ClockType clock;             /* the clock guest time and the RTC's timers follow */
    bool slew;
    uint8_t cmos[RTC_CMOS_SIZE];
    uint8_t index;
    bool nmi_masked;             /* bit 7 of the index port */
    /* Guest time = base_ns + (clock_ns(clock) - base_ref), in ns since 1970 read as UTC. */
    int64_t base_ns, base_ref;
    int64_t last_update_sec;     /* the last second whose update cycle flags were set */
    int64_t last_periodic;       /* clock_ns(clock) of the last periodic flag (lazy PF) */
    uint32_t coalesced;          /* driftfix=slew: periodic interrupts still owed */
    Timer *periodic_timer, *update_timer;
    IrqLine *irq_line;
    bool irq_level, irq_disabled;    /* HPET legacy replacement owns IRQ8 when disabled */
    MemoryRegion io;
} RTCState;

/* props: the -rtc suboptions, "base=...,clock=...,driftfix=..." (NULL: the defaults). */
RTCState *rtc_create(const char *props, Error **errp);
/* CMOS RAM outside the clock registers (memory sizes, boot flags), for the board. */
void rtc_cmos_set(RTCState *s, int index, uint8_t value);
uint8_t rtc_cmos_get(RTCState *s, int index);
/* Guest wall-clock time now, in seconds since 1970 (UTC-style). */
int64_t rtc_guest_time(RTCState *s);
bool rtc_nmi_masked(RTCState *s);
/* Connect or disconnect the RTC from IRQ8 (HPET legacy replacement route). */
void rtc_set_irq_enabled(RTCState *s, bool enabled);

#endif
