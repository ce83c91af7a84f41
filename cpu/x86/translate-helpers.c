/* translate-helpers.c: C helpers called by translated code for the complex integer instructions
 * (division, BCD, rotates, double shifts, I/O, EFLAGS writes, CMPXCHG8B/16B, RDRAND). */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/memory.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/cc.h"
#include "cpu/x86/helper-tr.h"
#include "tcg/tcg.h"
#include <sys/random.h>

void x86_tr_raise(X86CPUState *env, int vector, uint32_t err, bool has_err, uintptr_t retaddr)
{
    x86_raise_exception_ra(env, vector, err, has_err, retaddr);
}

void helper_tr_raise(X86CPUState *env, uint32_t vector)
{
    if (vector == (EXCP_DB | 0x100)) {
        /* Single-step trap: DR6.BS (SDM 3A 17.2.3). */
        env->dr[6] |= 1u << 14;
        vector = EXCP_DB;
    }
    x86_tr_raise(env, vector, 0, false, 0);
}

void helper_tr_raise_err(X86CPUState *env, uint32_t vector, uint32_t err)
{
    x86_tr_raise(env, vector, err, true, 0);
}

void helper_tr_unimplemented(X86CPUState *env, uint64_t bytes_lo, uint32_t len)
{
    static unsigned reported;
    if (reported < 20) {
        reported++;
        error_report("tcg: instruction not implemented at %04x:%" PRIx64 " (bytes %0*" PRIx64
                     ", little-endian): raising #UD",
                     env->segs[R_CS].selector, env->rip, (int)(2 * MIN(len, 8u)), bytes_lo);
    }
    x86_tr_raise(env, EXCP_UD, 0, false, 0);
}

void helper_tr_fetch_fault(X86CPUState *env, uint64_t vaddr)
{
    /* Fetching an instruction's later bytes faulted: re-fetch to raise the #PF properly. */
    uint8_t b;
    if (!x86_tr_fetch_code(env, vaddr, &b, NULL)) {
        extern uint64_t tlb_get_code_page(X86CPUState *env, uint64_t vaddr);
        tlb_get_code_page(env, vaddr);
    }
    /* The page became fetchable meanwhile: just run the instruction again. */
    cpu_loop_exit_restore(env, 0);
}

/* ---- division (SDM 2, DIV/IDIV: #DE on a zero divisor or a quotient that does not fit) */

#define DIV_ERROR() x86_tr_raise(env, EXCP_DE, 0, false, TCG_GETPC())

void helper_tr_divb(X86CPUState *env, uint64_t divisor)
{
    uint32_t num = env->regs[R_EAX] & 0xffff, den = divisor & 0xff;
    if (!den || num / den > 0xff)
        DIV_ERROR();
    uint32_t q = num / den, r = num % den;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (r << 8) | q;
}

void helper_tr_idivb(X86CPUState *env, uint64_t divisor)
{
    int32_t num = (int16_t)env->regs[R_EAX], den = (int8_t)divisor;
    if (!den)
        DIV_ERROR();
    int32_t q = num / den, r = num % den;
    if (q != (int8_t)q)
        DIV_ERROR();
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | ((uint32_t)(uint8_t)r << 8) | (uint8_t)q;
}

void helper_tr_divw(X86CPUState *env, uint64_t divisor)
{
    uint32_t num = (uint32_t)((env->regs[R_EDX] & 0xffff) << 16) | (env->regs[R_EAX] & 0xffff);
    uint32_t den = divisor & 0xffff;
    if (!den || num / den > 0xffff)
        DIV_ERROR();
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (num / den);
    env->regs[R_EDX] = (env->regs[R_EDX] & ~0xffffull) | (num % den);
}

void helper_tr_idivw(X86CPUState *env, uint64_t divisor)
{
    int32_t num = (int32_t)(((env->regs[R_EDX] & 0xffff) << 16) | (env->regs[R_EAX] & 0xffff));
    int32_t den = (int16_t)divisor;
    if (!den)
        DIV_ERROR();
    if (num == INT32_MIN && den == -1)
        DIV_ERROR();
    int32_t q = num / den, r = num % den;
    if (q != (int16_t)q)
        DIV_ERROR();
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (uint16_t)q;
    env->regs[R_EDX] = (env->regs[R_EDX] & ~0xffffull) | (uint16_t)r;
}

