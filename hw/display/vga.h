/* vga.h: the VGA devices a board creates, and their shared helper for option ROMs.
 *
 *     device_create("VGA", "addr=2,romfile=build/bios/vgabios.bin", &err);   // -vga std
 *     device_create("isa-vga", NULL, &err);                                   // no PCI
 *
 * Either registers a graphic console; console_default() and screendump_png() (ui/console.h)
 * show what it displays.
 */
#ifndef HW_DISPLAY_VGA_H
#define HW_DISPLAY_VGA_H

#include "util/osdep.h"
#include "util/error.h"
#include "hw/core/memory.h"

/* Load a ROM image file into a new ROM region `rom` (sized to a power of two >= 2 KiB); map
 * it at addr in `parent` unless parent is NULL. One-line errors. */
bool vga_load_rom(MemoryRegion *rom, const char *path, MemoryRegion *parent, uint64_t addr,
                  Error **errp);

#endif
