/* main-loop.c: poll() over file descriptors with the nearest timer as the timeout. */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/log.h"
#include "hw/core/clock.h"
#include "system/main-loop.h"
#include "system/cpus.h"
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct FdWatch {
    int fd;
    FdHandler *read_cb, *write_cb;
    void *opaque;
} FdWatch;

static FdWatch *watches;
static int nr_watches;
static int kick_fd = -1;
static FdWatch poll_hooks[4];
static int nr_poll_hooks;
static volatile int shutdown_status = -1;
static volatile bool reset_requested;
static volatile sig_atomic_t shutdown_signal;
void (*machine_reset_hook)(void);
bool no_reboot;

void main_loop_set_fd_handler(int fd, FdHandler *read_cb, FdHandler *write_cb, void *opaque)
{
    for (int i = 0; i < nr_watches; i++) {
        if (watches[i].fd == fd) {
            if (!read_cb && !write_cb) {
                watches[i] = watches[--nr_watches];
            } else {
                watches[i].read_cb = read_cb;
                watches[i].write_cb = write_cb;
                watches[i].opaque = opaque;
            }
            main_loop_kick();
            return;
        }
    }
    if (!read_cb && !write_cb)
        return;
    watches = xrealloc(watches, (nr_watches + 1) * sizeof(*watches));
    watches[nr_watches++] = (FdWatch){ fd, read_cb, write_cb, opaque };
    main_loop_kick();
}

void main_loop_remove_fd(int fd)
{
    main_loop_set_fd_handler(fd, NULL, NULL, NULL);
}

void main_loop_add_poll_hook(FdHandler *fn, void *opaque)
{
    assert(nr_poll_hooks < (int)ARRAY_SIZE(poll_hooks));
    poll_hooks[nr_poll_hooks++] = (FdWatch){ -1, fn, NULL, opaque };
}

void main_loop_kick(void)
{
    if (kick_fd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(kick_fd, &one, sizeof one);
        (void)r;
    }
}

void main_loop_init(void)
{
    kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (kick_fd < 0)
        fatal("eventfd: %s", strerror(errno));
    timers_set_notify(main_loop_kick);
}

void main_loop_request_shutdown(int status)
{
    if (shutdown_status < 0)
        shutdown_status = status;
    cpus_kick_all();
    main_loop_kick();
}

void main_loop_request_reset(void)
{
    if (no_reboot) {
        main_loop_request_shutdown(0);
        return;
    }
    reset_requested = true;
    cpus_kick_all();
    main_loop_kick();
}

void main_loop_signal_shutdown(int sig)
{
    shutdown_signal = sig;
    if (kick_fd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(kick_fd, &one, sizeof one);
        (void)r;
    }
}

bool main_loop_shutdown_requested(void)
{
    return shutdown_status >= 0;
}

int main_loop_run(void)
{
    struct pollfd *pfds = NULL;
    int cap = 0;
    while (shutdown_status < 0) {
        int n = nr_watches + 1;
        if (n > cap) {
            cap = n;
            pfds = xrealloc(pfds, cap * sizeof(*pfds));
        }
        pfds[0] = (struct pollfd){ .fd = kick_fd, .events = POLLIN };
        for (int i = 0; i < nr_watches; i++) {
            short ev = (watches[i].read_cb ? POLLIN : 0) | (watches[i].write_cb ? POLLOUT : 0);
            pfds[i + 1] = (struct pollfd){ .fd = watches[i].fd, .events = ev };
        }
        int64_t deadline = timers_deadline_ns();
        int timeout_ms = deadline < 0 ? 1000 : (int)MIN((deadline + 999999) / 1000000, 1000);
        int r = poll(pfds, n, timeout_ms);
        if (r < 0 && errno != EINTR)
            fatal("poll: %s", strerror(errno));

        bql_lock_urgent();
        if (r > 0 && (pfds[0].revents & POLLIN)) {
            uint64_t v;
            ssize_t rr = read(kick_fd, &v, sizeof v);
            (void)rr;
        }
        for (int i = 1; r > 0 && i < n; i++) {
            if (!pfds[i].revents)
                continue;
            /* The handler list may change under us: find the watch again by fd. */
            for (int j = 0; j < nr_watches; j++) {
                if (watches[j].fd != pfds[i].fd)
                    continue;
                FdWatch w = watches[j];
                if ((pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) && w.read_cb)
                    w.read_cb(w.opaque);
                else if ((pfds[i].revents & POLLOUT) && w.write_cb)
                    w.write_cb(w.opaque);
                break;
            }
        }
        if (shutdown_signal) {
            static const char msg[] = "vireo: terminating on signal\n";
            ssize_t wr = write(2, msg, sizeof msg - 1);
            (void)wr;
            shutdown_signal = 0;
            main_loop_request_shutdown(0);
        }
        timers_run_expired();
        for (int i = 0; i < nr_poll_hooks; i++)
            poll_hooks[i].read_cb(poll_hooks[i].opaque);
        if (reset_requested && shutdown_status < 0) {
            reset_requested = false;
            if (machine_reset_hook)
                machine_reset_hook();
        }
        bql_unlock();
    }
    free(pfds);
    return shutdown_status;
}
