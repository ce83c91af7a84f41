/* tcg.h: public API of vireo's guest-independent translator: IR builder, blocks, code cache. */
#ifndef TCG_TCG_H
#define TCG_TCG_H

/*
 * Overview
 * ========
 * A front end (cpu/x86) turns guest instructions into IR by calling tcg_gen_*();
 * the engine simplifies while emitting, optimizes the block, allocates host
 * registers and emits host code through a back end (tcg/x86_64: native x86-64
 * machine code; tcg/interp: a bytecode interpreter that runs on any 64-bit host).
 * A driver (accel/tcg) owns the execution loop: it looks blocks up, asks for
 * translations, runs them, links them and invalidates them.
 *
 * Values live in temporaries ("temps") of three types:
 *   TCGv_i32  32-bit integer
 *   TCGv_i64  64-bit integer
 *   TCGv_ptr  host pointer (64 bits: vireo supports 64-bit hosts only)
 * Kinds of temp:
 *   globals    backed by a field of the CPU-state struct ("env"), created once at
 *              start-up with tcg_global_mem_new_*(offset, name). The engine may
 *              keep them in host registers inside a block; they are written back
 *              to env at block exits and chaining slots, at branches and labels
 *              inside the block, before helper calls that read globals or may
 *              raise, and before guest memory accesses (whose slow path may
 *              raise). Helpers that write globals make the engine reload them.
 *   temps      tcg_temp_new_*(): scratch values private to one block. A temp keeps
 *              its value across labels and branches within the block, and is
 *              undefined at the start of every block. Freeing (tcg_temp_free_*) is
 *              optional; every temp is released when the block is finished.
 *   constants  tcg_constant_*(value): read-only, interned; never write to one.
 *
 * Runnable example: a front end translating "r0 += [r1]; goto pc+4" where r0/r1
 * are uint64_t fields of a CPU struct `CPU`:
 *
 *     // once, after tcg_init():
 *     TCGv_i64 r0 = tcg_global_mem_new_i64(offsetof(CPU, r[0]), "r0");
 *     TCGv_i64 r1 = tcg_global_mem_new_i64(offsetof(CPU, r[1]), "r1");
 *     TCGv_i64 pc = tcg_global_mem_new_i64(offsetof(CPU, pc), "pc");
 *
 *     // the translate callback given to tcg_tb_gen():
 *     static void my_translate(TranslationBlock *tb, void *opaque)
 *     {
 *         TCGv_i64 t = tcg_temp_new_i64();
 *         tcg_gen_insn_start(tb->pc, 0);
 *         tcg_gen_guest_ld_i64(t, r1, MMU_USER, MO_UQ);
 *         tcg_gen_add_i64(r0, r0, t);
 *         tcg_gen_goto_tb(0);                     // chaining slot 0
 *         tcg_gen_movi_i64(pc, tb->pc + 4);
 *         tcg_gen_exit_tb(tb, 0);
 *         tb->size = 4;
 *         tb->icount = 1;
 *     }
 *
 * A driver's execution loop (accel/tcg), in outline:
 *
 *     TranslationBlock *last = NULL; unsigned idx = 0;
 *     for (;;) {
 *         TranslationBlock *tb = tcg_jc_lookup(&cpu->jc, pc, cs_base, flags);
 *         if (!tb) {
 *             uint64_t phys = <translate pc through the guest MMU>;
 *             tb = tcg_tb_lookup(phys, pc, cs_base, flags);
 *             if (!tb) {
 *                 uint32_t gen = tcg_cache_gen();
 *                 tb = tcg_tb_gen(pc, phys, cs_base, flags, 0, front_end_translate, cpu);
 *                 if (gen != tcg_cache_gen())
 *                     last = NULL;              // the cache was flushed
 *             }
 *             tcg_jc_insert(&cpu->jc, tb);
 *         }
 *         if (last && idx < 2)
 *             tcg_tb_link(last, idx, tb);       // next time, no trip through here
 *         uintptr_t r = tcg_tb_exec(env, tb);   // guest faults longjmp out of this
 *         last = TB_EXIT_TB(r);
 *         idx = TB_EXIT_INDEX(r);
 *         if (idx == TB_EXIT_REQUESTED) { last = NULL; <handle interrupts>; }
 *         <read the next pc, cs_base and flags from env>
 *     }
 *
 * Self-modifying code: the driver marks TLB write entries of pages for which
 * tcg_page_has_code() is true with a low "slow" bit; its store slow path then
 * calls tcg_tb_invalidate_phys_range() for the bytes written.
 *
 * Threading: the builder uses one context per engine; tcg_tb_gen() serializes
 * translations with a lock, so the translate callback runs under that lock.
 * Generated code may run concurrently on several threads.
 */

