/* pci.h: the PCI bus, configuration space and the PCIDevice base that PCI devices embed.
 *
 * A PCI device is a struct whose first member is `PCIDevice pci` (whose own first member is
 * `Device dev`, so it is also a Device). Its class has .bus = "pci"; realize fills in the
 * header and registers BARs:
 *
 *     typedef struct E1000State { PCIDevice pci; MemoryRegion mmio, io; ... } E1000State;
 *
 *     static const DeviceProp e1000_props[] = {
 *         PCI_PROP_ADDR(E1000State),          // -device e1000,addr=3 (slot[.fn])
 *         PROP_END,
 *     };
 *     static bool e1000_realize(Device *dev, Error **errp)
 *     {
 *         E1000State *s = (E1000State *)dev;
 *         static const PCIDeviceInfo info = {
 *             .vendor_id = 0x8086, .device_id = 0x100e, .class_code = 0x020000,
 *             .interrupt_pin = 1,              // INTA#
 *         };
 *         if (!pci_device_realize(&s->pci, "e1000", &info, PCI_DEVFN_AUTO, errp))
 *             return false;
 *         memory_region_init_io(&s->mmio, "e1000-mmio", &e1000_mmio_ops, s, 128 * KiB);
 *         pci_register_bar(&s->pci, 0, PCI_BAR_MEM32, &s->mmio);
 *         ...
 *     }
 *     static void e1000_reset(Device *dev) { pci_device_reset(&((E1000State *)dev)->pci); ... }
 *
 * The guest (or firmware) sizes and places BARs through configuration space; the bus maps the
 * region into its memory or I/O container while the command register enables that space.
 * Interrupts: pci_set_irq() drives the device's INTx# pin; the bus swizzles it by slot and
 * hands it to the host bridge's router (on the pc machine, PIIX3 PIRQA-D -> ISA IRQs).
 * Specification: PCI Local Bus Specification 3.0, chapter 6 (configuration space).
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/device.h"
#include "hw/core/memory.h"

/* Configuration header, type 0 (PCI 3.0, 6.1). */
#define PCI_VENDOR_ID           0x00    /* 16 bits */
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_IO          0x0001
#define  PCI_COMMAND_MEMORY      0x0002
#define  PCI_COMMAND_MASTER      0x0004
#define  PCI_COMMAND_SPECIAL     0x0008
#define  PCI_COMMAND_PARITY      0x0040
#define  PCI_COMMAND_SERR        0x0100
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS              0x06
#define  PCI_STATUS_INTERRUPT    0x0008
#define  PCI_STATUS_CAP_LIST     0x0010
#define  PCI_STATUS_DEVSEL_MEDIUM 0x0200
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a    /* 16 bits: class, subclass */
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BIST                0x0f
#define PCI_BASE_ADDRESS_0      0x10
#define  PCI_BASE_ADDRESS_SPACE_IO     0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_64  0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30
#define  PCI_ROM_ADDRESS_ENABLE  0x01
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d    /* 0 none, 1..4 INTA#..INTD# */
#define PCI_MIN_GNT             0x3e
#define PCI_MAX_LAT             0x3f

#define PCI_CONFIG_SPACE_SIZE   256
#define PCI_NUM_BARS            6
#define PCI_ROM_SLOT            6       /* index of the expansion ROM in io_regions[] */
#define PCI_NUM_REGIONS         7
#define PCI_BAR_UNMAPPED        UINT64_MAX

#define PCI_DEVFN(slot, fn)     ((((slot) & 0x1f) << 3) | ((fn) & 7))
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 7)
#define PCI_DEVFN_AUTO          (-1)    /* first free slot, function 0 */
#define PCI_SUBVENDOR_QEMU      0x1af4  /* "Red Hat, Inc": what firmware expects on this machine */
#define PCI_SUBDEVICE_QEMU      0x1100  /* "QEMU Virtual Machine" */

/* BAR types for pci_register_bar (the low bits of the BAR as the spec defines them). */
#define PCI_BAR_IO              PCI_BASE_ADDRESS_SPACE_IO
#define PCI_BAR_MEM32           0x00
#define PCI_BAR_MEM32_PREFETCH  PCI_BASE_ADDRESS_MEM_PREFETCH
#define PCI_BAR_MEM64           PCI_BASE_ADDRESS_MEM_TYPE_64   /* uses BAR n and n+1 */
#define PCI_BAR_MEM64_PREFETCH  (PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH)

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

typedef struct PCIIORegion {
    MemoryRegion *mr;            /* NULL: BAR not implemented (reads as 0) */
    uint64_t size;               /* a power of two (I/O >= 4, memory >= 16, ROM >= 2 KiB) */
    uint8_t type;                /* PCI_BAR_* */
    uint64_t addr;               /* where it is mapped now, or PCI_BAR_UNMAPPED */
} PCIIORegion;

/* Identity of a function, written into its configuration header at realize. */
typedef struct PCIDeviceInfo {
    uint16_t vendor_id, device_id;
    uint8_t revision;
    uint32_t class_code;         /* 24 bits: class << 16 | subclass << 8 | prog-if */
    uint16_t subsystem_vendor_id, subsystem_id;   /* 0, 0: PCI_SUBVENDOR_QEMU, PCI_SUBDEVICE_QEMU */
    uint8_t interrupt_pin;       /* 0 none, 1 = INTA# .. 4 = INTD# */
    bool multifunction;          /* set PCI_HEADER_TYPE_MULTI_FUNCTION (function 0 of a group) */
} PCIDeviceInfo;

