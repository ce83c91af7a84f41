/* gen-int.c: integer instruction classes — ALU, shifts, multiply and divide, bit
 * instructions, moves, conditional moves, flags, strings, branches, the stack and BCD. The
 * flag effects are those of SDM 2's "Flags Affected" for each instruction. */
#include "tests/difftest/gen.h"

static void alu_effects(Gen *g, int alu)
{
    g->def = F_ALL;
    if (alu == 1 || alu == 4 || alu == 6)      /* OR AND XOR */
        g->und = F_A;
    if (alu == 2 || alu == 3)                  /* ADC SBB */
        g->use = F_C;
}

/* LOCK, sometimes, for a read-modify-write of memory (SDM 2, LOCK: the instructions it
 * allows; CMP and TEST are not among them). */
static uint8_t g_lock(Gen *g, Opnd o)
{
    return o.mem && g_chance(g, 25) ? 0xf0 : 0;
}

static bool gen_alu(Gen *g)                     /* ALU r/m, r and r, r/m; TEST r/m, r */
{
    int alu = (int)g_pick(g, 8), form = (int)g_pick(g, 4);
    int size = (form & 1) ? g_size(g, true) : 1;
    Opnd o = g_rm(g, (unsigned)size, 1, 25);
    if (g_chance(g, 10)) {
        g_op(g, size, 0, 0, (uint8_t)(0x84 + (form & 1)), g_gpr(g), o);
        alu_effects(g, 4);
        return true;
    }
    g_op(g, size, form < 2 && alu != 7 ? g_lock(g, o) : 0, 0, (uint8_t)(alu * 8 + form), g_gpr(g), o);
    alu_effects(g, alu);
    return true;
}

static bool gen_alu_imm(Gen *g)                 /* 80/81/83 /n imm, and AL/eAX, imm */
{
    int alu = (int)g_pick(g, 8), which = (int)g_pick(g, 4);
    int size = which == 0 ? 1 : g_size(g, true);
    if (which == 3) {
        g_osize(g, size);
        g8(g, (uint8_t)(alu * 8 + 5));
        gimm(g, g_value(g), size == 2 ? 2 : 4);
    } else {
        uint8_t op = which == 0 ? 0x80 : which == 1 ? 0x81 : 0x83;
        Opnd o = g_rm(g, (unsigned)size, 1, 25);
        g_opi(g, size, alu != 7 ? g_lock(g, o) : 0, 0, op, alu, o, op == 0x81 ? (size == 2 ? 2 : 4) : 1,
              g_value(g));
    }
    alu_effects(g, alu);
    return true;
}

static bool gen_grp3(Gen *g)                    /* F6/F7: TEST NOT NEG MUL IMUL */
{
    static const int ops[] = { 0, 2, 3, 4, 5 };
    int n = ops[g_pick(g, 5)];
    bool byte = g_chance(g, 33);
    int size = byte ? 1 : g_size(g, true);
    int imm_len = n == 0 ? (byte ? 1 : size == 2 ? 2 : 4) : 0;
    Opnd o = g_rm(g, (unsigned)size, 1, 25);
    g_opi(g, size, n == 2 || n == 3 ? g_lock(g, o) : 0, 0, byte ? 0xf6 : 0xf7, n, o, imm_len, g_value(g));
    if (n == 0) {
        g->def = F_ALL;
        g->und = F_A;
    } else if (n == 3) {
        g->def = F_ALL;
    } else if (n >= 4) {
        g->def = F_C | F_O;
        g->und = F_S | F_Z | F_A | F_P;
    }
    return true;
}

static bool gen_incdec(Gen *g)
{
    bool byte = g_chance(g, 33);
    int size = byte ? 1 : g_size(g, true);
    if (!g_is64(g) && !byte && g_chance(g, 50)) {   /* the one-byte forms 40+r, 48+r */
        g_osize(g, size);
        g8(g, (uint8_t)(0x40 + 8 * g_pick(g, 2) + g_gpr(g)));
    } else {
        Opnd o = g_rm(g, (unsigned)size, 1, 25);
        g_op(g, size, g_lock(g, o), 0, byte ? 0xfe : 0xff, (int)g_pick(g, 2), o);
    }
    g->def = F_O | F_S | F_Z | F_A | F_P;
    return true;
}

