/* test-x86-seg.c: interrupt delivery, IRET, segment loads, far transfers, task switch and
 * SYSCALL/SYSENTER on a flat-memory harness, checked against Intel SDM 3A. */
#include "test-x86-harness.h"
#include "cpu/x86/seg_helper.h"

#define GDT 0x1000
#define IDT 0x2000
#define TSS 0x3000
#define TSS2 0x4000
#define LDT 0x6000

enum { SEL_CODE0 = 0x08, SEL_DATA0 = 0x10, SEL_CODE3 = 0x1b, SEL_DATA3 = 0x23, SEL_TSS = 0x28,
       SEL_GATE = 0x33, SEL_NP = 0x38, SEL_CODE64 = 0x40, SEL_CODE64_3 = 0x4b, SEL_TSS2 = 0x50,
       SEL_LDT = 0x58, SEL_TSS64 = 0x68, SEL_CODE16 = 0x78 };

static void gdt_set(unsigned sel, uint64_t d) { wr(GDT + (sel & ~7u), d, 8); }

static void idt_gate32(int vec, uint32_t sel, uint32_t off, int type, int dpl)
{
    uint32_t e1 = (sel << 16) | (off & 0xffff);
    uint32_t e2 = (off & 0xffff0000) | DESC_P | ((uint32_t)dpl << DESC_DPL_SHIFT) | ((uint32_t)type << 8);
    wr(IDT + 8 * vec, e1 | ((uint64_t)e2 << 32), 8);
}

static void idt_gate64(int vec, uint32_t sel, uint64_t off, int type, int dpl, int ist)
{
    uint32_t e1 = (sel << 16) | (off & 0xffff);
    uint32_t e2 = ((uint32_t)off & 0xffff0000) | DESC_P | ((uint32_t)dpl << DESC_DPL_SHIFT) |
                  ((uint32_t)type << 8) | (uint32_t)ist;
    wr(IDT + 16 * vec, e1 | ((uint64_t)e2 << 32), 8);
    wr(IDT + 16 * vec + 8, off >> 32, 8);
}

static void load_seg_direct(int seg, uint32_t sel)
{
    uint64_t d = rd(GDT + (sel & ~7u), 8);
    x86_load_seg_cache(tenv, seg, sel, (uint32_t)d, (uint32_t)(d >> 32));
}

/* 32-bit protected mode with flat segments at CPL `cpl`, a TSS with ESP0 = 0x90000. */
static void setup_pm(int cpl)
{
    harness_init();
    gdt_set(SEL_CODE0, mkdesc(0, 0xfffff, CODE32(0)));
    gdt_set(SEL_DATA0, mkdesc(0, 0xfffff, DATA32(0)));
    gdt_set(SEL_CODE3, mkdesc(0, 0xfffff, CODE32(3)));
    gdt_set(SEL_DATA3, mkdesc(0, 0xfffff, DATA32(3)));
    gdt_set(SEL_TSS, mkdesc(TSS, 0x68 + 8192, DESC_P | (9u << 8)));
    gdt_set(SEL_NP, mkdesc(0, 0xfffff, DATA32(3) & ~DESC_P));
    gdt_set(SEL_TSS2, mkdesc(TSS2, 0x67, DESC_P | (9u << 8)));
    gdt_set(SEL_LDT, mkdesc(LDT, 0xff, DESC_P | (2u << 8)));
    gdt_set(SEL_CODE16, mkdesc(0x10000, 0xffff, DESC_P | DESC_S | DESC_CS_MASK | DESC_R_MASK));
    /* Call gate (32-bit, DPL 3, 2 parameters) to CODE0:0x5000. */
    wr(GDT + 0x30, ((uint64_t)(0 | (DESC_P | (3u << DESC_DPL_SHIFT) | (12u << 8) | 2)) << 32) |
                   (SEL_CODE0 << 16) | 0x5000, 8);
    wr(TSS + 4, 0x90000, 4);          /* ESP0 */
    wr(TSS + 8, SEL_DATA0, 4);        /* SS0 */
    wr(TSS + 0x66, 0x68, 2);          /* I/O bitmap right after the TSS */
    wr(TSS + 0x68 + 8192, 0xff, 1);   /* terminator byte */
    tenv->gdt.base = GDT;
    tenv->gdt.limit = 0x7f;
    tenv->idt.base = IDT;
    tenv->idt.limit = 0x7ff;
    tenv->cr[0] = CR0_PE | CR0_ET;
    load_seg_direct(R_CS, SEL_CODE0);
    load_seg_direct(R_SS, SEL_DATA0);
    load_seg_direct(R_DS, SEL_DATA0);
    load_seg_direct(R_ES, SEL_DATA0);
    EXPECT_OK(helper_ltr(tenv, SEL_TSS));
    if (cpl == 3) {
        load_seg_direct(R_CS, SEL_CODE3);
        load_seg_direct(R_SS, SEL_DATA3);
        load_seg_direct(R_DS, SEL_DATA3);
        load_seg_direct(R_ES, SEL_DATA3);
    }
    x86_set_eflags(tenv, EFLAGS_FIXED | EFLAGS_IF);
    x86_update_hflags(tenv);
    cr_assert_eq(x86_cpl(tenv), cpl);
    tenv->regs[R_ESP] = 0x80000;
    tenv->rip = 0x1234;
}

