#!/usr/bin/env bash
# storage.sh: firmware boots a guest from disk images through vireo's storage path — the block
# layer (raw, qcow2, vmdk, vdi made by vireo-img), the IDE and floppy controllers, and the BIOS
# disk services — for Debian's SeaBIOS and for vireo's BIOS, under each accelerator.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
IMG=${IMG:-$BUILD/vireo-img}
T_SUITE=storage
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tests/need-pkg.sh /usr/share/seabios/bios.bin:seabios || t_fail install-seabios "could not install seabios"

# A boot sector that prints on COM1 and exits through isa-debug-exit with 0x2a (status 85).
cat >"$tmp/bs.S" <<'ASM'
.code16
.section .text
.globl _start
_start:
  cli
  xor %ax, %ax
  mov %ax, %ds
  mov %ax, %ss
  mov $0x7c00, %sp
  mov $0x3f8, %dx
  mov $msg, %si
1: lodsb
  test %al, %al
  jz 2f
  out %al, %dx
  jmp 1b
2: mov $0xf4, %dx
  mov $0x2a, %ax
  out %ax, %dx
  hlt
msg: .asciz "boot sector ok\n"
.org 510
.byte 0x55, 0xaa
ASM
gcc -m32 -c "$tmp/bs.S" -o "$tmp/bs.o" &&
    ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=0x7c00 --oformat binary "$tmp/bs.o" -o "$tmp/bs.bin" ||
    { t_fail build-boot-sector "could not assemble"; t_done; exit 1; }
dd if=/dev/zero of="$tmp/fd.img" bs=1024 count=1440 2>/dev/null
dd if="$tmp/bs.bin" of="$tmp/fd.img" conv=notrunc 2>/dev/null
dd if=/dev/zero of="$tmp/hd.img" bs=1M count=16 2>/dev/null
dd if="$tmp/bs.bin" of="$tmp/hd.img" conv=notrunc 2>/dev/null
for fmt in qcow2 vmdk vdi; do
    "$IMG" convert -O "$fmt" "$tmp/hd.img" "$tmp/hd.$fmt" >/dev/null 2>"$tmp/err" ||
        t_fail "vireo-img-convert-$fmt" "$(cat "$tmp/err")"
done

# boot NAME ACCEL FIRMWARE ARGS...: the boot sector must print its line and exit with 85.
boot() {
    local name=$1 accel=$2 fw=$3
    shift 3
    timeout 30 "$VIREO" -accel "$accel" -nographic -bios "$fw" "$@" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$?
    if [ $rc -eq 85 ] && grep -qa "boot sector ok" "$tmp/out"; then
        t_pass "$name[$accel]"
    else
        t_fail "$name[$accel]" "exit $rc; COM1: $(tr -cd '[:print:]\n' <"$tmp/out" | tail -c 200); stderr: $(head -c 200 "$tmp/err")"
    fi
}

engines=()
if kvm_usable; then engines+=(kvm); else t_skip "storage[kvm]" "$KVM_WHY"; fi
if "$VIREO" -accel tcg -kernel /dev/null 2>&1 | grep -q "not available"; then
    t_skip "storage[tcg]" "vireo reports: the TCG translator is not available yet"
else
    engines+=(tcg)
fi
sea=/usr/share/seabios/bios.bin
for e in "${engines[@]}"; do
    boot seabios-floppy "$e" $sea -fda "$tmp/fd.img" -boot a
    boot seabios-ide-raw "$e" $sea -hda "$tmp/hd.img" -boot c
    for fmt in qcow2 vmdk vdi; do
        boot "seabios-ide-$fmt" "$e" $sea -hda "$tmp/hd.$fmt"
    done
    boot seabios-ide-secondary-slave "$e" $sea -drive "file=$tmp/hd.img,if=ide,index=3" -boot c
    boot vireo-bios-floppy "$e" "$BUILD/bios.bin" -fda "$tmp/fd.img" -boot a
    boot vireo-bios-ide-raw "$e" "$BUILD/bios.bin" -hda "$tmp/hd.img"
    boot vireo-bios-ide-qcow2 "$e" "$BUILD/bios.bin" -hda "$tmp/hd.qcow2"
done

# Errors: one clear line, exit 1.
"$VIREO" -accel kvm -hda "$tmp/missing.img" >/dev/null 2>"$tmp/err" </dev/null
[ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "missing.img" "$tmp/err" &&
    t_pass missing-image-error || t_fail missing-image-error "$(cat "$tmp/err")"
"$VIREO" -accel kvm -fda "$tmp/bs.bin" >/dev/null 2>"$tmp/err" </dev/null
[ $? -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && t_pass odd-floppy-size-error || t_fail odd-floppy-size-error "$(cat "$tmp/err")"
"$VIREO" -accel kvm -hda "$tmp/hd.img" -drive "file=$tmp/hd.img,index=0" >/dev/null 2>"$tmp/err" </dev/null
[ $? -eq 1 ] && grep -q "already in use" "$tmp/err" && t_pass index-in-use-error || t_fail index-in-use-error "$(cat "$tmp/err")"
t_done
