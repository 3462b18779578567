import AsyncHTTPClient
import Foundation
import JaaSArtifacts
import JaaSCore
import JaaSOperator
import KubeTestServer
import Kubernetes
import Testing
import TestSupport
import Yams

/// The inline-snippet reconciler against kube-test-server over real HTTP,
/// with the project's CRDs and RBAC enforced for the tenant ServiceAccount.
@Suite(.serialized) struct ReconcilerIntegrationTests {

    /// A running server with the CRDs, a namespace, a tenant ServiceAccount allowed
    /// to publish ExternalArtifacts, and a reconciler writing into a temp storage dir.
    struct Cluster {
        let server: KubeTestServer
        let admin: KubeClient
        let reconciler: SnippetReconciler
        let storage: LocalStorage

        /// `configure` adjusts the reconciler's settings (which allow loopback source URLs, for the
        /// artifact host on 127.0.0.1); `tenantMayDelete` grants the tenant `delete` on ExternalArtifacts.
        static func start(tenantMayCreate: Bool = true, tenantMayDelete: Bool = true,
                          libraryPathAliases: [String: FileTree] = [:],
                          renderer: SnippetRenderer = SnippetRenderer(operatorExternalVariables: ["cluster": "test"]),
                          configure: (inout OperatorSettings) -> Void = { _ in },
                          serverConfiguration: KubeTestServer.Configuration = .init(anonymousIsAdmin: true))
            async throws -> Cluster {
            // kubectl sends no token to a plain-http server: unauthenticated requests act as the admin
            // (ServiceAccount tokens are still checked against RBAC).
            let server = try await KubeTestServer.start(serverConfiguration)
            let admin = try KubeClient(config: KubeConfig(server: server.baseURL,
                                                          authentication: .bearerToken(server.adminToken)))
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            for file in ["config/crd/jaas.metio.wtf_jsonnetsnippets.yaml", "config/crd/jaas.metio.wtf_jsonnetlibraries.yaml",
                         "config/crd/test/source.toolkit.fluxcd.io_externalartifacts.yaml"] {
                let yaml = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                let object = try JSONValue(encoding: AnyCodable(try Yams.load(yaml: yaml)))
                _ = try await admin.create(.customResourceDefinitions, KubeObject(json: object))
            }
            try await Task.sleep(for: .milliseconds(50))
            _ = try await admin.create(.namespaces, KubeObject(apiVersion: "v1", kind: "Namespace", name: "team-a"))
            _ = try await admin.create(.serviceAccounts, KubeObject(apiVersion: "v1", kind: "ServiceAccount",
                                                                    namespace: "team-a", name: "renderer"))
            let verbs: [JSONValue] = (tenantMayCreate ? ["get", "create", "update", "patch"] : ["get"]) + (tenantMayDelete ? ["delete"] : [])
            var role = KubeObject(apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespace: "team-a", name: "publisher")
            role["rules"] = [
                ["apiGroups": ["source.toolkit.fluxcd.io"], "resources": ["externalartifacts"], "verbs": .array(verbs)],
                ["apiGroups": ["source.toolkit.fluxcd.io"], "resources": ["externalartifacts/status"],
                 "verbs": ["get", "update", "patch"]],
                ["apiGroups": ["jaas.metio.wtf"], "resources": ["jsonnetlibraries"], "verbs": ["get", "list", "watch"]],
            ]
            _ = try await admin.create(GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles"), role)
            var binding = KubeObject(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: "team-a",
                                     name: "publisher")
            binding["roleRef"] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "publisher"]
            binding["subjects"] = [["kind": "ServiceAccount", "name": "renderer", "namespace": "team-a"]]
            _ = try await admin.create(GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1",
                                                            resource: "rolebindings"), binding)
            let storage = try LocalStorage(root: temporaryPath("jaas-op-"))
            var settings = OperatorSettings(storage: storage, storageBaseURL: "http://storage.test/",
                                            renderer: renderer, gcGrace: 0)
            settings.libraryPathAliases = libraryPathAliases
            settings.fetcher = SourceFetcher(policy: AddressPolicy(allowLoopback: true))
            configure(&settings)
            return Cluster(server: server, admin: admin, reconciler: SnippetReconciler(admin: admin, settings: settings),
                           storage: storage)
        }

        func stop() async {
            try? await admin.shutdown()
            await server.stop()
            try? FileManager.default.removeItem(atPath: storage.root)
        }

