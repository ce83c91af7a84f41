/* mc146818.c: MC146818 RTC (time, alarm, periodic/update/alarm interrupts) and CMOS RAM. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/timer/mc146818.h"
#include <time.h>

#define UIP_NS 244000            /* update-in-progress precedes the update by 244 us */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t rtc_guest_ns(RTCState *s)
{
    return s->base_ns + (clock_ns(s->clock) - s->base_ref);
}

int64_t rtc_guest_time(RTCState *s)
{
    return floor_div(rtc_guest_ns(s), NS_PER_SEC);
}

bool rtc_nmi_masked(RTCState *s)
{
    return s->nmi_masked;
}

/* The divider chain runs only with DV2-0 = 010 (32.768 kHz time base, register A). */
static bool rtc_running(RTCState *s)
{
    return (s->cmos[RTC_REG_A] & 0x70) == 0x20 && !(s->cmos[RTC_REG_B] & REG_B_SET);
}

static uint8_t to_reg(RTCState *s, int v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM)
        return v;
    return ((v / 10) << 4) | (v % 10);
}

static int from_reg(RTCState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM)
        return v;
    return (v >> 4) * 10 + (v & 0xf);
}

static uint8_t hour_to_reg(RTCState *s, int hour)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return to_reg(s, hour);
    /* 12-hour mode: 1-12, bit 7 set for PM. */
    int h = hour % 12;
    return to_reg(s, h ? h : 12) | (hour >= 12 ? 0x80 : 0);
}

