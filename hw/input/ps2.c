/* ps2.c: PS/2 keyboard (sets 1/2, typematic, LEDs) and mouse (stream/remote, IntelliMouse). */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/input/ps2.h"

enum {
    PS2_ACK = 0xfa, PS2_RESEND = 0xfe, PS2_BAT_OK = 0xaa, PS2_ECHO = 0xee,
};

/* Set 1 make code -> set 2 make code, for the keys of a 102-key keyboard (IBM PS/2 technical
 * reference, keyboard scan code sets). 0 where set 1 has no key. */
static const uint8_t set1_to_set2[0x59] = {
    [0x01] = 0x76, [0x02] = 0x16, [0x03] = 0x1e, [0x04] = 0x26, [0x05] = 0x25, [0x06] = 0x2e,
    [0x07] = 0x36, [0x08] = 0x3d, [0x09] = 0x3e, [0x0a] = 0x46, [0x0b] = 0x45, [0x0c] = 0x4e,
    [0x0d] = 0x55, [0x0e] = 0x66, [0x0f] = 0x0d, [0x10] = 0x15, [0x11] = 0x1d, [0x12] = 0x24,
    [0x13] = 0x2d, [0x14] = 0x2c, [0x15] = 0x35, [0x16] = 0x3c, [0x17] = 0x43, [0x18] = 0x44,
    [0x19] = 0x4d, [0x1a] = 0x54, [0x1b] = 0x5b, [0x1c] = 0x5a, [0x1d] = 0x14, [0x1e] = 0x1c,
    [0x1f] = 0x1b, [0x20] = 0x23, [0x21] = 0x2b, [0x22] = 0x34, [0x23] = 0x33, [0x24] = 0x3b,
    [0x25] = 0x42, [0x26] = 0x4b, [0x27] = 0x4c, [0x28] = 0x52, [0x29] = 0x0e, [0x2a] = 0x12,
    [0x2b] = 0x5d, [0x2c] = 0x1a, [0x2d] = 0x22, [0x2e] = 0x21, [0x2f] = 0x2a, [0x30] = 0x32,
    [0x31] = 0x31, [0x32] = 0x3a, [0x33] = 0x41, [0x34] = 0x49, [0x35] = 0x4a, [0x36] = 0x59,
    [0x37] = 0x7c, [0x38] = 0x11, [0x39] = 0x29, [0x3a] = 0x58, [0x3b] = 0x05, [0x3c] = 0x06,
    [0x3d] = 0x04, [0x3e] = 0x0c, [0x3f] = 0x03, [0x40] = 0x0b, [0x41] = 0x83, [0x42] = 0x0a,
    [0x43] = 0x01, [0x44] = 0x09, [0x45] = 0x77, [0x46] = 0x7e, [0x47] = 0x6c, [0x48] = 0x75,
    [0x49] = 0x7d, [0x4a] = 0x7b, [0x4b] = 0x6b, [0x4c] = 0x73, [0x4d] = 0x74, [0x4e] = 0x79,
    [0x4f] = 0x69, [0x50] = 0x72, [0x51] = 0x7a, [0x52] = 0x70, [0x53] = 0x71, [0x54] = 0x84,
    [0x56] = 0x61, [0x57] = 0x78, [0x58] = 0x07,
};

uint8_t ps2_set1_to_set2(uint8_t code, bool e0)
{
    if (e0) {
        /* The Windows keys are the only E0 keys whose set 2 code differs from the table. */
        switch (code) {
        case 0x5b: return 0x1f;
        case 0x5c: return 0x27;
        case 0x5d: return 0x2f;
        }
    }
    return code < sizeof(set1_to_set2) ? set1_to_set2[code] : 0;
}

/* The 8042's set 2 -> set 1 translation: the inverse of the table above, plus the replies to
 * "get scan code set" (1 -> 0x43, 2 -> 0x41, 3 -> 0x3f) and the keyboard ID byte 0x83. */
uint8_t ps2_translate_set2(uint8_t code)
{
    static uint8_t inv[0x85];
    static bool built;
    if (!built) {
        for (unsigned i = 0; i < sizeof(set1_to_set2); i++) {
            if (set1_to_set2[i])
                inv[set1_to_set2[i]] = i;
        }
        inv[0x02] = 0x41;
        inv[0x1f] = 0x5b;
        inv[0x27] = 0x5c;
        inv[0x2f] = 0x5d;
        built = true;
    }
    if (code < sizeof(inv) && inv[code])
        return inv[code];
    return code;                 /* responses (FA, AA, EE, FE...) and E0/E1 pass unchanged */
}

/* ---- the byte queue to the controller ---- */

