import NIOConcurrencyHelpers

/// A queue of keys to reconcile, as controllers use it:
///
/// - a key is queued at most once, however often it is added;
/// - a key being processed (between `get()` and `done(_:)`) is not handed to a second
///   worker; if it is added meanwhile it is queued again once `done` is called;
/// - `addAfter` delays an add (the earliest pending deadline per key wins);
/// - `addRateLimited` delays by a per-key exponential backoff until `forget` resets it;
/// - `shutdown()` makes `get()` return `nil` and ignores later adds.
///
/// With ``Fairness``, keys belong to groups (a controller's namespaces): queued keys
/// are handed out round-robin across groups, first in first out within a group,
/// and a group never has more than `maxInFlight` keys being processed at once, so
/// one group with many slow keys can neither hold every worker nor delay another
/// group's key behind its backlog.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    /// How keys are shared out across groups.
    public struct Fairness: Sendable {
        /// The group of a key (e.g. its namespace).
        public var group: @Sendable (Key) -> String
        /// The most keys of one group processed at once (at least 1).
        public var maxInFlight: Int

        /// Groups keys with `group`, at most `maxInFlight` of a group at once.
        public init(maxInFlight: Int, group: @escaping @Sendable (Key) -> String) {
            self.group = group
            self.maxInFlight = max(1, maxInFlight)
        }
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Key?, Never>
    }

    /// One group's queued keys, first in first out.
    private struct Line {
        var keys: [Key] = []
        var head = 0
        var isEmpty: Bool { head >= keys.count }

        mutating func append(_ key: Key) { keys.append(key) }

        mutating func popFirst() -> Key? {
            guard head < keys.count else { return nil }
            let key = keys[head]
            head += 1
            if head > 64, head * 2 > keys.count {
                keys.removeFirst(head)
                head = 0
            }
            return key
        }
    }

    private struct State {
        let fairness: Fairness?
        /// Queued keys by group (one group, "", without fairness).
        var lines: [String: Line] = [:]
        /// Groups with queued keys, in turn order; `turn` is the next to look at.
        var rotation: [String] = []
        var turn = 0
        var queuedCount = 0
        var inFlight: [String: Int] = [:]
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var timers: [Key: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)] = [:]
        var failures: [Key: Int] = [:]
        var shuttingDown = false

        init(fairness: Fairness?) { self.fairness = fairness }

        func group(of key: Key) -> String { fairness?.group(key) ?? "" }

        mutating func enqueue(_ key: Key) {
            let group = group(of: key)
            if lines[group]?.isEmpty ?? true { rotation.append(group) }
            lines[group, default: Line()].append(key)
            queuedCount += 1
        }

        /// The next key of the first group in turn that may take one more.
        mutating func pop() -> Key? {
            guard queuedCount > 0 else { return nil }
            let cap = fairness?.maxInFlight ?? .max
            for step in 0..<rotation.count {
                let index = (turn + step) % rotation.count
                let group = rotation[index]
                guard inFlight[group, default: 0] < cap, let key = lines[group]?.popFirst() else { continue }
                queuedCount -= 1
                if lines[group]!.isEmpty {
                    lines[group] = nil
                    rotation.remove(at: index)
                    turn = rotation.isEmpty ? 0 : index % rotation.count
                } else {
                    turn = (index + 1) % rotation.count
                }
                inFlight[group, default: 0] += 1
                processing.insert(key)
                dirty.remove(key)
                return key
            }
            return nil
        }

        mutating func finish(_ key: Key) {
            guard processing.remove(key) != nil else { return }
            let group = group(of: key)
            let left = inFlight[group, default: 1] - 1
            inFlight[group] = left > 0 ? left : nil
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

    private let state: NIOLockedValueBox<State>
    /// Called with each key newly queued (not one already waiting): see `observeAdds(_:)`.
    private let onAdd = NIOLockedValueBox<(@Sendable (Key) -> Void)?>(nil)
    /// The first `addRateLimited` delay; doubles per consecutive failure of the key.
    public let baseDelay: Duration
    /// The cap on the `addRateLimited` delay.
    public let maxDelay: Duration

    /// An empty queue with per-key backoff from `baseDelay` (doubling) to `maxDelay`,
    /// sharing keys out across groups with `fairness` (nil: one first-in-first-out line).
    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(300), fairness: Fairness? = nil) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        state = NIOLockedValueBox(State(fairness: fairness))
    }

    /// Queues `key` unless it is already queued (or in a shut-down queue).
    public func add(_ key: Key) {
        var added = false
        let handed = state.withLockedValue { state -> [(CheckedContinuation<Key?, Never>, Key)] in
            guard !state.shuttingDown, !state.dirty.contains(key) else { return [] }
            state.dirty.insert(key)
            added = true
            guard !state.processing.contains(key) else { return [] }
            state.enqueue(key)
            return state.matchWaiters()
        }
        if added, let onAdd = onAdd.withLockedValue({ $0 }) { onAdd(key) }
        for (continuation, key) in handed { continuation.resume(returning: key) }
    }

    /// Calls `observer` with each key `add` queues (a key already waiting is not
    /// queued twice): what a queue's `adds_total` metric counts.
    public func observeAdds(_ observer: @escaping @Sendable (Key) -> Void) {
        onAdd.withLockedValue { $0 = observer }
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
    /// Call it once per key handed out.
    public func done(_ key: Key) {
        let handed = state.withLockedValue { state -> [(CheckedContinuation<Key?, Never>, Key)] in
            state.finish(key)
            guard !state.shuttingDown else { return [] }
            // A re-added key goes to the back of its group's line; either way a
            // slot of its group is free again.
            if state.dirty.contains(key) { state.enqueue(key) }
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
