/* mouse.c: the PS/2 pointing device services (INT 15h AH=C2h) on the i8042's auxiliary port,
 * and its interrupt (IRQ12, INT 74h): packets are gathered in the EBDA and handed to the
 * far handler a program installed with C207h (IBM PS/2 BIOS interface). */
#include "bios.h"
#include "farptr.h"
#include "output.h"
#include "x86.h"

#define KBD_DATA 0x60
#define KBD_STATUS 0x64
#define KBD_STAT_OBF 0x01
#define KBD_STAT_IBF 0x02
#define KBD_STAT_AUX 0x20

/* EBDA layout (IBM): 22h handler far pointer, 26h bytes of the packet so far, 27h bit 7
 * handler installed and bits 2-0 packet size, 28h the packet. */
#define EBDA_MOUSE_HANDLER 0x22
#define EBDA_MOUSE_INDEX 0x26
#define EBDA_MOUSE_FLAGS 0x27
#define EBDA_MOUSE_DATA 0x28

/* INT 15h AH=C2h status codes */
#define MOUSE_INVALID_FUNCTION 0x01
#define MOUSE_INVALID_INPUT 0x02
#define MOUSE_INTERFACE_ERROR 0x03
#define MOUSE_NO_HANDLER 0x05

#if MODE16
static u32 mouse_handler;               /* the far call goes through memory, not the stack */

static u16 ebda(void) { return rd16(BDA_SEG, BDA_EBDA_SEG); }

static int kbc_wait_write(void)
{
    for (u32 i = 0; i < 100000; i++)
        if (!(inb(KBD_STATUS) & KBD_STAT_IBF))
            return 0;
    return -1;
}

static int aux_read(void)
{
    for (u32 i = 0; i < 200000; i++) {
        u8 st = inb(KBD_STATUS);
        if ((st & (KBD_STAT_OBF | KBD_STAT_AUX)) == (KBD_STAT_OBF | KBD_STAT_AUX))
            return inb(KBD_DATA);
        if (st & KBD_STAT_OBF)
            inb(KBD_DATA);              /* a key meanwhile: the keyboard is off, drop it */
    }
    return -1;
}

static void kbc_write(u16 port, u8 v)
{
    kbc_wait_write();
    outb(v, port);
}

static u8 ccb_read(void)
{
    kbc_write(KBD_STATUS, 0x20);
    for (u32 i = 0; i < 100000; i++)
        if (inb(KBD_STATUS) & KBD_STAT_OBF)
            return inb(KBD_DATA);
    return 0x65;
}

static void ccb_write(u8 v)
{
    kbc_write(KBD_STATUS, 0x60);
    kbc_write(KBD_DATA, v);
}

/* One command (and its parameter, -1 for none) to the mouse with the keyboard and both
 * interrupts off meanwhile; nreply bytes after the FAh acknowledge go to reply. */
static int aux_command(int cmd, int param, u8 *reply, int nreply)
{
    u8 ccb = ccb_read();
    ccb_write((ccb & ~0x23) | 0x10);    /* no IRQ1/IRQ12, aux port on, keyboard off */
    int ok = 1;
    for (int i = 0; i < 2 && ok; i++) {
        int b = i ? param : cmd;
        if (b < 0)
            break;
        kbc_write(KBD_STATUS, 0xd4);
        kbc_write(KBD_DATA, b);
        ok = aux_read() == 0xfa;
    }
    for (int i = 0; i < nreply && ok; i++) {
        int v = aux_read();
        ok = v >= 0;
        reply[i] = v;
    }
    ccb_write(ccb);
    return ok;
}

/* IRQ12 on and the aux port enabled in the command byte (or both off). */
static void aux_irq(int on)
{
    u8 ccb = ccb_read();
    ccb_write(on ? (ccb & ~0x20) | 0x02 : (ccb & ~0x02) | 0x20);
    if (on)
        pic_unmask(12);
}

