/* qcow2.c: the qcow2 driver: header, open/create, cluster mapping, reads and crash-safe writes. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/qcow2.h"
#include "block/endian.h"
#include "block/compress.h"
#include <fcntl.h>
#include <unistd.h>

enum { QC_UNALLOC, QC_ZERO, QC_NORMAL, QC_COMPRESSED };

static int qcow2_probe(const uint8_t *buf, size_t len, const char *filename)
{
    if (len >= 8 && ld_be32(buf) == QCOW2_MAGIC && ld_be32(buf + 4) >= 2)
        return 100;
    return 0;
}

/* Header fields at their spec offsets ("Header" section). */
enum {
    H_MAGIC = 0, H_VERSION = 4, H_BACKING_OFF = 8, H_BACKING_SIZE = 16, H_CLUSTER_BITS = 20,
    H_SIZE = 24, H_CRYPT = 32, H_L1_SIZE = 36, H_L1_OFF = 40, H_RT_OFF = 48, H_RT_CLUSTERS = 56,
    H_NB_SNAP = 60, H_SNAP_OFF = 64, H_INCOMPAT = 72, H_COMPAT = 80, H_AUTOCLEAR = 88,
    H_REFCOUNT_ORDER = 96, H_HEADER_LEN = 100, H_COMPRESSION_TYPE = 104,
};

int qcow2_read_l1_table(BlockDriverState *bs, uint64_t off, uint32_t size, uint64_t **out, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint64_t bytes = (uint64_t)size * 8;
    *out = NULL;
    if (bytes > QCOW2_MAX_L1_BYTES) {
        error_setg(errp, "L1 table of %u entries is too large", size);
        return -EFBIG;
    }
    if (off & (s->cluster_size - 1)) {
        error_setg(errp, "L1 table offset %#" PRIx64 " is not cluster aligned", off);
        return -EINVAL;
    }
    if (off > s->file_size || bytes > s->file_size - off) {
        error_setg(errp, "L1 table at %" PRIu64 " is beyond end of file", off);
        return -EINVAL;
    }
    uint64_t *l1 = xmalloc(bytes ? bytes : 1);
    if (hostfile_pread_strict(&s->file, off, l1, bytes) < 0) {
        free(l1);
        error_setg(errp, "L1 table at %" PRIu64 " is beyond end of file", off);
        return -EINVAL;
    }
    for (uint32_t i = 0; i < size; i++)
        l1[i] = __builtin_bswap64(l1[i]);
    *out = l1;
    return 0;
}

static void free_snapshots(Qcow2State *s)
{
    for (uint32_t i = 0; i < s->nb_snapshots && s->snapshots; i++) {
        free(s->snapshots[i].id);
        free(s->snapshots[i].name);
        free(s->snapshots[i].extra);
    }
    free(s->snapshots);
    s->snapshots = NULL;
}

/* Spec "Snapshots": a table of variable-length entries, each padded to 8 bytes. */
static int read_snapshots(BlockDriverState *bs, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint64_t off = s->snapshots_offset;
    if (!s->nb_snapshots)
        return 0;
    if (s->nb_snapshots > QCOW2_MAX_SNAPSHOTS || (off & (s->cluster_size - 1))) {
        error_setg(errp, "snapshot table (%u entries at %#" PRIx64 ") is invalid", s->nb_snapshots, off);
        return -EINVAL;
    }
    s->snapshots = xzalloc(sizeof *s->snapshots * s->nb_snapshots);
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        uint8_t h[40];
        Qcow2Snapshot *sn = &s->snapshots[i];
        if (hostfile_pread_strict(&s->file, off, h, sizeof h) < 0) {
            error_setg(errp, "snapshot table entry %u is beyond end of file", i);
            return -EINVAL;
        }
        sn->l1_offset = ld_be64(h);
        sn->l1_size = ld_be32(h + 8);
        uint16_t id_len = ld_be16(h + 12), name_len = ld_be16(h + 14);
        sn->date_sec = ld_be32(h + 16);
        sn->date_nsec = ld_be32(h + 20);
        sn->vm_clock_nsec = ld_be64(h + 24);
        sn->vm_state_size = ld_be32(h + 32);
        sn->extra_size = ld_be32(h + 36);
        if (sn->extra_size > 1024) {
            error_setg(errp, "snapshot table entry %u has %u bytes of extra data (too many)", i, sn->extra_size);
            return -EINVAL;
        }
        if ((uint64_t)sn->l1_size * 8 > QCOW2_MAX_L1_BYTES || (sn->l1_offset & (s->cluster_size - 1))) {
            error_setg(errp, "snapshot %u has an invalid L1 table", i);
            return -EINVAL;
        }
        off += 40;
        sn->extra = xzalloc(sn->extra_size + 1);
        sn->id = xzalloc(id_len + 1);
        sn->name = xzalloc(name_len + 1);
        if (hostfile_pread_strict(&s->file, off, sn->extra, sn->extra_size) < 0 ||
            hostfile_pread_strict(&s->file, off + sn->extra_size, sn->id, id_len) < 0 ||
            hostfile_pread_strict(&s->file, off + sn->extra_size + id_len, sn->name, name_len) < 0) {
            error_setg(errp, "snapshot table entry %u is beyond end of file", i);
            return -EINVAL;
        }
        if (sn->extra_size >= 8)
            sn->vm_state_size = ld_be64(sn->extra);
        sn->disk_size = sn->extra_size >= 16 ? ld_be64(sn->extra + 8) : bs->total_size;
        off = ALIGN_UP(off + sn->extra_size + id_len + name_len, 8);
    }
    return 0;
}

