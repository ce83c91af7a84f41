/* sse_helper_fp.c: SSE/SSE2/SSE3/SSE4.1 floating point with MXCSR semantics (Intel SDM 1,
 * ch. 10-11): rounding control, DAZ, FTZ, the six exception flags and their masks, and the
 * SSE NaN rules (the first source's NaN wins; the default NaN is negative).
 *
 * The arithmetic itself is IEEE-754 binary32/binary64 in the host's rounding mode (set from
 * MXCSR.RC, flags read back from the host); everything x86-specific —
 * NaN selection, DAZ/FTZ, the denormal-operand flag, MIN/MAX and compare semantics — is
 * done here on the bit patterns, so the results do not depend on the host's own conventions.
 */
#include "util/osdep.h"
#include "util/log.h"
#include <fenv.h>
#include <math.h>
#include "cpu/x86/helper.h"
#include "cpu/x86/excp.h"
#include "cpu/x86/cc.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

/* MXCSR (SDM 1, 10.2.3). */
#define MX_IE 0x01
#define MX_DE 0x02
#define MX_ZE 0x04
#define MX_OE 0x08
#define MX_UE 0x10
#define MX_PE 0x20
#define MX_DAZ 0x40
#define MX_MASK_SHIFT 7
#define MX_RC_SHIFT 13
#define MX_FTZ 0x8000

typedef struct SSEFP {
    uint32_t mxcsr;
    uint32_t flags;          /* MX_IE..MX_PE raised by this instruction */
    uint32_t host_env;       /* the host's rounding mode (and, on x86-64, its whole MXCSR) */
} SSEFP;

#if defined(__x86_64__)
/* On an x86-64 host the arithmetic below is SSE code: set and read the host's MXCSR directly. Its
 * exception flags have the guest's layout. fenv.h would also save and reload the x87 environment,
 * which costs far more than the operation. LDMXCSR itself is slow, so the host's flags are left
 * set afterwards, and flags the guest already has (masked) need not be cleared first: seeing them
 * again changes nothing. */
static inline void host_fp_begin(SSEFP *f, int rc)
{
    uint32_t keep = f->mxcsr & (f->mxcsr >> MX_MASK_SHIFT) & 0x3f;
    asm volatile("stmxcsr %0" : "=m"(f->host_env));
    uint32_t m = 0x1f80u | ((uint32_t)rc << MX_RC_SHIFT) | (f->host_env & keep);  /* all masked */
    if (m != f->host_env)
        asm volatile("ldmxcsr %0" :: "m"(m));
}

static inline uint32_t host_fp_end(SSEFP *f)
{
    uint32_t m;
    asm volatile("stmxcsr %0" : "=m"(m) :: "memory");
    if ((m ^ f->host_env) & ~0x3fu) {                         /* restore the host's controls */
        uint32_t r = (f->host_env & ~0x3fu) | (m & 0x3f);
        asm volatile("ldmxcsr %0" :: "m"(r));
    }
    return m & (MX_IE | MX_ZE | MX_OE | MX_UE | MX_PE);      /* DE is computed on the inputs */
}
#else
static const int rc_to_fenv[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };

static inline void host_fp_begin(SSEFP *f, int rc)
{
    f->host_env = (uint32_t)fegetround();
    fesetround(rc_to_fenv[rc]);
    feclearexcept(FE_ALL_EXCEPT);
}

static inline uint32_t host_fp_end(SSEFP *f)
{
    int e = fetestexcept(FE_ALL_EXCEPT);
    uint32_t flags = 0;
    fesetround((int)f->host_env);
    feclearexcept(FE_ALL_EXCEPT);
    if (e & FE_INVALID) flags |= MX_IE;
    if (e & FE_DIVBYZERO) flags |= MX_ZE;
    if (e & FE_OVERFLOW) flags |= MX_OE;
    if (e & FE_UNDERFLOW) flags |= MX_UE;
    if (e & FE_INEXACT) flags |= MX_PE;
    return flags;
}
#endif

static void fp_begin(X86CPUState *env, SSEFP *f, int rc_override)
{
    f->mxcsr = env->mxcsr;
    f->flags = 0;
    host_fp_begin(f, rc_override >= 0 ? rc_override : (int)((env->mxcsr >> MX_RC_SHIFT) & 3));
}

/* Collect the host's flags, restore its rounding mode; true if the result may be written.
 * An unmasked exception raises #XM (or #UD without CR4.OSXMMEXCPT) with the flags set and
 * the destination unchanged (SDM 1, 11.5.1). */
static bool fp_end(X86CPUState *env, SSEFP *f, uintptr_t ra)
{
    f->flags |= host_fp_end(f);
    env->mxcsr |= f->flags;
    uint32_t unmasked = f->flags & ~(env->mxcsr >> MX_MASK_SHIFT) & 0x3f;
    if (unmasked) {
        if (env->cr[4] & CR4_OSXMMEXCPT)
            x86_raise_exception_ra(env, EXCP_XM, 0, false, ra);
        x86_raise_exception_ra(env, EXCP_UD, 0, false, ra);
    }
    return true;
}

/* ---- binary32 / binary64 on bit patterns, generated for both formats ---- */

