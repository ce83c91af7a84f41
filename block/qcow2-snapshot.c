/* qcow2-snapshot.c: qcow2 internal snapshots: create, apply, delete (spec "Snapshots"). */
#include "util/osdep.h"
#include "util/log.h"
#include "block/qcow2.h"
#include "block/endian.h"
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

/*
 * A snapshot is a copy of the L1 table plus one more reference on every L2 table and data
 * cluster it reaches; the active tables then lose their COPIED flags and later writes copy
 * shared clusters first.  Order on disk: the new references (refcounts) first, then the
 * snapshot table and the header that name the snapshot; on delete, the table first, then
 * the references go.  An interruption leaves leaks at worst.
 */

/* Add delta to the refcount of every L2 table and data cluster an L1 table reaches. With
 * unshare (the active table gaining a snapshot), COPIED flags are cleared on the way, so the
 * shared clusters are copied before any write, even if the process dies right after. */
static int update_l1_refs(BlockDriverState *bs, uint64_t *l1, uint32_t l1_size, int delta, bool unshare)
{
    Qcow2State *s = bs->opaque;
    uint8_t *copy = xmalloc(s->cluster_size);
    int r = 0;
    for (uint32_t i = 0; i < l1_size && r == 0; i++) {
        uint64_t l2 = l1[i] & L1E_OFFSET_MASK;
        if (!l2)
            continue;
        if ((l2 & (s->cluster_size - 1)) || l2 >= s->file_size) {
            bdrv_set_error(bs, "L1 entry %u points beyond end of file or is not cluster aligned", i);
            r = -EINVAL;
            break;
        }
        uint8_t *t = qcow2_cache_get(bs, &s->l2_cache, l2, false);
        if (!t) {
            r = -EIO;
            break;
        }
        if (unshare) {
            for (uint32_t j = 0; j < s->l2_size; j++) {
                uint64_t e = ld_be64(t + 8 * j);
                if (e & QCOW_OFLAG_COPIED)
                    st_be64(t + 8 * j, e & ~QCOW_OFLAG_COPIED);
            }
            qcow2_cache_mark_dirty(&s->l2_cache, t);
            l1[i] &= ~QCOW_OFLAG_COPIED;
            s->l1_dirty = true;
        }
        memcpy(copy, t, s->cluster_size);   /* refcount updates may evict the table */
        r = qcow2_update_refcount(bs, l2 >> s->cluster_bits, delta);
        for (uint32_t j = 0; j < s->l2_size && r == 0; j++) {
            uint64_t e = ld_be64(copy + 8 * j);
            if (e & QCOW_OFLAG_COMPRESSED) {
                uint64_t off, len;
                qcow2_compressed_range(s, e, &off, &len);
                for (uint64_t c = off >> s->cluster_bits; c <= (off + len - 1) >> s->cluster_bits && r == 0; c++)
                    r = qcow2_update_refcount(bs, c, delta);
            } else if (e & L2E_OFFSET_MASK) {
                r = qcow2_update_refcount(bs, (e & L2E_OFFSET_MASK) >> s->cluster_bits, delta);
            }
        }
    }
    free(copy);
    return r;
}

/* Set the COPIED flags of the active tables from the refcounts (a quiet check -r all). */
static int fix_copied(BlockDriverState *bs)
{
    ImageCheck res = { 0 };
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    int r = qcow2_check_image(bs, &res, CHECK_FIX_LEAKS | CHECK_FIX_ERRORS);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    if (r == 0 && res.corruptions > res.corruptions_fixed) {
        bdrv_set_error(bs, "the image has %" PRId64 " errors: run check -r all first", res.corruptions);
        r = -EINVAL;
    }
    return r;
}

static uint64_t snapshot_entry_size(const Qcow2Snapshot *sn)
{
    return ALIGN_UP(40 + sn->extra_size + strlen(sn->id) + strlen(sn->name), 8);
}

