/* difftest.c: running a generated sequence on the host CPU (a forked child that stays alive
 * between sequences) and under TCG, and comparing the two final states. */
#include "tests/difftest/gen.h"
#include "util/error.h"
#include "accel/tcg/cputlb.h"
#include <asm/ldt.h>
#include <cpuid.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define D_SLOT (D_STATE + 0xff8u)       /* native: the host RSP while a sequence runs */
#define D_MXCSR_C (D_STATE + 0xff0u)    /* native: MXCSR handed back to C (0x1f80) */
#define D_HLT16 (D_STATE + 0xfe8u)      /* native: the offset of the 16-bit frame's HLT */
#define G_ENTRY64 (D_GLUE + 0x000u)
#define G_ENTRY32 (D_GLUE + 0x100u)
#define G_CODE32 (D_GLUE + 0x180u)
#define G_BACK64 (D_GLUE + 0x200u)
#define G_ENTRY16 (D_GLUE + 0x300u)
#define G_CODE16 (D_GLUE + 0x380u)
#define USER_CS32 0x23                  /* Linux x86-64: __USER32_CS, __USER_DS, __USER_CS */
#define USER_DS 0x2b
#define USER_CS64 0x33
#define LDT_CS16 0x07                   /* LDT entry 0, RPL 3: 16-bit code based at D_CODE */
#define LDT_DS16 0x0f                   /* LDT entry 1, RPL 3: 16-bit data based at D_DATA */

static DiffHost diff_host_cpuid(void)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    DiffHost h = { 0 };
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        h.sse3 = c & 1;
        h.ssse3 = c & (1u << 9);
        h.sse41 = c & (1u << 19);
        h.sse42 = c & (1u << 20);
        h.movbe = c & (1u << 22);
        h.popcnt = c & (1u << 23);
    }
    /* AVX needs CPUID.1:ECX.AVX, OSXSAVE and an OS that enabled SSE and AVX state in XCR0
     * (SDM 1, 14.3); AVX2, FMA and F16C need it too. */
    bool fma = c & (1u << 12), f16c = c & (1u << 29);
    if ((c & (1u << 28)) && (c & (1u << 27))) {
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        h.avx = (lo & 6) == 6;
    }
    h.fma = h.avx && fma;
    h.f16c = h.avx && f16c;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        h.bmi1 = b & (1u << 3);
        h.bmi2 = b & (1u << 8);
        h.avx2 = h.avx && (b & (1u << 5));
        h.adx = b & (1u << 19);
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        h.lahf = c & 1;
        h.lzcnt = c & (1u << 5);
    }
    return h;
}

/* ---- the native side */

static uint8_t *at(DiffCtx *dc, uint32_t addr)
{
    return dc->shared + (addr - D_DATA);
}

static void put(uint8_t **p, const uint8_t *b, unsigned n)
{
    memcpy(*p, b, n);
    *p += n;
}

static void put32(uint8_t **p, uint32_t v)
{
    put(p, (const uint8_t *)&v, 4);
}

static void put_jmp(DiffCtx *dc, uint8_t **p, uint32_t target)
{
    **p = 0xe9;
    (*p)++;
    put32(p, target - (uint32_t)(*p - dc->shared + D_DATA + 4));
}

/* Entry from C in either mode, and the way back (SDM 3, 5.8.6: far returns between a 64-bit
 * and a compatibility-mode code segment). */
