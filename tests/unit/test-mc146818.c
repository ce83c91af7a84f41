/* test-mc146818.c: RTC time formats, setting the clock, update/alarm/periodic interrupts, CMOS. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/timer/mc146818.h"
#include <time.h>   /* after clock.h: it defines CLOCK_REALTIME */

static RTCState *rtc;

static void setup(void)
{
    hwt_board_init(0);
    clock_virtual_stop();        /* guest time stands still unless a test moves it */
    rtc = rtc_create("base=2024-02-29T23:59:58,clock=vm", NULL);
    cr_assert_not_null(rtc);
}

TestSuite(rtc, .init = setup);

static uint8_t cmos_read(uint8_t idx) { outb(0x70, idx); return inb(0x71); }
static void cmos_write(uint8_t idx, uint8_t v) { outb(0x70, idx); outb(0x71, v); }

/* Advance guest time without waiting: the clock is stopped, so move the base instead. */
static void advance_ns(int64_t ns)
{
    rtc->base_ns += ns;
    outb(0x70, RTC_REG_B);       /* rewriting B re-arms the update timer for the new time */
    uint8_t b = inb(0x71);
    outb(0x71, b);
}

static void run_us(long us)
{
    struct timespec ts = { 0, us * 1000 };
    clock_virtual_start();
    nanosleep(&ts, NULL);
    timers_run_expired();
    clock_virtual_stop();
}

Test(rtc, bcd_time_from_base)
{
    cr_assert_eq(cmos_read(RTC_SECONDS), 0x58);
    cr_assert_eq(cmos_read(RTC_MINUTES), 0x59);
    cr_assert_eq(cmos_read(RTC_HOURS), 0x23);
    cr_assert_eq(cmos_read(RTC_DAY_OF_MONTH), 0x29);
    cr_assert_eq(cmos_read(RTC_MONTH), 0x02);
    cr_assert_eq(cmos_read(RTC_YEAR), 0x24);
    cr_assert_eq(cmos_read(RTC_CENTURY), 0x20);
    cr_assert_eq(cmos_read(RTC_DAY_OF_WEEK), 5, "Thursday is day 5 (Sunday = 1)");
    cr_assert_eq(cmos_read(RTC_REG_A), 0x26);
    cr_assert_eq(cmos_read(RTC_REG_B), REG_B_24H);
    cr_assert_eq(cmos_read(RTC_REG_D), REG_D_VRT);
    /* Two seconds later it is 1 March: 2024 is a leap year, the day rolls over. */
    advance_ns(2 * NS_PER_SEC);
    cr_assert_eq(cmos_read(RTC_SECONDS), 0x00);
    cr_assert_eq(cmos_read(RTC_HOURS), 0x00);
    cr_assert_eq(cmos_read(RTC_DAY_OF_MONTH), 0x01);
    cr_assert_eq(cmos_read(RTC_MONTH), 0x03);
}

Test(rtc, binary_and_12_hour)
{
    cmos_write(RTC_REG_B, REG_B_24H | REG_B_DM);
    cr_assert_eq(cmos_read(RTC_SECONDS), 58);
    cr_assert_eq(cmos_read(RTC_HOURS), 23);
    cr_assert_eq(cmos_read(RTC_YEAR), 24);
    cmos_write(RTC_REG_B, 0);    /* BCD, 12-hour */
    cr_assert_eq(cmos_read(RTC_HOURS), 0x91, "11 PM");
    advance_ns(2 * NS_PER_SEC);
    cr_assert_eq(cmos_read(RTC_HOURS), 0x12, "midnight is 12 AM");
    cmos_write(RTC_REG_B, REG_B_DM);
    cr_assert_eq(cmos_read(RTC_HOURS), 12, "binary 12-hour: 12 AM");
    advance_ns(13 * 3600 * NS_PER_SEC);
    cr_assert_eq(cmos_read(RTC_HOURS), 0x81, "1 PM in binary");
}

Test(rtc, set_the_clock)
{
    cmos_write(RTC_REG_B, REG_B_SET | REG_B_24H);
    cmos_write(RTC_SECONDS, 0x30);
    cmos_write(RTC_MINUTES, 0x15);
    cmos_write(RTC_HOURS, 0x08);
    cmos_write(RTC_DAY_OF_MONTH, 0x31);
    cmos_write(RTC_MONTH, 0x12);
    cmos_write(RTC_YEAR, 0x99);
    cmos_write(RTC_CENTURY, 0x19);
    advance_ns(5 * NS_PER_SEC);
    cr_assert_eq(cmos_read(RTC_SECONDS), 0x30, "frozen while SET");
    cmos_write(RTC_REG_B, REG_B_24H);
    struct tm tm = { .tm_year = 99, .tm_mon = 11, .tm_mday = 31, .tm_hour = 8, .tm_min = 15, .tm_sec = 30 };
    cr_assert_eq(rtc_guest_time(rtc), (int64_t)timegm(&tm));
    advance_ns(NS_PER_SEC * (86400 - 8 * 3600 - 15 * 60 - 30));
    cr_assert_eq(cmos_read(RTC_YEAR), 0x00, "Y2K");
    cr_assert_eq(cmos_read(RTC_CENTURY), 0x20);
    /* Writing one register while running changes just that field. */
    cmos_write(RTC_MINUTES, 0x42);
    cr_assert_eq(cmos_read(RTC_MINUTES), 0x42);
    cr_assert_eq(cmos_read(RTC_MONTH), 0x01);
}