/* Write the snapshot table (new clusters), then point the header at it, then free the old. */
static int write_snapshot_table(BlockDriverState *bs, Qcow2Snapshot *list, uint32_t n)
{
    Qcow2State *s = bs->opaque;
    uint64_t size = 0;
    for (uint32_t i = 0; i < n; i++)
        size += snapshot_entry_size(&list[i]);
    uint64_t off = 0, got;
    int r;
    if (size) {
        uint64_t ncl = ALIGN_UP(size, s->cluster_size) / s->cluster_size;
        int64_t at = qcow2_alloc_clusters(bs, ncl, &got);
        if (at >= 0 && got != ncl) {
            for (uint64_t k = 0; k < got; k++)
                qcow2_update_refcount(bs, ((uint64_t)at >> s->cluster_bits) + k, -1);
            at = qcow2_alloc_clusters(bs, ncl, &got);
            if (at >= 0 && got != ncl)
                at = -ENOSPC;
        }
        if (at < 0)
            return (int)at;
        off = at;
        uint8_t *buf = xzalloc(ALIGN_UP(size, s->cluster_size));
        uint64_t p = 0;
        for (uint32_t i = 0; i < n; i++) {
            Qcow2Snapshot *sn = &list[i];
            uint8_t *e = buf + p;
            st_be64(e, sn->l1_offset);
            st_be32(e + 8, sn->l1_size);
            st_be16(e + 12, strlen(sn->id));
            st_be16(e + 14, strlen(sn->name));
            st_be32(e + 16, sn->date_sec);
            st_be32(e + 20, sn->date_nsec);
            st_be64(e + 24, sn->vm_clock_nsec);
            st_be32(e + 32, sn->vm_state_size > UINT32_MAX ? 0 : sn->vm_state_size);
            st_be32(e + 36, sn->extra_size);
            memcpy(e + 40, sn->extra, sn->extra_size);
            memcpy(e + 40 + sn->extra_size, sn->id, strlen(sn->id));
            memcpy(e + 40 + sn->extra_size + strlen(sn->id), sn->name, strlen(sn->name));
            p += snapshot_entry_size(sn);
        }
        r = hostfile_pwrite(&s->file, off, buf, ALIGN_UP(size, s->cluster_size));
        free(buf);
        if (r < 0)
            return r;
    }
    /* Refcounts (of the table and of whatever the caller referenced) before the header. */
    r = qcow2_writeback(bs);
    if (r < 0)
        return r;
    uint8_t hdr[12];
    st_be32(hdr, n);                 /* nb_snapshots and snapshots_offset are adjacent */
    st_be64(hdr + 4, off);
    r = hostfile_pwrite(&s->file, 60, hdr, 12);
    if (r == 0)
        r = hostfile_sync(&s->file);
    if (r < 0)
        return r;
    uint64_t old_size = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        old_size += snapshot_entry_size(&s->snapshots[i]);
    if (s->snapshots_offset && old_size) {
        for (uint64_t c = 0; c < ALIGN_UP(old_size, s->cluster_size) / s->cluster_size; c++)
            qcow2_defer_free(s, (s->snapshots_offset >> s->cluster_bits) + c);
    }
    s->snapshots_offset = off;
    return 0;
}

static Qcow2Snapshot *find_snapshot(Qcow2State *s, const char *name, uint32_t *idx)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        if (!strcmp(s->snapshots[i].id, name) || !strcmp(s->snapshots[i].name, name)) {
            *idx = i;
            return &s->snapshots[i];
        }
    return NULL;
}

static void copy_snapshot(Qcow2Snapshot *dst, const Qcow2Snapshot *src)
{
    *dst = *src;
    dst->id = xstrdup(src->id);
    dst->name = xstrdup(src->name);
    dst->extra = xmalloc(src->extra_size + 1);
    memcpy(dst->extra, src->extra, src->extra_size);
}

