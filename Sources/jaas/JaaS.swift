import ArgumentParser
import Foundation
import GoFormats
import JaaSAdmission
import JaaSArtifacts
import JaaSConsole
import JaaSCore
import JaaSLogging
import JaaSMCP
import JaaSOperator
import JaaSRenderer
import Jsonnet
import Kubernetes
import Logging
import ServiceLifecycle

/// `jaas`: renders Jsonnet snippets over HTTP.
@main
struct JaaS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jaas",
        abstract: "Jsonnet as a Service: renders Jsonnet snippets to JSON over HTTP.",
        discussion: "`jaas mcp` serves the MCP tools render_jsonnet and validate_jsonnet over stdin and stdout instead (docs/mcp.md).",
        version: BuildInfo.text,
        subcommands: [MCPCommand.self])

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

    @OptionGroup var inputs: EvaluationInputFlags

    @OptionGroup var evaluation: EvaluationFlags

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

    @OptionGroup var logging: LoggingFlags

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

    @OptionGroup(title: "Tenant budgets") var tenantLimits: TenantLimitFlags

    @OptionGroup(title: "Leader election") var leaderElection: LeaderElectionFlags

    @OptionGroup(title: "S3 storage") var s3: S3Flags

    @OptionGroup(title: "MCP") var mcp: MCPOptions

    @OptionGroup(title: "Web console") var ui: UIOptions

    @OptionGroup(title: "Admission webhook") var webhook: WebhookOptions

    @OptionGroup(title: "Tracing") var tracing: TracingFlags

    /// What the flags mean once checked.
    private struct Checked {
        var renderer: RendererConfiguration
        var operatorConfiguration: OperatorConfiguration?
        var webhook: WebhookSettings?
        var mcp: MCPHTTPSettings?
        var console: ConsoleSettings?
    }

    mutating func validate() throws {
        _ = try checked()
    }

    private func checked() throws -> Checked {
        _ = try logging.checked()
        let environment = ProcessInfo.processInfo.environment
        let renderer = try rendererConfiguration(environment: environment)
        do {
            _ = try SnippetResolver(snippetFiles: renderer.snippetFiles, snippetDirectories: renderer.snippetDirectories)
        } catch {
            throw ValidationError(error.description)
        }
        let enabled = try FlagValues.checkedBoolean(enableFluxIntegration, "--enable-flux-integration")
        _ = try FlagValues.checkedBoolean(noCrossNamespaceRefs, "--no-cross-namespace-refs")
        _ = try tracing.settings()
        let operatorConfiguration = enabled ? try checkedOperator(environment: environment) : nil
        let mcpSettings = try mcp.checked(operatorMode: enabled)
        // Checked in renderer mode too, where --enable-webhook is refused.
        let webhookSettings = try webhook.settings(operatorMode: enabled, environment: environment)
        return Checked(renderer: renderer, operatorConfiguration: operatorConfiguration, webhook: webhookSettings,
                       mcp: mcpSettings, console: try ui.checked())
    }

    private func checkedOperator(environment: [String: String]) throws -> OperatorConfiguration {
        guard let base = storageBaseUrl, base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ValidationError("--storage-base-url: required with --enable-flux-integration (an http(s) URL)")
        }
        let (storage, local) = try artifactStorage(backend: storageBackend, path: storagePath) { () throws(FlagError) -> S3Storage in
            try s3.s3Storage(environment: environment)
        }
        let namespaces = (watchNamespaces ?? environment["JAAS_WATCH_NAMESPACES"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let port = try FlagValues.check(FlagValues.port(storagePort), "--storage-port", storagePort, "must be 0 to 65535")
        let maxBytes = try FlagValues.check(maxArtifactBytes >= 0 ? maxArtifactBytes : nil, "--max-artifact-bytes",
                                            maxArtifactBytes, "must not be negative")
        let rate = try FlagValues.check(FlagValues.ratePerMinute(rerenderRate), "--rerender-rate", rerenderRate,
                                        "must be a positive rate such as 60/min, 2/s or 100/h")
        let burst = try FlagValues.check(rerenderBurst >= 1 ? rerenderBurst : nil, "--rerender-burst", rerenderBurst,
                                         "must be at least 1")
        let sweep = try FlagValues.checkedDuration(storageSweepInterval, "--storage-sweep-interval")
        let budgets = try tenantLimits.checked()
        let retryText = recovery.failureRetryInterval
        let retry = try FlagValues.checkedDuration(retryText, "--failure-retry-interval")
        guard retry > .zero else { throw ValidationError("--failure-retry-interval \(retryText): must be positive") }
        return OperatorConfiguration(
            kubeconfig: kubeconfig, storage: storage, localStorage: local, election: try leaderElection.election(environment: environment),
            storageBaseURL: base, storageListenAddress: storageListenAddress, storagePort: port,
            storageReadTimeout: try FlagValues.optionalDuration(compatibility.storageReadTimeout, "--storage-read-timeout"),
            storageWriteTimeout: try FlagValues.optionalDuration(compatibility.storageWriteTimeout, "--storage-write-timeout"),
            controller: SnippetController.Options(namespaces: namespaces, labelSelector: labelSelector,
                                                  workers: budgets.workers, maxPerNamespace: budgets.maxPerNamespace,
                                                  rerenderPerMinute: rate, rerenderBurst: burst),
            budgets: budgets, defaultServiceAccount: defaultServiceAccount, maxArtifactBytes: maxBytes,
            gcGrace: try FlagValues.checkedDuration(artifactGcGrace, "--artifact-gc-grace"),
            maxWithdrawWait: try FlagValues.checkedDuration(maxWithdrawWait, "--max-withdraw-wait"),
            sweepInterval: sweep == .zero ? nil : sweep,
            sweepMaxTmpAge: try FlagValues.checkedDuration(storageSweepMaxTmpAge, "--storage-sweep-max-tmp-age"),
            noCrossNamespaceRefs: try FlagValues.checkedBoolean(noCrossNamespaceRefs, "--no-cross-namespace-refs"),
            libraryPaths: inputs.libraryPaths, failureRetryInterval: retry,
            allowLoopbackSources: recovery.allowLoopbackSources, runbookBaseURL: runbookBaseURL)
    }

    func run() async throws {
        var settings = try checked()
        try logging.bootstrap()
        let logger = Logger(label: "jaas")
        if settings.renderer.evaluationIsolation == .process || settings.operatorConfiguration != nil {
            settings.renderer.isolateWorkerNetwork = try evaluation.isolateWorkerNetwork(
                executable: settings.renderer.workerExecutable, logger: logger)
        }
        let environment = ProcessInfo.processInfo.environment
        let tracer = try tracing.settings().map { try TracingFlags.bootstrap($0, environment: environment, logger: logger) }
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
            services += try operatorModeServices(op, settings: settings, server: server, metrics: operatorMetrics, logger: logger)
        }
        if let console = settings.console {
            services.append(try consoleService(settings.renderer, console, operator: settings.operatorConfiguration,
                                               server: server, logger: logger))
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await TracingFlags.run(group, exporter: tracer, logger: logger)
        logger.info("stopped")
    }

    /// The operator's services (and the webhook's and MCP server's, when on) next to `server`.
    private func operatorModeServices(_ op: OperatorConfiguration, settings: Checked, server: RendererServer,
                                  metrics: OperatorMetrics, logger: Logger) throws -> [any Service] {
        let config = settings.renderer
        let variables = config.externalVariables.compactMapValues { value -> String? in
            if case .string(let s) = value { return s }
            return nil
        }
        let workers = SnippetRenderer.workerPool(memoryLimit: config.evaluationMemoryLimit,
                                                 isolateNetwork: config.isolateWorkerNetwork,
                                                 maxRenderedBytes: op.budgets.maxRenderedBytes)
        let renderer = SnippetRenderer(operatorExternalVariables: variables, evaluationTimeout: config.evaluationTimeout,
                                       maxStack: config.maxStack, maxArtifactBytes: op.maxArtifactBytes,
                                       memoryLimit: config.evaluationMemoryLimit, workers: workers)
        // /ready waits for the operator's informer caches.
        let state = server.state
        state.waitFor("operator")
        var webhook: ((KubeClient, Set<String>) -> any Service)?
        if let webhookSettings = settings.webhook {
            webhook = { client, aliases in
                webhookService(webhookSettings, operatorExternalVariables: Set(variables.keys), aliases: aliases,
                               client: client, renewalFailed: { metrics.countWebhookCertRenewalFailure() }, logger: logger)
            }
        }
        var services: [any Service]
        do {
            services = try operatorServices(op, renderer: renderer, gate: server.renderer.gate, metrics: metrics,
                                            onSynced: { state.stopWaiting(for: "operator") }, webhook: webhook,
                                            logger: logger)
        } catch {
            throw ValidationError("--enable-flux-integration: \(error)")
        }
        if let options = settings.mcp {
            services.append(try mcpHTTPService(
                options, kubeconfig: op.kubeconfig, storage: op.storage, namespaces: op.controller.namespaces,
                libraryPaths: op.libraryPaths, externalVariables: config.externalVariables, maxStack: config.maxStack,
                memoryLimit: config.evaluationMemoryLimit, evaluationTimeout: config.evaluationTimeout, workers: workers,
                gate: server.renderer.gate, version: BuildInfo.version, runbookBase: op.runbookBaseURL, logger: logger))
        }
        return services
    }

    /// The web console next to `server`, over the operator's snippets when `op` is set.
    private func consoleService(_ config: RendererConfiguration, _ console: ConsoleSettings, operator op: OperatorConfiguration?,
                                server: RendererServer, logger: Logger) throws -> any Service {
        let sources = ConsoleRendererSources(
            resolver: try SnippetResolver(snippetFiles: config.snippetFiles, snippetDirectories: config.snippetDirectories),
            renderer: server.renderer, libraryPaths: config.libraryPaths, externalVariables: config.externalVariables,
            maxStack: config.maxStack, memoryLimit: config.evaluationMemoryLimit)
        do {
            return try JaaSConsole.consoleService(
                console, kubeconfig: kubeconfig,
                operatorSources: op.map { ConsoleOperatorSources(storage: $0.storage, namespaces: $0.controller.namespaces,
                                                                  runbookBase: $0.runbookBaseURL) },
                rendererSources: sources, logger: logger)
        } catch let error as ConsoleStartError {
            throw ValidationError(error.description)
        }
    }

    private func rendererConfiguration(environment: [String: String]) throws -> RendererConfiguration {
        var config = RendererConfiguration()
        config.listenAddress = listenAddress
        config.port = try FlagValues.check(FlagValues.port(port), "--port", port, "must be 0 to 65535")
        config.endpointPath = try FlagValues.check(RendererConfiguration.endpointSegment(jsonnetEndpointPath),
                                                   "--jsonnet-endpoint-path", jsonnetEndpointPath,
                                                   "must be one path segment of letters, digits, -._~")
        config.snippetFiles = snippets
        config.snippetDirectories = snippetDirectories
        config.apply(try inputs.settings(environment: environment))
        config.evaluationIsolation = try evaluation.isolation()
        _ = try evaluation.workerNetworkMode()
        let entries = try FlagValues.check(renderCacheMaxEntries >= 0 ? renderCacheMaxEntries : nil,
                                           "--render-cache-max-entries", renderCacheMaxEntries, "must not be negative")
        let bytes = try FlagValues.check(renderCacheMaxBytes >= 0 ? renderCacheMaxBytes : nil,
                                         "--render-cache-max-bytes", renderCacheMaxBytes, "must not be negative")
        config.renderCache = entries == 0 || bytes == 0 ? nil : RenderCache.Limits(maxEntries: entries, maxBytes: bytes)
        config.managementListenAddress = managementListenAddress
        config.managementPort = try FlagValues.check(FlagValues.port(managementPort), "--management-port",
                                                     managementPort, "must be 0 to 65535")
        config.metricsAddress = metricsBindAddress == "0" ? nil : try FlagValues.check(
            FlagValues.hostAndPort(metricsBindAddress), "--metrics-bind-address", metricsBindAddress,
            "must be host:port, :port or 0")
        config.shutdownDelay = try FlagValues.checkedDuration(shutdownDelay, "--shutdown-delay")
        config.readTimeout = try FlagValues.optionalDuration(readTimeout, "--read-timeout")
        config.writeTimeout = try FlagValues.optionalDuration(writeTimeout, "--write-timeout")
        config.managementReadTimeout = try FlagValues.optionalDuration(compatibility.managementReadTimeout,
                                                                       "--management-read-timeout")
        config.managementWriteTimeout = try FlagValues.optionalDuration(compatibility.managementWriteTimeout,
                                                                        "--management-write-timeout")
        return config
    }

    /// Parses the command line with its subcommand (`jaas mcp`); usage errors print one
    /// line and exit 2, runtime failures exit 1. `jaas eval-worker` is no subcommand: a
    /// worker starts before anything makes a thread (a user namespace needs that).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == EvaluationWorker.subcommand {
            EvaluationWorker.serve(arguments: Array(arguments.dropFirst()))
        }
        let mcp = arguments.first == MCPCommand.configuration.commandName
        // MCP's stdout carries the protocol only: its help goes to stderr.
        let (prefix, help) = mcp ? ("jaas mcp", FileHandle.standardError) : ("jaas", FileHandle.standardOutput)
        // Help and version print and exit 0; a usage error prints one line and exits 2.
        func refuse(_ error: any Error) -> Never {
            if exitCode(for: error) == .success {
                // `jaas mcp --help` is asked of the root command, which would answer with its own help.
                let text = mcp ? helpMessage(for: MCPCommand.self) : fullMessage(for: error)
                help.write(Data((text + "\n").utf8))
                endProcess(0)
            }
            let line = message(for: error).split(whereSeparator: \.isNewline).joined(separator: "; ")
            FileHandle.standardError.write(Data("\(prefix): \(line)\n".utf8))
            endProcess(2)
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(mcp ? arguments : BooleanFlags.normalize(arguments))
            // The renderer's flags, parsed leniently along the way, are not `jaas mcp`'s.
            if mcp { _ = try MCPCommand.parse(Array(arguments.dropFirst())) }
        } catch {
            refuse(error)
        }
        guard var asyncCommand = command as? any AsyncParsableCommand else {
            // ArgumentParser's own `help` subcommand, which answers by throwing.
            do { try command.run() } catch { refuse(error) }
            endProcess(0)
        }
        do {
            try await asyncCommand.run()
        } catch {
            FileHandle.standardError.write(Data("\(prefix): \(error)\n".utf8))
            endProcess(error is ValidationError || error is FlagError ? 2 : 1)
        }
        endProcess(0)
    }
}

/// Ends the process with `status` (outside the command type, whose `exit` is ArgumentParser's).
private func endProcess(_ status: Int32) -> Never {
    exit(status)
}
