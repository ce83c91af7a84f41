/* sse_helper.c: MMX and SSE..SSE4.2 integer, shuffle and blend helpers (Intel SDM 2, each
 * instruction's Operation section). Operands are copied in and out by width, so a helper
 * works on a 64-bit MMX register or a 128-bit XMM register, and d may equal s. */
#include "util/osdep.h"
#include "cpu/x86/helper.h"
#include "cpu/x86/cc.h"

static inline void load(YMMReg *r, const void *p, int w)
{
    memset(r, 0, sizeof(*r));
    memcpy(r, p, (size_t)w);
}

/* Write back; an MMX register also gets its x87 exponent set to all ones (SDM 1, 9.5.1). */
static inline void store(X86CPUState *env, void *p, const YMMReg *r, int w)
{
    memcpy(p, r, (size_t)w);
    char *c = p, *f = (char *)env->fpregs;
    if (c >= f && c < f + sizeof(env->fpregs))
        env->fpregs[(c - f) / sizeof(Float80)].exp = 0xffff;
}

static inline int8_t sat_s8(int v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static inline uint8_t sat_u8(int v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }
static inline int16_t sat_s16(int v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static inline uint16_t sat_u16(int v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }

/* Element-wise d[i] = f(d[i], s[i]) for lanes of `field` (b, w, d, q) typed T. */
#define ELEM(name, T, field, expr)                                                              \
    void helper_##name(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)                  \
    {                                                                                           \
        YMMReg a, b, r;                                                                         \
        load(&a, dp, w);                                                                        \
        load(&b, sp, w);                                                                        \
        r = a;                                                                                  \
        for (int i = 0; i < w / (int)sizeof(a.field[0]); i++) {                                 \
            T x = (T)a.field[i], y = (T)b.field[i];                                             \
            (void)x; (void)y;                                                                   \
            r.field[i] = (__typeof__(r.field[0]))(expr);                                        \
        }                                                                                       \
        store(env, dp, &r, w);                                                                  \
    }

ELEM(paddb, uint8_t, b, x + y)
ELEM(paddw, uint16_t, w, x + y)
ELEM(paddd, uint32_t, d, x + y)
ELEM(paddq, uint64_t, q, x + y)
ELEM(psubb, uint8_t, b, x - y)
ELEM(psubw, uint16_t, w, x - y)
ELEM(psubd, uint32_t, d, x - y)
ELEM(psubq, uint64_t, q, x - y)
ELEM(paddsb, int8_t, b, sat_s8(x + y))
ELEM(paddsw, int16_t, w, sat_s16(x + y))
ELEM(paddusb, uint8_t, b, sat_u8(x + y))
ELEM(paddusw, uint16_t, w, sat_u16(x + y))
ELEM(psubsb, int8_t, b, sat_s8(x - y))
ELEM(psubsw, int16_t, w, sat_s16(x - y))
ELEM(psubusb, uint8_t, b, sat_u8(x - y))
ELEM(psubusw, uint16_t, w, sat_u16(x - y))
ELEM(pmullw, int16_t, w, (int32_t)x * y)
ELEM(pmulhw, int16_t, w, ((int32_t)x * y) >> 16)
ELEM(pmulhuw, uint16_t, w, ((uint32_t)x * y) >> 16)
ELEM(pavgb, uint8_t, b, (x + y + 1) >> 1)
ELEM(pavgw, uint16_t, w, (x + y + 1) >> 1)
ELEM(pminub, uint8_t, b, x < y ? x : y)
ELEM(pmaxub, uint8_t, b, x > y ? x : y)
ELEM(pminsw, int16_t, w, x < y ? x : y)
ELEM(pmaxsw, int16_t, w, x > y ? x : y)
ELEM(pcmpeqb, uint8_t, b, x == y ? 0xff : 0)
ELEM(pcmpeqw, uint16_t, w, x == y ? 0xffff : 0)
ELEM(pcmpeqd, uint32_t, d, x == y ? 0xffffffffu : 0)
ELEM(pcmpeqq, uint64_t, q, x == y ? ~0ULL : 0)
ELEM(pcmpgtb, int8_t, b, x > y ? 0xff : 0)
ELEM(pcmpgtw, int16_t, w, x > y ? 0xffff : 0)
ELEM(pcmpgtd, int32_t, d, x > y ? 0xffffffffu : 0)
ELEM(pcmpgtq, int64_t, q, x > y ? ~0ULL : 0)
ELEM(pand, uint64_t, q, x & y)
ELEM(pandn, uint64_t, q, ~x & y)
ELEM(por, uint64_t, q, x | y)
ELEM(pxor, uint64_t, q, x ^ y)
ELEM(psignb, int8_t, b, y < 0 ? -x : y == 0 ? 0 : x)
ELEM(psignw, int16_t, w, y < 0 ? -x : y == 0 ? 0 : x)
ELEM(psignd, int32_t, d, y < 0 ? -(int64_t)x : y == 0 ? 0 : x)
ELEM(pabsb, int8_t, b, y < 0 ? -y : y)
ELEM(pabsw, int16_t, w, y < 0 ? -y : y)
ELEM(pabsd, int32_t, d, y < 0 ? -(int64_t)y : y)
ELEM(pmulhrsw, int16_t, w, ((((int32_t)x * y) >> 14) + 1) >> 1)
ELEM(pmulld, int32_t, d, (uint32_t)((int64_t)x * y))
ELEM(pminsb, int8_t, b, x < y ? x : y)
ELEM(pminsd, int32_t, d, x < y ? x : y)
ELEM(pminuw, uint16_t, w, x < y ? x : y)
ELEM(pminud, uint32_t, d, x < y ? x : y)
ELEM(pmaxsb, int8_t, b, x > y ? x : y)
ELEM(pmaxsd, int32_t, d, x > y ? x : y)
ELEM(pmaxuw, uint16_t, w, x > y ? x : y)
ELEM(pmaxud, uint32_t, d, x > y ? x : y)

/* PMULUDQ/PMULDQ: the even dwords, full 64-bit products. */
void helper_pmuludq(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b, r;
    load(&a, dp, w);
    load(&b, sp, w);
    for (int i = 0; i < w / 8; i++)
        r.q[i] = (uint64_t)a.d[2 * i] * b.d[2 * i];
    store(env, dp, &r, w);
}

void helper_pmuldq(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b, r;
    load(&a, dp, w);
    load(&b, sp, w);
    for (int i = 0; i < w / 8; i++)
        r.q[i] = (uint64_t)((int64_t)(int32_t)a.d[2 * i] * (int32_t)b.d[2 * i]);
    store(env, dp, &r, w);
}

void helper_pmaddwd(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b, r;
    load(&a, dp, w);
    load(&b, sp, w);
    for (int i = 0; i < w / 4; i++)
        r.d[i] = (uint32_t)((int32_t)(int16_t)a.w[2 * i] * (int16_t)b.w[2 * i] +
                            (int32_t)(int16_t)a.w[2 * i + 1] * (int16_t)b.w[2 * i + 1]);
    store(env, dp, &r, w);
}

void helper_pmaddubsw(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b, r;
    load(&a, dp, w);
    load(&b, sp, w);
    for (int i = 0; i < w / 2; i++)
        r.w[i] = (uint16_t)sat_s16(a.b[2 * i] * (int8_t)b.b[2 * i] + a.b[2 * i + 1] * (int8_t)b.b[2 * i + 1]);
    store(env, dp, &r, w);
}

void helper_psadbw(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b, r;
    load(&a, dp, w);
    load(&b, sp, w);
    memset(&r, 0, sizeof(r));
    for (int q = 0; q < w / 8; q++) {
        unsigned sum = 0;
        for (int i = 0; i < 8; i++)
            sum += (unsigned)abs(a.b[8 * q + i] - b.b[8 * q + i]);
        r.q[q] = sum;
    }
    store(env, dp, &r, w);
}

/* Packs: the destination's elements saturated into the low half, the source's into the high. */
#define PACK(name, SRC_T, sfield, dfield, satfn)                                                \
    void helper_##name(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)                  \
    {                                                                                           \
        YMMReg a, b, r;                                                                         \
        load(&a, dp, w);                                                                        \
        load(&b, sp, w);                                                                        \
        int n = w / (int)sizeof(a.sfield[0]);                                                   \
        for (int i = 0; i < n; i++) {                                                           \
            r.dfield[i] = (__typeof__(r.dfield[0]))satfn((SRC_T)a.sfield[i]);                   \
            r.dfield[n + i] = (__typeof__(r.dfield[0]))satfn((SRC_T)b.sfield[i]);               \
        }                                                                                       \
        store(env, dp, &r, w);                                                                  \
    }
static inline int32_t sat_s16_32(int32_t v) { return sat_s16(v); }
static inline uint16_t sat_u16_32(int32_t v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }
PACK(packsswb, int16_t, w, b, sat_s8)
PACK(packuswb, int16_t, w, b, sat_u8)
PACK(packssdw, int32_t, d, w, sat_s16_32)
PACK(packusdw, int32_t, d, w, sat_u16_32)

/* Unpacks interleave the low (or high) halves of d and s. */
#define UNPACK(name, field, high)                                                               \
    void helper_##name(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)                  \
    {                                                                                           \
        YMMReg a, b, r;                                                                         \
        load(&a, dp, w);                                                                        \
        load(&b, sp, w);                                                                        \
        int n = w / (int)sizeof(a.field[0]), base = (high) ? n / 2 : 0;                        \
        for (int i = 0; i < n / 2; i++) {                                                       \
            r.field[2 * i] = a.field[base + i];                                                 \
            r.field[2 * i + 1] = b.field[base + i];                                             \
        }                                                                                       \
        store(env, dp, &r, w);                                                                  \
    }
UNPACK(punpcklbw, b, 0)
UNPACK(punpcklwd, w, 0)
UNPACK(punpckldq, d, 0)
UNPACK(punpcklqdq, q, 0)
UNPACK(punpckhbw, b, 1)
UNPACK(punpckhwd, w, 1)
UNPACK(punpckhdq, d, 1)
UNPACK(punpckhqdq, q, 1)

/* Shifts by the count in the low 64 bits of s (or an immediate): counts beyond the element
 * width give 0 (logical) or the sign fill (arithmetic). */
#define SHIFT(name, field, bits, kind)                                                          \
    static void shift_##name(X86CPUState *env, YMMReg *dp, uint64_t count, int w)              \
    {                                                                                           \
        YMMReg a;                                                                               \
        load(&a, dp, w);                                                                        \
        for (int i = 0; i < w / (bits / 8); i++) {                                              \
            uint64_t v = a.field[i];                                                            \
            if (kind == 0)                                                                      \
                v = count >= bits ? 0 : v << count;                                             \
            else if (kind == 1)                                                                 \
                v = count >= bits ? 0 : v >> count;                                             \
            else {                                                                              \
                int64_t sv = (int64_t)(v << (64 - bits)) >> (64 - bits);                        \
                v = (uint64_t)(sv >> (count >= bits ? bits - 1 : count));                       \
            }                                                                                   \
            a.field[i] = (__typeof__(a.field[0]))v;                                             \
        }                                                                                       \
        store(env, dp, &a, w);                                                                  \
    }                                                                                           \
    void helper_##name(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)                  \
    {                                                                                           \
        uint64_t c;                                                                             \
        memcpy(&c, sp, 8);                                                                      \
        shift_##name(env, dp, c, w);                                                            \
    }                                                                                           \
    void helper_##name##_i(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)     \
    {                                                                                           \
        shift_##name(env, dp, (uint64_t)(imm & 0xff), w);                                       \
    }
SHIFT(psllw, w, 16, 0)
SHIFT(pslld, d, 32, 0)
SHIFT(psllq, q, 64, 0)
SHIFT(psrlw, w, 16, 1)
SHIFT(psrld, d, 32, 1)
SHIFT(psrlq, q, 64, 1)
SHIFT(psraw, w, 16, 2)
SHIFT(psrad, d, 32, 2)

void helper_pslldq_i(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg a, r;
    load(&a, dp, 16);
    unsigned n = (unsigned)imm & 0xff;
    for (int i = 0; i < 16; i++)
        r.b[i] = (unsigned)i >= n ? a.b[i - n] : 0;
    store(env, dp, &r, 16);
}

void helper_psrldq_i(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg a, r;
    load(&a, dp, 16);
    unsigned n = (unsigned)imm & 0xff;
    for (int i = 0; i < 16; i++)
        r.b[i] = i + n < 16 ? a.b[i + n] : 0;
    store(env, dp, &r, 16);
}

void helper_pshufw(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg b, r;
    load(&b, sp, 8);
    for (int i = 0; i < 4; i++)
        r.w[i] = b.w[(imm >> (2 * i)) & 3];
    store(env, dp, &r, 8);
}

void helper_pshufd(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg b, r;
    load(&b, sp, 16);
    for (int i = 0; i < 4; i++)
        r.d[i] = b.d[(imm >> (2 * i)) & 3];
    store(env, dp, &r, 16);
}

void helper_pshuflw(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg b, r;
    load(&b, sp, 16);
    r = b;
    for (int i = 0; i < 4; i++)
        r.w[i] = b.w[(imm >> (2 * i)) & 3];
    store(env, dp, &r, 16);
}

void helper_pshufhw(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg b, r;
    load(&b, sp, 16);
    r = b;
    for (int i = 0; i < 4; i++)
        r.w[4 + i] = b.w[4 + ((imm >> (2 * i)) & 3)];
    store(env, dp, &r, 16);
}

void helper_shufps(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg a, b, r;
    load(&a, dp, 16);
    load(&b, sp, 16);
    r.d[0] = a.d[imm & 3];
    r.d[1] = a.d[(imm >> 2) & 3];
    r.d[2] = b.d[(imm >> 4) & 3];
    r.d[3] = b.d[(imm >> 6) & 3];
    store(env, dp, &r, 16);
}

void helper_shufpd(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg a, b, r;
    load(&a, dp, 16);
    load(&b, sp, 16);
    r.q[0] = a.q[imm & 1];
    r.q[1] = b.q[(imm >> 1) & 1];
    store(env, dp, &r, 16);
}

void helper_palignr(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    /* Concatenate d:s (d high), shift right by imm bytes, keep the low w bytes. */
    uint8_t cat[32] = { 0 };
    memcpy(cat, sp, (size_t)w);
    memcpy(cat + w, dp, (size_t)w);
    YMMReg r;
    unsigned n = (unsigned)imm & 0xff;
    for (int i = 0; i < w; i++)
        r.b[i] = i + n < (unsigned)(2 * w) ? cat[i + n] : 0;
    store(env, dp, &r, w);
}

void helper_pshufb(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b, r;
    load(&a, dp, w);
    load(&b, sp, w);
    for (int i = 0; i < w; i++)
        r.b[i] = (b.b[i] & 0x80) ? 0 : a.b[b.b[i] & (w - 1)];
    store(env, dp, &r, w);
}

/* Horizontal add/subtract: pairs of d then pairs of s. */
#define HORIZ(name, T, field, expr)                                                             \
    void helper_##name(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)                  \
    {                                                                                           \
        YMMReg a, b, r;                                                                         \
        load(&a, dp, w);                                                                        \
        load(&b, sp, w);                                                                        \
        int n = w / (int)sizeof(a.field[0]);                                                    \
        for (int i = 0; i < n / 2; i++) {                                                       \
            T x = (T)a.field[2 * i], y = (T)a.field[2 * i + 1];                                 \
            r.field[i] = (__typeof__(r.field[0]))(expr);                                        \
            x = (T)b.field[2 * i];                                                              \
            y = (T)b.field[2 * i + 1];                                                          \
            r.field[n / 2 + i] = (__typeof__(r.field[0]))(expr);                                \
        }                                                                                       \
        store(env, dp, &r, w);                                                                  \
    }
HORIZ(phaddw, uint16_t, w, x + y)
HORIZ(phaddd, uint32_t, d, x + y)
HORIZ(phaddsw, int16_t, w, sat_s16(x + y))
HORIZ(phsubw, uint16_t, w, x - y)
HORIZ(phsubd, uint32_t, d, x - y)
HORIZ(phsubsw, int16_t, w, sat_s16(x - y))

void helper_phminposuw(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg b, r;
    load(&b, sp, 16);
    unsigned best = 0;
    for (unsigned i = 1; i < 8; i++)
        if (b.w[i] < b.w[best])
            best = i;
    memset(&r, 0, sizeof(r));
    r.w[0] = b.w[best];
    r.w[1] = (uint16_t)best;
    store(env, dp, &r, 16);
}

/* PMOVSX/PMOVZX: widen the low elements of s. */
#define PMOVX(name, ST, sfield, dfield)                                                         \
    void helper_##name(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)                  \
    {                                                                                           \
        YMMReg b, r;                                                                            \
        load(&b, sp, 16);                                                                       \
        for (int i = 0; i < 16 / (int)sizeof(r.dfield[0]); i++)                                 \
            r.dfield[i] = (__typeof__(r.dfield[0]))(ST)b.sfield[i];                             \
        store(env, dp, &r, 16);                                                                 \
    }
PMOVX(pmovsxbw, int8_t, b, w)
PMOVX(pmovsxbd, int8_t, b, d)
PMOVX(pmovsxbq, int8_t, b, q)
PMOVX(pmovsxwd, int16_t, w, d)
PMOVX(pmovsxwq, int16_t, w, q)
PMOVX(pmovsxdq, int32_t, d, q)
PMOVX(pmovzxbw, uint8_t, b, w)
PMOVX(pmovzxbd, uint8_t, b, d)
PMOVX(pmovzxbq, uint8_t, b, q)
PMOVX(pmovzxwd, uint16_t, w, d)
PMOVX(pmovzxwq, uint16_t, w, q)
PMOVX(pmovzxdq, uint32_t, d, q)

void helper_pblendw(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg a, b;
    load(&a, dp, 16);
    load(&b, sp, 16);
    for (int i = 0; i < 8; i++)
        if ((imm >> i) & 1)
            a.w[i] = b.w[i];
    store(env, dp, &a, 16);
}

void helper_blendps(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg a, b;
    load(&a, dp, 16);
    load(&b, sp, 16);
    for (int i = 0; i < 4; i++)
        if ((imm >> i) & 1)
            a.d[i] = b.d[i];
    store(env, dp, &a, 16);
}

void helper_blendpd(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg a, b;
    load(&a, dp, 16);
    load(&b, sp, 16);
    for (int i = 0; i < 2; i++)
        if ((imm >> i) & 1)
            a.q[i] = b.q[i];
    store(env, dp, &a, 16);
}

void helper_blendvps(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b;
    load(&a, dp, 16);
    load(&b, sp, 16);
    for (int i = 0; i < 4; i++)
        if (env->ymm[0].d[i] >> 31)
            a.d[i] = b.d[i];
    store(env, dp, &a, 16);
}

void helper_blendvpd(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b;
    load(&a, dp, 16);
    load(&b, sp, 16);
    for (int i = 0; i < 2; i++)
        if (env->ymm[0].q[i] >> 63)
            a.q[i] = b.q[i];
    store(env, dp, &a, 16);
}

void helper_pblendvb(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w)
{
    YMMReg a, b;
    load(&a, dp, 16);
    load(&b, sp, 16);
    for (int i = 0; i < 16; i++)
        if (env->ymm[0].b[i] >> 7)
            a.b[i] = b.b[i];
    store(env, dp, &a, 16);
}

void helper_mpsadbw(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int w, int imm)
{
    YMMReg a, b, r;
    load(&a, dp, 16);
    load(&b, sp, 16);
    int so = (imm & 3) * 4, doff = ((imm >> 2) & 1) * 4;
    for (int i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (int j = 0; j < 4; j++)
            sum += (unsigned)abs(a.b[doff + i + j] - b.b[so + j]);
        r.w[i] = (uint16_t)sum;
    }
    store(env, dp, &r, 16);
}

void helper_ptest(X86CPUState *env, const YMMReg *d, const YMMReg *s)
{
    uint64_t and_ = (d->q[0] & s->q[0]) | (d->q[1] & s->q[1]);
    uint64_t andn = (~d->q[0] & s->q[0]) | (~d->q[1] & s->q[1]);
    x86_cc_set_eflags(env, (and_ ? 0 : EFLAGS_ZF) | (andn ? 0 : EFLAGS_CF));
}

uint32_t helper_pmovmskb(X86CPUState *env, const YMMReg *s, int w)
{
    YMMReg b;
    load(&b, s, w);
    uint32_t m = 0;
    for (int i = 0; i < w; i++)
        m |= (uint32_t)(b.b[i] >> 7) << i;
    return m;
}

uint32_t helper_movmskps(X86CPUState *env, const YMMReg *s)
{
    uint32_t m = 0;
    for (int i = 0; i < 4; i++)
        m |= (s->d[i] >> 31) << i;
    return m;
}

uint32_t helper_movmskpd(X86CPUState *env, const YMMReg *s)
{
    return (uint32_t)((s->q[0] >> 63) | ((s->q[1] >> 63) << 1));
}

uint64_t helper_pextr(X86CPUState *env, const YMMReg *s, int w, int size, int index)
{
    YMMReg b;
    load(&b, s, w);
    int lanes = w / size;
    index &= lanes - 1;
    uint64_t v = 0;
    memcpy(&v, b.b + index * size, (size_t)size);
    return v;
}

void helper_pinsr(X86CPUState *env, YMMReg *d, int w, int size, int index, uint64_t value)
{
    YMMReg a;
    load(&a, d, w);
    int lanes = w / size;
    index &= lanes - 1;
    memcpy(a.b + index * size, &value, (size_t)size);
    store(env, d, &a, w);
}

void helper_insertps(X86CPUState *env, YMMReg *dp, const YMMReg *sp, int imm)
{
    YMMReg a, b;
    load(&a, dp, 16);
    load(&b, sp, 16);
    a.d[(imm >> 4) & 3] = b.d[(imm >> 6) & 3];
    for (int i = 0; i < 4; i++)
        if ((imm >> i) & 1)
            a.d[i] = 0;
    store(env, dp, &a, 16);
}

void helper_enter_mmx(X86CPUState *env)
{
    /* Any MMX instruction (except EMMS): TOP = 0, all registers valid (SDM 1, 9.5.1). */
    env->fpstt = 0;
    memset(env->fptag_empty, 0, sizeof(env->fptag_empty));
}

void helper_emms(X86CPUState *env)
{
    memset(env->fptag_empty, 1, sizeof(env->fptag_empty));
}

void helper_movsldup(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    YMMReg r = { .d = { s->d[0], s->d[0], s->d[2], s->d[2] } };
    memcpy(d, &r, 16);
}

void helper_movshdup(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    YMMReg r = { .d = { s->d[1], s->d[1], s->d[3], s->d[3] } };
    memcpy(d, &r, 16);
}

void helper_movddup(X86CPUState *env, YMMReg *d, const YMMReg *s)
{
    YMMReg r = { .q = { s->q[0], s->q[0] } };
    memcpy(d, &r, 16);
}

void helper_maskmov(X86CPUState *env, const YMMReg *d, const YMMReg *s, int w, uint64_t addr)
{
    YMMReg a, m;
    uintptr_t ra = (uintptr_t)__builtin_return_address(0);
    load(&a, d, w);
    load(&m, s, w);
    for (int i = 0; i < w; i++)
        if (m.b[i] & 0x80)
            x86_st_data(env, addr + (uint64_t)i, a.b[i], 1, ra);
}
