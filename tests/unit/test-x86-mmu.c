/* test-x86-mmu.c: the page walk on page tables built in a RAM region — every paging mode, the
 * protection rules, reserved bits, A/D updates and A20 (Intel SDM 3A ch. 4). */
#include <criterion/criterion.h>
#include "hw/core/memory.h"
#include "cpu/x86/mmu.h"

static MemoryRegion root, ram;
static AddressSpace as;
static X86CPU cpu;
static X86CPUState *env;

#define RAM_SIZE (32u << 20)

static void setup(void)
{
    memory_region_init_container(&root, "root", UINT64_MAX);
    memory_region_init_ram(&ram, "ram", RAM_SIZE);
    memory_region_add_subregion(&root, 0, &ram);
    address_space_init(&as, &root, "mmu-test");
    x86_cpu_reset(&cpu);
    cpu.as = &as;
    env = &cpu.env;
    env->cr[0] = CR0_PE | CR0_PG | CR0_ET;
}

static void wr4(uint64_t a, uint32_t v) { memcpy(ram.host + a, &v, 4); }
static void wr8(uint64_t a, uint64_t v) { memcpy(ram.host + a, &v, 8); }
static uint64_t rd8(uint64_t a) { uint64_t v; memcpy(&v, ram.host + a, 8); return v; }
static uint32_t rd4(uint64_t a) { uint32_t v; memcpy(&v, ram.host + a, 4); return v; }

typedef struct Res { int rc; uint64_t pa, size; int prot; uint32_t err; } Res;

static Res tr(uint64_t va, int access, int idx)
{
    Res r = { 0 };
    r.rc = x86_mmu_translate(env, va, access, idx, &r.pa, &r.prot, &r.size, &r.err);
    return r;
}

#define P 1u
#define RW 2u
#define US 4u
#define A 0x20u
#define D 0x40u
#define PS 0x80u
#define XD (1ULL << 63)

TestSuite(x86_mmu, .init = setup);

Test(x86_mmu, legacy_4k_and_ad_bits)
{
    env->cr[3] = 0x10000;
    wr4(0x10000 + 4 * 1, 0x11000 | P | RW | US);          /* PDE for 0x00400000 */
    wr4(0x11000 + 4 * 2, 0x200000 | P | RW | US);         /* PTE for 0x00402000 */
    wr4(0x11000 + 4 * 3, 0x201000 | P | US);              /* read-only */
    wr4(0x11000 + 4 * 4, 0x202000 | P | RW);              /* supervisor only */
    Res r = tr(0x402abc, X86_ACCESS_READ, X86_MMU_USER);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.pa, 0x200abc);
    cr_assert_eq(r.size, 4096);
    cr_assert_eq(r.prot, X86_PAGE_READ | X86_PAGE_EXEC, "no WRITE until D is set");
    cr_assert_eq(rd4(0x10004) & (A | D), A);
    cr_assert_eq(rd4(0x11008) & (A | D), A);
    r = tr(0x402abc, X86_ACCESS_WRITE, X86_MMU_USER);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.prot, X86_PAGE_READ | X86_PAGE_WRITE | X86_PAGE_EXEC);
    cr_assert_eq(rd4(0x11008) & (A | D), A | D);
    cr_assert_eq(rd4(0x10004) & D, 0, "D only in the last level");
    /* Not present: error code 0 | W | U. */
    r = tr(0x800000, X86_ACCESS_WRITE, X86_MMU_USER);
    cr_assert_eq(r.rc, 1);
    cr_assert_eq(r.err, PF_ERR_W | PF_ERR_U);
    r = tr(0x405000, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.err, 0);
    /* Read-only page: user write faults with P|W|U; supervisor write ok without CR0.WP. */
    r = tr(0x403000, X86_ACCESS_WRITE, X86_MMU_USER);
    cr_assert_eq(r.rc, 1);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_W | PF_ERR_U);
    cr_assert_eq(rd4(0x1100c) & A, 0, "no A bit on a faulting access");
    r = tr(0x403000, X86_ACCESS_WRITE, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 0);
    env->cr[0] |= CR0_WP;
    r = tr(0x403000, X86_ACCESS_WRITE, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 1);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_W);
    /* Supervisor page from user mode. */
    r = tr(0x404000, X86_ACCESS_READ, X86_MMU_USER);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_U);
    r = tr(0x404000, X86_ACCESS_FETCH, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 0);
    /* U/S and R/W are the AND of both levels. */
    wr4(0x10004, 0x11000 | P | US);
    r = tr(0x402000, X86_ACCESS_WRITE, X86_MMU_USER);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_W | PF_ERR_U);
    /* Paging off (or the PHYS index): identity, truncated to 32 bits outside long mode. */
    r = tr(0x1234567890ULL, X86_ACCESS_READ, X86_MMU_PHYS);
    cr_assert_eq(r.pa, 0x34567890);
}