void helper_tr_divl(X86CPUState *env, uint64_t divisor)
{
    uint64_t num = ((env->regs[R_EDX] & 0xffffffffull) << 32) | (env->regs[R_EAX] & 0xffffffffull);
    uint32_t den = (uint32_t)divisor;
    if (!den || num / den > 0xffffffffull)
        DIV_ERROR();
    env->regs[R_EAX] = (uint32_t)(num / den);
    env->regs[R_EDX] = (uint32_t)(num % den);
}

void helper_tr_idivl(X86CPUState *env, uint64_t divisor)
{
    int64_t num = (int64_t)(((env->regs[R_EDX] & 0xffffffffull) << 32) | (env->regs[R_EAX] & 0xffffffffull));
    int32_t den = (int32_t)divisor;
    if (!den || (num == INT64_MIN && den == -1))
        DIV_ERROR();
    int64_t q = num / den, r = num % den;
    if (q != (int32_t)q)
        DIV_ERROR();
    env->regs[R_EAX] = (uint32_t)q;
    env->regs[R_EDX] = (uint32_t)r;
}

void helper_tr_divq(X86CPUState *env, uint64_t divisor)
{
    unsigned __int128 num = ((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX];
    if (!divisor || env->regs[R_EDX] >= divisor)
        DIV_ERROR();
    env->regs[R_EAX] = (uint64_t)(num / divisor);
    env->regs[R_EDX] = (uint64_t)(num % divisor);
}

void helper_tr_idivq(X86CPUState *env, uint64_t divisor)
{
    __int128 num = (__int128)(((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX]);
    int64_t den = (int64_t)divisor;
    if (!den)
        DIV_ERROR();
    if (num == (__int128)((unsigned __int128)1 << 127) && den == -1)
        DIV_ERROR();
    __int128 q = num / den, r = num % den;
    if (q != (int64_t)q)
        DIV_ERROR();
    env->regs[R_EAX] = (uint64_t)q;
    env->regs[R_EDX] = (uint64_t)r;
}

/* ---- port I/O (SDM 1, 18.3: I/O permission when CPL > IOPL or in virtual-8086 mode) */

static void check_io(X86CPUState *env, uint32_t port, uint32_t size)
{
    int cpl = env->hflags & HF_CPL_MASK;
    int iopl = (env->eflags & EFLAGS_IOPL) >> 12;
    if (!(env->hflags & HF_PE) || (!(env->hflags & HF_VM) && cpl <= iopl))
        return;
    helper_check_io(env, port, size);
}

uint64_t helper_tr_in(X86CPUState *env, uint32_t port, uint32_t size)
{
    X86CPU *cpu = container_of(env, X86CPU, env);
    MemTxResult res;
    check_io(env, port, size);
    uint64_t v = address_space_ld(cpu->io, port & 0xffff, size, &res);
    return v;
}

void helper_tr_out(X86CPUState *env, uint32_t port, uint64_t val, uint32_t size)
{
    X86CPU *cpu = container_of(env, X86CPU, env);
    check_io(env, port, size);
    address_space_st(cpu->io, port & 0xffff, val, size);
}

/* ---- EFLAGS */

uint64_t helper_tr_read_eflags(X86CPUState *env)
{
    /* SDM 2, PUSHF: #GP in virtual-8086 mode with IOPL < 3 (no VME). */
    if ((env->eflags & EFLAGS_VM) && (env->eflags & EFLAGS_IOPL) != EFLAGS_IOPL)
        x86_tr_raise(env, EXCP_GP, 0, true, 0);
    /* VM and RF read as 0 in the pushed image. */
    return x86_get_eflags(env) & ~(uint64_t)(EFLAGS_VM | EFLAGS_RF);
}

/* POPF / IRET (real mode): which bits may change follows SDM 2, POPF table 4-15. ot is the
 * operand size (MO_16/32/64); bit 8 set means IRET (everything the mode allows, incl. IF). */
void helper_tr_write_eflags(X86CPUState *env, uint64_t val, uint32_t ot)
{
    bool iret = ot & 0x100;
    ot &= 0xff;
    int cpl = env->hflags & HF_CPL_MASK;
    int iopl = (env->eflags & EFLAGS_IOPL) >> 12;
    uint64_t mask = EFLAGS_ARITH | EFLAGS_TF | EFLAGS_DF | EFLAGS_NT | EFLAGS_AC | EFLAGS_ID;
    if (env->eflags & EFLAGS_VM) {
        if (iopl != 3)
            x86_tr_raise(env, EXCP_GP, 0, true, 0);
        mask |= EFLAGS_IF;
    } else {
        if (!(env->hflags & HF_PE) || cpl == 0)
            mask |= EFLAGS_IOPL | EFLAGS_IF;
        else if (cpl <= iopl)
            mask |= EFLAGS_IF;
    }
    (void)iret;
    if (ot == 1)                          /* MO_16 */
        mask &= 0xffff;
    uint64_t old = x86_get_eflags(env);
    x86_set_eflags(env, (old & ~mask) | (val & mask));
    x86_update_hflags(env);
}

void helper_tr_cli(X86CPUState *env)
{
    int cpl = env->hflags & HF_CPL_MASK;
    int iopl = (env->eflags & EFLAGS_IOPL) >> 12;
    if ((env->hflags & HF_PE) && (((env->eflags & EFLAGS_VM) && iopl != 3) || (!(env->eflags & EFLAGS_VM) && cpl > iopl)))
        x86_tr_raise(env, EXCP_GP, 0, true, 0);
    env->eflags &= ~(uint64_t)EFLAGS_IF;
    x86_update_hflags(env);
}

void helper_tr_sti(X86CPUState *env)
{
    int cpl = env->hflags & HF_CPL_MASK;
    int iopl = (env->eflags & EFLAGS_IOPL) >> 12;
    if ((env->hflags & HF_PE) && (((env->eflags & EFLAGS_VM) && iopl != 3) || (!(env->eflags & EFLAGS_VM) && cpl > iopl)))
        x86_tr_raise(env, EXCP_GP, 0, true, 0);
    /* SDM 2, STI: interrupts stay blocked until after the next instruction, if IF was 0. */
    if (!(env->eflags & EFLAGS_IF))
        env->interrupt_shadow = true;
    env->eflags |= EFLAGS_IF;
    x86_update_hflags(env);
}

void helper_tr_set_ac(X86CPUState *env, int set)
{
    if (set)
        env->eflags |= EFLAGS_AC;
    else
        env->eflags &= ~(uint64_t)EFLAGS_AC;
    x86_update_hflags(env);
}

void helper_tr_set_hlt(X86CPUState *env, uint64_t next_rip)
{
    if ((env->hflags & HF_CPL_MASK) != 0)
        x86_tr_raise(env, EXCP_GP, 0, true, 0);
    env->rip = next_rip;
    env->halted = true;
}

void helper_tr_rdtscp(X86CPUState *env)
{
    uint32_t aux = 0;
    uint64_t t = helper_rdtscp(env, &aux);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
    env->regs[R_ECX] = aux;
}

/* ---- BCD (SDM 2, DAA DAS AAA AAS AAM AAD); flags arrive materialised in cc_src */

void helper_tr_daa(X86CPUState *env)
{
    uint32_t f = env->cc_src, al = env->regs[R_EAX] & 0xff, old_al = al;
    bool cf = f & EFLAGS_CF;
    f &= ~(EFLAGS_CF | EFLAGS_AF);
    if ((al & 0xf) > 9 || (env->cc_src & EFLAGS_AF)) {
        al += 6;
        f |= EFLAGS_AF;
    }
    if (old_al > 0x99 || cf) {
        al += 0x60;
        f |= EFLAGS_CF;
    }
    al &= 0xff;
    f &= ~(EFLAGS_ZF | EFLAGS_SF | EFLAGS_PF);
    f |= (al == 0) ? EFLAGS_ZF : 0;
    f |= (al & 0x80) ? EFLAGS_SF : 0;
    f |= __builtin_parity(al) ? 0 : EFLAGS_PF;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffull) | al;
    x86_cc_set_eflags(env, f);
}

void helper_tr_das(X86CPUState *env)
{
    uint32_t f = env->cc_src, al = env->regs[R_EAX] & 0xff, old_al = al;
    bool cf = f & EFLAGS_CF;
    f &= ~(EFLAGS_CF | EFLAGS_AF);
    if ((al & 0xf) > 9 || (env->cc_src & EFLAGS_AF)) {
        f |= EFLAGS_AF | ((al < 6 || cf) ? EFLAGS_CF : 0);
        al -= 6;
    }
    if (old_al > 0x99 || cf) {
        al -= 0x60;
        f |= EFLAGS_CF;
    }
    al &= 0xff;
    f &= ~(EFLAGS_ZF | EFLAGS_SF | EFLAGS_PF);
    f |= (al == 0) ? EFLAGS_ZF : 0;
    f |= (al & 0x80) ? EFLAGS_SF : 0;
    f |= __builtin_parity(al) ? 0 : EFLAGS_PF;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffull) | al;
    x86_cc_set_eflags(env, f);
}

