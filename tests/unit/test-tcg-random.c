/* test-tcg-random.c: random IR op sequences on every back end, checked against a plain C evaluator. */
#include <criterion/criterion.h>
#include "tests/unit/test-tcg-common.h"
#include "util/log.h"

/*
 * A program is a list of RInsn over 8 i64 variables (r0-r5 globals, 2 temps)
 * and 8 i32 variables (w0-w3 globals, 4 temps); any source operand may instead
 * be a constant, which exercises the builder's and optimizer's folding. The
 * reference below is written from the op definitions in tcg/tcg.h and shares
 * no code with tcg/.
 *
 * TCG_RANDOM_OPS=N sets how many ops each back end runs (default 100000),
 * TCG_RANDOM_SEED=N the sequence, TCG_DEBUG_BLOCK=N dumps one block's IR.
 */

enum {
    R_MOV, R_MOVI, R_ADD, R_ADDI, R_SUB, R_SUBI, R_SUBFI, R_NEG, R_AND, R_ANDI, R_OR, R_ORI,
    R_XOR, R_XORI, R_NOT, R_ANDC, R_ORC, R_EQV, R_NAND, R_NOR, R_SHL, R_SHLI, R_SHR, R_SHRI,
    R_SAR, R_SARI, R_ROTL, R_ROTLI, R_ROTR, R_ROTRI, R_MUL, R_MULI, R_MULSH, R_MULUH,
    R_MULS2, R_MULU2, R_DIV, R_REM, R_DIVU, R_REMU, R_EXT8S, R_EXT8U, R_EXT16S, R_EXT16U,
    R_DEPOSIT, R_EXTRACT, R_SEXTRACT, R_BSWAP16, R_BSWAP32, R_CLZ, R_CTZ, R_CTPOP,
    R_SETCOND, R_SETCONDI, R_NEGSETCOND, R_MOVCOND, R_BRCOND, R_LDH, R_STH, R_GLD, R_GST,
    /* i64 only */
    R_BSWAP64, R_EXT32S, R_EXT32U,
    /* conversions (type = destination) */
    R_EXTU, R_EXTS, R_EXTRL, R_EXTRH, R_CONCAT,
    /* helper calls with each kind of side-effect declaration (i64) */
    R_HCALL_RW, R_HCALL_RO, R_HCALL_PURE,
    R_NB
};

#define NVAR 8
#define CONST_OPND (-1)

typedef struct RInsn {
    uint8_t op, ty;        /* ty 1: i64 */
    int8_t d, d2, a, b, c, e;
    int64_t ca, cb, cc, ce, imm;
    uint8_t cond, ofs, len, mop, mmu;
    uint8_t skip;          /* R_BRCOND: ops jumped over when taken (0 means 1) */
} RInsn;

typedef struct RState {
    uint64_t v64[NVAR];
    uint32_t v32[NVAR];
    uint8_t scratch[64];
} RState;

