/* pcspk.c: port 0x61 — PIT channel 2 gate and output, speaker enable, refresh toggle. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/audio/pcspk.h"

/* Port 0x61 (IBM AT technical reference, "System Control Port B"): bit 0 timer 2 gate,
 * bit 1 speaker data, bit 4 refresh request toggle (every 15.085 us), bit 5 timer 2 output. */
static uint64_t pcspk_read(void *opaque, uint64_t off, unsigned size)
{
    PCSpkState *s = opaque;
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    bool refresh = (now / 15085) & 1;
    return pit_get_gate(s->pit, 2) | s->data_on | (refresh << 4) | (pit_get_out(s->pit, 2) << 5);
}

static void pcspk_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PCSpkState *s = opaque;
    pit_set_gate(s->pit, 2, val & 1);
    s->data_on = val & 2;
    bool on = pcspk_is_on(s);
    if (on != s->was_on) {
        s->was_on = on;
        qlog(LOG_UNIMP, "pcspk: speaker %s (%u Hz; no audio output)\n", on ? "on" : "off",
             pcspk_frequency(s));
    }
}

bool pcspk_is_on(PCSpkState *s)
{
    return s->data_on && pit_get_gate(s->pit, 2) && s->pit->ch[2].count &&
           (s->pit->ch[2].mode == 3 || s->pit->ch[2].mode == 2);
}

unsigned pcspk_frequency(PCSpkState *s)
{
    if (!pcspk_is_on(s))
        return 0;
    return PIT_FREQ / s->pit->ch[2].count;
}

static const MemoryRegionOps pcspk_ops = {
    .read = pcspk_read, .write = pcspk_write, .min_size = 1, .max_size = 1,
};

static void pcspk_reset(Device *dev)
{
    PCSpkState *s = (PCSpkState *)dev;
    s->data_on = 0;
    s->was_on = false;
}

static bool pcspk_realize(Device *dev, Error **errp)
{
    PCSpkState *s = (PCSpkState *)dev;
    if (!s->pit) {
        s->pit = (PITState *)device_find_by_type("i8254", NULL);
        if (!s->pit) {
            error_setg(errp, "pcspk: needs an i8254 PIT");
            return false;
        }
    }
    memory_region_init_io(&s->io, "pcspk", &pcspk_ops, s, 1);
    memory_region_add_subregion(board.system_io, 0x61, &s->io);
    return true;
}

static const DeviceClass pcspk_class = {
    .name = "pcspk", .desc = "PC speaker and port 0x61 (modelled, silent)", .bus = "isa",
    .size = sizeof(PCSpkState), .realize = pcspk_realize, .reset = pcspk_reset,
};
DEVICE_CLASS_REGISTER(pcspk_class);

PCSpkState *pcspk_create(PITState *pit, Error **errp)
{
    PCSpkState *s = (PCSpkState *)device_new("pcspk", errp);
    if (!s)
        return NULL;
    s->pit = pit;
    if (!device_realize(&s->dev, errp))
        return NULL;
    return s;
}
