/* fpu_helper_state.c: saving and restoring the x87/SSE state — FNSTENV/FLDENV, FNSAVE/FRSTOR,
 * FXSAVE/FXRSTOR (Intel SDM 1, 8.1.10 and figures 8-9 to 8-12; SDM 2, FXSAVE table 3-53). */
#include "util/osdep.h"
#include "cpu/x86/fpu_helper.h"

#define GETPC() ((uintptr_t)__builtin_return_address(0))

/* MXCSR bits vireo implements: flags, masks, RC, FTZ, DAZ (SDM 1, 10.2.3). */
#define MXCSR_MASK 0xffff

static bool real_or_vm86(const X86CPUState *env)
{
    return !(env->cr[0] & CR0_PE) || (env->eflags & EFLAGS_VM);
}

/* Writes the environment; returns its size (14 or 28 bytes). */
static unsigned store_env(X86CPUState *env, uint64_t a, int data32, uintptr_t ra)
{
    uint16_t fsw = x86_fpu_status_word(env), ftw = x86_fpu_tag_word(env);
    uint32_t fop = env->fpop & 0x7ff;
    if (data32) {
        x86_st_data(env, a, 0xffff0000u | env->fpuc, 4, ra);
        x86_st_data(env, a + 4, 0xffff0000u | fsw, 4, ra);
        x86_st_data(env, a + 8, 0xffff0000u | ftw, 4, ra);
        if (real_or_vm86(env)) {
            /* Real-mode layout: 20-bit linear pointers split around the opcode. */
            x86_st_data(env, a + 12, 0xffff0000u | (env->fpip & 0xffff), 4, ra);
            x86_st_data(env, a + 16, ((env->fpip >> 16) & 0xffff) << 12 | fop, 4, ra);
            x86_st_data(env, a + 20, 0xffff0000u | (env->fpdp & 0xffff), 4, ra);
            x86_st_data(env, a + 24, ((env->fpdp >> 16) & 0xffff) << 12, 4, ra);
        } else {
            x86_st_data(env, a + 12, (uint32_t)env->fpip, 4, ra);
            x86_st_data(env, a + 16, env->fpcs | (fop << 16), 4, ra);
            x86_st_data(env, a + 20, (uint32_t)env->fpdp, 4, ra);
            x86_st_data(env, a + 24, 0xffff0000u | env->fpds, 4, ra);
        }
        return 28;
    }
    x86_st_data(env, a, env->fpuc, 2, ra);
    x86_st_data(env, a + 2, fsw, 2, ra);
    x86_st_data(env, a + 4, ftw, 2, ra);
    if (real_or_vm86(env)) {
        x86_st_data(env, a + 6, env->fpip & 0xffff, 2, ra);
        x86_st_data(env, a + 8, ((env->fpip >> 16) & 0xf) << 12 | fop, 2, ra);
        x86_st_data(env, a + 10, env->fpdp & 0xffff, 2, ra);
        x86_st_data(env, a + 12, ((env->fpdp >> 16) & 0xf) << 12, 2, ra);
    } else {
        x86_st_data(env, a + 6, env->fpip & 0xffff, 2, ra);
        x86_st_data(env, a + 8, env->fpcs, 2, ra);
        x86_st_data(env, a + 10, env->fpdp & 0xffff, 2, ra);
        x86_st_data(env, a + 12, env->fpds, 2, ra);
    }
    return 14;
}

static void set_fsw(X86CPUState *env, uint16_t fsw)
{
    env->fpstt = (fsw >> 11) & 7;
    env->fpus = fsw & ~0x3800;
    /* ES/B follow the restored exceptions and masks. */
    if (env->fpus & ~env->fpuc & 0x3f)
        env->fpus |= FSW_ES | FSW_B;
    else
        env->fpus &= ~(FSW_ES | FSW_B);
}

