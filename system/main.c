/* main.c: vireo, the system emulator — parse QEMU-style options, build the pc machine, pick an
 * accelerator, start the vCPU threads and run the main loop until the guest is done. */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/log.h"
#include "util/option.h"
#include "accel/accel.h"
#include "accel/tcg/tcg-accel.h"
#include "hw/core/board.h"
#include "hw/core/chardev.h"
#include "hw/core/device.h"
#include "hw/pc/chipset.h"
#include "hw/pc/pc.h"
#include "system/chardev-backends.h"
#include "system/cpus.h"
#include "system/drive.h"
#include "system/gdbstub.h"
#include "system/monitor.h"
#include "system/main-loop.h"
#include <signal.h>
#include <unistd.h>
#include <limits.h>

#define VIREO_VERSION "0.1.0"

static const char usage_text[] =
"usage: vireo [options]\n"
"\n"
"vireo is a PC emulator for x86 guests. Options are spelled as QEMU's.\n"
"\n"
"Machine:\n"
"  -m SIZE               RAM size (default unit MiB; suffixes K, M, G), default 128M\n"
"  -smp N                number of CPUs (default 1)\n"
"  -machine pc[,kernel_irqchip=on|off|split]  the machine type (only 'pc'); also -M.\n"
"                        kernel_irqchip: KVM's in-kernel PIC/IOAPIC/APIC/PIT (on, the\n"
"                        default where KVM has it) or vireo's models (off); split is not\n"
"                        implemented (falls back to off, and says so)\n"
"  -cpu qemu64[,-apic]   the one CPU model (also 'max'); -apic: no local APIC, I/O APIC or\n"
"                        HPET (a PIC-only PC; the default is APIC mode, as QEMU's)\n"
"  -bios FILE            firmware image (default: vireo's own bios.bin)\n"
"  -device TYPE[,k=v...] add a device; '-device help' lists types, '-device TYPE,help' properties\n"
"  -no-reboot            exit instead of rebooting (triple fault, guest reset)\n"
"  -no-hpet              no HPET (and no ACPI HPET table)\n"
"  -fw_cfg name=N,file=F|string=S  a file for the firmware in fw_cfg (e.g. opt/..., genroms/...)\n"
"  -vga std|none         the VGA card (default std: Bochs VBE, PCI 1234:1111)\n"
"\n"
"Disks (any format vireo-img knows: raw, qcow2, qcow, vmdk, vdi; probed by content):\n"
"  -hda/-hdb/-hdc/-hdd FILE  IDE disk 0-3          -cdrom FILE  CD-ROM (IDE index 2)\n"
"  -fda/-fdb FILE        floppy 0-1 (360K to 2.88M images)\n"
"  -drive file=F[,if=ide|floppy][,index=N][,media=disk|cdrom][,format=FMT][,readonly=on][,cache=unsafe]\n"
"  -boot [order=]DRIVES[,menu=on]  firmware boot order: a floppy, c disk, d CD-ROM, n network\n"
"  -rtc [base=utc|localtime|YYYY-MM-DD[THH:MM:SS]][,clock=host|rt|vm][,driftfix=none|slew]\n"
"                        the RTC's start time, the clock it follows (default host) and\n"
"                        whether lost periodic interrupts are delivered later (slew)\n"
"\n"
"Boot:\n"
"  -kernel FILE          Multiboot kernel to boot directly\n"
"  -append CMDLINE       kernel command line\n"
"  -initrd FILE[,FILE]   Multiboot modules (each 'file args' as Multiboot passes them)\n"
"\n"
"Accelerator:\n"
"  -accel kvm|tcg|auto   how to run the CPU; auto (default) picks KVM when the host has\n"
"                        VT-x/SVM behind /dev/kvm, else TCG, and says why\n"
"  -enable-kvm           same as -accel kvm\n"
"\n"
"Display and character devices:\n"
"  -nographic            no display; COM1 on stdio (Ctrl-A x quits, Ctrl-A h help)\n"
"  -display none         no display\n"
"  -serial DEV           next COM port: stdio, file:PATH, pipe:PATH, pty, null, none, tcp:HOST:PORT[,server,nowait]\n"
"  -debugcon DEV         the 0xe9 debug console, same back ends\n"
"  -monitor DEV          the human monitor (help, info registers, x, screendump, sendkey, quit ...)\n"
"\n"
"Debugging:\n"
"  -s                    gdb server on tcp::1234 (same as -gdb tcp::1234)\n"
"  -gdb tcp:[HOST]:PORT  gdb server on that port\n"
"  -S                    do not start the CPU until gdb says continue\n"
"  -d ITEM[,ITEM]        log items ('-d help' lists them)\n"
"  -D FILE               write the log to FILE instead of stderr\n"
"  -singlestep           TCG: translate one guest instruction per block\n"
"\n"
"  -h, -help, --help     this text\n"
"  -version, --version   the version\n"
"\n"
"Not available yet (each says so when used): -qmp, -display sdl, -netdev/-nic, CPU models\n"
"and -cpu flags other than apic.\n"
"Differences from QEMU: with neither -nographic nor -display, COM1 still goes to stdio,\n"
"since vireo has no window yet.\n";

