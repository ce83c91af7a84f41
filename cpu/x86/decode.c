/* decode.c: x86 instruction decoder — prefixes, REX/VEX/EVEX, ModRM/SIB, displacement, immediates.
 *
 * The opcode tables follow Intel SDM Vol. 2, Appendix A (opcode maps and
 * the ModRM group table A-6). Each entry says whether the opcode has a ModRM byte, which
 * immediate follows, how 64-bit mode treats its operand size, and whether it is undefined.
 */
#include "util/osdep.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/decode.h"

/* Immediate kinds. */
enum {
    IMM_NONE,
    IMM_B,      /* 1 byte */
    IMM_W,      /* 2 bytes */
    IMM_Z,      /* 2 bytes with 16-bit operand size, else 4 */
    IMM_V,      /* operand size: 2, 4 or 8 (MOV r, imm64) */
    IMM_WB,     /* ENTER: 2 + 1 */
    IMM_AP,     /* far pointer: offset (2 or 4) + selector 2 */
    IMM_O,      /* moffs: address size */
    IMM_GRP3B,  /* F6: /0 and /1 take Ib */
    IMM_GRP3Z,  /* F7: /0 and /1 take Iz */
};

typedef struct OpInfo {
    uint16_t attr;
    uint8_t imm;
    uint8_t grp_valid;   /* with X86_F_GRP: bit n set = ModRM.reg n is defined */
} OpInfo;

static OpInfo optab[4][256];

static void set(int map, int op, unsigned attr, int imm)
{
    optab[map][op].attr = attr;
    optab[map][op].imm = imm;
}

static void set_range(int map, int lo, int hi, unsigned attr, int imm)
{
    for (int op = lo; op <= hi; op++)
        set(map, op, attr, imm);
}

static void set_grp(int map, int op, uint8_t valid)
{
    optab[map][op].attr |= X86_F_GRP;
    optab[map][op].grp_valid = valid;
}

#define M X86_F_MODRM
#define LK X86_F_LOCK

