#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import JaaSAdmission
import JaaSArtifacts
import JaaSCore
import JaaSLogging
import JaaSOperator
import JaaSRenderer
import Jsonnet
import Logging
import ServiceLifecycle

/// `jaas`: renders Jsonnet snippets over HTTP.
@main
struct JaaS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jaas",
        abstract: "Jsonnet as a Service: renders Jsonnet snippets to JSON over HTTP.",
        discussion: "`jaas mcp` serves the MCP tools render_jsonnet and validate_jsonnet over stdin and stdout instead (docs/mcp.md).",
        version: BuildInfo.text)

    @Option(help: "Address the rendering server listens on.")
    var listenAddress = "127.0.0.1"

    @Option(help: "Port of the rendering server (0 picks a free port).")
    var port = 8080

    @Option(help: "Path segment(s) of the rendering endpoint: GET /<path>/<snippet>.")
    var jsonnetEndpointPath = "jsonnet"

    @Option(name: .customLong("snippet"),
            help: "A snippet file, served under its own path (repeatable).")
    var snippets: [String] = []

    @Option(name: .customLong("snippet-directory"),
            help: "A directory whose <name>/main.jsonnet files are served as <name> (repeatable; first match wins).")
    var snippetDirectories: [String] = []

    @Option(name: .customLong("library-path"),
            help: "An import search directory (repeatable; the right-most matching directory wins).")
    var libraryPaths: [String] = []

    @Option(name: .customLong("ext-var"),
            help: "External variable KEY=VALUE for std.extVar (repeatable; wins over JAAS_EXT_VAR_KEY).")
    var extVars: [String] = []

    @Option(help: "Stop an evaluation after this long and answer 504 (Go duration; 0 = no limit).")
    var evaluationTimeout = "5s"

    @Option(help: "Maximum Jsonnet stack depth (0 = the engine default, 500).")
    var maxStack = 500

    @OptionGroup var evaluation: EvaluationFlags

    @Option(help: "Evaluations allowed at once; more are answered 503 (0 = no cap; default max(cores*4, 16)).")
    var maxConcurrentEvals = RendererConfiguration.defaultMaxConcurrentEvaluations

    @Option(help: "Rendered outputs kept in the render cache (0 = no cache).")
    var renderCacheMaxEntries = 1024

    @Option(help: "Bytes of rendered output kept in the render cache (0 = no cache).")
    var renderCacheMaxBytes = 64 << 20

    @Option(help: "Address the management (probe) server listens on.")
    var managementListenAddress = "127.0.0.1"

    @Option(help: "Port of the management server: /live, /start, /ready (0 picks a free port).")
    var managementPort = 8081

    @Option(help: "host:port of the Prometheus /metrics server (':port' = every interface; 0 = off).")
    var metricsBindAddress = ":8083"

    @Option(help: "On SIGTERM, time between turning not-ready and draining (Go duration).")
    var shutdownDelay = "5s"

    @Option(help: "Deadline for receiving a whole request; also closes idle connections (Go duration; 0 = none).")
    var readTimeout = "10s"

    @Option(help: "Deadline from a received request to the end of its response (Go duration; 0 = none).")
    var writeTimeout = "10s"

    @Option(help: "Lowest level logged: debug, info, warn or error.")
    var logLevel = "info"

    @Option(help: "Log line format on stdout (Go slog shapes): json or text.")
    var logFormat = "json"

    @Option(help: "Also run the operator: watch JsonnetSnippets, publish artifacts and ExternalArtifacts (bare, or =true/false).")
    var enableFluxIntegration = "false"

    @Option(help: "kubeconfig file (else KUBECONFIG, else in-cluster credentials).")
    var kubeconfig: String?

    @Option(help: "Artifact storage: local (--storage-path) or s3 (--s3-*).")
    var storageBackend = "local"

    @Option(help: "Directory artifacts are stored in (operator mode with --storage-backend local; required).")
    var storagePath: String?

    @Option(help: "Base URL artifacts are served from, as written into ExternalArtifacts (operator mode; required).")
    var storageBaseUrl: String?

    @Option(help: "Address the storage server listens on.")
    var storageListenAddress = "0.0.0.0"

    @Option(help: "Port of the storage server (0 picks a free port).")
    var storagePort = 8082

    @Option(help: "ServiceAccount used for snippets that name none.")
    var defaultServiceAccount: String?

    @Option(help: "Comma-separated namespaces to watch (else JAAS_WATCH_NAMESPACES, else all).")
    var watchNamespaces: String?

    @Option(help: "Only reconcile snippets matching this label selector.")
    var labelSelector: String?

    @Option(help: "Cap on a rendered artifact's content size in bytes (0 = off).")
    var maxArtifactBytes = 0

    @Option(help: "How long revisions that left a snippet's history are kept (Go duration).")
    var artifactGcGrace = "5m"

    @Option(help: "How long a deleted snippet waits for its artifacts to be withdrawn (Go duration).")
    var maxWithdrawWait = "1h"

    @Option(help: "How often stale .tmp files are swept from the storage directory (Go duration; 0 = never).")
    var storageSweepInterval = "10m"

    @Option(help: "Age after which a .tmp file in the storage directory is stale (Go duration).")
    var storageSweepMaxTmpAge = "30m"

    @Option(help: "Base URL of the runbooks linked from failing Ready messages (<base>/<reason>/; empty = no links).")
    var runbookBaseURL = RunbookLinks.defaultBase

    @Option(help: "Reject sources and libraries in other namespaces (bare, or =true/false).")
    var noCrossNamespaceRefs = "true"

    @Option(help: "Re-renders allowed per snippet: N/s, N/min or N/h (a bare N is per minute).")
    var rerenderRate = "60/min"

    @Option(help: "Re-renders a snippet may make in a burst.")
    var rerenderBurst = 120.0

    @OptionGroup var compatibility: CompatibilityOptions

    @OptionGroup var recovery: OperatorRecoveryFlags

    @OptionGroup(title: "Tenant budgets")
    var tenantLimits: TenantLimitFlags

    @OptionGroup(title: "Replication")
    var ha: HAOptions

    @OptionGroup(title: "MCP")
    var mcp: MCPOptions

    @OptionGroup(title: "Admission webhook")
    var webhook: WebhookOptions

    @OptionGroup(title: "Tracing")
    var tracing: TracingFlags

    /// What the flags mean once checked.
    private struct Checked {
        var renderer: RendererConfiguration
        var operatorConfiguration: OperatorConfiguration?
        var level: Logger.Level
        var format: LogFormat
        var mcp: MCPOptions.Checked?
    }

    mutating func validate() throws {
        _ = try checked()
    }

    private func checked() throws -> Checked {
        guard let level = Self.levels[logLevel] else {
            throw ValidationError("--log-level \(logLevel): must be debug, info, warn or error")
        }
        guard let format = LogFormat(rawValue: logFormat) else {
            throw ValidationError("--log-format \(logFormat): must be json or text")
        }
        let renderer = try rendererConfiguration(environment: currentEnvironment())
        do {
            _ = try SnippetResolver(snippetFiles: renderer.snippetFiles,
                                    snippetDirectories: renderer.snippetDirectories)
        } catch {
            throw ValidationError(error.description)
        }
        let enabled = try Self.check(FlagValues.boolean(enableFluxIntegration), "--enable-flux-integration",
                                     enableFluxIntegration, "must be true or false")
        _ = try Self.check(FlagValues.boolean(noCrossNamespaceRefs), "--no-cross-namespace-refs", noCrossNamespaceRefs,
                           "must be true or false")
        _ = try tracing.settings()
        var operatorConfiguration = enabled ? try checkedOperator(environment: currentEnvironment()) : nil
        let mcpSettings = try mcp.checked(operatorMode: enabled)
        // Checked in renderer mode too, where --enable-webhook is refused.
        let webhookSettings = try webhook.settings(operatorMode: enabled, environment: currentEnvironment())
        operatorConfiguration?.webhook = webhookSettings
        return Checked(renderer: renderer, operatorConfiguration: operatorConfiguration, level: level, format: format,
                       mcp: mcpSettings)
    }

    private func checkedOperator(environment: [String: String]) throws -> OperatorConfiguration {
        guard let base = storageBaseUrl, base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ValidationError("--storage-base-url: required with --enable-flux-integration (an http(s) URL)")
        }
        let storage: any ArtifactStorage
        var local: LocalStorage?
        switch storageBackend {
        case "local":
            guard let path = storagePath, !path.isEmpty else {
                throw ValidationError("--storage-path: required with --enable-flux-integration")
            }
            do {
                local = try LocalStorage(root: path)
            } catch {
                throw ValidationError("--storage-path \(path): \(error)")
            }
            storage = local!
        case "s3":
            storage = try ha.s3Storage(environment: environment)
        default:
            throw ValidationError("--storage-backend \(storageBackend): must be local or s3")
        }
        let namespaces = (watchNamespaces ?? environment["JAAS_WATCH_NAMESPACES"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let port = try Self.check(FlagValues.port(storagePort), "--storage-port", storagePort, "must be 0 to 65535")
        let maxBytes = try Self.check(maxArtifactBytes >= 0 ? maxArtifactBytes : nil, "--max-artifact-bytes",
                                      maxArtifactBytes, "must not be negative")
        let rate = try Self.check(FlagValues.ratePerMinute(rerenderRate), "--rerender-rate", rerenderRate,
                                  "must be a positive rate such as 60/min, 2/s or 100/h")
        let burst = try Self.check(rerenderBurst >= 1 ? rerenderBurst : nil, "--rerender-burst", rerenderBurst,
                                   "must be at least 1")
        let sweep = try Self.duration(storageSweepInterval, "--storage-sweep-interval")
        let budgets = try tenantLimits.checked()
        let retry = try Self.check(positive(try Self.duration(recovery.failureRetryInterval, "--failure-retry-interval")),
                                   "--failure-retry-interval", recovery.failureRetryInterval, "must be positive")
        return OperatorConfiguration(
            kubeconfig: kubeconfig, storage: storage, localStorage: local, election: try ha.election(environment: environment),
            storageBaseURL: base, storageListenAddress: storageListenAddress,
            storagePort: port,
            storageReadTimeout: try Self.optionalDuration(compatibility.storageReadTimeout, "--storage-read-timeout"),
            storageWriteTimeout: try Self.optionalDuration(compatibility.storageWriteTimeout, "--storage-write-timeout"),
            controller: SnippetController.Options(namespaces: namespaces, labelSelector: labelSelector,
                                                  workers: budgets.workers, maxPerNamespace: budgets.maxPerNamespace,
                                                  rerenderPerMinute: rate, rerenderBurst: burst),
            budgets: budgets,
            defaultServiceAccount: defaultServiceAccount, maxArtifactBytes: maxBytes,
            gcGrace: try Self.duration(artifactGcGrace, "--artifact-gc-grace"),
            maxWithdrawWait: try Self.duration(maxWithdrawWait, "--max-withdraw-wait"),
            sweepInterval: sweep == .zero ? nil : sweep,
            sweepMaxTmpAge: try Self.duration(storageSweepMaxTmpAge, "--storage-sweep-max-tmp-age"),
            noCrossNamespaceRefs: try Self.check(FlagValues.boolean(noCrossNamespaceRefs),
                                                 "--no-cross-namespace-refs", noCrossNamespaceRefs, "must be true or false"),
            libraryPaths: libraryPaths, failureRetryInterval: retry, allowLoopbackSources: recovery.allowLoopbackSources,
            runbookBaseURL: runbookBaseURL)
    }

    private static let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warn": .warning, "error": .error]

    func run() async throws {
        var settings = try checked()
        let (level, format) = (settings.level, settings.format)
        LoggingSystem.bootstrap { _ in SlogLogHandler(format: format, logLevel: level) }
        let logger = Logger(label: "jaas")
        if settings.renderer.evaluationIsolation == .process || settings.operatorConfiguration != nil {
            settings.renderer.isolateWorkerNetwork = try evaluation.isolateWorkerNetwork(
                executable: settings.renderer.workerExecutable, logger: logger)
        }
        let tracer = try tracing.settings().map {
            try TracingFlags.bootstrap($0, environment: currentEnvironment(), logger: logger)
        }
        let operatorMetrics = settings.operatorConfiguration.map { _ in OperatorMetrics() }
        let additionalMetrics: (@Sendable () -> [UInt8])? = operatorMetrics.map { metrics in { @Sendable in metrics.exposition() } }
        let server: RendererServer
        do {
            server = try RendererServer(configuration: settings.renderer, logger: logger,
                                        additionalMetrics: additionalMetrics)
        } catch {
            throw ValidationError(error.description)
        }
        var services: [any Service] = server.services
        if let op = settings.operatorConfiguration, let operatorMetrics {
            let variables = settings.renderer.externalVariables.compactMapValues { value -> String? in
                if case .string(let s) = value { return s }
                return nil
            }
            let memoryLimit = settings.renderer.evaluationMemoryLimit
            let renderer = SnippetRenderer(operatorExternalVariables: variables,
                                           evaluationTimeout: settings.renderer.evaluationTimeout,
                                           maxStack: settings.renderer.maxStack, maxArtifactBytes: op.maxArtifactBytes,
                                           memoryLimit: memoryLimit,
                                           workers: EvaluationFlags.operatorWorkers(
                                               memoryLimit: memoryLimit, isolateNetwork: settings.renderer.isolateWorkerNetwork,
                                               maxRenderedBytes: op.budgets.maxRenderedBytes))
            // /ready waits for the operator's informer caches.
            let state = server.state
            state.waitFor("operator")
            do {
                services += try operatorServices(op, renderer: renderer, gate: server.renderer.gate, metrics: operatorMetrics,
                                                 onSynced: { state.stopWaiting(for: "operator") }, logger: logger)
            } catch {
                throw ValidationError("--enable-flux-integration: \(error)")
            }
            if let options = settings.mcp {
                services.append(try mcpService(options, operator: op, renderer: settings.renderer, workers: renderer.workers,
                                               gate: server.renderer.gate, logger: logger))
            }
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await TracingFlags.run(group, exporter: tracer, logger: logger)
        logger.info("stopped")
    }

    private func rendererConfiguration(environment: [String: String]) throws -> RendererConfiguration {
        var config = RendererConfiguration()
        config.listenAddress = listenAddress
        config.port = try Self.check(FlagValues.port(port), "--port", port, "must be 0 to 65535")
        config.endpointPath = try Self.check(RendererConfiguration.endpointSegment(jsonnetEndpointPath),
                                             "--jsonnet-endpoint-path", jsonnetEndpointPath,
                                             "must be one path segment of letters, digits, -._~")
        config.snippetFiles = snippets
        config.snippetDirectories = snippetDirectories
        for directory in libraryPaths {
            var st = stat()
            guard stat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw ValidationError("--library-path \(directory): not a directory")
            }
        }
        config.libraryPaths = libraryPaths
        var variables: [String: ExternalValue] = [:]
        for (name, value) in environment where name.hasPrefix("JAAS_EXT_VAR_") && name.count > 13 {
            variables[String(name.dropFirst(13))] = .string(value)
        }
        for flag in extVars {
            let pair = try Self.check(FlagValues.keyValue(flag), "--ext-var", flag, "must be KEY=VALUE")
            variables[pair.key] = .string(pair.value)
        }
        config.externalVariables = variables
        let timeout = try Self.duration(evaluationTimeout, "--evaluation-timeout")
        config.evaluationTimeout = timeout == .zero ? nil : timeout
        let stack = try Self.check(maxStack >= 0 ? maxStack : nil, "--max-stack", maxStack, "must not be negative")
        config.maxStack = stack == 0 ? EvaluationOptions().maxStack : stack
        config.evaluationMemoryLimit = try evaluation.memoryLimit()
        config.evaluationIsolation = try evaluation.isolation()
        _ = try evaluation.workerNetworkMode()
        config.maxConcurrentEvaluations = try Self.check(maxConcurrentEvals >= 0 ? maxConcurrentEvals : nil,
                                                         "--max-concurrent-evals", maxConcurrentEvals, "must not be negative")
        let entries = try Self.check(renderCacheMaxEntries >= 0 ? renderCacheMaxEntries : nil,
                                     "--render-cache-max-entries", renderCacheMaxEntries, "must not be negative")
        let bytes = try Self.check(renderCacheMaxBytes >= 0 ? renderCacheMaxBytes : nil,
                                   "--render-cache-max-bytes", renderCacheMaxBytes, "must not be negative")
        config.renderCache = entries == 0 || bytes == 0 ? nil : RenderCache.Limits(maxEntries: entries, maxBytes: bytes)
        config.managementListenAddress = managementListenAddress
        config.managementPort = try Self.check(FlagValues.port(managementPort), "--management-port",
                                               managementPort, "must be 0 to 65535")
        if metricsBindAddress == "0" {
            config.metricsAddress = nil
        } else {
            let address = try Self.check(FlagValues.hostAndPort(metricsBindAddress), "--metrics-bind-address",
                                         metricsBindAddress, "must be host:port, :port or 0")
            config.metricsAddress = address
        }
        config.shutdownDelay = try Self.duration(shutdownDelay, "--shutdown-delay")
        config.readTimeout = try Self.optionalDuration(readTimeout, "--read-timeout")
        config.writeTimeout = try Self.optionalDuration(writeTimeout, "--write-timeout")
        config.managementReadTimeout = try Self.optionalDuration(compatibility.managementReadTimeout,
                                                                 "--management-read-timeout")
        config.managementWriteTimeout = try Self.optionalDuration(compatibility.managementWriteTimeout,
                                                                  "--management-write-timeout")
        return config
    }

    private static func duration(_ text: String, _ flag: String) throws -> Duration {
        try check(FlagValues.duration(text), flag, text, "must be a duration such as 500ms, 5s or 1m")
    }

    /// A duration where `0` means none (nil).
    private static func optionalDuration(_ text: String, _ flag: String) throws -> Duration? {
        let value = try duration(text, flag)
        return value == .zero ? nil : value
    }

    private static func check<T>(_ value: T?, _ flag: String, _ given: Any, _ rule: String) throws -> T {
        guard let value else { throw ValidationError("\(flag) \(given): \(rule)") }
        return value
    }

    /// The process environment as a dictionary.
    private func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let pair = FlagValues.keyValue(text) { result[pair.key] = pair.value }
            entry += 1
        }
        return result
    }

    /// Parses the command line; usage errors print one line and exit 2, runtime
    /// failures exit 1.
    static func main() async {
        let arguments = CommandLine.arguments
        if arguments.count > 1 && arguments[1] == EvaluationWorker.subcommand {
            EvaluationWorker.serve(arguments: Array(arguments.dropFirst(2)))
        }
        if arguments.count > 1 && arguments[1] == MCPCommand.subcommand {
            await MCPCommand.serve(Array(arguments.dropFirst(2)))
        }
        let command: JaaS
        do {
            command = try parse(BooleanFlags.normalize(Array(CommandLine.arguments.dropFirst())))
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                terminate(0)
            }
            let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: "; ")
            printError("jaas: \(message)")
            terminate(2)
        }
        do {
            try await command.run()
        } catch {
            printError("jaas: \(error)")
            terminate(error is ValidationError ? 2 : 1)
        }
    }
}

/// `d` when it is above zero.
private func positive(_ d: Duration) -> Duration? { d > .zero ? d : nil }

/// Writes one line to stderr.
private func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// Ends the process with `status`.
private func terminate(_ status: Int32) -> Never {
    exit(status)
}
