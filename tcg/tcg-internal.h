/* tcg-internal.h: IR representation, translation context and back-end interface (tcg/ only). */
#ifndef TCG_TCG_INTERNAL_H
#define TCG_TCG_INTERNAL_H

#include "tcg/tcg.h"
#include <pthread.h>

/* Opcodes. The value type of an op (i32/i64) is op->type; conversions name both.
 * DEF(name, outputs, inputs, constant args, flags) */
#define TCG_OPF_SIDE_EFFECTS 0x01   /* never deleted even if outputs are dead */
#define TCG_OPF_BB_END       0x02   /* ends a basic block: globals and live temps synced */
#define TCG_OPF_CALL_CLOBBER 0x04   /* may call out: caller-saved host regs clobbered */
#define TCG_OPF_COND_BRANCH  0x08
#define TCG_OPF_NOT_PRESENT  0x10   /* marker ops with no code */

#define TCG_OPCODES(DEF) \
    DEF(nop, 0, 0, 0, TCG_OPF_NOT_PRESENT) \
    DEF(mov, 1, 1, 0, 0) \
    DEF(discard, 1, 0, 0, TCG_OPF_NOT_PRESENT) \
    DEF(add, 1, 2, 0, 0) \
    DEF(sub, 1, 2, 0, 0) \
    DEF(and, 1, 2, 0, 0) \
    DEF(or, 1, 2, 0, 0) \
    DEF(xor, 1, 2, 0, 0) \
    DEF(shl, 1, 2, 0, 0) \
    DEF(shr, 1, 2, 0, 0) \
    DEF(sar, 1, 2, 0, 0) \
    DEF(rotl, 1, 2, 0, 0) \
    DEF(rotr, 1, 2, 0, 0) \
    DEF(mul, 1, 2, 0, 0) \
    DEF(mulsh, 1, 2, 0, 0) \
    DEF(muluh, 1, 2, 0, 0) \
    DEF(neg, 1, 1, 0, 0) \
    DEF(not, 1, 1, 0, 0) \
    DEF(ext8s, 1, 1, 0, 0) \
    DEF(ext8u, 1, 1, 0, 0) \
    DEF(ext16s, 1, 1, 0, 0) \
    DEF(ext16u, 1, 1, 0, 0) \
    DEF(ext32s, 1, 1, 0, 0) \
    DEF(ext32u, 1, 1, 0, 0) \
    DEF(bswap16, 1, 1, 0, 0) \
    DEF(bswap32, 1, 1, 0, 0) \
    DEF(bswap64, 1, 1, 0, 0) \
    DEF(extu_i32_i64, 1, 1, 0, 0) \
    DEF(ext_i32_i64, 1, 1, 0, 0) \
    DEF(extrl_i64_i32, 1, 1, 0, 0) \
    DEF(setcond, 1, 2, 1, 0) \
    DEF(negsetcond, 1, 2, 1, 0) \
    DEF(movcond, 1, 4, 1, 0) \
    DEF(brcond, 0, 2, 2, TCG_OPF_BB_END | TCG_OPF_COND_BRANCH | TCG_OPF_SIDE_EFFECTS) \
    DEF(br, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE_EFFECTS) \
    DEF(set_label, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE_EFFECTS | TCG_OPF_NOT_PRESENT) \
    DEF(ld8u, 1, 1, 1, 0) \
    DEF(ld8s, 1, 1, 1, 0) \
    DEF(ld16u, 1, 1, 1, 0) \
    DEF(ld16s, 1, 1, 1, 0) \
    DEF(ld32u, 1, 1, 1, 0) \
    DEF(ld32s, 1, 1, 1, 0) \
    DEF(ld, 1, 1, 1, 0) \
    DEF(st8, 0, 2, 1, TCG_OPF_SIDE_EFFECTS) \
    DEF(st16, 0, 2, 1, TCG_OPF_SIDE_EFFECTS) \
    DEF(st32, 0, 2, 1, TCG_OPF_SIDE_EFFECTS) \
    DEF(st, 0, 2, 1, TCG_OPF_SIDE_EFFECTS) \
    DEF(guest_ld, 1, 1, 1, TCG_OPF_SIDE_EFFECTS | TCG_OPF_CALL_CLOBBER) \
    DEF(guest_st, 0, 2, 1, TCG_OPF_SIDE_EFFECTS | TCG_OPF_CALL_CLOBBER) \
    DEF(call, 0, 0, 1, TCG_OPF_CALL_CLOBBER) \
    DEF(insn_start, 0, 0, 2, TCG_OPF_SIDE_EFFECTS | TCG_OPF_NOT_PRESENT) \
    DEF(goto_tb, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE_EFFECTS) \
    DEF(goto_ptr, 0, 1, 0, TCG_OPF_BB_END | TCG_OPF_SIDE_EFFECTS) \
    DEF(exit_tb, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE_EFFECTS)

typedef enum TCGOpcode {
#define TCG_DEF_ENUM(name, o, i, c, f) INDEX_op_##name,
    TCG_OPCODES(TCG_DEF_ENUM)
#undef TCG_DEF_ENUM
    NB_OPS,
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs, flags;
} TCGOpDef;
extern const TCGOpDef tcg_op_defs[NB_OPS];

typedef uint64_t TCGArg;

