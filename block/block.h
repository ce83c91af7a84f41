/* block.h: the block layer: one driver interface for every image format, and the backend devices use. */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include "util/osdep.h"
#include "util/error.h"
#include "util/option.h"     // parse_size
#include <sys/types.h>

/*
 * Overview.  An image is opened into a BlockDriverState (bs): the driver that understood its
 * content, the driver's private state, its virtual size and, when the format has one, the
 * opened backing image.  Reads and writes are at byte offsets; drivers round to their own
 * granularity.  Devices and vireo-img use a BlockBackend, which owns the top of a chain:
 *
 *     Error *err = NULL;
 *     BlockBackend *blk = blk_open("disk.qcow2", NULL, BDRV_O_RDWR, &err);
 *     if (!blk) fatal("disk.qcow2: %s", err->msg);
 *     blk_pread(blk, 0, buf, 512);
 *     blk_close(blk);
 *
 * Errors: open and create return NULL / -errno and set *errp (util/error.h) to a one-line reason.
 * I/O returns -errno; the reason, when the file content is at fault, is in bdrv_last_error(bs).
 */

typedef struct BlockDriver BlockDriver;
typedef struct BlockDriverState BlockDriverState;
typedef struct BlockBackend BlockBackend;

/* Open flags. */
enum {
    BDRV_O_RDWR       = 1 << 0,
    BDRV_O_NO_BACKING = 1 << 1,   /* do not open the backing file (info, rebase -u) */
    BDRV_O_CHECK      = 1 << 2,   /* opened for check: tolerate inconsistent metadata */
    BDRV_O_UNSAFE     = 1 << 3,   /* cache=unsafe: never wait for the disk (convert's default) */
};

/* The HostFile mode (file.h) for open flags. */
#define bdrv_hostfile_mode(flags) (((flags) & BDRV_O_UNSAFE) ? 1 : 0)

/* Write flags. */
enum {
    BDRV_REQ_COMPRESSED = 1 << 0, /* store compressed where the format can (convert -c) */
};

/* block_status answers, QEMU's meanings: DATA = read from this layer's file, ZERO = reads as
 * zero, ALLOCATED = this layer decides the content (else the backing file does). */
enum {
    BDRV_BLOCK_DATA         = 1 << 0,
    BDRV_BLOCK_ZERO         = 1 << 1,
    BDRV_BLOCK_OFFSET_VALID = 1 << 2,
    BDRV_BLOCK_ALLOCATED    = 1 << 3,
    BDRV_BLOCK_COMPRESSED   = 1 << 4,
};

/* -o key=value,... as given on the command line; drivers take what they know. */
#define IMG_OPTS_MAX 32
typedef struct ImgOpts {
    int n;
    char *key[IMG_OPTS_MAX];
    char *val[IMG_OPTS_MAX];
    bool used[IMG_OPTS_MAX];
} ImgOpts;

/* Parse "a=1,b=2" (",," escapes a comma) and append; false and *errp on a malformed list. */
bool img_opts_parse(ImgOpts *o, const char *s, Error **errp);
/* The value of key, marking it used; NULL when absent. */
const char *img_opts_get(ImgOpts *o, const char *key);
/* Boolean (on/off/true/false/yes/no); false with *errp when malformed. */
bool img_opts_get_bool(ImgOpts *o, const char *key, bool def, bool *out, Error **errp);
/* Size with an optional k/M/G/T suffix. */
bool img_opts_get_size(ImgOpts *o, const char *key, uint64_t def, uint64_t *out, Error **errp);
/* The first option no driver consumed, or NULL. */
const char *img_opts_unused(const ImgOpts *o);
void img_opts_free(ImgOpts *o);

/* Parse a size such as "10G", "512", "1.5M"; false when malformed or over INT64_MAX. */

typedef struct BlockCreateArgs {
    const char *filename;
    uint64_t size;
    const char *backing_file;
    const char *backing_fmt;
    ImgOpts *opts;
} BlockCreateArgs;

/* One line of "Format specific information" in info. */
typedef enum { INFO_STR, INFO_INT, INFO_BOOL } InfoType;
typedef struct InfoField {
    const char *human;   /* "refcount bits" */
    const char *json;    /* "refcount-bits" */
    InfoType type;
    char *s;
    int64_t i;
    bool b;
} InfoField;

#define INFO_FIELDS_MAX 16
typedef struct ImageInfo {
    int64_t cluster_size;        /* 0 when the format has none */
    bool dirty;
    int nfields;
    InfoField f[INFO_FIELDS_MAX];
} ImageInfo;

void info_add_str(ImageInfo *ii, const char *human, const char *json, const char *val);
void info_add_int(ImageInfo *ii, const char *human, const char *json, int64_t val);
void info_add_bool(ImageInfo *ii, const char *human, const char *json, bool val);
void image_info_free(ImageInfo *ii);

typedef struct ImageCheck {
    int64_t corruptions, leaks, check_errors;
    int64_t corruptions_fixed, leaks_fixed;
    int64_t total_clusters, allocated_clusters, fragmented_clusters, compressed_clusters;
    int64_t image_end_offset;
} ImageCheck;

enum { CHECK_FIX_LEAKS = 1, CHECK_FIX_ERRORS = 2 };

/* One internal snapshot, as listed by `snapshot -l`. */
typedef struct SnapshotInfo {
    char *id, *name;
    uint64_t vm_state_size, date_sec, date_nsec, vm_clock_nsec;
    uint64_t disk_size;
} SnapshotInfo;

