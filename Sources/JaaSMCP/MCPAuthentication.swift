import Foundation
import JaaSArtifacts
import Kubernetes

/// Who an MCP request over HTTP comes from, once its bearer token was accepted.
public struct MCPCaller: Sendable, Hashable {
    /// The Kubernetes user the snippet tools act as (through impersonation); nil
    /// with `--mcp-authentication=none`, where they act with the operator's own rights.
    public var user: UserInfo?

    /// A caller; nil `user` is the unauthenticated caller of `--mcp-authentication=none`.
    public init(user: UserInfo?) {
        self.user = user
    }

    /// The unauthenticated caller (`--mcp-authentication=none`, loopback only).
    public static let anonymous = MCPCaller(user: nil)

    /// What per-caller limits are kept by: the user name (`""` for the anonymous caller).
    var limitKey: String { user?.username ?? "" }
}

/// What checking a bearer token found.
public enum MCPAuthenticationOutcome: Sendable, Equatable {
    /// The token belongs to this user.
    case authenticated(UserInfo)
    /// The token is not valid (answered 401); the text says why, for the log only.
    case rejected(String)
    /// The token could not be checked (the API server failed or too many reviews are
    /// running; answered 503); the text says why.
    case unavailable(String)
}

/// Checks the bearer tokens of MCP requests.
public protocol MCPAuthenticator: Sendable {
    /// Who `token` belongs to, or why it is not accepted.
    func authenticate(_ token: String) async -> MCPAuthenticationOutcome
}

/// Checks bearer tokens with TokenReview (`authentication.k8s.io/v1`) through the
/// operator's client, keeping each accepted token's user for ``ttl`` so that a
/// client's every request is not a review. Only a hash of each token is kept. A
/// rejected token is never remembered: the next request with it is reviewed again.
/// At most ``maxConcurrentReviews`` reviews run at once; more are answered 503,
/// so requests with made-up tokens cannot flood the API server.
public actor TokenReviewAuthenticator: MCPAuthenticator {
    private struct Entry {
        let user: UserInfo
        let until: ContinuousClock.Instant
    }

    /// The client the reviews are made with (needs `create` on `tokenreviews`).
    public nonisolated let client: KubeClient
    /// `spec.audiences` of each review (empty: the API server's own audiences).
    public nonisolated let audiences: [String]
    /// How long an accepted token's user is remembered.
    public nonisolated let ttl: Duration
    /// Most tokens remembered; the oldest entry goes first when full.
    public nonisolated let maxEntries: Int
    /// Most reviews in flight at once.
    public nonisolated let maxConcurrentReviews: Int

    private var entries: [String: Entry] = [:]
    private var inFlight = 0
    private let clock = ContinuousClock()

    /// An authenticator reviewing through `client`; the defaults: 30 s, 1024 tokens, 32 reviews at once.
    public init(client: KubeClient, audiences: [String] = [], ttl: Duration = .seconds(30), maxEntries: Int = 1024,
                maxConcurrentReviews: Int = 32) {
        self.client = client
        self.audiences = audiences
        self.ttl = ttl
        self.maxEntries = max(1, maxEntries)
        self.maxConcurrentReviews = max(1, maxConcurrentReviews)
    }

    /// The number of tokens remembered now (for tests).
    public var cachedCount: Int { entries.count }

    /// Reviews `token`: who it belongs to, or why it is refused.
    public func authenticate(_ token: String) async -> MCPAuthenticationOutcome {
        let key = ArtifactDigest(of: Array(token.utf8)).hex
        let now = clock.now
        if let entry = entries[key] {
            if now < entry.until { return .authenticated(entry.user) }
            entries[key] = nil
        }
        guard inFlight < maxConcurrentReviews else {
            return .unavailable("too many token reviews in flight (\(maxConcurrentReviews)); retry shortly")
        }
        inFlight += 1
        defer { inFlight -= 1 }
        let result: TokenReviewResult
        do {
            result = try await client.reviewToken(token, audiences: audiences)
        } catch {
            return .unavailable("TokenReview failed: \(error)")
        }
        switch result {
        case .authenticated(let user, _):
            remember(key, user)
            return .authenticated(user)
        case .unauthenticated(let error):
            return .rejected(error.isEmpty ? "token not authenticated" : error)
        }
    }

    private func remember(_ key: String, _ user: UserInfo) {
        let now = clock.now
        if entries.count >= maxEntries {
            entries = entries.filter { now < $0.value.until }
            while entries.count >= maxEntries, let oldest = entries.min(by: { $0.value.until < $1.value.until })?.key {
                entries[oldest] = nil
            }
        }
        entries[key] = Entry(user: user, until: now + ttl)
    }
}

/// Per-caller limits on the evaluations of `render_jsonnet` and `validate_jsonnet`
/// over HTTP, on top of the server-wide `--max-concurrent-evals`: each caller (by
/// user name) may run at most ``maxConcurrent`` at once and start at most
/// ``perMinute`` a minute, in bursts of up to ``burst`` (a token bucket). A call
/// over either limit gets a tool error at once.
public actor CallerEvaluationLimits {
    private struct Bucket {
        var running = 0
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// Evaluations one caller may run at once (0 = no cap).
    public nonisolated let maxConcurrent: Int
    /// Evaluations one caller may start a minute (0 = no cap).
    public nonisolated let perMinute: Int
    /// Evaluations one caller may start in a burst.
    public nonisolated let burst: Int

    private var buckets: [String: Bucket] = [:]
    private let clock = ContinuousClock()

    /// Limits of `maxConcurrent` at once and `perMinute` a minute per caller; `burst`
    /// defaults to a third of a minute's worth (at least 1).
    public init(maxConcurrent: Int, perMinute: Int, burst: Int? = nil) {
        self.maxConcurrent = max(0, maxConcurrent)
        self.perMinute = max(0, perMinute)
        self.burst = max(1, burst ?? max(1, perMinute / 3))
    }

    /// Why `caller` may not start an evaluation now, or nil after counting it in;
    /// each nil must be followed by one ``release(_:)``.
    func acquire(_ caller: String) -> String? {
        let now = clock.now
        var bucket = buckets[caller] ?? Bucket(tokens: Double(burst), updated: now)
        if perMinute > 0 {
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(burst), bucket.tokens + seconds * Double(perMinute) / 60)
            bucket.updated = now
        }
        if maxConcurrent > 0 && bucket.running >= maxConcurrent {
            buckets[caller] = bucket
            return "this caller already runs \(maxConcurrent) evaluation(s) at once (--mcp-max-concurrent-evals-per-caller); retry when one ends"
        }
        if perMinute > 0 {
            guard bucket.tokens >= 1 else {
                buckets[caller] = bucket
                return "this caller started more than \(perMinute) evaluations a minute (--mcp-evals-per-minute-per-caller); retry shortly"
            }
            bucket.tokens -= 1
        }
        bucket.running += 1
        buckets[caller] = bucket
        prune(now)
        return nil
    }

    /// Ends an evaluation ``acquire(_:)`` admitted.
    func release(_ caller: String) {
        buckets[caller]?.running -= 1
    }

    /// Forgets idle callers whose bucket has refilled, once there are many.
    private func prune(_ now: ContinuousClock.Instant) {
        guard buckets.count > 4096 else { return }
        let refill: Duration = perMinute > 0 ? .seconds(Double(burst) * 60 / Double(perMinute)) : .zero
        buckets = buckets.filter { $0.value.running > 0 || now - $0.value.updated < refill }
    }
}
