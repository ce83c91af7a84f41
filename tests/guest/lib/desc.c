/* desc.c: GDT, TSS and IDT of the guest-test runtime, and the C interrupt dispatcher. */
#include "guest.h"

/* Intel SDM 3A 3.4.5: segment descriptors. Slot order matches the SEL_* constants. */
uint64_t gdt[13] __attribute__((aligned(16))) = {
    0,
    0x00cf9a000000ffffull,   /* 0x08 code, 32-bit, flat */
    0x00cf92000000ffffull,   /* 0x10 data, flat */
    0x00009a000000ffffull,   /* 0x18 code, 16-bit, base 0, limit 64 KiB */
    0x000092000000ffffull,   /* 0x20 data, 16-bit, base 0, limit 64 KiB */
    0x00af9a000000ffffull,   /* 0x28 code, 64-bit */
    0x00cffa000000ffffull,   /* 0x30 code, 32-bit, DPL 3 */
    0x00cff2000000ffffull,   /* 0x38 data, DPL 3 */
    0x00affa000000ffffull,   /* 0x40 code, 64-bit, DPL 3 */
    0, 0,                    /* 0x48 TSS, filled in by desc_init (16 bytes in long mode) */
    0, 0,                    /* 0x58 free for a test's own descriptor (a call gate) */
};

/* SDM 3A 8.2.1 (32-bit TSS) and 8.7 (64-bit TSS): only the ring-0 stack is used. */
static struct {
    uint32_t link;
#ifdef __x86_64__
    uint64_t rsp0;
#else
    uint32_t esp0, ss0;
#endif
    uint8_t rest[104 - 12];
} __attribute__((packed, aligned(16))) tss;

#ifdef __x86_64__
struct idt_gate { uint16_t off0, sel; uint8_t ist, type; uint16_t off1; uint32_t off2, zero; } __attribute__((packed));
#else
struct idt_gate { uint16_t off0, sel; uint8_t zero, type; uint16_t off1; } __attribute__((packed));
#endif
static struct idt_gate idt[256] __attribute__((aligned(16)));
static int_handler_t handlers[256];

extern char isr_stubs[];
extern void user_return_resume(void) __attribute__((noreturn));

volatile unsigned long fault_fixup;
volatile int user_return_flag;
volatile struct fault_record last_fault;

struct __attribute__((packed)) table_ptr { uint16_t limit; unsigned long base; };

void set_kernel_stack(unsigned long top)
{
#ifdef __x86_64__
    tss.rsp0 = top;
#else
    tss.esp0 = top;
    tss.ss0 = SEL_DATA;
#endif
}

void desc_init(void)
{
    unsigned long base = (unsigned long)&tss;
    uint64_t limit = sizeof(tss) - 1;
    struct table_ptr gp = { sizeof(gdt) - 1, (unsigned long)gdt };
    struct table_ptr ip = { sizeof(idt) - 1, (unsigned long)idt };

    /* I/O map base beyond the limit: no I/O permission bitmap. */
    tss.rest[102 - 12] = sizeof(tss) & 0xff;
    tss.rest[103 - 12] = sizeof(tss) >> 8;
    gdt[SEL_TSS / 8] = (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
                       (0x89ull << 40) | ((uint64_t)((base >> 24) & 0xff) << 56);
#ifdef __x86_64__
    gdt[SEL_TSS / 8 + 1] = base >> 32;
#endif
    for (int v = 0; v < 256; v++) {
        unsigned long a = (unsigned long)isr_stubs + 16 * v;
        idt[v].off0 = a & 0xffff;
        idt[v].sel = SEL_CODE32;
        idt[v].type = 0x8e;          /* present, DPL 0, interrupt gate */
        idt[v].off1 = (a >> 16) & 0xffff;
#ifdef __x86_64__
        idt[v].sel = SEL_CODE64;
        idt[v].off2 = a >> 32;
#endif
    }
    asm volatile("lgdt %0" :: "m"(gp));
    asm volatile("lidt %0" :: "m"(ip));
#ifdef __x86_64__
    asm volatile("pushq %0; lea 1f(%%rip), %%rax; pushq %%rax; lretq; 1:"
                 :: "i"(SEL_CODE64) : "rax", "memory");
#else
    asm volatile("ljmp %0, $1f; 1:" :: "i"(SEL_CODE32));
#endif
    asm volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss; mov %0, %%fs; mov %0, %%gs"
                 :: "r"(SEL_DATA));
    asm volatile("ltr %w0" :: "r"(SEL_TSS));
    set_kernel_stack(0);
}

void idt_set_dpl(int vec, int dpl)
{
    idt[vec].type = (idt[vec].type & ~0x60) | ((dpl & 3) << 5);
}

void idt_set_present(int vec, bool present)
{
    idt[vec].type = (idt[vec].type & ~0x80) | (present ? 0x80 : 0);
}

void set_int_handler(int vec, int_handler_t h)
{
    handlers[vec] = h;
}

void fault_reset(void)
{
    last_fault.vector = -1;
    last_fault.error = 0;
    last_fault.cr2 = 0;
    last_fault.ip = 0;
    last_fault.cs = 0;
    fault_fixup = 0;
}

static const char *const names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
    "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

const char *exception_name(int vec)
{
    if (vec >= 0 && vec < 32 && names[vec])
        return names[vec];
    return "INT";
}

/* Faults (SDM 3A 6.5) point at the faulting instruction and need a recovery point. */
static bool is_fault(unsigned long vec)
{
    return vec < 32 && vec != 1 && vec != 3 && vec != 4;
}

void int_dispatch(struct int_frame *f)
{
    if (handlers[f->vector]) {
        handlers[f->vector](f);
        return;
    }
    if (f->vector == 13 && (f->cs & 3) == 3 && user_return_flag) {
        user_return_flag = 0;
        user_return_resume();
    }
    last_fault.vector = f->vector;
    last_fault.error = f->error;
    last_fault.cr2 = f->vector == 14 ? read_cr2() : 0;
    last_fault.ip = f->ip;
    last_fault.cs = f->cs;
    if (!is_fault(f->vector))
        return;
    if (!fault_fixup) {
        printf("unexpected exception %lu (%s) error %#lx at %#lx:%#lx cr2 %#lx\n",
               (unsigned long)f->vector, exception_name(f->vector), (unsigned long)f->error,
               (unsigned long)f->cs, (unsigned long)f->ip, last_fault.cr2);
        printf("FAIL\n");
        exit_guest(1);
    }
    f->ip = fault_fixup;
    fault_fixup = 0;
}
