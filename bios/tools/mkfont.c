/* mkfont.c: build-time generator of the VGA BIOS fonts (8x8, 8x14, 8x16, code page 437
 * layout). Glyphs are drawn by this program: letters, digits and punctuation from 16-segment
 * strokes, box-drawing and block characters from their line/fill description. Writes C. */
#include "util/osdep.h"

enum { A1, A2, B, C, D1, D2, E, F, G1, G2, H, I, J, K, L, M, DOT, COMMA, DOTS2, DESC };
#define S(x) (1u << (x))

struct seg_glyph { int ch; unsigned segs; };
/* 16-segment display layout: a1 a2 top, b c right, d1 d2 bottom, e f left, g1 g2 middle,
 * h i j upper diagonal/centre/diagonal, k l m lower diagonal/centre/diagonal. */
static const struct seg_glyph glyphs[] = {
    { 'A', S(A1)|S(A2)|S(B)|S(C)|S(E)|S(F)|S(G1)|S(G2) },
    { 'B', S(A1)|S(A2)|S(B)|S(C)|S(D1)|S(D2)|S(E)|S(F)|S(G2) },
    { 'C', S(A1)|S(A2)|S(D1)|S(D2)|S(E)|S(F) },
    { 'D', S(A1)|S(A2)|S(B)|S(C)|S(D1)|S(D2)|S(I)|S(L) },
    { 'E', S(A1)|S(A2)|S(D1)|S(D2)|S(E)|S(F)|S(G1) },
    { 'F', S(A1)|S(A2)|S(E)|S(F)|S(G1) },
    { 'G', S(A1)|S(A2)|S(C)|S(D1)|S(D2)|S(E)|S(F)|S(G2) },
    { 'H', S(B)|S(C)|S(E)|S(F)|S(G1)|S(G2) },
    { 'I', S(A1)|S(A2)|S(D1)|S(D2)|S(I)|S(L) },
    { 'J', S(B)|S(C)|S(D1)|S(D2)|S(E) },
    { 'K', S(E)|S(F)|S(G1)|S(J)|S(M) },
    { 'L', S(D1)|S(D2)|S(E)|S(F) },
    { 'M', S(B)|S(C)|S(E)|S(F)|S(H)|S(J) },
    { 'N', S(B)|S(C)|S(E)|S(F)|S(H)|S(M) },
    { 'O', S(A1)|S(A2)|S(B)|S(C)|S(D1)|S(D2)|S(E)|S(F) },
    { 'P', S(A1)|S(A2)|S(B)|S(E)|S(F)|S(G1)|S(G2) },
    { 'Q', S(A1)|S(A2)|S(B)|S(C)|S(D1)|S(D2)|S(E)|S(F)|S(M) },
    { 'R', S(A1)|S(A2)|S(B)|S(E)|S(F)|S(G1)|S(G2)|S(M) },
    { 'S', S(A1)|S(A2)|S(C)|S(D1)|S(D2)|S(F)|S(G1)|S(G2) },
    { 'T', S(A1)|S(A2)|S(I)|S(L) },
    { 'U', S(B)|S(C)|S(D1)|S(D2)|S(E)|S(F) },
    { 'V', S(E)|S(F)|S(K)|S(J) },
    { 'W', S(B)|S(C)|S(E)|S(F)|S(K)|S(M) },
    { 'X', S(H)|S(J)|S(K)|S(M) },
    { 'Y', S(H)|S(J)|S(L) },
    { 'Z', S(A1)|S(A2)|S(D1)|S(D2)|S(J)|S(K) },
    { '0', S(A1)|S(A2)|S(B)|S(C)|S(D1)|S(D2)|S(E)|S(F)|S(J)|S(K) },
    { '1', S(B)|S(C)|S(J) },
    { '2', S(A1)|S(A2)|S(B)|S(D1)|S(D2)|S(E)|S(G1)|S(G2) },
    { '3', S(A1)|S(A2)|S(B)|S(C)|S(D1)|S(D2)|S(G2) },
    { '4', S(B)|S(C)|S(F)|S(G1)|S(G2) },
    { '5', S(A1)|S(A2)|S(C)|S(D1)|S(D2)|S(F)|S(G1)|S(G2) },
    { '6', S(A1)|S(A2)|S(C)|S(D1)|S(D2)|S(E)|S(F)|S(G1)|S(G2) },
    { '7', S(A1)|S(A2)|S(B)|S(C) },
    { '8', S(A1)|S(A2)|S(B)|S(C)|S(D1)|S(D2)|S(E)|S(F)|S(G1)|S(G2) },
    { '9', S(A1)|S(A2)|S(B)|S(C)|S(D1)|S(D2)|S(F)|S(G1)|S(G2) },
    { '-', S(G1)|S(G2) },
    { '+', S(G1)|S(G2)|S(I)|S(L) },
    { '*', S(G1)|S(G2)|S(H)|S(I)|S(J)|S(K)|S(L)|S(M) },
    { '/', S(J)|S(K) },
    { '\\', S(H)|S(M) },
    { '|', S(I)|S(L) },
    { '_', S(D1)|S(D2) },
    { '=', S(G1)|S(G2)|S(D1)|S(D2) },
    { '<', S(J)|S(M) },
    { '>', S(H)|S(K) },
    { '(', S(J)|S(M) },
    { ')', S(H)|S(K) },
    { '[', S(A2)|S(I)|S(L)|S(D2) },
    { ']', S(A1)|S(I)|S(L)|S(D1) },
    { '{', S(A2)|S(I)|S(L)|S(D2)|S(G1) },
    { '}', S(A1)|S(I)|S(L)|S(D1)|S(G2) },
    { '.', S(DOT) },
    { ',', S(COMMA) },
    { ':', S(DOTS2) },
    { ';', S(DOTS2)|S(COMMA) },
    { '!', S(I)|S(DOT) },
    { '?', S(A1)|S(A2)|S(B)|S(G2)|S(DOT) },
    { '"', S(F)|S(I) },
    { '\'', S(I) },
    { '`', S(H) },
    { '#', S(B)|S(C)|S(E)|S(F)|S(G1)|S(G2)|S(I)|S(L) },
    { '$', S(A1)|S(A2)|S(C)|S(D1)|S(D2)|S(F)|S(G1)|S(G2)|S(I)|S(L) },
    { '%', S(J)|S(K)|S(F)|S(C) },
    { '&', S(A1)|S(H)|S(J)|S(G1)|S(E)|S(D1)|S(M) },
    { '@', S(A1)|S(A2)|S(B)|S(D1)|S(D2)|S(E)|S(F)|S(G2)|S(I) },
    { '^', S(K)|S(M) },
    { '~', S(G1)|S(J) },
};

