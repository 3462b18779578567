import Hummingbird
import JaaSCore
import Logging
import NIOCore
import ServiceLifecycle

/// The renderer: the rendering server, the probe server, the metrics server and the
/// shutdown sequence, as services for a `ServiceGroup`.
///
/// Run ``services`` in one group, in order, with graceful shutdown on SIGTERM: the
/// group stops services in reverse, so readiness flips off first, the shutdown delay
/// passes, the rendering server drains its requests, and the probe and metrics
/// servers stop last.
public final class RendererServer: Sendable {
    /// Which of the servers a listening address belongs to.
    public enum Listener: String, Sendable {
        case renderer, management, metrics
    }

    /// The configuration the servers were built from.
    public let configuration: RendererConfiguration
    /// The lifecycle state the probes report.
    public let state = ServerState()
    /// The metrics the servers record.
    public let metrics = RendererMetrics()
    /// The renderer every request goes through.
    public let renderer: FileRenderer
    /// The services to run, in start order.
    public let services: [any Service]

    /// Builds the servers; throws when a snippet file or directory is missing.
    /// `onListening` is called with each server's bound port once it listens;
    /// `additionalMetrics` (the operator's) is appended to each `/metrics` answer.
    public init(configuration: RendererConfiguration, logger: Logger,
                onListening: @escaping @Sendable (Listener, Int) -> Void = { _, _ in },
                additionalMetrics: (@Sendable () -> [UInt8])? = nil)
    throws(SnippetResolver.InvalidRoot) {
        self.configuration = configuration
        let resolver = try SnippetResolver(snippetFiles: configuration.snippetFiles,
                                           snippetDirectories: configuration.snippetDirectories)
        let gate = EvaluationGate(maxConcurrent: configuration.maxConcurrentEvaluations,
                                  timeout: configuration.evaluationTimeout)
        // As many idle workers as evaluations may run at once (up to 16, about 20 MB each),
        // so a steady load never waits for a worker to start.
        let cap = configuration.maxConcurrentEvaluations
        let workers = configuration.evaluationIsolation == .process ? WorkerPool(configuration: .init(
            executable: configuration.workerExecutable,
            addressSpaceLimit: WorkerPool.addressSpaceLimit(forMemoryLimit: configuration.evaluationMemoryLimit),
            maxIdleWorkers: min(cap == 0 ? 16 : cap, 16), isolateNetwork: configuration.isolateWorkerNetwork)) : nil
        workers?.prewarm(System.coreCount)
        renderer = FileRenderer(gate: gate, cache: configuration.renderCache.map { RenderCache(limits: $0) },
                                workers: workers)
        let state = self.state
        let announce = { @Sendable (listener: Listener, channel: any Channel) in
            let port = channel.localAddress?.port ?? 0
            logger.info("listening", metadata: ["server": "\(listener.rawValue)",
                                                "address": "\(channel.localAddress?.description ?? "?")"])
            onListening(listener, port)
        }
        let endpoint = RenderEndpoint(prefix: "/" + configuration.endpointPath, resolver: resolver,
                                      renderer: renderer, libraryPaths: configuration.libraryPaths,
                                      externalVariables: configuration.externalVariables,
                                      maxStack: configuration.maxStack,
                                      memoryLimit: configuration.evaluationMemoryLimit,
                                      evaluationTimeout: configuration.evaluationTimeout, metrics: metrics)
        let readTimeout = configuration.readTimeout.map(TimeAmount.init)
        let writeTimeout = configuration.writeTimeout.map(TimeAmount.init)
        let rendering = Application(
            router: Self.renderingRouter(endpoint: endpoint),
            server: .http1(configuration: .init(additionalChannelHandlers: [
                DisconnectObserver(),
                ConnectionDeadlineHandler(readTimeout: readTimeout, writeTimeout: writeTimeout),
            ])),
            configuration: .init(address: .hostname(configuration.listenAddress, port: configuration.port)),
            onServerRunning: { channel in
                state.markStarted()
                announce(.renderer, channel)
            },
            logger: logger)
        let managementRouter = Router()
        managementRouter.add(middleware: Probes(state: state))
        let managementRead = configuration.managementReadTimeout.map(TimeAmount.init)
        let managementWrite = configuration.managementWriteTimeout.map(TimeAmount.init)
        let management = Application(
            router: managementRouter,
            server: .http1(configuration: .init(additionalChannelHandlers: [
                ConnectionDeadlineHandler(readTimeout: managementRead, writeTimeout: managementWrite),
            ])),
            configuration: .init(address: .hostname(configuration.managementListenAddress,
                                                    port: configuration.managementPort)),
            onServerRunning: { announce(.management, $0) },
            logger: logger)
        var services: [any Service] = []
        if let address = configuration.metricsAddress {
            let metricsRouter = Router()
            let metrics = self.metrics
            let renderer = self.renderer
            metricsRouter.get("metrics") { _, _ in
                var text = metrics.exposition(gate: renderer.gate, cache: renderer.cache)
                text += additionalMetrics?() ?? []
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
            }
            services.append(Application(
                router: metricsRouter,
                configuration: .init(address: .hostname(address.host, port: address.port)),
                onServerRunning: { announce(.metrics, $0) },
                logger: logger))
        }
        services += [management, rendering,
                     ShutdownDelayService(state: state, delay: configuration.shutdownDelay, logger: logger)]
        self.services = services
    }

    private static func renderingRouter(endpoint: RenderEndpoint) -> Router<RendererRequestContext> {
        let router = Router(context: RendererRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: endpoint)
        router.add(middleware: Probes<RendererRequestContext>(state: nil))
        return router
    }
}
