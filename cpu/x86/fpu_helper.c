/* fpu_helper.c: the x87 register stack, arithmetic, compares, loads and stores on top of
 * softfloat80 (Intel SDM 1 ch. 8; SDM 2 for each instruction). */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/fpu_helper.h"
#include "cpu/x86/cc.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

uint16_t x86_fpu_status_word(const X86CPUState *env)
{
    return (uint16_t)((env->fpus & ~0x3800) | ((env->fpstt & 7) << 11));
}

bool fpu_apply(X86CPUState *env, uint16_t flags)
{
    uint16_t exc = flags & 0x3f;
    env->fpus = (uint16_t)((env->fpus & ~FSW_C1) | (flags & (FSW_C1 | FSW_SF)) | exc);
    uint16_t unmasked = exc & ~env->fpuc & 0x3f;
    if (unmasked)
        env->fpus |= FSW_ES | FSW_B;
    /* Unmasked invalid, zero-divide and denormal exceptions leave the destination alone. */
    return !(unmasked & (FSW_IE | FSW_ZE | FSW_DE));
}

bool fpu_get(X86CPUState *env, int i, Float80 *v, uint16_t *flags)
{
    if (i == FPU_FT0) {
        *v = env->ft0;
        *flags |= env->ft0_flags;
        return true;
    }
    int p = fpu_phys(env, i);
    if (env->fptag_empty[p]) {
        /* Stack underflow (SDM 1, 8.5.1.1): IE with SF, C1 = 0; masked, the operand is
         * the real indefinite. */
        *flags |= FSW_IE | FSW_SF;
        *v = f80_default_nan;
        return false;
    }
    *v = env->fpregs[p];
    return true;
}

void fpu_set(X86CPUState *env, int i, Float80 v)
{
    int p = fpu_phys(env, i);
    env->fpregs[p] = v;
    env->fptag_empty[p] = 0;
}

bool fpu_push(X86CPUState *env, Float80 v, uint16_t flags)
{
    int top = (env->fpstt - 1) & 7;
    if (!env->fptag_empty[top]) {
        /* Stack overflow: IE with SF, C1 = 1, and the load's own exceptions (#D of a
         * denormal m32/m64) do not happen. A source that underflowed too (FLD ST(i) of an
         * empty register) wins: C1 = 0, as the host CPU does. */
        flags = FSW_IE | FSW_SF | (flags & FSW_SF ? 0 : FSW_C1);
        v = f80_default_nan;
    }
    if (!fpu_apply(env, flags))
        return false;
    env->fpstt = (uint8_t)top;
    env->fpregs[top] = v;
    env->fptag_empty[top] = 0;
    return true;
}

bool fpu_push2_fault(X86CPUState *env, bool underflow, uint16_t flags)
{
    if (!underflow && env->fptag_empty[(env->fpstt - 1) & 7])
        return false;
    env->fpus &= ~FSW_C2;
    if (fpu_apply(env, underflow ? flags : FSW_IE | FSW_SF | FSW_C1)) {
        fpu_set(env, 0, f80_default_nan);
        fpu_push(env, f80_default_nan, flags);
    }
    return true;
}

void helper_fpop(X86CPUState *env)
{
    env->fptag_empty[env->fpstt & 7] = 1;
    env->fpstt = (env->fpstt + 1) & 7;
}

void helper_fincstp(X86CPUState *env)
{
    env->fpstt = (env->fpstt + 1) & 7;
    env->fpus &= ~FSW_C1;
}

void helper_fdecstp(X86CPUState *env)
{
    env->fpstt = (env->fpstt - 1) & 7;
    env->fpus &= ~FSW_C1;
}

void helper_ffree_STN(X86CPUState *env, int n)
{
    env->fptag_empty[fpu_phys(env, n)] = 1;
}

void helper_fxch_STN(X86CPUState *env, int n)
{
    Float80 a, b;
    uint16_t fl = 0;
    bool ok = fpu_get(env, 0, &a, &fl);
    ok &= fpu_get(env, n, &b, &fl);
    if (!fpu_apply(env, fl))
        return;
    (void)ok;
    fpu_set(env, 0, b);
    fpu_set(env, n, a);
}

void helper_fwait(X86CPUState *env)
{
    if (!(env->fpus & FSW_ES))
        return;
    if (env->cr[0] & CR0_NE) {
        x86_raise_exception_ra(env, EXCP_MF, 0, false, GETPC());
    }
    /* CR0.NE = 0: the error goes out on FERR# to IRQ 13 through the PIC (MS-DOS style). */
    static bool warned;
    if (!warned) {
        warned = true;
        qlog(LOG_UNIMP, "x87: FERR#/IRQ13 error reporting (CR0.NE=0) is not implemented; "
                        "pending x87 exceptions are ignored\n");
    }
}

