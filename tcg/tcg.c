/* tcg.c: translation context: temps, labels, op list, IR dump, liveness, engine set-up. */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg-internal.h"

const TCGOpDef tcg_op_defs[NB_OPS] = {
#define TCG_DEF_TAB(n, o, i, c, f) [INDEX_op_##n] = { #n, o, i, c, f },
    TCG_OPCODES(TCG_DEF_TAB)
#undef TCG_DEF_TAB
};

static TCGContext tcg_ctx_storage;
TCGContext *tcg_ctx = &tcg_ctx_storage;
TCGv_ptr tcg_env;
TCGConfig tcg_config;
TCGSoftTLB tcg_tlb;
bool tcg_have_tlb;
const TCGBackend *tcg_backend;
static bool tcg_initialized;

static TCGLabel label_pool[TCG_MAX_LABELS];
/* Interned constants of the current block: open addressing on (type, value). */
#define CONST_HASH_SIZE 1024
static int const_hash[CONST_HASH_SIZE];

TCGCond tcg_invert_cond(TCGCond c) { return (TCGCond)(c ^ 1); }

TCGCond tcg_swap_cond(TCGCond c)
{
    switch (c) {
    case TCG_COND_LT: return TCG_COND_GT;
    case TCG_COND_GT: return TCG_COND_LT;
    case TCG_COND_LE: return TCG_COND_GE;
    case TCG_COND_GE: return TCG_COND_LE;
    case TCG_COND_LTU: return TCG_COND_GTU;
    case TCG_COND_GTU: return TCG_COND_LTU;
    case TCG_COND_LEU: return TCG_COND_GEU;
    case TCG_COND_GEU: return TCG_COND_LEU;
    default: return c;
    }
}

/* ---------------------------------------------------------------- temps */

static int temp_alloc_index(TCGContext *s)
{
    if (s->nb_temps >= TCG_MAX_TEMPS) {
        s->overflow = true;
        return TCG_MAX_TEMPS - 1;   /* a sink; the block is thrown away */
    }
    return s->nb_temps++;
}

static int global_new(TCGType type, intptr_t ofs, const char *name, TCGTempKind kind)
{
    TCGContext *s = tcg_ctx;
    if (!tcg_initialized)
        fatal("tcg: global '%s' created before tcg_init()", name);
    if (s->nb_temps != s->nb_globals)
        fatal("tcg: global '%s' created while a block is being translated", name);
    if (s->nb_globals >= TCG_MAX_TEMPS / 2)
        fatal("tcg: too many globals (%d)", s->nb_globals);
    int i = s->nb_globals++;
    s->nb_temps = s->nb_globals;
    TCGTemp *t = &s->temps[i];
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->kind = kind;
    t->mem_ofs = ofs;
    t->name = xstrdup(name);
    t->in_use = true;
    return i;
}

TCGv_i32 tcg_global_mem_new_i32(intptr_t ofs, const char *name)
{ return (TCGv_i32){ global_new(TCG_TYPE_I32, ofs, name, TEMP_GLOBAL) }; }
TCGv_i64 tcg_global_mem_new_i64(intptr_t ofs, const char *name)
{ return (TCGv_i64){ global_new(TCG_TYPE_I64, ofs, name, TEMP_GLOBAL) }; }
TCGv_ptr tcg_global_mem_new_ptr(intptr_t ofs, const char *name)
{ return (TCGv_ptr){ global_new(TCG_TYPE_PTR, ofs, name, TEMP_GLOBAL) }; }

static int temp_new(TCGType type)
{
    TCGContext *s = tcg_ctx;
    /* Reuse a freed temp of the same type: keeps blocks within TCG_MAX_TEMPS. */
    for (int i = s->nb_temps - 1; i >= s->nb_globals; i--) {
        TCGTemp *t = &s->temps[i];
        if (t->free && t->type == type) {
            t->free = false;
            return i;
        }
    }
    int i = temp_alloc_index(s);
    TCGTemp *t = &s->temps[i];
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->kind = TEMP_TB;
    t->in_use = true;
    return i;
}

TCGv_i32 tcg_temp_new_i32(void) { return (TCGv_i32){ temp_new(TCG_TYPE_I32) }; }
TCGv_i64 tcg_temp_new_i64(void) { return (TCGv_i64){ temp_new(TCG_TYPE_I64) }; }
TCGv_ptr tcg_temp_new_ptr(void) { return (TCGv_ptr){ temp_new(TCG_TYPE_PTR) }; }

