/* qcow.c: QEMU's original qcow (version 1) images: two-level tables, compressed clusters, backing. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"
#include "block/file.h"
#include "block/endian.h"
#include "block/compress.h"
#include <time.h>

/*
 * Layout (big-endian): a 48-byte header, the backing file name, the L1 table; L2 tables and
 * clusters are appended.  An L2 entry is a cluster offset, or with bit 63 set a compressed
 * cluster: the low 63 - cluster_bits bits give the offset and the bits above the byte count.
 * There are no refcounts: clusters are never shared or freed.
 */
#define QCOW_MAGIC 0x514649fbu
#define QCOW_OFLAG_COMPRESSED (1ULL << 63)

enum {
    QH_MAGIC = 0, QH_VERSION = 4, QH_BACKING_OFF = 8, QH_BACKING_SIZE = 16, QH_MTIME = 20,
    QH_SIZE = 24, QH_CLUSTER_BITS = 32, QH_L2_BITS = 33, QH_CRYPT = 36, QH_L1_OFF = 40,
    QH_LEN = 48,
};

typedef struct QcowState {
    HostFile file;
    uint32_t cluster_bits, l2_bits, cluster_size, l2_size;
    uint64_t l1_offset;
    uint32_t l1_size;
    uint64_t *l1;
    uint64_t *l2;            /* the cached L2 table, host order */
    uint64_t l2_offset;      /* which table l2 holds, 0: none */
    uint64_t coffset_mask;
    uint64_t file_end;
    uint8_t *cbuf;           /* one decompressed cluster */
    uint64_t cbuf_entry;
    bool writable;
} QcowState;

static int qcow_probe(const uint8_t *buf, size_t len, const char *filename)
{
    if (len >= 8 && ld_be32(buf) == QCOW_MAGIC && ld_be32(buf + 4) == 1)
        return 100;
    return 0;
}

static int qcow_open(BlockDriverState *bs, int flags, Error **errp)
{
    QcowState *s = bs->opaque;
    uint8_t h[QH_LEN];
    bool rw = flags & BDRV_O_RDWR;
    int r = hostfile_open(&s->file, bs->filename, rw, bdrv_hostfile_mode(flags));
    if (r < 0) {
        error_setg(errp, "Could not open '%s': %s", bs->filename, hostfile_open_error(r));
        return r;
    }
    s->writable = rw;
    int64_t fsize = hostfile_size(&s->file);
    if (fsize < 0 || hostfile_pread_strict(&s->file, 0, h, QH_LEN) < 0) {
        error_setg(errp, "image is too short for a qcow header");
        goto fail;
    }
    if (ld_be32(h + QH_MAGIC) != QCOW_MAGIC || ld_be32(h + QH_VERSION) != 1) {
        error_setg(errp, "not a qcow version 1 image");
        goto fail;
    }
    if (ld_be32(h + QH_CRYPT)) {
        error_setg(errp, "encrypted qcow images are not supported");
        goto fail;
    }
    s->cluster_bits = h[QH_CLUSTER_BITS];
    s->l2_bits = h[QH_L2_BITS];
    /* The ranges qemu-img accepts: clusters of 512 B..64 KiB, L2 tables up to 64 KiB. */
    if (s->cluster_bits < 9 || s->cluster_bits > 16 || s->l2_bits < 6 || s->l2_bits > 13) {
        error_setg(errp, "cluster_bits %u / l2_bits %u out of range", s->cluster_bits, s->l2_bits);
        goto fail;
    }
    s->cluster_size = 1u << s->cluster_bits;
    s->l2_size = 1u << s->l2_bits;
    s->coffset_mask = (1ULL << (63 - s->cluster_bits)) - 1;
    bs->total_size = ld_be64(h + QH_SIZE);
    uint64_t per_l1 = 1ULL << (s->cluster_bits + s->l2_bits);
    if (bs->total_size > (1ULL << 56)) {
        error_setg(errp, "virtual size %" PRIu64 " is too large", bs->total_size);
        goto fail;
    }
    uint64_t l1 = (bs->total_size + per_l1 - 1) / per_l1;
    if (l1 * 8 > 32 * MiB) {
        error_setg(errp, "L1 table of %" PRIu64 " entries is too large", l1);
        goto fail;
    }
    s->l1_size = l1;
    s->l1_offset = ld_be64(h + QH_L1_OFF);
    if (s->l1_offset > (uint64_t)fsize || l1 * 8 > (uint64_t)fsize - s->l1_offset) {
        error_setg(errp, "L1 table at %" PRIu64 " is beyond end of file", s->l1_offset);
        goto fail;
    }
    s->l1 = xmalloc(l1 * 8 + 8);
    if (hostfile_pread_strict(&s->file, s->l1_offset, s->l1, l1 * 8) < 0) {
        error_setg(errp, "L1 table at %" PRIu64 " is beyond end of file", s->l1_offset);
        goto fail;
    }
    for (uint32_t i = 0; i < s->l1_size; i++)
        s->l1[i] = __builtin_bswap64(s->l1[i]);
    uint64_t boff = ld_be64(h + QH_BACKING_OFF);
    uint32_t blen = ld_be32(h + QH_BACKING_SIZE);
    if (boff) {
        if (blen == 0 || blen > 1023 || boff > (uint64_t)fsize || blen > fsize - boff) {
            error_setg(errp, "backing file name (%u bytes at %" PRIu64 ") is invalid", blen, boff);
            goto fail;
        }
        bs->backing_file = xzalloc(blen + 1);
        hostfile_pread(&s->file, boff, bs->backing_file, blen);
        if (strlen(bs->backing_file) != blen) {
            error_setg(errp, "backing file name contains a NUL byte");
            goto fail;
        }
    }
    s->l2 = xmalloc((uint64_t)s->l2_size * 8);
    s->cbuf = xmalloc(s->cluster_size);
    s->file_end = fsize;
    return 0;
fail:
    free(s->l1);
    free(s->l2);
    free(s->cbuf);
    free(bs->backing_file);
    bs->backing_file = NULL;
    hostfile_close(&s->file);
    return -EINVAL;
}