static int qcow2_open(BlockDriverState *bs, int flags, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint8_t h[112] = { 0 };
    bool rw = flags & BDRV_O_RDWR;
    int r = hostfile_open(&s->file, bs->filename, rw, bdrv_hostfile_mode(flags));
    if (r < 0) {
        error_setg(errp, "Could not open '%s': %s", bs->filename, hostfile_open_error(r));
        return r;
    }
    s->writable = rw;
    int64_t fsize = hostfile_size(&s->file);
    if (fsize < 0 || hostfile_pread_strict(&s->file, 0, h, 72) < 0) {
        error_setg(errp, "image is too short for a qcow2 header");
        goto fail;
    }
    s->file_size = fsize;
    if (ld_be32(h + H_MAGIC) != QCOW2_MAGIC) {
        error_setg(errp, "not a qcow2 image (bad magic)");
        goto fail;
    }
    s->version = ld_be32(h + H_VERSION);
    if (s->version != 2 && s->version != 3) {
        error_setg(errp, "unsupported qcow2 version %u", s->version);
        goto fail;
    }
    s->cluster_bits = ld_be32(h + H_CLUSTER_BITS);
    if (s->cluster_bits < 9 || s->cluster_bits > 21) {
        error_setg(errp, "cluster_bits %u out of range (9..21)", s->cluster_bits);
        goto fail;
    }
    s->cluster_size = 1u << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    s->l2_size = 1u << s->l2_bits;
    if (s->version == 3) {
        if (hostfile_pread_strict(&s->file, 72, h + 72, 32) < 0) {
            error_setg(errp, "image is too short for a qcow2 version 3 header");
            goto fail;
        }
        s->incompat = ld_be64(h + H_INCOMPAT);
        s->compat = ld_be64(h + H_COMPAT);
        s->autoclear = ld_be64(h + H_AUTOCLEAR);
        s->refcount_order = ld_be32(h + H_REFCOUNT_ORDER);
        s->header_length = ld_be32(h + H_HEADER_LEN);
        if (s->header_length < 104 || s->header_length > s->cluster_size) {
            error_setg(errp, "header length %u is invalid", s->header_length);
            goto fail;
        }
        if (s->header_length > 104 && hostfile_pread(&s->file, 104, h + 104, 8) < 0)
            goto fail;
    } else {
        s->refcount_order = 4;
        s->header_length = 72;
    }
    if (ld_be32(h + H_CRYPT)) {
        error_setg(errp, "encrypted qcow2 images are not supported");
        goto fail;
    }
    uint64_t unknown = s->incompat & ~(QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT);
    if (unknown) {
        const char *what = (unknown & QCOW2_INCOMPAT_DATA_FILE) ? " (external data file)" :
                           (unknown & QCOW2_INCOMPAT_COMPRESSION) ? " (compression type other than zlib)" :
                           (unknown & QCOW2_INCOMPAT_EXTL2) ? " (extended L2 entries)" : "";
        error_setg(errp, "unsupported qcow2 feature(s) %#" PRIx64 "%s", unknown, what);
        goto fail;
    }
    if ((s->incompat & QCOW2_INCOMPAT_CORRUPT) && rw) {
        error_setg(errp, "image is marked corrupt; it can only be opened read-only (use check -r all)");
        goto fail;
    }
    if (s->refcount_order > 6) {
        error_setg(errp, "refcount_order %u is invalid (0..6)", s->refcount_order);
        goto fail;
    }
    s->refcount_bits = 1u << s->refcount_order;
    s->refcount_max = s->refcount_bits == 64 ? UINT64_MAX : (1ULL << s->refcount_bits) - 1;
    s->rb_bits = s->cluster_bits + 3 - s->refcount_order;
    s->csize_shift = 62 - (s->cluster_bits - 8);
    s->csize_mask = (1ULL << (s->cluster_bits - 8)) - 1;
    s->coffset_mask = (1ULL << s->csize_shift) - 1;

    bs->total_size = ld_be64(h + H_SIZE);
    if (bs->total_size > (1ULL << 62)) {
        error_setg(errp, "virtual size %" PRIu64 " is too large", bs->total_size);
        goto fail;
    }
    s->l1_size = ld_be32(h + H_L1_SIZE);
    s->l1_offset = ld_be64(h + H_L1_OFF);
    uint64_t per_l1 = (uint64_t)s->cluster_size << s->l2_bits;
    if ((bs->total_size + per_l1 - 1) / per_l1 > s->l1_size) {
        error_setg(errp, "L1 table of %u entries is too small for the virtual size", s->l1_size);
        goto fail;
    }
    s->rt_offset = ld_be64(h + H_RT_OFF);
    s->rt_clusters = ld_be32(h + H_RT_CLUSTERS);
    if ((s->rt_offset & (s->cluster_size - 1)) ||
        (uint64_t)s->rt_clusters * s->cluster_size > QCOW2_MAX_RT_BYTES) {
        error_setg(errp, "refcount table (%u clusters at %#" PRIx64 ") is invalid", s->rt_clusters, s->rt_offset);
        goto fail;
    }
    s->nb_snapshots = ld_be32(h + H_NB_SNAP);
    s->snapshots_offset = ld_be64(h + H_SNAP_OFF);

    /* Header extensions: after the header, up to the backing name or the end of cluster 0. */
    uint64_t backing_off = ld_be64(h + H_BACKING_OFF);
    uint32_t backing_len = ld_be32(h + H_BACKING_SIZE);
    uint64_t ext_end = backing_off ? MIN(backing_off, s->cluster_size) : s->cluster_size;
    uint64_t ext = s->header_length;
    while (ext + 8 <= ext_end) {
        uint8_t eh[8];
        if (hostfile_pread(&s->file, ext, eh, 8) < 0)
            goto fail;
        uint32_t type = ld_be32(eh), len = ld_be32(eh + 4);
        if (type == QCOW2_EXT_END)
            break;
        if (len > ext_end - ext - 8) {
            error_setg(errp, "header extension %#x of %u bytes runs past the header cluster", type, len);
            goto fail;
        }
        if (type == QCOW2_EXT_BACKING_FMT) {
            if (len == 0 || len > 63) {
                error_setg(errp, "backing format extension of %u bytes is invalid", len);
                goto fail;
            }
            bs->backing_fmt = xzalloc(len + 1);
            if (hostfile_pread(&s->file, ext + 8, bs->backing_fmt, len) < 0)
                goto fail;
        } else if (type == QCOW2_EXT_CRYPTO || type == QCOW2_EXT_DATA_FILE) {
            error_setg(errp, "unsupported qcow2 header extension %#x", type);
            goto fail;
        }
        ext += 8 + ALIGN_UP((uint64_t)len, 8);
    }
    if (backing_off) {
        if (backing_len == 0 || backing_len > 1023 || backing_off > s->cluster_size ||
            backing_len > s->cluster_size - backing_off) {
            error_setg(errp, "backing file name (%u bytes at %" PRIu64 ") is invalid", backing_len, backing_off);
            goto fail;
        }
        bs->backing_file = xzalloc(backing_len + 1);
        if (hostfile_pread_strict(&s->file, backing_off, bs->backing_file, backing_len) < 0) {
            error_setg(errp, "backing file name is beyond end of file");
            goto fail;
        }
        if (memchr(bs->backing_file, 0, backing_len)) {
            error_setg(errp, "backing file name contains a NUL byte");
            goto fail;
        }
    }
    if (bs->backing_fmt && !bdrv_find_format(bs->backing_fmt)) {
        error_setg(errp, "unknown backing format '%s'", bs->backing_fmt);
        goto fail;
    }

    if (qcow2_read_l1_table(bs, s->l1_offset, s->l1_size, &s->l1, errp) < 0)
        goto fail;
    if (qcow2_load_refcount_table(bs, errp) < 0)
        goto fail;
    if (read_snapshots(bs, errp) < 0)
        goto fail;

    int l2n = MAX(16, (int)(4 * MiB / s->cluster_size));
    qcow2_cache_init(&s->l2_cache, l2n, s->cluster_size, true);
    qcow2_cache_init(&s->rc_cache, MAX(8, l2n / 4), s->cluster_size, false);
    s->cbuf = xmalloc(s->cluster_size);
    s->next_alloc = (s->file_size + s->cluster_size - 1) >> s->cluster_bits;

    if (rw && (s->incompat & QCOW2_INCOMPAT_DIRTY) && !(flags & BDRV_O_CHECK)) {
        /* Refcounts may be stale (lazy refcounts were on): rebuild them before writing. */
        ImageCheck res = { 0 };
        if (qcow2_check_image(bs, &res, CHECK_FIX_LEAKS | CHECK_FIX_ERRORS) < 0 ||
            res.corruptions > res.corruptions_fixed) {
            error_setg(errp, "could not repair the refcounts of a dirty image");
            goto fail;
        }
        s->incompat &= ~QCOW2_INCOMPAT_DIRTY;
        if (qcow2_write_header_field64(bs, H_INCOMPAT, s->incompat) < 0)
            goto fail;
    }
    return 0;

fail:
    if (errp && !*errp)
        error_setg(errp, "could not read the qcow2 header");
    free(s->l1);
    free(s->rt);
    free(s->cbuf);
    free_snapshots(s);
    if (s->l2_cache.e)
        qcow2_cache_destroy(&s->l2_cache);
    if (s->rc_cache.e)
        qcow2_cache_destroy(&s->rc_cache);
    hostfile_close(&s->file);
    return -EINVAL;
}

