/* block-fuzz.c: libFuzzer harness for one image format (FUZZ_FORMAT): open, read, map, check, write. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"
#include <unistd.h>
#include <fcntl.h>

/*
 * Build: clang -fsanitize=fuzzer,address,undefined -DFUZZ_FORMAT='"qcow2"' ... (block/build.mk
 * does it: `make fuzz-block`).  Each input is written to a private file and opened as an image
 * of FUZZ_FORMAT; every failure must be an error return, never a crash, hang or huge allocation.
 * Long runs by hand: build/fuzz/block-fuzz-qcow2 -max_total_time=3600 corpus/
 */
#ifndef FUZZ_FORMAT
#error "define FUZZ_FORMAT"
#endif

static char path[64];

/* Bounded work per input: a few MiB of guest data at most, whatever the header claims. */
#define FUZZ_READ_MAX (1 * MiB)

static void exercise(BlockDriverState *bs, bool rw)
{
    static uint8_t buf[64 * KiB];
    uint64_t end = MIN(bs->total_size, FUZZ_READ_MAX);
    for (uint64_t off = 0; off < end; off += sizeof buf) {
        if (bdrv_pread(bs, off, buf, MIN(sizeof buf, end - off)) < 0)
            break;
    }
    /* Walk the map of the whole disk in bounded steps (a run is at least one byte). */
    uint64_t off = 0;
    for (int i = 0; i < 256 && off < bs->total_size; i++) {
        uint64_t n, map;
        if (bdrv_block_status(bs, off, bs->total_size - off, &n, &map) < 0)
            break;
        off += n;
    }
    if (bs->total_size > 8192)
        bdrv_pread(bs, bs->total_size - 8192, buf, 8192);
    if (rw && bs->total_size >= 2 * sizeof buf) {
        memset(buf, 0xa5, sizeof buf);
        bdrv_pwrite(bs, 0, buf, sizeof buf, 0);
        bdrv_pwrite(bs, ALIGN_DOWN(bs->total_size / 2, 512) - 700, buf, 1000, 0);
        bdrv_pwrite_zeroes(bs, 4096, 8192);
        bdrv_flush(bs);
    }
    if (bs->drv->check) {
        ImageCheck res = { 0 };
        /* check writes its findings to stderr; keep the fuzzer's output readable */
        int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        bs->drv->check(bs, &res, rw ? CHECK_FIX_LEAKS | CHECK_FIX_ERRORS : 0);
        dup2(saved, 2);
        close(saved);
        close(devnull);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/vireo-fuzz-%d.img", (int)getpid());
        prog_name = "block-fuzz";
    }
    for (int pass = 0; pass < 2; pass++) {
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            return 0;
        if (write(fd, data, size) != (ssize_t)size) {
            close(fd);
            return 0;
        }
        close(fd);
        Error *err = NULL;
        BlockDriverState *bs = bdrv_open(path, FUZZ_FORMAT, BDRV_O_NO_BACKING | (pass ? BDRV_O_RDWR : 0), &err);
        error_free(err);
        if (!bs)
            break;
        exercise(bs, pass == 1);
        bdrv_close(bs);
    }
    unlink(path);
    return 0;
}
