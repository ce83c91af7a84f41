#!/bin/sh
# run.sh BUILD: boot the BIOS test programs under QEMU with build/bios.bin and, as the
# reference, with SeaBIOS; check boot paths and boot order. Last line: "N passed, N failed".
set -u
B=${1:-build}
T=$B/tests/bios
W=$(mktemp -d /tmp/vireo-bios-test.XXXXXX)
[ -n "${KEEP:-}" ] && echo "work dir: $W" || trap 'rm -rf "$W"' EXIT
pass=0 fail=0 skip=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

if ! tests/need-pkg.sh qemu-system-x86_64:qemu-system-x86; then
    echo "SKIPPED: qemu-system-x86 not installable"; echo "0 passed, 0 failed, 1 skipped"; exit 0
fi
SEABIOS=/usr/share/seabios/bios.bin
tests/need-pkg.sh $SEABIOS:seabios || SEABIOS=
RAM=64

# patch FILE OFFSET HEX...: little-endian bytes at a byte offset
put_le() {
    v=$3 bytes=""
    for i in 1 2 3 4; do bytes="$bytes\\$(printf '%03o' $((v & 255)))"; v=$((v >> 8)); done
    printf "$bytes" | dd of="$1" bs=1 seek="$2" count="$4" conv=notrunc status=none
}

mkimage() {     # mkimage FILE SIZE_BYTES
    rm -f "$1"
    truncate -s "$2" "$1"
    dd if="$T/stage1.bin" of="$1" conv=notrunc status=none
    dd if="$T/stage2.bin" of="$1" bs=512 seek=1 conv=notrunc status=none
    sectors=$(($2 / 512))
    put_le "$1" $((0x1f8)) $RAM 2
    put_le "$1" $((0x1fa)) $sectors 4
    printf 'VIREO-LAST-SECTOR' | dd of="$1" bs=512 seek=$((sectors - 1)) conv=notrunc status=none
}
mkimage "$W/fd.img" 1474560
mkimage "$W/hd.img" $((600 * 1024 * 1024))

# qrun NAME BIOS ARGS...: run QEMU, serial to $W/NAME.out, debugcon to $W/NAME.dbg
qrun() {
    name=$1 bios=$2; shift 2
    timeout 120 qemu-system-x86_64 -bios "$bios" -m $RAM -nographic -monitor none \
        -serial file:"$W/$name.out" -debugcon file:"$W/$name.dbg" -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=4 "$@" </dev/null >"$W/$name.log" 2>&1
    echo $? > "$W/$name.rc"
}

# suite NAME BIOS ARGS...: the service tests; every T: line is one result
suite() {
    name=$1; qrun "$@"
    rc=$(cat "$W/$name.rc")
    n_ok=$(grep -c '^T: ok' "$W/$name.out" 2>/dev/null); n_ok=${n_ok:-0}
    grep '^T: FAIL' "$W/$name.out" | sed "s/^T: FAIL/  [$name]/"
    n_bad=$(grep -c '^T: FAIL' "$W/$name.out" 2>/dev/null); n_bad=${n_bad:-0}
    if [ "$rc" = 1 ] && [ "$n_bad" = 0 ] && grep -q '^T: done' "$W/$name.out"; then
        ok "$name: $n_ok service checks"
    else
        bad "$name: exit $rc, $n_ok ok, $n_bad failed"; sed 's/^/    /' "$W/$name.out" | tail -5
    fi
}

FD="-drive file=$W/fd.img,if=floppy,format=raw"
HD="-drive file=$W/hd.img,if=ide,format=raw"
OURS=$B/bios.bin

suite floppy "$OURS" $FD -boot a
suite harddisk "$OURS" $HD -boot c
if [ -n "$SEABIOS" ]; then
    suite seabios-floppy "$SEABIOS" $FD -boot a
    suite seabios-harddisk "$SEABIOS" $HD -boot c
else
    echo "SKIPPED: SeaBIOS reference runs (package seabios missing)"; skip=$((skip + 2))
fi

grep -q '^vireo BIOS' "$W/floppy.out" && ok "banner on COM1" || bad "banner on COM1"
grep -q 'POST done' "$W/floppy.dbg" && ok "debugcon messages" || bad "debugcon messages"
# QEMU's default std VGA (SeaVGABIOS in its ROM BAR) and e1000 (iPXE from ipxe-qemu) ROMs.
grep -q 'option ROM: VGA at c0000' "$W/floppy.dbg" && ok "VGA option ROM copied to C0000h and run" ||
    bad "VGA option ROM"
if [ -e /usr/lib/ipxe/qemu/efi-e1000.rom ] || [ -e /usr/share/qemu/efi-e1000.rom ]; then
    grep -q 'iPXE (http://ipxe.org) 00:03.0' "$W/floppy.out" && ok "iPXE option ROM banner" ||
        bad "iPXE option ROM banner"
fi

