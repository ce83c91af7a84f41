/* console.c: COM1 output, a small printf, isa-debug-exit, and the PASS/FAIL helpers. */
#include "guest.h"

int check_failures;

/* 16550A registers (offsets from COM1), as named in the National Semiconductor datasheet. */
enum { UART_THR = 0, UART_DLL = 0, UART_IER = 1, UART_DLM = 1, UART_FCR = 2, UART_LCR = 3,
       UART_MCR = 4, UART_LSR = 5 };
#define LSR_THRE 0x20

void serial_init(void)
{
    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, 0x80);     /* DLAB */
    outb(COM1 + UART_DLL, 1);        /* 115200 baud */
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, 0x03);     /* 8N1 */
    outb(COM1 + UART_FCR, 0x07);     /* FIFO on, both cleared */
    outb(COM1 + UART_MCR, 0x03);     /* DTR, RTS; OUT2 stays off: no interrupts */
}

static void serial_put(uint8_t c)
{
    /* Bounded wait: an emulator without a UART must not hang the test forever. */
    for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
        ;
    outb(COM1 + UART_THR, c);
}

void putchar_guest(int c)
{
    if (c == '\n')
        serial_put('\r');
    serial_put(c);
}

void puts_guest(const char *s)
{
    while (*s)
        putchar_guest(*s++);
}

void exit_guest(uint32_t code)
{
    outl(DEBUG_EXIT_PORT, code);
    puts_guest("exit_guest: the isa-debug-exit device did not stop the machine\n");
    for (;;)
        asm volatile("cli; hlt");
}

struct out { char *buf; size_t n, len; };

static void emit(struct out *o, char c)
{
    if (o->buf) {
        if (o->len + 1 < o->n)
            o->buf[o->len] = c;
    } else {
        putchar_guest(c);
    }
    o->len++;
}

/* v /= base, returning the remainder; shift-and-subtract, so that 32-bit builds need no libgcc. */
static unsigned divmod(unsigned long long *v, unsigned base)
{
    unsigned long long q = 0, r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((*v >> i) & 1);
        if (r >= base) {
            r -= base;
            q |= 1ull << i;
        }
    }
    *v = q;
    return r;
}

/* Supports %[-0#][width][l|ll|z](d|i|u|x|X|p|s|c|%). */
static int format(struct out *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(o, *fmt);
            continue;
        }
        bool left = false, zero = false, alt = false;
        int width = 0, lng = 0;
        for (;; fmt++) {
            if (fmt[1] == '-') left = true;
            else if (fmt[1] == '0') zero = true;
            else if (fmt[1] == '#') alt = true;
            else break;
        }
        while (fmt[1] >= '0' && fmt[1] <= '9')
            width = width * 10 + (*++fmt - '0');
        while (fmt[1] == 'l' || fmt[1] == 'z') {
            fmt++;
            lng += *fmt == 'z' ? (sizeof(size_t) == 8 ? 2 : 1) : 1;
        }
        char c = *++fmt, tmp[24], *s = tmp;
        int len = 0;
        const char *prefix = "";
        if (c == 's') {
            s = va_arg(ap, char *);
            if (!s) s = "(null)";
            while (s[len]) len++;
        } else if (c == 'c') {
            tmp[0] = (char)va_arg(ap, int);
            len = 1;
        } else if (c == '%') {
            tmp[0] = '%';
            len = 1;
        } else if (c == 'd' || c == 'i' || c == 'u' || c == 'x' || c == 'X' || c == 'p') {
            unsigned long long v;
            bool neg = false;
            if (c == 'p') {
                v = (unsigned long)va_arg(ap, void *);
                alt = true;
            } else if (c == 'd' || c == 'i') {
                long long sv = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long) : va_arg(ap, int);
                neg = sv < 0;
                v = neg ? -(unsigned long long)sv : (unsigned long long)sv;
            } else {
                v = lng >= 2 ? va_arg(ap, unsigned long long) : lng ? va_arg(ap, unsigned long)
                                                                   : va_arg(ap, unsigned int);
            }
            unsigned base = (c == 'd' || c == 'i' || c == 'u') ? 10 : 16;
            const char *digits = c == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            char *p = tmp + sizeof(tmp);
            do {
                *--p = digits[divmod(&v, base)];
            } while (v);
            len = tmp + sizeof(tmp) - p;
            s = p;
            if (neg) prefix = "-";
            else if (alt && base == 16) prefix = "0x";
        } else {
            emit(o, '%');
            emit(o, c);
            if (!c) break;
            continue;
        }
        int plen = strlen(prefix), pad = width - len - plen;
        if (!left && !zero)
            for (; pad > 0; pad--) emit(o, ' ');
        for (const char *q = prefix; *q; q++) emit(o, *q);
        if (!left && zero)
            for (; pad > 0; pad--) emit(o, '0');
        for (int i = 0; i < len; i++) emit(o, s[i]);
        for (; pad > 0; pad--) emit(o, ' ');
    }
    return o->len;
}

int vprintf(const char *fmt, va_list ap)
{
    struct out o = { 0, 0, 0 };
    return format(&o, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vprintf(fmt, ap);
    va_end(ap);
    return r;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
    struct out o = { buf, n, 0 };
    va_list ap;
    va_start(ap, fmt);
    format(&o, fmt, ap);
    va_end(ap);
    if (n)
        buf[o.len < n ? o.len : n - 1] = 0;
    return o.len;
}

void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    puts_guest(ok ? "ok:   " : "FAIL: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar_guest('\n');
    if (!ok)
        check_failures++;
}

int pass_fail(const char *name)
{
    if (check_failures) {
        printf("%s: FAIL (%d checks failed)\n", name, check_failures);
        return 1;
    }
    printf("%s: PASS\n", name);
    return 0;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--) *p++ = c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d;
    const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) a++, b++;
    return (uint8_t)*a - (uint8_t)*b;
}
