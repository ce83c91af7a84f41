/* img-ops.c: vireo-img resize, rebase, commit and dd: operations that change existing images. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"
#include "block/img.h"
#include <getopt.h>
#include <time.h>

#define OPS_CHUNK (2 * MiB)

static int opt_fail(const char *cmd, int c, char **argv)
{
    if (c == ':')
        error_report("option '%s' needs an argument (see 'vireo-img %s --help')", argv[optind - 1], cmd);
    else
        error_report("unknown option '%s' (see 'vireo-img %s --help')", argv[optind - 1], cmd);
    return 1;
}

static const struct option help_only[] = {
    { "help", no_argument, NULL, 'h' },
    { "shrink", no_argument, NULL, 256 },
    { "preallocation", required_argument, NULL, 257 },
    { "force-share", no_argument, NULL, 'U' },
    { NULL, 0, NULL, 0 },
};

int img_resize(int argc, char **argv)
{
    const char *fmt = NULL;
    bool shrink = false, quiet = false;
    int c;
    /* "-1G" is a size, not an option: stop option parsing at the file name. */
    while ((c = getopt_long(argc, argv, "+:f:qhU", help_only, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'U': break;
        case 256: shrink = true; break;
        case 257:
            if (strcmp(optarg, "off"))
                fatal("--preallocation=%s is not implemented yet (only off)", optarg);
            break;
        case 'h':
            printf("usage: vireo-img resize [--shrink] [-f fmt] [-q] filename [+|-]size\n\n"
                   "Change the virtual size: grow raw and qcow2 images; shrink raw images and qcow2\n"
                   "images whose clusters past the new end are unallocated (--shrink is required).\n");
            return 0;
        default: return opt_fail("resize", c, argv);
        }
    }
    if (argc - optind != 2)
        fatal("Expecting image file name and size (see 'vireo-img resize --help')");
    const char *file = argv[optind], *sz = argv[optind + 1];
    BlockDriverState *bs = img_open(file, fmt, BDRV_O_RDWR | BDRV_O_NO_BACKING);
    if (!bs)
        return 1;
    uint64_t delta, size;
    int sign = (*sz == '+') - (*sz == '-');
    if (!parse_size(sz + (sign != 0), &delta)) {
        bdrv_close(bs);
        fatal("Invalid image size specified. You may use k, M, G, T, P or E suffixes");
    }
    if (sign < 0 && delta > bs->total_size) {
        bdrv_close(bs);
        fatal("New image size must be positive");
    }
    size = sign > 0 ? bs->total_size + delta : sign < 0 ? bs->total_size - delta : delta;
    size = ALIGN_UP(size, 512);
    Error *err = NULL;
    int rc = 0;
    if (size < bs->total_size && !shrink) {
        error_report("Use the --shrink option to perform a shrink operation.");
        rc = 1;
    } else if (!bs->drv->truncate) {
        error_report("%s: resizing %s images is not implemented yet", file, bs->drv->format_name);
        rc = 1;
    } else if (bs->drv->truncate(bs, size, shrink, &err) < 0) {
        error_report("%s: %s", file, err ? err->msg : bdrv_last_error(bs));
        rc = 1;
    } else if (!quiet) {
        printf("Image resized.\n");
    }
    error_free(err);
    bdrv_close(bs);
    return rc;
}

/* Copy [off, off+len) of from into to, leaving zero runs out when to reads zeros there. */
static int copy_range(BlockDriverState *from, BlockDriverState *to, uint64_t off, uint64_t len, uint8_t *buf)
{
    while (len) {
        uint64_t n = MIN(len, OPS_CHUNK);
        int r = bdrv_pread(from, off, buf, n);
        if (r == 0)
            r = bdrv_pwrite(to, off, buf, n, 0);
        if (r < 0)
            return r;
        off += n;
        len -= n;
    }
    return 0;
}