# Boot order: CMOS order from -boot, then fw_cfg bootorder (bootindex) overriding it.
suite order-c "$OURS" $FD $HD -boot order=c
grep -q '^T: boot dl=80' "$W/order-c.out" && ok "-boot order=c boots the hard disk" || bad "-boot order=c"
suite order-a "$OURS" $FD $HD -boot order=a
grep -q '^T: boot dl=00' "$W/order-a.out" && ok "-boot order=a boots the floppy" || bad "-boot order=a"
suite bootindex "$OURS" $FD -drive file=$W/hd.img,if=none,format=raw,id=d0 \
    -device ide-hd,drive=d0,bootindex=0 -boot order=a
grep -q '^T: boot dl=80' "$W/bootindex.out" && ok "bootindex overrides -boot order" || bad "bootindex"

# Boot menu (-boot menu=on): keys typed on the serial console; ESC opens it once the prompt
# is out, "2" picks the second entry (the hard disk) although -boot order=a.
( for i in $(seq 80); do
      grep -q 'Select boot device' "$W/menu.out" 2>/dev/null && break
      grep -q 'Press ESC' "$W/menu.out" 2>/dev/null && printf '\033'
      sleep 0.25
  done
  printf '2'
  for i in $(seq 240); do grep -q '^T: done' "$W/menu.out" 2>/dev/null && break; sleep 0.25; done
) | timeout 90 qemu-system-x86_64 -bios "$OURS" -m $RAM -display none -monitor none -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=4 $FD $HD -boot order=a,menu=on,splash-time=10000 \
    > "$W/menu.out" 2>/dev/null
grep -q '^2\. Hard Disk' "$W/menu.out" && grep -q '^T: boot dl=80' "$W/menu.out" &&
    ok "boot menu lists the devices and boots the chosen one" || { bad "boot menu"; tail -5 "$W/menu.out"; }

# Fall back to the next device when the first is not bootable (blank floppy first).
truncate -s 1474560 "$W/blank.img"
suite fallback "$OURS" -drive file=$W/blank.img,if=floppy,format=raw $HD -boot order=ac
grep -q '^T: boot dl=80' "$W/fallback.out" && ok "blank floppy falls back to the hard disk" || bad "fallback"

# Nothing to boot: INT 18h says so.
timeout 20 qemu-system-x86_64 -bios "$OURS" -m $RAM -nographic -monitor none -serial file:"$W/none.out" \
    -nodefaults -boot order=c </dev/null >/dev/null 2>&1
grep -q 'no bootable device' "$W/none.out" && ok "no bootable device message" || bad "no bootable device"

# El Torito no-emulation boot: a GRUB rescue CD (grub-mkrescue) whose grub.cfg prints a
# marker on COM1 and exits through isa-debug-exit; GRUB reads its modules via INT 13h from the CD.
if tests/need-pkg.sh grub-mkrescue:grub-common /usr/lib/grub/i386-pc/eltorito.img:grub-pc-bin \
        xorriso:xorriso mformat:mtools; then
    mkdir -p "$W/iso/boot/grub"
    cat > "$W/iso/boot/grub/grub.cfg" <<'CFG'
set timeout=0
serial --unit=0 --speed=115200
terminal_output serial
echo "VIREO-GRUB-OK root=$root"
insmod iorw
outb 0xf4 0x00
CFG
    grub-mkrescue -o "$W/grub.iso" "$W/iso" >/dev/null 2>&1
    qrun grubcd "$OURS" -cdrom "$W/grub.iso" -boot d
    [ "$(cat "$W/grubcd.rc")" = 1 ] && grep -q 'VIREO-GRUB-OK' "$W/grubcd.out" &&
        ok "GRUB CD (El Torito, no emulation) boots" || { bad "GRUB CD boot"; tail -3 "$W/grubcd.out"; }
    if [ -n "$SEABIOS" ]; then
        qrun grubcd-seabios "$SEABIOS" -cdrom "$W/grub.iso" -boot d
        a=$(grep -o 'VIREO-GRUB-OK.*' "$W/grubcd.out" | tr -d '\r')
        b=$(grep -o 'VIREO-GRUB-OK.*' "$W/grubcd-seabios.out" | tr -d '\r')
        [ -n "$a" ] && [ "$a" = "$b" ] && ok "GRUB sees the same boot device as under SeaBIOS ($a)" ||
            bad "GRUB boot device differs from SeaBIOS: '$a' vs '$b'"
    fi
else
    echo "SKIPPED: GRUB CD boot (grub-common/grub-pc-bin/xorriso/mtools not installable)"; skip=$((skip + 2))
fi

# Direct Linux boot through fw_cfg (-kernel/-initrd/-append): Debian's kernel and a busybox
# initramfs whose init prints a marker and powers off through ACPI (tables from fw_cfg).
find_kernel() {
    k=$(ls /boot/vmlinuz-* 2>/dev/null | head -1)
    [ -n "$k" ] && { echo "$k"; return; }
    cache=$B/tests/bios/kernel
    k=$(ls "$cache"/boot/vmlinuz-* 2>/dev/null | head -1)
    [ -n "$k" ] && { echo "$k"; return; }
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
    [ -n "$pkg" ] || return
    mkdir -p "$cache"
    (cd "$cache" && apt-get download "$pkg" >/dev/null 2>&1 &&
     dpkg-deb --fsys-tarfile "$pkg"_*.deb | tar -x --wildcards './boot/vmlinuz-*' && rm -f "$pkg"_*.deb)
    ls "$cache"/boot/vmlinuz-* 2>/dev/null | head -1
}
KERNEL=$(find_kernel)
if [ -n "$KERNEL" ] && tests/need-pkg.sh busybox:busybox-static; then
    mkdir -p "$W/initrd/bin"
    cp "$(command -v busybox)" "$W/initrd/bin/busybox"
    cat > "$W/initrd/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox echo "VIREO-LINUX-INIT-OK"
