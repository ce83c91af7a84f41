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

/* ---- conversions and comparisons ---- */

#define HOST_STORE(fn, insn, T)                                                                 \
    static uint16_t fn(Float80 a, uint16_t cw, T *out)                                          \
    {                                                                                           \
        uint16_t sw;                                                                            \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[o]\n\tfnstsw %[sw]"  \
                         : [sw] "=m"(sw), [o] "=m"(*out) : [a] "m"(a), [cw] "m"(cw));           \
        return sw;                                                                              \
    }
HOST_STORE(host_fist16, "fistps", int16_t)
HOST_STORE(host_fist32, "fistpl", int32_t)
HOST_STORE(host_fist64, "fistpll", int64_t)
HOST_STORE(host_fistt16, "fisttps", int16_t)
HOST_STORE(host_fistt32, "fisttpl", int32_t)
HOST_STORE(host_fistt64, "fisttpll", int64_t)
HOST_STORE(host_fst32, "fstps", uint32_t)
HOST_STORE(host_fst64, "fstpl", uint64_t)

typedef struct Bcd { uint8_t b[10]; } Bcd;
HOST_STORE(host_fbstp, "fbstp", Bcd)

static Float80 random_int_range(void)
{
    /* Values around the integer ranges' edges, and halves for rounding. */
    uint64_t r = rnd();
    int bits = 14 + (int)(r % 52);
    int64_t v = (int64_t)(rnd() >> (64 - bits));
    if (r & 0x100)
        v = -v;
    Float80 f = f80_from_int64(v);
    if (r & 0x200) {
        F80Status s = f80_status_from_fpuc(0x37f);
        f = f80_div(f, f80_from_int64(1 + (int64_t)(rnd() % 7)), &s);
    }
    return (r & 0x3000) == 0x3000 ? random_f80() : f;
}

Test(x86_fpu_soft, to_int)
{
    for (unsigned i = 0; i < scaled(3000); i++) {
        Float80 a = random_int_range();
        for (unsigned m = 0; m < 4; m++) {
            uint16_t cw = modes[m];
            for (int k = 0; k < 6; k++) {
                int bits = 16 << (k % 3);
                bool trunc = k >= 3;
                int64_t h = 0;
                int16_t h16;
                int32_t h32;
                uint16_t sw;
                switch (k) {
                case 0: sw = host_fist16(a, cw, &h16); h = h16; break;
                case 1: sw = host_fist32(a, cw, &h32); h = h32; break;
                case 2: sw = host_fist64(a, cw, &h); break;
                case 3: sw = host_fistt16(a, cw, &h16); h = h16; break;
                case 4: sw = host_fistt32(a, cw, &h32); h = h32; break;
                default: sw = host_fistt64(a, cw, &h); break;
                }
                F80Status st = f80_status_from_fpuc(cw);
                int64_t s = f80_to_int(a, bits, trunc, &st);
                if (bits == 16) s = (int16_t)s;
                if (bits == 32) s = (int32_t)s;
                uint16_t mask = 0x3f | FSW_C1;
                compared++;
                cr_assert(h == s && (sw & mask) == (st.flags & mask),
                          "fist%s%d cw=%#x a=%04x:%016" PRIx64 ": host %" PRId64 " sw=%#x soft %" PRId64
                          " sw=%#x", trunc ? "t" : "", bits, cw, a.exp, a.mant, h, sw & mask, s,
                          st.flags & mask);
            }
        }
    }
}

Test(x86_fpu_soft, to_f32_f64)
{
    for (unsigned i = 0; i < scaled(6000); i++) {
        Float80 a = random_f80();
        /* Also values in the float/double denormal and overflow ranges. */
        if (i % 3 == 1)
            a.exp = (uint16_t)((a.exp & 0x8000) | (0x3fff - 126 - (rnd() % 30)));
        if (i % 3 == 2)
            a.exp = (uint16_t)((a.exp & 0x8000) | (0x3fff - 1022 - (rnd() % 60)));
        if (i % 7 == 3)
            a.exp = (uint16_t)((a.exp & 0x8000) | (0x3fff + 127 + (rnd() % 3)));
        if (f80_exp(a) != 0)
            a.mant |= 1ULL << 63;
        for (unsigned m = 0; m < 4; m++) {
            uint16_t cw = modes[m];
            uint32_t h32;
            uint64_t h64;
            uint16_t mask = 0x3f | FSW_C1;
            uint16_t sw = host_fst32(a, cw, &h32);
            F80Status st = f80_status_from_fpuc(cw);
            uint32_t s32 = f80_to_f32(a, &st);
            compared++;
            cr_assert(h32 == s32 && (sw & mask) == (st.flags & mask),
                      "fst32 cw=%#x a=%04x:%016" PRIx64 ": host %08x sw=%#x soft %08x sw=%#x", cw,
                      a.exp, a.mant, h32, sw & mask, s32, st.flags & mask);
            sw = host_fst64(a, cw, &h64);
            st = f80_status_from_fpuc(cw);
            uint64_t s64 = f80_to_f64(a, &st);
            cr_assert(h64 == s64 && (sw & mask) == (st.flags & mask),
                      "fst64 cw=%#x a=%04x:%016" PRIx64 ": host %016" PRIx64 " sw=%#x soft %016" PRIx64
                      " sw=%#x", cw, a.exp, a.mant, h64, sw & mask, s64, st.flags & mask);
        }
    }
}

Test(x86_fpu_soft, from_f32_f64)
{
    for (unsigned i = 0; i < scaled(20000); i++) {
        uint64_t r = rnd();
        uint32_t v32 = (uint32_t)r;
        uint64_t v64 = rnd();
        if (i & 1) {
            v32 &= 0x807fffff;              /* denormals and zeros */
            v64 &= 0x800fffffffffffffULL;
        } else if (i & 2) {
            v32 |= 0x7f800000;              /* inf and NaNs */
            v64 |= 0x7ff0000000000000ULL;
        }
        Float80 h;
        uint16_t sw;
        unsigned char res[10];
        __asm__ volatile("fninit\n\tflds %[v]\n\tfnstsw %[sw]\n\tfstpt %[r]"
                         : [sw] "=m"(sw), [r] "=m"(res) : [v] "m"(v32));
        memcpy(&h.mant, res, 8);
        memcpy(&h.exp, res + 8, 2);
        F80Status st = f80_status_from_fpuc(0x37f);
        Float80 s = f80_from_f32(v32, &st);
        compared++;
        cr_assert(h.mant == s.mant && h.exp == s.exp && (sw & 0x3f) == (st.flags & 0x3f),
                  "flds %08x: host %04x:%016" PRIx64 " sw=%#x soft %04x:%016" PRIx64 " sw=%#x", v32,
                  h.exp, h.mant, sw & 0x3f, s.exp, s.mant, st.flags & 0x3f);
        __asm__ volatile("fninit\n\tfldl %[v]\n\tfnstsw %[sw]\n\tfstpt %[r]"
                         : [sw] "=m"(sw), [r] "=m"(res) : [v] "m"(v64));
        memcpy(&h.mant, res, 8);
        memcpy(&h.exp, res + 8, 2);
        st = f80_status_from_fpuc(0x37f);
        s = f80_from_f64(v64, &st);
        cr_assert(h.mant == s.mant && h.exp == s.exp && (sw & 0x3f) == (st.flags & 0x3f),
                  "fldl %016" PRIx64 ": host %04x:%016" PRIx64 " sw=%#x soft %04x:%016" PRIx64 " sw=%#x",
                  v64, h.exp, h.mant, sw & 0x3f, s.exp, s.mant, st.flags & 0x3f);
    }
}

Test(x86_fpu_soft, compare)
{
    for (unsigned i = 0; i < scaled(20000); i++) {
        Float80 a = random_f80(), b = (i & 1) ? nearby(a) : random_f80();
        if (i % 5 == 0)
            b = a;
        for (int quiet = 0; quiet < 2; quiet++) {
            uint16_t sw;
            if (quiet)
                __asm__ volatile("fninit\n\tfldt %[b]\n\tfldt %[a]\n\tfucom %%st(1)\n\tfnstsw %[sw]\n\tfninit"
                                 : [sw] "=m"(sw) : [a] "m"(a), [b] "m"(b));
            else
                __asm__ volatile("fninit\n\tfldt %[b]\n\tfldt %[a]\n\tfcom %%st(1)\n\tfnstsw %[sw]\n\tfninit"
                                 : [sw] "=m"(sw) : [a] "m"(a), [b] "m"(b));
            F80Status st = f80_status_from_fpuc(0x37f);
            int c = f80_compare(a, b, quiet, &st);
            static const uint16_t cc[4] = { FSW_C0, FSW_C3, 0, FSW_C0 | FSW_C2 | FSW_C3 };
            uint16_t ssw = cc[c < 0 ? 0 : c == 0 ? 1 : c == 1 ? 2 : 3] | st.flags;
            uint16_t mask = 0x3f | FSW_C0 | FSW_C2 | FSW_C3;
            compared++;
            cr_assert_eq(sw & mask, ssw & mask, "f%scom a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64
                         ": host %#x soft %#x", quiet ? "u" : "", a.exp, a.mant, b.exp, b.mant,
                         sw & mask, ssw & mask);
        }
    }
}

Test(x86_fpu_soft, bcd)
{
    for (unsigned i = 0; i < scaled(5000); i++) {
        Float80 a = random_int_range();
        if (i % 4 == 0)
            a = f80_from_int64((int64_t)(rnd() % 2000000000000000000ULL) - 1000000000000000000LL);
        for (unsigned m = 0; m < 4; m++) {
            Bcd h, s;
            uint16_t sw = host_fbstp(a, modes[m], &h);
            F80Status st = f80_status_from_fpuc(modes[m]);
            f80_to_bcd(a, s.b, &st);
            uint16_t mask = 0x3f | FSW_C1;
            compared++;
            cr_assert(!memcmp(h.b, s.b, 10) && (sw & mask) == (st.flags & mask),
                      "fbstp cw=%#x a=%04x:%016" PRIx64 " sw host %#x soft %#x", modes[m], a.exp,
                      a.mant, sw & mask, st.flags & mask);
            if (!(st.flags & FSW_IE)) {
                /* FBLD of what FBSTP wrote gives back the rounded integer. */
                Float80 back = f80_from_bcd(s.b);
                F80Status t = f80_status_from_fpuc(modes[m]);
                Float80 ri = f80_round_to_int(a, &t);
                cr_assert(back.mant == ri.mant && (back.exp == ri.exp || f80_is_zero(ri)));
            }
        }
    }
}