Test(x86_seg, real_mode_int_and_iret)
{
    harness_init();
    tenv->idt.base = 0;
    tenv->idt.limit = 0x3ff;
    wr(0x21 * 4, 0x5678, 2);
    wr(0x21 * 4 + 2, 0x1000, 2);
    x86_load_seg_real(tenv, R_CS, 0x2000);
    x86_load_seg_real(tenv, R_SS, 0x3000);
    tenv->regs[R_ESP] = 0x100;
    tenv->rip = 0x10;
    x86_set_eflags(tenv, EFLAGS_FIXED | EFLAGS_IF | EFLAGS_TF | EFLAGS_CF);
    EXPECT_OK(x86_do_interrupt(tenv, 0x21, true, false, 0, 0x12, false));
    cr_assert_eq(tenv->segs[R_CS].selector, 0x1000);
    cr_assert_eq(tenv->segs[R_CS].base, 0x10000);
    cr_assert_eq(tenv->rip, 0x5678);
    cr_assert_eq(tenv->regs[R_ESP], 0xfa);
    cr_assert_eq(rd(0x300fa, 2), 0x12);       /* IP after INT */
    cr_assert_eq(rd(0x300fc, 2), 0x2000);     /* CS */
    cr_assert_eq(rd(0x300fe, 2), EFLAGS_FIXED | EFLAGS_IF | EFLAGS_TF | EFLAGS_CF);
    cr_assert_eq(x86_get_eflags(tenv) & (EFLAGS_IF | EFLAGS_TF), 0);
    EXPECT_OK(helper_iret(tenv, 0, 0));
    cr_assert_eq(tenv->segs[R_CS].selector, 0x2000);
    cr_assert_eq(tenv->rip, 0x12);
    cr_assert_eq(tenv->regs[R_ESP], 0x100);
    cr_assert_eq(x86_get_eflags(tenv), EFLAGS_FIXED | EFLAGS_IF | EFLAGS_TF | EFLAGS_CF);
    /* A vector beyond the IVT limit is #GP(vector * 8 + 2). */
    tenv->idt.limit = 0x83;
    EXPECT_EXC(x86_do_interrupt(tenv, 0x21, true, false, 0, 0x12, false), EXCP_GP, 0x21 * 8 + 2);
}

Test(x86_seg, pm32_interrupt_from_ring3_with_stack_switch_and_iret)
{
    setup_pm(3);
    idt_gate32(EXCP_GP, SEL_CODE0, 0x7000, 14, 0);
    x86_set_eflags(tenv, EFLAGS_FIXED | EFLAGS_IF | EFLAGS_ZF);
    /* A #GP with error code 0x1234 at CPL 3: new stack from TSS.ESP0, 6 dwords pushed. */
    EXPECT_OK(x86_do_interrupt(tenv, EXCP_GP, false, true, 0x1234, 0, false));
    cr_assert_eq(x86_cpl(tenv), 0);
    cr_assert_eq(tenv->segs[R_CS].selector, SEL_CODE0);
    cr_assert_eq(tenv->segs[R_SS].selector, SEL_DATA0);
    cr_assert_eq(tenv->rip, 0x7000);
    cr_assert_eq(tenv->regs[R_ESP], 0x90000 - 24);
    cr_assert_eq(rd(0x90000 - 24, 4), 0x1234);          /* error code */
    cr_assert_eq(rd(0x90000 - 20, 4), 0x1234);          /* EIP of the faulting insn */
    cr_assert_eq(rd(0x90000 - 16, 4), SEL_CODE3);
    cr_assert_eq(rd(0x90000 - 12, 4), EFLAGS_FIXED | EFLAGS_IF | EFLAGS_ZF);
    cr_assert_eq(rd(0x90000 - 8, 4), 0x80000);
    cr_assert_eq(rd(0x90000 - 4, 4), SEL_DATA3);
    cr_assert_eq(tenv->eflags & EFLAGS_IF, 0, "interrupt gate clears IF");
    cr_assert(!tenv->in_delivery);
    /* The handler pops the error code and IRETs back to ring 3. */
    tenv->regs[R_ESP] += 4;
    EXPECT_OK(helper_iret(tenv, 1, 0x7010));
    cr_assert_eq(x86_cpl(tenv), 3);
    cr_assert_eq(tenv->segs[R_CS].selector, SEL_CODE3);
    cr_assert_eq(tenv->segs[R_SS].selector, SEL_DATA3);
    cr_assert_eq(tenv->regs[R_ESP], 0x80000);
    cr_assert_eq(tenv->rip, 0x1234);
    cr_assert_eq(x86_get_eflags(tenv), EFLAGS_FIXED | EFLAGS_IF | EFLAGS_ZF);
}