/bin/busybox poweroff -f
INIT
    chmod +x "$W/initrd/init"
    (cd "$W/initrd" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip > "$W/initrd.gz"
    qrun linux "$OURS" -m 256 -smp 2 -kernel "$KERNEL" -initrd "$W/initrd.gz" -append "console=ttyS0 panic=-1"
    grep -q 'VIREO-LINUX-INIT-OK' "$W/linux.out" && ok "Linux ($(basename "$KERNEL")) boots to init via fw_cfg" ||
        { bad "Linux direct boot"; tail -5 "$W/linux.out" | sed 's/^/    /'; }
    # 256 MiB: usable RAM from 1 MiB to 256 MiB less the firmware tables (< 256 KiB)
    grep -Eq 'BIOS-e820: \[mem 0x0000000000100000-0x000000000ff[c-f][0-9a-f]fff\] usable' "$W/linux.out" &&
        ok "Linux sees the E820 RAM map" || bad "Linux E820 map"
    grep -q 'BIOS-e820: \[mem 0x0000000000000000-0x000000000009fbff\] usable' "$W/linux.out" &&
        ok "Linux sees 639 KiB of base memory" || bad "Linux base memory"
    [ "$(cat "$W/linux.rc")" = 0 ] && ok "Linux powers off through ACPI" || bad "Linux ACPI power-off"
    grep -q 'ACPI: RSDP 0x00000000000F' "$W/linux.out" && ok "ACPI RSDP in the F-segment" || bad "ACPI RSDP"
    grep -q 'Brought up 1 node, 2 CPUs' "$W/linux.out" && ok "Linux starts 2 CPUs from the MADT" || bad "SMP via MADT"
    grep -q 'DMI: QEMU Standard PC' "$W/linux.out" && ok "Linux reads SMBIOS (DMI)" || bad "SMBIOS"
    if grep -E "can't claim|no compatible bridge window|failed to assign|address conflict" "$W/linux.out"; then
        bad "Linux complains about PCI resources"
    else
        ok "Linux accepts the PCI BAR assignment"
    fi
    # A syslinux hard disk (MBR + FAT partition) that loads the same kernel through INT 13h.
    if tests/need-pkg.sh syslinux:syslinux /usr/lib/syslinux/mbr/mbr.bin:syslinux-common mcopy:mtools; then
        truncate -s 64M "$W/sl.img"
        # one active FAT16 partition (type 06h) at LBA 2048, CHS fields unused (FE FF FF)
        printf "\\200\\376\\377\\377\\006\\376\\377\\377" | dd of="$W/sl.img" bs=1 seek=446 conv=notrunc status=none
        put_le "$W/sl.img" 454 2048 4
        put_le "$W/sl.img" 458 $((64 * 2048 - 2048)) 4
        printf '\125\252' | dd of="$W/sl.img" bs=1 seek=510 conv=notrunc status=none
        cat > "$W/syslinux.cfg" <<'CFG'
SERIAL 0 115200
SAY VIREO-SYSLINUX-OK
PROMPT 0
DEFAULT linux
LABEL linux
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND console=ttyS0 panic=-1
CFG
        if mformat -i "$W/sl.img@@1M" :: && syslinux --offset $((2048 * 512)) --install "$W/sl.img" &&
           dd if=/usr/lib/syslinux/mbr/mbr.bin of="$W/sl.img" bs=440 count=1 conv=notrunc status=none &&
           mcopy -i "$W/sl.img@@1M" "$W/syslinux.cfg" ::syslinux.cfg &&
           mcopy -i "$W/sl.img@@1M" "$KERNEL" ::vmlinuz && mcopy -i "$W/sl.img@@1M" "$W/initrd.gz" ::initrd.gz; then
            qrun syslinux "$OURS" -m 256 -drive file="$W/sl.img",format=raw,if=ide -boot c
            grep -q 'VIREO-SYSLINUX-OK' "$W/syslinux.out" && grep -q 'VIREO-LINUX-INIT-OK' "$W/syslinux.out" &&
                ok "syslinux hard disk boots Linux" || { bad "syslinux hard disk"; tail -3 "$W/syslinux.out"; }
        else
            bad "could not build the syslinux image"
        fi
    else
        echo "SKIPPED: syslinux hard disk (syslinux/mtools not installable)"; skip=$((skip + 1))
    fi
else
    echo "SKIPPED: Linux direct boot (no kernel image or busybox available)"; skip=$((skip + 9))
fi

if [ $skip -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ $fail -eq 0 ]
