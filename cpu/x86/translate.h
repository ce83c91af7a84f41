/* translate.h: internals shared by the x86 translator's files (context, operand access, flags). */
#ifndef CPU_X86_TRANSLATE_H
#define CPU_X86_TRANSLATE_H

#include "util/osdep.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/cc.h"
#include "cpu/x86/decode.h"
#include "cpu/x86/helper-tr.h"
#include "tcg/tcg.h"

/* Shorthand for the argument and return types of helper descriptors (TCG_HELPER), shared by
 * the translator's files. */
#define P TCG_TYPE_PTR
#define I32 TCG_TYPE_I32
#define I64 TCG_TYPE_I64
#define V TCG_TYPE_VOID

/* How the current instruction ended the block. */
enum {
    DISAS_NEXT = 0,        /* fall through to the next instruction */
    DISAS_EOB_NEXT,        /* end the block after this insn: store next eip, exit (no chain) */
    DISAS_JUMPED,          /* the insn emitted its own exits */
};

typedef struct DisasContext {
    X86CPUState *env;
    TranslationBlock *tb;
    X86Insn d;
    uint64_t cs_base;
    uint64_t eip;          /* of the current instruction (offset in CS) */
    uint64_t next_eip;
    uint32_t flags;        /* tb->flags (hflags) */
    int code_bits;         /* 16, 32, 64 */
    bool code64, ss32, addseg, pe, vm86;
    int cpl;
    int mmu_idx;
    uint32_t cc_op;        /* static cc_op, or X86_CC_OP_DYNAMIC */
    bool cc_op_dirty;
    int end;
    bool ss_loaded;        /* MOV SS / POP SS: no single-step trap after this insn (SDM 3A 6.8.3) */
    int ot;                /* operand size of the insn as MemOp (MO_16/32/64) */
    int aflag;             /* address size as MemOp (MO_16/32/64) */
} DisasContext;

extern TCGv_i64 cpu_regs[16];
extern TCGv_i64 cpu_cc_dst, cpu_cc_src, cpu_cc_src2;
extern TCGv_i64 cpu_seg_base[X86_NSEGS];

/* translate.c */
void set_cc_op(DisasContext *s, uint32_t op);
void gen_update_cc_op(DisasContext *s);
void gen_sync_state(DisasContext *s);           /* env->rip = eip of this insn, cc_op stored */
void gen_compute_eflags(DisasContext *s);        /* materialise flags: cc_op = EFLAGS */
void gen_compute_eflags_c(DisasContext *s, TCGv_i64 reg);
void gen_setcc(DisasContext *s, int b, TCGv_i64 reg);
void gen_jcc(DisasContext *s, int b, TCGLabel *l);
void gen_ext(int ot, TCGv_i64 ret, TCGv_i64 a, bool sign);
void gen_op_mov_v_reg(DisasContext *s, int ot, TCGv_i64 t, int reg);
void gen_op_mov_reg_v(DisasContext *s, int ot, int reg, TCGv_i64 t);
TCGv_i64 gen_lea_modrm(DisasContext *s);         /* effective address (offset only) */
int gen_default_seg(DisasContext *s);
void gen_add_seg(DisasContext *s, TCGv_i64 addr, int seg, bool override_ok);
TCGv_i64 gen_modrm_linear(DisasContext *s);      /* segment base added */
void gen_op_ld(DisasContext *s, int ot, TCGv_i64 val, TCGv_i64 addr);
void gen_op_st(DisasContext *s, int ot, TCGv_i64 val, TCGv_i64 addr);
void gen_ld_modrm(DisasContext *s, int ot, TCGv_i64 val, TCGv_i64 *addr_out);
void gen_st_modrm(DisasContext *s, int ot, TCGv_i64 val, TCGv_i64 addr);
void gen_push(DisasContext *s, int ot, TCGv_i64 val);
void gen_pop_load(DisasContext *s, int ot, TCGv_i64 val);   /* load only */
void gen_pop_update(DisasContext *s, int ot);                /* rsp += size */
void gen_stack_update(DisasContext *s, int64_t delta);
TCGv_i64 gen_stack_addr(DisasContext *s, int64_t offset);
void gen_jmp_tb(DisasContext *s, uint64_t eip, int slot);
void gen_jmp_reg(DisasContext *s, TCGv_i64 eip);
void gen_eob(DisasContext *s);
void gen_exception(DisasContext *s, int vector);
void gen_exception_err(DisasContext *s, int vector, uint32_t err);
void gen_unimplemented(DisasContext *s, const char *what);
uint64_t eip_mask(DisasContext *s, int ot);

/* translate-x87.c */
void gen_x87_insn(DisasContext *s);
void gen_fwait_insn(DisasContext *s);
void gen_fxsave_insn(DisasContext *s, bool restore);
void gen_xsave_insn(DisasContext *s, bool restore);

/* translate-sse.c: false if the instruction is not an MMX/SSE one it knows */
bool gen_sse_insn(DisasContext *s);
void gen_mxcsr_insn(DisasContext *s, bool load);
/* Mandatory prefixes (VEX.pp order) and the shapes of the SSE helpers (helper-sse.h):
 * K_INT d = d op s (width w), K_INTIMM with imm, K_FP d = d op s (16 bytes), K_FPIMM with imm. */
enum { PFX_NONE, PFX_66, PFX_F3, PFX_F2 };
enum { K_NONE, K_INT, K_INTIMM, K_FP, K_FPIMM };
/* The SSE helper of a (map, opcode, prefix) of the 0F/0F38/0F3A tables; false if none. */
bool sse_lookup(int map, int op, int pfx, const TCGHelperInfo **hi, int *kind);
intptr_t xmm_ofs(int r);                         /* env offset of YMM/XMM register r */
TCGv_ptr env_ptr(intptr_t ofs);                  /* env + ofs */
void copy_env(intptr_t dst, intptr_t src, int bytes);
void zero_env(intptr_t dst, int from, int to);   /* bytes [from, to) of dst */
void gen_check_align(DisasContext *s, TCGv_i64 a, int bytes);   /* #GP(0) unless aligned */
extern const TCGHelperInfo hi_pmovmskb, hi_movmskps, hi_movmskpd, hi_pinsr, hi_cvtsi2ss, hi_cvtsi2sd;

/* translate-vex.c: every VEX-encoded instruction (BMI1/BMI2, AVX, AVX2) */
void gen_vex_insn(DisasContext *s);

/* translate-ops.c */
void disas_insn(DisasContext *s);

#endif
