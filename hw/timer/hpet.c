/* hpet.c: HPET — main counter on CLOCK_VIRTUAL, one-shot/periodic comparators, 32/64-bit modes,
 * edge/level interrupts, legacy replacement routing. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/timer/hpet.h"

/* Register offsets and bits (IA-PC HPET 1.0a, 2.3). */
#define HPET_ID          0x000
#define HPET_CFG         0x010
#define  HPET_CFG_ENABLE  0x1
#define  HPET_CFG_LEGACY  0x2
#define HPET_STATUS      0x020
#define HPET_COUNTER     0x0f0
#define HPET_TN_CFG      0x00
#define HPET_TN_CMP      0x08
#define HPET_TN_ROUTE    0x10
#define  TN_LEVEL         (1ULL << 1)
#define  TN_ENABLE        (1ULL << 2)
#define  TN_PERIODIC      (1ULL << 3)
#define  TN_PERIODIC_CAP  (1ULL << 4)
#define  TN_SIZE_CAP      (1ULL << 5)
#define  TN_SETVAL        (1ULL << 6)
#define  TN_32BIT         (1ULL << 8)
#define  TN_ROUTE_SHIFT   9
#define  TN_ROUTE_MASK    (0x1fULL << 9)
#define  TN_FSB_ENABLE    (1ULL << 14)
#define  TN_CFG_WRITABLE  (TN_LEVEL | TN_ENABLE | TN_PERIODIC | TN_SETVAL | TN_32BIT | TN_ROUTE_MASK)

static bool hpet_enabled(HPETState *s)
{
    return s->config & HPET_CFG_ENABLE;
}

uint64_t hpet_read_counter(HPETState *s)
{
    if (!hpet_enabled(s))
        return s->counter;
    int64_t d = clock_ns(CLOCK_VIRTUAL) - s->enable_ns;
    return s->counter + (d > 0 ? (uint64_t)d / HPET_PERIOD_NS : 0);
}