        func apply(_ name: String, spec: JSONValue, annotations: [String: String] = [:]) async throws {
            var snippet = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetSnippet", namespace: "team-a", name: name)
            snippet["spec"] = spec
            if !annotations.isEmpty {
                snippet["metadata"] = ["name": .string(name), "namespace": "team-a",
                                       "annotations": .object(annotations.mapValues(JSONValue.string))]
            }
            do {
                _ = try await admin.create(.jsonnetSnippets, snippet)
            } catch let e as KubeError where e.code == 409 {
                var patch: JSONValue = ["spec": spec]
                if !annotations.isEmpty { patch["metadata"] = ["annotations": .object(annotations.mapValues(JSONValue.string))] }
                _ = try await admin.patch(.jsonnetSnippets, namespace: "team-a", name: name, patch: patch)
            }
        }

        func reconcile(_ name: String) async throws -> ReconcileResult {
            try await reconciler.reconcile(namespace: "team-a", name: name)
        }

        func snippet(_ name: String) async throws -> KubeObject {
            try await admin.get(.jsonnetSnippets, namespace: "team-a", name: name)
        }

        func ready(_ name: String) async throws -> (status: String?, reason: String?, message: String?) {
            let c = try await snippet(name)[path: "status", "conditions"]?.arrayValue?.first
            return (c?["status"]?.stringValue, c?["reason"]?.stringValue, c?["message"]?.stringValue)
        }
    }

    static func spec(_ main: String, sa: String? = "renderer", extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec: [String: JSONValue] = ["files": ["main.jsonnet": .string(main)]]
        if let sa { spec["serviceAccountName"] = .string(sa) }
        spec.merge(extra) { _, new in new }
        return .object(spec)
    }

    /// Operator evaluations in worker processes: a worker killed mid-evaluation
    /// leaves the snippet Ready=False, EvaluationFailed, with a message naming the signal.
    @Test func aCrashedEvaluationIsReportedOnTheSnippet() async throws {
        let pool = WorkerPool(configuration: .init(executable: WorkerRenderingTests.binary, addressSpaceLimit: 4 << 30))
        defer { pool.shutdown() }
        let c = try await Cluster.start(renderer: SnippetRenderer(operatorExternalVariables: ["cluster": "test"],
                                                                  evaluationTimeout: .seconds(30), workers: pool))
        defer { Task { await c.stop() } }
        try await c.apply("crash", spec: Self.spec("std.foldl(function(a, i) a + std.foldl(function(b, j) b + j, std.range(1, 10000), 0), std.range(1, 100000), 0)"))
        let reconcile = Task { try await c.reconcile("crash") }
        let deadline = ContinuousClock.now + .seconds(20)
        while pool.busyProcessIDs.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let pid = try #require(pool.busyProcessIDs.first)
        try await Task.sleep(for: .milliseconds(300))
        kill(pid, SIGSEGV)
        _ = try? await reconcile.value
        let ready = try await c.ready("crash")
        #expect(ready.status == "False" && ready.reason == "EvaluationFailed", "\(ready)")
        #expect(ready.message?.contains("evaluation crashed") == true, "\(ready)")
        #expect(ready.message?.contains("killed by signal SIGSEGV") == true, "\(ready)")
    }

    @Test func newSnippetIsPublishedAndRepublishesIdentically() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("hello", spec: Self.spec("{ who: std.extVar('cluster') }"))
        _ = try await c.reconcile("hello")
        let ready = try await c.ready("hello")
        #expect(ready.status == "True" && ready.reason == "Synced", "\(ready)")
        let ea = try await c.admin.get(.externalArtifacts, namespace: "team-a", name: "hello")
        let artifact = try #require(ea[path: "status", "artifact"])
        let url = try #require(artifact["url"]?.stringValue)
        let digest = try #require(artifact["digest"]?.stringValue)
        let revision = try #require(artifact["revision"]?.stringValue)
        #expect(url.hasPrefix("http://storage.test/team-a/hello/") && url.hasSuffix(".tar.gz"))
        #expect(ea[path: "spec", "sourceRef", "kind"]?.stringValue == "JsonnetSnippet")
        #expect(ea[path: "status", "conditions"]?.arrayValue?.first?["reason"]?.stringValue == "Succeeded")
        let key = String(url.dropFirst("http://storage.test/".count))
        let bytes = try await StorageDownload.fetch(from: c.storage, key: key)
        #expect(try c.storage.get(key) == bytes)
        try ArtifactDigest(parsing: digest).verify(bytes)
        #expect(artifact["size"]?.intValue == Int64(bytes.count))
        let files = try Artifact.extract(bytes)
        #expect(files["rendered.json"] == Array("{\n   \"who\": \"test\"\n}\n".utf8))
        #expect(revision == ArtifactDigest(of: files["rendered.json"]!).description)
        let transition = ea[path: "status", "conditions"]?.arrayValue?.first?["lastTransitionTime"]

        // The same spec again: byte-identical artifact, no new revision, same transition time.
        _ = try await c.reconcile("hello")
        let again = try await c.admin.get(.externalArtifacts, namespace: "team-a", name: "hello")
        #expect(again[path: "status", "artifact", "digest"]?.stringValue == digest)
        #expect(try c.storage.get(key) == bytes)
        #expect(again[path: "status", "conditions"]?.arrayValue?.first?["lastTransitionTime"] == transition)
        #expect(try await c.snippet("hello")[path: "status", "observedGeneration"]?.intValue == 1)
    }

    @Test func editsMakeNewRevisionsAndHistoryKeepsThree() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        var revisions: [String] = []
        for i in 1...4 {
            try await c.apply("versions", spec: Self.spec("{ v: \(i) }", extra: ["history": 3]))
            _ = try await c.reconcile("versions")
            revisions.append(try #require(try await c.snippet("versions")[path: "status", "revision"]?.stringValue))
        }
        #expect(Set(revisions).count == 4)
        let history = try await c.snippet("versions")[path: "status", "history"]?.arrayValue ?? []
        #expect(history.compactMap { $0["revision"]?.stringValue } == Array(revisions.reversed().prefix(3)))
        // The revision that left the history is collected (grace 0 in this test).
        _ = try await c.reconcile("versions")
        #expect(c.storage.revisions(namespace: "team-a", name: "versions").count == 3)
        #expect(try await c.snippet("versions")[path: "status", "observedGeneration"]?.intValue == 4)
    }

    @Test func deletingTheSnippetRemovesItsFiles() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("gone", spec: Self.spec("{}"))
        _ = try await c.reconcile("gone")
        #expect(c.storage.revisions(namespace: "team-a", name: "gone").count == 1)
        #expect(try await c.snippet("gone").finalizers.contains(OperatorNames.finalizer))
        _ = try await c.admin.delete(.jsonnetSnippets, namespace: "team-a", name: "gone")
        #expect(try await c.snippet("gone").deletionTimestamp != nil)
        _ = try await c.reconcile("gone")
        #expect(c.storage.revisions(namespace: "team-a", name: "gone").isEmpty)
        await #expect(throws: KubeError.self) { try await c.snippet("gone") }
        // The ExternalArtifact went first: Flux is not left pointing at a deleted tarball.
        await #expect(throws: KubeError.self) { try await c.admin.get(.externalArtifacts, namespace: "team-a", name: "gone") }
    }

    @Test func tenantWithoutCreateGetsRBACDenied() async throws {
        let c = try await Cluster.start(tenantMayCreate: false)
        defer { Task { await c.stop() } }
        try await c.apply("denied", spec: Self.spec("{}"))
        _ = try await c.reconcile("denied")
        let ready = try await c.ready("denied")
        #expect(ready.status == "False" && ready.reason == "RBACDenied")
        #expect(ready.message?.contains("create") == true && ready.message?.contains("externalartifacts") == true,
                "\(ready.message ?? "")")
    }

    @Test func missingServiceAccountSuspendAndRequestedAt() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("nosa", spec: Self.spec("{}", sa: nil))
        _ = try await c.reconcile("nosa")
        #expect(try await c.ready("nosa").reason == "ServiceAccountMissing")
        try await c.apply("ghost", spec: Self.spec("{}", sa: "ghost"))
        _ = try await c.reconcile("ghost")
        #expect(try await c.ready("ghost").reason == "ServiceAccountMissing")

        try await c.apply("paused", spec: Self.spec("{}", extra: ["suspend": true]))
        _ = try await c.reconcile("paused")
        #expect(try await c.ready("paused").reason == "Suspended")

        try await c.apply("poked", spec: Self.spec("{}"), annotations: [OperatorNames.requestedAt: "2026-11-25T10:00:00Z"])
        _ = try await c.reconcile("poked")
        #expect(try await c.snippet("poked")[path: "status", "lastHandledReconcileAt"]?.stringValue == "2026-11-25T10:00:00Z")
    }

    @Test func conflictOnStatusWriteIsRetried() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("busy", spec: Self.spec("{ a: 1 }"))
        await c.server.injectFault(InjectedFault(verb: "update", group: "jaas.metio.wtf", resource: "jsonnetsnippets",
                                                 subresource: "status", code: 409))
        _ = try await c.reconcile("busy")
        #expect(try await c.ready("busy").reason == "Synced")
    }

    @Test func evaluationErrorsAndConflictsAreReported() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("broken", spec: Self.spec("{ a: }"))
        _ = try await c.reconcile("broken")
        #expect(try await c.ready("broken").reason == "EvaluationFailed")
        try await c.apply("clash", spec: Self.spec("{}", extra: ["externalVariables": [["name": "cluster", "value": "x"]]]))
        _ = try await c.reconcile("clash")
        #expect(try await c.ready("clash").reason == "ExternalVariableConflict")
    }
}

