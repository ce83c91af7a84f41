/* test-apic.c: local APIC and I/O APIC through their MMIO registers, with the 8259 on LINT0. */
#include <criterion/criterion.h>
#include "tests/unit/hwtest.h"
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "hw/intc/i8259.h"
#include "hw/pc/pc.h"
#include "cpu/x86/helper.h"
#include <time.h>   /* after clock.h: it defines CLOCK_REALTIME */

static APICState *lapic;
static IOAPICState *io;
static I8259State *pic;
#define INTR (hwt_line[20])
#define LAPIC(off) (APIC_DEFAULT_BASE + (off))

static void wr(uint64_t a, uint32_t v) { address_space_st(&hwt_mem_as, a, v, 4); }
static uint32_t rd(uint64_t a) { return address_space_ld(&hwt_mem_as, a, 4, NULL); }

static void io_wr(uint8_t reg, uint32_t v) { wr(IOAPIC_DEFAULT_BASE, reg); wr(IOAPIC_DEFAULT_BASE + 0x10, v); }
static uint32_t io_rd(uint8_t reg) { wr(IOAPIC_DEFAULT_BASE, reg); return rd(IOAPIC_DEFAULT_BASE + 0x10); }

static void setup(void)
{
    hwt_board_init(1 * MiB);
    clock_virtual_stop();
    lapic = apic_create(0, &hwt_lines[20], NULL);
    cr_assert_not_null(lapic);
    io = ioapic_create(NULL);
    cr_assert_not_null(io);
    pic = i8259_create(&lapic->lint[0], NULL);
    lapic->extint_ack = i8259_get_vector;
    lapic->extint_opaque = pic;
    outb(0x20, 0x11); outb(0x21, 0x08); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0x21, 0x00);
}

TestSuite(apic, .init = setup);

static void apic_enable(void) { wr(LAPIC(0xf0), 0x1ff); }

Test(apic, registers_after_reset)
{
    cr_assert_eq(rd(LAPIC(0x20)), 0);
    cr_assert_eq(rd(LAPIC(0x30)) & 0xff, 0x14);
    cr_assert_eq(rd(LAPIC(0xf0)), 0xff, "software disabled, spurious vector 0xff");
    cr_assert_eq(rd(LAPIC(0x350)), 0x700, "BSP LINT0 is ExtINT");
    cr_assert_eq(rd(LAPIC(0x320)), APIC_LVT_MASKED);
    cr_assert_eq(apic_get_base(lapic), APIC_DEFAULT_BASE | MSR_APICBASE_ENABLE | MSR_APICBASE_BSP);
    cr_assert_eq(io_rd(1), 0x00170020, "24 pins, version 0x20");
    cr_assert_eq(io_rd(0x10), (uint32_t)(1u << 16), "entries start masked");
}

Test(apic, extint_virtual_wire)
{
    irq_raise(&pic->inputs[3]);
    cr_assert_eq(INTR, 1, "PIC reaches the CPU through LINT0");
    cr_assert_eq(apic_get_vector(lapic), 0x0b);
    cr_assert_eq(INTR, 0);
    outb(0x20, 0x20);
    /* Masking LINT0 cuts the PIC off; a globally disabled APIC passes it straight through. */
    apic_enable();
    wr(LAPIC(0x350), 0x10700);
    irq_lower(&pic->inputs[3]);
    irq_raise(&pic->inputs[3]);
    cr_assert_eq(INTR, 0);
    apic_set_base(lapic, APIC_DEFAULT_BASE);
    cr_assert_eq(INTR, 1);
}

