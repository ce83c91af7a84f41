/* interp.c: the portable back end: IR to compact bytecode, and the bytecode interpreter. */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg-internal.h"

/*
 * Bytecode: 32-bit words. A block is [constant pool][code]; tc_ptr is the code.
 * Each instruction is a header word (opcode | type << 8 | cond << 9 | extra << 16)
 * followed by operand words and then constant words. An operand word is
 * (byte offset << 2) | base, base 0 = the frame (one 8-byte slot per temp),
 * 1 = env (globals are read and written in place, so env is always up to date),
 * 2 = tc_ptr (the constant pool, at negative offsets). A temp is accessed with
 * its own width: i32 values as uint32_t, i64 as uint64_t.
 */

__thread uintptr_t tcg_interp_retaddr;

enum {
    IOP_CHECK_EXIT = NB_OPS,   /* env int32 at offset word != 0: leave */
    IOP_RI_BASE = 128,         /* + opcode: second operand is an inline imm32 */
};

/* The low 9 bits index the dispatch table: opcode * 2 + (type == i64). */
#define HDR(opc, type, cond, extra) \
    (((uint32_t)(opc) * 2 + (uint32_t)(type)) | (uint32_t)(cond) << 9 | (uint32_t)(extra) << 16)

typedef struct Emit {
    uint32_t *code;        /* first code word */
    size_t n, cap;         /* words */
    bool overflow;
    uint64_t *pool;
    int *pool_slot;        /* temp -> pool index + 1 */
    int pool_n;
    uint32_t *label_pos;   /* word index + 1 */
    struct Fix { uint32_t at; uint32_t label; } *fix;
    int nfix;
} Emit;

static void w(Emit *e, uint32_t v)
{
    if (e->n >= e->cap) {
        e->overflow = true;
        return;
    }
    e->code[e->n++] = v;
}

static void w64(Emit *e, uint64_t v)
{
    w(e, (uint32_t)v);
    w(e, (uint32_t)(v >> 32));
}

static uint32_t opnd(TCGContext *s, Emit *e, TCGArg a)
{
    TCGTemp *t = &s->temps[a];
    int64_t ofs;
    unsigned base;
    switch (t->kind) {
    case TEMP_GLOBAL:
        ofs = t->mem_ofs;
        base = 1;
        break;
    case TEMP_CONST:
        ofs = -(int64_t)(e->pool_n - (e->pool_slot[a] - 1)) * 8;
        base = 2;
        break;
    default:
        ofs = (int64_t)a * 8;
        base = 0;
        break;
    }
    if (ofs < -(1 << 29) || ofs >= (1 << 29))
        fatal("tcg: interp: operand offset %" PRId64 " out of range", ofs);
    return (uint32_t)(ofs * 4) | base;
}