#define W 8
static unsigned char cell[32][W];

static int bold;

static void plot(int x, int y, int h)
{
    if (x >= 0 && x < W && y >= 0 && y < h) {
        cell[y][x] = 1;
        if (bold && x + 1 < W - 1)
            cell[y][x + 1] = 1;     /* two-pixel vertical strokes read better on a 9-dot cell */
    }
}

static void line(int x0, int y0, int x1, int y1, int h)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    bold = x0 != x1 || y0 != y1 ? dy != 0 : 1;
    for (;;) {
        plot(x0, y0, h);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy) { err += dy; x0 += sx; }
        if (e2 <= dx) { err += dx; y0 += sy; }
    }
}

/* Draw a 16-segment glyph in the box x 0..4, rows top..bot (mid between). */
static void draw_segs(unsigned s, int top, int bot, int h, int base)
{
    int l = 0, c = 2, r = 4, m = (top + bot) / 2;
    if (s & S(A1)) line(l, top, c, top, h);
    if (s & S(A2)) line(c, top, r, top, h);
    if (s & S(B)) line(r, top, r, m, h);
    if (s & S(C)) line(r, m, r, bot, h);
    if (s & S(D1)) line(l, bot, c, bot, h);
    if (s & S(D2)) line(c, bot, r, bot, h);
    if (s & S(E)) line(l, m, l, bot, h);
    if (s & S(F)) line(l, top, l, m, h);
    if (s & S(G1)) line(l, m, c, m, h);
    if (s & S(G2)) line(c, m, r, m, h);
    if (s & S(H)) line(l, top, c, m, h);
    if (s & S(I)) line(c, top, c, m, h);
    if (s & S(J)) line(r, top, c, m, h);
    if (s & S(K)) line(l, bot, c, m, h);
    if (s & S(L)) line(c, m, c, bot, h);
    if (s & S(M)) line(c, m, r, bot, h);
    if (s & S(DOT)) plot(c, bot, h);
    if (s & S(COMMA)) { plot(c, bot, h); plot(c - 1, base, h); }
    if (s & S(DOTS2)) { plot(c, bot, h); plot(c, (top + bot) / 2 - 1, h); }
}

