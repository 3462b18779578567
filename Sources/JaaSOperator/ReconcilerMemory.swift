import Foundation
import Synchronization

/// What the reconciler remembers between reconciles of a snippet (keyed by
/// `namespace/name`): its current failure streak and when its superseded
/// revisions are next due for collection. Lost on restart, which is fine: the
/// start-up list reconciles every snippet again.
final class ReconcilerMemory: Sendable {
    private struct State {
        var streaks: [String: (reason: String, count: Int)] = [:]
        var collectionDue: [String: Date] = [:]
    }
    private let state = Mutex(State())

    /// Records a failure with `reason`; returns how many failures with the same
    /// reason came right before it.
    func recordFailure(_ key: String, reason: String) -> Int {
        state.withLock { state in
            let previous = state.streaks[key].flatMap { $0.reason == reason ? $0.count : nil } ?? 0
            state.streaks[key] = (reason, previous + 1)
            return previous
        }
    }

    /// Ends a failure streak.
    func clearFailures(_ key: String) {
        _ = state.withLock { $0.streaks.removeValue(forKey: key) }
    }

    /// Schedules (or, with nil, cancels) the next collection of `key`.
    func scheduleCollection(_ key: String, at due: Date?) {
        state.withLock { $0.collectionDue[key] = due }
    }

    /// Keys whose collection is due at `now`.
    func dueCollections(now: Date = Date()) -> [String] {
        state.withLock { $0.collectionDue.filter { $0.value <= now }.map(\.key).sorted() }
    }

    /// Forgets a snippet that is gone.
    func forget(_ key: String) {
        state.withLock { state in
            state.streaks[key] = nil
            state.collectionDue[key] = nil
        }
    }
}

/// Mutual exclusion by key, for async code: a waiter gets the lock handed over in order.
actor KeyedLocks {
    private var held = Set<String>()
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Runs `body` while holding the lock for `key`.
    nonisolated func withLock<T: Sendable>(_ key: String, _ body: @Sendable () async throws -> T) async throws -> T {
        await lock(key)
        do {
            let result = try await body()
            await unlock(key)
            return result
        } catch {
            await unlock(key)
            throw error
        }
    }

    private func lock(_ key: String) async {
        if held.insert(key).inserted { return }
        await withCheckedContinuation { waiters[key, default: []].append($0) }
    }

    private func unlock(_ key: String) {
        guard var queue = waiters[key], !queue.isEmpty else {
            held.remove(key)
            return
        }
        let next = queue.removeFirst()
        waiters[key] = queue.isEmpty ? nil : queue
        next.resume()
    }
}
