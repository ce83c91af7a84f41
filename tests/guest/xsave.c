/*
 * xsave.c: XGETBV/XSETBV and XSAVE/XSAVEOPT/XRSTOR in the standard format (Intel SDM 1,
 * chapter 13; SDM 2, each instruction's exceptions), 64-bit mode: CPUID leaf 1 and 0Dh, the
 * #UD/#GP/#NM rules, XCR0 combinations, what XSAVE writes (x87, MXCSR, XMM, XSTATE_BV, and
 * the AVX upper halves where CPUID offers them) and how XRSTOR loads or initialises it.
 */
#include "exc-check.h"

#define CR0_TS (1ul << 3)
#define CR4_OSFXSR (1ul << 9)
#define CR4_OSXSAVE (1ul << 18)
#define HDR 512

static uint8_t area[2][4096] __attribute__((aligned(64)));
static uint8_t user_stack[8192] __attribute__((aligned(16)));
static struct result user_res[2];
static uint64_t user_xcr0;

static uint64_t xgetbv(void)
{
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (uint64_t)hi << 32 | lo;
}

static void xsetbv(uint64_t v)
{
    asm volatile("xsetbv" :: "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static void xsave(void *p, uint64_t mask)
{
    asm volatile("xsave64 (%0)" :: "r"(p), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)) : "memory");
}

static void xrstor(void *p, uint64_t mask)
{
    asm volatile("xrstor64 (%0)" :: "r"(p), "a"((uint32_t)mask), "d"((uint32_t)(mask >> 32)) : "memory");
}

static void set_xmm0(const void *p) { asm volatile("movdqu (%0), %%xmm0" :: "r"(p) : "memory"); }
static void get_xmm0(void *p) { asm volatile("movdqu %%xmm0, (%0)" :: "r"(p) : "memory"); }

static uint64_t u64_at(const uint8_t *p, unsigned off)
{
    uint64_t v;
    memcpy(&v, p + off, 8);
    return v;
}

static void user_part(void)
{
    unsigned long at, next;
    fault_reset();
    TRY("xsetbv", at, next, "c"(0), "a"(3), "d"(0));
    user_res[0] = capture(at, next);
    user_xcr0 = xgetbv();
    USER_RETURN();
}

static void exceptions_without_osxsave(void)
{
    unsigned long at, next;
    fault_reset();
    TRY("xgetbv", at, next, "c"(0));
    expect("xgetbv with CR4.OSXSAVE clear", capture(at, next), 6, -1, true, 0);
    fault_reset();
    TRY("xsetbv", at, next, "c"(0), "a"(3), "d"(0));
    expect("xsetbv with CR4.OSXSAVE clear", capture(at, next), 6, -1, true, 0);
    fault_reset();
    TRY("xsave64 (%[p])", at, next, [p] "r"(area[0]), "a"(3), "d"(0));
    expect("xsave with CR4.OSXSAVE clear", capture(at, next), 6, -1, true, 0);
}

