#!/usr/bin/env bash
# boot.sh: boot real operating-system software on vireo under TCG — Debian's 64-bit kernel with
# a busybox initramfs (direct boot, GRUB CD, syslinux disk), Debian's 32-bit kernels (PAE and
# non-PAE) and a floppy boot sector, with Debian's SeaBIOS and with vireo's own BIOS; and
# memtest86+ (64- and 32-bit) on each engine — checking what the guest prints on COM1.
#   boot.sh check      only the runs listed in tests/integration/boot/passing.list
#   boot.sh all        every run (the ones that do not pass yet too)
#   boot.sh RUN...     the named runs (e.g. floppy/seabios)
# BOOT_APPEND=ARGS adds kernel arguments to the direct-boot runs (for diagnosis only).
# Each run is one vireo process; each run reports one or more PASS/FAIL lines.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
T_SUITE=boot
here=$(dirname "$0")
. "$here/../lib.sh"
C=$BUILD/boot-cache
LOGDIR=$BUILD/boot-logs
mkdir -p "$LOGDIR"
SEABIOS=/usr/share/seabios/bios.bin

mode=${1:-check}
all_runs="floppy/seabios floppy/vireo
linux-direct/seabios linux-direct/vireo
linux-reboot/seabios linux-reboot/vireo
linux-noapic/seabios linux-noapic/vireo
linux32-pae/seabios linux32-pae/vireo linux32/seabios linux32/vireo
linux-suite/vireo linux-suite/interp linux-suite-long/vireo
memtest64/tcg memtest64/interp memtest64/kvm memtest32/tcg memtest32/interp memtest32/kvm
memtest64-pass/tcg memtest32-pass/tcg
grub-cd-loader/seabios grub-cd-loader/vireo grub-cd-linux/seabios grub-cd-linux/vireo
syslinux-hd-loader/seabios syslinux-hd-loader/vireo syslinux-hd-linux/seabios syslinux-hd-linux/vireo"
case $mode in
check) runs=$(grep -v '^#' "$here/passing.list" | awk 'NF {print $1}') ;;
all) runs=$all_runs ;;
*) runs="$*" ;;
esac

if "$VIREO" -accel tcg -kernel /dev/null 2>&1 | grep -q "not available"; then
    for r in $runs; do t_skip "$r" "vireo reports: the TCG translator is not available yet"; done
    t_done; exit
fi
# Without the Debian packages (no apt, no network) this host cannot run the guests: SKIPPED.
if ! why=$("$here/prepare.sh" 2>&1); then
    for r in $runs; do t_skip "$r" "the guests could not be prepared: $(echo "$why" | tail -1)"; done
    t_done; exit
fi
DATA_MD5=$(md5sum <"$C/data.img" | cut -d' ' -f1)

dead_end='[Nn]o bootable device|Kernel panic - not syncing|has the wrong type'
# feed PATTERN COMMANDS: the next vm() types COMMANDS (lines, printf escapes) into the
# monitor when the fixed string PATTERN shows on COM1 (e.g. sendkeys once /init waits for them).
feed_pat=() feed_cmd=()
feed() { feed_pat+=("$1"); feed_cmd+=("$2"); }

