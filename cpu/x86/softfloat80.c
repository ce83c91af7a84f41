/* softfloat80.c: IEEE-754 arithmetic on the x87 80-bit extended format, in software. */
#include "util/osdep.h"
#include <math.h>
#include "cpu/x86/softfloat80.h"

typedef unsigned __int128 u128;

const Float80 f80_default_nan = { 0xc000000000000000ULL, 0xffff };

#define EXP_BIAS 16383
#define EXP_MAX 0x7fff

/* x87 exponent bias adjust for unmasked overflow/underflow (Intel SDM 1, 8.5.4/8.5.5). */
#define EXP_WRAP 24576

static inline int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)v);
}

/* Shift right keeping a sticky bit of everything shifted out. */
static inline u128 shr_sticky(u128 v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v & (((u128)1 << n) - 1)) != 0);
}

static unsigned precision_bits(const F80Status *s)
{
    switch (s->pc) {
    case F80_PC_24: return 24;
    case F80_PC_53: return 53;
    default: return 64;
    }
}

/* Does rounding the discarded bits `rest` (of `width` bits; half = 1 << (width - 1)) with
 * kept LSB `lsb` increment the kept part? */
static inline bool round_up(const F80Status *s, bool sign, u128 rest, u128 half, bool lsb)
{
    switch (s->rc) {
    case F80_RC_NEAR: return rest > half || (rest == half && lsb);
    case F80_RC_DOWN: return sign && rest != 0;
    case F80_RC_UP: return !sign && rest != 0;
    default: return false;
    }
}

/* Round to `prec` bits with exponent range [emin, emax] of the biased exponent (values below
 * 1 are denormals when `denormals`), returning the kept significand with MSB at bit 63 of a
 * u128 (or less for denormals) and the biased exponent. Raises O/U/P into s. */
static Float80 round_pack_range(bool sign, int32_t exp, u128 sig, unsigned prec, F80Status *s)
{
    if (sig == 0)
        return f80_make(sign, 0, 0);
    int lz = clz128(sig);
    sig <<= lz;
    exp -= lz;

    /* Tiny: below the smallest normal. With UE unmasked, the x87 delivers the result with the
     * exponent biased up by 24576 instead of denormalizing. */
    if (exp < 1 && !(s->masks & FSW_UE)) {
        /* Unmasked underflow is signalled for tiny results, exact or not (SDM 1, 4.9.1.5). */
        exp += EXP_WRAP;
        s->flags |= FSW_UE;
    }
    int shift = 128 - (int)prec;            /* bits dropped for normal results */
    bool tiny_before = exp < 1;
    if (exp < 1)
        shift += 1 - exp;                   /* denormal: fewer significant bits */
    u128 kept, rest, half;
    if (shift >= 128) {
        kept = 0;
        rest = sig != 0;                    /* everything becomes sticky */
        half = (u128)1 << 127;
        if (shift == 128) {
            rest = sig;
        } else {
            rest = 1;                       /* far below half */
        }
    } else {
        kept = sig >> shift;
        rest = sig & (((u128)1 << shift) - 1);
        half = (u128)1 << (shift - 1);
    }
    bool inexact = rest != 0;
    bool up = round_up(s, sign, rest, half, kept & 1);
    if (up)
        kept++;
    /* Re-express the result as a 64-bit significand and biased exponent. */
    int32_t rexp;
    uint64_t mant;
    if (exp >= 1) {
        unsigned keep_bits = prec;
        if (kept >> keep_bits) {            /* carried into a new bit */
            kept >>= 1;
            exp++;
        }
        rexp = exp;
        mant = (uint64_t)(kept << (64 - keep_bits));
    } else {
        /* Denormal: kept's bit 0 sits at the precision boundary of the smallest normal. */
        mant = (uint64_t)(kept << (64 - prec));
        rexp = (mant >> 63) ? 1 : 0;        /* rounded up into the normal range */
    }
    if (inexact) {
        s->flags |= FSW_PE;
        if (up)
            s->flags |= FSW_C1;
        /* Tininess after rounding: the rounded result (with unbounded exponent) is below the
         * normal range. */
        bool tiny_after = tiny_before && rexp == 0;
        if (tiny_before && rexp == 1) {
            /* Rounded up to the smallest normal: tiny after rounding only if rounding to the
             * unbounded exponent range would not have reached it. */
            u128 full_kept = sig >> (128 - prec);
            u128 full_rest = sig & (((u128)1 << (128 - prec)) - 1);
            bool full_up = round_up(s, sign, full_rest, (u128)1 << (127 - prec), full_kept & 1);
            tiny_after = exp + (int32_t)((full_kept + full_up) >> prec) < 1;
        }
        if (tiny_after && (s->masks & FSW_UE))
            s->flags |= FSW_UE;
    }
    if (rexp >= EXP_MAX) {
        if (!(s->masks & FSW_OE)) {
            s->flags |= FSW_OE;
            rexp -= EXP_WRAP;
            return f80_make(sign, (unsigned)rexp, mant);
        }
        s->flags |= FSW_OE | FSW_PE;
        /* Overflow: infinity, or the largest finite value when rounding toward zero/away. */
        bool to_inf = s->rc == F80_RC_NEAR || (s->rc == F80_RC_UP && !sign) ||
                      (s->rc == F80_RC_DOWN && sign);
        if (to_inf) {
            s->flags |= FSW_C1;
            return f80_make(sign, EXP_MAX, 1ULL << 63);
        }
        s->flags &= ~FSW_C1;
        return f80_make(sign, EXP_MAX - 1, ~0ULL << (64 - prec));
    }
    return f80_make(sign, (unsigned)rexp, mant);
}