static void __attribute__((constructor)) decode_tables_init(void)
{
    /* ---- one-byte map (SDM 2, table A-2) */
    for (int alu = 0; alu < 8; alu++) {
        int b = alu * 8;
        unsigned lk = alu == 7 ? 0 : LK;            /* CMP cannot be locked */
        set(0, b + 0, M | lk, IMM_NONE);
        set(0, b + 1, M | lk, IMM_NONE);
        set(0, b + 2, M, IMM_NONE);
        set(0, b + 3, M, IMM_NONE);
        set(0, b + 4, 0, IMM_B);
        set(0, b + 5, 0, IMM_Z);
    }
    /* PUSH/POP ES CS SS DS, DAA DAS AAA AAS; the xx6/xx7 columns of rows 0-1 and 0x27.. */
    set(0, 0x06, X86_F_I64, 0); set(0, 0x07, X86_F_I64, 0);
    set(0, 0x0e, X86_F_I64, 0); set(0, 0x0f, 0, 0);  /* 0F: escape, handled by the prefix loop */
    set(0, 0x16, X86_F_I64, 0); set(0, 0x17, X86_F_I64, 0);
    set(0, 0x1e, X86_F_I64, 0); set(0, 0x1f, X86_F_I64, 0);
    set(0, 0x27, X86_F_I64, 0); set(0, 0x2f, X86_F_I64, 0);
    set(0, 0x37, X86_F_I64, 0); set(0, 0x3f, X86_F_I64, 0);
    /* 26 2E 36 3E are segment prefixes, consumed before table look-up. */
    set_range(0, 0x40, 0x4f, 0, 0);                 /* INC/DEC (REX in 64-bit mode) */
    set_range(0, 0x50, 0x5f, X86_F_D64, 0);
    set(0, 0x60, X86_F_I64, 0); set(0, 0x61, X86_F_I64, 0);
    set(0, 0x62, M | X86_F_I64 | X86_F_MEM, 0);     /* BOUND */
    set(0, 0x63, M, 0);                             /* ARPL / MOVSXD */
    set(0, 0x68, X86_F_D64, IMM_Z);
    set(0, 0x69, M, IMM_Z);
    set(0, 0x6a, X86_F_D64, IMM_B);
    set(0, 0x6b, M, IMM_B);
    set_range(0, 0x6c, 0x6f, 0, 0);
    set_range(0, 0x70, 0x7f, X86_F_F64, IMM_B);
    set(0, 0x80, M | LK, IMM_B);
    set(0, 0x81, M | LK, IMM_Z);
    set(0, 0x82, M | LK | X86_F_I64, IMM_B);
    set(0, 0x83, M | LK, IMM_B);
    set(0, 0x84, M, 0); set(0, 0x85, M, 0);
    set(0, 0x86, M | LK, 0); set(0, 0x87, M | LK, 0);
    set_range(0, 0x88, 0x8c, M, 0);
    set(0, 0x8d, M | X86_F_MEM, 0);
    set_grp(0, 0x8c, 0x3f);                         /* no segment registers 6 and 7 */
    set(0, 0x8e, M, 0); set_grp(0, 0x8e, 0x3d);     /* nor a load of CS */
    set(0, 0x8f, M | X86_F_D64, 0); set_grp(0, 0x8f, 0x01);
    set_range(0, 0x90, 0x99, 0, 0);
    set(0, 0x9a, X86_F_I64, IMM_AP);
    set(0, 0x9b, 0, 0);
    set(0, 0x9c, X86_F_D64, 0); set(0, 0x9d, X86_F_D64, 0);
    set(0, 0x9e, 0, 0); set(0, 0x9f, 0, 0);
    set_range(0, 0xa0, 0xa3, 0, IMM_O);
    set_range(0, 0xa4, 0xa7, 0, 0);
    set(0, 0xa8, 0, IMM_B); set(0, 0xa9, 0, IMM_Z);
    set_range(0, 0xaa, 0xaf, 0, 0);
    set_range(0, 0xb0, 0xb7, 0, IMM_B);
    set_range(0, 0xb8, 0xbf, 0, IMM_V);
    set(0, 0xc0, M, IMM_B); set(0, 0xc1, M, IMM_B);
    set_grp(0, 0xc0, 0xff); set_grp(0, 0xc1, 0xff);
    set(0, 0xc2, X86_F_F64, IMM_W); set(0, 0xc3, X86_F_F64, 0);
    set(0, 0xc4, M | X86_F_I64 | X86_F_MEM, 0);     /* LES (VEX3 when it cannot be LES) */
    set(0, 0xc5, M | X86_F_I64 | X86_F_MEM, 0);     /* LDS (VEX2) */
    set(0, 0xc6, M, IMM_B); set_grp(0, 0xc6, 0x01); /* + C6 F8 XABORT, checked below */
    set(0, 0xc7, M, IMM_Z); set_grp(0, 0xc7, 0x01); /* + C7 F8 XBEGIN */
    set(0, 0xc8, X86_F_D64, IMM_WB);
    set(0, 0xc9, X86_F_D64, 0);
    set(0, 0xca, 0, IMM_W); set(0, 0xcb, 0, 0);
    set(0, 0xcc, 0, 0); set(0, 0xcd, 0, IMM_B);
    set(0, 0xce, X86_F_I64, 0); set(0, 0xcf, 0, 0);
    set_range(0, 0xd0, 0xd3, M, 0);
    set(0, 0xd4, X86_F_I64, IMM_B); set(0, 0xd5, X86_F_I64, IMM_B);
    set(0, 0xd6, X86_F_I64, 0);                     /* SALC (undocumented, real CPUs have it) */
    set(0, 0xd7, 0, 0);
    set_range(0, 0xd8, 0xdf, M, 0);                 /* x87 escapes */
    set_range(0, 0xe0, 0xe3, X86_F_F64, IMM_B);
    set(0, 0xe4, 0, IMM_B); set(0, 0xe5, 0, IMM_B);
    set(0, 0xe6, 0, IMM_B); set(0, 0xe7, 0, IMM_B);
    set(0, 0xe8, X86_F_F64, IMM_Z); set(0, 0xe9, X86_F_F64, IMM_Z);
    set(0, 0xea, X86_F_I64, IMM_AP);
    set(0, 0xeb, X86_F_F64, IMM_B);
    set_range(0, 0xec, 0xef, 0, 0);
    set(0, 0xf1, 0, 0);
    set(0, 0xf4, 0, 0); set(0, 0xf5, 0, 0);
    set(0, 0xf6, M | LK, IMM_GRP3B); set(0, 0xf7, M | LK, IMM_GRP3Z);
    set_range(0, 0xf8, 0xfd, 0, 0);
    set(0, 0xfe, M | LK, 0); set_grp(0, 0xfe, 0x03);
    set(0, 0xff, M | LK, 0); set_grp(0, 0xff, 0x7f);

    /* ---- two-byte map 0F xx (SDM 2, table A-3) */
    set_range(1, 0x00, 0xff, M, 0);                 /* most of the map: ModRM, no immediate */
    set_grp(1, 0x00, 0x3f);                         /* SLDT STR LLDT LTR VERR VERW */
    set(1, 0x04, X86_F_UD, 0); set(1, 0x0a, X86_F_UD, 0); set(1, 0x0c, X86_F_UD, 0);
    set_range(1, 0x05, 0x09, 0, 0);                 /* SYSCALL CLTS SYSRET INVD WBINVD */
    set(1, 0x0b, 0, 0);                             /* UD2 (decodes; raises #UD when run) */
    set(1, 0x0e, 0, 0);                             /* FEMMS */
    set(1, 0x0f, M, IMM_B);                         /* 3DNow!: suffix opcode as Ib */
    set_range(1, 0x24, 0x27, X86_F_UD, 0);
    set_range(1, 0x30, 0x35, 0, 0);
    set(1, 0x36, X86_F_UD, 0); set(1, 0x37, 0, 0);
    set(1, 0x39, X86_F_UD, 0);
    set_range(1, 0x3b, 0x3f, X86_F_UD, 0);
    set_range(1, 0x70, 0x73, M, IMM_B);
    set_grp(1, 0x71, 0x54); set_grp(1, 0x72, 0x54); set_grp(1, 0x73, 0xcc);
    set(1, 0x77, 0, 0);                             /* EMMS */
    set(1, 0x7a, X86_F_UD, 0); set(1, 0x7b, X86_F_UD, 0);
    set_range(1, 0x80, 0x8f, X86_F_F64, IMM_Z);
    set(1, 0xa0, X86_F_D64, 0); set(1, 0xa1, X86_F_D64, 0); set(1, 0xa2, 0, 0);
    set(1, 0xa3, M, 0); set(1, 0xa4, M, IMM_B);
    set(1, 0xa6, X86_F_UD, 0); set(1, 0xa7, X86_F_UD, 0);
    set(1, 0xa8, X86_F_D64, 0); set(1, 0xa9, X86_F_D64, 0); set(1, 0xaa, 0, 0);
    set(1, 0xab, M | LK, 0);
    set(1, 0xac, M, IMM_B);
    set(1, 0xb0, M | LK, 0); set(1, 0xb1, M | LK, 0);
    set(1, 0xb2, M | X86_F_MEM, 0); set(1, 0xb3, M | LK, 0);
    set(1, 0xb4, M | X86_F_MEM, 0); set(1, 0xb5, M | X86_F_MEM, 0);
    set(1, 0xba, M | LK, IMM_B); set_grp(1, 0xba, 0xf0);
    set(1, 0xbb, M | LK, 0);
    set(1, 0xc0, M | LK, 0); set(1, 0xc1, M | LK, 0);
    set(1, 0xc2, M, IMM_B);
    set(1, 0xc3, M | X86_F_MEM, 0);
    set_range(1, 0xc4, 0xc6, M, IMM_B);
    set(1, 0xc7, M | LK, 0);
    set_range(1, 0xc8, 0xcf, 0, 0);                 /* BSWAP */

    /* ---- three-byte maps 0F 38 xx and 0F 3A xx (SDM 2, tables) */
    set_range(2, 0x00, 0xff, M, 0);
    set_range(3, 0x00, 0xff, M, IMM_B);
}

