/* target.c: the native x86-64 back end: register allocation over a block and machine-code emission. */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg-internal.h"

/*
 * Generated code runs inside a prologue that saves the callee-saved registers,
 * keeps env in r14 and reserves a frame with one 8-byte slot per temp at
 * [rsp + 8 * index]. Blocks leave through the epilogue with the exit value in
 * rax. Register allocation is local: values stay in registers inside a basic
 * block; at block boundaries (branches, labels, exits, chaining slots) dirty
 * globals are written back to env and live temps to their slots. Helper calls
 * and guest memory accesses (whose slow path calls a helper) follow the System V
 * convention: caller-saved registers are spilled first.
 * Encodings: Intel SDM vol. 2 (opcode maps, ModR/M and SIB tables, REX prefix).
 */

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
#define R_ENV R14
#define CALL_CLOBBER ((1u << RAX) | (1u << RCX) | (1u << RDX) | (1u << RSI) | (1u << RDI) | \
                      (1u << R8) | (1u << R9) | (1u << R10) | (1u << R11))
#define CALLEE_SAVED ((1u << RBX) | (1u << RBP) | (1u << R12) | (1u << R13) | (1u << R15))
#define ALL_REGS (CALL_CLOBBER | CALLEE_SAVED)
static const int8_t alloc_order[] = { RBX, RBP, R12, R13, R15, RSI, RDI, R8, R9, R10, R11, RAX, RDX, RCX };
static const int8_t arg_regs[6] = { RDI, RSI, RDX, RCX, R8, R9 };

#define FRAME_SIZE (TCG_MAX_TEMPS * 8 + 8)   /* keeps rsp 16-aligned at calls */

/* Opcode flags. */
#define P_W    0x100
#define P_0F   0x200
#define P_66   0x400
#define P_BR   0x800     /* reg field names a byte register */
#define P_BRM  0x1000    /* r/m field names a byte register */

