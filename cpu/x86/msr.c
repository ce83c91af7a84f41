/* msr.c: RDMSR/WRMSR — the model-specific registers vireo implements (Intel SDM 4). */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/seg_helper.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

/* Microcode update signature (MSR 0x8b): Linux reads it without a #GP handler. */
#define MSR_IA32_UCODE_REV 0x8b
#define MSR_IA32_PLATFORM_ID 0x17
#define UCODE_REV_VALUE 0x100000000ULL

/* MTRRcap: 8 variable ranges, fixed ranges, write-combining (Intel SDM 3A 11.11.2.1). */
#define MTRRCAP_VALUE (0x500 | X86_MAX_MSR_MTRR_VAR)

static bool is_canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* Memory types allowed in PAT and MTRRs: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC- (PAT only). */
static bool valid_mem_type(unsigned t, bool pat)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || (pat && t == 7);
}

static int mtrr_fixed_index(uint32_t index)
{
    switch (index) {
    case MSR_MTRRfix64K_00000: return 0;
    case MSR_MTRRfix16K_80000: return 1;
    case MSR_MTRRfix16K_A0000: return 2;
    default:
        if (index >= MSR_MTRRfix4K_C0000 && index < MSR_MTRRfix4K_C0000 + 8)
            return 3 + (int)(index - MSR_MTRRfix4K_C0000);
        return -1;
    }
}

bool x86_msr_read(X86CPUState *env, uint32_t index, uint64_t *value)
{
    X86CPU *cpu = container_of(env, X86CPU, env);
    int fi;
    switch (index) {
    case MSR_IA32_TSC: *value = x86_read_tsc(env); return true;
    case MSR_IA32_UCODE_REV: *value = UCODE_REV_VALUE; return true;
    case MSR_IA32_PLATFORM_ID: *value = 0; return true;
    case MSR_IA32_APICBASE: *value = env->apic_base; return true;
    case MSR_IA32_TSC_DEADLINE:
        if (!cpu->apic.get_tsc_deadline)
            return false;
        *value = cpu->apic.get_tsc_deadline(cpu->apic.opaque);
        return true;
    case MSR_IA32_FEATURE_CONTROL: *value = env->feature_control; return true;
    case MSR_IA32_SYSENTER_CS: *value = env->sysenter_cs; return true;
    case MSR_IA32_SYSENTER_ESP: *value = env->sysenter_esp; return true;
    case MSR_IA32_SYSENTER_EIP: *value = env->sysenter_eip; return true;
    case MSR_IA32_MISC_ENABLE: *value = env->misc_enable; return true;
    case MSR_MTRRcap: *value = MTRRCAP_VALUE; return true;
    case MSR_IA32_PAT: *value = env->pat; return true;
    case MSR_MTRRdefType: *value = env->mtrr_deftype; return true;
    case MSR_EFER: *value = env->efer; return true;
    case MSR_STAR: *value = env->star; return true;
    case MSR_LSTAR: *value = env->lstar; return true;
    case MSR_CSTAR: *value = env->cstar; return true;
    case MSR_FMASK: *value = env->fmask; return true;
    case MSR_FSBASE: *value = env->segs[R_FS].base; return true;
    case MSR_GSBASE: *value = env->segs[R_GS].base; return true;
    case MSR_KERNELGSBASE: *value = env->kernel_gs_base; return true;
    case MSR_TSC_AUX: *value = env->tsc_aux; return true;
    }
    if (index >= MSR_MTRRphysBase0 && index < MSR_MTRRphysBase0 + 2 * X86_MAX_MSR_MTRR_VAR) {
        unsigned n = (index - MSR_MTRRphysBase0) / 2;
        *value = (index & 1) ? env->mtrr_var_mask[n] : env->mtrr_var_base[n];
        return true;
    }
    if ((fi = mtrr_fixed_index(index)) >= 0) {
        *value = env->mtrr_fixed[fi];
        return true;
    }
    return false;
}