static void aaa_aas(X86CPUState *env, bool sub)
{
    uint32_t f = env->cc_src;
    uint32_t ax = env->regs[R_EAX] & 0xffff;
    if ((ax & 0xf) > 9 || (f & EFLAGS_AF)) {
        ax = sub ? ax - 6 : ax + 0x106;
        if (sub)
            ax = (ax & 0xff) | ((((ax >> 8) - 1) & 0xff) << 8);
        f |= EFLAGS_AF | EFLAGS_CF;
    } else {
        f &= ~(EFLAGS_AF | EFLAGS_CF);
    }
    ax &= 0xff0f;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | ax;
    x86_cc_set_eflags(env, f);
}

void helper_tr_aaa(X86CPUState *env) { aaa_aas(env, false); }
void helper_tr_aas(X86CPUState *env) { aaa_aas(env, true); }

static uint32_t szp8(uint32_t v)
{
    v &= 0xff;
    return (v == 0 ? EFLAGS_ZF : 0) | ((v & 0x80) ? EFLAGS_SF : 0) | (__builtin_parity(v) ? 0 : EFLAGS_PF);
}

void helper_tr_aam(X86CPUState *env, uint32_t base)
{
    uint32_t al = env->regs[R_EAX] & 0xff;
    if (base == 0)
        x86_tr_raise(env, EXCP_DE, 0, false, 0);
    uint32_t ah = al / base;
    al %= base;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (ah << 8) | al;
    x86_cc_set_eflags(env, szp8(al));
}

