/*
 * avx.c: AVX, AVX2, FMA, F16C, BMI1 and BMI2 in 64-bit mode (Intel SDM 2, 2.3 and each instruction):
 * CPUID, the #UD rules of VEX (CR4.OSXSAVE, XCR0, VEX.L, VEX.vvvv, prefixes before VEX),
 * #NM under CR0.TS, BMI without any AVX state, results of 256-bit and 128-bit operations
 * (upper halves cleared by VEX, kept by legacy SSE), VMASKMOV not faulting on masked-out
 * elements, and XSAVE/XRSTOR of the YMM upper halves.
 */
#include "exc-check.h"
#include "avx-ops.h"

#define CR0_TS (1ul << 3)
#define CR4_OSFXSR (1ul << 9)
#define CR4_OSXSAVE (1ul << 18)
#define UNMAPPED 0x300000ul

static uint8_t xarea[4096] __attribute__((aligned(64)));

static void xsetbv(uint64_t v)
{
    asm volatile("xsetbv" :: "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static void print_y(const char *name, const Y *r)
{
    printf("%-34s %016lx %016lx %016lx %016lx\n", name, (unsigned long)r->q[3], (unsigned long)r->q[2],
           (unsigned long)r->q[1], (unsigned long)r->q[0]);
}

static void vex_exceptions(void)
{
    unsigned long at, next;
    fault_reset();
    TRY("vpaddd %%ymm1, %%ymm1, %%ymm1", at, next, "i"(0));
    expect("vpaddd with CR4.OSXSAVE clear", capture(at, next), 6, -1, true, 0);
    fault_reset();
    TRY("andn %%rax, %%rbx, %%rcx", at, next, "a"(1), "b"(2));
    check(last_fault.vector == -1, "andn (BMI) needs no AVX state");
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXSAVE);
    xsetbv(3);
    fault_reset();
    TRY("vpaddd %%xmm1, %%xmm1, %%xmm1", at, next, "i"(0));
    expect("vpaddd with XCR0 = 3 (no AVX state)", capture(at, next), 6, -1, true, 0);
    xsetbv(7);
    fault_reset();
    TRY("vpaddd %%ymm1, %%ymm1, %%ymm1", at, next, "i"(0));
    check(last_fault.vector == -1, "vpaddd with XCR0 = 7: no exception");
    /* vmovd xmm0, eax with VEX.L = 1: c5 f9 6e c0 -> c5 fd 6e c0 */
    fault_reset();
    TRY(".byte 0xc5, 0xfd, 0x6e, 0xc0", at, next, "a"(0));
    expect("vmovd with VEX.L = 1", capture(at, next), 6, -1, true, 0);
    /* vmovdqa ymm0, ymm1 with VEX.vvvv = 1110b: c5 fd 6f c1 -> c5 f5 6f c1 */
    fault_reset();
    TRY(".byte 0xc5, 0xf5, 0x6f, 0xc1", at, next, "i"(0));
    expect("vmovdqa with VEX.vvvv != 1111b", capture(at, next), 6, -1, true, 0);
    fault_reset();
    TRY(".byte 0x66, 0xc5, 0xfd, 0x6f, 0xc1", at, next, "i"(0));
    expect("66 prefix before VEX", capture(at, next), 6, -1, true, 0);
    fault_reset();
    TRY(".byte 0x48, 0xc5, 0xfd, 0x6f, 0xc1", at, next, "i"(0));
    expect("REX prefix before VEX", capture(at, next), 6, -1, true, 0);
    /* vpermq needs VEX.W1 and VEX.L1: c4 e3 fd 00 c1 1b with L = 0 */
    fault_reset();
    TRY(".byte 0xc4, 0xe3, 0xf9, 0x00, 0xc1, 0x1b", at, next, "i"(0));
    expect("vpermq with VEX.L = 0", capture(at, next), 6, -1, true, 0);
    fault_reset();
    TRY(".byte 0xc4, 0xe2, 0x7d, 0x5a, 0xc1", at, next, "i"(0));
    expect("vbroadcasti128 from a register", capture(at, next), 6, -1, true, 0);
    fault_reset();
    TRY("vpgatherdd %%ymm1, (%[p],%%ymm1,4), %%ymm2", at, next, [p] "r"(xarea));
    expect("vpgatherdd with the mask as the index", capture(at, next), 6, -1, true, 0);
    fault_reset();
    TRY("vmovdqa (%[p]), %%ymm0", at, next, [p] "r"(xarea + 16));
    expect("vmovdqa from a 16-byte aligned address", capture(at, next), 13, 0, true, 0);
    fault_reset();
    TRY("vmovdqu (%[p]), %%ymm0", at, next, [p] "r"(xarea + 17));
    check(last_fault.vector == -1, "vmovdqu from an unaligned address: no exception");
    write_cr0(read_cr0() | CR0_TS);
    fault_reset();
    TRY("vaddps %%ymm1, %%ymm1, %%ymm1", at, next, "i"(0));
    asm volatile("clts");
    expect("vaddps with CR0.TS set", capture(at, next), 7, -1, true, 0);
}

static void vex_mxcsr(void)
{
    uint32_t in = 0x9fc0, out = 0, legacy = 0;
    asm volatile("vldmxcsr %2\n\tvstmxcsr %0\n\tstmxcsr %1\n\tmovl $0x1f80, %2\n\tldmxcsr %2"
                 : "=m"(out), "=m"(legacy), "+m"(in));
    check(out == 0x9fc0 && legacy == 0x9fc0, "vldmxcsr/vstmxcsr: MXCSR written and read back");
}

static void masked_moves(void)
{
    unsigned long at, next;
    /* The last page of xarea's neighbourhood: UNMAPPED is not present; elements 4-7 of a
     * 32-byte access at UNMAPPED - 16 lie on it. */
    *pte_low(UNMAPPED) = 0;
    invlpg(UNMAPPED);
    static const Y mask_lo = { { 0x8000000080000000ull, 0x8000000000000000ull, 0, 0 } };
    Y r;
    fault_reset();
    TRY("vmovdqu (%[m]), %%ymm3\n\tvmaskmovps (%[p]), %%ymm3, %%ymm0\n\tvmovdqu %%ymm0, (%[r])", at, next,
        [m] "r"(&mask_lo), [p] "r"(UNMAPPED - 16), [r] "r"(&r));
    check(last_fault.vector == -1, "vmaskmovps load: masked-out elements on a non-present page do not fault");
    static const Y mask_hi = { { 0, 0, 0x80000000ull, 0 } };
    fault_reset();
    TRY("vmovdqu (%[m]), %%ymm3\n\tvmaskmovps %%ymm0, %%ymm3, (%[p])", at, next, [m] "r"(&mask_hi),
        [p] "r"(UNMAPPED - 16));
    check(last_fault.vector == 14 && last_fault.cr2 == UNMAPPED, "vmaskmovps store: a selected element faults (#PF at its address)");
    *pte_low(UNMAPPED) = UNMAPPED | PTE_P | PTE_W | PTE_U;
    invlpg(UNMAPPED);
}

static void xsave_ymm(void)
{
    static const Y v = { { 1, 2, 0x1111222233334444ull, 0x5555666677778888ull } };
    uint64_t *q = (uint64_t *)xarea;
    memset(xarea, 0, sizeof(xarea));
    asm volatile("vmovdqu (%0), %%ymm5\n\txsave64 (%1)" :: "r"(&v), "r"(xarea), "a"(7), "d"(0) : "memory");
    check((q[64] & 7) == 7, "xsave with XCR0 = 7: XSTATE_BV.AVX set");
    check(q[72 + 10] == v.q[2] && q[72 + 11] == v.q[3], "xsave: YMM5 bits 255:128 at byte 576 + 5*16");
    Y r;
    q[64] = 3;                    /* AVX component in its initial state */
    asm volatile("xrstor64 (%1)\n\tvmovdqu %%ymm5, (%0)" :: "r"(&r), "r"(xarea), "a"(7), "d"(0) : "memory");
    check(r.q[0] == 1 && r.q[1] == 2 && r.q[2] == 0 && r.q[3] == 0,
          "xrstor with XSTATE_BV.AVX = 0: upper half zeroed, XMM5 loaded");
}

int guest_main(void)
{
    uint32_t c[4];
    printf("avx: BMI1, BMI2, AVX, AVX2, FMA, F16C\n");
    cpuid(1, 0, c);
    check((c[2] >> 28) & 1, "CPUID.1:ECX.AVX");
    check((c[2] >> 12) & 1, "CPUID.1:ECX.FMA");
    check((c[2] >> 29) & 1, "CPUID.1:ECX.F16C");
    cpuid(7, 0, c);
    check((c[1] >> 3) & 1, "CPUID.7:EBX.BMI1");
    check((c[1] >> 5) & 1, "CPUID.7:EBX.AVX2");
    check((c[1] >> 8) & 1, "CPUID.7:EBX.BMI2");
    vex_exceptions();

    for (unsigned i = 0; i < sizeof(bops) / sizeof(bops[0]); i++) {
        uint64_t f, r = bops[i].fn(bops[i].a, bops[i].b, &f);
        if (bops[i].name[1] == 'e')
            f &= ~0x80ul;         /* BEXTR leaves SF undefined */
        printf("%-34s %016lx flags %03lx\n", bops[i].name, (unsigned long)r, (unsigned long)f);
    }
    for (unsigned i = 0; i < sizeof(yops) / sizeof(yops[0]); i++) {
        Y r;
        yops[i].fn(&r, yops[i].a, yops[i].b);
        print_y(yops[i].name, &r);
    }
    vex_mxcsr();
    masked_moves();
    xsave_ymm();
    return pass_fail("avx");
}
