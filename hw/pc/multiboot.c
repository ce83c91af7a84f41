/* multiboot.c: direct boot of Multiboot v1 kernels (ELF32 and the a.out kludge), as in the
 * Multiboot Specification 0.6.96: the image and modules are placed in RAM, an information
 * block with the memory map and command line is built, and the CPU starts in 32-bit
 * protected mode at the entry point with EAX = 0x2BADB002 and EBX = the information block. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/pc/pc.h"

#define MB_HEADER_MAGIC     0x1BADB002u
#define MB_BOOTLOADER_MAGIC 0x2BADB002u
#define MB_SEARCH           8192
#define MB_FLAG_PAGE_ALIGN  (1u << 0)
#define MB_FLAG_MEMINFO     (1u << 1)
#define MB_FLAG_VIDEO       (1u << 2)
#define MB_FLAG_AOUT_KLUDGE (1u << 16)

/* multiboot_info flags (spec 3.3). */
#define MBI_MEM        (1u << 0)
#define MBI_BOOTDEV    (1u << 1)
#define MBI_CMDLINE    (1u << 2)
#define MBI_MODS       (1u << 3)
#define MBI_MMAP       (1u << 6)
#define MBI_LOADER     (1u << 9)

/* Offsets in the information block. */
#define MBI_OFF_FLAGS      0
#define MBI_OFF_MEM_LOWER  4
#define MBI_OFF_MEM_UPPER  8
#define MBI_OFF_BOOTDEV    12
#define MBI_OFF_CMDLINE    16
#define MBI_OFF_MODS_COUNT 20
#define MBI_OFF_MODS_ADDR  24
#define MBI_OFF_MMAP_LEN   44
#define MBI_OFF_MMAP_ADDR  48
#define MBI_OFF_LOADER     64
#define MBI_SIZE           0x80   /* up to and past the framebuffer fields */

#define MAX_MODULES 64

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
}

/* Offset of a valid header (magic, flags, checksum summing to 0, 4-aligned), or -1. */
static long find_header(const uint8_t *image, size_t size)
{
    size_t limit = MIN(size, (size_t)MB_SEARCH);
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        if (rd32(image + off) != MB_HEADER_MAGIC)
            continue;
        if ((uint32_t)(rd32(image + off) + rd32(image + off + 4) + rd32(image + off + 8)) == 0)
            return (long)off;
    }
    return -1;
}

bool multiboot_probe(const uint8_t *image, size_t size)
{
    return find_header(image, size) >= 0;
}

typedef struct Loader {
    PCMachine *pc;
    const char *name;
    uint64_t top;            /* highest byte loaded so far, exclusive */
    Error **errp;
} Loader;

/* Check that [addr, addr+len) is RAM below 4 GiB. (Segments in the legacy hole below 1 MiB,
 * like the ELF-header page GNU ld emits, land in the RAM under the VGA and BIOS windows.) */
static bool check_ram(Loader *ld, uint64_t addr, uint64_t len, const char *what)
{
    if (addr + len < addr || addr + len > ld->pc->below_4g) {
        error_setg(ld->errp, "-kernel %s: %s at 0x%" PRIx64 "-0x%" PRIx64 " is outside usable RAM "
                   "(RAM below 4 GiB ends at 0x%" PRIx64 ")", ld->name, what, addr, addr + len,
                   ld->pc->below_4g);
        return false;
    }
    return true;
}

static bool put(Loader *ld, uint64_t addr, const void *data, uint64_t len, uint64_t memsz,
                const char *what)
{
    if (!check_ram(ld, addr, memsz, what))
        return false;
    uint8_t *host = ld->pc->ram.host;
    memcpy(host + addr, data, len);
    memset(host + addr + len, 0, memsz - len);
    memory_notify_ram_write(&ld->pc->ram, addr, memsz);
    ld->top = MAX(ld->top, addr + memsz);
    return true;
}

static bool load_elf32(Loader *ld, const uint8_t *img, size_t size, uint32_t *entry)
{
    if (size < 52 || img[4] != 1 /* ELFCLASS32 */) {
        error_setg(ld->errp, "-kernel %s: a 64-bit ELF needs the a.out kludge (flag bit 16) in its "
                   "Multiboot header", ld->name);
        return false;
    }
    if (img[5] != 1 || rd16(img + 18) != 3 /* EM_386 */) {
        error_setg(ld->errp, "-kernel %s: not a little-endian i386 ELF", ld->name);
        return false;
    }
    uint32_t phoff = rd32(img + 28);
    uint16_t phentsize = rd16(img + 42), phnum = rd16(img + 44);
    if (phentsize < 32 || phnum == 0 || phoff > size || (uint64_t)phnum * phentsize > size - phoff) {
        error_setg(ld->errp, "-kernel %s: program headers outside the file", ld->name);
        return false;
    }
    int loaded = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (size_t)i * phentsize;
        if (rd32(ph) != 1 /* PT_LOAD */)
            continue;
        uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12), filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (filesz > memsz || off > size || filesz > size - off) {
            error_setg(ld->errp, "-kernel %s: segment %u lies outside the file", ld->name, i);
            return false;
        }
        if (!memsz)
            continue;
        if (!put(ld, paddr, img + off, filesz, memsz, "an ELF segment"))
            return false;
        loaded++;
    }
    if (!loaded) {
        error_setg(ld->errp, "-kernel %s: no loadable segment", ld->name);
        return false;
    }
    *entry = rd32(img + 24);
    return true;
}

