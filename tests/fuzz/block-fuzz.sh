#!/bin/sh
# block-fuzz.sh FORMAT...: a bounded libFuzzer run per image format (about 4 s each), seeded with
# images made by qemu-img and vireo-img, then 100 mutated images through vireo-img itself
# (tests/fuzz/img-mutate.py). Crashes are kept as build/fuzz/crash-*.
# Last line: "N passed, N failed".
set -u
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-4}
pass=0 fail=0
root=$PWD
T=$(mktemp -d /tmp/vireo-fuzz.XXXXXX)
trap 'rm -rf "$T"' EXIT
seed() {   # seed FORMAT: a few small images of that format in $T/FORMAT
    d=$T/$1
    mkdir -p "$d"
    # Fixed content, so the seeds (and the mutation run below) are the same every time.
    python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(5).randbytes(300000) + b"vireo " * 20000)' > "$T/r.raw"
    truncate -s 1M "$T/r.raw"
    V=$root/$BUILD/vireo-img
    case $1 in
    qcow2)
        "$V" convert -O qcow2 -o cluster_size=4096 "$T/r.raw" "$d/a"
        "$V" convert -c -O qcow2 -o cluster_size=4096,refcount_bits=1 "$T/r.raw" "$d/b"
        "$V" convert -O qcow2 -o compat=0.10,cluster_size=512 "$T/r.raw" "$d/c"
        command -v qemu-img >/dev/null && qemu-img snapshot -c s "$d/a" 2>/dev/null ;;
    qcow) "$V" convert -c -O qcow "$T/r.raw" "$d/a" ;;
    vmdk)
        "$V" convert -O vmdk "$T/r.raw" "$d/a"
        "$V" convert -O vmdk -o subformat=streamOptimized "$T/r.raw" "$d/b" ;;
    vdi) "$V" convert -O vdi "$T/r.raw" "$d/a" ;;
    raw) cp "$T/r.raw" "$d/a" ;;
    esac
}
for fmt in "$@"; do
    seed "$fmt" 2>/dev/null
    log=$T/$fmt.log
    if "$BUILD/fuzz/block-fuzz-$fmt" -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 \
        -max_len=262144 -artifact_prefix="$BUILD/fuzz/crash-$fmt-" "$T/$fmt" > "$log" 2>&1; then
        runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1)
        echo "PASS: fuzz $fmt ($runs in ${SECS}s)"
        pass=$((pass + 1))
    else
        echo "FAIL: fuzz $fmt (reproducer in $BUILD/fuzz/crash-$fmt-*)"
        grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done
# Mutated copies of valid images of every format through convert/check/info/map.
m=$T/mutate
mkdir -p "$m"
V=$root/$BUILD/vireo-img
cp "$T/r.raw" "$m/s.raw"
"$V" convert -O qcow2 -o cluster_size=4096 "$m/s.raw" "$m/seed.qcow2" 2>/dev/null
"$V" convert -c -O qcow2 -o cluster_size=512 "$m/s.raw" "$m/seed.c.qcow2" 2>/dev/null
"$V" convert -O vmdk "$m/s.raw" "$m/seed.vmdk" 2>/dev/null
"$V" convert -O vmdk -o subformat=streamOptimized "$m/s.raw" "$m/seed.s.vmdk" 2>/dev/null
"$V" convert -O vdi "$m/s.raw" "$m/seed.vdi" 2>/dev/null
"$V" convert -c -O qcow "$m/s.raw" "$m/seed.qcow" 2>/dev/null
if out=$(python3 tests/fuzz/img-mutate.py "$V" "${MUTATE_SEED:-1}" "${MUTATE_COUNT:-100}" "$m" 2>&1) &&
   [ "$(echo "$out" | tail -1)" = "bad 0" ]; then
    echo "PASS: ${MUTATE_COUNT:-100} mutated images through convert/check/info/map"
    pass=$((pass + 1))
else
    echo "FAIL: mutated images"
    echo "$out" | tail -5 | sed 's/^/    /'
    mkdir -p "$BUILD/fuzz" && cp "$m"/crash-* "$m"/hang-* "$BUILD/fuzz/" 2>/dev/null
    fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