int qcow2_write_header_field64(BlockDriverState *bs, uint64_t hdr_off, uint64_t v)
{
    Qcow2State *s = bs->opaque;
    uint8_t be[8];
    st_be64(be, v);
    int r = hostfile_pwrite(&s->file, hdr_off, be, 8);
    return r < 0 ? r : hostfile_sync(&s->file);
}

/* Classify an L2 entry; *host gets the cluster's host offset (NORMAL) or the entry (COMPRESSED). */
static int classify(BlockDriverState *bs, uint64_t e, uint32_t l1i, uint32_t l2i, uint64_t *host)
{
    Qcow2State *s = bs->opaque;
    if (e & QCOW_OFLAG_COMPRESSED) {
        *host = e;
        return QC_COMPRESSED;
    }
    if ((e & QCOW_OFLAG_ZERO) && s->version >= 3)
        return QC_ZERO;
    uint64_t off = e & L2E_OFFSET_MASK;
    if (!off)
        return QC_UNALLOC;
    if (off & (s->cluster_size - 1)) {
        bdrv_set_error(bs, "L2 entry %u of L1 entry %u: offset %#" PRIx64 " is not cluster aligned",
                       l2i, l1i, off);
        return -EINVAL;
    }
    if (off >= s->file_size || s->file_size - off < s->cluster_size) {
        /* A short final cluster (the file was not padded) still reads, as zeros past the end. */
        if (off >= s->file_size) {
            bdrv_set_error(bs, "L2 entry %u of L1 entry %u points beyond end of file", l2i, l1i);
            return -EINVAL;
        }
    }
    *host = off;
    return QC_NORMAL;
}

static int l1_entry_l2(BlockDriverState *bs, uint32_t l1i, uint64_t *l2off)
{
    Qcow2State *s = bs->opaque;
    uint64_t off = s->l1[l1i] & L1E_OFFSET_MASK;
    if (off && ((off & (s->cluster_size - 1)) || off >= s->file_size ||
                s->file_size - off < s->cluster_size)) {
        bdrv_set_error(bs, "L1 entry %u points beyond end of file or is not cluster aligned", l1i);
        return -EINVAL;
    }
    *l2off = off;
    return 0;
}

/* Map guest offset off: a run of up to max bytes, in one L2 table, all of one type (host
 * contiguous for NORMAL). */
static int qcow2_map(BlockDriverState *bs, uint64_t off, uint64_t max, uint64_t *pnum, uint64_t *host)
{
    Qcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size, inc = off & (cs - 1);
    uint32_t l1i = off >> (s->cluster_bits + s->l2_bits);
    uint32_t l2i = (off >> s->cluster_bits) & (s->l2_size - 1);
    uint64_t left = ((uint64_t)(s->l2_size - l2i) << s->cluster_bits) - inc;
    max = MIN(max, left);
    if (l1i >= s->l1_size) {
        bdrv_set_error(bs, "offset %" PRIu64 " is beyond the L1 table", off);
        return -EINVAL;
    }
    uint64_t l2off;
    int r = l1_entry_l2(bs, l1i, &l2off);
    if (r < 0)
        return r;
    if (!l2off) {
        *pnum = max;
        return QC_UNALLOC;
    }
    uint8_t *t = qcow2_cache_get(bs, &s->l2_cache, l2off, false);
    if (!t)
        return -EIO;
    uint64_t h0;
    int type = classify(bs, ld_be64(t + 8 * l2i), l1i, l2i, &h0);
    if (type < 0)
        return type;
    uint64_t ncl = (inc + max + cs - 1) >> s->cluster_bits, n = 1;
    if (type != QC_COMPRESSED) {
        for (; n < ncl; n++) {
            uint64_t h;
            int t2 = classify(bs, ld_be64(t + 8 * (l2i + n)), l1i, l2i + n, &h);
            if (t2 != type || (type == QC_NORMAL && h != h0 + n * cs))
                break;
        }
    }
    *pnum = MIN(max, n * cs - inc);
    *host = type == QC_NORMAL ? h0 + inc : h0;
    return type;
}

/* Decompress the cluster an L2 entry describes into s->cbuf. */
static int read_compressed(BlockDriverState *bs, uint64_t entry)
{
    Qcow2State *s = bs->opaque;
    if (s->cbuf_entry == entry)
        return 0;
    uint64_t coff = entry & s->coffset_mask;
    uint64_t nsec = ((entry >> s->csize_shift) & s->csize_mask) + 1;
    uint64_t clen = nsec * 512 - (coff & 511);
    if (coff >= s->file_size) {
        bdrv_set_error(bs, "compressed cluster at %" PRIu64 " is beyond end of file", coff);
        return -EINVAL;
    }
    clen = MIN(clen, s->file_size - coff);   /* the last sector may be short */
    uint8_t *in = xmalloc(clen);
    int r = hostfile_pread(&s->file, coff, in, clen);
    if (r == 0 && inflate_one(in, clen, s->cbuf, s->cluster_size, -12) != (long)s->cluster_size) {
        bdrv_set_error(bs, "compressed cluster at %" PRIu64 " is corrupt", coff);
        r = -EINVAL;
    }
    free(in);
    s->cbuf_entry = r == 0 ? entry : 0;
    return r;
}

