#!/usr/bin/env python3
"""Feeds mutated conformance-suite programs and random bytes to the `jsonnet` CLI.

Every run must end with exit status 0 (a value) or 1 (a Jsonnet error on stderr)
within the time limit: a signal (trap, segfault), any other status, or a hang is
a failure. Mutations are deterministic for a given --seed, so failures replay.

    scripts/fuzz.py --jsonnet .build/release/jsonnet --suite ../shared/conformance --runs 2000
"""

import argparse
import concurrent.futures
import glob
import os
import random
import subprocess
import sys
import tempfile

FRAGMENTS = [
    "{", "}", "[", "]", "(", ")", "local ", "function(x) ", "if ", " then ", " else ", "self", "super", "$",
    "::", "+:", ":::", "|||\n", '"', "'", "@'", "error ", "import 'x'", "importstr 'y'", "for ", " in ",
    "assert ", "std.", "1e999", "-", "!", "%", "/*", "//", "#", "\\", "\x00", "\ufffd", "é", ",", ";", ".",
    "tailstrict", "0x", "1_", "null", "std.makeArray(1e6, function(i) i)", "std.range(0, 1e7)", "f(f)", "\n",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        n = len(b)
        if op == 0 and n:
            i = rng.randrange(n)
            del b[i:i + rng.randint(1, 8)]
        elif op == 1 and n:
            i = rng.randrange(n)
            chunk = b[i:i + rng.randint(1, 32)]
            j = rng.randrange(n + 1)
            b[j:j] = chunk
        elif op == 2:
            j = rng.randrange(n + 1)
            b[j:j] = rng.choice(FRAGMENTS).encode("utf-8")
        elif op == 3 and n:
            b[rng.randrange(n)] = rng.randrange(256)
        elif n > 1:
            i, j = rng.randrange(n), rng.randrange(n)
            b[i], b[j] = b[j], b[i]
    return bytes(b)


def run_one(jsonnet, program: bytes, workdir: str, timeout: float):
    with tempfile.NamedTemporaryFile(dir=workdir, suffix=".jsonnet", delete=False) as f:
        f.write(program)
        path = f.name
    try:
        p = subprocess.run([jsonnet, "-s", "300", path], capture_output=True, timeout=timeout, cwd=workdir)
        if p.returncode in (0, 1):
            if p.returncode == 1 and not p.stderr:
                return "exit 1 without a message"
            return None
        return "exit status %d: %s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-300:])
    except subprocess.TimeoutExpired:
        return "no result within %.0f s" % timeout
    finally:
        os.unlink(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jsonnet", required=True)
    ap.add_argument("--suite", required=True)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    jsonnet = os.path.abspath(args.jsonnet)
    seeds = sorted(glob.glob(os.path.join(args.suite, "go-jsonnet/testdata/*.jsonnet"))
                   + glob.glob(os.path.join(args.suite, "cpp/test_suite/*.jsonnet")))
    if not seeds:
        sys.exit("no seed programs under %s" % args.suite)
    corpus = [open(s, "rb").read() for s in seeds]
    rng = random.Random(args.seed)
    programs = []
    for i in range(args.runs):
        if i % 5 == 4:
            programs.append(bytes(rng.randrange(256) for _ in range(rng.randrange(80))))
        else:
            programs.append(mutate(rng.choice(corpus), rng))
    failures = 0
    with tempfile.TemporaryDirectory() as workdir:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for program, problem in zip(programs, pool.map(lambda p: run_one(jsonnet, p, workdir, args.timeout), programs)):
                if problem:
                    failures += 1
                    print("FUZZ FAILURE: %s\n--- program (%d bytes) ---\n%r\n" % (problem, len(program), program[:2000]))
    print("fuzz: %d programs (seed %d), %d failures" % (len(programs), args.seed, failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
