/* port80.h: the POST diagnostic port 0x80. */
#ifndef HW_MISC_PORT80_H
#define HW_MISC_PORT80_H

#include "hw/core/device.h"
#include "hw/core/memory.h"

typedef struct Port80State {
    Device dev;
    uint32_t iobase;
    uint8_t last;                /* the last POST code written */
    unsigned writes;
    MemoryRegion io;
} Port80State;

Port80State *port80_create(Error **errp);

#endif
