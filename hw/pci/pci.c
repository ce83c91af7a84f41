/* pci.c: PCI bus, configuration space of functions, BAR sizing and mapping, INTx routing. */
#include "util/osdep.h"
#include "util/log.h"
#include "util/option.h"
#include "hw/core/board.h"
#include "hw/pci/pci.h"

#define PCI_DEVFN_MAX 256

struct PCIBus {
    const char *name;
    MemoryRegion *mem, *io;
    PCIDevice *devices[PCI_DEVFN_MAX];
    PCIMapIrqFn *map_irq;
    PCISetIrqFn *set_irq;
    void *irq_opaque;
    int nirqs;
    int *irq_count;              /* per router input: how many devices assert it */
};

static PCIBus *default_bus;

PCIBus *pci_bus_new(const char *name, MemoryRegion *mem, MemoryRegion *io)
{
    PCIBus *bus = xzalloc(sizeof(*bus));
    bus->name = name;
    bus->mem = mem;
    bus->io = io;
    if (!default_bus)
        default_bus = bus;
    return bus;
}

PCIBus *pci_bus_default(void)
{
    return default_bus;
}

MemoryRegion *pci_bus_memory(PCIBus *bus) { return bus->mem; }
MemoryRegion *pci_bus_io(PCIBus *bus) { return bus->io; }

void pci_bus_set_irq_router(PCIBus *bus, PCIMapIrqFn *map_irq, PCISetIrqFn *set_irq,
                            void *opaque, int nirqs)
{
    bus->map_irq = map_irq;
    bus->set_irq = set_irq;
    bus->irq_opaque = opaque;
    bus->nirqs = nirqs;
    free(bus->irq_count);
    bus->irq_count = xzalloc(sizeof(int) * (nirqs > 0 ? nirqs : 1));
}

int pci_swizzle_map_irq(PCIDevice *d, int pin)
{
    return (pin + PCI_SLOT(d->devfn)) & 3;
}

PCIDevice *pci_find_device(PCIBus *bus, int devfn)
{
    if (!bus || devfn < 0 || devfn >= PCI_DEVFN_MAX)
        return NULL;
    return bus->devices[devfn];
}

/* ---- BAR decoding ---- */

static uint32_t bar_offset(int bar)
{
    return bar == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * bar;
}

/* The address a BAR decodes now, given the command register (PCI 3.0, 6.2.5.1), or
 * PCI_BAR_UNMAPPED. A BAR at 0, or one that would wrap or leave the space, is not mapped. */
static uint64_t bar_decoded_address(PCIDevice *d, int bar)
{
    PCIIORegion *r = &d->io_regions[bar];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint32_t off = bar_offset(bar);
    uint64_t addr;

    if (bar == PCI_ROM_SLOT) {
        uint32_t v = pci_get_long(d->config + off);
        if (!(cmd & PCI_COMMAND_MEMORY) || !(v & PCI_ROM_ADDRESS_ENABLE))
            return PCI_BAR_UNMAPPED;
        addr = v & ~(uint64_t)(r->size - 1) & 0xfffff800u;
        if (addr == 0 || addr + r->size > (1ULL << 32))
            return PCI_BAR_UNMAPPED;
        return addr;
    }
    if (r->type & PCI_BAR_IO) {
        if (!(cmd & PCI_COMMAND_IO))
            return PCI_BAR_UNMAPPED;
        addr = pci_get_long(d->config + off) & ~(uint64_t)(r->size - 1) & 0xfffffffcu;
        if (addr == 0 || addr + r->size > 0x10000)
            return PCI_BAR_UNMAPPED;
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY))
        return PCI_BAR_UNMAPPED;
    addr = pci_get_long(d->config + off) & 0xfffffff0u;
    uint64_t limit = 1ULL << 32;
    if (r->type & PCI_BAR_MEM64) {
        addr |= (uint64_t)pci_get_long(d->config + off + 4) << 32;
        limit = 1ULL << 48;      /* what our physical address space can hold */
    }
    addr &= ~(r->size - 1);
    if (addr == 0 || addr + r->size > limit || addr + r->size < addr)
        return PCI_BAR_UNMAPPED;
    return addr;
}