static F80Status fpu_status(X86CPUState *env)
{
    return f80_status_from_fpuc(env->fpuc);
}

/* Memory operands to FT0: conversion exceptions (#D, #IA of an SNaN) count for the
 * instruction using FT0, and only if its register operand is there (fpu_get). */
static void fpu_set_ft0(X86CPUState *env, Float80 v, uint16_t flags)
{
    /* An SNaN stays signalling: the operation chooses between NaN operands (SDM 1, table
     * 4-7: an SNaN and a QNaN give the QNaN) and raises #IA itself. */
    if (f80_is_nan(v) && (flags & FSW_IE)) {
        v.mant &= ~(1ULL << 62);
        flags &= (uint16_t)~FSW_IE;
    }
    env->ft0 = v;
    env->ft0_flags = flags;
}

void helper_flds_FT0(X86CPUState *env, uint32_t v)
{
    F80Status s = fpu_status(env);
    Float80 r = f80_from_f32(v, &s);
    fpu_set_ft0(env, r, s.flags);
}

void helper_fldl_FT0(X86CPUState *env, uint64_t v)
{
    F80Status s = fpu_status(env);
    Float80 r = f80_from_f64(v, &s);
    fpu_set_ft0(env, r, s.flags);
}

void helper_fild_FT0(X86CPUState *env, int64_t v)
{
    env->ft0 = f80_from_int64(v);
    env->ft0_flags = 0;
}

void helper_flds_ST0(X86CPUState *env, uint32_t v)
{
    F80Status s = fpu_status(env);
    Float80 r = f80_from_f32(v, &s);
    fpu_push(env, r, s.flags);
}

void helper_fldl_ST0(X86CPUState *env, uint64_t v)
{
    F80Status s = fpu_status(env);
    Float80 r = f80_from_f64(v, &s);
    fpu_push(env, r, s.flags);
}

void helper_fild_ST0(X86CPUState *env, int64_t v)
{
    fpu_push(env, f80_from_int64(v), 0);
}

void helper_fldt_ST0(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = GETPC();
    Float80 v;
    v.mant = x86_ld_data(env, addr, 8, ra);
    v.exp = (uint16_t)x86_ld_data(env, addr + 8, 2, ra);
    fpu_push(env, v, 0);     /* FLD m80 loads any encoding as is, without exceptions */
}

void helper_fbld_ST0(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = GETPC();
    uint8_t bcd[10];
    for (int i = 0; i < 10; i++)
        bcd[i] = (uint8_t)x86_ld_data(env, addr + i, 1, ra);
    fpu_push(env, f80_from_bcd(bcd), 0);
}

void helper_fld_STN(X86CPUState *env, int n)
{
    Float80 v;
    uint16_t fl = 0;
    fpu_get(env, n, &v, &fl);
    fpu_push(env, v, fl);
}

/* The x87 constants with 64 more significand bits, so they round per RC (Intel SDM 1, 8.3.7
 * and the FLDPI note: the constants are rounded according to RC since the 80486). */
static const struct { uint16_t exp; uint64_t hi, lo; } fpu_consts[7] = {
    { 0x3fff, 0x8000000000000000ULL, 0 },                              /* 1 */
    { 0x4000, 0xd49a784bcd1b8afeULL, 0x492bf6ff4dafdb4cULL },          /* log2(10) */
    { 0x3fff, 0xb8aa3b295c17f0bbULL, 0xbe87fed0691d3e88ULL },          /* log2(e) */
    { 0x4000, 0xc90fdaa22168c234ULL, 0xc4c6628b80dc1cd1ULL },          /* pi */
    { 0x3ffd, 0x9a209a84fbcff798ULL, 0x8f8959ac0b7c9178ULL },          /* log10(2) */
    { 0x3ffe, 0xb17217f7d1cf79abULL, 0xc9e3b39803f2f6afULL },          /* ln(2) */
    { 0, 0, 0 },                                                       /* +0 */
};

void helper_fldconst(X86CPUState *env, int k)
{
    Float80 v;
    if (k == 6 || k < 0 || k > 6) {
        v = f80_make(false, 0, 0);
    } else {
        F80Status s = fpu_status(env);
        s.pc = F80_PC_64;    /* precision control does not apply to the constants */
        unsigned __int128 sig = ((unsigned __int128)fpu_consts[k].hi << 64) | fpu_consts[k].lo;
        v = f80_round_pack(false, fpu_consts[k].exp, sig, &s);
    }
    fpu_push(env, v, 0);
}

