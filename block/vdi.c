/* vdi.c: VirtualBox disk images: dynamic and static (fixed), block map, UUIDs, check. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"
#include "block/file.h"
#include "block/endian.h"
#include <fcntl.h>
#include <unistd.h>

/*
 * Layout (VirtualBox VDI 1.1, little-endian): a 64-byte text banner, a signature and a header,
 * a block map of 32-bit entries (the index of the block in the data area, or "unallocated" /
 * "discarded", both reading as zero without a parent), then the data blocks.
 */
#define VDI_SIGNATURE     0xbeda107fu
#define VDI_VERSION_1_1   0x00010001u
#define VDI_TYPE_DYNAMIC  1
#define VDI_TYPE_STATIC   2
#define VDI_UNALLOCATED   0xffffffffu
#define VDI_DISCARDED     0xfffffffeu
#define VDI_BLOCK_SIZE    (1 * MiB)
#define VDI_MAX_BLOCKS    (0x3fffffffu)   /* the map must stay addressable, as VirtualBox limits */
#define VDI_TEXT          "<<< QEMU VM Virtual Disk Image >>>\n"

/* Header offsets. */
enum {
    VD_SIGNATURE = 64, VD_VERSION = 68, VD_HEADER_SIZE = 72, VD_TYPE = 76, VD_FLAGS = 80,
    VD_COMMENT = 84, VD_OFF_BMAP = 340, VD_OFF_DATA = 344, VD_CYL = 348, VD_HEADS = 352,
    VD_SECTORS = 356, VD_SECTOR_SIZE = 360, VD_DISK_SIZE = 368, VD_BLOCK_SIZE = 376,
    VD_BLOCK_EXTRA = 380, VD_BLOCKS = 384, VD_ALLOCATED = 388, VD_UUID_IMAGE = 392,
    VD_UUID_SNAP = 408, VD_UUID_LINK = 424, VD_UUID_PARENT = 440, VD_HEADER_END = 512,
};

typedef struct VdiState {
    HostFile file;
    uint8_t header[VD_HEADER_END];
    uint32_t type, block_size, blocks, allocated;
    uint64_t off_bmap, off_data;
    uint32_t *bmap;                /* host order */
    bool bmap_dirty, header_dirty;
    bool writable;
} VdiState;

static int vdi_probe(const uint8_t *buf, size_t len, const char *filename)
{
    if (len >= 72 && ld_le32(buf + VD_SIGNATURE) == VDI_SIGNATURE)
        return 100;
    return 0;
}

