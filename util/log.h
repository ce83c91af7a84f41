/* log.h: user-facing errors (`vireo: what: why`) and the -d/-D debug log. */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

#include "util/osdep.h"
#include <stdarg.h>

/* -d categories, QEMU's spelling. */
enum {
    LOG_IN_ASM       = 1u << 0,
    LOG_OP           = 1u << 1,
    LOG_OP_OPT       = 1u << 2,
    LOG_OUT_ASM      = 1u << 3,
    LOG_EXEC         = 1u << 4,
    LOG_CPU          = 1u << 5,
    LOG_INT          = 1u << 6,
    LOG_GUEST_ERRORS = 1u << 7,
    LOG_UNIMP        = 1u << 8,
    LOG_TB_STATS     = 1u << 9,
    LOG_IOPORT       = 1u << 10,
    LOG_POST         = 1u << 11,
    LOG_KVM          = 1u << 12,
};

extern unsigned log_mask;
extern const char *prog_name;   /* "vireo" or "vireo-img": prefix of error lines */

static inline bool log_enabled(unsigned mask) { return (log_mask & mask) != 0; }

/* Parse a -d list ("in_asm,int"); returns false and sets *bad to the offending item. */
bool log_parse_mask(const char *list, unsigned *mask, char *bad, size_t badlen);
/* Print the -d help table to f. */
void log_print_categories(FILE *f);
/* -D FILE: where the debug log goes (stderr by default). */
bool log_set_file(const char *path);
FILE *log_file(void);
void log_printf(const char *fmt, ...) PRINTF_FMT(1, 2);
void log_vprintf(const char *fmt, va_list ap);
/* Lock the log around multi-line output from different threads. */
void log_lock(void);
void log_unlock(void);

#define qlog(mask, ...) do { if (unlikely(log_enabled(mask))) log_printf(__VA_ARGS__); } while (0)

/* One line on stderr: "<prog>: <message>". */
void error_report(const char *fmt, ...) PRINTF_FMT(1, 2);
void warn_report(const char *fmt, ...) PRINTF_FMT(1, 2);
void info_report(const char *fmt, ...) PRINTF_FMT(1, 2);
/* error_report, then exit(1). */
NORETURN void fatal(const char *fmt, ...) PRINTF_FMT(1, 2);

#endif
