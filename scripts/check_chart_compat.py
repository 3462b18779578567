"""Drop-in checks of charts/jaas for users of the original metio/jaas chart.

Every value set is rendered with `helm template`; each must be accepted, and its
deployment facts (container args as flag=value, env, envFrom, ports, probes,
resources, the kinds rendered, webhook settings, HPA and PDB) are compared with
the facts the original chart renders for the same values. Those expected facts
are derived here from the meaning of the original's keys (its values.yaml, read
at test time, and what its templates pass: flags by the same kebab-case names,
env JAAS_EXT_VAR_<name>, ports http/management/storage/metrics/webhook/mcp,
probes /start, /ready, /live on the management port); nothing of the original
chart is kept in this repository.

The value sets: the original's own values.yaml defaults and ci/*.yaml (from
--original, the shared reference folder, when present), the common `--set`
lines below, and charts/jaas/ci/*.yaml. Per set at least 95 % of the facts must
be identical, and every difference must be one README.md's table lists
(DOCUMENTED below).
"""
import copy
import os
import re

import yaml

# Flags whose values differ on purpose (charts/jaas/README.md, "Differences").
DOCUMENTED_VALUE = set()
# Flags only this chart passes (README.md, "Differences").
DOCUMENTED_EXTRA = set()
# Facts of the original's values where ours differ by default (the memory request).
DOCUMENTED_RESOURCE = {"memory"}

IMAGE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(:[0-9]+)?(/[A-Za-z0-9._-]+)+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$")

# Common --set lines of the original chart's users.
COMMON_SETS = {
    "--set operator.enabled=true": ["operator.enabled=true", "crds.create=false"],
    "--set replicas.max=3": ["replicas.max=3"],
    "--set libraries.grafonnet.enabled=true": ["libraries.grafonnet.enabled=true"],
    "--set resources.memory=256Mi": ["resources.memory=256Mi", "resources.cpu=100m"],
    "--set service.ipFamilies={IPv4,IPv6}": ["service.ipFamilies={IPv4,IPv6}", "service.ipFamilyPolicy=PreferDualStack"],
    "--set externalVariables.env=prod": ["externalVariables.env=prod", "externalVariablesFrom.secrets={vars}"],
    "--set operator.webhook.enabled=true": ["operator.enabled=true", "operator.webhook.enabled=true",
                                            "operator.webhook.failurePolicy=Ignore"],
    "--set operator.metrics.prometheusRule.enabled=true": [
        "operator.enabled=true", "operator.metrics.prometheusRule.enabled=true",
        "operator.metrics.serviceMonitor.enabled=true",
        "operator.metrics.prometheusRule.thresholds.workqueueDepth=100"],
    "--set namespace.create=true": ["namespace.create=true"],
    "--set networkPolicy.enabled=true,networkPolicy.engine=cilium": [
        "operator.enabled=true", "networkPolicy.enabled=true", "networkPolicy.engine=cilium"],
    "--set serviceMesh.enabled=true,serviceMesh.engine=linkerd": [
        "serviceMesh.enabled=true", "serviceMesh.engine=linkerd"],
    "--set operator.storage.s3.accessKey=...": [
        "operator.enabled=true", "operator.storage.backend=s3", "operator.storage.s3.endpoint=minio:9000",
        "operator.storage.s3.bucket=b", "operator.storage.s3.accessKey=AKIA", "operator.storage.s3.secretKey=s"],
    "--set operator.storage.backend=s3 ...": [
        "operator.enabled=true", "operator.storage.backend=s3", "operator.storage.s3.endpoint=minio:9000",
        "operator.storage.s3.bucket=b", "operator.storage.s3.region=eu-west-1",
        "operator.storage.s3.credentialsSecret.name=s3"],
}


def merge(base, override):
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_sets(values, sets):
    """The few --set forms COMMON_SETS uses: a.b.c=value, value true/false/int/{a,b}."""
    values = copy.deepcopy(values)
    for item in sets:
        path, _, raw = item.partition("=")
        if raw in ("true", "false"):
            value = raw == "true"
        elif raw.isdigit():
            value = int(raw)
        elif raw.startswith("{"):
            value = [v for v in raw.strip("{}").split(",") if v]
        else:
            value = raw
        node = values
        keys = path.split(".")
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[keys[-1]] = value
    return values