Float80 f80_round_pack(bool sign, int32_t exp, u128 sig, F80Status *s)
{
    return round_pack_range(sign, exp, sig, precision_bits(s), s);
}

/* Unpacked operand: value = sig (MSB at bit 63) * 2^(exp - 16383 - 63). */
typedef struct Unpacked {
    bool sign;
    int32_t exp;
    uint64_t sig;
} Unpacked;

static Unpacked unpack(Float80 a)
{
    Unpacked u = { f80_sign(a), (int32_t)f80_exp(a), a.mant };
    if (u.exp == 0) {
        u.exp = 1;                          /* denormals and pseudo-denormals */
        if (u.sig) {
            int lz = __builtin_clzll(u.sig);
            u.sig <<= lz;
            u.exp -= lz;
        }
    }
    return u;
}

static Float80 quiet(Float80 a)
{
    a.mant |= 1ULL << 62;
    return a;
}

/* Invalid-operand handling shared by the binary operations: NaNs (Intel SDM 1, table 4-7),
 * unsupported encodings, and the denormal-operand flag. Returns true with *r set if the
 * result is decided. */
static bool special_operands(Float80 a, Float80 b, Float80 *r, F80Status *s)
{
    if (f80_is_unsupported(a) || f80_is_unsupported(b)) {
        s->flags |= FSW_IE;
        *r = f80_default_nan;
        return true;
    }
    bool na = f80_is_nan(a), nb = f80_is_nan(b);
    if (na || nb) {
        if (f80_is_snan(a) || f80_is_snan(b))
            s->flags |= FSW_IE;
        if (na && nb && f80_is_snan(a) != f80_is_snan(b)) {
            /* An SNaN and a QNaN: the QNaN. */
            *r = f80_is_snan(a) ? b : a;
        } else if (na && nb) {
            /* Two of a kind: the larger significand (equal: the one with sign clear). */
            Float80 qa = quiet(a), qb = quiet(b);
            if (qa.mant != qb.mant)
                *r = qa.mant > qb.mant ? qa : qb;
            else
                *r = f80_sign(qa) ? qb : qa;
        } else {
            *r = quiet(na ? a : b);
        }
        return true;
    }
    if (f80_is_denormal(a) || f80_is_denormal(b))
        s->flags |= FSW_DE;
    return false;
}