Test(x86_mmu, pse_4m_and_pse36)
{
    env->cr[3] = 0x10000;
    env->cr[4] = CR4_PSE;
    wr4(0x10000 + 4 * 0x300, 0x01000000 | P | RW | PS);                   /* 0xc0000000 */
    wr4(0x10000 + 4 * 0x301, 0x01400000 | (0x3u << 13) | P | RW | PS);    /* PSE-36 */
    wr4(0x10000 + 4 * 0x302, 0x01800000 | (1u << 21) | P | RW | PS);      /* reserved bit */
    Res r = tr(0xc0123456, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.pa, 0x01123456);
    cr_assert_eq(r.size, 4u << 20);
    r = tr(0xc0523456, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.pa, 0x301523456ULL);
    r = tr(0xc0823456, X86_ACCESS_WRITE, X86_MMU_USER);
    cr_assert_eq(r.rc, 1);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_RSVD | PF_ERR_W | PF_ERR_U);
    /* Without CR4.PSE, PS is ignored and the entry points to a page table. */
    env->cr[4] = 0;
    wr4(0x01000000, 0x5000 | P);
    r = tr(0xc0000123, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.pa, 0x5123);
}

Test(x86_mmu, pae_2m_nx_and_reserved)
{
    env->cr[3] = 0x10000 | 0x20;                      /* PDPT 32-byte aligned */
    env->cr[4] = CR4_PAE;
    wr8(0x10020 + 8 * 0, 0x11000 | P);
    wr8(0x11000 + 8 * 1, 0x400000 | P | RW | US | PS);                  /* 2 MiB at 0x200000 */
    wr8(0x11000 + 8 * 2, 0x12000 | P | RW | US);
    wr8(0x12000 + 8 * 3, 0x7000 | P | RW | US | XD);                    /* NX 4K at 0x403000 */
    Res r = tr(0x2abcde, X86_ACCESS_FETCH, X86_MMU_USER);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.pa, 0x4abcde);
    cr_assert_eq(r.size, 2u << 20);
    /* XD without EFER.NXE is a reserved bit. */
    r = tr(0x403000, X86_ACCESS_READ, X86_MMU_USER);
    cr_assert_eq(r.rc, 1);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_RSVD | PF_ERR_U);
    env->efer |= EFER_NXE;
    r = tr(0x403000, X86_ACCESS_READ, X86_MMU_USER);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.prot & X86_PAGE_EXEC, 0);
    r = tr(0x403000, X86_ACCESS_FETCH, X86_MMU_USER);
    cr_assert_eq(r.rc, 1);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_U | PF_ERR_I);
    /* Not-present fetch also reports I/D with NXE. */
    r = tr(0x40000000, X86_ACCESS_FETCH, X86_MMU_KERNEL);
    cr_assert_eq(r.err, PF_ERR_I);
    /* Reserved: physical address bits above 40, low bits of a 2 MiB PDE, PDPTE bit 5..8. */
    wr8(0x11000 + 8 * 4, (1ULL << 45) | 0x13000 | P);
    r = tr(0x800000, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_RSVD);
    wr8(0x11000 + 8 * 5, 0x600000 | (1u << 13) | P | PS);
    r = tr(0xa00000, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_RSVD);
    wr8(0x10020 + 8 * 1, 0x14000 | P | RW);
    r = tr(0x40000000, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_RSVD, "R/W is reserved in a PAE PDPTE");
}

/* 4-level tables: PML4 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000. */
static void build_4level(void)
{
    env->cr[3] = 0x10000;
    env->cr[4] = CR4_PAE;
    env->efer = EFER_LME | EFER_LMA | EFER_NXE;
    wr8(0x10000 + 8 * 0x1ff, 0x11000 | P | RW | US);         /* 0xffffff80_00000000 */
    wr8(0x11000 + 8 * 0x1fe, 0x12000 | P | RW | US);         /* ...ff_80000000 */
    wr8(0x12000 + 8 * 0, 0x13000 | P | RW | US);
    wr8(0x13000 + 8 * 5, 0x1234000 | P | RW);                /* supervisor 4K */
    wr8(0x13000 + 8 * 6, 0x1235000 | P | RW | US);           /* user 4K */
    wr8(0x12000 + 8 * 1, 0x1400000 | P | RW | PS);           /* 2 MiB */
    wr8(0x11000 + 8 * 0x1ff, 0xc0000000 | P | RW | PS | XD); /* 1 GiB, NX */
}

