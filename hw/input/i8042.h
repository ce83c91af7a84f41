/* i8042.h: the 8042 keyboard controller (ports 0x60/0x64) with a PS/2 keyboard and mouse. */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"
#include "hw/input/ps2.h"

/* Status register (port 0x64 read). */
#define I8042_STR_OBF      0x01
#define I8042_STR_IBF      0x02
#define I8042_STR_SYS      0x04
#define I8042_STR_CMD      0x08  /* last write was to port 0x64 */
#define I8042_STR_KEYLOCK  0x10  /* 1: keyboard not inhibited */
#define I8042_STR_AUXOBF   0x20
/* Controller command byte. */
#define I8042_CCB_KBDINT   0x01
#define I8042_CCB_AUXINT   0x02
#define I8042_CCB_SYS      0x04
#define I8042_CCB_KBDDIS   0x10
#define I8042_CCB_AUXDIS   0x20
#define I8042_CCB_XLATE    0x40
/* Output port (commands D0/D1). */
#define I8042_OUT_RESET    0x01  /* active low: 0 resets the CPU */
#define I8042_OUT_A20      0x02
#define I8042_OUT_KBDOBF   0x10
#define I8042_OUT_AUXOBF   0x20

typedef struct I8042State {
    Device dev;
    uint32_t kbd_irq, aux_irq;
    uint8_t status, ccb, outport;
    uint8_t ram[32];             /* controller RAM; byte 0 is the command byte */
    uint8_t out;                 /* the output buffer */
    int pending;                 /* controller command awaiting its data byte, or 0 */
    bool xlate_break;            /* translation saw F0: the next code is a break */
    PS2Keyboard kbd;
    PS2Mouse mouse;
    IrqLine *irq_kbd, *irq_aux;
    MemoryRegion io_data, io_cmd;
} I8042State;

I8042State *i8042_create(Error **errp);
/* Host input, for the UI: see ps2_kbd_key_event / ps2_mouse_event. */
static inline PS2Keyboard *i8042_keyboard(I8042State *s) { return &s->kbd; }
static inline PS2Mouse *i8042_mouse(I8042State *s) { return &s->mouse; }

#endif
