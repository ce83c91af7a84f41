/* test-x86-fpu-soft.c: softfloat80 against the host x87 (the oracle): results and exception
 * flags, bit for bit, for random and edge operands in every rounding and precision mode. */
#include <criterion/criterion.h>
#include "cpu/x86/softfloat80.h"

static uint64_t rs = 0x243f6a8885a308d3ULL;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static Float80 special(unsigned k)
{
    static const Float80 sp[] = {
        { 0, 0 }, { 0, 0x8000 },                                   /* +-0 */
        { 1ULL << 63, 0x7fff }, { 1ULL << 63, 0xffff },             /* +-inf */
        { 0xc000000000000000ULL, 0x7fff }, { 0xc000000000000000ULL, 0xffff },  /* QNaN, indefinite */
        { 0xc000000000001234ULL, 0x7fff }, { 0xa000000000000000ULL, 0x7fff },  /* QNaN payload, SNaN */
        { 0x8000000000000321ULL, 0xffff },                          /* SNaN */
        { 1, 0 }, { 0x7fffffffffffffffULL, 0x8000 },                /* denormals */
        { 0x8000000000000000ULL, 0 }, { 0x8000000000000001ULL, 0x8000 },  /* pseudo-denormals */
        { 0x4000000000000000ULL, 0x3fff },                          /* unnormal */
        { 0x8000000000000000ULL, 0x3fff }, { 0x8000000000000000ULL, 0xbfff },  /* +-1 */
        { 0xffffffffffffffffULL, 0x7ffe }, { 0x8000000000000000ULL, 0x0001 },  /* max, min normal */
        { 0x8000000000000000ULL, 0x403e }, { 0xffffffffffffffffULL, 0x403d },  /* 2^63, ~2^63 */
    };
    return sp[k % ARRAY_SIZE(sp)];
}

static Float80 random_f80(void)
{
    uint64_t r = rnd();
    unsigned cls = r % 16;
    bool sign = (r >> 8) & 1;
    uint64_t mant = rnd() | (1ULL << 63);
    if ((r >> 9) & 1)
        mant &= ~0ULL << (rnd() % 64);      /* short significands: exact results and ties */
    mant |= 1ULL << 63;
    unsigned exp;
    switch (cls) {
    case 0:
        return special((unsigned)(r >> 16));
    case 1:
        exp = (unsigned)(rnd() % 70);       /* near and below the normal range */
        if (exp == 0)
            mant &= ~(1ULL << 63);
        break;
    case 2:
        exp = 0x7ffe - (unsigned)(rnd() % 70);
        break;
    default:
        exp = 0x3fff - 80 + (unsigned)(rnd() % 160);
        break;
    }
    return f80_make(sign, exp, mant);
}

/* Operand b near a (cancellation in add/sub, remainders, ties). */
static Float80 nearby(Float80 a)
{
    uint64_t r = rnd();
    Float80 b = a;
    if (f80_exp(a) == 0 || f80_exp(a) == 0x7fff)
        return random_f80();
    int d = (int)(r % 5) - 2;
    b.exp = (uint16_t)((a.exp & 0x8000) | (uint16_t)(f80_exp(a) + d));
    if ((r >> 3) & 1)
        b.exp ^= 0x8000;
    b.mant ^= rnd() >> (r >> 8) % 64;
    b.mant |= 1ULL << 63;
    return b;
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_RNDINT, OP_SCALE, OP_PREM, OP_PREM1, OP_NB };
static const char *const op_names[] = { "add", "sub", "mul", "div", "sqrt", "frndint", "fscale", "fprem", "fprem1" };

/* The host x87: ST0 = a, ST1 = b; returns FSW, *r = ST0 after the operation. */
static uint16_t host_op(int op, Float80 a, Float80 b, uint16_t cw, Float80 *r)
{
    uint16_t sw;
    unsigned char res[10];
    switch (op) {
#define HOST(insn)                                                                              \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t"        \
                     "fnstsw %[sw]\n\tfstpt %[res]\n\tfstp %%st(0)"                             \
                     : [sw] "=m"(sw), [res] "=m"(res) : [a] "m"(a), [b] "m"(b), [cw] "m"(cw)); \
    break;
    case OP_ADD: HOST("fadd %%st(1), %%st")
    case OP_SUB: HOST("fsub %%st(1), %%st")
    case OP_MUL: HOST("fmul %%st(1), %%st")
    case OP_DIV: HOST("fdiv %%st(1), %%st")
    case OP_SQRT: HOST("fsqrt")
    case OP_RNDINT: HOST("frndint")
    case OP_SCALE: HOST("fscale")
    case OP_PREM: HOST("fprem")
    case OP_PREM1: HOST("fprem1")
#undef HOST
    }
    memcpy(r, res, 8);
    memcpy(&r->exp, res + 8, 2);
    return sw;
}