void mouse_int15(struct bregs *r)
{
    static const u8 rates[7] = { 10, 20, 40, 60, 80, 100, 200 };
    u16 e = ebda();
    u8 reply[3];
    switch (r->al) {
    case 0x00:                          /* BH=0 disable, 1 enable */
        if (r->bh > 1)
            break;
        if (r->bh == 1 && !(rd8(e, EBDA_MOUSE_FLAGS) & 0x80)) {
            set_status(r, MOUSE_NO_HANDLER);
            return;
        }
        if (!aux_command(r->bh ? 0xf4 : 0xf5, -1, reply, 0)) {
            set_status(r, MOUSE_INTERFACE_ERROR);
            return;
        }
        aux_irq(r->bh);
        set_status(r, 0);
        return;
    case 0x01:                          /* reset: BH = device ID, BL = AAh */
    case 0x05:                          /* initialise with packet size BH */
        if (r->al == 0x05 && (r->bh < 1 || r->bh > 8)) {
            set_status(r, MOUSE_INVALID_INPUT);
            return;
        }
        if (r->al == 0x05)
            wr8(e, EBDA_MOUSE_FLAGS, (rd8(e, EBDA_MOUSE_FLAGS) & 0xf8) | (r->bh & 7));
        wr8(e, EBDA_MOUSE_INDEX, 0);
        if (!aux_command(0xff, -1, reply, 2)) {
            set_status(r, MOUSE_INTERFACE_ERROR);
            return;
        }
        if (r->al == 0x01) {
            r->bl = reply[0];
            r->bh = reply[1];
        }
        set_status(r, 0);
        return;
    case 0x02:                          /* sample rate */
    case 0x03:                          /* resolution: 1, 2, 4, 8 counts per mm */
        if (r->bh > (r->al == 0x02 ? 6 : 3)) {
            set_status(r, MOUSE_INVALID_INPUT);
            return;
        }
        set_status(r, aux_command(r->al == 0x02 ? 0xf3 : 0xe8, r->al == 0x02 ? rates[r->bh] : r->bh,
                                  reply, 0) ? 0 : MOUSE_INTERFACE_ERROR);
        return;
    case 0x04:                          /* device type */
        if (!aux_command(0xf2, -1, reply, 1)) {
            set_status(r, MOUSE_INTERFACE_ERROR);
            return;
        }
        r->bh = reply[0];
        set_status(r, 0);
        return;
    case 0x06:                          /* BH=0 status (BL, CL, DL), 1/2 scaling 1:1 / 2:1 */
        if (r->bh > 2)
            break;
        if (!aux_command(r->bh == 0 ? 0xe9 : r->bh == 1 ? 0xe6 : 0xe7, -1, reply, r->bh ? 0 : 3)) {
            set_status(r, MOUSE_INTERFACE_ERROR);
            return;
        }
        if (r->bh == 0) {
            r->bl = reply[0];
            r->cl = reply[1];
            r->dl = reply[2];
        }
        set_status(r, 0);
        return;
    case 0x07:                          /* handler ES:BX (0:0 removes it) */
        wr16(e, EBDA_MOUSE_HANDLER, r->bx);
        wr16(e, EBDA_MOUSE_HANDLER + 2, r->es);
        wr8(e, EBDA_MOUSE_FLAGS, (rd8(e, EBDA_MOUSE_FLAGS) & 0x7f) | (r->es || r->bx ? 0x80 : 0));
        set_status(r, 0);
        return;
    }
    unsupported(r, 0x15, MOUSE_INVALID_FUNCTION);
}

/* IRQ12: one byte of a packet; a full packet goes to the handler as four words on its
 * stack: status, X, Y, 0 (pushed in that order), interrupts on. */
VISIBLE16 void handle_74(struct bregs *r)
{
    u16 e = ebda();
    if ((inb(KBD_STATUS) & (KBD_STAT_OBF | KBD_STAT_AUX)) == (KBD_STAT_OBF | KBD_STAT_AUX)) {
        u8 b = inb(KBD_DATA), idx = rd8(e, EBDA_MOUSE_INDEX), flags = rd8(e, EBDA_MOUSE_FLAGS);
        u8 size = flags & 7 ? flags & 7 : 3;
        if (idx == 0 && !(b & 0x08))
            idx = 0xff;                 /* not a first byte (bit 3 is always set): resync */
        else
            wr8(e, EBDA_MOUSE_DATA + idx, b);
        idx++;
        if (idx >= size && (flags & 0x80)) {
            mouse_handler = rd32(e, EBDA_MOUSE_HANDLER);
            u16 st = rd8(e, EBDA_MOUSE_DATA), x = rd8(e, EBDA_MOUSE_DATA + 1), y = rd8(e, EBDA_MOUSE_DATA + 2);
            __asm__ volatile("pushal\n\tpushw %%ds\n\tpushw %%es\n\t"
                             "pushw %w0\n\tpushw %w1\n\tpushw %w2\n\tpushw $0\n\t"
                             "sti\n\tlcallw *%%cs:%3\n\tcli\n\taddw $8, %%sp\n\t"
                             "popw %%es\n\tpopw %%ds\n\tpopal"
                             :: "r"(st), "r"(x), "r"(y), "m"(mouse_handler) : "memory", "cc");
        }
        wr8(e, EBDA_MOUSE_INDEX, idx >= size ? 0 : idx);
    }
    pic_eoi_slave();
}
#endif