#include "util/osdep.h"

/* ---------------------------------------------------------------- types */

typedef enum TCGType {
    TCG_TYPE_I32 = 0,
    TCG_TYPE_I64 = 1,
    TCG_TYPE_PTR = TCG_TYPE_I64,   /* 64-bit hosts only */
    TCG_TYPE_VOID = 2,             /* helper return type only */
} TCGType;

/* Distinct struct types so that mixing i32 and i64 is a compile error. The
 * member is the temp's index in the engine; treat it as opaque. */
typedef struct TCGv_i32 { int n; } TCGv_i32;
typedef struct TCGv_i64 { int n; } TCGv_i64;
typedef struct TCGv_ptr { int n; } TCGv_ptr;
/* An untyped reference to any temp, for helper-call argument lists. */
typedef struct TCGTempRef { int n; } TCGTempRef;

#define tcg_ref(v) _Generic((v), \
    TCGv_i32: (TCGTempRef){ (v).n }, \
    TCGv_i64: (TCGTempRef){ (v).n }, \
    TCGv_ptr: (TCGTempRef){ (v).n }, \
    TCGTempRef: (v))
/* "no return value" for tcg_gen_call*(). */
#define TCG_NORET ((TCGTempRef){ -1 })

/* The pointer to the CPU-state struct, passed to every block (a global). */
extern TCGv_ptr tcg_env;

typedef enum TCGCond {
    TCG_COND_NEVER = 0,
    TCG_COND_ALWAYS = 1,
    TCG_COND_EQ = 8,
    TCG_COND_NE = 9,
    TCG_COND_LT = 2,     /* signed */
    TCG_COND_GE = 3,
    TCG_COND_LE = 4,
    TCG_COND_GT = 5,
    TCG_COND_LTU = 10,   /* unsigned */
    TCG_COND_GEU = 11,
    TCG_COND_LEU = 12,
    TCG_COND_GTU = 13,
} TCGCond;

/* Inverse condition (a OP b is false) and swapped operands (b OP' a). */
TCGCond tcg_invert_cond(TCGCond c);
TCGCond tcg_swap_cond(TCGCond c);

/* Guest memory access description: size, signedness. Guest memory is little-endian. */
typedef enum MemOp {
    MO_8 = 0, MO_16 = 1, MO_32 = 2, MO_64 = 3,
    MO_SIZE = 3,
    MO_SIGN = 4,
    MO_UB = MO_8, MO_UW = MO_16, MO_UL = MO_32, MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN, MO_SW = MO_16 | MO_SIGN, MO_SL = MO_32 | MO_SIGN,
} MemOp;

/* The "oi" word handed to soft-TLB slow paths: memop in bits 0-7, MMU index above. */
#define TCG_OI(memop, mmu_idx) ((uint32_t)(memop) | ((uint32_t)(mmu_idx) << 8))
#define TCG_OI_MEMOP(oi) ((MemOp)((oi) & 0xff))
#define TCG_OI_MMU(oi) ((unsigned)(oi) >> 8)

typedef struct TCGLabel TCGLabel;
typedef struct TranslationBlock TranslationBlock;

/* ---------------------------------------------------------------- temps */

TCGv_i32 tcg_global_mem_new_i32(intptr_t env_offset, const char *name);
TCGv_i64 tcg_global_mem_new_i64(intptr_t env_offset, const char *name);
TCGv_ptr tcg_global_mem_new_ptr(intptr_t env_offset, const char *name);

TCGv_i32 tcg_temp_new_i32(void);
TCGv_i64 tcg_temp_new_i64(void);
TCGv_ptr tcg_temp_new_ptr(void);
void tcg_temp_free_i32(TCGv_i32 t);
void tcg_temp_free_i64(TCGv_i64 t);
void tcg_temp_free_ptr(TCGv_ptr t);

