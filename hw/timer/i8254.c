/* i8254.c: 8254 PIT — three counters computed from CLOCK_VIRTUAL, all six modes, read-back. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/timer/i8254.h"

/* Intel 82C54 datasheet (231244): control word SC1 SC0 RW1 RW0 M2 M1 M0 BCD. */
enum { RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_WORD = 3 };

static uint64_t ns_to_ticks(int64_t ns)
{
    return ns <= 0 ? 0 : (uint64_t)((unsigned __int128)ns * PIT_FREQ / NS_PER_SEC);
}

/* The first instant at which ns_to_ticks(t - load) >= ticks. */
static int64_t ticks_to_ns_ceil(uint64_t ticks)
{
    return (int64_t)(((unsigned __int128)ticks * NS_PER_SEC + PIT_FREQ - 1) / PIT_FREQ);
}

/* Input clocks counted since the count was loaded or the gate restarted it. */
static uint64_t pit_elapsed(PITChannel *c, int64_t now)
{
    if (c->frozen || c->armed)
        return c->frozen_ticks;
    return ns_to_ticks(now - c->load_time);
}

/* Modes 2 and 3 divide by at least 2 (a count of 1 is illegal there, datasheet "Mode 2"). */
static uint32_t pit_period(PITChannel *c)
{
    return ((c->mode == 2 || c->mode == 3) && c->count < 2) ? 2 : c->count;
}

static uint32_t pit_counter_at(PITChannel *c, int64_t now)
{
    uint64_t d = pit_elapsed(c, now);
    uint32_t n = pit_period(c);
    switch (c->mode) {
    case 2:
        return n - d % n;
    case 3:
        /* Square wave: decrements by two, reloading each half period. */
        return n - (2 * d) % n;
    default:
        if (c->armed)
            return c->count & 0xffff;
        return (uint32_t)(c->count - d) & 0xffff;
    }
}

static bool pit_out_at(PITChannel *c, int64_t now)
{
    uint64_t d = pit_elapsed(c, now);
    uint32_t n = pit_period(c);
    switch (c->mode) {
    case 0:                          /* interrupt on terminal count */
        return d >= n;
    case 1:                          /* hardware retriggerable one-shot */
        return c->armed || d >= n;
    case 2:                          /* rate generator: low for the clock at count 1 */
        return c->frozen || d % n != n - 1;
    case 3:                          /* square wave: high for ceil(n/2), low for floor(n/2) */
        return c->frozen || d % n < (n + 1) / 2;
    default:                         /* 4, 5: strobe low for one clock at terminal count */
        return c->armed || d != n;
    }
}

/* Ticks (since load) of the next change of OUT after `d`, or UINT64_MAX if none. */
static uint64_t pit_next_edge_ticks(PITChannel *c, uint64_t d)
{
    uint32_t n = pit_period(c);
    uint64_t base;
    if (c->frozen || c->armed)
        return UINT64_MAX;
    switch (c->mode) {
    case 0: case 1:
        return d < n ? n : UINT64_MAX;
    case 2:
        base = d - d % n;
        return d % n < n - 1 ? base + n - 1 : base + n;
    case 3:
        base = d - d % n;
        return d % n < (n + 1) / 2 ? base + (n + 1) / 2 : base + n;
    default:
        if (d < n)
            return n;
        return d == n ? n + 1 : UINT64_MAX;
    }
}

/* IRQ0, unless the HPET's legacy replacement has taken the line over. */
static void pit_drive_irq(PITState *s, bool level)
{
    if (!s->irq_disabled)
        irq_set(s->irq_line, level);
}

void pit_set_irq_enabled(PITState *s, bool enabled)
{
    s->irq_disabled = !enabled;
    irq_set(s->irq_line, enabled ? s->ch[0].irq_level : 0);
}

/* Drive IRQ0 from channel 0's OUT as of `when`, and arm the timer for the next edge. Edges are
 * generated at their own instants (not "now") so a late timer still delivers every tick,
 * unless it is so late that catching up would be pointless. */
static void pit_irq_update(PITState *s, int64_t when)
{
    PITChannel *c = &s->ch[0];
    if (!c->timer)
        return;
    if (!c->count) {
        timer_del(c->timer);
        bool idle = c->mode != 0;
        if (idle != c->irq_level) {
            c->irq_level = idle;
            pit_drive_irq(s, idle);
        }
        return;
    }
    bool out = pit_out_at(c, when);
    if (out != c->irq_level) {
        c->irq_level = out;
        pit_drive_irq(s, out);
    }
    uint64_t next = pit_next_edge_ticks(c, pit_elapsed(c, when));
    if (next == UINT64_MAX) {
        timer_del(c->timer);
        return;
    }
    c->next_edge = c->load_time + ticks_to_ns_ceil(next);
    timer_mod(c->timer, c->next_edge);
}

