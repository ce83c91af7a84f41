/* helper-avx.h: AVX/AVX2 helpers that have no SSE counterpart (avx_helper.c), included by
 * helper.h. Operands are pointers into env (YMM registers or the translator's scratch);
 * bytes is the vector width, 16 (VEX.128) or 32 (VEX.256); esize the element size in bytes.
 */
#ifndef CPU_X86_HELPER_AVX_H
#define CPU_X86_HELPER_AVX_H

#include "cpu/x86/cpu.h"

/* VPERMILPS/VPERMILPD: each element picks an element of its own 128-bit lane of s, selected
 * by ctl (bits 1:0 of a dword, bit 1 of a qword). */
void helper_vpermil(X86CPUState *env, YMMReg *d, const YMMReg *s, const YMMReg *ctl, int bytes,
                    int esize);
/* VPERMD/VPERMPS (esize 4, index bits 2:0) and VPERMQ/VPERMPD (esize 8, bits 1:0): d[i] =
 * table[idx[i]] across the whole 256-bit register. */
void helper_vperm(X86CPUState *env, YMMReg *d, const YMMReg *idx, const YMMReg *table, int esize);
/* VPSLLVD/Q, VPSRLVD/Q, VPSRAVD: each element of d = a shifted by the same element of cnt.
 * mode = kind * 16 + esize with kind 0 left, 1 logical right, 2 arithmetic right. */
void helper_vshiftv(X86CPUState *env, YMMReg *d, const YMMReg *a, const YMMReg *cnt, int bytes,
                    int mode);
/* VPTEST (esize 0: every bit) and VTESTPS/VTESTPD (the sign bits of each element): ZF =
 * (a & b) == 0, CF = (~a & b) == 0, AF/OF/PF/SF cleared. */
void helper_vtest(X86CPUState *env, const YMMReg *a, const YMMReg *b, int bytes, int esize);
/* VBLENDVPS/PD, VPBLENDVB: element of d replaced by the one of s where mask's sign bit is set. */
void helper_vblendv(X86CPUState *env, YMMReg *d, const YMMReg *s, const YMMReg *mask, int bytes,
                    int esize);
/* VMASKMOVPS/PD, VPMASKMOVD/Q: only elements whose mask sign bit is set are read (others 0)
 * or written; a masked-out element never faults. */
void helper_vmaskmov_ld(X86CPUState *env, YMMReg *d, const YMMReg *mask, uint64_t addr, int bytes,
                        int esize);
void helper_vmaskmov_st(X86CPUState *env, const YMMReg *s, const YMMReg *mask, uint64_t addr,
                        int bytes, int esize);
/* F16C: VCVTPH2PS (n halves at s to singles at d) and VCVTPS2PH (n singles to halves, rounded
 * by imm8[1:0], or by MXCSR.RC when imm8[2] is set; the rest of the 16 bytes at d cleared). */
void helper_vcvtph2ps(X86CPUState *env, YMMReg *d, const YMMReg *s, int n);
void helper_vcvtps2ph(X86CPUState *env, YMMReg *d, const YMMReg *s, int n, int imm);
/* FMA3 (sse_helper_fp.c): d = the fused multiply-add of d, s2 (VEX.vvvv) and s3 (r/m) on n
 * elements; ctl = form (0: 132, 1: 213, 2: 231) | kind << 2 (0 FMADD, 1 FMSUB, 2 FNMADD,
 * 3 FNMSUB, 4 FMADDSUB, 5 FMSUBADD) | 32 for doubles | n << 8. */
void helper_vfma(X86CPUState *env, YMMReg *d, const YMMReg *s2, const YMMReg *s3, int ctl);
/* VPGATHERDD/DQ/QD/QQ, VGATHERDPS/DPD/QPS/QPD: ctl = dest | mask << 4 | index << 8 (YMM
 * registers) | scale << 12 | 1 << 14 for 8-byte data | 1 << 15 for 8-byte indexes | elements
 * << 16 | address size (0: 16, 1: 32, 2: 64 bits) << 20 | 1 << 22 in 64-bit mode. Element i, when the sign of
 * mask element i is set, is loaded from seg_base + (off + index[i] << scale), and its mask
 * element cleared, so a fault leaves the progress made (SDM 2, VPGATHERDD); at the end the
 * mask is zero and the destination above the loaded elements cleared. */
void helper_vgather(X86CPUState *env, uint32_t ctl, uint64_t off, uint64_t seg_base);
/* PDEP/PEXT (BMI2) on 64 bits; BEXTR (BMI1): ctl[7:0] start, ctl[15:8] length, within bits. */
uint64_t helper_pdep(uint64_t src, uint64_t mask);
uint64_t helper_pext(uint64_t src, uint64_t mask);
uint64_t helper_bextr(uint64_t src, uint64_t ctl, uint32_t bits);

#endif
