import Foundation
import JaaSArtifacts
import Jsonnet
import Kubernetes

/// What the operator needs to know about its environment.
public struct OperatorSettings: Sendable {
    /// Where artifacts go (`--storage-backend`).
    public var storage: any ArtifactStorage
    /// `--storage-base-url`: artifact URLs are `<base>/<ns>/<name>/<hex>.tar.gz`.
    public var storageBaseURL: String
    /// `--default-service-account`.
    public var defaultServiceAccount: String?
    public var renderer: SnippetRenderer
    /// `--artifact-gc-grace`.
    public var gcGrace: TimeInterval
    /// `--max-withdraw-wait`.
    public var maxWithdrawWait: TimeInterval
    /// `--no-cross-namespace-refs`: reject sources in other namespaces.
    public var noCrossNamespaceRefs = true
    /// Downloads Flux source artifacts.
    public var fetcher = SourceFetcher()
    /// The top-level directories of every `--library-path`, read at start-up, by alias.
    public var libraryPathAliases: [String: FileTree] = [:]

    public init(storage: any ArtifactStorage, storageBaseURL: String, defaultServiceAccount: String? = nil,
                renderer: SnippetRenderer = SnippetRenderer(), gcGrace: TimeInterval = 300, maxWithdrawWait: TimeInterval = 3600) {
        self.storage = storage
        self.storageBaseURL = storageBaseURL.hasSuffix("/") ? String(storageBaseURL.dropLast()) : storageBaseURL
        self.defaultServiceAccount = defaultServiceAccount
        self.renderer = renderer
        self.gcGrace = gcGrace
        self.maxWithdrawWait = maxWithdrawWait
    }
}

/// When a snippet should be looked at again.
public enum ReconcileResult: Equatable, Sendable {
    case done
    case requeue(after: TimeInterval)
}

/// Level-triggered reconcile of one `JsonnetSnippet` with inline `files`:
/// re-derives everything from the current objects, renders, stores, publishes
/// the ExternalArtifact as the snippet's ServiceAccount and writes the status.
public struct SnippetReconciler: Sendable {
    public let admin: KubeClient
    public let settings: OperatorSettings
    public let tokens: TokenCache
    public let events: EventRecorder

    /// Seconds between attempts while the storage fails.
    static let storageRetry: TimeInterval = 3

    public init(admin: KubeClient, settings: OperatorSettings) {
        self.admin = admin
        self.settings = settings
        self.tokens = TokenCache(client: admin)
        self.events = EventRecorder(client: admin)
    }

    /// Reconciles `namespace/name`.
    public func reconcile(namespace: String, name: String) async throws -> ReconcileResult {
        let snippet: KubeObject
        do {
            snippet = try await admin.get(.jsonnetSnippets, namespace: namespace, name: name)
        } catch let e as KubeError where e.code == 404 {
            return .done
        }
        if snippet.deletionTimestamp != nil { return try await withdraw(snippet) }
        if !snippet.finalizers.contains(OperatorNames.finalizer) {
            let finalizers = JSONValue.array((snippet.finalizers + [OperatorNames.finalizer]).map(JSONValue.string))
            _ = try await admin.patch(.jsonnetSnippets, namespace: namespace, name: name,
                                      patch: ["metadata": ["finalizers": finalizers]])
        }
        let spec: JsonnetSnippetSpec
        do {
            spec = try (snippet["spec"] ?? [:]).decode(as: JsonnetSnippetSpec.self)
        } catch {
            try await writeStatus(snippet, .failure(ReconcileFailure(.invalidSpec, "spec cannot be read: \(error)")))
            return .done
        }
        let requeue = spec.interval.flatMap(parseDuration).map { ReconcileResult.requeue(after: $0) } ?? .done
        if spec.suspend == true {
            try await writeStatus(snippet, .suspended)
            return .done
        }
        do {
            let published = try await render(snippet, spec)
            if snippet[path: "status", "revision"]?.stringValue != published.artifact.revision {
                await events.record(snippet, type: "Normal", reason: ReadyReason.synced.rawValue,
                                    message: "published revision \(published.artifact.revision)")
            }
            let history = try await writeStatus(snippet, .published(published, history: spec.history ?? 1))
            await collectGarbage(snippet, keep: history)
            return requeue
        } catch let failure as ReconcileFailure {
            let previous = (snippet[path: "status", "conditions"]?.arrayValue ?? []).first?["reason"]?.stringValue
            if previous != failure.reason.rawValue {
                await events.record(snippet, type: "Warning", reason: failure.reason.rawValue, message: failure.message)
            }
            try await writeStatus(snippet, .failure(failure))
            switch failure.reason {
            case .rbacDenied: return .done
            // Storage comes back by itself: look again soon, whatever the interval.
            case .storageFailed: return .requeue(after: Self.storageRetry)
            default: return requeue
            }
        }
    }

