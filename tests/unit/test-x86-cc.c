/* test-x86-cc.c: every lazy CC_OP against the flags the host CPU computes for the same operation. */
#include <criterion/criterion.h>
#include "cpu/x86/cc.h"

#define ARITH EFLAGS_ARITH
#define NOAF (ARITH & ~EFLAGS_AF)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const uint64_t edges[] = {
    0, 1, 2, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
    0xffffffff, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
    0x0123456789abcdefULL,
};

/* Operand pairs: all edge pairs, then random values, some with only a few significant bits. */
#define NRAND 3000
static uint64_t operand(unsigned i, unsigned which)
{
    unsigned ne = ARRAY_SIZE(edges);
    if (i < ne * ne)
        return which ? edges[i % ne] : edges[i / ne];
    uint64_t v = rnd();
    if (i & 1)
        v >>= rnd() & 63;
    return v;
}
#define NCASES (ARRAY_SIZE(edges) * ARRAY_SIZE(edges) + NRAND)

static const uint64_t size_mask[4] = { 0xff, 0xffff, 0xffffffff, ~0ULL };

/* Host instruction `insn` on operands of type T; carry-in is loaded into CF first. */
#define HOST_BIN(fn, insn, T)                                                                   \
    static uint32_t fn(uint64_t a, uint64_t b, unsigned cin, uint64_t *res)                     \
    {                                                                                           \
        T x = (T)a, y = (T)b;                                                                   \
        uint64_t fl, c = cin;                                                                   \
        __asm__ volatile("bt $0, %[c]\n\t" insn " %[y], %[x]\n\tpushfq\n\tpopq %[fl]"           \
                         : [x] "+r"(x), [fl] "=r"(fl) : [y] "r"(y), [c] "r"(c) : "cc");         \
        *res = x;                                                                               \
        return (uint32_t)fl;                                                                    \
    }
