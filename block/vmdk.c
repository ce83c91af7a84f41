/* vmdk.c: VMware disks: monolithicSparse, streamOptimized, monolithicFlat, twoGbMaxExtent*, vmfs. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"
#include "block/file.h"
#include "block/endian.h"
#include "block/compress.h"
#include <zlib.h>
#include <time.h>
#include <unistd.h>

/*
 * Layout from VMware's "Virtual Disk Format 1.1": a text descriptor lists extents; a sparse
 * extent starts with a 512-byte little-endian header, then a grain directory (GD) of sector
 * offsets of grain tables (GT), whose entries are sector offsets of grains.  streamOptimized
 * extents hold deflated grains behind 12-byte markers and may keep the GD in a footer.
 */
#define VMDK4_MAGIC 0x564d444bu          /* "KDMV" */
#define VMDK3_MAGIC 0x434f5744u          /* "COWD" (ESX vmfsSparse) */
#define VMDK4_FLAG_RGD         (1u << 1)
#define VMDK4_FLAG_ZERO_GRAIN  (1u << 2)
#define VMDK4_FLAG_COMPRESS    (1u << 16)
#define VMDK4_FLAG_MARKER      (1u << 17)
#define VMDK_GD_AT_END         0xffffffffffffffffULL
#define VMDK_GTE_ZEROED        1u
#define VMDK_MAX_EXTENTS       1024
#define VMDK_MAX_DESC          (1 * MiB)
#define VMDK_TWOGB_SECTORS     4194304ULL    /* qemu-img's twoGbMaxExtent split: 2 GiB */

enum { MARKER_EOS = 0, MARKER_GT = 1, MARKER_GD = 2, MARKER_FOOTER = 3 };
enum { EXT_FLAT, EXT_SPARSE, EXT_ZERO };

/* Header field offsets ("Hosted Sparse Extent Header"). */
enum {
    VH_MAGIC = 0, VH_VERSION = 4, VH_FLAGS = 8, VH_CAPACITY = 12, VH_GRAIN = 20, VH_DESC_OFF = 28,
    VH_DESC_SIZE = 36, VH_GTES = 44, VH_RGD = 48, VH_GD = 56, VH_OVERHEAD = 64, VH_UNCLEAN = 72,
    VH_NL = 73, VH_COMPRESS = 77,
};

typedef struct VmdkExtent {
    int type;
    HostFile file;
    bool has_file;
    uint64_t sectors;          /* length in the disk */
    uint64_t flat_offset;      /* bytes, FLAT */
    /* SPARSE */
    uint32_t flags;
    uint64_t grain_bytes;
    uint32_t gtes;
    uint64_t gd_off, rgd_off;  /* bytes */
    uint32_t gd_entries;
    uint32_t *gd, *rgd;        /* host order */
    uint32_t *gt;              /* the cached GT */
    int64_t gt_index;          /* GD index of the cached GT, -1: none */
    bool gt_dirty;
    bool compressed, markers;
    bool stream_empty;         /* a stream with no grains and no footer yet */
    uint64_t file_end;         /* bytes; new grains go here */
    uint8_t *grain;            /* one decompressed grain */
    uint64_t grain_cached;     /* GTE of the decompressed grain, 0: none */
    /* stream writer: every GT entry kept in memory, written at close */
    uint32_t *stream_gt;
    uint64_t stream_next;      /* first grain index still writable */
} VmdkExtent;

typedef struct VmdkState {
    int n;
    VmdkExtent *ext;
    uint32_t cid, parent_cid;
    char create_type[64];
    bool stream_writer;
    bool writable;
} VmdkState;

static int vmdk_probe(const uint8_t *buf, size_t len, const char *filename)
{
    if (len >= 4 && (ld_le32(buf) == VMDK4_MAGIC || ld_le32(buf) == VMDK3_MAGIC))
        return 100;
    if (len >= 21 && !memcmp(buf, "# Disk DescriptorFile", 21))
        return 100;
    /* Descriptors without the comment line still name a createType near the start. */
    if (memmem(buf, len, "createType=", 11) && memmem(buf, len, "version=", 8))
        return 50;
    return 0;
}

static void free_extent(VmdkExtent *e)
{
    free(e->gd);
    free(e->rgd);
    free(e->gt);
    free(e->grain);
    free(e->stream_gt);
    if (e->has_file)
        hostfile_close(&e->file);
}

/* ---- descriptor parsing ---- */

/* Value of key="value" or key=value in the descriptor, copied into out. */
static bool desc_get(const char *desc, const char *key, char *out, size_t outlen)
{
    size_t kl = strlen(key);
    for (const char *p = desc; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, key, kl))
            continue;
        const char *q = p + kl;
        while (*q == ' ')
            q++;
        if (*q != '=')
            continue;
        q++;
        while (*q == ' ')
            q++;
        bool quoted = *q == '"';
        if (quoted)
            q++;
        size_t n = strcspn(q, quoted ? "\"\r\n" : " \r\n");
        if (n >= outlen)
            return false;
        memcpy(out, q, n);
        out[n] = 0;
        return true;
    }
    return false;
}

static int open_sparse(BlockDriverState *bs, VmdkExtent *e, const char *path, bool rw, Error **errp);

static int add_extent_line(BlockDriverState *bs, const char *line, const char *desc_path, bool rw,
                           const char *self_path, Error **errp)
{
    VmdkState *s = bs->opaque;
    char access[16], type[16], fname[1024];
    unsigned long long sectors, offset = 0;
    int n = sscanf(line, "%15s %llu %15s \"%1023[^\"]\" %llu", access, &sectors, type, fname, &offset);
    if (n < 3 || (strcmp(access, "RW") && strcmp(access, "RDONLY") && strcmp(access, "NOACCESS")))
        return 0;   /* not an extent line */
    if (s->n >= VMDK_MAX_EXTENTS) {
        error_setg(errp, "more than %d extents", VMDK_MAX_EXTENTS);
        return -EINVAL;
    }
    if (sectors == 0 || sectors > (1ULL << 50)) {
        error_setg(errp, "extent '%s' has an invalid size of %llu sectors", n >= 4 ? fname : "?", sectors);
        return -EINVAL;
    }
    s->ext = xrealloc(s->ext, sizeof *s->ext * (s->n + 1));
    VmdkExtent *e = &s->ext[s->n];
    memset(e, 0, sizeof *e);
    e->gt_index = -1;
    e->sectors = sectors;
    if (!strcmp(type, "ZERO")) {
        e->type = EXT_ZERO;
        s->n++;
        return 0;
    }
    if (n < 4) {
        error_setg(errp, "extent line without a file name: %.60s", line);
        return -EINVAL;
    }
    /* A descriptor embedded in a sparse file describes that file, whatever name it gives
     * (images get renamed and copied): its SPARSE extent is the file itself. */
    bool self = self_path && (!strcmp(type, "SPARSE") || !strcmp(fname, self_path));
    char *path = self ? xstrdup(desc_path) : bdrv_resolve_backing(desc_path, fname);
    int r;
    if (!strcmp(type, "FLAT") || !strcmp(type, "VMFS") || !strcmp(type, "VMFSRAW") || !strcmp(type, "VMFSRDM")) {
        e->type = EXT_FLAT;
        if (offset > (1ULL << 50)) {
            error_setg(errp, "extent '%s' has an invalid offset", fname);
            free(path);
            return -EINVAL;
        }
        e->flat_offset = offset * 512;
        r = hostfile_open(&e->file, path, rw, bdrv_hostfile_mode(bs->flags));
        if (r < 0)
            error_setg(errp, "Could not open extent '%s': %s", path, hostfile_open_error(r));
        else
            e->has_file = true;
    } else if (!strcmp(type, "SPARSE") || !strcmp(type, "VMFSSPARSE")) {
        e->type = EXT_SPARSE;
        r = open_sparse(bs, e, path, rw, errp);
    } else {
        error_setg(errp, "unsupported extent type '%s'", type);
        r = -ENOTSUP;
    }
    free(path);
    if (r < 0) {
        free_extent(e);
        return r;
    }
    s->n++;
    return 0;
}

