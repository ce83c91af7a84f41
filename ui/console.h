/* console.h: display surfaces and graphic consoles, the interface between display devices
 * (hw/display) and UI back ends (SDL window, screendumps, later VNC).
 *
 * A display device creates a console and draws into its surface when asked to refresh:
 *
 *     static const GraphicHwOps vga_hw_ops = { .gfx_update = vga_update, .invalidate = vga_inv };
 *     s->con = graphic_console_init("vga", &vga_hw_ops, s);
 *     ...in vga_update(): if the mode changed, dpy_gfx_replace_surface(con, surface_create(w, h));
 *     draw into surface_data(); dpy_gfx_update(con, x, y, w, h) for what changed.
 *
 * A back end registers a DisplayChangeListener, calls console_refresh() at its refresh rate
 * and gets gfx_switch (new surface) and gfx_update (dirty rectangle) callbacks.
 */
#ifndef UI_CONSOLE_H
#define UI_CONSOLE_H

#include "util/osdep.h"
#include "util/error.h"
#include <pixman.h>

/* 32 bits per pixel, x8r8g8b8 (0x00RRGGBB in a host uint32_t). */
typedef struct DisplaySurface {
    pixman_image_t *image;
    int width, height;
} DisplaySurface;

DisplaySurface *surface_create(int width, int height);
void surface_free(DisplaySurface *s);
static inline uint32_t *surface_data(DisplaySurface *s)
{
    return (uint32_t *)pixman_image_get_data(s->image);
}
static inline int surface_stride(DisplaySurface *s)
{
    return pixman_image_get_stride(s->image);
}
static inline uint32_t *surface_row(DisplaySurface *s, int y)
{
    return (uint32_t *)((uint8_t *)surface_data(s) + (size_t)y * surface_stride(s));
}

typedef struct GraphicHwOps {
    /* Bring the surface up to date with the device's memory and registers. */
    void (*gfx_update)(void *opaque);
    /* The next gfx_update redraws everything. */
    void (*invalidate)(void *opaque);
    /* Text modes: the characters on screen, one line per row, NUL-terminated in buf;
     * returns the length, or -1 when the display is not showing text. May be NULL. */
    int (*text_snapshot)(void *opaque, char *buf, size_t len);
} GraphicHwOps;

typedef struct DisplayConsole DisplayConsole;
typedef struct DisplayChangeListener DisplayChangeListener;

struct DisplayChangeListener {
    const char *name;
    void (*gfx_switch)(DisplayChangeListener *dcl, DisplaySurface *surface);
    void (*gfx_update)(DisplayChangeListener *dcl, int x, int y, int w, int h);
    void *opaque;
    DisplayChangeListener *next;
};

struct DisplayConsole {
    char *name;
    const GraphicHwOps *hw_ops;
    void *hw;
    DisplaySurface *surface;
    DisplayChangeListener *listeners;
    /* union of the rectangles updated since dirty was last reset */
    int dirty_x0, dirty_y0, dirty_x1, dirty_y1;
    DisplayConsole *next;
};

DisplayConsole *graphic_console_init(const char *name, const GraphicHwOps *ops, void *hw);
/* The first graphic console (what -display and screendumps show), or NULL. */
DisplayConsole *console_default(void);
DisplayConsole *console_find(const char *name);
void console_register_listener(DisplayConsole *con, DisplayChangeListener *dcl);
void console_unregister_listener(DisplayConsole *con, DisplayChangeListener *dcl);

/* Ask the device to update the surface (calls gfx_update). */
void console_refresh(DisplayConsole *con);
void console_invalidate(DisplayConsole *con);
/* The text on screen (see GraphicHwOps.text_snapshot): lets tests look for "Booting from
 * Hard Disk" without OCR. -1 if the console is not in a text mode. */
int console_text_snapshot(DisplayConsole *con, char *buf, size_t len);

/* From the device: a new surface (the old one is freed), or a changed rectangle. */
void dpy_gfx_replace_surface(DisplayConsole *con, DisplaySurface *surface);
void dpy_gfx_update(DisplayConsole *con, int x, int y, int w, int h);
/* The dirty rectangle since the last call, and reset it; false if nothing changed. */
bool console_take_dirty(DisplayConsole *con, int *x, int *y, int *w, int *h);

/* screendump.c: refresh the console and write its surface as a PNG (monitor `screendump`,
 * -screendump tests). One-line errors in *errp. */
bool screendump_png(DisplayConsole *con, const char *path, Error **errp);

#endif
