/* test-serial.c: the 16550A's registers — divisor latch, FIFO and trigger levels, IIR priority,
 * THRE interrupt rules, character timeout, loopback and modem-status interrupts, output to a
 * chardev, and COM1-COM4 at their standard ports and IRQs. */
#include <criterion/criterion.h>
#include "hw/core/board.h"
#include "hw/core/chardev.h"
#include "hw/core/device.h"
#include "hw/char/serial.h"
#include "hw/core/clock.h"
#include <time.h>   /* after clock.h: it defines CLOCK_REALTIME */

static MemoryRegion root_io;
static AddressSpace io_as;
static int irq_level, irq3_level;     /* ISA IRQ 4 (COM1, COM3) and IRQ 3 (COM2, COM4) */
static uint8_t out[64];
static size_t nout;

static void irq_handler(void *opaque, int n, int level)
{
    if (n == 4)
        irq_level = level;
    else if (n == 3)
        irq3_level = level;
}

static void cap_write(Chardev *c, const uint8_t *buf, size_t len)
{
    memcpy(out + nout, buf, len);
    nout += len;
}
static const ChardevOps cap_ops = { .write = cap_write };
static Chardev cap;

static SerialState *setup(void)
{
    static bool once;
    if (!once) {
        memory_region_init_container(&root_io, "io", 0x10000);
        address_space_init(&io_as, &root_io, "io");
        board.system_io = &root_io;
        board.io_as = &io_as;
        IrqLine *lines = irq_alloc_lines(irq_handler, NULL, ISA_NUM_IRQS);
        for (int i = 0; i < ISA_NUM_IRQS; i++)
            board.isa_irq[i] = &lines[i];
        chardev_add(&cap, "captest", &cap_ops);
        once = true;
    }
    Error *err = NULL;
    Device *d = device_create("isa-serial", "index=0,chardev=captest", &err);
    cr_assert_not_null(d, "%s", err ? err->msg : "");
    nout = 0;
    return (SerialState *)d;
}

static uint8_t inb(uint16_t port) { return address_space_ld(&io_as, port, 1, NULL); }
static void outb(uint16_t port, uint8_t v) { address_space_st(&io_as, port, v, 1); }

Test(serial, transmit_and_divisor)
{
    setup();
    cr_assert_eq(inb(0x3fd) & 0x60, 0x60, "THRE and TEMT after reset");
    outb(0x3fb, 0x83);          /* DLAB, 8N1 */
    outb(0x3f8, 0x01);
    outb(0x3f9, 0x00);
    cr_assert_eq(inb(0x3f8), 0x01);
    outb(0x3fb, 0x03);
    outb(0x3f8, 'h');
    outb(0x3f8, 'i');
    cr_assert_eq(nout, 2);
    cr_assert_eq(memcmp(out, "hi", 2), 0);
    cr_assert_eq(inb(0x3fa) & 1, 1, "no interrupt pending with IER = 0");
}

Test(serial, thre_interrupt_rules)
{
    setup();
    outb(0x3f9, 0x02);          /* ETBEI with THR empty: raised at once */
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(inb(0x3fa) & 0x0f, 0x02);
    cr_assert_eq(irq_level, 0, "reading IIR cleared the THRE source");
    outb(0x3f8, 'x');
    cr_assert_eq(irq_level, 1, "THR empty again after the byte went out");
    outb(0x3f9, 0x00);
    cr_assert_eq(irq_level, 0);
}

Test(serial, fifo_trigger_and_priority)
{
    SerialState *s = setup();
    outb(0x3fa, 0xc7);          /* FIFO on, clear both, trigger 14 */
    cr_assert_eq(inb(0x3fa) & 0xc0, 0xc0, "FIFOs enabled shows in IIR");
    outb(0x3f9, 0x01);          /* ERBFI */
    uint8_t data[14];
    for (int i = 0; i < 14; i++)
        data[i] = 'a' + i;
    serial_receive_bytes(s, data, 13);
    cr_assert_eq(irq_level, 0, "below the trigger level");
    cr_assert(inb(0x3fd) & 1, "DR");
    serial_receive_bytes(s, data + 13, 1);
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(inb(0x3fa) & 0x0f, 0x04, "received data available");
    for (int i = 0; i < 14; i++)
        cr_assert_eq(inb(0x3f8), 'a' + i);
    cr_assert_eq(inb(0x3fd) & 1, 0);
    cr_assert_eq(irq_level, 0);
    /* Overrun: 17 bytes into a 16-byte FIFO; the line-status interrupt outranks data. */
    outb(0x3f9, 0x05);
    uint8_t many[17] = { 0 };
    serial_receive_bytes(s, many, 17);
    cr_assert_eq(inb(0x3fa) & 0x0f, 0x06);
    cr_assert(inb(0x3fd) & 0x02, "OE");
    cr_assert_eq(inb(0x3fd) & 0x02, 0, "LSR read clears OE");
}

Test(serial, loopback_and_modem_status)
{
    setup();
    outb(0x3fc, 0x10);          /* loop, all outputs off */
    uint8_t msr = inb(0x3fe);
    cr_assert_eq(msr & 0xf0, 0x00);
    outb(0x3fc, 0x10 | 0x01 | 0x02);   /* DTR, RTS */
    msr = inb(0x3fe);
    cr_assert_eq(msr & 0xf0, 0x30, "CTS and DSR follow RTS and DTR");
    cr_assert_eq(msr & 0x03, 0x03, "delta bits");
    cr_assert_eq(inb(0x3fe) & 0x0f, 0, "cleared by the read");
    outb(0x3f8, 'Z');
    cr_assert_eq(nout, 0, "loopback does not reach the wire");
    cr_assert_eq(inb(0x3f8), 'Z');
}