static unsigned load_env(X86CPUState *env, uint64_t a, int data32, uintptr_t ra)
{
    unsigned sz = data32 ? 4 : 2;
    uint16_t cw = (uint16_t)x86_ld_data(env, a, 2, ra);
    uint16_t sw = (uint16_t)x86_ld_data(env, a + sz, 2, ra);
    uint16_t tw = (uint16_t)x86_ld_data(env, a + 2 * sz, 2, ra);
    uint64_t ip = x86_ld_data(env, a + 3 * sz, sz, ra);
    uint64_t w4 = x86_ld_data(env, a + 4 * sz, sz, ra);
    uint64_t dp = x86_ld_data(env, a + 5 * sz, sz, ra);
    uint64_t w6 = x86_ld_data(env, a + 6 * sz, sz, ra);
    env->fpuc = cw;
    set_fsw(env, sw);
    x86_fpu_set_tag_word(env, tw);
    if (real_or_vm86(env)) {
        unsigned hi_bits = data32 ? 16 : 4;
        env->fpip = (ip & 0xffff) | (((w4 >> 12) & ((1u << hi_bits) - 1)) << 16);
        env->fpop = w4 & 0x7ff;
        env->fpdp = (dp & 0xffff) | (((w6 >> 12) & ((1u << hi_bits) - 1)) << 16);
    } else {
        env->fpip = data32 ? (uint32_t)ip : (ip & 0xffff);
        env->fpcs = (uint16_t)w4;
        env->fpop = data32 ? (w4 >> 16) & 0x7ff : env->fpop;
        env->fpdp = data32 ? (uint32_t)dp : (dp & 0xffff);
        env->fpds = (uint16_t)w6;
    }
    return data32 ? 28 : 14;
}

void helper_fnstenv(X86CPUState *env, uint64_t addr, int data32)
{
    store_env(env, addr, data32, GETPC());
    env->fpuc |= 0x3f;      /* FNSTENV masks all exceptions afterwards (SDM 2, FSTENV) */
}

void helper_fldenv(X86CPUState *env, uint64_t addr, int data32)
{
    load_env(env, addr, data32, GETPC());
}

void helper_fnsave(X86CPUState *env, uint64_t addr, int data32)
{
    uintptr_t ra = GETPC();
    unsigned off = store_env(env, addr, data32, ra);
    for (int i = 0; i < 8; i++) {
        const Float80 *r = &env->fpregs[fpu_phys(env, i)];
        x86_st_data(env, addr + off + 10 * i, r->mant, 8, ra);
        x86_st_data(env, addr + off + 10 * i + 8, r->exp, 2, ra);
    }
    helper_fninit(env);
}

void helper_frstor(X86CPUState *env, uint64_t addr, int data32)
{
    uintptr_t ra = GETPC();
    Float80 regs[8];
    unsigned off = data32 ? 28 : 14;
    /* Read everything before changing state, so a #PF leaves the FPU as it was. */
    for (int i = 0; i < 8; i++) {
        regs[i].mant = x86_ld_data(env, addr + off + 10 * i, 8, ra);
        regs[i].exp = (uint16_t)x86_ld_data(env, addr + off + 10 * i + 8, 2, ra);
    }
    uint8_t empty[8];
    load_env(env, addr, data32, ra);
    memcpy(empty, env->fptag_empty, 8);
    for (int i = 0; i < 8; i++)
        env->fpregs[fpu_phys(env, i)] = regs[i];
    memcpy(env->fptag_empty, empty, 8);
}

static unsigned xmm_count(const X86CPUState *env)
{
    return (env->hflags & HF_CS64) ? 16 : 8;
}

