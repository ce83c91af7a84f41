/* qcow2-cache.c: write-back LRU caches of L2 tables and refcount blocks, with qcow2's write order. */
#include "util/osdep.h"
#include "block/qcow2.h"

void qcow2_cache_init(Qcow2Cache *c, int n, uint32_t cluster_size, bool is_l2)
{
    c->n = n;
    c->is_l2 = is_l2;
    c->tick = 0;
    c->e = xzalloc(sizeof *c->e * n);
    for (int i = 0; i < n; i++)
        c->e[i].data = xmalloc(cluster_size);
}

void qcow2_cache_destroy(Qcow2Cache *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->e[i].data);
    free(c->e);
    c->e = NULL;
    c->n = 0;
}

static int cache_write_entry(BlockDriverState *bs, Qcow2Cache *c, Qcow2CacheEntry *e)
{
    Qcow2State *s = bs->opaque;
    if (!e->dirty)
        return 0;
    if (c->is_l2) {
        /* An L2 entry may only reach the disk after the data it points to and the refcounts
         * that account for that data: refcount blocks first, then a barrier. */
        int r = qcow2_cache_write_all(bs, &s->rc_cache);
        if (r < 0)
            return r;
        r = hostfile_sync(&s->file);
        if (r < 0)
            return r;
    }
    int r = hostfile_pwrite(&s->file, e->offset, e->data, s->cluster_size);
    if (r < 0) {
        bdrv_set_error(bs, "could not write %s at %" PRIu64 ": %s",
                       c->is_l2 ? "L2 table" : "refcount block", e->offset, strerror(-r));
        return r;
    }
    e->dirty = false;
    return 0;
}

uint8_t *qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t off, bool fresh)
{
    Qcow2State *s = bs->opaque;
    Qcow2CacheEntry *victim = NULL;
    for (int i = 0; i < c->n; i++) {
        Qcow2CacheEntry *e = &c->e[i];
        if (e->offset == off) {
            e->lru = ++c->tick;
            if (fresh)
                memset(e->data, 0, s->cluster_size);
            return e->data;
        }
        if (!victim || e->lru < victim->lru)
            victim = e;
    }
    if (victim->offset && cache_write_entry(bs, c, victim) < 0)
        return NULL;
    victim->offset = 0;
    if (fresh) {
        memset(victim->data, 0, s->cluster_size);
    } else {
        int r = hostfile_pread(&s->file, off, victim->data, s->cluster_size);
        if (r < 0) {
            bdrv_set_error(bs, "could not read %s at %" PRIu64 ": %s",
                           c->is_l2 ? "L2 table" : "refcount block", off, strerror(-r));
            return NULL;
        }
    }
    victim->offset = off;
    victim->dirty = false;
    victim->lru = ++c->tick;
    return victim->data;
}

void qcow2_cache_mark_dirty(Qcow2Cache *c, const uint8_t *data)
{
    for (int i = 0; i < c->n; i++)
        if (c->e[i].data == data)
            c->e[i].dirty = true;
}

int qcow2_cache_write_all(BlockDriverState *bs, Qcow2Cache *c)
{
    for (int i = 0; i < c->n; i++) {
        if (c->e[i].offset && c->e[i].dirty) {
            int r = cache_write_entry(bs, c, &c->e[i]);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

void qcow2_cache_discard(Qcow2Cache *c, uint64_t off)
{
    for (int i = 0; i < c->n; i++)
        if (c->e[i].offset == off) {
            c->e[i].offset = 0;
            c->e[i].dirty = false;
            c->e[i].lru = 0;
        }
}
