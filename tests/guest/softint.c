/*
 * softint.c: INT3 and INT n through the IDT (Intel SDM 3A 6.12.1.1), built as a 32-bit and a
 * 64-bit kernel: delivery from ring 0 and ring 3, the saved IP (after the instruction), and
 * the gate-DPL check that turns INT n from ring 3 into #GP(vector * 8 + 2).
 */
#include "exc-check.h"

static struct result user_res[4];

static void user_part(void)
{
    unsigned long at, next;

    fault_reset();
    TRY("int $0x40", at, next, "i"(0));
    user_res[0] = capture(at, next);
    fault_reset();
    TRY("int $0x41", at, next, "i"(0));
    user_res[1] = capture(at, next);
    fault_reset();
    TRY("int3", at, next, "i"(0));
    user_res[2] = capture(at, next);
    USER_RETURN();
}

static uint8_t user_stack[8192] __attribute__((aligned(16)));

static unsigned long handler_calls, handler_cpl;

static void int42_handler(struct int_frame *f)
{
    handler_calls++;
    handler_cpl = f->cs & 3;
}

int guest_main(void)
{
    unsigned long at, next;

    printf("softint: INT3 and INT n in " MODE " mode\n");
    paging_init();

    fault_reset();
    TRY("int3", at, next, "i"(0));
    expect("int3", capture(at, next), 3, -1, false, 0);

    fault_reset();
    TRY("int $0x40", at, next, "i"(0));
    expect("int $0x40 from ring 0", capture(at, next), 0x40, -1, false, 0);

    fault_reset();
    TRY("int $0x41", at, next, "i"(0));
    expect("int $0x41 from ring 0 (gate DPL 0)", capture(at, next), 0x41, -1, false, 0);

    set_int_handler(0x42, int42_handler);
    for (int i = 0; i < 3; i++)
        asm volatile("int $0x42" ::: "memory");
    check(handler_calls == 3 && handler_cpl == 0, "int $0x42 three times: handler ran %lu times", handler_calls);

    idt_set_dpl(0x40, 3);
    idt_set_dpl(3, 0);
    run_user(user_part, (unsigned long)user_stack + sizeof(user_stack));
    expect("ring 3: int $0x40 (gate DPL 3)", user_res[0], 0x40, -1, false, 3);
    expect("ring 3: int $0x41 (gate DPL 0)", user_res[1], 13, 0x41 * 8 + 2, true, 3);
    expect("ring 3: int3 (gate DPL 0)", user_res[2], 13, 3 * 8 + 2, true, 3);

    idt_set_dpl(3, 3);
    run_user(user_part, (unsigned long)user_stack + sizeof(user_stack));
    expect("ring 3: int3 (gate DPL 3)", user_res[2], 3, -1, false, 3);

    return pass_fail("softint-" MODE);
}