static void ps2_queue(PS2Common *c, uint8_t b)
{
    PS2Queue *q = &c->queue;
    if (q->count >= PS2_QUEUE_SIZE) {
        qlog(LOG_GUEST_ERRORS, "ps2: queue full, byte 0x%02x dropped\n", b);
        return;
    }
    q->data[(q->rptr + q->count) % PS2_QUEUE_SIZE] = b;
    q->count++;
    if (c->update)
        c->update(c->update_opaque);
}

static void ps2_queue_clear(PS2Common *c)
{
    c->queue.rptr = c->queue.count = 0;
}

bool ps2_has_data(PS2Common *c)
{
    return c->queue.count > 0;
}

uint8_t ps2_read_byte(PS2Common *c)
{
    PS2Queue *q = &c->queue;
    if (!q->count)
        return 0;
    uint8_t b = q->data[q->rptr];
    q->rptr = (q->rptr + 1) % PS2_QUEUE_SIZE;
    q->count--;
    return b;
}

/* ---- keyboard ---- */

static void kbd_send(PS2Keyboard *k, uint8_t b)
{
    if (b != PS2_RESEND)
        k->last_sent = b;
    ps2_queue(&k->c, b);
}

/* The bytes of one key transition in the keyboard's current set. */
static void kbd_emit_key(PS2Keyboard *k, int key, bool down)
{
    bool e0 = key & PS2_KEY_E0;
    uint8_t code = key & 0x7f;
    if (k->scancode_set == 1) {
        if (key == (PS2_KEY_E0 | 0x37)) {        /* Print Screen: E0 2A E0 37 */
            uint8_t seq[4] = { 0xe0, 0x2a, 0xe0, 0x37 };
            if (!down) {
                seq[1] = 0xb7;
                seq[3] = 0xaa;
            }
            for (int i = 0; i < 4; i++)
                kbd_send(k, seq[i]);
            return;
        }
        if (e0)
            kbd_send(k, 0xe0);
        kbd_send(k, code | (down ? 0 : 0x80));
        return;
    }
    if (key == (PS2_KEY_E0 | 0x37)) {            /* Print Screen: E0 12 E0 7C */
        static const uint8_t make[4] = { 0xe0, 0x12, 0xe0, 0x7c };
        static const uint8_t brk[6] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
        const uint8_t *seq = down ? make : brk;
        for (int i = 0; i < (down ? 4 : 6); i++)
            kbd_send(k, seq[i]);
        return;
    }
    uint8_t s2 = ps2_set1_to_set2(code, e0);
    if (!s2) {
        qlog(LOG_UNIMP, "ps2: key 0x%x has no set 2 code\n", key);
        return;
    }
    if (e0)
        kbd_send(k, 0xe0);
    if (!down)
        kbd_send(k, 0xf0);
    kbd_send(k, s2);
}

/* Typematic byte (command F3): delay (bits 6-5) 250 ms * (n + 1); period (bits 4-0)
 * (8 + A) * 2^B * 4.17 ms with A = bits 2-0, B = bits 4-3. */
static int64_t kbd_repeat_delay(PS2Keyboard *k)
{
    return (((k->typematic >> 5) & 3) + 1) * 250 * (NS_PER_SEC / 1000);
}

static int64_t kbd_repeat_period(PS2Keyboard *k)
{
    int a = k->typematic & 7, b = (k->typematic >> 3) & 3;
    return (int64_t)(8 + a) * (1 << b) * 4170000LL;
}

static void kbd_repeat_cb(void *opaque)
{
    PS2Keyboard *k = opaque;
    if (k->repeat_key < 0 || !k->scanning)
        return;
    kbd_emit_key(k, k->repeat_key, true);
    timer_mod(k->repeat_timer, clock_ns(CLOCK_VIRTUAL) + kbd_repeat_period(k));
}

void ps2_kbd_key_event(PS2Keyboard *k, int key, bool down)
{
    if (!k->scanning)
        return;
    kbd_emit_key(k, key, down);
    if (down) {
        k->repeat_key = key;
        timer_mod(k->repeat_timer, clock_ns(CLOCK_VIRTUAL) + kbd_repeat_delay(k));
    } else if (key == k->repeat_key) {
        k->repeat_key = -1;
        timer_del(k->repeat_timer);
    }
}

static void kbd_set_defaults(PS2Keyboard *k)
{
    k->typematic = 0x2b;         /* 10.9 characters/s after 500 ms */
    k->repeat_key = -1;
    if (k->repeat_timer)
        timer_del(k->repeat_timer);
}

void ps2_kbd_reset(PS2Keyboard *k)
{
    ps2_queue_clear(&k->c);
    k->c.pending_cmd = 0;
    k->scancode_set = 2;
    k->scanning = true;
    k->leds = 0;
    kbd_set_defaults(k);
}

