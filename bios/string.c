/* string.c: memset/memcpy/memcmp/strlen for both modes (built with
 * -fno-tree-loop-distribute-patterns so gcc does not turn these loops into calls to themselves). */
#include "string.h"
#include "farptr.h"

void *memset(void *d, int c, size_t n)
{
    u8 *p = d;
    while (n--)
        *p++ = c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    u8 *p = d;
    const u8 *q = s;
    if (p < q)
        return memcpy(d, s, n);
    while (n--)
        p[n] = q[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const u8 *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (u8)*a - (u8)*b;
        if (!*a)
            break;
    }
    return 0;
}

void far_read(void *dst, u16 seg, u16 off, u16 len)
{
    u8 *d = dst;
    for (u16 i = 0; i < len; i++)
        d[i] = rd8(seg, off + i);
}

void far_write(u16 seg, u16 off, const void *src, u16 len)
{
    const u8 *s = src;
    for (u16 i = 0; i < len; i++)
        wr8(seg, off + i, s[i]);
}
