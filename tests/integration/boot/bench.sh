#!/usr/bin/env bash
# bench.sh: time from launch to the initramfs marker line for Debian's kernel + busybox
# initramfs (direct boot, -m 256, TCG), vireo (vireo BIOS, SeaBIOS) vs QEMU 7.2 TCG, as a
# ratio to QEMU, in wall-clock and in CPU seconds. Best of ROUNDS runs each. Prints a table;
# never fails the build.
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

# marker_time CMD...: "WALL CPU": seconds from launch to "VT-MARKER" on stdout, and the CPU
# seconds (user + system, all threads) the emulator used until then; or "- -" (no marker in
# $limit s). CPU time because these machines are shared: wall-clock time also measures the others.
marker_time() {
    local t0 now pid cpu
    rm -f "$tmp/out"             # else the last run's marker may be seen before the child truncates it
    t0=$(date +%s%N)
    "$@" >"$tmp/out" 2>&1 </dev/null &
    pid=$!
    while :; do
        now=$(date +%s%N)
        if grep -qa '^VT-MARKER' "$tmp/out"; then
            cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' /proc/$pid/stat 2>/dev/null)
            kill $pid 2>/dev/null; wait $pid 2>/dev/null
            awk "BEGIN {printf \"%.2f \", ($now - $t0) / 1e9}"; echo "${cpu:--}"; return
        fi
        # No marker will come: vireo stopped, or is stuck (see boot.sh's dead ends).
        if ! kill -0 $pid 2>/dev/null || [ $(((now - t0) / 1000000000)) -ge $limit ] ||
            grep -qaE '[Nn]o bootable device|Kernel panic - not syncing' "$tmp/out" ||
            [ "$(grep -ac 'raising #UD' "$tmp/out")" -ge 5 ]; then
            kill $pid 2>/dev/null; wait $pid 2>/dev/null
            echo "- -"; return
        fi
        sleep 0.05
    done
}
# best CMD...: "WALL CPU", each the least of ROUNDS runs
best() {
    local bw=- bc=- w c
    for _ in $(seq "$ROUNDS"); do
        read -r w c <<<"$(marker_time "$@")"
        if [ "$w" != - ] && { [ "$bw" = - ] || awk "BEGIN {exit !($w < $bw)}"; }; then bw=$w; fi
        if [ "$c" != - ] && { [ "$bc" = - ] || awk "BEGIN {exit !($c < $bc)}"; }; then bc=$c; fi
    done
    echo "$bw $bc"
}
ratio() { if [ "$1" = - ] || [ "$2" = - ]; then echo n/a; else awk "BEGIN {printf \"%.2f\", $1 / $2}"; fi; }
kargs=(-m 256 -nographic -no-reboot -kernel "$C/vmlinuz" -initrd "$C/initrd.gz"
       -append "console=ttyS0,115200 panic=-1 vt_end=poweroff")
read -r q qc <<<"$(best qemu-system-x86_64 -accel tcg "${kargs[@]}")"
printf '%-44s %8s %8s %6s %8s %8s %6s\n' "Linux boot to /init (TCG, best of $ROUNDS)" "vireo s" "QEMU s" ratio \
    "vireo" "QEMU" ratio
printf '%-44s %24s %24s\n' "" "(wall-clock)" "(CPU s)"
for fw in vireo seabios; do
    fa=(); [ $fw = seabios ] && fa=(-bios /usr/share/seabios/bios.bin)
    read -r v vc <<<"$(best "$VIREO" -accel tcg "${fa[@]}" "${kargs[@]}")"
    r=$(ratio "$v" "$q") rc=$(ratio "$vc" "$qc")
    [ "$v" = - ] && v="no boot"
    printf '%-44s %8s %8s %6s %8s %8s %6s\n' "  vireo with $fw BIOS (QEMU with SeaBIOS)" "$v" "$q" "$r" "$vc" "$qc" "$rc"
done
echo "bench-boot: ratio = vireo time / QEMU time (below 1 is faster); 'no boot' = no marker (vireo stopped, got stuck, or ${limit}s passed)"
exit 0
