/* serial.c: the 16550A UART (National Semiconductor PC16550D datasheet), COM1-COM4.
 *
 * Transmission is instant (the byte goes to the back end when THR is written); reception
 * goes through the 16-byte receive FIFO with the trigger levels and the character-timeout
 * interrupt of the datasheet, timed at the programmed baud rate on the virtual clock. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/core/chardev.h"
#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/char/serial.h"

/* Register offsets (PC16550D table II). */
#define UART_RBR 0   /* receiver buffer (read), THR transmitter holding (write); DLL if DLAB */
#define UART_IER 1   /* interrupt enable; DLM if DLAB */
#define UART_IIR 2   /* interrupt identification (read), FCR FIFO control (write) */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define IER_RDI  0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI  0x08

#define IIR_NO_INT 0x01
#define IIR_MSI    0x00
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_RLSI   0x06
#define IIR_CTI    0x0c
#define IIR_FIFO   0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

#define LCR_DLAB 0x80
#define LCR_SBC  0x40   /* set break */

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_PE   0x04
#define LSR_FE   0x08
#define LSR_BI   0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_RXFE 0x80
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80
#define MSR_DELTAS 0x0f

#define FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200   /* 1.8432 MHz crystal: divisor 1 = 115200 baud */

struct SerialState {
    Device dev;
    uint32_t iobase, irq, index;
    char *chardev_id;
    MemoryRegion io;
    IrqLine *irq_line;
    Chardev *chr;
    Timer *timeout_timer;

    uint16_t divisor;
    uint8_t ier, iir_fifo, lcr, mcr, lsr, msr, scr, fcr;
    bool thr_ipending;
    bool timeout_ipending;
    uint8_t rx[FIFO_SIZE];
    int rx_head, rx_count;
    uint8_t rx_trigger;
    int irq_level;
};

static bool fifo_enabled(SerialState *s)
{
    return s->fcr & FCR_ENABLE;
}

static int64_t char_time_ns(SerialState *s)
{
    unsigned div = s->divisor ? s->divisor : 1;
    /* start + 5..8 data + parity + 1..2 stop bits */
    unsigned bits = 1 + 5 + (s->lcr & 3) + ((s->lcr >> 3) & 1) + 1 + ((s->lcr >> 2) & 1);
    return (int64_t)bits * div * 16 * NS_PER_SEC / UART_CLOCK_HZ;
}

/* Recompute IIR priority (PC16550D table IV) and drive the IRQ line. */
static void serial_update_irq(SerialState *s)
{
    uint8_t iir = IIR_NO_INT;
    if ((s->ier & IER_RLSI) && (s->lsr & LSR_ERRORS))
        iir = IIR_RLSI;
    else if ((s->ier & IER_RDI) && s->timeout_ipending)
        iir = IIR_CTI;
    else if ((s->ier & IER_RDI) && s->rx_count &&
             (!fifo_enabled(s) || s->rx_count >= s->rx_trigger))
        iir = IIR_RDI;
    else if ((s->ier & IER_THRI) && s->thr_ipending)
        iir = IIR_THRI;
    else if ((s->ier & IER_MSI) && (s->msr & MSR_DELTAS))
        iir = IIR_MSI;
    s->iir_fifo = iir;
    /* Real PCs gate the IRQ with OUT2; QEMU does not, and guests written against QEMU
     * (including some boot loaders) never set it, so neither do we. */
    int level = iir != IIR_NO_INT;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq_line, level);
    }
}

static void rx_push(SerialState *s, uint8_t c)
{
    int cap = fifo_enabled(s) ? FIFO_SIZE : 1;
    if (s->rx_count >= cap) {
        s->lsr |= LSR_OE;
        if (!fifo_enabled(s))
            s->rx[s->rx_head] = c;   /* the holding register is overwritten */
        return;
    }
    s->rx[(s->rx_head + s->rx_count) % FIFO_SIZE] = c;
    s->rx_count++;
    s->lsr |= LSR_DR;
}