/* Flags after a shift or rotate by a masked count c of a width-bit operand. */
static void shift_effects(Gen *g, int n, int c, int width)
{
    if (c == 0)
        return;
    if (n <= 3) {                               /* ROL ROR RCL RCR */
        g->def = F_C | F_O;
        if (n >= 2)
            g->use = F_C;
        if (c != 1)
            g->und = F_O;
    } else {                                    /* SHL SHR SAL SAR */
        g->def = F_C | F_S | F_Z | F_P | F_O;
        g->und = F_A | (c != 1 ? F_O : 0) | (c >= width ? F_C : 0);
    }
}

static bool gen_shift(Gen *g)                   /* by an immediate, by 1, by CL */
{
    int n = (int)g_pick(g, 8);
    bool byte = g_chance(g, 33);
    int size = byte ? 1 : g_size(g, true);
    int form = (int)g_pick(g, 3);
    int count = form == 1 ? 1 : (int)g_pick(g, 70);
    g->avoid = 1u << R_ECX;
    Opnd o = g_rm(g, (unsigned)size, 1, 25);
    if (form == 2 && !o.mem && o.reg == R_ECX)
        return false;
    if (form == 2)
        g_mov_imm32(g, R_ECX, (uint32_t)count | (uint32_t)(g_rand(g) & 0xffffff00u));
    static const uint8_t ops[3][2] = { { 0xc0, 0xc1 }, { 0xd0, 0xd1 }, { 0xd2, 0xd3 } };
    g_opi(g, size, 0, 0, ops[form][!byte], n, o, form == 0, (uint64_t)count);
    shift_effects(g, n, count & (size == 8 ? 63 : 31), size * 8);
    return true;
}

static bool gen_imul(Gen *g)                    /* IMUL r, r/m [, imm] */
{
    int form = (int)g_pick(g, 3), size = g_size(g, true);
    Opnd o = g_rm(g, (unsigned)size, 1, 25);
    if (form == 0) {
        g_op(g, size, 0, 1, 0xaf, g_gpr(g), o);
    } else {
        g_opi(g, size, 0, 0, form == 1 ? 0x6b : 0x69, g_gpr(g), o,
              form == 1 ? 1 : size == 2 ? 2 : 4, g_value(g));
    }
    g->def = F_C | F_O;
    g->und = F_S | F_Z | F_A | F_P;
    return true;
}

static bool gen_bt(Gen *g)                      /* BT/BTS/BTR/BTC by a register or an imm */
{
    static const uint8_t ops[] = { 0xa3, 0xab, 0xb3, 0xbb };
    int size = g_size(g, true);
    unsigned w = g_pick(g, 3);
    if (w == 0) {
        g_op(g, size, 0, 1, ops[g_pick(g, 4)], g_gpr(g), g_r(g_gpr(g)));
    } else if (w == 1) {
        /* a bit string in memory: the signed offset in a register reaches below and above the
         * operand (SDM 2, BT: bit base and bit offset) */
        int reg = g_gpr(g);
        g->avoid = 1u << reg;
        Opnd m = g_mem_at(g, Z_MEM + 64 + g_pick(g, Z_MEM_SIZE - 256));
        g_mov_imm32(g, reg, (uint32_t)((int)g_pick(g, 1280) - 256));
        if (size == 8)                          /* the 64-bit offset is the sign-extended value */
            gbytes(g, (const uint8_t *)(reg & 8 ? "\x4d\x63" : "\x48\x63"), 2),
                g8(g, (uint8_t)(0xc0 | (reg & 7) << 3 | (reg & 7)));
        uint8_t op = ops[g_pick(g, 4)];
        g_op(g, size, op != 0xa3 ? g_lock(g, m) : 0, 1, op, reg, m);
    } else {
        int n = 4 + (int)g_pick(g, 4);
        Opnd o = g_rm(g, (unsigned)size, 1, 25);
        g_opi(g, size, n > 4 ? g_lock(g, o) : 0, 1, 0xba, n, o, 1, g_rand(g));
    }
    g->def = F_C;
    g->und = F_O | F_S | F_Z | F_A | F_P;
    return true;
}

