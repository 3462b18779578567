/// When and how long `KubeClient` waits before repeating a failed request.
///
/// `429 Too Many Requests` is retried for every method (the server did not process the
/// request), honouring `Retry-After`. `5xx` answers and transport failures are retried
/// only for idempotent requests (GET, PUT, DELETE, merge/strategic/apply PATCH).
public struct RetryPolicy: Sendable, Hashable {
    /// Total tries including the first; `1` disables retries.
    public var maxAttempts: Int
    /// The wait after the first failure; doubles per retry.
    public var initialBackoff: Duration
    /// The cap on the exponential wait.
    public var maxBackoff: Duration
    /// The cap on a server-requested `Retry-After`.
    public var maxRetryAfter: Duration

    /// A policy from its parts.
    public init(
        maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(5),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// Five tries, 200 ms doubling to 5 s, `Retry-After` up to a minute.
    public static let `default` = RetryPolicy()
    /// One try.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Whether an HTTP status is worth retrying for a request of this idempotency.
    func shouldRetry(code: Int, idempotent: Bool) -> Bool {
        if code == 429 { return true }
        return idempotent && [500, 502, 503, 504].contains(code)
    }

    /// The wait before retry number `retry` (1-based): the server's request if any, else exponential.
    func delay(retry: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        return Backoff.exponential(initial: initialBackoff, max: maxBackoff, step: retry - 1)
    }
}

/// Exponential backoff arithmetic shared by the client, the list-watcher and the work queue.
enum Backoff {
    /// `initial * 2^step`, capped at `max`.
    static func exponential(initial: Duration, max maximum: Duration, step: Int) -> Duration {
        var delay = initial
        var remaining = Swift.max(0, step)
        while remaining > 0, delay < maximum {
            delay *= 2
            remaining -= 1
        }
        return Swift.min(delay, maximum)
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
