/* optimize.c: constant folding, algebraic simplification, copy propagation and unreachable-code removal. */
#include "util/osdep.h"
#include "tcg/tcg-internal.h"

/*
 * One forward pass over each basic block. For every temp we know whether it
 * holds a constant and which temp it is a copy of ("rep"); inputs are replaced
 * by their representative (constants first), so back ends see immediates and
 * the movs become dead for liveness to delete. Knowledge is dropped at labels,
 * for a redefined temp and its copies, and for globals across helpers that may
 * write them. For i64 temps we also know whether the high 32 bits are zero
 * (after zero extensions, 32-bit loads, masks, setcond), which makes a later
 * ext32u of the same value a copy: 32-bit guests zero-extend every result.
 */

/* "t = setcond(cond, a, b)", remembered while t, a and b are unchanged, so a
 * later "brcond t != 0" can test a and b directly. */
typedef struct CondDef {
    int t, a, b;
    TCGCond cond;
    TCGType type;
} CondDef;
#define MAX_CONDDEFS 8

typedef struct OptState {
    TCGContext *s;
    int *rep;              /* representative temp (itself if none) */
    int *tracked;          /* temps whose rep is not themselves */
    int ntracked;
    bool *high0;           /* i64 temp whose bits 32-63 are known to be zero */
    CondDef cd[MAX_CONDDEFS];
    int ncd;
} OptState;

static void conddef_forget(OptState *o, int x)
{
    for (int i = 0; i < o->ncd;) {
        if (o->cd[i].t == x || o->cd[i].a == x || o->cd[i].b == x)
            o->cd[i] = o->cd[--o->ncd];
        else
            i++;
    }
}

static bool temp_is_const(OptState *o, int t, uint64_t *v)
{
    TCGTemp *tt = &o->s->temps[t];
    if (tt->kind != TEMP_CONST)
        return false;
    *v = tcg_trunc(tt->type, (uint64_t)tt->val);
    return true;
}

/* Constant temp for v, or -1 if the block is out of temps. */
static int make_const(OptState *o, TCGType type, uint64_t v)
{
    if (o->s->nb_temps >= TCG_MAX_TEMPS - 2)
        return -1;
    int n = type == TCG_TYPE_I32 ? tcg_constant_i32((int32_t)v).n : tcg_constant_i64((int64_t)v).n;
    return o->s->overflow ? -1 : n;
}

static void forget(OptState *o, int t)
{
    /* t changes: it is no longer a copy, and nothing is a copy of it. */
    conddef_forget(o, t);
    o->rep[t] = t;
    for (int i = 0; i < o->ntracked;) {
        int y = o->tracked[i];
        if (o->rep[y] == t || y == t) {
            o->rep[y] = y;
            o->tracked[i] = o->tracked[--o->ntracked];
        } else {
            i++;
        }
    }
}

static void forget_all(OptState *o)
{
    o->ncd = 0;
    for (int i = 0; i < o->ntracked; i++)
        o->rep[o->tracked[i]] = o->tracked[i];
    o->ntracked = 0;
}

static void forget_globals(OptState *o)
{
    memset(o->high0, 0, o->s->nb_globals * sizeof(bool));
    for (int i = 0; i < o->ncd;) {
        CondDef *c = &o->cd[i];
        if (c->t < o->s->nb_globals || c->a < o->s->nb_globals || c->b < o->s->nb_globals)
            o->cd[i] = o->cd[--o->ncd];
        else
            i++;
    }
    for (int i = 0; i < o->ntracked;) {
        int y = o->tracked[i];
        if (y < o->s->nb_globals || o->rep[y] < o->s->nb_globals) {
            o->rep[y] = y;
            o->tracked[i] = o->tracked[--o->ntracked];
        } else {
            i++;
        }
    }
}

static bool high_zero(OptState *o, int t)
{
    uint64_t v;
    if (temp_is_const(o, t, &v))
        return v <= 0xffffffffu;
    return o->high0[t];
}

/* Are bits 32-63 of op's (single, i64) result known to be zero? Reads the inputs' knowledge, so
 * call it before the output is forgotten. */