static void replace_snapshots(Qcow2State *s, Qcow2Snapshot *list, uint32_t n)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        free(s->snapshots[i].id);
        free(s->snapshots[i].name);
        free(s->snapshots[i].extra);
    }
    free(s->snapshots);
    s->snapshots = list;
    s->nb_snapshots = n;
}

int qcow2_snapshot_create(BlockDriverState *bs, const char *name, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint32_t idx;
    if (find_snapshot(s, name, &idx)) {
        error_setg(errp, "a snapshot named '%s' already exists", name);
        return -EEXIST;
    }
    if (s->nb_snapshots >= QCOW2_MAX_SNAPSHOTS || strlen(name) > 65535) {
        error_setg(errp, "too many snapshots or name too long");
        return -EINVAL;
    }
    int r = qcow2_writeback(bs);
    if (r < 0)
        goto fail;
    /* The snapshot's L1: a copy of the active one, in new clusters. */
    uint64_t bytes = (uint64_t)s->l1_size * 8, ncl = MAX(1, ALIGN_UP(bytes, s->cluster_size) / s->cluster_size), got;
    int64_t l1off = qcow2_alloc_clusters(bs, ncl, &got);
    if (l1off >= 0 && got != ncl) {
        for (uint64_t k = 0; k < got; k++)
            qcow2_update_refcount(bs, ((uint64_t)l1off >> s->cluster_bits) + k, -1);
        l1off = qcow2_alloc_clusters(bs, ncl, &got);
        if (l1off >= 0 && got != ncl)
            l1off = -ENOSPC;
    }
    if (l1off < 0) {
        r = (int)l1off;
        goto fail;
    }
    uint64_t *be = xzalloc(ncl * s->cluster_size);
    for (uint32_t i = 0; i < s->l1_size; i++)
        be[i] = __builtin_bswap64(s->l1[i] & ~QCOW_OFLAG_COPIED);
    r = hostfile_pwrite(&s->file, l1off, be, ncl * s->cluster_size);
    free(be);
    if (r == 0)
        r = update_l1_refs(bs, s->l1, s->l1_size, 1, true);
    if (r < 0)
        goto fail;
    Qcow2Snapshot *list = xzalloc(sizeof *list * (s->nb_snapshots + 1));
    unsigned long max_id = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        copy_snapshot(&list[i], &s->snapshots[i]);
        max_id = MAX(max_id, strtoul(s->snapshots[i].id, NULL, 10));
    }
    Qcow2Snapshot *sn = &list[s->nb_snapshots];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sn->l1_offset = l1off;
    sn->l1_size = s->l1_size;
    sn->id = xasprintf("%lu", max_id + 1);
    sn->name = xstrdup(name);
    sn->date_sec = ts.tv_sec;
    sn->date_nsec = ts.tv_nsec;
    sn->disk_size = bs->total_size;
    /* Extra data (spec): vm_state_size_large, disk_size; version 3 requires both. */
    sn->extra_size = 16;
    sn->extra = xzalloc(16);
    st_be64(sn->extra + 8, bs->total_size);
    r = write_snapshot_table(bs, list, s->nb_snapshots + 1);
    if (r < 0) {
        for (uint32_t i = 0; i <= s->nb_snapshots; i++) {
            free(list[i].id);
            free(list[i].name);
            free(list[i].extra);
        }
        free(list);
        goto fail;
    }
    replace_snapshots(s, list, s->nb_snapshots + 1);
    r = qcow2_writeback(bs);
    if (r == 0)
        r = fix_copied(bs);
    if (r < 0)
        goto fail;
    return 0;
fail:
    error_setg(errp, "could not create the snapshot: %s", bs->errbuf[0] ? bs->errbuf : strerror(-r));
    return r;
}

