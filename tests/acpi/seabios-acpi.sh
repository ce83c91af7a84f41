#!/bin/sh
# seabios-acpi.sh: Debian's SeaBIOS runs vireo's etc/table-loader; an option ROM then walks the
# tables it placed (RSDP -> RSDT -> FACP -> DSDT) and checks every pointer and checksum.
# Needs vireo's -fw_cfg option (QEMU spelling) to hand the ROM to the firmware.
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
name=seabios-acpi-tables
skip() { echo "SKIPPED  $name: $1"; echo "acpi-firmware: 0 passed, 0 failed, 1 skipped"; exit 0; }
[ -x "$VIREO" ] || skip "no $VIREO"
"$VIREO" --help 2>&1 | grep -q -- '-fw_cfg' || skip "vireo has no -fw_cfg option yet to load the check ROM"
command -v as >/dev/null && command -v ld >/dev/null && command -v python3 >/dev/null ||
    skip "binutils or python3 missing"
tests/need-pkg.sh /usr/share/seabios/bios.bin:seabios || skip "could not install seabios"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
as --32 tests/acpi/acpi-check-rom.S -o "$tmp/rom.o" &&
    ld -m elf_i386 -Ttext=0 --oformat binary "$tmp/rom.o" -o "$tmp/rom.bin" || skip "ROM does not assemble"
# Option ROM checksum: all bytes sum to 0 (the last byte is free for it).
python3 -c "
import sys; p=sys.argv[1]; d=bytearray(open(p,'rb').read()[:2048]); d+=bytes(2048-len(d))
d[-1]=(-sum(d[:-1]))&0xff; open(p,'wb').write(d)" "$tmp/rom.bin"
accel=kvm
[ -r /dev/kvm ] && [ -w /dev/kvm ] || accel=tcg
"$VIREO" -accel $accel -nographic -m 128 -bios /usr/share/seabios/bios.bin \
    -fw_cfg name=genroms/acpicheck.bin,file="$tmp/rom.bin" -debugcon file:"$tmp/log" \
    </dev/null >"$tmp/out" 2>&1 &
pid=$!
for _ in $(seq 300); do
    grep -q "ACPICHECK: \(PASS\|FAIL\)" "$tmp/log" 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
if grep -q "ACPICHECK: PASS" "$tmp/log" 2>/dev/null; then
    echo "PASS     $name[$accel]"
    echo "acpi-firmware: 1 passed, 0 failed, 0 skipped"
elif grep -q "not available" "$tmp/out"; then
    skip "$(head -1 "$tmp/out")"
else
    echo "FAIL     $name[$accel]: $(tr -cd '[:print:]\n' <"$tmp/log" 2>/dev/null | tail -c 300)"
    echo "acpi-firmware: 0 passed, 1 failed, 0 skipped"
    exit 1
fi
