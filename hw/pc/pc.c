/* pc.c: the pc machine — an i440FX-style PC: RAM below and above the PCI hole, the BIOS at
 * the top of 4 GiB (its last 128 KiB also below 1 MiB), CPUs, COM ports, debug devices. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/core/device.h"
#include "hw/pc/chipset.h"
#include "hw/pc/pc.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* RAM above this stays below 4 GiB only up to the start of the PCI hole. */
#define PCI_HOLE_START_BIG  0xc0000000ULL
#define PCI_HOLE_START_MAX  0xe0000000ULL
#define BIOS_MAX_SIZE       (16 * MiB)

uint8_t *pc_load_file(const char *path, size_t max, size_t *size, Error **errp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error_setg(errp, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        error_setg(errp, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size > max) {
        error_setg(errp, "%s: too large (%lld bytes, at most %zu)", path, (long long)st.st_size, max);
        close(fd);
        return NULL;
    }
    uint8_t *buf = xmalloc(st.st_size ? st.st_size : 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, st.st_size - got);
        if (n <= 0) {
            error_setg(errp, "%s: read error: %s", path, n < 0 ? strerror(errno) : "file shrank");
            free(buf);
            close(fd);
            return NULL;
        }
        got += n;
    }
    close(fd);
    *size = got;
    return buf;
}

int pc_memory_map(const PCMachine *pc, PCMemMapEntry *out, int max)
{
    PCMemMapEntry e[8];
    int n = 0;
    e[n++] = (PCMemMapEntry){ 0, 0x9fc00, 1 };
    e[n++] = (PCMemMapEntry){ 0x9fc00, 0x400, 2 };        /* EBDA */
    e[n++] = (PCMemMapEntry){ 0xf0000, 0x10000, 2 };      /* BIOS area */
    if (pc->below_4g > 1 * MiB)
        e[n++] = (PCMemMapEntry){ 1 * MiB, pc->below_4g - 1 * MiB, 1 };
    e[n++] = (PCMemMapEntry){ 0xfffc0000, 0x40000, 2 };   /* BIOS ROM at the top of 4 GiB */
    if (pc->above_4g)
        e[n++] = (PCMemMapEntry){ 4 * GiB, pc->above_4g, 1 };
    n = MIN(n, max);
    memcpy(out, e, n * sizeof(*e));
    return n;
}

static void pc_setup_ram(PCMachine *pc)
{
    uint64_t ram = pc->cfg.ram_size;
    /* Keep the PCI hole below 4 GiB: up to 3.5 GiB of RAM stays low, more is split at 3 GiB. */
    pc->below_4g = ram <= PCI_HOLE_START_MAX ? ram : PCI_HOLE_START_BIG;
    pc->above_4g = ram - pc->below_4g;
    memory_region_init_ram(&pc->ram, "pc.ram", ram);
}

/* The firmware ROM; the chipset maps it at the top of 4 GiB and, through PAM, below 1 MiB. */
static bool pc_setup_bios(PCMachine *pc, Error **errp)
{
    size_t size = 0;
    uint8_t *image = NULL;
    if (pc->cfg.bios) {
        image = pc_load_file(pc->cfg.bios, BIOS_MAX_SIZE, &size, errp);
        if (!image) {
            error_prepend(errp, "firmware: ");
            return false;
        }
        if (size < 64 * KiB || (size & (size - 1))) {
            error_setg(errp, "firmware %s: size %zu is not a power of two of at least 64 KiB",
                       pc->cfg.bios, size);
            free(image);
            return false;
        }
    } else {
        size = 64 * KiB;     /* a ROM of 0xff bytes: there is no firmware (direct boot only) */
    }
    memory_region_init_rom(&pc->bios, "pc.bios", size);
    if (image)
        memcpy(pc->bios.host, image, size);
    else
        memset(pc->bios.host, 0xff, size);
    free(image);
    return true;
}

/* The boot CPU's INTR input: driven by its local APIC, or by the PIC in a PC without APIC. */
static void pc_cpu_intr(void *opaque, int n, int level)
{
    PCMachine *pc = opaque;
    if (level)
        x86_cpu_interrupt(pc->cpus[0], CPU_INTERRUPT_HARD);
    else
        x86_cpu_clear_interrupt(pc->cpus[0], CPU_INTERRUPT_HARD);
}

/* The NMI input of the boot CPU: the local APIC's LINT1 and NMI messages. */
static void pc_cpu_nmi(void *opaque, int n, int level)
{
    PCMachine *pc = opaque;
    if (level)
        x86_cpu_interrupt(pc->cpus[0], CPU_INTERRUPT_NMI);
}

/* X86APICHooks: the CPU's MSRs and CR8 onto the local APIC model. */
static void pc_apic_set_base(void *opaque, uint64_t apic_base)
{
    apic_set_base(opaque, apic_base);
}

static uint8_t pc_apic_get_tpr(void *opaque)
{
    return apic_get_tpr(opaque);
}

static void pc_apic_set_tpr(void *opaque, uint8_t cr8)
{
    apic_set_tpr(opaque, cr8);
}