TCGv_i32 tcg_constant_i32(int32_t v);
TCGv_i64 tcg_constant_i64(int64_t v);
TCGv_ptr tcg_constant_ptr(intptr_t v);

/* ---------------------------------------------------------------- ops
 * Every emitter takes the destination first. Destination and sources may be the
 * same temp. "i" variants take an immediate second operand. Shift and rotate
 * counts are taken modulo the width (x86 semantics of the host instruction;
 * front ends mask counts themselves when the guest needs other behaviour).
 * Each op exists for i32 and i64; the i64 list is the same with _i64 names.
 */
#define TCG_DECLARE_OPS(W, T, I) \
void tcg_gen_mov_##W(T ret, T arg); \
void tcg_gen_movi_##W(T ret, I v); \
void tcg_gen_add_##W(T ret, T a, T b); \
void tcg_gen_addi_##W(T ret, T a, I b); \
void tcg_gen_sub_##W(T ret, T a, T b); \
void tcg_gen_subi_##W(T ret, T a, I b); \
void tcg_gen_subfi_##W(T ret, I a, T b);       /* ret = a - b */ \
void tcg_gen_neg_##W(T ret, T a); \
void tcg_gen_and_##W(T ret, T a, T b); \
void tcg_gen_andi_##W(T ret, T a, I b); \
void tcg_gen_or_##W(T ret, T a, T b); \
void tcg_gen_ori_##W(T ret, T a, I b); \
void tcg_gen_xor_##W(T ret, T a, T b); \
void tcg_gen_xori_##W(T ret, T a, I b); \
void tcg_gen_not_##W(T ret, T a); \
void tcg_gen_andc_##W(T ret, T a, T b);                 /* a & ~b */ \
void tcg_gen_orc_##W(T ret, T a, T b);                  /* a | ~b */ \
void tcg_gen_eqv_##W(T ret, T a, T b);                  /* ~(a ^ b) */ \
void tcg_gen_nand_##W(T ret, T a, T b); \
void tcg_gen_nor_##W(T ret, T a, T b); \
void tcg_gen_shl_##W(T ret, T a, T b); \
void tcg_gen_shli_##W(T ret, T a, I b); \
void tcg_gen_shr_##W(T ret, T a, T b);                  /* logical */ \
void tcg_gen_shri_##W(T ret, T a, I b); \
void tcg_gen_sar_##W(T ret, T a, T b);                  /* arithmetic */ \
void tcg_gen_sari_##W(T ret, T a, I b); \
void tcg_gen_rotl_##W(T ret, T a, T b); \
void tcg_gen_rotli_##W(T ret, T a, I b); \
void tcg_gen_rotr_##W(T ret, T a, T b); \
void tcg_gen_rotri_##W(T ret, T a, I b); \
void tcg_gen_mul_##W(T ret, T a, T b);                  /* low half */ \
void tcg_gen_muli_##W(T ret, T a, I b); \
void tcg_gen_mulsh_##W(T ret, T a, T b);                /* high half, signed */ \
void tcg_gen_muluh_##W(T ret, T a, T b);                /* high half, unsigned */ \
void tcg_gen_muls2_##W(T lo, T hi, T a, T b);           /* full signed product */ \
void tcg_gen_mulu2_##W(T lo, T hi, T a, T b);           /* full unsigned product */ \
/* Division goes through internal helpers. Defined for every input: x/0 = -1 \
 * (all ones), x%0 = x, MIN/-1 = MIN, MIN%-1 = 0. Guests that trap on those \
 * cases (x86 #DE) must test before dividing or use their own helper. */ \
void tcg_gen_div_##W(T ret, T a, T b); \
void tcg_gen_rem_##W(T ret, T a, T b); \
void tcg_gen_divu_##W(T ret, T a, T b); \
void tcg_gen_remu_##W(T ret, T a, T b); \
void tcg_gen_ext8s_##W(T ret, T a); \
void tcg_gen_ext8u_##W(T ret, T a); \
void tcg_gen_ext16s_##W(T ret, T a); \
void tcg_gen_ext16u_##W(T ret, T a); \
/* Bit fields: ofs + len <= width, len >= 1. deposit: ret = a with bits \
 * [ofs, ofs+len) replaced by the low len bits of b. extract: zero-extended \
 * field of a; sextract: sign-extended. */ \