static void temp_free(int n)
{
    TCGTemp *t = &tcg_ctx->temps[n];
    /* A freed temp may be reused, so its old value must not be live any more:
     * liveness sees the redefinition and handles that. Globals and constants
     * are never freed. */
    if (t->kind == TEMP_TB)
        t->free = true;
}
void tcg_temp_free_i32(TCGv_i32 t) { temp_free(t.n); }
void tcg_temp_free_i64(TCGv_i64 t) { temp_free(t.n); }
void tcg_temp_free_ptr(TCGv_ptr t) { temp_free(t.n); }

static int constant_new(TCGType type, int64_t v)
{
    TCGContext *s = tcg_ctx;
    if (type == TCG_TYPE_I32)
        v = (int32_t)v;
    uint64_t h = ((uint64_t)v * 0x9E3779B97F4A7C15ull + type) >> 54;
    for (unsigned probe = 0; probe < CONST_HASH_SIZE; probe++) {
        unsigned slot = (h + probe) & (CONST_HASH_SIZE - 1);
        int i = const_hash[slot] - 1;
        if (i < 0) {
            i = temp_alloc_index(s);
            TCGTemp *t = &s->temps[i];
            memset(t, 0, sizeof(*t));
            t->type = type;
            t->kind = TEMP_CONST;
            t->val = v;
            t->in_use = true;
            if (!s->overflow)
                const_hash[slot] = i + 1;
            return i;
        }
        if (s->temps[i].type == type && s->temps[i].val == v)
            return i;
    }
    s->overflow = true;
    return TCG_MAX_TEMPS - 1;
}

TCGv_i32 tcg_constant_i32(int32_t v) { return (TCGv_i32){ constant_new(TCG_TYPE_I32, v) }; }
TCGv_i64 tcg_constant_i64(int64_t v) { return (TCGv_i64){ constant_new(TCG_TYPE_I64, v) }; }
TCGv_ptr tcg_constant_ptr(intptr_t v) { return (TCGv_ptr){ constant_new(TCG_TYPE_PTR, v) }; }

/* ---------------------------------------------------------------- ops, labels */

TCGOp *tcg_emit_op(TCGOpcode opc, TCGType type)
{
    TCGContext *s = tcg_ctx;
    if (s->nb_ops == s->cap_ops) {
        s->cap_ops = s->cap_ops ? s->cap_ops * 2 : 1024;
        s->ops = xrealloc(s->ops, s->cap_ops * sizeof(TCGOp));
    }
    TCGOp *op = &s->ops[s->nb_ops++];
    memset(op, 0, sizeof(*op));
    op->opc = opc;
    op->type = type;
    op->nout = tcg_op_defs[opc].nb_oargs;
    op->nin = tcg_op_defs[opc].nb_iargs;
    return op;
}

TCGLabel *gen_new_label(void)
{
    TCGContext *s = tcg_ctx;
    if (s->nb_labels >= TCG_MAX_LABELS) {
        s->overflow = true;
        return &label_pool[0];
    }
    TCGLabel *l = &label_pool[s->nb_labels];
    memset(l, 0, sizeof(*l));
    l->id = s->nb_labels;
    s->labels[s->nb_labels++] = l;
    return l;
}

TCGLabel *tcg_label_by_id(TCGContext *s, TCGArg id)
{
    return s->labels[id];
}

void tcg_func_start(TranslationBlock *tb)
{
    TCGContext *s = tcg_ctx;
    s->nb_temps = s->nb_globals;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->overflow = false;
    s->tb = tb;
    s->goto_tb_used = 0;
    memset(const_hash, 0, sizeof(const_hash));
}

/* ---------------------------------------------------------------- dump */

static const char *cond_name[16] = {
    [TCG_COND_NEVER] = "never", [TCG_COND_ALWAYS] = "always", [TCG_COND_EQ] = "eq",
    [TCG_COND_NE] = "ne", [TCG_COND_LT] = "lt", [TCG_COND_GE] = "ge", [TCG_COND_LE] = "le",
    [TCG_COND_GT] = "gt", [TCG_COND_LTU] = "ltu", [TCG_COND_GEU] = "geu",
    [TCG_COND_LEU] = "leu", [TCG_COND_GTU] = "gtu",
};