static int gen_code(TCGContext *s, TranslationBlock *tb, uint8_t *rw, uint8_t *rx,
                    size_t avail, uint32_t *insn_ofs)
{
    Emit e = { 0 };
    int ninsn = 0;

    /* Pass 1: constant pool. */
    e.pool_slot = xzalloc(s->nb_temps * sizeof(int));
    e.pool = xmalloc(s->nb_temps * sizeof(uint64_t));
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        for (int k = 0; k < op->nout + op->nin; k++) {
            TCGArg a = op->args[k];
            if (s->temps[a].kind == TEMP_CONST && !e.pool_slot[a]) {
                e.pool[e.pool_n] = (uint64_t)s->temps[a].val;
                e.pool_slot[a] = ++e.pool_n;
            }
        }
    }
    size_t pool_bytes = (size_t)e.pool_n * 8;
    if (pool_bytes + 64 > avail) {
        free(e.pool_slot);
        free(e.pool);
        return -1;
    }
    memcpy(rw, e.pool, pool_bytes);
    e.code = (uint32_t *)(rw + pool_bytes);
    e.cap = (avail - pool_bytes) / 4;
    e.label_pos = xzalloc((s->nb_labels + 1) * sizeof(uint32_t));
    e.fix = xmalloc((s->nb_ops + 1) * sizeof(*e.fix));

    if (tcg_config.exit_request) {
        w(&e, HDR(IOP_CHECK_EXIT, 0, 0, 0));
        w(&e, (uint32_t)tcg_config.exit_request_ofs);
    }
    for (int i = 0; i < s->nb_ops && !e.overflow; i++) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        TCGArg *c = &op->args[op->nout + op->nin];
        /* "Register, immediate" forms: a constant second operand that fits 32
         * bits (sign-extended for i64) goes inline in the instruction. */
        int imm_arg = -1;
        if ((op->opc >= INDEX_op_add && op->opc <= INDEX_op_mul) || op->opc == INDEX_op_setcond)
            imm_arg = 2;
        else if (op->opc == INDEX_op_brcond)
            imm_arg = 1;
        if (imm_arg >= 0) {
            TCGTemp *t = &s->temps[op->args[imm_arg]];
            if (t->kind != TEMP_CONST || (op->type == TCG_TYPE_I64 && t->val != (int32_t)t->val))
                imm_arg = -1;
        }
        switch (op->opc) {
        case INDEX_op_nop:
        case INDEX_op_discard:   /* globals live in env: nothing to forget */
            continue;
        case INDEX_op_insn_start:
            insn_ofs[ninsn++] = (uint32_t)(e.n * 4);
            continue;
        case INDEX_op_set_label:
            e.label_pos[c[0]] = (uint32_t)e.n + 1;
            continue;
        case INDEX_op_call:
            w(&e, HDR(op->opc, op->type, 0, op->nout | op->nin << 1));
            w64(&e, c[0]);
            break;
        default:
            w(&e, HDR(op->opc + (imm_arg >= 0 ? IOP_RI_BASE : 0), op->type,
                      (def->flags & TCG_OPF_COND_BRANCH) ||
                      op->opc == INDEX_op_setcond || op->opc == INDEX_op_negsetcond ||
                      op->opc == INDEX_op_movcond ? c[0] : 0, 0));
            break;
        }
        for (int k = 0; k < op->nout + op->nin; k++) {
            if (k == imm_arg)
                w(&e, (uint32_t)s->temps[op->args[k]].val);
            else
                w(&e, opnd(s, &e, op->args[k]));
        }
        switch (op->opc) {
        case INDEX_op_brcond:
            e.fix[e.nfix++] = (struct Fix){ (uint32_t)e.n, (uint32_t)c[1] };
            w(&e, 0);
            break;
        case INDEX_op_br:
            e.fix[e.nfix++] = (struct Fix){ (uint32_t)e.n, (uint32_t)c[0] };
            w(&e, 0);
            break;
        case INDEX_op_ld8u: case INDEX_op_ld8s: case INDEX_op_ld16u: case INDEX_op_ld16s:
        case INDEX_op_ld32u: case INDEX_op_ld32s: case INDEX_op_ld:
        case INDEX_op_st8: case INDEX_op_st16: case INDEX_op_st32: case INDEX_op_st:
            w64(&e, c[0]);
            break;
        case INDEX_op_guest_ld: case INDEX_op_guest_st: case INDEX_op_goto_tb:
            w(&e, (uint32_t)c[0]);
            break;
        case INDEX_op_exit_tb:
            w64(&e, c[0]);
            break;
        default:
            break;
        }
    }
    for (int i = 0; i < e.nfix && !e.overflow; i++) {
        uint32_t pos = e.label_pos[e.fix[i].label];
        if (!pos)
            fatal("tcg: branch to label L%u that was never set", e.fix[i].label);
        e.code[e.fix[i].at] = pos - 1;
    }
    insn_ofs[ninsn] = (uint32_t)(e.n * 4);
    free(e.pool_slot);
    free(e.pool);
    free(e.label_pos);
    free(e.fix);
    if (e.overflow)
        return -1;
    tb->tc_ptr = rx + pool_bytes;
    return (int)(pool_bytes + e.n * 4);
}

/* ---------------------------------------------------------------- execution */

static inline uint64_t sext_mem(uint64_t v, MemOp mop)
{
    switch (mop & (MO_SIZE | MO_SIGN)) {
    case MO_SB: return (uint64_t)(int64_t)(int8_t)v;
    case MO_SW: return (uint64_t)(int64_t)(int16_t)v;
    case MO_SL: return (uint64_t)(int64_t)(int32_t)v;
    default: return v;
    }
}