/* CP437 box drawing B3h-DAh: up, down, left, right stroke (0 none, 1 single, 2 double). */
static const unsigned char boxes[][5] = {
    { 0xb3, 1, 1, 0, 0 }, { 0xb4, 1, 1, 1, 0 }, { 0xb5, 1, 1, 2, 0 }, { 0xb6, 2, 2, 1, 0 },
    { 0xb7, 0, 2, 1, 0 }, { 0xb8, 0, 1, 2, 0 }, { 0xb9, 2, 2, 2, 0 }, { 0xba, 2, 2, 0, 0 },
    { 0xbb, 0, 2, 2, 0 }, { 0xbc, 2, 0, 2, 0 }, { 0xbd, 2, 0, 1, 0 }, { 0xbe, 1, 0, 2, 0 },
    { 0xbf, 0, 1, 1, 0 }, { 0xc0, 1, 0, 0, 1 }, { 0xc1, 1, 0, 1, 1 }, { 0xc2, 0, 1, 1, 1 },
    { 0xc3, 1, 1, 0, 1 }, { 0xc4, 0, 0, 1, 1 }, { 0xc5, 1, 1, 1, 1 }, { 0xc6, 1, 1, 0, 2 },
    { 0xc7, 2, 2, 0, 1 }, { 0xc8, 2, 0, 0, 2 }, { 0xc9, 0, 2, 0, 2 }, { 0xca, 2, 0, 2, 2 },
    { 0xcb, 0, 2, 2, 2 }, { 0xcc, 2, 2, 0, 2 }, { 0xcd, 0, 0, 2, 2 }, { 0xce, 2, 2, 2, 2 },
    { 0xcf, 1, 0, 2, 2 }, { 0xd0, 2, 0, 1, 1 }, { 0xd1, 0, 1, 2, 2 }, { 0xd2, 0, 2, 1, 1 },
    { 0xd3, 2, 0, 0, 1 }, { 0xd4, 1, 0, 0, 2 }, { 0xd5, 0, 1, 0, 2 }, { 0xd6, 0, 2, 0, 1 },
    { 0xd7, 2, 2, 1, 1 }, { 0xd8, 1, 1, 2, 2 }, { 0xd9, 1, 0, 1, 0 }, { 0xda, 0, 1, 0, 1 },
};

static void set(int x, int y, int h) { if (x >= 0 && x < W && y >= 0 && y < h) cell[y][x] = 1; }

static void draw_box(const unsigned char *b, int h)
{
    int cx = 3, cy = h / 2;
    for (int dir = 0; dir < 4; dir++) {
        int kind = b[1 + dir];
        if (!kind)
            continue;
        for (int off = kind == 2 ? -1 : 0; off <= (kind == 2 ? 1 : 0); off += 2) {
            if (dir < 2) {          /* vertical: up or down from the centre */
                int y0 = dir == 0 ? 0 : cy, y1 = dir == 0 ? cy : h - 1;
                for (int y = y0; y <= y1; y++)
                    set(cx + off, y, h);
            } else {                /* horizontal: left or right */
                int x0 = dir == 2 ? 0 : cx, x1 = dir == 2 ? cx : W - 1;
                for (int x = x0; x <= x1; x++)
                    set(x, cy + off, h);
            }
        }
    }
}

static void glyph(int ch, int h)
{
    memset(cell, 0, sizeof(cell));
    /* Vertical metrics: capitals from cap to base, lower case from xh, descender row. */
    int cap = h >= 14 ? 2 : 0, base = h >= 16 ? 12 : h >= 14 ? 10 : 6;
    int xh = h >= 14 ? base - 5 : 2, desc = h >= 14 ? base + 2 : 7;
    int up = ch >= 'a' && ch <= 'z' ? ch - 32 : ch;
    for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++) {
        if (glyphs[i].ch != up)
            continue;
        draw_segs(glyphs[i].segs, up != ch ? xh : cap, base, h, desc);
        return;
    }
    for (size_t i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++)
        if (boxes[i][0] == ch) {
            draw_box(boxes[i], h);
            return;
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < W; x++) {
            int on = 0;
            switch (ch) {
            case 0xb0: on = (x + 2 * y) % 4 == 0; break;            /* light shade */
            case 0xb1: on = (x + y) % 2 == 0; break;                /* medium shade */
            case 0xb2: on = (x + 2 * y) % 4 != 0; break;            /* dark shade */
            case 0xdb: on = 1; break;                               /* full block */
            case 0xdc: on = y >= h / 2; break;
            case 0xdd: on = x < W / 2; break;
            case 0xde: on = x >= W / 2; break;
            case 0xdf: on = y < h / 2; break;
            case 0xfe: on = x >= 2 && x < 6 && y >= h / 2 - 2 && y < h / 2 + 2; break;
            }
            cell[y][x] = on;
        }
}

static void emit(FILE *f, const char *name, int h)
{
    fprintf(f, "const u8 %s[256 * %d] = {\n", name, h);
    for (int ch = 0; ch < 256; ch++) {
        glyph(ch, h);
        fprintf(f, "   ");
        for (int y = 0; y < h; y++) {
            unsigned v = 0;
            for (int x = 0; x < W; x++)
                v |= cell[y][x] << (7 - x);
            fprintf(f, " 0x%02x,", v);
        }
        fprintf(f, " /* %02x */\n", ch);
    }
    fprintf(f, "};\n");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "mkfont: usage: mkfont OUT.c\n");
        return 1;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        fprintf(stderr, "mkfont: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    fprintf(f, "/* Generated by bios/tools/mkfont.c: VGA BIOS fonts. */\n#include \"types.h\"\n");
    emit(f, "vgafont8", 8);
    emit(f, "vgafont14", 14);
    emit(f, "vgafont16", 16);
    return fclose(f) ? 1 : 0;
}
