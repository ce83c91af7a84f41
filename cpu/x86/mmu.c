/* mmu.c: the x86 page walk — 2-level (with PSE/PSE-36), PAE and 4-level paging with NX, WP, SMEP,
 * SMAP, U/S, reserved-bit checks and A/D updates (Intel SDM 3A ch. 4). 5-level paging is not
 * implemented (CR4.LA57 cannot be set). */
#include "util/osdep.h"
#include "hw/core/memory.h"
#include "cpu/x86/mmu.h"

#define PTE_P   (1ULL << 0)
#define PTE_RW  (1ULL << 1)
#define PTE_US  (1ULL << 2)
#define PTE_A   (1ULL << 5)
#define PTE_D   (1ULL << 6)
#define PTE_PS  (1ULL << 7)
#define PTE_XD  (1ULL << 63)

/* Address bits of a 64-bit entry: 51:12, of which bits above MAXPHYADDR are reserved. */
#define PHYS_ADDR_MASK (((1ULL << X86_PHYS_BITS) - 1) & ~0xfffULL)
#define RSVD_HIGH      (((1ULL << 52) - 1) & ~((1ULL << X86_PHYS_BITS) - 1))

typedef struct Walk {
    X86CPUState *env;
    AddressSpace *as;
    uint64_t a20;       /* physical address mask from the A20 gate */
    bool pae;           /* 64-bit entries */
} Walk;

static uint64_t read_entry(Walk *w, uint64_t addr)
{
    MemTxResult res;
    addr &= w->a20;
    /* A table outside RAM reads as all ones from MMIO-less space; that is what the bus gives. */
    return address_space_ld(w->as, addr, w->pae ? 8 : 4, &res);
}

static void set_bits(Walk *w, uint64_t addr, uint64_t entry, uint64_t bits)
{
    if ((entry & bits) == bits)
        return;
    /* Only the low dword holds A and D: a 4-byte write does not race the high half. */
    address_space_st(w->as, addr & w->a20, (uint32_t)(entry | bits), 4);
}

