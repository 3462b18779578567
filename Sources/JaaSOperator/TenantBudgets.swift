import GoFormats

/// The operator's budgets on what tenants hand it: source downloads, archives, what
/// one evaluation may take in, how long a reconcile may take and how reconcile
/// capacity is shared across namespaces (docs/limits-and-security.md).
public struct TenantBudgets: Sendable {
    /// `--max-source-download-bytes`, `--max-source-extracted-bytes` and the source timeouts.
    public var fetcherLimits: SourceFetcher.Limits
    /// `--max-evaluation-input-bytes`.
    public var maxEvaluationInputBytes: Int
    /// `--max-rendered-bytes`, at most 1 GiB less a reply frame's framing.
    public var maxRenderedBytes: Int
    /// `--reconcile-timeout`.
    public var reconcileTimeout: Duration
    /// `--reconcile-workers`.
    public var workers: Int
    /// `--max-reconciles-per-namespace`; nil for the default (half the workers).
    public var maxPerNamespace: Int?

    /// The budgets the flags of the same names give, or the ``FlagError`` of the first
    /// value a rule refuses: sizes are positive, durations above 0 and at most 168h,
    /// 1 to 1024 workers, at most as many per namespace.
    public init(maxSourceDownloadBytes: String, maxSourceExtractedBytes: String, maxEvaluationInputBytes: String,
                maxRenderedBytes: String, sourceIdleTimeout: String, sourceDownloadTimeout: String,
                reconcileTimeout: String, reconcileWorkers: Int, maxReconcilesPerNamespace: Int) throws(FlagError) {
        var limits = SourceFetcher.Limits()
        limits.maxDownloadBytes = try Self.size(maxSourceDownloadBytes, "--max-source-download-bytes")
        limits.tar.maxTotalBytes = try Self.size(maxSourceExtractedBytes, "--max-source-extracted-bytes")
        limits.tar.maxEntryBytes = min(limits.tar.maxEntryBytes, limits.tar.maxTotalBytes)
        let idle = try Self.duration(sourceIdleTimeout, "--source-idle-timeout")
        limits.idleTimeout = .nanoseconds(Int64(clamping: idle.components.seconds) &* 1_000_000_000
                                          &+ idle.components.attoseconds / 1_000_000_000)
        limits.totalTimeout = try Self.duration(sourceDownloadTimeout, "--source-download-timeout")
        guard (1...1024).contains(reconcileWorkers) else {
            throw FlagError("--reconcile-workers \(reconcileWorkers): must be 1 to 1024")
        }
        guard (0...reconcileWorkers).contains(maxReconcilesPerNamespace) else {
            throw FlagError("--max-reconciles-per-namespace \(maxReconcilesPerNamespace): must be 0 to --reconcile-workers")
        }
        fetcherLimits = limits
        self.maxEvaluationInputBytes = try Self.size(maxEvaluationInputBytes, "--max-evaluation-input-bytes")
        self.maxRenderedBytes = min(try Self.size(maxRenderedBytes, "--max-rendered-bytes"), 1 << 30 - 64)
        self.reconcileTimeout = try Self.duration(reconcileTimeout, "--reconcile-timeout")
        workers = reconcileWorkers
        maxPerNamespace = maxReconcilesPerNamespace == 0 ? nil : maxReconcilesPerNamespace
    }

    private static func size(_ text: String, _ flag: String) throws(FlagError) -> Int {
        guard let bytes = FlagValues.byteSize(text), bytes > 0 else {
            throw FlagError("\(flag) \(text): must be a positive size such as 64Mi or 1Gi")
        }
        return bytes
    }

    private static func duration(_ text: String, _ flag: String) throws(FlagError) -> Duration {
        guard let value = FlagValues.duration(text), value > .zero, value <= .seconds(86_400 * 7) else {
            throw FlagError("\(flag) \(text): must be a duration above 0 and at most 168h, such as 30s or 5m")
        }
        return value
    }
}
