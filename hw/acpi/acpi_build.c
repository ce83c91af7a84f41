/* acpi_build.c: ACPI tables (RSDP, RSDT, XSDT, FADT, FACS, DSDT in AML, MADT, HPET) and the
 * table-loader script that tells the firmware how to place and link them. */
#include "util/osdep.h"
#include "hw/acpi/acpi_build.h"
#include "hw/acpi/piix4_pm.h"

typedef struct Buf {
    uint8_t *d;
    size_t len, cap;
} Buf;

static void buf_put(Buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = MAX(b->cap * 2, b->len + n + 64);
        b->d = xrealloc(b->d, b->cap);
    }
    memcpy(b->d + b->len, p, n);
    b->len += n;
}

static void b1(Buf *b, uint8_t v) { buf_put(b, &v, 1); }
static void b2(Buf *b, uint16_t v) { b1(b, v); b1(b, v >> 8); }
static void b4(Buf *b, uint32_t v) { b2(b, v); b2(b, v >> 16); }
static void b8(Buf *b, uint64_t v) { b4(b, v); b4(b, v >> 32); }
static void buf_zero(Buf *b, size_t n) { while (n--) b1(b, 0); }
static void buf_free(Buf *b) { free(b->d); b->d = NULL; b->len = b->cap = 0; }

static void put_le32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }

/* ---- AML (ACPI 6.x, chapter 20) ---- */

/* PkgLength covers itself and what follows (20.2.4). */
static void aml_pkglen(Buf *b, size_t content)
{
    if (content + 1 < 0x40) {
        b1(b, content + 1);
    } else if (content + 2 < 0x1000) {
        size_t t = content + 2;
        b1(b, 0x40 | (t & 0xf));
        b1(b, t >> 4);
    } else if (content + 3 < 0x100000) {
        size_t t = content + 3;
        b1(b, 0x80 | (t & 0xf));
        b1(b, t >> 4);
        b1(b, t >> 12);
    } else {
        size_t t = content + 4;
        b1(b, 0xc0 | (t & 0xf));
        b1(b, t >> 4);
        b1(b, t >> 12);
        b1(b, t >> 20);
    }
}

/* A NameSeg: four characters, padded with '_'. */
static void aml_nameseg(Buf *b, const char *s)
{
    char seg[4] = { '_', '_', '_', '_' };
    memcpy(seg, s, MIN(strlen(s), 4));
    buf_put(b, seg, 4);
}

static void aml_int(Buf *b, uint64_t v)
{
    if (v == 0) {
        b1(b, 0x00);             /* ZeroOp */
    } else if (v == 1) {
        b1(b, 0x01);             /* OneOp */
    } else if (v <= 0xff) {
        b1(b, 0x0a);             /* BytePrefix */
        b1(b, v);
    } else if (v <= 0xffff) {
        b1(b, 0x0b);             /* WordPrefix */
        b2(b, v);
    } else if (v <= 0xffffffffu) {
        b1(b, 0x0c);             /* DWordPrefix */
        b4(b, v);
    } else {
        b1(b, 0x0e);             /* QWordPrefix */
        b8(b, v);
    }
}

/* EISAID("PNP0A03"): three compressed letters and four hex digits, as a DWord (19.6.35). */
static void aml_eisaid(Buf *b, const char *id)
{
    uint16_t letters = ((id[0] - 0x40) << 10) | ((id[1] - 0x40) << 5) | (id[2] - 0x40);
    uint16_t product = (uint16_t)strtoul(id + 3, NULL, 16);
    b1(b, 0x0c);
    b1(b, letters >> 8);
    b1(b, letters);
    b1(b, product >> 8);
    b1(b, product);
}

/* Name(seg, <data already encoded in `val`>) */
static void aml_name(Buf *b, const char *seg, const Buf *val)
{
    b1(b, 0x08);                 /* NameOp */
    aml_nameseg(b, seg);
    buf_put(b, val->d, val->len);
}

