#!/usr/bin/env bash
# prepare.sh: build the real-OS boot guests from Debian packages into $BUILD/boot-cache (kept
# between runs): Debian's kernel, a busybox initramfs, a data disk and data CD with known
# contents, a GRUB rescue CD, a syslinux hard disk and a floppy boot sector.
# Prints one line per thing it could not build ("prepare: what: why") and exits 1 then.
set -u
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
C=$BUILD/boot-cache
mkdir -p "$C"
C=$(cd "$C" && pwd)
fail() { echo "prepare: $1" >&2; exit 1; }

tests/need-pkg.sh busybox:busybox-static cpio:cpio xorriso:xorriso grub-mkrescue:grub-common \
    /usr/lib/grub/i386-pc/boot.img:grub-pc-bin mcopy:mtools mkfs.fat:dosfstools \
    syslinux:syslinux /usr/lib/syslinux/mbr/mbr.bin:syslinux-common \
    /usr/share/seabios/bios.bin:seabios >/dev/null || fail "packages: need-pkg could not install them"
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q dynamic &&
    fail "busybox: /bin/busybox is not the static one (busybox-static)"

# --- Debian's kernels: kernel META SFX [INSTALLED]: the kernel metapackage META depends on, as
# $C/vmlinuz$SFX, and the modules the IDE disk and CD need in $C/modules$SFX. INSTALLED is the
# /boot/vmlinuz-* glob of an installed package to take instead of downloading the .deb.
kernel() {
    local meta=$1 sfx=$2 glob=${3:-} kver pkg deb
    [ -s "$C/vmlinuz$sfx" ] && [ -s "$C/modules$sfx/psmouse.ko" ] && return
    kver=
    [ -n "$glob" ] && kver=$(ls $glob 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -1)
    rm -rf "$C/kx"; mkdir -p "$C/kx"
    if [ -n "$kver" ] && [ -d "/lib/modules/$kver/kernel" ]; then
        mkdir -p "$C/kx/boot" "$C/kx/lib/modules"
        cp "/boot/vmlinuz-$kver" "$C/kx/boot/" && cp -r "/lib/modules/$kver" "$C/kx/lib/modules/"
    else
        pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -1)
        [ -n "$pkg" ] || fail "kernel: apt-cache knows no $meta dependency"
        deb=$(ls "$C"/"$pkg"_*.deb 2>/dev/null | head -1)
        if [ -z "$deb" ]; then
            (cd "$C" && apt-get download "$pkg${meta#"${meta%:*}"}" >/dev/null 2>&1) ||
                fail "kernel: apt-get download $pkg failed"
            deb=$(ls "$C"/"$pkg"_*.deb | head -1)
        fi
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$C/kx" ./boot ./lib/modules ||
            fail "kernel: could not unpack $deb"
    fi
    kver=$(ls "$C/kx/lib/modules" | head -1)
    cp "$C"/kx/boot/vmlinuz-* "$C/vmlinuz$sfx" || fail "kernel: no vmlinuz in the package"
    # The modules the IDE disk and CD need (Debian builds libata, sd, sr, isofs as modules),
    # in load order; the dependencies come from each module's own "depends=" field.
    local M=$C/modules$sfx K=$C/kx/lib/modules/$kver/kernel
    rm -rf "$M"; mkdir -p "$M"
    modpath() { find "$K" -name "$1.ko" | head -1; }
    declare -A seen=()
    order=()
    add() {
        [ -n "${seen[$1]:-}" ] && return
        seen[$1]=1
        local f d
        f=$(modpath "$1")
        [ -n "$f" ] || fail "kernel: module $1 not in the package"
        for d in $(strings -a "$f" | sed -n 's/^depends=//p' | head -1 | tr , ' '); do add "$d"; done
        # crc-t10dif and crc64-rocksoft look their crypto drivers up by name; load the generic ones first.
        case $1 in crc-t10dif) add crct10dif_generic ;; crc64-rocksoft) add crc64_rocksoft_generic ;; esac
        order+=("$1")
        cp "$f" "$M/"
    }
    for m in ata_piix sd_mod sr_mod isofs; do add "$m"; done
    printf '%s\n' "${order[@]}" >"$M/order"
    # The PS/2 mouse driver, for /init's mouse check (it depends on no other module).
    cp "$(modpath psmouse)" "$M/" || fail "kernel: module psmouse not in the package"
    rm -rf "$C/kx"
    rm -f "$C/initrd$sfx.gz"         # it carries the modules
}
kernel linux-image-amd64 "" "/boot/vmlinuz-*-amd64"