/* The legacy (FXSAVE) region, split by component so XSAVE can reuse it. */
static void save_x87(X86CPUState *env, uint64_t addr, int rex_w, uintptr_t ra)
{
    uint8_t ftw = 0;
    for (int i = 0; i < 8; i++)
        ftw |= (uint8_t)(!env->fptag_empty[i] << i);     /* abridged: physical order */
    x86_st_data(env, addr, env->fpuc, 2, ra);
    x86_st_data(env, addr + 2, x86_fpu_status_word(env), 2, ra);
    x86_st_data(env, addr + 4, ftw, 2, ra);
    x86_st_data(env, addr + 6, env->fpop & 0x7ff, 2, ra);
    if (rex_w) {
        x86_st_data(env, addr + 8, env->fpip, 8, ra);
        x86_st_data(env, addr + 16, env->fpdp, 8, ra);
    } else {
        x86_st_data(env, addr + 8, (uint32_t)env->fpip, 4, ra);
        x86_st_data(env, addr + 12, env->fpcs, 4, ra);
        x86_st_data(env, addr + 16, (uint32_t)env->fpdp, 4, ra);
        x86_st_data(env, addr + 20, env->fpds, 4, ra);
    }
    for (int i = 0; i < 8; i++) {
        const Float80 *r = &env->fpregs[fpu_phys(env, i)];
        x86_st_data(env, addr + 32 + 16 * i, r->mant, 8, ra);
        x86_st_data(env, addr + 40 + 16 * i, r->exp, 8, ra);
    }
}

static void save_mxcsr(X86CPUState *env, uint64_t addr, uintptr_t ra)
{
    x86_st_data(env, addr + 24, env->mxcsr, 4, ra);
    x86_st_data(env, addr + 28, MXCSR_MASK, 4, ra);
}

static void save_xmm(X86CPUState *env, uint64_t addr, uintptr_t ra)
{
    for (unsigned i = 0; i < xmm_count(env); i++) {
        x86_st_data(env, addr + 160 + 16 * i, env->ymm[i].q[0], 8, ra);
        x86_st_data(env, addr + 168 + 16 * i, env->ymm[i].q[1], 8, ra);
    }
}

/* The x87 part of an image, read completely before anything changes. */
typedef struct X87Image {
    uint16_t cw, sw, fop, cs, ds;
    uint8_t ftw;
    uint64_t ip, dp;
    Float80 regs[8];
} X87Image;

static void read_x87(X86CPUState *env, uint64_t addr, int rex_w, X87Image *im, uintptr_t ra)
{
    im->cw = (uint16_t)x86_ld_data(env, addr, 2, ra);
    im->sw = (uint16_t)x86_ld_data(env, addr + 2, 2, ra);
    im->ftw = (uint8_t)x86_ld_data(env, addr + 4, 1, ra);
    im->fop = (uint16_t)x86_ld_data(env, addr + 6, 2, ra);
    im->cs = env->fpcs;
    im->ds = env->fpds;
    if (rex_w) {
        im->ip = x86_ld_data(env, addr + 8, 8, ra);
        im->dp = x86_ld_data(env, addr + 16, 8, ra);
    } else {
        im->ip = x86_ld_data(env, addr + 8, 4, ra);
        im->cs = (uint16_t)x86_ld_data(env, addr + 12, 2, ra);
        im->dp = x86_ld_data(env, addr + 16, 4, ra);
        im->ds = (uint16_t)x86_ld_data(env, addr + 20, 2, ra);
    }
    for (int i = 0; i < 8; i++) {
        im->regs[i].mant = x86_ld_data(env, addr + 32 + 16 * i, 8, ra);
        im->regs[i].exp = (uint16_t)x86_ld_data(env, addr + 40 + 16 * i, 2, ra);
    }
}

static void apply_x87(X86CPUState *env, const X87Image *im)
{
    env->fpuc = im->cw;
    set_fsw(env, im->sw);
    for (int i = 0; i < 8; i++)
        env->fptag_empty[i] = !((im->ftw >> i) & 1);
    env->fpop = im->fop & 0x7ff;
    env->fpip = im->ip;
    env->fpdp = im->dp;
    env->fpcs = im->cs;
    env->fpds = im->ds;
    for (int i = 0; i < 8; i++)
        env->fpregs[fpu_phys(env, i)] = im->regs[i];
}