bool x86_msr_write(X86CPUState *env, uint32_t index, uint64_t value)
{
    X86CPU *cpu = container_of(env, X86CPU, env);
    int fi;
    switch (index) {
    case MSR_IA32_TSC:
        env->tsc_offset = (int64_t)(value - (x86_read_tsc(env) - (uint64_t)env->tsc_offset));
        return true;
    case MSR_IA32_UCODE_REV:
        return true;     /* writing 0 before CPUID is how software asks for the revision */
    case MSR_IA32_APICBASE:
        /* Bits 12-39 base, 11 enable, 8 BSP (read-only); bit 10 (x2APIC) is not implemented,
         * so it is reserved like the others (Intel SDM 3A 10.4.4, 10.12.1). */
        if (value & ~(APICBASE_BASE | APICBASE_ENABLE | APICBASE_BSP))
            return false;
        env->apic_base = (value & ~APICBASE_BSP) | (env->apic_base & APICBASE_BSP);
        if (cpu->apic.set_base)
            cpu->apic.set_base(cpu->apic.opaque, env->apic_base);
        return true;
    case MSR_IA32_TSC_DEADLINE:
        if (!cpu->apic.set_tsc_deadline)
            return false;
        cpu->apic.set_tsc_deadline(cpu->apic.opaque, value, x86_read_tsc(env), X86_TSC_HZ);
        return true;
    case MSR_IA32_FEATURE_CONTROL:
        if (env->feature_control & 1)        /* locked */
            return false;
        env->feature_control = value & 1;    /* no VMX/SMX to enable */
        return true;
    case MSR_IA32_SYSENTER_CS: env->sysenter_cs = value & 0xffff; return true;
    case MSR_IA32_SYSENTER_ESP:
        if (!is_canonical(value))
            return false;
        env->sysenter_esp = value;
        return true;
    case MSR_IA32_SYSENTER_EIP:
        if (!is_canonical(value))
            return false;
        env->sysenter_eip = value;
        return true;
    case MSR_IA32_MISC_ENABLE:
        /* Bit 0 fast strings and bit 11/12 (BTS/PEBS unavailable) are what guests look at. */
        env->misc_enable = (value & 1) | (1u << 11) | (1u << 12);
        return true;
    case MSR_MTRRcap:
        return false;
    case MSR_IA32_PAT:
        for (int i = 0; i < 8; i++) {
            if (((value >> (8 * i)) & 0xf8) || !valid_mem_type((value >> (8 * i)) & 7, true))
                return false;
        }
        env->pat = value;
        return true;
    case MSR_MTRRdefType:
        if ((value & ~0xcffULL) || !valid_mem_type(value & 0xff, false))
            return false;
        env->mtrr_deftype = value;
        return true;
    case MSR_EFER: {
        uint64_t allowed = EFER_SCE | EFER_LME | EFER_NXE;
        if (value & ~(allowed | EFER_LMA))
            return false;
        /* LME may not change while paging is on (Intel SDM 3A 9.8.5); LMA is read-only. */
        if ((env->cr[0] & CR0_PG) && ((value ^ env->efer) & EFER_LME))
            return false;
        uint64_t old = env->efer;
        env->efer = (value & allowed) | (env->efer & EFER_LMA);
        if ((old ^ env->efer) & EFER_NXE)
            x86_mem_ops->tlb_flush(env);
        x86_update_hflags(env);
        return true;
    }
    case MSR_STAR: env->star = value; return true;
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_FSBASE:
    case MSR_GSBASE:
    case MSR_KERNELGSBASE:
        if (!is_canonical(value))
            return false;
        if (index == MSR_LSTAR) env->lstar = value;
        else if (index == MSR_CSTAR) env->cstar = value;
        else if (index == MSR_FSBASE) env->segs[R_FS].base = value;
        else if (index == MSR_GSBASE) env->segs[R_GS].base = value;
        else env->kernel_gs_base = value;
        return true;
    case MSR_FMASK: env->fmask = (uint32_t)value; return true;
    case MSR_TSC_AUX: env->tsc_aux = (uint32_t)value; return true;
    }
    if (index >= MSR_MTRRphysBase0 && index < MSR_MTRRphysBase0 + 2 * X86_MAX_MSR_MTRR_VAR) {
        unsigned n = (index - MSR_MTRRphysBase0) / 2;
        if (index & 1) {
            if (value & 0x7ffULL & ~0x800ULL)
                return false;
            env->mtrr_var_mask[n] = value;
        } else {
            if ((value & 0xf00) || !valid_mem_type(value & 0xff, false))
                return false;
            env->mtrr_var_base[n] = value;
        }
        return true;
    }
    if ((fi = mtrr_fixed_index(index)) >= 0) {
        for (int i = 0; i < 8; i++) {
            if (!valid_mem_type((value >> (8 * i)) & 0xff, false))
                return false;
        }
        env->mtrr_fixed[fi] = value;
        return true;
    }
    return false;
}

void helper_rdmsr(X86CPUState *env)
{
    uint64_t v;
    uint32_t index = (uint32_t)env->regs[R_ECX];
    if (x86_cpl(env) != 0 && (env->cr[0] & CR0_PE))
        x86_raise_exception_ra(env, EXCP_GP, 0, true, GETPC());
    if (!x86_msr_read(env, index, &v)) {
        qlog(LOG_GUEST_ERRORS | LOG_UNIMP, "x86: rdmsr of unknown MSR %#x: #GP\n", index);
        x86_raise_exception_ra(env, EXCP_GP, 0, true, GETPC());
    }
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = v >> 32;
}

void helper_wrmsr(X86CPUState *env)
{
    uint32_t index = (uint32_t)env->regs[R_ECX];
    uint64_t v = (uint32_t)env->regs[R_EAX] | (env->regs[R_EDX] << 32);
    if (x86_cpl(env) != 0 && (env->cr[0] & CR0_PE))
        x86_raise_exception_ra(env, EXCP_GP, 0, true, GETPC());
    if (!x86_msr_write(env, index, v)) {
        qlog(LOG_GUEST_ERRORS | LOG_UNIMP, "x86: wrmsr %#x <- %#" PRIx64 " refused: #GP\n", index, v);
        x86_raise_exception_ra(env, EXCP_GP, 0, true, GETPC());
    }
}
