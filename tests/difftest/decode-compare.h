/* decode-compare.h: compare x86_decode() instruction lengths with capstone over a code region
 * (shared by the criterion test and the standalone full-run program). */
#ifndef TESTS_DIFFTEST_DECODE_COMPARE_H
#define TESTS_DIFFTEST_DECODE_COMPARE_H

#include "util/osdep.h"
#include "cpu/x86/decode.h"
#include <capstone/capstone.h>
#include <elf.h>

typedef struct DecodeCompareStats {
    uint64_t insns;          /* instructions both decoders accepted */
    uint64_t agree;          /* ... with the same length */
    uint64_t len_mismatch;
    uint64_t cs_only;        /* capstone decoded, we said #UD/#GP */
    uint64_t ours_only;      /* we decoded, capstone did not */
    uint64_t both_invalid;
    uint64_t cs_quirks;      /* capstone 4 is wrong: UD1 without ModRM, LOCK on any insn */
    uint64_t bytes;
} DecodeCompareStats;

/* Read a whole file; NULL if it cannot be read. */
static inline uint8_t *dc_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = xmalloc(n > 0 ? n : 1);
    if (n <= 0 || fread(buf, 1, n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* The .text section of an ELF32/ELF64 image: offset and size, false if none. */
static inline bool dc_elf_text(const uint8_t *img, size_t len, size_t *off, size_t *size, int *bits)
{
    if (len < sizeof(Elf32_Ehdr) || memcmp(img, ELFMAG, SELFMAG) != 0)
        return false;
    if (img[EI_CLASS] == ELFCLASS64) {
        const Elf64_Ehdr *eh = (const void *)img;
        if (eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > len || eh->e_shstrndx >= eh->e_shnum)
            return false;
        const Elf64_Shdr *sh = (const void *)(img + eh->e_shoff);
        const char *strs = (const char *)img + sh[eh->e_shstrndx].sh_offset;
        for (int i = 0; i < eh->e_shnum; i++) {
            if (strcmp(strs + sh[i].sh_name, ".text") == 0 && sh[i].sh_offset + sh[i].sh_size <= len) {
                *off = sh[i].sh_offset;
                *size = sh[i].sh_size;
                *bits = 64;
                return true;
            }
        }
    } else if (img[EI_CLASS] == ELFCLASS32) {
        const Elf32_Ehdr *eh = (const void *)img;
        if (eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr) > len || eh->e_shstrndx >= eh->e_shnum)
            return false;
        const Elf32_Shdr *sh = (const void *)(img + eh->e_shoff);
        const char *strs = (const char *)img + sh[eh->e_shstrndx].sh_offset;
        for (int i = 0; i < eh->e_shnum; i++) {
            if (strcmp(strs + sh[i].sh_name, ".text") == 0 && sh[i].sh_offset + sh[i].sh_size <= len) {
                *off = sh[i].sh_offset;
                *size = sh[i].sh_size;
                *bits = 32;
                return true;
            }
        }
    }
    return false;
}

/* Known capstone 4 deviations from the SDM where we follow the SDM: UD1 (0F B9) has a ModRM
 * byte (SDM 2, UD), MOV to CS is #UD, and LOCK with a register destination or on a non-RMW instruction is #UD. */
static inline bool dc_capstone_quirk(const cs_insn *ci, X86DecodeResult ours)
{
    int i = 0;
    bool lock = false;
    while (i < ci->size && (ci->bytes[i] == 0xf0 || ci->bytes[i] == 0x66 || ci->bytes[i] == 0x67 ||
                            ci->bytes[i] == 0xf2 || ci->bytes[i] == 0xf3 || ci->bytes[i] == 0x2e ||
                            ci->bytes[i] == 0x3e || ci->bytes[i] == 0x26 || ci->bytes[i] == 0x36 ||
                            ci->bytes[i] == 0x64 || ci->bytes[i] == 0x65)) {
        lock |= ci->bytes[i] == 0xf0;
        i++;
    }
    if (i + 1 < ci->size && ci->bytes[i] == 0x0f && ci->bytes[i + 1] == 0xb9)
        return true;
    /* MOV CS, r/m is #UD (SDM 2, MOV). */
    if (i + 1 < ci->size && ci->bytes[i] == 0x8e && ((ci->bytes[i + 1] >> 3) & 7) == 1)
        return ours == X86_DEC_UD;
    return lock && ours == X86_DEC_UD;
}

/* Linear sweep over code[0, len) in `bits` mode, stepping by capstone's length (1 byte where
 * capstone fails). Prints up to max_report mismatches to rep (may be NULL). */
static inline void dc_compare(const uint8_t *code, size_t len, int bits, uint64_t max_insns,
                              DecodeCompareStats *st, FILE *rep, int max_report)
{
    csh h;
    cs_mode mode = bits == 64 ? CS_MODE_64 : bits == 32 ? CS_MODE_32 : CS_MODE_16;
    if (cs_open(CS_ARCH_X86, mode, &h) != CS_ERR_OK)
        return;
    cs_insn *ci = cs_malloc(h);
    size_t off = 0;
    int reported = 0;
    while (off < len && st->insns < max_insns) {
        const uint8_t *p = code + off;
        size_t n = len - off;
        uint64_t addr = 0x1000 + off;
        X86Insn d;
        X86DecodeResult r = x86_decode_buf(&d, bits, addr, p, n < 15 ? n : 15);
        bool cs_ok = cs_disasm_iter(h, &p, &n, &addr, ci);
        size_t step;
        if (cs_ok && r == X86_DEC_OK) {
            st->insns++;
            if (d.len == ci->size) {
                st->agree++;
            } else if (dc_capstone_quirk(ci, r)) {
                st->cs_quirks++;
            } else {
                st->len_mismatch++;
                if (rep && reported++ < max_report) {
                    fprintf(rep, "len mismatch at +%#zx: ours %u capstone %u: %s %s:", off, d.len,
                            ci->size, ci->mnemonic, ci->op_str);
                    for (int i = 0; i < ci->size; i++)
                        fprintf(rep, " %02x", ci->bytes[i]);
                    fprintf(rep, "\n");
                }
            }
            step = ci->size;
        } else if (cs_ok && dc_capstone_quirk(ci, r)) {
            st->cs_quirks++;
            step = ci->size;
        } else if (cs_ok) {
            st->cs_only++;
            if (rep && reported++ < max_report) {
                fprintf(rep, "capstone only at +%#zx (ours %d): %s %s:", off, r, ci->mnemonic, ci->op_str);
                for (int i = 0; i < ci->size; i++)
                    fprintf(rep, " %02x", ci->bytes[i]);
                fprintf(rep, "\n");
            }
            step = ci->size;
        } else if (r == X86_DEC_OK) {
            st->ours_only++;
            if (getenv("DC_SHOW_OURS") && rep && reported++ < max_report) {
                fprintf(rep, "ours only at +%#zx:", off);
                for (int i = 0; i < d.len; i++)
                    fprintf(rep, " %02x", d.bytes[i]);
                fprintf(rep, "\n");
            }
            step = 1;
        } else {
            st->both_invalid++;
            step = 1;
        }
        off += step;
        st->bytes += step;
    }
    cs_free(ci, 1);
    cs_close(&h);
}

#endif
