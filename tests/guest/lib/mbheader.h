/* mbheader.h: the Multiboot v1 header (spec 0.6.96 section 3.1), included by both entries. */
#define MB_HEADER_MAGIC 0x1BADB002
#define MB_HEADER_FLAGS 0x00000003   /* bit 0: page-align modules, bit 1: want memory info */

    .section .multiboot, "a"
    .balign 4
    .long MB_HEADER_MAGIC
    .long MB_HEADER_FLAGS
    .long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)
