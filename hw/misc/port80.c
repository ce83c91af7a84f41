/* port80.c: POST code port 0x80 — firmware progress codes, logged under -d post. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/misc/port80.h"

static uint64_t port80_read(void *opaque, uint64_t off, unsigned size)
{
    return 0xff;                 /* a write-only latch on a POST card: nothing drives reads */
}

static void port80_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Port80State *s = opaque;
    s->last = val;
    s->writes++;
    qlog(LOG_POST, "POST code 0x%02x\n", (unsigned)(val & 0xff));
}

static const MemoryRegionOps port80_ops = {
    .read = port80_read, .write = port80_write, .min_size = 1, .max_size = 1,
};

static bool port80_realize(Device *dev, Error **errp)
{
    Port80State *s = (Port80State *)dev;
    if (!board.system_io) {
        error_setg(errp, "port80: the board has no I/O space");
        return false;
    }
    memory_region_init_io(&s->io, "port80", &port80_ops, s, 1);
    memory_region_add_subregion(board.system_io, s->iobase, &s->io);
    return true;
}

static const DeviceProp port80_props[] = {
    PROP_U32("iobase", Port80State, iobase, 0x80, "I/O port"),
    PROP_END,
};

static const DeviceClass port80_class = {
    .name = "port80", .desc = "POST code port (logged with -d post)", .bus = "isa",
    .size = sizeof(Port80State), .props = port80_props, .realize = port80_realize,
};
DEVICE_CLASS_REGISTER(port80_class);

Port80State *port80_create(Error **errp)
{
    Port80State *s = (Port80State *)device_new("port80", errp);
    if (!s || !device_realize(&s->dev, errp))
        return NULL;
    return s;
}
