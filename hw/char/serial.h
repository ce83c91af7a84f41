/* serial.h: the 16550A UART device ("isa-serial"). */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "util/osdep.h"

typedef struct SerialState SerialState;

/* Inject received bytes directly (tests). */
void serial_receive_bytes(SerialState *s, const uint8_t *buf, size_t len);

#endif
