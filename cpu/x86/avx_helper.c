/* avx_helper.c: the AVX/AVX2 permutes, variable shifts, tests, blends and masked moves, the
 * F16C conversions and the BMI bit-field helpers (Intel SDM 2, each instruction's Operation
 * section). */
#include "util/osdep.h"
#include "cpu/x86/helper.h"
#include "cpu/x86/excp.h"
#include "cpu/x86/cc.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

static uint64_t elem(const YMMReg *r, int esize, int i)
{
    return esize == 4 ? r->d[i] : r->q[i];
}

static void set_elem(YMMReg *r, int esize, int i, uint64_t v)
{
    if (esize == 4)
        r->d[i] = (uint32_t)v;
    else
        r->q[i] = v;
}

static bool sign_set(const YMMReg *r, int esize, int i)
{
    return (elem(r, esize, i) >> (esize * 8 - 1)) & 1;
}

void helper_vpermil(X86CPUState *env, YMMReg *d, const YMMReg *s, const YMMReg *ctl, int bytes,
                    int esize)
{
    YMMReg r = { 0 };
    int per_lane = 16 / esize;
    for (int i = 0; i < bytes / esize; i++) {
        int lane = i / per_lane * per_lane;
        int sel = esize == 4 ? (ctl->d[i] & 3) : ((ctl->q[i] >> 1) & 1);
        set_elem(&r, esize, i, elem(s, esize, lane + sel));
    }
    memcpy(d, &r, (size_t)bytes);
}

void helper_vperm(X86CPUState *env, YMMReg *d, const YMMReg *idx, const YMMReg *table, int esize)
{
    YMMReg r;
    int n = 32 / esize;
    for (int i = 0; i < n; i++)
        set_elem(&r, esize, i, elem(table, esize, (int)(elem(idx, esize, i) & (uint64_t)(n - 1))));
    *d = r;
}

void helper_vshiftv(X86CPUState *env, YMMReg *d, const YMMReg *a, const YMMReg *cnt, int bytes,
                    int mode)
{
    YMMReg r;
    int esize = mode & 15, kind = mode >> 4, bits = esize * 8;
    for (int i = 0; i < bytes / esize; i++) {
        uint64_t v = elem(a, esize, i), c = elem(cnt, esize, i);
        if (kind == 2) {
            /* Counts beyond the width fill with the sign (SDM 2, VPSRAVD). */
            int64_t sv = esize == 4 ? (int32_t)v : (int64_t)v;
            v = (uint64_t)(sv >> (c >= (uint64_t)bits ? bits - 1 : (int)c));
        } else if (c >= (uint64_t)bits) {
            v = 0;
        } else {
            v = kind == 0 ? v << c : v >> c;
        }
        set_elem(&r, esize, i, v);
    }
    memcpy(d, &r, (size_t)bytes);
}

void helper_vtest(X86CPUState *env, const YMMReg *a, const YMMReg *b, int bytes, int esize)
{
    uint64_t m = esize == 4 ? 0x8000000080000000ULL : esize == 8 ? 1ULL << 63 : ~0ULL;
    uint64_t and_ = 0, andn = 0;
    for (int i = 0; i < bytes / 8; i++) {
        and_ |= a->q[i] & b->q[i] & m;
        andn |= ~a->q[i] & b->q[i] & m;
    }
    x86_cc_set_eflags(env, (and_ ? 0 : EFLAGS_ZF) | (andn ? 0 : EFLAGS_CF));
}

void helper_vblendv(X86CPUState *env, YMMReg *d, const YMMReg *s, const YMMReg *mask, int bytes,
                    int esize)
{
    for (int i = 0; i < bytes / esize; i++) {
        if (esize == 1) {
            if (mask->b[i] & 0x80)
                d->b[i] = s->b[i];
        } else if (sign_set(mask, esize, i)) {
            set_elem(d, esize, i, elem(s, esize, i));
        }
    }
}

