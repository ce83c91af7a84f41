/*
 * indirect.c: returns and indirect jumps against interrupts and single-stepping. A translator
 * that follows RET and JMP r/m without going back to its execution loop must still take a
 * timer interrupt in a loop made only of such jumps, take an interrupt held back by STI right
 * after the one instruction of its shadow when that instruction is a RET (Intel SDM 3A 6.8.3),
 * and trap after every instruction under EFLAGS.TF (SDM 3A 17.3.1.4).
 */
#include "guest.h"

#define PIC1 0x20
#define PIC1_DATA 0x21
#define PIC2 0xa0
#define PIC2_DATA 0xa1
#define PIT_CH0 0x40
#define PIT_MODE 0x43
#define IRQ0_VECTOR 0x20
#define LOOP_LIMIT 20000000u

static volatile uint32_t ticks, tick_ip;

static void timer_handler(struct int_frame *f)
{
    ticks++;
    tick_ip = f->ip;
    outb(PIC1, 0x20);                            /* non-specific EOI */
}

/* 8259A ICW1-ICW4: IRQ0-7 at vectors 0x20-0x27, only IRQ0 (the PIT) unmasked. */
static void pic_init(void)
{
    outb(PIC1, 0x11);
    outb(PIC2, 0x11);
    outb(PIC1_DATA, IRQ0_VECTOR);
    outb(PIC2_DATA, IRQ0_VECTOR + 8);
    outb(PIC1_DATA, 4);
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, 1);
    outb(PIC2_DATA, 1);
    outb(PIC1_DATA, 0xfe);
    outb(PIC2_DATA, 0xff);
}

/* 8254 channel 0, mode 2 (rate generator), 1193 counts: about 1 kHz. */
static void pit_init(void)
{
    outb(PIT_MODE, 0x34);
    outb(PIT_CH0, 1193 & 0xff);
    outb(PIT_CH0, 1193 >> 8);
}

static bool irq0_requested(void)
{
    outb(PIC1, 0x0a);                            /* OCW3: read IRR */
    return inb(PIC1) & 1;
}

/* Spin until a tick arrives; every block of the loop ends in RET. Returns the iterations left. */
static uint32_t spin_ret(void)
{
    uint32_t left = LOOP_LIMIT, seen = ticks;
    asm volatile("1: dec %0\n\t"
                 "jz 2f\n\t"
                 "cmp %1, ticks\n\t"
                 "jne 2f\n\t"
                 "push $1b\n\t"
                 "ret\n"
                 "2:"
                 : "+r"(left) : "r"(seen) : "memory", "cc");
    return left;
}

/* The same with JMP through a register. */
static uint32_t spin_jmp(void)
{
    uint32_t left = LOOP_LIMIT, seen = ticks, target;
    asm volatile("mov $1f, %1\n"
                 "1: dec %0\n\t"
                 "jz 2f\n\t"
                 "cmp %2, ticks\n\t"
                 "jne 2f\n\t"
                 "jmp *%1\n"
                 "2:"
                 : "+r"(left), "=&r"(target) : "r"(seen) : "memory", "cc");
    return left;
}

/* Where each single-step trap should come from, and where they came from. */
static volatile uint32_t trap_want[4], trap_ips[4];
static volatile unsigned ntraps;

static void db_handler(struct int_frame *f)
{
    if (ntraps < 4)
        trap_ips[ntraps] = f->ip;
    ntraps++;
    if (f->ip == trap_want[3])
        f->flags &= ~0x100u;                     /* TF off: the sequence is over */
}

int guest_main(void)
{
    printf("indirect: returns and indirect jumps with interrupts and TF\n");
    set_int_handler(IRQ0_VECTOR, timer_handler);
    pic_init();
    pit_init();

    asm volatile("sti");
    check(spin_ret() != 0, "a timer interrupt ends a loop of RETs");
    check(spin_jmp() != 0, "a timer interrupt ends a loop of indirect JMPs");

    /* An IRQ pending while IF = 0 is taken right after the RET in the shadow of STI. */
    asm volatile("cli");
    while (!irq0_requested())
        ;
    uint32_t target, before = ticks;
    asm volatile("movl $1f, %0\n\t"
                 "push $1f\n\t"
                 "sti\n\t"
                 "ret\n"
                 "1: nop\n\t"
                 "nop\n\t"
                 "cli"
                 : "=&r"(target) :: "memory");
    check(ticks == before + 1 && tick_ip == target,
          "the interrupt held back by STI is taken at the target of the RET in its shadow");
    outb(PIC1_DATA, 0xff);
    asm volatile("sti");

    /* TF: a trap after each of CALL, RET, JMP r32 and NOP; the handler clears TF at the end. */
    set_int_handler(1, db_handler);
    asm volatile("movl $5f, %0\n\t"
                 "movl $1f, %1\n\t"
                 "movl $3f, %2\n\t"
                 "movl $4f, %3\n\t"
                 "movl $3f, %%ecx\n\t"
                 "pushf\n\t"
                 "orl $0x100, (%%esp)\n\t"
                 "popf\n\t"
                 "call 5f\n"
                 "1: jmp *%%ecx\n"
                 "5: ret\n"
                 "3: nop\n"
                 "4:"
                 : "=&m"(trap_want[0]), "=&m"(trap_want[1]), "=&m"(trap_want[2]), "=&m"(trap_want[3])
                 :: "ecx", "memory", "cc");
    bool same = ntraps == 4;
    for (unsigned i = 0; i < 4; i++)
        same &= trap_ips[i] == trap_want[i];
    check(same, "TF traps after CALL, RET, JMP r32 and NOP, at their targets (%u traps)", ntraps);
    return pass_fail("indirect");
}
