#!/usr/bin/env python3
"""Peak memory of our CLI against go-jsonnet's and jrsonnet's, per program.

Runs every program of ../shared/bench (and kube-prometheus) once per engine.
Ours is the whole `jsonnet` process's peak RSS; the peers run in-process in
Python (.build/venv, `gojsonnet` and `rjsonnet`), and their peak is reported
net of the Python host (peak after evaluating minus peak after importing).
Several `--jsonnet` binaries give before/after columns. Peak RSS does not
depend on machine load, so one run is enough.

    scripts/bench-memory.py --jsonnet .build/release/jsonnet [--jsonnet old/jsonnet] [--only bench.02]
"""
import argparse
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = os.path.join(ROOT, ".build", "venv", "bin", "python")
MAX_STACK = {"benchmarks/bench.07": 100000}

PEER = r"""
import json, resource, sys
engine, path, stack, jpath = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
if engine == "go":
    import _gojsonnet as m
else:
    import rjsonnet as m
host = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
err = None
try:
    m.evaluate_file(path, jpathdir=jpath, max_stack=stack)
except Exception as e:
    err = str(e).split("\n")[0][:120]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"net_kb": peak - host, "error": err}))
"""


def programs(suite):
    out = []
    for sub in ("benchmarks", "perf_tests", "builtin-benchmarks"):
        for f in sorted(glob.glob(os.path.join(suite, sub, "*.jsonnet"))):
            out.append((sub + "/" + os.path.basename(f)[:-8], os.path.abspath(f), []))
    kp = os.path.join(suite, "real", "kube-prometheus")
    if os.path.isdir(kp):
        out.append(("real/kube-prometheus", os.path.join(kp, "example.jsonnet"), [os.path.join(kp, "vendor")]))
    return out


def ours(binary, name, path, jpath, timeout):
    cmd = ["/usr/bin/time", "-f", "%M", os.path.abspath(binary), "--max-stack", str(MAX_STACK.get(name, 500))]
    for j in jpath:
        cmd += ["-J", j]
    cmd.append(path)
    try:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout,
                           cwd=os.path.dirname(path))
    except subprocess.TimeoutExpired:
        return "timeout"
    return int(p.stderr.strip().split("\n")[-1]) // 1024


def peer(engine, name, path, jpath, timeout):
    try:
        p = subprocess.run([PY, "-c", PEER, engine, path, str(MAX_STACK.get(name, 500))] + jpath,
                           capture_output=True, text=True, timeout=timeout, cwd=os.path.dirname(path))
        r = json.loads(p.stdout.strip().split("\n")[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return "-"
    return "%d%s" % (r["net_kb"] // 1024, " (error)" if r["error"] else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jsonnet", action="append", required=True, help="our CLI; repeat for more columns")
    ap.add_argument("--suite", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--only", help="substring filter on program names")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    head = ["program"] + ["ours MB (%s)" % b for b in args.jsonnet]
    if not args.no_peers:
        head += ["go-jsonnet net MB", "jrsonnet net MB"]
    print("| " + " | ".join(head) + " |")
    print("|---" * len(head) + "|")
    for name, path, jpath in programs(args.suite):
        if args.only and args.only not in name:
            continue
        row = [name] + [str(ours(b, name, path, jpath, args.timeout)) for b in args.jsonnet]
        if not args.no_peers:
            row += [peer("go", name, path, jpath, args.timeout), peer("jr", name, path, jpath, args.timeout)]
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
