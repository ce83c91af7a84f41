#!/usr/bin/env bash
# kvm-foundation.sh: start-up time (process start to the guest's exit, which bounds the time to
# its first instruction) and port-I/O round trips per second under KVM, vireo vs QEMU on the
# same Multiboot guests, as ratios. Prints a table; never fails the build.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
. "$(dirname "$0")/../integration/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! kvm_usable; then
    echo "kvm-foundation: SKIPPED: $KVM_WHY"
    exit 0
fi
tests/need-pkg.sh qemu-system-x86_64:qemu-system-x86 || { echo "kvm-foundation: SKIPPED: no QEMU"; exit 0; }

# exit-now: the first instruction writes to isa-debug-exit. ioloop: N outb/inb pairs to the
# 16550's scratch register (a device round trip each), then exit.
cat >"$tmp/exitnow.S" <<'ASM'
.section .text
.globl _start
.align 4
.long 0x1BADB002, 0x0, -(0x1BADB002)
_start:
  mov $0xf4, %dx
  xor %eax, %eax
  out %eax, %dx
  hlt
ASM
cat >"$tmp/ioloop.S" <<'ASM'
.section .text
.globl _start
.align 4
.long 0x1BADB002, 0x0, -(0x1BADB002)
_start:
  mov $200000, %ecx
  mov $0x3ff, %dx
1: out %al, %dx
  in %dx, %al
  dec %ecx
  jnz 1b
  mov $0xf4, %dx
  xor %eax, %eax
  out %eax, %dx
  hlt
ASM
for k in exitnow ioloop; do
    gcc -m32 -c "$tmp/$k.S" -o "$tmp/$k.o" && ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=0x100000 "$tmp/$k.o" -o "$tmp/$k.elf" || exit 0
done

# median wall time in ms of 5 runs of a command
median_ms() {
    local times=()
    for _ in 1 2 3 4 5; do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 </dev/null
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | awk '{ printf "%.2f", $1 / 1000 }'
}

dev="-device isa-debug-exit,iobase=0xf4,iosize=4"
v_start=$(median_ms "$VIREO" -accel kvm -nographic -kernel "$tmp/exitnow.elf" $dev)
q_start=$(median_ms qemu-system-x86_64 -accel kvm -nographic -m 128 -kernel "$tmp/exitnow.elf" $dev)
v_io=$(median_ms "$VIREO" -accel kvm -nographic -kernel "$tmp/ioloop.elf" $dev)
q_io=$(median_ms qemu-system-x86_64 -accel kvm -nographic -m 128 -kernel "$tmp/ioloop.elf" $dev)

awk -v vs="$v_start" -v qs="$q_start" -v vi="$v_io" -v qi="$q_io" 'BEGIN {
    n = 400000    # exits: one out and one in per iteration
    vr = n / ((vi - vs) / 1000); qr = n / ((qi - qs) / 1000)
    printf "%-46s %12s %12s %10s\n", "KVM foundation (median of 5)", "vireo", "QEMU 7.2", "ratio"
    printf "%-46s %10.2fms %10.2fms %9.1fx\n", "start-up to guest exit (goal < 20 ms)", vs, qs, qs / vs
    printf "%-46s %12.0f %12.0f %9.2fx\n", "port-I/O round trips per second", vr, qr, vr / qr
}'
