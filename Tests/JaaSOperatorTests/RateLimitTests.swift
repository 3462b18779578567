import Foundation
import JaaSOperator
import KubeTestServer
import Kubernetes
import Testing

/// The per-snippet re-render limit (`--rerender-rate`, `--rerender-burst`): a render past the
/// budget is deferred, counted in `jaas_snippet_rate_limited_total` and told on the snippet
/// as a `RateLimited` Warning event.
@Suite(.serialized) struct RateLimitTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    @Test func aDeferredRenderIsCountedAndToldAsAnEvent() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        let metrics = OperatorMetrics()
        var settings = c.reconciler.settings
        settings.metrics = metrics
        let controller = SnippetController(reconciler: SnippetReconciler(admin: c.admin, settings: settings),
                                           options: .init(namespaces: ["team-a"], workers: 1,
                                                          rerenderPerMinute: 1, rerenderBurst: 1))
        let task = Task { await controller.run() }
        defer { task.cancel() }
        try await c.apply("busy", spec: ReconcilerIntegrationTests.spec("{ n: 1 }"))
        try await eventually { try await c.ready("busy").status == "True" }
        // The one token is spent: the edit waits about a minute.
        try await c.apply("busy", spec: ReconcilerIntegrationTests.spec("{ n: 2 }"))
        var event: KubeObject?
        try await eventually {
            event = try await c.admin.list(.events, namespace: "team-a").items.first {
                $0[path: "involvedObject", "name"]?.stringValue == "busy" && $0["reason"]?.stringValue == "RateLimited"
            }
            return event != nil
        }
        #expect(event?["type"]?.stringValue == "Warning")
        let message = event?["message"]?.stringValue ?? ""
        #expect(message.hasPrefix("re-render rate limit reached (--rerender-rate 1/min, --rerender-burst 1): the next render runs in "),
                "\(message)")
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("jaas_snippet_rate_limited_total{")
            && $0.contains("namespace=\"team-a\"") && $0.contains("name=\"busy\"") && !$0.hasSuffix(" 0") },
                "\(text.split(separator: "\n").filter { $0.contains("rate_limited") })")
    }

    func eventually(seconds: Int = 20, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("condition not met within \(seconds) s")
    }
}
