import Foundation
import Kubernetes

/// The MCP Python SDK's client (`Tests/mcp/mcp_client.py`, PyPI `mcp` in `.build/venv`,
/// installed by `scripts/install-test-tools`) run against a jaas MCP server.
enum MCPClient {
    /// What the client saw: the server's name, the tools listed, each call's result.
    struct Report: Decodable {
        struct Server: Decodable {
            var name: String
            var version: String
        }
        struct Call: Decodable {
            var isError: Bool
            var text: String
            var structured: JSONValue?
        }
        var server: Server
        var tools: [String]
        var results: [Call]
    }

    /// One tool call of a plan.
    static func call(_ tool: String, _ arguments: JSONValue) -> JSONValue {
        ["tool": .string(tool), "arguments": arguments]
    }

    /// Runs the client with `transport` (`--stdio COMMAND ARG...` or `--url URL`) and the calls of `plan`.
    static func run(_ transport: [String], plan: [JSONValue], timeout: Duration = .seconds(120)) async throws -> Report {
        try await installed.value
        let input = try JSONValue.array(plan).jsonData()
        let (status, output, errors) = try await runProcess(
            MotoServer.repositoryRoot + "/.build/venv/bin/python",
            [MotoServer.repositoryRoot + "/Tests/mcp/mcp_client.py"] + transport, input: input, timeout: timeout)
        guard status == 0 else {
            throw TestFailure("the MCP client exited with \(status):\n\(String(decoding: errors, as: UTF8.self).suffix(4000))")
        }
        do {
            return try JSONDecoder().decode(Report.self, from: output)
        } catch {
            throw TestFailure("unreadable client report: \(String(decoding: output, as: UTF8.self).prefix(2000))")
        }
    }

    private static let installed = Task<Void, any Error> {
        try await runDetached(MotoServer.repositoryRoot + "/scripts/install-test-tools", [])
    }
}

/// Runs `program` with `input` on stdin on a thread of its own; kills it after `timeout`.
/// Returns its exit status, stdout and stderr.
func runProcess(_ program: String, _ arguments: [String], input: Data,
                timeout: Duration) async throws -> (Int32, Data, Data) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: program)
                process.arguments = arguments
                let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
                process.standardInput = stdin
                process.standardOutput = stdout
                process.standardError = stderr
                try process.run()
                let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                let seconds = Double(timeout.components.seconds)
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
                stdin.fileHandleForWriting.write(input)
                try stdin.fileHandleForWriting.close()
                let errors = Locked(Data())
                let reader = Thread { errors.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
                reader.start()
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                killer.cancel()
                while !errors.isSet { Thread.sleep(forTimeInterval: 0.01) }
                return (process.terminationStatus, output, errors.value)
            })
        }
    }
}

/// A value handed from one thread to another.
private final class Locked: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Data
    private var done = false
    init(_ value: Data) { stored = value }
    func set(_ value: Data) { lock.withLock { stored = value; done = true } }
    var isSet: Bool { lock.withLock { done } }
    var value: Data { lock.withLock { stored } }
}