Test(apic, ioapic_edge_delivery_and_eoi)
{
    apic_enable();
    io_wr(0x10 + 2 * 4, 0x34);           /* pin 4: vector 0x34, fixed, edge, unmasked */
    io_wr(0x11 + 2 * 4, 0);              /* destination APIC 0 */
    irq_raise(&io->inputs[4]);
    cr_assert_eq(INTR, 1);
    cr_assert_eq(rd(LAPIC(0x200 + 0x10 * (0x34 / 32))), 1u << (0x34 % 32), "IRR");
    cr_assert_eq(apic_get_vector(lapic), 0x34);
    cr_assert_eq(rd(LAPIC(0x100 + 0x10 * 1)), 1u << (0x34 % 32), "ISR");
    cr_assert_eq(INTR, 0);
    irq_raise(&io->inputs[4]);
    cr_assert_eq(INTR, 0, "a held edge line does not re-trigger");
    wr(LAPIC(0xb0), 0);                  /* EOI */
    cr_assert_eq(rd(LAPIC(0x110)), 0);
    /* Masked entries drop edges. */
    io_wr(0x10 + 2 * 4, 0x10034);
    irq_lower(&io->inputs[4]);
    irq_raise(&io->inputs[4]);
    cr_assert_eq(INTR, 0);
}

Test(apic, ioapic_level_remote_irr)
{
    apic_enable();
    io_wr(0x10 + 2 * 10, 0x803a);        /* pin 10: vector 0x3a, level */
    irq_raise(&io->inputs[10]);
    cr_assert(io_rd(0x10 + 2 * 10) & (1u << 14), "remote IRR set on delivery");
    cr_assert_eq(apic_get_vector(lapic), 0x3a);
    cr_assert(rd(LAPIC(0x180 + 0x10)) & (1u << (0x3a % 32)), "TMR marks it level");
    wr(LAPIC(0xb0), 0);                  /* EOI broadcasts to the I/O APIC... */
    cr_assert(io_rd(0x10 + 2 * 10) & (1u << 14), "...which re-delivers: the line is still up");
    cr_assert_eq(INTR, 1);
    cr_assert_eq(apic_get_vector(lapic), 0x3a);
    irq_lower(&io->inputs[10]);
    wr(LAPIC(0xb0), 0);
    cr_assert_eq(io_rd(0x10 + 2 * 10) & (1u << 14), 0);
    cr_assert_eq(INTR, 0);
    /* Active-low polarity inverts the PC's active-high line. */
    io_wr(0x10 + 2 * 11, 0xa03b);
    cr_assert_eq(INTR, 1, "low line asserts an active-low pin");
}

Test(apic, priority_tpr_and_spurious)
{
    apic_enable();
    apic_bus_deliver(0, false, APIC_DM_FIXED, 0x45, false);
    apic_bus_deliver(0, false, APIC_DM_FIXED, 0x91, false);
    wr(LAPIC(0x80), 0x90);               /* TPR class 9 blocks 0x91 (equal class) and 0x45 */
    cr_assert_eq(INTR, 0);
    cr_assert_eq(apic_get_tpr(lapic), 9, "CR8 view");
    cr_assert_eq(apic_get_vector(lapic), 0xff, "spurious vector");
    apic_set_tpr(lapic, 0);
    cr_assert_eq(apic_get_vector(lapic), 0x91, "highest first");
    cr_assert_eq(rd(LAPIC(0xa0)), 0x90, "PPR follows the ISR");
    cr_assert_eq(INTR, 0, "0x45 waits for 0x91's EOI");
    wr(LAPIC(0xb0), 0);
    cr_assert_eq(apic_get_vector(lapic), 0x45);
    wr(LAPIC(0xf0), 0x1ef);              /* new spurious vector */
    wr(LAPIC(0xb0), 0);
    cr_assert_eq(apic_get_vector(lapic), 0xef);
}

