#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import JaaSCore
import JaaSLogging
import JaaSMCP
import JaaSRenderer
import Jsonnet
import Logging

/// `jaas mcp`: the MCP tools `render_jsonnet` and `validate_jsonnet` over stdin and
/// stdout for a local agent (issue 14). Logs go to stderr only; stdout carries
/// nothing but the protocol.
struct MCPCommand: AsyncParsableCommand {
    /// The word after `jaas` that selects this command.
    static let subcommand = "mcp"

    static let configuration = CommandConfiguration(
        commandName: "jaas mcp",
        abstract: "Serves the MCP tools render_jsonnet and validate_jsonnet over stdin/stdout (logs on stderr).")

    @Option(name: .customLong("library-path"),
            help: "An import search directory (repeatable; the right-most matching directory wins).")
    var libraryPaths: [String] = []

    @Option(name: .customLong("ext-var"),
            help: "External variable KEY=VALUE for std.extVar (repeatable; wins over JAAS_EXT_VAR_KEY; a call's extVars win over both).")
    var extVars: [String] = []

    @Option(help: "Stop an evaluation after this long; the call gets a tool error (Go duration; 0 = no limit).")
    var evaluationTimeout = "5s"

    @Option(help: "Maximum Jsonnet stack depth (0 = the engine default, 500).")
    var maxStack = 500

    @Option(help: "Memory budget of one evaluation: bytes or a Ki, Mi or Gi multiple (0 = none).")
    var evaluationMemoryLimit = "1Gi"

    @Option(help: "Evaluations allowed at once; more get a tool error (0 = no cap; default max(cores*4, 16)).")
    var maxConcurrentEvals = RendererConfiguration.defaultMaxConcurrentEvaluations

    @Option(help: "Lowest level logged: debug, info, warn or error.")
    var logLevel = "info"

    @Option(help: "Log line format on stderr (stdout carries the protocol; Go slog shapes): json or text.")
    var logFormat = "json"

    /// The flags once checked.
    struct Checked {
        var evaluator: JsonnetEvaluator
        var level: Logger.Level
        var format: LogFormat
    }

    func checked(environment: [String: String]) throws -> Checked {
        let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warn": .warning, "error": .error]
        guard let level = levels[logLevel] else {
            throw ValidationError("--log-level \(logLevel): must be debug, info, warn or error")
        }
        guard let format = LogFormat(rawValue: logFormat) else {
            throw ValidationError("--log-format \(logFormat): must be json or text")
        }
        for directory in libraryPaths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--library-path \(directory): not a directory")
            }
        }
        var variables: [String: ExternalValue] = [:]
        for (name, value) in environment where name.hasPrefix("JAAS_EXT_VAR_") && name.count > 13 {
            variables[String(name.dropFirst(13))] = .string(value)
        }
        for flag in extVars {
            guard let pair = FlagValues.keyValue(flag) else { throw ValidationError("--ext-var \(flag): must be KEY=VALUE") }
            variables[pair.key] = .string(pair.value)
        }
        guard let timeout = FlagValues.duration(evaluationTimeout) else {
            throw ValidationError("--evaluation-timeout \(evaluationTimeout): must be a duration such as 500ms, 5s or 1m")
        }
        guard maxStack >= 0 else { throw ValidationError("--max-stack \(maxStack): must not be negative") }
        guard maxConcurrentEvals >= 0 else {
            throw ValidationError("--max-concurrent-evals \(maxConcurrentEvals): must not be negative")
        }
        guard let memory = FlagValues.byteSize(evaluationMemoryLimit) else {
            throw ValidationError("--evaluation-memory-limit \(evaluationMemoryLimit): must be a size such as 512Mi, 1Gi or 0")
        }
        let gate = EvaluationGate(maxConcurrent: maxConcurrentEvals, timeout: timeout == .zero ? nil : timeout)
        let evaluator = JsonnetEvaluator(imports: .fileSystem(libraryPaths: libraryPaths), externalVariables: variables,
                                         maxStack: maxStack == 0 ? EvaluationOptions().maxStack : maxStack,
                                         memoryLimit: memory == 0 ? nil : memory, gate: gate)
        return Checked(evaluator: evaluator, level: level, format: format)
    }

    func run() async throws {
        let settings = try checked(environment: ProcessInfo.processInfo.environment)
        LoggingSystem.bootstrap { _ in SlogLogHandler(format: settings.format, logLevel: settings.level, output: .standardError) }
        let logger = Logger(label: "jaas.mcp")
        logger.info("serving MCP over stdio", metadata: ["tools": "render_jsonnet, validate_jsonnet"])
        try await MCPToolbox(evaluator: settings.evaluator, version: BuildInfo.version).serveStandardIO(logger: logger)
        logger.info("stdin closed, stopping")
    }

    /// Parses `arguments` (what follows `jaas mcp`) and serves; exits 2 on a usage
    /// error with one line on stderr, 1 on a failure after start-up, 0 at the end of stdin.
    static func serve(_ arguments: [String]) async -> Never {
        let command: MCPCommand
        do {
            command = try parse(arguments)
        } catch {
            if exitCode(for: error) == .success {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                endProcess(0)
            }
            let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: "; ")
            FileHandle.standardError.write(Data("jaas mcp: \(message)\n".utf8))
            endProcess(2)
        }
        do {
            try await command.run()
        } catch {
            FileHandle.standardError.write(Data("jaas mcp: \(error)\n".utf8))
            endProcess(error is ValidationError ? 2 : 1)
        }
        endProcess(0)
    }
}

/// Ends the process with `status` (outside the command type, whose `exit` is ArgumentParser's).
private func endProcess(_ status: Int32) -> Never {
    exit(status)
}