void tcg_gen_deposit_##W(T ret, T a, T b, unsigned ofs, unsigned len); \
void tcg_gen_extract_##W(T ret, T a, unsigned ofs, unsigned len); \
void tcg_gen_sextract_##W(T ret, T a, unsigned ofs, unsigned len); \
/* Byte swaps: bswap16 swaps the low 2 bytes and zero-extends; bswap32 the \
 * low 4 bytes (zero-extended in i64). */ \
void tcg_gen_bswap16_##W(T ret, T a); \
void tcg_gen_bswap32_##W(T ret, T a); \
/* Bit counts; for a == 0 the result is `zero` (e.g. the width, or the old \
 * destination for x86 BSF/BSR-like semantics). */ \
void tcg_gen_clz_##W(T ret, T a, T zero); \
void tcg_gen_ctz_##W(T ret, T a, T zero); \
void tcg_gen_ctpop_##W(T ret, T a); \
/* ret = (a cond b) ? 1 : 0;  negsetcond: ? -1 : 0. */ \
void tcg_gen_setcond_##W(TCGCond c, T ret, T a, T b); \
void tcg_gen_setcondi_##W(TCGCond c, T ret, T a, I b); \
void tcg_gen_negsetcond_##W(TCGCond c, T ret, T a, T b); \
/* ret = (c1 cond c2) ? v1 : v2 */ \
void tcg_gen_movcond_##W(TCGCond c, T ret, T c1, T c2, T v1, T v2); \
void tcg_gen_brcond_##W(TCGCond c, T a, T b, TCGLabel *l); \
void tcg_gen_brcondi_##W(TCGCond c, T a, I b, TCGLabel *l); \
/* Host memory relative to a pointer temp (usually tcg_env). Loads: 8/16/32 \
 * with u/s extension, and full width. Must not alias a global's storage. */ \
void tcg_gen_ld8u_##W(T ret, TCGv_ptr base, intptr_t ofs); \
void tcg_gen_ld8s_##W(T ret, TCGv_ptr base, intptr_t ofs); \
void tcg_gen_ld16u_##W(T ret, TCGv_ptr base, intptr_t ofs); \
void tcg_gen_ld16s_##W(T ret, TCGv_ptr base, intptr_t ofs); \
void tcg_gen_ld_##W(T ret, TCGv_ptr base, intptr_t ofs); \
void tcg_gen_st8_##W(T val, TCGv_ptr base, intptr_t ofs); \
void tcg_gen_st16_##W(T val, TCGv_ptr base, intptr_t ofs); \
void tcg_gen_st_##W(T val, TCGv_ptr base, intptr_t ofs); \
/* Guest memory through the soft TLB (see TCGSoftTLB). The address is always \
 * an i64 (zero-extend 32-bit guest addresses first). Sizes smaller than the \
 * value type are zero- or sign-extended per MO_SIGN. */ \
void tcg_gen_guest_ld_##W(T val, TCGv_i64 addr, unsigned mmu_idx, MemOp op); \
void tcg_gen_guest_st_##W(T val, TCGv_i64 addr, unsigned mmu_idx, MemOp op);

TCG_DECLARE_OPS(i32, TCGv_i32, int32_t)
TCG_DECLARE_OPS(i64, TCGv_i64, int64_t)
#undef TCG_DECLARE_OPS

void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st32_i64(TCGv_i64 val, TCGv_ptr base, intptr_t ofs);
void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a);

/* The value of t is not needed any more (until it is written again): the
 * engine may skip writing it back. For a global, its env field then holds an
 * unspecified older value. Front ends use it for lazily computed flags. */
void tcg_gen_discard_i32(TCGv_i32 t);
void tcg_gen_discard_i64(TCGv_i64 t);

/* Width conversions. */
void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a);     /* zero-extend */
void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a);      /* sign-extend */
void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a);    /* low half */
void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a);    /* high half */
void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi);

