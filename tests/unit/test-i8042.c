/* test-i8042.c: the keyboard controller's commands, translation, PS/2 devices, A20 and reset. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/input/i8042.h"
#include "hw/input/port92.h"

static I8042State *kbc;

static void setup(void)
{
    hwt_board_init(0);
    kbc = i8042_create(NULL);
    cr_assert_not_null(kbc);
}

TestSuite(i8042, .init = setup);

static uint8_t status(void) { return inb(0x64); }
static void cmd(uint8_t c) { outb(0x64, c); }
static void data(uint8_t v) { outb(0x60, v); }

/* Read the next output byte; fails if the output buffer is empty. */
static uint8_t next(void)
{
    cr_assert(status() & I8042_STR_OBF, "output buffer empty");
    return inb(0x60);
}

static void expect_empty(void) { cr_assert_not(status() & I8042_STR_OBF); }

Test(i8042, command_byte_and_self_tests)
{
    cr_assert_eq(status() & (I8042_STR_OBF | I8042_STR_KEYLOCK), I8042_STR_KEYLOCK);
    cmd(0xaa);
    cr_assert_eq(next(), 0x55);
    cr_assert(status() & I8042_STR_SYS);
    cmd(0xab);
    cr_assert_eq(next(), 0x00);
    cmd(0xa9);
    cr_assert_eq(next(), 0x00);
    cmd(0x60);
    cr_assert(status() & I8042_STR_CMD);
    data(0x65);                  /* XLATE | KBDDIS... | SYS | KBDINT */
    cr_assert_not(status() & I8042_STR_CMD);
    cmd(0x20);
    cr_assert_eq(next(), 0x65);
    cmd(0x65);                   /* controller RAM byte 5 */
    data(0x42);
    cmd(0x25);
    cr_assert_eq(next(), 0x42);
    cmd(0xad);
    cmd(0x20);
    cr_assert_eq(next() & I8042_CCB_KBDDIS, I8042_CCB_KBDDIS);
    cmd(0xae);
    cmd(0x20);
    cr_assert_eq(next() & I8042_CCB_KBDDIS, 0);
    expect_empty();
}

Test(i8042, keyboard_reset_id_and_irq1)
{
    cr_assert_eq(hwt_line[1], 0);
    data(0xff);
    cr_assert_eq(hwt_line[1], 1, "IRQ1 with KBDINT set");
    cr_assert_eq(hwt_rises[1], 1);
    cr_assert_eq(next(), 0xfa);
    cr_assert_eq(hwt_line[1], 1, "next byte re-raises");
    cr_assert_eq(hwt_rises[1], 2, "each byte is a new edge for the PIC (Linux's atkbd needs it): %d", hwt_rises[1]);
    cr_assert_eq(next(), 0xaa);
    cr_assert_eq(hwt_line[1], 0);
    data(0xf2);
    cr_assert_eq(next(), 0xfa);
    cr_assert_eq(next(), 0xab);
    cr_assert_eq(next(), 0x83, "untranslated ID");
    data(0xee);
    cr_assert_eq(next(), 0xee, "echo");
    data(0x12);
    cr_assert_eq(next(), 0xfe, "unknown command: resend");
    data(0xed);
    cr_assert_eq(next(), 0xfa);
    data(0x05);
    cr_assert_eq(next(), 0xfa);
    cr_assert_eq(kbc->kbd.leds, 5, "Scroll and Caps Lock LEDs");
}

