#!/bin/sh
# chipset-fuzz.sh: a bounded libFuzzer run (FUZZ_SECONDS, default 4) over the registers of
# every pc device (tests/hw/chipset-fuzz.c). A crash leaves its reproducer as
# build/fuzz/crash-chipset-*.
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-4}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if "$BUILD/fuzz/chipset-fuzz" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
    -max_len=4096 -artifact_prefix="$BUILD/fuzz/crash-chipset-" >"$log" 2>&1; then
    echo "PASS     chipset-fuzz ($(grep -o 'Done [0-9]* runs' "$log" | tail -1) in ${SECS}s)"
    echo "chipset-fuzz: 1 passed, 0 failed"
else
    echo "FAIL     chipset-fuzz (reproducer in $BUILD/fuzz/crash-chipset-*)"
    grep -E 'ERROR|SUMMARY|runtime error|chipset-fuzz' "$log" | head -8 | sed 's/^/    /'
    echo "chipset-fuzz: 0 passed, 1 failed"
    exit 1
fi
