/* i8042.c: 8042 keyboard controller — command byte, translation, A20 and reset lines. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/input/i8042.h"

static void i8042_update_irq(I8042State *s)
{
    bool full = s->status & I8042_STR_OBF;
    bool aux = s->status & I8042_STR_AUXOBF;
    bool kirq = full && !aux && (s->ccb & I8042_CCB_KBDINT);
    bool airq = full && aux && (s->ccb & I8042_CCB_AUXINT);
    s->outport &= ~(I8042_OUT_KBDOBF | I8042_OUT_AUXOBF);
    if (full)
        s->outport |= aux ? I8042_OUT_AUXOBF : I8042_OUT_KBDOBF;
    irq_set(s->irq_kbd, kirq);
    irq_set(s->irq_aux, airq);
}

/* Fill an empty output buffer from the keyboard (translated to set 1 when XLATE is on), or
 * else the mouse. */
static void i8042_update(void *opaque)
{
    I8042State *s = opaque;
    if (!(s->status & I8042_STR_OBF)) {
        if (!(s->ccb & I8042_CCB_KBDDIS)) {
            while (ps2_has_data(&s->kbd.c)) {
                uint8_t b = ps2_read_byte(&s->kbd.c);
                if (s->ccb & I8042_CCB_XLATE) {
                    if (b == 0xf0) {
                        s->xlate_break = true;   /* set 2 break prefix: folded into bit 7 */
                        continue;
                    }
                    b = ps2_translate_set2(b) | (s->xlate_break ? 0x80 : 0);
                    s->xlate_break = false;
                }
                s->out = b;
                s->status = (s->status | I8042_STR_OBF) & ~I8042_STR_AUXOBF;
                break;
            }
        }
        if (!(s->status & I8042_STR_OBF) && !(s->ccb & I8042_CCB_AUXDIS) &&
            ps2_has_data(&s->mouse.c)) {
            s->out = ps2_read_byte(&s->mouse.c);
            s->status |= I8042_STR_OBF | I8042_STR_AUXOBF;
        }
    }
    i8042_update_irq(s);
}

/* A byte from the controller itself (command replies, D2/D3 echoes). */
static void i8042_output(I8042State *s, uint8_t b, bool aux)
{
    s->out = b;
    s->status |= I8042_STR_OBF;
    if (aux)
        s->status |= I8042_STR_AUXOBF;
    else
        s->status &= ~I8042_STR_AUXOBF;
    i8042_update_irq(s);
}

static void i8042_set_outport(I8042State *s, uint8_t val)
{
    uint8_t old = s->outport;
    s->outport = val;
    if ((old ^ val) & I8042_OUT_A20) {
        if (board.set_a20)
            board.set_a20(val & I8042_OUT_A20);
    }
    if (!(val & I8042_OUT_RESET)) {
        qlog(LOG_GUEST_ERRORS, "i8042: reset through the output port\n");
        s->outport |= I8042_OUT_RESET;
        if (board.request_reset)
            board.request_reset();
    }
}

static void i8042_write_ccb(I8042State *s, uint8_t val)
{
    s->ccb = val;
    s->ram[0] = val;
    if (val & I8042_CCB_SYS)
        s->status |= I8042_STR_SYS;
    else
        s->status &= ~I8042_STR_SYS;
    i8042_update(s);
}

static void i8042_command(I8042State *s, uint8_t cmd)
{
    if (cmd >= 0x20 && cmd < 0x40) {             /* Read controller RAM (0x20: command byte) */
        i8042_output(s, cmd == 0x20 ? s->ccb : s->ram[cmd & 0x1f], false);
        return;
    }
    if ((cmd >= 0x60 && cmd < 0x80) || cmd == 0xd1 || cmd == 0xd2 || cmd == 0xd3 || cmd == 0xd4) {
        s->pending = cmd;                        /* the data byte follows on port 0x60 */
        return;
    }
    if (cmd >= 0xf0) {
        /* Pulse output port bits 3-0 low for 6 us; bit 0 is the CPU reset line. */
        if (!(cmd & 1)) {
            qlog(LOG_GUEST_ERRORS, "i8042: reset pulse (command 0x%02x)\n", cmd);
            if (board.request_reset)
                board.request_reset();
        }
        return;
    }
    switch (cmd) {
    case 0xa4:                                   /* Test password installed: no */
        i8042_output(s, 0xf1, false);
        break;
    case 0xa7:                                   /* Disable auxiliary interface */
        s->ccb |= I8042_CCB_AUXDIS;
        break;
    case 0xa8:                                   /* Enable auxiliary interface */
        s->ccb &= ~I8042_CCB_AUXDIS;
        i8042_update(s);
        break;
    case 0xa9:                                   /* Auxiliary interface test: OK */
        i8042_output(s, 0x00, false);
        break;
    case 0xaa:                                   /* Controller self-test: 0x55 */
        s->status |= I8042_STR_SYS;
        i8042_output(s, 0x55, false);
        break;
    case 0xab:                                   /* Keyboard interface test: OK */
        i8042_output(s, 0x00, false);
        break;
    case 0xad:                                   /* Disable keyboard */
        s->ccb |= I8042_CCB_KBDDIS;
        break;
    case 0xae:                                   /* Enable keyboard */
        s->ccb &= ~I8042_CCB_KBDDIS;
        i8042_update(s);
        break;
    case 0xc0:                                   /* Read input port: keyboard not inhibited */
        i8042_output(s, 0x80, false);
        break;
    case 0xd0:                                   /* Read output port */
        i8042_output(s, s->outport, false);
        break;
    case 0xdd:                                   /* Disable A20 (HP Vectra and later) */
        i8042_set_outport(s, s->outport & ~I8042_OUT_A20);
        break;
    case 0xdf:                                   /* Enable A20 */
        i8042_set_outport(s, s->outport | I8042_OUT_A20);
        break;
    case 0xe0:                                   /* Read test inputs */
        i8042_output(s, 0x00, false);
        break;
    default:
        qlog(LOG_GUEST_ERRORS, "i8042: unknown command 0x%02x\n", cmd);
        break;
    }
}

