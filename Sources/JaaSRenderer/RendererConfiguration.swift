import GoFormats
import JaaSCore
import Jsonnet
import NIOCore

/// Everything the renderer is configured with; the defaults are the flag defaults.
public struct RendererConfiguration: Sendable {
    /// Address the rendering server binds (`--listen-address`).
    public var listenAddress = "127.0.0.1"
    /// Port of the rendering server (`--port`; 0 picks a free one).
    public var port = 8080
    /// The endpoint's path segment(s), without slashes at either end (`--jsonnet-endpoint-path`).
    public var endpointPath = "jsonnet"
    /// Files served under their own path (`--snippet`).
    public var snippetFiles: [String] = []
    /// Directories whose `<name>/main.jsonnet` files are served (`--snippet-directory`).
    public var snippetDirectories: [String] = []
    /// Import search directories, the last searched first (`--library-path`).
    public var libraryPaths: [String] = []
    /// `std.extVar` bindings (`JAAS_EXT_VAR_*` and `--ext-var`).
    public var externalVariables: [String: ExternalValue] = [:]
    /// Evaluations are stopped after this long (`--evaluation-timeout`; nil = never).
    public var evaluationTimeout: Duration? = .seconds(5)
    /// Maximum Jsonnet call depth (`--max-stack`).
    public var maxStack = 500
    /// Per-evaluation memory budget in bytes (`--evaluation-memory-limit`; nil = none).
    public var evaluationMemoryLimit: Int? = 1 << 30
    /// Where uncached renders are evaluated (`--evaluation-isolation`).
    public var evaluationIsolation = EvaluationIsolation.process
    /// The `jaas` binary started as evaluation worker with `.process` isolation.
    public var workerExecutable = "/proc/self/exe"
    /// Workers run in a network namespace of their own (`--worker-network`, once probed).
    public var isolateWorkerNetwork = false
    /// At most this many evaluations at once (`--max-concurrent-evals`; 0 = no cap).
    public var maxConcurrentEvaluations = RendererConfiguration.defaultMaxConcurrentEvaluations
    /// The render cache's bounds (nil = no cache).
    public var renderCache: RenderCache.Limits? = RenderCache.Limits(maxEntries: 1024, maxBytes: 64 << 20)
    /// Address of the probe server (`--management-listen-address`).
    public var managementListenAddress = "127.0.0.1"
    /// Port of the probe server (`--management-port`; 0 picks a free one).
    public var managementPort = 8081
    /// Address and port of the metrics server (`--metrics-bind-address`; nil = off).
    public var metricsAddress: (host: String, port: Int)? = (GoListen.wildcardHost, 8083)
    /// Time between turning not-ready and draining on shutdown (`--shutdown-delay`).
    public var shutdownDelay: Duration = .seconds(5)
    /// Deadline for receiving a whole request, also bounding idle connections (`--read-timeout`; nil = none).
    public var readTimeout: Duration? = .seconds(10)
    /// Deadline from a received request to the end of its response (`--write-timeout`; nil = none).
    public var writeTimeout: Duration? = .seconds(10)
    /// The management server's read deadline (`--management-read-timeout`; nil = none).
    public var managementReadTimeout: Duration? = .seconds(10)
    /// The management server's write deadline (`--management-write-timeout`; nil = none).
    public var managementWriteTimeout: Duration? = .seconds(10)

    /// `--jsonnet-endpoint-path` checked: exactly one path segment (the original serves
    /// `/<segment>/{snippet...}`) of letters, digits, `-`, `.`, `_` and `~`, neither
    /// `.` nor `..`, at most 255 characters; nil otherwise (slashes included).
    public static func endpointSegment(_ text: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".unicodeScalars)
        guard !text.isEmpty, text.unicodeScalars.count <= 255, text != ".", text != "..",
              text.unicodeScalars.allSatisfy(allowed.contains) else { return nil }
        return text
    }

    /// The default concurrency cap: four per core, at least 16.
    public static var defaultMaxConcurrentEvaluations: Int { max(System.coreCount * 4, 16) }

    /// The defaults.
    public init() {}
}

/// Where the renderer runs an evaluation.
public enum EvaluationIsolation: String, Sendable, CaseIterable {
    /// On a thread of the server process: fastest, but a crash in the engine ends the server.
    case thread
    /// In a worker process (`jaas eval-worker`): a crash ends only that evaluation.
    case process
}

extension RendererConfiguration {
    /// Takes the import directories, external variables and evaluation limits of `settings`
    /// (the evaluation flags `jaas` and `jaas mcp` share).
    public mutating func apply(_ settings: EvaluationSettings) {
        libraryPaths = settings.libraryPaths
        externalVariables = settings.externalVariables
        evaluationTimeout = settings.timeout
        maxStack = settings.maxStack
        evaluationMemoryLimit = settings.memoryLimit
        maxConcurrentEvaluations = settings.maxConcurrentEvaluations
    }
}
