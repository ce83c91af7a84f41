/* port92.h: System Control Port A (0x92): fast A20 gate and fast reset. */
#ifndef HW_INPUT_PORT92_H
#define HW_INPUT_PORT92_H

#include "hw/core/device.h"
#include "hw/core/memory.h"

typedef struct Port92State {
    Device dev;
    uint8_t value;
    MemoryRegion io;
} Port92State;

Port92State *port92_create(Error **errp);

#endif