# vm NAME SECS STOP ARGS...: run vireo (-nographic, -no-reboot; $VM_ACCEL, by default TCG with
# the native back end) until it exits, until
# the extended regexp STOP shows on COM1 (then it is stopped), or SECS pass. Sets:
# out (COM1 file), log (-D file), how (exited|stopped|timeout), rc, t_marker (seconds from
# launch to the initramfs marker, or empty). With feeds, the monitor is the pipe
# LOGDIR/NAME.mon.in (its replies in NAME.mon.out); the feeds are used up.
vm() {
    local name=$1 secs=$2 stop=$3
    shift 3
    out=$LOGDIR/${name//\//-}.out log=$LOGDIR/${name//\//-}.log
    local t0 now pid mon=$LOGDIR/${name//\//-}.mon i monfd=
    local -a monargs=()
    if [ ${#feed_pat[@]} -gt 0 ]; then
        rm -f "$mon.in" "$mon.out"
        mkfifo "$mon.in" && : >"$mon.out" && exec {monfd}<>"$mon.in"
        monargs=(-monitor "pipe:$mon")
    fi
    t0=$(date +%s%N)
    "$VIREO" ${VM_ACCEL:--accel tcg} -nographic -no-reboot -d guest_errors,unimp -D "$log" "${monargs[@]}" "$@" >"$out" 2>&1 </dev/null &
    pid=$!
    how=timeout t_marker=
    while :; do
        now=$(date +%s%N)
        if [ -z "$t_marker" ] && grep -qa '^VT-MARKER' "$out"; then
            t_marker=$(awk "BEGIN {printf \"%.2f\", ($now - $t0) / 1e9}")
        fi
        for i in "${!feed_pat[@]}"; do
            if grep -qa -- "${feed_pat[$i]}" "$out"; then
                # shellcheck disable=SC2059
                printf "${feed_cmd[$i]}" >&"$monfd"
                unset "feed_pat[$i]" "feed_cmd[$i]"
            fi
        done
        if ! kill -0 $pid 2>/dev/null; then how=exited; break; fi
        if [ -n "$stop" ] && grep -qaE -- "$stop" "$out"; then how=stopped; break; fi
        # A run that cannot get further is stopped at once (the output says why).
        if grep -qaE -- "$dead_end" "$out"; then how="stopped at a dead end"; break; fi
        if [ "$(grep -ac 'raising #UD' "$out")" -ge 5 ]; then how="stopped in a #UD loop"; break; fi
        [ $(((now - t0) / 1000000000)) -ge "$secs" ] && break
        sleep 0.1
    done
    [ "$how" != exited ] && kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    rc=$?
    if [ -n "$monfd" ]; then exec {monfd}>&-; rm -f "$mon.in"; fi
    feed_pat=() feed_cmd=()
    if [ -z "$t_marker" ] && grep -qa '^VT-MARKER' "$out"; then t_marker=$(((now - t0) / 1000000000)); fi
}

# The last lines vireo printed, for a FAIL message.
tailout() { tr -cd '[:print:]\n' <"$out" | grep -v '^$' | tail -n 3 | tr '\n' '|' | cut -c1-300; }
has() { grep -qa -- "$1" "$out"; }
# check NAME PATTERN WHAT: PASS when PATTERN (fixed string) is on COM1.
check() { if has "$2"; then t_pass "$1"; else t_fail "$1" "$3; last output: $(tailout)"; fi; }

fwargs() { if [ "$1" = seabios ]; then echo "-bios $SEABIOS"; fi; }

# What Linux made of the interrupt controllers: in APIC mode (the default) IO-APIC lines and
# local APIC timer interrupts, and none of its complaints about them; on a PC without APIC
# (-cpu qemu64,-apic) the 8259 (XT-PIC) and no local timer.
apic_checks() {
    local r=$1 mode=$2 irqs loc spu bad
    irqs=$(sed -n '/^VT-BEGIN interrupts/,/^VT-END interrupts/p' "$out")
    loc=$(awk '$1 == "LOC:" {print $2; exit}' <<<"$irqs")
    spu=$(awk '$1 == "SPU:" {print $2; exit}' <<<"$irqs")
    if [ "$mode" = pic ]; then
        if grep -q 'XT-PIC.*timer' <<<"$irqs" && ! grep -q 'IO-APIC' <<<"$irqs" && [ "${loc:-0}" = 0 ]; then
            t_pass "$r:pic-mode"
        else
            t_fail "$r:pic-mode" "expected XT-PIC lines and no local timer: $(grep -E 'timer|LOC' <<<"$irqs" | tr '\n' ' ')"
        fi
        return
    fi
    if grep -qE 'IO-APIC +2-edge +timer' <<<"$irqs" && [ "${loc:-0}" -gt 0 ]; then
        t_pass "$r:apic-mode (LOC ${loc})"
    else
        t_fail "$r:apic-mode" "expected the timer on IO-APIC pin 2 and LOC counting: $(grep -E 'timer|LOC' <<<"$irqs" | tr '\n' ' ')"
    fi
    bad='IO-APIC \+ timer doesn.t work|APIC timer disabled|APIC calibration|not connected to IO-APIC|spurious APIC interrupt|No local APIC present'
    if grep -qaE "$bad" "$out" || [ "${spu:-0}" -gt 5 ]; then
        t_fail "$r:apic-clean" "SPU ${spu:-?}; $(grep -aE "$bad" "$out" | head -2 | tr '\n' ' ')"
    else
        t_pass "$r:apic-clean (SPU ${spu:-0})"
    fi
}

# The checks on a Linux boot that reached the initramfs (init.sh's VT- lines); MODE is apic
# (default) or pic.
linux_checks() {
    local r=$1 ram_mib=$2 cmdpat=$3 mode=${4:-apic}
    if ! has '^VT-MARKER'; then
        t_fail "$r" "Linux never reached /init (vireo: ${how}); last output: $(tailout)"
        return 1
    fi
    t_pass "$r:init-reached (${t_marker}s)"
    if grep -qa "^VT-CMDLINE .*$cmdpat" "$out"; then t_pass "$r:cmdline"; else
        t_fail "$r:cmdline" "/proc/cmdline lacks what was passed: $(grep -a '^VT-CMDLINE' "$out")"; fi
    # /proc/interrupts: the timer and the serial port must have taken interrupts.
    if sed -n '/^VT-BEGIN interrupts/,/^VT-END interrupts/p' "$out" | grep -aE '^ *(0|2|4):' |
        awk '$2 > 0' | grep -q .; then t_pass "$r:interrupts"; else
        t_fail "$r:interrupts" "no timer/serial IRQ counted in /proc/interrupts"; fi
    # The kernel set its clock from the CMOS RTC: it must agree with the RTC's time at launch
    # (the host's clock, or -rtc base=), and hwclock must read the same year from the RTC.
    local gd
    gd=$(sed -n 's/^VT-DATE .* epoch \([0-9]*\).*/\1/p' "$out" | head -1)
    if [ -n "$gd" ] && [ $((gd - rtc0)) -ge -60 ] && [ $((gd - rtc0)) -le 900 ] &&
        grep -qa "^VT-HWCLOCK .* $(date -u -d @$rtc0 +%Y) " "$out"; then
        t_pass "$r:rtc-date (guest-RTC base $((gd - rtc0)) s)"
    else
        t_fail "$r:rtc-date" "guest date or hwclock not within 15 min after the RTC's start ($(date -u -d @$rtc0 '+%F %T')): $(grep -a 'VT-DATE\|VT-HWCLOCK' "$out" | tr '\n' ' ')"
    fi
    # e820: the usable RAM the firmware reports must add up to the -m size (less holes < 1 MiB
    # and the firmware's reservations at the top, which stay under 1 MiB... give 2 MiB slack).
    # (The map shows up twice, in the boot log and in /init's dmesg: count each range once.
    # Bash arithmetic, as Debian's default awk, mawk, has no strtonum.)
    local usable=0 lo hi
    while read -r lo hi; do
        usable=$((usable + hi - lo + 1))
    done < <(grep -a 'BIOS-e820: .* usable' "$out" |
             sed 's/.*\[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/\1 \2/' | sort -u)
    usable=$((usable / 1048576))
    if [ -n "$usable" ] && [ "$usable" -le "$ram_mib" ] && [ "$usable" -ge $((ram_mib - 2)) ]; then
        t_pass "$r:e820 (${usable} MiB usable of ${ram_mib})"
    else
        t_fail "$r:e820" "usable RAM in the e820 map is ${usable:-nothing} MiB for -m $ram_mib: $(grep -a 'BIOS-e820' "$out" | head -8 | tr '\n' ' ')"
    fi
    if has 'VT-PCI 0000:00:00.0 0x8086 0x1237' && has 'VT-PCI 0000:00:01.0 0x8086 0x7000' &&
        has 'VT-PCI 0000:00:01.1 0x8086 0x7010'; then
        # The kernel's own console lines interleave with /init's output: only lines that are
        # complaints (the pattern init.sh greps dmesg for) count.
        local pci_bad='pci.*(no space|can.t claim|failed to assign|BAR .* invalid|conflict)'
        if sed -n '/^VT-BEGIN pci-complaints/,/^VT-END pci-complaints/p' "$out" | grep -v '^VT-' | grep -qiE "$pci_bad"; then
            t_fail "$r:pci" "Linux complains: $(sed -n '/^VT-BEGIN pci-complaints/,/^VT-END pci-complaints/p' "$out" | grep -v '^VT-' | grep -iE "$pci_bad" | head -3 | tr '\n' ' ')"
        else
            t_pass "$r:pci"
        fi
    else
        t_fail "$r:pci" "i440FX/PIIX3/IDE not all listed: $(grep -a '^VT-PCI' "$out" | tr '\n' ' ')"
    fi
    check "$r:i8042" "VT-I8042-OK" "Linux did not find the i8042 keyboard port"
    apic_checks "$r" "$mode"
    check "$r:atkbd" "VT-ATKBD-OK" "Linux's atkbd did not register the PS/2 keyboard"
}

# The end of a Linux run: power off through ACPI S5 ends vireo.
poweroff_check() {
    local r=$1
    if has '^VT-POWEROFF' && [ "$how" = exited ] && grep -qa 'S5 (soft off)' "$log"; then
        t_pass "$r:poweroff-acpi-s5"
    else
        t_fail "$r:poweroff-acpi-s5" "after 'poweroff -f' vireo ${how} (rc $rc), S5 in log: $(grep -ac 'S5' "$log"); last output: $(tailout)"
    fi
}

# memtest86+: boot it with -kernel on -m 32 and let it test until test #LAST or a later one shows
# (#10 for the -pass runs: a whole pass but the bit-fade test); its status line must never
# count an error. Engines: tcg (native back end), interp, kvm.
memtest_run() {
    local r=$1 kind=${1%/*} eng=${1#*/} bits last secs
    bits=${kind#memtest}; bits=${bits%-pass}
    local bin=$C/memtest-x64.bin
    [ "$bits" = 32 ] && bin=$C/memtest-ia32.bin
    case $kind/$eng in
    *-pass/*) last=10 secs=300 ;;
    */interp) last=3 secs=180 ;;
    *) last=6 secs=120 ;;
    esac
    case $eng in
    tcg) VM_ACCEL="-accel tcg" ;;
    interp) VM_ACCEL="-accel tcg,backend=interp" ;;
    kvm)
        if ! kvm_usable; then t_skip "$r" "$KVM_WHY"; return; fi
        VM_ACCEL="-accel kvm" ;;
    esac
    vm "$r" "$secs" "#($(seq -s '|' $last 15)) +\\[" -m 32 -kernel "$bin" -append "console=ttyS0,115200"
    VM_ACCEL=
    # COM1 is a VT100 screen: each escape sequence ends a field.
    local seen
    seen=$(tr -c '[:print:]' '\n' <"$out" | grep -aoE '#[0-9]+ +\[[^]]*\]' | uniq | sed 's/^#\([0-9]*\).*/\1/' | sort -nu | tr '\n' ' ')
    if [ "$eng" = kvm ] && grep -qa 'emulation failure' "$out" && ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
        t_skip "$r" "this host's paravirtual KVM (no VT-x/SVM) cannot run it: $(grep -a 'emulation failure' "$out" | head -1 | cut -c1-100); $(grep -a '^Instruction bytes' "$out" | head -1)"
        return
    fi
    # memtest86+ runs its tests in order and redraws the screen every second or two, so short
    # tests may never show: reaching #LAST or later is what says the ones before it ran.
    if [ "$how" != stopped ]; then
        t_fail "$r:tests-ran" "no test from #$last on started (vireo ${how}; tests seen: ${seen:-none}); last output: $(tailout)"
        return
    fi
    t_pass "$r:tests-ran (#0-#$((last - 1)); shown: $seen)"
    if tr -c '[:print:]' '\n' <"$out" | grep -qaE 'Errors: +[1-9]'; then
        t_fail "$r:no-errors" "memtest86+ counted errors: $(tr -c '[:print:]' '\n' <"$out" | grep -aoE 'Errors: +[0-9]+' | sort -u | tr '\n' ' ')"
    elif tr -c '[:print:]' '\n' <"$out" | grep -qaE 'Errors: +0'; then
        t_pass "$r:no-errors"
    else
        t_fail "$r:no-errors" "no memtest86+ status line on COM1"
    fi
}