void helper_fsts_ST0(X86CPUState *env, uint64_t addr)
{
    Float80 v;
    uint16_t fl = 0;
    fpu_get(env, 0, &v, &fl);
    F80Status s = fpu_status(env);
    uint32_t r = f80_to_f32(v, &s);
    fl |= s.flags;
    uint16_t unmasked = fl & ~env->fpuc & 0x3f;
    if (!(unmasked & (FSW_IE | FSW_OE | FSW_UE)))
        x86_st_data(env, addr, r, 4, GETPC());
    fpu_apply(env, fl);
}

void helper_fstl_ST0(X86CPUState *env, uint64_t addr)
{
    Float80 v;
    uint16_t fl = 0;
    fpu_get(env, 0, &v, &fl);
    F80Status s = fpu_status(env);
    uint64_t r = f80_to_f64(v, &s);
    fl |= s.flags;
    uint16_t unmasked = fl & ~env->fpuc & 0x3f;
    if (!(unmasked & (FSW_IE | FSW_OE | FSW_UE)))
        x86_st_data(env, addr, r, 8, GETPC());
    fpu_apply(env, fl);
}

static void fist_common(X86CPUState *env, uint64_t addr, int bits, bool trunc, uintptr_t ra)
{
    Float80 v;
    uint16_t fl = 0;
    fpu_get(env, 0, &v, &fl);
    F80Status s = fpu_status(env);
    int64_t r = fl ? (int64_t)(~0ULL << (bits - 1)) : f80_to_int(v, bits, trunc, &s);
    fl |= s.flags;
    uint16_t unmasked = fl & ~env->fpuc & 0x3f;
    if (!(unmasked & FSW_IE))
        x86_st_data(env, addr, (uint64_t)r, (unsigned)bits / 8, ra);
    fpu_apply(env, fl);
}

void helper_fist_ST0(X86CPUState *env, uint64_t addr, int bits)
{
    fist_common(env, addr, bits, false, GETPC());
}

void helper_fistt_ST0(X86CPUState *env, uint64_t addr, int bits)
{
    fist_common(env, addr, bits, true, GETPC());
}

void helper_fstt_ST0(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = GETPC();
    Float80 v;
    uint16_t fl = 0;
    fpu_get(env, 0, &v, &fl);
    if (!(fl & ~env->fpuc & FSW_IE)) {
        x86_st_data(env, addr, v.mant, 8, ra);
        x86_st_data(env, addr + 8, v.exp, 2, ra);
    }
    fpu_apply(env, fl);
}

void helper_fbstp_ST0(X86CPUState *env, uint64_t addr)
{
    uintptr_t ra = GETPC();
    Float80 v;
    uint16_t fl = 0;
    uint8_t bcd[10];
    fpu_get(env, 0, &v, &fl);
    F80Status s = fpu_status(env);
    f80_to_bcd(v, bcd, &s);
    fl |= s.flags;
    if (!(fl & ~env->fpuc & FSW_IE)) {
        for (int i = 0; i < 10; i++)
            x86_st_data(env, addr + i, bcd[i], 1, ra);
    }
    if (fpu_apply(env, fl))
        helper_fpop(env);
}

void helper_fst_STN(X86CPUState *env, int n)
{
    Float80 v;
    uint16_t fl = 0;
    fpu_get(env, 0, &v, &fl);
    if (fpu_apply(env, fl))
        fpu_set(env, n, v);
}

void helper_fcmov(X86CPUState *env, int n, uint64_t taken)
{
    /* Both registers are checked whether or not the condition holds: an empty one is a
     * stack underflow that loads ST0 with the indefinite (as the host CPU does). */
    Float80 v, st0;
    uint16_t fl = 0;
    bool ok = fpu_get(env, n, &v, &fl);
    ok &= fpu_get(env, 0, &st0, &fl);
    if (!ok) {
        if (fpu_apply(env, fl))
            fpu_set(env, 0, f80_default_nan);
    } else if (taken) {
        fpu_set(env, 0, v);         /* C1 is left alone */
    }
}

/* A memory operand's conversion #D (in fl) ranks below #IA, a NaN operand and #Z (SDM 1,
 * 4.9.2): the operation's own flags decide whether it is reported. */
static uint16_t fpu_operand_de(uint16_t fl, Float80 a, Float80 b, uint16_t op_flags)
{
    if ((op_flags & (FSW_IE | FSW_ZE)) || f80_is_nan(a) || f80_is_nan(b) ||
        f80_is_unsupported(a) || f80_is_unsupported(b))
        fl &= (uint16_t)~FSW_DE;
    return fl;
}