/* Pointer ops (TCGv_ptr is 64-bit; these are the i64 ops on pointers). */
void tcg_gen_mov_ptr(TCGv_ptr ret, TCGv_ptr a);
void tcg_gen_addi_ptr(TCGv_ptr ret, TCGv_ptr a, intptr_t b);
void tcg_gen_add_ptr(TCGv_ptr ret, TCGv_ptr a, TCGv_ptr b);
void tcg_gen_ext_i32_ptr(TCGv_ptr ret, TCGv_i32 a);      /* sign-extend */
void tcg_gen_extu_i32_ptr(TCGv_ptr ret, TCGv_i32 a);     /* zero-extend */
void tcg_gen_ld_ptr(TCGv_ptr ret, TCGv_ptr base, intptr_t ofs);
void tcg_gen_st_ptr(TCGv_ptr val, TCGv_ptr base, intptr_t ofs);

/* ---------------------------------------------------------------- control flow
 * Labels are local to the block being translated. A label may be branched to
 * before or after it is set; it must be set exactly once if it is used.
 */
TCGLabel *gen_new_label(void);
void gen_set_label(TCGLabel *l);
void tcg_gen_br(TCGLabel *l);

/* Marks the start of a guest instruction. The words are the front end's own
 * (e.g. guest PC and a cc_op); tcg_restore_state() returns them for the
 * instruction containing a faulting host PC. Call it before the IR of every
 * guest instruction. */
#define TCG_INSN_START_WORDS 2
void tcg_gen_insn_start(uint64_t w0, uint64_t w1);

/* Leave the block, returning (uintptr_t)tb | idx to the driver (see
 * tcg_tb_exec). idx 0/1 means "the chaining slot idx was not linked",
 * so the driver may link it; idx TB_EXIT_NOCHAIN (2) means "do not chain".
 * tb may be NULL (then the driver sees just idx). */
#define TB_EXIT_IDX0 0
#define TB_EXIT_IDX1 1
#define TB_EXIT_NOCHAIN 2
#define TB_EXIT_REQUESTED 3      /* the engine's exit-request check fired */
#define TB_EXIT_MASK 3
void tcg_gen_exit_tb(const TranslationBlock *tb, unsigned idx);

/* Chaining slot n (0 or 1): a jump that initially falls through to the IR that
 * follows; tcg_tb_link() later patches it to jump straight to another block.
 * Pattern: goto_tb(n); <store the next guest PC>; exit_tb(tb, n). Each slot may
 * be used at most once per block. */
void tcg_gen_goto_tb(unsigned n);

/* Indirect jump that stays in generated code: writes back globals, calls the
 * driver's TCGConfig.lookup_tb(env) (which reads the next guest PC and mode
 * from env and returns that block, or NULL), and jumps straight into the block
 * found; if none, the block exits with the value TB_EXIT_NOCHAIN (no tb).
 * Use it after storing the next PC for returns and indirect jumps/calls. */
void tcg_gen_lookup_and_goto_ptr(void);

/* ---------------------------------------------------------------- helpers
 * A helper is a plain C function taking up to 6 integer/pointer arguments and
 * returning void, an integer or a pointer. Its TCGHelperInfo says what it does
 * to CPU state, which tells the engine what it must write back before the call
 * and what it must reload after it. The default (flags 0) is the safe choice:
 * reads and writes globals, has side effects, may raise a guest exception.
 */
enum {
    TCG_CALL_NO_READ_GLOBALS  = 1 << 0,  /* never reads a global's env field */
    TCG_CALL_NO_WRITE_GLOBALS = 1 << 1,  /* never writes a global's env field */
    TCG_CALL_NO_SIDE_EFFECTS  = 1 << 2,  /* only computes its result: may be deleted */
    TCG_CALL_NO_RAISE         = 1 << 3,  /* never longjmps out of generated code */
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_PURE = TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS | TCG_CALL_NO_RAISE,
};

typedef struct TCGHelperInfo {
    void *func;
    const char *name;          /* for IR dumps */
    unsigned flags;            /* TCG_CALL_* */
    TCGType ret;               /* TCG_TYPE_VOID, _I32, _I64 or _PTR */
    unsigned nargs;            /* 0..6 */
    TCGType args[6];           /* TCG_TYPE_I32 arguments are passed as int32_t */
} TCGHelperInfo;