typedef struct Options {
    PCMachineConfig pc;
    const char *accel;
    const char *serial[PC_MAX_SERIAL];
    int nserial;
    const char *debugcon;
    const char **devices;
    int ndevices;
    bool nographic;
    bool display_none;
    const char *vga;              /* -vga TYPE */
    const char *monitor;          /* -monitor DEV */
    const char **fw_cfg;          /* -fw_cfg name=N,file=F|string=S */
    int nfw_cfg;
    const char *gdb;              /* -gdb DEV, -s */
    bool start_stopped;           /* -S */
    const char *kernel_irqchip;   /* -machine kernel_irqchip= (KVM: on, off, split) */
} Options;

static NORETURN void bad_option(const char *fmt, ...) PRINTF_FMT(1, 2);
static void bad_option(const char *fmt, ...)
{
    va_list ap;
    char msg[512];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fatal("%s", msg);
}

static const char *const not_yet[][2] = {
    { "-qmp", "QMP" },
    { "-netdev", "networking" }, { "-nic", "networking" }, { "-net", "networking" },
    { "-icount", "deterministic execution" }, { "-snapshot", "snapshots" },
    { "-loadvm", "snapshots" },
};

static bool takes_arg(const char *opt)
{
    static const char *const with_arg[] = { "-qmp", "-vga", "-netdev", "-nic", "-net",
        "-icount", "-loadvm" };
    for (size_t i = 0; i < ARRAY_SIZE(with_arg); i++)
        if (!strcmp(opt, with_arg[i]))
            return true;
    return false;
}

/* -cpu MODEL[,FLAG...]: vireo has one CPU model; QEMU's names for a generic x86-64 CPU name it,
 * and of the feature flags only the local APIC can be taken away (QEMU's -cpu qemu64,-apic). */
static void parse_cpu(const char *arg, PCMachineConfig *pc)
{
    OptList *l = opts_parse(arg, "model");
    const char *model = l->n ? l->items[0].value : "";
    if (!strcmp(model, "help")) {
        printf("Available CPUs:\n  qemu64  vireo's x86-64 CPU (also: max)\nFlags: apic (-apic: no local APIC)\n");
        exit(0);
    }
    if (strcmp(model, "qemu64") && strcmp(model, "max"))
        bad_option("-cpu %s: CPU model '%s' is not available (vireo has one CPU model, qemu64 or max)", arg, model);
    for (int k = 1; k < l->n; k++) {
        const char *key = l->items[k].key, *val = l->items[k].value;
        bool on;
        if ((key[0] == '+' || key[0] == '-') && !val) {
            on = key[0] == '+';
            key++;
        } else if (!val || !parse_bool(val, &on)) {
            bad_option("-cpu %s: '%s' is not +FLAG, -FLAG or FLAG=on|off", arg, l->items[k].key);
        }
        if (strcmp(key, "apic"))
            bad_option("-cpu %s: CPU feature '%s' cannot be changed (only apic can, yet)", arg, key);
        pc->no_apic = !on;
    }
    opts_free(l);
}

