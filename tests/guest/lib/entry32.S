/* entry32.S: Multiboot v1 header and the 32-bit entry of the guest-test runtime. */
#include "mbheader.h"

    .section .bss
    .balign 16
stack_bottom:
    .skip 16384
    .global stack_top
stack_top:

    .section .text
    .code32
    .global _start
_start:
    /* Multiboot 0.6.96 section 3.2: EAX magic, EBX info, flat segments, no stack. */
    cli
    cld
    mov %eax, %esi
    mov %ebx, %ebp
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov $stack_top, %esp
    mov %esi, mb_magic
    mov %ebp, mb_info
    call guest_start
1:  cli
    hlt
    jmp 1b
