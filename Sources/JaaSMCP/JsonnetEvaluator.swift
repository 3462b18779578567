import JaaSCore
import Jsonnet

/// Evaluates the Jsonnet text of a render tool call under the server's limits:
/// the shared ``EvaluationGate`` (concurrency cap and timeout), `--max-stack` and
/// the per-evaluation memory budget.
public struct JsonnetEvaluator: Sendable {
    /// Where `import`, `importstr` and `importbin` look.
    public enum Imports: Sendable {
        /// The file system with `jsonnet -J` semantics: relative to the working
        /// directory, then the library paths, the right-most first. For `jaas mcp`
        /// on the user's own machine.
        case fileSystem(libraryPaths: [String])
        /// Only in-memory library trees by alias, as operator snippets import them
        /// (docs/operator/sources.md, "Libraries"). Nothing else on disk is reachable, so a network client cannot
        /// read the operator's files or credentials.
        case libraries([String: [String: [UInt8]]])
    }

    /// The name of the evaluated text in diagnostics and `std.thisFile`.
    public static let fileName = "snippet.jsonnet"

    /// The imports.
    public let imports: Imports
    /// The server's `--ext-var` bindings; a call's `extVars`/`extCode` override them.
    public let externalVariables: [String: ExternalValue]
    /// The maximum Jsonnet stack depth (`--max-stack`).
    public let maxStack: Int
    /// Per-evaluation memory budget in bytes (nil = none).
    public let memoryLimit: Int?
    /// Admits evaluations up to the cap and stops each at the timeout.
    public let gate: EvaluationGate
    /// Worker processes for ``Imports/libraries`` evaluations (nil = threads of this process).
    public let workers: WorkerPool?

    /// An evaluator with these imports, variables and limits.
    public init(imports: Imports, externalVariables: [String: ExternalValue], maxStack: Int, memoryLimit: Int?,
                gate: EvaluationGate, workers: WorkerPool? = nil) {
        self.imports = imports
        self.externalVariables = externalVariables
        self.maxStack = maxStack
        self.memoryLimit = memoryLimit
        self.gate = gate
        self.workers = workers
    }

    /// The pretty JSON `arguments.source` evaluates to, or why there is none. Library
    /// imports go through ``JaaSCore/Evaluation`` (in `workers` when given); files on
    /// disk (`jaas mcp`) are read on a thread of this process.
    func evaluate(_ arguments: RenderArguments) async -> Result<String, RenderError> {
        let variables = externalVariables.merging(arguments.externalVariables) { _, call in call }
        do throws(RenderError) {
            switch imports {
            case .libraries(let libraries):
                let job = EvaluationJob(entryPath: Self.fileName, fileName: Self.fileName,
                                        files: .trees(snippet: [Self.fileName: Array(arguments.source.utf8)],
                                                      libraries: libraries),
                                        externalVariables: variables, topLevelArguments: arguments.topLevelArguments,
                                        maxStack: maxStack, memoryLimit: memoryLimit, timeout: gate.timeout)
                return .success(try await Evaluation.run(job, in: workers, gate: gate).output)
            case .fileSystem(let paths):
                let options = EvaluationOptions(importer: FileSystemImporter(libraryPaths: paths), externalVariables: variables,
                                                topLevelArguments: arguments.topLevelArguments, maxStack: maxStack,
                                                memoryLimit: memoryLimit)
                return .success(try await gate.evaluate(source: arguments.source, fileName: Self.fileName, options: options))
            }
        } catch {
            return .failure(error)
        }
    }
}
