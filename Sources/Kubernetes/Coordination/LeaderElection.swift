import Foundation
import Logging

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it: the
/// leader renews `spec.renewTime` every `retryPeriod`; another candidate takes over
/// once it has seen the lease unchanged for `leaseDurationSeconds`, measured on its
/// own clock (so clock skew between replicas does not matter).
///
/// Fencing: every lease call has its own timeout (`requestTimeout`, no retries), and
/// `fence` holds only until the last successful acquire or renew attempt plus
/// `renewDeadline`, which is shorter than `leaseDuration`. When it lapses the
/// leading work is cancelled at once, whether or not a renew call is still
/// hanging, so a leader cut off from the API server stops before another replica
/// can have taken over; leader-only writes check the fence right before writing.
public struct LeaderElection: Sendable {
    /// The client (the operator's own identity; needs get/create/update on leases).
    public var client: KubeClient
    /// The Lease's namespace.
    public var namespace: String
    /// The Lease's name, e.g. `jaas-operator`.
    public var name: String
    /// This replica's identity, unique among candidates (e.g. the pod name).
    public var identity: String
    /// How long a lease stays valid without renewal.
    public var leaseDuration: Duration
    /// How long the leader keeps trying to renew before it gives leadership up.
    public var renewDeadline: Duration
    /// The interval between acquire and renew attempts.
    public var retryPeriod: Duration
    /// The timeout of each lease call (a get, then an update or create), tried once:
    /// an attempt takes at most twice this, well inside `renewDeadline`.
    public var requestTimeout: Duration
    /// How long `run` waits for `leading` to end after cancelling it before it
    /// releases the lease anyway (the work is abandoned; the fence stops its writes).
    public var stopTimeout: Duration
    /// The deadline of releasing the lease on the way out (each call gets half).
    public var releaseTimeout: Duration
    /// Until when this replica may write as the leader; shared with the leader-only work.
    public var fence: LeaderFence

    /// Thrown by `run` when the lease could not be renewed within `renewDeadline`,
    /// and by `LeaderFence.check()` once the fence has lapsed.
    public struct LostLeadership: Error, Sendable, CustomStringConvertible {
        /// What failed.
        public var description: String

        /// An error saying what failed.
        public init(description: String) {
            self.description = description
        }
    }

