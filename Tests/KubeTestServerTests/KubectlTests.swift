import Foundation
import KubeTestServer
import Kubernetes
import Testing
import TestSupport
import Yams

/// Drives the server with the real kubectl (installed by scripts/install-kubectl).
@Suite("Real kubectl against KubeTestServer")
struct KubectlTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Installs kubectl if needed and returns its path; fails loudly when it cannot.
    static func installKubectl() throws -> String {
        let path = repositoryRoot.appendingPathComponent(".build/tools/bin/kubectl").path
        let install = try run(repositoryRoot.appendingPathComponent("scripts/install-kubectl").path, [])
        guard install.status == 0, FileManager.default.isExecutableFile(atPath: path) else {
            throw KubectlUnavailable(message: "scripts/install-kubectl failed (exit \(install.status)); kubectl is required for this test: \(install.stderr)")
        }
        return path
    }

    struct KubectlUnavailable: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Run {
        let temporaryDirectory = try TemporaryDirectory(prefix: "kubectl-")
        defer { temporaryDirectory.remove() }
        let directory = URL(fileURLWithPath: temporaryDirectory.path)
        let out = directory.appendingPathComponent("out")
        let err = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let stdin {
            let input = directory.appendingPathComponent("in")
            try stdin.write(to: input, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: input)
        }
        try process.run()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
    }

    @Test func applyGetPatchDeleteWithKubectl() async throws {
        let kubectl = try await offPool { try Self.installKubectl() }
        let server = try await KubeTestServer.start(.init(anonymousIsAdmin: true))
        defer { Task { await server.stop() } }
        let temporaryWork = try TemporaryDirectory(prefix: "kubectl-test-")
        defer { temporaryWork.remove() }
        let work = URL(fileURLWithPath: temporaryWork.path)
        let kubeconfig = work.appendingPathComponent("kubeconfig").path
        try server.writeKubeconfig(to: kubeconfig)
        // kubectl runs on its own thread: blocking a Swift concurrency thread while it
        // talks to the in-process server (whose actors need those threads) would stall both.
        func k(_ arguments: String..., stdin: String? = nil) async throws -> Run {
            let cache = work.appendingPathComponent("cache").path
            return try await offPool { try Self.run(kubectl, ["--kubeconfig", kubeconfig, "--cache-dir", cache] + arguments, stdin: stdin) }
        }
        func root(_ path: String) -> String { repositoryRoot.appendingPathComponent(path).path }

        var result = try await k("apply", "-f", root("config/crd"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("customresourcedefinition.apiextensions.k8s.io/jsonnetsnippets.jaas.metio.wtf created"))
        #expect(result.stdout.contains("customresourcedefinition.apiextensions.k8s.io/jsonnetlibraries.jaas.metio.wtf created"))
        result = try await k("apply", "-f", root("config/crd/test"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("externalartifacts.source.toolkit.fluxcd.io created"))

        result = try await k("apply", "-R", "-f", root("examples/operator"))
        #expect(result.status == 0, "\(result.stderr)")
        for line in ["jsonnetsnippet.jaas.metio.wtf/hello created", "jsonnetsnippet.jaas.metio.wtf/api-latency-dashboard created",
                     "jsonnetlibrary.jaas.metio.wtf/panels created", "serviceaccount/dashboards-tenant created",
                     "role.rbac.authorization.k8s.io/jaas-tenant created", "rolebinding.rbac.authorization.k8s.io/jaas-tenant created"] {
            #expect(result.stdout.contains(line), "missing '\(line)' in: \(result.stdout)")
        }
        result = try await k("apply", "-R", "-f", root("examples/operator"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("jsonnetlibrary.jaas.metio.wtf/panels unchanged"))
        #expect(result.stdout.contains("rolebinding.rbac.authorization.k8s.io/jaas-tenant unchanged"))

        // The operator's part, through the API: status on the status subresource.
        let kube = KubeHTTP(server)
        let status = try await kube.mergePatch(snippets + "/hello/status", ["status": [
            "observedGeneration": 1, "revision": "sha256:0123", "artifactURL": "http://jaas/default/hello/0123.tar.gz",
            "conditions": [["type": "Ready", "status": "True", "reason": "Synced", "message": "rendered",
                            "lastTransitionTime": "2025-01-01T00:00:00Z"]],
        ]])
        #expect(status.code == 200)

        result = try await k("get", "jsnip", "hello", "-o", "yaml")
        #expect(result.status == 0, "\(result.stderr)")
        let object = jsonValue(try Yams.load(yaml: result.stdout) as Any)
        #expect(object[path: ["status", "revision"]] == "sha256:0123")
        #expect(object[path: ["status", "conditions"]]?.arrayValue?.first?["reason"] == "Synced")
        #expect(object[path: ["spec", "entryFile"]] == "main.jsonnet")
        #expect(object[path: ["spec", "tlas"]]?.arrayValue?.first?["value"] == "3")

        result = try await k("get", "jsnip")
        #expect(result.status == 0, "\(result.stderr)")
        let header = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "READY", "URL", "AGE"])
        let row = result.stdout.split(separator: "\n").first { $0.hasPrefix("hello ") }.map(String.init) ?? ""
        #expect(row.contains("True") && row.contains("http://jaas/default/hello/0123.tar.gz"), "\(result.stdout)")
        // -o wide adds the columns of priority 1.
        result = try await k("get", "jsnip", "-o", "wide")
        let wide = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(wide.split(separator: " ", omittingEmptySubsequences: true)
            == ["NAME", "READY", "REASON", "REVISION", "URL", "SUSPEND", "AGE"], "\(result.stdout)")
        let wideRow = result.stdout.split(separator: "\n").first { $0.hasPrefix("hello ") }.map(String.init) ?? ""
        #expect(wideRow.contains("Synced") && wideRow.contains("sha256:0123") && wideRow.contains("false"), "\(result.stdout)")

        result = try await k("patch", "jsnip", "hello", "--type", "merge", "-p", #"{"spec":{"history":5}}"#)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("jsonnetsnippet.jaas.metio.wtf/hello patched"))
        result = try await k("get", "jsonnetsnippet.jaas.metio.wtf/hello", "-o", "jsonpath={.metadata.generation} {.spec.history} {.status.revision}")
        #expect(result.stdout == "2 5 sha256:0123")

        result = try await k("patch", "jsnip", "hello", "--type", "merge", "-p", #"{"spec":{"history":99}}"#)
        #expect(result.status != 0)
        #expect(result.stderr.contains("spec.history: Invalid value: 99: spec.history in body should be less than or equal to 50"), "\(result.stderr)")

        // TokenRequest through kubectl: `create token` sends protobuf, `create --raw` JSON.
        result = try await k("create", "token", "dashboards-tenant", "--duration", "1h")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: ".").count == 3)
        let request = work.appendingPathComponent("token-request.json")
        try #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}}"#
            .write(to: request, atomically: true, encoding: .utf8)
        result = try await k("create", "--raw", "/api/v1/namespaces/default/serviceaccounts/dashboards-tenant/token", "-f", request.path)
        #expect(result.status == 0, "\(result.stderr)")
        let minted = try JSONValue.parse(result.stdout)
        #expect(minted[path: ["status", "expirationTimestamp"]] != nil)
        let tenant = KubeHTTP(server, token: minted[path: ["status", "token"]]?.stringValue ?? "")

        // RBAC through kubectl's impersonation.
        let sa = "--as=system:serviceaccount:default:dashboards-tenant"
        #expect(try await k("auth", "can-i", "create", "externalartifacts.source.toolkit.fluxcd.io", sa).stdout == "yes\n")
        #expect(try await k("auth", "can-i", "patch", "externalartifacts.source.toolkit.fluxcd.io", "--subresource=status", sa).stdout == "yes\n")
        #expect(try await k("auth", "can-i", "get", "secrets", sa).stdout == "no\n")
        result = try await k("get", "secrets", sa)
        #expect(result.status != 0)
        #expect(result.stderr.contains(#"Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:default:dashboards-tenant" cannot list resource "secrets" in API group "" in the namespace "default""#), "\(result.stderr)")

        let artifact = try await tenant.post("/apis/source.toolkit.fluxcd.io/v1/namespaces/default/externalartifacts", [
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "ExternalArtifact", "metadata": ["name": "hello"],
            "spec": ["sourceRef": ["apiVersion": "jaas.metio.wtf/v1", "kind": "JsonnetSnippet", "name": "hello"]],
        ])
        #expect(artifact.code == 201, "\(artifact.body.text)")
        #expect(try await tenant.get("/api/v1/namespaces/default/secrets").code == 403)

        result = try await k("get", "externalartifacts", "-o", "name")
        #expect(result.stdout.contains("externalartifact.source.toolkit.fluxcd.io/hello"))

        result = try await k("label", "jsnip", "hello", "team=dashboards")
        #expect(result.status == 0, "\(result.stderr)")
        result = try await k("get", "jsnip", "-l", "team in (dashboards)", "-o", "name")
        #expect(result.stdout == "jsonnetsnippet.jaas.metio.wtf/hello\n")

        result = try await k("delete", "jsnip", "hello")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("jsonnetsnippet.jaas.metio.wtf \"hello\" deleted"))
        result = try await k("get", "jsnip", "hello")
        #expect(result.status != 0)
        #expect(result.stderr.contains("jsonnetsnippets.jaas.metio.wtf \"hello\" not found"), "\(result.stderr)")

        result = try await k("create", "namespace", "tenant-b")
        #expect(result.stdout == "namespace/tenant-b created\n", "\(result.stderr)")
        result = try await k("create", "configmap", "settings", "--from-literal=a=b", "-n", "tenant-b")
        #expect(result.status == 0, "\(result.stderr)")
        result = try await k("get", "configmap", "settings", "-n", "tenant-b", "-o", "jsonpath={.data.a}")
        #expect(result.stdout == "b")

        result = try await k("delete", "-f", root("config/crd/jaas.metio.wtf_jsonnetsnippets.yaml"))
        #expect(result.status == 0, "\(result.stderr)")
        result = try await k("get", "jsnip")
        #expect(result.status != 0)
    }
}

/// Runs blocking work (a child process) on a thread of its own and awaits it.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
