#!/usr/bin/env bash
# monitor.sh: the human monitor drives a running machine — screendump of SeaBIOS's VGA text
# screen (checked pixel by pixel), info registers/qtree/status, xp of the reset vector,
# stop/cont, and quit ending vireo with status 0.
set -u
BUILD=${BUILD:-build}
VIREO=${VIREO:-$BUILD/vireo}
T_SUITE=monitor
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'exec 3>&- 2>/dev/null; rm -rf "$tmp"; [ -n "${vpid:-}" ] && kill $vpid 2>/dev/null' EXIT
tests/need-pkg.sh /usr/share/seabios/bios.bin:seabios python3:python3 || { t_fail install "seabios/python3"; t_done; exit 1; }

if kvm_usable; then accel=kvm
elif ! "$VIREO" -accel tcg -kernel /dev/null 2>&1 | grep -q "not available"; then accel=tcg
else t_skip monitor "no accelerator can run here ($KVM_WHY; TCG not built)"; t_done; exit 0; fi

mkfifo "$tmp/in"
"$VIREO" -accel $accel -bios /usr/share/seabios/bios.bin -serial "file:$tmp/com1" -monitor stdio \
    <"$tmp/in" >"$tmp/out" 2>"$tmp/err" &
vpid=$!
exec 3>"$tmp/in"
for _ in $(seq 200); do grep -qa "SeaBIOS (version" "$tmp/com1" 2>/dev/null && break; sleep 0.1; done
sleep 1   # let SeaBIOS draw on the VGA screen too
printf 'screendump %s/screen.png\ninfo qtree\nxp/1xb 0xffff0\nstop\ninfo status\ninfo registers\ncont\ninfo status\nnosuchcommand\nquit\n' "$tmp" >&3
wait $vpid
rc=$?
vpid=
exec 3>&-
out=$(tr -d '\r' <"$tmp/out")

[ $rc -eq 0 ] && t_pass quit-exits-0 || t_fail quit-exits-0 "exit $rc: $(head -c 200 "$tmp/err")"
grep -q "dev: VGA (pci)" <<<"$out" && grep -q "dev: piix3-ide (pci)" <<<"$out" && t_pass info-qtree || t_fail info-qtree "no VGA/IDE in: $(grep 'dev:' <<<"$out" | head -3)"
grep -q "00000000000ffff0: 0xea" <<<"$out" && t_pass xp-reset-vector-is-far-jump || t_fail xp-reset-vector-is-far-jump "$(grep ffff0 <<<"$out")"
grep -q "VM status: paused" <<<"$out" && grep -q "VM status: running" <<<"$out" && t_pass stop-cont || t_fail stop-cont "$(grep 'VM status' <<<"$out")"
grep -q "^RIP=" <<<"$out" && grep -q "^CS =" <<<"$out" && t_pass info-registers || t_fail info-registers "no register dump"
grep -q "unknown command: 'nosuchcommand'" <<<"$out" && t_pass unknown-command || t_fail unknown-command "no error line"
# The screen: 720x400 (80x25 text, 9x16 cells), light text on black in the top left, where the
# banner is, and nothing in the bottom half.
if python3 - "$tmp/screen.png" >"$tmp/png.txt" 2>&1 <<'PY'
import sys
sys.path.insert(0, 'tests')
from screendump import load
w, h, pixel = load(sys.argv[1])
lit = lambda y0, y1, x0, x1: sum(1 for y in range(y0, y1) for x in range(x0, x1) if pixel(x, y)[0] > 128)
print(w, h, lit(0, 16, 0, 360), lit(200, 400, 0, 720))
assert (w, h) == (720, 400), 'size %dx%d' % (w, h)
assert lit(0, 16, 0, 360) > 300, 'no banner text in the first row'
assert lit(200, 400, 0, 720) == 0, 'the bottom half is not blank'
PY
then t_pass screendump-shows-banner; else t_fail screendump-shows-banner "$(tail -1 "$tmp/png.txt")"; fi
t_done
