/* kbd.c: i8042 keyboard controller setup (POST), IRQ1 scan-code translation into the BDA
 * buffer, and INT 16h; keys typed on the serial console are fed in as well (-nographic). */
#include "bios.h"
#include "farptr.h"
#include "output.h"
#include "x86.h"

#define KBD_DATA 0x60
#define KBD_STATUS 0x64
#define KBD_STAT_OBF 0x01
#define KBD_STAT_IBF 0x02

/* BDA 17h bits */
#define KF_RSHIFT 0x01
#define KF_LSHIFT 0x02
#define KF_CTRL 0x04
#define KF_ALT 0x08
#define KF_SCROLL 0x10
#define KF_NUM 0x20
#define KF_CAPS 0x40
/* BDA 96h bit 1: the previous byte was an E0 prefix */
#define KF2_E0 0x02

static int kbd_wait_write(void)
{
    for (u32 i = 0; i < 100000; i++)
        if (!(inb(KBD_STATUS) & KBD_STAT_IBF))
            return 0;
    return -1;
}

static int kbd_read_timeout(void)
{
    for (u32 i = 0; i < 100000; i++)
        if (inb(KBD_STATUS) & KBD_STAT_OBF)
            return inb(KBD_DATA);
    return -1;
}

static void kbd_ctl_cmd(u8 cmd)
{
    kbd_wait_write();
    outb(cmd, KBD_STATUS);
}

static void kbd_dev_cmd(u8 cmd)
{
    kbd_wait_write();
    outb(cmd, KBD_DATA);
}

#if !MODE16
void kbd_setup(void)
{
    for (int i = 0; i < 16 && (inb(KBD_STATUS) & KBD_STAT_OBF); i++)
        inb(KBD_DATA);
    kbd_ctl_cmd(0xaa);                  /* controller self test: 55h */
    int st = kbd_read_timeout();
    if (st != 0x55) {
        printf("vireo BIOS: keyboard controller self test failed (%x)\n", st);
        return;
    }
    kbd_ctl_cmd(0xa9);                  /* auxiliary interface test: 00h = a mouse port */
    if (kbd_read_timeout() == 0x00)
        wr16(BDA_SEG, BDA_EQUIPMENT, rd16(BDA_SEG, BDA_EQUIPMENT) | 0x04);
    kbd_ctl_cmd(0xae);                  /* enable keyboard interface */
    kbd_dev_cmd(0xff);                  /* keyboard reset: FAh then AAh */
    int ack = kbd_read_timeout(), bat = kbd_read_timeout();
    if (ack != 0xfa || bat != 0xaa)
        dprintf(1, "keyboard: reset answered %x %x\n", ack, bat);
    kbd_dev_cmd(0xf4);                  /* enable scanning */
    kbd_read_timeout();
    /* Command byte: IRQ1 on, system flag, mouse port off, translate to set 1. */
    kbd_ctl_cmd(0x60);
    kbd_dev_cmd(0x65);
    dprintf(3, "keyboard: ready\n");
}
#endif

#if MODE16
static const char kbd_lower[0x3a] =
    "\0\x1b" "1234567890-=" "\b\t" "qwertyuiop[]" "\r\0" "asdfghjkl;'`" "\0" "\\zxcvbnm,./" "\0*\0 ";
static const char kbd_upper[0x3a] =
    "\0\x1b" "!@#$%^&*()_+" "\b\t" "QWERTYUIOP{}" "\r\0" "ASDFGHJKL:\"~" "\0" "|ZXCVBNM<>?" "\0*\0 ";
static const char kbd_keypad[13] = "789-456+1230.";

/* Append a key (scan code << 8 | ASCII) to the BDA ring; drop it when full. */
static int kbd_enqueue(u16 key)
{
    u16 head = rd16(BDA_SEG, BDA_KBD_HEAD), tail = rd16(BDA_SEG, BDA_KBD_TAIL);
    u16 start = rd16(BDA_SEG, BDA_KBD_BUF_START), end = rd16(BDA_SEG, BDA_KBD_BUF_END);
    u16 next = tail + 2 >= end ? start : tail + 2;
    if (next == head)
        return -1;
    wr16(BDA_SEG, tail, key);
    wr16(BDA_SEG, BDA_KBD_TAIL, next);
    return 0;
}

