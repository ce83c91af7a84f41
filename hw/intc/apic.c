/* apic.c: local APIC — IRR/ISR/TPR priority, EOI, LVTs, timer (one-shot, periodic, TSC
 * deadline), IPIs through the ICR, spurious vector, ExtINT from the 8259 on LINT0. */
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/board.h"
#include "hw/intc/apic.h"

static APICState *apics[APIC_MAX];
static int napics;
static __thread APICState *apic_cur;
void (*apic_eoi_broadcast)(uint8_t vector);

/* The APIC timer counts the bus clock: 1 GHz here, so one count per ns before the divider. */
#define APIC_BUS_HZ NS_PER_SEC

void apic_set_current(APICState *s)
{
    apic_cur = s;
}

static APICState *apic_current(void)
{
    return apic_cur ? apic_cur : apics[0];
}

static void bit_set(uint32_t *tab, int v) { tab[v >> 5] |= 1u << (v & 31); }
static void bit_clear(uint32_t *tab, int v) { tab[v >> 5] &= ~(1u << (v & 31)); }
static bool bit_test(const uint32_t *tab, int v) { return tab[v >> 5] & (1u << (v & 31)); }

/* Highest set vector, or -1. */
static int highest_bit(const uint32_t *tab)
{
    for (int i = 7; i >= 0; i--) {
        if (tab[i])
            return i * 32 + 31 - __builtin_clz(tab[i]);
    }
    return -1;
}

/* Processor priority (SDM 3A 10.8.3.1). */
static int apic_ppr(APICState *s)
{
    int isrv = highest_bit(s->isr);
    int isr_class = isrv < 0 ? 0 : isrv & 0xf0;
    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

static bool apic_sw_enabled(APICState *s)
{
    return (s->apicbase & MSR_APICBASE_ENABLE) && (s->spurious & APIC_SVR_ENABLE);
}

/* The 8259 reaches the CPU when the APIC is globally disabled (LINT0 is then INTR) or when
 * LINT0 is an unmasked ExtINT entry (virtual wire mode). */
static bool apic_accepts_pic(APICState *s)
{
    if (!(s->apicbase & MSR_APICBASE_ENABLE))
        return true;
    uint32_t lvt0 = s->lvt[APIC_LVT_LINT0];
    return !(lvt0 & APIC_LVT_MASKED) && ((lvt0 >> 8) & 7) == APIC_DM_EXTINT;
}

static bool apic_has_interrupt(APICState *s)
{
    if (!apic_sw_enabled(s))
        return false;
    int v = highest_bit(s->irr);
    return v >= 0 && (v & 0xf0) > (apic_ppr(s) & 0xf0);
}

static void apic_update_intr(APICState *s)
{
    bool level = apic_has_interrupt(s) || (s->lint0_level && apic_accepts_pic(s));
    if (level != s->intr_level) {
        s->intr_level = level;
        irq_set(s->cpu_intr, level);
    }
}

static void apic_accept(APICState *s, uint8_t vector, bool level)
{
    if (vector < 16) {
        s->esr |= 0x40;          /* received illegal vector */
        qlog(LOG_GUEST_ERRORS, "apic %u: illegal vector %u\n", s->id, vector);
        return;
    }
    bit_set(s->irr, vector);
    if (level)
        bit_set(s->tmr, vector);
    else
        bit_clear(s->tmr, vector);
    apic_update_intr(s);
}

static void apic_deliver_local(APICState *s, int mode, uint8_t vector, bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        apic_accept(s, vector, level);
        break;
    case APIC_DM_NMI:
        irq_pulse(s->cpu_nmi);
        if (!s->cpu_nmi)
            qlog(LOG_UNIMP, "apic %u: NMI delivery has no CPU line\n", s->id);
        break;
    case APIC_DM_INIT:
        if (s->cpu_init)
            s->cpu_init(s->cpu_opaque, s->id);
        else
            qlog(LOG_UNIMP, "apic %u: INIT IPI with no CPU hook\n", s->id);
        break;
    case APIC_DM_STARTUP:
        if (s->cpu_sipi)
            s->cpu_sipi(s->cpu_opaque, s->id, vector);
        else
            qlog(LOG_UNIMP, "apic %u: STARTUP IPI with no CPU hook\n", s->id);
        break;
    case APIC_DM_EXTINT:
        apic_update_intr(s);
        break;
    default:
        qlog(LOG_UNIMP, "apic %u: delivery mode %d (SMI) not implemented\n", s->id, mode);
        break;
    }
}

