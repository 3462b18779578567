import Prometheus
import Synchronization

/// The operator's Prometheus metrics (docs/operator/metrics.md), served with the renderer's at
/// `--metrics-bind-address`. The `jaas_eval_*` series come from the shared
/// EvaluationGate and are exported by the renderer's metrics.
public final class OperatorMetrics: Sendable {
    /// The registry; other operator parts may register their own series here.
    public let registry = PrometheusCollectorRegistry()
    private let renderedBytes: ValueHistogram
    private let duration: DurationHistogram
    private let rateLimited: Counter
    private let forceDrops: Counter
    private let workqueueDepth: Gauge
    private let sweepFailures: Counter
    private let tokenMintFailures: Counter
    /// `jaas_snippet_reconcile_total` series by snippet, so a deleted snippet's go with it.
    private let reconciles = Mutex<[String: [Counter]]>([:])
    private let depth = Mutex<(@Sendable () -> Int)?>(nil)

    /// 1 KiB to 64 MiB, by fours.
    private static let byteBuckets: [Double] = [1024, 4096, 16384, 65536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864]

    /// Registers every series that has no labels, at zero.
    public init() {
        renderedBytes = registry.makeValueHistogram(
            descriptor: describe("jaas_snippet_rendered_bytes", "Content size of each published artifact, in bytes."),
            buckets: Self.byteBuckets)
        duration = registry.makeDurationHistogram(
            descriptor: describe("jaas_snippet_reconcile_duration_seconds", "Time one snippet reconcile took."),
            buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                      .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60)])
        rateLimited = registry.makeCounter(descriptor: describe("jaas_snippet_rate_limited_total", "Reconciles postponed by the per-snippet re-render rate limit."))
        forceDrops = registry.makeCounter(descriptor: describe("jaas_snippet_force_drop_total", "Deleted snippets whose finalizer was dropped without withdrawing the ExternalArtifact."))
        workqueueDepth = registry.makeGauge(descriptor: describe("jaas_workqueue_depth", "Snippets waiting in the work queue."))
        sweepFailures = registry.makeCounter(descriptor: describe("jaas_storage_sweep_failures_total", "Stored files (revisions past their grace, stale .tmp files) that could not be removed."))
        tokenMintFailures = registry.makeCounter(descriptor: describe("jaas_tenant_token_mint_failures_total", "TokenRequests for tenant ServiceAccounts that failed."))
    }

    /// Counts one finished reconcile of `namespace/name` with outcome `status`
    /// (`success` or `failure`) and `reason` (a Ready reason, `EvalUnavailable` or `Error`).
    public func countReconcile(namespace: String, name: String, status: String, reason: String, duration elapsed: Duration) {
        let counter = registry.makeCounter(
            descriptor: describe("jaas_snippet_reconcile_total", "Snippet reconciles by outcome and Ready reason."),
            labels: [("namespace", namespace), ("name", name), ("status", status), ("reason", reason)])
        counter.increment()
        reconciles.withLock { series in
            let key = "\(namespace)/\(name)"
            if !(series[key] ?? []).contains(where: { $0 === counter }) { series[key, default: []].append(counter) }
        }
        duration.record(elapsed)
    }

    /// Drops the per-snippet series of a snippet that is gone.
    public func forget(namespace: String, name: String) {
        let counters = reconciles.withLock { $0.removeValue(forKey: "\(namespace)/\(name)") } ?? []
        for counter in counters { registry.unregisterCounter(counter) }
    }

    /// Records the content size of a published artifact.
    public func recordRendered(bytes: Int) { renderedBytes.record(Double(bytes)) }
    /// Counts a reconcile postponed by the re-render rate limit.
    public func countRateLimited() { rateLimited.increment() }
    /// Counts a finalizer dropped after `--max-withdraw-wait`.
    public func countForceDrop() { forceDrops.increment() }
    /// Registers `jaas_leader` and returns its setter: 1 on the replica that holds the
    /// operator's Lease and reconciles, 0 elsewhere.
    public func makeLeaderGauge() -> @Sendable (Bool) -> Void {
        let gauge = registry.makeGauge(
            descriptor: describe("jaas_leader", "1 on the replica that holds the operator's Lease and reconciles, 0 elsewhere."))
        return { gauge.set(Int64($0 ? 1 : 0)) }
    }

    /// Counts files the storage sweep or the garbage collector failed to remove.
    public func countSweepFailures(_ n: Int = 1) { if n > 0 { sweepFailures.increment(by: Int64(n)) } }
    /// Counts a failed TokenRequest.
    public func countTokenMintFailure() { tokenMintFailures.increment() }

    /// Sets where `jaas_workqueue_depth` is read from at each scrape.
    public func observeQueueDepth(_ provider: @escaping @Sendable () -> Int) {
        depth.withLock { $0 = provider }
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] {
        if let provider = depth.withLock({ $0 }) { workqueueDepth.set(Int64(provider())) }
        return registry.emitToBuffer()
    }
}

/// A metric's full name and help text.
private func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
}
