/*
 * debug.c: debug exceptions (Intel SDM 3B chapter 17), built as a 32-bit and a 64-bit kernel:
 * DR6 reserved bits, TF single-step traps and DR6.BS, the single-step shadow of MOV SS,
 * ICEBP (INT1), an instruction breakpoint (a fault; RF lets the instruction run), data write
 * and read/write breakpoints (traps, DR6.Bn) and a disabled DR7 slot.
 * Addresses are never printed: each #DB is compared with a label of the asm around it.
 */
#include "guest.h"

#ifdef __x86_64__
#define MODE "64-bit"
#define SP "%%rsp"
#define ADDR(label, reg) "lea " label "(%%rip), %" reg "\n\t"
#else
#define MODE "32-bit"
#define SP "%%esp"
#define ADDR(label, reg) "mov $" label ", %" reg "\n\t"
#endif
#define TF_ON "pushf; orl $0x100, (" SP "); popf\n\t"
#define TF_OFF "pushf; andl $~0x100, (" SP "); popf\n\t"

#define DR6_B0 0x1ul
#define DR6_B1 0x2ul
#define DR6_B2 0x4ul
#define DR6_BS 0x4000ul
#define DR6_FIXED 0xffff0ff0ul      /* SDM 3B 17.2.3: bits that read as 1 */
#define EFLAGS_RF 0x10000ul

#define read_dr(n) ({ unsigned long v_; asm volatile("mov %%dr" #n ", %0" : "=r"(v_)); v_; })
#define write_dr(n, v) asm volatile("mov %0, %%dr" #n :: "r"((unsigned long)(v)))

/* What the #DB handler saw, trap by trap. */
#define MAX_DB 16
static volatile unsigned long db_ip[MAX_DB], db_dr6[MAX_DB];
static volatile int db_count;
static volatile unsigned long data_word, data_other;

static void db_handler(struct int_frame *f)
{
    if (db_count < MAX_DB) {
        db_ip[db_count] = f->ip;
        db_dr6[db_count] = read_dr(6) & 0xffffffff;
    }
    db_count++;
    write_dr(6, 0);              /* the CPU never clears DR6 itself */
    f->flags |= EFLAGS_RF;       /* an instruction breakpoint lets the instruction run */
}

static void db_reset(void)
{
    db_count = 0;
    for (int i = 0; i < MAX_DB; i++)
        db_ip[i] = db_dr6[i] = 0;
    write_dr(6, 0);
}

/* The DR6 status bits of trap i (the fixed ones-bits left out). */
static unsigned long status(int i)
{
    return db_dr6[i] & ~DR6_FIXED;
}

int guest_main(void)
{
    unsigned long a, b, c;

    printf("debug: debug registers and single-step in " MODE " mode\n");
    paging_init();
    set_int_handler(1, db_handler);

    write_dr(6, 0);
    check((read_dr(6) & 0xffffffff) == DR6_FIXED, "DR6 written with 0 reads %#lx (reserved bits are 1)",
          read_dr(6) & 0xffffffff);
    check((read_dr(7) & 0xffffffff) == 0x400, "DR7 after reset reads %#lx", read_dr(7) & 0xffffffff);

    /* SDM 3B 17.3.1.4: POPF that sets TF traps after the next instruction, then every one. */
    db_reset();
    asm volatile(TF_ON "nop\n1: nop\n2: nop\n3:" TF_OFF
                 ADDR("1b", "[a]") ADDR("2b", "[b]") ADDR("3b", "[c]")
                 : [a] "=r"(a), [b] "=r"(b), [c] "=r"(c) :: "memory");
    /* nop, nop, nop, pushf, andl, popf (TF was set when the popf began) */
    check(db_count == 6, "TF single-step: %d traps for 6 instructions", db_count);
    check(db_ip[0] == a && db_ip[1] == b && db_ip[2] == c,
          "TF single-step: each trap reports the next instruction");
    check(status(0) == DR6_BS, "TF single-step: DR6 status %#lx (BS)", status(0));

    /* SDM 3A 6.8.3: MOV SS holds off the single-step trap until after the next instruction. */
    db_reset();
    asm volatile(TF_ON "nop\n1: mov %%ss, %%eax\n mov %%eax, %%ss\n2: nop\n3:" TF_OFF
                 ADDR("1b", "[a]") ADDR("2b", "[b]") ADDR("3b", "[c]")
                 : [a] "=r"(a), [b] "=r"(b), [c] "=r"(c) :: "eax", "memory");
    check(db_count == 6 && db_ip[0] == a && db_ip[1] != b && db_ip[2] == c,
          "MOV SS: no single-step trap between MOV SS and the next instruction (%d traps)", db_count);

    /* ICEBP (F1) is a trap through vector 1 with no DR6 status bit. */
    db_reset();
    asm volatile(".byte 0xf1\n1:" ADDR("1b", "[a]") : [a] "=r"(a) :: "memory");
    check(db_count == 1 && db_ip[0] == a, "ICEBP: one #DB after the instruction (%d)", db_count);
    check(status(0) == 0, "ICEBP: DR6 status %#lx", status(0));

    /* Instruction breakpoint in DR0 (SDM 3B 17.2.4): a fault at the instruction. */
    db_reset();
    asm volatile(ADDR("1f", "[a]") "mov %[a], %%dr0\n\t"
                 "mov %[en], %%dr7\n"
                 "1: nop\n2: nop\n\t"
                 "mov %[off], %%dr7\n\t" ADDR("2b", "[b]")
                 : [a] "=&r"(a), [b] "=&r"(b)
                 : [en] "r"(0x401ul), [off] "r"(0x400ul) : "memory");
    check(db_count == 1 && db_ip[0] == a, "instruction breakpoint: one fault at the instruction (%d)",
          db_count);
    check(status(0) == DR6_B0, "instruction breakpoint: DR6 status %#lx (B0)", status(0));

    /* Data breakpoints: DR1 on writes (RW=01), DR2 on reads and writes (RW=11), 4 bytes. */
    db_reset();
    write_dr(1, &data_word);
    write_dr(2, &data_other);
    write_dr(7, 0x400 | 0x4 | 0x10 | (0x1ul << 20) | (0x3ul << 22) | (0x3ul << 24) | (0x3ul << 26));
    asm volatile("movl $1, %[w]\n1: movl %[w], %%eax\n2: movl %[o], %%eax\n3: movl $2, %[o]\n4:"
                 ADDR("1b", "[a]") ADDR("2b", "[b]") ADDR("3b", "[c]")
                 : [w] "+m"(data_word), [o] "+m"(data_other), [a] "=r"(a), [b] "=r"(b), [c] "=r"(c)
                 :: "eax", "memory");
    write_dr(7, 0x400);
    check(db_count == 3, "data breakpoints: %d traps (write of the write-only slot, read and write "
          "of the read/write slot)", db_count);
    check(db_ip[0] == a && status(0) == DR6_B1, "data write breakpoint: trap after the store, DR6 status %#lx",
          status(0));
    check(db_ip[1] == c && status(1) == DR6_B2, "data read breakpoint: trap after the load, DR6 status %#lx",
          status(1));
    check(db_count == 3 && status(2) == DR6_B2, "data write to the read/write slot: DR6 status %#lx",
          status(2));

    /* A slot whose L/G bits are clear never matches, however RW and LEN are set. */
    db_reset();
    write_dr(7, 0x400 | (0x1ul << 20) | (0x3ul << 22));
    data_word = 3;
    write_dr(7, 0x400);
    check(db_count == 0, "disabled breakpoint: %d traps", db_count);

    return pass_fail("debug-" MODE);
}
