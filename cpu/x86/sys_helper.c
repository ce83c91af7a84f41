/* sys_helper.c: system instructions — MOV to/from CRn and DRn with their side effects,
 * SYSCALL/SYSRET/SYSENTER/SYSEXIT, RDTSC(P), HLT, INVLPG and the I/O permission check. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/clock.h"
#include "cpu/x86/seg_helper.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

static inline NORETURN void raise_gp0(X86CPUState *env, uintptr_t ra)
{
    x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
}

/* CR4 bits vireo implements (the rest #GP, Intel SDM 3A 2.5). */
#define CR4_SUPPORTED (CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE | \
                       CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE | CR4_SMEP | CR4_SMAP)

static void write_cr0(X86CPUState *env, uint64_t val, uintptr_t ra)
{
    uint64_t old = env->cr[0];
    if (val >> 32)
        raise_gp0(env, ra);
    if ((val & CR0_PG) && !(val & CR0_PE))
        raise_gp0(env, ra);
    if ((val & CR0_NW) && !(val & CR0_CD))
        raise_gp0(env, ra);
    /* Entering IA-32e mode (Intel SDM 3A 9.8.5): PG with EFER.LME needs CR4.PAE. */
    if ((val & CR0_PG) && !(old & CR0_PG) && (env->efer & EFER_LME)) {
        if (!(env->cr[4] & CR4_PAE) || (env->segs[R_CS].flags & DESC_L))
            raise_gp0(env, ra);
        env->efer |= EFER_LMA;
    }
    if (!(val & CR0_PG) && (old & CR0_PG) && (env->efer & EFER_LMA)) {
        if (env->hflags & HF_CS64)
            raise_gp0(env, ra);
        env->efer &= ~(uint64_t)EFER_LMA;
    }
    env->cr[0] = val | CR0_ET;
    if ((old ^ val) & (CR0_PG | CR0_WP | CR0_PE))
        x86_mem_ops->tlb_flush(env);
    x86_update_hflags(env);
}

static void write_cr4(X86CPUState *env, uint64_t val, uintptr_t ra)
{
    uint64_t old = env->cr[4];
    if (val & ~(uint64_t)CR4_SUPPORTED)
        raise_gp0(env, ra);
    if ((env->efer & EFER_LMA) && !(val & CR4_PAE))
        raise_gp0(env, ra);
    env->cr[4] = val;
    if ((old ^ val) & (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP | CR4_SMAP))
        x86_mem_ops->tlb_flush(env);
    x86_update_hflags(env);
}

void helper_write_crN(X86CPUState *env, int reg, uint64_t value)
{
    uintptr_t ra = GETPC();
    switch (reg) {
    case 0:
        write_cr0(env, value, ra);
        break;
    case 2:
        env->cr[2] = value;
        break;
    case 3:
        /* Outside IA-32e mode only bits 31:0 exist; in it, bits above MAXPHYADDR must be 0. */
        if (env->efer & EFER_LMA) {
            if (value >> 52)
                raise_gp0(env, ra);
        } else {
            value = (uint32_t)value;
        }
        env->cr[3] = value;
        x86_mem_ops->tlb_flush(env);
        break;
    case 4:
        write_cr4(env, value, ra);
        break;
    case 8:
        if (value >> 4)
            raise_gp0(env, ra);
        x86_cpu_set_cr8(container_of(env, X86CPU, env), value);
        break;
    default:
        x86_raise_exception_ra(env, EXCP_UD, 0, false, ra);
    }
}

uint64_t helper_read_crN(X86CPUState *env, int reg)
{
    switch (reg) {
    case 0: case 2: case 3: case 4:
        return env->cr[reg];
    case 8:
        return x86_cpu_get_cr8(container_of(env, X86CPU, env));
    default:
        x86_raise_exception_ra(env, EXCP_UD, 0, false, GETPC());
    }
}

void helper_clts(X86CPUState *env)
{
    env->cr[0] &= ~(uint64_t)CR0_TS;
    x86_update_hflags(env);
}

