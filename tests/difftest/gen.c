/* gen.c: the sequence generator — value pools, operand encoding, the class picker and the
 * frame (prologue and epilogue) both sides run around the random instructions. */
#include "tests/difftest/gen.h"

/* ---- values */

uint64_t g_value(Gen *g)
{
    /* Interesting values more often than uniform ones. */
    static const uint64_t special[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                        0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffull,
                                        0x8000000000000000ull, ~0ull, 0x99, 0x09, 0x100 };
    switch (g_pick(g, 4)) {
    case 0: return special[g_pick(g, ARRAY_SIZE(special))];
    case 1: return g_rand(g) & 0xff;
    default: return g_rand(g);
    }
}

uint32_t g_f32(Gen *g)
{
    static const uint32_t special[] = { 0, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000,
                                        0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0x00000001,
                                        0x807fffff, 0x00800000, 0x7f7fffff, 0x4b000000, 0x3effffff,
                                        0x40490fdb, 0x4f000000, 0xcf000000 };
    switch (g_pick(g, 4)) {
    case 0: return special[g_pick(g, ARRAY_SIZE(special))];
    case 1: {                        /* a small integer or half-integer */
        float f = (float)((int)g_pick(g, 400) - 200) / (g_chance(g, 50) ? 1 : 4);
        uint32_t v;
        memcpy(&v, &f, 4);
        return v;
    }
    case 2: return (uint32_t)(0x30000000u + g_pick(g, 0x1e000000u)) | (g_chance(g, 50) ? 0x80000000u : 0);
    default: return (uint32_t)g_rand(g);
    }
}

uint64_t g_f64(Gen *g)
{
    static const uint64_t special[] = { 0, 1ull << 63, 0x3ff0000000000000ull, 0xbff0000000000000ull,
                                        0x7ff0000000000000ull, 0xfff0000000000000ull,
                                        0x7ff8000000000000ull, 0x7ff4000000000000ull, 1,
                                        0x800fffffffffffffull, 0x0010000000000000ull,
                                        0x7fefffffffffffffull, 0x4330000000000000ull,
                                        0x3fdfffffffffffffull, 0x400921fb54442d18ull,
                                        0x43e0000000000000ull, 0xc3e0000000000000ull,
                                        0x41dfffffffc00000ull, 0x36a0000000000000ull };
    switch (g_pick(g, 4)) {
    case 0: return special[g_pick(g, ARRAY_SIZE(special))];
    case 1: {
        double d = (double)((int)g_pick(g, 4000) - 2000) / (g_chance(g, 50) ? 1 : 8);
        uint64_t v;
        memcpy(&v, &d, 8);
        return v;
    }
    case 2: return (0x3c00000000000000ull + (g_rand(g) % 0x0800000000000000ull)) |
                   (g_chance(g, 50) ? 1ull << 63 : 0);
    default: return g_rand(g);
    }
}

void g_f80(Gen *g, uint8_t out[10])
{
    static const struct { uint16_t se; uint64_t m; } special[] = {
        { 0, 0 }, { 0x8000, 0 }, { 0x3fff, 1ull << 63 }, { 0xbfff, 1ull << 63 },
        { 0x7fff, 1ull << 63 }, { 0xffff, 1ull << 63 }, { 0x7fff, 3ull << 62 },
        { 0x7fff, 5ull << 61 }, { 0, 1 }, { 0, 1ull << 62 }, { 0x0001, 1ull << 63 },
        { 0x7ffe, ~0ull }, { 0x4000, 0xc90fdaa22168c235ull }, { 0x403e, 1ull << 63 },
        { 0x3ffe, ~0ull }, { 0x3fff, 0x7000000000000000ull }, { 0, 1ull << 63 },
    };
    uint16_t se;
    uint64_t m;
    switch (g_pick(g, 4)) {
    case 0: {
        unsigned i = g_pick(g, ARRAY_SIZE(special));
        se = special[i].se;
        m = special[i].m;
        break;
    }
    case 1: {                        /* near 1, where the transcendentals are interesting */
        se = (uint16_t)(0x3ff0 + g_pick(g, 0x18)) | (g_chance(g, 50) ? 0x8000 : 0);
        m = g_rand(g) | 1ull << 63;
        break;
    }
    case 2: {                        /* a normal number over a moderate range */
        se = (uint16_t)(0x3f80 + g_pick(g, 0x100)) | (g_chance(g, 50) ? 0x8000 : 0);
        m = g_rand(g) | 1ull << 63;
        break;
    }
    default:
        se = (uint16_t)g_rand(g);
        m = g_rand(g) | (g_chance(g, 90) ? 1ull << 63 : 0);
        break;
    }
    memcpy(out, &m, 8);
    memcpy(out + 8, &se, 2);
}

