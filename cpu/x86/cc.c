/* cc.c: lazy condition codes — the arithmetic flags computed from the last flag-setting op. */
#include "util/osdep.h"
#include "cpu/x86/cc.h"

/* PF: set when the low byte of the result has an even number of 1 bits (Intel SDM 1, 3.4.3.1). */
static inline uint32_t parity_flag(uint64_t v)
{
    return __builtin_parity((unsigned)(v & 0xff)) ? 0 : EFLAGS_PF;
}

static inline uint32_t zs_flags(uint64_t dst, uint64_t mask, uint64_t sign)
{
    uint32_t f = 0;
    if ((dst & mask) == 0)
        f |= EFLAGS_ZF;
    if (dst & sign)
        f |= EFLAGS_SF;
    return f;
}

/* Flags of src1 + src2 + carry = dst (all truncated to the operand size). */
static inline uint32_t add_flags(uint64_t dst, uint64_t src1, uint64_t src2, unsigned carry,
                                 uint64_t mask, uint64_t sign)
{
    uint32_t f = zs_flags(dst, mask, sign) | parity_flag(dst);
    dst &= mask;
    src2 &= mask;
    if (carry ? dst <= src2 : dst < src2)
        f |= EFLAGS_CF;
    if ((src1 ^ src2 ^ dst) & 0x10)
        f |= EFLAGS_AF;
    if ((src1 ^ dst) & (src2 ^ dst) & sign)
        f |= EFLAGS_OF;
    return f;
}

/* Flags of src1 - src2 - borrow = dst. */
static inline uint32_t sub_flags(uint64_t dst, uint64_t src1, uint64_t src2, unsigned borrow,
                                 uint64_t mask, uint64_t sign)
{
    uint32_t f = zs_flags(dst, mask, sign) | parity_flag(dst);
    src1 &= mask;
    src2 &= mask;
    if (borrow ? src1 <= src2 : src1 < src2)
        f |= EFLAGS_CF;
    if ((src1 ^ src2 ^ dst) & 0x10)
        f |= EFLAGS_AF;
    if ((src1 ^ src2) & (src1 ^ dst) & sign)
        f |= EFLAGS_OF;
    return f;
}

uint32_t x86_cc_compute_all(uint32_t op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (op == CC_OP_EFLAGS)
        return (uint32_t)src & EFLAGS_ARITH;
    if (cc_op_has_size(op)) {
        unsigned size = (op - CC_OP_MULB) & 3;
        unsigned bits = 8u << size;
        uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
        uint64_t sign = 1ULL << (bits - 1);
        uint32_t f;
        dst &= mask;
        switch (op - size) {
        case CC_OP_MULB:
            /* Intel leaves SF/ZF/AF/PF undefined; these are from the low half of the product. */
            f = zs_flags(dst, mask, sign) | parity_flag(dst);
            if (src)
                f |= EFLAGS_CF | EFLAGS_OF;
            return f;
        case CC_OP_ADDB:
            return add_flags(dst, dst - src, src, 0, mask, sign);
        case CC_OP_ADCB:
            return add_flags(dst, dst - src - (src2 & 1), src, src2 & 1, mask, sign);
        case CC_OP_SUBB:
            return sub_flags(dst, dst + src, src, 0, mask, sign);
        case CC_OP_SBBB:
            return sub_flags(dst, dst + src + (src2 & 1), src, src2 & 1, mask, sign);
        case CC_OP_LOGICB:
            return zs_flags(dst, mask, sign) | parity_flag(dst);
        case CC_OP_INCB:
            f = zs_flags(dst, mask, sign) | parity_flag(dst) | (src & 1 ? EFLAGS_CF : 0);
            if ((dst & 0xf) == 0)
                f |= EFLAGS_AF;
            if (dst == sign)
                f |= EFLAGS_OF;
            return f;
        case CC_OP_DECB:
            f = zs_flags(dst, mask, sign) | parity_flag(dst) | (src & 1 ? EFLAGS_CF : 0);
            if ((dst & 0xf) == 0xf)
                f |= EFLAGS_AF;
            if (dst == sign - 1)
                f |= EFLAGS_OF;
            return f;
        case CC_OP_SHLB:
            f = zs_flags(dst, mask, sign) | parity_flag(dst);
            if (src & sign)
                f |= EFLAGS_CF;
            /* OF = CF xor top bit of the result (defined for count 1). */
            if ((src ^ dst) & sign)
                f |= EFLAGS_OF;
            return f;
        case CC_OP_SARB:
            f = zs_flags(dst, mask, sign) | parity_flag(dst);
            if (src & 1)
                f |= EFLAGS_CF;
            if ((src ^ dst) & sign)
                f |= EFLAGS_OF;
            return f;
        case CC_OP_BMILGB:
            f = zs_flags(dst, mask, sign) | parity_flag(dst);
            if ((src & mask) == 0)
                f |= EFLAGS_CF;
            return f;
        }
    }
    switch (op) {
    case CC_OP_ADCX:
        return ((uint32_t)src & EFLAGS_ARITH & ~EFLAGS_CF) | (dst ? EFLAGS_CF : 0);
    case CC_OP_ADOX:
        return ((uint32_t)src & EFLAGS_ARITH & ~EFLAGS_OF) | (src2 ? EFLAGS_OF : 0);
    case CC_OP_ADCOX:
        return ((uint32_t)src & EFLAGS_ARITH & ~(EFLAGS_CF | EFLAGS_OF)) | (dst ? EFLAGS_CF : 0) |
               (src2 ? EFLAGS_OF : 0);
    case CC_OP_CLR:
        return EFLAGS_ZF | EFLAGS_PF;
    case CC_OP_POPCNT:
        return src ? 0 : EFLAGS_ZF;
    }
    /* Only the translator sets cc_op; an unknown value is a vireo bug, not guest input. */
    fprintf(stderr, "vireo: x86_cc_compute: invalid cc_op %u\n", op);
    abort();
}

