/* qcow2.h: the qcow2 driver's shared state (layout: QEMU docs/interop/qcow2.txt). */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include "block/block.h"
#include "block/file.h"

#define QCOW2_MAGIC 0x514649fbu            /* "QFI\xfb" */
#define QCOW2_INCOMPAT_DIRTY       (1ULL << 0)
#define QCOW2_INCOMPAT_CORRUPT     (1ULL << 1)
#define QCOW2_INCOMPAT_DATA_FILE   (1ULL << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ULL << 3)
#define QCOW2_INCOMPAT_EXTL2       (1ULL << 4)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ULL << 0)

/* L1/L2 entry bits (spec "Cluster mapping"). */
#define QCOW_OFLAG_COPIED     (1ULL << 63)
#define QCOW_OFLAG_COMPRESSED (1ULL << 62)
#define QCOW_OFLAG_ZERO       (1ULL << 0)
#define L1E_OFFSET_MASK       0x00fffffffffffe00ULL
#define L2E_OFFSET_MASK       0x00fffffffffffe00ULL
#define REFT_OFFSET_MASK      0xfffffffffffffe00ULL

#define QCOW2_MAX_L1_BYTES    (32 * MiB)
#define QCOW2_MAX_RT_BYTES    (8 * MiB)
#define QCOW2_MAX_SNAPSHOTS   65536

/* Header extension types. */
#define QCOW2_EXT_END          0x00000000u
#define QCOW2_EXT_BACKING_FMT  0xe2792acau
#define QCOW2_EXT_FEATURES     0x6803f857u
#define QCOW2_EXT_BITMAPS      0x23852875u
#define QCOW2_EXT_CRYPTO       0x0537be77u
#define QCOW2_EXT_DATA_FILE    0x44415441u

/* A write-back cache of cluster-sized tables (L2 tables or refcount blocks). */
typedef struct Qcow2CacheEntry {
    uint64_t offset;   /* 0: free slot */
    uint8_t *data;
    bool dirty;
    uint64_t lru;
} Qcow2CacheEntry;

typedef struct Qcow2Cache {
    int n;
    bool is_l2;
    uint64_t tick;
    Qcow2CacheEntry *e;
} Qcow2Cache;

typedef struct Qcow2Snapshot {
    uint64_t l1_offset;
    uint32_t l1_size;
    char *id, *name;
    uint32_t date_sec, date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t vm_state_size;
    uint64_t disk_size;
    uint32_t extra_size;
    uint8_t *extra;
} Qcow2Snapshot;

typedef struct Qcow2State {
    HostFile file;
    uint32_t version;
    uint32_t cluster_bits, cluster_size, l2_bits, l2_size;
    uint64_t incompat, compat, autoclear;
    uint32_t header_length;
    uint32_t refcount_order, refcount_bits, rb_bits;   /* rb_bits: log2 entries per block */
    uint64_t refcount_max;
    uint64_t l1_offset;
    uint32_t l1_size;
    uint64_t *l1;                  /* host order */
    bool l1_dirty;
    uint64_t rt_offset;
    uint32_t rt_clusters;
    uint64_t rt_size;              /* entries */
    uint64_t *rt;                  /* host order */
    uint64_t snapshots_offset;
    uint32_t nb_snapshots;
    Qcow2Snapshot *snapshots;
    uint32_t csize_shift;
    uint64_t csize_mask, coffset_mask;
    Qcow2Cache l2_cache, rc_cache;
    uint64_t file_size;            /* bytes; grows as we allocate */
    uint64_t next_alloc;           /* first cluster index to try when allocating */
    uint64_t compr_next;           /* byte where the next compressed cluster may go, 0: none */
    uint64_t *pending_free;        /* clusters to unreference once the new mapping is durable */
    size_t n_pending_free, cap_pending_free;
    uint8_t *cbuf;                 /* one decompressed cluster */
    uint64_t cbuf_entry;           /* the L2 entry cbuf holds, 0: none */
    bool writable;
} Qcow2State;

static inline uint64_t qcow2_cluster_index(const Qcow2State *s, uint64_t off) { return off >> s->cluster_bits; }

/* qcow2-cache.c */
void qcow2_cache_init(Qcow2Cache *c, int n, uint32_t cluster_size, bool is_l2);
void qcow2_cache_destroy(Qcow2Cache *c);
/* Table at off (read from the file unless fresh, then zeroed); NULL on I/O error. */
uint8_t *qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t off, bool fresh);
void qcow2_cache_mark_dirty(Qcow2Cache *c, const uint8_t *data);
int qcow2_cache_write_all(BlockDriverState *bs, Qcow2Cache *c);
void qcow2_cache_discard(Qcow2Cache *c, uint64_t off);

/* qcow2-refcount.c */
int qcow2_load_refcount_table(BlockDriverState *bs, Error **errp);
/* Refcount of a cluster index; -errno on error (reported on bs). */
int64_t qcow2_get_refcount(BlockDriverState *bs, uint64_t idx);
int qcow2_update_refcount(BlockDriverState *bs, uint64_t idx, int64_t delta);
int qcow2_set_refcount(BlockDriverState *bs, uint64_t idx, uint64_t val);
/* Allocate up to n contiguous clusters (refcount 1); returns the host offset, *got set. */
int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t n, uint64_t *got);
/* Allocate len bytes (<= cluster size) for compressed data, possibly sharing a cluster. */
int64_t qcow2_alloc_bytes(BlockDriverState *bs, uint32_t len);
void qcow2_defer_free(Qcow2State *s, uint64_t cluster_idx);
/* Unreference the deferred clusters (call only when the mapping that replaced them is on disk). */
int qcow2_apply_deferred_frees(BlockDriverState *bs);
int qcow2_check_image(BlockDriverState *bs, ImageCheck *res, int fix);
/* The sector range a compressed L2 entry covers: host start and length. */
void qcow2_compressed_range(const Qcow2State *s, uint64_t entry, uint64_t *off, uint64_t *len);

/* qcow2-snapshot.c */
int qcow2_snapshot_create(BlockDriverState *bs, const char *name, Error **errp);
int qcow2_snapshot_apply(BlockDriverState *bs, const char *name, Error **errp);
int qcow2_snapshot_delete(BlockDriverState *bs, const char *name, Error **errp);

/* qcow2.c */
int qcow2_writeback(BlockDriverState *bs);
int qcow2_read_l1_table(BlockDriverState *bs, uint64_t off, uint32_t size, uint64_t **out, Error **errp);
int qcow2_write_header_field64(BlockDriverState *bs, uint64_t hdr_off, uint64_t v);
int qcow2_make_empty(BlockDriverState *bs);

#endif
