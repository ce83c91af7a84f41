/* tcg-op.c: the IR builder; simplifies as it emits so front ends can stay naive. */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg-internal.h"

/* Everything below works on (type, temp index); the typed public wrappers are
 * generated at the end of the file for i32 and i64. */

static int width(TCGType t) { return t == TCG_TYPE_I32 ? 32 : 64; }

static int cst(TCGType t, int64_t v)
{
    return t == TCG_TYPE_I32 ? tcg_constant_i32((int32_t)v).n : tcg_constant_i64(v).n;
}

static int tmp(TCGType t)
{
    return t == TCG_TYPE_I32 ? tcg_temp_new_i32().n : tcg_temp_new_i64().n;
}

static void tmp_free(int n)
{
    tcg_temp_free_i64((TCGv_i64){ n });   /* type-independent */
}

static void op1(TCGOpcode opc, TCGType type, int r, int a)
{
    TCGOp *op = tcg_emit_op(opc, type);
    op->args[0] = r;
    op->args[1] = a;
}

static void op2(TCGOpcode opc, TCGType type, int r, int a, int b)
{
    TCGOp *op = tcg_emit_op(opc, type);
    op->args[0] = r;
    op->args[1] = a;
    op->args[2] = b;
}

static void g_mov(TCGType t, int r, int a)
{
    if (r != a)
        op1(INDEX_op_mov, t, r, a);
}

static void g_movi(TCGType t, int r, int64_t v) { g_mov(t, r, cst(t, v)); }

static void g_ext32u(int r, int a) { op1(INDEX_op_ext32u, TCG_TYPE_I64, r, a); }

static void g_andi(TCGType t, int r, int a, int64_t v)
{
    uint64_t u = tcg_trunc(t, v);
    if (u == 0)
        g_movi(t, r, 0);
    else if (u == tcg_trunc(t, -1))
        g_mov(t, r, a);
    else if (u == 0xff)
        op1(INDEX_op_ext8u, t, r, a);
    else if (u == 0xffff)
        op1(INDEX_op_ext16u, t, r, a);
    else if (t == TCG_TYPE_I64 && u == 0xffffffffu)
        g_ext32u(r, a);
    else
        op2(INDEX_op_and, t, r, a, cst(t, v));
}

static void g_ori(TCGType t, int r, int a, int64_t v)
{
    uint64_t u = tcg_trunc(t, v);
    if (u == 0)
        g_mov(t, r, a);
    else if (u == tcg_trunc(t, -1))
        g_movi(t, r, -1);
    else
        op2(INDEX_op_or, t, r, a, cst(t, v));
}

static void g_xori(TCGType t, int r, int a, int64_t v)
{
    uint64_t u = tcg_trunc(t, v);
    if (u == 0)
        g_mov(t, r, a);
    else if (u == tcg_trunc(t, -1))
        op1(INDEX_op_not, t, r, a);
    else
        op2(INDEX_op_xor, t, r, a, cst(t, v));
}

static void g_addi(TCGType t, int r, int a, int64_t v)
{
    if (tcg_trunc(t, v) == 0)
        g_mov(t, r, a);
    else
        op2(INDEX_op_add, t, r, a, cst(t, v));
}

static void g_shifti(TCGOpcode opc, TCGType t, int r, int a, int64_t v)
{
    v &= width(t) - 1;
    if (v == 0)
        g_mov(t, r, a);
    else
        op2(opc, t, r, a, cst(t, v));
}

static void g_muli(TCGType t, int r, int a, int64_t v)
{
    uint64_t u = tcg_trunc(t, v);
    if (u == 0)
        g_movi(t, r, 0);
    else if (u == 1)
        g_mov(t, r, a);
    else if ((u & (u - 1)) == 0)
        g_shifti(INDEX_op_shl, t, r, a, __builtin_ctzll(u));
    else
        op2(INDEX_op_mul, t, r, a, cst(t, v));
}

static void g_call(const TCGHelperInfo *info, int r, unsigned n, const int *args)
{
    TCGOp *op = tcg_emit_op(INDEX_op_call, TCG_TYPE_I64);
    unsigned k = 0;
    if (n != info->nargs || n > 6)
        fatal("tcg: helper %s called with %u arguments, declared %u", info->name, n, info->nargs);
    op->nout = r >= 0;
    if (r >= 0)
        op->args[k++] = r;
    op->nin = n;
    for (unsigned i = 0; i < n; i++)
        op->args[k++] = args[i];
    op->args[k] = (uintptr_t)info;
}