static int hour_from_reg(RTCState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H)
        return from_reg(s, v);
    int h = from_reg(s, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* Write the broken-down guest time into the clock registers. */
static void rtc_store_time(RTCState *s, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    gmtime_r(&tt, &tm);
    s->cmos[RTC_SECONDS] = to_reg(s, tm.tm_sec);
    s->cmos[RTC_MINUTES] = to_reg(s, tm.tm_min);
    s->cmos[RTC_HOURS] = hour_to_reg(s, tm.tm_hour);
    s->cmos[RTC_DAY_OF_WEEK] = to_reg(s, tm.tm_wday + 1);
    s->cmos[RTC_DAY_OF_MONTH] = to_reg(s, tm.tm_mday);
    s->cmos[RTC_MONTH] = to_reg(s, tm.tm_mon + 1);
    int year = tm.tm_year + 1900;
    s->cmos[RTC_YEAR] = to_reg(s, year % 100);
    s->cmos[RTC_CENTURY] = to_reg(s, year / 100);
}

/* The guest set the clock: the registers become the new time, keeping the sub-second phase. */
static void rtc_load_time(RTCState *s)
{
    struct tm tm = { 0 };
    tm.tm_sec = from_reg(s, s->cmos[RTC_SECONDS]) % 60;
    tm.tm_min = from_reg(s, s->cmos[RTC_MINUTES]) % 60;
    tm.tm_hour = hour_from_reg(s, s->cmos[RTC_HOURS]) % 24;
    tm.tm_mday = from_reg(s, s->cmos[RTC_DAY_OF_MONTH]) % 32;
    tm.tm_mon = (from_reg(s, s->cmos[RTC_MONTH]) + 11) % 12;
    tm.tm_year = from_reg(s, s->cmos[RTC_CENTURY]) % 100 * 100 + from_reg(s, s->cmos[RTC_YEAR]) % 100 - 1900;
    if (tm.tm_mday == 0)
        tm.tm_mday = 1;
    int64_t secs = timegm(&tm);
    /* Keep guest time representable in int64 nanoseconds with decades to run: clamp the
     * registers' date to 1750-2199 (the century byte allows 0000-9999). */
    const int64_t lim = 7258118400LL;    /* 2200-01-01 */
    if (secs > lim)
        secs = lim;
    if (secs < -lim)
        secs = -lim;
    int64_t now = rtc_guest_ns(s);
    int64_t phase = now - floor_div(now, NS_PER_SEC) * NS_PER_SEC;
    s->base_ref = clock_ns(s->clock);
    s->base_ns = secs * NS_PER_SEC + phase;
    s->last_update_sec = secs;
}

/* IRQ8, unless the HPET's legacy replacement has taken the line over. */
static void rtc_drive_irq(RTCState *s, bool level)
{
    s->irq_level = level;
    if (!s->irq_disabled)
        irq_set(s->irq_line, level);
}

void rtc_set_irq_enabled(RTCState *s, bool enabled)
{
    s->irq_disabled = !enabled;
    irq_set(s->irq_line, enabled ? s->irq_level : 0);
}

static void rtc_update_irq(RTCState *s)
{
    uint8_t c = s->cmos[RTC_REG_C], b = s->cmos[RTC_REG_B];
    bool irqf = ((c & REG_C_PF) && (b & REG_B_PIE)) || ((c & REG_C_AF) && (b & REG_B_AIE)) ||
                ((c & REG_C_UF) && (b & REG_B_UIE));
    if (irqf)
        s->cmos[RTC_REG_C] |= REG_C_IRQF;
    rtc_drive_irq(s, irqf);
}

/* Periodic rate from RS3-0 of register A, in ns; 0 when off. Rates 1 and 2 are 256 and 128 Hz
 * (the 32.768 kHz time base, datasheet Table 5). */
static int64_t rtc_period_ns(RTCState *s)
{
    int rs = s->cmos[RTC_REG_A] & 0x0f;
    if (!rs || (s->cmos[RTC_REG_A] & 0x70) != 0x20)
        return 0;
    int ticks = rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
    return (int64_t)ticks * NS_PER_SEC / 32768;
}

/* Flag every update cycle that has happened since the last one we flagged (lazy UF/AF). */
static void rtc_catch_up_updates(RTCState *s)
{
    if (!rtc_running(s))
        return;
    int64_t now_sec = rtc_guest_time(s);
    if (now_sec <= s->last_update_sec)
        return;
    s->last_update_sec = now_sec;
    rtc_store_time(s, now_sec);
    s->cmos[RTC_REG_C] |= REG_C_UF;
    /* Alarm: each byte matches, or is a don't-care (11xxxxxx). */
    static const int pairs[3][2] = {
        { RTC_SECONDS_ALARM, RTC_SECONDS }, { RTC_MINUTES_ALARM, RTC_MINUTES },
        { RTC_HOURS_ALARM, RTC_HOURS },
    };
    bool match = true;
    for (int i = 0; i < 3; i++) {
        uint8_t a = s->cmos[pairs[i][0]];
        if ((a & 0xc0) != 0xc0 && a != s->cmos[pairs[i][1]])
            match = false;
    }
    if (match)
        s->cmos[RTC_REG_C] |= REG_C_AF;
}

/* Flag the periodic interrupt if a period has passed. With driftfix=slew, the periodic
 * interrupts the guest did not take in time (PF still set, or several periods at once) are
 * counted, to be delivered later at a faster rate, so a guest that counts ticks keeps time. */
static void rtc_catch_up_periodic(RTCState *s)
{
    int64_t period = rtc_period_ns(s);
    if (!period)
        return;
    int64_t now = clock_ns(s->clock);
    if (now - s->last_periodic >= period) {
        int64_t n = (now - s->last_periodic) / period;
        s->last_periodic += n * period;
        if (s->slew && (s->cmos[RTC_REG_B] & REG_B_PIE)) {
            int64_t lost = n - 1 + !!(s->cmos[RTC_REG_C] & REG_C_PF);
            s->coalesced = MIN(s->coalesced + lost, (int64_t)RTC_MAX_COALESCED);
        }
        s->cmos[RTC_REG_C] |= REG_C_PF;
    }
}

/* Timers only run while someone wants the interrupt; flags are otherwise computed on read. */
static void rtc_arm_timers(RTCState *s)
{
    int64_t period = rtc_period_ns(s);
    if (period && (s->cmos[RTC_REG_B] & REG_B_PIE)) {
        int64_t next = s->last_periodic + period;
        if (s->coalesced)
            next = MIN(next, clock_ns(s->clock) + period / 4);
        timer_mod(s->periodic_timer, next);
    } else {
        s->coalesced = 0;
        timer_del(s->periodic_timer);
    }
    if (rtc_running(s) && (s->cmos[RTC_REG_B] & (REG_B_UIE | REG_B_AIE))) {
        int64_t next_sec = rtc_guest_time(s) + 1;
        timer_mod(s->update_timer, s->base_ref + (next_sec * NS_PER_SEC - s->base_ns));
    } else {
        timer_del(s->update_timer);
    }
}

static void rtc_periodic_cb(void *opaque)
{
    RTCState *s = opaque;
    rtc_catch_up_periodic(s);
    if (s->coalesced && !(s->cmos[RTC_REG_C] & REG_C_PF)) {
        s->coalesced--;          /* a lost tick, delivered between two regular ones */
        s->cmos[RTC_REG_C] |= REG_C_PF;
    }
    rtc_update_irq(s);
    rtc_arm_timers(s);
}

static void rtc_update_cb(void *opaque)
{
    RTCState *s = opaque;
    rtc_catch_up_updates(s);
    rtc_update_irq(s);
    rtc_arm_timers(s);
}

static uint64_t rtc_read(void *opaque, uint64_t addr, unsigned size)
{
    RTCState *s = opaque;
    if (addr == 0)
        return 0xff;             /* the index register is write-only */
    uint8_t idx = s->index;
    switch (idx) {
    case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
        if (rtc_running(s)) {
            rtc_catch_up_updates(s);
            rtc_store_time(s, rtc_guest_time(s));
        }
        return s->cmos[idx];
    case RTC_REG_A: {
        uint8_t a = s->cmos[RTC_REG_A] & ~REG_A_UIP;
        if (rtc_running(s)) {
            int64_t ns = rtc_guest_ns(s);
            if (ns - floor_div(ns, NS_PER_SEC) * NS_PER_SEC >= NS_PER_SEC - UIP_NS)
                a |= REG_A_UIP;
        }
        return a;
    }
    case RTC_REG_C: {
        rtc_catch_up_updates(s);
        rtc_catch_up_periodic(s);
        uint8_t c = s->cmos[RTC_REG_C];
        uint8_t b = s->cmos[RTC_REG_B];
        if (((c & REG_C_PF) && (b & REG_B_PIE)) || ((c & REG_C_AF) && (b & REG_B_AIE)) ||
            ((c & REG_C_UF) && (b & REG_B_UIE)))
            c |= REG_C_IRQF;
        /* Reading register C clears every flag and releases IRQ8. */
        s->cmos[RTC_REG_C] = 0;
        rtc_drive_irq(s, 0);
        if (s->coalesced)
            rtc_arm_timers(s);   /* the next lost tick comes sooner */
        return c;
    }
    case RTC_REG_D:
        return REG_D_VRT;        /* valid RAM and time: the battery is fine */
    default:
        return s->cmos[idx];
    }
}

static void rtc_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    RTCState *s = opaque;
    if (addr == 0) {
        s->index = val & 0x7f;
        s->nmi_masked = val & 0x80;
        return;
    }
    uint8_t idx = s->index;
    switch (idx) {
    case RTC_SECONDS: case RTC_MINUTES: case RTC_HOURS: case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH: case RTC_MONTH: case RTC_YEAR: case RTC_CENTURY:
        if (rtc_running(s))
            rtc_store_time(s, rtc_guest_time(s));
        s->cmos[idx] = val;
        if (rtc_running(s))
            rtc_load_time(s);
        break;
    case RTC_REG_A: {
        bool was_running = rtc_running(s);
        uint8_t old_rs = s->cmos[RTC_REG_A] & 0x0f;
        s->cmos[RTC_REG_A] = val & 0x7f;           /* UIP is read-only */
        if ((val & 0x70) == 0x60 || (val & 0x70) == 0x70)
            qlog(LOG_UNIMP, "rtc: divider reset (DV=%d) holds the clock\n", (int)(val >> 4) & 7);
        if (!was_running && rtc_running(s))
            rtc_load_time(s);
        else if (was_running && !rtc_running(s))
            rtc_store_time(s, rtc_guest_time(s));
        if ((val & 0x0f) != old_rs)
            s->last_periodic = clock_ns(s->clock);
        break;
    }
    case RTC_REG_B: {
        bool was_running = rtc_running(s);
        int64_t t = rtc_guest_time(s);
        uint8_t old = s->cmos[RTC_REG_B];
        if (val & REG_B_SET)
            val &= ~REG_B_UIE;   /* SET clears UIE (datasheet, register B bit 7) */
        s->cmos[RTC_REG_B] = val;
        if (was_running && !rtc_running(s))
            rtc_store_time(s, t);        /* SET freezes the registers, in the new format */
        else if (!was_running && rtc_running(s))
            rtc_load_time(s);            /* the guest's new time starts counting */
        if ((val & REG_B_DSE) && !(old & REG_B_DSE))
            qlog(LOG_UNIMP, "rtc: daylight saving enable (DSE) is not implemented\n");
        if ((val & REG_B_PIE) && !(old & REG_B_PIE))
            s->last_periodic = clock_ns(s->clock);
        rtc_update_irq(s);
        break;
    }
    case RTC_REG_C: case RTC_REG_D:
        break;                   /* read-only */
    default:
        s->cmos[idx] = val;
        break;
    }
    rtc_arm_timers(s);
}

