#!/usr/bin/env python3
"""Scaling of the project's own benchmarks (benchmarks/*.jsonnet) with n.

Each program is a top-level function of `n`; this runs it at n = 1,000, 10,000
and 100,000 and prints user CPU seconds and peak RSS, so a loop that is not
linear shows as a ratio near 100 instead of 10 between columns. User time, not
wall time: it stays meaningful on a loaded machine.

    scripts/bench-linear.py [--jsonnet .build/release/jsonnet] [--only fold_object] [--sizes 1000,10000]
"""
import argparse
import glob
import os
import resource
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(binary, path, n, timeout):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "--tla-code", "n=%d" % n, path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", "-"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        return "error", "-"
    return "%.3f" % (after.ru_utime - before.ru_utime), str(int(p.stderr.strip().split("\n")[-1]) // 1024)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jsonnet", default=os.path.join(ROOT, ".build", "release", "jsonnet"))
    ap.add_argument("--only", help="substring filter on program names")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--timeout", type=int, default=120)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("| program | " + " | ".join("n=%d s / MB" % n for n in sizes) + " |")
    print("|---" * (len(sizes) + 1) + "|")
    for path in sorted(glob.glob(os.path.join(ROOT, "benchmarks", "*.jsonnet"))):
        name = os.path.basename(path)[:-len(".jsonnet")]
        if args.only and args.only not in name:
            continue
        cells = []
        for n in sizes:
            t, mb = run(args.jsonnet, path, n, args.timeout)
            cells.append("%s / %s" % (t, mb))
        print("| %s | %s |" % (name, " | ".join(cells)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
