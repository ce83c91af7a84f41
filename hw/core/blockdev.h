/* blockdev.h: the narrow interface a storage device model (IDE, floppy, virtio-blk) uses to
 * reach its medium. system/ connects it to the block layer (block/), so hw/ never includes
 * block/ headers and tests can back a device with plain memory. */
#ifndef HW_CORE_BLOCKDEV_H
#define HW_CORE_BLOCKDEV_H

#include "util/osdep.h"

typedef struct BlockDev BlockDev;
struct BlockDev {
    const char *name;            /* for messages: "ide0-hd0 (disk.qcow2)" */
    bool read_only;
    bool removable;              /* CD-ROM, floppy */
    /* Medium size in bytes; 0 when no medium is inserted. */
    uint64_t (*length)(BlockDev *bd);
    /* 0 on success, negative errno on failure (the device reports an I/O error). */
    int (*read)(BlockDev *bd, uint64_t offset, void *buf, size_t len);
    int (*write)(BlockDev *bd, uint64_t offset, const void *buf, size_t len);
    int (*flush)(BlockDev *bd);
    /* Media change notification (CD eject/insert), set by the device model. */
    void (*change_cb)(void *opaque, bool inserted);
    void *change_opaque;
    void *opaque;                /* the backend's */
};

#endif
