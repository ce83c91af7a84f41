#!/usr/bin/env bash
# tcg-guest-mips.sh: make bench step for the x86 translator — guest MIPS of small Multiboot
# kernels (integer ALU, memory, branches/calls) under vireo's TCG (native and interpreter back
# ends) side by side with QEMU's TCG on the same binaries, as ratios. Never fails.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each kernel loops N times (N in %ecx, patched per run), then exits through isa-debug-exit.
gen() {   # gen NAME BODY: BODY is the loop body ending in "dec %ecx; jnz 1b"
    cat >"$tmp/$1.S" <<ASM
.section .text
.globl _start
.align 4
.long 0x1BADB002, 0x0, -(0x1BADB002)
_start:
  mov \$0x300000, %esp
  mov \$0x200000, %edi
  xor %esi, %esi
  xor %eax, %eax
  xor %ebx, %ebx
  mov count, %ecx
  test %ecx, %ecx
  jz 9f
$2
9: mov \$0xf4, %dx
  xor %eax, %eax
  out %eax, %dx
  hlt
f: add \$3, %ebx
  ret
.align 4
count: .long $3
ASM
    gcc -m32 -c "$tmp/$1.S" -o "$tmp/$1.o" 2>/dev/null &&
        ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=0x100000 "$tmp/$1.o" -o "$tmp/$1.elf" 2>/dev/null
}

# name | instructions per iteration | loop
workloads=(
"integer|8|1: add %ecx, %eax; xor %eax, %ebx; rol \$3, %ebx; imul %ebx, %esi; sub %esi, %edx; lea 1(%edx,%eax), %edx; dec %ecx; jnz 1b"
"memory|6|1: mov (%edi,%esi), %eax; add %eax, 4(%edi,%esi); add \$8, %esi; and \$0xfff8, %esi; dec %ecx; jnz 1b"
"branchy|6.5|1: test \$1, %ecx; jz 2f; inc %eax; jmp 3f; 2: call f; 3: dec %ecx; jnz 1b"
)

now() { date +%s.%N; }
# run ACCEL-ARGS... : seconds for one boot to exit (status 1 from the guest)
run_vireo() {
    local t0 t1
    t0=$(now)
    timeout 120 "$VIREO" "$@" -nographic -m 128 -device isa-debug-exit,iobase=0xf4,iosize=4 >/dev/null 2>&1 </dev/null
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
run_qemu() {
    local t0 t1
    t0=$(now)
    timeout 120 qemu-system-x86_64 -accel tcg -display none -nodefaults -m 128 "$@" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 >/dev/null 2>&1 </dev/null
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
mips() {   # mips ITERS IPI SECONDS BASE: guest MIPS over the time above the empty run
    awk -v n="$1" -v k="$2" -v t="$3" -v b="$4" 'BEGIN { d = t - b; if (d <= 0.01) d = 0.01; printf "%.0f", n * k / d / 1e6 }'
}

have_qemu=1
command -v qemu-system-x86_64 >/dev/null 2>&1 || tests/need-pkg.sh qemu-system-x86_64:qemu-system-x86 >/dev/null 2>&1 ||
    have_qemu=0
echo "x86-tcg-bench: guest MIPS (Multiboot kernels, 32-bit protected mode; boot time subtracted)"
printf '%-10s %12s %12s %12s %14s\n' workload "vireo tcg" "vireo interp" "QEMU 7.2 tcg" "vireo/QEMU"
N=30000000
NI=3000000
for w in "${workloads[@]}"; do
    IFS='|' read -r name ipi body <<<"$w"
    gen "$name" "$body" "$N" && gen "$name-small" "$body" "$NI" && gen "$name-0" "$body" 0 ||
        { echo "x86-tcg-bench: $name: could not assemble"; continue; }
    b0=$(run_vireo -accel tcg -kernel "$tmp/$name-0.elf")
    t=$(run_vireo -accel tcg -kernel "$tmp/$name.elf")
    vn=$(mips "$N" "$ipi" "$t" "$b0")
    b0i=$(run_vireo -accel tcg,backend=interp -kernel "$tmp/$name-0.elf")
    ti=$(run_vireo -accel tcg,backend=interp -kernel "$tmp/$name-small.elf")
    vi=$(mips "$NI" "$ipi" "$ti" "$b0i")
    if [ $have_qemu = 1 ]; then
        q0=$(run_qemu -kernel "$tmp/$name-0.elf")
        tq=$(run_qemu -kernel "$tmp/$name.elf")
        q=$(mips "$N" "$ipi" "$tq" "$q0")
        ratio=$(awk -v a="$vn" -v b="$q" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }')
    else
        q="n/a"; ratio="n/a (no qemu-system-x86)"
    fi
    printf '%-10s %12s %12s %12s %14s\n' "$name" "$vn" "$vi" "$q" "$ratio"
done
echo "x86-tcg-bench: x87/SSE workloads: not measured yet (their helpers are x86sys's, not in this build)"
exit 0
