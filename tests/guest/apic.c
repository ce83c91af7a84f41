/*
 * apic.c: the local APIC as a 64-bit guest sees it (Intel SDM 3A ch. 10): IA32_APIC_BASE, the
 * APIC ID, self-IPIs through the ICR, priority between pending vectors, EOI and the ISR,
 * CR8/TPR masking, the spurious-vector register's software disable, and the timer in
 * one-shot, periodic and (when CPUID has it) TSC-deadline mode. Nothing timed is printed:
 * timer checks wait for the interrupt and look at counts, never at durations.
 */
#include "guest.h"

extern uint64_t pdpt[512];

#define MSR_APICBASE      0x1b
#define MSR_TSC_DEADLINE  0x6e0
#define APIC_BASE         0xfee00000ul

/* Register offsets (SDM 3A table 10-1). */
enum { ID = 0x20, TPR = 0x80, EOI = 0xb0, SVR = 0xf0, ISR = 0x100, IRR = 0x200,
       ICR_LO = 0x300, ICR_HI = 0x310, LVT_TIMER = 0x320, LVT_LINT0 = 0x350, TIMER_INIT = 0x380,
       TIMER_CUR = 0x390, TIMER_DIV = 0x3e0 };

/* The APIC page lies above the 1 GiB the runtime maps: a 2 MiB uncached page for it. */
static uint64_t pd_top[512] __attribute__((aligned(4096)));

static volatile uint32_t *reg(unsigned off) { return (volatile uint32_t *)(APIC_BASE + off); }
static uint32_t rd(unsigned off) { return *reg(off); }
static void wr(unsigned off, uint32_t v) { *reg(off) = v; }
static bool vec_bit(unsigned base, int v) { return rd(base + (v / 32) * 0x10) >> (v % 32) & 1; }

static void write_cr8(unsigned long v) { asm volatile("mov %0, %%cr8" :: "r"(v) : "memory"); }
static unsigned long read_cr8(void) { unsigned long v; asm volatile("mov %%cr8, %0" : "=r"(v)); return v; }

static volatile int count[256];
static volatile int order[8], norder;
static volatile bool isr_seen_in_handler, irr_seen_in_handler;

static void on_vector(struct int_frame *f)
{
    count[f->vector]++;
    if (norder < 8)
        order[norder++] = f->vector;
    if (f->vector == 0x71) {
        isr_seen_in_handler = vec_bit(ISR, 0x71);
        irr_seen_in_handler = vec_bit(IRR, 0x61);
    }
    if (f->vector != 0x45)       /* 0x45 is EOIed by the test itself */
        wr(EOI, 0);
}

static void self_ipi(int vector)
{
    wr(ICR_HI, 0);
    wr(ICR_LO, (1u << 18) | vector);   /* destination shorthand: self; fixed; edge */
}

/* Let pending interrupts in: a while with IF set (a paravirtual KVM injects them late). */
static void window(void)
{
    asm volatile("sti" ::: "memory");
    for (int i = 0; i < 10000; i++)
        asm volatile("pause" ::: "memory");
    asm volatile("cli" ::: "memory");
}

/* Wait with HLT until count[vector] reaches n, or give up after many wake-ups. */
static bool wait_for(int vector, int n)
{
    for (int i = 0; i < 1000000 && count[vector] < n; i++)
        asm volatile("sti; hlt; cli" ::: "memory");
    return count[vector] >= n;
}

