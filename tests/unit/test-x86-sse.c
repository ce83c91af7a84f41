/* test-x86-sse.c: the MMX/SSE..SSE4.2 helpers against the same instructions on the host CPU,
 * on random and edge operands (integer: bytes like 0x00/0x7f/0x80/0xff; float: zeros,
 * denormals, infinities, NaNs) and for the FP ones in every MXCSR rounding mode with and
 * without DAZ/FTZ, comparing result bits and MXCSR flags. */
#pragma GCC target("sse4.2,popcnt")
#include "test-x86-harness.h"
#include <immintrin.h>
#include <math.h>

/* The host must have what it is the oracle for. */
#define REQUIRE_HOST_SSE42()                                                                    \
    do {                                                                                        \
        if (!__builtin_cpu_supports("sse4.2"))                                                  \
            cr_skip_test("host CPU has no SSE4.2: no oracle");                                  \
    } while (0)

static uint64_t rs = 0x0123456789abcdefULL;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

/* VIREO_TEST_SCALE=N multiplies the random iterations (long runs outside make check). */
static unsigned scaled(unsigned n)
{
    const char *e = getenv("VIREO_TEST_SCALE");
    unsigned k = e ? (unsigned)strtoul(e, NULL, 10) : 1;
    return n * (k ? k : 1);
}

static void random_int_reg(YMMReg *r)
{
    static const uint8_t edge[] = { 0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x10 };
    for (int i = 0; i < 16; i++) {
        uint64_t x = rnd();
        r->b[i] = (x & 3) == 0 ? edge[(x >> 2) & 7] : (uint8_t)(x >> 8);
    }
    if ((rnd() & 7) == 0)
        memset(r->b + (rnd() % 16), 0, 16 - (rnd() % 16));   /* NULs for the string compares */
    memset(r->b + 16, 0, 16);
}

static uint32_t random_f32(void)
{
    uint64_t x = rnd();
    switch (x % 10) {
    case 0: {
        static const uint32_t sp[] = { 0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                       0xffc00000, 0x7fa00000, 0x00000001, 0x807fffff,
                                       0x00800000, 0x7f7fffff, 0x3f800000, 0x4f000000,
                                       0xcf000000, 0x5f000000, 0x3f000000, 0x3fc00000 };
        return sp[(x >> 8) % ARRAY_SIZE(sp)];
    }
    case 1:
        return (uint32_t)(x >> 8) & 0x807fffff;                 /* denormals */
    case 2:
        return ((uint32_t)(x >> 8) & 0x80ffffff) | 0x00800000;   /* near the smallest normal */
    case 3:
        return (uint32_t)(x >> 8) | 0x7f000000;                 /* huge, inf, NaNs */
    default:
        return ((uint32_t)(x >> 8) & 0x8fffffff) | 0x38000000;  /* moderate */
    }
}

static uint64_t random_f64(void)
{
    uint64_t x = rnd();
    switch (x % 10) {
    case 0: {
        static const uint64_t sp[] = { 0, 0x8000000000000000ULL, 0x7ff0000000000000ULL,
                                       0xfff8000000000000ULL, 0x7ff4000000000000ULL, 1,
                                       0x0010000000000000ULL, 0x3ff0000000000000ULL,
                                       0x41e0000000000000ULL, 0xc3e0000000000000ULL,
                                       0x43e0000000000000ULL, 0x3fe0000000000000ULL };
        return sp[(x >> 8) % ARRAY_SIZE(sp)];
    }
    case 1:
        return rnd() & 0x800fffffffffffffULL;
    case 2:
        return (rnd() & 0x801fffffffffffffULL) | 0x0010000000000000ULL;
    case 3:
        return rnd() | 0x7fe0000000000000ULL;
    case 4:
        return (rnd() & 0x800fffffffffffffULL) | 0x3800000000000000ULL;   /* near float range */
    default:
        return (rnd() & 0x80ffffffffffffffULL) | 0x3c00000000000000ULL;
    }
}

/* ---------------------------------------------------------------- integer, XMM and MMX */

typedef void GuestBin(X86CPUState *, YMMReg *, const YMMReg *, int);
typedef void HostFn(YMMReg *, const YMMReg *);

#define HX(fn, insn)                                                                            \
    static void fn(YMMReg *d, const YMMReg *s)                                                  \
    {                                                                                           \
        __asm__ volatile("movdqu %0, %%xmm0\n\tmovdqu %1, %%xmm1\n\t" insn " %%xmm1, %%xmm0\n\t" \
                         "movdqu %%xmm0, %0" : "+m"(*d) : "m"(*s) : "xmm0", "xmm1");           \
    }
#define HM(fn, insn)                                                                            \
    static void fn(YMMReg *d, const YMMReg *s)                                                  \
    {                                                                                           \
        __asm__ volatile("movq %0, %%mm0\n\tmovq %1, %%mm1\n\t" insn " %%mm1, %%mm0\n\t"        \
                         "movq %%mm0, %0\n\temms" : "+m"(d->q[0]) : "m"(s->q[0]) : "mm0", "mm1"); \
    }

