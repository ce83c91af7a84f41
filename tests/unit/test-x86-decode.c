/* test-x86-decode.c: the x86 decoder — hand-picked encodings, and lengths against capstone on real code. */
#include <criterion/criterion.h>
#include "util/osdep.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/decode.h"
#include "tests/difftest/decode-compare.h"

static X86DecodeResult dec(X86Insn *d, int bits, const uint8_t *b, size_t n)
{
    return x86_decode_buf(d, bits, 0x1000, b, n);
}
#define DEC(d, bits, ...) dec(d, bits, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

Test(x86_decode, rex_w_modrm_sib_disp8)
{
    X86Insn d;
    cr_assert_eq(DEC(&d, 64, 0x48, 0x8b, 0x44, 0x24, 0x08), X86_DEC_OK);
    cr_assert_eq(d.len, 5);
    cr_assert_eq(d.op, 0x8b);
    cr_assert_eq(d.opsize, 8);
    cr_assert_eq(d.reg, R_EAX);
    cr_assert_eq(d.base, R_ESP);
    cr_assert_eq(d.index, -1);
    cr_assert_eq(d.disp, 8);
}

Test(x86_decode, rip_relative_and_rex_extension)
{
    X86Insn d;
    /* mov r9, [rip - 16] */
    cr_assert_eq(DEC(&d, 64, 0x4c, 0x8b, 0x0d, 0xf0, 0xff, 0xff, 0xff), X86_DEC_OK);
    cr_assert(d.rip_rel);
    cr_assert_eq(d.reg, R_R9);
    cr_assert_eq(d.disp, -16);
    cr_assert_eq(d.len, 7);
    /* In 32-bit mode the same ModRM is an absolute disp32. */
    cr_assert_eq(DEC(&d, 32, 0x8b, 0x0d, 0x00, 0x10, 0x00, 0x00), X86_DEC_OK);
    cr_assert_not(d.rip_rel);
    cr_assert_eq(d.base, -1);
    cr_assert_eq(d.disp, 0x1000);
}

Test(x86_decode, sixteen_bit_addressing)
{
    X86Insn d;
    /* mov ax, [bp+si+0x1234] in 16-bit mode */
    cr_assert_eq(DEC(&d, 16, 0x8b, 0x82, 0x34, 0x12), X86_DEC_OK);
    cr_assert_eq(d.adsize, 2);
    cr_assert_eq(d.opsize, 2);
    cr_assert_eq(d.base, R_EBP);
    cr_assert_eq(d.index, R_ESI);
    cr_assert_eq(d.disp, 0x1234);
    /* 66 67 in 16-bit mode: 32-bit operand and address: mov eax, [eax*4+0] */
    cr_assert_eq(DEC(&d, 16, 0x66, 0x67, 0x8b, 0x04, 0x85, 0, 0, 0, 0), X86_DEC_OK);
    cr_assert_eq(d.opsize, 4);
    cr_assert_eq(d.adsize, 4);
    cr_assert_eq(d.index, R_EAX);
    cr_assert_eq(d.scale, 2);
    cr_assert_eq(d.len, 9);
}

Test(x86_decode, immediates)
{
    X86Insn d;
    /* mov rax, imm64 */
    cr_assert_eq(DEC(&d, 64, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8), X86_DEC_OK);
    cr_assert_eq(d.len, 10);
    cr_assert_eq(d.imm, 0x0807060504030201ULL);
    /* enter 0x10, 1 */
    cr_assert_eq(DEC(&d, 32, 0xc8, 0x10, 0x00, 0x01), X86_DEC_OK);
    cr_assert_eq(d.imm, 0x10);
    cr_assert_eq(d.imm2, 1);
    /* jmp far 0x1234:0x5678 in 16-bit mode */
    cr_assert_eq(DEC(&d, 16, 0xea, 0x78, 0x56, 0x34, 0x12), X86_DEC_OK);
    cr_assert_eq(d.imm, 0x5678);
    cr_assert_eq(d.imm2, 0x1234);
    /* test byte [eax], 5 (F6 /0 has an immediate), not byte [eax] (F6 /2) has none */
    cr_assert_eq(DEC(&d, 32, 0xf6, 0x00, 0x05), X86_DEC_OK);
    cr_assert_eq(d.len, 3);
    cr_assert_eq(DEC(&d, 32, 0xf6, 0x10), X86_DEC_OK);
    cr_assert_eq(d.len, 2);
    /* mov al, [moffs64] */
    cr_assert_eq(DEC(&d, 64, 0xa0, 1, 2, 3, 4, 5, 6, 7, 8), X86_DEC_OK);
    cr_assert_eq(d.len, 9);
    /* 66 e8 in 64-bit mode: near branches ignore 66 (Intel), rel32 */
    cr_assert_eq(DEC(&d, 64, 0xe8, 0, 0, 0, 0), X86_DEC_OK);
    cr_assert_eq(d.opsize, 8);
}

