/* stage2.c: BIOS service conformance tests, run from a floppy or hard disk under any PC BIOS
 * (ours and SeaBIOS as the reference). Prints "T: ok|FAIL name" lines on COM1 and leaves
 * through isa-debug-exit (0 = all passed). */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

struct regs {
    u32 eax, ebx, ecx, edx, esi, edi, ebp;
    u16 ds, es, flags;
} __attribute__((packed));
void bioscall(u32 vec, struct regs *r);
u32 pm_switch(void *gdt);
void mouse_handler(void);
void vbe_window_call(u32 far_fn, u32 bx, u32 dx);
u32 pm32_call(u32 fn, u32 ebx, u32 ecx, u32 edx, u32 edi);
extern volatile u16 mouse_calls, mouse_packet[3];

#define CF 0x0001
#define ZF 0x0040

static inline void outb(u8 v, u16 p) { __asm__ volatile("outb %0, %w1" :: "a"(v), "Nd"(p)); }
static inline u8 inb(u16 p) { u8 v; __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void outw(u16 v, u16 p) { __asm__ volatile("outw %0, %w1" :: "a"(v), "Nd"(p)); }
static inline u16 inw(u16 p) { u16 v; __asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(p)); return v; }

static void putc_(char c)
{
    for (int i = 0; i < 100000 && !(inb(0x3fd) & 0x20); i++)
        ;
    outb(c, 0x3f8);
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(u32 v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        putc_("0123456789abcdef"[(v >> (i * 4)) & 15]);
}

static int passed, failed;
static void check(int ok, const char *name, u32 detail)
{
    puts_(ok ? "T: ok " : "T: FAIL ");
    puts_(name);
    if (!ok) {
        puts_(" (");
        puthex(detail, 8);
        putc_(')');
    }
    puts_("\r\n");
    if (ok) passed++; else failed++;
}

static void *memset_(void *d, int c, u32 n) { u8 *p = d; while (n--) *p++ = c; return d; }
static int memcmp_(const void *a, const void *b, u32 n)
{
    const u8 *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return 1;
    return 0;
}

static struct regs R;
static void call(u32 vec) { bioscall(vec, &R); }
static void clr(void) { memset_(&R, 0, sizeof(R)); }

static volatile u8 *const bda = (volatile u8 *)0x400;
static u16 bda16(u16 off) { return *(volatile u16 *)(0x400 + off); }
static u32 bda32(u16 off) { return *(volatile u32 *)(0x400 + off); }

static u32 ram_mib;     /* the -m size the runner used, from the test image's last bytes */

static void test_memory(void)
{
    clr(); call(0x12);
    check((R.eax & 0xffff) == bda16(0x13) && (R.eax & 0xffff) >= 512 && (R.eax & 0xffff) <= 640,
          "int12 base memory", R.eax);
    clr(); call(0x11);
    check((R.eax & 0xffff) == bda16(0x10), "int11 equipment = BDA 410h", R.eax);

    /* E820: walk the map; RAM must add up to the configured size (minus < 1 MiB of holes). */
    static struct { u64 addr, len; u32 type; } __attribute__((packed)) e;
    u64 ram = 0, prev_end = 0;
    int n = 0, ok = 1, sorted = 1, first_ok = 0;
    u32 cont = 0;
    do {
        clr();
        R.eax = 0xe820; R.edx = 0x534d4150; R.ecx = 20; R.ebx = cont;
        R.edi = (u32)&e;
        call(0x15);
        if ((R.flags & CF) || R.eax != 0x534d4150 || R.ecx < 20) { ok = 0; break; }
        if (n == 0)
            first_ok = e.addr == 0 && e.type == 1;
        if (e.type == 1 && e.addr + e.len <= 0x100000000ull)
            ram += e.len;
        if (e.addr < prev_end)
            sorted = 0;
        prev_end = e.addr + e.len;
        cont = R.ebx;
        n++;
    } while (cont && n < 64);
    check(ok && n >= 3, "int15 e820 walk", n);
    check(first_ok, "int15 e820 first entry is RAM at 0", 0);
    check(sorted, "int15 e820 sorted, no overlap", 0);
    u32 ram_k = (u32)(ram >> 10);
    check(ram_k <= ram_mib * 1024 && ram_k + 1024 >= ram_mib * 1024, "int15 e820 RAM total", ram_k);

    clr(); R.eax = 0xe801; call(0x15);
    u32 e801_k = 1024 + (R.eax & 0xffff) + (R.ebx & 0xffff) * 64;
    check(!(R.flags & CF) && (R.eax & 0xffff) <= 15 * 1024 && e801_k + 1024 >= ram_mib * 1024
          && e801_k <= ram_mib * 1024, "int15 e801", e801_k);
    clr(); R.eax = 0x8800; call(0x15);
    u32 want88 = ram_mib > 64 ? 63 * 1024 : (ram_mib - 1) * 1024;
    check(!(R.flags & CF) && (R.eax & 0xffff) + 1024 >= want88 && (R.eax & 0xffff) <= want88,
          "int15 88h", R.eax);
    clr(); R.eax = 0xc000; call(0x15);
    /* ES:BX is far: read it through ES (real-mode segment limits are 64 KiB under KVM). */
    u16 cfg_size;
    u8 cfg_model;
    __asm__ volatile("pushw %%es\n\tmovw %w2, %%es\n\tmovw %%es:(%3), %0\n\tmovb %%es:2(%3), %1\n\tpopw %%es"
                     : "=&r"(cfg_size), "=&q"(cfg_model) : "r"(R.es), "r"(R.ebx & 0xffff) : "memory");
    check(!(R.flags & CF) && cfg_size >= 8 && cfg_model == 0xfc, "int15 c0h system config", cfg_model);
    clr(); R.eax = 0xc100; call(0x15);
    check(!(R.flags & CF) && R.es == bda16(0x0e) && R.es >= 0x8000, "int15 c1h EBDA segment = BDA 40Eh", R.es);
}

/* A20: with it off, 1 MiB wraps to 0 (FFFF:0510 aliases 0000:0500). */
static int a20_wraps(void)
{
    volatile u8 *low = (volatile u8 *)0x500;
    u8 save = *low, r;
    __asm__ volatile("pushw %%es\n\tmovw $0xffff, %%ax\n\tmovw %%ax, %%es\n\t"
                     "movb %%es:0x510, %0\n\tpopw %%es" : "=q"(r) :: "ax", "memory");
    *low = r ^ 0xff;
    u8 r2;
    __asm__ volatile("pushw %%es\n\tmovw $0xffff, %%ax\n\tmovw %%ax, %%es\n\t"
                     "movb %%es:0x510, %0\n\tpopw %%es" : "=q"(r2) :: "ax", "memory");
    u8 want = r ^ 0xff;
    int wraps = r2 == want;
    *low = save;
    return wraps;
}

static void test_a20(void)
{
    clr(); R.eax = 0x2403; call(0x15);
    check(!(R.flags & CF) && (R.eax & 0xff00) == 0, "int15 2403h a20 support", R.eax);
    clr(); R.eax = 0x2400; call(0x15);
    int off_ok = !(R.flags & CF);
    clr(); R.eax = 0x2402; call(0x15);
    /* KVM does not mask A20 (the runner flags KVM runs in the boot sector at 1F7h). */
    int kvm = *(volatile u8 *)0x7df7;
    check(off_ok && (R.eax & 0xff) == 0 && (kvm || a20_wraps()), "int15 2400h a20 off wraps", R.eax);
    clr(); R.eax = 0x2401; call(0x15);
    int on_ok = !(R.flags & CF);
    clr(); R.eax = 0x2402; call(0x15);
    check(on_ok && (R.eax & 0xff) == 1 && !a20_wraps(), "int15 2401h a20 on", R.eax);
}

/* INT 15h AH=87h: copy a pattern to 2 MiB and back (RBIL: 48-byte GDT at ES:SI). */
static u8 moved[256];
static void move_desc(u8 *d, u32 base)
{
    memset_(d, 0, 8);
    d[0] = 0xff; d[1] = 0xff;
    d[2] = base; d[3] = base >> 8; d[4] = base >> 16; d[5] = 0x93; d[7] = base >> 24;
}
static void test_block_move(void)
{
    static u8 gdt[48];
    static u8 pattern[256];
    for (int i = 0; i < 256; i++) pattern[i] = i ^ 0x5a;
    memset_(gdt, 0, sizeof(gdt));
    move_desc(gdt + 0x10, (u32)pattern);
    move_desc(gdt + 0x18, 0x200000);
    clr(); R.eax = 0x8700; R.ecx = 128; R.esi = (u32)gdt; call(0x15);
    int ok1 = !(R.flags & CF) && (R.eax & 0xff00) == 0;
    memset_(gdt, 0, sizeof(gdt));
    move_desc(gdt + 0x10, 0x200000);
    move_desc(gdt + 0x18, (u32)moved);
    clr(); R.eax = 0x8700; R.ecx = 128; R.esi = (u32)gdt; call(0x15);
    check(ok1 && !(R.flags & CF) && !memcmp_(moved, pattern, 256), "int15 87h block move via 2 MiB", R.eax);
}

static u8 bcd_ok(u8 v, u8 max) { return (v & 15) < 10 && (v >> 4) < 10 && ((v >> 4) * 10 + (v & 15)) <= max; }

static void test_clock(void)
{
    clr(); call(0x1a);
    u32 t0 = (R.ecx & 0xffff) << 16 | (R.edx & 0xffff);
    u32 now = bda32(0x6c);
    /* A loaded host may let an IRQ0 or two in between; more would mean a wrong counter. */
    check(now >= t0 && now - t0 < 5, "int1a 00h ticks = BDA 46Ch", t0);
    /* Wait 250 ms with INT 15h AH=86h; IRQ0 must have ticked meanwhile (>= 1 tick). */
    clr(); R.eax = 0x8600; R.ecx = 0x0003; R.edx = 0xd090; call(0x15);
    int wait_ok = !(R.flags & CF);
    clr(); call(0x1a);
    u32 t1 = (R.ecx & 0xffff) << 16 | (R.edx & 0xffff);
    check(wait_ok && t1 > t0 && t1 - t0 < 100, "int15 86h wait + timer IRQ0 ticks", t1 - t0);
    clr(); R.eax = 0x0200; call(0x1a);
    check(!(R.flags & CF) && bcd_ok(R.ecx >> 8, 23) && bcd_ok(R.ecx, 59) && bcd_ok(R.edx >> 8, 59),
          "int1a 02h RTC time", R.ecx);
    clr(); R.eax = 0x0400; call(0x1a);
    check(!(R.flags & CF) && ((R.ecx >> 8 & 0xff) == 0x19 || (R.ecx >> 8 & 0xff) == 0x20) &&
          bcd_ok(R.edx >> 8, 12) && bcd_ok(R.edx, 31), "int1a 04h RTC date", R.ecx);
}

static void test_pci(void)
{
    clr(); R.eax = 0xb101; call(0x1a);
    check(!(R.flags & CF) && (R.eax & 0xff00) == 0 && R.edx == 0x20494350, "int1a b101h PCI BIOS present", R.edx);
    clr(); R.eax = 0xb102; R.ecx = 0x1237; R.edx = 0x8086; R.esi = 0; call(0x1a);
    check(!(R.flags & CF) && (R.ebx & 0xffff) == 0, "int1a b102h find i440FX", R.ebx);
    clr(); R.eax = 0xb10a; R.ebx = 0; R.edi = 0; call(0x1a);
    check(!(R.flags & CF) && R.ecx == 0x12378086, "int1a b10ah config dword", R.ecx);
    clr(); R.eax = 0xb102; R.ecx = 0xdead; R.edx = 0xbeef; R.esi = 0; call(0x1a);
    check((R.flags & CF) && (R.eax & 0xff00) == 0x8600, "int1a b102h missing device", R.eax);
}

static void test_keyboard(void)
{
    clr(); R.eax = 0x0100; call(0x16);
    check(R.flags & ZF, "int16 01h empty buffer", R.eax);
    clr(); R.eax = 0x0500; R.ecx = 0x1e61; call(0x16);
    check((R.eax & 0xff) == 0, "int16 05h store key", R.eax);
    clr(); R.eax = 0x1100; call(0x16);
    check(!(R.flags & ZF) && (R.eax & 0xffff) == 0x1e61, "int16 11h peek", R.eax);
    clr(); R.eax = 0x1000; call(0x16);
    check((R.eax & 0xffff) == 0x1e61, "int16 10h read", R.eax);
    clr(); R.eax = 0x0100; call(0x16);
    check(R.flags & ZF, "int16 01h empty again", R.eax);
    clr(); R.eax = 0x0200; call(0x16);
    check((R.eax & 0xff) == bda[0x17], "int16 02h shift flags", R.eax);
}

static void test_video(void)
{
    clr(); R.eax = 0x0f00; call(0x10);
    check((R.eax & 0xff) == 3 && (R.eax >> 8 & 0xff) == 80, "int10 0fh mode 3, 80 columns", R.eax);
    clr(); R.eax = 0x0300; call(0x10);
    u16 before = R.edx;
    clr(); R.eax = 0x0e00 | 'x'; R.ebx = 0x0007; call(0x10);
    clr(); R.eax = 0x0300; call(0x10);
    u16 after = R.edx;
    /* End the line: BIOSes that mirror INT 10h to COM1 put the 'x' there too. */
    clr(); R.eax = 0x0e0d; call(0x10);
    clr(); R.eax = 0x0e0a; call(0x10);
    R.edx = after;
    check((u16)R.edx == before + 1 || ((before & 0xff) == 79), "int10 0eh teletype advances cursor", R.edx);
    clr(); R.eax = 0x0200; R.edx = 0x0500; call(0x10);
    clr(); R.eax = 0x0300; call(0x10);
    check((R.edx & 0xffff) == 0x0500, "int10 02h/03h cursor position", R.edx);
}


/* Far memory through ES (real-mode segments are 64 KiB, also under KVM). */
static u8 far_rd8(u16 seg, u16 off)
{
    u8 v;
    __asm__ volatile("pushw %%es\n\tmovw %w1, %%es\n\tmovb %%es:(%2), %0\n\tpopw %%es"
                     : "=&q"(v) : "r"(seg), "r"((u32)off) : "memory");
    return v;
}
static void far_wr8(u16 seg, u16 off, u8 v)
{
    __asm__ volatile("pushw %%es\n\tmovw %w0, %%es\n\tmovb %2, %%es:(%1)\n\tpopw %%es"
                     :: "r"(seg), "r"((u32)off), "q"(v) : "memory");
}

static u8 vbuf[512] __attribute__((aligned(16)));
static u8 vinfo[512], vmi[256];         /* VBE controller and mode information */
static u8 buf[2048] __attribute__((aligned(16)));

/* INT 15h AH=87h from/to any physical address (the VBE linear frame buffer). */
static int phys_copy(u32 dst, u32 src, u16 bytes)
{
    static u8 gdt[48];
    memset_(gdt, 0, sizeof(gdt));
    move_desc(gdt + 0x10, src);
    move_desc(gdt + 0x18, dst);
    clr(); R.eax = 0x8700; R.ecx = bytes / 2; R.esi = (u32)gdt; call(0x15);
    return !(R.flags & CF);
}

static void setmode(u8 mode) { clr(); R.eax = mode; call(0x10); }

/* A glyph of the BIOS's 8x8 font (INT 10h AX=1130h BH=03h). */
static u8 font8_row(u8 ch, u8 row)
{
    clr(); R.eax = 0x1130; R.ebx = 0x0300; call(0x10);
    return far_rd8(R.es, (u16)R.ebp + ch * 8 + row);
}

static void test_vga_info(void)
{
    clr(); R.eax = 0x1a00; call(0x10);
    check((R.eax & 0xff) == 0x1a && (R.ebx & 0xff) == 0x08, "int10 1a00h display combination VGA colour", R.ebx);
    clr(); R.eax = 0x1200; R.ebx = 0x10; call(0x10);
    check((R.ebx & 0xffff) == 0x0003, "int10 12h/10h EGA info: colour, 256K", R.ebx);
    for (u8 bl = 0x31; bl <= 0x36; bl++) {
        if (bl == 0x32 || bl == 0x35)
            continue;
        clr(); R.eax = bl == 0x33 ? 0x1201 : 0x1200; R.ebx = bl; call(0x10);
        check((R.eax & 0xff) == 0x12, bl == 0x31 ? "int10 12h/31h palette loading" : bl == 0x33 ?
              "int10 12h/33h grey summing off" : bl == 0x34 ? "int10 12h/34h cursor emulation" :
              "int10 12h/36h screen on", R.eax);
    }
    static u8 st[64];
    memset_(st, 0, sizeof(st));
    clr(); R.eax = 0x1b00; R.ebx = 0; R.edi = (u32)st; call(0x10);
    u16 table_seg = *(u16 *)&st[2];
    check((R.eax & 0xff) == 0x1b && st[4] == 3 && st[5] == 80 && st[0x22] == 24 && st[0x23] == 16 &&
          st[0x25] == 8 && table_seg >= 0xc000, "int10 1bh state: mode 3, 80x25, 16 lines, VGA, static table",
          (u32)st[5] << 24 | st[0x23] << 16 | st[0x25] << 8 | table_seg >> 8);
    clr(); R.eax = 0x1130; R.ebx = 0x0600; call(0x10);
    int lit = 0;
    for (int i = 0; i < 16; i++)
        lit |= far_rd8(R.es, (u16)R.ebp + 'A' * 16 + i);
    check((R.ecx & 0xffff) == 16 && (R.edx & 0xff) == 24 && lit, "int10 1130h 8x16 font info", R.ecx);
    /* 1111h: the 8x14 font, rows recomputed (400 / 14 = 28); 1114h back to 25 */
    clr(); R.eax = 0x1111; call(0x10);
    int rows28 = bda[0x84] == 27 && bda16(0x85) == 14;
    clr(); R.eax = 0x1114; call(0x10);
    check(rows28 && bda[0x84] == 24 && bda16(0x85) == 16, "int10 1111h/1114h font height and rows", bda[0x84]);
}

static void test_vga_palette(void)
{
    clr(); R.eax = 0x1010; R.ebx = 1; R.edx = 10 << 8; R.ecx = 20 << 8 | 30; call(0x10);
    clr(); R.eax = 0x1015; R.ebx = 1; call(0x10);
    check((R.edx >> 8 & 0xff) == 10 && (R.ecx & 0xffff) == (20 << 8 | 30), "int10 1010h/1015h DAC register", R.ecx);
    static u8 blk[6];
    clr(); R.eax = 0x1017; R.ebx = 0; R.ecx = 2; R.edx = (u32)blk; call(0x10);
    check(blk[3] == 10 && blk[4] == 20 && blk[5] == 30, "int10 1017h DAC block read", blk[3]);
    clr(); R.eax = 0x101b; R.ebx = 1; R.ecx = 1; call(0x10);
    clr(); R.eax = 0x1015; R.ebx = 1; call(0x10);
    u8 r = R.edx >> 8, g = R.ecx >> 8, b = R.ecx;
    check(r == g && g == b && g >= 17 && g <= 19, "int10 101bh grey-scale summing (30/59/11)", R.ecx);
    blk[0] = 1; blk[1] = 2; blk[2] = 3;
    clr(); R.eax = 0x1012; R.ebx = 7; R.ecx = 1; R.edx = (u32)blk; call(0x10);
    clr(); R.eax = 0x1015; R.ebx = 7; call(0x10);
    check((R.edx >> 8 & 0xff) == 1 && (R.ecx & 0xffff) == 0x0203, "int10 1012h DAC block write", R.ecx);
    clr(); R.eax = 0x1000; R.ebx = 0x0501; call(0x10);
    clr(); R.eax = 0x1007; R.ebx = 0x0001; call(0x10);
    u8 pal = R.ebx >> 8;
    clr(); R.eax = 0x1000; R.ebx = 0x0101; call(0x10);
    check(pal == 5, "int10 1000h/1007h palette register", pal);
    clr(); R.eax = 0x1001; R.ebx = 0x0200; call(0x10);
    clr(); R.eax = 0x1008; call(0x10);
    u8 ov = R.ebx >> 8;
    clr(); R.eax = 0x1001; R.ebx = 0; call(0x10);
    check(ov == 2, "int10 1001h/1008h overscan", ov);
    clr(); R.eax = 0x1018; R.ebx = 0x7f; call(0x10);
    clr(); R.eax = 0x1019; call(0x10);
    /* (QEMU's VGA reads the mask back as 0; vireo's as written.) */
    u8 mask = R.ebx;
    int same_as_port = mask == inb(0x3c6);
    clr(); R.eax = 0x1018; R.ebx = 0xff; call(0x10);
    check(same_as_port, "int10 1018h/1019h PEL mask", mask);
    /* 1Ch: save the DAC, change it, restore it */
    clr(); R.eax = 0x1c00; R.ecx = 7; call(0x10);
    u16 blocks = R.ebx;
    check((R.eax & 0xff) == 0x1c && blocks > 0 && blocks * 64 <= 2048, "int10 1c00h state size", R.ebx);
    u8 *state = buf;
    clr(); R.eax = 0x1c01; R.ecx = 4; R.ebx = (u32)state; call(0x10);
    clr(); R.eax = 0x1010; R.ebx = 7; R.edx = 0; R.ecx = 0; call(0x10);
    clr(); R.eax = 0x1c02; R.ecx = 4; R.ebx = (u32)state; call(0x10);
    clr(); R.eax = 0x1015; R.ebx = 7; call(0x10);
    check((R.edx >> 8 & 0xff) == 1 && (R.ecx & 0xffff) == 0x0203, "int10 1c01h/1c02h DAC save/restore", R.ecx);
}

static void test_vga_graphics(void)
{
    setmode(0x13);
    clr(); R.eax = 0x0f00; call(0x10);
    check((R.eax & 0xffff) == 0x2813, "int10 00h mode 13h (0fh: 40 columns)", R.eax);
    clr(); R.eax = 0x0c2a; R.ecx = 10; R.edx = 20; call(0x10);
    u8 mem = far_rd8(0xa000, 20 * 320 + 10);
    clr(); R.eax = 0x0d00; R.ecx = 10; R.edx = 20; call(0x10);
    check(mem == 0x2a && (R.eax & 0xff) == 0x2a, "int10 0ch/0dh mode 13h pixel", mem);
    /* teletype draws the 8x8 glyph in colour BL; 08h reads the character back */
    clr(); R.eax = 0x0200; R.edx = 0x0102; call(0x10);
    clr(); R.eax = 0x0e41; R.ebx = 0x000e; call(0x10);
    puts_("\r\n");                     /* after the 'A' that BIOSes mirror to COM1 */
    int same = 1;
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 8; x++) {
            u8 want = font8_row('A', y) & (0x80 >> x) ? 0x0e : 0;
            same &= far_rd8(0xa000, (8 + y) * 320 + 16 + x) == want;
        }
    check(same, "int10 0eh teletype glyph in mode 13h", 0);
    clr(); R.eax = 0x0200; R.edx = 0x0102; call(0x10);
    clr(); R.eax = 0x0800; call(0x10);
    check((R.eax & 0xff) == 'A', "int10 08h read character in mode 13h", R.eax);

    setmode(0x12);
    clr(); R.eax = 0x0f00; call(0x10);
    check((R.eax & 0xffff) == 0x5012 && bda[0x84] == 29 && bda16(0x85) == 16, "int10 00h mode 12h: 80x30", R.eax);
    clr(); R.eax = 0x0c0d; R.ecx = 100; R.edx = 200; call(0x10);
    clr(); R.eax = 0x0d00; R.ecx = 100; R.edx = 200; call(0x10);
    u8 c1 = R.eax;
    clr(); R.eax = 0x0c81; R.ecx = 100; R.edx = 200; call(0x10);
    clr(); R.eax = 0x0d00; R.ecx = 100; R.edx = 200; call(0x10);
    u8 c2 = R.eax;
    clr(); R.eax = 0x0d00; R.ecx = 101; R.edx = 200; call(0x10);
    check(c1 == 0x0d && c2 == 0x0c && (R.eax & 0xff) == 0, "int10 0ch/0dh mode 12h pixel, XOR", c1 << 8 | c2);

    setmode(0x04);
    clr(); R.eax = 0x0c02; R.ecx = 5; R.edx = 7; call(0x10);
    clr(); R.eax = 0x0d00; R.ecx = 5; R.edx = 7; call(0x10);
    check((R.eax & 0xff) == 2 && far_rd8(0xb800, 0x2000 + 3 * 80 + 1) == 0x20, "int10 0ch/0dh mode 04h CGA pixel",
          far_rd8(0xb800, 0x2000 + 3 * 80 + 1));
    setmode(0x06);
    clr(); R.eax = 0x0c01; R.ecx = 9; R.edx = 1; call(0x10);
    check(far_rd8(0xb800, 0x2000 + 1) == 0x40, "int10 0ch mode 06h CGA pixel", far_rd8(0xb800, 0x2001));
    setmode(0x0d);
    clr(); R.eax = 0x0c09; R.ecx = 319; R.edx = 199; call(0x10);
    clr(); R.eax = 0x0d00; R.ecx = 319; R.edx = 199; call(0x10);
    check((R.eax & 0xff) == 9, "int10 0ch/0dh mode 0dh pixel", R.eax);
    setmode(0x10);
    clr(); R.eax = 0x0c0f; R.ecx = 639; R.edx = 349; call(0x10);
    clr(); R.eax = 0x0d00; R.ecx = 639; R.edx = 349; call(0x10);
    check((R.eax & 0xff) == 0x0f && bda16(0x85) == 14, "int10 0ch/0dh mode 10h pixel", R.eax);

    /* bit 7: keep the screen contents */
    setmode(0x03);
    far_wr8(0xb800, 0, 'Q');
    setmode(0x83);
    check(far_rd8(0xb800, 0) == 'Q' && (bda[0x87] & 0x80), "int10 00h bit 7 keeps video memory", bda[0x87]);
    setmode(0x03);
    check(far_rd8(0xb800, 0) == ' ' && !(bda[0x87] & 0x80), "int10 00h clears video memory", far_rd8(0xb800, 0));
    setmode(0x01);
    clr(); R.eax = 0x0f00; call(0x10);
    check((R.eax & 0xffff) == 0x2801 && bda16(0x4c) == 0x800, "int10 00h mode 01h: 40x25", R.eax);
    setmode(0x03);
}

