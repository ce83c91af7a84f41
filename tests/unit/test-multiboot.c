/* test-multiboot.c: the Multiboot v1 loader — ELF and a.out-kludge images, the information
 * block, memory map and modules, the entry state, and clean errors for bad images. */
#include <criterion/criterion.h>
#include "hw/pc/pc.h"
#include <unistd.h>

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = v, p[1] = v >> 8; }

/* ELF32 with one PT_LOAD of `code` at paddr 0x100000 and a Multiboot header at offset 0x60. */
static size_t make_elf(uint8_t *f, uint32_t mb_flags, uint32_t memsz_extra)
{
    memset(f, 0, 0x200);
    memcpy(f, "\x7f" "ELF", 4);
    f[4] = 1, f[5] = 1, f[6] = 1;
    wr16(f + 16, 2);             /* ET_EXEC */
    wr16(f + 18, 3);             /* EM_386 */
    wr32(f + 20, 1);
    wr32(f + 24, 0x100010);      /* entry */
    wr32(f + 28, 52);            /* phoff */
    wr16(f + 40, 52);
    wr16(f + 42, 32);
    wr16(f + 44, 1);
    uint8_t *ph = f + 52;
    wr32(ph, 1);                 /* PT_LOAD */
    wr32(ph + 4, 0x60);          /* offset */
    wr32(ph + 8, 0x100000);
    wr32(ph + 12, 0x100000);
    wr32(ph + 16, 0x40);         /* filesz */
    wr32(ph + 20, 0x40 + memsz_extra);
    wr32(f + 0x60, 0x1BADB002);
    wr32(f + 0x64, mb_flags);
    wr32(f + 0x68, -(0x1BADB002 + mb_flags));
    memset(f + 0x70, 0x90, 0x30); /* nops at the entry */
    return 0x200;
}