static Float80 invalid(F80Status *s)
{
    /* An invalid operation reports IE alone, even with a denormal operand. */
    s->flags = (s->flags & ~FSW_DE) | FSW_IE;
    return f80_default_nan;
}

static Float80 add_sub(Float80 a, Float80 b, bool negate_b, F80Status *s)
{
    Float80 r;
    if (special_operands(a, b, &r, s))
        return r;
    if (negate_b)
        b = f80_chs(b);
    bool sa = f80_sign(a), sb = f80_sign(b);
    if (f80_is_inf(a) || f80_is_inf(b)) {
        if (f80_is_inf(a) && f80_is_inf(b) && sa != sb)
            return invalid(s);
        return f80_is_inf(a) ? a : b;
    }
    if (f80_is_zero(a) && f80_is_zero(b)) {
        if (sa == sb)
            return a;
        return f80_make(s->rc == F80_RC_DOWN, 0, 0);
    }
    if (f80_is_zero(a) || f80_is_zero(b)) {
        /* x + 0: x itself, but rounded to the precision control (and denormals kept). */
        Unpacked x = unpack(f80_is_zero(a) ? b : a);
        return f80_round_pack(x.sign, x.exp, (u128)x.sig << 64, s);
    }
    Unpacked x = unpack(a), y = unpack(b);
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
        Unpacked t = x; x = y; y = t;
    }
    /* Significands at bits 126..63, leaving bit 127 for a carry. */
    u128 mx = (u128)x.sig << 63, my = shr_sticky((u128)y.sig << 63, x.exp - y.exp);
    u128 m;
    if (x.sign == y.sign) {
        m = mx + my;
    } else {
        m = mx - my;
        if (m == 0)
            return f80_make(s->rc == F80_RC_DOWN, 0, 0);
    }
    /* m's bit 126 has weight 2^(x.exp - bias): with MSB at 127 that is exponent x.exp + 1. */
    return f80_round_pack(x.sign, x.exp + 1, m, s);
}

Float80 f80_add(Float80 a, Float80 b, F80Status *s) { return add_sub(a, b, false, s); }
Float80 f80_sub(Float80 a, Float80 b, F80Status *s) { return add_sub(a, b, true, s); }

Float80 f80_mul(Float80 a, Float80 b, F80Status *s)
{
    Float80 r;
    if (special_operands(a, b, &r, s))
        return r;
    bool sign = f80_sign(a) ^ f80_sign(b);
    if (f80_is_inf(a) || f80_is_inf(b)) {
        if (f80_is_zero(a) || f80_is_zero(b))
            return invalid(s);
        return f80_make(sign, EXP_MAX, 1ULL << 63);
    }
    if (f80_is_zero(a) || f80_is_zero(b))
        return f80_make(sign, 0, 0);
    Unpacked x = unpack(a), y = unpack(b);
    u128 m = (u128)x.sig * y.sig;           /* value m * 2^(ex + ey - 2 bias - 126) */
    return f80_round_pack(sign, x.exp + y.exp - EXP_BIAS + 1, m, s);
}

