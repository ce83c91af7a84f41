/* qcow2-refcount.c: qcow2 refcounts of every width, cluster allocation, and check/repair. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/qcow2.h"
#include "block/endian.h"

/* Spec "Host cluster management": entries are refcount_bits wide; sub-byte widths are packed
 * from the least significant bit of each byte, wider ones are big-endian. */
static uint64_t rb_get(const Qcow2State *s, const uint8_t *b, uint64_t i)
{
    switch (s->refcount_order) {
    case 0: case 1: case 2: {
        unsigned bits = s->refcount_bits, per = 8 / bits;
        return (b[i / per] >> ((i % per) * bits)) & ((1u << bits) - 1);
    }
    case 3: return b[i];
    case 4: return ld_be16(b + 2 * i);
    case 5: return ld_be32(b + 4 * i);
    default: return ld_be64(b + 8 * i);
    }
}

static void rb_set(const Qcow2State *s, uint8_t *b, uint64_t i, uint64_t v)
{
    switch (s->refcount_order) {
    case 0: case 1: case 2: {
        unsigned bits = s->refcount_bits, per = 8 / bits, sh = (i % per) * bits;
        uint8_t mask = ((1u << bits) - 1) << sh;
        b[i / per] = (b[i / per] & ~mask) | ((v << sh) & mask);
        break;
    }
    case 3: b[i] = v; break;
    case 4: st_be16(b + 2 * i, v); break;
    case 5: st_be32(b + 4 * i, v); break;
    default: st_be64(b + 8 * i, v); break;
    }
}

int qcow2_load_refcount_table(BlockDriverState *bs, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint64_t bytes = (uint64_t)s->rt_clusters * s->cluster_size;
    s->rt_size = bytes / 8;
    if (s->rt_offset > s->file_size || bytes > s->file_size - s->rt_offset) {
        s->rt_size = 0;
        error_setg(errp, "refcount table at %" PRIu64 " (%u clusters) is beyond end of file",
                   s->rt_offset, s->rt_clusters);
        return -EINVAL;
    }
    s->rt = xmalloc(bytes ? bytes : 1);
    int r = hostfile_pread_strict(&s->file, s->rt_offset, s->rt, bytes);
    if (r < 0) {
        error_setg(errp, "refcount table at %" PRIu64 " (%u clusters) is beyond end of file",
                   s->rt_offset, s->rt_clusters);
        return r;
    }
    for (uint64_t i = 0; i < s->rt_size; i++) {
        uint64_t e = __builtin_bswap64(s->rt[i]);
        s->rt[i] = e;
        if (!e)
            continue;
        if ((e & ~REFT_OFFSET_MASK) || (e & (s->cluster_size - 1))) {
            error_setg(errp, "refcount table entry %" PRIu64 " is not cluster aligned", i);
            return -EINVAL;
        }
        if (e > s->file_size || s->file_size - e < s->cluster_size) {
            error_setg(errp, "refcount table entry %" PRIu64 " points beyond end of file", i);
            return -EINVAL;
        }
    }
    return 0;
}

/* The cached refcount block covering idx, or NULL with *missing when there is none. */
static uint8_t *refblock_for(BlockDriverState *bs, uint64_t idx, bool *missing)
{
    Qcow2State *s = bs->opaque;
    uint64_t bi = idx >> s->rb_bits;
    *missing = false;
    if (bi >= s->rt_size || !s->rt[bi]) {
        *missing = true;
        return NULL;
    }
    return qcow2_cache_get(bs, &s->rc_cache, s->rt[bi], false);
}

int64_t qcow2_get_refcount(BlockDriverState *bs, uint64_t idx)
{
    Qcow2State *s = bs->opaque;
    bool missing;
    uint8_t *b = refblock_for(bs, idx, &missing);
    if (missing)
        return 0;
    if (!b)
        return -EIO;
    return (int64_t)rb_get(s, b, idx & ((1ULL << s->rb_bits) - 1));
}