static void pci_update_mappings(PCIDevice *d)
{
    memory_transaction_begin();
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        if (!r->mr)
            continue;
        uint64_t addr = bar_decoded_address(d, i);
        if (addr == r->addr)
            continue;
        MemoryRegion *parent = (r->type & PCI_BAR_IO) && i != PCI_ROM_SLOT ? d->bus->io : d->bus->mem;
        if (r->addr != PCI_BAR_UNMAPPED)
            memory_region_del_subregion(parent, r->mr);
        r->addr = addr;
        /* BARs sit above RAM (priority 1) so a misprogrammed BAR shadows, as on real chipsets. */
        if (addr != PCI_BAR_UNMAPPED && parent)
            memory_region_add_subregion_overlap(parent, addr, r->mr, 1);
        qlog(LOG_IOPORT, "pci %s: BAR%d %s at 0x%" PRIx64 "\n", d->name, i,
             addr == PCI_BAR_UNMAPPED ? "unmapped" : "mapped", addr);
    }
    memory_transaction_commit();
}

static uint64_t pow2_ceil(uint64_t v)
{
    uint64_t p = 1;
    while (p < v)
        p <<= 1;
    return p;
}

void pci_register_bar(PCIDevice *d, int bar, uint8_t type, MemoryRegion *mr)
{
    assert(bar >= 0 && bar < PCI_NUM_REGIONS);
    PCIIORegion *r = &d->io_regions[bar];
    uint32_t off = bar_offset(bar);
    uint64_t size = pow2_ceil(mr->size);

    if (bar == PCI_ROM_SLOT) {
        type = 0;
        if (size < 2 * KiB)
            size = 2 * KiB;
    } else if (type & PCI_BAR_IO) {
        type = PCI_BAR_IO;
        if (size < 4)
            size = 4;
    } else if (size < 16) {
        size = 16;
    }
    r->mr = mr;
    r->size = size;
    r->type = type;
    r->addr = PCI_BAR_UNMAPPED;

    /* Sizing: writable bits are the address bits above the size (PCI 3.0, 6.2.5.1). */
    uint64_t mask = ~(size - 1);
    if (bar == PCI_ROM_SLOT) {
        pci_set_long(d->wmask + off, (uint32_t)mask | PCI_ROM_ADDRESS_ENABLE);
        pci_set_long(d->config + off, 0);
    } else if (type & PCI_BAR_IO) {
        pci_set_long(d->wmask + off, (uint32_t)mask & 0xfffffffcu);
        pci_set_long(d->config + off, type);
    } else {
        pci_set_long(d->wmask + off, (uint32_t)mask & 0xfffffff0u);
        pci_set_long(d->config + off, type);
        if (type & PCI_BAR_MEM64) {
            assert(bar < PCI_NUM_BARS - 1);
            pci_set_long(d->wmask + off + 4, (uint32_t)(mask >> 32));
            pci_set_long(d->config + off + 4, 0);
        }
    }
}

uint64_t pci_bar_address(PCIDevice *d, int bar)
{
    if (bar < 0 || bar >= PCI_NUM_REGIONS)
        return PCI_BAR_UNMAPPED;
    return d->io_regions[bar].addr;
}

/* ---- interrupts ---- */

static void pci_bus_change_irq(PCIDevice *d, int level_change)
{
    PCIBus *bus = d->bus;
    int pin = d->config[PCI_INTERRUPT_PIN];
    if (!bus->map_irq || pin < 1 || pin > 4)
        return;
    int n = bus->map_irq(d, pin - 1);
    if (n < 0 || n >= bus->nirqs)
        return;
    bus->irq_count[n] += level_change;
    bus->set_irq(bus->irq_opaque, n, bus->irq_count[n] != 0);
}

/* What the pin presents to the router: the device's level unless INTx is disabled. */
static int pci_irq_output(PCIDevice *d)
{
    if (pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE)
        return 0;
    return d->irq_level;
}

