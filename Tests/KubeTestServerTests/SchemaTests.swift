import Foundation
import KubeTestServer
import Kubernetes
import Testing

@Suite("CRD structural schemas, defaults and CEL rules")
struct SchemaTests {
    private func withSnippetCRD(_ body: (KubeHTTP) async throws -> Void) async throws {
        try await withServer { _, kube in
            try await kube.createCRD("config/crd/jaas.metio.wtf_jsonnetsnippets.yaml")
            try await kube.createCRD("config/crd/jaas.metio.wtf_jsonnetlibraries.yaml")
            try await body(kube)
        }
    }

    private func causes(_ reply: Reply) -> [String] {
        (reply["details", "causes"]?.arrayValue ?? []).map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }
    }

    @Test func defaultsAreApplied() async throws {
        try await withSnippetCRD { kube in
            let created = try await kube.post(snippets, snippet("d", spec: [
                "sourceRef": ["kind": "GitRepository", "name": "src"], "libraries": [["name": "lib"]],
                "externalVariables": [["name": "x", "value": "1"]],
            ]))
            #expect(created.code == 201)
            #expect(created["spec", "entryFile"] == "main.jsonnet")
            #expect(created["spec", "output"] == "rendered")
            #expect(created["spec", "history"] == 1)
            #expect(created["spec", "suspend"] == false)
            #expect(created["spec", "sourceRef", "apiVersion"] == "source.toolkit.fluxcd.io/v1")
            #expect(created["spec", "libraries"]?.arrayValue?.first?["kind"] == "JsonnetLibrary")
            #expect(created["spec", "libraries"]?.arrayValue?.first?["apiVersion"] == "jaas.metio.wtf/v1")
            #expect(created["spec", "externalVariables"]?.arrayValue?.first?["code"] == false)
            #expect(created["spec", "interval"] == nil)
        }
    }

    @Test func openAPIKeywordsAreEnforced() async throws {
        try await withSnippetCRD { kube in
            let reply = try await kube.post(snippets, snippet("bad", spec: [
                "files": ["main.jsonnet": "{}"], "history": 51, "output": "yaml", "entryFile": "a b",
                "sourceRef": ["kind": "HelmChart", "name": ""], "suspend": "yes",
            ]))
            #expect(reply.code == 422)
            #expect(reply["reason"] == "Invalid")
            #expect(reply["details", "kind"] == "JsonnetSnippet")
            #expect(reply["details", "group"] == "jaas.metio.wtf")
            let found = causes(reply)
            #expect(found.contains("spec.history: Invalid value: 51: spec.history in body should be less than or equal to 50"))
            #expect(found.contains("spec.output: Unsupported value: \"yaml\": supported values: \"rendered\", \"source\""))
            #expect(found.contains("spec.entryFile: Invalid value: \"a b\": spec.entryFile in body should match '^[A-Za-z0-9._/-]+$'"))
            #expect(found.contains { $0.hasPrefix("spec.sourceRef.kind: Unsupported value: \"HelmChart\"") })
            #expect(found.contains("spec.sourceRef.name: Invalid value: \"\": spec.sourceRef.name in body should be at least 1 chars long"))
            #expect(found.contains("spec.suspend: Invalid value: \"yes\": spec.suspend in body must be of type boolean: \"string\""))
            #expect(reply["message"]?.stringValue?.hasPrefix("JsonnetSnippet.jaas.metio.wtf \"bad\" is invalid: [") == true)

            let tooLong = try await kube.post(snippets, snippet("long", spec: ["files": ["m": "{}"], "entryFile": .string(String(repeating: "a", count: 256))]))
            #expect(causes(tooLong).contains("spec.entryFile: Too long: may not be more than 255 bytes"))
            let zero = try await kube.post(snippets, snippet("zero", spec: ["files": ["m": "{}"], "history": 0]))
            #expect(causes(zero).contains("spec.history: Invalid value: 0: spec.history in body should be greater than or equal to 1"))
            let missingName = try await kube.post(snippets, snippet("noname", spec: ["files": ["m": "{}"], "tlas": [["value": "x"]]]))
            #expect(causes(missingName).contains("spec.tlas[0].name: Required value"))
            #expect(try await kube.post(snippets, ["apiVersion": "jaas.metio.wtf/v1", "kind": "JsonnetSnippet", "metadata": ["name": "nospec"]]).code == 422)
        }
    }

    @Test func celRules() async throws {
        try await withSnippetCRD { kube in
            let neither = try await kube.post(snippets, snippet("n", spec: ["history": 2]))
            #expect(causes(neither) == ["spec: Invalid value: \"object\": exactly one of spec.files or spec.sourceRef must be set"])
            let both = try await kube.post(snippets, snippet("b", spec: ["files": ["m": "{}"], "sourceRef": ["kind": "Bucket", "name": "x"]]))
            #expect(both.code == 422)
            // An empty `files: {}` is no files: fine next to a sourceRef, not enough alone.
            #expect(try await kube.post(snippets, snippet("b2", spec: ["files": [:], "sourceRef": ["kind": "Bucket", "name": "x"]])).code == 201)
            #expect(causes(try await kube.post(snippets, snippet("b3", spec: ["files": [:]])))
                == ["spec: Invalid value: \"object\": exactly one of spec.files or spec.sourceRef must be set"])
            let interval = try await kube.post(snippets, snippet("i", spec: ["files": ["m": "{}"], "interval": "10s"]))
            #expect(causes(interval) == ["spec.interval: Invalid value: \"string\": interval must be between 30s and 24h"])
            #expect(try await kube.post(snippets, snippet("i2", spec: ["files": ["m": "{}"], "interval": "25h"])).code == 422)
            #expect(try await kube.post(snippets, snippet("i3", spec: ["files": ["m": "{}"], "interval": "1h30m"])).code == 201)
            let malformed = try await kube.post(snippets, snippet("i4", spec: ["files": ["m": "{}"], "interval": "soon"]))
            #expect(causes(malformed).contains { $0.hasPrefix("spec.interval: Invalid value: \"soon\": spec.interval in body should match") })
            let duplicate = try await kube.post(snippets, snippet("u", spec: ["files": ["m": "{}"], "tlas": [["name": "a"], ["name": "a"]]]))
            // A list keyed by name (listType map): the server refuses the second entry.
            #expect(causes(duplicate).contains("spec.tlas[1]: Duplicate value: {\"name\":\"a\"}"), "\(causes(duplicate))")
            let code = try await kube.post(snippets, snippet("c", spec: ["files": ["m": "{}"], "externalVariables": [["name": "a", "code": true]]]))
            #expect(causes(code) == ["spec.externalVariables[0]: Invalid value: \"object\": value must be non-empty when code is true"])
            let dots = try await kube.post(snippets, snippet("e", spec: ["files": ["m": "{}"], "entryFile": "lib/../main.jsonnet"]))
            #expect(causes(dots) == ["spec.entryFile: Invalid value: \"string\": entryFile must not contain '..' path segments"])
            let paths = try await kube.post(snippets, snippet("l", spec: ["files": ["m": "{}"], "libraries": [["name": "a"], ["name": "b", "importPath": "a"]]]))
            #expect(causes(paths) == ["spec.libraries: Invalid value: \"array\": library import paths must be distinct"])
            let library = try await kube.post("/apis/jaas.metio.wtf/v1/namespaces/default/jsonnetlibraries",
                                              ["apiVersion": "jaas.metio.wtf/v1", "kind": "JsonnetLibrary", "metadata": ["name": "x"], "spec": [:]])
            #expect(library.code == 422)
        }
    }

    @Test func unknownFieldsArePrunedOrRejected() async throws {
        try await withSnippetCRD { kube in
            let body = snippet("p", spec: ["files": ["m": "{}"], "bogus": 1])
            let strict = try await kube.post(snippets + "?fieldValidation=Strict", body)
            #expect(strict.code == 400)
            #expect(strict["message"]?.stringValue?.contains("strict decoding error: unknown field \"spec.bogus\"") == true)
            let pruned = try await kube.post(snippets, body)
            #expect(pruned.code == 201)
            #expect(pruned["spec", "bogus"] == nil)
            #expect(pruned.headers["Warning"].first?.contains("unknown field \\\"spec.bogus\\\"") == true)
            let ignored = try await kube.post(snippets + "?fieldValidation=Ignore", snippet("q", spec: ["files": ["m": "{}"], "bogus": 1]))
            #expect(ignored.headers["Warning"].isEmpty)
            let configmaps = "/api/v1/namespaces/default/configmaps"
            let builtin = try await kube.post(configmaps + "?fieldValidation=Strict", ["metadata": ["name": "c", "nam": "x"], "spec": [:]])
            #expect(builtin.code == 400)
            #expect(builtin["message"] == "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"spec\", unknown field \"metadata.nam\"")
            let dropped = try await kube.post(configmaps, ["metadata": ["name": "c"], "spec": [:], "data": ["k": "v"]])
            #expect(dropped["spec"] == nil)
            #expect(dropped["data"] == ["k": "v"])
        }
    }

    @Test func seedDocumentSnippetApplies() async throws {
        try await withSnippetCRD { kube in
            let seed = try #require(try yamlDocuments("examples/operator/seed/gitrepository.yaml").last)
            let reply = try await kube.post(snippets, seed)
            #expect(reply.code == 201)
            #expect(reply["spec", "sourceRef", "path"] == "dashboards/")
        }
    }
}