/* Does the message's destination name this APIC (SDM 3A 10.6.2)? */
static bool apic_match(APICState *s, uint8_t dest, bool logical)
{
    if (!logical)
        return dest == 0xff || dest == (s->id & 0xff);
    if ((s->dfr >> 28) == 0xf)                   /* flat model */
        return (dest & (s->ldr >> 24)) != 0;
    /* Cluster model: high nibble cluster, low nibble members. */
    uint8_t l = s->ldr >> 24;
    return ((dest >> 4) == (l >> 4) || (dest >> 4) == 0xf) && (dest & l & 0xf);
}

void apic_bus_deliver(uint8_t dest, bool logical, int delivery_mode, uint8_t vector, bool level)
{
    APICState *lowest = NULL;
    for (int i = 0; i < napics; i++) {
        APICState *s = apics[i];
        if (!s || !(s->apicbase & MSR_APICBASE_ENABLE) || !apic_match(s, dest, logical))
            continue;
        if (delivery_mode == APIC_DM_LOWEST) {
            /* Lowest priority: the matching APIC with the lowest TPR takes it. */
            if (!lowest || s->tpr < lowest->tpr)
                lowest = s;
            continue;
        }
        apic_deliver_local(s, delivery_mode, vector, level);
    }
    if (lowest)
        apic_deliver_local(lowest, APIC_DM_FIXED, vector, level);
}

int apic_get_vector(void *opaque)
{
    APICState *s = opaque;
    if (apic_has_interrupt(s)) {
        int v = highest_bit(s->irr);
        bit_clear(s->irr, v);
        bit_set(s->isr, v);
        apic_update_intr(s);
        return v;
    }
    if (s->lint0_level && apic_accepts_pic(s) && s->extint_ack) {
        int v = s->extint_ack(s->extint_opaque);
        apic_update_intr(s);
        return v;
    }
    /* The request went away before the acknowledge: the spurious vector (10.9). */
    apic_update_intr(s);
    return s->spurious & 0xff;
}

static void apic_eoi(APICState *s)
{
    int v = highest_bit(s->isr);
    if (v < 0)
        return;
    bit_clear(s->isr, v);
    if (bit_test(s->tmr, v) && apic_eoi_broadcast)
        apic_eoi_broadcast(v);
    apic_update_intr(s);
}

/* LINT0/LINT1 inputs. */
static void apic_lint_handler(void *opaque, int n, int level)
{
    APICState *s = opaque;
    if (n == 0) {
        s->lint0_level = level;
        uint32_t lvt = s->lvt[APIC_LVT_LINT0];
        int mode = (lvt >> 8) & 7;
        if ((s->apicbase & MSR_APICBASE_ENABLE) && !(lvt & APIC_LVT_MASKED) &&
            mode != APIC_DM_EXTINT && level)
            apic_deliver_local(s, mode, lvt & 0xff, lvt & APIC_LVT_LEVEL);
        apic_update_intr(s);
        return;
    }
    uint32_t lvt = s->lvt[APIC_LVT_LINT1];
    if (level && !(lvt & APIC_LVT_MASKED))
        apic_deliver_local(s, (lvt >> 8) & 7, lvt & 0xff, false);
}

/* ---- timer (SDM 3A 10.5.4) ---- */

static int apic_divide_shift(APICState *s)
{
    int v = (s->divide_conf & 3) | ((s->divide_conf >> 1) & 4);
    return (v + 1) & 7;          /* 0..6: divide by 2..128; 7 -> 0: divide by 1 */
}

static int apic_timer_mode(APICState *s)
{
    return (s->lvt[APIC_LVT_TIMER] >> 17) & 3;   /* 0 one-shot, 1 periodic, 2 TSC deadline */
}

