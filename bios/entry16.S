/* entry16.S: reset vector, ROM shadowing, real/protected mode switches and the interrupt
 * entry stubs of the 16-bit runtime. Linked at offsets of segment 0xF000. */

#define BIOS_SEG 0xf000
#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define SEL_CODE16 0x18
#define SEL_DATA16 0x20
#define SEL_STACK16 0x28
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
        IRQ_ENTRY(74)
        IRQ_ENTRY(76)
        IRQ_ENTRY(10)
        IRQ_ENTRY(11)
        IRQ_ENTRY(12)
        IRQ_ENTRY(13)
        IRQ_ENTRY(14)
        IRQ_ENTRY(16)
        IRQ_ENTRY(17)
        IRQ_ENTRY(18)
        IRQ_ENTRY(19)
        IRQ_ENTRY(1a)

/* INT 15h: AH=89h leaves real mode, so it never returns through irq_common. */
        .globl entry_15
entry_15:
        cmpb $0x89, %ah
        je int15_pm_switch
        pushw $handle_15
        jmp irq_common

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

/* void pm_copy(u32 src, u32 dst, u32 len): copy between any physical addresses for INT 15h
 * AH=87h, through 16-bit protected mode with flat DS/ES; called from 16-bit C on the BIOS
 * stack (SS=F000h), interrupts stay off meanwhile. */
        .globl pm_copy
pm_copy:
        pushl %ebp
        movl %esp, %ebp
        pushl %esi
        pushl %edi
        pushfl
        cli
        movl 8(%ebp), %esi
        movl 12(%ebp), %edi
        movl 16(%ebp), %ecx
        lgdtl %cs:gdt_desc
        movl %cr0, %eax
        orl $1, %eax
        movl %eax, %cr0
        ljmpw $SEL_CODE16, $1f
1:      movw $SEL_STACK16, %ax
        movw %ax, %ss
        movw $SEL_DATA32, %ax
        movw %ax, %ds
        movw %ax, %es
        cld
        addr32 rep movsb
        movw $SEL_DATA16, %ax           /* leave with 64 KiB limits, not unreal mode */
        movw %ax, %ds
        movw %ax, %es
        movl %cr0, %eax
        andl $~1, %eax
        movl %eax, %cr0
        ljmpw $BIOS_SEG, $2f
2:      movw $BIOS_SEG, %ax
        movw %ax, %ss
        movw %ax, %ds
        movw %ax, %es
        popfl
        popl %edi
        popl %esi
        popl %ebp
        retl

/* Far-called from POST after the VGA ROM's initialisation: select 80x25 text (mode 03h);
 * not every VGA ROM leaves the display in a mode on its own. */
        .globl vga_set_mode3
vga_set_mode3:
        movw $0x0003, %ax
        int $0x10
        lret

/* INT 15h AH=89h (IBM PC/AT BIOS): switch to protected mode. ES:SI = a GDT whose entries
 * 08h/10h describe the GDT and IDT, 18h/20h/28h/30h the DS/ES/SS/CS to run with; we fill in
 * 38h (our code). BH/BL = the new interrupt vector bases of the master/slave 8259 (all
 * interrupts left masked), A20 on. Returns at CS=30h:IP with AH=0, CF clear, IF clear. */
int15_pm_switch:
        cli
        movb $0x11, %al                 /* ICW1: edge, cascade, ICW4 */
        outb %al, $0x20
        outb %al, $0xa0
        movb %bh, %al
        outb %al, $0x21
        movb %bl, %al
        outb %al, $0xa1
        movb $0x04, %al                 /* ICW3: slave on IRQ2 */
        outb %al, $0x21
        movb $0x02, %al
        outb %al, $0xa1
        movb $0x01, %al                 /* ICW4: 8086 mode */
        outb %al, $0x21
        outb %al, $0xa1
        movb $0xff, %al
        outb %al, $0x21
        outb %al, $0xa1
        inb $0x92, %al
        orb $0x02, %al
        andb $0xfe, %al
        outb %al, $0x92
        movl $0x0000ffff, %es:0x38(%si) /* 16-bit code, base F0000h */
        movl $0x00009b0f, %es:0x3c(%si)
        lgdtw %es:0x08(%si)             /* 24-bit bases, as the descriptors hold them */
        lidtw %es:0x10(%si)
        movl %cr0, %eax
        orb $1, %al
        movl %eax, %cr0
        ljmpw $0x38, $1f