static int vdi_open(BlockDriverState *bs, int flags, Error **errp)
{
    VdiState *s = bs->opaque;
    uint8_t *h = s->header;
    bool rw = flags & BDRV_O_RDWR;
    int r = hostfile_open(&s->file, bs->filename, rw, bdrv_hostfile_mode(flags));
    if (r < 0) {
        error_setg(errp, "Could not open '%s': %s", bs->filename, hostfile_open_error(r));
        return r;
    }
    s->writable = rw;
    int64_t fsize = hostfile_size(&s->file);
    if (fsize < 0 || hostfile_pread_strict(&s->file, 0, h, VD_HEADER_END) < 0) {
        error_setg(errp, "image is too short for a VDI header");
        goto fail;
    }
    if (ld_le32(h + VD_SIGNATURE) != VDI_SIGNATURE) {
        error_setg(errp, "not a VDI image (bad signature)");
        goto fail;
    }
    if (ld_le32(h + VD_VERSION) != VDI_VERSION_1_1) {
        error_setg(errp, "unsupported VDI version %#x", ld_le32(h + VD_VERSION));
        goto fail;
    }
    if (ld_le32(h + VD_HEADER_SIZE) < 0x180) {
        error_setg(errp, "VDI header size %u is too small", ld_le32(h + VD_HEADER_SIZE));
        goto fail;
    }
    s->type = ld_le32(h + VD_TYPE);
    if (s->type != VDI_TYPE_DYNAMIC && s->type != VDI_TYPE_STATIC) {
        error_setg(errp, "unsupported VDI image type %u (only dynamic and static)", s->type);
        goto fail;
    }
    if (ld_le32(h + VD_SECTOR_SIZE) != 512) {
        error_setg(errp, "unsupported VDI sector size %u", ld_le32(h + VD_SECTOR_SIZE));
        goto fail;
    }
    s->block_size = ld_le32(h + VD_BLOCK_SIZE);
    if (s->block_size != VDI_BLOCK_SIZE) {
        error_setg(errp, "unsupported VDI block size %u (only 1 MiB)", s->block_size);
        goto fail;
    }
    if (ld_le32(h + VD_BLOCK_EXTRA)) {
        error_setg(errp, "VDI blocks with extra data are not supported");
        goto fail;
    }
    if (memcmp(h + VD_UUID_LINK, (uint8_t[16]){ 0 }, 16)) {
        error_setg(errp, "VDI differencing images (with a parent) are not supported yet");
        goto fail;
    }
    bs->total_size = ld_le64(h + VD_DISK_SIZE);
    s->blocks = ld_le32(h + VD_BLOCKS);
    s->allocated = ld_le32(h + VD_ALLOCATED);
    s->off_bmap = ld_le32(h + VD_OFF_BMAP);
    s->off_data = ld_le32(h + VD_OFF_DATA);
    if (s->blocks > VDI_MAX_BLOCKS || (uint64_t)s->blocks * s->block_size < bs->total_size) {
        error_setg(errp, "VDI block count %u does not cover the disk size %" PRIu64, s->blocks, bs->total_size);
        goto fail;
    }
    if (s->allocated > s->blocks) {
        error_setg(errp, "VDI header claims %u allocated blocks of %u", s->allocated, s->blocks);
        goto fail;
    }
    if (s->off_bmap < VD_HEADER_END || (s->off_bmap & 511) || (s->off_data & 511) ||
        s->off_bmap + (uint64_t)s->blocks * 4 > s->off_data) {
        error_setg(errp, "VDI block map (%u entries at %" PRIu64 ") overlaps the data at %" PRIu64,
                   s->blocks, s->off_bmap, s->off_data);
        goto fail;
    }
    uint64_t bytes = (uint64_t)s->blocks * 4;
    if (s->off_bmap + bytes > (uint64_t)fsize) {
        /* Checked before allocating: the map's size comes from the header. */
        error_setg(errp, "VDI block map (%u entries) is beyond end of file", s->blocks);
        goto fail;
    }
    s->bmap = xmalloc(bytes + 4);
    if (hostfile_pread_strict(&s->file, s->off_bmap, s->bmap, bytes) < 0) {
        error_setg(errp, "VDI block map is beyond end of file");
        goto fail;
    }
    for (uint32_t i = 0; i < s->blocks; i++) {
        uint32_t e = ld_le32(&s->bmap[i]);
        s->bmap[i] = e;
        if (e < VDI_DISCARDED && e >= s->allocated) {
            error_setg(errp, "VDI block map entry %u (%u) is beyond the %u allocated blocks", i, e, s->allocated);
            goto fail;
        }
    }
    return 0;
fail:
    free(s->bmap);
    s->bmap = NULL;
    hostfile_close(&s->file);
    return -EINVAL;
}

static int vdi_map(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum, uint64_t *host)
{
    VdiState *s = bs->opaque;
    uint32_t bi = off / s->block_size;
    uint64_t in = off % s->block_size;
    *pnum = MIN(len, s->block_size - in);
    uint32_t e = s->bmap[bi];
    if (e >= VDI_DISCARDED)
        return 0;
    /* Extend over following blocks stored right after this one. */
    uint64_t n = *pnum;
    for (uint32_t j = bi + 1; n < len && j < s->blocks && s->bmap[j] == e + (j - bi); j++)
        n += MIN(len - n, s->block_size);
    *pnum = n;
    *host = s->off_data + (uint64_t)e * s->block_size + in;
    return 1;
}

static int vdi_pread(BlockDriverState *bs, uint64_t off, void *buf, size_t len)
{
    VdiState *s = bs->opaque;
    uint8_t *p = buf;
    while (len) {
        uint64_t n, host = 0;
        int r;
        if (vdi_map(bs, off, len, &n, &host))
            r = hostfile_pread(&s->file, host, p, n);
        else
            r = bdrv_read_backing(bs, off, p, n);
        if (r < 0)
            return r;
        p += n, off += n, len -= n;
    }
    return 0;
}