int x86_mmu_translate(X86CPUState *env, uint64_t vaddr, int access, int mmu_idx, uint64_t *paddr,
                      int *prot, uint64_t *page_size, uint32_t *pf_error_code)
{
    X86CPU *cpu = container_of(env, X86CPU, env);
    Walk w = { env, cpu->as, (env->a20_mask & (1u << 20)) ? ~0ULL : ~(1ULL << 20), false };
    bool user = mmu_idx == X86_MMU_USER || mmu_idx == X86_MMU_USER_AC;
    bool nxe = env->efer & EFER_NXE;
    uint32_t err = 0;

    if (mmu_idx == X86_MMU_PHYS || !(env->cr[0] & CR0_PG)) {
        *paddr = ((env->efer & EFER_LMA) ? vaddr : (uint32_t)vaddr) & w.a20;
        *prot = X86_PAGE_READ | X86_PAGE_WRITE | X86_PAGE_EXEC;
        *page_size = 4096;
        return 0;
    }

    /* Walk state: the entries on the path (for A bits), and the combined rights. */
    uint64_t ent_addr[5], ent[5];
    int levels = 0;
    bool rw_all = true, us_all = true, xd_any = false;
    uint64_t page_base, psize;
    uint64_t rsvd_xd = nxe ? 0 : PTE_XD;

    if (env->cr[4] & CR4_PAE) {
        w.pae = true;
        uint64_t table;
        int level;
        if (env->efer & EFER_LMA) {
            table = env->cr[3] & PHYS_ADDR_MASK;
            level = 4;
        } else {
            /* PAE: the PDPTE (SDM 3A 4.4.1). Real CPUs cache the 4 PDPTEs at CR3 load; vireo
             * reads them on each walk, which only differs if the guest edits them without
             * reloading CR3. */
            uint64_t a = (env->cr[3] & 0xffffffe0) + ((vaddr >> 30) & 3) * 8;
            uint64_t e = read_entry(&w, a);
            if (!(e & PTE_P))
                goto not_present;
            if (e & (0x1e6ULL | RSVD_HIGH | PTE_XD))
                goto reserved;
            table = e & PHYS_ADDR_MASK;
            level = 2;
        }
        for (;; level--) {
            unsigned shift = 12 + 9 * (level - 1);
            uint64_t a = table + ((vaddr >> shift) & 0x1ff) * 8;
            uint64_t e = read_entry(&w, a);
            if (!(e & PTE_P))
                goto not_present;
            if (e & (RSVD_HIGH | rsvd_xd))
                goto reserved;
            /* PS is reserved in a PML4E; a 1 GiB page in a PDPTE; 2 MiB in a PDE. */
            if ((e & PTE_PS) && level == 4)
                goto reserved;
            ent_addr[levels] = a;
            ent[levels++] = e;
            rw_all &= (e & PTE_RW) != 0;
            us_all &= (e & PTE_US) != 0;
            xd_any |= nxe && (e & PTE_XD);
            if (level == 1 || ((e & PTE_PS) && level <= 3)) {
                if (level > 1) {
                    /* Large page: bits shift-1..13 must be zero (bit 12 is PAT). */
                    uint64_t low = ((1ULL << shift) - 1) & ~0x1fffULL;
                    if (e & low)
                        goto reserved;
                    page_base = e & PHYS_ADDR_MASK & ~((1ULL << shift) - 1);
                } else {
                    page_base = e & PHYS_ADDR_MASK;
                }
                psize = 1ULL << shift;
                break;
            }
            table = e & PHYS_ADDR_MASK;
        }
    } else {
        /* 32-bit paging (SDM 3A 4.3). */
        uint64_t a = (env->cr[3] & 0xfffff000) + ((vaddr >> 22) & 0x3ff) * 4;
        uint64_t e = read_entry(&w, a);
        if (!(e & PTE_P))
            goto not_present;
        ent_addr[levels] = a;
        ent[levels++] = e;
        rw_all &= (e & PTE_RW) != 0;
        us_all &= (e & PTE_US) != 0;
        if ((e & PTE_PS) && (env->cr[4] & CR4_PSE)) {
            /* 4 MiB page; PSE-36: bits 20:13 are physical address bits 39:32, bit 21 is
             * reserved with a 40-bit MAXPHYADDR. */
            if (e & (1ULL << 21))
                goto reserved;
            page_base = (e & 0xffc00000) | (((e >> 13) & 0xff) << 32);
            psize = 4 << 20;
        } else {
            a = (e & 0xfffff000) + ((vaddr >> 12) & 0x3ff) * 4;
            e = read_entry(&w, a);
            if (!(e & PTE_P))
                goto not_present;
            ent_addr[levels] = a;
            ent[levels++] = e;
            rw_all &= (e & PTE_RW) != 0;
            us_all &= (e & PTE_US) != 0;
            page_base = e & 0xfffff000;
            psize = 4096;
        }
    }

    /* Access rights (SDM 3A 4.6). */
    bool wp = env->cr[0] & CR0_WP;
    bool smep = env->cr[4] & CR4_SMEP;
    bool smap = (env->cr[4] & CR4_SMAP) && mmu_idx == X86_MMU_KSMAP;
    bool can_read, can_write, can_exec;
    if (user) {
        can_read = us_all;
        can_write = us_all && rw_all;
        can_exec = us_all && !xd_any;
    } else {
        can_read = !(us_all && smap);
        can_write = (rw_all || !wp) && !(us_all && smap);
        can_exec = !xd_any && !(us_all && smep);
    }
    bool debug = access == X86_ACCESS_DEBUG;
    bool ok = debug || (access == X86_ACCESS_WRITE ? can_write :
                        access == X86_ACCESS_FETCH ? can_exec : can_read);
    if (!ok) {
        err = PF_ERR_P;
        goto fault;
    }

    /* Set A on every entry of the path, D on the last one for a write (a debugger's look
     * leaves no trace). */
    for (int i = 0; i < levels && !debug; i++)
        set_bits(&w, ent_addr[i], ent[i],
                 PTE_A | ((i == levels - 1 && access == X86_ACCESS_WRITE) ? PTE_D : 0));
    bool dirty = (ent[levels - 1] & PTE_D) || access == X86_ACCESS_WRITE;

    *prot = (can_read ? X86_PAGE_READ : 0) | (can_exec ? X86_PAGE_EXEC : 0) |
            (can_write && dirty ? X86_PAGE_WRITE : 0);
    *paddr = (page_base | (vaddr & (psize - 1))) & w.a20;
    *page_size = psize;
    return 0;

reserved:
    err = PF_ERR_P | PF_ERR_RSVD;
    goto fault;
not_present:
    err = 0;
fault:
    if (access == X86_ACCESS_WRITE)
        err |= PF_ERR_W;
    if (user)
        err |= PF_ERR_U;
    /* I/D is reported only when instruction fetches can be told apart (NXE or SMEP). */
    if (access == X86_ACCESS_FETCH && ((nxe && (env->cr[4] & CR4_PAE)) || (env->cr[4] & CR4_SMEP)))
        err |= PF_ERR_I;
    *pf_error_code = err;
    return 1;
}

bool x86_mmu_debug_translate(X86CPUState *env, uint64_t vaddr, uint64_t *paddr)
{
    int prot;
    uint64_t page_size;
    uint32_t err;
    return x86_mmu_translate(env, vaddr, X86_ACCESS_DEBUG, X86_MMU_KERNEL, paddr, &prot, &page_size,
                             &err) == 0;
}