static bool result_high_zero(OptState *o, const TCGOp *op)
{
    uint64_t v;
    if (op->nout != 1 || o->s->temps[op->args[0]].type != TCG_TYPE_I64)
        return false;
    switch (op->opc) {
    case INDEX_op_mov:
        return high_zero(o, (int)op->args[1]);
    case INDEX_op_ext8u: case INDEX_op_ext16u: case INDEX_op_ext32u: case INDEX_op_extu_i32_i64:
    case INDEX_op_ld8u: case INDEX_op_ld16u: case INDEX_op_ld32u: case INDEX_op_setcond:
        return true;
    case INDEX_op_and:
        return high_zero(o, (int)op->args[1]) || high_zero(o, (int)op->args[2]);
    case INDEX_op_or: case INDEX_op_xor:
        return high_zero(o, (int)op->args[1]) && high_zero(o, (int)op->args[2]);
    case INDEX_op_shr:
        return temp_is_const(o, (int)op->args[2], &v) && (v & 63) >= 32;
    case INDEX_op_guest_ld:
        return !(TCG_OI_MEMOP(op->args[2]) & MO_SIGN) && (TCG_OI_MEMOP(op->args[2]) & MO_SIZE) <= MO_32;
    default:
        return false;
    }
}

static void set_copy(OptState *o, int dst, int src)
{
    if (dst == src)
        return;
    o->rep[dst] = src;
    o->tracked[o->ntracked++] = dst;
}

static void to_mov(TCGOp *op, TCGArg out, TCGArg in)
{
    op->opc = INDEX_op_mov;
    op->type = tcg_ctx->temps[out].type;   /* calls and conversions change type */
    op->nout = 1;
    op->nin = 1;
    op->args[0] = out;
    op->args[1] = in;
}

static void to_nop(TCGOp *op)
{
    op->opc = INDEX_op_nop;
    op->nout = op->nin = 0;
}

/* Make op "out = constant v"; returns false if no constant temp is available. */
static bool to_movi(OptState *o, TCGOp *op, uint64_t v)
{
    TCGType type = o->s->temps[op->args[0]].type;
    int c = make_const(o, type, tcg_trunc(type, v));
    if (c < 0)
        return false;
    to_mov(op, op->args[0], c);
    return true;
}

static bool is_binop(TCGOpcode opc)
{
    return opc >= INDEX_op_add && opc <= INDEX_op_muluh;
}

static bool commutative(TCGOpcode opc)
{
    return opc == INDEX_op_add || opc == INDEX_op_and || opc == INDEX_op_or ||
           opc == INDEX_op_xor || opc == INDEX_op_mul || opc == INDEX_op_mulsh ||
           opc == INDEX_op_muluh;
}

static bool is_unop(TCGOpcode opc)
{
    return (opc >= INDEX_op_neg && opc <= INDEX_op_extrl_i64_i32) || opc == INDEX_op_mov;
}

