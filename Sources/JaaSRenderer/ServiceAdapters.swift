import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Runs a closure as a ServiceLifecycle service that is cancelled on graceful shutdown.
/// The cancellation that graceful shutdown causes ends the service quietly: a
/// `CancellationError` thrown then would count as a failure and cancel the whole
/// group, cutting short the services still draining.
public struct TaskService: Service {
    let body: @Sendable () async throws -> Void

    /// A service that runs `body`.
    public init(_ body: @escaping @Sendable () async throws -> Void) { self.body = body }

    /// Runs the body until it ends or graceful shutdown cancels it.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await body() }
        } catch is CancellationError where Task.isCancelled || Task.isShuttingDownGracefully {
            return
        }
    }
}

/// Runs an HTTP server (a Hummingbird application) as a service: it handles
/// graceful shutdown itself (stops accepting, finishes the requests in flight).
public struct ServerService: Service {
    let body: @Sendable () async throws -> Void

    /// A service that runs the server `body` starts.
    public init(_ body: @escaping @Sendable () async throws -> Void) { self.body = body }

    /// Runs the server until it has drained.
    public func run() async throws {
        try await body()
    }
}

/// Sleeps until the task is cancelled (graceful shutdown): a service whose work is
/// done calls it, since a service that returns stops the group.
public func waitForShutdown() async throws {
    while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
}

/// Serves `router` over HTTP/1.1 on `host:port` until cancelled (graceful shutdown
/// drains the requests in flight), with `channelHandlers` on each connection;
/// `onRunning` receives the bound port (`port` 0 picks one).
public func serveHTTP1(router: Router<BasicRequestContext>, host: String, port: Int,
                       channelHandlers: @escaping @Sendable () -> [any RemovableChannelHandler], logger: Logger,
                       onRunning: @escaping @Sendable (Int) async -> Void) async throws {
    let app = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: channelHandlers())),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
        onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
        logger: logger)
    try await app.run()
}
