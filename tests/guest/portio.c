/*
 * portio.c: port I/O of every width and the string forms, against devices every PC has:
 * the 16550A on COM1, the CMOS RAM behind ports 0x70/0x71, and an unassigned port.
 */
#include "guest.h"

#define SCR (COM1 + 7)      /* 16550A scratch register */
#define LCR (COM1 + 3)
#define LSR (COM1 + 5)
#define IIR (COM1 + 2)

static uint8_t cmos_read(uint8_t idx)
{
    outb(0x70, idx);
    return inb(0x71);
}

int guest_main(void)
{
    printf("portio: COM1, CMOS, unassigned ports\n");

    static const uint8_t pattern[] = { 0x00, 0x55, 0xaa, 0xff, 0x5a };
    bool ok = true;
    for (unsigned i = 0; i < sizeof(pattern); i++) {
        outb(SCR, pattern[i]);
        ok &= inb(SCR) == pattern[i];
    }
    check(ok, "COM1 scratch register keeps 00 55 aa ff 5a");

    /* Divisor latch (DLAB) round trip, then back to 115200 8N1. */
    outb(LCR, 0x80);
    outb(COM1 + 0, 0x0c);
    outb(COM1 + 1, 0x00);
    uint8_t dll = inb(COM1 + 0), dlm = inb(COM1 + 1);
    outb(COM1 + 0, 0x01);
    outb(LCR, 0x03);
    check(dll == 0x0c && dlm == 0x00, "COM1 divisor latch reads back 0x000c (got 0x%02x%02x)", dlm, dll);
    check(inb(LCR) == 0x03, "COM1 LCR reads back 0x03");
    check((inb(IIR) & 0x01) == 0x01, "COM1 IIR: no interrupt pending");
    uint8_t lsr = 0;
    for (int i = 0; i < 100000 && (lsr & 0x60) != 0x60; i++)
        lsr = inb(LSR);
    check((lsr & 0x60) == 0x60, "COM1 LSR: transmitter empty once idle");

    /* String I/O (SDM 2B OUTS/INS): the last byte written stays in the scratch register. */
    static const uint8_t out[4] = { 0x11, 0x22, 0x33, 0x44 };
    uint8_t in[4] = { 0, 0, 0, 0 };
    const void *src = out;
    void *dst = in;
    unsigned long cnt = 4;
    asm volatile("cld; rep outsb" : "+S"(src), "+c"(cnt) : "d"(SCR) : "memory");
    check(inb(SCR) == 0x44 && cnt == 0, "rep outsb: 4 bytes, the last one (0x44) in the scratch register");
    cnt = 4;
    asm volatile("cld; rep insb" : "+D"(dst), "+c"(cnt) : "d"(SCR) : "memory");
    check(in[0] == 0x44 && in[1] == 0x44 && in[2] == 0x44 && in[3] == 0x44 && cnt == 0,
          "rep insb: 4 bytes of 0x44");
    check((uint8_t *)dst == in + 4 && (const uint8_t *)src == out + 4, "rep ins/outs advanced ESI/EDI by 4");

    /* CMOS memory size bytes for -m 128 (IBM AT layout; 0x34/0x35 as set by PC BIOSes and QEMU). */
    unsigned base = cmos_read(0x15) | cmos_read(0x16) << 8;
    unsigned ext = cmos_read(0x17) | cmos_read(0x18) << 8;
    unsigned ext2 = cmos_read(0x30) | cmos_read(0x31) << 8;
    unsigned above16 = cmos_read(0x34) | cmos_read(0x35) << 8;
    check(base == 640, "CMOS 0x15/0x16 base memory: %u KiB", base);
    check(ext == 0xffff && ext2 == 0xffff, "CMOS 0x17/0x18 and 0x30/0x31 extended memory: %#x, %#x (capped)", ext, ext2);
    check(above16 == 0x700, "CMOS 0x34/0x35 memory above 16 MiB: %#x * 64 KiB", above16);

    /* An unassigned port reads as all ones on a PC: nothing drives the bus. */
    check(inb(0x1234) == 0xff, "inb from unassigned port 0x1234 is 0xff");
    check(inw(0x1234) == 0xffff, "inw from unassigned port 0x1234 is 0xffff");
    check(inl(0x1234) == 0xffffffff, "inl from unassigned port 0x1234 is 0xffffffff");
    outb(0x1234, 0x12);
    outw(0x1234, 0x1234);
    outl(0x1234, 0x12345678);
    check(inb(0x1234) == 0xff, "writes to an unassigned port are ignored");
    return pass_fail("portio");
}