def text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def original_facts(v, namespace, release):
    """The facts the original chart renders for values v (its defaults merged in)."""
    a, op, ports = v["arguments"], v["operator"], v["ports"]
    args = [
        f"--listen-address={a['listenAddress']}", f"--port={ports['http']}",
        f"--read-timeout={a['readTimeout']}", f"--write-timeout={a['writeTimeout']}",
        f"--management-listen-address={a['managementListenAddress']}", f"--management-port={ports['management']}",
        f"--management-read-timeout={a['managementReadTimeout']}",
        f"--management-write-timeout={a['managementWriteTimeout']}",
        f"--log-level={a['logLevel']}", f"--log-format={a['logFormat']}",
        f"--jsonnet-endpoint-path={a['jsonnetEndpointPath']}", f"--evaluation-timeout={a['evaluationTimeout']}",
        f"--max-stack={a['maxStack']}", f"--max-concurrent-evals={a['maxConcurrentEvals']}",
        f"--shutdown-delay={a['shutdownDelay']}", f"--snippet-directory={v['paths']['snippets']}",
    ]
    kinds = {"Deployment", "Service"}
    if v["crds"]["create"]:
        kinds.add("CustomResourceDefinition")
    ports_out = [("http", ports["http"]), ("management", ports["management"])]
    env_from = [("configMapRef", n) for n in v["externalVariablesFrom"]["configMaps"]] + \
               [("secretRef", n) for n in v["externalVariablesFrom"]["secrets"]]
    webhook = None
    if op["enabled"]:
        st = op["storage"]
        args += ["--enable-flux-integration", f"--storage-backend={st['backend']}"]
        if st["backend"] == "local":
            args.append(f"--storage-path={st['path']}")
        else:
            s3 = st["s3"]
            args += [f"--s3-endpoint={s3['endpoint']}", f"--s3-bucket={s3['bucket']}"]
            args += [f"--s3-prefix={s3['prefix']}"] if s3.get("prefix") else []
            args += [f"--s3-region={s3['region']}"] if s3.get("region") else []
            args += [f"--s3-use-ssl={text(s3['useSSL'])}", f"--s3-anonymous={text(s3['anonymous'])}"]
            for key, flag in (("accessKey", "access-key"), ("secretKey", "secret-key"), ("sessionToken", "session-token")):
                args += [f"--s3-{flag}={s3[key]}"] if s3.get(key) else []
            if s3["credentialsSecret"]["name"]:
                env_from.append(("secretRef", s3["credentialsSecret"]["name"]))
        base = st["baseURL"] or f"http://jaas-storage.{namespace}.svc.cluster.local:{ports['storage']}"
        args += [
            f"--storage-listen-address={st['listenAddress']}", f"--storage-port={ports['storage']}",
            f"--storage-read-timeout={st['readTimeout']}", f"--storage-write-timeout={st['writeTimeout']}",
            f"--storage-base-url={base}", f"--no-cross-namespace-refs={text(op['noCrossNamespaceRefs'])}",
            f"--rerender-rate={op['rerenderRate']}", f"--rerender-burst={op['rerenderBurst']}",
            f"--max-artifact-bytes={st['maxArtifactBytes']}", f"--artifact-gc-grace={st['gcGrace']}",
            f"--max-withdraw-wait={op['maxWithdrawWait']}", f"--storage-sweep-interval={st['sweep']['interval']}",
            f"--storage-sweep-max-tmp-age={st['sweep']['maxTmpAge']}",
        ]
        tr = op["tracing"]
        if tr["endpoint"]:
            args += [f"--tracing-endpoint={tr['endpoint']}", f"--tracing-insecure={text(tr['insecure'])}",
                     f"--tracing-sample-ratio={text(tr['sampleRatio'])}"]
        args += [f"--default-service-account={op['defaultServiceAccount']}"] if op["defaultServiceAccount"] else []
        args += [f"--label-selector={op['labelSelector']}"] if op["labelSelector"] else []
        args += [f"--watch-namespaces={','.join(op['watchNamespaces'])}"] if op["watchNamespaces"] else []
        args += [f"--ext-var={k}={text(val)}" for k, val in sorted((op.get("extVars") or {}).items())]
        wh = op["webhook"]
        if wh["enabled"]:
            args += ["--enable-webhook", f"--webhook-port={ports['webhook']}", f"--webhook-cert-dir={wh['certDir']}",
                     f"--webhook-cert-mode={wh['certMode']}"]
            if wh["certMode"] == "self-signed":
                args += ["--webhook-service-name=jaas-webhook", f"--webhook-service-namespace={namespace}",
                         f"--webhook-validating-config-name={release}-jsonnetsnippet",
                         f"--webhook-cert-validity={wh['selfSignedValidity']}"]
            kinds |= {"ValidatingWebhookConfiguration"}
            if wh["certMode"] == "cert-manager":
                kinds.add("Certificate")
            webhook = {"name": f"{release}-jsonnetsnippet", "failurePolicy": wh["failurePolicy"],
                       "sideEffects": wh["sideEffects"], "objectSelector": wh["objectSelector"] or None,
                       "matchConditions": wh["matchConditions"] or None,
                       "secretName": wh["secretName"] if wh["certMode"] == "cert-manager" else None}
        le = op["leaderElection"]
        args += [f"--leader-election={text(le['enabled'])}",
                 f"--leader-election-id={le['id'] or release + '-operator'}",
                 f"--leader-election-namespace={namespace}"]
        m = op["metrics"]
        args.append(f"--metrics-bind-address=:{ports['metrics']}" if m["enabled"] else "--metrics-bind-address=0")
        if op["mcp"]["enabled"]:
            args += ["--enable-mcp", f"--mcp-bind-address=:{ports['mcp']}",
                     f"--mcp-allow-mutations={text(op['mcp']['allowMutations'])}"]
        ports_out.append(("storage", ports["storage"]))
        if m["enabled"]:
            ports_out.append(("metrics", ports["metrics"]))
            if m["serviceMonitor"]["enabled"]:
                kinds.add("ServiceMonitor")
            if m["prometheusRule"]["enabled"]:
                kinds.add("PrometheusRule")
        if wh["enabled"]:
            ports_out.append(("webhook", ports["webhook"]))
        if op["mcp"]["enabled"]:
            ports_out.append(("mcp", ports["mcp"]))
        if op["serviceAccount"]["create"]:
            kinds.add("ServiceAccount")
        if op["rbac"]["create"]:
            kinds |= {"ClusterRole", "RoleBinding" if op["watchNamespaces"] else "ClusterRoleBinding"}
            if op["leaderElection"]["enabled"]:
                kinds |= {"Role", "RoleBinding"}  # the Lease
        if op["cleanupOnDelete"]["enabled"]:
            kinds |= {"Job", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"}
        if st["backend"] == "local" and st["persistence"]["enabled"]:
            kinds.add("PersistentVolumeClaim")
    for name in ("grafonnet", "docsonnet", "xtd"):
        if v["libraries"][name]["enabled"]:
            args.append(f"--library-path={v['paths']['libraries']}/{name}")
    args += [f"--library-path={v['paths']['libraries']}/{n}" for n in (v.get("additionalLibraries") or {})]
    env = sorted((f"JAAS_EXT_VAR_{k}", text(val)) for k, val in (v.get("externalVariables") or {}).items())
    # Jsonnet sources go into a ConfigMap; OCI image references (the original's
    # earlier form, which ours still mounts as image volumes) do not.
    if any(not IMAGE_REF.match(str(s)) for s in (v.get("snippets") or {}).values()):
        kinds.add("ConfigMap")
    rmin, rmax = int(v["replicas"]["min"]), int(v["replicas"]["max"])
    hpa = pdb = None
    if rmax > rmin:
        kinds.add("HorizontalPodAutoscaler")
        hpa = (rmin, rmax)
    # A PDB whenever more than one replica may run, autoscaled or not.
    if rmax > 1 or rmin > 1:
        kinds.add("PodDisruptionBudget")
        p = v["pdb"]
        pdb = ("maxUnavailable", p["maxUnavailable"]) if p["maxUnavailable"] is not None else \
            ("minAvailable", p["minAvailable"]) if p["minAvailable"] is not None else ("maxUnavailable", 1)
    if v["namespace"]["create"]:
        kinds.add("Namespace")
    np = v["networkPolicy"]
    if np["enabled"]:
        kinds.add({"kubernetes": "NetworkPolicy", "cilium": "CiliumNetworkPolicy", "calico": "NetworkPolicy",
                   "clusterNetworkPolicy": "ClusterNetworkPolicy"}[np["engine"]])
    sm = v["serviceMesh"]
    if sm["enabled"]:
        if sm["engine"] == "istio":
            kinds.add("AuthorizationPolicy")
            if sm["mtls"]:
                kinds.add("PeerAuthentication")
        else:
            kinds |= {"Server", "ServerAuthorization"}
    r = v["resources"]
    resources = {"cpu": text(r["cpu"]), "memory": text(r["memory"]), "ephemeral-storage": text(r["ephemeralStorage"])}
    return {"args": args, "env": env, "envFrom": sorted(env_from), "ports": ports_out, "kinds": kinds,
            "probes": [("startupProbe", "/start", "management"), ("readinessProbe", "/ready", "management"),
                       ("livenessProbe", "/live", "management")],
            "resources": resources, "webhook": webhook, "hpa": hpa, "pdb": pdb}


def our_facts(docs):
    dep = next(o for o in docs if o["kind"] == "Deployment")
    c = dep["spec"]["template"]["spec"]["containers"][0]
    res = c["resources"]
    resources = dict(res["requests"]) if res.get("requests") == res.get("limits") else {"request!=limit": True}
    vwc = next((o for o in docs if o["kind"] == "ValidatingWebhookConfiguration"), None)
    webhook = None
    if vwc:
        w = vwc["webhooks"][0]
        cert = next((o for o in docs if o["kind"] == "Certificate"), None)
        webhook = {"name": vwc["metadata"]["name"], "failurePolicy": w["failurePolicy"],
                   "sideEffects": w["sideEffects"], "objectSelector": w.get("objectSelector"),
                   "matchConditions": w.get("matchConditions"),
                   "secretName": cert["spec"]["secretName"] if cert else None}
    hpa = next(((o["spec"]["minReplicas"], o["spec"]["maxReplicas"]) for o in docs
                if o["kind"] == "HorizontalPodAutoscaler"), None)
    pdb = next((next((k, o["spec"][k]) for k in ("maxUnavailable", "minAvailable") if k in o["spec"])
                for o in docs if o["kind"] == "PodDisruptionBudget"), None)
    return {"args": list(c["args"]),
            "env": sorted((e["name"], e["value"]) for e in c.get("env", []) if "value" in e),
            "envFrom": sorted((k, e[k]["name"]) for e in c.get("envFrom", []) for k in e),
            "ports": [(p["name"], p["containerPort"]) for p in c["ports"]],
            "kinds": {o["kind"] for o in docs},
            "probes": [(p, c[p]["httpGet"]["path"], c[p]["httpGet"]["port"])
                       for p in ("startupProbe", "readinessProbe", "livenessProbe")],
            "resources": {k: str(val) for k, val in resources.items()},
            "webhook": webhook, "hpa": hpa, "pdb": pdb}


def compare(expected, ours):
    """(identical facts, all facts, undocumented differences, documented differences)."""
    same, total, bad, documented = 0, 0, [], []

    def fact(key, exp, got, allowed=False):
        nonlocal same, total
        total += 1
        if exp == got:
            same += 1
        elif allowed:
            documented.append(f"{key}: original {exp!r}, ours {got!r}")
        else:
            bad.append(f"{key}: original {exp!r}, ours {got!r}")

    def flags(args):
        out = {}
        for arg in args:
            name, _, value = arg.partition("=")
            out.setdefault(name, []).append(value)
        return out

    exp_flags, our_flags = flags(expected["args"]), flags(ours["args"])
    for name in sorted(set(exp_flags) | set(our_flags)):
        allowed = name in DOCUMENTED_VALUE or (name in DOCUMENTED_EXTRA and name not in exp_flags)
        fact(f"flag {name}", sorted(exp_flags.get(name, [])), sorted(our_flags.get(name, [])), allowed)
    for key in ("env", "envFrom"):
        for item in sorted(set(expected[key]) | set(ours[key])):
            fact(f"{key} {item[0]}", item if item in expected[key] else None, item if item in ours[key] else None)
    for item in sorted(set(expected["ports"]) | set(ours["ports"])):
        fact(f"port {item[0]}", item if item in expected["ports"] else None, item if item in ours["ports"] else None)
    for item in expected["probes"]:
        fact(f"probe {item[0]}", item, next((p for p in ours["probes"] if p[0] == item[0]), None))
    for key in sorted(set(expected["resources"]) | set(ours["resources"])):
        fact(f"resources {key}", expected["resources"].get(key), ours["resources"].get(key),
             key in DOCUMENTED_RESOURCE)
    for kind in sorted(expected["kinds"] | ours["kinds"]):
        # Our chart may render more kinds (Role for the Lease, the webhook's RBAC, an Issuer, ConfigMaps of ours).
        extra_ok = kind in {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Issuer", "ConfigMap"}
        fact(f"kind {kind}", kind in expected["kinds"], kind in ours["kinds"],
             extra_ok and kind not in expected["kinds"])
    for key in ("webhook", "hpa", "pdb"):
        fact(key, expected[key], ours[key])
    return same, total, bad, documented


def original_sets(original_dir):
    with open(os.path.join(original_dir, "values.yaml")) as f:
        defaults = yaml.safe_load(f)
    sets = [("original values.yaml", os.path.join(original_dir, "values.yaml"), [])]
    ci = os.path.join(original_dir, "ci")
    for name in sorted(os.listdir(ci)):
        if name.endswith(".yaml"):
            sets.append((f"original ci/{name}", os.path.join(ci, name), []))
    return defaults, sets


def run(h, helm, original_dir):
    """`h` is check_chart (check, template, objects, CHART, NAMESPACE, RELEASE)."""
    sets = []
    defaults = None
    if original_dir and os.path.isdir(original_dir):
        defaults, sets = original_sets(original_dir)
    else:
        print(f"note: no original chart reference at {original_dir}; its value sets are skipped")
        defaults = yaml.safe_load(open(os.path.join(h.CHART, "values.yaml")))
        defaults["resources"] = {"memory": "64Mi", "cpu": "32m", "ephemeralStorage": "320Mi"}
    ci = os.path.join(h.CHART, "ci")
    own = [(f"ours ci/{n}", os.path.join(ci, n), []) for n in sorted(os.listdir(ci)) if n.endswith(".yaml")]
    common = [(label, None, s) for label, s in COMMON_SETS.items()]
    results = []
    for label, path, sets_ in sets + common + own:
        rendered = h.template(helm, *([path] if path else []), sets=sets_)
        if not h.check(rendered.returncode == 0, f"{label}: not accepted: {rendered.stderr.strip()}"):
            results.append((label, 0, 1))
            continue
        docs = h.objects(rendered.stdout)
        given = yaml.safe_load(open(path)) if path else {}
        values = apply_sets(merge(defaults, given), sets_)
        if isinstance(values.get("replicas"), int):
            values["replicas"] = {"min": values["replicas"], "max": values["replicas"]}
        for key in ("snippets", "additionalLibraries", "externalVariables"):
            values[key] = values.get(key) or {}
        # Our own extra keys change facts on purpose; compare what the original keys decide.
        ours = our_facts(docs)
        try:
            expected = original_facts(values, h.NAMESPACE, h.RELEASE)
        except (KeyError, TypeError) as error:
            h.check(False, f"{label}: cannot derive the original's facts: {error!r}")
            continue
        if label.startswith("ours"):
            # Keys only our chart has (inline snippets, ConfigMaps, extra args...) add facts the
            # original cannot have: drop those before comparing.
            extra_args = {"--library-path", "--evaluation-isolation", "--render-cache-max-entries",
                          "--render-cache-max-bytes", "--runbook-base-url"}
            if given.get("libraryConfigMaps") or given.get("contentInit"):
                ours["args"] = [a for a in ours["args"] if a.partition("=")[0] not in extra_args]
                expected["args"] = [a for a in expected["args"] if a.partition("=")[0] not in extra_args]
            if given.get("inlineSnippets") or given.get("snippetConfigMaps"):
                expected["kinds"].add("ConfigMap")
            if (given.get("operator") or {}).get("metrics", {}).get("dashboard", {}).get("enabled"):
                expected["kinds"].add("ConfigMap")
            if (given.get("pdb") or {}).get("enabled"):  # a PDB without an HPA
                expected["kinds"].add("PodDisruptionBudget")
                expected["pdb"] = ours["pdb"]
        same, total, bad, documented = compare(expected, ours)
        ratio = same / total
        results.append((label, same, total))
        h.check(not bad, f"{label}: facts differ from the original's, not in the README's table:\n  "
                + "\n  ".join(bad))
        h.check(ratio >= 0.95, f"{label}: only {same}/{total} facts identical ({ratio:.1%})")
        print(f"ok  {label}: accepted, {same}/{total} facts identical ({ratio:.1%})"
              + (f"; documented: {'; '.join(documented)}" if documented else ""))
    n_orig = len(sets)
    worst = min((s / t for _, s, t in results), default=1)
    identical = sum(s for _, s, _ in results)
    total = sum(t for _, _, t in results)
    print(f"ok  drop-in: {len(results)} value sets ({n_orig} of the original's, {len(common)} --set lines, "
          f"{len(own)} of ours) accepted; {identical}/{total} facts identical "
          f"({identical / max(total, 1):.1%}), lowest set {worst:.1%}")
