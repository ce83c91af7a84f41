/* avx-ops.h: the BMI1/BMI2/AVX/AVX2/FMA/F16C computations avx.c prints, one line each, as plain
 * functions of their inputs (no exceptions, no system state), so the same file can be run
 * natively on a host CPU that has these extensions to check the expected output. */
#ifndef AVX_OPS_H
#define AVX_OPS_H

typedef struct Y { uint64_t q[4]; } __attribute__((aligned(32))) Y;

static const Y ya = { { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull, 0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull } };
static const Y yb = { { 0x8000000180000002ull, 0x7fffffff00000010ull, 0xfffffffe00000005ull, 0x0000000300000040ull } };
static const Y yf = { { 0x400000003f800000ull, 0x4080000040400000ull, 0xc0000000bf800000ull, 0x3f0000007f800000ull } };

/* One instruction: ymm0 = op(ymm1 = *a, ymm2 = *b), stored to *r. */
#define YOP(name, insn)                                                                         \
    static void name(Y *r, const Y *a, const Y *b)                                              \
    {                                                                                           \
        asm volatile("vmovdqu (%1), %%ymm1\n\tvmovdqu (%2), %%ymm2\n\tvpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t" \
                     insn "\n\tvmovdqu %%ymm0, (%0)" :: "r"(r), "r"(a), "r"(b) : "memory");   \
    }

YOP(op_vaddps, "vaddps %%ymm2, %%ymm1, %%ymm0")
YOP(op_vpaddd, "vpaddd %%ymm2, %%ymm1, %%ymm0")
YOP(op_vpaddd128, "vpaddd %%xmm2, %%xmm1, %%xmm0")
YOP(op_vpshufb, "vpshufb %%ymm2, %%ymm1, %%ymm0")
YOP(op_vpermd, "vpermd %%ymm1, %%ymm2, %%ymm0")
YOP(op_vpermq, "vpermq $0x1b, %%ymm1, %%ymm0")
YOP(op_vperm2f128, "vperm2f128 $0x31, %%ymm2, %%ymm1, %%ymm0")
YOP(op_vinsertf128, "vinsertf128 $1, %%xmm2, %%ymm1, %%ymm0")
YOP(op_vextracti128, "vextracti128 $1, %%ymm1, %%xmm0")
YOP(op_vbroadcastss, "vbroadcastss %%xmm2, %%ymm0")
YOP(op_vpbroadcastb, "vpbroadcastb %%xmm1, %%ymm0")
YOP(op_vpsllvd, "vpsllvd %%ymm2, %%ymm1, %%ymm0")
YOP(op_vpsravd, "vpsravd %%ymm2, %%ymm1, %%ymm0")
YOP(op_vpblendd, "vpblendd $0xa5, %%ymm2, %%ymm1, %%ymm0")
YOP(op_vpermilps, "vpermilps $0x1b, %%ymm1, %%ymm0")
YOP(op_vshufps, "vshufps $0x4e, %%ymm2, %%ymm1, %%ymm0")
YOP(op_vpunpcklbw, "vpunpcklbw %%ymm2, %%ymm1, %%ymm0")
YOP(op_vpmovzxbd, "vpmovzxbd %%xmm1, %%ymm0")
YOP(op_vcvtps2pd, "vcvtps2pd %%xmm2, %%ymm0")
YOP(op_vcmpps, "vcmpps $0x1d, %%ymm2, %%ymm1, %%ymm0")
YOP(op_vblendvps, "vblendvps %%ymm2, %%ymm1, %%ymm2, %%ymm0")
YOP(op_vpsrldq, "vpsrldq $3, %%ymm1, %%ymm0")
YOP(op_vpsrad, "vpsrad $4, %%ymm2, %%ymm0")
YOP(op_vmulps_xmm, "vmulps %%xmm2, %%xmm2, %%xmm0")
YOP(op_vzeroupper, "vmovdqa %%ymm1, %%ymm0\n\tvzeroupper")
YOP(op_legacy_sse, "vmovdqa %%ymm1, %%ymm0\n\tpaddd %%xmm2, %%xmm0")
YOP(op_vmovss, "vmovss %%xmm2, %%xmm1, %%xmm0")
YOP(op_vmovhlps, "vmovhlps %%xmm2, %%xmm1, %%xmm0")
YOP(op_vfmadd231ps, "vmovdqa %%ymm1, %%ymm0\n\tvfmadd231ps %%ymm2, %%ymm2, %%ymm0")
YOP(op_vfnmsub132sd, "vmovdqa %%ymm1, %%ymm0\n\tvfnmsub132sd %%xmm2, %%xmm1, %%xmm0")
YOP(op_vfmaddsub213pd, "vmovdqa %%ymm2, %%ymm0\n\tvfmaddsub213pd %%ymm1, %%ymm2, %%ymm0")
YOP(op_vpgatherdd, "vpsrld $29, %%ymm1, %%ymm3\n\tvmovdqa %%ymm2, %%ymm4\n\tvpgatherdd %%ymm4, (%2,%%ymm3,4), %%ymm0")
YOP(op_vgatherqpd, "vpsrlq $62, %%ymm1, %%ymm3\n\tvpcmpeqd %%ymm4, %%ymm4, %%ymm4\n\tvgatherqpd %%ymm4, 8(%2,%%ymm3,2), %%ymm0")
YOP(op_vcvtph2ps, "vcvtph2ps %%xmm2, %%ymm0")
YOP(op_vcvtps2ph, "vcvtps2ph $0, %%ymm1, %%xmm0")