struct BlockDriver {
    const char *format_name;
    size_t instance_size;
    bool has_backing;            /* the format can name a backing file */
    const char *create_help;     /* "-o help" text: one option per line */
    /* Score 0..100 for the first bytes of a file (buf is zero-padded to 2048 bytes); 0 = not mine. */
    int (*probe)(const uint8_t *buf, size_t len, const char *filename);
    int (*open)(BlockDriverState *bs, int flags, Error **errp);
    int (*create)(const BlockCreateArgs *a, Error **errp);
    int (*pread)(BlockDriverState *bs, uint64_t off, void *buf, size_t len);
    int (*pwrite)(BlockDriverState *bs, uint64_t off, const void *buf, size_t len, int flags);
    /* Make [off, off+len) read as zero; drivers may leave holes. Optional. */
    int (*pwrite_zeroes)(BlockDriverState *bs, uint64_t off, uint64_t len);
    int (*flush)(BlockDriverState *bs);
    /* Status of the run at off: returns BDRV_BLOCK_* (>= 0) and its length in *pnum
     * (at least 1 byte, at most len); *map is the host offset when OFFSET_VALID. */
    int (*block_status)(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                        uint64_t *map);
    void (*get_info)(BlockDriverState *bs, ImageInfo *ii);
    int (*check)(BlockDriverState *bs, ImageCheck *res, int fix);
    int (*truncate)(BlockDriverState *bs, uint64_t size, bool shrink, Error **errp);
    /* Bytes the host file takes, for "disk size"; optional (the file's st_blocks by default). */
    int64_t (*allocated_size)(BlockDriverState *bs);
    int (*snapshot_list)(BlockDriverState *bs, SnapshotInfo **list);
    int (*snapshot_create)(BlockDriverState *bs, const char *name, Error **errp);
    int (*snapshot_apply)(BlockDriverState *bs, const char *name, Error **errp);
    int (*snapshot_delete)(BlockDriverState *bs, const char *name, Error **errp);
    /* Rewrite the backing file name (rebase -u, commit). */
    int (*change_backing)(BlockDriverState *bs, const char *file, const char *fmt, Error **errp);
    /* Change format options of an existing image (amend -o); takes what it knows from opts. */
    int (*amend)(BlockDriverState *bs, ImgOpts *opts, Error **errp);
    /* Make every cluster unallocated again (commit without -d). Optional. */
    int (*make_empty)(BlockDriverState *bs);
    void (*close)(BlockDriverState *bs);
};

struct BlockDriverState {
    const BlockDriver *drv;
    void *opaque;                /* drv->instance_size bytes */
    char *filename;
    int flags;
    uint64_t total_size;         /* virtual size in bytes */
    /* Backing file as named in the image, and its format when the image names it. */
    char *backing_file;
    char *backing_fmt;
    char *backing_path;          /* resolved relative to this image's directory */
    BlockDriverState *backing;   /* opened unless BDRV_O_NO_BACKING */
    char errbuf[256];            /* last content error on I/O */
};

/* The driver table: every format, in probe order. */
extern const BlockDriver bdrv_raw, bdrv_qcow2, bdrv_vmdk, bdrv_vdi, bdrv_qcow;
const BlockDriver *bdrv_find_format(const char *name);
/* Names of all formats, space separated, for --help. */
const char *bdrv_format_list(void);

/* Probe the content of filename; NULL with *errp when unreadable. */
const BlockDriver *bdrv_probe(const char *filename, Error **errp);

BlockDriverState *bdrv_open(const char *filename, const char *fmt, int flags, Error **errp);
void bdrv_close(BlockDriverState *bs);
int bdrv_create(const BlockDriver *drv, const BlockCreateArgs *a, Error **errp);
int bdrv_pread(BlockDriverState *bs, uint64_t off, void *buf, size_t len);
int bdrv_pwrite(BlockDriverState *bs, uint64_t off, const void *buf, size_t len, int flags);
int bdrv_pwrite_zeroes(BlockDriverState *bs, uint64_t off, uint64_t len);
int bdrv_flush(BlockDriverState *bs);
int bdrv_block_status(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                      uint64_t *map);
/* Status through the chain: the depth of the layer that decides the content goes to *depth;
 * unallocated everywhere reads as zero. */
int bdrv_block_status_above(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                            uint64_t *map, int *depth, BlockDriverState **layer);
/* Read from the backing chain for a driver (zero past its end, zero without backing). */
int bdrv_read_backing(BlockDriverState *bs, uint64_t off, void *buf, size_t len);
int64_t bdrv_allocated_size(BlockDriverState *bs);
/* Last content error of bs (or of its chain), "" when none. */
const char *bdrv_last_error(BlockDriverState *bs);
void bdrv_set_error(BlockDriverState *bs, const char *fmt, ...) PRINTF_FMT(2, 3);
/* Resolve a backing name relative to the directory of the image naming it. */
char *bdrv_resolve_backing(const char *image, const char *backing);


/* The backend: what an emulated disk or vireo-img holds. */
struct BlockBackend {
    BlockDriverState *bs;
};
BlockBackend *blk_open(const char *filename, const char *fmt, int flags, Error **errp);
void blk_close(BlockBackend *blk);
uint64_t blk_getlength(BlockBackend *blk);
int blk_pread(BlockBackend *blk, uint64_t off, void *buf, size_t len);
int blk_pwrite(BlockBackend *blk, uint64_t off, const void *buf, size_t len, int flags);
int blk_flush(BlockBackend *blk);

/* True when the whole buffer is zero. */
bool buffer_is_zero(const void *buf, size_t len);

#endif
