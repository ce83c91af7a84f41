/* realmode-faults.c: realmode.c plus #UD in real mode (see there). */
#define RM_FAULTS 1
#include "realmode.c"
