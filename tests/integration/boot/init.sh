#!/bin/sh
# init.sh: /init of the test initramfs. Prints "VT-..." lines on ttyS0 that boot.sh checks:
# the command line, interrupts, RTC date, e820 map, PCI devices, i8042, PS/2 keyboard and
# mouse, IDE disk, CD-ROM, suite.sh's results;
# then ends the machine as the command line says (vt_end=poweroff|reboot|halt).
export PATH=/bin
mkdir -p /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || mdev -s
echo "VT-MARKER init reached, shell $0 pid $$"
arg() { for w in $(cat /proc/cmdline); do case $w in "$1"=*) echo "${w#*=}" ;; esac; done; }
echo "VT-CMDLINE $(cat /proc/cmdline)"
echo "VT-BEGIN interrupts"; cat /proc/interrupts; echo "VT-END interrupts"

# RTC: the kernel set its clock from the CMOS RTC; compare with the host's time at launch.
now=$(date -u +%s)
echo "VT-DATE $(date -u '+%Y-%m-%d %H:%M:%S') epoch $now"
echo "VT-HWCLOCK $(hwclock -r -u 2>&1)"
host=$(arg vt_host)  # optional: the host epoch at launch
if [ -n "$host" ]; then
    d=$((now - host)); [ $d -lt 0 ] && d=$((-d))
    if [ $d -le 900 ]; then echo "VT-RTC-OK guest-host $d s"; else echo "VT-RTC-BAD guest $now host $host"; fi
fi

echo "VT-BEGIN e820"; dmesg | grep -i e820; echo "VT-END e820"
echo "VT-MEMTOTAL $(grep MemTotal /proc/meminfo)"
echo "VT-BEGIN pci"
for d in /sys/bus/pci/devices/*; do
    [ -e "$d/vendor" ] || continue
    echo "VT-PCI ${d##*/} $(cat $d/vendor) $(cat $d/device) class $(cat $d/class) irq $(cat $d/irq)"
done
echo "VT-END pci"
echo "VT-BEGIN pci-complaints"; dmesg | grep -iE 'pci.*(no space|can.t claim|failed to assign|BAR .* invalid|conflict)'; echo "VT-END pci-complaints"
if dmesg | grep -q 'i8042: PNP\|serio: i8042 KBD port'; then
    echo "VT-I8042-OK $(dmesg | grep 'serio: i8042 KBD port' | head -1)"
else
    echo "VT-I8042-MISSING"; dmesg | grep -i i8042
fi
dmesg | grep -q 'input: AT Translated Set 2 keyboard' && echo "VT-ATKBD-OK"

# PS/2 keyboard: boot.sh types a line through the monitor (sendkey) once it sees the READY
# line; it arrives on the first virtual terminal (opened first, so no key is lost).
if [ -n "$(arg vt_kbd)" ]; then
    exec 3</dev/tty1
    echo "VT-KBD-READY"
    if read -t 30 line <&3; then echo "VT-KBD-LINE '$line'"; else echo "VT-KBD-NONE"; fi
    exec 3<&-
fi
# PS/2 mouse: Debian builds psmouse as a module; a monitor mouse_move and mouse_button show up
# as two 3-byte PS/2 packets on /dev/input/mice.
if [ -n "$(arg vt_mouse)" ]; then
    insmod /lib/modules/psmouse.ko 2>/tmp/insmod.err || echo "VT-INSMOD-FAIL psmouse $(cat /tmp/insmod.err)"
    i=0
    while [ $i -lt 40 ] && ! grep -q 'serio1/input' /proc/bus/input/devices; do sleep 0.25; i=$((i + 1)); done
    echo "VT-MOUSE-NAME $(grep -B4 'serio1/input' /proc/bus/input/devices | sed -n 's/^N: Name=//p')"
    exec 4</dev/input/mice
    echo "VT-MOUSE-READY"
    echo "VT-MOUSE-PACKETS $(timeout 30 head -c 6 <&4 | od -An -tx1)"
    exec 4<&-
fi

# Storage: load libata/ata_piix, sd, sr, isofs (Debian builds them as modules).
if [ -n "$(arg vt_storage)" ]; then
    for m in $(cat /lib/modules/order); do
        insmod /lib/modules/$m.ko 2>/tmp/insmod.err || echo "VT-INSMOD-FAIL $m $(cat /tmp/insmod.err)"
    done
    i=0
    while [ $i -lt 60 ] && { [ ! -b /dev/sda ] || [ ! -b /dev/sr0 ]; }; do sleep 0.5; i=$((i + 1)); done
    dmesg | grep -iE 'ata[0-9]|scsi|sd |sr ' | head -40
    want=$(arg vt_md5)
    if [ -b /dev/sda ]; then
        s=$(dd if=/dev/sda bs=512 skip=1234 count=1 2>/dev/null | head -c 18)
        sum=$(md5sum </dev/sda | cut -d' ' -f1)
        if [ "$s" = "VT-SECTOR 00001234" ] && [ "$sum" = "$want" ]; then
            echo "VT-DISK-OK sector 1234 and md5 $sum match"
        else
            echo "VT-DISK-BAD sector 1234 '$s' md5 $sum want $want"
        fi
    else
        echo "VT-DISK-MISSING no /dev/sda"
    fi
    if [ -b /dev/sr0 ]; then
        pvd=$(dd if=/dev/sr0 bs=2048 skip=16 count=1 2>/dev/null | head -c 6 | tail -c 5)
        mount -t iso9660 -o ro /dev/sr0 /mnt 2>/tmp/mount.err
        f=$(cat /mnt/vtfile.txt 2>&1)
        if [ "$pvd" = "CD001" ] && [ "$f" = "VT-CDROM-FILE vireo test CD" ]; then
            echo "VT-CDROM-OK volume descriptor and file read"
        else
            echo "VT-CDROM-BAD pvd '$pvd' file '$f' mount '$(cat /tmp/mount.err)'"
        fi
        umount /mnt 2>/dev/null
    else
        echo "VT-CDROM-MISSING no /dev/sr0"
    fi
fi

# vt_suite=N: suite.sh (programs we did not write; boot.sh compares with the host), N times the work.
if [ -n "$(arg vt_suite)" ]; then
    VT_SUITE_SCALE=$(arg vt_suite) sh /suite/suite.sh /suite 2>&1
fi

echo "VT-DONE"
case $(arg vt_end) in
poweroff) echo "VT-POWEROFF"; poweroff -f ;;
reboot) echo "VT-REBOOT"; reboot -f ;;
esac
echo "VT-SHELL"
exec sh
