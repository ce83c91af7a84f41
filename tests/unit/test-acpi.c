/* test-acpi.c: PIIX4 PM registers (SCI, PM timer, S5) and the ACPI tables, run through a
 * table-loader the way the firmware runs it; the DSDT is checked by iasl when available. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/acpi/piix4_pm.h"
#include "hw/acpi/acpi_build.h"

static PCIBus *bus;
static PIIX4PMState *pm;
#define PM_DEVFN PCI_DEVFN(1, 3)

static void setup(void)
{
    hwt_board_init(1 * MiB);
    bus = pci_bus_new("pci.0", &hwt_mem, &hwt_io);
    clock_virtual_stop();
    pm = piix4_pm_create(NULL);
    cr_assert_not_null(pm);
    /* What SeaBIOS's piix4_pm_setup does. */
    pci_config_write(bus, PM_DEVFN, 0x40, ACPI_PM_BASE | 1, 4);
    pci_config_write(bus, PM_DEVFN, 0x80, 0x01, 1);
}

TestSuite(acpi, .init = setup);

Test(acpi, pci_identity_and_io_enable)
{
    cr_assert_eq(pci_config_read(bus, PM_DEVFN, 0, 4), 0x71138086);
    cr_assert_eq(pci_config_read(bus, PM_DEVFN, 0x40, 4), ACPI_PM_BASE | 1);
    cr_assert_eq(inw(ACPI_PM_BASE + 4), 0);
    pci_config_write(bus, PM_DEVFN, 0x80, 0x00, 1);       /* PMIOSE off */
    cr_assert_eq(inw(ACPI_PM_BASE + 4), 0xffff, "decoding disabled");
    pci_config_write(bus, PM_DEVFN, 0x40, 0xb001, 4);
    pci_config_write(bus, PM_DEVFN, 0x80, 0x01, 1);
    outb(0xb2, ACPI_ENABLE_CMD);
    cr_assert_eq(inw(0xb004) & 1, 1, "moved to 0xb000");
}

Test(acpi, pm_timer)
{
    int64_t ns = clock_ns(CLOCK_VIRTUAL);
    uint32_t expect = (uint32_t)((unsigned __int128)ns * ACPI_PM_TMR_FREQ / NS_PER_SEC) & 0xffffff;
    cr_assert_eq(inl(ACPI_PM_BASE + 8), expect);
    cr_assert_eq(inb(ACPI_PM_BASE + 11), 0, "24-bit counter");
    /* A toggle of bit 23 since the last look sets TMR_STS; with TMR_EN and SCI_EN, an SCI. */
    outb(0xb2, ACPI_ENABLE_CMD);
    outw(ACPI_PM_BASE + 2, ACPI_BITMASK_TIMER_STATUS);
    pm->tmr_overflow_seen--;
    cr_assert(inw(ACPI_PM_BASE) & ACPI_BITMASK_TIMER_STATUS);
    outw(ACPI_PM_BASE + 2, ACPI_BITMASK_TIMER_STATUS);    /* recompute the SCI */
    cr_assert_eq(hwt_line[ACPI_SCI_IRQ], 1);
    outw(ACPI_PM_BASE, ACPI_BITMASK_TIMER_STATUS);        /* write one to clear */
    cr_assert_eq(hwt_line[ACPI_SCI_IRQ], 0);
    cr_assert(timer_pending(pm->tmr_timer), "wakes at the next toggle");
}

Test(acpi, sci_needs_acpi_mode)
{
    outw(ACPI_PM_BASE + 2, ACPI_BITMASK_POWER_BUTTON_STATUS);
    piix4_pm_power_button(pm);
    cr_assert_eq(hwt_line[ACPI_SCI_IRQ], 0, "legacy mode: no SCI");
    outb(0xb2, ACPI_ENABLE_CMD);
    cr_assert_eq(inw(ACPI_PM_BASE + 4) & ACPI_BITMASK_SCI_ENABLE, 1);
    cr_assert_eq(hwt_line[ACPI_SCI_IRQ], 1);
    outb(ACPI_PM_BASE + 1, ACPI_BITMASK_POWER_BUTTON_STATUS >> 8);   /* byte-wide W1C */
    cr_assert_eq(hwt_line[ACPI_SCI_IRQ], 0);
    outb(0xb2, ACPI_DISABLE_CMD);
    cr_assert_eq(inw(ACPI_PM_BASE + 4) & ACPI_BITMASK_SCI_ENABLE, 0);
    /* GPE0 */
    outb(0xb2, ACPI_ENABLE_CMD);
    pm->gpe_sts = 2;
    outw(ACPI_PM_BASE + 0x0e, 2);
    cr_assert_eq(hwt_line[ACPI_SCI_IRQ], 1);
    outw(ACPI_PM_BASE + 0x0c, 2);
    cr_assert_eq(hwt_line[ACPI_SCI_IRQ], 0);
}

