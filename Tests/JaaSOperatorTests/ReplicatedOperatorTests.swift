import Foundation
import JaaSArtifacts
import KubeTestServer
import Kubernetes
import Testing
import TestSupport

/// Two `jaas` operator processes sharing one kube-test-server and one moto bucket
/// (reached through a proxy the test cuts): one leads, both serve, SIGTERM hands
/// leadership over within 3 s, and an S3 outage is reported and healed by itself.
@Suite(.serialized) struct ReplicatedOperatorTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    @Test func twoReplicasShareLeaseAndBucket() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let kubeconfig = temporaryPath("jaas-ha-", suffix: ".kubeconfig")
        try cluster.server.writeKubeconfig(to: kubeconfig)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        let moto = try await MotoServer.start()
        let bucket = "jaas-ha-\(UInt32.random(in: 0...UInt32.max))"
        try await moto.createBucket(bucket)
        let proxy = try TCPProxy(to: moto.port)
        let arguments = ["--kubeconfig", kubeconfig, "--storage-backend", "s3", "--s3-endpoint", "127.0.0.1:\(proxy.port)",
                         "--s3-bucket", bucket, "--s3-prefix", "artifacts/", "--s3-use-ssl=false", "--leader-election",
                         "--artifact-gc-grace", "1h", "--failure-retry-interval", "2s"]
        let environment = ["POD_NAMESPACE": "team-a", "AWS_ACCESS_KEY_ID": MotoServer.accessKey,
                           "AWS_SECRET_ACCESS_KEY": MotoServer.secretKey]
        let a = try await OperatorReplica(name: "replica-a", arguments: arguments, environment: environment)
        let b = try await OperatorReplica(name: "replica-b", arguments: arguments, environment: environment)

        // Exactly one leads, and the Lease names it.
        do {
            try await eventually(seconds: 10) { try await a.leader() != b.leader() }
        } catch {
            Issue.record("no single leader; logs:\n\(a.logText)\n\(b.logText)")
            throw error
        }
        let (leader, follower) = try await a.leader() ? (a, b) : (b, a)
        let lease = try await cluster.admin.get(.leases, namespace: "team-a", name: "jaas-operator")
        let holder = lease[path: "spec", "holderIdentity"]?.stringValue ?? ""
        #expect(holder.hasPrefix(leader.name + "_"), "\(holder)")

        // A snippet is published by the leader and downloads with its digest from both replicas.
        try await cluster.apply("ha", spec: ReconcilerIntegrationTests.spec("{ step: 1 }"))
        let first = try await published(cluster, "ha", differentFrom: nil)
        for replica in [a, b] { try await verifyDownload(first, from: replica) }
        #expect(!follower.logText.contains("leading: reconciling"))

        // SIGTERM to the leader: the follower leads within 3 s and publishes the next revision.
        let start = ContinuousClock.now
        leader.terminate()
        try await eventually(seconds: 10) { try await follower.leader() }
        let failover = ContinuousClock.now - start
        print("failover after SIGTERM: \(failover)")
        #expect(failover < .seconds(3), "failover took \(failover)")
        #expect(try await leader.waitForExit(seconds: 15))
        try await cluster.apply("ha", spec: ReconcilerIntegrationTests.spec("{ step: 2 }"))
        let second = try await published(cluster, "ha", differentFrom: first.revision)
        try await verifyDownload(second, from: follower)

        // S3 unreachable for 10 s: StorageFailed, nothing lost, healed without help.
        let cut = ContinuousClock.now
        proxy.cut()
        try await cluster.apply("ha", spec: ReconcilerIntegrationTests.spec("{ step: 3 }"))
        try await eventually(seconds: 10) { try await cluster.ready("ha").reason == "StorageFailed" }
        let failed = try await cluster.ready("ha")
        #expect(failed.status == "False" && failed.message?.contains("cannot store the artifact") == true)
        let ea = try await cluster.admin.get(.externalArtifacts, namespace: "team-a", name: "ha")
        #expect(ea[path: "status", "artifact", "revision"]?.stringValue == second.revision)
        try await Task.sleep(until: cut + .seconds(10))
        proxy.restore()
        let healed = ContinuousClock.now
        let third = try await published(cluster, "ha", differentFrom: second.revision)
        print("recovered \(ContinuousClock.now - healed) after S3 came back")
        try await verifyDownload(third, from: follower)
        try await verifyDownload(second, from: follower)
        follower.terminate()
        let exited = try await follower.waitForExit(seconds: 30)
        #expect(exited, "still running after SIGTERM:\n\(follower.logText.split(separator: "\n").suffix(25).joined(separator: "\n"))")
    }

    /// What an ExternalArtifact points at.
    struct Published {
        var revision: String
        var digest: String
        var path: String
    }

    /// Waits until the snippet is Ready with a revision other than `previous`; its ExternalArtifact's artifact.
    func published(_ cluster: Cluster, _ name: String, differentFrom previous: String?) async throws -> Published {
        var result: Published?
        try await eventually(seconds: 20) {
            let ea = try? await cluster.admin.get(.externalArtifacts, namespace: "team-a", name: name)
            guard try await cluster.ready(name).status == "True",
                  let artifact = ea?[path: "status", "artifact"], let revision = artifact["revision"]?.stringValue,
                  revision != previous, let digest = artifact["digest"]?.stringValue,
                  let url = artifact["url"]?.stringValue, let components = URLComponents(string: url) else { return false }
            result = Published(revision: revision, digest: digest, path: components.path)
            return true
        }
        return try #require(result)
    }

    func verifyDownload(_ artifact: Published, from replica: OperatorReplica) async throws {
        let (status, body) = try await replica.fetch(artifact.path)
        #expect(status == 200, "\(replica.name) answered \(status) for \(artifact.path)")
        try ArtifactDigest(parsing: artifact.digest).verify(body)
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
