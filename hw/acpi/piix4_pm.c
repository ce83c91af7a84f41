/* piix4_pm.c: PIIX4 ACPI power management function — PM1, PM timer, GPE0, SCI, S5 power-off. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/acpi/piix4_pm.h"

/* 82371AB datasheet, 7.x: PCI configuration of function 3. */
#define PIIX4_PMBA       0x40    /* PM base address (I/O, 64 bytes) */
#define PIIX4_PMREGMISC  0x80    /* bit 0: PMIOSE, PM I/O space enable */
#define PIIX4_SMBBA      0x90

static uint64_t pm_ticks(void)
{
    int64_t ns = clock_ns(CLOCK_VIRTUAL);
    return (uint64_t)((unsigned __int128)(ns < 0 ? 0 : ns) * ACPI_PM_TMR_FREQ / NS_PER_SEC);
}

uint32_t piix4_pm_timer(PIIX4PMState *s)
{
    return pm_ticks() & 0xffffff;
}

/* TMR_STS is set whenever bit 23 of the counter toggles (ACPI 4.8.3.3). */
static void pm_catch_up_timer(PIIX4PMState *s)
{
    int64_t toggles = pm_ticks() >> 23;
    if (toggles != s->tmr_overflow_seen) {
        s->tmr_overflow_seen = toggles;
        s->pm1_sts |= ACPI_BITMASK_TIMER_STATUS;
    }
}

static void pm_update_sci(PIIX4PMState *s)
{
    pm_catch_up_timer(s);
    uint16_t fixed = ACPI_BITMASK_TIMER_STATUS | ACPI_BITMASK_GLOBAL_LOCK_STATUS |
                     ACPI_BITMASK_POWER_BUTTON_STATUS | ACPI_BITMASK_RT_CLOCK_STATUS;
    bool level = (s->pm1_sts & s->pm1_en & fixed) || (s->gpe_sts & s->gpe_en);
    /* The SCI only reaches the interrupt controller in ACPI mode (SCI_EN). */
    level = level && (s->pm1_cnt & ACPI_BITMASK_SCI_ENABLE);
    if (level != s->sci_level) {
        s->sci_level = level;
        irq_set(s->sci, level);
    }
    /* Wake at the next toggle of bit 23 if the guest wants the timer interrupt. */
    if (s->pm1_en & ACPI_BITMASK_TIMER_STATUS) {
        uint64_t next = ((pm_ticks() >> 23) + 1) << 23;
        timer_mod(s->tmr_timer, (int64_t)(((unsigned __int128)next * NS_PER_SEC +
                                           ACPI_PM_TMR_FREQ - 1) / ACPI_PM_TMR_FREQ));
    } else {
        timer_del(s->tmr_timer);
    }
}

static void pm_tmr_cb(void *opaque)
{
    pm_update_sci(opaque);
}

static void pm_sleep(PIIX4PMState *s, int typ)
{
    switch (typ) {
    case PIIX4_SLP_TYP_S5:
        qlog(LOG_GUEST_ERRORS, "acpi: S5 (soft off) requested by the guest\n");
        if (board.request_shutdown)
            board.request_shutdown(0);
        break;
    default:
        /* Sleep states that keep memory (S1-S4) need the machine to stop and wake up. */
        /* Said once on stderr (a guest could ask in a loop), then under -d unimp. */
        if (!s->sleep_warned)
            error_report("acpi: guest requested sleep type %d; only S5 (power off) is implemented",
                         typ);
        else
            qlog(LOG_UNIMP, "acpi: sleep type %d not implemented\n", typ);
        s->sleep_warned = true;
        s->pm1_sts |= ACPI_BITMASK_WAKE_STATUS;
        break;
    }
}

