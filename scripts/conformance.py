#!/usr/bin/env python3
"""Runs the go-jsonnet and C++ Jsonnet conformance suites against our `jsonnet` CLI.

The suites are data kept outside the project (../shared/conformance); the rules
for running and judging a case are in that folder's README. Prints one line per
failing case, then the counts, and exits non-zero when a count is below its
threshold.

    scripts/conformance.py --jsonnet .build/release/jsonnet --suite ../shared/conformance

With --whole-stderr it also compares the WHOLE error output (message, stack
trace, source excerpt) of every go-suite program that go-jsonnet fails on with
what go-jsonnet 0.22 prints. The reference is the `gojsonnet` PyPI binding,
installed into .build/venv on first use: it returns the same formatted text the
go CLI writes to stderr (the CLI adds one newline), and names the file exactly
as it was passed, so both engines are given `testdata/NAME.jsonnet`.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

EXTVAR_ARGS = [
    "--ext-str", "stringVar=2 + 2",
    "--ext-code", "codeVar=3 + 3",
    "--ext-code", "errorVar=error 'xxx'",
    "--ext-code", "staticErrorVar=)",
    "--ext-code", "UndeclaredX=x",
    "--ext-code", 'selfRecursiveVar=[42, std.extVar("selfRecursiveVar")[0] + 1]',
    "--ext-code", 'mutuallyRecursiveVar1=[42, std.extVar("mutuallyRecursiveVar2")[0] + 1]',
    "--ext-code", 'mutuallyRecursiveVar2=[42, std.extVar("mutuallyRecursiveVar1")[0] + 1]',
]

ERROR_PREFIXES = ("RUNTIME ERROR", "STATIC ERROR")
TIMEOUT = 120
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gojsonnet_oracle import PY as VENV_PY, ROOT, ensure_gojsonnet  # noqa: E402

# Evaluates one go-suite program with go-jsonnet (argv: name) and prints {"error": text} or {"ok": true}.
REFERENCE = r"""
import json, sys, _gojsonnet
name = sys.argv[1]
kw = {}
if name.startswith("extvar"):
    kw = {"ext_vars": dict(EXT_STR), "ext_codes": dict(EXT_CODE)}
try:
    _gojsonnet.evaluate_file("testdata/" + name + ".jsonnet", **kw)
    print(json.dumps({"ok": True}))
except RuntimeError as e:
    print(json.dumps({"error": str(e)}))