#define HOST_BIN4(name, insn)                                                                   \
    HOST_BIN(host_##name##b, insn "b", uint8_t)                                                 \
    HOST_BIN(host_##name##w, insn "w", uint16_t)                                                \
    HOST_BIN(host_##name##l, insn "l", uint32_t)                                                \
    HOST_BIN(host_##name##q, insn "q", uint64_t)                                                \
    static uint32_t (*const host_##name[4])(uint64_t, uint64_t, unsigned, uint64_t *) = {       \
        host_##name##b, host_##name##w, host_##name##l, host_##name##q };

HOST_BIN4(add, "add")
HOST_BIN4(adc, "adc")
HOST_BIN4(sub, "sub")
HOST_BIN4(sbb, "sbb")
HOST_BIN4(and, "and")
HOST_BIN4(or, "or")
HOST_BIN4(xor, "xor")

#define HOST_UN(fn, insn, T)                                                                    \
    static uint32_t fn(uint64_t a, uint64_t b, unsigned cin, uint64_t *res)                     \
    {                                                                                           \
        T x = (T)a;                                                                             \
        uint64_t fl, c = cin;                                                                   \
        (void)b;                                                                                \
        __asm__ volatile("bt $0, %[c]\n\t" insn " %[x]\n\tpushfq\n\tpopq %[fl]"                 \
                         : [x] "+r"(x), [fl] "=r"(fl) : [c] "r"(c) : "cc");                     \
        *res = x;                                                                               \
        return (uint32_t)fl;                                                                    \
    }
#define HOST_UN4(name, insn)                                                                    \
    HOST_UN(host_##name##b, insn "b", uint8_t)                                                  \
    HOST_UN(host_##name##w, insn "w", uint16_t)                                                 \
    HOST_UN(host_##name##l, insn "l", uint32_t)                                                 \
    HOST_UN(host_##name##q, insn "q", uint64_t)                                                 \
    static uint32_t (*const host_##name[4])(uint64_t, uint64_t, unsigned, uint64_t *) = {       \
        host_##name##b, host_##name##w, host_##name##l, host_##name##q };

HOST_UN4(inc, "inc")
HOST_UN4(dec, "dec")
HOST_UN4(neg, "neg")

#define HOST_SHIFT(fn, insn, T)                                                                 \
    static uint32_t fn(uint64_t a, uint64_t count, unsigned cin, uint64_t *res)                 \
    {                                                                                           \
        T x = (T)a;                                                                             \
        uint64_t fl, c = cin;                                                                   \
        uint8_t n = (uint8_t)count;                                                             \
        __asm__ volatile("bt $0, %[c]\n\t" insn " %%cl, %[x]\n\tpushfq\n\tpopq %[fl]"           \
                         : [x] "+r"(x), [fl] "=r"(fl) : "c"(n), [c] "r"(c) : "cc");             \
        *res = x;                                                                               \
        return (uint32_t)fl;                                                                    \
    }
#define HOST_SHIFT4(name, insn)                                                                 \
    HOST_SHIFT(host_##name##b, insn "b", uint8_t)                                               \
    HOST_SHIFT(host_##name##w, insn "w", uint16_t)                                              \
    HOST_SHIFT(host_##name##l, insn "l", uint32_t)                                              \
    HOST_SHIFT(host_##name##q, insn "q", uint64_t)                                              \
    static uint32_t (*const host_##name[4])(uint64_t, uint64_t, unsigned, uint64_t *) = {       \
        host_##name##b, host_##name##w, host_##name##l, host_##name##q };

HOST_SHIFT4(shl, "shl")
HOST_SHIFT4(shr, "shr")
HOST_SHIFT4(sar, "sar")

typedef uint32_t HostFn(uint64_t, uint64_t, unsigned, uint64_t *);

static unsigned checked;

static void check(const char *what, unsigned size, uint64_t a, uint64_t b, uint32_t host_fl,
                  uint32_t op, uint64_t dst, uint64_t src, uint64_t src2, uint32_t defined)
{
    uint32_t lazy = x86_cc_compute_all(op, dst, src, src2);
    uint32_t lazy_c = x86_cc_compute_c_all(op, dst, src, src2);
    checked++;
    cr_assert_eq(lazy & defined, host_fl & defined,
                 "%s size %u a=%#" PRIx64 " b=%#" PRIx64 ": lazy %#x host %#x (mask %#x)", what,
                 8u << size, a, b, lazy & defined, host_fl & defined, defined);
    if (defined & EFLAGS_CF)
        cr_assert_eq(lazy_c, (host_fl & EFLAGS_CF) != 0, "%s size %u a=%#" PRIx64 " b=%#" PRIx64
                     ": CF-only path disagrees", what, 8u << size, a, b);
}

Test(x86_cc, add_sub_adc_sbb)
{
    for (unsigned size = 0; size < 4; size++) {
        uint64_t m = size_mask[size];
        for (unsigned i = 0; i < NCASES; i++) {
            uint64_t a = operand(i, 0) & m, b = operand(i, 1) & m, r;
            uint32_t fl;
            fl = host_add[size](a, b, 0, &r);
            cr_assert_eq(r, (a + b) & m);
            check("add", size, a, b, fl, CC_OP_ADDB + size, r, b, 0, ARITH);
            fl = host_sub[size](a, b, 0, &r);
            check("sub", size, a, b, fl, CC_OP_SUBB + size, r, b, 0, ARITH);
            for (unsigned c = 0; c < 2; c++) {
                fl = host_adc[size](a, b, c, &r);
                check(c ? "adc1" : "adc0", size, a, b, fl, CC_OP_ADCB + size, r, b, c, ARITH);
                fl = host_sbb[size](a, b, c, &r);
                check(c ? "sbb1" : "sbb0", size, a, b, fl, CC_OP_SBBB + size, r, b, c, ARITH);
            }
        }
    }
}

Test(x86_cc, logic)
{
    HostFn *const *fns[3] = { host_and, host_or, host_xor };
    for (unsigned size = 0; size < 4; size++) {
        uint64_t m = size_mask[size];
        for (unsigned i = 0; i < NCASES; i++) {
            uint64_t a = operand(i, 0) & m, b = operand(i, 1) & m, r;
            for (unsigned k = 0; k < 3; k++) {
                uint32_t fl = fns[k][size](a, b, i & 1, &r);
                /* AF is undefined after logic ops. */
                check("logic", size, a, b, fl, CC_OP_LOGICB + size, r, 0, 0, NOAF);
            }
        }
        uint64_t r;
        uint32_t fl = host_xor[size](0x5a & m, 0x5a & m, 1, &r);
        check("clr", size, 0x5a, 0x5a, fl, CC_OP_CLR, 0, 0, 0, NOAF);
    }
}

Test(x86_cc, inc_dec_neg)
{
    for (unsigned size = 0; size < 4; size++) {
        uint64_t m = size_mask[size];
        for (unsigned i = 0; i < NCASES; i++) {
            uint64_t a = operand(i, 0) & m, r;
            unsigned cin = i & 1;
            uint32_t fl = host_inc[size](a, 0, cin, &r);
            check("inc", size, a, cin, fl, CC_OP_INCB + size, r, cin, 0, ARITH);
            fl = host_dec[size](a, 0, cin, &r);
            check("dec", size, a, cin, fl, CC_OP_DECB + size, r, cin, 0, ARITH);
            fl = host_neg[size](a, 0, cin, &r);
            check("neg", size, a, 0, fl, CC_OP_SUBB + size, r, a, 0, ARITH);
        }
    }
}

Test(x86_cc, shifts)
{
    for (unsigned size = 0; size < 4; size++) {
        uint64_t m = size_mask[size];
        unsigned bits = 8u << size;
        for (unsigned i = 0; i < NCASES; i++) {
            uint64_t a = operand(i, 0) & m, r;
            /* Counts beyond the operand width leave CF undefined for 8/16-bit operands. */
            unsigned count = 1 + (unsigned)(operand(i, 1) % (bits - 1));
            /* OF is defined for count 1 only; AF is undefined for shifts. */
            uint32_t defined = count == 1 ? NOAF : (NOAF & ~EFLAGS_OF);
            uint32_t fl = host_shl[size](a, count, 0, &r);
            check("shl", size, a, count, fl, CC_OP_SHLB + size, r, (a << (count - 1)) & m, 0,
                  defined);
            fl = host_shr[size](a, count, 0, &r);
            check("shr", size, a, count, fl, CC_OP_SARB + size, r, a >> (count - 1), 0, defined);
            int64_t sa = (int64_t)(a << (64 - bits)) >> (64 - bits);
            fl = host_sar[size](a, count, 0, &r);
            check("sar", size, a, count, fl, CC_OP_SARB + size, r,
                  (uint64_t)(sa >> (count - 1)) & m, 0, defined);
        }
    }
}

/* One-operand MUL/IMUL: AX/DX:AX/EDX:EAX/RDX:RAX = A * operand. */
static uint32_t host_mul(unsigned size, bool sgn, uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t fl, rax = a, rdx = 0;
    switch (size * 2 + sgn) {
    case 0: __asm__ volatile("mulb %b[b]\n\tpushfq\n\tpopq %[fl]" : "+a"(rax), [fl] "=r"(fl) : [b] "q"(b) : "cc"); break;
    case 1: __asm__ volatile("imulb %b[b]\n\tpushfq\n\tpopq %[fl]" : "+a"(rax), [fl] "=r"(fl) : [b] "q"(b) : "cc"); break;
    case 2: __asm__ volatile("mulw %w[b]\n\tpushfq\n\tpopq %[fl]" : "+a"(rax), "+d"(rdx), [fl] "=r"(fl) : [b] "r"(b) : "cc"); break;
    case 3: __asm__ volatile("imulw %w[b]\n\tpushfq\n\tpopq %[fl]" : "+a"(rax), "+d"(rdx), [fl] "=r"(fl) : [b] "r"(b) : "cc"); break;
    case 4: __asm__ volatile("mull %k[b]\n\tpushfq\n\tpopq %[fl]" : "+a"(rax), "+d"(rdx), [fl] "=r"(fl) : [b] "r"(b) : "cc"); break;
    case 5: __asm__ volatile("imull %k[b]\n\tpushfq\n\tpopq %[fl]" : "+a"(rax), "+d"(rdx), [fl] "=r"(fl) : [b] "r"(b) : "cc"); break;
    case 6: __asm__ volatile("mulq %q[b]\n\tpushfq\n\tpopq %[fl]" : "+a"(rax), "+d"(rdx), [fl] "=r"(fl) : [b] "r"(b) : "cc"); break;
    default: __asm__ volatile("imulq %q[b]\n\tpushfq\n\tpopq %[fl]" : "+a"(rax), "+d"(rdx), [fl] "=r"(fl) : [b] "r"(b) : "cc"); break;
    }
    if (size == 0) {
        *lo = rax & 0xff;
        *hi = (rax >> 8) & 0xff;
    } else {
        *lo = rax & size_mask[size];
        *hi = rdx & size_mask[size];
    }
    return (uint32_t)fl;
}

Test(x86_cc, mul_imul)
{
    for (unsigned size = 0; size < 4; size++) {
        uint64_t m = size_mask[size];
        unsigned bits = 8u << size;
        for (unsigned i = 0; i < NCASES; i++) {
            uint64_t a = operand(i, 0) & m, b = operand(i, 1) & m, lo, hi;
            /* SF/ZF/AF/PF are undefined after MUL/IMUL (Intel SDM 2, MUL). */
            uint32_t defined = EFLAGS_CF | EFLAGS_OF;
            uint32_t fl = host_mul(size, false, a, b, &lo, &hi);
            check("mul", size, a, b, fl, CC_OP_MULB + size, lo, hi, 0, defined);
            fl = host_mul(size, true, a, b, &lo, &hi);
            uint64_t sext = (lo >> (bits - 1)) & 1 ? m : 0;
            check("imul", size, a, b, fl, CC_OP_MULB + size, lo, (hi - sext) & m, 0, defined);
        }
    }
}

Test(x86_cc, popcnt_blsr_adx)
{
    for (unsigned i = 0; i < NCASES; i++) {
        uint64_t a = operand(i, 0), r, fl;
        if (__builtin_cpu_supports("popcnt")) {
            __asm__ volatile("popcntq %[a], %[r]\n\tpushfq\n\tpopq %[fl]" : [r] "=r"(r), [fl] "=r"(fl) : [a] "r"(a) : "cc");
            check("popcnt", 3, a, 0, (uint32_t)fl, CC_OP_POPCNT, r, a, 0, ARITH);
        }
        if (__builtin_cpu_supports("bmi")) {
            /* BLSR: ZF, SF, CF (source == 0), OF = 0 defined; AF, PF undefined. */
            __asm__ volatile("blsrq %[a], %[r]\n\tpushfq\n\tpopq %[fl]" : [r] "=r"(r), [fl] "=r"(fl) : [a] "r"(a) : "cc");
            check("blsr", 3, a, 0, (uint32_t)fl, CC_OP_BMILGQ, r, a, 0, NOAF & ~EFLAGS_PF);
            uint32_t a32 = (uint32_t)a, r32;
            __asm__ volatile("blsrl %[a], %[r]\n\tpushfq\n\tpopq %[fl]" : [r] "=r"(r32), [fl] "=r"(fl) : [a] "r"(a32) : "cc");
            check("blsr", 2, a32, 0, (uint32_t)fl, CC_OP_BMILGL, r32, a32, 0, NOAF & ~EFLAGS_PF);
        }
    }
    /* ADCX/ADOX are computed by the translator; check the flag placement of the three ops. */
    uint32_t f = EFLAGS_ZF | EFLAGS_OF | EFLAGS_PF;
    cr_assert_eq(x86_cc_compute_all(CC_OP_ADCX, 1, f, 0), f | EFLAGS_CF);
    cr_assert_eq(x86_cc_compute_all(CC_OP_ADOX, 0, f | EFLAGS_CF, 0), (f | EFLAGS_CF) & ~EFLAGS_OF);
    cr_assert_eq(x86_cc_compute_all(CC_OP_ADCOX, 0, f | EFLAGS_CF, 1), f);
    cr_assert_eq(x86_cc_compute_c_all(CC_OP_ADCOX, 1, 0, 0), 1);
}

Test(x86_cc, env_and_eflags_roundtrip)
{
    X86CPUState env = { 0 };
    env.cc_op = CC_OP_SUBB;
    env.cc_dst = 0xff;   /* 0 - 1 */
    env.cc_src = 1;
    cr_assert_eq(x86_cc_compute(&env), EFLAGS_CF | EFLAGS_SF | EFLAGS_AF | EFLAGS_PF);
    cr_assert_eq(x86_cc_compute_c(&env), 1);
    x86_cc_materialize(&env);
    cr_assert_eq(env.cc_op, CC_OP_EFLAGS);
    cr_assert_eq(x86_cc_compute(&env), EFLAGS_CF | EFLAGS_SF | EFLAGS_AF | EFLAGS_PF);
}

