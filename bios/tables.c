/* tables.c: firmware tables from fw_cfg: ACPI through QEMU's linker/loader script
 * ("etc/table-loader"), SMBIOS from "etc/smbios/smbios-anchor" + "smbios-tables". Blobs go to
 * the top of RAM below 4 GiB (reserved in E820) or to the F-segment (RSDP, SMBIOS anchor). */
#include "bios.h"
#include "farptr.h"
#include "fwcfg.h"
#include "output.h"
#include "pci.h"
#include "string.h"
#include "x86.h"

#define FSEG_POOL_SIZE 256
struct fseg_pool {
    u8 b[FSEG_POOL_SIZE];
};
VARFSEG_DEF(struct fseg_pool, fseg_pool) __attribute__((aligned(16)));
VARFSEG_DECL(struct fseg_pool, fseg_pool);

#if !MODE16
/* QEMU keeps the top 160 KiB below 4 GiB free of the initrd for firmware tables
 * (pc machine acpi_data_size); stay inside it. */
#define HIGH_ZONE_MAX (160 * 1024)
static u32 high_top, high_base, fseg_used;

static void *zone_alloc(int fseg, u32 size, u32 align)
{
    if (align < 16)
        align = 16;
    if (fseg) {
        u32 at = ALIGN_UP(fseg_used, align);
        if (at + size > FSEG_POOL_SIZE)
            return NULL;
        fseg_used = at + size;
        return fseg_pool.b + at;
    }
    u32 at = (high_top - size) & ~(align - 1);
    if (at < high_base)
        return NULL;
    high_top = at;
    return (void *)at;
}

static u8 checksum(const u8 *p, u32 len)
{
    u8 sum = 0;
    while (len--)
        sum += *p++;
    return sum;
}

/* QEMU hw/acpi/bios-linker-loader.c command entries: 128 bytes, little-endian. */
#define LOADER_ALLOCATE 1
#define LOADER_ADD_POINTER 2
#define LOADER_ADD_CHECKSUM 3
#define LOADER_WRITE_POINTER 4
#define LOADER_FILESZ 56
struct loader_entry {
    u32 command;
    union {
        struct { char file[LOADER_FILESZ]; u32 align; u8 zone; } PACKED alloc;
        struct { char dest[LOADER_FILESZ]; char src[LOADER_FILESZ]; u32 offset; u8 size; } PACKED ptr;
        struct { char file[LOADER_FILESZ]; u32 offset, start, length; } PACKED cksum;
        struct { char dest[LOADER_FILESZ]; char src[LOADER_FILESZ]; u32 dst_offset, src_offset;
                 u8 size; } PACKED wrptr;
        u8 pad[124];
    };
} PACKED;
STATIC_ASSERT(sizeof(struct loader_entry) == 128, "table-loader entries are 128 bytes");

struct loaded_file {
    char name[LOADER_FILESZ];
    u8 *addr;
    u32 size;
};
static struct loaded_file files[16];
static int nfiles;

static struct loaded_file *file_get(const char *name)
{
    for (int i = 0; i < nfiles; i++)
        if (!strncmp(files[i].name, name, LOADER_FILESZ))
            return &files[i];
    return NULL;
}

