"""The chart's MCP server with only the chart's RBAC (scripts/check_chart.py).

Renders ci/operator-mcp-values.yaml, starts kube-test-server holding only the
chart's CRDs, ServiceAccount and RBAC, and runs the rendered container args of
`jaas` (ports and paths made local) with a token of the chart's ServiceAccount.
A tenant ServiceAccount that may read snippets in `default` only then calls
`list_snippets` over raw streamable HTTP with its own token: it sees the snippet
of `default` and not the one of `other`, which takes the operator's TokenReview,
impersonation (user, groups and the token's credential-id extra) as the chart
grants them. Without a token the answer is 401. The web console (with ui.enabled=true set
too) answers that tenant's token with the index of `default` only. kube-test-server
logs every request RBAC denies: the operator must have been denied nothing.
"""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import yaml


def call_tool(url, token, tool, arguments):
    """POSTs one tools/call: (HTTP status, parsed JSON body or text)."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": tool, "arguments": arguments}}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            status, text = reply.status, reply.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def mcp_test(h, helm, tool, bin_dir, work):
    """`h` is check_chart: its check, kubectl, deployment, localize, free_port and wait_http."""
    values = os.path.join(h.CHART, "ci", "operator-mcp-values.yaml")
    # The web console next to MCP: the same ClusterRole serves both (docs/ui.md).
    docs, dep = h.deployment(helm, values, sets=["ui.enabled=true"])
    pod = dep["spec"]["template"]["spec"]
    container = pod["containers"][0]
    work = os.path.join(work, "mcp")
    os.makedirs(work)
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
        setup = [o for o in docs if o["kind"] in ("CustomResourceDefinition", "ServiceAccount", "ClusterRole",
                                                 "ClusterRoleBinding", "Role", "RoleBinding")]
        h.kubectl(tool, admin_config, "create", "namespace", h.NAMESPACE, check_ok=False)
        h.kubectl(tool, admin_config, "apply", "-f", "-", stdin=yaml.safe_dump_all(setup))
        h.kubectl(tool, admin_config, "apply", "-f", os.path.join(h.ROOT, "config", "crd", "test"))
        account = pod["serviceAccountName"]
        operator_token = h.kubectl(tool, admin_config, "create", "token", account, "-n", h.NAMESPACE).stdout.strip()
        # A tenant that may read snippets in default only; a snippet in default and one in other.
        h.kubectl(tool, admin_config, "create", "namespace", "other")
        tenant = [
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "mcp-agent", "namespace": "default"}},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
             "metadata": {"name": "mcp-agent", "namespace": "default"},
             "rules": [{"apiGroups": ["jaas.metio.wtf"], "resources": ["jsonnetsnippets"], "verbs": ["get", "list"]}]},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
             "metadata": {"name": "mcp-agent", "namespace": "default"},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "mcp-agent"},
             "subjects": [{"kind": "ServiceAccount", "name": "mcp-agent", "namespace": "default"}]},
        ]
        for namespace in ("default", "other"):
            tenant.append({"apiVersion": "jaas.metio.wtf/v1", "kind": "JsonnetSnippet",
                           "metadata": {"name": f"in-{namespace}", "namespace": namespace},
                           "spec": {"suspend": True, "files": {"main.jsonnet": "{}"}}})
        h.kubectl(tool, admin_config, "apply", "-f", "-", stdin=yaml.safe_dump_all(tenant))
        tenant_token = h.kubectl(tool, admin_config, "create", "token", "mcp-agent", "-n", "default").stdout.strip()
        operator_config = os.path.join(work, "operator.kubeconfig")
        with open(operator_config, "w") as f:
            yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "chart",
                            "clusters": [{"name": "kts", "cluster": {"server": api}}],
                            "users": [{"name": account, "user": {"token": operator_token}}],
                            "contexts": [{"name": "chart", "context": {"cluster": "kts", "user": account}}]}, f)
        http, management, storage, mcp, ui = (h.free_port() for _ in range(5))
        storage_dir = os.path.join(work, "artifacts")
        os.makedirs(storage_dir)
        args = h.localize(container["args"], {
            "--port": lambda _: http, "--management-port": lambda _: management, "--storage-port": lambda _: storage,
            "--listen-address": lambda _: "127.0.0.1", "--management-listen-address": lambda _: "127.0.0.1",
            "--storage-listen-address": lambda _: "127.0.0.1",
            "--metrics-bind-address": lambda _: f"127.0.0.1:{h.free_port()}",
            "--storage-path": lambda _: storage_dir, "--storage-base-url": lambda _: f"http://127.0.0.1:{storage}",
            "--mcp-bind-address": lambda _: f"127.0.0.1:{mcp}",
            "--ui-bind-address": lambda _: f"127.0.0.1:{ui}",
        }) + [f"--kubeconfig={operator_config}"]
        h.check("--enable-mcp" in args, f"the chart's MCP values do not pass --enable-mcp: {args}")
        with open(os.path.join(work, "operator.log"), "w") as log:
            processes.append(subprocess.Popen([os.path.join(bin_dir, "jaas")] + args, stderr=log,
                                              stdout=log,
                                              env={"POD_NAME": "jaas-test", "POD_NAMESPACE": h.NAMESPACE}))
        h.check(h.wait_ok(f"http://127.0.0.1:{management}/ready", 60) == 200, "the operator never became ready")
        url = f"http://127.0.0.1:{mcp}/mcp"
        deadline, status = time.time() + 30, None
        while time.time() < deadline:
            try:
                status, body = call_tool(url, None, "list_snippets", {})
                break
            except OSError:
                time.sleep(0.1)
        h.check(status == 401, f"MCP without a token: {status}")
        status, body = call_tool(url, tenant_token, "list_snippets", {})
        result = body.get("result", {}) if isinstance(body, dict) else {}
        rows = (result.get("structuredContent") or {}).get("snippets", [])
        seen = sorted(f"{r['namespace']}/{r['name']}" for r in rows)
        h.check(status == 200 and not result.get("isError") and seen == ["default/in-default"],
                f"the tenant's list_snippets through the chart's MCP server: {status} {body}")
        # The console with the same token: its own namespace only; no token, the sign-in page.
        h.check("--enable-ui" in args, f"the chart's values do not pass --enable-ui: {args}")
        console = f"http://127.0.0.1:{ui}/ui/"
        try:
            urllib.request.urlopen(console, timeout=30)
            anonymous = 200
        except urllib.error.HTTPError as error:
            anonymous = error.code
        request = urllib.request.Request(console, headers={"Authorization": f"Bearer {tenant_token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                page_status, page = reply.status, reply.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            page_status, page = error.code, error.read().decode(errors="replace")
        console_ok = anonymous == 401 and page_status == 200 and ">in-default</a>" in page and "in-other" not in page
        h.check(console_ok, f"the console through the chart's RBAC: no token {anonymous}, tenant {page_status}")
        # The tenant's own denials (its cluster-wide list is tried first) are expected; the operator's are not.
        operator_user = f'"system:serviceaccount:{h.NAMESPACE}:{account}"'
        denied = [line for line in open(denials_path).read().splitlines() if operator_user in line]
        h.check(not denied, "the operator was denied with the chart's RBAC:\n" + "\n".join(denied[:10]))
        if status == 200 and seen == ["default/in-default"] and not denied and console_ok:
            print("ok  MCP and the web console: with only the chart's RBAC a tenant token lists only its own namespace's "
                  "snippets (TokenReview + impersonation), no token is 401, no 403 for the operator")
        else:
            print(open(os.path.join(work, "operator.log")).read()[-4000:])
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
