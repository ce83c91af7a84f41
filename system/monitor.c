/* monitor.c: the human monitor — inspect and control a running machine with QEMU's command
 * names: info registers/mtree/qtree/status/cpus/version, x and xp, screendump, sendkey,
 * mouse_move, mouse_button, stop, cont, system_reset, system_powerdown, quit.
 *
 *     vireo -monitor tcp::4445,server,nowait ...   then   nc localhost 4445
 *     (vireo) screendump /tmp/screen.png
 */
#include "util/osdep.h"
#include "util/log.h"
#include "accel/accel.h"
#include "cpu/x86/mmu.h"
#include "hw/core/chardev.h"
#include "hw/core/clock.h"
#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/input/i8042.h"
#include "hw/pc/chipset.h"
#include "hw/pc/pc.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include "system/monitor.h"
#include "ui/console.h"
#include <stdarg.h>

#define LINE_MAX_LEN 1024

typedef struct Monitor {
    Chardev *chr;
    PCMachine *pc;
    char line[LINE_MAX_LEN];
    size_t len;
    bool stopped;                 /* by the 'stop' command */
    uint8_t buttons;              /* mouse buttons held down by mouse_button */
} Monitor;

static Monitor mon;

static void mprintf(const char *fmt, ...) PRINTF_FMT(1, 2);
static void mprintf(const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* The back end may be a raw terminal: newlines become CR LF. */
    for (int i = 0; i < n && i < (int)sizeof buf - 1; i++) {
        if (buf[i] == '\n')
            chardev_write(mon.chr, (const uint8_t *)"\r\n", 2);
        else
            chardev_write(mon.chr, (const uint8_t *)&buf[i], 1);
    }
}

/* Run fn with every vCPU parked and its env current; the machine resumes afterwards unless
 * it was stopped already. */
static void with_cpus_stopped(void (*fn)(const char *arg), const char *arg)
{
    bool was_stopped = mon.stopped;
    if (!was_stopped)
        cpus_pause_all_sync();
    fn(arg);
    if (!was_stopped)
        cpus_resume_all();
}

static void dump_regs(const char *arg)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    for (int i = 0; i < cpus_count(); i++) {
        if (cpus_count() > 1)
            fprintf(f, "CPU#%d\n", i);
        x86_cpu_dump_state(&cpus_get(i)->env, f);
    }
    fclose(f);
    mprintf("%s", buf);
    free(buf);
}

static void dump_cpus(const char *arg)
{
    for (int i = 0; i < cpus_count(); i++) {
        X86CPUState *env = &cpus_get(i)->env;
        mprintf("%c CPU #%d: pc=0x%016" PRIx64 "%s\n", i == 0 ? '*' : ' ', i,
                env->segs[R_CS].base + env->rip, env->halted ? " (halted)" : "");
    }
}

/* x/FMT ADDR (linear) and xp/FMT ADDR (physical). FMT: count, then x/d/u/c, then b/h/w/g. */
static void dump_memory(const char *cmd, bool physical)
{
    const char *p = cmd;
    unsigned count = 1, size = 4;
    char fmt = 'x';
    if (*p == '/') {
        p++;
        char *end;
        unsigned long c = strtoul(p, &end, 10);
        if (end != p)
            count = c;
        p = end;
        while (*p && *p != ' ') {
            switch (*p) {
            case 'x': case 'd': case 'u': case 'c': fmt = *p; break;
            case 'b': size = 1; break;
            case 'h': size = 2; break;
            case 'w': size = 4; break;
            case 'g': size = 8; break;
            default:
                mprintf("invalid format '%c' (count, then x d u c, then b h w g)\n", *p);
                return;
            }
            p++;
        }
    }
    while (*p == ' ')
        p++;
    char *end;
    uint64_t addr = strtoull(p, &end, 0);
    if (end == p) {
        mprintf("usage: %s/FMT ADDRESS\n", physical ? "xp" : "x");
        return;
    }
    if (fmt == 'c')
        size = 1;
    if (count > 4096)
        count = 4096;
    X86CPU *cpu = cpus_get(0);
    unsigned per_line = 16 / size;
    for (unsigned i = 0; i < count; i++) {
        uint64_t a = addr + (uint64_t)i * size, pa = a;
        if (i % per_line == 0)
            mprintf("%s%016" PRIx64 ":", i ? "\n" : "", a);
        if (!physical && !x86_mmu_debug_translate(&cpu->env, a, &pa)) {
            mprintf(" (not mapped)\n");
            return;
        }
        uint64_t v = 0;
        address_space_read(cpu->as, pa, &v, size);
        switch (fmt) {
        case 'd': mprintf(" %" PRId64, size == 8 ? (int64_t)v : size == 4 ? (int32_t)v : size == 2 ? (int16_t)v : (int8_t)v); break;
        case 'u': mprintf(" %" PRIu64, v); break;
        case 'c': mprintf(" '%c'", v >= 32 && v < 127 ? (char)v : '.'); break;
        default: mprintf(" 0x%0*" PRIx64, (int)size * 2, v); break;
        }
    }
    mprintf("\n");
}

