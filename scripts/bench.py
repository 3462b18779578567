#!/usr/bin/env python3
"""Benchmarks our engine against go-jsonnet and jrsonnet on ../shared/bench.

Each program runs in fresh processes per engine (so a crash or a stack overflow in
one engine cannot take the run down, and peak memory is per program):

- ours as the release-built `jsonnet` CLI, statically linked as we ship it
  (`--static-swift-stdlib`, as in the image; built into .build/static), one
  whole process per run, timed as the
  process's wall time minus its start-up (the same CLI evaluating `null`);
  its peak memory is the whole process's maximum RSS;
- go-jsonnet and jrsonnet through their PyPI bindings (`gojsonnet`, `rjsonnet`),
  which this script installs into .build/venv when missing, evaluating in-process
  `--runs` times; their peak memory is the process's maximum RSS less that of the
  same Python host after importing the binding and evaluating `null`.

Our output bytes are compared with go-jsonnet's (less one final newline, which
rjsonnet's binding leaves out), jrsonnet's output as parsed JSON (its binding
always indents by 4 spaces); a difference fails the run (exit 1). Programs: `benchmarks/`, `perf_tests/`, `builtin-benchmarks/`
and `real/kube-prometheus` (with its `vendor/` as library path) from the shared
suite, and this project's `benchmarks/` folder (as `project/...`).

    scripts/bench.py                      # build, measure, print the table
    scripts/bench.py --only comparison    # a subset
    scripts/bench.py --write docs/benchmarks.md
"""

import argparse
import glob
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".build", "venv")
PY = os.path.join(VENV, "bin", "python")
# The statically linked CLI (Swift runtime and Foundation inside the binary, as in
# the image): a process of it starts at about 13 MB instead of 19 MB.
STATIC_BUILD = os.path.join(ROOT, ".build", "static")
# Programs that need a deeper stack than the default 500.
MAX_STACK = {"benchmarks/bench.07": 100000}
# Where jrsonnet needs this long or more, it is held to "ours <= jrsonnet".
JR_FLOOR = 0.005

