/* monitor.h: the human monitor (QEMU's HMP spelling) on a character back end. */
#ifndef SYSTEM_MONITOR_H
#define SYSTEM_MONITOR_H

#include "util/error.h"

struct PCMachine;

/* Serve the monitor on the chardev registered as `chardev_id`. Big lock held. */
bool monitor_start(const char *chardev_id, struct PCMachine *pc, Error **errp);

#endif
