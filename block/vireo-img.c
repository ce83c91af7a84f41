/* vireo-img.c: the disk image tool (placeholder until the block layer lands). */
#include "util/osdep.h"
#include "util/log.h"

int main(int argc, char **argv)
{
    prog_name = "vireo-img";
    (void)argc; (void)argv;
    fatal("no sub-commands are implemented yet");
}
