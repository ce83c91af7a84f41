#!/usr/bin/env bash
# selftest.sh: checks run.sh itself against a fake emulator that passes, fails, hangs, and
# reports an engine as not available. Prints "run.sh selftest: ok" or what went wrong.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build/tests/guest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The fake replays cpuid.expected for tcg, prints wrong output for "kvm" when it exists,
# hangs for the interpreter, and says "not available" for the accelerator "nope".
cat > "$tmp/fake" <<EOS
#!/bin/sh
case "\$*" in
*"-accel nope"*) echo "vireo: accelerator nope: not available in this build" >&2; exit 1 ;;
*"-accel tcg,backend=interp"*) sleep 10 ;;
*"-accel tcg"*) sed '\$d' "$here/cpuid.expected"; exit 1 ;;
*"-accel other"*) echo "cpuid: something else"; exit 1 ;;
esac
exit 2
EOS
chmod +x "$tmp/fake"

fail() { echo "run.sh selftest: FAIL: $*"; sed 's/^/    /' "$tmp/out"; exit 1; }

"$here/run.sh" --build "$build" --vireo "$tmp/fake" --engines "tcg other nope tcg,backend=interp" \
    --timeout 1 cpuid > "$tmp/out" 2>&1
status=$?
[ $status = 1 ] || fail "exit status $status, expected 1"
grep -q '^PASS  *cpuid  *\[tcg\]' "$tmp/out" || fail "no PASS for matching output"
grep -q '^FAIL  *cpuid  *\[other\]  *output differs' "$tmp/out" || fail "no FAIL for different output"
grep -q '^    +cpuid: something else' "$tmp/out" || fail "no diff after the FAIL line"
grep -q '^SKIPPED  *cpuid  *\[nope\]  *vireo: accelerator nope: not available' "$tmp/out" ||
    fail "no SKIPPED with the emulator's reason"
grep -q '^FAIL  *cpuid  *\[tcg,backend=interp\]  *timed out after 1s' "$tmp/out" || fail "no timeout FAIL"
[ "$(tail -1 "$tmp/out")" = "1 passed, 2 failed, 1 skipped" ] || fail "wrong summary line"

"$here/run.sh" --build "$build" --vireo "$tmp/fake" --engines "other" --no-strict cpuid > "$tmp/out" 2>&1 ||
    fail "--no-strict exited non-zero"
grep -q 'do not fail the build' "$tmp/out" || fail "--no-strict did not say so"
echo "run.sh selftest: ok"
