import ArgumentParser

/// Flags and value spellings kept for the original's Helm chart, so its Deployment
/// args start this binary unchanged (issue 13).
struct CompatibilityOptions: ParsableArguments {
    @Option(help: "Deadline for receiving a whole request on the management server (Go duration; 0 = none).")
    var managementReadTimeout = "10s"

    @Option(help: "Deadline from a received request to the end of its response on the management server (Go duration; 0 = none).")
    var managementWriteTimeout = "10s"

    @Option(help: "Deadline for receiving a whole request on the storage server (Go duration; 0 = none).")
    var storageReadTimeout = "30s"

    @Option(help: "Deadline from a received request to the end of its response on the storage server (Go duration; 0 = none).")
    var storageWriteTimeout = "5m"
}

/// Go-style boolean flags: `--flag` alone means true, `--flag=true|false` sets it.
enum BooleanFlags {
    /// The boolean flags of `jaas`, without their dashes.
    static let names: Set<String> = Set([
        "enable-flux-integration", "no-cross-namespace-refs", "leader-election", "s3-use-ssl", "s3-anonymous",
        "enable-webhook",
    ]).union(MCPOptions.booleanFlags).union(UIOptions.booleanFlags).union(TracingFlags.booleanNames)

    /// `arguments` with each bare boolean flag written as `--flag=true`, so the parser
    /// sees one spelling. Arguments after `--` are left alone.
    static func normalize(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var rest = false
        for argument in arguments {
            if argument == "--" { rest = true }
            if !rest, argument.hasPrefix("--"), names.contains(String(argument.dropFirst(2))) {
                result.append(argument + "=true")
            } else {
                result.append(argument)
            }
        }
        return result
    }
}
