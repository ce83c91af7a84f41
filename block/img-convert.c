/* img-convert.c: vireo-img convert and compare: copying and comparing guest-visible content. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"
#include "block/img.h"
#include "block/compress.h"
#include <getopt.h>
#include <pthread.h>

/* Work in chunks this large: big enough for large aligned I/O, small enough for the cache. */
#define CONVERT_CHUNK (2 * MiB)

static int getopt_fail(const char *cmd, int c, char **argv)
{
    if (c == ':')
        error_report("option '%s' needs an argument (see 'vireo-img %s --help')", argv[optind - 1], cmd);
    else
        error_report("unknown option '%s' (see 'vireo-img %s --help')", argv[optind - 1], cmd);
    return 1;
}

/* Cache modes, qemu-img's names: only "unsafe" changes anything here (no flushes at all);
 * the others flush at the end (O_DIRECT is not used yet). */
static int cache_flags(const char *mode)
{
    if (!strcmp(mode, "unsafe"))
        return BDRV_O_UNSAFE;
    if (strcmp(mode, "none") && strcmp(mode, "directsync") && strcmp(mode, "writeback") &&
        strcmp(mode, "writethrough"))
        fatal("Invalid cache option: %s", mode);
    return 0;
}

/* Write buf (len bytes at off) to the target, leaving zero runs of at least gran bytes out
 * (they already read as zero) or writing them as zeros when the target is not fresh. */
static int write_sparse(BlockDriverState *out, uint64_t off, const uint8_t *buf, uint64_t len,
                        uint64_t gran, bool fresh, int wflags)
{
    uint64_t pos = 0;
    while (pos < len) {
        uint64_t n = gran ? MIN(gran - (off + pos) % gran, len - pos) : len - pos;
        bool zero = gran && buffer_is_zero(buf + pos, n);
        uint64_t run = n;
        /* Extend the run while the next granule has the same kind. */
        while (pos + run < len) {
            uint64_t m = gran ? MIN(gran, len - pos - run) : len - pos - run;
            if ((gran && buffer_is_zero(buf + pos + run, m)) != zero)
                break;
            run += m;
        }
        int r = 0;
        if (!zero)
            r = bdrv_pwrite(out, off + pos, buf + pos, run, wflags);
        else if (!fresh)
            r = bdrv_pwrite_zeroes(out, off + pos, run);
        if (r < 0)
            return r;
        pos += run;
    }
    return 0;
}

/* Status of the source run at off (at most want bytes), in whole target clusters: a zero run
 * is cut back to a cluster boundary, a data run reaches forward to one (holes read as zeros),
 * so the target never gets a partial cluster it would have to read back and a stream stays
 * in order. */
static int run_status(BlockDriverState *bs, uint64_t off, uint64_t want, uint64_t align,
                      uint64_t *pn, bool *pzero)
{
    uint64_t n, map;
    int depth;
    BlockDriverState *layer;
    int r = bdrv_block_status_above(bs, off, want, &n, &map, &depth, &layer);
    if (r < 0) {
        error_report("%s: %s", bs->filename, bdrv_last_error(bs));
        return r;
    }
    bool zero = (r & BDRV_BLOCK_ZERO) && !(r & BDRV_BLOCK_DATA);
    uint64_t end = off + n;
    if (end % align && end < bs->total_size) {
        if (zero && ALIGN_DOWN(end, align) > off) {
            n = ALIGN_DOWN(end, align) - off;
        } else {
            zero = false;
            n = MIN(MIN(ALIGN_UP(end, align), bs->total_size) - off, want);
        }
    }
    *pn = n;
    *pzero = zero;
    return 0;
}

/* The convert pipeline: segments of the concatenated sources, each a zero run or up to
 * CONVERT_CHUNK bytes of data, handed from the reader thread to the writer. */
#define PIPE_SLOTS 4

typedef struct Segment {
    uint64_t dst, len;
    bool zero, eof;
    int err;
    uint8_t *buf;
} Segment;