Test(x86_seg, pm32_software_int_dpl_and_trap_gate)
{
    setup_pm(3);
    idt_gate32(0x80, SEL_CODE0, 0x7100, 15, 3);    /* trap gate, DPL 3 */
    idt_gate32(0x81, SEL_CODE0, 0x7200, 14, 0);    /* DPL 0: INT from ring 3 is #GP */
    idt_gate32(0x82, SEL_CODE0, 0x7300, 14, 3);
    wr(IDT + 8 * 0x82 + 4, rd(IDT + 8 * 0x82 + 4, 4) & ~DESC_P, 4);
    EXPECT_EXC(x86_do_interrupt(tenv, 0x81, true, false, 0, 0x1236, false), EXCP_GP, 0x81 * 8 + 2);
    EXPECT_EXC(x86_do_interrupt(tenv, 0x82, true, false, 0, 0x1236, false), EXCP_NP, 0x82 * 8 + 2);
    /* An external interrupt through the DPL-0 gate is fine, and sets EXT in error codes. */
    EXPECT_OK(x86_do_interrupt(tenv, 0x80, true, false, 0, 0x1236, false));
    cr_assert_eq(tenv->rip, 0x7100);
    cr_assert_eq(rd(tenv->regs[R_ESP], 4), 0x1236, "INT pushes the next EIP");
    cr_assert_neq(tenv->eflags & EFLAGS_IF, 0, "trap gate keeps IF");
    setup_pm(0);
    EXPECT_EXC(x86_do_interrupt(tenv, 0x83, false, false, 0, 0, true), EXCP_GP, 0x83 * 8 + 3);
}

Test(x86_seg, double_and_triple_fault)
{
    setup_pm(0);
    idt_gate32(EXCP_DF, SEL_CODE0, 0x7800, 14, 0);
    /* #GP's gate is not present: delivering #GP raises #NP (contributory) -> #DF(0). */
    EXPECT_EXC(x86_do_interrupt(tenv, EXCP_GP, false, true, 0, 0, false), EXCP_DF, 0);
    EXPECT_OK(x86_deliver_pending(tenv));
    cr_assert_eq(tenv->rip, 0x7800);
    cr_assert_eq(rd(tenv->regs[R_ESP], 4), 0, "#DF pushes error code 0");
    /* #PF then #GP during delivery is #DF; benign #DB during #GP delivery is not. */
    setup_pm(0);
    idt_gate32(EXCP_PF, SEL_CODE0, 0x7000, 14, 0);
    wr(IDT + 8 * EXCP_PF, rd(IDT + 8 * EXCP_PF, 4) & 0xffff, 4);   /* null selector: #GP(0) */
    EXPECT_EXC(x86_do_interrupt(tenv, EXCP_PF, false, true, 2, 0, false), EXCP_DF, 0);
    tenv->in_delivery = true;
    tenv->delivery_vector = EXCP_GP;
    EXPECT_EXC(x86_raise_exception(tenv, EXCP_DB), EXCP_DB, -1);
    tenv->in_delivery = true;
    tenv->delivery_vector = EXCP_DE;
    EXPECT_EXC(x86_raise_exception_err(tenv, EXCP_PF, 0), EXCP_PF, 0);
    /* No #DF handler: the fault while delivering #DF is a triple fault (shutdown). */
    setup_pm(0);
    EXPECT_EXC(x86_do_interrupt(tenv, EXCP_GP, false, true, 0, 0, false), EXCP_DF, 0);
    volatile bool left;
    RUN_CATCH(x86_deliver_pending(tenv), left);
    cr_assert(left);
    cr_assert(tenv->triple_fault);
    cr_assert_eq(tenv->exception_pending, -1);
}

Test(x86_seg, load_seg_checks)
{
    setup_pm(3);
    EXPECT_OK(helper_load_seg(tenv, R_DS, SEL_DATA3));
    EXPECT_OK(helper_load_seg(tenv, R_ES, 0));                      /* null: allowed */
    cr_assert_eq(tenv->segs[R_ES].flags & DESC_P, 0);
    EXPECT_EXC(helper_load_seg(tenv, R_SS, 0), EXCP_GP, 0);
    EXPECT_EXC(helper_load_seg(tenv, R_DS, SEL_DATA0), EXCP_GP, SEL_DATA0);   /* DPL 0 < CPL */
    EXPECT_EXC(helper_load_seg(tenv, R_DS, 0x400), EXCP_GP, 0x400);           /* beyond limit */
    EXPECT_EXC(helper_load_seg(tenv, R_DS, SEL_NP | 3), EXCP_NP, SEL_NP);
    EXPECT_EXC(helper_load_seg(tenv, R_SS, SEL_NP | 3), EXCP_SS, SEL_NP);
    EXPECT_EXC(helper_load_seg(tenv, R_SS, SEL_CODE3), EXCP_GP, SEL_CODE3 & 0xfffc);
    EXPECT_EXC(helper_load_seg(tenv, R_SS, SEL_DATA3 & ~3), EXCP_GP, SEL_DATA3 & 0xfffc); /* RPL */
    EXPECT_EXC(helper_load_seg(tenv, R_DS, SEL_TSS | 3), EXCP_GP, SEL_TSS);   /* system */
    EXPECT_EXC(helper_load_seg(tenv, R_DS, 0x0c | 3), EXCP_GP, 0x0c);         /* no LDT */
    /* The accessed bit is set in the GDT on load. */
    gdt_set(SEL_DATA3, mkdesc(0x1000, 0xfff, DATA32(3) & ~DESC_G));
    EXPECT_OK(helper_load_seg(tenv, R_FS, SEL_DATA3));
    cr_assert_neq(rd(GDT + 0x24, 4) & DESC_A, 0);
    cr_assert_eq(tenv->segs[R_FS].base, 0x1000);
    cr_assert_eq(tenv->segs[R_FS].limit, 0xfff);
    /* LDT-relative selector after LLDT. */
    setup_pm(0);
    wr(LDT + 8, mkdesc(0x2222, 0xff, DATA32(0) & ~DESC_G), 8);
    EXPECT_OK(helper_lldt(tenv, SEL_LDT));
    EXPECT_OK(helper_load_seg(tenv, R_GS, 0x0c));
    cr_assert_eq(tenv->segs[R_GS].base, 0x2222);
    EXPECT_EXC(helper_lldt(tenv, SEL_TSS), EXCP_GP, SEL_TSS);
    EXPECT_EXC(helper_ltr(tenv, SEL_TSS), EXCP_GP, SEL_TSS);    /* already busy */
    cr_assert_eq((rd(GDT + SEL_TSS + 4, 4) >> 8) & 15, 11, "LTR marks the TSS busy");
}

