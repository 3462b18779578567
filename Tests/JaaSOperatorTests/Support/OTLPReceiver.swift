import Foundation
import TestSupport
import Synchronization

/// `scripts/otlp-receiver` (grpcio and opentelemetry-proto from `.build/venv`) on
/// 127.0.0.1 and a free port: every span an OTLP/gRPC exporter sends it is written
/// as one JSON line to a file, read back with ``spans()``.
final class OTLPReceiver: Sendable {
    /// One received span; ids are lowercase hex, `parentSpanId` is empty for a root.
    struct Span: Sendable, CustomStringConvertible {
        var traceId: String
        var spanId: String
        var parentSpanId: String
        var name: String
        /// OTLP's SpanKind: 1 internal, 2 server, 3 client.
        var kind: Int
        /// Attribute values as text (`200`, `GET`, `true`).
        var attributes: [String: String]
        /// Start time, nanoseconds since 1970.
        var start: UInt64
        var service: String

        var description: String {
            "\(name) trace=\(traceId) span=\(spanId) parent=\(parentSpanId.isEmpty ? "-" : parentSpanId) \(attributes)"
        }
    }

    let port: Int
    private let output: String
    private let process: Process

    private init(port: Int, output: String, process: Process) {
        self.port = port
        self.output = output
        self.process = process
    }

    /// `127.0.0.1:<port>`, for `--tracing-endpoint`.
    var endpoint: String { "127.0.0.1:\(port)" }

    /// Installs the Python packages if needed, starts the receiver and waits until it listens.
    static func start() async throws -> OTLPReceiver {
        try await installed.value
        let output = temporaryPath("jaas-spans-", suffix: ".jsonl")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MotoServer.repositoryRoot + "/.build/venv/bin/python")
        process.arguments = [MotoServer.repositoryRoot + "/scripts/otlp-receiver", output]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let announced = Mutex("")
        out.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            announced.withLock { $0 += text }
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            let line = announced.withLock { $0 }
            if let port = line.split(separator: "\n").first.flatMap({ $0.split(separator: " ").last }).flatMap({ Int($0) }),
               line.hasPrefix("listening ") {
                out.fileHandleForReading.readabilityHandler = nil
                return OTLPReceiver(port: port, output: output, process: process)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw TestFailure("otlp-receiver did not start")
    }

    private static let installed = Task<Void, any Error> {
        try await runDetached(MotoServer.repositoryRoot + "/scripts/install-test-tools", [])
    }

    /// Every span received so far.
    func spans() throws -> [Span] {
        let text = try String(contentsOfFile: output, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw TestFailure("not a span object: \(line)")
            }
            let attributes = (object["attributes"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            return Span(traceId: object["traceId"] as? String ?? "", spanId: object["spanId"] as? String ?? "",
                        parentSpanId: object["parentSpanId"] as? String ?? "", name: object["name"] as? String ?? "",
                        kind: object["kind"] as? Int ?? 0, attributes: attributes,
                        start: (object["start"] as? NSNumber)?.uint64Value ?? 0,
                        service: object["service"] as? String ?? "")
        }
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: output)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