uint32_t x86_cc_compute_c_all(uint32_t op, uint64_t dst, uint64_t src, uint64_t src2)
{
    /* Blocks that start with INC, DEC or ADC read CF of whatever ran before; the commonest cases
     * are tested first as plain compares (a jump table mispredicts when they alternate). */
    if (op >= CC_OP_LOGICB && op <= CC_OP_DECQ)
        return op >= CC_OP_INCB ? src & 1 : 0;
    if (op >= CC_OP_ADDB && op <= CC_OP_ADDQ) {
        uint64_t mask = op == CC_OP_ADDQ ? ~0ULL : (1ULL << (8u << (op - CC_OP_ADDB))) - 1;
        return (dst & mask) < (src & mask);
    }
    if (cc_op_has_size(op)) {
        unsigned size = (op - CC_OP_MULB) & 3;
        unsigned bits = 8u << size;
        uint64_t mask = bits == 64 ? ~0ULL : (1ULL << bits) - 1;
        uint64_t sign = 1ULL << (bits - 1);
        dst &= mask;
        switch (op - size) {
        case CC_OP_MULB:
            return src != 0;
        case CC_OP_ADDB:
            return dst < (src & mask);
        case CC_OP_ADCB:
            return (src2 & 1) ? dst <= (src & mask) : dst < (src & mask);
        case CC_OP_SUBB:
            return ((dst + src) & mask) < (src & mask);
        case CC_OP_SBBB: {
            uint64_t s1 = (dst + src + (src2 & 1)) & mask;
            return (src2 & 1) ? s1 <= (src & mask) : s1 < (src & mask);
        }
        case CC_OP_LOGICB:
            return 0;
        case CC_OP_INCB:
        case CC_OP_DECB:
            return src & 1;
        case CC_OP_SHLB:
            return (src & sign) != 0;
        case CC_OP_SARB:
            return src & 1;
        case CC_OP_BMILGB:
            return (src & mask) == 0;
        }
    }
    switch (op) {
    case CC_OP_EFLAGS:
        return src & EFLAGS_CF;
    case CC_OP_ADCX:
    case CC_OP_ADCOX:
        return dst != 0;
    case CC_OP_ADOX:
        return src & EFLAGS_CF;
    case CC_OP_CLR:
    case CC_OP_POPCNT:
        return 0;
    }
    fprintf(stderr, "vireo: x86_cc_compute_c: invalid cc_op %u\n", op);
    abort();
}

uint32_t x86_cc_compute(const X86CPUState *env)
{
    return x86_cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

uint32_t x86_cc_compute_c(const X86CPUState *env)
{
    return x86_cc_compute_c_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}
