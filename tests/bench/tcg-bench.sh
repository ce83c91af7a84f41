#!/bin/sh
# tcg-bench.sh: make bench step for tcg/: clock-time table, then dynamic host
# instructions per IR op under callgrind when valgrind is installed. Never fails.
BUILD=${BUILD:-build}
bin=$BUILD/tests/bench/tcg-bench
"$bin" || echo "tcg-bench: FAILED to run (exit $?)"
echo "tcg-bench: guest MIPS against QEMU's TCG: see the x86-tcg-bench table (tests/bench/x86/tcg-guest-mips.sh)"
if ! command -v valgrind >/dev/null 2>&1; then
    echo "tcg-bench: dynamic host instructions per IR op: SKIPPED (no valgrind; Debian package valgrind)"
    exit 0
fi
echo "tcg-bench: dynamic host instructions per IR op (callgrind, execution only)"
printf '%-16s %14s %14s\n' workload interp native
tmp=$(mktemp -d)
for w in 0 1 2 3 4; do
    case $w in 0) name=alu;; 1) name="guest mem";; 2) name="helper call";; 3) name="chained blocks";; 4) name="indirect jumps";; esac
    line=$(printf '%-16s' "$name")
    for b in 0 1; do
        if [ $b = 1 ] && ! "$bin" --has-native; then
            line="$line $(printf '%14s' -)"
            continue
        fi
        out=$(valgrind --tool=callgrind --collect-atstart=no --smc-check=all \
              --callgrind-out-file="$tmp/cg.$w.$b" "$bin" --count $w $b 2>/dev/null)
        ops=$(echo "$out" | sed -n 's/^ops //p')
        ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$tmp/cg.$w.$b" 2>/dev/null)
        [ -z "$ir" ] && ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$tmp/cg.$w.$b" 2>/dev/null)
        if [ -n "$ops" ] && [ -n "$ir" ] && [ "$ops" -gt 0 ]; then
            line="$line $(awk -v i="$ir" -v o="$ops" 'BEGIN { printf "%14.2f", i / o }')"
        else
            line="$line $(printf '%14s' n/a)"
        fi
    done
    echo "$line"
done
rm -rf "$tmp"
exit 0