int img_rebase(int argc, char **argv)
{
    const char *fmt = NULL, *bfile = NULL, *bfmt = NULL;
    bool unsafe = false, progress = false, quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:b:F:t:T:upqhU", help_only, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'b': bfile = optarg; break;
        case 'F': bfmt = optarg; break;
        case 't': case 'T': case 'U': break;
        case 'u': unsafe = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'h':
            printf("usage: vireo-img rebase [-f fmt] [-p] [-q] [-u] -b backing_file [-F backing_fmt] filename\n\n"
                   "Change the backing file of an image. Safe mode (default) first copies into the image\n"
                   "every range where the old and the new backing files differ and the image itself has\n"
                   "no data, so the content stays the same. -u only rewrites the name. -b \"\" removes\n"
                   "the backing file.\n");
            return 0;
        default: return opt_fail("rebase", c, argv);
        }
    }
    (void)quiet;
    if (!bfile)
        fatal("Must specify backing file (-b)");
    if (optind != argc - 1)
        fatal("Expecting one image file name (see 'vireo-img rebase --help')");
    const char *file = argv[optind];
    BlockDriverState *bs = img_open(file, fmt, BDRV_O_RDWR | (unsafe ? BDRV_O_NO_BACKING : 0));
    if (!bs)
        return 1;
    if (!bs->drv->change_backing) {
        error_report("%s: changing the backing file of %s images is not implemented yet", file,
                     bs->drv->format_name);
        bdrv_close(bs);
        return 1;
    }
    Error *err = NULL;
    int rc = 0;
    BlockDriverState *nb = NULL;
    if (*bfile) {
        char *path = bdrv_resolve_backing(file, bfile);
        nb = bdrv_open(path, bfmt, 0, &err);
        free(path);
        if (!nb && !unsafe) {
            error_report("%s: Could not open new backing file '%s': %s", file, bfile, err->msg);
            bdrv_close(bs);
            error_free(err);
            return 1;
        }
        if (nb && !bfmt)
            bfmt = nb->drv->format_name;
        error_free(err);
        err = NULL;
    }
    if (!unsafe) {
        /* Where the image has no data of its own, its content comes from the old chain: copy
         * it in wherever the new chain would read something else. */
        uint8_t *a = xmalloc(OPS_CHUNK), *b = xmalloc(OPS_CHUNK);
        uint64_t off = 0;
        while (off < bs->total_size && rc == 0) {
            uint64_t n, map;
            int st = bdrv_block_status(bs, off, MIN(OPS_CHUNK, bs->total_size - off), &n, &map);
            if (st < 0) {
                error_report("%s: %s", file, bdrv_last_error(bs));
                rc = 1;
                break;
            }
            if (!(st & BDRV_BLOCK_ALLOCATED)) {
                int r = bdrv_read_backing(bs, off, a, n);
                if (r == 0) {
                    if (nb && off < nb->total_size) {
                        uint64_t m = MIN(n, nb->total_size - off);
                        r = bdrv_pread(nb, off, b, m);
                        memset(b + m, 0, n - m);
                    } else {
                        memset(b, 0, n);
                    }
                }
                /* Compare sector by sector so only differing sectors are written. */
                for (uint64_t i = 0; r == 0 && i < n; i += 512) {
                    uint64_t k = MIN(512, n - i);
                    if (memcmp(a + i, b + i, k))
                        r = bdrv_pwrite(bs, off + i, a + i, k, 0);
                }
                if (r < 0) {
                    error_report("%s: error while rebasing at %" PRIu64 ": %s", file, off, bdrv_last_error(bs));
                    rc = 1;
                }
            }
            off += n;
            img_progress(progress, off, bs->total_size);
        }
        free(a);
        free(b);
        if (rc == 0 && bdrv_flush(bs) < 0) {
            error_report("%s: flush failed: %s", file, bdrv_last_error(bs));
            rc = 1;
        }
    }
    if (rc == 0 && bs->drv->change_backing(bs, *bfile ? bfile : NULL, *bfile ? bfmt : NULL, &err) < 0) {
        error_report("%s: Could not change the backing file: %s", file, err->msg);
        rc = 1;
    }
    error_free(err);
    bdrv_close(nb);
    bdrv_close(bs);
    return rc;
}