static uint64_t rng_state = 1;
static uint64_t rnd(void)
{
    /* xorshift64*: fixed seed, reproducible runs */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static const uint64_t edge64[] = {
    0, 1, 2, 7, 8, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffffffeull, 0x8000000000000001ull,
    0xffffffff80000000ull, 0x00000000ffff0000ull, 0x0123456789abcdefull,
};

static uint64_t rnd_value(void)
{
    switch (rnd() % 4) {
    case 0: case 1: return edge64[rnd() % ARRAY_SIZE(edge64)];
    case 2: return rnd();
    default: return rnd() % 130;   /* small: shift counts, offsets */
    }
}

static const TCGCond conds[] = {
    TCG_COND_EQ, TCG_COND_NE, TCG_COND_LT, TCG_COND_GE, TCG_COND_LE, TCG_COND_GT,
    TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU, TCG_COND_ALWAYS, TCG_COND_NEVER,
};

static int8_t rnd_src(int64_t *c)
{
    if (rnd() % 5 == 0) {
        *c = (int64_t)rnd_value();
        return CONST_OPND;
    }
    return (int8_t)(rnd() % NVAR);
}

static void gen_insn(RInsn *r, bool allow_branch)
{
    memset(r, 0, sizeof(*r));
    do {
        r->op = rnd() % R_NB;
    } while (r->op == R_BRCOND && !allow_branch);
    r->ty = rnd() & 1;
    if (r->op >= R_BSWAP64 && r->op <= R_EXT32U)
        r->ty = 1;
    if (r->op == R_EXTU || r->op == R_EXTS || r->op == R_CONCAT || r->op >= R_HCALL_RW)
        r->ty = 1;
    if (r->op == R_EXTRL || r->op == R_EXTRH)
        r->ty = 0;
    r->d = rnd() % NVAR;
    do {
        r->d2 = rnd() % NVAR;
    } while (r->d2 == r->d);
    r->a = rnd_src(&r->ca);
    r->b = rnd_src(&r->cb);
    r->c = rnd_src(&r->cc);
    r->e = rnd_src(&r->ce);
    r->imm = (int64_t)rnd_value();
    r->cond = conds[rnd() % ARRAY_SIZE(conds)];
    unsigned w = r->ty ? 64 : 32;
    r->len = 1 + rnd() % w;
    r->ofs = rnd() % (w - r->len + 1);
    r->mop = rnd() % 7;          /* size 0-3, sign for sizes < 3 */
    if ((r->mop & 3) == 3)
        r->mop = MO_64;
    if (!r->ty && (r->mop & 3) == 3)
        r->mop = MO_32 | (rnd() & MO_SIGN);
    r->mmu = rnd() % T_NB_MMU;
    r->skip = 1 + rnd() % 4;
}

/* ---------------------------------------------------------------- reference */

static uint64_t mask(int ty, uint64_t v) { return ty ? v : (uint32_t)v; }
static uint64_t sx(int ty, uint64_t v) { return ty ? v : (uint64_t)(int64_t)(int32_t)v; }

static uint64_t ref_src(RState *s, int ty, int8_t x, int64_t c)
{
    if (x == CONST_OPND)
        return mask(ty, (uint64_t)c);
    return ty ? s->v64[x] : s->v32[x];
}

static void ref_set(RState *s, int ty, int8_t d, uint64_t v)
{
    if (ty)
        s->v64[d] = v;
    else
        s->v32[d] = (uint32_t)v;
}

static bool ref_cond(int ty, TCGCond c, uint64_t a, uint64_t b)
{
    int64_t sa = (int64_t)sx(ty, a), sb = (int64_t)sx(ty, b);
    switch (c) {
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_ALWAYS: return true;
    default: return false;
    }
}

static uint64_t ref_shift(int op, int ty, uint64_t a, uint64_t n)
{
    unsigned w = ty ? 64 : 32;
    n &= w - 1;
    switch (op) {
    case R_SHL: return mask(ty, a << n);
    case R_SHR: return a >> n;
    case R_SAR: return mask(ty, (uint64_t)((int64_t)sx(ty, a) >> n));
    case R_ROTL: return n ? mask(ty, a << n | a >> (w - n)) : a;
    default: return n ? mask(ty, a >> n | a << (w - n)) : a;
    }
}

static uint64_t ref_mulh(int sign, int ty, uint64_t a, uint64_t b)
{
    if (!ty) {
        if (sign)
            return (uint32_t)(((int64_t)(int32_t)a * (int64_t)(int32_t)b) >> 32);
        return (uint32_t)((a * b) >> 32);
    }
    if (sign)
        return (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64);
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static uint64_t ref_div(int op, int ty, uint64_t a, uint64_t b)
{
    uint64_t min = ty ? 0x8000000000000000ull : 0x80000000ull;
    uint64_t all = mask(ty, ~0ull);
    int64_t sa = (int64_t)sx(ty, a), sb = (int64_t)sx(ty, b);
    switch (op) {
    case R_DIV:
        if (!b) return all;
        if (a == min && b == all) return min;
        return mask(ty, (uint64_t)(sa / sb));
    case R_REM:
        if (!b) return a;
        if (a == min && b == all) return 0;
        return mask(ty, (uint64_t)(sa % sb));
    case R_DIVU: return b ? a / b : all;
    default: return b ? a % b : a;
    }
}

static uint64_t ref_bswap(unsigned bytes, uint64_t a)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < bytes; i++)
        r |= ((a >> (8 * i)) & 0xff) << (8 * (bytes - 1 - i));
    return r;
}

static uint64_t ref_guest_addr(uint64_t a) { return T_RAM_BASE + (a & 0x3fff); }
static unsigned ldh_ofs(const RInsn *r, unsigned size) { return (r->imm & 63) & ~(size - 1) & (64 - size); }

static uint64_t ref_ld_bytes(const uint8_t *p, unsigned size, bool sign)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    if (sign && size < 8) {
        unsigned sh = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << sh) >> sh);
    }
    return v;
}

