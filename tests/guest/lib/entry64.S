/*
 * entry64.S: Multiboot v1 entry that switches to long mode (Intel SDM 3A 10.8.5) and calls
 * guest_start in 64-bit mode. Assembled as 64-bit code; the entry is in a .code32 section
 * and the final ELF64 is converted to ELF32 so that Multiboot loaders accept it.
 *
 * Paging: 4-level, identity map of the first 1 GiB, user-accessible. The first 4 MiB use
 * 4 KiB pages (two page tables) so that tests can change single pages; the rest 2 MiB pages.
 */
#include "mbheader.h"

    .section .bss
    .balign 4096
    .global pml4, pdpt, pdir, ptab_low
pml4:     .skip 4096
pdpt:     .skip 4096
pdir:     .skip 4096
ptab_low: .skip 8192
    .balign 16
    .skip 16384
    .global stack_top
stack_top:

    .section .text
    .code32
    .global _start
_start:
    cli
    cld
    mov %eax, %esi
    mov %ebx, %ebp
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov $stack_top, %esp

    /* PTE bits: P=1, RW=2, US=4, PS=0x80. */
    movl $pdpt + 7, pml4
    movl $pdir + 7, pdpt
    movl $ptab_low + 7, pdir
    movl $ptab_low + 4096 + 7, pdir + 8
    mov $2, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x87, %eax
    mov %eax, pdir(,%ecx,8)
    inc %ecx
    cmp $512, %ecx
    jne 1b
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $12, %eax
    or $7, %eax
    mov %eax, ptab_low(,%ecx,8)
    inc %ecx
    cmp $1024, %ecx
    jne 2b

    lgdt gdt_ptr
    mov %cr4, %eax
    or $0x20, %eax              /* CR4.PAE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx       /* IA32_EFER */
    rdmsr
    or $0x100, %eax             /* LME */
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax        /* PG | PE */
    mov %eax, %cr0
    ljmp $0x28, $long_entry

    .code64
long_entry:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov $stack_top, %rsp
    mov %esi, mb_magic(%rip)
    mov %ebp, %eax
    mov %rax, mb_info(%rip)
    call guest_start
3:  cli
    hlt
    jmp 3b

    .section .rodata
    .balign 8
gdt_ptr:
    .word 8 * 11 - 1
    .long gdt
