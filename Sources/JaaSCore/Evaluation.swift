import Jsonnet
import Synchronization

/// The one way the renderer, MCP and the operator evaluate an ``EvaluationJob``: in a
/// worker process of a ``WorkerPool``, or without one on a thread of this process
/// running the very code a worker runs (docs/architecture.md, "Worker isolation").
/// Either way the result is a ``WorkerOutcome``; ``WorkerOutcome/renderResult`` is
/// what it means to the renderer and MCP.
public enum Evaluation {
    /// Runs `job` in `workers`, or (nil) on a thread of this process; cancelling
    /// `cancellation` stops it either way.
    public static func run(_ job: EvaluationJob, in workers: WorkerPool?,
                           cancellation: CancellationToken?) async -> WorkerReply {
        if let workers { return await workers.evaluate(job, cancellation: cancellation) }
        return await EvaluationWorker.runOnThread(job, cancellation: cancellation)
    }

    /// Runs `job` under `gate` (its concurrency cap and timeout, which should be the
    /// job's): the output and the files it was made from (for files on disk), or the
    /// ``RenderError`` the outcome means.
    public static func run(_ job: EvaluationJob, in workers: WorkerPool?,
                           gate: EvaluationGate) async throws(RenderError) -> (output: String, closure: ImportClosure?) {
        let observed = ObservedClosure()
        let output = try await gate.run { token in
            let reply = await run(job, in: workers, cancellation: token)
            observed.closure.withLock { $0 = reply.closure }
            return reply.outcome.renderResult
        }
        return (output, observed.closure.withLock { $0 })
    }
}

/// The import closure an evaluation reported, handed from the gate's task to the caller.
private final class ObservedClosure: Sendable {
    let closure = Mutex<ImportClosure?>(nil)
}

extension WorkerOutcome {
    /// The outcome as the renderer and MCP report it; a crash is an evaluation failure
    /// whose diagnostic says how the worker died.
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