/* Returns how many of the following insns are skipped. */
static int ref_exec(RState *s, uint8_t *ram, const RInsn *r)
{
    int ty = r->ty;
    unsigned w = ty ? 64 : 32;
    uint64_t a = ref_src(s, ty, r->a, r->ca), b = ref_src(s, ty, r->b, r->cb);
    uint64_t c = ref_src(s, ty, r->c, r->cc), e = ref_src(s, ty, r->e, r->ce);
    uint64_t imm = mask(ty, (uint64_t)r->imm), v;
    switch (r->op) {
    case R_MOV: v = a; break;
    case R_MOVI: v = imm; break;
    case R_ADD: v = a + b; break;
    case R_ADDI: v = a + imm; break;
    case R_SUB: v = a - b; break;
    case R_SUBI: v = a - imm; break;
    case R_SUBFI: v = imm - a; break;
    case R_NEG: v = -a; break;
    case R_AND: v = a & b; break;
    case R_ANDI: v = a & imm; break;
    case R_OR: v = a | b; break;
    case R_ORI: v = a | imm; break;
    case R_XOR: v = a ^ b; break;
    case R_XORI: v = a ^ imm; break;
    case R_NOT: v = ~a; break;
    case R_ANDC: v = a & ~b; break;
    case R_ORC: v = a | ~b; break;
    case R_EQV: v = ~(a ^ b); break;
    case R_NAND: v = ~(a & b); break;
    case R_NOR: v = ~(a | b); break;
    case R_SHL: case R_SHR: case R_SAR: case R_ROTL: case R_ROTR:
        v = ref_shift(r->op, ty, a, b);
        break;
    case R_SHLI: case R_SHRI: case R_SARI: case R_ROTLI: case R_ROTRI:
        v = ref_shift(r->op - 1, ty, a, imm);
        break;
    case R_MUL: v = a * b; break;
    case R_MULI: v = a * imm; break;
    case R_MULSH: v = ref_mulh(1, ty, a, b); break;
    case R_MULUH: v = ref_mulh(0, ty, a, b); break;
    case R_MULS2: case R_MULU2:
        ref_set(s, ty, r->d, a * b);
        ref_set(s, ty, r->d2, ref_mulh(r->op == R_MULS2, ty, a, b));
        return 0;
    case R_DIV: case R_REM: case R_DIVU: case R_REMU: v = ref_div(r->op, ty, a, b); break;
    case R_EXT8S: v = (uint64_t)(int64_t)(int8_t)a; break;
    case R_EXT8U: v = (uint8_t)a; break;
    case R_EXT16S: v = (uint64_t)(int64_t)(int16_t)a; break;
    case R_EXT16U: v = (uint16_t)a; break;
    case R_EXT32S: v = (uint64_t)(int64_t)(int32_t)a; break;
    case R_EXT32U: v = (uint32_t)a; break;
    case R_DEPOSIT: {
        uint64_t m = r->len == 64 ? ~0ull : ((1ull << r->len) - 1);
        v = (a & ~(m << r->ofs)) | ((b & m) << r->ofs);
        break;
    }
    case R_EXTRACT:
        v = (a >> r->ofs) & (r->len == 64 ? ~0ull : ((1ull << r->len) - 1));
        break;
    case R_SEXTRACT: {
        uint64_t f = (a >> r->ofs) & (r->len == 64 ? ~0ull : ((1ull << r->len) - 1));
        unsigned sh = 64 - r->len;
        v = (uint64_t)((int64_t)(f << sh) >> sh);
        break;
    }
    case R_BSWAP16: v = ref_bswap(2, a); break;
    case R_BSWAP32: v = ref_bswap(4, a); break;
    case R_BSWAP64: v = ref_bswap(8, a); break;
    case R_CLZ:
        if (!a) {
            v = c;
        } else {
            v = 0;
            for (int i = w - 1; i >= 0 && !((a >> i) & 1); i--)
                v++;
        }
        break;
    case R_CTZ:
        if (!a) {
            v = c;
        } else {
            v = 0;
            for (unsigned i = 0; i < w && !((a >> i) & 1); i++)
                v++;
        }
        break;
    case R_CTPOP:
        v = 0;
        for (unsigned i = 0; i < w; i++)
            v += (a >> i) & 1;
        break;
    case R_SETCOND: v = ref_cond(ty, r->cond, a, b); break;
    case R_SETCONDI: v = ref_cond(ty, r->cond, a, imm); break;
    case R_NEGSETCOND: v = -(uint64_t)ref_cond(ty, r->cond, a, b); break;
    case R_MOVCOND: v = ref_cond(ty, r->cond, a, b) ? c : e; break;
    case R_BRCOND: return ref_cond(ty, r->cond, a, b) ? (r->skip ? r->skip : 1) : 0;
    case R_LDH: {
        static const unsigned sizes[] = { 1, 1, 2, 2, 4, 4, 8 };
        unsigned k = r->mop % (ty ? 7 : 5);
        unsigned size = ty ? sizes[k] : (k == 4 ? 4 : sizes[k]);
        v = ref_ld_bytes(s->scratch + ldh_ofs(r, size), size, k < 6 && (k & 1));
        break;
    }
    case R_STH: {
        unsigned size = 1u << (r->mop & 3);
        if (!ty && size == 8)
            size = 4;
        unsigned o = ldh_ofs(r, size);
        for (unsigned i = 0; i < size; i++)
            s->scratch[o + i] = (uint8_t)(a >> (8 * i));
        return 0;
    }
    case R_GLD: {
        uint64_t addr = ref_guest_addr(ref_src(s, 1, r->b, r->cb));
        unsigned size = 1u << (r->mop & 3);
        v = ref_ld_bytes(ram + (addr - T_RAM_BASE), size, r->mop & MO_SIGN);
        break;
    }
    case R_GST: {
        uint64_t addr = ref_guest_addr(ref_src(s, 1, r->b, r->cb));
        unsigned size = 1u << (r->mop & 3);
        for (unsigned i = 0; i < size; i++)
            ram[addr - T_RAM_BASE + i] = (uint8_t)(a >> (8 * i));
        return 0;
    }
    case R_EXTU: v = (uint32_t)ref_src(s, 0, r->a, r->ca); break;
    case R_EXTS: v = (uint64_t)(int64_t)(int32_t)ref_src(s, 0, r->a, r->ca); break;
    case R_EXTRL: v = (uint32_t)ref_src(s, 1, r->a, r->ca); break;
    case R_EXTRH: v = ref_src(s, 1, r->a, r->ca) >> 32; break;
    case R_CONCAT:
        v = (uint32_t)ref_src(s, 0, r->a, r->ca) | (uint64_t)(uint32_t)ref_src(s, 0, r->b, r->cb) << 32;
        break;
    case R_HCALL_RW:
        /* reads r0, writes r5 in env (flags 0) */
        v = a + s->v64[0] * 3;
        s->v64[5] ^= a;
        break;
    case R_HCALL_RO: v = a + s->v64[1]; break;   /* reads r1 */
    case R_HCALL_PURE: v = a * 31 + b; break;
    default: abort();
    }
    ref_set(s, ty, r->d, mask(ty, v));
    return 0;
}

/* ---------------------------------------------------------------- IR emission */

