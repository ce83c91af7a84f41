/* romsum.c: finish an option ROM image: pad to 512 bytes, set the size byte (offset 2) and
 * the PCI data structure's image length, then make the byte sum zero in the last byte. */
#include "util/osdep.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "romsum: usage: romsum ROM.bin\n");
        return 1;
    }
    FILE *f = fopen(argv[1], "r+b");
    if (!f) {
        fprintf(stderr, "romsum: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    static unsigned char rom[128 * 1024];
    size_t n = fread(rom, 1, sizeof(rom), f);
    if (n < 0x1c || rom[0] != 0x55 || rom[1] != 0xaa) {
        fprintf(stderr, "romsum: %s: not an option ROM\n", argv[1]);
        return 1;
    }
    size_t size = (n + 1 + 511) / 512 * 512;        /* room for the checksum byte */
    if (size > 255 * 512 || size > sizeof(rom)) {
        fprintf(stderr, "romsum: %s: too large (%zu bytes)\n", argv[1], size);
        return 1;
    }
    rom[2] = size / 512;
    unsigned pcir = rom[0x18] | rom[0x19] << 8;
    if (pcir && pcir + 0x18 <= size && !memcmp(rom + pcir, "PCIR", 4)) {
        rom[pcir + 0x10] = (size / 512) & 0xff;
        rom[pcir + 0x11] = (size / 512) >> 8;
    }
    unsigned char sum = 0;
    for (size_t i = 0; i < size - 1; i++)
        sum += rom[i];
    rom[size - 1] = -sum;
    rewind(f);
    if (fwrite(rom, 1, size, f) != size || fclose(f)) {
        fprintf(stderr, "romsum: %s: write failed\n", argv[1]);
        return 1;
    }
    return 0;
}