static bool gen_bsf(Gen *g)                     /* BSF/BSR */
{
    int size = g_size(g, true);
    g_op(g, size, 0, 1, g_chance(g, 50) ? 0xbc : 0xbd, g_gpr(g), g_rm(g, (unsigned)size, 1, 25));
    g->def = F_Z;
    g->und = F_C | F_O | F_S | F_A | F_P;
    return true;
}

static bool gen_shld(Gen *g)                    /* SHLD/SHRD by an immediate or CL */
{
    int size = g_size(g, false);
    bool cl = g_chance(g, 40);
    int count = (int)g_pick(g, 64), c = count & (size == 8 ? 63 : 31);
    g->avoid = 1u << R_ECX;
    Opnd o = g_rm(g, (unsigned)size, 1, 25);
    int reg = g_gpr(g);
    if (cl && ((!o.mem && o.reg == R_ECX) || reg == R_ECX))
        return false;
    if (cl)
        g_mov_imm32(g, R_ECX, (uint32_t)count);
    g_opi(g, size, 0, 1, (uint8_t)((g_chance(g, 50) ? 0xa4 : 0xac) + cl), reg, o, !cl,
          (uint64_t)count);
    if (c == 0)
        return true;
    g->def = F_C | F_S | F_Z | F_P | F_O;
    g->und = F_A | (c != 1 ? F_O : 0);
    return true;
}

static bool gen_xadd(Gen *g)                    /* CMPXCHG, XADD, CMPXCHG8B/16B */
{
    if (g_chance(g, 20)) {
        bool wide = g_is64(g) && g_chance(g, 50);
        Opnd m = g_mem(g, wide ? 16 : 8, wide ? 16 : 1);
        g_op(g, wide ? 8 : 0, g_lock(g, m), 1, 0xc7, 1, m);
        g->def = F_Z;
        return true;
    }
    bool byte = g_chance(g, 33);
    int size = byte ? 1 : g_size(g, true);
    Opnd o = g_rm(g, (unsigned)size, 1, 25);
    g_op(g, size, g_lock(g, o), 1, (uint8_t)((g_chance(g, 50) ? 0xc0 : 0xb0) + !byte), g_gpr(g), o);
    g->def = F_ALL;
    return true;
}

