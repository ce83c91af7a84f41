/* gdbstub.c: a GDB remote serial protocol server ("Debugging with GDB", appendix E) so that the
 * real gdb can stop, inspect, single-step and breakpoint a guest kernel on any accelerator.
 *
 *     vireo -s -S -kernel kernel.elf ...      # waits for gdb on port 1234
 *     gdb -ex 'target remote :1234' kernel.elf
 *
 * Registers are described to gdb with a target description (amd64 core, SSE and segment
 * bases); memory addresses are linear and go through the guest's page tables. Breakpoints
 * (Z0 and Z1) and single steps use the accelerator's guest-debug support; KVM provides four
 * hardware breakpoints. */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/log.h"
#include "accel/accel.h"
#include "cpu/x86/mmu.h"
#include "hw/core/clock.h"
#include "hw/core/memory.h"
#include "system/cpus.h"
#include "system/gdbstub.h"
#include "system/main-loop.h"
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PACKET 16384
#define MAX_BPS 4

typedef struct GdbState {
    int listen_fd, fd;
    bool no_ack;
    bool running;                 /* the guest runs and gdb waits for a stop reply */
    bool stop_pending;            /* a vCPU stopped at a debug event: report it */
    X86CPU *stop_cpu;
    int cur_cpu;                  /* Hg thread, 0-based */
    uint64_t bps[MAX_BPS];
    int nbps;
    uint8_t in[MAX_PACKET + 4];
    size_t in_len;
} GdbState;

static GdbState gdb = { .listen_fd = -1, .fd = -1 };

static const char target_xml[] =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
    "<feature name=\"org.gnu.gdb.i386.core\">"
    "<reg name=\"rax\" bitsize=\"64\" type=\"int64\"/><reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/><reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/><reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/><reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/><reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/><reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/><reg name=\"eflags\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/><reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/><reg name=\"es\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/><reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "</feature><feature name=\"org.gnu.gdb.i386.sse\">"
    "<reg name=\"xmm0\" bitsize=\"128\" type=\"uint128\"/><reg name=\"xmm1\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm2\" bitsize=\"128\" type=\"uint128\"/><reg name=\"xmm3\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm4\" bitsize=\"128\" type=\"uint128\"/><reg name=\"xmm5\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm6\" bitsize=\"128\" type=\"uint128\"/><reg name=\"xmm7\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm8\" bitsize=\"128\" type=\"uint128\"/><reg name=\"xmm9\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm10\" bitsize=\"128\" type=\"uint128\"/><reg name=\"xmm11\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm12\" bitsize=\"128\" type=\"uint128\"/><reg name=\"xmm13\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"xmm14\" bitsize=\"128\" type=\"uint128\"/><reg name=\"xmm15\" bitsize=\"128\" type=\"uint128\"/>"
    "<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>"
    "</feature><feature name=\"org.gnu.gdb.i386.segments\">"
    "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/><reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>"
    "</feature></target>";

/* gdb's register numbers in the description above, to our state. */
enum { GREG_RIP = 16, GREG_EFLAGS = 17, GREG_CS = 18, GREG_ST0 = 24, GREG_FCTRL = 32,
       GREG_XMM0 = 40, GREG_MXCSR = 56, GREG_FS_BASE = 57, GREG_GS_BASE = 58, GREG_COUNT = 59 };
/* gdb's GPR order (rax rbx rcx rdx rsi rdi rbp rsp) in our encoding order. */
static const int gpr_map[8] = { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP };
static const int seg_map[6] = { R_CS, R_SS, R_DS, R_ES, R_FS, R_GS };

static X86CPU *cur_cpu(void)
{
    X86CPU *c = cpus_get(gdb.cur_cpu);
    return c ? c : cpus_get(0);
}

/* ---- packets ---- */

static void send_raw(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len && gdb.fd >= 0) {
        ssize_t n = write(gdb.fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= n;
    }
}

static void send_packet(const char *data, size_t len)
{
    char *buf = xmalloc(len + 5);
    uint8_t sum = 0;
    buf[0] = '$';
    memcpy(buf + 1, data, len);
    for (size_t i = 0; i < len; i++)
        sum += (uint8_t)data[i];
    snprintf(buf + 1 + len, 4, "#%02x", sum);
    send_raw(buf, len + 4);
    free(buf);
}

static void send_str(const char *s)
{
    send_packet(s, strlen(s));
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *to_hex(char *out, const void *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        *out++ = digits[p[i] >> 4];
        *out++ = digits[p[i] & 15];
    }
    *out = 0;
    return out;
}

