/* apic.h: local APIC (xAPIC, MMIO at 0xfee00000) and the interrupt messages between I/O APICs
 * and local APICs. One APICState per CPU; the CPU asks apic_get_vector() when INTR is up.
 *
 * What the CPU side calls: apic_get_vector (interrupt acknowledge), apic_get_tpr/apic_set_tpr
 * (CR8 = TPR[7:4]), apic_get_base/apic_set_base (MSR IA32_APIC_BASE, 0x1b),
 * apic_set_tsc_deadline (MSR IA32_TSC_DEADLINE, 0x6e0). MMIO accesses go to the APIC named by
 * apic_set_current() (the vCPU thread sets it; CPU 0 by default).
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/core/irq.h"
#include "hw/core/clock.h"

#define APIC_DEFAULT_BASE  0xfee00000ULL
#define MSR_APICBASE_BSP   (1ULL << 8)
#define MSR_APICBASE_ENABLE (1ULL << 11)
#define APIC_MAX           16

/* LVT indexes. */
enum { APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0, APIC_LVT_LINT1,
       APIC_LVT_ERROR, APIC_LVT_NB };
/* Delivery modes (SDM 3A 10.6.1). */
enum { APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
       APIC_DM_INIT = 5, APIC_DM_STARTUP = 6, APIC_DM_EXTINT = 7 };
#define APIC_LVT_MASKED    (1u << 16)
#define APIC_LVT_LEVEL     (1u << 15)
#define APIC_SVR_ENABLE    (1u << 8)

typedef struct APICState {
    Device dev;
    uint32_t id;                 /* property: the APIC ID (= CPU index on the pc machine) */
    uint64_t apicbase;
    uint8_t tpr;
    uint32_t spurious;           /* SVR */
    uint32_t ldr, dfr, esr;
    uint32_t isr[8], irr[8], tmr[8];
    uint32_t lvt[APIC_LVT_NB];
    uint32_t icr[2];
    uint32_t divide_conf, initial_count;
    int64_t count_load_time;
    uint64_t tsc_deadline;       /* IA32_TSC_DEADLINE as written, 0 when disarmed */
    uint64_t tsc_deadline_ns;    /* ...and the CLOCK_VIRTUAL ns it stands for */
    Timer *timer;
    int64_t next_time;
    bool lint0_level;            /* the 8259's INTR, wired to LINT0 */
    bool intr_level;
    IrqLine *cpu_intr;           /* to the CPU's INTR; set before realize */
    IrqLine *cpu_nmi;            /* optional: NMI to the CPU */
    int (*extint_ack)(void *opaque);      /* the 8259's acknowledge, for ExtINT */
    void *extint_opaque;
    /* Optional CPU hooks for INIT and STARTUP IPIs (SMP bring-up). */
    void (*cpu_init)(void *opaque, int apic_id);
    void (*cpu_sipi)(void *opaque, int apic_id, int vector);
    void *cpu_opaque;
    IrqLine *lint;               /* 2 input lines: LINT0, LINT1 */
    MemoryRegion mmio;
} APICState;

/* Create the local APIC with ID `id`; the first one maps the MMIO page. */
APICState *apic_create(uint32_t id, IrqLine *cpu_intr, Error **errp);
int apic_get_vector(void *opaque);
uint8_t apic_get_tpr(APICState *s);              /* CR8 view: TPR[7:4] */
void apic_set_tpr(APICState *s, uint8_t cr8);
uint64_t apic_get_base(APICState *s);
void apic_set_base(APICState *s, uint64_t val);
/* IA32_TSC_DEADLINE: `deadline` and `tsc_now` in TSC ticks at tsc_hz; 0 disarms. Outside the
 * timer's TSC-deadline mode writes are ignored and reads give 0 (Intel SDM 3A 10.5.4.1). */
void apic_set_tsc_deadline(APICState *s, uint64_t deadline, uint64_t tsc_now, uint64_t tsc_hz);
uint64_t apic_get_tsc_deadline(APICState *s);
void apic_set_current(APICState *s);
/* An interrupt message on the APIC bus (from an I/O APIC, MSI or IPI). */
void apic_bus_deliver(uint8_t dest, bool logical, int delivery_mode, uint8_t vector, bool level);
/* EOI of a level-triggered vector is broadcast to the I/O APICs through this hook. */
extern void (*apic_eoi_broadcast)(uint8_t vector);
/* The timer's current count (register 0x390). */
uint32_t apic_current_count(APICState *s);

#endif