Test(x86_decode, undefined_encodings_are_ud)
{
    X86Insn d;
    cr_assert_eq(DEC(&d, 64, 0x06), X86_DEC_UD);               /* push es in 64-bit mode */
    cr_assert_eq(DEC(&d, 32, 0x06), X86_DEC_OK);
    cr_assert_eq(DEC(&d, 32, 0x8d, 0xc0), X86_DEC_UD);         /* lea with a register */
    cr_assert_eq(DEC(&d, 32, 0xff, 0xf8), X86_DEC_UD);         /* FF /7 */
    cr_assert_eq(DEC(&d, 32, 0xf0, 0x01, 0xc0), X86_DEC_UD);   /* lock add eax, eax */
    cr_assert_eq(DEC(&d, 32, 0xf0, 0x01, 0x00), X86_DEC_OK);   /* lock add [eax], eax */
    cr_assert_eq(DEC(&d, 32, 0xf0, 0x39, 0x00), X86_DEC_UD);   /* lock cmp */
    cr_assert_eq(DEC(&d, 32, 0x8e, 0xc8), X86_DEC_UD);         /* mov cs, ax */
    cr_assert_eq(DEC(&d, 32, 0x0f, 0x04), X86_DEC_UD);        /* hole in the 0F map */
    cr_assert_eq(DEC(&d, 32, 0xdb, 0x20), X86_DEC_UD);        /* DB /4 memory */
}

Test(x86_decode, fifteen_byte_limit_is_gp)
{
    X86Insn d;
    uint8_t b[20];
    memset(b, 0x66, sizeof b);
    b[14] = 0x90;
    cr_assert_eq(dec(&d, 32, b, sizeof b), X86_DEC_OK);          /* 14 prefixes + nop = 15 */
    cr_assert_eq(d.len, 15);
    b[14] = 0x66;
    b[15] = 0x90;
    cr_assert_eq(dec(&d, 32, b, sizeof b), X86_DEC_GP);
}

Test(x86_decode, fetch_fault_reports_address)
{
    X86Insn d;
    cr_assert_eq(DEC(&d, 32, 0x8b, 0x80, 0x00), X86_DEC_FETCH);   /* disp32 cut short */
    cr_assert_eq(d.fault_pc, 0x1003);
}

Test(x86_decode, vex_and_legacy_les)
{
    X86Insn d;
    /* vpxor xmm0, xmm1, xmm2 (c5 f1 ef c2) in 32-bit mode; c4 with a memory ModRM is LES. */
    cr_assert_eq(DEC(&d, 32, 0xc5, 0xf1, 0xef, 0xc2), X86_DEC_OK);
    cr_assert(d.prefixes & X86_PFX_VEX);
    cr_assert_eq(d.vex_v, 1);
    cr_assert_eq(d.len, 4);
    cr_assert_eq(DEC(&d, 32, 0xc4, 0x06), X86_DEC_OK);
    cr_assert_not(d.prefixes & X86_PFX_VEX);
    cr_assert_eq(d.op, 0xc4);
    cr_assert_eq(d.len, 2);
    /* Three-byte VEX outside 64-bit mode: VEX.B and VEX.vvvv[3] are ignored, VEX.W is kept
     * (vpaddd with B = 1, vvvv = 1001b, W = 1: c4 c1 b5 fe c2). */
    cr_assert_eq(DEC(&d, 32, 0xc4, 0xc1, 0xb5, 0xfe, 0xc2), X86_DEC_OK);
    cr_assert_eq(d.rm, 2);
    cr_assert_eq(d.vex_v, 1);
    cr_assert(d.rex & 8);
    cr_assert_eq(DEC(&d, 64, 0xc4, 0xc1, 0xb5, 0xfe, 0xc2), X86_DEC_OK);
    cr_assert_eq(d.rm, 10);
    cr_assert_eq(d.vex_v, 9);
}

/* Real code, a bounded sample of each (the full run is build/tests/difftest/x86-decode-vs-capstone). */
static void compare_file(const char *path, int bits, uint64_t max)
{
    size_t len, off = 0, size;
    uint8_t *img = dc_read_file(path, &len);
    if (!img) {
        cr_skip_test("%s not installed", path);
        return;
    }
    size = len;
    if (!bits)
        cr_assert(dc_elf_text(img, len, &off, &size, &bits), "%s: no .text", path);
    DecodeCompareStats st = { 0 };
    dc_compare(img + off, size, bits, max, &st, stderr, 5);
    free(img);
    cr_assert_gt(st.insns, max / 2, "%s: only %" PRIu64 " instructions compared", path, st.insns);
    cr_assert_eq(st.len_mismatch, 0, "%s: %" PRIu64 " length mismatches", path, st.len_mismatch);
    cr_assert_eq(st.cs_only, 0, "%s: %" PRIu64 " valid insns we call undefined", path, st.cs_only);
}

Test(x86_decode_capstone, busybox_64, .timeout = 60)
{
    compare_file("/bin/busybox", 0, 100000);
}

Test(x86_decode_capstone, bash_64, .timeout = 60)
{
    compare_file("/bin/bash", 0, 100000);
}

Test(x86_decode_capstone, libc_32, .timeout = 60)
{
    compare_file("/usr/lib32/libc.so.6", 0, 100000);
}

Test(x86_decode_capstone, seabios_16, .timeout = 60)
{
    compare_file("/usr/share/seabios/bios.bin", 16, 40000);
}
