#!/usr/bin/env python3
"""Benchmarks our engine against go-jsonnet and jrsonnet on ../shared/bench.

Each program runs in a fresh process per engine (so a crash or a stack overflow
in one engine cannot take the run down, and peak memory is per program): ours
through the release-built `jsonnet-bench`, go-jsonnet and jrsonnet through their
PyPI bindings (`gojsonnet`, `rjsonnet`), which this script installs into
.build/venv when missing. Every engine evaluates in-process `--runs` times; the
table shows median seconds, our/go and our/jrsonnet ratios, and peak RSS.

    scripts/bench.py                      # build, measure, print the table
    scripts/bench.py --write docs/benchmarks.md
"""

import argparse
import glob
import json
import math
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".build", "venv")
PY = os.path.join(VENV, "bin", "python")
# Programs that need a deeper stack than the default 500.
MAX_STACK = {"benchmarks/bench.07": 100000}

REFERENCE = r"""
import json, resource, sys, time
engine, path, runs, max_stack = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if engine == "go":
    import _gojsonnet as m
    ev = lambda: m.evaluate_file(path, max_stack=max_stack)
else:
    import rjsonnet as m
    ev = lambda: m.evaluate_file(path, max_stack=max_stack)
times, err, out = [], None, 0
for _ in range(runs):
    t = time.perf_counter()
    try:
        out = len(ev())
    except Exception as e:
        err = str(e).split("\n")[0][:200]
    times.append(time.perf_counter() - t)
times.sort()
print(json.dumps({"median": times[len(times) // 2], "times": times,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "output_bytes": out, "error": err}))
"""


def ensure_venv():
    if os.path.exists(PY):
        ok = subprocess.run([PY, "-c", "import _gojsonnet, rjsonnet"], capture_output=True).returncode == 0
        if ok:
            return
    else:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    print("installing gojsonnet and rjsonnet into .build/venv ...", file=sys.stderr)
    subprocess.run([PY, "-m", "pip", "install", "-q", "gojsonnet", "rjsonnet"], check=True)


def measure(cmd, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "timeout > %ds" % timeout}
    if p.returncode != 0 or not p.stdout.strip():
        tail = (p.stderr.strip().split("\n") or ["?"])[0][:120]
        return {"error": "crashed (exit %d): %s" % (p.returncode, tail)}
    return json.loads(p.stdout.strip().split("\n")[-1])


def fmt_s(r):
    if r.get("error"):
        return "error"
    return "%.4f" % r["median"]


def fmt_mb(r):
    return "%.0f" % (r["maxrss_kb"] / 1024) if "maxrss_kb" in r else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--only", help="substring filter on program names")
    ap.add_argument("--write", help="write the markdown report to this file")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()

    ensure_venv()
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "jsonnet-bench"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    bench_bin = os.path.join(ROOT, ".build", "release", "jsonnet-bench")

    programs = []
    for sub in ("benchmarks", "perf_tests", "builtin-benchmarks"):
        for f in sorted(glob.glob(os.path.join(args.suite, sub, "*.jsonnet"))):
            name = sub + "/" + os.path.basename(f)[: -len(".jsonnet")]
            if args.only and args.only not in name:
                continue
            programs.append((name, f))

    rows = []
    for name, path in programs:
        stack = MAX_STACK.get(name, 500)
        cwd_path = os.path.abspath(path)
        ours = measure([bench_bin, cwd_path, "--runs", str(args.runs), "--max-stack", str(stack)], args.timeout)
        go = measure([PY, "-c", REFERENCE, "go", cwd_path, str(args.runs), str(stack)], args.timeout)
        jr = measure([PY, "-c", REFERENCE, "jr", cwd_path, str(args.runs), str(stack)], args.timeout)
        rows.append((name, ours, go, jr))
        print("%-42s ours %-8s go %-8s jr %-8s  %s" % (name, fmt_s(ours), fmt_s(go), fmt_s(jr),
              ours.get("error") or ""), file=sys.stderr, flush=True)

    lines = ["| program | ours (s) | go-jsonnet (s) | jrsonnet (s) | ours/go | ours/jr | peak MB ours / go / jr |",
             "|---|---:|---:|---:|---:|---:|---|"]
    go_ratios, jr_ratios, slower = [], [], []
    for name, ours, go, jr in rows:
        r_go = r_jr = "-"
        if not ours.get("error") and not go.get("error"):
            ratio = ours["median"] / go["median"]
            r_go = "%.3f" % ratio
            if go["median"] >= 0.005:
                go_ratios.append(ratio)
                if ratio > 1:
                    slower.append(name)
        if not ours.get("error") and not jr.get("error"):
            ratio = ours["median"] / jr["median"]
            r_jr = "%.2f" % ratio
            if go.get("error") or go["median"] >= 0.005:
                jr_ratios.append(ratio)
        note = ""
        for label, r in (("ours", ours), ("go", go), ("jr", jr)):
            if r.get("error"):
                note += " %s: %s." % (label, r["error"][:80].replace("|", "/"))
        lines.append("| %s | %s | %s | %s | %s | %s | %s / %s / %s |%s" % (
            name, fmt_s(ours), fmt_s(go), fmt_s(jr), r_go, r_jr, fmt_mb(ours), fmt_mb(go), fmt_mb(jr),
            (" <!--" + note + " -->") if note else ""))
        if note:
            lines[-1] = lines[-1].replace(" <!--" + note + " -->", "") + "\n|  ↳ |" + note + " | | | | | |"

    def geo(xs):
        return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")

    summary = [
        "",
        "Geometric mean of ours/go over the %d programs where go-jsonnet needs >= 5 ms: **%.3f**"
        % (len(go_ratios), geo(go_ratios)),
        "Geometric mean of ours/jrsonnet over the same programs: **%.3f**" % geo(jr_ratios),
        "Programs (go >= 5 ms) where ours is slower than go-jsonnet: %s" % (", ".join(slower) or "none"),
    ]
    report = "\n".join(lines + summary)
    print(report)
    if args.write:
        machine = "%s, %d cores, %s" % (platform.machine(), os.cpu_count() or 0, platform.platform())
        with open(args.write, "w") as f:
            f.write("# Benchmarks\n\n")
            f.write("Median of %d in-process evaluations per engine and program, one fresh process per "
                    "engine and program (peak MB is that process's maximum RSS; the reference engines' "
                    "processes include the Python interpreter, about 10 MB). Machine: %s.\n\n" % (args.runs, machine))
            f.write("Reproduce: `scripts/bench.py --write docs/benchmarks.md` (release build; installs "
                    "`gojsonnet` and `rjsonnet` into `.build/venv`). Programs: `../shared/bench`.\n\n")
            f.write(report + "\n")


if __name__ == "__main__":
    main()
