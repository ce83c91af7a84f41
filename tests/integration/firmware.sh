#!/usr/bin/env bash
# firmware.sh: real firmware on vireo's chipset — Debian's SeaBIOS and vireo's own BIOS POST,
# print their banner on COM1 (-nographic) and reach the boot stage, under each accelerator.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
T_SUITE=firmware
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tests/need-pkg.sh /usr/share/seabios/bios.bin:seabios || t_fail install-seabios "could not install seabios"

# boot NAME ACCEL SECONDS PATTERN ARGS...: run until PATTERN shows on COM1 or time runs out.
boot() {
    local name=$1 accel=$2 secs=$3 pat=$4
    shift 4
    timeout "$secs" "$VIREO" -accel "$accel" -nographic "$@" >"$tmp/out" 2>"$tmp/err" </dev/null &
    local pid=$! found=0
    for _ in $(seq $((secs * 10))); do
        if grep -qa -- "$pat" "$tmp/out"; then found=1; break; fi
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ $found -eq 1 ]; then
        t_pass "$name[$accel]"
    else
        t_fail "$name[$accel]" "no '$pat' on COM1; stdout: $(tr -cd '[:print:]\n' <"$tmp/out" | tail -c 300) stderr: $(head -c 300 "$tmp/err")"
    fi
}

engines=()
if kvm_usable; then engines+=(kvm); else t_skip "firmware[kvm]" "$KVM_WHY"; fi
if "$VIREO" -accel tcg -kernel /dev/null 2>&1 | grep -q "not available"; then
    t_skip "firmware[tcg]" "vireo reports: the TCG translator is not available yet"
else
    engines+=(tcg)
fi
for e in "${engines[@]}"; do
    boot seabios-banner "$e" 20 "SeaBIOS (version" -bios /usr/share/seabios/bios.bin
    boot seabios-boot-stage "$e" 30 "No bootable device" -bios /usr/share/seabios/bios.bin
    boot vireo-bios-banner "$e" 20 "vireo BIOS" -bios "$BUILD/bios.bin"
    boot vireo-bios-boot-stage "$e" 30 "no bootable device" -bios "$BUILD/bios.bin"
done
t_done
