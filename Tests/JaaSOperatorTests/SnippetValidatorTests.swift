import Foundation
import JaaSAdmission
import JaaSOperator
import Kubernetes
import Testing

/// Each admission rule of docs/operator/webhook.md refuses what it should, naming the field, and lets
/// valid snippets through.
@Suite struct SnippetValidatorTests {
    let validator = SnippetValidator(operatorExternalVariables: ["cluster"], libraryAliases: ["k8s"])

    func denials(_ spec: JSONValue) -> [String] { validator.denials(spec: spec).map(\.description) }

    @Test func validInlineSnippetIsAdmitted() {
        #expect(denials(["files": ["main.jsonnet": "{ a: std.extVar('cluster') }", "lib/x.libsonnet": "{}"],
                         "externalVariables": [["name": "env", "value": "prod"]], "history": 50,
                         "libraries": [["name": "grafana"], ["name": "other", "importPath": "o"]]]) == [])
        #expect(denials(["sourceRef": ["kind": "GitRepository", "name": "repo"], "entryFile": "dash/main.jsonnet",
                         "history": 1]) == [])
    }

    @Test func operatorOwnedExternalVariableIsRefused() {
        #expect(denials(["files": ["main.jsonnet": "{}"], "externalVariables": [["name": "env", "value": "x"], ["name": "cluster", "value": "y"]]])
            == ["spec.externalVariables[1].name: \"cluster\" is set by the operator (--ext-var) and cannot be overridden"])
        // The same name as a top-level argument is not the operator's.
        #expect(denials(["files": ["main.jsonnet": "{}"], "tlas": [["name": "cluster", "value": "y"]]]) == [])
    }

    @Test func duplicateAndShadowingImportPathsAreRefused() {
        #expect(denials(["files": ["main.jsonnet": "{}"], "libraries": [["name": "a"], ["name": "b", "importPath": "a"]]])
            == ["spec.libraries[1].importPath: import path \"a\" is used twice"])
        #expect(denials(["files": ["main.jsonnet": "{}"], "libraries": [["name": "k8s"]]])
            == ["spec.libraries[0].name: import path \"k8s\" shadows a --library-path alias"])
    }

    @Test func exactlyOneOfFilesAndSourceRef() {
        #expect(denials(["entryFile": "main.jsonnet"])
            == ["spec.files: exactly one of spec.files and spec.sourceRef must be set, neither is"])
        #expect(denials(["files": ["main.jsonnet": "{}"], "sourceRef": ["kind": "Bucket", "name": "b"]])
            == ["spec.sourceRef: exactly one of spec.files and spec.sourceRef must be set, both are"])
    }

    @Test func entryFileMustBeAmongInlineFiles() {
        #expect(denials(["files": ["other.jsonnet": "{}"]]) == ["spec.entryFile: \"main.jsonnet\" is not in spec.files"])
        #expect(denials(["files": ["a/b.jsonnet": "{}"], "entryFile": "./a/b.jsonnet"]) == [])
        #expect(denials(["files": ["main.jsonnet": "{}"], "entryFile": "../main.jsonnet"]).first?.hasPrefix("spec.entryFile: ") == true)
    }

    @Test func inlineJsonnetMustParseAndTheErrorHasItsPosition() {
        let found = denials(["files": ["main.jsonnet": "{\n  a: ,\n}"]])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("spec.files[\"main.jsonnet\"]: does not parse: main.jsonnet:2:6") == true)
        // Only Jsonnet files are parsed; data files imported with importstr may hold anything.
        #expect(denials(["files": ["main.jsonnet": "importstr 'notes.txt'", "notes.txt": "{ not jsonnet"]]) == [])
        // Deep nesting is a clean refusal, not a crash.
        let deep = String(repeating: "[", count: 100_000)
        #expect(denials(["files": ["main.jsonnet": .string(deep)]]).first?.contains("does not parse") == true)
    }

    @Test func manyInlineFilesAreParsedTogether() {
        var files: [String: JSONValue] = ["main.jsonnet": "{}", "lib/broken.libsonnet": "local x = ; x"]
        for i in 0..<5000 { files["lib/f\(i).libsonnet"] = .string("{ v: \(i) }") }
        let start = ContinuousClock.now
        let found = denials(["files": .object(files)])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("spec.files[\"lib/broken.libsonnet\"]: does not parse: lib/broken.libsonnet:1:11") == true,
                "\(found)")
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func historyMustBeInRange() {
        #expect(denials(["files": ["main.jsonnet": "{}"], "history": 0]) == ["spec.history: 0 is out of range 1–50"])
        #expect(denials(["files": ["main.jsonnet": "{}"], "history": 51]) == ["spec.history: 51 is out of range 1–50"])
        #expect(denials(["files": ["main.jsonnet": "{}"], "history": "3"]) == ["spec.history: must be an integer"])
    }

    @Test func everyRefusalIsReported() {
        let found = denials(["files": ["main.jsonnet": "{"], "history": 99, "externalVariables": [["name": "cluster"]]])
        #expect(found.count == 3)
    }

    @Test func admissionReviewEchoesTheUidAndRefusesWithForbidden() throws {
        let admission = SnippetAdmission(validator: validator)
        let review: JSONValue = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": ["uid": "u-1", "operation": "CREATE", "kind": ["group": "jaas.metio.wtf", "version": "v1", "kind": "JsonnetSnippet"],
                        "object": ["spec": ["files": ["main.jsonnet": "{}"], "externalVariables": [["name": "cluster"]]]]],
        ]
        let answer = try admission.answer(try review.jsonData())
        #expect(answer["apiVersion"] == "admission.k8s.io/v1")
        #expect(answer[path: "response", "uid"] == "u-1")
        #expect(answer[path: "response", "allowed"] == false)
        #expect(answer[path: "response", "status", "code"] == 403)
        #expect(answer[path: "response", "status", "message"]?.stringValue?.hasPrefix("spec.externalVariables[0].name: ") == true)
        #expect(throws: SnippetAdmission.MalformedReview.self) { try admission.answer(Data("{}".utf8)) }
        #expect(throws: SnippetAdmission.MalformedReview.self) { try admission.answer(Data("not json".utf8)) }
    }

    @Test func updatesThatKeepTheSpecAndDeletionsAreAdmitted() throws {
        let admission = SnippetAdmission(validator: validator)
        let bad: JSONValue = ["spec": ["files": ["main.jsonnet": "{}"], "externalVariables": [["name": "cluster"]]]]
        var withFinalizer = bad
        withFinalizer["metadata"] = ["finalizers": ["jaas.metio.wtf/finalizer"]]
        func allowed(_ request: JSONValue) throws -> Bool? {
            var request = request
            request["uid"] = "u"
            let review: JSONValue = ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request]
            return try admission.answer(try review.jsonData())[path: "response", "allowed"]?.boolValue
        }
        #expect(try allowed(["operation": "UPDATE", "object": withFinalizer, "oldObject": bad]) == true)
        #expect(try allowed(["operation": "DELETE", "oldObject": bad]) == true)
        #expect(try allowed(["object": bad]) == false, "a review without an operation is checked like a create")
        #expect(try allowed(["operation": "UPDATE", "object": bad, "oldObject": ["spec": ["files": ["main.jsonnet": "{}"]]]]) == false)
    }
}
