/* chardev-backends.h: create a host back end from a QEMU-style spec and register it as `id`. */
#ifndef SYSTEM_CHARDEV_BACKENDS_H
#define SYSTEM_CHARDEV_BACKENDS_H

#include "util/error.h"

/* "stdio", "file:PATH", "pty", "null", "none" (nothing registered), "tcp:HOST:PORT[,server][,nowait]" */
bool chardev_open_backend(const char *id, const char *spec, Error **errp);

#endif
