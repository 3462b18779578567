import NIOConcurrencyHelpers

/// Runs `body` in a task of its own and returns what it returns. When the calling
/// task is cancelled, `body` is cancelled too and given at most `grace` to end;
/// if it has not ended by then it is abandoned (it goes on, cancelled, in the
/// background) and this throws `CancellationError`, so a shutdown never waits
/// longer than `grace` for work stuck in a call that ignores cancellation.
public func withStopDeadline<T: Sendable>(
    _ grace: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let task = Task { try await body() }
    let outcome = OneShot<Result<T, any Error>>()
    let value = await withTaskCancellationHandler {
        await outcome.wait {
            Task {
                let result = await task.result
                outcome.resolve(result)
            }
        }
    } onCancel: {
        task.cancel()
        Task {
            try? await Task.sleep(for: grace)
            outcome.resolve(.failure(CancellationError()))
        }
    }
    return try value.get()
}

/// Runs `body` in a new task (which does not inherit the caller's cancellation)
/// and waits for it at most `limit`; past that it is cancelled and left behind.
/// Returns whether it ended in time. For clean-up that must run during shutdown,
/// such as releasing a Lease, without letting an unreachable server hold it up.
@discardableResult
public func runDetached(within limit: Duration, _ body: @escaping @Sendable () async -> Void) async -> Bool {
    let task = Task { await body() }
    let finished = OneShot<Bool>()
    let timer = Task {
        try? await Task.sleep(for: limit)
        finished.resolve(false)
    }
    let ended = await finished.wait {
        Task {
            await task.value
            finished.resolve(true)
        }
    }
    timer.cancel()
    if !ended { task.cancel() }
    return ended
}

/// A value that arrives once, awaited by one waiter; a value resolved before the
/// waiter arrives is kept for it, later ones are dropped.
final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        case resolved(Value)
        case done
    }

    private let state = NIOLockedValueBox(State.empty)

    /// Waits for the value (not cancellable: cancel whatever produces it instead);
    /// `start` runs once the waiter is registered.
    func wait(then start: () -> Void) async -> Value {
        await withCheckedContinuation { continuation in
            let early: Value? = state.withLockedValue { state in
                switch state {
                case .resolved(let value):
                    state = .done
                    return value
                default:
                    state = .waiting(continuation)
                    return nil
                }
            }
            if let early {
                continuation.resume(returning: early)
            } else {
                start()
            }
        }
    }

    /// Delivers `value` unless one was delivered already.
    func resolve(_ value: Value) {
        let waiter: CheckedContinuation<Value, Never>? = state.withLockedValue { state in
            switch state {
            case .empty:
                state = .resolved(value)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .resolved, .done:
                return nil
            }
        }
        waiter?.resume(returning: value)
    }
}
