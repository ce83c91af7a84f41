/* img-randwrite.c: test helper: random writes (data and zeros) into an image and a raw shadow. */
#include "util/osdep.h"
#include "util/log.h"
#include "block/block.h"

/* Usage: img-randwrite IMAGE SHADOW SEED COUNT [MAXLEN] [FLUSH_EVERY]
 * Applies the same COUNT writes to IMAGE (any format, opened read-write) and SHADOW (raw, same
 * size), so `qemu-img compare IMAGE SHADOW` must then say identical.  With FLUSH_EVERY, the
 * image is flushed that often (the crash test kills it at random points). */

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic from the seed, so failures can be replayed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

int main(int argc, char **argv)
{
    prog_name = "img-randwrite";
    if (argc < 5)
        fatal("usage: img-randwrite IMAGE SHADOW SEED COUNT [MAXLEN] [FLUSH_EVERY]");
    Error *err = NULL;
    BlockDriverState *img = bdrv_open(argv[1], NULL, BDRV_O_RDWR, &err);
    if (!img)
        fatal("%s: %s", argv[1], err->msg);
    BlockDriverState *sh = bdrv_open(argv[2], "raw", BDRV_O_RDWR, &err);
    if (!sh)
        fatal("%s: %s", argv[2], err->msg);
    rng_state = strtoull(argv[3], NULL, 0) * 2654435761ULL + 1;
    long count = atol(argv[4]);
    uint64_t maxlen = argc > 5 ? strtoull(argv[5], NULL, 0) : 256 * KiB;
    long flush_every = argc > 6 ? atol(argv[6]) : 0;
    uint64_t size = MIN(img->total_size, sh->total_size);
    uint8_t *buf = xmalloc(maxlen);
    for (long i = 0; i < count; i++) {
        uint64_t len = 1 + rng() % maxlen;
        uint64_t off = rng() % size;
        if (rng() % 2)
            off &= ~511ULL;   /* half the writes are sector aligned */
        len = MIN(len, size - off);
        int kind = rng() % 8;
        int r1, r2;
        if (kind == 0) {
            r1 = bdrv_pwrite_zeroes(img, off, len);
            r2 = bdrv_pwrite_zeroes(sh, off, len);
        } else {
            uint8_t fill = rng();
            for (uint64_t j = 0; j < len; j++)
                buf[j] = kind == 1 ? fill : (uint8_t)(rng() >> 56);
            r1 = bdrv_pwrite(img, off, buf, len, 0);
            r2 = bdrv_pwrite(sh, off, buf, len, 0);
        }
        if (r1 < 0 || r2 < 0)
            fatal("write %ld at %" PRIu64 "+%" PRIu64 " failed: %s", i, off, len,
                  r1 < 0 ? bdrv_last_error(img) : bdrv_last_error(sh));
        if (flush_every && (i + 1) % flush_every == 0 && bdrv_flush(img) < 0)
            fatal("flush failed: %s", bdrv_last_error(img));
    }
    free(buf);
    bdrv_close(img);
    bdrv_close(sh);
    return 0;
}