static uint64_t *load_l2(BlockDriverState *bs, uint32_t l1i)
{
    QcowState *s = bs->opaque;
    uint64_t off = s->l1[l1i], bytes = (uint64_t)s->l2_size * 8;
    if (s->l2_offset == off)
        return s->l2;
    if (off > s->file_end || s->file_end - off < bytes) {
        bdrv_set_error(bs, "L1 entry %u points beyond end of file", l1i);
        return NULL;
    }
    if (hostfile_pread(&s->file, off, s->l2, bytes) < 0)
        return NULL;
    for (uint32_t i = 0; i < s->l2_size; i++)
        s->l2[i] = __builtin_bswap64(s->l2[i]);
    s->l2_offset = off;
    return s->l2;
}

/* L2 entry for guest offset off (0 when unallocated); NULL-table errors return -errno. */
static int get_entry(BlockDriverState *bs, uint64_t off, uint64_t *entry)
{
    QcowState *s = bs->opaque;
    uint32_t l1i = off >> (s->cluster_bits + s->l2_bits);
    *entry = 0;
    if (l1i >= s->l1_size || !s->l1[l1i])
        return 0;
    uint64_t *t = load_l2(bs, l1i);
    if (!t)
        return -EINVAL;
    *entry = t[(off >> s->cluster_bits) & (s->l2_size - 1)];
    return 0;
}

static int read_compressed(BlockDriverState *bs, uint64_t e)
{
    QcowState *s = bs->opaque;
    if (s->cbuf_entry == e)
        return 0;
    uint64_t coff = e & s->coffset_mask;
    uint64_t csize = (e >> (63 - s->cluster_bits)) & (s->cluster_size - 1);
    if (coff > s->file_end || csize > s->file_end - coff || !csize) {
        bdrv_set_error(bs, "compressed cluster at %" PRIu64 " is beyond end of file", coff);
        return -EINVAL;
    }
    uint8_t *in = xmalloc(csize);
    int r = hostfile_pread(&s->file, coff, in, csize);
    if (r == 0 && inflate_one(in, csize, s->cbuf, s->cluster_size, -12) != (long)s->cluster_size) {
        bdrv_set_error(bs, "compressed cluster at %" PRIu64 " is corrupt", coff);
        r = -EINVAL;
    }
    free(in);
    s->cbuf_entry = r == 0 ? e : 0;
    return r;
}

