/*
 * paging.c: identity-mapped paging for tests that need page faults. In the 64-bit build the
 * tables already exist (entry64.S); the 32-bit build sets up the same map with PAE.
 */
#include "guest.h"

#ifdef __x86_64__
extern uint64_t ptab_low[1024];

void paging_init(void)
{
}

unsigned long *pte_low(unsigned long va)
{
    return (unsigned long *)&ptab_low[va >> 12];
}
#else
/*
 * 32-bit: PAE paging (SDM 3A 4.4), 4 KiB pages for the first 4 MiB and 2 MiB pages up to
 * 1 GiB, like the 64-bit tables. (Our CI hosts' paravirtual KVM refuses CR0.PG outside
 * long mode, with or without PAE: 32-bit paged tests are marked in tests.list.)
 */
static uint64_t pdpt32[4] __attribute__((aligned(32)));
static uint64_t pdir32[512] __attribute__((aligned(4096)));
static uint64_t ptab32[1024] __attribute__((aligned(4096)));

void paging_init(void)
{
    for (uint32_t i = 0; i < 1024; i++)
        ptab32[i] = (i << 12) | 7;                   /* present, writable, user */
    pdir32[0] = (uint32_t)&ptab32[0] | 7;
    pdir32[1] = (uint32_t)&ptab32[512] | 7;
    for (uint32_t i = 2; i < 512; i++)
        pdir32[i] = ((uint64_t)i << 21) | 0x87;      /* 2 MiB page */
    pdpt32[0] = (uint32_t)pdir32 | 1;                /* PDPTEs have no RW/US bits */
    write_cr4(read_cr4() | 0x20);                    /* CR4.PAE */
    write_cr3((uint32_t)pdpt32);
    write_cr0(read_cr0() | 0x80000000);              /* CR0.PG */
}

/* The low half of the 8-byte PTE: the high half (address bits 32+, NX) stays zero. */
unsigned long *pte_low(unsigned long va)
{
    return (unsigned long *)&ptab32[va >> 12];
}
#endif
