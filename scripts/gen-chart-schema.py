#!/usr/bin/env python3
"""Writes charts/jaas/values.schema.json from charts/jaas/values.yaml.

Each key's type comes from its default, refined by the rules below (enums,
patterns, keys that accept several forms). Like the original metio/jaas chart's
schema, objects accept keys the chart does not know, so every values file written
for that chart is accepted. Run after changing values.yaml; scripts/check_chart.py
fails when the committed schema is not what this script writes.
"""
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHART = os.path.join(ROOT, "charts", "jaas")

GO_DURATION = {"type": "string", "pattern": "^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"}
PROM_DURATION = {"type": "string", "pattern": "^([0-9]+(ms|s|m|h|d|w|y))+$"}
QUANTITY = {"type": ["string", "number"], "pattern": "^[0-9]+(\\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T|E|Pi|Ei)?$"}
PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
STRING_MAP = {"type": ["object", "null"], "additionalProperties": {"type": ["string", "number", "boolean"]}}
IMAGE_MAP = {"type": ["object", "null"], "additionalProperties": {"type": "string", "minLength": 1}}
LIST = {"type": "array"}
POD_SECURITY = {"type": "string", "enum": ["privileged", "baseline", "restricted"]}
INT_OR_STRING_OR_NULL = {"type": ["integer", "string", "null"]}
LIBRARY = {"type": "object", "properties": {
    "enabled": {"type": "boolean"}, "registry": {"type": "string"}, "repository": {"type": "string"},
    "version": {"type": ["string", "number"]}}}