int img_commit(int argc, char **argv)
{
    const char *fmt = NULL;
    bool drop = false, progress = false, quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:t:b:dpqhU", help_only, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 't': case 'U': break;
        case 'b': fatal("commit -b (a base further down the chain) is not implemented yet");
        case 'd': drop = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'h':
            printf("usage: vireo-img commit [-f fmt] [-d] [-p] [-q] filename\n\n"
                   "Write the data of an image into its backing file. Afterwards the image is emptied\n"
                   "(it reads the same, through the backing file) unless -d is given.\n");
            return 0;
        default: return opt_fail("commit", c, argv);
        }
    }
    if (optind != argc - 1)
        fatal("Expecting one image file name (see 'vireo-img commit --help')");
    const char *file = argv[optind];
    BlockDriverState *bs = img_open(file, fmt, BDRV_O_RDWR | BDRV_O_NO_BACKING);
    if (!bs)
        return 1;
    if (!bs->backing_file) {
        error_report("%s: Image does not have a backing file", file);
        bdrv_close(bs);
        return 1;
    }
    BlockDriverState *base = img_open(bs->backing_path, bs->backing_fmt, BDRV_O_RDWR);
    if (!base) {
        bdrv_close(bs);
        return 1;
    }
    bs->backing = base;   /* reads of partial clusters may need it */
    int rc = 0;
    uint8_t *buf = xmalloc(OPS_CHUNK);
    if (base->total_size < bs->total_size) {
        Error *err = NULL;
        if (!base->drv->truncate || base->drv->truncate(base, bs->total_size, false, &err) < 0) {
            error_report("%s: the backing file is smaller and cannot be grown: %s", file,
                         err ? err->msg : "not implemented for its format");
            rc = 1;
        }
        error_free(err);
    }
    for (uint64_t off = 0; rc == 0 && off < bs->total_size;) {
        uint64_t n, map;
        int st = bdrv_block_status(bs, off, bs->total_size - off, &n, &map);
        if (st < 0) {
            error_report("%s: %s", file, bdrv_last_error(bs));
            rc = 1;
            break;
        }
        if (st & BDRV_BLOCK_ALLOCATED) {
            int r = (st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA) ? bdrv_pwrite_zeroes(base, off, n)
                                                                        : copy_range(bs, base, off, n, buf);
            if (r < 0) {
                error_report("%s: error while committing at %" PRIu64 ": %s", file, off,
                             bdrv_last_error(base)[0] ? bdrv_last_error(base) : bdrv_last_error(bs));
                rc = 1;
            }
        }
        off += n;
        img_progress(progress, off, bs->total_size);
    }
    free(buf);
    if (rc == 0 && bdrv_flush(base) < 0) {
        error_report("%s: flush failed: %s", bs->backing_path, bdrv_last_error(base));
        rc = 1;
    }
    if (rc == 0 && !drop) {
        if (!bs->drv->make_empty) {
            error_report("%s: emptying %s images is not implemented yet (use -d)", file, bs->drv->format_name);
            rc = 1;
        } else if (bs->drv->make_empty(bs) < 0) {
            error_report("%s: could not empty the image: %s", file, bdrv_last_error(bs));
            rc = 1;
        }
    }
    if (rc == 0 && !quiet)
        printf("Image committed.\n");
    bdrv_close(bs);   /* closes base too */
    return rc;
}