static int loader_run(void)
{
    u16 key;
    u32 size = fwcfg_find("etc/table-loader", &key);
    if (!size)
        return -1;
    static struct loader_entry script[64];
    u32 n = size / sizeof(struct loader_entry);
    if (n > ARRAY_SIZE(script)) {
        printf("vireo BIOS: ACPI: table-loader script too long (%u entries)\n", n);
        return -1;
    }
    fwcfg_select(key);
    fwcfg_read(script, n * sizeof(struct loader_entry));
    for (u32 i = 0; i < n; i++) {
        struct loader_entry *e = &script[i];
        switch (e->command) {
        case LOADER_ALLOCATE: {
            e->alloc.file[LOADER_FILESZ - 1] = 0;
            u16 fkey;
            u32 fsize = fwcfg_find(e->alloc.file, &fkey);
            if (!fsize || nfiles >= (int)ARRAY_SIZE(files))
                return -1;
            u8 *p = zone_alloc(e->alloc.zone == 2, fsize, e->alloc.align);
            if (!p) {
                printf("vireo BIOS: ACPI: no room for %s (%u bytes)\n", e->alloc.file, fsize);
                return -1;
            }
            fwcfg_read_to(fkey, (u32)p, fsize);
            memcpy(files[nfiles].name, e->alloc.file, LOADER_FILESZ);
            files[nfiles].addr = p;
            files[nfiles++].size = fsize;
            dprintf(3, "ACPI: %s at %x (%u bytes)\n", e->alloc.file, (u32)p, fsize);
            break;
        }
        case LOADER_ADD_POINTER: {
            struct loaded_file *d = file_get(e->ptr.dest), *s = file_get(e->ptr.src);
            u8 sz = e->ptr.size;
            if (!d || !s || (sz != 1 && sz != 2 && sz != 4 && sz != 8) ||
                e->ptr.offset > d->size || d->size - e->ptr.offset < sz)
                return -1;
            u64 v = 0;
            memcpy(&v, d->addr + e->ptr.offset, sz);
            v += (u32)s->addr;
            memcpy(d->addr + e->ptr.offset, &v, sz);
            break;
        }
        case LOADER_ADD_CHECKSUM: {
            struct loaded_file *f = file_get(e->cksum.file);
            if (!f || e->cksum.offset >= f->size || e->cksum.start > f->size ||
                f->size - e->cksum.start < e->cksum.length)
                return -1;
            f->addr[e->cksum.offset] = 0;
            f->addr[e->cksum.offset] = -checksum(f->addr + e->cksum.start, e->cksum.length);
            break;
        }
        case LOADER_WRITE_POINTER: {
            /* the address of a loaded blob (+ offset) into a writable fw_cfg file, so the
             * emulator learns where it is (e.g. vmgenid's GUID buffer) */
            struct loaded_file *s = file_get(e->wrptr.src);
            u8 sz = e->wrptr.size;
            u16 wkey;
            e->wrptr.dest[LOADER_FILESZ - 1] = 0;
            u32 wsize = fwcfg_find(e->wrptr.dest, &wkey);
            if (!s || (sz != 1 && sz != 2 && sz != 4 && sz != 8) || e->wrptr.src_offset >= s->size ||
                e->wrptr.dst_offset > wsize || wsize - e->wrptr.dst_offset < sz)
                return -1;
            u64 v = (u32)s->addr + e->wrptr.src_offset;
            if (fwcfg_write(wkey, e->wrptr.dst_offset, &v, sz)) {
                printf("vireo BIOS: ACPI: could not write %s through fw_cfg DMA\n", e->wrptr.dest);
                return -1;
            }
            dprintf(3, "ACPI: %s <- %x\n", e->wrptr.dest, (u32)v);
            break;
        }
        default:
            break;
        }
    }
    return 0;
}

static void smbios_setup(void)
{
    u16 akey, tkey;
    u32 asize = fwcfg_find("etc/smbios/smbios-anchor", &akey);
    u32 tsize = fwcfg_find("etc/smbios/smbios-tables", &tkey);
    if (!asize || !tsize || asize > 32) {
        dprintf(1, "not implemented: SMBIOS tables without fw_cfg smbios-anchor/tables\n");
        return;
    }
    u8 *anchor = zone_alloc(1, asize, 16);
    u8 *tables = zone_alloc(0, tsize, 16);
    if (!anchor || !tables)
        return;
    fwcfg_read_to(akey, (u32)anchor, asize);
    fwcfg_read_to(tkey, (u32)tables, tsize);
    if (!memcmp(anchor, "_SM3_", 5) && asize >= 24) {
        /* SMBIOS 3.0 entry point: 64-bit table address at 10h, checksum at 05h. */
        *(u64 *)(anchor + 0x10) = (u32)tables;
        anchor[5] = 0;
        anchor[5] = -checksum(anchor, anchor[6]);
    } else if (!memcmp(anchor, "_SM_", 4) && asize >= 31) {
        /* SMBIOS 2.1 entry point: table address at 18h; intermediate (_DMI_) checksum at 15h
         * over 10h-1Eh; entry point checksum at 04h over the whole length (byte 05h). */
        *(u32 *)(anchor + 0x18) = (u32)tables;
        anchor[0x15] = 0;
        anchor[0x15] = -checksum(anchor + 0x10, 0x0f);
        anchor[4] = 0;
        anchor[4] = -checksum(anchor, anchor[5]);
    } else {
        printf("vireo BIOS: SMBIOS: unknown anchor\n");
        return;
    }
    dprintf(1, "SMBIOS: entry point at %x, %u bytes of structures at %x\n", (u32)anchor, tsize,
            (u32)tables);
}

/* Intel MultiProcessor Specification 1.4 chapter 4: floating pointer + configuration table
 * (processors, PCI and ISA buses, the I/O APIC, interrupt routing) for OSes without ACPI. */
struct mp_config {
    char signature[4];
    u16 length;
    u8 revision, checksum;
    char oem[8], product[12];
    u32 oem_table;
    u16 oem_size, entries;
    u32 lapic;
    u16 ext_length;
    u8 ext_checksum, reserved;
} PACKED;

static u8 *mp_put(u8 *p, const void *e, u32 len, struct mp_config *c)
{
    memcpy(p, e, len);
    c->entries++;
    return p + len;
}

