/* vgatext.S: boot sector for the VGA BIOS test: sets mode 3 and writes a line through INT 10h
 * (the VGA BIOS mirrors it to COM1), then idles so the runner can take a screendump. */
        .code16
        .section .text
        .globl _start
_start:
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %ss
        movw $0x7c00, %sp
        sti
        movw $0x0003, %ax
        int $0x10
        movw $msg, %si
1:      lodsb
        orb %al, %al
        jz 2f
        movb $0x0e, %ah
        movw $0x0007, %bx
        int $0x10
        jmp 1b
2:      hlt
        jmp 2b
msg:    .asciz "VIREO-VGA-TEXT ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789\r\n"
        .org 510
        .word 0xaa55