int img_dd(int argc, char **argv)
{
    const char *fmt = NULL, *ofmt = "raw", *in = NULL, *out = NULL;
    uint64_t bsz = 512, count = UINT64_MAX, skip = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:O:hU", help_only, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': ofmt = optarg; break;
        case 'U': break;
        case 'h':
            printf("usage: vireo-img dd [-f fmt] [-O output_fmt] [bs=block_size] [count=blocks] [skip=blocks]\n"
                   "                    if=input of=output\n\n"
                   "Copy count blocks of bs bytes, after skipping skip blocks of the input, into a new\n"
                   "image of output_fmt (default raw).\n");
            return 0;
        default: return opt_fail("dd", c, argv);
        }
    }
    for (int i = optind; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "if=", 3))
            in = a + 3;
        else if (!strncmp(a, "of=", 3))
            out = a + 3;
        else if (!strncmp(a, "bs=", 3)) {
            if (!parse_size(a + 3, &bsz) || !bsz)
                fatal("invalid number: '%s'", a + 3);
        } else if (!strncmp(a, "count=", 6)) {
            if (!parse_size(a + 6, &count))
                fatal("invalid number: '%s'", a + 6);
        } else if (!strncmp(a, "skip=", 5)) {
            if (!parse_size(a + 5, &skip))
                fatal("invalid number: '%s'", a + 5);
        } else
            fatal("unrecognized operand %s", a);
    }
    if (!in || !out)
        fatal("Must specify both input and output files");
    const BlockDriver *odrv = bdrv_find_format(ofmt);
    if (!odrv)
        fatal("Unknown file format '%s'", ofmt);
    BlockDriverState *src = img_open(in, fmt, 0);
    if (!src)
        return 1;
    uint64_t start = skip > src->total_size / bsz ? src->total_size : skip * bsz;
    uint64_t len = src->total_size - start;
    if (count != UINT64_MAX && count <= len / bsz)
        len = count * bsz;
    Error *err = NULL;
    BlockCreateArgs a = { .filename = out, .size = len };
    if (bdrv_create(odrv, &a, &err) < 0) {
        error_report("%s: %s", out, err->msg);
        error_free(err);
        bdrv_close(src);
        return 1;
    }
    BlockDriverState *dst = img_open(out, ofmt, BDRV_O_RDWR);
    if (!dst) {
        bdrv_close(src);
        return 1;
    }
    uint8_t *buf = xmalloc(OPS_CHUNK);
    int rc = 0;
    for (uint64_t off = 0; off < len && rc == 0;) {
        uint64_t n = MIN(len - off, OPS_CHUNK);
        if (bdrv_pread(src, start + off, buf, n) < 0) {
            error_report("%s: error while reading: %s", in, bdrv_last_error(src));
            rc = 1;
        } else if (!buffer_is_zero(buf, n) && bdrv_pwrite(dst, off, buf, n, 0) < 0) {
            error_report("%s: error while writing: %s", out, bdrv_last_error(dst));
            rc = 1;
        }
        off += n;
    }
    free(buf);
    bdrv_close(dst);
    bdrv_close(src);
    return rc;
}

int img_bench(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "pattern", required_argument, NULL, 256 },
        { "flush-interval", required_argument, NULL, 257 },
        { "no-drain", no_argument, NULL, 258 },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL;
    uint64_t count = 75000, bsize = 4096, offset = 0, step = 0, flush_every = 0;
    bool write = false, quiet = false;
    int depth = 64, pattern = 0xa5, c;
    while ((c = getopt_long(argc, argv, ":c:d:f:no:qs:S:t:i:wUh", lo, NULL)) != -1) {
        switch (c) {
        case 'c': if (!parse_size(optarg, &count) || !count) fatal("Invalid request count specified"); break;
        case 'd': depth = atoi(optarg); if (depth < 1) fatal("Invalid queue depth specified"); break;
        case 'f': fmt = optarg; break;
        case 'n': case 't': case 'i': case 'U': case 258: break;
        case 'o': if (!parse_size(optarg, &offset)) fatal("Invalid offset specified"); break;
        case 'q': quiet = true; break;
        case 's': if (!parse_size(optarg, &bsize) || !bsize || bsize > 256 * MiB) fatal("Invalid buffer size specified"); break;
        case 'S': if (!parse_size(optarg, &step)) fatal("Invalid step size specified"); break;
        case 'w': write = true; break;
        case 256: pattern = atoi(optarg); break;
        case 257: if (!parse_size(optarg, &flush_every)) fatal("Invalid flush interval specified"); break;
        case 'h':
            printf("usage: vireo-img bench [-c count] [-d depth] [-f fmt] [-o offset] [-s buffer_size]\n"
                   "       [-S step_size] [-w] [--pattern=N] [--flush-interval=N] [-q] filename\n\n"
                   "Time count sequential requests of buffer_size bytes (reads, or writes with -w).\n"
                   "Requests run one at a time here; -d, -n, -t, -i are accepted and ignored.\n");
            return 0;
        default: return opt_fail("bench", c, argv);
        }
    }
    if (optind != argc - 1)
        fatal("Expecting one image file name (see 'vireo-img bench --help')");
    if (!step)
        step = bsize;
    BlockDriverState *bs = img_open(argv[optind], fmt, write ? BDRV_O_RDWR : 0);
    if (!bs)
        return 1;
    if (!quiet)
        printf("Sending %" PRIu64 " %s requests, %" PRIu64 " bytes each, 1 in parallel (starting at offset %"
               PRIu64 ", step size %" PRIu64 ")\n", count, write ? "write" : "read", bsize, offset, step);
    (void)depth;   /* requests run one at a time in this version */
    uint8_t *buf = xmalloc(bsize);
    memset(buf, pattern, bsize);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 0;
    uint64_t off = offset;
    for (uint64_t i = 0; i < count && rc == 0; i++) {
        if (off + bsize > bs->total_size)
            off = offset;   /* wrap around, as the image is finite */
        int r = write ? bdrv_pwrite(bs, off, buf, bsize, 0) : bdrv_pread(bs, off, buf, bsize);
        if (r < 0) {
            error_report("%s: request at %" PRIu64 " failed: %s", argv[optind], off, bdrv_last_error(bs));
            rc = 1;
        }
        if (write && flush_every && (i + 1) % flush_every == 0)
            bdrv_flush(bs);
        off += step;
    }
    if (write && rc == 0)
        bdrv_flush(bs);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == 0 && !quiet)
        printf("Run completed in %.3f seconds.\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    free(buf);
    bdrv_close(bs);
    return rc;
}