# Dotted paths (a * matches any one key) -> schema, replacing the inferred one.
RULES = {
    "replicas": {"oneOf": [
        {"type": "integer", "minimum": 0},
        {"type": "object", "properties": {"min": {"type": "integer", "minimum": 0},
                                          "max": {"type": "integer", "minimum": 0}}}]},
    "resources": {"type": "object", "properties": {
        "memory": QUANTITY, "cpu": QUANTITY, "ephemeralStorage": QUANTITY,
        "requests": {"type": "object"}, "limits": {"type": "object"}}},
    "ports.*": PORT,
    "image.pullPolicy": {"type": "string", "enum": ["Always", "IfNotPresent", "Never"]},
    "image.digest": {"type": "string", "pattern": "^$|^sha256:[a-f0-9]{64}$"},
    "image.tag": {"type": ["string", "number"]},
    "arguments.logLevel": {"type": "string", "enum": ["debug", "info", "warn", "error"]},
    "arguments.logFormat": {"type": "string", "enum": ["", "json", "text"]},
    "arguments.readTimeout": GO_DURATION, "arguments.writeTimeout": GO_DURATION,
    "arguments.managementReadTimeout": GO_DURATION, "arguments.managementWriteTimeout": GO_DURATION,
    "arguments.evaluationTimeout": GO_DURATION, "arguments.shutdownDelay": GO_DURATION,
    "arguments.maxStack": {"type": "integer", "minimum": 0},
    "arguments.maxConcurrentEvals": {"type": "integer", "minimum": 0},
    "arguments.jsonnetEndpointPath": {"type": "string", "pattern": "^/?[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*/?$"},
    "arguments.evaluationMemoryLimit": {"type": ["string", "integer"], "pattern": "^$|^[0-9]+(Ki|Mi|Gi)?$"},
    "arguments.evaluationIsolation": {"type": "string", "enum": ["", "thread", "process"]},
    "arguments.renderCacheMaxEntries": {"type": ["integer", "string"], "pattern": "^$|^[0-9]+$", "minimum": 0},
    "arguments.renderCacheMaxBytes": {"type": ["integer", "string"], "pattern": "^$|^[0-9]+$", "minimum": 0},
    "arguments.extra": {"type": "array", "items": {"type": "string"}},
    "service.ipFamilyPolicy": {"type": "string", "enum": ["", "SingleStack", "PreferDualStack", "RequireDualStack"]},
    "service.ipFamilies": {"type": "array", "maxItems": 2, "items": {"type": "string", "enum": ["IPv4", "IPv6"]}},
    "service.type": {"type": "string", "enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
    "pdb.unhealthyPodEvictionPolicy": {"type": "string", "enum": ["", "IfHealthyBudget", "AlwaysAllow"]},
    "pdb.minAvailable": INT_OR_STRING_OR_NULL, "pdb.maxUnavailable": INT_OR_STRING_OR_NULL,
    "paths.*": {"type": "string", "pattern": "^/"},
    "snippets": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
    "libraries": {"type": ["object", "null"], "properties": {"grafonnet": LIBRARY, "docsonnet": LIBRARY, "xtd": LIBRARY},
                  "additionalProperties": {"oneOf": [{"type": "string", "minLength": 1}, LIBRARY]}},
    "additionalLibraries": IMAGE_MAP,
    "externalVariables": STRING_MAP,
    "externalVariablesFrom.configMaps": {"type": "array", "items": {"type": "string"}},
    "externalVariablesFrom.secrets": {"type": "array", "items": {"type": "string"}},
    "snippetConfigMaps": {"type": "object", "additionalProperties": {"type": "string"}},
    "inlineSnippets": {"type": "object", "additionalProperties": {"type": "string"}},
    "libraryConfigMaps": {"type": "object", "additionalProperties": {"type": "string"}},
    "contentInit.command": {"type": "array", "items": {"type": "string"}},
    "namespace.podSecurity.enforce": POD_SECURITY, "namespace.podSecurity.audit": POD_SECURITY,
    "namespace.podSecurity.warn": POD_SECURITY,
    "operator.watchNamespaces": {"type": "array", "items": {"type": "string"}},
    "operator.rerenderRate": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(/(s|sec|second|m|min|minute|h|hour))?$"},
    "operator.rerenderBurst": {"type": "integer", "minimum": 1},
    "operator.maxWithdrawWait": GO_DURATION,
    "operator.extVars": STRING_MAP,
    "operator.cleanupOnDelete.kubectlTimeout": GO_DURATION,
    "operator.cleanupOnDelete.resources.*": QUANTITY,
    "operator.cleanupOnDelete.image.pullPolicy": {"type": "string", "enum": ["Always", "IfNotPresent", "Never"]},
    "operator.tracing.endpoint": {"type": "string", "pattern": "^$|^([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}$"},
    "operator.tracing.sampleRatio": {"type": ["number", "string"], "minimum": 0, "maximum": 1,
                                     "pattern": "^(0|0?\\.[0-9]+|1|1\\.0+)$"},
    "operator.storage.backend": {"type": "string", "enum": ["local", "s3"]},
    "operator.storage.writeTimeout": GO_DURATION, "operator.storage.readTimeout": GO_DURATION,
    "operator.storage.gcGrace": GO_DURATION,
    "operator.storage.sweep.interval": GO_DURATION, "operator.storage.sweep.maxTmpAge": GO_DURATION,
    "operator.storage.maxArtifactBytes": {"type": "integer", "minimum": 0},
    "operator.storage.sizeLimit": QUANTITY,
    "operator.storage.persistence.size": QUANTITY,
    "operator.storage.persistence.accessModes": {"type": "array", "items": {"type": "string", "enum": [
        "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]}},
    "operator.metrics.serviceMonitor.interval": PROM_DURATION,
    "operator.metrics.serviceMonitor.scrapeTimeout": PROM_DURATION,
    "operator.metrics.prometheusRule.interval": PROM_DURATION,
    "operator.metrics.prometheusRule.runbookAnnotationKey": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_./-]*$"},
    "operator.metrics.prometheusRule.extraRules": {"type": "array", "items": {"type": "object"}},
    "operator.metrics.prometheusRule.extraAlertLabels": {"type": "object", "additionalProperties": {"type": "string"}},
    "operator.metrics.prometheusRule.thresholds.*Duration": PROM_DURATION,
    "operator.metrics.prometheusRule.thresholds.*": {"type": "number", "minimum": 0},
    "operator.webhook.certMode": {"type": "string", "enum": ["self-signed", "cert-manager"]},
    "operator.webhook.certManager.issuerRef.kind": {"type": "string", "enum": ["Issuer", "ClusterIssuer"]},
    "operator.webhook.selfSignedValidity": GO_DURATION,
    "operator.webhook.failurePolicy": {"type": "string", "enum": ["Fail", "Ignore"]},
    "operator.webhook.sideEffects": {"type": "string", "enum": ["None", "NoneOnDryRun"]},
    "operator.webhook.timeoutSeconds": {"type": "integer", "minimum": 1, "maximum": 30},
    "operator.webhook.matchConditions": {"type": "array", "items": {"type": "object", "required": ["name", "expression"]}},
    "networkPolicy.engine": {"type": "string", "enum": ["kubernetes", "cilium", "calico", "clusterNetworkPolicy"]},
    "networkPolicy.*.from": LIST,
    "serviceMesh.engine": {"type": "string", "enum": ["istio", "linkerd"]},
    # The original's values say `strict`; Istio's own spelling is upper case. Both are taken.
    "serviceMesh.mtls": {"type": "string", "enum": ["", "strict", "permissive", "disable", "unset",
                                                    "STRICT", "PERMISSIVE", "DISABLE", "UNSET"]},
    "serviceMesh.*.from": LIST,
}


def rule_for(path):
    if path in RULES:
        return RULES[path]
    parts = path.split(".")
    for pattern, schema in RULES.items():
        pp = pattern.split(".")
        if len(pp) != len(parts):
            continue
        if all(p == "*" or p == q or (p.startswith("*") and q.endswith(p[1:])) for p, q in zip(pp, parts)):
            return schema
    return None


def infer(value, path):
    rule = rule_for(path) if path else None
    if rule is not None:
        return rule
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        return {"type": "array"}
    if isinstance(value, dict):
        return {"type": "object",
                "properties": {k: infer(v, f"{path}.{k}" if path else k) for k, v in value.items()}}
    raise SystemExit(f"values.yaml {path}: null needs a rule in scripts/gen-chart-schema.py")


def schema():
    with open(os.path.join(CHART, "values.yaml")) as f:
        values = yaml.safe_load(f)
    out = {"$schema": "http://json-schema.org/draft-07/schema#", "title": "jaas chart values"}
    out.update(infer(values, ""))
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    path = os.path.join(CHART, "values.schema.json")
    text = schema()
    if sys.argv[1:] == ["--check"]:
        with open(path) as f:
            sys.exit(0 if f.read() == text else "charts/jaas/values.schema.json is stale: run scripts/gen-chart-schema.py")
    with open(path, "w") as f:
        f.write(text)
