/* accel.c: the registry of accelerators. */
#include "util/osdep.h"
#include "accel/accel.h"

static const AccelOps *accels[4];
static int nr_accels;
const AccelOps *accel_current;

void accel_register(const AccelOps *ops)
{
    assert(nr_accels < (int)ARRAY_SIZE(accels));
    accels[nr_accels++] = ops;
}

const AccelOps *accel_find(const char *name)
{
    for (int i = 0; i < nr_accels; i++)
        if (!strcmp(accels[i]->name, name))
            return accels[i];
    return NULL;
}

const char *accel_names(void)
{
    static char buf[64];
    buf[0] = 0;
    for (int i = 0; i < nr_accels; i++) {
        if (i)
            strcat(buf, ", ");
        strcat(buf, accels[i]->name);
    }
    return buf;
}