uint32_t apic_current_count(APICState *s)
{
    if (!s->initial_count || apic_timer_mode(s) == 2)
        return 0;
    int64_t elapsed = clock_ns(CLOCK_VIRTUAL) - s->count_load_time;
    uint64_t ticks = (elapsed < 0 ? 0 : (uint64_t)elapsed) >> apic_divide_shift(s);
    if (apic_timer_mode(s) == 1)
        return s->initial_count - ticks % s->initial_count;
    return ticks >= s->initial_count ? 0 : s->initial_count - ticks;
}

static void apic_timer_arm(APICState *s)
{
    if (apic_timer_mode(s) == 2) {
        if (s->tsc_deadline_ns)
            timer_mod(s->timer, s->tsc_deadline_ns);
        else
            timer_del(s->timer);
        return;
    }
    if (!s->initial_count) {
        timer_del(s->timer);
        return;
    }
    int shift = apic_divide_shift(s);
    uint64_t period = (uint64_t)s->initial_count << shift;
    /* A periodic interrupt faster than 10 us would only starve the host; slow it down. */
    if (apic_timer_mode(s) == 1 && period < 10000)
        period = 10000;
    int64_t now = clock_ns(CLOCK_VIRTUAL);
    int64_t elapsed = now - s->count_load_time;
    int64_t next;
    if (apic_timer_mode(s) == 1) {
        uint64_t n = elapsed < 0 ? 1 : (uint64_t)elapsed / period + 1;
        next = s->count_load_time + (int64_t)(n * period);
    } else {
        if ((uint64_t)elapsed >= period) {
            timer_del(s->timer);
            return;
        }
        next = s->count_load_time + (int64_t)period;
    }
    s->next_time = next;
    timer_mod(s->timer, next);
}

static void apic_timer_fire(APICState *s)
{
    uint32_t lvt = s->lvt[APIC_LVT_TIMER];
    if (!(lvt & APIC_LVT_MASKED) && (s->apicbase & MSR_APICBASE_ENABLE))
        apic_accept(s, lvt & 0xff, false);
}

static void apic_timer_cb(void *opaque)
{
    APICState *s = opaque;
    if (apic_timer_mode(s) == 2) {
        /* The deadline timer disarms itself and clears the MSR when it fires. */
        s->tsc_deadline = 0;
        s->tsc_deadline_ns = 0;
        apic_timer_fire(s);
        return;
    }
    apic_timer_fire(s);
    if (apic_timer_mode(s) == 1)
        apic_timer_arm(s);
}

void apic_set_tsc_deadline(APICState *s, uint64_t deadline, uint64_t tsc_now, uint64_t tsc_hz)
{
    if (apic_timer_mode(s) != 2)
        return;
    s->tsc_deadline = tsc_hz ? deadline : 0;
    if (!s->tsc_deadline) {
        s->tsc_deadline_ns = 0;
    } else {
        int64_t now = clock_ns(CLOCK_VIRTUAL);
        uint64_t delta = deadline > tsc_now ? deadline - tsc_now : 0;
        s->tsc_deadline_ns = now + (int64_t)((unsigned __int128)delta * NS_PER_SEC / tsc_hz);
        /* A deadline already passed fires at once; 0 ns would read as "disarmed". */
        if (!s->tsc_deadline_ns)
            s->tsc_deadline_ns = 1;
    }
    apic_timer_arm(s);
}

uint64_t apic_get_tsc_deadline(APICState *s)
{
    return apic_timer_mode(s) == 2 ? s->tsc_deadline : 0;
}

/* ---- registers ---- */

uint8_t apic_get_tpr(APICState *s)
{
    return s->tpr >> 4;
}

void apic_set_tpr(APICState *s, uint8_t cr8)
{
    s->tpr = (cr8 & 0xf) << 4;
    apic_update_intr(s);
}

uint64_t apic_get_base(APICState *s)
{
    return s->apicbase;
}

void apic_set_base(APICState *s, uint64_t val)
{
    uint64_t old = s->apicbase;
    s->apicbase = (val & 0xfffff000ULL) | (val & MSR_APICBASE_ENABLE) | (old & MSR_APICBASE_BSP);
    if ((old & MSR_APICBASE_ENABLE) && !(val & MSR_APICBASE_ENABLE)) {
        /* Global disable: the APIC behaves as after reset except the base (10.4.3). */
        memset(s->irr, 0, sizeof(s->irr));
        memset(s->isr, 0, sizeof(s->isr));
        s->spurious = 0xff;
    }
    if ((val & 0xfffff000ULL) != (old & 0xfffff000ULL) && s == apics[0])
        memory_region_set_address(&s->mmio, val & 0xfffff000ULL);
    apic_update_intr(s);
}