static uint64_t helper_rw(void *env, uint64_t a)
{
    TEnv *e = env;
    uint64_t v = a + e->r[0] * 3;
    e->r[5] ^= a;
    return v;
}

static uint64_t helper_ro(void *env, uint64_t a)
{
    return a + ((TEnv *)env)->r[1];
}

static uint64_t helper_pure(uint64_t a, uint64_t b)
{
    return a * 31 + b;
}

static const TCGHelperInfo info_rw = TCG_HELPER(helper_rw, 0, TCG_TYPE_I64, TCG_TYPE_PTR, TCG_TYPE_I64);
static const TCGHelperInfo info_ro = TCG_HELPER(helper_ro, TCG_CALL_NO_WRITE_GLOBALS | TCG_CALL_NO_RAISE,
                                                TCG_TYPE_I64, TCG_TYPE_PTR, TCG_TYPE_I64);
static const TCGHelperInfo info_pure = TCG_HELPER(helper_pure, TCG_CALL_PURE, TCG_TYPE_I64,
                                                  TCG_TYPE_I64, TCG_TYPE_I64);

static TCGv_i64 tmp64[2];
static TCGv_i32 tmp32[4];

static TCGv_i64 var64(int8_t x, int64_t c)
{
    if (x == CONST_OPND)
        return tcg_constant_i64(c);
    return x < 6 ? t_r[x] : tmp64[x - 6];
}

static TCGv_i32 var32(int8_t x, int64_t c)
{
    if (x == CONST_OPND)
        return tcg_constant_i32((int32_t)c);
    return x < 4 ? t_w[x] : tmp32[x - 4];
}

#define EMIT_BODY(W, V, TT) \
static void emit_##W(const RInsn *r, TCGLabel **target) \
{ \
    TT d = V(r->d, 0), d2 = V(r->d2, 0); \
    TT a = V(r->a, r->ca), b = V(r->b, r->cb), c = V(r->c, r->cc), e = V(r->e, r->ce); \
    switch (r->op) { \
    case R_MOV: tcg_gen_mov_##W(d, a); break; \
    case R_MOVI: tcg_gen_movi_##W(d, r->imm); break; \
    case R_ADD: tcg_gen_add_##W(d, a, b); break; \
    case R_ADDI: tcg_gen_addi_##W(d, a, r->imm); break; \
    case R_SUB: tcg_gen_sub_##W(d, a, b); break; \
    case R_SUBI: tcg_gen_subi_##W(d, a, r->imm); break; \
    case R_SUBFI: tcg_gen_subfi_##W(d, r->imm, a); break; \
    case R_NEG: tcg_gen_neg_##W(d, a); break; \
    case R_AND: tcg_gen_and_##W(d, a, b); break; \
    case R_ANDI: tcg_gen_andi_##W(d, a, r->imm); break; \
    case R_OR: tcg_gen_or_##W(d, a, b); break; \
    case R_ORI: tcg_gen_ori_##W(d, a, r->imm); break; \
    case R_XOR: tcg_gen_xor_##W(d, a, b); break; \
    case R_XORI: tcg_gen_xori_##W(d, a, r->imm); break; \
    case R_NOT: tcg_gen_not_##W(d, a); break; \
    case R_ANDC: tcg_gen_andc_##W(d, a, b); break; \
    case R_ORC: tcg_gen_orc_##W(d, a, b); break; \
    case R_EQV: tcg_gen_eqv_##W(d, a, b); break; \
    case R_NAND: tcg_gen_nand_##W(d, a, b); break; \
    case R_NOR: tcg_gen_nor_##W(d, a, b); break; \
    case R_SHL: tcg_gen_shl_##W(d, a, b); break; \
    case R_SHLI: tcg_gen_shli_##W(d, a, r->imm); break; \
    case R_SHR: tcg_gen_shr_##W(d, a, b); break; \
    case R_SHRI: tcg_gen_shri_##W(d, a, r->imm); break; \
    case R_SAR: tcg_gen_sar_##W(d, a, b); break; \
    case R_SARI: tcg_gen_sari_##W(d, a, r->imm); break; \
    case R_ROTL: tcg_gen_rotl_##W(d, a, b); break; \
    case R_ROTLI: tcg_gen_rotli_##W(d, a, r->imm); break; \
    case R_ROTR: tcg_gen_rotr_##W(d, a, b); break; \
    case R_ROTRI: tcg_gen_rotri_##W(d, a, r->imm); break; \
    case R_MUL: tcg_gen_mul_##W(d, a, b); break; \
    case R_MULI: tcg_gen_muli_##W(d, a, r->imm); break; \
    case R_MULSH: tcg_gen_mulsh_##W(d, a, b); break; \
    case R_MULUH: tcg_gen_muluh_##W(d, a, b); break; \
    case R_MULS2: tcg_gen_muls2_##W(d, d2, a, b); break; \
    case R_MULU2: tcg_gen_mulu2_##W(d, d2, a, b); break; \
    case R_DIV: tcg_gen_div_##W(d, a, b); break; \
    case R_REM: tcg_gen_rem_##W(d, a, b); break; \
    case R_DIVU: tcg_gen_divu_##W(d, a, b); break; \
    case R_REMU: tcg_gen_remu_##W(d, a, b); break; \
    case R_EXT8S: tcg_gen_ext8s_##W(d, a); break; \
    case R_EXT8U: tcg_gen_ext8u_##W(d, a); break; \
    case R_EXT16S: tcg_gen_ext16s_##W(d, a); break; \
    case R_EXT16U: tcg_gen_ext16u_##W(d, a); break; \
    case R_DEPOSIT: tcg_gen_deposit_##W(d, a, b, r->ofs, r->len); break; \
    case R_EXTRACT: tcg_gen_extract_##W(d, a, r->ofs, r->len); break; \
    case R_SEXTRACT: tcg_gen_sextract_##W(d, a, r->ofs, r->len); break; \
    case R_BSWAP16: tcg_gen_bswap16_##W(d, a); break; \
    case R_BSWAP32: tcg_gen_bswap32_##W(d, a); break; \
    case R_CLZ: tcg_gen_clz_##W(d, a, c); break; \
    case R_CTZ: tcg_gen_ctz_##W(d, a, c); break; \
    case R_CTPOP: tcg_gen_ctpop_##W(d, a); break; \
    case R_SETCOND: tcg_gen_setcond_##W(r->cond, d, a, b); break; \
    case R_SETCONDI: tcg_gen_setcondi_##W(r->cond, d, a, r->imm); break; \
    case R_NEGSETCOND: tcg_gen_negsetcond_##W(r->cond, d, a, b); break; \
    case R_MOVCOND: tcg_gen_movcond_##W(r->cond, d, a, b, c, e); break; \
    case R_BRCOND: \
        if (!*target) \
            *target = gen_new_label(); \
        tcg_gen_brcond_##W(r->cond, a, b, *target); \
        break; \
    case R_GLD: case R_GST: { \
        TCGv_i64 addr = tcg_temp_new_i64(); \
        tcg_gen_andi_i64(addr, var64(r->b, r->cb), 0x3fff); \
        tcg_gen_addi_i64(addr, addr, T_RAM_BASE); \
        if (r->op == R_GLD) \
            tcg_gen_guest_ld_##W(d, addr, r->mmu, r->mop); \
        else \
            tcg_gen_guest_st_##W(a, addr, r->mmu, r->mop & MO_SIZE); \
        tcg_temp_free_i64(addr); \
        break; \
    } \
    default: \
        emit_##W##_more(r, d, a); \
        break; \
    } \
}

