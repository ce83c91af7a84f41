/* cpuid.c: CPUID — the processor vireo's TCG CPU claims to be, and nothing more.
 *
 * Every feature bit set here must be implemented by the translator or by these helpers; a
 * guest that sees a bit will use it. Advertised: the integer ISA with ADX, MOVBE, POPCNT,
 * LZCNT, RDRAND, RDTSCP, CMPXCHG8B/16B, BMI1, BMI2; x87; MMX, SSE..SSE4.2 (helpers here,
 * translation in cpu/x86/translate-sse); AVX, AVX2, FMA and F16C (translate-vex.c); XSAVE, XSAVEOPT
 * for x87, SSE and AVX state; PAE, PSE, PSE-36, PGE, PAT, NX, SMEP, SMAP (CLAC/STAC) and
 * 1 GiB pages; SYSENTER, SYSCALL; long mode; the local APIC and its TSC-deadline timer when the
 * board gives the CPU one. Not advertised (not implemented): AVX-512, AES/PCLMULQDQ,
 * XSAVEC/XSAVES, FSGSBASE, PCID, VME/PVI, MCE/MCA, x2APIC, MONITOR/MWAIT, VMX, UMIP, LA57, PKU.
 * (Intel SDM 2, CPUID.)
 */
#include "util/osdep.h"
#include "cpu/x86/helper.h"

/* Leaf 1 EDX (Intel SDM 2, table 3-11). */
#define F1D_FPU   (1u << 0)
#define F1D_DE    (1u << 2)
#define F1D_PSE   (1u << 3)
#define F1D_TSC   (1u << 4)
#define F1D_MSR   (1u << 5)
#define F1D_PAE   (1u << 6)
#define F1D_CX8   (1u << 8)
#define F1D_APIC  (1u << 9)
#define F1D_SEP   (1u << 11)
#define F1D_MTRR  (1u << 12)
#define F1D_PGE   (1u << 13)
#define F1D_CMOV  (1u << 15)
#define F1D_PAT   (1u << 16)
#define F1D_PSE36 (1u << 17)
#define F1D_CLFSH (1u << 19)
#define F1D_MMX   (1u << 23)
#define F1D_FXSR  (1u << 24)
#define F1D_SSE   (1u << 25)
#define F1D_SSE2  (1u << 26)
/* Leaf 1 ECX (table 3-10). */
#define F1C_SSE3   (1u << 0)
#define F1C_SSSE3  (1u << 9)
#define F1C_FMA    (1u << 12)
#define F1C_CX16   (1u << 13)
#define F1C_SSE41  (1u << 19)
#define F1C_SSE42  (1u << 20)
#define F1C_MOVBE  (1u << 22)
#define F1C_POPCNT (1u << 23)
#define F1C_TSC_DEADLINE (1u << 24)
#define F1C_XSAVE  (1u << 26)
#define F1C_AVX    (1u << 28)
#define F1C_F16C   (1u << 29)
#define F1C_RDRAND (1u << 30)
#define F1C_OSXSAVE (1u << 27)
#define F1C_HYPERVISOR (1u << 31)
/* Leaf 7.0 EBX. */
#define F7B_BMI1 (1u << 3)
#define F7B_AVX2 (1u << 5)
#define F7B_SMEP (1u << 7)
#define F7B_BMI2 (1u << 8)
#define F7B_ADX  (1u << 19)
#define F7B_SMAP (1u << 20)
/* Leaf 0x80000001 EDX / ECX. */
#define FXD_SYSCALL (1u << 11)
#define FXD_NX      (1u << 20)
#define FXD_RDTSCP  (1u << 27)
#define FXD_PDPE1GB (1u << 26)     /* 1 GiB pages (mmu.c) */
#define FXD_LM      (1u << 29)
#define FXC_LAHF_LM (1u << 0)
#define FXC_ABM     (1u << 5)      /* LZCNT */

#define CPUID_MAX_BASIC 0xd
#define CPUID_MAX_EXT   0x80000008

/* Family 6, model 0x3a-like signature; stepping 9. */
#define CPUID_SIGNATURE ((6u << 8) | (0xau << 4) | (3u << 16) | 9u)

static void put_string(const char *s, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    memcpy(a, s, 4);
    memcpy(b, s + 4, 4);
    memcpy(c, s + 8, 4);
    memcpy(d, s + 12, 4);
}

/* Leaf 0Dh (SDM 1, 13.2): the components of XSTATE_SUPPORTED in the standard format;
 * subleaf 1 offers XSAVEOPT only (no XSAVEC, XGETBV with ECX = 1, XSAVES). */