Test(i8042, scancode_sets_and_translation)
{
    /* Untranslated set 2: A down/up is 1C, F0 1C; Up arrow E0 75 / E0 F0 75. */
    ps2_kbd_key_event(&kbc->kbd, 0x1e, true);
    ps2_kbd_key_event(&kbc->kbd, 0x1e, false);
    ps2_kbd_key_event(&kbc->kbd, PS2_KEY_E0 | 0x48, true);
    ps2_kbd_key_event(&kbc->kbd, PS2_KEY_E0 | 0x48, false);
    static const uint8_t raw[] = { 0x1c, 0xf0, 0x1c, 0xe0, 0x75, 0xe0, 0xf0, 0x75 };
    for (unsigned i = 0; i < sizeof(raw); i++)
        cr_assert_eq(next(), raw[i], "byte %u", i);
    expect_empty();
    /* Translated (command byte bit 6): the same keys arrive as set 1. */
    cmd(0x60);
    data(I8042_CCB_XLATE | I8042_CCB_KBDINT | I8042_CCB_SYS);
    ps2_kbd_key_event(&kbc->kbd, 0x1e, true);
    ps2_kbd_key_event(&kbc->kbd, 0x1e, false);
    ps2_kbd_key_event(&kbc->kbd, PS2_KEY_E0 | 0x48, true);
    ps2_kbd_key_event(&kbc->kbd, PS2_KEY_E0 | 0x48, false);
    ps2_kbd_key_event(&kbc->kbd, 0x41, true);         /* F7: set 2 code 0x83 */
    static const uint8_t xl[] = { 0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8, 0x41 };
    for (unsigned i = 0; i < sizeof(xl); i++)
        cr_assert_eq(next(), xl[i], "byte %u", i);
    ps2_kbd_key_event(&kbc->kbd, 0x41, false);
    cr_assert_eq(next(), 0xc1, "F0 83 folds into one break code");
    /* Every key of the table survives set 1 -> set 2 -> translation. */
    for (int code = 1; code < 0x59; code++) {
        uint8_t s2 = ps2_set1_to_set2(code, false);
        if (s2)
            cr_assert_eq(ps2_translate_set2(s2), code, "set 1 code 0x%02x", code);
    }
    /* Get scan code set: 2, translated to 0x41. Then switch to set 1 without translation. */
    data(0xf0);
    cr_assert_eq(next(), 0xfa);
    data(0x00);
    cr_assert_eq(next(), 0xfa);
    cr_assert_eq(next(), 0x41);
    cmd(0x60);
    data(I8042_CCB_KBDINT);
    data(0xf0);
    next();
    data(0x01);
    next();
    ps2_kbd_key_event(&kbc->kbd, 0x1e, true);
    ps2_kbd_key_event(&kbc->kbd, 0x1e, false);
    cr_assert_eq(next(), 0x1e);
    cr_assert_eq(next(), 0x9e);
}

Test(i8042, keyboard_disable_holds_data)
{
    cmd(0xad);
    ps2_kbd_key_event(&kbc->kbd, 0x1e, true);
    expect_empty();
    cmd(0xae);
    cr_assert_eq(next(), 0x1c);
    /* F5 stops scanning; F4 starts it again. */
    data(0xf5);
    cr_assert_eq(next(), 0xfa);
    ps2_kbd_key_event(&kbc->kbd, 0x1f, true);
    expect_empty();
    data(0xf4);
    cr_assert_eq(next(), 0xfa);
    ps2_kbd_key_event(&kbc->kbd, 0x1f, true);
    cr_assert_eq(next(), 0x1b);
}