void tcg_gen_callN(const TCGHelperInfo *info, TCGTempRef ret, unsigned nargs, const TCGTempRef *args)
{
    int a[6];
    if (nargs > 6)
        fatal("tcg: helper %s: more than 6 arguments", info->name);
    /* After an overflow every new temp is one shared sink of either type and the block will be
     * thrown away and retranslated smaller: the type checks (front-end bugs) would misfire. */
    bool check = !tcg_ctx->overflow;
    for (unsigned i = 0; i < nargs; i++) {
        a[i] = args[i].n;
        if (check && tcg_ctx->temps[a[i]].type != (info->args[i] == TCG_TYPE_I32 ? TCG_TYPE_I32 : TCG_TYPE_I64))
            fatal("tcg: helper %s: argument %u has the wrong type", info->name, i);
    }
    if ((ret.n < 0) != (info->ret == TCG_TYPE_VOID))
        fatal("tcg: helper %s: return value mismatch", info->name);
    if (check && ret.n >= 0 && tcg_ctx->temps[ret.n].type != (info->ret == TCG_TYPE_I32 ? TCG_TYPE_I32 : TCG_TYPE_I64))
        fatal("tcg: helper %s: return value has the wrong type", info->name);
    g_call(info, ret.n, nargs, a);
}

static void g_call2(const TCGHelperInfo *info, int r, int a, int b)
{
    int args[2] = { a, b };
    g_call(info, r, 2, args);
}

static void g_extract(TCGType t, int r, int a, unsigned ofs, unsigned len)
{
    unsigned w = width(t);
    if (len == 0 || ofs + len > w)
        fatal("tcg: extract: field %u+%u does not fit %u bits", ofs, len, w);
    if (ofs + len == w) {
        g_shifti(INDEX_op_shr, t, r, a, ofs);
    } else if (ofs == 0) {
        g_andi(t, r, a, len == 64 ? -1 : (int64_t)((1ull << len) - 1));
    } else {
        int x = tmp(t);
        g_shifti(INDEX_op_shr, t, x, a, ofs);
        g_andi(t, r, x, (int64_t)((1ull << len) - 1));
        tmp_free(x);
    }
}

static void g_sextract(TCGType t, int r, int a, unsigned ofs, unsigned len)
{
    unsigned w = width(t);
    if (len == 0 || ofs + len > w)
        fatal("tcg: sextract: field %u+%u does not fit %u bits", ofs, len, w);
    if (ofs == 0 && len == 8) {
        op1(INDEX_op_ext8s, t, r, a);
    } else if (ofs == 0 && len == 16) {
        op1(INDEX_op_ext16s, t, r, a);
    } else if (ofs == 0 && len == 32 && t == TCG_TYPE_I64) {
        op1(INDEX_op_ext32s, t, r, a);
    } else if (ofs + len == w) {
        g_shifti(INDEX_op_sar, t, r, a, ofs);
    } else {
        int x = tmp(t);
        g_shifti(INDEX_op_shl, t, x, a, w - ofs - len);
        g_shifti(INDEX_op_sar, t, r, x, w - len);
        tmp_free(x);
    }
}

static void g_deposit(TCGType t, int r, int a, int b, unsigned ofs, unsigned len)
{
    unsigned w = width(t);
    if (len == 0 || ofs + len > w)
        fatal("tcg: deposit: field %u+%u does not fit %u bits", ofs, len, w);
    if (len == w) {
        g_mov(t, r, b);
        return;
    }
    uint64_t mask = (1ull << len) - 1;
    int x = tmp(t), y = tmp(t);
    if (ofs + len == w) {
        g_shifti(INDEX_op_shl, t, x, b, ofs);
    } else {
        g_andi(t, x, b, (int64_t)mask);
        g_shifti(INDEX_op_shl, t, x, x, ofs);
    }
    g_andi(t, y, a, (int64_t)~(mask << ofs));
    op2(INDEX_op_or, t, r, y, x);
    tmp_free(x);
    tmp_free(y);
}

