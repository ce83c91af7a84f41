/* cpu.c: CPU reset, EFLAGS access, mode bits and state dump — shared by every accelerator. */
#include "util/osdep.h"
#include "cpu/x86/cpu.h"

static void seg_set(SegmentCache *s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t flags)
{
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->flags = flags;
}

void x86_cpu_reset(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    memset(env, 0, sizeof(*env));

    /* Intel SDM 3A, table 9-1: state following power-up/reset/INIT. */
    env->rip = 0xfff0;
    env->eflags = EFLAGS_FIXED;
    env->cc_op = CC_OP_EFLAGS;
    env->df = 1;
    env->regs[R_EDX] = 0x600;          /* family/model/stepping signature, as CPUID.1.EAX */
    env->cr[0] = CR0_ET | CR0_NW | CR0_CD;
    seg_set(&env->segs[R_CS], 0xf000, 0xffff0000, 0xffff, DESC_P | DESC_S | DESC_CS_MASK | DESC_R_MASK | DESC_A);
    for (int i = 0; i < X86_NSEGS; i++) {
        if (i != R_CS)
            seg_set(&env->segs[i], 0, 0, 0xffff, DESC_P | DESC_S | DESC_W_MASK | DESC_A);
    }
    env->gdt.limit = 0xffff;
    env->idt.limit = 0xffff;
    seg_set(&env->ldt, 0, 0, 0xffff, DESC_P | (2u << DESC_TYPE_SHIFT));
    seg_set(&env->tr, 0, 0, 0xffff, DESC_P | (11u << DESC_TYPE_SHIFT));
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->xcr0 = 1;
    env->mxcsr = 0x1f80;
    env->fpuc = 0x37f;                 /* FINIT state; the reset value 0x40 is replaced by the BIOS */
    for (int i = 0; i < 8; i++)
        env->fptag_empty[i] = 1;
    env->pat = 0x0007040600070406ULL;
    /* IA32_APIC_BASE: enabled, and BSP on CPU 0, when the board has a local APIC. */
    env->apic_base = cpu->has_apic ? APICBASE_DEFAULT | APICBASE_ENABLE |
                                     (cpu->index == 0 ? APICBASE_BSP : 0) : 0;
    env->a20_mask = 0xffffffff;
    env->exception_pending = -1;
    x86_update_hflags(env);
}

/* Copy the fields first..last of X86CPUState from `from`. */
#define ENV_COPY(env, from, first, last) \
    memcpy(&(env)->first, &(from)->first, \
           offsetof(X86CPUState, last) + sizeof((from)->last) - offsetof(X86CPUState, first))

void x86_cpu_init(X86CPU *cpu)
{
    X86CPUState old = cpu->env;
    X86CPUState *env = &cpu->env;
    x86_cpu_reset(cpu);
    ENV_COPY(env, &old, star, tsc_offset);       /* the MSRs (but EFER) and the TSC */
    ENV_COPY(env, &old, fpregs, mxcsr);          /* x87, MMX, SSE, AVX */
    env->xcr0 = old.xcr0;
    env->cr[0] = (env->cr[0] & ~(uint64_t)(CR0_CD | CR0_NW)) | (old.cr[0] & (CR0_CD | CR0_NW));
    env->a20_mask = old.a20_mask;              /* the gate is the chipset's, not the CPU's */
}

uint64_t x86_get_eflags(const X86CPUState *env)
{
    uint64_t f = env->eflags & ~(uint64_t)(EFLAGS_ARITH | EFLAGS_DF);
    f |= x86_cc_compute(env) & EFLAGS_ARITH;
    if (env->df < 0)
        f |= EFLAGS_DF;
    return f | EFLAGS_FIXED;
}

void x86_set_eflags(X86CPUState *env, uint64_t eflags)
{
    env->eflags = (eflags & ~(uint64_t)(EFLAGS_ARITH | EFLAGS_DF)) | EFLAGS_FIXED;
    env->cc_src = eflags & EFLAGS_ARITH;
    env->cc_op = CC_OP_EFLAGS;
    env->df = (eflags & EFLAGS_DF) ? -1 : 1;
}

void x86_update_hflags(X86CPUState *env)
{
    uint32_t hf = 0;
    const SegmentCache *cs = &env->segs[R_CS], *ss = &env->segs[R_SS];

    if (env->cr[0] & CR0_PE) {
        hf |= HF_PE;
        if (env->eflags & EFLAGS_VM)
            hf |= HF_VM | 3;
        else
            hf |= (ss->flags & DESC_DPL_MASK) >> DESC_DPL_SHIFT;
    }
    if (env->cr[0] & CR0_PG)
        hf |= HF_PG;
    if (env->efer & EFER_LMA) {
        hf |= HF_LMA;
        if (cs->flags & DESC_L)
            hf |= HF_CS64;
    }
    if ((hf & HF_CS64) || ((hf & HF_PE) && !(hf & HF_VM) && (cs->flags & DESC_B)))
        hf |= HF_CS32;
    if ((hf & HF_PE) && !(hf & HF_VM) && (ss->flags & DESC_B))
        hf |= HF_SS32;
    if (!(hf & HF_CS64) &&
        ((env->segs[R_DS].base | env->segs[R_ES].base | env->segs[R_SS].base) != 0 || !(hf & HF_PE) ||
         (hf & HF_VM)))
        hf |= HF_ADDSEG;
    if (env->eflags & EFLAGS_TF)
        hf |= HF_TF;
    if (env->eflags & EFLAGS_IF)
        hf |= HF_IF;
    if ((env->cr[4] & CR4_SMAP) && (env->eflags & EFLAGS_AC))
        hf |= HF_SMAP_AC;
    if (env->cr[4] & CR4_OSFXSR)
        hf |= HF_OSFXSR;
    if (env->cr[0] & CR0_EM)
        hf |= HF_EM;
    if (env->cr[0] & CR0_TS)
        hf |= HF_TS;
    if (env->cr[0] & CR0_MP)
        hf |= HF_MP;
    if (env->interrupt_shadow)
        hf |= HF_INHIBIT_IRQ;
    if (env->cr[4] & CR4_OSXSAVE) {
        hf |= HF_OSXSAVE;
        if ((env->xcr0 & 6) == 6)
            hf |= HF_AVX;
    }
    if (env->dr[7] & 0xff)
        hf |= HF_DEBUG;
    if ((env->cr[0] & CR0_AM) && (env->eflags & EFLAGS_AC))
        hf |= HF_ALIGN_CHECK;
    env->hflags = hf;
}