static void aml_name_int(Buf *b, const char *seg, uint64_t v)
{
    Buf t = { 0 };
    aml_int(&t, v);
    aml_name(b, seg, &t);
    buf_free(&t);
}

static void aml_name_eisaid(Buf *b, const char *seg, const char *id)
{
    Buf t = { 0 };
    aml_eisaid(&t, id);
    aml_name(b, seg, &t);
    buf_free(&t);
}

/* Buffer (used for ResourceTemplate): BufferOp PkgLength BufferSize bytes; the resource data
 * ends with an End Tag (6.4.2.9). */
static void aml_name_resources(Buf *b, const char *seg, const Buf *res)
{
    Buf body = { 0 }, t = { 0 };
    aml_int(&body, res->len + 2);
    buf_put(&body, res->d, res->len);
    b1(&body, 0x79);             /* End Tag */
    b1(&body, 0x00);
    b1(&t, 0x11);                /* BufferOp */
    aml_pkglen(&t, body.len);
    buf_put(&t, body.d, body.len);
    aml_name(b, seg, &t);
    buf_free(&body);
    buf_free(&t);
}

/* Device(name) { body } */
static void aml_device(Buf *b, const char *seg, const Buf *body)
{
    b1(b, 0x5b);                 /* ExtOpPrefix */
    b1(b, 0x82);                 /* DeviceOp */
    aml_pkglen(b, 4 + body->len);
    aml_nameseg(b, seg);
    buf_put(b, body->d, body->len);
}

/* Scope(\seg) { body } */
static void aml_scope_root(Buf *b, const char *seg, const Buf *body)
{
    b1(b, 0x10);                 /* ScopeOp */
    aml_pkglen(b, 5 + body->len);
    b1(b, '\\');
    aml_nameseg(b, seg);
    buf_put(b, body->d, body->len);
}

/* Package() { elements (already encoded) } */
static void aml_package(Buf *b, int n, const Buf *elems)
{
    b1(b, 0x12);                 /* PackageOp */
    aml_pkglen(b, 1 + elems->len);
    b1(b, n);
    buf_put(b, elems->d, elems->len);
}

/* Resource descriptors (6.4). */
static void res_io(Buf *r, uint16_t port, uint8_t len)
{
    b1(r, 0x47);                 /* I/O port descriptor, 16-bit decode */
    b1(r, 0x01);
    b2(r, port);
    b2(r, port);
    b1(r, 1);
    b1(r, len);
}

static void res_irq(Buf *r, int irq)
{
    b1(r, 0x22);                 /* IRQ descriptor, no flags: edge, active high */
    b2(r, 1u << irq);
}

static void res_word_range(Buf *r, uint8_t type, uint16_t min, uint16_t max)
{
    b1(r, 0x88);                 /* Word Address Space Descriptor */
    b2(r, 13);
    b1(r, type);                 /* 1 I/O, 2 bus number */
    b1(r, 0x0c);                 /* MinFixed, MaxFixed, positive decode, producer */
    b1(r, type == 1 ? 0x03 : 0x00);   /* I/O: ISA and non-ISA ranges */
    b2(r, 0);                    /* granularity */
    b2(r, min);
    b2(r, max);
    b2(r, 0);                    /* translation */
    b2(r, max - min + 1);
}

static void res_dword_memory(Buf *r, uint32_t min, uint32_t max)
{
    b1(r, 0x87);                 /* DWord Address Space Descriptor */
    b2(r, 23);
    b1(r, 0);                    /* memory */
    b1(r, 0x0c);
    b1(r, 0x03);                 /* cacheable, read/write */
    b4(r, 0);
    b4(r, min);
    b4(r, max);
    b4(r, 0);
    b4(r, max - min + 1);
}

static void res_memory32_fixed(Buf *r, uint32_t base, uint32_t len)
{
    b1(r, 0x86);
    b2(r, 9);
    b1(r, 0);                    /* read-only decode */
    b4(r, base);
    b4(r, len);
}