enum { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };
enum { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

static uint8_t *epilogue_rx, *prologue_rx;

typedef struct SlowPath {
    bool store;
    uint8_t type, addr_reg, val_reg;
    uint32_t oi;
    uint32_t jcc_ofs;      /* rel32 of the jne to patch */
    uint32_t ret_ofs;      /* where to come back to */
} SlowPath;

typedef struct Reloc {
    uint32_t at;           /* offset of a rel32 */
    uint32_t label;
} Reloc;

typedef struct Gen {
    uint8_t *start, *p, *end;
    uint8_t *rx;           /* executable address of start */
    bool overflow;
    TCGContext *s;
    int16_t reg_temp[16];  /* temp index held, or -1 */
    uint32_t last_use[16]; /* op index of the last use, to pick spill victims */
    uint32_t cur_op;
    uint32_t locked;
    uint32_t *label_ofs;   /* offset + 1 */
    Reloc *relocs;
    int nrelocs, cap_relocs;
    SlowPath *slow;
    int nslow, cap_slow;
    uint32_t exit_req_jcc; /* rel32 of the exit-request jne, or 0 */
} Gen;

/* ---------------------------------------------------------------- encoding */

static inline void b1(Gen *g, unsigned x) { *g->p++ = (uint8_t)x; }
static inline void b4(Gen *g, uint32_t x) { memcpy(g->p, &x, 4); g->p += 4; }
static inline void b8(Gen *g, uint64_t x) { memcpy(g->p, &x, 8); g->p += 8; }
static inline uint32_t ofs(Gen *g) { return (uint32_t)(g->p - g->start); }

static void opc(Gen *g, int op, int r, int rm, int x)
{
    int rex = 0;
    if (op & P_66)
        b1(g, 0x66);
    if (op & P_W)
        rex |= 8;
    if (r & 8)
        rex |= 4;
    if (x & 8)
        rex |= 2;
    if (rm & 8)
        rex |= 1;
    /* spl/bpl/sil/dil need a REX prefix to be addressable as bytes */
    if (((op & P_BR) && r >= 4) || ((op & P_BRM) && rm >= 4))
        rex |= 0x40;
    if (rex)
        b1(g, 0x40 | (rex & 15));
    if (op & P_0F)
        b1(g, 0x0f);
    b1(g, op & 0xff);
}

static void rr(Gen *g, int op, int r, int rm)
{
    opc(g, op, r, rm, 0);
    b1(g, 0xc0 | (r & 7) << 3 | (rm & 7));
}

/* [base + index + disp]; index < 0 for none. */
static void rm_mem(Gen *g, int op, int r, int base, int index, int32_t disp)
{
    int mod;
    opc(g, op, r, base, index < 0 ? 0 : index);
    if (disp == 0 && (base & 7) != RBP)
        mod = 0;
    else if (disp == (int8_t)disp)
        mod = 1;
    else
        mod = 2;
    if (index >= 0) {
        b1(g, mod << 6 | (r & 7) << 3 | 4);
        b1(g, (index & 7) << 3 | (base & 7));
    } else if ((base & 7) == RSP) {
        b1(g, mod << 6 | (r & 7) << 3 | 4);
        b1(g, 0x24);
    } else {
        b1(g, mod << 6 | (r & 7) << 3 | (base & 7));
    }
    if (mod == 1)
        b1(g, (uint8_t)disp);
    else if (mod == 2)
        b4(g, (uint32_t)disp);
}

static int wflag(int type) { return type == TCG_TYPE_I64 ? P_W : 0; }

static void movi(Gen *g, int type, int r, uint64_t v)
{
    if (type == TCG_TYPE_I32)
        v = (uint32_t)v;
    if (v == (uint32_t)v) {
        opc(g, 0xb8 + (r & 7), 0, r, 0);
        b4(g, (uint32_t)v);
    } else if ((int64_t)v == (int32_t)v) {
        rr(g, 0xc7 | P_W, 0, r);
        b4(g, (uint32_t)v);
    } else {
        opc(g, (0xb8 + (r & 7)) | P_W, 0, r, 0);
        b8(g, v);
    }
}

static void mov_rr(Gen *g, int type, int d, int s)
{
    if (d != s)
        rr(g, 0x8b | wflag(type), d, s);
}

static void alu_ri(Gen *g, int type, int ext, int r, int32_t imm)
{
    if (imm == (int8_t)imm) {
        rr(g, 0x83 | wflag(type), ext, r);
        b1(g, (uint8_t)imm);
    } else {
        rr(g, 0x81 | wflag(type), ext, r);
        b4(g, (uint32_t)imm);
    }
}

static void jmp_to(Gen *g, const uint8_t *target_rx)
{
    b1(g, 0xe9);
    int64_t d = target_rx - (g->rx + ofs(g) + 4);
    if (d != (int32_t)d)
        fatal("tcg: x86-64: jump out of rel32 range");
    b4(g, (uint32_t)d);
}

static const uint8_t jcc_of[16] = {
    [TCG_COND_EQ] = 0x4, [TCG_COND_NE] = 0x5, [TCG_COND_LT] = 0xc, [TCG_COND_GE] = 0xd,
    [TCG_COND_LE] = 0xe, [TCG_COND_GT] = 0xf, [TCG_COND_LTU] = 0x2, [TCG_COND_GEU] = 0x3,
    [TCG_COND_LEU] = 0x6, [TCG_COND_GTU] = 0x7,
};

/* ---------------------------------------------------------------- register allocator */

static TCGTemp *T(Gen *g, TCGArg a) { return &g->s->temps[a]; }

static bool is_const_temp(TCGTemp *t) { return t->kind == TEMP_CONST; }

static int temp_base(TCGTemp *t, int32_t *disp, Gen *g)
{
    if (t->kind == TEMP_GLOBAL) {
        *disp = (int32_t)t->mem_ofs;
        return R_ENV;
    }
    *disp = (int32_t)(temp_idx(t) * 8);
    return RSP;
}

static void store_temp(Gen *g, TCGTemp *t, int r)
{
    int32_t d;
    int base = temp_base(t, &d, g);
    rm_mem(g, 0x89 | wflag(t->type), r, base, -1, d);
}

static void load_temp_mem(Gen *g, TCGTemp *t, int r)
{
    int32_t d;
    int base = temp_base(t, &d, g);
    rm_mem(g, 0x8b | wflag(t->type), r, base, -1, d);
}

static void temp_sync(Gen *g, TCGTemp *t)
{
    if (t->val_kind == VAL_REG && !t->mem_coherent && t->kind != TEMP_CONST && t->kind != TEMP_ENV) {
        store_temp(g, t, t->reg);
        t->mem_coherent = true;
    }
}

/* Give up t's register (writing it back first if needed). */
static void temp_spill(Gen *g, TCGTemp *t)
{
    if (t->val_kind != VAL_REG || t->kind == TEMP_ENV)
        return;
    temp_sync(g, t);
    g->reg_temp[(int)t->reg] = -1;
    t->val_kind = t->kind == TEMP_CONST ? VAL_CONST : VAL_MEM;
}

static void temp_dead(Gen *g, TCGTemp *t)
{
    if (t->kind == TEMP_ENV)
        return;
    if (t->val_kind == VAL_REG)
        g->reg_temp[(int)t->reg] = -1;
    if (t->kind == TEMP_CONST)
        t->val_kind = VAL_CONST;
    else if (t->kind == TEMP_GLOBAL)
        t->val_kind = VAL_MEM;   /* overwritten before anyone reads env */
    else
        t->val_kind = VAL_DEAD;
}

static void reg_free(Gen *g, int r)
{
    if (g->reg_temp[r] >= 0)
        temp_spill(g, &g->s->temps[g->reg_temp[r]]);
}

static int reg_alloc(Gen *g, uint32_t allowed)
{
    allowed &= ~g->locked;
    for (unsigned i = 0; i < ARRAY_SIZE(alloc_order); i++) {
        int r = alloc_order[i];
        if ((allowed >> r & 1) && g->reg_temp[r] < 0)
            return r;
    }
    /* Spill: prefer a register whose value is already in memory (no store),
     * then the one used least recently. */
    int best = -1;
    uint64_t best_score = UINT64_MAX;
    for (unsigned i = 0; i < ARRAY_SIZE(alloc_order); i++) {
        int r = alloc_order[i];
        if (!(allowed >> r & 1))
            continue;
        TCGTemp *t = &g->s->temps[g->reg_temp[r]];
        bool dirty = !t->mem_coherent && t->kind != TEMP_CONST;
        uint64_t score = ((uint64_t)dirty << 32) | g->last_use[r];
        if (score < best_score) {
            best_score = score;
            best = r;
        }
    }
    if (best < 0)
        fatal("tcg: x86-64: no register available");
    reg_free(g, best);
    return best;
}

static void temp_to_reg(Gen *g, TCGTemp *t, int r)
{
    g->last_use[r] = g->cur_op;
    g->reg_temp[r] = (int16_t)temp_idx(t);
    t->val_kind = VAL_REG;
    t->reg = (int8_t)r;
}

/* Value of t into register r, without changing where t lives. */
static void load_value(Gen *g, TCGTemp *t, int r)
{
    switch (t->val_kind) {
    case VAL_REG:
        mov_rr(g, TCG_TYPE_I64, r, t->reg);
        break;
    case VAL_CONST:
        movi(g, t->type, r, (uint64_t)t->val);
        break;
    default:
        load_temp_mem(g, t, r);
        break;
    }
}

/* Make t live in a register from `allowed`; lock it for the current op. */
static int temp_in(Gen *g, TCGTemp *t, uint32_t allowed)
{
    if (t->kind == TEMP_ENV)
        return R_ENV;
    if (t->val_kind == VAL_REG && (allowed >> t->reg & 1)) {
        g->locked |= 1u << t->reg;
        g->last_use[(int)t->reg] = g->cur_op;
        return t->reg;
    }
    int r = reg_alloc(g, allowed);
    load_value(g, t, r);
    if (t->val_kind == VAL_REG) {
        /* moved: the old register is released */
        g->reg_temp[(int)t->reg] = -1;
        temp_to_reg(g, t, r);
    } else {
        bool coherent = t->val_kind == VAL_MEM || t->kind == TEMP_CONST;
        temp_to_reg(g, t, r);
        t->mem_coherent = coherent;
    }
    g->locked |= 1u << r;
    return r;
}

/* t is about to be (re)defined in register r. */
static void temp_out(Gen *g, TCGTemp *t, int r)
{
    if (t->val_kind == VAL_REG && t->reg != r)
        g->reg_temp[(int)t->reg] = -1;
    if (g->reg_temp[r] >= 0 && g->reg_temp[r] != temp_idx(t))
        temp_spill(g, &g->s->temps[g->reg_temp[r]]);
    temp_to_reg(g, t, r);
    t->mem_coherent = false;
    g->locked |= 1u << r;
}

/* Register for an output that starts as a copy of input `in` (two-address
 * x86 forms): reuse in's register when this op is its last use. */
static int out_from(Gen *g, TCGOp *op, int in_arg, uint32_t allowed)
{
    TCGTemp *in = T(g, op->args[in_arg]);
    if (OP_DEAD(op, in_arg) && in->val_kind == VAL_REG && in->kind != TEMP_ENV &&
        in->kind != TEMP_CONST && (allowed >> in->reg & 1)) {
        int r = in->reg;
        /* Inputs listed twice share the register; only the last mention is dead. */
        g->reg_temp[r] = -1;
        in->val_kind = in->kind == TEMP_GLOBAL ? VAL_MEM : VAL_DEAD;
        return r;
    }
    int r = reg_alloc(g, allowed);
    load_value(g, in, r);
    return r;
}

static void sync_globals(Gen *g)
{
    for (int i = 0; i < g->s->nb_globals; i++)
        temp_sync(g, &g->s->temps[i]);
}

static void drop_global_regs(Gen *g)
{
    for (int i = 0; i < g->s->nb_globals; i++)
        temp_spill(g, &g->s->temps[i]);
}

/* End of a basic block: env and temp slots hold every value. */
static void sync_all(Gen *g)
{
    for (int i = 0; i < g->s->nb_temps; i++)
        temp_sync(g, &g->s->temps[i]);
}

static void forget_regs(Gen *g)
{
    for (int r = 0; r < 16; r++) {
        if (g->reg_temp[r] >= 0) {
            TCGTemp *t = &g->s->temps[g->reg_temp[r]];
            t->val_kind = t->kind == TEMP_CONST ? VAL_CONST : VAL_MEM;
            g->reg_temp[r] = -1;
        }
    }
}

static void spill_call_clobbered(Gen *g)
{
    for (int r = 0; r < 16; r++)
        if (CALL_CLOBBER >> r & 1)
            reg_free(g, r);
}

static void free_dead_inputs(Gen *g, TCGOp *op)
{
    for (int k = op->nout; k < op->nout + op->nin; k++) {
        TCGTemp *t = T(g, op->args[k]);
        if (OP_DEAD(op, k) && !(t->val_kind == VAL_REG && g->reg_temp[(int)t->reg] != temp_idx(t)))
            temp_dead(g, t);
    }
}

static void free_dead_outputs(Gen *g, TCGOp *op)
{
    for (int k = 0; k < op->nout; k++)
        if (OP_DEAD(op, k))
            temp_dead(g, T(g, op->args[k]));
}

/* ---------------------------------------------------------------- ops */

static bool imm32_ok(TCGTemp *t)
{
    return is_const_temp(t) && (t->type == TCG_TYPE_I32 || t->val == (int32_t)t->val);
}

/* cmp a, b; returns the (possibly swapped) condition. */
static TCGCond emit_cmp(Gen *g, TCGOp *op, int ia, int ib, TCGCond c)
{
    TCGTemp *a = T(g, op->args[ia]), *b = T(g, op->args[ib]);
    int type = op->type;
    if (is_const_temp(a) && !is_const_temp(b)) {
        TCGTemp *x = a;
        a = b;
        b = x;
        c = tcg_swap_cond(c);
    }
    int ra = temp_in(g, a, ALL_REGS);
    if (imm32_ok(b) && (int32_t)b->val == 0) {
        rr(g, 0x85 | wflag(type), ra, ra);   /* test r, r: the flags of cmp r, 0 */
    } else if (imm32_ok(b)) {
        alu_ri(g, type, ALU_CMP, ra, (int32_t)b->val);
    } else {
        int rb = temp_in(g, b, ALL_REGS);
        rr(g, 0x3b | wflag(type), ra, rb);
    }
    return c;
}

static void emit_binop(Gen *g, TCGOp *op)
{
    int type = op->type, w = wflag(type);
    TCGTemp *o = T(g, op->args[0]), *a = T(g, op->args[1]), *b = T(g, op->args[2]);
    int ext;
    bool commutative = true;
    switch (op->opc) {
    case INDEX_op_add: ext = ALU_ADD; break;
    case INDEX_op_sub: ext = ALU_SUB; commutative = false; break;
    case INDEX_op_and: ext = ALU_AND; break;
    case INDEX_op_or: ext = ALU_OR; break;
    case INDEX_op_xor: ext = ALU_XOR; break;
    default: ext = -1; break;   /* mul */
    }
    if (commutative && is_const_temp(a) && !is_const_temp(b)) {
        TCGTemp *x = a;
        a = b;
        b = x;
        /* swap the dead flags too */
        uint16_t l = op->life, la = (l >> 1) & 1, lb = (l >> 2) & 1;
        op->life = (uint16_t)((l & ~6u) | lb << 1 | la << 2);
        TCGArg t = op->args[1];
        op->args[1] = op->args[2];
        op->args[2] = t;
    }
    if (imm32_ok(b)) {
        int32_t imm = (int32_t)b->val;
        if (ext < 0) {
            int ra = temp_in(g, a, ALL_REGS);
            int r = reg_alloc(g, ALL_REGS);
            rr(g, 0x69 | w, r, ra);
            b4(g, (uint32_t)imm);
            free_dead_inputs(g, op);
            temp_out(g, o, r);
            return;
        }
        if (ext == ALU_ADD && !(OP_DEAD(op, 1) && a->val_kind == VAL_REG) && a->val_kind == VAL_REG) {
            /* lea r, [a + imm]: three-address add */
            int ra = temp_in(g, a, ALL_REGS);
            int r = reg_alloc(g, ALL_REGS);
            rm_mem(g, 0x8d | w, r, ra, -1, imm);
            free_dead_inputs(g, op);
            temp_out(g, o, r);
            return;
        }
        int r = out_from(g, op, 1, ALL_REGS);
        g->locked |= 1u << r;
        alu_ri(g, type, ext, r, imm);
        free_dead_inputs(g, op);
        temp_out(g, o, r);
        return;
    }
    int rb = temp_in(g, b, ALL_REGS);
    int r = out_from(g, op, 1, ALL_REGS & ~(1u << rb));
    g->locked |= 1u << r;
    if (ext < 0)
        rr(g, 0xaf | P_0F | w, r, rb);
    else
        rr(g, (ext << 3 | 3) | w, r, rb);
    free_dead_inputs(g, op);
    temp_out(g, o, r);
}

static void emit_shift(Gen *g, TCGOp *op)
{
    int type = op->type, w = wflag(type);
    TCGTemp *o = T(g, op->args[0]), *b = T(g, op->args[2]);
    int ext;
    switch (op->opc) {
    case INDEX_op_shl: ext = SH_SHL; break;
    case INDEX_op_shr: ext = SH_SHR; break;
    case INDEX_op_sar: ext = SH_SAR; break;
    case INDEX_op_rotl: ext = SH_ROL; break;
    default: ext = SH_ROR; break;
    }
    if (is_const_temp(b)) {
        int r = out_from(g, op, 1, ALL_REGS);
        g->locked |= 1u << r;
        rr(g, 0xc1 | w, ext, r);
        b1(g, (uint8_t)(b->val & (type == TCG_TYPE_I32 ? 31 : 63)));
        free_dead_inputs(g, op);
        temp_out(g, o, r);
        return;
    }
    /* Count in cl (SDM: SHL/SHR/SAR/ROL/ROR r/m, CL mask the count themselves). */
    if (!(b->val_kind == VAL_REG && b->reg == RCX)) {
        reg_free(g, RCX);
        temp_in(g, b, 1u << RCX);
    }
    g->locked |= 1u << RCX;
    int r = out_from(g, op, 1, ALL_REGS & ~(1u << RCX));
    g->locked |= 1u << r;
    rr(g, 0xd3 | w, ext, r);
    free_dead_inputs(g, op);
    temp_out(g, o, r);
}

static void emit_mulh(Gen *g, TCGOp *op)
{
    TCGTemp *o = T(g, op->args[0]), *a = T(g, op->args[1]), *b = T(g, op->args[2]);
    reg_free(g, RAX);
    reg_free(g, RDX);
    g->locked |= (1u << RAX) | (1u << RDX);
    int rb = temp_in(g, b, ALL_REGS & ~((1u << RAX) | (1u << RDX)));
    load_value(g, a, RAX);
    /* one-operand MUL/IMUL: rdx:rax = rax * r/m */
    rr(g, 0xf7 | wflag(op->type), op->opc == INDEX_op_muluh ? 4 : 5, rb);
    free_dead_inputs(g, op);
    temp_out(g, o, RDX);
}

static void emit_unop(Gen *g, TCGOp *op)
{
    int type = op->type, w = wflag(type);
    TCGTemp *o = T(g, op->args[0]), *a = T(g, op->args[1]);
    int r, ra;
    switch (op->opc) {
    case INDEX_op_mov:
        if (is_const_temp(a) && o->kind == TEMP_GLOBAL && imm32_ok(a)) {
            /* A constant into a global (the next PC before an exit, typically):
             * one store, no register. */
            if (o->val_kind == VAL_REG)
                g->reg_temp[(int)o->reg] = -1;
            rm_mem(g, 0xc7 | w, 0, R_ENV, -1, (int32_t)o->mem_ofs);
            b4(g, (uint32_t)a->val);
            o->val_kind = VAL_MEM;
            o->mem_coherent = true;
            free_dead_inputs(g, op);
            return;
        }
        if (is_const_temp(a)) {
            r = reg_alloc(g, ALL_REGS);
            movi(g, type, r, (uint64_t)a->val);
        } else {
            r = out_from(g, op, 1, ALL_REGS);
        }
        break;
    case INDEX_op_extrl_i64_i32:
        /* The upper half of an i32 value in a register is never looked at,
         * so the low half of the i64 is the result as it stands. */
        r = out_from(g, op, 1, ALL_REGS);
        break;
    case INDEX_op_neg: case INDEX_op_not:
        r = out_from(g, op, 1, ALL_REGS);
        rr(g, 0xf7 | w, op->opc == INDEX_op_neg ? 3 : 2, r);
        break;
    case INDEX_op_bswap16:
        r = out_from(g, op, 1, ALL_REGS);
        rr(g, 0xc1 | P_66, SH_ROL, r);   /* rol r16, 8 */
        b1(g, 8);
        rr(g, 0xb7 | P_0F, r, r);        /* movzx r32, r16 */
        break;
    case INDEX_op_bswap32: case INDEX_op_bswap64:
        r = out_from(g, op, 1, ALL_REGS);
        opc(g, (0xc8 + (r & 7)) | P_0F | (op->opc == INDEX_op_bswap64 ? P_W : 0), 0, r, 0);
        break;
    default:
        ra = temp_in(g, a, ALL_REGS);
        r = reg_alloc(g, ALL_REGS & ~g->locked);
        switch (op->opc) {
        case INDEX_op_ext8s: rr(g, 0xbe | P_0F | P_BRM | w, r, ra); break;
        case INDEX_op_ext8u: rr(g, 0xb6 | P_0F | P_BRM, r, ra); break;
        case INDEX_op_ext16s: rr(g, 0xbf | P_0F | w, r, ra); break;
        case INDEX_op_ext16u: rr(g, 0xb7 | P_0F, r, ra); break;
        case INDEX_op_ext32s: case INDEX_op_ext_i32_i64: rr(g, 0x63 | P_W, r, ra); break;
        default: rr(g, 0x8b, r, ra); break;   /* ext32u, extu_i32_i64, extrl: mov r32 zero-extends */
        }
        break;
    }
    g->locked |= 1u << r;
    free_dead_inputs(g, op);
    temp_out(g, o, r);
}

static void emit_setcond(Gen *g, TCGOp *op)
{
    TCGTemp *o = T(g, op->args[0]);
    TCGCond c = emit_cmp(g, op, 1, 2, (TCGCond)op->args[3]);
    int r = reg_alloc(g, ALL_REGS);
    g->locked |= 1u << r;
    rr(g, (0x90 + jcc_of[c]) | P_0F | P_BRM, 0, r);   /* setcc r8 */
    rr(g, 0xb6 | P_0F | P_BRM, r, r);                  /* movzx r32, r8 */
    if (op->opc == INDEX_op_negsetcond)
        rr(g, 0xf7 | wflag(op->type), 3, r);
    free_dead_inputs(g, op);
    temp_out(g, o, r);
}

static void emit_movcond(Gen *g, TCGOp *op)
{
    TCGTemp *o = T(g, op->args[0]), *v1 = T(g, op->args[3]), *v2 = T(g, op->args[4]);
    TCGCond c = emit_cmp(g, op, 1, 2, (TCGCond)op->args[5]);
    int r1 = temp_in(g, v1, ALL_REGS);
    int r2 = temp_in(g, v2, ALL_REGS);
    int r = reg_alloc(g, ALL_REGS);   /* mov does not touch the flags */
    g->locked |= 1u << r;
    mov_rr(g, TCG_TYPE_I64, r, r2);
    rr(g, (0x40 + jcc_of[c]) | P_0F | wflag(op->type), r, r1);   /* cmovcc */
    free_dead_inputs(g, op);
    temp_out(g, o, r);
}

static void add_reloc(Gen *g, uint32_t at, uint32_t label)
{
    if (g->nrelocs == g->cap_relocs) {
        g->cap_relocs = g->cap_relocs ? g->cap_relocs * 2 : 64;
        g->relocs = xrealloc(g->relocs, g->cap_relocs * sizeof(Reloc));
    }
    g->relocs[g->nrelocs++] = (Reloc){ at, label };
}

static void emit_ldst(Gen *g, TCGOp *op)
{
    int type = op->type, w = wflag(type);
    TCGTemp *v = T(g, op->args[0]), *base = T(g, op->args[1]);
    int64_t d64 = (int64_t)op->args[2];
    if (d64 != (int32_t)d64)
        fatal("tcg: x86-64: host memory offset %" PRId64 " out of range", d64);
    int32_t d = (int32_t)d64;
    int rb = temp_in(g, base, ALL_REGS | (1u << R_ENV));
    if (op->opc >= INDEX_op_st8) {
        int sz = op->opc == INDEX_op_st8 ? 1 : op->opc == INDEX_op_st16 ? 2 :
                 op->opc == INDEX_op_st32 ? 4 : (type == TCG_TYPE_I64 ? 8 : 4);
        if (is_const_temp(v) && (sz < 8 || v->val == (int32_t)v->val)) {
            switch (sz) {
            case 1: rm_mem(g, 0xc6, 0, rb, -1, d); b1(g, (uint8_t)v->val); break;
            case 2: rm_mem(g, 0xc7 | P_66, 0, rb, -1, d); b1(g, (uint8_t)v->val); b1(g, (uint8_t)(v->val >> 8)); break;
            case 4: rm_mem(g, 0xc7, 0, rb, -1, d); b4(g, (uint32_t)v->val); break;
            default: rm_mem(g, 0xc7 | P_W, 0, rb, -1, d); b4(g, (uint32_t)v->val); break;
            }
        } else {
            int rv = temp_in(g, v, ALL_REGS);
            switch (sz) {
            case 1: rm_mem(g, 0x88 | P_BR, rv, rb, -1, d); break;
            case 2: rm_mem(g, 0x89 | P_66, rv, rb, -1, d); break;
            case 4: rm_mem(g, 0x89, rv, rb, -1, d); break;
            default: rm_mem(g, 0x89 | P_W, rv, rb, -1, d); break;
            }
        }
        free_dead_inputs(g, op);
        return;
    }
    int r = reg_alloc(g, ALL_REGS);
    switch (op->opc) {
    case INDEX_op_ld8u: rm_mem(g, 0xb6 | P_0F, r, rb, -1, d); break;
    case INDEX_op_ld8s: rm_mem(g, 0xbe | P_0F | w, r, rb, -1, d); break;
    case INDEX_op_ld16u: rm_mem(g, 0xb7 | P_0F, r, rb, -1, d); break;
    case INDEX_op_ld16s: rm_mem(g, 0xbf | P_0F | w, r, rb, -1, d); break;
    case INDEX_op_ld32u: rm_mem(g, 0x8b, r, rb, -1, d); break;
    case INDEX_op_ld32s: rm_mem(g, 0x63 | P_W, r, rb, -1, d); break;
    default: rm_mem(g, 0x8b | w, r, rb, -1, d); break;
    }
    g->locked |= 1u << r;
    free_dead_inputs(g, op);
    temp_out(g, v, r);
}

static void emit_call(Gen *g, TCGOp *op)
{
    const TCGHelperInfo *info = (const void *)(uintptr_t)op->args[op->nout + op->nin];
    unsigned f = info->flags;
    if (!(f & TCG_CALL_NO_WRITE_GLOBALS) || !(f & TCG_CALL_NO_READ_GLOBALS) || !(f & TCG_CALL_NO_RAISE))
        sync_globals(g);
    spill_call_clobbered(g);
    g->locked = CALL_CLOBBER;
    for (int i = 0; i < op->nin; i++) {
        TCGTemp *t = T(g, op->args[op->nout + i]);
        int r = arg_regs[i];
        if (info->args[i] == TCG_TYPE_I32 && !is_const_temp(t)) {
            /* int32_t arguments: sign-extend (the ABI leaves the upper half
             * undefined, but compilers for other hosts rely on it; cheap). */
            if (t->val_kind == VAL_REG)
                rr(g, 0x63 | P_W, r, t->reg);
            else {
                int32_t d;
                int base = temp_base(t, &d, g);
                rm_mem(g, 0x63 | P_W, r, base, -1, d);
            }
        } else if (t->kind == TEMP_ENV) {
            mov_rr(g, TCG_TYPE_I64, r, R_ENV);
        } else {
            load_value(g, t, r);
        }
    }
    movi(g, TCG_TYPE_I64, RAX, (uintptr_t)info->func);
    rr(g, 0xff, 2, RAX);   /* call *rax */
    g->locked = 0;
    free_dead_inputs(g, op);
    if (!(f & TCG_CALL_NO_WRITE_GLOBALS))
        drop_global_regs(g);
    if (op->nout) {
        temp_out(g, T(g, op->args[0]), RAX);
        free_dead_outputs(g, op);
    }
}

/* Soft-TLB fast path (see TCGSoftTLB in tcg.h); rdi/rsi are scratch. Leaves
 * rdi = entry pointer minus nothing: returns with rdi = addend on a hit. */
static void emit_tlb_lookup(Gen *g, int ra, uint32_t oi, bool store, SlowPath *sp)
{
    const TCGSoftTLB *t = &tcg_tlb;
    unsigned size = 1u << (TCG_OI_MEMOP(oi) & MO_SIZE);
    unsigned mmu = TCG_OI_MMU(oi);
    int64_t base = t->tlb_offset + ((int64_t)mmu << (t->index_bits + t->entry_bits));
    int64_t tag = base + (store ? t->addr_write_ofs : t->addr_read_ofs);
    int64_t add = base + t->addend_ofs;
    if (tag != (int32_t)tag || add != (int32_t)add)
        fatal("tcg: x86-64: TLB offset out of range");
    mov_rr(g, TCG_TYPE_I64, RDI, ra);
    int sh = (int)t->page_bits - (int)t->entry_bits;
    if (sh > 0) {
        rr(g, 0xc1 | P_W, SH_SHR, RDI);
        b1(g, (uint8_t)sh);
    } else if (sh < 0) {
        rr(g, 0xc1 | P_W, SH_SHL, RDI);
        b1(g, (uint8_t)-sh);
    }
    alu_ri(g, TCG_TYPE_I32, ALU_AND, RDI, (int32_t)(((1u << t->index_bits) - 1) << t->entry_bits));
    if (size > 1)
        rm_mem(g, 0x8d | P_W, RSI, ra, -1, (int32_t)(size - 1));   /* lea rsi, [addr + size - 1] */
    else
        mov_rr(g, TCG_TYPE_I64, RSI, ra);
    alu_ri(g, TCG_TYPE_I64, ALU_AND, RSI, (int32_t)-(1 << t->page_bits));
    rm_mem(g, 0x3b | P_W, RSI, R_ENV, RDI, (int32_t)tag);          /* cmp rsi, [env + rdi + tag] */
    b1(g, 0x0f);
    b1(g, 0x85);                                                   /* jne slow */
    sp->jcc_ofs = ofs(g);
    b4(g, 0);
    rm_mem(g, 0x8b | P_W, RDI, R_ENV, RDI, (int32_t)add);          /* mov rdi, [env + rdi + addend] */
}

static void add_slow(Gen *g, SlowPath *sp)
{
    if (g->nslow == g->cap_slow) {
        g->cap_slow = g->cap_slow ? g->cap_slow * 2 : 16;
        g->slow = xrealloc(g->slow, g->cap_slow * sizeof(SlowPath));
    }
    g->slow[g->nslow++] = *sp;
}

static void emit_guest(Gen *g, TCGOp *op)
{
    bool store = op->opc == INDEX_op_guest_st;
    uint32_t oi = (uint32_t)op->args[2];
    MemOp mop = TCG_OI_MEMOP(oi);
    TCGTemp *v = T(g, op->args[0]), *addr = T(g, op->args[1]);
    SlowPath sp = { .store = store, .type = op->type, .oi = oi };

    sync_globals(g);            /* the slow path may raise */
    spill_call_clobbered(g);
    g->locked = (1u << RDI) | (1u << RSI);
    /* Values that must survive the slow-path call live in callee-saved registers. */
    int ra = temp_in(g, addr, CALLEE_SAVED);
    sp.addr_reg = (uint8_t)ra;
    if (store) {
        int rv = temp_in(g, v, CALLEE_SAVED);
        sp.val_reg = (uint8_t)rv;
        emit_tlb_lookup(g, ra, oi, true, &sp);
        switch (mop & MO_SIZE) {
        case MO_8: rm_mem(g, 0x88 | P_BR, rv, ra, RDI, 0); break;
        case MO_16: rm_mem(g, 0x89 | P_66, rv, ra, RDI, 0); break;
        case MO_32: rm_mem(g, 0x89, rv, ra, RDI, 0); break;
        default: rm_mem(g, 0x89 | P_W, rv, ra, RDI, 0); break;
        }
        sp.ret_ofs = ofs(g);
        add_slow(g, &sp);
        free_dead_inputs(g, op);
        g->locked = 0;
        return;
    }
    int r = reg_alloc(g, ALL_REGS & ~((1u << RDI) | (1u << RSI)));
    g->locked |= 1u << r;
    sp.val_reg = (uint8_t)r;
    emit_tlb_lookup(g, ra, oi, false, &sp);
    int w = wflag(op->type);
    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_UB: rm_mem(g, 0xb6 | P_0F, r, ra, RDI, 0); break;
    case MO_SB: rm_mem(g, 0xbe | P_0F | w, r, ra, RDI, 0); break;
    case MO_UW: rm_mem(g, 0xb7 | P_0F, r, ra, RDI, 0); break;
    case MO_SW: rm_mem(g, 0xbf | P_0F | w, r, ra, RDI, 0); break;
    case MO_UL: rm_mem(g, 0x8b, r, ra, RDI, 0); break;
    case MO_SL: rm_mem(g, 0x63 | P_W, r, ra, RDI, 0); break;
    default: rm_mem(g, 0x8b | P_W, r, ra, RDI, 0); break;
    }
    sp.ret_ofs = ofs(g);
    add_slow(g, &sp);
    free_dead_inputs(g, op);
    temp_out(g, v, r);
    free_dead_outputs(g, op);
    g->locked = 0;
}