static void emit_i64_more(const RInsn *r, TCGv_i64 d, TCGv_i64 a)
{
    static const unsigned sizes[] = { 1, 1, 2, 2, 4, 4, 8 };
    switch (r->op) {
    case R_BSWAP64: tcg_gen_bswap64_i64(d, a); break;
    case R_EXT32S: tcg_gen_ext32s_i64(d, a); break;
    case R_EXT32U: tcg_gen_ext32u_i64(d, a); break;
    case R_EXTU: tcg_gen_extu_i32_i64(d, var32(r->a, r->ca)); break;
    case R_EXTS: tcg_gen_ext_i32_i64(d, var32(r->a, r->ca)); break;
    case R_CONCAT: tcg_gen_concat_i32_i64(d, var32(r->a, r->ca), var32(r->b, r->cb)); break;
    case R_HCALL_RW: tcg_gen_call2(&info_rw, tcg_ref(d), tcg_env, a); break;
    case R_HCALL_RO: tcg_gen_call2(&info_ro, tcg_ref(d), tcg_env, a); break;
    case R_HCALL_PURE: tcg_gen_call2(&info_pure, tcg_ref(d), a, var64(r->b, r->cb)); break;
    case R_LDH: {
        unsigned k = r->mop % 7;
        intptr_t o = offsetof(TEnv, scratch) + ldh_ofs(r, sizes[k]);
        switch (k) {
        case 0: tcg_gen_ld8u_i64(d, tcg_env, o); break;
        case 1: tcg_gen_ld8s_i64(d, tcg_env, o); break;
        case 2: tcg_gen_ld16u_i64(d, tcg_env, o); break;
        case 3: tcg_gen_ld16s_i64(d, tcg_env, o); break;
        case 4: tcg_gen_ld32u_i64(d, tcg_env, o); break;
        case 5: tcg_gen_ld32s_i64(d, tcg_env, o); break;
        default: tcg_gen_ld_i64(d, tcg_env, o); break;
        }
        break;
    }
    case R_STH: {
        unsigned size = 1u << (r->mop & 3);
        intptr_t o = offsetof(TEnv, scratch) + ldh_ofs(r, size);
        switch (size) {
        case 1: tcg_gen_st8_i64(a, tcg_env, o); break;
        case 2: tcg_gen_st16_i64(a, tcg_env, o); break;
        case 4: tcg_gen_st32_i64(a, tcg_env, o); break;
        default: tcg_gen_st_i64(a, tcg_env, o); break;
        }
        break;
    }
    default: abort();
    }
}

