/* chipset-fuzz.c: libFuzzer harness for the register interfaces of every device of the pc
 * machine: the chipset (PIC, PIT and speaker, RTC, i8042 and port 0x92, i440FX/PIIX, fw_cfg
 * with its DMA interface, ACPI PM, local and I/O APIC, HPET) and the devices the board adds
 * (COM1-COM4 16550A, 8237 DMA pair, floppy controller, PIIX IDE with its bus-master engine,
 * VGA with the Bochs VBE registers and linear frame buffer, debugcon, isa-debug-exit).
 * Each input is a program of port and MMIO accesses, guest RAM writes (DMA buffers, PRD
 * tables, fw_cfg DMA descriptors), interrupt line changes and acknowledges, input events,
 * serial input, screen refreshes and timer runs, on one machine reset between inputs.
 * Whatever the guest writes must not crash the host, hang, or touch memory it does not own. */
#include "util/osdep.h"
#include "hw/block/fdc.h"
#include "hw/char/serial.h"
#include "hw/core/blockdev.h"
#include "hw/core/board.h"
#include "hw/core/chardev.h"
#include "hw/core/device.h"
#include "hw/ide/ide.h"
#include "hw/pc/chipset.h"
#include "ui/console.h"

#define RAM_SIZE (16 * MiB)
#define BMDMA_BASE 0xc000
#define LFB_BASE 0xe0000000u
#define PCI_CFG(dev, fn, reg) (0x80000000u | (dev) << 11 | (fn) << 8 | (reg))

static MemoryRegion sysmem, sysio, ram, bios;
static AddressSpace mem_as, io_as;
static PCChipset *cs;
static SerialState *com[4];
static unsigned resets, shutdowns;

static void fz_reset(void) { resets++; }
static void fz_shutdown(int status) { (void)status; shutdowns++; }
static void fz_a20(bool on) { (void)on; }
static void fz_intr(void *opaque, int n, int level) { (void)opaque; (void)n; (void)level; }

/* ---- media in host memory: a device that reads or writes outside them is a bug ---- */

typedef struct FuzzDisk {
    BlockDev bd;
    uint8_t *data;
    uint64_t size;
} FuzzDisk;

static uint64_t fd_length(BlockDev *bd) { return ((FuzzDisk *)bd)->size; }

static void fd_check(FuzzDisk *d, uint64_t off, size_t len)
{
    if (off > d->size || len > d->size - off) {
        fprintf(stderr, "chipset-fuzz: %s: access at %" PRIu64 "+%zu beyond the medium\n", d->bd.name, off, len);
        abort();
    }
}

static int fd_read(BlockDev *bd, uint64_t off, void *buf, size_t len)
{
    fd_check((FuzzDisk *)bd, off, len);
    memcpy(buf, ((FuzzDisk *)bd)->data + off, len);
    return 0;
}

static int fd_write(BlockDev *bd, uint64_t off, const void *buf, size_t len)
{
    fd_check((FuzzDisk *)bd, off, len);
    memcpy(((FuzzDisk *)bd)->data + off, buf, len);
    return 0;
}

static int fd_flush(BlockDev *bd) { (void)bd; return 0; }

static BlockDev *fuzz_disk(const char *name, uint64_t size, bool removable)
{
    FuzzDisk *d = xzalloc(sizeof(*d));
    d->data = xzalloc(size);
    for (uint64_t i = 0; i < size; i++)
        d->data[i] = (uint8_t)(i * 7 + (i >> 9));
    d->size = size;
    d->bd = (BlockDev){ .name = name, .removable = removable, .read_only = removable,
                        .length = fd_length, .read = fd_read, .write = fd_write, .flush = fd_flush };
    return &d->bd;
}

static void sink_write(Chardev *chr, const uint8_t *buf, size_t len) { (void)chr; (void)buf; (void)len; }
static const ChardevOps sink_ops = { .write = sink_write };
static Chardev sink;

static void pci_cfg_write(uint32_t addr, uint32_t val, unsigned size)
{
    address_space_st(&io_as, 0xcf8, addr & ~3u, 4);
    address_space_st(&io_as, 0xcfc + (addr & 3), val, size);
}

