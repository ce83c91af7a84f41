/* test-hpet.c: HPET capabilities, main counter, one-shot/periodic comparators, legacy routing. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/timer/hpet.h"
#include <time.h>   /* after clock.h: it defines CLOCK_REALTIME */

static HPETState *hpet;
static IrqLine *gsi[24];
static int edges[32];
static int lvl[32];

static void line_handler(void *opaque, int n, int level)
{
    if (level && !lvl[n])
        edges[n]++;
    lvl[n] = level;
}

static void setup(void)
{
    hwt_board_init(0);
    IrqLine *lines = irq_alloc_lines(line_handler, NULL, 32);
    for (int i = 0; i < 24; i++)
        gsi[i] = &lines[i];
    board.isa_irq[0] = &lines[24];
    board.isa_irq[8] = &lines[25];
    clock_virtual_stop();
    hpet = hpet_create(gsi, NULL);
    cr_assert_not_null(hpet);
}

TestSuite(hpet, .init = setup);

static uint64_t rd(unsigned off) { return address_space_ld(&hwt_mem_as, HPET_BASE + off, 8, NULL); }
static uint32_t rd32(unsigned off) { return address_space_ld(&hwt_mem_as, HPET_BASE + off, 4, NULL); }
static void wr(unsigned off, uint64_t v) { address_space_st(&hwt_mem_as, HPET_BASE + off, v, 8); }
static void wr32(unsigned off, uint32_t v) { address_space_st(&hwt_mem_as, HPET_BASE + off, v, 4); }

static void run_us(long us)
{
    struct timespec ts = { 0, us * 1000 };
    clock_virtual_start();
    nanosleep(&ts, NULL);
    timers_run_expired();
    clock_virtual_stop();
}

Test(hpet, capabilities)
{
    uint64_t id = rd(0);
    cr_assert_eq(id >> 32, HPET_PERIOD_FS, "10 ns period");
    cr_assert_eq((id >> 8) & 0x1f, HPET_NUM_TIMERS - 1);
    cr_assert(id & (1 << 13), "64-bit counter");
    cr_assert(id & (1 << 15), "legacy replacement capable");
    cr_assert_eq(rd32(4), HPET_PERIOD_FS, "high half alone");
    cr_assert(rd(0x100) & (1 << 4), "timer 0 can be periodic");
    cr_assert_eq(rd(0x120) & (1 << 4), 0);
    cr_assert_eq(rd(0x100) >> 32, HPET_ROUTE_CAP);
}

Test(hpet, main_counter)
{
    cr_assert_eq(rd(0xf0), 0);
    wr(0xf0, 1000);              /* writable while halted */
    cr_assert_eq(rd(0xf0), 1000);
    wr(0x10, 1);
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    run_us(300);
    cr_assert_eq(rd(0xf0), 1000 + (clock_ns(CLOCK_VIRTUAL) - t0) / 10);
    wr(0xf0, 5);
    cr_assert_neq(rd(0xf0), 5, "ignored while running");
    wr(0x10, 0);
    uint64_t frozen = rd(0xf0);
    run_us(100);
    cr_assert_eq(rd(0xf0), frozen, "halted");
}

Test(hpet, one_shot_edge_on_route)
{
    wr(0x120, (20 << 9) | (1 << 2));             /* timer 1: route GSI 20, enabled, edge */
    wr(0x128, 50000);                             /* 500 us */
    wr(0x10, 1);
    run_us(100);
    if (rd(0xf0) < 50000)
        cr_assert_eq(edges[20], 0, "not before the comparator");
    while (rd(0xf0) < 50000)
        run_us(300);
    run_us(10);
    cr_assert_eq(edges[20], 1);
    cr_assert_eq(rd(0x20), 0, "edge mode leaves the status alone");
    run_us(500);
    cr_assert_eq(edges[20], 1, "one-shot");
}

Test(hpet, level_status_and_periodic)
{
    wr(0x100, (21 << 9) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 6));   /* periodic, level, SETVAL */
    wr(0x108, 20000);            /* first expiry at 200 us */
    wr(0x108, 20000);            /* then every 200 us */
    wr(0x10, 1);
    while (rd(0xf0) < 20000)
        run_us(100);
    run_us(10);
    cr_assert_eq(lvl[21], 1);
    cr_assert_eq(rd(0x20), 1);
    wr(0x20, 1);                 /* write one to clear */
    cr_assert_eq(lvl[21], 0);
    uint64_t c = rd(0xf0);
    cr_assert_gt(rd(0x108), c, "comparator moved past the counter");
    cr_assert_eq(rd(0x108) % 20000, 0, "by whole periods");
}

Test(hpet, legacy_replacement)
{
    wr(0x10, 3);                 /* enable + legacy */
    wr(0x100, (1 << 2));
    wr(0x108, rd(0xf0) + 1000);
    run_us(100);
    cr_assert_eq(edges[24], 1, "timer 0 -> IRQ0");
    wr(0x120, (1 << 2));
    wr(0x128, rd(0xf0) + 1000);
    run_us(100);
    cr_assert_eq(edges[25], 1, "timer 1 -> IRQ8");
}

Test(hpet, mode_32bit)
{
    wr(0x120, (1 << 8) | (1 << 2) | (22 << 9));
    wr(0x128, 0x1234567890ULL);
    cr_assert_eq(rd(0x128), 0x34567890, "32-bit comparator");
}

Test(hpet, fuzz_mmio)
{
    uint32_t x = 777;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        unsigned off = (x >> 4) & 0x3f8;
        if (x & 1)
            wr(off, ((uint64_t)x << 32) | (x * 2654435761u));
        else if (x & 2)
            wr32(off + (x & 4), x);
        else
            (void)rd(off);
        if ((i & 255) == 0)
            run_us(1);
    }
    hpet->dev.cls->reset(&hpet->dev);
    cr_assert_eq(rd(0x10), 0);
}