Test(i8042, mouse_stream_and_wheel)
{
    cmd(0xa8);
    cmd(0xd4); data(0xff);
    cr_assert(status() & I8042_STR_AUXOBF);
    cr_assert_eq(hwt_line[12], 1, "IRQ12");
    cr_assert_eq(next(), 0xfa);
    cr_assert_eq(next(), 0xaa);
    cr_assert_eq(next(), 0x00);
    cr_assert_eq(hwt_line[12], 0);
    /* IntelliMouse knock: sample rates 200, 100, 80, then ID 3. */
    static const uint8_t knock[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        cmd(0xd4); data(0xf3); cr_assert_eq(next(), 0xfa);
        cmd(0xd4); data(knock[i]); cr_assert_eq(next(), 0xfa);
    }
    cmd(0xd4); data(0xf2);
    cr_assert_eq(next(), 0xfa);
    cr_assert_eq(next(), 3);
    ps2_mouse_event(&kbc->mouse, 5, -3, 0, 0);
    expect_empty();              /* reporting still off */
    cmd(0xd4); data(0xf4);
    cr_assert_eq(next(), 0xfa);
    ps2_mouse_event(&kbc->mouse, 5, -3, -1, 1);
    cr_assert_eq(next(), 0x08 | 0x01 | 0x20, "left button, Y negative");
    cr_assert_eq(next(), 5);
    cr_assert_eq(next(), 0xfd);
    cr_assert_eq(next(), 0xff, "wheel byte");
    /* Status request. */
    cmd(0xd4); data(0xe9);
    cr_assert_eq(next(), 0xfa);
    cr_assert_eq(next(), 0x24, "stream, enabled, left down");
    cr_assert_eq(next(), 2);
    cr_assert_eq(next(), 80);
    /* Aux disabled in the controller: mouse bytes wait. */
    cmd(0xa7);
    ps2_mouse_event(&kbc->mouse, 1, 1, 0, 1);
    expect_empty();
    cmd(0xa8);
    cr_assert_eq(next(), 0x09);
}

Test(i8042, output_port_a20_and_reset)
{
    cmd(0xd0);
    cr_assert_eq(next() & 3, 3, "A20 on, reset line high");
    cmd(0xd1);
    data(0x01);                  /* A20 off */
    cr_assert_not(hwt_a20);
    cmd(0xdf);
    cr_assert(hwt_a20);
    cmd(0xdd);
    cr_assert_not(hwt_a20);
    cr_assert_eq(hwt_resets, 0);
    cmd(0xfe);                   /* pulse reset */
    cr_assert_eq(hwt_resets, 1);
    cmd(0xd1);
    data(0x02);                  /* reset line low */
    cr_assert_eq(hwt_resets, 2);
    cmd(0xd2); data(0x99);
    cr_assert_not(status() & I8042_STR_AUXOBF);
    cr_assert_eq(next(), 0x99);
    cmd(0xd3); data(0x77);
    cr_assert(status() & I8042_STR_AUXOBF);
    cr_assert_eq(next(), 0x77);
}

Test(i8042, port92)
{
    cr_assert_not_null(port92_create(NULL));
    cr_assert_eq(inb(0x92), 0x02);
    outb(0x92, 0x00);
    cr_assert_not(hwt_a20);
    outb(0x92, 0x02);
    cr_assert(hwt_a20);
    outb(0x92, 0x03);
    cr_assert_eq(hwt_resets, 1);
    cr_assert_eq(inb(0x92), 0x02, "reset bit reads back 0");
}

Test(i8042, typematic_repeat)
{
    clock_virtual_stop();
    data(0xf3);
    next();
    data(0x00);                  /* 30 cps after 250 ms */
    next();
    ps2_kbd_key_event(&kbc->kbd, 0x1e, true);
    cr_assert_eq(next(), 0x1c);
    int64_t due = timer_expire_time(kbc->kbd.repeat_timer);
    cr_assert_eq(due - clock_ns(CLOCK_VIRTUAL), 250 * 1000000LL);
    ps2_kbd_key_event(&kbc->kbd, 0x1e, false);
    cr_assert_not(timer_pending(kbc->kbd.repeat_timer), "release stops the repeat");
}

Test(i8042, fuzz_ports)
{
    for (unsigned seed = 1; seed < 60; seed++) {
        hwt_fuzz_ports(0x60, 0x65, 300, seed);
        ps2_kbd_key_event(&kbc->kbd, seed & 0x7f, seed & 1);
        ps2_mouse_event(&kbc->mouse, seed, -(int)seed, 1, seed & 7);
    }
    kbc->dev.cls->reset(&kbc->dev);
    cr_assert_eq(status() & I8042_STR_OBF, 0);
}
