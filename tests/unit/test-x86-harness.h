/* test-x86-harness.h: a flat-memory test double for the x86 helpers' X86MemOps (tests only).
 *
 * Linear address = offset in a 16 MiB buffer; loop_exit siglongjmps back to the test. Only
 * static functions, so several test files can include it into the one unit-test binary
 * without clashing with each other or with accel/tcg's real accessors.
 */
#ifndef TEST_X86_HARNESS_H
#define TEST_X86_HARNESS_H

#include <setjmp.h>
#include <criterion/criterion.h>
#include "cpu/x86/helper.h"
#include "cpu/x86/excp.h"
#include "cpu/x86/cc.h"

#define TMEM_SIZE (16u << 20)

static uint8_t *tmem;
static sigjmp_buf texit;
static int tflushes, tflush_pages;

static uint64_t tmem_ld(X86CPUState *env, uint64_t a, unsigned size, int idx, uintptr_t ra)
{
    uint64_t v = 0;
    cr_assert_leq(a + size, TMEM_SIZE, "test access out of the flat memory: %#" PRIx64, a);
    memcpy(&v, tmem + a, size);
    return v;
}

static void tmem_st(X86CPUState *env, uint64_t a, uint64_t v, unsigned size, int idx, uintptr_t ra)
{
    cr_assert_leq(a + size, TMEM_SIZE, "test access out of the flat memory: %#" PRIx64, a);
    memcpy(tmem + a, &v, size);
}

static void tmem_flush(X86CPUState *env) { tflushes++; }
static void tmem_flush_page(X86CPUState *env, uint64_t a) { tflush_pages++; }
static void tmem_exit(X86CPUState *env, uintptr_t ra) { siglongjmp(texit, 1); }
static int tmem_idx(X86CPUState *env) { return env->hflags & HF_CPL_MASK; }
static int tmem_idx_kernel(X86CPUState *env) { return 0; }

static const X86MemOps tmem_ops = {
    .ld = tmem_ld, .st = tmem_st, .tlb_flush = tmem_flush, .tlb_flush_page = tmem_flush_page,
    .loop_exit = tmem_exit, .mmu_index = tmem_idx, .mmu_index_kernel = tmem_idx_kernel,
};

static X86CPU tcpu;
static X86CPUState *tenv;

static void harness_init(void)
{
    if (!tmem)
        tmem = calloc(1, TMEM_SIZE);
    memset(tmem, 0, TMEM_SIZE);
    x86_set_mem_ops(&tmem_ops);
    x86_cpu_reset(&tcpu);
    tenv = &tcpu.env;
}

static inline uint64_t rd(uint64_t a, unsigned size) { return tmem_ld(NULL, a, size, 0, 0); }
static inline void wr(uint64_t a, uint64_t v, unsigned size) { tmem_st(NULL, a, v, size, 0, 0); }

/* Run stmt; sets `left` true if it left through loop_exit (an exception, HLT, triple fault). */
#define RUN_CATCH(stmt, left)                                                                   \
    do {                                                                                        \
        if (sigsetjmp(texit, 1) == 0) {                                                         \
            stmt;                                                                               \
            left = false;                                                                       \
        } else {                                                                                \
            left = true;                                                                        \
        }                                                                                       \
    } while (0)

/* stmt must raise `vec` with error code `err` (err < 0: no error code). */
#define EXPECT_EXC(stmt, vec, err)                                                              \
    do {                                                                                        \
        volatile bool left_;                                                                    \
        tenv->exception_pending = -1;                                                           \
        RUN_CATCH(stmt, left_);                                                                 \
        cr_assert(left_, "%s did not raise", #stmt);                                  \
        cr_assert_eq(tenv->exception_pending, (vec), "%s: vector %d, expected %d", #stmt,       \
                     tenv->exception_pending, (vec));                                           \
        if ((err) >= 0) {                                                                       \
            cr_assert(tenv->exception_has_error_code);                                          \
            cr_assert_eq(tenv->exception_error_code, (uint32_t)(err), "%s: error %#x, expected %#x", \
                         #stmt, tenv->exception_error_code, (uint32_t)(err));                   \
        } else {                                                                                \
            cr_assert(!tenv->exception_has_error_code);                                         \
        }                                                                                       \
    } while (0)

#define EXPECT_OK(stmt)                                                                         \
    do {                                                                                        \
        volatile bool left_;                                                                    \
        RUN_CATCH(stmt, left_);                                                                 \
        cr_assert(!left_, "%s raised vector %d err %#x", #stmt,                       \
                  tenv->exception_pending, tenv->exception_error_code);                         \
    } while (0)

/* A descriptor's two dwords from base, limit (bytes or pages with G) and access flags. */
static inline uint64_t mkdesc(uint32_t base, uint32_t limit, uint32_t flags)
{
    uint32_t e1 = (base << 16) | (limit & 0xffff);
    uint32_t e2 = (base >> 16 & 0xff) | (base & 0xff000000) | (limit & 0xf0000) | flags;
    return e1 | ((uint64_t)e2 << 32);
}

#define CODE32(dpl) (DESC_P | DESC_S | DESC_CS_MASK | DESC_R_MASK | DESC_B | DESC_G | ((dpl) << DESC_DPL_SHIFT))
#define DATA32(dpl) (DESC_P | DESC_S | DESC_W_MASK | DESC_B | DESC_G | ((dpl) << DESC_DPL_SHIFT))
#define CODE64(dpl) (DESC_P | DESC_S | DESC_CS_MASK | DESC_R_MASK | DESC_L | DESC_G | ((dpl) << DESC_DPL_SHIFT))

#endif
