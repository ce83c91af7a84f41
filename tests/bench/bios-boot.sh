#!/bin/sh
# bios-boot.sh BUILD: time from reset to the boot loader's first instruction under QEMU TCG,
# vireo BIOS vs SeaBIOS, on the same machine in the same run. The boot sector's first
# instruction exits QEMU; a BIOS that exits at its reset vector gives QEMU's own start-up
# cost, which is subtracted. Prints a table; never fails the build.
set -u
B=${1:-build}
N=${BENCH_RUNS:-7}
W=$(mktemp -d /tmp/vireo-bios-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
tests/need-pkg.sh qemu-system-x86_64:qemu-system-x86 /usr/share/seabios/bios.bin:seabios ||
    { echo "bios-boot: SKIPPED (qemu-system-x86 or seabios missing)"; exit 0; }
SEABIOS=/usr/share/seabios/bios.bin

truncate -s 1M "$W/hd.img"
dd if="$B/tests/bios/exitboot.bin" of="$W/hd.img" conv=notrunc status=none
# Baseline "BIOS": mov $0,%ax; out %ax,$0xf4 at F000:FFF0.
truncate -s 131072 "$W/exit.bin"
printf '\270\000\000\347\364\364' | dd of="$W/exit.bin" bs=1 seek=$((131072 - 16)) conv=notrunc status=none

now_ms() { date +%s%N | cut -c1-13; }
# median of N wall-clock runs in ms
measure() {
    bios=$1; shift
    for i in $(seq "$N"); do
        t0=$(now_ms)
        timeout 60 qemu-system-x86_64 -bios "$bios" -m 128 -display none -monitor none -serial null \
            -device isa-debug-exit,iobase=0xf4,iosize=4 "$@" </dev/null >/dev/null 2>&1
        t1=$(now_ms)
        echo $((t1 - t0))
    done | sort -n | sed -n "$(( (N + 1) / 2 ))p"
}

HD="-drive file=$W/hd.img,format=raw,if=ide -boot c"
printf '%-34s %10s %10s %8s\n' "reset -> boot sector (TCG)" "vireo ms" "SeaBIOS ms" "ratio"
for cfg in minimal default; do
    if [ $cfg = minimal ]; then extra="-net none -vga none"; else extra=""; fi
    base=$(measure "$W/exit.bin" $extra $HD)
    ours=$(measure "$B/bios.bin" $extra $HD)
    sea=$(measure "$SEABIOS" $extra $HD)
    o=$((ours - base)); s=$((sea - base))
    [ $o -lt 1 ] && o=1
    ratio=$(awk -v a=$o -v b=$s 'BEGIN { printf "%.2f", b / a }')
    printf '%-34s %10d %10d %7sx\n' "$cfg ($extra) hard disk" $o $s "$ratio"
done
echo "(QEMU start-up baseline ${base} ms subtracted; median of $N runs; ratio > 1: vireo faster)"

# Deterministic: with -icount shift=0 the boot sector's TSC is virtual ns since reset.
icount() {
    timeout 120 qemu-system-x86_64 -bios "$1" -m 128 -display none -monitor none -icount shift=0 \
        -serial file:"$W/ic.out" -device isa-debug-exit,iobase=0xf4,iosize=4 $2 $HD </dev/null >/dev/null 2>&1
    v=$(tr -d '\r' < "$W/ic.out" | grep -E '^[0-9a-f]{16}$' | tail -1)
    [ -n "$v" ] && echo $(( 0x$v / 1000 )) || echo 0
}
printf '%-34s %10s %10s %8s\n' "reset -> boot sector (-icount)" "vireo us" "SeaBIOS us" "ratio"
for cfg in minimal default; do
    if [ $cfg = minimal ]; then extra="-net none -vga none"; else extra=""; fi
    o=$(icount "$B/bios.bin" "$extra"); s=$(icount "$SEABIOS" "$extra")
    ratio=$(awk -v a=$o -v b=$s 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "n/a" }')
    printf '%-34s %10d %10d %7sx\n' "$cfg virtual time" $o $s "$ratio"
done
