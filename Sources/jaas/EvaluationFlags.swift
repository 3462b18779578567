import ArgumentParser
import JaaSLogging
import JaaSCore
import JaaSRenderer
import Logging

/// The evaluation flags `jaas` and `jaas mcp` share: what an evaluation may import
/// and read and how far it may go. One group in both commands, so that
/// ArgumentParser hands `jaas mcp` the values parsed for `jaas`.
struct EvaluationInputFlags: ParsableArguments {
    @Option(name: .customLong("library-path"),
            help: "An import search directory (repeatable; the right-most matching directory wins).")
    var libraryPaths: [String] = []

    @Option(name: .customLong("ext-var"),
            help: "External variable KEY=VALUE for std.extVar (repeatable; wins over JAAS_EXT_VAR_KEY; in jaas mcp a call's extVars win over both).")
    var extVars: [String] = []

    @Option(help: "Stop an evaluation after this long and answer 504, or a tool error in jaas mcp (Go duration; 0 = no limit).")
    var evaluationTimeout = "5s"

    @Option(help: "Maximum Jsonnet stack depth (0 = the engine default, 500).")
    var maxStack = 500

    @Option(help: "Memory budget of one evaluation: bytes or a Ki, Mi or Gi multiple (0 = none). Renderer, operator, workers and jaas mcp.")
    var evaluationMemoryLimit = "1Gi"

    @Option(help: "Evaluations allowed at once; more are answered 503, or a tool error in jaas mcp (0 = no cap; default max(cores*4, 16)).")
    var maxConcurrentEvals = RendererConfiguration.defaultMaxConcurrentEvaluations

    /// The flags checked (the rules are ``EvaluationSettings``').
    func settings(environment: [String: String]) throws -> EvaluationSettings {
        try EvaluationSettings(libraryPaths: libraryPaths, extVars: extVars, environment: environment,
                               evaluationTimeout: evaluationTimeout, maxStack: maxStack,
                               evaluationMemoryLimit: evaluationMemoryLimit, maxConcurrentEvals: maxConcurrentEvals)
    }
}

/// The logging flags `jaas` and `jaas mcp` share.
struct LoggingFlags: ParsableArguments {
    @Option(help: "Lowest level logged: debug, info, warn or error.")
    var logLevel = "info"

    @Option(help: "Log line format (Go slog shapes): json or text. On stdout; jaas mcp, whose stdout is the protocol, logs to stderr.")
    var logFormat = "json"

    /// The level and format, checked.
    func checked() throws -> (level: Logger.Level, format: LogFormat) {
        let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warn": .warning, "error": .error]
        guard let level = levels[logLevel] else {
            throw ValidationError("--log-level \(logLevel): must be debug, info, warn or error")
        }
        guard let format = LogFormat(rawValue: logFormat) else {
            throw ValidationError("--log-format \(logFormat): must be json or text")
        }
        return (level, format)
    }

    /// Sends every logger's lines to `output` at the checked level and format.
    func bootstrap(to output: SlogLogHandler.Output = .standardOutput) throws {
        let (level, format) = try checked()
        LoggingSystem.bootstrap { _ in SlogLogHandler(format: format, logLevel: level, output: output) }
    }
}

/// Where evaluations run (docs/limits-and-security.md, "Evaluation limits"): the renderer's and operator's flags.
struct EvaluationFlags: ParsableArguments {
    @Option(help: "Where the renderer evaluates uncached requests: thread (in this process) or process (in worker processes).")
    var evaluationIsolation = EvaluationIsolation.process.rawValue

    @Option(help: "Network of evaluation worker processes: none (a network namespace of their own, or refuse to start), auto (none where the kernel permits it, else host with a notice) or host.")
    var workerNetwork = WorkerNetwork.auto.rawValue

    /// `--worker-network`.
    enum WorkerNetwork: String {
        case none, auto, host
    }

    /// `--worker-network`, checked.
    func workerNetworkMode() throws -> WorkerNetwork {
        guard let mode = WorkerNetwork(rawValue: workerNetwork) else {
            throw ValidationError("--worker-network \(workerNetwork): must be none, auto or host")
        }
        return mode
    }

    /// Whether workers of `executable` leave the host network: probed for `none` (an
    /// error when they cannot) and `auto` (a notice when they cannot), never for `host`.
    func isolateWorkerNetwork(executable: String, logger: Logger) throws -> Bool {
        let mode = try workerNetworkMode()
        guard mode != .host else { return false }
        guard let why = WorkerPool.probeNetworkIsolation(executable: executable) else {
            logger.debug("evaluation workers run without network access", metadata: ["worker-network": "none"])
            return true
        }
        if mode == .none {
            throw ValidationError("--worker-network none: evaluation workers cannot leave the host network here: \(why)")
        }
        logger.notice("evaluation workers keep the host network: the kernel refused a network namespace",
                      metadata: ["worker-network": "auto", "reason": "\(why)"])
        return false
    }

    /// `--evaluation-isolation`.
    func isolation() throws -> EvaluationIsolation {
        guard let isolation = EvaluationIsolation(rawValue: evaluationIsolation) else {
            throw ValidationError("--evaluation-isolation \(evaluationIsolation): must be thread or process")
        }
        return isolation
    }
}