/* VBE: the mode list, mode information, set mode, banks, LFB, scan lines, palette. */
static u16 vbe_find(u16 *list_seg_off, u16 x, u16 y, u8 bpp, u8 *mi)
{
    for (int i = 0; i < 120; i++) {
        u16 mode = far_rd8(list_seg_off[1], list_seg_off[0] + i * 2) |
                   far_rd8(list_seg_off[1], list_seg_off[0] + i * 2 + 1) << 8;
        if (mode == 0xffff)
            break;
        clr(); R.eax = 0x4f01; R.ecx = mode; R.edi = (u32)mi; call(0x10);
        if ((R.eax & 0xffff) == 0x004f && *(u16 *)&mi[0x12] == x && *(u16 *)&mi[0x14] == y && mi[0x19] == bpp)
            return mode;
    }
    return 0;
}

/* VBE protected-mode interface (4F0Ah) and a 640x480x32 mode, for test_pm_switch. */
static u32 pmi_table;
static u16 vbe_mode32;

static void test_vbe(void)
{
    u8 *info = vinfo, *mi = vmi;
    memset_(info, 0, sizeof(vinfo));
    info[0] = 'V'; info[1] = 'B'; info[2] = 'E'; info[3] = '2';
    clr(); R.eax = 0x4f00; R.edi = (u32)info; call(0x10);
    if ((R.eax & 0xffff) != 0x004f) {
        check(0, "int10 4f00h VBE controller info", R.eax);
        return;
    }
    check(!memcmp_(info, "VESA", 4) && *(u16 *)&info[4] >= 0x0200 && *(u16 *)&info[0x12] == 256,
          "int10 4f00h VBE2: VESA, version, 16 MiB", *(u16 *)&info[4] << 16 | *(u16 *)&info[0x12]);
    u16 *oem = (u16 *)&info[6];
    check(far_rd8(oem[1], oem[0]) >= ' ', "int10 4f00h OEM string", oem[0]);
    u16 *list = (u16 *)&info[0x0e];
    u16 m118 = vbe_find(list, 1024, 768, 24, mi);
    check(m118 == 0x118, "int10 4f01h mode 118h 1024x768x24 listed", m118);
    clr(); R.eax = 0xb102; R.ecx = 0x1111; R.edx = 0x1234; R.esi = 0; call(0x1a);
    u16 bdf = R.ebx;
    clr(); R.eax = 0xb10a; R.ebx = bdf; R.edi = 0x10; call(0x1a);
    u32 bar0 = R.ecx & ~0xfu;
    clr(); R.eax = 0x4f01; R.ecx = 0x118; R.edi = (u32)mi; call(0x10);
    check((R.eax & 0xffff) == 0x004f && (mi[0] & 0x99) == 0x99 && *(u32 *)&mi[0x28] == bar0 &&
          mi[0x1f] == 8 && mi[0x20] == 16 && mi[0x21] == 8 && mi[0x22] == 8 && mi[0x23] == 8 && mi[0x24] == 0 &&
          *(u16 *)&mi[0x10] == 1024 * 3, "int10 4f01h mode 118h info: LFB = BAR0, RGB 8:8:8", *(u32 *)&mi[0x28]);
    clr(); R.eax = 0x4f01; R.ecx = 0x111; R.edi = (u32)mi; call(0x10);
    check((R.eax & 0xffff) == 0x004f && mi[0x19] == 16 && mi[0x1f] == 5 && mi[0x20] == 11 && mi[0x21] == 6 &&
          mi[0x22] == 5 && mi[0x23] == 5, "int10 4f01h mode 111h info: RGB 5:6:5", mi[0x21]);
    clr(); R.eax = 0x4f01; R.ecx = 0x1ff; R.edi = (u32)mi; call(0x10);
    check((R.eax & 0xffff) == 0x014f, "int10 4f01h unknown mode fails", R.eax);

    u16 m32 = vbe_find(list, 640, 480, 32, mi);
    check(m32 != 0 && mi[0x1b] == 6 && mi[0x25] == 8 && mi[0x26] == 24, "int10 4f01h a 640x480x32 mode", m32);
    /* banked: set without LFB, write through bank 1 at A000h, read back through the LFB */
    clr(); R.eax = 0x4f02; R.ebx = m32; call(0x10);
    int set_ok = (R.eax & 0xffff) == 0x004f;
    clr(); R.eax = 0x4f03; call(0x10);
    check(set_ok && (R.ebx & 0x1ff) == m32, "int10 4f02h/4f03h set 640x480x32", R.ebx);
    clr(); R.eax = 0x4f05; R.ebx = 0x0000; R.edx = 1; call(0x10);
    int bank_ok = (R.eax & 0xffff) == 0x004f;
    for (int i = 0; i < 16; i++)
        far_wr8(0xa000, i, 0x30 + i);
    clr(); R.eax = 0x4f05; R.ebx = 0x0100; call(0x10);
    int bank_get = (R.edx & 0xffff) == 1;
    memset_(vbuf, 0, 16);
    int copied = phys_copy((u32)vbuf, bar0 + 0x10000, 16);
    int same = 1;
    for (int i = 0; i < 16; i++)
        same &= vbuf[i] == 0x30 + i;
    check(bank_ok && bank_get && copied && same, "int10 4f05h bank 1 = LFB + 64 KiB", vbuf[0]);
    /* ours must have a WinFuncPtr and 4F0Ah; other BIOSes are checked where they have them */
    u16 *oemp = (u16 *)&info[6];
    int ours = far_rd8(oemp[1], oemp[0]) == 'v' && far_rd8(oemp[1], oemp[0] + 1) == 'i';
    u32 winfn = *(u32 *)&mi[0x0c];
    if (winfn) {
        vbe_window_call(winfn, 0x0000, 2);
        clr(); R.eax = 0x4f05; R.ebx = 0x0100; call(0x10);
    }
    check(winfn ? (R.edx & 0xffff) == 2 : !ours, "int10 4f01h WinFuncPtr switches banks", winfn);
    clr(); R.eax = 0x4f0a; R.ebx = 0; call(0x10);
    if ((R.eax & 0xffff) == 0x004f) {
        u16 seg = R.es, off = R.edi, len = R.ecx, t[4];
        for (int i = 0; i < 8; i++)
            ((u8 *)t)[i] = far_rd8(seg, off + i);
        int ports_ok = t[3] && t[3] < len && far_rd8(seg, off + t[3]) == 0xce && far_rd8(seg, off + t[3] + 1) == 0x01;
        check(t[0] < len && t[1] < len && t[2] < len && ports_ok && seg >= 0xc000,
              "int10 4f0ah protected-mode table: entries, ports 1CEh...", t[3]);
        pmi_table = (u32)seg << 4 | off;
        vbe_mode32 = m32;
    } else {
        check(!ours, "int10 4f0ah protected-mode interface", R.eax);
    }
    clr(); R.eax = 0x4f06; R.ebx = 1; call(0x10);
    check((R.eax & 0xffff) == 0x004f && (R.ebx & 0xffff) == 2560 && (R.ecx & 0xffff) == 640 &&
          (R.edx & 0xffff) >= 480, "int10 4f06h get scan line", R.ebx);
    clr(); R.eax = 0x4f06; R.ebx = 0; R.ecx = 1024; call(0x10);
    check((R.eax & 0xffff) == 0x004f && (R.ebx & 0xffff) == 4096 && (R.ecx & 0xffff) == 1024,
          "int10 4f06h set scan line 1024 pixels", R.ebx);
    clr(); R.eax = 0x4f07; R.ebx = 0; R.ecx = 8; R.edx = 10; call(0x10);
    clr(); R.eax = 0x4f07; R.ebx = 1; call(0x10);
    check((R.eax & 0xffff) == 0x004f && (R.ecx & 0xffff) == 8 && (R.edx & 0xffff) == 10,
          "int10 4f07h display start", R.edx);
    static u8 pal[8] = { 1, 2, 3, 0, 4, 5, 6, 0 }, back[8];
    clr(); R.eax = 0x4f09; R.ebx = 0; R.ecx = 2; R.edx = 20; R.edi = (u32)pal; call(0x10);
    clr(); R.eax = 0x4f09; R.ebx = 1; R.ecx = 2; R.edx = 20; R.edi = (u32)back; call(0x10);
    /* SeaVGABIOS has no "get palette": only a successful get is checked */
    check((R.eax & 0xffff) != 0x004f || (back[0] == 1 && back[2] == 3 && back[4] == 4 && back[6] == 6),
          "int10 4f09h palette set/get (B, G, R)", back[0] | back[2] << 8);
    clr(); R.eax = 0x4f04; R.edx = 0; R.ecx = 0x0f; call(0x10);
    check((R.eax & 0xffff) == 0x004f && (R.ebx & 0xffff) > 0, "int10 4f04h state buffer size", R.ebx);
    clr(); R.eax = 0x4f02; R.ebx = 0x8000 | m32; call(0x10);
    clr(); R.eax = 0x4f03; call(0x10);
    check((R.ebx & 0x81ff) == (0x8000 | m32), "int10 4f03h reports the no-clear bit", R.ebx);
    clr(); R.eax = 0x4f02; R.ebx = 0x0003; call(0x10);
    clr(); R.eax = 0x0f00; call(0x10);
    check((R.eax & 0x7f) == 3, "int10 4f02h back to VGA mode 3", R.eax);
    clr(); R.eax = 0x4f08; R.ebx = 0x0800; call(0x10);
    u8 w8 = R.ebx >> 8;
    clr(); R.eax = 0x4f08; R.ebx = 0x0600; call(0x10);
    check(w8 == 8 && (R.ebx >> 8 & 0xff) == 6, "int10 4f08h DAC width 8 and back to 6", w8);
}