/* name, mnemonic, has an MMX form */
#define INT_OPS(X)                                                                              \
    X(paddb, 1) X(paddw, 1) X(paddd, 1) X(paddq, 1) X(psubb, 1) X(psubw, 1) X(psubd, 1)         \
    X(psubq, 1) X(paddsb, 1) X(paddsw, 1) X(paddusb, 1) X(paddusw, 1) X(psubsb, 1)              \
    X(psubsw, 1) X(psubusb, 1) X(psubusw, 1) X(pmullw, 1) X(pmulhw, 1) X(pmulhuw, 1)            \
    X(pmuludq, 1) X(pmaddwd, 1) X(pavgb, 1) X(pavgw, 1) X(pminub, 1) X(pmaxub, 1)               \
    X(pminsw, 1) X(pmaxsw, 1) X(psadbw, 1) X(pcmpeqb, 1) X(pcmpeqw, 1) X(pcmpeqd, 1)            \
    X(pcmpgtb, 1) X(pcmpgtw, 1) X(pcmpgtd, 1) X(packsswb, 1) X(packssdw, 1) X(packuswb, 1)      \
    X(punpcklbw, 1) X(punpcklwd, 1) X(punpckldq, 1) X(punpcklqdq, 0) X(punpckhbw, 1)            \
    X(punpckhwd, 1) X(punpckhdq, 1) X(punpckhqdq, 0) X(psllw, 1) X(pslld, 1) X(psllq, 1)        \
    X(psrlw, 1) X(psrld, 1) X(psrlq, 1) X(psraw, 1) X(psrad, 1) X(pand, 1) X(pandn, 1)          \
    X(por, 1) X(pxor, 1) X(pshufb, 1) X(phaddw, 1) X(phaddd, 1) X(phaddsw, 1) X(phsubw, 1)      \
    X(phsubd, 1) X(phsubsw, 1) X(pmaddubsw, 1) X(pmulhrsw, 1) X(psignb, 1) X(psignw, 1)         \
    X(psignd, 1) X(pabsb, 1) X(pabsw, 1) X(pabsd, 1) X(pmulld, 0) X(pmuldq, 0) X(pminsb, 0)     \
    X(pminsd, 0) X(pminuw, 0) X(pminud, 0) X(pmaxsb, 0) X(pmaxsd, 0) X(pmaxuw, 0) X(pmaxud, 0)  \
    X(pcmpeqq, 0) X(packusdw, 0) X(phminposuw, 0) X(pmovsxbw, 0) X(pmovsxbd, 0) X(pmovsxbq, 0)  \
    X(pmovsxwd, 0) X(pmovsxwq, 0) X(pmovsxdq, 0) X(pmovzxbw, 0) X(pmovzxbd, 0) X(pmovzxbq, 0)   \
    X(pmovzxwd, 0) X(pmovzxwq, 0) X(pmovzxdq, 0) X(pcmpgtq, 0)

#define HM_1(name) HM(hm_##name, #name)
#define HM_0(name)
#define HMPTR_1(name) hm_##name
#define HMPTR_0(name) NULL
#define DEF_HOST(name, mmx) HX(hx_##name, #name) HM_##mmx(name)
INT_OPS(DEF_HOST)

typedef struct IntOp { const char *name; HostFn *hx, *hm; GuestBin *g; bool mmx; } IntOp;
#define ROW(name, mmx) { #name, hx_##name, HMPTR_##mmx(name), helper_##name, mmx },
static const IntOp int_ops[] = { INT_OPS(ROW) };

static unsigned long compared;

Test(x86_sse, integer_ops_xmm_and_mmx)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (unsigned k = 0; k < ARRAY_SIZE(int_ops); k++) {
        const IntOp *op = &int_ops[k];
        for (unsigned i = 0; i < scaled(400); i++) {
            YMMReg d, s, hd, gd;
            random_int_reg(&d);
            random_int_reg(&s);
            if (strncmp(op->name, "ps", 2) == 0 && (i & 1))
                s.q[0] = rnd() % 70;      /* shift counts in and beyond range */
            hd = d;
            op->hx(&hd, &s);
            tenv->ymm[2] = d;
            tenv->ymm[3] = s;
            op->g(tenv, &tenv->ymm[2], &tenv->ymm[3], 16);
            gd = tenv->ymm[2];
            compared++;
            cr_assert(!memcmp(&hd, &gd, 16), "%s xmm: d=%016" PRIx64 "%016" PRIx64 " s=%016" PRIx64
                      "%016" PRIx64 ": host %016" PRIx64 "%016" PRIx64 " guest %016" PRIx64 "%016" PRIx64,
                      op->name, d.q[1], d.q[0], s.q[1], s.q[0], hd.q[1], hd.q[0], gd.q[1], gd.q[0]);
            if (!op->mmx)
                continue;
            hd = d;
            op->hm(&hd, &s);
            helper_enter_mmx(tenv);
            tenv->fpregs[1].mant = d.q[0];
            tenv->fpregs[5].mant = s.q[0];
            op->g(tenv, (YMMReg *)&tenv->fpregs[1].mant, (const YMMReg *)&tenv->fpregs[5].mant, 8);
            cr_assert_eq(tenv->fpregs[1].mant, hd.q[0], "%s mmx: d=%016" PRIx64 " s=%016" PRIx64
                         ": host %016" PRIx64 " guest %016" PRIx64, op->name, d.q[0], s.q[0],
                         hd.q[0], tenv->fpregs[1].mant);
            cr_assert_eq(tenv->fpregs[1].exp, 0xffff, "MMX write sets the x87 exponent");
        }
    }
}

/* Immediate forms, each with a few immediates. */
#define HXI(fn, insn, imm)                                                                      \
    static void fn(YMMReg *d, const YMMReg *s)                                                  \
    {                                                                                           \
        __asm__ volatile("movdqu %0, %%xmm0\n\tmovdqu %1, %%xmm1\n\t" insn " $" #imm ", %%xmm1, %%xmm0\n\t" \
                         "movdqu %%xmm0, %0" : "+m"(*d) : "m"(*s) : "xmm0", "xmm1");           \
    }