/// Bridges Yams' `Any` tree into JSON for the client.
struct AnyCodable: Encodable {
    let value: Any?
    init(_ value: Any?) { self.value = value }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case nil: try c.encodeNil()
        case let v as Bool: try c.encode(v)
        case let v as Int: try c.encode(v)
        case let v as Double: try c.encode(v)
        case let v as String: try c.encode(v)
        case let v as [Any]: try c.encode(v.map(AnyCodable.init))
        case let v as [String: Any]: try c.encode(v.mapValues(AnyCodable.init))
        default: try c.encode("\(value!)")
        }
    }
}

/// The watch-driven controller: changes reach the reconciler without polling,
/// and a watch that is told 410 Gone relists and carries on.
@Suite(.serialized) struct SnippetControllerTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    /// The bound is generous: this group runs beside many process-spawning suites on
    /// two cores (alone the test takes under a second); latency is measured by
    /// scripts/operator-churn-check, not here.
    func waitForReady(_ c: Cluster, _ name: String, revision: String? = nil, within seconds: Double = 30) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let r = try? await c.ready(name), r.status == "True" {
                if revision == nil { return true }
                if try await c.snippet(name)[path: "status", "revision"]?.stringValue != revision { return true }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func watchDrivesReconcilesAndSurvives410() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        let controller = SnippetController(reconciler: c.reconciler, options: .init(namespaces: ["team-a"], workers: 2))
        let task = Task { await controller.run() }
        defer { task.cancel() }

        try await c.apply("watched", spec: ReconcilerIntegrationTests.spec("{ n: 1 }"))
        #expect(try await waitForReady(c, "watched"))
        let first = try await c.snippet("watched")[path: "status", "revision"]?.stringValue

        try await c.apply("watched", spec: ReconcilerIntegrationTests.spec("{ n: 2 }"))
        #expect(try await waitForReady(c, "watched", revision: first), "an edit re-renders")

        // Expire the event window and cut the watch: the next watch gets 410 and must relist.
        await c.server.expireWatchHistory(group: "jaas.metio.wtf", resource: "jsonnetsnippets")
        await c.server.closeAllWatches()
        try await c.apply("after-gone", spec: ReconcilerIntegrationTests.spec("{ late: true }"))
        #expect(try await waitForReady(c, "after-gone"), "a snippet created after 410 is still reconciled")
    }
}