static uint64_t pc_apic_get_tsc_deadline(void *opaque)
{
    return apic_get_tsc_deadline(opaque);
}

static void pc_apic_set_tsc_deadline(void *opaque, uint64_t deadline, uint64_t tsc_now,
                                     uint64_t tsc_hz)
{
    apic_set_tsc_deadline(opaque, deadline, tsc_now, tsc_hz);
}

/* An INIT IPI: the local APIC resets at once (all but its ID, SDM 3A 10.4.7.3), the CPU at its
 * next instruction boundary. A STARTUP IPI only wakes a CPU waiting for one, which the boot
 * CPU never is; there are no others yet. */
static void pc_apic_cpu_init(void *opaque, int apic_id)
{
    PCMachine *pc = opaque;
    if (apic_id >= pc->ncpus)
        return;
    APICState *apic = pc->chipset->apic[apic_id];
    apic->dev.cls->reset(&apic->dev);
    x86_cpu_interrupt(pc->cpus[apic_id], CPU_INTERRUPT_INIT);
}

static void pc_apic_cpu_sipi(void *opaque, int apic_id, int vector)
{
    qlog(LOG_GUEST_ERRORS, "apic %d: STARTUP IPI (vector %#x) ignored: the CPU is not waiting "
         "for one\n", apic_id, vector);
}

void pc_cpu_connect_apic(X86CPU *cpu, APICState *apic)
{
    cpu->has_apic = true;
    cpu->apic = (X86APICHooks){
        .set_base = pc_apic_set_base, .get_tpr = pc_apic_get_tpr, .set_tpr = pc_apic_set_tpr,
        .get_tsc_deadline = pc_apic_get_tsc_deadline,
        .set_tsc_deadline = pc_apic_set_tsc_deadline, .opaque = apic,
    };
}

static PCMachine *a20_machine;

/* A20 gate (port 0x92, i8042 output port). KVM runs with A20 on whatever we say, as real
 * VT-x/SVM cannot mask it; the translator flushes its TLB and applies the mask. */
static void pc_set_a20(bool enabled)
{
    for (int i = 0; i < a20_machine->ncpus; i++)
        x86_cpu_set_a20(a20_machine->cpus[i], enabled);
}

static bool pc_setup_devices(PCMachine *pc, Error **errp)
{
    /* The storage controllers of a PC are always there, with or without drives. */
    if (!(pc->ide = device_create("piix3-ide", "addr=1.1", errp)) ||
        !device_create("isa-dma", NULL, errp) || !(pc->fdc = device_create("isa-fdc", NULL, errp)))
        return false;
    for (int i = 0; i < PC_MAX_SERIAL; i++) {
        if (!pc->cfg.serial_chardev[i])
            continue;
        char props[96];
        snprintf(props, sizeof props, "index=%d,chardev=%s", i, pc->cfg.serial_chardev[i]);
        if (!device_create("isa-serial", props, errp))
            return false;
    }
    return true;
}

