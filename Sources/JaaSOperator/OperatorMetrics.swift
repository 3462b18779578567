import Prometheus
import Synchronization

/// The operator's Prometheus metrics (docs/operator/metrics.md), served with the renderer's at
/// `--metrics-bind-address`: the `jaas_*` series of the original operator (same names,
/// types, labels and buckets), our own extra series, and the standard controller,
/// work-queue, leader-election, REST-client and process series (`controller`). The
/// `jaas_eval_*` series come from the shared EvaluationGate and are exported by the
/// renderer's metrics. docs/operator/metrics.md lists every series.
public final class OperatorMetrics: Sendable {
    /// The registry; other operator parts may register their own series here.
    public let registry = PrometheusCollectorRegistry()
    /// The snippet controller's standard series (`controller_runtime_*`, `workqueue_*`, …).
    public let controller: ControllerMetrics
    private let duration: DurationHistogram
    private let workqueueDepth: Gauge
    private let sweepFailures: Counter
    private let webhookRenewalFailures: Counter
    /// Per-snippet series, by `namespace/name`, so a deleted snippet's go with it.
    private let perSnippet = Mutex<[String: PerSnippet]>([:])
    private let depth = Mutex<(@Sendable () -> Int)?>(nil)

    private struct PerSnippet {
        var counters: [Counter] = []
        var histograms: [ValueHistogram] = []
    }

    /// 256 B to 64 MiB, by fours (the original's buckets).
    static let byteBuckets: [Double] = [256, 1024, 4096, 16384, 65536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864]