static void temp_name(TCGContext *s, TCGArg a, char *buf, size_t len)
{
    TCGTemp *t = &s->temps[a];
    switch (t->kind) {
    case TEMP_GLOBAL:
    case TEMP_ENV:
        snprintf(buf, len, "%s", t->name);
        break;
    case TEMP_CONST:
        snprintf(buf, len, "$0x%" PRIx64, tcg_trunc(t->type, t->val));
        break;
    default:
        snprintf(buf, len, "tmp%d", (int)a - s->nb_globals);
        break;
    }
}

void tcg_dump_ops(TCGContext *s, const char *title)
{
    log_lock();
    log_printf("%s: pc 0x%" PRIx64 "\n", title, s->tb ? s->tb->pc : 0);
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        char buf[64];
        if (op->opc == INDEX_op_nop)
            continue;
        if (op->opc == INDEX_op_insn_start) {
            log_printf(" ---- %016" PRIx64 " %016" PRIx64 "\n", op->args[0], op->args[1]);
            continue;
        }
        if (op->opc == INDEX_op_set_label) {
            log_printf(" L%d:\n", (int)op->args[0]);
            continue;
        }
        const char *tsuf = "";
        if (op->opc != INDEX_op_call && op->opc != INDEX_op_br && op->opc != INDEX_op_exit_tb &&
            op->opc != INDEX_op_goto_tb && op->opc != INDEX_op_extu_i32_i64 &&
            op->opc != INDEX_op_ext_i32_i64 && op->opc != INDEX_op_extrl_i64_i32)
            tsuf = op->type == TCG_TYPE_I32 ? "_i32" : "_i64";
        log_printf(" %s%s", def->name, tsuf);
        int n = op->nout + op->nin;
        for (int k = 0; k < n; k++) {
            temp_name(s, op->args[k], buf, sizeof buf);
            log_printf("%s%s%s", k ? "," : " ", buf, OP_DEAD(op, k) ? "(d)" : "");
        }
        const TCGArg *c = &op->args[n];
        switch (op->opc) {
        case INDEX_op_setcond: case INDEX_op_negsetcond: case INDEX_op_movcond:
            log_printf(",%s", cond_name[c[0] & 15]);
            break;
        case INDEX_op_brcond:
            log_printf(",%s,L%d", cond_name[c[0] & 15], (int)c[1]);
            break;
        case INDEX_op_br:
            log_printf(" L%d", (int)c[0]);
            break;
        case INDEX_op_call:
            log_printf(" %s", ((const TCGHelperInfo *)(uintptr_t)c[0])->name);
            break;
        case INDEX_op_guest_ld: case INDEX_op_guest_st:
            log_printf(",memop=%u,mmu=%u", TCG_OI_MEMOP(c[0]), TCG_OI_MMU(c[0]));
            break;
        case INDEX_op_exit_tb:
            log_printf(" 0x%" PRIx64, c[0]);
            break;
        case INDEX_op_goto_tb:
            log_printf(" %d", (int)c[0]);
            break;
        default:
            for (int k = 0; k < def->nb_cargs; k++)
                log_printf(",$0x%" PRIx64, c[k]);
            break;
        }
        log_printf("\n");
    }
    log_printf("\n");
    log_unlock();
}

/* ---------------------------------------------------------------- liveness
 * Backward pass. Within a basic block a temp is live if read later before being
 * written. At block ends, globals are live (they must be in env) and a TB temp
 * is live if any later op reads it (conservative across branches, never wrong).
 * Ops whose outputs are all dead and that have no side effects are deleted;
 * op->life records the last use of each argument for the register allocator.
 */
