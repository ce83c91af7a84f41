/* helper-sse.h: MMX, SSE .. SSE4.2 helpers (sse_helper*.c), included by helper.h.
 *
 * Register operands are pointers into env: an XMM register (&env->ymm[i]) or an MMX register
 * (&env->fpregs[i].mant, 8 bytes); w is the operand width in bytes, 8 for MMX and 16 for XMM.
 * A memory operand is first loaded by the translator into env->xmm_t0. The destination is
 * always the first operand (d = d op s). Writing an MMX register also sets its x87 exponent
 * to all ones, as the hardware does; helper_enter_mmx/helper_emms do the rest of the x87
 * aliasing (TOP = 0 and all tags valid; all tags empty).
 */
#ifndef CPU_X86_HELPER_SSE_H
#define CPU_X86_HELPER_SSE_H

/* d = d op s, element-wise or lane-wise, integer. */
#define SSE_INT_BINOPS(X)                                                                       \
    X(paddb) X(paddw) X(paddd) X(paddq) X(psubb) X(psubw) X(psubd) X(psubq)                     \
    X(paddsb) X(paddsw) X(paddusb) X(paddusw) X(psubsb) X(psubsw) X(psubusb) X(psubusw)         \
    X(pmullw) X(pmulhw) X(pmulhuw) X(pmuludq) X(pmaddwd) X(pavgb) X(pavgw)                      \
    X(pminub) X(pmaxub) X(pminsw) X(pmaxsw) X(psadbw)                                           \
    X(pcmpeqb) X(pcmpeqw) X(pcmpeqd) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd)                           \
    X(packsswb) X(packssdw) X(packuswb)                                                         \
    X(punpcklbw) X(punpcklwd) X(punpckldq) X(punpcklqdq)                                        \
    X(punpckhbw) X(punpckhwd) X(punpckhdq) X(punpckhqdq)                                        \
    X(psllw) X(pslld) X(psllq) X(psrlw) X(psrld) X(psrlq) X(psraw) X(psrad)                     \
    X(pand) X(pandn) X(por) X(pxor)                                                             \
    /* SSSE3 */                                                                                 \
    X(pshufb) X(phaddw) X(phaddd) X(phaddsw) X(phsubw) X(phsubd) X(phsubsw)                     \
    X(pmaddubsw) X(pmulhrsw) X(psignb) X(psignw) X(psignd) X(pabsb) X(pabsw) X(pabsd)           \
    /* SSE4.1 */                                                                                \
    X(pmulld) X(pmuldq) X(pminsb) X(pminsd) X(pminuw) X(pminud) X(pmaxsb) X(pmaxsd)             \
    X(pmaxuw) X(pmaxud) X(pcmpeqq) X(packusdw) X(phminposuw)                                    \
    X(pmovsxbw) X(pmovsxbd) X(pmovsxbq) X(pmovsxwd) X(pmovsxwq) X(pmovsxdq)                     \
    X(pmovzxbw) X(pmovzxbd) X(pmovzxbq) X(pmovzxwd) X(pmovzxwq) X(pmovzxdq)                     \
    /* SSE4.2 */                                                                                \
    X(pcmpgtq)
#define X(name) void helper_##name(X86CPUState *env, YMMReg *d, const YMMReg *s, int w);
SSE_INT_BINOPS(X)
#undef X

/* d = d op s with an immediate. */
#define SSE_INT_IMMOPS(X)                                                                       \
    X(pshufw) X(pshufd) X(pshuflw) X(pshufhw) X(palignr) X(pslldq_i) X(psrldq_i)                \
    X(psllw_i) X(pslld_i) X(psllq_i) X(psrlw_i) X(psrld_i) X(psrlq_i) X(psraw_i) X(psrad_i)     \
    X(pblendw) X(mpsadbw) X(shufps) X(shufpd) X(blendps) X(blendpd)
#define X(name) void helper_##name(X86CPUState *env, YMMReg *d, const YMMReg *s, int w, int imm);
SSE_INT_IMMOPS(X)
#undef X