/* APM 1.2 through INT 15h AX=53xxh (real-mode interface). */
static void test_apm(void)
{
    clr(); R.eax = 0x5300; R.ebx = 0; call(0x15);
    check(!(R.flags & CF) && (R.eax & 0xffff) == 0x0102 && (R.ebx & 0xffff) == 0x504d && (R.ecx & 3) == 3,
          "int15 5300h APM 1.2 installed, 16/32-bit PM", R.eax);
    clr(); R.eax = 0x5301; R.ebx = 0; call(0x15);
    int c1 = !(R.flags & CF);
    clr(); R.eax = 0x5301; R.ebx = 0; call(0x15);
    /* a second connect is error 02h (SeaBIOS does not keep track and accepts it) */
    check(c1 && (!(R.flags & CF) || (R.eax >> 8 & 0xff) == 0x02), "int15 5301h connect, again: 02h", R.eax);
    clr(); R.eax = 0x530e; R.ebx = 0; R.ecx = 0x0102; call(0x15);
    check(!(R.flags & CF) && (R.eax & 0xffff) == 0x0102, "int15 530eh driver version 1.2", R.eax);
    clr(); R.eax = 0x530a; R.ebx = 1; call(0x15);
    check(!(R.flags & CF) && (R.ebx >> 8 & 0xff) == 1, "int15 530ah power status: AC on line", R.ebx);
    clr(); R.eax = 0x5305; call(0x15);
    check(!(R.flags & CF), "int15 5305h CPU idle", R.eax);
    clr(); R.eax = 0x5304; R.ebx = 0; call(0x15);
    int d1 = !(R.flags & CF);
    clr(); R.eax = 0x5304; R.ebx = 0; call(0x15);
    check(d1 && (!(R.flags & CF) || (R.eax >> 8 & 0xff) == 0x03), "int15 5304h disconnect, again: 03h", R.eax);
    clr(); R.eax = 0x5303; R.ebx = 0; call(0x15);
    check(!(R.flags & CF) && (R.eax & 0xffff) == 0xf000 && (R.ecx & 0xffff) == 0xf000 && (R.edx & 0xffff) == 0xf000 &&
          far_rd8(0xf000, R.ebx) != 0xff, "int15 5303h 32-bit connect: F000h segments, entry", R.ebx);
    clr(); R.eax = 0x5304; R.ebx = 0; call(0x15);
}

