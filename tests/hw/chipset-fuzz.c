/* chipset-fuzz.c: libFuzzer harness for the pc chipset's register interfaces. Each input is a
 * program of port and MMIO accesses, interrupt line changes, acknowledges, input events and
 * timer runs against one chipset (PIC, PIT, RTC, i8042, i440FX/PIIX, fw_cfg, ACPI PM, local
 * and I/O APIC, HPET), reset between inputs. Whatever the guest writes must not crash. */
#include "util/osdep.h"
#include "hw/core/board.h"
#include "hw/core/device.h"
#include "hw/pc/chipset.h"

static MemoryRegion sysmem, sysio, ram, bios;
static AddressSpace mem_as, io_as;
static PCChipset *cs;
static unsigned resets, shutdowns;

static void fz_reset(void) { resets++; }
static void fz_shutdown(int status) { (void)status; shutdowns++; }
static void fz_a20(bool on) { (void)on; }
static void fz_intr(void *opaque, int n, int level) { (void)opaque; (void)n; (void)level; }

/* Ports worth hitting; other inputs pick any 16-bit port. */
static const uint16_t ports[] = {
    0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x60, 0x64, 0x70, 0x71,
    0x80, 0x92, 0xb2, 0xb3, 0xcf8, 0xcf9, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff, 0x510, 0x511,
    0x514, 0x518, 0x600, 0x602, 0x604, 0x608, 0x60c, 0x60e,
};
static const uint64_t mmio[] = { APIC_DEFAULT_BASE, IOAPIC_DEFAULT_BASE, HPET_BASE, 0xa0000,
                                 0xc0000, 0xf0000, 0xe0000 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    memory_region_init_container(&sysmem, "system", UINT64_MAX);
    memory_region_init_container(&sysio, "io", 0x10000);
    address_space_init(&mem_as, &sysmem, "memory");
    address_space_init(&io_as, &sysio, "io");
    board.system_memory = &sysmem;
    board.system_io = &sysio;
    board.memory_as = &mem_as;
    board.io_as = &io_as;
    board.request_reset = fz_reset;
    board.request_shutdown = fz_shutdown;
    board.set_a20 = fz_a20;
    memory_region_init_ram(&ram, "pc.ram", 16 * MiB);
    memory_region_init_rom(&bios, "pc.bios", 64 * KiB);
    PCChipsetConfig cfg = {
        .ram = &ram, .ram_below_4g = 16 * MiB, .bios = &bios, .ncpus = 2,
        .cpu_intr = irq_alloc_lines(fz_intr, NULL, 1), .apic = true, .rtc = "base=2020-02-02,clock=vm",
    };
    Error *err = NULL;
    cs = pc_chipset_create(&cfg, &err);
    if (!cs) {
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    devices_reset_all();
    while (p < end) {
        uint8_t op = *p++;
        unsigned sz = 1u << ((op >> 3) & 3);
        switch (op & 7) {
        case 0: case 1: {                        /* port write/read */
            uint8_t sel = take(&p, end, 1);
            uint16_t port = sel < ARRAY_SIZE(ports) * 6 ? ports[sel % ARRAY_SIZE(ports)]
                                                        : take(&p, end, 2);
            if (sz > 4)
                sz = 4;
            if (op & 1)
                (void)address_space_ld(&io_as, port, sz, NULL);
            else
                address_space_st(&io_as, port, take(&p, end, sz), sz);
            break;
        }
        case 2: case 3: {                        /* MMIO write/read */
            uint64_t a = mmio[take(&p, end, 1) % ARRAY_SIZE(mmio)] + (take(&p, end, 2) & 0xffc);
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
        default:                                 /* let timers fire */
            timers_run_expired();
            break;
        }
    }
    return 0;
}
