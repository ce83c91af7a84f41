/* file.c: host file I/O for the format drivers. */
#include "util/osdep.h"
#include "block/file.h"
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/falloc.h>

int hostfile_open(HostFile *f, const char *path, bool writable, int mode)
{
    /* O_NONBLOCK so that a FIFO named by a hostile descriptor cannot hang the open; only
     * regular files and block devices are images. */
    f->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK);
    if (f->fd < 0)
        return -errno;
    struct stat st;
    if (fstat(f->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
        close(f->fd);
        f->fd = -1;
        return -EINVAL;
    }
    fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK);
    f->path = xstrdup(path);
    f->writable = writable;
    f->nosync = mode & HOSTFILE_NOSYNC;
    return 0;
}

int hostfile_create(HostFile *f, const char *path)
{
    f->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0)
        return -errno;
    f->path = xstrdup(path);
    f->writable = true;
    f->nosync = false;
    return 0;
}

int hostfile_write_new(const char *path, const HostFilePiece *pieces, int n, uint64_t size,
                       Error **errp)
{
    HostFile f = { .fd = -1 };
    int r = hostfile_create(&f, path);
    if (r < 0) {
        error_setg(errp, "Could not create '%s': %s", path, strerror(-r));
        return r;
    }
    for (int i = 0; i < n && r == 0; i++)
        r = hostfile_pwrite(&f, pieces[i].off, pieces[i].buf, pieces[i].len);
    if (r == 0)
        r = hostfile_truncate(&f, size);
    if (r == 0)
        r = hostfile_sync(&f);
    if (r < 0)
        error_setg(errp, "Could not write '%s': %s", path, strerror(-r));
    hostfile_close(&f);
    return r;
}

void hostfile_close(HostFile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    free(f->path);
    f->path = NULL;
}

int hostfile_pread(HostFile *f, uint64_t off, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(f->fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0) {
            memset(p, 0, len);
            return 0;
        }
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

int hostfile_pread_strict(HostFile *f, uint64_t off, void *buf, size_t len)
{
    int64_t size = hostfile_size(f);
    if (size < 0)
        return (int)size;
    if (off > (uint64_t)size || len > (uint64_t)size - off)
        return -EINVAL;
    return hostfile_pread(f, off, buf, len);
}

int hostfile_pwrite(HostFile *f, uint64_t off, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(f->fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

int64_t hostfile_size(HostFile *f)
{
    struct stat st;
    if (fstat(f->fd, &st) < 0)
        return -errno;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(f->fd, 0, SEEK_END);
        return end < 0 ? -errno : end;
    }
    return st.st_size;
}

int hostfile_truncate(HostFile *f, uint64_t size)
{
    return ftruncate(f->fd, size) < 0 ? -errno : 0;
}

int hostfile_sync(HostFile *f)
{
    if (f->nosync)
        return 0;
    return fdatasync(f->fd) < 0 ? -errno : 0;
}

int hostfile_discard(HostFile *f, uint64_t off, uint64_t len)
{
    if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) == 0)
        return 0;
    static const uint8_t zero[65536];
    while (len) {
        size_t n = MIN(len, sizeof zero);
        int r = hostfile_pwrite(f, off, zero, n);
        if (r < 0)
            return r;
        off += n;
        len -= n;
    }
    return 0;
}

bool hostfile_is_data(HostFile *f, uint64_t off, uint64_t len, uint64_t *pnum)
{
    off_t data = lseek(f->fd, off, SEEK_DATA);
    if (data < 0) {
        /* ENXIO: off is in the hole at the end; anything else: assume data. */
        *pnum = len;
        return errno != ENXIO;
    }
    if ((uint64_t)data > off) {
        *pnum = MIN(len, (uint64_t)data - off);
        return false;
    }
    off_t hole = lseek(f->fd, off, SEEK_HOLE);
    if (hole < 0 || (uint64_t)hole <= off)
        *pnum = len;
    else
        *pnum = MIN(len, (uint64_t)hole - off);
    return true;
}

int64_t hostfile_allocated(HostFile *f)
{
    struct stat st;
    if (fstat(f->fd, &st) < 0)
        return -errno;
    return (int64_t)st.st_blocks * 512;
}