static int vdi_block_status(BlockDriverState *bs, uint64_t off, uint64_t len, uint64_t *pnum,
                            uint64_t *map)
{
    uint64_t host = 0;
    if (!vdi_map(bs, off, len, pnum, &host)) {
        /* Unallocated and discarded blocks read as zero (VDI has no backing here). */
        return BDRV_BLOCK_ZERO;
    }
    *map = host;
    return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID;
}

static int vdi_pwrite(BlockDriverState *bs, uint64_t off, const void *buf, size_t len, int flags)
{
    VdiState *s = bs->opaque;
    const uint8_t *p = buf;
    uint8_t *bounce = NULL;
    int r = 0;
    while (len && r == 0) {
        uint64_t n, host = 0;
        if (vdi_map(bs, off, len, &n, &host)) {
            r = hostfile_pwrite(&s->file, host, p, n);
        } else {
            /* A new block at the end of the data area: the block, then its map entry and
             * the header count (written back at flush, after a barrier). */
            uint32_t bi = off / s->block_size;
            uint64_t in = off % s->block_size;
            if (s->allocated >= s->blocks) {
                bdrv_set_error(bs, "VDI block map is full");
                r = -ENOSPC;
                break;
            }
            if (!bounce)
                bounce = xmalloc(s->block_size);
            memset(bounce, 0, s->block_size);
            memcpy(bounce + in, p, n);
            uint32_t idx = s->allocated;
            r = hostfile_pwrite(&s->file, s->off_data + (uint64_t)idx * s->block_size, bounce, s->block_size);
            if (r == 0) {
                s->allocated++;
                s->bmap[bi] = idx;
                s->bmap_dirty = s->header_dirty = true;
            }
        }
        p += n, off += n, len -= n;
    }
    free(bounce);
    if (r < 0 && !bs->errbuf[0])
        bdrv_set_error(bs, "write failed: %s", strerror(-r));
    return r;
}

static int vdi_flush(BlockDriverState *bs)
{
    VdiState *s = bs->opaque;
    if (!s->writable)
        return 0;
    int r = 0;
    if (s->bmap_dirty) {
        uint64_t bytes = (uint64_t)s->blocks * 4;
        uint32_t *le = xmalloc(bytes + 4);
        for (uint32_t i = 0; i < s->blocks; i++)
            st_le32(&le[i], s->bmap[i]);
        r = hostfile_sync(&s->file);
        if (r == 0)
            r = hostfile_pwrite(&s->file, s->off_bmap, le, bytes);
        free(le);
        if (r == 0)
            s->bmap_dirty = false;
    }
    if (r == 0 && s->header_dirty) {
        uint8_t le[4];
        st_le32(le, s->allocated);
        r = hostfile_pwrite(&s->file, VD_ALLOCATED, le, 4);
        if (r == 0)
            s->header_dirty = false;
    }
    if (r == 0)
        r = hostfile_sync(&s->file);
    if (r < 0 && !bs->errbuf[0])
        bdrv_set_error(bs, "could not write the block map: %s", strerror(-r));
    return r;
}

static void vdi_close(BlockDriverState *bs)
{
    VdiState *s = bs->opaque;
    if (vdi_flush(bs) < 0)
        error_report("%s: %s", bs->filename, bdrv_last_error(bs));
    free(s->bmap);
    hostfile_close(&s->file);
}

static int vdi_check(BlockDriverState *bs, ImageCheck *res, int fix)
{
    VdiState *s = bs->opaque;
    uint8_t *seen = xzalloc(s->allocated + 1);
    uint32_t used = 0;
    for (uint32_t i = 0; i < s->blocks; i++) {
        uint32_t e = s->bmap[i];
        if (e >= VDI_DISCARDED)
            continue;
        if (seen[e]) {
            fprintf(stderr, "ERROR: block index %u is used by more than one block\n", e);
            res->corruptions++;
        }
        seen[e] = 1;
        used++;
    }
    free(seen);
    if (used != s->allocated) {
        fprintf(stderr, "ERROR: allocated blocks mismatch, is %u, should be %u\n", used, s->allocated);
        res->corruptions++;
    }
    res->total_clusters = s->blocks;
    res->allocated_clusters = used;
    res->image_end_offset = s->off_data + (uint64_t)s->allocated * s->block_size;
    return 0;
}