Test(rtc, update_in_progress_and_update_interrupt)
{
    advance_ns(NS_PER_SEC - 100000);   /* 100 us before the next update */
    cr_assert(cmos_read(RTC_REG_A) & REG_A_UIP);
    cmos_write(RTC_REG_B, REG_B_24H | REG_B_UIE);
    cr_assert_eq(hwt_line[8], 0);
    run_us(2000);
    cr_assert_eq(hwt_line[8], 1, "update-ended interrupt on IRQ8");
    cr_assert_eq(cmos_read(RTC_REG_C) & ~REG_C_PF, REG_C_IRQF | REG_C_UF, "PF may be set too: rate 6 runs");
    cr_assert_eq(hwt_line[8], 0, "reading C releases IRQ8");
    cr_assert_eq(cmos_read(RTC_REG_C) & ~REG_C_PF, 0);
    cr_assert_eq(cmos_read(RTC_SECONDS), 0x59);
    cr_assert_not(cmos_read(RTC_REG_A) & REG_A_UIP);
    /* SET clears UIE. */
    cmos_write(RTC_REG_B, REG_B_SET | REG_B_UIE | REG_B_24H);
    cr_assert_eq(cmos_read(RTC_REG_B), REG_B_SET | REG_B_24H);
}

Test(rtc, alarm_interrupt)
{
    cmos_write(RTC_SECONDS_ALARM, 0x01);
    cmos_write(RTC_MINUTES_ALARM, 0x00);
    cmos_write(RTC_HOURS_ALARM, 0xc0);  /* any hour */
    cmos_write(RTC_REG_B, REG_B_24H | REG_B_AIE);
    advance_ns(2 * NS_PER_SEC);          /* 00:00:00: updates, but no alarm */
    cr_assert_eq(cmos_read(RTC_REG_C) & ~REG_C_PF, REG_C_UF);
    advance_ns(NS_PER_SEC - 50000);
    run_us(1000);                        /* 00:00:01: alarm */
    cr_assert_eq(hwt_line[8], 1);
    cr_assert_eq(cmos_read(RTC_REG_C) & ~REG_C_PF, REG_C_IRQF | REG_C_AF | REG_C_UF);
}

Test(rtc, periodic_interrupt)
{
    /* Without PIE the flag is still set, but no interrupt. */
    cmos_write(RTC_REG_A, 0x23);         /* rate 3: 8192 Hz */
    run_us(1000);
    cr_assert_eq(cmos_read(RTC_REG_C), REG_C_PF);
    cr_assert_eq(hwt_line[8], 0);
    cmos_write(RTC_REG_B, REG_B_24H | REG_B_PIE);
    run_us(1000);
    cr_assert_eq(hwt_line[8], 1);
    cr_assert_eq(cmos_read(RTC_REG_C) & (REG_C_IRQF | REG_C_PF), REG_C_IRQF | REG_C_PF);
    /* Rate 0 turns it off; so does a stopped divider. */
    cmos_write(RTC_REG_A, 0x20);
    cmos_read(RTC_REG_C);
    run_us(1000);
    cr_assert_eq(cmos_read(RTC_REG_C) & REG_C_PF, 0);
    cr_assert_not(timer_pending(rtc->periodic_timer));
}

Test(rtc, nmi_mask_and_cmos_ram)
{
    outb(0x70, 0x80 | 0x34);
    cr_assert(rtc_nmi_masked(rtc));
    outb(0x71, 0x5a);
    outb(0x70, 0x34);
    cr_assert_not(rtc_nmi_masked(rtc));
    cr_assert_eq(inb(0x71), 0x5a, "index 0x34 regardless of the NMI bit");
    cr_assert_eq(inb(0x70), 0xff);
    cmos_write(RTC_REG_D, 0);
    cr_assert_eq(cmos_read(RTC_REG_D), REG_D_VRT, "register D is read-only");
    rtc_cmos_set(rtc, 0x5b, 0x12);
    cr_assert_eq(cmos_read(0x5b), 0x12);
    rtc_cmos_set(rtc, RTC_SECONDS, 0x77);
    cr_assert_eq(cmos_read(RTC_SECONDS), 0x58, "the board cannot clobber the clock");
}

