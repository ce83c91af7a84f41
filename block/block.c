/* block.c: the generic block layer: driver table, probing, opening chains, options, the backend. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"
#include <stdarg.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

/* Every format, in the order probing asks them (raw last: it takes anything). */
static const BlockDriver *const block_drivers[] = {
    &bdrv_qcow2,
    &bdrv_vmdk,
    &bdrv_vdi,
    &bdrv_qcow,
    &bdrv_raw,
};

/* A backing chain longer than this is treated as a loop. */
#define MAX_BACKING_DEPTH 64

const BlockDriver *bdrv_find_format(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(block_drivers); i++)
        if (!strcmp(block_drivers[i]->format_name, name))
            return block_drivers[i];
    return NULL;
}

const char *bdrv_format_list(void)
{
    static char buf[256];
    if (!buf[0]) {
        for (size_t i = 0; i < ARRAY_SIZE(block_drivers); i++) {
            if (i)
                strcat(buf, " ");
            strcat(buf, block_drivers[i]->format_name);
        }
    }
    return buf;
}

const BlockDriver *bdrv_probe(const char *filename, Error **errp)
{
    uint8_t buf[2048] = { 0 };
    int fd = open(filename, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error_setg(errp, "Could not open '%s': %s", filename, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
        close(fd);
        error_setg(errp, "'%s' is not a regular file or block device", filename);
        return NULL;
    }
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    int e = errno;
    close(fd);
    if (n < 0) {
        error_setg(errp, "Could not read '%s': %s", filename, strerror(e));
        return NULL;
    }
    const BlockDriver *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < ARRAY_SIZE(block_drivers); i++) {
        int s = block_drivers[i]->probe ? block_drivers[i]->probe(buf, n, filename) : 0;
        if (s > best_score) {
            best_score = s;
            best = block_drivers[i];
        }
    }
    if (!best)
        error_setg(errp, "Could not determine the image format");
    return best;
}

char *bdrv_resolve_backing(const char *image, const char *backing)
{
    const char *slash = strrchr(image, '/');
    if (backing[0] == '/' || !slash)
        return xstrdup(backing);
    return xasprintf("%.*s%s", (int)(slash - image + 1), image, backing);
}

static BlockDriverState *bdrv_open_depth(const char *filename, const char *fmt, int flags,
                                         int depth, Error **errp)
{
    const BlockDriver *drv;
    if (depth > MAX_BACKING_DEPTH) {
        error_setg(errp, "backing chain deeper than %d (a loop?)", MAX_BACKING_DEPTH);
        return NULL;
    }
    if (fmt) {
        drv = bdrv_find_format(fmt);
        if (!drv) {
            error_setg(errp, "Unknown driver '%s'", fmt);
            return NULL;
        }
    } else {
        drv = bdrv_probe(filename, errp);
        if (!drv)
            return NULL;
    }
    BlockDriverState *bs = xzalloc(sizeof *bs);
    bs->drv = drv;
    bs->opaque = xzalloc(drv->instance_size ? drv->instance_size : 1);
    bs->filename = xstrdup(filename);
    bs->flags = flags;
    if (drv->open(bs, flags, errp) < 0) {
        free(bs->opaque);
        free(bs->filename);
        free(bs->backing_file);
        free(bs->backing_fmt);
        free(bs);
        return NULL;
    }
    if (bs->backing_file) {
        bs->backing_path = bdrv_resolve_backing(filename, bs->backing_file);
        if (!(flags & BDRV_O_NO_BACKING)) {
            Error *err = NULL;
            /* Backing files are opened read-only; only commit writes into one. */
            bs->backing = bdrv_open_depth(bs->backing_path, bs->backing_fmt,
                                          flags & ~(BDRV_O_RDWR | BDRV_O_CHECK), depth + 1, &err);
            if (!bs->backing) {
                error_prepend(&err, "Could not open backing file '%s': ", bs->backing_path);
                error_propagate(errp, err);
                bdrv_close(bs);
                return NULL;
            }
        }
    }
    return bs;
}

BlockDriverState *bdrv_open(const char *filename, const char *fmt, int flags, Error **errp)
{
    return bdrv_open_depth(filename, fmt, flags, 0, errp);
}

void bdrv_close(BlockDriverState *bs)
{
    if (!bs)
        return;
    bs->drv->close(bs);
    bdrv_close(bs->backing);
    free(bs->opaque);
    free(bs->filename);
    free(bs->backing_file);
    free(bs->backing_fmt);
    free(bs->backing_path);
    free(bs);
}

int bdrv_create(const BlockDriver *drv, const BlockCreateArgs *a, Error **errp)
{
    if (!drv->create) {
        error_setg(errp, "Format '%s' does not support image creation", drv->format_name);
        return -ENOTSUP;
    }
    if (a->backing_file && !drv->has_backing) {
        error_setg(errp, "Format '%s' does not support backing files", drv->format_name);
        return -ENOTSUP;
    }
    return drv->create(a, errp);
}