#define HXI1(fn, insn, imm)                                                                     \
    static void fn(YMMReg *d, const YMMReg *s)                                                  \
    {                                                                                           \
        __asm__ volatile("movdqu %0, %%xmm0\n\t" insn " $" #imm ", %%xmm0\n\t"                  \
                         "movdqu %%xmm0, %0" : "+m"(*d) : "m"(*s) : "xmm0");                   \
    }
#define HMI(fn, insn, imm)                                                                      \
    static void fn(YMMReg *d, const YMMReg *s)                                                  \
    {                                                                                           \
        __asm__ volatile("movq %0, %%mm0\n\tmovq %1, %%mm1\n\t" insn " $" #imm ", %%mm1, %%mm0\n\t" \
                         "movq %%mm0, %0\n\temms" : "+m"(d->q[0]) : "m"(s->q[0]) : "mm0", "mm1"); \
    }
typedef void GuestImm(X86CPUState *, YMMReg *, const YMMReg *, int, int);
typedef struct ImmOp { const char *name; HostFn *h; GuestImm *g; int imm, w; } ImmOp;

#define IMM_OPS(X)                                                                              \
    X(X2, pshufd, 0x1b, 16) X(X2, pshufd, 0xe4, 16) X(X2, pshuflw, 0x4e, 16)                    \
    X(X2, pshufhw, 0xb1, 16) X(X2, palignr, 3, 16) X(X2, palignr, 17, 16) X(X2, palignr, 0, 16) \
    X(X1, pslldq, 5, 16) X(X1, psrldq, 9, 16) X(X1, pslldq, 17, 16)                             \
    X(X1, psllw, 3, 16) X(X1, pslld, 31, 16) X(X1, psllq, 40, 16) X(X1, psrlw, 15, 16)          \
    X(X1, psrld, 33, 16) X(X1, psrlq, 1, 16) X(X1, psraw, 16, 16) X(X1, psrad, 7, 16)           \
    X(X2, pblendw, 0xa5, 16) X(X2, mpsadbw, 0, 16) X(X2, mpsadbw, 7, 16) X(X2, shufps, 0x9c, 16) \
    X(X2, shufpd, 2, 16) X(X2, blendps, 0x6, 16) X(X2, blendpd, 0x1, 16)                        \
    X(M2, pshufw, 0x1b, 8) X(M2, palignr, 5, 8) X(M2, palignr, 12, 8)

#define HOSTIMM_X2(name, imm) HXI(hi_##name##_##imm, #name, imm)
#define HOSTIMM_X1(name, imm) HXI1(hi_##name##_##imm, #name, imm)
#define HOSTIMM_M2(name, imm) HMI(hm_##name##_##imm, #name, imm)
#define DEF_IMM(kind, name, imm, w) HOSTIMM_##kind(name, imm)
IMM_OPS(DEF_IMM)
#define GUESTNAME_X2(name) helper_##name
#define GUESTNAME_X1(name) helper_##name##_i_alias
#define GUESTNAME_M2(name) helper_##name
#define HOSTNAME_X2(name, imm) hi_##name##_##imm
#define HOSTNAME_X1(name, imm) hi_##name##_##imm
#define HOSTNAME_M2(name, imm) hm_##name##_##imm
/* pslldq/psrldq have only immediate forms, the shifts have both: map to the _i helpers. */
#define helper_pslldq_i_alias helper_pslldq_i
#define helper_psrldq_i_alias helper_psrldq_i
#define helper_psllw_i_alias helper_psllw_i
#define helper_pslld_i_alias helper_pslld_i
#define helper_psllq_i_alias helper_psllq_i
#define helper_psrlw_i_alias helper_psrlw_i
#define helper_psrld_i_alias helper_psrld_i
#define helper_psrlq_i_alias helper_psrlq_i
#define helper_psraw_i_alias helper_psraw_i
#define helper_psrad_i_alias helper_psrad_i
#define IMMROW(kind, name, imm, w) { #name, HOSTNAME_##kind(name, imm), GUESTNAME_##kind(name), imm, w },
static const ImmOp imm_ops[] = { IMM_OPS(IMMROW) };

Test(x86_sse, immediate_forms)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (unsigned k = 0; k < ARRAY_SIZE(imm_ops); k++) {
        const ImmOp *op = &imm_ops[k];
        for (unsigned i = 0; i < scaled(300); i++) {
            YMMReg d, s, hd;
            random_int_reg(&d);
            random_int_reg(&s);
            hd = d;
            op->h(&hd, &s);
            YMMReg *gd = op->w == 16 ? &tenv->ymm[4] : (YMMReg *)&tenv->fpregs[2].mant;
            const YMMReg *gs = op->w == 16 ? &tenv->ymm[5] : (const YMMReg *)&tenv->fpregs[3].mant;
            memcpy(gd, &d, (size_t)op->w);
            memcpy((void *)gs, &s, (size_t)op->w);
            op->g(tenv, gd, gs, op->w, op->imm);
            compared++;
            cr_assert(!memcmp(&hd, gd, (size_t)op->w), "%s imm %#x (w %d): host %016" PRIx64
                      " guest %016" PRIx64, op->name, op->imm, op->w, hd.q[0], gd->q[0]);
        }
    }
}

