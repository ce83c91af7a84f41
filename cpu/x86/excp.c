/* excp.c: raising guest exceptions from helpers, with the double- and triple-fault rules. */
#include "util/osdep.h"
#include "util/log.h"
#include "cpu/x86/excp.h"
#include "cpu/x86/helper.h"

const X86MemOps *x86_mem_ops;

void x86_set_mem_ops(const X86MemOps *ops)
{
    x86_mem_ops = ops;
}

int x86_exception_class(int vector)
{
    switch (vector) {
    case EXCP_DE: case EXCP_TS: case EXCP_NP: case EXCP_SS: case EXCP_GP:
        return EXCP_CLASS_CONTRIBUTORY;
    case EXCP_PF:
        return EXCP_CLASS_PAGE_FAULT;
    default:
        return EXCP_CLASS_BENIGN;
    }
}

void x86_raise_exception_ra(X86CPUState *env, int vector, uint32_t error_code, bool has_err,
                            uintptr_t retaddr)
{
    if (env->in_delivery) {
        int first = env->delivery_vector;
        int c1 = x86_exception_class(first), c2 = x86_exception_class(vector);
        if (first == EXCP_DF) {
            /* Intel SDM 3A 6.15 (interrupt 8): a fault while delivering #DF is a shutdown. */
            env->triple_fault = true;
            env->in_delivery = false;
            env->exception_pending = -1;
            x86_loop_exit(env, retaddr);
        }
        /* Table 6-5: contributory after contributory, or contributory/#PF after #PF: #DF. */
        if ((c1 == EXCP_CLASS_CONTRIBUTORY && c2 == EXCP_CLASS_CONTRIBUTORY) ||
            (c1 == EXCP_CLASS_PAGE_FAULT && c2 != EXCP_CLASS_BENIGN)) {
            vector = EXCP_DF;
            error_code = 0;
            has_err = true;
        }
    }
    env->exception_pending = vector;
    env->exception_error_code = has_err ? error_code : 0;
    env->exception_has_error_code = has_err;
    env->exception_is_sw = false;
    env->exception_next_rip = 0;
    x86_loop_exit(env, retaddr);
}

void x86_raise_exception(X86CPUState *env, int vector)
{
    x86_raise_exception_ra(env, vector, 0, false, 0);
}

void x86_raise_exception_err(X86CPUState *env, int vector, uint32_t error_code)
{
    x86_raise_exception_ra(env, vector, error_code, true, 0);
}

void helper_raise_interrupt(X86CPUState *env, int vector, uint64_t next_rip)
{
    env->exception_pending = vector;
    env->exception_error_code = 0;
    env->exception_has_error_code = false;
    env->exception_is_sw = true;
    env->exception_next_rip = next_rip;
    x86_loop_exit(env, 0);
}

void x86_deliver_pending(X86CPUState *env)
{
    int vector = env->exception_pending;
    if (vector < 0)
        return;
    env->exception_pending = -1;
    x86_do_interrupt(env, vector, env->exception_is_sw, env->exception_has_error_code,
                     env->exception_error_code, env->exception_next_rip, false);
}