static void arm_timeout(SerialState *s)
{
    if (fifo_enabled(s) && s->rx_count)
        timer_mod(s->timeout_timer, clock_ns(CLOCK_VIRTUAL) + 4 * char_time_ns(s));
    else
        timer_del(s->timeout_timer);
}

static void timeout_fire(void *opaque)
{
    SerialState *s = opaque;
    if (s->rx_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

static uint8_t rx_pop(SerialState *s)
{
    if (!s->rx_count)
        return fifo_enabled(s) ? 0 : s->rx[s->rx_head];
    uint8_t c = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % FIFO_SIZE;
    s->rx_count--;
    if (!s->rx_count)
        s->lsr &= ~LSR_DR;
    s->timeout_ipending = false;
    arm_timeout(s);
    if (s->rx_count < FIFO_SIZE)
        chardev_accept_input(s->chr);
    return c;
}

static void update_msr(SerialState *s, uint8_t lines)
{
    uint8_t old = s->msr;
    uint8_t now = lines & 0xf0;
    uint8_t delta = ((old ^ now) & (MSR_CTS | MSR_DSR | MSR_DCD)) >> 4;
    if ((old & MSR_RI) && !(now & MSR_RI))
        delta |= MSR_TERI;          /* trailing edge of ring indicator */
    s->msr = now | (old & MSR_DELTAS) | delta;
}

static void loopback_update_msr(SerialState *s)
{
    uint8_t lines;
    if (s->mcr & MCR_LOOP) {
        lines = ((s->mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
                ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        /* A host back end is always "connected": carrier, data set ready, clear to send. */
        lines = MSR_DCD | MSR_DSR | MSR_CTS;
    }
    update_msr(s, lines);
}

static void serial_transmit(SerialState *s, uint8_t c)
{
    if (s->mcr & MCR_LOOP) {
        rx_push(s, c);
        arm_timeout(s);
    } else if (!(s->lcr & LCR_SBC)) {
        chardev_write(s->chr, &c, 1);
    }
    s->lsr |= LSR_THRE | LSR_TEMT;
    s->thr_ipending = true;
}

static uint64_t serial_read(void *opaque, uint64_t off, unsigned size)
{
    SerialState *s = opaque;
    uint8_t v = 0;
    switch (off) {
    case UART_RBR:
        if (s->lcr & LCR_DLAB)
            v = s->divisor & 0xff;
        else
            v = rx_pop(s);
        break;
    case UART_IER:
        v = (s->lcr & LCR_DLAB) ? s->divisor >> 8 : s->ier;
        break;
    case UART_IIR:
        v = s->iir_fifo | (fifo_enabled(s) ? IIR_FIFO : 0);
        /* Reading IIR while it reports THRE clears that source (PC16550D table IV). */
        if (s->iir_fifo == IIR_THRI)
            s->thr_ipending = false;
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        v = s->lsr;
        if (fifo_enabled(s) && (s->lsr & LSR_ERRORS))
            v |= LSR_RXFE;
        s->lsr &= ~LSR_ERRORS;
        break;
    case UART_MSR:
        v = s->msr;
        s->msr &= ~MSR_DELTAS;
        break;
    case UART_SCR:
        v = s->scr;
        break;
    }
    serial_update_irq(s);
    return v;
}

static void serial_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    SerialState *s = opaque;
    uint8_t v = val;
    switch (off) {
    case UART_RBR:
        if (s->lcr & LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | v;
        } else {
            s->thr_ipending = false;
            serial_transmit(s, v);
        }
        break;
    case UART_IER:
        if (s->lcr & LCR_DLAB) {
            s->divisor = (s->divisor & 0x00ff) | (v << 8);
        } else {
            /* Enabling THRI with THR empty raises it at once, as on the real part. */
            if (!(s->ier & IER_THRI) && (v & IER_THRI) && (s->lsr & LSR_THRE))
                s->thr_ipending = true;
            s->ier = v & 0x0f;
        }
        break;
    case UART_IIR: {
        static const uint8_t triggers[4] = { 1, 4, 8, 14 };
        if ((v ^ s->fcr) & FCR_ENABLE) {
            /* Changing the FIFO enable clears both FIFOs. */
            s->rx_count = 0;
            s->lsr &= ~LSR_DR;
        }
        if (v & FCR_CLEAR_RX) {
            s->rx_count = 0;
            s->lsr &= ~LSR_DR;
            s->timeout_ipending = false;
            timer_del(s->timeout_timer);
        }
        s->fcr = v & 0xc9;
        s->rx_trigger = triggers[v >> 6];
        chardev_accept_input(s->chr);
        break;
    }
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & 0x1f;
        loopback_update_msr(s);
        break;
    case UART_LSR:
        break;          /* factory test only */
    case UART_MSR:
        break;
    case UART_SCR:
        s->scr = v;
        break;
    }
    serial_update_irq(s);
}

static const MemoryRegionOps serial_ops = {
    .read = serial_read, .write = serial_write, .min_size = 1, .max_size = 1,
};

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;
    if (s->mcr & MCR_LOOP)
        return 0;
    return fifo_enabled(s) ? FIFO_SIZE - s->rx_count : (s->rx_count ? 0 : 1);
}

static void serial_receive(void *opaque, const uint8_t *buf, size_t len)
{
    SerialState *s = opaque;
    for (size_t i = 0; i < len; i++)
        rx_push(s, buf[i]);
    arm_timeout(s);
    serial_update_irq(s);
}

void serial_receive_bytes(SerialState *s, const uint8_t *buf, size_t len)
{
    serial_receive(s, buf, len);
}

static void serial_reset(Device *dev)
{
    SerialState *s = (SerialState *)dev;
    s->divisor = 12;            /* 9600 baud */
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = LSR_THRE | LSR_TEMT;
    s->msr = MSR_DCD | MSR_DSR | MSR_CTS;
    s->scr = 0;
    s->fcr = 0;
    s->rx_trigger = 1;
    s->rx_count = 0;
    s->thr_ipending = false;
    s->timeout_ipending = false;
    timer_del(s->timeout_timer);
    serial_update_irq(s);
}

static const uint16_t com_iobase[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const uint8_t com_irq[4] = { 4, 3, 4, 3 };

static bool serial_realize(Device *dev, Error **errp)
{
    SerialState *s = (SerialState *)dev;
    if (s->index > 3) {
        error_setg(errp, "index %u: COM ports are numbered 0 to 3", s->index);
        return false;
    }
    if (!s->iobase)
        s->iobase = com_iobase[s->index];
    if (!s->irq)
        s->irq = com_irq[s->index];
    if (s->iobase > 0xfff8 || s->irq >= ISA_NUM_IRQS) {
        error_setg(errp, "iobase 0x%x / irq %u out of range", s->iobase, s->irq);
        return false;
    }
    if (s->chardev_id && *s->chardev_id) {
        s->chr = chardev_find(s->chardev_id);
        if (!s->chr) {
            error_setg(errp, "chardev '%s' not found", s->chardev_id);
            return false;
        }
        chardev_set_handlers(s->chr, serial_can_receive, serial_receive, s);
    }
    s->irq_line = isa_get_irq(s->irq);
    s->timeout_timer = timer_new(CLOCK_VIRTUAL, timeout_fire, s);
    memory_region_init_io(&s->io, "serial", &serial_ops, s, 8);
    memory_region_add_subregion(board.system_io, s->iobase, &s->io);
    serial_reset(dev);
    return true;
}

static const DeviceProp serial_props[] = {
    PROP_U32("index", SerialState, index, 0, "COM port number 0-3 (sets default iobase/irq)"),
    PROP_U32("iobase", SerialState, iobase, 0, "I/O base (default from index)"),
    PROP_U32("irq", SerialState, irq, 0, "ISA IRQ (default from index)"),
    PROP_STR("chardev", SerialState, chardev_id, NULL, "character back end id"),
    PROP_END,
};

static const DeviceClass serial_class = {
    .name = "isa-serial", .desc = "16550A UART", .bus = "isa", .size = sizeof(SerialState),
    .props = serial_props, .realize = serial_realize, .reset = serial_reset, .user_creatable = true,
};
DEVICE_CLASS_REGISTER(serial_class);
