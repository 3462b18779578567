import Foundation
import JaaSArtifacts
import JaaSCore
import JaaSOperator
import Jsonnet
import Kubernetes
import Testing

/// The import namespace on its own: the four resolution steps of docs/operator/sources.md, "Libraries".
@Suite struct LibraryImporterTests {
    let importer = LibraryImporter(
        snippet: ["main.jsonnet": Array("x".utf8), "lib/a.libsonnet": Array("a".utf8)],
        libraries: [
            "ui": ["main.libsonnet": Array("ui".utf8), "colors.libsonnet": Array("colors".utf8),
                   "parts/p.libsonnet": Array("p".utf8)],
            "vendor": ["github.com/grafana/grafonnet/main.libsonnet": Array("grafonnet".utf8)],
        ])

    func resolve(_ path: String, from: String = "main.jsonnet") throws -> String? {
        try importer.resolve(path, from: from).map { "\($0.path)=\(String(decoding: $0.contents, as: UTF8.self))" }
    }

    @Test func resolutionOrder() throws {
        #expect(try resolve("lib/a.libsonnet") == "lib/a.libsonnet=a")
        #expect(try resolve("ui") == "ui//main.libsonnet=ui")
        #expect(try resolve("ui/colors.libsonnet") == "ui//colors.libsonnet=colors")
        #expect(try resolve("github.com/grafana/grafonnet/main.libsonnet") == "vendor//github.com/grafana/grafonnet/main.libsonnet=grafonnet")
        // Relative to a library file first, then the search over every tree (step 4).
        #expect(try resolve("p.libsonnet", from: "ui//parts/q.libsonnet") == "ui//parts/p.libsonnet=p")
        #expect(try resolve("colors.libsonnet", from: "ui//parts/p.libsonnet") == "ui//colors.libsonnet=colors")
        #expect(try resolve("../colors.libsonnet", from: "ui//parts/p.libsonnet") == "ui//colors.libsonnet=colors")
        #expect(try resolve("../../etc/passwd") == nil)
        #expect(try resolve("/etc/passwd") == nil)
    }
}

/// JsonnetLibrary resources, import paths, --library-path aliases and cycles, end to end.
@Suite(.serialized) struct LibraryTests {
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    func library(_ c: Cluster, _ name: String, files: [String: String]) async throws {
        var lib = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetLibrary", namespace: "team-a", name: name)
        lib["spec"] = ["files": .object(files.mapValues(JSONValue.string))]
        _ = try await c.admin.create(.jsonnetLibraries, lib)
    }

    func render(_ c: Cluster, _ name: String, main: String, libraries: [JSONValue]) async throws -> (String?, String?, String?) {
        try await c.apply(name, spec: ["serviceAccountName": "renderer", "files": ["main.jsonnet": .string(main)],
                                       "libraries": .array(libraries)])
        _ = try await c.reconcile(name)
        let r = try await c.ready(name)
        return (r.status, r.reason, r.message)
    }

    @Test func librariesByImportPathJbVendoringAndLibraryPathAliases() async throws {
        let c = try await Cluster.start(libraryPathAliases: ["shared": ["main.libsonnet": Array("{ org: 'acme' }".utf8)]])
        defer { Task { await c.stop() } }
        try await library(c, "ui-lib", files: ["main.libsonnet": "{ name: 'ui' } + (import 'colors.libsonnet')",
                                               "colors.libsonnet": "{ color: 'blue' }"])
        try await library(c, "vendored", files: ["github.com/grafana/grafonnet/gen/main.libsonnet": "{ grafonnet: true }"])
        let ok = try await render(c, "uses-libs", main: """
            (import 'ui') + (import 'ui/colors.libsonnet') + (import 'github.com/grafana/grafonnet/gen/main.libsonnet')
            + (import 'shared')
            """, libraries: [["name": "ui-lib", "importPath": "ui"], ["name": "vendored"]])
        #expect(ok.0 == "True", "\(ok)")

        let missing = try await render(c, "missing-lib", main: "{}", libraries: [["name": "nope"]])
        #expect(missing.1 == "LibraryNotFound", "\(missing)")
        // Duplicate import paths are refused by the CRD's validation before the operator sees them.
        await #expect(throws: KubeError.self) {
            _ = try await render(c, "twice", main: "{}", libraries: [["name": "ui-lib", "importPath": "x"],
                                                                     ["name": "vendored", "importPath": "x"]])
        }
        let shadow = try await render(c, "shadow", main: "{}", libraries: [["name": "ui-lib", "importPath": "shared"]])
        #expect(shadow.1 == "InvalidSpec" && shadow.2?.contains("--library-path") == true, "\(shadow)")
    }

    @Test func chainsThatLoopAreDependencyCycles() async throws {
        let c = try await Cluster.start()
        defer { Task { await c.stop() } }
        try await c.apply("loop-a", spec: ["serviceAccountName": "renderer", "entryFile": "rendered.json",
                                           "sourceRef": ["kind": "ExternalArtifact", "name": "loop-b"]])
        try await c.apply("loop-b", spec: ["serviceAccountName": "renderer", "entryFile": "rendered.json",
                                           "sourceRef": ["kind": "ExternalArtifact", "name": "loop-a"]])
        _ = try await c.reconcile("loop-a")
        let r = try await c.ready("loop-a")
        #expect(r.reason == "DependencyCycle" && r.message?.contains("loop-a -> loop-b -> loop-a") == true, "\(r)")
        // Through a library's sourceRef.
        var lib = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetLibrary", namespace: "team-a", name: "via")
        lib["spec"] = ["sourceRef": ["kind": "ExternalArtifact", "name": "self-ref"]]
        _ = try await c.admin.create(.jsonnetLibraries, lib)
        try await c.apply("self-ref", spec: ["serviceAccountName": "renderer", "files": ["main.jsonnet": "{}"],
                                             "libraries": [["name": "via"]]])
        _ = try await c.reconcile("self-ref")
        #expect(try await c.ready("self-ref").reason == "DependencyCycle")
    }
}

@Suite(.serialized) struct LibraryWatchTests {
    @Test func changingALibraryReRendersItsUsers() async throws {
        let c = try await ReconcilerIntegrationTests.Cluster.start()
        defer { Task { await c.stop() } }
        var lib = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetLibrary", namespace: "team-a", name: "consts")
        lib["spec"] = ["files": ["main.libsonnet": "{ n: 1 }"]]
        _ = try await c.admin.create(.jsonnetLibraries, lib)
        let controller = SnippetController(reconciler: c.reconciler, options: .init(namespaces: ["team-a"]))
        let task = Task { await controller.run() }
        defer { task.cancel() }
        try await c.apply("user", spec: ["serviceAccountName": "renderer", "files": ["main.jsonnet": "import 'consts'"],
                                         "libraries": [["name": "consts"]]])
        var first: String?
        for _ in 0..<100 where first == nil {
            first = try await c.snippet("user")[path: "status", "revision"]?.stringValue
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = try await c.admin.patch(.jsonnetLibraries, namespace: "team-a", name: "consts",
                                    patch: ["spec": ["files": ["main.libsonnet": "{ n: 2 }"]]])
        var changed = false
        for _ in 0..<80 where !changed {
            changed = try await c.snippet("user")[path: "status", "revision"]?.stringValue != first
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(first != nil && changed, "the library edit re-rendered its user")
    }
}
