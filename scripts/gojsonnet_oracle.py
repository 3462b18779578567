"""go-jsonnet as an oracle for the project's differential scripts.

One place for what conformance.py, differential.py, fuzz-std.py and
std-param-names.py share: the `.build/venv` Python with the `gojsonnet`
binding (installed from PyPI on first use) and a long-lived child process that
evaluates requests with it, restarted when go-jsonnet dies or hangs on one.
"""

import json
import os
import select
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".build", "venv")
PY = os.path.join(VENV, "bin", "python")


def ensure_gojsonnet():
    """Creates .build/venv with the gojsonnet binding unless it is there."""
    if os.path.exists(PY):
        if subprocess.run([PY, "-c", "import _gojsonnet"], capture_output=True).returncode == 0:
            return
    else:
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    print("installing gojsonnet into .build/venv ...", file=sys.stderr)
    subprocess.run([PY, "-m", "pip", "install", "-q", "gojsonnet"], check=True)


class GoWorker:
    """Runs `script` (a Python program reading one JSON request per line and
    writing one JSON answer per line) in the venv's Python.

    `run` answers the script's reply, or {"died": True} when the child exited
    without answering, or {"hung": True} after `timeout` seconds; either way the
    child is replaced for the next request.
    """

    def __init__(self, script):
        self.script = script
        self.proc = None

    def run(self, request, timeout):
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([PY, "-c", self.script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, text=True)
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            return {"died": True} if ready else {"hung": True}
        return json.loads(line)