static void g_setcond(TCGOpcode opc, TCGCond c, TCGType t, int r, int a, int b)
{
    if (c == TCG_COND_ALWAYS || c == TCG_COND_NEVER) {
        int64_t v = c == TCG_COND_ALWAYS;
        g_movi(t, r, opc == INDEX_op_negsetcond ? -v : v);
        return;
    }
    TCGOp *op = tcg_emit_op(opc, t);
    op->args[0] = r;
    op->args[1] = a;
    op->args[2] = b;
    op->args[3] = c;
}

static void g_movcond(TCGCond c, TCGType t, int r, int c1, int c2, int v1, int v2)
{
    if (c == TCG_COND_ALWAYS || v1 == v2) {
        g_mov(t, r, v1);
        return;
    }
    if (c == TCG_COND_NEVER) {
        g_mov(t, r, v2);
        return;
    }
    TCGOp *op = tcg_emit_op(INDEX_op_movcond, t);
    op->args[0] = r;
    op->args[1] = c1;
    op->args[2] = c2;
    op->args[3] = v1;
    op->args[4] = v2;
    op->args[5] = c;
}

static void g_brcond(TCGCond c, TCGType t, int a, int b, TCGLabel *l)
{
    if (c == TCG_COND_NEVER)
        return;
    if (c == TCG_COND_ALWAYS) {
        tcg_gen_br(l);
        return;
    }
    TCGOp *op = tcg_emit_op(INDEX_op_brcond, t);
    op->args[0] = a;
    op->args[1] = b;
    op->args[2] = c;
    op->args[3] = l->id;
}

static void g_ldst(TCGOpcode opc, TCGType t, int v, int base, intptr_t ofs)
{
    TCGOp *op = tcg_emit_op(opc, t);
    op->args[0] = v;
    op->args[1] = base;
    op->args[2] = (TCGArg)ofs;
}

static void g_guest(TCGOpcode opc, TCGType t, int v, int addr, unsigned mmu, MemOp mop)
{
    if (!tcg_have_tlb)
        fatal("tcg: guest memory access emitted but the driver registered no soft TLB");
    if (mmu >= tcg_tlb.nb_mmu_idx)
        fatal("tcg: MMU index %u out of range (%u)", mmu, tcg_tlb.nb_mmu_idx);
    if (t == TCG_TYPE_I32 && (mop & MO_SIZE) == MO_64)
        fatal("tcg: 64-bit guest access into an i32");
    if ((mop & MO_SIZE) == (t == TCG_TYPE_I32 ? MO_32 : MO_64))
        mop &= ~MO_SIGN;
    TCGOp *op = tcg_emit_op(opc, t);
    op->args[0] = v;
    op->args[1] = addr;
    op->args[2] = TCG_OI(mop, mmu);
}

static void g_bswap(TCGOpcode opc, TCGType t, int r, int a) { op1(opc, t, r, a); }

/* ---------------------------------------------------------------- public wrappers */