static void emit_i32_more(const RInsn *r, TCGv_i32 d, TCGv_i32 a)
{
    static const unsigned sizes[] = { 1, 1, 2, 2, 4 };
    switch (r->op) {
    case R_EXTRL: tcg_gen_extrl_i64_i32(d, var64(r->a, r->ca)); break;
    case R_EXTRH: tcg_gen_extrh_i64_i32(d, var64(r->a, r->ca)); break;
    case R_LDH: {
        unsigned k = r->mop % 5;
        intptr_t o = offsetof(TEnv, scratch) + ldh_ofs(r, sizes[k]);
        switch (k) {
        case 0: tcg_gen_ld8u_i32(d, tcg_env, o); break;
        case 1: tcg_gen_ld8s_i32(d, tcg_env, o); break;
        case 2: tcg_gen_ld16u_i32(d, tcg_env, o); break;
        case 3: tcg_gen_ld16s_i32(d, tcg_env, o); break;
        default: tcg_gen_ld_i32(d, tcg_env, o); break;
        }
        break;
    }
    case R_STH: {
        unsigned size = 1u << (r->mop & 3);
        if (size == 8)
            size = 4;
        intptr_t o = offsetof(TEnv, scratch) + ldh_ofs(r, size);
        switch (size) {
        case 1: tcg_gen_st8_i32(a, tcg_env, o); break;
        case 2: tcg_gen_st16_i32(a, tcg_env, o); break;
        default: tcg_gen_st_i32(a, tcg_env, o); break;
        }
        break;
    }
    default: abort();
    }
}

EMIT_BODY(i64, var64, TCGv_i64)
EMIT_BODY(i32, var32, TCGv_i32)

typedef struct Prog {
    RInsn *insn;
    int n;
} Prog;

static void emit_prog(void *opaque)
{
    Prog *p = opaque;
    TCGLabel *lab[256 + 8] = { NULL };   /* label before insn i, made on demand */
    for (int i = 0; i < 2; i++) {
        tmp64[i] = tcg_temp_new_i64();
        tcg_gen_mov_i64(tmp64[i], t_r[i]);
    }
    for (int i = 0; i < 4; i++) {
        tmp32[i] = tcg_temp_new_i32();
        tcg_gen_mov_i32(tmp32[i], t_w[i]);
    }
    for (int i = 0; i < p->n; i++) {
        if (lab[i])
            gen_set_label(lab[i]);
        const RInsn *r = &p->insn[i];
        int t = i + 1 + (r->op == R_BRCOND ? (r->skip ? r->skip : 1) : 0);
        if (t > p->n)
            t = p->n;
        if (r->ty)
            emit_i64(r, &lab[t]);
        else
            emit_i32(r, &lab[t]);
    }
    if (lab[p->n])
        gen_set_label(lab[p->n]);
    /* Make the temps observable through fields the program never touches. */
    tcg_gen_mov_i64(t_r[6], tmp64[0]);
    tcg_gen_mov_i64(t_r[7], tmp64[1]);
    tcg_gen_extu_i32_i64(tmp64[0], tmp32[0]);
    tcg_gen_extu_i32_i64(tmp64[1], tmp32[1]);
    tcg_gen_shli_i64(tmp64[1], tmp64[1], 32);
    tcg_gen_or_i64(t_pc, tmp64[0], tmp64[1]);
    tcg_gen_rotli_i32(tmp32[2], tmp32[2], 13);
    tcg_gen_xor_i32(tmp32[2], tmp32[2], tmp32[3]);
    tcg_gen_st_i32(tmp32[2], tcg_env, offsetof(TEnv, pad));
}

static uint8_t ref_ram[sizeof(tram)];

/* Runs n insns from the current tenv/tram on the reference and on tb (a block
 * translated from the same insns), and compares everything observable. */
static void check_prog(const char *what, unsigned block, RInsn *insn, int n, TranslationBlock *tb)
{
    RState s;
    tenv.exit_req = 0;
    memcpy(s.v64, tenv.r, sizeof(tenv.r[0]) * 6);
    s.v64[6] = tenv.r[0];
    s.v64[7] = tenv.r[1];
    memcpy(s.v32, tenv.w, sizeof(tenv.w));
    memcpy(s.v32 + 4, tenv.w, sizeof(tenv.w));
    memcpy(s.scratch, tenv.scratch, 64);
    memcpy(ref_ram, tram, sizeof(tram));
    for (int i = 0; i < n; i++)
        i += ref_exec(&s, ref_ram, &insn[i]);

    uintptr_t ret = t_run(tb);
    cr_assert_eq(ret, TB_EXIT_NOCHAIN);
    const char *be = tcg_backend_name();
    for (int i = 0; i < 6; i++)
        cr_assert_eq(tenv.r[i], s.v64[i], "%s, %s, block %u (op %d): r%d = %#" PRIx64 ", want %#" PRIx64,
                     be, what, block, insn[0].op, i, tenv.r[i], s.v64[i]);
    cr_assert_eq(tenv.r[6], s.v64[6], "%s, %s, block %u (op %d): temp64 0", be, what, block, insn[0].op);
    cr_assert_eq(tenv.r[7], s.v64[7], "%s, %s, block %u (op %d): temp64 1", be, what, block, insn[0].op);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(tenv.w[i], s.v32[i], "%s, %s, block %u (op %d): w%d = %#x, want %#x",
                     be, what, block, insn[0].op, i, tenv.w[i], s.v32[i]);
    cr_assert_eq(tenv.pc, (uint64_t)s.v32[4] | (uint64_t)s.v32[5] << 32,
                 "%s, %s, block %u (op %d): temp32 0/1", be, what, block, insn[0].op);
    cr_assert_eq(tenv.pad, (s.v32[6] << 13 | s.v32[6] >> 19) ^ s.v32[7],
                 "%s, %s, block %u (op %d): temp32 2/3", be, what, block, insn[0].op);
    cr_assert(memcmp(tenv.scratch, s.scratch, 64) == 0, "%s, %s, block %u: host memory", be, what, block);
    cr_assert(memcmp(tram, ref_ram, sizeof(tram)) == 0, "%s, %s, block %u: guest memory", be, what, block);
}

