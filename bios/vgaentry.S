/* vgaentry.S: VGA option ROM header, PCI data structure, and the real-mode entry points of
 * the VGA BIOS (initialisation far call, INT 10h). Linked at offset 0 of the ROM segment;
 * run with CS = the ROM segment and DS=ES=SS = the RAM copy of its data (see below). */
#define VGA_STACK_SIZE 1536

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
/* Far-called by the system BIOS with AX = PCI bus/devfn, while the ROM is still writable.
 * The ROM's data, bss and stack move to RAM_KB KiB of conventional memory taken from the top
 * (BDA 413h, as other option ROMs do): the ROM may be write-protected once POST is over, and
 * the C code needs DS = SS. data_seg is the segment in which the RAM copy sits at the same
 * offsets as in the ROM image; code and fonts stay in the ROM (CS). */
vga_init_entry:
        pushal
        pushw %ds
        pushw %es
        movzwl %ax, %edx                /* PCI bus/devfn */
        movw %ss, %bx
        movl %esp, %ebp
        xorw %ax, %ax
        movw %ax, %ds
        movw 0x413, %ax
        subw $ram_kb, %ax
        movw %ax, 0x413
        shlw $6, %ax
        subw $data_para, %ax
        movw %ax, %cs:data_seg
        movw %ax, %es
        movw %cs, %ax
        movw %ax, %ds
        cld
        movw $data_start, %si
        movw %si, %di
        movw $data_size, %cx
        rep movsb
        movw $bss_size, %cx
        xorb %al, %al
        rep stosb
        movw %es, %ax
        movw %ax, %ds
        movw %ax, %ss
        movl $vga_stack_top, %esp
        pushw %bx
        pushl %ebp
        pushl %edx
        calll vga_init
        addl $4, %esp
        lssl (%esp), %esp
        popw %es
        popw %ds
        popal
        lret

/* INT 10h: the struct bregs frame of the system BIOS, built on the RAM stack (or further
 * down it when INT 10h nests). The caller's EAX, EBX, DS are parked on its own stack while
 * the stack changes. */
        .globl entry_int10
entry_int10:
        pushw $handle_vga10
        pushl %eax
        pushl %ebx
        pushw %ds
        movw %ss, %ax
        movl %esp, %ebx
        cmpw %cs:data_seg, %ax
        je 1f
        movw %cs:data_seg, %ss
        movl $vga_stack_top, %esp
1:      pushw %ax                       /* caller SS */
        addl $10, %ebx
        pushl %ebx                      /* caller ESP, at the handler word */
        movw %ax, %ds
        movzwl %bx, %ebx
        pushl -8(%ebx)
        movl -4(%ebx), %eax
        movw -10(%ebx), %bx
        movw %bx, %ds
        popl %ebx
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

/* VBE mode information WinFuncPtr: 4F05h as a far call (BH, BL, DX as for INT 10h; AX and
 * DX are not preserved, as VBE 2.0 4.8 allows). */
        .globl vbe_window_far
vbe_window_far:
        movw $0x4f05, %ax
        int $0x10
        lret

/* VBE 4F0Ah: the protected-mode interface (VBE 2.0 4.13), 32-bit code called near with the
 * registers of the real-mode functions; it uses only ports, so it runs from any copy. */
        .globl vbe_pm_table, vbe_pm_table_end
vbe_pm_table:
        .word pm_set_window - vbe_pm_table
        .word pm_set_start - vbe_pm_table
        .word pm_set_palette - vbe_pm_table
        .word pm_ports - vbe_pm_table
pm_ports:
        .word 0x1ce, 0x1cf, 0x3c8, 0x3c9, 0xffff
        .word 0xffff                    /* no memory locations */
        .code32
/* BH = 0, BL = window (A only), DX = bank */
pm_set_window:
        movl %edx, %ecx
        movw $0x1ce, %dx
        movw $5, %ax                    /* DISPI bank */
        outw %ax, %dx
        incw %dx
        movw %cx, %ax
        outw %ax, %dx
        movw $0x004f, %ax
        ret
/* BL = 00h/80h, DX:CX = display start in 4-byte units */
pm_set_start:
        pushl %ebx
        shll $16, %edx
        movw %cx, %dx
        shll $2, %edx                   /* byte offset */
        movl %edx, %edi
        movw $0x1ce, %dx
        movw $3, %ax                    /* bits per pixel */
        outw %ax, %dx
        incw %dx
        inw %dx, %ax
        addw $7, %ax
        shrw $3, %ax
        movzwl %ax, %ebx                /* bytes per pixel */
        decw %dx
        movw $6, %ax                    /* virtual width */
        outw %ax, %dx
        incw %dx
        inw %dx, %ax
        movzwl %ax, %ecx
        imull %ebx, %ecx                /* bytes per line */
        jecxz 3f                        /* no VBE mode */
        movl %edi, %eax
        xorl %edx, %edx
        divl %ecx                       /* EAX = line, EDX = byte in the line */
        movl %eax, %edi
        movl %edx, %eax
        xorl %edx, %edx
        divl %ebx
        movl %eax, %ecx                 /* pixel in the line */
        movw $0x1ce, %dx
        movw $8, %ax                    /* X offset */
        outw %ax, %dx
        incw %dx
        movw %cx, %ax
        outw %ax, %dx
        decw %dx
        movw $9, %ax                    /* Y offset */
        outw %ax, %dx
        incw %dx
        movw %di, %ax
        outw %ax, %dx
        popl %ebx
        movw $0x004f, %ax
        ret
3:      popl %ebx
        movw $0x014f, %ax
        ret
/* BL = 00h/80h, CX = count, DX = first, ES:EDI = entries (blue, green, red, alignment) */
pm_set_palette:
        movzwl %cx, %ecx
        movb %dl, %al
        movw $0x3c8, %dx
        outb %al, %dx
        incw %dx
        jecxz 2f
1:      movb %es:2(%edi), %al
        outb %al, %dx
        movb %es:1(%edi), %al
        outb %al, %dx
        movb %es:(%edi), %al
        outb %al, %dx
        addl $4, %edi
        loop 1b
2:      movw $0x004f, %ax
        ret
        .code16
vbe_pm_table_end:

data_seg: .word 0

        .section .bss.stack, "aw", @nobits
        .balign 16
        .space VGA_STACK_SIZE
        .globl vga_stack_top
vga_stack_top:

        .section .note.GNU-stack, "", @progbits