void x86_load_seg_real(X86CPUState *env, int seg, uint16_t selector)
{
    SegmentCache *s = &env->segs[seg];
    s->selector = selector;
    s->base = (uint64_t)selector << 4;
    /* Real mode keeps the cached limit and attributes (the "unreal mode" behaviour);
     * virtual-8086 mode forces them (Intel SDM 3A, 20.1.1). */
    if (env->eflags & EFLAGS_VM) {
        s->limit = 0xffff;
        s->flags = DESC_P | DESC_S | DESC_W_MASK | DESC_A | (3u << DESC_DPL_SHIFT) |
                   (seg == R_CS ? DESC_CS_MASK : 0);
    }
    if (seg == R_CS || seg == R_SS || seg == R_DS || seg == R_ES)
        x86_update_hflags(env);
}

void (*x86_cpu_kick_hook)(X86CPU *cpu);
void (*x86_cpu_tlb_flush_hook)(X86CPUState *env);

void x86_cpu_set_a20(X86CPU *cpu, bool enabled)
{
    uint32_t mask = enabled ? 0xffffffff : ~(1u << 20);
    if (cpu->env.a20_mask == mask)
        return;
    cpu->env.a20_mask = mask;
    if (x86_cpu_tlb_flush_hook)
        x86_cpu_tlb_flush_hook(&cpu->env);
}

void x86_cpu_interrupt(X86CPU *cpu, uint32_t mask)
{
    __atomic_or_fetch(&cpu->interrupt_request, mask, __ATOMIC_SEQ_CST);
    if (x86_cpu_kick_hook)
        x86_cpu_kick_hook(cpu);
}

void x86_cpu_clear_interrupt(X86CPU *cpu, uint32_t mask)
{
    __atomic_and_fetch(&cpu->interrupt_request, ~mask, __ATOMIC_SEQ_CST);
}

uint8_t x86_cpu_get_cr8(X86CPU *cpu)
{
    if (cpu->apic.get_tpr)
        return cpu->apic.get_tpr(cpu->apic.opaque);
    return cpu->env.cr8;
}

void x86_cpu_set_cr8(X86CPU *cpu, uint8_t cr8)
{
    cpu->env.cr8 = cr8 & 0xf;
    if (cpu->apic.set_tpr)
        cpu->apic.set_tpr(cpu->apic.opaque, cr8 & 0xf);
}

/* Intel SDM 1, 8.1.7: tag 00 valid, 01 zero, 10 special, 11 empty. */
uint16_t x86_fpu_tag_word(const X86CPUState *env)
{
    uint16_t ftw = 0;
    for (int i = 0; i < 8; i++) {
        const Float80 *r = &env->fpregs[i];
        unsigned tag;
        unsigned exp = r->exp & 0x7fff;
        if (env->fptag_empty[i])
            tag = 3;
        else if (exp == 0 && r->mant == 0)
            tag = 1;
        else if (exp == 0 || exp == 0x7fff || !(r->mant >> 63))
            tag = 2;
        else
            tag = 0;
        ftw |= tag << (2 * i);
    }
    return ftw;
}

void x86_fpu_set_tag_word(X86CPUState *env, uint16_t ftw)
{
    for (int i = 0; i < 8; i++)
        env->fptag_empty[i] = ((ftw >> (2 * i)) & 3) == 3;
}

static void dump_seg(FILE *f, const char *name, const SegmentCache *s)
{
    fprintf(f, "%-3s=%04x %016" PRIx64 " %08x %08x\n", name, s->selector, s->base, s->limit, s->flags);
}

void x86_cpu_dump_state(const X86CPUState *env, FILE *f)
{
    static const char *const rn[16] = { "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                        "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15" };
    static const char *const sn[X86_NSEGS] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    for (int i = 0; i < 16; i++)
        fprintf(f, "%-3s=%016" PRIx64 "%c", rn[i], env->regs[i], (i % 4 == 3) ? '\n' : ' ');
    fprintf(f, "RIP=%016" PRIx64 " RFL=%08" PRIx64 " CPL=%u HF=%08x A20=%d HLT=%d\n", env->rip,
            x86_get_eflags(env), env->hflags & HF_CPL_MASK, env->hflags,
            !!(env->a20_mask & (1u << 20)), env->halted);
    for (int i = 0; i < X86_NSEGS; i++)
        dump_seg(f, sn[i], &env->segs[i]);
    dump_seg(f, "LDT", &env->ldt);
    dump_seg(f, "TR", &env->tr);
    fprintf(f, "GDT=     %016" PRIx64 " %08x\nIDT=     %016" PRIx64 " %08x\n", env->gdt.base,
            env->gdt.limit, env->idt.base, env->idt.limit);
    fprintf(f, "CR0=%08" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08" PRIx64 "\n",
            env->cr[0], env->cr[2], env->cr[3], env->cr[4]);
    fprintf(f, "DR7=%016" PRIx64 " EFER=%016" PRIx64 "\n", env->dr[7], env->efer);
}