/* Decode len bytes of hex; false if malformed. */
static bool from_hex(uint8_t *out, const char *hex, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = hi << 4 | lo;
    }
    return true;
}

static bool parse_hex_u64(const char **pp, uint64_t *v)
{
    const char *p = *pp;
    uint64_t x = 0;
    int d, n = 0;
    while ((d = hexval(*p)) >= 0 && n < 16) {
        x = x << 4 | d;
        p++, n++;
    }
    if (!n)
        return false;
    *pp = p;
    *v = x;
    return true;
}

/* ---- registers ---- */

static size_t reg_size(int n)
{
    if (n < GREG_RIP + 1)
        return 8;
    if (n < GREG_ST0)
        return 4;
    if (n < GREG_FCTRL)
        return 10;
    if (n < GREG_XMM0)
        return 4;
    if (n < GREG_MXCSR)
        return 16;
    if (n == GREG_MXCSR)
        return 4;
    return 8;
}

static void reg_read(X86CPU *cpu, int n, uint8_t *out)
{
    X86CPUState *env = &cpu->env;
    uint64_t v = 0;
    if (n < 8)
        v = env->regs[gpr_map[n]];
    else if (n < 16)
        v = env->regs[n];
    else if (n == GREG_RIP)
        v = env->rip;
    else if (n == GREG_EFLAGS)
        v = x86_get_eflags(env);
    else if (n < GREG_ST0)
        v = env->segs[seg_map[n - GREG_CS]].selector;
    else if (n < GREG_FCTRL) {
        const Float80 *r = &env->fpregs[(env->fpstt + n - GREG_ST0) & 7];
        memcpy(out, &r->mant, 8);
        memcpy(out + 8, &r->exp, 2);
        return;
    } else if (n < GREG_XMM0) {
        switch (n - GREG_FCTRL) {
        case 0: v = env->fpuc; break;
        case 1: v = (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11); break;
        case 2: v = x86_fpu_tag_word(env); break;
        case 3: v = env->fpcs; break;
        case 4: v = (uint32_t)env->fpip; break;
        case 5: v = env->fpds; break;
        case 6: v = (uint32_t)env->fpdp; break;
        default: v = env->fpop; break;
        }
    } else if (n < GREG_MXCSR) {
        memcpy(out, env->ymm[n - GREG_XMM0].b, 16);
        return;
    } else if (n == GREG_MXCSR)
        v = env->mxcsr;
    else if (n == GREG_FS_BASE)
        v = env->segs[R_FS].base;
    else
        v = env->segs[R_GS].base;
    memcpy(out, &v, reg_size(n));
}

static void reg_write(X86CPU *cpu, int n, const uint8_t *in)
{
    X86CPUState *env = &cpu->env;
    uint64_t v = 0;
    memcpy(&v, in, MIN(reg_size(n), 8));
    if (n < 8)
        env->regs[gpr_map[n]] = v;
    else if (n < 16)
        env->regs[n] = v;
    else if (n == GREG_RIP)
        env->rip = v;
    else if (n == GREG_EFLAGS)
        x86_set_eflags(env, (uint32_t)v);
    else if (n < GREG_ST0) {
        /* Writing a selector without its descriptor would desynchronize the cache: real-mode
         * style (base = selector * 16) only in real and virtual-8086 mode. */
        if (!(env->cr[0] & CR0_PE) || (env->eflags & EFLAGS_VM))
            x86_load_seg_real(env, seg_map[n - GREG_CS], (uint16_t)v);
    } else if (n < GREG_FCTRL) {
        Float80 *r = &env->fpregs[(env->fpstt + n - GREG_ST0) & 7];
        memcpy(&r->mant, in, 8);
        memcpy(&r->exp, in + 8, 2);
    } else if (n < GREG_XMM0) {
        switch (n - GREG_FCTRL) {
        case 0: env->fpuc = v; break;
        case 1: env->fpus = v & ~0x3800; env->fpstt = (v >> 11) & 7; break;
        case 2: x86_fpu_set_tag_word(env, v); break;
        case 3: env->fpcs = v; break;
        case 4: env->fpip = (uint32_t)v; break;
        case 5: env->fpds = v; break;
        case 6: env->fpdp = (uint32_t)v; break;
        default: env->fpop = v & 0x7ff; break;
        }
    } else if (n < GREG_MXCSR)
        memcpy(env->ymm[n - GREG_XMM0].b, in, 16);
    else if (n == GREG_MXCSR)
        env->mxcsr = v;
    else if (n == GREG_FS_BASE)
        env->segs[R_FS].base = v;
    else
        env->segs[R_GS].base = v;
    x86_update_hflags(env);
    cpu->env_dirty = true;
}