static void emit_slow_paths(Gen *g)
{
    for (int i = 0; i < g->nslow && !g->overflow; i++) {
        SlowPath *sp = &g->slow[i];
        if (g->p + 96 > g->end) {
            g->overflow = true;
            return;
        }
        uint32_t here = ofs(g);
        int32_t rel = (int32_t)(here - (sp->jcc_ofs + 4));
        memcpy(g->start + sp->jcc_ofs, &rel, 4);
        mov_rr(g, TCG_TYPE_I64, RDI, R_ENV);
        mov_rr(g, TCG_TYPE_I64, RSI, sp->addr_reg);
        int ra_reg;
        if (sp->store) {
            mov_rr(g, TCG_TYPE_I64, RDX, sp->val_reg);
            if (sp->type == TCG_TYPE_I32)
                rr(g, 0x8b, RDX, RDX);   /* zero-extend the i32 value */
            movi(g, TCG_TYPE_I32, RCX, sp->oi);
            ra_reg = R8;
        } else {
            movi(g, TCG_TYPE_I32, RDX, sp->oi);
            ra_reg = RCX;
        }
        /* lea ra_reg, [rip + ret]: the host return address for tcg_restore_state */
        opc(g, 0x8d | P_W, ra_reg, 0, 0);
        b1(g, (ra_reg & 7) << 3 | 5);
        int32_t d = (int32_t)(sp->ret_ofs - (ofs(g) + 4));
        b4(g, (uint32_t)d);
        movi(g, TCG_TYPE_I64, RAX, sp->store ? (uintptr_t)tcg_tlb.store_slow : (uintptr_t)tcg_tlb.load_slow);
        rr(g, 0xff, 2, RAX);
        if (!sp->store) {
            int r = sp->val_reg, w = wflag(sp->type);
            switch (TCG_OI_MEMOP(sp->oi) & (MO_SIZE | MO_SIGN)) {
            case MO_SB: rr(g, 0xbe | P_0F | w, r, RAX); break;
            case MO_SW: rr(g, 0xbf | P_0F | w, r, RAX); break;
            case MO_SL: rr(g, 0x63 | P_W, r, RAX); break;
            default: mov_rr(g, TCG_TYPE_I64, r, RAX); break;
            }
        }
        b1(g, 0xe9);
        rel = (int32_t)(sp->ret_ofs - (ofs(g) + 4));
        b4(g, (uint32_t)rel);
    }
}