static Float80 soft_op(int op, Float80 a, Float80 b, F80Status *s, uint16_t *cc)
{
    *cc = 0;
    switch (op) {
    case OP_ADD: return f80_add(a, b, s);
    case OP_SUB: return f80_sub(a, b, s);
    case OP_MUL: return f80_mul(a, b, s);
    case OP_DIV: return f80_div(a, b, s);
    case OP_SQRT: return f80_sqrt(a, s);
    case OP_RNDINT: return f80_round_to_int(a, s);
    case OP_SCALE: return f80_scale(a, b, s);
    case OP_PREM: return f80_rem(a, b, false, cc, s);
    default: return f80_rem(a, b, true, cc, s);
    }
}

static unsigned long compared;

static void check_op(int op, Float80 a, Float80 b, uint16_t cw)
{
    Float80 hr, sr;
    uint16_t hsw = host_op(op, a, b, cw, &hr);
    F80Status st = f80_status_from_fpuc(cw);
    uint16_t cc;
    sr = soft_op(op, a, b, &st, &cc);
    uint16_t ssw = st.flags | cc;
    uint16_t mask = 0x3f | FSW_C1;
    if (op == OP_PREM || op == OP_PREM1)
        mask = 0x3f | FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3;
    compared++;
    cr_assert(hr.mant == sr.mant && hr.exp == sr.exp && (hsw & mask) == (ssw & mask),
              "%s cw=%#x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 ": host %04x:%016" PRIx64
              " sw=%#x, soft %04x:%016" PRIx64 " sw=%#x",
              op_names[op], cw, a.exp, a.mant, b.exp, b.mant, hr.exp, hr.mant, hsw & mask, sr.exp,
              sr.mant, ssw & mask);
}

/* All four rounding modes x three precisions, exceptions masked. */
static const uint16_t modes[] = {
    0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x027f, 0x067f, 0x0a7f, 0x0e7f, 0x007f, 0x047f, 0x087f, 0x0c7f,
};

/* VIREO_TEST_SCALE=N multiplies the random iterations (long runs outside make check). */
static unsigned scaled(unsigned n)
{
    const char *e = getenv("VIREO_TEST_SCALE");
    unsigned k = e ? (unsigned)strtoul(e, NULL, 10) : 1;
    return n * (k ? k : 1);
}

static void run_binary(int op, unsigned n)
{
    n = scaled(n);
    for (unsigned i = 0; i < n; i++) {
        Float80 a = random_f80();
        Float80 b = (i & 1) ? nearby(a) : random_f80();
        for (unsigned m = 0; m < ARRAY_SIZE(modes); m++)
            check_op(op, a, b, modes[m]);
    }
}

Test(x86_fpu_soft, add) { run_binary(OP_ADD, 4000); }
Test(x86_fpu_soft, sub) { run_binary(OP_SUB, 4000); }
Test(x86_fpu_soft, mul) { run_binary(OP_MUL, 4000); }
Test(x86_fpu_soft, div) { run_binary(OP_DIV, 4000); }
Test(x86_fpu_soft, sqrt) { run_binary(OP_SQRT, 4000); }
Test(x86_fpu_soft, frndint) { run_binary(OP_RNDINT, 4000); }

Test(x86_fpu_soft, fscale)
{
    for (unsigned i = 0; i < scaled(4000); i++) {
        Float80 a = random_f80();
        Float80 b = f80_from_int64((int64_t)(rnd() % 40000) - 20000);
        if (i % 3 == 0)
            b = random_f80();
        check_op(OP_SCALE, a, b, modes[i % ARRAY_SIZE(modes)]);
    }
}

Test(x86_fpu_soft, fprem_fprem1)
{
    for (unsigned i = 0; i < scaled(4000); i++) {
        Float80 a = random_f80();
        Float80 b = (i & 1) ? nearby(a) : random_f80();
        check_op(OP_PREM, a, b, 0x037f);
        check_op(OP_PREM1, a, b, 0x037f);
    }
}

Test(x86_fpu_soft, specials_all_pairs)
{
    for (unsigned i = 0; i < 20; i++)
        for (unsigned j = 0; j < 20; j++)
            for (int op = 0; op < OP_NB; op++)
                check_op(op, special(i), special(j), 0x037f);
}