static void xcr0_rules(bool avx)
{
    unsigned long at, next;
    check(xgetbv() == 1, "XCR0 after reset is 1 (x87 only)");
    static const struct { uint32_t ecx, eax, edx; const char *what; } bad[] = {
        { 1, 3, 0, "xsetbv ecx=1" },
        { 0, 0, 0, "xsetbv without x87" },
        { 0, 2, 0, "xsetbv SSE without x87" },
        { 0, 5, 0, "xsetbv AVX without SSE" },
        { 0, 3, 0x80000000u, "xsetbv bit 63" },
        { 0, 0x103, 0, "xsetbv a reserved bit (8)" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fault_reset();
        TRY("xsetbv", at, next, "c"(bad[i].ecx), "a"(bad[i].eax), "d"(bad[i].edx));
        expect(bad[i].what, capture(at, next), 13, 0, true, 0);
    }
    uint32_t r[4];
    cpuid(0xd, 1, r);
    if (!(r[0] & 4)) {            /* without XGETBV1, ECX = 1 names no register */
        fault_reset();
        TRY("xgetbv", at, next, "c"(1));
    }
    check((r[0] & 4) || last_fault.vector == 13, "xgetbv ecx=1: #GP unless CPUID offers XGETBV1");
    check(xgetbv() == 1, "XCR0 unchanged by the faulting XSETBVs");
    xsetbv(3);
    check(xgetbv() == 3, "XCR0 = 3 (x87, SSE) after XSETBV");
    cpuid(0xd, 0, r);
    check(r[1] == 576, "CPUID.0Dh.0: EBX (size for XCR0 = 3) is 576");
    cpuid(0xd, 1, r);
    check(r[0] & 1, "CPUID.0Dh.1: XSAVEOPT");
    if (avx) {
        xsetbv(7);
        cpuid(0xd, 0, r);
        bool ok = r[1] == 832;
        cpuid(0xd, 2, r);
        ok &= r[0] == 256 && r[1] == 576;
        xsetbv(3);
        check(ok, "AVX state, where CPUID offers it: 256 bytes at 576, XCR0 = 7 needs 832");
    }

    run_user(user_part, (unsigned long)user_stack + sizeof(user_stack));
    expect("ring 3: xsetbv", user_res[0], 13, 0, true, 3);
    check(user_xcr0 == 3, "ring 3: xgetbv reads XCR0");
}

static void save_restore(void)
{
    unsigned long at, next;
    static const uint8_t pat[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint8_t out[16];
    uint8_t *a = area[0];

    memset(a, 0xcc, sizeof(area[0]));
    memset(a + HDR, 0, 64);
    set_xmm0(pat);
    xsave(a, ~0ull);
    check(u64_at(a, HDR) == 3, "xsave: XSTATE_BV = 3 (x87 and SSE hold state)");
    check((u64_at(a, 24) & 0xffffffff) == 0x1f80, "xsave: MXCSR at byte 24");
    check(memcmp(a + 160, pat, 16) == 0, "xsave: XMM0 at byte 160");
    check((u64_at(a, 0) & 0xffff) == 0x37f, "xsave: FCW at byte 0");
    check(a[576] == 0xcc, "xsave: nothing written past the SSE area with XCR0 = 3");

    memset(out, 0, 16);
    set_xmm0(out);
    xrstor(a, ~0ull);
    get_xmm0(out);
    check(memcmp(out, pat, 16) == 0, "xrstor: XMM0 restored");

    /* XSTATE_BV bit 1 clear: XMM registers take their initial value (zero). */
    a[HDR] = 1;
    set_xmm0(pat);
    xrstor(a, ~0ull);
    get_xmm0(out);
    static const uint8_t zero[16];
    check(memcmp(out, zero, 16) == 0, "xrstor with XSTATE_BV.SSE = 0: XMM0 initialised to 0");
    a[HDR] = 3;
    set_xmm0(pat);
    xrstor(a, 1);                 /* RFBM without SSE: XMM untouched */
    get_xmm0(out);
    check(memcmp(out, pat, 16) == 0, "xrstor with EDX:EAX = 1: XMM0 untouched");

    struct { unsigned off; uint8_t v; const char *what; } bad[] = {
        { HDR + 8, 1, "xrstor with XCOMP_BV != 0" },
        { HDR + 20, 1, "xrstor with a reserved header byte set" },
        { HDR, 0x83, "xrstor with XSTATE_BV outside XCR0" },
        { 26, 0xff, "xrstor with reserved MXCSR bits" },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t old = a[bad[i].off];
        a[bad[i].off] = bad[i].v;
        fault_reset();
        TRY("xrstor64 (%[p])", at, next, [p] "r"(a), "a"(3), "d"(0));
        expect(bad[i].what, capture(at, next), 13, 0, true, 0);
        a[bad[i].off] = old;
    }
    fault_reset();
    TRY("xsave64 (%[p])", at, next, [p] "r"(a + 16), "a"(3), "d"(0));
    expect("xsave to an address not 64-byte aligned", capture(at, next), 13, 0, true, 0);

    /* XSAVEOPT to a fresh area: the SSE state in use is written and marked. */
    uint8_t *b = area[1];
    memset(b, 0, sizeof(area[1]));
    set_xmm0(pat);
    asm volatile("xsaveopt64 (%0)" :: "r"(b), "a"(3), "d"(0) : "memory");
    check((u64_at(b, HDR) & 2) && memcmp(b + 160, pat, 16) == 0, "xsaveopt: XMM0 written, XSTATE_BV.SSE set");

    write_cr0(read_cr0() | CR0_TS);
    fault_reset();
    TRY("xsave64 (%[p])", at, next, [p] "r"(a), "a"(3), "d"(0));
    asm volatile("clts");
    expect("xsave with CR0.TS set", capture(at, next), 7, -1, true, 0);
}

int guest_main(void)
{
    uint32_t r[4];
    printf("xsave: XGETBV/XSETBV, XSAVE/XSAVEOPT/XRSTOR\n");
    cpuid(1, 0, r);
    check(r[2] >> 26 & 1, "CPUID.1:ECX.XSAVE");
    check(!(r[2] >> 27 & 1), "CPUID.1:ECX.OSXSAVE clear while CR4.OSXSAVE is clear");
    bool avx = r[2] >> 28 & 1;     /* the AVX case prints only where CPUID offers AVX */
    exceptions_without_osxsave();
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXSAVE);
    cpuid(1, 0, r);
    check(r[2] >> 27 & 1, "CPUID.1:ECX.OSXSAVE set with CR4.OSXSAVE");
    xcr0_rules(avx);
    save_restore();
    return pass_fail("xsave");
}
