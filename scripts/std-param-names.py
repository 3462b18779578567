#!/usr/bin/env python3
"""Checks that every std function takes go-jsonnet's parameter names in named calls.

For each field of go-jsonnet's `std`, the required parameters are found by
calling it with what is known so far as named arguments (`std.f(a=null)`) until
go stops answering "Missing argument: X"; optional ones by trying the names in
CANDIDATES (go answers "function has no parameter X" for a name it lacks). Our
`jsonnet` CLI must then report the same required parameters in the same order
and accept every optional name go accepts. go-jsonnet runs through the gojsonnet
binding in .build/venv (installed on first use, like scripts/fuzz-std.py).

    scripts/std-param-names.py --jsonnet .build/release/jsonnet
"""

import argparse
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gojsonnet_oracle import PY, ROOT, ensure_gojsonnet  # noqa: E402

# Names tried as optional parameters: the optional parameter names of go's std functions.
CANDIDATES = ["keyF", "onEmpty", "default", "inc_hidden", "lossy", "indent_array_in_object", "quote_keys",
              "c_document_end", "newline", "key_val_sep", "indent", "preserve_order", "step", "end", "index",
              "hidden", "init", "maxsplits"]

GO = r"""
import json, sys, _gojsonnet as m
out = []
for src in json.load(sys.stdin):
    try:
        m.evaluate_snippet("<cmdline>", src)
        out.append("")
    except Exception as e:
        out.append(str(e).split("\n")[0])
print(json.dumps(out))
"""


def go_errors(sources):
    p = subprocess.run([PY, "-c", GO], input=json.dumps(sources), capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def our_error(jsonnet, src):
    p = subprocess.run([jsonnet, "-e", src], capture_output=True, text=True, timeout=30)
    return "" if p.returncode == 0 else p.stderr.split("\n")[0]


def call(fn, names):
    return "std.%s(%s)" % (fn, ", ".join("%s=null" % n for n in names))


def required(fn, errors_of):
    """Required parameters of std.fn, in order, as the engine reports them missing."""
    names = []
    for _ in range(8):
        m = re.match(r"RUNTIME ERROR: Missing argument: (\w+)$", errors_of([call(fn, names)])[0])
        if not m or m.group(1) in names:
            break
        names.append(m.group(1))
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jsonnet", default=os.path.join(ROOT, ".build", "release", "jsonnet"))
    args = ap.parse_args()
    ensure_gojsonnet()

    functions = json.loads(subprocess.run(
        [PY, "-c", "import _gojsonnet as m; print(m.evaluate_snippet('x', "
         "'[f for f in std.objectFieldsAll(std) if std.isFunction(std[f])]'))"],
        capture_output=True, text=True, check=True).stdout)
    ours = lambda srcs: [our_error(args.jsonnet, s) for s in srcs]
    problems = []

    def check(fn):
        go_required = required(fn, go_errors)
        optional_srcs = [call(fn, [c]) for c in CANDIDATES if c not in go_required]
        optional = [c for c, e in zip([c for c in CANDIDATES if c not in go_required], go_errors(optional_srcs))
                    if "has no parameter" not in e]
        our_required = required(fn, ours)
        out = []
        if our_required != go_required:
            out.append("std.%s: required parameters %s, go-jsonnet %s" % (fn, our_required, go_required))
        for name in optional:
            if "has no parameter" in our_error(args.jsonnet, call(fn, [name])):
                out.append("std.%s: go-jsonnet accepts parameter %s, we do not" % (fn, name))
        return out

    with ThreadPoolExecutor(2) as pool:
        for out in pool.map(check, functions):
            problems += out
    for p in problems:
        print(p)
    print("std parameter names: %d functions checked, %d problems" % (len(functions), len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
