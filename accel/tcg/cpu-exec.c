/* cpu-exec.c: the TCG accelerator — execution loop (find or translate a block, run, chain, take
 * interrupts at block boundaries) and its AccelOps registration as "tcg".
 *
 *     vireo -accel tcg                    native x86-64 back end where available
 *     vireo -accel tcg,backend=interp     the portable IR interpreter
 *     vireo -accel tcg,singlestep=on      one guest instruction per block (what -singlestep
 *                                         sets through tcg_singlestep)
 */
#include "util/osdep.h"
#include "util/log.h"
#include "util/bql.h"
#include "accel/accel.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/helper-tr.h"
#include "accel/tcg/cputlb.h"
#include "accel/tcg/tcg-accel.h"

bool tcg_singlestep;
static bool tcg_ready;

/* Mode bits a block is translated for: everything in hflags that changes code generation.
 * IF only matters through the interrupt shadow; TF ends every instruction with #DB. */
static inline uint32_t tb_flags_of(const X86CPUState *env)
{
    uint32_t f = env->hflags & ~(HF_IF | HF_INHIBIT_IRQ);
    if (env->interrupt_shadow)
        f |= HF_INHIBIT_IRQ;
    return f;
}

/* The look-up key of the next block: linear PC and CS base (both 32-bit outside 64-bit code, where
 * the base is 0); returns the mode flags. */
static inline uint32_t tb_key_of(const X86CPUState *env, uint64_t *pc, uint64_t *cs_base)
{
    uint32_t flags = tb_flags_of(env);
    if (flags & HF_CS64) {
        *cs_base = 0;
        *pc = env->rip;
    } else {
        *cs_base = env->segs[R_CS].base & 0xffffffffull;
        *pc = (env->rip + env->segs[R_CS].base) & 0xffffffffull;
    }
    return flags;
}

/* TCGConfig.lookup_tb: the next block for returns, indirect jumps and jumps to another page, so
 * that they stay in generated code (whose blocks still test tcg_exit_request on entry). NULL sends
 * the block back to the loop, which must see every block when the debugger, single-stepping, TF,
 * debug-register breakpoints, an interrupt shadow or an execution trace is at work. Never longjmps: a jump-cache miss is
 * left to the loop. */
static TranslationBlock *tb_lookup_indirect(void *opaque)
{
    X86CPUState *env = opaque;
    AccelCPU *ac = tcg_accel_cpu(env);
    if (ac->single_step || ac->next_cflags || tcg_singlestep || x86_tr_nbps ||
        env->interrupt_shadow || (env->hflags & (HF_TF | HF_DEBUG)) ||
        unlikely(log_enabled(LOG_EXEC | LOG_CPU)))
        return NULL;
    uint64_t pc, cs_base;
    uint32_t flags = tb_key_of(env, &pc, &cs_base);
    return tcg_jc_lookup(&ac->jc, pc, cs_base, flags);
}

bool tcg_accel_setup(TCGBackendKind backend)
{
    if (tcg_ready)
        return tcg_select_backend(backend);
    TCGConfig cfg = {
        .backend = backend,
        .tlb = &x86_soft_tlb,
        .exit_request = true,
        .exit_request_ofs = offsetof(X86CPUState, tcg_exit_request),
        .lookup_tb = tb_lookup_indirect,
    };
    if (!tcg_init(&cfg))
        return false;
    x86_translate_init();
    tcg_cputlb_init();
    tcg_ready = true;
    return true;
}

static TranslationBlock *tb_find(X86CPU *cpu, AccelCPU *ac, uint32_t cflags)
{
    X86CPUState *env = &cpu->env;
    uint64_t pc, cs_base;
    uint32_t flags = tb_key_of(env, &pc, &cs_base);
    TranslationBlock *tb = NULL;
    if (!cflags)
        tb = tcg_jc_lookup(&ac->jc, pc, cs_base, flags);
    if (tb)
        return tb;
    uint64_t phys = tlb_get_code_page(env, pc) | (pc & ~TLB_PAGE_MASK);
    if (!cflags)
        tb = tcg_tb_lookup(phys, pc, cs_base, flags);
    if (!tb) {
        bool had_code = tcg_page_has_code(phys);
        tb = tcg_tb_gen(pc, phys, cs_base, flags, cflags, x86_translate_tb, cpu);
        if (!had_code)
            tlb_protect_code(phys & TLB_PAGE_MASK);
        if (tb->page2_phys != ~0ull)
            tlb_protect_code(tb->page2_phys);
    }
    if (!cflags)
        tcg_jc_insert(&ac->jc, tb);
    return tb;
}

/* Take a pending external interrupt or NMI if the CPU can (SDM 3A 6.8.3, 6.9). True if one
 * was delivered. */
