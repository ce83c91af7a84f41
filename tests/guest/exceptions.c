/*
 * exceptions.c: fault delivery through the IDT (Intel SDM 3A chapter 6), built twice: as a
 * 32-bit protected-mode kernel (paging on) and as a 64-bit long-mode kernel. Checks the
 * vector, the error code, the saved instruction pointer (a fault reports the faulting
 * instruction) and CR2 for #PF, from ring 0 and ring 3. Software interrupts: softint.c.
 * Addresses are never printed, so the expected output does not depend on the link.
 */

#include "exc-check.h"

#define PF_NOT_PRESENT 0x300000ul
#define PF_READ_ONLY   0x301000ul
#define PF_SUPERVISOR  0x302000ul

static volatile unsigned long sink;

/* Ring-3 half: runs through run_user and leaves its results here. */
static struct result user_res[4];

static void user_part(void)
{
    unsigned long at, next;

    fault_reset();
    TRY("hlt", at, next, "i"(0));
    user_res[0] = capture(at, next);
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(PF_SUPERVISOR + 0x10));
    user_res[1] = capture(at, next);
    fault_reset();
    TRY("movl $1, (%[p])", at, next, [p] "r"(PF_SUPERVISOR + 0x20));
    user_res[2] = capture(at, next);
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(PF_NOT_PRESENT + 0x30));
    user_res[3] = capture(at, next);
    USER_RETURN();
}

static uint8_t user_stack[8192] __attribute__((aligned(16)));

int guest_main(void)
{
    unsigned long at, next;

    printf("exceptions: faults through the IDT in " MODE " mode\n");
    /* Paged from the start, like the 64-bit build (the #PF cases need it anyway). */
    paging_init();

    fault_reset();
    TRY("div %%ecx", at, next, "a"(1), "d"(0), "c"(0));
    expect("div by zero", capture(at, next), 0, -1, true, 0);

    fault_reset();
    TRY("idiv %%ecx", at, next, "a"(0x80000000), "d"(0xffffffff), "c"(-1));
    expect("idiv overflow", capture(at, next), 0, -1, true, 0);

    fault_reset();
    TRY("ud2", at, next, "i"(0));
    expect("ud2", capture(at, next), 6, -1, true, 0);

    fault_reset();
    TRY(".byte 0xf0, 0x90", at, next, "i"(0));   /* LOCK NOP: LOCK on a non-memory op */
    expect("lock nop", capture(at, next), 6, -1, true, 0);

    /* SDM 3A 6.15 #GP: loading DS with a selector beyond the GDT limit is #GP(selector). */
    fault_reset();
    TRY("mov %%ax, %%ds", at, next, "a"(0xfff8));
    expect("mov 0xfff8 to ds", capture(at, next), 13, 0xfff8, true, 0);

#ifdef __x86_64__
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(0x0000800000000000ul));
    expect("non-canonical read", capture(at, next), 13, 0, true, 0);
#else
    fault_reset();
    TRY("mov %%ax, %%ss", at, next, "a"(0));
    expect("mov null selector to ss", capture(at, next), 13, 0, true, 0);
#endif

    /* Page faults (SDM 3A 4.7): error code bit 0 present, bit 1 write, bit 2 user. */
    write_cr0(read_cr0() | 0x10000);     /* CR0.WP: ring 0 honours read-only pages too */
    *pte_low(PF_NOT_PRESENT) = 0;
    *pte_low(PF_READ_ONLY) = PF_READ_ONLY | PTE_P | PTE_U;
    *pte_low(PF_SUPERVISOR) = PF_SUPERVISOR | PTE_P | PTE_W;
    invlpg(PF_NOT_PRESENT);
    invlpg(PF_READ_ONLY);
    invlpg(PF_SUPERVISOR);

    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(PF_NOT_PRESENT + 0x10));
    expect_pf("read of a non-present page", capture(at, next), 0, PF_NOT_PRESENT + 0x10, 0);
    fault_reset();
    TRY("movl $1, (%[p])", at, next, [p] "r"(PF_NOT_PRESENT + 0x24));
    expect_pf("write to a non-present page", capture(at, next), 2, PF_NOT_PRESENT + 0x24, 0);
    fault_reset();
    TRY("movl $1, (%[p])", at, next, [p] "r"(PF_READ_ONLY + 0x08));
    expect_pf("write to a read-only page", capture(at, next), 3, PF_READ_ONLY + 0x08, 0);
    sink = *(volatile uint32_t *)(PF_READ_ONLY + 0x08);
    check(last_fault.vector == 14 && last_fault.cr2 == PF_READ_ONLY + 0x08,
          "read of a read-only page: no new fault");

    run_user(user_part, (unsigned long)user_stack + sizeof(user_stack));
    expect("ring 3: hlt", user_res[0], 13, 0, true, 3);
    expect_pf("ring 3: read of a supervisor page", user_res[1], 5, PF_SUPERVISOR + 0x10, 3);
    expect_pf("ring 3: write to a supervisor page", user_res[2], 7, PF_SUPERVISOR + 0x20, 3);
    expect_pf("ring 3: read of a non-present page", user_res[3], 4, PF_NOT_PRESENT + 0x30, 3);

    /* The mapping comes back once the PTE does (after INVLPG). */
    *pte_low(PF_NOT_PRESENT) = PF_NOT_PRESENT | PTE_P | PTE_W | PTE_U;
    invlpg(PF_NOT_PRESENT);
    fault_reset();
    TRY("movl $7, (%[p])", at, next, [p] "r"(PF_NOT_PRESENT + 0x40));
    check(last_fault.vector == -1 && *(volatile uint32_t *)(PF_NOT_PRESENT + 0x40) == 7,
          "write after the page is mapped again: no fault, value stored");

    return pass_fail("exceptions-" MODE);
}
