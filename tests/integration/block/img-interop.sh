#!/bin/sh
# img-interop.sh: qemu-img is the oracle: images it makes read back bit-identically through
# vireo-img, images vireo-img writes pass `qemu-img check` and `qemu-img compare`, a killed
# writer leaves no corruption, and corrupt images end in one clear error line.
# Usage: BUILD=build sh tests/integration/block/img-interop.sh   (last line: "N passed, N failed")
set -u
BUILD=${BUILD:-build}
V=$PWD/$BUILD/vireo-img
R=$PWD/$BUILD/tests/integration/block/img-randwrite
pass=0 fail=0

if ! tests/need-pkg.sh qemu-img:qemu-utils qemu-io:qemu-utils python3:python3-minimal; then
    echo "SKIPPED: qemu-utils (the oracle) could not be installed"
    echo "0 passed, 0 failed"
    exit 0
fi
T=$(mktemp -d /tmp/vireo-img-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

ok() { pass=$((pass + 1)); echo "PASS: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; sed 's/^/    /' log | tail -8; }
# t NAME CMD...: one test; CMD's output goes to ./log, shown on failure.
t() { name=$1; shift; if "$@" >log 2>&1; then ok "$name"; else bad "$name"; fi; }

poke() {   # poke FILE OFFSET FORMAT VALUE: patch a big-endian header field
    python3 -c 'import struct,sys; f=open(sys.argv[1],"r+b"); f.seek(int(sys.argv[2])); f.write(struct.pack(sys.argv[3], int(sys.argv[4], 0)))' "$@"
}
# Test data: random runs, compressible text, zero gaps; 24 MiB plus an odd tail.
python3 - <<'EOF'
import random
r = random.Random(42)
size = 24 * 1024 * 1024 + 3 * 512
buf = bytearray(size)
words = [b"vireo ", b"qcow2 ", b"cluster ", b"\0" * 700, b"refcount "]
pos = 0
while pos < size:
    kind = r.randrange(4)
    n = r.randrange(1, 600000)
    if kind == 0:
        chunk = r.randbytes(n)
    elif kind == 1:
        chunk = b"".join(r.choice(words) for _ in range(n // 6 + 1))[:n]
    else:
        chunk = b"\0" * n          # holes
    buf[pos:pos + len(chunk)] = chunk[:size - pos]
    pos += n
open("pattern.raw", "wb").write(buf)
EOF

head -c 25165824 pattern.raw > aligned.raw   # whole clusters for every format

# ---- qemu-img makes, vireo-img reads ----

read_case() {   # read_case TAG [qemu-img convert options...]
    shift
    rm -f q.img out.raw
    qemu-img convert "$@" pattern.raw q.img &&
    "$V" convert -O raw q.img out.raw &&
    cmp out.raw pattern.raw
}
t "read qcow2 v3 default" read_case v3 -O qcow2
t "read qcow2 v2 (compat=0.10)" read_case v2 -O qcow2 -o compat=0.10
t "read qcow2 cluster_size=512" read_case c512 -O qcow2 -o cluster_size=512
t "read qcow2 cluster_size=2M" read_case c2m -O qcow2 -o cluster_size=2M
for bits in 1 2 4 8 32 64; do
    t "read qcow2 refcount_bits=$bits" read_case rb$bits -O qcow2 -o refcount_bits=$bits,cluster_size=4096
done
t "read qcow2 compressed" read_case comp -c -O qcow2
t "read qcow2 compressed v2 4k clusters" read_case comp2 -c -O qcow2 -o compat=0.10,cluster_size=4096
t "read qcow2 lazy_refcounts=on" read_case lazy -O qcow2 -o lazy_refcounts=on
t "read raw" read_case raw -O raw

zero_clusters() {   # v3 zero clusters (qemu-io write -z) and v2's written zeros
    rm -f z.qcow2 oracle.raw out.raw
    qemu-img create -q -f qcow2 -o "compat=$1" z.qcow2 16M &&
    qemu-io -f qcow2 -c "write -P 0x5a 0 6M" -c "write -z 1M 2M" -c "write -z 5M 64k" \
        -c "write -P 0x33 12M 300k" -c "write -z 12M 4k" z.qcow2 >/dev/null &&
    qemu-img convert -O raw z.qcow2 oracle.raw &&
    "$V" convert -O raw z.qcow2 out.raw && cmp out.raw oracle.raw &&
    "$V" compare z.qcow2 oracle.raw
}
t "read zero clusters v3" zero_clusters 1.1
t "read zeroed clusters v2" zero_clusters 0.10

backing_chain() {
    rm -f base.qcow2 mid.qcow2 top.qcow2 oracle.raw out.raw
    qemu-img convert -O qcow2 pattern.raw base.qcow2 &&
    qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 mid.qcow2 &&
    qemu-io -f qcow2 -c "write -P 0x11 1M 1M" -c "write -z 4M 512k" -c "write -P 7 100 1000" mid.qcow2 >/dev/null &&
    qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2 32M &&
    qemu-io -f qcow2 -c "write -P 0x22 1536k 64k" -c "write -P 0x44 30M 1M" top.qcow2 >/dev/null &&
    qemu-img convert -O raw top.qcow2 oracle.raw &&
    "$V" convert -O raw top.qcow2 out.raw && cmp out.raw oracle.raw &&
    "$V" info --backing-chain top.qcow2 | grep -q "backing file: base.qcow2"
}
t "read backing chain (3 layers, larger top)" backing_chain

map_json() {
    "$V" map --output=json "$1" > ours.json && qemu-img map --output=json "$1" > theirs.json &&
    diff ours.json theirs.json
}
t "map --output=json matches qemu-img (chain)" map_json top.qcow2
t "map --output=json matches qemu-img (zero clusters)" map_json z.qcow2

info_json() {
    "$V" info --output=json top.qcow2 > ours.json && qemu-img info --output=json top.qcow2 > theirs.json &&
    python3 -c '
import json, sys
a = json.load(open("ours.json")); b = json.load(open("theirs.json"))
for k in ("virtual-size", "format", "cluster-size", "backing-filename", "backing-filename-format", "format-specific", "dirty-flag"):
    if a.get(k) != b.get(k):
        sys.exit("%s: %r != %r" % (k, a.get(k), b.get(k)))'
}
t "info --output=json agrees with qemu-img" info_json

snapshot_read() {
    rm -f sn.qcow2 oracle.raw out.raw
    qemu-img convert -O qcow2 pattern.raw sn.qcow2 && qemu-img snapshot -c before sn.qcow2 &&
    qemu-io -f qcow2 -c "write -P 0x66 2M 3M" sn.qcow2 >/dev/null &&
    qemu-img convert -O raw sn.qcow2 oracle.raw &&
    "$V" convert -O raw sn.qcow2 out.raw && cmp out.raw oracle.raw &&
    "$V" snapshot -l sn.qcow2 | grep -q before &&
    "$V" check sn.qcow2
}
t "read image with an internal snapshot" snapshot_read

# ---- vireo-img writes, qemu-img checks ----

write_case() {   # write_case [vireo-img convert options...]
    rm -f w.qcow2
    "$V" convert "$@" pattern.raw w.qcow2 &&
    qemu-img check -q w.qcow2 && qemu-img compare -q pattern.raw w.qcow2 &&
    "$V" check -q w.qcow2 && "$V" compare -q w.qcow2 pattern.raw
}
t "convert -O qcow2" write_case -O qcow2
t "convert -O qcow2 compat=0.10" write_case -O qcow2 -o compat=0.10
t "convert -O qcow2 cluster_size=512" write_case -O qcow2 -o cluster_size=512
t "convert -O qcow2 cluster_size=2M" write_case -O qcow2 -o cluster_size=2M
for bits in 1 2 4 8 32 64; do
    t "convert -O qcow2 refcount_bits=$bits" write_case -O qcow2 -o refcount_bits=$bits,cluster_size=1024
done
t "convert -c -O qcow2" write_case -c -O qcow2
t "convert -c -O qcow2 compat=0.10 cluster_size=4k" write_case -c -O qcow2 -o compat=0.10,cluster_size=4096
t "convert -c refcount_bits=1 (no sharing)" write_case -c -O qcow2 -o refcount_bits=1
t "convert -S 0 -p (fully allocated)" write_case -S 0 -p -O qcow2
t "convert -O raw keeps holes" sh -c "\"$V\" convert -O qcow2 pattern.raw h.qcow2 && \"$V\" convert -O raw h.qcow2 h.raw &&
    cmp h.raw pattern.raw && [ \$(du -k h.raw | cut -f1) -lt \$(du -k pattern.raw | cut -f1) ] || [ \$(du -k h.raw | cut -f1) -le 20000 ]"

convert_concat() {
    # Several sources, concatenated (the odd-sized one padded to a whole sector, as qemu-img).
    rm -f cc.qcow2 odd.raw cc.raw
    head -c 1000 pattern.raw > odd.raw &&
    "$V" convert -O qcow2 odd.raw aligned.raw cc.qcow2 &&
    { cat odd.raw; head -c 24 /dev/zero; cat aligned.raw; } > cc.raw &&
    qemu-img compare -q cc.qcow2 cc.raw && qemu-img check -q cc.qcow2
}
t "convert of two sources concatenates them" convert_concat

compressed_really() {
    "$V" convert -c -O qcow2 pattern.raw c.qcow2 &&
    qemu-img check --output=json c.qcow2 | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d["compressed-clusters"] == 0)'
}
t "convert -c stores compressed clusters" compressed_really

check_json() {
    for img in c.qcow2 w.qcow2 sn.qcow2; do
        "$V" check --output=json "$img" > ours.json && qemu-img check --output=json "$img" > theirs.json &&
        python3 -c '
import json, sys
a = json.load(open("ours.json")); b = json.load(open("theirs.json"))
for k in ("total-clusters", "allocated-clusters", "compressed-clusters", "fragmented-clusters", "image-end-offset", "check-errors"):
    if a.get(k) != b.get(k):
        sys.exit("%s: %r != %r" % (k, a.get(k), b.get(k)))' || return 1
    done
}
t "check --output=json statistics equal qemu-img's" check_json

qemu_info_of_ours() {
    rm -f cr.qcow2 ov.qcow2
    "$V" create -q -f qcow2 -o cluster_size=4096,lazy_refcounts=on cr.qcow2 10M &&
    qemu-img info --output=json cr.qcow2 | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["virtual-size"] == 10485760 and d["cluster-size"] == 4096, d
assert d["format-specific"]["data"]["lazy-refcounts"] is True, d' &&
    "$V" create -q -f qcow2 -b cr.qcow2 ov.qcow2 &&
    qemu-img info ov.qcow2 | grep -q "backing file format: qcow2" && qemu-img check -q ov.qcow2
}
t "create: qemu-img reads options and backing file" qemu_info_of_ours

randwrite() {   # randwrite IMAGE SEED COUNT MAXLEN: random writes, then check and compare
    rm -f shadow.raw
    qemu-img convert -O raw "$1" shadow.raw &&
    "$R" "$1" shadow.raw "$2" "$3" "$4" || return 1
    qemu-img check -q "$1"
    rc=$?   # 63: the format has no check (qcow)
    { [ $rc = 0 ] || [ $rc = 63 ]; } && qemu-img compare -q "$1" shadow.raw
}
rw_fresh() {   # rw_fresh CREATE-OPTIONS SEED
    rm -f rw.qcow2
    qemu-img create -q -f qcow2 -o "$1" rw.qcow2 48M && randwrite rw.qcow2 "$2" 400 200000
}
t "random writes: v3 default" rw_fresh cluster_size=65536 1
t "random writes: v2" rw_fresh compat=0.10 2
t "random writes: 512-byte clusters, 1-bit refcounts (table growth)" rw_fresh cluster_size=512,refcount_bits=1 3
t "random writes: 64-bit refcounts, 2M clusters" rw_fresh cluster_size=2M,refcount_bits=64 4

prealloc_case() {   # every cluster mapped, refcount blocks between the runs left intact
    rm -f pa.qcow2 shadow.raw
    "$V" create -q -f qcow2 -o "preallocation=$1,cluster_size=4096" pa.qcow2 20M &&
    qemu-img check -q pa.qcow2 &&
    qemu-img check --output=json pa.qcow2 | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d["allocated-clusters"] != d["total-clusters"])' &&
    randwrite pa.qcow2 51 100 100000
}
for m in metadata falloc full; do
    t "create qcow2 preallocation=$m" prealloc_case $m
done

rw_compressed() {
    rm -f rc.qcow2
    qemu-img convert -c -O qcow2 pattern.raw rc.qcow2 && randwrite rc.qcow2 5 300 100000
}
t "random writes over compressed clusters" rw_compressed

rw_snapshot() {
    rm -f rs.qcow2 before.raw
    qemu-img convert -O qcow2 pattern.raw rs.qcow2 && qemu-img snapshot -c s1 rs.qcow2 &&
    randwrite rs.qcow2 6 300 100000 &&
    qemu-img snapshot -a s1 rs.qcow2 && qemu-img compare -q rs.qcow2 pattern.raw
}
t "random writes with a snapshot (copy on write), snapshot intact" rw_snapshot

rw_backing() {
    rm -f rb.qcow2
    "$V" create -q -f qcow2 -b pattern.raw -F raw rb.qcow2 && randwrite rb.qcow2 7 300 100000 &&
    qemu-img compare -q pattern.raw pattern.raw
}
t "random writes into an overlay of a raw backing file" rw_backing

convert_n() {
    rm -f n.qcow2
    qemu-img create -q -f qcow2 n.qcow2 "$(stat -c %s pattern.raw)" &&
    qemu-io -f qcow2 -c "write -P 0x99 0 24M" n.qcow2 >/dev/null &&
    "$V" convert -n -O qcow2 pattern.raw n.qcow2 &&
    qemu-img check -q n.qcow2 && qemu-img compare -q pattern.raw n.qcow2
}
t "convert -n over an existing image (zeros written)" convert_n

compare_codes() {
    cp pattern.raw diff.raw &&
    printf 'X' | dd of=diff.raw bs=1 seek=5000000 conv=notrunc 2>/dev/null &&
    "$V" compare pattern.raw w.qcow2 && { "$V" compare pattern.raw diff.raw > cmp.out; [ $? = 1 ]; } &&
    grep -q "Content mismatch at offset 4999680!" cmp.out
}
t "compare: identical 0, different 1 with the offset" compare_codes

# ---- killed writers ----

kill_loop() {
    i=0
    while [ $i -lt 8 ]; do
        rm -f k.qcow2 ks.raw
        qemu-img create -q -f qcow2 -o cluster_size=4096 k.qcow2 64M && truncate -s 64M ks.raw
        "$R" k.qcow2 ks.raw $i 1000000 65536 $((i % 3 + 1)) &
        pid=$!
        sleep 0.$((i % 7 + 2))
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        qemu-img check k.qcow2 > qc.out 2>&1
        rc=$?
        # 0 clean, 3 leaks only; 2 would be corruption
        if [ $rc != 0 ] && [ $rc != 3 ]; then cat qc.out; return 1; fi
        if [ $rc = 3 ]; then
            "$V" check k.qcow2 > vc.out 2>&1
            [ $? = 3 ] || { echo "vireo-img check missed the leaks"; return 1; }
            "$V" check -r leaks k.qcow2 > /dev/null 2>&1
            qemu-img check -q k.qcow2 || { echo "leaks remain after check -r leaks"; return 1; }
        fi
        i=$((i + 1))
    done
}
t "SIGKILL during writes: no corruption, check -r leaks repairs" kill_loop

snapshots_ours() {
    rm -f so.qcow2 mid.raw shadow.raw
    qemu-img convert -O qcow2 aligned.raw so.qcow2 &&
    "$V" snapshot -c first so.qcow2 && qemu-img check -q so.qcow2 &&
    qemu-img snapshot -l so.qcow2 | grep -q first &&
    randwrite so.qcow2 41 200 100000 && cp shadow.raw mid.raw &&
    "$V" snapshot -c second so.qcow2 && randwrite so.qcow2 42 200 100000 &&
    "$V" snapshot -a first so.qcow2 && qemu-img check -q so.qcow2 && qemu-img compare -q so.qcow2 aligned.raw &&
    qemu-img snapshot -a second so.qcow2 && qemu-img compare -q so.qcow2 mid.raw &&
    "$V" snapshot -d first so.qcow2 && qemu-img check -q so.qcow2 &&
    "$V" snapshot -d second so.qcow2 && qemu-img check -q so.qcow2 && qemu-img compare -q so.qcow2 mid.raw &&
    [ -z "$(qemu-img snapshot -l so.qcow2)" ]
}
t "snapshot -c/-a/-d: qemu-img lists, applies and checks them" snapshots_ours

snapshots_theirs() {
    rm -f st.qcow2 base.raw
    qemu-img convert -O qcow2 -o compat=0.10 aligned.raw st.qcow2 && qemu-img snapshot -c q1 st.qcow2 &&
    qemu-io -f qcow2 -c "write -P 0x55 5M 2M" st.qcow2 >/dev/null &&
    "$V" snapshot -a q1 st.qcow2 && qemu-img compare -q st.qcow2 aligned.raw &&
    "$V" snapshot -d q1 st.qcow2 && qemu-img check -q st.qcow2 && [ -z "$(qemu-img snapshot -l st.qcow2)" ]
}
t "snapshot -a/-d on a qemu-img snapshot (v2 image)" snapshots_theirs

# ---- resize, rebase, commit, dd ----

resize_grow() {
    rm -f rz.qcow2 rz.raw
    qemu-img convert -O qcow2 -o cluster_size=512 aligned.raw rz.qcow2 &&
    "$V" resize rz.qcow2 +200M && qemu-img check -q rz.qcow2 &&
    [ "$(qemu-img info --output=json rz.qcow2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])')" = $((25165824 + 209715200)) ] &&
    "$V" convert -O raw rz.qcow2 rz.raw && cmp -n 25165824 rz.raw aligned.raw &&
    "$V" resize --shrink rz.qcow2 25165824 && qemu-img check -q rz.qcow2 &&
    qemu-img compare -q rz.qcow2 aligned.raw &&
    { "$V" resize --shrink rz.qcow2 1M 2>/dev/null; [ $? = 1 ]; }
}
t "resize qcow2: grow (new L1 table), shrink over unallocated space" resize_grow

rebase_safe() {
    rm -f b1.qcow2 b2.qcow2 ro.qcow2 before.raw
    qemu-img convert -O qcow2 aligned.raw b1.qcow2 && qemu-img create -q -f qcow2 b2.qcow2 24M &&
    qemu-io -f qcow2 -c "write -P 0x77 3M 1M" b2.qcow2 >/dev/null &&
    qemu-img create -q -f qcow2 -b b1.qcow2 -F qcow2 ro.qcow2 &&
    qemu-io -f qcow2 -c "write -P 7 0 4k" -c "write -P 8 10M 3k" ro.qcow2 >/dev/null &&
    qemu-img convert -O raw ro.qcow2 before.raw &&
    "$V" rebase -b b2.qcow2 ro.qcow2 && qemu-img info ro.qcow2 | grep -q "backing file: b2.qcow2" &&
    qemu-img check -q ro.qcow2 && qemu-img compare -q ro.qcow2 before.raw &&
    "$V" rebase -b "" ro.qcow2 && ! qemu-img info ro.qcow2 | grep -q "backing file" &&
    qemu-img compare -q ro.qcow2 before.raw
}
t "rebase (safe) onto another base, then onto none: content unchanged" rebase_safe

rebase_unsafe() {
    rm -f uo.qcow2
    qemu-img create -q -f qcow2 -b b1.qcow2 -F qcow2 uo.qcow2 &&
    "$V" rebase -u -b b2.qcow2 -F qcow2 uo.qcow2 &&
    qemu-img info --output=json uo.qcow2 | grep -q '"backing-filename": "b2.qcow2"' &&
    qemu-img compare -q uo.qcow2 b2.qcow2 && qemu-img check -q uo.qcow2
}
t "rebase -u rewrites only the name (header extensions kept)" rebase_unsafe

commit_case() {
    rm -f cb.qcow2 ct.qcow2 all.raw
    qemu-img convert -O qcow2 aligned.raw cb.qcow2 && qemu-img create -q -f qcow2 -b cb.qcow2 -F qcow2 ct.qcow2 &&
    qemu-io -f qcow2 -c "write -P 5 100k 300k" -c "write -z 600k 64k" -c "write -P 6 20M 70k" ct.qcow2 >/dev/null &&
    qemu-img convert -O raw ct.qcow2 all.raw &&
    "$V" commit -q ct.qcow2 && qemu-img compare -q cb.qcow2 all.raw && qemu-img compare -q ct.qcow2 all.raw &&
    qemu-img check -q ct.qcow2 && qemu-img check -q cb.qcow2 &&
    ! qemu-img map --output=json ct.qcow2 | grep -q '"depth": 0, "present": true'
}
t "commit: data reaches the base, the top is emptied, both pass check" commit_case

dd_case() {
    rm -f dd.qcow2 dd.raw
    "$V" dd -O qcow2 bs=4k skip=3 count=100 if=aligned.raw of=dd.qcow2 && qemu-img check -q dd.qcow2 &&
    dd if=aligned.raw of=dd.raw bs=4k skip=3 count=100 2>/dev/null && qemu-img compare -q dd.qcow2 dd.raw
}
t "dd bs= skip= count= into qcow2" dd_case

amend_case() {
    rm -f am.qcow2 am.raw
    qemu-img create -q -f qcow2 -b aligned.raw -F raw am.qcow2 &&
    qemu-io -f qcow2 -c "write -P 3 0 100k" -c "write -z 200k 128k" -c "write -z 0 64k" am.qcow2 >/dev/null &&
    qemu-img convert -O raw am.qcow2 am.raw &&
    "$V" amend -o compat=0.10 am.qcow2 && qemu-img info am.qcow2 | grep -q "compat: 0.10" &&
    qemu-img check -q am.qcow2 && qemu-img compare -q am.qcow2 am.raw &&
    qemu-img info am.qcow2 | grep -q "backing file format: raw" &&
    "$V" amend -o compat=1.1,lazy_refcounts=on am.qcow2 && qemu-img info am.qcow2 | grep -q "lazy refcounts: true" &&
    qemu-img check -q am.qcow2 && qemu-img compare -q am.qcow2 am.raw &&
    { "$V" amend -o cluster_size=4k am.qcow2 2>/dev/null; [ $? = 1 ]; }
}
t "amend compat=0.10 (zero clusters written out) and back to 1.1 with lazy refcounts" amend_case

bench_cmd() {
    "$V" bench -c 1000 -s 4k w.qcow2 | grep -q "Run completed" &&
    "$V" bench -w -c 200 -s 64k -S 128k am.qcow2 | grep -q "Run completed" && qemu-img check -q am.qcow2
}
t "bench (read, and write with step)" bench_cmd

measure_case() {
    # "fully allocated" must equal qemu-img's; "required" for an image is the size of its
    # conversion (checked against our own convert output).
    for src in pattern.raw w.qcow2 r1.vmdk; do
        [ "$("$V" measure -O qcow2 "$src" | sed -n 2p)" = "$(qemu-img measure -O qcow2 "$src" | sed -n 2p)" ] || return 1
    done
    rm -f ms.qcow2
    "$V" convert -O qcow2 pattern.raw ms.qcow2 &&
    [ "$("$V" measure --output=json -O qcow2 pattern.raw | python3 -c 'import json,sys; print(json.load(sys.stdin)["required"])')" -ge "$(stat -c %s ms.qcow2)" ]
}
t "measure: fully allocated size as qemu-img's, required covers a real conversion" measure_case

kill_convert() {
    # A killed convert (cache=unsafe: no flushes, only the order of writes) leaves leaks at most.
    i=0
    while [ $i -lt 5 ]; do
        rm -f kc.qcow2
        "$V" convert -O qcow2 -o cluster_size=4096 pattern.raw kc.qcow2 &
        pid=$!
        sleep 0.0$((i * 2 + 1))
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        if [ -s kc.qcow2 ]; then
            qemu-img check kc.qcow2 > qc.out 2>&1
            rc=$?
            if [ $rc != 0 ] && [ $rc != 3 ]; then cat qc.out | tail -5; return 1; fi
        fi
        i=$((i + 1))
    done
}
t "SIGKILL during convert: no corruption" kill_convert

dirty_repair() {
    # A dirty image (lazy refcounts, not closed) gets its refcounts rebuilt when opened to write.
    rm -f dy.qcow2 shadow.raw
    qemu-img create -q -f qcow2 -o lazy_refcounts=on dy.qcow2 8M &&
    qemu-io -f qcow2 -c "write -P 1 0 1M" dy.qcow2 >/dev/null &&
    poke dy.qcow2 72 '>Q' 1 && poke dy.qcow2 131072 '>Q' 0 &&
    "$V" info dy.qcow2 | grep -q "cleanly shut down: no" &&
    randwrite dy.qcow2 61 50 100000 &&
    ! "$V" info dy.qcow2 | grep -q "cleanly shut down"
}
t "dirty bit: refcounts rebuilt on a read-write open, bit cleared" dirty_repair

convert_B() {
    rm -f cB.qcow2 cbase.qcow2
    qemu-img convert -O qcow2 aligned.raw cbase.qcow2 &&
    "$V" convert -O qcow2 -B cbase.qcow2 pattern.raw cB.qcow2 &&
    qemu-img info cB.qcow2 | grep -q "backing file: cbase.qcow2" &&
    qemu-img check -q cB.qcow2 && qemu-img compare -q cB.qcow2 pattern.raw
}
t "convert -B: target with a backing file, same content" convert_B

huge_empty() {
    # 1 PiB of nothing: convert, compare and map walk it in a few steps, not 2 MiB at a time.
    rm -f hg.qcow2 hg2.qcow2
    "$V" create -q -f qcow2 -o cluster_size=2M hg.qcow2 1P &&
    timeout 20 "$V" convert -O qcow2 hg.qcow2 hg2.qcow2 && timeout 20 "$V" compare -q hg.qcow2 hg2.qcow2 &&
    timeout 20 "$V" map --output=json hg2.qcow2 | grep -q '"length": 1125899906842624' &&
    qemu-img check -q hg2.qcow2
}
t "1 PiB empty image: convert/compare/map do not crawl" huge_empty

# ---- corrupt images: one error line, no crash ----

corrupt() {   # corrupt NAME OFFSET FORMAT VALUE [truncate-size]
    rm -f bad.qcow2 bad.raw
    qemu-img convert -O qcow2 -o cluster_size=4096 pattern.raw bad.qcow2 || return 1
    [ "$2" = - ] || poke bad.qcow2 "$2" "$3" "$4"
    [ -n "${5:-}" ] && truncate -s "$5" bad.qcow2
    "$V" convert -O raw bad.qcow2 bad.raw 2> err.txt
    rc=$?
    cat err.txt
    [ $rc = 1 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q '^vireo-img: ' err.txt
}
t "corrupt: bad cluster_bits" corrupt cb 20 '>I' 40
t "corrupt: L1 table beyond end of file" corrupt l1 40 '>Q' 0x7fff0000000
t "corrupt: huge l1_size" corrupt l1s 36 '>I' 0xffffffff
t "corrupt: refcount table beyond end of file" corrupt rt 48 '>Q' 0x100000000
t "corrupt: unknown incompatible feature" corrupt feat 72 '>Q' 0x100
t "corrupt: backing name outside the header cluster" corrupt bk 8 '>Q' 5000
t "corrupt: truncated to 100 bytes" corrupt trunc - '>I' 0 100
t "corrupt: truncated data (L2 points beyond end)" corrupt trunc2 - '>I' 0 200000
l2_bad() {
    # Point the first L1 entry's L2 table at itself garbage: an L2 entry beyond end of file.
    rm -f bad.qcow2
    qemu-img convert -O qcow2 -o cluster_size=4096 pattern.raw bad.qcow2 &&
    python3 -c '
import struct
f = open("bad.qcow2", "r+b"); h = f.read(48)
l1 = struct.unpack(">Q", h[40:48])[0]
f.seek(l1); l2 = struct.unpack(">Q", f.read(8))[0] & 0x00fffffffffffe00
f.seek(l2 + 8 * 200); f.write(struct.pack(">Q", (1 << 63) | (1 << 50)))' &&
    { "$V" convert -O raw bad.qcow2 bad.raw 2> err.txt; [ $? = 1 ]; } && cat err.txt &&
    [ "$(wc -l < err.txt)" = 1 ] && grep -q "L2 entry 200 .*beyond end of file" err.txt &&
    { "$V" check bad.qcow2 > /dev/null 2>&1; [ $? = 2 ]; }
}
t "corrupt: L2 entry beyond end of file (named in the error; check says 2)" l2_bad

# ---- vmdk ----

for sub in monolithicSparse streamOptimized monolithicFlat twoGbMaxExtentSparse twoGbMaxExtentFlat; do
    t "read vmdk $sub" read_case v -O vmdk -o subformat=$sub
    vmdk_write() {
        rm -f wv.vmdk wv-*.vmdk
        "$V" convert -O vmdk -o "subformat=$1" pattern.raw wv.vmdk &&
        qemu-img check -q wv.vmdk && qemu-img compare -q pattern.raw wv.vmdk &&
        qemu-img info wv.vmdk | grep -q "create type: $1"
    }
    t "convert -O vmdk subformat=$sub" vmdk_write $sub
done

vmdk_chain() {
    rm -f vb.vmdk vc.vmdk oracle.raw out.raw
    qemu-img convert -O vmdk pattern.raw vb.vmdk &&
    qemu-img create -q -f vmdk -b vb.vmdk -F vmdk vc.vmdk &&
    qemu-io -f vmdk -c "write -P 0x31 1M 100k" -c "write -P 0x32 20M 64k" vc.vmdk >/dev/null &&
    qemu-img convert -O raw vc.vmdk oracle.raw &&
    "$V" convert -O raw vc.vmdk out.raw && cmp out.raw oracle.raw &&
    randwrite vc.vmdk 11 200 100000
}
t "vmdk parent link: read, then random writes (qemu-img check/compare)" vmdk_chain

vmdk_create_child() {
    rm -f vd.vmdk
    "$V" create -q -f vmdk -b vb.vmdk vd.vmdk &&
    qemu-img info vd.vmdk | grep -q "backing file: vb.vmdk" && qemu-img compare -q vd.vmdk pattern.raw
}
t "vmdk create -b: qemu-img follows the parent" vmdk_create_child

rw_vmdk() {
    rm -f rv.vmdk rv-*.vmdk
    qemu-img create -q -f vmdk -o "subformat=$1" rv.vmdk 40M && randwrite rv.vmdk "$2" 300 150000
}
t "random writes: vmdk monolithicSparse" rw_vmdk monolithicSparse 12
t "random writes: vmdk twoGbMaxExtentSparse" rw_vmdk twoGbMaxExtentSparse 13
t "random writes: vmdk monolithicFlat" rw_vmdk monolithicFlat 14

round_trip() {
    rm -f r1.vmdk r2.qcow2 r3.vmdk
    "$V" convert -O vmdk -o subformat=streamOptimized pattern.raw r1.vmdk &&
    "$V" convert -O qcow2 r1.vmdk r2.qcow2 && "$V" convert -O vmdk r2.qcow2 r3.vmdk &&
    qemu-img compare -q r3.vmdk pattern.raw && qemu-img compare -q r1.vmdk r2.qcow2
}
t "round trip vmdk(stream) -> qcow2 -> vmdk is lossless" round_trip

vmdk_renamed() {
    # A monolithicSparse file copied under another name still reads (its embedded descriptor
    # names the old file), as with qemu-img.
    rm -f orig.vmdk copy.vmdk
    qemu-img convert -O vmdk aligned.raw orig.vmdk && cp orig.vmdk copy.vmdk && rm -f orig.vmdk &&
    "$V" compare -q copy.vmdk aligned.raw && qemu-img compare -q copy.vmdk aligned.raw
}
t "vmdk monolithicSparse under a new file name" vmdk_renamed

esx_vmfs() {
    # An ESX-style descriptor (createType vmfs, a VMFS extent) next to its flat file.
    rm -f esx.vmdk esx-flat.vmdk out.raw
    head -c 4194304 pattern.raw > esx-flat.vmdk &&
    printf '# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="vmfs"\n\n# Extent description\nRW 8192 VMFS "esx-flat.vmdk"\n\n# The Disk Data Base\n#DDB\n\nddb.adapterType = "lsilogic"\n' > esx.vmdk &&
    qemu-img compare -q esx.vmdk esx-flat.vmdk && "$V" convert -O raw esx.vmdk out.raw && cmp out.raw esx-flat.vmdk &&
    "$V" info esx.vmdk | grep -q "create type: vmfs"
}
t "vmdk ESX vmfs descriptor with a VMFS flat extent" esx_vmfs

vmdk_corrupt() {   # vmdk_corrupt WHAT: poke a sparse extent, expect one error line
    rm -f bv.vmdk bad.raw
    qemu-img convert -O vmdk pattern.raw bv.vmdk || return 1
    case $1 in
    grain) poke bv.vmdk 20 '<Q' 3 ;;
    gtes) poke bv.vmdk 44 '<I' 100000 ;;
    gd) poke bv.vmdk 56 '<Q' 0xffffffff ;;
    gte) python3 -c '