void ps2_kbd_init(PS2Keyboard *k, PS2UpdateFn *update, void *opaque)
{
    memset(k, 0, sizeof(*k));
    k->c.update = update;
    k->c.update_opaque = opaque;
    k->repeat_timer = timer_new(CLOCK_VIRTUAL, kbd_repeat_cb, k);
    ps2_kbd_reset(k);
}

void ps2_kbd_write(PS2Keyboard *k, uint8_t val)
{
    /* The second byte of a two-byte command. Any command byte instead aborts it. */
    if (k->c.pending_cmd && !(val >= 0xed)) {
        int cmd = k->c.pending_cmd;
        k->c.pending_cmd = 0;
        switch (cmd) {
        case 0xed:               /* Set/Reset LEDs */
            k->leds = val & 7;
            kbd_send(k, PS2_ACK);
            return;
        case 0xf3:               /* Set Typematic Rate/Delay */
            k->typematic = val & 0x7f;
            kbd_send(k, PS2_ACK);
            return;
        case 0xf0:               /* Select Alternate Scan Codes */
            kbd_send(k, PS2_ACK);
            if (val == 0) {
                kbd_send(k, k->scancode_set);
            } else if (val <= 3) {
                k->scancode_set = val;
                if (val == 3)
                    qlog(LOG_UNIMP, "ps2: scan code set 3 selected; keys are sent in set 2\n");
            }
            return;
        }
    }
    k->c.pending_cmd = 0;
    switch (val) {
    case 0xed: case 0xf3: case 0xf0:
        k->c.pending_cmd = val;
        kbd_send(k, PS2_ACK);
        break;
    case 0xee:                   /* Echo */
        kbd_send(k, PS2_ECHO);
        break;
    case 0xf2:                   /* Read ID: MF2 keyboard */
        kbd_send(k, PS2_ACK);
        kbd_send(k, 0xab);
        kbd_send(k, 0x83);
        break;
    case 0xf4:                   /* Enable */
        ps2_queue_clear(&k->c);
        k->scanning = true;
        kbd_send(k, PS2_ACK);
        break;
    case 0xf5:                   /* Default Disable */
        kbd_set_defaults(k);
        k->scanning = false;
        kbd_send(k, PS2_ACK);
        break;
    case 0xf6:                   /* Set Default */
        kbd_set_defaults(k);
        kbd_send(k, PS2_ACK);
        break;
    case 0xf7: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc: case 0xfd:
        /* Set 3 key types: accepted and ignored. */
        kbd_send(k, PS2_ACK);
        break;
    case 0xfe:                   /* Resend */
        ps2_queue(&k->c, k->last_sent);
        break;
    case 0xff:                   /* Reset: ACK, then the basic assurance test result */
        ps2_kbd_reset(k);
        kbd_send(k, PS2_ACK);
        kbd_send(k, PS2_BAT_OK);
        break;
    default:
        kbd_send(k, PS2_RESEND);
        break;
    }
}

/* ---- mouse ---- */

static void mouse_send(PS2Mouse *m, uint8_t b)
{
    ps2_queue(&m->c, b);
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* One movement packet (3 bytes, 4 with a wheel): Synaptics/IBM PS/2 mouse data format. */
static void mouse_send_packet(PS2Mouse *m)
{
    int dx = clamp(m->dx, -256, 255), dy = clamp(m->dy, -256, 255);
    int dz = clamp(m->dz, -8, 7);
    uint8_t b0 = 0x08 | (m->buttons & 7) | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0);
    if (m->dx != dx)
        b0 |= 0x40;              /* X overflow */
    if (m->dy != dy)
        b0 |= 0x80;
    mouse_send(m, b0);
    mouse_send(m, dx & 0xff);
    mouse_send(m, dy & 0xff);
    if (m->id == 3) {
        mouse_send(m, dz & 0xff);
    } else if (m->id == 4) {
        mouse_send(m, (dz & 0x0f) | ((m->buttons & 0x18) << 1));
    }
    m->dx -= dx;
    m->dy -= dy;
    m->dz -= dz;
    if (b0 & 0xc0)
        m->dx = m->dy = 0;       /* overflowed movement is lost, as on hardware */
}

void ps2_mouse_event(PS2Mouse *m, int dx, int dy, int dz, uint8_t buttons)
{
    if (!m->reporting && !m->remote) {
        m->buttons = buttons;    /* stream mode, disabled: motion is not counted */
        return;
    }
    m->dx += dx;
    m->dy += dy;
    m->dz += dz;
    bool changed = dx || dy || dz || buttons != m->buttons;
    m->buttons = buttons;
    if (!m->reporting || m->remote || !changed)
        return;
    /* Leave room so a burst of motion cannot overflow the queue mid-packet. */
    if (m->c.queue.count > PS2_QUEUE_SIZE - 16)
        return;
    mouse_send_packet(m);
}