typedef struct ConvertPipe {
    Segment slot[PIPE_SLOTS];
    int head, tail, count;
    bool abort;                 /* the writer stopped: the reader ends too */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    BlockDriverState **src;
    int nsrc;
    bool sparse;
    uint64_t align;
} ConvertPipe;

/* Wait for a free slot; NULL when the writer gave up. */
static Segment *pipe_claim(ConvertPipe *pp)
{
    pthread_mutex_lock(&pp->lock);
    while (pp->count == PIPE_SLOTS && !pp->abort)
        pthread_cond_wait(&pp->cond, &pp->lock);
    Segment *sg = pp->abort ? NULL : &pp->slot[pp->head];
    pthread_mutex_unlock(&pp->lock);
    return sg;
}

static void pipe_publish(ConvertPipe *pp)
{
    pthread_mutex_lock(&pp->lock);
    pp->head = (pp->head + 1) % PIPE_SLOTS;
    pp->count++;
    pthread_cond_broadcast(&pp->cond);
    pthread_mutex_unlock(&pp->lock);
}

static void *convert_reader(void *opaque)
{
    ConvertPipe *pp = opaque;
    uint64_t dst = 0;
    int r = 0;
    for (int i = 0; i < pp->nsrc && r >= 0; i++) {
        BlockDriverState *bs = pp->src[i];
        for (uint64_t off = 0; off < bs->total_size && r >= 0;) {
            Segment *sg = pipe_claim(pp);
            if (!sg)
                return NULL;
            uint64_t n;
            bool zero;
            /* Zero runs may be long (a huge empty disk is quick); data comes in chunks. */
            uint64_t want = MIN(CONVERT_CHUNK - (dst + off) % CONVERT_CHUNK, bs->total_size - off);
            r = run_status(bs, off, bs->total_size - off, pp->align, &n, &zero);
            if (r >= 0 && !(zero && pp->sparse))
                n = MIN(n, want);
            if (r >= 0 && !(zero && pp->sparse)) {
                /* Gather the data runs that follow into one buffer: large writes, and a
                 * target allocation that stays contiguous. */
                uint64_t got = 0;
                for (;;) {
                    r = bdrv_pread(bs, off + got, sg->buf + got, n);
                    if (r < 0) {
                        error_report("%s: error while reading at offset %" PRIu64 ": %s", bs->filename,
                                     off + got, bdrv_last_error(bs)[0] ? bdrv_last_error(bs) : strerror(-r));
                        break;
                    }
                    got += n;
                    if (got >= want)
                        break;
                    r = run_status(bs, off + got, want - got, pp->align, &n, &zero);
                    if (r < 0 || (zero && pp->sparse))
                        break;
                }
                n = got;
                zero = false;
            }
            sg->dst = dst + off;
            sg->len = n;
            sg->zero = zero;
            sg->eof = false;
            sg->err = r < 0 ? r : 0;
            pipe_publish(pp);
            off += n;
        }
        dst += bs->total_size;
    }
    Segment *sg = r >= 0 ? pipe_claim(pp) : NULL;
    if (sg) {
        sg->eof = true;
        sg->err = 0;
        pipe_publish(pp);
    }
    return NULL;
}

