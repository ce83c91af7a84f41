#!/usr/bin/env bash
# tcg-guest-mips.sh: make bench step for the x86 translator — guest MIPS of small Multiboot
# kernels (integer ALU, memory, branches/calls/returns, x87, SSE2) under vireo's TCG (native and
# interpreter back ends) side by side with QEMU 7.2's TCG on the same binaries, as ratios.
# Every run's final state is checked against QEMU's (a broken translation is reported as
# WRONG, not measured). Never fails the build.
#
#     BUILD=build ROUNDS=3 ONLY='x87|sse' tests/bench/x86/tcg-guest-mips.sh
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
ROUNDS=${ROUNDS:-3}
ONLY=${ONLY:-.}     # extended regex: the workloads to run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each kernel enables the FPU and SSE (CR0.EM clear, CR0.MP and CR4.OSFXSR/OSXMMEXCPT set), runs
# SETUP, loops N times over BODY (N in %ecx, ending in "dec %ecx; jnz 1b"), writes its state
# (eax ebx edx esi, 16 bytes at [edi], xmm0 xmm2 xmm4 xmm6 xmm7) to the 0xe9 debug console and exits
# through isa-debug-exit.
gen() {   # gen FILE N SETUP BODY DATA
    cat >"$tmp/$1.S" <<ASM
.section .text
.globl _start
.align 4
.long 0x1BADB002, 0x0, -(0x1BADB002)
_start:
  mov \$0x300000, %esp
  mov %cr0, %eax
  and \$~4, %eax
  or \$2, %eax
  mov %eax, %cr0
  mov %cr4, %eax
  or \$0x600, %eax
  mov %eax, %cr4
  fninit
  mov \$0x200000, %edi
  xor %esi, %esi
  xor %eax, %eax
  xor %ebx, %ebx
  xor %edx, %edx
$3
  mov count, %ecx
  test %ecx, %ecx
  jz 9f
$4
9: mov %eax, res
  mov %ebx, res+4
  mov %edx, res+8
  mov %esi, res+12
  movdqu (%edi), %xmm1
  movdqu %xmm1, res+16
  movdqu %xmm0, res+32
  movdqu %xmm2, res+48
  movdqu %xmm4, res+64
  movdqu %xmm6, res+80
  movdqu %xmm7, res+96
  mov \$res, %esi
  mov \$112, %ecx
  mov \$0xe9, %dx
  rep outsb
  mov \$0xf4, %dx
  xor %eax, %eax
  out %eax, %dx
  hlt
f: add \$3, %ebx
  ret
.align 16
count: .long $2
.align 16
res: .fill 112, 1, 0
$5
ASM
    gcc -m32 -c "$tmp/$1.S" -o "$tmp/$1.o" 2>"$tmp/$1.err" &&
        ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=0x100000 "$tmp/$1.o" -o "$tmp/$1.elf" 2>>"$tmp/$1.err"
}

# name | instructions per iteration | iterations (native; the interpreter runs 1/30) | setup | loop | data
workloads=(
"integer|8|300000000||1: add %ecx, %eax; xor %eax, %ebx; rol \$3, %ebx; imul %ebx, %esi; sub %esi, %edx; lea 1(%edx,%eax), %edx; dec %ecx; jnz 1b|"
"memory|6|300000000||1: mov (%edi,%esi), %eax; add %eax, 4(%edi,%esi); add \$8, %esi; and \$0xfff8, %esi; dec %ecx; jnz 1b|"
"branchy|6.5|150000000||1: test \$1, %ecx; jz 2f; inc %eax; jmp 3f; 2: call f; 3: dec %ecx; jnz 1b|"
"x87|10|8000000|fldl x87c; fstpl (%edi)|1: mov %ecx, 8(%edi); fldl (%edi); fmull x87c+8; fiaddl 8(%edi); fsqrt; faddl x87c+16; fdivl x87c+24; fstpl (%edi); dec %ecx; jnz 1b|.align 8; x87c: .double 1.5, 1.0000001, 0.25, 1.0001"
"sse|10|50000000|movdqa ssec, %xmm1; movaps ssec+16, %xmm3; movapd ssec+32, %xmm5; movapd ssec+48, %xmm6; movdqa %xmm1, (%edi)|1: movdqa (%edi), %xmm0; paddd %xmm1, %xmm0; pshufd \$0x39, %xmm0, %xmm0; pxor %xmm0, %xmm2; movdqa %xmm0, (%edi); addps %xmm3, %xmm4; mulpd %xmm5, %xmm6; paddq %xmm2, %xmm7; dec %ecx; jnz 1b|.align 16; ssec: .long 0x01234567, 0x89abcdef, 0x13579bdf, 0x2468ace0; .float 1.0, 0.5, 0.25, 3.0; .double 0.999999, 1.000001; .double 1.5, 2.5"
)

