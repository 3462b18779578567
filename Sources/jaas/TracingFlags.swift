import ArgumentParser
import JaaSRenderer
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

    /// The checked settings, or nil when tracing is off (the rules are ``TracingSettings``').
    func settings() throws -> TracingSettings? {
        try TracingSettings.fromFlags(endpoint: tracingEndpoint, insecure: tracingInsecure, sampleRatio: tracingSampleRatio)
    }

    /// Bootstraps the process-wide tracer (swift-otel, OTLP/gRPC, W3C trace context)
    /// and returns the service that batches and exports spans; run it with
    /// ``run(_:exporter:logger:)``.
    static func bootstrap(_ settings: TracingSettings, environment: [String: String], logger: Logger) throws -> any Service {
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
        return try OTel.bootstrap(configuration: configuration, environment: TracingSettings.refinements(of: environment))
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