static void emit_exit(Gen *g, uint64_t val)
{
    movi(g, TCG_TYPE_I64, RAX, val);
    jmp_to(g, epilogue_rx);
}

static void emit_goto_tb(Gen *g, TranslationBlock *tb, unsigned n)
{
    /* The rel32 must be 4-aligned so that patching it is one atomic store. */
    while ((ofs(g) + 1) & 3)
        b1(g, 0x90);
    b1(g, 0xe9);
    tb->jmp_patch_ofs[n] = ofs(g);
    b4(g, 0);
    tb->jmp_reset_ofs[n] = ofs(g);
}

/* Allocator invariant: a temp in a register is what that register holds. */
static void check_alloc(Gen *g, int opi)
{
    for (int i = 0; i < g->s->nb_temps; i++) {
        TCGTemp *t = &g->s->temps[i];
        if (t->val_kind == VAL_REG && t->kind != TEMP_ENV && g->reg_temp[(int)t->reg] != i)
            fatal("tcg: x86-64: op %d: temp %d thinks it is in r%d, which holds %d",
                  opi, i, t->reg, g->reg_temp[(int)t->reg]);
    }
    for (int r = 0; r < 16; r++) {
        int i = g->reg_temp[r];
        if (i >= 0 && (g->s->temps[i].val_kind != VAL_REG || g->s->temps[i].reg != r))
            fatal("tcg: x86-64: op %d: r%d holds temp %d, which is elsewhere", opi, r, i);
    }
}

