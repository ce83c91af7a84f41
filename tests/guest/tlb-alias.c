/*
 * tlb-alias.c: pages whose addresses are 1 MiB apart share an entry of a direct-mapped soft TLB
 * of 256 entries. Accesses that alternate between such pages must each see their own page, and
 * a store to code whose TLB entry was pushed out by another page (and brought back) must still
 * be seen by the next fetch (Intel SDM 3A 11.6). A real CPU has no such TLB; this checks that
 * the translator's does not show.
 */
#include "guest.h"

#define PAGE_A 0x400000u
#define PAGE_B 0x500000u       /* 256 pages after A */
#define CODE 0x600000u
#define CODE_ALIAS 0x700000u   /* 256 pages after CODE */

static uint32_t run_code(void)
{
    uint32_t r;
    asm volatile("call *%1" : "=a"(r) : "r"(CODE) : "memory");
    return r;
}

/* mov $v, %eax; ret */
static void write_code(uint32_t v)
{
    volatile uint8_t *c = (volatile uint8_t *)CODE;
    c[0] = 0xb8;
    c[1] = v & 0xff;
    c[2] = (v >> 8) & 0xff;
    c[3] = (v >> 16) & 0xff;
    c[4] = v >> 24;
    c[5] = 0xc3;
}

int guest_main(void)
{
    printf("tlb-alias: pages sharing a soft-TLB entry\n");

    volatile uint32_t *a = (volatile uint32_t *)PAGE_A, *b = (volatile uint32_t *)PAGE_B;
    bool ok = true;
    for (uint32_t i = 0; i < 1024; i++) {
        a[i] = i * 3 + 1;
        b[i] = i * 5 + 2;
    }
    for (uint32_t i = 0; i < 1024; i++)
        ok &= a[i] == i * 3 + 1 && b[i] == i * 5 + 2;
    check(ok, "alternating stores and loads on two aliasing pages each see their own page");

    volatile uint32_t *alias = (volatile uint32_t *)CODE_ALIAS;
    ok = true;
    for (uint32_t v = 1; v <= 50; v++) {
        write_code(v * 0x01010101u);
        ok &= run_code() == v * 0x01010101u;
        alias[v] = v;                           /* evicts CODE's entry */
        ok &= alias[v] == v;
    }
    check(ok, "code rewritten after its TLB entry was evicted runs as the new code, 50 times");
    return pass_fail("tlb-alias");
}