static bool gen_mov(Gen *g)     /* MOV, XCHG, MOVZX/SX, MOVSXD, MOVNTI, LEA, moffs, XLAT */
{
    bool byte = g_chance(g, 33);
    switch (g_pick(g, 9)) {
    case 0: {
        int size = byte ? 1 : g_size(g, true);
        g_op(g, size, 0, 0, (uint8_t)(0x88 + g_pick(g, 2) * 2 + !byte), g_gpr(g),
             g_rm(g, (unsigned)size, 1, 40));
        return true;
    }
    case 1: {
        int size = byte ? 1 : g_size(g, true);
        g_op(g, size, 0, 0, (uint8_t)(0x86 + !byte), g_gpr(g), g_rm(g, (unsigned)size, 1, 25));
        return true;
    }
    case 2: {
        static const uint8_t ops[] = { 0xb6, 0xb7, 0xbe, 0xbf };
        uint8_t op = ops[g_pick(g, 4)];
        g_op(g, g_size(g, true), 0, 1, op, g_gpr(g), g_rm(g, op & 1 ? 2 : 1, 1, 25));
        return true;
    }
    case 3:
        if (g_is16(g))                          /* MOVNTI has no 16-bit form */
            return false;
        if (!g_is64(g) || g_chance(g, 30)) {    /* MOVNTI m, r */
            int size = g_is64(g) && g_chance(g, 50) ? 8 : 4;
            g_op(g, size, 0, 1, 0xc3, g_gpr(g), g_mem(g, (unsigned)size, 1));
            return true;
        }
        g_op(g, 8, 0, 0, 0x63, g_gpr(g), g_rm(g, 4, 1, 25));
        return true;
    case 4: case 5:                             /* LEA: every addressing form */
        g_op(g, g_size(g, true), 0, 0, 0x8d, g_gpr(g), g_mem(g, 1, 1));
        return true;
    case 6: {                                   /* MOV r, imm; MOV r/m, imm */
        int size = byte ? 1 : g_size(g, true);
        int reg = g_gpr(g);
        if (g_chance(g, 50)) {
            g_mov_mem_imm(g, g_rm(g, (unsigned)size, 1, 50), size, (uint32_t)g_value(g));
            return true;
        }
        if (size == 2 || size == 4)
            g_osize(g, size);
        if (g_is64(g))
            g8(g, 0x40 | (size == 8 ? 8 : 0) | (reg >> 3));
        g8(g, (uint8_t)((byte ? 0xb0 : 0xb8) + (reg & 7)));
        gimm(g, g_value(g), size);
        return true;
    }
    case 7:                                     /* MOV AL/eAX <-> moffs */
        if (g_chance(g, 50)) {
            int size = byte ? 1 : g_size(g, true);
            uint32_t addr = g_base(g) + Z_MEM + g_pick(g, Z_MEM_SIZE - 8);
            if (!byte)
                g_osize(g, size);
            g8(g, (uint8_t)(0xa0 + 2 * g_pick(g, 2) + !byte));
            gimm(g, addr, g_is64(g) ? 8 : g_is16(g) ? 2 : 4);
            return true;
        }
        /* fall through */
    default:                                    /* XLAT: AL = [rBX + AL] */
        g_mov_imm32(g, R_EBX, g_base(g) + Z_MEM + g_pick(g, Z_MEM_SIZE - 256));
        g8(g, 0xd7);
        return true;
    }
}

static bool gen_cmov(Gen *g)                    /* CMOVcc, SETcc */
{
    int cc = (int)g_pick(g, 16);
    g->use = diff_cond_use[cc >> 1];
    if (g_chance(g, 50)) {
        int size = g_size(g, true);
        g_op(g, size, 0, 1, (uint8_t)(0x40 + cc), g_gpr(g), g_rm(g, (unsigned)size, 1, 25));
    } else {
        g_op(g, 1, 0, 1, (uint8_t)(0x90 + cc), 0, g_rm(g, 1, 1, 25));
    }
    return true;
}

static bool gen_adc(Gen *g)                     /* ADC/SBB, heavier weight */
{
    int alu = 2 + (int)g_pick(g, 2), size = g_size(g, true);
    g_op(g, size, 0, 0, (uint8_t)(alu * 8 + 1 + 2 * g_pick(g, 2)), g_gpr(g),
         g_rm(g, (unsigned)size, 1, 25));
    alu_effects(g, alu);
    return true;
}

static bool gen_bswap(Gen *g)                   /* BSWAP, CBW/CWDE/CDQE, CWD/CDQ/CQO */
{
    int reg = g_gpr(g);
    if (g_chance(g, 33)) {                      /* BSWAP r16 is undefined: 32 or 64 bits */
        if (g_is16(g))
            g8(g, 0x66);
        if (g_is64(g))
            g8(g, 0x40 | (g_chance(g, 50) ? 8 : 0) | (reg >> 3));
        g8(g, 0x0f);
        g8(g, (uint8_t)(0xc8 + (reg & 7)));
        return true;
    }
    g_osize(g, g_size(g, true));
    g8(g, g_chance(g, 50) ? 0x98 : 0x99);
    return true;
}

