/* bql.h: the big lock. Device models, timers and the memory map are touched only under it;
 * a vCPU thread drops it while running guest code under KVM. */
#ifndef UTIL_BQL_H
#define UTIL_BQL_H

#include "util/osdep.h"

void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);    /* by the calling thread */
/* Take the lock on behalf of the I/O thread: kicks whoever holds it for a long time (a TCG
 * vCPU) and makes bql_yield() in that thread hand it over. */
void bql_lock_urgent(void);
/* Called by a thread that holds the lock for long stretches: let urgent waiters in. */
void bql_yield(void);
/* Who to kick when the lock is wanted urgently (set by system/cpus.c). */
void bql_set_kick(void (*kick)(void));
/* The mutex itself, for condition variables that wait under the lock. */
#include <pthread.h>
pthread_mutex_t *bql_mutex(void);

#endif