Test(acpi, s5_powers_off)
{
    outw(ACPI_PM_BASE + 4, (PIIX4_SLP_TYP_S3 << 10) | ACPI_BITMASK_SLEEP_ENABLE);
    cr_assert_eq(hwt_shutdowns, 0, "S3 is not power-off");
    outw(ACPI_PM_BASE + 4, (PIIX4_SLP_TYP_S5 << 10));
    cr_assert_eq(hwt_shutdowns, 0, "SLP_TYP alone does nothing");
    cr_assert_eq(inw(ACPI_PM_BASE + 4) & ACPI_BITMASK_SLEEP_ENABLE, 0, "SLP_EN reads 0");
    outw(ACPI_PM_BASE + 4, (PIIX4_SLP_TYP_S5 << 10) | ACPI_BITMASK_SLEEP_ENABLE);
    cr_assert_eq(hwt_shutdowns, 1);
    cr_assert_eq(hwt_exit_status, 0);
}

/* ---- tables, placed and linked by a table-loader as the firmware does ---- */

typedef struct LoadedFile {
    const char *name;
    uint8_t *data;
    uint32_t len;
    uint64_t addr;
} LoadedFile;

static LoadedFile files[2];

static LoadedFile *lf(FWCfgState *fw, const char *name)
{
    for (int i = 0; i < 2; i++)
        if (files[i].name && !strcmp(files[i].name, name))
            return &files[i];
    return NULL;
}

