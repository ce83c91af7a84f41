/* test-fw_cfg.c: fw_cfg through the port and DMA interfaces, the file directory, DMA errors. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/misc/fw_cfg.h"

static FWCfgState *fw;

static void setup(void)
{
    hwt_board_init(1 * MiB);
    fw = fw_cfg_create(NULL);
    cr_assert_not_null(fw);
}

TestSuite(fw_cfg, .init = setup);

static void port_read(uint16_t key, void *buf, unsigned len)
{
    outw(0x510, key);
    for (unsigned i = 0; i < len; i++)
        ((uint8_t *)buf)[i] = inb(0x511);
}

static uint32_t be32(const uint8_t *p) { return (p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }

/* Find a file's key by scanning the directory through the data port, as SeaBIOS does. */
static int port_find_file(const char *name, uint32_t *size)
{
    uint8_t cnt[4];
    port_read(FW_CFG_FILE_DIR, cnt, 4);
    for (uint32_t i = 0; i < be32(cnt); i++) {
        uint8_t f[64];
        for (int j = 0; j < 64; j++)
            f[j] = inb(0x511);
        if (!strcmp((char *)f + 8, name)) {
            *size = be32(f);
            return (f[4] << 8) | f[5];
        }
    }
    return -1;
}

/* Write a DMA descriptor at `desc` and start it. */
static uint32_t dma(uint64_t desc, uint32_t control, uint32_t len, uint64_t addr)
{
    uint8_t *d = hwt_ram.host + desc;
    uint32_t f[3] = { control, len, 0 };
    for (int i = 0; i < 2; i++) {
        d[4 * i] = f[i] >> 24; d[4 * i + 1] = f[i] >> 16; d[4 * i + 2] = f[i] >> 8; d[4 * i + 3] = f[i];
    }
    for (int i = 0; i < 8; i++)
        d[8 + i] = addr >> (56 - 8 * i);
    outl(0x514, __builtin_bswap32((uint32_t)(desc >> 32)));
    outl(0x518, __builtin_bswap32((uint32_t)desc));
    return be32(d);
}

Test(fw_cfg, signature_and_id_through_ports)
{
    char sig[5] = { 0 };
    port_read(FW_CFG_SIGNATURE, sig, 4);
    cr_assert_str_eq(sig, "QEMU");
    uint8_t id[4];
    port_read(FW_CFG_ID, id, 4);
    cr_assert_eq(id[0], 3, "traditional and DMA interfaces");
    cr_assert_eq(inb(0x511), 0, "past the end reads 0");
    outw(0x510, 0x1234);
    cr_assert_eq(inb(0x511), 0, "unknown key reads 0");
    /* DMA signature, first byte at the lowest port. */
    cr_assert_eq(inb(0x514), 'Q');
    cr_assert_eq(inl(0x518), 0x47464320, "\" CFG\" as bytes");
}

Test(fw_cfg, numbers_are_little_endian)
{
    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, 0x123456789aULL);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, 4);
    fw_cfg_add_i32(fw, FW_CFG_E820_TABLE, 0xdeadbeef);
    uint64_t ram;
    port_read(FW_CFG_RAM_SIZE, &ram, 8);
    cr_assert_eq(ram, 0x123456789aULL);
    uint16_t cpus;
    port_read(FW_CFG_NB_CPUS, &cpus, 2);
    cr_assert_eq(cpus, 4);
    uint32_t arch;
    port_read(FW_CFG_E820_TABLE, &arch, 4);
    cr_assert_eq(arch, 0xdeadbeef, "arch-local keys are separate");
}

Test(fw_cfg, files_through_ports)
{
    fw_cfg_add_file(fw, "etc/zeta", "zz", 2);
    fw_cfg_add_file(fw, "bootorder", "/pci@i0cf8/ide@1,1/drive@0/disk@0\n", 35);
    fw_cfg_add_file(fw, "etc/alpha", "hello, firmware", 16);
    uint32_t size;
    int key = port_find_file("etc/alpha", &size);
    cr_assert_geq(key, FW_CFG_FILE_FIRST);
    cr_assert_eq(size, 16);
    char buf[16];
    port_read(key, buf, 16);
    cr_assert_str_eq(buf, "hello, firmware");
    /* The directory is sorted by name. */
    uint8_t dir[4 + 3 * 64];
    port_read(FW_CFG_FILE_DIR, dir, sizeof(dir));
    cr_assert_eq(be32(dir), 3);
    cr_assert_str_eq((char *)dir + 4 + 8, "bootorder");
    cr_assert_str_eq((char *)dir + 4 + 64 + 8, "etc/alpha");
    cr_assert_str_eq((char *)dir + 4 + 128 + 8, "etc/zeta");
    /* Replacing keeps one entry. */
    fw_cfg_add_file(fw, "etc/zeta", "new", 3);
    port_read(FW_CFG_FILE_DIR, dir, 4);
    cr_assert_eq(be32(dir), 3);
    cr_assert_eq(fw_cfg_find_file(fw, "etc/zeta")->len, 3);
    char longname[80];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[79] = 0;
    cr_assert_eq(fw_cfg_add_file(fw, longname, "", 0), -1);
}

