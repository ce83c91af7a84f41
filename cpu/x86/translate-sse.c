/* translate-sse.c: MMX and SSE..SSE4.2 instructions of the 0F, 0F 38 and 0F 3A maps as calls to
 * the SSE helpers (cpu/x86/helper-sse.h); moves are inline IR. */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/helper-sse.h"
#include "cpu/x86/translate.h"

/* The helpers by shape: helper-sse.h's lists, and the helpers of the same shapes it declares
 * one by one. */
#define INT_BINOPS(X) SSE_INT_BINOPS(X) X(blendvps) X(blendvpd) X(pblendvb)
#define INT_IMMOPS(X) SSE_INT_IMMOPS(X)
#define FP_BINOPS(X) SSE_FP_BINOPS(X) X(movsldup) X(movshdup) X(movddup)
#define FP_IMMOPS(X) \
    X(cmpps) X(cmpss) X(cmppd) X(cmpsd) X(roundps) X(roundpd) X(roundss) X(roundsd) \
    X(dpps) X(dppd) X(insertps)

#define X(n) static const TCGHelperInfo hi_##n = TCG_HELPER(helper_##n, 0, V, P, P, P, I32);
INT_BINOPS(X)
#undef X
#define X(n) static const TCGHelperInfo hi_##n = TCG_HELPER(helper_##n, 0, V, P, P, P, I32, I32);
INT_IMMOPS(X)
#undef X
#define X(n) static const TCGHelperInfo hi_##n = TCG_HELPER(helper_##n, 0, V, P, P, P);
FP_BINOPS(X)
#undef X
#define X(n) static const TCGHelperInfo hi_##n = TCG_HELPER(helper_##n, 0, V, P, P, P, I32);
FP_IMMOPS(X)
#undef X
static const TCGHelperInfo hi_ptest = TCG_HELPER(helper_ptest, 0, V, P, P, P);
const TCGHelperInfo hi_pmovmskb = TCG_HELPER(helper_pmovmskb, 0, I32, P, P, I32);
const TCGHelperInfo hi_movmskps = TCG_HELPER(helper_movmskps, 0, I32, P, P);
const TCGHelperInfo hi_movmskpd = TCG_HELPER(helper_movmskpd, 0, I32, P, P);
static const TCGHelperInfo hi_pextr = TCG_HELPER(helper_pextr, 0, I64, P, P, I32, I32, I32);
const TCGHelperInfo hi_pinsr = TCG_HELPER(helper_pinsr, 0, V, P, P, I32, I32, I32, I64);
static const TCGHelperInfo hi_maskmov = TCG_HELPER(helper_maskmov, 0, V, P, P, P, I32, I64);
static const TCGHelperInfo hi_enter_mmx = TCG_HELPER(helper_enter_mmx, 0, V, P);
static const TCGHelperInfo hi_emms = TCG_HELPER(helper_emms, 0, V, P);
static const TCGHelperInfo hi_comiss = TCG_HELPER(helper_comiss, 0, V, P, P, P, I32);
static const TCGHelperInfo hi_comisd = TCG_HELPER(helper_comisd, 0, V, P, P, P, I32);
const TCGHelperInfo hi_cvtsi2ss = TCG_HELPER(helper_cvtsi2ss, 0, V, P, P, I64);
const TCGHelperInfo hi_cvtsi2sd = TCG_HELPER(helper_cvtsi2sd, 0, V, P, P, I64);
static const TCGHelperInfo hi_cvtss2si = TCG_HELPER(helper_cvtss2si, 0, I64, P, P, I32, I32);
static const TCGHelperInfo hi_cvtsd2si = TCG_HELPER(helper_cvtsd2si, 0, I64, P, P, I32, I32);
static const TCGHelperInfo hi_ldmxcsr = TCG_HELPER(helper_ldmxcsr, 0, V, P, I32);
static const TCGHelperInfo hi_pcmpestri = TCG_HELPER(helper_pcmpestri, 0, V, P, P, P, I32, I32);
static const TCGHelperInfo hi_pcmpestrm = TCG_HELPER(helper_pcmpestrm, 0, V, P, P, P, I32, I32);
static const TCGHelperInfo hi_pcmpistri = TCG_HELPER(helper_pcmpistri, 0, V, P, P, P, I32);
static const TCGHelperInfo hi_pcmpistrm = TCG_HELPER(helper_pcmpistrm, 0, V, P, P, P, I32);
static const TCGHelperInfo hi_crc32 = TCG_HELPER(helper_crc32, TCG_CALL_PURE, I32, I32, I64, I32);

/* 0F map, by opcode and mandatory prefix (none, 66, F3, F2): the helper of a plain d = d op s. */
typedef struct SseEntry {
    const TCGHelperInfo *hi;
    uint8_t kind;          /* K_* */
} SseEntry;

static SseEntry tab0f[256][4], tab38[256], tab3a[256];

