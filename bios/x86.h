/* x86.h: port I/O and small CPU helpers usable in both 16-bit and 32-bit firmware code. */
#ifndef BIOS_X86_H
#define BIOS_X86_H
#include "types.h"

static inline void outb(u8 v, u16 port) { __asm__ volatile("outb %0, %w1" :: "a"(v), "Nd"(port)); }
static inline void outw(u16 v, u16 port) { __asm__ volatile("outw %0, %w1" :: "a"(v), "Nd"(port)); }
static inline void outl(u32 v, u16 port) { __asm__ volatile("outl %0, %w1" :: "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %w1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }
/* Let pending interrupts in for a moment, then wait for the next one. */
static inline void wait_irq(void) { __asm__ volatile("sti\n\thlt\n\tcli" ::: "memory"); }
static inline u64 rdtsc(void) { u32 lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((u64)hi << 32) | lo; }

static inline void cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* POST codes go to the diagnostic port 0x80. */
static inline void post_code(u8 code) { outb(code, 0x80); }

/* CMOS/RTC: index port 0x70 (bit 7 = NMI disable), data port 0x71. */
static inline u8 cmos_read(u8 idx) { outb(idx | 0x80, 0x70); return inb(0x71); }
static inline void cmos_write(u8 idx, u8 v) { outb(idx | 0x80, 0x70); outb(v, 0x71); }

/* PCI configuration mechanism #1 (ports 0xCF8/0xCFC). */
static inline u32 pci_bdf_addr(u16 bdf, u8 reg) { return 0x80000000u | ((u32)bdf << 8) | (reg & 0xfc); }
static inline u32 pci_read32(u16 bdf, u8 reg) { outl(pci_bdf_addr(bdf, reg), 0xcf8); return inl(0xcfc); }
static inline u16 pci_read16(u16 bdf, u8 reg) { outl(pci_bdf_addr(bdf, reg), 0xcf8); return inw(0xcfc + (reg & 2)); }
static inline u8 pci_read8(u16 bdf, u8 reg) { outl(pci_bdf_addr(bdf, reg), 0xcf8); return inb(0xcfc + (reg & 3)); }
static inline void pci_write32(u16 bdf, u8 reg, u32 v) { outl(pci_bdf_addr(bdf, reg), 0xcf8); outl(v, 0xcfc); }
static inline void pci_write16(u16 bdf, u8 reg, u16 v) { outl(pci_bdf_addr(bdf, reg), 0xcf8); outw(v, 0xcfc + (reg & 2)); }
static inline void pci_write8(u16 bdf, u8 reg, u8 v) { outl(pci_bdf_addr(bdf, reg), 0xcf8); outb(v, 0xcfc + (reg & 3)); }

#endif
