/* memmap.c: RAM sizing (fw_cfg "etc/e820", else CMOS) and the E820 map served by INT 15h. */
#include "bios.h"
#include "farptr.h"
#include "fwcfg.h"
#include "output.h"
#include "string.h"
#include "x86.h"

VARFSEG_DEF(struct memmap, memmap);

u32 ram_below_4g(void) { return memmap.ram_below_4g; }

#if !MODE16
static void memmap_sort(void);

static void e820_add(u64 addr, u64 len, u32 type)
{
    if (!len || memmap.count >= E820_MAX)
        return;
    struct e820_entry *e = &memmap.e[memmap.count++];
    e->addr = addr;
    e->len = len;
    e->type = type;
}

/* CMOS 0x30/0x31: KiB above 1 MiB (up to 64 MiB); 0x34/0x35: 64 KiB units above 16 MiB;
 * 0x5b-0x5d: 64 KiB units above 4 GiB (the layout QEMU and Bochs use). */
static void memmap_from_cmos(void)
{
    u32 above16 = (cmos_read(0x34) | cmos_read(0x35) << 8) * 65536u;
    u32 above1 = (cmos_read(0x30) | cmos_read(0x31) << 8) * 1024u;
    memmap.ram_below_4g = above16 ? 16 * 1024 * 1024 + above16 : 1024 * 1024 + above1;
    u32 hi64k = cmos_read(0x5b) | cmos_read(0x5c) << 8 | cmos_read(0x5d) << 16;
    memmap.ram_above_4g = (u64)hi64k * 65536;
}

void memmap_setup(void)
{
    struct e820_entry fw[E820_MAX];
    u32 nfw = 0;
    u16 key;
    u32 size = fwcfg_present() ? fwcfg_find("etc/e820", &key) : 0;
    memmap.count = 0;
    memmap.ram_below_4g = 0;
    memmap.ram_above_4g = 0;
    if (size) {
        nfw = size / sizeof(struct e820_entry);
        if (nfw > E820_MAX)
            nfw = E820_MAX;
        fwcfg_select(key);
        fwcfg_read(fw, nfw * sizeof(struct e820_entry));
        for (u32 i = 0; i < nfw; i++) {
            if (fw[i].type != E820_RAM)
                continue;
            u64 end = fw[i].addr + fw[i].len;
            if (end <= 0x100000000ull) {
                if (end > memmap.ram_below_4g)
                    memmap.ram_below_4g = end;
            } else {
                memmap.ram_above_4g += end - (fw[i].addr > 0x100000000ull ? fw[i].addr : 0x100000000ull);
            }
        }
        dprintf(3, "memmap: %u entries from fw_cfg etc/e820\n", nfw);
    }
    if (!memmap.ram_below_4g)
        memmap_from_cmos();

    memmap.low_kb = EBDA_SEG_DEFAULT * 16 / 1024;
    e820_add(0, EBDA_SEG_DEFAULT * 16, E820_RAM);
    e820_add(EBDA_SEG_DEFAULT * 16, 0xa0000 - EBDA_SEG_DEFAULT * 16, E820_RESERVED);
    e820_add(0xf0000, 0x10000, E820_RESERVED);
    e820_add(0x100000, memmap.ram_below_4g - 0x100000, E820_RAM);
    int have_high = 0;
    for (u32 i = 0; i < nfw; i++) {
        if (fw[i].type == E820_RAM && fw[i].addr >= 0x100000000ull) {
            e820_add(fw[i].addr, fw[i].len, E820_RAM);
            have_high = 1;
        } else if (fw[i].type != E820_RAM) {
            e820_add(fw[i].addr, fw[i].len, fw[i].type);
        }
    }
    /* The BIOS ROM at the top of 4 GiB (256 KiB, as the PC's flash window). */
    e820_add(0xfffc0000, 0x40000, E820_RESERVED);
    if (!have_high && memmap.ram_above_4g)
        e820_add(0x100000000ull, memmap.ram_above_4g, E820_RAM);
    memmap_sort();
}

/* Take bytes off the end of the RAM below 4 GiB and mark them reserved. */
void memmap_reserve_top(u32 bytes)
{
    u32 top = memmap.ram_below_4g;
    bytes = ALIGN_UP(bytes, 4096);
    for (u32 i = 0; i < memmap.count; i++) {
        struct e820_entry *e = &memmap.e[i];
        if (e->type == E820_RAM && e->addr + e->len == top && e->len > bytes) {
            e->len -= bytes;
            e820_add(top - bytes, bytes, E820_RESERVED);
            memmap_sort();
            return;
        }
    }
}

/* Option ROMs take conventional memory by lowering BDA 413h (our VGA BIOS keeps its data
 * there): the low RAM entry ends where 413h now says, the reserved one below A0000h grows. */
void memmap_low_update(void)
{
    u32 low = (u32)rd16(BDA_SEG, BDA_MEM_KB) * 1024;
    struct e820_entry *ram = &memmap.e[0], *rsv = &memmap.e[1];
    if (low >= ram->len || rsv->addr != ram->addr + ram->len || rsv->type != E820_RESERVED)
        return;
    rsv->len += ram->len - low;
    rsv->addr = low;
    ram->len = low;
    memmap.low_kb = low / 1024;
    dprintf(3, "e820: conventional memory now ends at %x\n", low);
}

static void memmap_sort(void)
{
    /* Callers expect ascending addresses (ACPI 6.4 15.1 does not require it; Linux and
     * boot loaders cope better with it). */
    for (u32 i = 1; i < memmap.count; i++)
        for (u32 j = i; j && memmap.e[j - 1].addr > memmap.e[j].addr; j--) {
            struct e820_entry t = memmap.e[j];
            memmap.e[j] = memmap.e[j - 1];
            memmap.e[j - 1] = t;
        }
    for (u32 i = 0; i < memmap.count; i++)
        dprintf(3, "e820: %llx-%llx type %u\n", memmap.e[i].addr,
                memmap.e[i].addr + memmap.e[i].len - 1, memmap.e[i].type);
}
#endif