typedef uint64_t (*HelperFn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* Pure helper with constant arguments: call it now. */
static bool fold_call(OptState *o, TCGOp *op)
{
    const TCGHelperInfo *info = (const void *)(uintptr_t)op->args[op->nout + op->nin];
    if ((info->flags & TCG_CALL_PURE) != TCG_CALL_PURE || op->nout != 1)
        return false;
    uint64_t a[6] = { 0 };
    for (int i = 0; i < op->nin; i++) {
        uint64_t v;
        if (!temp_is_const(o, (int)op->args[1 + i], &v))
            return false;
        a[i] = info->args[i] == TCG_TYPE_I32 ? (uint64_t)(int64_t)(int32_t)v : v;
    }
    uint64_t r = ((HelperFn)info->func)(a[0], a[1], a[2], a[3], a[4], a[5]);
    return to_movi(o, op, r);
}

static void simplify(OptState *o, TCGOp *op)
{
    TCGOpcode opc = op->opc;
    TCGType type = op->type;
    uint64_t va = 0, vb = 0, all = tcg_trunc(type, ~0ull);

    if (is_unop(opc) && opc != INDEX_op_mov) {
        if (temp_is_const(o, (int)op->args[1], &va))
            to_movi(o, op, tcg_eval_unop(opc, type, va));
        else if (opc == INDEX_op_ext32u && type == TCG_TYPE_I64 && high_zero(o, (int)op->args[1]))
            to_mov(op, op->args[0], op->args[1]);
        return;
    }
    if (is_binop(opc)) {
        bool ca = temp_is_const(o, (int)op->args[1], &va);
        bool cb = temp_is_const(o, (int)op->args[2], &vb);
        if (ca && cb) {
            to_movi(o, op, tcg_eval_binop(opc, type, va, vb));
            return;
        }
        if (ca && commutative(opc)) {
            TCGArg t = op->args[1];
            op->args[1] = op->args[2];
            op->args[2] = t;
            vb = va;
            cb = true;
            ca = false;
        }
        TCGArg a = op->args[1], out = op->args[0];
        if (cb) {
            unsigned w = type == TCG_TYPE_I32 ? 32 : 64;
            switch (opc) {
            case INDEX_op_add: case INDEX_op_sub: case INDEX_op_or: case INDEX_op_xor:
                if (vb == 0)
                    to_mov(op, out, a);
                break;
            case INDEX_op_shl: case INDEX_op_shr: case INDEX_op_sar: case INDEX_op_rotl:
            case INDEX_op_rotr:
                if ((vb & (w - 1)) == 0)
                    to_mov(op, out, a);
                break;
            case INDEX_op_and:
                if (vb == 0)
                    to_movi(o, op, 0);
                else if (vb == all)
                    to_mov(op, out, a);
                break;
            case INDEX_op_mul:
                if (vb == 0)
                    to_movi(o, op, 0);
                else if (vb == 1)
                    to_mov(op, out, a);
                break;
            case INDEX_op_mulsh: case INDEX_op_muluh:
                if (vb == 0)
                    to_movi(o, op, 0);
                break;
            default:
                break;
            }
            if (opc == INDEX_op_or && vb == all)
                to_movi(o, op, all);
            return;
        }
        if (op->args[1] == op->args[2]) {
            switch (opc) {
            case INDEX_op_sub: case INDEX_op_xor: to_movi(o, op, 0); break;
            case INDEX_op_and: case INDEX_op_or: to_mov(op, out, a); break;
            default: break;
            }
        }
        return;
    }
    switch (opc) {
    case INDEX_op_setcond: case INDEX_op_negsetcond: {
        bool ca = temp_is_const(o, (int)op->args[1], &va);
        bool cb = temp_is_const(o, (int)op->args[2], &vb);
        TCGCond c = (TCGCond)op->args[3];
        int known = -1;
        if (ca && cb)
            known = tcg_eval_cond(c, type, va, vb);
        else if (op->args[1] == op->args[2])
            known = tcg_eval_cond(c, type, 0, 0);
        if (known >= 0)
            to_movi(o, op, opc == INDEX_op_negsetcond ? -(uint64_t)known : (uint64_t)known);
        else if (ca) {
            TCGArg t = op->args[1];
            op->args[1] = op->args[2];
            op->args[2] = t;
            op->args[3] = tcg_swap_cond(c);
        }
        break;
    }
    case INDEX_op_movcond: {
        bool ca = temp_is_const(o, (int)op->args[1], &va);
        bool cb = temp_is_const(o, (int)op->args[2], &vb);
        TCGCond c = (TCGCond)op->args[5];
        if ((ca && cb) || op->args[1] == op->args[2]) {
            bool t = ca && cb ? tcg_eval_cond(c, type, va, vb) : tcg_eval_cond(c, type, 0, 0);
            to_mov(op, op->args[0], op->args[t ? 3 : 4]);
        } else if (op->args[3] == op->args[4]) {
            to_mov(op, op->args[0], op->args[3]);
        }
        break;
    }
    case INDEX_op_brcond: {
        bool ca = temp_is_const(o, (int)op->args[0], &va);
        bool cb = temp_is_const(o, (int)op->args[1], &vb);
        TCGCond c = (TCGCond)op->args[2];
        int known = -1;
        if (ca && cb)
            known = tcg_eval_cond(c, type, va, vb);
        else if (op->args[0] == op->args[1])
            known = tcg_eval_cond(c, type, 0, 0);
        if (known < 0 && cb && vb == 0 && (c == TCG_COND_NE || c == TCG_COND_EQ)) {
            for (int i = 0; i < o->ncd; i++) {
                CondDef *d = &o->cd[i];
                if (d->t == (int)op->args[0] && d->type == type) {
                    /* brcond (setcond(x) != 0) is brcond x */
                    op->args[0] = d->a;
                    op->args[1] = d->b;
                    op->args[2] = c == TCG_COND_NE ? d->cond : tcg_invert_cond(d->cond);
                    break;
                }
            }
        }
        if (known == 0) {
            to_nop(op);
        } else if (known == 1) {
            TCGArg l = op->args[3];
            op->opc = INDEX_op_br;
            op->nin = 0;
            op->args[0] = l;
        }
        break;
    }
    case INDEX_op_call:
        fold_call(o, op);
        break;
    default:
        break;
    }
}

/* Drop code after an unconditional jump or exit up to the next label, and
 * labels nobody branches to (so that the blocks around them merge). */
static void remove_unreachable(TCGContext *s)
{
    int *refs = xzalloc((s->nb_labels + 1) * sizeof(int));
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        if (op->opc == INDEX_op_br)
            refs[op->args[0]]++;
        else if (op->opc == INDEX_op_brcond)
            refs[op->args[3]]++;
    }
    bool dead = false;
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        if (op->opc == INDEX_op_set_label) {
            if (!refs[op->args[0]]) {
                to_nop(op);
                continue;
            }
            dead = false;
            continue;
        }
        if (dead && op->opc != INDEX_op_insn_start) {
            if (op->opc == INDEX_op_br)
                refs[op->args[0]]--;
            else if (op->opc == INDEX_op_brcond)
                refs[op->args[3]]--;
            to_nop(op);
            continue;
        }
        if (op->opc == INDEX_op_br || op->opc == INDEX_op_exit_tb || op->opc == INDEX_op_goto_ptr)
            dead = true;
    }
    /* A label whose only references were removed above is now unused too. */
    for (int i = 0; i < s->nb_ops; i++)
        if (s->ops[i].opc == INDEX_op_set_label && !refs[s->ops[i].args[0]])
            to_nop(&s->ops[i]);
    free(refs);
}