Float80 f80_div(Float80 a, Float80 b, F80Status *s)
{
    Float80 r;
    if (special_operands(a, b, &r, s))
        return r;
    bool sign = f80_sign(a) ^ f80_sign(b);
    if (f80_is_inf(a)) {
        if (f80_is_inf(b))
            return invalid(s);
        return f80_make(sign, EXP_MAX, 1ULL << 63);
    }
    if (f80_is_inf(b))
        return f80_make(sign, 0, 0);
    if (f80_is_zero(b)) {
        if (f80_is_zero(a))
            return invalid(s);
        s->flags = (s->flags & ~FSW_DE) | FSW_ZE;   /* like IE, ZE hides DE */
        return f80_make(sign, EXP_MAX, 1ULL << 63);
    }
    if (f80_is_zero(a))
        return f80_make(sign, 0, 0);
    Unpacked x = unpack(a), y = unpack(b);
    int32_t exp = x.exp - y.exp + EXP_BIAS;
    int sh = 64;
    if (x.sig >= y.sig) {
        sh = 63;
        exp++;
    }
    u128 num = (u128)x.sig << sh;
    uint64_t q1 = (uint64_t)(num / y.sig);
    u128 rem = num % y.sig;
    uint64_t q2 = (uint64_t)((rem << 64) / y.sig);
    u128 rem2 = (rem << 64) % y.sig;
    u128 m = ((u128)q1 << 64) | q2 | (rem2 != 0);
    /* q1 has its MSB at bit 63: m's MSB at 127 has weight 2^(exp - 1 - bias)... */
    return f80_round_pack(sign, exp - 1, m, s);
}

Float80 f80_sqrt(Float80 a, F80Status *s)
{
    if (f80_is_unsupported(a))
        return invalid(s);
    if (f80_is_nan(a)) {
        if (f80_is_snan(a))
            s->flags |= FSW_IE;
        return quiet(a);
    }
    if (f80_is_zero(a))
        return a;
    if (f80_sign(a))
        return invalid(s);
    if (f80_is_inf(a))
        return a;
    if (f80_is_denormal(a))
        s->flags |= FSW_DE;
    Unpacked x = unpack(a);
    /* value = sig * 2^e with e = exp - bias - 63 and sig normalized (bit 63 set). Take the integer
     * square root q of N = sig * 2^t, t in {63, 64} making e - t even: N is in [2^126, 2^128), so q
     * has exactly 64 bits, and sqrt(value) = sqrt(N) * 2^((e - t) / 2). The remainder r = N - q^2
     * decides the rest: sqrt(N) is q exactly (r = 0), in (q, q + 1/2) (0 < r <= q) or in
     * (q + 1/2, q + 1) (r > q; never a tie), which gives the round bit and the sticky bit. */
    int32_t e = x.exp - EXP_BIAS - 63;
    int t = (e & 1) ? 63 : 64;
    u128 n = (u128)x.sig << t;
    /* A double estimate (53 bits) and one Newton step give q to within one; then make it exact. */
    double est = sqrt((double)n);
    uint64_t q0 = est >= 0x1p64 ? UINT64_MAX : est < 0x1p63 ? 1ull << 63 : (uint64_t)est;
    u128 q1 = ((u128)q0 + n / q0) >> 1;
    uint64_t q = q1 > UINT64_MAX ? UINT64_MAX : (uint64_t)q1;
    while ((u128)q * q > n)
        q--;
    u128 r = n - (u128)q * q;
    while (r > 2 * (u128)q) {                  /* (q + 1)^2 <= n */
        r -= 2 * (u128)q + 1;
        q++;
    }
    u128 m = ((u128)q << 64) | (r > q ? 1ull << 63 : 0) | (r != 0);
    return f80_round_pack(false, 63 + (e - t) / 2 + EXP_BIAS, m, s);
}