# Debian's 32-bit kernels (i386 architecture), with PAE (NX, 3-level paging) and without, and the
# i386 busybox-static for their initramfs. Missing, they only cost the 32-bit runs: the reason
# goes to $C/i386.missing, which boot.sh reports as SKIPPED.
i386() {
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        [ "$(id -u)" -eq 0 ] || return 1
        (flock 9; dpkg --add-architecture i386 && apt-get update -qq >/dev/null 2>&1) 9>/tmp/vireo-apt.lock
    fi
    if [ ! -x "$C/busybox-i386" ]; then
        rm -rf "$C/bbx" && mkdir -p "$C/bbx" &&
            (cd "$C/bbx" && apt-get download busybox-static:i386 >/dev/null 2>&1) &&
            dpkg-deb -x "$C"/bbx/busybox-static_*.deb "$C/bbx" &&
            cp "$C/bbx/bin/busybox" "$C/busybox-i386" || return 1
        rm -rf "$C/bbx"
    fi
    (kernel linux-image-686-pae:i386 -686-pae) && (kernel linux-image-686:i386 -686)
}
if i386 2>/dev/null; then rm -f "$C/i386.missing"; else
    echo "the i386 kernels or busybox-static:i386 could not be fetched (needs root, dpkg --add-architecture i386, apt)" >"$C/i386.missing"
fi

# --- memtest86+ 6.x (Debian's memtest86+): a 64-bit and a 32-bit bare-metal program that boots
# through the Linux boot protocol (-kernel) and reports on COM1 with console=ttyS0.
if [ ! -s "$C/memtest-x64.bin" ] || [ ! -s "$C/memtest-ia32.bin" ]; then
    rm -rf "$C/mtx" && mkdir -p "$C/mtx"
    (cd "$C/mtx" && apt-get download memtest86+ >/dev/null 2>&1) || fail "memtest86+: apt-get download failed"
    dpkg-deb -x "$C"/mtx/memtest86+_*.deb "$C/mtx" &&
        cp "$C/mtx/boot/memtest86+x64.bin" "$C/memtest-x64.bin" &&
        cp "$C/mtx/boot/memtest86+ia32.bin" "$C/memtest-ia32.bin" || fail "memtest86+: no memtest86+x64.bin/ia32.bin in the package"
    rm -rf "$C/mtx"
fi

# --- data disk: 2048 sectors, sector N starts with "VT-SECTOR NNNNNNNN"; data CD with a file.
if [ ! -s "$C/data.img" ]; then
    python3 - "$C/data.img" <<'EOF' || fail "data disk: python3 failed"
import sys
with open(sys.argv[1], "wb") as f:
    for n in range(2048):
        f.write(("VT-SECTOR %08d" % n).encode().ljust(512, bytes([n & 0xff])))
EOF
fi
if [ ! -s "$C/data.iso" ]; then
    rm -rf "$C/cd"; mkdir -p "$C/cd"
    echo "VT-CDROM-FILE vireo test CD" >"$C/cd/vtfile.txt"
    xorriso -as mkisofs -quiet -V VTDATA -o "$C/data.iso" "$C/cd" 2>/dev/null || fail "data CD: xorriso failed"
    rm -rf "$C/cd"
fi

# --- suite.sh's inputs: a text, and keys for its signatures (made once; the host's run and the
# guest's read the same files).
tests/need-pkg.sh xz:xz-utils bzip2:bzip2 bc:bc openssl:openssl || fail "suite: need-pkg could not install its programs"
S=$C/suite
if [ ! -s "$S/x25519-b.pub" ]; then
    rm -rf "$S"; mkdir -p "$S"
    cp /usr/share/common-licenses/GPL-3 "$S/text.in" &&
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$S/rsa.pem" 2>/dev/null &&
        openssl genpkey -algorithm ED25519 -out "$S/ed25519.pem" &&
        openssl genpkey -algorithm X25519 -out "$S/x25519-a.pem" &&
        openssl genpkey -algorithm X25519 -out "$S/x25519-b.pem" &&
        openssl pkey -in "$S/x25519-b.pem" -pubout -out "$S/x25519-b.pub" || fail "suite: openssl could not make the keys"
fi
SUITE_PROGS="openssl xz bzip2 gzip bc"