/* APM power off (the runner's power-off run): returning at all is the failure. */
static void apm_power_off(void)
{
    clr(); R.eax = 0x5301; R.ebx = 0; call(0x15);
    clr(); R.eax = 0x530e; R.ebx = 0; R.ecx = 0x0102; call(0x15);
    clr(); R.eax = 0x5307; R.ebx = 1; R.ecx = 3; call(0x15);
    check(0, "int15 5307h power off returned", R.eax);
}

/* INT 15h AH=89h, the last test: the rest runs in 16-bit protected mode with segments of
 * base 0 (so C code goes on as before) and interrupts off. */
static void test_pm_switch(void)
{
    static unsigned long long gdt[9] __attribute__((aligned(8)));
    u32 base = (u32)gdt;
    u32 pmi_fn[3];                      /* the protected-mode functions' linear addresses */
    if (pmi_table) {                    /* (read now: DS has a 64 KiB limit after the switch) */
        for (int i = 0; i < 3; i++)
            pmi_fn[i] = pmi_table + (far_rd8(pmi_table >> 4, (pmi_table & 15) + i * 2) |
                                     far_rd8(pmi_table >> 4, (pmi_table & 15) + i * 2 + 1) << 8);
        clr(); R.eax = 0x4f02; R.ebx = vbe_mode32; call(0x10);
    }
    gdt[0] = 0;
    gdt[1] = 0x930000000000ull | (unsigned long long)base << 16 | 71;     /* the GDT */
    gdt[2] = 0x930000000000ull;                                           /* IDT: empty */
    gdt[3] = gdt[4] = gdt[5] = 0x000093000000ffffull;                    /* data, base 0 */
    gdt[6] = 0x00009b000000ffffull;                                       /* 16-bit code, base 0 */
    gdt[7] = 0;
    gdt[8] = 0x00cf9b000000ffffull;                                       /* 32-bit flat code */
    u32 res = pm_switch(gdt);
    u16 ds, ss, cs = res >> 16;
    __asm__ volatile("movw %%ds, %0\n\tmovw %%ss, %1" : "=r"(ds), "=r"(ss));
    u32 pe;
    __asm__ volatile("movl %%cr0, %0" : "=r"(pe));
    check((pe & 1) && cs == 0x30 && ds == 0x18 && ss == 0x28 && (res & 0xffff) == 0 && gdt[7] != 0,
          "int15 89h protected mode: CS 30h, DS 18h, SS 28h", res);
    if (!pmi_table)
        return;
    /* VBE 4F0Ah code, called in 32-bit protected mode: bank, display start, palette */
    u32 a1 = pm32_call(pmi_fn[0], 0x0000, 0, 3, 0);
    outw(5, 0x1ce);
    u16 bank = inw(0x1cf);
    u32 start = (2560 * 10 + 8 * 4) / 4;
    u32 a2 = pm32_call(pmi_fn[1], 0x0000, start & 0xffff, start >> 16, 0);
    outw(8, 0x1ce);
    u16 x = inw(0x1cf);
    outw(9, 0x1ce);
    u16 y = inw(0x1cf);
    static u8 entry[4] = { 1, 2, 3, 0 };
    u32 a3 = pm32_call(pmi_fn[2], 0x0000, 1, 9, (u32)entry);
    outb(9, 0x3c7);
    u8 red = inb(0x3c9), green = inb(0x3c9), blue = inb(0x3c9);
    check((a1 & 0xffff) == 0x4f && bank == 3, "VBE protected-mode set window", a1 << 16 | bank);
    check((a2 & 0xffff) == 0x4f && x == 8 && y == 10, "VBE protected-mode set display start", x << 16 | y);
    check((a3 & 0xffff) == 0x4f && red == 3 && green == 2 && blue == 1, "VBE protected-mode set palette",
          red << 16 | green << 8 | blue);
}