/* x87 escapes D8-DF (SDM 2, tables ): the holes in the opcode map. */
static bool x87_defined(int op, int modrm)
{
    int reg = (modrm >> 3) & 7;
    if (modrm < 0xc0) {
        switch (op) {
        case 0xd9: return reg != 1;
        case 0xdb: return reg != 4 && reg != 6;
        case 0xdd: return reg != 5;
        default: return true;
        }
    }
    switch (op) {
    case 0xd9:
        if (modrm >= 0xd1 && modrm <= 0xd7)
            return false;
        return modrm != 0xe2 && modrm != 0xe3 && modrm != 0xe6 && modrm != 0xe7 && modrm != 0xef;
    case 0xda: return modrm < 0xe0 || modrm == 0xe9;
    case 0xdb: return modrm < 0xe0 || (modrm >= 0xe0 && modrm <= 0xe4) || (modrm >= 0xe8 && modrm < 0xf8);
    case 0xdd: return modrm < 0xf0 || modrm >= 0xc0 ? (modrm < 0xf0) : false;
    case 0xde: return modrm < 0xd0 || modrm == 0xd9 || modrm >= 0xe0;
    case 0xdf: return modrm < 0xd0 || modrm == 0xe0 || (modrm >= 0xe8 && modrm < 0xf8);
    default: return true;
    }
}