static int write_rt_entry(BlockDriverState *bs, uint64_t bi)
{
    Qcow2State *s = bs->opaque;
    uint8_t be[8];
    st_be64(be, s->rt[bi]);
    return hostfile_pwrite(&s->file, s->rt_offset + bi * 8, be, 8);
}

static void note_file_end(Qcow2State *s, uint64_t end)
{
    if (end > s->file_size)
        s->file_size = end;
}

/*
 * Grow the refcount table so that it has an entry for block index need.  The new table and
 * the refcount blocks that describe it go at the end of the file; the header switches to it
 * only when all of that is on disk, and the old table is freed after.
 */
static int grow_refcount_table(BlockDriverState *bs, uint64_t need)
{
    Qcow2State *s = bs->opaque;
    uint64_t T = s->next_alloc, per_cluster = s->cluster_size / 8;
    uint64_t entries = MAX(need + 1, s->rt_size * 2), n, k = 0;
    for (;;) {
        n = (entries + per_cluster - 1) / per_cluster;
        uint64_t end = T + n + k, nk = 0;
        for (uint64_t b = T >> s->rb_bits; b <= (end - 1) >> s->rb_bits; b++)
            if (b >= s->rt_size || !s->rt[b])
                nk++;
        uint64_t maxb = (T + n + nk - 1) >> s->rb_bits;
        if (nk == k && maxb < entries)
            break;
        k = nk;
        if (maxb >= entries)
            entries = maxb + 1;
    }
    if (n * s->cluster_size > QCOW2_MAX_RT_BYTES) {
        bdrv_set_error(bs, "refcount table would exceed %llu bytes", QCOW2_MAX_RT_BYTES / 1);
        return -EFBIG;
    }
    uint64_t new_size = n * per_cluster;
    uint64_t *nrt = xzalloc(new_size * 8);
    memcpy(nrt, s->rt, s->rt_size * 8);
    uint8_t **blocks = xzalloc(sizeof *blocks * (k + 1));
    uint64_t *block_idx = xzalloc(sizeof *block_idx * (k + 1));
    uint64_t j = 0, end = T + n + k;
    for (uint64_t b = T >> s->rb_bits; b <= (end - 1) >> s->rb_bits; b++) {
        if (b >= s->rt_size || !s->rt[b]) {
            nrt[b] = (T + n + j) * s->cluster_size;
            blocks[j] = xzalloc(s->cluster_size);
            block_idx[j] = b;
            j++;
        }
    }
    int r = 0;
    for (uint64_t c = T; c < end && r == 0; c++) {
        uint64_t b = c >> s->rb_bits, within = c & ((1ULL << s->rb_bits) - 1);
        uint64_t m;
        for (m = 0; m < k && block_idx[m] != b; m++)
            ;
        if (m < k) {
            rb_set(s, blocks[m], within, 1);
        } else {
            uint8_t *blk = qcow2_cache_get(bs, &s->rc_cache, s->rt[b], false);
            if (!blk) {
                r = -EIO;
                break;
            }
            rb_set(s, blk, within, 1);
            qcow2_cache_mark_dirty(&s->rc_cache, blk);
        }
    }
    for (uint64_t m = 0; m < k && r == 0; m++)
        r = hostfile_pwrite(&s->file, nrt[block_idx[m]], blocks[m], s->cluster_size);
    if (r == 0)
        r = qcow2_cache_write_all(bs, &s->rc_cache);
    if (r == 0) {
        for (uint64_t i = 0; i < new_size; i++)
            nrt[i] = __builtin_bswap64(nrt[i]);
        r = hostfile_pwrite(&s->file, T * s->cluster_size, nrt, new_size * 8);
        for (uint64_t i = 0; i < new_size; i++)
            nrt[i] = __builtin_bswap64(nrt[i]);
    }
    if (r == 0)
        r = hostfile_sync(&s->file);
    if (r == 0) {
        uint8_t hdr[12];
        st_be64(hdr, T * s->cluster_size);
        st_be32(hdr + 8, n);
        r = hostfile_pwrite(&s->file, 48, hdr, 12);   /* refcount_table_offset, _clusters */
    }
    if (r == 0)
        r = hostfile_sync(&s->file);
    for (uint64_t m = 0; m < k; m++)
        free(blocks[m]);
    free(blocks);
    free(block_idx);
    if (r < 0) {
        free(nrt);
        if (!bs->errbuf[0])
            bdrv_set_error(bs, "could not grow the refcount table: %s", strerror(-r));
        return r;
    }
    uint64_t old_off = s->rt_offset, old_clusters = s->rt_clusters;
    free(s->rt);
    s->rt = nrt;
    s->rt_size = new_size;
    s->rt_offset = T * s->cluster_size;
    s->rt_clusters = n;
    s->next_alloc = end;
    note_file_end(s, end * s->cluster_size);
    /* Nothing points at the old table any more: free it now. */
    for (uint64_t c = 0; c < old_clusters; c++) {
        r = qcow2_update_refcount(bs, (old_off >> s->cluster_bits) + c, -1);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Make sure the refcount block for cluster idx exists; a new one is placed at idx itself
 * (idx is free, at the allocation cursor) and so describes itself. Returns 1 if it used idx. */
static int ensure_refblock_at_cursor(BlockDriverState *bs, uint64_t idx)
{
    Qcow2State *s = bs->opaque;
    uint64_t bi = idx >> s->rb_bits;
    if (bi >= s->rt_size) {
        int r = grow_refcount_table(bs, bi);
        return r < 0 ? r : 2;   /* the cursor moved: caller retries */
    }
    if (s->rt[bi])
        return 0;
    uint64_t off = idx << s->cluster_bits;
    uint8_t *blk = qcow2_cache_get(bs, &s->rc_cache, off, true);
    if (!blk)
        return -EIO;
    rb_set(s, blk, idx & ((1ULL << s->rb_bits) - 1), 1);
    /* The block is on disk before the table names it. */
    int r = hostfile_pwrite(&s->file, off, blk, s->cluster_size);
    if (r == 0)
        r = hostfile_sync(&s->file);
    if (r == 0) {
        s->rt[bi] = off;
        r = write_rt_entry(bs, bi);
    }
    if (r < 0) {
        s->rt[bi] = 0;
        qcow2_cache_discard(&s->rc_cache, off);
        bdrv_set_error(bs, "could not add a refcount block: %s", strerror(-r));
        return r;
    }
    note_file_end(s, off + s->cluster_size);
    return 1;
}

int qcow2_set_refcount(BlockDriverState *bs, uint64_t idx, uint64_t val)
{
    Qcow2State *s = bs->opaque;
    bool missing;
    uint8_t *b = refblock_for(bs, idx, &missing);
    if (missing) {
        if (!val)
            return 0;
        /* A block for a cluster far from the cursor (check repair): allocate it anywhere. */
        uint64_t got;
        int64_t off = qcow2_alloc_clusters(bs, 1, &got);
        if (off < 0)
            return (int)off;
        uint64_t bi = idx >> s->rb_bits;
        if (bi >= s->rt_size) {
            int r = grow_refcount_table(bs, bi);
            if (r < 0)
                return r;
        }
        b = qcow2_cache_get(bs, &s->rc_cache, off, true);
        if (!b)
            return -EIO;
        int r = hostfile_pwrite(&s->file, off, b, s->cluster_size);
        if (r == 0)
            r = hostfile_sync(&s->file);
        if (r == 0) {
            s->rt[bi] = off;
            r = write_rt_entry(bs, bi);
        }
        if (r < 0)
            return r;
    }
    if (!b)
        return -EIO;
    if (val > s->refcount_max) {
        bdrv_set_error(bs, "refcount of cluster %" PRIu64 " would overflow %u bits", idx,
                       s->refcount_bits);
        return -ERANGE;
    }
    rb_set(s, b, idx & ((1ULL << s->rb_bits) - 1), val);
    qcow2_cache_mark_dirty(&s->rc_cache, b);
    return 0;
}

int qcow2_update_refcount(BlockDriverState *bs, uint64_t idx, int64_t delta)
{
    int64_t cur = qcow2_get_refcount(bs, idx);
    if (cur < 0)
        return (int)cur;
    if (delta < 0 && cur < -delta) {
        bdrv_set_error(bs, "refcount of cluster %" PRIu64 " would drop below zero", idx);
        return -EINVAL;
    }
    return qcow2_set_refcount(bs, idx, cur + delta);
}

int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t n, uint64_t *got)
{
    Qcow2State *s = bs->opaque;
    for (;;) {
        uint64_t c = s->next_alloc;
        if (c >= (1ULL << (56 - s->cluster_bits))) {
            bdrv_set_error(bs, "image file would exceed the qcow2 offset limit");
            return -EFBIG;
        }
        int r = ensure_refblock_at_cursor(bs, c);
        if (r < 0)
            return r;
        if (r == 1)
            s->next_alloc = c + 1;
        if (r)
            continue;
        bool missing;
        uint8_t *b = refblock_for(bs, c, &missing);
        if (!b)
            return -EIO;
        uint64_t mask = (1ULL << s->rb_bits) - 1, cnt = 0;
        /* Stay within this block so no new block can interrupt the run. */
        while (cnt < n && ((c + cnt) >> s->rb_bits) == (c >> s->rb_bits)
               && rb_get(s, b, (c + cnt) & mask) == 0)
            cnt++;
        if (!cnt) {
            s->next_alloc = c + 1;   /* in use (a corrupt or foreign layout): skip it */
            continue;
        }
        for (uint64_t i = 0; i < cnt; i++)
            rb_set(s, b, (c + i) & mask, 1);
        qcow2_cache_mark_dirty(&s->rc_cache, b);
        s->next_alloc = c + cnt;
        note_file_end(s, (c + cnt) << s->cluster_bits);
        *got = cnt;
        return (int64_t)(c << s->cluster_bits);
    }
}

int64_t qcow2_alloc_bytes(BlockDriverState *bs, uint32_t len)
{
    Qcow2State *s = bs->opaque;
    uint64_t cs = s->cluster_size, got;
    if (s->compr_next && (s->compr_next & (cs - 1))) {
        uint64_t cur = s->compr_next >> s->cluster_bits;
        uint64_t space = cs - (s->compr_next & (cs - 1));
        int64_t rc = qcow2_get_refcount(bs, cur);
        if (rc < 0)
            return rc;
        if ((uint64_t)rc < s->refcount_max) {
            if (len <= space) {
                int r = qcow2_update_refcount(bs, cur, 1);
                if (r < 0)
                    return r;
                uint64_t off = s->compr_next;
                s->compr_next += len;
                return (int64_t)off;
            }
            int64_t next = qcow2_alloc_clusters(bs, 1, &got);
            if (next < 0)
                return next;
            if ((uint64_t)next == (cur + 1) * cs) {
                /* Spill into the next cluster: both clusters hold part of this data. */
                int r = qcow2_update_refcount(bs, cur, 1);
                if (r < 0)
                    return r;
                uint64_t off = s->compr_next;
                s->compr_next += len;
                return (int64_t)off;
            }
            s->compr_next = next + len;
            return next;
        }
    }
    int64_t off = qcow2_alloc_clusters(bs, 1, &got);
    if (off < 0)
        return off;
    s->compr_next = off + len;
    return off;
}

void qcow2_defer_free(Qcow2State *s, uint64_t idx)
{
    if (s->n_pending_free == s->cap_pending_free) {
        s->cap_pending_free = s->cap_pending_free ? 2 * s->cap_pending_free : 64;
        s->pending_free = xrealloc(s->pending_free, s->cap_pending_free * sizeof *s->pending_free);
    }
    s->pending_free[s->n_pending_free++] = idx;
}

int qcow2_apply_deferred_frees(BlockDriverState *bs)
{
    Qcow2State *s = bs->opaque;
    for (size_t i = 0; i < s->n_pending_free; i++) {
        int r = qcow2_update_refcount(bs, s->pending_free[i], -1);
        if (r < 0)
            return r;
    }
    s->n_pending_free = 0;
    return 0;
}

void qcow2_compressed_range(const Qcow2State *s, uint64_t entry, uint64_t *off, uint64_t *len)
{
    uint64_t coff = entry & s->coffset_mask;
    uint64_t nsec = ((entry >> s->csize_shift) & s->csize_mask) + 1;
    *off = coff & ~511ULL;
    *len = nsec * 512;
}

/* ---- check ---- */

typedef struct CheckCtx {
    BlockDriverState *bs;
    ImageCheck *res;
    uint32_t *ref;         /* computed references per cluster */
    uint64_t nclusters;    /* clusters of the file (and the size of ref) */
    uint8_t *buf;
} CheckCtx;

static void check_inc(CheckCtx *cx, uint64_t off, uint64_t len, const char *what)
{
    Qcow2State *s = cx->bs->opaque;
    if (!len)
        return;
    uint64_t first = off >> s->cluster_bits, last = (off + len - 1) >> s->cluster_bits;
    for (uint64_t c = first; c <= last; c++) {
        if (c >= cx->nclusters) {
            fprintf(stderr, "ERROR %s at offset %" PRIu64 " is beyond end of file\n", what,
                    c << s->cluster_bits);
            cx->res->corruptions++;
            return;
        }
        if (cx->ref[c] < UINT32_MAX)
            cx->ref[c]++;
    }
    if ((last + 1) << s->cluster_bits > (uint64_t)cx->res->image_end_offset)
        cx->res->image_end_offset = (last + 1) << s->cluster_bits;
}

/* Count the references of one L1 table; active marks the table in use (stats, COPIED). */
static int check_l1(CheckCtx *cx, uint64_t l1_off, uint32_t l1_size, bool active)
{
    Qcow2State *s = cx->bs->opaque;
    uint64_t *l1 = NULL;
    Error *err = NULL;
    check_inc(cx, l1_off, (uint64_t)l1_size * 8, "L1 table");
    if (qcow2_read_l1_table(cx->bs, l1_off, l1_size, &l1, &err) < 0) {
        fprintf(stderr, "ERROR %s\n", err->msg);
        error_free(err);
        cx->res->corruptions++;
        return 0;
    }
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2 = l1[i] & L1E_OFFSET_MASK;
        if (!l2)
            continue;
        if (l2 & (s->cluster_size - 1)) {
            fprintf(stderr, "ERROR L1 entry %u: L2 table offset %#" PRIx64 " is not cluster aligned\n", i, l2);
            cx->res->corruptions++;
            continue;
        }
        check_inc(cx, l2, s->cluster_size, "L2 table");
        if (l2 >= s->file_size || hostfile_pread(&s->file, l2, cx->buf, s->cluster_size) < 0)
            continue;
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = ld_be64(cx->buf + 8 * j);
            if (e & QCOW_OFLAG_COMPRESSED) {
                uint64_t off, len;
                qcow2_compressed_range(s, e, &off, &len);
                check_inc(cx, off, len, "compressed cluster");
                if (active) {
                    /* Compressed clusters count as fragmented, as qemu-img counts them. */
                    cx->res->allocated_clusters++;
                    cx->res->compressed_clusters++;
                    cx->res->fragmented_clusters++;
                }
                continue;
            }
            uint64_t off = e & L2E_OFFSET_MASK;
            if (!off)
                continue;
            if (off & (s->cluster_size - 1)) {
                fprintf(stderr, "ERROR L2 entry %u of table %#" PRIx64 ": offset %#" PRIx64 " is not cluster aligned\n",
                        j, l2, off);
                cx->res->corruptions++;
                continue;
            }
            check_inc(cx, off, s->cluster_size, "data cluster");
            if (active) {
                cx->res->allocated_clusters++;
                if (prev_end && off != prev_end)
                    cx->res->fragmented_clusters++;
                prev_end = off + s->cluster_size;
            }
        }
    }
    free(l1);
    return 0;
}