void pci_set_irq(PCIDevice *d, int level)
{
    level = level != 0;
    int old_out = pci_irq_output(d);
    d->irq_level = level;
    uint16_t st = pci_get_word(d->config + PCI_STATUS);
    pci_set_word(d->config + PCI_STATUS, level ? st | PCI_STATUS_INTERRUPT : st & ~PCI_STATUS_INTERRUPT);
    int new_out = pci_irq_output(d);
    if (new_out != old_out && d->bus)
        pci_bus_change_irq(d, new_out - old_out);
}

/* ---- configuration space ---- */

uint32_t pci_default_config_read(PCIDevice *d, uint32_t addr, unsigned len)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < len && addr + i < PCI_CONFIG_SPACE_SIZE; i++)
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    return v;
}

void pci_default_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    int old_out = pci_irq_output(d);
    bool touches_bars = false;
    for (unsigned i = 0; i < len && addr + i < PCI_CONFIG_SPACE_SIZE; i++) {
        uint32_t a = addr + i;
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[a], w1c = d->w1cmask[a];
        d->config[a] = (d->config[a] & ~wm) | (b & wm);
        d->config[a] &= ~(b & w1c);
        if ((a >= PCI_COMMAND && a < PCI_COMMAND + 2) ||
            (a >= PCI_BASE_ADDRESS_0 && a < PCI_BASE_ADDRESS_0 + 24) ||
            (a >= PCI_ROM_ADDRESS && a < PCI_ROM_ADDRESS + 4))
            touches_bars = true;
    }
    if (touches_bars)
        pci_update_mappings(d);
    int new_out = pci_irq_output(d);
    if (new_out != old_out && d->bus)
        pci_bus_change_irq(d, new_out - old_out);
}

static bool config_access_ok(uint32_t addr, unsigned len)
{
    return (len == 1 || len == 2 || len == 4) && addr < PCI_CONFIG_SPACE_SIZE &&
           (addr & (len - 1)) == 0;
}

uint32_t pci_config_read(PCIBus *bus, int devfn, uint32_t addr, unsigned len)
{
    PCIDevice *d = pci_find_device(bus, devfn);
    uint32_t ones = len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
    if (!d || !config_access_ok(addr, len))
        return ones;
    return (d->config_read ? d->config_read(d, addr, len) : pci_default_config_read(d, addr, len)) & ones;
}

void pci_config_write(PCIBus *bus, int devfn, uint32_t addr, uint32_t val, unsigned len)
{
    PCIDevice *d = pci_find_device(bus, devfn);
    if (!d || !config_access_ok(addr, len))
        return;
    if (d->config_write)
        d->config_write(d, addr, val, len);
    else
        pci_default_config_write(d, addr, val, len);
}

/* ---- devices ---- */

static bool parse_devfn(const char *s, int *devfn, Error **errp)
{
    char *end;
    errno = 0;
    unsigned long slot = strtoul(s, &end, 16), fn = 0;
    if (end == s || errno)
        goto bad;
    if (*end == '.') {
        const char *f = end + 1;
        fn = strtoul(f, &end, 16);
        if (end == f)
            goto bad;
    }
    if (*end || slot > 31 || fn > 7)
        goto bad;
    *devfn = PCI_DEVFN(slot, fn);
    return true;
bad:
    error_setg(errp, "PCI address '%s': expected SLOT[.FN] with slot 0-1f and function 0-7", s);
    return false;
}

