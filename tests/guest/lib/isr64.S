/* isr64.S: 64-bit interrupt entry stubs (one per vector, 16 bytes apart) and run_user. */
#include "isr-common.h"

    .section .text
    .code64
    .balign 16
    .global isr_stubs
isr_stubs:
    ISR_STUBS

isr_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    call int_dispatch
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp               /* vector and error code */
    iretq

/* void run_user(void (*fn)(void), unsigned long stack_top): enter ring 3 (SDM 3A 6.14.1). */
    .global run_user
run_user:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, user_saved_sp(%rip)
    mov %rdi, %r12
    mov %rsi, %r13
    mov %rsp, %rdi
    sub $8, %rsp
    call set_kernel_stack
    add $8, %rsp
    sub $8, %r13                /* a function is entered with RSP = 8 mod 16 */
    push $0x3b                  /* SS: user data */
    push %r13
    push $0x3002                /* RFLAGS: IOPL 3 so that ring-3 code may print */
    push $0x43                  /* CS: user 64-bit code */
    push %r12
    iretq

    .global user_return_resume
user_return_resume:
    mov user_saved_sp(%rip), %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .section .bss
    .balign 8
user_saved_sp: .skip 8
