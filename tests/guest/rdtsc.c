/* rdtsc.c: the time-stamp counter never goes backwards and does advance (SDM 3B 18.17). */
#include "guest.h"

#define READS 10000

static uint64_t user_tsc[2];
static uint8_t user_stack[4096] __attribute__((aligned(16)));

static void user_rdtsc(void)
{
    user_tsc[0] = rdtsc();
    for (volatile int i = 0; i < 100; i++)
        ;
    user_tsc[1] = rdtsc();
    USER_RETURN();
}

int guest_main(void)
{
    uint64_t first = rdtsc(), prev = first;
    int backwards = 0;

    printf("rdtsc: %d reads\n", READS);
    for (int i = 0; i < READS; i++) {
        uint64_t t = rdtsc();
        if (t < prev)
            backwards++;
        prev = t;
    }
    check(backwards == 0, "no read is smaller than the one before");
    check(prev > first, "the counter advanced");

    /* Port I/O (a VM exit under KVM) between two reads must not make time run backwards. */
    uint64_t a = rdtsc();
    for (int i = 0; i < 100; i++)
        inb(0x80 + 1);
    uint64_t b = rdtsc();
    check(b > a, "the counter advanced across 100 port reads");

    /* CR4.TSD = 0: RDTSC is allowed in ring 3 (SDM 2B RDTSC). */
    run_user(user_rdtsc, (unsigned long)user_stack + sizeof(user_stack));
    check(user_tsc[1] > user_tsc[0] && user_tsc[0] >= b, "ring 3: two reads advance, after ring 0's");
    return pass_fail("rdtsc");
}
