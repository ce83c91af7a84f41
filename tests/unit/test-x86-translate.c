/* test-x86-translate.c: guest code snippets through the whole translator and execution loop, on
 * both tcg back ends, in real, 32-bit protected and 64-bit mode, with flat RAM. */
#include <criterion/criterion.h>
#include "util/osdep.h"
#include "util/log.h"
#include "hw/core/memory.h"
#include "cpu/x86/cpu.h"
#include "cpu/x86/cc.h"
#include "accel/tcg/tcg-accel.h"
#include "accel/tcg/cputlb.h"

/* Snippets assembled by the host assembler into .rodata; each ends with HLT. */
#define SNIPPET(name, mode, body) \
    extern const uint8_t name##_start[], name##_end[]; \
    __asm__(".pushsection .rodata\n" #name "_start:\n" mode "\n" body "\n.code64\n" #name "_end:\n.popsection\n");

#define RAM_SIZE (4 * MiB)
#define CODE 0x10000
#define PT_BASE 0x200000

static MemoryRegion sys_root, ram, io_root, io_dev;
static AddressSpace sys_as, io_as;
static X86CPU *cpu;
static uint64_t io_last_port, io_last_val;
static unsigned io_writes;

static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    return 0x1200 + off;
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    io_last_port = off;
    io_last_val = val;
    io_writes++;
}

static const MemoryRegionOps io_ops = { .read = io_read, .write = io_write, .min_size = 1, .max_size = 4 };

static void setup(TCGBackendKind backend)
{
    memory_region_init_container(&sys_root, "sys", UINT64_MAX);
    memory_region_init_ram(&ram, "ram", RAM_SIZE);
    memory_region_add_subregion(&sys_root, 0, &ram);
    address_space_init(&sys_as, &sys_root, "memory");
    memory_region_init_container(&io_root, "io", 0x10000);
    memory_region_init_io(&io_dev, "testdev", &io_ops, NULL, 0x100);
    memory_region_add_subregion(&io_root, 0x80, &io_dev);
    address_space_init(&io_as, &io_root, "io");
    if (!tcg_accel_setup(backend)) {
        cr_assert_eq(backend, TCG_BACKEND_NATIVE, "the interpreter must always be available");
        cr_skip_test("SKIPPED: the native tcg back end is not usable in this build");
    }
    if (getenv("X86TR_LOG"))
        log_parse_mask(getenv("X86TR_LOG"), &log_mask, (char[32]){ 0 }, 32);
    cpu = xzalloc(sizeof(*cpu));
    cpu->as = &sys_as;
    cpu->io = &io_as;
    x86_cpu_reset(cpu);
    Error *err = NULL;
    cr_assert(tcg_accel_vcpu_init(cpu, &err));
}

static void load(const uint8_t *start, const uint8_t *end, uint64_t addr)
{
    memcpy(ram.host + addr, start, end - start);
    memory_notify_ram_write(&ram, addr, end - start);
}

static void set_seg(int seg, uint16_t sel, uint64_t base, uint32_t limit, uint32_t flags)
{
    SegmentCache *s = &cpu->env.segs[seg];
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->flags = flags;
}

static void mode_real(void)
{
    X86CPUState *env = &cpu->env;
    for (int i = 0; i < X86_NSEGS; i++)
        env->segs[i].base = 0, env->segs[i].selector = 0;
    env->segs[R_CS].selector = CODE >> 4;
    env->segs[R_CS].base = CODE;
    env->rip = 0;
    env->regs[R_ESP] = 0x8000;
    x86_update_hflags(env);
}

static void mode_prot32(void)
{
    X86CPUState *env = &cpu->env;
    uint32_t data = DESC_P | DESC_S | DESC_W_MASK | DESC_A | DESC_B | DESC_G;
    env->cr[0] |= CR0_PE;
    set_seg(R_CS, 0x08, 0, 0xffffffff, DESC_P | DESC_S | DESC_CS_MASK | DESC_R_MASK | DESC_A | DESC_B | DESC_G);
    for (int s = 0; s < X86_NSEGS; s++)
        if (s != R_CS)
            set_seg(s, 0x10, 0, 0xffffffff, data);
    env->rip = CODE;
    env->regs[R_ESP] = 0x80000;
    x86_update_hflags(env);
}

