/* stage2-start.S: entry of the test program and bioscall(), which loads registers from a
 * struct, issues INT n and stores registers and flags back. */
        .code16
        .section .text.start, "ax"
        .globl _start
_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl $0x7c00, %esp
        sti
        movzbl %dl, %ebx
        movw $bss_start, %di            /* the bss lies beyond what stage 1 loaded */
        movw $bss_end, %cx
        subw %di, %cx
        xorb %al, %al
        cld
        rep stosb
        movl %ebx, %edx
        movzbl %dl, %eax
        pushl %eax
        calll test_main
1:      hlt
        jmp 1b

/* void bioscall(u8 vec, struct regs *r); struct regs { u32 eax, ebx, ecx, edx, esi, edi,
 * ebp; u16 ds, es, flags; } — called from -m16 C code (32-bit cdecl frame). */
        .text
        .globl bioscall
bioscall:
        pushal
        movl 36(%esp), %eax
        movb %al, 1f + 1                /* patch the INT immediate (self-modifying code) */
        jmp 0f                          /* flush prefetch, as on a real 486 */
0:      movl 40(%esp), %ebp
        pushl %ebp
        pushw %ds
        pushw %es
        movw %ss:30(%ebp), %ax
        movw %ax, %es
        movw %ss:28(%ebp), %ax
        movw %ax, %ds
        movl %ss:0(%ebp), %eax
        movl %ss:4(%ebp), %ebx
        movl %ss:8(%ebp), %ecx
        movl %ss:12(%ebp), %edx
        movl %ss:16(%ebp), %esi
        movl %ss:20(%ebp), %edi
        movl %ss:24(%ebp), %ebp
1:      int $0x00
        pushl %ebp
        movl %esp, %ebp
        movl %ss:8(%ebp), %ebp          /* the struct pointer, above saved es/ds + new ebp */
        popl %ss:24(%ebp)
        movl %eax, %ss:0(%ebp)
        movl %ebx, %ss:4(%ebp)
        movl %ecx, %ss:8(%ebp)
        movl %edx, %ss:12(%ebp)
        movl %esi, %ss:16(%ebp)
        movl %edi, %ss:20(%ebp)
        movw %ds, %ax
        movw %ax, %ss:28(%ebp)
        movw %es, %ax
        movw %ax, %ss:30(%ebp)
        pushfw
        popw %ss:32(%ebp)
        popw %es
        popw %ds
        popl %ebp
        popal
        retl

/* u32 pm_switch(void *gdt): INT 15h AH=89h with ES:SI = gdt, 8259 bases 20h/28h; returns
 * CS << 16 | AH << 8 | CF as found on return (in protected mode). */
        .globl pm_switch
pm_switch:
        pushl %ebp
        pushl %esi
        pushl %edi
        pushl %ebx
        movl 20(%esp), %esi
        movw $0x2028, %bx
        movb $0x89, %ah
        cli
        int $0x15
        setc %cl
        movw %cs, %dx
        shll $16, %edx
        movb %ah, %dh
        movb %cl, %dl
        movl %edx, %eax
        popl %ebx
        popl %edi
        popl %esi
        popl %ebp
        retl

/* The PS/2 mouse handler (INT 15h C207h), far-called with status, X, Y, 0 on the stack. */
        .globl mouse_handler
mouse_handler:
        pushw %bp
        movw %sp, %bp
        pushw %ax
        movw 12(%bp), %ax
        movw %ax, %cs:mouse_packet
        movw 10(%bp), %ax
        movw %ax, %cs:mouse_packet + 2
        movw 8(%bp), %ax
        movw %ax, %cs:mouse_packet + 4
        incw %cs:mouse_calls
        popw %ax
        popw %bp
        lret

/* void vbe_window_call(u32 far_fn, u32 bx, u32 dx): far call (VBE WinFuncPtr). */
        .globl vbe_window_call
vbe_window_call:
        pushal
        movl 36(%esp), %eax
        movl %eax, far_fn
        movl 40(%esp), %ebx
        movl 44(%esp), %edx
        lcallw *far_fn
        popal
        retl

/* u32 pm32_call(u32 fn, u32 ebx, u32 ecx, u32 edx, u32 edi): from 16-bit protected mode (after
 * INT 15h AH=89h), near call of 32-bit code at linear fn through the flat 32-bit code segment
 * 40h of our GDT; returns its EAX. */
        .globl pm32_call
pm32_call:
        pushl %ebp
        pushl %ebx
        pushl %esi
        pushl %edi
        movl %esp, %ebp
        movl 20(%ebp), %eax
        movl %eax, far_fn
        movl 24(%ebp), %ebx
        movl 28(%ebp), %ecx
        movl 32(%ebp), %edx
        movl 36(%ebp), %edi
        lcallw $0x40, $pm32_tramp
        popl %edi
        popl %esi
        popl %ebx
        popl %ebp
        retl
        .code32
pm32_tramp:
        call *far_fn
        lretw
        .code16

        .data
far_fn: .long 0
        .globl mouse_calls, mouse_packet
mouse_calls: .word 0
mouse_packet: .word 0, 0, 0

        .section .note.GNU-stack, "", @progbits
