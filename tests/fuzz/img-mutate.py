#!/usr/bin/env python3
"""img-mutate.py VIREO_IMG SEED COUNT DIR: corrupt valid images (bytes in headers and tables,
truncation) and run convert/check/info/map on each: every run must end normally (exit 0..3,
or 63 for "no check"), without a signal, a sanitizer report or a hang, and a failed convert
must say why in exactly one line. Prints one line per problem and "bad N" last."""
import os, random, subprocess, sys

vimg, seed, count, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
r = random.Random(seed)
imgs = sorted(os.path.join(d, f) for f in os.listdir(d) if f.startswith("seed."))
bad = 0
for it in range(count):
    src = r.choice(imgs)
    data = bytearray(open(src, "rb").read())
    lim = min(len(data), r.choice([512, 4096, 65536, len(data)]))
    for _ in range(r.randrange(1, 8)):
        pos = r.randrange(lim)
        k = r.randrange(4)
        if k == 0:
            data[pos] = r.randrange(256)
        elif k == 1:
            data[pos] ^= 1 << r.randrange(8)
        elif k == 2:
            data[pos:pos + 4] = b"\xff" * 4
        else:
            data[pos:pos + 8] = bytes(r.randrange(256) for _ in range(8))
    if r.randrange(5) == 0:
        data = data[: r.randrange(len(data))]
    ext = src.rsplit(".", 1)[1]
    name = os.path.join(d, "m." + ext)
    open(name, "wb").write(data)
    for cmd in (["convert", "-O", "raw", name, os.path.join(d, "out.raw")], ["check", name], ["info", name], ["map", name]):
        try:
            p = subprocess.run([vimg] + cmd, capture_output=True, text=True, errors="replace", timeout=20)
        except subprocess.TimeoutExpired:
            print("HANG %s %s" % (src, cmd[0]))
            open(os.path.join(d, "hang-%d.%s" % (it, ext)), "wb").write(data)
            bad += 1
            continue
        e = p.stderr
        if "Sanitizer" in e or "runtime error" in e or p.returncode < 0 or (p.returncode > 3 and p.returncode != 63):
            print("CRASH %s %s %d %s" % (src, cmd[0], p.returncode, e[:200]))
            open(os.path.join(d, "crash-%d.%s" % (it, ext)), "wb").write(data)
            bad += 1
        elif cmd[0] == "convert" and p.returncode == 1 and len(e.strip().splitlines()) != 1:
            print("NOT ONE LINE %s: %s" % (src, e[:200]))
            bad += 1
print("bad %d" % bad)