static bool load_aout_kludge(Loader *ld, const uint8_t *img, size_t size, long hdr, uint32_t *entry)
{
    if ((size_t)hdr + 32 > size) {
        error_setg(ld->errp, "-kernel %s: Multiboot header truncated", ld->name);
        return false;
    }
    uint32_t header_addr = rd32(img + hdr + 12), load_addr = rd32(img + hdr + 16);
    uint32_t load_end = rd32(img + hdr + 20), bss_end = rd32(img + hdr + 24);
    *entry = rd32(img + hdr + 28);
    if (header_addr < load_addr || header_addr - load_addr > (uint64_t)hdr) {
        error_setg(ld->errp, "-kernel %s: header_addr 0x%x and load_addr 0x%x are inconsistent",
                   ld->name, header_addr, load_addr);
        return false;
    }
    uint64_t file_off = hdr - (header_addr - load_addr);
    uint64_t len = load_end ? (uint64_t)load_end - load_addr : size - file_off;
    if (load_end && load_end < load_addr) {
        error_setg(ld->errp, "-kernel %s: load_end_addr below load_addr", ld->name);
        return false;
    }
    if (file_off + len > size) {
        error_setg(ld->errp, "-kernel %s: load_end_addr 0x%x is beyond the end of the file", ld->name,
                   load_end);
        return false;
    }
    uint64_t memsz = len;
    if (bss_end) {
        if (bss_end < load_addr + len) {
            error_setg(ld->errp, "-kernel %s: bss_end_addr 0x%x below the loaded image", ld->name, bss_end);
            return false;
        }
        memsz = bss_end - load_addr;
    }
    return put(ld, load_addr, img + file_off, len, memsz, "the kernel image");
}

/* Flat 32-bit segments for the entry state (spec 3.2); also written as a GDT in RAM so a
 * kernel that reloads a segment register before setting its own GDT keeps working. */
static void set_flat_seg(SegmentCache *s, uint16_t sel, bool code)
{
    s->selector = sel;
    s->base = 0;
    s->limit = 0xffffffff;
    s->flags = DESC_P | DESC_S | DESC_G | DESC_B | DESC_A |
               (code ? DESC_CS_MASK | DESC_R_MASK : DESC_W_MASK);
}