static void apic_send_ipi(APICState *s)
{
    uint32_t lo = s->icr[0];
    uint8_t vector = lo & 0xff;
    int mode = (lo >> 8) & 7;
    bool logical = lo & (1u << 11);
    bool level = lo & (1u << 15);
    int shorthand = (lo >> 18) & 3;
    uint8_t dest = s->icr[1] >> 24;
    if (mode == APIC_DM_INIT && level == false && (lo & (1u << 14)) == 0) {
        return;                  /* INIT level de-assert: nothing to do (10.6.1) */
    }
    switch (shorthand) {
    case 0:
        apic_bus_deliver(dest, logical, mode, vector, false);
        break;
    case 1:                      /* self */
        apic_deliver_local(s, mode, vector, false);
        break;
    default:                     /* 2: all including self, 3: all excluding self */
        for (int i = 0; i < napics; i++) {
            if (apics[i] && (shorthand == 2 || apics[i] != s) &&
                (apics[i]->apicbase & MSR_APICBASE_ENABLE))
                apic_deliver_local(apics[i], mode, vector, false);
        }
        break;
    }
}

static uint32_t apic_reg_read(APICState *s, unsigned idx)
{
    switch (idx) {
    case 0x02: return s->id << 24;
    case 0x03: return 0x14 | ((APIC_LVT_NB - 1) << 16);   /* version 0x14, 6 LVT entries */
    case 0x08: return s->tpr;
    case 0x09: return 0;                                   /* APR */
    case 0x0a: return apic_ppr(s);
    case 0x0b: return 0;                                   /* EOI is write-only */
    case 0x0d: return s->ldr;
    case 0x0e: return s->dfr;
    case 0x0f: return s->spurious;
    case 0x10 ... 0x17: return s->isr[idx & 7];
    case 0x18 ... 0x1f: return s->tmr[idx & 7];
    case 0x20 ... 0x27: return s->irr[idx & 7];
    case 0x28: return s->esr;
    case 0x30: return s->icr[0];
    case 0x31: return s->icr[1];
    case 0x32 ... 0x37: return s->lvt[idx - 0x32];
    case 0x38: return s->initial_count;
    case 0x39: return apic_current_count(s);
    case 0x3e: return s->divide_conf;
    default:
        s->esr |= 0x80;          /* illegal register address */
        return 0;
    }
}

static void apic_reg_write(APICState *s, unsigned idx, uint32_t val)
{
    switch (idx) {
    case 0x02:
        s->id = val >> 24;
        break;
    case 0x08:
        s->tpr = val & 0xff;
        apic_update_intr(s);
        break;
    case 0x0b:
        apic_eoi(s);
        break;
    case 0x0d:
        s->ldr = val & 0xff000000u;
        break;
    case 0x0e:
        s->dfr = val | 0x0fffffff;
        break;
    case 0x0f:
        s->spurious = val & 0x1ff;
        if (!(val & APIC_SVR_ENABLE)) {
            /* Software disable masks every LVT (10.4.7.2). */
            for (int i = 0; i < APIC_LVT_NB; i++)
                s->lvt[i] |= APIC_LVT_MASKED;
        }
        apic_update_intr(s);
        break;
    case 0x28:
        s->esr = 0;              /* write clears (after latching, which we do not model) */
        break;
    case 0x30:
        s->icr[0] = val & ~(1u << 12);   /* delivery status: always idle */
        apic_send_ipi(s);
        break;
    case 0x31:
        s->icr[1] = val & 0xff000000u;
        break;
    case 0x32 ... 0x37: {
        int n = idx - 0x32;
        if (!apic_sw_enabled(s))
            val |= APIC_LVT_MASKED;
        int old_mode = apic_timer_mode(s);
        s->lvt[n] = val;
        if (n == APIC_LVT_TIMER && apic_timer_mode(s) != old_mode) {
            /* Switching to or from TSC-deadline mode disarms the timer. */
            s->initial_count = 0;
            s->tsc_deadline = 0;
            s->tsc_deadline_ns = 0;
            apic_timer_arm(s);
        }
        apic_update_intr(s);
        break;
    }
    case 0x38:
        if (apic_timer_mode(s) == 2)
            break;               /* ignored in TSC-deadline mode */
        s->initial_count = val;
        s->count_load_time = clock_ns(CLOCK_VIRTUAL);
        apic_timer_arm(s);
        break;
    case 0x3e:
        s->divide_conf = val & 0xb;
        break;
    default:
        s->esr |= 0x80;
        qlog(LOG_GUEST_ERRORS, "apic %u: write to register 0x%x ignored\n", s->id, idx << 4);
        break;
    }
}