/* The line a comparator drives: legacy replacement puts timer 0 on IRQ0 and timer 1 on IRQ8. */
static IrqLine *hpet_timer_line(HPETTimer *t)
{
    HPETState *s = t->hpet;
    if ((s->config & HPET_CFG_LEGACY) && t->index < 2)
        return isa_get_irq(t->index == 0 ? 0 : 8);
    int route = (t->config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT;
    if (!s->gsi || !(HPET_ROUTE_CAP & (1u << route)))
        return NULL;
    return s->gsi[route];
}

static void hpet_set_level(HPETTimer *t, bool level)
{
    if (level != t->level_out) {
        t->level_out = level;
        irq_set(hpet_timer_line(t), level);
    }
}

static void hpet_fire(HPETTimer *t)
{
    HPETState *s = t->hpet;
    if (!(t->config & TN_ENABLE))
        return;
    if (t->config & TN_LEVEL) {
        s->isr |= 1ULL << t->index;
        hpet_set_level(t, true);
    } else {
        /* Edge mode does not touch the status register (2.3.6). */
        irq_pulse(hpet_timer_line(t));
    }
}

/* Ticks from the counter to the comparator, in the comparator's width. */
static uint64_t hpet_ticks_to_cmp(HPETTimer *t, uint64_t counter)
{
    if (t->config & TN_32BIT)
        return (uint32_t)((uint32_t)t->cmp - (uint32_t)counter);
    return t->cmp - counter;
}

static void hpet_arm(HPETTimer *t)
{
    HPETState *s = t->hpet;
    if (!hpet_enabled(s)) {
        timer_del(t->timer);
        return;
    }
    uint64_t now_cnt = hpet_read_counter(s);
    uint64_t diff = hpet_ticks_to_cmp(t, now_cnt);
    if (diff == 0 && !(t->config & TN_PERIODIC))
        diff = (t->config & TN_32BIT) ? (1ULL << 32) : UINT64_MAX / 2;   /* next wrap */
    /* Far-off matches are re-checked when the timer fires (hpet_timer_cb). */
    if (diff > (1ULL << 50))
        diff = 1ULL << 50;
    timer_mod(t->timer, clock_ns(CLOCK_VIRTUAL) + (int64_t)(diff * HPET_PERIOD_NS));
}

static void hpet_timer_cb(void *opaque)
{
    HPETTimer *t = opaque;
    uint64_t now_cnt = hpet_read_counter(t->hpet);
    uint64_t diff = hpet_ticks_to_cmp(t, now_cnt);
    uint64_t half = (t->config & TN_32BIT) ? (1ULL << 31) : (1ULL << 63);
    if (diff != 0 && diff < half) {
        hpet_arm(t);             /* woke early (a capped wait): the match is still ahead */
        return;
    }
    hpet_fire(t);
    if ((t->config & TN_PERIODIC) && t->period) {
        /* Advance by whole periods past the counter (missed ones are dropped, as hardware). */
        uint64_t behind = now_cnt - t->cmp;
        if (t->config & TN_32BIT)
            behind = (uint32_t)behind;
        /* Periods under 10 us are stretched (they would only starve the host). */
        uint64_t period = t->period < 1000 ? 1000 : t->period;
        t->cmp += (behind / period + 1) * period;
        if (t->config & TN_32BIT)
            t->cmp = (uint32_t)t->cmp;
        hpet_arm(t);
    } else {
        /* One-shot: the next match is after the counter wraps. */
        uint64_t wrap = (t->config & TN_32BIT) ? (1ULL << 32) : 0;
        if (wrap && hpet_enabled(t->hpet))
            timer_mod(t->timer, clock_ns(CLOCK_VIRTUAL) + (int64_t)(wrap * HPET_PERIOD_NS));
    }
}

static uint64_t hpet_reg_read(HPETState *s, unsigned off)
{
    switch (off) {
    case HPET_ID:
        return (HPET_PERIOD_FS << 32) | (0x8086ULL << 16) | (1ULL << 15) | (1ULL << 13) |
               ((HPET_NUM_TIMERS - 1ULL) << 8) | 0x01;
    case HPET_CFG:
        return s->config;
    case HPET_STATUS:
        return s->isr;
    case HPET_COUNTER:
        return hpet_read_counter(s);
    }
    if (off >= 0x100 && off < 0x100 + 0x20 * HPET_NUM_TIMERS) {
        HPETTimer *t = &s->t[(off - 0x100) / 0x20];
        switch ((off - 0x100) % 0x20) {
        case HPET_TN_CFG:
            return t->config | ((uint64_t)HPET_ROUTE_CAP << 32);
        case HPET_TN_CMP:
            return (t->config & TN_32BIT) ? (uint32_t)t->cmp : t->cmp;
        case HPET_TN_ROUTE:
            return 0;            /* FSB delivery not implemented (capability bit clear) */
        }
    }
    return 0;
}

static void hpet_reg_write(HPETState *s, unsigned off, uint64_t val, uint64_t mask)
{
    if (off == HPET_CFG) {
        uint64_t old = s->config;
        uint64_t nv = (old & ~mask) | (val & mask & 3);
        if (!(old & HPET_CFG_ENABLE) && (nv & HPET_CFG_ENABLE)) {
            s->enable_ns = clock_ns(CLOCK_VIRTUAL);
        } else if ((old & HPET_CFG_ENABLE) && !(nv & HPET_CFG_ENABLE)) {
            s->counter = hpet_read_counter(s);
        }
        /* Lines change owner when legacy routing toggles: drop what the old one drove. */
        for (int i = 0; i < HPET_NUM_TIMERS; i++)
            hpet_set_level(&s->t[i], false);
        s->config = nv;
        if (((old ^ nv) & HPET_CFG_LEGACY) && s->legacy_changed)
            s->legacy_changed(s->legacy_opaque, nv & HPET_CFG_LEGACY);
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            if (s->isr & (1ULL << i))
                hpet_set_level(&s->t[i], true);
            hpet_arm(&s->t[i]);
        }
        return;
    }
    if (off == HPET_STATUS) {
        /* Write one to clear a level-triggered status bit. */
        uint64_t clr = val & mask;
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            if (clr & (1ULL << i)) {
                s->isr &= ~(1ULL << i);
                hpet_set_level(&s->t[i], false);
            }
        }
        return;
    }
    if (off == HPET_COUNTER) {
        if (hpet_enabled(s)) {
            qlog(LOG_GUEST_ERRORS, "hpet: main counter written while enabled\n");
            return;
        }
        s->counter = (s->counter & ~mask) | (val & mask);
        return;
    }
    if (off >= 0x100 && off < 0x100 + 0x20 * HPET_NUM_TIMERS) {
        HPETTimer *t = &s->t[(off - 0x100) / 0x20];
        switch ((off - 0x100) % 0x20) {
        case HPET_TN_CFG: {
            bool was_level = t->level_out;
            hpet_set_level(t, false);
            t->config = (t->config & ~(mask & TN_CFG_WRITABLE)) | (val & mask & TN_CFG_WRITABLE);
            if (t->index != 0)
                t->config &= ~TN_PERIODIC;       /* only timer 0 is periodic-capable */
            if (t->config & TN_32BIT)
                t->cmp = (uint32_t)t->cmp;
            if (was_level && (s->isr & (1ULL << t->index)) && (t->config & TN_LEVEL))
                hpet_set_level(t, true);
            hpet_arm(t);
            break;
        }
        case HPET_TN_CMP:
            if (t->config & TN_32BIT)
                mask &= 0xffffffffULL;
            /* Periodic with SETVAL: this write sets the accumulator; otherwise the period. */
            if ((t->config & TN_PERIODIC) && !(t->config & TN_SETVAL)) {
                t->period = (t->period & ~mask) | (val & mask);
            } else {
                t->cmp = (t->cmp & ~mask) | (val & mask);
                if (t->config & TN_PERIODIC)
                    t->period = (t->period & ~mask) | (val & mask);
            }
            t->config &= ~TN_SETVAL;
            hpet_arm(t);
            break;
        case HPET_TN_ROUTE:
            qlog(LOG_UNIMP, "hpet: FSB interrupt delivery not implemented\n");
            break;
        }
    }
}