typedef struct Fetcher {
    X86FetchFn *fetch;
    void *opaque;
    X86Insn *d;
    bool failed;
} Fetcher;

static int next_byte(Fetcher *f)
{
    X86Insn *d = f->d;
    uint8_t b;

    if (f->failed)
        return -1;
    if (d->len >= 15) {
        /* SDM 2, 2.3.11: more than 15 bytes is #GP; stop fetching at the limit. */
        d->len = 16;
        f->failed = true;
        return -1;
    }
    if (!f->fetch(f->opaque, d->pc + d->len, &b)) {
        d->fault_pc = d->pc + d->len;
        f->failed = true;
        return -1;
    }
    d->bytes[d->len++] = b;
    return b;
}

static uint64_t next_le(Fetcher *f, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        int b = next_byte(f);
        if (b < 0)
            return 0;
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

/* Peek the byte after the current position without consuming it (VEX/EVEX vs. LES/LDS/BOUND
 * disambiguation outside 64-bit mode looks at the would-be ModRM). */
static int peek_byte(Fetcher *f)
{
    int b = next_byte(f);
    if (b >= 0)
        f->d->len--;
    return b;
}

static X86DecodeResult finish_error(Fetcher *f)
{
    if (f->d->len > 15)
        return X86_DEC_GP;
    return X86_DEC_FETCH;
}

static void decode_modrm(Fetcher *f, X86Insn *d)
{
    int m = next_byte(f);
    if (m < 0)
        return;
    d->has_modrm = true;
    d->modrm = m;
    d->mod = m >> 6;
    d->reg = ((m >> 3) & 7) | ((d->rex & 4) << 1);
    d->rm = (m & 7) | ((d->rex & 1) << 3);
    d->base = d->index = -1;
    if (d->mod == 3)
        return;

    if (d->adsize == 2) {
        /* SDM 2, table 2-1: 16-bit addressing forms. */
        static const int8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
        static const int8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, -1, -1, -1, -1 };
        int rm = m & 7;
        d->base = base16[rm];
        d->index = index16[rm];
        if (d->mod == 0 && rm == 6) {
            d->base = -1;
            d->disp_len = 2;
        } else if (d->mod == 1) {
            d->disp_len = 1;
        } else if (d->mod == 2) {
            d->disp_len = 2;
        }
    } else {
        /* SDM 2, tables 2-2 and 2-3: 32/64-bit addressing with SIB. */
        int rm = m & 7;
        if (rm == 4) {
            int s = next_byte(f);
            if (s < 0)
                return;
            d->has_sib = true;
            d->scale = s >> 6;
            int idx = ((s >> 3) & 7) | ((d->rex & 2) << 2);
            d->index = idx == 4 ? -1 : idx;       /* index 100 without REX.X: none */
            int b = s & 7;
            if (b == 5 && d->mod == 0) {
                d->base = -1;
                d->disp_len = 4;
            } else {
                d->base = b | ((d->rex & 1) << 3);
            }
        } else if (rm == 5 && d->mod == 0) {
            d->disp_len = 4;
            if (d->code_bits == 64)
                d->rip_rel = true;
        } else {
            d->base = d->rm;
        }
        if (d->mod == 1)
            d->disp_len = 1;
        else if (d->mod == 2)
            d->disp_len = 4;
    }
    if (d->disp_len) {
        uint64_t v = next_le(f, d->disp_len);
        d->disp = d->disp_len == 1 ? (int8_t)v : d->disp_len == 2 ? (int16_t)v : (int32_t)v;
    }
}