void helper_lmsw(X86CPUState *env, uint32_t value)
{
    /* LMSW changes MP, EM, TS and can set but not clear PE (Intel SDM 2, LMSW). */
    uint64_t cr0 = (env->cr[0] & ~0xeULL) | (value & 0xf) | (env->cr[0] & CR0_PE);
    write_cr0(env, cr0, GETPC());
}

void helper_invlpg(X86CPUState *env, uint64_t addr)
{
    x86_mem_ops->tlb_flush_page(env, addr);
}

static int dr_index(X86CPUState *env, int reg, uintptr_t ra)
{
    /* DR4/DR5 alias DR6/DR7 unless CR4.DE, which makes them #UD (Intel SDM 3A 17.2.2). */
    if (reg == 4 || reg == 5) {
        if (env->cr[4] & CR4_DE)
            x86_raise_exception_ra(env, EXCP_UD, 0, false, ra);
        reg += 2;
    }
    return reg;
}

void helper_write_drN(X86CPUState *env, int reg, uint64_t value)
{
    uintptr_t ra = GETPC();
    reg = dr_index(env, reg, ra);
    if (reg >= 6 && (value >> 32) && (env->efer & EFER_LMA))
        raise_gp0(env, ra);
    if (reg == 6)
        value = (value & 0x0000e00f) | 0xffff0ff0;
    else if (reg == 7)
        value = (value & 0xffff2bff) | 0x400;
    env->dr[reg] = value;
    if (reg == 7 && (value & 0xff))
        qlog(LOG_INT, "x86: DR7 = %#" PRIx64 "\n", value);
    if (reg <= 3 || reg == 7) {
        /* The TLB marks the pages data breakpoints watch; HF_DEBUG follows DR7. */
        x86_mem_ops->tlb_flush(env);
        x86_update_hflags(env);
    }
}

uint64_t helper_read_drN(X86CPUState *env, int reg)
{
    return env->dr[dr_index(env, reg, GETPC())];
}

/* The guest TSC: CLOCK_VIRTUAL at a nominal 1 GHz plus the offset WRMSR(TSC) sets. */
static uint64_t guest_tsc(X86CPUState *env)
{
    return (uint64_t)clock_ns(CLOCK_VIRTUAL) + (uint64_t)env->tsc_offset;
}

uint64_t x86_read_tsc(X86CPUState *env)
{
    return guest_tsc(env);
}

uint64_t helper_rdtsc(X86CPUState *env)
{
    if ((env->cr[4] & CR4_TSD) && x86_cpl(env) != 0 && (env->cr[0] & CR0_PE))
        raise_gp0(env, GETPC());
    return guest_tsc(env);
}

uint64_t helper_rdtscp(X86CPUState *env, uint32_t *aux)
{
    if ((env->cr[4] & CR4_TSD) && x86_cpl(env) != 0 && (env->cr[0] & CR0_PE))
        raise_gp0(env, GETPC());
    *aux = (uint32_t)env->tsc_aux;
    return guest_tsc(env);
}

void helper_check_io(X86CPUState *env, uint32_t port, unsigned size)
{
    uintptr_t ra = GETPC();
    int iopl = (env->eflags & EFLAGS_IOPL) >> 12;
    if (!(env->cr[0] & CR0_PE) || (!(env->eflags & EFLAGS_VM) && x86_cpl(env) <= iopl))
        return;
    /* The I/O permission bitmap of a 32-bit TSS (Intel SDM 1, 19.5.2). */
    int type = (env->tr.flags >> DESC_TYPE_SHIFT) & 15;
    if (!(env->tr.flags & DESC_P) || (type & 7) != 3 || !(type & 8) || env->tr.limit < 103)
        raise_gp0(env, ra);
    uint32_t base = (uint16_t)x86_ld_kernel(env, env->tr.base + 0x66, 2, ra);
    uint32_t off = base + (port >> 3);
    if (off + 1 > env->tr.limit)
        raise_gp0(env, ra);
    uint32_t bits = (uint16_t)x86_ld_kernel(env, env->tr.base + off, 2, ra);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        raise_gp0(env, ra);
}