Float80 f80_round_to_int(Float80 a, F80Status *s)
{
    if (f80_is_unsupported(a))
        return invalid(s);
    if (f80_is_nan(a)) {
        if (f80_is_snan(a))
            s->flags |= FSW_IE;
        return quiet(a);
    }
    if (f80_is_inf(a) || f80_is_zero(a))
        return a;
    if (f80_is_denormal(a))
        s->flags |= FSW_DE;
    Unpacked x = unpack(a);
    int32_t e = x.exp - EXP_BIAS;           /* value = sig * 2^(e - 63) */
    if (e >= 63)
        return a;
    /* Integer part bits = e + 1; the rest are fraction. */
    int frac_bits = 63 - e;
    u128 v = (u128)x.sig << 64;             /* fraction bits then extend below */
    u128 kept, rest, half;
    if (frac_bits + 64 >= 128) {
        kept = 0;
        rest = v >> 1 | (v & 1);            /* value < 1/2 or more: compare below */
        /* value = sig * 2^(e-63) < 1: compare against 1/2 directly. */
        bool gt_half = e == -1 ? (x.sig << 1) != 0 : false;
        bool eq_half = e == -1 && (x.sig << 1) == 0;
        bool up;
        switch (s->rc) {
        case F80_RC_NEAR: up = gt_half; (void)eq_half; break;
        case F80_RC_DOWN: up = x.sign; break;
        case F80_RC_UP: up = !x.sign; break;
        default: up = false; break;
        }
        s->flags |= FSW_PE;
        if (up)
            s->flags |= FSW_C1;
        (void)rest;
        (void)half;
        return up ? f80_make(x.sign, EXP_BIAS, 1ULL << 63) : f80_make(x.sign, 0, 0);
    }
    int shift = frac_bits + 64;
    kept = v >> shift;
    rest = v & (((u128)1 << shift) - 1);
    half = (u128)1 << (shift - 1);
    if (rest == 0)
        return a;
    s->flags |= FSW_PE;
    bool up = round_up(s, x.sign, rest, half, kept & 1);
    if (up) {
        kept++;
        s->flags |= FSW_C1;
    }
    if (kept == 0)
        return f80_make(x.sign, 0, 0);
    int lz = __builtin_clzll((uint64_t)kept);
    return f80_make(x.sign, (unsigned)(EXP_BIAS + 63 - lz), (uint64_t)kept << lz);
}

int f80_compare(Float80 a, Float80 b, bool quiet_cmp, F80Status *s)
{
    if (f80_is_unsupported(a) || f80_is_unsupported(b)) {
        s->flags |= FSW_IE;
        return 2;
    }
    if (f80_is_nan(a) || f80_is_nan(b)) {
        if (!quiet_cmp || f80_is_snan(a) || f80_is_snan(b))
            s->flags |= FSW_IE;
        return 2;
    }
    if (f80_is_denormal(a) || f80_is_denormal(b))
        s->flags |= FSW_DE;
    if (f80_is_zero(a) && f80_is_zero(b))
        return 0;
    bool sa = f80_sign(a), sb = f80_sign(b);
    if (sa != sb)
        return f80_is_zero(a) && f80_is_zero(b) ? 0 : (sa ? -1 : 1);
    Unpacked x = unpack(a), y = unpack(b);
    if (f80_is_zero(a)) { x.exp = -100000; }
    if (f80_is_zero(b)) { y.exp = -100000; }
    int c;
    if (x.exp != y.exp)
        c = x.exp < y.exp ? -1 : 1;
    else if (x.sig != y.sig)
        c = x.sig < y.sig ? -1 : 1;
    else
        c = 0;
    return sa ? -c : c;
}

Float80 f80_from_int64(int64_t v)
{
    if (v == 0)
        return f80_make(false, 0, 0);
    bool sign = v < 0;
    uint64_t m = sign ? -(uint64_t)v : (uint64_t)v;
    int lz = __builtin_clzll(m);
    return f80_make(sign, (unsigned)(EXP_BIAS + 63 - lz), m << lz);
}

int64_t f80_to_int(Float80 a, int bits, bool truncate, F80Status *s)
{
    int64_t indefinite = (int64_t)(~0ULL << (bits - 1));
    if (f80_is_unsupported(a) || f80_is_nan(a) || f80_is_inf(a)) {
        s->flags |= FSW_IE;
        return indefinite;
    }
    if (f80_is_zero(a))
        return 0;
    /* Stores never report the denormal-operand exception. */
    F80Status t = *s;
    if (truncate)
        t.rc = F80_RC_ZERO;
    t.flags = 0;
    Float80 r = f80_round_to_int(a, &t);
    t.flags &= ~FSW_DE;
    if (f80_is_zero(r)) {
        s->flags |= t.flags;
        return 0;
    }
    int32_t e = (int32_t)f80_exp(r) - EXP_BIAS;
    bool sign = f80_sign(r);
    /* |r| must fit: < 2^(bits-1), or exactly 2^(bits-1) when negative. */
    if (e > bits - 1 || (e == bits - 1 && !(sign && r.mant == (1ULL << 63)))) {
        s->flags |= FSW_IE;
        return indefinite;
    }
    s->flags |= t.flags;
    uint64_t mag = r.mant >> (63 - e);
    return sign ? (int64_t)(0 - mag) : (int64_t)mag;
}

