#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Jsonnet
import Synchronization

/// Evaluations in worker processes, so that a crash (a trap, a native stack
/// overflow, an allocation failure, a CPU or address-space limit) ends one worker
/// and one evaluation, never the server.
///
/// Workers are the `jaas` binary run as `jaas eval-worker` (see ``EvaluationWorker``),
/// one job at a time each. Up to ``Configuration/maxIdleWorkers`` idle workers are
/// kept for reuse; a dead worker is replaced at once. A job's caller gets a
/// ``WorkerReply`` whatever happens: a crash becomes ``WorkerOutcome/crashed(_:)``
/// with a message naming the signal or exit status.
public final class WorkerPool: Sendable {
    /// How workers are started and kept.
    public struct Configuration: Sendable {
        /// The `jaas` binary.
        public var executable: String
        /// Arguments after the executable (the worker subcommand and its limits).
        public var arguments: [String]
        /// Idle workers kept for the next jobs.
        public var maxIdleWorkers: Int
        /// How long a worker may overrun its job's timeout, or a cancellation,
        /// before it is killed.
        public var grace: Duration
        /// The largest reply read from a worker; a larger one (a huge render) ends
        /// the worker and the job is ``WorkerOutcome/outputTooLarge(limit:)``.
        public var maxReplyBytes = Wire.maxBodyBytes

        /// Workers of `executable` (`jaas`) with an address-space limit (nil = none), each
        /// in a network namespace of its own when `isolateNetwork` (see ``WorkerPool/probeNetworkIsolation(executable:)``).
        public init(executable: String, addressSpaceLimit: Int?, maxIdleWorkers: Int = 4,
                    grace: Duration = .milliseconds(500), isolateNetwork: Bool = false) {
            self.executable = executable
            self.arguments = [EvaluationWorker.subcommand] + (addressSpaceLimit.map {
                [EvaluationWorker.addressSpaceLimitFlag, String($0)]
            } ?? []) + (isolateNetwork ? [EvaluationWorker.isolateNetworkFlag] : [])
            self.maxIdleWorkers = maxIdleWorkers
            self.grace = grace
        }
    }

    /// The address-space limit of a worker whose evaluations have `memoryLimit`
    /// bytes: twice the budget plus 2 GiB (the evaluation thread's reserved stack,
    /// the runtime, allocator slack), so the engine's own accounting fails first;
    /// nil (no limit) without a budget.
    public static func addressSpaceLimit(forMemoryLimit memoryLimit: Int?) -> Int? {
        guard let memoryLimit, memoryLimit <= (Int.max - (2 << 30)) / 2 else { return nil }
        return memoryLimit * 2 + (2 << 30)
    }

    /// Whether workers of `executable` can leave the host's network here: starts one with
    /// `--isolate-network` and no job. Nil when they can, else why not.
    public static func probeNetworkIsolation(executable: String) -> String? {
        let worker: WorkerProcess
        do {
            worker = try WorkerProcess.spawn(executable: executable,
                                             arguments: [EvaluationWorker.subcommand, EvaluationWorker.isolateNetworkFlag])
        } catch {
            return "cannot start \(executable): \(error)"
        }
        let ended = worker.retire()
        return ended == "exited with status 0" ? nil : "a worker started with \(EvaluationWorker.isolateNetworkFlag) \(ended)"
    }

    /// Counters describing the pool.
    public struct Statistics: Sendable, Equatable {
        /// Workers started so far.
        public var started = 0
        /// Workers that died during a job (crashes, limits, protocol errors).
        public var crashed = 0
        /// Workers killed because their job ran past its timeout or was cancelled.
        public var killed = 0
    }

    private struct State {
        var idle: [WorkerProcess] = []
        var busy: Set<pid_t> = []
        var statistics = Statistics()
    }

    /// The configuration the pool was built with.
    public let configuration: Configuration
    private let state = Mutex(State())

    /// A pool starting workers as `configuration` says; none is started yet.
    public init(configuration: Configuration) {
        self.configuration = configuration
        // A worker that died leaves a broken pipe; writing to it must fail, not kill us.
        signal(SIGPIPE, SIG_IGN)
    }

    /// A snapshot of the counters.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// The process ids of the workers running a job right now.
    public var busyProcessIDs: [Int32] { state.withLock { $0.busy.sorted() } }

    /// Starts `count` idle workers (at most ``Configuration/maxIdleWorkers``) in the background.
    public func prewarm(_ count: Int) {
        detachThread { self.replenish(upTo: count) }
    }

