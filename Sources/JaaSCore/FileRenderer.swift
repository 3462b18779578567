import Jsonnet

/// Renders Jsonnet files from disk through an ``EvaluationGate``, remembering each
/// output in a ``RenderCache`` together with the files it was made from.
public final class FileRenderer: Sendable {
    /// The concurrency cap and timeout every evaluation passes.
    public let gate: EvaluationGate
    /// The render cache (nil = caching off).
    public let cache: RenderCache?

    /// A renderer evaluating through `gate`, caching in `cache` when given.
    public init(gate: EvaluationGate, cache: RenderCache?) {
        self.gate = gate
        self.cache = cache
    }

    /// The cached output for `request` when every file it depends on is unchanged.
    public func cachedOutput(for request: RenderRequest) -> String? {
        cache?.lookup(request)
    }

    /// Evaluates `request` (without consulting the cache) and stores a successful
    /// output in the cache. Cancelling the calling task stops the evaluation.
    public func evaluate(_ request: RenderRequest) async throws(RenderError) -> String {
        let importer = RecordingImporter(libraryPaths: request.libraryPaths)
        guard let entry = importer.readEntry(request.entryPath) else { throw .entryNotFound }
        let options = EvaluationOptions(importer: importer,
                                        externalVariables: request.externalVariables,
                                        topLevelArguments: request.topLevelArguments,
                                        maxStack: request.maxStack)
        let output = try await gate.evaluate(source: String(decoding: entry, as: UTF8.self),
                                             fileName: request.fileName, options: options)
        cache?.store(request, output: output, closure: importer.closure)
        return output
    }
}
