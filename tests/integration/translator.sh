#!/usr/bin/env bash
# translator.sh: guest code that stresses the translator's limits must run, never kill vireo —
# a straight-line block long enough to overflow the temps of one translation (it is
# retranslated smaller), on both TCG back ends.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
T_SUITE=translator
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if "$VIREO" -accel tcg -kernel /dev/null 2>&1 | grep -q "not available"; then
    t_skip translator "vireo reports: the TCG translator is not available"; t_done; exit 0
fi
{
    printf '.section .text\n.globl _start\n.align 4\n.long 0x1BADB002, 0x0, -(0x1BADB002)\n_start:\n'
    printf '  xor %%eax, %%eax\n  xor %%ebx, %%ebx\n  xor %%ecx, %%ecx\n'
    for _ in $(seq 400); do printf '  rcl $1, %%eax\n  add $1, %%ebx\n  rol $16, %%ecx\n'; done
    printf '  mov %%ebx, %%eax\n  and $0x7f, %%eax\n  mov $0xf4, %%dx\n  out %%eax, %%dx\n  hlt\n'
} >"$tmp/long.S"
gcc -m32 -c "$tmp/long.S" -o "$tmp/long.o" &&
    ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=0x100000 "$tmp/long.o" -o "$tmp/long.elf" ||
    { t_fail build "could not assemble"; t_done; exit 1; }
for be in native interp; do
    timeout 60 "$VIREO" -accel "tcg,backend=$be" -nographic -kernel "$tmp/long.elf" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null >"$tmp/out" 2>&1
    rc=$?
    # 400 increments of EBX, masked to 7 bits (16), written to isa-debug-exit: (16 << 1) | 1.
    [ $rc -eq 33 ] && t_pass "long-block[$be]" || t_fail "long-block[$be]" "exit $rc: $(tail -2 "$tmp/out")"
done
t_done