/* Shorthand: TCG_HELPER(helper_foo, TCG_CALL_NO_RWG, TCG_TYPE_I32, TCG_TYPE_PTR, TCG_TYPE_I32)
 * expands to a TCGHelperInfo initializer for `uint32_t helper_foo(void *, uint32_t)`. */
#define TCG_HELPER(fn, fl, rt, ...) { \
    .func = (void *)(fn), .name = #fn, .flags = (fl), .ret = (rt), \
    .nargs = sizeof((TCGType[]){ __VA_ARGS__ }) / sizeof(TCGType), \
    .args = { __VA_ARGS__ } }
#define TCG_HELPER0(fn, fl, rt) { .func = (void *)(fn), .name = #fn, .flags = (fl), .ret = (rt) }

/* ret is TCG_NORET or a temp of the helper's return type; args match info->args. */
void tcg_gen_callN(const TCGHelperInfo *info, TCGTempRef ret, unsigned nargs, const TCGTempRef *args);
#define tcg_gen_call0(i, r) tcg_gen_callN(i, r, 0, NULL)
#define tcg_gen_call1(i, r, a) tcg_gen_callN(i, r, 1, (TCGTempRef[]){ tcg_ref(a) })
#define tcg_gen_call2(i, r, a, b) tcg_gen_callN(i, r, 2, (TCGTempRef[]){ tcg_ref(a), tcg_ref(b) })
#define tcg_gen_call3(i, r, a, b, c) \
    tcg_gen_callN(i, r, 3, (TCGTempRef[]){ tcg_ref(a), tcg_ref(b), tcg_ref(c) })
#define tcg_gen_call4(i, r, a, b, c, d) \
    tcg_gen_callN(i, r, 4, (TCGTempRef[]){ tcg_ref(a), tcg_ref(b), tcg_ref(c), tcg_ref(d) })
#define tcg_gen_call5(i, r, a, b, c, d, e) \
    tcg_gen_callN(i, r, 5, (TCGTempRef[]){ tcg_ref(a), tcg_ref(b), tcg_ref(c), tcg_ref(d), tcg_ref(e) })
#define tcg_gen_call6(i, r, a, b, c, d, e, f) tcg_gen_callN(i, r, 6, \
    (TCGTempRef[]){ tcg_ref(a), tcg_ref(b), tcg_ref(c), tcg_ref(d), tcg_ref(e), tcg_ref(f) })

/* Host return address for a helper that may raise: pass it to
 * tcg_restore_state(). Works with both back ends (the interpreter publishes
 * the position of the call it is executing). Use only in the helper itself. */
#define TCG_GETPC() tcg_getpc((uintptr_t)__builtin_return_address(0))
uintptr_t tcg_getpc(uintptr_t native_ra);

/* ---------------------------------------------------------------- driver side */

/*
 * Soft TLB, supplied by the driver. Layout in env, at tlb_offset:
 *     entry[nb_mmu_idx][1 << index_bits], each (1 << entry_bits) bytes,
 * index = (addr >> page_bits) & ((1 << index_bits) - 1).
 * Each entry has three uint64_t tags (read/write/code) and a host addend
 * (uintptr_t) at the given offsets. A tag is the page-aligned guest virtual
 * address; any bit set in the low page_bits (e.g. "MMIO", "watch", "code page,
 * not writable directly") or an all-ones tag sends the access to the slow path.
 * On a hit, host address = guest address + addend. Accesses that cross a page
 * boundary always take the slow path.
 * The slow paths get the oi word (TCG_OI) and the host return address; they
 * return the loaded value zero-extended from its size (the engine does sign
 * extension). To raise a guest exception they call tcg_restore_state(retaddr,..)
 * and longjmp to the driver; globals are already in env at that point.
 */
typedef struct TCGSoftTLB {
    intptr_t tlb_offset;
    unsigned nb_mmu_idx;
    unsigned index_bits;
    unsigned entry_bits;
    unsigned page_bits;
    unsigned addr_read_ofs, addr_write_ofs, addr_code_ofs, addend_ofs;
    uint64_t (*load_slow)(void *env, uint64_t addr, uint32_t oi, uintptr_t retaddr);
    void (*store_slow)(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t retaddr);
} TCGSoftTLB;

