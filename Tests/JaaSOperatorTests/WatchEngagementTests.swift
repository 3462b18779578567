import Foundation
import JaaSOperator
import KubeTestServer
import Kubernetes
import Testing

/// `jaas_crd_watch_engagement_failures_total{gvk}` counts lists of a watched kind that the
/// API server refused; a kind whose CRD is not installed (404) is retried quietly.
@Suite(.serialized) struct WatchEngagementTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    /// The exposition's value of the engagement counter for `gvk`, or nil when absent.
    static func engagementFailures(_ metrics: OperatorMetrics, gvk: String) -> Double? {
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        let prefix = "jaas_crd_watch_engagement_failures_total{gvk=\"\(gvk)\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
    }

    @Test func refusedListsAreCountedPerKind() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        // A client the server does not accept: every list is answered 401.
        let refused = try KubeClient(config: KubeConfig(server: c.server.baseURL, authentication: .bearerToken("not-a-token")))
        defer { Task { try? await refused.shutdown() } }
        let metrics = OperatorMetrics()
        var settings = c.reconciler.settings
        settings.metrics = metrics
        let controller = SnippetController(reconciler: SnippetReconciler(admin: refused, settings: settings),
                                           options: .init(namespaces: ["team-a"], workers: 1))
        let task = Task { await controller.run() }
        defer { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        while Self.engagementFailures(metrics, gvk: "jaas.metio.wtf/v1, Kind=JsonnetSnippet") == nil,
              ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect((Self.engagementFailures(metrics, gvk: "jaas.metio.wtf/v1, Kind=JsonnetSnippet") ?? 0) >= 1)
        #expect((Self.engagementFailures(metrics, gvk: "jaas.metio.wtf/v1, Kind=JsonnetLibrary") ?? 0) >= 1)
        #expect((Self.engagementFailures(metrics, gvk: "source.toolkit.fluxcd.io/v1, Kind=ExternalArtifact") ?? 0) >= 1)
    }

    @Test func aMissingFluxCRDIsNotAnEngagementFailure() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        let metrics = OperatorMetrics()
        var settings = c.reconciler.settings
        settings.metrics = metrics
        let controller = SnippetController(reconciler: SnippetReconciler(admin: c.admin, settings: settings),
                                           options: .init(namespaces: ["team-a"], workers: 1))
        let task = Task { await controller.run() }
        defer { task.cancel() }
        // The test cluster has no GitRepository CRD: its informer lists (404) and backs off.
        let deadline = ContinuousClock.now + .seconds(20)
        while !controller.hasSynced, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(controller.hasSynced)
        try await Task.sleep(for: .seconds(2))
        #expect(Self.engagementFailures(metrics, gvk: "source.toolkit.fluxcd.io/v1, Kind=GitRepository") == nil)
        #expect(Self.engagementFailures(metrics, gvk: "jaas.metio.wtf/v1, Kind=JsonnetSnippet") == nil)
    }
}