Test(fw_cfg, dma_read_file_skip_and_zero_fill)
{
    static const char text[] = "0123456789abcdef";
    int key = fw_cfg_add_file(fw, "etc/text", text, 16);
    uint32_t c = dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 4, 0x2000);
    cr_assert_eq(c, 0, "completed without error");
    cr_assert_eq(memcmp(hwt_ram.host + 0x2000, "0123", 4), 0);
    cr_assert_eq(dma(0x1000, FW_CFG_DMA_CTL_SKIP, 4, 0), 0);
    memset(hwt_ram.host + 0x3000, 0xee, 16);
    cr_assert_eq(dma(0x1000, FW_CFG_DMA_CTL_READ, 12, 0x3000), 0);
    cr_assert_eq(memcmp(hwt_ram.host + 0x3000, "89abcdef\0\0\0\0", 12), 0, "past the end: zeros");
    /* The port interface sees the same offset machinery: select resets it. */
    char sig[4];
    cr_assert_eq(dma(0x1000, (FW_CFG_SIGNATURE << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
                     4, 0x4000), 0);
    memcpy(sig, hwt_ram.host + 0x4000, 4);
    cr_assert_eq(memcmp(sig, "QEMU", 4), 0);
}

Test(fw_cfg, dma_bounds_errors)
{
    int key = fw_cfg_add_file(fw, "etc/x", "abcdefgh", 8);
    /* Destination beyond RAM: error bit, nothing written. */
    uint32_t c = dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 8,
                     1 * MiB - 4);
    cr_assert_eq(c, FW_CFG_DMA_CTL_ERROR);
    cr_assert_eq(hwt_ram.host[1 * MiB - 4], 0);
    c = dma(0x1000, FW_CFG_DMA_CTL_READ, 0xffffffff, 0xfffffffffffff000ULL);
    cr_assert_eq(c, FW_CFG_DMA_CTL_ERROR, "wild address");
    /* Writing a read-only item fails. */
    memcpy(hwt_ram.host + 0x5000, "XY", 2);
    c = dma(0x1000, (key << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 2, 0x5000);
    cr_assert_eq(c, FW_CFG_DMA_CTL_ERROR);
    cr_assert_eq(fw_cfg_find_file(fw, "etc/x")->data[0], 'a');
    /* A writable one takes the bytes, but not more than it holds. */
    int wkey = fw_cfg_add_file_writable(fw, "etc/w", "....", 4);
    c = dma(0x1000, (wkey << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 2, 0x5000);
    cr_assert_eq(c, 0);
    cr_assert_eq(memcmp(fw_cfg_find_file(fw, "etc/w")->data, "XY..", 4), 0);
    c = dma(0x1000, FW_CFG_DMA_CTL_WRITE, 3, 0x5000);
    cr_assert_eq(c, FW_CFG_DMA_CTL_ERROR, "overflowing write refused");
    /* A descriptor outside RAM is ignored. */
    outl(0x514, 0);
    outl(0x518, __builtin_bswap32(0xfff00000));
}

Test(fw_cfg, fuzz_ports)
{
    fw_cfg_add_file(fw, "etc/a", "abc", 3);
    for (unsigned seed = 1; seed < 60; seed++) {
        hwt_fuzz_ports(0x510, 0x512, 200, seed);
        /* Random descriptors in RAM, then kick DMA at them. */
        uint32_t x = seed * 2654435761u;
        for (int i = 0; i < 16; i++)
            hwt_ram.host[0x8000 + i] = x >> (i % 4 * 8);
        hwt_ram.host[0x8000] &= 0x00;    /* keep lengths sane-ish: top byte of control only */
        outl(0x514, 0);
        outl(0x518, __builtin_bswap32(0x8000));
        hwt_fuzz_ports(0x514, 0x51c, 20, seed);
    }
}
