import ArgumentParser
import Foundation
import JaaSCore
import JaaSLogging
import JaaSMCP
import Logging

/// `jaas mcp`: the MCP tools `render_jsonnet` and `validate_jsonnet` over stdin and
/// stdout for a local agent (docs/mcp.md). Logs go to stderr only; stdout carries
/// nothing but the protocol.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serves the MCP tools render_jsonnet and validate_jsonnet over stdin/stdout (logs on stderr).")

    @OptionGroup var evaluation: EvaluationInputFlags

    @OptionGroup var logging: LoggingFlags

    /// The evaluator the flags describe, or the error of the first bad value.
    func evaluator(environment: [String: String]) throws -> JsonnetEvaluator {
        _ = try logging.checked()
        let settings = try evaluation.settings(environment: environment)
        let gate = EvaluationGate(maxConcurrent: settings.maxConcurrentEvaluations, timeout: settings.timeout)
        return JsonnetEvaluator(imports: .fileSystem(libraryPaths: settings.libraryPaths),
                                externalVariables: settings.externalVariables, maxStack: settings.maxStack,
                                memoryLimit: settings.memoryLimit, gate: gate)
    }

    func run() async throws {
        let evaluator = try evaluator(environment: ProcessInfo.processInfo.environment)
        try logging.bootstrap(to: .standardError)
        let logger = Logger(label: "jaas.mcp")
        logger.info("serving MCP over stdio", metadata: ["tools": "render_jsonnet, validate_jsonnet"])
        try await MCPToolbox(evaluator: evaluator, version: BuildInfo.version).serveStandardIO(logger: logger)
        logger.info("stdin closed, stopping")
    }
}
