import Foundation
import JaaSArtifacts
import JaaSOperator
import Kubernetes
import Testing
import TestSupport

/// Every YAML object of the seed document (examples/operator/seed/) applies
/// unchanged with the real kubectl, and once its source carries an artifact
/// the snippet reaches Ready=True.
@Suite(.serialized) struct SeedDocumentTests {
    /// Runs kubectl on a thread of its own: blocking a Swift concurrency thread while
    /// kubectl talks to the in-process server (whose actors need those threads) stalls both.
    static func kubectlAsync(_ args: [String], kubeconfig: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try kubectl(args, kubeconfig: kubeconfig) }) }.start()
        }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Failed: Error, CustomStringConvertible { let description: String }

    /// Runs kubectl (installing it first if needed) against the test server.
    static func kubectl(_ args: [String], kubeconfig: String) throws -> String {
        let binary = root.appendingPathComponent(".build/tools/bin/kubectl").path
        if !FileManager.default.isExecutableFile(atPath: binary) {
            let install = Process()
            install.executableURL = root.appendingPathComponent("scripts/install-kubectl")
            try install.run()
            install.waitUntilExit()
            guard install.terminationStatus == 0 else { throw Failed(description: "scripts/install-kubectl failed; kubectl is required") }
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.environment = ["KUBECONFIG": kubeconfig, "HOME": NSTemporaryDirectory()]
        p.currentDirectoryURL = root
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw Failed(description: "kubectl \(args.joined(separator: " ")): \(text)") }
        return text
    }

    /// The layouts the seed describes: a git tree with `dashboards/`, and an OCI artifact of `./`.
    static let gitTree: FileTree = [
        "dashboards/api-latency.jsonnet": Array("{ title: 'API latency', panels: (import 'lib/panels.libsonnet').panels }".utf8),
        "dashboards/error-budget.jsonnet": Array("{ title: 'error budget' }".utf8),
        "dashboards/lib/panels.libsonnet": Array("{ panels: ['p99', 'p50'] }".utf8),
        "dashboards/main.jsonnet": Array("{ title: 'main', panels: (import 'lib/panels.libsonnet').panels }".utf8),
    ]
    static let ociTree: FileTree = [
        "main.jsonnet": Array("{ title: 'main', panels: (import 'lib/panels.libsonnet').panels }".utf8),
        "lib/panels.libsonnet": Array("{ panels: ['p99'] }".utf8),
    ]

    @Test(arguments: [
        ("gitrepository.yaml", "GitRepository", "gitrepositories", ["api-latency-dashboard", "dashboards"]),
        ("ocirepository.yaml", "OCIRepository", "ocirepositories", ["api-latency-dashboard"]),
        ("bucket.yaml", "Bucket", "buckets", ["api-latency-dashboard"]),
    ])
    func seedObjectsApplyAndBecomeReady(_ file: String, _ kind: String, _ plural: String, _ snippets: [String]) async throws {
        let c = try await ReconcilerIntegrationTests.Cluster.start()
        defer { Task { await c.stop() } }
        let host = try await ArtifactHost()
        defer { host.stop() }
        let kubeconfig = temporaryPath("seed-", suffix: ".kubeconfig")
        try c.server.writeKubeconfig(to: kubeconfig)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        for crd in ["gitrepositories", "ocirepositories", "buckets"] {
            _ = try await Self.kubectlAsync(["apply", "-f", "config/crd/test/source.toolkit.fluxcd.io_\(crd).yaml"], kubeconfig: kubeconfig)
        }
        _ = try await Self.kubectlAsync(["apply", "-f", "examples/operator/tenant-rbac.yaml"], kubeconfig: kubeconfig)
        _ = try await Self.kubectlAsync(["apply", "-f", "examples/operator/seed/\(file)"], kubeconfig: kubeconfig)
        if kind == "GitRepository" {
            _ = try await Self.kubectlAsync(["apply", "-f", "examples/operator/seed/snippet-overview.yaml"], kubeconfig: kubeconfig)
        }
        if kind == "OCIRepository" {
            _ = try await Self.kubectlAsync(["apply", "-f", "examples/operator/seed/ocirepository-ecr.yaml"], kubeconfig: kubeconfig)
        }

        // Flux's source-controller would now publish the artifact; here the test does.
        let artifact = try Artifact(files: kind == "OCIRepository" ? Self.ociTree : Self.gitTree)
        host.put("/\(plural)/default/dashboards-source/latest.tar.gz", artifact.tarball)
        let status: JSONValue = ["status": [
            "artifact": ["url": .string(host.url("/\(plural)/default/dashboards-source/latest.tar.gz")),
                         "digest": .string(artifact.digest), "revision": "v1", "path": "latest.tar.gz",
                         "lastUpdateTime": "2026-11-25T00:00:00Z"],
            "conditions": [["type": "Ready", "status": "True", "reason": "Succeeded", "message": "stored artifact",
                            "lastTransitionTime": "2026-11-25T00:00:00Z"]],
        ]]
        _ = try await c.admin.patchStatus(GroupVersionResource(group: "source.toolkit.fluxcd.io", version: "v1", resource: plural),
                                          namespace: "default", name: "dashboards-source", patch: status)
        for name in snippets {
            _ = try await c.reconciler.reconcile(namespace: "default", name: name)
            let out = try await Self.kubectlAsync(["get", "jsnip", name, "-o", "jsonpath={.status.conditions[0].status} {.status.conditions[0].reason} {.status.conditions[0].message}"],
                                       kubeconfig: kubeconfig)
            #expect(out.hasPrefix("True Synced"), "\(file) \(name): \(out)")
        }
    }
}