Test(x86_seg, call_gate_with_params_and_lret)
{
    setup_pm(3);
    tenv->regs[R_ESP] = 0x80000 - 8;
    wr(0x80000 - 8, 0x11111111, 4);   /* param 1 (pushed last) */
    wr(0x80000 - 4, 0x22222222, 4);   /* param 2 */
    EXPECT_OK(helper_lcall(tenv, SEL_GATE, 0, 1, 0x1240));
    cr_assert_eq(x86_cpl(tenv), 0);
    cr_assert_eq(tenv->rip, 0x5000);
    cr_assert_eq(tenv->segs[R_SS].selector, SEL_DATA0);
    uint32_t sp = (uint32_t)tenv->regs[R_ESP];
    cr_assert_eq(sp, 0x90000 - 24);
    cr_assert_eq(rd(sp, 4), 0x1240);
    cr_assert_eq(rd(sp + 4, 4), SEL_CODE3);
    cr_assert_eq(rd(sp + 8, 4), 0x11111111);
    cr_assert_eq(rd(sp + 12, 4), 0x22222222);
    cr_assert_eq(rd(sp + 16, 4), 0x80000 - 8);
    cr_assert_eq(rd(sp + 20, 4), SEL_DATA3);
    /* RET 8 back to ring 3: pops params on both stacks; DS (DPL 0) is nulled. */
    load_seg_direct(R_DS, SEL_DATA0);
    EXPECT_OK(helper_lret(tenv, 1, 8));
    cr_assert_eq(x86_cpl(tenv), 3);
    cr_assert_eq(tenv->rip, 0x1240);
    cr_assert_eq(tenv->regs[R_ESP], 0x80000);
    cr_assert_eq(tenv->segs[R_DS].selector, 0);
    cr_assert_eq(tenv->segs[R_ES].selector, SEL_DATA3);
    /* Direct far call to a DPL-0 non-conforming segment from ring 3: #GP(sel). */
    EXPECT_EXC(helper_lcall(tenv, SEL_CODE0, 0x100, 1, 0x1250), EXCP_GP, SEL_CODE0);
    EXPECT_EXC(helper_ljmp(tenv, SEL_CODE0, 0x100, 0x1250), EXCP_GP, SEL_CODE0);
    /* JMP through the call gate to a more privileged segment is #GP(code selector). */
    EXPECT_EXC(helper_ljmp(tenv, SEL_GATE, 0, 0x1250), EXCP_GP, SEL_CODE0);
    /* Same-privilege far call and return in ring 0, with a 16-bit target. */
    setup_pm(0);
    EXPECT_OK(helper_lcall(tenv, SEL_CODE16, 0x20, 1, 0x1238));
    cr_assert_eq(tenv->segs[R_CS].base, 0x10000);
    cr_assert_eq(tenv->hflags & HF_CS32, 0);
    EXPECT_OK(helper_lret(tenv, 1, 0));
    cr_assert_eq(tenv->rip, 0x1238);
    cr_assert_neq(tenv->hflags & HF_CS32, 0);
    EXPECT_EXC(helper_ljmp(tenv, SEL_CODE16, 0x10000, 0), EXCP_GP, 0);  /* beyond the limit */
}