/* ---- memory: linear addresses through the current page tables ---- */

static bool mem_rw(X86CPU *cpu, uint64_t addr, uint8_t *buf, size_t len, bool is_write)
{
    while (len) {
        uint64_t pa;
        size_t n = MIN(len, 4096 - (addr & 4095));
        if (!x86_mmu_debug_translate(&cpu->env, addr, &pa))
            return false;
        MemTxResult r = is_write ? address_space_write_rom(cpu->as, pa, buf, n)
                                 : address_space_read(cpu->as, pa, buf, n);
        if (r != MEMTX_OK)
            return false;
        addr += n, buf += n, len -= n;
    }
    return true;
}

/* ---- run control ---- */

static void stop_reply(void)
{
    char buf[32];
    X86CPU *c = gdb.stop_cpu ? gdb.stop_cpu : cpus_get(0);
    snprintf(buf, sizeof buf, "T05thread:%02x;", c->index + 1);
    send_str(buf);
}

static void apply_debug(X86CPU *cpu, bool step)
{
    cpu->debug_single_step = step;
    cpu->debug_nbps = gdb.nbps;
    memcpy(cpu->debug_bps, gdb.bps, sizeof gdb.bps);
    cpu->debug_dirty = true;
}

static void vm_stop(void)
{
    cpus_pause_all_sync();
    clock_virtual_stop();
}

static void vm_continue(X86CPU *step_cpu)
{
    for (int i = 0; i < cpus_count(); i++)
        apply_debug(cpus_get(i), cpus_get(i) == step_cpu);
    gdb.running = true;
    gdb.stop_cpu = NULL;
    clock_virtual_start();
    if (step_cpu)
        cpus_resume_one(step_cpu);
    else
        cpus_resume_all();
}

/* In the vCPU thread: a breakpoint or a step ended. Stop everything and tell the I/O thread. */
static void on_debug_exit(X86CPU *cpu)
{
    for (int i = 0; i < cpus_count(); i++)
        cpus_get(i)->stopped = true;
    cpus_kick_all();
    gdb.stop_cpu = cpu;
    gdb.stop_pending = true;
    main_loop_kick();
}

/* Called from the I/O thread's loop through a timer-less poll: report a pending stop. */
static void check_stop(void)
{
    if (gdb.stop_pending && gdb.running) {
        gdb.stop_pending = false;
        gdb.running = false;
        cpus_pause_all_sync();
        clock_virtual_stop();
        stop_reply();
    }
}

/* ---- commands ---- */

static void handle_query(const char *p)
{
    if (!strncmp(p, "qSupported", 10)) {
        char buf[128];
        snprintf(buf, sizeof buf, "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+", MAX_PACKET);
        send_str(buf);
    } else if (!strcmp(p, "QStartNoAckMode")) {
        send_str("OK");
        gdb.no_ack = true;
    } else if (!strncmp(p, "qXfer:features:read:target.xml:", 31)) {
        const char *q = p + 31;
        uint64_t off, len;
        if (!parse_hex_u64(&q, &off) || *q++ != ',' || !parse_hex_u64(&q, &len)) {
            send_str("E00");
            return;
        }
        size_t total = sizeof target_xml - 1;
        if (off >= total) {
            send_str("l");
            return;
        }
        size_t n = MIN(len, MIN(total - off, (uint64_t)MAX_PACKET - 2));
        char *buf = xmalloc(n + 2);
        buf[0] = off + n < total ? 'm' : 'l';
        memcpy(buf + 1, target_xml + off, n);
        send_packet(buf, n + 1);
        free(buf);
    } else if (!strcmp(p, "qAttached")) {
        send_str("1");
    } else if (!strcmp(p, "qC")) {
        char buf[16];
        snprintf(buf, sizeof buf, "QC%02x", cur_cpu()->index + 1);
        send_str(buf);
    } else if (!strcmp(p, "qfThreadInfo")) {
        char buf[4 * 256 + 2] = "m";
        for (int i = 0; i < cpus_count(); i++)
            sprintf(buf + strlen(buf), "%s%02x", i ? "," : "", i + 1);
        send_str(buf);
    } else if (!strcmp(p, "qsThreadInfo")) {
        send_str("l");
    } else if (!strncmp(p, "qSymbol", 7)) {
        send_str("OK");
    } else {
        send_str("");
    }
}

