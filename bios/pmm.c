/* pmm.c: the POST Memory Manager (PMM specification 1.01) for option ROMs: the $PMM structure
 * in the F-segment, and pmmAllocate / pmmFind / pmmDeallocate from two pools: conventional
 * memory taken from the top of base memory (BDA 413h, up to 64 KiB) and 4 MiB of extended
 * memory below the firmware tables. As the specification says, the blocks belong to POST:
 * the $PMM signature goes away before the boot, and the memory with it. */
#include "bios.h"
#include "farptr.h"
#include "output.h"
#include "string.h"
#include "x86.h"

#define PMM_EXT_SIZE (4u << 20)
#define PMM_EXT_GAP (256u << 10)        /* kept free for the ACPI/SMBIOS tables above */
#define PMM_CONV_MAX (64u << 10)
#define PMM_BLOCKS 24
#define PMM_ANONYMOUS 0xffffffffu

struct pmm_header {
    char signature[4];
    u8 revision, length, checksum;
    u16 entry_off, entry_seg;
    u8 reserved[5];
} PACKED;
STATIC_ASSERT(sizeof(struct pmm_header) == 16, "PMM structure is 16 bytes");

struct pmm_state {
    u32 ext_next, ext_end;              /* the extended pool grows up from ext_next */
    u32 conv_floor;                     /* conventional blocks stay above this */
    u32 nblocks;
    struct { u32 addr, size, handle; } b[PMM_BLOCKS];
};

VARFSEG_DEF(struct pmm_header, pmm_header) __attribute__((aligned(16)));
VARFSEG_DECL(struct pmm_header, pmm_header);
VARFSEG_DEF(struct pmm_state, pmm);
VARFSEG_DECL(struct pmm_state, pmm);

#if MODE16
extern char pmm_entry16[];
#else
extern char pmm_entry16[] __asm__("f16_pmm_entry16");
#endif

#if !MODE16
void pmm_setup(void)
{
    memset(&pmm, 0, sizeof(pmm));
    u32 top = memmap.ram_below_4g;
    if (top > 16 * 1024 * 1024) {
        pmm.ext_end = (top - PMM_EXT_GAP) & ~0xffffu;
        pmm.ext_next = pmm.ext_end - PMM_EXT_SIZE;
    }
    pmm.conv_floor = rd16(BDA_SEG, BDA_MEM_KB) * 1024 - PMM_CONV_MAX;
    struct pmm_header h = { "$PMM", 0x01, sizeof(h), 0, OFFSET16(*pmm_entry16), BIOS_SEG, { 0 } };
    u8 sum = 0;
    for (u32 i = 0; i < sizeof(h); i++)
        sum += ((u8 *)&h)[i];
    h.checksum = -sum;
    pmm_header = h;
}

/* POST is over: option ROMs can no longer find the PMM. */
void pmm_close(void) { memset(&pmm_header, 0, sizeof(pmm_header)); }
#endif

#if MODE16
static u32 pow2_at_least(u32 v)
{
    u32 p = 16;
    while (p < v && p)
        p <<= 1;
    return p;
}

static u32 pmm_allocate(u32 paragraphs, u32 handle, u16 flags)
{
    u32 conv_top = (u32)rd16(BDA_SEG, BDA_MEM_KB) * 1024;
    u32 conv_free = conv_top > pmm.conv_floor ? conv_top - pmm.conv_floor : 0;
    u32 ext_free = pmm.ext_end - pmm.ext_next;
    if (!(flags & 3))
        return 0;
    if (paragraphs == 0) {               /* the largest block that could be had */
        u32 best = (flags & 2) ? ext_free : 0;
        if ((flags & 1) && conv_free > best)
            best = conv_free;
        return best / 16;
    }
    if (paragraphs > 0x0fffffff || pmm.nblocks >= PMM_BLOCKS)
        return 0;
    u32 size = paragraphs * 16, align = flags & 4 ? pow2_at_least(size) : 16, addr = 0;
    if (flags & 2) {
        u32 at = ALIGN_UP(pmm.ext_next, align);
        if (align && at >= pmm.ext_next && at + size <= pmm.ext_end && at + size > at) {
            addr = at;
            pmm.ext_next = at + size;
        }
    }
    if (!addr && (flags & 1)) {
        /* from the top of base memory down, in whole KiB */
        u32 at = (conv_top - size) & ~(align - 1) & ~1023u;
        if (align && size <= conv_top && at >= pmm.conv_floor) {
            addr = at;
            wr16(BDA_SEG, BDA_MEM_KB, at / 1024);
            size = conv_top - at;
        }
    }
    if (!addr)
        return 0;
    pmm.b[pmm.nblocks].addr = addr;
    pmm.b[pmm.nblocks].size = size;
    pmm.b[pmm.nblocks++].handle = handle;
    dprintf(3, "PMM: %u bytes at %x (handle %x)\n", size, addr, handle);
    return addr;
}

static u32 pmm_find(u32 handle)
{
    if (handle == PMM_ANONYMOUS)
        return 0;
    for (u32 i = 0; i < pmm.nblocks; i++)
        if (pmm.b[i].handle == handle)
            return pmm.b[i].addr;
    return 0;
}

/* The pools are stacks: freeing the newest block of a pool gives its memory back. */
static u32 pmm_deallocate(u32 addr)
{
    for (u32 i = 0; i < pmm.nblocks; i++) {
        if (pmm.b[i].addr != addr)
            continue;
        u32 size = pmm.b[i].size;
        if (addr >= 0x100000 && addr + size == pmm.ext_next)
            pmm.ext_next = addr;
        else if (addr < 0x100000 && addr == (u32)rd16(BDA_SEG, BDA_MEM_KB) * 1024)
            wr16(BDA_SEG, BDA_MEM_KB, (addr + size) / 1024);
        pmm.b[i] = pmm.b[--pmm.nblocks];
        return 0;
    }
    return 1;
}

/* Called by pmm_entry16 with the caller's stack: function, then its arguments (PMM 1.01
 * section 3.2: C calling convention, 16-bit words). Returns DX:AX. */
VISIBLE16 u32 pmm_dispatch(u32 seg, u32 off)
{
    u16 fn = rd16(seg, off);
    switch (fn) {
    case 0:
        return pmm_allocate(rd32(seg, off + 2), rd32(seg, off + 6), rd16(seg, off + 10));
    case 1:
        return pmm_find(rd32(seg, off + 2));
    case 2:
        return pmm_deallocate(rd32(seg, off + 2));
    }
    dprintf(1, "vireo BIOS: PMM function %u does not exist\n", fn);
    return 0xffffffff;
}
#endif