void tcg_liveness(TCGContext *s)
{
    int nt = s->nb_temps;
    uint8_t *live = xzalloc(nt);
    uint8_t *used_later = xzalloc(nt);

    for (int i = 0; i < s->nb_globals; i++)
        live[i] = 1;
    for (int i = s->nb_ops - 1; i >= 0; i--) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        if (op->opc == INDEX_op_nop)
            continue;
        if (def->flags & TCG_OPF_BB_END) {
            for (int k = 0; k < nt; k++)
                live[k] = k < s->nb_globals || used_later[k];
        }
        if (op->opc == INDEX_op_exit_tb || op->opc == INDEX_op_goto_ptr) {
            /* nothing of a temp survives the block */
            for (int k = s->nb_globals; k < nt; k++)
                live[k] = 0;
        }
        bool side = def->flags & TCG_OPF_SIDE_EFFECTS;
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info = (const void *)(uintptr_t)op->args[op->nout + op->nin];
            side = !(info->flags & TCG_CALL_NO_SIDE_EFFECTS) || !(info->flags & TCG_CALL_NO_RAISE) ||
                   !(info->flags & TCG_CALL_NO_WRITE_GLOBALS);
        }
        if (!side && op->nout) {
            bool any = false;
            for (int k = 0; k < op->nout; k++)
                any |= live[op->args[k]] != 0;
            if (!any) {
                op->opc = INDEX_op_nop;
                op->nout = op->nin = 0;
                continue;
            }
        }
        uint16_t life = 0;
        for (int k = 0; k < op->nout; k++) {
            TCGArg a = op->args[k];
            if (!live[a])
                life |= 1u << k;
            live[a] = 0;
        }
        if (op->opc == INDEX_op_call) {
            const TCGHelperInfo *info = (const void *)(uintptr_t)op->args[op->nout + op->nin];
            /* A helper that reads globals or may raise needs them in env: they
             * are synced before the call, so their values are live here. */
            if (!(info->flags & TCG_CALL_NO_READ_GLOBALS) || !(info->flags & TCG_CALL_NO_RAISE))
                for (int k = 0; k < s->nb_globals; k++)
                    live[k] = 1;
        }
        if (op->opc == INDEX_op_guest_ld || op->opc == INDEX_op_guest_st)
            for (int k = 0; k < s->nb_globals; k++)
                live[k] = 1;
        for (int k = op->nout; k < op->nout + op->nin; k++) {
            TCGArg a = op->args[k];
            if (!live[a])
                life |= 1u << k;
        }
        for (int k = op->nout; k < op->nout + op->nin; k++) {
            live[op->args[k]] = 1;
            used_later[op->args[k]] = 1;
        }
        /* The same temp twice among the inputs: only the last reading dies. */
        for (int k = op->nout; k < op->nout + op->nin; k++)
            for (int m = k + 1; m < op->nout + op->nin; m++)
                if (op->args[k] == op->args[m])
                    life &= ~(1u << k);
        op->life = life;
    }
    free(live);
    free(used_later);
}

/* ---------------------------------------------------------------- set-up */

bool tcg_native_available(void)
{
#ifdef CONFIG_TCG_NATIVE
    return true;
#else
    return false;
#endif
}

const char *tcg_backend_name(void)
{
    return tcg_backend ? tcg_backend->name : "none";
}

bool tcg_select_backend(TCGBackendKind kind)
{
    const TCGBackend *b = &tcg_backend_interp;
    if (kind == TCG_BACKEND_AUTO)
        kind = tcg_native_available() ? TCG_BACKEND_NATIVE : TCG_BACKEND_INTERP;
    if (kind == TCG_BACKEND_NATIVE) {
#ifdef CONFIG_TCG_NATIVE
        b = &tcg_backend_x86_64;
#else
        error_report("tcg: native back end not built in (configured with --tcg-backend=interp)");
        return false;
#endif
    }
    if (b == tcg_backend)
        return true;
    /* Blocks of one back end mean nothing to the other. */
    tcg_tb_flush();
    if (b->init && !b->init())
        return false;
    tcg_backend = b;
    return true;
}

/* -d tb_stats: the code-cache statistics when the program ends. */
static void tcg_stats_atexit(void)
{
    if (log_enabled(LOG_TB_STATS)) {
        log_lock();
        tcg_stats_dump(log_file());
        log_unlock();
    }
}

bool tcg_init(const TCGConfig *cfg)
{
    TCGContext *s = tcg_ctx;
    if (tcg_initialized) {
        /* Re-init (tests): keep globals, drop code. */
        tcg_tb_flush();
        tcg_backend = NULL;
    }
    tcg_config = *cfg;
    tcg_have_tlb = cfg->tlb != NULL;
    if (cfg->tlb)
        tcg_tlb = *cfg->tlb;
    size_t size = cfg->code_size ? cfg->code_size : 64 * MiB;
    if (!tcg_initialized) {
        if (!tcg_cache_init(size, tcg_native_available()))
            return false;
        s->nb_globals = s->nb_temps = 0;
        tcg_initialized = true;
        atexit(tcg_stats_atexit);
        tcg_env = (TCGv_ptr){ global_new(TCG_TYPE_PTR, 0, "env", TEMP_ENV) };
    }
    return tcg_select_backend(cfg->backend);
}
