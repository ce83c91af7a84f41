/*
 * fastcall.c: fast system calls from ring 3 (Intel SDM 2 SYSCALL, SYSRET, SYSENTER, SYSEXIT;
 * SDM 3A 5.8.7 and 5.8.8). The 64-bit build checks SYSCALL/SYSRET (STAR selectors, RCX and R11,
 * the SFMASK flag mask), the 32-bit build SYSENTER/SYSEXIT (the SYSENTER MSRs' selectors, stack
 * and entry point; IF cleared); both check the #UD/#GP cases. SYSENTER stays out of 64-bit mode,
 * where AMD CPUs refuse it.
 */
#include "exc-check.h"

/* What the ring-0 entry saw (filled in by the asm entry below). */
volatile unsigned long k_cx, k_r11, k_dx, k_sp, k_flags;
volatile uint16_t k_cs, k_ss;

/* What ring 3 saw around the call. */
static unsigned long u_ret_at, u_flags, u_cs, u_ss, u_sp_before, u_sp_after;
static struct result u_priv;

static uint8_t user_stack[8192] __attribute__((aligned(16)));

#ifdef __x86_64__
#define MSR_STAR   0xc0000081u
#define MSR_LSTAR  0xc0000082u
#define MSR_FMASK  0xc0000084u
#define EFER_SCE   1ul

void syscall_entry(void);
asm(".text\n"
    "syscall_entry:\n\t"
    "mov %rcx, k_cx(%rip)\n\t"
    "mov %r11, k_r11(%rip)\n\t"
    "mov %rsp, k_sp(%rip)\n\t"
    "pushfq\n\t"                       /* on the user stack: SYSCALL does not switch stacks */
    "popq k_flags(%rip)\n\t"
    "movw %cs, k_cs(%rip)\n\t"
    "movw %ss, k_ss(%rip)\n\t"
    "sysretq\n");

static void user_part(void)
{
    unsigned long at, next;

    /* DF set before the call: SFMASK clears it for the kernel, R11 brings it back. */
    asm volatile("mov %%rsp, %[sb]\n\tstd\n\t" ADDR("1f", "[r]") "syscall\n"
                 "1: pushfq\n\tpopq %[fl]\n\tcld\n\tmov %%rsp, %[sa]\n\t"
                 "mov %%cs, %[cs]\n\tmov %%ss, %[ss]"
                 : [r] "=&r"(u_ret_at), [fl] "=&r"(u_flags), [cs] "=&r"(u_cs), [ss] "=&r"(u_ss),
                   [sb] "=&r"(u_sp_before), [sa] "=&r"(u_sp_after)
                 :: "rcx", "r11", "memory");
    fault_reset();
    TRY("sysretq", at, next, "i"(0));
    u_priv = capture(at, next);
    USER_RETURN();
}

int guest_main(void)
{
    unsigned long at, next;

    printf("fastcall: SYSCALL and SYSRET in 64-bit mode\n");
    wrmsr(EFER, rdmsr(EFER) & ~EFER_SCE);
    fault_reset();
    TRY("syscall", at, next, "i"(0));
    expect("SYSCALL with EFER.SCE clear", capture(at, next), 6, -1, true, 0);

    wrmsr(EFER, rdmsr(EFER) | EFER_SCE);
    /* SYSCALL: CS = STAR[47:32], SS = CS + 8; SYSRET to 64-bit: CS = STAR[63:48] + 16, SS =
     * STAR[63:48] + 8, both RPL 3 — the runtime's kernel and user slots. */
    wrmsr(MSR_STAR, (uint64_t)(SEL_UCODE32 & ~3) << 48 | (uint64_t)SEL_CODE64 << 32);
    wrmsr(MSR_LSTAR, (unsigned long)syscall_entry);
    wrmsr(MSR_FMASK, 0x500);            /* DF and TF */
    run_user(user_part, (unsigned long)user_stack + sizeof(user_stack));

    check(k_cs == SEL_CODE64 && k_ss == SEL_CODE64 + 8, "SYSCALL: kernel CS %#x SS %#x", k_cs, k_ss);
    check(k_cx == u_ret_at, "SYSCALL: RCX is the return address");
    check((k_r11 & 0x400) && (k_r11 & 0x3000) == 0x3000 && !(k_r11 & 0x10000),
          "SYSCALL: R11 holds RFLAGS (DF and IOPL 3 set, RF clear)");
    check(!(k_flags & 0x400) && (k_flags & 0x3000) == 0x3000, "SYSCALL: SFMASK cleared DF only");
    check(k_sp == u_sp_before, "SYSCALL: RSP unchanged");
    check(u_cs == SEL_UCODE64 && u_ss == SEL_UDATA, "SYSRET: user CS %#lx SS %#lx", u_cs, u_ss);
    check((u_flags & 0x400) && u_sp_after == u_sp_before, "SYSRET: RFLAGS from R11 (DF back), RSP kept");
    expect("SYSRET in ring 3", u_priv, 13, 0, true, 3);
    return pass_fail("fastcall-" MODE);
}
#else
#define MSR_SYSENTER_CS  0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u