static int check_range(BlockDriverState *bs, uint64_t off, uint64_t len)
{
    if (off > bs->total_size || len > bs->total_size - off) {
        bdrv_set_error(bs, "request at %" PRIu64 "+%" PRIu64 " beyond the virtual size %" PRIu64,
                       off, len, bs->total_size);
        return -EINVAL;
    }
    return 0;
}

int bdrv_pread(BlockDriverState *bs, uint64_t off, void *buf, size_t len)
{
    int r = check_range(bs, off, len);
    return r < 0 ? r : (len ? bs->drv->pread(bs, off, buf, len) : 0);
}

int bdrv_pwrite(BlockDriverState *bs, uint64_t off, const void *buf, size_t len, int flags)
{
    if (!(bs->flags & BDRV_O_RDWR))
        return -EROFS;
    int r = check_range(bs, off, len);
    return r < 0 ? r : (len ? bs->drv->pwrite(bs, off, buf, len, flags) : 0);
}

int bdrv_pwrite_zeroes(BlockDriverState *bs, uint64_t off, uint64_t len)
{
    if (!(bs->flags & BDRV_O_RDWR))
        return -EROFS;
    int r = check_range(bs, off, len);
    if (r < 0 || !len)
        return r;
    if (bs->drv->pwrite_zeroes)
        return bs->drv->pwrite_zeroes(bs, off, len);
    size_t chunk = MIN(len, 1 * MiB);
    void *zero = xzalloc(chunk);
    while (len && r >= 0) {
        size_t n = MIN(len, chunk);
        r = bs->drv->pwrite(bs, off, zero, n, 0);
        off += n;
        len -= n;
    }
    free(zero);
    return r;
}

int bdrv_flush(BlockDriverState *bs)
{
    return bs->drv->flush ? bs->drv->flush(bs) : 0;
}

int bdrv_block_status(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                      uint64_t *map)
{
    *map = 0;
    if (off >= bs->total_size) {
        *pnum = 0;
        return 0;
    }
    len = MIN(len, bs->total_size - off);
    if (!bs->drv->block_status) {
        *pnum = len;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED;
    }
    int r = bs->drv->block_status(bs, off, len, pnum, map);
    if (r >= 0 && (*pnum == 0 || *pnum > len))
        *pnum = len;   /* a driver bug must not stall or overrun callers */
    return r;
}

int bdrv_block_status_above(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                            uint64_t *map, int *depth, BlockDriverState **layer)
{
    int d = 0;
    uint64_t want = MIN(len, bs->total_size > off ? bs->total_size - off : 0);
    *pnum = want;
    for (BlockDriverState *b = bs; b; b = b->backing, d++) {
        uint64_t n;
        int r = bdrv_block_status(b, off, *pnum, &n, map);
        if (r < 0)
            return r;
        *pnum = MIN(*pnum, n);
        /* Past the end of a shorter backing file, unallocated reads as zero from here. */
        bool last = !b->backing || off >= b->backing->total_size;
        if ((r & BDRV_BLOCK_ALLOCATED) || last) {
            *depth = d;
            *layer = b;
            if (!(r & BDRV_BLOCK_ALLOCATED))
                r |= BDRV_BLOCK_ZERO;
            return r;
        }
        if (b->backing->total_size - off < *pnum)
            *pnum = b->backing->total_size - off;
    }
    return 0;   /* not reached: the loop ends at the last layer */
}

int bdrv_read_backing(BlockDriverState *bs, uint64_t off, void *buf, size_t len)
{
    BlockDriverState *b = bs->backing;
    if (!b) {
        memset(buf, 0, len);
        return 0;
    }
    size_t n = 0;
    if (off < b->total_size)
        n = MIN(len, b->total_size - off);
    if (n) {
        int r = bdrv_pread(b, off, buf, n);
        if (r < 0)
            return r;
    }
    memset((uint8_t *)buf + n, 0, len - n);
    return 0;
}

int64_t bdrv_allocated_size(BlockDriverState *bs)
{
    if (bs->drv->allocated_size)
        return bs->drv->allocated_size(bs);
    struct stat st;
    if (stat(bs->filename, &st) < 0)
        return -errno;
    return (int64_t)st.st_blocks * 512;
}

const char *bdrv_last_error(BlockDriverState *bs)
{
    for (BlockDriverState *b = bs; b; b = b->backing)
        if (b->errbuf[0])
            return b->errbuf;
    return "";
}

