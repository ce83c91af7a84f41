/* vireo-img.c: the disk image tool: sub-command dispatch, create, info, check, map, snapshot. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"
#include "block/img.h"
#include <getopt.h>
#include <math.h>
#include <time.h>

typedef struct ImgCommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
    const char *help;
} ImgCommand;

static const ImgCommand *current_cmd;

static void cmd_help(const ImgCommand *c)
{
    printf("usage: vireo-img %s\n\n%s", c->usage, c->help);
    printf("\nFormats: %s\n", bdrv_format_list());
}

/* Unknown options and missing arguments: one line, then exit 1, as qemu-img does. */
static NORETURN void usage_error(const char *fmt, ...)
{
    va_list ap;
    char *msg;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        exit(1);
    va_end(ap);
    fatal("%s (see 'vireo-img %s --help')", msg, current_cmd ? current_cmd->name : "");
}

char *img_size_str(uint64_t v)
{
    static const char *const units[] = { "", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    int e;
    /* Switch unit at 1000 of the smaller one, so 1000 KiB prints as 0.977 MiB (like qemu-img). */
    frexp(v / (1000.0 / 1024.0), &e);
    int i = (e - 1) / 10;
    if (i <= 0)
        return xasprintf("%" PRIu64 " B", v);
    if (i > 6)
        i = 6;
    return xasprintf("%0.3g %s", (double)v / (double)(1ULL << (i * 10)), units[i]);
}

void img_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = *s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

BlockDriverState *img_open(const char *file, const char *fmt, int flags)
{
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(file, fmt, flags, &err);
    if (!bs) {
        error_report("%s: %s", file, err->msg);
        error_free(err);
    }
    return bs;
}

void img_progress(bool on, uint64_t done, uint64_t total)
{
    if (!on)
        return;
    printf("    (%.2f/100%%)\r", total ? 100.0 * done / total : 100.0);
    fflush(stdout);
}

/* Long options every sub-command takes. */
enum { OPT_HELP = 256, OPT_OUTPUT, OPT_BACKING_CHAIN, OPT_SHRINK, OPT_START, OPT_MAXLEN,
       OPT_FORCE_SHARE, OPT_OBJECT, OPT_IMAGE_OPTS };

/* ---- create ---- */

static void print_create_help(const char *fmt)
{
    const BlockDriver *drv = bdrv_find_format(fmt);
    printf("Supported options:\n%s", drv && drv->create_help ? drv->create_help : "");
    printf("size             virtual disk size\n");
}

static int img_create(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPT_OBJECT },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = "raw", *backing = NULL, *backing_fmt = NULL;
    ImgOpts opts = { 0 };
    bool quiet = false, unsafe = false;
    Error *err = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:b:F:uqh", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'b': backing = optarg; break;
        case 'F': backing_fmt = optarg; break;
        case 'u': unsafe = true; break;
        case 'q': quiet = true; break;
        case 'o':
            if (!img_opts_parse(&opts, optarg, &err))
                fatal("%s", err->msg);
            break;
        case 'h': cmd_help(current_cmd); return 0;
        case OPT_OBJECT: fatal("--object is not supported (no encryption or secrets)");
        case ':': usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    const BlockDriver *drv = bdrv_find_format(fmt);
    if (!drv)
        fatal("Unknown file format '%s'", fmt);
    if (img_opts_get(&opts, "help") || img_opts_get(&opts, "?")) {
        print_create_help(fmt);
        return 0;
    }
    if (optind >= argc)
        usage_error("Expecting image file name");
    const char *file = argv[optind++];
    uint64_t size = 0;
    bool have_size = false;
    const char *osize = img_opts_get(&opts, "size");
    if (optind < argc) {
        if (!parse_size(argv[optind], &size))
            fatal("Invalid image size specified. You may use k, M, G, T, P or E suffixes for");
        have_size = true;
        optind++;
    } else if (osize) {
        if (!parse_size(osize, &size))
            fatal("Parameter 'size' expects a size");
        have_size = true;
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", argv[optind]);
    if (!backing)
        backing = img_opts_get(&opts, "backing_file");
    if (!backing_fmt)
        backing_fmt = img_opts_get(&opts, "backing_fmt");
    if (backing && !unsafe) {
        /* The backing file must open (and gives the size when none is given). */
        char *path = bdrv_resolve_backing(file, backing);
        BlockDriverState *b = bdrv_open(path, backing_fmt, 0, &err);
        if (!b)
            fatal("%s: Could not open backing image '%s': %s", file, path, err->msg);
        if (!have_size) {
            size = b->total_size;
            have_size = true;
        }
        if (!backing_fmt)
            backing_fmt = b->drv->format_name;
        bdrv_close(b);
        free(path);
    } else if (backing && unsafe && !have_size) {
        fatal("%s: size must be given with -u and a backing file", file);
    }
    if (!have_size)
        fatal("%s: Image creation needs a size parameter", file);
    if (size > INT64_MAX)
        fatal("%s: size too large", file);
    if (!quiet)
        printf("Formatting '%s', fmt=%s size=%" PRIu64 "%s%s\n", file, fmt, size,
               backing ? " backing_file=" : "", backing ? backing : "");
    BlockCreateArgs a = { .filename = file, .size = size, .backing_file = backing,
                          .backing_fmt = backing_fmt, .opts = &opts };
    if (bdrv_create(drv, &a, &err) < 0)
        fatal("%s: %s", file, err->msg);
    const char *bad = img_opts_unused(&opts);
    if (bad)
        fatal("%s: Invalid parameter '%s' for format %s", file, bad, fmt);
    img_opts_free(&opts);
    return 0;
}

/* ---- info ---- */

static void info_human(BlockDriverState *bs)
{
    ImageInfo ii = { 0 };
    if (bs->drv->get_info)
        bs->drv->get_info(bs, &ii);
    char *vs = img_size_str(bs->total_size);
    int64_t alloc = bdrv_allocated_size(bs);
    printf("image: %s\nfile format: %s\nvirtual size: %s (%" PRIu64 " bytes)\n",
           bs->filename, bs->drv->format_name, vs, bs->total_size);
    free(vs);
    if (alloc >= 0) {
        char *ds = img_size_str(alloc);
        printf("disk size: %s\n", ds);
        free(ds);
    } else {
        printf("disk size: unavailable\n");
    }
    if (ii.cluster_size)
        printf("cluster_size: %" PRId64 "\n", ii.cluster_size);
    if (bs->backing_file) {
        printf("backing file: %s", bs->backing_file);
        if (strcmp(bs->backing_file, bs->backing_path))
            printf(" (actual path: %s)", bs->backing_path);
        printf("\n");
        if (bs->backing_fmt)
            printf("backing file format: %s\n", bs->backing_fmt);
    }
    if (ii.dirty)
        printf("cleanly shut down: no\n");
    SnapshotInfo *sn = NULL;
    int nsn = bs->drv->snapshot_list ? bs->drv->snapshot_list(bs, &sn) : 0;
    if (nsn > 0) {
        printf("Snapshot list:\nID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\n");
        for (int i = 0; i < nsn; i++) {
            char date[32];
            time_t t = sn[i].date_sec;
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
            char *vm = img_size_str(sn[i].vm_state_size);
            uint64_t ns = sn[i].vm_clock_nsec, secs = ns / 1000000000ULL;
            printf("%-9s %-17s %7s %s %04" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64 "\n",
                   sn[i].id, sn[i].name, vm, date, secs / 3600, (secs / 60) % 60, secs % 60,
                   (ns / 1000000) % 1000);
            free(vm);
        }
    }
    for (int i = 0; i < nsn; i++) {
        free(sn[i].id);
        free(sn[i].name);
    }
    free(sn);
    if (ii.nfields) {
        printf("Format specific information:\n");
        for (int i = 0; i < ii.nfields; i++) {
            InfoField *f = &ii.f[i];
            printf("    %s: ", f->human);
            if (f->type == INFO_STR)
                printf("%s\n", f->s);
            else if (f->type == INFO_INT)
                printf("%" PRId64 "\n", f->i);
            else
                printf("%s\n", f->b ? "true" : "false");
        }
    }
    image_info_free(&ii);
}

static void info_json(BlockDriverState *bs, const char *indent)
{
    ImageInfo ii = { 0 };
    if (bs->drv->get_info)
        bs->drv->get_info(bs, &ii);
    printf("%s{\n%s    \"virtual-size\": %" PRIu64 ",\n%s    \"filename\": ", indent, indent, bs->total_size, indent);
    img_json_str(stdout, bs->filename);
    if (ii.cluster_size)
        printf(",\n%s    \"cluster-size\": %" PRId64, indent, ii.cluster_size);
    printf(",\n%s    \"format\": \"%s\"", indent, bs->drv->format_name);
    int64_t alloc = bdrv_allocated_size(bs);
    if (alloc >= 0)
        printf(",\n%s    \"actual-size\": %" PRId64, indent, alloc);
    if (ii.nfields) {
        printf(",\n%s    \"format-specific\": {\n%s        \"type\": \"%s\",\n%s        \"data\": {",
               indent, indent, bs->drv->format_name, indent);
        for (int i = 0; i < ii.nfields; i++) {
            InfoField *f = &ii.f[i];
            printf("%s\n%s            \"%s\": ", i ? "," : "", indent, f->json);
            if (f->type == INFO_STR)
                img_json_str(stdout, f->s);
            else if (f->type == INFO_INT)
                printf("%" PRId64, f->i);
            else
                printf("%s", f->b ? "true" : "false");
        }
        printf("\n%s        }\n%s    }", indent, indent);
    }
    if (bs->backing_file) {
        printf(",\n%s    \"backing-filename\": ", indent);
        img_json_str(stdout, bs->backing_file);
        printf(",\n%s    \"full-backing-filename\": ", indent);
        img_json_str(stdout, bs->backing_path);
        if (bs->backing_fmt) {
            printf(",\n%s    \"backing-filename-format\": ", indent);
            img_json_str(stdout, bs->backing_fmt);
        }
    }
    printf(",\n%s    \"dirty-flag\": %s\n%s}", indent, ii.dirty ? "true" : "false", indent);
    image_info_free(&ii);
}

static int img_info(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "output", required_argument, NULL, OPT_OUTPUT },
        { "backing-chain", no_argument, NULL, OPT_BACKING_CHAIN },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *output = "human";
    bool chain = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:hU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'U': break;   /* no image locking yet, so sharing is always allowed */
        case OPT_OUTPUT: output = optarg; break;
        case OPT_BACKING_CHAIN: chain = true; break;
        case 'h': cmd_help(current_cmd); return 0;
        case ':': usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    bool json = !strcmp(output, "json");
    if (!json && strcmp(output, "human"))
        fatal("--output must be used with human or json as argument.");
    if (optind != argc - 1)
        usage_error("Expecting one image file name");
    BlockDriverState *bs = img_open(argv[optind], fmt, chain ? 0 : BDRV_O_NO_BACKING);
    if (!bs)
        return 1;
    if (json && chain)
        printf("[\n");
    for (BlockDriverState *b = bs; b; b = chain ? b->backing : NULL) {
        if (json) {
            info_json(b, chain ? "    " : "");
            printf("%s\n", chain && b->backing ? "," : "");
        } else {
            if (b != bs)
                printf("\n");
            info_human(b);
        }
    }
    if (json && chain)
        printf("]\n");
    bdrv_close(bs);
    return 0;
}

