/* fdc.h: what a board needs to create the floppy controller and put diskettes in its drives.
 *
 *     Device *d = device_create("isa-fdc", NULL, &err);    // 0x3f0, IRQ 6, DMA 2
 *     fdc_attach_drive(isa_fdc_get(d), 0, blockdev, &err);  // -fda
 *     rtc_cmos_set(0x10, fdc_cmos_drive_types(isa_fdc_get(d)));
 */
#ifndef HW_BLOCK_FDC_H
#define HW_BLOCK_FDC_H

#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/device.h"
#include "hw/core/blockdev.h"

typedef struct FDCState FDCState;

/* Put a drive at unit 0-1 with a diskette image (bd may have length 0: empty drive). The
 * drive type and the medium geometry follow from the image size (360K, 720K, 1.2M, 1.44M,
 * 2.88M and the smaller 160K-320K formats); other sizes are refused. */
bool fdc_attach_drive(FDCState *fdc, int unit, BlockDev *bd, Error **errp);
/* Change the diskette (bd == NULL: eject). The guest sees the disk change line. */
bool fdc_change_medium(FDCState *fdc, int unit, BlockDev *bd, Error **errp);
/* CMOS byte 0x10: drive 0 type in the high nibble, drive 1 in the low (1 = 360K, 2 = 1.2M,
 * 3 = 720K, 4 = 1.44M, 5 = 2.88M, 0 = none). */
uint8_t fdc_cmos_drive_types(FDCState *fdc);
FDCState *isa_fdc_get(Device *dev);

#endif
