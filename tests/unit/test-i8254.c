/* test-i8254.c: the PIT's six modes, latches, read-back, BCD and gates, against CLOCK_VIRTUAL.
 * The virtual clock is stopped while asserting, so every expected value is computed exactly
 * from the instant it was frozen at; only how far it advances between checks varies. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/timer/i8254.h"
#include <time.h>   /* after clock.h: it defines CLOCK_REALTIME */

static PITState *pit;
static int irq0_rises;
static int irq0_level;

static void irq0_handler(void *opaque, int n, int level)
{
    if (level && !irq0_level)
        irq0_rises++;
    irq0_level = level;
}

static void setup(void)
{
    hwt_board_init(0);
    board.isa_irq[0] = irq_alloc_lines(irq0_handler, NULL, 1);
    clock_virtual_stop();
    pit = pit_create(NULL);
    cr_assert_not_null(pit);
}

TestSuite(i8254, .init = setup);

static uint64_t ticks(int64_t since)
{
    return (uint64_t)((unsigned __int128)(clock_ns(CLOCK_VIRTUAL) - since) * PIT_FREQ / NS_PER_SEC);
}

/* Let virtual time run for about `us` microseconds, then freeze it. */
static void run_us(long us)
{
    struct timespec ts = { 0, us * 1000 };
    clock_virtual_start();
    nanosleep(&ts, NULL);
    clock_virtual_stop();
}

/* Run due timers until the next one is after the frozen instant (so IRQ0 is current). */
static void settle(void)
{
    for (int i = 0; i < 100; i++) {
        clock_virtual_start();
        timers_run_expired();
        clock_virtual_stop();
        Timer *t = pit->ch[0].timer;
        if (!timer_pending(t) || timer_expire_time(t) > clock_ns(CLOCK_VIRTUAL))
            return;
    }
    cr_assert_fail("PIT timer never caught up");
}

static void program(int ch, uint8_t mode_bits, uint16_t count)
{
    outb(0x43, (ch << 6) | 0x30 | mode_bits);
    outb(0x40 + ch, count & 0xff);
    outb(0x40 + ch, count >> 8);
}

static uint16_t latch_read(int ch)
{
    outb(0x43, ch << 6);         /* counter latch command */
    uint8_t lo = inb(0x40 + ch);
    return lo | (inb(0x40 + ch) << 8);
}

Test(i8254, mode0_terminal_count)
{
    program(0, 0 << 1, 3000);
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    cr_assert_eq(latch_read(0), 3000);
    cr_assert_eq(irq0_level, 0, "OUT low after the control word in mode 0");
    run_us(500);
    uint64_t d = ticks(t0);
    cr_assert_eq(latch_read(0), (uint16_t)(3000 - d));
    while (ticks(t0) < 3000)
        run_us(1000);
    settle();
    cr_assert_eq(irq0_level, 1, "OUT high at terminal count");
    cr_assert_eq(irq0_rises, 1);
    /* The counter keeps wrapping after terminal count, OUT stays high. */
    cr_assert_eq(latch_read(0), (uint16_t)(3000 - ticks(t0)));
    cr_assert(pit_get_out(pit, 0));
}

Test(i8254, mode0_first_byte_stops_and_gate_holds)
{
    outb(0x43, 0xb0);            /* channel 2, LSB+MSB, mode 0 */
    outb(0x42, 0x00);
    outb(0x42, 0x40);            /* 0x4000, but channel 2's gate is low */
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    run_us(300);
    cr_assert_eq(pit_get_count(pit, 2), 0x4000, "gate low: no counting");
    pit_set_gate(pit, 2, true);
    t0 = clock_ns(CLOCK_VIRTUAL);
    run_us(300);
    uint64_t d = ticks(t0);
    cr_assert_eq(pit_get_count(pit, 2), (uint16_t)(0x4000 - d));
    pit_set_gate(pit, 2, false);
    run_us(300);
    cr_assert_eq(pit_get_count(pit, 2), (uint16_t)(0x4000 - d), "held while gate is low");
    outb(0x42, 0x10);            /* first byte of a new count: OUT low, counting stops */
    cr_assert_not(pit_get_out(pit, 2));
}

Test(i8254, mode1_retriggerable_one_shot)
{
    outb(0x43, 0xb2);            /* channel 2, mode 1 */
    outb(0x42, 0xe8); outb(0x42, 0x03);   /* 1000 */
    cr_assert(pit_get_out(pit, 2), "OUT high until triggered");
    run_us(300);
    cr_assert_eq(pit_get_count(pit, 2), 1000);
    pit_set_gate(pit, 2, true);
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    cr_assert_not(pit_get_out(pit, 2), "trigger drives OUT low");
    run_us(200);
    cr_assert_eq(pit_get_count(pit, 2), (uint16_t)(1000 - ticks(t0)));
    pit_set_gate(pit, 2, false);
    pit_set_gate(pit, 2, true);  /* retrigger restarts the count */
    t0 = clock_ns(CLOCK_VIRTUAL);
    cr_assert_eq(pit_get_count(pit, 2), 1000);
    while (ticks(t0) < 1000)
        run_us(500);
    cr_assert(pit_get_out(pit, 2), "high again at terminal count");
}

Test(i8254, mode2_rate_generator_irqs)
{
    program(0, 2 << 1, 2000);
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    cr_assert_eq(irq0_level, 1);
    int before = irq0_rises;
    run_us(20000);
    settle();
    uint64_t d = ticks(t0);
    cr_assert_eq(pit_get_count(pit, 0), 2000 - d % 2000);
    /* OUT pulses low at count 1 and rises at reload: one rising edge per full period. */
    cr_assert_eq(irq0_rises - before, (int)(d / 2000), "%d edges for %lu ticks",
                 irq0_rises - before, (unsigned long)d);
    cr_assert_eq(irq0_level, d % 2000 != 1999);
}

