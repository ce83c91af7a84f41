/* error.c: the Error object. */
#include "util/error.h"
#include "util/log.h"
#include <stdarg.h>

void error_setg(Error **errp, const char *fmt, ...)
{
    if (!errp || *errp)
        return;
    va_list ap;
    char *msg;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        fatal("out of memory formatting an error");
    va_end(ap);
    /* Names from files and guests may carry control characters: the message stays one
     * printable line. */
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    Error *e = xzalloc(sizeof(*e));
    e->msg = msg;
    *errp = e;
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    if (!errp || !*errp)
        return;
    va_list ap;
    char *pre;
    va_start(ap, fmt);
    if (vasprintf(&pre, fmt, ap) < 0)
        fatal("out of memory formatting an error");
    va_end(ap);
    char *msg = xasprintf("%s%s", pre, (*errp)->msg);
    free(pre);
    free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_free(Error *err)
{
    if (err) {
        free(err->msg);
        free(err);
    }
}

void error_report_err(Error *err)
{
    error_report("%s", err->msg);
    error_free(err);
}

void error_propagate(Error **dst, Error *src)
{
    if (!src)
        return;
    if (dst && !*dst)
        *dst = src;
    else
        error_free(src);
}