/* Byte-wise register image of the PM I/O block (PIIX4 datasheet 7.2). */
static uint8_t pm_read_byte(PIIX4PMState *s, unsigned off)
{
    uint32_t v;
    switch (off & ~1u) {
    case 0x00: v = s->pm1_sts; break;
    case 0x02: v = s->pm1_en; break;
    case 0x04: v = s->pm1_cnt & ~ACPI_BITMASK_SLEEP_ENABLE; break;
    case 0x08: return piix4_pm_timer(s) >> (8 * (off - 8));
    case 0x0a: return off == 0x0a ? piix4_pm_timer(s) >> 16 : 0;
    case 0x0c: v = s->gpe_sts; break;
    case 0x0e: v = s->gpe_en; break;
    default: return 0;
    }
    return v >> (8 * (off & 1));
}

static uint64_t pm_io_read(void *opaque, uint64_t off, unsigned size)
{
    PIIX4PMState *s = opaque;
    pm_catch_up_timer(s);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)pm_read_byte(s, off + i) << (8 * i);
    return v;
}

static void pm_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PIIX4PMState *s = opaque;
    pm_catch_up_timer(s);
    for (unsigned i = 0; i < size; i++) {
        unsigned o = off + i;
        uint16_t b = (val >> (8 * i)) & 0xff;
        uint16_t shifted = b << (8 * (o & 1));
        uint16_t mask = 0xff << (8 * (o & 1));
        switch (o & ~1u) {
        case 0x00:               /* PM1_STS: write one to clear */
            s->pm1_sts &= ~shifted;
            break;
        case 0x02:
            s->pm1_en = (s->pm1_en & ~mask) | shifted;
            break;
        case 0x04:
            s->pm1_cnt = (s->pm1_cnt & ~mask) | (shifted & ~ACPI_BITMASK_SLEEP_ENABLE);
            if (shifted & ACPI_BITMASK_SLEEP_ENABLE)
                pm_sleep(s, (s->pm1_cnt & ACPI_BITMASK_SLEEP_TYPE) >> 10);
            break;
        case 0x0c:
            s->gpe_sts &= ~shifted;
            break;
        case 0x0e:
            s->gpe_en = (s->gpe_en & ~mask) | shifted;
            break;
        default:
            break;               /* the timer and the rest are read-only here */
        }
    }
    pm_update_sci(s);
}

static const MemoryRegionOps pm_io_ops = {
    .read = pm_io_read, .write = pm_io_write, .min_size = 1, .max_size = 4,
};

/* APM control (0xb2) and status (0xb3): without SMM, the ACPI enable/disable commands the FADT
 * names act directly on SCI_EN (what the SMI handler would do). */
static uint64_t apm_read(void *opaque, uint64_t off, unsigned size)
{
    PIIX4PMState *s = opaque;
    return off == 0 ? s->apm_cnt : s->apm_sts;
}

static void apm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PIIX4PMState *s = opaque;
    if (off == 1) {
        s->apm_sts = val;
        return;
    }
    s->apm_cnt = val;
    if (val == ACPI_ENABLE_CMD)
        s->pm1_cnt |= ACPI_BITMASK_SCI_ENABLE;
    else if (val == ACPI_DISABLE_CMD)
        s->pm1_cnt &= ~ACPI_BITMASK_SCI_ENABLE;
    pm_update_sci(s);
}

static const MemoryRegionOps apm_ops = {
    .read = apm_read, .write = apm_write, .min_size = 1, .max_size = 1,
};

static void pm_update_io_mapping(PIIX4PMState *s)
{
    uint32_t base = pci_get_long(s->pci.config + PIIX4_PMBA) & 0xffc0;
    bool on = (s->pci.config[PIIX4_PMREGMISC] & 1) && base;
    memory_transaction_begin();
    memory_region_set_address(&s->io, base);
    memory_region_set_enabled(&s->io, on);
    memory_transaction_commit();
}