static void handle_breakpoint(const char *p, bool insert)
{
    const char *q = p + 1;
    uint64_t type, addr;
    if (!parse_hex_u64(&q, &type) || *q++ != ',' || !parse_hex_u64(&q, &addr)) {
        send_str("E01");
        return;
    }
    if (type > 1) {
        send_str("");              /* watchpoints: not supported, gdb falls back or says so */
        return;
    }
    int i;
    for (i = 0; i < gdb.nbps && gdb.bps[i] != addr; i++)
        ;
    if (insert) {
        if (i == gdb.nbps) {
            if (gdb.nbps == MAX_BPS) {
                send_str("E28");   /* ENOSPC: four hardware breakpoints at most */
                return;
            }
            gdb.bps[gdb.nbps++] = addr;
        }
    } else if (i < gdb.nbps) {
        gdb.bps[i] = gdb.bps[--gdb.nbps];
    }
    send_str("OK");
}

static void handle_packet(char *p)
{
    X86CPU *cpu = cur_cpu();
    char *buf;
    switch (p[0]) {
    case '?':
        stop_reply();
        break;
    case 'q':
    case 'Q':
        handle_query(p);
        break;
    case 'H': {
        const char *q = p + 2;
        uint64_t t;
        if (q[0] == '-' || !parse_hex_u64(&q, &t) || t == 0)
            gdb.cur_cpu = 0;
        else if (t <= (uint64_t)cpus_count())
            gdb.cur_cpu = t - 1;
        send_str("OK");
        break;
    }
    case 'T':
        send_str("OK");
        break;
    case 'g': {
        buf = xmalloc(GREG_COUNT * 32 + 1);
        char *o = buf;
        for (int n = 0; n < GREG_COUNT; n++) {
            uint8_t r[16];
            reg_read(cpu, n, r);
            o = to_hex(o, r, reg_size(n));
        }
        send_str(buf);
        free(buf);
        break;
    }
    case 'G': {
        const char *q = p + 1;
        for (int n = 0; n < GREG_COUNT && *q; n++) {
            uint8_t r[16];
            size_t sz = reg_size(n);
            if (strlen(q) < 2 * sz || !from_hex(r, q, sz)) {
                send_str("E01");
                return;
            }
            reg_write(cpu, n, r);
            q += 2 * sz;
        }
        send_str("OK");
        break;
    }
    case 'p':
    case 'P': {
        const char *q = p + 1;
        uint64_t n;
        if (!parse_hex_u64(&q, &n) || n >= GREG_COUNT) {
            send_str("E01");
            break;
        }
        uint8_t r[16];
        if (p[0] == 'p') {
            char out[40];
            reg_read(cpu, n, r);
            to_hex(out, r, reg_size(n));
            send_str(out);
        } else if (*q++ == '=' && strlen(q) >= 2 * reg_size(n) && from_hex(r, q, reg_size(n))) {
            reg_write(cpu, n, r);
            send_str("OK");
        } else {
            send_str("E01");
        }
        break;
    }
    case 'm':
    case 'M': {
        const char *q = p + 1;
        uint64_t addr, len;
        if (!parse_hex_u64(&q, &addr) || *q++ != ',' || !parse_hex_u64(&q, &len) || len > MAX_PACKET / 2) {
            send_str("E01");
            break;
        }
        uint8_t *data = xmalloc(len + 1);
        if (p[0] == 'm') {
            if (mem_rw(cpu, addr, data, len, false)) {
                buf = xmalloc(2 * len + 1);
                to_hex(buf, data, len);
                send_str(buf);
                free(buf);
            } else {
                send_str("E14");   /* EFAULT */
            }
        } else if (*q++ == ':' && strlen(q) >= 2 * len && from_hex(data, q, len)) {
            send_str(mem_rw(cpu, addr, data, len, true) ? "OK" : "E14");
        } else {
            send_str("E01");
        }
        free(data);
        break;
    }
    case 'c':
    case 's': {
        const char *q = p + 1;
        uint64_t addr;
        if (parse_hex_u64(&q, &addr)) {
            cpu->env.rip = addr;
            cpu->env_dirty = true;
        }
        vm_continue(p[0] == 's' ? cpu : NULL);
        break;
    }
    case 'v':
        if (!strncmp(p, "vKill", 5)) {
            send_str("OK");
            main_loop_request_shutdown(0);
        } else {
            send_str("");         /* no vCont: gdb uses c and s */
        }
        break;
    case 'Z':
    case 'z':
        handle_breakpoint(p, p[0] == 'Z');
        break;
    case 'k':
        main_loop_request_shutdown(0);
        break;
    case 'D':
        gdb.nbps = 0;
        send_str("OK");
        vm_continue(NULL);
        gdb.running = false;
        break;
    default:
        send_str("");
        break;
    }
}

