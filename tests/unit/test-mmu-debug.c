/* test-mmu-debug.c: the debugger's page walk finds mappings regardless of rights and leaves
 * the accessed/dirty bits alone. */
#include <criterion/criterion.h>
#include "cpu/x86/mmu.h"
#include "hw/core/memory.h"

Test(mmu_debug, no_trace_and_no_rights_check)
{
    static MemoryRegion root, ram;
    static AddressSpace as;
    memory_region_init_container(&root, "root", UINT64_MAX);
    memory_region_init_ram(&ram, "ram", 4 * MiB);
    memory_region_add_subregion(&root, 0, &ram);
    address_space_init(&as, &root, "mem");
    X86CPU cpu = { 0 };
    cpu.as = &as;
    x86_cpu_reset(&cpu);
    X86CPUState *env = &cpu.env;
    /* 32-bit paging: PDE 0 -> PT at 0x2000; PTE 5 maps 0x5000 -> 0x123000, supervisor, read-only. */
    uint32_t *pd = (uint32_t *)(ram.host + 0x1000), *pt = (uint32_t *)(ram.host + 0x2000);
    pd[0] = 0x2000 | 0x1;
    pt[5] = 0x123000 | 0x1;
    env->cr[3] = 0x1000;
    env->cr[0] = CR0_PE | CR0_PG | CR0_WP;
    uint64_t pa;
    cr_assert(x86_mmu_debug_translate(env, 0x5abc, &pa));
    cr_assert_eq(pa, 0x123abc);
    cr_assert_eq(pd[0] & 0x20, 0, "no accessed bit on the PDE");
    cr_assert_eq(pt[5] & 0x60, 0, "no accessed/dirty bit on the PTE");
    cr_assert_not(x86_mmu_debug_translate(env, 0x6000, &pa), "not present");
    env->cr[0] = CR0_PE;
    cr_assert(x86_mmu_debug_translate(env, 0x6000, &pa));
    cr_assert_eq(pa, 0x6000, "paging off: linear is physical");
}
