/* option.c: option-string parsing. */
#include "util/option.h"
#include <ctype.h>

/* Copy one field up to an unescaped `stop` (or ','), unescaping ",,". */
static char *take_field(const char **pp, char stop)
{
    const char *p = *pp;
    size_t cap = strlen(p) + 1, n = 0;
    char *out = xmalloc(cap);
    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                out[n++] = ',';
                p += 2;
                continue;
            }
            break;
        }
        if (*p == stop)
            break;
        out[n++] = *p++;
    }
    out[n] = 0;
    *pp = p;
    return out;
}

OptList *opts_parse(const char *str, const char *implied_key)
{
    OptList *l = xzalloc(sizeof(*l));
    const char *p = str;
    bool first = true;
    while (*p) {
        char *key = take_field(&p, '=');
        char *value = NULL;
        if (*p == '=') {
            p++;
            value = take_field(&p, 0);
        } else if (first && implied_key) {
            value = key;
            key = xstrdup(implied_key);
        }
        l->items = xrealloc(l->items, (l->n + 1) * sizeof(*l->items));
        l->items[l->n++] = (OptPair){ key, value };
        if (*p == ',')
            p++;
        first = false;
    }
    return l;
}

void opts_free(OptList *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    free(l);
}

const char *opts_get(const OptList *l, const char *key)
{
    for (int i = l->n - 1; i >= 0; i--)
        if (!strcmp(l->items[i].key, key))
            return l->items[i].value ? l->items[i].value : "";
    return NULL;
}

bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

bool parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s || !isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s)
        return false;
    uint64_t mul = 1;
    switch (*end) {
    case 0: break;
    case 'b': case 'B': end++; break;
    case 'k': case 'K': mul = KiB; end++; break;
    case 'm': case 'M': mul = MiB; end++; break;
    case 'g': case 'G': mul = GiB; end++; break;
    case 't': case 'T': mul = 1024 * GiB; end++; break;
    case 'p': case 'P': mul = 1024 * 1024 * GiB; end++; break;
    case 'e': case 'E': mul = 1024ULL * 1024 * 1024 * GiB; end++; break;
    default: return false;
    }
    if (*end)
        return false;
    double bytes = v * (double)mul;
    /* Sizes are file offsets too: at most INT64_MAX. A fraction needs a unit ("1.5G"). */
    if (bytes >= 9223372036854775807.0 || bytes != (double)(uint64_t)bytes)
        return false;
    *out = (uint64_t)bytes;
    return true;
}

bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true", "1" }, *const no[] = { "off", "no", "false", "0" };
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}