    /// Runs `job` in a worker. Setting `cancellation` stops it (the worker is
    /// killed if it does not answer within the grace period).
    public func evaluate(_ job: EvaluationJob, cancellation: CancellationToken? = nil) async -> WorkerReply {
        let token = cancellation ?? CancellationToken()
        return await withCheckedContinuation { continuation in
            detachThread {
                let (reply, workerDied) = self.run(job, token)
                continuation.resume(returning: reply)
                if workerDied { self.replenish(upTo: 1) }
            }
        }
    }

    /// Stops the idle workers.
    public func shutdown() {
        let idle = state.withLock { state in
            defer { state.idle = [] }
            return state.idle
        }
        for worker in idle { worker.retire() }
    }

    /// The blocking part of a job, on a thread of its own: the reply, and whether
    /// the worker died (so a replacement should be started).
    private func run(_ job: EvaluationJob, _ token: CancellationToken) -> (WorkerReply, Bool) {
        // Measured before encoding: a job of hostile size never gets a buffer.
        guard job.encodedSize <= Wire.maxBodyBytes else {
            return (WorkerReply(outcome: .evaluationFailed("the evaluation's files are over \(Wire.maxBodyBytes) bytes")),
                    false)
        }
        let body = job.encoded()
        let worker: WorkerProcess
        do {
            worker = try takeIdle() ?? startWorker()
        } catch {
            return (WorkerReply(outcome: .crashed("evaluation crashed: cannot start a worker process: \(error)")), false)
        }
        state.withLock { _ = $0.busy.insert(worker.pid) }
        defer { state.withLock { _ = $0.busy.remove(worker.pid) } }
        // Header and body go separately: no second copy of a large job.
        guard worker.send(Wire.header(length: body.count)), worker.send(body) else {
            return (crashed(worker, worker.kill()), true)
        }
        let deadline = job.timeout.map { ContinuousClock.now + $0 + configuration.grace }
        var cancelledAt: ContinuousClock.Instant?
        let received = worker.receive(deadline: deadline, maxBodyBytes: configuration.maxReplyBytes) {
            guard token.isCancelled else { return nil }
            let at = cancelledAt ?? .now
            cancelledAt = at
            return at + configuration.grace
        }
        switch received {
        case .body(let bytes):
            do {
                let reply = try WorkerReply(decoding: bytes)
                giveBack(worker)
                return (reply, false)
            } catch {
                worker.kill()
                return (crashed(worker, "sent a malformed reply (\(error))"), true)
            }
        case .tooLarge:
            worker.kill()
            return (WorkerReply(outcome: .outputTooLarge(limit: configuration.maxReplyBytes)), true)
        case .closed:
            return (crashed(worker, worker.waitForExit()), true)
        case .malformed(let problem):
            worker.kill()
            return (crashed(worker, "broke the protocol (\(problem))"), true)
        case .deadlinePassed:
            worker.kill()
            state.withLock { $0.statistics.killed += 1 }
            return (WorkerReply(outcome: token.isCancelled ? .cancelled : .timedOut), true)
        }
    }

    private func crashed(_ worker: WorkerProcess, _ how: String) -> WorkerReply {
        state.withLock { $0.statistics.crashed += 1 }
        return WorkerReply(outcome: .crashed("evaluation crashed: the worker process (pid \(worker.pid)) \(how)"))
    }

    private func takeIdle() -> WorkerProcess? {
        while let worker = state.withLock({ $0.idle.popLast() }) {
            if worker.isAlive { return worker }
            _ = worker.waitForExit()
        }
        return nil
    }

    private func startWorker() throws(WireError) -> WorkerProcess {
        let worker = try WorkerProcess.spawn(executable: configuration.executable, arguments: configuration.arguments)
        state.withLock { $0.statistics.started += 1 }
        return worker
    }

    private func giveBack(_ worker: WorkerProcess) {
        let kept = state.withLock { state -> Bool in
            guard state.idle.count < configuration.maxIdleWorkers else { return false }
            state.idle.append(worker)
            return true
        }
        if !kept { worker.retire() }
    }

    /// Starts workers until `count` more are idle or the idle list is full.
    private func replenish(upTo count: Int) {
        for _ in 0..<count {
            guard state.withLock({ $0.idle.count < configuration.maxIdleWorkers }),
                  let worker = try? startWorker() else { return }
            giveBack(worker)
        }
    }
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// Runs `body` on a new detached thread (blocking I/O stays off the Swift concurrency pool).
func detachThread(_ body: @escaping @Sendable () -> Void) {
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    defer { pthread_attr_destroy(&attr) }
    pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, &attr, { raw in
        Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, box)
    if rc != 0 {
        Unmanaged<ThreadBody>.fromOpaque(box).release()
        body()
    }
}
