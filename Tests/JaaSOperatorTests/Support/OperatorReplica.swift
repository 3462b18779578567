import AsyncHTTPClient
import Foundation
import Synchronization
import TestSupport

/// One `jaas --enable-flux-integration` replica as a child process (the binary built
/// beside the test bundle), with its storage and metrics servers on known ports.
final class OperatorReplica: Sendable {
    let name: String
    let storagePort: Int
    let metricsPort: Int
    private let process: Process
    private let log = LogBuffer()

    /// Starts the binary with `POD_NAME=name` and waits until its storage and metrics servers answer.
    init(name: String, arguments: [String], environment: [String: String]) async throws {
        self.name = name
        storagePort = try freePort()
        metricsPort = try freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltProducts.path(of: "jaas"))
        process.arguments = ["--enable-flux-integration", "--port", "0", "--management-port", "0",
                             "--metrics-bind-address", "127.0.0.1:\(metricsPort)", "--storage-listen-address", "127.0.0.1",
                             "--storage-port", "\(storagePort)", "--storage-base-url", "http://127.0.0.1:\(storagePort)",
                             "--shutdown-delay", "0s", "--log-format", "text", "--log-level", "debug"] + arguments
        process.environment = environment.merging(["POD_NAME": name]) { $1 }
        // Logs go to stdout (as the original's); stderr joins them.
        let err = Pipe()
        process.standardError = err
        process.standardOutput = err
        let log = self.log
        err.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            log.text.withLock { $0 += text }
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let metricsUp = (try? await leader()) != nil
            if metricsUp, (try? await fetch("/")) != nil { break }
            guard ContinuousClock.now < deadline, process.isRunning else {
                process.terminate()
                throw TestFailure("replica \(name) did not start: \(logText)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    var logText: String { log.text.withLock { $0 } }
    var isRunning: Bool { process.isRunning }

    /// The `jaas_leader` gauge: true on the leader.
    func leader() async throws -> Bool {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"), timeout: .seconds(5))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("jaas_leader ") }) else {
            throw TestFailure("no jaas_leader in the metrics of \(name)")
        }
        guard let value = line.split(separator: " ").last.flatMap({ Double($0) }) else {
            throw TestFailure("unreadable metric line \(line)")
        }
        return value == 1
    }

    /// GET `path` from the replica's storage server: (status, body).
    func fetch(_ path: String) async throws -> (Int, [UInt8]) {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(storagePort)\(path)"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Array(body.readableBytesView))
    }

    func terminate() {
        process.terminate()
    }

    /// Waits up to `seconds` for the process to end.
    func waitForExit(seconds: Double) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return !process.isRunning
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// The log text a replica wrote so far, appended from the pipe's thread.
private final class LogBuffer: Sendable {
    let text = Mutex("")
}
