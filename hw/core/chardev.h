/* chardev.h: byte streams between device front ends (UARTs, debugcon) and host back ends
 * (stdio, a file, a pty, a TCP socket, null), which system/chardev.c provides.
 *
 * A front end attaches with chardev_set_handlers(); the back end calls can_read() to ask how
 * many bytes fit and then read() with at most that many. When a front end that refused
 * input has room again it calls chardev_accept_input() so the back end polls once more. */
#ifndef HW_CORE_CHARDEV_H
#define HW_CORE_CHARDEV_H

#include "util/osdep.h"

typedef struct Chardev Chardev;

typedef struct ChardevOps {
    void (*write)(Chardev *chr, const uint8_t *buf, size_t len);
    void (*accept_input)(Chardev *chr);
    void (*close)(Chardev *chr);
} ChardevOps;

struct Chardev {
    char *id;
    const ChardevOps *ops;
    int (*fe_can_read)(void *opaque);
    void (*fe_read)(void *opaque, const uint8_t *buf, size_t len);
    void *fe_opaque;
    Chardev *next;
};

/* Register a back end under its id ("serial0", "debugcon"). */
void chardev_add(Chardev *chr, const char *id, const ChardevOps *ops);
Chardev *chardev_find(const char *id);
void chardev_set_handlers(Chardev *chr, int (*can_read)(void *), void (*read)(void *, const uint8_t *, size_t),
                          void *opaque);
/* Write all of buf (the back end may drop output only if its sink is gone). NULL-safe. */
void chardev_write(Chardev *chr, const uint8_t *buf, size_t len);
void chardev_accept_input(Chardev *chr);
/* Called by back ends: deliver bytes to the front end; returns how many it took. */
size_t chardev_deliver(Chardev *chr, const uint8_t *buf, size_t len);
void chardev_close_all(void);

#endif