/* Binary32/binary64 <-> extended: fields of the narrower format. */
typedef struct FmtInfo { int mant_bits, exp_bits, bias; } FmtInfo;
static const FmtInfo fmt32 = { 23, 8, 127 }, fmt64 = { 52, 11, 1023 };

static Float80 from_narrow(uint64_t v, const FmtInfo *f, F80Status *s)
{
    bool sign = (v >> (f->mant_bits + f->exp_bits)) & 1;
    unsigned emax = (1u << f->exp_bits) - 1;
    unsigned e = (v >> f->mant_bits) & emax;
    uint64_t m = v & ((1ULL << f->mant_bits) - 1);
    if (e == emax) {
        if (m == 0)
            return f80_make(sign, EXP_MAX, 1ULL << 63);
        if (!((m >> (f->mant_bits - 1)) & 1))
            s->flags |= FSW_IE;             /* SNaN: quieted */
        return f80_make(sign, EXP_MAX, (1ULL << 63) | (1ULL << 62) | (m << (63 - f->mant_bits)));
    }
    if (e == 0) {
        if (m == 0)
            return f80_make(sign, 0, 0);
        s->flags |= FSW_DE;
        int lz = __builtin_clzll(m);
        /* value = m * 2^(1 - bias - mant_bits) */
        return f80_make(sign, (unsigned)(1 - f->bias - f->mant_bits + EXP_BIAS + 63 - lz), m << lz);
    }
    return f80_make(sign, e - f->bias + EXP_BIAS, (1ULL << 63) | (m << (63 - f->mant_bits)));
}

Float80 f80_from_f32(uint32_t v, F80Status *s) { return from_narrow(v, &fmt32, s); }
Float80 f80_from_f64(uint64_t v, F80Status *s) { return from_narrow(v, &fmt64, s); }

