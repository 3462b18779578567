import Synchronization

/// Until when this replica may still act as the leader, as the `LeaderElection`
/// that owns it last proved: the instant of its last successful acquire or renew
/// attempt (taken when the attempt started) plus the renew deadline.
///
/// Another candidate takes the Lease over only after it has seen the Lease
/// unchanged for the whole lease duration, which is longer than the renew deadline,
/// so while the fence holds no other replica can be leading. Check it right before
/// every leader-only write (``check()``): a partitioned leader then stops writing
/// once its renew deadline passes, even if its renew calls never return.
///
/// Safe to share between tasks; a fresh fence does not hold.
public final class LeaderFence: Sendable {
    private let validUntil = Mutex<ContinuousClock.Instant?>(nil)

    /// A fence that does not hold until ``extend(until:)`` is called.
    public init() {}

    /// The instant the fence stops holding; nil when it does not hold (never acquired, or revoked).
    public var deadline: ContinuousClock.Instant? {
        validUntil.withLock { $0 }
    }

    /// Whether this replica may still write as the leader now.
    public var holds: Bool {
        guard let until = deadline else { return false }
        return ContinuousClock.now < until
    }

    /// Moves the deadline to `instant` (never backwards while the fence holds).
    public func extend(until instant: ContinuousClock.Instant) {
        validUntil.withLock { current in
            if let current, current > instant { return }
            current = instant
        }
    }

    /// Ends the fence at once (leadership given up or lost).
    public func revoke() {
        validUntil.withLock { $0 = nil }
    }

    /// Throws `LeaderElection.LostLeadership` unless the fence holds: the guard in
    /// front of a leader-only write.
    public func check() throws(LeaderElection.LostLeadership) {
        guard holds else {
            throw LeaderElection.LostLeadership(
                description: "not the leader any more: the lease was not renewed within the renew deadline")
        }
    }
}
