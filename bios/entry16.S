/* entry16.S: reset vector, ROM shadowing, real/protected mode switches and the interrupt
 * entry stubs of the 16-bit runtime. Linked at offsets of segment 0xF000. */

#define BIOS_SEG 0xf000
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE16 0x18
#define SEL_DATA16 0x20
#define POST32_ENTRY 0xe0000            /* start of the 32-bit image (bios32.ld) */
#define BIOS_STACK_SIZE 6144

        .code16
        .section .text16.entry, "ax"

/* ---- reset: CPU starts at F000:FFF0 (see .reset below) ---------------------------------- */
        .globl reset16
reset16:
        cli
        cld
        movb $0x01, %al
        outb %al, $0x80
        /* Fast A20 (port 0x92 bit 1) so the 4 GiB flat segments see all memory. */
        inb $0x92, %al
        orb $0x02, %al
        andb $0xfe, %al
        outb %al, $0x92
        lgdtl %cs:gdt_desc
        movl %cr0, %eax
        orl $1, %eax
        movl %eax, %cr0
        /* Run the shadowing code from the ROM's alias below 4 GiB, which stays ROM while
         * the PAM registers turn 0xE0000-0xFFFFF into RAM. */
        ljmpl $SEL_CODE32, $(0xffff0000 + shadow32)

        .code32
/* Position independent: it runs at 0xFFFFxxxx, not where it is linked. */
shadow32:
        movw $SEL_DATA32, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        /* Host bridge at 00:00.0: i440FX has PAM0-6 at 0x59-0x5F, Q35 at 0x90-0x96. */
        movl $0x80000000, %eax
        movw $0xcf8, %dx
        outl %eax, %dx
        movw $0xcfc, %dx
        inl %dx, %eax
        movl $0x59, %ebx
        cmpl $0x29c08086, %eax
        jne 1f
        movl $0x90, %ebx
1:      leal 7(%ebx), %esi
2:      movl %ebx, %eax
        andl $0xfc, %eax
        orl $0x80000000, %eax
        movw $0xcf8, %dx
        outl %eax, %dx
        movl %ebx, %edx
        andl $3, %edx
        addl $0xcfc, %edx
        /* PAM0 only has the upper nibble (F-segment); 3 = read and write go to RAM. */
        movb $0x33, %al
        outb %al, %dx
        incl %ebx
        cmpl %esi, %ebx
        jb 2b
        movl $0xfffe0000, %esi
        movl $0xe0000, %edi
        movl $(0x20000 / 4), %ecx
        cld
        rep movsl
        movb $0x02, %al
        outb %al, $0x80
        ljmp $SEL_CODE32, $POST32_ENTRY

/* ---- 32-bit POST hands over to real mode ------------------------------------------------
 * Entered with `ljmp $SEL_CODE16, $to_real16`, interrupts off. Jumps to realjump.cs:ip with
 * SS:SP = realjump.ss:sp, DS=ES=FS=GS = realjump.ds, EDX = realjump.edx. */
        .code16
        .globl to_real16
to_real16:
        movw $SEL_DATA16, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        movw %ax, %ss
        movl %cr0, %eax
        andl $~1, %eax
        movl %eax, %cr0
        ljmpw $BIOS_SEG, $1f
1:      lidtl %cs:real_idt_desc
        lssw %cs:realjump + 4, %sp
        movw %cs:realjump + 8, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        movl %cs:realjump + 12, %edx
        xorl %eax, %eax
        xorl %ebx, %ebx
        xorl %ecx, %ecx
        xorl %esi, %esi
        xorl %edi, %edi
        xorl %ebp, %ebp
        andl $0xffff, %esp
        ljmpw *%cs:realjump

/* POST's last step: boot through INT 19h from real mode, as a BIOS must. */
        .globl boot_handoff16
boot_handoff16:
        sti
        int $0x19
        int $0x18
1:      hlt
        jmp 1b

/* ---- 32-bit code calls real-mode code and comes back --------------------------------------
 * call16_from32: ljmp here with interrupts off; runs the far call described by realjump
 * (cs:ip, ss:sp, ds) with the registers in call16_regs, saves them back, and returns to the
 * 32-bit address in call16_ret. Used for option ROM initialisation. */
        .globl call16_from32
call16_from32:
        movw $SEL_DATA16, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        movw %ax, %ss
        movl %cr0, %eax
        andl $~1, %eax
        movl %eax, %cr0
        ljmpw $BIOS_SEG, $1f
1:      lidtl %cs:real_idt_desc
        lssw %cs:realjump + 4, %sp
        movw %cs:realjump + 8, %ax
        movw %ax, %ds
        movw %ax, %es
        movl %cs:call16_regs + 0, %eax
        movl %cs:call16_regs + 4, %ebx
        movl %cs:call16_regs + 8, %ecx
        movl %cs:call16_regs + 12, %edx
        movl %cs:call16_regs + 16, %esi
        movl %cs:call16_regs + 20, %edi
        movl %cs:call16_regs + 24, %ebp
        lcallw *%cs:realjump
        cli
        cld
        movl %eax, %cs:call16_regs + 0
        movl %ebx, %cs:call16_regs + 4
        movl %ecx, %cs:call16_regs + 8
        movl %edx, %cs:call16_regs + 12
        movl %esi, %cs:call16_regs + 16
        movl %edi, %cs:call16_regs + 20
        movl %ebp, %cs:call16_regs + 24
        lgdtl %cs:gdt_desc
        movl %cr0, %eax
        orl $1, %eax
        movl %eax, %cr0
        ljmpl $SEL_CODE32, $(0xf0000 + 2f)
        .code32