Test(apic, self_ipi_and_illegal_vector)
{
    apic_enable();
    wr(LAPIC(0x300), 0x00040050);        /* shorthand self, fixed, vector 0x50 */
    cr_assert_eq(apic_get_vector(lapic), 0x50);
    wr(LAPIC(0xb0), 0);
    wr(LAPIC(0x310), 0x00000000);
    wr(LAPIC(0x300), 0x00000051);        /* physical destination 0 */
    cr_assert_eq(apic_get_vector(lapic), 0x51);
    wr(LAPIC(0xb0), 0);
    apic_bus_deliver(0, false, APIC_DM_FIXED, 3, false);
    cr_assert(rd(LAPIC(0x280)) & 0x40, "ESR: received illegal vector");
    /* Logical flat destination. */
    wr(LAPIC(0xd0), 0x01000000);
    apic_bus_deliver(0x02, true, APIC_DM_FIXED, 0x60, false);
    cr_assert_eq(INTR, 0, "not in the logical set");
    apic_bus_deliver(0x03, true, APIC_DM_FIXED, 0x60, false);
    cr_assert_eq(INTR, 1);
}

static void run_us(long us)
{
    struct timespec ts = { 0, us * 1000 };
    clock_virtual_start();
    nanosleep(&ts, NULL);
    timers_run_expired();
    clock_virtual_stop();
}

Test(apic, timer_one_shot_and_periodic)
{
    apic_enable();
    wr(LAPIC(0x3e0), 0x3);               /* divide by 16 */
    wr(LAPIC(0x320), 0x40);              /* one-shot, vector 0x40 */
    wr(LAPIC(0x380), 100000);            /* 1.6 ms */
    int64_t t0 = clock_ns(CLOCK_VIRTUAL);
    cr_assert_eq(rd(LAPIC(0x390)), 100000);
    run_us(200);
    uint64_t ticks = (uint64_t)(clock_ns(CLOCK_VIRTUAL) - t0) >> 4;
    cr_assert_eq(rd(LAPIC(0x390)), ticks >= 100000 ? 0 : 100000 - ticks);
    while (clock_ns(CLOCK_VIRTUAL) - t0 < 1600000)
        run_us(1000);
    run_us(10);
    cr_assert_eq(INTR, 1, "timer interrupt");
    cr_assert_eq(apic_get_vector(lapic), 0x40);
    wr(LAPIC(0xb0), 0);
    cr_assert_eq(rd(LAPIC(0x390)), 0, "one-shot stops at 0");
    cr_assert_not(timer_pending(lapic->timer));
    /* Periodic: reloads. */
    wr(LAPIC(0x3e0), 0xb);               /* divide by 1 */
    wr(LAPIC(0x320), 0x20041);
    wr(LAPIC(0x380), 500000);            /* 0.5 ms */
    t0 = clock_ns(CLOCK_VIRTUAL);
    run_us(1200);
    uint64_t el = clock_ns(CLOCK_VIRTUAL) - t0;
    cr_assert_eq(rd(LAPIC(0x390)), 500000 - el % 500000);
    cr_assert(timer_pending(lapic->timer), "periodic re-arms");
    cr_assert_eq(apic_get_vector(lapic), 0x41);
}

Test(apic, timer_tsc_deadline)
{
    apic_enable();
    wr(LAPIC(0x320), 0x40042);           /* TSC-deadline mode, vector 0x42 */
    wr(LAPIC(0x380), 1234);
    cr_assert_eq(rd(LAPIC(0x380)), 0, "initial count ignored in deadline mode");
    apic_set_tsc_deadline(lapic, 1000000 + 500, 1000000, 1000000);   /* 500 us at 1 MHz */
    cr_assert(timer_pending(lapic->timer));
    cr_assert_eq(timer_expire_time(lapic->timer) - clock_ns(CLOCK_VIRTUAL), 500000);
    run_us(1000);
    cr_assert_eq(apic_get_vector(lapic), 0x42);
    apic_set_tsc_deadline(lapic, 5, 0, 1000);
    apic_set_tsc_deadline(lapic, 0, 0, 1000);
    cr_assert_not(timer_pending(lapic->timer), "writing 0 disarms");
}

