/* port92.c: System Control Port A at 0x92 (PS/2 and PIIX): bit 1 gates A20, bit 0 resets. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/input/port92.h"

static uint64_t port92_read(void *opaque, uint64_t off, unsigned size)
{
    Port92State *s = opaque;
    return s->value;
}

static void port92_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Port92State *s = opaque;
    uint8_t old = s->value;
    /* Bit 0 (fast reset) reads back 0 after the reset it starts. */
    s->value = val & ~1;
    if ((old ^ val) & 2) {
        if (board.set_a20)
            board.set_a20(val & 2);
    }
    if ((val & 1) && !(old & 1)) {
        qlog(LOG_GUEST_ERRORS, "port92: fast reset\n");
        if (board.request_reset)
            board.request_reset();
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read, .write = port92_write, .min_size = 1, .max_size = 1,
};

static void port92_reset(Device *dev)
{
    Port92State *s = (Port92State *)dev;
    s->value = 0x02;             /* A20 enabled, as the i8042 output port starts */
}

static bool port92_realize(Device *dev, Error **errp)
{
    Port92State *s = (Port92State *)dev;
    if (!board.system_io) {
        error_setg(errp, "port92: the board has no I/O space");
        return false;
    }
    memory_region_init_io(&s->io, "port92", &port92_ops, s, 1);
    memory_region_add_subregion(board.system_io, 0x92, &s->io);
    port92_reset(dev);
    return true;
}

static const DeviceClass port92_class = {
    .name = "port92", .desc = "System Control Port A (fast A20, fast reset)", .bus = "isa",
    .size = sizeof(Port92State), .realize = port92_realize, .reset = port92_reset,
};
DEVICE_CLASS_REGISTER(port92_class);

Port92State *port92_create(Error **errp)
{
    Port92State *s = (Port92State *)device_new("port92", errp);
    if (!s || !device_realize(&s->dev, errp))
        return NULL;
    return s;
}