PCMachine *pc_machine_create(const PCMachineConfig *cfg, Error **errp)
{
    PCMachine *pc = xzalloc(sizeof(*pc));
    pc->cfg = *cfg;
    if (cfg->ram_size < 1 * MiB) {
        error_setg(errp, "-m: at least 1 MiB of RAM is needed");
        free(pc);
        return NULL;
    }
    memory_transaction_begin();
    memory_region_init_container(&pc->system_memory, "system", UINT64_MAX);
    memory_region_init_container(&pc->system_io, "io", 0x10000);
    memory_transaction_commit();
    address_space_init(&pc->memory_as, &pc->system_memory, "memory");
    address_space_init(&pc->io_as, &pc->system_io, "I/O");
    pc->io_as.is_io = true;
    board.system_memory = &pc->system_memory;
    board.system_io = &pc->system_io;
    board.memory_as = &pc->memory_as;
    board.io_as = &pc->io_as;

    pc_setup_ram(pc);
    if (!pc_setup_bios(pc, errp))
        return NULL;

    pc->ncpus = cfg->ncpus > 0 ? cfg->ncpus : 1;
    pc->cpus = xzalloc(pc->ncpus * sizeof(*pc->cpus));
    for (int i = 0; i < pc->ncpus; i++) {
        X86CPU *cpu = xzalloc(sizeof(*cpu));
        cpu->index = i;
        cpu->apic_id = i;
        cpu->has_apic = !cfg->no_apic;
        cpu->as = &pc->memory_as;
        cpu->io = &pc->io_as;
        x86_cpu_reset(cpu);
        pc->cpus[i] = cpu;
    }
    a20_machine = pc;
    board.set_a20 = pc_set_a20;

    /* A kernel that is not Multiboot is a Linux bzImage: the chipset publishes it through
     * fw_cfg and the firmware boots it. */
    uint8_t *kernel = NULL, *initrd = NULL;
    size_t kernel_size = 0, initrd_size = 0;
    bool multiboot = false;
    if (cfg->kernel) {
        kernel = pc_load_file(cfg->kernel, 1 * GiB, &kernel_size, errp);
        if (!kernel) {
            error_prepend(errp, "-kernel: ");
            return NULL;
        }
        multiboot = multiboot_probe(kernel, kernel_size);
        /* Linux boot protocol: "HdrS" at 0x202 (Documentation/x86/boot.rst). */
        bool linux_image = kernel_size >= 0x206 && !memcmp(kernel + 0x202, "HdrS", 4);
        if (!multiboot && !linux_image) {
            error_setg(errp, "-kernel %s: neither a Multiboot kernel (no header in the first 8 KiB) "
                       "nor a Linux bzImage (no HdrS boot header)", cfg->kernel);
            free(kernel);
            return NULL;
        }
        if (!multiboot && !cfg->bios) {
            error_setg(errp, "-kernel %s: not a Multiboot kernel, and a Linux kernel needs the "
                       "firmware to boot it, but there is none (give -bios)", cfg->kernel);
            free(kernel);
            return NULL;
        }
        if (!multiboot && cfg->initrd) {
            initrd = pc_load_file(cfg->initrd, pc->below_4g, &initrd_size, errp);
            if (!initrd) {
                error_prepend(errp, "-initrd: ");
                free(kernel);
                return NULL;
            }
        }
    }

    PCChipsetConfig cc = {
        .ram = &pc->ram, .ram_below_4g = pc->below_4g, .ram_above_4g = pc->above_4g,
        .bios = &pc->bios, .ncpus = pc->ncpus, .cpu_intr = irq_alloc_lines(pc_cpu_intr, pc, 1),
        .boot_order = cfg->boot_order, .boot_menu = cfg->boot_menu, .rtc = cfg->rtc,
        .kernel = multiboot ? NULL : kernel, .kernel_size = multiboot ? 0 : kernel_size,
        .initrd = initrd, .initrd_size = initrd_size, .cmdline = cfg->append,
        .apic = !cfg->no_apic, .no_hpet = cfg->no_hpet, .cpu_nmi = irq_alloc_lines(pc_cpu_nmi, pc, 1),
    };
    pc->chipset = pc_chipset_create(&cc, errp);
    free(initrd);
    if (!pc->chipset || !pc_setup_devices(pc, errp)) {
        free(kernel);
        return NULL;
    }
    for (int i = 0; i < pc->ncpus; i++) {
        pc->cpus[i]->intr_source = (X86InterruptSource){ pc_chipset_get_vector, pc->chipset };
        APICState *apic = pc->chipset->apic[i];
        if (apic) {
            pc_cpu_connect_apic(pc->cpus[i], apic);
            apic->cpu_init = pc_apic_cpu_init;
            apic->cpu_sipi = pc_apic_cpu_sipi;
            apic->cpu_opaque = pc;
        }
    }
    if (kernel && !multiboot && !pc_firmware_is_vireo(pc)) {
        /* SeaBIOS-style firmware boots a fw_cfg kernel through an option ROM; vireo's BIOS
         * does it itself. */
        static const char rom_path[] = "/usr/share/qemu/linuxboot_dma.bin";
        Error *rom_err = NULL;
        size_t rom_size;
        uint8_t *rom = pc_load_file(rom_path, 64 * KiB, &rom_size, &rom_err);
        if (rom) {
            fw_cfg_add_file(pc->chipset->fw_cfg, "genroms/linuxboot_dma.bin", rom, rom_size);
            free(rom);
        } else {
            warn_report("-kernel with %s: this firmware boots Linux through %s, which is missing "
                        "(Debian package qemu-system-data); vireo's own BIOS needs no ROM",
                        cfg->bios, rom_path);
            error_free(rom_err);
        }
    }
    if (cfg->nographic) {
        /* No screen: firmware that can (SeaBIOS's sercon) mirrors its console to COM1. */
        static const uint8_t com1[2] = { 0xf8, 0x03 };
        fw_cfg_add_file(pc->chipset->fw_cfg, "etc/sercon-port", com1, sizeof com1);
    }

    if (multiboot) {
        bool ok = multiboot_load(pc, cfg->kernel, kernel, kernel_size, cfg->append ? cfg->append : "",
                                 cfg->initrd, errp);
        free(kernel);
        kernel = NULL;
        if (!ok)
            return NULL;
        pc->direct_boot = true;
        pc->boot_state = pc->cpus[0]->env;
    } else if (!cfg->bios) {
        error_setg(errp, "no firmware and no -kernel: nothing to run");
        return NULL;
    }
    free(kernel);
    return pc;
}

bool pc_firmware_is_vireo(const PCMachine *pc)
{
    return memmem(pc->bios.host, pc->bios.size, "vireo BIOS", 10) != NULL;
}

void pc_machine_reset(PCMachine *pc)
{
    devices_reset_all();
    for (int i = 0; i < pc->ncpus; i++) {
        x86_cpu_reset(pc->cpus[i]);
        pc->cpus[i]->interrupt_request = 0;
        pc->cpus[i]->env_dirty = true;
    }
    /* A direct-boot machine reboots into its kernel again (the loaded image is still in RAM,
     * unless the guest overwrote it, as with QEMU's direct boot). */
    if (pc->direct_boot)
        pc->cpus[0]->env = pc->boot_state;
}
