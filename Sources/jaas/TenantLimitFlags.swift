import ArgumentParser
import JaaSOperator

/// The operator's budgets on what tenants hand it: source downloads, archives,
/// what one evaluation may take in, how long a reconcile may take and how
/// reconcile capacity is shared across namespaces (docs/limits-and-security.md).
struct TenantLimitFlags: ParsableArguments {
    @Option(help: "Largest source artifact download (compressed): bytes or a Ki, Mi or Gi multiple.")
    var maxSourceDownloadBytes = "64Mi"

    @Option(help: "Largest extracted source archive, links counted as the bytes they stand for: bytes or Ki, Mi, Gi.")
    var maxSourceExtractedBytes = "64Mi"

    @Option(help: "What one evaluation may take in: its source tree plus every library tree (bytes or Ki, Mi, Gi).")
    var maxEvaluationInputBytes = "64Mi"

    @Option(help: "Largest rendered output of one snippet (bytes or Ki, Mi, Gi); a larger one is never read in.")
    var maxRenderedBytes = "32Mi"

    @Option(help: "A source download fails when no byte arrives for this long (Go duration).")
    var sourceIdleTimeout = "30s"

    @Option(help: "A source download fails when it takes longer than this in all, redirects included (Go duration).")
    var sourceDownloadTimeout = "5m"

    @Option(help: "A reconcile still running after this long is cancelled and retried with backoff (Go duration).")
    var reconcileTimeout = "10m"

    @Option(help: "Snippets reconciled at once.")
    var reconcileWorkers = 4

    @Option(help: "Snippets of one namespace reconciled at once (0 = half of --reconcile-workers, at least 1).")
    var maxReconcilesPerNamespace = 0

    /// What the flags mean once checked.
    struct Checked {
        var fetcherLimits: SourceFetcher.Limits
        var maxEvaluationInputBytes: Int
        var maxRenderedBytes: Int
        var reconcileTimeout: Duration
        var workers: Int
        var maxPerNamespace: Int?
    }

    func checked() throws -> Checked {
        var limits = SourceFetcher.Limits()
        limits.maxDownloadBytes = try size(maxSourceDownloadBytes, "--max-source-download-bytes")
        limits.tar.maxTotalBytes = try size(maxSourceExtractedBytes, "--max-source-extracted-bytes")
        limits.tar.maxEntryBytes = min(limits.tar.maxEntryBytes, limits.tar.maxTotalBytes)
        let idle = try duration(sourceIdleTimeout, "--source-idle-timeout")
        limits.idleTimeout = .nanoseconds(Int64(clamping: idle.components.seconds) &* 1_000_000_000
                                          &+ idle.components.attoseconds / 1_000_000_000)
        limits.totalTimeout = try duration(sourceDownloadTimeout, "--source-download-timeout")
        guard (1...1024).contains(reconcileWorkers) else {
            throw ValidationError("--reconcile-workers \(reconcileWorkers): must be 1 to 1024")
        }
        guard (0...reconcileWorkers).contains(maxReconcilesPerNamespace) else {
            throw ValidationError("--max-reconciles-per-namespace \(maxReconcilesPerNamespace): must be 0 to --reconcile-workers")
        }
        return Checked(fetcherLimits: limits,
                       maxEvaluationInputBytes: try size(maxEvaluationInputBytes, "--max-evaluation-input-bytes"),
                       maxRenderedBytes: min(try size(maxRenderedBytes, "--max-rendered-bytes"), 1 << 30 - 64),
                       reconcileTimeout: try duration(reconcileTimeout, "--reconcile-timeout"),
                       workers: reconcileWorkers,
                       maxPerNamespace: maxReconcilesPerNamespace == 0 ? nil : maxReconcilesPerNamespace)
    }

    private func size(_ text: String, _ flag: String) throws -> Int {
        guard let bytes = FlagValues.byteSize(text), bytes > 0 else {
            throw ValidationError("\(flag) \(text): must be a positive size such as 64Mi or 1Gi")
        }
        return bytes
    }

    private func duration(_ text: String, _ flag: String) throws -> Duration {
        guard let value = FlagValues.duration(text), value > .zero, value <= .seconds(86_400 * 7) else {
            throw ValidationError("\(flag) \(text): must be a duration above 0 and at most 168h, such as 30s or 5m")
        }
        return value
    }
}
