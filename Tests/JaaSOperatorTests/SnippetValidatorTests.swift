import Foundation
import JaaSAdmission
import JaaSOperator
import Kubernetes
import Testing

/// Each admission rule of docs/operator/webhook.md refuses what it should, naming the field, and lets
/// valid snippets through.
@Suite struct SnippetValidatorTests {
    let validator = SnippetValidator(operatorExternalVariables: ["cluster"], libraryAliases: ["k8s"])

    typealias JSON = JSONValue

    func denials(_ spec: JSONValue) -> [String] { validator.denials(spec: spec).map(\.description) }
    func warnings(_ spec: JSONValue, name: String? = nil, namespace: String? = nil) -> [String] {
        validator.review(spec: spec, name: name, namespace: namespace).warnings
    }

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
        // An empty `files: {}` is no files: accepted next to a sourceRef, refused alone.
        #expect(denials(["files": [:], "sourceRef": ["kind": "Bucket", "name": "b"]]) == [])
        #expect(denials(["files": [:]])
            == ["spec.files: exactly one of spec.files and spec.sourceRef must be set, neither is"])
        // Explicit nulls (what a client sends for an unset pointer field) are unset too.
        #expect(denials(["files": ["main.jsonnet": "{}"], "sourceRef": nil, "entryFile": nil]) == [])
        #expect(denials(["files": nil, "sourceRef": ["kind": "Bucket", "name": "b"]]) == [])
    }

    /// As the original: a warning, the object is stored and fails to reconcile.
    @Test func anEntryFileMissingFromInlineFilesIsAWarning() {
        #expect(denials(["files": ["other.jsonnet": "{}"]]) == [])
        #expect(warnings(["files": ["other.jsonnet": "{}"]])
            == ["spec.entryFile: \"main.jsonnet\" is not in spec.files (1 file); it will not reconcile (InvalidSpec)"])
        #expect(warnings(["files": ["main.jsonnet": "{}"]]) == [])
        #expect(denials(["files": ["a/b.jsonnet": "{}"], "entryFile": "./a/b.jsonnet"]) == [])
        #expect(denials(["files": ["main.jsonnet": "{}"], "entryFile": "../main.jsonnet"]).first?.hasPrefix("spec.entryFile: ") == true)
    }

    /// As the original: inline Jsonnet that does not parse is stored, with a warning
    /// naming the position.
    @Test func inlineJsonnetThatDoesNotParseIsAWarningWithItsPosition() {
        #expect(denials(["files": ["main.jsonnet": "{\n  a: ,\n}"]]) == [])
        let found = warnings(["files": ["main.jsonnet": "{\n  a: ,\n}"]])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("spec.files[\"main.jsonnet\"]: does not parse: main.jsonnet:2:6") == true, "\(found)")
        #expect(found.first?.hasSuffix("; it will not reconcile (EvaluationFailed)") == true, "\(found)")
        // Only Jsonnet files are parsed; data files imported with importstr may hold anything.
        #expect(warnings(["files": ["main.jsonnet": "importstr 'notes.txt'", "notes.txt": "{ not jsonnet"]]) == [])
        // Deep nesting is a clean warning, not a crash.
        let deep = String(repeating: "[", count: 100_000)
        #expect(warnings(["files": ["main.jsonnet": .string(deep)]]).first?.contains("does not parse") == true)
    }

    /// Warnings carry user text; each stays one printable line of bounded length.
    @Test func hostileTextInWarningsStaysOneShortLine() {
        let name = "x\n\u{1b}[31m\u{2028}" + String(repeating: "y", count: 5000) + ".jsonnet"
        let found = warnings(["files": [name: "{"], "entryFile": "main.jsonnet"])
        #expect(found.count == 2, "\(found)")
        for warning in found {
            #expect(warning.count <= SnippetValidator.maxWarningLength)
            #expect(!warning.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0x2028 }, "\(warning)")
        }
    }

    /// As the original: a sourceRef to the snippet's own ExternalArtifact is a warning.
    @Test func aSelfReferencingExternalArtifactIsAWarning() {
        let spec: JSON = ["sourceRef": ["kind": "ExternalArtifact", "name": "dash"]]
        #expect(denials(spec) == [])
        #expect(warnings(spec, name: "dash", namespace: "team-a") == [
            "spec.sourceRef: ExternalArtifact \"dash\" is this snippet's own artifact, a cycle; it will not reconcile (DependencyCycle)",
        ])
        #expect(warnings(["sourceRef": ["kind": "ExternalArtifact", "name": "dash", "namespace": "team-a"]],
                         name: "dash", namespace: "team-a").count == 1)
        #expect(warnings(["sourceRef": ["kind": "ExternalArtifact", "name": "dash", "namespace": "team-b"]],
                         name: "dash", namespace: "team-a") == [], "another namespace's artifact of that name")
        #expect(warnings(["sourceRef": ["kind": "GitRepository", "name": "dash"]], name: "dash", namespace: "team-a") == [])
        #expect(warnings(spec, name: "other", namespace: "team-a") == [])
    }

    /// As the original: an import alias is one `[A-Za-z0-9._-]` segment.
    @Test func importAliasesAreOneSafeSegment() {
        for bad in ["a/b", "..", ".", "", "a b", "a\\b", "ä", "a\u{0}", "/a", "a/"] {
            let found = denials(["files": ["main.jsonnet": "{}"], "libraries": [["name": "lib", "importPath": .string(bad)]]])
            #expect(found.count == 1 && found.first?.hasPrefix("spec.libraries[0].importPath: import path ") == true
                    && found.first?.contains("must be one path segment") == true, "\(bad): \(found)")
        }
        #expect(denials(["files": ["main.jsonnet": "{}"], "libraries": [["name": "my.lib_v2-x"]]]) == [])
        #expect(denials(["files": ["main.jsonnet": "{}"], "libraries": [["name": "a/b"]]]).first?
            .hasPrefix("spec.libraries[0].name: ") == true)
    }

    /// As the original: with `output: source` every file name must survive consumers' extraction.
    @Test func outputSourceRefusesNamesConsumersWouldDrop() {
        for bad in [".hidden.jsonnet", "dir/.env", "a//b.jsonnet", "a b.jsonnet", "ü.jsonnet", "a/./b.jsonnet"] {
            var files: [String: JSON] = ["main.jsonnet": "{}"]
            files[bad] = "x"
            let found = denials(["files": .object(files), "output": "source"])
            #expect(found.contains { $0.contains("cannot be shipped with output: source") }, "\(bad): \(found)")
        }
        #expect(denials(["files": ["main.jsonnet": "{}", "lib/k-8_s.v1.libsonnet": "{}"], "output": "source"]) == [])
        // Rendered output ships no file names.
        #expect(denials(["files": ["main.jsonnet": "{}", ".hidden.jsonnet": "{}"]]) == [])
    }

    @Test func manyInlineFilesAreParsedTogether() {
        var files: [String: JSONValue] = ["main.jsonnet": "{}", "lib/broken.libsonnet": "local x = ; x"]
        for i in 0..<5000 { files["lib/f\(i).libsonnet"] = .string("{ v: \(i) }") }
        let start = ContinuousClock.now
        let found = warnings(["files": .object(files)])
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
        let found = denials(["files": ["main.jsonnet": "{"], "history": 99, "externalVariables": [["name": "cluster"]],
                             "libraries": [["name": "a/b"]]])
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

    /// Warnings travel in `response.warnings` of an admitted review (kubectl prints
    /// each as `Warning: …`); a refusal carries none.
    @Test func admittedReviewsCarryTheWarnings() throws {
        let admission = SnippetAdmission(validator: validator)
        let review: JSON = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": ["uid": "u-2", "operation": "CREATE", "namespace": "team-a",
                        "object": ["metadata": ["name": "dash"], "spec": ["files": ["other.jsonnet": "{"]]]],
        ]
        let answer = try admission.answer(try review.jsonData())
        #expect(answer[path: "response", "allowed"] == true)
        let warnings = answer[path: "response", "warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("spec.entryFile: ") } && warnings.contains { $0.hasPrefix("spec.files[") })
        var refused = review
        refused[path: "request", "object", "spec", "history"] = 0
        let no = try admission.answer(try refused.jsonData())
        #expect(no[path: "response", "allowed"] == false && no[path: "response", "warnings"] == nil)
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