static void parse_args(int argc, char **argv, Options *o)
{
    o->pc.ram_size = 128 * MiB;
    o->pc.ncpus = 1;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        /* QEMU accepts --opt as -opt. */
        if (opt[0] == '-' && opt[1] == '-' && opt[2])
            opt++;
        const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG() do { if (!arg) bad_option("option %s needs an argument", argv[i]); i++; } while (0)
        if (!strcmp(opt, "-h") || !strcmp(opt, "-help")) {
            fputs(usage_text, stdout);
            exit(0);
        } else if (!strcmp(opt, "-version")) {
            printf("vireo version " VIREO_VERSION "\n");
            exit(0);
        } else if (!strcmp(opt, "-m")) {
            NEED_ARG();
            const char *v = !strncmp(arg, "size=", 5) ? arg + 5 : arg;
            uint64_t sz;
            char last = *v ? v[strlen(v) - 1] : 0;
            bool suffixed = last && strchr("kKmMgGtTbB", last);
            if (!parse_size(v, &sz))
                bad_option("-m %s: not a size (try -m 512 or -m 2G)", arg);
            if (!suffixed)
                sz *= MiB;
            if (sz < 1 * MiB || sz > 1024 * GiB)
                bad_option("-m %s: RAM size must be between 1 MiB and 1 TiB", arg);
            o->pc.ram_size = sz;
        } else if (!strcmp(opt, "-smp")) {
            NEED_ARG();
            uint64_t n;
            const char *v = !strncmp(arg, "cpus=", 5) ? arg + 5 : arg;
            if (!parse_uint(v, 255, &n) || n == 0)
                bad_option("-smp %s: expected a CPU count from 1 to 255", arg);
            if (n > 1)
                bad_option("-smp %s: only one CPU is supported yet (SMP bring-up is not implemented)", arg);
            o->pc.ncpus = n;
        } else if (!strcmp(opt, "-machine") || !strcmp(opt, "-M")) {
            NEED_ARG();
            OptList *l = opts_parse(arg, "type");
            const char *type = opts_get(l, "type"), *acc = opts_get(l, "accel");
            if (type && strcmp(type, "pc") && strcmp(type, "help"))
                bad_option("-machine %s: unknown machine type '%s' (vireo emulates 'pc')", arg, type);
            if (type && !strcmp(type, "help")) {
                printf("Supported machines are:\npc                   Standard PC (i440FX + PIIX) (default)\n");
                exit(0);
            }
            if (acc)
                o->accel = xstrdup(acc);
            for (int k = 0; k < l->n; k++) {
                const char *key = l->items[k].key, *val = l->items[k].value;
                if (!strcmp(key, "kernel_irqchip") || !strcmp(key, "kernel-irqchip")) {
                    if (!val || (strcmp(val, "on") && strcmp(val, "off") && strcmp(val, "split")))
                        bad_option("-machine %s: kernel_irqchip takes on, off or split", arg);
                    o->kernel_irqchip = xstrdup(val);
                } else if (strcmp(key, "type") && strcmp(key, "accel")) {
                    bad_option("-machine %s: unknown property '%s'", arg, key);
                }
            }
            opts_free(l);
        } else if (!strcmp(opt, "-cpu")) {
            NEED_ARG();
            parse_cpu(arg, &o->pc);
        } else if (!strcmp(opt, "-bios")) {
            NEED_ARG();
            o->pc.bios = arg;
        } else if (!strcmp(opt, "-kernel")) {
            NEED_ARG();
            o->pc.kernel = arg;
        } else if (!strcmp(opt, "-append")) {
            NEED_ARG();
            o->pc.append = arg;
        } else if (!strcmp(opt, "-initrd")) {
            NEED_ARG();
            o->pc.initrd = arg;
        } else if (!strcmp(opt, "-accel")) {
            NEED_ARG();
            o->accel = arg;
        } else if (!strcmp(opt, "-enable-kvm")) {
            o->accel = "kvm";
        } else if (!strcmp(opt, "-nographic")) {
            o->nographic = true;
        } else if (!strcmp(opt, "-display")) {
            NEED_ARG();
            if (!strcmp(arg, "none"))
                o->display_none = true;
            else if (!strcmp(arg, "help"))
                printf("Available display backend types:\nnone\n"), exit(0);
            else
                bad_option("-display %s: not available yet (vireo has no display back end but 'none')", arg);
        } else if (!strcmp(opt, "-serial")) {
            NEED_ARG();
            if (o->nserial == PC_MAX_SERIAL)
                bad_option("-serial %s: at most %d serial ports", arg, PC_MAX_SERIAL);
            o->serial[o->nserial++] = arg;
        } else if (!strcmp(opt, "-debugcon")) {
            NEED_ARG();
            o->debugcon = arg;
        } else if (!strcmp(opt, "-device")) {
            NEED_ARG();
            o->devices = xrealloc(o->devices, (o->ndevices + 1) * sizeof(*o->devices));
            o->devices[o->ndevices++] = arg;
        } else if (!strcmp(opt, "-hda") || !strcmp(opt, "-hdb") || !strcmp(opt, "-hdc") ||
                   !strcmp(opt, "-hdd") || !strcmp(opt, "-cdrom") || !strcmp(opt, "-fda") ||
                   !strcmp(opt, "-fdb") || !strcmp(opt, "-drive")) {
            NEED_ARG();
            char *spec;
            char *file = xstrdup(arg);
            /* A file name is one option value: double its commas. */
            char *esc = xmalloc(2 * strlen(arg) + 1), *w = esc;
            for (const char *c = arg; *c; c++) {
                *w++ = *c;
                if (*c == ',')
                    *w++ = ',';
            }
            *w = 0;
            if (!strcmp(opt, "-drive"))
                spec = xstrdup(arg);
            else if (!strcmp(opt, "-cdrom"))
                spec = xasprintf("file=%s,if=ide,index=2,media=cdrom", esc);
            else if (opt[1] == 'f')
                spec = xasprintf("file=%s,if=floppy,index=%d", esc, opt[3] - 'a');
            else
                spec = xasprintf("file=%s,if=ide,index=%d", esc, opt[3] - 'a');
            Error *err = NULL;
            if (!drive_add(spec, &err)) {
                error_report_err(err);
                exit(1);
            }
            free(spec);
            free(esc);
            free(file);
        } else if (!strcmp(opt, "-boot")) {
            NEED_ARG();
            /* -boot [order=]DRIVES[,once=DRIVES][,menu=on|off][,splash-time=MS] */
            OptList *l = opts_parse(arg, "order");
            const char *order = opts_get(l, "order"), *once = opts_get(l, "once"), *menu = opts_get(l, "menu");
            if (once)
                order = once;   /* vireo resets into the same order; QEMU's once= reverts after one boot */
            if (order) {
                if (!*order || strspn(order, "abcdn") != strlen(order))
                    bad_option("-boot %s: boot devices are letters a, b (floppy), c (disk), d (CD-ROM), n (network)", arg);
                o->pc.boot_order = xstrdup(order);
            }
            bool b;
            if (menu) {
                if (!parse_bool(menu, &b))
                    bad_option("-boot %s: menu takes on or off", arg);
                o->pc.boot_menu = b;
            }
            for (int k = 0; k < l->n; k++)
                if (strcmp(l->items[k].key, "order") && strcmp(l->items[k].key, "once") &&
                    strcmp(l->items[k].key, "menu") && strcmp(l->items[k].key, "splash-time") &&
                    strcmp(l->items[k].key, "reboot-timeout") && strcmp(l->items[k].key, "strict"))
                    bad_option("-boot %s: unknown key '%s'", arg, l->items[k].key);
            opts_free(l);
        } else if (!strcmp(opt, "-fw_cfg")) {
            NEED_ARG();
            o->fw_cfg = xrealloc(o->fw_cfg, (o->nfw_cfg + 1) * sizeof(*o->fw_cfg));
            o->fw_cfg[o->nfw_cfg++] = arg;
        } else if (!strcmp(opt, "-monitor")) {
            NEED_ARG();
            o->monitor = arg;
        } else if (!strcmp(opt, "-rtc")) {
            NEED_ARG();
            o->pc.rtc = arg;      /* the RTC checks its suboptions when the machine is built */
        } else if (!strcmp(opt, "-vga")) {
            NEED_ARG();
            if (!strcmp(arg, "help")) {
                printf("std    standard VGA with Bochs VBE extensions (default)\nnone   no VGA card\n");
                exit(0);
            }
            if (strcmp(arg, "std") && strcmp(arg, "none"))
                bad_option("-vga %s: not available (vireo has 'std' and 'none')", arg);
            o->vga = arg;
        } else if (!strcmp(opt, "-s")) {
            o->gdb = "tcp::1234";
        } else if (!strcmp(opt, "-gdb")) {
            NEED_ARG();
            o->gdb = arg;
        } else if (!strcmp(opt, "-S")) {
            o->start_stopped = true;
        } else if (!strcmp(opt, "-no-reboot")) {
            no_reboot = true;
        } else if (!strcmp(opt, "-d")) {
            NEED_ARG();
            char bad[64];
            if (!strcmp(arg, "help")) {
                log_print_categories(stdout);
                exit(0);
            }
            if (!log_parse_mask(arg, &log_mask, bad, sizeof bad))
                bad_option("-d %s: unknown log item '%s' (try -d help)", arg, bad);
        } else if (!strcmp(opt, "-D")) {
            NEED_ARG();
            if (!log_set_file(arg))
                bad_option("-D %s: %s", arg, strerror(errno));
        } else if (!strcmp(opt, "-singlestep")) {
            tcg_singlestep = true;      /* one guest instruction per translated block */
        } else if (!strcmp(opt, "-no-hpet")) {
            o->pc.no_hpet = true;
        } else if (!strcmp(opt, "-no-shutdown")) {
            /* accepted; their effects arrive with the features they tune */
        } else {
            for (size_t k = 0; k < ARRAY_SIZE(not_yet); k++)
                if (!strcmp(opt, not_yet[k][0]))
                    bad_option("%s: %s %s not available in this version of vireo yet", argv[i],
                               not_yet[k][1], strchr(not_yet[k][1], ' ') && !strstr(not_yet[k][1], "the ") ? "are" : "is");
            if (takes_arg(opt))
                i++;
            if (opt[0] == '-')
                bad_option("unknown option '%s' (see vireo -h)", argv[i]);
            bad_option("unexpected argument '%s' (disk images go with -hda or -drive; see vireo -h)", argv[i]);
        }
#undef NEED_ARG
    }
}