static int qcow2_pread(BlockDriverState *bs, uint64_t off, void *buf, size_t len)
{
    Qcow2State *s = bs->opaque;
    uint8_t *p = buf;
    while (len) {
        uint64_t n, host;
        int type = qcow2_map(bs, off, len, &n, &host);
        int r = 0;
        switch (type) {
        case QC_UNALLOC: r = bdrv_read_backing(bs, off, p, n); break;
        case QC_ZERO: memset(p, 0, n); break;
        case QC_NORMAL: r = hostfile_pread(&s->file, host, p, n); break;
        case QC_COMPRESSED:
            r = read_compressed(bs, host);
            if (r == 0)
                memcpy(p, s->cbuf + (off & (s->cluster_size - 1)), n);
            break;
        default: r = type;
        }
        if (r < 0)
            return r;
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

static int qcow2_block_status(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                              uint64_t *map)
{
    uint64_t host = 0;
    int type = qcow2_map(bs, off, len, pnum, &host);
    switch (type) {
    case QC_UNALLOC: return 0;
    case QC_ZERO: return BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
    case QC_NORMAL: *map = host; return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID;
    case QC_COMPRESSED: return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_COMPRESSED;
    default: return type;
    }
}

/* The L2 table for L1 index l1i, ready to be modified: allocated if missing, copied if shared
 * with a snapshot. The new table reaches the L1 only at write-back, after its content. */
static uint8_t *l2_for_write(BlockDriverState *bs, uint32_t l1i)
{
    Qcow2State *s = bs->opaque;
    uint64_t l2off, got;
    if (l1_entry_l2(bs, l1i, &l2off) < 0)
        return NULL;
    if (l2off && (s->l1[l1i] & QCOW_OFLAG_COPIED))
        return qcow2_cache_get(bs, &s->l2_cache, l2off, false);
    uint8_t *old = NULL;
    if (l2off) {
        uint8_t *t = qcow2_cache_get(bs, &s->l2_cache, l2off, false);
        if (!t)
            return NULL;
        old = xmalloc(s->cluster_size);
        memcpy(old, t, s->cluster_size);
    }
    int64_t noff = qcow2_alloc_clusters(bs, 1, &got);
    if (noff < 0) {
        free(old);
        return NULL;
    }
    uint8_t *t = qcow2_cache_get(bs, &s->l2_cache, noff, true);
    if (!t) {
        free(old);
        return NULL;
    }
    if (old) {
        memcpy(t, old, s->cluster_size);
        free(old);
        qcow2_defer_free(s, l2off >> s->cluster_bits);
    }
    qcow2_cache_mark_dirty(&s->l2_cache, t);
    s->l1[l1i] = noff | QCOW_OFLAG_COPIED;
    s->l1_dirty = true;
    return t;
}

/* Drop this layer's old reference to a cluster being remapped (after write-back). */
static void release_old(BlockDriverState *bs, uint64_t e)
{
    Qcow2State *s = bs->opaque;
    if (e & QCOW_OFLAG_COMPRESSED) {
        uint64_t off, len;
        qcow2_compressed_range(s, e, &off, &len);
        for (uint64_t c = off >> s->cluster_bits; c <= (off + len - 1) >> s->cluster_bits; c++)
            qcow2_defer_free(s, c);
        if (s->cbuf_entry == e)
            s->cbuf_entry = 0;
    } else if (e & L2E_OFFSET_MASK) {
        qcow2_defer_free(s, (e & L2E_OFFSET_MASK) >> s->cluster_bits);
    }
}

/* Current content of guest cluster gc (entry e) into buf, for a partial write. */
static int read_old_cluster(BlockDriverState *bs, uint64_t gc_off, uint64_t e, uint8_t *buf)
{
    Qcow2State *s = bs->opaque;
    uint64_t host;
    int type = classify(bs, e, 0, 0, &host);
    uint64_t n = MIN((uint64_t)s->cluster_size, bs->total_size - gc_off);
    memset(buf, 0, s->cluster_size);
    switch (type) {
    case QC_UNALLOC: return bdrv_read_backing(bs, gc_off, buf, n);
    case QC_ZERO: return 0;
    case QC_NORMAL: return hostfile_pread(&s->file, host, buf, s->cluster_size);
    case QC_COMPRESSED: {
        int r = read_compressed(bs, host);
        if (r == 0)
            memcpy(buf, s->cbuf, s->cluster_size);
        return r;
    }
    default: return type;
    }
}

/* Store one cluster compressed: out/n from compress_one (n == 0: it did not pay, *done false). */
static int write_compressed(BlockDriverState *bs, uint8_t *t, uint32_t l2i, const uint8_t *out,
                            size_t n, bool *done)
{
    Qcow2State *s = bs->opaque;
    *done = false;
    if (!n)
        return 0;
    int64_t off = qcow2_alloc_bytes(bs, n);
    int r = off < 0 ? (int)off : hostfile_pwrite(&s->file, off, out, n);
    if (r < 0)
        return r;
    uint64_t nsec = ((off + n - 1) >> 9) - (off >> 9);
    uint64_t old = ld_be64(t + 8 * l2i);
    st_be64(t + 8 * l2i, (uint64_t)off | (nsec << s->csize_shift) | QCOW_OFLAG_COMPRESSED);
    qcow2_cache_mark_dirty(&s->l2_cache, t);
    release_old(bs, old);
    *done = true;
    return 0;
}

static int qcow2_pwrite(BlockDriverState *bs, uint64_t off, const void *buf, size_t len, int flags)
{
    Qcow2State *s = bs->opaque;
    const uint8_t *p = buf;
    uint64_t cs = s->cluster_size;
    uint8_t *bounce = NULL;
    int r = 0;
    if (!s->writable)
        return -EROFS;
    /* Whole clusters to compress: do them all at once, on several threads. */
    CompressedChunk *pre = NULL;
    uint64_t pre_first = off >> s->cluster_bits, pre_n = 0;
    if ((flags & BDRV_REQ_COMPRESSED) && !(off & (cs - 1)) && len >= 2 * cs) {
        pre_n = len / cs;
        pre = xzalloc(sizeof *pre * pre_n);
        compress_chunks(p, pre_n, cs, -12, cs - 512, pre);
    }
    while (len && r == 0) {
        uint64_t inc = off & (cs - 1);
        uint32_t l1i = off >> (s->cluster_bits + s->l2_bits);
        uint32_t l2i = (off >> s->cluster_bits) & (s->l2_size - 1);
        uint8_t *t = l2_for_write(bs, l1i);
        if (!t) {
            r = -EIO;
            break;
        }
        uint64_t e = ld_be64(t + 8 * l2i);
        uint64_t host;
        int type = classify(bs, e, l1i, l2i, &host);
        if (type < 0) {
            r = type;
            break;
        }
        bool full = inc == 0 && len >= cs;
        if (full && (flags & BDRV_REQ_COMPRESSED)) {
            bool done;
            uint64_t k = (off >> s->cluster_bits) - pre_first;
            if (pre && k < pre_n) {
                r = write_compressed(bs, t, l2i, pre[k].data, pre[k].len, &done);
            } else {
                uint8_t *out = xmalloc(cs);
                r = write_compressed(bs, t, l2i, out, compress_one(p, cs, -12, out, cs - 512), &done);
                free(out);
            }
            if (r < 0)
                break;
            if (done) {
                p += cs, off += cs, len -= cs;
                continue;
            }
        }
        if (type == QC_NORMAL && (e & QCOW_OFLAG_COPIED)) {
            /* In place: extend over following clusters that are in place and contiguous. */
            uint64_t n = MIN(len, cs - inc);
            uint32_t j = l2i + 1;
            while (n < len && j < s->l2_size && !(flags & BDRV_REQ_COMPRESSED)) {
                uint64_t e2 = ld_be64(t + 8 * j), h2;
                if (!(e2 & QCOW_OFLAG_COPIED) || classify(bs, e2, l1i, j, &h2) != QC_NORMAL ||
                    h2 != host + (uint64_t)(j - l2i) * cs)
                    break;
                n += MIN(len - n, cs);
                j++;
            }
            r = hostfile_pwrite(&s->file, host + inc, p, n);
            p += n, off += n, len -= n;
            continue;
        }
        if (full) {
            /* Whole clusters that need new space: allocate one contiguous run, one write. */
            uint64_t want = 1;
            while (want < len / cs && l2i + want < s->l2_size && !(flags & BDRV_REQ_COMPRESSED)) {
                uint64_t e2 = ld_be64(t + 8 * (l2i + want));
                if ((e2 & QCOW_OFLAG_COPIED) && !(e2 & QCOW_OFLAG_COMPRESSED) && (e2 & L2E_OFFSET_MASK))
                    break;
                want++;
            }
            uint64_t got;
            int64_t h = qcow2_alloc_clusters(bs, want, &got);
            if (h < 0) {
                r = (int)h;
                break;
            }
            r = hostfile_pwrite(&s->file, h, p, got * cs);
            if (r < 0)
                break;
            for (uint64_t k = 0; k < got; k++) {
                uint64_t old = ld_be64(t + 8 * (l2i + k));
                st_be64(t + 8 * (l2i + k), (h + k * cs) | QCOW_OFLAG_COPIED);
                release_old(bs, old);
            }
            qcow2_cache_mark_dirty(&s->l2_cache, t);
            p += got * cs, off += got * cs, len -= got * cs;
            continue;
        }
        /* Part of a cluster that needs new space: merge with the old content. */
        if (!bounce)
            bounce = xmalloc(cs);
        uint64_t n = MIN(len, cs - inc);
        r = read_old_cluster(bs, off - inc, e, bounce);
        if (r < 0)
            break;
        memcpy(bounce + inc, p, n);
        uint64_t got;
        int64_t h = qcow2_alloc_clusters(bs, 1, &got);
        if (h < 0) {
            r = (int)h;
            break;
        }
        r = hostfile_pwrite(&s->file, h, bounce, cs);
        if (r < 0)
            break;
        st_be64(t + 8 * l2i, h | QCOW_OFLAG_COPIED);
        qcow2_cache_mark_dirty(&s->l2_cache, t);
        release_old(bs, e);
        p += n, off += n, len -= n;
    }
    free(bounce);
    for (uint64_t k = 0; k < pre_n; k++)
        free(pre[k].data);
    free(pre);
    if (r < 0 && !bs->errbuf[0])
        bdrv_set_error(bs, "write failed: %s", strerror(-r));
    return r;
}

static int qcow2_pwrite_zeroes(BlockDriverState *bs, uint64_t off, uint64_t len)
{
    Qcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    int r = 0;
    uint8_t *zero = NULL;
    while (len && r == 0) {
        uint64_t inc = off & (cs - 1), n = MIN(len, cs - inc);
        uint32_t l1i = off >> (s->cluster_bits + s->l2_bits);
        uint32_t l2i = (off >> s->cluster_bits) & (s->l2_size - 1);
        bool whole = inc == 0 && (n == cs || off + n == bs->total_size);
        if (whole && s->version >= 3) {
            /* A zero cluster (spec: L2 entry bit 0) frees any old allocation. */
            uint8_t *t = l2_for_write(bs, l1i);
            if (!t) {
                r = -EIO;
                break;
            }
            uint64_t e = ld_be64(t + 8 * l2i);
            st_be64(t + 8 * l2i, QCOW_OFLAG_ZERO);
            qcow2_cache_mark_dirty(&s->l2_cache, t);
            release_old(bs, e);
        } else if (whole && !bs->backing && l1i < s->l1_size && !(s->l1[l1i] & L1E_OFFSET_MASK)) {
            /* Unallocated without a backing file already reads as zero. */
        } else {
            if (!zero)
                zero = xzalloc(cs);
            r = qcow2_pwrite(bs, off, zero, n, 0);
        }
        off += n;
        len -= n;
    }
    free(zero);
    return r;
}

static int write_l1(BlockDriverState *bs)
{
    Qcow2State *s = bs->opaque;
    uint64_t *be = xmalloc((uint64_t)s->l1_size * 8 + 1);
    for (uint32_t i = 0; i < s->l1_size; i++)
        be[i] = __builtin_bswap64(s->l1[i]);
    int r = hostfile_pwrite(&s->file, s->l1_offset, be, (uint64_t)s->l1_size * 8);
    free(be);
    return r;
}

/* Write everything back in the order that keeps the image consistent at every instant:
 * data and refcounts, barrier, L2 tables, barrier, L1, barrier, then the frees. */
int qcow2_writeback(BlockDriverState *bs)
{
    Qcow2State *s = bs->opaque;
    if (!s->writable)
        return 0;
    int r = qcow2_cache_write_all(bs, &s->rc_cache);
    if (r == 0)
        r = hostfile_sync(&s->file);
    if (r == 0)
        r = qcow2_cache_write_all(bs, &s->l2_cache);
    if (r == 0 && s->l1_dirty) {
        r = hostfile_sync(&s->file);
        if (r == 0)
            r = write_l1(bs);
        if (r == 0)
            s->l1_dirty = false;
    }
    if (r == 0)
        r = hostfile_sync(&s->file);
    if (r == 0 && s->n_pending_free) {
        r = qcow2_apply_deferred_frees(bs);
        if (r == 0)
            r = qcow2_cache_write_all(bs, &s->rc_cache);
        if (r == 0)
            r = hostfile_sync(&s->file);
    }
    if (r < 0 && !bs->errbuf[0])
        bdrv_set_error(bs, "could not write metadata: %s", strerror(-r));
    return r;
}

static int qcow2_flush(BlockDriverState *bs)
{
    return qcow2_writeback(bs);
}

static void qcow2_close(BlockDriverState *bs)
{
    Qcow2State *s = bs->opaque;
    if (qcow2_writeback(bs) < 0)
        error_report("%s: %s", bs->filename, bdrv_last_error(bs));
    /* A file that ends inside the last allocated cluster is padded, as qemu-img expects. */
    if (s->writable && (uint64_t)hostfile_size(&s->file) < s->file_size)
        hostfile_truncate(&s->file, s->file_size);
    free(s->l1);
    free(s->rt);
    free(s->cbuf);
    free(s->pending_free);
    free_snapshots(s);
    qcow2_cache_destroy(&s->l2_cache);
    qcow2_cache_destroy(&s->rc_cache);
    hostfile_close(&s->file);
}

static int qcow2_check(BlockDriverState *bs, ImageCheck *res, int fix)
{
    return qcow2_check_image(bs, res, fix);
}

static void qcow2_get_info(BlockDriverState *bs, ImageInfo *ii)
{
    Qcow2State *s = bs->opaque;
    ii->cluster_size = s->cluster_size;
    ii->dirty = (s->incompat & QCOW2_INCOMPAT_DIRTY) != 0;
    info_add_str(ii, "compat", "compat", s->version == 2 ? "0.10" : "1.1");
    info_add_str(ii, "compression type", "compression-type", "zlib");
    if (s->version >= 3)
        info_add_bool(ii, "lazy refcounts", "lazy-refcounts", s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS);
    info_add_int(ii, "refcount bits", "refcount-bits", s->refcount_bits);
    if (s->version >= 3) {
        info_add_bool(ii, "corrupt", "corrupt", s->incompat & QCOW2_INCOMPAT_CORRUPT);
        info_add_bool(ii, "extended l2", "extended-l2", false);
    }
}

static int64_t qcow2_allocated_size(BlockDriverState *bs)
{
    Qcow2State *s = bs->opaque;
    return hostfile_allocated(&s->file);
}

static int qcow2_snapshot_list(BlockDriverState *bs, SnapshotInfo **list)
{
    Qcow2State *s = bs->opaque;
    SnapshotInfo *l = xzalloc(sizeof *l * (s->nb_snapshots + 1));
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        l[i].id = xstrdup(sn->id);
        l[i].name = xstrdup(sn->name);
        l[i].vm_state_size = sn->vm_state_size;
        l[i].date_sec = sn->date_sec;
        l[i].date_nsec = sn->date_nsec;
        l[i].vm_clock_nsec = sn->vm_clock_nsec;
        l[i].disk_size = sn->disk_size;
    }
    *list = l;
    return (int)s->nb_snapshots;
}

/* Rewrite the header cluster with a new backing file name and format (rebase, commit):
 * the other header extensions are kept as they are; one write of cluster 0. */
static int rewrite_header(BlockDriverState *bs, const char *file, const char *fmt, int version,
                          uint64_t compat, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint8_t *h = xmalloc(s->cluster_size), *n = xzalloc(s->cluster_size);
    int r = hostfile_pread(&s->file, 0, h, s->cluster_size);
    if (r < 0)
        goto out;
    uint64_t boff = ld_be64(h + H_BACKING_OFF);
    uint64_t ext_end = boff ? MIN(boff, s->cluster_size) : s->cluster_size;
    /* Version 2 headers end at 72 bytes; version 3 ones here at 112 (compression type, padded). */
    uint32_t hlen = version == 2 ? 72 : MAX(s->header_length, 112u);
    memcpy(n, h, MIN(s->header_length, hlen));
    st_be32(n + H_VERSION, version);
    if (version == 3) {
        if (s->version == 2) {
            st_be64(n + H_INCOMPAT, 0);
            st_be64(n + H_AUTOCLEAR, 0);
            st_be32(n + H_REFCOUNT_ORDER, 4);
        }
        st_be64(n + H_COMPAT, compat);
        st_be32(n + H_HEADER_LEN, hlen);
    }
    uint64_t pos = hlen, ext = s->header_length;
    if (fmt && file) {
        size_t l = strlen(fmt);
        st_be32(n + pos, QCOW2_EXT_BACKING_FMT);
        st_be32(n + pos + 4, l);
        memcpy(n + pos + 8, fmt, l);
        pos += 8 + ALIGN_UP(l, 8);
    }
    while (ext + 8 <= ext_end) {
        uint32_t type = ld_be32(h + ext), len = ld_be32(h + ext + 4);
        if (type == QCOW2_EXT_END || len > ext_end - ext - 8)
            break;
        uint64_t sz = 8 + ALIGN_UP((uint64_t)len, 8);
        /* Feature tables and bitmaps describe version 3 features: a version 2 header drops them. */
        bool keep = type != QCOW2_EXT_BACKING_FMT &&
                    !(version == 2 && (type == QCOW2_EXT_FEATURES || type == QCOW2_EXT_BITMAPS));
        if (keep) {
            if (pos + sz + 8 > s->cluster_size) {
                error_setg(errp, "header extensions do not fit in the header cluster");
                r = -EFBIG;
                goto out;
            }
            memcpy(n + pos, h + ext, MIN(sz, ext_end - ext));
            pos += sz;
        }
        ext += sz;
    }
    pos += 8;   /* end of extensions */
    st_be64(n + H_BACKING_OFF, 0);
    st_be32(n + H_BACKING_SIZE, 0);
    if (file && *file) {
        size_t l = strlen(file);
        if (l > 1023 || pos + l > s->cluster_size) {
            error_setg(errp, "backing file name is too long");
            r = -EINVAL;
            goto out;
        }
        memcpy(n + pos, file, l);
        st_be64(n + H_BACKING_OFF, pos);
        st_be32(n + H_BACKING_SIZE, l);
    }
    r = hostfile_pwrite(&s->file, 0, n, s->cluster_size);
    if (r == 0)
        r = hostfile_sync(&s->file);
    if (r == 0) {
        char *f = file && *file ? xstrdup(file) : NULL, *ft = fmt && file && *file ? xstrdup(fmt) : NULL;
        free(bs->backing_file);
        free(bs->backing_fmt);
        bs->backing_file = f;
        bs->backing_fmt = ft;
        s->version = version;
        s->header_length = hlen;
        if (version == 3)
            s->compat = compat;
        else
            s->incompat = s->compat = s->autoclear = 0;
    }
out:
    if (r < 0 && errp && !*errp)
        error_setg(errp, "could not rewrite the header: %s", strerror(-r));
    free(h);
    free(n);
    return r;
}

static int qcow2_change_backing(BlockDriverState *bs, const char *file, const char *fmt, Error **errp)
{
    Qcow2State *s = bs->opaque;
    return rewrite_header(bs, file, fmt, s->version, s->compat, errp);
}

/* Replace the zero flags of the active L2 tables (version 2 has none): a preallocated zero
 * cluster gets written zeros, an unallocated one stays unallocated without a backing file
 * and gets a zeroed cluster over one. */
static int expand_zero_clusters(BlockDriverState *bs, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint8_t *zero = xzalloc(s->cluster_size);
    int r = 0;
    for (uint32_t i = 0; i < s->l1_size && r == 0; i++) {
        uint64_t l2 = s->l1[i] & L1E_OFFSET_MASK;
        if (!l2)
            continue;
        uint8_t *t = l2_for_write(bs, i);
        if (!t) {
            r = -EIO;
            break;
        }
        for (uint32_t j = 0; j < s->l2_size && r == 0; j++) {
            uint64_t e = ld_be64(t + 8 * j);
            if ((e & QCOW_OFLAG_COMPRESSED) || !(e & QCOW_OFLAG_ZERO))
                continue;
            uint64_t off = e & L2E_OFFSET_MASK, got;
            if (off && (e & QCOW_OFLAG_COPIED)) {
                r = hostfile_pwrite(&s->file, off, zero, s->cluster_size);
                e &= ~QCOW_OFLAG_ZERO;
            } else if (bs->backing_file) {
                int64_t h = qcow2_alloc_clusters(bs, 1, &got);
                r = h < 0 ? (int)h : hostfile_pwrite(&s->file, h, zero, s->cluster_size);
                if (off)
                    release_old(bs, e);
                e = (uint64_t)h | QCOW_OFLAG_COPIED;
            } else {
                if (off)
                    release_old(bs, e);
                e = 0;
            }
            t = qcow2_cache_get(bs, &s->l2_cache, s->l1[i] & L1E_OFFSET_MASK, false);
            if (!t) {
                r = -EIO;
                break;
            }
            st_be64(t + 8 * j, e);
            qcow2_cache_mark_dirty(&s->l2_cache, t);
        }
    }
    free(zero);
    if (r == 0)
        r = qcow2_writeback(bs);
    if (r < 0)
        error_setg(errp, "could not expand zero clusters: %s", bs->errbuf[0] ? bs->errbuf : strerror(-r));
    return r;
}

/* amend -o: compat (0.10 <-> 1.1) and lazy_refcounts; other options say they cannot change. */
static int qcow2_amend(BlockDriverState *bs, ImgOpts *o, Error **errp)
{
    Qcow2State *s = bs->opaque;
    int version = s->version;
    uint64_t compat = s->compat;
    const char *v = img_opts_get(o, "compat");
    bool lazy = compat & QCOW2_COMPAT_LAZY_REFCOUNTS;
    if (v) {
        if (!strcmp(v, "0.10") || !strcmp(v, "v2"))
            version = 2;
        else if (!strcmp(v, "1.1") || !strcmp(v, "v3"))
            version = 3;
        else {
            error_setg(errp, "Invalid compatibility level: '%s'", v);
            return -EINVAL;
        }
    }
    if (!img_opts_get_bool(o, "lazy_refcounts", lazy, &lazy, errp))
        return -EINVAL;
    static const char *const fixed[] = { "cluster_size", "refcount_bits", "preallocation",
                                         "compression_type", "size", "backing_file", "backing_fmt",
                                         "encryption", "data_file", "extended_l2" };
    for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
        if (img_opts_get(o, fixed[i])) {
            error_setg(errp, "changing '%s' with amend is not supported", fixed[i]);
            return -ENOTSUP;
        }
    if (version == 2 && lazy) {
        error_setg(errp, "Lazy refcounts only supported with compatibility level 1.1 and above (use compat=1.1 or greater)");
        return -EINVAL;
    }
    if (version == 2 && s->version == 3) {
        if (s->refcount_order != 4) {
            error_setg(errp, "compat=0.10 requires refcount_bits=16");
            return -ENOTSUP;
        }
        if (s->nb_snapshots) {
            error_setg(errp, "downgrading an image with snapshots is not implemented yet");
            return -ENOTSUP;
        }
        int r = expand_zero_clusters(bs, errp);
        if (r < 0)
            return r;
    }
    compat = lazy ? compat | QCOW2_COMPAT_LAZY_REFCOUNTS : compat & ~QCOW2_COMPAT_LAZY_REFCOUNTS;
    if ((uint32_t)version == s->version && compat == s->compat)
        return 0;
    int r = qcow2_writeback(bs);
    return r < 0 ? r : rewrite_header(bs, bs->backing_file, bs->backing_fmt, version, compat, errp);
}

/* Grow (or shrink, when nothing is allocated past the new end) the virtual disk. A larger L1
 * table is written at the end of the file before the header points at it. */
static int qcow2_truncate(BlockDriverState *bs, uint64_t size, bool shrink, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint64_t per_l1 = (uint64_t)s->cluster_size << s->l2_bits;
    uint64_t need = (size + per_l1 - 1) / per_l1;
    int r = qcow2_writeback(bs);
    if (r < 0)
        return r;
    if (size < bs->total_size) {
        for (uint64_t off = ALIGN_UP(size, s->cluster_size); off < bs->total_size;) {
            uint64_t n, map;
            int st = qcow2_block_status(bs, off, bs->total_size - off, &n, &map);
            if (st < 0)
                return st;
            if (st & BDRV_BLOCK_ALLOCATED) {
                error_setg(errp, "shrinking over allocated clusters (at %" PRIu64 ") is not implemented yet", off);
                return -ENOTSUP;
            }
            off += n;
        }
    }
    if (need > s->l1_size) {
        if (need * 8 > QCOW2_MAX_L1_BYTES) {
            error_setg(errp, "size %" PRIu64 " needs an L1 table over %llu bytes", size, QCOW2_MAX_L1_BYTES / 1);
            return -EFBIG;
        }
        uint64_t bytes = ALIGN_UP(need * 8, s->cluster_size), got;
        int64_t at = qcow2_alloc_clusters(bs, bytes / s->cluster_size, &got);
        if (at >= 0 && got != bytes / s->cluster_size) {
            /* Not contiguous (a refcount block came between): give the piece back, try after it. */
            for (uint64_t k = 0; k < got; k++)
                qcow2_update_refcount(bs, ((uint64_t)at >> s->cluster_bits) + k, -1);
            at = qcow2_alloc_clusters(bs, bytes / s->cluster_size, &got);
            if (at >= 0 && got != bytes / s->cluster_size)
                at = -ENOSPC;
        }
        if (at < 0) {
            error_setg(errp, "could not allocate a new L1 table: %s", bdrv_last_error(bs));
            return (int)at;
        }
        uint64_t *nl1 = xzalloc(bytes);
        for (uint32_t i = 0; i < s->l1_size; i++)
            nl1[i] = __builtin_bswap64(s->l1[i]);
        r = hostfile_pwrite(&s->file, at, nl1, bytes);
        free(nl1);
        if (r == 0)
            r = qcow2_cache_write_all(bs, &s->rc_cache);
        if (r == 0)
            r = hostfile_sync(&s->file);
        if (r == 0) {
            uint8_t hdr[12];
            st_be32(hdr, need);            /* l1_size and l1_table_offset are adjacent */
            st_be64(hdr + 4, at);
            r = hostfile_pwrite(&s->file, H_L1_SIZE, hdr, 12);
        }
        if (r == 0)
            r = hostfile_sync(&s->file);
        if (r < 0) {
            error_setg(errp, "could not write the new L1 table: %s", strerror(-r));
            return r;
        }
        uint64_t old = s->l1_offset, old_cl = ALIGN_UP((uint64_t)s->l1_size * 8, s->cluster_size) / s->cluster_size;
        s->l1 = xrealloc(s->l1, need * 8);
        memset(s->l1 + s->l1_size, 0, (need - s->l1_size) * 8);
        s->l1_size = need;
        s->l1_offset = at;
        for (uint64_t c = 0; c < old_cl && old; c++)
            qcow2_defer_free(s, (old >> s->cluster_bits) + c);
    }
    r = qcow2_write_header_field64(bs, H_SIZE, size);
    if (r == 0) {
        bs->total_size = size;
        r = qcow2_writeback(bs);
    }
    if (r < 0 && errp && !*errp)
        error_setg(errp, "could not resize: %s", strerror(-r));
    return r;
}

/* Drop every mapping of the active table (commit empties the top image): the L1 goes to
 * zeros first, then the clusters nothing references any more are freed by a leak repair. */
int qcow2_make_empty(BlockDriverState *bs)
{
    Qcow2State *s = bs->opaque;
    int r = qcow2_writeback(bs);
    if (r < 0)
        return r;
    for (uint32_t i = 0; i < s->l1_size; i++) {
        if (s->l1[i] & L1E_OFFSET_MASK)
            qcow2_cache_discard(&s->l2_cache, s->l1[i] & L1E_OFFSET_MASK);
        s->l1[i] = 0;
    }
    s->l1_dirty = true;
    r = qcow2_writeback(bs);
    if (r < 0)
        return r;
    ImageCheck res = { 0 };
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);   /* the repair lists every freed cluster; not interesting here */
    r = qcow2_check_image(bs, &res, CHECK_FIX_LEAKS);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    return r;
}