int guest_main(void)
{
    uint32_t r[4];
    printf("apic: local APIC of the boot CPU\n");
    cpuid(1, 0, r);
    check(r[3] >> 9 & 1, "CPUID.1:EDX.APIC");
    bool has_deadline = r[2] >> 24 & 1;
    uint64_t base = rdmsr(MSR_APICBASE);
    check((base & ~0xfffull) == APIC_BASE, "IA32_APIC_BASE: base 0xfee00000");
    check((base & 0x900) == 0x900, "IA32_APIC_BASE: BSP and global enable");

    pd_top[(APIC_BASE >> 21) & 511] = (APIC_BASE & ~0x1fffffull) | 0x9b;   /* P W PWT PCD PS */
    pdpt[3] = (uint64_t)pd_top | 3;
    write_cr3(read_cr3());

    check(rd(ID) >> 24 == r[1] >> 24, "APIC ID register = CPUID.1:EBX[31:24]");
    /* Firmware that ran before (SeaBIOS on QEMU) left the PIT ticking on IRQ0 through the
     * 8259 in virtual-wire mode, at a vector that looks like an exception: mask the 8259 and
     * LINT0. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    wr(LVT_LINT0, 1u << 16);
    for (int v = 0x40; v < 0x80; v++)
        set_int_handler(v, on_vector);

    /* Spurious-vector register: bit 8 enables; while disabled every LVT stays masked. */
    wr(SVR, 0xff);
    wr(LVT_TIMER, 0x41);
    check(rd(LVT_TIMER) & (1u << 16), "software-disabled APIC: LVT timer stays masked");
    wr(SVR, 0x1ff);
    check((rd(SVR) & 0x1ff) == 0x1ff, "SVR reads back enable and spurious vector 0xff");
    wr(TPR, 0);

    /* Self-IPI. */
    asm volatile("cli");
    self_ipi(0x40);
    check(vec_bit(IRR, 0x40), "self-IPI with IF clear: vector 0x40 pending in IRR");
    window();
    check(count[0x40] == 1, "self-IPI 0x40 delivered once IF is set");
    check(!vec_bit(IRR, 0x40) && !vec_bit(ISR, 0x40), "after EOI: neither IRR nor ISR");

    /* Two pending vectors: the higher priority class first; its ISR bit blocks the other. */
    norder = 0;
    self_ipi(0x61);
    self_ipi(0x71);
    window();
    check(norder == 2 && order[0] == 0x71 && order[1] == 0x61, "0x71 is taken before 0x61");
    check(isr_seen_in_handler, "in the 0x71 handler, ISR has 0x71");
    check(irr_seen_in_handler, "in the 0x71 handler, 0x61 is still waiting in IRR");

    /* No EOI yet: a vector of the same class waits in IRR until the EOI. */
    self_ipi(0x45);
    window();
    check(count[0x45] == 1 && vec_bit(ISR, 0x45), "0x45 in service (its handler sends no EOI)");
    self_ipi(0x46);
    window();
    check(count[0x46] == 0, "0x46 (same priority class) waits while 0x45 is in service");
    wr(EOI, 0);
    window();
    check(count[0x46] == 1, "after the EOI of 0x45, 0x46 is delivered");
    check(!vec_bit(ISR, 0x45), "the EOI cleared 0x45 from ISR");

    /* CR8 is TPR[7:4]; a class at or below it is not delivered (SDM 3A 10.8.6.1). */
    write_cr8(5);
    check(rd(TPR) == 0x50, "MOV CR8, 5 -> TPR reads 0x50");
    self_ipi(0x51);
    window();
    check(count[0x51] == 0 && vec_bit(IRR, 0x51), "TPR class 5 holds vector 0x51 in IRR");
    self_ipi(0x61);
    window();
    check(count[0x61] == 2, "vector 0x61 (class 6 > 5) is delivered");
    write_cr8(0);
    window();
    check(count[0x51] == 1, "MOV CR8, 0 lets 0x51 in");
    wr(TPR, 0x70);
    check(read_cr8() == 7, "TPR written through MMIO reads back as CR8 = 7");
    wr(TPR, 0);

    /* Timer, one-shot: divide by 1, 200000 counts; fires once, the current count ends at 0. */
    wr(TIMER_DIV, 0xb);
    wr(LVT_TIMER, 0x48);
    wr(TIMER_INIT, 200000);
    check(rd(TIMER_CUR) <= 200000, "one-shot: current count starts at or below the initial count");
    check(wait_for(0x48, 1), "one-shot timer interrupt arrived");
    check(rd(TIMER_CUR) == 0, "one-shot: current count is 0 afterwards");
    for (int i = 0; i < 100; i++)
        window();
    check(count[0x48] == 1, "one-shot fired exactly once");

    /* Periodic: keeps firing; masking the LVT stops it. */
    wr(LVT_TIMER, 0x49 | (1u << 17));
    wr(TIMER_INIT, 100000);
    check(wait_for(0x49, 3), "periodic timer fired three times");
    check(rd(TIMER_CUR) > 0, "periodic: the count reloads");
    wr(LVT_TIMER, 0x49 | (1u << 17) | (1u << 16));
    wr(TIMER_INIT, 0);

    /* TSC deadline (CPUID.1:ECX[24]): fires once, then the MSR reads 0. */
    bool deadline_ok = true;
    if (has_deadline) {
        wr(LVT_TIMER, 0x4a | (2u << 17));
        wrmsr(MSR_TSC_DEADLINE, rdtsc() + 200000);
        deadline_ok = wait_for(0x4a, 1) && rdmsr(MSR_TSC_DEADLINE) == 0;
        wr(LVT_TIMER, 0x4a | (2u << 17) | (1u << 16));
    }
    check(deadline_ok, "TSC-deadline timer (where CPUID has it) fires and clears the MSR");
    return pass_fail("apic");
}
