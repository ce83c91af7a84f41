/* target.c: the native x86-64 back end: register allocation and machine-code emission. */
#include "util/osdep.h"
#include "util/log.h"
#include "tcg/tcg-internal.h"

static bool x86_init(void)
{
    error_report("tcg: native x86-64 back end: not implemented yet (use backend=interp)");
    return false;
}

const TCGBackend tcg_backend_x86_64 = {
    .name = "native (x86-64)",
    .init = x86_init,
    .needs_exec = true,
};