Test(x86_sse, blendv_ptest_movmsk_extract_crc32)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (unsigned i = 0; i < scaled(2000); i++) {
        YMMReg d, s, m, h;
        random_int_reg(&d);
        random_int_reg(&s);
        random_int_reg(&m);
        __m128i vd = _mm_loadu_si128((void *)&d), vs = _mm_loadu_si128((void *)&s), vm = _mm_loadu_si128((void *)&m);
        tenv->ymm[0] = m;
        tenv->ymm[1] = d;
        helper_pblendvb(tenv, &tenv->ymm[1], &s, 16);
        _mm_storeu_si128((void *)&h, _mm_blendv_epi8(vd, vs, vm));
        cr_assert(!memcmp(&h, &tenv->ymm[1], 16), "pblendvb");
        tenv->ymm[1] = d;
        helper_blendvps(tenv, &tenv->ymm[1], &s, 16);
        _mm_storeu_ps((void *)&h, _mm_blendv_ps(_mm_castsi128_ps(vd), _mm_castsi128_ps(vs), _mm_castsi128_ps(vm)));
        cr_assert(!memcmp(&h, &tenv->ymm[1], 16), "blendvps");
        tenv->ymm[1] = d;
        helper_blendvpd(tenv, &tenv->ymm[1], &s, 16);
        _mm_storeu_pd((void *)&h, _mm_blendv_pd(_mm_castsi128_pd(vd), _mm_castsi128_pd(vs), _mm_castsi128_pd(vm)));
        cr_assert(!memcmp(&h, &tenv->ymm[1], 16), "blendvpd");
        if (i & 1)
            s = d;
        if (i & 2)
            memset(&s, 0, 16);
        vs = _mm_loadu_si128((void *)&s);
        helper_ptest(tenv, &d, &s);
        uint32_t f = x86_cc_compute(tenv);
        cr_assert_eq(!!(f & EFLAGS_ZF), _mm_testz_si128(vd, vs));
        cr_assert_eq(!!(f & EFLAGS_CF), _mm_testc_si128(vd, vs));
        cr_assert_eq(helper_pmovmskb(tenv, &d, 16), (uint32_t)_mm_movemask_epi8(vd));
        cr_assert_eq(helper_movmskps(tenv, &d), (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(vd)));
        cr_assert_eq(helper_movmskpd(tenv, &d), (uint32_t)_mm_movemask_pd(_mm_castsi128_pd(vd)));
        cr_assert_eq(helper_pextr(tenv, &d, 16, 2, 5), (uint64_t)_mm_extract_epi16(vd, 5));
        cr_assert_eq(helper_pextr(tenv, &d, 16, 1, 13), (uint64_t)_mm_extract_epi8(vd, 13));
        cr_assert_eq(helper_pextr(tenv, &d, 16, 8, 1), (uint64_t)_mm_extract_epi64(vd, 1));
        tenv->ymm[1] = d;
        helper_pinsr(tenv, &tenv->ymm[1], 16, 4, 2, s.d[0]);
        _mm_storeu_si128((void *)&h, _mm_insert_epi32(vd, (int)s.d[0], 2));
        cr_assert(!memcmp(&h, &tenv->ymm[1], 16), "pinsrd");
        tenv->ymm[1] = d;
        helper_insertps(tenv, &tenv->ymm[1], &s, 0x9a);
        _mm_storeu_ps((void *)&h, _mm_insert_ps(_mm_castsi128_ps(vd), _mm_castsi128_ps(vs), 0x9a));
        cr_assert(!memcmp(&h, &tenv->ymm[1], 16), "insertps");
        uint32_t crc = (uint32_t)rnd();
        uint64_t v = rnd();
        cr_assert_eq(helper_crc32(crc, v, 1), _mm_crc32_u8(crc, (uint8_t)v));
        cr_assert_eq(helper_crc32(crc, v, 2), _mm_crc32_u16(crc, (uint16_t)v));
        cr_assert_eq(helper_crc32(crc, v, 4), _mm_crc32_u32(crc, (uint32_t)v));
        cr_assert_eq(helper_crc32(crc, v, 8), (uint32_t)_mm_crc32_u64(crc, v));
        compared += 16;
    }
}

/* PCMPxSTRx: every imm8 (bit 7 is ignored) on random strings, index, mask and flags. */
#define STR_IMM_CASE(imm)                                                                        \
    case imm:                                                                                   \
        hi = _mm_cmpestri(va, la, vb, lb, imm);                                                 \
        hm = _mm_cmpestrm(va, la, vb, lb, imm);                                                 \
        hc = _mm_cmpestrc(va, la, vb, lb, imm);                                                 \
        hz = _mm_cmpestrz(va, la, vb, lb, imm);                                                 \
        hs = _mm_cmpestrs(va, la, vb, lb, imm);                                                 \
        ho = _mm_cmpestro(va, la, vb, lb, imm);                                                 \
        ii = _mm_cmpistri(va, vb, imm);                                                         \
        im = _mm_cmpistrm(va, vb, imm);                                                         \
        ic = _mm_cmpistrc(va, vb, imm);                                                         \
        iz = _mm_cmpistrz(va, vb, imm);                                                         \
        break;
#define C4(b) STR_IMM_CASE(b) STR_IMM_CASE(b + 1) STR_IMM_CASE(b + 2) STR_IMM_CASE(b + 3)
#define C16(b) C4(b) C4(b + 4) C4(b + 8) C4(b + 12)