/* Fix COPIED flags of the active tables against the (now correct) refcounts. */
static int check_copied(CheckCtx *cx, int fix)
{
    BlockDriverState *bs = cx->bs;
    Qcow2State *s = bs->opaque;
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2 = s->l1[i] & L1E_OFFSET_MASK;
        if (!l2 || (l2 & (s->cluster_size - 1)) || l2 >= s->file_size)
            continue;
        int64_t rc = qcow2_get_refcount(bs, l2 >> s->cluster_bits);
        if (rc < 0)
            return (int)rc;
        bool copied = (s->l1[i] & QCOW_OFLAG_COPIED) != 0;
        if (copied != (rc == 1)) {
            fprintf(stderr, "%s OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=%" PRIx64 " refcount=%" PRId64 "\n",
                    (fix & CHECK_FIX_ERRORS) ? "Repairing" : "ERROR", i, s->l1[i], rc);
            cx->res->corruptions++;
            if (fix & CHECK_FIX_ERRORS) {
                s->l1[i] = rc == 1 ? s->l1[i] | QCOW_OFLAG_COPIED : s->l1[i] & ~QCOW_OFLAG_COPIED;
                s->l1_dirty = true;
                cx->res->corruptions_fixed++;
            }
        }
        uint8_t *t = qcow2_cache_get(bs, &s->l2_cache, l2, false);
        if (!t)
            return -EIO;
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = ld_be64(t + 8 * j);
            uint64_t off = e & L2E_OFFSET_MASK;
            if ((e & QCOW_OFLAG_COMPRESSED) || !off || (off & (s->cluster_size - 1)))
                continue;
            rc = qcow2_get_refcount(bs, off >> s->cluster_bits);
            if (rc < 0)
                return (int)rc;
            bool c = (e & QCOW_OFLAG_COPIED) != 0;
            if (c != (rc == 1)) {
                fprintf(stderr, "%s OFLAG_COPIED data cluster: l2_entry=%" PRIx64 " refcount=%" PRId64 "\n",
                        (fix & CHECK_FIX_ERRORS) ? "Repairing" : "ERROR", e, rc);
                cx->res->corruptions++;
                if (fix & CHECK_FIX_ERRORS) {
                    st_be64(t + 8 * j, rc == 1 ? e | QCOW_OFLAG_COPIED : e & ~QCOW_OFLAG_COPIED);
                    qcow2_cache_mark_dirty(&s->l2_cache, t);
                    cx->res->corruptions_fixed++;
                }
            }
        }
    }
    return 0;
}

