/* helpers.c: C helpers behind IR ops that the back ends do not implement inline. */
#include "util/osdep.h"
#include "tcg/tcg-internal.h"

/* Division is defined for every input (see tcg.h): no host trap is reachable. */
static uint32_t div_i32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return UINT32_MAX;
    if ((int32_t)a == INT32_MIN && (int32_t)b == -1)
        return a;
    return (uint32_t)((int32_t)a / (int32_t)b);
}
static uint32_t rem_i32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return a;
    if ((int32_t)a == INT32_MIN && (int32_t)b == -1)
        return 0;
    return (uint32_t)((int32_t)a % (int32_t)b);
}
static uint32_t divu_i32(uint32_t a, uint32_t b) { return b ? a / b : UINT32_MAX; }
static uint32_t remu_i32(uint32_t a, uint32_t b) { return b ? a % b : a; }
static uint64_t div_i64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return UINT64_MAX;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
        return a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}
static uint64_t rem_i64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
        return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}
static uint64_t divu_i64(uint64_t a, uint64_t b) { return b ? a / b : UINT64_MAX; }
static uint64_t remu_i64(uint64_t a, uint64_t b) { return b ? a % b : a; }
static uint32_t clz_i32(uint32_t a, uint32_t z) { return a ? (uint32_t)__builtin_clz(a) : z; }
static uint32_t ctz_i32(uint32_t a, uint32_t z) { return a ? (uint32_t)__builtin_ctz(a) : z; }
static uint32_t ctpop_i32(uint32_t a) { return (uint32_t)__builtin_popcount(a); }
static uint64_t clz_i64(uint64_t a, uint64_t z) { return a ? (uint64_t)__builtin_clzll(a) : z; }
static uint64_t ctz_i64(uint64_t a, uint64_t z) { return a ? (uint64_t)__builtin_ctzll(a) : z; }
static uint64_t ctpop_i64(uint64_t a) { return (uint64_t)__builtin_popcountll(a); }

#define H2(name, ty) const TCGHelperInfo tcg_helper_##name = TCG_HELPER(name, TCG_CALL_PURE, ty, ty, ty);
#define H1(name, ty) const TCGHelperInfo tcg_helper_##name = TCG_HELPER(name, TCG_CALL_PURE, ty, ty);
H2(div_i32, TCG_TYPE_I32)
H2(rem_i32, TCG_TYPE_I32)
H2(divu_i32, TCG_TYPE_I32)
H2(remu_i32, TCG_TYPE_I32)
H2(div_i64, TCG_TYPE_I64)
H2(rem_i64, TCG_TYPE_I64)
H2(divu_i64, TCG_TYPE_I64)
H2(remu_i64, TCG_TYPE_I64)
H2(clz_i32, TCG_TYPE_I32)
H2(ctz_i32, TCG_TYPE_I32)
H1(ctpop_i32, TCG_TYPE_I32)
H2(clz_i64, TCG_TYPE_I64)
H2(ctz_i64, TCG_TYPE_I64)
H1(ctpop_i64, TCG_TYPE_I64)

/* Constant evaluation, shared by the optimizer (folding) and the interpreter. */
uint64_t tcg_eval_binop(TCGOpcode opc, TCGType type, uint64_t a, uint64_t b)
{
    bool w32 = type == TCG_TYPE_I32;
    unsigned sh = (unsigned)b & (w32 ? 31 : 63);
    uint64_t r;
    switch (opc) {
    case INDEX_op_add: r = a + b; break;
    case INDEX_op_sub: r = a - b; break;
    case INDEX_op_and: r = a & b; break;
    case INDEX_op_or: r = a | b; break;
    case INDEX_op_xor: r = a ^ b; break;
    case INDEX_op_mul: r = a * b; break;
    case INDEX_op_shl: r = a << sh; break;
    case INDEX_op_shr: r = w32 ? (uint32_t)a >> sh : a >> sh; break;
    case INDEX_op_sar: r = w32 ? (uint64_t)(int64_t)((int32_t)a >> sh) : (uint64_t)((int64_t)a >> sh); break;
    case INDEX_op_rotl:
        if (w32)
            r = sh ? (uint32_t)((uint32_t)a << sh | (uint32_t)a >> (32 - sh)) : (uint32_t)a;
        else
            r = sh ? a << sh | a >> (64 - sh) : a;
        break;
    case INDEX_op_rotr:
        if (w32)
            r = sh ? (uint32_t)((uint32_t)a >> sh | (uint32_t)a << (32 - sh)) : (uint32_t)a;
        else
            r = sh ? a >> sh | a << (64 - sh) : a;
        break;
    case INDEX_op_mulsh:
        if (w32)
            r = (uint64_t)(((int64_t)(int32_t)a * (int32_t)b) >> 32);
        else
            r = (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64);
        break;
    case INDEX_op_muluh:
        if (w32)
            r = ((uint64_t)(uint32_t)a * (uint32_t)b) >> 32;
        else
            r = (uint64_t)(((unsigned __int128)a * b) >> 64);
        break;
    default:
        abort();
    }
    return tcg_trunc(type, r);
}

uint64_t tcg_eval_unop(TCGOpcode opc, TCGType type, uint64_t a)
{
    uint64_t r;
    switch (opc) {
    case INDEX_op_mov: r = a; break;
    case INDEX_op_neg: r = -a; break;
    case INDEX_op_not: r = ~a; break;
    case INDEX_op_ext8s: r = (uint64_t)(int64_t)(int8_t)a; break;
    case INDEX_op_ext8u: r = (uint8_t)a; break;
    case INDEX_op_ext16s: r = (uint64_t)(int64_t)(int16_t)a; break;
    case INDEX_op_ext16u: r = (uint16_t)a; break;
    case INDEX_op_ext32s: case INDEX_op_ext_i32_i64: r = (uint64_t)(int64_t)(int32_t)a; break;
    case INDEX_op_ext32u: case INDEX_op_extu_i32_i64: case INDEX_op_extrl_i64_i32: r = (uint32_t)a; break;
    case INDEX_op_bswap16: r = __builtin_bswap16((uint16_t)a); break;
    case INDEX_op_bswap32: r = __builtin_bswap32((uint32_t)a); break;
    case INDEX_op_bswap64: r = __builtin_bswap64(a); break;
    default:
        abort();
    }
    return tcg_trunc(type, r);
}

bool tcg_eval_cond(TCGCond c, TCGType type, uint64_t a, uint64_t b)
{
    if (type == TCG_TYPE_I32) {
        a = (uint64_t)(int64_t)(int32_t)a;   /* sign-extend so signed compares work on 64 */
        b = (uint64_t)(int64_t)(int32_t)b;
    }
    switch (c) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return (int64_t)a < (int64_t)b;
    case TCG_COND_GE: return (int64_t)a >= (int64_t)b;
    case TCG_COND_LE: return (int64_t)a <= (int64_t)b;
    case TCG_COND_GT: return (int64_t)a > (int64_t)b;
    /* Unsigned order is preserved by sign-extending both 32-bit operands. */
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    }
    return false;
}
