/* apm.c: Advanced Power Management 1.2 (INT 15h AX=53xxh): installation check, real-mode and
 * 16/32-bit protected-mode connections (entry points in entry16.S), CPU idle, power off
 * through ACPI S5 (the PIIX4's PM1a control register), power status, version. */
#include "bios.h"
#include "farptr.h"
#include "x86.h"

enum { APM_NONE, APM_REAL, APM_PM16, APM_PM32 };
VARFSEG_DEF(u8, apm_connection);

#if MODE16
extern char apm_pm16_entry[], apm_pm32_entry[];

/* APM 1.2 error codes in AH */
#define APM_ERR_CONNECTED(c) ((c) == APM_REAL ? 0x02 : (c) == APM_PM16 ? 0x05 : 0x07)
#define APM_ERR_NOT_CONNECTED 0x03
#define APM_ERR_DEVICE 0x09
#define APM_ERR_RANGE 0x0a
#define APM_ERR_STATE 0x60
#define APM_NO_EVENTS 0x80

/* ACPI S5 through the PIIX4 power management function (00:01.3, PMBA at 40h): SLP_TYP 0
 * (the \_S5 value of the tables QEMU and vireo build) with SLP_EN. */
static void apm_power_off(void)
{
    u16 bdf = 0x000b;
    if (pci_read32(bdf, 0x00) != 0x71138086)
        return;
    outw(0x2000, (pci_read32(bdf, 0x40) & 0xffc0) + 4);
    /* An emulator may take a moment to act on it: give it a second before giving up. */
    for (int i = 0; i < 100; i++)
        udelay(10000);
}

void apm_int15(struct bregs *r)
{
    u8 conn = apm_connection;
    switch (r->al) {
    case 0x00:                          /* installation check */
        if (r->bx != 0)
            break;
        r->ax = 0x0102;                 /* version 1.2 */
        r->bx = 0x504d;                 /* "PM" */
        r->cx = 0x0003;                 /* 16- and 32-bit protected mode interfaces */
        clear_cf(r);
        return;
    case 0x01:
    case 0x02:
    case 0x03:
        if (r->bx != 0)
            break;
        if (conn != APM_NONE) {
            set_status(r, APM_ERR_CONNECTED(conn));
            return;
        }
        apm_connection = r->al == 1 ? APM_REAL : r->al == 2 ? APM_PM16 : APM_PM32;
        if (r->al == 0x02) {
            r->ax = BIOS_SEG;
            r->bx = (u16)(u32)apm_pm16_entry;
            r->cx = BIOS_SEG;
            r->si = 0xffff;
            r->di = 0xffff;
        } else if (r->al == 0x03) {
            r->ax = BIOS_SEG;
            r->ebx = (u16)(u32)apm_pm32_entry;
            r->cx = BIOS_SEG;
            r->dx = BIOS_SEG;
            r->esi = 0xffffffff;
            r->di = 0xffff;
        }
        clear_cf(r);
        return;
    case 0x04:                          /* disconnect */
        if (r->bx != 0)
            break;
        if (conn == APM_NONE) {
            set_status(r, APM_ERR_NOT_CONNECTED);
            return;
        }
        apm_connection = APM_NONE;
        clear_cf(r);
        return;
    case 0x05:                          /* CPU idle: until the next interrupt */
        wait_irq();
        clear_cf(r);
        return;
    case 0x07:                          /* set power state */
        if (r->bx != 0x0001 && r->bx != 0x0000 && r->bx != 0xffff)
            break;
        if (r->cx == 0x0000) {
            clear_cf(r);
            return;
        }
        if (r->cx == 0x0003)
            apm_power_off();            /* returns only when the machine stayed on */
        set_status(r, APM_ERR_STATE);   /* standby and suspend are not available */
        return;
    case 0x0a:                          /* power status: on AC, no battery */
        r->bx = 0x01ff;
        r->cx = 0x80ff;
        r->dx = 0xffff;
        clear_cf(r);
        return;
    case 0x0b:
        set_status(r, APM_NO_EVENTS);
        return;
    case 0x0c:
        r->cx = 0;                      /* ready */
        clear_cf(r);
        return;
    case 0x0e:                          /* driver version: the lower of ours and theirs */
        r->ax = r->cx < 0x0102 ? r->cx : 0x0102;
        clear_cf(r);
        return;
    case 0x10:                          /* capabilities: no batteries, no resume timers */
        r->bl = 0;
        r->cx = 0;
        clear_cf(r);
        return;
    case 0x06:                          /* CPU busy */
    case 0x08:                          /* enable/disable power management */
    case 0x09:                          /* restore power-on defaults */
    case 0x0d:                          /* enable/disable device power management */
    case 0x0f:                          /* engage/disengage */
        clear_cf(r);
        return;
    default:
        unsupported(r, 0x15, 0x86);
        return;
    }
    set_status(r, APM_ERR_DEVICE);
}
#endif