int qcow2_snapshot_apply(BlockDriverState *bs, const char *name, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint32_t idx;
    Qcow2Snapshot *sn = find_snapshot(s, name, &idx);
    if (!sn) {
        error_setg(errp, "snapshot '%s' not found", name);
        return -ENOENT;
    }
    if (sn->l1_size > s->l1_size) {
        error_setg(errp, "applying a snapshot with a larger L1 table is not implemented yet");
        return -ENOTSUP;
    }
    uint64_t *snl1 = NULL;
    int r = qcow2_read_l1_table(bs, sn->l1_offset, sn->l1_size, &snl1, errp);
    if (r < 0)
        return r;
    uint64_t *old = xmalloc((uint64_t)s->l1_size * 8 + 8);
    memcpy(old, s->l1, (uint64_t)s->l1_size * 8);
    uint32_t old_size = s->l1_size;
    /* References for the snapshot's content first, then the switch, then the old ones go. */
    r = qcow2_writeback(bs);
    if (r == 0)
        r = update_l1_refs(bs, snl1, sn->l1_size, 1, false);
    if (r == 0)
        r = qcow2_writeback(bs);
    if (r == 0) {
        for (uint32_t i = 0; i < s->l1_size; i++)
            s->l1[i] = i < sn->l1_size ? snl1[i] & ~QCOW_OFLAG_COPIED : 0;
        s->l1_dirty = true;
        r = qcow2_writeback(bs);
    }
    if (r == 0)
        r = update_l1_refs(bs, old, old_size, -1, false);
    if (r == 0 && sn->disk_size != bs->total_size && sn->disk_size <= bs->total_size) {
        r = qcow2_write_header_field64(bs, 24, sn->disk_size);
        if (r == 0)
            bs->total_size = sn->disk_size;
    }
    if (r == 0)
        r = qcow2_writeback(bs);
    if (r == 0)
        r = fix_copied(bs);
    free(old);
    free(snl1);
    if (r < 0)
        error_setg(errp, "could not apply the snapshot: %s", bs->errbuf[0] ? bs->errbuf : strerror(-r));
    return r;
}

int qcow2_snapshot_delete(BlockDriverState *bs, const char *name, Error **errp)
{
    Qcow2State *s = bs->opaque;
    uint32_t idx;
    Qcow2Snapshot *sn = find_snapshot(s, name, &idx);
    if (!sn) {
        error_setg(errp, "snapshot '%s' not found", name);
        return -ENOENT;
    }
    uint64_t *snl1 = NULL;
    int r = qcow2_read_l1_table(bs, sn->l1_offset, sn->l1_size, &snl1, errp);
    if (r < 0)
        return r;
    Qcow2Snapshot gone;
    copy_snapshot(&gone, sn);
    Qcow2Snapshot *list = xzalloc(sizeof *list * (s->nb_snapshots + 1));
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++)
        if (i != idx)
            copy_snapshot(&list[n++], &s->snapshots[i]);
    /* The table stops naming the snapshot before any of its clusters is unreferenced. */
    r = write_snapshot_table(bs, list, n);
    if (r == 0) {
        replace_snapshots(s, list, n);
        r = qcow2_writeback(bs);
    } else {
        for (uint32_t i = 0; i < n; i++) {
            free(list[i].id);
            free(list[i].name);
            free(list[i].extra);
        }
        free(list);
    }
    if (r == 0)
        r = update_l1_refs(bs, snl1, gone.l1_size, -1, false);
    if (r == 0) {
        uint64_t ncl = MAX(1, ALIGN_UP((uint64_t)gone.l1_size * 8, s->cluster_size) / s->cluster_size);
        for (uint64_t c = 0; c < ncl && r == 0; c++)
            r = qcow2_update_refcount(bs, (gone.l1_offset >> s->cluster_bits) + c, -1);
    }
    if (r == 0)
        r = qcow2_writeback(bs);
    if (r == 0)
        r = fix_copied(bs);
    free(gone.id);
    free(gone.name);
    free(gone.extra);
    free(snl1);
    if (r < 0)
        error_setg(errp, "could not delete the snapshot: %s", bs->errbuf[0] ? bs->errbuf : strerror(-r));
    return r;
}