/* preallocation=metadata|falloc|full: every guest cluster gets a host cluster (L2 tables
 * and refcounts written); falloc reserves the data area, full writes zeros into it. */
static int qcow2_preallocate(const char *path, const char *mode, Error **errp)
{
    BlockDriverState *bs = bdrv_open(path, "qcow2", BDRV_O_RDWR | BDRV_O_NO_BACKING, errp);
    if (!bs)
        return -EINVAL;
    Qcow2State *s = bs->opaque;
    uint64_t ncl = (bs->total_size + s->cluster_size - 1) >> s->cluster_bits;
    int r = 0;
    for (uint64_t c = 0; c < ncl && r == 0;) {
        uint32_t l1i = c >> s->l2_bits, l2i = c & (s->l2_size - 1);
        uint8_t *t = l2_for_write(bs, l1i);
        if (!t) {
            r = -EIO;
            break;
        }
        uint64_t want = MIN(ncl - c, (uint64_t)(s->l2_size - l2i)), got;
        int64_t h = qcow2_alloc_clusters(bs, want, &got);
        if (h < 0) {
            r = (int)h;
            break;
        }
        t = qcow2_cache_get(bs, &s->l2_cache, s->l1[l1i] & L1E_OFFSET_MASK, false);
        if (!t) {
            r = -EIO;
            break;
        }
        for (uint64_t k = 0; k < got; k++)
            st_be64(t + 8 * (l2i + k), (h + (k << s->cluster_bits)) | QCOW_OFLAG_COPIED);
        qcow2_cache_mark_dirty(&s->l2_cache, t);
        /* Only this run is data: refcount blocks and L2 tables sit between runs. */
        uint64_t bytes = got << s->cluster_bits;
        if (!strcmp(mode, "falloc") && posix_fallocate(s->file.fd, h, bytes))
            r = -EIO;
        if (!strcmp(mode, "full")) {
            static const uint8_t zero[65536];
            for (uint64_t o = 0; o < bytes && r == 0; o += sizeof zero)
                r = hostfile_pwrite(&s->file, h + o, zero, MIN(sizeof zero, bytes - o));
        }
        c += got;
    }
    if (r == 0)
        r = qcow2_writeback(bs);
    /* The data clusters must exist in the file (zeros), whatever the mode. */
    if (r == 0 && (uint64_t)hostfile_size(&s->file) < s->file_size)
        r = hostfile_truncate(&s->file, s->file_size);
    if (r < 0)
        error_setg(errp, "preallocation failed: %s", bs->errbuf[0] ? bs->errbuf : strerror(-r));
    bdrv_close(bs);
    return r;
}