/* Soft-TLB entry for addr, or NULL on a miss (the same test the native path makes). */
static inline uint8_t *tlb_hit(uint8_t *env, uint64_t addr, uint32_t oi, unsigned tag_ofs)
{
    const TCGSoftTLB *t = &tcg_tlb;
    unsigned size = 1u << (TCG_OI_MEMOP(oi) & MO_SIZE);
    uint64_t idx = (addr >> t->page_bits) & ((1u << t->index_bits) - 1);
    uint8_t *ent = env + t->tlb_offset +
                   (((uint64_t)TCG_OI_MMU(oi) << t->index_bits) + idx) * (1u << t->entry_bits);
    uint64_t want = (addr + size - 1) & ~(((uint64_t)1 << t->page_bits) - 1);
    if (*(uint64_t *)(ent + tag_ofs) != want)
        return NULL;
    return (uint8_t *)(uintptr_t)(addr + *(uintptr_t *)(ent + t->addend_ofs));
}

/* Guest accesses may be unaligned: memcpy compiles to one move on hosts that allow it. */
static inline uint64_t ld_host(const uint8_t *p, unsigned size)
{
    uint8_t b; uint16_t h; uint32_t l; uint64_t q;
    switch (size) {
    case MO_8: memcpy(&b, p, 1); return b;
    case MO_16: memcpy(&h, p, 2); return h;
    case MO_32: memcpy(&l, p, 4); return l;
    default: memcpy(&q, p, 8); return q;
    }
}

