/* fpu_helper_transc.c: x87 transcendental instructions — FSIN, FCOS, FSINCOS, FPTAN, FPATAN,
 * F2XM1, FYL2X, FYL2XP1.
 *
 * A real x87 computes these with its own internal algorithms (a 66-bit pi for argument
 * reduction, ...), and guests (and the differential tester) expect the CPU's exact bits. On
 * an x86 host the host's x87 *is* such a CPU, so the operation runs there with the guest's
 * rounding and precision control and all exceptions masked; the flags it reports are then
 * applied to the guest's FSW with the guest's masks. On other hosts the results come from the
 * C library's long double functions and are close but not bit-exact (said once at run time).
 */
#include "util/osdep.h"
#include "util/log.h"
#include <math.h>
#include "cpu/x86/fpu_helper.h"


#if defined(__x86_64__)
/* in[0] = ST0, in[1] = ST1. Returns the host FSW; out[0], out[1] = ST0, ST1 afterwards. */
static uint16_t x87_transc_host(int op, const Float80 in[2], Float80 out[2], uint16_t guest_cw)
{
    uint16_t saved_cw, sw, cw = (uint16_t)(guest_cw | 0x3f);
    unsigned char o0[10], o1[10];
    __asm__ volatile("fnstcw %0" : "=m"(saved_cw));
#define X87(insn)                                                                               \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t"        \
                     "fnstsw %[sw]\n\tfstpt %[o0]\n\tfstpt %[o1]\n\tfninit"                     \
                     : [sw] "=m"(sw), [o0] "=m"(o0), [o1] "=m"(o1)                             \
                     : [a] "m"(in[0]), [b] "m"(in[1]), [cw] "m"(cw));                           \
    break;
    switch (op) {
    case X87_T_FSIN: X87("fsin")
    case X87_T_FCOS: X87("fcos")
    case X87_T_FSINCOS: X87("fsincos")
    case X87_T_FPTAN: X87("fptan")
    case X87_T_FPATAN: X87("fpatan")
    case X87_T_F2XM1: X87("f2xm1")
    case X87_T_FYL2X: X87("fyl2x")
    default: X87("fyl2xp1")
    }
#undef X87
    __asm__ volatile("fldcw %0" : : "m"(saved_cw));
    memcpy(&out[0].mant, o0, 8);
    memcpy(&out[0].exp, o0 + 8, 2);
    memcpy(&out[1].mant, o1, 8);
    memcpy(&out[1].exp, o1 + 8, 2);
    return sw;
}
#endif

static long double to_ld(Float80 a)
{
    if (f80_is_nan(a) || f80_is_unsupported(a))
        return NAN;
    if (f80_is_inf(a))
        return f80_sign(a) ? -INFINITY : INFINITY;
    long double v = ldexpl((long double)a.mant, (int)(f80_exp(a) ? f80_exp(a) : 1) - 16383 - 63);
    return f80_sign(a) ? -v : v;
}

static Float80 from_ld(long double v, F80Status *s)
{
    if (isnan(v))
        return f80_default_nan;
    if (isinf(v))
        return f80_make(signbit(v), 0x7fff, 1ULL << 63);
    if (v == 0)
        return f80_make(signbit(v), 0, 0);
    int e;
    long double m = frexpl(fabsl(v), &e);            /* [0.5, 1) */
    long double scaled = ldexpl(m, 64);
    uint64_t hi = (uint64_t)scaled;
    long double rest = scaled - (long double)hi;
    unsigned __int128 sig = ((unsigned __int128)hi << 64) | (uint64_t)ldexpl(rest, 64);
    return f80_round_pack(signbit(v), e - 1 + 16383, sig, s);
}

uint16_t x87_transc_libm(int op, const Float80 in[2], Float80 out[2], uint16_t guest_cw)
{
    F80Status s = f80_status_from_fpuc(guest_cw | 0x3f);
    long double a = to_ld(in[0]), b = to_ld(in[1]);
    uint16_t sw = 0;
    out[0] = in[0];
    out[1] = in[1];
    bool range = fabsl(a) < 0x1p63L;
    switch (op) {
    case X87_T_FSIN: if (range) out[0] = from_ld(sinl(a), &s); else sw |= FSW_C2; break;
    case X87_T_FCOS: if (range) out[0] = from_ld(cosl(a), &s); else sw |= FSW_C2; break;
    case X87_T_FSINCOS:
        if (range) { out[1] = from_ld(sinl(a), &s); out[0] = from_ld(cosl(a), &s); } else sw |= FSW_C2;
        break;
    case X87_T_FPTAN:
        if (range) { out[1] = from_ld(tanl(a), &s); out[0] = f80_make(false, 16383, 1ULL << 63); } else sw |= FSW_C2;
        break;
    case X87_T_FPATAN: out[0] = from_ld(atan2l(b, a), &s); break;
    case X87_T_F2XM1: out[0] = from_ld(expm1l(a * 0.69314718055994530941723212145818L), &s); break;
    case X87_T_FYL2X: out[0] = from_ld(b * log2l(a), &s); break;
    default: out[0] = from_ld(b * log1pl(a) / 0.69314718055994530941723212145818L, &s); break;
    }
    return sw | s.flags;
}

