/* isr32.S: 32-bit interrupt entry stubs (one per vector, 16 bytes apart) and run_user. */
#include "isr-common.h"

    .section .text
    .code32
    .balign 16
    .global isr_stubs
isr_stubs:
    ISR_STUBS

isr_common:
    pusha
    push %esp
    call int_dispatch
    add $4, %esp
    popa
    add $8, %esp                /* vector and error code */
    iret

/* void run_user(void (*fn)(void), unsigned long stack_top): enter ring 3 (SDM 3A 6.12.1). */
    .global run_user
run_user:
    /*
     * Ring 3 always runs paged, as under every real OS. (Our CI hosts' paravirtual KVM
     * emulates unpaged code in the host kernel, and its emulator cannot IRET to ring 3.)
     */
    mov %cr0, %eax
    test %eax, %eax
    js 1f
    call paging_init
1:  push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, user_saved_sp
    push %esp
    call set_kernel_stack
    add $4, %esp
    mov 20(%esp), %eax
    mov 24(%esp), %ecx
    push $0x3b                  /* SS: user data */
    push %ecx
    push $0x3002                /* EFLAGS: IOPL 3 so that ring-3 code may print */
    push $0x33                  /* CS: user code */
    push %eax
    mov $0x3b, %edx
    mov %edx, %ds
    mov %edx, %es
    mov %edx, %fs
    mov %edx, %gs
    iret

/* Reached from int_dispatch on the USER_RETURN vector: back to run_user's caller. */
    .global user_return_resume
user_return_resume:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    mov user_saved_sp, %esp
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

    .section .bss
    .balign 4
user_saved_sp: .skip 4
