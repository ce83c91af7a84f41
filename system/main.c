/* main.c: the vireo system emulator's entry point. */
#include "util/osdep.h"
#include "util/log.h"

int main(int argc, char **argv)
{
    prog_name = "vireo";
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("vireo 0.1\n");
        return 0;
    }
    fatal("the machine is not assembled yet");
}