static int parse_descriptor(BlockDriverState *bs, const char *desc, const char *path, bool rw,
                            const char *self_path, Error **errp)
{
    VmdkState *s = bs->opaque;
    char v[1024];
    if (desc_get(desc, "CID", v, sizeof v))
        s->cid = strtoul(v, NULL, 16);
    s->parent_cid = 0xffffffffu;
    if (desc_get(desc, "parentCID", v, sizeof v))
        s->parent_cid = strtoul(v, NULL, 16);
    if (!desc_get(desc, "createType", s->create_type, sizeof s->create_type)) {
        error_setg(errp, "descriptor has no createType");
        return -EINVAL;
    }
    if (s->parent_cid != 0xffffffffu && desc_get(desc, "parentFileNameHint", v, sizeof v))
        bs->backing_file = xstrdup(v);
    for (const char *p = desc; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[1200];
        if (len < sizeof line) {
            memcpy(line, p, len);
            line[len] = 0;
            int r = add_extent_line(bs, line, path, rw, self_path, errp);
            if (r < 0)
                return r;
        }
        p = nl ? nl + 1 : NULL;
    }
    if (!s->n) {
        error_setg(errp, "descriptor lists no extents");
        return -EINVAL;
    }
    uint64_t total = 0;
    for (int i = 0; i < s->n; i++)
        total += s->ext[i].sectors;
    bs->total_size = total * 512;
    return 0;
}

/* ---- sparse extents ---- */

static int read_gd(VmdkExtent *e, uint64_t off, uint32_t **out, Error **errp)
{
    uint64_t bytes = (uint64_t)e->gd_entries * 4;
    uint32_t *gd = xmalloc(bytes + 4);
    if (hostfile_pread_strict(&e->file, off, gd, bytes) < 0) {
        free(gd);
        error_setg(errp, "%s: grain directory at %" PRIu64 " is beyond end of file", e->file.path, off);
        return -EINVAL;
    }
    for (uint32_t i = 0; i < e->gd_entries; i++)
        gd[i] = ld_le32(&gd[i]);
    *out = gd;
    return 0;
}

static int open_sparse(BlockDriverState *bs, VmdkExtent *e, const char *path, bool rw, Error **errp)
{
    uint8_t h[512];
    int r = hostfile_open(&e->file, path, rw, bdrv_hostfile_mode(bs->flags));
    if (r < 0) {
        error_setg(errp, "Could not open extent '%s': %s", path, hostfile_open_error(r));
        return r;
    }
    e->has_file = true;
    int64_t fsize = hostfile_size(&e->file);
    if (fsize < 0 || hostfile_pread_strict(&e->file, 0, h, 512) < 0) {
        error_setg(errp, "%s: too short for a sparse extent header", path);
        return -EINVAL;
    }
    if (ld_le32(h + VH_MAGIC) == VMDK3_MAGIC) {
        error_setg(errp, "%s: ESX vmfsSparse (COWD) extents are not supported yet", path);
        return -ENOTSUP;
    }
    if (ld_le32(h + VH_MAGIC) != VMDK4_MAGIC) {
        error_setg(errp, "%s: not a sparse extent (bad magic)", path);
        return -EINVAL;
    }
    uint32_t version = ld_le32(h + VH_VERSION);
    if (version < 1 || version > 3) {
        error_setg(errp, "%s: unsupported sparse extent version %u", path, version);
        return -ENOTSUP;
    }
    e->flags = ld_le32(h + VH_FLAGS);
    uint64_t gd_sect = ld_le64(h + VH_GD);
    e->compressed = (e->flags & VMDK4_FLAG_COMPRESS) && ld_le16(h + VH_COMPRESS) == 1;
    e->markers = e->flags & VMDK4_FLAG_MARKER;
    if ((e->flags & VMDK4_FLAG_COMPRESS) && ld_le16(h + VH_COMPRESS) > 1) {
        error_setg(errp, "%s: unknown compression algorithm %u", path, ld_le16(h + VH_COMPRESS));
        return -ENOTSUP;
    }
    if (gd_sect == VMDK_GD_AT_END) {
        /* streamOptimized: the real header is the footer, 1024 bytes before the end. */
        uint8_t m[512];
        uint8_t foot[512];
        if (fsize >= 1536 && hostfile_pread(&e->file, fsize - 1536, m, 512) == 0 &&
            ld_le32(m + 12) == MARKER_FOOTER &&
            hostfile_pread(&e->file, fsize - 1024, foot, 512) == 0 && ld_le32(foot) == VMDK4_MAGIC) {
            memcpy(h, foot, 512);
            gd_sect = ld_le64(h + VH_GD);
        } else if ((uint64_t)fsize <= ld_le64(h + VH_OVERHEAD) * 512) {
            /* A stream that has no grains yet (just created): everything unallocated. */
            e->stream_empty = true;
            gd_sect = 0;
        } else {
            error_setg(errp, "%s: grain directory is at the end, but there is no valid footer", path);
            return -EINVAL;
        }
        if (gd_sect == VMDK_GD_AT_END) {
            error_setg(errp, "%s: footer does not locate the grain directory", path);
            return -EINVAL;
        }
    }
    uint64_t capacity = ld_le64(h + VH_CAPACITY), grain = ld_le64(h + VH_GRAIN);
    e->gtes = ld_le32(h + VH_GTES);
    if (!grain || (grain & (grain - 1)) || grain > 65536) {
        error_setg(errp, "%s: invalid grain size of %" PRIu64 " sectors", path, grain);
        return -EINVAL;
    }
    if (e->gtes == 0 || e->gtes > 512) {
        error_setg(errp, "%s: invalid grain table size of %u entries", path, e->gtes);
        return -EINVAL;
    }
    if (capacity > (1ULL << 50)) {
        error_setg(errp, "%s: capacity of %" PRIu64 " sectors is too large", path, capacity);
        return -EINVAL;
    }
    if (!e->sectors)
        e->sectors = capacity;
    if (e->sectors > capacity) {
        error_setg(errp, "%s: descriptor size %" PRIu64 " exceeds the extent capacity %" PRIu64,
                   path, e->sectors, capacity);
        return -EINVAL;
    }
    e->grain_bytes = grain * 512;
    uint64_t per_gt = grain * e->gtes;
    uint64_t entries = (capacity + per_gt - 1) / per_gt;
    if (entries * 4 > (uint64_t)fsize) {
        error_setg(errp, "%s: grain directory of %" PRIu64 " entries cannot fit in the file", path, entries);
        return -EINVAL;
    }
    e->gd_entries = entries;
    if (gd_sect > (uint64_t)fsize / 512) {
        error_setg(errp, "%s: grain directory offset is beyond end of file", path);
        return -EINVAL;
    }
    e->gd_off = gd_sect * 512;
    if (e->stream_empty)
        e->gd = xzalloc((uint64_t)e->gd_entries * 4 + 4);
    else if (read_gd(e, e->gd_off, &e->gd, errp) < 0)
        return -EINVAL;
    uint64_t rgd = ld_le64(h + VH_RGD);
    if ((e->flags & VMDK4_FLAG_RGD) && rgd && rgd != VMDK_GD_AT_END && !e->compressed) {
        e->rgd_off = rgd * 512;
        if (read_gd(e, e->rgd_off, &e->rgd, errp) < 0)
            return -EINVAL;
    }
    e->gt = xmalloc((uint64_t)e->gtes * 4);
    e->grain = xmalloc(e->grain_bytes);
    e->gt_index = -1;
    e->file_end = ALIGN_UP((uint64_t)fsize, 512);
    if (rw && e->compressed && !e->stream_empty) {
        error_setg(errp, "%s: writing into an existing streamOptimized image is not supported", path);
        return -ENOTSUP;
    }
    return 0;
}

