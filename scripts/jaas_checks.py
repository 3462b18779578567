"""Helpers the operator check scripts share (operator-attack-check, prometheus-check,
operator-scale-check): free ports, polling, kubectl, and the tenant RBAC the docs
tell a tenant to grant.

The scripts import it from their own directory:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from jaas_checks import free_ports, wait_until, kubectl, tenant_rbac
"""
import os
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_ports(count):
    """`count` distinct free ports on 127.0.0.1: every socket stays bound until all are picked."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_port():
    """One free port on 127.0.0.1."""
    return free_ports(1)[0]


def wait_until(seconds, predicate, step=0.2):
    """Calls `predicate` every `step` seconds until it returns a true value or `seconds`
    have passed; returns its last value."""
    deadline = time.time() + seconds
    while True:
        value = predicate()
        if value or time.time() >= deadline:
            return value
        time.sleep(step)


def kubectl(binary, kubeconfig, *args, token=None, input=None, check=True):
    """Runs `kubectl --kubeconfig KUBECONFIG ARGS` (as the bearer `token` when given);
    raises with kubectl's stderr when it fails and `check` is true."""
    command = [binary, "--kubeconfig", kubeconfig]
    if token:
        command += ["--token", token]
    result = subprocess.run(command + list(args), input=input, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {result.stderr.strip()}")
    return result


def tenant_rbac(namespace, service_account):
    """What the operator's docs tell a tenant to grant its ServiceAccount."""
    text = open(os.path.join(ROOT, "examples/operator/tenant-rbac.yaml")).read()
    return text.replace("namespace: default", f"namespace: {namespace}").replace("dashboards-tenant", service_account)