Test(x86_sse, pcmpxstrx_all_immediates)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (int imm = 0; imm < 128; imm++) {
        for (unsigned i = 0; i < scaled(150); i++) {
            YMMReg a, b;
            random_int_reg(&a);
            random_int_reg(&b);
            if (i & 1)
                memcpy(b.b + (rnd() % 8), a.b, 4 + rnd() % 5);     /* plant a match */
            if ((i & 6) == 2)
                for (int k = 0; k < 16; k++)
                    a.b[k] = k & 1 ? 'z' : 'a', b.b[k] = (uint8_t)('a' + rnd() % 30);
            int la = (int)(rnd() % 20) - 2, lb = (int)(rnd() % 20) - 2;
            __m128i va = _mm_loadu_si128((void *)&a), vb = _mm_loadu_si128((void *)&b);
            int hi = 0, hc = 0, hz = 0, hs = 0, ho = 0, ii = 0, ic = 0, iz = 0;
            __m128i hm = _mm_setzero_si128(), im = _mm_setzero_si128();
            switch (imm) {
            C16(0) C16(16) C16(32) C16(48) C16(64) C16(80) C16(96) C16(112)
            }
            YMMReg hmask, imask;
            _mm_storeu_si128((void *)&hmask, hm);
            _mm_storeu_si128((void *)&imask, im);
            tenv->regs[R_EAX] = (uint64_t)(int64_t)la;
            tenv->regs[R_EDX] = (uint64_t)(int64_t)lb;
            helper_pcmpestri(tenv, &a, &b, imm, 0);
            uint32_t f = x86_cc_compute(tenv);
            cr_assert(tenv->regs[R_ECX] == (uint64_t)hi && !!(f & EFLAGS_CF) == hc &&
                      !!(f & EFLAGS_ZF) == hz && !!(f & EFLAGS_SF) == hs && !!(f & EFLAGS_OF) == ho,
                      "pcmpestri imm %#x la %d lb %d: ecx %" PRIu64 "/%d flags %#x (host c%d z%d s%d o%d)",
                      imm, la, lb, tenv->regs[R_ECX], hi, f, hc, hz, hs, ho);
            helper_pcmpestrm(tenv, &a, &b, imm, 0);
            cr_assert(!memcmp(&tenv->ymm[0], &hmask, 16), "pcmpestrm imm %#x", imm);
            helper_pcmpistri(tenv, &a, &b, imm);
            f = x86_cc_compute(tenv);
            cr_assert(tenv->regs[R_ECX] == (uint64_t)ii && !!(f & EFLAGS_CF) == ic && !!(f & EFLAGS_ZF) == iz,
                      "pcmpistri imm %#x: ecx %" PRIu64 "/%d", imm, tenv->regs[R_ECX], ii);
            helper_pcmpistrm(tenv, &a, &b, imm);
            cr_assert(!memcmp(&tenv->ymm[0], &imask, 16), "pcmpistrm imm %#x", imm);
            compared += 4;
        }
    }
}

/* ---------------------------------------------------------------- floating point */

#define HF(fn, insn)                                                                            \
    static uint32_t fn(YMMReg *d, const YMMReg *s, uint32_t mx)                                 \
    {                                                                                           \
        uint32_t saved, out;                                                                    \
        __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tmovdqu %[d], %%xmm0\n\t"            \
                         "movdqu %[s], %%xmm1\n\t" insn "\n\tmovdqu %%xmm0, %[d]\n\t"            \
                         "stmxcsr %[out]\n\tldmxcsr %[sv]"                                       \
                         : [d] "+m"(*d), [sv] "=m"(saved), [out] "=m"(out)                      \
                         : [s] "m"(*s), [mx] "m"(mx) : "xmm0", "xmm1");                         \
        return out;                                                                             \
    }

typedef void GuestFP(X86CPUState *, YMMReg *, const YMMReg *);
enum { IN_F32, IN_F64, IN_I32 };

#define FP_OPS(X)                                                                               \
    X(addps, IN_F32) X(addss, IN_F32) X(addpd, IN_F64) X(addsd, IN_F64)                         \
    X(subps, IN_F32) X(subss, IN_F32) X(subpd, IN_F64) X(subsd, IN_F64)                         \
    X(mulps, IN_F32) X(mulss, IN_F32) X(mulpd, IN_F64) X(mulsd, IN_F64)                         \
    X(divps, IN_F32) X(divss, IN_F32) X(divpd, IN_F64) X(divsd, IN_F64)                         \
    X(minps, IN_F32) X(minss, IN_F32) X(minpd, IN_F64) X(minsd, IN_F64)                         \
    X(maxps, IN_F32) X(maxss, IN_F32) X(maxpd, IN_F64) X(maxsd, IN_F64)                         \
    X(sqrtps, IN_F32) X(sqrtss, IN_F32) X(sqrtpd, IN_F64) X(sqrtsd, IN_F64)                     \
    X(haddps, IN_F32) X(haddpd, IN_F64) X(hsubps, IN_F32) X(hsubpd, IN_F64)                     \
    X(addsubps, IN_F32) X(addsubpd, IN_F64)                                                     \
    X(cvtps2pd, IN_F32) X(cvtpd2ps, IN_F64) X(cvtss2sd, IN_F32) X(cvtsd2ss, IN_F64)             \
    X(cvtdq2ps, IN_I32) X(cvtps2dq, IN_F32) X(cvttps2dq, IN_F32) X(cvtdq2pd, IN_I32)            \
    X(cvtpd2dq, IN_F64) X(cvttpd2dq, IN_F64)                                                    \
    X(unpcklps, IN_F32) X(unpckhps, IN_F32) X(unpcklpd, IN_F64) X(unpckhpd, IN_F64)

#define DEF_HF(name, kind) HF(hf_##name, #name " %%xmm1, %%xmm0")
FP_OPS(DEF_HF)
typedef struct FPOp { const char *name; uint32_t (*h)(YMMReg *, const YMMReg *, uint32_t); GuestFP *g; int kind; } FPOp;
#define FPROW(name, kind) { #name, hf_##name, helper_##name, kind },
static const FPOp fp_ops[] = { FP_OPS(FPROW) };

static void random_fp_reg(YMMReg *r, int kind)
{
    for (int i = 0; i < 4; i++) {
        if (kind == IN_F32)
            r->d[i] = random_f32();
        else if (kind == IN_F64)
            r->q[i / 2] = random_f64();
        else
            r->d[i] = (uint32_t)(rnd() >> (rnd() % 64));
    }
}

static uint32_t mxcsr_variant(unsigned i)
{
    /* All exceptions masked; RC cycles; DAZ and FTZ in some runs; PE already set in some (the
     * helpers' fast path without the host's flags). */
    return 0x1f80 | ((i & 3) << 13) | ((i & 4) ? 0x40 : 0) | ((i & 8) ? 0x8000 : 0) |
           ((i & 16) ? 0x20 : 0);
}

Test(x86_sse, fp_ops_all_mxcsr_modes)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (unsigned k = 0; k < ARRAY_SIZE(fp_ops); k++) {
        const FPOp *op = &fp_ops[k];
        for (unsigned i = 0; i < scaled(1500); i++) {
            YMMReg d, s, hd;
            random_fp_reg(&d, op->kind);
            random_fp_reg(&s, op->kind);
            if ((i & 7) == 3)
                s = d;
            uint32_t mx = mxcsr_variant(i);
            hd = d;
            uint32_t hmx = op->h(&hd, &s, mx);
            tenv->mxcsr = mx;
            tenv->ymm[6] = d;
            op->g(tenv, &tenv->ymm[6], &s);
            compared++;
            cr_assert(!memcmp(&hd, &tenv->ymm[6], 16) && (hmx & 0x3f) == (tenv->mxcsr & 0x3f),
                      "%s mxcsr %#x d=%016" PRIx64 ":%016" PRIx64 " s=%016" PRIx64 ":%016" PRIx64
                      ": host %016" PRIx64 ":%016" PRIx64 " flags %#x, guest %016" PRIx64 ":%016" PRIx64 " flags %#x",
                      op->name, mx, d.q[1], d.q[0], s.q[1], s.q[0], hd.q[1], hd.q[0], hmx & 0x3f,
                      tenv->ymm[6].q[1], tenv->ymm[6].q[0], tenv->mxcsr & 0x3f);
        }
    }
}

