/* test-log.c: -d list parsing. */
#include <criterion/criterion.h>
#include "util/log.h"

Test(log, parses_known_items)
{
    unsigned m = 0;
    char bad[32];
    cr_assert(log_parse_mask("in_asm,int", &m, bad, sizeof bad));
    cr_assert_eq(m, LOG_IN_ASM | LOG_INT);
}

Test(log, rejects_unknown_item)
{
    unsigned m = 0;
    char bad[32];
    cr_assert_not(log_parse_mask("in_asm,bogus", &m, bad, sizeof bad));
    cr_assert_str_eq(bad, "bogus");
}