static void kbd_process(u8 sc)
{
    u8 f0 = rd8(BDA_SEG, BDA_KBD_FLAGS0), f2 = rd8(BDA_SEG, BDA_KBD_FLAGS2);
    int e0 = f2 & KF2_E0;
    if (sc == 0xe0) {
        wr8(BDA_SEG, BDA_KBD_FLAGS2, f2 | KF2_E0);
        return;
    }
    wr8(BDA_SEG, BDA_KBD_FLAGS2, f2 & ~KF2_E0);
    int release = sc & 0x80;
    u8 code = sc & 0x7f;
    u8 bit = 0;
    switch (code) {
    case 0x2a: bit = e0 ? 0 : KF_LSHIFT; break;     /* E0 2A: fake shift around gray keys */
    case 0x36: bit = e0 ? 0 : KF_RSHIFT; break;
    case 0x1d: bit = KF_CTRL; break;
    case 0x38: bit = KF_ALT; break;
    }
    if (bit || code == 0x2a || code == 0x36) {
        wr8(BDA_SEG, BDA_KBD_FLAGS0, release ? (f0 & ~bit) : (f0 | bit));
        return;
    }
    if (release)
        return;
    switch (code) {
    case 0x3a: wr8(BDA_SEG, BDA_KBD_FLAGS0, f0 ^ KF_CAPS); return;
    case 0x45: wr8(BDA_SEG, BDA_KBD_FLAGS0, f0 ^ KF_NUM); return;
    case 0x46: wr8(BDA_SEG, BDA_KBD_FLAGS0, f0 ^ KF_SCROLL); return;
    }
    int shift = (f0 & (KF_LSHIFT | KF_RSHIFT)) != 0;
    u8 ascii = 0, scan = code;
    if (code >= 0x3b && code <= 0x44) {             /* F1-F10 */
        if (f0 & KF_ALT) scan = code + 0x2d;
        else if (f0 & KF_CTRL) scan = code + 0x23;
        else if (shift) scan = code + 0x19;
    } else if (code == 0x57 || code == 0x58) {      /* F11, F12 */
        scan = code + 0x2e;
        if (f0 & KF_ALT) scan += 6;
        else if (f0 & KF_CTRL) scan += 4;
        else if (shift) scan += 2;
    } else if (code >= 0x47 && code <= 0x53) {      /* keypad / gray keys */
        if (e0)
            ascii = 0xe0;
        else if (!!(f0 & KF_NUM) != shift)
            ascii = kbd_keypad[code - 0x47];
    } else if (code < 0x3a) {
        ascii = shift ? kbd_upper[code] : kbd_lower[code];
        if ((f0 & KF_CAPS) && ((ascii | 0x20) >= 'a' && (ascii | 0x20) <= 'z'))
            ascii ^= 0x20;
        if (f0 & KF_CTRL)
            ascii = ((ascii | 0x20) >= 'a' && (ascii | 0x20) <= 'z') ? (ascii & 0x1f) : 0;
        if (f0 & KF_ALT)
            ascii = 0;
        if (e0 && code == 0x1c)
            scan = 0xe0;                            /* keypad Enter */
        if (e0 && code == 0x35) {
            scan = 0xe0;                            /* keypad / */
            ascii = '/';
        }
    } else {
        return;
    }
    kbd_enqueue((u16)scan << 8 | ascii);
}

VISIBLE16 void handle_09(struct bregs *r)
{
    if ((inb(KBD_STATUS) & (KBD_STAT_OBF | 0x20)) == KBD_STAT_OBF) {     /* not mouse data */
        u8 sc = inb(KBD_DATA);
        /* INT 15h AH=4Fh keyboard intercept: a hook that clears CF swallows the key. */
        u8 cf;
        u16 ax = 0x4f00 | sc;
        __asm__ volatile("stc\n\tint $0x15\n\tsetc %1" : "+a"(ax), "=qm"(cf) :: "memory", "cc");
        if (cf)
            kbd_process((u8)ax);
    }
    pic_eoi_master();
}

/* Serial console input as keystrokes: the headless path for menus and prompts. */
static void kbd_poll_serial(void)
{
    int c = serial_getc();
    if (c < 0)
        return;
    u8 scan = 0;
    if (c == '\n' || c == '\r') { c = '\r'; scan = 0x1c; }
    else if (c == 0x7f || c == 8) { c = 8; scan = 0x0e; }
    else if (c == 0x1b) scan = 0x01;
    else if (c == '\t') scan = 0x0f;
    else if (c == ' ') scan = 0x39;
    kbd_enqueue((u16)scan << 8 | (u8)c);
}

static int kbd_peek(u16 *key)
{
    kbd_poll_serial();
    u16 head = rd16(BDA_SEG, BDA_KBD_HEAD);
    if (head == rd16(BDA_SEG, BDA_KBD_TAIL))
        return 0;
    *key = rd16(BDA_SEG, head);
    return 1;
}

static void kbd_drop(void)
{
    u16 head = rd16(BDA_SEG, BDA_KBD_HEAD) + 2;
    if (head >= rd16(BDA_SEG, BDA_KBD_BUF_END))
        head = rd16(BDA_SEG, BDA_KBD_BUF_START);
    wr16(BDA_SEG, BDA_KBD_HEAD, head);
}

/* The pre-enhanced functions hide the E0 marker of gray keys. */
static u16 kbd_legacy(u16 key)
{
    if ((key & 0xff) == 0xe0)
        return key & 0xff00;
    if ((key >> 8) == 0xe0)
        return (key & 0xff) | (((key & 0xff) == '\r' ? 0x1c : 0x35) << 8);
    return key;
}

/* Non-blocking read of the next key for firmware menus; -1 when none. */
int kbd_getkey_nowait(void)
{
    u16 key;
    if (!kbd_peek(&key))
        return -1;
    kbd_drop();
    return key;
}

VISIBLE16 void handle_16(struct bregs *r)
{
    u16 key;
    switch (r->ah) {
    case 0x00:
    case 0x10:
        while (!kbd_peek(&key))
            wait_irq();
        kbd_drop();
        r->ax = r->ah == 0x00 ? kbd_legacy(key) : key;
        return;
    case 0x01:
    case 0x11:
        if (!kbd_peek(&key)) {
            r->flags |= F_ZF;
            return;
        }
        r->flags &= ~F_ZF;
        r->ax = r->ah == 0x01 ? kbd_legacy(key) : key;
        return;
    case 0x02:
        r->al = rd8(BDA_SEG, BDA_KBD_FLAGS0);
        return;
    case 0x12:
        r->al = rd8(BDA_SEG, BDA_KBD_FLAGS0);
        r->ah = rd8(BDA_SEG, BDA_KBD_FLAGS1);
        return;
    case 0x03:
        return;
    case 0x05:
        r->al = kbd_enqueue(r->cx) ? 1 : 0;
        return;
    case 0x09:
        r->al = 0x20;                   /* functions 10h-12h supported */
        return;
    case 0x0a:
        r->bx = 0x41ab;                 /* MF2 keyboard, translated */
        return;
    }
    unsupported(r, 0x16, 0x86);
}
#endif