static void read_xmm(X86CPUState *env, uint64_t addr, YMMReg *xmm, uintptr_t ra)
{
    for (unsigned i = 0; i < xmm_count(env); i++) {
        xmm[i].q[0] = x86_ld_data(env, addr + 160 + 16 * i, 8, ra);
        xmm[i].q[1] = x86_ld_data(env, addr + 168 + 16 * i, 8, ra);
    }
}

static void apply_xmm(X86CPUState *env, const YMMReg *xmm)
{
    for (unsigned i = 0; i < xmm_count(env); i++) {
        env->ymm[i].q[0] = xmm[i].q[0];
        env->ymm[i].q[1] = xmm[i].q[1];
    }
}

void helper_fxsave(X86CPUState *env, uint64_t addr, int rex_w)
{
    uintptr_t ra = GETPC();
    if (addr & 15)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    save_x87(env, addr, rex_w, ra);
    save_mxcsr(env, addr, ra);
    save_xmm(env, addr, ra);
}

void helper_fxrstor(X86CPUState *env, uint64_t addr, int rex_w)
{
    uintptr_t ra = GETPC();
    if (addr & 15)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    uint32_t mxcsr = (uint32_t)x86_ld_data(env, addr + 24, 4, ra);
    if (mxcsr & ~(uint32_t)MXCSR_MASK)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    X87Image im;
    YMMReg xmm[16];
    read_x87(env, addr, rex_w, &im, ra);
    read_xmm(env, addr, xmm, ra);
    apply_x87(env, &im);
    env->mxcsr = mxcsr;
    apply_xmm(env, xmm);
}

/* ---- XSAVE (Intel SDM 1, ch. 13): x87 (bit 0), SSE (bit 1) and AVX's YMM_Hi128 (bit 2) in
 * the standard format. XSAVEOPT is XSAVE: its modified/init optimisations are permitted, not
 * required (13.9). No compacted format (XSAVEC/XSAVES). ---- */
#define XSAVE_HEADER 512

uint64_t helper_xgetbv(X86CPUState *env, uint32_t ecx)
{
    uintptr_t ra = GETPC();
    if (!(env->cr[4] & CR4_OSXSAVE))
        x86_raise_exception_ra(env, EXCP_UD, 0, false, ra);
    if (ecx != 0)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    return env->xcr0;
}

void helper_xsetbv(X86CPUState *env, uint32_t ecx, uint64_t value)
{
    uintptr_t ra = GETPC();
    if (!(env->cr[4] & CR4_OSXSAVE))
        x86_raise_exception_ra(env, EXCP_UD, 0, false, ra);
    /* XCR0 (SDM 1, 13.3): x87 must stay set, only supported components, AVX needs SSE. */
    if (ecx != 0 || ((env->cr[0] & CR0_PE) && (env->hflags & HF_CPL_MASK)) ||
        !(value & XSTATE_X87) || (value & ~XSTATE_SUPPORTED) ||
        ((value & XSTATE_YMM) && !(value & XSTATE_SSE)))
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    env->xcr0 = value;
    x86_update_hflags(env);
}

static uint64_t xsave_rfbm(X86CPUState *env)
{
    return env->xcr0 & (((uint64_t)(uint32_t)env->regs[R_EDX] << 32) | (uint32_t)env->regs[R_EAX]);
}

static void xsave_checks(X86CPUState *env, uint64_t addr, uintptr_t ra)
{
    if (!(env->cr[4] & CR4_OSXSAVE))
        x86_raise_exception_ra(env, EXCP_UD, 0, false, ra);
    if (addr & 63)
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
}