/* Each trigger level of FCR bits 7-6 (1, 4, 8, 14 bytes): data available only from there. */
Test(serial, every_fifo_trigger_level)
{
    SerialState *s = setup();
    static const uint8_t fcr[4] = { 0x01, 0x41, 0x81, 0xc1 }, level[4] = { 1, 4, 8, 14 };
    outb(0x3f9, 0x01);          /* ERBFI */
    for (int t = 0; t < 4; t++) {
        outb(0x3fa, fcr[t] | 0x06);
        uint8_t c = 'x';
        for (int n = 1; n <= level[t]; n++) {
            serial_receive_bytes(s, &c, 1);
            cr_assert_eq(irq_level, n == level[t], "trigger %d after %d bytes", level[t], n);
        }
        cr_assert_eq(inb(0x3fa) & 0x0f, 0x04);
        inb(0x3f8);
        if (level[t] > 1)
            cr_assert_eq(irq_level, 0, "below trigger %d again", level[t]);
    }
}

/* Fewer bytes than the trigger level: the character timeout (four character times without
 * FIFO activity) reports them, IIR 0x0c; reading a byte clears it. */
Test(serial, character_timeout)
{
    SerialState *s = setup();
    outb(0x3fb, 0x80);
    outb(0x3f8, 0x01);          /* 115200 baud: 4 characters take about 350 us */
    outb(0x3fb, 0x03);
    outb(0x3fa, 0xc7);
    outb(0x3f9, 0x01);
    serial_receive_bytes(s, (const uint8_t *)"ab", 2);
    cr_assert_eq(irq_level, 0);
    for (int i = 0; i < 200 && !irq_level; i++) {
        struct timespec ts = { 0, 100000 };
        nanosleep(&ts, NULL);
        timers_run_expired();
    }
    cr_assert_eq(irq_level, 1, "character timeout interrupt");
    cr_assert_eq(inb(0x3fa) & 0x0f, 0x0c);
    cr_assert_eq(inb(0x3f8), 'a');
    cr_assert_eq(irq_level, 0, "a read clears the timeout");
}

/* Modem-status interrupt: with EDSSI, a change of CTS/DSR/DCD (here through loopback) or the
 * trailing edge of RI raises IIR 0x00; reading MSR clears the deltas and the interrupt. It
 * has the lowest priority. */
Test(serial, modem_status_interrupt)
{
    setup();
    outb(0x3fc, 0x10);
    inb(0x3fe);
    outb(0x3f9, 0x08);          /* EDSSI */
    cr_assert_eq(irq_level, 0);
    outb(0x3fc, 0x10 | 0x02);   /* RTS -> CTS */
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(inb(0x3fa) & 0x0f, 0x00);
    cr_assert_eq(inb(0x3fe), 0x10 | 0x01, "CTS with its delta");
    cr_assert_eq(irq_level, 0);
    outb(0x3fc, 0x10 | 0x04);   /* OUT1 -> RI rises: no interrupt yet... */
    cr_assert_eq(inb(0x3fe) & 0x0f, 0x01, "only the CTS delta (RTS dropped)");
    outb(0x3fc, 0x10);          /* ...RI falls: trailing edge */
    cr_assert_eq(irq_level, 1);
    cr_assert_eq(inb(0x3fe) & 0x0f, 0x04, "TERI");
    outb(0x3fc, 0x10 | 0x08);   /* OUT2 -> DCD, with THRE enabled too: THRE outranks MSI */
    outb(0x3f9, 0x0a);
    cr_assert_eq(inb(0x3fa) & 0x0f, 0x02);
    cr_assert_eq(inb(0x3fa) & 0x0f, 0x00, "then the modem status");
    cr_assert_eq(inb(0x3fe) & 0x8f, 0x88, "DCD and its delta");
    cr_assert_eq(inb(0x3fa) & 0x0f, 0x01);
}

/* index=0..3 are COM1-COM4 at 3F8/IRQ4, 2F8/IRQ3, 3E8/IRQ4, 2E8/IRQ3 (the -serial order). */
Test(serial, com1_to_com4)
{
    setup();
    static const uint16_t base[4] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
    for (int i = 1; i < 4; i++) {
        char props[32];
        snprintf(props, sizeof props, "index=%d", i);
        cr_assert_not_null(device_create("isa-serial", props, NULL));
    }
    for (int i = 0; i < 4; i++) {
        outb(base[i] + 7, 0x50 + i);
        outb(base[i] + 1, 0x02);     /* THRE interrupt, raised at once */
        cr_assert_eq(irq_level, !(i & 1), "COM%d on IRQ 4", i + 1);
        cr_assert_eq(irq3_level, i & 1, "COM%d on IRQ 3", i + 1);
        outb(base[i] + 1, 0x00);
    }
    for (int i = 0; i < 4; i++)
        cr_assert_eq(inb(base[i] + 7), 0x50 + i, "COM%d scratch register", i + 1);
    Error *err = NULL;
    cr_assert_null(device_create("isa-serial", "index=4", &err));
    cr_assert_not_null(strstr(err->msg, "0 to 3"));
    error_free(err);
}
