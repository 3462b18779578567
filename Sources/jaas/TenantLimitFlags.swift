import ArgumentParser
import GoFormats
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

    /// The budgets, checked (the rules are ``TenantBudgets``').
    func checked() throws -> TenantBudgets {
        try TenantBudgets(maxSourceDownloadBytes: maxSourceDownloadBytes, maxSourceExtractedBytes: maxSourceExtractedBytes,
                          maxEvaluationInputBytes: maxEvaluationInputBytes, maxRenderedBytes: maxRenderedBytes,
                          sourceIdleTimeout: sourceIdleTimeout, sourceDownloadTimeout: sourceDownloadTimeout,
                          reconcileTimeout: reconcileTimeout, reconcileWorkers: reconcileWorkers,
                          maxReconcilesPerNamespace: maxReconcilesPerNamespace)
    }
}