void ps2_mouse_reset(PS2Mouse *m)
{
    ps2_queue_clear(&m->c);
    m->c.pending_cmd = 0;
    m->reporting = m->remote = m->wrap = m->scaling21 = false;
    m->resolution = 2;           /* 4 counts/mm */
    m->sample_rate = 100;
    m->id = 0;
    memset(m->rate_history, 0, sizeof(m->rate_history));
    m->dx = m->dy = m->dz = 0;
}

void ps2_mouse_init(PS2Mouse *m, PS2UpdateFn *update, void *opaque)
{
    memset(m, 0, sizeof(*m));
    m->c.update = update;
    m->c.update_opaque = opaque;
    ps2_mouse_reset(m);
}

void ps2_mouse_write(PS2Mouse *m, uint8_t val)
{
    if (m->wrap && val != 0xec && val != 0xff) {
        mouse_send(m, val);      /* wrap (echo) mode */
        return;
    }
    if (m->c.pending_cmd) {
        int cmd = m->c.pending_cmd;
        m->c.pending_cmd = 0;
        if (cmd == 0xe8) {       /* Set Resolution */
            m->resolution = val & 3;
            mouse_send(m, PS2_ACK);
            return;
        }
        if (cmd == 0xf3) {       /* Set Sample Rate; 200,100,80 and 200,200,80 unlock wheels */
            m->sample_rate = val;
            m->rate_history[0] = m->rate_history[1];
            m->rate_history[1] = m->rate_history[2];
            m->rate_history[2] = val;
            if (m->rate_history[0] == 200 && m->rate_history[1] == 100 && val == 80 && m->id == 0)
                m->id = 3;
            else if (m->rate_history[0] == 200 && m->rate_history[1] == 200 && val == 80 && m->id == 3)
                m->id = 4;
            mouse_send(m, PS2_ACK);
            return;
        }
    }
    switch (val) {
    case 0xe6:                   /* Set Scaling 1:1 */
        m->scaling21 = false;
        mouse_send(m, PS2_ACK);
        break;
    case 0xe7:                   /* Set Scaling 2:1 */
        m->scaling21 = true;
        mouse_send(m, PS2_ACK);
        break;
    case 0xe8: case 0xf3:
        m->c.pending_cmd = val;
        mouse_send(m, PS2_ACK);
        break;
    case 0xe9:                   /* Status Request */
        mouse_send(m, PS2_ACK);
        mouse_send(m, (m->remote << 6) | (m->reporting << 5) | (m->scaling21 << 4) |
                      ((m->buttons & 1) << 2) | ((m->buttons & 4) >> 1) | ((m->buttons & 2) >> 1));
        mouse_send(m, m->resolution);
        mouse_send(m, m->sample_rate);
        break;
    case 0xea:                   /* Set Stream Mode */
        m->remote = false;
        mouse_send(m, PS2_ACK);
        break;
    case 0xeb:                   /* Read Data */
        mouse_send(m, PS2_ACK);
        mouse_send_packet(m);
        break;
    case 0xec:                   /* Reset Wrap Mode */
        m->wrap = false;
        mouse_send(m, PS2_ACK);
        break;
    case 0xee:                   /* Set Wrap Mode */
        m->wrap = true;
        mouse_send(m, PS2_ACK);
        break;
    case 0xf0:                   /* Set Remote Mode */
        m->remote = true;
        mouse_send(m, PS2_ACK);
        break;
    case 0xf2:                   /* Get Device ID */
        mouse_send(m, PS2_ACK);
        mouse_send(m, m->id);
        break;
    case 0xf4:                   /* Enable Data Reporting */
        m->reporting = true;
        m->dx = m->dy = m->dz = 0;
        mouse_send(m, PS2_ACK);
        break;
    case 0xf5:                   /* Disable Data Reporting */
        m->reporting = false;
        mouse_send(m, PS2_ACK);
        break;
    case 0xf6:                   /* Set Defaults */
        m->sample_rate = 100;
        m->resolution = 2;
        m->scaling21 = false;
        m->reporting = false;
        mouse_send(m, PS2_ACK);
        break;
    case 0xfe:                   /* Resend: only the ACK is kept, so resend that */
        mouse_send(m, PS2_ACK);
        break;
    case 0xff:                   /* Reset: ACK, BAT OK, ID 0 */
        ps2_mouse_reset(m);
        mouse_send(m, PS2_ACK);
        mouse_send(m, PS2_BAT_OK);
        mouse_send(m, 0x00);
        break;
    default:
        mouse_send(m, PS2_RESEND);
        break;
    }
}