/* Effective operand size for an opcode with these attributes (SDM 2, 2.2.1.2, table 2-4). */
static void set_sizes(X86Insn *d)
{
    bool o16 = d->prefixes & X86_PFX_OPSZ;
    if (d->code_bits == 64) {
        if (d->rex & 8)
            d->opsize = 8;
        else if (d->attr & X86_F_F64)
            d->opsize = 8;
        else if (o16)
            d->opsize = 2;
        else if (d->attr & X86_F_D64)
            d->opsize = 8;
        else
            d->opsize = 4;
    } else {
        d->opsize = ((d->code_bits == 32) ^ o16) ? 4 : 2;
    }
}

/* VEX (C4/C5) and EVEX (62) prefixes: SDM 2, 2.3.5 and 2.6.1. */
static bool decode_vex(Fetcher *f, X86Insn *d, int first)
{
    int p0 = next_byte(f);
    if (p0 < 0)
        return false;
    if (first == 0xc5) {
        d->rex = 0x40 | ((~p0 >> 5) & 4);          /* R */
        d->vex_v = (~p0 >> 3) & 15;
        d->vex_l = (p0 >> 2) & 1;
        d->vex_pp = p0 & 3;
        d->map = X86_MAP_0F;
        d->prefixes |= X86_PFX_VEX;
        return true;
    }
    int p1 = next_byte(f);
    if (p1 < 0)
        return false;
    d->rex = 0x40 | ((~p0 >> 5) & 7) | ((p1 >> 4) & 8);
    if (first == 0xc4) {
        d->map = p0 & 31;
        d->vex_v = (~p1 >> 3) & 15;
        d->vex_l = (p1 >> 2) & 1;
        d->vex_pp = p1 & 3;
        d->prefixes |= X86_PFX_VEX;
        /* Outside 64-bit mode VEX.B and VEX.vvvv[3] are ignored (SDM 2, 2.3.5). */
        if (d->code_bits != 64) {
            d->rex &= 0x48;
            d->vex_v &= 7;
        }
        return true;
    }
    int p2 = next_byte(f);
    if (p2 < 0)
        return false;
    d->map = p0 & 3;
    d->vex_v = ((~p1 >> 3) & 15) | ((~p2 & 8) << 1);
    d->vex_l = (p2 >> 5) & 3;
    d->vex_pp = p1 & 3;
    d->prefixes |= X86_PFX_EVEX;
    return true;
}