int img_convert(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { "target-image-opts", no_argument, NULL, 256 },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *ofmt = "raw", *backing = NULL, *cache = "unsafe", *scache = "writeback";
    ImgOpts opts = { 0 };
    bool compress = false, progress = false, no_create = false, quiet = false;
    uint64_t sparse = 4096;
    Error *err = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":f:O:B:o:cpS:nt:T:m:WqhU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': ofmt = optarg; break;
        case 'B': backing = optarg; break;
        case 'o':
            if (!img_opts_parse(&opts, optarg, &err))
                fatal("%s", err->msg);
            break;
        case 'c': compress = true; break;
        case 'p': progress = true; break;
        case 'S':
            if (!parse_size(optarg, &sparse) || sparse > 1 * GiB)
                fatal("Invalid buffer size for sparse output specified. Valid sizes are multiples of 512 up to 1G");
            break;
        case 'n': no_create = true; break;
        case 't': cache = optarg; break;
        case 'T': scache = optarg; break;
        case 'm': {
            char *end;
            long m = strtol(optarg, &end, 10);
            if (*end || m < 1 || m > 16)
                fatal("Invalid number of coroutines. Allowed number of coroutines is between 1 and 16");
            block_compress_threads = m;
            break;
        }
        case 'W': case 'U': break;
        case 'q': quiet = true; break;
        case 'h':
            printf("usage: vireo-img convert [-p] [-q] [-n] [-c] [-f fmt] [-O output_fmt] [-B backing_file]\n"
                   "       [-o options] [-S sparse_size] [-t cache] [-T src_cache] [-m num] [-W]\n"
                   "       filename [filename2 ...] output_filename\n\n"
                   "Copy one image (or several, concatenated) into an image of another format.\n"
                   "  -O output_fmt     target format (default raw)\n"
                   "  -c                compress the target (qcow2, qcow)\n"
                   "  -p                progress bar\n"
                   "  -S size           zero runs at least this long (default 4k) stay holes; 0 writes all\n"
                   "  -n                the target exists: do not create it; zeros are written explicitly\n"
                   "  -B backing_file   backing file of the target\n"
                   "  -t/-T cache       target/source cache: unsafe (target default: no flushes), writeback\n"
                   "                    (source default), writethrough, none, directsync (flush at end)\n"
                   "  -m num            threads for compression (default: one per CPU); -W accepted\n"
                   "\nFormats: %s\n", bdrv_format_list());
            return 0;
        default: return getopt_fail("convert", c, argv);
        }
    }
    (void)quiet;
    if (argc - optind < 2)
        fatal("Expecting at least one input and one output file name (see 'vireo-img convert --help')");
    if (img_opts_get(&opts, "help")) {
        const BlockDriver *d = bdrv_find_format(ofmt);
        printf("Supported options:\n%s", d && d->create_help ? d->create_help : "");
        return 0;
    }
    int nsrc = argc - optind - 1;
    const char *outfile = argv[argc - 1];
    const BlockDriver *odrv = bdrv_find_format(ofmt);
    if (!odrv)
        fatal("Unknown file format '%s'", ofmt);
    if (compress && strcmp(ofmt, "qcow2") && strcmp(ofmt, "qcow"))
        fatal("Compression not supported for this file format");
    if (backing && no_create)
        fatal("Use of -B is not supported with -n");
    int sflags = cache_flags(scache);
    int oflags = BDRV_O_RDWR | cache_flags(cache);

    BlockDriverState **src = xzalloc(sizeof *src * nsrc);
    uint64_t total = 0;
    int rc = 1;
    for (int i = 0; i < nsrc; i++) {
        src[i] = img_open(argv[optind + i], fmt, sflags);
        if (!src[i])
            goto out;
        total += src[i]->total_size;
    }
    if (!no_create) {
        BlockCreateArgs a = { .filename = outfile, .size = total, .backing_file = backing,
                              .opts = &opts };
        if (backing) {
            /* The backing file's format is recorded when it can be probed. */
            char *path = bdrv_resolve_backing(outfile, backing);
            const BlockDriver *bd = bdrv_probe(path, NULL);
            a.backing_fmt = bd ? bd->format_name : NULL;
            free(path);
        }
        if (bdrv_create(odrv, &a, &err) < 0) {
            error_report("%s: %s", outfile, err->msg);
            goto out;
        }
        const char *bad = img_opts_unused(&opts);
        if (bad) {
            error_report("%s: Invalid parameter '%s' for format %s", outfile, bad, ofmt);
            goto out;
        }
    }
    BlockDriverState *out = img_open(outfile, ofmt, oflags);
    if (!out)
        goto out;
    if (out->total_size < total) {
        error_report("%s: output image is smaller than the input (%" PRIu64 " < %" PRIu64 ")",
                     outfile, out->total_size, total);
        bdrv_close(out);
        goto out;
    }
    /* A fresh target without a backing file reads as zero: zero runs need no writes. */
    bool fresh = !no_create && !out->backing;
    ImageInfo ii = { 0 };
    if (out->drv->get_info)
        out->drv->get_info(out, &ii);
    image_info_free(&ii);
    /* Zero detection works on whole target clusters (partial ones would need read-modify-write). */
    uint64_t gran = sparse;
    if (gran && ii.cluster_size && (uint64_t)ii.cluster_size > gran)
        gran = ii.cluster_size;
    if (compress)
        gran = ii.cluster_size;
    /* A reader thread fills segments while this thread writes them: reading (decompressing)
     * the source overlaps with writing (compressing) the target. */
    ConvertPipe pp = { .src = src, .nsrc = nsrc, .sparse = sparse != 0,
                       .align = ii.cluster_size ? (uint64_t)ii.cluster_size : 512 };
    pthread_mutex_init(&pp.lock, NULL);
    pthread_cond_init(&pp.cond, NULL);
    for (int i = 0; i < PIPE_SLOTS; i++)
        pp.slot[i].buf = xmalloc(CONVERT_CHUNK);
    pthread_t reader;
    if (pthread_create(&reader, NULL, convert_reader, &pp))
        fatal("could not start the reader thread");
    uint64_t done = 0;
    int r = 0;
    img_progress(progress, 0, total);
    for (;;) {
        pthread_mutex_lock(&pp.lock);
        while (!pp.count)
            pthread_cond_wait(&pp.cond, &pp.lock);
        Segment *sg = &pp.slot[pp.tail];
        pthread_mutex_unlock(&pp.lock);
        bool last = sg->eof || sg->err < 0;
        if (sg->err < 0) {
            r = sg->err;
        } else if (!sg->eof) {
            if (sg->zero)
                r = fresh ? 0 : bdrv_pwrite_zeroes(out, sg->dst, sg->len);
            else
                r = write_sparse(out, sg->dst, sg->buf, sg->len, gran, fresh, compress ? BDRV_REQ_COMPRESSED : 0);
            if (r < 0) {
                error_report("%s: error while writing at offset %" PRIu64 ": %s", outfile, sg->dst,
                             bdrv_last_error(out)[0] ? bdrv_last_error(out) : strerror(-r));
                last = true;
            }
            done += sg->len;
            img_progress(progress, done, total);
        }
        pthread_mutex_lock(&pp.lock);
        pp.tail = (pp.tail + 1) % PIPE_SLOTS;
        pp.count--;
        if (last)
            pp.abort = true;
        pthread_cond_broadcast(&pp.cond);
        pthread_mutex_unlock(&pp.lock);
        if (last)
            break;
    }
    pthread_join(reader, NULL);
    for (int i = 0; i < PIPE_SLOTS; i++)
        free(pp.slot[i].buf);
    pthread_mutex_destroy(&pp.lock);
    pthread_cond_destroy(&pp.cond);
    if (r >= 0 && (r = bdrv_flush(out)) < 0)
        error_report("%s: could not flush: %s", outfile, bdrv_last_error(out));
    if (progress)
        printf("    (100.00/100%%)\n");
    bdrv_close(out);
    rc = r < 0 ? 1 : 0;
