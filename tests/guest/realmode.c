/*
 * realmode.c: a Multiboot kernel drops from 32-bit protected mode to real mode, prints from
 * 16-bit code, takes a software interrupt through the real-mode IVT, and comes back
 * (realmode16.S). Checks what the 16-bit code recorded, from protected mode. Built twice:
 * realmode, and realmode-faults (RM_FAULTS) which also takes #UD in real mode.
 */
#include "guest.h"

extern char rm_blob_start[], rm_blob_end[];
extern uint16_t rm_cs, rm_int_count, rm_int_flags, rm_int_cs, rm_int_ip, rm_wrapped;
extern char rm_after_int[];
extern uint16_t rm_fault_count, rm_de_at_div, rm_ud_at_ud2;
extern uint8_t rm_carry;
void enter_real_mode(void);

#ifdef RM_FAULTS
#define NAME "realmode-faults"
#else
#define NAME "realmode"
#endif

#define BLOB 0x8000
#define AT_BLOB(sym) (*(volatile __typeof__(sym) *)(BLOB + ((char *)&(sym) - rm_blob_start)))

int guest_main(void)
{
    printf(NAME ": protected mode -> real mode -> protected mode\n");
    memcpy((void *)BLOB, rm_blob_start, rm_blob_end - rm_blob_start);
    *(volatile uint8_t *)0x12350 = 0;

    for (int round = 1; round <= 2; round++) {
        enter_real_mode();
        printf("back in protected mode (round %d)\n", round);
    }
    uint32_t cr0 = read_cr0();
    check(cr0 & 1, "CR0.PE set again");
    check(AT_BLOB(rm_cs) == 0x0800, "real mode ran as 0800:xxxx (CS %#x)", AT_BLOB(rm_cs));
    check(*(volatile uint8_t *)0x12350 == 0xa5, "1234:0010 wrote linear 0x12350");
    check(AT_BLOB(rm_int_count) == 2, "INT 60h through the IVT: handler ran %u times", AT_BLOB(rm_int_count));
    check(AT_BLOB(rm_int_cs) == 0x0800, "INT pushed the caller's CS (%#x)", AT_BLOB(rm_int_cs));
    check(AT_BLOB(rm_int_ip) == rm_after_int - rm_blob_start, "INT pushed the IP of the next instruction");
    check(!(AT_BLOB(rm_int_flags) & 0x300), "IF and TF clear in the handler");
    check(AT_BLOB(rm_de_at_div) == 2, "div by zero: vector 0 through the IVT with IP at the div");
#ifdef RM_FAULTS
    check(AT_BLOB(rm_ud_at_ud2) == 2, "ud2: vector 6 through the IVT with IP at the ud2");
    check(AT_BLOB(rm_fault_count) == 4, "no other faults (%u in all)", AT_BLOB(rm_fault_count));
#else
    check(AT_BLOB(rm_fault_count) == 2, "no other faults (%u in all)", AT_BLOB(rm_fault_count));
#endif
    check(AT_BLOB(rm_wrapped) == 0 && AT_BLOB(rm_carry) == 1, "16-bit add wrapped to 0 with CF");

    uint32_t seg;
    asm volatile("mov %%ds, %0" : "=r"(seg));
    check(seg == SEL_DATA, "DS is the flat data selector again");
    volatile uint32_t *high = (volatile uint32_t *)0x200000;
    *high = 0x600dcafe;
    check(*high == 0x600dcafe, "memory above 1 MiB is reachable again");
    return pass_fail(NAME);
}