#define DEFINE_OPS(W, T, I, TY) \
void tcg_gen_mov_##W(T r, T a) { g_mov(TY, r.n, a.n); } \
void tcg_gen_movi_##W(T r, I v) { g_movi(TY, r.n, v); } \
void tcg_gen_add_##W(T r, T a, T b) { op2(INDEX_op_add, TY, r.n, a.n, b.n); } \
void tcg_gen_addi_##W(T r, T a, I b) { g_addi(TY, r.n, a.n, b); } \
void tcg_gen_sub_##W(T r, T a, T b) \
{ \
    if (a.n == b.n) \
        g_movi(TY, r.n, 0); \
    else \
        op2(INDEX_op_sub, TY, r.n, a.n, b.n); \
} \
void tcg_gen_subi_##W(T r, T a, I b) { g_addi(TY, r.n, a.n, (I)(0 - (uint64_t)b)); } \
void tcg_gen_subfi_##W(T r, I a, T b) \
{ \
    if (a == 0) \
        op1(INDEX_op_neg, TY, r.n, b.n); \
    else \
        op2(INDEX_op_sub, TY, r.n, cst(TY, a), b.n); \
} \
void tcg_gen_neg_##W(T r, T a) { op1(INDEX_op_neg, TY, r.n, a.n); } \
void tcg_gen_and_##W(T r, T a, T b) \
{ \
    if (a.n == b.n) \
        g_mov(TY, r.n, a.n); \
    else \
        op2(INDEX_op_and, TY, r.n, a.n, b.n); \
} \
void tcg_gen_andi_##W(T r, T a, I b) { g_andi(TY, r.n, a.n, b); } \
void tcg_gen_or_##W(T r, T a, T b) \
{ \
    if (a.n == b.n) \
        g_mov(TY, r.n, a.n); \
    else \
        op2(INDEX_op_or, TY, r.n, a.n, b.n); \
} \
void tcg_gen_ori_##W(T r, T a, I b) { g_ori(TY, r.n, a.n, b); } \
void tcg_gen_xor_##W(T r, T a, T b) \
{ \
    if (a.n == b.n) \
        g_movi(TY, r.n, 0); \
    else \
        op2(INDEX_op_xor, TY, r.n, a.n, b.n); \
} \
void tcg_gen_xori_##W(T r, T a, I b) { g_xori(TY, r.n, a.n, b); } \
void tcg_gen_not_##W(T r, T a) { op1(INDEX_op_not, TY, r.n, a.n); } \
void tcg_gen_andc_##W(T r, T a, T b) \
{ \
    if (a.n == b.n) { \
        g_movi(TY, r.n, 0); \
        return; \
    } \
    int x = tmp(TY); \
    op1(INDEX_op_not, TY, x, b.n); \
    op2(INDEX_op_and, TY, r.n, a.n, x); \
    tmp_free(x); \
} \
void tcg_gen_orc_##W(T r, T a, T b) \
{ \
    if (a.n == b.n) { \
        g_movi(TY, r.n, -1); \
        return; \
    } \
    int x = tmp(TY); \
    op1(INDEX_op_not, TY, x, b.n); \
    op2(INDEX_op_or, TY, r.n, a.n, x); \
    tmp_free(x); \
} \
void tcg_gen_eqv_##W(T r, T a, T b) \
{ \
    op2(INDEX_op_xor, TY, r.n, a.n, b.n); \
    op1(INDEX_op_not, TY, r.n, r.n); \
} \
void tcg_gen_nand_##W(T r, T a, T b) \
{ \
    op2(INDEX_op_and, TY, r.n, a.n, b.n); \
    op1(INDEX_op_not, TY, r.n, r.n); \
} \
void tcg_gen_nor_##W(T r, T a, T b) \
{ \
    op2(INDEX_op_or, TY, r.n, a.n, b.n); \
    op1(INDEX_op_not, TY, r.n, r.n); \
} \
void tcg_gen_shl_##W(T r, T a, T b) { op2(INDEX_op_shl, TY, r.n, a.n, b.n); } \
void tcg_gen_shli_##W(T r, T a, I b) { g_shifti(INDEX_op_shl, TY, r.n, a.n, b); } \
void tcg_gen_shr_##W(T r, T a, T b) { op2(INDEX_op_shr, TY, r.n, a.n, b.n); } \
void tcg_gen_shri_##W(T r, T a, I b) { g_shifti(INDEX_op_shr, TY, r.n, a.n, b); } \
void tcg_gen_sar_##W(T r, T a, T b) { op2(INDEX_op_sar, TY, r.n, a.n, b.n); } \
void tcg_gen_sari_##W(T r, T a, I b) { g_shifti(INDEX_op_sar, TY, r.n, a.n, b); } \
void tcg_gen_rotl_##W(T r, T a, T b) { op2(INDEX_op_rotl, TY, r.n, a.n, b.n); } \
void tcg_gen_rotli_##W(T r, T a, I b) { g_shifti(INDEX_op_rotl, TY, r.n, a.n, b); } \
void tcg_gen_rotr_##W(T r, T a, T b) { op2(INDEX_op_rotr, TY, r.n, a.n, b.n); } \
void tcg_gen_rotri_##W(T r, T a, I b) { g_shifti(INDEX_op_rotr, TY, r.n, a.n, b); } \
void tcg_gen_mul_##W(T r, T a, T b) { op2(INDEX_op_mul, TY, r.n, a.n, b.n); } \
void tcg_gen_muli_##W(T r, T a, I b) { g_muli(TY, r.n, a.n, b); } \
void tcg_gen_mulsh_##W(T r, T a, T b) { op2(INDEX_op_mulsh, TY, r.n, a.n, b.n); } \
void tcg_gen_muluh_##W(T r, T a, T b) { op2(INDEX_op_muluh, TY, r.n, a.n, b.n); } \
void tcg_gen_muls2_##W(T lo, T hi, T a, T b) \
{ \
    int x = tmp(TY); \
    op2(INDEX_op_mul, TY, x, a.n, b.n); \
    op2(INDEX_op_mulsh, TY, hi.n, a.n, b.n); \
    g_mov(TY, lo.n, x); \
    tmp_free(x); \
} \
void tcg_gen_mulu2_##W(T lo, T hi, T a, T b) \
{ \
    int x = tmp(TY); \
    op2(INDEX_op_mul, TY, x, a.n, b.n); \
    op2(INDEX_op_muluh, TY, hi.n, a.n, b.n); \
    g_mov(TY, lo.n, x); \
    tmp_free(x); \
} \
void tcg_gen_div_##W(T r, T a, T b) { g_call2(&tcg_helper_div_##W, r.n, a.n, b.n); } \
void tcg_gen_rem_##W(T r, T a, T b) { g_call2(&tcg_helper_rem_##W, r.n, a.n, b.n); } \
void tcg_gen_divu_##W(T r, T a, T b) { g_call2(&tcg_helper_divu_##W, r.n, a.n, b.n); } \
void tcg_gen_remu_##W(T r, T a, T b) { g_call2(&tcg_helper_remu_##W, r.n, a.n, b.n); } \
void tcg_gen_ext8s_##W(T r, T a) { op1(INDEX_op_ext8s, TY, r.n, a.n); } \
void tcg_gen_ext8u_##W(T r, T a) { op1(INDEX_op_ext8u, TY, r.n, a.n); } \
void tcg_gen_ext16s_##W(T r, T a) { op1(INDEX_op_ext16s, TY, r.n, a.n); } \
void tcg_gen_ext16u_##W(T r, T a) { op1(INDEX_op_ext16u, TY, r.n, a.n); } \
void tcg_gen_deposit_##W(T r, T a, T b, unsigned ofs, unsigned len) \
{ g_deposit(TY, r.n, a.n, b.n, ofs, len); } \
void tcg_gen_extract_##W(T r, T a, unsigned ofs, unsigned len) \
{ g_extract(TY, r.n, a.n, ofs, len); } \
void tcg_gen_sextract_##W(T r, T a, unsigned ofs, unsigned len) \
{ g_sextract(TY, r.n, a.n, ofs, len); } \
void tcg_gen_bswap16_##W(T r, T a) { g_bswap(INDEX_op_bswap16, TY, r.n, a.n); } \
void tcg_gen_bswap32_##W(T r, T a) { g_bswap(INDEX_op_bswap32, TY, r.n, a.n); } \
void tcg_gen_clz_##W(T r, T a, T z) { g_call2(&tcg_helper_clz_##W, r.n, a.n, z.n); } \
void tcg_gen_ctz_##W(T r, T a, T z) { g_call2(&tcg_helper_ctz_##W, r.n, a.n, z.n); } \
void tcg_gen_ctpop_##W(T r, T a) \
{ \
    int args[1] = { a.n }; \
    g_call(&tcg_helper_ctpop_##W, r.n, 1, args); \
} \
void tcg_gen_setcond_##W(TCGCond c, T r, T a, T b) { g_setcond(INDEX_op_setcond, c, TY, r.n, a.n, b.n); } \
void tcg_gen_setcondi_##W(TCGCond c, T r, T a, I b) \
{ g_setcond(INDEX_op_setcond, c, TY, r.n, a.n, cst(TY, b)); } \
void tcg_gen_negsetcond_##W(TCGCond c, T r, T a, T b) \
{ g_setcond(INDEX_op_negsetcond, c, TY, r.n, a.n, b.n); } \
void tcg_gen_movcond_##W(TCGCond c, T r, T c1, T c2, T v1, T v2) \
{ g_movcond(c, TY, r.n, c1.n, c2.n, v1.n, v2.n); } \
void tcg_gen_brcond_##W(TCGCond c, T a, T b, TCGLabel *l) { g_brcond(c, TY, a.n, b.n, l); } \
void tcg_gen_brcondi_##W(TCGCond c, T a, I b, TCGLabel *l) { g_brcond(c, TY, a.n, cst(TY, b), l); } \
void tcg_gen_ld8u_##W(T r, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_ld8u, TY, r.n, b.n, o); } \
void tcg_gen_ld8s_##W(T r, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_ld8s, TY, r.n, b.n, o); } \
void tcg_gen_ld16u_##W(T r, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_ld16u, TY, r.n, b.n, o); } \
void tcg_gen_ld16s_##W(T r, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_ld16s, TY, r.n, b.n, o); } \
void tcg_gen_ld_##W(T r, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_ld, TY, r.n, b.n, o); } \
void tcg_gen_st8_##W(T v, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_st8, TY, v.n, b.n, o); } \
void tcg_gen_st16_##W(T v, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_st16, TY, v.n, b.n, o); } \
void tcg_gen_st_##W(T v, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_st, TY, v.n, b.n, o); } \
void tcg_gen_guest_ld_##W(T v, TCGv_i64 addr, unsigned mmu, MemOp mop) \
{ g_guest(INDEX_op_guest_ld, TY, v.n, addr.n, mmu, mop); } \
void tcg_gen_guest_st_##W(T v, TCGv_i64 addr, unsigned mmu, MemOp mop) \
{ g_guest(INDEX_op_guest_st, TY, v.n, addr.n, mmu, mop & MO_SIZE); }

DEFINE_OPS(i32, TCGv_i32, int32_t, TCG_TYPE_I32)
DEFINE_OPS(i64, TCGv_i64, int64_t, TCG_TYPE_I64)

void tcg_gen_bswap64_i64(TCGv_i64 r, TCGv_i64 a) { g_bswap(INDEX_op_bswap64, TCG_TYPE_I64, r.n, a.n); }
void tcg_gen_ld32u_i64(TCGv_i64 r, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_ld32u, TCG_TYPE_I64, r.n, b.n, o); }
void tcg_gen_ld32s_i64(TCGv_i64 r, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_ld32s, TCG_TYPE_I64, r.n, b.n, o); }
void tcg_gen_st32_i64(TCGv_i64 v, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_st32, TCG_TYPE_I64, v.n, b.n, o); }
void tcg_gen_ext32s_i64(TCGv_i64 r, TCGv_i64 a) { op1(INDEX_op_ext32s, TCG_TYPE_I64, r.n, a.n); }
void tcg_gen_ext32u_i64(TCGv_i64 r, TCGv_i64 a) { g_ext32u(r.n, a.n); }

