/* pci.c: PCI bus 0 enumeration at POST: BAR sizing and assignment (I/O from C000h, memory
 * from E0000000h), command register enable, PIIX PIRQ routing with interrupt-line setup,
 * PIIX4 ACPI/SMBus bases, and the $PIR table for operating systems without ACPI. */
#include "bios.h"
#include "farptr.h"
#include "output.h"
#include "pci.h"
#include "string.h"
#include "x86.h"

/* PCI IRQ routing table ($PIR), Microsoft "PCI IRQ Routing Table Specification" 1.0. */
struct pir_slot {
    u8 bus, devfn;
    struct { u8 link; u16 bitmap; } PACKED pin[4];
    u8 slot, reserved;
} PACKED;
struct pir_table {
    u32 signature;
    u16 version, size;
    u8 router_bus, router_devfn;
    u16 exclusive_irqs;
    u32 compat_router;
    u32 miniport;
    u8 reserved[11];
    u8 checksum;
    struct pir_slot slots[PCI_MAX_DEV];
} PACKED;
VARFSEG_DEF(struct pir_table, pir_table) __attribute__((aligned(16)));
VARFSEG_DECL(struct pir_table, pir_table);
VARFSEG_DEF(struct pci_devices, pci_devices);

#if !MODE16
/* The IRQs PIRQA-D are steered to (the assignment SeaBIOS and QEMU's ACPI tables agree on). */
static const u8 pirq_irqs[4] = { 10, 10, 11, 11 };

static u32 io_next = 0xc000, mem_next = 0xe0000000u;
#define MEM_END 0xfec00000u

struct bar_req {
    u8 dev;
    u8 reg;             /* 0x10-0x24, or 0x30 for the expansion ROM */
    u8 is_io, is64;
    u32 size;
};

static void pci_size_bars(u16 bdf, struct bar_req *reqs, int *nreq, u8 dev)
{
    for (u8 reg = 0x10; reg <= 0x30; reg += 4) {
        if (reg > 0x24 && reg < 0x30)
            continue;
        u32 old = pci_read32(bdf, reg);
        u32 mask = reg == 0x30 ? 0xfffff800 : 0xffffffff;
        pci_write32(bdf, reg, mask);
        u32 v = pci_read32(bdf, reg);
        pci_write32(bdf, reg, old);
        if (!v || v == 0xffffffff)
            continue;
        struct bar_req *r = &reqs[*nreq];
        r->dev = dev;
        r->reg = reg;
        r->is_io = reg != 0x30 && (v & 1);
        r->is64 = !r->is_io && reg != 0x30 && ((v >> 1) & 3) == 2;
        if (r->is_io)
            r->size = (~(v & ~3u) + 1) & 0xffff;
        else
            r->size = ~(v & (reg == 0x30 ? ~0x7ffu : ~0xfu)) + 1;
        if (!r->size)
            continue;
        (*nreq)++;
        if (r->is64)
            reg += 4;
    }
}

static void pci_assign(struct bar_req *reqs, int nreq)
{
    /* Largest first keeps natural alignment without holes. */
    for (int i = 1; i < nreq; i++)
        for (int j = i; j && reqs[j - 1].size < reqs[j].size; j--) {
            struct bar_req t = reqs[j];
            reqs[j] = reqs[j - 1];
            reqs[j - 1] = t;
        }
    for (int i = 0; i < nreq; i++) {
        struct bar_req *r = &reqs[i];
        struct pci_device *d = &pci_devices.dev[r->dev];
        u32 size = r->size < 16 && !r->is_io ? 16 : r->size;
        u32 *next = r->is_io ? &io_next : &mem_next;
        u32 addr = ALIGN_UP(*next, size);
        u32 limit = r->is_io ? 0x10000 : MEM_END;
        if (addr + size > limit || addr + size < addr) {
            printf("vireo BIOS: PCI %02x:%02x.%x BAR %x (%u bytes) does not fit\n",
                   d->bdf >> 8, (d->bdf >> 3) & 31, d->bdf & 7, r->reg, size);
            continue;
        }
        *next = addr + size;
        if (r->reg == 0x30) {
            d->rom_addr = addr;
            d->rom_size = size;
            pci_write32(d->bdf, 0x30, addr);        /* enable bit stays off until used */
        } else {
            pci_write32(d->bdf, r->reg, addr);
            if (r->is64)
                pci_write32(d->bdf, r->reg + 4, 0);
        }
        dprintf(3, "pci %02x:%02x.%x bar %x = %x size %x\n", d->bdf >> 8, (d->bdf >> 3) & 31,
                d->bdf & 7, r->reg, addr, size);
    }
}