# suite.sh inside Debian's Linux (the initramfs with openssl, xz, bzip2, gzip, bc) against the
# same programs on the host CPU: every VT-SUITE line must be the same. FW "interp" is vireo's
# BIOS with the interpreter back end; linux-suite-long does four times the work.
suite_run() {
    local r=$1 kind=${1%/*} fw=${1#*/} scale=1 secs=240 ref
    [ $kind = linux-suite-long ] && scale=4 secs=900
    [ "$fw" = interp ] && VM_ACCEL="-accel tcg,backend=interp" secs=$((secs * 4))
    ref=$(VT_SUITE_SCALE=$scale TMPDIR=$LOGDIR sh "$here/suite.sh" "$C/suite")
    # shellcheck disable=SC2086
    vm "$r" "$secs" '' $2 -m 512 -kernel "$C/vmlinuz" -initrd "$C/initrd-suite.gz" \
        -append "$app vt_suite=$scale vt_end=poweroff"
    VM_ACCEL=
    linux_checks "$r" 512 "vt_suite=$scale" || return
    local guest name line bad=0
    guest=$(grep -a '^VT-SUITE ' "$out" | tr -d '\r')
    while read -r line; do
        name=$(echo "$line" | cut -d' ' -f2)
        if ! echo "$guest" | grep -qxF -- "$line"; then
            bad=1
            t_fail "$r:$name" "host: '${line#VT-SUITE }', guest: '$(echo "$guest" | grep -a "^VT-SUITE $name " | cut -c10-)'"
        fi
    done <<<"$ref"
    [ $bad = 0 ] && t_pass "$r:same-as-host ($(echo "$ref" | wc -l) results)"
    poweroff_check "$r"
}