static void __attribute__((constructor)) sse_tables_init(void)
{
#define I(op, n) tab0f[op][PFX_NONE] = (SseEntry){ &hi_##n, K_INT }; tab0f[op][PFX_66] = (SseEntry){ &hi_##n, K_INT };
    I(0x60, punpcklbw) I(0x61, punpcklwd) I(0x62, punpckldq) I(0x63, packsswb)
    I(0x64, pcmpgtb) I(0x65, pcmpgtw) I(0x66, pcmpgtd) I(0x67, packuswb)
    I(0x68, punpckhbw) I(0x69, punpckhwd) I(0x6a, punpckhdq) I(0x6b, packssdw)
    I(0x74, pcmpeqb) I(0x75, pcmpeqw) I(0x76, pcmpeqd)
    I(0xd1, psrlw) I(0xd2, psrld) I(0xd3, psrlq) I(0xd4, paddq) I(0xd5, pmullw)
    I(0xd8, psubusb) I(0xd9, psubusw) I(0xda, pminub) I(0xdb, pand)
    I(0xdc, paddusb) I(0xdd, paddusw) I(0xde, pmaxub) I(0xdf, pandn)
    I(0xe0, pavgb) I(0xe1, psraw) I(0xe2, psrad) I(0xe3, pavgw) I(0xe4, pmulhuw) I(0xe5, pmulhw)
    I(0xe8, psubsb) I(0xe9, psubsw) I(0xea, pminsw) I(0xeb, por)
    I(0xec, paddsb) I(0xed, paddsw) I(0xee, pmaxsw) I(0xef, pxor)
    I(0xf1, psllw) I(0xf2, pslld) I(0xf3, psllq) I(0xf4, pmuludq) I(0xf5, pmaddwd) I(0xf6, psadbw)
    I(0xf8, psubb) I(0xf9, psubw) I(0xfa, psubd) I(0xfb, psubq)
    I(0xfc, paddb) I(0xfd, paddw) I(0xfe, paddd)
#undef I
    tab0f[0x6c][PFX_66] = (SseEntry){ &hi_punpcklqdq, K_INT };
    tab0f[0x6d][PFX_66] = (SseEntry){ &hi_punpckhqdq, K_INT };
    /* Logical PS/PD are the integer ones on the whole register. */
    for (int p = 0; p < 2; p++) {
        tab0f[0x54][p] = (SseEntry){ &hi_pand, K_INT };
        tab0f[0x55][p] = (SseEntry){ &hi_pandn, K_INT };
        tab0f[0x56][p] = (SseEntry){ &hi_por, K_INT };
        tab0f[0x57][p] = (SseEntry){ &hi_pxor, K_INT };
    }
#define F4(op, a, b, c, d) \
    tab0f[op][PFX_NONE] = (SseEntry){ &hi_##a, K_FP }; tab0f[op][PFX_66] = (SseEntry){ &hi_##b, K_FP }; \
    tab0f[op][PFX_F3] = (SseEntry){ &hi_##c, K_FP }; tab0f[op][PFX_F2] = (SseEntry){ &hi_##d, K_FP };
    F4(0x51, sqrtps, sqrtpd, sqrtss, sqrtsd)
    F4(0x58, addps, addpd, addss, addsd)
    F4(0x59, mulps, mulpd, mulss, mulsd)
    F4(0x5c, subps, subpd, subss, subsd)
    F4(0x5d, minps, minpd, minss, minsd)
    F4(0x5e, divps, divpd, divss, divsd)
    F4(0x5f, maxps, maxpd, maxss, maxsd)
    F4(0x5a, cvtps2pd, cvtpd2ps, cvtss2sd, cvtsd2ss)
#undef F4
    tab0f[0x52][PFX_NONE] = (SseEntry){ &hi_rsqrtps, K_FP };
    tab0f[0x52][PFX_F3] = (SseEntry){ &hi_rsqrtss, K_FP };
    tab0f[0x53][PFX_NONE] = (SseEntry){ &hi_rcpps, K_FP };
    tab0f[0x53][PFX_F3] = (SseEntry){ &hi_rcpss, K_FP };
    tab0f[0x14][PFX_NONE] = (SseEntry){ &hi_unpcklps, K_FP };
    tab0f[0x14][PFX_66] = (SseEntry){ &hi_unpcklpd, K_FP };
    tab0f[0x15][PFX_NONE] = (SseEntry){ &hi_unpckhps, K_FP };
    tab0f[0x15][PFX_66] = (SseEntry){ &hi_unpckhpd, K_FP };
    tab0f[0x5b][PFX_NONE] = (SseEntry){ &hi_cvtdq2ps, K_FP };
    tab0f[0x5b][PFX_66] = (SseEntry){ &hi_cvtps2dq, K_FP };
    tab0f[0x5b][PFX_F3] = (SseEntry){ &hi_cvttps2dq, K_FP };
    tab0f[0xe6][PFX_66] = (SseEntry){ &hi_cvttpd2dq, K_FP };
    tab0f[0xe6][PFX_F3] = (SseEntry){ &hi_cvtdq2pd, K_FP };
    tab0f[0xe6][PFX_F2] = (SseEntry){ &hi_cvtpd2dq, K_FP };
    tab0f[0x2a][PFX_NONE] = (SseEntry){ &hi_cvtpi2ps, K_FP };
    tab0f[0x2a][PFX_66] = (SseEntry){ &hi_cvtpi2pd, K_FP };
    tab0f[0x2c][PFX_NONE] = (SseEntry){ &hi_cvttps2pi, K_FP };
    tab0f[0x2c][PFX_66] = (SseEntry){ &hi_cvttpd2pi, K_FP };
    tab0f[0x2d][PFX_NONE] = (SseEntry){ &hi_cvtps2pi, K_FP };
    tab0f[0x2d][PFX_66] = (SseEntry){ &hi_cvtpd2pi, K_FP };
    tab0f[0x7c][PFX_66] = (SseEntry){ &hi_haddpd, K_FP };
    tab0f[0x7c][PFX_F2] = (SseEntry){ &hi_haddps, K_FP };
    tab0f[0x7d][PFX_66] = (SseEntry){ &hi_hsubpd, K_FP };
    tab0f[0x7d][PFX_F2] = (SseEntry){ &hi_hsubps, K_FP };
    tab0f[0xd0][PFX_66] = (SseEntry){ &hi_addsubpd, K_FP };
    tab0f[0xd0][PFX_F2] = (SseEntry){ &hi_addsubps, K_FP };
    tab0f[0x12][PFX_F3] = (SseEntry){ &hi_movsldup, K_FP };
    tab0f[0x16][PFX_F3] = (SseEntry){ &hi_movshdup, K_FP };
    tab0f[0x12][PFX_F2] = (SseEntry){ &hi_movddup, K_FP };
    tab0f[0xc2][PFX_NONE] = (SseEntry){ &hi_cmpps, K_FPIMM };
    tab0f[0xc2][PFX_66] = (SseEntry){ &hi_cmppd, K_FPIMM };
    tab0f[0xc2][PFX_F3] = (SseEntry){ &hi_cmpss, K_FPIMM };
    tab0f[0xc2][PFX_F2] = (SseEntry){ &hi_cmpsd, K_FPIMM };
    tab0f[0xc6][PFX_NONE] = (SseEntry){ &hi_shufps, K_INTIMM };
    tab0f[0xc6][PFX_66] = (SseEntry){ &hi_shufpd, K_INTIMM };
    tab0f[0x70][PFX_NONE] = (SseEntry){ &hi_pshufw, K_INTIMM };
    tab0f[0x70][PFX_66] = (SseEntry){ &hi_pshufd, K_INTIMM };
    tab0f[0x70][PFX_F3] = (SseEntry){ &hi_pshufhw, K_INTIMM };
    tab0f[0x70][PFX_F2] = (SseEntry){ &hi_pshuflw, K_INTIMM };

    /* 0F 38 (66 prefix: XMM; none: MMX for the SSSE3 ones). */
#define T38(op, n) tab38[op] = (SseEntry){ &hi_##n, K_INT };
    T38(0x00, pshufb) T38(0x01, phaddw) T38(0x02, phaddd) T38(0x03, phaddsw) T38(0x04, pmaddubsw)
    T38(0x05, phsubw) T38(0x06, phsubd) T38(0x07, phsubsw) T38(0x08, psignb) T38(0x09, psignw)
    T38(0x0a, psignd) T38(0x0b, pmulhrsw) T38(0x10, pblendvb) T38(0x14, blendvps) T38(0x15, blendvpd)
    T38(0x1c, pabsb) T38(0x1d, pabsw) T38(0x1e, pabsd)
    T38(0x20, pmovsxbw) T38(0x21, pmovsxbd) T38(0x22, pmovsxbq) T38(0x23, pmovsxwd)
    T38(0x24, pmovsxwq) T38(0x25, pmovsxdq) T38(0x28, pmuldq) T38(0x29, pcmpeqq) T38(0x2b, packusdw)
    T38(0x30, pmovzxbw) T38(0x31, pmovzxbd) T38(0x32, pmovzxbq) T38(0x33, pmovzxwd)
    T38(0x34, pmovzxwq) T38(0x35, pmovzxdq) T38(0x37, pcmpgtq) T38(0x38, pminsb) T38(0x39, pminsd)
    T38(0x3a, pminuw) T38(0x3b, pminud) T38(0x3c, pmaxsb) T38(0x3d, pmaxsd) T38(0x3e, pmaxuw)
    T38(0x3f, pmaxud) T38(0x40, pmulld) T38(0x41, phminposuw)
#undef T38
    tab3a[0x08] = (SseEntry){ &hi_roundps, K_FPIMM };
    tab3a[0x09] = (SseEntry){ &hi_roundpd, K_FPIMM };
    tab3a[0x0a] = (SseEntry){ &hi_roundss, K_FPIMM };
    tab3a[0x0b] = (SseEntry){ &hi_roundsd, K_FPIMM };
    tab3a[0x0c] = (SseEntry){ &hi_blendps, K_INTIMM };
    tab3a[0x0d] = (SseEntry){ &hi_blendpd, K_INTIMM };
    tab3a[0x0e] = (SseEntry){ &hi_pblendw, K_INTIMM };
    tab3a[0x0f] = (SseEntry){ &hi_palignr, K_INTIMM };
    tab3a[0x21] = (SseEntry){ &hi_insertps, K_FPIMM };
    tab3a[0x40] = (SseEntry){ &hi_dpps, K_FPIMM };
    tab3a[0x41] = (SseEntry){ &hi_dppd, K_FPIMM };
    tab3a[0x42] = (SseEntry){ &hi_mpsadbw, K_INTIMM };
}

static int sse_prefix(const X86Insn *d)
{
    if (d->last_rep == 0xf3)
        return PFX_F3;
    if (d->last_rep == 0xf2)
        return PFX_F2;
    return (d->prefixes & X86_PFX_OPSZ) ? PFX_66 : PFX_NONE;
}

intptr_t xmm_ofs(int r)
{
    return offsetof(X86CPUState, ymm[r]);
}

static intptr_t mmx_ofs(int r)
{
    return offsetof(X86CPUState, fpregs[r & 7].mant);
}

/* A move wrote MMX register ofs: its x87 exponent becomes all ones (SDM 1, 9.5.1), as the
 * helpers' store() does. The 16-bit field is updated through the 32 bits that hold it
 * (Float80 is padded to 16 bytes). */
static void mmx_written(intptr_t ofs)
{
    _Static_assert(sizeof(Float80) >= offsetof(Float80, exp) + 4, "Float80 padding");
    intptr_t exp = ofs + (intptr_t)(offsetof(Float80, exp) - offsetof(Float80, mant));
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_ld32u_i64(t, tcg_env, exp);
    tcg_gen_ori_i64(t, t, 0xffff);
    tcg_gen_st32_i64(t, tcg_env, exp);
}

TCGv_ptr env_ptr(intptr_t ofs)
{
    TCGv_ptr p = tcg_temp_new_ptr();
    tcg_gen_addi_ptr(p, tcg_env, ofs);
    return p;
}

/* The source operand: a register, or memory loaded into env->tr_sse_tmp (bytes: 4, 8 or 16); its
 * offset in env. */
static intptr_t sse_src_ofs(DisasContext *s, bool mmx, int bytes)
{
    if (s->d.mod == 3)
        return mmx ? mmx_ofs(s->d.rm) : xmm_ofs(s->d.rm);
    TCGv_i64 a = gen_modrm_linear(s), t = tcg_temp_new_i64(), a2 = tcg_temp_new_i64();
    intptr_t tmp = offsetof(X86CPUState, tr_sse_tmp);
    if (bytes == 4) {
        gen_op_ld(s, MO_32, t, a);
        tcg_gen_st_i64(t, tcg_env, tmp);
    } else {
        gen_op_ld(s, MO_64, t, a);
        tcg_gen_st_i64(t, tcg_env, tmp);
        if (bytes == 16) {
            tcg_gen_addi_i64(a2, a, 8);
            gen_op_ld(s, MO_64, t, a2);
            tcg_gen_st_i64(t, tcg_env, tmp + 8);
        }
    }
    return tmp;
}

static TCGv_ptr sse_src(DisasContext *s, bool mmx, int bytes)
{
    return env_ptr(sse_src_ofs(s, mmx, bytes));
}

/* The commonest XMM integer operations as inline IR instead of helper calls: logic and wrapping
 * add/subtract on 64-bit halves (8- and 16-bit lanes with the carry kept inside each lane:
 * Hacker's Delight 2-18), 32-bit lanes one by one, and PSHUFD. */
enum { XI_AND, XI_ANDN, XI_OR, XI_XOR, XI_ADD, XI_SUB, XI_PSHUFD };
static const struct {
    const TCGHelperInfo *hi;
    uint8_t op, lane;          /* XI_*, lane bits */
} xmm_inline[] = {
    { &hi_pand, XI_AND, 64 }, { &hi_pandn, XI_ANDN, 64 }, { &hi_por, XI_OR, 64 },
    { &hi_pxor, XI_XOR, 64 }, { &hi_paddq, XI_ADD, 64 }, { &hi_psubq, XI_SUB, 64 },
    { &hi_paddd, XI_ADD, 32 }, { &hi_psubd, XI_SUB, 32 }, { &hi_paddw, XI_ADD, 16 },
    { &hi_psubw, XI_SUB, 16 }, { &hi_paddb, XI_ADD, 8 }, { &hi_psubb, XI_SUB, 8 },
    { &hi_pshufd, XI_PSHUFD, 32 },
};

static void gen_xmm_lanes64(int op, int lane, TCGv_i64 r, TCGv_i64 a, TCGv_i64 b)
{
    uint64_t h = lane == 8 ? 0x8080808080808080ull : lane == 16 ? 0x8000800080008000ull : 0;
    TCGv_i64 t = tcg_temp_new_i64(), u = tcg_temp_new_i64();
    switch (op) {
    case XI_AND: tcg_gen_and_i64(r, a, b); return;
    case XI_ANDN: tcg_gen_andc_i64(r, b, a); return;
    case XI_OR: tcg_gen_or_i64(r, a, b); return;
    case XI_XOR: tcg_gen_xor_i64(r, a, b); return;
    }
    if (!h) {
        if (op == XI_ADD)
            tcg_gen_add_i64(r, a, b);
        else
            tcg_gen_sub_i64(r, a, b);
        return;
    }
    if (op == XI_ADD) {            /* ((a & ~H) + (b & ~H)) ^ ((a ^ b) & H) */
        tcg_gen_xor_i64(u, a, b);
        tcg_gen_andi_i64(t, a, ~h);
        tcg_gen_andi_i64(r, b, ~h);
        tcg_gen_add_i64(r, t, r);
    } else {                       /* ((a | H) - (b & ~H)) ^ ((a ^ ~b) & H) */
        tcg_gen_eqv_i64(u, a, b);
        tcg_gen_ori_i64(t, a, h);
        tcg_gen_andi_i64(r, b, ~h);
        tcg_gen_sub_i64(r, t, r);
    }
    tcg_gen_andi_i64(u, u, h);
    tcg_gen_xor_i64(r, r, u);
}

/* d = d op s on XMM registers, inline, if op is one of xmm_inline's. */
static bool gen_xmm_inline(DisasContext *s, const TCGHelperInfo *hi, int imm)
{
    unsigned i = 0;
    while (i < ARRAY_SIZE(xmm_inline) && xmm_inline[i].hi != hi)
        i++;
    if (i == ARRAY_SIZE(xmm_inline))
        return false;
    int op = xmm_inline[i].op, lane = xmm_inline[i].lane;
    intptr_t dst = xmm_ofs(s->d.reg), src = sse_src_ofs(s, false, 16);
    if (lane == 32) {
        TCGv_i32 v[4], t = tcg_temp_new_i32();
        for (int k = 0; k < 4; k++) {
            v[k] = tcg_temp_new_i32();
            tcg_gen_ld_i32(v[k], tcg_env, src + 4 * k);
        }
        for (int k = 0; k < 4; k++) {
            if (op == XI_PSHUFD) {
                tcg_gen_st_i32(v[(imm >> (2 * k)) & 3], tcg_env, dst + 4 * k);
                continue;
            }
            tcg_gen_ld_i32(t, tcg_env, dst + 4 * k);
            if (op == XI_ADD)
                tcg_gen_add_i32(t, t, v[k]);
            else
                tcg_gen_sub_i32(t, t, v[k]);
            tcg_gen_st_i32(t, tcg_env, dst + 4 * k);
        }
        return true;
    }
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64();
    for (int k = 0; k < 16; k += 8) {
        tcg_gen_ld_i64(a, tcg_env, dst + k);
        tcg_gen_ld_i64(b, tcg_env, src + k);
        gen_xmm_lanes64(op, lane, a, a, b);
        tcg_gen_st_i64(a, tcg_env, dst + k);
    }
    return true;
}

/* The size of a memory source: the scalar forms and the m64 loads read less than the
 * register (SDM 2, each instruction's operand column). */
static int sse_src_bytes(const X86Insn *d, int pfx, int w)
{
    int b = d->op;
    if (d->map == X86_MAP_0F) {
        bool scalar_op = b == 0x51 || (b >= 0x58 && b <= 0x5f && b != 0x5b) || b == 0xc2;
        if (scalar_op && pfx >= PFX_F3)
            return pfx == PFX_F3 ? 4 : 8;
        if ((b == 0xe6 && pfx == PFX_F3) || (b == 0x12 && pfx == PFX_F2) ||
            (b == 0x5a && pfx == PFX_NONE))
            return 8;                           /* CVTDQ2PD, MOVDDUP, CVTPS2PD */
    }
    if (d->map == X86_MAP_0F3A && (b == 0x0a || b == 0x0b || b == 0x21))
        return b == 0x0b ? 8 : 4;               /* ROUNDSS, ROUNDSD, INSERTPS */
    return w;
}

/* Loads and stores of whole registers (the moves). */
static void ld_to_env(DisasContext *s, TCGv_i64 a, intptr_t ofs, int bytes)
{
    TCGv_i64 t = tcg_temp_new_i64(), a2 = tcg_temp_new_i64();
    gen_op_ld(s, bytes == 4 ? MO_32 : MO_64, t, a);
    if (bytes == 4)
        tcg_gen_st32_i64(t, tcg_env, ofs);
    else
        tcg_gen_st_i64(t, tcg_env, ofs);
    if (bytes == 16) {
        tcg_gen_addi_i64(a2, a, 8);
        gen_op_ld(s, MO_64, t, a2);
        tcg_gen_st_i64(t, tcg_env, ofs + 8);
    }
}

static void st_from_env(DisasContext *s, TCGv_i64 a, intptr_t ofs, int bytes)
{
    TCGv_i64 t = tcg_temp_new_i64(), t2 = tcg_temp_new_i64(), a2 = tcg_temp_new_i64();
    if (bytes == 4) {
        tcg_gen_ld32u_i64(t, tcg_env, ofs);
        gen_op_st(s, MO_32, t, a);
        return;
    }
    tcg_gen_ld_i64(t, tcg_env, ofs);
    if (bytes == 16) {
        /* Check the second half first so a fault leaves memory unchanged. */
        tcg_gen_ld_i64(t2, tcg_env, ofs + 8);
        tcg_gen_addi_i64(a2, a, 8);
        gen_op_st(s, MO_64, t2, a2);
    }
    gen_op_st(s, MO_64, t, a);
}

void copy_env(intptr_t dst, intptr_t src, int bytes)
{
    TCGv_i64 t = tcg_temp_new_i64();
    for (int i = 0; i < bytes; i += 8) {
        if (bytes - i == 4) {
            tcg_gen_ld32u_i64(t, tcg_env, src + i);
            tcg_gen_st32_i64(t, tcg_env, dst + i);
        } else {
            tcg_gen_ld_i64(t, tcg_env, src + i);
            tcg_gen_st_i64(t, tcg_env, dst + i);
        }
    }
}

void zero_env(intptr_t dst, int from, int to)
{
    for (int i = from; i < to; i += 8)
        tcg_gen_st_i64(tcg_constant_i64(0), tcg_env, dst + i);
}

/* SDM 2, MOVAPS etc.: memory operands of the aligned moves must be aligned to their size. */
void gen_check_align(DisasContext *s, TCGv_i64 a, int bytes)
{
    TCGv_i64 t = tcg_temp_new_i64();
    TCGLabel *ok = gen_new_label();
    tcg_gen_andi_i64(t, a, bytes - 1);
    gen_sync_state(s);
    tcg_gen_brcondi_i64(TCG_COND_EQ, t, 0, ok);
    gen_exception_err(s, EXCP_GP, 0);
    s->end = DISAS_NEXT;
    gen_set_label(ok);
}

/* 0F 10/11/28/29/6F/7F/6E/7E/D6/2B/E7/12/13/16/17 and friends. True if handled. */
static bool sse_move(DisasContext *s, int pfx, bool mmx)
{
    X86Insn *d = &s->d;
    int b = d->op;
    bool mem = d->mod != 3;
    TCGv_i64 a = { -1 };
    if (mem)
        a = gen_modrm_linear(s);
    intptr_t reg = mmx ? mmx_ofs(d->reg) : xmm_ofs(d->reg);
    intptr_t rm = mmx ? mmx_ofs(d->rm) : xmm_ofs(d->rm);

    switch (b) {
    case 0x10: case 0x11:                        /* MOVUPS/MOVUPD/MOVSS/MOVSD */
    case 0x28: case 0x29: {                      /* MOVAPS/MOVAPD */
        bool store = b & 1;
        int bytes = (b < 0x28 && pfx == PFX_F3) ? 4 : (b < 0x28 && pfx == PFX_F2) ? 8 : 16;
        if (b >= 0x28 && pfx >= PFX_F3)
            return false;
        if (mem && b >= 0x28)
            gen_check_align(s, a, 16);
        if (!store) {
            if (mem) {
                ld_to_env(s, a, reg, bytes);
                zero_env(reg, bytes == 4 ? 8 : bytes, 16);  /* scalar loads clear the rest */
                if (bytes == 4)
                    tcg_gen_st32_i64(tcg_constant_i64(0), tcg_env, reg + 4);
            } else {
                copy_env(reg, rm, bytes);
            }
        } else {
            if (mem)
                st_from_env(s, a, reg, bytes);
            else
                copy_env(rm, reg, bytes);
        }
        return true;
    }
    case 0x2b: case 0xe7:                        /* MOVNTPS/PD, MOVNTDQ/MOVNTQ */
        if (!mem)
            return false;
        if (!mmx)
            gen_check_align(s, a, 16);
        st_from_env(s, a, reg, mmx ? 8 : 16);
        return true;
    case 0x6f: case 0x7f: {                      /* MOVQ mm / MOVDQA / MOVDQU */
        if (pfx == PFX_F2)
            return false;
        int bytes = mmx ? 8 : 16;
        bool store = b == 0x7f;
        if (mem && pfx == PFX_66)
            gen_check_align(s, a, 16);
        if (!store) {
            if (mem)
                ld_to_env(s, a, reg, bytes);
            else
                copy_env(reg, rm, bytes);
        } else {
            if (mem)
                st_from_env(s, a, reg, bytes);
            else
                copy_env(rm, reg, bytes);
        }
        if (mmx && (!store || !mem))
            mmx_written(store ? rm : reg);
        return true;
    }
    case 0x6e: {                                 /* MOVD/MOVQ mm/xmm, r/m */
        int ot = (d->rex & 8) ? MO_64 : MO_32;
        TCGv_i64 t = tcg_temp_new_i64();
        if (mem)
            gen_op_ld(s, ot, t, a);
        else
            gen_op_mov_v_reg(s, ot, t, d->rm);
        tcg_gen_st_i64(t, tcg_env, reg);
        if (!mmx)
            zero_env(reg, 8, 16);
        else
            mmx_written(reg);
        return true;
    }
    case 0x7e: {
        if (pfx == PFX_F3) {                     /* MOVQ xmm, xmm/m64 */
            if (mem)
                ld_to_env(s, a, reg, 8);
            else
                copy_env(reg, xmm_ofs(d->rm), 8);
            zero_env(reg, 8, 16);
            return true;
        }
        int ot = (d->rex & 8) ? MO_64 : MO_32;   /* MOVD/MOVQ r/m, mm/xmm */
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_ld_i64(t, tcg_env, reg);
        if (mem)
            gen_op_st(s, ot, t, a);
        else
            gen_op_mov_reg_v(s, ot, d->rm, t);
        return true;
    }
    case 0xd6:                                   /* MOVQ xmm/m64, xmm */
        if ((pfx == PFX_F3 || pfx == PFX_F2) && !mem) {   /* MOVQ2DQ xmm, mm; MOVDQ2Q mm, xmm */
            intptr_t x = xmm_ofs(pfx == PFX_F3 ? d->reg : d->rm), m = mmx_ofs(pfx == PFX_F3 ? d->rm : d->reg);
            if (pfx == PFX_F3) {
                copy_env(x, m, 8);
                zero_env(x, 8, 16);
            } else {
                copy_env(m, x, 8);
                mmx_written(m);
            }
            return true;
        }
        if (pfx != PFX_66)
            return false;
        if (mem) {
            st_from_env(s, a, reg, 8);
        } else {
            copy_env(xmm_ofs(d->rm), reg, 8);
            zero_env(xmm_ofs(d->rm), 8, 16);
        }
        return true;
    case 0x12: case 0x13: case 0x16: case 0x17: {   /* MOVLPS/PD, MOVHPS/PD, MOVHLPS, MOVLHPS */
        if (pfx >= PFX_F3)
            return false;
        int half = (b >= 0x16) ? 8 : 0;
        if (b & 1) {
            if (!mem)
                return false;
            st_from_env(s, a, reg + half, 8);
        } else if (mem) {
            ld_to_env(s, a, reg + half, 8);
        } else {
            copy_env(reg + half, rm + (half ? 0 : 8), 8);   /* MOVLHPS / MOVHLPS */
        }
        return true;
    }
    case 0xf0:                                   /* LDDQU */
        if (pfx != PFX_F2 || !mem)
            return false;
        ld_to_env(s, a, reg, 16);
        return true;
    }
    return false;
}

bool sse_lookup(int map, int op, int pfx, const TCGHelperInfo **hi, int *kind)
{
    const SseEntry *e = map == X86_MAP_0F ? &tab0f[op][pfx] : map == X86_MAP_0F38 ? &tab38[op]
                                                                                : &tab3a[op];
    *hi = e->hi;
    *kind = e->kind;
    return e->kind != K_NONE;
}

bool gen_sse_insn(DisasContext *s)
{
    X86Insn *d = &s->d;
    int b = d->op, pfx = sse_prefix(d);
    /* CVTPI2PS/PD, CVT(T)PS2PI, CVT(T)PD2PI: one operand is an MMX register (cvt_mmx). */
    bool cvt_mmx = d->map == X86_MAP_0F && pfx <= PFX_66 && (b == 0x2a || b == 0x2c || b == 0x2d);
    /* ... but CVTPI2Px from memory touches no MMX register and leaves the x87 state alone */
    bool movq2dq = d->map == X86_MAP_0F && b == 0xd6 && pfx >= PFX_F3;
    bool mmx = movq2dq || (cvt_mmx && !(b == 0x2a && d->mod != 3)) || (pfx == PFX_NONE && d->map == X86_MAP_0F &&
               ((b >= 0x60 && b <= 0x7f && b != 0x7c && b != 0x7d) || b >= 0xd0 || b == 0xc4 ||
                b == 0xc5));
    if (d->map == X86_MAP_0F38 && pfx == PFX_NONE && b < 0x20)
        mmx = true;
    if (d->map == X86_MAP_0F3A && pfx == PFX_NONE && b == 0x0f)
        mmx = true;

    /* SDM 3A 13.1 / 2.5: CR0.EM gives #UD, CR0.TS #NM; SSE needs CR4.OSFXSR. */
    if (s->flags & HF_EM) {
        gen_exception(s, EXCP_UD);
        return true;
    }
    if (s->flags & HF_TS) {
        gen_exception(s, EXCP_NM);
        return true;
    }
    if (!mmx && !(s->flags & HF_OSFXSR)) {
        gen_exception(s, EXCP_UD);
        return true;
    }
    gen_sync_state(s);
    if (mmx) {
        tcg_gen_call1(&hi_enter_mmx, TCG_NORET, tcg_env);
    }
    if (d->map == X86_MAP_0F && sse_move(s, pfx, mmx))
        return true;

    if (cvt_mmx) {
        /* xmm <- mm/m64 (2A), or mm <- xmm/m64 (PS) or xmm/m128 (PD) */
        bool to_xmm = b == 0x2a;
        const SseEntry *e = &tab0f[b][pfx];
        TCGv_ptr src = sse_src(s, to_xmm, to_xmm || pfx == PFX_NONE ? 8 : 16);
        TCGv_ptr dst = env_ptr(to_xmm ? xmm_ofs(d->reg) : mmx_ofs(d->reg));
        tcg_gen_call3(e->hi, TCG_NORET, tcg_env, dst, src);
        return true;
    }
    int w = mmx ? 8 : 16;
    TCGv_ptr dst = env_ptr(mmx ? mmx_ofs(d->reg) : xmm_ofs(d->reg));
    const SseEntry *e = NULL;
    if (d->map == X86_MAP_0F)
        e = &tab0f[b][pfx];
    else if (d->map == X86_MAP_0F38 && (pfx == PFX_66 || pfx == PFX_NONE))
        e = &tab38[b];
    else if (d->map == X86_MAP_0F3A && (pfx == PFX_66 || (pfx == PFX_NONE && b == 0x0f)))
        e = &tab3a[b];
    if (e && e->kind != K_NONE) {
        if (!mmx && (e->kind == K_INT || e->kind == K_INTIMM) && gen_xmm_inline(s, e->hi, d->imm & 0xff))
            return true;
        TCGv_ptr src = sse_src(s, mmx, sse_src_bytes(d, pfx, w));
        /* Legacy CMPPS and friends know predicates 0-7 only (the VEX forms have 32); INSERTPS
         * from memory: the source is the m32 itself, imm[7:6] do not apply. */
        bool insertps_m32 = d->map == X86_MAP_0F3A && b == 0x21 && d->mod != 3;
        uint32_t imm_mask = b == 0xc2 && d->map == X86_MAP_0F ? 7 : insertps_m32 ? 0x3f : 0xff;
        TCGv_i32 imm = tcg_constant_i32(d->imm & imm_mask);
        switch (e->kind) {
        case K_INT: tcg_gen_call4(e->hi, TCG_NORET, tcg_env, dst, src, tcg_constant_i32(w)); break;
        case K_INTIMM: tcg_gen_call5(e->hi, TCG_NORET, tcg_env, dst, src, tcg_constant_i32(w), imm); break;
        case K_FP: tcg_gen_call3(e->hi, TCG_NORET, tcg_env, dst, src); break;
        case K_FPIMM: tcg_gen_call4(e->hi, TCG_NORET, tcg_env, dst, src, imm); break;
        }
        return true;
    }

    if (d->map == X86_MAP_0F) {
        switch (b) {
        case 0x71: case 0x72: case 0x73: {      /* shift by immediate groups */
            static const TCGHelperInfo *const g[3][8] = {
                { NULL, NULL, &hi_psrlw_i, NULL, &hi_psraw_i, NULL, &hi_psllw_i, NULL },
                { NULL, NULL, &hi_psrld_i, NULL, &hi_psrad_i, NULL, &hi_pslld_i, NULL },
                { NULL, NULL, &hi_psrlq_i, &hi_psrldq_i, NULL, NULL, &hi_psllq_i, &hi_pslldq_i },
            };
            const TCGHelperInfo *hi = g[b - 0x71][d->reg & 7];
            if (!hi || d->mod != 3 || (mmx && ((d->reg & 7) == 3 || (d->reg & 7) == 7)))
                break;
            TCGv_ptr r = env_ptr(mmx ? mmx_ofs(d->rm) : xmm_ofs(d->rm));
            tcg_gen_call5(hi, TCG_NORET, tcg_env, r, r, tcg_constant_i32(w), tcg_constant_i32(d->imm & 0xff));
            return true;
        }
        case 0xd7: case 0x50: {                  /* PMOVMSKB, MOVMSKPS/PD */
            if (d->mod != 3)
                break;
            TCGv_i32 m = tcg_temp_new_i32();
            TCGv_ptr src = env_ptr(mmx ? mmx_ofs(d->rm) : xmm_ofs(d->rm));
            const TCGHelperInfo *hi = b == 0xd7 ? &hi_pmovmskb : pfx == PFX_66 ? &hi_movmskpd : &hi_movmskps;
            if (b == 0xd7)
                tcg_gen_call3(hi, tcg_ref(m), tcg_env, src, tcg_constant_i32(w));
            else
                tcg_gen_call2(hi, tcg_ref(m), tcg_env, src);
            TCGv_i64 t = tcg_temp_new_i64();
            tcg_gen_extu_i32_i64(t, m);
            gen_op_mov_reg_v(s, s->code64 ? MO_64 : MO_32, d->reg, t);
            return true;
        }
        case 0xf7: {                             /* MASKMOVQ, MASKMOVDQU: bytes to DS:rDI */
            if (d->mod != 3 || pfx >= PFX_F3)
                break;
            TCGv_i64 a = tcg_temp_new_i64();
            gen_ext(s->aflag, a, cpu_regs[R_EDI], false);
            gen_add_seg(s, a, R_DS, true);
            tcg_gen_call5(&hi_maskmov, TCG_NORET, tcg_env, dst,
                          env_ptr(mmx ? mmx_ofs(d->rm) : xmm_ofs(d->rm)), tcg_constant_i32(w), a);
            return true;
        }
        case 0xc4: {                             /* PINSRW */
            TCGv_i64 v = tcg_temp_new_i64();
            gen_ld_modrm(s, MO_16, v, NULL);
            tcg_gen_call6(&hi_pinsr, TCG_NORET, tcg_env, dst, tcg_constant_i32(w), tcg_constant_i32(2),
                          tcg_constant_i32(d->imm & 0xff), v);
            return true;
        }
        case 0xc5: {                             /* PEXTRW r, mm/xmm */
            if (d->mod != 3)
                return true;
            TCGv_i64 v = tcg_temp_new_i64();
            tcg_gen_call5(&hi_pextr, tcg_ref(v), tcg_env, env_ptr(mmx ? mmx_ofs(d->rm) : xmm_ofs(d->rm)),
                          tcg_constant_i32(w), tcg_constant_i32(2), tcg_constant_i32(d->imm & 0xff));
            gen_op_mov_reg_v(s, MO_32, d->reg, v);
            return true;
        }
        case 0x2e: case 0x2f: {                  /* UCOMISS/COMISS/UCOMISD/COMISD */
            const TCGHelperInfo *hi = pfx == PFX_66 ? &hi_comisd : &hi_comiss;
            if (pfx >= PFX_F3)
                break;
            TCGv_ptr src = sse_src(s, false, pfx == PFX_66 ? 8 : 4);
            gen_compute_eflags(s);
            gen_update_cc_op(s);
            tcg_gen_call4(hi, TCG_NORET, tcg_env, dst, src, tcg_constant_i32(b == 0x2e));
            s->cc_op = CC_OP_EFLAGS;
            s->cc_op_dirty = false;
            return true;
        }
        case 0x2a: {                             /* CVTSI2SS/SD */
            if (pfx < PFX_F3)
                break;
            const TCGHelperInfo *hi = pfx == PFX_F3 ? &hi_cvtsi2ss : &hi_cvtsi2sd;
            TCGv_i64 v = tcg_temp_new_i64();
            int ot = (d->rex & 8) ? MO_64 : MO_32;
            gen_ld_modrm(s, ot, v, NULL);
            if (ot == MO_32)
                tcg_gen_ext32s_i64(v, v);
            tcg_gen_call3(hi, TCG_NORET, tcg_env, dst, v);
            return true;
        }
        case 0x2c: case 0x2d: {                  /* CVT(T)SS2SI / CVT(T)SD2SI */
            if (pfx < PFX_F3)
                break;
            const TCGHelperInfo *hi = pfx == PFX_F3 ? &hi_cvtss2si : &hi_cvtsd2si;
            int ot = (d->rex & 8) ? MO_64 : MO_32;
            TCGv_ptr src = sse_src(s, false, pfx == PFX_F3 ? 4 : 8);
            TCGv_i64 v = tcg_temp_new_i64();
            tcg_gen_call4(hi, tcg_ref(v), tcg_env, src, tcg_constant_i32(ot == MO_64 ? 64 : 32),
                          tcg_constant_i32(b == 0x2c));
            gen_op_mov_reg_v(s, ot, d->reg, v);
            return true;
        }
        case 0x77:                               /* EMMS */
            tcg_gen_call1(&hi_emms, TCG_NORET, tcg_env);
            return true;
        }
    }
    if (d->map == X86_MAP_0F38 && b == 0x17 && pfx == PFX_66) {     /* PTEST */
        TCGv_ptr src = sse_src(s, false, 16);
        gen_compute_eflags(s);
        gen_update_cc_op(s);
        tcg_gen_call3(&hi_ptest, TCG_NORET, tcg_env, dst, src);
        s->cc_op = CC_OP_EFLAGS;
        s->cc_op_dirty = false;
        return true;
    }
    if (d->map == X86_MAP_0F38 && (b == 0xf0 || b == 0xf1) && pfx == PFX_F2) {   /* CRC32 */
        int bytes = b == 0xf0 ? 1 : 1 << s->ot;    /* the operand size: 16 by default in 16-bit code */
        TCGv_i64 v = tcg_temp_new_i64(), c = tcg_temp_new_i64();
        TCGv_i32 c32 = tcg_temp_new_i32(), r32 = tcg_temp_new_i32();
        gen_ld_modrm(s, bytes == 1 ? MO_8 : bytes == 2 ? MO_16 : bytes == 4 ? MO_32 : MO_64, v, NULL);
        gen_op_mov_v_reg(s, MO_32, c, d->reg);
        tcg_gen_extrl_i64_i32(c32, c);
        tcg_gen_call3(&hi_crc32, tcg_ref(r32), c32, v, tcg_constant_i32(bytes));
        tcg_gen_extu_i32_i64(c, r32);
        gen_op_mov_reg_v(s, MO_32, d->reg, c);
        return true;
    }
    if (d->map == X86_MAP_0F3A && pfx == PFX_66 && b >= 0x60 && b <= 0x63) {   /* PCMPxSTRx */
        static const TCGHelperInfo *const hs[4] = { &hi_pcmpestrm, &hi_pcmpestri, &hi_pcmpistrm, &hi_pcmpistri };
        const TCGHelperInfo *hi = hs[b - 0x60];
        TCGv_ptr src = sse_src(s, false, 16);
        gen_compute_eflags(s);
        gen_update_cc_op(s);
        if (b < 0x62)
            tcg_gen_call5(hi, TCG_NORET, tcg_env, dst, src, tcg_constant_i32(d->imm & 0xff),
                          tcg_constant_i32(!!(d->rex & 8)));
        else
            tcg_gen_call4(hi, TCG_NORET, tcg_env, dst, src, tcg_constant_i32(d->imm & 0xff));
        s->cc_op = CC_OP_EFLAGS;
        s->cc_op_dirty = false;
        return true;
    }
    if (d->map == X86_MAP_0F3A && pfx == PFX_66 && ((b >= 0x14 && b <= 0x17) || b == 0x20 || b == 0x22)) {
        /* PEXTRB/W/D/Q, EXTRACTPS (a dword, whatever REX.W says), PINSRB/D/Q */
        bool ins = b >= 0x20;
        int size = b == 0x14 || b == 0x20 ? 1 : b == 0x15 ? 2 : (d->rex & 8) && b != 0x17 ? 8 : 4;
        int ot = size == 1 ? MO_8 : size == 2 ? MO_16 : size == 4 ? MO_32 : MO_64;
        TCGv_i64 v = tcg_temp_new_i64();
        if (ins) {
            /* PINSRB's register operand is r32, not a byte register (no AH..BH) */
            gen_ld_modrm(s, d->mod == 3 && ot == MO_8 ? MO_32 : ot, v, NULL);
            tcg_gen_call6(&hi_pinsr, TCG_NORET, tcg_env, dst, tcg_constant_i32(16), tcg_constant_i32(size),
                          tcg_constant_i32(d->imm & 0xff), v);
        } else {
            tcg_gen_call5(&hi_pextr, tcg_ref(v), tcg_env, dst, tcg_constant_i32(16), tcg_constant_i32(size),
                          tcg_constant_i32(d->imm & 0xff));
            if (d->mod == 3)
                gen_op_mov_reg_v(s, size == 8 ? MO_64 : MO_32, d->rm, v);
            else
                gen_op_st(s, ot, v, gen_modrm_linear(s));
        }
        return true;
    }
    return false;
}

/* LDMXCSR / STMXCSR (0F AE /2 /3). */
void gen_mxcsr_insn(DisasContext *s, bool load)
{
    if (s->flags & HF_EM) {
        gen_exception(s, EXCP_UD);
        return;
    }
    if (s->flags & HF_TS) {
        gen_exception(s, EXCP_NM);
        return;
    }
    TCGv_i64 a = gen_modrm_linear(s), t = tcg_temp_new_i64();
    if (load) {
        TCGv_i32 v = tcg_temp_new_i32();
        gen_op_ld(s, MO_32, t, a);
        tcg_gen_extrl_i64_i32(v, t);
        gen_sync_state(s);
        tcg_gen_call2(&hi_ldmxcsr, TCG_NORET, tcg_env, v);
    } else {
        tcg_gen_ld32u_i64(t, tcg_env, offsetof(X86CPUState, mxcsr));
        gen_op_st(s, MO_32, t, a);
    }
}
