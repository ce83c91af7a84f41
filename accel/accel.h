/* accel.h: the accelerator interface — what runs the guest CPU (KVM, or the TCG translator).
 *
 * The vCPU thread (system/cpus.c) calls vcpu_exec() with the big lock held, in a loop, and
 * acts on what it returns. An accelerator dispatches port I/O and MMIO itself through
 * cpu->io and cpu->as (taking the big lock around device access if it dropped it), and
 * keeps X86CPU.env the single truth whenever the CPU is outside vcpu_exec (sync_to_env).
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/option.h"
#include "cpu/x86/cpu.h"

typedef enum AccelExit {
    ACCEL_EXIT_KICK,       /* interrupt_request needs attention, or the big lock is wanted */
    ACCEL_EXIT_HLT,        /* HLT with no interrupt pending: wait for one */
    ACCEL_EXIT_SHUTDOWN,   /* triple fault / shutdown cycle: reset or quit (-no-reboot) */
    ACCEL_EXIT_DEBUG,      /* breakpoint or single-step hit (gdb stub) */
    ACCEL_EXIT_ERROR,      /* could not continue; the accelerator has reported why */
} AccelExit;

typedef struct AccelOps {
    const char *name;                 /* "kvm", "tcg" */
    /* Can this accelerator run here? If not, write the reason (one line) to why. */
    bool (*probe)(char *why, size_t len);
    /* Set up for the machine (board.memory_as exists), with the -accel options after the name. */
    bool (*init)(const OptList *opts, Error **errp);
    /* Called in the vCPU's own thread before it first runs. */
    bool (*vcpu_init)(X86CPU *cpu, Error **errp);
    AccelExit (*vcpu_exec)(X86CPU *cpu);
    /* Make vcpu_exec return soon (any thread). */
    void (*vcpu_kick)(X86CPU *cpu);
    /* env was changed from outside (reset, gdb, loader): load it before running again. */
    void (*sync_from_env)(X86CPU *cpu);
    /* Bring env up to date with state only the accelerator holds (before gdb/monitor read it). */
    void (*sync_to_env)(X86CPU *cpu);
    /* Guest debugging (gdb stub): single-step and hardware-assisted breakpoints. */
    bool (*set_guest_debug)(X86CPU *cpu, bool single_step, const uint64_t *bps, int nbps);
    /* The machine was reset (vCPUs stopped): device state the accelerator keeps itself (KVM's
     * in-kernel irqchip and PIT) goes back to power-on. Optional. */
    void (*reset)(void);
} AccelOps;

void accel_register(const AccelOps *ops);
#define ACCEL_REGISTER(ops) \
    static void __attribute__((constructor)) register_accel_##ops(void) { accel_register(&ops); }
/* NULL if no accelerator of that name is built in. */
const AccelOps *accel_find(const char *name);
/* The names of the built-in accelerators, comma separated. */
const char *accel_names(void);
/* The running accelerator, once chosen. */
extern const AccelOps *accel_current;

#endif