static bool gen_flagop(Gen *g)                  /* CMC CLC STC SAHF LAHF STD CLD */
{
    bool lahf = !g_is64(g) || g->h->lahf;
    switch (g_pick(g, 7)) {
    case 0: g8(g, 0xf5); g->use = F_C; g->def = F_C; return true;
    case 1: g8(g, 0xf8); g->def = F_C; return true;
    case 2: g8(g, 0xf9); g->def = F_C; return true;
    case 3: if (!lahf) return false; g8(g, 0x9e); g->def = F_S | F_Z | F_A | F_P | F_C; return true;
    case 4: if (!lahf) return false; g8(g, 0x9f); g->use = F_S | F_Z | F_A | F_P | F_C; return true;
    case 5: g8(g, 0xfd); return true;
    default: g8(g, 0xfc); return true;
    }
}

static bool gen_cnt(Gen *g)                     /* POPCNT, TZCNT, LZCNT */
{
    int w = (int)g_pick(g, 3);
    if ((w == 0 && !g->h->popcnt) || (w == 1 && !g->h->bmi1) || (w == 2 && !g->h->lzcnt))
        return false;
    int size = g_size(g, true);
    g_op(g, size, 0xf3, 1, w == 0 ? 0xb8 : w == 1 ? 0xbc : 0xbd, g_gpr(g),
         g_rm(g, (unsigned)size, 1, 25));
    if (w == 0) {
        g->def = F_ALL;
    } else {
        g->def = F_C | F_Z;
        g->und = F_O | F_S | F_A | F_P;
    }
    return true;
}

static bool gen_movbe(Gen *g)
{
    if (!g->h->movbe)
        return false;
    int size = g_size(g, true);
    g_op(g, size, 0, 2, g_chance(g, 50) ? 0xf0 : 0xf1, g_gpr(g), g_mem(g, (unsigned)size, 1));
    return true;
}

static bool gen_adx(Gen *g)                     /* ADCX / ADOX */
{
    if (!g->h->adx)
        return false;
    bool o = g_chance(g, 50);
    int size = g_is64(g) && g_chance(g, 50) ? 8 : 4;
    g_op(g, size, o ? 0xf3 : 0x66, 2, 0xf6, g_gpr(g), g_rm(g, (unsigned)size, 1, 25));
    g->use = g->def = o ? F_O : F_C;
    return true;
}

/* MOVS CMPS STOS LODS SCAS over the string zone, both directions, with and without REP; with
 * an address-size prefix they use ESI/EDI/ECX in long and 16-bit mode, SI/DI/CX (in D_LOW)
 * in 32-bit mode; the upper halves of SI/DI/CX are random where only 16 bits count. */
static bool gen_string(Gen *g)
{
    static const uint8_t ops[5] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
    int w = (int)g_pick(g, 5), size = 1 << g_pick(g, g_is64(g) ? 4 : 3);
    unsigned count = g_pick(g, 4) == 0 ? g_pick(g, 40) : g_pick(g, 9);
    bool down = g_chance(g, 40);
    bool a67 = g_is64(g) ? g_chance(g, 20) : g_is16(g) ? g_chance(g, 25) : g_low(g) && g_chance(g, 25);
    bool a16 = g_is16(g) != a67 && !g_is64(g), low = a16 && !g_is16(g);
    uint32_t zone = low ? D_LOW : g_base(g) + Z_STR, half = (low ? D_LOW_SIZE : Z_STR_SIZE) / 2;
    uint32_t upper = a16 ? (uint32_t)g_rand(g) & 0xffff0000u : 0;
    uint32_t span = count * (unsigned)size + 8;
    uint32_t lo = zone + (down ? span : 0), room = half - span - 8;   /* the first element fits too */
    uint32_t src = lo + g_pick(g, room), dst = lo + half + g_pick(g, room);
    if (g_chance(g, 50)) {
        uint32_t t = src;
        src = dst;
        dst = t;
    }
    g_mov_imm32(g, R_ESI, src | upper);
    g_mov_imm32(g, R_EDI, dst | (upper ^ (a16 ? 0x10000u : 0)));
    g_mov_imm32(g, R_ECX, count | (a16 ? (uint32_t)g_rand(g) << 16 : 0));
    g8(g, down ? 0xfd : 0xfc);
    int rep = (int)g_pick(g, 3);                /* none, F3, F2 */
    if (a67)
        g8(g, 0x67);
    if (w == 1 || w == 4) {
        if (rep)
            g8(g, rep == 1 ? 0xf3 : 0xf2);
        g->def = rep && count == 0 ? 0 : F_ALL;  /* a zero count writes no flags */
    } else if (rep) {
        g8(g, 0xf3);
    }
    if (size > 1)
        g_osize(g, size);
    g8(g, (uint8_t)(ops[w] + (size > 1)));
    return true;
}

