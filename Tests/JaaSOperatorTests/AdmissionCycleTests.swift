import Foundation
import JaaSAdmission
import Kubernetes
import Testing

/// Admission refuses a `sourceRef` chain that comes back to the snippet through
/// snippets already stored, as the original does; a direct self-reference stays a warning.
@Suite(.serialized) struct AdmissionCycleTests {
    typealias JSON = Kubernetes.JSONValue
    typealias Cluster = ReconcilerIntegrationTests.Cluster

    static func artifactRef(_ name: String) -> JSON { ["kind": "ExternalArtifact", "name": .string(name)] }

    static func store(_ cluster: Cluster, _ name: String, reading artifact: String) async throws {
        var object = KubeObject(apiVersion: "jaas.metio.wtf/v1", kind: "JsonnetSnippet", namespace: "team-a", name: name)
        object["spec"] = ["sourceRef": artifactRef(artifact)]
        _ = try await cluster.admin.create(.jsonnetSnippets, object)
    }

    static func review(_ name: String, spec: JSON) throws -> Data {
        let review: JSON = [
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": ["uid": "cycle-1", "operation": "CREATE", "namespace": "team-a",
                        "object": ["metadata": ["name": .string(name), "namespace": "team-a"], "spec": spec]],
        ]
        return try review.jsonData()
    }

    @Test func aChainThroughStoredSnippetsIsRefused() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        // b reads c's artifact, c reads a's: a reading b's closes a -> b -> c -> a.
        try await Self.store(cluster, "b", reading: "c")
        try await Self.store(cluster, "c", reading: "a")
        let cycles = SourceCycles(client: cluster.admin)
        #expect(await cycles.cycle(name: "a", namespace: "team-a", spec: ["sourceRef": Self.artifactRef("b")]) == ["a", "b", "c", "a"])
        #expect(await cycles.cycle(name: "a", namespace: "team-a", spec: ["sourceRef": Self.artifactRef("d")]) == nil)
        #expect(await cycles.cycle(name: "x", namespace: "team-a", spec: ["sourceRef": Self.artifactRef("b")]) == nil,
                "b -> c -> a does not come back to x")
        // The direct self-reference is the validator's warning, not this refusal.
        #expect(await cycles.cycle(name: "a", namespace: "team-a", spec: ["sourceRef": Self.artifactRef("a")]) == nil)

        let admission = SnippetAdmission(validator: SnippetValidator(operatorExternalVariables: [], libraryAliases: []),
                                         cycles: cycles)
        let body = try Self.review("a", spec: ["sourceRef": Self.artifactRef("b")])
        let first = try admission.answer(body)
        #expect(first[path: "response", "allowed"] == true)
        let answer = await admission.answer(body, checkingCyclesAfter: first)
        #expect(answer[path: "response", "uid"] == "cycle-1")
        #expect(answer[path: "response", "allowed"] == false)
        #expect(answer[path: "response", "status", "message"] == "spec.sourceRef: the sourceRef chain forms a cycle: a -> b -> c -> a")

        let own = try Self.review("a", spec: ["sourceRef": Self.artifactRef("a")])
        let ownAnswer = await admission.answer(own, checkingCyclesAfter: try admission.answer(own))
        #expect(ownAnswer[path: "response", "allowed"] == true)
        #expect(ownAnswer[path: "response", "warnings"]?.arrayValue?.count == 1)
    }

    /// A chain that loops without coming back, and a long one, end within the visit limit.
    @Test func loopsElsewhereAndLongChainsEnd() async throws {
        let cluster = try await Cluster.start()
        defer { Task { await cluster.stop() } }
        try await Self.store(cluster, "p", reading: "q")
        try await Self.store(cluster, "q", reading: "p")
        for i in 0..<30 { try await Self.store(cluster, "n\(i)", reading: "n\(i + 1)") }
        var cycles = SourceCycles(client: cluster.admin)
        #expect(await cycles.cycle(name: "z", namespace: "team-a", spec: ["sourceRef": Self.artifactRef("p")]) == nil)
        cycles.limit = 10
        #expect(await cycles.cycle(name: "n30", namespace: "team-a", spec: ["sourceRef": Self.artifactRef("n0")]) == nil,
                "the chain back to n30 is longer than the limit")
        cycles.limit = 100
        #expect(await cycles.cycle(name: "n30", namespace: "team-a", spec: ["sourceRef": Self.artifactRef("n0")])?.count == 32)
    }
}