static void vdi_get_info(BlockDriverState *bs, ImageInfo *ii)
{
    VdiState *s = bs->opaque;
    ii->cluster_size = s->block_size;
}

static void uuid_random(uint8_t *u)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, u, 16) != 16) {
        for (int i = 0; i < 16; i++)
            u[i] = rand();
    }
    if (fd >= 0)
        close(fd);
    u[6] = (u[6] & 0x0f) | 0x40;   /* RFC 4122 version 4 */
    u[8] = (u[8] & 0x3f) | 0x80;
}

static int vdi_create(const BlockCreateArgs *a, Error **errp)
{
    bool fixed;
    if (!img_opts_get_bool(a->opts, "static", false, &fixed, errp))
        return -EINVAL;
    const char *prealloc = img_opts_get(a->opts, "preallocation");
    if (prealloc && !strcmp(prealloc, "metadata"))
        fixed = true;
    else if (prealloc && strcmp(prealloc, "off")) {
        error_setg(errp, "preallocation=%s is not supported for vdi (off, metadata)", prealloc);
        return -EINVAL;
    }
    uint64_t blocks = (a->size + VDI_BLOCK_SIZE - 1) / VDI_BLOCK_SIZE;
    if (blocks > VDI_MAX_BLOCKS) {
        error_setg(errp, "Unsupported VDI image size (size is %" PRIu64 ")", a->size);
        return -EFBIG;
    }
    uint8_t h[VD_HEADER_END] = { 0 };
    memcpy(h, VDI_TEXT, strlen(VDI_TEXT));
    st_le32(h + VD_SIGNATURE, VDI_SIGNATURE);
    st_le32(h + VD_VERSION, VDI_VERSION_1_1);
    st_le32(h + VD_HEADER_SIZE, 0x180);
    st_le32(h + VD_TYPE, fixed ? VDI_TYPE_STATIC : VDI_TYPE_DYNAMIC);
    uint64_t bmap_bytes = ALIGN_UP(blocks * 4, 512);
    st_le32(h + VD_OFF_BMAP, 512);
    st_le32(h + VD_OFF_DATA, 512 + bmap_bytes);
    st_le32(h + VD_SECTOR_SIZE, 512);
    st_le64(h + VD_DISK_SIZE, a->size);
    st_le32(h + VD_BLOCK_SIZE, VDI_BLOCK_SIZE);
    st_le32(h + VD_BLOCKS, blocks);
    st_le32(h + VD_ALLOCATED, fixed ? blocks : 0);
    uuid_random(h + VD_UUID_IMAGE);
    uuid_random(h + VD_UUID_SNAP);
    uint32_t *bmap = xmalloc(bmap_bytes + 4);
    memset(bmap, 0, bmap_bytes);
    for (uint64_t i = 0; i < blocks; i++)
        st_le32(&bmap[i], fixed ? i : VDI_UNALLOCATED);
    const HostFilePiece pieces[] = { { 0, h, sizeof h }, { 512, bmap, bmap_bytes } };
    int r = hostfile_write_new(a->filename, pieces, 2,
                               512 + bmap_bytes + (fixed ? blocks * VDI_BLOCK_SIZE : 0), errp);
    free(bmap);
    return r;
}

const BlockDriver bdrv_vdi = {
    .format_name = "vdi",
    .instance_size = sizeof(VdiState),
    .create_help =
        "static           on: a fixed image with every block allocated (default off)\n"
        "preallocation    off or metadata (the same as static=on)\n",
    .probe = vdi_probe,
    .open = vdi_open,
    .create = vdi_create,
    .pread = vdi_pread,
    .pwrite = vdi_pwrite,
    .flush = vdi_flush,
    .block_status = vdi_block_status,
    .get_info = vdi_get_info,
    .check = vdi_check,
    .close = vdi_close,
};
