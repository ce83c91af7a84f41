/* test-i8259.c: the 8259A pair driven through its ports, as a BIOS and an OS program it. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/intc/i8259.h"

static I8259State *pic;
#define INTR (hwt_line[20])

/* The PC BIOS sequence: ICW1 edge+ICW4, vector bases 0x08/0x70, cascade on IR2, 8086 mode. */
static void pic_setup(uint8_t icw4)
{
    hwt_board_init(0);
    pic = i8259_create(&hwt_lines[20], NULL);
    cr_assert_not_null(pic);
    outb(0x20, 0x11); outb(0x21, 0x08); outb(0x21, 0x04); outb(0x21, icw4);
    outb(0xa0, 0x11); outb(0xa1, 0x70); outb(0xa1, 0x02); outb(0xa1, icw4);
    outb(0x21, 0x00);
    outb(0xa1, 0x00);
}

static void irq(int n, int level) { irq_set(&pic->inputs[n], level); }

Test(i8259, edge_request_ack_and_eoi)
{
    pic_setup(0x01);
    cr_assert_eq(INTR, 0);
    irq(1, 1);
    cr_assert_eq(INTR, 1);
    cr_assert_eq(inb(0x20), 0x02, "IRR shows IR1");
    cr_assert_eq(i8259_get_vector(pic), 0x09);
    cr_assert_eq(INTR, 0);
    outb(0x20, 0x0b);            /* OCW3: read ISR */
    cr_assert_eq(inb(0x20), 0x02);
    cr_assert_eq(inb(0x20), 0x02, "RIS sticks until changed");
    irq(1, 0);
    irq(1, 1);                   /* a second edge while in service */
    cr_assert_eq(INTR, 0, "same priority waits for EOI");
    outb(0x20, 0x20);            /* non-specific EOI */
    cr_assert_eq(inb(0x20), 0x00);
    cr_assert_eq(INTR, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x09);
    /* A held edge line does not re-trigger. */
    outb(0x20, 0x20);
    cr_assert_eq(INTR, 0);
}

Test(i8259, priority_and_nesting)
{
    pic_setup(0x01);
    irq(5, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x0d);
    irq(6, 1);
    cr_assert_eq(INTR, 0, "lower priority blocked by IR5 in service");
    irq(3, 1);
    cr_assert_eq(INTR, 1, "higher priority nests");
    irq(0, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x08, "IR0 beats IR3");
    cr_assert_eq(INTR, 0, "IR3 waits for IR0's EOI");
    outb(0x20, 0x20);
    cr_assert_eq(i8259_get_vector(pic), 0x0b);
    outb(0x20, 0x0b);
    cr_assert_eq(inb(0x20), 0x28, "ISR holds IR3 and IR5");
    outb(0x20, 0x65);            /* specific EOI for IR5 */
    cr_assert_eq(inb(0x20), 0x08);
    outb(0x20, 0x20);
    cr_assert_eq(i8259_get_vector(pic), 0x0e, "IR6 finally");
}

Test(i8259, masking_and_spurious)
{
    pic_setup(0x01);
    outb(0x21, 0xff);
    cr_assert_eq(inb(0x21), 0xff);
    irq(4, 1);
    cr_assert_eq(INTR, 0);
    cr_assert_eq(i8259_get_vector(pic), 0x0f, "nothing pending: spurious IR7");
    outb(0x20, 0x0b);
    cr_assert_eq(inb(0x20), 0x00, "spurious IR7 sets no ISR bit");
    outb(0x21, 0xef);
    cr_assert_eq(INTR, 1, "unmasking delivers the latched edge");
}

Test(i8259, cascade_slave)
{
    pic_setup(0x01);
    irq(14, 1);
    cr_assert_eq(INTR, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x76);
    outb(0xa0, 0x0b);
    cr_assert_eq(inb(0xa0), 0x40);
    outb(0x20, 0x0b);
    cr_assert_eq(inb(0x20), 0x04, "master has IR2 in service");
    irq(8, 1);
    cr_assert_eq(INTR, 0, "slave's IR0 waits: master IR2 in service (not SFNM)");
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    cr_assert_eq(INTR, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x70);
    /* Masking IR2 on the master hides the whole slave. */
    outb(0xa0, 0x20); outb(0x20, 0x20);
    outb(0x21, 0x04);
    irq(9, 1);
    cr_assert_eq(INTR, 0);
}

Test(i8259, special_fully_nested)
{
    pic_setup(0x11);             /* ICW4: SFNM */
    irq(14, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x76);
    irq(8, 1);
    cr_assert_eq(INTR, 1, "SFNM: a higher slave request passes the master's IR2 in service");
    cr_assert_eq(i8259_get_vector(pic), 0x70);
}

