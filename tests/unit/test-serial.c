/* test-serial.c: the 16550A's registers — divisor latch, FIFO and trigger levels, IIR priority,
 * THRE interrupt rules, loopback and modem status, and output to a chardev. */
#include <criterion/criterion.h>
#include "hw/core/board.h"
#include "hw/core/chardev.h"
#include "hw/core/device.h"
#include "hw/char/serial.h"

static MemoryRegion root_io;
static AddressSpace io_as;
static int irq_level;
static uint8_t out[64];
static size_t nout;

static void irq_handler(void *opaque, int n, int level) { irq_level = level; }

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
        board.isa_irq[4] = irq_alloc_lines(irq_handler, NULL, 1);
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
