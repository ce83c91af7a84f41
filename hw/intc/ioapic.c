/* ioapic.c: I/O APIC — IOREGSEL/IOWIN, redirection table, edge/level delivery, remote IRR, EOI. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/intc/ioapic.h"
#include "hw/intc/apic.h"

/* Redirection entry bits (82093AA datasheet 3.2.4). */
#define RTE_VECTOR        0xffULL
#define RTE_DELMODE_SHIFT 8
#define RTE_DESTMODE      (1ULL << 11)
#define RTE_DELIVS        (1ULL << 12)
#define RTE_POLARITY      (1ULL << 13)   /* 1: active low */
#define RTE_REMOTE_IRR    (1ULL << 14)
#define RTE_LEVEL         (1ULL << 15)
#define RTE_MASKED        (1ULL << 16)
#define RTE_RO_BITS       (RTE_DELIVS | RTE_REMOTE_IRR)

static IOAPICState *the_ioapic;

static void ioapic_deliver(IOAPICState *s, int pin)
{
    uint64_t e = s->redtbl[pin];
    bool level = e & RTE_LEVEL;
    if (level)
        s->redtbl[pin] |= RTE_REMOTE_IRR;
    apic_bus_deliver(e >> 56, e & RTE_DESTMODE, (e >> RTE_DELMODE_SHIFT) & 7, e & RTE_VECTOR,
                     level);
}

/* The level a pin presents: the PC wires ISA and PCI lines active high, so an active-low
 * entry sees them inverted. */
static bool ioapic_pin_asserted(IOAPICState *s, int pin)
{
    bool raw = s->irr & (1u << pin);
    return (s->redtbl[pin] & RTE_POLARITY) ? !raw : raw;
}

/* Deliver every level-triggered pin that is asserted, unmasked and not awaiting EOI. */
static void ioapic_service(IOAPICState *s)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = s->redtbl[pin];
        if ((e & RTE_LEVEL) && !(e & RTE_MASKED) && !(e & RTE_REMOTE_IRR) &&
            ioapic_pin_asserted(s, pin))
            ioapic_deliver(s, pin);
    }
}

static void ioapic_set_irq(void *opaque, int pin, int level)
{
    IOAPICState *s = opaque;
    bool was = ioapic_pin_asserted(s, pin);
    if (level)
        s->irr |= 1u << pin;     /* irr holds the raw input levels */
    else
        s->irr &= ~(1u << pin);
    uint64_t e = s->redtbl[pin];
    if (e & RTE_LEVEL) {
        ioapic_service(s);
    } else if (!was && ioapic_pin_asserted(s, pin) && !(e & RTE_MASKED)) {
        ioapic_deliver(s, pin);
    }
}

void ioapic_eoi(IOAPICState *s, uint8_t vector)
{
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        if ((s->redtbl[pin] & RTE_VECTOR) == vector && (s->redtbl[pin] & RTE_LEVEL))
            s->redtbl[pin] &= ~RTE_REMOTE_IRR;
    }
    ioapic_service(s);
}

static void ioapic_eoi_hook(uint8_t vector)
{
    if (the_ioapic)
        ioapic_eoi(the_ioapic, vector);
}

static uint32_t ioapic_reg_read(IOAPICState *s)
{
    uint8_t r = s->ioregsel;
    switch (r) {
    case 0x00: return (uint32_t)s->id << 24;           /* IOAPICID */
    case 0x01: return 0x20 | ((IOAPIC_NUM_PINS - 1) << 16);   /* IOAPICVER */
    case 0x02: return (uint32_t)s->id << 24;           /* IOAPICARB */
    }
    if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_NUM_PINS) {
        uint64_t e = s->redtbl[(r - 0x10) >> 1];
        return (r & 1) ? e >> 32 : (uint32_t)e;
    }
    return 0xffffffff;
}

static void ioapic_reg_write(IOAPICState *s, uint32_t val)
{
    uint8_t r = s->ioregsel;
    if (r == 0x00) {
        s->id = (val >> 24) & 0x0f;
        return;
    }
    if (r >= 0x10 && r < 0x10 + 2 * IOAPIC_NUM_PINS) {
        int pin = (r - 0x10) >> 1;
        uint64_t e = s->redtbl[pin];
        if (r & 1)
            e = (e & 0xffffffffULL) | ((uint64_t)val << 32);
        else
            e = (e & 0xffffffff00000000ULL) | (val & ~RTE_RO_BITS) | (e & RTE_RO_BITS);
        s->redtbl[pin] = e;
        ioapic_service(s);
        return;
    }
    qlog(LOG_GUEST_ERRORS, "ioapic: write to read-only or missing register 0x%02x\n", r);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    IOAPICState *s = opaque;
    switch (off & 0xf0) {
    case 0x00: return s->ioregsel;
    case 0x10: return ioapic_reg_read(s);
    default: return 0;
    }
}

static void ioapic_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    IOAPICState *s = opaque;
    switch (off & 0xf0) {
    case 0x00:
        s->ioregsel = val;
        break;
    case 0x10:
        ioapic_reg_write(s, val);
        break;
    case 0x40:                   /* EOI register (version 0x20) */
        ioapic_eoi(s, val & 0xff);
        break;
    }
}

static const MemoryRegionOps ioapic_ops = {
    .read = ioapic_mmio_read, .write = ioapic_mmio_write, .min_size = 4, .max_size = 4,
};

static void ioapic_reset(Device *dev)
{
    IOAPICState *s = (IOAPICState *)dev;
    s->id = 0;
    s->ioregsel = 0;
    s->irr = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++)
        s->redtbl[i] = RTE_MASKED;
}

static bool ioapic_realize(Device *dev, Error **errp)
{
    IOAPICState *s = (IOAPICState *)dev;
    if (!board.system_memory) {
        error_setg(errp, "ioapic: the board has no memory space");
        return false;
    }
    if (the_ioapic) {
        error_setg(errp, "ioapic: only one I/O APIC is supported");
        return false;
    }
    the_ioapic = s;
    apic_eoi_broadcast = ioapic_eoi_hook;
    s->inputs = irq_alloc_lines(ioapic_set_irq, s, IOAPIC_NUM_PINS);
    memory_region_init_io(&s->mmio, "ioapic", &ioapic_ops, s, 0x1000);
    memory_region_add_subregion_overlap(board.system_memory, s->base, &s->mmio, 4);
    ioapic_reset(dev);
    return true;
}

static const DeviceProp ioapic_props[] = {
    PROP_U64("base", IOAPICState, base, IOAPIC_DEFAULT_BASE, "MMIO base"),
    PROP_END,
};

static const DeviceClass ioapic_class = {
    .name = "ioapic", .desc = "I/O APIC (82093AA)", .bus = "sys", .size = sizeof(IOAPICState),
    .props = ioapic_props, .realize = ioapic_realize, .reset = ioapic_reset,
};
DEVICE_CLASS_REGISTER(ioapic_class);

IOAPICState *ioapic_create(Error **errp)
{
    IOAPICState *s = (IOAPICState *)device_new("ioapic", errp);
    if (!s || !device_realize(&s->dev, errp))
        return NULL;
    return s;
}