out:
    for (int i = 0; i < nsrc; i++)
        bdrv_close(src[i]);
    free(src);
    img_opts_free(&opts);
    error_free(err);
    return rc;
}

/* First differing byte of two buffers, rounded down to a sector as qemu-img reports it. */
static uint64_t first_diff(const uint8_t *a, const uint8_t *b, uint64_t n)
{
    uint64_t i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i & ~511ULL;
}

/* Whether [off, off+len) of bs reads as zero; -1 on error. */
static int region_is_zero(BlockDriverState *bs, uint64_t off, uint64_t len, uint8_t *buf, uint64_t *where)
{
    while (len) {
        uint64_t n = MIN(len, CONVERT_CHUNK);
        if (bdrv_pread(bs, off, buf, n) < 0)
            return -1;
        if (!buffer_is_zero(buf, n)) {
            uint64_t i = 0;
            while (!buf[i])
                i++;
            *where = (off + i) & ~511ULL;
            return 0;
        }
        off += n;
        len -= n;
    }
    return 1;
}

int img_compare(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt1 = NULL, *fmt2 = NULL;
    bool quiet = false, strict = false, progress = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:F:T:pqshU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt1 = optarg; break;
        case 'F': fmt2 = optarg; break;
        case 'T': break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 's': strict = true; break;
        case 'U': break;
        case 'h':
            printf("usage: vireo-img compare [-f fmt] [-F fmt] [-p] [-q] [-s] [-U] filename1 filename2\n\n"
                   "Compare the guest-visible content of two images. Exit status: 0 identical,\n"
                   "1 different, 2 error. Without -s a larger image matches if its extra part reads as\n"
                   "zeros.\n  -f, -F  formats of the first and second image\n  -s      strict: sizes must match\n");
            return 0;
        default: getopt_fail("compare", c, argv); return 2;
        }
    }
    if (argc - optind != 2) {
        error_report("Expecting two image file names (see 'vireo-img compare --help')");
        return 2;
    }
    const char *f1 = argv[optind], *f2 = argv[optind + 1];
    BlockDriverState *a = img_open(f1, fmt1, 0);
    if (!a)
        return 2;
    BlockDriverState *b = img_open(f2, fmt2 ? fmt2 : fmt1, 0);
    if (!b) {
        bdrv_close(a);
        return 2;
    }
    int rc = 0;
    uint64_t common = MIN(a->total_size, b->total_size);
    uint8_t *ba = xmalloc(CONVERT_CHUNK), *bb = xmalloc(CONVERT_CHUNK);
    if (strict && a->total_size != b->total_size) {
        if (!quiet)
            printf("Strict mode: Image size mismatch!\n");
        rc = 1;
        goto done;
    }
    for (uint64_t off = 0; off < common && rc == 0;) {
        uint64_t na, nb, map;
        int depth;
        BlockDriverState *layer;
        uint64_t want = common - off;   /* zero runs in one step; data is read in chunks */
        int ra = bdrv_block_status_above(a, off, want, &na, &map, &depth, &layer);
        int rb = ra < 0 ? 0 : bdrv_block_status_above(b, off, want, &nb, &map, &depth, &layer);
        if (ra < 0 || rb < 0) {
            BlockDriverState *bad = ra < 0 ? a : b;
            error_report("%s: %s", bad->filename, bdrv_last_error(bad));
            rc = 2;
            break;
        }
        uint64_t n = MIN(na, nb);
        bool za = (ra & BDRV_BLOCK_ZERO) && !(ra & BDRV_BLOCK_DATA);
        bool zb = (rb & BDRV_BLOCK_ZERO) && !(rb & BDRV_BLOCK_DATA);
        if (!(za && zb)) {
            n = MIN(n, CONVERT_CHUNK);
            if (bdrv_pread(a, off, ba, n) < 0 || bdrv_pread(b, off, bb, n) < 0) {
                error_report("Error while reading offset %" PRIu64 ": %s", off,
                             bdrv_last_error(a)[0] ? bdrv_last_error(a) : bdrv_last_error(b));
                rc = 2;
                break;
            }
            if (memcmp(ba, bb, n)) {
                if (!quiet)
                    printf("Content mismatch at offset %" PRIu64 "!\n", off + first_diff(ba, bb, n));
                rc = 1;
                break;
            }
        }
        off += n;
        img_progress(progress, off, common);
    }
    if (rc == 0 && a->total_size != b->total_size) {
        BlockDriverState *big = a->total_size > b->total_size ? a : b;
        uint64_t where = 0;
        if (!quiet)
            printf("Warning: Image size mismatch!\n");
        int z = region_is_zero(big, common, big->total_size - common, ba, &where);
        if (z < 0) {
            error_report("%s: %s", big->filename, bdrv_last_error(big));
            rc = 2;
        } else if (z == 0) {
            if (!quiet)
                printf("Content mismatch at offset %" PRIu64 "!\n", where);
            rc = 1;
        }
    }
    if (rc == 0 && !quiet)
        printf("Images are identical.\n");
done:
    free(ba);
    free(bb);
    bdrv_close(a);
    bdrv_close(b);
    return rc;
}