void helper_xsave(X86CPUState *env, uint64_t addr, int rex_w)
{
    uintptr_t ra = GETPC();
    xsave_checks(env, addr, ra);
    uint64_t rfbm = xsave_rfbm(env);
    uint64_t bv = x86_ld_data(env, addr + XSAVE_HEADER, 8, ra);
    if (rfbm & XSTATE_X87)
        save_x87(env, addr, rex_w, ra);
    /* MXCSR belongs to SSE and to AVX (13.5.2): either saves it. */
    if (rfbm & (XSTATE_SSE | XSTATE_YMM))
        save_mxcsr(env, addr, ra);
    if (rfbm & XSTATE_SSE)
        save_xmm(env, addr, ra);
    if (rfbm & XSTATE_YMM)
        for (unsigned i = 0; i < xmm_count(env); i++) {
            x86_st_data(env, addr + XSAVE_YMM_OFFSET + 16 * i, env->ymm[i].q[2], 8, ra);
            x86_st_data(env, addr + XSAVE_YMM_OFFSET + 8 + 16 * i, env->ymm[i].q[3], 8, ra);
        }
    /* XSTATE_BV: the saved components are marked as holding state. */
    x86_st_data(env, addr + XSAVE_HEADER, (bv & ~rfbm) | rfbm, 8, ra);
}

void helper_xrstor(X86CPUState *env, uint64_t addr, int rex_w)
{
    uintptr_t ra = GETPC();
    xsave_checks(env, addr, ra);
    uint64_t rfbm = xsave_rfbm(env);
    uint64_t bv = x86_ld_data(env, addr + XSAVE_HEADER, 8, ra);
    uint64_t comp = x86_ld_data(env, addr + XSAVE_HEADER + 8, 8, ra);
    /* Standard format only (13.8.1): XCOMP_BV = 0, XSTATE_BV within XCR0, reserved header
     * bytes 16-63 zero; otherwise #GP before anything changes. */
    if (comp || (bv & ~env->xcr0))
        x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    for (unsigned o = 16; o < 64; o += 8)
        if (x86_ld_data(env, addr + XSAVE_HEADER + o, 8, ra))
            x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    uint32_t mxcsr = env->mxcsr;
    if (rfbm & (XSTATE_SSE | XSTATE_YMM)) {
        mxcsr = (uint32_t)x86_ld_data(env, addr + 24, 4, ra);
        if (mxcsr & ~(uint32_t)MXCSR_MASK)
            x86_raise_exception_ra(env, EXCP_GP, 0, true, ra);
    }
    X87Image im;
    YMMReg xmm[16], hi[16];
    if ((rfbm & bv) & XSTATE_X87)
        read_x87(env, addr, rex_w, &im, ra);
    if ((rfbm & bv) & XSTATE_SSE)
        read_xmm(env, addr, xmm, ra);
    if ((rfbm & bv) & XSTATE_YMM)
        read_xmm(env, addr + XSAVE_YMM_OFFSET - 160, hi, ra);   /* same 16-byte slots */
    if (rfbm & XSTATE_X87) {
        if (bv & XSTATE_X87) {
            apply_x87(env, &im);
        } else {
            helper_fninit(env);      /* x87 initial configuration */
            memset(env->fpregs, 0, sizeof(env->fpregs));
        }
    }
    if (rfbm & (XSTATE_SSE | XSTATE_YMM))
        env->mxcsr = mxcsr;
    if (rfbm & XSTATE_SSE) {
        if (bv & XSTATE_SSE)
            apply_xmm(env, xmm);
        else
            for (unsigned i = 0; i < xmm_count(env); i++)
                memset(&env->ymm[i], 0, 16);
    }
    if (rfbm & XSTATE_YMM)
        for (unsigned i = 0; i < xmm_count(env); i++) {
            env->ymm[i].q[2] = (bv & XSTATE_YMM) ? hi[i].q[0] : 0;
            env->ymm[i].q[3] = (bv & XSTATE_YMM) ? hi[i].q[1] : 0;
        }
}
