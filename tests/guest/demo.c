/* demo.c: the guest `make run` boots: shows that the machine is alive and what it was given. */
#include "guest.h"

static const char *mmap_type(uint32_t t)
{
    switch (t) {
    case 1: return "usable";
    case 2: return "reserved";
    case 3: return "ACPI reclaimable";
    case 4: return "ACPI NVS";
    case 5: return "bad memory";
    default: return "unknown";
    }
}

int guest_main(void)
{
    uint32_t r[4];
    char vendor[13], brand[49];

    printf("\n  vireo demo guest: a Multiboot kernel talking over COM1\n\n");
    if (mb_magic != MB_BOOT_MAGIC) {
        printf("not started by a Multiboot loader (EAX = %#x)\n", mb_magic);
    } else {
        struct mb_info *mi = mb_info;
        if (mi->flags & 1)
            printf("memory: %u KiB low, %u KiB above 1 MiB\n", mi->mem_lower, mi->mem_upper);
        if (mi->flags & (1 << 6)) {
            printf("memory map:\n");
            uint32_t p = mi->mmap_addr, end = mi->mmap_addr + mi->mmap_length;
            while (p < end) {
                struct mb_mmap_entry *e = (struct mb_mmap_entry *)p;
                printf("  %#014llx - %#014llx  %s\n", (unsigned long long)e->addr,
                       (unsigned long long)(e->addr + e->len - 1), mmap_type(e->type));
                p += e->size + 4;
            }
        }
        printf("command line: \"%s\"\n", (mi->flags & (1 << 2)) ? (const char *)mi->cmdline : "");
        if (mi->flags & (1 << 9))
            printf("boot loader: %s\n", (const char *)mi->boot_loader_name);
        if (mi->flags & (1 << 3))
            printf("modules: %u\n", mi->mods_count);
    }

    cpuid(0, 0, r);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    printf("cpu vendor: %s\n", vendor);
    cpuid(0x80000000, 0, r);
    if (r[0] >= 0x80000004) {
        for (uint32_t l = 0; l < 3; l++) {
            cpuid(0x80000002 + l, 0, r);
            memcpy(brand + 16 * l, r, 16);
        }
        brand[48] = 0;
        const char *b = brand;
        while (*b == ' ')
            b++;
        printf("cpu brand: %s\n", b);
    }
    printf("\ndemo: all done, exiting through isa-debug-exit\n");
    return 0;
}
