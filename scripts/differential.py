#!/usr/bin/env python3
"""Differential runner: every .jsonnet program in the given folders, ours vs go-jsonnet.

Each program is evaluated by our `jsonnet` CLI (one process per program, so a
crash is seen as a signal and a hang as a timeout) and by go-jsonnet through its
PyPI binding (`gojsonnet`, installed into .build/venv on first use) in a worker
process that is restarted when go itself dies. Both are run from the folder
that was given on the command line, with the program named by its path
relative to that folder, so file names in messages match.

A program agrees when both print the same output bytes, or both fail with the
same first error line. Programs go-jsonnet itself dies on or does not finish
within --timeout are listed and not compared. Prints one block per disagreement
and a summary; exits non-zero on any disagreement unless --report-only is given.

    scripts/differential.py /tmp/jrsonnet-tests ../shared/bench/real
    scripts/differential.py --report-only -J vendor some/dir
"""

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gojsonnet_oracle import ROOT, GoWorker, ensure_gojsonnet  # noqa: E402

# Reads {"cwd", "file", "jpath"} lines; answers {"ok": output} or {"err": first line}.
GO_WORKER = r"""
import json, os, sys, _gojsonnet as m
for line in sys.stdin:
    req = json.loads(line)
    os.chdir(req["cwd"])
    try:
        out = {"ok": m.evaluate_file(req["file"], jpathdir=req["jpath"])}
    except Exception as e:
        out = {"err": str(e).split("\n")[0]}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"""


def ours(jsonnet, cwd, rel, jpath, timeout):
    cmd = [jsonnet]
    for j in jpath:
        cmd += ["-J", j]
    try:
        p = subprocess.run(cmd + [rel], cwd=cwd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"crash": "timed out after %ss" % timeout}
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    if p.returncode == 0:
        return {"ok": out}
    if p.returncode == 1 and err:
        return {"err": err.split("\n")[0]}
    return {"crash": "exit %d: %s" % (p.returncode, err.strip()[:200])}


def programs(folder):
    """(folder, path relative to it) of every .jsonnet file below folder, sorted."""
    found = []
    for dirpath, dirnames, files in os.walk(folder):
        dirnames.sort()
        for f in sorted(files):
            if f.endswith(".jsonnet"):
                found.append((folder, os.path.relpath(os.path.join(dirpath, f), folder)))
    return found


def show(result):
    if "ok" in result:
        text = result["ok"].strip().replace("\n", " ")
        return "out: " + (text[:200] + " ..." if len(text) > 200 else text)
    return result.get("err") or "CRASH " + result.get("crash", "?")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", metavar="DIR", help="folders searched recursively for *.jsonnet")
    ap.add_argument("--jsonnet", default=os.path.join(ROOT, ".build", "release", "jsonnet"))
    ap.add_argument("-J", "--jpath", action="append", default=[], help="library path given to both engines")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--show", type=int, default=50, help="disagreements to print")
    ap.add_argument("--report-only", action="store_true", help="exit 0 even when programs disagree")
    args = ap.parse_args()
    # Programs run from their own folder, so a relative CLI path must be made absolute.
    args.jsonnet = os.path.abspath(args.jsonnet)
    args.jpath = [os.path.abspath(j) for j in args.jpath]

    ensure_gojsonnet()
    cases = []
    for d in args.dirs:
        if not os.path.isdir(d):
            sys.exit("not a folder: %s" % d)
        cases += programs(os.path.abspath(d))
    jpath = [os.path.abspath(j) for j in args.jpath]
    go = GoWorker(GO_WORKER)
    def go_run(cwd, rel):
        g = go.run({"cwd": cwd, "file": rel, "jpath": jpath}, args.timeout)
        if g.get("died"):
            return {"crash": "go-jsonnet died"}
        return {"crash": "go-jsonnet timed out"} if g.get("hung") else g

    go_results = [go_run(cwd, rel) for cwd, rel in cases]
    with ThreadPoolExecutor(args.jobs) as pool:
        our_results = list(pool.map(lambda c: ours(args.jsonnet, c[0], c[1], jpath, args.timeout), cases))

    differ, go_died, ok_same, err_same = [], [], 0, 0
    for (cwd, rel), o, g in zip(cases, our_results, go_results):
        if "crash" in g and "crash" not in o:
            # Nothing to compare with (go-jsonnet itself died or timed out): listed, not counted.
            go_died.append((os.path.join(cwd, rel), g["crash"]))
            continue
        if "ok" in o and "ok" in g and o["ok"] == g["ok"]:
            ok_same += 1
        elif "err" in o and "err" in g and o["err"] == g["err"]:
            err_same += 1
        else:
            differ.append((os.path.join(cwd, rel), o, g))
    for path, o, g in differ[: args.show]:
        print("DIFF %s\n  ours %s\n  go   %s" % (path, show(o), show(g)))
    for path, why in go_died:
        print("SKIP %s (%s)" % (path, why))
    total = len(cases) - len(go_died)
    print("differential: %d programs compared, %d identical (%d outputs, %d first error lines), %d differ%s"
          % (total, ok_same + err_same, ok_same, err_same, len(differ),
             "; %d not compared (go-jsonnet died or timed out)" % len(go_died) if go_died else ""))
    sys.exit(0 if args.report_only or not differ else 1)


if __name__ == "__main__":
    main()