static PCMachine *the_machine;

/* Report and exit from inside main(), so that what main's locals point to is still
 * reachable (the sanitizer's leak check runs at exit). */
static NORETURN void exit_with_error(Error *err)
{
    error_report_err(err);
    exit(1);
}

/* -fw_cfg name=NAME,file=PATH or name=NAME,string=STR (QEMU's spelling). */
static void add_fw_cfg_file(PCMachine *pc, const char *spec)
{
    OptList *l = opts_parse(spec, NULL);
    const char *name = opts_get(l, "name"), *file = opts_get(l, "file"), *str = opts_get(l, "string");
    if (!name || !*name || (!file == !str))
        fatal("-fw_cfg %s: needs name= and exactly one of file= or string=", spec);
    if (strlen(name) > 55)
        fatal("-fw_cfg %s: the name is longer than fw_cfg's 55 characters", spec);
    Error *err = NULL;
    size_t size = 0;
    uint8_t *data = file ? pc_load_file(file, 64 * MiB, &size, &err) : (uint8_t *)xstrdup(str);
    if (!data) {
        error_prepend(&err, "-fw_cfg: ");
        exit_with_error(err);
    }
    if (str)
        size = strlen(str);
    if (fw_cfg_add_file(pc->chipset->fw_cfg, name, data, size) < 0)
        fatal("-fw_cfg %s: the fw_cfg directory refused it", spec);
    free(data);
    opts_free(l);
}

