#!/usr/bin/env bash
# bench.sh: time from launch to the initramfs marker line for Debian's kernel + busybox
# initramfs (direct boot, -m 256, TCG), vireo (vireo BIOS, SeaBIOS) vs QEMU 7.2 TCG, as a
# ratio to QEMU. Best of ROUNDS runs each. Prints a table; never fails the build.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
ROUNDS=${ROUNDS:-2}
C=$BUILD/boot-cache
here=$(dirname "$0")
limit=240
if ! "$here/prepare.sh" >/dev/null; then echo "bench-boot: SKIPPED: guests could not be prepared"; exit 0; fi
tests/need-pkg.sh qemu-system-x86_64:qemu-system-x86 >/dev/null 2>&1 || { echo "bench-boot: SKIPPED: no QEMU"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# marker_time CMD...: seconds from launch to "VT-MARKER" on stdout, or "-" (no marker in $limit s).
marker_time() {
    local t0 now pid
    t0=$(date +%s%N)
    "$@" >"$tmp/out" 2>&1 </dev/null &
    pid=$!
    while :; do
        now=$(date +%s%N)
        if grep -qa '^VT-MARKER' "$tmp/out"; then
            kill $pid 2>/dev/null; wait $pid 2>/dev/null
            awk "BEGIN {printf \"%.2f\", ($now - $t0) / 1e9}"; return
        fi
        # No marker will come: vireo stopped, or is stuck (see boot.sh's dead ends).
        if ! kill -0 $pid 2>/dev/null || [ $(((now - t0) / 1000000000)) -ge $limit ] ||
            grep -qaE '[Nn]o bootable device|Kernel panic - not syncing' "$tmp/out" ||
            [ "$(grep -ac 'raising #UD' "$tmp/out")" -ge 5 ]; then
            kill $pid 2>/dev/null; wait $pid 2>/dev/null
            echo -; return
        fi
        sleep 0.05
    done
}
best() {
    local b=- t
    for _ in $(seq "$ROUNDS"); do
        t=$(marker_time "$@")
        if [ "$t" != - ] && { [ "$b" = - ] || awk "BEGIN {exit !($t < $b)}"; }; then b=$t; fi
    done
    echo "$b"
}
kargs=(-m 256 -nographic -no-reboot -kernel "$C/vmlinuz" -initrd "$C/initrd.gz"
       -append "console=ttyS0,115200 panic=-1 vt_end=poweroff")
q=$(best qemu-system-x86_64 -accel tcg "${kargs[@]}")
printf '%-44s %10s %10s %8s\n' "Linux boot to /init (TCG, best of $ROUNDS)" "vireo s" "QEMU 7.2 s" "ratio"
for fw in vireo seabios; do
    fa=(); [ $fw = seabios ] && fa=(-bios /usr/share/seabios/bios.bin)
    v=$(best "$VIREO" -accel tcg "${fa[@]}" "${kargs[@]}")
    if [ "$v" = - ] || [ "$q" = - ]; then r="n/a"; else r=$(awk "BEGIN {printf \"%.2f\", $v / $q}"); fi
    [ "$v" = - ] && v="no boot"
    printf '%-44s %10s %10s %8s\n' "  vireo with $fw BIOS (QEMU with SeaBIOS)" "$v" "$q" "$r"
done
echo "bench-boot: ratio = vireo time / QEMU time (below 1 is faster); 'no boot' = no marker (vireo stopped, got stuck, or ${limit}s passed)"
exit 0