void helper_farith(X86CPUState *env, int op, int dst, int src)
{
    Float80 a, b, r;
    uint16_t fl = 0;
    bool ok = fpu_get(env, dst, &a, &fl);
    ok &= fpu_get(env, src, &b, &fl);
    F80Status s = fpu_status(env);
    if (!ok) {
        fl &= FSW_IE | FSW_SF;                  /* a stack underflow is all that is reported */
        r = f80_default_nan;
    } else {
        switch (op) {
        case FOP_ADD: r = f80_add(a, b, &s); break;
        case FOP_MUL: r = f80_mul(a, b, &s); break;
        case FOP_SUB: r = f80_sub(a, b, &s); break;
        case FOP_SUBR: r = f80_sub(b, a, &s); break;
        case FOP_DIV: r = f80_div(a, b, &s); break;
        case FOP_DIVR: r = f80_div(b, a, &s); break;
        default:
            fprintf(stderr, "vireo: helper_farith: bad op %d\n", op);
            abort();
        }
        fl = fpu_operand_de(fl, a, b, s.flags);
    }
    if (fpu_apply(env, fl | s.flags))
        fpu_set(env, dst, r);
}

/* -1/0/1/2 (unordered) of ST0 against ST(src) or FT0, with the exceptions applied. */
static int fpu_compare(X86CPUState *env, int src, bool unordered)
{
    Float80 a, b;
    uint16_t fl = 0;
    bool ok = fpu_get(env, 0, &a, &fl);
    ok &= fpu_get(env, src, &b, &fl);
    int c = 2;
    if (ok) {
        F80Status s = fpu_status(env);
        c = f80_compare(a, b, unordered, &s);
        fl = fpu_operand_de(fl, a, b, s.flags) | s.flags;
    } else {
        fl &= FSW_IE | FSW_SF;
    }
    fpu_apply(env, fl);
    return c;
}

static void set_fcom_cc(X86CPUState *env, int c)
{
    static const uint16_t cc[4] = { FSW_C0, FSW_C3, 0, FSW_C0 | FSW_C2 | FSW_C3 };
    env->fpus = (uint16_t)((env->fpus & ~(FSW_C0 | FSW_C2 | FSW_C3)) | cc[c < 0 ? 0 : c == 0 ? 1 : c == 1 ? 2 : 3]);
}

void helper_fcom(X86CPUState *env, int src, int unordered)
{
    set_fcom_cc(env, fpu_compare(env, src, unordered));
}

void helper_fcomi(X86CPUState *env, int src, int unordered)
{
    int c = fpu_compare(env, src, unordered);
    static const uint32_t fl[4] = { EFLAGS_CF, EFLAGS_ZF, 0, EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF };
    /* FCOMI clears OF, SF and AF (Intel SDM 2, FCOMI). */
    x86_cc_set_eflags(env, fl[c < 0 ? 0 : c == 0 ? 1 : c == 1 ? 2 : 3]);
}

void helper_ftst(X86CPUState *env)
{
    env->ft0 = f80_make(false, 0, 0);
    env->ft0_flags = 0;
    set_fcom_cc(env, fpu_compare(env, FPU_FT0, false));
}

/* FCHS, FABS: an empty ST0 becomes the indefinite itself, not its negation or absolute
 * value (as the host CPU does). */
static void fpu_sign_op(X86CPUState *env, bool abs)
{
    Float80 v;
    uint16_t fl = 0;
    bool ok = fpu_get(env, 0, &v, &fl);
    if (fpu_apply(env, fl))
        fpu_set(env, 0, !ok ? v : abs ? f80_abs(v) : f80_chs(v));
}

void helper_fchs(X86CPUState *env) { fpu_sign_op(env, false); }
void helper_fabs(X86CPUState *env) { fpu_sign_op(env, true); }