/* PS/2 mouse services (INT 15h AH=C2h). */
static void test_mouse(void)
{
    clr(); R.eax = 0xc201; call(0x15);
    check(!(R.flags & CF) && (R.ebx & 0xffff) == 0x00aa, "int15 c201h mouse reset: ID 00h, AAh", R.ebx);
    clr(); R.eax = 0xc204; call(0x15);
    check(!(R.flags & CF) && (R.ebx >> 8 & 0xff) == 0, "int15 c204h device type 00h", R.ebx);
    clr(); R.eax = 0xc202; R.ebx = 0x0600; call(0x15);
    int rate_ok = !(R.flags & CF);
    clr(); R.eax = 0xc203; R.ebx = 0x0300; call(0x15);
    int res_ok = !(R.flags & CF);
    clr(); R.eax = 0xc206; R.ebx = 0x0000; call(0x15);
    check(rate_ok && res_ok && !(R.flags & CF) && (R.ecx & 0xff) == 3 && (R.edx & 0xff) == 200,
          "int15 c202h/c203h/c206h rate 200, resolution 3", R.ecx << 8 | (R.edx & 0xff));
    clr(); R.eax = 0xc200; R.ebx = 0x0100; call(0x15);
    check((R.flags & CF) && (R.eax >> 8 & 0xff) == 0x05, "int15 c200h enable without a handler: 05h", R.eax);
    clr(); R.eax = 0xc207; R.es = 0; R.ebx = (u32)mouse_handler; call(0x15);
    int set_ok = !(R.flags & CF);
    clr(); R.eax = 0xc200; R.ebx = 0x0100; call(0x15);
    int en_ok = !(R.flags & CF);
    clr(); R.eax = 0xc200; R.ebx = 0x0000; call(0x15);
    check(set_ok && en_ok && !(R.flags & CF), "int15 c207h handler, c200h enable/disable", R.eax);
    check((bda16(0x10) & 4) != 0, "int11 pointing device installed", bda16(0x10));
}