X86DecodeResult x86_decode(X86Insn *d, int code_bits, uint64_t pc, X86FetchFn *fetch, void *opaque)
{
    Fetcher f = { fetch, opaque, d, false };
    int b;

    memset(d, 0, offsetof(X86Insn, bytes));
    d->pc = pc;
    d->code_bits = code_bits;
    d->seg = -1;
    d->base = d->index = -1;

    /* Legacy prefixes in any order (SDM 2, 2.1.1); REX only counts when it immediately
     * precedes the opcode (2.2.1). */
    for (;;) {
        b = next_byte(&f);
        if (b < 0)
            return finish_error(&f);
        switch (b) {
        case 0xf0: d->prefixes |= X86_PFX_LOCK; d->rex = 0; continue;
        case 0xf2: d->prefixes |= X86_PFX_REPNE; d->last_rep = b; d->rex = 0; continue;
        case 0xf3: d->prefixes |= X86_PFX_REP; d->last_rep = b; d->rex = 0; continue;
        case 0x66: d->prefixes |= X86_PFX_OPSZ; d->rex = 0; continue;
        case 0x67: d->prefixes |= X86_PFX_ADSZ; d->rex = 0; continue;
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            /* In 64-bit mode ES/CS/SS/DS overrides are ignored (SDM 3A, 3.4.2.1). */
            if (code_bits != 64)
                d->seg = (b >> 3) & 3;
            d->rex = 0;
            continue;
        case 0x64: case 0x65:
            d->seg = b == 0x64 ? R_FS : R_GS;
            d->rex = 0;
            continue;
        default:
            break;
        }
        if (code_bits == 64 && (b & 0xf0) == 0x40) {
            d->rex = b;
            continue;
        }
        break;
    }
    if (d->rex)
        d->prefixes |= X86_PFX_REX;

    if (code_bits == 64)
        d->adsize = (d->prefixes & X86_PFX_ADSZ) ? 4 : 8;
    else
        d->adsize = ((code_bits == 32) ^ !!(d->prefixes & X86_PFX_ADSZ)) ? 4 : 2;

    /* VEX/EVEX: in 64-bit mode always; otherwise only where LES/LDS/BOUND would have a
     * register operand (ModRM.mod == 3), which they cannot. */
    if (b == 0xc4 || b == 0xc5 || b == 0x62) {
        int nb = code_bits == 64 ? 0xc0 : peek_byte(&f);
        if (nb < 0)
            return finish_error(&f);
        if ((nb & 0xc0) == 0xc0) {
            /* VEX after 66/F2/F3/LOCK/REX is #UD (SDM 2, 2.3.2). */
            bool bad = d->prefixes & (X86_PFX_OPSZ | X86_PFX_REP | X86_PFX_REPNE |
                                      X86_PFX_LOCK | X86_PFX_REX);
            if (!decode_vex(&f, d, b))
                return finish_error(&f);
            b = next_byte(&f);
            if (b < 0)
                return finish_error(&f);
            d->op = b;
            int imm = IMM_NONE;
            if (d->map < 1 || d->map > 3) {
                bad = true;               /* reserved map: #UD, length as if map 0F */
                d->map = X86_MAP_0F;
            }
            d->attr = optab[d->map][b].attr;
            imm = optab[d->map][b].imm;
            /* Every VEX opcode has a ModRM except VZEROUPPER/VZEROALL (0F 77). */
            if (!(d->map == X86_MAP_0F && b == 0x77)) {
                d->attr |= X86_F_MODRM;
                decode_modrm(&f, d);
            }
            if (imm == IMM_B) {
                d->imm = next_le(&f, 1);
                d->imm_len = 1;
            }
            if (f.failed)
                return finish_error(&f);
            d->opsize = (d->rex & 8) ? 8 : 4;
            return bad ? X86_DEC_UD : X86_DEC_OK;
        }
    }

    if (b == 0x0f) {
        b = next_byte(&f);
        if (b < 0)
            return finish_error(&f);
        d->map = X86_MAP_0F;
        if (b == 0x38 || b == 0x3a) {
            d->map = b == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A;
            b = next_byte(&f);
            if (b < 0)
                return finish_error(&f);
        }
    }
    d->op = b;
    const OpInfo *oi = &optab[d->map][b];
    d->attr = oi->attr;
    set_sizes(d);

    if (d->attr & X86_F_MODRM) {
        /* MOV to/from control and debug registers ignores ModRM.mod (SDM 2, MOV CR). */
        decode_modrm(&f, d);
        if (d->map == X86_MAP_0F && b >= 0x20 && b <= 0x23 && d->has_modrm && d->mod != 3) {
            d->len -= d->disp_len + d->has_sib;
            d->mod = 3;
            d->has_sib = false;
            d->disp_len = 0;
            d->disp = 0;
            d->rip_rel = false;
            d->base = d->index = -1;
        }
    }
    if (f.failed)
        return finish_error(&f);

    int imm = oi->imm;
    if (imm == IMM_GRP3B || imm == IMM_GRP3Z)
        imm = (d->reg & 7) < 2 ? (imm == IMM_GRP3B ? IMM_B : IMM_Z) : IMM_NONE;
    switch (imm) {
    case IMM_B: d->imm_len = 1; break;
    case IMM_W: d->imm_len = 2; break;
    case IMM_Z: d->imm_len = d->opsize == 2 ? 2 : 4; break;
    case IMM_V: d->imm_len = d->opsize; break;
    case IMM_WB: d->imm_len = 2; d->imm2_len = 1; break;
    case IMM_AP: d->imm_len = d->opsize == 2 ? 2 : 4; d->imm2_len = 2; break;
    case IMM_O: d->imm_len = d->adsize; break;
    default: break;
    }
    if (d->imm_len)
        d->imm = next_le(&f, d->imm_len);
    if (d->imm2_len)
        d->imm2 = next_le(&f, d->imm2_len);
    if (f.failed)
        return finish_error(&f);

    /* Undefined encodings. */
    unsigned a = d->attr;
    if (a & X86_F_UD)
        return X86_DEC_UD;
    if (code_bits == 64 && (a & X86_F_I64))
        return X86_DEC_UD;
    if (code_bits != 64 && (a & X86_F_O64))
        return X86_DEC_UD;
    if ((a & X86_F_MEM) && d->mod == 3)
        return X86_DEC_UD;
    if (a & X86_F_GRP) {
        bool ok = (oi->grp_valid >> (d->reg & 7)) & 1;
        /* XABORT (C6 F8 ib) and XBEGIN (C7 F8 cd). */
        if (d->map == 0 && (b == 0xc6 || b == 0xc7) && d->modrm == 0xf8)
            ok = true;
        /* FF /3 and /5 (far CALL/JMP) need a memory operand. */
        if (d->map == 0 && b == 0xff && d->mod == 3 && ((d->reg & 7) == 3 || (d->reg & 7) == 5))
            ok = false;
        if (!ok)
            return X86_DEC_UD;
    }
    if (d->map == 0 && b >= 0xd8 && b <= 0xdf && !x87_defined(b, d->modrm))
        return X86_DEC_UD;
    if (d->map == 0 && b == 0xff && code_bits == 64) {
        /* CALL/JMP/PUSH Ev are 64-bit by default in 64-bit mode. */
        int r = d->reg & 7;
        if (r == 2 || r == 4)
            d->opsize = 8;
        else if (r == 6 && !(d->prefixes & X86_PFX_OPSZ))
            d->opsize = 8;
    }
    /* LOCK: only on the listed read-modify-write instructions with a memory destination
     * (SDM 2, LOCK). */
    if (d->prefixes & X86_PFX_LOCK) {
        int r = d->reg & 7;
        bool ok = (a & X86_F_LOCK) && d->mod != 3;
        if (d->map == 0 && b >= 0x80 && b <= 0x83 && r == 7)
            ok = false;                          /* CMP */
        if (d->map == 0 && (b == 0xf6 || b == 0xf7) && r != 2 && r != 3)
            ok = false;                          /* only NOT and NEG */
        if (d->map == 0 && (b == 0xfe || b == 0xff) && r > 1)
            ok = false;                          /* only INC and DEC */
        if (d->map == X86_MAP_0F && b == 0xc7 && r != 1)
            ok = false;                          /* only CMPXCHG8B/16B */
        if (!ok)
            return X86_DEC_UD;
    }
    return X86_DEC_OK;
}

typedef struct BufFetch {
    const uint8_t *buf;
    size_t len;
    uint64_t pc;
} BufFetch;

static bool buf_fetch(void *opaque, uint64_t pc, uint8_t *byte)
{
    BufFetch *bf = opaque;
    uint64_t off = pc - bf->pc;
    if (off >= bf->len)
        return false;
    *byte = bf->buf[off];
    return true;
}

X86DecodeResult x86_decode_buf(X86Insn *d, int code_bits, uint64_t pc, const uint8_t *buf, size_t len)
{
    BufFetch bf = { buf, len, pc };
    return x86_decode(d, code_bits, pc, buf_fetch, &bf);
}