Test(rtc, base_option)
{
    Error *err = NULL;
    cr_assert_null(rtc_create("base=2024-13-01", &err));
    cr_assert_not_null(strstr(err->msg, "out of range"));
    error_free(err);
    err = NULL;
    cr_assert_null(rtc_create("base=yesterday", &err));
    cr_assert_not_null(err);
    error_free(err);
    err = NULL;
    cr_assert_null(rtc_create("base=utc,clock=sundial", &err));
    cr_assert_not_null(strstr(err->msg, "expected host, rt or vm"), "%s", err->msg);
    error_free(err);
    err = NULL;
    cr_assert_null(rtc_create("driftfix=fast", &err));
    cr_assert_not_null(strstr(err->msg, "expected none or slew"), "%s", err->msg);
    error_free(err);
    RTCState *r2 = rtc_create("base=1999-12-31", NULL);
    cr_assert_not_null(r2);
    cr_assert_eq(rtc_guest_time(r2), 946598400);
    RTCState *r3 = rtc_create("base=utc", NULL);
    int64_t host = time(NULL);
    cr_assert(rtc_guest_time(r3) >= host - 5 && rtc_guest_time(r3) <= host + 5);
    RTCState *r4 = rtc_create(NULL, NULL);
    cr_assert(rtc_guest_time(r4) >= host - 5 && rtc_guest_time(r4) <= host + 5, "default: utc");
    setenv("TZ", "VTZ-3", 1);    /* POSIX TZ: three hours east of UTC */
    tzset();
    RTCState *r5 = rtc_create("base=localtime", NULL);
    int64_t d = rtc_guest_time(r5) - time(NULL);
    cr_assert(d >= 3 * 3600 - 5 && d <= 3 * 3600 + 5, "localtime: %lld s from UTC", (long long)d);
}

/* clock=host and clock=rt keep counting while the VM is stopped; clock=vm does not. */
Test(rtc, clock_option)
{
    RTCState *h = rtc_create("base=2001-01-01,clock=host", NULL);
    RTCState *rt = rtc_create("base=2001-01-01,clock=rt", NULL);
    RTCState *vm = rtc_create("base=2001-01-01,clock=vm", NULL);
    cr_assert(h && rt && vm);
    int64_t th = rtc_guest_time(h), trt = rtc_guest_time(rt), tvm = rtc_guest_time(vm);
    struct timespec ts = { 1, 200000000 };
    nanosleep(&ts, NULL);        /* the VM clock is stopped (setup) */
    cr_assert_geq(rtc_guest_time(h) - th, 1);
    cr_assert_geq(rtc_guest_time(rt) - trt, 1);
    cr_assert_eq(rtc_guest_time(vm), tvm);
}

/* driftfix=slew: periodic interrupts the guest did not take are owed and delivered later, a
 * quarter period after each acknowledge; driftfix=none forgets them. */
Test(rtc, driftfix_slew)
{
    RTCState *r = rtc_create("base=2001-01-01,clock=vm,driftfix=slew,iobase=0x170,irq=9", NULL);
    cr_assert_not_null(r);
    outb(0x170, RTC_REG_A);
    outb(0x171, 0x2f);           /* rate 15: 2 Hz, a 500 ms period */
    outb(0x170, RTC_REG_B);
    outb(0x171, REG_B_24H | REG_B_PIE);
    int64_t period = NS_PER_SEC / 2;
    r->last_periodic -= 10 * period;   /* ten periods pass without an acknowledge */
    outb(0x170, RTC_REG_C);
    cr_assert_eq(inb(0x171) & REG_C_PF, REG_C_PF);
    cr_assert_eq(r->coalesced, 9, "one of ten ticks delivered, nine owed");
    int delivered = 0;
    for (int i = 0; i < 60 && r->coalesced; i++) {
        run_us(140000);
        outb(0x170, RTC_REG_C);
        if (inb(0x171) & REG_C_PF)
            delivered++;
    }
    cr_assert_eq(r->coalesced, 0, "the owed ticks were delivered");
    cr_assert_geq(delivered, 9);
    /* Without slew nothing is owed. */
    cmos_write(RTC_REG_A, 0x2f);
    cmos_write(RTC_REG_B, REG_B_24H | REG_B_PIE);
    rtc->last_periodic -= 10 * period;
    cr_assert_eq(cmos_read(RTC_REG_C) & REG_C_PF, REG_C_PF);
    cr_assert_eq(rtc->coalesced, 0);
}

Test(rtc, fuzz_ports)
{
    for (unsigned seed = 1; seed < 40; seed++) {
        hwt_fuzz_ports(0x70, 0x72, 500, seed);
        run_us(10);
    }
    rtc->dev.cls->reset(&rtc->dev);
    cr_assert_eq(cmos_read(RTC_REG_B) & (REG_B_PIE | REG_B_AIE | REG_B_UIE), 0);
}