/* BLENDVPS/BLENDVPD/PBLENDVB: the mask is XMM0. */
void helper_blendvps(X86CPUState *env, YMMReg *d, const YMMReg *s, int w);
void helper_blendvpd(X86CPUState *env, YMMReg *d, const YMMReg *s, int w);
void helper_pblendvb(X86CPUState *env, YMMReg *d, const YMMReg *s, int w);
/* PTEST: ZF = (d & s) == 0, CF = (~d & s) == 0, other arithmetic flags cleared. */
void helper_ptest(X86CPUState *env, const YMMReg *d, const YMMReg *s);
uint32_t helper_pmovmskb(X86CPUState *env, const YMMReg *s, int w);
uint32_t helper_movmskps(X86CPUState *env, const YMMReg *s);
uint32_t helper_movmskpd(X86CPUState *env, const YMMReg *s);
/* Element extract/insert; size is the element size in bytes, index is masked to the lanes. */
uint64_t helper_pextr(X86CPUState *env, const YMMReg *s, int w, int size, int index);
void helper_pinsr(X86CPUState *env, YMMReg *d, int w, int size, int index, uint64_t value);
void helper_insertps(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
/* SSE3 duplicating moves (d = f(s)). */
void helper_movsldup(X86CPUState *env, YMMReg *d, const YMMReg *s);
void helper_movshdup(X86CPUState *env, YMMReg *d, const YMMReg *s);
void helper_movddup(X86CPUState *env, YMMReg *d, const YMMReg *s);
/* MASKMOVQ/MASKMOVDQU: store the bytes of d whose mask byte in s has bit 7 set, at the linear
 * address addr (DS:rDI with segment applied by the translator). */
void helper_maskmov(X86CPUState *env, const YMMReg *d, const YMMReg *s, int w, uint64_t addr);
void helper_enter_mmx(X86CPUState *env);
void helper_emms(X86CPUState *env);

/* ---- SSE floating point (sse_helper_fp.c): MXCSR rounding, DAZ/FTZ, exception flags; an
 * unmasked exception raises #XM (CR4.OSXMMEXCPT) or #UD, with the destination unchanged. ---- */
#define SSE_FP_BINOPS(X)                                                                        \
    X(addps) X(addss) X(addpd) X(addsd) X(subps) X(subss) X(subpd) X(subsd)                     \
    X(mulps) X(mulss) X(mulpd) X(mulsd) X(divps) X(divss) X(divpd) X(divsd)                     \
    X(minps) X(minss) X(minpd) X(minsd) X(maxps) X(maxss) X(maxpd) X(maxsd)                     \
    X(sqrtps) X(sqrtss) X(sqrtpd) X(sqrtsd)                                                     \
    X(haddps) X(haddpd) X(hsubps) X(hsubpd) X(addsubps) X(addsubpd)                             \
    X(cvtps2pd) X(cvtpd2ps) X(cvtss2sd) X(cvtsd2ss) X(cvtdq2ps) X(cvtps2dq) X(cvttps2dq)        \
    X(cvtdq2pd) X(cvtpd2dq) X(cvttpd2dq) X(cvtpi2ps) X(cvtps2pi) X(cvttps2pi)                   \
    X(cvtpi2pd) X(cvtpd2pi) X(cvttpd2pi)                                                        \
    X(unpcklps) X(unpckhps) X(unpcklpd) X(unpckhpd)                                             \
    X(rcpps) X(rcpss) X(rsqrtps) X(rsqrtss)
#define X(name) void helper_##name(X86CPUState *env, YMMReg *d, const YMMReg *s);
SSE_FP_BINOPS(X)
#undef X
/* CMPPS/CMPSS/CMPPD/CMPSD with predicate imm & 7. */
void helper_cmpps(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
void helper_cmpss(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
void helper_cmppd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
void helper_cmpsd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
/* ROUNDPS/PS/SS/SD (SSE4.1), DPPS/DPPD. */
void helper_roundps(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
void helper_roundpd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
void helper_roundss(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
void helper_roundsd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
void helper_dpps(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
void helper_dppd(X86CPUState *env, YMMReg *d, const YMMReg *s, int imm);
/* COMISS/UCOMISS/COMISD/UCOMISD: ZF/PF/CF. */
void helper_comiss(X86CPUState *env, const YMMReg *d, const YMMReg *s, int unordered);
void helper_comisd(X86CPUState *env, const YMMReg *d, const YMMReg *s, int unordered);
/* CVTSI2SS/SD from a 32- or 64-bit integer; CVT(T)SS2SI/SD2SI to `bits`. */
void helper_cvtsi2ss(X86CPUState *env, YMMReg *d, int64_t v);
void helper_cvtsi2sd(X86CPUState *env, YMMReg *d, int64_t v);
int64_t helper_cvtss2si(X86CPUState *env, const YMMReg *s, int bits, int truncate);
int64_t helper_cvtsd2si(X86CPUState *env, const YMMReg *s, int bits, int truncate);
void helper_ldmxcsr(X86CPUState *env, uint32_t value);   /* #GP(0) on reserved bits */
/* The portable RCP/RSQRT approximation used on non-x86 hosts (exposed for its test). */
uint32_t x86_sse_approx_fallback(uint32_t a, int rsqrt);

/* ---- SSE4.2 strings and CRC32 (sse_helper_str.c) ---- */
/* PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM: ECX or XMM0, and CF/ZF/SF/OF. The explicit-length
 * forms take the lengths from EAX/EDX (RAX/RDX with REX.W: pass rex_w). */
void helper_pcmpestri(X86CPUState *env, const YMMReg *d, const YMMReg *s, int imm, int rex_w);
void helper_pcmpestrm(X86CPUState *env, const YMMReg *d, const YMMReg *s, int imm, int rex_w);
void helper_pcmpistri(X86CPUState *env, const YMMReg *d, const YMMReg *s, int imm);
void helper_pcmpistrm(X86CPUState *env, const YMMReg *d, const YMMReg *s, int imm);
/* CRC32 (Castagnoli, bit-reflected): accumulate `bytes` (1, 2, 4, 8) of v into crc. */
uint32_t helper_crc32(uint32_t crc, uint64_t v, int bytes);

#endif
