import Foundation
import JaaSArtifacts
import JaaSOperator
import KubeTestServer
import Kubernetes
import Testing

/// The controller under churn: one render per change, and failures that heal
/// themselves once another object appears (issue 12).
@Suite(.serialized) struct ChurnTests {
    typealias Env = SourceRefTests.Env
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    static let gitRepositories = GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1",
                                                      resource: "gitrepositories")

    func renders(_ c: Cluster) -> Int {
        let text = String(decoding: c.reconciler.settings.metrics.exposition(), as: UTF8.self)
        // Summed over the per-snippet series.
        return text.split(separator: "\n").filter { $0.hasPrefix("jaas_snippet_rendered_bytes_count{") }
            .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }

    func waitFor(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try await condition()
    }

    @Test func aRepublishCostsOneDownloadAndOneRender() async throws {
        let env = try await Env.start()
        defer { Task { await env.stop() } }
        let c = env.cluster
        let (url, digest) = try env.publish("/r1.tar.gz", SourceRefTests.tree)
        try await env.source("GitRepository", "repo", url: url, digest: digest)
        let controller = SnippetController(reconciler: c.reconciler, options: .init(namespaces: ["team-a"]))
        let task = Task { await controller.run() }
        defer { task.cancel() }
        try await c.apply("follower", spec: ["serviceAccountName": "renderer", "entryFile": "main.jsonnet",
                                             "sourceRef": ["kind": "GitRepository", "name": "repo", "path": "dashboards"]])
        #expect(try await waitFor(30) { try await c.ready("follower").status == "True" })
        // Let every echo of our own writes (finalizer, status, ExternalArtifact) arrive.
        try await Task.sleep(for: .seconds(1))
        #expect(env.host.hitCount("/r1.tar.gz") == 1, "the first render downloads once")
        #expect(renders(c) == 1, "and renders once")

        var next = SourceRefTests.tree
        next["dashboards/lib/panels.libsonnet"] = Array("{ panels: 9 }".utf8)
        let (url2, digest2) = try env.publish("/r2.tar.gz", next)
        _ = try await c.admin.patchStatus(Self.gitRepositories, namespace: "team-a", name: "repo",
                                          patch: ["status": ["artifact": ["url": .string(url2), "digest": .string(digest2),
                                                                          "revision": "main@sha1:r2", "path": "x.tar.gz",
                                                                          "lastUpdateTime": "2026-11-25T02:00:00Z"]]])
        let before = try await c.snippet("follower")[path: "status", "revision"]?.stringValue
        #expect(try await waitFor(30) { try await c.snippet("follower")[path: "status", "revision"]?.stringValue != before })
        #expect(try await env.rendered("follower").contains("9"))
        try await Task.sleep(for: .seconds(2))
        #expect(env.host.hitCount("/r2.tar.gz") == 1, "one republish, one download")
        #expect(env.host.hitCount("/r1.tar.gz") == 1)
        #expect(renders(c) == 2, "one republish, one render")
    }

    @Test func failuresThatAnotherObjectFixesHealWithoutAnEdit() async throws {
        let c = try await Cluster.start { $0.failureRetryInterval = 0.3 }
        defer { Task { await c.stop() } }
        let controller = SnippetController(reconciler: c.reconciler, options: .init(namespaces: ["team-a"]))
        let task = Task { await controller.run() }
        defer { task.cancel() }
        // The snippet lands before its ServiceAccount, and then before its RoleBinding.
        try await c.apply("early", spec: ReconcilerIntegrationTests.spec("{ ok: true }", sa: "latecomer"))
        #expect(try await waitFor(5) { try await c.ready("early").reason == "ServiceAccountMissing" })
        _ = try await c.admin.create(.serviceAccounts, KubeObject(apiVersion: "v1", kind: "ServiceAccount",
                                                                  namespace: "team-a", name: "latecomer"))
        #expect(try await waitFor(5) { try await c.ready("early").reason == "RBACDenied" })
        var binding = KubeObject(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: "team-a",
                                 name: "latecomer")
        binding["roleRef"] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "publisher"]
        binding["subjects"] = [["kind": "ServiceAccount", "name": "latecomer", "namespace": "team-a"]]
        _ = try await c.admin.create(GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1",
                                                          resource: "rolebindings"), binding)
        #expect(try await waitFor(5) { try await c.ready("early").status == "True" },
                "Ready within a few retry intervals of the RoleBinding, with no edit to the snippet")
        #expect(try await c.snippet("early").generation == 1)
    }

    @Test func syncIsReportedOnlyOnceTheCachesAreFilled() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        _ = try await c.admin.delete(.customResourceDefinitions, name: "jsonnetsnippets.jaas.metio.wtf")
        try await Task.sleep(for: .milliseconds(100))
        let synced = Counter()
        let controller = SnippetController(reconciler: c.reconciler, options: .init(namespaces: ["team-a"]))
        let task = Task { await controller.run { synced.add() } }
        defer { task.cancel() }
        try await Task.sleep(for: .seconds(1))
        #expect(synced.value == 0 && !controller.hasSynced, "no JsonnetSnippet CRD, no sync")

        let fresh = try await Cluster.start()
        defer { Task { await fresh.stop() } }
        let healthy = SnippetController(reconciler: fresh.reconciler, options: .init(namespaces: ["team-a"]))
        let synced2 = Counter()
        let task2 = Task { await healthy.run { synced2.add() } }
        defer { task2.cancel() }
        #expect(try await waitFor(5) { synced2.value == 1 })
        #expect(healthy.hasSynced)
    }
}
