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

#endif
