/* floppy.S: a 1.44 MB floppy boot sector. It writes to COM1 directly (so it needs no video
 * BIOS mirroring), reads sector 2 through INT 13h and checks its signature, then halts. */
    .code16
    .text
    .globl _start
_start:
    cli
    xorw %ax, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movw $0x7c00, %sp
    sti
    movb %dl, boot_drive
    movw $msg_hello, %si
    call puts
    /* INT 13h AH=02h: read 1 sector, cylinder 0, head 0, sector 2 into 0000:7E00. */
    movw $3, %di                    /* floppy reads are retried after a reset */
1:  movw $0x0201, %ax
    movw $0x0002, %cx
    xorb %dh, %dh
    movb boot_drive, %dl
    movw $0x7e00, %bx
    int $0x13
    jnc 2f
    xorb %ah, %ah
    int $0x13
    decw %di
    jnz 1b
    movw $msg_readerr, %si
    jmp done
2:  movw $0x7e00, %si
    movw $sig, %di
    movw $10, %cx
    cld
    repe cmpsb
    movw $msg_ok, %si
    je done
    movw $msg_bad, %si
done:
    call puts
3:  cli
    hlt
    jmp 3b

/* puts: print the NUL-terminated string at DS:SI on COM1 (polling LSR bit 5). */
puts:
    lodsb
    testb %al, %al
    jz 5f
    movb %al, %ah
    movw $0x3fd, %dx
4:  inb %dx, %al
    testb $0x20, %al
    jz 4b
    movw $0x3f8, %dx
    movb %ah, %al
    outb %al, %dx
    jmp puts
5:  ret

boot_drive: .byte 0
sig:        .ascii "VT-SECTOR2"
msg_hello:  .asciz "\r\nVT-FLOPPY boot sector running\r\n"
msg_ok:     .asciz "VT-FLOPPY-INT13-OK sector 2 read\r\n"
msg_bad:    .asciz "VT-FLOPPY-INT13-BAD sector 2 contents\r\n"
msg_readerr: .asciz "VT-FLOPPY-INT13-BAD read error\r\n"
    .org 510
    .byte 0x55, 0xaa