import struct
f = open("bv.vmdk", "r+b"); h = f.read(512)
gd = struct.unpack("<Q", h[56:64])[0] * 512
f.seek(gd); gt = struct.unpack("<I", f.read(4))[0] * 512
f.seek(gt + 4 * 5); f.write(struct.pack("<I", 0x7fffff00))' ;;
    esac
    "$V" convert -O raw bv.vmdk bad.raw 2> err.txt
    rc=$?
    cat err.txt
    [ $rc = 1 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q '^vireo-img: ' err.txt || return 1
    if [ "$1" = gte ]; then "$V" check bv.vmdk >/dev/null 2>&1; [ $? = 2 ]; fi
}
t "corrupt vmdk: grain size not a power of two" vmdk_corrupt grain
t "corrupt vmdk: huge grain table" vmdk_corrupt gtes
t "corrupt vmdk: grain directory beyond end of file" vmdk_corrupt gd
t "corrupt vmdk: grain table entry beyond end of file" vmdk_corrupt gte

stream_unaligned_holes() {
    # Data ending inside a grain, then a hole: runs must still reach the stream whole.
    rm -f uh.raw uh.vmdk
    head -c 300000 pattern.raw > uh.raw && truncate -s 3M uh.raw &&
    printf 'tail' | dd of=uh.raw bs=1 seek=2500000 conv=notrunc 2>/dev/null &&
    "$V" convert -O vmdk -o subformat=streamOptimized uh.raw uh.vmdk &&
    qemu-img compare -q uh.raw uh.vmdk && qemu-img check -q uh.vmdk
}
t "convert sparse raw (holes inside grains) to streamOptimized" stream_unaligned_holes

