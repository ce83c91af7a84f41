/* kbdecho.S: boot sector for the keyboard test: prints "KBD-READY", then for four keys read
 * with INT 16h AH=10h prints "K=xxxx" (scan code and ASCII) on COM1, then exits QEMU. */
        .code16
        .section .text
        .globl _start
_start:
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %ss
        movw $0x7c00, %sp
        sti
        movw $ready, %si
        call puts
        movw $4, %cx
1:      pushw %cx
        movb $0x10, %ah
        int $0x16
        movw %ax, %bx
        movw $kmsg, %si
        call puts
        movw $4, %cx
2:      rolw $4, %bx
        movb %bl, %al
        andb $15, %al
        addb $'0', %al
        cmpb $'9', %al
        jbe 3f
        addb $('a' - '0' - 10), %al
3:      call putc
        loop 2b
        movb $'\n', %al
        call putc
        popw %cx
        loop 1b
        movw $0, %ax
        outw %ax, $0xf4
        hlt

puts:   lodsb
        orb %al, %al
        jz 1f
        call putc
        jmp puts
1:      ret
putc:   pushw %dx
        pushw %ax
        movw $0x3fd, %dx
4:      inb %dx, %al
        testb $0x20, %al
        jz 4b
        popw %ax
        movw $0x3f8, %dx
        outb %al, %dx
        popw %dx
        ret
ready:  .asciz "KBD-READY\n"
kmsg:   .asciz "K="
        .org 510
        .word 0xaa55
