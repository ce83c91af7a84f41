/* bql.h: the big lock. Device models, timers and the memory map are touched only under it;
 * a vCPU thread drops it while running guest code under KVM. */
#ifndef UTIL_BQL_H
#define UTIL_BQL_H

#include "util/osdep.h"

void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);    /* by the calling thread */

#endif
