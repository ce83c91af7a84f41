/* pmmrom.S: a PCI option ROM (given to an e1000, 8086:100Eh) that tries the BIOS's PMM during
 * POST: finds $PMM, allocates 64 KiB of extended memory with a handle, finds it by the
 * handle, allocates 1 KiB of conventional memory and writes to it, frees the extended block,
 * asks for the largest extended block, and prints the answers on COM1:
 *     PMM: ext=XXXXXXXX find=XXXXXXXX conv=XXXXXXXX rw=XX free=XXXXXXXX max=XXXXXXXX */
        .code16
        .section .text
        .globl _start
_start:
        .byte 0x55, 0xaa, 0             /* size: set by romsum */
        jmp init
        .org 0x18
        .word pcir
        .word 0
        .balign 4
pcir:   .ascii "PCIR"
        .word 0x8086, 0x100e
        .word 0, 0x18
        .byte 0, 0x00, 0x00, 0x02       /* revision, class 020000h */
        .word 0, 1                      /* image length (romsum), code revision */
        .byte 0, 0x80                   /* x86 code, last image */
        .word 0

init:
        pushal
        pushw %ds
        pushw %es
        movw %cs, %ax
        movw %ax, %ds
        movw $0xf000, %ax
        movw %ax, %es
        xorw %di, %di
1:      cmpl $0x4d4d5024, %es:(%di)     /* "$PMM" */
        je 2f
        addw $16, %di
        jnz 1b
        movw $msg_none, %si
        call puts
        jmp 9f
2:      movl %es:7(%di), %eax
        movl %eax, entry                /* the ROM is still writable during its initialisation */
        pushw $2                        /* extended, 4096 paragraphs, handle "VTST" */
        pushl $0x54535456
        pushl $4096
        pushw $0
        lcallw *entry
        addw $12, %sp
        call dxax
        movl %eax, ext
        pushl $0x54535456
        pushw $1
        lcallw *entry
        addw $6, %sp
        call dxax
        movl %eax, found
        pushw $1                        /* conventional, 64 paragraphs, anonymous */
        pushl $0xffffffff
        pushl $64
        pushw $0
        lcallw *entry
        addw $12, %sp
        call dxax
        movl %eax, conv
        shrl $4, %eax                   /* write and read back through its segment */
        jz 3f
        movw %ax, %es
        movb $0x5a, %es:0x3ff
        cmpb $0x5a, %es:0x3ff
        jne 3f
        movb $1, rw
3:      pushl ext
        pushw $2
        lcallw *entry
        addw $6, %sp
        call dxax
        movl %eax, freed
        pushw $2                        /* the largest extended block */
        pushl $0xffffffff
        pushl $0
        pushw $0
        lcallw *entry
        addw $12, %sp
        call dxax
        movl %eax, largest
        movw $msg_ext, %si
        call puts
        movl ext, %eax
        call puthex
        movw $msg_find, %si
        call puts
        movl found, %eax
        call puthex
        movw $msg_conv, %si
        call puts
        movl conv, %eax
        call puthex
        movw $msg_rw, %si
        call puts
        movzbl rw, %eax
        call puthex
        movw $msg_free, %si
        call puts
        movl freed, %eax
        call puthex
        movw $msg_max, %si
        call puts
        movl largest, %eax
        call puthex
        movw $msg_eol, %si
        call puts
9:      popw %es
        popw %ds
        popal
        lret

/* DX:AX -> EAX */
dxax:   shll $16, %edx
        movzwl %ax, %eax
        orl %edx, %eax
        ret

putc:   pushw %dx
        pushw %ax
        movw $0x3fd, %dx
1:      inb %dx, %al
        testb $0x20, %al
        jz 1b
        popw %ax
        movw $0x3f8, %dx
        outb %al, %dx
        popw %dx
        ret

puts:   lodsb
        orb %al, %al
        jz 1f
        call putc
        jmp puts
1:      ret

puthex: movw $8, %cx
1:      roll $4, %eax
        pushl %eax
        andb $15, %al
        addb $'0', %al
        cmpb $'9', %al
        jbe 2f
        addb $('a' - '9' - 1), %al
2:      call putc
        popl %eax
        loop 1b
        ret

msg_none: .asciz "PMM: no $PMM structure\r\n"
msg_ext:  .asciz "PMM: ext="
msg_find: .asciz " find="
msg_conv: .asciz " conv="
msg_rw:   .asciz " rw="
msg_free: .asciz " free="
msg_max:  .asciz " max="
msg_eol:  .asciz "\r\n"
        .balign 4
entry:   .long 0
ext:     .long 0
found:   .long 0
conv:    .long 0
freed:   .long 0
largest: .long 0
rw:      .byte 0