static int gen_code(TCGContext *s, TranslationBlock *tb, uint8_t *rw, uint8_t *rx,
                    size_t avail, uint32_t *insn_ofs)
{
    static int debug = -1;
    if (debug < 0)
        debug = getenv("VIREO_TCG_CHECK_REGALLOC") != NULL;
    Gen gs = { .start = rw, .p = rw, .end = rw + avail, .rx = rx, .s = s };
    Gen *g = &gs;
    int ninsn = 0;

    memset(g->reg_temp, -1, sizeof(g->reg_temp));
    g->label_ofs = xzalloc((s->nb_labels + 1) * sizeof(uint32_t));
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        t->mem_coherent = true;
        switch (t->kind) {
        case TEMP_ENV: t->val_kind = VAL_REG; t->reg = R_ENV; break;
        case TEMP_GLOBAL: t->val_kind = VAL_MEM; break;
        case TEMP_CONST: t->val_kind = VAL_CONST; break;
        default: t->val_kind = VAL_DEAD; break;
        }
    }
    if (avail < 512) {
        free(g->label_ofs);
        return -1;
    }
    if (tcg_config.exit_request) {
        /* cmp dword [env + ofs], 0; jne exit_requested */
        rm_mem(g, 0x83, ALU_CMP, R_ENV, -1, (int32_t)tcg_config.exit_request_ofs);
        b1(g, 0);
        b1(g, 0x0f);
        b1(g, 0x85);
        g->exit_req_jcc = ofs(g);
        b4(g, 0);
    }
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        if (g->p + 256 > g->end) {
            g->overflow = true;
            break;
        }
        g->locked = 0;
        g->cur_op = (uint32_t)i;
        switch (op->opc) {
        case INDEX_op_nop:
            break;
        case INDEX_op_discard:
            temp_dead(g, T(g, op->args[0]));
            break;
        case INDEX_op_insn_start:
            insn_ofs[ninsn++] = ofs(g);
            break;
        case INDEX_op_set_label:
            sync_all(g);
            forget_regs(g);
            g->label_ofs[op->args[0]] = ofs(g) + 1;
            break;
        case INDEX_op_br:
            sync_all(g);
            b1(g, 0xe9);
            add_reloc(g, ofs(g), (uint32_t)op->args[0]);
            b4(g, 0);
            break;
        case INDEX_op_brcond: {
            TCGCond c = emit_cmp(g, op, 0, 1, (TCGCond)op->args[2]);
            free_dead_inputs(g, op);
            sync_all(g);   /* stores only: the flags survive */
            b1(g, 0x0f);
            b1(g, 0x80 + jcc_of[c]);
            add_reloc(g, ofs(g), (uint32_t)op->args[3]);
            b4(g, 0);
            break;
        }
        case INDEX_op_exit_tb:
            sync_globals(g);
            emit_exit(g, op->args[0]);
            break;
        case INDEX_op_goto_tb:
            sync_all(g);
            emit_goto_tb(g, tb, (unsigned)op->args[0]);
            break;
        case INDEX_op_goto_ptr: {
            int r = temp_in(g, T(g, op->args[0]), ALL_REGS);
            sync_all(g);
            rr(g, 0x85 | P_W, r, r);                       /* test r, r */
            b1(g, 0x74);                                    /* jz not_found */
            uint8_t *jz = g->p;
            b1(g, 0);
            rm_mem(g, 0xff, 4, r, -1, (int32_t)offsetof(TranslationBlock, tc_ptr));   /* jmp *tc_ptr */
            *jz = (uint8_t)(g->p - (jz + 1));
            emit_exit(g, TB_EXIT_NOCHAIN);
            break;
        }
        case INDEX_op_add: case INDEX_op_sub: case INDEX_op_and: case INDEX_op_or:
        case INDEX_op_xor: case INDEX_op_mul:
            emit_binop(g, op);
            break;
        case INDEX_op_shl: case INDEX_op_shr: case INDEX_op_sar: case INDEX_op_rotl:
        case INDEX_op_rotr:
            emit_shift(g, op);
            break;
        case INDEX_op_mulsh: case INDEX_op_muluh:
            emit_mulh(g, op);
            break;
        case INDEX_op_setcond: case INDEX_op_negsetcond:
            emit_setcond(g, op);
            break;
        case INDEX_op_movcond:
            emit_movcond(g, op);
            break;
        case INDEX_op_ld8u: case INDEX_op_ld8s: case INDEX_op_ld16u: case INDEX_op_ld16s:
        case INDEX_op_ld32u: case INDEX_op_ld32s: case INDEX_op_ld: case INDEX_op_st8:
        case INDEX_op_st16: case INDEX_op_st32: case INDEX_op_st:
            emit_ldst(g, op);
            break;
        case INDEX_op_guest_ld: case INDEX_op_guest_st:
            emit_guest(g, op);
            break;
        case INDEX_op_call:
            emit_call(g, op);
            break;
        default:
            emit_unop(g, op);
            break;
        }
        if (op->opc != INDEX_op_call && op->opc != INDEX_op_guest_ld && op->opc != INDEX_op_discard)
            free_dead_outputs(g, op);
        if (debug)
            check_alloc(g, i);
    }
    if (!g->overflow && g->exit_req_jcc) {
        int32_t rel = (int32_t)(ofs(g) - (g->exit_req_jcc + 4));
        memcpy(g->start + g->exit_req_jcc, &rel, 4);
        emit_exit(g, (uintptr_t)tb | TB_EXIT_REQUESTED);
    }
    emit_slow_paths(g);
    for (int i = 0; i < g->nrelocs && !g->overflow; i++) {
        uint32_t l = g->label_ofs[g->relocs[i].label];
        if (!l)
            fatal("tcg: branch to label L%u that was never set", g->relocs[i].label);
        int32_t rel = (int32_t)((l - 1) - (g->relocs[i].at + 4));
        memcpy(g->start + g->relocs[i].at, &rel, 4);
    }
    insn_ofs[ninsn] = ofs(g);
    free(g->label_ofs);
    free(g->relocs);
    free(g->slow);
    if (g->overflow)
        return -1;
    return (int)(g->p - g->start);
}