#define DEFINE_FORMAT(SUF, UT, FT, EXPBITS, MANTBITS)                                           \
    static const UT SUF##_sign = (UT)1 << (EXPBITS + MANTBITS);                                 \
    static const UT SUF##_expmask = (((UT)1 << EXPBITS) - 1) << MANTBITS;                       \
    static const UT SUF##_mantmask = ((UT)1 << MANTBITS) - 1;                                   \
    static const UT SUF##_qbit = (UT)1 << (MANTBITS - 1);                                       \
    static const UT SUF##_default_nan = ((((UT)1 << EXPBITS) - 1) << MANTBITS) |                \
                                        ((UT)1 << (MANTBITS - 1)) | ((UT)1 << (EXPBITS + MANTBITS)); \
    static inline bool SUF##_is_nan(UT v) { return (v & SUF##_expmask) == SUF##_expmask && (v & SUF##_mantmask); } \
    static inline bool SUF##_is_snan(UT v) { return SUF##_is_nan(v) && !(v & SUF##_qbit); }    \
    static inline bool SUF##_is_denormal(UT v) { return !(v & SUF##_expmask) && (v & SUF##_mantmask); } \
    static inline bool SUF##_is_zero(UT v) { return !(v & ~SUF##_sign); }                      \
    static inline bool SUF##_is_inf(UT v) { return (v & ~SUF##_sign) == SUF##_expmask; }       \
    static inline FT SUF##_f(UT v) { FT f; memcpy(&f, &v, sizeof(f)); return f; }             \
    static inline UT SUF##_u(FT f) { UT v; memcpy(&v, &f, sizeof(v)); return v; }             \
    /* DAZ and the denormal-operand flag for one input. */                                      \
    static inline UT SUF##_input(UT v, SSEFP *f)                                                \
    {                                                                                           \
        if (SUF##_is_denormal(v)) {                                                             \
            if (f->mxcsr & MX_DAZ)                                                              \
                return v & SUF##_sign;                                                          \
            f->flags |= MX_DE;                                                                  \
        }                                                                                       \
        return v;                                                                               \
    }                                                                                           \
    /* FTZ (with UE masked), and the x86 default NaN for invalid results. */                   \
    static inline UT SUF##_output(UT r, SSEFP *f)                                               \
    {                                                                                           \
        if (SUF##_is_nan(r))                                                                    \
            return SUF##_default_nan;                                                           \
        if ((f->mxcsr & MX_FTZ) && ((f->mxcsr >> MX_MASK_SHIFT) & MX_UE) &&                    \
            SUF##_is_denormal(r)) {                                                             \
            f->flags |= MX_UE | MX_PE;                                                          \
            return r & SUF##_sign;                                                              \
        }                                                                                       \
        return r;                                                                               \
    }                                                                                           \
    static inline bool SUF##_is_normal(UT v)                                                    \
    {                                                                                           \
        UT e = v & SUF##_expmask;                                                               \
        return e && e != SUF##_expmask;                                                         \
    }                                                                                           \
    /* See fast_mxcsr: r = a op b (add, sub, mul, div) if nothing but PE can arise from it. */  \
    static inline bool SUF##_fast(int op, UT a, UT b, UT *r)                                    \
    {                                                                                           \
        if (!(SUF##_is_normal(a) || SUF##_is_zero(a)) ||                                        \
            !(SUF##_is_normal(b) || (op != OP_DIV && SUF##_is_zero(b))))                        \
            return false;                                                                       \
        FT x = SUF##_f(a), y = SUF##_f(b);                                                      \
        *r = SUF##_u(op == OP_ADD ? x + y : op == OP_SUB ? x - y : op == OP_MUL ? x * y : x / y);\
        return SUF##_is_normal(*r);                                                             \
    }                                                                                           \
    enum { SUF##_dummy };

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MIN, OP_MAX, OP_SQRT };

DEFINE_FORMAT(s32, uint32_t, float, 8, 23)
DEFINE_FORMAT(s64, uint64_t, double, 11, 52)

/* The common case needs neither the host's flags nor its rounding mode set: with MXCSR's default
 * controls (round to nearest, every exception masked) and PE already set, an add, subtract,
 * multiply or divide of normal (or zero) inputs whose result is normal raises nothing new (no
 * NaN, infinity, denormal, overflow or underflow is involved; only PE, which is set). The host,
 * which rounds to nearest outside fp_begin/fp_end, computes it directly. */
static inline bool fast_mxcsr(const X86CPUState *env)
{
    uint32_t controls = (0x3fu << MX_MASK_SHIFT) | (3u << MX_RC_SHIFT) | MX_PE;
    return (env->mxcsr & controls) == ((0x3fu << MX_MASK_SHIFT) | MX_PE);
}

#define DEFINE_BINOP(SUF, UT, FT, SQRT)                                                         \
    static UT SUF##_binop(int op, UT a, UT b, SSEFP *f)                                         \
    {                                                                                           \
        bool na = SUF##_is_nan(a), nb = SUF##_is_nan(b);                                        \
        if (op == OP_MIN || op == OP_MAX) {                                                     \
            /* MIN/MAX: any NaN is invalid and gives the second operand (SDM 2, MINPS). */      \
            if (na || nb) {                                                                     \
                f->flags |= MX_IE;                                                              \
                if (SUF##_is_denormal(b) && (f->mxcsr & MX_DAZ))                                \
                    b &= SUF##_sign;     /* the second operand, after DAZ */                    \
                return b;                                                                       \
            }                                                                                   \
            UT da = SUF##_input(a, f), db = SUF##_input(b, f);                                  \
            volatile FT x = SUF##_f(da), y = SUF##_f(db);                                       \
            bool pick_a = op == OP_MIN ? x < y : x > y;                                         \
            return pick_a ? da : db;                                                            \
        }                                                                                       \
        if (op == OP_SQRT) {                                                                    \
            if (nb) {                                                                           \
                if (SUF##_is_snan(b))                                                           \
                    f->flags |= MX_IE;                                                          \
                return b | SUF##_qbit;                                                          \
            }                                                                                   \
            /* The square root of a negative denormal is invalid, without DE. */                \
            uint32_t de = f->flags & MX_DE;                                                     \
            b = SUF##_input(b, f);                                                              \
            if ((b & SUF##_sign) && !SUF##_is_zero(b))                                          \
                f->flags = (f->flags & ~MX_DE) | de;                                            \
            volatile FT y = SUF##_f(b);                                                         \
            volatile FT r = SQRT(y);                                                            \
            return SUF##_output(SUF##_u(r), f);                                                 \
        }                                                                                       \
        if (na || nb) {                                                                         \
            if (SUF##_is_snan(a) || SUF##_is_snan(b))                                           \
                f->flags |= MX_IE;                                                              \
            return (na ? a : b) | SUF##_qbit;                                                   \
        }                                                                                       \
        uint32_t de = f->flags & MX_DE;                                                         \
        a = SUF##_input(a, f);                                                                  \
        b = SUF##_input(b, f);                                                                  \
        /* Division by zero reports ZE alone, even with a denormal dividend. */                 \
        if (op == OP_DIV && SUF##_is_zero(b))                                                   \
            f->flags = (f->flags & ~MX_DE) | de;                                                \
        volatile FT x = SUF##_f(a), y = SUF##_f(b), r;                                          \
        switch (op) {                                                                           \
        case OP_ADD: r = x + y; break;                                                          \
        case OP_SUB: r = x - y; break;                                                          \
        case OP_MUL: r = x * y; break;                                                          \
        default: r = x / y; break;                                                              \
        }                                                                                       \
        return SUF##_output(SUF##_u(r), f);                                                     \
    }

DEFINE_BINOP(s32, uint32_t, float, sqrtf)
DEFINE_BINOP(s64, uint64_t, double, sqrt)

/* Packed and scalar forms. ps: 4 x f32, ss: lane 0, pd: 2 x f64, sd: lane 0. */
#define PS_OP(name, OP)                                                                         \
    void helper_##name##ps(X86CPUState *env, YMMReg *d, const YMMReg *s)                       \
    {                                                                                           \
        SSEFP f;                                                                                \
        YMMReg r = *d;                                                                          \
        if (OP <= OP_DIV && fast_mxcsr(env)) {                                                  \
            bool ok = true;                                                                     \
            for (int i = 0; i < 4; i++)                                                         \
                ok &= s32_fast(OP, d->d[i], s->d[i], &r.d[i]);                                  \
            if (ok) {                                                                           \
                memcpy(d, &r, 16);                                                              \
                return;                                                                         \
            }                                                                                   \
        }                                                                                       \
        fp_begin(env, &f, -1);                                                                  \
        for (int i = 0; i < 4; i++)                                                             \
            r.d[i] = s32_binop(OP, d->d[i], s->d[i], &f);                                       \
        if (fp_end(env, &f, GETPC()))                                                           \
            memcpy(d, &r, 16);                                                                  \
    }                                                                                           \
    void helper_##name##ss(X86CPUState *env, YMMReg *d, const YMMReg *s)                       \
    {                                                                                           \
        SSEFP f;                                                                                \
        uint32_t v;                                                                             \
        if (OP <= OP_DIV && fast_mxcsr(env) && s32_fast(OP, d->d[0], s->d[0], &v)) {            \
            d->d[0] = v;                                                                        \
            return;                                                                             \
        }                                                                                       \
        fp_begin(env, &f, -1);                                                                  \
        v = s32_binop(OP, d->d[0], s->d[0], &f);                                                \
        if (fp_end(env, &f, GETPC()))                                                           \
            d->d[0] = v;                                                                        \
    }                                                                                           \
    void helper_##name##pd(X86CPUState *env, YMMReg *d, const YMMReg *s)                       \
    {                                                                                           \
        SSEFP f;                                                                                \
        YMMReg r = *d;                                                                          \
        if (OP <= OP_DIV && fast_mxcsr(env) && s64_fast(OP, d->q[0], s->q[0], &r.q[0]) &&       \
            s64_fast(OP, d->q[1], s->q[1], &r.q[1])) {                                          \
            memcpy(d, &r, 16);                                                                  \
            return;                                                                             \
        }                                                                                       \
        fp_begin(env, &f, -1);                                                                  \
        for (int i = 0; i < 2; i++)                                                             \
            r.q[i] = s64_binop(OP, d->q[i], s->q[i], &f);                                       \
        if (fp_end(env, &f, GETPC()))                                                           \
            memcpy(d, &r, 16);                                                                  \
    }                                                                                           \
    void helper_##name##sd(X86CPUState *env, YMMReg *d, const YMMReg *s)                       \
    {                                                                                           \
        SSEFP f;                                                                                \
        uint64_t v;                                                                             \
        if (OP <= OP_DIV && fast_mxcsr(env) && s64_fast(OP, d->q[0], s->q[0], &v)) {            \
            d->q[0] = v;                                                                        \
            return;                                                                             \
        }                                                                                       \
        fp_begin(env, &f, -1);                                                                  \
        v = s64_binop(OP, d->q[0], s->q[0], &f);                                                \
        if (fp_end(env, &f, GETPC()))                                                           \
            d->q[0] = v;                                                                        \
    }

PS_OP(add, OP_ADD)
PS_OP(sub, OP_SUB)
PS_OP(mul, OP_MUL)
PS_OP(div, OP_DIV)
PS_OP(min, OP_MIN)
PS_OP(max, OP_MAX)
PS_OP(sqrt, OP_SQRT)

/* ---- FMA3 (SDM 1, 14.5): a * b + c rounded once, on the operands in the order of the
 * instruction's form; a NaN operand gives the first NaN of a, b, c, quieted. ---- */
#define DEFINE_FMA(SUF, UT, FT, FMA)                                                            \
    static UT SUF##_fma(UT a, UT b, UT c, bool neg_prod, bool neg_c, SSEFP *f)                  \
    {                                                                                           \
        if (SUF##_is_nan(a) || SUF##_is_nan(b) || SUF##_is_nan(c)) {                            \
            if (SUF##_is_snan(a) || SUF##_is_snan(b) || SUF##_is_snan(c))                       \
                f->flags |= MX_IE;                                                              \
            return (SUF##_is_nan(a) ? a : SUF##_is_nan(b) ? b : c) | SUF##_qbit;                \
        }                                                                                       \
        uint32_t de = f->flags & MX_DE;                                                         \
        a = SUF##_input(a, f);                                                                  \
        b = SUF##_input(b, f);                                                                  \
        c = SUF##_input(c, f);                                                                  \
        /* An invalid element (0 * inf, or inf - inf) reports IE without DE, as the host does. */ \
        bool prod_inf = SUF##_is_inf(a) || SUF##_is_inf(b);                                    \
        bool prod_neg = (((a ^ b) & SUF##_sign) != 0) != neg_prod;                              \
        bool c_neg = ((c & SUF##_sign) != 0) != neg_c;                                          \
        if (prod_inf && (SUF##_is_zero(a) || SUF##_is_zero(b) ||                                \
                         (SUF##_is_inf(c) && prod_neg != c_neg)))                               \
            f->flags = (f->flags & ~MX_DE) | de;                                                \
        volatile FT x = SUF##_f(neg_prod ? a ^ SUF##_sign : a), y = SUF##_f(b);                 \
        volatile FT z = SUF##_f(neg_c ? c ^ SUF##_sign : c);                                    \
        volatile FT r = FMA(x, y, z);                                                           \
        UT u = SUF##_u(r);                                                                      \
        /* x86 detects tininess before rounding, i.e. on the result rounded to the format's    \
         * precision with an unbounded exponent: one that rounded up to the smallest normal may  \
         * still be tiny, and FTZ flushes it. The same FMA with the smaller factor and the      \
         * addend scaled by 4 (exact; the result cannot be this small with an addend that        \
         * would overflow) is normal and rounded that way: below 4 * the smallest normal, tiny. */ \
        if ((f->mxcsr & MX_FTZ) && ((f->mxcsr >> MX_MASK_SHIFT) & MX_UE) &&                    \
            (u & ~SUF##_sign) == SUF##_mantmask + 1) {                                          \
            bool x_small = (a & ~SUF##_sign) < (b & ~SUF##_sign);                               \
            volatile FT t = FMA(x_small ? x * 4 : x, x_small ? y : y * 4, z * 4);               \
            if ((SUF##_u(t) & ~SUF##_sign) < 3 * (SUF##_mantmask + 1)) {                        \
                f->flags |= MX_UE | MX_PE;                                                      \
                return u & SUF##_sign;                                                          \
            }                                                                                   \
        }                                                                                       \
        return SUF##_output(u, f);                                                              \
    }
DEFINE_FMA(s32, uint32_t, float, fmaf)
DEFINE_FMA(s64, uint64_t, double, fma)

void helper_vfma(X86CPUState *env, YMMReg *d, const YMMReg *s2, const YMMReg *s3, int ctl)
{
    int order = ctl & 3, kind = (ctl >> 2) & 7, n = ctl >> 8;
    bool pd = ctl & 32;
    SSEFP f;
    YMMReg r = *d;
    fp_begin(env, &f, -1);
    for (int i = 0; i < n; i++) {
        /* 132: d * s3 + s2; 213: s2 * d + s3; 231: s2 * s3 + d. */
        uint64_t v1 = pd ? d->q[i] : d->d[i], v2 = pd ? s2->q[i] : s2->d[i];
        uint64_t v3 = pd ? s3->q[i] : s3->d[i];
        uint64_t a = order == 0 ? v1 : v2, b = order == 1 ? v1 : v3, c = order == 0 ? v2 : order == 1 ? v3 : v1;
        bool neg_prod = kind == 2 || kind == 3;
        bool neg_c = kind == 1 || kind == 3 || (kind == 4 && !(i & 1)) || (kind == 5 && (i & 1));
        if (pd)
            r.q[i] = s64_fma(a, b, c, neg_prod, neg_c, &f);
        else
            r.d[i] = s32_fma((uint32_t)a, (uint32_t)b, (uint32_t)c, neg_prod, neg_c, &f);
    }
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, (size_t)n * (pd ? 8 : 4));
}

/* SSE3 horizontal and alternating forms. */
void helper_haddps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, -1);
    r.d[0] = s32_binop(OP_ADD, d->d[0], d->d[1], &f);
    r.d[1] = s32_binop(OP_ADD, d->d[2], d->d[3], &f);
    r.d[2] = s32_binop(OP_ADD, s->d[0], s->d[1], &f);
    r.d[3] = s32_binop(OP_ADD, s->d[2], s->d[3], &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_hsubps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, -1);
    r.d[0] = s32_binop(OP_SUB, d->d[0], d->d[1], &f);
    r.d[1] = s32_binop(OP_SUB, d->d[2], d->d[3], &f);
    r.d[2] = s32_binop(OP_SUB, s->d[0], s->d[1], &f);
    r.d[3] = s32_binop(OP_SUB, s->d[2], s->d[3], &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_haddpd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, -1);
    r.q[0] = s64_binop(OP_ADD, d->q[0], d->q[1], &f);
    r.q[1] = s64_binop(OP_ADD, s->q[0], s->q[1], &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_hsubpd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, -1);
    r.q[0] = s64_binop(OP_SUB, d->q[0], d->q[1], &f);
    r.q[1] = s64_binop(OP_SUB, s->q[0], s->q[1], &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_addsubps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, -1);
    for (int i = 0; i < 4; i++)
        r.d[i] = s32_binop((i & 1) ? OP_ADD : OP_SUB, d->d[i], s->d[i], &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_addsubpd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, -1);
    for (int i = 0; i < 2; i++)
        r.q[i] = s64_binop((i & 1) ? OP_ADD : OP_SUB, d->q[i], s->q[i], &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

/* Compare predicates 0-31 (SDM 2, CMPPS table 3-1; legacy SSE has 0-7): EQ, LT, LE, UNORD,
 * NEQ, NLT, NLE, ORD on ordered operands; bit 3 flips the answer for unordered ones and bit 4
 * whether a QNaN is invalid (LT/LE/NLT/NLE signal without it). */
#define DEFINE_CMP(SUF, UT, FT)                                                                 \
    static UT SUF##_cmp(int imm, UT a, UT b, SSEFP *f)                                          \
    {                                                                                           \
        int pred = imm & 7;                                                                     \
        bool unord = SUF##_is_nan(a) || SUF##_is_nan(b);                                        \
        bool signalling = (pred == 1 || pred == 2 || pred == 5 || pred == 6) ^ !!(imm & 16);    \
        if (unord && (signalling || SUF##_is_snan(a) || SUF##_is_snan(b)))                      \
            f->flags |= MX_IE;                                                                  \
        bool res;                                                                               \
        if (unord) {                                                                            \
            res = (pred == 3 || pred == 4 || pred == 5 || pred == 6) ^ !!(imm & 8);             \
        } else {                                                                                \
            a = SUF##_input(a, f);                                                              \
            b = SUF##_input(b, f);                                                              \
            volatile FT x = SUF##_f(a), y = SUF##_f(b);                                         \
            switch (pred) {                                                                     \
            case 0: res = x == y; break;                                                        \
            case 1: res = x < y; break;                                                         \
            case 2: res = x <= y; break;                                                        \
            case 3: res = false; break;                                                         \
            case 4: res = x != y; break;                                                        \
            case 5: res = !(x < y); break;                                                      \
            case 6: res = !(x <= y); break;                                                     \
            default: res = true; break;                                                         \
            }                                                                                   \
        }                                                                                       \
        return res ? (UT)~(UT)0 : 0;                                                            \
    }
DEFINE_CMP(s32, uint32_t, float)
DEFINE_CMP(s64, uint64_t, double)

void helper_cmpps(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, -1);
    for (int i = 0; i < 4; i++)
        r.d[i] = s32_cmp(imm, d->d[i], s->d[i], &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_cmpss(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    fp_begin(env, &f, -1);
    uint32_t v = s32_cmp(imm, d->d[0], s->d[0], &f);
    if (fp_end(env, &f, GETPC()))
        d->d[0] = v;
}

void helper_cmppd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, -1);
    for (int i = 0; i < 2; i++)
        r.q[i] = s64_cmp(imm, d->q[i], s->q[i], &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_cmpsd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    fp_begin(env, &f, -1);
    uint64_t v = s64_cmp(imm, d->q[0], s->q[0], &f);
    if (fp_end(env, &f, GETPC()))
        d->q[0] = v;
}

/* COMIS/UCOMIS: unordered ZF=PF=CF=1, less CF, equal ZF, greater none (SDM 2, COMISS). */
#define DEFINE_COMI(SUF, UT, FT, name, lane)                                                    \
    void helper_##name(X86CPUState *env, const YMMReg *d, const YMMReg *s, int unordered)      \
    {                                                                                           \
        SSEFP f;                                                                                \
        fp_begin(env, &f, -1);                                                                  \
        UT a = d->lane[0], b = s->lane[0];                                                      \
        uint32_t fl;                                                                            \
        if (SUF##_is_nan(a) || SUF##_is_nan(b)) {                                               \
            if (!unordered || SUF##_is_snan(a) || SUF##_is_snan(b))                             \
                f.flags |= MX_IE;                                                               \
            fl = EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF;                                             \
        } else {                                                                                \
            a = SUF##_input(a, &f);                                                             \
            b = SUF##_input(b, &f);                                                             \
            volatile FT x = SUF##_f(a), y = SUF##_f(b);                                         \
            fl = x < y ? EFLAGS_CF : x == y ? EFLAGS_ZF : 0;                                    \
        }                                                                                       \
        if (fp_end(env, &f, GETPC()))                                                           \
            x86_cc_set_eflags(env, fl);                                                         \
    }
DEFINE_COMI(s32, uint32_t, float, comiss, d)
DEFINE_COMI(s64, uint64_t, double, comisd, q)

/* ---- conversions ---- */

static uint64_t s32_to_s64(uint32_t a, SSEFP *f)
{
    if (s32_is_nan(a)) {
        if (s32_is_snan(a))
            f->flags |= MX_IE;
        return ((uint64_t)(a & s32_sign) << 32) | s64_expmask | s64_qbit |
               ((uint64_t)(a & s32_mantmask) << 29);
    }
    a = s32_input(a, f);
    volatile float x = s32_f(a);
    volatile double r = x;
    return s64_u(r);
}

static uint32_t s64_to_s32(uint64_t a, SSEFP *f)
{
    if (s64_is_nan(a)) {
        if (s64_is_snan(a))
            f->flags |= MX_IE;
        return (uint32_t)((a & s64_sign) >> 32) | s32_expmask | s32_qbit |
               (uint32_t)((a & s64_mantmask) >> 29);
    }
    a = s64_input(a, f);
    volatile double x = s64_f(a);
    volatile float r = (float)x;
    return s32_output(s32_u(r), f);
}

/* Float to signed integer of `bits`: NaN or out of range gives the integer indefinite. */
static int64_t fp_to_int(double x, bool is_nan, int bits, bool truncate, SSEFP *f)
{
    int64_t indefinite = (int64_t)(~0ULL << (bits - 1));
    if (is_nan) {
        f->flags |= MX_IE;
        return indefinite;
    }
    int inexact_before = fetestexcept(FE_INEXACT);
    volatile double v = x;
    volatile double r = truncate ? trunc(v) : nearbyint(v);
    double lim = ldexp(1.0, bits - 1);
    if (!(r >= -lim && r < lim)) {
        /* Out of range: IE alone; the host's trunc() may have said inexact. */
        if (!inexact_before)
            feclearexcept(FE_INEXACT);
        f->flags |= MX_IE;
        return indefinite;
    }
    if (r != v)
        f->flags |= MX_PE;
    return (int64_t)r;
}

/* To integers: DAZ applies, but conversions never report DE (SDM 2, CVTSS2SI exceptions). */
static int64_t s32_to_int(uint32_t a, int bits, bool truncate, SSEFP *f)
{
    if (s32_is_denormal(a) && (f->mxcsr & MX_DAZ))
        a &= s32_sign;
    return fp_to_int((double)s32_f(a), s32_is_nan(a), bits, truncate, f);
}

static int64_t s64_to_int(uint64_t a, int bits, bool truncate, SSEFP *f)
{
    if (s64_is_denormal(a) && (f->mxcsr & MX_DAZ))
        a &= s64_sign;
    return fp_to_int(s64_f(a), s64_is_nan(a), bits, truncate, f);
}

static uint32_t int_to_s32(int64_t v, SSEFP *f)
{
    volatile int64_t iv = v;
    volatile float r = (float)iv;
    return s32_u(r);
}

static uint64_t int_to_s64(int64_t v, SSEFP *f)
{
    volatile int64_t iv = v;
    volatile double r = (double)iv;
    return s64_u(r);
}

#define CONVERT_BEGIN                                                                           \
    SSEFP f;                                                                                    \
    YMMReg r = *d;                                                                              \
    fp_begin(env, &f, -1);
#define CONVERT_END(bytes)                                                                      \
    if (fp_end(env, &f, GETPC()))                                                               \
        memcpy(d, &r, bytes);

void helper_cvtps2pd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    uint32_t a0 = s->d[0], a1 = s->d[1];
    r.q[0] = s32_to_s64(a0, &f);
    r.q[1] = s32_to_s64(a1, &f);
    CONVERT_END(16)
}

void helper_cvtpd2ps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    r.d[0] = s64_to_s32(s->q[0], &f);
    r.d[1] = s64_to_s32(s->q[1], &f);
    r.q[1] = 0;
    CONVERT_END(16)
}

void helper_cvtss2sd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    r.q[0] = s32_to_s64(s->d[0], &f);
    CONVERT_END(16)
}

void helper_cvtsd2ss(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    r.d[0] = s64_to_s32(s->q[0], &f);
    CONVERT_END(16)
}

void helper_cvtdq2ps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    for (int i = 0; i < 4; i++)
        r.d[i] = int_to_s32((int32_t)s->d[i], &f);
    CONVERT_END(16)
}

void helper_cvtps2dq(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    for (int i = 0; i < 4; i++)
        r.d[i] = (uint32_t)s32_to_int(s->d[i], 32, false, &f);
    CONVERT_END(16)
}

void helper_cvttps2dq(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    for (int i = 0; i < 4; i++)
        r.d[i] = (uint32_t)s32_to_int(s->d[i], 32, true, &f);
    CONVERT_END(16)
}

void helper_cvtdq2pd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    int32_t a0 = (int32_t)s->d[0], a1 = (int32_t)s->d[1];
    r.q[0] = int_to_s64(a0, &f);
    r.q[1] = int_to_s64(a1, &f);
    CONVERT_END(16)
}

void helper_cvtpd2dq(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    r.d[0] = (uint32_t)s64_to_int(s->q[0], 32, false, &f);
    r.d[1] = (uint32_t)s64_to_int(s->q[1], 32, false, &f);
    r.q[1] = 0;
    CONVERT_END(16)
}

void helper_cvttpd2dq(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    CONVERT_BEGIN
    r.d[0] = (uint32_t)s64_to_int(s->q[0], 32, true, &f);
    r.d[1] = (uint32_t)s64_to_int(s->q[1], 32, true, &f);
    r.q[1] = 0;
    CONVERT_END(16)
}

/* MMX <-> XMM conversions: the MMX side is 8 bytes (d or s points at an MMX register). */
void helper_cvtpi2ps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    uint32_t v[2];
    memcpy(v, s, 8);
    CONVERT_BEGIN
    r.d[0] = int_to_s32((int32_t)v[0], &f);
    r.d[1] = int_to_s32((int32_t)v[1], &f);
    CONVERT_END(16)
}

void helper_cvtpi2pd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    uint32_t v[2];
    memcpy(v, s, 8);
    CONVERT_BEGIN
    r.q[0] = int_to_s64((int32_t)v[0], &f);
    r.q[1] = int_to_s64((int32_t)v[1], &f);
    CONVERT_END(16)
}

static void to_mmx(X86CPUState *env, YMMReg *d, const uint32_t v[2])
{
    memcpy(d, v, 8);
    char *c = (char *)d, *fp = (char *)env->fpregs;
    if (c >= fp && c < fp + sizeof(env->fpregs))
        env->fpregs[(c - fp) / sizeof(Float80)].exp = 0xffff;
}

#define TO_MMX(name, expr0, expr1)                                                              \
    void helper_##name(X86CPUState *env, YMMReg *d, const YMMReg *s)                           \
    {                                                                                           \
        SSEFP f;                                                                                \
        uint32_t v[2];                                                                          \
        fp_begin(env, &f, -1);                                                                  \
        v[0] = (uint32_t)(expr0);                                                               \
        v[1] = (uint32_t)(expr1);                                                               \
        if (fp_end(env, &f, GETPC()))                                                           \
            to_mmx(env, d, v);                                                                  \
    }
TO_MMX(cvtps2pi, s32_to_int(s->d[0], 32, false, &f), s32_to_int(s->d[1], 32, false, &f))
TO_MMX(cvttps2pi, s32_to_int(s->d[0], 32, true, &f), s32_to_int(s->d[1], 32, true, &f))
TO_MMX(cvtpd2pi, s64_to_int(s->q[0], 32, false, &f), s64_to_int(s->q[1], 32, false, &f))
TO_MMX(cvttpd2pi, s64_to_int(s->q[0], 32, true, &f), s64_to_int(s->q[1], 32, true, &f))

void helper_cvtsi2ss(X86CPUState *env, YMMReg *d, int64_t v)
{
    SSEFP f;
    fp_begin(env, &f, -1);
    uint32_t r = int_to_s32(v, &f);
    if (fp_end(env, &f, GETPC()))
        d->d[0] = r;
}

void helper_cvtsi2sd(X86CPUState *env, YMMReg *d, int64_t v)
{
    SSEFP f;
    fp_begin(env, &f, -1);
    uint64_t r = int_to_s64(v, &f);
    if (fp_end(env, &f, GETPC()))
        d->q[0] = r;
}

int64_t helper_cvtss2si(X86CPUState *env, const YMMReg *s, int bits, int truncate)
{
    SSEFP f;
    fp_begin(env, &f, -1);
    int64_t r = s32_to_int(s->d[0], bits, truncate, &f);
    fp_end(env, &f, GETPC());
    return r;
}

int64_t helper_cvtsd2si(X86CPUState *env, const YMMReg *s, int bits, int truncate)
{
    SSEFP f;
    fp_begin(env, &f, -1);
    int64_t r = s64_to_int(s->q[0], bits, truncate, &f);
    fp_end(env, &f, GETPC());
    return r;
}

/* ---- SSE4.1 rounding and dot products ---- */

#define DEFINE_ROUND(SUF, UT, FT, NEARBY)                                                       \
    static UT SUF##_round(UT a, int imm, SSEFP *f)                                              \
    {                                                                                           \
        if (SUF##_is_nan(a)) {                                                                  \
            if (SUF##_is_snan(a))                                                               \
                f->flags |= MX_IE;                                                              \
            return a | SUF##_qbit;                                                              \
        }                                                                                       \
        /* DAZ applies, but ROUND* never reports DE (SDM 2, ROUNDPS exceptions). */             \
        if (SUF##_is_denormal(a) && (f->mxcsr & MX_DAZ))                                        \
            a &= SUF##_sign;                                                                    \
        volatile FT x = SUF##_f(a);                                                             \
        volatile FT r = NEARBY(x);                                                              \
        if (r != x && !(imm & 8))                                                               \
            f->flags |= MX_PE;                                                                  \
        return SUF##_u(r);                                                                      \
    }
DEFINE_ROUND(s32, uint32_t, float, nearbyintf)
DEFINE_ROUND(s64, uint64_t, double, nearbyint)

/* imm bit 2 set: MXCSR.RC; else imm[1:0]. Bit 3 suppresses the precision exception. */
static int round_mode(int imm)
{
    return (imm & 4) ? -1 : (imm & 3);
}

void helper_roundps(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, round_mode(imm));
    for (int i = 0; i < 4; i++)
        r.d[i] = s32_round(s->d[i], imm, &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_roundpd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    YMMReg r;
    fp_begin(env, &f, round_mode(imm));
    for (int i = 0; i < 2; i++)
        r.q[i] = s64_round(s->q[i], imm, &f);
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_roundss(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    fp_begin(env, &f, round_mode(imm));
    uint32_t v = s32_round(s->d[0], imm, &f);
    if (fp_end(env, &f, GETPC()))
        d->d[0] = v;
}

void helper_roundsd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    fp_begin(env, &f, round_mode(imm));
    uint64_t v = s64_round(s->q[0], imm, &f);
    if (fp_end(env, &f, GETPC()))
        d->q[0] = v;
}

void helper_dpps(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    YMMReg r;
    uint32_t p[4];
    fp_begin(env, &f, -1);
    /* SDM 2, DPPS: products of the selected lanes (others +0), then (p0+p1)+(p2+p3). */
    for (int i = 0; i < 4; i++)
        p[i] = ((imm >> (4 + i)) & 1) ? s32_binop(OP_MUL, d->d[i], s->d[i], &f) : 0;
    uint32_t t1 = s32_binop(OP_ADD, p[0], p[1], &f);
    uint32_t t2 = s32_binop(OP_ADD, p[2], p[3], &f);
    uint32_t sum = s32_binop(OP_ADD, t1, t2, &f);
    for (int i = 0; i < 4; i++)
        r.d[i] = ((imm >> i) & 1) ? sum : 0;
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

void helper_dppd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm)
{
    SSEFP f;
    YMMReg r;
    uint64_t p[2];
    fp_begin(env, &f, -1);
    for (int i = 0; i < 2; i++)
        p[i] = ((imm >> (4 + i)) & 1) ? s64_binop(OP_MUL, d->q[i], s->q[i], &f) : 0;
    uint64_t sum = s64_binop(OP_ADD, p[0], p[1], &f);
    for (int i = 0; i < 2; i++)
        r.q[i] = ((imm >> i) & 1) ? sum : 0;
    if (fp_end(env, &f, GETPC()))
        memcpy(d, &r, 16);
}

/* Unpacks of floats are pure data movement. */
void helper_unpcklps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    YMMReg r = { .d = { d->d[0], s->d[0], d->d[1], s->d[1] } };
    memcpy(d, &r, 16);
}

void helper_unpckhps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    YMMReg r = { .d = { d->d[2], s->d[2], d->d[3], s->d[3] } };
    memcpy(d, &r, 16);
}

void helper_unpcklpd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    YMMReg r = { .q = { d->q[0], s->q[0] } };
    memcpy(d, &r, 16);
}

void helper_unpckhpd(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    YMMReg r = { .q = { d->q[1], s->q[1] } };
    memcpy(d, &r, 16);
}

void helper_ldmxcsr(X86CPUState *env, uint32_t value)
{
    if (value & 0xffff0000u)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, GETPC());
    env->mxcsr = value;
}

/* ---- RCPPS/RCPSS/RSQRTPS/RSQRTSS: approximations (relative error <= 1.5 * 2^-12) whose
 * exact bits are implementation-specific. On an x86 host the host's instruction gives a real
 * CPU's bits; elsewhere 1/x (1/sqrt(x)) truncated to 12 significand bits, with the same
 * special cases (denormal inputs count as zero, tiny results flush to zero, no flags). ---- */

static uint32_t approx_fallback(uint32_t a, bool rsqrt)
{
    static bool warned;
    if (!warned) {
        warned = true;
        qlog(LOG_UNIMP, "x86: RCPPS/RSQRTPS are approximated; results may differ from a real CPU\n");
    }
    if (s32_is_nan(a))
        return a | s32_qbit;
    if (s32_is_denormal(a))
        a &= s32_sign;
    if (s32_is_zero(a))
        return (a & s32_sign) | s32_expmask;
    if (rsqrt && (a & s32_sign))
        return s32_default_nan;
    if ((a & ~s32_sign) == s32_expmask)
        return rsqrt ? 0 : (a & s32_sign);
    double x = s32_f(a);
    double r = rsqrt ? 1.0 / sqrt(x) : 1.0 / x;
    float fr = (float)r;
    uint32_t u = s32_u(fr) & ~0x7ffu;       /* keep 12 significand bits */
    if (s32_is_denormal(u))
        u &= s32_sign;
    return u;
}

static void approx4(uint32_t *out, const uint32_t *in, int n, bool rsqrt)
{
#if defined(__x86_64__)
    uint32_t v[4] = { 0 }, r[4];
    memcpy(v, in, (size_t)n * 4);
    if (rsqrt)
        __asm__ volatile("movdqu %1, %%xmm0\n\trsqrtps %%xmm0, %%xmm0\n\tmovdqu %%xmm0, %0" : "=m"(r) : "m"(v) : "xmm0");
    else
        __asm__ volatile("movdqu %1, %%xmm0\n\trcpps %%xmm0, %%xmm0\n\tmovdqu %%xmm0, %0" : "=m"(r) : "m"(v) : "xmm0");
    memcpy(out, r, (size_t)n * 4);
#else
    for (int i = 0; i < n; i++)
        out[i] = approx_fallback(in[i], rsqrt);
#endif
}

void helper_rcpps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    uint32_t r[4];
    approx4(r, s->d, 4, false);
    memcpy(d->d, r, 16);
}

void helper_rcpss(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    uint32_t r;
    approx4(&r, s->d, 1, false);
    d->d[0] = r;
}

void helper_rsqrtps(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    uint32_t r[4];
    approx4(r, s->d, 4, true);
    memcpy(d->d, r, 16);
}

void helper_rsqrtss(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    uint32_t r;
    approx4(&r, s->d, 1, true);
    d->d[0] = r;
}

uint32_t x86_sse_approx_fallback(uint32_t a, int rsqrt)
{
    return approx_fallback(a, rsqrt);
}