Test(x86_seg, lar_lsl_verr_verw)
{
    setup_pm(3);
    uint64_t v = helper_lar(tenv, SEL_DATA3, 7);
    cr_assert_neq(x86_cc_compute(tenv) & EFLAGS_ZF, 0);
    cr_assert_eq(v, (DATA32(3) | DESC_A) & 0x00f0ff00 & ~DESC_A);
    v = helper_lsl(tenv, SEL_CODE3, 7);
    cr_assert_eq(v, 0xffffffff);
    v = helper_lar(tenv, SEL_DATA0, 7);     /* DPL 0 not visible from ring 3 */
    cr_assert_eq(v, 7);
    cr_assert_eq(x86_cc_compute(tenv) & EFLAGS_ZF, 0);
    helper_verr(tenv, SEL_CODE3);
    cr_assert_neq(x86_cc_compute(tenv) & EFLAGS_ZF, 0);
    helper_verw(tenv, SEL_CODE3);
    cr_assert_eq(x86_cc_compute(tenv) & EFLAGS_ZF, 0);
    helper_verw(tenv, SEL_DATA3);
    cr_assert_neq(x86_cc_compute(tenv) & EFLAGS_ZF, 0);
    helper_verr(tenv, 0);
    cr_assert_eq(x86_cc_compute(tenv) & EFLAGS_ZF, 0);
    setup_pm(0);
    v = helper_lsl(tenv, SEL_TSS, 0);
    cr_assert_eq(v, 0x68 + 8192);
    v = helper_lar(tenv, SEL_GATE, 0);       /* call gates: LAR yes, LSL no */
    cr_assert_neq(x86_cc_compute(tenv) & EFLAGS_ZF, 0);
    helper_lsl(tenv, SEL_GATE, 0);
    cr_assert_eq(x86_cc_compute(tenv) & EFLAGS_ZF, 0);
}

Test(x86_seg, long_mode_interrupt_ist_and_iretq)
{
    setup_pm(3);
    gdt_set(SEL_CODE64, mkdesc(0, 0xfffff, CODE64(0)));
    gdt_set(SEL_CODE64_3, mkdesc(0, 0xfffff, CODE64(3)));
    /* 64-bit TSS: 16-byte descriptor at 0x68. */
    wr(GDT + 0x68, mkdesc(0x3800, 0x67, DESC_P | (9u << 8)), 8);
    wr(GDT + 0x70, 0, 8);
    wr(0x3800 + 4, 0x200000, 8);      /* RSP0 */
    wr(0x3800 + 36 + 8, 0x300008, 8);  /* IST2, misaligned on purpose */
    tenv->efer = EFER_LME | EFER_LMA;
    tenv->cr[4] = CR4_PAE;
    tenv->cr[0] |= CR0_PG;
    load_seg_direct(R_CS, SEL_CODE0);
    load_seg_direct(R_SS, SEL_DATA0);
    EXPECT_OK(helper_ltr(tenv, SEL_TSS64));
    cr_assert_eq(tenv->tr.base, 0x3800);
    tenv->idt.limit = 0xfff;
    idt_gate64(0x40, SEL_CODE64, 0xffffffff80001000ULL, 14, 3, 0);
    idt_gate64(EXCP_NMI, SEL_CODE64, 0x2000, 14, 0, 2);
    load_seg_direct(R_CS, SEL_CODE64_3);
    load_seg_direct(R_SS, SEL_DATA3);
    x86_update_hflags(tenv);
    cr_assert(tenv->hflags & HF_CS64);
    tenv->regs[R_ESP] = 0x7fff0123;
    tenv->rip = 0x400000;
    EXPECT_OK(x86_do_interrupt(tenv, 0x40, true, false, 0, 0x400002, false));
    cr_assert_eq(tenv->rip, 0xffffffff80001000ULL);
    cr_assert_eq(x86_cpl(tenv), 0);
    cr_assert_eq(tenv->segs[R_SS].selector, 0, "null SS with RPL 0");
    cr_assert_eq(tenv->regs[R_ESP], 0x200000 - 40);
    cr_assert_eq(rd(0x200000 - 40, 8), 0x400002);
    cr_assert_eq(rd(0x200000 - 32, 8), SEL_CODE64_3);
    cr_assert_eq(rd(0x200000 - 16, 8), 0x7fff0123);
    cr_assert_eq(rd(0x200000 - 8, 8), SEL_DATA3);
    /* NMI through IST2 at CPL 0: the stack is the IST one, aligned to 16. */
    EXPECT_OK(x86_do_interrupt(tenv, EXCP_NMI, false, false, 0, 0, true));
    cr_assert_eq(tenv->regs[R_ESP], 0x300000 - 40);
    cr_assert(tenv->nmi_blocked);
    EXPECT_OK(helper_iret(tenv, 2, 0));
    cr_assert(!tenv->nmi_blocked);
    cr_assert_eq(tenv->regs[R_ESP], 0x200000 - 40);
    cr_assert_eq(tenv->rip, 0xffffffff80001000ULL);
    /* IRETQ back to ring 3. */
    EXPECT_OK(helper_iret(tenv, 2, 0));
    cr_assert_eq(x86_cpl(tenv), 3);
    cr_assert_eq(tenv->rip, 0x400002);
    cr_assert_eq(tenv->regs[R_ESP], 0x7fff0123);
    cr_assert(tenv->hflags & HF_CS64);
    /* A 32-bit gate type in long mode is #GP. */
    idt_gate32(0x41 * 2, SEL_CODE64, 0x1000, 14, 3);   /* low half of vector 0x41's 16 bytes */
    wr(IDT + 16 * 0x41 + 4, rd(IDT + 16 * 0x41 + 4, 4) & ~(8u << 8), 4);
    EXPECT_EXC(x86_do_interrupt(tenv, 0x41, true, false, 0, 0, false), EXCP_GP, 0x41 * 8 + 2);
}

