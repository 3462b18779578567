import NIOConcurrencyHelpers

/// A queue of keys to reconcile, as controllers use it:
///
/// - a key is queued at most once, however often it is added;
/// - a key being processed (between `get()` and `done(_:)`) is not handed to a second
///   worker; if it is added meanwhile it is queued again once `done` is called;
/// - `addAfter` delays an add (the earliest pending deadline per key wins);
/// - `addRateLimited` delays by a per-key exponential backoff until `forget` resets it;
/// - `shutdown()` makes `get()` return `nil` and ignores later adds.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Key?, Never>
    }

    private struct State {
        var queue: [Key] = []
        var head = 0
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var timers: [Key: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)] = [:]
        var failures: [Key: Int] = [:]
        var shuttingDown = false

        var queuedCount: Int { queue.count - head }

        mutating func pop() -> Key? {
            guard head < queue.count else { return nil }
            let key = queue[head]
            head += 1
            if head > 64, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            processing.insert(key)
            dirty.remove(key)
            return key
        }

        /// Hands queued keys to waiting workers; returns the resumptions to perform outside the lock.
        mutating func matchWaiters() -> [(CheckedContinuation<Key?, Never>, Key)] {
            var handed: [(CheckedContinuation<Key?, Never>, Key)] = []
            while !waiters.isEmpty, let key = pop() {
                handed.append((waiters.removeFirst().continuation, key))
            }
            return handed
        }
    }

    private let state = NIOLockedValueBox(State())
    /// The first `addRateLimited` delay; doubles per consecutive failure of the key.
    public let baseDelay: Duration
    /// The cap on the `addRateLimited` delay.
    public let maxDelay: Duration

    /// An empty queue with per-key backoff from `baseDelay` (doubling) to `maxDelay`.
    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(300)) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Queues `key` unless it is already queued (or in a shut-down queue).
    public func add(_ key: Key) {
        let handed = state.withLockedValue { state -> [(CheckedContinuation<Key?, Never>, Key)] in
            guard !state.shuttingDown, !state.dirty.contains(key) else { return [] }
            state.dirty.insert(key)
            guard !state.processing.contains(key) else { return [] }
            state.queue.append(key)
            return state.matchWaiters()
        }
        for (continuation, key) in handed { continuation.resume(returning: key) }
    }

    /// The next key to process, waiting for one; `nil` once the queue is shut down or
    /// the calling task is cancelled. Call `done(_:)` when finished with the key.
    public func get() async -> Key? {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let immediate: Key?? = state.withLockedValue { state in
                    if state.shuttingDown || Task.isCancelled { return .some(nil) }
                    if state.waiters.isEmpty, let key = state.pop() { return .some(key) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: nil)
        }
    }

    /// Marks `key` as processed; if it was added meanwhile, it is queued again.
    public func done(_ key: Key) {
        let handed = state.withLockedValue { state -> [(CheckedContinuation<Key?, Never>, Key)] in
            state.processing.remove(key)
            guard state.dirty.contains(key), !state.shuttingDown else { return [] }
            state.queue.append(key)
            return state.matchWaiters()
        }
        for (continuation, key) in handed { continuation.resume(returning: key) }
    }

    /// Adds `key` after `delay`; an earlier pending deadline for the key wins.
    public func addAfter(_ key: Key, delay: Duration) {
        guard delay > .zero else { return add(key) }
        let deadline = ContinuousClock.now + delay
        state.withLockedValue { state in
            guard !state.shuttingDown else { return }
            if let pending = state.timers[key], pending.deadline <= deadline { return }
            state.timers[key]?.task.cancel()
            let task = Task { [weak self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                self?.fire(key, deadline: deadline)
            }
            state.timers[key] = (deadline, task)
        }
    }

    private func fire(_ key: Key, deadline: ContinuousClock.Instant) {
        let due = state.withLockedValue { state -> Bool in
            guard let pending = state.timers[key], pending.deadline == deadline else { return false }
            state.timers[key] = nil
            return true
        }
        if due { add(key) }
    }

    /// Adds `key` after its backoff: `baseDelay * 2^failures`, capped at `maxDelay`;
    /// each call counts one more failure.
    public func addRateLimited(_ key: Key) {
        let failures = state.withLockedValue { state -> Int in
            let count = state.failures[key, default: 0]
            state.failures[key] = count + 1
            return count
        }
        addAfter(key, delay: Backoff.exponential(initial: baseDelay, max: maxDelay, step: failures))
    }

    /// Resets the backoff of `key` (call after it was processed successfully).
    public func forget(_ key: Key) {
        state.withLockedValue { _ = $0.failures.removeValue(forKey: key) }
    }

    /// How many `addRateLimited` calls `key` has had since its last `forget`.
    public func numRequeues(_ key: Key) -> Int {
        state.withLockedValue { $0.failures[key, default: 0] }
    }

    /// Keys waiting to be handed out (not counting delayed or in-process ones).
    public var count: Int {
        state.withLockedValue { $0.queuedCount }
    }

    /// Whether `shutdown()` was called.
    public var isShuttingDown: Bool {
        state.withLockedValue { $0.shuttingDown }
    }

    /// Stops the queue: waiting and future `get()` calls return `nil`, pending delayed
    /// adds are cancelled, later adds are ignored.
    public func shutdown() {
        let (waiters, timers) = state.withLockedValue { state in
            state.shuttingDown = true
            let waiters = state.waiters
            state.waiters = []
            let timers = state.timers.values.map(\.task)
            state.timers = [:]
            return (waiters, timers)
        }
        for timer in timers { timer.cancel() }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
    }
}