static void do_x(const char *arg) { dump_memory(arg, false); }
static void do_xp(const char *arg) { dump_memory(arg, true); }

/* QEMU's sendkey names, as PS/2 set 1 make codes (0x100 = E0 prefix). */
static const struct { const char *name; int code; } key_names[] = {
    { "esc", 0x01 }, { "1", 0x02 }, { "2", 0x03 }, { "3", 0x04 }, { "4", 0x05 }, { "5", 0x06 },
    { "6", 0x07 }, { "7", 0x08 }, { "8", 0x09 }, { "9", 0x0a }, { "0", 0x0b }, { "minus", 0x0c },
    { "equal", 0x0d }, { "backspace", 0x0e }, { "tab", 0x0f }, { "q", 0x10 }, { "w", 0x11 },
    { "e", 0x12 }, { "r", 0x13 }, { "t", 0x14 }, { "y", 0x15 }, { "u", 0x16 }, { "i", 0x17 },
    { "o", 0x18 }, { "p", 0x19 }, { "bracket_left", 0x1a }, { "bracket_right", 0x1b },
    { "ret", 0x1c }, { "ctrl", 0x1d }, { "a", 0x1e }, { "s", 0x1f }, { "d", 0x20 }, { "f", 0x21 },
    { "g", 0x22 }, { "h", 0x23 }, { "j", 0x24 }, { "k", 0x25 }, { "l", 0x26 },
    { "semicolon", 0x27 }, { "apostrophe", 0x28 }, { "grave_accent", 0x29 }, { "shift", 0x2a },
    { "backslash", 0x2b }, { "z", 0x2c }, { "x", 0x2d }, { "c", 0x2e }, { "v", 0x2f },
    { "b", 0x30 }, { "n", 0x31 }, { "m", 0x32 }, { "comma", 0x33 }, { "dot", 0x34 },
    { "slash", 0x35 }, { "shift_r", 0x36 }, { "asterisk", 0x37 }, { "alt", 0x38 }, { "spc", 0x39 },
    { "caps_lock", 0x3a }, { "f1", 0x3b }, { "f2", 0x3c }, { "f3", 0x3d }, { "f4", 0x3e },
    { "f5", 0x3f }, { "f6", 0x40 }, { "f7", 0x41 }, { "f8", 0x42 }, { "f9", 0x43 },
    { "f10", 0x44 }, { "num_lock", 0x45 }, { "scroll_lock", 0x46 }, { "f11", 0x57 },
    { "f12", 0x58 }, { "ctrl_r", 0x11d }, { "alt_r", 0x138 }, { "home", 0x147 }, { "up", 0x148 },
    { "pgup", 0x149 }, { "left", 0x14b }, { "right", 0x14d }, { "end", 0x14f }, { "down", 0x150 },
    { "pgdn", 0x151 }, { "insert", 0x152 }, { "delete", 0x153 },
};