Test(x86_seg, vm86_interrupt_and_iret)
{
    setup_pm(0);
    idt_gate32(0x0d, SEL_CODE0, 0x7000, 14, 0);
    /* IRET from ring 0 into virtual-8086 mode. */
    uint32_t sp = 0x90000 - 36;
    uint32_t frame[9] = { 0x100, 0x2000, EFLAGS_FIXED | EFLAGS_VM | EFLAGS_IF, 0xfffe, 0x3000,
                          0x4000, 0x5000, 0x6000, 0x7000 };
    for (int i = 0; i < 9; i++)
        wr(sp + 4 * i, frame[i], 4);
    tenv->regs[R_ESP] = sp;
    EXPECT_OK(helper_iret(tenv, 1, 0));
    cr_assert(tenv->eflags & EFLAGS_VM);
    cr_assert_eq(x86_cpl(tenv), 3);
    cr_assert_eq(tenv->segs[R_CS].base, 0x20000);
    cr_assert_eq(tenv->segs[R_SS].base, 0x30000);
    cr_assert_eq(tenv->segs[R_GS].selector, 0x7000);
    cr_assert_eq(tenv->rip, 0x100);
    cr_assert_eq(tenv->regs[R_ESP], 0xfffe);
    /* A #GP in v86 mode goes to ring 0 and saves all four data segments. */
    EXPECT_OK(x86_do_interrupt(tenv, EXCP_GP, false, true, 0, 0, false));
    cr_assert_eq(tenv->eflags & EFLAGS_VM, 0);
    cr_assert_eq(x86_cpl(tenv), 0);
    cr_assert_eq(tenv->regs[R_ESP], 0x90000 - 40);
    cr_assert_eq(rd(0x90000 - 4, 4), 0x7000);    /* GS */
    cr_assert_eq(rd(0x90000 - 16, 4), 0x4000);   /* ES */
    cr_assert_eq(rd(0x90000 - 20, 4), 0x3000);   /* SS */
    cr_assert_eq(tenv->segs[R_DS].selector, 0);
    /* INT n in v86 with IOPL < 3 is #GP(0). */
    tenv->regs[R_ESP] += 4;
    EXPECT_OK(helper_iret(tenv, 1, 0));
    EXPECT_EXC(x86_do_interrupt(tenv, 0x21, true, false, 0, 0x102, false), EXCP_GP, 0);
}

Test(x86_seg, task_switch_jmp_and_call_iret)
{
    setup_pm(0);
    /* Incoming task state. */
    wr(TSS2 + 32, 0xabc, 4);                              /* EIP */
    wr(TSS2 + 36, EFLAGS_FIXED | EFLAGS_CF, 4);
    for (int i = 0; i < 8; i++)
        wr(TSS2 + 40 + 4 * i, 0x100 + i, 4);
    wr(TSS2 + 72, SEL_DATA0, 2);
    wr(TSS2 + 76, SEL_CODE0, 2);
    wr(TSS2 + 80, SEL_DATA0, 2);
    wr(TSS2 + 84, SEL_DATA0, 2);
    tenv->regs[R_EAX] = 0xaaaa;
    EXPECT_OK(helper_lcall(tenv, SEL_TSS2, 0, 1, 0x1240));
    cr_assert_eq(tenv->tr.selector, SEL_TSS2);
    cr_assert_eq(tenv->rip, 0xabc);
    cr_assert_eq(tenv->regs[R_EBX], 0x103);
    cr_assert(tenv->eflags & EFLAGS_NT);
    cr_assert(tenv->cr[0] & CR0_TS);
    cr_assert_eq(rd(TSS2, 2), SEL_TSS, "back link");
    cr_assert_eq(rd(TSS + 32, 4), 0x1240, "old EIP saved");
    cr_assert_eq(rd(TSS + 40, 4), 0xaaaa, "old EAX saved");
    cr_assert_eq((rd(GDT + SEL_TSS2 + 4, 4) >> 8) & 15, 11);
    cr_assert_eq((rd(GDT + SEL_TSS + 4, 4) >> 8) & 15, 11, "CALL keeps the old task busy");
    /* IRET with NT returns to the old task and frees the new one. */
    EXPECT_OK(helper_iret(tenv, 1, 0xac0));
    cr_assert_eq(tenv->tr.selector, SEL_TSS);
    cr_assert_eq(tenv->rip, 0x1240);
    cr_assert_eq(tenv->regs[R_EAX], 0xaaaa);
    cr_assert_eq((rd(GDT + SEL_TSS2 + 4, 4) >> 8) & 15, 9);
    /* A JMP to a busy TSS is #GP(sel). */
    EXPECT_EXC(helper_ljmp(tenv, SEL_TSS, 0, 0), EXCP_GP, SEL_TSS);
    /* A task whose CS is null faults with #TS in the new task. */
    wr(TSS2 + 76, 0, 2);
    EXPECT_EXC(helper_ljmp(tenv, SEL_TSS2, 0, 0x1250), EXCP_TS, 0);
}

