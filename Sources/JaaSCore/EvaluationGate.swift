import Jsonnet
import Synchronization

/// Admits evaluations up to a concurrency cap and stops each one at its timeout.
///
/// Beyond the cap an evaluation is refused at once (``RenderError/unavailable``),
/// never queued. At the timeout the caller gets ``RenderError/timedOut`` and the
/// evaluation's cancellation token is set, so its thread stops within microseconds of
/// work; cancelling the caller's task does the same. A slot stays taken until the
/// evaluation thread has really finished, so the cap bounds the CPU work in progress.
public final class EvaluationGate: Sendable {
    /// Counters describing the gate, read by the metrics endpoint.
    public struct Statistics: Sendable, Equatable {
        /// All zero.
        public init() {}
        /// Evaluations whose thread is running.
        public var inFlight = 0
        /// The cap (0 = none).
        public var maxConcurrent = 0
        /// Evaluations refused because the cap was full.
        public var unavailableTotal = 0
        /// Evaluations answered with a timeout.
        public var timedOutTotal = 0
        /// Evaluations answered with a timeout whose thread has not finished yet.
        public var outstandingTimedOut = 0
    }

    /// At most this many evaluations run at once (0 = no cap).
    public let maxConcurrent: Int
    /// Each evaluation is stopped after this long (nil = never).
    public let timeout: Duration?
    private let state: Mutex<Statistics>

    /// A gate admitting `maxConcurrent` evaluations (0 = no cap), each for at most `timeout`.
    public init(maxConcurrent: Int, timeout: Duration?) {
        self.maxConcurrent = maxConcurrent
        self.timeout = timeout
        var initial = Statistics()
        initial.maxConcurrent = maxConcurrent
        state = Mutex(initial)
    }

    /// A snapshot of the counters.
    public var statistics: Statistics { state.withLock { $0 } }

    /// Evaluates `source` to pretty JSON under the cap and the timeout.
    /// `options.cancellation` and `options.timeout` are replaced by the gate's own.
    public func evaluate(source: String, fileName: String,
                         options: EvaluationOptions) async throws(RenderError) -> String {
        let timeout = self.timeout
        return try await run { token in
            var options = options
            options.cancellation = token
            // The engine also watches the deadline on its own thread, so the evaluation
            // stops on time even when the timer task is slow to be scheduled.
            options.timeout = timeout
            return await Self.run(source: source, fileName: fileName, options: options)
        }
    }

    /// Runs `work` under the cap and the timeout. `work` must stop soon after the
    /// token it is given is cancelled (at the timeout, or when the caller's task is
    /// cancelled); its slot stays taken until it returns.
    public func run(_ work: @escaping @Sendable (CancellationToken) async -> Result<String, RenderError>)
    async throws(RenderError) -> String {
        guard admit() else { throw .unavailable }
        let pending = PendingEvaluation()
        let timer = timeout.map { startTimer(pending, after: $0) }
        Task {
            let outcome = await work(pending.token)
            timer?.cancel()
            state.withLock { stats in
                stats.inFlight -= 1
                if pending.settle(outcome) {
                    if outcome == .failure(.timedOut) { stats.timedOutTotal += 1 }
                } else if pending.wasTimedOut {
                    stats.outstandingTimedOut -= 1
                }
            }
        }
        let outcome = await withTaskCancellationHandler {
            await pending.wait()
        } onCancel: {
            _ = pending.settle(.failure(.cancelled))
            pending.token.cancel()
        }
        return try outcome.get()
    }

    /// Runs `body`, an evaluation made by the caller itself (the operator's renderer),
    /// under the cap: it counts as in flight while it runs, and beyond the cap it is
    /// refused at once with ``RenderError/unavailable`` without running. The caller
    /// enforces its own timeout.
    public func admitting<T>(_ body: () async throws -> T) async throws -> T {
        guard admit() else { throw RenderError.unavailable }
        defer { state.withLock { $0.inFlight -= 1 } }
        return try await body()
    }

    /// Counts an evaluation run through ``admitting(_:)`` that the caller stopped at its timeout.
    public func countTimedOut() {
        state.withLock { $0.timedOutTotal += 1 }
    }

    private func admit() -> Bool {
        state.withLock { stats in
            if maxConcurrent > 0 && stats.inFlight >= maxConcurrent {
                stats.unavailableTotal += 1
                return false
            }
            stats.inFlight += 1
            return true
        }
    }

    private func startTimer(_ pending: PendingEvaluation, after timeout: Duration) -> Task<Void, Never> {
        Task {
            do { try await Task.sleep(for: timeout) } catch { return }
            state.withLock { stats in
                if pending.settle(.failure(.timedOut)) {
                    stats.timedOutTotal += 1
                    stats.outstandingTimedOut += 1
                }
            }
            pending.token.cancel()
        }
    }

    private static func run(source: String, fileName: String,
                            options: EvaluationOptions) async -> Result<String, RenderError> {
        do {
            switch try await Jsonnet.evaluateAsync(source: source, fileName: fileName, options: options) {
            case .single(let text): return .success(text)
            case .multi: return .failure(.evaluationFailed(diagnostic: "unexpected multi-file output"))
            }
        } catch EvaluationCancelled.timedOut {
            return .failure(.timedOut)
        } catch is EvaluationCancelled {
            return .failure(.cancelled)
        } catch {
            return .failure(.evaluationFailed(diagnostic: String(describing: error)))
        }
    }
}

/// The rendezvous between an evaluation, its timer and its caller: the first
/// outcome settled is the one the caller gets.
private final class PendingEvaluation: Sendable {
    let token = CancellationToken()
    private struct State {
        var continuation: CheckedContinuation<Result<String, RenderError>, Never>?
        var outcome: Result<String, RenderError>?
    }
    private let state = Mutex(State())

    /// Records `outcome` and wakes the caller unless an outcome was settled already;
    /// true when this call settled it.
    func settle(_ outcome: Result<String, RenderError>) -> Bool {
        let (settled, continuation) = state.withLock { state -> (Bool, CheckedContinuation<Result<String, RenderError>, Never>?) in
            guard state.outcome == nil else { return (false, nil) }
            state.outcome = outcome
            defer { state.continuation = nil }
            return (true, state.continuation)
        }
        continuation?.resume(returning: outcome)
        return settled
    }

    /// Whether the settled outcome is the timeout.
    var wasTimedOut: Bool {
        state.withLock { $0.outcome == .failure(.timedOut) }
    }

    /// Waits for the first settled outcome.
    func wait() async -> Result<String, RenderError> {
        await withCheckedContinuation { continuation in
            let settled = state.withLock { state -> Result<String, RenderError>? in
                if let outcome = state.outcome { return outcome }
                state.continuation = continuation
                return nil
            }
            if let settled { continuation.resume(returning: settled) }
        }
    }
}
