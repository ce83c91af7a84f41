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

#define CF 0x0001
#define ZF 0x0040

static inline void outb(u8 v, u16 p) { __asm__ volatile("outb %0, %w1" :: "a"(v), "Nd"(p)); }
static inline u8 inb(u16 p) { u8 v; __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void outw(u16 v, u16 p) { __asm__ volatile("outw %0, %w1" :: "a"(v), "Nd"(p)); }

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
    u8 *cfg = (u8 *)((R.es << 4) + (R.ebx & 0xffff));
    check(!(R.flags & CF) && *(u16 *)cfg >= 8 && cfg[2] == 0xfc, "int15 c0h system config", cfg[2]);
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
    check(off_ok && (R.eax & 0xff) == 0 && a20_wraps(), "int15 2400h a20 off wraps", R.eax);
    clr(); R.eax = 0x2401; call(0x15);
    int on_ok = !(R.flags & CF);
    clr(); R.eax = 0x2402; call(0x15);
    check(on_ok && (R.eax & 0xff) == 1 && !a20_wraps(), "int15 2401h a20 on", R.eax);
}

static u8 bcd_ok(u8 v, u8 max) { return (v & 15) < 10 && (v >> 4) < 10 && ((v >> 4) * 10 + (v & 15)) <= max; }

static void test_clock(void)
{
    clr(); call(0x1a);
    u32 t0 = (R.ecx & 0xffff) << 16 | (R.edx & 0xffff);
    check(t0 == bda32(0x6c) || t0 + 1 == bda32(0x6c), "int1a 00h ticks = BDA 46Ch", t0);
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

static u8 buf[2048] __attribute__((aligned(16)));

static void test_disk(u8 dl)
{
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
    /* EDD write then read back (sector 100 is unused by the test image). */
    for (int i = 0; i < 512; i++) buf[i] = i * 7;
    dap.count = 1; dap.lba = 100;
    clr(); R.eax = 0x4300; R.edx = dl; R.esi = (u32)&dap; call(0x13);
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
    test_clock();
    test_pci();
    test_keyboard();
    test_video();
    test_disk(dl);
    puts_("T: done ");
    puthex(passed, 2);
    puts_(" passed ");
    puthex(failed, 2);
    puts_(" failed\r\n");
    outw(failed ? 1 : 0, 0xf4);
    for (;;)
        __asm__ volatile("hlt");
}
