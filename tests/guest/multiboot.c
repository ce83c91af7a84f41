/*
 * multiboot.c: the Multiboot v1 information block (spec 0.6.96 section 3.3) as a loader
 * hands it over for `-m 128 -append "alpha beta=2" -initrd "mod-a.txt one,mod-b.txt two"`.
 * Only facts every correct loader agrees on are printed; sizes that depend on the firmware's
 * memory map are checked against ranges. The first word of a command line or module string
 * is the file name as the loader spells it (GRUB and QEMU both do this) and is not printed.
 */
#include "guest.h"

extern char _start[], __bss_end[];

static const char *after_first_word(const char *s)
{
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

int guest_main(void)
{
    struct mb_info *mi = mb_info;
    printf("multiboot: the information block\n");
    check(mb_magic == MB_BOOT_MAGIC, "EAX holds the boot magic 0x2badb002");
    if (mb_magic != MB_BOOT_MAGIC)
        return pass_fail("multiboot");
    check((mi->flags & 0x4d) == 0x4d, "flags: mem (0), cmdline (2), mods (3), mmap (6)");

    check(mi->mem_lower >= 600 && mi->mem_lower <= 640, "mem_lower in 600..640 KiB");
    check(mi->mem_upper >= 120 * 1024 && mi->mem_upper <= 127 * 1024, "mem_upper in 120..127 MiB");

    /* Memory map. */
    uint64_t usable = 0, at1m_len = 0;
    bool sizes_ok = true, low_ok = false, hole_ok = true;
    int entries = 0;
    for (uint32_t p = mi->mmap_addr; p < mi->mmap_addr + mi->mmap_length; entries++) {
        struct mb_mmap_entry *e = (struct mb_mmap_entry *)p;
        sizes_ok &= e->size >= 20;
        if (e->type == 1) {
            usable += e->len;
            if (e->addr == 0 && e->len >= 600 * 1024)
                low_ok = true;
            if (e->addr <= 0x100000 && e->addr + e->len > 0x100000)
                at1m_len = e->addr + e->len - 0x100000;
            hole_ok &= !overlaps(e->addr, e->len, 0xa0000, 0x60000);
        }
        p += e->size + 4;
        if (entries > 64)
            break;
    }
    check(entries > 0 && entries <= 64 && sizes_ok, "mmap: entries with size >= 20");
    check(low_ok, "mmap: usable memory from 0, at least 600 KiB");
    check(hole_ok, "mmap: nothing usable in 0xA0000-0xFFFFF");
    check(at1m_len >= (uint64_t)(__bss_end - (char *)0x100000), "mmap: usable memory at 1 MiB holds the kernel");
    check(mi->mem_upper * 1024ull <= at1m_len, "mem_upper does not exceed the usable region at 1 MiB");
    check(usable >= 120ull << 20 && usable <= 128ull << 20, "mmap: 120..128 MiB usable in all");

    /* Command line and modules. */
    printf("command line after the file name: \"%s\"\n", after_first_word((const char *)mi->cmdline));
    check(mi->mods_count == 2, "mods_count is 2 (%u)", mi->mods_count);
    static const char *const content[2] = { "module A\n", "module B, longer than A\n" };
    struct mb_module *m = (struct mb_module *)mi->mods_addr;
    for (uint32_t i = 0; i < mi->mods_count && i < 2; i++) {
        uint32_t len = m[i].mod_end - m[i].mod_start;
        printf("module %u: \"%s\", %u bytes\n", i, after_first_word((const char *)m[i].string), len);
        check((m[i].mod_start & 0xfff) == 0, "module %u: page-aligned (header flag 0)", i);
        check(len == strlen(content[i]) && memcmp((void *)m[i].mod_start, content[i], len) == 0,
              "module %u: the file's bytes", i);
        check(!overlaps(m[i].mod_start, len, (uint32_t)_start, __bss_end - _start),
              "module %u: does not overlap the kernel", i);
    }
    if (mi->mods_count >= 2)
        check(!overlaps(m[0].mod_start, m[0].mod_end - m[0].mod_start, m[1].mod_start,
                        m[1].mod_end - m[1].mod_start), "modules do not overlap each other");
    return pass_fail("multiboot");
}
