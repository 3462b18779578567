import Foundation
import JaaSArtifacts
import JaaSCore
import Kubernetes
import Tracing

// Rendering, storing and publishing the ExternalArtifact.
extension SnippetReconciler {
    struct Published {
        let artifact: Artifact
        let url: String
        let hex: String
    }

    /// Renders the snippet, stores the tarball and publishes it; the published artifact.
    func render(_ snippet: KubeObject, _ spec: JsonnetSnippetSpec) async throws -> Published {
        let namespace = snippet.namespace ?? "default"
        guard let sa = spec.serviceAccountName ?? settings.defaultServiceAccount else {
            throw ReconcileFailure(.serviceAccountMissing,
                                   "spec.serviceAccountName is not set and the operator has no --default-service-account")
        }
        if (spec.files?.isEmpty ?? true) == (spec.sourceRef == nil) {
            throw ReconcileFailure(.invalidSpec, "exactly one of spec.files and spec.sourceRef must be set")
        }
        let tenant = self.tenant(namespace: namespace, serviceAccount: sa)
        _ = try await tenant.client()
        try await checkForCycles(snippet)
        var renderSpec = spec
        let inputLimit = settings.maxEvaluationInputBytes
        let (source, libraries) = try await withSpan("fetch source") { span in
            var budget = InputBudget(limit: inputLimit)
            span.attributes["jaas.source.kind"] = spec.sourceRef?.kind ?? "inline"
            var tree = FileTree()
            if let ref = spec.sourceRef {
                span.attributes["jaas.source.name"] = ref.name
                (tree, renderSpec.entryFile) = try await sourceTree(ref, spec: spec, namespace: namespace, as: tenant,
                                                                    serviceAccount: sa, budget: &budget)
            } else {
                for (path, text) in spec.files ?? [:] {
                    do {
                        tree[try cleanRelativePath(path)] = Array(text.utf8)
                    } catch {
                        throw ReconcileFailure(.invalidSpec, "spec.files: \(error)")
                    }
                }
                try budget.take(tree, what: "spec.files")
            }
            span.attributes["jaas.source.files"] = tree.count
            let libraries = try await libraryTrees(spec, namespace: namespace, as: tenant, serviceAccount: sa, budget: &budget)
            return (tree, libraries)
        }
        let renderer = settings.renderer
        let entrySpec = renderSpec
        let artifact = try await withSpan("render") { span in
            let artifact = try await underGate { try await renderer.render(entrySpec, tree: source, libraries: libraries) }
            span.attributes["jaas.artifact.revision"] = artifact.revision
            span.attributes["jaas.artifact.bytes"] = artifact.tarball.count
            return artifact
        }
        let hex = String(artifact.revision.dropFirst("sha256:".count))
        let key = artifactKey(namespace: namespace, name: snippet.name, hex: hex)
        try await withSpan("store artifact") { span in
            span.attributes["jaas.artifact.key"] = key
            do {
                try ensureLeading()
                try await settings.storage.put(key, artifact.tarball)
            } catch {
                throw ReconcileFailure(.storageFailed, "cannot store the artifact: \(error)")
            }
        }
        let published = Published(artifact: artifact, url: "\(settings.storageBaseURL)/\(key)", hex: hex)
        try await withSpan("publish artifact") { span in
            span.attributes["jaas.artifact.url"] = published.url
            try await publish(published, snippet: snippet, as: tenant, serviceAccount: sa)
        }
        return published
    }

