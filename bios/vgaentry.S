/* vgaentry.S: VGA option ROM header, PCI data structure, and the real-mode entry points of
 * the VGA BIOS (initialisation far call, INT 10h). Linked at offset 0 of the ROM segment;
 * runs with CS=DS=ES=SS = that segment on the ROM's own stack (the ROM area is RAM). */
#define VGA_STACK_SIZE 2048

        .code16
        .section .text.header, "ax"
        .globl rom_header
rom_header:
        .byte 0x55, 0xaa
        .byte 0                         /* size in 512-byte blocks: set by romsum */
        jmp vga_init_entry              /* offset 3: initialisation entry */
        .org 0x18
        .word pcir                      /* PCI Firmware Specification 3.0 5.1 */
        .word 0                         /* no PnP expansion header */
        .balign 4
pcir:
        .ascii "PCIR"
        .word 0x1234, 0x1111            /* Bochs/QEMU standard VGA */
        .word 0                         /* no VPD */
        .word 0x18                      /* structure length */
        .byte 0                         /* revision */
        .byte 0x00, 0x00, 0x03          /* class code 030000h: VGA */
        .word 0                         /* image length: set by romsum */
        .word 1                         /* code revision */
        .byte 0                         /* code type: x86 */
        .byte 0x80                      /* last image */
        .word 0
        .ascii "vireo VGA BIOS"
        .byte 0

        .text
/* Far-called by the system BIOS: AX = PCI bus/devfn. */
vga_init_entry:
        pushal
        pushw %ds
        pushw %es
        movw %ss, %cs:tmp_ss
        movl %esp, %cs:tmp_esp
        movw %cs, %ax
        movw %ax, %cs:stack_seg         /* wherever the system BIOS put us */
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl $vga_stack_top, %esp
        cld
        calll vga_init
        lssl %cs:tmp_esp, %esp
        popw %es
        popw %ds
        popal
        lret

/* INT 10h: same frame as the system BIOS (struct bregs), built on the ROM stack. */
        .globl entry_int10
entry_int10:
        pushw $handle_vga10
        movw %ss, %cs:tmp_ss
        movl %esp, %cs:tmp_esp
        pushw %ax
        movw %ss, %ax
        pushw %bx
        movw %cs, %bx
        cmpw %bx, %ax
        popw %bx
        popw %ax
        je 1f
        lssl %cs:stack_ptr, %esp
1:      pushw %cs:tmp_ss
        pushl %cs:tmp_esp
        pushal
        pushw %ds
        pushw %es
        pushw %fs
        pushw %gs
        subl $8, %esp
        movw %ss, %ax
        movw %ax, %ds
        movw %ax, %es
        cld
        movl %esp, %eax
        pushl %eax
        calll irq_dispatch
        addl $12, %esp
        popw %gs
        popw %fs
        popw %es
        popw %ds
        popal
        lssl %ss:(%esp), %esp
        addw $2, %sp
        iret

        .data
tmp_esp: .long 0
tmp_ss:  .word 0
        .balign 4
stack_ptr: .long vga_stack_top
stack_seg: .word 0

        .section .bss.stack, "aw", @nobits
        .balign 16
vga_stack:
        .space VGA_STACK_SIZE
        .globl vga_stack_top
vga_stack_top:

        .section .note.GNU-stack, "", @progbits
