import Jsonnet
import Synchronization

/// Renders Jsonnet files from disk through an ``EvaluationGate``, remembering each
/// output in a ``RenderCache`` together with the files it was made from.
public final class FileRenderer: Sendable {
    /// The concurrency cap and timeout every evaluation passes.
    public let gate: EvaluationGate
    /// The render cache (nil = caching off).
    public let cache: RenderCache?
    /// Where evaluations run: worker processes, or (nil) threads of this process.
    public let workers: WorkerPool?

    /// A renderer evaluating through `gate`, caching in `cache` when given, in the
    /// worker processes of `workers` when given.
    public init(gate: EvaluationGate, cache: RenderCache?, workers: WorkerPool? = nil) {
        self.gate = gate
        self.cache = cache
        self.workers = workers
    }

    /// The cached output for `request` when every file it depends on is unchanged.
    public func cachedOutput(for request: RenderRequest) -> String? {
        cache?.lookup(request)
    }

    /// Evaluates `request` (without consulting the cache) and stores a successful
    /// output in the cache. Cancelling the calling task stops the evaluation.
    public func evaluate(_ request: RenderRequest) async throws(RenderError) -> String {
        if let workers { return try await evaluate(request, in: workers) }
        let importer = RecordingImporter(libraryPaths: request.libraryPaths)
        guard let entry = importer.readEntry(request.entryPath) else { throw .entryNotFound }
        let options = EvaluationOptions(importer: importer,
                                        externalVariables: request.externalVariables,
                                        topLevelArguments: request.topLevelArguments,
                                        maxStack: request.maxStack,
                                        memoryLimit: request.memoryLimit)
        let output = try await gate.evaluate(source: String(decoding: entry, as: UTF8.self),
                                             fileName: request.fileName, options: options)
        cache?.store(request, output: output, closure: importer.closure)
        return output
    }

    /// The same in a worker process, which reads the files and reports what it read.
    private func evaluate(_ request: RenderRequest, in workers: WorkerPool) async throws(RenderError) -> String {
        let job = EvaluationJob(entryPath: request.entryPath, fileName: request.fileName,
                                files: .fileSystem(libraryPaths: request.libraryPaths),
                                externalVariables: request.externalVariables,
                                topLevelArguments: request.topLevelArguments, maxStack: request.maxStack,
                                memoryLimit: request.memoryLimit, timeout: gate.timeout)
        let observed = ObservedClosure()
        let output = try await gate.run { token in
            let reply = await workers.evaluate(job, cancellation: token)
            observed.closure.withLock { $0 = reply.closure }
            return reply.outcome.renderResult
        }
        if let closure = observed.closure.withLock({ $0 }) {
            cache?.store(request, output: output, closure: closure)
        }
        return output
    }
}

/// The import closure a worker reported, handed from the gate's task to the caller.
private final class ObservedClosure: Sendable {
    let closure = Mutex<ImportClosure?>(nil)
}

extension WorkerOutcome {
    /// The outcome as the renderer, MCP and the operator report it; a crash is an
    /// evaluation failure whose diagnostic says how the worker died.
    public var renderResult: Result<String, RenderError> {
        switch self {
        case .output(let text): .success(text)
        case .evaluationFailed(let diagnostic), .crashed(let diagnostic): .failure(.evaluationFailed(diagnostic: diagnostic))
        case .entryNotFound: .failure(.entryNotFound)
        case .timedOut: .failure(.timedOut)
        case .cancelled: .failure(.cancelled)
        case .outputTooLarge(let limit): .failure(.evaluationFailed(diagnostic: "the output is over the \(limit)-byte cap"))
        }
    }
}
