/* exitboot.S: a boot sector whose first instruction ends QEMU (isa-debug-exit), for timing
 * reset-to-boot-loader; also a 128 KiB "BIOS" that does the same at the reset vector, the
 * baseline for QEMU's own start-up cost. */
        .code16
        .section .text
        .globl _start
_start:
        movw $0, %ax
        outw %ax, $0xf4
        hlt
        .org 510
        .word 0xaa55
