/* cpus.c: vCPU threads — run the accelerator, wait while halted or paused, act on exits. */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/log.h"
#include "accel/accel.h"
#include "system/cpus.h"
#include "system/main-loop.h"
#include <pthread.h>
#include <signal.h>

typedef struct VCPUThread {
    pthread_t tid;
    X86CPU *cpu;
} VCPUThread;

void (*cpus_debug_hook)(X86CPU *cpu);
static X86CPU **all_cpus;
static int nr_cpus;
/* Signalled (under the big lock) whenever a halted or paused vCPU may have work. */
static pthread_cond_t cpu_work_cond = PTHREAD_COND_INITIALIZER;

static bool cpu_has_work(X86CPU *cpu)
{
    uint32_t req = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_SEQ_CST);
    if (req & (CPU_INTERRUPT_NMI | CPU_INTERRUPT_INIT | CPU_INTERRUPT_SIPI | CPU_INTERRUPT_RESET |
               CPU_INTERRUPT_SMI))
        return true;
    return (req & CPU_INTERRUPT_HARD) && (cpu->env.eflags & EFLAGS_IF);
}

static void wait_for_work(X86CPU *cpu)
{
    pthread_cond_wait(&cpu_work_cond, bql_mutex());
}

static void *vcpu_thread_fn(void *arg)
{
    X86CPU *cpu = arg;
    Error *err = NULL;

    bql_lock();
    if (accel_current->vcpu_init && !accel_current->vcpu_init(cpu, &err)) {
        error_report_err(err);
        main_loop_request_shutdown(1);
        bql_unlock();
        return NULL;
    }
    while (!main_loop_shutdown_requested()) {
        if (cpu->stopped) {
            if (!cpu->parked) {
                /* Whoever paused us will read env: bring it up to date, here in our thread. */
                if (accel_current->sync_to_env)
                    accel_current->sync_to_env(cpu);
                cpu->parked = true;
                pthread_cond_broadcast(&cpu_work_cond);
            }
            wait_for_work(cpu);
            continue;
        }
        cpu->parked = false;
        if (cpu->debug_dirty) {
            cpu->debug_dirty = false;
            if (!accel_current->set_guest_debug ||
                !accel_current->set_guest_debug(cpu, cpu->debug_single_step, cpu->debug_bps,
                                                cpu->debug_nbps))
                warn_report("vCPU %d: the %s accelerator cannot set these breakpoints or single-step",
                            cpu->index, accel_current->name);
        }
        if (cpu->interrupt_request & CPU_INTERRUPT_INIT) {
            x86_cpu_clear_interrupt(cpu, CPU_INTERRUPT_INIT);
            if (accel_current->sync_to_env)
                accel_current->sync_to_env(cpu);
            x86_cpu_init(cpu);
            cpu->env_dirty = true;
        }
        if (cpu->env_dirty) {
            cpu->env_dirty = false;
            if (accel_current->sync_from_env)
                accel_current->sync_from_env(cpu);
        }
        AccelExit r = accel_current->vcpu_exec(cpu);
        x86_cpu_clear_interrupt(cpu, CPU_INTERRUPT_EXIT);
        switch (r) {
        case ACCEL_EXIT_KICK:
            break;
        case ACCEL_EXIT_HLT:
            cpu->env.halted = true;
            while (!cpu_has_work(cpu) && !cpu->stopped && !main_loop_shutdown_requested() &&
                   !(cpu->interrupt_request & CPU_INTERRUPT_EXIT))
                wait_for_work(cpu);
            x86_cpu_clear_interrupt(cpu, CPU_INTERRUPT_EXIT);
            break;
        case ACCEL_EXIT_SHUTDOWN:
            qlog(LOG_INT, "vCPU %d: triple fault, %s\n", cpu->index, no_reboot ? "exiting" : "resetting");
            main_loop_request_reset();
            /* Wait for the I/O thread to reset us (or to end the run). */
            cpu->stopped = true;
            break;
        case ACCEL_EXIT_DEBUG:
            if (cpus_debug_hook) {
                cpus_debug_hook(cpu);
            } else {
                error_report("vCPU %d stopped at a debug exception with no debugger attached", cpu->index);
                cpu->stopped = true;
            }
            break;
        case ACCEL_EXIT_ERROR:
            main_loop_request_shutdown(1);
            break;
        }
        bql_yield();
    }
    bql_unlock();
    return NULL;
}

static void vcpu_wake(X86CPU *cpu);

static void ipi_handler(int sig)
{
    (void)sig;
}

void cpus_start(X86CPU **cpus, int n, bool start_stopped)
{
    struct sigaction sa = { .sa_handler = ipi_handler };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    all_cpus = cpus;
    nr_cpus = n;
    bql_set_kick(cpus_kick_all);
    x86_cpu_kick_hook = vcpu_wake;
    for (int i = 0; i < n; i++) {
        VCPUThread *t = xzalloc(sizeof(*t));
        t->cpu = cpus[i];
        cpus[i]->thread = t;
        cpus[i]->stopped = start_stopped;
        int rc = pthread_create(&t->tid, NULL, vcpu_thread_fn, cpus[i]);
        if (rc)
            fatal("cannot create vCPU thread: %s", strerror(rc));
    }
}

/* x86_cpu_kick_hook: something was raised in interrupt_request; make the vCPU look. */
static void vcpu_wake(X86CPU *cpu)
{
    if (accel_current && accel_current->vcpu_kick)
        accel_current->vcpu_kick(cpu);
    pthread_cond_broadcast(&cpu_work_cond);
}

void cpus_kick(X86CPU *cpu)
{
    __atomic_or_fetch(&cpu->interrupt_request, CPU_INTERRUPT_EXIT, __ATOMIC_SEQ_CST);
    vcpu_wake(cpu);
}

void cpus_kick_all(void)
{
    for (int i = 0; i < nr_cpus; i++)
        cpus_kick(all_cpus[i]);
}

void cpus_reset_all(void)
{
    for (int i = 0; i < nr_cpus; i++) {
        x86_cpu_reset(all_cpus[i]);
        all_cpus[i]->interrupt_request = 0;
        all_cpus[i]->env_dirty = true;
        all_cpus[i]->stopped = false;
    }
    pthread_cond_broadcast(&cpu_work_cond);
}

void cpus_pause_all(void)
{
    for (int i = 0; i < nr_cpus; i++)
        all_cpus[i]->stopped = true;
    cpus_kick_all();
}

void cpus_pause_all_sync(void)
{
    cpus_pause_all();
    for (int i = 0; i < nr_cpus; i++)
        while (!all_cpus[i]->parked && !main_loop_shutdown_requested())
            pthread_cond_wait(&cpu_work_cond, bql_mutex());
}

void cpus_resume_one(X86CPU *cpu)
{
    cpu->stopped = false;
    pthread_cond_broadcast(&cpu_work_cond);
}

void cpus_resume_all(void)
{
    for (int i = 0; i < nr_cpus; i++)
        all_cpus[i]->stopped = false;
    pthread_cond_broadcast(&cpu_work_cond);
}

int cpus_count(void)
{
    return nr_cpus;
}

X86CPU *cpus_get(int index)
{
    return index >= 0 && index < nr_cpus ? all_cpus[index] : NULL;
}

void cpus_join_all(void)
{
    for (int i = 0; i < nr_cpus; i++) {
        VCPUThread *t = all_cpus[i]->thread;
        if (t)
            pthread_join(t->tid, NULL);
    }
}