static uint16_t x87_transc(int op, const Float80 in[2], Float80 out[2], uint16_t guest_cw)
{
#if defined(__x86_64__)
    return x87_transc_host(op, in, out, guest_cw);
#else
    static bool warned;
    if (!warned) {
        warned = true;
        warn_report("x87 transcendental instructions use the C library on this host: results "
                    "may differ from a real CPU in the last bits");
    }
    return x87_transc_libm(op, in, out, guest_cw);
#endif
}

/* Operations on ST0 only that replace it (FSIN, FCOS, F2XM1). */
static void transc_unary(X86CPUState *env, int op)
{
    Float80 in[2], out[2];
    uint16_t fl = 0;
    if (!fpu_get(env, 0, &in[0], &fl)) {
        env->fpus &= ~FSW_C2;       /* a stack underflow is no out-of-range argument */
        if (fpu_apply(env, fl))
            fpu_set(env, 0, f80_default_nan);
        return;
    }
    in[1] = in[0];
    uint16_t sw = x87_transc(op, in, out, env->fpuc);
    bool store = fpu_apply(env, fl | (sw & (0x3f | FSW_C1)));
    env->fpus = (uint16_t)((env->fpus & ~FSW_C2) | (sw & FSW_C2));
    if (store && !(sw & FSW_C2))
        fpu_set(env, 0, out[0]);
}

void helper_fsin(X86CPUState *env) { transc_unary(env, X87_T_FSIN); }
void helper_fcos(X86CPUState *env) { transc_unary(env, X87_T_FCOS); }
void helper_f2xm1(X86CPUState *env) { transc_unary(env, X87_T_F2XM1); }

/* ST1 = f(ST1, ST0), pop (FPATAN, FYL2X, FYL2XP1). */
static void transc_binary_pop(X86CPUState *env, int op)
{
    Float80 in[2], out[2];
    uint16_t fl = 0;
    bool ok = fpu_get(env, 0, &in[0], &fl);
    ok &= fpu_get(env, 1, &in[1], &fl);
    if (!ok) {
        if (fpu_apply(env, fl)) {
            fpu_set(env, 1, f80_default_nan);
            helper_fpop(env);
        }
        return;
    }
    uint16_t sw = x87_transc(op, in, out, env->fpuc);
    if (fpu_apply(env, sw & (0x3f | FSW_C1))) {
        fpu_set(env, 1, out[0]);
        helper_fpop(env);
    }
}

void helper_fpatan(X86CPUState *env) { transc_binary_pop(env, X87_T_FPATAN); }
void helper_fyl2x(X86CPUState *env) { transc_binary_pop(env, X87_T_FYL2X); }
void helper_fyl2xp1(X86CPUState *env) { transc_binary_pop(env, X87_T_FYL2XP1); }

/* FPTAN (ST0 = tan, push 1.0) and FSINCOS (ST0 = sin, push cos). */
static void transc_push(X86CPUState *env, int op)
{
    Float80 in[2], out[2];
    uint16_t fl = 0;
    bool ok = fpu_get(env, 0, &in[0], &fl);
    if (fpu_push2_fault(env, !ok, fl))
        return;
    in[1] = in[0];
    uint16_t sw = x87_transc(op, in, out, env->fpuc);
    bool store = fpu_apply(env, sw & (0x3f | FSW_C1));
    env->fpus = (uint16_t)((env->fpus & ~FSW_C2) | (sw & FSW_C2));
    if (store && !(sw & FSW_C2)) {
        uint16_t c1 = env->fpus & FSW_C1;
        fpu_set(env, 0, out[1]);
        fpu_push(env, out[0], c1);
    }
}

void helper_fptan(X86CPUState *env) { transc_push(env, X87_T_FPTAN); }
void helper_fsincos(X86CPUState *env) { transc_push(env, X87_T_FSINCOS); }
