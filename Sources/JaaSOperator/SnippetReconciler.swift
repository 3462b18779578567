import Foundation
import JaaSArtifacts
import Jsonnet
import Kubernetes

/// What the operator needs to know about its environment.
public struct OperatorSettings: Sendable {
    public var storage: LocalStorage
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

    public init(storage: LocalStorage, storageBaseURL: String, defaultServiceAccount: String? = nil,
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
            collectGarbage(snippet, keep: history)
            return requeue
        } catch let failure as ReconcileFailure {
            let previous = (snippet[path: "status", "conditions"]?.arrayValue ?? []).first?["reason"]?.stringValue
            if previous != failure.reason.rawValue {
                await events.record(snippet, type: "Warning", reason: failure.reason.rawValue, message: failure.message)
            }
            try await writeStatus(snippet, .failure(failure))
            return failure.reason == .rbacDenied ? .done : requeue
        }
    }

    /// The Reason message of a 403 answered to the tenant.
    func rbacMessage(_ e: KubeError, serviceAccount: String, namespace: String) -> String {
        if let f = e.forbidden, let verb = f.verb, let resource = f.resource {
            let group = (f.group ?? "").isEmpty ? "" : ".\(f.group!)"
            return "ServiceAccount \(namespace)/\(serviceAccount) may not \(verb) \(resource)\(group): \(e.message)"
        }
        return "ServiceAccount \(namespace)/\(serviceAccount) was denied: \(e.message)"
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
