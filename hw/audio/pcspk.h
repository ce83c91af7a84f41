/* pcspk.h: the PC speaker and port 0x61 (NMI status and control / PIT channel 2 gate). */
#ifndef HW_AUDIO_PCSPK_H
#define HW_AUDIO_PCSPK_H

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/timer/i8254.h"

typedef struct PCSpkState {
    Device dev;
    PITState *pit;               /* set before realize */
    uint8_t data_on;             /* bit 1 of port 0x61: speaker data enable */
    bool was_on;
    MemoryRegion io;
} PCSpkState;

PCSpkState *pcspk_create(PITState *pit, Error **errp);
/* Whether the speaker is sounding now (gate and data enabled, channel 2 in a tone mode), and
 * at what frequency in Hz (0 when silent). No audio is produced: the state is modelled. */
bool pcspk_is_on(PCSpkState *s);
unsigned pcspk_frequency(PCSpkState *s);

#endif