static int qcow_pread(BlockDriverState *bs, uint64_t off, void *buf, size_t len)
{
    QcowState *s = bs->opaque;
    uint8_t *p = buf;
    while (len) {
        uint64_t in = off & (s->cluster_size - 1), n = MIN(len, s->cluster_size - in), e;
        int r = get_entry(bs, off, &e);
        if (r == 0) {
            if (!e) {
                r = bdrv_read_backing(bs, off, p, n);
            } else if (e & QCOW_OFLAG_COMPRESSED) {
                r = read_compressed(bs, e);
                if (r == 0)
                    memcpy(p, s->cbuf + in, n);
            } else if ((e & (s->cluster_size - 1)) || e >= s->file_end) {
                bdrv_set_error(bs, "L2 entry for offset %" PRIu64 " points beyond end of file", off);
                r = -EINVAL;
            } else {
                r = hostfile_pread(&s->file, e + in, p, n);
            }
        }
        if (r < 0)
            return r;
        p += n, off += n, len -= n;
    }
    return 0;
}

static int qcow_block_status(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                             uint64_t *map)
{
    QcowState *s = bs->opaque;
    uint64_t in = off & (s->cluster_size - 1), e;
    *pnum = MIN(len, s->cluster_size - in);
    int r = get_entry(bs, off, &e);
    if (r < 0)
        return r;
    if (!e)
        return 0;
    if (e & QCOW_OFLAG_COMPRESSED)
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_COMPRESSED;
    *map = e + in;
    return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID;
}

/* Append n bytes, cluster aligned when asked, and return where. */
static uint64_t append(QcowState *s, uint64_t n, bool align)
{
    uint64_t at = align ? ALIGN_UP(s->file_end, s->cluster_size) : s->file_end;
    s->file_end = at + n;
    return at;
}

static int write_l2_entry(BlockDriverState *bs, uint32_t l1i, uint32_t l2i, uint64_t val)
{
    QcowState *s = bs->opaque;
    uint8_t be[8];
    int r;
    if (!s->l1[l1i]) {
        /* A new L2 table, zeroed, at the end of the file; then the L1 entry names it. */
        uint64_t bytes = (uint64_t)s->l2_size * 8;
        uint64_t at = append(s, bytes, true);
        uint8_t *z = xzalloc(bytes);
        r = hostfile_pwrite(&s->file, at, z, bytes);
        free(z);
        if (r < 0)
            return r;
        s->l1[l1i] = at;
        st_be64(be, at);
        r = hostfile_pwrite(&s->file, s->l1_offset + 8ULL * l1i, be, 8);
        if (r < 0)
            return r;
    }
    uint64_t *t = load_l2(bs, l1i);
    if (!t)
        return -EINVAL;
    t[l2i] = val;
    st_be64(be, val);
    return hostfile_pwrite(&s->file, s->l1[l1i] + 8ULL * l2i, be, 8);
}

static int qcow_pwrite(BlockDriverState *bs, uint64_t off, const void *buf, size_t len, int flags)
{
    QcowState *s = bs->opaque;
    const uint8_t *p = buf;
    uint8_t *bounce = NULL, *cout = NULL;
    int r = 0;
    while (len && r == 0) {
        uint64_t in = off & (s->cluster_size - 1), n = MIN(len, s->cluster_size - in), e;
        uint32_t l1i = off >> (s->cluster_bits + s->l2_bits);
        uint32_t l2i = (off >> s->cluster_bits) & (s->l2_size - 1);
        r = get_entry(bs, off, &e);
        if (r < 0)
            break;
        if (e && !(e & QCOW_OFLAG_COMPRESSED)) {
            if ((e & (s->cluster_size - 1)) || e >= s->file_end) {
                bdrv_set_error(bs, "L2 entry for offset %" PRIu64 " points beyond end of file", off);
                r = -EINVAL;
                break;
            }
            r = hostfile_pwrite(&s->file, e + in, p, n);
            p += n, off += n, len -= n;
            continue;
        }
        if (!bounce)
            bounce = xmalloc(s->cluster_size);
        /* Whole new cluster: the old content (compressed, backing, zeros) under the new bytes. */
        uint64_t goff = off - in, glen = MIN((uint64_t)s->cluster_size, bs->total_size - goff);
        memset(bounce, 0, s->cluster_size);
        if (n != s->cluster_size) {
            if (e) {
                r = read_compressed(bs, e);
                if (r == 0)
                    memcpy(bounce, s->cbuf, s->cluster_size);
            } else
                r = bdrv_read_backing(bs, goff, bounce, glen);
            if (r < 0)
                break;
        }
        memcpy(bounce + in, p, n);
        uint64_t val;
        size_t clen = 0;
        if (flags & BDRV_REQ_COMPRESSED) {
            if (!cout)
                cout = xmalloc(s->cluster_size);
            clen = compress_one(bounce, s->cluster_size, -12, cout, s->cluster_size - 1);
        }
        if (clen) {
            uint64_t at = append(s, clen, false);
            r = hostfile_pwrite(&s->file, at, cout, clen);
            val = at | ((uint64_t)clen << (63 - s->cluster_bits)) | QCOW_OFLAG_COMPRESSED;
        } else {
            uint64_t at = append(s, s->cluster_size, true);
            r = hostfile_pwrite(&s->file, at, bounce, s->cluster_size);
            val = at;
        }
        if (r == 0)
            r = write_l2_entry(bs, l1i, l2i, val);
        if (s->cbuf_entry == e)
            s->cbuf_entry = 0;
        p += n, off += n, len -= n;
    }
    free(bounce);
    free(cout);
    if (r < 0 && !bs->errbuf[0])
        bdrv_set_error(bs, "write failed: %s", strerror(-r));
    return r;
}

