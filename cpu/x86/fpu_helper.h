/* fpu_helper.h: internals shared by the x87 helper files. */
#ifndef CPU_X86_FPU_HELPER_H
#define CPU_X86_FPU_HELPER_H

#include "cpu/x86/helper.h"
#include "cpu/x86/excp.h"
#include "cpu/x86/softfloat80.h"

static inline int fpu_phys(const X86CPUState *env, int i)
{
    return (env->fpstt + i) & 7;
}

/* Merge one instruction's exceptions (and C1/SF) into FSW; false if an unmasked IE/ZE/DE
 * means the destination must not be written. */
bool fpu_apply(X86CPUState *env, uint16_t flags);
/* Read ST(i) (or FT0 for FPU_FT0); an empty register is a stack underflow (flags += IE|SF)
 * and reads as the real indefinite. */
bool fpu_get(X86CPUState *env, int i, Float80 *v, uint16_t *flags);
void fpu_set(X86CPUState *env, int i, Float80 v);
/* Push with overflow detection, after applying flags; false if nothing was pushed. */
bool fpu_push(X86CPUState *env, Float80 v, uint16_t flags);
/* For instructions that replace ST0 and push (FXTRACT, FPTAN, FSINCOS): an empty ST0 (stack
 * underflow, C1 = 0, flags from fpu_get), or else a full ST(7) (overflow, C1 = 1), leaves the
 * indefinite in both and clears C2. True if that happened. */
bool fpu_push2_fault(X86CPUState *env, bool underflow, uint16_t flags);

/* Transcendentals through the C library (the path for non-x86 hosts), for tests: op is
 * X87_T_*, in/out as ST0, ST1; returns the FSW exception bits and C2. */
enum { X87_T_FSIN, X87_T_FCOS, X87_T_FSINCOS, X87_T_FPTAN, X87_T_FPATAN, X87_T_F2XM1,
       X87_T_FYL2X, X87_T_FYL2XP1 };
uint16_t x87_transc_libm(int op, const Float80 in[2], Float80 out[2], uint16_t guest_cw);

#endif
