import TestSupport
import Testing

/// The `jaas` executable's flags: each bad value exits 2 with one line naming the
/// flag, each good spelling is accepted. Run against the built binary, one at a time.
@Suite(.serialized) struct FlagTests {}

/// Runs the built `jaas` to completion: (exit status, stdout, stderr).
func runJaaS(_ arguments: [String]) async throws -> (Int32, String, String) {
    try await BuiltProducts.run("jaas", arguments)
}
