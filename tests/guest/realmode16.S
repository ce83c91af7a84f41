/*
 * realmode16.S: from 32-bit protected mode down to real mode and back (Intel SDM 3A 10.9.2
 * "Switching Back to Real-Address Mode", 10.9.1 for the way up). The blob between
 * rm_blob_start and rm_blob_end is position-dependent on 0x8000: it runs as 0800:offset.
 * With RM_FAULTS defined (realmode-faults16.S) it also takes #UD through the IVT.
 */
#define BLOB 0x8000
#define OFF(label) (label - rm_blob_start)
#define SEL_CODE32 0x08
#define SEL_DATA   0x10
#define SEL_CODE16 0x18
#define SEL_DATA16 0x20

    .section .text
    .code32
    .global enter_real_mode
/* void enter_real_mode(void): runs the real-mode part, returns in protected mode. */
enter_real_mode:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, rm_saved_esp
    sidt rm_saved_idtr
    cli
    /* A 16-bit code segment first: real mode keeps its descriptor caches (10.9.2 step 3). */
    ljmp $SEL_CODE16, $(BLOB + OFF(pm16))

pm32_back:
    mov $SEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov rm_saved_esp, %esp
    lidt rm_saved_idtr
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

    .global rm_blob_start, rm_blob_end
rm_blob_start:
    .code16
pm16:
    mov $SEL_DATA16, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov %cr0, %eax
    and $~1, %eax
    mov %eax, %cr0
    ljmp $(BLOB >> 4), $OFF(rm_entry)

rm_entry:
    mov %cs, %ax
    mov %ax, %ds
    xor %ax, %ax
    mov %ax, %ss
    mov $0x7c00, %sp
    lidt OFF(rm_idtr)
    mov %cs, OFF(rm_cs)

    mov $OFF(rm_msg), %si
1:  lodsb
    test %al, %al
    jz 2f
    call rm_putc
    jmp 1b
2:
    /* Segment arithmetic: 1234:0010 is linear 0x12350. */
    mov $0x1234, %ax
    mov %ax, %es
    movb $0xa5, %es:0x10

    /* INT through the real-mode IVT (SDM 3A 20.1.4): vector 0x60 -> 0800:rm_int60. */
    xor %ax, %ax
    mov %ax, %es
    movw $OFF(rm_int60), %es:0x60 * 4
    movw $(BLOB >> 4), %es:0x60 * 4 + 2
    /* IF stays clear: without a BIOS the IVT has no handlers for hardware interrupts. */
    int $0x60
rm_after_int:

    /* Faults through the IVT: the saved IP is the faulting instruction (SDM 3A 20.1.4). */
    movw $OFF(rm_fault), %es:0 * 4
    movw $(BLOB >> 4), %es:0 * 4 + 2
    movw $OFF(rm_fault), %es:6 * 4
    movw $(BLOB >> 4), %es:6 * 4 + 2
    xor %bl, %bl
    mov $7, %ax
rm_div_insn:
    div %bl                         /* #DE: 2 bytes, skipped by rm_fault */
#ifdef RM_FAULTS
rm_ud_insn:
    ud2                             /* #UD: 2 bytes */
#endif

    /* 16-bit arithmetic wraps at 64 KiB and sets CF. */
    mov $0xffff, %ax
    add $1, %ax
    setc OFF(rm_carry)
    mov %ax, OFF(rm_wrapped)

    lgdtl OFF(rm_gdtr)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $SEL_CODE32, $pm32_back

rm_int60:
    incw %ds:OFF(rm_int_count)
    pushf
    pop %ax
    mov %ax, %ds:OFF(rm_int_flags)
    mov %sp, %bp
    mov 2(%bp), %ax                 /* the CS pushed by INT */
    mov %ax, %ds:OFF(rm_int_cs)
    mov (%bp), %ax                  /* the IP pushed by INT: just after the INT */
    mov %ax, %ds:OFF(rm_int_ip)
    iret

/* Vector 0 and 6: record the saved IP, step over the 2-byte instruction. */
rm_fault:
    push %bp
    push %si
    mov %sp, %bp
    mov 4(%bp), %si
    incw %ds:OFF(rm_fault_count)
    cmp $OFF(rm_div_insn), %si
    jne 5f
    incw %ds:OFF(rm_de_at_div)
5:
#ifdef RM_FAULTS
    cmp $OFF(rm_ud_insn), %si
    jne 6f
    incw %ds:OFF(rm_ud_at_ud2)
#endif
6:  addw $2, 4(%bp)
    pop %si
    pop %bp
    iret

rm_putc:
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

rm_msg:   .asciz "real mode: hello from 16-bit code\r\n"
    .balign 4
rm_idtr:  .word 0x3ff
          .long 0
rm_gdtr:  .word 8 * 11 - 1
          .long gdt
    .global rm_cs, rm_int_count, rm_int_flags, rm_int_cs, rm_int_ip, rm_carry, rm_wrapped
    .global rm_after_int, rm_fault_count, rm_de_at_div, rm_ud_at_ud2
rm_cs:        .word 0
rm_int_count: .word 0
rm_int_flags: .word 0
rm_int_cs:    .word 0
rm_int_ip:    .word 0
rm_fault_count: .word 0
rm_de_at_div: .word 0
rm_ud_at_ud2: .word 0
rm_wrapped:   .word 0x1234
rm_carry:     .byte 0
    .balign 4
rm_blob_end:
    .code32

    .section .bss
rm_saved_esp:  .skip 4
rm_saved_idtr: .skip 8
