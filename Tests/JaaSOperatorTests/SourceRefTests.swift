import Foundation
import Hummingbird
import JaaSArtifacts
import JaaSOperator
import KubeTestServer
import Kubernetes
import NIOCore
import Synchronization
import Testing
import Yams

/// Serves artifact bytes at paths on 127.0.0.1, as Flux's source-controller does.
final class ArtifactHost: Sendable {
    final class Files: Sendable {
        let map = Mutex<[String: [UInt8]]>([:])
    }

    /// Requests per path, paths answered with a redirect to a location, and paths
    /// whose answer sends a few bytes and then a byte every `interval` (nil: nothing more).
    final class Traffic: Sendable {
        let hits = Mutex<[String: Int]>([:])
        let redirects = Mutex<[String: String]>([:])
        let trickles = Mutex<[String: Duration?]>([:])
    }

    let files = Files()
    let traffic = Traffic()
    let port: Int
    private let task: Task<Void, any Error>

    init() async throws {
        let (files, traffic) = (self.files, self.traffic)
        let router = Router()
        router.get("**") { request, _ -> Response in
            traffic.hits.withLock { $0[request.uri.path, default: 0] += 1 }
            if let location = traffic.redirects.withLock({ $0[request.uri.path] }) {
                return Response(status: .found, headers: [.location: location])
            }
            if let interval = traffic.trickles.withLock({ $0[request.uri.path] }) {
                // A hostile source: headers and 10 bytes, then a byte per interval or silence.
                return Response(status: .ok, body: ResponseBody(contentLength: 1 << 20) { writer in
                    try await writer.write(ByteBuffer(bytes: [UInt8](repeating: 0, count: 10)))
                    while !Task.isCancelled {
                        try await Task.sleep(for: interval ?? .seconds(3600))
                        try await writer.write(ByteBuffer(bytes: [0]))
                    }
                })
            }
            guard let bytes = files.map.withLock({ $0[request.uri.path] }) else { return Response(status: .notFound) }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        task = Task { try await app.run() }
        var port = 0
        for await p in ports { port = p; break }
        self.port = port
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
    func put(_ path: String, _ bytes: [UInt8]) { files.map.withLock { $0[path] = bytes } }
    func redirect(_ path: String, to location: String) { traffic.redirects.withLock { $0[path] = location } }
    /// Answers `path` with 10 bytes, then a byte every `interval` (nil: never another).
    func trickle(_ path: String, every interval: Duration?) { traffic.trickles.withLock { $0[path] = interval } }
    func hitCount(_ path: String) -> Int { traffic.hits.withLock { $0[path] ?? 0 } }
    func stop() { task.cancel() }
}

/// `spec.sourceRef` through a Flux source's `status.artifact` (docs/operator/sources.md).
@Suite(.serialized) struct SourceRefTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    static let tree: FileTree = [
        "dashboards/api-latency.jsonnet": Array("(import 'lib/panels.libsonnet') + { title: 'latency' }".utf8),
        "dashboards/main.jsonnet": Array("{ entry: 'main', panels: (import 'lib/panels.libsonnet').panels }".utf8),
        "dashboards/lib/panels.libsonnet": Array("{ panels: 3 }".utf8),
        "README.md": Array("docs".utf8),
    ]

    struct Env {
        let cluster: Cluster
        let host: ArtifactHost

        static func start() async throws -> Env {
            let cluster = try await Cluster.start()
            try await installSources(cluster)
            return Env(cluster: cluster, host: try await ArtifactHost())
        }

        /// The Flux source CRDs and a Role letting the tenant read sources.
        static func installSources(_ cluster: Cluster) async throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            for kind in ["gitrepositories", "buckets", "ocirepositories"] {
                let yaml = try String(contentsOf: root.appendingPathComponent("config/crd/test/source.toolkit.fluxcd.io_\(kind).yaml"),
                                      encoding: .utf8)
                _ = try await cluster.admin.create(.customResourceDefinitions,
                                                   KubeObject(json: try JSONValue(encoding: AnyCodable(try Yams.load(yaml: yaml)))))
            }
            var role = KubeObject(apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespace: "team-a", name: "sources")
            role["rules"] = [["apiGroups": ["source.toolkit.fluxcd.io"], "resources": ["gitrepositories", "buckets"],
                              "verbs": ["get", "list", "watch"]]]
            _ = try await cluster.admin.create(GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1",
                                                                    resource: "roles"), role)
            var binding = KubeObject(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespace: "team-a",
                                     name: "sources")
            binding["roleRef"] = ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "sources"]
            binding["subjects"] = [["kind": "ServiceAccount", "name": "renderer", "namespace": "team-a"]]
            _ = try await cluster.admin.create(GroupVersionResource(group: "rbac.authorization.k8s.io", version: "v1",
                                                                    resource: "rolebindings"), binding)
        }

        func stop() async {
            host.stop()
            await cluster.stop()
        }

        /// A source CR with a Ready artifact (or not).
        func source(_ kind: String, _ name: String, url: String?, digest: String?, ready: Bool = true) async throws {
            let plural = kind == "GitRepository" ? "gitrepositories" : "buckets"
            var status: [String: JSONValue] = ["conditions": [["type": "Ready", "status": ready ? "True" : "False",
                                                          "reason": ready ? "Succeeded" : "Failed", "message": "",
                                                          "lastTransitionTime": "2026-11-25T00:00:00Z"]]]
            if let url, let digest {
                status["artifact"] = ["url": .string(url), "digest": .string(digest), "revision": "main@sha1:abc",
                                      "path": "x.tar.gz", "lastUpdateTime": "2026-11-25T00:00:00Z"]
            }
            let text = try JSONValue.object([
                "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": .string(kind),
                "metadata": ["name": .string(name), "namespace": "team-a"],
                "spec": kind == "Bucket"
                    ? ["interval": "5m", "bucketName": "dashboards", "endpoint": "minio.example.invalid"]
                    : ["interval": "5m", "url": "https://example.invalid/repo"],
                "status": .object(status),
            ]).jsonString()
            _ = try? await cluster.admin.delete(GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1",
                                                                     resource: plural), namespace: "team-a", name: name)
            _ = try await cluster.server.create(try .parse(text))
        }

        func publish(_ path: String, _ tree: FileTree) throws -> (url: String, digest: String) {
            let a = try Artifact(files: tree)
            host.put(path, a.tarball)
            return (host.url(path), a.digest)
        }

        func snippet(_ name: String, kind: String = "GitRepository", source: String, path: String?, entry: String,
                     namespace: String? = nil) async throws -> (status: String?, reason: String?, message: String?) {
            var ref: [String: JSONValue] = ["kind": .string(kind), "name": .string(source)]
            if let path { ref["path"] = .string(path) }
            if let namespace { ref["namespace"] = .string(namespace) }
            try await cluster.apply(name, spec: ["serviceAccountName": "renderer", "entryFile": .string(entry),
                                                 "sourceRef": .object(ref)])
            _ = try await cluster.reconcile(name)
            return try await cluster.ready(name)
        }

        func rendered(_ name: String) async throws -> String {
            let url = try #require(try await cluster.snippet(name)[path: "status", "artifactURL"]?.stringValue)
            let key = try #require(URL(string: url)?.path.drop { $0 == "/" })
            let bytes = try #require(try cluster.storage.get(String(key)))
            return String(decoding: try #require(try Artifact.extract(bytes)["rendered.json"]), as: UTF8.self)
        }
    }

    /// A tar whose only entry is `../evil.jsonnet` (our writer refuses to make one).
    static func tarWithEscapingEntry() throws -> [UInt8] {
        var tar = Tar.write(["xx/evil.jsonnet": Array("1".utf8)])
        tar.replaceSubrange(0..<2, with: Array("..".utf8))
        var sum = 0
        for i in 0..<512 { sum += (148..<156).contains(i) ? 32 : Int(tar[i]) }
        let digits = Array(String(sum, radix: 8).utf8)
        tar.replaceSubrange(148..<156, with: [UInt8](repeating: UInt8(ascii: "0"), count: 6 - digits.count) + digits + [0, 32])
        return tar
    }

    @Test func seedFormsOfPathAndEntryFileBothWork() async throws {
        let env = try await Env.start()
        defer { Task { await env.stop() } }
        let (url, digest) = try env.publish("/git/dashboards.tar.gz", Self.tree)
        try await env.source("GitRepository", "dashboards-source", url: url, digest: digest)
        try await env.source("Bucket", "bucket-source", url: url, digest: digest)
        // GitRepository example: path dashboards/ with entryFile dashboards/api-latency.jsonnet (from the root).
        let git = try await env.snippet("api-latency", source: "dashboards-source", path: "dashboards/",
                                        entry: "dashboards/api-latency.jsonnet")
        #expect(git.status == "True", "\(git)")
        #expect(try await env.rendered("api-latency") == "{\n   \"panels\": 3,\n   \"title\": \"latency\"\n}\n")
        // Bucket example: path dashboards/ with entryFile main.jsonnet (inside the narrowed tree).
        let bucket = try await env.snippet("bucket", kind: "Bucket", source: "bucket-source", path: "dashboards/",
                                           entry: "main.jsonnet")
        #expect(bucket.status == "True", "\(bucket)")
        #expect(try await env.rendered("bucket") == "{\n   \"entry\": \"main\",\n   \"panels\": 3\n}\n")
    }

    @Test func sourceProblemsHaveTheirReasons() async throws {
        let env = try await Env.start()
        defer { Task { await env.stop() } }
        let (url, digest) = try env.publish("/ok.tar.gz", Self.tree)
        try await env.source("GitRepository", "not-ready", url: url, digest: digest, ready: false)
        #expect(try await env.snippet("a", source: "not-ready", path: nil, entry: "dashboards/main.jsonnet").reason == "SourceNotReady")
        try await env.source("GitRepository", "no-artifact", url: nil, digest: nil)
        #expect(try await env.snippet("b", source: "no-artifact", path: nil, entry: "main.jsonnet").reason == "SourceNotReady")
        try await env.source("GitRepository", "good", url: url, digest: digest)
        let nothing = try await env.snippet("c", source: "good", path: "missing/", entry: "main.jsonnet")
        #expect(nothing.reason == "InvalidSpec" && nothing.message?.contains("matches no files") == true, "\(nothing)")
        let noEntry = try await env.snippet("d", source: "good", path: "dashboards/", entry: "nope.jsonnet")
        #expect(noEntry.reason == "InvalidSpec" && noEntry.message?.contains("nope.jsonnet") == true, "\(noEntry)")
        let cross = try await env.snippet("e", source: "good", path: nil, entry: "main.jsonnet", namespace: "other")
        #expect(cross.reason == "CrossNamespaceRefRejected")
    }

    @Test func hostileArtifactsFailCleanlyAndWriteNothing() async throws {
        let env = try await Env.start()
        defer { Task { await env.stop() } }
        let (good, goodDigest) = try env.publish("/good.tar.gz", Self.tree)
        var cases: [(name: String, url: String, digest: String, expect: String)] = [
            ("mismatch", good, "sha256:" + String(repeating: "0", count: 64), "does not match its digest"),
            ("malformed", good, "sha256:xyz", "malformed sha256 digest"),
            ("missing", env.host.url("/404.tar.gz"), goodDigest, "HTTP 404"),
            ("metadata", "http://169.254.169.254/latest/meta-data.tar.gz", goodDigest, "link-local"),
            ("scheme", "file:///etc/passwd", goodDigest, "not an http(s) URL"),
        ]
        let evil = try Gzip.compress(Self.tarWithEscapingEntry())
        env.host.put("/evil.tar.gz", evil)
        cases.append(("dotdot", env.host.url("/evil.tar.gz"), ArtifactDigest(of: evil).description, "leaves the tree"))
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 600 << 20))
        env.host.put("/bomb.tar.gz", bomb)
        cases.append(("bomb", env.host.url("/bomb.tar.gz"), ArtifactDigest(of: bomb).description, "gzip bomb"))
        let truncated = Array(try Artifact(files: Self.tree).tarball.dropLast(40))
        env.host.put("/truncated.tar.gz", truncated)
        cases.append(("truncated", env.host.url("/truncated.tar.gz"), ArtifactDigest(of: truncated).description, "truncated"))
        for c in cases {
            try await env.source("GitRepository", "src-\(c.name)", url: c.url, digest: c.digest)
            let r = try await env.snippet("snip-\(c.name)", source: "src-\(c.name)", path: nil, entry: "dashboards/main.jsonnet")
            #expect(r.reason == "SourceFetchFailed" && r.message?.contains(c.expect) == true, "\(c.name): \(r)")
            #expect(env.cluster.storage.revisions(namespace: "team-a", name: "snip-\(c.name)").isEmpty)
        }
        // Other snippets are unaffected.
        try await env.source("GitRepository", "fine", url: good, digest: goodDigest)
        #expect(try await env.snippet("fine", source: "fine", path: nil, entry: "dashboards/main.jsonnet").status == "True")
    }
}