static int key_code(const char *name, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
        if (strlen(key_names[i].name) == len && !strncmp(key_names[i].name, name, len))
            return key_names[i].code;
    return -1;
}

/* sendkey ctrl-alt-delete: press in order, release in reverse. */
static void do_sendkey(const char *arg)
{
    int codes[8], n = 0;
    const char *p = arg;
    while (*p && *p != ' ') {
        size_t len = strcspn(p, "- ");
        int c = key_code(p, len);
        if (c < 0 || n == (int)ARRAY_SIZE(codes)) {
            mprintf("unknown key '%.*s'\n", (int)len, p);
            return;
        }
        codes[n++] = c;
        p += len;
        if (*p == '-')
            p++;
    }
    if (!n) {
        mprintf("usage: sendkey KEY[-KEY...], e.g. sendkey ctrl-alt-delete\n");
        return;
    }
    PS2Keyboard *kbd = i8042_keyboard(mon.pc->chipset->kbc);
    for (int i = 0; i < n; i++)
        ps2_kbd_key_event(kbd, codes[i], true);
    for (int i = n - 1; i >= 0; i--)
        ps2_kbd_key_event(kbd, codes[i], false);
}

/* mouse_move DX DY [DZ] and mouse_button STATE (bit 0 left, 1 right, 2 middle), as in QEMU:
 * DY counts down the screen, PS/2 counts up. */
static void do_mouse_move(const char *arg)
{
    int dx, dy, dz = 0;
    if (sscanf(arg, "%d %d %d", &dx, &dy, &dz) < 2) {
        mprintf("usage: mouse_move DX DY [DZ]\n");
        return;
    }
    ps2_mouse_event(i8042_mouse(mon.pc->chipset->kbc), dx, -dy, dz, mon.buttons);
}

static void do_mouse_button(const char *arg)
{
    unsigned state;
    if (sscanf(arg, "%u", &state) != 1 || state > 7) {
        mprintf("usage: mouse_button STATE (1 left, 2 right, 4 middle, or'ed; 0 releases)\n");
        return;
    }
    mon.buttons = state;
    ps2_mouse_event(i8042_mouse(mon.pc->chipset->kbc), 0, 0, 0, mon.buttons);
}

static void do_screendump(const char *arg)
{
    Error *err = NULL;
    char path[512];
    if (sscanf(arg, "%511s", path) != 1) {
        mprintf("usage: screendump FILE.png\n");
        return;
    }
    DisplayConsole *con = console_default();
    if (!con) {
        mprintf("screendump: there is no display (the machine has -vga none)\n");
        return;
    }
    console_refresh(con);
    if (!screendump_png(con, path, &err)) {
        mprintf("screendump: %s\n", err->msg);
        error_free(err);
    }
}

static void do_info(const char *arg)
{
    if (!strncmp(arg, "registers", 9)) {
        with_cpus_stopped(dump_regs, NULL);
    } else if (!strncmp(arg, "cpus", 4)) {
        with_cpus_stopped(dump_cpus, NULL);
    } else if (!strncmp(arg, "status", 6)) {
        mprintf("VM status: %s\n", mon.stopped ? "paused" : "running");
    } else if (!strncmp(arg, "mtree", 5)) {
        char *buf;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        memory_dump_tree(cpus_get(0)->as, f);
        memory_dump_tree(cpus_get(0)->io, f);
        fclose(f);
        mprintf("%s", buf);
        free(buf);
    } else if (!strncmp(arg, "qtree", 5)) {
        for (Device *d = device_first(); d; d = d->next)
            mprintf("  dev: %s%s%s (%s)\n", d->cls->name, d->id ? ", id " : "", d->id ? d->id : "",
                    d->cls->bus ? d->cls->bus : "sys");
    } else if (!strncmp(arg, "version", 7)) {
        mprintf("vireo 0.1.0 (%s)\n", accel_current->name);
    } else {
        mprintf("info: registers, cpus, status, mtree, qtree, version\n");
    }
}

