/* screendump.c: write a console's surface as a PNG file (libpng). */
#include "util/osdep.h"
#include "ui/console.h"
#include <png.h>

bool screendump_png(DisplayConsole *con, const char *path, Error **errp)
{
    if (!con) {
        error_setg(errp, "screendump: there is no graphic console");
        return false;
    }
    console_refresh(con);
    DisplaySurface *s = con->surface;
    FILE *f = fopen(path, "wb");
    if (!f) {
        error_setg(errp, "screendump: %s: %s", path, strerror(errno));
        return false;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *row = xmalloc((size_t)s->width * 3);
    if (!png || !info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(f);
        error_setg(errp, "screendump: %s: libpng failed to write the image", path);
        return false;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, s->width, s->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < s->height; y++) {
        const uint32_t *src = surface_row(s, y);
        for (int x = 0; x < s->width; x++) {
            row[3 * x] = src[x] >> 16;
            row[3 * x + 1] = src[x] >> 8;
            row[3 * x + 2] = src[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    if (fclose(f) != 0) {
        error_setg(errp, "screendump: %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}