/* Interrupt routing entry: type 3 (I/O) or 4 (local); flags: polarity bits 1-0,
 * trigger bits 3-2 (0 = conforms to the bus). */
static u8 *mp_irq(u8 *p, struct mp_config *c, u8 type, u8 kind, u16 flags, u8 bus, u8 irq,
                  u8 dst, u8 pin)
{
    u8 e[8] = { type, kind, (u8)flags, (u8)(flags >> 8), bus, irq, dst, pin };
    return mp_put(p, e, 8, c);
}

static void mptable_setup(void)
{
    u16 ncpu = 1;
    fwcfg_select(FW_CFG_NB_CPUS);
    fwcfg_read(&ncpu, 2);
    if (!ncpu || ncpu > 32)
        ncpu = 1;
    u32 size = sizeof(struct mp_config) + ncpu * 20 + 2 * 8 + 8 + (16 + pci_devices.count + 2) * 8;
    u8 *fp = zone_alloc(1, 16, 16);
    struct mp_config *c = zone_alloc(0, size, 16);
    if (!fp || !c)
        return;
    memset(c, 0, size);
    memcpy(c->signature, "PCMP", 4);
    c->revision = 4;
    memcpy(c->oem, "VIREO   ", 8);
    memcpy(c->product, "PC i440FX   ", 12);
    c->lapic = 0xfee00000;
    u8 *p = (u8 *)(c + 1);
    u32 a, b, cc, d;
    cpuid(1, &a, &b, &cc, &d);
    for (u16 i = 0; i < ncpu; i++) {
        u8 e[20] = { 0, (u8)i, 0x14, (u8)(i == 0 ? 3 : 1) };
        memcpy(e + 4, &a, 4);
        memcpy(e + 8, &d, 4);
        p = mp_put(p, e, 20, c);
    }
    const u8 bus_pci[8] = { 1, 0, 'P', 'C', 'I', ' ', ' ', ' ' };
    const u8 bus_isa[8] = { 1, 1, 'I', 'S', 'A', ' ', ' ', ' ' };
    p = mp_put(p, bus_pci, 8, c);
    p = mp_put(p, bus_isa, 8, c);
    const u8 ioapic_id = ncpu;
    u8 ioapic[8] = { 2, ioapic_id, 0x11, 1, 0x00, 0x00, 0xc0, 0xfe };
    p = mp_put(p, ioapic, 8, c);
    /* PCI INTx: source IRQ = device << 2 | pin - 1, active low, level, to the PIRQ's IRQ. */
    for (int i = 0; i < pci_devices.count; i++) {
        struct pci_device *dev = &pci_devices.dev[i];
        u8 pin = pci_read8(dev->bdf, 0x3d);
        if (pin >= 1 && pin <= 4 && dev->irq && !(dev->bdf & 7))
            p = mp_irq(p, c, 3, 0, 0x0f, 0, ((dev->bdf >> 3) & 31) << 2 | (pin - 1), ioapic_id, dev->irq);
    }
    /* ISA IRQs map 1:1 to I/O APIC pins, except IRQ0 which QEMU wires to pin 2. */
    for (u8 irq = 0; irq < 16; irq++) {
        if (irq == 2)
            continue;
        p = mp_irq(p, c, 3, 0, 0, 1, irq, ioapic_id, irq == 0 ? 2 : irq);
    }
    p = mp_irq(p, c, 4, 3, 0, 1, 0, 0xff, 0);     /* ExtINT -> LINT0 */
    p = mp_irq(p, c, 4, 1, 0, 1, 0, 0xff, 1);     /* NMI -> LINT1 */
    c->length = p - (u8 *)c;
    c->checksum = -checksum((u8 *)c, c->length);
    memset(fp, 0, 16);
    memcpy(fp, "_MP_", 4);
    *(u32 *)(fp + 4) = (u32)c;
    fp[8] = 1;                          /* length in 16-byte units */
    fp[9] = 4;                          /* MP spec 1.4 */
    fp[10] = -checksum(fp, 16);
    dprintf(1, "MP table: %u CPUs, %u entries at %x\n", ncpu, c->entries, (u32)c);
}

void tables_setup(void)
{
    high_top = memmap.ram_below_4g;
    high_base = high_top - HIGH_ZONE_MAX;
    fseg_used = 0;
    nfiles = 0;
    if (!fwcfg_present())
        return;
    if (loader_run())
        printf("vireo BIOS: not implemented: ACPI tables without a valid fw_cfg table-loader\n");
    else
        dprintf(1, "ACPI: %d tables blobs loaded\n", nfiles);
    smbios_setup();
    mptable_setup();
    if (high_top < memmap.ram_below_4g)
        memmap_reserve_top(memmap.ram_below_4g - high_top);
}
#endif