static void build_dsdt_body(Buf *aml, const AcpiBuildConfig *cfg)
{
    Buf pci = { 0 }, res = { 0 }, prt = { 0 }, isa = { 0 }, dev = { 0 };

    aml_name_eisaid(&pci, "_HID", "PNP0A03");
    aml_name_int(&pci, "_ADR", 0);
    aml_name_int(&pci, "_UID", 0);
    /* Host bridge windows: all buses, I/O around the config ports, legacy VGA memory and the
     * PCI hole from the top of low RAM to the I/O APIC area. */
    res_word_range(&res, 2, 0x00, 0xff);
    res_io(&res, 0xcf8, 8);
    res_word_range(&res, 1, 0x0000, 0x0cf7);
    res_word_range(&res, 1, 0x0d00, 0xffff);
    res_dword_memory(&res, 0xa0000, 0xbffff);
    uint32_t hole = (uint32_t)MIN(cfg->ram_below_4g, 0xe0000000ULL);
    res_dword_memory(&res, hole, 0xfebfffff);
    aml_name_resources(&pci, "_CRS", &res);
    buf_free(&res);

    /* _PRT: every slot's INTA-D through the PIIX swizzle to the ISA IRQ of its PIRQ. A static
     * table (no link devices), so it matches the firmware's PIRQ programming. */
    int n = 0;
    for (int slot = 1; slot < 32; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            Buf e = { 0 };
            aml_int(&e, ((uint32_t)slot << 16) | 0xffff);
            aml_int(&e, pin);
            aml_int(&e, 0);
            aml_int(&e, cfg->pirq_irq[(slot + pin) & 3]);
            aml_package(&prt, 4, &e);
            buf_free(&e);
            n++;
        }
    }
    /* More than 255 elements would need VarPackageOp; 124 fit a Package. */
    Buf prtpkg = { 0 };
    b1(&prtpkg, 0x12);
    aml_pkglen(&prtpkg, 1 + prt.len);
    b1(&prtpkg, n);
    buf_put(&prtpkg, prt.d, prt.len);
    aml_name(&pci, "_PRT", &prtpkg);
    buf_free(&prt);
    buf_free(&prtpkg);

    /* The ISA bridge and the PnP devices on it, for OS drivers that enumerate through ACPI. */
    aml_name_int(&isa, "_ADR", 0x00010000);
    aml_name_eisaid(&dev, "_HID", "PNP0B00");
    res_io(&res, 0x70, 8);
    res_irq(&res, 8);
    aml_name_resources(&dev, "_CRS", &res);
    aml_device(&isa, "RTC", &dev);
    buf_free(&res); buf_free(&dev);
    aml_name_eisaid(&dev, "_HID", "PNP0303");
    res_io(&res, 0x60, 1);
    res_io(&res, 0x64, 1);
    res_irq(&res, 1);
    aml_name_resources(&dev, "_CRS", &res);
    aml_device(&isa, "KBD", &dev);
    buf_free(&res); buf_free(&dev);
    aml_name_eisaid(&dev, "_HID", "PNP0F13");
    res_irq(&res, 12);
    aml_name_resources(&dev, "_CRS", &res);
    aml_device(&isa, "MOU", &dev);
    buf_free(&res); buf_free(&dev);
    if (cfg->have_hpet) {
        aml_name_eisaid(&dev, "_HID", "PNP0103");
        res_memory32_fixed(&res, 0xfed00000, 0x400);
        aml_name_resources(&dev, "_CRS", &res);
        aml_device(&isa, "HPET", &dev);
        buf_free(&res); buf_free(&dev);
    }
    aml_device(&pci, "ISA", &isa);
    buf_free(&isa);

    Buf sb = { 0 };
    aml_device(&sb, "PCI0", &pci);
    aml_scope_root(aml, "_SB", &sb);
    buf_free(&sb);
    buf_free(&pci);

    /* \_S5: SLP_TYP for soft-off in PM1a/PM1b (7.4.2). */
    Buf s5 = { 0 }, zeros = { 0 };
    for (int i = 0; i < 4; i++)
        aml_int(&zeros, PIIX4_SLP_TYP_S5);
    aml_package(&s5, 4, &zeros);
    b1(aml, 0x08);
    b1(aml, '\\');
    aml_nameseg(aml, "_S5");
    buf_put(aml, s5.d, s5.len);
    buf_free(&s5);
    buf_free(&zeros);
}