static void g_discard(TCGType t, int n)
{
    TCGOp *op = tcg_emit_op(INDEX_op_discard, t);
    op->args[0] = n;
}
void tcg_gen_discard_i32(TCGv_i32 t) { g_discard(TCG_TYPE_I32, t.n); }
void tcg_gen_discard_i64(TCGv_i64 t) { g_discard(TCG_TYPE_I64, t.n); }

void tcg_gen_extu_i32_i64(TCGv_i64 r, TCGv_i32 a) { op1(INDEX_op_extu_i32_i64, TCG_TYPE_I64, r.n, a.n); }
void tcg_gen_ext_i32_i64(TCGv_i64 r, TCGv_i32 a) { op1(INDEX_op_ext_i32_i64, TCG_TYPE_I64, r.n, a.n); }
void tcg_gen_extrl_i64_i32(TCGv_i32 r, TCGv_i64 a) { op1(INDEX_op_extrl_i64_i32, TCG_TYPE_I32, r.n, a.n); }

void tcg_gen_extrh_i64_i32(TCGv_i32 r, TCGv_i64 a)
{
    TCGv_i64 x = tcg_temp_new_i64();
    tcg_gen_shri_i64(x, a, 32);
    tcg_gen_extrl_i64_i32(r, x);
    tcg_temp_free_i64(x);
}