static uint64_t hpet_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    HPETState *s = opaque;
    uint64_t v = hpet_reg_read(s, off & ~7u);
    return (v >> (8 * (off & 7))) & (size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1);
}

static void hpet_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    HPETState *s = opaque;
    unsigned shift = 8 * (off & 7);
    uint64_t mask = (size == 8 ? UINT64_MAX : (1ULL << (8 * size)) - 1) << shift;
    hpet_reg_write(s, off & ~7u, val << shift, mask);
}

static const MemoryRegionOps hpet_ops = {
    .read = hpet_mmio_read, .write = hpet_mmio_write, .min_size = 4, .max_size = 8,
};

static void hpet_reset(Device *dev)
{
    HPETState *s = (HPETState *)dev;
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HPETTimer *t = &s->t[i];
        hpet_set_level(t, false);
        timer_del(t->timer);
        t->config = TN_SIZE_CAP | (i == 0 ? TN_PERIODIC_CAP : 0);
        t->cmp = UINT64_MAX;
        t->period = 0;
    }
    if ((s->config & HPET_CFG_LEGACY) && s->legacy_changed)
        s->legacy_changed(s->legacy_opaque, false);
    s->config = 0;
    s->isr = 0;
    s->counter = 0;
}

static bool hpet_realize(Device *dev, Error **errp)
{
    HPETState *s = (HPETState *)dev;
    if (!board.system_memory) {
        error_setg(errp, "hpet: the board has no memory space");
        return false;
    }
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        s->t[i].hpet = s;
        s->t[i].index = i;
        s->t[i].timer = timer_new(CLOCK_VIRTUAL, hpet_timer_cb, &s->t[i]);
    }
    memory_region_init_io(&s->mmio, "hpet", &hpet_ops, s, 0x400);
    memory_region_add_subregion_overlap(board.system_memory, s->base, &s->mmio, 4);
    hpet_reset(dev);
    return true;
}

static const DeviceProp hpet_props[] = {
    PROP_U64("base", HPETState, base, HPET_BASE, "MMIO base"),
    PROP_END,
};

static const DeviceClass hpet_class = {
    .name = "hpet", .desc = "High Precision Event Timer", .bus = "sys", .size = sizeof(HPETState),
    .props = hpet_props, .realize = hpet_realize, .reset = hpet_reset,
};
DEVICE_CLASS_REGISTER(hpet_class);

HPETState *hpet_create(IrqLine **gsi, Error **errp)
{
    HPETState *s = (HPETState *)device_new("hpet", errp);
    if (!s)
        return NULL;
    s->gsi = gsi;
    if (!device_realize(&s->dev, errp))
        return NULL;
    return s;
}
