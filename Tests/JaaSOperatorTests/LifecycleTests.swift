import Foundation
import JaaSArtifacts
import JaaSCore
import JaaSOperator
import KubeTestServer
import Logging
import Kubernetes
import Testing

/// Deletion, garbage collection, token rejection and the evaluation gate (issue 12).
@Suite(.serialized) struct LifecycleTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    static func spec(_ main: String, extra: [String: JSONValue] = [:]) -> JSONValue {
        ReconcilerIntegrationTests.spec(main, extra: extra)
    }

    func events(_ c: Cluster, _ name: String) async throws -> [KubeObject] {
        try await c.admin.list(.events, namespace: "team-a").items.filter { $0[path: "involvedObject", "name"]?.stringValue == name }
    }

    @Test func aWithdrawThatCannotDeleteTheExternalArtifactWaitsThenForcesTheFinalizer() async throws {
        // The tenant may not delete ExternalArtifacts.
        let waiting = try await Cluster.start(tenantMayDelete: false) { $0.maxWithdrawWait = 3600 }
        defer { Task { await waiting.stop() } }
        try await waiting.apply("kept", spec: Self.spec("{}"))
        _ = try await waiting.reconcile("kept")
        _ = try await waiting.admin.delete(.jsonnetSnippets, namespace: "team-a", name: "kept")
        guard case .requeue = try await waiting.reconcile("kept") else {
            Issue.record("a failed withdraw within --max-withdraw-wait is retried")
            return
        }
        #expect(try await waiting.snippet("kept").finalizers.contains(OperatorNames.finalizer))
        #expect(waiting.storage.revisions(namespace: "team-a", name: "kept").count == 1,
                "the tarball stays while the ExternalArtifact still points at it")

        let forced = try await Cluster.start(tenantMayDelete: false) { $0.maxWithdrawWait = 0 }
        defer { Task { await forced.stop() } }
        try await forced.apply("dropped", spec: Self.spec("{}"))
        _ = try await forced.reconcile("dropped")
        _ = try await forced.admin.delete(.jsonnetSnippets, namespace: "team-a", name: "dropped")
        #expect(try await forced.reconcile("dropped") == .done)
        await #expect(throws: KubeError.self) { try await forced.snippet("dropped") }
        #expect(forced.storage.revisions(namespace: "team-a", name: "dropped").isEmpty)
        let warning = try await events(forced, "dropped").first { $0["reason"]?.stringValue == "WithdrawForced" }
        #expect(warning?["type"]?.stringValue == "Warning")
        let metrics = String(decoding: forced.reconciler.settings.metrics.exposition(), as: UTF8.self)
        #expect(metrics.contains(#"jaas_snippet_force_drop_total{namespace="team-a",name="dropped",reason="WithdrawTimeout"} 1"#), "\(metrics)")
    }

    @Test func aSnippetThatNeverPublishedGoesAtOnce() async throws {
        let c = try await Cluster.start { $0.maxWithdrawWait = 3600 }
        defer { Task { await c.stop() } }
        try await c.apply("never", spec: ReconcilerIntegrationTests.spec("{}", sa: nil))
        _ = try await c.reconcile("never")
        #expect(try await c.ready("never").reason == "ServiceAccountMissing")
        _ = try await c.admin.delete(.jsonnetSnippets, namespace: "team-a", name: "never")
        #expect(try await c.reconcile("never") == .done, "no ExternalArtifact, nothing to wait for")
        await #expect(throws: KubeError.self) { try await c.snippet("never") }
    }

    @Test func theGraceCountsFromLeavingTheHistoryAndSurvivesARestart() async throws {
        let c = try await Cluster.start { $0.gcGrace = 2 }
        defer { Task { await c.stop() } }
        try await c.apply("graced", spec: Self.spec("{ v: 1 }"))
        _ = try await c.reconcile("graced")
        let first = try #require(c.storage.revisions(namespace: "team-a", name: "graced").first)
        // The first revision's file is older than the grace when the edit supersedes it.
        try await Task.sleep(for: .milliseconds(2500))
        try await c.apply("graced", spec: Self.spec("{ v: 2 }"))
        _ = try await c.reconcile("graced")
        let left = Date()
        #expect(c.storage.revisions(namespace: "team-a", name: "graced").contains(first),
                "a superseded revision is kept for the grace after it leaves the history")
        #expect(try c.storage.get("team-a/graced/superseded.json") != nil, "the time it left is stored with the revisions")

        // A restarted operator (new reconciler, same storage) keeps the recorded time.
        try await Task.sleep(for: .milliseconds(1000))
        let restarted = SnippetReconciler(admin: c.admin, settings: c.reconciler.settings)
        _ = try await restarted.reconcile(namespace: "team-a", name: "graced")
        #expect(c.storage.revisions(namespace: "team-a", name: "graced").contains(first))
        try await Task.sleep(for: .seconds(max(0, 2.1 - Date().timeIntervalSince(left))))
        var collected = false
        for _ in 0..<40 where !collected {
            await restarted.collectDueGarbage()
            collected = !c.storage.revisions(namespace: "team-a", name: "graced").contains(first)
            if !collected { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(collected, "collected once the grace from leaving the history has passed, without another edit")
        #expect(c.storage.revisions(namespace: "team-a", name: "graced").count == 1)
        #expect(try c.storage.get("team-a/graced/superseded.json") == nil)
    }

    @Test func aRevokedTokenIsReMintedOnce() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("rotated", spec: Self.spec("{ v: 1 }"))
        _ = try await c.reconcile("rotated")
        #expect(try await c.ready("rotated").status == "True")
        // Recreating the ServiceAccount gives it a new UID: the cached token is now answered 401.
        _ = try await c.admin.delete(.serviceAccounts, namespace: "team-a", name: "renderer")
        _ = try await c.admin.create(.serviceAccounts, KubeObject(apiVersion: "v1", kind: "ServiceAccount",
                                                                  namespace: "team-a", name: "renderer"))
        try await c.apply("rotated", spec: Self.spec("{ v: 2 }"))
        _ = try await c.reconcile("rotated")
        let ready = try await c.ready("rotated")
        #expect(ready.status == "True", "\(ready)")
    }

    @Test func aFullEvaluationGateGivesEvalUnavailableAndAQuickRequeue() async throws {
        let gate = EvaluationGate(maxConcurrent: 1, timeout: nil)
        let c = try await Cluster.start { $0.gate = gate }
        defer { Task { await c.stop() } }
        try await c.apply("crowded", spec: Self.spec("{ v: 1 }"))
        let (holding, release) = AsyncStream.makeStream(of: Void.self)
        let (entered, signal) = AsyncStream.makeStream(of: Void.self)
        let occupant = Task {
            try await gate.admitting {
                signal.yield()
                for await _ in holding { break }
            }
        }
        for await _ in entered { break }
        let result = try await c.reconcile("crowded")
        guard case .requeue(let after) = result else {
            Issue.record("expected a requeue, got \(result)")
            return
        }
        #expect(after > 0 && after < 5)
        #expect(gate.statistics.unavailableTotal == 1)
        #expect(try await c.ready("crowded").status == nil, "no status is written for a busy gate")
        #expect(try await events(c, "crowded").contains { $0["reason"]?.stringValue == "EvalUnavailable" })
        release.yield()
        release.finish()
        try await occupant.value
        _ = try await c.reconcile("crowded")
        #expect(try await c.ready("crowded").status == "True")
        #expect(gate.statistics.inFlight == 0)
    }

    @Test func operatorTimeoutsCountInTheSharedGate() async throws {
        let gate = EvaluationGate(maxConcurrent: 4, timeout: nil)
        let c = try await Cluster.start {
            $0.gate = gate
            $0.renderer = SnippetRenderer(evaluationTimeout: .milliseconds(200))
        }
        defer { Task { await c.stop() } }
        try await c.apply("slow", spec: Self.spec("std.foldl(function(a, b) a + b, std.range(1, 100000000), 0)"))
        _ = try await c.reconcile("slow")
        #expect(try await c.ready("slow").reason == "EvaluationTimeout")
        #expect(gate.statistics.timedOutTotal == 1 && gate.statistics.inFlight == 0)
    }

    @Test func theOperatorMetricsAreExported() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("measured", spec: Self.spec("{ v: 1 }"))
        _ = try await c.reconcile("measured")
        try await c.apply("broken", spec: Self.spec("{ v: }"))
        _ = try await c.reconcile("broken")
        let text = String(decoding: c.reconciler.settings.metrics.exposition(), as: UTF8.self)
        for name in ["jaas_snippet_reconcile_total", "jaas_snippet_rendered_bytes", "jaas_snippet_reconcile_duration_seconds",
                     "jaas_workqueue_depth", "jaas_storage_sweep_failures_total", "jaas_webhook_cert_renewal_failures_total",
                     "controller_runtime_reconcile_total", "workqueue_depth", "process_open_fds"] {
            #expect(text.contains("# TYPE \(name) "), "\(name) is missing")
        }
        #expect(text.contains(#"jaas_snippet_reconcile_total{namespace="team-a",name="measured",status="True",reason="Synced"} 1"#),
                "\(text)")
        #expect(text.contains(#"name="broken",status="False",reason="EvaluationFailed"} 1"#))
        #expect(text.contains(#"jaas_snippet_rendered_bytes_count{namespace="team-a",name="measured"} 1"#))
    }

    @Test func theStartUpCheckNamesMissingCRDsAndVerbs() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        let logger = Logger(label: "test")
        #expect(await OperatorPreflight(client: c.admin, namespace: "team-a", logger: logger).problems().isEmpty)
        let token = try await c.server.mintToken(namespace: "team-a", serviceAccount: "renderer")
        let weak = await OperatorPreflight(client: c.admin.withToken(token), namespace: "team-a", logger: logger).problems()
        #expect(weak.contains("the operator's identity may not list jsonnetsnippets.jaas.metio.wtf in namespace team-a"), "\(weak)")
        #expect(weak.contains("the operator's identity may not create serviceaccounts/token in namespace team-a"), "\(weak)")
        _ = try await c.admin.delete(.customResourceDefinitions, name: "jsonnetlibraries.jaas.metio.wtf")
        try await Task.sleep(for: .milliseconds(100))
        let missing = await OperatorPreflight(client: c.admin, namespace: "team-a", logger: logger).problems()
        #expect(missing == ["the JsonnetLibrary CRD (jsonnetlibraries.jaas.metio.wtf) is not installed"], "\(missing)")
    }
}
