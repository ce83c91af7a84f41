/* types.h: fixed-width types, CPU-mode and data-placement markers shared by all firmware code. */
#ifndef BIOS_TYPES_H
#define BIOS_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef u32 size_t;

#define NULL ((void *)0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PACKED __attribute__((packed))
#define NOINLINE __attribute__((noinline))
#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define STATIC_ASSERT(c, msg) _Static_assert(c, msg)

/*
 * Every C file in bios/ is compiled twice: once with -m16 (MODE16=1; runtime services in the
 * F-segment, running in real mode with CS=DS=ES=SS=0xF000) and once with -m32 (MODE16=0;
 * POST in 32-bit flat protected mode, linked at 0xE0000). Code that only makes sense in one
 * mode is wrapped in `if (MODE16)` / `#if MODE16`, and the linker's --gc-sections drops the
 * unused copy.
 */
#ifndef MODE16
#error "build with -DMODE16=0 or -DMODE16=1"
#endif

/* VGABIOS: 1 in the objects of the VGA option ROM (video.c is shared with the system BIOS). */
#ifndef VGABIOS
#define VGABIOS 0
#endif

/* VISIBLE16: a 16-bit function reached from assembly (interrupt entry stubs). */
#define VISIBLE16 __attribute__((used, externally_visible))
/* VISIBLE32: a 32-bit function reached from assembly (POST entry). */
#define VISIBLE32 __attribute__((used, externally_visible))

#define BIOS_SEG 0xf000u        /* segment of the 16-bit runtime */
#define BIOS_FLAT 0xf0000u      /* its flat address */

/*
 * VARFSEG: runtime state that lives in the (shadowed, writable) F-segment and is shared by
 * POST and the 16-bit services. It is defined once in a 16-bit object; 32-bit code reaches the
 * same bytes through the "f16_" alias that the build derives from the 16-bit link map
 * (0xF0000 + offset), so both modes name it identically in C.
 *   VARFSEG_DECL(struct foo, foo);   in a header
 *   VARFSEG_DEF(struct foo, foo);    in exactly one .c file
 */
#if MODE16
#define VARFSEG_DECL(type, name) extern type name
#define VARFSEG_DEF(type, name) type name __attribute__((section(".data16.var." #name)))
#else
#define VARFSEG_DECL(type, name) extern type name __asm__("f16_" #name)
/* The 16-bit build owns the bytes; this copy only absorbs an initialiser and is discarded. */
#define VARFSEG_DEF(type, name) \
    static type name##_in16 __attribute__((unused, section(".data16.var." #name)))
#endif

/* The 16-bit offset of a 16-bit symbol, usable from either mode. */
#if MODE16
#define OFFSET16(sym) ((u16)(u32)&(sym))
#else
#define OFFSET16(sym) ((u16)((u32)&(sym) - BIOS_FLAT))
#endif

#endif
