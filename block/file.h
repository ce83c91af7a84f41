/* file.h: host file I/O for the format drivers: whole-buffer pread/pwrite, size, sync, holes. */
#ifndef BLOCK_FILE_H
#define BLOCK_FILE_H

#include "util/osdep.h"
#include "util/error.h"

typedef struct HostFile {
    int fd;
    char *path;
    bool writable;
    bool nosync;     /* cache=unsafe: flushes do nothing */
} HostFile;

/* Open modes. */
enum { HOSTFILE_NOSYNC = 1 << 0 };

/* Open path; -errno on failure (-EINVAL: not a regular file or block device). */
int hostfile_open(HostFile *f, const char *path, bool writable, int mode);
/* The reason for a hostfile_open failure, in words. */
static inline const char *hostfile_open_error(int r)
{
    return r == -EINVAL ? "not a regular file or block device" : strerror(-r);
}
/* Create or truncate path for writing. */
int hostfile_create(HostFile *f, const char *path);
/* A piece of a new image file. */
typedef struct HostFilePiece {
    uint64_t off;
    const void *buf;
    size_t len;
} HostFilePiece;
/* Create (or truncate) path with the pieces written, `size` bytes long (the rest reads as
 * zero), synced; errors name the file. The image format drivers' create. */
int hostfile_write_new(const char *path, const HostFilePiece *pieces, int n, uint64_t size,
                       Error **errp);
void hostfile_close(HostFile *f);
/* Read exactly len bytes; bytes past end of file read as zero. -errno on I/O error. */
int hostfile_pread(HostFile *f, uint64_t off, void *buf, size_t len);
/* Read exactly len bytes; -EINVAL (not zero fill) when the range passes the end of file. */
int hostfile_pread_strict(HostFile *f, uint64_t off, void *buf, size_t len);
int hostfile_pwrite(HostFile *f, uint64_t off, const void *buf, size_t len);
int64_t hostfile_size(HostFile *f);
int hostfile_truncate(HostFile *f, uint64_t size);
int hostfile_sync(HostFile *f);
/* Deallocate a range (punch a hole), falling back to writing zeros. */
int hostfile_discard(HostFile *f, uint64_t off, uint64_t len);
/* Whether off is in a hole: returns the run length in *pnum and true for data. */
bool hostfile_is_data(HostFile *f, uint64_t off, uint64_t len, uint64_t *pnum);
/* Bytes the file occupies on the host (st_blocks * 512). */
int64_t hostfile_allocated(HostFile *f);

#endif
