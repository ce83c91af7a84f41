/* pc.h: the pc machine — RAM layout, firmware, CPUs and the devices of a PC, wired together. */
#ifndef HW_PC_PC_H
#define HW_PC_PC_H

#include "util/osdep.h"
#include "util/error.h"
#include "cpu/x86/cpu.h"
#include "hw/core/memory.h"

#define PC_MAX_SERIAL 4

typedef struct PCMachineConfig {
    uint64_t ram_size;
    int ncpus;
    const char *bios;              /* firmware image; NULL: none (only with a Multiboot -kernel) */
    const char *kernel, *initrd, *append;
    const char *serial_chardev[PC_MAX_SERIAL];   /* chardev ids, NULL: no port */
    const char *boot_order;        /* "cd", from -boot */
    bool boot_menu;
    const char *rtc;               /* -rtc suboptions, given to the RTC as its properties */
    bool nographic;                /* firmware console on COM1 (SeaBIOS: etc/sercon-port) */
    bool no_apic;                  /* PIC-only PC: no local APIC, I/O APIC or HPET (-cpu ...,-apic) */
    bool no_hpet;                  /* -no-hpet */
} PCMachineConfig;

typedef struct PCMachine {
    PCMachineConfig cfg;
    MemoryRegion system_memory, system_io;
    AddressSpace memory_as, io_as;
    MemoryRegion ram;              /* mapped below and above 4 GiB by the chipset */
    MemoryRegion bios;             /* mapped by the chipset */
    struct PCChipset *chipset;
    struct Device *ide;            /* piix3-ide at 01.1: the two IDE channels */
    struct Device *fdc;            /* isa-fdc (with its isa-dma) */
    uint64_t below_4g, above_4g;
    X86CPU **cpus;
    int ncpus;
    bool direct_boot;              /* CPU state was set up by a kernel loader, not the firmware */
    X86CPUState boot_state;        /* ...and this is it, re-applied at every reset */
} PCMachine;

/* Build the machine. On error, nothing is running and the error says what is wrong. */
PCMachine *pc_machine_create(const PCMachineConfig *cfg, Error **errp);
/* Reset CPUs and devices to the power-on (or direct-boot) state. Big lock held. */
void pc_machine_reset(PCMachine *pc);

/* Is the firmware vireo's own BIOS (as opposed to SeaBIOS or another)? Option ROMs that pair
 * with a system BIOS (the VGA BIOS, the Linux-boot ROM) follow from it. */
bool pc_firmware_is_vireo(const PCMachine *pc);

/* The E820-style map of the machine, for loaders: avail RAM and reserved holes. */
typedef struct PCMemMapEntry {
    uint64_t base, length;
    uint32_t type;                 /* 1 usable, 2 reserved */
} PCMemMapEntry;
int pc_memory_map(const PCMachine *pc, PCMemMapEntry *out, int max);

/* Give the CPU the local APIC model `apic` (the pc machine does it for each CPU in APIC mode):
 * IA32_APIC_BASE, CR8 and IA32_TSC_DEADLINE reach the model. */
struct APICState;
void pc_cpu_connect_apic(X86CPU *cpu, struct APICState *apic);

/* Multiboot v1 (hw/pc/multiboot.c): true if the file has a Multiboot header. */
bool multiboot_probe(const uint8_t *image, size_t size);
bool multiboot_load(PCMachine *pc, const char *kernel, const uint8_t *image, size_t size,
                    const char *cmdline, const char *initrd, Error **errp);

/* Read a whole file (for firmware and kernels), with a size cap; NULL + error on failure. */
uint8_t *pc_load_file(const char *path, size_t max, size_t *size, Error **errp);

#endif