void tcg_optimize(TCGContext *s)
{
    OptState o = { .s = s };
    int nt = TCG_MAX_TEMPS;
    o.rep = xmalloc(nt * sizeof(int));
    o.tracked = xmalloc(nt * sizeof(int));
    o.high0 = xzalloc(nt * sizeof(bool));
    for (int i = 0; i < nt; i++)
        o.rep[i] = i;

    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        if (op->opc == INDEX_op_set_label) {
            forget_all(&o);
            memset(o.high0, 0, nt * sizeof(bool));
            continue;
        }
        /* Copy propagation into the inputs. */
        for (int k = op->nout; k < op->nout + op->nin; k++)
            op->args[k] = o.rep[op->args[k]];
        simplify(&o, op);
        if (op->opc == INDEX_op_nop)
            continue;
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info = (const void *)(uintptr_t)op->args[op->nout + op->nin];
            if (!(info->flags & TCG_CALL_NO_WRITE_GLOBALS))
                forget_globals(&o);
        }
        if (op->opc == INDEX_op_mov && op->args[0] == op->args[1]) {
            to_nop(op);
            continue;
        }
        if (op->opc == INDEX_op_mov && o.rep[op->args[0]] == (int)op->args[1]) {
            to_nop(op);   /* already a copy of it */
            continue;
        }
        bool high0 = result_high_zero(&o, op);
        for (int k = 0; k < op->nout; k++) {
            forget(&o, (int)op->args[k]);
            o.high0[op->args[k]] = high0;
        }
        if (op->opc == INDEX_op_mov)
            set_copy(&o, (int)op->args[0], (int)op->args[1]);
        if (op->opc == INDEX_op_setcond && op->args[0] != op->args[1] && op->args[0] != op->args[2]) {
            if (o.ncd == MAX_CONDDEFS)
                o.cd[0] = o.cd[--o.ncd];
            o.cd[o.ncd++] = (CondDef){ (int)op->args[0], (int)op->args[1], (int)op->args[2],
                                       (TCGCond)op->args[3], (TCGType)op->type };
        }
        if (def->flags & TCG_OPF_BB_END && op->opc != INDEX_op_brcond && op->opc != INDEX_op_goto_tb)
            forget_all(&o);
    }
    free(o.rep);
    free(o.tracked);
    free(o.high0);
    remove_unreachable(s);
}
