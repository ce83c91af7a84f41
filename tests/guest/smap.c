/*
 * smap.c: supervisor-mode access prevention (Intel SDM 3A 4.6) and CLAC/STAC (SDM 2), 64-bit
 * mode. The low 4 MiB become supervisor pages except one user page; with CR4.SMAP, ring-0
 * reads and writes of the user page fault while EFLAGS.AC is clear (CLAC, POPF) and succeed
 * while it is set (STAC); instruction fetches are SMEP's business; CLAC/STAC in ring 3 are #UD.
 */
#include "exc-check.h"

#define USER_PAGE 0x303000ul
#define CR4_SMAP (1ul << 21)
#define EFLAGS_AC (1ul << 18)

static uint8_t user_stack[8192] __attribute__((aligned(16)));
static struct result user_res[2];

static void user_part(void)
{
    unsigned long at, next;
    fault_reset();
    TRY("clac", at, next, "i"(0));
    user_res[0] = capture(at, next);
    fault_reset();
    TRY("stac", at, next, "i"(0));
    user_res[1] = capture(at, next);
    USER_RETURN();
}

static unsigned long flags(void)
{
    unsigned long f;
    asm volatile("pushf; pop %0" : "=r"(f));
    return f;
}

int guest_main(void)
{
    unsigned long at, next;
    uint32_t r[4];

    printf("smap: CLAC/STAC and supervisor access to user pages\n");
    cpuid(7, 0, r);
    check(r[1] >> 20 & 1, "CPUID.7:EBX.SMAP");

    /* Only USER_PAGE (and what ring 3 needs later) stays a user page. */
    for (unsigned long va = 0; va < 0x400000; va += 4096)
        *pte_low(va) &= ~PTE_U;
    *pte_low(USER_PAGE) |= PTE_U;
    write_cr3(read_cr3());
    write_cr4(read_cr4() | CR4_SMAP);
    volatile uint32_t *u = (volatile uint32_t *)(USER_PAGE + 0x40);

    asm volatile("clac");
    check(!(flags() & EFLAGS_AC), "clac clears EFLAGS.AC");
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(u));
    expect_pf("AC clear: read of a user page", capture(at, next), 1, (unsigned long)u, 0);
    fault_reset();
    TRY("movl $5, (%[p])", at, next, [p] "r"(u));
    expect_pf("AC clear: write to a user page", capture(at, next), 3, (unsigned long)u, 0);

    asm volatile("stac");
    check(flags() & EFLAGS_AC, "stac sets EFLAGS.AC");
    fault_reset();
    TRY("movl $7, (%[p])", at, next, [p] "r"(u));
    check(last_fault.vector == -1 && *u == 7, "AC set: write and read of a user page succeed");

    /* POPF clearing AC takes the permission away again (the TLB must not remember it). */
    asm volatile("push %0; popf" :: "r"(flags() & ~EFLAGS_AC) : "memory", "cc");
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(u));
    expect_pf("AC cleared by popf: read of a user page", capture(at, next), 1, (unsigned long)u, 0);

    /* Without CR4.SMAP the AC flag does not matter. */
    write_cr4(read_cr4() & ~CR4_SMAP);
    fault_reset();
    TRY("movl $9, (%[p])", at, next, [p] "r"(u));
    check(last_fault.vector == -1 && *u == 9, "CR4.SMAP clear: user page accessible with AC clear");

    /* Ring 3 needs its code, data and stack as user pages again. */
    for (unsigned long va = 0; va < 0x400000; va += 4096)
        *pte_low(va) |= PTE_U;
    write_cr3(read_cr3());
    run_user(user_part, (unsigned long)user_stack + sizeof(user_stack));
    expect("ring 3: clac", user_res[0], 6, -1, true, 3);
    expect("ring 3: stac", user_res[1], 6, -1, true, 3);
    return pass_fail("smap");
}
