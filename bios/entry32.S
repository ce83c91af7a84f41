/* entry32.S: start of the 32-bit POST image (0xE0000) and the 32-to-16 mode switches. */
#define SEL_CODE16 0x18
#define SEL_DATA32 0x10
#define POST_STACK_TOP 0x7000

        .code32
        .section .text32.entry, "ax"
        .globl post_entry32
post_entry32:
        movw $SEL_DATA32, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        movw %ax, %ss
        movl $POST_STACK_TOP, %esp
        cld
        call post_main
1:      hlt
        jmp 1b

        .text
        .globl jump_to_real
jump_to_real:
        cli
        ljmp $SEL_CODE16, $o16_to_real16

/* Far-call real-mode code described by realjump/call16_regs and come back here. */
        .globl call16_asm
call16_asm:
        pushal
        pushfl
        cli
        movl %esp, f16_call16_ret_esp
        movl $1f, f16_call16_ret
        ljmp $SEL_CODE16, $o16_call16_from32
1:      popfl
        popal
        ret

        .section .note.GNU-stack, "", @progbits