static char *write_tmp(const uint8_t *data, size_t len)
{
    char *path = strdup("/tmp/vireo-mb-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static PCMachine *boot(const char *kernel, const char *append, const char *initrd, Error **err)
{
    PCMachineConfig cfg = { .ram_size = 32 * MiB, .ncpus = 1, .kernel = kernel, .append = append,
                            .initrd = initrd };
    return pc_machine_create(&cfg, err);
}

Test(multiboot, elf_entry_state_and_info)
{
    uint8_t f[0x200];
    make_elf(f, 0x3, 0x1000);
    char *k = write_tmp(f, sizeof f);
    const char mod[] = "module-data";
    char *m = write_tmp((const uint8_t *)mod, sizeof mod - 1);
    char initrd[256];
    snprintf(initrd, sizeof initrd, "%s arg1", m);
    Error *err = NULL;
    PCMachine *pc = boot(k, "console=ttyS0", initrd, &err);
    cr_assert_not_null(pc, "%s", err ? err->msg : "");
    X86CPUState *env = &pc->cpus[0]->env;
    uint8_t *ram = pc->ram.host;
    cr_assert_eq(env->regs[R_EAX], 0x2BADB002);
    cr_assert_eq(env->rip, 0x100010);
    cr_assert(env->cr[0] & CR0_PE);
    cr_assert_eq(env->segs[R_CS].limit, 0xffffffff);
    cr_assert(env->hflags & HF_CS32);
    cr_assert_eq(ram[0x100010], 0x90, "segment loaded");
    cr_assert_eq(ram[0x100040], 0, "bss zeroed");
    uint32_t mbi = env->regs[R_EBX];
    cr_assert(mbi >= 0x101040 && mbi < pc->below_4g);
    uint8_t *info = ram + mbi;
    uint32_t flags = rd32(info);
    cr_assert(flags & (1 << 0) && flags & (1 << 2) && flags & (1 << 3) && flags & (1 << 6));
    cr_assert_eq(rd32(info + 4), 639);
    cr_assert_eq(rd32(info + 8), (32 * 1024) - 1024);
    char *cmd = (char *)ram + rd32(info + 16);
    cr_assert_not_null(strstr(cmd, "console=ttyS0"));
    cr_assert_eq(strncmp(cmd, k, strlen(k)), 0, "starts with the kernel's name");
    cr_assert_eq(rd32(info + 20), 1, "one module");
    uint8_t *modent = ram + rd32(info + 24);
    uint32_t ms = rd32(modent), me = rd32(modent + 4);
    cr_assert_eq(ms % 4096, 0);
    cr_assert_eq(me - ms, sizeof mod - 1);
    cr_assert_eq(memcmp(ram + ms, mod, sizeof mod - 1), 0);
    cr_assert_str_eq((char *)ram + rd32(modent + 8), initrd);
    /* Memory map: usable RAM from 1 MiB to the end of RAM. */
    uint32_t len = rd32(info + 44), at = rd32(info + 48);
    bool found = false;
    for (uint32_t off = 0; off < len; off += rd32(ram + at + off) + 4) {
        uint8_t *e = ram + at + off;
        if (rd32(e + 4) == 0x100000 && rd32(e + 20) == 1) {
            cr_assert_eq(rd32(e + 12), 31 * MiB);
            found = true;
        }
    }
    cr_assert(found);
    unlink(k);
    unlink(m);
}

Test(multiboot, aout_kludge)
{
    uint8_t f[0x1000] = { 0 };
    /* Header at file offset 0, image loaded at 0x200000 from offset 0. */
    wr32(f, 0x1BADB002);
    wr32(f + 4, 0x10000);
    wr32(f + 8, -(0x1BADB002 + 0x10000));
    wr32(f + 12, 0x200000);      /* header_addr */
    wr32(f + 16, 0x200000);      /* load_addr */
    wr32(f + 20, 0x200800);      /* load_end_addr */
    wr32(f + 24, 0x201000);      /* bss_end_addr */
    wr32(f + 28, 0x200020);      /* entry */
    f[0x20] = 0xf4;
    f[0x900] = 0xaa;             /* beyond load_end: not loaded */
    char *k = write_tmp(f, sizeof f);
    Error *err = NULL;
    PCMachine *pc = boot(k, NULL, NULL, &err);
    cr_assert_not_null(pc, "%s", err ? err->msg : "");
    cr_assert_eq(pc->cpus[0]->env.rip, 0x200020);
    cr_assert_eq(pc->ram.host[0x200020], 0xf4);
    cr_assert_eq(pc->ram.host[0x200900], 0, "bss, not file data");
    unlink(k);
}

static void expect_error(const uint8_t *f, size_t len, const char *needle)
{
    char *k = write_tmp(f, len);
    Error *err = NULL;
    PCMachine *pc = boot(k, NULL, NULL, &err);
    cr_assert_null(pc);
    cr_assert_not_null(err);
    cr_assert_not_null(strstr(err->msg, needle), "'%s' does not say '%s'", err->msg, needle);
    error_free(err);
    unlink(k);
}

/* One machine per process (the board is a singleton): one test per bad image. */
Test(multiboot, bad_checksum_is_not_multiboot)
{
    uint8_t f[0x200];
    make_elf(f, 0, 0);
    wr32(f + 0x68, 0);
    expect_error(f, sizeof f, "neither a Multiboot kernel");
}

Test(multiboot, truncated_file)
{
    uint8_t f[0x200];
    make_elf(f, 0, 0);
    expect_error(f, 0x40, "neither a Multiboot kernel");
}

Test(multiboot, segment_outside_file)
{
    uint8_t f[0x200];
    make_elf(f, 0, 0);
    wr32(f + 52 + 4, 0x1000);
    expect_error(f, sizeof f, "outside the file");
}

Test(multiboot, segment_beyond_ram)
{
    uint8_t f[0x200];
    make_elf(f, 0, 0);
    wr32(f + 52 + 12, 0x7ffff000);
    expect_error(f, sizeof f, "outside usable RAM");
}

Test(multiboot, program_headers_beyond_file)
{
    uint8_t f[0x200];
    make_elf(f, 0, 0);
    wr16(f + 44, 0xffff);
    expect_error(f, sizeof f, "program headers");
}

Test(multiboot, unknown_required_feature)
{
    uint8_t f[0x200];
    make_elf(f, 0x8, 0);
    expect_error(f, sizeof f, "features");
}
