"""The chart's self-signed admission webhook, live (part of scripts/check_chart.py).

The rendered Deployment's args, verbatim except for ports, paths and listen
addresses, start the real `jaas` against kube-test-server holding only the chart's
RBAC and its ValidatingWebhookConfiguration, with the webhook Service mapped to the
local port (--webhook-service-address): jaas patches caBundle with its own identity
(the resourceNames-limited ClusterRole), and kubectl apply of a snippet that sets an
operator-owned ext var is refused by the webhook while a valid one is admitted.
"""
import base64
import os
import subprocess
import time

import yaml


def webhook_test(h, helm, tool, bin_dir, work):
    """`h` is check_chart: its check, kubectl, deployment, localize, free_port and wait_http."""
    values = os.path.join(h.CHART, "ci", "operator-webhook-self-signed-values.yaml")
    docs, dep = h.deployment(helm, values)
    container = dep["spec"]["template"]["spec"]["containers"][0]
    service = next(o for o in docs if o["kind"] == "Service" and o["metadata"]["name"].endswith("-webhook"))
    configuration = next(o for o in docs if o["kind"] == "ValidatingWebhookConfiguration")
    port = h.free_port()
    work = os.path.join(work, "webhook")
    os.makedirs(work)
    admin_config = os.path.join(work, "admin.kubeconfig")
    port_file = os.path.join(work, "kube.port")
    denials_path = os.path.join(work, "denials.log")
    mapping = f"{service['metadata']['namespace']}/{service['metadata']['name']}=127.0.0.1:{port}"
    with open(port_file, "w") as out, open(denials_path, "w") as denials:
        server = subprocess.Popen([os.path.join(bin_dir, "kube-test-server"), "--port", "0", "--log-denials",
                                   "--kubeconfig-out", admin_config, "--webhook-service-address", mapping],
                                  stdout=out, stderr=denials)
    processes = [server]
    try:
        for _ in range(200):
            if os.path.exists(admin_config) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        api = f"http://127.0.0.1:{open(port_file).read().strip()}"
        setup = [o for o in docs if o["kind"] in ("CustomResourceDefinition", "ServiceAccount", "ClusterRole",
                                                 "ClusterRoleBinding", "Role", "RoleBinding",
                                                 "ValidatingWebhookConfiguration")]
        h.kubectl(tool, admin_config, "create", "namespace", h.NAMESPACE, check_ok=False)
        h.kubectl(tool, admin_config, "apply", "-f", "-", stdin=yaml.safe_dump_all(setup))
        h.kubectl(tool, admin_config, "apply", "-f", os.path.join(h.ROOT, "config", "crd", "test"))
        h.kubectl(tool, admin_config, "apply", "-f", os.path.join(h.ROOT, "examples", "operator", "tenant-rbac.yaml"))
        account = dep["spec"]["template"]["spec"]["serviceAccountName"]
        token = h.kubectl(tool, admin_config, "create", "token", account, "-n", h.NAMESPACE).stdout.strip()
        operator_config = os.path.join(work, "operator.kubeconfig")
        with open(operator_config, "w") as f:
            yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "chart",
                            "clusters": [{"name": "kts", "cluster": {"server": api}}],
                            "users": [{"name": account, "user": {"token": token}}],
                            "contexts": [{"name": "chart", "context": {"cluster": "kts", "user": account}}]}, f)
        storage, management = h.free_port(), h.free_port()
        storage_dir = os.path.join(work, "artifacts")
        os.makedirs(storage_dir)
        args = h.localize(container["args"], {
            "--port": lambda _: h.free_port(), "--management-port": lambda _: management,
            "--storage-port": lambda _: storage, "--listen-address": lambda _: "127.0.0.1",
            "--management-listen-address": lambda _: "127.0.0.1", "--storage-listen-address": lambda _: "127.0.0.1",
            "--metrics-bind-address": lambda _: f"127.0.0.1:{h.free_port()}",
            "--storage-path": lambda _: storage_dir, "--storage-base-url": lambda _: f"http://127.0.0.1:{storage}",
            "--webhook-port": lambda _: port, "--webhook-cert-dir": lambda _: os.path.join(work, "certs"),
        }) + [f"--kubeconfig={operator_config}"]
        with open(os.path.join(work, "operator.log"), "w") as log:
            operator = subprocess.Popen([os.path.join(bin_dir, "jaas")] + args, stderr=log, stdout=log,
                                        env={"POD_NAME": "jaas-webhook-test", "POD_NAMESPACE": h.NAMESPACE})
        processes.append(operator)
        name = configuration["metadata"]["name"]
        bundle, deadline = "", time.time() + 30
        while time.time() < deadline and not bundle:
            time.sleep(0.2)
            bundle = h.kubectl(tool, admin_config, "get", "validatingwebhookconfiguration", name, "-o",
                               "jsonpath={.webhooks[0].clientConfig.caBundle}", check_ok=False).stdout.strip()
        ca_path = os.path.join(work, "certs", "ca.crt")
        patched = bool(bundle) and os.path.exists(ca_path) and \
            base64.b64decode(bundle).decode().startswith(open(ca_path).read())
        h.check(patched, f"the chart's self-signed webhook did not patch caBundle of {name}; log:\n"
                + open(os.path.join(work, "operator.log")).read()[-3000:])
        with open(os.path.join(h.ROOT, "examples", "operator", "snippet-inline.yaml")) as f:
            snippet = yaml.safe_load(f)
        extvar = next(iter(yaml.safe_load(open(values))["operator"]["extVars"]))
        valid = list(snippet["spec"]["externalVariables"])
        snippet["spec"]["externalVariables"] = valid + [{"name": extvar, "value": "tenant"}]
        refused = h.kubectl(tool, admin_config, "apply", "-f", "-", stdin=yaml.safe_dump(snippet), check_ok=False)
        field = f"spec.externalVariables[{len(valid)}].name"
        h.check(refused.returncode != 0 and f"denied the request: {field}" in refused.stderr,
                f"a snippet setting the operator's ext var {extvar!r} was not refused by the webhook: "
                f"{refused.stdout}{refused.stderr}")
        snippet["spec"]["externalVariables"] = valid
        admitted = h.kubectl(tool, admin_config, "apply", "-f", "-", stdin=yaml.safe_dump(snippet), check_ok=False)
        h.check(admitted.returncode == 0, f"a valid snippet was not admitted: {admitted.stderr}")
        denied = [line for line in open(denials_path).read().splitlines() if "validatingwebhookconfigurations" in line]
        h.check(not denied, "the webhook was denied with the chart's RBAC:\n" + "\n".join(denied[:5]))
        if patched and refused.returncode != 0 and admitted.returncode == 0 and not denied:
            print(f"ok  webhook (self-signed): the chart's args patched caBundle of {name} with only the chart's RBAC; "
                  f"kubectl apply refused the operator-owned ext var and admitted a valid snippet")
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
