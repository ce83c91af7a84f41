/* kvm.c: the KVM accelerator (Documentation/virt/kvm/api.rst): RAM as memory slots that follow
 * the flat view, one vCPU fd per CPU, the whole architectural state synced to and from
 * X86CPUState, port I/O and MMIO exits dispatched to the device models.
 *
 *     vireo -accel kvm                         KVM's in-kernel PIC, I/O APIC, local APIC and
 *                                              PIT when the host has them (QEMU's default)
 *     vireo -accel kvm -machine kernel_irqchip=off   vireo's own interrupt controller models
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/log.h"
#include "accel/accel.h"
#include "hw/core/board.h"
#include <cpuid.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KVM_DEV "/dev/kvm"
#define TSS_ADDR 0xfeffd000           /* 3 pages below the BIOS, as the API document suggests */
#define IDENTITY_MAP_ADDR 0xfeffc000
#define MAX_SLOTS 64

typedef struct KVMSlot {
    bool used;
    uint64_t gpa, size;
    void *hva;
    uint32_t flags;
} KVMSlot;

typedef struct KVMState {
    int fd, vm_fd;
    int vcpu_mmap_size;
    bool cap_readonly_mem, cap_xsave, cap_xcrs, cap_debugregs, cap_immediate_exit;
    KVMSlot slots[MAX_SLOTS];
    MemoryListener listener;
    uint32_t *msr_list;               /* the MSRs we sync that this kernel supports */
    int nr_msrs;
    bool irqchip_in_kernel;           /* KVM's PIC, I/O APIC and local APICs run the interrupts */
    bool pit_in_kernel;
    /* Power-on state of the in-kernel devices, put back at machine reset. */
    struct kvm_irqchip reset_chips[3];
    struct kvm_pit_state2 reset_pit;
    unsigned reset_count;             /* machine resets so far */
} KVMState;

struct AccelCPU {
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_known;
    struct kvm_lapic_state reset_lapic;   /* in-kernel local APIC at power-on */
    unsigned reset_count;                 /* kvm.reset_count its local APIC has seen */
};

static KVMState kvm = { .fd = -1, .vm_fd = -1 };

static int kvm_check_extension(int cap)
{
    int r = ioctl(kvm.fd, KVM_CHECK_EXTENSION, cap);
    return r < 0 ? 0 : r;
}

static bool host_has_hw_virt(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    bool found = false;
    if (!f)
        return false;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5))
            continue;
        found = strstr(line, " vmx") || strstr(line, " svm");
        break;
    }
    fclose(f);
    return found;
}

static int kvm_open(char *why, size_t len)
{
    int fd = open(KVM_DEV, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            snprintf(why, len, "%s does not exist (KVM module not loaded, or no hardware virtualization)", KVM_DEV);
        else if (errno == EACCES || errno == EPERM)
            snprintf(why, len, "permission denied opening %s (add your user to the kvm group)", KVM_DEV);
        else
            snprintf(why, len, "cannot open %s: %s", KVM_DEV, strerror(errno));
        return -1;
    }
    int ver = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (ver != KVM_API_VERSION) {
        snprintf(why, len, "%s speaks KVM API version %d, vireo needs %d", KVM_DEV, ver, KVM_API_VERSION);
        close(fd);
        return -1;
    }
    return fd;
}

/* "Usable" for -accel auto also means real VT-x/SVM: a paravirtual KVM (kvm_pvm) runs simple
 * code but not every guest, so auto mode prefers TCG there; -accel kvm still uses it. */
static bool kvm_probe(char *why, size_t len)
{
    int fd = kvm_open(why, len);
    if (fd < 0)
        return false;
    close(fd);
    if (!host_has_hw_virt()) {
        snprintf(why, len, "%s has no VT-x/SVM behind it (a paravirtual KVM); use -accel kvm to force it", KVM_DEV);
        return false;
    }
    return true;
}

/* ---- memory slots ---- */

