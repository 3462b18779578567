#!/usr/bin/env python3
"""Writes config/crd/*.yaml and charts/jaas/files/crds/*.yaml (the JaaS CRDs described in
docs/operator/README.md) and config/crd/test/*.yaml (test-only Flux source CRDs with Flux's
field names). Run from the repository root; needs PyYAML."""
import yaml, copy

def s(desc, **kw):
    d = {"type": "string", "description": desc}; d.update(kw); return d

NAME = dict(minLength=1, maxLength=253)
NS = dict(minLength=1, maxLength=63)

files = {"type": "object", "description": "Inline Jsonnet sources: path relative to the source root -> file content. Exactly one of files and sourceRef.",
         "additionalProperties": {"type": "string"}, "maxProperties": 1000}
sourceRef = {"type": "object", "description": "A Flux source whose status.artifact is the file tree. Exactly one of files and sourceRef.",
    "required": ["kind", "name"],
    "properties": {
        "apiVersion": s("API version of the source.", default="source.toolkit.fluxcd.io/v1", maxLength=253),
        "kind": s("Kind of the source.", enum=["GitRepository", "OCIRepository", "Bucket", "ExternalArtifact"]),
        "name": s("Name of the source.", **NAME),
        "namespace": s("Namespace of the source; defaults to the referencing object's namespace.", **NS),
        "path": s("Narrows the artifact to this subtree.", maxLength=1024),
    }}

def variables(what):
    return {"type": "array", "description": what, "maxItems": 100,
        "items": {"type": "object", "required": ["name"],
            "properties": {
                "name": s("Variable name.", **NAME),
                "value": s("String value, or Jsonnet code when code is true.", maxLength=1048576),
                "code": {"type": "boolean", "description": "Parse value as Jsonnet code.", "default": False},
            },
            "x-kubernetes-validations": [{"rule": "!self.code || (has(self.value) && size(self.value) > 0)",
                                          "message": "value must be non-empty when code is true"}]},
        # A map keyed by name, like a container's env: server-side apply merges entries by name.
        "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
        "x-kubernetes-validations": [{"rule": "self.all(a, self.exists_one(b, b.name == a.name))",
                                      "message": "names must be unique"}]}

libraries = {"type": "array", "description": "The libraries this snippet may import (allow-list).", "maxItems": 100,
    "items": {"type": "object", "required": ["name"],
        "properties": {
            "apiVersion": s("API version of the library.", default="jaas.metio.wtf/v1", maxLength=253),
            "kind": s("Kind of the library.", default="JsonnetLibrary", enum=["JsonnetLibrary"]),
            "name": s("Name of the JsonnetLibrary.", **NAME),
            "namespace": s("Namespace of the JsonnetLibrary; defaults to the snippet's namespace.", **NS),
            "importPath": s("Import path the library is mounted at; defaults to its name.", **NAME),
        }},
    "x-kubernetes-validations": [{"rule": "self.all(a, self.exists_one(b, (has(b.importPath) ? b.importPath : b.name) == (has(a.importPath) ? a.importPath : a.name)))",
                                  "message": "library import paths must be distinct"}]}

condition = {"type": "object", "description": "Condition contains details for one aspect of the current state of this API Resource.",
    "required": ["lastTransitionTime", "message", "reason", "status", "type"],
    "properties": {
        "lastTransitionTime": s("Last time the condition transitioned from one status to another.", format="date-time"),
        "message": s("Human readable message indicating details about the transition.", maxLength=32768),
        "observedGeneration": {"type": "integer", "format": "int64", "minimum": 0,
                               "description": "The .metadata.generation that the condition was set based upon."},
        "reason": s("Programmatic identifier of the last transition.", minLength=1, maxLength=1024,
                    pattern="^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"),
        "status": s("Status of the condition.", enum=["True", "False", "Unknown"]),
        "type": s("Type of condition in CamelCase.", maxLength=316,
                  pattern="^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"),
    }}

status = {"type": "object", "description": "Observed state, written by the operator.",
    "properties": {
        "observedGeneration": {"type": "integer", "format": "int64", "description": "Last generation handled."},
        "conditions": {"type": "array", "items": condition, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                       "description": "Conditions; the Ready condition carries the reconcile outcome."},
        "revision": s("Revision of the last published artifact (sha256:<hex>)."),
        "artifactURL": s("URL of the last published artifact; kept across later failures."),
        "lastSyncTime": s("Time of the last successful render.", format="date-time"),
        "lastHandledReconcileAt": s("The reconcile.fluxcd.io/requestedAt annotation value last handled."),
        "history": {"type": "array", "description": "Stored revisions, newest first.", "maxItems": 50,
                    "items": {"type": "object", "required": ["revision", "time"],
                              "properties": {"revision": s("Artifact revision."), "time": s("When it was published.", format="date-time")}}},
    }}

# An empty `files: {}` next to a sourceRef counts as unset (manifests written for the original carry it).
exactly_one = [{"rule": "(has(self.files) && size(self.files) > 0 ? 1 : 0) + (has(self.sourceRef) ? 1 : 0) == 1",
                "message": "exactly one of spec.files or spec.sourceRef must be set"}]

