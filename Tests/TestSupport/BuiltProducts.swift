import Foundation

/// The products `swift build` made, found beside the running test bundle (SwiftPM
/// puts executables and test bundles in one directory).
public enum BuiltProducts {
    /// The directory of the running test process: `/proc/self/exe`'s, else `argv[0]`'s.
    public static var directory: String {
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return (runner as NSString).deletingLastPathComponent
    }

    /// The path of the built executable `name` (e.g. `jaas`, `kube-test-server`).
    public static func path(of name: String) -> String {
        directory + "/" + name
    }

    /// Runs the built executable `name` to completion and returns its exit status,
    /// stdout and stderr. The blocking waits happen on a thread of their own, not on
    /// the Swift concurrency pool.
    public static func run(_ name: String, _ arguments: [String],
                           environment: [String: String] = [:]) async throws -> (Int32, String, String) {
        let executable = path(of: name)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(executable, arguments, environment: environment) })
            }
        }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String],
                                    environment: [String: String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self),
                String(decoding: stderr, as: UTF8.self))
    }
}

/// The repository's root directory (for `examples/`, `docs/`, `config/`, `scripts/`).
public let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