REFERENCE = r"""
import json, resource, sys, time
engine, path, runs, max_stack, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
jpath = sys.argv[6:]
m = __import__("_gojsonnet" if engine == "go" else "rjsonnet")
kw = {"max_stack": max_stack}
if jpath:
    kw["jpathdir"] = jpath if engine == "jr" else jpath[0]
if path == "-":
    m.evaluate_snippet("null", "null")
    print(json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
    sys.exit(0)
times, err, out = [], None, None
for _ in range(runs):
    t = time.perf_counter()
    try:
        out = m.evaluate_file(path, **kw)
    except Exception as e:
        err = str(e).split("\n")[0][:200]
    times.append(time.perf_counter() - t)
if out is not None:
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(out)
times.sort()
print(json.dumps({"best": times[0], "times": times,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "output": out_path if out is not None else None, "error": err}))
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


# Linux keeps a process's peak RSS across exec, and a child's starts at its
# parent's RSS when it forked: every process this (by then large) script started
# itself would report this script's peak. Measured processes are therefore forked
# by this small trampoline, which writes the child's own peak (KiB) and its wall
# time from fork to exit (seconds) to argv[1]: timing the trampoline from here
# would add a Python start-up (tens of milliseconds, and noisy) to every run.
TRAMPOLINE = r"""
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    f.write("%d %.9f" % (usage.ru_maxrss, elapsed))
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)  # a signal as the shell shows it
"""


def trampolined(cmd, rss_file):
    return [sys.executable, "-c", TRAMPOLINE, rss_file] + cmd


def exit_code(code):
    """The trampoline's exit status as Popen reports a child's: -N for signal N."""
    return -(code - 128) if code > 128 else code


def kill_group(p):
    try:
        os.killpg(p.pid, 9)
    except ProcessLookupError:
        pass


def measure(cmd, timeout):
    """Runs one reference-engine process; its JSON line, or an error."""
    with tempfile.NamedTemporaryFile() as rss:
        p = subprocess.Popen(trampolined(cmd, rss.name), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(p)
            p.communicate()
            return {"error": "timeout > %ds" % timeout}
        p = subprocess.CompletedProcess(cmd, exit_code(p.returncode), out, err)
    if p.returncode != 0 or not p.stdout.strip():
        tail = (p.stderr.strip().split("\n") or ["?"])[0][:120]
        return {"error": "crashed (exit %d): %s" % (p.returncode, tail)}
    return json.loads(p.stdout.strip().split("\n")[-1])


def run_process(cmd, timeout, stdout):
    """Runs `cmd` with stdout to the file `stdout`: (seconds, exit status, max RSS in KiB, stderr).

    The time is the trampoline's, from its fork to the child's exit (the start-up
    subtracted from ours is measured the same way)."""
    with open(stdout, "wb") as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as rss:
        start = time.perf_counter()
        p = subprocess.Popen(trampolined(cmd, rss.name), stdout=out, stderr=err, start_new_session=True)
        deadline = start + timeout
        while p.poll() is None:
            if time.perf_counter() > deadline:
                kill_group(p)
                p.wait()
                return None, -9, 0, "timeout > %ds" % timeout
            time.sleep(0.0005)
        code = exit_code(p.returncode)
        err.seek(0)
        fields = open(rss.name).read().split()
        maxrss, elapsed = (int(fields[0]), float(fields[1])) if len(fields) == 2 else (0, time.perf_counter() - start)
        return elapsed, code, maxrss, err.read().decode(errors="replace")


# Programs whose first run takes less than SHORT are run SHORT_RUNS times by every
# engine, under TINY TINY_RUNS times: a few milliseconds of work is easily hidden by
# the machine's noise, and a sub-millisecond program's time is the difference of two
# ~3 ms processes, each of which moves by a few tenths of a millisecond.
SHORT = 0.1
SHORT_RUNS = 20
TINY = 0.005
TINY_RUNS = 60


def measure_ours(cli, path, stack, jpath, runs, timeout, out_path):
    """Our CLI on `path`: each run is paired with a run of the CLI evaluating `null`
    just before it, and the program's time is its best run less the best of those
    start-ups, so the start-up subtracted is measured under the same conditions
    (one start-up measured at the beginning of a long session drifts by ±2 ms)."""
    cmd = [cli, "--max-stack", str(stack)] + sum((["-J", j] for j in jpath), []) + [path]
    null = [cli, "-e", "null"]
    times, startups, rss = [], [], 0
    n = runs
    while len(times) < n:
        s, _, _, _ = run_process(null, 30, os.devnull)
        t, code, maxrss, err = run_process(cmd, timeout, out_path)
        rss = max(rss, maxrss)
        if code != 0:
            line = (err.strip().split("\n") or ["?"])[0][:200]
            return {"error": line if t is not None else err, "maxrss_kb": rss}
        startups.append(s)
        times.append(t)
        if len(times) == 1 and t - s < SHORT:
            n = max(runs, TINY_RUNS if t - s < TINY else SHORT_RUNS)
    startup = min(startups)
    return {"best": max(min(times) - startup, 1e-6), "runs": n, "startup": startup,
            "times": sorted(times), "maxrss_kb": rss, "output": out_path}


def digest(path):
    """The output's SHA-256, ignoring one final newline (rjsonnet's binding returns none)."""
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha256(data[:-1] if data.endswith(b"\n") else data).hexdigest()


def same_json(a, b):
    """Whether two outputs hold the same JSON (rjsonnet's binding indents by 4 spaces,
    and has no option to change it, so its bytes can never equal go-jsonnet's)."""
    try:
        with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
            return json.load(fa) == json.load(fb)
    except ValueError:
        return digest(a) == digest(b)


def fmt_s(r):
    return "error" if r.get("error") else "%.4f" % r["best"]


def fmt_mb(r, host_kb=0):
    return "%.0f" % (max(0, r["maxrss_kb"] - host_kb) / 1024) if "maxrss_kb" in r else "-"


def geo(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def list_programs(suite, only):
    programs = []
    for sub in ("benchmarks", "perf_tests", "builtin-benchmarks"):
        for f in sorted(glob.glob(os.path.join(suite, sub, "*.jsonnet"))):
            programs.append((sub + "/" + os.path.basename(f)[: -len(".jsonnet")], os.path.abspath(f), []))
    # The project's own object/array/string-building loops (benchmarks/, default n).
    for f in sorted(glob.glob(os.path.join(ROOT, "benchmarks", "*.jsonnet"))):
        programs.append(("project/" + os.path.basename(f)[: -len(".jsonnet")], os.path.abspath(f), []))
    for d in sorted(glob.glob(os.path.join(suite, "real", "*"))):
        main = os.path.join(d, "example.jsonnet")
        if os.path.exists(main):
            vendor = os.path.join(d, "vendor")
            programs.append(("real/" + os.path.basename(d), os.path.abspath(main),
                             [os.path.abspath(vendor)] if os.path.isdir(vendor) else []))
    return [p for p in programs if not only or only in p[0]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", default=os.path.join(ROOT, "..", "shared", "bench"))
    # Every engine's time is its best run: the work is deterministic, so the minimum
    # is the measurement least disturbed by the machine (a median of a few runs of a
    # 10 ms program moved by ±2 ms between runs here).
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--only", help="substring filter on program names")
    ap.add_argument("--write", help="write the markdown report to this file")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--jsonnet", help="our CLI to measure (implies --no-build; default: the static release build)")
    args = ap.parse_args()

    ensure_venv()
    if not args.no_build and not args.jsonnet:
        subprocess.run(["swift", "build", "-c", "release", "--product", "jsonnet", "--static-swift-stdlib",
                        "--scratch-path", STATIC_BUILD], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    cli = os.path.abspath(args.jsonnet) if args.jsonnet else os.path.join(STATIC_BUILD, "release", "jsonnet")
    host = {e: measure([PY, "-c", REFERENCE, e, "-", "1", "500", os.devnull], 60).get("maxrss_kb", 0)
            for e in ("go", "jr")}
    print("Python host peak: go %d MB, jr %d MB" % (host["go"] // 1024, host["jr"] // 1024), file=sys.stderr)

    rows, mismatches = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, jpath in list_programs(args.suite, args.only):
            stack = MAX_STACK.get(name, 500)
            outs = {e: os.path.join(tmp, "%s.%s" % (name.replace("/", "_"), e)) for e in ("ours", "go", "jr")}
            ours = measure_ours(cli, path, stack, jpath, args.runs, args.timeout, outs["ours"])
            # The references run as many times as ours did (more for short programs).
            runs = str(ours.get("runs", args.runs))
            go = measure([PY, "-c", REFERENCE, "go", path, runs, str(stack), outs["go"]] + jpath, args.timeout)
            jr = measure([PY, "-c", REFERENCE, "jr", path, runs, str(stack), outs["jr"]] + jpath, args.timeout)
            same = {}
            if not go.get("error"):
                want = digest(outs["go"])
                for label, r in (("ours", ours), ("jr", jr)):
                    if not r.get("error"):
                        same[label] = digest(outs[label]) == want if label == "ours" else \
                            same_json(outs[label], outs["go"])
                        if not same[label]:
                            mismatches.append("%s: %s output differs from go-jsonnet's" % (name, label))
            rows.append((name, ours, go, jr, same))
            print("%-42s ours %-8s go %-8s jr %-8s %s" % (name, fmt_s(ours), fmt_s(go), fmt_s(jr),
                  " ".join(k + ("=" if v else "!=") + "go" for k, v in same.items())), file=sys.stderr, flush=True)

    lines = ["| program | ours (s) | go-jsonnet (s) | jrsonnet (s) | ours/go | ours/jr | output = go's | "
             "peak MB ours / go / jr |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    jr_ratios, jr_slower, short_slow = [], [], []
    for name, ours, go, jr, same in rows:
        r_go = r_jr = "-"
        if not ours.get("error") and not go.get("error"):
            r_go = "%.3f" % (ours["best"] / go["best"])
        if not ours.get("error") and not jr.get("error"):
            ratio = ours["best"] / jr["best"]
            r_jr = "%.2f" % ratio
            if jr["best"] >= JR_FLOOR:
                jr_ratios.append(ratio)
                if ratio > 1:
                    jr_slower.append("%s (%.2f)" % (name, ratio))
            elif ratio > 2:
                short_slow.append("%s (%.2f)" % (name, ratio))
        match = ", ".join(k + (" yes" if v else " NO") for k, v in same.items()) or "-"
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s / %s / %s |" % (
            name, fmt_s(ours), fmt_s(go), fmt_s(jr), r_go, r_jr, match,
            fmt_mb(ours), fmt_mb(go, host["go"]), fmt_mb(jr, host["jr"])))
        note = "".join(" %s: %s." % (label, r["error"][:80].replace("|", "/"))
                       for label, r in (("ours", ours), ("go", go), ("jr", jr)) if r.get("error"))
        if note:
            lines.append("|  ↳ |" + note + " | | | | | | |")

    summary = [
        "",
        "Geometric mean of ours/jrsonnet over the %d programs where jrsonnet needs >= %d ms: **%.3f**"
        % (len(jr_ratios), JR_FLOOR * 1000, geo(jr_ratios)),
        "Programs (jrsonnet >= %d ms) where ours is slower than jrsonnet: %s"
        % (JR_FLOOR * 1000, ", ".join(jr_slower) or "none"),
        "Shorter programs where ours takes more than 2x jrsonnet: %s" % (", ".join(short_slow) or "none"),
        "Outputs differing from go-jsonnet's: %s" % ("; ".join(mismatches) or "none"),
    ]
    report = "\n".join(lines + summary)
    print(report)
    if args.write:
        machine = "%s, %d cores, %s" % (platform.machine(), os.cpu_count() or 0, platform.platform())
        with open(args.write, "w") as f:
            f.write("# Benchmarks\n\n")
            startups = [r[1]["startup"] * 1000 for r in rows if "startup" in r[1]]
            f.write("Ours: the release `jsonnet` CLI, statically linked as shipped, one process per run, its best "
                    "wall time minus its best start-up (the CLI evaluating `null`, run just before each run: "
                    "%.1f-%.1f ms in this run); peak MB is the whole process's maximum RSS. go-jsonnet and "
                    "jrsonnet: best of as many in-process evaluations through their Python bindings, peak MB "
                    "net of the Python host (go %d MB, jr %d MB). Every engine runs each program %d times, "
                    "%d times when it takes under %d ms, %d times under %d ms. Outputs are compared byte for "
                    "byte with go-jsonnet's. Machine: %s.\n\n"
                    % (min(startups or [0]), max(startups or [0]), host["go"] // 1024, host["jr"] // 1024,
                       args.runs, SHORT_RUNS, SHORT * 1000, TINY_RUNS, TINY * 1000, machine))
            f.write("Reproduce: `scripts/bench.py --write docs/benchmarks.md` (static release build into `.build/static`; installs "
                    "`gojsonnet` and `rjsonnet` into `.build/venv`). Programs: the shared benchmark programs kept beside the repository (`scripts/bench.py --suite DIR`).\n\n")
            f.write(report + "\n")
    if mismatches:
        print("FAILED: %d output(s) differ from go-jsonnet's" % len(mismatches), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