/* ---- tables ---- */

/* The common header (5.2.6); the checksum is the loader's job. */
static void table_header(Buf *b, const char *sig, uint8_t rev)
{
    buf_put(b, sig, 4);
    b4(b, 0);                    /* length, patched by table_end */
    b1(b, rev);
    b1(b, 0);                    /* checksum */
    buf_put(b, "VIREO ", 6);
    buf_put(b, "VIREOPC ", 8);
    b4(b, 1);
    buf_put(b, "VIRE", 4);
    b4(b, 1);
}

static void table_end(Buf *b, size_t start)
{
    put_le32(b->d + start + 4, b->len - start);
}

static void align_to(Buf *b, size_t a)
{
    while (b->len % a)
        b1(b, 0);
}

typedef struct Linker {
    Buf cmds;
} Linker;

static void linker_name(Buf *b, const char *name)
{
    char n[FW_CFG_MAX_FILE_PATH] = { 0 };
    strncpy(n, name, sizeof(n) - 1);
    buf_put(b, n, sizeof(n));
}

static void linker_alloc(Linker *l, const char *file, uint32_t align, uint8_t zone)
{
    size_t start = l->cmds.len;
    b4(&l->cmds, BIOS_LINKER_LOADER_COMMAND_ALLOCATE);
    linker_name(&l->cmds, file);
    b4(&l->cmds, align);
    b1(&l->cmds, zone);
    buf_zero(&l->cmds, start + BIOS_LINKER_LOADER_ENTRY_SIZE - l->cmds.len);
}

/* The `size`-byte field at dest_file+offset holds an offset into src_file; add its address. */
static void linker_pointer(Linker *l, const char *dest, const char *src, uint32_t offset,
                           uint8_t size)
{
    size_t start = l->cmds.len;
    b4(&l->cmds, BIOS_LINKER_LOADER_COMMAND_ADD_POINTER);
    linker_name(&l->cmds, dest);
    linker_name(&l->cmds, src);
    b4(&l->cmds, offset);
    b1(&l->cmds, size);
    buf_zero(&l->cmds, start + BIOS_LINKER_LOADER_ENTRY_SIZE - l->cmds.len);
}

static void linker_checksum(Linker *l, const char *file, uint32_t offset, uint32_t start,
                            uint32_t length)
{
    size_t s = l->cmds.len;
    b4(&l->cmds, BIOS_LINKER_LOADER_COMMAND_ADD_CHECKSUM);
    linker_name(&l->cmds, file);
    b4(&l->cmds, offset);
    b4(&l->cmds, start);
    b4(&l->cmds, length);
    buf_zero(&l->cmds, s + BIOS_LINKER_LOADER_ENTRY_SIZE - l->cmds.len);
}

#define TABLES "etc/acpi/tables"
#define RSDP   "etc/acpi/rsdp"

static void table_checksum(Linker *l, Buf *t, size_t start)
{
    linker_checksum(l, TABLES, start + 9, start, t->len - start);
}

