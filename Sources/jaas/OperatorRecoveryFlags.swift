import ArgumentParser

/// Operator flags for self-healing retries and the source SSRF guard (docs/limits-and-security.md, "Address policy").
struct OperatorRecoveryFlags: ParsableArguments {
    @Option(help: "How often failures another object can fix (RBACDenied, ServiceAccountMissing, SourceNotReady, LibraryNotFound, StorageFailed, SourceFetchFailed) are retried; jittered, backing off to 5x on repeats (Go duration).")
    var failureRetryInterval = "1m"

    @Flag(help: "Let source artifact URLs on 127.0.0.0/8 and ::1 through the SSRF guard (local development and tests only).")
    var allowLoopbackSources = false
}
