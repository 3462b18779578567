#!/usr/bin/env python3
"""Differential fuzzer: every public std function, hostile arguments, ours vs go-jsonnet.

Each case is a call `std.NAME(args...)` whose arguments come from a pool of
hostile values (self-containing objects and arrays, 9e18, -1, values at the
32-bit edges, NaN- and overflow-producing numbers, huge and odd strings, wrong
types, deep nesting, functions of every arity). Our engine runs through the
release `jsonnet` CLI, one process per case (so a crash is seen as a signal and
a hang as a timeout); go-jsonnet runs through its PyPI binding (`gojsonnet`,
installed into .build/venv like scripts/bench.py does) in a worker process that
is restarted when go itself dies (go-jsonnet overflows its own stack on a few
inputs; those cases are reported apart and not counted).

A case agrees when both print the same output, or both fail with the same first
error line. The run fails on any crash or hang of ours, or when agreement is
below --min-agreement.

    scripts/fuzz-std.py --jsonnet .build/release/jsonnet              # CI: fixed seed
    scripts/fuzz-std.py --jsonnet .build/release/jsonnet --cases 20000 --seed 7
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gojsonnet_oracle import GoWorker, ensure_gojsonnet  # noqa: E402

# Values an argument may take: Jsonnet expressions, each evaluated lazily as an argument.
HOSTILE = [
    # numbers at and beyond every edge
    "0", "1", "-1", "2", "3", "1.5", "-0.5", "9e18", "-9e18", "1e308", "-1e308", "1e-320",
    "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740993", "0.1",
    # strings: empty, odd, format strings, unicode, long
    "''", "'a'", "'abc'", "'%s'", "'%d %s'", "'%(a)s'", "'%*d'", "'%.9000000000f'", "'\\u0000'",
    "'é'", "'e\\u0301'", "'😀x'", "'a,b,,c'", "'  x  '", "'[1, {\"a\": 2}]'", "'a: [1, 2]'",
    "'{\"a\": '", "'---\\n- a\\n'", "'0x1F'", "'-12'", "'1e5'", "'YWJj'", "'=='",
    "std.repeat('x', 100000)", "std.repeat('ab,', 3000)",
    # arrays
    "[]", "[1, 2, 3]", "[3, 1, 2]", "['b', 'a']", "[[1], [2, [3]]]", "[null, {}, []]",
    "['a', {b: 'c'}, ['d']]", "std.range(1, 5000)", "[1, 'a', null]", "[{a: 1}, {a: 2}]",
    "local L = [L]; L", "local L = [1, L]; L",
    # objects
    "{}", "{a: 1}", "{a: 1, b:: 2, c: null}", "{a: {b: {c: 1}}}", "{a: self}", "{a: [self]}",
    "{a: self.b, b: self.a}", "{main: {a: 1}, sections: {s: {b: [1, 2]}}}", "{a: error 'boom'}",
    "{x: [1, {y: null}], z: {}}", "{key: 'k', value: 'v'}",
    # other types
    "null", "true", "false",
    "function(x) x", "function(x, y) x + y", "function() 1", "function(a, b, c) a",
    "function(x) error 'inside'", "std.length", "function(x) x < 2", "function(acc, x) acc + [x]",
    # deep nesting
    "local f(n) = if n == 0 then [] else [f(n - 1)]; f(600)",
    "local f(n) = if n == 0 then {} else {a: f(n - 1)}; f(600)",
    # values that fail when forced
    "error 'lazy'", "std.log(-1)", "1 / 0",
]

GO_WORKER = r"""
import json, sys, _gojsonnet as m
for line in sys.stdin:
    src = json.loads(line)
    try:
        out = {"ok": m.evaluate_snippet("<cmdline>", src, max_stack=500)}
    except Exception as e:
        out = {"err": str(e).split("\n")[0]}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
"""


def ours(jsonnet, src, timeout):
    try:
        p = subprocess.run([jsonnet, "-e", src], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"hang": True}
    if p.returncode == 0:
        return {"ok": p.stdout}
    # std.trace lines come before the error (go's binding writes them elsewhere).
    lines = [l for l in p.stderr.split("\n") if not l.startswith("TRACE: ")]
    if p.returncode == 1 and lines and lines[0]:
        return {"err": lines[0]}
    return {"crash": True, "rc": p.returncode, "stderr": p.stderr[:200]}


def public_functions(go):
    names = json.loads(go.run("std.objectFieldsAll(std)", 30)["ok"])
    out = []
    for n in names:
        if n.startswith("_") or n.startswith("$"):
            continue
        r = go.run("std.%s(%s)" % (n, ", ".join(["null"] * 9)), 30)
        m = re.search(r"expected (\d+) positional", r.get("err", ""))
        out.append((n, int(m.group(1)) if m else 2))
    return out


def make_cases(functions, count, seed):
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        name, arity = functions[i % len(functions)]
        # Mostly the right arity, sometimes one short or one over.
        n = arity if rng.random() < 0.9 else max(0, arity + rng.choice([-1, 1]))
        args = [rng.choice(HOSTILE) for _ in range(n)]
        cases.append("std.%s(%s)" % (name, ", ".join(args)))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jsonnet", default=os.path.join(ROOT, ".build", "release", "jsonnet"))
    ap.add_argument("--cases", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--min-agreement", type=float, default=99.0)
    ap.add_argument("--show", type=int, default=15, help="disagreements to print")
    args = ap.parse_args()

    ensure_gojsonnet()
    go = GoWorker(GO_WORKER)
    functions = public_functions(go)
    cases = make_cases(functions, args.cases, args.seed)
    started = time.time()
    go_results = [go.run(c, args.timeout) for c in cases]
    go_results = [{"crash": True} if g.get("died") else {"hang": True} if g.get("hung") else g for g in go_results]
    with ThreadPoolExecutor(args.jobs) as pool:
        our_results = list(pool.map(lambda c: ours(args.jsonnet, c, args.timeout), cases))

    crashes, hangs, go_died, agree, differ = [], [], 0, 0, []
    for case, o, g in zip(cases, our_results, go_results):
        if o.get("crash"):
            crashes.append((case, o))
            continue
        if o.get("hang"):
            hangs.append(case)
            continue
        if g.get("crash") or g.get("hang"):
            go_died += 1
            continue
        same = ("ok" in o and "ok" in g and o["ok"] == g["ok"]) or ("err" in o and "err" in g and o["err"] == g["err"])
        if same:
            agree += 1
        else:
            differ.append((case, o, g))
    compared = agree + len(differ)
    pct = 100.0 * agree / compared if compared else 100.0
    print("std fuzz: %d functions, %d cases (seed %d) in %.0fs: %d crashes, %d hangs, "
          "%d/%d agree (%.2f %%), %d skipped (go-jsonnet itself died)"
          % (len(functions), len(cases), args.seed, time.time() - started, len(crashes), len(hangs),
             agree, compared, pct, go_died))
    for case, o in crashes[: args.show]:
        print("CRASH  %s\n       exit %s %s" % (case[:200], o.get("rc"), o.get("stderr", "").strip()[:200]))
    for case in hangs[: args.show]:
        print("HANG   %s" % case[:200])
    for case, o, g in differ[: args.show]:
        show = lambda r: ("out: " + r["ok"].strip().replace("\n", " ")[:150]) if "ok" in r else r.get("err", "?")[:150]
        print("DIFF   %s\n  ours %s\n  go   %s" % (case[:200], show(o), show(g)))
    ok = not crashes and not hangs and pct >= args.min_agreement
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
