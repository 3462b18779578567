#!/usr/bin/env python3
"""Renders a values file with both charts and compares their deployment facts.

For a checkout of the original metio/jaas chart (metio/helm-charts, charts/jaas),
which this repository does not contain:

    scripts/compare-original-chart.py --original-chart ../helm-charts/charts/jaas \\
        -f my-values.yaml [--set key=value ...]

Both charts are rendered with `helm template jaas <chart> -n jaas`; the facts
(flags and their values, with `-flag` and `--flag` taken as the same flag, env,
envFrom, ports, probes, resources, kinds rendered, webhook settings, HPA, PDB) are
extracted the same way from both (scripts/check_chart_compat.py) and every
difference is printed with the share of identical facts. Exits 1 below 95 %.
"""
import argparse
import os
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_chart_compat  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def render(helm, chart, values, sets):
    command = [helm, "template", "jaas", chart, "--namespace", "jaas"]
    for v in values:
        command += ["-f", v]
    for s in sets:
        command += ["--set", s]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{chart}: not accepted: {result.stderr.strip()}")
    return [o for o in yaml.safe_load_all(result.stdout) if o]


def normalized(facts):
    facts["args"] = ["--" + a.lstrip("-") for a in facts["args"]]
    return facts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--original-chart", required=True)
    parser.add_argument("--helm", default=os.path.join(ROOT, ".build", "tools", "bin", "helm"))
    parser.add_argument("-f", "--values", action="append", default=[])
    parser.add_argument("--set", action="append", default=[])
    options = parser.parse_args()
    original = normalized(check_chart_compat.our_facts(
        render(options.helm, options.original_chart, options.values, options.set)))
    ours = normalized(check_chart_compat.our_facts(
        render(options.helm, os.path.join(ROOT, "charts", "jaas"), options.values, options.set)))
    same, total, bad, documented = check_chart_compat.compare(original, ours)
    for line in documented + bad:
        print("differs:", line)
    print(f"{same}/{total} facts identical ({same / total:.1%}); "
          f"{len(documented)} listed in charts/jaas/README.md, {len(bad)} not")
    sys.exit(0 if same / total >= 0.95 else 1)


if __name__ == "__main__":
    main()
