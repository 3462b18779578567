import JaaSArtifacts
import NIOPosix
import JaaSCore
import Jsonnet

/// Renders a snippet's file tree into the artifact the operator publishes.
///
/// Pure apart from the evaluation itself: the same tree, variables and limits
/// always give the same artifact bytes, which is what makes re-publishing an
/// unchanged snippet byte-identical.
public struct SnippetRenderer: Sendable {
    /// The operator's `--ext-var` set; a snippet may not rebind these names.
    public var operatorExternalVariables: [String: String]
    /// The evaluation timeout.
    public var evaluationTimeout: Duration?
    /// The maximum Jsonnet stack depth (`--max-stack`).
    public var maxStack: Int
    /// `--max-artifact-bytes` (0 = off): cap on the content size.
    public var maxArtifactBytes: Int
    /// `--evaluation-memory-limit`: each evaluation's memory budget in bytes (nil = none).
    public var memoryLimit: Int?
    /// The worker processes evaluations run in (nil = threads of this process).
    public var workers: WorkerPool?

    /// Creates one from the given values.
    public init(operatorExternalVariables: [String: String] = [:], evaluationTimeout: Duration? = .seconds(5),
                maxStack: Int = 500, maxArtifactBytes: Int = 0, memoryLimit: Int? = nil, workers: WorkerPool? = nil) {
        self.operatorExternalVariables = operatorExternalVariables
        self.evaluationTimeout = evaluationTimeout
        self.maxStack = maxStack
        self.maxArtifactBytes = maxArtifactBytes
        self.memoryLimit = memoryLimit
        self.workers = workers
    }

    /// The artifact for `spec` over `tree` (the snippet's files, already
    /// narrowed to its source path), importing from `libraries` by alias (a ``LibraryImporter``).
    public func render(_ spec: JsonnetSnippetSpec, tree: FileTree, libraries: [String: FileTree] = [:],
                       cancellation: CancellationToken? = nil) async throws(ReconcileFailure) -> Artifact {
        let entry: String
        do {
            entry = try cleanRelativePath(spec.entry)
        } catch {
            throw ReconcileFailure(.invalidSpec, "entryFile \"\(spec.entry)\": \(error)")
        }
        if spec.output == .source {
            return try await packOffThePool(tree, revision: nil)
        }
        guard tree[entry] != nil else {
            throw ReconcileFailure(.invalidSpec, "entryFile \"\(entry)\" is not in the snippet's files")
        }
        let extVars = try externalVariables(spec)
        let tlas = try bindings(spec.tlas ?? [], what: "tlas")
        let job = EvaluationJob(entryPath: entry, fileName: entry, files: .trees(snippet: tree, libraries: libraries),
                                externalVariables: extVars, topLevelArguments: tlas, maxStack: maxStack,
                                maxTrace: 20, memoryLimit: memoryLimit, timeout: evaluationTimeout)
        let output = try outcome(await Evaluation.run(job, in: workers, cancellation: cancellation).outcome)
        let rendered = Array(output.utf8)
        return try await packOffThePool(["rendered.json": rendered], revision: nil, hashingContent: true)
    }

    /// The output of an evaluation, or the failure its outcome means to a reconcile.
    private func outcome(_ outcome: WorkerOutcome) throws(ReconcileFailure) -> String {
        switch outcome {
        case .output(let text): return text
        case .evaluationFailed(let diagnostic), .crashed(let diagnostic):
            throw ReconcileFailure(.evaluationFailed, diagnostic)
        case .entryNotFound: throw ReconcileFailure(.invalidSpec, "the entry file is not in the snippet's files")
        case .timedOut: throw timedOut
        case .cancelled: throw ReconcileFailure(.evaluationFailed, "evaluation cancelled")
        case .outputTooLarge(let limit):
            throw ReconcileFailure(.artifactTooLarge, "the rendered output is over the \(limit)-byte cap (--max-rendered-bytes)")
        }
    }