static uint8_t sysenter_stack[4096] __attribute__((aligned(16)));

void sysenter_entry(void);
asm(".text\n"
    "sysenter_entry:\n\t"
    "mov %ecx, k_cx\n\t"
    "mov %edx, k_dx\n\t"
    "mov %esp, k_sp\n\t"
    "pushfl\n\t"
    "popl k_flags\n\t"
    "movw %cs, k_cs\n\t"
    "movw %ss, k_ss\n\t"
    "sysexit\n");

static void user_part(void)
{
    unsigned long at, next;

    /* SYSEXIT returns to EDX with ESP = ECX. */
    asm volatile("mov %%esp, %[sb]\n\tmov %%esp, %%ecx\n\tmov $1f, %%edx\n\tmov %%edx, %[r]\n\t"
                 "sysenter\n"
                 "1: pushfl\n\tpopl %[fl]\n\tmov %%esp, %[sa]\n\tmov %%cs, %[cs]\n\tmov %%ss, %[ss]"
                 : [r] "=m"(u_ret_at), [fl] "=m"(u_flags), [cs] "=m"(u_cs), [ss] "=m"(u_ss),
                   [sb] "=m"(u_sp_before), [sa] "=m"(u_sp_after)
                 :: "ecx", "edx", "memory");
    fault_reset();
    TRY("sysexit", at, next, "i"(0));
    u_priv = capture(at, next);
    USER_RETURN();
}

int guest_main(void)
{
    unsigned long at, next;
    unsigned long ktop = (unsigned long)sysenter_stack + sizeof(sysenter_stack);

    printf("fastcall: SYSENTER and SYSEXIT in 32-bit protected mode\n");
    paging_init();
    wrmsr(MSR_SYSENTER_CS, 0);
    fault_reset();
    TRY("sysenter", at, next, "i"(0));
    expect("SYSENTER with IA32_SYSENTER_CS 0", capture(at, next), 13, 0, true, 0);

    /* SYSENTER: CS = the MSR, SS = CS + 8; SYSEXIT: CS = MSR + 16, SS = MSR + 24, RPL 3. The MSR
     * is chosen so that SYSEXIT lands on the runtime's user slots (0x33, 0x3b). */
    wrmsr(MSR_SYSENTER_CS, SEL_DATA16);
    wrmsr(MSR_SYSENTER_ESP, ktop);
    wrmsr(MSR_SYSENTER_EIP, (unsigned long)sysenter_entry);
    run_user(user_part, (unsigned long)user_stack + sizeof(user_stack));

    check(k_cs == SEL_DATA16 && k_ss == SEL_DATA16 + 8, "SYSENTER: kernel CS %#x SS %#x", k_cs, k_ss);
    check(k_sp == ktop && k_dx == u_ret_at && k_cx == u_sp_before,
          "SYSENTER: ESP from IA32_SYSENTER_ESP; EDX, ECX as the caller left them");
    check(!(k_flags & 0x200) && (k_flags & 0x3000) == 0x3000, "SYSENTER: IF clear, IOPL kept");
    check(u_cs == SEL_UCODE32 && u_ss == SEL_UDATA, "SYSEXIT: user CS %#lx SS %#lx", u_cs, u_ss);
    check(u_sp_after == u_sp_before, "SYSEXIT: ESP from ECX");
    expect("SYSEXIT in ring 3", u_priv, 13, 0, true, 3);
    return pass_fail("fastcall-" MODE);
}
#endif