void helper_tr_aad(X86CPUState *env, uint32_t base)
{
    uint32_t al = env->regs[R_EAX] & 0xff, ah = (env->regs[R_EAX] >> 8) & 0xff;
    al = (al + ah * base) & 0xff;
    env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | al;
    x86_cc_set_eflags(env, szp8(al));
}

/* ---- rotates (ROL ROR RCL RCR) and double shifts; flags in cc_src (CC_OP_EFLAGS) */

uint64_t helper_tr_rotate(X86CPUState *env, uint64_t val, uint64_t count, uint32_t kind)
{
    int op = kind & 3, ot = kind >> 4;
    int bits = 8 << ot;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint32_t f = env->cc_src;
    unsigned cnt = count & (bits == 64 ? 63 : 31);
    val &= mask;
    if (cnt == 0)
        return val;                      /* a masked count of 0 changes no flags */
    if (op >= 2)
        cnt %= bits + 1;                 /* RCL/RCR rotate through bits+1 positions */
    uint64_t res, cf;
    uint64_t msb = 1ull << (bits - 1);
    switch (op) {
    case 0: {                            /* ROL */
        unsigned c = cnt % bits;
        res = c ? ((val << c) | (val >> (bits - c))) & mask : val;
        cf = res & 1;
        f = (f & ~(EFLAGS_CF | EFLAGS_OF)) | (cf ? EFLAGS_CF : 0) |
            ((!!(res & msb) ^ cf) ? EFLAGS_OF : 0);
        break;
    }
    case 1: {                            /* ROR */
        unsigned c = cnt % bits;
        res = c ? ((val >> c) | (val << (bits - c))) & mask : val;
        cf = !!(res & msb);
        f = (f & ~(EFLAGS_CF | EFLAGS_OF)) | (cf ? EFLAGS_CF : 0) |
            ((!!(res & msb) ^ !!(res & (msb >> 1))) ? EFLAGS_OF : 0);
        break;
    }
    default: {                           /* RCL / RCR: rotate the bits+1 wide value CF:val */
        uint64_t c = f & EFLAGS_CF;
        res = val;
        for (unsigned i = 0; i < cnt; i++) {
            if (op == 2) {
                uint64_t out = !!(res & msb);
                res = ((res << 1) | c) & mask;
                c = out;
            } else {
                uint64_t out = res & 1;
                res = (res >> 1) | (c ? msb : 0);
                c = out;
            }
        }
        f &= ~(EFLAGS_CF | EFLAGS_OF);
        f |= c ? EFLAGS_CF : 0;
        if (op == 2)
            f |= (!!(res & msb) ^ c) ? EFLAGS_OF : 0;
        else
            f |= (!!(res & msb) ^ !!(res & (msb >> 1))) ? EFLAGS_OF : 0;
        break;
    }
    }
    x86_cc_set_eflags(env, f);
    return res;
}

