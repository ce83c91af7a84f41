/* compress.h: deflate many equal chunks at once on several threads (convert -c, vmdk streams). */
#ifndef BLOCK_COMPRESS_H
#define BLOCK_COMPRESS_H

#include "util/osdep.h"

/* Threads for compression; 0 (the default) means the number of online CPUs. convert -m sets it. */
extern int block_compress_threads;

typedef struct CompressedChunk {
    uint8_t *data;   /* xmalloc'd; NULL when the chunk did not compress below max */
    size_t len;
} CompressedChunk;

/* Compress n chunks of `chunk` bytes from in; window_bits as for deflateInit2 (-12: qcow raw
 * deflate, 15: zlib format as in vmdk). A result of max bytes or more is dropped. */
void compress_chunks(const uint8_t *in, size_t n, size_t chunk, int window_bits, size_t max,
                     CompressedChunk *out);
/* One chunk, on the calling thread. */
size_t compress_one(const uint8_t *in, size_t len, int window_bits, uint8_t *out, size_t max);

/* Inflate one chunk on the calling thread: bytes produced, -1 when corrupt or cut short. */
long inflate_one(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len, int window_bits);

/* One chunk to inflate: in/in_len to out/out_len; produced = bytes out, -1 when corrupt. */
typedef struct InflateItem {
    const uint8_t *in;
    size_t in_len;
    uint8_t *out;
    size_t out_len;
    long produced;
} InflateItem;

/* Inflate n chunks on several threads (window_bits as for inflateInit2). */
void inflate_chunks(InflateItem *items, size_t n, int window_bits);

#endif