static void do_stop(const char *arg)
{
    if (!mon.stopped) {
        cpus_pause_all_sync();
        clock_virtual_stop();
        mon.stopped = true;
    }
}

static void do_cont(const char *arg)
{
    if (mon.stopped) {
        mon.stopped = false;
        clock_virtual_start();
        cpus_resume_all();
    }
}

static void do_reset(const char *arg) { main_loop_request_reset(); }
static void do_quit(const char *arg) { main_loop_request_shutdown(0); }

static void do_powerdown(const char *arg)
{
    if (mon.pc->chipset->pm)
        piix4_pm_power_button(mon.pc->chipset->pm);
    else
        mprintf("system_powerdown: the machine has no ACPI power button\n");
}

static void do_help(const char *arg);

static const struct {
    const char *name, *alias, *args, *help;
    void (*fn)(const char *arg);
} commands[] = {
    { "help", "?", "", "list the commands", do_help },
    { "info", NULL, "WHAT", "registers, cpus, status, mtree, qtree, version", do_info },
    { "x", NULL, "/FMT ADDR", "dump memory at a linear address (FMT: count x|d|u|c b|h|w|g)", do_x },
    { "xp", NULL, "/FMT ADDR", "dump memory at a physical address", do_xp },
    { "screendump", NULL, "FILE", "save the screen as a PNG", do_screendump },
    { "sendkey", NULL, "KEYS", "press and release keys, e.g. ctrl-alt-delete", do_sendkey },
    { "mouse_move", NULL, "DX DY [DZ]", "move the PS/2 mouse (DY down, DZ the wheel)", do_mouse_move },
    { "mouse_button", NULL, "STATE", "set the mouse buttons (1 left, 2 right, 4 middle)", do_mouse_button },
    { "stop", NULL, "", "pause the machine", do_stop },
    { "cont", "c", "", "resume the machine", do_cont },
    { "system_reset", NULL, "", "reset the machine", do_reset },
    { "system_powerdown", NULL, "", "press the ACPI power button", do_powerdown },
    { "quit", "q", "", "end vireo", do_quit },
};

static void do_help(const char *arg)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        mprintf("%-16s %-10s %s\n", commands[i].name, commands[i].args, commands[i].help);
}

static void execute(char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (!*line)
        return;
    size_t n = strcspn(line, " /");
    const char *arg = line + n;
    while (*arg == ' ')
        arg++;
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if ((strlen(commands[i].name) == n && !strncmp(line, commands[i].name, n)) ||
            (commands[i].alias && strlen(commands[i].alias) == n && !strncmp(line, commands[i].alias, n))) {
            commands[i].fn(arg);
            return;
        }
    }
    mprintf("unknown command: '%.*s' (try help)\n", (int)n, line);
}

static int mon_can_read(void *opaque)
{
    return LINE_MAX_LEN;
}

static void mon_read(void *opaque, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' || mon.len) {
                mon.line[mon.len] = 0;
                mprintf("\n");
                execute(mon.line);
                mon.len = 0;
                if (!main_loop_shutdown_requested())
                    mprintf("(vireo) ");
            }
        } else if (c == 0x7f || c == 0x08) {
            if (mon.len) {
                mon.len--;
                mprintf("\b \b");
            }
        } else if (mon.len < LINE_MAX_LEN - 1 && (unsigned char)c >= 32) {
            mon.line[mon.len++] = c;
            chardev_write(mon.chr, (const uint8_t *)&c, 1);   /* echo */
        }
    }
}

bool monitor_start(const char *chardev_id, PCMachine *pc, Error **errp)
{
    mon.chr = chardev_find(chardev_id);
    if (!mon.chr) {
        error_setg(errp, "-monitor: chardev '%s' not found", chardev_id);
        return false;
    }
    mon.pc = pc;
    chardev_set_handlers(mon.chr, mon_can_read, mon_read, &mon);
    mprintf("vireo monitor - type 'help' for more information\n(vireo) ");
    return true;
}
