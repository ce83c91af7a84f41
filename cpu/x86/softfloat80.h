/* softfloat80.h: IEEE-754 arithmetic on the x87 80-bit extended format, in software.
 *
 * Every operation takes an F80Status with the x87 rounding control (RC), precision control
 * (PC) and exception masks, and ORs the exceptions it raises into status->flags using the x87
 * status-word bit positions. Results follow the x87 rules (Intel SDM 1, ch. 8 and 4.8):
 * precision control narrows the significand but keeps the 15-bit exponent range; the default
 * NaN is the "real indefinite" (sign 1, exponent 0x7fff, significand 0xc000000000000000);
 * unsupported encodings (unnormals, pseudo-NaN/infinity) are invalid operands; pseudo-
 * denormals are accepted as denormals. Tininess is detected after rounding.
 *
 *     F80Status st = f80_status_from_fpuc(0x37f);
 *     Float80 r = f80_add(a, b, &st);        // st.flags now has FSW_PE etc.
 */
#ifndef CPU_X86_SOFTFLOAT80_H
#define CPU_X86_SOFTFLOAT80_H

#include "cpu/x86/cpu.h"

/* x87 status-word exception bits (Intel SDM 1, 8.1.3); the control word masks sit at the same
 * positions. */
#define FSW_IE 0x0001
#define FSW_DE 0x0002
#define FSW_ZE 0x0004
#define FSW_OE 0x0008
#define FSW_UE 0x0010
#define FSW_PE 0x0020
#define FSW_SF 0x0040
#define FSW_ES 0x0080
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_C3 0x4000
#define FSW_B  0x8000

enum { F80_RC_NEAR = 0, F80_RC_DOWN = 1, F80_RC_UP = 2, F80_RC_ZERO = 3 };
enum { F80_PC_24 = 0, F80_PC_53 = 2, F80_PC_64 = 3 };

typedef struct F80Status {
    uint8_t rc;          /* F80_RC_* */
    uint8_t pc;          /* F80_PC_* */
    uint8_t masks;       /* FSW_IE..FSW_PE: 1 = masked */
    uint16_t flags;      /* raised: FSW_IE..FSW_PE, and FSW_C1 when a result was rounded up */
} F80Status;

static inline F80Status f80_status_from_fpuc(uint16_t fpuc)
{
    F80Status s = { (uint8_t)((fpuc >> 10) & 3), (uint8_t)((fpuc >> 8) & 3), (uint8_t)(fpuc & 0x3f), 0 };
    return s;
}

static inline Float80 f80_make(bool sign, unsigned exp, uint64_t mant)
{
    Float80 r = { mant, (uint16_t)((sign ? 0x8000 : 0) | (exp & 0x7fff)) };
    return r;
}
static inline bool f80_sign(Float80 a) { return a.exp >> 15; }
static inline unsigned f80_exp(Float80 a) { return a.exp & 0x7fff; }
static inline bool f80_is_nan(Float80 a)
{
    return f80_exp(a) == 0x7fff && (a.mant >> 63) && (a.mant << 1) != 0;
}
static inline bool f80_is_snan(Float80 a)
{
    return f80_is_nan(a) && !((a.mant >> 62) & 1);
}
static inline bool f80_is_inf(Float80 a)
{
    return f80_exp(a) == 0x7fff && a.mant == (1ULL << 63);
}
static inline bool f80_is_zero(Float80 a) { return f80_exp(a) == 0 && a.mant == 0; }
/* Unnormal, pseudo-NaN, pseudo-infinity: invalid operands since the 80387. */
static inline bool f80_is_unsupported(Float80 a)
{
    return f80_exp(a) != 0 && !(a.mant >> 63);
}
static inline bool f80_is_denormal(Float80 a) { return f80_exp(a) == 0 && a.mant != 0; }
static inline Float80 f80_chs(Float80 a) { a.exp ^= 0x8000; return a; }
static inline Float80 f80_abs(Float80 a) { a.exp &= 0x7fff; return a; }

extern const Float80 f80_default_nan;   /* real indefinite */

Float80 f80_add(Float80 a, Float80 b, F80Status *s);
Float80 f80_sub(Float80 a, Float80 b, F80Status *s);
Float80 f80_mul(Float80 a, Float80 b, F80Status *s);
Float80 f80_div(Float80 a, Float80 b, F80Status *s);
Float80 f80_sqrt(Float80 a, F80Status *s);
/* Round to an integer value in the current rounding mode (FRNDINT). */
Float80 f80_round_to_int(Float80 a, F80Status *s);
/* FSCALE: a * 2^trunc(b). */
Float80 f80_scale(Float80 a, Float80 b, F80Status *s);
/* FPREM (round_nearest = false) / FPREM1 (true): *fsw_cc receives C0..C3 (C2 = incomplete). */
Float80 f80_rem(Float80 a, Float80 b, bool round_nearest, uint16_t *fsw_cc, F80Status *s);

/* Comparison: -1 less, 0 equal, 1 greater, 2 unordered. quiet: only SNaN is invalid (FUCOM). */
int f80_compare(Float80 a, Float80 b, bool quiet, F80Status *s);

Float80 f80_from_int64(int64_t v);
/* To a signed integer of `bits` (16, 32, 64) in the rounding mode (truncating if truncate);
 * out of range or NaN gives the integer indefinite (only the sign bit set) and IE. */
int64_t f80_to_int(Float80 a, int bits, bool truncate, F80Status *s);
Float80 f80_from_f32(uint32_t v, F80Status *s);
Float80 f80_from_f64(uint64_t v, F80Status *s);
uint32_t f80_to_f32(Float80 a, F80Status *s);
uint64_t f80_to_f64(Float80 a, F80Status *s);
/* Packed BCD (FBLD/FBSTP): 9 bytes of digits, sign in bit 7 of byte 9. */
Float80 f80_from_bcd(const uint8_t bcd[10]);
void f80_to_bcd(Float80 a, uint8_t bcd[10], F80Status *s);
/* Round an exact value sig (MSB at bit 127, or 0) * 2^(exp - 16383 - 127) to the x87 format
 * under s's rounding and precision; raises O/U/P. */
Float80 f80_round_pack(bool sign, int32_t exp, unsigned __int128 sig, F80Status *s);

#endif