static int write_gt_back(BlockDriverState *bs, VmdkExtent *e);

static int load_gt(BlockDriverState *bs, VmdkExtent *e, uint32_t gdi)
{
    if (e->gt_index == gdi)
        return 0;
    if (e->gt_dirty) {
        int r = write_gt_back(bs, e);
        if (r < 0)
            return r;
    }
    uint64_t gt = (uint64_t)e->gd[gdi] * 512, bytes = (uint64_t)e->gtes * 4;
    if (gt > e->file_end || bytes > e->file_end - gt || hostfile_pread(&e->file, gt, e->gt, bytes) < 0) {
        bdrv_set_error(bs, "%s: grain directory entry %u points beyond end of file", e->file.path, gdi);
        e->gt_index = -1;
        return -EINVAL;
    }
    for (uint32_t i = 0; i < e->gtes; i++)
        e->gt[i] = ld_le32(&e->gt[i]);
    e->gt_index = gdi;
    return 0;
}

/* GTE of the grain holding extent offset off (bytes); 0 when unallocated. */
static int sparse_gte(BlockDriverState *bs, VmdkExtent *e, uint64_t off, uint32_t *gte)
{
    uint64_t gi = off / e->grain_bytes;
    uint32_t gdi = gi / e->gtes;
    *gte = 0;
    if (e->stream_gt) {
        *gte = e->stream_gt[gi];
        return 0;
    }
    if (gdi >= e->gd_entries) {
        bdrv_set_error(bs, "%s: offset %" PRIu64 " is beyond the grain directory", e->file.path, off);
        return -EINVAL;
    }
    if (!e->gd[gdi])
        return 0;
    int r = load_gt(bs, e, gdi);
    if (r < 0)
        return r;
    *gte = e->gt[gi % e->gtes];
    return 0;
}

static int read_compressed_grain(BlockDriverState *bs, VmdkExtent *e, uint32_t gte, uint64_t gi)
{
    if (e->grain_cached == gte)
        return 0;
    uint64_t off = (uint64_t)gte * 512, clen;
    uint64_t fsize = e->file_end;
    size_t hdr = 0;
    if (e->markers) {
        uint8_t m[12];
        if (off + 12 > e->file_end || hostfile_pread(&e->file, off, m, 12) < 0) {
            bdrv_set_error(bs, "%s: grain table entry %" PRIu64 " points beyond end of file", e->file.path, gi);
            return -EINVAL;
        }
        clen = ld_le32(m + 8);
        hdr = 12;
    } else {
        clen = 2 * e->grain_bytes;
    }
    if (off >= fsize || clen > 2 * e->grain_bytes + 1024 || (e->markers && clen > fsize - off - hdr)) {
        bdrv_set_error(bs, "%s: compressed grain %" PRIu64 " is beyond end of file or too large", e->file.path, gi);
        return -EINVAL;
    }
    clen = MIN(clen, fsize - off - hdr);
    uint8_t *in = xmalloc(clen + 1);
    int r = hostfile_pread(&e->file, off + hdr, in, clen);
    if (r == 0) {
        uLongf outlen = e->grain_bytes;
        int zr = uncompress(e->grain, &outlen, in, clen);
        /* The last grain of an extent may hold only the part inside the extent. */
        uint64_t want = MIN(e->grain_bytes, e->sectors * 512 - gi * e->grain_bytes);
        if (zr == Z_OK && outlen >= want && outlen < e->grain_bytes)
            memset(e->grain + outlen, 0, e->grain_bytes - outlen);
        else if (zr != Z_OK || outlen != e->grain_bytes) {
            bdrv_set_error(bs, "%s: compressed grain %" PRIu64 " is corrupt", e->file.path, gi);
            r = -EINVAL;
        }
    }
    free(in);
    e->grain_cached = r == 0 ? gte : 0;
    return r;
}

/* Find the extent holding disk offset off: index, offset within it, bytes left in it. */
static VmdkExtent *find_extent(VmdkState *s, uint64_t off, uint64_t *eoff, uint64_t *left)
{
    for (int i = 0; i < s->n; i++) {
        uint64_t len = s->ext[i].sectors * 512;
        if (off < len) {
            *eoff = off;
            *left = len - off;
            return &s->ext[i];
        }
        off -= len;
    }
    return NULL;
}

enum { G_UNALLOC, G_ZERO, G_DATA, G_COMPRESSED };

