/* test-x86-cpuid.c: CPUID leaves report what vireo implements, consistently across leaves. */
#include "test-x86-harness.h"

static void q(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    x86_cpuid(tenv, leaf, sub, &r[0], &r[1], &r[2], &r[3]);
}

Test(x86_cpuid, leaves)
{
    uint32_t r[4];
    char s[49] = { 0 };
    harness_init();
    q(0, 0, r);
    cr_assert_eq(r[0], 0xd);
    memcpy(s, &r[1], 4);
    memcpy(s + 4, &r[3], 4);
    memcpy(s + 8, &r[2], 4);
    cr_assert_str_eq(s, "GenuineIntel");
    q(1, 0, r);
    cr_assert_eq((r[0] >> 8) & 15, 6, "family 6");
    cr_assert(r[3] & (1u << 0), "FPU");
    cr_assert(r[3] & (1u << 26), "SSE2");
    cr_assert_eq(r[3] & (1u << 9), 0, "no APIC bit when the board has no local APIC");
    cr_assert(r[2] & (1u << 26), "XSAVE");
    cr_assert_eq(r[2] & (1u << 27), 0, "no OSXSAVE while CR4.OSXSAVE is clear");
    cr_assert(r[2] & (1u << 28), "AVX (translate-vex.c)");
    cr_assert_eq(r[2] & ((1u << 12) | (1u << 29)), (1u << 12) | (1u << 29), "FMA, F16C");
    cr_assert_eq(r[2] & (1u << 25), 0, "no AES-NI: not implemented");
    cr_assert(r[2] & (1u << 30), "RDRAND (the translator's helper_tr_rdrand)");
    container_of(tenv, X86CPU, env)->has_apic = true;
    tenv->apic_base = 0xfee00000 | (1u << 11) | (1u << 8);
    q(1, 0, r);
    cr_assert(r[3] & (1u << 9), "APIC with a local APIC, globally enabled");
    tenv->apic_base &= ~(1ULL << 11);
    q(1, 0, r);
    cr_assert_eq(r[3] & (1u << 9), 0, "APIC bit follows IA32_APIC_BASE.EN");
    q(7, 0, r);
    cr_assert(r[1] & (1u << 7), "SMEP");
    cr_assert(r[1] & (1u << 20), "SMAP");
    cr_assert_eq(r[1] & ((1u << 3) | (1u << 8)), (1u << 3) | (1u << 8), "BMI1, BMI2");
    cr_assert(r[1] & (1u << 5), "AVX2");
    cr_assert_eq(r[1] & (1u << 16), 0, "no AVX-512");
    q(7, 1, r);
    cr_assert_eq(r[1], 0);
    q(0x80000000, 0, r);
    cr_assert_eq(r[0], 0x80000008);
    q(0x80000001, 0, r);
    cr_assert(r[3] & (1u << 29), "LM");
    cr_assert(r[3] & (1u << 20), "NX");
    for (uint32_t i = 0; i < 3; i++) {
        q(0x80000002 + i, 0, r);
        memcpy(s + 16 * i, r, 16);
    }
    cr_assert_str_eq(s, "vireo TCG x86-64 CPU");
    q(0x80000008, 0, r);
    cr_assert_eq(r[0] & 0xff, 40);
    /* Out-of-range leaves answer like the highest basic leaf (Intel SDM 2, CPUID). */
    uint32_t hi[4];
    q(0xd, 0, r);
    cr_assert_eq(r[0], 7, "x87, SSE, AVX");
    cr_assert_eq(r[1], 576, "size for XCR0 = 1");
    cr_assert_eq(r[2], 832, "size for every component");
    tenv->xcr0 = 7;
    q(0xd, 0, r);
    cr_assert_eq(r[1], 832, "size for XCR0 = 7");
    tenv->xcr0 = 1;
    q(0xd, 2, r);
    cr_assert(r[0] == 256 && r[1] == 576, "YMM_Hi128: 256 bytes at 576");
    q(0xd, 1, r);
    cr_assert_eq(r[0], 1, "XSAVEOPT only");
    tenv->cr[4] |= CR4_OSXSAVE;
    q(1, 0, r);
    cr_assert(r[2] & (1u << 27), "OSXSAVE mirrors CR4.OSXSAVE");
    q(0xd, 0, hi);
    q(0x40000000, 0, r);
    cr_assert_arr_eq(r, hi, sizeof(r));
    q(0x80000009, 0, r);
    cr_assert_arr_eq(r, hi, sizeof(r));
    tenv->regs[R_EAX] = 0;
    helper_cpuid(tenv);
    cr_assert_eq(tenv->regs[R_EAX], 0xd);
}
