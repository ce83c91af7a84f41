/* test-tcg-common.h: a tiny fake CPU (env, soft TLB, guest RAM) for driving tcg/ in unit tests. */
#ifndef TEST_TCG_COMMON_H
#define TEST_TCG_COMMON_H

#include "util/osdep.h"
#include "tcg/tcg.h"
#include <setjmp.h>

#define T_NR 8          /* i64 globals r0..r7 */
#define T_NW 4          /* i32 globals w0..w3 */
#define T_PAGE_BITS 12
#define T_TLB_BITS 4
#define T_NB_MMU 2
#define T_RAM_BASE 0x10000ull
#define T_RAM_PAGES 5   /* pages 0-2 plain RAM, 3 "MMIO" (slow path), 4 not in the TLB */

typedef struct TEntry {
    uint64_t addr_read, addr_write, addr_code;
    uintptr_t addend;
} TEntry;

typedef struct TEnv {
    uint64_t r[T_NR];
    uint32_t w[T_NW];
    int32_t exit_req;
    uint32_t pad;
    uint64_t pc;
    uint8_t scratch[64] __attribute__((aligned(8)));
    TEntry tlb[T_NB_MMU][1 << T_TLB_BITS];
} TEnv;

extern TEnv tenv;
extern uint8_t tram[T_RAM_PAGES << T_PAGE_BITS];
extern TCGv_i64 t_r[T_NR];
extern TCGv_i32 t_w[T_NW];
extern TCGv_i64 t_pc;
extern unsigned t_slow_loads, t_slow_stores;
/* If set, slow-path stores invalidate translated code they hit (SMC). */
extern bool t_smc;
/* If set, a slow-path access to this address "faults": the test longjmps to t_fault_jmp. */
extern uint64_t t_fault_addr;
extern sigjmp_buf t_fault_jmp;
extern uintptr_t t_fault_ra;

/* tcg_init with the test TLB, and globals (once per process). */
void t_setup(TCGBackendKind kind);
/* Fill the TLB for guest RAM (pages 0..3; page 3 flagged so every access is slow). */
void t_tlb_fill(void);

typedef void TBody(void *opaque);
/* Translate a block whose IR is body(opaque) followed by exit_tb(NULL, 0), and return it. */
TranslationBlock *t_gen(uint64_t pc, TBody *body, void *opaque);
/* Run it: returns the exit value. */
uintptr_t t_run(TranslationBlock *tb);

static inline uint64_t t_ram_ld(uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)tram[addr - T_RAM_BASE + i] << (8 * i);
    return v;
}

static inline void t_ram_st(uint64_t addr, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        tram[addr - T_RAM_BASE + i] = (uint8_t)(v >> (8 * i));
}

/* Both back ends where available: iterate with for (int b = 0; b < t_nb_backends(); b++). */
int t_nb_backends(void);
TCGBackendKind t_backend(int i);

#endif