static const struct { const char *name; void (*fn)(Y *, const Y *, const Y *); const Y *a, *b; } yops[] = {
    { "vaddps ymm", op_vaddps, &yf, &yf }, { "vpaddd ymm", op_vpaddd, &ya, &yb },
    { "vpaddd xmm (upper cleared)", op_vpaddd128, &ya, &yb }, { "vpshufb ymm", op_vpshufb, &ya, &yb },
    { "vpermd", op_vpermd, &yb, &ya }, { "vpermq", op_vpermq, &ya, &yb },
    { "vperm2f128", op_vperm2f128, &ya, &yb }, { "vinsertf128", op_vinsertf128, &ya, &yb },
    { "vextracti128", op_vextracti128, &ya, &yb }, { "vbroadcastss", op_vbroadcastss, &ya, &yb },
    { "vpbroadcastb", op_vpbroadcastb, &yb, &ya }, { "vpsllvd", op_vpsllvd, &ya, &yb },
    { "vpsravd", op_vpsravd, &yb, &ya }, { "vpblendd", op_vpblendd, &ya, &yb },
    { "vpermilps imm", op_vpermilps, &ya, &yb }, { "vshufps ymm", op_vshufps, &ya, &yb },
    { "vpunpcklbw ymm", op_vpunpcklbw, &ya, &yb }, { "vpmovzxbd ymm", op_vpmovzxbd, &yb, &ya },
    { "vcvtps2pd ymm", op_vcvtps2pd, &ya, &yf }, { "vcmpps GE_OQ ymm", op_vcmpps, &yf, &yb },
    { "vblendvps", op_vblendvps, &ya, &yb }, { "vpsrldq ymm", op_vpsrldq, &ya, &yb },
    { "vpsrad imm ymm", op_vpsrad, &ya, &yb }, { "vmulps xmm", op_vmulps_xmm, &ya, &yf },
    { "vzeroupper", op_vzeroupper, &ya, &yb }, { "legacy paddd keeps the upper half", op_legacy_sse, &ya, &yb },
    { "vmovss xmm, xmm, xmm", op_vmovss, &ya, &yb }, { "vmovhlps", op_vmovhlps, &ya, &yb },
    { "vfmadd231ps", op_vfmadd231ps, &yf, &yf }, { "vfnmsub132sd", op_vfnmsub132sd, &yf, &yf },
    { "vfmaddsub213pd", op_vfmaddsub213pd, &yf, &yb }, { "vpgatherdd (masked)", op_vpgatherdd, &yf, &yb },
    { "vgatherqpd", op_vgatherqpd, &yb, &ya }, { "vcvtph2ps (F16C)", op_vcvtph2ps, &ya, &yb }, { "vcvtps2ph (F16C)", op_vcvtps2ph, &yf, &yb },
};