Test(x86_seg, syscall_sysret_sysenter_sysexit)
{
    setup_pm(3);
    gdt_set(SEL_CODE64, mkdesc(0, 0xfffff, CODE64(0)));
    tenv->efer = EFER_LME | EFER_LMA | EFER_SCE;
    tenv->cr[0] |= CR0_PG;
    tenv->cr[4] = CR4_PAE;
    tenv->star = ((uint64_t)0x23 << 48) | ((uint64_t)0x08 << 32);   /* Linux-like layout */
    tenv->lstar = 0xffffffff81000000ULL;
    tenv->fmask = EFLAGS_IF | EFLAGS_TF;
    load_seg_direct(R_CS, SEL_CODE64_3);
    gdt_set(SEL_CODE64_3, mkdesc(0, 0xfffff, CODE64(3)));
    load_seg_direct(R_CS, SEL_CODE64_3);
    x86_set_eflags(tenv, EFLAGS_FIXED | EFLAGS_IF | EFLAGS_CF);
    x86_update_hflags(tenv);
    EXPECT_OK(helper_syscall(tenv, 0x401000));
    cr_assert_eq(tenv->rip, 0xffffffff81000000ULL);
    cr_assert_eq(tenv->regs[R_ECX], 0x401000);
    cr_assert_eq(tenv->regs[R_R11], EFLAGS_FIXED | EFLAGS_IF | EFLAGS_CF);
    cr_assert_eq(x86_cpl(tenv), 0);
    cr_assert_eq(tenv->segs[R_CS].selector, 0x08);
    cr_assert_eq(tenv->segs[R_SS].selector, 0x10);
    cr_assert_eq(tenv->eflags & EFLAGS_IF, 0);
    cr_assert(tenv->hflags & HF_CS64);
    EXPECT_OK(helper_sysret(tenv, 2));
    cr_assert_eq(tenv->rip, 0x401000);
    cr_assert_eq(tenv->segs[R_CS].selector, 0x33);
    cr_assert_eq(tenv->segs[R_SS].selector, 0x2b);
    cr_assert_eq(x86_cpl(tenv), 3);
    cr_assert_neq(tenv->eflags & EFLAGS_IF, 0);
    EXPECT_EXC(helper_sysret(tenv, 2), EXCP_GP, 0);            /* CPL 3 */
    tenv->efer &= ~(uint64_t)EFER_SCE;
    EXPECT_EXC(helper_syscall(tenv, 0), EXCP_UD, -1);
    /* SYSENTER/SYSEXIT in 32-bit protected mode. */
    setup_pm(3);
    EXPECT_EXC(helper_sysenter(tenv), EXCP_GP, 0);              /* SYSENTER_CS = 0 */
    tenv->sysenter_cs = 0x08;
    tenv->sysenter_esp = 0x9000;
    tenv->sysenter_eip = 0xc0001000;
    EXPECT_OK(helper_sysenter(tenv));
    cr_assert_eq(x86_cpl(tenv), 0);
    cr_assert_eq(tenv->rip, 0xc0001000);
    cr_assert_eq(tenv->regs[R_ESP], 0x9000);
    cr_assert_eq(tenv->segs[R_SS].selector, 0x10);
    tenv->regs[R_ECX] = 0xbfff0000;
    tenv->regs[R_EDX] = 0x8048000;
    EXPECT_OK(helper_sysexit(tenv, 1));
    cr_assert_eq(x86_cpl(tenv), 3);
    cr_assert_eq(tenv->segs[R_CS].selector, 0x1b);
    cr_assert_eq(tenv->segs[R_SS].selector, 0x23);
    cr_assert_eq(tenv->rip, 0x8048000);
    cr_assert_eq(tenv->regs[R_ESP], 0xbfff0000);
}

Test(x86_seg, io_permission_bitmap)
{
    setup_pm(3);
    /* IOPL 0 at CPL 3: the bitmap decides. All zero = allowed, except where set. */
    EXPECT_OK(helper_check_io(tenv, 0x3f8, 1));
    wr(TSS + 0x68 + (0x3f9 >> 3), 1u << (0x3f9 & 7), 1);
    EXPECT_OK(helper_check_io(tenv, 0x3f8, 1));
    EXPECT_EXC(helper_check_io(tenv, 0x3f8, 2), EXCP_GP, 0);
    EXPECT_EXC(helper_check_io(tenv, 0x3f9, 1), EXCP_GP, 0);
    EXPECT_OK(helper_check_io(tenv, 0xfffc, 4));
    /* Beyond the TSS limit is #GP. */
    tenv->tr.limit = 0x68 + 0x10;
    EXPECT_EXC(helper_check_io(tenv, 0x100, 1), EXCP_GP, 0);
    x86_set_eflags(tenv, EFLAGS_FIXED | EFLAGS_IOPL);
    EXPECT_OK(helper_check_io(tenv, 0x100, 1));
}

