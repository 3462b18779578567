import Synchronization

/// The renderer's lifecycle as the probes report it: started once the rendering
/// server listens, ready while started, not shutting down and not waiting for
/// anything else (the operator's informer caches).
public final class ServerState: Sendable {
    private struct Flags {
        var started = false
        var shuttingDown = false
        var waitingFor = Set<String>()
    }
    private let flags = Mutex(Flags())

    /// A state that is neither started nor shutting down.
    public init() {}

    /// Whether the rendering server has started listening.
    public var isStarted: Bool { flags.withLock { $0.started } }
    /// Whether the renderer should receive traffic.
    public var isReady: Bool { flags.withLock { $0.started && !$0.shuttingDown && $0.waitingFor.isEmpty } }
    /// Whether shutdown has begun.
    public var isShuttingDown: Bool { flags.withLock { $0.shuttingDown } }

    /// Records that the rendering server listens.
    public func markStarted() { flags.withLock { $0.started = true } }
    /// Holds readiness off until ``stopWaiting(for:)`` is called with the same name.
    public func waitFor(_ name: String) { _ = flags.withLock { $0.waitingFor.insert(name) } }
    /// Releases a hold made with ``waitFor(_:)``.
    public func stopWaiting(for name: String) { _ = flags.withLock { $0.waitingFor.remove(name) } }
    /// Records that shutdown has begun; readiness stays off from now on.
    public func markShuttingDown() { flags.withLock { $0.shuttingDown = true } }
}