/* ---------------------------------------------------------------- prologue, exec, patching */

static bool x86_init(void)
{
    static bool done;
    if (done)
        return true;
    void *rx;
    uint8_t *rw = tcg_cache_reserve(128, &rx);
    Gen gs = { .start = rw, .p = rw, .end = rw + 128, .rx = rx };
    Gen *g = &gs;
    tcg_cache_make_writable();
    static const int8_t saved[] = { RBP, RBX, R12, R13, R14, R15 };
    for (unsigned i = 0; i < ARRAY_SIZE(saved); i++)
        opc(g, 0x50 + (saved[i] & 7), 0, saved[i], 0);          /* push */
    rr(g, 0x81 | P_W, ALU_SUB, RSP);
    b4(g, FRAME_SIZE);
    mov_rr(g, TCG_TYPE_I64, R_ENV, RDI);
    rr(g, 0xff, 4, RSI);                                       /* jmp *rsi */
    epilogue_rx = (uint8_t *)rx + ofs(g);
    rr(g, 0x81 | P_W, ALU_ADD, RSP);
    b4(g, FRAME_SIZE);
    for (int i = ARRAY_SIZE(saved) - 1; i >= 0; i--)
        opc(g, 0x58 + (saved[i] & 7), 0, saved[i], 0);          /* pop */
    b1(g, 0xc3);
    tcg_cache_make_exec();
    prologue_rx = rx;
    done = true;
    return true;
}

static uintptr_t x86_exec(void *env, TranslationBlock *tb)
{
    uintptr_t (*prologue)(void *, void *) = (uintptr_t (*)(void *, void *))(void *)prologue_rx;
    return prologue(env, tb->tc_ptr);
}

static void x86_set_jump(TranslationBlock *tb, unsigned n, TranslationBlock *dest)
{
    uint8_t *slot = (uint8_t *)tb->tc_ptr + tb->jmp_patch_ofs[n];
    uint8_t *target = dest ? (uint8_t *)dest->tc_ptr : (uint8_t *)tb->tc_ptr + tb->jmp_reset_ofs[n];
    int32_t rel = (int32_t)(target - (slot + 4));
    /* aligned 4-byte store: other threads see the old or the new jump */
    __atomic_store_n((int32_t *)tcg_rx_to_rw(slot), rel, __ATOMIC_RELEASE);
}

const TCGBackend tcg_backend_x86_64 = {
    .name = "native (x86-64)",
    .init = x86_init,
    .gen_code = gen_code,
    .exec = x86_exec,
    .set_jump = x86_set_jump,
    .needs_exec = true,
};