static bool take_interrupt(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    uint32_t req = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_SEQ_CST);
    if (env->interrupt_shadow)
        return false;
    if ((req & CPU_INTERRUPT_NMI) && !env->nmi_blocked) {
        x86_cpu_clear_interrupt(cpu, CPU_INTERRUPT_NMI);
        env->nmi_blocked = true;
        env->halted = false;
        qlog(LOG_INT, "tcg: NMI at %04x:%016" PRIx64 "\n", env->segs[R_CS].selector, env->rip);
        x86_do_interrupt(env, EXCP_NMI, false, false, 0, 0, true);
        return true;
    }
    if ((req & CPU_INTERRUPT_HARD) && (env->eflags & EFLAGS_IF) && cpu->intr_source.get_vector) {
        int vector = cpu->intr_source.get_vector(cpu->intr_source.opaque);
        if (vector < 0)
            return false;
        env->halted = false;
        qlog(LOG_INT, "tcg: interrupt %#x at %04x:%016" PRIx64 "\n", vector,
             env->segs[R_CS].selector, env->rip);
        x86_do_interrupt(env, vector, false, false, 0, 0, true);
        return true;
    }
    return false;
}

static AccelExit cpu_exec_loop(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    AccelCPU *ac = cpu->accel;
    TranslationBlock *last_tb = NULL;
    unsigned last_idx = 0;
    uint32_t gen = tcg_cache_gen();

    for (;;) {
        if (env->triple_fault) {
            env->triple_fault = false;
            qlog(LOG_INT, "tcg: triple fault\n");
            return ACCEL_EXIT_SHUTDOWN;
        }
        if (env->exception_pending >= 0) {
            qlog(LOG_INT, "tcg: exception %d err %#x at %04x:%016" PRIx64 "\n",
                 env->exception_pending, env->exception_error_code, env->segs[R_CS].selector,
                 env->rip);
            last_tb = NULL;
            x86_deliver_pending(env);
            continue;
        }
        __atomic_store_n(&env->tcg_exit_request, 0, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&cpu->interrupt_request, __ATOMIC_SEQ_CST) &
            (CPU_INTERRUPT_EXIT | CPU_INTERRUPT_INIT))
            return ACCEL_EXIT_KICK;              /* INIT: system/cpus.c applies it */
        if (take_interrupt(cpu)) {
            last_tb = NULL;
            continue;
        }
        if (env->halted)
            return ACCEL_EXIT_HLT;

        /* The debugger's breakpoints, and the guest's instruction breakpoints (DR0-DR3), which
         * are faults, before the instruction (SDM 3A 17.3.1.1): the PC only when one is set. */
        uint32_t hits = 0;
        if (unlikely(x86_tr_nbps || (env->hflags & HF_DEBUG))) {
            uint64_t pc, cs_base;
            tb_key_of(env, &pc, &cs_base);
            if (x86_tr_nbps && x86_tr_is_bp(pc) && !(ac->skip_bp && ac->skip_bp_pc == pc)) {
                ac->skip_bp = true;
                ac->skip_bp_pc = pc;
                return ACCEL_EXIT_DEBUG;
            }
            if (env->hflags & HF_DEBUG)
                hits = x86_debug_check_code(env, pc);
        }
        /* RF (set by IRET) lets one instruction run past an instruction breakpoint; it clears
         * once an instruction completes, which only matters here, so it is cleared here,
         * whatever DR7 says. */
        env->eflags &= ~(uint64_t)EFLAGS_RF;
        ac->watch_hits = 0;
        if (hits)
            x86_debug_raise(env, hits, false, 0);
        uint32_t cflags = ac->next_cflags;
        ac->next_cflags = 0;
        if (tcg_singlestep || ac->single_step || (env->hflags & (HF_TF | HF_DEBUG)))
            cflags = 1 | CF_NO_CHAIN;
        TranslationBlock *tb = tb_find(cpu, ac, cflags);
        if (tcg_cache_gen() != gen) {
            /* The cache was flushed: block pointers from before are stale. */
            gen = tcg_cache_gen();
            last_tb = NULL;
        }
        if (last_tb && !cflags && !x86_tr_nbps)
            tcg_tb_link(last_tb, last_idx, tb);
        if (unlikely(log_enabled(LOG_EXEC)))
            log_printf("Trace %p [%016" PRIx64 "] %04x:%016" PRIx64 "\n", tb->tc_ptr, tb->pc,
                       env->segs[R_CS].selector, env->rip);
        if (unlikely(log_enabled(LOG_CPU))) {
            log_lock();
            x86_cpu_dump_state(env, log_file());
            log_unlock();
        }
        uintptr_t r = tcg_tb_exec(env, tb);
        ac->skip_bp = false;
        if (ac->watch_hits) {
            /* Data breakpoints are traps, after the instruction that hit them (SDM 3A 17.3.1.2). */
            uint32_t hits = ac->watch_hits;
            ac->watch_hits = 0;
            x86_debug_raise(env, hits, false, 0);
        }
        last_tb = TB_EXIT_TB(r);
        last_idx = TB_EXIT_INDEX(r);
        if (last_idx == TB_EXIT_REQUESTED) {
            /* Left at the start of last_tb before running it: that is where we are. */
            if (last_tb)
                env->rip = last_tb->pc - last_tb->cs_base;
            last_tb = NULL;
        } else if (last_idx == TB_EXIT_NOCHAIN || !last_tb) {
            last_tb = NULL;
        }
        if (ac->single_step && last_idx != TB_EXIT_REQUESTED)
            return ACCEL_EXIT_DEBUG;
    }
}

