/* tcg-accel.h: entry points of the TCG accelerator for the command line and for tests. */
#ifndef ACCEL_TCG_TCG_ACCEL_H
#define ACCEL_TCG_TCG_ACCEL_H

#include "accel/accel.h"
#include "tcg/tcg.h"

/* -singlestep: one guest instruction per block (set before running). */
extern bool tcg_singlestep;
/* Initialise the engine with a back end (or switch back end later; that flushes the cache). */
bool tcg_accel_setup(TCGBackendKind backend);
/* Per-vCPU set-up and one run of the execution loop (what AccelOps.vcpu_exec does). */
bool tcg_accel_vcpu_init(X86CPU *cpu, Error **errp);
AccelExit tcg_accel_exec(X86CPU *cpu);

#endif
