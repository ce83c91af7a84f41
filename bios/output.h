/* output.h: console (COM1 serial), debug port (0xE9) and a small printf for both modes. */
#ifndef BIOS_OUTPUT_H
#define BIOS_OUTPUT_H
#include "types.h"

#define COM1_BASE 0x3f8
#define DEBUGCON_PORT 0xe9

/* Debug levels for dprintf: 1 = milestones, 3 = per-device detail, 6 = per-call traces. */
#define DEBUG_DEFAULT_LEVEL 1

void serial_init(void);
void serial_putc(char c);
int serial_getc(void);          /* -1 when nothing is waiting */
void console_putc(char c);      /* serial (if present) + debugcon */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dprintf_impl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int serial_mirror_enabled(void);
void serial_mirror_set(int on);
u8 debug_level_get(void);
void debug_level_set(u8 level);
#define dprintf(lvl, ...) do { if ((lvl) <= debug_level_get()) dprintf_impl(__VA_ARGS__); } while (0)
/* Something the firmware does not do yet: one clear line, on the console and the debug port. */
#define not_implemented(what) printf("vireo BIOS: not implemented: %s\n", what)

#endif
