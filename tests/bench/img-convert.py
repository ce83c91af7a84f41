#!/usr/bin/env python3
"""img-convert.py: `vireo-img convert` against `qemu-img convert`, side by side, as ratios.

Input: BENCH_MIB (default 256) MiB of mixed data: 1 MiB runs of random bytes, of compressible
text and of zeros, in a fixed pseudo-random order. Each row converts the same input with both
tools (best of BENCH_REPS runs, default 2) and prints MB/s, the ratio (>1: vireo-img faster)
and the peak resident memory of each tool.
"""
import os, random, resource, shutil, subprocess, sys, tempfile, time

build = os.environ.get("BUILD", "build")
vimg = os.path.abspath(os.path.join(build, "vireo-img"))
mib = int(os.environ.get("BENCH_MIB", "256"))
reps = int(os.environ.get("BENCH_REPS", "3"))

if not shutil.which("qemu-img"):
    print("img-convert: SKIPPED (qemu-img not installed; tests/need-pkg.sh qemu-img:qemu-utils)")
    sys.exit(0)

tmp = tempfile.mkdtemp(prefix="vireo-bench-")
def path(name): return os.path.join(tmp, name)

def make_input():
    r = random.Random(7)
    text = (b"the quick brown fox jumps over the lazy vireo " * 30000)[: 1 << 20]
    with open(path("in.raw"), "wb") as f:
        for i in range(mib):
            k = r.randrange(3)
            if k == 0:
                f.write(r.randbytes(1 << 20))
            elif k == 1:
                f.write(text)
            else:
                f.seek(1 << 20, 1)
        f.truncate(mib << 20)

def timed(cmd, n):
    """Best wall time of `reps` runs of cmd (its output file removed before each, and the
    page cache written back first so one tool does not pay for the other's dirty pages)."""
    best = None
    for _ in range(n):
        if os.path.exists(cmd[-1]):
            os.unlink(cmd[-1])
        os.sync()
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t0
        if r.returncode:
            raise RuntimeError("%s: %s" % (" ".join(cmd), r.stderr.decode().strip()))
        best = dt if best is None else min(best, dt)
    return best

def peak_rss(cmd):
    """Peak RSS in MiB and CPU seconds (user + system) of one run (GNU time; without it a
    Python fallback that reports the RSS only)."""
    out = cmd[-1]
    if os.path.exists(out):
        os.unlink(out)
    if os.path.exists("/usr/bin/time"):
        r = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        m, u, s = r.stderr.strip().splitlines()[-1].split()
        return int(m) / 1024, float(u) + float(s)
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    r = subprocess.run([sys.executable, "-c", code] + cmd, capture_output=True, text=True)
    return int(r.stdout.strip() or 0) / 1024, float("nan")

make_input()
# Sources in each input format, made by qemu-img so both tools read the same bytes.
subprocess.run(["qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized",
                path("in.raw"), path("in.vmdk")], check=True)
subprocess.run(["qemu-img", "convert", "-O", "qcow2", path("in.raw"), path("in.qcow2")], check=True)
subprocess.run(["qemu-img", "convert", "-O", "vdi", path("in.raw"), path("in.vdi")], check=True)

rows = [
    ("raw -> qcow2", ["-O", "qcow2"], "in.raw", "out.qcow2"),
    ("vmdk(stream) -> qcow2", ["-O", "qcow2"], "in.vmdk", "out.qcow2"),
    ("qcow2 -> vmdk(stream, compressed)", ["-O", "vmdk", "-o", "subformat=streamOptimized"], "in.qcow2", "out.vmdk"),
    ("vdi -> qcow2", ["-O", "qcow2"], "in.vdi", "out.qcow2"),
]
print("img-convert bench: %d MiB input (1/3 random, 1/3 text, 1/3 zeros), wall time best of %d (ratio = qemu-img / vireo-img,\n"
      ">1: vireo-img faster); CPU = user+system seconds of one run; load average now %.1f" % (mib, reps, os.getloadavg()[0]))
print("%-34s %10s %10s %6s %9s %9s %6s %10s %10s" % ("conversion", "vireo MB/s", "qemu MB/s", "ratio",
      "vireo CPU", "qemu CPU", "ratio", "vireo RSS", "qemu RSS"))
try:
    for name, opts, src, dst in rows:
        vcmd = [vimg, "convert"] + opts + [path(src), path("v-" + dst)]
        qcmd = ["qemu-img", "convert"] + opts + [path(src), path("q-" + dst)]
        # Alternate the tools, so drifting machine load hits both alike.
        vt = qt = None
        for _ in range(reps):
            v1, q1 = timed(vcmd, 1), timed(qcmd, 1)
            vt = v1 if vt is None else min(vt, v1)
            qt = q1 if qt is None else min(qt, q1)
        (vr, vc), (qr, qc) = peak_rss(vcmd), peak_rss(qcmd)
        ok = subprocess.run(["qemu-img", "compare", "-q", path("v-" + dst), path(src)]).returncode == 0
        print("%-34s %10.1f %10.1f %6.2f %8.2fs %8.2fs %6.2f %6.1f MiB %6.1f MiB%s" % (
            name, mib * 1.048576 / vt, mib * 1.048576 / qt, qt / vt, vc, qc, qc / vc if vc else 0,
            vr, qr, "" if ok else "  (OUTPUT DIFFERS!)"))
finally:
    shutil.rmtree(tmp)
