/* stage1.S: test boot sector (floppy boot sector or MBR): loads stage 2 from the next sectors
 * of the boot drive, one INT 13h AH=02h read per sector (geometry from AH=08h), to 0000:7E00
 * and runs it with DL = boot drive. */
#define STAGE2_SECTORS 48
        .code16
        .section .text
        .globl _start
_start:
        cli
        xorw %ax, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw $0x7c00, %sp
        sti
        ljmpw $0, $1f
1:      movb %dl, boot_drive
        movb $0x08, %ah                 /* geometry: CL = sectors per track, DH = last head */
        int $0x13
        andb $0x3f, %cl
        movb %cl, spt
        movb %dh, last_head
        xorw %ax, %ax
        movw %ax, %es                   /* AH=08h points ES:DI at the diskette table */
        movw $0x7e00, %bx
        movw $STAGE2_SECTORS, %si
        movw $0x0002, %cx               /* cylinder 0, sector 2, head 0 */
        xorb %dh, %dh
2:      movb $3, tries                  /* one sector at a time, three attempts each */
4:      movw $0x0201, %ax
        movb boot_drive, %dl
        int $0x13
        jnc 5f
        xorw %ax, %ax
        int $0x13
        decb tries
        jnz 4b
        movw $msg_fail, %si
        call puts
        movw $0x3, %ax                  /* isa-debug-exit: status (3 << 1) | 1 = 7 */
        outw %ax, $0xf4
        hlt
5:      addw $512, %bx
        incb %cl
        cmpb spt, %cl
        jbe 6f
        movb $1, %cl
        incb %dh
        cmpb last_head, %dh
        jbe 6f
        xorb %dh, %dh
        incb %ch
6:      decw %si
        jnz 2b
        movb boot_drive, %dl
        ljmpw $0, $0x7e00

puts:   lodsb
        orb %al, %al
        jz 1f
        movw $0x3f8, %dx
        outb %al, %dx
        jmp puts
1:      ret

msg_fail: .asciz "T: FAIL stage1 could not load stage 2\r\n"
boot_drive: .byte 0
tries: .byte 0
spt: .byte 0
last_head: .byte 0
        .org 440
        .long 0x12345678                /* disk signature */
        .word 0
        .org 510
        .word 0xaa55