void bdrv_set_error(BlockDriverState *bs, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(bs->errbuf, sizeof bs->errbuf, fmt, ap);
    va_end(ap);
    for (char *c = bs->errbuf; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
}

/* ---- options ---- */

bool img_opts_parse(ImgOpts *o, const char *s, Error **errp)
{
    const char *p = s;
    while (*p) {
        char key[128], *val;
        size_t kn = strcspn(p, "=,");
        if (kn == 0 || kn >= sizeof key) {
            error_setg(errp, "Invalid option list '%s'", s);
            return false;
        }
        memcpy(key, p, kn);
        key[kn] = 0;
        p += kn;
        size_t cap = strlen(p) + 1, vn = 0;
        val = xmalloc(cap);
        if (*p == '=') {
            p++;
            /* ",," is a literal comma, as in QEMU's option syntax. */
            while (*p && !(*p == ',' && p[1] != ',')) {
                if (*p == ',')
                    p++;
                val[vn++] = *p++;
            }
        } else if (strcmp(key, "help") && strcmp(key, "?")) {
            free(val);
            error_setg(errp, "Invalid parameter '%s': expected key=value", key);
            return false;
        }
        val[vn] = 0;
        if (*p == ',')
            p++;
        if (o->n >= IMG_OPTS_MAX) {
            free(val);
            error_setg(errp, "Too many options");
            return false;
        }
        o->key[o->n] = xstrdup(key);
        o->val[o->n] = val;
        o->used[o->n] = false;
        o->n++;
    }
    return true;
}

const char *img_opts_get(ImgOpts *o, const char *key)
{
    const char *v = NULL;
    if (!o)
        return NULL;
    for (int i = 0; i < o->n; i++) {
        if (!strcmp(o->key[i], key)) {
            o->used[i] = true;
            v = o->val[i];   /* the last one wins */
        }
    }
    return v;
}

bool img_opts_get_bool(ImgOpts *o, const char *key, bool def, bool *out, Error **errp)
{
    const char *v = img_opts_get(o, key);
    *out = def;
    if (!v)
        return true;
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes"))
        *out = true;
    else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no"))
        *out = false;
    else {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return true;
}

bool img_opts_get_size(ImgOpts *o, const char *key, uint64_t def, uint64_t *out, Error **errp)
{
    const char *v = img_opts_get(o, key);
    *out = def;
    if (v && !parse_size(v, out)) {
        error_setg(errp, "Parameter '%s' expects a size", key);
        return false;
    }
    return true;
}

const char *img_opts_unused(const ImgOpts *o)
{
    for (int i = 0; o && i < o->n; i++)
        if (!o->used[i])
            return o->key[i];
    return NULL;
}

void img_opts_free(ImgOpts *o)
{
    for (int i = 0; i < o->n; i++) {
        free(o->key[i]);
        free(o->val[i]);
    }
    o->n = 0;
}

/* ---- info fields ---- */

static InfoField *info_next(ImageInfo *ii, const char *human, const char *json, InfoType t)
{
    if (ii->nfields >= INFO_FIELDS_MAX)
        return NULL;
    InfoField *f = &ii->f[ii->nfields++];
    f->human = human;
    f->json = json;
    f->type = t;
    return f;
}

void info_add_str(ImageInfo *ii, const char *human, const char *json, const char *val)
{
    InfoField *f = info_next(ii, human, json, INFO_STR);
    if (f)
        f->s = xstrdup(val);
}

void info_add_int(ImageInfo *ii, const char *human, const char *json, int64_t val)
{
    InfoField *f = info_next(ii, human, json, INFO_INT);
    if (f)
        f->i = val;
}

void info_add_bool(ImageInfo *ii, const char *human, const char *json, bool val)
{
    InfoField *f = info_next(ii, human, json, INFO_BOOL);
    if (f)
        f->b = val;
}

void image_info_free(ImageInfo *ii)
{
    for (int i = 0; i < ii->nfields; i++)
        free(ii->f[i].s);
    ii->nfields = 0;
}

bool buffer_is_zero(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    /* Check the head bytewise, then compare the buffer with itself shifted by 16. */
    size_t head = MIN(len, 16);
    for (size_t i = 0; i < head; i++)
        if (p[i])
            return false;
    return len <= 16 || !memcmp(p, p + 16, len - 16);
}

/* ---- the backend ---- */

BlockBackend *blk_open(const char *filename, const char *fmt, int flags, Error **errp)
{
    BlockDriverState *bs = bdrv_open(filename, fmt, flags, errp);
    if (!bs)
        return NULL;
    BlockBackend *blk = xzalloc(sizeof *blk);
    blk->bs = bs;
    return blk;
}

void blk_close(BlockBackend *blk)
{
    if (!blk)
        return;
    bdrv_close(blk->bs);
    free(blk);
}

uint64_t blk_getlength(BlockBackend *blk) { return blk->bs->total_size; }

int blk_pread(BlockBackend *blk, uint64_t off, void *buf, size_t len)
{
    return bdrv_pread(blk->bs, off, buf, len);
}

int blk_pwrite(BlockBackend *blk, uint64_t off, const void *buf, size_t len, int flags)
{
    return bdrv_pwrite(blk->bs, off, buf, len, flags);
}

int blk_flush(BlockBackend *blk) { return bdrv_flush(blk->bs); }