/* One of vireo's firmware images: next to the executable (build tree), or installed; the
 * path is the caller's to free. */
static char *find_firmware(const char *name)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = 0;
    char *path = xasprintf("%s/%s", exe, name);
    if (access(path, R_OK) == 0)
        return path;
    free(path);
    path = xasprintf("%s/../share/vireo/%s", exe, name);
    if (access(path, R_OK) == 0)
        return path;
    free(path);
    return NULL;
}

/* -vga std: the card and a VGA BIOS for it. vireo's VGA BIOS goes with vireo's BIOS (they
 * share the serial mirror and a writable ROM area); other firmware gets the VGA BIOS Debian's
 * seabios package ships for this card. */
static void create_vga(const char *type, PCMachine *pc)
{
    Error *err = NULL;
    if (type && !strcmp(type, "none"))
        return;
    char *rom = pc_firmware_is_vireo(pc) ? find_firmware("vgabios.bin") : NULL;
    if (!rom && access("/usr/share/seabios/vgabios-stdvga.bin", R_OK) == 0)
        rom = xstrdup("/usr/share/seabios/vgabios-stdvga.bin");
    if (!rom)
        warn_report("-vga std: no VGA BIOS found (build vireo's, or install the seabios package): "
                    "the screen stays blank until the guest programs the card itself");
    char *props = rom ? xasprintf("addr=2,romfile=%s", rom) : xstrdup("addr=2");
    free(rom);
    if (!device_create("VGA", props, &err))
        exit_with_error(err);
    free(props);
}

