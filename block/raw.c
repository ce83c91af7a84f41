/* raw.c: raw images: the file is the disk; holes in the host file stay holes. */
#include "util/osdep.h"
#include "block/block.h"
#include "block/file.h"
#include <fcntl.h>

typedef struct RawState {
    HostFile file;
} RawState;

static int raw_probe(const uint8_t *buf, size_t len, const char *filename)
{
    return 1;   /* anything is a raw image, as the last resort */
}

static int raw_open(BlockDriverState *bs, int flags, Error **errp)
{
    RawState *s = bs->opaque;
    int r = hostfile_open(&s->file, bs->filename, flags & BDRV_O_RDWR, bdrv_hostfile_mode(flags));
    if (r < 0) {
        error_setg(errp, "Could not open '%s': %s", bs->filename, hostfile_open_error(r));
        return r;
    }
    int64_t size = hostfile_size(&s->file);
    if (size < 0) {
        error_setg(errp, "Could not get the size of '%s': %s", bs->filename, strerror((int)-size));
        hostfile_close(&s->file);
        return (int)size;
    }
    /* Sizes are whole sectors, as in qemu-img: a short last sector reads as zeros. */
    bs->total_size = ALIGN_UP((uint64_t)size, 512);
    return 0;
}

static int raw_create(const BlockCreateArgs *a, Error **errp)
{
    HostFile f;
    const char *prealloc = img_opts_get(a->opts, "preallocation");
    int r = hostfile_create(&f, a->filename);
    if (r < 0) {
        error_setg(errp, "Could not create '%s': %s", a->filename, strerror(-r));
        return r;
    }
    r = hostfile_truncate(&f, a->size);
    if (r == 0 && prealloc && strcmp(prealloc, "off")) {
        if (!strcmp(prealloc, "falloc")) {
            if (posix_fallocate(f.fd, 0, a->size))
                r = -EIO;
        } else if (!strcmp(prealloc, "full")) {
            size_t chunk = 1 * MiB;
            void *zero = xzalloc(chunk);
            for (uint64_t off = 0; off < a->size && r == 0; off += chunk)
                r = hostfile_pwrite(&f, off, zero, MIN(chunk, a->size - off));
            free(zero);
        } else {
            error_setg(errp, "Invalid preallocation mode '%s' (off, falloc, full)", prealloc);
            r = -EINVAL;
        }
    }
    if (r < 0 && !*errp)
        error_setg(errp, "Could not resize '%s': %s", a->filename, strerror(-r));
    hostfile_close(&f);
    return r;
}

static int raw_pread(BlockDriverState *bs, uint64_t off, void *buf, size_t len)
{
    RawState *s = bs->opaque;
    return hostfile_pread(&s->file, off, buf, len);
}

static int raw_pwrite(BlockDriverState *bs, uint64_t off, const void *buf, size_t len, int flags)
{
    RawState *s = bs->opaque;
    return hostfile_pwrite(&s->file, off, buf, len);
}

static int raw_pwrite_zeroes(BlockDriverState *bs, uint64_t off, uint64_t len)
{
    RawState *s = bs->opaque;
    return hostfile_discard(&s->file, off, len);
}

static int raw_flush(BlockDriverState *bs)
{
    RawState *s = bs->opaque;
    return hostfile_sync(&s->file);
}

static int raw_block_status(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                            uint64_t *map)
{
    RawState *s = bs->opaque;
    *map = off;
    if (hostfile_is_data(&s->file, off, len, pnum))
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID;
    return BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID;
}

static int raw_truncate(BlockDriverState *bs, uint64_t size, bool shrink, Error **errp)
{
    RawState *s = bs->opaque;
    int r = hostfile_truncate(&s->file, size);
    if (r < 0) {
        error_setg(errp, "Could not resize: %s", strerror(-r));
        return r;
    }
    bs->total_size = size;
    return 0;
}

static void raw_close(BlockDriverState *bs)
{
    RawState *s = bs->opaque;
    hostfile_close(&s->file);
}

const BlockDriver bdrv_raw = {
    .format_name = "raw",
    .instance_size = sizeof(RawState),
    .create_help = "preallocation    off, falloc or full (default off)\n",
    .probe = raw_probe,
    .open = raw_open,
    .create = raw_create,
    .pread = raw_pread,
    .pwrite = raw_pwrite,
    .pwrite_zeroes = raw_pwrite_zeroes,
    .flush = raw_flush,
    .block_status = raw_block_status,
    .truncate = raw_truncate,
    .close = raw_close,
};