/// Watches on sources and chaining through ExternalArtifacts.
@Suite(.serialized) struct SourceWatchAndChainingTests {
    typealias Env = SourceRefTests.Env

    @Test func aNewArtifactReRendersTheDependentSnippetWithin2s() async throws {
        let env = try await Env.start()
        defer { Task { await env.stop() } }
        let (url, digest) = try env.publish("/v1.tar.gz", SourceRefTests.tree)
        try await env.source("GitRepository", "live", url: url, digest: digest)
        let controller = SnippetController(reconciler: env.cluster.reconciler, options: .init(namespaces: ["team-a"]))
        let task = Task { await controller.run() }
        defer { task.cancel() }
        try await env.cluster.apply("follower", spec: ["serviceAccountName": "renderer", "entryFile": "main.jsonnet",
                                                       "sourceRef": ["kind": "GitRepository", "name": "live", "path": "dashboards"]])
        var first: String?
        for _ in 0..<100 where first == nil {
            first = try await env.cluster.snippet("follower")[path: "status", "revision"]?.stringValue
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(first != nil)
        // Flux publishes a new artifact: only the source's status changes.
        var next = SourceRefTests.tree
        next["dashboards/lib/panels.libsonnet"] = Array("{ panels: 4 }".utf8)
        let (url2, digest2) = try env.publish("/v2.tar.gz", next)
        let published = ContinuousClock.now
        _ = try await env.cluster.admin.patchStatus(
            GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1", resource: "gitrepositories"),
            namespace: "team-a", name: "live",
            patch: ["status": ["artifact": ["url": .string(url2), "digest": .string(digest2), "revision": "main@sha1:def",
                                            "path": "x.tar.gz", "lastUpdateTime": "2026-11-25T01:00:00Z"]]])
        var changed = false
        while ContinuousClock.now - published < .seconds(2) && !changed {
            changed = try await env.cluster.snippet("follower")[path: "status", "revision"]?.stringValue != first
            if !changed { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(changed, "the snippet re-rendered within 2 s of the new artifact")
        #expect(try await env.rendered("follower") == "{\n   \"entry\": \"main\",\n   \"panels\": 4\n}\n")
    }

    @Test func snippetsChainThroughExternalArtifactsInBothOutputModes() async throws {
        let env = try await Env.start()
        defer { Task { await env.stop() } }
        // Serve the operator's own storage so B can download A's artifact.
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            try await StorageServer(storage: env.cluster.storage, host: "127.0.0.1", port: 0).run { continuation.yield($0) }
        }
        defer { server.cancel() }
        var port = 0
        for await p in ports { port = p; break }
        var settings = env.cluster.reconciler.settings
        settings.storageBaseURL = "http://127.0.0.1:\(port)"
        let reconciler = SnippetReconciler(admin: env.cluster.admin, settings: settings)

        // A renders; B evaluates A's rendered.json.
        try await env.cluster.apply("a-rendered", spec: ["serviceAccountName": "renderer",
                                                         "files": ["main.jsonnet": "{ x: 20 + 1 }"]])
        _ = try await reconciler.reconcile(namespace: "team-a", name: "a-rendered")
        try await env.cluster.apply("b-rendered", spec: ["serviceAccountName": "renderer", "entryFile": "rendered.json",
                                                         "sourceRef": ["kind": "ExternalArtifact", "name": "a-rendered"]])
        _ = try await reconciler.reconcile(namespace: "team-a", name: "b-rendered")
        #expect(try await env.cluster.ready("b-rendered").status == "True")
        #expect(try await env.rendered("b-rendered") == "{\n   \"x\": 21\n}\n")

        // A publishes its sources; B re-evaluates them with its own variables.
        try await env.cluster.apply("a-source", spec: ["serviceAccountName": "renderer", "output": "source",
                                                       "files": ["main.jsonnet": "{ who: std.extVar('who') }"]])
        _ = try await reconciler.reconcile(namespace: "team-a", name: "a-source")
        try await env.cluster.apply("b-source", spec: ["serviceAccountName": "renderer",
                                                       "sourceRef": ["kind": "ExternalArtifact", "name": "a-source"],
                                                       "externalVariables": [["name": "who", "value": "b"]]])
        _ = try await reconciler.reconcile(namespace: "team-a", name: "b-source")
        #expect(try await env.cluster.ready("b-source").status == "True")
        #expect(try await env.rendered("b-source") == "{\n   \"who\": \"b\"\n}\n")
    }
}

@Suite(.serialized) struct LateFluxCRDTests {
    @Test func aFluxCRDInstalledAfterStartUpIsWatchedWithoutARestart() async throws {
        let c = try await ReconcilerIntegrationTests.Cluster.start()
        defer { Task { await c.stop() } }
        let controller = SnippetController(reconciler: c.reconciler, options: .init(namespaces: ["team-a"]))
        let task = Task { await controller.run() }
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(300))
        // Only now install the GitRepository CRD (plus RBAC and a source), then reference it.
        let env = SourceRefTests.Env(cluster: c, host: try await ArtifactHost())
        defer { env.host.stop() }
        try await SourceRefTests.Env.installSources(c)
        let (url, digest) = try env.publish("/late.tar.gz", SourceRefTests.tree)
        try await env.source("GitRepository", "late", url: nil, digest: nil, ready: false)
        try await c.apply("late-user", spec: ["serviceAccountName": "renderer", "entryFile": "main.jsonnet",
                                              "sourceRef": ["kind": "GitRepository", "name": "late", "path": "dashboards"]])
        var notReady = false
        for _ in 0..<200 where !notReady {
            notReady = try await c.ready("late-user").reason == "SourceNotReady"
            if !notReady { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(notReady)
        // The artifact appears: only the watch on the late CRD can notice.
        _ = try await c.admin.patchStatus(
            GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1", resource: "gitrepositories"),
            namespace: "team-a", name: "late",
            patch: ["status": ["artifact": ["url": .string(url), "digest": .string(digest), "revision": "r",
                                            "path": "x.tar.gz", "lastUpdateTime": "2026-11-25T00:00:00Z"],
                               "conditions": [["type": "Ready", "status": "True", "reason": "Succeeded", "message": "",
                                               "lastTransitionTime": "2026-11-25T00:00:00Z"]]]])
        var ready = false
        for _ in 0..<200 where !ready {
            ready = try await c.ready("late-user").status == "True"
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready, "re-rendered through the watch started after the CRD appeared")
    }
}