static void diff_write_glue(DiffCtx *dc)
{
    static const uint8_t save[] = { 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57,
                                    0x48, 0x89, 0xe0, 0x48, 0xa3 };     /* mov %rsp,%rax; movabs %rax, */
    uint64_t slot = D_SLOT;
    uint8_t *p = at(dc, G_ENTRY64);
    put(&p, save, sizeof save);
    put(&p, (const uint8_t *)&slot, 8);
    put_jmp(dc, &p, D_CODE);

    p = at(dc, G_ENTRY32);
    put(&p, save, sizeof save);
    put(&p, (const uint8_t *)&slot, 8);
    *p++ = 0xbc;                                    /* mov $D_SCRATCH, %esp */
    put32(&p, D_SCRATCH);
    static const uint8_t far[] = { 0x6a, USER_CS32, 0x68 };
    put(&p, far, sizeof far);                       /* push $cs32; push $code32; lretq */
    put32(&p, G_CODE32);
    *p++ = 0x48;
    *p++ = 0xcb;

    p = at(dc, G_CODE32);                           /* 32-bit: flat DS and ES, then the code */
    static const uint8_t ds[] = { 0xb8, USER_DS, 0, 0, 0, 0x8e, 0xd8, 0x8e, 0xc0 };
    put(&p, ds, sizeof ds);
    put_jmp(dc, &p, D_CODE);

    p = at(dc, G_ENTRY16);                          /* the same way into 32-bit code, then */
    put(&p, save, sizeof save);
    put(&p, (const uint8_t *)&slot, 8);
    *p++ = 0xbc;
    put32(&p, D_SCRATCH);
    put(&p, far, sizeof far);
    put32(&p, G_CODE16);
    *p++ = 0x48;
    *p++ = 0xcb;
    p = at(dc, G_CODE16);                           /* DS, ES, SS 16-bit; ljmp $cs16, $0 */
    static const uint8_t seg16[] = { 0xb8, LDT_DS16, 0, 0, 0, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0,
                                     0xea, 0, 0, 0, 0, LDT_CS16, 0 };
    put(&p, seg16, sizeof seg16);

    p = at(dc, G_BACK64);
    *p++ = 0x48;                                    /* movabs D_SLOT, %rax; mov %rax, %rsp */
    *p++ = 0xa1;
    put(&p, (const uint8_t *)&slot, 8);
    static const uint8_t restore[] = { 0x48, 0x89, 0xc4, 0xdb, 0xe3, 0xb8 };   /* ...; fninit; mov $, %eax */
    put(&p, restore, sizeof restore);
    put32(&p, D_MXCSR_C);
    static const uint8_t tail[] = { 0x0f, 0xae, 0x10, 0xfc, 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d,
                                    0x41, 0x5c, 0x5d, 0x5b, 0xc3 };     /* ldmxcsr (%rax); cld; pops; ret */
    put(&p, tail, sizeof tail);
    uint32_t mxcsr = 0x1f80;
    memcpy(at(dc, D_MXCSR_C), &mxcsr, 4);
}

static void diff_write_exit(DiffCtx *dc, DiffMode mode)
{
    uint8_t *p = at(dc, D_EXIT);
    if (mode == DIFF_MODE16)
        return;                                     /* HLT at the end of the frame */
    if (mode == DIFF_MODE64) {
        put_jmp(dc, &p, G_BACK64);
        return;
    }
    static const uint8_t far[] = { 0x6a, USER_CS64, 0x68 };
    put(&p, far, sizeof far);                       /* push $cs64; push $back64; lret */
    put32(&p, G_BACK64);
    *p++ = 0xcb;
}

/* The 16-bit segments (modify_ldt(2)): code based at D_CODE with a 64 KiB limit, data based at
 * D_DATA reaching the state page (4 GiB limit), both with 16-bit defaults. */
static bool diff_child_ldt(void)
{
    struct user_desc cs = { .entry_number = 0, .base_addr = D_CODE, .limit = 0xffff,
                            .contents = MODIFY_LDT_CONTENTS_CODE, .useable = 1 };
    struct user_desc ds = { .entry_number = 1, .base_addr = D_DATA, .limit = 0xfffff,
                            .contents = MODIFY_LDT_CONTENTS_DATA, .limit_in_pages = 1, .useable = 1 };
    return syscall(SYS_modify_ldt, 1, &cs, sizeof cs) == 0 &&
           syscall(SYS_modify_ldt, 1, &ds, sizeof ds) == 0;
}

static sigjmp_buf diff_child_hlt;

/* A 16-bit sequence ends in HLT, a #GP at CPL 3: the one at the frame's end means done. */
static void diff_child_segv(int sig, siginfo_t *si, void *ctx)
{
    const ucontext_t *uc = ctx;
    uint32_t hlt;
    memcpy(&hlt, (const void *)(uintptr_t)D_HLT16, 4);
    (void)sig, (void)si;
    if ((uc->uc_mcontext.gregs[REG_CSGSFS] & 0xffff) == LDT_CS16 &&
        (uint64_t)uc->uc_mcontext.gregs[REG_RIP] == hlt)
        siglongjmp(diff_child_hlt, 1);
    _exit(5);
}