static int qcow_flush(BlockDriverState *bs)
{
    QcowState *s = bs->opaque;
    return s->writable ? hostfile_sync(&s->file) : 0;
}

static void qcow_close(BlockDriverState *bs)
{
    QcowState *s = bs->opaque;
    if (s->writable) {
        /* Keep the file a whole number of clusters long, as qemu-img leaves it. */
        if ((uint64_t)hostfile_size(&s->file) < s->file_end)
            hostfile_truncate(&s->file, s->file_end);
        hostfile_sync(&s->file);
    }
    free(s->l1);
    free(s->l2);
    free(s->cbuf);
    hostfile_close(&s->file);
}

static void qcow_get_info(BlockDriverState *bs, ImageInfo *ii)
{
    QcowState *s = bs->opaque;
    ii->cluster_size = s->cluster_size;
}

static int qcow_create(const BlockCreateArgs *a, Error **errp)
{
    const char *bf = a->backing_file ? a->backing_file : img_opts_get(a->opts, "backing_file");
    if (img_opts_get(a->opts, "encryption") || img_opts_get(a->opts, "encrypt.format")) {
        error_setg(errp, "encrypted qcow images are not supported");
        return -ENOTSUP;
    }
    img_opts_get(a->opts, "backing_fmt");   /* qcow cannot record it; accepted like qemu-img */
    size_t blen = bf ? strlen(bf) : 0;
    if (blen > 1023) {
        error_setg(errp, "backing file name is too long");
        return -EINVAL;
    }
    /* qemu-img's choice: 512-byte clusters and 4096-entry tables over a backing file, else 4 KiB/512. */
    unsigned cb = bf ? 9 : 12, l2b = bf ? 12 : 9;
    uint64_t per_l1 = 1ULL << (cb + l2b);
    uint64_t l1 = (a->size + per_l1 - 1) / per_l1;
    if (l1 * 8 > 32 * MiB) {
        error_setg(errp, "image size is too large for qcow");
        return -EFBIG;
    }
    uint64_t hlen = ALIGN_UP(QH_LEN + blen, 8);
    uint8_t *h = xzalloc(hlen);
    st_be32(h + QH_MAGIC, QCOW_MAGIC);
    st_be32(h + QH_VERSION, 1);
    if (bf) {
        st_be64(h + QH_BACKING_OFF, QH_LEN);
        st_be32(h + QH_BACKING_SIZE, blen);
        memcpy(h + QH_LEN, bf, blen);
        st_be32(h + QH_MTIME, (uint32_t)time(NULL));
    }
    st_be64(h + QH_SIZE, a->size);
    h[QH_CLUSTER_BITS] = cb;
    h[QH_L2_BITS] = l2b;
    st_be64(h + QH_L1_OFF, hlen);
    int r = hostfile_write_new(a->filename, &(HostFilePiece){ 0, h, hlen }, 1,
                               hlen + ALIGN_UP(l1 * 8, 512), errp);
    free(h);
    return r;
}

const BlockDriver bdrv_qcow = {
    .format_name = "qcow",
    .instance_size = sizeof(QcowState),
    .has_backing = true,
    .create_help = "backing_file     file name of a base image\n"
                   "backing_fmt      accepted; qcow cannot record it (the base is probed)\n",
    .probe = qcow_probe,
    .open = qcow_open,
    .create = qcow_create,
    .pread = qcow_pread,
    .pwrite = qcow_pwrite,
    .flush = qcow_flush,
    .block_status = qcow_block_status,
    .get_info = qcow_get_info,
    .close = qcow_close,
};
