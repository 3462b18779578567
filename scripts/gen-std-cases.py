#!/usr/bin/env python3
"""Prints a Swift table of std test cases whose expectations come from go-jsonnet.

Usage: .build/venv/bin/python scripts/gen-std-cases.py NAME < cases.txt
Each input line is a Jsonnet expression. The expected value is go-jsonnet's
`std.toString(expr)` (compact JSON, strings unquoted) or `ERROR: <first line>`.
The output is pasted into a test file; the tests then check our engine
against these recorded expectations without needing the oracle at test time.
"""
import json
import sys

import _gojsonnet as g


def swift_literal(s: str) -> str:
    """A Swift string literal for s: raw when it can be, escaped otherwise."""
    if all(0x20 <= ord(c) and c != "\x7f" for c in s):
        hashes = "#"
        while ('"' + hashes) in s:
            hashes += "#"
        return f'{hashes}"{s}"{hashes}'
    out = []
    for c in s:
        if c in '\\"':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif ord(c) < 0x20 or c == "\x7f":
            out.append("\\u{%x}" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


name = sys.argv[1]
print(f"let {name}: [StdCase] = [")
for line in sys.stdin:
    expr = line.rstrip("\n")
    if not expr.strip() or expr.startswith("//"):
        continue
    try:
        out = json.loads(g.evaluate_snippet("x", f"std.toString({expr})"))
    except RuntimeError as e:
        out = "ERROR: " + str(e).split("\n")[0]
    print(f"    StdCase({swift_literal(expr)}, {swift_literal(out)}),")
print("]")