# --- initramfs: initramfs BUSYBOX MODULES OUT [PROGRAMS]: static busybox, the modules, /init
# (tests/integration/boot/init.sh), suite.sh with its inputs in /suite, and the host's
# dynamically linked PROGRAMS with the shared libraries ldd names for them, at their host paths.
initramfs() {
    local bb=$1 mods=$2 out=$3 progs=${4:-} R=$C/rootfs a p l
    [ -s "$out" ] && [ ! "$here/init.sh" -nt "$out" ] && [ ! "$here/suite.sh" -nt "$out" ] && return 1
    rm -rf "$R"; mkdir -p "$R"/{bin,dev,proc,sys,mnt,tmp,lib/modules}
    cp "$bb" "$R/bin/busybox"
    for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
    cp "$mods"/* "$R/lib/modules/"
    cp "$here/init.sh" "$R/init"; chmod 755 "$R/init"
    cp -r "$S" "$R/suite" && cp "$here/suite.sh" "$R/suite/"
    for a in $progs; do
        p=$(command -v "$a") || fail "initramfs: $a is not installed"
        mkdir -p "$R$(dirname "$p")" && cp "$p" "$R$p"
        for l in $(ldd "$p" | awk '/=>/ {print $3} /^\t\/[^ ]*ld-linux/ {print $1}'); do
            mkdir -p "$R$(dirname "$l")" && cp -L "$l" "$R$l"
        done
    done
    (cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) >"$out.tmp" &&
        mv "$out.tmp" "$out" || fail "initramfs: cpio/gzip failed"
    rm -rf "$R"
}
if initramfs /bin/busybox "$C/modules" "$C/initrd.gz"; then
    rm -f "$C/grub.iso" "$C/syslinux.img"   # both carry the initramfs
fi
initramfs /bin/busybox "$C/modules" "$C/initrd-suite.gz" "$SUITE_PROGS"
if [ ! -e "$C/i386.missing" ]; then
    for k in 686-pae 686; do initramfs "$C/busybox-i386" "$C/modules-$k" "$C/initrd-$k.gz"; done
fi

KAPPEND="console=ttyS0,115200 panic=-1 reboot=k"
# The boot media carry configuration written below: rebuild them when this script changes.
for f in grub.iso syslinux.img; do [ "$0" -nt "$C/$f" ] && rm -f "$C/$f"; done

# --- GRUB rescue CD (grub-mkrescue, BIOS only) with the same kernel and initramfs.
if [ ! -s "$C/grub.iso" ]; then
    G=$C/grubiso
    rm -rf "$G"; mkdir -p "$G/boot/grub"
    cp "$C/vmlinuz" "$C/initrd.gz" "$G/boot/"
    cat >"$G/boot/grub/grub.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
menuentry "vireo test linux" {
    echo "VT-GRUB loading linux"
    linux /boot/vmlinuz $KAPPEND vt_boot=grub vt_end=poweroff
    initrd /boot/initrd.gz
}
EOF
    grub-mkrescue -o "$C/grub.iso" "$G" >/dev/null 2>"$C/grub-mkrescue.log" ||
        fail "GRUB CD: grub-mkrescue failed ($(tail -1 "$C/grub-mkrescue.log"))"
    rm -rf "$G"
fi

# --- syslinux hard disk: syslinux's MBR, one active FAT16 partition at sector 2048 holding
# ldlinux, the kernel and the initramfs; built on image files with mtools (no mounts, no root).
if [ ! -s "$C/syslinux.img" ]; then
    P=$C/part.img
    psect=$((60 * 2048))            # 60 MiB partition
    rm -f "$P"; truncate -s $((psect * 512)) "$P"
    mkfs.fat -F 16 -h 2048 -n VTSYSLINUX "$P" >/dev/null || fail "syslinux disk: mkfs.fat failed"
    syslinux --install "$P" || fail "syslinux disk: syslinux --install failed"
    cat >"$C/syslinux.cfg" <<EOF
SERIAL 0 115200
PROMPT 0
TIMEOUT 10
DEFAULT linux
SAY VT-SYSLINUX loading linux
LABEL linux
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND $KAPPEND vt_boot=syslinux vt_end=poweroff
EOF
    MTOOLS_SKIP_CHECK=1 mcopy -i "$P" "$C/vmlinuz" "$C/initrd.gz" "$C/syslinux.cfg" ::/ ||
        fail "syslinux disk: mcopy failed"
    D=$C/syslinux.img.tmp
    rm -f "$D"; truncate -s $((2048 * 512)) "$D"
    dd if=/usr/lib/syslinux/mbr/mbr.bin of="$D" conv=notrunc status=none
    # Partition entry 1 (MBR offset 0x1be): active, CHS fields at their LBA-only maximum,
    # type 0x0e (FAT16, LBA), first sector 2048, length psect; then the 0x55aa signature.
    python3 - "$D" "$psect" <<'EOF' || fail "syslinux disk: partition table"
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(0x1be)
    f.write(struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0x0e, b"\xfe\xff\xff", 2048, int(sys.argv[2])))
    f.seek(0x1fe)
    f.write(b"\x55\xaa")
EOF
    cat "$P" >>"$D" && mv "$D" "$C/syslinux.img" || fail "syslinux disk: could not write the image"
    rm -f "$P"
fi

# --- floppy: a 1.44 MB image whose boot sector (floppy.S) checks INT 13h by reading sector 2.
if [ ! -s "$C/floppy.img" ] || [ "$here/floppy.S" -nt "$C/floppy.img" ]; then
    gcc -m16 -c -o "$C/floppy.o" "$here/floppy.S" &&
        ld -m elf_i386 -Ttext 0x7c00 -e 0x7c00 --oformat binary -o "$C/floppy.bin" "$C/floppy.o" ||
        fail "floppy: could not assemble floppy.S"
    [ "$(stat -c %s "$C/floppy.bin")" -eq 512 ] || fail "floppy: boot sector is not 512 bytes"
    rm -f "$C/floppy.img"; truncate -s 1474560 "$C/floppy.img"
    dd if="$C/floppy.bin" of="$C/floppy.img" conv=notrunc status=none
    printf 'VT-SECTOR2 floppy data' | dd of="$C/floppy.img" bs=512 seek=1 conv=notrunc status=none
    rm -f "$C/floppy.o" "$C/floppy.bin"
fi
exit 0