/* Compare predicates, ROUND* modes, DPPS/DPPD masks: instantiated per immediate. */
#define HFI(fn, insn, imm) HF(fn, insn " $" #imm ", %%xmm1, %%xmm0")
typedef void GuestFPImm(X86CPUState *, YMMReg *, const YMMReg *, int);
typedef struct FPImmOp { const char *name; uint32_t (*h)(YMMReg *, const YMMReg *, uint32_t); GuestFPImm *g; int imm, kind; } FPImmOp;
#define FPIMM_OPS(X)                                                                            \
    X(cmpps, 0, IN_F32) X(cmpps, 1, IN_F32) X(cmpps, 2, IN_F32) X(cmpps, 3, IN_F32)             \
    X(cmpps, 4, IN_F32) X(cmpps, 5, IN_F32) X(cmpps, 6, IN_F32) X(cmpps, 7, IN_F32)             \
    X(cmpss, 1, IN_F32) X(cmpss, 4, IN_F32) X(cmppd, 2, IN_F64) X(cmppd, 3, IN_F64)             \
    X(cmppd, 6, IN_F64) X(cmpsd, 0, IN_F64) X(cmpsd, 5, IN_F64)                                 \
    X(roundps, 0, IN_F32) X(roundps, 1, IN_F32) X(roundps, 2, IN_F32) X(roundps, 3, IN_F32)     \
    X(roundps, 4, IN_F32) X(roundps, 9, IN_F32) X(roundpd, 0, IN_F64) X(roundpd, 3, IN_F64)     \
    X(roundpd, 12, IN_F64) X(roundss, 2, IN_F32) X(roundsd, 1, IN_F64)                          \
    X(dpps, 0xff, IN_F32) X(dpps, 0x71, IN_F32) X(dpps, 0xa6, IN_F32) X(dppd, 0x33, IN_F64)     \
    X(dppd, 0x12, IN_F64)
#define DEF_HFI(name, imm, kind) HFI(hfi_##name##_##imm, #name, imm)
FPIMM_OPS(DEF_HFI)
#define FPIMMROW(name, imm, kind) { #name, hfi_##name##_##imm, helper_##name, imm, kind },
static const FPImmOp fpimm_ops[] = { FPIMM_OPS(FPIMMROW) };

Test(x86_sse, fp_immediate_forms)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (unsigned k = 0; k < ARRAY_SIZE(fpimm_ops); k++) {
        const FPImmOp *op = &fpimm_ops[k];
        for (unsigned i = 0; i < scaled(1500); i++) {
            YMMReg d, s, hd;
            random_fp_reg(&d, op->kind);
            random_fp_reg(&s, op->kind);
            if ((i & 7) == 3)
                s = d;
            uint32_t mx = mxcsr_variant(i);
            hd = d;
            uint32_t hmx = op->h(&hd, &s, mx);
            tenv->mxcsr = mx;
            tenv->ymm[6] = d;
            op->g(tenv, &tenv->ymm[6], &s, op->imm);
            compared++;
            cr_assert(!memcmp(&hd, &tenv->ymm[6], 16) && (hmx & 0x3f) == (tenv->mxcsr & 0x3f),
                      "%s imm %#x mxcsr %#x d=%016" PRIx64 ":%016" PRIx64 " s=%016" PRIx64 ":%016" PRIx64
                      ": host %016" PRIx64 ":%016" PRIx64 " flags %#x, guest %016" PRIx64 ":%016" PRIx64 " flags %#x",
                      op->name, op->imm, mx, d.q[1], d.q[0], s.q[1], s.q[0], hd.q[1], hd.q[0], hmx & 0x3f,
                      tenv->ymm[6].q[1], tenv->ymm[6].q[0], tenv->mxcsr & 0x3f);
        }
    }
}