static void slot_set(int id, KVMSlot *s, bool remove)
{
    struct kvm_userspace_memory_region r = {
        .slot = id, .flags = s->flags, .guest_phys_addr = s->gpa,
        .memory_size = remove ? 0 : s->size, .userspace_addr = (uintptr_t)s->hva,
    };
    if (ioctl(kvm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
        fatal("KVM_SET_USER_MEMORY_REGION slot %d gpa 0x%" PRIx64 " size 0x%" PRIx64 ": %s", id,
              s->gpa, s->size, strerror(errno));
}

/* Which page-aligned part of a flat range KVM can map; the rest is served by MMIO exits. */
static bool range_to_slot(const FlatRange *r, KVMSlot *out)
{
    if (r->mr->kind != MR_RAM && r->mr->kind != MR_ROM)
        return false;
    uint64_t start = ALIGN_UP(r->start, 4096), end = ALIGN_DOWN(r->start + r->size, 4096);
    if (end <= start)
        return false;
    uint64_t off = r->offset + (start - r->start);
    if ((off & 4095) != 0)
        return false;
    if (r->readonly && !kvm.cap_readonly_mem && r->mr->kind == MR_RAM)
        return false;                 /* read-only RAM without the capability: trap everything */
    *out = (KVMSlot){ .used = true, .gpa = start, .size = end - start, .hva = r->mr->host + off,
                      .flags = (r->readonly && kvm.cap_readonly_mem) ? KVM_MEM_READONLY : 0 };
    return true;
}

static bool slot_equal(const KVMSlot *a, const KVMSlot *b)
{
    return a->gpa == b->gpa && a->size == b->size && a->hva == b->hva && a->flags == b->flags;
}

static void kvm_memory_commit(MemoryListener *l, AddressSpace *as, const FlatView *old,
                              const FlatView *view)
{
    KVMSlot want[MAX_SLOTS];
    int nwant = 0;
    for (int i = 0; i < view->nr; i++) {
        KVMSlot s;
        if (range_to_slot(&view->ranges[i], &s)) {
            if (nwant == MAX_SLOTS)
                fatal("KVM: more than %d RAM ranges in the memory map", MAX_SLOTS);
            want[nwant++] = s;
        }
    }
    bool keep[MAX_SLOTS] = { false };
    /* Remove the slots that are not wanted any more, keep the identical ones. */
    for (int id = 0; id < MAX_SLOTS; id++) {
        if (!kvm.slots[id].used)
            continue;
        int j;
        for (j = 0; j < nwant; j++)
            if (!keep[j] && slot_equal(&kvm.slots[id], &want[j]))
                break;
        if (j < nwant) {
            keep[j] = true;
        } else {
            slot_set(id, &kvm.slots[id], true);
            kvm.slots[id].used = false;
        }
    }
    for (int j = 0; j < nwant; j++) {
        if (keep[j])
            continue;
        int id = 0;
        while (kvm.slots[id].used)
            id++;
        kvm.slots[id] = want[j];
        slot_set(id, &kvm.slots[id], false);
    }
}

/* ---- init ---- */

static const uint32_t msrs_to_sync[] = {
    MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_STAR, MSR_LSTAR,
    MSR_CSTAR, MSR_FMASK, MSR_KERNELGSBASE, MSR_TSC_AUX, MSR_IA32_PAT, MSR_IA32_MISC_ENABLE,
};

static void kvm_init_msr_list(void)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    ioctl(kvm.fd, KVM_GET_MSR_INDEX_LIST, &probe);         /* E2BIG, sets nmsrs */
    struct kvm_msr_list *list = xzalloc(sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
    list->nmsrs = probe.nmsrs;
    kvm.msr_list = xzalloc(sizeof(msrs_to_sync));
    if (ioctl(kvm.fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
        free(list);
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(msrs_to_sync); i++)
        for (uint32_t j = 0; j < list->nmsrs; j++)
            if (list->indices[j] == msrs_to_sync[i]) {
                kvm.msr_list[kvm.nr_msrs++] = msrs_to_sync[i];
                break;
            }
    free(list);
}

/* ---- in-kernel irqchip ---- */

static void kvm_set_gsi(int gsi, int level)
{
    struct kvm_irq_level l = { .irq = gsi, .level = level };
    if (ioctl(kvm.vm_fd, KVM_IRQ_LINE, &l) < 0)
        warn_report("KVM_IRQ_LINE %d: %s", gsi, strerror(errno));
}

/* The pc machine's wiring as GSI routes: ISA IRQ n to 8259 pin n and I/O APIC pin n, except
 * IRQ0 (the PIT) on I/O APIC pin 2, as the MADT's interrupt source override says; GSI 16-23
 * to the I/O APIC only. */
static bool kvm_set_gsi_routing(void)
{
    enum { NR = 15 + 24 };
    struct kvm_irq_routing *r = xzalloc(sizeof(*r) + NR * sizeof(struct kvm_irq_routing_entry));
    struct kvm_irq_routing_entry *e = r->entries;
    for (uint32_t gsi = 0; gsi < 16; gsi++) {
        if (gsi == 2)
            continue;                 /* the slave 8259's cascade input */
        *e++ = (struct kvm_irq_routing_entry){
            .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
            .u.irqchip = { gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE, gsi & 7 },
        };
    }
    for (uint32_t gsi = 0; gsi < 24; gsi++)
        *e++ = (struct kvm_irq_routing_entry){
            .gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
            .u.irqchip = { KVM_IRQCHIP_IOAPIC, gsi == 0 ? 2 : gsi },
        };
    r->nr = e - r->entries;
    bool ok = ioctl(kvm.vm_fd, KVM_SET_GSI_ROUTING, r) == 0;
    free(r);
    return ok;
}

/* kernel_irqchip=on (or the default): KVM's PIC, I/O APIC and local APICs, and its PIT.
 * Where this KVM refuses, vireo's models stay, and one line says so. */
static bool kvm_irqchip_create(const char *mode, Error **errp)
{
    static const char fallback[] = "vireo's interrupt controllers run the machine";
    if (mode && !strcmp(mode, "off"))
        return true;
    if (mode && !strcmp(mode, "split")) {
        info_report("KVM: kernel_irqchip=split is not implemented; %s (kernel_irqchip=off)", fallback);
        return true;
    }
    if (!kvm_check_extension(KVM_CAP_IRQCHIP) || !kvm_check_extension(KVM_CAP_IRQ_ROUTING)) {
        info_report("KVM: this KVM has no in-kernel irqchip with GSI routing; %s", fallback);
        return true;
    }
    if (ioctl(kvm.vm_fd, KVM_CREATE_IRQCHIP) < 0) {
        info_report("KVM: KVM_CREATE_IRQCHIP: %s; %s", strerror(errno), fallback);
        return true;
    }
    if (!kvm_set_gsi_routing()) {
        error_setg(errp, "KVM: KVM_SET_GSI_ROUTING: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < 3; i++) {
        kvm.reset_chips[i].chip_id = i;
        if (ioctl(kvm.vm_fd, KVM_GET_IRQCHIP, &kvm.reset_chips[i]) < 0) {
            error_setg(errp, "KVM: KVM_GET_IRQCHIP %d: %s", i, strerror(errno));
            return false;
        }
    }
    kvm.irqchip_in_kernel = true;
    board.kernel_irqchip_set_gsi = kvm_set_gsi;
    /* The dummy speaker port keeps port 0x61's view of channel 2 with the in-kernel PIT. */
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
    if (!kvm_check_extension(KVM_CAP_PIT2)) {
        info_report("KVM: no in-kernel PIT (no KVM_CAP_PIT2); vireo's PIT model drives IRQ 0");
        return true;
    }
    if (ioctl(kvm.vm_fd, KVM_CREATE_PIT2, &pit) < 0 ||
        ioctl(kvm.vm_fd, KVM_GET_PIT2, &kvm.reset_pit) < 0) {
        info_report("KVM: no in-kernel PIT (%s); vireo's PIT model drives IRQ 0", strerror(errno));
        return true;
    }
    kvm.pit_in_kernel = true;
    /* By default KVM holds back each tick until the guest acknowledged the one before, then
     * delivers the backlog in a burst, which runs the BIOS's countdowns in the IRQ 0 handler
     * (the floppy motor's) out at once; a paravirtual KVM sees acknowledgements late enough for
     * that to happen. As on a real 8254, a tick that finds IRQ 0 still pending merges with it. */
    struct kvm_reinject_control reinject = { .pit_reinject = 0 };
    if (kvm_check_extension(KVM_CAP_REINJECT_CONTROL) &&
        ioctl(kvm.vm_fd, KVM_REINJECT_CONTROL, &reinject) < 0)
        warn_report("KVM_REINJECT_CONTROL: %s", strerror(errno));
    return true;
}

/* Machine reset: the in-kernel devices go back to their power-on state (the local APICs in
 * their vCPU threads, at the next sync_from_env). */
static void kvm_reset(void)
{
    if (!kvm.irqchip_in_kernel)
        return;
    for (int i = 0; i < 3; i++)
        if (ioctl(kvm.vm_fd, KVM_SET_IRQCHIP, &kvm.reset_chips[i]) < 0)
            warn_report("KVM_SET_IRQCHIP %d: %s", i, strerror(errno));
    if (kvm.pit_in_kernel && ioctl(kvm.vm_fd, KVM_SET_PIT2, &kvm.reset_pit) < 0)
        warn_report("KVM_SET_PIT2: %s", strerror(errno));
    kvm.reset_count++;
}

static bool kvm_init(const OptList *opts, Error **errp)
{
    char why[256];
    const char *irqchip = NULL;
    for (int i = 1; opts && i < opts->n; i++) {
        const char *key = opts->items[i].key, *val = opts->items[i].value;
        if (strcmp(key, "kernel-irqchip") && strcmp(key, "kernel_irqchip")) {
            error_setg(errp, "-accel kvm: unknown option '%s'", key);
            return false;
        }
        if (!val || (strcmp(val, "on") && strcmp(val, "off") && strcmp(val, "split"))) {
            error_setg(errp, "-accel kvm: %s takes on, off or split", key);
            return false;
        }
        irqchip = val;
    }
    kvm.fd = kvm_open(why, sizeof why);
    if (kvm.fd < 0) {
        error_setg(errp, "KVM: %s", why);
        return false;
    }
    if (!kvm_check_extension(KVM_CAP_USER_MEMORY)) {
        error_setg(errp, "KVM: the kernel lacks KVM_CAP_USER_MEMORY");
        return false;
    }
    kvm.vm_fd = ioctl(kvm.fd, KVM_CREATE_VM, 0);
    if (kvm.vm_fd < 0) {
        error_setg(errp, "KVM: KVM_CREATE_VM: %s", strerror(errno));
        return false;
    }
    kvm.cap_readonly_mem = kvm_check_extension(KVM_CAP_READONLY_MEM);
    kvm.cap_xsave = kvm_check_extension(KVM_CAP_XSAVE);
    kvm.cap_xcrs = kvm_check_extension(KVM_CAP_XCRS);
    kvm.cap_debugregs = kvm_check_extension(KVM_CAP_DEBUGREGS);
    kvm.cap_immediate_exit = kvm_check_extension(KVM_CAP_IMMEDIATE_EXIT);
    kvm.vcpu_mmap_size = ioctl(kvm.fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (kvm.vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
        error_setg(errp, "KVM: KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
        return false;
    }
    /* Intel without unrestricted guest emulates real mode through a TSS and an identity map. */
    if (kvm_check_extension(KVM_CAP_SET_TSS_ADDR) && ioctl(kvm.vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
        warn_report("KVM_SET_TSS_ADDR: %s", strerror(errno));
    if (kvm_check_extension(KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        uint64_t addr = IDENTITY_MAP_ADDR;
        ioctl(kvm.vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &addr);
    }
    kvm_init_msr_list();
    if (!kvm_irqchip_create(irqchip, errp))
        return false;
    kvm.listener.commit = kvm_memory_commit;
    address_space_add_listener(board.memory_as, &kvm.listener);
    return true;
}

static void kvm_set_cpuid(X86CPU *cpu)
{
    int n = 128;
    struct kvm_cpuid2 *c = xzalloc(sizeof(*c) + n * sizeof(struct kvm_cpuid_entry2));
    c->nent = n;
    if (ioctl(kvm.fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
        warn_report("KVM_GET_SUPPORTED_CPUID: %s; the guest sees KVM's default CPUID", strerror(errno));
        free(c);
        return;
    }
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == 1) {
            e->ebx = (e->ebx & 0x00ffffff) | (cpu->apic_id << 24);
            if (!cpu->has_apic)
                e->edx &= ~(1u << 9);
            /* vireo's APIC model has neither x2APIC nor a TSC-deadline timer KVM could run. */
            if (!kvm.irqchip_in_kernel)
                e->ecx &= ~((1u << 21) | (1u << 24));
        }
        if (e->function == 0xb || e->function == 0x1f)
            e->edx = cpu->apic_id;
        /* KVM leaves the processor brand string to user space: the guest runs on the host's
         * CPU, so it gets the host's name. */
        if (e->function >= 0x80000002 && e->function <= 0x80000004 &&
            !(e->eax | e->ebx | e->ecx | e->edx))
            __cpuid(e->function, e->eax, e->ebx, e->ecx, e->edx);
    }
    if (ioctl(cpu->accel->fd, KVM_SET_CPUID2, c) < 0)
        warn_report("KVM_SET_CPUID2: %s", strerror(errno));
    free(c);
}

static void kvm_sync_from_env(X86CPU *cpu);

static bool kvm_vcpu_init(X86CPU *cpu, Error **errp)
{
    struct AccelCPU *a = xzalloc(sizeof(*a));
    a->fd = ioctl(kvm.vm_fd, KVM_CREATE_VCPU, cpu->index);
    if (a->fd < 0) {
        error_setg(errp, "KVM: KVM_CREATE_VCPU %d: %s", cpu->index, strerror(errno));
        free(a);
        return false;
    }
    a->run = mmap(NULL, kvm.vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
    if (a->run == MAP_FAILED) {
        error_setg(errp, "KVM: mmap of the vCPU run area: %s", strerror(errno));
        close(a->fd);
        free(a);
        return false;
    }
    a->thread = pthread_self();
    __atomic_store_n(&a->thread_known, true, __ATOMIC_RELEASE);
    cpu->accel = a;
    kvm_set_cpuid(cpu);
    if (kvm.irqchip_in_kernel && ioctl(a->fd, KVM_GET_LAPIC, &a->reset_lapic) < 0) {
        error_setg(errp, "KVM: KVM_GET_LAPIC: %s", strerror(errno));
        return false;
    }
    a->reset_count = kvm.reset_count;
    kvm_sync_from_env(cpu);
    cpu->env_dirty = false;
    return true;
}

/* ---- state sync ---- */

static void seg_to_kvm(struct kvm_segment *k, const SegmentCache *s)
{
    uint32_t f = s->flags;
    *k = (struct kvm_segment){
        .base = s->base, .limit = s->limit, .selector = s->selector,
        .type = (f >> DESC_TYPE_SHIFT) & 15, .s = !!(f & DESC_S), .dpl = (f >> DESC_DPL_SHIFT) & 3,
        .present = !!(f & DESC_P), .avl = !!(f & DESC_AVL), .l = !!(f & DESC_L),
        .db = !!(f & DESC_B), .g = !!(f & DESC_G), .unusable = !(f & DESC_P),
    };
}

static void seg_from_kvm(SegmentCache *s, const struct kvm_segment *k)
{
    s->base = k->base;
    s->limit = k->limit;
    s->selector = k->selector;
    s->flags = (uint32_t)k->type << DESC_TYPE_SHIFT | (k->s ? DESC_S : 0) |
               (uint32_t)k->dpl << DESC_DPL_SHIFT | (k->present && !k->unusable ? DESC_P : 0) |
               (k->avl ? DESC_AVL : 0) | (k->l ? DESC_L : 0) | (k->db ? DESC_B : 0) |
               (k->g ? DESC_G : 0);
}

/* FXSAVE image (Intel SDM 1, 10.5.1): the first 512 bytes of XSAVE and kvm_fpu's layout. */
static void fx_from_env(const X86CPUState *env, uint8_t *fx)
{
    uint16_t fsw = (env->fpus & ~0x3800) | ((env->fpstt & 7) << 11);
    uint8_t ftw = 0;
    for (int i = 0; i < 8; i++)
        if (!env->fptag_empty[i])
            ftw |= 1u << i;
    memcpy(fx + 0, &env->fpuc, 2);
    memcpy(fx + 2, &fsw, 2);
    fx[4] = ftw;
    memcpy(fx + 6, &env->fpop, 2);
    memcpy(fx + 8, &env->fpip, 8);
    memcpy(fx + 16, &env->fpdp, 8);
    memcpy(fx + 24, &env->mxcsr, 4);
    for (int i = 0; i < 8; i++) {
        const Float80 *r = &env->fpregs[(env->fpstt + i) & 7];   /* ST(i) */
        memcpy(fx + 32 + 16 * i, &r->mant, 8);
        memcpy(fx + 40 + 16 * i, &r->exp, 2);
    }
    for (int i = 0; i < 16; i++)
        memcpy(fx + 160 + 16 * i, env->ymm[i].b, 16);
}

static void fx_to_env(X86CPUState *env, const uint8_t *fx)
{
    uint16_t fsw;
    memcpy(&env->fpuc, fx + 0, 2);
    memcpy(&fsw, fx + 2, 2);
    env->fpstt = (fsw >> 11) & 7;
    env->fpus = fsw & ~0x3800;
    for (int i = 0; i < 8; i++)
        env->fptag_empty[i] = !(fx[4] & (1u << i));
    memcpy(&env->fpop, fx + 6, 2);
    memcpy(&env->fpip, fx + 8, 8);
    memcpy(&env->fpdp, fx + 16, 8);
    memcpy(&env->mxcsr, fx + 24, 4);
    for (int i = 0; i < 8; i++) {
        Float80 *r = &env->fpregs[(env->fpstt + i) & 7];
        memcpy(&r->mant, fx + 32 + 16 * i, 8);
        memcpy(&r->exp, fx + 40 + 16 * i, 2);
    }
    for (int i = 0; i < 16; i++)
        memcpy(env->ymm[i].b, fx + 160 + 16 * i, 16);
}

#define XSAVE_HDR_OFF 512
#define XSAVE_YMMH_OFF 576

static void kvm_put_fpu(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    int fd = cpu->accel->fd;
    if (kvm.cap_xsave) {
        struct kvm_xsave xs;
        memset(&xs, 0, sizeof xs);
        uint8_t *p = (uint8_t *)xs.region;
        fx_from_env(env, p);
        uint32_t mxcsr_mask = 0xffff;
        memcpy(p + 28, &mxcsr_mask, 4);
        uint64_t bv = 3 | ((env->xcr0 & 4) ? 4 : 0);     /* x87, SSE, and AVX if enabled */
        memcpy(p + XSAVE_HDR_OFF, &bv, 8);
        for (int i = 0; i < 16; i++)
            memcpy(p + XSAVE_YMMH_OFF + 16 * i, env->ymm[i].b + 16, 16);
        if (ioctl(fd, KVM_SET_XSAVE, &xs) < 0)
            warn_report("KVM_SET_XSAVE: %s", strerror(errno));
        if (kvm.cap_xcrs) {
            struct kvm_xcrs x = { .nr_xcrs = 1, .xcrs = { { .xcr = 0, .value = env->xcr0 ? env->xcr0 : 1 } } };
            if (ioctl(fd, KVM_SET_XCRS, &x) < 0)
                warn_report("KVM_SET_XCRS: %s", strerror(errno));
        }
    } else {
        struct kvm_fpu f;
        uint8_t fx[512] = { 0 };
        fx_from_env(env, fx);
        memset(&f, 0, sizeof f);
        memcpy(&f.fcw, fx, 2);
        memcpy(&f.fsw, fx + 2, 2);
        f.ftwx = fx[4];
        memcpy(&f.last_opcode, fx + 6, 2);
        memcpy(&f.last_ip, fx + 8, 8);
        memcpy(&f.last_dp, fx + 16, 8);
        memcpy(f.fpr, fx + 32, 128);
        memcpy(f.xmm, fx + 160, 256);
        f.mxcsr = env->mxcsr;
        if (ioctl(fd, KVM_SET_FPU, &f) < 0)
            warn_report("KVM_SET_FPU: %s", strerror(errno));
    }
}

static void kvm_get_fpu(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    int fd = cpu->accel->fd;
    if (kvm.cap_xsave) {
        struct kvm_xsave xs;
        if (ioctl(fd, KVM_GET_XSAVE, &xs) < 0) {
            warn_report("KVM_GET_XSAVE: %s", strerror(errno));
            return;
        }
        const uint8_t *p = (const uint8_t *)xs.region;
        fx_to_env(env, p);
        uint64_t bv;
        memcpy(&bv, p + XSAVE_HDR_OFF, 8);
        for (int i = 0; i < 16; i++) {
            if (bv & 4)
                memcpy(env->ymm[i].b + 16, p + XSAVE_YMMH_OFF + 16 * i, 16);
            else
                memset(env->ymm[i].b + 16, 0, 16);
        }
        if (kvm.cap_xcrs) {
            struct kvm_xcrs x;
            memset(&x, 0, sizeof x);
            if (ioctl(fd, KVM_GET_XCRS, &x) == 0)
                for (uint32_t i = 0; i < x.nr_xcrs; i++)
                    if (x.xcrs[i].xcr == 0)
                        env->xcr0 = x.xcrs[i].value;
        }
    } else {
        struct kvm_fpu f;
        if (ioctl(fd, KVM_GET_FPU, &f) < 0) {
            warn_report("KVM_GET_FPU: %s", strerror(errno));
            return;
        }
        uint8_t fx[512] = { 0 };
        memcpy(fx, &f.fcw, 2);
        memcpy(fx + 2, &f.fsw, 2);
        fx[4] = f.ftwx;
        memcpy(fx + 6, &f.last_opcode, 2);
        memcpy(fx + 8, &f.last_ip, 8);
        memcpy(fx + 16, &f.last_dp, 8);
        memcpy(fx + 24, &f.mxcsr, 4);
        memcpy(fx + 32, f.fpr, 128);
        memcpy(fx + 160, f.xmm, 256);
        fx_to_env(env, fx);
    }
}

static uint64_t *msr_field(X86CPUState *env, uint32_t index)
{
    switch (index) {
    case MSR_IA32_SYSENTER_CS: return &env->sysenter_cs;
    case MSR_IA32_SYSENTER_ESP: return &env->sysenter_esp;
    case MSR_IA32_SYSENTER_EIP: return &env->sysenter_eip;
    case MSR_STAR: return &env->star;
    case MSR_LSTAR: return &env->lstar;
    case MSR_CSTAR: return &env->cstar;
    case MSR_FMASK: return &env->fmask;
    case MSR_KERNELGSBASE: return &env->kernel_gs_base;
    case MSR_TSC_AUX: return &env->tsc_aux;
    case MSR_IA32_PAT: return &env->pat;
    case MSR_IA32_MISC_ENABLE: return &env->misc_enable;
    default: return NULL;
    }
}

static void kvm_msrs(X86CPU *cpu, bool put)
{
    if (!kvm.nr_msrs)
        return;
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry e[ARRAY_SIZE(msrs_to_sync)];
    } m;
    memset(&m, 0, sizeof m);
    m.hdr.nmsrs = kvm.nr_msrs;
    for (int i = 0; i < kvm.nr_msrs; i++) {
        m.e[i].index = kvm.msr_list[i];
        m.e[i].data = *msr_field(&cpu->env, kvm.msr_list[i]);
    }
    int r = ioctl(cpu->accel->fd, put ? KVM_SET_MSRS : KVM_GET_MSRS, &m);
    if (r != kvm.nr_msrs) {
        warn_report("KVM_%s_MSRS: %d of %d MSRs (%s)", put ? "SET" : "GET", r, kvm.nr_msrs,
                    r < 0 ? strerror(errno) : "the kernel refused one");
        return;
    }
    if (!put)
        for (int i = 0; i < kvm.nr_msrs; i++)
            *msr_field(&cpu->env, m.e[i].index) = m.e[i].data;
}

static void kvm_sync_from_env(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    int fd = cpu->accel->fd;
    if (cpu->accel->reset_count != kvm.reset_count) {
        /* Before KVM_SET_SREGS, which sets the APIC base and TPR. */
        cpu->accel->reset_count = kvm.reset_count;
        if (ioctl(fd, KVM_SET_LAPIC, &cpu->accel->reset_lapic) < 0)
            warn_report("KVM_SET_LAPIC: %s", strerror(errno));
    }
    struct kvm_regs regs = {
        .rax = env->regs[R_EAX], .rbx = env->regs[R_EBX], .rcx = env->regs[R_ECX],
        .rdx = env->regs[R_EDX], .rsi = env->regs[R_ESI], .rdi = env->regs[R_EDI],
        .rsp = env->regs[R_ESP], .rbp = env->regs[R_EBP], .r8 = env->regs[8], .r9 = env->regs[9],
        .r10 = env->regs[10], .r11 = env->regs[11], .r12 = env->regs[12], .r13 = env->regs[13],
        .r14 = env->regs[14], .r15 = env->regs[15], .rip = env->rip, .rflags = x86_get_eflags(env),
    };
    if (ioctl(fd, KVM_SET_REGS, &regs) < 0)
        warn_report("KVM_SET_REGS: %s", strerror(errno));

    struct kvm_sregs s;
    memset(&s, 0, sizeof s);
    seg_to_kvm(&s.es, &env->segs[R_ES]);
    seg_to_kvm(&s.cs, &env->segs[R_CS]);
    seg_to_kvm(&s.ss, &env->segs[R_SS]);
    seg_to_kvm(&s.ds, &env->segs[R_DS]);
    seg_to_kvm(&s.fs, &env->segs[R_FS]);
    seg_to_kvm(&s.gs, &env->segs[R_GS]);
    seg_to_kvm(&s.ldt, &env->ldt);
    seg_to_kvm(&s.tr, &env->tr);
    s.gdt.base = env->gdt.base;
    s.gdt.limit = env->gdt.limit;
    s.idt.base = env->idt.base;
    s.idt.limit = env->idt.limit;
    s.cr0 = env->cr[0];
    s.cr2 = env->cr[2];
    s.cr3 = env->cr[3];
    s.cr4 = env->cr[4];
    s.efer = env->efer;
    s.apic_base = env->apic_base;
    s.cr8 = kvm.irqchip_in_kernel ? env->cr8 : x86_cpu_get_cr8(cpu);
    if (ioctl(fd, KVM_SET_SREGS, &s) < 0)
        warn_report("KVM_SET_SREGS: %s", strerror(errno));

    kvm_put_fpu(cpu);
    kvm_msrs(cpu, true);
    if (kvm.cap_debugregs) {
        struct kvm_debugregs d;
        memset(&d, 0, sizeof d);
        for (int i = 0; i < 4; i++)
            d.db[i] = env->dr[i];
        d.dr6 = env->dr[6];
        d.dr7 = env->dr[7];
        if (ioctl(fd, KVM_SET_DEBUGREGS, &d) < 0)
            warn_report("KVM_SET_DEBUGREGS: %s", strerror(errno));
    }
}

static void kvm_get_regs(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    struct kvm_regs regs;
    if (ioctl(cpu->accel->fd, KVM_GET_REGS, &regs) < 0) {
        warn_report("KVM_GET_REGS: %s", strerror(errno));
        return;
    }
    uint64_t r[16] = { regs.rax, regs.rcx, regs.rdx, regs.rbx, regs.rsp, regs.rbp, regs.rsi, regs.rdi,
                       regs.r8, regs.r9, regs.r10, regs.r11, regs.r12, regs.r13, regs.r14, regs.r15 };
    memcpy(env->regs, r, sizeof r);
    env->rip = regs.rip;
    x86_set_eflags(env, regs.rflags);
}

static void kvm_sync_to_env(X86CPU *cpu)
{
    X86CPUState *env = &cpu->env;
    int fd = cpu->accel->fd;
    kvm_get_regs(cpu);
    struct kvm_sregs s;
    if (ioctl(fd, KVM_GET_SREGS, &s) == 0) {
        seg_from_kvm(&env->segs[R_ES], &s.es);
        seg_from_kvm(&env->segs[R_CS], &s.cs);
        seg_from_kvm(&env->segs[R_SS], &s.ss);
        seg_from_kvm(&env->segs[R_DS], &s.ds);
        seg_from_kvm(&env->segs[R_FS], &s.fs);
        seg_from_kvm(&env->segs[R_GS], &s.gs);
        seg_from_kvm(&env->ldt, &s.ldt);
        seg_from_kvm(&env->tr, &s.tr);
        env->gdt.base = s.gdt.base;
        env->gdt.limit = s.gdt.limit;
        env->idt.base = s.idt.base;
        env->idt.limit = s.idt.limit;
        env->cr[0] = s.cr0;
        env->cr[2] = s.cr2;
        env->cr[3] = s.cr3;
        env->cr[4] = s.cr4;
        env->efer = s.efer;
        env->apic_base = s.apic_base;
        if (kvm.irqchip_in_kernel)
            env->cr8 = s.cr8;
    } else {
        warn_report("KVM_GET_SREGS: %s", strerror(errno));
    }
    kvm_get_fpu(cpu);
    kvm_msrs(cpu, false);
    if (kvm.cap_debugregs) {
        struct kvm_debugregs d;
        if (ioctl(fd, KVM_GET_DEBUGREGS, &d) == 0) {
            for (int i = 0; i < 4; i++)
                env->dr[i] = d.db[i];
            env->dr[6] = d.dr6;
            env->dr[7] = d.dr7;
        }
    }
    x86_update_hflags(env);
}

/* ---- running ---- */

static void report_failure(X86CPU *cpu, const char *what)
{
    kvm_sync_to_env(cpu);
    X86CPUState *env = &cpu->env;
    error_report("KVM: %s", what);
    x86_cpu_dump_state(env, stderr);
    uint8_t code[16];
    uint64_t pc = env->segs[R_CS].base + env->rip;
    if (!(env->cr[0] & CR0_PG) && address_space_read(cpu->as, pc & 0xffffffff, code, sizeof code) == MEMTX_OK) {
        fprintf(stderr, "Code at %08" PRIx64 ":", pc);
        for (int i = 0; i < 16; i++)
            fprintf(stderr, " %02x", code[i]);
        fputc('\n', stderr);
    }
}

static void handle_io(X86CPU *cpu, struct kvm_run *run)
{
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            uint64_t v = 0;
            memcpy(&v, data, run->io.size);
            address_space_st(cpu->io, run->io.port, v, run->io.size);
        } else {
            uint64_t v = address_space_ld(cpu->io, run->io.port, run->io.size, NULL);
            memcpy(data, &v, run->io.size);
        }
    }
}

static void inject_interrupts(X86CPU *cpu, struct kvm_run *run)
{
    uint32_t req = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_SEQ_CST);
    if (req & CPU_INTERRUPT_NMI) {
        x86_cpu_clear_interrupt(cpu, CPU_INTERRUPT_NMI);
        if (ioctl(cpu->accel->fd, KVM_NMI) < 0)
            warn_report("KVM_NMI: %s", strerror(errno));
    }
    run->request_interrupt_window = 0;
    if (!(req & CPU_INTERRUPT_HARD) || kvm.irqchip_in_kernel)
        return;
    if (run->ready_for_interrupt_injection && run->if_flag) {
        int vector = cpu->intr_source.get_vector ? cpu->intr_source.get_vector(cpu->intr_source.opaque) : -1;
        if (vector >= 0) {
            struct kvm_interrupt irq = { .irq = vector };
            if (ioctl(cpu->accel->fd, KVM_INTERRUPT, &irq) < 0)
                warn_report("KVM_INTERRUPT: %s", strerror(errno));
            qlog(LOG_INT, "KVM: injected vector 0x%02x\n", vector);
        }
    } else {
        run->request_interrupt_window = 1;
    }
}

/* vireo's local APIC model under KVM: KVM keeps CR8 and IA32_APIC_BASE in kvm_run, user space
 * the APIC they belong to (api.rst, struct kvm_run: cr8, apic_base). */
static void apic_model_after_exit(X86CPU *cpu, struct kvm_run *run)
{
    if (run->cr8 != x86_cpu_get_cr8(cpu))
        x86_cpu_set_cr8(cpu, run->cr8);
    if (run->apic_base != cpu->env.apic_base) {
        cpu->env.apic_base = run->apic_base;
        cpu->apic.set_base(cpu->apic.opaque, run->apic_base);
    }
}

static AccelExit kvm_vcpu_exec(X86CPU *cpu)
{
    struct AccelCPU *a = cpu->accel;
    struct kvm_run *run = a->run;
    bool apic_model = cpu->apic.set_base && !kvm.irqchip_in_kernel;
    for (;;) {
        if (cpu->interrupt_request & (CPU_INTERRUPT_EXIT | CPU_INTERRUPT_INIT))
            return ACCEL_EXIT_KICK;              /* INIT: system/cpus.c applies it */
        inject_interrupts(cpu, run);
        if (apic_model)
            run->cr8 = x86_cpu_get_cr8(cpu);
        bql_unlock();
        int r = ioctl(a->fd, KVM_RUN, 0);
        int err = errno;
        bql_lock();
        run->immediate_exit = 0;
        if (apic_model)
            apic_model_after_exit(cpu, run);
        if (r < 0) {
            if (err == EINTR || err == EAGAIN)
                return ACCEL_EXIT_KICK;
            report_failure(cpu, strerror(err));
            return ACCEL_EXIT_ERROR;
        }
        qlog(LOG_KVM, "KVM: exit %u\n", run->exit_reason);
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            handle_io(cpu, run);
            break;
        case KVM_EXIT_MMIO:
            address_space_rw(cpu->as, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
                             run->mmio.is_write);
            break;
        case KVM_EXIT_IRQ_WINDOW_OPEN:
        case KVM_EXIT_SET_TPR:            /* apic_model_after_exit has it */
            break;
        case KVM_EXIT_INTR:
            return ACCEL_EXIT_KICK;
        case KVM_EXIT_HLT:
            /* The vCPU thread waits for an interrupt with IF set: it needs RFLAGS. */
            kvm_get_regs(cpu);
            cpu->env.halted = true;
            return ACCEL_EXIT_HLT;
        case KVM_EXIT_SHUTDOWN:
            return ACCEL_EXIT_SHUTDOWN;
        case KVM_EXIT_DEBUG:
            kvm_sync_to_env(cpu);
            return ACCEL_EXIT_DEBUG;
        case KVM_EXIT_SYSTEM_EVENT:
            if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
                return ACCEL_EXIT_SHUTDOWN;
            board.request_shutdown(0);
            return ACCEL_EXIT_KICK;
        case KVM_EXIT_FAIL_ENTRY: {
            char msg[96];
            snprintf(msg, sizeof msg, "VM entry failed, hardware reason 0x%llx",
                     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            report_failure(cpu, msg);
            return ACCEL_EXIT_ERROR;
        }
        case KVM_EXIT_INTERNAL_ERROR: {
            char msg[128];
            if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
                snprintf(msg, sizeof msg, "internal error: emulation failure (the host's KVM could "
                         "not emulate this instruction)");
                report_failure(cpu, msg);
                if (run->emulation_failure.ndata >= 3 &&
                    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
                    fprintf(stderr, "Instruction bytes:");
                    for (int i = 0; i < run->emulation_failure.insn_size && i < 15; i++)
                        fprintf(stderr, " %02x", run->emulation_failure.insn_bytes[i]);
                    fputc('\n', stderr);
                }
            } else {
                snprintf(msg, sizeof msg, "internal error, suberror %u", run->internal.suberror);
                report_failure(cpu, msg);
            }
            return ACCEL_EXIT_ERROR;
        }
        default: {
            char msg[64];
            snprintf(msg, sizeof msg, "unexpected exit reason %u", run->exit_reason);
            report_failure(cpu, msg);
            return ACCEL_EXIT_ERROR;
        }
        }
    }
}

static void kvm_vcpu_kick(X86CPU *cpu)
{
    struct AccelCPU *a = cpu->accel;
    if (!a || !__atomic_load_n(&a->thread_known, __ATOMIC_ACQUIRE))
        return;
    a->run->immediate_exit = 1;
    if (!pthread_equal(a->thread, pthread_self()))
        pthread_kill(a->thread, SIGUSR1);
}

static bool kvm_set_guest_debug(X86CPU *cpu, bool single_step, const uint64_t *bps, int nbps)
{
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof dbg);
    if (single_step || nbps) {
        dbg.control = KVM_GUESTDBG_ENABLE | (single_step ? KVM_GUESTDBG_SINGLESTEP : 0);
        if (nbps) {
            if (nbps > 4)
                return false;
            dbg.control |= KVM_GUESTDBG_USE_HW_BP;
            for (int i = 0; i < nbps; i++) {
                dbg.arch.debugreg[i] = bps[i];
                dbg.arch.debugreg[7] |= 2u << (2 * i);     /* Gn: global enable, execute, 1 byte */
            }
        }
    }
    return ioctl(cpu->accel->fd, KVM_SET_GUEST_DEBUG, &dbg) == 0;
}

static const AccelOps kvm_ops = {
    .name = "kvm",
    .probe = kvm_probe,
    .init = kvm_init,
    .vcpu_init = kvm_vcpu_init,
    .vcpu_exec = kvm_vcpu_exec,
    .vcpu_kick = kvm_vcpu_kick,
    .sync_from_env = kvm_sync_from_env,
    .sync_to_env = kvm_sync_to_env,
    .set_guest_debug = kvm_set_guest_debug,
    .reset = kvm_reset,
};
ACCEL_REGISTER(kvm_ops);