# time_run OUTFILE CMD...: CPU nanoseconds (user + system, all threads) from launch to exit, or
# wall-clock nanoseconds where /usr/bin/time is missing; the debug console goes to OUTFILE. CPU
# time, because these machines are shared: wall-clock time mostly measures the other users.
time_run() {
    local out=$1 t0 t1
    shift
    rm -f "$out"
    if [ -x /usr/bin/time ]; then
        timeout 300 /usr/bin/time -f '%U %S' -o "$tmp/time" "$@" -debugcon "file:$out" -m 128 \
            -device isa-debug-exit,iobase=0xf4,iosize=4 >/dev/null 2>&1 </dev/null
        awk '{ printf "%.0f", ($1 + $2) * 1e9 }' "$tmp/time"
        return
    fi
    t0=$(date +%s%N)
    timeout 300 "$@" -debugcon "file:$out" -m 128 -device isa-debug-exit,iobase=0xf4,iosize=4 \
        >/dev/null 2>&1 </dev/null
    t1=$(date +%s%N)
    echo $((t1 - t0))
}
# best ELF OUTFILE CMD...: least nanoseconds of ROUNDS runs
best() {
    local elf=$1 out=$2 b= t
    shift 2
    for _ in $(seq "$ROUNDS"); do
        t=$(time_run "$out" "$@" -kernel "$elf")
        if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
    done
    echo "$b"
}
vireo_cmd() { echo "$VIREO -accel $1 -nographic"; }
qemu_cmd="qemu-system-x86_64 -accel tcg -display none -nodefaults"
# mips ITERS IPI NS BASE_NS: guest MIPS over the time above the empty run
mips() {
    awk -v n="$1" -v k="$2" -v t="$3" -v b="$4" 'BEGIN { d = (t - b) / 1e9; if (d <= 0.01) d = 0.01; printf "%.0f", n * k / d / 1e6 }'
}
# checked NAME MIPS REF-OUT OUT: MIPS, or WRONG/NO RESULT when the final state differs from QEMU's
checked() {
    if [ ! -s "$4" ]; then echo "NO-RESULT"
    elif [ -n "$3" ] && ! cmp -s "$3" "$4"; then echo "WRONG"
    else echo "$2"; fi
}

have_qemu=1
command -v qemu-system-x86_64 >/dev/null 2>&1 || tests/need-pkg.sh qemu-system-x86_64:qemu-system-x86 >/dev/null 2>&1 ||
    have_qemu=0
echo "x86-tcg-bench: guest MIPS (Multiboot kernels, 32-bit protected mode; CPU time, boot subtracted; best of $ROUNDS)"
printf '%-10s %12s %12s %12s %12s\n' workload "vireo tcg" "vireo interp" "QEMU 7.2 tcg" "vireo/QEMU"
for w in "${workloads[@]}"; do
    IFS='|' read -r name ipi n setup body data <<<"$w"
    [[ $name =~ $ONLY ]] || continue
    ni=$((n / 30))
    gen "$name" "$n" "$setup" "$body" "$data" && gen "$name-small" "$ni" "$setup" "$body" "$data" &&
        gen "$name-0" 0 "$setup" "$body" "$data" ||
        { echo "x86-tcg-bench: $name: could not assemble: $(head -1 "$tmp/$name.err")"; continue; }
    ref= refi= q="n/a" ratio="n/a (no QEMU)"
    if [ $have_qemu = 1 ]; then
        q0=$(best "$tmp/$name-0.elf" "$tmp/q0" $qemu_cmd)
        tq=$(best "$tmp/$name.elf" "$tmp/q" $qemu_cmd)
        time_run "$tmp/qi" $qemu_cmd -kernel "$tmp/$name-small.elf" >/dev/null
        ref=$tmp/q refi=$tmp/qi
        q=$(checked "$name" "$(mips "$n" "$ipi" "$tq" "$q0")" "" "$ref")
    fi
    b0=$(best "$tmp/$name-0.elf" "$tmp/v0" $(vireo_cmd tcg))
    t=$(best "$tmp/$name.elf" "$tmp/v" $(vireo_cmd tcg))
    vn=$(checked "$name" "$(mips "$n" "$ipi" "$t" "$b0")" "$ref" "$tmp/v")
    b0i=$(best "$tmp/$name-0.elf" "$tmp/vi0" $(vireo_cmd tcg,backend=interp))
    ti=$(ROUNDS=1 best "$tmp/$name-small.elf" "$tmp/vi" $(vireo_cmd tcg,backend=interp))
    vi=$(checked "$name" "$(mips "$ni" "$ipi" "$ti" "$b0i")" "$refi" "$tmp/vi")
    if [ $have_qemu = 1 ]; then
        ratio=$(awk -v a="$vn" -v b="$q" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "n/a" }')
    fi
    printf '%-10s %12s %12s %12s %12s\n' "$name" "$vn" "$vi" "$q" "$ratio"
done
echo "x86-tcg-bench: vireo/QEMU above 1 is faster; WRONG = final registers/memory differ from QEMU's"
exit 0
