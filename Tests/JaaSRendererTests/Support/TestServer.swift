import Foundation
import JaaSRenderer
import Logging
import ServiceLifecycle
import Synchronization

/// Log lines kept in memory, to check what reached the log.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// A logger writing here.
    func logger() -> Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }

    private struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = metadata.merging(event.metadata ?? [:]) { $1 }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            capture.append(([event.level.rawValue, event.message.description] + fields).joined(separator: " "))
        }
    }
}

/// A renderer running in this process on free loopback ports.
final class TestServer: Sendable {
    let server: RendererServer
    let logs: LogCapture
    let ports: [RendererServer.Listener: Int]
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    /// Starts a renderer configured by `configure` (ports, metrics and shutdown delay
    /// are set for tests first) and waits until all its servers listen.
    static func start(_ configure: (inout RendererConfiguration) -> Void) async throws -> TestServer {
        var configuration = RendererConfiguration()
        configuration.port = 0
        configuration.managementPort = 0
        configuration.metricsAddress = ("127.0.0.1", 0)
        configuration.shutdownDelay = .zero
        // In the test process /proc/self/exe is the test runner, not jaas: in-process
        // servers evaluate on threads; process isolation is tested through the binary.
        configuration.evaluationIsolation = .thread
        configure(&configuration)
        return try await TestServer(configuration: configuration)
    }

    private init(configuration: RendererConfiguration) async throws {
        logs = LogCapture()
        let bound = Mutex<[RendererServer.Listener: Int]>([:])
        server = try RendererServer(configuration: configuration, logger: logs.logger()) { listener, port in
            bound.withLock { $0[listener] = port }
        }
        group = ServiceGroup(configuration: .init(services: server.services.map { .init(service: $0) },
                                                  logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let group = self.group
        running = Task { try await group.run() }
        let expected = configuration.metricsAddress == nil ? 2 : 3
        let deadline = ContinuousClock.now + .seconds(10)
        while bound.withLock({ $0.count }) < expected {
            guard ContinuousClock.now < deadline else { throw RawHTTP.Failure(description: "servers did not start") }
            try await Task.sleep(for: .milliseconds(5))
        }
        ports = bound.withLock { $0 }
    }

    /// A request to the rendering server.
    func get(_ target: String, method: String = "GET") async throws -> HTTPReply {
        try await RawHTTP.request(port: ports[.renderer]!, method: method, target: target)
    }

    /// A request to the management server.
    func probe(_ path: String, method: String = "GET") async throws -> HTTPReply {
        try await RawHTTP.request(port: ports[.management]!, method: method, target: path)
    }

    /// The metrics text.
    func metrics() async throws -> String {
        try await RawHTTP.request(port: ports[.metrics]!, target: "/metrics").body
    }

    /// The value of the sample line starting with `series` (name and labels).
    func metric(_ series: String) async throws -> Double? {
        let text = try await metrics()
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Starts a graceful shutdown (as SIGTERM would) without waiting for it.
    func beginShutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// Shuts down gracefully and waits until every server has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// Runs `body` against a fresh in-process renderer and always shuts it down.
func withServer(_ configure: (inout RendererConfiguration) -> Void,
                _ body: (TestServer) async throws -> Void) async throws {
    let server = try await TestServer.start(configure)
    do {
        try await body(server)
    } catch {
        try? await server.stop()
        throw error
    }
    try await server.stop()
}

/// Polls `condition` every 10 ms for up to `seconds`.
func eventually(within seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// A program that never ends (a tail call with constant stack).
let endlessProgram = "local f(x) = f(x + 1) tailstrict; f(0)"
