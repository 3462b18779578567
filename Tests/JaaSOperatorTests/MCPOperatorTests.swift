import AsyncHTTPClient
import Foundation
import JaaSOperator
import Kubernetes
import NIOCore
import Testing
import TestSupport

/// `--enable-mcp`: an operator on kube-test-server serves the MCP tools over
/// streamable HTTP at /mcp, driven by the MCP Python SDK's own client (issue 14).
@Suite(.serialized) struct MCPOperatorTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    /// An operator replica with MCP on a free port; `extra` flags added.
    func replica(_ cluster: Cluster, storage: String, name: String, extra: [String]) async throws -> (OperatorReplica, String) {
        let kubeconfig = temporaryPath("jaas-mcp-", suffix: ".kubeconfig")
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

    /// Without authentication (`--mcp-authentication=none`, allowed on a loopback bind) the
    /// tools act with the operator's rights.
    @Test func readToolsByDefaultMutationsOnlyWithTheFlag() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let storage = temporaryPath("jaas-mcp-store-")
        defer { try? FileManager.default.removeItem(atPath: storage) }

        let (reader, url) = try await replica(cluster, storage: storage, name: "mcp-reader", extra: ["--mcp-authentication=none"])
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
        // A failing snippet's Ready message links its runbook; get_snippet returns it as runbookURL.
        try await cluster.apply("broken", spec: ReconcilerIntegrationTests.spec("{ v: }"))
        try await eventually(seconds: 30) {
            try await cluster.snippet("broken")[path: "status", "conditions"]?.arrayValue?.first?["reason"] == "EvaluationFailed"
        }
        let failing = try await MCPClient.run(["--url", url], plan: [
            MCPClient.call("get_snippet", ["namespace": "team-a", "name": "broken"]),
            MCPClient.call("get_snippet", ["namespace": "team-a", "name": "web"]),
        ])
        try #require(failing.results.count == 2)
        #expect(failing.results[0].structured?["runbookURL"] == "https://jaas.projects.metio.wtf/runbooks/evaluationfailed/",
                "\(failing.results[0].text)")
        #expect(failing.results[0].structured?["message"]?.stringValue?.hasSuffix(
            " (runbook: https://jaas.projects.metio.wtf/runbooks/evaluationfailed/)") == true)
        // As the original: every reason has a page, Synced too.
        #expect(failing.results[1].structured?["runbookURL"] == "https://jaas.projects.metio.wtf/runbooks/synced/")
        // The original's fields, no others.
        let allowed: Set<String> = ["namespace", "name", "ready", "reason", "message", "runbookURL", "suspended", "revision",
                                    "artifactURL", "observedGeneration", "lastSyncTime", "history"]
        for result in failing.results {
            let keys = Set(result.structured?.objectValue.map { Array($0.keys) } ?? [])
            #expect(keys.isSubset(of: allowed), "\(keys.subtracting(allowed))")
        }
        reader.terminate()
        _ = try await reader.waitForExit(seconds: 30)

        let (writer, writerURL) = try await replica(cluster, storage: storage, name: "mcp-writer",
                                                    extra: ["--mcp-allow-mutations", "--mcp-authentication", "none"])
        defer { writer.terminate() }
        let written = try await MCPClient.run(["--url", writerURL], plan: [
            MCPClient.call("suspend_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("suspend_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("resume_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("reconcile_snippet", ["namespace": "team-a", "name": "web"]),
        ])
        #expect(written.tools.suffix(3) == ["reconcile_snippet", "suspend_snippet", "resume_snippet"])
        #expect(written.results.map(\.isError) == [false, false, false, false], "\(written.results.map(\.text))")
        // The original's {namespace, name, result} and its result texts.
        #expect(written.results.map { $0.structured?["result"]?.stringValue ?? "" }.prefix(3)
            == ["suspended", "already suspended", "resumed"])
        #expect(written.results[3].structured?["result"]?.stringValue?.hasPrefix("reconcile requested at ") == true)
        #expect(written.results.allSatisfy { Set($0.structured?.objectValue.map { Array($0.keys) } ?? []) == ["namespace", "name", "result"] })
        let snippet = try await cluster.snippet("web")
        #expect(snippet[path: "spec", "suspend"]?.boolValue != true, "removed (the CRD defaults it to false)")
        #expect(snippet.annotations[OperatorNames.requestedAt] != nil)
        let reasons = try await cluster.admin.list(.events, namespace: "team-a").items
            .filter { $0[path: "involvedObject", "name"] == "web" && $0[path: "source", "component"] == "jaas-mcp" }
            .compactMap { $0["reason"]?.stringValue }
        #expect(reasons.sorted() == ["MCPReconcileRequested", "MCPResumed", "MCPSuspended"])
    }

    /// A JsonnetSnippet `namespace/name` rendering `main`, created or updated as the admin.
    func applySnippet(_ cluster: Cluster, _ namespace: String, _ name: String, _ main: String) async throws {
        let spec = ReconcilerIntegrationTests.spec(main, extra: ["history": 3])
        var snippet = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetSnippet", namespace: namespace, name: name)
        snippet["spec"] = spec
        do {
            _ = try await cluster.admin.create(.jsonnetSnippets, snippet)
        } catch let e as KubeError where e.code == 409 {
            _ = try await cluster.admin.patch(.jsonnetSnippets, namespace: namespace, name: name, patch: ["spec": spec])
        }
    }

    /// `namespace/name` with two revisions in its history.
    func twoRevisions(_ cluster: Cluster, _ namespace: String, _ name: String) async throws -> [String] {
        try await applySnippet(cluster, namespace, name, "{ step: 1, team: '\(namespace)' }")
        try await eventually(seconds: 30) {
            try await cluster.admin.get(.jsonnetSnippets, namespace: namespace, name: name)[path: "status", "revision"] != nil
        }
        try await applySnippet(cluster, namespace, name, "{ step: 2, team: '\(namespace)' }")
        var history: [String] = []
        try await eventually(seconds: 30) {
            history = try await cluster.admin.get(.jsonnetSnippets, namespace: namespace, name: name)[path: "status", "history"]?
                .arrayValue?.compactMap { $0["revision"]?.stringValue } ?? []
            return history.count == 2
        }
        return history
    }

    /// Creates a ServiceAccount, binds `rules` to it (a Role in its namespace, or a
    /// ClusterRole cluster-wide) and mints a token for it.
    func account(_ cluster: Cluster, _ namespace: String, _ name: String, rules: JSONValue, clusterWide: Bool) async throws -> String {
        _ = try await cluster.admin.create(.serviceAccounts, KubeObject(apiVersion: "v1", kind: "ServiceAccount",
                                                                        namespace: namespace, name: name))
        let rbac = "rbac.authorization.k8s.io"
        var role = KubeObject(apiVersion: "\(rbac)/v1", kind: clusterWide ? "ClusterRole" : "Role",
                              namespace: clusterWide ? nil : namespace, name: name)
        role["rules"] = rules
        _ = try await cluster.admin.create(GroupVersionResource(group: rbac, version: "v1", resource: clusterWide ? "clusterroles" : "roles",
                                                                namespaced: !clusterWide), role)
        var binding = KubeObject(apiVersion: "\(rbac)/v1", kind: clusterWide ? "ClusterRoleBinding" : "RoleBinding",
                                 namespace: clusterWide ? nil : namespace, name: name)
        binding["roleRef"] = ["apiGroup": .string(rbac), "kind": clusterWide ? "ClusterRole" : "Role", "name": .string(name)]
        binding["subjects"] = [["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)]]
        _ = try await cluster.admin.create(GroupVersionResource(group: rbac, version: "v1",
                                                                resource: clusterWide ? "clusterrolebindings" : "rolebindings",
                                                                namespaced: !clusterWide), binding)
        return try await cluster.server.mintToken(namespace: namespace, serviceAccount: name)
    }

    /// A raw POST of `tools/list` to `url` with `authorization` (nil: no header): status,
    /// `WWW-Authenticate` and `Content-Type` headers, and body.
    func rawPost(_ url: String, authorization: String?) async throws -> (Int, [String: String], JSONValue) {
        var post = HTTPClientRequest(url: url)
        post.method = .POST
        post.headers.add(name: "Content-Type", value: "application/json")
        post.headers.add(name: "Accept", value: "application/json, text/event-stream")
        if let authorization { post.headers.add(name: "Authorization", value: authorization) }
        post.body = .bytes(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#))
        let response = try await HTTPClient.shared.execute(post, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for name in ["WWW-Authenticate", "Content-Type"] { headers[name] = response.headers.first(name: name) }
        return (Int(response.status.code), headers, (try? JSONValue(json: Data(body.readableBytesView))) ?? .null)
    }

    /// `--mcp-authentication=kubernetes` (the default): each request's bearer token is
    /// checked with a TokenReview and the tools act as its user through impersonation,
    /// so a tenant sees and changes only what its own RBAC allows.
    @Test func callersActWithTheirOwnKubernetesRights() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        let storage = temporaryPath("jaas-mcp-store-")
        defer { try? FileManager.default.removeItem(atPath: storage) }
        // team-b: a second tenant namespace with the same ServiceAccount and publishing rights as team-a.
        _ = try await cluster.admin.create(.namespaces, KubeObject(apiVersion: "v1", kind: "Namespace", name: "team-b"))
        _ = try await cluster.admin.create(.serviceAccounts, KubeObject(apiVersion: "v1", kind: "ServiceAccount",
                                                                        namespace: "team-b", name: "renderer"))
        let rbac = "rbac.authorization.k8s.io"
        for (resource, name) in [("roles", "publisher"), ("rolebindings", "publisher")] {
            let kind = GroupVersionResource(group: rbac, version: "v1", resource: resource)
            var copy = try await cluster.admin.get(kind, namespace: "team-a", name: name)
            copy["metadata"] = ["name": .string(name), "namespace": "team-b"]
            if resource == "rolebindings" { copy["subjects"] = [["kind": "ServiceAccount", "name": "renderer", "namespace": "team-b"]] }
            _ = try await cluster.admin.create(kind, copy)
        }
        let (process, url) = try await replica(cluster, storage: storage, name: "mcp-auth", extra: ["--mcp-allow-mutations"])
        defer { process.terminate() }
        let historyA = try await twoRevisions(cluster, "team-a", "web")
        let historyB = try await twoRevisions(cluster, "team-b", "web")
        #expect(historyA != historyB)

        // No token, another scheme, a bad token: 401 with WWW-Authenticate: Bearer and a JSON body, before any MCP handling.
        for (authorization, error) in [(nil, "unauthorized"), ("Basic YWRtaW46YWRtaW4=", "unauthorized"),
                                       ("Bearer not-a-token", "invalid_token")] as [(String?, String)] {
            let (status, headers, body) = try await rawPost(url, authorization: authorization)
            #expect(status == 401, "\(authorization ?? "no header"): \(body)")
            #expect(headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
            #expect(headers["Content-Type"] == "application/json")
            #expect(body["error"]?.stringValue == error && body["message"]?.stringValue?.isEmpty == false, "\(body)")
            #expect(body["jsonrpc"] == nil && body["result"] == nil, "no MCP answer")
        }
        // A well-formed token passes; one of a ServiceAccount since deleted does not (TokenReview, not
        // just the token's shape; an accepted token is remembered up to 30 s, this one was never reviewed).
        let valid = try await account(cluster, "team-a", "valid", rules: [], clusterWide: false)
        #expect(try await rawPost(url, authorization: "Bearer \(valid)").0 != 401)
        let doomed = try await account(cluster, "team-a", "doomed", rules: [], clusterWide: false)
        try await cluster.admin.delete(.serviceAccounts, namespace: "team-a", name: "doomed")
        #expect(try await rawPost(url, authorization: "Bearer \(doomed)").0 == 401)

        // Tenant A may read and patch snippets in team-a only.
        let tenantA = try await account(cluster, "team-a", "agent", rules: [
            ["apiGroups": ["jaas.metio.wtf"], "resources": ["jsonnetsnippets"], "verbs": ["get", "list", "patch"]],
        ], clusterWide: false)
        let asA = try await MCPClient.run(["--url", url, "--token", tenantA], plan: [
            MCPClient.call("list_snippets", [:]),
            MCPClient.call("list_snippets", ["namespace": "team-b"]),
            MCPClient.call("get_snippet", ["namespace": "team-b", "name": "web"]),
            MCPClient.call("diff_revisions", ["namespace": "team-b", "name": "web"]),
            MCPClient.call("diff_revisions", ["namespace": "team-b", "name": "web", "from": .string(historyB[1]), "to": .string(historyB[0])]),
            MCPClient.call("suspend_snippet", ["namespace": "team-b", "name": "web"]),
            MCPClient.call("get_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("diff_revisions", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("suspend_snippet", ["namespace": "team-a", "name": "web"]),
            MCPClient.call("render_jsonnet", ["source": "{ ok: true }"]),
        ])
        try #require(asA.results.count == 10)
        let rowsA = asA.results[0].structured?["snippets"]?.arrayValue ?? []
        #expect(rowsA.map { "\($0["namespace"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? "")" } == ["team-a/web"],
                "tenant A lists only its own namespace: \(asA.results[0].text)")
        for index in 1...5 {
            #expect(asA.results[index].isError, "call \(index) should be refused: \(asA.results[index].text)")
            #expect(asA.results[index].text.lowercased().contains("forbidden"), "call \(index): \(asA.results[index].text)")
        }
        #expect(asA.results[2].text.contains("system:serviceaccount:team-a:agent"), "refused as the caller: \(asA.results[2].text)")
        #expect(!asA.results[4].text.contains("step"), "no rendered output of team-b: \(asA.results[4].text)")
        #expect(!asA.results[6].isError && asA.results[6].structured?["name"] == "web", "\(asA.results[6].text)")
        #expect(!asA.results[7].isError && asA.results[7].text.contains("team-a"), "\(asA.results[7].text)")
        #expect(!asA.results[8].isError && asA.results[8].structured?["result"] == "suspended", "\(asA.results[8].text)")
        #expect(!asA.results[9].isError, "\(asA.results[9].text)")
        let snippetB = try await cluster.admin.get(.jsonnetSnippets, namespace: "team-b", name: "web")
        #expect(snippetB[path: "spec", "suspend"]?.boolValue != true, "team-b's snippet was not suspended")
        let snippetA = try await cluster.admin.get(.jsonnetSnippets, namespace: "team-a", name: "web")
        #expect(snippetA[path: "spec", "suspend"]?.boolValue == true)
        let events = try await cluster.admin.list(.events, namespace: "team-a").items
            .filter { $0[path: "source", "component"] == "jaas-mcp" }.compactMap { $0["message"]?.stringValue }
        #expect(events.contains { $0.hasSuffix("by system:serviceaccount:team-a:agent") }, "\(events)")

        // A cluster-wide reader sees both tenants and reads team-b's output; the admin too.
        let reader = try await account(cluster, "team-a", "ops", rules: [
            ["apiGroups": ["jaas.metio.wtf"], "resources": ["jsonnetsnippets"], "verbs": ["get", "list"]],
        ], clusterWide: true)
        for token in [reader, cluster.server.adminToken] {
            let wide = try await MCPClient.run(["--url", url, "--token", token], plan: [
                MCPClient.call("list_snippets", [:]),
                MCPClient.call("diff_revisions", ["namespace": "team-b", "name": "web"]),
            ])
            let rows = wide.results.first?.structured?["snippets"]?.arrayValue ?? []
            #expect(rows.compactMap { $0["namespace"]?.stringValue } == ["team-a", "team-b"], "\(wide.results.first?.text ?? "")")
            #expect(wide.results.count == 2 && wide.results[1].isError == false && wide.results[1].text.contains("team-b"),
                    "\(wide.results.last?.text ?? "")")
        }
        // The cluster-wide reader has no patch right: its mutation is refused as well.
        let noPatch = try await MCPClient.run(["--url", url, "--token", reader], plan: [
            MCPClient.call("resume_snippet", ["namespace": "team-a", "name": "web"]),
        ])
        #expect(noPatch.results.first?.isError == true && noPatch.results.first?.text.contains("forbidden") == true,
                "\(noPatch.results.first?.text ?? "")")
        #expect(try await cluster.admin.get(.jsonnetSnippets, namespace: "team-a", name: "web")[path: "spec", "suspend"]?.boolValue == true)
    }

    /// `--mcp-authentication=none` is refused unless the MCP server binds a loopback address.
    @Test func noAuthenticationOnlyOnLoopback() async throws {
        let operatorFlags = ["--enable-flux-integration", "--storage-path", NSTemporaryDirectory(),
                             "--storage-base-url", "http://127.0.0.1:9"]
        for address in [":8084", "0.0.0.0:8084", "10.0.0.1:8084"] {
            let (status, output, errors) = try await runProcess(
                MCPStdioTests.jaas, operatorFlags + ["--enable-mcp", "--mcp-authentication=none", "--mcp-bind-address", address],
                input: Data(), timeout: .seconds(30))
            let text = String(decoding: errors, as: UTF8.self)
            #expect(status == 2 && output.isEmpty, "\(address): \(text)")
            #expect(text == "jaas: --mcp-authentication=none: needs a loopback --mcp-bind-address (127.0.0.1, [::1] or localhost; reach it with kubectl port-forward), not \(address)\n")
        }
        let (status, _, errors) = try await runProcess(
            MCPStdioTests.jaas, operatorFlags + ["--enable-mcp", "--mcp-authentication=basic"],
            input: Data(), timeout: .seconds(30))
        #expect(status == 2 && String(decoding: errors, as: UTF8.self) == "jaas: --mcp-authentication basic: must be kubernetes or none\n")
    }
}