static void xsave_leaf(const X86CPUState *env, uint32_t subleaf, uint32_t *eax, uint32_t *ebx,
                       uint32_t *ecx, uint32_t *edx)
{
    switch (subleaf) {
    case 0:
        *eax = (uint32_t)XSTATE_SUPPORTED;
        *ebx = (env->xcr0 & XSTATE_YMM) ? XSAVE_YMM_OFFSET + XSAVE_YMM_SIZE : XSAVE_YMM_OFFSET;
        *ecx = XSAVE_YMM_OFFSET + XSAVE_YMM_SIZE;
        break;
    case 1:
        *eax = 1;                      /* XSAVEOPT */
        break;
    case 2:                            /* YMM_Hi128 */
        *eax = XSAVE_YMM_SIZE;
        *ebx = XSAVE_YMM_OFFSET;
        break;
    default:
        break;
    }
}

void x86_cpuid(X86CPUState *env, uint32_t leaf, uint32_t subleaf, uint32_t *eax, uint32_t *ebx,
               uint32_t *ecx, uint32_t *edx)
{
    static const char brand[48] = "vireo TCG x86-64 CPU";
    X86CPU *cpu = container_of(env, X86CPU, env);
    *eax = *ebx = *ecx = *edx = 0;
    /* An out-of-range basic leaf returns the highest basic leaf (Intel behaviour). */
    if (leaf > CPUID_MAX_BASIC && leaf < 0x80000000)
        leaf = CPUID_MAX_BASIC;
    if (leaf > CPUID_MAX_EXT)
        leaf = CPUID_MAX_BASIC;
    switch (leaf) {
    case 0:
        *eax = CPUID_MAX_BASIC;
        memcpy(ebx, "Genu", 4);
        memcpy(edx, "ineI", 4);
        memcpy(ecx, "ntel", 4);
        break;
    case 1:
        *eax = CPUID_SIGNATURE;
        /* CLFLUSH line size 8 qwords, 1 logical processor, initial APIC ID. */
        *ebx = (8u << 8) | (1u << 16) | (cpu->apic_id << 24);
        *ecx = F1C_SSE3 | F1C_SSSE3 | F1C_FMA | F1C_CX16 | F1C_SSE41 | F1C_SSE42 | F1C_MOVBE | F1C_POPCNT |
               F1C_XSAVE | F1C_AVX | F1C_F16C | F1C_RDRAND | F1C_HYPERVISOR;
        /* OSXSAVE mirrors CR4.OSXSAVE (SDM 2, table 3-10). */
        if (env->cr[4] & CR4_OSXSAVE)
            *ecx |= F1C_OSXSAVE;
        *edx = F1D_FPU | F1D_DE | F1D_PSE | F1D_TSC | F1D_MSR | F1D_PAE | F1D_CX8 | F1D_SEP |
               F1D_MTRR | F1D_PGE | F1D_CMOV | F1D_PAT | F1D_PSE36 | F1D_CLFSH | F1D_MMX |
               F1D_FXSR | F1D_SSE | F1D_SSE2;
        /* APIC: present on the board and globally enabled in IA32_APIC_BASE (Intel SDM 2,
         * CPUID.01H:EDX[9]); its timer has the TSC-deadline mode (SDM 3A 10.5.4.1). */
        if (cpu->has_apic && (env->apic_base & APICBASE_ENABLE))
            *edx |= F1D_APIC;
        if (cpu->apic.set_tsc_deadline)
            *ecx |= F1C_TSC_DEADLINE;
        break;
    case 2:
        /* AL = 1: one call suffices; every descriptor byte 0 = "no descriptor". */
        *eax = 1;
        break;
    case 7:
        if (subleaf == 0)
            *ebx = F7B_BMI1 | F7B_AVX2 | F7B_SMEP | F7B_BMI2 | F7B_ADX | F7B_SMAP;
        break;
    case 0xd:
        xsave_leaf(env, subleaf, eax, ebx, ecx, edx);
        break;
    case 0x80000000:
        *eax = CPUID_MAX_EXT;
        memcpy(ebx, "Genu", 4);
        memcpy(edx, "ineI", 4);
        memcpy(ecx, "ntel", 4);
        break;
    case 0x80000001:
        *ecx = FXC_LAHF_LM | FXC_ABM;
        *edx = FXD_SYSCALL | FXD_NX | FXD_PDPE1GB | FXD_RDTSCP | FXD_LM;
        break;
    case 0x80000002: case 0x80000003: case 0x80000004:
        put_string(brand + 16 * (leaf - 0x80000002), eax, ebx, ecx, edx);
        break;
    case 0x80000008:
        /* 40 physical, 48 linear address bits (mmu.c's reserved-bit checks use 40). */
        *eax = 40 | (48u << 8);
        break;
    default:
        break;   /* 3-6 and 0x80000005-7: reserved/zero */
    }
}

void helper_cpuid(X86CPUState *env)
{
    uint32_t a, b, c, d;
    x86_cpuid(env, (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_ECX], &a, &b, &c, &d);
    env->regs[R_EAX] = a;
    env->regs[R_EBX] = b;
    env->regs[R_ECX] = c;
    env->regs[R_EDX] = d;
}