Test(x86_sse, comis_and_scalar_int_conversions)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (unsigned i = 0; i < scaled(20000); i++) {
        YMMReg a, b;
        random_fp_reg(&a, (i & 1) ? IN_F64 : IN_F32);
        random_fp_reg(&b, (i & 1) ? IN_F64 : IN_F32);
        if ((i & 6) == 2)
            b = a;
        uint32_t mx = mxcsr_variant(i >> 1), hmx, saved;
        uint64_t fl;
        for (int unord = 0; unord < 2; unord++) {
            if (i & 1) {
                if (unord)
                    __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tmovsd %[a], %%xmm0\n\tucomisd %[b], %%xmm0\n\tpushfq\n\tpopq %[fl]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]"
                                     : [fl] "=r"(fl), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.q[0]), [b] "m"(b.q[0]), [mx] "m"(mx) : "xmm0", "cc");
                else
                    __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tmovsd %[a], %%xmm0\n\tcomisd %[b], %%xmm0\n\tpushfq\n\tpopq %[fl]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]"
                                     : [fl] "=r"(fl), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.q[0]), [b] "m"(b.q[0]), [mx] "m"(mx) : "xmm0", "cc");
                tenv->mxcsr = mx;
                helper_comisd(tenv, &a, &b, unord);
            } else {
                if (unord)
                    __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tmovss %[a], %%xmm0\n\tucomiss %[b], %%xmm0\n\tpushfq\n\tpopq %[fl]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]"
                                     : [fl] "=r"(fl), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.d[0]), [b] "m"(b.d[0]), [mx] "m"(mx) : "xmm0", "cc");
                else
                    __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tmovss %[a], %%xmm0\n\tcomiss %[b], %%xmm0\n\tpushfq\n\tpopq %[fl]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]"
                                     : [fl] "=r"(fl), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.d[0]), [b] "m"(b.d[0]), [mx] "m"(mx) : "xmm0", "cc");
                tenv->mxcsr = mx;
                helper_comiss(tenv, &a, &b, unord);
            }
            compared++;
            cr_assert_eq(x86_cc_compute(tenv), (uint32_t)fl & EFLAGS_ARITH, "%scomis%c mx %#x", unord ? "u" : "", (i & 1) ? 'd' : 's', mx);
            cr_assert_eq(tenv->mxcsr & 0x3f, hmx & 0x3f, "%scomis%c flags, mx %#x", unord ? "u" : "", (i & 1) ? 'd' : 's', mx);
        }
        /* CVT(T)SS2SI / CVT(T)SD2SI to 32 and 64 bits. */
        for (int t = 0; t < 8; t++) {
            int64_t h;
            int bits = (t & 2) ? 64 : 32, trunc = t & 1;
            bool dbl = t & 4;
            switch (t) {
            case 0: __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tcvtss2si %[a], %k[h]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]" : [h] "=r"(h), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.d[0]), [mx] "m"(mx)); h = (int32_t)h; break;
            case 1: __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tcvttss2si %[a], %k[h]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]" : [h] "=r"(h), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.d[0]), [mx] "m"(mx)); h = (int32_t)h; break;
            case 2: __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tcvtss2si %[a], %q[h]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]" : [h] "=r"(h), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.d[0]), [mx] "m"(mx)); break;
            case 3: __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tcvttss2si %[a], %q[h]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]" : [h] "=r"(h), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.d[0]), [mx] "m"(mx)); break;
            case 4: __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tcvtsd2si %[a], %k[h]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]" : [h] "=r"(h), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.q[0]), [mx] "m"(mx)); h = (int32_t)h; break;
            case 5: __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tcvttsd2si %[a], %k[h]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]" : [h] "=r"(h), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.q[0]), [mx] "m"(mx)); h = (int32_t)h; break;
            case 6: __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tcvtsd2si %[a], %q[h]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]" : [h] "=r"(h), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.q[0]), [mx] "m"(mx)); break;
            default: __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tcvttsd2si %[a], %q[h]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]" : [h] "=r"(h), [o] "=m"(hmx), [sv] "=m"(saved) : [a] "m"(a.q[0]), [mx] "m"(mx)); break;
            }
            YMMReg src = a;
            if (!dbl && (i & 1))
                continue;     /* a holds doubles: the float forms were run on its low half anyway */
            tenv->mxcsr = mx;
            int64_t g = dbl ? helper_cvtsd2si(tenv, &src, bits, trunc) : helper_cvtss2si(tenv, &src, bits, trunc);
            if (bits == 32)
                g = (int32_t)g;
            compared++;
            cr_assert(g == h && (tenv->mxcsr & 0x3f) == (hmx & 0x3f),
                      "cvt%s%s2si%d mx %#x a=%016" PRIx64 ": host %" PRId64 " flags %#x guest %" PRId64 " flags %#x",
                      trunc ? "t" : "", dbl ? "sd" : "ss", bits, mx, a.q[0], h, hmx & 0x3f, g, tenv->mxcsr & 0x3f);
        }
        /* CVTSI2SS/SD from 64-bit integers (rounding). */
        int64_t v = (int64_t)(rnd() >> (rnd() % 64));
        if (rnd() & 1)
            v = -v;
        YMMReg hs = a, hdd = a;
        __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tmovdqu %[d], %%xmm0\n\tcvtsi2ssq %[v], %%xmm0\n\tmovdqu %%xmm0, %[d]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]"
                         : [d] "+m"(hs), [o] "=m"(hmx), [sv] "=m"(saved) : [v] "r"(v), [mx] "m"(mx) : "xmm0");
        tenv->mxcsr = mx;
        tenv->ymm[7] = a;
        helper_cvtsi2ss(tenv, &tenv->ymm[7], v);
        cr_assert(!memcmp(&hs, &tenv->ymm[7], 16) && (tenv->mxcsr & 0x3f) == (hmx & 0x3f), "cvtsi2ss %" PRId64, v);
        __asm__ volatile("stmxcsr %[sv]\n\tldmxcsr %[mx]\n\tmovdqu %[d], %%xmm0\n\tcvtsi2sdq %[v], %%xmm0\n\tmovdqu %%xmm0, %[d]\n\tstmxcsr %[o]\n\tldmxcsr %[sv]"
                         : [d] "+m"(hdd), [o] "=m"(hmx), [sv] "=m"(saved) : [v] "r"(v), [mx] "m"(mx) : "xmm0");
        tenv->mxcsr = mx;
        tenv->ymm[7] = a;
        helper_cvtsi2sd(tenv, &tenv->ymm[7], v);
        cr_assert(!memcmp(&hdd, &tenv->ymm[7], 16) && (tenv->mxcsr & 0x3f) == (hmx & 0x3f), "cvtsi2sd %" PRId64, v);
        compared += 2;
    }
}

