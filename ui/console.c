/* console.c: display surfaces (pixman images) and the graphic consoles that connect display
 * devices to UI back ends. */
#include "util/osdep.h"
#include "ui/console.h"

static DisplayConsole *consoles;

DisplaySurface *surface_create(int width, int height)
{
    DisplaySurface *s = xzalloc(sizeof(*s));
    width = MAX(width, 1);
    height = MAX(height, 1);
    s->image = pixman_image_create_bits(PIXMAN_x8r8g8b8, width, height, NULL, width * 4);
    if (!s->image)
        abort();                          /* pixman allocation failure: out of host memory */
    s->width = width;
    s->height = height;
    memset(surface_data(s), 0, (size_t)surface_stride(s) * height);
    return s;
}

void surface_free(DisplaySurface *s)
{
    if (!s)
        return;
    pixman_image_unref(s->image);
    free(s);
}

DisplayConsole *graphic_console_init(const char *name, const GraphicHwOps *ops, void *hw)
{
    DisplayConsole *con = xzalloc(sizeof(*con));
    con->name = xstrdup(name);
    con->hw_ops = ops;
    con->hw = hw;
    con->surface = surface_create(640, 480);
    DisplayConsole **p = &consoles;
    while (*p)
        p = &(*p)->next;
    *p = con;
    return con;
}

DisplayConsole *console_default(void)
{
    return consoles;
}

DisplayConsole *console_find(const char *name)
{
    for (DisplayConsole *c = consoles; c; c = c->next)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

void console_register_listener(DisplayConsole *con, DisplayChangeListener *dcl)
{
    dcl->next = con->listeners;
    con->listeners = dcl;
    if (dcl->gfx_switch)
        dcl->gfx_switch(dcl, con->surface);
}

void console_unregister_listener(DisplayConsole *con, DisplayChangeListener *dcl)
{
    for (DisplayChangeListener **p = &con->listeners; *p; p = &(*p)->next) {
        if (*p == dcl) {
            *p = dcl->next;
            return;
        }
    }
}

void console_refresh(DisplayConsole *con)
{
    if (con && con->hw_ops && con->hw_ops->gfx_update)
        con->hw_ops->gfx_update(con->hw);
}

void console_invalidate(DisplayConsole *con)
{
    if (con && con->hw_ops && con->hw_ops->invalidate)
        con->hw_ops->invalidate(con->hw);
}

int console_text_snapshot(DisplayConsole *con, char *buf, size_t len)
{
    if (!con || !con->hw_ops || !con->hw_ops->text_snapshot || len == 0)
        return -1;
    return con->hw_ops->text_snapshot(con->hw, buf, len);
}

void dpy_gfx_replace_surface(DisplayConsole *con, DisplaySurface *surface)
{
    DisplaySurface *old = con->surface;
    con->surface = surface;
    for (DisplayChangeListener *l = con->listeners; l; l = l->next)
        if (l->gfx_switch)
            l->gfx_switch(l, surface);
    surface_free(old);
    dpy_gfx_update(con, 0, 0, surface->width, surface->height);
}

void dpy_gfx_update(DisplayConsole *con, int x, int y, int w, int h)
{
    DisplaySurface *s = con->surface;
    /* clip to the surface */
    if (x < 0) { w += x; x = 0; }
    if (y < 0) { h += y; y = 0; }
    w = MIN(w, s->width - x);
    h = MIN(h, s->height - y);
    if (w <= 0 || h <= 0)
        return;
    if (con->dirty_x1 <= con->dirty_x0 || con->dirty_y1 <= con->dirty_y0) {
        con->dirty_x0 = x;
        con->dirty_y0 = y;
        con->dirty_x1 = x + w;
        con->dirty_y1 = y + h;
    } else {
        con->dirty_x0 = MIN(con->dirty_x0, x);
        con->dirty_y0 = MIN(con->dirty_y0, y);
        con->dirty_x1 = MAX(con->dirty_x1, x + w);
        con->dirty_y1 = MAX(con->dirty_y1, y + h);
    }
    for (DisplayChangeListener *l = con->listeners; l; l = l->next)
        if (l->gfx_update)
            l->gfx_update(l, x, y, w, h);
}

bool console_take_dirty(DisplayConsole *con, int *x, int *y, int *w, int *h)
{
    if (con->dirty_x1 <= con->dirty_x0 || con->dirty_y1 <= con->dirty_y0)
        return false;
    *x = con->dirty_x0;
    *y = con->dirty_y0;
    *w = con->dirty_x1 - con->dirty_x0;
    *h = con->dirty_y1 - con->dirty_y0;
    con->dirty_x0 = con->dirty_x1 = con->dirty_y0 = con->dirty_y1 = 0;
    return true;
}
