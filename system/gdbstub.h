/* gdbstub.h: the GDB remote serial protocol server (-s, -gdb tcp::PORT, -S). */
#ifndef SYSTEM_GDBSTUB_H
#define SYSTEM_GDBSTUB_H

#include "util/error.h"

/* Listen on "tcp:[HOST]:PORT" (or "tcp::PORT"). Big lock held. */
bool gdbstub_start(const char *spec, Error **errp);

#endif