/* The runner's mouse run: a packet from "mouse_move 10 -5" reaches the handler via IRQ12. */
static void mouse_packet_test(void)
{
    clr(); R.eax = 0xc201; call(0x15);
    clr(); R.eax = 0xc207; R.es = 0; R.ebx = (u32)mouse_handler; call(0x15);
    clr(); R.eax = 0xc200; R.ebx = 0x0100; call(0x15);
    puts_("T: MOUSE READY\r\n");
    u32 t0 = bda32(0x6c);
    while (!mouse_calls && bda32(0x6c) - t0 < 18 * 30)
        __asm__ volatile("sti\n\thlt");
    check(mouse_calls && mouse_packet[0] == 0x08 && mouse_packet[1] == 10 && mouse_packet[2] == 5,
          "IRQ12 packet to the c207h handler: status 08h, X 10, Y 5",
          mouse_packet[0] << 16 | mouse_packet[1] << 8 | mouse_packet[2]);
}


/* fw_cfg through its ports: the table-loader's WRITE_POINTER told QEMU where vmgenid's GUID
 * buffer is ("etc/vmgenid_addr"); the GUID the runner gave must be at that address. */
static u32 be32(u32 v) { return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24; }
static void fwcfg_read_(void *buf, u16 n) { u8 *p = buf; while (n--) *p++ = inb(0x511); }