void helper_hlt(X86CPUState *env, uint64_t next_rip)
{
    if ((env->cr[0] & CR0_PE) && x86_cpl(env) != 0)
        raise_gp0(env, GETPC());
    env->rip = next_rip;
    env->halted = true;
    env->interrupt_shadow = false;
    x86_update_hflags(env);
    x86_loop_exit(env, 0);
}

/* A flat segment as SYSCALL/SYSENTER load it (Intel SDM 2, SYSCALL: fixed descriptor values). */
static void load_flat(X86CPUState *env, int seg, uint32_t sel, int dpl, bool code, bool lm)
{
    SegmentCache *s = &env->segs[seg];
    s->selector = (uint16_t)sel;
    s->base = 0;
    s->limit = 0xffffffff;
    s->flags = DESC_P | DESC_S | DESC_A | DESC_G | ((uint32_t)dpl << DESC_DPL_SHIFT) |
               (code ? DESC_CS_MASK | DESC_R_MASK | (lm ? DESC_L : DESC_B) : DESC_W_MASK | DESC_B);
}

void helper_syscall(X86CPUState *env, uint64_t next_rip)
{
    if (!(env->efer & EFER_SCE))
        x86_raise_exception_ra(env, EXCP_UD, 0, false, GETPC());
    uint32_t sel = (env->star >> 32) & 0xffff;
    if (env->efer & EFER_LMA) {
        env->regs[R_ECX] = next_rip;
        env->regs[R_R11] = x86_get_eflags(env) & ~(uint64_t)EFLAGS_RF;
        bool from64 = env->hflags & HF_CS64;
        load_flat(env, R_CS, sel & 0xfffc, 0, true, true);
        load_flat(env, R_SS, (sel + 8) & 0xfffc, 0, false, false);
        x86_set_eflags(env, (x86_get_eflags(env) & ~env->fmask) & ~(uint64_t)EFLAGS_RF);
        env->rip = from64 ? env->lstar : env->cstar;
    } else {
        env->regs[R_ECX] = (uint32_t)next_rip;
        load_flat(env, R_CS, sel & 0xfffc, 0, true, false);
        load_flat(env, R_SS, (sel + 8) & 0xfffc, 0, false, false);
        env->eflags &= ~(uint64_t)(EFLAGS_IF | EFLAGS_VM | EFLAGS_RF);
        env->rip = (uint32_t)env->star;
    }
    x86_update_hflags(env);
}

static bool is_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

void helper_sysret(X86CPUState *env, int dflag)
{
    uintptr_t ra = GETPC();
    if (!(env->efer & EFER_SCE))
        x86_raise_exception_ra(env, EXCP_UD, 0, false, ra);
    if (!(env->cr[0] & CR0_PE) || x86_cpl(env) != 0)
        raise_gp0(env, ra);
    uint32_t sel = (env->star >> 48) & 0xffff;
    if (env->efer & EFER_LMA) {
        if (dflag == 2) {
            if (!is_canonical(env->regs[R_ECX]))
                raise_gp0(env, ra);
            load_flat(env, R_CS, ((sel + 16) & 0xfffc) | 3, 3, true, true);
            env->rip = env->regs[R_ECX];
        } else {
            load_flat(env, R_CS, (sel & 0xfffc) | 3, 3, true, false);
            env->rip = (uint32_t)env->regs[R_ECX];
        }
        load_flat(env, R_SS, ((sel + 8) & 0xfffc) | 3, 3, false, false);
        x86_set_eflags(env, (env->regs[R_R11] & 0x3c7fd7) | EFLAGS_FIXED);
    } else {
        load_flat(env, R_CS, (sel & 0xfffc) | 3, 3, true, false);
        load_flat(env, R_SS, ((sel + 8) & 0xfffc) | 3, 3, false, false);
        env->rip = (uint32_t)env->regs[R_ECX];
        env->eflags |= EFLAGS_IF;
    }
    x86_update_hflags(env);
}

