/* clock.c: virtual and host clocks, and a sorted timer list per clock. */
#include "util/osdep.h"
#include "hw/core/clock.h"
#include <time.h>

struct Timer {
    ClockType type;
    TimerCallback *cb;
    void *opaque;
    int64_t expire;
    bool pending;
    Timer *next;
};

static Timer *timer_lists[CLOCK_MAX];
static void (*deadline_notify)(void);
/* CLOCK_VIRTUAL = host monotonic - virt_offset while running; frozen at virt_stopped_at. */
static int64_t virt_offset;
static int64_t virt_stopped_at;
static bool virt_running = true;

static int64_t host_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t clock_ns(ClockType type)
{
    switch (type) {
    case CLOCK_VIRTUAL:
        if (!virt_running)
            return virt_stopped_at;
        return host_clock(CLOCK_MONOTONIC) - virt_offset;
    case CLOCK_HOST:
        return host_clock(CLOCK_REALTIME);
    default:
        return host_clock(CLOCK_MONOTONIC);
    }
}

void clock_virtual_stop(void)
{
    if (virt_running) {
        virt_stopped_at = clock_ns(CLOCK_VIRTUAL);
        virt_running = false;
    }
}

void clock_virtual_start(void)
{
    if (!virt_running) {
        virt_offset = host_clock(CLOCK_MONOTONIC) - virt_stopped_at;
        virt_running = true;
    }
}

bool clock_virtual_running(void)
{
    return virt_running;
}

Timer *timer_new(ClockType type, TimerCallback *cb, void *opaque)
{
    Timer *t = xzalloc(sizeof(*t));
    t->type = type;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

void timer_free(Timer *t)
{
    if (t) {
        timer_del(t);
        free(t);
    }
}

void timer_del(Timer *t)
{
    if (!t->pending)
        return;
    for (Timer **p = &timer_lists[t->type]; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->pending = false;
}

void timer_mod(Timer *t, int64_t expire_ns)
{
    timer_del(t);
    t->expire = expire_ns;
    t->pending = true;
    Timer **p = &timer_lists[t->type];
    while (*p && (*p)->expire <= expire_ns)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    if (p == &timer_lists[t->type] && deadline_notify)
        deadline_notify();
}

bool timer_pending(const Timer *t)
{
    return t->pending;
}

int64_t timer_expire_time(const Timer *t)
{
    return t->pending ? t->expire : -1;
}

bool timers_run_expired(void)
{
    bool ran = false;
    for (int c = 0; c < CLOCK_MAX; c++) {
        if (c == CLOCK_VIRTUAL && !virt_running)
            continue;
        int64_t now = clock_ns(c);
        Timer *t;
        while ((t = timer_lists[c]) && t->expire <= now) {
            timer_lists[c] = t->next;
            t->pending = false;
            t->cb(t->opaque);     /* may re-arm t */
            ran = true;
        }
    }
    return ran;
}

int64_t timers_deadline_ns(void)
{
    int64_t best = -1;
    for (int c = 0; c < CLOCK_MAX; c++) {
        if (!timer_lists[c] || (c == CLOCK_VIRTUAL && !virt_running))
            continue;
        int64_t d = timer_lists[c]->expire - clock_ns(c);
        if (d < 0)
            d = 0;
        if (best < 0 || d < best)
            best = d;
    }
    return best;
}

void timers_set_notify(void (*notify)(void))
{
    deadline_notify = notify;
}