void helper_vmaskmov_ld(X86CPUState *env, YMMReg *d, const YMMReg *mask, uint64_t addr, int bytes,
                        int esize)
{
    YMMReg r = { 0 };
    for (int i = 0; i < bytes / esize; i++)
        if (sign_set(mask, esize, i))
            set_elem(&r, esize, i, x86_ld_data(env, addr + (uint64_t)(i * esize), (unsigned)esize, GETPC()));
    *d = r;
}

void helper_vmaskmov_st(X86CPUState *env, const YMMReg *s, const YMMReg *mask, uint64_t addr,
                        int bytes, int esize)
{
    uintptr_t ra = GETPC();
    /* Every selected element is checked before any is written, so a fault stores nothing. */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < bytes / esize; i++) {
            if (!sign_set(mask, esize, i))
                continue;
            uint64_t a = addr + (uint64_t)(i * esize);
            uint64_t v = pass ? elem(s, esize, i) : x86_ld_data(env, a, (unsigned)esize, ra);
            x86_st_data(env, a, v, (unsigned)esize, ra);
        }
}

void helper_vgather(X86CPUState *env, uint32_t ctl, uint64_t off, uint64_t seg_base)
{
    uintptr_t ra = GETPC();
    YMMReg *d = &env->ymm[ctl & 15], *m = &env->ymm[(ctl >> 4) & 15];
    const YMMReg *ix = &env->ymm[(ctl >> 8) & 15];
    int scale = (ctl >> 12) & 3, esize = (ctl & (1u << 14)) ? 8 : 4, n = (ctl >> 16) & 15;
    int asize = (ctl >> 20) & 3;
    uint64_t amask = asize == 0 ? 0xffff : asize == 1 ? 0xffffffff : ~0ULL;
    for (int i = 0; i < n; i++) {
        if (!sign_set(m, esize, i))
            continue;
        int64_t iv = (ctl & (1u << 15)) ? (int64_t)ix->q[i] : (int32_t)ix->d[i];
        uint64_t a = seg_base + ((off + ((uint64_t)iv << scale)) & amask);
        if (!(ctl & (1u << 22)))
            a = (uint32_t)a;
        set_elem(d, esize, i, x86_ld_data(env, a, (unsigned)esize, ra));
        set_elem(m, esize, i, 0);
    }
    memset(d->b + n * esize, 0, (size_t)(32 - n * esize));
    memset(m, 0, sizeof(*m));
}

/* ---- F16C (SDM 1, 14.4): binary16 <-> binary32 on bit patterns. ---- */
#define MX_IE 0x01
#define MX_DE 0x02
#define MX_OE 0x08
#define MX_UE 0x10
#define MX_PE 0x20

/* Exact; an SNaN becomes a QNaN (invalid). */
static uint32_t half_to_single(uint16_t h, uint32_t *flags)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, man = h & 0x3ff;
    int exp = (h >> 10) & 0x1f;
    if (exp == 0x1f) {
        if (man && !(man & 0x200))
            *flags |= MX_IE;
        return sign | 0x7f800000 | (man << 13) | (man ? 0x400000 : 0);
    }
    if (exp == 0) {
        if (!man)
            return sign;
        int e = -14;
        while (!(man & 0x400)) {
            man <<= 1;
            e--;
        }
        return sign | ((uint32_t)(e + 127) << 23) | ((man & 0x3ff) << 13);
    }
    return sign | ((uint32_t)(exp - 15 + 127) << 23) | (man << 13);
}

/* Rounded by rc (0 nearest-even, 1 down, 2 up, 3 toward zero). A denormal single sets DE (SDM 2,
 * VCVTPS2PH: "Denormal" among its SIMD exceptions), or with MXCSR.DAZ reads as a zero of its
 * sign without DE, as for any SSE input; the differential tester saw the host do both. */