/* What the firmware would do: the bus-master registers and the frame buffer get addresses. */
static void fuzz_pci_setup(void)
{
    pci_cfg_write(PCI_CFG(1, 1, 0x20), BMDMA_BASE | 1, 4);
    pci_cfg_write(PCI_CFG(1, 1, 0x04), 0x0005, 2);           /* I/O space, bus master */
    pci_cfg_write(PCI_CFG(2, 0, 0x10), LFB_BASE, 4);
    pci_cfg_write(PCI_CFG(2, 0, 0x04), 0x0003, 2);           /* I/O and memory space */
}

static Device *create(const char *type, const char *props)
{
    Error *err = NULL;
    Device *d = device_create(type, props, &err);
    if (!d) {
        fprintf(stderr, "chipset-fuzz: %s: %s\n", type, err->msg);
        abort();
    }
    return d;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    memory_region_init_container(&sysmem, "system", UINT64_MAX);
    memory_region_init_container(&sysio, "io", 0x10000);
    address_space_init(&mem_as, &sysmem, "memory");
    address_space_init(&io_as, &sysio, "io");
    io_as.is_io = true;
    board.system_memory = &sysmem;
    board.system_io = &sysio;
    board.memory_as = &mem_as;
    board.io_as = &io_as;
    board.request_reset = fz_reset;
    board.request_shutdown = fz_shutdown;
    board.set_a20 = fz_a20;
    memory_region_init_ram(&ram, "pc.ram", RAM_SIZE);
    memory_region_init_rom(&bios, "pc.bios", 64 * KiB);
    PCChipsetConfig cfg = {
        .ram = &ram, .ram_below_4g = RAM_SIZE, .bios = &bios, .ncpus = 2,
        .cpu_intr = irq_alloc_lines(fz_intr, NULL, 1), .apic = true,
        .rtc = "base=2020-02-02,clock=vm,driftfix=slew",
    };
    Error *err = NULL;
    cs = pc_chipset_create(&cfg, &err);
    if (!cs) {
        fprintf(stderr, "chipset-fuzz: %s\n", err->msg);
        abort();
    }
    chardev_add(&sink, "sink", &sink_ops);
    Device *ide = create("piix3-ide", "addr=1.1");
    create("isa-dma", NULL);
    Device *fdc = create("isa-fdc", NULL);
    for (int i = 0; i < 4; i++) {
        char props[48];
        snprintf(props, sizeof props, "index=%d,chardev=sink", i);
        com[i] = (SerialState *)create("isa-serial", props);
    }
    create("VGA", "addr=2");
    create("isa-debugcon", "iobase=0xe9,chardev=sink");
    create("isa-debug-exit", "iobase=0xf4,iosize=4");
    if (!ide_attach_drive(piix_ide_get_bus(ide, 0), 0, fuzz_disk("hd", 1 * MiB, false), IDE_HD, &err) ||
        !ide_attach_drive(piix_ide_get_bus(ide, 1), 0, fuzz_disk("cd", 1 * MiB, true), IDE_CD, &err) ||
        !fdc_attach_drive(isa_fdc_get(fdc), 0, fuzz_disk("fd", 1440 * KiB, false), &err)) {
        fprintf(stderr, "chipset-fuzz: %s\n", err->msg);
        abort();
    }
    return 0;
}

static uint32_t take(const uint8_t **p, const uint8_t *end, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n && *p < end; i++)
        v |= (uint32_t)*(*p)++ << (8 * i);
    return v;
}

