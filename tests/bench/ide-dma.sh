#!/usr/bin/env bash
# ide-dma.sh: disk throughput through PIIX IDE bus-master DMA, vireo vs QEMU 7.2, both under
# TCG, on the same guest (tests/guest/bench-ide-dma.c: 4 GiB read and 2 GiB written with
# READ/WRITE DMA EXT of 128 KiB each, over a 64 MiB raw disk in the host's page cache) and the
# same image, in MB/s and as a ratio. The host stamps the guest's START/DONE lines as they
# arrive on COM1. Best of ROUNDS; never fails the build.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
ROUNDS=${ROUNDS:-2}
guest=$BUILD/tests/guest/bench-ide-dma.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -f "$guest" ] || { echo "bench-ide-dma: SKIPPED: $guest not built"; exit 0; }
tests/need-pkg.sh qemu-system-x86_64:qemu-system-x86 >/dev/null 2>&1 || { echo "bench-ide-dma: SKIPPED: no QEMU"; exit 0; }

# The disk: sector N begins with N (32-bit little-endian), the rest is zero.
python3 - "$tmp/disk.img" <<'EOF'
import struct, sys
with open(sys.argv[1], "wb") as f:
    for n in range(64 * 2048):
        f.write(struct.pack("<I", n) + bytes(508))
EOF

# rates CMD...: "READ WRITE" in MB/s (10^6 bytes/s) from the stamped guest lines, or "- -".
rates() {
    timeout 300 "$@" </dev/null 2>/dev/null | perl -MTime::HiRes=time -ne '
        BEGIN { $| = 1 }
        $t{$1} = time if /^BENCH-(READ-START|READ-DONE|WRITE-START|WRITE-DONE)/;
        $mib{$1} = $2 if /^BENCH-(READ|WRITE)-DONE (\d+) MiB/;
        print STDERR $_ if /^BENCH-ERROR/;
        END {
            if (defined $t{"WRITE-DONE"}) {
                printf "%.0f %.0f\n", $mib{READ} * 1048576 / 1e6 / ($t{"READ-DONE"} - $t{"READ-START"}),
                    $mib{WRITE} * 1048576 / 1e6 / ($t{"WRITE-DONE"} - $t{"WRITE-START"});
            } else { print "- -\n" }
        }' 2>>"$tmp/err"
}
best() {
    local br=- bw=- r w
    for _ in $(seq "$ROUNDS"); do
        read -r r w < <(rates "$@")
        if [ "$r" != - ]; then
            { [ "$br" = - ] || [ "$r" -gt "$br" ]; } && br=$r
            { [ "$bw" = - ] || [ "$w" -gt "$bw" ]; } && bw=$w
        fi
    done
    echo "$br $bw"
}
disk=(-drive "file=$tmp/disk.img,if=ide,index=0,format=raw")
read -r qr qw < <(best qemu-system-x86_64 -accel tcg -display none -serial stdio -nic none -m 128 \
    -kernel "$guest" "${disk[@]}" -device isa-debug-exit,iobase=0xf4,iosize=4)
read -r vr vw < <(best "$VIREO" -accel tcg -nographic -m 128 -kernel "$guest" "${disk[@]}" \
    -device isa-debug-exit,iobase=0xf4,iosize=4)
ratio() { if [ "$1" = - ] || [ "$2" = - ]; then echo n/a; else awk "BEGIN {printf \"%.2f\", $1 / $2}"; fi; }
printf '%-44s %10s %10s %8s\n' "IDE bus-master DMA, 128 KiB commands (TCG)" "vireo MB/s" "QEMU MB/s" "ratio"
printf '%-44s %10s %10s %8s\n' "  read (4 GiB)" "$vr" "$qr" "$(ratio "$vr" "$qr")"
printf '%-44s %10s %10s %8s\n' "  write (2 GiB)" "$vw" "$qw" "$(ratio "$vw" "$qw")"
echo "bench-ide-dma: ratio = vireo MB/s / QEMU MB/s (above 1 is faster); best of $ROUNDS"
if grep -q . "$tmp/err"; then sed 's/^/bench-ide-dma: /' "$tmp/err" | head -5; fi
exit 0
