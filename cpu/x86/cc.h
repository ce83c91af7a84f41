/* cc.h: the lazy condition-code operations (CC_OP_*) and the functions that materialise EFLAGS.
 *
 * The translator does not compute the arithmetic flags after every instruction; it records
 * which operation last set them (cc_op) and the operands that determine them (cc_dst, cc_src,
 * cc_src2). x86_cc_compute() turns that back into CF|PF|AF|ZF|SF|OF on demand.
 *
 * Meaning of the fields for each operation (N = operand size in bits, "result" truncated to N):
 *
 *   EFLAGS           cc_src = the flags themselves (only EFLAGS_ARITH bits are used)
 *   MUL{B,W,L,Q}     cc_dst = low half of the product, cc_src = non-zero iff CF=OF=1
 *                    (MUL: the high half; IMUL: high half minus the sign extension of the low)
 *   ADD              cc_dst = result, cc_src = second operand
 *   ADC              cc_dst = result, cc_src = second operand, cc_src2 = carry in (0/1)
 *   SUB              cc_dst = result, cc_src = second operand (also CMP, NEG with src1 = 0)
 *   SBB              cc_dst = result, cc_src = second operand, cc_src2 = borrow in (0/1)
 *   LOGIC            cc_dst = result; CF = OF = AF = 0 (AND, OR, XOR, TEST, ANDN, BEXTR)
 *   INC, DEC         cc_dst = result, cc_src = CF before the instruction (0/1; INC/DEC keep it)
 *   SHL              cc_dst = result, cc_src = operand << (count - 1)  (CF = its top bit)
 *   SAR              cc_dst = result, cc_src = operand >> (count - 1)  (CF = its low bit);
 *                    used for both SHR (logical) and SAR (arithmetic): OF = top bit of
 *                    cc_src ^ cc_dst, which is the SHR rule for count 1 and 0 for SAR
 *   BMILG            cc_dst = result, cc_src = source; CF = (source == 0), OF = 0 (BLSR, BLSMSK)
 *   ADCX             cc_src = EFLAGS, cc_dst = new CF (0/1)
 *   ADOX             cc_src = EFLAGS, cc_src2 = new OF (0/1)
 *   ADCOX            cc_src = EFLAGS, cc_dst = new CF, cc_src2 = new OF
 *   CLR              nothing: ZF = PF = 1, the rest 0 (XOR r,r and SUB r,r)
 *   POPCNT           cc_src = source; ZF = (source == 0), the rest 0
 *
 * A shift with count 0 changes no flags: the translator must not change cc_op for it.
 */
#ifndef CPU_X86_CC_H
#define CPU_X86_CC_H

#include "cpu/x86/cpu.h"

/* Size-suffixed operations come in groups of four: B, W, L, Q (CC_OP_ADDB + size_log2). */
enum {
    /* CC_OP_EFLAGS = 0 is fixed by cpu.h */
    CC_OP_MULB = 1, CC_OP_MULW, CC_OP_MULL, CC_OP_MULQ,
    CC_OP_ADDB, CC_OP_ADDW, CC_OP_ADDL, CC_OP_ADDQ,
    CC_OP_ADCB, CC_OP_ADCW, CC_OP_ADCL, CC_OP_ADCQ,
    CC_OP_SUBB, CC_OP_SUBW, CC_OP_SUBL, CC_OP_SUBQ,
    CC_OP_SBBB, CC_OP_SBBW, CC_OP_SBBL, CC_OP_SBBQ,
    CC_OP_LOGICB, CC_OP_LOGICW, CC_OP_LOGICL, CC_OP_LOGICQ,
    CC_OP_INCB, CC_OP_INCW, CC_OP_INCL, CC_OP_INCQ,
    CC_OP_DECB, CC_OP_DECW, CC_OP_DECL, CC_OP_DECQ,
    CC_OP_SHLB, CC_OP_SHLW, CC_OP_SHLL, CC_OP_SHLQ,
    CC_OP_SARB, CC_OP_SARW, CC_OP_SARL, CC_OP_SARQ,
    CC_OP_BMILGB, CC_OP_BMILGW, CC_OP_BMILGL, CC_OP_BMILGQ,
    CC_OP_ADCX, CC_OP_ADOX, CC_OP_ADCOX,
    CC_OP_CLR,
    CC_OP_POPCNT,
    CC_OP_NB,
};

/* True for the ops that come in B/W/L/Q groups. */
static inline bool cc_op_has_size(uint32_t op)
{
    return op >= CC_OP_MULB && op <= CC_OP_BMILGQ;
}

/* CF|PF|AF|ZF|SF|OF for an operation and its operands (pure; the translator may call it from
 * generated code with the values it holds in registers). */
uint32_t x86_cc_compute_all(uint32_t op, uint64_t dst, uint64_t src, uint64_t src2);
/* CF alone (0 or 1), cheaper than the full set. */
uint32_t x86_cc_compute_c_all(uint32_t op, uint64_t dst, uint64_t src, uint64_t src2);

/* The same on env's lazy state. x86_cc_compute() is declared in cpu.h. */
uint32_t x86_cc_compute_c(const X86CPUState *env);

/* Store flags into the lazy state as CC_OP_EFLAGS (after a helper computed them eagerly). */
static inline void x86_cc_set_eflags(X86CPUState *env, uint32_t arith_flags)
{
    env->cc_src = arith_flags & EFLAGS_ARITH;
    env->cc_op = CC_OP_EFLAGS;
}

/* Fold the lazy flags into env->cc_src as CC_OP_EFLAGS (before a helper reads/modifies them). */
static inline void x86_cc_materialize(X86CPUState *env)
{
    uint32_t f = x86_cc_compute(env);
    x86_cc_set_eflags(env, f);
}

#endif
