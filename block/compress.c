/* compress.c: deflate many equal chunks at once on several threads (convert -c, vmdk streams). */
#include "util/osdep.h"
#include "block/compress.h"
#include <pthread.h>
#include <unistd.h>
#include <zlib.h>

int block_compress_threads;

/* Whether a chunk looks incompressible: its first 4 KiB do not shrink at the fastest level.
 * Full-strength deflate spends most of its time failing on such data (random, already
 * compressed); this probe costs a few percent of it. */
static bool looks_incompressible(const uint8_t *in, size_t len)
{
    enum { PROBE = 4096 };
    uint8_t tmp[PROBE + 256];
    if (len < 4 * PROBE)
        return false;
    z_stream z = { 0 };
    if (deflateInit2(&z, 1, Z_DEFLATED, -12, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    z.next_in = (uint8_t *)in;
    z.avail_in = PROBE;
    z.next_out = tmp;
    z.avail_out = sizeof tmp;
    int r = deflate(&z, Z_FINISH);
    size_t n = sizeof tmp - z.avail_out;
    deflateEnd(&z);
    return r == Z_STREAM_END && n > PROBE - PROBE / 32;
}

size_t compress_one(const uint8_t *in, size_t len, int window_bits, uint8_t *out, size_t max)
{
    int level = Z_DEFAULT_COMPRESSION;
    if (looks_incompressible(in, len)) {
        /* qcow2/qcow (raw deflate) then store the cluster uncompressed; a zlib stream (vmdk
         * grains must be deflated) gets stored blocks. */
        if (window_bits < 0)
            return 0;
        level = 0;
    }
    z_stream z = { 0 };
    if (deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    z.next_in = (uint8_t *)in;
    z.avail_in = len;
    z.next_out = out;
    z.avail_out = max;
    int r = deflate(&z, Z_FINISH);
    size_t n = max - z.avail_out;
    deflateEnd(&z);
    return r == Z_STREAM_END && n < max ? n : 0;
}

long inflate_one(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, int window_bits)
{
    z_stream z = { 0 };
    if (inflateInit2(&z, window_bits) != Z_OK)
        return -1;
    z.next_in = (uint8_t *)in;
    z.avail_in = in_len;
    z.next_out = out;
    z.avail_out = out_len;
    int r = inflate(&z, Z_FINISH);
    long produced = (long)(out_len - z.avail_out);
    inflateEnd(&z);
    if (r != Z_STREAM_END && r != Z_BUF_ERROR && r != Z_OK)
        return -1;
    /* A stream that ends early or is cut short without filling the output is corrupt. */
    return r != Z_STREAM_END && produced < (long)out_len ? -1 : produced;
}

typedef struct Job {
    const uint8_t *in;
    size_t n, chunk, max;
    int window_bits;
    CompressedChunk *out;
    size_t next;              /* next chunk to take */
    pthread_mutex_t lock;
} Job;

static void *worker(void *opaque)
{
    Job *j = opaque;
    uint8_t *tmp = xmalloc(j->max);
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (i >= j->n)
            break;
        size_t len = compress_one(j->in + i * j->chunk, j->chunk, j->window_bits, tmp, j->max);
        j->out[i].len = len;
        j->out[i].data = NULL;
        if (len) {
            j->out[i].data = xmalloc(len);
            memcpy(j->out[i].data, tmp, len);
        }
    }
    free(tmp);
    return NULL;
}

void compress_chunks(const uint8_t *in, size_t n, size_t chunk, int window_bits, size_t max,
                     CompressedChunk *out)
{
    Job j = { .in = in, .n = n, .chunk = chunk, .max = max, .window_bits = window_bits, .out = out };
    pthread_mutex_init(&j.lock, NULL);
    int t = block_compress_threads;
    if (t <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        t = cpus > 0 ? (int)cpus : 1;
    }
    t = MIN(t, 16);
    t = (int)MIN((size_t)t, n);
    pthread_t tid[16];
    int started = 0;
    for (int i = 1; i < t; i++)
        if (pthread_create(&tid[started], NULL, worker, &j) == 0)
            started++;
    worker(&j);   /* the caller works too */
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&j.lock);
}

typedef struct InflateJob {
    InflateItem *items;
    size_t n, next;
    int window_bits;
    pthread_mutex_t lock;
} InflateJob;

static void *inflate_worker(void *opaque)
{
    InflateJob *j = opaque;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (i >= j->n)
            break;
        InflateItem *it = &j->items[i];
        it->produced = inflate_one(it->in, it->in_len, it->out, it->out_len, j->window_bits);
    }
    return NULL;
}

void inflate_chunks(InflateItem *items, size_t n, int window_bits)
{
    InflateJob j = { .items = items, .n = n, .window_bits = window_bits };
    pthread_mutex_init(&j.lock, NULL);
    int t = block_compress_threads;
    if (t <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        t = cpus > 0 ? (int)cpus : 1;
    }
    t = (int)MIN((size_t)MIN(t, 16), n);
    pthread_t tid[16];
    int started = 0;
    for (int i = 1; i < t; i++)
        if (pthread_create(&tid[started], NULL, inflate_worker, &j) == 0)
            started++;
    inflate_worker(&j);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&j.lock);
}