Test(apic, fuzz_mmio)
{
    uint32_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        uint64_t off = (x >> 8) & 0xffc;
        if (x & 1)
            wr(LAPIC(off), x * 2654435761u);
        else
            (void)rd(LAPIC(off));
        if ((x & 6) == 2)
            io_wr((x >> 20) & 0x3f, x);
        if ((x & 0x70) == 0x10)
            irq_set(&io->inputs[(x >> 12) % 24], (x >> 3) & 1);
        if (INTR)
            (void)apic_get_vector(lapic);
    }
    lapic->dev.cls->reset(&lapic->dev);
    cr_assert_eq(INTR, 0);
}

/* ---- the CPU side (hw/pc/pc.c's glue, cpu/x86's MSRs, CR8 and CPUID) ---- */

static X86CPU cpu;

static void cpu_with_apic(void)
{
    cpu.index = 0;
    cpu.has_apic = true;
    x86_cpu_reset(&cpu);
    pc_cpu_connect_apic(&cpu, lapic);
}

Test(apic, cpu_apic_base_msr)
{
    cpu_with_apic();
    uint64_t v;
    uint32_t a, b, c, d;
    cr_assert(x86_msr_read(&cpu.env, MSR_IA32_APICBASE, &v));
    cr_assert_eq(v, APIC_DEFAULT_BASE | MSR_APICBASE_ENABLE | MSR_APICBASE_BSP);
    x86_cpuid(&cpu.env, 1, 0, &a, &b, &c, &d);
    cr_assert(d & (1u << 9), "CPUID.1:EDX.APIC");
    cr_assert(c & (1u << 24), "CPUID.1:ECX.TSC_DEADLINE");
    cr_assert_not(x86_msr_write(&cpu.env, MSR_IA32_APICBASE, v | (1u << 10)),
                  "x2APIC enable is reserved here: #GP");
    cr_assert_not(x86_msr_write(&cpu.env, MSR_IA32_APICBASE, v | (1ull << 40)),
                  "base above 40 address bits: #GP");
    /* Relocation moves the register page; the BSP flag cannot be written. */
    cr_assert(x86_msr_write(&cpu.env, MSR_IA32_APICBASE, 0x80000000 | MSR_APICBASE_ENABLE));
    cr_assert_eq(apic_get_base(lapic), 0x80000000 | MSR_APICBASE_ENABLE | MSR_APICBASE_BSP);
    cr_assert_eq(rd(0x80000030) & 0xff, 0x14, "version register at the new base");
    /* Global disable: CPUID.APIC goes, and the 8259 reaches INTR directly. */
    cr_assert(x86_msr_write(&cpu.env, MSR_IA32_APICBASE, APIC_DEFAULT_BASE));
    cr_assert_eq(apic_get_base(lapic), APIC_DEFAULT_BASE | MSR_APICBASE_BSP);
    x86_cpuid(&cpu.env, 1, 0, &a, &b, &c, &d);
    cr_assert_not(d & (1u << 9), "a globally disabled APIC is not in CPUID");
    wr(LAPIC(0x350), APIC_LVT_MASKED);
    irq_raise(&pic->inputs[4]);
    cr_assert_eq(INTR, 1);
}

Test(apic, cpu_cr8_is_tpr)
{
    cpu_with_apic();
    apic_enable();
    x86_cpu_set_cr8(&cpu, 5);
    cr_assert_eq(rd(LAPIC(0x80)), 0x50, "CR8 5 is TPR 0x50");
    wr(LAPIC(0x300), (1u << 18) | 0x55);  /* self-IPI, vector 0x55 */
    cr_assert_eq(INTR, 0, "class 5 is not above CR8 5");
    wr(LAPIC(0x300), (1u << 18) | 0x65);
    cr_assert_eq(INTR, 1, "class 6 is");
    cr_assert_eq(apic_get_vector(lapic), 0x65);
    wr(LAPIC(0xb0), 0);
    cr_assert_eq(INTR, 0);
    x86_cpu_set_cr8(&cpu, 4);
    cr_assert_eq(INTR, 1, "lowering CR8 releases 0x55");
    cr_assert_eq(apic_get_vector(lapic), 0x55);
    wr(LAPIC(0x80), 0xa0);
    cr_assert_eq(x86_cpu_get_cr8(&cpu), 0xa, "TPR written through MMIO is CR8");
}