static void pit_timer_cb(void *opaque)
{
    PITState *s = opaque;
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    int64_t when = s->ch[0].next_edge;
    /* Catch up edge by edge, but not forever: after a long stall, or with more than 256
     * periods pending (a guest asking for more interrupts than the host can deliver), drop
     * the backlog of a periodic mode and carry on from now. The one-shot modes have at most
     * two edges, all delivered: evaluated late, the one-clock strobe of modes 4 and 5 would
     * vanish and its interrupt with it (Linux's one-shot clockevent would wait forever). */
    int64_t period_ns = ticks_to_ns_ceil(pit_period(&s->ch[0]));
    bool periodic = s->ch[0].mode == 2 || s->ch[0].mode == 3;
    if (periodic && (now - when > NS_PER_SEC || now - when > 256 * period_ns))
        when = now;
    pit_irq_update(s, when);
}

static void pit_changed(PITState *s, int channel)
{
    if (channel == 0)
        pit_irq_update(s, clock_ns(CLOCK_VIRTUAL));
}

static uint32_t bcd_to_bin(uint32_t v)
{
    return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

static uint16_t bin_to_bcd(uint32_t v)
{
    v %= 10000;
    return (v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) | ((v / 1000) << 12);
}

/* A new initial count from the CPU (datasheet: "Write Operations"). */
static void pit_load_count(PITState *s, int channel, uint32_t raw)
{
    PITChannel *c = &s->ch[channel];
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    uint32_t v = c->bcd ? bcd_to_bin(raw & 0xffff) : raw & 0xffff;
    if (v == 0)
        v = c->bcd ? 10000 : 0x10000;
    c->count = v;
    c->null_count = false;
    c->load_time = now;
    c->frozen_ticks = 0;
    if (c->mode == 1 || c->mode == 5) {
        /* Counting waits for a rising edge of GATE. */
        c->armed = true;
        c->frozen = false;
    } else {
        c->armed = false;
        /* Gate low holds modes 0, 2, 3, 4 (for 2 and 3 the edge reloads). */
        c->frozen = !c->gate;
    }
    pit_changed(s, channel);
}

void pit_set_gate(PITState *s, int channel, bool level)
{
    PITChannel *c = &s->ch[channel];
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    if (level == c->gate)
        return;
    switch (c->mode) {
    case 0: case 4:
        /* Gate enables counting; the count is held while low. */
        if (!level) {
            c->frozen_ticks = pit_elapsed(c, now);
            c->frozen = true;
        } else {
            c->load_time = now - ticks_to_ns_ceil(c->frozen_ticks);
            c->frozen = false;
        }
        break;
    case 1: case 5:
        /* A rising edge (re)triggers the count. */
        if (level && c->count) {
            c->armed = false;
            c->load_time = now;
        }
        break;
    case 2: case 3:
        /* Low forces OUT high and stops; the rising edge reloads the count. */
        if (!level) {
            c->frozen_ticks = 0;
            c->frozen = true;
        } else {
            c->load_time = now;
            c->frozen = false;
        }
        break;
    }
    c->gate = level;
    pit_changed(s, channel);
}

bool pit_get_gate(PITState *s, int channel)
{
    return s->ch[channel].gate;
}

bool pit_get_out(PITState *s, int channel)
{
    PITChannel *c = &s->ch[channel];
    if (!c->count)
        return c->mode != 0;     /* not yet programmed: the level the control word set */
    return pit_out_at(c, clock_ns(CLOCK_VIRTUAL));
}

uint32_t pit_get_count(PITState *s, int channel)
{
    PITChannel *c = &s->ch[channel];
    if (!c->count)
        return 0;
    return pit_counter_at(c, clock_ns(CLOCK_VIRTUAL));
}

static uint16_t pit_read_value(PITState *s, int channel)
{
    PITChannel *c = &s->ch[channel];
    uint32_t v = pit_get_count(s, channel);
    return c->bcd ? bin_to_bcd(v) : (uint16_t)v;
}

/* Counter latch / read-back latch of the count: the first latch wins until read. */
static void pit_latch_count(PITState *s, int channel)
{
    PITChannel *c = &s->ch[channel];
    if (c->count_latched)
        return;
    c->latched_count = pit_read_value(s, channel);
    c->count_latched = c->rw_mode;
}

static void pit_latch_status(PITState *s, int channel)
{
    PITChannel *c = &s->ch[channel];
    if (c->status_latched)
        return;
    c->status = (pit_get_out(s, channel) << 7) | (c->null_count << 6) | (c->rw_mode << 4) |
                (c->mode << 1) | c->bcd;
    c->status_latched = true;
}

static void pit_write_control(PITState *s, uint8_t val)
{
    int sc = val >> 6;
    if (sc == 3) {
        /* Read-back command: D5 = /COUNT, D4 = /STATUS, D3-D1 = counters. */
        for (int i = 0; i < 3; i++) {
            if (!(val & (2 << i)))
                continue;
            if (!(val & 0x20))
                pit_latch_count(s, i);
            if (!(val & 0x10))
                pit_latch_status(s, i);
        }
        return;
    }
    PITChannel *c = &s->ch[sc];
    int rw = (val >> 4) & 3;
    if (rw == RW_LATCH) {
        pit_latch_count(s, sc);
        return;
    }
    c->rw_mode = rw;
    c->mode = (val >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;            /* x10 is mode 2, x11 mode 3 */
    c->bcd = val & 1;
    c->read_msb = c->write_msb = 0;
    c->count_latched = 0;
    c->null_count = true;
    /* A control word stops the counter until a count is written; OUT takes its mode's
     * initial level (low for mode 0, high otherwise). */
    c->count = 0;
    c->armed = false;
    c->frozen = false;
    if (sc == 0 && c->timer) {
        timer_del(c->timer);
        bool out = c->mode != 0;
        if (out != c->irq_level) {
            c->irq_level = out;
            pit_drive_irq(s, out);
        }
    }
}

static void pit_write_counter(PITState *s, int channel, uint8_t val)
{
    PITChannel *c = &s->ch[channel];
    switch (c->rw_mode) {
    case RW_LSB:
        pit_load_count(s, channel, val);
        break;
    case RW_MSB:
        pit_load_count(s, channel, val << 8);
        break;
    case RW_WORD:
        if (!c->write_msb) {
            c->write_lsb = val;
            c->write_msb = 1;
            if (c->mode == 0) {
                /* Mode 0: writing the first byte stops the count (datasheet "Mode 0"). */
                c->count = 0;
                pit_changed(s, channel);
            }
        } else {
            c->write_msb = 0;
            pit_load_count(s, channel, c->write_lsb | (val << 8));
        }
        break;
    default:
        qlog(LOG_GUEST_ERRORS, "pit: write to counter %d before a control word\n", channel);
        break;
    }
}

static uint8_t pit_read_counter(PITState *s, int channel)
{
    PITChannel *c = &s->ch[channel];
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t v;
        switch (c->count_latched) {
        case RW_LSB:
            c->count_latched = 0;
            return c->latched_count & 0xff;
        case RW_MSB:
            c->count_latched = 0;
            return c->latched_count >> 8;
        default:                 /* LSB, then MSB */
            if (!c->read_msb) {
                c->read_msb = 1;
                return c->latched_count & 0xff;
            }
            c->read_msb = 0;
            v = c->latched_count >> 8;
            c->count_latched = 0;
            return v;
        }
    }
    uint16_t v = pit_read_value(s, channel);
    switch (c->rw_mode) {
    case RW_LSB:
        return v & 0xff;
    case RW_MSB:
        return v >> 8;
    case RW_WORD:
        c->read_msb ^= 1;
        return c->read_msb ? v & 0xff : v >> 8;
    default:
        return 0xff;
    }
}

static uint64_t pit_ioport_read(void *opaque, uint64_t addr, unsigned size)
{
    if (addr == 3)
        return 0xff;             /* the control word register is write-only */
    return pit_read_counter(opaque, addr);
}

static void pit_ioport_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    if (addr == 3)
        pit_write_control(opaque, val);
    else
        pit_write_counter(opaque, addr, val);
}

