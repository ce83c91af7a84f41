/*
 * x87-bcd.c: x87 arithmetic (results read back as integers, so nothing depends on float
 * formatting) and the BCD adjust instructions DAA, DAS, AAA, AAS, AAM, AAD, in 32-bit
 * unpaged protected mode. TCG-only on a paravirtual KVM host: its in-kernel emulator fails
 * on these instructions in unpaged code (see tests.list).
 */
#include "guest.h"

/* a OP b on the x87 stack, rounded to an integer with the current rounding mode. */
#define FPU_OP(insn, a, b) ({                                               \
    int32_t r_, a_ = (a), b_ = (b);                                         \
    asm volatile("fildl %1\n\tfildl %2\n\t" insn "\n\tfistpl %0"            \
                 : "=m"(r_) : "m"(a_), "m"(b_));                            \
    r_; })

struct bcd { uint32_t ax, flags; };

#define BCD(insn, ax_in) ({                                                 \
    uint32_t ax_ = (ax_in), fl_;                                            \
    asm volatile(insn "\n\tpushf\n\tpop %1" : "+a"(ax_), "=r"(fl_));        \
    (struct bcd){ ax_ & 0xffff, fl_ & 0x11 }; })   /* CF (bit 0), AF (bit 4) */

int guest_main(void)
{
    uint16_t sw, cw;
    int32_t r;

    printf("x87-bcd: x87 arithmetic and BCD adjustment\n");
    write_cr0((read_cr0() & ~0x4ul) | 0x22);    /* EM=0; MP, NE: native x87 error reporting */
    asm volatile("fninit\n\tfnstsw %0\n\tfnstcw %1" : "=m"(sw), "=m"(cw));
    check(sw == 0 && cw == 0x037f, "after FNINIT: status %#x, control %#x", sw, cw);

    check(FPU_OP("faddp", 40, 2) == 42, "fild 40, fild 2, faddp: 42");
    check(FPU_OP("fsubrp", 50, 8) == 42, "fild 50, fild 8, fsubrp: 42");
    check(FPU_OP("fmulp", 6, 7) == 42, "fild 6, fild 7, fmulp: 42");
    check(FPU_OP("fdivrp", 5, 2) == 2, "5 / 2 = 2.5 rounds to even: 2");
    check(FPU_OP("fdivrp", 7, 2) == 4, "7 / 2 = 3.5 rounds to even: 4");
    check(FPU_OP("fdivrp", -7, 2) == -4, "-7 / 2 = -3.5 rounds to even: -4");
    int32_t sq = 1764;
    asm volatile("fildl %1\n\tfsqrt\n\tfistpl %0" : "=m"(r) : "m"(sq));
    check(r == 42, "fsqrt(1764): 42");
    asm volatile("fldpi\n\tfildl %1\n\tfmulp\n\tfistpl %0" : "=m"(r) : "m"((int32_t){ 10000 }));
    check(r == 31416, "fldpi * 10000: 31416");

    /* Round toward zero (RC = 11b). */
    uint16_t trunc = 0x0f7f;
    asm volatile("fldcw %0" :: "m"(trunc));
    check(FPU_OP("fdivrp", 7, 2) == 3, "RC=toward zero: 7 / 2 = 3");
    check(FPU_OP("fdivrp", -7, 2) == -3, "RC=toward zero: -7 / 2 = -3");

    /* Masked zero divide: result infinity, ZE (bit 2) sticky in the status word. */
    asm volatile("fninit\n\tfld1\n\tfldz\n\tfdivrp\n\tfstp %%st(0)\n\tfnstsw %0" : "=m"(sw));
    check(sw & 0x4, "1 / 0 with exceptions masked sets ZE (status %#x)", sw);
    asm volatile("fninit");

    /* BCD (SDM 2A DAA/DAS/AAA/AAS/AAM/AAD). */
    struct bcd b;
    b = BCD("add $0x28, %%al\n\tdaa", 0x19);
    check(b.ax == 0x47 && !(b.flags & 1), "0x19 + 0x28, daa: 0x47, CF clear (ax %#x)", b.ax);
    b = BCD("add $0x55, %%al\n\tdaa", 0x47);
    check(b.ax == 0x02 && (b.flags & 1), "0x47 + 0x55, daa: 0x02, CF set (ax %#x)", b.ax);
    b = BCD("sub $0x28, %%al\n\tdas", 0x47);
    check(b.ax == 0x19 && !(b.flags & 1), "0x47 - 0x28, das: 0x19 (ax %#x)", b.ax);
    b = BCD("sub $0x28, %%al\n\tdas", 0x19);
    check(b.ax == 0x91 && (b.flags & 1), "0x19 - 0x28, das: 0x91, CF set (ax %#x)", b.ax);
    b = BCD("add $0x08, %%al\n\taaa", 0x0009);
    check(b.ax == 0x0107 && (b.flags & 0x11) == 0x11, "9 + 8, aaa: ax 0x0107, AF and CF (ax %#x)", b.ax);
    b = BCD("sub $0x08, %%al\n\taas", 0x0103);
    check(b.ax == 0x0005 && (b.flags & 0x11) == 0x11, "0x0103 - 8, aas: ax 0x0005 (ax %#x)", b.ax);
    b = BCD("aam", 63);
    check(b.ax == 0x0603, "aam 63: ax 0x0603 (ax %#x)", b.ax);
    b = BCD("aad", 0x0603);
    check(b.ax == 63, "aad 0x0603: ax 63 (ax %#x)", b.ax);
    b = BCD(".byte 0xd4, 0x10", 0x3f);            /* AAM with base 16 */
    check(b.ax == 0x030f, "aam 16 of 0x3f: ax 0x030f (ax %#x)", b.ax);
    return pass_fail("x87-bcd");
}