static inline void st_host(uint8_t *p, unsigned size, uint64_t v)
{
    uint8_t b = (uint8_t)v; uint16_t h = (uint16_t)v; uint32_t l = (uint32_t)v;
    switch (size) {
    case MO_8: memcpy(p, &b, 1); break;
    case MO_16: memcpy(p, &h, 2); break;
    case MO_32: memcpy(p, &l, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}

typedef uint64_t (*HelperFn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

static inline bool cond64(unsigned c, uint64_t a, uint64_t b)
{
    switch (c) {
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return (int64_t)a < (int64_t)b;
    case TCG_COND_GE: return (int64_t)a >= (int64_t)b;
    case TCG_COND_LE: return (int64_t)a <= (int64_t)b;
    case TCG_COND_GT: return (int64_t)a > (int64_t)b;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_ALWAYS: return true;
    default: return false;
    }
}

/* Signed 32-bit compares become 64-bit ones after sign extension, and so do
 * unsigned ones (extension keeps the unsigned order of 32-bit values). */
static inline bool cond32(unsigned c, uint32_t a, uint32_t b)
{
    return cond64(c, (uint64_t)(int64_t)(int32_t)a, (uint64_t)(int64_t)(int32_t)b);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"

/*
 * Threaded dispatch (GNU C labels as values): one indirect jump per op, and
 * every handler is specialized for its width, so no per-operand type tests.
 */
static uintptr_t interp_exec(void *env_ptr, TranslationBlock *tb)
{
    uint64_t frame[TCG_MAX_TEMPS];
    uint8_t *env = env_ptr;
    uint8_t *bases[4] = { (uint8_t *)frame, env, tb->tc_ptr, NULL };
    const uint32_t *code = tb->tc_ptr;
    const uint32_t *pc = code;
    uint32_t h;

#define L32(op) [INDEX_op_##op * 2] = &&op##_32
#define L64(op) [INDEX_op_##op * 2 + 1] = &&op##_64
#define LBOTH(op) L32(op), L64(op)
#define LANY(op, label) [INDEX_op_##op * 2] = &&label, [INDEX_op_##op * 2 + 1] = &&label
    static void *const labels[512] = {
        [0 ... 511] = &&bad_op,
        LBOTH(mov), LBOTH(add), LBOTH(sub), LBOTH(and), LBOTH(or), LBOTH(xor),
        LBOTH(shl), LBOTH(shr), LBOTH(sar), LBOTH(rotl), LBOTH(rotr), LBOTH(mul),
        LBOTH(mulsh), LBOTH(muluh), LBOTH(neg), LBOTH(not), LBOTH(ext8s), LBOTH(ext8u),
        LBOTH(ext16s), LBOTH(ext16u), L64(ext32s), L64(ext32u), LBOTH(bswap16),
        LBOTH(bswap32), L64(bswap64), L64(extu_i32_i64), L64(ext_i32_i64),
        L32(extrl_i64_i32), LBOTH(setcond), LBOTH(negsetcond), LBOTH(movcond),
        LBOTH(brcond), LANY(br, br), LBOTH(ld8u), LBOTH(ld8s), LBOTH(ld16u), LBOTH(ld16s),
        L64(ld32u), L64(ld32s), LBOTH(ld), LANY(st8, st8), LANY(st16, st16), LANY(st32, st32),
        LBOTH(st), LBOTH(guest_ld), LBOTH(guest_st), LANY(call, call), LANY(goto_tb, goto_tb),
        LANY(goto_ptr, goto_ptr), LANY(exit_tb, exit_tb),
        [IOP_CHECK_EXIT * 2] = &&check_exit,
#define LRI(op) [(IOP_RI_BASE + INDEX_op_##op) * 2] = &&op##_ri_32, \
                [(IOP_RI_BASE + INDEX_op_##op) * 2 + 1] = &&op##_ri_64
        LRI(add), LRI(sub), LRI(and), LRI(or), LRI(xor), LRI(shl), LRI(shr), LRI(sar),
        LRI(rotl), LRI(rotr), LRI(mul), LRI(setcond), LRI(brcond),
#undef LRI
    };
#undef L32
#undef L64
#undef LBOTH
#undef LANY

#define P(x) (bases[(x) & 3] + ((int32_t)(x) >> 2))
#define R32(x) (*(uint32_t *)P(x))
#define R64(x) (*(uint64_t *)P(x))
#define NEXT() do { h = *pc++; goto *labels[h & 0x1ff]; } while (0)
/* In a handler, before pc moves on: the op's header word, its "host PC". */
#define INSN_RA ((uintptr_t)(pc - 1) + 1)
#define COND ((h >> 9) & 15)
#define BIN(name, expr32, expr64) \
    name##_32: { uint32_t a = R32(pc[1]), b = R32(pc[2]); (void)b; R32(pc[0]) = (expr32); pc += 3; NEXT(); } \
    name##_64: { uint64_t a = R64(pc[1]), b = R64(pc[2]); (void)b; R64(pc[0]) = (expr64); pc += 3; NEXT(); }
/* Register-immediate twins: b is the inline word (sign-extended for i64). */
#define BINI(name, expr32, expr64) \
    name##_32: { uint32_t a = R32(pc[1]), b = R32(pc[2]); (void)b; R32(pc[0]) = (expr32); pc += 3; NEXT(); } \
    name##_64: { uint64_t a = R64(pc[1]), b = R64(pc[2]); (void)b; R64(pc[0]) = (expr64); pc += 3; NEXT(); } \
    name##_ri_32: { uint32_t a = R32(pc[1]), b = pc[2]; (void)b; R32(pc[0]) = (expr32); pc += 3; NEXT(); } \
    name##_ri_64: { uint64_t a = R64(pc[1]), b = (uint64_t)(int64_t)(int32_t)pc[2]; (void)b; \
                    R64(pc[0]) = (expr64); pc += 3; NEXT(); }
#define UN(name, expr32, expr64) \
    name##_32: { uint32_t a = R32(pc[1]); R32(pc[0]) = (expr32); pc += 2; NEXT(); } \
    name##_64: { uint64_t a = R64(pc[1]); R64(pc[0]) = (expr64); pc += 2; NEXT(); }
#define LDOFS() ((int64_t)(pc[2] | (uint64_t)pc[3] << 32))

    frame[0] = (uintptr_t)env;   /* tcg_env is temp 0 */
    NEXT();

    BINI(add, a + b, a + b)
    BINI(sub, a - b, a - b)
    BINI(and, a & b, a & b)
    BINI(or, a | b, a | b)
    BINI(xor, a ^ b, a ^ b)
    BINI(shl, a << (b & 31), a << (b & 63))
    BINI(shr, a >> (b & 31), a >> (b & 63))
    BINI(sar, (uint32_t)((int32_t)a >> (b & 31)), (uint64_t)((int64_t)a >> (b & 63)))
    BINI(rotl, (b & 31) ? a << (b & 31) | a >> (32 - (b & 31)) : a,
        (b & 63) ? a << (b & 63) | a >> (64 - (b & 63)) : a)
    BINI(rotr, (b & 31) ? a >> (b & 31) | a << (32 - (b & 31)) : a,
        (b & 63) ? a >> (b & 63) | a << (64 - (b & 63)) : a)
    BINI(mul, a * b, a * b)
    BIN(mulsh, (uint32_t)(((int64_t)(int32_t)a * (int32_t)b) >> 32),
        (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64))
    BIN(muluh, (uint32_t)(((uint64_t)a * b) >> 32), (uint64_t)(((unsigned __int128)a * b) >> 64))
    BINI(setcond, cond32(COND, a, b), cond64(COND, a, b))
    BIN(negsetcond, -(uint32_t)cond32(COND, a, b), -(uint64_t)cond64(COND, a, b))
    UN(mov, a, a)
    UN(neg, -a, -a)
    UN(not, ~a, ~a)
    UN(ext8s, (uint32_t)(int8_t)a, (uint64_t)(int8_t)a)
    UN(ext8u, (uint8_t)a, (uint8_t)a)
    UN(ext16s, (uint32_t)(int16_t)a, (uint64_t)(int16_t)a)
    UN(ext16u, (uint16_t)a, (uint16_t)a)
    UN(bswap16, __builtin_bswap16((uint16_t)a), __builtin_bswap16((uint16_t)a))
    UN(bswap32, __builtin_bswap32(a), __builtin_bswap32((uint32_t)a))

ext32s_64: R64(pc[0]) = (uint64_t)(int32_t)R64(pc[1]); pc += 2; NEXT();
ext32u_64: R64(pc[0]) = (uint32_t)R64(pc[1]); pc += 2; NEXT();
bswap64_64: R64(pc[0]) = __builtin_bswap64(R64(pc[1])); pc += 2; NEXT();
extu_i32_i64_64: R64(pc[0]) = R32(pc[1]); pc += 2; NEXT();
ext_i32_i64_64: R64(pc[0]) = (uint64_t)(int32_t)R32(pc[1]); pc += 2; NEXT();
extrl_i64_i32_32: R32(pc[0]) = (uint32_t)R64(pc[1]); pc += 2; NEXT();

movcond_32: R32(pc[0]) = cond32(COND, R32(pc[1]), R32(pc[2])) ? R32(pc[3]) : R32(pc[4]); pc += 5; NEXT();
movcond_64: R64(pc[0]) = cond64(COND, R64(pc[1]), R64(pc[2])) ? R64(pc[3]) : R64(pc[4]); pc += 5; NEXT();
brcond_32: pc = cond32(COND, R32(pc[0]), R32(pc[1])) ? code + pc[2] : pc + 3; NEXT();
brcond_64: pc = cond64(COND, R64(pc[0]), R64(pc[1])) ? code + pc[2] : pc + 3; NEXT();
brcond_ri_32: pc = cond32(COND, R32(pc[0]), pc[1]) ? code + pc[2] : pc + 3; NEXT();
brcond_ri_64: pc = cond64(COND, R64(pc[0]), (uint64_t)(int64_t)(int32_t)pc[1]) ? code + pc[2] : pc + 3; NEXT();
br: pc = code + pc[0]; NEXT();

#define LD(name, T, expr) \
    name##_32: { const uint8_t *p = (uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(); T v; memcpy(&v, p, sizeof v); \
                 R32(pc[0]) = (uint32_t)(expr); pc += 4; NEXT(); } \
    name##_64: { const uint8_t *p = (uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(); T v; memcpy(&v, p, sizeof v); \
                 R64(pc[0]) = (uint64_t)(expr); pc += 4; NEXT(); }
    LD(ld8u, uint8_t, v)
    LD(ld8s, int8_t, (int64_t)v)
    LD(ld16u, uint16_t, v)
    LD(ld16s, int16_t, (int64_t)v)
ld32u_64: { uint32_t v; memcpy(&v, (uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(), 4); R64(pc[0]) = v; pc += 4; NEXT(); }
ld32s_64: { int32_t v; memcpy(&v, (uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(), 4); R64(pc[0]) = (uint64_t)(int64_t)v; pc += 4; NEXT(); }
ld_32: { uint32_t v; memcpy(&v, (uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(), 4); R32(pc[0]) = v; pc += 4; NEXT(); }
ld_64: { uint64_t v; memcpy(&v, (uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(), 8); R64(pc[0]) = v; pc += 4; NEXT(); }
st8: { uint8_t v = (uint8_t)R32(pc[0]); memcpy((uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(), &v, 1); pc += 4; NEXT(); }
st16: { uint16_t v = (uint16_t)R32(pc[0]); memcpy((uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(), &v, 2); pc += 4; NEXT(); }
st32: st_32: { uint32_t v = R32(pc[0]); memcpy((uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(), &v, 4); pc += 4; NEXT(); }
st_64: { uint64_t v = R64(pc[0]); memcpy((uint8_t *)(uintptr_t)R64(pc[1]) + LDOFS(), &v, 8); pc += 4; NEXT(); }

guest_ld_32:
guest_ld_64: {
        uint64_t addr = R64(pc[1]);
        uint32_t oi = pc[2];
        MemOp mop = TCG_OI_MEMOP(oi);
        uint8_t *p = tlb_hit(env, addr, oi, tcg_tlb.addr_read_ofs);
        uint64_t v;
        if (likely(p)) {
            v = ld_host(p, mop & MO_SIZE);
        } else {
            tcg_interp_retaddr = INSN_RA;
            v = tcg_tlb.load_slow(env, addr, oi, INSN_RA);
        }
        v = sext_mem(v, mop);
        if (h & 1)
            R64(pc[0]) = v;
        else
            R32(pc[0]) = (uint32_t)v;
        pc += 3;
        NEXT();
    }
guest_st_32:
guest_st_64: {
        uint64_t v = (h & 1) ? R64(pc[0]) : R32(pc[0]);
        uint64_t addr = R64(pc[1]);
        uint32_t oi = pc[2];
        uint8_t *p = tlb_hit(env, addr, oi, tcg_tlb.addr_write_ofs);
        if (likely(p)) {
            st_host(p, TCG_OI_MEMOP(oi) & MO_SIZE, v);
        } else {
            tcg_interp_retaddr = INSN_RA;
            tcg_tlb.store_slow(env, addr, v, oi, INSN_RA);
        }
        pc += 3;
        NEXT();
    }
call: {
        unsigned nout = (h >> 16) & 1, nin = (h >> 17) & 7;
        const TCGHelperInfo *info = (const void *)(uintptr_t)(pc[0] | (uint64_t)pc[1] << 32);
        const uint32_t *ops = pc + 2;
        uint64_t a[6] = { 0 };
        for (unsigned i = 0; i < nin; i++) {
            uint32_t x = ops[nout + i];
            /* i32 arguments sign-extended: what 64-bit ABIs expect of an int32_t. */
            a[i] = info->args[i] == TCG_TYPE_I32 ? (uint64_t)(int64_t)(int32_t)R32(x) : R64(x);
        }
        tcg_interp_retaddr = INSN_RA;
        uint64_t r = ((HelperFn)info->func)(a[0], a[1], a[2], a[3], a[4], a[5]);
        if (nout) {
            if (info->ret == TCG_TYPE_I32)
                R32(ops[0]) = (uint32_t)r;
            else
                R64(ops[0]) = r;
        }
        pc = ops + nout + nin;
        NEXT();
    }
goto_tb: {
        TranslationBlock *d = __atomic_load_n(&tb->jmp_dest[*pc], __ATOMIC_ACQUIRE);
        if (d) {
            tb = d;
            code = pc = tb->tc_ptr;
            bases[2] = tb->tc_ptr;
        } else {
            pc++;
        }
        NEXT();
    }
goto_ptr: {
        TranslationBlock *d = (TranslationBlock *)(uintptr_t)R64(pc[0]);
        if (!d)
            return TB_EXIT_NOCHAIN;
        tb = d;
        code = pc = tb->tc_ptr;
        bases[2] = tb->tc_ptr;
        NEXT();
    }
check_exit:
    if (*(int32_t *)(env + (int32_t)*pc))
        return (uintptr_t)tb | TB_EXIT_REQUESTED;
    pc++;
    NEXT();
exit_tb:
    return (uintptr_t)(pc[0] | (uint64_t)pc[1] << 32);
bad_op:
    fatal("tcg: interp: bad opcode %u in block at pc 0x%" PRIx64, h & 0x1ff, tb->pc);
#undef P
#undef R32
#undef R64
#undef NEXT
#undef INSN_RA
#undef COND
#undef BIN
#undef BINI
#undef UN
#undef LD
#undef LDOFS
}

#pragma GCC diagnostic pop

static void set_jump(TranslationBlock *tb, unsigned n, TranslationBlock *dest)
{
    /* The interpreter follows tb->jmp_dest[] directly; nothing to patch. */
}

static int gen_code_wrap(TCGContext *s, TranslationBlock *tb, uint8_t *rw, uint8_t *rx,
                         size_t avail, uint32_t *insn_ofs)
{
    for (int i = 0; i < s->nb_ops; i++)
        if (s->ops[i].opc == INDEX_op_goto_tb)
            tb->jmp_patch_ofs[s->ops[i].args[0]] = 0;   /* slot exists */
    /* Interpreter blocks live in the data view. */
    return gen_code(s, tb, rw, rw, avail, insn_ofs);
}

const TCGBackend tcg_backend_interp = {
    .name = "interp",
    .gen_code = gen_code_wrap,
    .exec = interp_exec,
    .set_jump = set_jump,
    .needs_exec = false,
};
