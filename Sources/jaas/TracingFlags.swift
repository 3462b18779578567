import ArgumentParser
import Logging
import OTel
import ServiceLifecycle

/// The OTLP tracing flags (docs/tracing.md): off unless `--tracing-endpoint` is set.
struct TracingFlags: ParsableArguments {
    @Option(help: "host:port of an OTLP/gRPC collector spans are sent to (empty = tracing off).")
    var tracingEndpoint = ""

    @Option(help: "Send spans over plaintext gRPC instead of TLS (bare, or =true/false).")
    var tracingInsecure = "false"

    @Option(help: "Fraction of new traces sampled, 0 to 1; a request's W3C traceparent decision wins.")
    var tracingSampleRatio = 1.0

    /// The boolean flags among these, for ``BooleanFlags/normalize(_:)``.
    static let booleanNames: Set<String> = ["tracing-insecure"]

    /// What the flags mean once checked.
    struct Settings: Equatable {
        /// `http://host:port` (plaintext) or `https://host:port` (TLS).
        var endpointURL: String
        var sampleRatio: Double
    }

    /// The checked settings, or nil when tracing is off.
    func settings() throws -> Settings? {
        guard let insecure = FlagValues.boolean(tracingInsecure) else {
            throw ValidationError("--tracing-insecure \(tracingInsecure): must be true or false")
        }
        guard (0.0...1.0).contains(tracingSampleRatio) else {
            throw ValidationError("--tracing-sample-ratio \(tracingSampleRatio): must be between 0 and 1")
        }
        guard !tracingEndpoint.isEmpty else { return nil }
        guard let address = Self.hostAndPort(tracingEndpoint) else {
            throw ValidationError("--tracing-endpoint \(tracingEndpoint): must be host:port, without a scheme")
        }
        let (host, port) = address
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return Settings(endpointURL: (insecure ? "http://" : "https://") + authority, sampleRatio: tracingSampleRatio)
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
    static func refinements(of environment: [String: String]) -> [String: String] {
        environment.filter { name, _ in
            if ["OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"].contains(name) || name.hasPrefix("OTEL_BSP_") { return true }
            guard name.hasPrefix("OTEL_EXPORTER_OTLP_"), !name.hasPrefix("OTEL_EXPORTER_OTLP_METRICS_"),
                  !name.hasPrefix("OTEL_EXPORTER_OTLP_LOGS_") else { return false }
            return !["ENDPOINT", "PROTOCOL", "INSECURE"].contains { name.hasSuffix($0) }
        }
    }

    /// Bootstraps the process-wide tracer (swift-otel, OTLP/gRPC, W3C trace context)
    /// and returns the service that batches and exports spans; run it with
    /// ``run(_:exporter:logger:)``.
    static func bootstrap(_ settings: Settings, environment: [String: String], logger: Logger) throws -> any Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "jaas"
        configuration.resourceAttributes = ["service.version": BuildInfo.version]
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .grpc
        configuration.traces.otlpExporter.endpoint = settings.endpointURL
        guard let sampler = OTel.Configuration.TracesConfiguration.SamplerConfiguration
            .parentBasedTraceIDRatio(ratio: settings.sampleRatio) else {
            throw ValidationError("--tracing-sample-ratio \(settings.sampleRatio): must be between 0 and 1")
        }
        configuration.traces.sampler = sampler
        return try OTel.bootstrap(configuration: configuration, environment: refinements(of: environment))
    }

    /// Runs `group` (the process's services). With an exporter, `group` runs inside an
    /// outer group that takes the shutdown signals and stops the exporter only after
    /// `group` has ended, however it ended, so the spans ended on the way out are
    /// flushed too.
    static func run(_ group: ServiceGroup, exporter: (any Service)?, logger: Logger) async throws {
        guard let exporter else { return try await group.run() }
        let outer = ServiceGroup(configuration: .init(
            services: [
                .init(service: exporter),
                .init(service: group, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await outer.run()
    }
}
