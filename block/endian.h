/* endian.h: loads and stores of little- and big-endian fields in on-disk structures. */
#ifndef BLOCK_ENDIAN_H
#define BLOCK_ENDIAN_H

#include "util/osdep.h"

static inline uint16_t ld_be16(const void *p) { uint16_t v; memcpy(&v, p, 2); return __builtin_bswap16(v); }
static inline uint32_t ld_be32(const void *p) { uint32_t v; memcpy(&v, p, 4); return __builtin_bswap32(v); }
static inline uint64_t ld_be64(const void *p) { uint64_t v; memcpy(&v, p, 8); return __builtin_bswap64(v); }
static inline void st_be16(void *p, uint16_t v) { v = __builtin_bswap16(v); memcpy(p, &v, 2); }
static inline void st_be32(void *p, uint32_t v) { v = __builtin_bswap32(v); memcpy(p, &v, 4); }
static inline void st_be64(void *p, uint64_t v) { v = __builtin_bswap64(v); memcpy(p, &v, 8); }
static inline uint16_t ld_le16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t ld_le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t ld_le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void st_le16(void *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void st_le32(void *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void st_le64(void *p, uint64_t v) { memcpy(p, &v, 8); }

#endif