/* ---- check ---- */

static int img_check(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "output", required_argument, NULL, OPT_OUTPUT },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *output = "human";
    int fix = 0, c;
    bool quiet = false;
    while ((c = getopt_long(argc, argv, ":f:r:T:qhU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'r':
            if (!strcmp(optarg, "leaks"))
                fix = CHECK_FIX_LEAKS;
            else if (!strcmp(optarg, "all"))
                fix = CHECK_FIX_LEAKS | CHECK_FIX_ERRORS;
            else
                usage_error("Unknown option value for -r (expecting 'leaks' or 'all'): %s", optarg);
            break;
        case 'T': break;   /* cache mode: reads go through the page cache regardless */
        case 'q': quiet = true; break;
        case 'U': break;
        case OPT_OUTPUT: output = optarg; break;
        case 'h': cmd_help(current_cmd); return 0;
        case ':': usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    bool json = !strcmp(output, "json");
    if (!json && strcmp(output, "human"))
        fatal("--output must be used with human or json as argument.");
    if (optind != argc - 1)
        usage_error("Expecting one image file name");
    const char *file = argv[optind];
    BlockDriverState *bs = img_open(file, fmt, BDRV_O_NO_BACKING | BDRV_O_CHECK | (fix ? BDRV_O_RDWR : 0));
    if (!bs)
        return 1;
    if (!bs->drv->check) {
        error_report("This image format does not support checks");
        bdrv_close(bs);
        return 63;
    }
    ImageCheck res = { 0 };
    int r = bs->drv->check(bs, &res, fix);
    if (r < 0) {
        error_report("%s: Check failed: %s", file, bdrv_last_error(bs));
        bdrv_close(bs);
        return 1;
    }
    if (fix && (res.corruptions_fixed || res.leaks_fixed) && !json && !quiet)
        printf("The following inconsistencies were found and repaired:\n\n"
               "    %" PRId64 " leaked clusters\n    %" PRId64 " corruptions\n\n"
               "Double checking the fixed image now...\n",
               res.leaks_fixed, res.corruptions_fixed);
    if (fix && (res.corruptions_fixed || res.leaks_fixed)) {
        /* Report what is left after repair, as qemu-img does. */
        ImageCheck again = { 0 };
        if (bs->drv->check(bs, &again, 0) == 0) {
            again.leaks_fixed = res.leaks_fixed;
            again.corruptions_fixed = res.corruptions_fixed;
            res = again;
        }
    }
    int64_t corrupt = res.corruptions, leaks = res.leaks;
    if (json) {
        /* qemu-img's keys and order; counts that are zero are left out, as it does. */
        printf("{\n    \"image-end-offset\": %" PRId64 ",\n", res.image_end_offset);
        if (res.compressed_clusters)
            printf("    \"compressed-clusters\": %" PRId64 ",\n", res.compressed_clusters);
        printf("    \"total-clusters\": %" PRId64 ",\n    \"check-errors\": %" PRId64 ",\n",
               res.total_clusters, res.check_errors);
        if (leaks)
            printf("    \"leaks\": %" PRId64 ",\n", leaks);
        if (corrupt)
            printf("    \"corruptions\": %" PRId64 ",\n", corrupt);
        if (res.leaks_fixed)
            printf("    \"leaks-fixed\": %" PRId64 ",\n", res.leaks_fixed);
        if (res.corruptions_fixed)
            printf("    \"corruptions-fixed\": %" PRId64 ",\n", res.corruptions_fixed);
        printf("    \"allocated-clusters\": %" PRId64 ",\n    \"filename\": ", res.allocated_clusters);
        img_json_str(stdout, file);
        printf(",\n    \"format\": \"%s\"", bs->drv->format_name);
        if (res.fragmented_clusters)
            printf(",\n    \"fragmented-clusters\": %" PRId64, res.fragmented_clusters);
        printf("\n}\n");
    } else if (!quiet) {
        if (!corrupt && !leaks && !res.check_errors)
            printf("No errors were found on the image.\n");
        if (corrupt)
            printf("\n%" PRId64 " errors were found on the image.\n"
                   "Data may be corrupted, or further writes to the image may corrupt it.\n", corrupt);
        if (leaks)
            printf("\n%" PRId64 " leaked clusters were found on the image.\n"
                   "This means waste of disk space, but no harm to data.\n", leaks);
        if (res.check_errors)
            printf("\n%" PRId64 " internal errors have occurred during the check.\n", res.check_errors);
        if (res.total_clusters)
            printf("%" PRId64 "/%" PRId64 " = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% compressed clusters\n",
                   res.allocated_clusters, res.total_clusters,
                   100.0 * res.allocated_clusters / res.total_clusters,
                   res.allocated_clusters ? 100.0 * res.fragmented_clusters / res.allocated_clusters : 0.0,
                   res.allocated_clusters ? 100.0 * res.compressed_clusters / res.allocated_clusters : 0.0);
        if (res.image_end_offset)
            printf("Image end offset: %" PRId64 "\n", res.image_end_offset);
    }
    bdrv_close(bs);
    if (res.check_errors)
        return 1;
    if (corrupt)
        return 2;
    if (leaks)
        return 3;
    return 0;
}

/* ---- map ---- */

typedef struct MapEntry {
    uint64_t start, length, offset;
    int depth;
    bool present, zero, data, has_offset;
    const char *file;
} MapEntry;

static void map_print(const MapEntry *e, bool json, bool first)
{
    if (json) {
        printf("%s{ \"start\": %" PRIu64 ", \"length\": %" PRIu64 ", \"depth\": %d, \"present\": %s,"
               " \"zero\": %s, \"data\": %s", first ? "" : ",\n", e->start, e->length, e->depth,
               e->present ? "true" : "false", e->zero ? "true" : "false", e->data ? "true" : "false");
        if (e->has_offset)
            printf(", \"offset\": %" PRIu64, e->offset);
        printf("}");
    } else if (e->data && e->has_offset) {
        printf("%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n", e->start, e->length, e->offset, e->file);
    }
}

static int img_map(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "output", required_argument, NULL, OPT_OUTPUT },
        { "start-offset", required_argument, NULL, OPT_START },
        { "max-length", required_argument, NULL, OPT_MAXLEN },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *output = "human";
    uint64_t start = 0, maxlen = UINT64_MAX;
    int c;
    while ((c = getopt_long(argc, argv, ":f:hU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'U': break;
        case OPT_OUTPUT: output = optarg; break;
        case OPT_START:
            if (!parse_size(optarg, &start))
                fatal("Invalid start offset specified! You may use k, M, G, T, P or E suffixes for");
            break;
        case OPT_MAXLEN:
            if (!parse_size(optarg, &maxlen))
                fatal("Invalid length specified! You may use k, M, G, T, P or E suffixes for");
            break;
        case 'h': cmd_help(current_cmd); return 0;
        case ':': usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    bool json = !strcmp(output, "json");
    if (!json && strcmp(output, "human"))
        fatal("--output must be used with human or json as argument.");
    if (optind != argc - 1)
        usage_error("Expecting one image file name");
    BlockDriverState *bs = img_open(argv[optind], fmt, 0);
    if (!bs)
        return 1;
    uint64_t end = bs->total_size;
    if (maxlen < end - MIN(start, end) )
        end = start + maxlen;
    if (json)
        printf("[");
    else
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
    MapEntry cur = { 0 };
    bool have = false, first = true;
    int rc = 0;
    for (uint64_t off = start; off < end;) {
        uint64_t n, map;
        int depth;
        BlockDriverState *layer;
        int r = bdrv_block_status_above(bs, off, end - off, &n, &map, &depth, &layer);
        if (r < 0) {
            error_report("%s: %s", bs->filename, bdrv_last_error(bs));
            rc = 1;
            break;
        }
        /* "present": some layer of the chain decides the content; unallocated reads as zero. */
        MapEntry e = {
            .start = off, .length = n, .depth = depth, .offset = map,
            .present = (r & BDRV_BLOCK_ALLOCATED) != 0, .zero = (r & BDRV_BLOCK_ZERO) != 0,
            .data = (r & BDRV_BLOCK_DATA) != 0, .has_offset = (r & BDRV_BLOCK_OFFSET_VALID) != 0,
            .file = layer->filename,
        };
        if (have && cur.depth == e.depth && cur.present == e.present && cur.zero == e.zero &&
            cur.data == e.data && cur.has_offset == e.has_offset && cur.file == e.file &&
            (!cur.has_offset || cur.offset + cur.length == e.offset)) {
            cur.length += e.length;
        } else {
            if (have) {
                map_print(&cur, json, first);
                first = false;
            }
            cur = e;
            have = true;
        }
        off += n;
    }
    if (have && !rc)
        map_print(&cur, json, first);
    if (json)
        printf("]\n");
    bdrv_close(bs);
    return rc;
}

/* ---- snapshot ---- */

static int img_snapshot(int argc, char **argv)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *name = NULL;
    int action = 0, c;
    while ((c = getopt_long(argc, argv, ":f:lc:a:d:qhU", lo, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'l': case 'c': case 'a': case 'd':
            if (action)
                usage_error("Cannot mix '-l', '-a', '-c', '-d'");
            action = c;
            name = optarg;
            break;
        case 'q': case 'U': break;
        case 'h': cmd_help(current_cmd); return 0;
        case ':': usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        usage_error("Expecting one image file name");
    if (!action)
        action = 'l';
    BlockDriverState *bs = img_open(argv[optind], fmt, BDRV_O_NO_BACKING | (action != 'l' ? BDRV_O_RDWR : 0));
    if (!bs)
        return 1;
    if (action != 'l') {
        int (*op)(BlockDriverState *, const char *, Error **) =
            action == 'c' ? bs->drv->snapshot_create : action == 'a' ? bs->drv->snapshot_apply
                                                                     : bs->drv->snapshot_delete;
        Error *err = NULL;
        int rc = 0;
        if (!op) {
            error_report("%s: format %s has no internal snapshots", argv[optind], bs->drv->format_name);
            rc = 1;
        } else if (op(bs, name, &err) < 0) {
            error_report("%s: %s", argv[optind], err->msg);
            rc = 1;
        }
        error_free(err);
        bdrv_close(bs);
        return rc;
    }
    if (!bs->drv->snapshot_list) {
        bdrv_close(bs);
        fatal("%s: format %s has no internal snapshots", argv[optind], bs->drv->format_name);
    }
    SnapshotInfo *sn;
    int n = bs->drv->snapshot_list(bs, &sn);
    if (n > 0) {
        printf("Snapshot list:\nID        TAG               VM SIZE                DATE     VM CLOCK     ICOUNT\n");
        for (int i = 0; i < n; i++) {
            char date[32];
            time_t t = sn[i].date_sec;
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
            char *vm = img_size_str(sn[i].vm_state_size);
            printf("%-9s %-17s %7s %s\n", sn[i].id, sn[i].name, vm, date);
            free(vm);
        }
    }
    for (int i = 0; i < n; i++) {
        free(sn[i].id);
        free(sn[i].name);
    }
    free(sn);
    bdrv_close(bs);
    return 0;
}

static const ImgCommand commands[] = {
    { "create", img_create,
      "create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] [-o options] filename [size]",
      "Create a new image of the given size (k, M, G, T, P, E suffixes).\n"
      "  -f fmt            image format (default raw)\n"
      "  -b backing_file   base image; only differences are stored (qcow2)\n"
      "  -F backing_fmt    format of the base image (probed when absent)\n"
      "  -u                do not open the base image (the size must be given)\n"
      "  -o options        format options, key=value,...; '-o help' lists them\n"
      "  -q                quiet\n" },
    { "info", img_info,
      "info [-f fmt] [--output=human|json] [--backing-chain] [-U] filename",
      "Show the format, sizes and format specific information of an image.\n"
      "  --backing-chain   also the images of the backing chain\n"
      "  -U                accepted; vireo-img takes no image locks yet\n" },
    { "check", img_check,
      "check [-q] [-f fmt] [--output=human|json] [-r leaks|all] [-U] filename",
      "Check the metadata of an image. Exit status: 0 clean, 2 corruptions, 3 leaks only,\n"
      "1 the check could not run, 63 the format has no checks.\n"
      "  -r leaks          repair leaked clusters\n"
      "  -r all            repair leaks and errors (refcounts, COPIED flags)\n" },
    { "convert", img_convert,
      "convert [-p] [-q] [-n] [-c] [-f fmt] [-O output_fmt] [-B backing_file] [-o options]\n"
      "        [-S sparse_size] [-t cache] [-T src_cache] [-m num] [-W] filename [filename2 ...] output_filename",
      "Copy one image (or several, concatenated) into a new image of another format.\n"
      "  -O output_fmt     target format (default raw)\n"
      "  -c                compress the target (qcow2)\n"
      "  -p                progress bar\n"
      "  -S size           zero runs at least this long (default 4k) stay holes; 0 writes everything\n"
      "  -n                the target exists: do not create it, write zeros explicitly\n"
      "  -B backing_file   target backing file\n"
      "  -t/-T cache       unsafe (target default: no flushes) or writeback, writethrough, none,\n"
      "                    directsync (flush at the end; O_DIRECT is not used yet)\n"
      "  -m num            threads for compression (default: one per CPU); -W accepted\n" },
    { "compare", img_compare,
      "compare [-f fmt] [-F fmt] [-p] [-q] [-s] [-U] filename1 filename2",
      "Compare the guest-visible content of two images. Exit status: 0 identical, 1 different,\n"
      "2 error. Without -s, a larger image matches if its extra part reads as zeros.\n" },
    { "map", img_map,
      "map [-f fmt] [--output=human|json] [--start-offset=o] [--max-length=l] [-U] filename",
      "Show where the guest data of an image lives (file and offset), run by run.\n" },
    { "snapshot", img_snapshot,
      "snapshot [-l | -a snapshot | -c snapshot | -d snapshot] [-f fmt] [-U] filename",
      "List (-l), create (-c), apply (-a) or delete (-d) internal snapshots (qcow2).\n" },
    { "resize", img_resize, "resize [--shrink] [-f fmt] [-q] filename [+|-]size", "" },
    { "rebase", img_rebase, "rebase [-f fmt] [-p] [-u] -b backing_file [-F backing_fmt] filename", "" },
    { "commit", img_commit, "commit [-f fmt] [-d] [-p] [-q] filename", "" },
    { "amend", img_amend, "amend [-f fmt] [-q] -o options filename", "" },
    { "measure", img_measure, "measure [--output=human|json] [-O output_fmt] [-o options] [--size N | [-f fmt] filename]", "" },
    { "bench", img_bench, "bench [-c count] [-d depth] [-f fmt] [-o offset] [-s buffer_size] [-S step_size] [-w] filename", "" },
    { "dd", img_dd, "dd [-f fmt] [-O output_fmt] [bs=N] [count=N] [skip=N] if=input of=output", "" },
};

static void main_help(void)
{
    printf("usage: vireo-img [--help | --version] COMMAND [command options]\n\n"
           "Disk image tool with qemu-img's sub-commands and option spelling.\n\nCommands:\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        printf("  %s\n", commands[i].usage);
    printf("\n'vireo-img COMMAND --help' describes one command.\nFormats: %s\n", bdrv_format_list());
}

int main(int argc, char **argv)
{
    prog_name = "vireo-img";
    if (argc < 2)
        fatal("Not enough arguments (try 'vireo-img --help')");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        main_help();
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("vireo-img 0.1\n");
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(argv[1], commands[i].name)) {
            current_cmd = &commands[i];
            optind = 1;
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fatal("Command not found: %s", argv[1]);
}
