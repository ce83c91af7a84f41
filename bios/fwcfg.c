/* fwcfg.c: reading fw_cfg items and files (both modes; DMA transfers only in 32-bit POST). */
#include "fwcfg.h"
#include "x86.h"
#include "string.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_PORT_DMA 0x514

static inline u32 be32(u32 v) { return __builtin_bswap32(v); }
static inline u16 be16(u16 v) { return (u16)((v >> 8) | (v << 8)); }

void fwcfg_select(u16 key) { outw(key, FW_CFG_PORT_SEL); }

#if !MODE16
/* 0 unknown, 1 DMA interface present, 2 absent. Each port read is a VM exit under KVM, so
 * POST moves everything bigger than a few bytes by DMA. */
static u8 dma_state;
static int fwcfg_dma(u32 control, void *buf, u32 len);
#endif

void fwcfg_read(void *buf, u32 len)
{
#if !MODE16
    if (len > 8 && fwcfg_has_dma() && !fwcfg_dma(2, buf, len))
        return;
#endif
    u8 *p = buf;
    while (len--)
        *p++ = inb(FW_CFG_PORT_DATA);
}

void fwcfg_skip(u32 len)
{
#if !MODE16
    if (len > 8 && fwcfg_has_dma() && !fwcfg_dma(4, NULL, len))
        return;
#endif
    while (len--)
        inb(FW_CFG_PORT_DATA);
}

int fwcfg_present(void)
{
    char sig[4];
    fwcfg_select(FW_CFG_SIGNATURE);
    fwcfg_read(sig, 4);
    int ok = sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
#if !MODE16
    if (ok)
        fwcfg_has_dma();                /* learn it now: asking later would change selection */
#endif
    return ok;
}

u32 fwcfg_read32(u16 key)
{
    u32 v;
    fwcfg_select(key);
    fwcfg_read(&v, 4);
    return v;
}

u64 fwcfg_read64(u16 key)
{
    u64 v;
    fwcfg_select(key);
    fwcfg_read(&v, 8);
    return v;
}

/* ID bit 1: the DMA interface exists (fw_cfg.txt "FW_CFG_ID"). Asking selects item 1, so
 * callers ask before selecting what they read. */
int fwcfg_has_dma(void)
{
#if !MODE16
    if (dma_state)
        return dma_state == 1;
    u32 id;
    fwcfg_select(FW_CFG_ID);
    u8 *p = (u8 *)&id;
    for (int i = 0; i < 4; i++)
        p[i] = inb(FW_CFG_PORT_DATA);
    dma_state = (id & 2) ? 1 : 2;
    return dma_state == 1;
#else
    return (fwcfg_read32(FW_CFG_ID) & 2) != 0;
#endif
}

/* File directory: be32 count, then { be32 size; be16 select; u16 reserved; char name[56] }. */
u32 fwcfg_find(const char *name, u16 *key)
{
    u32 count;
    fwcfg_select(FW_CFG_FILE_DIR);
    fwcfg_read(&count, 4);
    count = be32(count);
    for (u32 i = 0; i < count && i < 4096; i++) {
        struct { u32 size; u16 select; u16 reserved; char name[56]; } PACKED f;
        fwcfg_read(&f, sizeof(f));
        f.name[55] = 0;
        if (!strcmp(f.name, name)) {
            *key = be16(f.select);
            return be32(f.size);
        }
    }
    return 0;
}

/* A one-digit fw_cfg option (-fw_cfg name=opt/vireo/NAME,string=D); -1 when absent. */
int fwcfg_digit(const char *name)
{
    u16 key;
    u32 size = fwcfg_find(name, &key);
    char c = 0;
    if (size) {
        fwcfg_select(key);
        fwcfg_read(&c, 1);
    }
    return c >= '0' && c <= '9' ? c - '0' : -1;
}

#if !MODE16
struct fwcfg_dma {
    u32 control, length;
    u64 address;
} PACKED;
#define FW_CFG_DMA_ERROR 1
#define FW_CFG_DMA_READ 2
#define FW_CFG_DMA_SKIP 4
#define FW_CFG_DMA_SELECT 8
#define FW_CFG_DMA_WRITE 0x10

/* One DMA transfer (fw_cfg.txt "FW_CFG_DMA_ADDRESS"): control 2 = read, 4 = skip, 8 = select
 * (key in the upper 16 bits). Returns -1 when the device reports an error. */
static int fwcfg_dma(u32 control, void *buf, u32 len)
{
    static volatile struct fwcfg_dma d __attribute__((aligned(16)));
    d.control = be32(control);
    d.length = be32(len);
    d.address = (u64)be32((u32)buf) << 32;     /* big-endian u64 of a 32-bit address */
    barrier();
    /* Writing the low half of the (big-endian) descriptor address starts the transfer. */
    outl(0, FW_CFG_PORT_DMA);
    outl(be32((u32)&d), FW_CFG_PORT_DMA + 4);
    while (be32(d.control) & ~FW_CFG_DMA_ERROR)
        barrier();
    return (be32(d.control) & FW_CFG_DMA_ERROR) ? -1 : 0;
}

/* Write len bytes at offset off of a writable item (only through DMA, as QEMU allows). */
int fwcfg_write(u16 key, u32 off, const void *buf, u32 len)
{
    if (!fwcfg_has_dma() || fwcfg_dma(((u32)key << 16) | FW_CFG_DMA_SELECT | FW_CFG_DMA_SKIP, NULL, off))
        return -1;
    return fwcfg_dma(FW_CFG_DMA_WRITE, (void *)buf, len);
}

void fwcfg_read_to(u16 key, u32 addr, u32 len)
{
    if (fwcfg_has_dma() &&
        !fwcfg_dma(((u32)key << 16) | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ, (void *)addr, len))
        return;
    fwcfg_select(key);
    u8 *p = (u8 *)addr;
    while (len--)
        *p++ = inb(FW_CFG_PORT_DATA);
}
#endif
