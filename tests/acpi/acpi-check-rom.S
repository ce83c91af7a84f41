/* acpi-check-rom.S: a legacy option ROM that checks the ACPI tables the firmware placed with
 * vireo's table-loader: finds the RSDP in the F segment, follows RSDT -> FACP -> DSDT through
 * INT 15h AH=87h copies, verifies every checksum, and reports "ACPICHECK: PASS" on port 0xe9. */
.code16
.text
.globl _start
_start:
    .byte 0x55, 0xaa, 4
    jmp entry
    .org 0x20
entry:
    pushal
    push %ds
    push %es
    push %cs
    pop %ds
    mov $0xf000, %ax
    mov %ax, %es
    xor %di, %di
scan:
    cmpl $0x20445352, %es:(%di)
    jne next
    cmpl $0x20525450, %es:4(%di)
    je found
next:
    add $16, %di
    jnz scan
    mov $msg_nordsp, %si
    call puts
    jmp done
found:
    mov $msg_rsdp, %si
    call puts
    mov %di, %ax
    call puthex16
    /* checksum of 20 bytes */
    xor %bl, %bl
    mov $20, %cx
    mov %di, %si
1:  add %es:(%si), %bl
    inc %si
    loop 1b
    test %bl, %bl
    jnz bad
    mov $36, %cx
    xor %bl, %bl
    mov %di, %si
2:  add %es:(%si), %bl
    inc %si
    loop 2b
    test %bl, %bl
    jnz bad
    mov $msg_ok, %si
    call puts
    /* RSDT */
    mov %es:16(%di), %eax
    mov %eax, cur
    mov $msg_rsdt, %si
    call puts
    mov cur, %eax
    call puthex32
    call fetch
    jc bad
    cmpl $0x54445352, buf           /* "RSDT" */
    jne bad
    call check_table
    jc bad
    mov $msg_ok, %si
    call puts
    mov buf+36, %eax                /* first entry: FACP */
    mov %eax, cur
    mov $msg_facp, %si
    call puts
    mov cur, %eax
    call puthex32
    call fetch
    jc bad
    cmpl $0x50434146, buf           /* "FACP" */
    jne bad
    call check_table
    jc bad
    mov $msg_ok, %si
    call puts
    mov buf+40, %eax                /* DSDT */
    mov %eax, cur
    mov $msg_dsdt, %si
    call puts
    mov cur, %eax
    call puthex32
    call fetch
    jc bad
    cmpl $0x54445344, buf           /* "DSDT" */
    jne bad
    /* Sum the whole DSDT, 512 bytes at a time. */
    mov buf+4, %edx                 /* remaining length */
    xor %bh, %bh                    /* running sum */
3:  mov $512, %ecx
    cmp %ecx, %edx
    jae 4f
    mov %edx, %ecx
4:  sub %ecx, %edx
    mov $buf, %si
5:  add (%si), %bh
    inc %si
    loop 5b
    test %edx, %edx
    jz 6f
    addl $512, cur
    push %edx
    push %bx
    call fetch
    pop %bx
    pop %edx
    jmp 3b
6:  test %bh, %bh
    jnz bad
    mov $msg_ok, %si
    call puts
    mov $msg_all, %si
    call puts
    jmp done
bad:
    mov $msg_bad, %si
    call puts
done:
    pop %es
    pop %ds
    popal
    lret

/* Copy 512 bytes from physical `cur` to buf (INT 15h AH=87h). */
fetch:
    push %es
    mov cur, %eax
    mov %ax, gdt+16+2
    shr $16, %eax
    mov %al, gdt+16+4
    mov %ah, gdt+16+7
    xor %eax, %eax
    mov %cs, %ax
    shl $4, %eax
    add $buf, %eax
    mov %ax, gdt+24+2
    shr $16, %eax
    mov %al, gdt+24+4
    mov %ah, gdt+24+7
    push %cs
    pop %es
    mov $gdt, %si
    mov $256, %cx
    mov $0x87, %ah
    int $0x15
    pop %es
    ret

/* Sum `length` (from buf+4, at most 512) bytes of buf: CF set if not 0. */
check_table:
    mov buf+4, %ecx
    cmp $512, %ecx
    jbe 1f
    mov $512, %ecx
1:  xor %bl, %bl
    mov $buf, %si
2:  add (%si), %bl
    inc %si
    loop 2b
    test %bl, %bl
    jz 3f
    stc
    ret
3:  clc
    ret

puts:
    lodsb
    test %al, %al
    jz 1f
    out %al, $0xe9
    jmp puts
1:  ret

puthex32:
    push %eax
    shr $16, %eax
    call puthex16
    pop %eax
puthex16:
    push %ax
    mov %ah, %al
    call puthex8
    pop %ax
puthex8:
    push %ax
    shr $4, %al
    call nib
    pop %ax
nib:
    and $0xf, %al
    add $'0', %al
    cmp $'9', %al
    jbe 1f
    add $7, %al
1:  out %al, $0xe9
    ret

msg_nordsp: .asciz "ACPICHECK: no RSDP\n"
msg_rsdp:   .asciz "ACPICHECK: RSDP at F000:"
msg_rsdt:   .asciz " RSDT at "
msg_facp:   .asciz " FACP at "
msg_dsdt:   .asciz " DSDT at "
msg_ok:     .asciz " ok"
msg_all:    .asciz "\nACPICHECK: PASS\n"
msg_bad:    .asciz " BAD\nACPICHECK: FAIL\n"
    .align 4
cur: .long 0
gdt:
    .quad 0, 0
    .word 0xffff, 0
    .byte 0, 0x93, 0, 0
    .word 0xffff, 0
    .byte 0, 0x93, 0, 0
    .quad 0, 0
buf: .fill 512, 1, 0
    .org 2047
    .byte 0
