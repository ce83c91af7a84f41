/* guest.h: the freestanding runtime shared by every guest test (32-bit and 64-bit builds). */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>

/* Selectors of the runtime's GDT (lib/desc.c); the same slots in both builds. */
#define SEL_CODE32   0x08
#define SEL_DATA     0x10
#define SEL_CODE16   0x18
#define SEL_DATA16   0x20
#define SEL_CODE64   0x28
#define SEL_UCODE32  0x33   /* DPL 3 */
#define SEL_UDATA    0x3b   /* DPL 3 */
#define SEL_UCODE64  0x43   /* DPL 3 */
#define SEL_TSS      0x48
#define SEL_FREE     0x58   /* for a test's own descriptor (16 bytes) */

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4

static inline void outb(uint16_t port, uint8_t v) { asm volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { asm volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { asm volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    asm volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline unsigned long read_cr0(void) { unsigned long v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr2(void) { unsigned long v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr3(void) { unsigned long v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline unsigned long read_cr4(void) { unsigned long v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(unsigned long v) { asm volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(unsigned long v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(unsigned long v) { asm volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
#define EFER 0xc0000080u

static inline void invlpg(unsigned long va) { asm volatile("invlpg (%0)" :: "r"(va) : "memory"); }

/* Multiboot v1 information block (Multiboot Specification 0.6.96, section 3.3). */
struct mb_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
} __attribute__((packed));

struct mb_module {
    uint32_t mod_start, mod_end, string, reserved;
} __attribute__((packed));

/* An mmap entry; `size` does not count itself. */
struct mb_mmap_entry {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));

#define MB_BOOT_MAGIC 0x2BADB002u

/* Set by the entry code before guest_main runs. */
extern uint32_t mb_magic;
extern struct mb_info *mb_info;

/* Every test defines this; its return value goes to exit_guest(). */
int guest_main(void);

/* Serial console (COM1 16550A) and output. */
void serial_init(void);
void putchar_guest(int c);
void puts_guest(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Write `code` to isa-debug-exit; the emulator exits with status (code << 1) | 1. */
void exit_guest(uint32_t code) __attribute__((noreturn));

/* Tests report checks through this and end with pass_fail(). */
extern int check_failures;
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pass_fail(const char *name);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* Descriptor tables (lib/desc.c). */
struct int_frame;
typedef void (*int_handler_t)(struct int_frame *f);
void desc_init(void);                 /* GDT, TSS, IDT with every vector routed to the C dispatcher */
void idt_set_dpl(int vec, int dpl);   /* gate privilege for software INT n */
void idt_set_present(int vec, bool present);
void set_int_handler(int vec, int_handler_t h);
void set_kernel_stack(unsigned long top);  /* TSS ring-0 stack for interrupts from ring 3 */
extern uint64_t gdt[];

/* Frame built by lib/isr32.S or lib/isr64.S. */
#ifdef __x86_64__
struct int_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t ip, cs, flags, sp, ss;   /* pushed by the CPU; sp/ss always in 64-bit mode */
};
#else
struct int_frame {
    uint32_t edi, esi, ebp, esp_dummy, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t ip, cs, flags;
    uint32_t sp, ss;                  /* only on a privilege change */
};
#endif

/*
 * Expected faults. TRY_INSN runs one instruction with a recovery point just after it: the
 * default handler records the exception and resumes there. Intel SDM 3A 6.5: faults report
 * the address of the faulting instruction, traps the next one.
 */
struct fault_record {
    int vector;            /* -1: no exception */
    unsigned long error;
    unsigned long cr2;
    unsigned long ip;
    unsigned long cs;
};
extern volatile unsigned long fault_fixup;
extern volatile struct fault_record last_fault;
void fault_reset(void);

#ifdef __x86_64__
#define TRY_SETUP "lea 1f(%%rip), %%r11; mov %%r11, fault_fixup(%%rip)\n\t"
#define TRY_CLOBBER "r11", "memory"
#else
#define TRY_SETUP "movl $1f, fault_fixup\n\t"
#define TRY_CLOBBER "memory"
#endif

/* Run `fn` in ring 3 on `stack_top`; returns when fn executes USER_RETURN. */
void run_user(void (*fn)(void), unsigned long stack_top);
/* Ring 3 gets back by HLT (#GP at CPL 3) with this flag set: no gate DPL needed. */
extern volatile int user_return_flag;
#define USER_RETURN() do { user_return_flag = 1; asm volatile("hlt" ::: "memory"); } while (0)

const char *exception_name(int vec);

/* Paging (lib/paging.c): identity map of 1 GiB, 4 KiB pages below 4 MiB. */
void paging_init(void);
unsigned long *pte_low(unsigned long va);   /* the 4 KiB PTE of va < 4 MiB */
#define PTE_P 1ul
#define PTE_W 2ul
#define PTE_U 4ul

#endif