static uint64_t to_narrow(Float80 a, const FmtInfo *f, F80Status *s)
{
    uint64_t sign = (uint64_t)f80_sign(a) << (f->mant_bits + f->exp_bits);
    uint64_t emax = (1ULL << f->exp_bits) - 1;
    uint64_t inf = sign | (emax << f->mant_bits);
    if (f80_is_unsupported(a)) {
        s->flags |= FSW_IE;
        return inf | (1ULL << (f->mant_bits + f->exp_bits)) | (1ULL << (f->mant_bits - 1));
    }
    if (f80_is_nan(a)) {
        if (f80_is_snan(a))
            s->flags |= FSW_IE;
        return inf | (1ULL << (f->mant_bits - 1)) | ((a.mant << 1) >> (64 - f->mant_bits));
    }
    if (f80_is_inf(a))
        return inf;
    if (f80_is_zero(a))
        return sign;
    Unpacked x = unpack(a);
    /* Round to the target: precision mant_bits + 1, exponent range of the target. Reuse the
     * extended rounding by rebiasing: target biased exponent = exp - 16383 + bias. */
    int32_t te = x.exp - EXP_BIAS + f->bias;
    u128 sig = (u128)x.sig << 64;
    unsigned prec = (unsigned)f->mant_bits + 1;
    int shift = 128 - (int)prec;
    bool tiny_before = te < 1;
    if (te < 1)
        shift += 1 - te;
    u128 kept, rest, half;
    if (shift >= 128) {
        kept = 0;
        rest = 1;
        half = (u128)1 << 127;
        if (shift == 128)
            rest = sig;
    } else {
        kept = sig >> shift;
        rest = sig & (((u128)1 << shift) - 1);
        half = (u128)1 << (shift - 1);
    }
    bool up = round_up(s, x.sign, rest, half, kept & 1);
    if (rest) {
        s->flags |= FSW_PE;
        if (up)
            s->flags |= FSW_C1;
    }
    if (up)
        kept++;
    uint64_t bits;
    if (te >= 1) {
        if (kept >> prec) {
            kept >>= 1;
            te++;
        }
        if (te >= (int32_t)emax) {
            s->flags |= FSW_OE | FSW_PE;
            bool to_inf = s->rc == F80_RC_NEAR || (s->rc == F80_RC_UP && !x.sign) ||
                          (s->rc == F80_RC_DOWN && x.sign);
            if (to_inf) {
                s->flags |= FSW_C1;
                return inf;
            }
            s->flags &= ~FSW_C1;
            return sign | ((emax - 1) << f->mant_bits) | ((1ULL << f->mant_bits) - 1);
        }
        bits = sign | ((uint64_t)te << f->mant_bits) | ((uint64_t)kept & ((1ULL << f->mant_bits) - 1));
    } else {
        /* kept is the denormal significand; a carry into bit mant_bits makes it normal. */
        bits = sign | (uint64_t)kept;
        if (rest) {
            bool tiny_after = tiny_before && !(kept >> f->mant_bits);
            if (tiny_before && (kept >> f->mant_bits)) {
                u128 fk = sig >> (128 - prec);
                u128 fr = sig & (((u128)1 << (128 - prec)) - 1);
                bool fu = round_up(s, x.sign, fr, (u128)1 << (127 - prec), fk & 1);
                tiny_after = te + (int32_t)((fk + fu) >> prec) < 1;
            }
            if (tiny_after)
                s->flags |= FSW_UE;
        }
    }
    return bits;
}

uint32_t f80_to_f32(Float80 a, F80Status *s) { return (uint32_t)to_narrow(a, &fmt32, s); }
uint64_t f80_to_f64(Float80 a, F80Status *s) { return to_narrow(a, &fmt64, s); }

Float80 f80_scale(Float80 a, Float80 b, F80Status *s)
{
    Float80 r;
    if (special_operands(a, b, &r, s))
        return r;
    if (f80_is_inf(b)) {
        /* x * 2^+inf = inf (0 * that is invalid); x * 2^-inf = 0 (inf * that is invalid). */
        if (!f80_sign(b)) {
            if (f80_is_zero(a))
                return invalid(s);
            return f80_make(f80_sign(a), EXP_MAX, 1ULL << 63);
        }
        if (f80_is_inf(a))
            return invalid(s);
        return f80_make(f80_sign(a), 0, 0);
    }
    if (f80_is_inf(a) || f80_is_zero(a))
        return a;
    /* trunc(b), clamped: beyond +-2^20 the result is already out of any range. */
    F80Status tt = { F80_RC_ZERO, F80_PC_64, 0x3f, 0 };
    int64_t n;
    int32_t eb = (int32_t)f80_exp(b) - EXP_BIAS;
    if (eb > 30)
        n = f80_sign(b) ? -(1 << 20) : (1 << 20);
    else
        n = f80_to_int(b, 64, true, &tt);
    if (n > (1 << 20)) n = 1 << 20;
    if (n < -(1 << 20)) n = -(1 << 20);
    /* The x87 delivers FSCALE at full precision whatever PC says. */
    Unpacked x = unpack(a);
    F80Status t = *s;
    t.pc = F80_PC_64;
    Float80 res = f80_round_pack(x.sign, x.exp + (int32_t)n, (u128)x.sig << 64, &t);
    s->flags = t.flags;
    return res;
}