"""


def run(cmd, cwd):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=TIMEOUT)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return -1, "", "TIMEOUT"


def reference_script():
    pairs = [EXTVAR_ARGS[i + 1].split("=", 1) + [EXTVAR_ARGS[i]] for i in range(0, len(EXTVAR_ARGS), 2)]
    ext_str = [(k, v) for k, v, flag in pairs if flag == "--ext-str"]
    ext_code = [(k, v) for k, v, flag in pairs if flag == "--ext-code"]
    return REFERENCE.replace("EXT_STR", repr(ext_str)).replace("EXT_CODE", repr(ext_code))


def stderr_case(jsonnet, root, name, script):
    """Returns None when go-jsonnet evaluates the program, else (go's stderr, ours)."""
    code, out, err = run([VENV_PY, "-c", script, name], root)
    if code != 0 or not out.strip():
        return "go-jsonnet binding failed: " + err.strip()[-200:], ""
    ref = json.loads(out.strip().split("\n")[-1])
    if "error" not in ref:
        return None
    want = ref["error"] + "\n"
    args = [jsonnet] + (EXTVAR_ARGS if name.startswith("extvar") else []) + ["testdata/" + name + ".jsonnet"]
    code, _, got = run(args, root)
    return want, got if code != 0 else "(exit status 0)"


def first_line(text):
    return text.split("\n", 1)[0]


def go_case(jsonnet, root, name):
    """Returns (kind, passed, detail); kind is 'output', 'error' or 'native'."""
    tdir = os.path.join(root, "testdata")
    golden = os.path.join(tdir, name + ".golden")
    rel = "testdata/" + name + ".jsonnet"
    args = [jsonnet]
    if name.startswith("extvar"):
        args += EXTVAR_ARGS
    if name.endswith("_string_output"):
        args.append("-S")
    kind = "native" if name.startswith("native") else "output"
    if os.path.isdir(golden):
        with tempfile.TemporaryDirectory() as out:
            code, stdout, stderr = run(args + ["-m", out, rel], root)
            expects_error = os.path.exists(os.path.join(golden, "error"))
            if expects_error:
                return ("error" if kind != "native" else kind), code != 0, first_line(stderr)
            if code != 0:
                return kind, False, first_line(stderr)
            want = sorted(os.listdir(golden))
            got = sorted(os.listdir(out))
            if want != got:
                return kind, False, "files %s != %s" % (got, want)
            for f in want:
                with open(os.path.join(golden, f), "rb") as a, open(os.path.join(out, f), "rb") as b:
                    if a.read() != b.read():
                        return kind, False, "file %s differs" % f
            return kind, True, ""
    with open(golden, "rb") as f:
        expected = f.read().decode("utf-8", "replace")
    code, stdout, stderr = run(args + [rel], root)
    head = first_line(expected)
    if head.startswith(ERROR_PREFIXES) or head.startswith("testdata/" + name + ":"):
        got = first_line(stderr).replace("testdata/" + name + ".jsonnet", "testdata/" + name)
        ok = code != 0 and got == head
        return ("error" if kind != "native" else kind), ok, "" if ok else "want %r got %r" % (head, got)
    if code != 0:
        return kind, False, first_line(stderr)
    ok = stdout.replace("testdata/" + name + ".jsonnet", "testdata/" + name) == expected
    return kind, ok, "" if ok else "output differs"


def cpp_case(jsonnet, root, name):
    path = os.path.join(root, name)
    if name.startswith("tla."):
        args = [jsonnet, "--tla-str", "var1=test", "--tla-code", "var2={x:1,y:2}", name]
    else:
        args = [jsonnet, "--ext-str", "var1=test", "--ext-code", "var2={x:1,y:2}", name]
    code, stdout, stderr = run(args, root)
    golden = path + ".golden"
    expected = None
    if os.path.exists(golden):
        with open(golden, "rb") as f:
            expected = f.read().decode("utf-8", "replace")
    expects_error = name.startswith("error.") or (
        expected is not None and first_line(expected).startswith(ERROR_PREFIXES))
    if expects_error:
        return "cpp", code != 0, "" if code != 0 else "expected an error"
    if code != 0:
        return "cpp", False, first_line(stderr)
    if expected is None:
        ok = stdout.strip() == "true"
        return "cpp", ok, "" if ok else "output %r" % stdout[:80]
    ok = stdout == expected or (stderr + stdout) == expected
    return "cpp", ok, "" if ok else "output differs"


def whole_stderr(jsonnet, go_root, opts):
    """Compares whole stderr on every go-suite program go-jsonnet fails on; True when above the threshold."""
    ensure_gojsonnet()
    script = reference_script()
    names = sorted(f[:-8] for f in os.listdir(os.path.join(go_root, "testdata")) if f.endswith(".jsonnet"))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
        futures = {pool.submit(stderr_case, jsonnet, go_root, n, script): n for n in names}
        for fut in concurrent.futures.as_completed(futures):
            r = fut.result()
            if r is not None:
                results[futures[fut]] = r
    differing = sorted(n for n, (want, got) in results.items() if want != got)
    heads = sum(1 for want, got in results.values() if first_line(want) == first_line(got))
    for n in differing[:opts.show_diffs]:
        want, got = results[n]
        print("== %s\n-- go-jsonnet\n%s-- ours\n%s" % (n, want, got))
    if not opts.quiet:
        for n in differing:
            print("STDERR DIFFERS go/" + n)
    total = len(results)
    same = total - len(differing)
    pct = 100.0 * same / total if total else 100.0
    print("whole stderr: %d/%d go-failing programs identical to go-jsonnet (%.1f%%); first line: %d/%d" % (
        same, total, pct, heads, total))
    if pct < opts.min_stderr_pct:
        print("whole stderr below threshold: %.1f%% < %.1f%%" % (pct, opts.min_stderr_pct))
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jsonnet", required=True, help="path to the jsonnet binary under test")
    ap.add_argument("--suite", required=True, help="the shared conformance folder")
    ap.add_argument("--min-go", type=int, default=0, help="minimum passing go-suite output cases")
    ap.add_argument("--min-go-errors", type=int, default=0, help="minimum passing go-suite error cases")
    ap.add_argument("--min-cpp", type=int, default=0, help="minimum passing cpp-suite cases")
    ap.add_argument("--whole-stderr", action="store_true",
                    help="also compare whole stderr with go-jsonnet's (gojsonnet binding) on failing go programs")
    ap.add_argument("--min-stderr-pct", type=float, default=0,
                    help="minimum percentage of go-failing programs whose stderr is identical")
    ap.add_argument("--show-diffs", type=int, default=0, metavar="N",
                    help="print go's and our stderr for the first N differing programs")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--quiet", action="store_true", help="do not list failing cases")
    opts = ap.parse_args()
    jsonnet = os.path.abspath(opts.jsonnet)
    go_root = os.path.join(opts.suite, "go-jsonnet")
    cpp_root = os.path.join(opts.suite, "cpp", "test_suite")

    jobs = []
    for f in sorted(os.listdir(os.path.join(go_root, "testdata"))):
        if f.endswith(".jsonnet") and os.path.exists(os.path.join(go_root, "testdata", f[:-8] + ".golden")):
            jobs.append(("go", f[:-8]))
    for f in sorted(os.listdir(cpp_root)):
        if f.endswith(".jsonnet"):
            jobs.append(("cpp", f))

    counts = {k: [0, 0] for k in ("output", "error", "native", "cpp")}
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
        futures = {}
        for suite, name in jobs:
            fn = go_case if suite == "go" else cpp_case
            root = go_root if suite == "go" else cpp_root
            futures[pool.submit(fn, jsonnet, root, name)] = (suite, name)
        for fut in concurrent.futures.as_completed(futures):
            suite, name = futures[fut]
            kind, ok, detail = fut.result()
            counts[kind][1] += 1
            if ok:
                counts[kind][0] += 1
            else:
                failures.append("%s/%s [%s]: %s" % (suite, name, kind, detail))
    if opts.whole_stderr:
        ok_stderr = whole_stderr(jsonnet, go_root, opts)
    if not opts.quiet:
        for line in sorted(failures):
            print("FAIL " + line)
    go_pass = counts["output"][0] + counts["error"][0]
    go_total = counts["output"][1] + counts["error"][1]
    print("go-jsonnet suite: %d/%d non-native cases pass (%d/%d error cases match the golden's first line); "
          "native cases (optional): %d/%d" % (go_pass, go_total, counts["error"][0], counts["error"][1],
                                              counts["native"][0], counts["native"][1]))
    print("cpp suite: %d/%d" % tuple(counts["cpp"]))
    ok = (not opts.whole_stderr or ok_stderr) and go_pass >= opts.min_go and counts["error"][0] >= opts.min_go_errors and counts["cpp"][0] >= opts.min_cpp
    passed = go_pass + counts["cpp"][0]
    total = go_total + counts["cpp"][1]
    print("conformance: %d passed, %d failed" % (passed, total - passed))
    if not ok:
        print("conformance below thresholds: go >= %d, go errors >= %d, cpp >= %d" % (
            opts.min_go, opts.min_go_errors, opts.min_cpp))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
