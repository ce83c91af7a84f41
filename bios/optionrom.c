/* optionrom.c: expansion ROMs at POST: the VGA ROM first (to C0000h), then other PCI ROMs
 * and ISA ROMs found at C8000h-DFFFFh; each is initialised in real mode with the PnP BIOS
 * calling convention, and PnP boot entry vectors (BEV) become boot-menu entries. */
#include "bios.h"
#include "farptr.h"
#include "fwcfg.h"
#include "output.h"
#include "pci.h"
#include "string.h"
#include "x86.h"

/* PnP BIOS 1.0a section 4.4: the installation check structure ROMs look for via ES:DI. */
struct pnp_header {
    u32 signature;
    u8 version, length;
    u16 control;
    u8 checksum;
    u32 event_flag;
    u16 rm_offset, rm_segment, pm_offset;
    u32 pm_base, oem_id;
    u16 rm_data;
    u32 pm_data;
} PACKED;
VARFSEG_DEF(struct pnp_header, pnp_header) __attribute__((aligned(16)));
VARFSEG_DECL(struct pnp_header, pnp_header);
VARFSEG_DEF(struct bev_list, bev_list);
VARFSEG_DEF(u32, int10_chain);

#if MODE16
extern char pnp_entry16[];
#else
extern char pnp_entry16[] __asm__("f16_pnp_entry16");
extern char entry_10_mirror[] __asm__("f16_entry_10_mirror");
#endif

#if !MODE16
#define ROM_AREA_END 0xe0000
#define OPTION_ROM_STACK 0x6000
static u32 rom_next = 0xc0000;

static int rom_checksum_ok(const u8 *p, u32 len)
{
    u8 sum = 0;
    for (u32 i = 0; i < len; i++)
        sum += p[i];
    return sum == 0;
}

static void pnp_header_init(void)
{
    struct pnp_header *h = &pnp_header;
    memset(h, 0, sizeof(*h));
    h->signature = 0x506e5024;          /* "$PnP" */
    h->version = 0x10;
    h->length = sizeof(*h);
    h->rm_offset = OFFSET16(*pnp_entry16);
    h->rm_segment = BIOS_SEG;
    h->pm_base = BIOS_FLAT;
    h->pm_offset = OFFSET16(*pnp_entry16);
    h->rm_data = BIOS_SEG;
    h->pm_data = BIOS_FLAT;
    u8 sum = 0;
    for (u32 i = 0; i < sizeof(*h); i++)
        sum += ((u8 *)h)[i];
    h->checksum = -sum;
}

/* Call the ROM at addr (initialisation entry at offset 3), AX = PCI bus/devfn. */
static void rom_init(u32 addr, u16 bdf, const char *what)
{
    u8 *rom = (u8 *)addr;
    dprintf(1, "option ROM: %s at %x (%u KiB)\n", what, addr, rom[2] / 2);
    realjump.cs = addr >> 4;
    realjump.ip = 3;
    realjump.ss = 0;
    realjump.sp = OPTION_ROM_STACK;
    realjump.ds = BIOS_SEG;             /* ES:DI -> $PnP header */
    memset(&call16_regs, 0, sizeof(call16_regs));
    call16_regs.eax = bdf;
    call16_regs.ebx = 0xffff;
    call16_regs.edx = 0xffff;
    call16_regs.edi = OFFSET16(pnp_header);
    call16_asm();
    /* A ROM may shrink itself after initialisation (byte 2 = size in 512-byte units). */
    u32 size = rom[0] == 0x55 && rom[1] == 0xaa ? rom[2] * 512u : 0;
    rom_next = ALIGN_UP(addr + (size ? size : 2048), 2048);
    /* PnP expansion header (offset at 1Ah): boot entry vector at +1Ah, product name at +10h. */
    u16 pnp = *(u16 *)(rom + 0x1a);
    if (size && pnp && pnp + 0x20u <= size && !memcmp(rom + pnp, "$PnP", 4)) {
        u16 bev = *(u16 *)(rom + pnp + 0x1a);
        u16 name = *(u16 *)(rom + pnp + 0x10);
        if (bev && bev_list.count < MAX_BEV) {
            struct bev *b = &bev_list.e[bev_list.count++];
            b->seg = addr >> 4;
            b->off = bev;
            memset(b->name, 0, sizeof(b->name));
            if (name && name < size)
                for (u32 i = 0; i < sizeof(b->name) - 1 && rom[name + i]; i++)
                    b->name[i] = rom[name + i];
            dprintf(1, "option ROM: boot entry %s at %x:%x\n", b->name, b->seg, b->off);
        }
    }
}