bool pci_device_realize_on(PCIBus *bus, PCIDevice *d, const char *name,
                           const PCIDeviceInfo *info, int devfn, Error **errp)
{
    if (!bus) {
        error_setg(errp, "%s: no PCI bus on this machine", name);
        return false;
    }
    if (d->addr_prop && !parse_devfn(d->addr_prop, &devfn, errp))
        return false;
    if (devfn == PCI_DEVFN_AUTO) {
        for (int slot = 1; slot < 32; slot++) {
            if (!bus->devices[PCI_DEVFN(slot, 0)]) {
                devfn = PCI_DEVFN(slot, 0);
                break;
            }
        }
        if (devfn == PCI_DEVFN_AUTO) {
            error_setg(errp, "%s: no free PCI slot", name);
            return false;
        }
    }
    if (devfn < 0 || devfn >= PCI_DEVFN_MAX) {
        error_setg(errp, "%s: PCI devfn %d out of range", name, devfn);
        return false;
    }
    if (bus->devices[devfn]) {
        error_setg(errp, "%s: PCI slot %02x.%x is taken by %s", name, PCI_SLOT(devfn),
                   PCI_FUNC(devfn), bus->devices[devfn]->name);
        return false;
    }
    d->bus = bus;
    d->devfn = devfn;
    d->name = name;
    for (int i = 0; i < PCI_NUM_REGIONS; i++)
        d->io_regions[i].addr = PCI_BAR_UNMAPPED;
    uint8_t *c = d->config;
    pci_set_word(c + PCI_VENDOR_ID, info->vendor_id);
    pci_set_word(c + PCI_DEVICE_ID, info->device_id);
    pci_set_byte(c + PCI_REVISION_ID, info->revision);
    pci_set_byte(c + PCI_CLASS_PROG, info->class_code & 0xff);
    pci_set_word(c + PCI_CLASS_DEVICE, info->class_code >> 8);
    pci_set_byte(c + PCI_HEADER_TYPE, info->multifunction ? PCI_HEADER_TYPE_MULTI_FUNCTION : 0);
    /* QEMU's subsystem IDs by default: SeaBIOS only trusts fw_cfg on a host bridge that
     * carries them (qemu_detect in src/fw/paravirt.c). */
    bool own_ids = info->subsystem_vendor_id || info->subsystem_id;
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, own_ids ? info->subsystem_vendor_id : PCI_SUBVENDOR_QEMU);
    pci_set_word(c + PCI_SUBSYSTEM_ID, own_ids ? info->subsystem_id : PCI_SUBDEVICE_QEMU);
    pci_set_byte(c + PCI_INTERRUPT_PIN, info->interrupt_pin);
    pci_set_word(c + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);
    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    /* Status error bits are write-one-to-clear (PCI 3.0, 6.2.3). */
    pci_set_word(d->w1cmask + PCI_STATUS, 0xf900);
    bus->devices[devfn] = d;
    return true;
}

bool pci_device_realize(PCIDevice *d, const char *name, const PCIDeviceInfo *info, int devfn,
                        Error **errp)
{
    return pci_device_realize_on(default_bus, d, name, info, devfn, errp);
}

void pci_device_reset(PCIDevice *d)
{
    pci_set_irq(d, 0);
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_set_word(d->config + PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM |
                 (pci_get_word(d->config + PCI_STATUS) & PCI_STATUS_CAP_LIST));
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_LATENCY_TIMER] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        if (!r->mr)
            continue;
        uint32_t off = bar_offset(i);
        pci_set_long(d->config + off, i == PCI_ROM_SLOT ? 0 : r->type);
        if (i != PCI_ROM_SLOT && (r->type & PCI_BAR_MEM64))
            pci_set_long(d->config + off + 4, 0);
    }
    if (d->bus)
        pci_update_mappings(d);
}

/* ---- DMA ---- */

AddressSpace *pci_dma_as(PCIDevice *d)
{
    (void)d;
    return board.memory_as;
}

static bool bus_master(PCIDevice *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

MemTxResult pci_dma_read(PCIDevice *d, uint64_t addr, void *buf, uint64_t len)
{
    if (!bus_master(d) || !pci_dma_as(d)) {
        qlog(LOG_GUEST_ERRORS, "pci %s: DMA read with bus mastering disabled\n", d->name);
        return MEMTX_ACCESS_ERROR;
    }
    return dma_read(pci_dma_as(d), addr, buf, len);
}

MemTxResult pci_dma_write(PCIDevice *d, uint64_t addr, const void *buf, uint64_t len)
{
    if (!bus_master(d) || !pci_dma_as(d)) {
        qlog(LOG_GUEST_ERRORS, "pci %s: DMA write with bus mastering disabled\n", d->name);
        return MEMTX_ACCESS_ERROR;
    }
    return dma_write(pci_dma_as(d), addr, buf, len);
}
