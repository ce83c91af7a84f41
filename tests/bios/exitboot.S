/* exitboot.S: a boot sector that reads the TSC, prints it on COM1 as 16 hex digits and ends
 * QEMU (isa-debug-exit). Under -icount the TSC counts virtual nanoseconds since reset, so the
 * number is a noise-free reset-to-boot-loader time. Its first two bytes of code are also used
 * by the bench as a "BIOS" that exits at the reset vector (QEMU start-up baseline). */
        .code16
        .section .text
        .globl _start
_start:
        jmp 1f                          /* the baseline BIOS exits right here */
        nop
1:      rdtsc
        movl %edx, %esi
        call hex32
        movl %eax, %esi
        call hex32
        movb $'\n', %al
        call putc
        movw $0, %ax
        outw %ax, $0xf4
        hlt

/* print %esi as 8 hex digits (clobbers esi, ecx) */
hex32:  pushl %eax
        movw $8, %cx
2:      roll $4, %esi
        movl %esi, %eax
        andb $15, %al
        addb $'0', %al
        cmpb $'9', %al
        jbe 3f
        addb $('a' - '0' - 10), %al
3:      call putc
        loop 2b
        popl %eax
        ret

putc:   pushw %dx
        movw $0x3f8, %dx
        outb %al, %dx
        popw %dx
        ret
        .org 510
        .word 0xaa55
