import Foundation
import JaaSArtifacts
import JaaSCore
import Jsonnet
import Kubernetes
import Tracing

/// When a snippet should be looked at again.
public enum ReconcileResult: Equatable, Sendable {
    case done
    case requeue(after: TimeInterval)
}

/// Level-triggered reconcile of one `JsonnetSnippet`: re-derives everything from
/// the current objects, renders, stores, publishes the ExternalArtifact as the
/// snippet's ServiceAccount and writes the status. One reconcile (or garbage
/// collection) per snippet runs at a time.
public struct SnippetReconciler: Sendable {
    /// The admin.
    public let admin: KubeClient
    /// The settings.
    public let settings: OperatorSettings
    /// The tokens.
    public let tokens: TokenCache
    /// The events.
    public let events: EventRecorder
    /// Failure streaks and pending collections, by snippet.
    let memory = ReconcilerMemory()
    let locks = KeyedLocks()

    /// Failures that another object can fix: retried every `--failure-retry-interval`.
    static let selfHealing: Set<ReadyReason> = [
        .rbacDenied, .serviceAccountMissing, .sourceNotReady, .libraryNotFound, .storageFailed, .sourceFetchFailed,
        .artifactConflict,
    ]

    /// Creates one from the given values.
    public init(admin: KubeClient, settings: OperatorSettings) {
        self.admin = admin
        self.settings = settings
        let metrics = settings.metrics
        self.tokens = TokenCache(client: admin, onMintFailure: { metrics.countTokenMintFailure(namespace: $0, serviceAccount: $1) })
        self.events = EventRecorder(client: admin)
    }

    /// Reconciles `namespace/name`, as one `reconcile` span whose children are the
    /// source fetch, render, store and publish steps and the Kubernetes API calls.
    public func reconcile(namespace: String, name: String) async throws -> ReconcileResult {
        try await withSpan("reconcile", ofKind: .internal) { span in
            span.attributes["k8s.namespace.name"] = namespace
            span.attributes["jaas.snippet.name"] = name
            let started = ContinuousClock.now
            do {
                let (result, tally) = try await locks.withLock("\(namespace)/\(name)") {
                    try await reconcileLocked(namespace: namespace, name: name)
                }
                if let tally {
                    settings.metrics.countReconcile(namespace: namespace, name: name, status: tally.status,
                                                    reason: tally.reason, duration: .now - started)
                    span.attributes["jaas.reconcile.status"] = tally.status
                    span.attributes["jaas.reconcile.reason"] = tally.reason
                    if tally.status == "failure" { span.setStatus(SpanStatus(code: .error, message: tally.reason)) }
                }
                return result
            } catch {
                settings.metrics.countReconcile(namespace: namespace, name: name, status: "failure", reason: "Error",
                                                duration: .now - started)
                throw error
            }
        }
    }

    /// What a reconcile counts as in `jaas_snippet_reconcile_total` (nil: not counted).
    typealias Tally = (status: String, reason: String)

