/* log.c: error lines and the debug log. */
#include "util/log.h"
#include <pthread.h>

unsigned log_mask;
const char *prog_name = "vireo";
static FILE *log_fp;
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;

static const struct {
    const char *name;
    unsigned mask;
    const char *help;
} log_items[] = {
    { "in_asm", LOG_IN_ASM, "show guest code as it is translated (capstone)" },
    { "op", LOG_OP, "show the IR of each translated block" },
    { "op_opt", LOG_OP_OPT, "show the IR after optimization" },
    { "out_asm", LOG_OUT_ASM, "show generated host code (capstone)" },
    { "exec", LOG_EXEC, "show each translated block as it runs" },
    { "cpu", LOG_CPU, "show CPU registers before each block" },
    { "int", LOG_INT, "show interrupts and exceptions" },
    { "guest_errors", LOG_GUEST_ERRORS, "log guest misbehaviour (bad I/O, bad DMA, ...)" },
    { "unimp", LOG_UNIMP, "log unimplemented features the guest touches" },
    { "tb_stats", LOG_TB_STATS, "print code-cache statistics at exit" },
    { "ioport", LOG_IOPORT, "log every port I/O access" },
    { "post", LOG_POST, "show POST codes written to port 0x80" },
    { "kvm", LOG_KVM, "log KVM exits" },
};

bool log_parse_mask(const char *list, unsigned *mask, char *bad, size_t badlen)
{
    unsigned m = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool found = false;
        if (n == 3 && !strncmp(p, "all", 3)) {
            m = ~0u;
            found = true;
        }
        for (size_t i = 0; !found && i < ARRAY_SIZE(log_items); i++) {
            if (strlen(log_items[i].name) == n && !strncmp(p, log_items[i].name, n)) {
                m |= log_items[i].mask;
                found = true;
            }
        }
        if (!found) {
            snprintf(bad, badlen, "%.*s", (int)n, p);
            return false;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    *mask = m;
    return true;
}

void log_print_categories(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++)
        fprintf(f, "%-14s %s\n", log_items[i].name, log_items[i].help);
    fprintf(f, "%-14s %s\n", "all", "everything above");
}

bool log_set_file(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_fp && log_fp != stderr)
        fclose(log_fp);
    log_fp = f;
    return true;
}

FILE *log_file(void)
{
    return log_fp ? log_fp : stderr;
}

void log_lock(void) { pthread_mutex_lock(&log_mutex); }
void log_unlock(void) { pthread_mutex_unlock(&log_mutex); }

void log_vprintf(const char *fmt, va_list ap)
{
    vfprintf(log_file(), fmt, ap);
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(fmt, ap);
    va_end(ap);
}

static void report(const char *kind, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "%s: %s", prog_name, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report("", fmt, ap);
    va_end(ap);
    exit(1);
}
