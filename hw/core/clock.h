/* clock.h: the clocks devices see, and timers on them.
 *
 * CLOCK_VIRTUAL is guest time: it runs while the VM runs and stops while it is stopped
 * (paused, or halted in the gdb stub). CLOCK_HOST is the host's wall clock (RTC base).
 * CLOCK_HOST_MONO is host monotonic time (UI refresh). All in nanoseconds.
 * Timers are armed, run and deleted under the big lock; the main loop runs expired ones.
 */
#ifndef HW_CORE_CLOCK_H
#define HW_CORE_CLOCK_H

#include "util/osdep.h"

typedef enum ClockType { CLOCK_VIRTUAL, CLOCK_HOST, CLOCK_HOST_MONO, CLOCK_MAX } ClockType;

#define NS_PER_SEC 1000000000LL

int64_t clock_ns(ClockType type);
/* Stop/start CLOCK_VIRTUAL (VM pause). */
void clock_virtual_stop(void);
void clock_virtual_start(void);
bool clock_virtual_running(void);

typedef struct Timer Timer;
typedef void TimerCallback(void *opaque);

Timer *timer_new(ClockType type, TimerCallback *cb, void *opaque);
void timer_free(Timer *t);
/* Arm to fire when clock_ns(type) >= expire_ns (re-arming moves it). */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
int64_t timer_expire_time(const Timer *t);

/* Run every expired timer; true if any ran. */
bool timers_run_expired(void);
/* Nanoseconds until the next timer fires (0 if one is due), or -1 if none is armed. */
int64_t timers_deadline_ns(void);
/* Called (under the big lock) when a timer is armed earlier than the current deadline, so
 * the main loop can wake up and recompute its sleep. */
void timers_set_notify(void (*notify)(void));

#endif
