/* test-core.c: IRQ lines, timers, the device registry and option strings. */
#include <criterion/criterion.h>
#include "hw/core/irq.h"
#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "util/option.h"
#include <time.h>

static int irq_levels[4];
static void irq_handler(void *opaque, int n, int level)
{
    (void)opaque;
    irq_levels[n] = level;
}

Test(irq, lines_and_split)
{
    IrqLine *l = irq_alloc_lines(irq_handler, NULL, 4);
    irq_raise(&l[2]);
    cr_assert_eq(irq_levels[2], 1);
    IrqLine *s = irq_split(&l[0], &l[3]);
    irq_raise(s);
    cr_assert_eq(irq_levels[0], 1);
    cr_assert_eq(irq_levels[3], 1);
    irq_lower(s);
    cr_assert_eq(irq_levels[0] + irq_levels[3], 0);
    irq_set(NULL, 1); /* an unconnected line is a no-op */
}

static int fired[3];
static void fire(void *opaque) { fired[(intptr_t)opaque]++; }

Test(clock, timers_fire_in_order_and_rearm)
{
    Timer *a = timer_new(CLOCK_VIRTUAL, fire, (void *)0);
    Timer *b = timer_new(CLOCK_VIRTUAL, fire, (void *)1);
    Timer *c = timer_new(CLOCK_VIRTUAL, fire, (void *)2);
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    timer_mod(a, now - 1);
    timer_mod(b, now + 3600 * NS_PER_SEC);
    timer_mod(c, now - 2);
    cr_assert_eq(timers_deadline_ns(), 0);
    cr_assert(timers_run_expired());
    cr_assert_eq(fired[0], 1);
    cr_assert_eq(fired[1], 0);
    cr_assert_eq(fired[2], 1);
    cr_assert(timer_pending(b));
    int64_t d = timers_deadline_ns();
    cr_assert(d > 3500 * NS_PER_SEC && d <= 3600 * NS_PER_SEC);
    timer_del(b);
    cr_assert_eq(timers_deadline_ns(), -1);
    timer_free(a); timer_free(b); timer_free(c);
}

Test(clock, virtual_clock_stops)
{
    clock_virtual_stop();
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    struct timespec ts = { 0, 2000000 };
    nanosleep(&ts, NULL);
    cr_assert_eq(clock_ns(CLOCK_VIRTUAL), t0);
    clock_virtual_start();
    cr_assert_geq(clock_ns(CLOCK_VIRTUAL), t0);
}

typedef struct TestDev {
    Device dev;
    uint32_t iobase;
    bool flag;
    char *name;
    int realized;
    int resets;
} TestDev;

static bool testdev_realize(Device *dev, Error **errp)
{
    TestDev *t = (TestDev *)dev;
    if (t->iobase > 0xffff) {
        error_setg(errp, "iobase 0x%x is beyond the I/O space", t->iobase);
        return false;
    }
    t->realized++;
    return true;
}

static void testdev_reset(Device *dev) { ((TestDev *)dev)->resets++; }

static const DeviceProp testdev_props[] = {
    PROP_U32("iobase", TestDev, iobase, 0x501, "I/O base"),
    PROP_BOOL("flag", TestDev, flag, false, "a flag"),
    PROP_STR("name", TestDev, name, "dflt", "a name"),
    PROP_END,
};
static const DeviceClass testdev_class = {
    .name = "unit-testdev", .desc = "test device", .bus = "isa", .size = sizeof(TestDev),
    .props = testdev_props, .realize = testdev_realize, .reset = testdev_reset, .user_creatable = true,
};
DEVICE_CLASS_REGISTER(testdev_class);

Test(device, create_from_cmdline)
{
    bool help;
    Error *err = NULL;
    TestDev *t = (TestDev *)device_create_from_cmdline("unit-testdev,iobase=0xf4,flag,name=a,,b,id=x", &help, &err);
    cr_assert_not_null(t, "%s", err ? err->msg : "");
    cr_assert_eq(t->iobase, 0xf4);
    cr_assert(t->flag);
    cr_assert_str_eq(t->name, "a,b");
    cr_assert_eq(t->realized, 1);
    cr_assert_eq(device_find_by_id("x"), &t->dev);
    devices_reset_all();
    cr_assert_eq(t->resets, 1);
}

Test(device, errors_are_one_clear_line)
{
    bool help;
    Error *err = NULL;
    cr_assert_null(device_create_from_cmdline("no-such-dev", &help, &err));
    cr_assert_not_null(strstr(err->msg, "'no-such-dev' is not a valid device model name"));
    error_free(err), err = NULL;
    cr_assert_null(device_create_from_cmdline("unit-testdev,bogus=1", &help, &err));
    cr_assert_not_null(strstr(err->msg, "has no property 'bogus'"));
    error_free(err), err = NULL;
    cr_assert_null(device_create_from_cmdline("unit-testdev,iobase=zz", &help, &err));
    cr_assert_not_null(strstr(err->msg, "takes a number"));
    error_free(err), err = NULL;
    cr_assert_null(device_create_from_cmdline("unit-testdev,iobase=0x10000", &help, &err));
    cr_assert_not_null(strstr(err->msg, "beyond the I/O space"), "%s", err->msg);
    error_free(err);
}

Test(option, sizes_and_numbers)
{
    uint64_t v;
    cr_assert(parse_size("128M", &v) && v == 128 * MiB);
    cr_assert(parse_size("1.5G", &v) && v == 1536 * MiB);
    cr_assert(parse_size("4096", &v) && v == 4096);
    cr_assert_not(parse_size("12Q", &v));
    cr_assert_not(parse_size("-1", &v));
    cr_assert(parse_uint("0xf4", 0xffff, &v) && v == 0xf4);
    cr_assert_not(parse_uint("0x10000", 0xffff, &v));
    cr_assert_not(parse_uint("", 10, &v));
}