/* Ports worth hitting: every device's registers. Selector 0xff picks any 16-bit port. */
static const uint16_t ports[] = {
    0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x60, 0x64, 0x70, 0x71,
    0x80, 0x92, 0xb2, 0xb3, 0xcf8, 0xcf9, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0x510, 0x511,
    0x514, 0x518, 0x600, 0x602, 0x604, 0x608, 0x60c, 0x60e,
    0x00, 0x02, 0x04, 0x05, 0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x0f, 0x81, 0x82, 0x87, 0x8f,   /* 8237 */
    0xc0, 0xc4, 0xc6, 0xd0, 0xd2, 0xd4, 0xd6, 0xd8, 0xda, 0xde,
    0x3f0, 0x3f1, 0x3f2, 0x3f4, 0x3f5, 0x3f7,                                      /* FDC */
    0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6,                 /* IDE */
    0x170, 0x171, 0x172, 0x173, 0x174, 0x175, 0x176, 0x177, 0x376,
    BMDMA_BASE, BMDMA_BASE + 2, BMDMA_BASE + 4, BMDMA_BASE + 8, BMDMA_BASE + 10, BMDMA_BASE + 12,
    0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x2f8, 0x2f9, 0x2fa, 0x2fc,  /* UARTs */
    0x3e8, 0x3ea, 0x3ec, 0x2e8, 0x2ea, 0x2ec,
    0x3c0, 0x3c1, 0x3c2, 0x3c4, 0x3c5, 0x3c6, 0x3c7, 0x3c8, 0x3c9, 0x3ca, 0x3cc, 0x3ce, 0x3cf,
    0x3d4, 0x3d5, 0x3da, 0x3b4, 0x3b5, 0x3ba, 0x1ce, 0x1cf,                          /* VGA */
    0xe9, 0xf4,                                                         /* debugcon, exit */
};
static const uint64_t mmio[] = { APIC_DEFAULT_BASE, IOAPIC_DEFAULT_BASE, HPET_BASE, 0xa0000,
                                 0xb8000, 0xc0000, 0xf0000, 0xe0000, LFB_BASE, LFB_BASE + 0x100000 };

/* A DMA address as a guest would get it wrong: in RAM, at the end of a 64 KiB boundary, at the
 * top of RAM, in device memory, or anywhere. */
static uint32_t dma_address(uint32_t sel, uint32_t raw)
{
    switch (sel & 7) {
    case 0: case 1: return raw % RAM_SIZE;
    case 2: return ((raw % RAM_SIZE) | 0xffff) - (sel >> 3 & 0x1f);
    case 3: return RAM_SIZE - (raw & 0xfff);
    case 4: return 0xa0000 + (raw & 0x1ffff);
    case 5: return APIC_DEFAULT_BASE + (raw & 0xfff);
    default: return raw;
    }
}

