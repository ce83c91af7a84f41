/* alloc.c: allocation helpers that treat host out-of-memory as fatal. */
#include "util/osdep.h"
#include "util/log.h"
#include <stdarg.h>

static void *check(void *p, size_t size)
{
    if (!p && size)
        fatal("out of memory allocating %zu bytes", size);
    return p;
}

void *xmalloc(size_t size) { return check(malloc(size), size); }
void *xzalloc(size_t size) { return check(calloc(1, size ? size : 1), size); }
void *xrealloc(void *p, size_t size) { return check(realloc(p, size), size); }
char *xstrdup(const char *s) { return check(strdup(s), strlen(s) + 1); }

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        fatal("out of memory formatting a string");
    return s;
}