Float80 f80_rem(Float80 a, Float80 b, bool round_nearest, uint16_t *fsw_cc, F80Status *s)
{
    Float80 r;
    *fsw_cc = 0;
    if (special_operands(a, b, &r, s))
        return r;
    if (f80_is_inf(a) || f80_is_zero(b))
        return invalid(s);
    if (f80_is_zero(a))
        return a;
    Unpacked x = unpack(a), y = unpack(b);
    if (f80_is_inf(b)) {
        /* The dividend itself, normalized (a pseudo-denormal comes back as a normal). */
        F80Status t = *s;
        t.pc = F80_PC_64;
        return f80_round_pack(x.sign, x.exp, (u128)x.sig << 64, &t);
    }
    int32_t d = x.exp - y.exp;
    if (d < -1 || (d == -1 && !round_nearest)) {
        /* The dividend itself (normalized, exact whatever PC says). */
        F80Status t = *s;
        t.pc = F80_PC_64;
        Float80 res = f80_round_pack(x.sign, x.exp, (u128)x.sig << 64, &t);
        s->flags = t.flags;
        return res;
    }
    u128 q, rem;
    int32_t rexp;                           /* exponent of rem's unit */
    bool partial = d >= 64;
    if (partial) {
        /* Intel reduces the exponent by d - N, 32 <= N <= 63 (SDM 2, FPREM): N = 32 + d mod 32. */
        int n = 32 + (d & 31);
        u128 num = (u128)x.sig << n;
        q = num / y.sig;
        rem = num % y.sig;
        rexp = x.exp - n;
        *fsw_cc |= FSW_C2;
    } else if (d >= 0) {
        u128 num = (u128)x.sig << d;
        q = num / y.sig;
        rem = num % y.sig;
        rexp = y.exp;
    } else {
        q = 0;
        rem = x.sig;                        /* d == -1, FPREM1: compare with y/2 */
        rexp = x.exp;
    }
    bool sign = x.sign;
    if (!partial && round_nearest) {
        /* Nearest: if rem > y/2 (or == with odd q), take y - rem with q + 1. */
        u128 yv = d >= 0 ? (u128)y.sig : (u128)y.sig << 1;   /* in rem's units */
        u128 twice = rem << 1;
        if (twice > yv || (twice == yv && (q & 1))) {
            rem = yv - rem;
            q++;
            sign = !sign;
        }
    }
    if (!partial) {
        if (q & 1) *fsw_cc |= FSW_C1;
        if (q & 2) *fsw_cc |= FSW_C3;
        if (q & 4) *fsw_cc |= FSW_C0;
    }
    if (rem == 0)
        return f80_make(x.sign, 0, 0);
    /* Exact: round_pack only normalizes (and denormalizes, which is exact here too). */
    F80Status t = *s;
    t.pc = F80_PC_64;
    t.flags = 0;
    Float80 res = f80_round_pack(sign, rexp, rem << 64, &t);
    s->flags |= t.flags & ~(FSW_C1 | FSW_PE);
    return res;
}

static const uint8_t bcd_indefinite[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };

Float80 f80_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (bcd[i] >> 4) * 10 + (bcd[i] & 0xf);
    Float80 r = f80_from_int64((int64_t)v);
    if (bcd[9] & 0x80)
        r = f80_chs(r);
    return r;
}

void f80_to_bcd(Float80 a, uint8_t bcd[10], F80Status *s)
{
    F80Status t = *s;
    t.flags = 0;
    int64_t v = f80_to_int(a, 64, false, &t);
    uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
    if ((t.flags & FSW_IE) || mag > 999999999999999999ULL) {
        s->flags |= FSW_IE;
        memcpy(bcd, bcd_indefinite, 10);
        return;
    }
    s->flags |= t.flags;
    for (int i = 0; i < 9; i++) {
        unsigned lo = mag % 10, hi = (mag / 10) % 10;
        mag /= 100;
        bcd[i] = (uint8_t)((hi << 4) | lo);
    }
    bcd[9] = f80_sign(a) ? 0x80 : 0;
}
