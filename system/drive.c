/* drive.c: -drive and its shorthands — parse, open images through the block layer, and connect
 * them to the storage controllers through the narrow BlockDev interface (hw/core/blockdev.h). */
#include "util/osdep.h"
#include "util/log.h"
#include "util/option.h"
#include "block/block.h"
#include "hw/block/fdc.h"
#include "hw/core/blockdev.h"
#include "hw/ide/ide.h"
#include "hw/pc/chipset.h"
#include "hw/pc/pc.h"
#include "system/drive.h"

#define MAX_IDE 4
#define MAX_FLOPPY 2

typedef struct DriveSpec {
    char *file;
    char *format;
    DriveIf iface;
    int index;
    bool cdrom;
    bool readonly;
    bool unsafe;                  /* cache=unsafe: flushes return at once */
} DriveSpec;

typedef struct Drive {
    BlockDev bd;
    BlockBackend *blk;
    char *label;
} Drive;

static DriveSpec *specs;
static int nr_specs;

bool drive_add(const char *optstr, Error **errp)
{
    OptList *l = opts_parse(optstr, "file");
    DriveSpec d = { .index = -1 };
    bool ok = false;
    for (int i = 0; i < l->n; i++) {
        const char *k = l->items[i].key, *v = l->items[i].value ? l->items[i].value : "";
        uint64_t n;
        bool b;
        if (!strcmp(k, "file")) {
            d.file = xstrdup(v);
        } else if (!strcmp(k, "format")) {
            d.format = xstrdup(v);
        } else if (!strcmp(k, "if")) {
            if (!strcmp(v, "ide"))
                d.iface = DRIVE_IF_IDE;
            else if (!strcmp(v, "floppy"))
                d.iface = DRIVE_IF_FLOPPY;
            else {
                error_setg(errp, "-drive %s: interface '%s' is not available (ide, floppy)", optstr, v);
                goto out;
            }
        } else if (!strcmp(k, "index")) {
            if (!parse_uint(v, 3, &n)) {
                error_setg(errp, "-drive %s: index must be 0 to 3", optstr);
                goto out;
            }
            d.index = n;
        } else if (!strcmp(k, "media")) {
            if (strcmp(v, "disk") && strcmp(v, "cdrom")) {
                error_setg(errp, "-drive %s: media must be disk or cdrom", optstr);
                goto out;
            }
            d.cdrom = !strcmp(v, "cdrom");
        } else if (!strcmp(k, "readonly") || !strcmp(k, "read-only")) {
            if (!parse_bool(v, &b)) {
                error_setg(errp, "-drive %s: readonly takes on or off", optstr);
                goto out;
            }
            d.readonly = b;
        } else if (!strcmp(k, "cache")) {
            /* writeback, writethrough, none and directsync all write through the host's page
             * cache and honour the guest's flushes; unsafe ignores them. */
            if (!strcmp(v, "unsafe"))
                d.unsafe = true;
            else if (strcmp(v, "writeback") && strcmp(v, "writethrough") && strcmp(v, "none") &&
                     strcmp(v, "directsync")) {
                error_setg(errp, "-drive %s: unknown cache mode '%s'", optstr, v);
                goto out;
            }
        } else if (!strcmp(k, "id") || !strcmp(k, "aio") || !strcmp(k, "discard")) {
            /* accepted: nothing refers to drives by id yet; I/O is synchronous */
        } else {
            error_setg(errp, "-drive %s: '%s' is not supported (file, if, index, media, format, readonly, cache)",
                       optstr, k);
            goto out;
        }
    }
    if (!d.file && !d.cdrom) {
        error_setg(errp, "-drive %s: needs file= (only a CD-ROM drive may be empty)", optstr);
        goto out;
    }
    if (d.cdrom && d.iface != DRIVE_IF_IDE) {
        error_setg(errp, "-drive %s: a CD-ROM goes on the IDE interface", optstr);
        goto out;
    }
    int max = d.iface == DRIVE_IF_IDE ? MAX_IDE : MAX_FLOPPY;
    if (d.index < 0) {
        /* The first free index on that interface. */
        for (d.index = 0; d.index < max; d.index++) {
            bool used = false;
            for (int i = 0; i < nr_specs; i++)
                used |= specs[i].iface == d.iface && specs[i].index == d.index;
            if (!used)
                break;
        }
    }
    if (d.index >= max) {
        error_setg(errp, "-drive %s: no free %s place (at most %d)", optstr,
                   d.iface == DRIVE_IF_IDE ? "IDE" : "floppy", max);
        goto out;
    }
    for (int i = 0; i < nr_specs; i++) {
        if (specs[i].iface == d.iface && specs[i].index == d.index) {
            error_setg(errp, "-drive %s: %s index %d is already in use", optstr,
                       d.iface == DRIVE_IF_IDE ? "IDE" : "floppy", d.index);
            goto out;
        }
    }
    specs = xrealloc(specs, (nr_specs + 1) * sizeof(*specs));
    specs[nr_specs++] = d;
    ok = true;
out:
    if (!ok) {
        free(d.file);
        free(d.format);
    }
    opts_free(l);
    return ok;
}