/* Config-space hooks. A device that overrides one calls the default itself for the rest. */
typedef uint32_t PCIConfigReadFn(PCIDevice *d, uint32_t addr, unsigned len);
typedef void PCIConfigWriteFn(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len);

struct PCIDevice {
    Device dev;                  /* first: a PCIDevice is a Device */
    char *addr_prop;             /* "slot[.fn]" from the addr property (PCI_PROP_ADDR) */
    const char *name;
    PCIBus *bus;
    int devfn;
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];    /* bits the guest may write */
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];  /* bits the guest clears by writing 1 */
    PCIIORegion io_regions[PCI_NUM_REGIONS];
    PCIConfigReadFn *config_read;            /* NULL: pci_default_config_read */
    PCIConfigWriteFn *config_write;          /* NULL: pci_default_config_write */
    int irq_level;                           /* current level of the INTx# pin */
};

/* The property that places a device: -device TYPE,addr=SLOT[.FN] (numbers in hex or decimal). */
#define PCI_PROP_ADDR(T) \
    PROP_STR("addr", T, pci.addr_prop, NULL, "PCI slot[.function] (default: first free slot)")

/* Routes a slot's INTx# pins: map_irq picks the router input (e.g. PIRQ 0..3) for a pin
 * (0 = INTA#) of a device; set_irq gets the OR of all devices' levels on that input. */
typedef int PCIMapIrqFn(PCIDevice *d, int pin);
typedef void PCISetIrqFn(void *opaque, int irq_num, int level);

/* A bus whose BARs map into `mem` (the PCI memory window, usually system memory) and `io`
 * (the port space). The first bus created becomes the default bus that pci_device_realize
 * attaches to. */
PCIBus *pci_bus_new(const char *name, MemoryRegion *mem, MemoryRegion *io);
PCIBus *pci_bus_default(void);
void pci_bus_set_irq_router(PCIBus *bus, PCIMapIrqFn *map_irq, PCISetIrqFn *set_irq,
                            void *opaque, int nirqs);
/* The standard swizzle behind a host bridge: (pin + slot) mod 4 (PCI-to-PCI Bridge Arch 9.1). */
int pci_swizzle_map_irq(PCIDevice *d, int pin);
PCIDevice *pci_find_device(PCIBus *bus, int devfn);
MemoryRegion *pci_bus_memory(PCIBus *bus);
MemoryRegion *pci_bus_io(PCIBus *bus);

/* Configuration mechanism #1 is in the host bridge; these are the cycles it generates (and
 * what tests use). A cycle to an empty devfn reads all ones and writes nothing. */
uint32_t pci_config_read(PCIBus *bus, int devfn, uint32_t addr, unsigned len);
void pci_config_write(PCIBus *bus, int devfn, uint32_t addr, uint32_t val, unsigned len);

/* Attach `d` to the default bus at the addr property if given, else at `devfn` if it is not
 * PCI_DEVFN_AUTO, else at the first free slot; write the header from `info`. */
bool pci_device_realize(PCIDevice *d, const char *name, const PCIDeviceInfo *info, int devfn,
                        Error **errp);
/* Same on a given bus. */
bool pci_device_realize_on(PCIBus *bus, PCIDevice *d, const char *name,
                           const PCIDeviceInfo *info, int devfn, Error **errp);
/* BAR `bar` (0..5, or PCI_ROM_SLOT for the expansion ROM, type ignored) decodes `mr`; its size
 * is mr->size rounded up to a power of two. */
void pci_register_bar(PCIDevice *d, int bar, uint8_t type, MemoryRegion *mr);
/* Where BAR `bar` is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_bar_address(PCIDevice *d, int bar);
/* Drive INTx# (the pin from the header). Honours PCI_COMMAND_INTX_DISABLE; sets the status bit. */
void pci_set_irq(PCIDevice *d, int level);
/* Power-on state of the common header: command 0, BARs cleared and unmapped, IRQ lowered. */
void pci_device_reset(PCIDevice *d);

uint32_t pci_default_config_read(PCIDevice *d, uint32_t addr, unsigned len);
void pci_default_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len);

/* Bus-master DMA to system memory: nothing moves (MEMTX_ACCESS_ERROR) unless the command
 * register enables bus mastering; otherwise as dma_read/dma_write (bounds-checked, RAM only). */
MemTxResult pci_dma_read(PCIDevice *d, uint64_t addr, void *buf, uint64_t len);
MemTxResult pci_dma_write(PCIDevice *d, uint64_t addr, const void *buf, uint64_t len);
AddressSpace *pci_dma_as(PCIDevice *d);

/* Little-endian accessors of a config array. */
static inline uint8_t pci_get_byte(const uint8_t *c) { return c[0]; }
static inline uint16_t pci_get_word(const uint8_t *c) { return c[0] | (c[1] << 8); }
static inline uint32_t pci_get_long(const uint8_t *c)
{
    return c[0] | (c[1] << 8) | (c[2] << 16) | ((uint32_t)c[3] << 24);
}
static inline void pci_set_byte(uint8_t *c, uint8_t v) { c[0] = v; }
static inline void pci_set_word(uint8_t *c, uint16_t v) { c[0] = v; c[1] = v >> 8; }
static inline void pci_set_long(uint8_t *c, uint32_t v)
{
    c[0] = v; c[1] = v >> 8; c[2] = v >> 16; c[3] = v >> 24;
}

#endif