int qcow2_check_image(BlockDriverState *bs, ImageCheck *res, int fix)
{
    Qcow2State *s = bs->opaque;
    int r = qcow2_writeback(bs);
    if (r < 0)
        return r;
    CheckCtx cx = { .bs = bs, .res = res };
    cx.nclusters = (s->file_size + s->cluster_size - 1) >> s->cluster_bits;
    cx.ref = xzalloc(sizeof *cx.ref * (cx.nclusters + 1));
    cx.buf = xmalloc(s->cluster_size);
    res->total_clusters = (bs->total_size + s->cluster_size - 1) >> s->cluster_bits;

    check_inc(&cx, 0, s->cluster_size, "header");
    check_l1(&cx, s->l1_offset, s->l1_size, true);
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        check_l1(&cx, s->snapshots[i].l1_offset, s->snapshots[i].l1_size, false);
    if (s->nb_snapshots) {
        /* The snapshot table's length is the sum of its entries, computed at open. */
        uint64_t len = 0;
        for (uint32_t i = 0; i < s->nb_snapshots; i++)
            len += ALIGN_UP(40 + s->snapshots[i].extra_size + strlen(s->snapshots[i].id) +
                            strlen(s->snapshots[i].name), 8);
        check_inc(&cx, s->snapshots_offset, len, "snapshot table");
    }
    check_inc(&cx, s->rt_offset, (uint64_t)s->rt_clusters * s->cluster_size, "refcount table");
    for (uint64_t i = 0; i < s->rt_size; i++)
        if (s->rt[i])
            check_inc(&cx, s->rt[i], s->cluster_size, "refcount block");

    /* Compare with the stored refcounts over every cluster either side knows of. */
    uint64_t limit = cx.nclusters;
    for (uint64_t i = 0; i < s->rt_size; i++)
        if (s->rt[i])
            limit = MAX(limit, (i + 1) << s->rb_bits);
    uint64_t blocks_beyond = 0, clusters_beyond = 0;
    for (uint64_t c = 0; c < limit; c++) {
        uint64_t bi = c >> s->rb_bits;
        if (c >= cx.nclusters && !(c & ((1ULL << s->rb_bits) - 1))) {
            /* Past the end of the file only nonzero refcounts matter: skip empty blocks whole,
             * and give up (an error) on a hostile table naming millions of blocks out there. */
            uint8_t *blk = NULL;
            if (bi < s->rt_size && s->rt[bi]) {
                if (++blocks_beyond > 1024) {
                    fprintf(stderr, "ERROR too many refcount blocks beyond end of file\n");
                    res->check_errors++;
                    break;
                }
                blk = qcow2_cache_get(bs, &s->rc_cache, s->rt[bi], false);
            }
            if (!blk || buffer_is_zero(blk, s->cluster_size)) {
                c = ((bi + 1) << s->rb_bits) - 1;
                continue;
            }
        }
        if (c >= cx.nclusters && (bi >= s->rt_size || !s->rt[bi])) {
            c = ((bi + 1) << s->rb_bits) - 1;   /* a whole missing block beyond the file */
            continue;
        }
        if (c >= cx.nclusters && ++clusters_beyond > (1u << 24)) {
            fprintf(stderr, "ERROR too many refcounts beyond end of file\n");
            res->check_errors++;
            break;
        }
        int64_t have = qcow2_get_refcount(bs, c);
        if (have < 0) {
            res->check_errors++;
            break;
        }
        uint64_t want = c < cx.nclusters ? cx.ref[c] : 0;
        if ((uint64_t)have == want)
            continue;
        if ((uint64_t)have > want) {
            bool f = fix & CHECK_FIX_LEAKS;
            fprintf(stderr, "%s cluster %" PRIu64 " refcount=%" PRId64 " reference=%" PRIu64 "\n",
                    f ? "Repairing" : "Leaked", c, have, want);
            res->leaks++;
            if (f && qcow2_set_refcount(bs, c, want) == 0)
                res->leaks_fixed++;
        } else {
            bool f = fix & CHECK_FIX_ERRORS;
            fprintf(stderr, "%s cluster %" PRIu64 " refcount=%" PRId64 " reference=%" PRIu64 "\n",
                    f ? "Repairing" : "ERROR", c, have, want);
            res->corruptions++;
            if (f && want <= s->refcount_max && qcow2_set_refcount(bs, c, want) == 0)
                res->corruptions_fixed++;
        }
    }
    if (check_copied(&cx, fix) < 0)
        res->check_errors++;
    free(cx.ref);
    free(cx.buf);
    if (fix && (res->leaks_fixed || res->corruptions_fixed)) {
        r = qcow2_writeback(bs);
        if (r < 0)
            res->check_errors++;
    }
    return 0;
}