/* BMI: result and RFLAGS' OF, SF, ZF, CF (0x8c1); the caller masks what an instruction
 * leaves undefined (BEXTR's SF). */
#define BOP(name, insn)                                                                         \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t *fl)                                  \
    {                                                                                           \
        uint64_t r, f;                                                                          \
        asm volatile("xor %%eax, %%eax\n\t" insn "\n\tpushf\n\tpop %1"                          \
                     : "=&r"(r), "=&r"(f) : "r"(a), "r"(b), "d"(a) : "rax", "cc");              \
        *fl = f & 0x8c1;                                                                        \
        return r;                                                                               \
    }
BOP(b_andn, "andn %3, %2, %0")
BOP(b_bextr, "bextr %3, %2, %0")
BOP(b_blsi, "blsi %2, %0")
BOP(b_blsmsk, "blsmsk %2, %0")
BOP(b_blsr, "blsr %2, %0")
BOP(b_bzhi, "bzhi %3, %2, %0")
BOP(b_bzhi32, "bzhi %k3, %k2, %k0")
BOP(b_mulx, "mulx %3, %%rax, %0")
BOP(b_mulx32, "mulx %k3, %%eax, %k0")
BOP(b_pdep, "pdep %3, %2, %0")
BOP(b_pext, "pext %3, %2, %0")
BOP(b_rorx, "rorx $13, %2, %0")
BOP(b_rorx32, "rorx $5, %k2, %k0")
BOP(b_sarx, "sarx %3, %2, %0")
BOP(b_sarx32, "sarx %k3, %k2, %k0")
BOP(b_shlx, "shlx %3, %2, %0")
BOP(b_shrx32, "shrx %k3, %k2, %k0")

static const struct { const char *name; uint64_t (*fn)(uint64_t, uint64_t, uint64_t *); uint64_t a, b; } bops[] = {
    { "andn", b_andn, 0xf0f0ff00ff00aa55ull, 0x123456789abcdef0ull },
    { "bextr", b_bextr, 0x123456789abcdef0ull, 0x0c08 },
    { "bextr start past the end", b_bextr, 0x123456789abcdef0ull, 0x0850 },
    { "blsi", b_blsi, 0x00fff000ull, 0 }, { "blsi 0", b_blsi, 0, 0 },
    { "blsmsk", b_blsmsk, 0x8000000000000000ull, 0 }, { "blsmsk 0", b_blsmsk, 0, 0 },
    { "blsr", b_blsr, 0x100, 0 }, { "blsr 0", b_blsr, 0, 0 },
    { "bzhi 12", b_bzhi, 0xffffffffffffffffull, 12 }, { "bzhi 200", b_bzhi, 0x8000000000001234ull, 200 },
    { "bzhi32 40", b_bzhi32, 0xffffffffffffffffull, 40 }, { "bzhi 0", b_bzhi, 0x55, 0 },
    { "mulx", b_mulx, 0xfedcba9876543210ull, 0x0123456789abcdefull },
    { "mulx32", b_mulx32, 0xfedcba98ull, 0x89abcdefull },
    { "pdep", b_pdep, 0x00000000000000b5ull, 0xf0f0f0f0f00f00ffull },
    { "pext", b_pext, 0x123456789abcdef0ull, 0xff00ff00ff00ff00ull },
    { "rorx", b_rorx, 0x0123456789abcdefull, 0 }, { "rorx32", b_rorx32, 0x89abcdefull, 0 },
    { "sarx", b_sarx, 0x8000000000000000ull, 67 }, { "sarx32", b_sarx32, 0x80000000ull, 33 },
    { "shlx", b_shlx, 0x0123456789abcdefull, 4 }, { "shrx32", b_shrx32, 0xf0000000ull, 36 },
};

#endif