/* Classify the run at disk offset off (at most len bytes, within one grain for sparse). */
static int vmdk_map(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                    VmdkExtent **pe, uint64_t *host, uint32_t *pgte)
{
    VmdkState *s = bs->opaque;
    uint64_t eoff, left;
    VmdkExtent *e = find_extent(s, off, &eoff, &left);
    if (!e) {
        bdrv_set_error(bs, "offset %" PRIu64 " is beyond the last extent", off);
        return -EINVAL;
    }
    *pe = e;
    *pnum = MIN(len, left);
    if (e->type == EXT_ZERO)
        return G_ZERO;
    if (e->type == EXT_FLAT) {
        *host = e->flat_offset + eoff;
        return G_DATA;
    }
    uint64_t in = eoff % e->grain_bytes;
    *pnum = MIN(*pnum, e->grain_bytes - in);
    uint32_t gte;
    int r = sparse_gte(bs, e, eoff, &gte);
    if (r < 0)
        return r;
    *pgte = gte;
    if (gte == 0)
        return G_UNALLOC;
    if (gte == VMDK_GTE_ZEROED && (e->flags & VMDK4_FLAG_ZERO_GRAIN))
        return G_ZERO;
    if (e->compressed)
        return G_COMPRESSED;
    uint64_t g = (uint64_t)gte * 512;
    if (g >= e->file_end || e->file_end - g < MIN(e->grain_bytes, e->sectors * 512 - (eoff - in))) {
        bdrv_set_error(bs, "%s: grain table entry %" PRIu64 " points beyond end of file", e->file.path,
                       eoff / e->grain_bytes);
        return -EINVAL;
    }
    *host = g + in;
    return G_DATA;
}

/* Whole compressed grains at the start of a read: read them all, inflate them on several
 * threads straight into the caller's buffer. Returns the bytes done (0: not this case). */
static int64_t read_grains_parallel(BlockDriverState *bs, uint64_t off, uint8_t *p, size_t len)
{
    VmdkState *s = bs->opaque;
    uint64_t eoff, left;
    VmdkExtent *e = find_extent(s, off, &eoff, &left);
    if (!e || e->type != EXT_SPARSE || !e->compressed || !e->markers || e->stream_gt ||
        eoff % e->grain_bytes)
        return 0;
    size_t max = MIN(len, left) / e->grain_bytes, n = 0;
    if (max < 2)
        return 0;
    InflateItem *items = xzalloc(sizeof *items * max);
    int r = 0;
    for (; n < max; n++) {
        uint64_t gi = eoff / e->grain_bytes + n;
        uint32_t gte;
        r = sparse_gte(bs, e, gi * e->grain_bytes, &gte);
        if (r < 0 || gte <= VMDK_GTE_ZEROED)
            break;   /* unallocated or zero grains take the ordinary path */
        uint8_t m[12];
        uint64_t g = (uint64_t)gte * 512;
        if (g + 12 > e->file_end || hostfile_pread(&e->file, g, m, 12) < 0)
            break;
        uint64_t clen = ld_le32(m + 8);
        if (clen > 2 * e->grain_bytes + 1024 || clen > e->file_end - g - 12)
            break;   /* the ordinary path reports it */
        uint8_t *in = xmalloc(clen + 1);
        if (hostfile_pread(&e->file, g + 12, in, clen) < 0) {
            free(in);
            break;
        }
        items[n] = (InflateItem){ .in = in, .in_len = clen, .out = p + n * e->grain_bytes,
                                  .out_len = e->grain_bytes };
    }
    if (n >= 2)
        inflate_chunks(items, n, 15);
    size_t good = 0;
    for (size_t i = 0; i < n; i++) {
        if (n >= 2 && items[i].produced == (long)e->grain_bytes && good == i)
            good++;
        free((void *)items[i].in);
    }
    free(items);
    if (r < 0)
        return r;
    return (int64_t)(good * e->grain_bytes);   /* a bad grain is redone, and reported, singly */
}

static int vmdk_pread(BlockDriverState *bs, uint64_t off, void *buf, size_t len)
{
    uint8_t *p = buf;
    int64_t done = read_grains_parallel(bs, off, p, len);
    if (done < 0)
        return (int)done;
    p += done, off += done, len -= done;
    while (len) {
        uint64_t n, host = 0;
        uint32_t gte = 0;
        VmdkExtent *e;
        int t = vmdk_map(bs, off, len, &n, &e, &host, &gte);
        int r = 0;
        switch (t) {
        case G_UNALLOC: r = bdrv_read_backing(bs, off, p, n); break;
        case G_ZERO: memset(p, 0, n); break;
        case G_DATA: r = hostfile_pread(&e->file, host, p, n); break;
        case G_COMPRESSED: {
            uint64_t eoff = 0, left;
            find_extent(bs->opaque, off, &eoff, &left);
            r = read_compressed_grain(bs, e, gte, eoff / e->grain_bytes);
            if (r == 0)
                memcpy(p, e->grain + eoff % e->grain_bytes, n);
            break;
        }
        default: r = t;
        }
        if (r < 0)
            return r;
        p += n, off += n, len -= n;
    }
    return 0;
}

static int vmdk_block_status(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                             uint64_t *map)
{
    uint64_t host = 0;
    uint32_t gte;
    VmdkExtent *e;
    int t = vmdk_map(bs, off, len, pnum, &e, &host, &gte);
    switch (t) {
    case G_UNALLOC: return 0;
    case G_ZERO: return BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
    case G_DATA: *map = host; return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID;
    case G_COMPRESSED: return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_COMPRESSED;
    default: return t;
    }
}

/* ---- writing ---- */

static int write_gt_back(BlockDriverState *bs, VmdkExtent *e)
{
    if (!e->gt_dirty)
        return 0;
    uint64_t bytes = (uint64_t)e->gtes * 4;
    uint32_t *le = xmalloc(bytes);
    for (uint32_t i = 0; i < e->gtes; i++)
        st_le32(&le[i], e->gt[i]);
    /* Grains first, then the tables that point at them. */
    int r = hostfile_sync(&e->file);
    if (r == 0)
        r = hostfile_pwrite(&e->file, (uint64_t)e->gd[e->gt_index] * 512, le, bytes);
    if (r == 0 && e->rgd && e->rgd[e->gt_index])
        r = hostfile_pwrite(&e->file, (uint64_t)e->rgd[e->gt_index] * 512, le, bytes);
    free(le);
    if (r < 0)
        bdrv_set_error(bs, "%s: could not write a grain table: %s", e->file.path, strerror(-r));
    else
        e->gt_dirty = false;
    return r;
}

/* Set the GTE of grain gi (GD entries are preallocated at create, as qemu-img does). */
static int set_gte(BlockDriverState *bs, VmdkExtent *e, uint64_t gi, uint32_t val)
{
    uint32_t gdi = gi / e->gtes;
    if (!e->gd[gdi]) {
        bdrv_set_error(bs, "%s: grain table %u is not allocated (images without preallocated grain "
                       "tables are read-only here)", e->file.path, gdi);
        return -ENOTSUP;
    }
    int r = load_gt(bs, e, gdi);
    if (r < 0)
        return r;
    e->gt[gi % e->gtes] = val;
    e->gt_dirty = true;
    return 0;
}