/* Copy the x86 image of a PCI device's expansion ROM to the next free ROM slot. */
static u32 pci_rom_copy(struct pci_device *d)
{
    if (!d->rom_addr)
        return 0;
    pci_write32(d->bdf, 0x30, d->rom_addr | 1);
    u8 *img = (u8 *)d->rom_addr;
    u32 copied = 0;
    for (int n = 0; n < 8 && img < (u8 *)d->rom_addr + d->rom_size; n++) {
        if (img[0] != 0x55 || img[1] != 0xaa)
            break;
        u8 *pcir = img + *(u16 *)(img + 0x18);
        if (memcmp(pcir, "PCIR", 4))
            break;
        u32 len = *(u16 *)(pcir + 0x10) * 512u;
        if (pcir[0x14] == 0 && *(u16 *)(pcir + 4) == d->vendor) {
            if (rom_next + len > ROM_AREA_END) {
                printf("vireo BIOS: option ROM of %04x:%04x does not fit (%u KiB)\n",
                       d->vendor, d->device, len >> 10);
                break;
            }
            memcpy((void *)rom_next, img, len);
            copied = rom_next;
            break;
        }
        if (pcir[0x15] & 0x80)
            break;                      /* last image */
        img += len;
    }
    pci_write32(d->bdf, 0x30, d->rom_addr);
    return copied;
}

void optionrom_setup(void)
{
    pnp_header_init();
    memset(&bev_list, 0, sizeof(bev_list));
    int have_vga = 0;
    /* VGA first: it must own C0000h and INT 10h before anything prints. */
    for (int i = 0; i < pci_devices.count; i++) {
        struct pci_device *d = &pci_devices.dev[i];
        if (d->class >> 8 != 0x0300 || have_vga)
            continue;
        rom_next = 0xc0000;
        u32 at = pci_rom_copy(d);
        if (at) {
            u32 before = rd32(0, 0x10 * 4);
            rom_init(at, d->bdf, "VGA");
            have_vga = 1;
            if (rd32(0, 0x10 * 4) != before)
                int10_chain = rd32(0, 0x10 * 4);
        }
    }
    /* Keep headless boots readable: mirror INT 10h teletype to COM1 in front of the VGA ROM
     * (before the other ROMs run, so their banners show too). */
    if (int10_chain && serial_mirror_enabled()) {
        wr16(0, 0x10 * 4, OFFSET16(*entry_10_mirror));
        wr16(0, 0x10 * 4 + 2, BIOS_SEG);
    }
    if (!have_vga) {
        rom_next = 0xc0000;
        dprintf(1, "no VGA option ROM: the BIOS's own text INT 10h stays\n");
    }
    for (int i = 0; i < pci_devices.count; i++) {
        struct pci_device *d = &pci_devices.dev[i];
        if (d->class >> 8 == 0x0300)
            continue;
        u32 at = pci_rom_copy(d);
        if (at)
            rom_init(at, d->bdf, "PCI");
    }
    /* Legacy ISA ROMs: 55AAh on a 2 KiB boundary with a valid checksum. */
    for (u32 a = ALIGN_UP(rom_next, 2048); a < ROM_AREA_END; a += 2048) {
        u8 *p = (u8 *)a;
        if (p[0] == 0x55 && p[1] == 0xaa && p[2] && a + p[2] * 512u <= ROM_AREA_END &&
            rom_checksum_ok(p, p[2] * 512u)) {
            rom_init(a, 0xffff, "ISA");
            a = rom_next - 2048;
        }
    }
}
#endif