static const MemoryRegionOps pit_ops = {
    .read = pit_ioport_read, .write = pit_ioport_write, .min_size = 1, .max_size = 1,
};

static void pit_reset(Device *dev)
{
    PITState *s = (PITState *)dev;
    for (int i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];
        Timer *t = c->timer;
        memset(c, 0, sizeof(*c));
        c->timer = t;
        /* Channels 0 and 1 have GATE tied high on the PC; channel 2's comes from port 0x61. */
        c->gate = i != 2;
        c->mode = 3;
        c->rw_mode = RW_WORD;
        if (t)
            timer_del(t);
    }
    pit_drive_irq(s, 0);
}

static bool pit_realize(Device *dev, Error **errp)
{
    PITState *s = (PITState *)dev;
    if (!board.system_io) {
        error_setg(errp, "i8254: the board has no I/O space");
        return false;
    }
    s->irq_line = isa_get_irq(s->irq);
    memory_region_init_io(&s->io, "pit", &pit_ops, s, 4);
    memory_region_add_subregion(board.system_io, s->iobase, &s->io);
    pit_reset(dev);
    s->ch[0].timer = timer_new(CLOCK_VIRTUAL, pit_timer_cb, s);
    return true;
}

static const DeviceProp pit_props[] = {
    PROP_U32("iobase", PITState, iobase, 0x40, "I/O port"),
    PROP_U32("irq", PITState, irq, 0, "ISA IRQ of channel 0"),
    PROP_END,
};

static const DeviceClass pit_class = {
    .name = "i8254", .desc = "8254 programmable interval timer", .bus = "isa",
    .size = sizeof(PITState), .props = pit_props,
    .realize = pit_realize, .reset = pit_reset,
};
DEVICE_CLASS_REGISTER(pit_class);

PITState *pit_create(Error **errp)
{
    PITState *s = (PITState *)device_new("i8254", errp);
    if (!s || !device_realize(&s->dev, errp))
        return NULL;
    return s;
}