static _Noreturn void diff_child(int cmd, int ack)
{
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    struct sigaction sa = { .sa_sigaction = diff_child_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
    volatile bool ldt = diff_child_ldt() && sigaltstack(&ss, NULL) == 0 && sigaction(SIGSEGV, &sa, NULL) == 0;
    for (;;) {
        uint8_t m;
        if (read(cmd, &m, 1) != 1)
            _exit(0);
        if (m != DIFF_MODE16) {
            ((void (*)(void))(uintptr_t)(m == DIFF_MODE64 ? G_ENTRY64 : G_ENTRY32))();
        } else if (!ldt) {
            _exit(6);
        } else if (sigsetjmp(diff_child_hlt, 1) == 0) {
            ((void (*)(void))(uintptr_t)G_ENTRY16)();
            _exit(7);                               /* the frame never returns */
        } else {
            uint32_t mxcsr = 0x1f80;                /* what the way back does for the others */
            __asm__ volatile("fninit\n\tldmxcsr %0\n\tcld" : : "m"(mxcsr));
        }
        if (write(ack, &m, 1) != 1)
            _exit(1);
    }
}

static void diff_child_stop(DiffCtx *dc)
{
    if (dc->pid <= 0)
        return;
    close(dc->cmd_fd);
    close(dc->ack_fd);
    kill(dc->pid, SIGKILL);
    waitpid(dc->pid, NULL, 0);
    dc->pid = 0;
}

static bool diff_child_start(DiffCtx *dc)
{
    int cmd[2], ack[2];
    if (pipe(cmd) != 0)
        return false;
    if (pipe(ack) != 0) {
        close(cmd[0]);
        close(cmd[1]);
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(cmd[1]);
        close(ack[0]);
        diff_child(cmd[0], ack[1]);
    }
    close(cmd[0]);
    close(ack[1]);
    if (pid < 0) {
        close(cmd[1]);
        close(ack[0]);
        return false;
    }
    dc->pid = pid;
    dc->cmd_fd = cmd[1];
    dc->ack_fd = ack[0];
    return true;
}

/* Run natively; false if the child died (a fault the generator should have avoided, or no
 * 32-bit code segment on this host) or hung. */
static bool diff_run_native(DiffCtx *dc, const DiffSeq *s, DiffState *out)
{
    memcpy(at(dc, D_CODE), s->code, s->len);
    memcpy(at(dc, D_STATE), &s->in, sizeof s->in);
    memset(at(dc, D_STATE_OUT), 0, sizeof(DiffImage));
    memcpy(at(dc, D_DATA), s->data, D_DATA_SIZE);
    if (dc->shared_low)
        memcpy(dc->shared_low, s->low, D_LOW_SIZE);
    diff_write_exit(dc, s->mode);
    uint32_t hlt = s->len - 1;
    memcpy(at(dc, D_HLT16), &hlt, 4);
    if (dc->pid <= 0 && !diff_child_start(dc))
        return false;
    uint8_t m = (uint8_t)s->mode;
    struct pollfd pfd = { .fd = dc->ack_fd, .events = POLLIN };
    if (write(dc->cmd_fd, &m, 1) != 1 || poll(&pfd, 1, 10000) != 1 || read(dc->ack_fd, &m, 1) != 1) {
        diff_child_stop(dc);
        return false;
    }
    memcpy(&out->img, at(dc, D_STATE_OUT), sizeof out->img);
    memcpy(out->data, at(dc, D_DATA), D_DATA_SIZE);
    if (dc->shared_low)
        memcpy(out->low, dc->shared_low, D_LOW_SIZE);
    return true;
}

/* ---- the TCG side */

static void diff_tcg_mode(DiffCtx *dc, DiffMode mode)
{
    X86CPUState *env = &dc->cpu->env;
    bool lm = mode == DIFF_MODE64;
    if (lm) {
        uint64_t *pml4 = (uint64_t *)(dc->ram.host + D_PT), *pdpt = pml4 + 512, *pd = pml4 + 1024;
        pml4[0] = (D_PT + 0x1000) | 7;
        pdpt[0] = (D_PT + 0x2000) | 7;
        for (int i = 0; i < 512; i++)
            pd[i] = ((uint64_t)i << 21) | 0x87;
        env->cr[3] = D_PT;
    }
    /* VEX is legal with CR4.OSXSAVE and XCR0 = x87|SSE|AVX (SDM 2, 2.3.10). */
    env->cr[4] = CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE | (lm ? CR4_PAE : 0);
    env->xcr0 = 7;
    env->efer = lm ? EFER_LME | EFER_LMA : 0;
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE | (lm ? CR0_PG : 0);
    /* Flat segments; in 16-bit mode the ones the native side has in its LDT. */
    bool m16 = mode == DIFF_MODE16;
    SegmentCache *cs = &env->segs[R_CS];
    cs->selector = 8;
    cs->base = m16 ? D_CODE : 0;
    cs->limit = m16 ? 0xffff : 0xffffffff;
    cs->flags = DESC_P | DESC_S | DESC_CS_MASK | DESC_R_MASK | DESC_A |
                (m16 ? 0 : DESC_G | (lm ? DESC_L : DESC_B));
    for (int i = 0; i < X86_NSEGS; i++) {
        if (i == R_CS)
            continue;
        env->segs[i].selector = 0x10;
        env->segs[i].base = m16 ? D_DATA : 0;
        env->segs[i].limit = 0xffffffff;
        env->segs[i].flags = DESC_P | DESC_S | DESC_W_MASK | DESC_A | DESC_G | (m16 ? 0 : DESC_B);
    }
    x86_update_hflags(env);
    tlb_flush(env);
}

static bool diff_run_tcg(DiffCtx *dc, const DiffSeq *s, DiffState *out)
{
    X86CPUState *env = &dc->cpu->env;
    uint8_t *ram = dc->ram.host;
    memcpy(ram + D_CODE, s->code, s->len);
    memory_notify_ram_write(&dc->ram, D_CODE, s->len);
    ram[D_EXIT] = 0xf4;                                     /* hlt */
    memory_notify_ram_write(&dc->ram, D_EXIT, 1);
    memcpy(ram + D_STATE, &s->in, sizeof s->in);
    memset(ram + D_STATE_OUT, 0, sizeof(DiffImage));
    memcpy(ram + D_DATA, s->data, D_DATA_SIZE);
    memory_notify_ram_write(&dc->ram, D_DATA, D_END - D_DATA);
    memcpy(ram + D_LOW, s->low, D_LOW_SIZE);
    memory_notify_ram_write(&dc->ram, D_LOW, D_LOW_SIZE);
    diff_tcg_mode(dc, s->mode);
    bool m16 = s->mode == DIFF_MODE16;
    env->rip = m16 ? 0 : D_CODE;
    env->halted = false;
    env->exception_pending = -1;
    AccelExit r = tcg_accel_exec(dc->cpu);
    if (r != ACCEL_EXIT_HLT || env->rip != (m16 ? s->len : D_EXIT + 1))
        return false;
    memcpy(&out->img, ram + D_STATE_OUT, sizeof out->img);
    memcpy(out->data, ram + D_DATA, D_DATA_SIZE);
    memcpy(out->low, ram + D_LOW, D_LOW_SIZE);
    return true;
}

/* ---- setup */

bool diff_init(DiffCtx *dc, TCGBackendKind backend)
{
    memset(dc, 0, sizeof *dc);
    dc->host = diff_host_cpuid();
    void *sh = mmap((void *)(uintptr_t)D_DATA, D_END - D_DATA, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (sh != (void *)(uintptr_t)D_DATA) {
        snprintf(dc->why, sizeof dc->why, "cannot map the native area at %#x: %s", D_DATA,
                 sh == MAP_FAILED ? strerror(errno) : "placed elsewhere");
        if (sh != MAP_FAILED)
            munmap(sh, D_END - D_DATA);
        return false;
    }
    dc->shared = sh;
    diff_write_glue(dc);
    /* The low buffer needs vm.mmap_min_addr <= D_LOW; without it no 16-bit addressing. */
    void *low = mmap((void *)(uintptr_t)D_LOW, D_LOW_SIZE, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (low == (void *)(uintptr_t)D_LOW)
        dc->shared_low = low;
    else if (low != MAP_FAILED)
        munmap(low, D_LOW_SIZE);
    dc->host.low = dc->shared_low != NULL;
    memory_region_init_container(&dc->root, "sys", UINT64_MAX);
    memory_region_init_ram(&dc->ram, "ram", D_RAM);
    memory_region_add_subregion(&dc->root, 0, &dc->ram);
    address_space_init(&dc->as, &dc->root, "memory");
    memory_region_init_container(&dc->io_root, "io", 0x10000);
    address_space_init(&dc->io, &dc->io_root, "io");
    if (!tcg_accel_setup(backend)) {
        snprintf(dc->why, sizeof dc->why, "the tcg back end is not usable in this build");
        return false;
    }
    dc->cpu = xzalloc(sizeof(*dc->cpu));
    dc->cpu->as = &dc->as;
    dc->cpu->io = &dc->io;
    x86_cpu_reset(dc->cpu);
    Error *err = NULL;
    if (!tcg_accel_vcpu_init(dc->cpu, &err)) {
        snprintf(dc->why, sizeof dc->why, "no tcg vCPU: %s", err ? err->msg : "?");
        error_free(err);
        return false;
    }
    /* Can this host run 32-bit and 16-bit user code? An empty sequence in each mode tells. */
    DiffRng r = diff_seed(1);
    DiffSeq *s = xzalloc(sizeof *s);
    DiffState st;
    diff_gen(s, &r, &dc->host, DIFF_MODE32, 0);
    dc->host.compat32 = diff_run_native(dc, s, &st);
    diff_gen(s, &r, &dc->host, DIFF_MODE16, 0);
    dc->host.code16 = diff_run_native(dc, s, &st);
    free(s);
    return true;
}

void diff_fini(DiffCtx *dc)
{
    diff_child_stop(dc);
    if (dc->shared)
        munmap(dc->shared, D_END - D_DATA);
    if (dc->shared_low)
        munmap(dc->shared_low, D_LOW_SIZE);
    dc->shared = dc->shared_low = NULL;
}

/* ---- comparison */

const char *diff_mode_name(DiffMode mode)
{
    return mode == DIFF_MODE64 ? "64" : mode == DIFF_MODE32 ? "32" : "16";
}

void diff_print_seq(const DiffSeq *s, FILE *f)
{
    fprintf(f, "  %s-bit sequence:", diff_mode_name(s->mode));
    for (unsigned i = 0; i < s->body_len; i++)
        fprintf(f, " %02x", s->code[s->body + i]);
    fprintf(f, "\n  flags in %#" PRIx64 ", undefined at end %#x; fsw undefined %#x\n", s->in.flags,
            s->undef_flags, s->undef_fsw);
    uint16_t fcw, fsw;
    uint32_t mxcsr;
    memcpy(&fcw, &s->in.fx[0], 2);
    memcpy(&fsw, &s->in.fx[2], 2);
    memcpy(&mxcsr, &s->in.fx[24], 4);
    fprintf(f, "  fcw %#x fsw %#x ftw %#x mxcsr %#x\n", fcw, fsw, s->in.fx[4], mxcsr);
}

static bool diff_cmp(FILE *rep, const char *what, const uint8_t *a, const uint8_t *b, unsigned n,
                     const uint8_t *mask)
{
    bool same = true;
    for (unsigned i = 0; i < n; i++)
        if ((a[i] ^ b[i]) & (mask ? mask[i] : 0xff))
            same = false;
    if (!same && rep) {
        fprintf(rep, "difftest: %s: host", what);
        for (unsigned i = n; i-- > 0;)
            fprintf(rep, "%02x", a[i]);
        fprintf(rep, " tcg ");
        for (unsigned i = n; i-- > 0;)
            fprintf(rep, "%02x", b[i]);
        fprintf(rep, "\n");
    }
    return same;
}

/* FXSAVE bytes compared: FCW, FSW (minus undefined condition codes), abridged FTW, MXCSR,
 * the 80 bits of each ST register and the XMM registers (and the YMM upper halves). FOP, FIP,
 * FDP and MXCSR_MASK are left out: the last-instruction pointers hold selectors that differ
 * between the two sides, and the mask describes the CPU model. */
static bool diff_cmp_fx(const DiffSeq *s, const DiffImage *h, const DiffImage *t, FILE *rep)
{
    bool same = true;
    uint8_t m[16];
    uint16_t fsw_mask = (uint16_t)~s->undef_fsw;
    memcpy(m, "\xff\xff", 2);
    same &= diff_cmp(rep, "fcw", h->fx, t->fx, 2, m);
    memcpy(m, &fsw_mask, 2);
    same &= diff_cmp(rep, "fsw", h->fx + 2, t->fx + 2, 2, m);
    same &= diff_cmp(rep, "ftw (abridged)", h->fx + 4, t->fx + 4, 1, NULL);
    same &= diff_cmp(rep, "mxcsr", h->fx + 24, t->fx + 24, 4, NULL);
    same &= diff_cmp(rep, "x87 tag word", h->fenv + 8, t->fenv + 8, 2, NULL);
    for (int i = 0; i < 8; i++) {
        char name[16];
        snprintf(name, sizeof name, "phys st%d", i);
        same &= diff_cmp(rep, name, h->fx + 32 + 16 * i, t->fx + 32 + 16 * i, 10, NULL);
    }
    for (int i = 0; i < (s->mode == DIFF_MODE64 ? 16 : 8); i++) {
        char name[24];
        snprintf(name, sizeof name, "xmm%d", i);
        same &= diff_cmp(rep, name, h->fx + 160 + 16 * i, t->fx + 160 + 16 * i, 16, NULL);
        snprintf(name, sizeof name, "ymm%d[255:128]", i);
        if (s->ymm)
            same &= diff_cmp(rep, name, h->ymm_hi[i], t->ymm_hi[i], 16, NULL);
    }
    return same;
}

DiffResult diff_run(DiffCtx *dc, const DiffSeq *s, FILE *rep)
{
    static DiffState nat, tcg;
    if (!diff_run_native(dc, s, &nat))
        return DIFF_SKIP;
    if (!diff_run_tcg(dc, s, &tcg)) {
        if (rep) {
            fprintf(rep, "difftest: TCG did not reach the end of the sequence (rip %#" PRIx64 ")\n",
                    dc->cpu->env.rip);
            diff_print_seq(s, rep);
        }
        return DIFF_DIVERGED;
    }
    bool same = true;
    for (int i = 0; i < (s->mode == DIFF_MODE64 ? 16 : 8); i++) {
        if (nat.img.regs[i] != tcg.img.regs[i]) {
            if (rep)
                fprintf(rep, "difftest: reg %d: host %#" PRIx64 " tcg %#" PRIx64 "\n", i,
                        nat.img.regs[i], tcg.img.regs[i]);
            same = false;
        }
    }
    uint32_t mask = (F_ALL | F_D) & ~s->undef_flags;
    if ((nat.img.flags & mask) != (tcg.img.flags & mask)) {
        if (rep)
            fprintf(rep, "difftest: flags: host %#" PRIx64 " tcg %#" PRIx64 " (compared %#x)\n",
                    nat.img.flags & (F_ALL | F_D), tcg.img.flags & (F_ALL | F_D), mask);
        same = false;
    }
    same &= diff_cmp_fx(s, &nat.img, &tcg.img, rep);
    for (unsigned i = 0; i < D_DATA_SIZE; i++) {
        bool undef = s->data_undef[i / 8] >> (i % 8) & 1;
        if (!undef && nat.data[i] != tcg.data[i]) {
            if (rep)
                fprintf(rep, "difftest: data[%#x]: host %02x tcg %02x\n", i, nat.data[i], tcg.data[i]);
            same = false;
            break;
        }
    }
    for (unsigned i = 0; dc->shared_low && i < D_LOW_SIZE; i++) {
        if (nat.low[i] != tcg.low[i]) {
            if (rep)
                fprintf(rep, "difftest: low[%#x]: host %02x tcg %02x\n", i, nat.low[i], tcg.low[i]);
            same = false;
            break;
        }
    }
    if (!same && rep)
        diff_print_seq(s, rep);
    return same ? DIFF_SAME : DIFF_DIVERGED;
}