    // MARK: Rendering and publishing

    struct Published {
        let artifact: Artifact
        let url: String
        let hex: String
    }

    private func render(_ snippet: KubeObject, _ spec: JsonnetSnippetSpec) async throws -> Published {
        let namespace = snippet.namespace ?? "default"
        guard let sa = spec.serviceAccountName ?? settings.defaultServiceAccount else {
            throw ReconcileFailure(.serviceAccountMissing,
                                   "spec.serviceAccountName is not set and the operator has no --default-service-account")
        }
        if (spec.files?.isEmpty ?? true) == (spec.sourceRef == nil) {
            throw ReconcileFailure(.invalidSpec, "exactly one of spec.files and spec.sourceRef must be set")
        }
        let tenant: KubeClient
        do {
            tenant = admin.withToken(try await tokens.token(namespace: namespace, serviceAccount: sa))
        } catch let e as KubeError where e.code == 404 {
            throw ReconcileFailure(.serviceAccountMissing, "ServiceAccount \(namespace)/\(sa) does not exist")
        }
        try await checkForCycles(snippet)
        var tree = FileTree()
        var renderSpec = spec
        if let ref = spec.sourceRef {
            (tree, renderSpec.entryFile) = try await sourceTree(ref, spec: spec, namespace: namespace, as: tenant,
                                                                serviceAccount: sa)
        } else {
            for (path, text) in spec.files ?? [:] {
                do {
                    tree[try cleanRelativePath(path)] = Array(text.utf8)
                } catch {
                    throw ReconcileFailure(.invalidSpec, "spec.files: \(error)")
                }
            }
        }
        let libraries = try await libraryTrees(spec, namespace: namespace, as: tenant, serviceAccount: sa)
        let artifact = try await settings.renderer.render(
            renderSpec, tree: tree, importer: LibraryImporter(snippet: tree, libraries: libraries))
        let hex = String(artifact.revision.dropFirst("sha256:".count))
        let key = artifactKey(namespace: namespace, name: snippet.name, hex: hex)
        do {
            try await settings.storage.put(key, artifact.tarball)
        } catch {
            throw ReconcileFailure(.storageFailed, "cannot store the artifact: \(error)")
        }
        let published = Published(artifact: artifact, url: "\(settings.storageBaseURL)/\(key)", hex: hex)
        try await publish(published, snippet: snippet, as: tenant, serviceAccount: sa)
        return published
    }

    /// The file tree of a Flux source (read as the tenant), narrowed to `sourceRef.path`,
    /// and the entry file within it: `entryFile` is looked up in the narrowed tree first,
    /// then from the artifact root (the seed document uses both forms).
    private func sourceTree(_ ref: SourceReference, spec: JsonnetSnippetSpec, namespace: String, as tenant: KubeClient,
                            serviceAccount: String) async throws -> (FileTree, String) {
        let (full, narrowed) = try await fetchSource(ref, namespace: namespace, as: tenant, serviceAccount: serviceAccount)
        let entry: String
        do {
            entry = try cleanRelativePath(spec.entry)
        } catch {
            throw ReconcileFailure(.invalidSpec, "entryFile \"\(spec.entry)\": \(error)")
        }
        if spec.output == .source || narrowed[entry] != nil { return (narrowed, entry) }
        if full[entry] != nil { return (full, entry) }
        throw ReconcileFailure(.invalidSpec, "entryFile \"\(entry)\" is neither in the source path nor at the artifact root")
    }

