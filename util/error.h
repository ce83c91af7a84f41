/* error.h: errors carried up to whoever can report them (one line, no trailing period). */
#ifndef UTIL_ERROR_H
#define UTIL_ERROR_H

#include "util/osdep.h"

typedef struct Error {
    char *msg;
} Error;

/* Set *errp (if errp is non-NULL and *errp is still NULL) to a new error. */
void error_setg(Error **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
/* Prepend context: "drive 'x.img': " + old message. */
void error_prepend(Error **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
void error_free(Error *err);
/* error_report() the message and free it. */
void error_report_err(Error *err);
/* Move src into *dst (freeing src if *dst is already set). */
void error_propagate(Error **dst, Error *src);

#endif