/* ---- operands */

int g_gpr(Gen *g)
{
    /* Never RSP/ESP (4) nor, in long mode, R15 (the data base). */
    static const int ok64[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
    static const int ok32[] = { 0, 1, 2, 3, 5, 6, 7 };
    return g_is64(g) ? ok64[g_pick(g, ARRAY_SIZE(ok64))] : ok32[g_pick(g, ARRAY_SIZE(ok32))];
}

int g_xmm(Gen *g)
{
    return (int)g_pick(g, g_is64(g) ? 16 : 8);
}

void g_osize(Gen *g, int size)
{
    if ((size == 2) != g_is16(g) && (size == 2 || size == 4))
        g8(g, 0x66);
    else if (size == 8)
        g8(g, 0x48);
}

int g_size(Gen *g, bool allow16)
{
    unsigned n = g_is64(g) ? 3 : 2;
    unsigned s = g_pick(g, n);
    if (s == 0 && !allow16)
        s = 1;
    return s == 0 ? 2 : s == 1 ? 4 : 8;
}

Opnd g_r(int reg)
{
    return (Opnd){ .reg = reg };
}

void g_mov_imm32(Gen *g, int reg, uint32_t v)
{
    if (g_is16(g))
        g8(g, 0x66);
    if (reg & 8)
        g8(g, 0x41);
    g8(g, (uint8_t)(0xb8 + (reg & 7)));
    gimm(g, v, 4);
}

/* A base or index register other than the data base, loaded with a known value first. */
static int g_addr_reg(Gen *g, int avoid, uint32_t v)
{
    int reg;
    do
        reg = g_gpr(g);
    while (reg == avoid || (g->avoid >> reg & 1));
    g_mov_imm32(g, reg, v);
    return reg;
}

static void g_set_disp(Opnd *o, uint32_t disp, bool allow8)
{
    bool d8 = allow8 && disp < 0x80;
    o->modrm |= d8 ? 0x40 : 0x80;
    o->disp = disp;
    o->disp_len = d8 ? 1 : 4;
}

static void g_set_sib(Opnd *o, int base, int index, unsigned scale_log)
{
    o->has_sib = true;
    o->modrm |= 4;
    o->sib = (uint8_t)(scale_log << 6 | (index & 7) << 3 | (base & 7));
    o->rex |= (index & 8 ? 2 : 0) | (base & 8 ? 1 : 0);
}

/* 32-bit addressing forms (with 67 in 16-bit mode) of data offset off. */
static Opnd g_mem32(Gen *g, uint32_t off)
{
    Opnd o = { .mem = true, .addr = D_DATA + off };
    unsigned scale_log = g_pick(g, 4), scale = 1u << scale_log;
    uint32_t k = g_pick(g, MIN(off / scale, 15u) + 1);   /* index value, k * scale <= off */
    uint32_t d = g_pick(g, off + 1);                    /* base register below the address */
    switch (g_pick(g, 6)) {
    case 0:                                             /* [r15 + disp] / [disp32] */
    case 1:
        if (g_is64(g)) {
            o.modrm = 7;
            o.rex = 1;
            g_set_disp(&o, off, true);
        } else {
            o.modrm = 5;
            o.disp = g_base(g) + off;
            o.disp_len = 4;
        }
        break;
    case 2:                                             /* RIP-relative / [index*s + disp32] */
        if (g_is64(g)) {
            o.modrm = 5;
            o.disp_len = 4;
            o.riprel = true;
        } else {
            int idx = g_addr_reg(g, -1, k);
            g_set_sib(&o, 5, idx, scale_log);
            o.disp = g_base(g) + off - k * scale;
            o.disp_len = 4;
        }
        break;
    case 3: {                                           /* [base + disp] */
        int base = g_addr_reg(g, -1, g_base(g) + off - d);
        o.modrm = base & 7;
        o.rex = base & 8 ? 1 : 0;
        if ((base & 7) == 4)
            g_set_sib(&o, base, 4, 0);
        g_set_disp(&o, d, g_chance(g, 70));
        break;
    }
    case 4: {                                           /* [base + index*s + disp] */
        int idx = g_addr_reg(g, -1, k);
        int base = g_is64(g) && g_chance(g, 50) ? R_BASE64
                                                : g_addr_reg(g, idx, g_base(g) + off - k * scale - d);
        g_set_sib(&o, base, idx, scale_log);
        g_set_disp(&o, base == R_BASE64 ? off - k * scale : d, g_chance(g, 70));
        break;
    }
    default: {                                          /* [base] without displacement */
        int base = g_addr_reg(g, -1, g_base(g) + off);
        o.rex = base & 8 ? 1 : 0;
        if ((base & 7) == 5) {                          /* [rbp] needs a disp8 of 0 */
            o.modrm = 5;
            g_set_disp(&o, 0, true);
        } else {
            o.modrm = base & 7;
            if ((base & 7) == 4)
                g_set_sib(&o, base, 4, 0);
        }
        break;
    }
    }
    return o;
}

bool g_low(const Gen *g)
{
    return g->mode == DIFF_MODE32 && g->h->low;
}

/* 16-bit addressing (SDM 2, table 2-1) of segment offset target (linear address addr): the
 * registers get random upper halves (ignored) and 16-bit values whose sum with the
 * displacement wraps onto the target. */
static Opnd g_mem16(Gen *g, uint16_t target, uint32_t addr)
{
    static const int8_t regs[8][2] = { { R_EBX, R_ESI }, { R_EBX, R_EDI }, { R_EBP, R_ESI },
                                       { R_EBP, R_EDI }, { R_ESI, -1 }, { R_EDI, -1 },
                                       { R_EBP, -1 }, { R_EBX, -1 } };
    Opnd o = { .mem = true, .a16 = true, .addr = addr };
    unsigned rm = g_pick(g, 8), mod = g_pick(g, 3);
    bool abs16 = rm == 6 && mod == 0;           /* [disp16] */
    o.disp_len = abs16 || mod == 2 ? 2 : (int)mod;
    uint16_t sum = 0;
    if (o.disp_len == 1)
        sum = (uint16_t)(int16_t)(int8_t)g_pick(g, 256);
    else if (o.disp_len == 2)
        sum = abs16 ? target : (uint16_t)g_rand(g);
    o.disp = sum;
    for (int i = 0; i < 2 && !abs16; i++)
        if (regs[rm][i] >= 0 && (g->avoid >> regs[rm][i] & 1))
            return g_mem32(g, g_is16(g) ? target : Z_MEM);
    for (int i = 0; i < 2 && !abs16; i++) {
        int r = regs[rm][i];
        if (r < 0)
            continue;
        bool last = i == 1 || regs[rm][1] < 0;
        uint16_t v = last ? (uint16_t)(target - sum) : (uint16_t)g_rand(g);
        g_mov_imm32(g, r, (uint32_t)g_rand(g) << 16 | v);
        sum = (uint16_t)(sum + v);
    }
    o.modrm = (uint8_t)((abs16 ? 0 : mod) << 6 | rm);
    return o;
}

Opnd g_mem_at(Gen *g, uint32_t off)
{
    if (g_is16(g) && g_chance(g, 70))
        return g_mem16(g, (uint16_t)off, D_DATA + off);
    return g_mem32(g, off);
}

Opnd g_mem(Gen *g, unsigned size, unsigned align)
{
    align = MAX(align, 1u);
    if (g_low(g) && g_chance(g, 15)) {
        uint32_t a = D_LOW + g_pick(g, (D_LOW_SIZE - size) / align + 1) * align;
        return g_mem16(g, (uint16_t)a, a);
    }
    return g_mem_at(g, Z_MEM + g_pick(g, (Z_MEM_SIZE - size) / align + 1) * align);
}

Opnd g_rm(Gen *g, unsigned size, unsigned align, unsigned mem_pct)
{
    return g_chance(g, mem_pct) ? g_mem(g, size, align) : g_r(g_gpr(g));
}

void g_opi(Gen *g, int size, uint8_t mpfx, int map, uint8_t op, int reg, Opnd o, int imm_len,
           uint64_t imm)
{
    if ((size == 2 || size == 4) && (size == 2) != g_is16(g))
        g8(g, 0x66);
    if (o.mem && o.a16 != g_is16(g))
        g8(g, 0x67);
    if (mpfx)
        g8(g, mpfx);
    if (g_is64(g)) {
        uint8_t rex = (size == 8 ? 8 : 0) | (reg & 8 ? 4 : 0) | (o.mem ? o.rex : (o.reg & 8 ? 1 : 0));
        /* Byte registers 4-7 are AH..BH without REX and SPL..DIL with it; g_gpr never
         * returns 4, so both readings are safe. */
        if (rex || (size == 1 && g_chance(g, 50)))
            g8(g, 0x40 | rex);
    }
    if (map >= 1)
        g8(g, 0x0f);
    if (map == 2)
        g8(g, 0x38);
    if (map == 3)
        g8(g, 0x3a);
    g8(g, op);
    g_modrm(g, reg, o, imm_len, imm);
}

void g_modrm(Gen *g, int reg, Opnd o, int imm_len, uint64_t imm)
{
    if (!o.mem) {
        g8(g, (uint8_t)(0xc0 | (reg & 7) << 3 | (o.reg & 7)));
    } else {
        g8(g, (uint8_t)(o.modrm | (reg & 7) << 3));
        if (o.has_sib)
            g8(g, o.sib);
        if (o.riprel)
            o.disp = o.addr - (D_CODE + g->n + 4 + (unsigned)imm_len);
        gimm(g, o.disp, o.disp_len);
    }
    gimm(g, imm, imm_len);
}

void g_mov_mem_imm(Gen *g, Opnd o, int size, uint32_t v)
{
    g_opi(g, size, 0, 0, size == 1 ? 0xc6 : 0xc7, 0, o, size == 1 ? 1 : size == 2 ? 2 : 4, v);
}

void g_data_undef(Gen *g, uint32_t off, unsigned len)
{
    for (unsigned i = off; i < off + len && i < D_DATA_SIZE; i++)
        g->data_undef[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* ---- the class picker */

static const DiffClassTable *const diff_tables[] = { &diff_int_table, &diff_x87_table,
                                                      &diff_simd_table, &diff_avx_table };

static const char *diff_class_filter;

void diff_gen_only(const char *name_part)
{
    diff_class_filter = name_part;
}

static bool g_class_ok(const Gen *g, const DiffClass *c)
{
    return (c->modes & (1u << g->mode)) && (c->mix & g->mix) &&
           (!diff_class_filter || strstr(c->name, diff_class_filter));
}

static const DiffClass *g_pick_class(Gen *g)
{
    unsigned total = 0;
    for (unsigned t = 0; t < ARRAY_SIZE(diff_tables); t++)
        for (unsigned i = 0; i < diff_tables[t]->n; i++) {
            const DiffClass *c = &diff_tables[t]->classes[i];
            if (g_class_ok(g, c))
                total += c->weight;
        }
    if (!total)
        return NULL;
    unsigned x = g_pick(g, total);
    for (unsigned t = 0; t < ARRAY_SIZE(diff_tables); t++)
        for (unsigned i = 0; i < diff_tables[t]->n; i++) {
            const DiffClass *c = &diff_tables[t]->classes[i];
            if (!g_class_ok(g, c))
                continue;
            if (x < c->weight)
                return c;
            x -= c->weight;
        }
    return NULL;
}

bool g_insn(Gen *g)
{
    for (int tries = 0; tries < 64; tries++) {
        const DiffClass *c = g_pick_class(g);
        if (!c)
            return false;
        unsigned start = g->n;
        uint32_t undef = g->undef;
        uint16_t undef_fsw = g->undef_fsw;
        g->use = g->def = g->und = 0;
        g->fuse = g->fdef = g->fund = 0;
        g->avoid = 0;
        bool ok = c->fn(g) && !(g->use & g->undef) && !(g->fuse & g->undef_fsw) &&
                  g->n + 256 < g->cap;
        if (ok) {
            g->undef = (g->undef & ~g->def) | g->und;
            g->undef_fsw = (uint16_t)((g->undef_fsw & ~g->fdef) | g->fund);
            g->use = g->def = g->und = 0;
            g->fuse = g->fdef = g->fund = 0;
            return true;
        }
        g->n = start;
        g->undef = undef;
        g->undef_fsw = undef_fsw;
    }
    return false;
}

/* ---- the frame: load the initial image, store the final one, leave
 *
 * The same code in every mode, with 66/67 in 16-bit mode for 32-bit operands and addresses
 * (the state page is reached through DS, based at D_DATA there). It ends in a jump to D_EXIT,
 * or in 16-bit mode in a HLT (natively a #GP the child catches). */

static void g_frame_prefixes(Gen *g, bool addr)
{
    if (g_is16(g)) {
        g8(g, 0x66);
        if (addr)
            g8(g, 0x67);
    }
}

static uint32_t g_scratch(const Gen *g)
{
    return g_is16(g) ? D_DATA + D_SCRATCH16 : D_SCRATCH;
}

/* mov 8*i(%rax), reg (load) or mov reg, 8*i(%rax), for every register but RAX */
static void g_frame_regs(Gen *g, uint8_t op)
{
    for (int i = 1; i < (g_is64(g) ? 16 : 8); i++) {
        g_frame_prefixes(g, true);
        if (g_is64(g))
            g8(g, 0x48 | (i & 8 ? 4 : 0));
        g8(g, op);
        g8(g, (uint8_t)(0x40 | (i & 7) << 3));
        g8(g, (uint8_t)(8 * i));
    }
}

_Static_assert(offsetof(DiffImage, ymm_hi) == 0x320 && sizeof(DiffImage) <= D_STATE_OUT - D_STATE,
               "the frame addresses the image with these offsets");

/* vinsertf128 $1, 0x320+16*i(%rax), %ymmi, %ymmi (op 0x18) or vextractf128 $1, %ymmi,
 * 0x320+16*i(%rax) (0x19): VEX.256.66.0F3A.W0 (SDM 2), never in 16-bit code. */
static void g_frame_ymm(Gen *g, uint8_t op)
{
    for (int i = 0; i < (g_is64(g) ? 16 : 8); i++) {
        g8(g, 0xc4);
        g8(g, (uint8_t)((i & 8 ? 0 : 0x80) | 0x60 | 3));
        g8(g, (uint8_t)((op == 0x18 ? (~i & 15) : 15) << 3 | 4 | 1));
        g8(g, op);
        g8(g, (uint8_t)(0x80 | (i & 7) << 3));
        gimm(g, 0x320u + 16u * (unsigned)i, 4);
        g8(g, 1);
    }
}

static void g_prologue(Gen *g)
{
    uint32_t base = g_is16(g) ? D_DATA : 0;
    g_frame_prefixes(g, false);
    g8(g, 0xb8);                                /* mov $D_STATE, %eax */
    gimm(g, D_STATE - base, 4);
    if (g_is16(g))
        g8(g, 0x67);
    static const uint8_t fxrstor[] = { 0x0f, 0xae, 0x88, 0x00, 0x01, 0x00, 0x00 };
    gbytes(g, fxrstor, sizeof fxrstor);         /* fxrstor 0x100(%rax) */
    if (g->ymm)
        g_frame_ymm(g, 0x18);
    g_frame_prefixes(g, false);
    g8(g, 0xbc);                                /* mov $scratch, %esp */
    gimm(g, g_scratch(g) - base, 4);
    g_frame_prefixes(g, true);
    g8(g, 0xff);                                /* push 0x80(%rax) */
    g8(g, 0xb0);
    gimm(g, 0x80, 4);
    g_frame_prefixes(g, false);
    g8(g, 0x9d);                                /* popf */
    g_frame_regs(g, 0x8b);
    g_frame_prefixes(g, true);
    if (g_is64(g))
        g8(g, 0x48);
    g8(g, 0x8b);                                /* mov (%rax), %rax */
    g8(g, 0x00);
}

static void g_epilogue(Gen *g)
{
    uint32_t base = g_is16(g) ? D_DATA : 0;
    g_frame_prefixes(g, true);
    if (g_is64(g))
        g8(g, 0x48);
    g8(g, 0xa3);                                /* mov %rax, D_STATE_OUT */
    gimm(g, D_STATE_OUT - base, g_is64(g) ? 8 : 4);
    g_frame_prefixes(g, false);
    g8(g, 0xb8);                                /* mov $D_STATE_OUT, %eax */
    gimm(g, D_STATE_OUT - base, 4);
    g_frame_regs(g, 0x89);
    g_frame_prefixes(g, false);
    g8(g, 0xbc);                                /* mov $scratch, %esp */
    gimm(g, g_scratch(g) - base, 4);
    g_frame_prefixes(g, false);
    g8(g, 0x9c);                                /* pushf; pop 0x80(%rax) */
    g_frame_prefixes(g, true);
    gbytes(g, (const uint8_t *)"\x8f\x80\x80\x00\x00\x00", 6);
    if (g_is16(g))
        g8(g, 0x67);
    gbytes(g, (const uint8_t *)"\x0f\xae\x80\x00\x01\x00\x00", 7);   /* fxsave 0x100(%rax) */
    if (g->ymm)
        g_frame_ymm(g, 0x19);
    g_frame_prefixes(g, true);
    gbytes(g, (const uint8_t *)"\xd9\xb0\x00\x03\x00\x00", 6);      /* fnstenv 0x300(%rax) */
    if (g_is16(g)) {
        g8(g, 0xf4);                            /* hlt */
        return;
    }
    g8(g, 0xe9);                                /* jmp D_EXIT */
    gimm(g, D_EXIT - (D_CODE + g->n + 4), 4);
}

/* ---- the initial state */

static void g_initial_state(Gen *g, DiffSeq *s)
{
    DiffImage *in = &s->in;
    memset(in, 0, sizeof *in);
    for (int i = 0; i < 16; i++)
        in->regs[i] = g_is64(g) ? g_value(g) : (uint32_t)g_value(g);
    in->regs[R_ESP] = D_STACK - (g_is16(g) ? D_DATA : 0);
    if (g_is64(g))
        in->regs[R_BASE64] = D_DATA;
    in->flags = (g_rand(g) & F_ALL) | 2;
    /* FXSAVE layout (SDM 1, 10.5.1): FCW, FSW, abridged FTW, MXCSR, ST0-7, XMM0-15. All
     * exceptions stay masked, on the x87 and in MXCSR. */
    uint16_t fcw = (uint16_t)(0x7f | g_pick(g, 4) << 8 | g_pick(g, 4) << 10);
    if (g_chance(g, 50))
        fcw = 0x37f;
    uint16_t fsw = (uint16_t)(g_pick(g, 8) << 11 | (g_rand(g) & (FSW_CC | 0x3f)));
    fsw &= (uint16_t)~0x40;                     /* SF goes with IE; leave it to the sequence */
    uint8_t ftw = (uint8_t)g_rand(g);
    if (g_chance(g, 30))
        ftw = 0;
    uint32_t mxcsr = 0x1f80 | g_pick(g, 4) << 13 | (g_rand(g) & 0x3f);
    if (g_chance(g, 20))
        mxcsr |= 0x40;                          /* DAZ */
    if (g_chance(g, 20))
        mxcsr |= 0x8000;                        /* FTZ */
    if (g_chance(g, 40))
        mxcsr = 0x1f80;
    memcpy(&in->fx[0], &fcw, 2);
    memcpy(&in->fx[2], &fsw, 2);
    in->fx[4] = ftw;
    memcpy(&in->fx[24], &mxcsr, 4);
    for (int i = 0; i < 8; i++)
        g_f80(g, &in->fx[32 + 16 * i]);
    for (int i = 0; i < (g_is64(g) ? 16 : 8); i++)
        for (int j = 0; j < 16; j += 8) {
            uint64_t v;
            switch (g_pick(g, 3)) {
            case 0: v = g_value(g); break;
            case 1: v = g_f64(g); break;
            default: v = g_f32(g) | (uint64_t)g_f32(g) << 32; break;
            }
            memcpy(&in->fx[160 + 16 * i + j], &v, 8);
        }
    for (int i = 0; s->ymm && i < (g_is64(g) ? 16 : 8); i++)
        for (int j = 0; j < 16; j += 8) {
            uint64_t v = g_chance(g, 50) ? g_f64(g) : g_f32(g) | (uint64_t)g_f32(g) << 32;
            memcpy(&in->ymm_hi[i][j], &v, 8);
        }
}

static void g_initial_data(Gen *g, DiffSeq *s)
{
    for (unsigned i = 0; i < D_DATA_SIZE; i += 8) {
        uint64_t v;
        switch (g_pick(g, 4)) {
        case 0: v = g_f64(g); break;
        case 1: v = g_f32(g) | (uint64_t)g_f32(g) << 32; break;
        default: v = g_value(g); break;
        }
        memcpy(&s->data[i], &v, 8);
    }
    for (unsigned i = 0; i < 0x100; i += 16) {  /* packed BCD: 18 digits and a sign byte */
        uint8_t *p = &s->data[Z_BCD + i];
        unsigned digits = g_pick(g, 19);
        memset(p, 0, 10);
        for (unsigned d = 0; d < digits; d++)
            p[d / 2] |= (uint8_t)(g_pick(g, 10) << (4 * (d % 2)));
        p[9] = g_chance(g, 50) ? 0x80 : 0;
    }
    for (unsigned i = Z_MEM; i < Z_MEM + Z_MEM_SIZE; i += 16)   /* some valid m80 values */
        if (g_chance(g, 30))
            g_f80(g, &s->data[i]);
    for (unsigned i = 0; i < D_LOW_SIZE; i += 8) {
        uint64_t v = g_chance(g, 50) ? g_value(g) : g_f64(g);
        memcpy(&s->low[i], &v, 8);
    }
}

/* A random body (body == NULL) or the given one, in the frame, with a random initial state. */
static void diff_gen_body(DiffSeq *s, DiffRng *r, const DiffHost *h, DiffMode mode, unsigned mix,
                          const uint8_t *body, unsigned len)
{
    memset(s->data_undef, 0, sizeof s->data_undef);
    Gen g = { .code = s->code, .cap = sizeof s->code, .r = r, .h = h, .mode = mode, .mix = mix,
              .data_undef = s->data_undef, .ymm = h->avx && mode != DIFF_MODE16 };
    s->mode = mode;
    s->ymm = g.ymm;
    g_prologue(&g);
    s->body = g.n;
    s->ninsn = 0;
    if (body) {
        gbytes(&g, body, MIN(len, g.cap - 256));
    } else {
        unsigned want = g_chance(&g, 80) ? 1 + g_pick(&g, 10) : 1 + g_pick(&g, 30);
        while (s->ninsn < want && g_insn(&g))
            s->ninsn++;
    }
    s->body_len = g.n - s->body;
    g_epilogue(&g);
    if (g_is16(&g))
        g_data_undef(&g, D_SCRATCH16 - 8, 8);   /* the frame's flags, IF and all */
    s->len = g.n;
    s->undef_flags = g.undef;
    s->undef_fsw = g.undef_fsw;
    g_initial_state(&g, s);
    g_initial_data(&g, s);
}

void diff_gen(DiffSeq *s, DiffRng *r, const DiffHost *h, DiffMode mode, unsigned mix)
{
    diff_gen_body(s, r, h, mode, mix, NULL, 0);
}

void diff_gen_fixed(DiffSeq *s, DiffRng *r, const DiffHost *h, DiffMode mode, const uint8_t *body,
                    unsigned len)
{
    diff_gen_body(s, r, h, mode, 0, body, len);
}
