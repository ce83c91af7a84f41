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
void cpus_resume_all(void);
int cpus_count(void);
X86CPU *cpus_get(int index);
/* Wait for every vCPU thread to finish (after shutdown). */
void cpus_join_all(void);

#endif