static uint16_t single_to_half(uint32_t f, int rc, bool daz, uint32_t *flags)
{
    uint16_t sign = (f >> 16) & 0x8000;
    int exp = (f >> 23) & 0xff;
    uint32_t man = f & 0x7fffff;
    if (exp == 0xff) {
        if (man && !(man & 0x400000))
            *flags |= MX_IE;
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 | (man >> 13) : 0));
    }
    if (exp == 0 && man && daz)
        man = 0;
    if (exp == 0 && man == 0)
        return sign;
    if (exp == 0)
        *flags |= MX_DE;
    bool neg = sign != 0;
    int e = exp ? exp - 127 + 15 : -126 + 15;     /* half exponent of 1.xxx (or 0.xxx) */
    uint32_t sig = exp ? man | 0x800000 : man;    /* value = sig * 2^(e - 15 - 23) */
    if (e >= 31) {
        *flags |= MX_OE | MX_PE;
        bool to_inf = rc == 0 || (rc == 1 && neg) || (rc == 2 && !neg);
        return (uint16_t)(sign | (to_inf ? 0x7c00 : 0x7bff));
    }
    int shift = e >= 1 ? 13 : 13 + 1 - e;
    uint32_t q = shift < 32 ? sig >> shift : 0;
    uint32_t rem = shift < 32 ? sig & ((1u << shift) - 1) : sig;
    uint64_t halfway = shift < 33 ? 1ull << (shift - 1) : ~0ull;
    bool up = false;
    if (rem) {
        *flags |= MX_PE;
        if (e < 1)
            *flags |= MX_UE;
        switch (rc) {
        case 0: up = rem > halfway || (rem == halfway && (q & 1)); break;
        case 1: up = neg; break;
        case 2: up = !neg; break;
        default: break;
        }
    }
    uint32_t bits = e >= 1 ? ((uint32_t)e << 10) | (q & 0x3ff) : q;
    bits += up;
    if (bits >= 0x7c00)
        *flags |= MX_OE;
    return (uint16_t)(sign | bits);
}

/* Record the flags; an unmasked one raises #XM (#UD without CR4.OSXMMEXCPT), SDM 1, 11.5.1. */
static void f16c_flags(X86CPUState *env, uint32_t flags, uintptr_t ra)
{
    env->mxcsr |= flags;
    if (flags & ~(env->mxcsr >> 7) & 0x3f)
        x86_raise_exception_ra(env, (env->cr[4] & CR4_OSXMMEXCPT) ? EXCP_XM : EXCP_UD, 0, false, ra);
}

void helper_vcvtph2ps(X86CPUState *env, YMMReg *d, const YMMReg *s, int n)
{
    YMMReg r;
    uint32_t flags = 0;
    for (int i = 0; i < n; i++)
        r.d[i] = half_to_single(s->w[i], &flags);
    f16c_flags(env, flags, GETPC());
    memcpy(d, &r, (size_t)n * 4);
}

void helper_vcvtps2ph(X86CPUState *env, YMMReg *d, const YMMReg *s, int n, int imm)
{
    YMMReg r = { 0 };
    uint32_t flags = 0;
    int rc = (imm & 4) ? (int)((env->mxcsr >> 13) & 3) : imm & 3;
    for (int i = 0; i < n; i++)
        r.w[i] = single_to_half(s->d[i], rc, env->mxcsr & 0x40, &flags);
    f16c_flags(env, flags, GETPC());
    memcpy(d, &r, 16);
}

uint64_t helper_pdep(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & -mask;
        if (src & bit)
            r |= low;
        mask &= mask - 1;
    }
    return r;
}

uint64_t helper_pext(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & -mask;
        if (src & low)
            r |= bit;
        mask &= mask - 1;
    }
    return r;
}

uint64_t helper_bextr(uint64_t src, uint64_t ctl, uint32_t bits)
{
    unsigned start = ctl & 0xff, len = (ctl >> 8) & 0xff;
    if (start >= bits)
        return 0;
    uint64_t v = src >> start;
    if (len < 64)
        v &= (1ULL << len) - 1;
    return bits == 32 ? (uint32_t)v : v;
}