snippet_spec = {"type": "object", "description": "What to render and how.",
    "properties": {
        "serviceAccountName": s("ServiceAccount used for every API call made for this snippet; defaults to the operator's --default-service-account.", **NAME),
        "entryFile": s("File evaluated, relative to the source root.", default="main.jsonnet", minLength=1, maxLength=255,
                       pattern="^[A-Za-z0-9._/-]+$",
                       **{"x-kubernetes-validations": [{"rule": "!self.split('/').exists(s, s == '..')",
                                                       "message": "entryFile must not contain '..' path segments"}]}),
        "files": files,
        "sourceRef": sourceRef,
        "libraries": libraries,
        "externalVariables": variables("std.extVar bindings."),
        "tlas": variables("Top-level arguments."),
        "output": s("What the artifact holds: rendered.json, or the raw source files.", default="rendered", enum=["rendered", "source"]),
        "suspend": {"type": "boolean", "default": False, "description": "Skip reconciling; keep the published artifact."},
        "history": {"type": "integer", "format": "int32", "default": 1, "minimum": 1, "maximum": 50,
                    "description": "Revisions kept in storage."},
        "interval": s("Re-render period on top of watch events (30s to 24h).", pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$",
                      **{"x-kubernetes-validations": [{"rule": "duration(self) >= duration('30s') && duration(self) <= duration('24h')",
                                                      "message": "interval must be between 30s and 24h"}]}),
    },
    "x-kubernetes-validations": exactly_one}

library_spec = {"type": "object", "description": "The library's files.",
    "properties": {"files": files, "sourceRef": sourceRef}, "x-kubernetes-validations": exactly_one}

# `kubectl get` shows Ready, URL and Age; `-o wide` adds Reason, Revision and Suspend.
snippet_columns = [
    {"name": "Ready", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
    {"name": "Reason", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].reason', "priority": 1},
    {"name": "Revision", "type": "string", "jsonPath": ".status.revision", "priority": 1},
    {"name": "URL", "type": "string", "jsonPath": ".status.artifactURL"},
    {"name": "Suspend", "type": "boolean", "jsonPath": ".spec.suspend", "priority": 1},
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]
library_columns = [
    {"name": "Ready", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
    {"name": "Reason", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].reason', "priority": 1},
    {"name": "Revision", "type": "string", "jsonPath": ".status.revision", "priority": 1},
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]

def crd(kind, plural, short, spec, desc, columns):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        # `helm uninstall` keeps the CRDs, and with them every snippet (as the original chart does).
        "metadata": {"name": f"{plural}.jaas.metio.wtf", "annotations": {"helm.sh/resource-policy": "keep"}},
        "spec": {"group": "jaas.metio.wtf",
            "names": {"kind": kind, "listKind": kind + "List", "plural": plural, "singular": kind.lower(), "shortNames": [short],
                      "categories": ["jaas"]},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": True, "storage": True,
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns,
                "schema": {"openAPIV3Schema": {"type": "object", "description": desc, "required": ["spec"],
                    "properties": {
                        "apiVersion": s("APIVersion of this object."), "kind": s("Kind of this object."),
                        "metadata": {"type": "object"},
                        "spec": spec, "status": status}}}}]}}

hdr = "# Generated by scripts/gen-crds.py; edit the script, not this file.\n"
for kind, plural, short, spec, desc, columns in [
    ("JsonnetSnippet", "jsonnetsnippets", "jsnip", snippet_spec, "JsonnetSnippet renders Jsonnet and publishes the result as a Flux ExternalArtifact.", snippet_columns),
    ("JsonnetLibrary", "jsonnetlibraries", "jlib", library_spec, "JsonnetLibrary is a set of Jsonnet files that snippets may import.", library_columns)]:
    for folder in ["config/crd", "charts/jaas/files/crds"]:
        with open(f"{folder}/jaas.metio.wtf_{plural}.yaml", "w") as f:
            f.write(hdr + "---\n")
            yaml.safe_dump(crd(kind, plural, short, spec, desc, columns), f, sort_keys=False, width=200)

# ---- Flux test CRDs
def meta_props():
    return {"apiVersion": s("APIVersion of this object."), "kind": s("Kind of this object."), "metadata": {"type": "object"}}

artifact = {"type": "object", "description": "Artifact represents the output of a Source reconciliation.",
    "required": ["lastUpdateTime", "path", "revision", "url"],
    "properties": {
        "digest": s("Digest of the file in the form of '<algorithm>:<checksum>'.", pattern="^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$"),
        "lastUpdateTime": s("Timestamp of the last update of the Artifact.", format="date-time"),
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Additional metadata."},
        "path": s("Relative file path of the Artifact."),
        "revision": s("Human-readable identifier traceable in the origin source system."),
        "size": {"type": "integer", "format": "int64", "description": "Number of bytes in the file."},
        "url": s("HTTP address of the Artifact."),
    }}
local_ref = {"type": "object", "required": ["name"], "properties": {"name": s("Name of the referent.")}}
common_status = {"observedGeneration": {"type": "integer", "format": "int64"},
                 "conditions": {"type": "array", "items": condition},
                 "artifact": artifact,
                 "lastHandledReconcileAt": s("Last handled reconcile request."),
                 "url": s("Dynamic fetch link for the latest Artifact.")}