void tcg_gen_concat_i32_i64(TCGv_i64 r, TCGv_i32 lo, TCGv_i32 hi)
{
    TCGv_i64 x = tcg_temp_new_i64(), y = tcg_temp_new_i64();
    tcg_gen_extu_i32_i64(x, lo);
    tcg_gen_extu_i32_i64(y, hi);
    tcg_gen_shli_i64(y, y, 32);
    tcg_gen_or_i64(r, x, y);
    tcg_temp_free_i64(x);
    tcg_temp_free_i64(y);
}

void tcg_gen_mov_ptr(TCGv_ptr r, TCGv_ptr a) { g_mov(TCG_TYPE_PTR, r.n, a.n); }
void tcg_gen_addi_ptr(TCGv_ptr r, TCGv_ptr a, intptr_t b) { g_addi(TCG_TYPE_PTR, r.n, a.n, b); }
void tcg_gen_add_ptr(TCGv_ptr r, TCGv_ptr a, TCGv_ptr b) { op2(INDEX_op_add, TCG_TYPE_PTR, r.n, a.n, b.n); }
void tcg_gen_ext_i32_ptr(TCGv_ptr r, TCGv_i32 a) { op1(INDEX_op_ext_i32_i64, TCG_TYPE_PTR, r.n, a.n); }
void tcg_gen_extu_i32_ptr(TCGv_ptr r, TCGv_i32 a) { op1(INDEX_op_extu_i32_i64, TCG_TYPE_PTR, r.n, a.n); }
void tcg_gen_ld_ptr(TCGv_ptr r, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_ld, TCG_TYPE_PTR, r.n, b.n, o); }
void tcg_gen_st_ptr(TCGv_ptr v, TCGv_ptr b, intptr_t o) { g_ldst(INDEX_op_st, TCG_TYPE_PTR, v.n, b.n, o); }