Test(i8259, auto_eoi_and_rotation)
{
    pic_setup(0x03);             /* AEOI */
    irq(3, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x0b);
    outb(0x20, 0x0b);
    cr_assert_eq(inb(0x20), 0, "AEOI leaves ISR clear");
    /* Rotate in AEOI: the serviced IR becomes lowest priority. */
    outb(0x20, 0x80);
    irq(3, 0); irq(3, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x0b);
    irq(3, 0); irq(3, 1);
    irq(4, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x0c, "IR4 now outranks IR3");
    /* Set priority: make IR5 lowest, so IR6 is highest. */
    outb(0x20, 0xc5);
    irq(6, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x0e);
    cr_assert_eq(i8259_get_vector(pic), 0x0b);
}

Test(i8259, rotate_on_eoi)
{
    pic_setup(0x01);
    irq(2 + 1, 1);
    irq(4, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x0b);
    outb(0x20, 0xa0);            /* rotate on non-specific EOI: IR3 becomes lowest */
    irq(3, 0); irq(3, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x0c);
    outb(0x20, 0xe4);            /* rotate on specific EOI of IR4 */
    cr_assert_eq(i8259_get_vector(pic), 0x0b, "IR3 is now above IR4");
}

Test(i8259, poll_mode)
{
    pic_setup(0x01);
    outb(0x20, 0x0c);            /* OCW3 poll */
    cr_assert_eq(inb(0x20), 0x00, "nothing pending");
    irq(6, 1);
    outb(0x20, 0x0c);
    cr_assert_eq(inb(0x20), 0x86);
    outb(0x20, 0x0b);
    cr_assert_eq(inb(0x20), 0x40, "poll acknowledged IR6");
    cr_assert_eq(inb(0x21), 0x00, "a read without poll gives IMR again");
}

Test(i8259, special_mask_mode)
{
    pic_setup(0x01);
    irq(3, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x0b);
    irq(5, 1);
    cr_assert_eq(INTR, 0);
    outb(0x21, 0x08);            /* mask the in-service IR3 */
    outb(0x20, 0x68);            /* OCW3: set special mask */
    cr_assert_eq(INTR, 1, "special mask: lower priorities get through");
    cr_assert_eq(i8259_get_vector(pic), 0x0d);
    outb(0x20, 0x48);            /* reset special mask */
    outb(0x20, 0x65);
    irq(7, 1);
    cr_assert_eq(INTR, 0, "back to normal nesting below IR3");
}

Test(i8259, elcr_level_mode)
{
    pic_setup(0x01);
    outb(0x4d0, 0xff);
    outb(0x4d1, 0xff);
    cr_assert_eq(inb(0x4d0), 0xf8, "IRQ0-2 are edge only");
    cr_assert_eq(inb(0x4d1), 0xde, "IRQ8 and IRQ13 are edge only");
    irq(11, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x73);
    outb(0xa0, 0x20); outb(0x20, 0x20);
    cr_assert_eq(INTR, 1, "a level request still high re-asserts after EOI");
    irq(11, 0);
    cr_assert_eq(INTR, 0, "dropping the level withdraws the request");
    cr_assert_eq(inb(0xa0) & 0x08, 0);
    /* LTIM in ICW1 puts the whole chip in level mode. */
    outb(0x20, 0x19); outb(0x21, 0x08); outb(0x21, 0x04); outb(0x21, 0x01);
    irq(1, 1);
    irq(1, 0);
    cr_assert_eq(INTR, 0, "LTIM: a pulse that went away is not latched");
}

Test(i8259, reinit_and_reset)
{
    pic_setup(0x01);
    outb(0x21, 0x55);
    irq(4, 1);
    i8259_get_vector(pic);
    outb(0x20, 0x11);            /* ICW1 again mid-flight */
    cr_assert_eq(inb(0x21), 0, "ICW1 clears IMR");
    outb(0x21, 0x20); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0x20, 0x0b);
    cr_assert_eq(inb(0x20), 0, "and ISR");
    irq(4, 0); irq(4, 1);
    cr_assert_eq(i8259_get_vector(pic), 0x24, "new base");
    pic->dev.cls->reset(&pic->dev);
    cr_assert_eq(INTR, 0);
}

Test(i8259, fuzz_ports)
{
    pic_setup(0x01);
    for (unsigned seed = 1; seed < 50; seed++) {
        hwt_fuzz_ports(0x20, 0x22, 400, seed);
        hwt_fuzz_ports(0xa0, 0xa2, 400, seed);
        hwt_fuzz_ports(0x4d0, 0x4d2, 50, seed);
        irq(seed % 16, seed & 1);
        int v = i8259_get_vector(pic);
        cr_assert(v >= 0 && v < 256);
    }
}