    private func reconcileLocked(namespace: String, name: String) async throws -> (ReconcileResult, Tally?) {
        let key = "\(namespace)/\(name)"
        let snippet: KubeObject
        do {
            snippet = try await admin.get(.jsonnetSnippets, namespace: namespace, name: name)
        } catch let e as KubeError where e.code == 404 {
            memory.forget(key)
            return (.done, nil)
        }
        if snippet.deletionTimestamp != nil { return (try await withdraw(snippet), nil) }
        if !snippet.finalizers.contains(OperatorNames.finalizer) {
            let finalizers = JSONValue.array((snippet.finalizers + [OperatorNames.finalizer]).map(JSONValue.string))
            try ensureLeading()
            _ = try await admin.patch(.jsonnetSnippets, namespace: namespace, name: name,
                                      patch: ["metadata": ["finalizers": finalizers]])
        }
        let spec: JsonnetSnippetSpec
        do {
            spec = try (snippet["spec"] ?? [:]).decode(as: JsonnetSnippetSpec.self)
        } catch {
            try await writeStatus(snippet, .failure(ReconcileFailure(.invalidSpec, "spec cannot be read: \(error)")))
            return (.done, ("failure", ReadyReason.invalidSpec.rawValue))
        }
        let requeue: ReconcileResult
        do {
            requeue = try requeueInterval(spec.interval).map { .requeue(after: $0) } ?? .done
        } catch {
            try await writeStatus(snippet, .failure(error))
            return (.done, ("failure", ReadyReason.invalidSpec.rawValue))
        }
        if spec.suspend == true {
            try await writeStatus(snippet, .suspended)
            return (.done, ("success", ReadyReason.suspended.rawValue))
        }
        do {
            let published = try await render(snippet, spec)
            settings.metrics.recordRendered(namespace: namespace, name: name, bytes: published.artifact.tarball.count)
            if snippet[path: "status", "revision"]?.stringValue != published.artifact.revision {
                await events.record(snippet, type: "Normal", reason: ReadyReason.synced.rawValue,
                                    message: "published revision \(published.artifact.revision)")
            }
            let history = try await writeStatus(snippet, .published(published, history: spec.history ?? 1))
            memory.clearFailures(key)
            await collectGarbage(namespace: namespace, name: name, keep: history)
            return (requeue, ("success", ReadyReason.synced.rawValue))
        } catch let failure as ReconcileFailure {
            // Cancelled (the snippet changed, or the reconcile deadline): what failed
            // is the cancellation, not the snippet; the next reconcile decides.
            try Task.checkCancellation()
            let previous = (snippet[path: "status", "conditions"]?.arrayValue ?? []).first?["reason"]?.stringValue
            if previous != failure.reason.rawValue {
                await events.record(snippet, type: "Warning", reason: failure.reason.rawValue, message: failure.message)
            }
            try await writeStatus(snippet, .failure(failure))
            return (retry(failure, key: key, otherwise: requeue), ("failure", failure.reason.rawValue))
        } catch is EvaluationUnavailable {
            if memory.recordFailure(key, reason: EvaluationUnavailable.reason) == 0 {
                await events.record(snippet, type: "Warning", reason: EvaluationUnavailable.reason,
                                    message: "every evaluation slot (--max-concurrent-evals) is busy; retrying shortly")
            }
            return (.requeue(after: jittered(2)), ("failure", EvaluationUnavailable.reason))
        }
    }

    /// When to look at a failed snippet again: self-healing failures every
    /// `--failure-retry-interval` (1×, 2×, 4×, then 5× on repeats, jittered), the
    /// others only at `spec.interval` (or on the next change).
    private func retry(_ failure: ReconcileFailure, key: String, otherwise: ReconcileResult) -> ReconcileResult {
        guard Self.selfHealing.contains(failure.reason) else {
            memory.clearFailures(key)
            return otherwise
        }
        let repeats = memory.recordFailure(key, reason: failure.reason.rawValue)
        let delay = jittered(settings.failureRetryInterval * min(5, pow(2, Double(min(repeats, 3)))))
        if case .requeue(let after) = otherwise, after < delay { return otherwise }
        return .requeue(after: delay)
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

/// The shared EvaluationGate's cap was full: no status change, a Warning event and a quick, jittered retry.
struct EvaluationUnavailable: Error {
    static let reason = "EvalUnavailable"
}

/// `seconds` spread by ±10 %, so retries of many snippets do not arrive together.
func jittered(_ seconds: TimeInterval) -> TimeInterval {
    seconds * Double.random(in: 0.9...1.1)
}

/// `spec.interval` in seconds within ``intervalRange``; nil when absent; a failure when it is no Go duration.
func requeueInterval(_ text: String?) throws(ReconcileFailure) -> TimeInterval? {
    guard let text else { return nil }
    guard let seconds = parseDuration(text) else {
        let shown = text.count > 64 ? "\(text.prefix(64))… (\(text.utf8.count) bytes)" : text
        throw ReconcileFailure(.invalidSpec, "spec.interval \(jsonStringLiteral(shown)) is not a duration such as 30s, 5m or 1h")
    }
    return min(max(seconds, intervalRange.lowerBound), intervalRange.upperBound)
}

/// `seconds` as whole milliseconds for a requeue delay: 0 for NaN or negative, at most a year (also for +∞).
func requeueMilliseconds(_ seconds: TimeInterval) -> Int64 {
    guard !seconds.isNaN, seconds > 0 else { return 0 }
    return Int64(min(seconds, 366 * 86_400) * 1000)
}