static void vmgenid_test(void)
{
    outw(0x19, 0x510);
    u32 n;
    fwcfg_read_(&n, 4);
    n = be32(n);
    u16 key = 0;
    for (u32 i = 0; i < n && i < 64; i++) {
        struct { u32 size; u16 select, reserved; char name[56]; } f;
        fwcfg_read_(&f, sizeof(f));
        if (!memcmp_(f.name, "etc/vmgenid_addr", 17))
            key = f.select >> 8 | f.select << 8;
    }
    u32 addr[2] = { 0, 0 };
    if (key) {
        outw(key, 0x510);
        fwcfg_read_(addr, 8);
    }
    static const u8 guid[4] = { 0xaf, 0x6e, 0x4e, 0x32 };   /* 324e6eaf-..., little-endian */
    int copied = addr[0] && !addr[1] && phys_copy((u32)vbuf, addr[0], 16);
    check(key && copied && !memcmp_(vbuf, guid, 4), "table-loader WRITE_POINTER: vmgenid GUID address", addr[0]);
}

/* Screendump phases (the runner sets byte 1F6h of the boot sector): each draws, says
 * "T: SCREEN n" on COM1 and waits for a key, while the runner takes a screendump. */
static void screen_wait(char n)
{
    puts_("T: SCREEN ");
    putc_(n);
    puts_("\r\n");
    clr(); call(0x16);
}

static void screen_tests(void)
{
    setmode(0x13);
    for (u16 y = 100; y < 200; y++)
        for (u16 x = 0; x < 320; x++)
            far_wr8(0xa000, y * 320 + x, x / 20);
    clr(); R.eax = 0x1010; R.ebx = 200; R.edx = 63 << 8; R.ecx = 0; call(0x10);
    for (u16 y = 0; y < 10; y++)
        for (u16 x = 300; x < 310; x++) {
            clr(); R.eax = 0x0cc8; R.ecx = x; R.edx = y; call(0x10);
        }
    clr(); R.eax = 0x0200; R.edx = 0x0200; call(0x10);
    for (const char *p = "VIREO"; *p; p++) {
        clr(); R.eax = 0x0e00 | *p; R.ebx = 0x0e; call(0x10);
    }
    screen_wait('1');

    u8 *info = vinfo, *mi = vmi;
    memset_(info, 0, sizeof(vinfo));
    clr(); R.eax = 0x4f00; R.edi = (u32)info; call(0x10);
    u16 m32 = vbe_find((u16 *)&info[0x0e], 640, 480, 32, mi);
    clr(); R.eax = 0x4f02; R.ebx = m32 | 0x4000; call(0x10);
    /* eight bands of 60 lines: black, blue, green, cyan, red, magenta, yellow, white */
    u32 lfb = *(u32 *)&mi[0x28];
    for (u16 band = 0; band < 8; band++) {
        u32 px = (band & 4 ? 0xff0000 : 0) | (band & 2 ? 0x00ff00 : 0) | (band & 1 ? 0x0000ff : 0);
        for (u16 i = 0; i < 128; i++)
            ((u32 *)vbuf)[i] = px;
        for (u16 y = band * 60; y < band * 60 + 60; y++)
            for (u16 x = 0; x < 640; x += 128)
                phys_copy(lfb + (u32)y * 2560 + x * 4, (u32)vbuf, 512);
    }
    screen_wait('2');

    /* text mode, a user font (1110h): 'A' becomes a solid block */
    setmode(0x03);
    static u8 block[16];
    memset_(block, 0xff, sizeof(block));
    clr(); R.eax = 0x1110; R.ebx = 0x1000; R.ecx = 1; R.edx = 'A'; R.ebp = (u32)block; call(0x10);
    clr(); R.eax = 0x0e41; call(0x10);
    screen_wait('3');
}

/* On a CD image (the runner marks it at 1F5h): the El Torito emulation status (INT 13h
 * AX=4B01h) must describe drive dl. */
static int cd_emulated(u8 dl)
{
    if (!*(volatile u8 *)0x7df5)
        return 0;
    static u8 pkt[0x13];
    memset_(pkt, 0, sizeof(pkt));
    clr(); R.eax = 0x4b01; R.edx = dl; R.esi = (u32)pkt; call(0x13);
    check(!(R.flags & CF) && pkt[0] == 0x13 && pkt[2] == dl && (pkt[1] & 0x0f) == (dl < 0x80 ? 2 : 4),
          "int13 4b01h emulation status packet", pkt[1] << 8 | pkt[2]);
    return 1;
}

