/* fw_cfg.h: the firmware configuration interface QEMU defined and SeaBIOS/OVMF/Linux speak:
 * selector 0x510, data 0x511, DMA address 0x514 (QEMU docs/specs/fw_cfg.rst). */
#ifndef HW_MISC_FW_CFG_H
#define HW_MISC_FW_CFG_H

#include "hw/core/device.h"
#include "hw/core/memory.h"

enum {
    FW_CFG_SIGNATURE = 0x00, FW_CFG_ID = 0x01, FW_CFG_UUID = 0x02, FW_CFG_RAM_SIZE = 0x03,
    FW_CFG_NOGRAPHIC = 0x04, FW_CFG_NB_CPUS = 0x05, FW_CFG_MACHINE_ID = 0x06,
    FW_CFG_KERNEL_ADDR = 0x07, FW_CFG_KERNEL_SIZE = 0x08, FW_CFG_KERNEL_CMDLINE = 0x09,
    FW_CFG_INITRD_ADDR = 0x0a, FW_CFG_INITRD_SIZE = 0x0b, FW_CFG_BOOT_DEVICE = 0x0c,
    FW_CFG_NUMA = 0x0d, FW_CFG_BOOT_MENU = 0x0e, FW_CFG_MAX_CPUS = 0x0f,
    FW_CFG_KERNEL_ENTRY = 0x10, FW_CFG_KERNEL_DATA = 0x11, FW_CFG_INITRD_DATA = 0x12,
    FW_CFG_CMDLINE_ADDR = 0x13, FW_CFG_CMDLINE_SIZE = 0x14, FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_SETUP_ADDR = 0x16, FW_CFG_SETUP_SIZE = 0x17, FW_CFG_SETUP_DATA = 0x18,
    FW_CFG_FILE_DIR = 0x19, FW_CFG_FILE_FIRST = 0x20,
    FW_CFG_WRITE_CHANNEL = 0x4000, FW_CFG_ARCH_LOCAL = 0x8000,
    /* x86 arch-local keys */
    FW_CFG_ACPI_TABLES = 0x8000, FW_CFG_SMBIOS_ENTRIES = 0x8001, FW_CFG_IRQ0_OVERRIDE = 0x8002,
    FW_CFG_E820_TABLE = 0x8003, FW_CFG_HPET = 0x8004,
};
#define FW_CFG_MAX_FILES 128
#define FW_CFG_MAX_FILE_PATH 56
#define FW_CFG_KEY_SPACE (FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES)

/* DMA access descriptor in guest memory, all fields big-endian. */
#define FW_CFG_DMA_CTL_ERROR  0x01
#define FW_CFG_DMA_CTL_READ   0x02
#define FW_CFG_DMA_CTL_SKIP   0x04
#define FW_CFG_DMA_CTL_SELECT 0x08
#define FW_CFG_DMA_CTL_WRITE  0x10
#define FW_CFG_DMA_SIGNATURE  0x51454d5520434647ULL   /* "QEMU CFG" */

typedef struct FWCfgEntry {
    uint8_t *data;
    uint32_t len;
    bool writable;
    char name[FW_CFG_MAX_FILE_PATH];   /* files only */
} FWCfgEntry;

typedef struct FWCfgState {
    Device dev;
    uint32_t iobase, dma_iobase;
    bool dma_enabled;
    FWCfgEntry entries[2][FW_CFG_KEY_SPACE];   /* [0] generic keys, [1] arch-local */
    int nfiles;
    uint16_t cur_key;
    bool cur_valid;
    uint32_t cur_offset;
    uint32_t dma_addr_high;
    AddressSpace *dma_as;
    MemoryRegion io, dma_io;
} FWCfgState;

/* The device on board.system_io (ports 0x510/0x511 and DMA at 0x514), DMA into board.memory_as. */
FWCfgState *fw_cfg_create(Error **errp);
/* Items hold copies of the data. */
void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data, uint32_t len);
void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str);   /* with its NUL */
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value);        /* little-endian */
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value);
/* A named file (listed in the directory, sorted by name); replaces one of the same name.
 * Returns its selector key, or -1 (with an error line) if the name is too long or the
 * directory is full. */
int fw_cfg_add_file(FWCfgState *s, const char *name, const void *data, uint32_t len);
/* A file the guest may write by DMA (e.g. "etc/boot-fail-wait"); same rules. */
int fw_cfg_add_file_writable(FWCfgState *s, const char *name, const void *data, uint32_t len);
const FWCfgEntry *fw_cfg_find_file(FWCfgState *s, const char *name);

#endif
