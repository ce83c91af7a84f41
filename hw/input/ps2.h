/* ps2.h: PS/2 keyboard and mouse behind the i8042 (the devices' side of the wire). */
#ifndef HW_INPUT_PS2_H
#define HW_INPUT_PS2_H

#include "util/osdep.h"
#include "hw/core/clock.h"

#define PS2_QUEUE_SIZE 256

typedef struct PS2Queue {
    uint8_t data[PS2_QUEUE_SIZE];
    int rptr, count;
} PS2Queue;

/* What the device wants from its controller: "a byte is waiting" (the controller then calls
 * ps2_read_byte when its output buffer is free). */
typedef void PS2UpdateFn(void *opaque);

typedef struct PS2Common {
    PS2Queue queue;
    int pending_cmd;             /* command waiting for its argument byte, or 0 */
    PS2UpdateFn *update;
    void *update_opaque;
} PS2Common;

typedef struct PS2Keyboard {
    PS2Common c;
    int scancode_set;            /* 1, 2 (default) or 3 (answered, but generated as set 2) */
    bool scanning;
    uint8_t leds;                /* bit 0 Scroll, 1 Num, 2 Caps */
    uint8_t typematic;           /* rate/delay byte (F3) */
    int repeat_key;              /* key held for typematic repeat, or -1 */
    Timer *repeat_timer;
    uint8_t last_sent;           /* for Resend (FE) */
} PS2Keyboard;

typedef struct PS2Mouse {
    PS2Common c;
    bool reporting, remote, wrap, scaling21;
    uint8_t resolution, sample_rate, id;
    uint8_t rate_history[3];     /* last sample rates: the IntelliMouse knock sequences */
    uint8_t buttons;
    int dx, dy, dz;              /* movement not yet reported */
} PS2Mouse;

/* Keys are named by their set 1 make code; 0x100 | code for E0-prefixed keys (0x148 Up). */
#define PS2_KEY_E0 0x100

void ps2_kbd_init(PS2Keyboard *k, PS2UpdateFn *update, void *opaque);
void ps2_mouse_init(PS2Mouse *m, PS2UpdateFn *update, void *opaque);
void ps2_kbd_reset(PS2Keyboard *k);
void ps2_mouse_reset(PS2Mouse *m);
/* From the host UI. */
void ps2_kbd_key_event(PS2Keyboard *k, int key, bool down);
void ps2_mouse_event(PS2Mouse *m, int dx, int dy, int dz, uint8_t buttons);
/* From the controller: a byte the CPU sent to the device. */
void ps2_kbd_write(PS2Keyboard *k, uint8_t val);
void ps2_mouse_write(PS2Mouse *m, uint8_t val);
/* Controller side of the queue. */
bool ps2_has_data(PS2Common *c);
uint8_t ps2_read_byte(PS2Common *c);
/* Set 2 <- set 1 (the keyboard) and set 1 <- set 2 (the i8042's translation). */
uint8_t ps2_set1_to_set2(uint8_t code, bool e0);
uint8_t ps2_translate_set2(uint8_t code);

#endif
