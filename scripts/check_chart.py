#!/usr/bin/env python3
"""Checks charts/jaas the way an operator would meet it (issue 13).

Static: the chart's CRDs are config/crd's, `helm lint --strict` for the chart and
each ci/*.yaml, `helm template` of each validates strictly against the Kubernetes
1.33 schemas, no wildcard in any RBAC rule, the pod's security settings, value
combinations the binary cannot run are refused at template time, values.schema.json
is what scripts/gen-chart-schema.py writes, and the drop-in checks for users of the
original metio/jaas chart (scripts/check_chart_compat.py): its value sets, common
--set lines and ours are accepted and render the original's deployment facts.

Live: the rendered Deployment's container args, verbatim except for ports, paths
and listen addresses made local (plus --kubeconfig), start the real `jaas`:
  - operator mode against kube-test-server holding only the chart's RBAC, with a
    token minted for the chart's ServiceAccount: a tenant snippet reaches Ready and
    its deletion completes (the operator removes its finalizer);
  - renderer mode with the image volumes replaced by local copies of examples/:
    the snippets are served and the chart's probe paths answer;
  - the MCP server with only the chart's RBAC: a tenant's token sees only its
    namespace's snippets (scripts/check_chart_mcp.py).

Run by scripts/test-chart, which installs helm, kubectl and the Python tools.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml
import check_chart_compat
from check_chart_mcp import mcp_test
from check_chart_webhook import webhook_test

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHART = os.path.join(ROOT, "charts", "jaas")
NAMESPACE = "jaas-system"
RELEASE = "jaas"
BUILTIN_GROUPS = {"", "apps", "policy", "autoscaling", "batch", "rbac.authorization.k8s.io", "networking.k8s.io", "apiextensions.k8s.io",
                  "admissionregistration.k8s.io"}

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)
    return condition


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def template(helm, *values, sets=()):
    command = [helm, "template", RELEASE, CHART, "--namespace", NAMESPACE]
    for v in values:
        command += ["-f", v]
    for s in sets:
        command += ["--set", s]
    return run(command)


def objects(text):
    return [o for o in yaml.safe_load_all(text) if o]


def ci_files():
    directory = os.path.join(CHART, "ci")
    return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".yaml"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group_of(obj):
    api = obj["apiVersion"]
    return api.split("/")[0] if "/" in api else ""


# ---------------------------------------------------------------- static checks

def static_checks(helm, validate):
    stale = run([sys.executable, os.path.join(ROOT, "scripts", "gen-chart-schema.py"), "--check"])
    check(stale.returncode == 0, f"values.schema.json: {stale.stdout}{stale.stderr}")
    for name in ("jaas.metio.wtf_jsonnetsnippets.yaml", "jaas.metio.wtf_jsonnetlibraries.yaml"):
        with open(os.path.join(ROOT, "config", "crd", name)) as a, open(os.path.join(CHART, "files", "crds", name)) as b:
            check(a.read() == b.read(), f"charts/jaas/files/crds/{name} differs from config/crd/{name}")

    work = tempfile.mkdtemp(prefix="jaas-chart-")
    for values in [None] + ci_files():
        label = os.path.basename(values) if values else "default values"
        lint = run([helm, "lint", "--strict", CHART, "--namespace", NAMESPACE] + (["-f", values] if values else []))
        check(lint.returncode == 0, f"helm lint --strict ({label}):\n{lint.stdout}{lint.stderr}")
        rendered = template(helm, *([values] if values else []))
        if not check(rendered.returncode == 0, f"helm template ({label}): {rendered.stderr}"):
            continue
        docs = objects(rendered.stdout)
        builtin = [o for o in docs if group_of(o) in BUILTIN_GROUPS]
        path = os.path.join(work, label.replace(" ", "-") + ".yaml")
        with open(path, "w") as f:
            yaml.safe_dump_all(builtin, f)
        result = run([validate, "--strict", "-k", "1.33.0", "--quiet", path])
        check(result.returncode == 0 and "ERROR" not in result.stdout + result.stderr,
              f"kubernetes-validate --strict -k 1.33.0 ({label}):\n{result.stdout}{result.stderr}")
        others = sorted({o["kind"] for o in docs if group_of(o) not in BUILTIN_GROUPS})
        check(set(others) <= {"ServiceMonitor", "PrometheusRule", "Issuer", "Certificate", "CiliumNetworkPolicy",
                              "NetworkPolicy", "ClusterNetworkPolicy", "AuthorizationPolicy", "PeerAuthentication",
                              "Server", "ServerAuthorization"}, f"unexpected custom kinds ({label}): {others}")
        print(f"ok  {label}: lint clean, {len(builtin)} built-in objects valid for 1.33"
              + (f" (+ {', '.join(others)})" if others else ""))
        for obj in docs:
            if obj["kind"] in ("Role", "ClusterRole"):
                for rule in obj.get("rules", []):
                    for key in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
                        check("*" not in rule.get(key, []), f"wildcard in {obj['kind']} {obj['metadata']['name']} {key} ({label})")
            if obj["kind"] == "Deployment":
                pod = obj["spec"]["template"]["spec"]
                for container in pod.get("initContainers", []) + pod["containers"]:
                    sc = container["securityContext"]
                    check(sc.get("runAsUser") == 65532 and sc.get("runAsNonRoot") is True
                          and sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False
                          and sc.get("capabilities", {}).get("drop") == ["ALL"]
                          and sc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
                          f"container {container['name']} securityContext ({label}): {sc}")
                check(pod["securityContext"].get("seccompProfile", {}).get("type") == "RuntimeDefault",
                      f"pod seccompProfile ({label})")
    shutil.rmtree(work)

    mcp_rbac_checks(helm)
    ui_checks(helm)

    refused = {
        "an unknown webhook certificate mode (schema)": ["operator.enabled=true", "operator.webhook.enabled=true",
                                                         "operator.webhook.certMode=acme"],
        "s3 without a bucket": ["operator.enabled=true", "operator.storage.backend=s3"],
        "cert-manager mode with certManager.enabled=false": ["operator.enabled=true", "operator.webhook.enabled=true",
                                                             "operator.webhook.certMode=cert-manager",
                                                             "operator.webhook.certManager.enabled=false"],
        "a malformed rate (schema)": ["operator.rerenderRate=fast"],
        "a malformed duration (schema)": ["arguments.evaluationTimeout=5 seconds"],
        "a malformed memory quantity (schema)": ["resources.memory=lots"],
        "an unknown network policy engine (schema)": ["networkPolicy.engine=weave"],
        "an unknown service mesh engine (schema)": ["serviceMesh.engine=consul"],
        "an unknown ipFamilyPolicy (schema)": ["service.ipFamilyPolicy=Both"],
        "a tracing sample ratio above 1 (schema)": ["operator.tracing.sampleRatio=1.5"],
        "a tracing endpoint with a scheme (schema)": ["operator.tracing.endpoint=http://collector:4317"],
        "a threshold that is not a number (schema)": ["operator.metrics.prometheusRule.thresholds.workqueueDepth=many"],
    }
    for label, sets in refused.items():
        result = template(helm, sets=sets)
        check(result.returncode != 0 and ("execution error" in result.stderr or "schema" in result.stderr),
              f"helm template should refuse {label}: {result.stderr}")
    print(f"ok  {len(refused)} invalid value combinations refused at template time")


def ui_checks(helm):
    """ui.enabled (docs/ui.md): the console's flags and port in both modes; in renderer
    mode a ServiceAccount with a mounted token and only `create` on tokenreviews; with
    authentication none a loopback bind, no Service and no token."""
    def render(*sets):
        rendered = template(helm, sets=sets)
        check(rendered.returncode == 0, f"helm template --set {' '.join(sets)}: {rendered.stderr}")
        docs = objects(rendered.stdout)
        dep = next(o for o in docs if o["kind"] == "Deployment")
        return docs, dep["spec"]["template"]["spec"], dep["spec"]["template"]["spec"]["containers"][0]

    docs, pod, container = render("ui.enabled=true")
    roles = [o for o in docs if o["kind"] == "ClusterRole"]
    rules = [r for role in roles for r in role.get("rules", [])]
    ok = check({"--enable-ui", "--ui-bind-address=:8085", "--ui-authentication=kubernetes"} <= set(container["args"]),
               f"renderer mode ui args: {container['args']}")
    ok &= check(any(p.get("name") == "ui" and p.get("containerPort") == 8085 for p in container.get("ports", [])), "ui port")
    ok &= check(pod.get("automountServiceAccountToken") is True, "renderer mode ui: the token must be mounted")
    ok &= check(any(o["kind"] == "ServiceAccount" and o["metadata"]["name"] == pod["serviceAccountName"] for o in docs),
                "renderer mode ui: the pod's ServiceAccount is rendered")
    ok &= check(rules == [{"apiGroups": ["authentication.k8s.io"], "resources": ["tokenreviews"], "verbs": ["create"]}],
                f"renderer mode ui: only create on tokenreviews, got {rules}")
    ok &= check(any(o["kind"] == "Service" and o["metadata"]["name"] == "jaas-ui" for o in docs), "the jaas-ui Service")
    docs, pod, container = render("ui.enabled=true", "ui.authentication=none")
    ok &= check("--ui-bind-address=127.0.0.1:8085" in container["args"], f"ui none binds loopback: {container['args']}")
    ok &= check(not any(o["kind"] == "Service" and o["metadata"]["name"] == "jaas-ui" for o in docs), "no Service with none")
    ok &= check(pod.get("automountServiceAccountToken") is False and not any(o["kind"] == "ClusterRole" for o in docs),
                "renderer mode ui none: no token, no RBAC")
    docs, pod, container = render()
    ok &= check(not any("ui" in a for a in container["args"] if a.startswith("--ui") or a == "--enable-ui"), "ui off by default")
    if ok:
        print("ok  ui.enabled: console flags and port in renderer mode, a ServiceAccount allowed only TokenReviews; "
              "with authentication none a loopback bind, no Service, no token")


def mcp_rbac_checks(helm):
    """With mcp.enabled the operator may review tokens and access and impersonate callers
    (docs/mcp.md#authentication), cluster-wide even with watchNamespaces; without it, not."""
    needed = {("authentication.k8s.io", "tokenreviews", "create"), ("authorization.k8s.io", "subjectaccessreviews", "create"),
              ("", "users", "impersonate"), ("", "groups", "impersonate"), ("", "serviceaccounts", "impersonate"),
              ("authentication.k8s.io", "userextras/authentication.kubernetes.io/credential-id", "impersonate")}
    for label, sets, expected in [
        ("operator-mcp-values.yaml", [], True),
        ("operator-mcp-values.yaml with watchNamespaces", ["operator.watchNamespaces={team-a}"], True),
        ("operator-values.yaml with ui.enabled", ["ui.enabled=true"], True),
        ("operator-values.yaml", None, False),
    ]:
        values = os.path.join(CHART, "ci", label.split(" ")[0])
        rendered = template(helm, values, sets=sets or ())
        if not check(rendered.returncode == 0, f"helm template ({label}): {rendered.stderr}"):
            continue
        docs = objects(rendered.stdout)
        granted = set()
        for role in (o for o in docs if o["kind"] == "ClusterRole"):
            bound = any(o["kind"] == "ClusterRoleBinding" and o["roleRef"]["name"] == role["metadata"]["name"]
                        for o in docs)
            for rule in role.get("rules", []) if bound else []:
                for group in rule.get("apiGroups", []):
                    for resource in rule.get("resources", []):
                        for verb in rule.get("verbs", []):
                            granted.add((group, resource, verb))
        if expected:
            check(needed <= granted, f"MCP authentication rights missing from the cluster-wide RBAC ({label}): "
                                     f"{sorted(needed - granted)}")
        else:
            check(not (needed & granted), f"MCP authentication rights granted without mcp.enabled ({label}): "
                                          f"{sorted(needed & granted)}")
    print("ok  the MCP ClusterRole (TokenReview, SubjectAccessReview, impersonation) is bound exactly when mcp.enabled or ui.enabled")


# ---------------------------------------------------------------- verbatim args

def deployment(helm, values, sets=()):
    """The release's objects (helm hooks, such as the cleanup Job and its RBAC, left out) and its Deployment."""
    rendered = template(helm, values, sets=sets)
    assert rendered.returncode == 0, rendered.stderr
    docs = [o for o in objects(rendered.stdout) if "helm.sh/hook" not in o["metadata"].get("annotations", {})]
    return docs, next(o for o in docs if o["kind"] == "Deployment")


def localize(args, replacements):
    """The chart's args with only ports, paths and listen addresses made local
    (the snippet directory, when not replaced, by an empty one)."""
    out = []
    for arg in args:
        name, _, value = arg.partition("=")
        if name == "--snippet-directory" and name not in replacements:
            out.append(f"{name}={tempfile.mkdtemp(prefix='jaas-snippets-')}")
        elif name in replacements:
            out.append(f"{name}={replacements[name](value)}")
        else:
            out.append(arg)
    return out


def wait_http(url, deadline_seconds=30, headers=None):
    deadline = time.time() + deadline_seconds
    last = None
    while time.time() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=5) as reply:
                return reply.status, reply.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except OSError as error:
            last = error
            time.sleep(0.1)
    raise RuntimeError(f"{url}: {last}")


