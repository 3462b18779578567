import Jsonnet

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

    /// Evaluates `request` (without consulting the cache) through ``Evaluation`` and
    /// stores a successful output in the cache. Cancelling the calling task stops the evaluation.
    public func evaluate(_ request: RenderRequest) async throws(RenderError) -> String {
        let job = EvaluationJob(entryPath: request.entryPath, fileName: request.fileName,
                                files: .fileSystem(libraryPaths: request.libraryPaths),
                                externalVariables: request.externalVariables,
                                topLevelArguments: request.topLevelArguments, maxStack: request.maxStack,
                                memoryLimit: request.memoryLimit, timeout: gate.timeout)
        let (output, closure) = try await Evaluation.run(job, in: workers, gate: gate)
        if let closure { cache?.store(request, output: output, closure: closure) }
        return output
    }
}