typedef enum TCGBackendKind {
    TCG_BACKEND_AUTO = 0,       /* native if configured, else interp */
    TCG_BACKEND_NATIVE,
    TCG_BACKEND_INTERP,
} TCGBackendKind;

typedef struct TCGConfig {
    TCGBackendKind backend;
    size_t code_size;           /* code cache bytes; 0: 64 MiB */
    const TCGSoftTLB *tlb;      /* required before any guest ld/st is emitted */
    /* If set, every block starts by testing the int32 at env + exit_request_ofs
     * and leaves with TB_EXIT_REQUESTED when it is nonzero (interrupts, kicks). */
    bool exit_request;
    intptr_t exit_request_ofs;
    /* For tcg_gen_lookup_and_goto_ptr(): the next block for the state in env,
     * or NULL. Must not longjmp. Typically tcg_jc_lookup on the CPU's jump cache. */
    TranslationBlock *(*lookup_tb)(void *env);
} TCGConfig;

/* One-time set-up. Returns false (with error_report) if the requested back end
 * is unavailable. Creates tcg_env. Call tcg_global_mem_new_* after it. */
bool tcg_init(const TCGConfig *cfg);
/* Switch back end at run time (both are built on x86-64 hosts); flushes the cache. */
bool tcg_select_backend(TCGBackendKind kind);
const char *tcg_backend_name(void);      /* "native (x86-64)" or "interp" */
bool tcg_native_available(void);         /* native back end compiled in and usable */

#define TB_MAX_INSNS_DEFAULT 512
#define CF_COUNT_MASK   0x000001ffu      /* max guest insns for this block; 0: default */
#define CF_NO_CHAIN     0x00010000u      /* tcg_tb_link refuses to link out of it */
/* Not entered in the hash or page lists, so no look-up ever finds it (use with
 * a count of 1 for single-stepping); it lives until the next flush. */
#define CF_NO_CACHE     0x00020000u

struct TranslationBlock {
    /* Key, set by tcg_tb_gen from its arguments. */
    uint64_t pc;               /* guest virtual PC of the first instruction */
    uint64_t phys_pc;          /* guest physical PC (the hash key) */
    uint64_t cs_base;          /* opaque word of the front end */
    uint32_t flags;            /* CPU mode flags of the front end */
    uint32_t cflags;           /* CF_* */
    /* Set by the translate callback. */
    uint32_t size;             /* guest bytes translated */
    uint32_t icount;           /* guest instructions translated */
    uint64_t page2_phys;       /* physical page of the last byte if the block crosses
                                  a page; ~0 otherwise (the default) */
    /* Engine private from here on. */
    void *tc_ptr;              /* entry of the host code (or bytecode) */
    uint32_t tc_size;
    uint32_t gen;              /* code-cache generation */
    bool invalid;
    uint32_t jmp_patch_ofs[2]; /* offset from tc_ptr of each chaining slot, ~0 if unused */
    uint32_t jmp_reset_ofs[2]; /* where each slot points when unlinked */
    TranslationBlock *jmp_dest[2];
    uintptr_t jmp_in_list;     /* tagged (tb | slot) list of blocks linking to us */
    uintptr_t jmp_in_next[2];  /* links of that list, per slot */
    TranslationBlock *hash_next;
    uintptr_t page_next[2];    /* tagged (tb | n) per-page lists */
    uint32_t n_insns;          /* entries in insn_map */
    struct TCGInsnMap *insn_map;
};

/* Per-CPU jump cache: a direct-mapped array in front of the global hash. The
 * driver embeds it in its per-CPU data, zero-initialized. */
#define TCG_JC_BITS 12
typedef struct TCGJumpCache {
    uint32_t gen;
    TranslationBlock *tb[1 << TCG_JC_BITS];
} TCGJumpCache;

