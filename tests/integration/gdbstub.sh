#!/usr/bin/env bash
# gdbstub.sh: the real gdb against vireo's gdb stub — attach to a guest held by -S, read
# registers and memory, single-step, stop at breakpoints, write a register the guest then
# uses, continue to the guest's exit. Each accelerator that can run the guest is tried.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
T_SUITE=gdbstub
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [ -n "${vpid:-}" ] && kill $vpid 2>/dev/null' EXIT
tests/need-pkg.sh gdb:gdb || { t_fail install-gdb "could not install gdb"; t_done; exit 1; }

cat >"$tmp/g.S" <<'ASM'
.section .text
.globl _start
.align 4
.long 0x1BADB002, 0x0, -(0x1BADB002)
_start:
  mov $0x11111111, %eax
  mov $0x22222222, %ebx
  mov $0x80000, %esp
  call sub
target:
  mov $0x33333333, %ecx
  mov $0xf4, %dx
  mov $0x5, %eax
doout:
  out %eax, %dx
  hlt
sub:
  ret
ASM
gcc -m32 -c "$tmp/g.S" -o "$tmp/g.o" && ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=0x100000 "$tmp/g.o" -o "$tmp/g.elf" \
    || { t_fail build-guest "could not assemble"; t_done; exit 1; }
start=0x$(nm "$tmp/g.elf" | awk '$3 == "_start" { print $1 }')
target=0x$(nm "$tmp/g.elf" | awk '$3 == "target" { print $1 }')
doout=0x$(nm "$tmp/g.elf" | awk '$3 == "doout" { print $1 }')
sub=0x$(nm "$tmp/g.elf" | awk '$3 == "sub" { print $1 }')

run_engine() {
    local accel=$1 port=$((20000 + RANDOM % 20000))
    "$VIREO" -accel "$accel" -nographic -kernel "$tmp/g.elf" -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -gdb "tcp:127.0.0.1:$port" -S >"$tmp/vireo.out" 2>&1 </dev/null &
    vpid=$!
    # Wait until the port listens (state 0A in /proc/net/tcp); connecting to find out would
    # itself be taken for the debugger.
    local hexport; hexport=$(printf '%04X' "$port")
    for _ in $(seq 100); do
        grep -q ":$hexport [0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null && break
        sleep 0.05
    done
    timeout 60 gdb -batch -nx -ex "set architecture i386:x86-64" -ex "target remote 127.0.0.1:$port" \
        -ex 'printf "rip=%lx eax=%lx\n", $rip, $rax' \
        -ex "stepi" -ex 'printf "rip=%lx eax=%lx\n", $rip, $rax' \
        -ex "x/2xb $start" \
        -ex "break *$sub" -ex "break *$doout" -ex "continue" -ex 'printf "at rip=%lx\n", $rip' \
        -ex "stepi" -ex 'printf "rip=%lx ebx=%lx ecx=%lx\n", $rip, $rbx, $rcx' \
        -ex "continue" -ex 'printf "rip=%lx eax=%lx\n", $rip, $rax' \
        -ex 'set $rax = 9' -ex "delete" -ex "continue" >"$tmp/gdb.out" 2>&1
    wait $vpid
    local rc=$?
    vpid=
    local name="gdb[$accel]"
    local exp_rip1; exp_rip1=$(printf 'rip=%x eax=2badb002' "$start")
    local exp_rip2; exp_rip2=$(printf 'rip=%x eax=11111111' $((start + 5)))
    if ! grep -q "^$exp_rip1" "$tmp/gdb.out"; then t_fail "$name-attach" "$(head -c 400 "$tmp/gdb.out")"; return; fi
    t_pass "$name-attach-at-entry"
    grep -q "^$exp_rip2" "$tmp/gdb.out" && t_pass "$name-stepi" || t_fail "$name-stepi" "no '$exp_rip2'"
    grep -q "0xb8.*0x11" "$tmp/gdb.out" && t_pass "$name-read-memory" || t_fail "$name-read-memory" "$(grep -m1 "^0x" "$tmp/gdb.out")"
    grep -q "$(printf 'at rip=%x' "$sub")" "$tmp/gdb.out" && t_pass "$name-breakpoint" \
        || t_fail "$name-breakpoint" "$(grep 'at rip=' "$tmp/gdb.out")"
    grep -q "$(printf 'rip=%x ebx=22222222 ecx=0' "$target")" "$tmp/gdb.out" && t_pass "$name-stepi-ret" \
        || t_fail "$name-stepi-ret" "$(grep 'ebx=' "$tmp/gdb.out")"
    grep -q "$(printf 'rip=%x eax=5' "$doout")" "$tmp/gdb.out" && t_pass "$name-second-breakpoint" \
        || t_fail "$name-second-breakpoint" "$(tail -3 "$tmp/gdb.out")"
    # The guest writes eax to isa-debug-exit: gdb's 9 makes the exit status 19.
    [ "$rc" -eq 19 ] && t_pass "$name-register-write" || t_fail "$name-register-write" "exit status $rc, $(tail -2 "$tmp/vireo.out")"
}

if kvm_usable; then run_engine kvm; else t_skip "gdb[kvm]" "$KVM_WHY"; fi
if "$VIREO" -accel tcg -kernel /dev/null 2>&1 | grep -q "not available"; then
    t_skip "gdb[tcg]" "vireo reports: the TCG translator is not available yet"
else
    run_engine tcg
fi
t_done
