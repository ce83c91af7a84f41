/* excp.h: raising guest exceptions from helpers, with the double- and triple-fault rules. */
#ifndef CPU_X86_EXCP_H
#define CPU_X86_EXCP_H

#include "cpu/x86/cpu.h"

/* Record `vector` (with its error code) as pending in env and leave the current translation
 * block through cpu_loop_exit_restore (x86_mem_ops->loop_exit). retaddr is the host return
 * address inside generated code (GETPC()), or 0 when env->rip is already exact.
 * If an exception is raised while another is being delivered, Intel SDM 3A 6.15 table 6-5
 * applies: it may become #DF, and a fault while delivering #DF sets env->triple_fault. */
NORETURN void x86_raise_exception_ra(X86CPUState *env, int vector, uint32_t error_code,
                                     bool has_err, uintptr_t retaddr);
NORETURN void x86_raise_exception(X86CPUState *env, int vector);
NORETURN void x86_raise_exception_err(X86CPUState *env, int vector, uint32_t error_code);

/* Does this vector push an error code when it is an exception (Intel SDM 3A, table 6-1)? */
static inline bool x86_exception_has_error_code(int vector)
{
    return vector == EXCP_DF || (vector >= EXCP_TS && vector <= EXCP_PF) || vector == EXCP_AC;
}

/* The class of an exception for the double-fault rules (Intel SDM 3A, table 6-4). */
enum { EXCP_CLASS_BENIGN, EXCP_CLASS_CONTRIBUTORY, EXCP_CLASS_PAGE_FAULT };
int x86_exception_class(int vector);

#endif