/* Runs `count` random ops in blocks of up to 24 on the current back end. */
static uint64_t run_random(uint64_t seed, uint64_t count)
{
    RInsn insn[256];
    uint64_t done = 0;
    unsigned block = 0;
    /* TCG_RANDOM_LEN=N: blocks of up to N ops (at most 256). */
    const char *len_env = getenv("TCG_RANDOM_LEN");
    unsigned maxlen = len_env ? (unsigned)strtoul(len_env, NULL, 0) : 0;
    if (maxlen > 256)
        maxlen = 256;
    rng_state = seed;
    for (size_t i = 0; i < sizeof(tram); i++)
        tram[i] = (uint8_t)rnd();
    while (done < count) {
        /* Mostly short blocks; every fourth one long enough to need more than
         * 128 temps and to spill (unless TCG_RANDOM_LEN fixes the maximum). */
        int n = 1 + rnd() % (maxlen ? maxlen : block % 4 == 3 ? 200 : 24);
        for (int i = 0; i < n; i++)
            gen_insn(&insn[i], true);
        for (int i = 0; i < T_NR; i++)
            tenv.r[i] = rnd_value();
        for (int i = 0; i < T_NW; i++)
            tenv.w[i] = (uint32_t)rnd_value();
        for (int i = 0; i < 64; i++)
            tenv.scratch[i] = (uint8_t)rnd();
        /* TCG_DEBUG_BLOCK=N dumps the IR of random block N to stderr;
         * TCG_DEBUG_TRUNC=K also cuts that block to its first K ops. */
        const char *dbg = getenv("TCG_DEBUG_BLOCK"), *trunc = getenv("TCG_DEBUG_TRUNC");
        if (dbg && strtoul(dbg, NULL, 0) == block) {
            log_mask = LOG_OP_OPT | LOG_OUT_ASM;
            if (trunc && (int)strtoul(trunc, NULL, 0) < n)
                n = (int)strtoul(trunc, NULL, 0);
        }
        Prog p = { insn, n };
        TranslationBlock *tb = t_gen(0x1000 + block * 4, emit_prog, &p);
        log_mask = 0;
        check_prog("random", block, insn, n, tb);
        done += n;
        block++;
    }
    return done;
}

/* Parameter variants of an op for the edge test: conditions, field positions, sizes. */
static int nparams(int op)
{
    switch (op) {
    case R_SETCOND: case R_SETCONDI: case R_NEGSETCOND: case R_MOVCOND: case R_BRCOND:
        return ARRAY_SIZE(conds);
    case R_DEPOSIT: case R_EXTRACT: case R_SEXTRACT:
        return 6;
    case R_LDH: case R_STH: case R_GLD: case R_GST:
        return 7;
    default:
        return 1;
    }
}

static void set_param(RInsn *r, int p)
{
    static const uint8_t fields[6][2] = { { 0, 1 }, { 0, 8 }, { 8, 8 }, { 0, 32 }, { 31, 1 }, { 3, 17 } };
    unsigned w = r->ty ? 64 : 32;
    r->cond = conds[p % ARRAY_SIZE(conds)];
    r->ofs = fields[p % 6][0];
    r->len = fields[p % 6][1];
    if (p % 6 == 3)
        r->len = w;
    if (p % 6 == 4)
        r->ofs = w - 1;
    r->mop = p % 7 == 6 ? MO_64 : p % 7;
    if (!r->ty && (r->mop & 3) == 3)
        r->mop = MO_32;
}

/* Every op, both widths, every pair of edge operands: registers, then with
 * the second operand a constant (the immediate forms and folding paths). */
static uint64_t run_edges(void)
{
    uint64_t checks = 0;
    unsigned block = 0;
    const unsigned ne = ARRAY_SIZE(edge64);
    rng_state = 42;
    for (size_t i = 0; i < sizeof(tram); i++)
        tram[i] = (uint8_t)rnd();
    for (int op = 0; op < R_NB; op++) {
        for (int ty = 0; ty < 2; ty++) {
            if (op >= R_BSWAP64 && op <= R_EXT32U && !ty)
                continue;
            if ((op == R_EXTU || op == R_EXTS || op == R_CONCAT || op >= R_HCALL_RW) && !ty)
                continue;
            if ((op == R_EXTRL || op == R_EXTRH) && ty)
                continue;
            for (int p = 0; p < nparams(op); p++) {
                for (int cmode = 0; cmode < 2; cmode++) {
                    TranslationBlock *tb = NULL;
                    bool imm_op = op == R_MOVI || op == R_ADDI || op == R_SUBI || op == R_SUBFI ||
                                  op == R_ANDI || op == R_ORI || op == R_XORI || op == R_SHLI ||
                                  op == R_SHRI || op == R_SARI || op == R_ROTLI || op == R_ROTRI ||
                                  op == R_MULI || op == R_SETCONDI || op == R_LDH || op == R_STH;
                    for (unsigned j = 0; j < ne; j++) {
                        RInsn r = { .op = op, .ty = ty, .d = 4, .d2 = 5, .a = 0, .b = 1, .c = 2, .e = 3 };
                        set_param(&r, p);
                        r.imm = (int64_t)edge64[j];
                        if (cmode) {
                            r.b = CONST_OPND;
                            r.cb = (int64_t)edge64[j];
                        }
                        RInsn prog[2] = { r, { .op = R_MOVI, .ty = 1, .d = 5, .imm = 77 } };
                        int n = op == R_BRCOND ? 2 : 1;
                        Prog pg = { prog, n };
                        /* The register form does not depend on j: translate it once. */
                        if (!tb || cmode || imm_op) {
                            tb = t_gen(0x1000 + block * 4, emit_prog, &pg);
                            block++;
                        }
                        for (unsigned i = 0; i < ne; i++) {
                            tenv.r[0] = tenv.w[0] = edge64[i];
                            tenv.r[1] = tenv.w[1] = edge64[j];
                            tenv.r[2] = tenv.w[2] = edge64[(i * 7 + j) % ne];
                            tenv.r[3] = tenv.w[3] = edge64[(i + j * 3) % ne];
                            tenv.r[4] = tenv.r[5] = 0x5a5a5a5a5a5a5a5aull;
                            for (int k = 0; k < 64; k++)
                                tenv.scratch[k] = (uint8_t)(i * 64 + k);
                            check_prog(cmode ? "edge, constant operand" : "edge", block, prog, n, tb);
                            checks++;
                        }
                    }
                }
            }
        }
    }
    return checks;
}