/* Long mode needs paging: identity-map the first 1 GiB with 2 MiB pages (PML4 -> PDPT -> PD). */
static void mode_long64(void)
{
    X86CPUState *env = &cpu->env;
    uint64_t *pml4 = (uint64_t *)(ram.host + PT_BASE), *pdpt = pml4 + 512, *pd = pml4 + 1024;
    pml4[0] = (PT_BASE + 0x1000) | 7;
    pdpt[0] = (PT_BASE + 0x2000) | 7;
    for (int i = 0; i < 512; i++)
        pd[i] = ((uint64_t)i << 21) | 0x87;
    env->cr[3] = PT_BASE;
    env->cr[4] |= CR4_PAE;
    env->efer |= EFER_LME | EFER_LMA;
    env->cr[0] |= CR0_PE | CR0_PG;
    set_seg(R_CS, 0x08, 0, 0xffffffff, DESC_P | DESC_S | DESC_CS_MASK | DESC_R_MASK | DESC_A | DESC_L | DESC_G);
    for (int s = 0; s < X86_NSEGS; s++)
        if (s != R_CS)
            set_seg(s, 0x10, 0, 0xffffffff, DESC_P | DESC_S | DESC_W_MASK | DESC_A | DESC_B | DESC_G);
    env->rip = CODE;
    env->regs[R_ESP] = 0x80000;
    x86_update_hflags(env);
    tlb_flush(env);
}

static AccelExit run(void)
{
    AccelExit r = tcg_accel_exec(cpu);
    return r;
}

static uint32_t eflags(void)
{
    return (uint32_t)x86_get_eflags(&cpu->env);
}

#define R(n) (cpu->env.regs[R_##n])