    /// Runs an evaluation under the EvaluationGate shared with the renderer
    /// (`--max-concurrent-evals`); a full gate is ``EvaluationUnavailable``.
    func underGate<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard let gate = settings.gate else { return try await body() }
        do {
            return try await gate.admitting(body)
        } catch RenderError.unavailable {
            throw EvaluationUnavailable()
        } catch let failure as ReconcileFailure where failure.reason == .evaluationTimeout {
            gate.countTimedOut()
            throw failure
        }
    }

    /// Whether `artifact`'s `spec.sourceRef` names `snippet`: the only
    /// ExternalArtifacts the operator writes or withdraws.
    static func isPublished(_ artifact: KubeObject, by snippet: KubeObject) -> Bool {
        guard let ref = artifact[path: "spec", "sourceRef"], ref["kind"]?.stringValue == "JsonnetSnippet",
              ref["name"]?.stringValue == snippet.name else { return false }
        if let apiVersion = ref["apiVersion"]?.stringValue, !apiVersion.hasPrefix("\(GroupVersionResource.jsonnetSnippets.group)/") { return false }
        if let namespace = ref["namespace"]?.stringValue, namespace != (snippet.namespace ?? "default") { return false }
        return true
    }

    /// Why an ExternalArtifact that another producer owns is left alone.
    static func conflictMessage(_ artifact: KubeObject, snippet: KubeObject) -> String {
        let ref = artifact[path: "spec", "sourceRef"]
        let owner = [ref?["kind"]?.stringValue, ref?["name"]?.stringValue].compactMap { $0 }.joined(separator: " ")
        return "ExternalArtifact \(snippet.namespace ?? "default")/\(snippet.name) already exists with spec.sourceRef "
            + "\(owner.isEmpty ? "unset" : owner), not this JsonnetSnippet; it is left unchanged. "
            + "Rename the snippet, or delete that ExternalArtifact if it is stale"
    }

    /// Creates or updates the ExternalArtifact (same name and namespace) as the tenant;
    /// one whose `spec.sourceRef` is not this snippet is ``ReadyReason/artifactConflict``.
    func publish(_ p: Published, snippet: KubeObject, as tenant: TenantClient, serviceAccount: String) async throws {
        let namespace = snippet.namespace ?? "default"
        do {
            var existing: KubeObject
            do {
                existing = try await tenant.call { try await $0.get(.externalArtifacts, namespace: namespace, name: snippet.name) }
            } catch let e as KubeError where e.code == 404 {
                var fresh = KubeObject(apiVersion: "source.toolkit.fluxcd.io/v1", kind: "ExternalArtifact",
                                       namespace: namespace, name: snippet.name)
                fresh["spec"] = ["sourceRef": ["apiVersion": "jaas.metio.wtf/v1", "kind": "JsonnetSnippet",
                                               "name": .string(snippet.name)]]
                let object = fresh
                try ensureLeading()
                existing = try await tenant.call { try await $0.create(.externalArtifacts, object) }
            }
            guard Self.isPublished(existing, by: snippet) else {
                throw ReconcileFailure(.artifactConflict, Self.conflictMessage(existing, snippet: snippet))
            }
            let now = Timestamps.format(Date())
            let old = existing[path: "status", "artifact"]
            let sameRevision = old?["revision"]?.stringValue == p.artifact.revision
                && old?["digest"]?.stringValue == p.artifact.digest
            let wasReady = (existing[path: "status", "conditions"]?.arrayValue ?? [])
                .first { $0["type"]?.stringValue == "Ready" }
            let transition = wasReady?["status"]?.stringValue == "True" ? (wasReady?["lastTransitionTime"] ?? .string(now)) : .string(now)
            let artifact: JSONValue = [
                "url": .string(p.url), "path": .string("\(namespace)/\(snippet.name)/\(p.hex).tar.gz"),
                "revision": .string(p.artifact.revision), "digest": .string(p.artifact.digest),
                "size": .int(Int64(p.artifact.tarball.count)),
                "lastUpdateTime": sameRevision ? (old?["lastUpdateTime"] ?? .string(now)) : .string(now),
            ]
            let status: JSONValue = [
                "artifact": artifact,
                "conditions": [[
                    "type": "Ready", "status": "True", "reason": "Succeeded", "message": "artifact published",
                    "lastTransitionTime": transition,
                ]],
            ]
            if existing["status"] != status {
                try ensureLeading()
                _ = try await tenant.call {
                    try await $0.patchStatus(.externalArtifacts, namespace: namespace, name: snippet.name, patch: ["status": status])
                }
            }
        } catch let e as KubeError where e.code == 403 {
            throw ReconcileFailure(.rbacDenied, rbacMessage(e, serviceAccount: serviceAccount, namespace: namespace))
        }
    }
}
