import Kubernetes
import Testing

/// An in-memory Lease endpoint with optimistic concurrency.
@Sendable func leaseEndpoint(_ lease: Box<JSONValue?>) -> FakeAPIServer.Handler {
    { request in
        guard request.path.hasPrefix("/apis/coordination.k8s.io/v1/namespaces/ns/leases") else {
            return .status(404, reason: "NotFound", message: "no such path")
        }
        return lease.update { stored -> ScriptedResponse in
            switch request.method {
            case "GET":
                guard let current = stored else { return .status(404, reason: "NotFound", message: "leases \"jaas\" not found") }
                return .json(current)
            case "POST":
                guard stored == nil, var created = request.json else {
                    return .status(409, reason: "AlreadyExists", message: "exists")
                }
                created[path: "metadata", "resourceVersion"] = "1"
                stored = created
                return .json(created, status: 201)
            case "PUT":
                guard var updated = request.json, let current = stored,
                    updated[path: "metadata", "resourceVersion"] == current[path: "metadata", "resourceVersion"]
                else { return .status(409, reason: "Conflict", message: "the object has been modified") }
                let rv = Int(current[path: "metadata", "resourceVersion"]?.stringValue ?? "0") ?? 0
                updated[path: "metadata", "resourceVersion"] = .string(String(rv + 1))
                stored = updated
                return .json(updated)
            default:
                return .status(405, reason: "MethodNotAllowed", message: "no")
            }
        }
    }
}

@Suite struct LeaderElectionTests {
    @Test func acquiresRenewsAndReleasesOnCancel() async throws {
        let lease = Box<JSONValue?>(nil)
        try await withFakeServer(leaseEndpoint(lease)) { _, client in
            let election = LeaderElection(
                client: client, namespace: "ns", name: "jaas", identity: "pod-a", leaseDuration: .seconds(2),
                renewDeadline: .seconds(1), retryPeriod: .milliseconds(50))
            let leading = Box(false)
            let run = Task { try await election.run { leading.update { $0 = true }; try await Task.sleep(for: .seconds(30)) } }
            for _ in 0..<100 where !leading.get() { try await Task.sleep(for: .milliseconds(10)) }
            #expect(leading.get())
            #expect(lease.get()?[path: "spec", "holderIdentity"] == "pod-a")
            let acquiredRenewTime = lease.get()?[path: "spec", "renewTime"]
            // Renewed every 50 ms; polled for up to 2 s (each lease call may take up to
            // 250 ms, a quarter of the renew deadline, on a busy machine).
            for _ in 0..<200 where lease.get()?[path: "spec", "renewTime"] == acquiredRenewTime {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(lease.get()?[path: "spec", "renewTime"] != acquiredRenewTime, "renewed")
            run.cancel()
            try await run.value
            #expect(lease.get()?[path: "spec", "holderIdentity"] == "", "released on cancel")
            #expect(lease.get()?[path: "spec", "leaseTransitions"] == 0)
        }
    }

    @Test func takesOverOnlyAfterTheLeaseWentStaleOnItsOwnClock() async throws {
        let lease = Box<JSONValue?>([
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "jaas", "namespace": "ns", "resourceVersion": "5"],
            "spec": ["holderIdentity": "pod-old", "leaseDurationSeconds": 1, "leaseTransitions": 2,
                     "renewTime": "2020-01-01T00:00:00.000000Z"],
        ])
        try await withFakeServer(leaseEndpoint(lease)) { _, client in
            let election = LeaderElection(
                client: client, namespace: "ns", name: "jaas", identity: "pod-b", leaseDuration: .seconds(1),
                renewDeadline: .milliseconds(500), retryPeriod: .milliseconds(100))
            let start = ContinuousClock.now
            try await election.run {}
            #expect(ContinuousClock.now - start >= .milliseconds(950), "waited a full lease duration")
            #expect(lease.get()?[path: "spec", "leaseTransitions"] == 3)
            #expect(lease.get()?[path: "spec", "holderIdentity"] == "", "released after leading returned")
        }
    }

    /// The fence lapses at the renew deadline even when renew calls hang (they time
    /// out on their own, and the fence does not wait for them): the leading work is
    /// cancelled and `run` throws LostLeadership soon after, not after the client's
    /// retries.
    @Test func aHangingRenewLapsesTheFenceAtTheRenewDeadline() async throws {
        let lease = Box<JSONValue?>(nil)
        let hang = Box(false)
        let endpoint = leaseEndpoint(lease)
        try await withFakeServer({ request in
            if hang.get() { try? await Task.sleep(for: .seconds(3)) }
            return await endpoint(request)
        }) { _, client in
            let fence = LeaderFence()
            let election = LeaderElection(
                client: client, namespace: "ns", name: "jaas", identity: "pod-a", leaseDuration: .seconds(3),
                renewDeadline: .seconds(1), retryPeriod: .milliseconds(100), stopTimeout: .milliseconds(300),
                releaseTimeout: .milliseconds(400), fence: fence)
            let leading = Box(false)
            let cancelled = Box(false)
            let run = Task {
                try await election.run {
                    leading.update { $0 = true }
                    do { try await Task.sleep(for: .seconds(60)) } catch { cancelled.update { $0 = true } }
                }
            }
            for _ in 0..<200 where !leading.get() { try await Task.sleep(for: .milliseconds(10)) }
            #expect(leading.get())
            #expect(fence.holds)
            #expect(throws: Never.self) { try fence.check() }
            let cut = ContinuousClock.now
            hang.update { $0 = true }
            let result = await run.result
            let took = ContinuousClock.now - cut
            #expect(throws: LeaderElection.LostLeadership.self) { try result.get() }
            #expect(took < .milliseconds(2000), "gave leadership up only after \(took)")
            #expect(!fence.holds)
            #expect(throws: LeaderElection.LostLeadership.self) { try fence.check() }
            #expect(cancelled.get(), "the leading work was cancelled")
        }
    }

    /// Shutdown does not wait for leading work that ignores cancellation: past the
    /// stop timeout it is left behind (fenced) and the lease is released.
    @Test func cancellationWaitsForTheLeadingWorkOnlyUntilTheStopTimeout() async throws {
        let lease = Box<JSONValue?>(nil)
        try await withFakeServer(leaseEndpoint(lease)) { _, client in
            let fence = LeaderFence()
            let election = LeaderElection(
                client: client, namespace: "ns", name: "jaas", identity: "pod-a", leaseDuration: .seconds(3),
                renewDeadline: .seconds(2), retryPeriod: .milliseconds(100), stopTimeout: .milliseconds(300),
                releaseTimeout: .milliseconds(500), fence: fence)
            let leading = Box(false)
            let stuck = Task { try? await Task.sleep(for: .seconds(5)) }
            let run = Task {
                try await election.run {
                    leading.update { $0 = true }
                    await stuck.value  // ignores cancellation
                }
            }
            for _ in 0..<200 where !leading.get() { try await Task.sleep(for: .milliseconds(10)) }
            #expect(leading.get())
            let start = ContinuousClock.now
            run.cancel()
            try await run.value
            let took = ContinuousClock.now - start
            #expect(took < .milliseconds(1500), "cancellation took \(took)")
            #expect(took >= .milliseconds(250), "returned before the stop timeout: \(took)")
            #expect(!fence.holds)
            #expect(lease.get()?[path: "spec", "holderIdentity"] == "", "released")
            stuck.cancel()
        }
    }
}
