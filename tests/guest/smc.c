/*
 * smc.c: self-modifying code (Intel SDM 3A 11.6): a store to code that has already run, or
 * that is about to run in the same straight-line sequence, must be seen by the next fetch.
 * A translator has to invalidate what it cached for the page; a real CPU snoops it.
 */
#include "guest.h"

/* mov $imm32, %eax; ret */
static uint8_t code[16] __attribute__((aligned(16))) = { 0xb8, 0, 0, 0, 0, 0xc3 };

static uint32_t run_code(void)
{
    uint32_t r;
    asm volatile("call *%1" : "=a"(r) : "r"(code) : "memory");
    return r;
}

int guest_main(void)
{
    printf("smc: self-modifying code\n");

    /* Patch the immediate of code that has already run, 1000 times. */
    bool ok = true;
    for (uint32_t i = 1; i <= 100; i++) {
        uint32_t v = i * 0x01010101u;
        memcpy(&code[1], &v, 4);
        ok &= run_code() == v;
    }
    check(ok, "a patched immediate is seen by each of 100 calls");

    /* Replace the instruction itself: xor %eax, %eax; dec %eax; ret -> 0xffffffff. */
    static const uint8_t other[] = { 0x31, 0xc0, 0x48, 0xc3 };
    memcpy(code, other, sizeof(other));
    check(run_code() == 0xffffffff, "a replaced instruction runs as the new one");

    /*
     * Store into the very next instruction of the running sequence: the mov below has its
     * immediate overwritten by the store just before it.
     */
    uint32_t r;
    asm volatile("movl $0x22222222, 1f + 1\n\t"
                 "1: mov $0x11111111, %0"
                 : "=a"(r) :: "memory");
    check(r == 0x22222222, "a store into the next instruction takes effect (eax %#x)", r);
    return pass_fail("smc");
}