2:      movw $SEL_DATA32, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %fs
        movw %ax, %gs
        movw %ax, %ss
        movl 0xf0000 + call16_ret_esp, %esp
        jmp *0xf0000 + call16_ret
        .code16

/* ---- interrupt entry: every vector we serve goes through irq_common ----------------------
 * The stub pushes the C handler's offset on the caller's stack; irq_common moves to the BIOS
 * stack (unless already on it, i.e. nested), builds a struct bregs and calls irq_dispatch. */
#define IRQ_ENTRY(name)                 \
        .globl entry_##name;            \
entry_##name:                           \
        pushw $handle_##name;           \
        jmp irq_common

        IRQ_ENTRY(08)
        IRQ_ENTRY(09)
        IRQ_ENTRY(0e)
        IRQ_ENTRY(76)
        IRQ_ENTRY(10)
        IRQ_ENTRY(11)
        IRQ_ENTRY(12)
        IRQ_ENTRY(13)
        IRQ_ENTRY(14)
        IRQ_ENTRY(15)
        IRQ_ENTRY(16)
        IRQ_ENTRY(17)
        IRQ_ENTRY(18)
        IRQ_ENTRY(19)
        IRQ_ENTRY(1a)

irq_common:
        movw %ss, %cs:irq_tmp_ss
        movl %esp, %cs:irq_tmp_esp
        pushw %ax
        movw %ss, %ax
        cmpw $BIOS_SEG, %ax
        popw %ax
        je 1f
        lssl %cs:bios_stack_ptr, %esp
1:      pushw %cs:irq_tmp_ss
        pushl %cs:irq_tmp_esp
        pushal
        pushw %ds
        pushw %es
        pushw %fs
        pushw %gs
        subl $8, %esp           /* handler, ip, cs, flags: filled in by irq_dispatch */
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
        addw $2, %sp            /* drop the handler offset */
        iret

/* Vectors nobody serves: return; hardware IRQs also need their end-of-interrupt. */
        .globl entry_iret
entry_iret:
        iret
        .globl entry_hwirq_master
entry_hwirq_master:
        pushw %ax
        movb $0x20, %al
        outb %al, $0x20
        popw %ax
        iret
        .globl entry_hwirq_slave
entry_hwirq_slave:
        pushw %ax
        movb $0x20, %al
        outb %al, $0xa0
        outb %al, $0x20
        popw %ax
        iret

/* INT 10h in front of a VGA ROM: copy teletype (AH=0Eh) output, and single printable
 * characters written with AH=09h/0Ah (how boot loaders draw in colour), to COM1; then chain. */
        .globl entry_10_mirror
entry_10_mirror:
        cmpb $0x0e, %ah
        je 0f
        cmpb $0x09, %ah
        je 4f
        cmpb $0x0a, %ah
        jne 2f
4:      cmpw $1, %cx
        jne 2f
        cmpb $0x20, %al
        jb 2f
0:      pushw %ax
        pushw %cx
        pushw %dx
        movw $0x3fd, %dx
        movw $0xffff, %cx
1:      inb %dx, %al
        testb $0x20, %al
        loopz 1b
        popw %dx
        popw %cx
        popw %ax
        pushw %dx
        movw $0x3f8, %dx
        outb %al, %dx
        popw %dx
2:      ljmpw *%cs:int10_chain

/* PnP BIOS entry point: no run-time PnP functions (PnP BIOS 1.0a: 82h FUNCTION_NOT_SUPPORTED). */
        .globl pnp_entry16
pnp_entry16:
        movw $0x82, %ax
        lret

/* ---- data -------------------------------------------------------------------------------- */
        .section .data16.entry, "aw"
        .balign 8
gdt:
        .quad 0
        .quad 0x00cf9b000000ffff        /* 0x08: 32-bit flat code */
        .quad 0x00cf93000000ffff        /* 0x10: 32-bit flat data */
        .quad 0x00009b0f0000ffff        /* 0x18: 16-bit code, base 0xF0000 */
        .quad 0x000093000000ffff        /* 0x20: 16-bit data, base 0 */
gdt_end:
        .globl gdt_desc
gdt_desc:
        .word gdt_end - gdt - 1
        .long 0xf0000 + gdt
real_idt_desc:
        .word 0x3ff
        .long 0
        .balign 4
/* struct realjump { u16 ip, cs, sp, ss, ds, pad; u32 edx; } (bios.h) */
        .globl realjump
realjump:
        .space 16
/* eax ebx ecx edx esi edi ebp */
        .globl call16_regs
call16_regs:
        .space 28
        .globl call16_ret
call16_ret:
        .long 0
        .globl call16_ret_esp
call16_ret_esp:
        .long 0
irq_tmp_esp:
        .long 0
irq_tmp_ss:
        .word 0
        .balign 4
bios_stack_ptr:
        .long bios_stack_top
        .word BIOS_SEG

        .section .bss16.stack, "aw", @nobits
        .balign 16
        .globl bios_stack
bios_stack:
        .space BIOS_STACK_SIZE
        .globl bios_stack_top
bios_stack_top:

/* ---- F000:FFF0: the x86 reset vector, then the BIOS date and model byte ------------------ */
        .section .reset, "ax"
        .globl reset_vector
reset_vector:
        ljmpw $BIOS_SEG, $reset16
        .ascii "11/21/26"
        .byte 0
        .byte 0xfc                      /* model byte: PC/AT */
        .byte 0

        .section .note.GNU-stack, "", @progbits
