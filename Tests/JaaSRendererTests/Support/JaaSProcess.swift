import Foundation
import TestSupport
import Synchronization

/// The built `jaas` binary running as a child process, its ports read from the
/// "listening" lines of its JSON log.
final class JaaSProcess: Sendable {
    /// The binary beside the test bundle (`swift build` puts both in one directory).
    static var binary: String { BuiltProducts.path(of: "jaas") }

    /// Runs the binary to completion: (exit status, stdout, stderr).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String, String) {
        try await BuiltProducts.run("jaas", arguments, environment: environment)
    }

    private let process: Process
    private let log = LogText()
    let ports: [String: Int]

    /// Starts the binary with `arguments` (ports default to free ones, metrics off)
    /// and waits until the renderer and management servers listen.
    init(_ arguments: [String], environment: [String: String] = [:]) async throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--port", "0", "--management-port", "0", "--metrics-bind-address", "0",
                             "--log-format", "json"] + arguments
        process.environment = environment
        // Logs go to stdout (as the original's); stderr joins them for start-up failures.
        let err = Pipe()
        process.standardError = err
        process.standardOutput = err
        let log = self.log
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            log.append(String(decoding: data, as: UTF8.self))
        }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        var found: [String: Int] = [:]
        while found.count < 2 {
            guard ContinuousClock.now < deadline, process.isRunning else {
                process.terminate()
                throw RawHTTP.Failure(description: "jaas did not start: \(log.text)")
            }
            try await Task.sleep(for: .milliseconds(20))
            found = Self.listeningPorts(in: log.text)
        }
        ports = found
    }

    private static func listeningPorts(in log: String) -> [String: Int] {
        var ports: [String: Int] = [:]
        for line in log.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["msg"] as? String == "listening", let server = object["server"] as? String,
                  let address = object["address"] as? String,
                  let port = address.split(separator: ":").last.flatMap({ Int($0) }) else { continue }
            ports[server] = port
        }
        return ports
    }

    var pid: Int32 { process.processIdentifier }
    var logText: String { log.text }

    /// User plus system CPU time the process has used, in seconds (from /proc/<pid>/stat).
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields after the command name start at field 3 (state); utime and stime are fields 14 and 15.
        let ticks = (Double(fields[11]) ?? .nan) + (Double(fields[12]) ?? .nan)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits up to `seconds` for the process to end; its exit status, or nil if still running.
    func waitForExit(seconds: Double) async throws -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// Text appended from another thread.
private final class LogText: Sendable {
    private let storage = Mutex("")
    func append(_ text: String) { storage.withLock { $0 += text } }
    var text: String { storage.withLock { $0 } }
}
