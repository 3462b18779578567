import Foundation
import KubeTestServer
import Kubernetes
import Testing
import TestSupport

/// Leader fencing with two real `jaas` replicas, each reaching kube-test-server
/// through its own TCP proxy. The leader's lease calls are cut off (the proxy
/// silences every connection that carries a lease request) while the rest of its
/// traffic still flows and the snippet keeps changing: the old leader must write
/// nothing once its renew deadline has passed, and certainly nothing once the
/// other replica may have taken the lease over (last renew + lease duration).
@Suite(.serialized) struct LeaderFencingTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    @Test func aLeaderCutOffFromItsLeaseStopsWritingBeforeItCanBeReplaced() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let proxyA = try TCPProxy(to: cluster.server.port)
        let proxyB = try TCPProxy(to: cluster.server.port)
        var files: [String] = []
        defer { for file in files { try? FileManager.default.removeItem(atPath: file) } }
        func arguments(through proxy: TCPProxy) throws -> [String] {
            let kubeconfig = temporaryPath("jaas-fence-", suffix: ".kubeconfig")
            let storage = temporaryPath("jaas-fence-")
            files += [kubeconfig, storage]
            try cluster.server.kubeconfig()
                .replacingOccurrences(of: cluster.server.baseURL, with: "http://127.0.0.1:\(proxy.port)")
                .write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            return ["--kubeconfig", kubeconfig, "--storage-path", storage, "--leader-election", "--failure-retry-interval", "1s",
                    "--rerender-rate", "600/min"]
        }
        let environment = ["POD_NAMESPACE": "team-a"]
        let a = try await OperatorReplica(name: "replica-a", arguments: try arguments(through: proxyA), environment: environment)
        try await eventually(seconds: 15) { try await a.leader() }
        let b = try await OperatorReplica(name: "replica-b", arguments: try arguments(through: proxyB), environment: environment)
        try await cluster.apply("fenced", spec: ReconcilerIntegrationTests.spec("{ step: 0 }"))
        try await eventually(seconds: 20) { try await cluster.ready("fenced").status == "True" }
        #expect(proxyA.requests.contains { $0.isWrite && $0.path.contains("jsonnetsnippets/fenced/status") },
                "the leader wrote the status through its proxy")
        #expect(try await !b.leader())

        // Cut A off from the Lease only; A's last successful renew was before this instant.
        let cut = ContinuousClock.now
        proxyA.blackhole(requestsContaining: "/leases")
        let renewDeadline = Duration.seconds(10), leaseDuration = Duration.seconds(15)
        // Keep the snippet changing, so a replica that believes it leads has work to write.
        var step = 1
        var aStoppedLeading: Duration?
        var bLeads: Duration?
        while ContinuousClock.now - cut < leaseDuration + .seconds(8) {
            try await cluster.apply("fenced", spec: ReconcilerIntegrationTests.spec("{ step: \(step) }"))
            step += 1
            if aStoppedLeading == nil, try await !a.leader() { aStoppedLeading = ContinuousClock.now - cut }
            if bLeads == nil, try await b.leader() { bLeads = ContinuousClock.now - cut }
            try await Task.sleep(for: .milliseconds(500))
        }
        print("leader cut off from its lease: it stopped leading after \(aStoppedLeading.map { "\($0)" } ?? "never"), "
              + "the other replica led after \(bLeads.map { "\($0)" } ?? "never")")

        let writesAfterCut = proxyA.requests.filter { $0.isWrite && $0.at > cut }
        let lastWrite = writesAfterCut.last.map { $0.at - cut }
        print("old leader's writes after the cut: \(writesAfterCut.count), the last after \(lastWrite.map { "\($0)" } ?? "-")")
        #expect(writesAfterCut.contains { $0.path.contains("/status") }, "the old leader kept working until its deadline")
        // Nothing once another replica may have taken over (with a second of slack before that).
        let late = writesAfterCut.filter { $0.at - cut >= leaseDuration - .seconds(1) }
        #expect(late.isEmpty, "the old leader wrote after its lease could have been taken: \(late)")
        // It gave up at its renew deadline (lease calls time out well before), not later.
        let stopped = try #require(aStoppedLeading, "the cut-off leader never stopped leading:\n\(a.logText.suffix(3000))")
        #expect(stopped <= renewDeadline + .seconds(2), "stopped leading only after \(stopped)")
        #expect(a.logText.contains("lost leadership"))
        // The other replica takes over and publishes the latest spec.
        #expect(bLeads != nil, "the other replica never led:\n\(b.logText.suffix(3000))")
        try await eventually(seconds: 20) {
            let snippet = try await cluster.snippet("fenced")
            return snippet[path: "status", "conditions"]?.arrayValue?.first?["status"]?.stringValue == "True"
                && snippet[path: "status", "observedGeneration"]?.intValue == snippet.generation
        }
        a.terminate()
        b.terminate()
        #expect(try await a.waitForExit(seconds: 15))
        #expect(try await b.waitForExit(seconds: 15))
    }

    /// Polls `condition` every 50 ms until it holds; fails after `seconds`.
    func eventually(seconds: Int, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("condition not met within \(seconds) s")
    }
}
