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

mkimage() {     # mkimage FILE SIZE_BYTES [KVM-FLAG [PHASE [ON-CD-FLAG]]]
    rm -f "$1"
    truncate -s "$2" "$1"
    dd if="$T/stage1.bin" of="$1" conv=notrunc status=none
    dd if="$T/stage2.bin" of="$1" bs=512 seek=1 conv=notrunc status=none
    sectors=$(($2 / 512))
    put_le "$1" $((0x1f8)) $RAM 2
    put_le "$1" $((0x1fa)) $sectors 4
    put_le "$1" $((0x1f7)) "${3:-0}" 1
    put_le "$1" $((0x1f6)) "${4:-0}" 1
    put_le "$1" $((0x1f5)) "${5:-0}" 1
    printf 'VIREO-LAST-SECTOR' | dd of="$1" bs=512 seek=$((sectors - 1)) conv=notrunc status=none
}
mkimage "$W/fd.img" 1474560
mkimage "$W/hd.img" $((600 * 1024 * 1024))

# qrun NAME BIOS ARGS...: run QEMU (or $EMU), serial to $W/NAME.out, debugcon to $W/NAME.dbg
qrun() {
    name=$1 bios=$2; shift 2
    timeout 120 ${EMU:-qemu-system-x86_64} -bios "$bios" -m $RAM -nographic -monitor none \
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

# vireo with its own firmware (our BIOS and VGA BIOS): the same service checks.
if [ -x "$B/vireo" ]; then
    EMU=$B/vireo suite vireo-floppy "$OURS" $FD -boot a
    EMU=$B/vireo suite vireo-harddisk "$OURS" $HD -boot c
else
    echo "SKIPPED: service checks on vireo ($B/vireo not built)"; skip=$((skip + 2))
fi

# Our own VGA BIOS (build/vgabios.bin) as the std VGA's ROM: the service tests through its
# INT 10h, then a screendump must show 720x400 text mode with our glyphs in the first row.
VGAROM="$(cd "$B" && pwd)/vgabios.bin"
suite vgabios "$OURS" $FD -boot a -vga none -device VGA,romfile="$VGAROM"
# Under SeaBIOS, which write-protects the option ROM area after POST: our VGA BIOS keeps its
# data and stack in conventional memory, so it works there too.
[ -n "$SEABIOS" ] && suite seabios-vireo-vgabios "$SEABIOS" $FD -boot a -vga none -device VGA,romfile="$VGAROM"
grep -q 'option ROM: VGA (vireo) at c0000' "$W/vgabios.dbg" && grep -q 'vireo VGA BIOS: 80x25 text' "$W/vgabios.dbg" &&
    ok "vireo VGA BIOS initialised as the VGA option ROM" || bad "vireo VGA BIOS init"
truncate -s 1M "$W/vt.img"
dd if="$T/vgatext.bin" of="$W/vt.img" conv=notrunc status=none
( for i in $(seq 160); do grep -q VIREO-VGA-TEXT "$W/vt.out" 2>/dev/null && break; sleep 0.25; done
  echo "screendump $W/vt.ppm"; sleep 1; echo quit
) | timeout 60 qemu-system-x86_64 -bios "$OURS" -m $RAM -display none -monitor stdio -serial file:"$W/vt.out" \
    -vga none -device VGA,romfile="$VGAROM" -net none -drive file="$W/vt.img",format=raw -boot c >/dev/null 2>&1
lit=$(tail -c +16 "$W/vt.ppm" 2>/dev/null | head -c $((720 * 16 * 3)) | od -An -v -tu1 | tr -s ' ' '\n' | grep -c '[1-9]')
if [ "$(head -c 11 "$W/vt.ppm" 2>/dev/null | tr '\n' ' ')" = "P6 720 400 " ] && [ "${lit:-0}" -gt 1000 ]; then
    ok "VGA text mode 3 on screen (720x400, $lit lit bytes in the first row)"
else
    bad "VGA text mode screendump ($(head -c 11 "$W/vt.ppm" 2>/dev/null | tr '\n' ' '), ${lit:-0} lit bytes)"
fi

# Screen contents: stage 2's screendump phases (boot sector byte 1F6h) draw mode 13h colour
# bars, a DAC colour set with 1010h and teletype text; a 640x480x32 VBE mode filled through the
# LFB; a user font (1110h) in text mode. Each phase waits for a key while the runner takes a
# screendump; checked on QEMU (our BIOS and VGA BIOS; SeaBIOS and its VGA BIOS) and on vireo.
mkimage "$W/scr.img" 1474560 0 1
screens() {     # screens NAME EXT EMULATOR ARGS...: screendumps NAME-1.EXT .. NAME-3.EXT
    name=$1 ext=$2; shift 2
    ( for n in 1 2 3; do
          for i in $(seq 240); do grep -q "T: SCREEN $n" "$W/$name.out" 2>/dev/null && break; sleep 0.25; done
          sleep 0.5; echo "screendump $W/$name-$n.$ext"; sleep 1; echo "sendkey ret"
      done
      sleep 2; echo quit
    ) | timeout 120 "$@" -m $RAM -display none -monitor stdio -serial file:"$W/$name.out" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -drive file="$W/scr.img",if=floppy,format=raw -boot a \
        >"$W/$name.log" 2>&1
    if python3 - "$W/$name" "$ext" >"$W/$name.check" 2>&1 <<'PY'
import sys
sys.path.insert(0, 'tests')
from screendump import load
base, ext = sys.argv[1:]
near = lambda p, q: all(abs(a - b) <= 6 for a, b in zip(p, q))
def cga(c):         # 6-bit DAC values of the 16 CGA colours, as 8-bit
    i = 21 if c & 8 else 0
    v = (42 * (c >> 2 & 1) + i, (21 if c == 6 else 42 * (c >> 1 & 1)) + i, 42 * (c & 1) + i)
    return tuple(x * 255 // 63 for x in v)
w, h, px2 = load(base + '-1.' + ext)
assert (w, h) in ((320, 200), (640, 400)), 'mode 13h screen is %dx%d' % (w, h)
px = lambda x, y: px2(x * w // 320, y * h // 200)      # QEMU shows it doubled
for c in range(16):
    assert near(px(20 * c + 10, 150), cga(c)), 'mode 13h colour %d is %s' % (c, px(20 * c + 10, 150))
assert near(px(305, 5), (255, 0, 0)), 'DAC 200 set by 1010h: %s' % (px(305, 5),)
yellow = sum(1 for y in range(16, 24) for x in range(40) if near(px(x, y), (255, 255, 85)))
assert yellow > 30, 'teletype text in mode 13h: %d yellow pixels' % yellow
stray = sum(1 for y in range(16) for x in range(300) if px(x, y) != (0, 0, 0))
assert stray == 0, '%d stray pixels above the text' % stray
w, h, px = load(base + '-2.' + ext)
assert (w, h) == (640, 480), 'VBE screen is %dx%d' % (w, h)
for b in range(8):
    want = (255 if b & 4 else 0, 255 if b & 2 else 0, 255 if b & 1 else 0)
    for x in (0, 320, 639):
        assert px(x, 60 * b + 30) == want, 'VBE band %d at x=%d: %s' % (b, x, px(x, 60 * b + 30))
w, h, px = load(base + '-3.' + ext)
assert (w, h) == (720, 400), 'text screen is %dx%d' % (w, h)
lit = sum(1 for y in range(16) for x in range(8) if px(x, y)[0] > 100)
assert lit == 128 and px(8, 5)[0] < 100, "user font 'A' is not a solid 8x16 block (%d lit)" % lit
print('mode 13h bars, DAC, teletype; 640x480x32 LFB bands; 1110h user font')
PY
    then ok "$name: $(cat "$W/$name.check")"; else bad "$name: $(tail -1 "$W/$name.check")"; fi
}
if command -v python3 >/dev/null; then
    screens screens-vireo-vgabios ppm qemu-system-x86_64 -bios "$OURS" -vga none -device VGA,romfile="$VGAROM" -net none
    [ -n "$SEABIOS" ] && screens screens-seabios ppm qemu-system-x86_64 -bios "$SEABIOS" -net none
    if [ -x "$B/vireo" ]; then
        screens screens-on-vireo png "$B/vireo" -bios "$OURS"
    else
        echo "SKIPPED: screendumps on vireo ($B/vireo not built)"; skip=$((skip + 1))
    fi
else
    echo "SKIPPED: screendump checks (no python3)"; skip=$((skip + 3))
fi

# APM power off (INT 15h AX=5307h, all devices, off) ends the run like ACPI S5 does: exit 0.
mkimage "$W/apm.img" 1474560 0 2
apmoff() {      # apmoff NAME BIOS [EMULATOR]
    EMU=${3:-} qrun "$1" "$2" -drive file="$W/apm.img",if=floppy,format=raw -boot a
    [ "$(cat "$W/$1.rc")" = 0 ] && ! grep -q 'T: FAIL' "$W/$1.out" && ok "$1: APM 5307h powers the machine off" ||
        bad "$1: APM power off (exit $(cat "$W/$1.rc"))"
}
apmoff apm-off "$OURS"
[ -n "$SEABIOS" ] && apmoff apm-off-seabios "$SEABIOS"
[ -x "$B/vireo" ] && apmoff apm-off-vireo "$OURS" "$B/vireo"

# PS/2 mouse: "mouse_move 10 -5" on the monitor must reach the INT 15h C207h handler
# through the i8042 aux port and IRQ12, as status 08h, X 10, Y 5 (up is positive).
mkimage "$W/mouse.img" 1474560 0 3
mousetest() {   # mousetest NAME BIOS [EMULATOR]
    name=$1
    ( for i in $(seq 160); do grep -q 'MOUSE READY' "$W/$name.out" 2>/dev/null && break; sleep 0.25; done
      sleep 0.3; echo "mouse_move 10 -5"; sleep 2; echo quit
    ) | timeout 60 ${3:-qemu-system-x86_64} -bios "$2" -m $RAM -display none -monitor stdio -serial file:"$W/$name.out" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -drive file="$W/mouse.img",if=floppy,format=raw -boot a >/dev/null 2>&1
    grep -q '^T: ok IRQ12 packet' "$W/$name.out" && ok "$name: mouse packet through IRQ12 to the C207h handler" ||
        bad "$name: $(grep -a 'IRQ12' "$W/$name.out" | tr -d '\r' || echo 'no mouse packet')"
}
mousetest mouse "$OURS"
# (SeaBIOS 1.16 hands this packet over misaligned, the Y byte as status: no reference here.)
[ -x "$B/vireo" ] && mousetest mouse-vireo "$OURS" "$B/vireo"

# The ACPI table-loader's WRITE_POINTER: QEMU's vmgenid device learns the address of its GUID
# buffer through fw_cfg "etc/vmgenid_addr"; the test program reads it back and finds the GUID.
mkimage "$W/vmgenid.img" 1474560 0 4
vmgenid() {     # vmgenid NAME BIOS
    qrun "$1" "$2" -drive file="$W/vmgenid.img",if=floppy,format=raw -boot a \
        -device vmgenid,guid=324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87
    [ "$(cat "$W/$1.rc")" = 1 ] && grep -q '^T: ok table-loader WRITE_POINTER' "$W/$1.out" &&
        ok "$1: table-loader WRITE_POINTER (vmgenid)" || bad "$1: $(grep -a 'WRITE_POINTER' "$W/$1.out" | tr -d '\r')"
}
vmgenid vmgenid "$OURS"
[ -n "$SEABIOS" ] && vmgenid vmgenid-seabios "$SEABIOS"

# PMM: a test option ROM on an e1000 allocates, finds and frees blocks during POST.
pmmtest() {     # pmmtest NAME BIOS
    qrun "$1" "$2" -nic none -device e1000,romfile="$(cd "$T" && pwd)/pmmrom.bin" $FD -boot a
    line=$(grep -ao 'PMM: ext=.* max=[0-9a-f]*' "$W/$1.out")
    set -- "$1" $(echo "$line" | sed 's/[a-z]*=/0x/g; s/PMM://')
    if [ $# = 7 ] && [ $(($2)) -ge $((0x100000)) ] && [ $(($3)) = $(($2)) ] && [ $(($4)) -ge $((0x80000)) ] &&
       [ $(($4)) -lt $((0xa0000)) ] && [ $(($5)) = 1 ] && [ $(($6)) = 0 ] && [ $(($7)) -ge 4096 ]; then
        ok "$1: PMM allocate/find/deallocate for an option ROM ($line)"
    else
        bad "$1: PMM: '$line'"
    fi
}
pmmtest pmm "$OURS"
[ -n "$SEABIOS" ] && pmmtest pmm-seabios "$SEABIOS"

# Real key presses (QEMU monitor sendkey -> i8042 -> IRQ1 -> scan code translation -> INT 16h),
# on our BIOS and on SeaBIOS: the same scan code/ASCII pairs are expected from both.
kbdtest() {     # kbdtest NAME BIOS [EMULATOR]
    name=$1 bios=$2 emu=${3:-qemu-system-x86_64}
    truncate -s 1M "$W/$name.img"
    dd if="$T/kbdecho.bin" of="$W/$name.img" conv=notrunc status=none
    ( for i in $(seq 160); do grep -q KBD-READY "$W/$name.out" 2>/dev/null && break; sleep 0.25; done
      for k in a shift-b ctrl-c f12; do echo "sendkey $k"; sleep 0.3; done
      for i in $(seq 40); do [ "$(grep -c '^K=' "$W/$name.out")" -ge 4 ] && break; sleep 0.25; done
      echo quit
    ) | timeout 60 $emu -bios "$bios" -m $RAM -display none -monitor stdio -serial file:"$W/$name.out" \
        -device isa-debug-exit,iobase=0xf4,iosize=4 -drive file="$W/$name.img",format=raw -boot c >/dev/null 2>&1
    grep '^K=' "$W/$name.out" | tr -d '\r' | tr '\n' ' '
}
keys=$(kbdtest kbd "$OURS")
[ "$keys" = "K=1e61 K=3042 K=2e03 K=8600 " ] && ok "keyboard IRQ1 + INT 16h: a, B, Ctrl-C, F12 ($keys)" ||
    bad "keyboard: got '$keys'"
if [ -n "$SEABIOS" ]; then
    skeys=$(kbdtest kbd-seabios "$SEABIOS")
    [ "$keys" = "$skeys" ] && ok "keyboard codes match SeaBIOS" || bad "keyboard codes differ from SeaBIOS: '$skeys'"
fi
if [ -x "$B/vireo" ]; then
    vkeys=$(kbdtest kbd-vireo "$OURS" "$B/vireo")
    [ "$keys" = "$vkeys" ] && ok "keyboard codes on vireo (every key, not just the first)" ||
        bad "keyboard codes on vireo: '$vkeys'"
fi

# KVM (the real CPU) where the host can run it: the service suites again, with our VGA BIOS.
# (This host's KVM may be a nested one that cannot run SeaBIOS; ours is what is checked.)
if [ -w /dev/kvm ] && qemu-system-x86_64 -enable-kvm -machine none -display none -monitor none \
        -S -daemonize -pidfile "$W/kvm.pid" >/dev/null 2>&1; then
    kill "$(cat "$W/kvm.pid")" 2>/dev/null
    mkimage "$W/fdk.img" 1474560 1
    mkimage "$W/hdk.img" $((600 * 1024 * 1024)) 1
    suite kvm-floppy "$OURS" -enable-kvm -drive file=$W/fdk.img,if=floppy,format=raw -boot a \
        -vga none -device VGA,romfile="$VGAROM" -net none
    suite kvm-harddisk "$OURS" -enable-kvm -drive file=$W/hdk.img,if=ide,format=raw -boot c \
        -vga none -device VGA,romfile="$VGAROM" -net none
    [ -x "$B/vireo" ] && EMU=$B/vireo suite vireo-kvm-floppy "$OURS" -accel kvm \
        -drive file=$W/fdk.img,if=floppy,format=raw -boot a
else
    echo "SKIPPED: KVM runs (/dev/kvm not usable)"; skip=$((skip + 2))
fi

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
    # El Torito floppy emulation: the 1.44 MB test floppy as the CD's boot image; the service
    # tests then run against the emulated drive A:.
    mkdir -p "$W/fdiso"
    mkimage "$W/fdiso/boot.img" 1474560 0 0 1
    if xorriso -as mkisofs -quiet -b boot.img -o "$W/fdemu.iso" "$W/fdiso" >/dev/null 2>&1; then
        suite cd-floppy-emulation "$OURS" -cdrom "$W/fdemu.iso" -boot d
        [ -n "$SEABIOS" ] && suite seabios-cd-floppy-emulation "$SEABIOS" -cdrom "$W/fdemu.iso" -boot d
    else
        bad "could not build the floppy-emulation CD"
    fi
    # Hard disk emulation: a 15.75 MiB test disk (CHS 32/16/63) with one partition.
    mkdir -p "$W/hdiso"
    mkimage "$W/hdiso/disk.img" $((32 * 16 * 63 * 512)) 0 0 1
    printf "\\200\\001\\001\\000\\006\\017\\077\\037" | dd of="$W/hdiso/disk.img" bs=1 seek=446 conv=notrunc status=none
    put_le "$W/hdiso/disk.img" 454 63 4
    put_le "$W/hdiso/disk.img" 458 $((32 * 16 * 63 - 63)) 4
    if xorriso -as mkisofs -quiet -hard-disk-boot -b disk.img -o "$W/hdemu.iso" "$W/hdiso" >/dev/null 2>&1; then
        suite cd-harddisk-emulation "$OURS" -cdrom "$W/hdemu.iso" -boot d
        # (no SeaBIOS reference: SeaBIOS 1.16 has no EDD functions on an emulated hard disk)
        [ -x "$B/vireo" ] && EMU=$B/vireo suite vireo-cd-harddisk-emulation "$OURS" -cdrom "$W/hdemu.iso" -boot d
    else
        bad "could not build the hard-disk-emulation CD"
    fi
else
    echo "SKIPPED: GRUB CD boot (grub-common/grub-pc-bin/xorriso/mtools not installable)"; skip=$((skip + 4))
fi

# Direct Linux boot through fw_cfg (-kernel/-initrd/-append): Debian's kernel and a busybox
# initramfs whose init prints a marker and powers off through ACPI (tables from fw_cfg).
find_kernel() {
    k=$(ls /boot/vmlinuz-* 2>/dev/null | head -1)
    [ -n "$k" ] && { echo "$k"; return; }
    cache=$B/tests/bios/kernel
    # build/ and build-san/ share one download
    k=$(ls "$cache"/boot/vmlinuz-* build/tests/bios/kernel/boot/vmlinuz-* 2>/dev/null | head -1)
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
/bin/busybox mkdir -p /proc
/bin/busybox mount -t proc proc /proc
/bin/busybox grep -q acpi=off /proc/cmdline && /bin/busybox reboot -f
/bin/busybox poweroff -f
INIT
    chmod +x "$W/initrd/init"
    (cd "$W/initrd" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip > "$W/initrd.gz"
    qrun linux "$OURS" -m 256 -smp 2 -kernel "$KERNEL" -initrd "$W/initrd.gz" -append "console=ttyS0 panic=-1"
    grep -q 'VIREO-LINUX-INIT-OK' "$W/linux.out" && ok "Linux ($(basename "$KERNEL")) boots to init via fw_cfg" ||
        { bad "Linux direct boot"; tail -5 "$W/linux.out" | sed 's/^/    /'; }
    # 256 MiB: usable RAM from 1 MiB to 256 MiB less the firmware tables (< 256 KiB)
    # The firmware's own placement of setup code, command line and initrd (as when the
    # emulator leaves it to the BIOS).
    qrun linux-layout "$OURS" -m 256 -kernel "$KERNEL" -initrd "$W/initrd.gz" \
        -append "console=ttyS0 panic=-1" -fw_cfg name=opt/vireo/linux-layout,string=1
    grep -q 'VIREO-LINUX-INIT-OK' "$W/linux-layout.out" && ok "Linux boots with the BIOS's own initrd placement" ||
        { bad "Linux with the BIOS's own layout"; tail -3 "$W/linux-layout.out"; }
    # vga=0x318: the kernel's setup code sets VBE mode 118h through our VGA BIOS; vesafb uses it.
    qrun linux-vesafb "$OURS" -m 256 -vga none -device VGA,romfile="$VGAROM" -kernel "$KERNEL" \
        -initrd "$W/initrd.gz" -append "console=ttyS0 panic=-1 vga=0x318"
    grep -q 'vesafb: mode is 1024x768x24' "$W/linux-vesafb.out" && grep -q 'VIREO-LINUX-INIT-OK' "$W/linux-vesafb.out" &&
        ok "Linux vga=0x318: vesafb runs on our VBE mode 118h (1024x768x24)" ||
        { bad "Linux vga=0x318 / vesafb"; grep -a 'vesafb' "$W/linux-vesafb.out" | head -3; }
    # Without ACPI the kernel takes the CPUs and interrupt routing from our MP table.
    qrun linux-mp "$OURS" -m 256 -smp 2 -kernel "$KERNEL" -initrd "$W/initrd.gz" \
        -append "console=ttyS0 panic=-1 acpi=off"
    grep -q 'found SMP MP-table' "$W/linux-mp.out" && grep -q 'Brought up 1 node, 2 CPUs' "$W/linux-mp.out" &&
        grep -q 'VIREO-LINUX-INIT-OK' "$W/linux-mp.out" && ok "Linux (acpi=off) boots 2 CPUs from the MP table" ||
        { bad "MP table"; grep -a 'MP\|CPUs' "$W/linux-mp.out" | tail -3; }
    grep -Eq 'BIOS-e820: \[mem 0x0000000000100000-0x000000000ff[c-f][0-9a-f]fff\] usable' "$W/linux.out" &&
        ok "Linux sees the E820 RAM map" || bad "Linux E820 map"
    # 639 KiB, less the 1 KiB iPXE takes through PMM
    grep -q 'BIOS-e820: \[mem 0x0000000000000000-0x000000000009f7ff\] usable' "$W/linux.out" &&
        ok "Linux sees 638 KiB of base memory (iPXE's PMM block reserved)" || bad "Linux base memory"
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
    echo "SKIPPED: Linux direct boot (no kernel image or busybox available)"; skip=$((skip + 11))
fi

if [ $skip -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ $fail -eq 0 ]