Test(x86_seg, control_registers_and_msrs)
{
    setup_pm(0);
    int f0 = tflushes;
    EXPECT_EXC(helper_write_crN(tenv, 0, CR0_PG | CR0_ET), EXCP_GP, 0);   /* PG without PE */
    EXPECT_EXC(helper_write_crN(tenv, 4, CR4_LA57), EXCP_GP, 0);          /* not implemented */
    EXPECT_EXC(helper_write_crN(tenv, 4, CR4_PCIDE), EXCP_GP, 0);
    /* Enter long mode: EFER.LME, CR4.PAE, then CR0.PG sets EFER.LMA. */
    tenv->regs[R_ECX] = MSR_EFER;
    tenv->regs[R_EAX] = EFER_LME | EFER_SCE;
    tenv->regs[R_EDX] = 0;
    EXPECT_OK(helper_wrmsr(tenv));
    EXPECT_EXC(helper_write_crN(tenv, 0, CR0_PG | CR0_PE | CR0_ET), EXCP_GP, 0);   /* no PAE */
    EXPECT_OK(helper_write_crN(tenv, 4, CR4_PAE));
    EXPECT_OK(helper_write_crN(tenv, 3, 0x100000));
    EXPECT_OK(helper_write_crN(tenv, 0, CR0_PG | CR0_PE));
    cr_assert(tenv->efer & EFER_LMA);
    cr_assert(tenv->hflags & HF_LMA);
    cr_assert_eq(helper_read_crN(tenv, 0), CR0_PG | CR0_PE | CR0_ET);
    cr_assert_gt(tflushes, f0);
    EXPECT_EXC(helper_write_crN(tenv, 4, 0), EXCP_GP, 0);   /* PAE cannot go in long mode */
    EXPECT_OK(helper_wrmsr(tenv));                          /* rewriting the same value is fine */
    tenv->regs[R_EAX] = EFER_SCE;                           /* clearing LME under PG: #GP */
    EXPECT_EXC(helper_wrmsr(tenv), EXCP_GP, 0);
    tenv->regs[R_ECX] = MSR_EFER;
    EXPECT_OK(helper_rdmsr(tenv));
    cr_assert_eq(tenv->regs[R_EAX], EFER_LME | EFER_LMA | EFER_SCE);
    /* Canonical checks and unknown MSRs. */
    tenv->regs[R_ECX] = MSR_LSTAR;
    tenv->regs[R_EAX] = 0;
    tenv->regs[R_EDX] = 0x00008000;
    EXPECT_EXC(helper_wrmsr(tenv), EXCP_GP, 0);
    tenv->regs[R_EDX] = 0xffff8000;
    EXPECT_OK(helper_wrmsr(tenv));
    cr_assert_eq(tenv->lstar, 0xffff800000000000ULL);
    tenv->regs[R_ECX] = 0x12345;
    EXPECT_EXC(helper_rdmsr(tenv), EXCP_GP, 0);
    uint64_t v;
    cr_assert(x86_msr_read(tenv, MSR_MTRRcap, &v));
    cr_assert_eq(v, 0x508);
    cr_assert(!x86_msr_write(tenv, MSR_IA32_PAT, 0x0202020202020202ULL));   /* type 2 invalid */
    cr_assert(x86_msr_write(tenv, MSR_MTRRphysBase0 + 3, 0xff0000800ULL));
    cr_assert(x86_msr_read(tenv, MSR_MTRRphysBase0 + 3, &v));
    cr_assert_eq(v, 0xff0000800ULL);
    cr_assert(x86_msr_write(tenv, MSR_FSBASE, 0x7fff12345000ULL));
    cr_assert_eq(tenv->segs[R_FS].base, 0x7fff12345000ULL);
    /* TSC write sets the offset so that the guest reads back (about) what it wrote. */
    cr_assert(x86_msr_write(tenv, MSR_IA32_TSC, 1ULL << 50));
    cr_assert(x86_msr_read(tenv, MSR_IA32_TSC, &v));
    cr_assert(v >= (1ULL << 50) && v < (1ULL << 50) + 1000000000ULL);
    /* DR4 aliases DR6 unless CR4.DE. */
    EXPECT_OK(helper_write_drN(tenv, 4, 0));
    cr_assert_eq(helper_read_drN(tenv, 6), 0xffff0ff0);
    /* Ring 3 may not RDMSR; CR4.TSD makes RDTSC privileged. */
    setup_pm(3);
    tenv->regs[R_ECX] = MSR_EFER;
    EXPECT_EXC(helper_rdmsr(tenv), EXCP_GP, 0);
    EXPECT_OK(helper_rdtsc(tenv));
    tenv->cr[4] |= CR4_TSD;
    EXPECT_EXC(helper_rdtsc(tenv), EXCP_GP, 0);
    EXPECT_EXC(helper_hlt(tenv, 0), EXCP_GP, 0);
}

Test(x86_seg, ext_bit_in_delivery_faults)
{
    setup_pm(0);
    /* The #PF gate names a non-present code segment: #NP(selector | EXT). */
    idt_gate32(EXCP_PF, SEL_NP & ~3, 0x7000, 14, 0);
    gdt_set(SEL_NP, mkdesc(0, 0xfffff, CODE32(0) & ~DESC_P));
    EXPECT_EXC(x86_do_interrupt(tenv, EXCP_PF, false, true, 0, 0, false), EXCP_DF, 0);
    setup_pm(0);
    idt_gate32(0x30, SEL_NP & ~3, 0x7000, 14, 3);
    gdt_set(SEL_NP, mkdesc(0, 0xfffff, CODE32(0) & ~DESC_P));
    EXPECT_EXC(x86_do_interrupt(tenv, 0x30, false, false, 0, 0, true), EXCP_NP, (SEL_NP & ~3) | 1);
    EXPECT_EXC(x86_do_interrupt(tenv, 0x30, true, false, 0, 0x1236, false), EXCP_NP, SEL_NP & ~3);
}
