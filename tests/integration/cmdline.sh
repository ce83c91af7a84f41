#!/usr/bin/env bash
# cmdline.sh: vireo's command line — help and version, one clear error line (exit 1) for every
# bad option, value or file, a Multiboot boot on KVM when the host has it, and -serial x4 as
# COM1-COM4.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
T_SUITE=cmdline
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_error NAME PATTERN ARGS...: exit status 1, exactly one line on stderr matching PATTERN.
expect_error() {
    local name=$1 pat=$2
    shift 2
    "$VIREO" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$? lines
    lines=$(wc -l <"$tmp/err")
    if [ $rc -ne 1 ]; then t_fail "$name" "exit status $rc, expected 1"; return; fi
    if [ "$lines" -ne 1 ]; then t_fail "$name" "$lines lines on stderr: $(head -c 300 "$tmp/err")"; return; fi
    if ! grep -q -- "^vireo: .*$pat" "$tmp/err"; then t_fail "$name" "stderr: $(cat "$tmp/err")"; return; fi
    t_pass "$name"
}

"$VIREO" -h >"$tmp/out" 2>&1 && grep -q -- "-accel kvm|tcg|auto" "$tmp/out" && t_pass help || t_fail help "no usage text"
"$VIREO" --version >"$tmp/out" 2>&1 && grep -q "^vireo version " "$tmp/out" && t_pass version || t_fail version "$(cat "$tmp/out")"
"$VIREO" -device help >"$tmp/out" 2>&1 && grep -q '"isa-debug-exit"' "$tmp/out" && t_pass device-help || t_fail device-help "$(head -3 "$tmp/out")"
"$VIREO" -device isa-serial,help >"$tmp/out" 2>&1 && grep -q "chardev=<str>" "$tmp/out" && t_pass device-props-help || t_fail device-props-help "$(head -3 "$tmp/out")"
"$VIREO" -d help >"$tmp/out" 2>&1 && grep -q "^in_asm" "$tmp/out" && t_pass log-help || t_fail log-help "$(head -3 "$tmp/out")"

expect_error unknown-option "unknown option '-frobnicate'" -frobnicate
expect_error missing-arg "option -m needs an argument" -m
expect_error bad-ram-size "-m lots: not a size" -m lots
expect_error bad-cpu-model "CPU model 'pentium' is not available" -cpu pentium
expect_error bad-cpu-flag "CPU feature 'sse4a' cannot be changed" -cpu qemu64,+sse4a
expect_error bad-irqchip "kernel_irqchip takes on, off or split" -machine pc,kernel_irqchip=maybe
expect_error irqchip-needs-apic "in-kernel irqchip needs the local APIC" -cpu qemu64,-apic -machine kernel_irqchip=on
expect_error ram-too-small "between 1 MiB and 1 TiB" -m 0
expect_error bad-log-item "unknown log item 'bogus'" -d in_asm,bogus
expect_error bad-accel "unknown accelerator" -accel warp
expect_error bad-machine "unknown machine type 'q35'" -M q35
expect_error missing-kernel "/nonexistent/k.elf: No such file" -accel kvm -kernel /nonexistent/k.elf
printf 'not a kernel' >"$tmp/junk"
expect_error not-multiboot "neither a Multiboot kernel" -accel kvm -kernel "$tmp/junk"
expect_error missing-bios "firmware: /nonexistent/bios.bin" -accel kvm -bios /nonexistent/bios.bin
expect_error bad-serial "unknown character device back end 'carrier-pigeon'" -accel kvm -kernel "$tmp/junk" -serial carrier-pigeon
expect_error not-yet-qmp "QMP is not available" -qmp tcp::4444
expect_error bad-rtc-clock "-rtc clock=sundial: .*expected host, rt or vm" -accel tcg -rtc clock=sundial
expect_error bad-rtc-base "-rtc base=2024-02-30x: .*expected utc, localtime" -accel tcg -rtc base=2024-02-30x
expect_error bad-rtc-key "-rtc bass=utc: .*no property 'bass'" -accel tcg -rtc bass=utc
expect_error missing-pipe "pipe:$tmp/nopipe: $tmp/nopipe: No such file" -accel tcg -monitor "pipe:$tmp/nopipe"
expect_error stray-argument "unexpected argument 'disk.img'" disk.img

