/*
 * cpuid.c: CPUID facts that hold on every engine vireo offers (and on QEMU's). Values that
 * differ between a real CPU and an emulated one (vendor, family, model) are only checked for
 * shape, never printed.
 */
#include "guest.h"

static bool printable12(const char *s)
{
    for (int i = 0; i < 12; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            return false;
    return true;
}

static uint32_t user_leaf0[4];
static uint8_t user_stack[4096] __attribute__((aligned(16)));

static void user_cpuid(void)
{
    cpuid(0, 0, user_leaf0);
    USER_RETURN();
}

int guest_main(void)
{
    uint32_t r[4];
    char vendor[13];

    printf("cpuid: basic and extended leaves\n");
    cpuid(0, 0, r);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    check(r[0] >= 1, "leaf 0: highest basic leaf >= 1");
    check(printable12(vendor), "leaf 0: vendor is 12 printable characters");

    /* Intel SDM 2A CPUID, table 3-11: leaf 1 EDX feature bits. */
    cpuid(1, 0, r);
    static const struct { int bit; const char *name; } edx1[] = {
        { 0, "fpu" }, { 3, "pse" }, { 4, "tsc" }, { 5, "msr" }, { 6, "pae" }, { 8, "cx8" },
        { 13, "pge" }, { 15, "cmov" }, { 23, "mmx" }, { 24, "fxsr" }, { 25, "sse" }, { 26, "sse2" },
    };
    for (unsigned i = 0; i < sizeof(edx1) / sizeof(edx1[0]); i++)
        check(r[3] >> edx1[i].bit & 1, "leaf 1: edx.%s (bit %d)", edx1[i].name, edx1[i].bit);
    unsigned family = (r[0] >> 8) & 0xf;
    if (family == 0xf)
        family += (r[0] >> 20) & 0xff;
    check(family >= 6, "leaf 1: family >= 6");

    cpuid(0x80000000, 0, r);
    uint32_t maxext = r[0];
    check(maxext >= 0x80000004, "leaf 0x80000000: highest extended leaf >= 0x80000004");
    cpuid(0x80000001, 0, r);
    check(r[3] >> 29 & 1, "leaf 0x80000001: edx.lm (bit 29)");

    char brand[49];
    for (uint32_t l = 0; l < 3; l++) {
        cpuid(0x80000002 + l, 0, r);
        memcpy(brand + 16 * l, r, 16);
    }
    brand[48] = 0;
    size_t n = strlen(brand);
    check(n > 0, "leaves 0x80000002-4: brand string is not empty");

    /* CPUID is not privileged: it runs in ring 3 too, with the same answer. */
    cpuid(0, 0, r);
    run_user(user_cpuid, (unsigned long)user_stack + sizeof(user_stack));
    /*
     * Only the vendor is compared: on our CI hosts' paravirtual KVM, ring-3 CPUID is not
     * intercepted and reports the host's highest leaf (0x1c where ring 0 sees 0xd).
     */
    check(memcmp(&r[1], &user_leaf0[1], 12) == 0, "leaf 0 in ring 3 has the vendor of ring 0");
    return pass_fail("cpuid");
}