void helper_sysenter(X86CPUState *env)
{
    uint32_t cs = (uint32_t)env->sysenter_cs;
    if (!(env->cr[0] & CR0_PE) || (cs & 0xfffc) == 0)
        raise_gp0(env, GETPC());
    bool lm = env->efer & EFER_LMA;
    env->eflags &= ~(uint64_t)(EFLAGS_VM | EFLAGS_IF | EFLAGS_RF);
    load_flat(env, R_CS, cs & 0xfffc, 0, true, lm);
    load_flat(env, R_SS, (cs + 8) & 0xfffc, 0, false, false);
    env->regs[R_ESP] = lm ? env->sysenter_esp : (uint32_t)env->sysenter_esp;
    env->rip = lm ? env->sysenter_eip : (uint32_t)env->sysenter_eip;
    x86_update_hflags(env);
}

void helper_sysexit(X86CPUState *env, int dflag)
{
    uint32_t cs = (uint32_t)env->sysenter_cs;
    if (!(env->cr[0] & CR0_PE) || x86_cpl(env) != 0 || (cs & 0xfffc) == 0)
        raise_gp0(env, GETPC());
    if (dflag == 2) {
        load_flat(env, R_CS, ((cs + 32) & 0xfffc) | 3, 3, true, true);
        load_flat(env, R_SS, ((cs + 40) & 0xfffc) | 3, 3, false, false);
        env->regs[R_ESP] = env->regs[R_ECX];
        env->rip = env->regs[R_EDX];
    } else {
        load_flat(env, R_CS, ((cs + 16) & 0xfffc) | 3, 3, true, false);
        load_flat(env, R_SS, ((cs + 24) & 0xfffc) | 3, 3, false, false);
        env->regs[R_ESP] = (uint32_t)env->regs[R_ECX];
        env->rip = (uint32_t)env->regs[R_EDX];
    }
    x86_update_hflags(env);
}

/* ---- debug breakpoints (Intel SDM 3A 17.2): the checks the execution loop (instructions) and
 * the TLB (data: pages a breakpoint covers go through the slow path) make while DR7 enables a
 * breakpoint, and the #DB they lead to. ---- */

#define DR6_BS (1u << 14)

static unsigned dr7_len(uint64_t dr7, int n)
{
    static const unsigned len[4] = { 1, 2, 8, 4 };   /* LEN encoding 00, 01, 10, 11 */
    return len[(dr7 >> (18 + 4 * n)) & 3];
}

static unsigned dr7_rw(uint64_t dr7, int n)
{
    return (dr7 >> (16 + 4 * n)) & 3;
}

static bool dr7_enabled(uint64_t dr7, int n)
{
    return (dr7 >> (2 * n)) & 3;      /* Ln or Gn */
}

uint32_t x86_debug_check_code(X86CPUState *env, uint64_t linear_rip)
{
    uint32_t hits = 0;
    if (env->eflags & EFLAGS_RF)
        return 0;                     /* RF suppresses instruction breakpoints once */
    for (int n = 0; n < 4; n++)
        if (dr7_enabled(env->dr[7], n) && dr7_rw(env->dr[7], n) == 0 && env->dr[n] == linear_rip)
            hits |= 1u << n;
    return hits;
}

uint32_t x86_debug_check_data(X86CPUState *env, uint64_t addr, unsigned len, int is_write)
{
    uint32_t hits = 0;
    for (int n = 0; n < 4; n++) {
        unsigned rw = dr7_rw(env->dr[7], n);
        if (!dr7_enabled(env->dr[7], n) || rw == 0 || rw == 2 || (rw == 1 && !is_write))
            continue;
        unsigned blen = dr7_len(env->dr[7], n);
        uint64_t base = env->dr[n] & ~(uint64_t)(blen - 1);   /* aligned to its length */
        if (addr < base + blen && base < addr + len)
            hits |= 1u << n;
    }
    return hits;
}

void x86_debug_raise(X86CPUState *env, uint32_t hits, bool single_step, uintptr_t retaddr)
{
    /* DR6: B0-B3 for the breakpoints that matched, BS for a single-step trap. */
    env->dr[6] = (env->dr[6] & ~0xfULL) | (hits & 0xf) | (single_step ? DR6_BS : 0);
    x86_raise_exception_ra(env, EXCP_DB, 0, false, retaddr);
}