# ---- vdi ----

for o in static=off static=on; do
    t "read vdi $o" read_case v -O vdi -o $o
    vdi_write() {
        rm -f wd.vdi
        "$V" convert -O vdi -o "$1" pattern.raw wd.vdi &&
        qemu-img check -q wd.vdi && qemu-img compare -q pattern.raw wd.vdi
    }
    t "convert -O vdi $o" vdi_write $o
done
vdi_sparse() {
    # Zero blocks are left out of a dynamic image: it must be smaller than the data.
    rm -f sp.vdi
    "$V" convert -O vdi pattern.raw sp.vdi &&
    python3 -c 'import os,sys; sys.exit(os.path.getsize("sp.vdi") >= os.path.getsize("pattern.raw"))'
}
t "convert -O vdi leaves zero blocks out" vdi_sparse
rw_vdi() {
    rm -f rd.vdi
    qemu-img create -q -f vdi rd.vdi 40M && randwrite rd.vdi 21 300 150000
}
t "random writes: vdi dynamic" rw_vdi

round_trip4() {
    rm -f t1.vmdk t2.qcow2 t3.vdi t4.vmdk
    qemu-img convert -O vmdk pattern.raw t1.vmdk &&
    "$V" convert -O qcow2 t1.vmdk t2.qcow2 && "$V" convert -O vdi t2.qcow2 t3.vdi &&
    "$V" convert -O vmdk t3.vdi t4.vmdk && qemu-img compare -q t4.vmdk pattern.raw &&
    qemu-img compare -q t3.vdi t1.vmdk
}
t "round trip vmdk -> qcow2 -> vdi -> vmdk is lossless" round_trip4