static const MemoryRegionOps rtc_ops = {
    .read = rtc_read, .write = rtc_write, .min_size = 1, .max_size = 1,
};

void rtc_cmos_set(RTCState *s, int index, uint8_t value)
{
    if (index >= 0x0e && index < RTC_CMOS_SIZE && index != RTC_CENTURY)
        s->cmos[index] = value;
}

uint8_t rtc_cmos_get(RTCState *s, int index)
{
    return (index >= 0 && index < RTC_CMOS_SIZE) ? s->cmos[index] : 0xff;
}

/* -rtc base=: utc, localtime, or a date "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM:SS" (QEMU's spelling). */
static bool rtc_parse_base(const char *base, int64_t *secs, Error **errp)
{
    time_t now = clock_ns(CLOCK_HOST) / NS_PER_SEC;
    if (!base || !strcmp(base, "utc")) {
        *secs = now;
        return true;
    }
    if (!strcmp(base, "localtime")) {
        struct tm tm;
        localtime_r(&now, &tm);
        *secs = now + tm.tm_gmtoff;
        return true;
    }
    struct tm tm = { 0 };
    int n = 0;
    bool full = sscanf(base, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) == 6 && !base[n];
    if (!full) {
        n = 0;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        full = sscanf(base, "%d-%d-%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) == 3 && !base[n];
    }
    if (!full) {
        error_setg(errp, "rtc base '%s': expected utc, localtime or YYYY-MM-DD[THH:MM:SS]", base);
        return false;
    }
    if (tm.tm_year < 1900 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
        tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59) {
        error_setg(errp, "rtc base '%s': date or time out of range", base);
        return false;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *secs = timegm(&tm);
    return true;
}

/* -rtc clock=host (the host's wall clock, runs while the VM is paused), rt (host monotonic
 * time: host clock changes do not show), vm (guest time: stops while the VM is stopped);
 * driftfix=none|slew (slew: deliver lost periodic interrupts later, see above). */
static bool rtc_parse_clock(RTCState *s, Error **errp)
{
    static const struct { const char *name; ClockType type; } clocks[] = {
        { "host", CLOCK_HOST }, { "rt", CLOCK_HOST_MONO }, { "vm", CLOCK_VIRTUAL },
    };
    size_t i = 0;
    while (i < ARRAY_SIZE(clocks) && strcmp(s->clock_name, clocks[i].name))
        i++;
    if (i == ARRAY_SIZE(clocks)) {
        error_setg(errp, "rtc clock '%s': expected host, rt or vm", s->clock_name);
        return false;
    }
    s->clock = clocks[i].type;
    if (strcmp(s->driftfix, "none") && strcmp(s->driftfix, "slew")) {
        error_setg(errp, "rtc driftfix '%s': expected none or slew", s->driftfix);
        return false;
    }
    s->slew = !strcmp(s->driftfix, "slew");
    return true;
}

static void rtc_reset(Device *dev)
{
    RTCState *s = (RTCState *)dev;
    /* Reset clears PIE, AIE, UIE, SQWE and the flags; time and RAM survive (datasheet "RESET"). */
    s->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    s->cmos[RTC_REG_C] = 0;
    s->coalesced = 0;
    rtc_drive_irq(s, 0);
    rtc_arm_timers(s);
}

static bool rtc_realize(Device *dev, Error **errp)
{
    RTCState *s = (RTCState *)dev;
    int64_t secs;
    if (!board.system_io) {
        error_setg(errp, "mc146818: the board has no I/O space");
        return false;
    }
    if (!rtc_parse_base(s->base, &secs, errp) || !rtc_parse_clock(s, errp))
        return false;
    s->base_ns = secs * NS_PER_SEC;
    s->base_ref = clock_ns(s->clock);
    s->last_update_sec = secs;
    s->last_periodic = s->base_ref;
    s->cmos[RTC_REG_A] = 0x26;   /* 32.768 kHz, 1024 Hz periodic rate: the power-on BIOS value */
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->cmos[RTC_REG_D] = REG_D_VRT;
    rtc_store_time(s, secs);
    s->irq_line = isa_get_irq(s->irq);
    s->periodic_timer = timer_new(s->clock, rtc_periodic_cb, s);
    s->update_timer = timer_new(s->clock, rtc_update_cb, s);
    memory_region_init_io(&s->io, "rtc", &rtc_ops, s, 2);
    memory_region_add_subregion(board.system_io, s->iobase, &s->io);
    return true;
}

static const DeviceProp rtc_props[] = {
    PROP_U32("iobase", RTCState, iobase, 0x70, "I/O port (index; data at +1)"),
    PROP_U32("irq", RTCState, irq, 8, "ISA IRQ"),
    PROP_STR("base", RTCState, base, "utc", "utc, localtime or YYYY-MM-DD[THH:MM:SS]"),
    PROP_STR("clock", RTCState, clock_name, "host", "host, rt or vm: the clock the time follows"),
    PROP_STR("driftfix", RTCState, driftfix, "none", "none or slew: deliver lost periodic interrupts"),
    PROP_END,
};

static const DeviceClass rtc_class = {
    .name = "mc146818rtc", .desc = "MC146818 real-time clock and CMOS RAM", .bus = "isa",
    .size = sizeof(RTCState), .props = rtc_props,
    .realize = rtc_realize, .reset = rtc_reset,
};
DEVICE_CLASS_REGISTER(rtc_class);

RTCState *rtc_create(const char *props, Error **errp)
{
    return (RTCState *)device_create("mc146818rtc", props, errp);
}