interval = s("Interval at which the source is checked for updates.", pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
timeout = s("Timeout for remote operations.", pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m))+$")
duration_fields = {"interval": interval, "timeout": timeout, "suspend": {"type": "boolean"}, "ignore": s("Ignore overrides the set of excluded patterns.")}

git_spec = {"type": "object", "required": ["interval", "url"], "properties": {
    "url": s("URL of the Git repository.", pattern="^(http|https|ssh)://.*$"),
    "secretRef": local_ref, "proxySecretRef": local_ref,
    "provider": s("Provider used for authentication.", enum=["generic", "azure", "github"]),
    "ref": {"type": "object", "properties": {"branch": s("Branch."), "tag": s("Tag."), "semver": s("SemVer range."), "name": s("Reference name."), "commit": s("Commit SHA.")}},
    "verify": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    "recurseSubmodules": {"type": "boolean"},
    "include": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
    "sparseCheckout": {"type": "array", "items": {"type": "string"}},
    **duration_fields}}
oci_spec = {"type": "object", "required": ["interval", "url"], "properties": {
    "url": s("OCI repository address.", pattern="^oci://.*$"),
    "ref": {"type": "object", "properties": {"digest": s("Image digest."), "semver": s("SemVer range."), "semverFilter": s("SemVer filter."), "tag": s("Image tag.")}},
    "layerSelector": {"type": "object", "properties": {"mediaType": s("Layer media type."), "operation": s("extract or copy.", enum=["extract", "copy"])}},
    "provider": s("Provider used for authentication.", enum=["generic", "aws", "azure", "gcp"], default="generic"),
    "secretRef": local_ref, "proxySecretRef": local_ref, "certSecretRef": local_ref,
    "serviceAccountName": s("ServiceAccount for image pull secrets."),
    "verify": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    "insecure": {"type": "boolean"},
    **duration_fields}}
bucket_spec = {"type": "object", "required": ["bucketName", "endpoint", "interval"], "properties": {
    "provider": s("Bucket provider.", enum=["generic", "aws", "gcp", "azure"], default="generic"),
    "bucketName": s("Bucket name."), "endpoint": s("Object storage endpoint."),
    "sts": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    "insecure": {"type": "boolean"}, "region": s("Bucket region."), "prefix": s("Object key prefix."),
    "secretRef": local_ref, "proxySecretRef": local_ref, "certSecretRef": local_ref,
    **duration_fields}}
ea_spec = {"type": "object", "properties": {"sourceRef": {"type": "object", "required": ["kind", "name"], "properties": {
    "apiVersion": s("API version of the referent."), "kind": s("Kind of the referent."), "name": s("Name of the referent."),
    "namespace": s("Namespace of the referent.")}}}}

flux_cols = [{"name": "URL", "type": "string", "jsonPath": ".spec.url"},
             {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
             {"name": "Ready", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
             {"name": "Status", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].message'}]

def flux_crd(kind, plural, shorts, spec, versions, cols):
    vs = []
    for v in versions:
        vs.append({"name": v, "served": True, "storage": v == "v1", "subresources": {"status": {}},
                   "additionalPrinterColumns": cols,
                   "schema": {"openAPIV3Schema": {"type": "object", "properties": {**meta_props(), "spec": copy.deepcopy(spec),
                              "status": {"type": "object", "properties": copy.deepcopy(common_status)}}}}})
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.source.toolkit.fluxcd.io"},
            "spec": {"group": "source.toolkit.fluxcd.io",
                     "names": {"kind": kind, "listKind": kind + "List", "plural": plural, "singular": kind.lower(), "shortNames": shorts},
                     "scope": "Namespaced", "versions": vs}}

ea_cols = [{"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
           {"name": "Ready", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].status'},
           {"name": "Status", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].message'},
           {"name": "Source", "type": "string", "jsonPath": ".spec.sourceRef.name"}]
bucket_cols = [{"name": "Endpoint", "type": "string", "jsonPath": ".spec.endpoint"}] + flux_cols[1:]
thdr = "# Generated by scripts/gen-crds.py. Test-only: a subset of Flux source-controller's CRD (same field names), for KubeTestServer tests.\n"
for kind, plural, shorts, spec, versions, cols in [
    ("ExternalArtifact", "externalartifacts", [], ea_spec, ["v1"], ea_cols),
    ("GitRepository", "gitrepositories", ["gitrepo"], git_spec, ["v1"], flux_cols),
    ("OCIRepository", "ocirepositories", ["ocirepo"], oci_spec, ["v1", "v1beta2"], flux_cols),
    ("Bucket", "buckets", [], bucket_spec, ["v1", "v1beta2"], bucket_cols)]:
    with open(f"config/crd/test/source.toolkit.fluxcd.io_{plural}.yaml", "w") as f:
        f.write(thdr + "---\n")
        yaml.safe_dump(flux_crd(kind, plural, shorts, spec, versions, cols), f, sort_keys=False, width=200)