static void ram_write(uint64_t addr, const void *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        address_space_st(&mem_as, addr + i, ((const uint8_t *)buf)[i], 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    devices_reset_all();
    fuzz_pci_setup();
    while (p < end) {
        uint8_t op = *p++;
        unsigned sz = 1u << ((op >> 4) & 3);
        switch (op & 15) {
        case 0: case 1: {                        /* port write/read */
            uint8_t sel = take(&p, end, 1);
            uint16_t port = sel == 0xff ? take(&p, end, 2) : ports[sel % ARRAY_SIZE(ports)];
            if (sz > 4)
                sz = 4;
            if (op & 1)
                (void)address_space_ld(&io_as, port, sz, NULL);
            else
                address_space_st(&io_as, port, take(&p, end, sz), sz);
            break;
        }
        case 2: case 3: {                        /* MMIO write/read */
            uint64_t a = mmio[take(&p, end, 1) % ARRAY_SIZE(mmio)] + (take(&p, end, 2) & 0xfff);
            if (op & 1)
                (void)address_space_ld(&mem_as, a, sz, NULL);
            else
                address_space_st(&mem_as, a, take(&p, end, 4) | (uint64_t)take(&p, end, 4) << 32, sz);
            break;
        }
        case 4: {                                /* ISA IRQ line */
            uint8_t v = take(&p, end, 1);
            irq_set(board.isa_irq[v & 15], v >> 7);
            break;
        }
        case 5:                                  /* interrupt acknowledge */
            (void)pc_chipset_get_vector(cs);
            (void)apic_get_vector(cs->apic[1]);
            break;
        case 6: {                                /* keyboard and mouse */
            uint16_t v = take(&p, end, 2);
            if (v & 1)
                ps2_kbd_key_event(i8042_keyboard(cs->kbc), (v >> 1) & 0x17f, v >> 15);
            else
                ps2_mouse_event(i8042_mouse(cs->kbc), (int8_t)(v >> 8), (int8_t)v, v & 2 ? 1 : 0,
                                (v >> 2) & 7);
            break;
        }
        case 7: {                                /* guest RAM: bytes of the input at an address */
            uint32_t a = dma_address(take(&p, end, 1), take(&p, end, 4));
            size_t n = take(&p, end, 1);
            n = MIN(n, (size_t)(end - p));
            ram_write(a, p, n);
            p += n;
            break;
        }
        case 8: {                                /* a PRD table, a DMA command, go */
            static const uint8_t dma_cmds[] = { 0xc8, 0xca, 0x25, 0x35, 0xc7, 0xcc, 0xa0 };
            uint8_t ch = op >> 4 & 1;
            uint16_t ata = ch ? 0x170 : 0x1f0;
            uint32_t table = dma_address(take(&p, end, 1), take(&p, end, 4)) & ~3u;
            unsigned n = take(&p, end, 1) & 15;
            for (unsigned i = 0; i < n; i++) {
                uint8_t sel = take(&p, end, 1);
                uint32_t e[2] = { dma_address(sel, take(&p, end, 4)),
                                  take(&p, end, 2) | (sel & 0x80 ? 0x80000000u : 0) };
                ram_write(table + 8 * i, e, sizeof e);
            }
            address_space_st(&io_as, BMDMA_BASE + 8 * ch + 4, table, 4);
            uint8_t cmd = dma_cmds[take(&p, end, 1) % ARRAY_SIZE(dma_cmds)];
            address_space_st(&io_as, ata + 1, 1, 1);               /* ATAPI: DMA */
            address_space_st(&io_as, ata + 2, take(&p, end, 1), 1);
            address_space_st(&io_as, ata + 3, take(&p, end, 1), 1);
            address_space_st(&io_as, ata + 6, 0x40 | (take(&p, end, 1) & 0x1f), 1);
            address_space_st(&io_as, ata + 7, cmd, 1);
            if (cmd == 0xa0)                                        /* the packet */
                for (int i = 0; i < 6; i++)
                    address_space_st(&io_as, ata, take(&p, end, 2), 2);
            address_space_st(&io_as, BMDMA_BASE + 8 * ch, take(&p, end, 1) | 1, 1);
            break;
        }
        case 9: {                                /* fw_cfg DMA descriptor (big-endian) */
            uint32_t a = dma_address(take(&p, end, 1), take(&p, end, 4));
            uint32_t d[4] = { __builtin_bswap32(take(&p, end, 4)), __builtin_bswap32(take(&p, end, 4)),
                              0, __builtin_bswap32(dma_address(take(&p, end, 1), take(&p, end, 4))) };
            ram_write(a, d, sizeof d);
            address_space_st(&io_as, 0x514, 0, 4);
            address_space_st(&io_as, 0x518, __builtin_bswap32(a), 4);
            break;
        }
        case 10: {                               /* serial input */
            SerialState *s = com[take(&p, end, 1) & 3];
            size_t n = take(&p, end, 1) & 31;
            n = MIN(n, (size_t)(end - p));
            serial_receive_bytes(s, p, n);
            p += n;
            break;
        }
        case 11: {                               /* a burst on one port (PIO data, FIFOs) */
            uint16_t port = ports[take(&p, end, 1) % ARRAY_SIZE(ports)];
            unsigned n = take(&p, end, 2) & 0x3ff;
            uint16_t v = take(&p, end, 2);
            for (unsigned i = 0; i < n; i++) {
                if (op & 0x40)
                    (void)address_space_ld(&io_as, port, sz > 2 ? 2 : sz, NULL);
                else
                    address_space_st(&io_as, port, v + i, sz > 2 ? 2 : sz);
            }
            break;
        }
        case 12:                                 /* the screen is drawn */
            console_refresh(console_default());
            break;
        case 13:                                 /* a machine reset mid-program */
            devices_reset_all();
            fuzz_pci_setup();
            break;
        default:                                 /* let timers fire */
            timers_run_expired();
            break;
        }
    }
    return 0;
}