static const AccelOps *choose_accel(const char *spec, OptList **opts_out)
{
    OptList *opts = opts_parse(spec ? spec : "auto", "accel");
    const char *name = opts->n ? opts->items[0].value : "auto";
    *opts_out = opts;
    char why[256];
    if (!strcmp(name, "auto")) {
        const AccelOps *kvm = accel_find("kvm"), *tcg = accel_find("tcg");
        why[0] = 0;
        if (kvm && kvm->probe(why, sizeof why)) {
            info_report("using KVM: %s has hardware virtualization", "/dev/kvm");
            return kvm;
        }
        if (!kvm)
            snprintf(why, sizeof why, "KVM support was not built in");
        if (tcg) {
            info_report("using TCG: %s", why);
            return tcg;
        }
        /* No translator in this build: a KVM without VT-x/SVM is still better than nothing. */
        if (kvm && access("/dev/kvm", R_OK | W_OK) == 0) {
            info_report("using KVM without VT-x/SVM behind /dev/kvm (not every guest runs there): "
                        "the TCG translator is not available in this build");
            return kvm;
        }
        fatal("-accel auto: KVM is not usable (%s) and the TCG translator is not available yet", why);
    }
    const AccelOps *a = accel_find(name);
    if (!a) {
        if (!strcmp(name, "tcg"))
            fatal("-accel tcg: the TCG translator is not available yet in this build");
        fatal("-accel %s: unknown accelerator (built in: %s)", name, accel_names());
    }
    return a;
}

static void machine_reset(void)
{
    pc_machine_reset(the_machine);
    if (accel_current->reset)
        accel_current->reset();
    cpus_reset_all();
    if (the_machine->direct_boot)
        the_machine->cpus[0]->env = the_machine->boot_state;
}

static void request_shutdown(int status) { main_loop_request_shutdown(status); }
static void request_reset(void) { main_loop_request_reset(); }

/* Async-signal-safe: only a flag and the loop's eventfd; the loop does the rest. */
static void on_signal(int sig)
{
    main_loop_signal_shutdown(sig);
}

