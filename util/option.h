/* option.h: QEMU-style option strings, "first,key=value,flag,key2=a,,b" (",," is a literal comma). */
#ifndef UTIL_OPTION_H
#define UTIL_OPTION_H

#include "util/osdep.h"

typedef struct OptPair {
    char *key;
    char *value;       /* NULL for a bare word */
} OptPair;

typedef struct OptList {
    OptPair *items;
    int n;
} OptList;

/* Split str into items. If implied_key is non-NULL, a bare first word becomes implied_key=word. */
OptList *opts_parse(const char *str, const char *implied_key);
void opts_free(OptList *l);
const char *opts_get(const OptList *l, const char *key);
/* Parse a number with an optional suffix B, K, M, G, T, P, E (powers of 1024, either case);
 * false if malformed, fractional without a unit, or above INT64_MAX. */
bool parse_size(const char *s, uint64_t *out);
/* Parse an unsigned integer in C notation (0x.., 0.., decimal); false if malformed or > max. */
bool parse_uint(const char *s, uint64_t max, uint64_t *out);
/* on/off/yes/no/true/false/1/0 */
bool parse_bool(const char *s, bool *out);

#endif