/* ---- connection ---- */

static void on_accept(void *opaque);

static void client_gone(void)
{
    main_loop_remove_fd(gdb.fd);
    close(gdb.fd);
    gdb.fd = -1;
    gdb.in_len = 0;
    /* Like QEMU: a debugger that goes away leaves the guest running, with no breakpoints. */
    gdb.nbps = 0;
    if (!gdb.running) {
        vm_continue(NULL);
    } else {
        for (int i = 0; i < cpus_count(); i++)
            apply_debug(cpus_get(i), false);
    }
    gdb.running = false;
    main_loop_set_fd_handler(gdb.listen_fd, on_accept, NULL, NULL);
}

static void on_client_data(void *opaque)
{
    uint8_t tmp[4096];
    ssize_t n = read(gdb.fd, tmp, sizeof tmp);
    if (n <= 0) {
        if (n < 0 && errno == EINTR)
            return;
        client_gone();
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        uint8_t c = tmp[i];
        if (gdb.in_len == 0) {
            if (c == 0x03) {               /* ^C: stop the guest */
                if (gdb.running) {
                    gdb.running = false;
                    gdb.stop_cpu = NULL;
                    vm_stop();
                    stop_reply();
                }
                continue;
            }
            if (c != '$')
                continue;                  /* acks and noise between packets */
        }
        if (gdb.in_len >= sizeof gdb.in - 1) {
            gdb.in_len = 0;                /* oversized: drop it, gdb will resend */
            send_raw("-", 1);
            continue;
        }
        gdb.in[gdb.in_len++] = c;
        /* $data#xx complete? */
        if (gdb.in_len >= 4 && gdb.in[gdb.in_len - 3] == '#') {
            gdb.in[gdb.in_len] = 0;
            char *data = (char *)gdb.in + 1;
            size_t dlen = gdb.in_len - 4;
            uint8_t sum = 0;
            for (size_t k = 0; k < dlen; k++)
                sum += (uint8_t)data[k];
            int want = hexval(gdb.in[gdb.in_len - 2]) << 4 | hexval(gdb.in[gdb.in_len - 1]);
            gdb.in_len = 0;
            if (!gdb.no_ack)
                send_raw(sum == want ? "+" : "-", 1);
            if (sum != want)
                continue;
            data[dlen] = 0;
            /* Every command but c/s looks at a stopped machine. */
            if (gdb.running && data[0] != '?')
                continue;
            handle_packet(data);
        }
    }
}

static void on_accept(void *opaque)
{
    int fd = accept4(gdb.listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    if (gdb.fd >= 0) {
        close(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    gdb.fd = fd;
    gdb.no_ack = false;
    gdb.running = false;
    /* gdb expects a stopped target when it attaches. */
    vm_stop();
    main_loop_set_fd_handler(fd, on_client_data, NULL, NULL);
    main_loop_remove_fd(gdb.listen_fd);
}

static void on_debug_event_poll(void *opaque)
{
    check_stop();
}

bool gdbstub_start(const char *spec, Error **errp)
{
    const char *p = spec;
    if (!strncmp(p, "tcp:", 4))
        p += 4;
    else if (strchr(p, ':') == NULL || !strncmp(p, "unix:", 5)) {
        error_setg(errp, "-gdb %s: only tcp:[HOST]:PORT is supported", spec);
        return false;
    }
    char *host = xstrdup(p);
    char *colon = strrchr(host, ':');
    *colon = 0;
    const char *port = colon + 1;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai;
    int rc = getaddrinfo(*host ? host : NULL, port, &hints, &ai);
    if (rc) {
        error_setg(errp, "-gdb %s: %s", spec, gai_strerror(rc));
        free(host);
        return false;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0) {
        error_setg(errp, "-gdb %s: %s", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        free(host);
        return false;
    }
    freeaddrinfo(ai);
    free(host);
    gdb.listen_fd = fd;
    main_loop_set_fd_handler(fd, on_accept, NULL, NULL);
    main_loop_add_poll_hook(on_debug_event_poll, NULL);
    cpus_debug_hook = on_debug_exit;
    return true;
}
