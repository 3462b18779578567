import Foundation
import JaaSArtifacts
import JaaSCore
import Kubernetes

/// What the operator needs to know about its environment.
public struct OperatorSettings: Sendable {
    /// Where artifacts go (`--storage-backend`).
    public var storage: any ArtifactStorage
    /// `--storage-base-url`: artifact URLs are `<base>/<ns>/<name>/<hex>.tar.gz`.
    public var storageBaseURL: String
    /// `--default-service-account`.
    public var defaultServiceAccount: String?
    /// The renderer.
    public var renderer: SnippetRenderer
    /// `--artifact-gc-grace`: how long a revision is kept after it left `status.history`.
    public var gcGrace: TimeInterval
    /// `--max-withdraw-wait`.
    public var maxWithdrawWait: TimeInterval
    /// `--failure-retry-interval`: failures another object can fix are retried this
    /// often (jittered, backing off to 5× on repeats).
    public var failureRetryInterval: TimeInterval = 60
    /// `--no-cross-namespace-refs`: reject sources in other namespaces.
    public var noCrossNamespaceRefs = true
    /// Downloads Flux source artifacts.
    public var fetcher = SourceFetcher()
    /// `--max-evaluation-input-bytes`: what one evaluation may take in, its source
    /// tree plus every library tree (paths and contents, links counted as copies).
    public var maxEvaluationInputBytes = 64 << 20
    /// `--reconcile-timeout`: the most one reconcile may take before it is cancelled.
    public var reconcileTimeout: Duration = .seconds(600)
    /// The top-level directories of every `--library-path`, read at start-up, by alias.
    public var libraryPathAliases: [String: FileTree] = [:]
    /// The evaluation gate shared with the renderer (`--max-concurrent-evals`); nil = no cap.
    public var gate: EvaluationGate?
    /// `--runbook-base-url`: failing Ready messages link `<base>/<reason>/` (empty: no links).
    public var runbookBaseURL = RunbookLinks.defaultBase
    /// Where the operator's metrics are recorded.
    public var metrics = OperatorMetrics()
    /// With leader election: holds while this replica's Lease is renewed in time;
    /// every leader-only write checks it first (nil: no election, always allowed).
    public var leaderFence: LeaderFence?

    /// Creates one from the given values.
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