/* Append one grain to a stream-optimized extent: marker, deflated data (zlib format),
 * sector padding. pre: the grain already compressed, or NULL. */
static int stream_write_grain(BlockDriverState *bs, VmdkExtent *e, uint64_t gi, const uint8_t *data,
                              const CompressedChunk *pre)
{
    size_t cap = compressBound(e->grain_bytes) + 64, clen;
    uint8_t *out = xzalloc(12 + cap + 512);
    if (pre && pre->data) {
        clen = pre->len;
        memcpy(out + 12, pre->data, clen);
    } else {
        clen = compress_one(data, e->grain_bytes, 15, out + 12, cap);
    }
    if (!clen) {
        free(out);
        return -EIO;
    }
    st_le64(out, gi * (e->grain_bytes / 512));
    st_le32(out + 8, clen);
    uint64_t total = ALIGN_UP(12 + clen, 512);
    memset(out + 12 + clen, 0, total - 12 - clen);
    int r = hostfile_pwrite(&e->file, e->file_end, out, total);
    free(out);
    if (r < 0)
        return r;
    e->stream_gt[gi] = e->file_end / 512;
    e->file_end += total;
    return 0;
}

static int vmdk_pwrite(BlockDriverState *bs, uint64_t off, const void *buf, size_t len, int flags)
{
    VmdkState *s = bs->opaque;
    const uint8_t *p = buf;
    uint8_t *bounce = NULL;
    int r = 0;
    /* A stream's whole grains are compressed all at once, on several threads. */
    CompressedChunk *pre = NULL;
    uint64_t pre_first = 0, pre_n = 0;
    if (s->n == 1 && s->ext[0].stream_gt && off % s->ext[0].grain_bytes == 0 &&
        len >= 2 * s->ext[0].grain_bytes) {
        VmdkExtent *e = &s->ext[0];
        pre_first = off / e->grain_bytes;
        pre_n = len / e->grain_bytes;
        pre = xzalloc(sizeof *pre * pre_n);
        compress_chunks(p, pre_n, e->grain_bytes, 15, compressBound(e->grain_bytes) + 64, pre);
    }
    while (len && r == 0) {
        uint64_t eoff, left;
        VmdkExtent *e = find_extent(s, off, &eoff, &left);
        if (!e)
            return -EINVAL;
        uint64_t n = MIN(len, left);
        if (e->type == EXT_ZERO) {
            bdrv_set_error(bs, "cannot write into a ZERO extent");
            r = -EINVAL;
            break;
        }
        if (e->type == EXT_FLAT) {
            r = hostfile_pwrite(&e->file, e->flat_offset + eoff, p, n);
            p += n, off += n, len -= n;
            continue;
        }
        uint64_t in = eoff % e->grain_bytes, gi = eoff / e->grain_bytes;
        uint64_t ext_bytes = e->sectors * 512;
        uint64_t gstart = eoff - in, glen = MIN(e->grain_bytes, ext_bytes - gstart);
        n = MIN(n, glen - in);
        if (e->stream_gt) {
            /* A stream is written front to back in whole grains (the last one may be short). */
            if (gi < e->stream_next || in != 0 || n != glen) {
                bdrv_set_error(bs, "streamOptimized images can only be written sequentially in whole grains");
                r = -ENOTSUP;
                break;
            }
            if (pre && gi - pre_first < pre_n && n == e->grain_bytes) {
                r = stream_write_grain(bs, e, gi, p, &pre[gi - pre_first]);
            } else {
                if (!bounce)
                    bounce = xzalloc(e->grain_bytes);
                memset(bounce, 0, e->grain_bytes);
                memcpy(bounce, p, n);
                r = stream_write_grain(bs, e, gi, bounce, NULL);
            }
            e->stream_next = gi + 1;
            p += n, off += n, len -= n;
            continue;
        }
        if (e->compressed) {
            bdrv_set_error(bs, "writing into an existing compressed extent is not supported");
            r = -ENOTSUP;
            break;
        }
        uint32_t gte;
        r = sparse_gte(bs, e, eoff, &gte);
        if (r < 0)
            break;
        bool zeroed = gte == VMDK_GTE_ZEROED && (e->flags & VMDK4_FLAG_ZERO_GRAIN);
        if (gte && !zeroed) {
            uint64_t g = (uint64_t)gte * 512;
            if (g >= e->file_end) {
                bdrv_set_error(bs, "%s: grain table entry %" PRIu64 " points beyond end of file", e->file.path, gi);
                r = -EINVAL;
                break;
            }
            r = hostfile_pwrite(&e->file, g + in, p, n);
        } else {
            /* New grain at the end of the file: old content (parent or zeros) merged in. */
            if (!bounce)
                bounce = xzalloc(e->grain_bytes);
            memset(bounce, 0, e->grain_bytes);
            if (n != glen && !zeroed)
                r = bdrv_read_backing(bs, off - in, bounce, glen);
            if (r < 0)
                break;
            memcpy(bounce + in, p, n);
            uint64_t g = e->file_end;
            if (g / 512 > UINT32_MAX - e->grain_bytes / 512) {
                bdrv_set_error(bs, "%s: extent file would exceed 2 TiB", e->file.path);
                r = -EFBIG;
                break;
            }
            r = hostfile_pwrite(&e->file, g, bounce, e->grain_bytes);
            if (r == 0) {
                e->file_end += e->grain_bytes;
                r = set_gte(bs, e, gi, g / 512);
            }
        }
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

/* Write the GTs, GD, footer and end-of-stream marker of a stream being created. */
static int stream_finish(BlockDriverState *bs, VmdkExtent *e)
{
    uint64_t ngrains = (e->sectors * 512 + e->grain_bytes - 1) / e->grain_bytes;
    uint64_t gt_bytes = (uint64_t)e->gtes * 4, gt_sect = ALIGN_UP(gt_bytes, 512) / 512;
    uint8_t *blk = xzalloc(ALIGN_UP(MAX(gt_bytes, (uint64_t)e->gd_entries * 4), 512) + 512);
    uint32_t *gd = xzalloc((uint64_t)e->gd_entries * 4 + 4);
    int r = 0;
    for (uint32_t t = 0; t < e->gd_entries && r == 0; t++) {
        bool any = false;
        for (uint32_t i = 0; i < e->gtes && (uint64_t)t * e->gtes + i < ngrains; i++)
            any |= e->stream_gt[(uint64_t)t * e->gtes + i] != 0;
        if (!any)
            continue;   /* a GD entry of 0: the whole table is unallocated */
        memset(blk, 0, 512);
        st_le64(blk, gt_sect);
        st_le32(blk + 12, MARKER_GT);
        r = hostfile_pwrite(&e->file, e->file_end, blk, 512);
        e->file_end += 512;
        memset(blk, 0, gt_sect * 512);
        for (uint32_t i = 0; i < e->gtes && (uint64_t)t * e->gtes + i < ngrains; i++)
            st_le32(blk + 4 * i, e->stream_gt[(uint64_t)t * e->gtes + i]);
        gd[t] = e->file_end / 512;
        if (r == 0)
            r = hostfile_pwrite(&e->file, e->file_end, blk, gt_sect * 512);
        e->file_end += gt_sect * 512;
    }
    uint64_t gd_sect = ALIGN_UP((uint64_t)e->gd_entries * 4, 512) / 512;
    memset(blk, 0, 512);
    st_le64(blk, gd_sect);
    st_le32(blk + 12, MARKER_GD);
    if (r == 0)
        r = hostfile_pwrite(&e->file, e->file_end, blk, 512);
    e->file_end += 512;
    uint64_t gd_at = e->file_end;
    memset(blk, 0, gd_sect * 512);
    for (uint32_t t = 0; t < e->gd_entries; t++)
        st_le32(blk + 4 * t, gd[t]);
    if (r == 0)
        r = hostfile_pwrite(&e->file, gd_at, blk, gd_sect * 512);
    e->file_end += gd_sect * 512;
    /* Footer: a marker, then the header again with the real GD offset, then end of stream. */
    uint8_t foot[1536] = { 0 };
    st_le64(foot, 1);
    st_le32(foot + 12, MARKER_FOOTER);
    if (r == 0)
        r = hostfile_pread(&e->file, 0, foot + 512, 512);
    st_le64(foot + 512 + VH_GD, gd_at / 512);
    if (r == 0)
        r = hostfile_pwrite(&e->file, e->file_end, foot, sizeof foot);
    e->file_end += sizeof foot;
    if (r == 0)
        r = hostfile_sync(&e->file);
    free(blk);
    free(gd);
    return r;
}

static int vmdk_flush(BlockDriverState *bs)
{
    VmdkState *s = bs->opaque;
    int r = 0;
    for (int i = 0; i < s->n && r == 0; i++) {
        VmdkExtent *e = &s->ext[i];
        if (!e->has_file || !s->writable)
            continue;
        if (e->type == EXT_SPARSE && !e->stream_gt)
            r = write_gt_back(bs, e);
        if (r == 0)
            r = hostfile_sync(&e->file);
    }
    return r;
}

static void vmdk_close(BlockDriverState *bs)
{
    VmdkState *s = bs->opaque;
    if (s->writable) {
        int r = vmdk_flush(bs);
        for (int i = 0; i < s->n && r == 0; i++)
            if (s->ext[i].stream_gt)
                r = stream_finish(bs, &s->ext[i]);
        if (r < 0)
            error_report("%s: %s", bs->filename, bdrv_last_error(bs)[0] ? bdrv_last_error(bs) : strerror(-r));
    }
    for (int i = 0; i < s->n; i++)
        free_extent(&s->ext[i]);
    free(s->ext);
}

static int vmdk_open(BlockDriverState *bs, int flags, Error **errp)
{
    VmdkState *s = bs->opaque;
    bool rw = flags & BDRV_O_RDWR;
    HostFile f;
    int r = hostfile_open(&f, bs->filename, false, false);
    if (r < 0) {
        error_setg(errp, "Could not open '%s': %s", bs->filename, hostfile_open_error(r));
        return r;
    }
    s->writable = rw;
    uint8_t h[512] = { 0 };
    int64_t fsize = hostfile_size(&f);
    hostfile_pread(&f, 0, h, 512);
    char *desc = NULL;
    const char *self = NULL;
    r = -EINVAL;
    if (ld_le32(h) == VMDK4_MAGIC) {
        uint64_t doff = ld_le64(h + VH_DESC_OFF) * 512, dsize = ld_le64(h + VH_DESC_SIZE) * 512;
        bool has_desc = doff && dsize && dsize <= VMDK_MAX_DESC && doff < (uint64_t)fsize;
        if (has_desc) {
            desc = xzalloc(dsize + 1);
            hostfile_pread(&f, doff, desc, dsize);
            has_desc = strstr(desc, "createType") != NULL;
        }
        if (has_desc) {
            /* Monolithic: the descriptor's one SPARSE extent is this file. */
            const char *slash = strrchr(bs->filename, '/');
            self = slash ? slash + 1 : bs->filename;
            r = parse_descriptor(bs, desc, bs->filename, rw, self, errp);
        } else {
            /* A bare sparse extent: one extent, sized by its header. */
            strcpy(s->create_type, "monolithicSparse");
            s->parent_cid = 0xffffffffu;
            s->ext = xzalloc(sizeof *s->ext);
            s->ext[0].type = EXT_SPARSE;
            s->ext[0].gt_index = -1;
            r = open_sparse(bs, &s->ext[0], bs->filename, rw, errp);
            if (r == 0) {
                s->n = 1;
                bs->total_size = s->ext[0].sectors * 512;
            } else {
                free_extent(&s->ext[0]);
            }
        }
    } else if (ld_le32(h) == VMDK3_MAGIC) {
        error_setg(errp, "ESX vmfsSparse (COWD) images are not supported yet");
        r = -ENOTSUP;
    } else {
        if (fsize < 0 || fsize > (int64_t)VMDK_MAX_DESC) {
            error_setg(errp, "descriptor file is larger than %llu bytes", VMDK_MAX_DESC / 1);
        } else {
            desc = xzalloc(fsize + 1);
            hostfile_pread(&f, 0, desc, fsize);
            /* qemu-img pads descriptor files with NULs to a sector: the text ends at the first. */
            r = parse_descriptor(bs, desc, bs->filename, rw, NULL, errp);
        }
    }
    free(desc);
    hostfile_close(&f);
    if (r < 0) {
        for (int i = 0; i < s->n; i++)
            free_extent(&s->ext[i]);
        free(s->ext);
        s->ext = NULL;
        s->n = 0;
        if (errp && !*errp)
            error_setg(errp, "invalid VMDK image");
        return r;
    }
    return 0;
}

static int vmdk_pwrite_zeroes(BlockDriverState *bs, uint64_t off, uint64_t len)
{
    VmdkState *s = bs->opaque;
    if (s->n && s->ext[0].stream_gt && !bs->backing)
        return 0;   /* grains never written read as zero; skipping them keeps the stream ordered */
    size_t chunk = MIN(len, 1 * MiB);
    uint8_t *z = xzalloc(chunk);
    int r = 0;
    while (len && r == 0) {
        size_t n = MIN(len, chunk);
        r = vmdk_pwrite(bs, off, z, n, 0);
        off += n;
        len -= n;
    }
    free(z);
    return r;
}

static void vmdk_get_info(BlockDriverState *bs, ImageInfo *ii)
{
    VmdkState *s = bs->opaque;
    for (int i = 0; i < s->n; i++)
        if (s->ext[i].type == EXT_SPARSE) {
            ii->cluster_size = s->ext[i].grain_bytes;
            break;
        }
    info_add_int(ii, "cid", "cid", s->cid);
    info_add_int(ii, "parent cid", "parent-cid", s->parent_cid);
    info_add_str(ii, "create type", "create-type", s->create_type);
}

static int64_t vmdk_allocated_size(BlockDriverState *bs)
{
    VmdkState *s = bs->opaque;
    int64_t total = 0;
    HostFile f;
    if (hostfile_open(&f, bs->filename, false, false) == 0) {
        total += hostfile_allocated(&f);
        hostfile_close(&f);
    }
    for (int i = 0; i < s->n; i++)
        if (s->ext[i].has_file && strcmp(s->ext[i].file.path, bs->filename))
            total += hostfile_allocated(&s->ext[i].file);
    return total;
}

/* check: every grain table and grain must lie inside its extent file (qemu-img's vmdk check). */
static int vmdk_check(BlockDriverState *bs, ImageCheck *res, int fix)
{
    VmdkState *s = bs->opaque;
    for (int i = 0; i < s->n; i++) {
        VmdkExtent *e = &s->ext[i];
        if (e->type != EXT_SPARSE || e->stream_gt)
            continue;
        uint64_t ngrains = (e->sectors * 512 + e->grain_bytes - 1) / e->grain_bytes;
        for (uint32_t g = 0; g < e->gd_entries; g++) {
            if (!e->gd[g])
                continue;
            if ((uint64_t)e->gd[g] * 512 + (uint64_t)e->gtes * 4 > e->file_end) {
                fprintf(stderr, "ERROR: %s: grain directory entry %u points beyond end of file\n", e->file.path, g);
                res->corruptions++;
                continue;
            }
            if (load_gt(bs, e, g) < 0) {
                res->check_errors++;
                continue;
            }
            for (uint32_t j = 0; j < e->gtes && (uint64_t)g * e->gtes + j < ngrains; j++) {
                uint32_t gte = e->gt[j];
                if (!gte || (gte == VMDK_GTE_ZEROED && (e->flags & VMDK4_FLAG_ZERO_GRAIN)))
                    continue;
                res->allocated_clusters++;
                if (e->compressed)
                    res->compressed_clusters++;
                uint64_t need = e->compressed ? 512 : e->grain_bytes;
                if ((uint64_t)gte * 512 + need > ALIGN_UP(e->file_end, 512)) {
                    fprintf(stderr, "ERROR: %s: grain table entry %" PRIu64 " points beyond end of file\n",
                            e->file.path, (uint64_t)g * e->gtes + j);
                    res->corruptions++;
                }
            }
        }
        res->total_clusters += ngrains;
    }
    return 0;
}

/* ---- create ---- */

static char *make_descriptor(const char *type, uint32_t cid, uint32_t parent_cid, const char *parent,
                             const char *extents, uint64_t sectors, const char *adapter, int hw)
{
    uint64_t cyl = MIN(sectors / (16 * 63), 16383);
    char *parent_line = parent ? xasprintf("parentFileNameHint=\"%s\"\n", parent) : xstrdup("");
    char *d = xasprintf("# Disk DescriptorFile\nversion=1\nCID=%08x\nparentCID=%08x\ncreateType=\"%s\"\n%s\n"
                        "# Extent description\n%s\n# The Disk Data Base\n#DDB\n\n"
                        "ddb.virtualHWVersion = \"%d\"\nddb.geometry.cylinders = \"%" PRIu64 "\"\n"
                        "ddb.geometry.heads = \"16\"\nddb.geometry.sectors = \"63\"\nddb.adapterType = \"%s\"\n",
                        cid, parent_cid, type, parent_line, extents, hw, cyl, adapter);
    free(parent_line);
    return d;
}

/* Write a sparse extent of `sectors` with preallocated (redundant) grain tables, qemu-img's
 * layout: header, embedded descriptor space, RGD+GTs, GD+GTs, grains from `overhead`. */
static int create_sparse(const char *path, uint64_t sectors, bool stream, bool zeroed_grain,
                         const char *desc, Error **errp)
{
    const uint64_t grain = 128, gtes = 512;
    uint64_t gd_entries = (sectors + grain * gtes - 1) / (grain * gtes);
    uint64_t gd_sect = ALIGN_UP(gd_entries * 4, 512) / 512, gt_sect = gtes * 4 / 512;
    uint64_t desc_sect = 20;
    uint64_t rgd = 1 + desc_sect, gd = rgd + gd_sect + gd_entries * gt_sect;
    uint64_t overhead = ALIGN_UP(gd + gd_sect + gd_entries * gt_sect, grain);
    uint8_t h[512] = { 0 };
    st_le32(h + VH_MAGIC, VMDK4_MAGIC);
    st_le32(h + VH_VERSION, stream ? 3 : (zeroed_grain ? 2 : 1));
    st_le32(h + VH_FLAGS, 1 | VMDK4_FLAG_RGD | (zeroed_grain ? VMDK4_FLAG_ZERO_GRAIN : 0) |
                          (stream ? VMDK4_FLAG_COMPRESS | VMDK4_FLAG_MARKER : 0));
    st_le64(h + VH_CAPACITY, sectors);
    st_le64(h + VH_GRAIN, grain);
    st_le64(h + VH_DESC_OFF, desc ? 1 : 0);
    st_le64(h + VH_DESC_SIZE, desc ? desc_sect : 0);
    st_le32(h + VH_GTES, gtes);
    st_le64(h + VH_RGD, stream ? 0 : rgd);
    st_le64(h + VH_GD, stream ? VMDK_GD_AT_END : gd);
    st_le64(h + VH_OVERHEAD, stream ? 128 : overhead);
    h[VH_NL] = '\n';
    h[VH_NL + 1] = ' ';
    h[VH_NL + 2] = '\r';
    h[VH_NL + 3] = '\n';
    st_le16(h + VH_COMPRESS, stream ? 1 : 0);
    if (desc && strlen(desc) > desc_sect * 512) {
        error_setg(errp, "descriptor too long");
        return -EINVAL;
    }
    HostFilePiece pieces[4] = { { 0, h, 512 } };
    int n = 1;
    if (desc)
        pieces[n++] = (HostFilePiece){ 512, desc, strlen(desc) };
    uint8_t *tab = NULL;
    if (!stream) {
        /* The redundant and the primary grain directory, each followed by its tables. */
        tab = xzalloc(2 * gd_sect * 512);
        for (int copy = 0; copy < 2; copy++) {
            uint64_t base = copy ? gd : rgd;
            uint8_t *t = tab + copy * gd_sect * 512;
            for (uint64_t i = 0; i < gd_entries; i++)
                st_le32(t + 4 * i, base + gd_sect + i * gt_sect);
            pieces[n++] = (HostFilePiece){ base * 512, t, gd_sect * 512 };
        }
    }
    int r = hostfile_write_new(path, pieces, n, (stream ? 128 : overhead) * 512, errp);
    free(tab);
    return r;
}


static int vmdk_create(const BlockCreateArgs *a, Error **errp)
{
    const char *sub = img_opts_get(a->opts, "subformat");
    const char *adapter = img_opts_get(a->opts, "adapter_type");
    const char *hwv = img_opts_get(a->opts, "hwversion");
    bool compat6, zeroed;
    if (!img_opts_get_bool(a->opts, "compat6", false, &compat6, errp) ||
        !img_opts_get_bool(a->opts, "zeroed_grain", false, &zeroed, errp))
        return -EINVAL;
    const char *bf = a->backing_file ? a->backing_file : img_opts_get(a->opts, "backing_file");
    if (!sub)
        sub = "monolithicSparse";
    if (!adapter)
        adapter = "ide";
    if (strcmp(adapter, "ide") && strcmp(adapter, "lsilogic") && strcmp(adapter, "buslogic") &&
        strcmp(adapter, "legacyESX")) {
        error_setg(errp, "Unknown adapter type: '%s'", adapter);
        return -EINVAL;
    }
    int hw = compat6 ? 6 : 4;
    if (hwv) {
        hw = atoi(hwv);
        if (hw < 4 || hw > 21) {
            error_setg(errp, "Invalid hwversion '%s'", hwv);
            return -EINVAL;
        }
    }
    bool split = !strcmp(sub, "twoGbMaxExtentSparse") || !strcmp(sub, "twoGbMaxExtentFlat");
    bool flat = !strcmp(sub, "monolithicFlat") || !strcmp(sub, "twoGbMaxExtentFlat");
    bool stream = !strcmp(sub, "streamOptimized");
    if (!split && !flat && !stream && strcmp(sub, "monolithicSparse")) {
        error_setg(errp, "Unknown subformat: '%s'", sub);
        return -EINVAL;
    }
    if (bf && (flat || stream)) {
        error_setg(errp, "a backing file needs a sparse subformat (not %s)", sub);
        return -EINVAL;
    }
    uint64_t sectors = ALIGN_UP(a->size, 512) / 512;
    uint32_t cid = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ (uint32_t)(uintptr_t)a;
    uint32_t parent_cid = 0xffffffffu;
    if (bf) {
        char *path = bdrv_resolve_backing(a->filename, bf);
        BlockDriverState *p = bdrv_open(path, NULL, BDRV_O_NO_BACKING, errp);
        free(path);
        if (!p) {
            error_prepend(errp, "Could not open backing file: ");
            return -EINVAL;
        }
        if (strcmp(p->drv->format_name, "vmdk")) {
            error_setg(errp, "the backing file of a vmdk image must be vmdk (it is %s)", p->drv->format_name);
            bdrv_close(p);
            return -EINVAL;
        }
        parent_cid = ((VmdkState *)p->opaque)->cid;
        bdrv_close(p);
    }
    const char *slash = strrchr(a->filename, '/');
    const char *base = slash ? slash + 1 : a->filename;
    size_t stem = strlen(base);
    if (stem > 5 && !strcmp(base + stem - 5, ".vmdk"))
        stem -= 5;
    char *extents = xstrdup("");
    int r = 0;
    if (!split && !flat) {
        char *line = xasprintf("RW %" PRIu64 " SPARSE \"%s\"\n", sectors, base);
        char *desc = make_descriptor(sub, cid, parent_cid, bf, line, sectors, adapter, hw);
        r = create_sparse(a->filename, sectors, stream, zeroed, desc, errp);
        free(line);
        free(desc);
        free(extents);
        return r;
    }
    /* A descriptor file plus extents named after it. */
    uint64_t per = split ? VMDK_TWOGB_SECTORS : sectors;
    int idx = 1;
    for (uint64_t done = 0; done < sectors || (sectors == 0 && idx == 1); idx++) {
        uint64_t n = MIN(per, sectors - done);
        char *name = split ? xasprintf("%.*s-%c%03d.vmdk", (int)stem, base, flat ? 'f' : 's', idx)
                           : xasprintf("%.*s-flat.vmdk", (int)stem, base);
        char *path = bdrv_resolve_backing(a->filename, name);
        r = flat ? hostfile_write_new(path, NULL, 0, n * 512, errp) : create_sparse(path, n, false, zeroed, NULL, errp);
        char *line = xasprintf("%sRW %" PRIu64 " %s \"%s\"%s\n", extents, n, flat ? "FLAT" : "SPARSE",
                               name, flat ? " 0" : "");
        free(extents);
        extents = line;
        free(name);
        free(path);
        if (r < 0)
            break;
        done += n;
        if (!n)
            break;
    }
    if (r == 0) {
        char *desc = make_descriptor(sub, cid, parent_cid, bf, extents, sectors, adapter, hw);
        r = hostfile_write_new(a->filename, &(HostFilePiece){ 0, desc, strlen(desc) }, 1,
                               strlen(desc), errp);
        free(desc);
    }
    free(extents);
    return r;
}

/* A freshly created streamOptimized image is written as a stream: turn the writer on. */
static int vmdk_open_rw(BlockDriverState *bs, int flags, Error **errp)
{
    int r = vmdk_open(bs, flags, errp);
    if (r < 0 || !(flags & BDRV_O_RDWR))
        return r;
    VmdkState *s = bs->opaque;
    VmdkExtent *e = &s->ext[0];
    if (s->n == 1 && e->type == EXT_SPARSE && e->compressed) {
        uint64_t ngrains = (e->sectors * 512 + e->grain_bytes - 1) / e->grain_bytes;
        e->stream_gt = xzalloc(ngrains * 4 + 4);
    }
    return 0;
}

const BlockDriver bdrv_vmdk = {
    .format_name = "vmdk",
    .instance_size = sizeof(VmdkState),
    .has_backing = true,
    .create_help =
        "adapter_type     ide (default), lsilogic, buslogic or legacyESX\n"
        "backing_file     file name of a base image (vmdk, sparse subformats)\n"
        "compat6          on: virtual hardware version 6\n"
        "hwversion        virtual hardware version (default 4)\n"
        "subformat        monolithicSparse (default), monolithicFlat, twoGbMaxExtentSparse,\n"
        "                 twoGbMaxExtentFlat, streamOptimized\n"
        "zeroed_grain     on/off: mark zero grains without storing them\n",
    .probe = vmdk_probe,
    .open = vmdk_open_rw,
    .create = vmdk_create,
    .pread = vmdk_pread,
    .pwrite = vmdk_pwrite,
    .pwrite_zeroes = vmdk_pwrite_zeroes,
    .flush = vmdk_flush,
    .block_status = vmdk_block_status,
    .get_info = vmdk_get_info,
    .check = vmdk_check,
    .allocated_size = vmdk_allocated_size,
    .close = vmdk_close,
};