static bool gen_div(Gen *g)                     /* DIV/IDIV with a divisor that cannot fault */
{
    int size = 1 << g_pick(g, g_is64(g) ? 4 : 3);
    bool sign = g_chance(g, 50);
    uint32_t dv = 1 + g_pick(g, size == 1 ? 127 : 1000);
    if (g_chance(g, 20) && size >= 4)
        dv = (uint32_t)g_rand(g) | 0x100;
    if (sign && size >= 4 && dv >= 0x80000000u)
        dv >>= 1;
    g_mov_imm32(g, R_ECX, dv);
    if (size == 1 && sign) {
        g_osize(g, 2);
        g8(g, 0x98);                            /* cbw */
    } else if (size == 1) {
        gbytes(g, (const uint8_t *)"\x30\xe4", 2);                                  /* xor %ah,%ah */
    } else if (sign) {
        g_osize(g, size);
        g8(g, 0x99);                            /* cwd/cdq/cqo */
    } else {
        g_osize(g, size);
        gbytes(g, (const uint8_t *)"\x31\xd2", 2);                                  /* xor %edx,%edx */
    }
    g_op(g, size, 0, 0, size == 1 ? 0xf6 : 0xf7, sign ? 7 : 6, g_r(R_ECX));
    g->und = F_ALL;
    return true;
}

/* A short forward branch over the next instruction: Jcc, JMP, LOOP/LOOPE/LOOPNE, JrCXZ. Either
 * path may run, so what the shadowed instruction leaves undefined stays undefined. */
static bool gen_branch(Gen *g)
{
    if (g->depth)
        return false;
    uint32_t use = 0;
    unsigned kind = g_pick(g, 6);
    uint8_t op;
    bool rel32 = false;
    if (kind < 2) {
        unsigned cc = g_pick(g, 16);
        op = (uint8_t)(0x70 + cc);
        use = diff_cond_use[cc >> 1];
        rel32 = g_chance(g, 30);                /* 0F 80+cc rel32 */
    } else if (kind == 2) {
        op = 0xeb;
    } else {
        op = (uint8_t)(0xe0 + g_pick(g, 4));   /* LOOPNE LOOPE LOOP JrCXZ */
        if (op <= 0xe1)
            use = F_Z;
        if (g_chance(g, 50))
            g_mov_imm32(g, R_ECX, g_pick(g, 3) | (uint32_t)g_rand(g) << 16);
        if (g_chance(g, 25))
            g8(g, 0x67);                        /* ECX in long mode, CX in 32-bit mode */
    }
    if (use & g->undef)
        return false;
    if (rel32) {
        g8(g, 0x0f);
        op += 0x10;
    }
    g8(g, op);
    unsigned pos = g->n, rel = rel32 ? (g_is16(g) ? 2 : 4) : 1;
    gimm(g, 0, (int)rel);
    uint32_t undef = g->undef;
    uint16_t undef_fsw = g->undef_fsw;
    g->depth++;
    bool ok = g_insn(g);
    g->depth--;
    uint32_t dist = g->n - pos - rel;
    if (!ok || dist > 127)
        return false;
    memcpy(&g->code[pos], &dist, rel);        /* little-endian: rel8 or rel32 */
    g->undef |= undef;
    g->undef_fsw |= undef_fsw;
    return true;
}

/* CALL rel32 over the next instruction (its return address stays on the stack), PUSH and RET
 * (imm16) to the next instruction, JMP through a register. */