/* ---- BlockDev over a BlockBackend ---- */

static uint64_t drive_length(BlockDev *bd)
{
    Drive *d = bd->opaque;
    return d->blk ? blk_getlength(d->blk) : 0;
}

static int drive_read(BlockDev *bd, uint64_t off, void *buf, size_t len)
{
    Drive *d = bd->opaque;
    if (!d->blk)
        return -ENOMEDIUM;
    int r = blk_pread(d->blk, off, buf, len);
    if (r < 0)
        qlog(LOG_GUEST_ERRORS, "%s: read of %zu bytes at %" PRIu64 " failed: %s\n", d->label, len,
             off, strerror(-r));
    return r < 0 ? r : 0;
}

static int drive_write(BlockDev *bd, uint64_t off, const void *buf, size_t len)
{
    Drive *d = bd->opaque;
    if (!d->blk)
        return -ENOMEDIUM;
    int r = blk_pwrite(d->blk, off, buf, len, 0);
    if (r < 0)
        error_report("%s: write of %zu bytes at %" PRIu64 " failed: %s", d->label, len, off,
                     strerror(-r));
    return r < 0 ? r : 0;
}

static int drive_flush(BlockDev *bd)
{
    Drive *d = bd->opaque;
    return d->blk ? blk_flush(d->blk) : 0;
}

static Drive *drive_open(const DriveSpec *s, const char *where, Error **errp)
{
    Drive *d = xzalloc(sizeof(*d));
    d->label = xasprintf("%s%s%s%s", where, s->file ? " (" : "", s->file ? s->file : "", s->file ? ")" : "");
    bool ro = s->readonly || s->cdrom;
    if (s->file) {
        Error *err = NULL;
        d->blk = blk_open(s->file, s->format, (ro ? 0 : BDRV_O_RDWR) | (s->unsafe ? BDRV_O_UNSAFE : 0), &err);
        if (!d->blk) {
            /* The block layer's messages name the file already. */
            if (!strstr(err->msg, s->file))
                error_prepend(&err, "%s: ", s->file);
            error_propagate(errp, err);
            free(d->label);
            free(d);
            return NULL;
        }
    }
    d->bd = (BlockDev){ .name = d->label, .read_only = ro, .removable = s->cdrom,
                        .length = drive_length, .read = drive_read, .write = drive_write,
                        .flush = drive_flush, .opaque = d };
    return d;
}

bool drives_attach(PCMachine *pc, Error **errp)
{
    bool ide_used[MAX_IDE] = { false };
    for (int i = 0; i < nr_specs; i++) {
        const DriveSpec *s = &specs[i];
        char where[32];
        if (s->iface == DRIVE_IF_IDE)
            snprintf(where, sizeof where, "ide%d-%s%d", s->index / 2, s->cdrom ? "cd" : "hd", s->index % 2);
        else
            snprintf(where, sizeof where, "floppy%d", s->index);
        Drive *d = drive_open(s, where, errp);
        if (!d)
            return false;
        bool ok;
        if (s->iface == DRIVE_IF_IDE) {
            IDEBus *bus = piix_ide_get_bus(pc->ide, s->index / 2);
            ok = ide_attach_drive(bus, s->index % 2, &d->bd, s->cdrom ? IDE_CD : IDE_HD, errp);
            ide_used[s->index] = true;
        } else {
            ok = fdc_attach_drive(isa_fdc_get(pc->fdc), s->index, &d->bd, errp);
        }
        if (!ok) {
            /* Device models name the drive themselves (BlockDev.name); add it only if not. */
            if (errp && *errp && strncmp((*errp)->msg, d->label, strlen(d->label)))
                error_prepend(errp, "%s: ", d->label);
            return false;
        }
    }
    /* QEMU's pc has an empty CD-ROM drive on the secondary master by default. */
    if (!ide_used[2]) {
        DriveSpec empty = { .iface = DRIVE_IF_IDE, .index = 2, .cdrom = true };
        Drive *d = drive_open(&empty, "ide1-cd0", errp);
        if (!d || !ide_attach_drive(piix_ide_get_bus(pc->ide, 1), 0, &d->bd, IDE_CD, errp))
            return false;
    }
    pc_cmos_set(pc->chipset, 0x10, fdc_cmos_drive_types(isa_fdc_get(pc->fdc)));
    return true;
}