Test(x86_sse, unmasked_exception_raises_xm)
{
    harness_init();
    YMMReg one = { .d = { 0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000 } };
    YMMReg zero = { .d = { 0 } };
    tenv->ymm[1] = one;
    tenv->mxcsr = 0x1f80 & ~((0x4u << 7));
    tenv->cr[4] |= CR4_OSXMMEXCPT;
    EXPECT_EXC(helper_divps(tenv, &tenv->ymm[1], &zero), EXCP_XM, -1);
    cr_assert(!memcmp(&tenv->ymm[1], &one, 16), "destination unchanged");
    cr_assert(tenv->mxcsr & 0x4, "ZE flag set");
    tenv->cr[4] &= ~(uint64_t)CR4_OSXMMEXCPT;
    EXPECT_EXC(helper_divps(tenv, &tenv->ymm[1], &zero), EXCP_UD, -1);
    EXPECT_EXC(helper_ldmxcsr(tenv, 0x10000), EXCP_GP, 0);
}

Test(x86_sse, rcp_rsqrt_and_portable_fallback)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (unsigned i = 0; i < scaled(20000); i++) {
        YMMReg s, h, g;
        random_fp_reg(&s, IN_F32);
        for (int rs_ = 0; rs_ < 2; rs_++) {
            if (rs_)
                __asm__ volatile("movdqu %1, %%xmm0\n\trsqrtps %%xmm0, %%xmm0\n\tmovdqu %%xmm0, %0" : "=m"(h) : "m"(s) : "xmm0");
            else
                __asm__ volatile("movdqu %1, %%xmm0\n\trcpps %%xmm0, %%xmm0\n\tmovdqu %%xmm0, %0" : "=m"(h) : "m"(s) : "xmm0");
            g = s;
            if (rs_)
                helper_rsqrtps(tenv, &g, &s);
            else
                helper_rcpps(tenv, &g, &s);
            cr_assert(!memcmp(&h, &g, 16));
            /* The fallback: same special cases, within the architectural error bound. */
            for (int k = 0; k < 4; k++) {
                uint32_t fb = x86_sse_approx_fallback(s.d[k], rs_);
                float hv, fv;
                memcpy(&hv, &h.d[k], 4);
                memcpy(&fv, &fb, 4);
                if (isnan(hv) || isinf(hv) || hv == 0) {
                    cr_assert(isnan(hv) ? isnan(fv) : fb == h.d[k], "fallback special %08x: %08x vs %08x", s.d[k], fb, h.d[k]);
                } else if (fv != 0 && fabsf(hv) > 1e-37f) {
                    float x;
                    memcpy(&x, &s.d[k], 4);
                    double exact = rs_ ? 1.0 / sqrt((double)x) : 1.0 / (double)x;
                    cr_assert(fabs(fv - exact) <= fabs(exact) * 1.5 / 4096, "fallback %08x error", s.d[k]);
                }
                compared++;
            }
        }
    }
}

Test(x86_sse, sse3_moves_and_maskmov)
{
    REQUIRE_HOST_SSE42();
    harness_init();
    for (unsigned i = 0; i < scaled(2000); i++) {
        YMMReg s, h, g, d;
        random_int_reg(&s);
        random_int_reg(&d);
        __m128 vs = _mm_loadu_ps((void *)&s);
        _mm_storeu_ps((void *)&h, _mm_moveldup_ps(vs));
        helper_movsldup(tenv, &g, &s);
        cr_assert(!memcmp(&h, &g, 16), "movsldup");
        _mm_storeu_ps((void *)&h, _mm_movehdup_ps(vs));
        helper_movshdup(tenv, &g, &s);
        cr_assert(!memcmp(&h, &g, 16), "movshdup");
        _mm_storeu_pd((void *)&h, _mm_movedup_pd(_mm_castps_pd(vs)));
        helper_movddup(tenv, &g, &s);
        cr_assert(!memcmp(&h, &g, 16), "movddup");
        uint8_t hostmem[16], *gm = tmem + 0x5000;
        memset(hostmem, 0xcc, 16);
        memset(gm, 0xcc, 16);
        _mm_maskmoveu_si128(_mm_loadu_si128((void *)&d), _mm_loadu_si128((void *)&s), (char *)hostmem);
        helper_maskmov(tenv, &d, &s, 16, 0x5000);
        cr_assert(!memcmp(hostmem, gm, 16), "maskmovdqu");
        compared += 4;
    }
}