1:      movw $0x18, %ax
        movw %ax, %ds
        movw $0x20, %ax
        movw %ax, %es
        movw $0x28, %ax
        movw %ax, %ss
        popw %ax                        /* the caller's IP; its CS and FLAGS are dropped */
        addw $4, %sp
        pushw $0x30
        pushw %ax
        xorw %ax, %ax                   /* AH = 0, CF = 0 */
        lret

/* APM 1.2 protected-mode interfaces (16- and 32-bit, the same code assembled twice): AX =
 * the function as in INT 15h AH=53h. They use no memory, so any data segment will do. */
.macro APM_PM_BODY
        cmpb $0x05, %al
        je 5f
        cmpb $0x07, %al
        je 7f
        cmpb $0x0a, %al
        je 10f
        cmpb $0x0b, %al
        je 11f
        cmpb $0x0c, %al
        je 12f
        cmpb $0x0e, %al
        je 14f
        cmpb $0x10, %al
        je 16f
        cmpb $0x04, %al                 /* disconnect, busy, enable, defaults, device, engage */
        jb 1f
        cmpb $0x0f, %al
        jbe 0f
1:      movb $0x09, %ah                 /* unrecognized */
        stc
        lret
5:      sti
        hlt
0:      clc
        lret
7:      cmpw $0x0003, %cx               /* off: ACPI S5 through PIIX4 PM1a_CNT */
        jne 0b
        pushl %eax
        pushl %edx
        movl $0x80000b00, %eax
        movw $0xcf8, %dx
        outl %eax, %dx
        movw $0xcfc, %dx
        inl %dx, %eax
        cmpl $0x71138086, %eax
        jne 2f
        movl $0x80000b40, %eax
        movw $0xcf8, %dx
        outl %eax, %dx
        movw $0xcfc, %dx
        inl %dx, %eax
        andw $0xffc0, %ax
        addw $4, %ax
        movw %ax, %dx
        movw $0x2000, %ax
        outw %ax, %dx
        movl $1000000, %edx             /* about a second of port 80h writes for it to act */
3:      outb %al, $0x80
        decl %edx
        jnz 3b
2:      popl %edx
        popl %eax
        movb $0x60, %ah                 /* still on: cannot enter the state */
        stc
        lret
10:     movw $0x01ff, %bx               /* on AC, battery unknown, no battery */
        movw $0x80ff, %cx
        movw $0xffff, %dx
        clc
        lret
11:     movb $0x80, %ah                 /* no events */
        stc
        lret
12:     xorw %cx, %cx
        clc
        lret
14:     movw $0x0102, %ax
        cmpw %ax, %cx
        jae 0b
        movw %cx, %ax
        clc
        lret
16:     xorb %bl, %bl
        xorw %cx, %cx
        clc
        lret
.endm
        .globl apm_pm16_entry
apm_pm16_entry:
        APM_PM_BODY
        .code32
        .globl apm_pm32_entry
apm_pm32_entry:
        APM_PM_BODY
        .code16

/* PMM entry (far-called by option ROMs during POST, arguments on their stack): C on the
 * BIOS stack (unless already on it), result in DX:AX, every other register (segment
 * registers included) kept. */
        .globl pmm_entry16
pmm_entry16:
        pushl %ebx
        pushl %ecx
        pushl %esi
        pushl %edi
        pushl %ebp
        pushw %ds
        pushw %es
        pushw %fs
        pushw %gs                       /* the C code moves GS around */
        movw %ss, %cx
        movzwl %sp, %ebx
        addl $32, %ebx                  /* past what we pushed (28) and the return address */
        movl %esp, %ebp
        movw %cs, %ax
        movw %ax, %ds
        movw %ax, %es
        cmpw %ax, %cx
        je 1f
        movw %ax, %ss
        movl $bios_stack_top, %esp
1:      pushw %cx
        pushl %ebp
        pushl %ebx
        movzwl %cx, %eax
        pushl %eax
        cld
        calll pmm_dispatch
        addl $8, %esp
        popl %ebp
        popw %cx
        movw %cx, %ss
        movl %ebp, %esp
        movl %eax, %edx
        shrl $16, %edx
        popw %gs
        popw %fs
        popw %es
        popw %ds
        popl %ebp
        popl %edi
        popl %esi
        popl %ecx
        popl %ebx
        lret

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
        .quad 0x0000930f0000ffff        /* 0x28: 16-bit data, base 0xF0000 (BIOS stack) */
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