/* ---- create ---- */

static int qcow2_create(const BlockCreateArgs *a, Error **errp)
{
    uint64_t cs;
    bool lazy;
    int version = 3;
    uint64_t refbits = 16;
    if (!img_opts_get_size(a->opts, "cluster_size", 65536, &cs, errp) ||
        !img_opts_get_bool(a->opts, "lazy_refcounts", false, &lazy, errp) ||
        !img_opts_get_size(a->opts, "refcount_bits", 16, &refbits, errp))
        return -EINVAL;
    const char *compat = img_opts_get(a->opts, "compat");
    if (compat) {
        if (!strcmp(compat, "0.10") || !strcmp(compat, "v2"))
            version = 2;
        else if (!strcmp(compat, "1.1") || !strcmp(compat, "v3"))
            version = 3;
        else {
            error_setg(errp, "Invalid compatibility level: '%s'", compat);
            return -EINVAL;
        }
    }
    if (cs < 512 || cs > 2 * MiB || (cs & (cs - 1))) {
        error_setg(errp, "Cluster size must be a power of two between 512 and 2048k");
        return -EINVAL;
    }
    if (refbits < 1 || refbits > 64 || (refbits & (refbits - 1))) {
        error_setg(errp, "Refcount width must be a power of two and may not exceed 64 bits");
        return -EINVAL;
    }
    if (version == 2 && refbits != 16) {
        error_setg(errp, "Different refcount widths than 16 bits require compatibility level 1.1 or above (use compat=1.1 or greater)");
        return -EINVAL;
    }
    if (version == 2 && lazy) {
        error_setg(errp, "Lazy refcounts only supported with compatibility level 1.1 and above (use compat=1.1 or greater)");
        return -EINVAL;
    }
    const char *ctype = img_opts_get(a->opts, "compression_type");
    if (ctype && strcmp(ctype, "zlib")) {
        error_setg(errp, "compression_type '%s' is not supported (only zlib)", ctype);
        return -ENOTSUP;
    }
    const char *prealloc = img_opts_get(a->opts, "preallocation");
    if (prealloc && strcmp(prealloc, "off") && strcmp(prealloc, "metadata") &&
        strcmp(prealloc, "falloc") && strcmp(prealloc, "full")) {
        error_setg(errp, "Invalid preallocation mode: '%s' (off, metadata, falloc, full)", prealloc);
        return -EINVAL;
    }
    const char *bf = a->backing_file ? a->backing_file : img_opts_get(a->opts, "backing_file");
    const char *bfmt = a->backing_fmt ? a->backing_fmt : img_opts_get(a->opts, "backing_fmt");
    if (bf && strlen(bf) > 1023) {
        error_setg(errp, "backing file name is too long");
        return -EINVAL;
    }

    unsigned cb = __builtin_ctzll(cs), order = __builtin_ctzll(refbits);
    uint64_t per_l1 = cs << (cb - 3);
    uint64_t l1_entries = MAX(1, (a->size + per_l1 - 1) / per_l1);
    if (l1_entries * 8 > QCOW2_MAX_L1_BYTES) {
        error_setg(errp, "image size %" PRIu64 " is too large for cluster_size %" PRIu64, a->size, cs);
        return -EFBIG;
    }
    uint64_t l1_cl = (l1_entries * 8 + cs - 1) / cs;
    uint64_t rb_entries = cs * 8 / refbits, rb_cl = 1, rt_cl = 1;
    for (;;) {
        uint64_t meta = 1 + rt_cl + rb_cl + l1_cl;
        uint64_t nrb = (meta + rb_entries - 1) / rb_entries, nrt = (nrb * 8 + cs - 1) / cs;
        if (nrb == rb_cl && nrt == rt_cl)
            break;
        rb_cl = nrb;
        rt_cl = nrt;
    }
    uint64_t rt_off = cs, rb_off = rt_off + rt_cl * cs, l1_off = rb_off + rb_cl * cs;
    uint64_t meta = 1 + rt_cl + rb_cl + l1_cl;
    uint64_t end = l1_off + l1_cl * cs;

    uint8_t *hdr = xzalloc(cs);
    st_be32(hdr + H_MAGIC, QCOW2_MAGIC);
    st_be32(hdr + H_VERSION, version);
    st_be32(hdr + H_CLUSTER_BITS, cb);
    st_be64(hdr + H_SIZE, a->size);
    st_be32(hdr + H_L1_SIZE, l1_entries);
    st_be64(hdr + H_L1_OFF, l1_off);
    st_be64(hdr + H_RT_OFF, rt_off);
    st_be32(hdr + H_RT_CLUSTERS, rt_cl);
    uint64_t pos = 72;
    if (version == 3) {
        st_be64(hdr + H_COMPAT, lazy ? QCOW2_COMPAT_LAZY_REFCOUNTS : 0);
        st_be32(hdr + H_REFCOUNT_ORDER, order);
        st_be32(hdr + H_HEADER_LEN, 112);   /* with the compression type byte, padded to 8 */
        pos = 112;
    }
    if (bfmt) {
        size_t n = strlen(bfmt);
        st_be32(hdr + pos, QCOW2_EXT_BACKING_FMT);
        st_be32(hdr + pos + 4, n);
        memcpy(hdr + pos + 8, bfmt, n);
        pos += 8 + ALIGN_UP(n, 8);
    }
    pos += 8;   /* end of extensions */
    if (bf) {
        size_t n = strlen(bf);
        if (pos + n > cs) {
            free(hdr);
            error_setg(errp, "backing file name does not fit in the header cluster");
            return -EINVAL;
        }
        st_be64(hdr + H_BACKING_OFF, pos);
        st_be32(hdr + H_BACKING_SIZE, n);
        memcpy(hdr + pos, bf, n);
    }

    uint8_t *rt = xzalloc(rt_cl * cs), *rb = xzalloc(rb_cl * cs);
    for (uint64_t i = 0; i < rb_cl; i++)
        st_be64(rt + 8 * i, rb_off + i * cs);
    for (uint64_t c = 0; c < meta; c++) {
        uint8_t *blk = rb + (c / rb_entries) * cs;
        uint64_t i = c % rb_entries;
        /* The same packing as rb_set in qcow2-refcount.c, for value 1. */
        if (order < 3)
            blk[i / (8 / refbits)] |= 1u << ((i % (8 / refbits)) * refbits);
        else
            blk[(i + 1) * (refbits / 8) - 1] = 1;
    }
    const HostFilePiece pieces[] = { { 0, hdr, cs }, { rt_off, rt, rt_cl * cs },
                                     { rb_off, rb, rb_cl * cs } };
    int r = hostfile_write_new(a->filename, pieces, 3, end, errp);
    free(hdr);
    free(rt);
    free(rb);
    if (r == 0 && prealloc && strcmp(prealloc, "off"))
        r = qcow2_preallocate(a->filename, prealloc, errp);
    return r;
}

const BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .instance_size = sizeof(Qcow2State),
    .has_backing = true,
    .create_help =
        "backing_file     file name of a base image\n"
        "backing_fmt      format of the base image\n"
        "cluster_size     qcow2 cluster size (512..2M, power of two; default 64k)\n"
        "compat           0.10 (v2) or 1.1 (v3, default)\n"
        "compression_type zlib (the only one supported)\n"
        "lazy_refcounts   on/off (default off; v3 only)\n"
        "preallocation    off (default), metadata, falloc, full\n"
        "refcount_bits    width of a refcount entry: 1, 2, 4, 8, 16 (default), 32, 64\n",
    .probe = qcow2_probe,
    .open = qcow2_open,
    .create = qcow2_create,
    .pread = qcow2_pread,
    .pwrite = qcow2_pwrite,
    .pwrite_zeroes = qcow2_pwrite_zeroes,
    .flush = qcow2_flush,
    .block_status = qcow2_block_status,
    .get_info = qcow2_get_info,
    .check = qcow2_check,
    .allocated_size = qcow2_allocated_size,
    .snapshot_list = qcow2_snapshot_list,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_apply = qcow2_snapshot_apply,
    .snapshot_delete = qcow2_snapshot_delete,
    .change_backing = qcow2_change_backing,
    .amend = qcow2_amend,
    .truncate = qcow2_truncate,
    .make_empty = qcow2_make_empty,
    .close = qcow2_close,
};
