/* x86-decode-vs-capstone.c: full run of the decoder against capstone on real binaries.
 *
 *     build/tests/difftest/x86-decode-vs-capstone /bin/busybox /usr/lib32/libc.so.6 \
 *         16:/usr/share/seabios/bios.bin
 * ELF files: their .text, 64- or 32-bit by ELF class; BITS:FILE: the whole raw file.
 */
#include "util/osdep.h"
#include "tests/difftest/decode-compare.h"

int main(int argc, char **argv)
{
    int fails = 0;
    for (int i = 1; i < argc; i++) {
        const char *path = argv[i];
        int bits = 0;
        if (strncmp(path, "16:", 3) == 0 || strncmp(path, "32:", 3) == 0 || strncmp(path, "64:", 3) == 0) {
            bits = atoi(path);
            path += 3;
        }
        size_t len, off = 0, size;
        uint8_t *img = dc_read_file(path, &len);
        if (!img) {
            fprintf(stderr, "x86-decode-vs-capstone: %s: cannot read\n", path);
            return 2;
        }
        size = len;
        if (!bits && !dc_elf_text(img, len, &off, &size, &bits)) {
            fprintf(stderr, "x86-decode-vs-capstone: %s: no .text (give BITS:FILE for raw code)\n", path);
            return 2;
        }
        DecodeCompareStats st = { 0 };
        dc_compare(img + off, size, bits, UINT64_MAX, &st, stderr, 20);
        printf("%s (%d-bit, %zu bytes): %" PRIu64 " insns, %" PRIu64 " same length, %" PRIu64
               " length mismatches, %" PRIu64 " capstone-only, %" PRIu64 " ours-only, %" PRIu64 " both invalid, %" PRIu64 " capstone quirks\n",
               path, bits, size, st.insns, st.agree, st.len_mismatch, st.cs_only, st.ours_only, st.both_invalid, st.cs_quirks);
        if (st.len_mismatch || st.cs_only)
            fails++;
        free(img);
    }
    return fails ? 1 : 0;
}
