import AsyncHTTPClient
import Foundation
import JaaSArtifacts
import JaaSOperator

/// A real S3 server for the tests: moto's `moto_server` on 127.0.0.1 and a free port,
/// installed into `.build/venv` by `scripts/install-test-tools` on first use.
final class MotoServer: Sendable {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let accessKey = "testing"
    static let secretKey = "testing"

    let process: Process
    let port: Int
    var endpoint: String { "127.0.0.1:\(port)" }

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Installs moto if needed (once per test process), starts it and waits until it answers.
    static func start() async throws -> MotoServer {
        try await installed.value
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: repositoryRoot + "/.build/venv/bin/moto_server")
        process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let server = MotoServer(process: process, port: port)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/moto-api/"), timeout: .seconds(2)),
               response.status.code < 500 {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        throw TestFailure("moto_server did not start on port \(port)")
    }

    private static let installed = Task<Void, any Error> {
        try await runDetached(repositoryRoot + "/scripts/install-test-tools", [])
    }

    /// A client for `bucket` on `endpoint` (the server itself unless a proxy stands between).
    func client(bucket: String, endpoint: String? = nil) -> S3Client {
        var configuration = S3Client.Configuration(
            endpoint: endpoint ?? self.endpoint, bucket: bucket, useSSL: false,
            credentials: StaticCredentials(AWSCredentials(accessKeyID: Self.accessKey, secretAccessKey: Self.secretKey)))
        configuration.baseBackoff = .milliseconds(50)
        return S3Client(configuration)
    }

    /// Creates a bucket (moto accepts any signed CreateBucket).
    func createBucket(_ name: String) async throws {
        try await client(bucket: name).createBucket()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A failed test precondition.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A port nobody listens on right now (bound to 0, then closed).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound else { throw TestFailure("bind failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs a program to completion on a thread of its own (never blocking the concurrency pool).
func runDetached(_ program: String, _ arguments: [String]) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: program)
                process.arguments = arguments
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw TestFailure("\(program) exited with \(process.terminationStatus)")
                }
            })
        }
    }
}
