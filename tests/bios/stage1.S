/* stage1.S: test boot sector (floppy boot sector or MBR): loads stage 2 from the next sectors
 * of the boot drive with INT 13h AH=02h to 0000:7E00 and runs it with DL = boot drive. */
#define STAGE2_SECTORS 35
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
        movb $3, %cl                    /* three attempts, as floppy boot sectors do */
        movb %cl, tries
2:      movw $(0x0200 | STAGE2_SECTORS), %ax
        movw $0x0002, %cx               /* cylinder 0, sector 2 */
        xorb %dh, %dh
        movb boot_drive, %dl
        movw $0x7e00, %bx
        int $0x13
        jnc 3f
        xorw %ax, %ax
        int $0x13
        decb tries
        jnz 2b
        movw $msg_fail, %si
        call puts
        movw $0x3, %ax                  /* isa-debug-exit: status (3 << 1) | 1 = 7 */
        outw %ax, $0xf4
        hlt
3:      movb boot_drive, %dl
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
        .org 440
        .long 0x12345678                /* disk signature */
        .word 0
        .org 510
        .word 0xaa55