static void pm_config_write(PCIDevice *d, uint32_t addr, uint32_t val, unsigned len)
{
    pci_default_config_write(d, addr, val, len);
    if ((addr < PIIX4_PMBA + 4 && addr + len > PIIX4_PMBA) ||
        (addr <= PIIX4_PMREGMISC && addr + len > PIIX4_PMREGMISC))
        pm_update_io_mapping((PIIX4PMState *)d);
}

void piix4_pm_power_button(PIIX4PMState *s)
{
    s->pm1_sts |= ACPI_BITMASK_POWER_BUTTON_STATUS;
    pm_update_sci(s);
}

static void piix4_pm_reset(Device *dev)
{
    PIIX4PMState *s = (PIIX4PMState *)dev;
    pci_device_reset(&s->pci);
    pci_set_long(s->pci.config + PIIX4_PMBA, 1);    /* bit 0: I/O space indicator */
    s->pci.config[PIIX4_PMREGMISC] = 0;
    pci_set_long(s->pci.config + PIIX4_SMBBA, 1);
    s->pci.config[PCI_INTERRUPT_LINE] = ACPI_SCI_IRQ;
    /* DEVACTB APMC_EN (0x58 bit 25) reads as set: SMM is not modelled, and firmware that
     * sees it set skips its SMM relocation (SeaBIOS piix4_apmc_smm_setup, as on QEMU). */
    s->pci.config[0x5b] = 0x02;
    s->pm1_sts = s->pm1_en = s->pm1_cnt = 0;
    s->gpe_sts = s->gpe_en = 0;
    s->apm_cnt = s->apm_sts = 0;
    s->tmr_overflow_seen = pm_ticks() >> 23;
    s->sci_level = false;
    irq_set(s->sci, 0);
    pm_update_io_mapping(s);
    pm_update_sci(s);
}

static bool piix4_pm_realize(Device *dev, Error **errp)
{
    PIIX4PMState *s = (PIIX4PMState *)dev;
    static const PCIDeviceInfo info = {
        .vendor_id = 0x8086, .device_id = 0x7113, .revision = 0x03, .class_code = 0x068000,
        .interrupt_pin = 1,
    };
    if (!pci_device_realize(&s->pci, "piix4-pm", &info, PCI_DEVFN(1, 3), errp))
        return false;
    s->pci.config_write = pm_config_write;
    memset(s->pci.wmask + 0x40, 0xff, 0xc0);
    pci_set_long(s->pci.wmask + PIIX4_PMBA, 0xffc0);
    pci_set_long(s->pci.wmask + PIIX4_SMBBA, 0xfff0);
    s->sci = isa_get_irq(ACPI_SCI_IRQ);
    s->tmr_timer = timer_new(CLOCK_VIRTUAL, pm_tmr_cb, s);
    memory_region_init_io(&s->io, "piix4-pm", &pm_io_ops, s, 64);
    memory_region_set_enabled(&s->io, false);
    memory_region_add_subregion(board.system_io, 0, &s->io);
    memory_region_init_io(&s->apm_io, "apm", &apm_ops, s, 2);
    memory_region_add_subregion(board.system_io, APM_CNT_PORT, &s->apm_io);
    piix4_pm_reset(dev);
    return true;
}

static const DeviceProp piix4_pm_props[] = {
    PCI_PROP_ADDR(PIIX4PMState),
    PROP_END,
};

static const DeviceClass piix4_pm_class = {
    .name = "PIIX4_PM", .desc = "PIIX4 ACPI power management (function 3)", .bus = "pci",
    .size = sizeof(PIIX4PMState), .props = piix4_pm_props,
    .realize = piix4_pm_realize, .reset = piix4_pm_reset,
};
DEVICE_CLASS_REGISTER(piix4_pm_class);

PIIX4PMState *piix4_pm_create(Error **errp)
{
    PIIX4PMState *s = (PIIX4PMState *)device_new("PIIX4_PM", errp);
    if (!s || !device_realize(&s->pci.dev, errp))
        return NULL;
    return s;
}