int img_amend(int argc, char **argv)
{
    const char *fmt = NULL;
    ImgOpts opts = { 0 };
    Error *err = NULL;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:t:pqhU", help_only, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'o':
            if (!img_opts_parse(&opts, optarg, &err))
                fatal("%s", err->msg);
            break;
        case 't': case 'p': case 'U': break;
        case 'q': quiet = true; break;
        case 'h':
            printf("usage: vireo-img amend [-f fmt] [-q] -o options filename\n\n"
                   "Change format options of an existing image. qcow2: compat=0.10|1.1 (a downgrade\n"
                   "writes out zero clusters first), lazy_refcounts=on|off.\n");
            return 0;
        default: return opt_fail("amend", c, argv);
        }
    }
    (void)quiet;
    if (!opts.n)
        fatal("Must specify options (-o)");
    if (optind != argc - 1)
        fatal("Expecting one image file name (see 'vireo-img amend --help')");
    const char *file = argv[optind];
    BlockDriverState *bs = img_open(file, fmt, BDRV_O_RDWR);
    if (!bs) {
        img_opts_free(&opts);
        return 1;
    }
    int rc = 0;
    if (!bs->drv->amend) {
        error_report("%s: Format driver '%s' does not support option amendment", file, bs->drv->format_name);
        rc = 1;
    } else if (bs->drv->amend(bs, &opts, &err) < 0) {
        error_report("%s: %s", file, err->msg);
        rc = 1;
    } else if (img_opts_unused(&opts)) {
        error_report("%s: Invalid parameter '%s' for format %s", file, img_opts_unused(&opts), bs->drv->format_name);
        rc = 1;
    }
    error_free(err);
    img_opts_free(&opts);
    bdrv_close(bs);
    return rc;
}

/* Bytes a qcow2 image takes for `data` data clusters in `l2` L2 tables (spec layout: header,
 * L1, L2 tables, refcount table and blocks that also count themselves). */
static uint64_t qcow2_bytes(uint64_t vsize, uint64_t cs, uint64_t refbits, uint64_t data, uint64_t l2)
{
    uint64_t per_l1 = cs * (cs / 8);
    uint64_t l1c = ALIGN_UP(MAX(1, (vsize + per_l1 - 1) / per_l1) * 8, cs) / cs;
    uint64_t per_rb = cs * 8 / refbits, rb = 1, rt = 1;
    for (;;) {
        uint64_t total = 1 + l1c + l2 + data + rt + rb;
        uint64_t nrb = (total + per_rb - 1) / per_rb, nrt = (nrb * 8 + cs - 1) / cs;
        if (nrb == rb && nrt == rt)
            break;
        rb = nrb;
        rt = nrt;
    }
    return (1 + l1c + l2 + data + rt + rb) * cs;
}