uint64_t helper_tr_shd(X86CPUState *env, uint64_t dst, uint64_t src, uint64_t count, uint32_t kind)
{
    bool right = kind & 1;
    int ot = kind >> 4, bits = 8 << ot;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    unsigned cnt = count & (bits == 64 ? 63 : 31);
    dst &= mask;
    src &= mask;
    if (cnt == 0)
        return dst;
    /* 16-bit operands with a count above 16 have undefined results; CPUs shift the 48-bit
     * pattern dst:src:dst, which is what the swapped-roles case below computes. */
    uint64_t res, cf;
    uint64_t a = dst, b = src;
    unsigned c = cnt;
    if (c > (unsigned)bits) {
        a = src;
        b = dst;
        c -= bits;
    }
    if (c == (unsigned)bits) {
        res = b;
        cf = right ? (a >> (bits - 1)) & 1 : a & 1;
    } else if (!right) {
        res = ((a << c) | (b >> (bits - c))) & mask;
        cf = (a >> (bits - c)) & 1;
    } else {
        res = ((a >> c) | (b << (bits - c))) & mask;
        cf = (a >> (c - 1)) & 1;
    }
    uint32_t f = 0;
    uint64_t msb = 1ull << (bits - 1);
    f |= cf ? EFLAGS_CF : 0;
    f |= ((res ^ dst) & msb) ? EFLAGS_OF : 0;       /* defined for count 1: sign changed */
    f |= (res == 0 ? EFLAGS_ZF : 0) | ((res & msb) ? EFLAGS_SF : 0);
    f |= __builtin_parity(res & 0xff) ? 0 : EFLAGS_PF;
    x86_cc_set_eflags(env, f);
    return res;
}

/* ---- CMPXCHG8B / CMPXCHG16B (SDM 2): the big lock serialises vCPUs, so no host atomics. */

extern uint64_t tlb_ld(X86CPUState *env, uint64_t vaddr, unsigned size, int mmu_idx, uintptr_t ra);
extern void tlb_st(X86CPUState *env, uint64_t vaddr, uint64_t val, unsigned size, int mmu_idx, uintptr_t ra);

void helper_tr_cmpxchg8b(X86CPUState *env, uint64_t addr, uint32_t mmu_idx)
{
    uintptr_t ra = TCG_GETPC();
    uint64_t old = tlb_ld(env, addr, 8, mmu_idx, ra);
    uint64_t cmp = ((env->regs[R_EDX] & 0xffffffffull) << 32) | (env->regs[R_EAX] & 0xffffffffull);
    uint32_t f = env->cc_src;
    if (old == cmp) {
        tlb_st(env, addr, ((env->regs[R_ECX] & 0xffffffffull) << 32) | (env->regs[R_EBX] & 0xffffffffull),
               8, mmu_idx, ra);
        f |= EFLAGS_ZF;
    } else {
        tlb_st(env, addr, old, 8, mmu_idx, ra);       /* the write happens in both cases */
        env->regs[R_EAX] = (uint32_t)old;
        env->regs[R_EDX] = old >> 32;
        f &= ~EFLAGS_ZF;
    }
    x86_cc_set_eflags(env, f);
}

void helper_tr_cmpxchg16b(X86CPUState *env, uint64_t addr, uint32_t mmu_idx)
{
    uintptr_t ra = TCG_GETPC();
    if (addr & 15)
        x86_tr_raise(env, EXCP_GP, 0, true, ra);
    uint64_t lo = tlb_ld(env, addr, 8, mmu_idx, ra), hi = tlb_ld(env, addr + 8, 8, mmu_idx, ra);
    uint32_t f = env->cc_src;
    if (lo == env->regs[R_EAX] && hi == env->regs[R_EDX]) {
        tlb_st(env, addr, env->regs[R_EBX], 8, mmu_idx, ra);
        tlb_st(env, addr + 8, env->regs[R_ECX], 8, mmu_idx, ra);
        f |= EFLAGS_ZF;
    } else {
        tlb_st(env, addr, lo, 8, mmu_idx, ra);
        tlb_st(env, addr + 8, hi, 8, mmu_idx, ra);
        env->regs[R_EAX] = lo;
        env->regs[R_EDX] = hi;
        f &= ~EFLAGS_ZF;
    }
    x86_cc_set_eflags(env, f);
}

uint64_t helper_tr_rdrand(X86CPUState *env)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != sizeof v)
        v = (uint64_t)random() << 32 ^ (uint64_t)random();
    return v;
}
