/* debugcon.c: the Bochs/QEMU debug console — bytes written to one port go to a back end;
 * reading the port returns 0xe9 so guests can detect it. */
#include "util/osdep.h"
#include "hw/core/board.h"
#include "hw/core/chardev.h"
#include "hw/core/device.h"

typedef struct DebugconState {
    Device dev;
    uint32_t iobase;
    uint32_t readback;
    char *chardev_id;
    Chardev *chr;
    MemoryRegion io;
} DebugconState;

static uint64_t debugcon_read(void *opaque, uint64_t off, unsigned size)
{
    return ((DebugconState *)opaque)->readback;
}

static void debugcon_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    DebugconState *s = opaque;
    uint8_t c = val;
    chardev_write(s->chr, &c, 1);
}

static const MemoryRegionOps debugcon_ops = {
    .read = debugcon_read, .write = debugcon_write, .min_size = 1, .max_size = 1,
};

static bool debugcon_realize(Device *dev, Error **errp)
{
    DebugconState *s = (DebugconState *)dev;
    if (s->iobase > 0xffff) {
        error_setg(errp, "iobase 0x%x is beyond the I/O space", s->iobase);
        return false;
    }
    if (s->chardev_id && *s->chardev_id && !(s->chr = chardev_find(s->chardev_id))) {
        error_setg(errp, "chardev '%s' not found", s->chardev_id);
        return false;
    }
    memory_region_init_io(&s->io, "debugcon", &debugcon_ops, s, 1);
    memory_region_add_subregion(board.system_io, s->iobase, &s->io);
    return true;
}

static const DeviceProp debugcon_props[] = {
    PROP_U32("iobase", DebugconState, iobase, 0xe9, "I/O port"),
    PROP_U32("readback", DebugconState, readback, 0xe9, "value a read returns"),
    PROP_STR("chardev", DebugconState, chardev_id, NULL, "character back end id"),
    PROP_END,
};

static const DeviceClass debugcon_class = {
    .name = "isa-debugcon", .desc = "debug console port", .bus = "isa",
    .size = sizeof(DebugconState), .props = debugcon_props, .realize = debugcon_realize,
    .user_creatable = true,
};
DEVICE_CLASS_REGISTER(debugcon_class);