vdi_corrupt() {
    rm -f bd.vdi bad.raw
    qemu-img convert -O vdi pattern.raw bd.vdi || return 1
    case $1 in
    blocks) poke bd.vdi 384 '<I' 2 ;;
    bmap) poke bd.vdi 340 '<I' 0x7ffffe00 ;;
    entry) poke bd.vdi 516 '<I' 0x7000 ;;
    bsize) poke bd.vdi 376 '<I' 4096 ;;
    esac
    "$V" convert -O raw bd.vdi bad.raw 2> err.txt
    rc=$?
    cat err.txt
    [ $rc = 1 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q '^vireo-img: ' err.txt
}
t "corrupt vdi: too few blocks for the size" vdi_corrupt blocks
t "corrupt vdi: block map beyond end of file" vdi_corrupt bmap
t "corrupt vdi: block map entry out of range" vdi_corrupt entry
t "corrupt vdi: unsupported block size" vdi_corrupt bsize

# ---- qcow (version 1) ----

t "read qcow" read_case q -O qcow
qcow_read_c() {
    # qemu-img 7.2 cannot write compressed qcow clusters (convert -c fails, qemu-io write -c
    # leaves them out), so ours are the compressed ones: qemu-img reads them, so do we.
    rm -f qc.qcow qn.qcow out.raw
    "$V" convert -c -O qcow aligned.raw qc.qcow && "$V" convert -O qcow aligned.raw qn.qcow &&
    [ "$(stat -c %s qc.qcow)" -lt "$(stat -c %s qn.qcow)" ] &&
    qemu-img compare -q qc.qcow aligned.raw &&
    "$V" convert -O raw qc.qcow out.raw && cmp out.raw aligned.raw
}
t "qcow compressed clusters: smaller, read by qemu-img and vireo-img" qcow_read_c
qcow_write() {
    rm -f wq.qcow
    "$V" convert "$@" -O qcow pattern.raw wq.qcow && qemu-img compare -q pattern.raw wq.qcow &&
    qemu-img info wq.qcow | grep -q "file format: qcow"
}
t "convert -O qcow" qcow_write
t "convert -c -O qcow" qcow_write -c
qcow_chain() {
    rm -f bq.qcow oracle.raw out.raw
    qemu-img create -q -f qcow -b pattern.raw -F raw bq.qcow &&
    qemu-io -f qcow -c "write -P 9 1000 100k" bq.qcow >/dev/null &&
    qemu-img convert -O raw bq.qcow oracle.raw && "$V" convert -O raw bq.qcow out.raw &&
    cmp out.raw oracle.raw && randwrite bq.qcow 31 300 100000
}
t "qcow backing file: read, random writes" qcow_chain
t "random writes over compressed qcow clusters" randwrite qc.qcow 32 300 100000
qcow_corrupt() {
    rm -f bq1.qcow bad.raw
    qemu-img convert -O qcow aligned.raw bq1.qcow || return 1
    case $1 in
    cb) poke bq1.qcow 32 '>B' 40 ;;
    l1) poke bq1.qcow 40 '>Q' 0x10000000000 ;;
    l2) python3 -c '