static AccelExit tcg_vcpu_exec(X86CPU *cpu)
{
    /* Exceptions and exits in helpers and the TLB longjmp here with env exact; the loop then
     * starts afresh (delivering the exception first). */
    while (sigsetjmp(cpu->accel->jmp_env, 0) != 0)
        ;
    return cpu_exec_loop(cpu);
}

static bool tcg_probe(char *why, size_t len)
{
    return true;
}

static bool tcg_accel_init(const OptList *opts, Error **errp)
{
    TCGBackendKind kind = TCG_BACKEND_AUTO;
    const char *be = opts ? opts_get(opts, "backend") : NULL;
    const char *ss = opts ? opts_get(opts, "singlestep") : NULL;
    if (ss && !parse_bool(ss, &tcg_singlestep)) {
        error_setg(errp, "-accel tcg: singlestep=%s: expected on or off", ss);
        return false;
    }
    if (be) {
        if (strcmp(be, "native") == 0) {
            kind = TCG_BACKEND_NATIVE;
        } else if (strcmp(be, "interp") == 0) {
            kind = TCG_BACKEND_INTERP;
        } else {
            error_setg(errp, "-accel tcg: backend=%s: expected native or interp", be);
            return false;
        }
    }
    if (!tcg_accel_setup(kind) && kind == TCG_BACKEND_AUTO) {
        info_report("tcg: the native back end is not usable here; using the interpreter");
        kind = TCG_BACKEND_INTERP;
        if (tcg_accel_setup(kind))
            goto ok;
    }
    if (!tcg_ready) {
        error_setg(errp, "-accel tcg: back end %s is not available", be ? be : "auto");
        return false;
    }
ok:
    x86_cpu_tlb_flush_hook = tlb_flush;     /* the A20 gate changes what the TLB caches */
    info_report("tcg: %s back end", tcg_backend_name());
    return true;
}

bool tcg_accel_vcpu_init(X86CPU *cpu, Error **errp)
{
    if (cpu->accel)
        return true;
    AccelCPU *ac = xzalloc(sizeof(*ac));
    ac->cpu = cpu;
    cpu->accel = ac;
    tcg_cputlb_register_cpu(ac);
    return true;
}

static void tcg_vcpu_kick(X86CPU *cpu)
{
    __atomic_store_n(&cpu->env.tcg_exit_request, 1, __ATOMIC_SEQ_CST);
}

static void tcg_sync_from_env(X86CPU *cpu)
{
    /* env is the only state: just forget mappings derived from it. */
    x86_update_hflags(&cpu->env);
    if (cpu->accel)
        tlb_flush(&cpu->env);
}

static void tcg_sync_to_env(X86CPU *cpu)
{
}

static bool tcg_set_guest_debug(X86CPU *cpu, bool single_step, const uint64_t *bps, int nbps)
{
    if (nbps > X86_TR_MAX_BPS)
        return false;
    if (cpu->accel)
        cpu->accel->single_step = single_step;
    bool changed = nbps != x86_tr_nbps ||
                   (nbps && memcmp(bps, x86_tr_bps, nbps * sizeof(*bps)) != 0);
    if (changed) {
        memcpy(x86_tr_bps, bps, nbps * sizeof(*bps));
        x86_tr_nbps = nbps;
        /* Blocks translated before may run through a new breakpoint, or be chained. */
        if (tcg_ready)
            tcg_tb_flush();
    }
    return true;
}

static const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .probe = tcg_probe,
    .init = tcg_accel_init,
    .vcpu_init = tcg_accel_vcpu_init,
    .vcpu_exec = tcg_vcpu_exec,
    .vcpu_kick = tcg_vcpu_kick,
    .sync_from_env = tcg_sync_from_env,
    .sync_to_env = tcg_sync_to_env,
    .set_guest_debug = tcg_set_guest_debug,
};
ACCEL_REGISTER(tcg_accel_ops)

AccelExit tcg_accel_exec(X86CPU *cpu)
{
    return tcg_vcpu_exec(cpu);
}
