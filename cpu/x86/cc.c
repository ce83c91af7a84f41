/* cc.c: lazy condition codes — the arithmetic flags computed from the last flag-setting op. */
#include "util/osdep.h"
#include "cpu/x86/cpu.h"

uint32_t x86_cc_compute(const X86CPUState *env)
{
    switch (env->cc_op) {
    case CC_OP_EFLAGS:
        return (uint32_t)env->cc_src & EFLAGS_ARITH;
    default:
        /* The translator (cpu/x86/translate) adds the other CC_OPs; until then none exist. */
        return (uint32_t)env->cc_src & EFLAGS_ARITH;
    }
}