    private var timedOut: ReconcileFailure {
        ReconcileFailure(.evaluationTimeout, "evaluation exceeded \(evaluationTimeout.map { "\($0)" } ?? "its timeout")")
    }

    /// ``pack(_:revision:)`` on NIO's blocking pool: hashing, tar and gzip of up to
    /// `--max-rendered-bytes` take CPU seconds that must not hold the cooperative
    /// pool (which renews the Lease and serves the other tenants). With
    /// `hashingContent`, the revision is the digest of the one file's content.
    private func packOffThePool(_ files: FileTree, revision: String?,
                                hashingContent: Bool = false) async throws(ReconcileFailure) -> Artifact {
        let result: Result<Artifact, ReconcileFailure>
        do {
            result = try await NIOThreadPool.singleton.runIfActive { [self] () -> Result<Artifact, ReconcileFailure> in
                let revision = hashingContent ? files.values.first.map { ArtifactDigest(of: $0).description } : revision
                do throws(ReconcileFailure) { return .success(try pack(files, revision: revision)) } catch { return .failure(error) }
            }
        } catch {
            throw ReconcileFailure(.evaluationFailed, "cannot pack the artifact: the operator is shutting down")
        }
        return try result.get()
    }

    private func pack(_ files: FileTree, revision: String?) throws(ReconcileFailure) -> Artifact {
        let size = files.values.reduce(0) { $0 + $1.count }
        if maxArtifactBytes > 0 && size > maxArtifactBytes {
            throw ReconcileFailure(.artifactTooLarge, "content is \(size) bytes, over --max-artifact-bytes \(maxArtifactBytes)")
        }
        do {
            return try Artifact(files: files, revision: revision)
        } catch {
            throw ReconcileFailure(.evaluationFailed, "cannot pack the artifact: \(error)")
        }
    }

    /// The operator's variables plus the snippet's; rebinding an operator variable is a conflict.
    private func externalVariables(_ spec: JsonnetSnippetSpec) throws(ReconcileFailure) -> [String: ExternalValue] {
        var result = operatorExternalVariables.mapValues { ExternalValue.string($0) }
        let own = try bindings(spec.externalVariables ?? [], what: "externalVariables")
        let conflicts = own.keys.filter { operatorExternalVariables[$0] != nil }.sorted()
        if !conflicts.isEmpty {
            throw ReconcileFailure(.externalVariableConflict,
                                   "external variable(s) \(conflicts.joined(separator: ", ")) are set by the operator (--ext-var)")
        }
        result.merge(own) { _, new in new }
        return result
    }

    private func bindings(_ vars: [SnippetVariable], what: String) throws(ReconcileFailure) -> [String: ExternalValue] {
        var out: [String: ExternalValue] = [:]
        for v in vars {
            if out[v.name] != nil { throw ReconcileFailure(.invalidSpec, "\(what): duplicate name \"\(v.name)\"") }
            if v.code == true {
                guard let value = v.value, !value.isEmpty else {
                    throw ReconcileFailure(.invalidSpec, "\(what): \"\(v.name)\" has code: true but no value")
                }
                out[v.name] = .code(value)
            } else {
                out[v.name] = .string(v.value ?? "")
            }
        }
        return out
    }
}

extension SnippetRenderer {
    /// The worker pool every operator evaluation runs in: this binary as `jaas eval-worker`,
    /// two kept warm. A render larger than `maxRenderedBytes` is refused before the
    /// operator reads it.
    public static func workerPool(memoryLimit: Int?, isolateNetwork: Bool, maxRenderedBytes: Int) -> WorkerPool {
        var configuration = WorkerPool.Configuration(
            executable: "/proc/self/exe", addressSpaceLimit: WorkerPool.addressSpaceLimit(forMemoryLimit: memoryLimit),
            maxIdleWorkers: 2, isolateNetwork: isolateNetwork)
        // The reply frame carries the output plus a few bytes of framing.
        configuration.maxReplyBytes = maxRenderedBytes + 64
        let pool = WorkerPool(configuration: configuration)
        pool.prewarm(2)
        return pool
    }
}
