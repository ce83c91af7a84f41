/* linux.c: direct Linux boot from fw_cfg (-kernel/-initrd/-append) following the x86 boot
 * protocol (Documentation/x86/boot.rst): setup code in low memory, protected-mode kernel at
 * 1 MiB, initrd below initrd_addr_max, command line, then a jump to the real-mode setup. */
#include "bios.h"
#include "farptr.h"
#include "fwcfg.h"
#include "output.h"
#include "string.h"
#include "x86.h"

#if !MODE16
/* Offsets in the real-mode kernel header (boot.rst "THE REAL-MODE KERNEL HEADER"). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_BOOT_FLAG 0x1fe
#define HDR_HEADER 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80

int linux_boot_prepare(void)
{
    u32 kernel_size = fwcfg_read32(FW_CFG_KERNEL_SIZE);
    if (!kernel_size)
        return 0;
    u32 setup_addr = fwcfg_read32(FW_CFG_SETUP_ADDR);
    u32 setup_size = fwcfg_read32(FW_CFG_SETUP_SIZE);
    u32 kernel_addr = fwcfg_read32(FW_CFG_KERNEL_ADDR);
    u32 initrd_addr = fwcfg_read32(FW_CFG_INITRD_ADDR);
    u32 initrd_size = fwcfg_read32(FW_CFG_INITRD_SIZE);
    u32 cmdline_addr = fwcfg_read32(FW_CFG_CMDLINE_ADDR);
    u32 cmdline_size = fwcfg_read32(FW_CFG_CMDLINE_SIZE);
    printf("Booting Linux from fw_cfg: kernel %u KiB, initrd %u KiB\n", kernel_size >> 10,
           initrd_size >> 10);
    /* An emulator that leaves the placement to the firmware gives zero addresses: use the
     * layout of boot.rst's "modern bzImage" example (setup at 10000h, command line after the
     * setup heap, kernel at 1 MiB). The initrd address is chosen below, once the header is in. */
    if (fwcfg_digit("opt/vireo/linux-layout") == 1) {
        /* -fw_cfg name=opt/vireo/linux-layout,string=1: ignore the emulator's placement. */
        setup_addr = cmdline_addr = kernel_addr = initrd_addr = 0;
    }
    if (!setup_addr)
        setup_addr = 0x10000;
    if (!cmdline_addr)
        cmdline_addr = setup_addr + 0x10000;
    if (!kernel_addr)
        kernel_addr = 0x100000;
    if (!setup_size || setup_addr < 0x10000 || setup_addr + setup_size > 0x9a000 ||
        (setup_addr & 15)) {
        printf("vireo BIOS: Linux boot: bad setup placement %x+%x\n", setup_addr, setup_size);
        return 0;
    }
    fwcfg_read_to(FW_CFG_SETUP_DATA, setup_addr, setup_size);
    u8 *hdr = (u8 *)setup_addr;
    u16 version = *(u16 *)(hdr + HDR_VERSION);
    if (memcmp(hdr + HDR_HEADER, "HdrS", 4) || version < 0x202) {
        printf("vireo BIOS: not implemented: Linux boot protocol before 2.02\n");
        return 0;
    }
    if (kernel_addr + kernel_size > memmap.ram_below_4g) {
        printf("vireo BIOS: Linux boot: kernel does not fit in RAM\n");
        return 0;
    }
    fwcfg_read_to(FW_CFG_KERNEL_DATA, kernel_addr, kernel_size);
    if (cmdline_size)
        fwcfg_read_to(FW_CFG_CMDLINE_DATA, cmdline_addr, cmdline_size);
    if (initrd_size) {
        u32 max = *(u32 *)(hdr + HDR_INITRD_ADDR_MAX);
        if (!initrd_addr) {
            /* As high as allowed: below initrd_addr_max and below the firmware tables
             * (the E820 RAM entry that ends the low RAM). */
            u32 top = max + 1;
            for (u32 i = 0; i < memmap.count; i++) {
                struct e820_entry *e = &memmap.e[i];
                if (e->type == E820_RAM && e->addr == 0x100000 && e->addr + e->len < top)
                    top = e->addr + e->len;
            }
            initrd_addr = (top - initrd_size) & ~0xfffu;
        }
        if (initrd_addr + initrd_size - 1 > max || initrd_addr + initrd_size > memmap.ram_below_4g) {
            printf("vireo BIOS: Linux boot: initrd at %x is above initrd_addr_max %x\n",
                   initrd_addr, max);
            return 0;
        }
        fwcfg_read_to(FW_CFG_INITRD_DATA, initrd_addr, initrd_size);
    }
    /* The loader fields (boot.rst "LOADING THE REST OF THE KERNEL"); the emulator usually
     * fills them already, setting them again keeps us correct when it does not. */
    if (!hdr[HDR_TYPE_OF_LOADER])
        hdr[HDR_TYPE_OF_LOADER] = 0xff;
    if (cmdline_size)
        *(u32 *)(hdr + HDR_CMD_LINE_PTR) = cmdline_addr;
    *(u32 *)(hdr + HDR_RAMDISK_IMAGE) = initrd_size ? initrd_addr : 0;
    *(u32 *)(hdr + HDR_RAMDISK_SIZE) = initrd_size;
    u32 heap_end = 0xfe00;
    if (cmdline_addr > setup_addr && cmdline_addr - setup_addr < 0x10000)
        heap_end = cmdline_addr - setup_addr - 0x200;
    *(u16 *)(hdr + HDR_HEAP_END_PTR) = heap_end;
    hdr[HDR_LOADFLAGS] |= CAN_USE_HEAP;

    u16 seg = setup_addr >> 4;
    realjump.cs = seg + 0x20;
    realjump.ip = 0;
    realjump.ss = seg;
    realjump.sp = heap_end + 0x200 > 0xfff0 ? 0xfff0 : heap_end + 0x200;
    realjump.ds = seg;
    dprintf(1, "linux: setup %x kernel %x initrd %x+%x cmdline %x\n", setup_addr, kernel_addr,
            initrd_addr, initrd_size, cmdline_addr);
    return 1;
}
#endif