void helper_fxam(X86CPUState *env)
{
    Float80 v = env->fpregs[fpu_phys(env, 0)];
    uint16_t cc;
    /* Intel SDM 2, FXAM: C3 C2 C0 class codes; C1 = sign. */
    if (env->fptag_empty[fpu_phys(env, 0)])
        cc = FSW_C3 | FSW_C0;
    else if (f80_is_unsupported(v))
        cc = 0;
    else if (f80_is_nan(v))
        cc = FSW_C0;
    else if (f80_is_inf(v))
        cc = FSW_C2 | FSW_C0;
    else if (f80_is_zero(v))
        cc = FSW_C3;
    else if (f80_exp(v) == 0)
        cc = FSW_C3 | FSW_C2;
    else
        cc = FSW_C2;
    if (f80_sign(v))
        cc |= FSW_C1;
    env->fpus = (uint16_t)((env->fpus & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | cc);
}

static void unary(X86CPUState *env, Float80 (*fn)(Float80, F80Status *))
{
    Float80 v, r;
    uint16_t fl = 0;
    bool ok = fpu_get(env, 0, &v, &fl);
    F80Status s = fpu_status(env);
    r = ok ? fn(v, &s) : f80_default_nan;
    if (fpu_apply(env, fl | s.flags))
        fpu_set(env, 0, r);
}

void helper_fsqrt(X86CPUState *env) { unary(env, f80_sqrt); }
void helper_frndint(X86CPUState *env) { unary(env, f80_round_to_int); }

void helper_fscale(X86CPUState *env)
{
    Float80 a, b, r;
    uint16_t fl = 0;
    bool ok = fpu_get(env, 0, &a, &fl);
    ok &= fpu_get(env, 1, &b, &fl);
    F80Status s = fpu_status(env);
    r = ok ? f80_scale(a, b, &s) : f80_default_nan;
    if (fpu_apply(env, fl | s.flags))
        fpu_set(env, 0, r);
}

static void fprem_common(X86CPUState *env, bool nearest)
{
    Float80 a, b, r;
    uint16_t fl = 0, cc = 0;
    bool ok = fpu_get(env, 0, &a, &fl);
    ok &= fpu_get(env, 1, &b, &fl);
    F80Status s = fpu_status(env);
    r = ok ? f80_rem(a, b, nearest, &cc, &s) : f80_default_nan;
    bool store = fpu_apply(env, fl | s.flags);
    /* No remainder (a stack underflow, a NaN or invalid operand): C1 and C2 are cleared,
     * C0 and C3 left alone (the host CPU does). */
    uint16_t changed = ok && !f80_is_nan(r) ? FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3 : FSW_C1 | FSW_C2;
    env->fpus = (uint16_t)((env->fpus & ~changed) | cc);
    if (store)
        fpu_set(env, 0, r);
}

void helper_fprem(X86CPUState *env) { fprem_common(env, false); }
void helper_fprem1(X86CPUState *env) { fprem_common(env, true); }

void helper_fxtract(X86CPUState *env)
{
    Float80 v, e, m;
    uint16_t fl = 0;
    bool ok = fpu_get(env, 0, &v, &fl);
    if (fpu_push2_fault(env, !ok, fl))
        return;
    if (f80_is_unsupported(v)) {
        fl |= FSW_IE;
        e = m = f80_default_nan;
    } else if (f80_is_nan(v)) {
        if (f80_is_snan(v))
            fl |= FSW_IE;
        v.mant |= 1ULL << 62;
        e = m = v;
    } else if (f80_is_inf(v)) {
        e = f80_make(false, 0x7fff, 1ULL << 63);
        m = v;
    } else if (f80_is_zero(v)) {
        /* Intel SDM 2, FXTRACT: zero gives ZE, exponent -infinity, significand the zero. */
        fl |= FSW_ZE;
        e = f80_make(true, 0x7fff, 1ULL << 63);
        m = v;
    } else {
        int32_t exp = (int32_t)f80_exp(v);
        uint64_t mant = v.mant;
        if (exp == 0) {
            fl |= FSW_DE;
            exp = 1;
            int lz = __builtin_clzll(mant);
            mant <<= lz;
            exp -= lz;
        }
        e = f80_from_int64(exp - 16383);
        m = f80_make(f80_sign(v), 16383, mant);
    }
    if (!fpu_apply(env, fl))
        return;
    fpu_set(env, 0, e);
    fpu_push(env, m, 0);
}

void helper_fninit(X86CPUState *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fpstt = 0;
    for (int i = 0; i < 8; i++)
        env->fptag_empty[i] = 1;
    env->fpop = 0;
    env->fpip = env->fpdp = 0;
    env->fpcs = env->fpds = 0;
}

void helper_fldcw(X86CPUState *env, uint16_t cw)
{
    env->fpuc = cw;
    /* Unmasking a pending exception makes it pending for #MF (SDM 1, 8.7.3). */
    if (env->fpus & ~cw & 0x3f)
        env->fpus |= FSW_ES | FSW_B;
    else
        env->fpus &= ~(FSW_ES | FSW_B);
}

uint16_t helper_fnstsw(X86CPUState *env)
{
    return x86_fpu_status_word(env);
}

void helper_fnclex(X86CPUState *env)
{
    env->fpus &= ~(0x3f | FSW_SF | FSW_ES | FSW_B);
}
