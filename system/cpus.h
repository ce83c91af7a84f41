/* cpus.h: one host thread per vCPU, running the chosen accelerator. */
#ifndef SYSTEM_CPUS_H
#define SYSTEM_CPUS_H

#include "util/osdep.h"
#include "cpu/x86/cpu.h"

/* Start one thread per CPU; they run once cpus_resume() is called. */
void cpus_start(X86CPU **cpus, int n, bool start_stopped);
void cpus_kick(X86CPU *cpu);
void cpus_kick_all(void);
/* Reset every CPU to its power-on state (big lock held). */
void cpus_reset_all(void);
void cpus_pause_all(void);
/* Pause every vCPU and wait (big lock held) until each is parked with its env up to date. */
void cpus_pause_all_sync(void);
/* Resume one vCPU only (gdb's single step of one thread). */
void cpus_resume_one(X86CPU *cpu);
/* Called in the vCPU thread (big lock held) when the accelerator stops at a breakpoint or
 * after a single step; NULL means no debugger is attached. */
extern void (*cpus_debug_hook)(X86CPU *cpu);
void cpus_resume_all(void);
int cpus_count(void);
X86CPU *cpus_get(int index);
/* Wait for every vCPU thread to finish (after shutdown). */
void cpus_join_all(void);

#endif