    /// A Flux source's whole artifact tree and the part under `sourceRef.path`.
    private func fetchSource(_ ref: SourceReference, namespace: String, as tenant: KubeClient,
                             serviceAccount: String) async throws -> (full: FileTree, narrowed: FileTree) {
        guard let plural = SourceKinds.plural(of: ref.kind) else {
            throw ReconcileFailure(.invalidSpec, "sourceRef.kind \(ref.kind) is not one of "
                                   + SourceKinds.all.map(\.kind).joined(separator: ", "))
        }
        let sourceNamespace = ref.namespace ?? namespace
        if sourceNamespace != namespace && settings.noCrossNamespaceRefs {
            throw ReconcileFailure(.crossNamespaceRefRejected,
                                   "sourceRef \(ref.kind) \(sourceNamespace)/\(ref.name) is in another namespace (--no-cross-namespace-refs)")
        }
        let apiVersion = (ref.apiVersion ?? "source.toolkit.fluxcd.io/v1").split(separator: "/")
        guard apiVersion.count == 2 else { throw ReconcileFailure(.invalidSpec, "sourceRef.apiVersion must be group/version") }
        let resource = GroupVersionResource(group: String(apiVersion[0]), version: String(apiVersion[1]), resource: plural)
        let source: KubeObject
        do {
            source = try await tenant.get(resource, namespace: sourceNamespace, name: ref.name)
        } catch let e as KubeError where e.code == 403 {
            throw ReconcileFailure(.rbacDenied, rbacMessage(e, serviceAccount: serviceAccount, namespace: namespace))
        } catch let e as KubeError where e.code == 404 {
            throw ReconcileFailure(.sourceNotReady, "\(ref.kind) \(sourceNamespace)/\(ref.name) does not exist")
        }
        let ready = (source[path: "status", "conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
        guard ready?["status"]?.stringValue == "True" else {
            throw ReconcileFailure(.sourceNotReady, "\(ref.kind) \(sourceNamespace)/\(ref.name) is not Ready")
        }
        guard let url = source[path: "status", "artifact", "url"]?.stringValue,
              let digest = source[path: "status", "artifact", "digest"]?.stringValue else {
            throw ReconcileFailure(.sourceNotReady, "\(ref.kind) \(sourceNamespace)/\(ref.name) has no artifact yet")
        }
        let full = try await settings.fetcher.fetch(url: url, digest: digest)
        var narrowed = full
        if let path = ref.path, !path.isEmpty, path != "." && path != "./" {
            let prefix: String
            do {
                prefix = try cleanRelativePath(path) + "/"
            } catch {
                throw ReconcileFailure(.invalidSpec, "sourceRef.path \"\(path)\": \(error)")
            }
            narrowed = [:]
            for (p, data) in full where p.hasPrefix(prefix) { narrowed[String(p.dropFirst(prefix.count))] = data }
            if narrowed.isEmpty {
                throw ReconcileFailure(.invalidSpec, "sourceRef.path \"\(path)\" matches no files in the artifact")
            }
        }
        return (full, narrowed)
    }

    /// The snippet's libraries by import path, plus the `--library-path` aliases (SPEC §6).
    private func libraryTrees(_ spec: JsonnetSnippetSpec, namespace: String, as tenant: KubeClient,
                              serviceAccount: String) async throws -> [String: FileTree] {
        var trees = settings.libraryPathAliases
        var own = Set<String>()
        for lib in spec.libraries ?? [] {
            let alias = lib.importPath ?? lib.name
            if settings.libraryPathAliases[alias] != nil {
                throw ReconcileFailure(.invalidSpec, "library import path \"\(alias)\" shadows a --library-path alias")
            }
            if !own.insert(alias).inserted {
                throw ReconcileFailure(.invalidSpec, "library import path \"\(alias)\" is used twice")
            }
            if let kind = lib.kind, kind != "JsonnetLibrary" {
                throw ReconcileFailure(.invalidSpec, "spec.libraries: kind \(kind) is not JsonnetLibrary")
            }
            let libNamespace = lib.namespace ?? namespace
            if libNamespace != namespace && settings.noCrossNamespaceRefs {
                throw ReconcileFailure(.crossNamespaceRefRejected,
                                       "library \(libNamespace)/\(lib.name) is in another namespace (--no-cross-namespace-refs)")
            }
            let library: KubeObject
            do {
                library = try await tenant.get(.jsonnetLibraries, namespace: libNamespace, name: lib.name)
            } catch let e as KubeError where e.code == 404 {
                throw ReconcileFailure(.libraryNotFound, "JsonnetLibrary \(libNamespace)/\(lib.name) does not exist")
            } catch let e as KubeError where e.code == 403 {
                throw ReconcileFailure(.rbacDenied, rbacMessage(e, serviceAccount: serviceAccount, namespace: namespace))
            }
            var tree = FileTree()
            if let ref = try? library[path: "spec", "sourceRef"]?.decode(as: SourceReference.self) {
                tree = try await fetchSource(ref, namespace: libNamespace, as: tenant, serviceAccount: serviceAccount).narrowed
            } else {
                for (path, value) in library[path: "spec", "files"]?.objectValue ?? [:] {
                    guard let text = value.stringValue, let clean = try? cleanRelativePath(path) else {
                        throw ReconcileFailure(.invalidSpec, "JsonnetLibrary \(lib.name): bad file \"\(path)\"")
                    }
                    tree[clean] = Array(text.utf8)
                }
            }
            trees[alias] = tree
        }
        return trees
    }

    /// Follows `sourceRef`s to ExternalArtifacts (which the snippet of the same name
    /// publishes), directly or through a library, and fails when they come back here.
    private func checkForCycles(_ start: KubeObject) async throws {
        let namespace = start.namespace ?? "default"
        var path = [start.name]
        var frontier = [start]
        var seen = Set<String>()
        while let current = frontier.popLast() {
            var refs: [(String, String)] = []
            if let ref = try? current[path: "spec", "sourceRef"]?.decode(as: SourceReference.self) {
                refs.append((ref.kind, ref.name))
            }
            for lib in current[path: "spec", "libraries"]?.arrayValue ?? [] {
                guard let name = lib["name"]?.stringValue,
                      let library = try? await admin.get(.jsonnetLibraries, namespace: namespace, name: name),
                      let ref = try? library[path: "spec", "sourceRef"]?.decode(as: SourceReference.self) else { continue }
                refs.append((ref.kind, ref.name))
            }
            for (kind, name) in refs where kind == "ExternalArtifact" {
                if name == start.name {
                    throw ReconcileFailure(.dependencyCycle, "sources form a cycle: \((path + [name]).joined(separator: " -> "))")
                }
                guard seen.insert(name).inserted, seen.count < 100,
                      let next = try? await admin.get(.jsonnetSnippets, namespace: namespace, name: name) else { continue }
                path.append(name)
                frontier.append(next)
            }
        }
    }

    /// Creates or updates the ExternalArtifact (same name and namespace) as the tenant.
    private func publish(_ p: Published, snippet: KubeObject, as tenant: KubeClient, serviceAccount: String) async throws {
        let namespace = snippet.namespace ?? "default"
        do {
            var existing: KubeObject
            do {
                existing = try await tenant.get(.externalArtifacts, namespace: namespace, name: snippet.name)
            } catch let e as KubeError where e.code == 404 {
                var fresh = KubeObject(apiVersion: "source.toolkit.fluxcd.io/v1", kind: "ExternalArtifact",
                                       namespace: namespace, name: snippet.name)
                fresh["spec"] = ["sourceRef": ["apiVersion": "jaas.metio.wtf/v1", "kind": "JsonnetSnippet",
                                               "name": .string(snippet.name)]]
                existing = try await tenant.create(.externalArtifacts, fresh)
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
                _ = try await tenant.patchStatus(.externalArtifacts, namespace: namespace, name: snippet.name,
                                                 patch: ["status": status])
            }
        } catch let e as KubeError where e.code == 403 {
            throw ReconcileFailure(.rbacDenied, rbacMessage(e, serviceAccount: serviceAccount, namespace: namespace))
        }
    }

    private func rbacMessage(_ e: KubeError, serviceAccount: String, namespace: String) -> String {
        if let f = e.forbidden, let verb = f.verb, let resource = f.resource {
            let group = (f.group ?? "").isEmpty ? "" : ".\(f.group!)"
            return "ServiceAccount \(namespace)/\(serviceAccount) may not \(verb) \(resource)\(group): \(e.message)"
        }
        return "ServiceAccount \(namespace)/\(serviceAccount) was denied: \(e.message)"
    }

    // MARK: Status

    enum Outcome {
        case published(Published, history: Int)
        case failure(ReconcileFailure)
        case suspended
    }

    /// Writes the snippet's status; a 409 (someone else wrote in between) re-reads and retries.
    /// Returns the revision hexes now listed in `status.history`.
    @discardableResult
    private func writeStatus(_ snippet: KubeObject, _ outcome: Outcome) async throws -> Set<String> {
        var current = snippet
        for attempt in 0..<5 {
            var status = current["status"]?.objectValue ?? [:]
            let now = Timestamps.format(Date())
            let (ready, reason, message): (String, String, String)
            switch outcome {
            case .published(let p, let keep):
                (ready, reason, message) = ("True", ReadyReason.synced.rawValue, "published revision \(p.artifact.revision)")
                status["revision"] = .string(p.artifact.revision)
                status["artifactURL"] = .string(p.url)
                status["lastSyncTime"] = .string(now)
                var history = status["history"]?.arrayValue ?? []
                if history.first?["revision"]?.stringValue != p.artifact.revision {
                    history.insert(["revision": .string(p.artifact.revision), "time": .string(now)], at: 0)
                }
                status["history"] = .array(Array(history.prefix(max(1, min(50, keep)))))
            case .failure(let f):
                (ready, reason, message) = ("False", f.reason.rawValue, f.message)
            case .suspended:
                (ready, reason, message) = ("False", ReadyReason.suspended.rawValue, "reconciliation is suspended")
            }
            let previous = (status["conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
            let transition = previous?["status"]?.stringValue == ready ? (previous?["lastTransitionTime"] ?? .string(now)) : .string(now)
            status["conditions"] = [[
                "type": "Ready", "status": .string(ready), "reason": .string(reason), "message": .string(message),
                "lastTransitionTime": transition, "observedGeneration": .int(current.generation ?? 0),
            ]]
            status["observedGeneration"] = .int(current.generation ?? 0)
            if let requested = current.annotations[OperatorNames.requestedAt] {
                status["lastHandledReconcileAt"] = .string(requested)
            }
            current["status"] = .object(status)
            do {
                _ = try await admin.updateStatus(.jsonnetSnippets, current)
                return Set((status["history"]?.arrayValue ?? []).compactMap {
                    $0["revision"]?.stringValue.map { String($0.dropFirst("sha256:".count)) }
                })
            } catch let e as KubeError where e.code == 409 && attempt < 4 {
                current = try await admin.get(.jsonnetSnippets, namespace: snippet.namespace, name: snippet.name)
            }
        }
        return []
    }

    // MARK: Deletion and garbage collection

    private func withdraw(_ snippet: KubeObject) async throws -> ReconcileResult {
        guard snippet.finalizers.contains(OperatorNames.finalizer) else { return .done }
        let namespace = snippet.namespace ?? "default"
        var withdrawn = true
        do {
            try await settings.storage.deleteAll(namespace: namespace, name: snippet.name)
        } catch {
            withdrawn = false
        }
        let deletedAt = snippet.deletionTimestamp.flatMap(Timestamps.parse) ?? Date()
        let gaveUp = Date().timeIntervalSince(deletedAt) > settings.maxWithdrawWait
        if !withdrawn && !gaveUp { return .requeue(after: 10) }
        let remaining = JSONValue.array(snippet.finalizers.filter { $0 != OperatorNames.finalizer }.map(JSONValue.string))
        _ = try await admin.patch(.jsonnetSnippets, namespace: namespace, name: snippet.name,
                                  patch: ["metadata": ["finalizers": remaining]])
        return .done
    }

    /// Deletes stored revisions no longer in `status.history` once they are older than the grace period.
    /// Storage failures are left for the next reconcile.
    private func collectGarbage(_ snippet: KubeObject, keep: Set<String>) async {
        guard !keep.isEmpty else { return }
        let namespace = snippet.namespace ?? "default"
        let stored = (try? await settings.storage.revisions(namespace: namespace, name: snippet.name)) ?? []
        for hex in stored where !keep.contains(hex) {
            let key = artifactKey(namespace: namespace, name: snippet.name, hex: hex)
            if let info = try? await settings.storage.info(key), Date().timeIntervalSince(info.lastModified) > settings.gcGrace {
                try? await settings.storage.delete(key)
            }
        }
    }
}

/// `30s`, `5m`, `1h30m`, `24h` in seconds (Go duration syntax, the units Kubernetes uses).
func parseDuration(_ text: String) -> TimeInterval? {
    var total = 0.0
    var number = ""
    var i = text.startIndex
    guard !text.isEmpty else { return nil }
    while i < text.endIndex {
        let c = text[i]
        if c.isNumber || c == "." {
            number.append(c)
            i = text.index(after: i)
            continue
        }
        var unit = String(c)
        let next = text.index(after: i)
        if c == "m", next < text.endIndex, text[next] == "s" { unit = "ms"; i = next }
        guard let value = Double(number) else { return nil }
        switch unit {
        case "h": total += value * 3600
        case "m": total += value * 60
        case "s": total += value
        case "ms": total += value / 1000
        default: return nil
        }
        number = ""
        i = text.index(after: i)
    }
    return number.isEmpty ? total : nil
}