run_case() {
    local r=$1 kind=${1%/*} fw=${1#*/} fa
    fa=$(fwargs "$fw")
    host=$(date +%s)
    rtc0=$host
    # BOOT_APPEND: extra kernel arguments for diagnosis (e.g. noxsave); unset in make check.
    local app="console=ttyS0,115200 panic=-1 reboot=k vt_host=$host${BOOT_APPEND:+ $BOOT_APPEND}"
    case $kind in
    floppy)
        # shellcheck disable=SC2086
        vm "$r" 30 'VT-FLOPPY-INT13-(OK|BAD)|[Nn]o bootable device' $fa -fda "$C/floppy.img" -boot a
        check "$r:boot-sector-runs" "VT-FLOPPY boot sector running" "the boot sector never printed"
        check "$r:int13-read" "VT-FLOPPY-INT13-OK" "INT 13h read of sector 2 failed"
        ;;
    linux-direct | linux32-pae | linux32)
        local k= input=
        case $kind in
        linux32-pae) k=-686-pae ;;
        linux32) k=-686 ;;
        *)
            # The PS/2 keyboard types a line onto tty1; the mouse moves right 10 and up 5, then
            # presses the left button: PS/2 packets 08 0a 05 and 09 00 00 on /dev/input/mice.
            feed VT-KBD-READY 'sendkey v\nsendkey t\nsendkey minus\nsendkey k\nsendkey b\nsendkey d\nsendkey spc\nsendkey shift-o\nsendkey shift-k\nsendkey ret\n'
            feed VT-MOUSE-READY 'mouse_move 10 -5\nmouse_button 1\n'
            input="vt_kbd=1 vt_mouse=1"
            ;;
        esac
        if [ -n "$k" ] && [ -e "$C/i386.missing" ]; then t_skip "$r" "$(cat "$C/i386.missing")"; return; fi
        # shellcheck disable=SC2086
        vm "$r" 240 '' $fa -m 256 -kernel "$C/vmlinuz$k" -initrd "$C/initrd$k.gz" \
            -append "$app $input vt_storage=1 vt_md5=$DATA_MD5 vt_end=poweroff" -hda "$C/data.img" -cdrom "$C/data.iso"
        linux_checks "$r" 256 "vt_host=$host" || return
        if [ -n "$input" ]; then
            check "$r:ps2-keyboard" "VT-KBD-LINE 'vt-kbd OK'" "the line typed with sendkey did not reach tty1: $(grep -a 'VT-KBD' "$out" | tr '\n' ' ')"
            check "$r:ps2-mouse" "VT-MOUSE-PACKETS  08 0a 05 09 00 00" "mouse_move/mouse_button did not arrive as two packets: $(grep -a 'VT-MOUSE\|VT-INSMOD' "$out" | tr '\n' ' ')"
        fi
        check "$r:ide-disk" "VT-DISK-OK" "/dev/sda did not read back the pattern: $(grep -a 'VT-DISK\|VT-INSMOD' "$out" | head -3 | tr '\n' ' ')"
        check "$r:cdrom" "VT-CDROM-OK" "/dev/sr0: $(grep -a 'VT-CDROM' "$out" | tr '\n' ' ')"
        poweroff_check "$r"
        ;;
    linux-suite | linux-suite-long)
        suite_run "$r" "$fa"
        ;;
    memtest64 | memtest32 | memtest64-pass | memtest32-pass)
        memtest_run "$r"
        ;;
    linux-reboot)
        # The RTC starts at a fixed date and follows the VM's clock (-rtc).
        rtc0=$(date -u -d 2021-06-15T12:00:00 +%s)
        # shellcheck disable=SC2086
        vm "$r" 240 '' $fa -m 128 -rtc base=2021-06-15T12:00:00,clock=vm -kernel "$C/vmlinuz" \
            -initrd "$C/initrd.gz" -append "$app vt_end=reboot"
        linux_checks "$r" 128 "vt_host=$host" || return
        if has '^VT-REBOOT' && [ "$how" = exited ] && grep -qa 'i8042: reset' "$log"; then
            t_pass "$r:reboot-i8042"
        else
            t_fail "$r:reboot-i8042" "after 'reboot -f' (reboot=k) vireo ${how} (rc $rc), i8042 reset in log: $(grep -ac 'i8042: reset' "$log"); last output: $(tailout)"
        fi
        ;;
    linux-noapic)
        # shellcheck disable=SC2086
        vm "$r" 240 '' $fa -cpu qemu64,-apic -m 128 -kernel "$C/vmlinuz" -initrd "$C/initrd.gz" \
            -append "$app vt_end=poweroff"
        linux_checks "$r" 128 "vt_host=$host" pic || return
        poweroff_check "$r"
        ;;
    grub-cd-loader | grub-cd-linux)
        local stop=''
        [ $kind = grub-cd-loader ] && stop='VT-GRUB loading'
        # shellcheck disable=SC2086
        vm "$r" 240 "$stop" $fa -m 256 -cdrom "$C/grub.iso" -boot d
        check "$r:grub-runs" "VT-GRUB loading linux" "GRUB did not run its menu entry"
        if [ $kind = grub-cd-linux ]; then
            linux_checks "$r" 256 "vt_boot=grub" || return
            poweroff_check "$r"
        fi
        ;;
    syslinux-hd-loader | syslinux-hd-linux)
        local stop=''
        [ $kind = syslinux-hd-loader ] && stop='Loading initrd\.gz\.+ *o+k'
        # shellcheck disable=SC2086
        vm "$r" 240 "$stop" $fa -m 256 -hda "$C/syslinux.img"
        check "$r:syslinux-runs" "SYSLINUX 6.04" "syslinux's boot sector did not run"
        check "$r:config-say" "VT-SYSLINUX loading linux" "the SAY line of syslinux.cfg did not show on COM1"
        # SeaBIOS mirrors syslinux's INT 10h text to COM1 as well, so the two copies interleave.
        if grep -qaE 'Loading initrd\.gz\.+ *o+k' "$out"; then t_pass "$r:kernel-initrd-loaded"; else
            t_fail "$r:kernel-initrd-loaded" "syslinux did not load the kernel and initramfs; last output: $(tailout)"; fi
        if [ $kind = syslinux-hd-linux ]; then
            linux_checks "$r" 256 "vt_boot=syslinux" || return
            poweroff_check "$r"
        fi
        ;;
    *) t_fail "$r" "no such run (known: $(echo $all_runs))" ;;
    esac
}

for r in $runs; do run_case "$r"; done
echo "boot: COM1 output and -D logs of each run are in $LOGDIR/"
t_done
