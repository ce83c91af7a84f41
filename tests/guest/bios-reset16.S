/*
 * bios-reset16.S: a flat 64 KiB firmware image for -bios. The CPU starts at F000:FFF0 in real
 * mode (Intel SDM 3A 10.1.4); this code records the reset state, switches to 32-bit protected
 * mode (10.9.1) and calls bios_main(cr0, cs, edx) in bios-reset.c. The image is mapped at
 * 0xF0000 below 1 MiB and at 0xFFFF0000 below 4 GiB; nothing in it is written to.
 */
    .section .reset, "ax"
    .code16
    .global reset_vector
reset_vector:
    ljmp $0xf000, $bios_start16_offset     /* defined in lib/bios.ld */

    .section .text.bios16, "ax"
    .code16
rom_base:                           /* 0xF0000: lib/bios.ld puts this section first */
    .global bios_start16
bios_start16:
    cli
    cld
    mov %edx, %esi                  /* EDX at reset: the processor signature */
    mov %cr0, %ecx                  /* CR0 at reset: 0x60000010 */
    mov %cs, %bx
    movzwl %bx, %ebx
    xor %ax, %ax
    mov %ax, %ss
    mov $0x7000, %sp

    mov $(rom_msg - rom_base), %di
1:  mov %cs:(%di), %al
    test %al, %al
    jz 2f
    call putc16
    inc %di
    jmp 1b
2:
    lgdtl %cs:(rom_gdtr - rom_base)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $bios_start32

putc16:
    push %dx
    push %ax
    mov $0x3fd, %dx
3:  in %dx, %al
    test $0x20, %al
    jz 3b
    pop %ax
    mov $0x3f8, %dx
    out %al, %dx
    pop %dx
    ret

    .code32
bios_start32:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $0x7000, %esp
    mov $__bss_start, %edi
    mov %ecx, %edx
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    push %esi
    push %ebx
    push %edx
    call bios_main
4:  cli
    hlt
    jmp 4b

    /* Still in .text.bios16, so that 16-bit code can address it as CS:offset. */
rom_msg:
    .asciz "bios-reset: real mode at the reset vector\r\n"
    .balign 8
/* Accessed bits preset: the CPU would otherwise write them into the ROM. */
rom_gdt:
    .quad 0
    .quad 0x00cf9b000000ffff        /* 0x08 code, 32-bit, flat */
    .quad 0x00cf93000000ffff        /* 0x10 data, flat */
rom_gdtr:
    .word 3 * 8 - 1
    .long rom_gdt