/* ---------------------------------------------------------------- control flow */

void gen_set_label(TCGLabel *l)
{
    if (l->present)
        fatal("tcg: label L%d set twice", l->id);
    l->present = true;
    TCGOp *op = tcg_emit_op(INDEX_op_set_label, TCG_TYPE_I64);
    op->args[0] = l->id;
}

void tcg_gen_br(TCGLabel *l)
{
    TCGOp *op = tcg_emit_op(INDEX_op_br, TCG_TYPE_I64);
    op->args[0] = l->id;
}

void tcg_gen_insn_start(uint64_t w0, uint64_t w1)
{
    TCGOp *op = tcg_emit_op(INDEX_op_insn_start, TCG_TYPE_I64);
    op->args[0] = w0;
    op->args[1] = w1;
}

void tcg_gen_exit_tb(const TranslationBlock *tb, unsigned idx)
{
    if (idx > TB_EXIT_MASK)
        fatal("tcg: exit_tb index %u out of range", idx);
    TCGOp *op = tcg_emit_op(INDEX_op_exit_tb, TCG_TYPE_I64);
    op->args[0] = (uintptr_t)tb | idx;
}

static TCGHelperInfo lookup_info = {
    .name = "lookup_tb", .flags = TCG_CALL_NO_WRITE_GLOBALS | TCG_CALL_NO_RAISE,
    .ret = TCG_TYPE_PTR, .nargs = 1, .args = { TCG_TYPE_PTR },
};

void tcg_gen_lookup_and_goto_ptr(void)
{
    if (!tcg_config.lookup_tb)
        fatal("tcg: lookup_and_goto_ptr emitted but the driver registered no lookup_tb");
    lookup_info.func = (void *)tcg_config.lookup_tb;
    TCGv_ptr p = tcg_temp_new_ptr();
    tcg_gen_call1(&lookup_info, tcg_ref(p), tcg_env);
    TCGOp *op = tcg_emit_op(INDEX_op_goto_ptr, TCG_TYPE_PTR);
    op->args[0] = p.n;
    tcg_temp_free_ptr(p);
}

void tcg_gen_goto_tb(unsigned n)
{
    if (n > 1 || (tcg_ctx->goto_tb_used & (1 << n)))
        fatal("tcg: goto_tb slot %u invalid or used twice", n);
    tcg_ctx->goto_tb_used |= 1 << n;
    TCGOp *op = tcg_emit_op(INDEX_op_goto_tb, TCG_TYPE_I64);
    op->args[0] = n;
}