static uint8_t sum(const uint8_t *p, uint32_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

static void run_loader(FWCfgState *fw)
{
    const FWCfgEntry *script = fw_cfg_find_file(fw, "etc/table-loader");
    cr_assert_not_null(script);
    cr_assert_eq(script->len % 128, 0);
    int nalloc = 0;
    for (uint32_t off = 0; off < script->len; off += 128) {
        const uint8_t *c = script->data + off;
        uint32_t cmd = ld32(c);
        if (cmd == BIOS_LINKER_LOADER_COMMAND_ALLOCATE) {
            const FWCfgEntry *e = fw_cfg_find_file(fw, (const char *)c + 4);
            cr_assert_not_null(e, "allocated file %s exists", c + 4);
            uint32_t align = ld32(c + 60);
            uint8_t zone = c[64];
            LoadedFile *f = &files[nalloc++];
            f->name = e->name;
            f->data = xmalloc(e->len);
            memcpy(f->data, e->data, e->len);
            f->len = e->len;
            f->addr = zone == BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG ? 0xf5a40 : 0x7fe0000;
            cr_assert_eq(f->addr % align, 0);
        } else if (cmd == BIOS_LINKER_LOADER_COMMAND_ADD_POINTER) {
            LoadedFile *d = lf(fw, (const char *)c + 4), *s = lf(fw, (const char *)c + 60);
            uint32_t o = ld32(c + 116);
            uint8_t size = c[120];
            cr_assert(d && s && o + size <= d->len);
            uint64_t v = 0;
            memcpy(&v, d->data + o, size);
            cr_assert_lt(v, s->len, "pointer is an offset into the source file");
            v += s->addr;
            memcpy(d->data + o, &v, size);
        } else if (cmd == BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM) {
            LoadedFile *f = lf(fw, (const char *)c + 4);
            uint32_t o = ld32(c + 60), start = ld32(c + 64),
                     len = ld32(c + 68);
            cr_assert(f && start + len <= f->len && o < f->len);
            f->data[o] -= sum(f->data + start, len);
        } else {
            cr_assert_fail("unknown loader command %u", cmd);
        }
    }
}

static uint8_t *table_at(uint64_t addr)
{
    LoadedFile *t = &files[1];
    cr_assert(addr >= t->addr && addr < t->addr + t->len, "0x%lx inside the tables", (long)addr);
    return t->data + (addr - t->addr);
}

Test(acpi, tables_link_and_checksum)
{
    FWCfgState *fw = fw_cfg_create(NULL);
    AcpiBuildConfig cfg = { .ncpus = 2, .ram_below_4g = 128 * MiB, .have_ioapic = true,
                            .have_hpet = true, .pirq_irq = { 10, 10, 11, 11 } };
    acpi_build_tables(fw, &cfg);
    run_loader(fw);
    LoadedFile *rsdp = lf(fw, "etc/acpi/rsdp");
    cr_assert_not_null(rsdp);
    cr_assert_eq(memcmp(rsdp->data, "RSD PTR ", 8), 0);
    cr_assert_eq(sum(rsdp->data, 20), 0, "RSDP checksum");
    cr_assert_eq(sum(rsdp->data, 36), 0, "RSDP extended checksum");
    uint8_t *rsdt = table_at(ld32(rsdp->data + 16));
    cr_assert_eq(memcmp(rsdt, "RSDT", 4), 0);
    uint32_t rlen = ld32(rsdt + 4);
    cr_assert_eq(sum(rsdt, rlen), 0);
    cr_assert_eq(rlen, 36 + 3 * 4, "FADT, MADT, HPET");
    uint8_t *xsdt = table_at(ld64(rsdp->data + 24));
    cr_assert_eq(memcmp(xsdt, "XSDT", 4), 0);
    cr_assert_eq(sum(xsdt, ld32(xsdt + 4)), 0);
    const char *sigs[3] = { "FACP", "APIC", "HPET" };
    uint8_t *fadt = NULL;
    for (int i = 0; i < 3; i++) {
        uint8_t *tbl = table_at(ld32(rsdt + 36 + 4 * i));
        cr_assert_eq(memcmp(tbl, sigs[i], 4), 0);
        cr_assert_eq(sum(tbl, ld32(tbl + 4)), 0, "%s checksum", sigs[i]);
        cr_assert_eq(ld64(xsdt + 36 + 8 * i), ld32(rsdt + 36 + 4 * i));
        if (i == 0)
            fadt = tbl;
    }
    cr_assert_eq(ld32(fadt + 4), 116);
    cr_assert_eq(ld16(fadt + 46), ACPI_SCI_IRQ);
    cr_assert_eq(ld32(fadt + 64), ACPI_PM_BASE + 4, "PM1a_CNT_BLK");
    cr_assert_eq(ld32(fadt + 76), ACPI_PM_BASE + 8, "PM_TMR_BLK");
    uint8_t *facs = table_at(ld32(fadt + 36));
    cr_assert_eq(memcmp(facs, "FACS", 4), 0);
    cr_assert_eq((ld32(fadt + 36)) % 64, 0, "FACS 64-byte aligned");
    uint8_t *dsdt = table_at(ld32(fadt + 40));
    cr_assert_eq(memcmp(dsdt, "DSDT", 4), 0);
    uint32_t dlen = ld32(dsdt + 4);
    cr_assert_eq(sum(dsdt, dlen), 0);
    cr_assert_not_null(memmem(dsdt, dlen, "_S5_", 4));
    cr_assert_not_null(memmem(dsdt, dlen, "_PRT", 4));

    /* iasl, the ACPI reference compiler, must be able to disassemble the DSDT. */
    if (system("command -v iasl >/dev/null 2>&1") != 0) {
        cr_log_warn("iasl not installed: DSDT disassembly check SKIPPED");
        return;
    }
    char dir[] = "/tmp/vireo-acpi-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128], cmd[512];
    snprintf(path, sizeof(path), "%s/dsdt.dat", dir);
    FILE *f = fopen(path, "wb");
    fwrite(dsdt, 1, dlen, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "cd %s && iasl -d dsdt.dat >log 2>&1 && "
             "grep -q 'PNP0A03' dsdt.dsl && grep -q '_S5_' dsdt.dsl && "
             "grep -q 'Package (0x7C)' dsdt.dsl", dir);
    int rc = system(cmd);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(rc, 0, "iasl disassembles the DSDT with the host bridge, _PRT and _S5");
    (void)system(cmd);
}

Test(acpi, fuzz_ports)
{
    outb(0xb2, ACPI_ENABLE_CMD);
    for (unsigned seed = 1; seed < 40; seed++) {
        /* Random writes may well request S5: the board hook only counts it here. */
        hwt_fuzz_ports(ACPI_PM_BASE, ACPI_PM_BASE + 64, 300, seed);
        hwt_fuzz_ports(0xb2, 0xb4, 20, seed);
        pci_config_write(bus, PM_DEVFN, seed & 0xfc, seed * 0x01010101u, 4);
    }
    pm->pci.dev.cls->reset(&pm->pci.dev);
    cr_assert_eq(hwt_line[ACPI_SCI_IRQ], 0);
}

Test(acpi, smm_marked_done)
{
    /* Firmware must not try an SMM relocation we cannot run (it would spin on port 0xb3). */
    cr_assert(pci_config_read(bus, PM_DEVFN, 0x58, 4) & (1u << 25));
}