#define TCG_MAX_OP_ARGS 10
/* args[]: outputs, then inputs (temp indexes), then constants. */
typedef struct TCGOp {
    uint8_t opc;
    uint8_t type;          /* TCGType of the value (output or compared values) */
    uint8_t nout, nin;     /* per op; fixed except for call */
    uint16_t life;         /* bit i: arg i's temp is dead after this op */
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;
#define OP_DEAD(op, i) (((op)->life >> (i)) & 1)

typedef enum TCGTempKind {
    TEMP_GLOBAL,           /* lives in env at mem_ofs */
    TEMP_ENV,              /* the env pointer itself (fixed host register) */
    TEMP_TB,               /* block-local temp, kept across branches */
    TEMP_CONST,
} TCGTempKind;

/* Register-allocator state of a temp (native back end). */
typedef enum TCGValKind { VAL_DEAD, VAL_REG, VAL_MEM, VAL_CONST } TCGValKind;

typedef struct TCGTemp {
    uint8_t type;
    uint8_t kind;
    bool free;             /* on the free list (TB temps) */
    bool in_use;
    int64_t val;           /* TEMP_CONST value */
    intptr_t mem_ofs;      /* TEMP_GLOBAL: offset in env */
    const char *name;
    /* allocator */
    uint8_t val_kind;
    int8_t reg;
    bool mem_coherent;
    bool dirty_global;
} TCGTemp;

struct TCGLabel {
    int id;
    bool present;
    int op_index;          /* index of the set_label op */
    uintptr_t value;       /* back end: code offset once emitted */
    bool has_value;
    struct TCGReloc *relocs;
};

#define TCG_MAX_TEMPS 1024
#define TCG_MAX_LABELS 1024

typedef struct TCGInsnMap {
    uint32_t host_ofs;
    uint64_t words[TCG_INSN_START_WORDS];
} TCGInsnMap;

typedef struct TCGContext {
    TCGTemp temps[TCG_MAX_TEMPS];
    int nb_globals;
    int nb_temps;
    /* interned constants of the current block: a small open hash */
    TCGOp *ops;
    int nb_ops, cap_ops;
    TCGLabel *labels[TCG_MAX_LABELS];
    int nb_labels;
    bool overflow;         /* too many temps/labels: the block is retranslated smaller */
    TranslationBlock *tb;
    int goto_tb_used;
} TCGContext;

extern TCGContext *tcg_ctx;

static inline TCGTemp *arg_temp(TCGArg a) { return &tcg_ctx->temps[a]; }
static inline int temp_idx(const TCGTemp *t) { return (int)(t - tcg_ctx->temps); }

TCGOp *tcg_emit_op(TCGOpcode opc, TCGType type);
void tcg_func_start(TranslationBlock *tb);
void tcg_dump_ops(TCGContext *s, const char *title);
void tcg_optimize(TCGContext *s);
void tcg_liveness(TCGContext *s);
TCGLabel *tcg_label_by_id(TCGContext *s, TCGArg id);

/* Truncate/extend a value to the op's type. */
static inline uint64_t tcg_trunc(TCGType t, uint64_t v) { return t == TCG_TYPE_I32 ? (uint32_t)v : v; }

/* Back ends. gen_code writes the block's code/bytecode at rw (its executable
 * address is rx) and returns the size, or -1 if avail is too small. It fills
 * tb->jmp_*_ofs and the insn map (ctx_insn_ofs[i] = host offset of insn i). */
typedef struct TCGBackend {
    const char *name;
    bool (*init)(void);
    int (*gen_code)(TCGContext *s, TranslationBlock *tb, uint8_t *rw, uint8_t *rx,
                    size_t avail, uint32_t *insn_ofs);
    uintptr_t (*exec)(void *env, TranslationBlock *tb);
    /* Point slot n of tb at dest code (NULL: back to its reset target). */
    void (*set_jump)(TranslationBlock *tb, unsigned n, TranslationBlock *dest);
    bool needs_exec;       /* code must be executable */
} TCGBackend;

extern const TCGBackend tcg_backend_interp;
#ifdef CONFIG_TCG_NATIVE
extern const TCGBackend tcg_backend_x86_64;
#endif
extern const TCGBackend *tcg_backend;
extern TCGConfig tcg_config;
extern TCGSoftTLB tcg_tlb;
extern bool tcg_have_tlb;

/* Code cache (tb.c). */
bool tcg_cache_init(size_t size, bool exec);
/* RW address for an RX code address (identity without dual mapping). */
void *tcg_rx_to_rw(const void *rx);
void tcg_cache_make_writable(void);
void *tcg_cache_reserve(size_t n, void **rx);
void tcg_cache_make_exec(void);

/* Internal helpers (helpers.c). */
extern const TCGHelperInfo tcg_helper_div_i32, tcg_helper_rem_i32, tcg_helper_divu_i32,
    tcg_helper_remu_i32, tcg_helper_div_i64, tcg_helper_rem_i64, tcg_helper_divu_i64,
    tcg_helper_remu_i64, tcg_helper_clz_i32, tcg_helper_ctz_i32, tcg_helper_ctpop_i32,
    tcg_helper_clz_i64, tcg_helper_ctz_i64, tcg_helper_ctpop_i64;

/* Constant evaluation shared by the optimizer and the interpreter. */
uint64_t tcg_eval_binop(TCGOpcode opc, TCGType type, uint64_t a, uint64_t b);
uint64_t tcg_eval_unop(TCGOpcode opc, TCGType type, uint64_t a);
bool tcg_eval_cond(TCGCond c, TCGType type, uint64_t a, uint64_t b);

/* Interpreter's published helper return address (see TCG_GETPC). */
extern __thread uintptr_t tcg_interp_retaddr;

#endif
