import AsyncHTTPClient
import Foundation
import JaaSOperator
import Kubernetes
import NIOCore
import Testing

/// `--enable-mcp`: an operator on kube-test-server serves the MCP tools over
/// streamable HTTP at /mcp, driven by the MCP Python SDK's own client (issue 14).
@Suite(.serialized) struct MCPOperatorTests {
    typealias JSON = Kubernetes.JSONValue
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    /// An operator replica with MCP on a free port; `extra` flags added.
    func replica(_ cluster: Cluster, storage: String, name: String, extra: [String]) async throws -> (OperatorReplica, String) {
        let kubeconfig = NSTemporaryDirectory() + "jaas-mcp-\(UUID().uuidString).kubeconfig"
        try cluster.server.writeKubeconfig(to: kubeconfig)
        let port = try freePort()
        let replica = try await OperatorReplica(
            name: name,
            arguments: ["--kubeconfig", kubeconfig, "--storage-path", storage, "--leader-election=false",
                        "--enable-mcp", "--mcp-bind-address", "127.0.0.1:\(port)"] + extra,
            environment: [:])
        return (replica, "http://127.0.0.1:\(port)/mcp")
    }

    func eventually(seconds: Int, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("condition not met within \(seconds) s")
    }

    @Test func readToolsByDefaultMutationsOnlyWithTheFlag() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let storage = NSTemporaryDirectory() + "jaas-mcp-store-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: storage) }

        let (reader, url) = try await replica(cluster, storage: storage, name: "mcp-reader", extra: [])
        try await cluster.apply("web", spec: ReconcilerIntegrationTests.spec("{ step: 1, keep: 'same' }", extra: ["history": 3]))
        try await eventually(seconds: 30) { try await cluster.snippet("web")[path: "status", "revision"] != nil }
        try await cluster.apply("web", spec: ReconcilerIntegrationTests.spec("{ step: 2, keep: 'same' }", extra: ["history": 3]))
        try await eventually(seconds: 30) {
            try await cluster.snippet("web")[path: "status", "history"]?.arrayValue?.count == 2
        }
        let read = try await MCPClient.run(["--url", url], plan: [
            MCPClient.call("list_snippets", [:]),
            MCPClient.call("get_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("diff_revisions", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("render_jsonnet", ["source": "{ a: std.extVar('x') }", "extVars": ["x": "1"]]),
            MCPClient.call("get_snippet", ["namespace": "team-a", "name": "../../etc"]),
            MCPClient.call("diff_revisions", ["namespace": "team-a", "name": "web", "from": "sha256:../../x", "to": "sha256:00"]),
            MCPClient.call("render_jsonnet", ["source": "importstr '/var/run/secrets/kubernetes.io/serviceaccount/token'"]),
        ])
        #expect(read.tools == ["render_jsonnet", "validate_jsonnet", "list_snippets", "get_snippet", "diff_revisions"],
                "no mutation tools without --mcp-allow-mutations")
        try #require(read.results.count == 7)
        let rows = read.results[0].structured?["snippets"]?.arrayValue ?? []
        #expect(rows.count == 1)
        #expect(rows.first?["name"] == "web" && rows.first?["namespace"] == "team-a" && rows.first?["ready"] == "True",
                "\(read.results[0].text)")
        let detail = read.results[1].structured
        #expect(detail?["reason"] == "Synced" && detail?["history"]?.arrayValue?.count == 2, "\(read.results[1].text)")
        #expect(detail?["revision"] == detail?["history"]?.arrayValue?.first?["revision"])
        let diff = read.results[2]
        #expect(!diff.isError && diff.structured?["unchanged"] == 0, "\(diff.text)")
        #expect(diff.text.contains("-   \"step\": 1\n+   \"step\": 2\n"), "\(diff.text)")
        #expect(diff.structured?["files"]?.arrayValue?.first?["path"] == "rendered.json")
        #expect(!read.results[3].isError && read.results[3].text == "{\n   \"a\": \"1\"\n}\n")
        #expect(read.results[4].isError && read.results[4].text.contains("not a Kubernetes name"))
        #expect(read.results[5].isError && read.results[5].text.contains("not a revision"))
        #expect(read.results[6].isError, "a network client reads no files: \(read.results[6].text)")

        // A browser page of another origin is refused; GET opens no stream (no sessions).
        var post = HTTPClientRequest(url: url)
        post.method = .POST
        post.headers.add(name: "Content-Type", value: "application/json")
        post.headers.add(name: "Accept", value: "application/json, text/event-stream")
        post.headers.add(name: "Origin", value: "https://evil.example")
        post.body = .bytes(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#))
        #expect(try await HTTPClient.shared.execute(post, timeout: .seconds(10)).status.code == 403)
        #expect(try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10)).status.code == 405)
        // Bodies past 4 MiB and bodies that are not JSON-RPC are refused before any tool runs.
        post.headers.remove(name: "Origin")
        post.body = .bytes(ByteBuffer(repeating: UInt8(ascii: " "), count: (4 << 20) + 1))
        #expect(try await HTTPClient.shared.execute(post, timeout: .seconds(30)).status.code == 413)
        post.body = .bytes(ByteBuffer(string: "[[[[not json"))
        #expect(try await HTTPClient.shared.execute(post, timeout: .seconds(10)).status.code == 400)
        reader.terminate()
        _ = try await reader.waitForExit(seconds: 30)

        let (writer, writerURL) = try await replica(cluster, storage: storage, name: "mcp-writer", extra: ["--mcp-allow-mutations"])
        defer { writer.terminate() }
        let written = try await MCPClient.run(["--url", writerURL], plan: [
            MCPClient.call("suspend_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("suspend_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("resume_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("reconcile_snippet", ["namespace": "team-a", "name": "web"]),
        ])
        #expect(written.tools.suffix(3) == ["reconcile_snippet", "suspend_snippet", "resume_snippet"])
        #expect(written.results.map(\.isError) == [false, false, false, false], "\(written.results.map(\.text))")
        #expect(written.results.map { $0.structured?["changed"] } == [true, false, true, true])
        let snippet = try await cluster.snippet("web")
        #expect(snippet[path: "spec", "suspend"]?.boolValue != true, "removed (the CRD defaults it to false)")
        #expect(snippet.annotations[OperatorNames.requestedAt] != nil)
        let reasons = try await cluster.admin.list(.events, namespace: "team-a").items
            .filter { $0[path: "involvedObject", "name"] == "web" && $0[path: "source", "component"] == "jaas-mcp" }
            .compactMap { $0["reason"]?.stringValue }
        #expect(reasons.sorted() == ["MCPReconcileRequested", "MCPResumed", "MCPSuspended"])
    }
}