/// Downloads an artifact through a real StorageServer on a free port.
enum StorageDownload {
    static func fetch(from storage: LocalStorage, key: String) async throws -> [UInt8] {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task { try await StorageServer(storage: storage, host: "127.0.0.1", port: 0).run { continuation.yield($0) } }
        defer { server.cancel() }
        var port = 0
        for await p in ports { port = p; break }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/\(key)"),
                                                           timeout: .seconds(10))
        #expect(response.status == .ok)
        let body = try await response.body.collect(upTo: 64 << 20)
        let missing = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/../etc/passwd.tar.gz"), timeout: .seconds(10))
        #expect(missing.status == .notFound)
        return Array(body.readableBytesView)
    }
}

@Suite(.serialized) struct EventTests {
    @Test func publishAndFailureAreRecordedAsEvents() async throws {
        let c = try await ReconcilerIntegrationTests.Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("eventful", spec: ReconcilerIntegrationTests.spec("{ a: 1 }"))
        _ = try await c.reconcile("eventful")
        try await c.apply("eventful", spec: ReconcilerIntegrationTests.spec("{ a: }"))
        _ = try await c.reconcile("eventful")
        let events = try await c.admin.list(.events, namespace: "team-a").items
            .filter { $0[path: "involvedObject", "name"]?.stringValue == "eventful" }
        let reasons = events.compactMap { $0["reason"]?.stringValue }
        #expect(reasons.contains("Synced") && reasons.contains("EvaluationFailed"), "\(reasons)")
        #expect(events.first { $0["reason"]?.stringValue == "EvaluationFailed" }?["type"]?.stringValue == "Warning")
    }
}
