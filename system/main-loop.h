/* main-loop.h: the I/O thread — file-descriptor handlers, timers, and machine-wide requests
 * (reset, shutdown) raised by devices and vCPUs. */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include "util/osdep.h"

typedef void FdHandler(void *opaque);

/* Watch fd for input (read_cb) and/or writability (write_cb); NULL callbacks are not polled. */
void main_loop_set_fd_handler(int fd, FdHandler *read_cb, FdHandler *write_cb, void *opaque);
void main_loop_remove_fd(int fd);
/* Call fn(opaque) on every iteration of the loop, big lock held (after fd handlers and timers). */
void main_loop_add_poll_hook(FdHandler *fn, void *opaque);
/* Wake the loop (any thread). */
void main_loop_kick(void);
void main_loop_init(void);
/* Run until shutdown; returns the process exit status. */
int main_loop_run(void);
/* Any thread, big lock held or not. */
void main_loop_request_shutdown(int status);
void main_loop_request_reset(void);
bool main_loop_shutdown_requested(void);
/* From a signal handler: ask for shutdown (async-signal-safe). */
void main_loop_signal_shutdown(int sig);

/* Set by system/cpus.c: reset every vCPU and device (big lock held). */
extern void (*machine_reset_hook)(void);
/* -no-reboot: a reset request (triple fault, guest reboot) ends the emulator instead. */
extern bool no_reboot;

#endif
