/* start.c: what the Multiboot entries call once a stack exists. */
#include "guest.h"

uint32_t mb_magic;
struct mb_info *mb_info;

void guest_start(void)
{
    serial_init();
    desc_init();
    fault_reset();
    exit_guest(guest_main());
}