Test(i8254, mode3_square_wave)
{
    program(0, 3 << 1, 1001);
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    int before = irq0_rises;
    run_us(7000);
    settle();
    uint64_t d = ticks(t0);
    /* High for 501 clocks, low for 500; counts down by two. */
    cr_assert_eq(irq0_level, d % 1001 < 501);
    cr_assert_eq(pit_get_count(pit, 0), 1001 - (2 * d) % 1001);
    cr_assert_eq(irq0_rises - before, (int)(d / 1001), "one rise per period");
    /* The mode bits x11 also mean mode 3. */
    outb(0x43, 0x3e);
    outb(0x43, 0xc2);            /* read-back status of channel 0 */
    cr_assert_eq(inb(0x40) & 0x0e, 3 << 1);
}

Test(i8254, mode4_software_strobe)
{
    outb(0x43, 0xb8);            /* channel 2, mode 4 */
    pit_set_gate(pit, 2, true);
    outb(0x42, 0x58); outb(0x42, 0x02);   /* 600 */
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    cr_assert(pit_get_out(pit, 2));
    while (ticks(t0) < 700)
        run_us(300);
    cr_assert(pit_get_out(pit, 2), "strobe was a single clock; high again");
    cr_assert_eq(pit_get_count(pit, 2), (uint16_t)(600 - ticks(t0)), "keeps counting after");
}

/* Linux's one-shot clockevent: mode 4 on channel 0 with a short count. Its timer may run long
 * after the one-clock strobe (a busy host); the strobe's rising edge must still raise IRQ0. */
Test(i8254, mode4_late_timer_still_interrupts)
{
    program(0, 4 << 1, 15);
    int before = irq0_rises;
    run_us(20000);               /* far more than 256 periods of 15 clocks */
    settle();
    cr_assert_eq(irq0_rises - before, 1, "%d IRQ0 edges for one strobe", irq0_rises - before);
    cr_assert_eq(irq0_level, 1);
}

Test(i8254, mode5_hardware_strobe)
{
    outb(0x43, 0xba);            /* channel 2, mode 5 */
    outb(0x42, 0x64); outb(0x42, 0x00);   /* 100 */
    run_us(300);
    cr_assert_eq(pit_get_count(pit, 2), 100, "waits for the gate");
    pit_set_gate(pit, 2, true);
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    run_us(50);
    cr_assert_eq(pit_get_count(pit, 2), (uint16_t)(100 - ticks(t0)));
    cr_assert_eq(pit_get_out(pit, 2), ticks(t0) != 100);
}

Test(i8254, latch_holds_value_and_readback)
{
    program(0, 2 << 1, 0);       /* 0 means 65536 */
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    run_us(200);
    uint16_t expect = (uint16_t)(65536 - ticks(t0) % 65536);
    outb(0x43, 0x00);
    run_us(200);
    outb(0x43, 0x00);            /* a second latch before reading is ignored */
    uint8_t lo = inb(0x40);
    cr_assert_eq(lo | (inb(0x40) << 8), expect, "latched, not live");
    /* Read-back: status and count of channel 0 latched together; status comes out first. */
    outb(0x43, 0xc2);
    uint8_t st = inb(0x40);
    cr_assert_eq(st & 0x3f, 0x34, "RW=3, mode 2, binary");
    cr_assert_eq(st >> 7, pit_get_out(pit, 0));
    cr_assert_eq(st & 0x40, 0, "count loaded: NULL COUNT clear");
    expect = pit_get_count(pit, 0);
    run_us(100);
    lo = inb(0x40);
    cr_assert_eq(lo | (inb(0x40) << 8), expect);
    /* After a fresh control word NULL COUNT is set. */
    outb(0x43, 0x34);
    outb(0x43, 0xe2);            /* status only */
    cr_assert(inb(0x40) & 0x40);
    cr_assert_eq(inb(0x43), 0xff, "control register is write-only");
}

Test(i8254, bcd_and_byte_modes)
{
    outb(0x43, 0x35);            /* channel 0, LSB+MSB, mode 2, BCD */
    outb(0x40, 0x00); outb(0x40, 0x50);   /* 5000 decimal */
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    run_us(300);
    uint32_t v = 5000 - ticks(t0) % 5000;
    uint16_t bcd = (v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12;
    cr_assert_eq(latch_read(0), bcd);
    /* LSB-only and MSB-only. */
    outb(0x43, 0x54);            /* channel 1, LSB only, mode 2 */
    outb(0x41, 200);
    cr_assert_eq(pit_get_count(pit, 1), 200);
    outb(0x43, 0x64);            /* channel 1, MSB only */
    outb(0x41, 0x02);
    cr_assert_eq(pit_get_count(pit, 1), 0x200);
    cr_assert_eq(inb(0x41), 0x02);
}

Test(i8254, reset_and_fuzz)
{
    for (unsigned seed = 1; seed < 40; seed++) {
        hwt_fuzz_ports(0x40, 0x44, 300, seed);
        pit_set_gate(pit, 2, seed & 1);
        clock_virtual_start();
        timers_run_expired();
        clock_virtual_stop();
    }
    pit->dev.cls->reset(&pit->dev);
    cr_assert_not(timer_pending(pit->ch[0].timer));
    cr_assert_eq(pit->ch[0].mode, 3);
}