static uint64_t apic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    APICState *s = apic_current();
    uint32_t v = apic_reg_read(s, (off >> 4) & 0xff);
    return v >> (8 * (off & 3));
}

static void apic_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    APICState *s = apic_current();
    if (size != 4 || (off & 0xf))
        qlog(LOG_GUEST_ERRORS, "apic: %u-byte write at 0x%x (registers take aligned dwords)\n",
             size, (unsigned)off);
    if ((off & 0xf) == 0)
        apic_reg_write(s, (off >> 4) & 0xff, val);
}

static const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read, .write = apic_mmio_write, .min_size = 4, .max_size = 4,
};

static void apic_reset(Device *dev)
{
    APICState *s = (APICState *)dev;
    s->apicbase = APIC_DEFAULT_BASE | MSR_APICBASE_ENABLE | (s->id == 0 ? MSR_APICBASE_BSP : 0);
    s->tpr = 0;
    s->spurious = 0xff;
    s->ldr = 0;
    s->dfr = 0xffffffff;
    s->esr = 0;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->irr, 0, sizeof(s->irr));
    memset(s->tmr, 0, sizeof(s->tmr));
    for (int i = 0; i < APIC_LVT_NB; i++)
        s->lvt[i] = APIC_LVT_MASKED;
    /* The BSP's LINT0 starts as ExtINT so the 8259 works before the BIOS touches the APIC
     * (virtual wire mode, MP spec 3.6.2.2), as on QEMU. */
    if (s->id == 0)
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << 8;
    s->icr[0] = s->icr[1] = 0;
    s->divide_conf = 0;
    s->initial_count = 0;
    s->tsc_deadline = 0;
    s->tsc_deadline_ns = 0;
    if (s->timer)
        timer_del(s->timer);
    s->intr_level = false;
    irq_set(s->cpu_intr, 0);
    apic_update_intr(s);
}

static bool apic_realize(Device *dev, Error **errp)
{
    APICState *s = (APICState *)dev;
    if (napics >= APIC_MAX) {
        error_setg(errp, "apic: at most %d local APICs", APIC_MAX);
        return false;
    }
    apics[napics++] = s;
    s->timer = timer_new(CLOCK_VIRTUAL, apic_timer_cb, s);
    s->lint = irq_alloc_lines(apic_lint_handler, s, 2);
    if (napics == 1 && board.system_memory) {
        memory_region_init_io(&s->mmio, "apic", &apic_mmio_ops, s, 0x1000);
        memory_region_add_subregion_overlap(board.system_memory, APIC_DEFAULT_BASE, &s->mmio, 4);
    }
    apic_reset(dev);
    return true;
}

static const DeviceProp apic_props[] = {
    PROP_U32("id", APICState, id, 0, "APIC ID"),
    PROP_END,
};

static const DeviceClass apic_class = {
    .name = "apic", .desc = "local APIC (xAPIC)", .bus = "sys", .size = sizeof(APICState),
    .props = apic_props, .realize = apic_realize, .reset = apic_reset,
};
DEVICE_CLASS_REGISTER(apic_class);

APICState *apic_create(uint32_t id, IrqLine *cpu_intr, Error **errp)
{
    APICState *s = (APICState *)device_new("apic", errp);
    if (!s)
        return NULL;
    s->id = id;
    s->cpu_intr = cpu_intr;
    if (!device_realize(&s->dev, errp))
        return NULL;
    return s;
}