import struct
f = open("bq1.qcow", "r+b"); h = f.read(48)
l1 = struct.unpack(">Q", h[40:48])[0]
f.seek(l1); l2 = struct.unpack(">Q", f.read(8))[0]
f.seek(l2 + 8 * 3); f.write(struct.pack(">Q", 1 << 50))' ;;
    esac
    "$V" convert -O raw bq1.qcow bad.raw 2> err.txt
    rc=$?
    cat err.txt
    [ $rc = 1 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q '^vireo-img: ' err.txt
}
t "corrupt qcow: cluster_bits" qcow_corrupt cb
t "corrupt qcow: L1 beyond end of file" qcow_corrupt l1
t "corrupt qcow: L2 entry beyond end of file" qcow_corrupt l2

fifo_extent() {
    # A descriptor naming a FIFO as its extent must fail at once, not wait for a writer.
    rm -f ff fifo.vmdk
    mkfifo ff &&
    printf '# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\ncreateType="monolithicFlat"\nRW 8 FLAT "ff" 0\n' > fifo.vmdk &&
    { timeout 10 "$V" convert -O raw fifo.vmdk bad.raw 2> err.txt; [ $? = 1 ]; } && cat err.txt &&
    grep -q "not a regular file or block device" err.txt
}
t "vmdk extent naming a FIFO: one error, no hang" fifo_extent

echo "$pass passed, $fail failed"
[ $fail = 0 ]
