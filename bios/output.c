/* output.c: COM1 16550 console, debugcon port 0xE9, and a printf without libc (both modes). */
#include "output.h"
#include "x86.h"
#include <stdarg.h>

struct output_state {
    u8 serial_present;
    u8 debug_level;
    u8 serial_mirror;   /* copy INT 10h teletype output to COM1 */
};
VARFSEG_DECL(struct output_state, output_state);
VARFSEG_DEF(struct output_state, output_state) = { 0, DEBUG_DEFAULT_LEVEL, 1 };

int serial_mirror_enabled(void) { return output_state.serial_present && output_state.serial_mirror; }
void serial_mirror_set(int on) { output_state.serial_mirror = on; }

u8 debug_level_get(void) { return output_state.debug_level; }
void debug_level_set(u8 level) { output_state.debug_level = level; }

/* 16550: probe through the scratch register, then 115200 8N1 with FIFOs on. */
void serial_init(void)
{
    outb(0x5a, COM1_BASE + 7);
    if (inb(COM1_BASE + 7) != 0x5a) {
        output_state.serial_present = 0;
        return;
    }
    outb(0x00, COM1_BASE + 1);          /* IER: no interrupts */
    outb(0x80, COM1_BASE + 3);          /* LCR: DLAB */
    outb(0x01, COM1_BASE + 0);          /* divisor 1 = 115200 baud */
    outb(0x00, COM1_BASE + 1);
    outb(0x03, COM1_BASE + 3);          /* 8N1 */
    outb(0x07, COM1_BASE + 2);          /* FCR: enable and clear FIFOs */
    outb(0x03, COM1_BASE + 4);          /* MCR: DTR, RTS */
    output_state.serial_present = 1;
}

void serial_putc(char c)
{
    if (!output_state.serial_present)
        return;
    /* LSR bit 5: transmit holding register empty; bounded so a dead port cannot hang us. */
    for (u32 i = 0; i < 100000 && !(inb(COM1_BASE + 5) & 0x20); i++)
        ;
    outb(c, COM1_BASE);
}

int serial_getc(void)
{
    if (!output_state.serial_present || !(inb(COM1_BASE + 5) & 0x01))
        return -1;
    return inb(COM1_BASE);
}

static void debug_putc(char c) { outb(c, DEBUGCON_PORT); }

void console_putc(char c)
{
    if (c == '\n')
        serial_putc('\r');
    serial_putc(c);
    debug_putc(c);
}

typedef void (*putc_fn)(char c);

static void put_str(putc_fn put, const char *s, int width, int left)
{
    int n = 0;
    while (s[n])
        n++;
    for (; !left && n < width; width--)
        put(' ');
    while (*s)
        put(*s++);
    for (; left && n < width; width--)
        put(' ');
}

/* u32 only: 64-bit division would need libgcc in 16-bit mode. %llx prints 64-bit hex. */
static void put_num(putc_fn put, u64 v, int base, int width, char pad, int neg)
{
    char buf[24];
    int n = 0;
    if (base == 16) {
        do { buf[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    } else {
        u32 x = (u32)v;
        do { buf[n++] = '0' + x % 10; x /= 10; } while (x);
    }
    if (neg)
        buf[n++] = '-';
    for (; n < width; width--)
        put(pad);
    while (n)
        put(buf[--n]);
}

static void vprint(putc_fn put, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt);
            continue;
        }
        fmt++;
        int left = 0, width = 0, lng = 0;
        char pad = ' ';
        if (*fmt == '-') { left = 1; fmt++; }
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') { lng++; fmt++; }
        switch (*fmt) {
        case 'd': {
            s32 v = va_arg(ap, s32);
            put_num(put, v < 0 ? -(u32)v : (u32)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
            put_num(put, va_arg(ap, u32), 10, width, pad, 0);
            break;
        case 'x':
        case 'p':
            put_num(put, lng >= 2 ? va_arg(ap, u64) : va_arg(ap, u32), 16, width, pad, 0);
            break;
        case 'c':
            put((char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            put_str(put, s ? s : "(null)", width, left);
            break;
        }
        case '%':
            put('%');
            break;
        default:
            put('%');
            put(*fmt);
            break;
        }
        if (!*fmt)
            break;
    }
}

void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(console_putc, fmt, ap);
    va_end(ap);
}

void dprintf_impl(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(debug_putc, fmt, ap);
    va_end(ap);
}