    /// Registers every series that has no labels, at zero.
    public init() {
        controller = ControllerMetrics(registry: registry)
        duration = registry.makeDurationHistogram(
            descriptor: describe("jaas_snippet_reconcile_duration_seconds", "Time one snippet reconcile took."),
            buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                      .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60)])
        workqueueDepth = registry.makeGauge(descriptor: describe("jaas_workqueue_depth", "Snippets waiting in the work queue."))
        sweepFailures = registry.makeCounter(descriptor: describe("jaas_storage_sweep_failures_total", "Stored files (revisions past their grace, stale .tmp files) that could not be removed."))
        webhookRenewalFailures = registry.makeCounter(descriptor: describe("jaas_webhook_cert_renewal_failures_total", "Failed renewals of the webhook's self-signed serving certificate."))
    }

    /// The Ready condition's status for a reconcile outcome: `True` only for a
    /// published (Synced) snippet; a suspended one is Ready `False`.
    static func readyStatus(outcome: String, reason: String) -> String {
        outcome == "success" && reason != ReadyReason.suspended.rawValue ? "True" : "False"
    }

    /// Counts one finished reconcile of `namespace/name` with outcome `status`
    /// (`success` or `failure`) and `reason` (a Ready reason, `EvalUnavailable` or `Error`):
    /// `jaas_snippet_reconcile_total` carries the Ready status (`True`/`False`).
    public func countReconcile(namespace: String, name: String, status: String, reason: String, duration elapsed: Duration) {
        increment("jaas_snippet_reconcile_total", "Snippet reconciles by Ready status and reason.",
                  [("namespace", namespace), ("name", name),
                   ("status", Self.readyStatus(outcome: status, reason: reason)), ("reason", reason)])
        if reason == EvaluationUnavailable.reason {
            increment("jaas_snippet_eval_unavailable_total", "Reconciles of the snippet that found every evaluation slot busy.",
                      [("namespace", namespace), ("name", name)])
        }
        duration.record(elapsed)
    }

    /// Increments the labelled counter, remembering it under its snippet when it has one.
    private func increment(_ metric: String, _ help: String, _ labels: [(String, String)]) {
        let counter = registry.makeCounter(descriptor: describe(metric, help), labels: labels)
        counter.increment()
        guard let namespace = labels.first(where: { $0.0 == "namespace" })?.1,
              let name = labels.first(where: { $0.0 == "name" })?.1 else { return }
        perSnippet.withLock { series in
            let key = "\(namespace)/\(name)"
            if !(series[key]?.counters ?? []).contains(where: { $0 === counter }) { series[key, default: .init()].counters.append(counter) }
        }
    }

    /// Drops the per-snippet series of a snippet that is gone.
    public func forget(namespace: String, name: String) {
        let gone = perSnippet.withLock { $0.removeValue(forKey: "\(namespace)/\(name)") } ?? .init()
        for counter in gone.counters { registry.unregisterCounter(counter) }
        for histogram in gone.histograms { registry.unregisterValueHistogram(histogram) }
    }

    /// Records the content size of an artifact published for `namespace/name`.
    public func recordRendered(namespace: String, name: String, bytes: Int) {
        let histogram = registry.makeValueHistogram(
            descriptor: describe("jaas_snippet_rendered_bytes", "Content size of each published artifact, in bytes."),
            labels: [("namespace", namespace), ("name", name)], buckets: Self.byteBuckets)
        histogram.record(Double(bytes))
        perSnippet.withLock { series in
            let key = "\(namespace)/\(name)"
            if !(series[key]?.histograms ?? []).contains(where: { $0 === histogram }) { series[key, default: .init()].histograms.append(histogram) }
        }
    }

    /// Counts a reconcile of `namespace/name` postponed by the re-render rate limit.
    public func countRateLimited(namespace: String, name: String) {
        increment("jaas_snippet_rate_limited_total", "Reconciles postponed by the per-snippet re-render rate limit.",
                  [("namespace", namespace), ("name", name)])
    }

    /// Counts a finalizer of `namespace/name` dropped without withdrawing the ExternalArtifact
    /// (`reason`: why, e.g. `WithdrawTimeout`).
    public func countForceDrop(namespace: String, name: String, reason: String) {
        let counter = registry.makeCounter(
            descriptor: describe("jaas_snippet_force_drop_total", "Deleted snippets whose finalizer was dropped without withdrawing the ExternalArtifact."),
            labels: [("namespace", namespace), ("name", name), ("reason", reason)])
        counter.increment()
    }

    /// Registers `jaas_leader` and `leader_election_master_status{name=lease}` and returns
    /// their setter: 1 on the replica that holds the operator's Lease and reconciles, 0 elsewhere.
    public func makeLeaderGauge(lease: String = "jaas-operator") -> @Sendable (Bool) -> Void {
        let gauge = registry.makeGauge(
            descriptor: describe("jaas_leader", "1 on the replica that holds the operator's Lease and reconciles, 0 elsewhere."))
        let standard = registry.makeGauge(
            descriptor: describe("leader_election_master_status", "1 while this replica leads the named election, 0 otherwise."),
            labels: [("name", lease)])
        return {
            gauge.set(Int64($0 ? 1 : 0))
            standard.set(Int64($0 ? 1 : 0))
        }
    }

    /// Counts files the storage sweep or the garbage collector failed to remove.
    public func countSweepFailures(_ n: Int = 1) { if n > 0 { sweepFailures.increment(by: Int64(n)) } }
    /// Counts a failed TokenRequest for `namespace/serviceAccount`.
    public func countTokenMintFailure(namespace: String, serviceAccount: String) {
        registry.makeCounter(
            descriptor: describe("jaas_tenant_token_mint_failures_total", "TokenRequests for tenant ServiceAccounts that failed."),
            labels: [("namespace", namespace), ("serviceAccount", serviceAccount)]).increment()
    }
    /// Counts a failed renewal of the webhook's serving certificate.
    public func countWebhookCertRenewalFailure() { webhookRenewalFailures.increment() }
    /// Counts a watch on a kind (`group/version, Kind=…`) that could not be engaged (its CRD missing or refused).
    public func countCRDWatchEngagementFailure(gvk: String) {
        registry.makeCounter(
            descriptor: describe("jaas_crd_watch_engagement_failures_total", "Watches on a custom resource kind that could not be engaged."),
            labels: [("gvk", gvk)]).increment()
    }

    /// Sets where `jaas_workqueue_depth` (and `workqueue_depth`) is read from at each scrape.
    public func observeQueueDepth(_ provider: @escaping @Sendable () -> Int) {
        depth.withLock { $0 = provider }
    }

    /// The Prometheus text exposition.
    public func exposition() -> [UInt8] {
        let queued = depth.withLock({ $0 }).map { $0() }
        if let queued { workqueueDepth.set(Int64(queued)) }
        controller.refresh(depth: queued ?? 0)
        return registry.emitToBuffer() + ProcessMetrics.exposition()
    }
}

/// A metric's full name and help text.
func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
}