# A Multiboot kernel that prints through COM1 and exits through isa-debug-exit.
cat >"$tmp/k.S" <<'ASM'
.section .text
.globl _start
.align 4
.long 0x1BADB002, 0x0, -(0x1BADB002)
_start:
  mov $0x3f8, %dx
  mov $msg, %esi
1: lodsb
  test %al, %al
  jz 2f
  out %al, %dx
  jmp 1b
2: mov $0xf4, %dx
  mov $0x21, %eax
  out %eax, %dx
  hlt
msg: .asciz "multiboot ok\n"
ASM
if gcc -m32 -c "$tmp/k.S" -o "$tmp/k.o" && ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=0x100000 "$tmp/k.o" -o "$tmp/k.elf"; then
    expect_error bad-device "'nosuch' is not a valid device model name" -accel kvm -kernel "$tmp/k.elf" -device nosuch
    expect_error bad-device-prop "has no property 'bogus'" -accel kvm -kernel "$tmp/k.elf" -device isa-debug-exit,bogus=1
    if kvm_usable; then
        timeout 20 "$VIREO" -accel kvm -nographic -kernel "$tmp/k.elf" \
            -device isa-debug-exit,iobase=0xf4,iosize=4 >"$tmp/out" 2>"$tmp/err" </dev/null
        rc=$?
        if [ $rc -eq 67 ] && [ "$(cat "$tmp/out")" = "multiboot ok" ]; then
            t_pass kvm-multiboot-boot
        else
            t_fail kvm-multiboot-boot "exit $rc, stdout '$(cat "$tmp/out")', stderr '$(head -c 300 "$tmp/err")'"
        fi
    else
        t_skip kvm-multiboot-boot "$KVM_WHY"
    fi
else
    t_fail kvm-multiboot-boot "could not assemble the test kernel"
fi

# Four -serial options are COM1-COM4 in order (3F8h, 2F8h, 3E8h, 2E8h): a kernel writes the
# port's number to each; a fifth -serial is an error.
cat >"$tmp/com.S" <<'ASM'
.section .text
.globl _start
.align 4
.long 0x1BADB002, 0x0, -(0x1BADB002)
_start:
  mov $0x3f8, %dx
  mov $'1', %al
  out %al, %dx
  mov $0x2f8, %dx
  mov $'2', %al
  out %al, %dx
  mov $0x3e8, %dx
  mov $'3', %al
  out %al, %dx
  mov $0x2e8, %dx
  mov $'4', %al
  out %al, %dx
  mov $0xf4, %dx
  xor %eax, %eax
  out %eax, %dx
  hlt
ASM
if ! "$VIREO" -accel tcg -kernel /dev/null 2>&1 | grep -q "not available" &&
    gcc -m32 -c "$tmp/com.S" -o "$tmp/com.o" &&
    ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=0x100000 "$tmp/com.o" -o "$tmp/com.elf"; then
    timeout 20 "$VIREO" -accel tcg -display none -kernel "$tmp/com.elf" -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -serial "file:$tmp/c1" -serial "file:$tmp/c2" -serial "file:$tmp/c3" -serial "file:$tmp/c4" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    got=$(cat "$tmp/c1" "$tmp/c2" "$tmp/c3" "$tmp/c4" 2>/dev/null)
    if [ "$got" = 1234 ]; then t_pass serial-com1-to-com4; else
        t_fail serial-com1-to-com4 "COM1..COM4 files hold '$got': $(head -c 200 "$tmp/err")"; fi
    expect_error fifth-serial "at most 4 serial ports" -accel tcg -serial null -serial null -serial null -serial null -serial null
else
    t_skip serial-com1-to-com4 "TCG not built, or no 32-bit gcc/ld"
fi
t_done
