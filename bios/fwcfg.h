/* fwcfg.h: QEMU-compatible fw_cfg interface (selector 0x510, data 0x511, DMA 0x514). */
#ifndef BIOS_FWCFG_H
#define BIOS_FWCFG_H
#include "types.h"

/* Item keys (QEMU docs/specs/fw_cfg.txt) */
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_KERNEL_ADDR 0x07
#define FW_CFG_KERNEL_SIZE 0x08
#define FW_CFG_KERNEL_CMDLINE 0x09
#define FW_CFG_INITRD_ADDR 0x0a
#define FW_CFG_INITRD_SIZE 0x0b
#define FW_CFG_BOOT_DEVICE 0x0c
#define FW_CFG_BOOT_MENU 0x0e
#define FW_CFG_KERNEL_ENTRY 0x10
#define FW_CFG_KERNEL_DATA 0x11
#define FW_CFG_INITRD_DATA 0x12
#define FW_CFG_CMDLINE_ADDR 0x13
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_SETUP_ADDR 0x16
#define FW_CFG_SETUP_SIZE 0x17
#define FW_CFG_SETUP_DATA 0x18
#define FW_CFG_FILE_DIR 0x19

int fwcfg_present(void);
int fwcfg_has_dma(void);
void fwcfg_select(u16 key);
void fwcfg_read(void *buf, u32 len);    /* from the current position of the selected item */
void fwcfg_skip(u32 len);
u32 fwcfg_read32(u16 key);
u64 fwcfg_read64(u16 key);
/* Look a named file up; returns its size (0 if absent) and its key in *key. */
u32 fwcfg_find(const char *name, u16 *key);
int fwcfg_digit(const char *name);
/* Read a whole item to a flat physical address (32-bit only; DMA when available). */
void fwcfg_read_to(u16 key, u32 addr, u32 len);
/* Write to a writable item at an offset (DMA interface only); -1 on failure. */
int fwcfg_write(u16 key, u32 off, const void *buf, u32 len);

#endif
