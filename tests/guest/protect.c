/*
 * protect.c: privilege changes and exception classes (Intel SDM 3A 5.8 and 6.15), built as a
 * 32-bit and a 64-bit kernel: a far CALL from ring 3 through a call gate to ring 0 (the stack
 * switch through the TSS, the frame the CPU builds — with parameters copied in 32-bit mode —
 * and the far RET back), alignment checking (#AC only with CR0.AM, EFLAGS.AC and CPL 3), and a
 * double fault (#GP whose gate is not present: #NP during delivery, two contributory faults).
 */
#include "exc-check.h"

#define GATE_SEL (SEL_FREE | 3)
#ifdef __x86_64__
#define SPREG "rsp"
#define MODE_CODE_SEL SEL_CODE64
#define MODE_GATE_SS 0              /* SDM 3A 5.8.6: a null SS in 64-bit mode */
#else
#define SPREG "esp"
#define MODE_CODE_SEL SEL_CODE32
#define MODE_GATE_SS SEL_DATA       /* TSS.SS0 */
#endif
#define CR0_AM (1ul << 18)
#define EFLAGS_AC (1ul << 18)

/* The ring-0 side of the gate: its CS and SS, and the frame on its stack (filled in by the asm). */
volatile unsigned long g_frame[6];
volatile uint16_t g_cs, g_ss;
static unsigned long u_sp_before, u_sp_after, u_sp_at_call;
static uint8_t user_stack[8192] __attribute__((aligned(16)));
static uint32_t ac_buf[4] __attribute__((aligned(16)));
static struct result ac_user, ac_off;

#ifdef __x86_64__
void gate_target(void);
asm(".text\n"
    "gate_target:\n\t"
    "movw %cs, g_cs(%rip)\n\t"
    "movw %ss, g_ss(%rip)\n\t"
    "mov 0(%rsp), %rax\n\tmov %rax, g_frame+0(%rip)\n\t"
    "mov 8(%rsp), %rax\n\tmov %rax, g_frame+8(%rip)\n\t"
    "mov 16(%rsp), %rax\n\tmov %rax, g_frame+16(%rip)\n\t"
    "mov 24(%rsp), %rax\n\tmov %rax, g_frame+24(%rip)\n\t"
    "lretq\n");

static const struct { uint32_t off; uint16_t sel; } __attribute__((packed)) gate_ptr = { 0, GATE_SEL };

static void call_gate(void)
{
    asm volatile("mov %%rsp, %[sb]\n\t"
                 "mov %%rsp, %[sc]\n\t"
                 "lcall *%[p]\n\t"
                 "mov %%rsp, %[sa]"
                 : [sb] "=m"(u_sp_before), [sc] "=m"(u_sp_at_call), [sa] "=m"(u_sp_after)
                 : [p] "m"(gate_ptr) : "rax", "memory");
}

static void install_gate(void)
{
    /* SDM 3A 5.8.3.1: a 16-byte 64-bit call gate, DPL 3, to 64-bit ring-0 code. */
    unsigned long t = (unsigned long)gate_target;
    gdt[SEL_FREE / 8] = (t & 0xffff) | (uint64_t)SEL_CODE64 << 16 | 0xecull << 40 |
                        (uint64_t)((t >> 16) & 0xffff) << 48;
    gdt[SEL_FREE / 8 + 1] = t >> 32;
}
#else
void gate_target(void);
asm(".text\n"
    "gate_target:\n\t"
    "movw %cs, g_cs\n\t"
    "movw %ss, g_ss\n\t"
    "mov 0(%esp), %eax\n\tmov %eax, g_frame+0\n\t"
    "mov 4(%esp), %eax\n\tmov %eax, g_frame+4\n\t"
    "mov 8(%esp), %eax\n\tmov %eax, g_frame+8\n\t"
    "mov 12(%esp), %eax\n\tmov %eax, g_frame+12\n\t"
    "mov 16(%esp), %eax\n\tmov %eax, g_frame+16\n\t"
    "mov 20(%esp), %eax\n\tmov %eax, g_frame+20\n\t"
    "lret $8\n");

