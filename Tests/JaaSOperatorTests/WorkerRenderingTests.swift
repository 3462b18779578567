import Foundation
import JaaSArtifacts
import JaaSCore
import JaaSOperator
import Jsonnet
import Testing
import TestSupport

/// The operator's renders in worker processes (`jaas eval-worker`), as `jaas`
/// runs them: same artifacts as in-process, and a crash becomes a clean
/// `EvaluationFailed` whose message says how the worker died.
@Suite(.serialized) struct WorkerRenderingTests {
    /// The `jaas` binary beside the test bundle.
    static var binary: String { BuiltProducts.path(of: "jaas") }

    let tree: FileTree = [
        "main.jsonnet": Array("(import 'lib/a.libsonnet') + (import 'base') + { env: std.extVar('env') }".utf8),
        "lib/a.libsonnet": Array("{ a: 1 }".utf8),
        "broken.jsonnet": Array("{ a: }".utf8),
        "spin.jsonnet": Array("local f(n) = f(n + 1) tailstrict; f(0)".utf8),
        // Long-running but small: a billion additions over arrays well inside the memory budget.
        "slow.jsonnet": Array(
            "std.foldl(function(a, i) a + std.foldl(function(b, j) b + j, std.range(1, 10000), 0), std.range(1, 100000), 0)".utf8),
    ]
    let libraries: [String: FileTree] = ["base": ["main.libsonnet": Array("{ base: true }".utf8)]]

    func renderer(timeout: Duration = .milliseconds(500)) -> (SnippetRenderer, WorkerPool) {
        let pool = WorkerPool(configuration: .init(executable: Self.binary,
                                                   addressSpaceLimit: WorkerPool.addressSpaceLimit(forMemoryLimit: 1 << 30)))
        return (SnippetRenderer(operatorExternalVariables: ["env": "prod"], evaluationTimeout: timeout,
                                memoryLimit: 1 << 30, workers: pool), pool)
    }

    @Test func workersRenderTheSameArtifactAsThreads() async throws {
        let (inWorkers, pool) = renderer()
        defer { pool.shutdown() }
        let inProcess = SnippetRenderer(operatorExternalVariables: ["env": "prod"])
        let spec = JsonnetSnippetSpec(entryFile: "main.jsonnet")
        let a = try await inWorkers.render(spec, tree: tree, libraries: libraries)
        let b = try await inProcess.render(spec, tree: tree, libraries: libraries)
        #expect(a == b)
        let json = try #require(try Artifact.extract(a.tarball)["rendered.json"])
        #expect(String(decoding: json, as: UTF8.self) == "{\n   \"a\": 1,\n   \"base\": true,\n   \"env\": \"prod\"\n}\n")
    }

    @Test func failuresKeepTheirReasons() async throws {
        let (inWorkers, pool) = renderer()
        defer { pool.shutdown() }
        for (entry, reason) in [("broken.jsonnet", ReadyReason.evaluationFailed), ("spin.jsonnet", .evaluationTimeout)] {
            do {
                _ = try await inWorkers.render(JsonnetSnippetSpec(entryFile: entry), tree: tree)
                Issue.record("\(entry) rendered")
            } catch {
                #expect(error.reason == reason, "\(entry): \(error)")
            }
        }
    }

    @Test func aCrashIsEvaluationFailedNamingTheSignal() async throws {
        let (inWorkers, pool) = renderer(timeout: .seconds(30))
        defer { pool.shutdown() }
        let tree = self.tree
        let render = Task { try await inWorkers.render(JsonnetSnippetSpec(entryFile: "slow.jsonnet"), tree: tree) }
        let deadline = ContinuousClock.now + .seconds(20)
        while pool.busyProcessIDs.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let pid = try #require(pool.busyProcessIDs.first)
        try await Task.sleep(for: .milliseconds(300))
        kill(pid, SIGSEGV)
        do {
            _ = try await render.value
            Issue.record("the render succeeded")
        } catch let failure as ReconcileFailure {
            #expect(failure.reason == .evaluationFailed)
            #expect(failure.message.contains("evaluation crashed"), "\(failure.message)")
            #expect(failure.message.contains("killed by signal SIGSEGV"), "\(failure.message)")
        }
        let again = try await inWorkers.render(JsonnetSnippetSpec(entryFile: "main.jsonnet"), tree: tree, libraries: libraries)
        #expect(try Artifact.extract(again.tarball)["rendered.json"] != nil)
    }
}