/* Each test body runs once per back end. */
#define TEST_BOTH(suite, name) \
    static void body_##name(void); \
    Test(suite, name##_native, .timeout = 20) { setup(TCG_BACKEND_NATIVE); body_##name(); } \
    Test(suite, name##_interp, .timeout = 20) { setup(TCG_BACKEND_INTERP); body_##name(); } \
    static void body_##name(void)

/* ---------------------------------------------------------------- 32-bit integer */

SNIPPET(sum32, ".code32",
    "xor %eax, %eax\n mov $100, %ecx\n"
    "1: add %ecx, %eax\n dec %ecx\n jnz 1b\n"
    "mov %eax, %ebx\n sub $5051, %ebx\n"     /* -1: CF set, SF set */
    "setc %dl\n sets %dh\n"
    "hlt")

TEST_BOTH(x86_tr32, loop_sum_and_flags)
{
    load(sum32_start, sum32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(EAX), 5050);
    cr_assert_eq(R(EBX), 0xffffffff);
    cr_assert_eq(R(EDX) & 0xffff, 0x0101);
    cr_assert_eq(R(ECX), 0);
    cr_assert(eflags() & EFLAGS_CF);
    cr_assert(eflags() & EFLAGS_SF);
    cr_assert_not(eflags() & EFLAGS_ZF);
}

SNIPPET(adc32, ".code32",
    "mov $0xffffffff, %eax\n mov $1, %ebx\n add %ebx, %eax\n"   /* CF=1, ZF=1 */
    "mov $5, %ecx\n adc $10, %ecx\n"                             /* 16 */
    "mov $3, %edx\n stc\n sbb $1, %edx\n"                        /* 1 */
    "mov $0x7fffffff, %esi\n inc %esi\n seto %al\n"              /* OF=1 */
    "mov $0x80, %bl\n neg %bl\n setc %ah\n"                      /* CF=1 for non-zero */
    "hlt")

TEST_BOTH(x86_tr32, adc_sbb_inc_neg)
{
    load(adc32_start, adc32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(ECX), 16);
    cr_assert_eq(R(EDX), 1);
    cr_assert_eq(R(ESI), 0x80000000);
    cr_assert_eq(R(EAX) & 0xffff, 0x0101);
    cr_assert_eq(R(EBX) & 0xff, 0x80);
}

SNIPPET(muldiv32, ".code32",
    "mov $123456789, %eax\n mov $1000, %ecx\n mul %ecx\n"       /* edx:eax = 123456789000 */
    "mov %eax, %esi\n mov %edx, %edi\n"
    "mov $1000, %ecx\n div %ecx\n"                               /* back to 123456789, rem 0 */
    "mov %eax, %ebx\n"
    "mov $-7, %eax\n cdq\n mov $2, %ecx\n idiv %ecx\n"           /* -3 rem -1 */
    "mov %eax, %ebp\n"
    "imul $-3, %ebp, %ecx\n"                                     /* 9 */
    "hlt")

TEST_BOTH(x86_tr32, mul_div_imul)
{
    load(muldiv32_start, muldiv32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq((R(EDI) << 32) | R(ESI), 123456789000ull);
    cr_assert_eq(R(EBX), 123456789);
    cr_assert_eq((uint32_t)R(EBP), (uint32_t)-3);
    cr_assert_eq((uint32_t)R(EDX), (uint32_t)-1);
    cr_assert_eq(R(ECX), 9);
}

SNIPPET(divzero32, ".code32",
    "mov $1, %eax\n xor %ecx, %ecx\n mov $0x55, %ebx\n"
    "div %ecx\n"
    "mov $0x66, %ebx\n hlt")

TEST_BOTH(x86_tr32, divide_by_zero_is_precise)
{
    load(divzero32_start, divzero32_end, CODE);
    mode_prot32();
    /* No IDT: #DE cannot be delivered, nor the #GP and #DF that follow: a triple fault, with
     * the state of the faulting DIV (the MOV after it never ran). */
    cr_assert_eq(run(), ACCEL_EXIT_SHUTDOWN);
    cr_assert_eq(cpu->env.rip, CODE + 12, "rip %#" PRIx64, cpu->env.rip);
    cr_assert_eq(R(EBX), 0x55);
}

SNIPPET(stack32, ".code32",
    "mov $0x11, %eax\n push %eax\n push $0x22\n call 1f\n"
    "pop %ebx\n pop %ecx\n hlt\n"
    "1: mov (%esp), %edx\n"              /* return address */
    "mov 4(%esp), %esi\n"                /* 0x22 */
    "ret\n")

TEST_BOTH(x86_tr32, push_pop_call_ret)
{
    load(stack32_start, stack32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(EBX), 0x22);
    cr_assert_eq(R(ECX), 0x11);
    cr_assert_eq(R(ESI), 0x22);
    cr_assert_eq(R(EDX), CODE + 13);
    cr_assert_eq(R(ESP), 0x80000);
}

SNIPPET(string32, ".code32",
    "cld\n mov $0x20000, %edi\n mov $0x41424344, %eax\n mov $8, %ecx\n rep stosl\n"
    "mov $0x20000, %esi\n mov $0x21000, %edi\n mov $32, %ecx\n rep movsb\n"
    "movb $0x58, 0x21010\n"
    "mov $0x21000, %edi\n mov $0x58, %al\n mov $32, %ecx\n repne scasb\n"
    "mov %ecx, %ebx\n"                    /* 32 - 17 = 15 left */
    "mov $0x20000, %esi\n mov $0x21000, %edi\n mov $32, %ecx\n repe cmpsb\n"
    "mov %ecx, %edx\n"                    /* stops after the 17th byte: 15 left */
    "std\n mov $0x2101f, %esi\n lodsb\n mov %esi, %ebp\n cld\n"
    "hlt")

TEST_BOTH(x86_tr32, rep_string_ops)
{
    load(string32_start, string32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(*(uint32_t *)(ram.host + 0x2001c), 0x41424344);
    cr_assert_eq(*(uint32_t *)(ram.host + 0x2101c), 0x41424344);
    cr_assert_eq(R(EBX), 15);
    cr_assert_eq(R(EDX), 15);
    cr_assert_eq(R(EAX) & 0xff, 0x41);
    cr_assert_eq(R(EBP), 0x2101e);
}

SNIPPET(bits32, ".code32",
    "mov $0x00f0, %eax\n bsf %eax, %ebx\n bsr %eax, %ecx\n"       /* 4, 7 */
    "mov $0x12345678, %edx\n bswap %edx\n"
    "mov $5, %esi\n bts $3, %esi\n setc %al\n"                     /* esi=13, CF=0 */
    "btr $0, %esi\n setc %ah\n"                                    /* esi=12, CF=1 */
    "mov $0x80000001, %edi\n rol $1, %edi\n"                       /* 3 */
    "mov $0x81, %ebp\n shr $1, %ebp\n sar $31, %ebp\n"             /* 0x40 -> 0 */
    "hlt")

TEST_BOTH(x86_tr32, bit_ops_and_shifts)
{
    load(bits32_start, bits32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(EBX), 4);
    cr_assert_eq(R(ECX), 7);
    cr_assert_eq(R(EDX), 0x78563412);
    cr_assert_eq(R(ESI), 12);
    cr_assert_eq(R(EAX) & 0xffff, 0x0100);
    cr_assert_eq(R(EDI), 3);
    cr_assert_eq(R(EBP), 0);
}

SNIPPET(cmov32, ".code32",
    "mov $1, %eax\n mov $2, %ebx\n cmp %ebx, %eax\n cmovl %ebx, %ecx\n cmovg %eax, %edx\n"
    "mov $10, %esi\n mov $10, %eax\n mov $99, %edi\n cmpxchg %edi, %esi\n"   /* esi = 99, ZF */
    "setz %bl\n"
    "mov $5, %ebp\n mov $7, %eax\n xadd %eax, %ebp\n"                        /* ebp 12, eax 5 */
    "movzbl %bl, %ebx\n movsbl %bl, %ebx\n mov $0xff80, %ax\n movswl %ax, %eax\n"
    "hlt")

TEST_BOTH(x86_tr32, cmov_cmpxchg_xadd_movx)
{
    load(cmov32_start, cmov32_end, CODE);
    mode_prot32();
    cpu->env.regs[R_EDX] = 0x77;
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(ECX), 2);
    cr_assert_eq(R(EDX), 0x77);
    cr_assert_eq(R(ESI), 99);
    cr_assert_eq(R(EBX), 1);
    cr_assert_eq(R(EBP), 12);
    cr_assert_eq(R(EAX), 0xffffff80);
}

SNIPPET(flags32, ".code32",
    "mov $0x0500, %eax\n sahf\n lahf\n mov %eax, %ebx\n"          /* ZF? no: AH=05 -> CF PF */
    "pushf\n pop %ecx\n"
    "mov $0x15, %al\n add $0x27, %al\n daa\n mov %eax, %edx\n"    /* 15 + 27 = 42 (BCD) */
    "hlt")

TEST_BOTH(x86_tr32, lahf_sahf_pushf_daa)
{
    load(flags32_start, flags32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq((R(EBX) >> 8) & 0xff, 0x07);
    cr_assert_eq(R(ECX) & 0xff, 0x07);
    cr_assert_eq(R(EDX) & 0xff, 0x42);
}

SNIPPET(io32, ".code32",
    "mov $0x84, %dx\n mov $0xabcd, %ax\n out %ax, %dx\n"
    "in $0x85, %al\n mov %eax, %ebx\n"
    "hlt")

TEST_BOTH(x86_tr32, port_io)
{
    load(io32_start, io32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(io_writes, 1);
    cr_assert_eq(io_last_port, 4);
    cr_assert_eq(io_last_val, 0xabcd);
    cr_assert_eq(R(EBX) & 0xff, 0x05);
}

/* A store into the block that is running changes the instruction after it (SDM 3A 8.1.3). */
SNIPPET(smc32, ".code32",
    "movl $0x99, %eax\n"
    "movb $0x42, (2f + 1 - smc32_start + 0x10000)\n"
    "2: mov $0x11, %bl\n"
    "hlt")

TEST_BOTH(x86_tr32, self_modifying_code_in_running_block)
{
    load(smc32_start, smc32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(EBX) & 0xff, 0x42);
}

SNIPPET(smc_loop32, ".code32",
    "mov $3, %ecx\n xor %edx, %edx\n"
    "1: call 2f\n add %eax, %edx\n incb (3f + 1 - smc_loop32_start + 0x10000)\n loop 1b\n hlt\n"
    "2:\n 3: mov $1, %eax\n ret\n")

TEST_BOTH(x86_tr32, self_modifying_code_across_blocks)
{
    load(smc_loop32_start, smc_loop32_end, CODE);
    mode_prot32();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(EDX), 1 + 2 + 3);
}

/* ---------------------------------------------------------------- real mode */

SNIPPET(real16, ".code16",
    "mov $0x3000, %ax\n mov %ax, %ds\n movw $0x1234, (0x10)\n"
    "xor %ax, %ax\n mov %ax, %ds\n mov (0x10), %bx\n"
    "mov $0x3000, %ax\n mov %ax, %es\n mov %es:(0x10), %cx\n"
    "mov $5, %cx\n xor %dx, %dx\n 1: add %cx, %dx\n loop 1b\n"    /* 15 */
    "push $0x77\n pop %si\n"
    "mov $0x86, %dx\n mov $0x5a, %al\n out %al, %dx\n"
    "ljmp $0x1000, $(2f - real16_start)\n"
    "2: mov %cs, %di\n"
    "hlt")

TEST_BOTH(x86_tr16, real_mode_segments_loop_io_far_jump)
{
    load(real16_start, real16_end, CODE);
    mode_real();
    *(uint16_t *)(ram.host + 0x10) = 0xbeef;
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(*(uint16_t *)(ram.host + 0x30010), 0x1234);
    cr_assert_eq(R(EBX) & 0xffff, 0xbeef, "bx %#" PRIx64, R(EBX));
    cr_assert_eq(R(ECX) & 0xffff, 0);
    cr_assert_eq(R(EDX) & 0xffff, 0x86);
    cr_assert_eq(R(ESI) & 0xffff, 0x77);
    cr_assert_eq(io_last_val, 0x5a);
    cr_assert_eq(R(EDI) & 0xffff, 0x1000);
    cr_assert_eq(cpu->env.segs[R_CS].base, 0x10000);
}

/* ---------------------------------------------------------------- 64-bit mode */

SNIPPET(long64, ".code64",
    "mov $0x123456789abcdef0, %rax\n mov %rax, %r9\n shr $32, %r9\n"
    "lea data64(%rip), %rbx\n mov (%rbx), %r10\n add data64(%rip), %r10\n"
    "mov $-1, %r11d\n"                                           /* zero-extends */
    "movslq %r11d, %r12\n"
    "mov $3, %r13\n mul %r13\n"                                  /* rdx:rax = rax*3 */
    "push %r9\n pop %r14\n"
    "hlt\n"
    "data64: .quad 0x1111111111111111\n")

TEST_BOTH(x86_tr64, rex_registers_riprel_and_widths)
{
    load(long64_start, long64_end, CODE);
    mode_long64();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(R9), 0x12345678);
    cr_assert_eq(R(R10), 0x2222222222222222ull);
    cr_assert_eq(R(R11), 0xffffffffull);
    cr_assert_eq(R(R12), ~0ull);
    cr_assert_eq(R(EAX), 0x123456789abcdef0ull * 3);
    cr_assert_eq(R(EDX), 0);
    cr_assert_eq(R(R14), 0x12345678);
}

SNIPPET(count64, ".code64",
    "mov $0xf000, %rax\n popcnt %rax, %rbx\n tzcnt %rax, %rcx\n lzcnt %rax, %rdx\n"
    "mov $0x1122334455667788, %rsi\n movbe %rsi, store64(%rip)\n mov store64(%rip), %rdi\n"
    "xor %eax, %eax\n stc\n mov $1, %r8\n adcx %rax, %r8\n"        /* 2 */
    "hlt\n"
    "store64: .quad 0\n")

TEST_BOTH(x86_tr64, popcnt_tzcnt_lzcnt_movbe_adcx)
{
    load(count64_start, count64_end, CODE);
    mode_long64();
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(R(EBX), 4);
    cr_assert_eq(R(ECX), 12);
    cr_assert_eq(R(EDX), 48);
    cr_assert_eq(R(EDI), 0x8877665544332211ull);
    cr_assert_eq(R(R8), 2);
}

/* ---------------------------------------------------------------- SSE */

SNIPPET(sse64, ".code64",
    "lea vec(%rip), %rsi\n"
    "movdqu (%rsi), %xmm0\n movdqu 16(%rsi), %xmm1\n paddd %xmm1, %xmm0\n movdqu %xmm0, 32(%rsi)\n"
    "pxor %xmm2, %xmm2\n pcmpeqb %xmm2, %xmm1\n pmovmskb %xmm1, %ebx\n"
    "mov $7, %eax\n cvtsi2sd %eax, %xmm3\n mulsd %xmm3, %xmm3\n cvttsd2si %xmm3, %ecx\n"
    "movq %xmm0, %rdx\n movd %xmm0, %edi\n pshufd $0x1b, %xmm0, %xmm4\n movd %xmm4, %r8d\n"
    "hlt\n"
    ".align 16\n vec: .long 1, 2, 3, 4, 10, 0, 30, 0\n .fill 16, 1, 0\n")

TEST_BOTH(x86_tr64, sse2_integer_and_scalar_double)
{
    load(sse64_start, sse64_end, CODE);
    mode_long64();
    cpu->env.cr[4] |= CR4_OSFXSR;
    x86_update_hflags(&cpu->env);
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    uint32_t out[4];   /* the snippet's 16-byte result, not necessarily aligned */
    memcpy(out, ram.host + CODE + (sse64_end - sse64_start) - 16, sizeof(out));
    cr_assert_eq(out[0], 11);
    cr_assert_eq(out[1], 2);
    cr_assert_eq(out[2], 33);
    cr_assert_eq(out[3], 4);
    cr_assert_eq(R(EBX), 0xfefe, "pmovmskb %#" PRIx64, R(EBX));
    cr_assert_eq(R(ECX), 49);
    cr_assert_eq(R(EDX), (2ull << 32) | 11);
    cr_assert_eq(R(EDI), 11);
    cr_assert_eq(R(R8), 4);
}

SNIPPET(x87_32, ".code32",
    "fninit\n fild (0x20000)\n fild (0x20004)\n faddp\n fistp (0x20008)\n"
    "fldpi\n fmul %st(0), %st(0)\n fistp (0x2000c)\n fnstsw %ax\n"
    "hlt")

TEST_BOTH(x86_tr32, x87_integer_round_trip)
{
    load(x87_32_start, x87_32_end, CODE);
    mode_prot32();
    *(int32_t *)(ram.host + 0x20000) = 40;
    *(int32_t *)(ram.host + 0x20004) = 2;
    cr_assert_eq(run(), ACCEL_EXIT_HLT);
    cr_assert_eq(*(int32_t *)(ram.host + 0x20008), 42);
    cr_assert_eq(*(int32_t *)(ram.host + 0x2000c), 10);     /* pi^2 = 9.87 rounds to 10 */
    cr_assert_eq(R(EAX) & 0x3800, 0, "TOP back to 0: fsw %#" PRIx64, R(EAX));
}
