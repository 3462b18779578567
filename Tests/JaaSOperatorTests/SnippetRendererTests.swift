import JaaSArtifacts
import JaaSOperator
import Jsonnet
import Testing

@Suite struct SnippetRendererTests {
    let tree: FileTree = [
        "main.jsonnet": Array("""
            local lib = import 'lib/greet.libsonnet';
            function(replicas='1') { greeting: lib.greet(std.extVar('who')), env: std.extVar('env'), replicas: replicas }
            """.utf8),
        "lib/greet.libsonnet": Array("{ greet(x):: 'hello ' + x }".utf8),
        "broken.jsonnet": Array("{ a: }".utf8),
        "spin.jsonnet": Array("local f(n) = f(n + 1) tailstrict; f(0)".utf8),
    ]
    let renderer = SnippetRenderer(operatorExternalVariables: ["env": "prod"], evaluationTimeout: .milliseconds(500))

    func spec(entry: String? = nil, ext: [SnippetVariable] = [SnippetVariable(name: "who", value: "world")], tlas: [SnippetVariable] = [],
              output: OutputKind? = nil) -> JsonnetSnippetSpec {
        JsonnetSnippetSpec(entryFile: entry, externalVariables: ext, tlas: tlas, output: output)
    }

    func rendered(_ a: Artifact) throws -> String {
        String(decoding: try #require(try Artifact.extract(a.tarball)["rendered.json"]), as: UTF8.self)
    }

    @Test func rendersWithVariablesAndTLAs() async throws {
        let a = try await renderer.render(spec(tlas: [SnippetVariable(name: "replicas", value: "3", code: true)]), tree: tree)
        #expect(try rendered(a) == "{\n   \"env\": \"prod\",\n   \"greeting\": \"hello world\",\n   \"replicas\": 3\n}\n")
        #expect(a.revision == ArtifactDigest(of: Array(try rendered(a).utf8)).description)
    }

    @Test func identicalSpecsGiveIdenticalBytes() async throws {
        let a = try await renderer.render(spec(), tree: tree)
        let b = try await renderer.render(spec(), tree: tree)
        #expect(a == b)
        let c = try await renderer.render(spec(ext: [SnippetVariable(name: "who", value: "moon")]), tree: tree)
        #expect(c.revision != a.revision)
    }

    @Test func reasonsForEachFailure() async {
        await expectFailure(.externalVariableConflict, spec(ext: [SnippetVariable(name: "env", value: "dev")]))
        await expectFailure(.invalidSpec, spec(entry: "../escape.jsonnet"))
        await expectFailure(.invalidSpec, spec(entry: "missing.jsonnet"))
        await expectFailure(.invalidSpec, spec(tlas: [SnippetVariable(name: "replicas", value: "", code: true)]))
        await expectFailure(.invalidSpec, spec(ext: [SnippetVariable(name: "who", value: "a"), SnippetVariable(name: "who", value: "b")]))
        await expectFailure(.evaluationFailed, spec(entry: "broken.jsonnet"))
        await expectFailure(.evaluationFailed, spec(ext: []))
        await expectFailure(.evaluationTimeout, spec(entry: "spin.jsonnet"))
        await expectFailure(.artifactTooLarge, spec(), renderer: SnippetRenderer(operatorExternalVariables: ["env": "x"],
                                                                                  maxArtifactBytes: 10))
    }

    @Test func sourceOutputPacksTheFiles() async throws {
        let a = try await renderer.render(spec(output: .source), tree: tree)
        #expect(try Artifact.extract(a.tarball) == tree)
        #expect(a.revision == Artifact.treeRevision(tree))
    }

    func expectFailure(_ reason: ReadyReason, _ spec: JsonnetSnippetSpec, renderer: SnippetRenderer? = nil) async {
        do {
            _ = try await (renderer ?? self.renderer).render(spec, tree: tree)
            Issue.record("expected \(reason)")
        } catch {
            #expect(error.reason == reason, "\(error)")
        }
    }
}