static void test_disk(u8 dl)
{
    int emulated = cd_emulated(dl);
    clr(); R.eax = 0x0800; R.edx = dl; call(0x13);
    u32 cyls = (((R.ecx >> 8) & 0xff) | (R.ecx & 0xc0) << 2) + 1, spt = R.ecx & 0x3f;
    u32 heads = ((R.edx >> 8) & 0xff) + 1;
    check(!(R.flags & CF) && spt && heads && cyls <= 1024, "int13 08h geometry", R.ecx);
    if (dl < 0x80) {
        check((R.ebx & 0xff) == 4 && cyls == 80 && heads == 2 && spt == 18, "int13 08h 1.44M floppy", R.ebx);
    }
    /* CHS read of sector 1 must equal the boot sector at 7C00h (its tail: the code
     * keeps variables in the sector). */
    clr(); R.eax = 0x0201; R.ecx = 0x0001; R.edx = dl; R.ebx = (u32)buf; call(0x13);
    u32 diff = 0;
    for (int i = 440; i < 512; i++)
        if (buf[i] != *(volatile u8 *)(0x7c00 + i)) {
            diff = i << 16 | buf[i] << 8 | *(volatile u8 *)(0x7c00 + i);
            break;
        }
    check(!(R.flags & CF) && (R.eax & 0xff) == 1 && !diff, "int13 02h read boot sector", diff);
    /* Last sector reachable through CHS. */
    clr(); R.eax = 0x0201; R.ecx = ((cyls - 1) & 0xff) << 8 | ((cyls - 1) >> 2 & 0xc0) | spt;
    R.edx = dl | (heads - 1) << 8; R.ebx = (u32)buf; call(0x13);
    check(!(R.flags & CF), "int13 02h read last CHS sector", R.eax);
    clr(); R.eax = 0x0201; R.ecx = 0x0000; R.edx = dl; R.ebx = (u32)buf; call(0x13);
    check((R.flags & CF) && (R.eax >> 8 & 0xff) != 0, "int13 02h sector 0 is an error", R.eax);
    clr(); R.eax = 0x0100; R.edx = dl; call(0x13);
    check((R.eax >> 8 & 0xff) != 0, "int13 01h last status", R.eax);
    if (dl < 0x80)
        return;
    clr(); R.eax = 0x4100; R.ebx = 0x55aa; R.edx = dl; call(0x13);
    check(!(R.flags & CF) && (R.ebx & 0xffff) == 0xaa55 && (R.ecx & 1), "int13 41h EDD present", R.ebx);
    static struct { u16 size, flags; u32 cyls, heads, spt; u64 sectors; u16 bps; u32 dpte; }
        __attribute__((packed)) p;
    memset_(&p, 0, sizeof(p));
    p.size = sizeof(p);
    clr(); R.eax = 0x4800; R.edx = dl; R.esi = (u32)&p; call(0x13);
    u32 image_sectors = *(volatile u32 *)0x7dfa;    /* runner stores the size in stage 1 */
    check(!(R.flags & CF) && p.bps == 512 && p.sectors == image_sectors, "int13 48h drive parameters", (u32)p.sectors);
    check(cyls * heads * spt <= image_sectors, "int13 08h geometry within capacity", cyls * heads * spt);
    clr(); R.eax = 0x1500; R.edx = dl; call(0x13);
    /* RBIL: CX:DX = sector count; SeaBIOS reports the CHS-addressable part, we the whole. */
    u32 n15 = (R.ecx & 0xffff) << 16 | (R.edx & 0xffff);
    check((R.eax >> 8 & 0xff) == 3 && n15 <= image_sectors && n15 >= cyls * heads * spt,
          "int13 15h disk type and size", n15);
    /* EDD read of the last sector, which the runner filled with a marker. */
    static struct { u8 size, res; u16 count, off, seg; u64 lba; } __attribute__((packed)) dap;
    dap.size = 16; dap.count = 1; dap.off = (u32)buf; dap.seg = 0; dap.lba = image_sectors - 1;
    clr(); R.eax = 0x4200; R.edx = dl; R.esi = (u32)&dap; call(0x13);
    check(!(R.flags & CF) && dap.count == 1 && !memcmp_(buf, "VIREO-LAST-SECTOR", 17), "int13 42h read last LBA", R.eax);
    /* EDD write then read back (sector 100 is unused by the test image); an image on a
     * CD is read-only. */
    for (int i = 0; i < 512; i++) buf[i] = i * 7;
    dap.count = 1; dap.lba = 100;
    clr(); R.eax = 0x4300; R.edx = dl; R.esi = (u32)&dap; call(0x13);
    if (emulated) {
        check((R.flags & CF) != 0, "int13 43h write to the CD image fails", R.eax);
        return;
    }
    int wr_ok = !(R.flags & CF);
    memset_(buf, 0, 512);
    dap.count = 1;
    clr(); R.eax = 0x4200; R.edx = dl; R.esi = (u32)&dap; call(0x13);
    int same = 1;
    for (int i = 0; i < 512; i++) same &= buf[i] == (u8)(i * 7);
    check(wr_ok && !(R.flags & CF) && same, "int13 43h write + 42h read back", R.eax);
    dap.count = 1; dap.lba = image_sectors;
    clr(); R.eax = 0x4200; R.edx = dl; R.esi = (u32)&dap; call(0x13);
    check((R.flags & CF) != 0, "int13 42h beyond the end fails", R.eax);
}

void test_main(u32 dl)
{
    ram_mib = *(volatile u16 *)0x7df8;
    puts_("T: boot dl=");
    puthex(dl, 2);
    puts_("\r\n");
    test_memory();
    test_a20();
    test_block_move();
    test_clock();
    test_pci();
    test_keyboard();
    test_video();
    if (*(volatile u8 *)0x7df6 == 1) {  /* the runner asks for the screendump phases */
        screen_tests();
        outw(0, 0xf4);
    }
    if (*(volatile u8 *)0x7df6 == 2) {  /* ... or for APM power off */
        apm_power_off();
        outw(1, 0xf4);
    }
    if (*(volatile u8 *)0x7df6 == 4) {  /* ... or for vmgenid's WRITE_POINTER */
        vmgenid_test();
        outw(failed ? 1 : 0, 0xf4);
    }
    if (*(volatile u8 *)0x7df6 == 3) {  /* ... or for a mouse packet */
        mouse_packet_test();
        outw(failed ? 1 : 0, 0xf4);
    }
    test_vga_info();
    test_vga_palette();
    test_vga_graphics();
    test_vbe();
    test_apm();
    test_mouse();
    test_disk(dl);
    if (*(volatile u8 *)0x7df5) {
        static u8 pkt[0x13];
        clr(); R.eax = 0x4b00; R.edx = dl; R.esi = (u32)pkt; call(0x13);
        check(!(R.flags & CF) && pkt[0] == 0x13 && pkt[2] == dl, "int13 4b00h terminate emulation", R.eax);
    }
    test_pm_switch();
    puts_("T: done ");
    puthex(passed, 2);
    puts_(" passed ");
    puthex(failed, 2);
    puts_(" failed\r\n");
    outw(failed ? 1 : 0, 0xf4);
    for (;;)
        __asm__ volatile("hlt");
}