Test(tcg_ops, every_op_over_edge_operands, .timeout = 600)
{
    uint64_t total = 0;
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        total += run_edges();
    }
    cr_log_info("tcg_ops: %" PRIu64 " edge-operand checks", total);
    cr_assert_gt(total, 10000);
}

static uint64_t random_count(void)
{
    const char *e = getenv("TCG_RANDOM_OPS");
    return e ? strtoull(e, NULL, 0) : 100000;
}

Test(tcg_random, ops_match_reference_on_every_backend, .timeout = 600)
{
    uint64_t total = 0, count = random_count();
    /* The native back end checks its register-allocator invariants after every op. */
    setenv("VIREO_TCG_CHECK_REGALLOC", "1", 1);
    /* TCG_RANDOM_SEED=N picks another (reproducible) sequence. */
    const char *seed_env = getenv("TCG_RANDOM_SEED");
    uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed0001;
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        total += run_random(seed | 1, count);
    }
    cr_log_info("tcg_random: %" PRIu64 " random op instances checked on %d back end(s)",
                total, t_nb_backends());
    if (getenv("TCG_RANDOM_OPS"))
        fprintf(stderr, "tcg_random: %" PRIu64 " random op instances checked on %d back end(s)\n",
                total, t_nb_backends());
    cr_assert_geq(total, count * t_nb_backends());
}

/* ---------------------------------------------------------------- register pressure */

#define NLIVE 40

static void emit_pressure(void *opaque)
{
    TCGv_i64 t[NLIVE];
    TCGv_i64 a = tcg_temp_new_i64(), v = tcg_temp_new_i64();
    for (int i = 0; i < NLIVE; i++) {
        t[i] = tcg_temp_new_i64();
        tcg_gen_muli_i64(t[i], t_r[i % 6], i + 1);
        tcg_gen_addi_i64(t[i], t[i], i);
        if (i == NLIVE / 3) {
            tcg_gen_call2(&info_pure, tcg_ref(t_r[4]), t[i], t[0]);
            tcg_gen_call2(&info_rw, tcg_ref(t_r[3]), tcg_env, t[1]);
        }
        if (i == NLIVE / 2) {
            tcg_gen_andi_i64(a, t[i], 0xff8);
            tcg_gen_addi_i64(a, a, T_RAM_BASE);
            tcg_gen_guest_ld_i64(v, a, 0, MO_UQ);
            tcg_gen_add_i64(t_r[2], t_r[2], v);
        }
    }
    tcg_gen_movi_i64(t_r[6], 0);
    for (int i = NLIVE - 1; i >= 0; i--) {
        tcg_gen_rotli_i64(t_r[6], t_r[6], 5);
        tcg_gen_xor_i64(t_r[6], t_r[6], t[i]);
    }
}

Test(tcg_ops, register_pressure_spills_correctly)
{
    for (int b = 0; b < t_nb_backends(); b++) {
        t_setup(t_backend(b));
        for (int round = 0; round < 20; round++) {
            uint64_t r[8], t[NLIVE];
            for (int i = 0; i < 8; i++)
                r[i] = tenv.r[i] = edge64[(i * 5 + round) % ARRAY_SIZE(edge64)] ^ (uint64_t)round << 40;
            for (int i = 0; i < NLIVE; i++) {
                t[i] = r[i % 6] * (uint64_t)(i + 1) + (uint64_t)i;
                if (i == NLIVE / 3) {
                    r[4] = t[i] * 31 + t[0];
                    uint64_t x = t[1] + r[0] * 3;
                    r[5] ^= t[1];
                    r[3] = x;
                }
                if (i == NLIVE / 2)
                    r[2] += t_ram_ld(T_RAM_BASE + (t[i] & 0xff8), 8);
            }
            uint64_t acc = 0;
            for (int i = NLIVE - 1; i >= 0; i--)
                acc = (acc << 5 | acc >> 59) ^ t[i];
            TranslationBlock *tb = t_gen(0x9000 + round * 4, emit_pressure, NULL);
            t_run(tb);
            for (int i = 0; i < 6; i++)
                cr_assert_eq(tenv.r[i], r[i], "%s round %d: r%d", tcg_backend_name(), round, i);
            cr_assert_eq(tenv.r[6], acc, "%s round %d: accumulated temps", tcg_backend_name(), round);
        }
    }
}