static void call_gate(void)
{
    asm volatile("mov %%esp, %[sb]\n\t"
                 "push $0x22222222\n\tpush $0x11111111\n\t"
                 "mov %%esp, %[sc]\n\t"
                 "lcall %[sel], $0\n\t"
                 "mov %%esp, %[sa]"
                 : [sb] "=m"(u_sp_before), [sc] "=m"(u_sp_at_call), [sa] "=m"(u_sp_after)
                 : [sel] "i"(GATE_SEL) : "eax", "memory");
}

static void install_gate(void)
{
    /* SDM 3A 5.8.3: a 32-bit call gate, DPL 3, copying 2 parameters, to 32-bit ring-0 code. */
    unsigned long t = (unsigned long)gate_target;
    gdt[SEL_FREE / 8] = (t & 0xffff) | (uint64_t)SEL_CODE32 << 16 | 2ull << 32 | 0xecull << 40 |
                        (uint64_t)((t >> 16) & 0xffff) << 48;
}
#endif

static void user_part(void)
{
    unsigned long at, next;
    volatile uint32_t *p = (volatile uint32_t *)((uintptr_t)ac_buf + 1);

    call_gate();

    /* CR0.AM is set: a misaligned load faults only once EFLAGS.AC is set too. */
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(p));
    ac_off = capture(at, next);
    asm volatile("pushf; orl %0, (%%" SPREG "); popf" :: "i"(EFLAGS_AC) : "memory");
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(p));
    ac_user = capture(at, next);
    asm volatile("pushf; andl %0, (%%" SPREG "); popf" :: "i"(~EFLAGS_AC) : "memory");
    USER_RETURN();
}

int guest_main(void)
{
    unsigned long at, next;
    volatile uint32_t *p = (volatile uint32_t *)((uintptr_t)ac_buf + 1);

    printf("protect: call gates, alignment check, double fault in " MODE " mode\n");
    paging_init();
    install_gate();
    write_cr0(read_cr0() | CR0_AM);
    run_user(user_part, (unsigned long)user_stack + sizeof(user_stack));

    check(g_cs == (MODE_CODE_SEL), "call gate: ring-0 CS %#x", g_cs);
    check(g_ss == (MODE_GATE_SS), "call gate: SS %#x after the stack switch", g_ss);
#ifdef __x86_64__
    check(g_frame[1] == SEL_UCODE64 && g_frame[2] == u_sp_at_call && g_frame[3] == SEL_UDATA,
          "call gate: frame RIP, CS %#lx, RSP, SS %#lx of the caller", g_frame[1], g_frame[3]);
#else
    check(g_frame[1] == SEL_UCODE32 && g_frame[2] == 0x11111111 && g_frame[3] == 0x22222222 &&
          g_frame[4] == u_sp_at_call && g_frame[5] == SEL_UDATA,
          "call gate: frame EIP, CS %#lx, 2 parameters %#lx %#lx, ESP, SS %#lx of the caller",
          g_frame[1], g_frame[2], g_frame[3], g_frame[5]);
#endif
    check(u_sp_after == u_sp_before, "far RET%s: back in ring 3 with the caller's stack",
          sizeof(long) == 4 ? " 8 (parameters released)" : "");

    check(ac_off.f.vector == -1, "ring 3, EFLAGS.AC clear: misaligned load, no #AC");
    expect("ring 3, CR0.AM and EFLAGS.AC: misaligned load", ac_user, 17, 0, true, 3);
    asm volatile("pushf; orl %0, (%%" SPREG "); popf" :: "i"(EFLAGS_AC) : "memory");
    fault_reset();
    TRY("cmpl $0, (%[p])", at, next, [p] "r"(p));
    asm volatile("pushf; andl %0, (%%" SPREG "); popf" :: "i"(~EFLAGS_AC) : "memory");
    check(last_fault.vector == -1, "ring 0, EFLAGS.AC set: misaligned load, no #AC");
    write_cr0(read_cr0() & ~CR0_AM);

    /* SDM 3A 6.15, table 6-5: #NP while delivering #GP (both contributory) is a #DF(0). */
    idt_set_present(13, false);
    fault_reset();
    TRY("mov %%ax, %%ds", at, next, "a"(0xfff8));
    idt_set_present(13, true);
    check(last_fault.vector == 8 && last_fault.error == 0,
          "#GP through a not-present gate: %s (vector %d), error code %#lx",
          exception_name(last_fault.vector), last_fault.vector, last_fault.error);
    asm volatile("mov %0, %%ds" :: "r"(SEL_DATA));
    return pass_fail("protect-" MODE);
}
