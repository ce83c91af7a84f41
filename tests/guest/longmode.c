/*
 * longmode.c: the state lib/entry64.S leaves behind (Intel SDM 3A 10.8.5: PAE, LME, PG ->
 * LMA), 4-level page walks through more than one PML4 slot (low half and the canonical
 * high half), accessed/dirty bits, NX, and a round trip through compatibility mode.
 */
#include "exc-check.h"

extern uint64_t pml4[512], pdpt[512];

/* Fresh tables for two new mappings, both of the physical page `data_page`. */
static uint64_t hi_pdpt[512] __attribute__((aligned(4096)));
static uint64_t hi_pd[512] __attribute__((aligned(4096)));
static uint64_t hi_pt[512] __attribute__((aligned(4096)));
static uint64_t lo_pdpt[512] __attribute__((aligned(4096)));
static uint64_t lo_pd[512] __attribute__((aligned(4096)));
static uint64_t lo_pt[512] __attribute__((aligned(4096)));
static volatile uint64_t data_page[512] __attribute__((aligned(4096)));

#define HIGH_VA 0xffff800012345000ul   /* PML4 slot 256: the canonical high half */
#define LOW_VA  0x00007f0000201000ul   /* PML4 slot 254 */

static void map(uint64_t va, uint64_t *l3, uint64_t *l2, uint64_t *l1, uint64_t pa, uint64_t flags)
{
    pml4[(va >> 39) & 511] = (uint64_t)l3 | 7;
    l3[(va >> 30) & 511] = (uint64_t)l2 | 7;
    l2[(va >> 21) & 511] = (uint64_t)l1 | 7;
    l1[(va >> 12) & 511] = pa | flags;
    invlpg(va);
}

/* Runs 32-bit code in compatibility mode (CS.L = 0) and comes back to 64-bit mode. */
static uint32_t compat_roundtrip(uint32_t x)
{
    uint32_t r;
    asm volatile("pushq %[cs32]\n\t"
                 "lea 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n\t"
                 ".code32\n"
                 "1: lea 0x11(%%edx, %%edx, 2), %%edx\n\t"   /* 3x + 0x11, in 32-bit code */
                 "ljmp %[cs64], $2f\n\t"
                 ".code64\n"
                 "2:"
                 : "=d"(r) : "d"(x), [cs32] "i"(SEL_CODE32), [cs64] "i"(SEL_CODE64) : "rax", "memory");
    return r;
}

/* CALL that may fault on the fetch at its target: RSP is restored whatever happens. */
static void call_guarded(unsigned long target)
{
    unsigned long at, next;
    asm volatile(TRY_SETUP ADDR("2f", "[at]") ADDR("1f", "[next]")
                 "mov %%rsp, %%r10\n\t"
                 "2: call *%[p]\n"
                 "1: mov %%r10, %%rsp"
                 : [at] "=&r"(at), [next] "=&r"(next) : [p] "r"(target) : "r10", TRY_CLOBBER);
}

int guest_main(void)
{
    unsigned long at, next;

    printf("longmode: 64-bit mode entered from a Multiboot 32-bit entry\n");
    uint64_t efer = rdmsr(EFER);
    check(efer & (1 << 8), "EFER.LME set");
    check(efer & (1 << 10), "EFER.LMA set");
    check(read_cr0() & 0x80000001ul, "CR0.PG and CR0.PE set");
    check(read_cr4() & 0x20, "CR4.PAE set");
    check(read_cr3() == (unsigned long)pml4, "CR3 points to the PML4");

    volatile uint64_t big = 0x123456789ull;
    check(big * 0x10 == 0x1234567890ull && (big >> 32) == 1, "64-bit arithmetic");
    uint32_t cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    check(cs == SEL_CODE64, "CS is the 64-bit code segment (%#x)", cs);

    data_page[3] = 0x1122334455667788ull;
    map(HIGH_VA, hi_pdpt, hi_pd, hi_pt, (uint64_t)data_page, PTE_P | PTE_W);
    map(LOW_VA, lo_pdpt, lo_pd, lo_pt, (uint64_t)data_page, PTE_P | PTE_W);
    check(*(volatile uint64_t *)(HIGH_VA + 24) == 0x1122334455667788ull,
          "read through PML4 slot 256 (%#lx) sees the page", HIGH_VA);
    check(hi_pt[(HIGH_VA >> 12) & 511] & 0x20, "the read set the accessed bit");
    check(!(hi_pt[(HIGH_VA >> 12) & 511] & 0x40), "the read left the dirty bit clear");
    *(volatile uint64_t *)(LOW_VA + 32) = 0xcafef00dull;
    check(data_page[4] == 0xcafef00dull, "write through PML4 slot 254 (%#lx) lands in the page", LOW_VA);
    check(lo_pt[(LOW_VA >> 12) & 511] & 0x40, "the write set the dirty bit");

    /* Unmap at the PDPT level: the walk stops at a non-present upper level. */
    hi_pdpt[(HIGH_VA >> 30) & 511] = 0;
    invlpg(HIGH_VA);
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(HIGH_VA + 8));
    expect_pf("read with a non-present PDPT entry", capture(at, next), 0, HIGH_VA + 8, 0);

    /* NX (EFER.NXE, SDM 3A 4.6): a fetch from an NX page is #PF with I/D (bit 4) set. */
    uint32_t r[4];
    cpuid(0x80000001, 0, r);
    check(r[3] >> 20 & 1, "CPUID 0x80000001 edx.nx");
    wrmsr(EFER, rdmsr(EFER) | (1 << 11));
    static uint8_t code_page[4096] __attribute__((aligned(4096)));
    code_page[0] = 0xc3;     /* ret */
    map(LOW_VA, lo_pdpt, lo_pd, lo_pt, (uint64_t)code_page, PTE_P | PTE_W | (1ul << 63));
    fault_reset();
    call_guarded(LOW_VA);
    check(last_fault.vector == 14 && last_fault.error == 0x11 && last_fault.cr2 == LOW_VA &&
          last_fault.ip == LOW_VA,
          "call into an NX page: #PF, error code %#lx, CR2 and IP the target", last_fault.error);
    map(LOW_VA, lo_pdpt, lo_pd, lo_pt, (uint64_t)code_page, PTE_P | PTE_W);
    fault_reset();
    call_guarded(LOW_VA);
    check(last_fault.vector == -1, "the same call without NX returns");

    check(compat_roundtrip(5) == 0x20, "compatibility mode: 32-bit code ran and came back");
    return pass_fail("longmode");
}