bool multiboot_load(PCMachine *pc, const char *kernel, const uint8_t *image, size_t size,
                    const char *cmdline, const char *initrd, Error **errp)
{
    Loader ld = { .pc = pc, .name = kernel, .errp = errp };
    long hdr = find_header(image, size);
    uint32_t flags = rd32(image + hdr + 4), entry;

    if (flags & 0x0000fff8u & ~MB_FLAG_VIDEO) {
        /* Bits 0-15 the loader does not understand must make it refuse (spec 3.1.2). */
        error_setg(errp, "-kernel %s: Multiboot header requires features 0x%x this loader lacks",
                   kernel, flags & 0xfff8u);
        return false;
    }
    bool ok = (flags & MB_FLAG_AOUT_KLUDGE) ? load_aout_kludge(&ld, image, size, hdr, &entry)
                                            : load_elf32(&ld, image, size, &entry);
    if (!ok)
        return false;

    /* Modules: "-initrd 'file args,file2'", each page aligned above the kernel. */
    uint32_t mod_start[MAX_MODULES], mod_end[MAX_MODULES];
    char *mod_cmd[MAX_MODULES];
    int nmods = 0;
    char *list = initrd ? xstrdup(initrd) : NULL;
    for (char *tok = list ? strtok(list, ",") : NULL; tok; tok = strtok(NULL, ",")) {
        if (nmods == MAX_MODULES) {
            error_setg(errp, "-initrd: at most %d Multiboot modules", MAX_MODULES);
            goto fail;
        }
        char *path = xstrdup(tok);
        path[strcspn(path, " ")] = 0;
        size_t msize;
        uint8_t *m = pc_load_file(path, pc->below_4g, &msize, errp);
        free(path);
        if (!m) {
            error_prepend(errp, "-initrd: ");
            goto fail;
        }
        uint64_t at = ALIGN_UP(ld.top, 4096);
        if (!put(&ld, at, m, msize, msize ? msize : 1, "a module")) {
            free(m);
            goto fail;
        }
        free(m);
        mod_start[nmods] = at;
        mod_end[nmods] = at + msize;
        mod_cmd[nmods] = tok;
        nmods++;
    }

    /* Information block, module list, memory map, strings and GDT: one page-aligned area. */
    PCMemMapEntry map[8];
    int nmap = pc_memory_map(pc, map, 8);
    size_t cmdlen = strlen(kernel) + 1 + strlen(cmdline) + 1;
    size_t area = MBI_SIZE + nmods * 16 + nmap * 24 + 32 + cmdlen + 16;
    for (int i = 0; i < nmods; i++)
        area += strlen(mod_cmd[i]) + 1;
    area += sizeof("vireo");
    uint8_t *buf = xzalloc(area);
    uint64_t base = ALIGN_UP(ld.top, 4096);
    size_t p = MBI_SIZE;
    uint32_t mods_addr = base + p;
    size_t mods_off = p;
    p += nmods * 16;
    uint32_t mmap_addr = base + p;
    for (int i = 0; i < nmap; i++, p += 24) {
        wr32(buf + p, 20);
        wr32(buf + p + 4, (uint32_t)map[i].base);
        wr32(buf + p + 8, (uint32_t)(map[i].base >> 32));
        wr32(buf + p + 12, (uint32_t)map[i].length);
        wr32(buf + p + 16, (uint32_t)(map[i].length >> 32));
        wr32(buf + p + 20, map[i].type);
    }
    uint32_t mmap_len = nmap * 24;
    p = ALIGN_UP(p, 8);
    uint32_t gdt_addr = base + p;
    static const uint8_t gdt[32] = {
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0,     /* 0x10: flat code */
        0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0,     /* 0x18: flat data */
    };
    memcpy(buf + p, gdt, sizeof gdt);
    p += sizeof gdt;
    uint32_t cmd_addr = base + p;
    /* The command line starts with the kernel's file name, as GRUB and QEMU pass it. */
    p += sprintf((char *)buf + p, "%s%s%s", kernel, *cmdline ? " " : "", cmdline) + 1;
    for (int i = 0; i < nmods; i++) {
        wr32(buf + mods_off + i * 16, mod_start[i]);
        wr32(buf + mods_off + i * 16 + 4, mod_end[i]);
        wr32(buf + mods_off + i * 16 + 8, base + p);
        wr32(buf + mods_off + i * 16 + 12, 0);
        p += sprintf((char *)buf + p, "%s", mod_cmd[i]) + 1;
    }
    uint32_t loader_addr = base + p;
    p += sprintf((char *)buf + p, "vireo") + 1;

    wr32(buf + MBI_OFF_FLAGS, MBI_MEM | MBI_BOOTDEV | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER);
    wr32(buf + MBI_OFF_MEM_LOWER, 0x9fc00 / 1024);
    wr32(buf + MBI_OFF_MEM_UPPER, (uint32_t)((pc->below_4g - 1 * MiB) / 1024));
    wr32(buf + MBI_OFF_BOOTDEV, 0x8000ffff);  /* first hard disk, no partition */
    wr32(buf + MBI_OFF_CMDLINE, cmd_addr);
    wr32(buf + MBI_OFF_MODS_COUNT, nmods);
    wr32(buf + MBI_OFF_MODS_ADDR, mods_addr);
    wr32(buf + MBI_OFF_MMAP_LEN, mmap_len);
    wr32(buf + MBI_OFF_MMAP_ADDR, mmap_addr);
    wr32(buf + MBI_OFF_LOADER, loader_addr);
    ok = put(&ld, base, buf, p, p, "the Multiboot information block");
    free(buf);
    free(list);
    if (!ok)
        return false;

    /* Machine state (spec 3.2). */
    X86CPUState *env = &pc->cpus[0]->env;
    env->regs[R_EAX] = MB_BOOTLOADER_MAGIC;
    env->regs[R_EBX] = base;
    env->rip = entry;
    env->cr[0] = CR0_PE | CR0_ET;
    x86_set_eflags(env, EFLAGS_FIXED);
    set_flat_seg(&env->segs[R_CS], 0x10, true);
    for (int s = 0; s < X86_NSEGS; s++)
        if (s != R_CS)
            set_flat_seg(&env->segs[s], 0x18, false);
    env->gdt.base = gdt_addr;
    env->gdt.limit = sizeof gdt - 1;
    env->idt.base = 0;
    env->idt.limit = 0x3ff;
    env->a20_mask = 0xffffffff;
    x86_update_hflags(env);
    qlog(LOG_INT, "multiboot: entry 0x%x, info at 0x%" PRIx64 ", %d module(s)\n", entry, base, nmods);
    return true;

fail:
    free(list);
    return false;
}