Test(x86_mmu, four_level_pages_and_sizes)
{
    build_4level();
    uint64_t base = 0xffffffff80000000ULL;
    Res r = tr(base + 0x5678, X86_ACCESS_WRITE, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.pa, 0x1234678);
    cr_assert_eq(rd8(0x10000 + 8 * 0x1ff) & A, A);
    cr_assert_eq(rd8(0x11000 + 8 * 0x1fe) & A, A);
    cr_assert_eq(rd8(0x12000) & A, A);
    cr_assert_eq(rd8(0x13000 + 8 * 5) & (A | D), A | D);
    r = tr(base + 0x200000 + 0x12345, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.pa, 0x1412345);
    cr_assert_eq(r.size, 2u << 20);
    r = tr(0xffffffffc0001234ULL, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.pa, 0xc0001234);
    cr_assert_eq(r.size, 1u << 30);
    r = tr(0xffffffffc0001234ULL, X86_ACCESS_FETCH, X86_MMU_KERNEL);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_I);
    /* Supervisor page from user mode, then a user page. */
    r = tr(base + 0x5000, X86_ACCESS_READ, X86_MMU_USER);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_U);
    r = tr(base + 0x6000, X86_ACCESS_READ, X86_MMU_USER);
    cr_assert_eq(r.rc, 0);
    /* PS in a PML4E is reserved; so are the low bits of a 1 GiB page. */
    wr8(0x10000 + 8 * 1, 0x11000 | P | PS);
    r = tr(0x8000000000ULL, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_RSVD);
    wr8(0x11000 + 8 * 0x1ff, 0xc0000000 | (1u << 20) | P | RW | PS);
    r = tr(0xffffffffc0001234ULL, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_RSVD);
}

Test(x86_mmu, smep_smap)
{
    build_4level();
    uint64_t upage = 0xffffffff80006000ULL;
    env->cr[4] |= CR4_SMEP | CR4_SMAP;
    Res r = tr(upage, X86_ACCESS_FETCH, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 1);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_I, "SMEP");
    r = tr(upage, X86_ACCESS_READ, X86_MMU_KSMAP);
    cr_assert_eq(r.err, PF_ERR_P, "SMAP read");
    r = tr(upage, X86_ACCESS_WRITE, X86_MMU_KSMAP);
    cr_assert_eq(r.err, PF_ERR_P | PF_ERR_W, "SMAP write");
    r = tr(upage, X86_ACCESS_WRITE, X86_MMU_KERNEL);     /* EFLAGS.AC set: allowed */
    cr_assert_eq(r.rc, 0);
    r = tr(upage, X86_ACCESS_FETCH, X86_MMU_USER);
    cr_assert_eq(r.rc, 0);
    env->cr[4] &= ~(uint64_t)(CR4_SMEP | CR4_SMAP);
    r = tr(upage, X86_ACCESS_FETCH, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 0);
    r = tr(upage, X86_ACCESS_READ, X86_MMU_KSMAP);
    cr_assert_eq(r.rc, 0);
}

/* Which MMU index a supervisor access uses (accel/tcg/cputlb.c): explicit accesses follow
 * EFLAGS.AC, implicit ones (descriptor tables, TSS) are always checked under CR4.SMAP. */
Test(x86_mmu, smap_mmu_index)
{
    env->cr[4] |= CR4_SMAP;
    env->eflags &= ~(uint64_t)EFLAGS_AC;
    x86_update_hflags(env);
    cr_assert_eq(x86_tr_mmu_index(env), X86_MMU_KSMAP, "CLAC: explicit accesses checked");
    cr_assert_eq(x86_tr_mmu_index_kernel(env), X86_MMU_KSMAP);
    env->eflags |= EFLAGS_AC;
    x86_update_hflags(env);
    cr_assert_eq(x86_tr_mmu_index(env), X86_MMU_KERNEL, "STAC: explicit accesses allowed");
    cr_assert_eq(x86_tr_mmu_index_kernel(env), X86_MMU_KSMAP, "implicit accesses ignore AC");
    env->cr[4] &= ~(uint64_t)CR4_SMAP;
    x86_update_hflags(env);
    cr_assert_eq(x86_tr_mmu_index_kernel(env), X86_MMU_KERNEL, "no SMAP");
}

Test(x86_mmu, a20_mask)
{
    env->cr[0] = CR0_ET;
    env->a20_mask = ~(1u << 20);
    Res r = tr(0x123456, X86_ACCESS_READ, X86_MMU_PHYS);
    cr_assert_eq(r.pa, 0x023456);
    /* A20 also masks page-table addresses and the final address under paging. */
    env->cr[0] = CR0_PE | CR0_PG | CR0_ET;
    env->cr[3] = 0x110000;                  /* walks at 0x010000 with A20 off */
    wr4(0x10000, 0x11000 | P | RW);
    wr4(0x11000 + 4 * 1, 0x301000 | P | RW);
    r = tr(0x1234, X86_ACCESS_READ, X86_MMU_KERNEL);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.pa, 0x201234);
}