void acpi_build_tables(FWCfgState *fw, const AcpiBuildConfig *cfg)
{
    Buf t = { 0 }, rsdp = { 0 };
    Linker l = { { 0 } };
    size_t entries[8];
    int nentries = 0;
    int ncpus = cfg->ncpus > 0 ? cfg->ncpus : 1;

    linker_alloc(&l, RSDP, 16, BIOS_LINKER_LOADER_ALLOC_ZONE_FSEG);
    linker_alloc(&l, TABLES, 64, BIOS_LINKER_LOADER_ALLOC_ZONE_HIGH);

    /* FACS (5.2.10): 64-byte aligned, no checksum. */
    size_t facs = t.len;
    buf_put(&t, "FACS", 4);
    b4(&t, 64);
    buf_zero(&t, 56);

    /* DSDT */
    size_t dsdt = t.len;
    table_header(&t, "DSDT", 1);
    build_dsdt_body(&t, cfg);
    table_end(&t, dsdt);
    table_checksum(&l, &t, dsdt);

    /* FADT, revision 1 layout (116 bytes), the one QEMU's i440FX machine uses (5.2.9). */
    align_to(&t, 4);
    size_t fadt = t.len;
    entries[nentries++] = fadt;
    table_header(&t, "FACP", 1);
    b4(&t, facs);                /* FIRMWARE_CTRL: linked below */
    b4(&t, dsdt);                /* DSDT: linked below */
    b1(&t, 1);                   /* INT_MODEL (ACPI 1.0): multiple APIC */
    b1(&t, 0);                   /* Preferred_PM_Profile: unspecified */
    b2(&t, ACPI_SCI_IRQ);
    b4(&t, APM_CNT_PORT);        /* SMI_CMD */
    b1(&t, ACPI_ENABLE_CMD);
    b1(&t, ACPI_DISABLE_CMD);
    b1(&t, 0);                   /* S4BIOS_REQ */
    b1(&t, 0);                   /* PSTATE_CNT */
    b4(&t, ACPI_PM_BASE);        /* PM1a_EVT_BLK */
    b4(&t, 0);
    b4(&t, ACPI_PM_BASE + 4);    /* PM1a_CNT_BLK */
    b4(&t, 0);
    b4(&t, 0);                   /* PM2_CNT_BLK */
    b4(&t, ACPI_PM_BASE + 8);    /* PM_TMR_BLK */
    b4(&t, ACPI_PM_BASE + 0x0c); /* GPE0_BLK */
    b4(&t, 0);
    b1(&t, 4);                   /* PM1_EVT_LEN */
    b1(&t, 2);                   /* PM1_CNT_LEN */
    b1(&t, 0);
    b1(&t, 4);                   /* PM_TMR_LEN */
    b1(&t, 4);                   /* GPE0_BLK_LEN */
    b1(&t, 0);
    b1(&t, 0);
    b1(&t, 0);                   /* CST_CNT */
    b2(&t, 0x0fff);              /* P_LVL2_LAT: C2 not supported */
    b2(&t, 0x0fff);              /* P_LVL3_LAT: C3 not supported */
    b2(&t, 0);
    b2(&t, 0);
    b1(&t, 0);
    b1(&t, 0);
    b1(&t, 0);                   /* DAY_ALRM */
    b1(&t, 0);                   /* MON_ALRM */
    b1(&t, 0x32);                /* CENTURY: CMOS index */
    b2(&t, 0);                   /* IAPC_BOOT_ARCH (reserved in revision 1) */
    b1(&t, 0);
    /* Flags: WBINVD, PROC_C1, SLP_BUTTON (none), RTC_S4. */
    b4(&t, 0x01 | 0x04 | 0x20 | 0x80);
    table_end(&t, fadt);
    linker_pointer(&l, TABLES, TABLES, fadt + 36, 4);
    linker_pointer(&l, TABLES, TABLES, fadt + 40, 4);
    table_checksum(&l, &t, fadt);

    if (cfg->have_ioapic) {
        /* MADT (5.2.12): local APICs, the I/O APIC, ISA overrides, LINT1 as NMI. */
        size_t madt = t.len;
        entries[nentries++] = madt;
        table_header(&t, "APIC", 1);
        b4(&t, 0xfee00000);
        b4(&t, 1);               /* PCAT_COMPAT: dual 8259s present */
        for (int i = 0; i < ncpus; i++) {
            b1(&t, 0); b1(&t, 8); b1(&t, i); b1(&t, i); b4(&t, 1);
        }
        b1(&t, 1); b1(&t, 12); b1(&t, 0); b1(&t, 0); b4(&t, 0xfec00000); b4(&t, 0);
        /* IRQ0 (PIT) is wired to GSI 2. */
        b1(&t, 2); b1(&t, 10); b1(&t, 0); b1(&t, 0); b4(&t, 2); b2(&t, 0);
        /* PCI interrupts and the SCI: level triggered, active high. */
        bool done[16] = { false };
        int level_irqs[5] = { ACPI_SCI_IRQ, cfg->pirq_irq[0], cfg->pirq_irq[1],
                              cfg->pirq_irq[2], cfg->pirq_irq[3] };
        for (int i = 0; i < 5; i++) {
            int irq = level_irqs[i];
            if (irq <= 0 || irq >= 16 || done[irq])
                continue;
            done[irq] = true;
            b1(&t, 2); b1(&t, 10); b1(&t, 0); b1(&t, irq); b4(&t, irq); b2(&t, 0x000d);
        }
        b1(&t, 4); b1(&t, 6); b1(&t, 0xff); b2(&t, 0); b1(&t, 1);
        table_end(&t, madt);
        table_checksum(&l, &t, madt);
    }

    if (cfg->have_hpet) {
        /* IA-PC HPET table (HPET spec 1.0a, 3.2.4). */
        size_t hpet = t.len;
        entries[nentries++] = hpet;
        table_header(&t, "HPET", 1);
        b4(&t, 0x8086a201);      /* event timer block ID: vendor, 3 comparators, 64-bit */
        b1(&t, 0); b1(&t, 64); b1(&t, 0); b1(&t, 0); b8(&t, 0xfed00000);   /* GAS */
        b1(&t, 0);               /* HPET number */
        b2(&t, 0);               /* minimum clock tick */
        b1(&t, 0);               /* page protection */
        table_end(&t, hpet);
        table_checksum(&l, &t, hpet);
    }

    /* RSDT (5.2.7) and XSDT (5.2.8). */
    size_t rsdt = t.len;
    table_header(&t, "RSDT", 1);
    for (int i = 0; i < nentries; i++) {
        linker_pointer(&l, TABLES, TABLES, t.len, 4);
        b4(&t, entries[i]);
    }
    table_end(&t, rsdt);
    table_checksum(&l, &t, rsdt);
    size_t xsdt = t.len;
    table_header(&t, "XSDT", 1);
    for (int i = 0; i < nentries; i++) {
        linker_pointer(&l, TABLES, TABLES, t.len, 8);
        b8(&t, entries[i]);
    }
    table_end(&t, xsdt);
    table_checksum(&l, &t, xsdt);

    /* RSDP, revision 2 (5.2.5.3). */
    buf_put(&rsdp, "RSD PTR ", 8);
    b1(&rsdp, 0);
    buf_put(&rsdp, "VIREO ", 6);
    b1(&rsdp, 2);
    b4(&rsdp, rsdt);
    b4(&rsdp, 36);
    b8(&rsdp, xsdt);
    b1(&rsdp, 0);
    buf_zero(&rsdp, 3);
    linker_pointer(&l, RSDP, TABLES, 16, 4);
    linker_pointer(&l, RSDP, TABLES, 24, 8);
    linker_checksum(&l, RSDP, 8, 0, 20);
    linker_checksum(&l, RSDP, 32, 0, 36);

    fw_cfg_add_file(fw, TABLES, t.d, t.len);
    fw_cfg_add_file(fw, RSDP, rsdp.d, rsdp.len);
    fw_cfg_add_file(fw, "etc/table-loader", l.cmds.d, l.cmds.len);
    buf_free(&t);
    buf_free(&rsdp);
    buf_free(&l.cmds);
}