static bool gen_call_ret(Gen *g)
{
    if (g->depth)
        return false;
    switch (g_pick(g, 3)) {
    case 0: {
        unsigned rel = g_is16(g) ? 2 : 4;
        g8(g, 0xe8);
        unsigned pos = g->n;
        gimm(g, 0, (int)rel);
        g->depth++;
        uint32_t undef = g->undef;
        uint16_t undef_fsw = g->undef_fsw;
        bool ok = g_chance(g, 50) ? g_insn(g) : true;
        g->depth--;
        uint32_t dist = g->n - pos - rel;
        memcpy(&g->code[pos], &dist, rel);
        g->undef |= undef;
        g->undef_fsw |= undef_fsw;
        return ok;
    }
    case 1: {
        bool imm = g_chance(g, 30);
        int len = g_is16(g) ? 2 : 4;
        g8(g, 0x68);                            /* push $next; ret [$8] */
        gimm(g, g_code_base(g) + g->n + (unsigned)len + (imm ? 3 : 1), len);
        g8(g, imm ? 0xc2 : 0xc3);
        if (imm)
            gimm(g, 8, 2);
        return true;
    }
    default: {                                  /* mov $next, reg; jmp *reg */
        int reg = g_gpr(g);
        g_mov_imm32(g, reg, 0);
        unsigned pos = g->n - 4;
        g_op(g, 0, 0, 0, 0xff, 4, g_r(reg));
        uint32_t next = g_code_base(g) + g->n;
        memcpy(&g->code[pos], &next, 4);
        return true;
    }
    }
}

/* ENTER with nesting levels 0-3 (the frame pointer first points into the stack zone, so the
 * levels copy from there), and LEAVE after it. */
static bool gen_enter_leave(Gen *g)
{
    unsigned level = g_pick(g, 4);
    if (level > 1)
        g_mov_imm32(g, R_EBP, g_base(g) + (D_STACK - D_DATA) + 8 * g_pick(g, 16));
    g8(g, 0xc8);
    gimm(g, 8 * g_pick(g, 8), 2);
    g8(g, (uint8_t)level);
    if (g_chance(g, 60))
        g8(g, 0xc9);
    return true;
}

static bool gen_nop_xchg(Gen *g)                /* NOP forms, PAUSE, XCHG eAX, r */
{
    switch (g_pick(g, 4)) {
    case 0: gbytes(g, (const uint8_t *)"\x0f\x1f\x40\x00", 4); return true;   /* 4 bytes in every mode */
    case 1: gbytes(g, (const uint8_t *)"\xf3\x90", 2); return true;
    default: {
        int reg = g_gpr(g), size = g_size(g, true);
        if (size != 8)
            g_osize(g, size);
        if (g_is64(g) && (size == 8 || reg & 8))
            g8(g, 0x40 | (size == 8 ? 8 : 0) | (reg & 8 ? 1 : 0));
        g8(g, (uint8_t)(0x90 + (reg & 7)));
        return true;
    }
    }
}

static bool gen_stack(Gen *g)                   /* PUSH/POP of registers, immediates, memory */
{
    int reg = g_gpr(g);
    bool other = g_chance(g, 15);               /* the operand size that is not the default */
    int size = g_is64(g) ? (other ? 2 : 8) : g_is16(g) != other ? 2 : 4;
    unsigned w = g_pick(g, 6);
    switch (w) {
    case 0: case 1: case 2:                     /* PUSH r twice as often as POP r */
        if (other)
            g8(g, 0x66);
        if (reg & 8)
            g8(g, 0x41);
        g8(g, (uint8_t)((w == 2 ? 0x58 : 0x50) + (reg & 7)));
        return true;
    case 3: {
        bool b = g_chance(g, 50);
        if (other)
            g8(g, 0x66);
        g8(g, b ? 0x6a : 0x68);
        gimm(g, g_value(g), b ? 1 : size == 2 ? 2 : 4);
        return true;
    }
    default: {
        bool push = g_chance(g, 50);
        Opnd m = g_mem(g, (unsigned)size, 1);
        g_op(g, size == 8 ? 0 : size, 0, 0, push ? 0xff : 0x8f, push ? 6 : 0, m);
        return true;
    }
    }
}