static void i8042_write_data(I8042State *s, uint8_t val)
{
    int pending = s->pending;
    s->pending = 0;
    if (pending >= 0x60 && pending < 0x80) {
        if (pending == 0x60)
            i8042_write_ccb(s, val);
        else
            s->ram[pending & 0x1f] = val;
        return;
    }
    switch (pending) {
    case 0xd1:                                   /* Write output port */
        i8042_set_outport(s, val);
        return;
    case 0xd2:                                   /* Write keyboard output buffer */
        i8042_output(s, val, false);
        return;
    case 0xd3:                                   /* Write auxiliary output buffer */
        i8042_output(s, val, true);
        return;
    case 0xd4:                                   /* Write to auxiliary device */
        ps2_mouse_write(&s->mouse, val);
        return;
    }
    /* A byte for the keyboard re-enables the keyboard interface. */
    s->ccb &= ~I8042_CCB_KBDDIS;
    ps2_kbd_write(&s->kbd, val);
}

static uint64_t i8042_data_read(void *opaque, uint64_t off, unsigned size)
{
    I8042State *s = opaque;
    uint8_t v = s->out;
    s->status &= ~(I8042_STR_OBF | I8042_STR_AUXOBF);
    /* The interrupt line follows OBF: it falls with the read, so the next byte (if the device
     * has one queued) is a new edge for the edge-triggered PIC. */
    i8042_update_irq(s);
    i8042_update(s);
    return v;
}

static void i8042_data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    I8042State *s = opaque;
    s->status &= ~I8042_STR_CMD;
    i8042_write_data(s, val);
}

static uint64_t i8042_status_read(void *opaque, uint64_t off, unsigned size)
{
    I8042State *s = opaque;
    return s->status;
}

static void i8042_cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    I8042State *s = opaque;
    s->status |= I8042_STR_CMD;
    i8042_command(s, val);
}

static const MemoryRegionOps i8042_data_ops = {
    .read = i8042_data_read, .write = i8042_data_write, .min_size = 1, .max_size = 1,
};
static const MemoryRegionOps i8042_cmd_ops = {
    .read = i8042_status_read, .write = i8042_cmd_write, .min_size = 1, .max_size = 1,
};

static void i8042_reset(Device *dev)
{
    I8042State *s = (I8042State *)dev;
    s->ccb = I8042_CCB_KBDINT | I8042_CCB_AUXINT;
    memset(s->ram, 0, sizeof(s->ram));
    s->ram[0] = s->ccb;
    s->status = I8042_STR_CMD | I8042_STR_KEYLOCK;
    s->outport = I8042_OUT_RESET | I8042_OUT_A20;
    s->pending = 0;
    s->xlate_break = false;
    s->out = 0;
    ps2_kbd_reset(&s->kbd);
    ps2_mouse_reset(&s->mouse);
    i8042_update_irq(s);
}

static bool i8042_realize(Device *dev, Error **errp)
{
    I8042State *s = (I8042State *)dev;
    if (!board.system_io) {
        error_setg(errp, "i8042: the board has no I/O space");
        return false;
    }
    s->irq_kbd = isa_get_irq(s->kbd_irq);
    s->irq_aux = isa_get_irq(s->aux_irq);
    ps2_kbd_init(&s->kbd, i8042_update, s);
    ps2_mouse_init(&s->mouse, i8042_update, s);
    memory_region_init_io(&s->io_data, "i8042-data", &i8042_data_ops, s, 1);
    memory_region_init_io(&s->io_cmd, "i8042-cmd", &i8042_cmd_ops, s, 1);
    memory_region_add_subregion(board.system_io, 0x60, &s->io_data);
    memory_region_add_subregion(board.system_io, 0x64, &s->io_cmd);
    i8042_reset(dev);
    return true;
}

static const DeviceProp i8042_props[] = {
    PROP_U32("kbd_irq", I8042State, kbd_irq, 1, "ISA IRQ of the keyboard"),
    PROP_U32("aux_irq", I8042State, aux_irq, 12, "ISA IRQ of the mouse"),
    PROP_END,
};

static const DeviceClass i8042_class = {
    .name = "i8042", .desc = "8042 keyboard controller with PS/2 keyboard and mouse",
    .bus = "isa", .size = sizeof(I8042State), .props = i8042_props,
    .realize = i8042_realize, .reset = i8042_reset,
};
DEVICE_CLASS_REGISTER(i8042_class);

I8042State *i8042_create(Error **errp)
{
    I8042State *s = (I8042State *)device_new("i8042", errp);
    if (!s || !device_realize(&s->dev, errp))
        return NULL;
    return s;
}