/* Generates a block: calls translate(tb, opaque) with tb's key fields set, the
 * callback emits IR; then the engine optimizes and emits code, inserts the block
 * in the hash table and in the page lists for page(phys_pc) and page2_phys.
 * Flushes the whole cache first if it is full. Never returns NULL.
 * Rules for the callback:
 *  - stop after (tb->cflags & CF_COUNT_MASK) guest instructions (if nonzero);
 *    the engine retranslates with a smaller count if a block runs out of temps
 *    or labels, so the callback may be called more than once for one block;
 *  - end every path with tcg_gen_exit_tb() (optionally after goto_tb);
 *  - never longjmp out (the engine holds its lock): if fetching the first
 *    instruction faults, emit a call to a helper that raises the fault when the
 *    block runs, then exit; if a later one faults, end the block before it;
 *  - set tb->size, tb->icount and, when the code crosses into a second
 *    physical page, tb->page2_phys. */
typedef void TCGTranslateFn(TranslationBlock *tb, void *opaque);
TranslationBlock *tcg_tb_gen(uint64_t pc, uint64_t phys_pc, uint64_t cs_base, uint32_t flags,
                             uint32_t cflags, TCGTranslateFn *translate, void *opaque);

/* Look-ups: the jump cache by virtual PC (checks pc, cs_base, flags; clear it
 * with tcg_jc_clear when the guest's virtual-to-physical mapping changes), and
 * the global hash by physical PC. Return NULL on a miss. */
TranslationBlock *tcg_jc_lookup(TCGJumpCache *jc, uint64_t pc, uint64_t cs_base, uint32_t flags);
void tcg_jc_insert(TCGJumpCache *jc, TranslationBlock *tb);
void tcg_jc_clear(TCGJumpCache *jc);
TranslationBlock *tcg_tb_lookup(uint64_t phys_pc, uint64_t pc, uint64_t cs_base, uint32_t flags);

/* Runs tb (and whatever it chains to) with env; returns (uintptr_t)last_tb | idx
 * of the exit_tb that left, see TB_EXIT_*. */
uintptr_t tcg_tb_exec(void *env, TranslationBlock *tb);
#define TB_EXIT_TB(r) ((TranslationBlock *)((r) & ~(uintptr_t)TB_EXIT_MASK))
#define TB_EXIT_INDEX(r) ((unsigned)((r) & TB_EXIT_MASK))

/* Patch from's chaining slot n to jump to `to`. No-op (returns false) if either
 * block was invalidated, or from has CF_NO_CHAIN. Both must belong to the
 * current cache generation: a tcg_tb_gen() may flush the whole cache, so the
 * driver compares tcg_cache_gen() before and after it and forgets last_tb if
 * it changed (block structs are recycled, a stale pointer could alias a new
 * block). */
bool tcg_tb_link(TranslationBlock *from, unsigned n, TranslationBlock *to);

/* Invalidate (and unlink) every block with code in guest physical [start, end).
 * Returns the number of blocks invalidated. */
unsigned tcg_tb_invalidate_phys_range(uint64_t start, uint64_t end);
/* Does any valid block hold code from this guest physical page (page_bits of the TLB,
 * 4 KiB if no TLB)? The driver uses it to trap writes to code pages. */
bool tcg_page_has_code(uint64_t phys_addr);
/* Drop every block. */
void tcg_tb_flush(void);
/* Incremented by every flush (including the automatic one when full). */
uint32_t tcg_cache_gen(void);

/* Map a host PC inside generated code (a helper's TCG_GETPC(), a slow-path
 * retaddr) back to the guest instruction: copies its insn_start words to
 * words[TCG_INSN_START_WORDS]. Returns the block, or NULL if host_pc is not in
 * generated code. */
TranslationBlock *tcg_restore_state(uintptr_t host_pc, uint64_t *words);

typedef struct TCGStats {
    uint64_t blocks;           /* live blocks in the cache */
    uint64_t blocks_total;     /* blocks translated since start */
    uint64_t code_bytes;       /* bytes of the cache in use */
    uint64_t code_capacity;
    uint64_t chains;           /* tcg_tb_link patches made */
    uint64_t unlinks;
    uint64_t invalidated;
    uint64_t flushes;
    uint64_t ops_in, ops_out;  /* IR ops emitted by front ends / after optimization */
} TCGStats;
void tcg_stats_get(TCGStats *s);
/* "-d tb_stats" / monitor: one block of lines. */
void tcg_stats_dump(FILE *f);

#endif
