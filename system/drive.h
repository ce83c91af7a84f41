/* drive.h: disk images on the command line (-hda/-hdb/-hdc/-hdd, -cdrom, -fda/-fdb, -drive),
 * opened through the block layer and attached to the pc machine's IDE and floppy controllers. */
#ifndef SYSTEM_DRIVE_H
#define SYSTEM_DRIVE_H

#include "util/error.h"

struct PCMachine;

typedef enum DriveIf { DRIVE_IF_IDE, DRIVE_IF_FLOPPY } DriveIf;

/* Record a -drive option string; the shorthand options call it too, e.g. -hdc X is
 * "file=X,if=ide,index=2" and -cdrom X is "file=X,if=ide,index=2,media=cdrom". */
bool drive_add(const char *optstr, Error **errp);
/* Open every recorded image and attach it. Also gives the pc an empty CD-ROM drive at index 2
 * when no drive claims that place, as QEMU's pc machine has. */
bool drives_attach(struct PCMachine *pc, Error **errp);

#endif
