import GoFormats

/// What the OTLP tracing flags mean once checked (docs/tracing.md): where spans go
/// and how many traces are sampled. Exporting is the `jaas` executable's (swift-otel).
public struct TracingSettings: Sendable, Equatable {
    /// `http://host:port` (plaintext) or `https://host:port` (TLS).
    public var endpointURL: String
    /// The fraction of new traces sampled, 0 to 1.
    public var sampleRatio: Double

    /// The settings `--tracing-endpoint`, `--tracing-insecure` and `--tracing-sample-ratio`
    /// give; nil when tracing is off (no endpoint). Throws the ``GoFormats/FlagError`` of
    /// the first value a rule refuses.
    public static func fromFlags(endpoint: String, insecure: String, sampleRatio: Double) throws(FlagError) -> TracingSettings? {
        let plaintext = try FlagValues.checkedBoolean(insecure, "--tracing-insecure")
        guard (0.0...1.0).contains(sampleRatio) else {
            throw FlagError("--tracing-sample-ratio \(sampleRatio): must be between 0 and 1")
        }
        guard !endpoint.isEmpty else { return nil }
        guard let address = hostAndPort(endpoint) else {
            throw FlagError("--tracing-endpoint \(endpoint): must be host:port, without a scheme")
        }
        let (host, port) = address
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return TracingSettings(endpointURL: (plaintext ? "http://" : "https://") + authority, sampleRatio: sampleRatio)
    }

    /// `host:port` or `[v6]:port` with a host name or address (letters, digits, `.`,
    /// `-`, `_`, and `:` inside brackets) and a port of 1 to 65535: nothing that would
    /// change the URL's meaning (scheme, path, query, user info).
    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard text.first != ":", let address = FlagValues.hostAndPort(text), address.port > 0, !address.host.isEmpty,
              address.host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-:".contains($0)) })
        else { return nil }
        // An unbracketed host with a colon (`a::1:4317`) is ambiguous.
        if address.host.contains(":") && !text.hasPrefix("[") { return nil }
        return (address.host, address.port)
    }

    /// The OTel environment variables that may refine the flags (service name,
    /// resource attributes, exporter headers, certificates, timeout, compression,
    /// batching). Endpoint, protocol, sampler and the other signals come from the
    /// flags alone.
    public static func refinements(of environment: [String: String]) -> [String: String] {
        environment.filter { name, _ in
            if ["OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"].contains(name) || name.hasPrefix("OTEL_BSP_") { return true }
            guard name.hasPrefix("OTEL_EXPORTER_OTLP_"), !name.hasPrefix("OTEL_EXPORTER_OTLP_METRICS_"),
                  !name.hasPrefix("OTEL_EXPORTER_OTLP_LOGS_") else { return false }
            return !["ENDPOINT", "PROTOCOL", "INSECURE"].contains { name.hasSuffix($0) }
        }
    }
}