static void pir_build(void)
{
    struct pir_table *t = &pir_table;
    memset(t, 0, sizeof(*t));
    t->signature = 0x52495024;          /* "$PIR" */
    t->version = 0x0100;
    t->router_devfn = pci_devices.router_bdf & 0xff;
    t->compat_router = 0x70008086;
    int n = 0;
    for (int slot = 1; slot < 32; slot++) {
        int present = 0;
        for (int i = 0; i < pci_devices.count; i++)
            if (((pci_devices.dev[i].bdf >> 3) & 31) == slot)
                present = 1;
        if (!present)
            continue;
        struct pir_slot *s = &t->slots[n++];
        s->devfn = slot << 3;
        for (int pin = 0; pin < 4; pin++) {
            s->pin[pin].link = 0x60 + ((pin + slot) & 3);    /* PIIX PIRQRC register */
            s->pin[pin].bitmap = 0xdef8;
        }
        s->slot = slot;
    }
    t->size = 32 + n * sizeof(struct pir_slot);
    u8 sum = 0;
    for (int i = 0; i < t->size; i++)
        sum += ((u8 *)t)[i];
    t->checksum = -sum;
}

void pci_setup(void)
{
    static struct bar_req reqs[PCI_MAX_DEV * 7];
    int nreq = 0;
    memset(&pci_devices, 0, sizeof(pci_devices));
    for (u16 bdf = 0; bdf < 0x100 && pci_devices.count < PCI_MAX_DEV; bdf++) {
        u32 id = pci_read32(bdf, 0x00);
        if ((u16)id == 0xffff || (u16)id == 0) {
            if (!(bdf & 7))
                bdf += 7;               /* no function 0: skip the slot */
            continue;
        }
        u8 htype = pci_read8(bdf, 0x0e);
        struct pci_device *d = &pci_devices.dev[pci_devices.count];
        d->bdf = bdf;
        d->vendor = id & 0xffff;
        d->device = id >> 16;
        d->class = pci_read32(bdf, 0x08) >> 8;
        d->htype = htype & 0x7f;
        if (d->htype == 0)
            pci_size_bars(bdf, reqs, &nreq, pci_devices.count);
        else
            printf("vireo BIOS: not implemented: PCI bridge %02x:%02x.%x\n", 0, bdf >> 3, bdf & 7);
        pci_devices.count++;
        if (!(bdf & 7) && !(htype & 0x80))
            bdf += 7;                   /* single-function device */
    }
    pci_assign(reqs, nreq);

    for (int i = 0; i < pci_devices.count; i++) {
        struct pci_device *d = &pci_devices.dev[i];
        u32 vd = (u32)d->device << 16 | d->vendor;
        if (vd == 0x70008086 || vd == 0x71108086) {
            /* PIIX3/PIIX4 ISA bridge: PIRQA-D route registers 60h-63h; ELCR level mode. */
            pci_devices.router_bdf = d->bdf;
            u16 elcr = 0;
            for (int p = 0; p < 4; p++) {
                pci_write8(d->bdf, 0x60 + p, pirq_irqs[p]);
                elcr |= 1 << pirq_irqs[p];
            }
            outb(inb(0x4d0) | (elcr & 0xff), 0x4d0);
            outb(inb(0x4d1) | (elcr >> 8), 0x4d1);
        }
        if (vd == 0x70108086 || vd == 0x71118086) {
            /* PIIX IDE: enable decoding of both legacy channels (IDETIM bit 15). */
            pci_write16(d->bdf, 0x40, 0x8000);
            pci_write16(d->bdf, 0x42, 0x8000);
        }
        if (vd == 0x71138086) {
            /* PIIX4 power management: PMBA = 600h, SMBus base = 700h (where QEMU's ACPI
             * tables expect them), then enable both. */
            pci_write32(d->bdf, 0x40, 0x600 | 1);
            pci_write8(d->bdf, 0x80, pci_read8(d->bdf, 0x80) | 1);
            pci_write32(d->bdf, 0x90, 0x700 | 1);
            pci_write8(d->bdf, 0xd2, pci_read8(d->bdf, 0xd2) | 1);
        }
    }
    for (int i = 0; i < pci_devices.count; i++) {
        struct pci_device *d = &pci_devices.dev[i];
        u8 pin = pci_read8(d->bdf, 0x3d);
        if (pin >= 1 && pin <= 4) {
            /* QEMU/i440FX slot swizzle: PIRQ = (pin - 1 + slot) mod 4. */
            u8 irq = pirq_irqs[(pin - 1 + ((d->bdf >> 3) & 31)) & 3];
            pci_write8(d->bdf, 0x3c, irq);
            d->irq = irq;
        }
        if (d->class >> 8 == 0x0600)
            continue;
        u16 cmd = pci_read16(d->bdf, 0x04);
        pci_write16(d->bdf, 0x04, cmd | 0x07);      /* I/O, memory, bus master */
    }
    pir_build();
    for (int i = 0; i < pci_devices.count; i++) {
        struct pci_device *d = &pci_devices.dev[i];
        dprintf(1, "PCI %02x:%02x.%x %04x:%04x class %06x irq %u\n", d->bdf >> 8,
                (d->bdf >> 3) & 31, d->bdf & 7, d->vendor, d->device, d->class, d->irq);
    }
}
#endif