int main(int argc, char **argv)
{
    static Options o;   /* static: what it points to lives as long as the process */
    Error *err = NULL;

    prog_name = "vireo";
    signal(SIGPIPE, SIG_IGN);
    parse_args(argc, argv, &o);

    /* -device help needs no machine. */
    for (int i = 0; i < o.ndevices; i++) {
        OptList *l = opts_parse(o.devices[i], "driver");
        const char *t = l->n ? l->items[0].value : "";
        bool help = !strcmp(t, "help") || !strcmp(t, "?") || opts_get(l, "help");
        opts_free(l);
        if (help) {
            bool handled;
            device_create_from_cmdline(o.devices[i], &handled, &err);
            if (err) {
                exit_with_error(err);
            }
            return 0;
        }
    }

    /* -machine kernel_irqchip= is KVM's -accel kvm,kernel-irqchip= (TCG ignores it, as QEMU's
     * does); the in-kernel irqchip is an APIC-mode PC's. */
    if (o.pc.no_apic && o.kernel_irqchip && !strcmp(o.kernel_irqchip, "on"))
        bad_option("-machine kernel_irqchip=on: KVM's in-kernel irqchip needs the local APIC (drop -cpu ...,-apic)");
    const char *irqchip = o.pc.no_apic ? "off" : o.kernel_irqchip;
    const char *accel_spec = irqchip ? xasprintf("%s,kernel-irqchip=%s", o.accel ? o.accel : "auto", irqchip)
                                     : o.accel;
    OptList *accel_opts;
    accel_current = choose_accel(accel_spec, &accel_opts);
    /* The firmware is mapped even for a Multiboot kernel, which starts without running it. */
    if (!o.pc.bios) {
        o.pc.bios = find_firmware("bios.bin");
        if (!o.pc.bios && !o.pc.kernel)
            fatal("no firmware: bios.bin was not found next to the vireo binary (build it with make, or give -bios FILE or -kernel FILE)");
    }

    main_loop_init();
    bql_lock();
    board.request_shutdown = request_shutdown;
    board.request_reset = request_reset;

    /* Character back ends: COM1 defaults to stdio (there is no window to show it in). */
    if (!o.nserial)
        o.serial[o.nserial++] = "stdio";
    for (int i = 0; i < o.nserial; i++) {
        char id[24];
        snprintf(id, sizeof id, "serial%d", i);
        if (!strcmp(o.serial[i], "none"))
            continue;
        if (!chardev_open_backend(id, o.serial[i], &err)) {
            error_prepend(&err, "-serial: ");
            exit_with_error(err);
        }
        o.pc.serial_chardev[i] = xstrdup(id);
    }
    if (o.monitor && !strcmp(o.monitor, "stdio") && o.nserial && !strcmp(o.serial[0], "stdio"))
        fatal("-monitor stdio: stdio already carries COM1 (give -serial another back end, or -monitor tcp::PORT,server,nowait)");
    if (o.monitor && strcmp(o.monitor, "none") && !chardev_open_backend("monitor", o.monitor, &err)) {
        error_prepend(&err, "-monitor: ");
        exit_with_error(err);
    }
    if (o.debugcon && strcmp(o.debugcon, "none") &&
        !chardev_open_backend("debugcon", o.debugcon, &err)) {
        error_prepend(&err, "-debugcon: ");
        exit_with_error(err);
    }

    /* vireo has no display back end yet, so the firmware console always goes to COM1; with a
     * window this becomes o.nographic || o.display_none. */
    o.pc.nographic = true;
    the_machine = pc_machine_create(&o.pc, &err);
    if (!the_machine) {
        exit_with_error(err);
    }
    if (!drives_attach(the_machine, &err))
        exit_with_error(err);
    create_vga(o.vga, the_machine);
    for (int i = 0; i < o.nfw_cfg; i++)
        add_fw_cfg_file(the_machine, o.fw_cfg[i]);
    if (o.monitor && strcmp(o.monitor, "none") && !monitor_start("monitor", the_machine, &err))
        exit_with_error(err);
    if (o.debugcon && strcmp(o.debugcon, "none") &&
        !device_create("isa-debugcon", "iobase=0xe9,chardev=debugcon", &err)) {
        exit_with_error(err);
    }
    for (int i = 0; i < o.ndevices; i++) {
        bool handled;
        if (!device_create_from_cmdline(o.devices[i], &handled, &err)) {
            error_prepend(&err, "-device %s: ", o.devices[i]);
            exit_with_error(err);
        }
    }
    if (!accel_current->init(accel_opts, &err)) {
        exit_with_error(err);
    }
    opts_free(accel_opts);
    if (o.start_stopped && !o.gdb)
        fatal("-S: vireo has no monitor to say 'cont' yet; use it with -s or -gdb");
    if (o.gdb && !gdbstub_start(o.gdb, &err))
        exit_with_error(err);

    machine_reset_hook = machine_reset;
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    cpus_start(the_machine->cpus, the_machine->ncpus, o.start_stopped);
    bql_unlock();
    int status = main_loop_run();
    chardev_close_all();
    fflush(stdout);
    /* vCPU threads may be inside the guest; the process ends here without joining them. */
    _exit(status);
}
