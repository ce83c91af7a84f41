/* debugexit.c: isa-debug-exit — a guest write of V ends the emulator with status (V << 1) | 1,
 * the convention of QEMU's device, so that test suites written for it run unchanged. */
#include "util/osdep.h"
#include "hw/core/board.h"
#include "hw/core/device.h"

typedef struct DebugExitState {
    Device dev;
    uint32_t iobase, iosize;
    MemoryRegion io;
} DebugExitState;

static void debugexit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    int status = (int)((val << 1) | 1);
    if (board.request_shutdown)
        board.request_shutdown(status & 0xff);
    else
        exit(status);
}

static const MemoryRegionOps debugexit_ops = { .write = debugexit_write, .min_size = 1, .max_size = 4 };

static bool debugexit_realize(Device *dev, Error **errp)
{
    DebugExitState *s = (DebugExitState *)dev;
    if (s->iosize != 1 && s->iosize != 2 && s->iosize != 4) {
        error_setg(errp, "iosize must be 1, 2 or 4, not %u", s->iosize);
        return false;
    }
    if (s->iobase + s->iosize > 0x10000) {
        error_setg(errp, "iobase 0x%x is beyond the I/O space", s->iobase);
        return false;
    }
    memory_region_init_io(&s->io, "isa-debug-exit", &debugexit_ops, s, s->iosize);
    memory_region_add_subregion(board.system_io, s->iobase, &s->io);
    return true;
}

static const DeviceProp debugexit_props[] = {
    PROP_U32("iobase", DebugExitState, iobase, 0x501, "I/O port"),
    PROP_U32("iosize", DebugExitState, iosize, 2, "width of the port window (1, 2 or 4)"),
    PROP_END,
};

static const DeviceClass debugexit_class = {
    .name = "isa-debug-exit", .desc = "exit the emulator with a status the guest writes",
    .bus = "isa", .size = sizeof(DebugExitState), .props = debugexit_props,
    .realize = debugexit_realize, .user_creatable = true,
};
DEVICE_CLASS_REGISTER(debugexit_class);
