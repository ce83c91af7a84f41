/* piix.c: PIIX3/PIIX4 function 0 — PCI-to-ISA bridge routing PIRQA-D to ISA IRQs. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/pci/piix.h"

/* Drive each ISA IRQ with the OR of the PIRQs routed to it (82371SB 4.1.10 PIRQRC). Only IRQs
 * whose routed level changed are touched, so ISA devices sharing the line are left alone. */
static void piix_update_routing(PIIXState *s)
{
    int level[16] = { 0 };
    for (int p = 0; p < PIIX_NUM_PIRQS; p++) {
        uint8_t r = s->pci.config[PIIX_PIRQRC + p];
        if (r & 0x80)
            continue;            /* routing disabled */
        int irq = r & 0x0f;
        /* IRQ0-2, 8 and 13 are reserved (the spec lists them as not routable). */
        if (irq < 3 || irq == 8 || irq == 13)
            continue;
        level[irq] |= s->pirq_level[p];
    }
    for (int i = 0; i < 16; i++) {
        if (level[i] != s->isa_level[i]) {
            s->isa_level[i] = level[i];
            irq_set(isa_get_irq(i), level[i]);
        }
    }
}

static void piix_set_pirq(void *opaque, int pirq, int level)
{
    PIIXState *s = opaque;
    s->pirq_level[pirq] = level;
    piix_update_routing(s);
}

static void piix_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    pci_default_config_write(d, addr, val, len);
    if (addr < PIIX_PIRQRC + PIIX_NUM_PIRQS && addr + len > PIIX_PIRQRC)
        piix_update_routing((PIIXState *)d);
}

static void piix_reset(Device *dev)
{
    PIIXState *s = (PIIXState *)dev;
    uint8_t *c = s->pci.config;
    pci_device_reset(&s->pci);
    /* Power-on values (82371SB 4.1): command enables I/O, memory and bus master. */
    pci_set_word(c + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    c[0x4c] = 0x4d;              /* IORT */
    c[0x4e] = 0x03;              /* XBCS */
    for (int p = 0; p < PIIX_NUM_PIRQS; p++)
        c[PIIX_PIRQRC + p] = 0x80;
    c[0x69] = 0x02;              /* TOM */
    c[0x70] = 0x80;              /* MBIRQ0 */
    c[0x76] = c[0x77] = 0x0c;    /* MBDMA */
    c[0x78] = 0x02;              /* PCSC */
    c[0xa0] = 0x08;              /* SMICNTL */
    piix_update_routing(s);
}

static bool piix_realize(Device *dev, Error **errp)
{
    PIIXState *s = (PIIXState *)dev;
    bool piix4;
    if (!s->model || !strcmp(s->model, "piix3")) {
        piix4 = false;
    } else if (!strcmp(s->model, "piix4")) {
        piix4 = true;
    } else {
        error_setg(errp, "piix: model '%s' is not piix3 or piix4", s->model);
        return false;
    }
    PCIDeviceInfo info = {
        .vendor_id = 0x8086, .device_id = piix4 ? 0x7110 : 0x7000, .class_code = 0x060100,
        .multifunction = true,
    };
    if (!pci_device_realize(&s->pci, piix4 ? "piix4-isa" : "piix3-isa", &info, PCI_DEVFN(1, 0), errp))
        return false;
    s->pci.config_write = piix_config_write;
    /* The function-specific registers from 0x4c up are the BIOS's to program. */
    memset(s->pci.wmask + 0x4c, 0xff, 0x100 - 0x4c);
    pci_bus_set_irq_router(s->pci.bus, pci_swizzle_map_irq, piix_set_pirq, s, PIIX_NUM_PIRQS);
    piix_reset(dev);
    return true;
}

static const DeviceProp piix_props[] = {
    PCI_PROP_ADDR(PIIXState),
    PROP_STR("model", PIIXState, model, "piix3", "piix3 or piix4"),
    PROP_END,
};

static const DeviceClass piix_class = {
    .name = "piix-isa", .desc = "PIIX3/PIIX4 PCI-to-ISA bridge (function 0)", .bus = "pci",
    .size = sizeof(PIIXState), .props = piix_props,
    .realize = piix_realize, .reset = piix_reset,
};
DEVICE_CLASS_REGISTER(piix_class);

PIIXState *piix_create(PCIBus *bus, const char *model, Error **errp)
{
    (void)bus;                   /* function 0 sits on the default (host) bus */
    PIIXState *s = (PIIXState *)device_new("piix-isa", errp);
    if (!s)
        return NULL;
    if (model) {
        free(s->model);
        s->model = xstrdup(model);
    }
    if (!device_realize(&s->pci.dev, errp))
        return NULL;
    return s;
}
