/* bql.c: the big lock. */
#include "util/bql.h"
#include <pthread.h>
#include <sched.h>

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread bool bql_held;

void bql_lock(void)
{
    pthread_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    bql_held = false;
    pthread_mutex_unlock(&bql);
}

pthread_mutex_t *bql_mutex(void)
{
    return &bql;
}

bool bql_locked(void)
{
    return bql_held;
}

static int urgent_waiters;
static void (*bql_kick)(void);

void bql_set_kick(void (*kick)(void))
{
    bql_kick = kick;
}

void bql_lock_urgent(void)
{
    __atomic_add_fetch(&urgent_waiters, 1, __ATOMIC_SEQ_CST);
    if (pthread_mutex_trylock(&bql) != 0) {
        if (bql_kick)
            bql_kick();
        pthread_mutex_lock(&bql);
    }
    bql_held = true;
    __atomic_sub_fetch(&urgent_waiters, 1, __ATOMIC_SEQ_CST);
}

void bql_yield(void)
{
    if (!__atomic_load_n(&urgent_waiters, __ATOMIC_SEQ_CST))
        return;
    bql_unlock();
    while (__atomic_load_n(&urgent_waiters, __ATOMIC_SEQ_CST))
        sched_yield();
    bql_lock();
}
