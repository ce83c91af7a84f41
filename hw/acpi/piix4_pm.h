/* piix4_pm.h: PIIX4 power management (function 3): PM1 event/control, PM timer, GPE0, SCI,
 * APM control port 0xb2 (ACPI enable/disable), sleep states. */
#ifndef HW_ACPI_PIIX4_PM_H
#define HW_ACPI_PIIX4_PM_H

#include "hw/pci/pci.h"
#include "hw/core/irq.h"
#include "hw/core/clock.h"

/* Where SeaBIOS (and our BIOS) put the PM I/O block; the FADT says the same. */
#define ACPI_PM_BASE       0x600
#define ACPI_PM_TMR_FREQ   3579545
#define ACPI_SCI_IRQ       9
#define APM_CNT_PORT       0xb2
#define ACPI_ENABLE_CMD    0xf1
#define ACPI_DISABLE_CMD   0xf0

/* PM1 status/enable bits (ACPI 6.x, 4.8.3.1). */
#define ACPI_BITMASK_TIMER_STATUS        0x0001
#define ACPI_BITMASK_GLOBAL_LOCK_STATUS  0x0020
#define ACPI_BITMASK_POWER_BUTTON_STATUS 0x0100
#define ACPI_BITMASK_RT_CLOCK_STATUS     0x0400
#define ACPI_BITMASK_WAKE_STATUS         0x8000
/* PM1 control. */
#define ACPI_BITMASK_SCI_ENABLE          0x0001
#define ACPI_BITMASK_SLEEP_TYPE          0x1c00
#define ACPI_BITMASK_SLEEP_ENABLE        0x2000
/* SLP_TYP values the DSDT's \_S5 and \_S3 packages name. */
#define PIIX4_SLP_TYP_S5   0
#define PIIX4_SLP_TYP_S3   1

typedef struct PIIX4PMState {
    PCIDevice pci;
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint16_t gpe_sts, gpe_en;
    uint8_t apm_cnt, apm_sts;
    int64_t tmr_overflow_seen;   /* PM timer bit-23 toggles already reflected in TMR_STS */
    Timer *tmr_timer;
    IrqLine *sci;
    bool sci_level;
    bool sleep_warned;
    MemoryRegion io, apm_io;
} PIIX4PMState;

/* Function 3 of the PIIX at 01.3 on the default PCI bus; SCI on board.isa_irq[9]. */
PIIX4PMState *piix4_pm_create(Error **errp);
/* The power button was pressed (monitor system_powerdown): PWRBTN_STS and an SCI. */
void piix4_pm_power_button(PIIX4PMState *s);
/* The PM timer value now (24 bits). */
uint32_t piix4_pm_timer(PIIX4PMState *s);

#endif