int img_measure(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "output", required_argument, NULL, 256 },
        { "size", required_argument, NULL, 257 },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *ofmt = "raw", *output = "human";
    ImgOpts opts = { 0 };
    Error *err = NULL;
    uint64_t size = 0;
    bool have_size = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:O:o:l:hU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': ofmt = optarg; break;
        case 'o':
            if (!img_opts_parse(&opts, optarg, &err))
                fatal("%s", err->msg);
            break;
        case 'l': fatal("measure -l (snapshots) is not implemented yet");
        case 'U': break;
        case 256: output = optarg; break;
        case 257:
            if (!parse_size(optarg, &size))
                fatal("Invalid image size specified");
            have_size = true;
            break;
        case 'h':
            printf("usage: vireo-img measure [--output=human|json] [-O output_fmt] [-o options]\n"
                   "                         [--size N | [-f fmt] filename]\n\n"
                   "How many bytes an image of output_fmt needs for the data of filename (required\n"
                   "size) and when every cluster is allocated (fully allocated size). raw and qcow2.\n");
            return 0;
        default: return opt_fail("measure", c, argv);
        }
    }
    bool json = !strcmp(output, "json");
    if (!json && strcmp(output, "human"))
        fatal("--output must be used with human or json as argument.");
    if (have_size == (optind < argc))
        fatal("Either --size N or one filename must be specified.");
    uint64_t cs = 65536, refbits = 16;
    bool qcow2 = !strcmp(ofmt, "qcow2");
    if (qcow2) {
        if (!img_opts_get_size(&opts, "cluster_size", 65536, &cs, &err) ||
            !img_opts_get_size(&opts, "refcount_bits", 16, &refbits, &err))
            fatal("%s", err->msg);
        img_opts_get(&opts, "compat");
        img_opts_get(&opts, "lazy_refcounts");
        if (cs < 512 || cs > 2 * MiB || (cs & (cs - 1)) || !refbits || refbits > 64 || (refbits & (refbits - 1)))
            fatal("invalid cluster_size or refcount_bits");
    } else if (strcmp(ofmt, "raw")) {
        fatal("measure for output format '%s' is not implemented yet (raw, qcow2)", ofmt);
    }
    if (img_opts_unused(&opts))
        fatal("Invalid parameter '%s' for format %s", img_opts_unused(&opts), ofmt);
    uint64_t data = 0, l2 = 0, vsize = size;
    if (!have_size) {
        BlockDriverState *bs = img_open(argv[optind], fmt, 0);
        if (!bs)
            return 1;
        vsize = bs->total_size;
        uint64_t gran = qcow2 ? cs : 512, per_l2 = cs * (cs / 8), last_l2 = UINT64_MAX;
        for (uint64_t off = 0; off < vsize;) {
            uint64_t n, map;
            int depth;
            BlockDriverState *layer;
            int st = bdrv_block_status_above(bs, off, vsize - off, &n, &map, &depth, &layer);
            if (st < 0) {
                error_report("%s: %s", bs->filename, bdrv_last_error(bs));
                bdrv_close(bs);
                return 1;
            }
            if (st & BDRV_BLOCK_DATA) {
                /* Clusters this run touches, and the L2 tables they need. */
                uint64_t first = off / gran, last = (off + n - 1) / gran;
                if (data && first * gran < off && first == (off - 1) / gran)
                    first++;   /* shared with the previous run: counted already */
                if (first <= last)
                    data += last - first + 1;
                for (uint64_t t = off / per_l2; t <= (off + n - 1) / per_l2; t++)
                    if (t != last_l2) {
                        l2++;
                        last_l2 = t;
                    }
            }
            off += n;
        }
        bdrv_close(bs);
    }
    uint64_t required, full;
    if (qcow2) {
        uint64_t per_l2 = cs * (cs / 8);
        /* Like qemu-img, count every L2 table in both figures (l2 only says which are touched). */
        (void)l2;
        required = qcow2_bytes(vsize, cs, refbits, data, (vsize + per_l2 - 1) / per_l2);
        full = qcow2_bytes(vsize, cs, refbits, (vsize + cs - 1) / cs, (vsize + per_l2 - 1) / per_l2);
    } else {
        required = have_size ? vsize : data * 512;
        full = vsize;
    }
    if (json) {
        printf("{\n");
        printf("    \"required\": %" PRIu64 ",\n    \"fully-allocated\": %" PRIu64 "\n}\n", required, full);
    } else {
        printf("required size: %" PRIu64 "\nfully allocated size: %" PRIu64 "\n", required, full);
    }
    img_opts_free(&opts);
    return 0;
}