    /// An election with client-go's default timings (15 s, 10 s, 2 s); lease calls
    /// time out after a quarter of the renew deadline, and shutdown waits at most
    /// 1.5 s for the leading work and 1.5 s for the release.
    public init(
        client: KubeClient, namespace: String, name: String, identity: String, leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2), requestTimeout: Duration? = nil,
        stopTimeout: Duration = .milliseconds(1500), releaseTimeout: Duration = .milliseconds(1500),
        fence: LeaderFence = LeaderFence()
    ) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.requestTimeout = requestTimeout ?? renewDeadline / 4
        self.stopTimeout = stopTimeout
        self.releaseTimeout = releaseTimeout
        self.fence = fence
    }

    /// Waits to become leader, then runs `leading` while renewing the lease.
    ///
    /// Returns when `leading` returns or the calling task is cancelled (before or
    /// during leadership); throws `LostLeadership` if `fence` lapses (no successful
    /// renew within `renewDeadline`, or another holder seen), after cancelling
    /// `leading`, or what `leading` throws. A cancelled `leading` gets
    /// `stopTimeout` to end. Whenever this replica held the lease, the fence is
    /// revoked and the lease released on the way out (`holderIdentity` cleared,
    /// within `releaseTimeout`) so a successor need not wait for expiry.
    public func run(_ leading: @escaping @Sendable () async throws -> Void) async throws {
        var lock = LeaseLock(election: self)
        while true {
            let attempt = ContinuousClock.now
            if await lock.tryAcquireOrRenew() {
                fence.extend(until: attempt + renewDeadline)
                break
            }
            do { try await Task.sleep(for: retryPeriod) } catch { return }
        }
        let heldLock = lock
        let outcome: Result<Void, any Error>
        if Task.isCancelled {
            outcome = .success(())
        } else {
            client.logger.info("acquired leadership", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { [stopTimeout] in try await withStopDeadline(stopTimeout) { try await leading() } }
                    group.addTask { try await keep(heldLock) }
                    defer { group.cancelAll() }
                    try await group.next()
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
        }
        fence.revoke()
        // Release even when this task is cancelled: a new task does not inherit cancellation.
        await runDetached(within: releaseTimeout) { await heldLock.release() }
        switch outcome {
        case .success: return
        case .failure(let error as LostLeadership): throw error
        case .failure(let error) where error is CancellationError: return
        case .failure(let error): throw error
        }
    }

    /// Renews the lease every `retryPeriod` and throws `LostLeadership` as soon as
    /// the fence lapses or another holder is seen.
    private func keep(_ held: LeaseLock) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var renewing = held
                while true {
                    try await Task.sleep(for: retryPeriod)
                    let attempt = ContinuousClock.now
                    if await renewing.tryAcquireOrRenew() {
                        fence.extend(until: attempt + renewDeadline)
                    } else if let holder = renewing.observed?.holder, !holder.isEmpty, holder != identity {
                        throw LostLeadership(description: "lease \(namespace)/\(name) is held by \(holder) now")
                    }
                }
            }
            group.addTask {
                while true {
                    guard let until = fence.deadline, ContinuousClock.now < until else {
                        throw LostLeadership(description: "could not renew lease \(namespace)/\(name) within \(renewDeadline)")
                    }
                    try await Task.sleep(until: until, clock: .continuous)
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// The client for lease calls: `requestTimeout`, one try (the loop retries).
    var leaseClient: KubeClient {
        var client = self.client
        client.requestTimeout = requestTimeout
        client.retryPolicy = .none
        return client
    }
}

/// One candidate's view of the Lease across attempts.
struct LeaseLock: Sendable {
    let election: LeaderElection
    /// The holder and renew time last seen, and when (on our clock) they last changed.
    var observed: (holder: String, renewTime: String, at: ContinuousClock.Instant)?

    init(election: LeaderElection) {
        self.election = election
    }

    private var leaseSeconds: Int64 { Int64(max(1, election.leaseDuration.components.seconds)) }

    /// One acquire-or-renew attempt; `true` if this candidate holds the lease afterwards.
    mutating func tryAcquireOrRenew() async -> Bool {
        let client = election.leaseClient
        let nowString = Timestamps.formatMicro(Date())
        var lease: KubeObject
        do {
            lease = try await client.get(.leases, namespace: election.namespace, name: election.name)
        } catch let error as KubeError where error.isNotFound {
            var fresh = KubeObject(
                apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: election.namespace, name: election.name)
            fresh["spec"] = [
                "holderIdentity": .string(election.identity), "leaseDurationSeconds": .int(leaseSeconds),
                "acquireTime": .string(nowString), "renewTime": .string(nowString), "leaseTransitions": 0,
            ]
            do {
                _ = try await client.create(.leases, fresh)
                return true
            } catch {
                return false
            }
        } catch {
            client.logger.debug("lease read failed", metadata: ["error": "\(error)"])
            return false
        }

        let holder = lease[path: "spec", "holderIdentity"]?.stringValue ?? ""
        let renewTime = lease[path: "spec", "renewTime"]?.stringValue ?? ""
        if observed?.holder != holder || observed?.renewTime != renewTime {
            observed = (holder, renewTime, .now)
        }
        if !holder.isEmpty, holder != election.identity {
            let duration = Duration.seconds(lease[path: "spec", "leaseDurationSeconds"]?.intValue ?? leaseSeconds)
            guard let seenAt = observed?.at, ContinuousClock.now - seenAt >= duration else { return false }
        }
        // (Whatever another writer left there: a count at Int64.max must not trap.)
        let transitions = min(max(0, lease[path: "spec", "leaseTransitions"]?.intValue ?? 0), Int64(Int32.max) - 1)
        if holder != election.identity {
            lease[path: "spec", "acquireTime"] = .string(nowString)
            lease[path: "spec", "leaseTransitions"] = .int(holder.isEmpty && transitions == 0 ? 0 : transitions + 1)
        }
        lease[path: "spec", "holderIdentity"] = .string(election.identity)
        lease[path: "spec", "leaseDurationSeconds"] = .int(leaseSeconds)
        lease[path: "spec", "renewTime"] = .string(nowString)
        do {
            let updated = try await client.update(.leases, lease)
            observed = (election.identity, updated[path: "spec", "renewTime"]?.stringValue ?? nowString, .now)
            return true
        } catch {
            client.logger.debug("lease update failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Clears `holderIdentity` if this candidate still holds the lease.
    func release() async {
        var client = election.leaseClient
        client.requestTimeout = min(election.requestTimeout, election.releaseTimeout / 2)
        guard var lease = try? await client.get(.leases, namespace: election.namespace, name: election.name),
            lease[path: "spec", "holderIdentity"]?.stringValue == election.identity
        else { return }
        lease[path: "spec", "holderIdentity"] = .string("")
        lease[path: "spec", "leaseDurationSeconds"] = 1
        lease[path: "spec", "renewTime"] = .string(Timestamps.formatMicro(Date()))
        _ = try? await client.update(.leases, lease)
        client.logger.info("released leadership", metadata: ["lease": "\(election.namespace)/\(election.name)"])
    }
}