static bool gen_bcd(Gen *g)                     /* not in 64-bit mode: DAA DAS AAA AAS AAM AAD */
{
    switch (g_pick(g, 6)) {
    case 0: case 1:                             /* DAA, DAS */
        g8(g, g_chance(g, 50) ? 0x27 : 0x2f);
        g->use = F_C | F_A;
        g->def = F_C | F_A | F_S | F_Z | F_P;
        g->und = F_O;
        return true;
    case 2: case 3:                             /* AAA, AAS */
        g8(g, g_chance(g, 50) ? 0x37 : 0x3f);
        g->use = F_A;
        g->def = F_C | F_A;
        g->und = F_O | F_S | F_Z | F_P;
        return true;
    default:                                    /* AAM, AAD with any base but 0 */
        g8(g, g_chance(g, 50) ? 0xd4 : 0xd5);
        g8(g, g_chance(g, 50) ? 10 : (uint8_t)(1 + g_pick(g, 255)));
        g->def = F_S | F_Z | F_P;
        g->und = F_O | F_A | F_C;
        return true;
    }
}

static bool gen_pusha(Gen *g)                   /* not in 64-bit mode: PUSHA/POPA, 16 and 32 bit */
{
    if (g_chance(g, 25))
        g8(g, 0x66);
    g8(g, g_chance(g, 50) ? 0x60 : 0x61);
    return true;
}

static const DiffClass int_classes[] = {
    { "alu", 6, MALL, DIFF_MIX_INT, gen_alu },
    { "alu-imm", 3, MALL, DIFF_MIX_INT, gen_alu_imm },
    { "grp3", 2, MALL, DIFF_MIX_INT, gen_grp3 },
    { "inc-dec", 2, MALL, DIFF_MIX_INT, gen_incdec },
    { "shift", 3, MALL, DIFF_MIX_INT, gen_shift },
    { "imul", 1, MALL, DIFF_MIX_INT, gen_imul },
    { "bt", 1, MALL, DIFF_MIX_INT, gen_bt },
    { "bsf-bsr", 1, MALL, DIFF_MIX_INT, gen_bsf },
    { "shld-shrd", 1, MALL, DIFF_MIX_INT, gen_shld },
    { "cmpxchg-xadd", 1, MALL, DIFF_MIX_INT, gen_xadd },
    { "mov", 3, MALL, DIFF_MIX_INT, gen_mov },
    { "cmov-setcc", 2, MALL, DIFF_MIX_INT, gen_cmov },
    { "adc-sbb", 1, MALL, DIFF_MIX_INT, gen_adc },
    { "bswap-cbw", 1, MALL, DIFF_MIX_INT, gen_bswap },
    { "flag-ops", 1, MALL, DIFF_MIX_INT, gen_flagop },
    { "popcnt-lzcnt-tzcnt", 1, MALL, DIFF_MIX_INT, gen_cnt },
    { "movbe", 1, MALL, DIFF_MIX_INT, gen_movbe },
    { "adcx-adox", 1, MBOTH, DIFF_MIX_INT, gen_adx },
    { "string", 2, MALL, DIFF_MIX_INT, gen_string },
    { "div", 1, MALL, DIFF_MIX_INT, gen_div },
    { "branch", 2, MALL, DIFF_MIX_INT, gen_branch },
    { "push-pop", 2, MALL, DIFF_MIX_INT, gen_stack },
    { "call-ret-jmp", 1, MALL, DIFF_MIX_INT, gen_call_ret },
    { "enter-leave", 1, MALL, DIFF_MIX_INT, gen_enter_leave },
    { "nop-xchg", 1, MALL, DIFF_MIX_INT, gen_nop_xchg },
    { "bcd", 2, M32 | M16, DIFF_MIX_INT, gen_bcd },
    { "pusha-popa", 1, M32 | M16, DIFF_MIX_INT, gen_pusha },
};

const DiffClassTable diff_int_table = { int_classes, ARRAY_SIZE(int_classes) };