def probe_paths(container):
    return [container[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe", "readinessProbe")]


def wait_ok(url, seconds):
    """Asks until the answer is 200 or `seconds` have passed; returns the last status."""
    deadline = time.time() + seconds
    while True:
        status, _ = wait_http(url, deadline_seconds=seconds)
        if status == 200 or time.time() >= deadline:
            return status
        time.sleep(0.2)


def wait_probes(container, port):
    """Polls each probe path as the kubelet would: until 200, within the startup probe's allowance.

    A process answers 503 on /start until its watches have synced, which on a loaded machine takes
    a while after the port opens; the kubelet keeps asking, so the check does too."""
    startup = container["startupProbe"]
    allowance = startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3)
    return {path: wait_ok(f"http://127.0.0.1:{port}{path}", allowance) for path in probe_paths(container)}


def renderer_test(helm, bin_dir, work):
    values = os.path.join(CHART, "ci", "renderer-image-volumes-values.yaml")
    _, dep = deployment(helm, values)
    container = dep["spec"]["template"]["spec"]["containers"][0]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    # The image volumes, as the OCI images would hold them: copies of examples/.
    local_root = os.path.join(work, "renderer")
    for mount in sorted(mounts):
        if mount == "/tmp":
            continue
        if mounts[mount] == "snippets":
            os.makedirs(local_root + mount)
            continue
        source = os.path.join(ROOT, "examples", "lib-base") if "/libraries/" in mount else \
            os.path.join(ROOT, "examples", "snippets", os.path.basename(mount))
        shutil.copytree(source, local_root + mount)
    http, management = free_port(), free_port()
    local_path = lambda value: local_root + value
    args = localize(container["args"], {
        "--port": lambda _: http, "--management-port": lambda _: management,
        "--listen-address": lambda _: "127.0.0.1", "--management-listen-address": lambda _: "127.0.0.1",
        "--metrics-bind-address": lambda _: f"127.0.0.1:{free_port()}",
        "--snippet-directory": local_path, "--library-path": local_path,
    })
    if not any(a.startswith("--metrics-bind-address") for a in args):
        # Renderer mode renders no metrics flag (as the original); keep the binary off the shared :8083.
        args.append(f"--metrics-bind-address=127.0.0.1:{free_port()}")
    environment = {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
    log = open(os.path.join(work, "renderer.log"), "w")
    process = subprocess.Popen([os.path.join(bin_dir, "jaas")] + args, env=environment, stderr=log,
                               stdout=log)
    try:
        for path, status in wait_probes(container, management).items():
            check(status == 200, f"renderer probe {path}: {status}")
        status, body = wait_http(f"http://127.0.0.1:{http}/jsonnet/hello")
        check(status == 200 and json.loads(body).get("answer") == 42, f"renderer /jsonnet/hello: {status} {body}")
        status, body = wait_http(f"http://127.0.0.1:{http}/jsonnet/kubernetes")
        replicas = [o["spec"]["replicas"] for o in json.loads(body).get("items", []) if o["kind"] == "Deployment"] \
            if status == 200 else []
        check(status == 200 and replicas and all(r >= 3 for r in replicas),
              f"renderer /jsonnet/kubernetes with the chart's environment=prod: {status} replicas {replicas}")
        print(f"ok  renderer mode: the chart's {len(container['args'])} args serve hello and kubernetes "
              f"(replicas {replicas}), probes {probe_paths(container)} answer 200")
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def kubectl(tool, kubeconfig, *args, check_ok=True, stdin=None):
    result = run([tool, "--kubeconfig", kubeconfig] + list(args), input=stdin)
    if check_ok and result.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {result.stderr}")
    return result


def operator_test(helm, tool, bin_dir, work):
    values = os.path.join(CHART, "ci", "operator-values.yaml")
    docs, dep = deployment(helm, values)
    pod = dep["spec"]["template"]["spec"]
    container = pod["containers"][0]
    admin_config = os.path.join(work, "admin.kubeconfig")
    port_file = os.path.join(work, "kube.port")
    denials_path = os.path.join(work, "denials.log")
    with open(port_file, "w") as out, open(denials_path, "w") as denials:
        server = subprocess.Popen([os.path.join(bin_dir, "kube-test-server"), "--port", "0", "--log-denials",
                                   "--kubeconfig-out", admin_config], stdout=out, stderr=denials)
    processes = [server]
    try:
        for _ in range(200):
            if os.path.exists(admin_config) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        api = f"http://127.0.0.1:{open(port_file).read().strip()}"
        # Only the chart's CRDs, ServiceAccount and RBAC, plus Flux's CRD and the example tenant.
        setup = [o for o in docs if o["kind"] in ("CustomResourceDefinition", "ServiceAccount", "ClusterRole",
                                                 "ClusterRoleBinding", "Role", "RoleBinding")]
        kubectl(tool, admin_config, "create", "namespace", NAMESPACE, check_ok=False)
        kubectl(tool, admin_config, "apply", "-f", "-", stdin=yaml.safe_dump_all(setup))
        # Flux's source CRDs, so the operator's watches on them reach RBAC.
        kubectl(tool, admin_config, "apply", "-f", os.path.join(ROOT, "config", "crd", "test"))
        kubectl(tool, admin_config, "apply", "-f", os.path.join(ROOT, "examples", "operator", "tenant-rbac.yaml"))
        account = pod["serviceAccountName"]
        token = kubectl(tool, admin_config, "create", "token", account, "-n", NAMESPACE).stdout.strip()
        # The minted token is bound by RBAC: it may list snippets but not read Secrets.
        auth = {"Authorization": f"Bearer {token}"}
        status, _ = wait_http(f"{api}/apis/jaas.metio.wtf/v1/jsonnetsnippets", headers=auth)
        check(status == 200, f"the chart's ServiceAccount cannot list snippets: {status}")
        status, _ = wait_http(f"{api}/api/v1/namespaces/default/secrets", headers=auth)
        check(status == 403, f"the chart's ServiceAccount should not read Secrets, got {status}")
        operator_config = os.path.join(work, "operator.kubeconfig")
        with open(operator_config, "w") as f:
            yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "chart",
                            "clusters": [{"name": "kts", "cluster": {"server": api}}],
                            "users": [{"name": account, "user": {"token": token}}],
                            "contexts": [{"name": "chart", "context": {"cluster": "kts", "user": account}}]}, f)
        def start_operator(label):
            """The chart's args with ports, paths and addresses made local, plus --kubeconfig."""
            http, management, storage = free_port(), free_port(), free_port()
            storage_dir = os.path.join(work, f"artifacts-{label}")
            os.makedirs(storage_dir)
            args = localize(container["args"], {
                "--port": lambda _: http, "--management-port": lambda _: management, "--storage-port": lambda _: storage,
                "--listen-address": lambda _: "127.0.0.1", "--management-listen-address": lambda _: "127.0.0.1",
                "--storage-listen-address": lambda _: "127.0.0.1",
                "--metrics-bind-address": lambda _: f"127.0.0.1:{free_port()}",
                "--storage-path": lambda _: storage_dir, "--storage-base-url": lambda _: f"http://127.0.0.1:{storage}",
            }) + [f"--kubeconfig={operator_config}"]
            environment = {"POD_NAME": "jaas-test", "POD_NAMESPACE": NAMESPACE}
            with open(os.path.join(work, f"operator-{label}.log"), "w") as log:
                process = subprocess.Popen([os.path.join(bin_dir, "jaas")] + args, stderr=log,
                                           stdout=log, env=environment)
            processes.append(process)
            return process, management

        def stop(process):
            process.kill()
            process.wait(timeout=30)

        log_path = os.path.join(work, "operator-chart.log")
        operator, management = start_operator("chart")
        for path, status in wait_probes(container, management).items():
            check(status == 200, f"operator probe {path}: {status}")
        kubectl(tool, admin_config, "apply", "-f", os.path.join(ROOT, "examples", "operator", "snippet-inline.yaml"))
        ready = kubectl(tool, admin_config, "wait", "--for=condition=Ready", "jsonnetsnippet/hello", "-n", "default",
                        "--timeout=60s", check_ok=False)
        snippet = json.loads(kubectl(tool, admin_config, "get", "jsonnetsnippet", "hello", "-n", "default",
                                     "-o", "json").stdout)
        check(ready.returncode == 0, f"the snippet did not become Ready: {json.dumps(snippet.get('status'))}")
        url = kubectl(tool, admin_config, "get", "externalartifacts.source.toolkit.fluxcd.io", "hello", "-n", "default",
                      "-o", "jsonpath={.status.artifact.url}", check_ok=False).stdout
        status, _ = wait_http(url) if url else (None, None)
        check(status == 200, f"the published artifact {url!r} is not served: {status}")
        deleted = kubectl(tool, admin_config, "delete", "jsonnetsnippet", "hello", "-n", "default", "--timeout=30s",
                          check_ok=False)
        check(deleted.returncode == 0, f"deleting the snippet did not complete (finalizer): {deleted.stderr}")
        stop(operator)
        text = open(log_path).read()
        # Every request RBAC denied, as kube-test-server logged it; the secrets probe above is the one expected.
        denied = [line for line in open(denials_path).read().splitlines() if '"secrets"' not in line]
        check(not denied, "the operator was denied with the chart's RBAC:\n" + "\n".join(denied[:10]))
        # Each rule is needed: without it, a fresh operator process is denied that resource.
        role = next(o for o in setup if o["kind"] == "ClusterRole")
        with open(os.path.join(ROOT, "examples", "operator", "snippet-inline.yaml")) as f:
            probe = yaml.safe_load(f)
        unused = []
        for index, rule in enumerate(role["rules"]):
            kubectl(tool, admin_config, "apply", "-f", "-",
                    stdin=yaml.safe_dump(dict(role, rules=role["rules"][:index] + role["rules"][index + 1:])))
            before = len(open(denials_path).read().splitlines())
            process, _ = start_operator(f"without-rule-{index}")
            probe["metadata"]["name"] = f"rule-{index}"
            kubectl(tool, admin_config, "apply", "-f", "-", stdin=yaml.safe_dump(probe))
            names = [f'"{resource}"' for resource in rule["resources"]]
            deadline, hit = time.time() + 20, False
            while time.time() < deadline and not hit:
                time.sleep(0.2)
                lines = open(denials_path).read().splitlines()[before:]
                hit = any(name in line for line in lines for name in names)
            stop(process)
            if not hit:
                unused.append(rule["resources"])
        kubectl(tool, admin_config, "apply", "-f", "-", stdin=yaml.safe_dump(role))
        check(not unused, f"ClusterRole rules the operator never needed: {unused}")
        if ready.returncode == 0 and not denied:
            print(f"ok  operator mode: the chart's {len(container['args'])} args with only the chart's RBAC "
                  f"({sum(1 for o in setup if o['kind'].endswith('Role'))} role(s)) and a token for "
                  f"ServiceAccount {account}: snippet Ready, artifact served, deletion finalized, no 403; "
                  f"each of the {len(role['rules'])} rules removed in turn is denied to a fresh operator")
        else:
            print(text[-4000:])
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--helm", required=True)
    parser.add_argument("--kubectl", required=True)
    parser.add_argument("--validate", required=True, help="the kubernetes-validate executable")
    parser.add_argument("--bin", required=True, help="directory holding jaas and kube-test-server")
    parser.add_argument("--original", help="the original chart's reference folder (values.yaml, ci/)")
    parser.add_argument("--static-only", action="store_true", help="skip the runs of the binary")
    options = parser.parse_args()
    static_checks(options.helm, options.validate)
    check_chart_compat.run(sys.modules[__name__], options.helm, options.original)
    if options.static_only:
        sys.exit(1 if failures else 0)
    work = tempfile.mkdtemp(prefix="jaas-chart-run-")
    try:
        renderer_test(options.helm, options.bin, work)
        operator_test(options.helm, options.kubectl, options.bin, work)
        webhook_test(sys.modules[__name__], options.helm, options.kubectl, options.bin, work)
        mcp_test(sys.modules[__name__], options.helm, options.kubectl, options.bin, work)
    finally:
        if failures:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work)
    if failures:
        print(f"{len(failures)} chart check(s) failed")
        sys.exit(1)
    print("chart checks passed")


if __name__ == "__main__":
    main()
