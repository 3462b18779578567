import Foundation
import Logging

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it: the
/// leader renews `spec.renewTime` every `retryPeriod`; another candidate takes over
/// once it has seen the lease unchanged for `leaseDurationSeconds`, measured on its
/// own clock (so clock skew between replicas does not matter).
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

    /// Thrown by `run` when the lease could not be renewed within `renewDeadline`.
    public struct LostLeadership: Error, Sendable, CustomStringConvertible {
        /// What failed.
        public var description: String
    }

    /// An election with client-go's default timings (15 s, 10 s, 2 s).
    public init(
        client: KubeClient, namespace: String, name: String, identity: String, leaseDuration: Duration = .seconds(15),
        renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2)
    ) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    /// Waits to become leader, then runs `leading` while renewing the lease.
    ///
    /// Returns when `leading` returns or the calling task is cancelled (before or
    /// during leadership); throws `LostLeadership` if renewal fails for
    /// `renewDeadline` (then `leading` is cancelled first), or what `leading` throws.
    /// Whenever this replica held the lease, it is released on the way out
    /// (`holderIdentity` cleared) so a successor need not wait for expiry.
    public func run(_ leading: @escaping @Sendable () async throws -> Void) async throws {
        var lock = LeaseLock(election: self)
        while !(await lock.tryAcquireOrRenew()) {
            do { try await Task.sleep(for: retryPeriod) } catch { return }
        }
        client.logger.info("acquired leadership", metadata: ["lease": "\(namespace)/\(name)", "identity": "\(identity)"])
        let heldLock = lock
        let outcome: Result<Void, any Error>
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await leading() }
                group.addTask {
                    var renewing = heldLock
                    var lastRenew = ContinuousClock.now
                    while true {
                        try await Task.sleep(for: retryPeriod)
                        if await renewing.tryAcquireOrRenew() {
                            lastRenew = .now
                        } else if ContinuousClock.now - lastRenew >= renewDeadline {
                            throw LostLeadership(description: "could not renew lease \(namespace)/\(name) within \(renewDeadline)")
                        }
                    }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        // Release even when this task is cancelled: a new task does not inherit cancellation.
        await Task { await heldLock.release() }.value
        switch outcome {
        case .success: return
        case .failure(let error as LostLeadership): throw error
        case .failure(let error) where error is CancellationError: return
        case .failure(let error): throw error
        }
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
        let client = election.client
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
        let transitions = lease[path: "spec", "leaseTransitions"]?.intValue ?? 0
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
        let client = election.client
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
