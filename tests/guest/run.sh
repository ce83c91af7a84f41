#!/usr/bin/env bash
# run.sh: boot every guest test under every engine and compare with tests/guest/<name>.expected.
#
# Usage: tests/guest/run.sh [--build DIR] [--vireo CMD] [--engines "E1 E2"] [--timeout SEC]
#                           [--no-strict] [--update] [TEST...]
#   --build DIR    where the built tests are (default build/tests/guest)
#   --vireo CMD    the emulator (default $VIREO, else build/vireo). A command whose name
#                  contains "qemu" is driven as QEMU, the reference: -display none -serial
#                  stdio -nic none instead of -nographic (so SeaBIOS and iPXE stay off COM1),
#                  and <name>.qemu.expected is used where QEMU differs from a PC on purpose.
#   --engines      -accel values to try (default "kvm kvm,kernel-irqchip=off tcg
#                  tcg,backend=interp": KVM with its in-kernel irqchip and with vireo's)
#   --no-strict    report failures but exit 0 (says so before the summary)
#   --update       write each test's output as its expected file (use with one engine)
#
# Prints one line per (test, engine): PASS, FAIL (with a diff) or SKIPPED (with the reason),
# then exactly "N passed, N failed, N skipped". Exits 1 if anything failed (unless --no-strict).
# tests/guest/tests.list says how each test boots and whether it can run on every KVM.
set -u

src=$(cd "$(dirname "$0")" && pwd)
build=build/tests/guest
vireo=${VIREO:-build/vireo}
engines="kvm kvm,kernel-irqchip=off tcg tcg,backend=interp"
tmo=60
strict=1
update=0
only=()

while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --vireo) vireo=$2; shift 2 ;;
    --engines) engines=$2; shift 2 ;;
    --timeout) tmo=$2; shift 2 ;;
    --no-strict) strict=0; shift ;;
    --update) update=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) only+=("$1"); shift ;;
    esac
done

read -r -a vireo_cmd <<< "$vireo"
if ! command -v "${vireo_cmd[0]}" >/dev/null 2>&1; then
    echo "run.sh: emulator '${vireo_cmd[0]}': not found (run make first)" >&2
    exit 2
fi
case "$(basename "${vireo_cmd[0]}")" in
*qemu*) flavor=qemu; display=(-display none -serial stdio -nic none) ;;
*) flavor=vireo; display=(-nographic) ;;
esac

# Why KVM cannot run here, or nothing if it can.
kvm_unusable() {
    if [ ! -e /dev/kvm ]; then echo "/dev/kvm does not exist"; return; fi
    if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then echo "/dev/kvm: permission denied for $(id -un)"; return; fi
}
kvm_why=$(kvm_unusable)
# A KVM without VT-x/SVM under it is the paravirtual kind (kvm_pvm on our CI hosts).
pvm=0
grep -qwE 'vmx|svm' /proc/cpuinfo 2>/dev/null || pvm=1

passed=0 failed=0 skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

report() { printf '%-8s %-16s %-20s%s\n' "$1" "$2" "[$3]" "${4:+ $4}"; }

# tests.list: name | boot (kernel|bios) | check (output|lines) | kvm (any|no-pvm: why) | args
while IFS='|' read -r name boot check kvm args; do
    trim() { sed "s/^[[:space:]]*//; s/[[:space:]]*$//" <<< "$1"; }
    name=$(trim "$name"); boot=$(trim "$boot"); check=$(trim "$check"); kvm=$(trim "$kvm")
    case "$name" in ''|'#'*) continue ;; esac
    if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
    case "$boot" in
    kernel) image=$build/$name.elf; bootarg=(-kernel "$image") ;;
    bios) image=$build/$name.bin; bootarg=(-bios "$image") ;;
    *) echo "run.sh: tests.list: $name: boot must be kernel or bios" >&2; exit 2 ;;
    esac
    expected=$src/$name.expected
    [ "$flavor" = qemu ] && [ -f "$src/$name.qemu.expected" ] && expected=$src/$name.qemu.expected
    eval "extra=($args)"
    # Arguments may name files of the build directory as @BUILD@.
    extra=("${extra[@]//@BUILD@/$build}")

    for engine in $engines; do
        if [ ! -f "$image" ]; then
            report FAIL "$name" "$engine" "$image: not built"; failed=$((failed + 1)); continue
        fi
        is_kvm=0
        case $engine in kvm|kvm,*) is_kvm=1 ;; esac
        if [ $is_kvm = 1 ] && [ -n "$kvm_why" ]; then
            report SKIPPED "$name" "$engine" "$kvm_why"; skipped=$((skipped + 1)); continue
        fi
        if [ $is_kvm = 1 ] && [ $pvm = 1 ] && [ "${kvm%%:*}" = no-pvm ]; then
            report SKIPPED "$name" "$engine" "host KVM is paravirtual (no vmx/svm), which cannot run${kvm#no-pvm:}"
            skipped=$((skipped + 1)); continue
        fi
        out=$tmp/out err=$tmp/err
        timeout "$tmo" "${vireo_cmd[@]}" -accel "$engine" "${display[@]}" -m 128 "${bootarg[@]}" \
            -device isa-debug-exit,iobase=0xf4,iosize=4 "${extra[@]}" </dev/null >"$out" 2>"$err"
        status=$?
        if [ $status = 1 ] && grep -q 'not available' "$out" "$err"; then
            report SKIPPED "$name" "$engine" "$(grep -h -m1 'not available' "$out" "$err" | head -1)"
            skipped=$((skipped + 1)); continue
        fi
        if [ $status = 124 ]; then
            report FAIL "$name" "$engine" "timed out after ${tmo}s"; failed=$((failed + 1))
            tail -5 "$out" | sed 's/^/    | /'
            continue
        fi
        { tr -d '\r' < "$out"; echo "[exit status $status]"; } > "$tmp/actual"
        if [ $update = 1 ]; then
            cp "$tmp/actual" "$expected"
            report UPDATED "$name" "$engine" "$expected"
            continue
        fi
        if [ ! -f "$expected" ]; then
            report FAIL "$name" "$engine" "no expected file $expected"; failed=$((failed + 1)); continue
        fi
        ok=1
        case "$check" in
        output) cmp -s "$tmp/actual" "$expected" || ok=0 ;;
        lines)  # each expected line must appear, in order (for output that differs by engine)
            awk 'NR == FNR { want[n++] = $0; next } i < n && $0 == want[i] { i++ }
                 END { exit i < n }' "$expected" "$tmp/actual" || ok=0 ;;
        *) echo "run.sh: tests.list: $name: check must be output or lines" >&2; exit 2 ;;
        esac
        if [ $ok = 1 ]; then
            report PASS "$name" "$engine"; passed=$((passed + 1))
        elif [ ! -s "$out" ]; then
            report FAIL "$name" "$engine" "no output, exit status $status: $(head -1 "$err")"
            failed=$((failed + 1))
        else
            report FAIL "$name" "$engine" "output differs from $(basename "$expected")"
            failed=$((failed + 1))
            diff -u "$expected" "$tmp/actual" | tail -n +3 | head -40 | sed 's/^/    /'
        fi
    done
done < "$src/tests.list"

if [ $strict = 0 ] && [ $failed -gt 0 ]; then
    echo "run.sh: --no-strict: the $failed failures above do not fail the build"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ] || [ $strict = 0 ]
