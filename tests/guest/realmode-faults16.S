/* realmode-faults16.S: realmode16.S plus #UD in real mode (see there). */
#define RM_FAULTS 1
#include "realmode16.S"
