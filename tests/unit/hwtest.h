/* hwtest.h: a standalone board (memory and I/O spaces, recorded CPU lines) for device tests. */
#ifndef TESTS_UNIT_HWTEST_H
#define TESTS_UNIT_HWTEST_H

#include "hw/core/board.h"
#include "hw/core/memory.h"

static MemoryRegion hwt_mem, hwt_io, hwt_ram;
static AddressSpace hwt_mem_as, hwt_io_as;
static int hwt_line[32];             /* levels seen on hwt_lines[] */
static int hwt_rises[32];            /* rising edges seen on hwt_lines[] */
static int hwt_resets, hwt_shutdowns, hwt_exit_status = -1;
static bool hwt_a20 = true;
static IrqLine *hwt_lines;

static void hwt_line_handler(void *opaque, int n, int level)
{
    hwt_rises[n] += level && !hwt_line[n];
    hwt_line[n] = level;
}
static void hwt_reset(void) { hwt_resets++; }
static void hwt_shutdown(int status) { hwt_shutdowns++; hwt_exit_status = status; }
static void hwt_set_a20(bool on) { hwt_a20 = on; }

/* RAM of ram_size bytes at 0 (none if 0). */
static inline void hwt_board_init(uint64_t ram_size)
{
    memory_region_init_container(&hwt_mem, "system", UINT64_MAX);
    memory_region_init_container(&hwt_io, "io", 0x10000);
    if (ram_size) {
        memory_region_init_ram(&hwt_ram, "ram", ram_size);
        memory_region_add_subregion(&hwt_mem, 0, &hwt_ram);
    }
    address_space_init(&hwt_mem_as, &hwt_mem, "memory");
    address_space_init(&hwt_io_as, &hwt_io, "io");
    board.system_memory = &hwt_mem;
    board.system_io = &hwt_io;
    board.memory_as = &hwt_mem_as;
    board.io_as = &hwt_io_as;
    board.request_reset = hwt_reset;
    board.request_shutdown = hwt_shutdown;
    board.set_a20 = hwt_set_a20;
    hwt_lines = irq_alloc_lines(hwt_line_handler, NULL, 32);
    for (int i = 0; i < ISA_NUM_IRQS; i++)
        board.isa_irq[i] = &hwt_lines[i];
}

static inline void outb(uint16_t port, uint8_t v) { address_space_st(&hwt_io_as, port, v, 1); }
static inline void outw(uint16_t port, uint16_t v) { address_space_st(&hwt_io_as, port, v, 2); }
static inline void outl(uint16_t port, uint32_t v) { address_space_st(&hwt_io_as, port, v, 4); }
static inline uint8_t inb(uint16_t port) { return address_space_ld(&hwt_io_as, port, 1, NULL); }
static inline uint16_t inw(uint16_t port) { return address_space_ld(&hwt_io_as, port, 2, NULL); }
static inline uint32_t inl(uint16_t port) { return address_space_ld(&hwt_io_as, port, 4, NULL); }

/* Unaligned little-endian loads and stores of test buffers (UBSan-clean). */
static inline uint16_t ld16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t ld32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t ld64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void st32(void *p, uint32_t v) { memcpy(p, &v, 4); }

/* Random port writes and reads over [lo, hi) must not crash (a tiny fuzz loop). */
static inline void hwt_fuzz_ports(uint16_t lo, uint16_t hi, unsigned iterations, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (unsigned i = 0; i < iterations; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        uint16_t port = lo + x % (hi - lo);
        unsigned size = 1u << ((x >> 20) % 3);
        if ((x >> 24) & 1)
            address_space_st(&hwt_io_as, port, x >> 3, size);
        else
            (void)address_space_ld(&hwt_io_as, port, size, NULL);
    }
}

#endif
