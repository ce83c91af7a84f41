/* sse_helper_str.c: SSE4.2 string compares (PCMPESTRI/M, PCMPISTRI/M; Intel SDM 2, 4.1) and
 * CRC32 (Castagnoli polynomial, bit-reflected). */
#include "util/osdep.h"
#include "cpu/x86/helper.h"
#include "cpu/x86/cc.h"

/* Element `i` of a source in the format of imm[1:0] (ub, uw, sb, sw), sign-extended. */
static int elem(const YMMReg *r, int imm, int i)
{
    switch (imm & 3) {
    case 0: return r->b[i];
    case 1: return r->w[i];
    case 2: return (int8_t)r->b[i];
    default: return (int16_t)r->w[i];
    }
}

static int implicit_len(const YMMReg *r, int imm, int n)
{
    for (int i = 0; i < n; i++)
        if (elem(r, imm, i) == 0)
            return i;
    return n;
}

static int explicit_len(int64_t v, int n)
{
    /* The absolute value, saturated to the element count. */
    if (v < 0)
        v = v == INT64_MIN ? n : -v;
    return v > n ? n : (int)v;
}

/* IntRes2 of SDM 2, 4.1.4-4.1.6, and the flags. */
static unsigned str_compare(X86CPUState *env, const YMMReg *a, const YMMReg *b, int imm,
                            int la, int lb)
{
    int n = (imm & 1) ? 8 : 16;
    int agg = (imm >> 2) & 3;
    unsigned res1 = 0;
    for (int j = 0; j < n; j++) {
        bool r = false;
        switch (agg) {
        case 0:   /* equal any */
            for (int i = 0; i < la && j < lb && !r; i++)
                r = elem(a, imm, i) == elem(b, imm, j);
            break;
        case 1:   /* ranges: pairs (a[i], a[i+1]) as [low, high] */
            for (int i = 0; i + 1 < la + 1 && i < la && j < lb && !r; i += 2) {
                int v = elem(b, imm, j);
                bool ge = v >= elem(a, imm, i);
                bool le = i + 1 < la && v <= elem(a, imm, i + 1);
                r = ge && le;
            }
            break;
        case 2: { /* equal each */
            bool va = j < la, vb = j < lb;
            r = (va && vb) ? elem(a, imm, j) == elem(b, imm, j) : (!va && !vb);
            break;
        }
        default:  /* equal ordered: a as a substring of b starting at j */
            r = true;
            for (int i = 0; i < n - j && r; i++) {
                bool va = i < la, vb = j + i < lb;
                if (!va)
                    break;
                r = vb && elem(a, imm, i) == elem(b, imm, j + i);
            }
            break;
        }
        if (r)
            res1 |= 1u << j;
    }
    unsigned all = (n == 16) ? 0xffff : 0xff, res2;
    switch ((imm >> 4) & 3) {
    case 1: res2 = ~res1 & all; break;
    case 3: res2 = (res1 ^ ((1u << lb) - 1)) & all; break;   /* negate valid elements only */
    default: res2 = res1; break;
    }
    uint32_t fl = 0;
    if (res2)
        fl |= EFLAGS_CF;
    if (lb < n)
        fl |= EFLAGS_ZF;
    if (la < n)
        fl |= EFLAGS_SF;
    if (res2 & 1)
        fl |= EFLAGS_OF;
    x86_cc_set_eflags(env, fl);
    return res2;
}

static void set_index(X86CPUState *env, unsigned res, int imm)
{
    int n = (imm & 1) ? 8 : 16;
    int idx;
    if (!res)
        idx = n;
    else if (imm & 0x40)
        idx = 31 - __builtin_clz(res);
    else
        idx = __builtin_ctz(res);
    env->regs[R_ECX] = (uint32_t)idx;
}

static void set_mask(X86CPUState *env, unsigned res, int imm)
{
    YMMReg m;
    memset(&m, 0, sizeof(m));
    if (imm & 0x40) {
        for (int i = 0; i < ((imm & 1) ? 8 : 16); i++) {
            bool bit = (res >> i) & 1;
            if (imm & 1)
                m.w[i] = bit ? 0xffff : 0;
            else
                m.b[i] = bit ? 0xff : 0;
        }
    } else {
        m.q[0] = res;
    }
    memcpy(&env->ymm[0], &m, 16);
}

static void lengths_explicit(X86CPUState *env, int imm, int rex_w, int *la, int *lb)
{
    int n = (imm & 1) ? 8 : 16;
    int64_t a = rex_w ? (int64_t)env->regs[R_EAX] : (int32_t)env->regs[R_EAX];
    int64_t b = rex_w ? (int64_t)env->regs[R_EDX] : (int32_t)env->regs[R_EDX];
    *la = explicit_len(a, n);
    *lb = explicit_len(b, n);
}

void helper_pcmpestri(X86CPUState *env, const YMMReg *d, const YMMReg *s, int imm, int rex_w)
{
    int la, lb;
    lengths_explicit(env, imm, rex_w, &la, &lb);
    set_index(env, str_compare(env, d, s, imm, la, lb), imm);
}

void helper_pcmpestrm(X86CPUState *env, const YMMReg *d, const YMMReg *s, int imm, int rex_w)
{
    int la, lb;
    lengths_explicit(env, imm, rex_w, &la, &lb);
    set_mask(env, str_compare(env, d, s, imm, la, lb), imm);
}

void helper_pcmpistri(X86CPUState *env, const YMMReg *d, const YMMReg *s, int imm)
{
    int n = (imm & 1) ? 8 : 16;
    set_index(env, str_compare(env, d, s, imm, implicit_len(d, imm, n), implicit_len(s, imm, n)), imm);
}

void helper_pcmpistrm(X86CPUState *env, const YMMReg *d, const YMMReg *s, int imm)
{
    int n = (imm & 1) ? 8 : 16;
    set_mask(env, str_compare(env, d, s, imm, implicit_len(d, imm, n), implicit_len(s, imm, n)), imm);
}

uint32_t helper_crc32(uint32_t crc, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        crc ^= (uint8_t)(v >> (8 * i));
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
    }
    return crc;
}