Test(apic, cpu_tsc_deadline_msr)
{
    cpu_with_apic();
    apic_enable();
    uint64_t v;
    cr_assert(x86_msr_write(&cpu.env, MSR_IA32_TSC_DEADLINE, 12345));
    cr_assert(x86_msr_read(&cpu.env, MSR_IA32_TSC_DEADLINE, &v));
    cr_assert_eq(v, 0, "outside TSC-deadline mode writes are ignored, reads 0");
    wr(LAPIC(0x320), 0x40047);
    uint64_t deadline = x86_read_tsc(&cpu.env) + 300000;   /* 300 us at 1 GHz */
    cr_assert(x86_msr_write(&cpu.env, MSR_IA32_TSC_DEADLINE, deadline));
    cr_assert(x86_msr_read(&cpu.env, MSR_IA32_TSC_DEADLINE, &v));
    cr_assert_eq(v, deadline);
    cr_assert_eq(timer_expire_time(lapic->timer) - clock_ns(CLOCK_VIRTUAL), 300000);
    run_us(1000);
    cr_assert_eq(apic_get_vector(lapic), 0x47);
    cr_assert(x86_msr_read(&cpu.env, MSR_IA32_TSC_DEADLINE, &v));
    cr_assert_eq(v, 0, "the MSR clears when the timer fires");
    wr(LAPIC(0xb0), 0);
    /* A deadline already passed fires at once. */
    cr_assert(x86_msr_write(&cpu.env, MSR_IA32_TSC_DEADLINE, 1));
    run_us(10);
    cr_assert_eq(apic_get_vector(lapic), 0x47);
}

Test(apic, cpu_without_apic)
{
    X86CPU plain = { .index = 0 };
    x86_cpu_reset(&plain);
    uint32_t a, b, c, d;
    uint64_t v;
    x86_cpuid(&plain.env, 1, 0, &a, &b, &c, &d);
    cr_assert_not(d & (1u << 9));
    cr_assert_not(c & (1u << 24));
    cr_assert_not(x86_msr_read(&plain.env, MSR_IA32_TSC_DEADLINE, &v), "no TSC deadline: #GP");
    x86_cpu_set_cr8(&plain, 9);
    cr_assert_eq(x86_cpu_get_cr8(&plain), 9, "CR8 is a plain register");
}

Test(apic, cpu_init_keeps_msrs_and_fpu)
{
    cpu_with_apic();
    X86CPUState *env = &cpu.env;
    env->rip = 0x1234;
    env->cr[0] = CR0_PE | CR0_ET;
    env->lstar = 0xffffffff81000000ull;
    env->pat = 0x0606060606060606ull;
    env->mxcsr = 0x1fa0;
    env->fpregs[3].mant = 42;
    x86_cpu_init(&cpu);
    cr_assert_eq(env->rip, 0xfff0, "INIT starts at the reset vector");
    cr_assert_eq(env->segs[R_CS].base, 0xffff0000);
    cr_assert_eq(env->cr[0], CR0_ET, "PE off; CD and NW kept as they were (clear)");
    cr_assert_eq(env->lstar, 0xffffffff81000000ull, "MSRs survive INIT");
    cr_assert_eq(env->pat, 0x0606060606060606ull);
    cr_assert_eq(env->apic_base, APIC_DEFAULT_BASE | MSR_APICBASE_ENABLE | MSR_APICBASE_BSP);
    cr_assert_eq(env->mxcsr, 0x1fa0, "SSE state survives INIT");
    cr_assert_eq(env->fpregs[3].mant, 42, "x87 state survives INIT");
}
