import Foundation
import JaaSOperatorAPI
import Kubernetes

/// Answers `admission.k8s.io/v1` AdmissionReviews for JsonnetSnippets with the
/// checks of a `SnippetValidator`, and (with a cluster to read) refuses `sourceRef`
/// chains that come back to the snippet.
public struct SnippetAdmission: Sendable {
    /// The path the webhook is served at (the original's).
    public static let path = "/validate-jaas-metio-wtf-v1-jsonnetsnippet"

    /// The validator.
    public let validator: SnippetValidator
    /// Reads the snippets and libraries already stored, for the cycle check; nil: no cycle check.
    public var cycles: SourceCycles?

    /// An admission with `validator` and, when given, the cycle check through stored snippets.
    public init(validator: SnippetValidator, cycles: SourceCycles? = nil) {
        self.validator = validator
        self.cycles = cycles
    }

    /// A review that cannot be answered: the body is no AdmissionReview v1 with a request uid.
    public struct MalformedReview: Error, CustomStringConvertible {
        /// A one-line description.
        public let description: String
    }

    /// The AdmissionReview answering the review in `body`: the request's uid echoed,
    /// `allowed`, on refusal `status.code` 403 with every refused field in
    /// `status.message`, and on admission the `warnings` kubectl prints.
    public func answer(_ body: some DataProtocol) throws(MalformedReview) -> JSONValue {
        let (uid, request) = try Self.parse(body)
        let review = decide(request)
        return Self.response(uid: uid, review)
    }

    /// ``answer(_:)`` followed, when it admits and ``cycles`` is set, by the cycle
    /// check against the cluster (which only refuses; a cluster that cannot be read
    /// lets the object through, and the reconciler still finds the cycle).
    public func answer(_ body: some DataProtocol, checkingCyclesAfter first: JSONValue) async -> JSONValue {
        guard let cycles, first[path: "response", "allowed"]?.boolValue == true,
              let parsed = try? Self.parse(body), let object = Self.checked(parsed.1),
              let name = object[path: "metadata", "name"]?.stringValue, let spec = object["spec"] else { return first }
        let (uid, request) = parsed
        let namespace = object[path: "metadata", "namespace"]?.stringValue ?? request["namespace"]?.stringValue ?? "default"
        guard let path = await cycles.cycle(name: name, namespace: namespace, spec: spec) else { return first }
        let denial = SnippetValidator.Denial(field: "spec.sourceRef",
                                             message: "the sourceRef chain forms a cycle: \(path.joined(separator: " -> "))")
        return Self.response(uid: uid, SnippetValidator.Review(denials: [denial]))
    }

    private static func parse(_ body: some DataProtocol) throws(MalformedReview) -> (String, JSONValue) {
        guard let review = try? JSONValue(json: body) else { throw MalformedReview(description: "the body is not JSON") }
        guard review["apiVersion"]?.stringValue == "admission.k8s.io/v1", review["kind"]?.stringValue == "AdmissionReview"
        else { throw MalformedReview(description: "expected an admission.k8s.io/v1 AdmissionReview") }
        guard let request = review["request"], let uid = request["uid"]?.stringValue, !uid.isEmpty else {
            throw MalformedReview(description: "the AdmissionReview has no request.uid")
        }
        return (uid, request)
    }

    private static func response(uid: String, _ review: SnippetValidator.Review) -> JSONValue {
        var response: JSONValue = ["uid": .string(uid), "allowed": .bool(review.denials.isEmpty)]
        if !review.denials.isEmpty {
            response["status"] = [
                "status": "Failure", "reason": "Forbidden", "code": 403,
                "message": .string(review.denials.map(\.description).joined(separator: "; ")),
            ]
        } else if !review.warnings.isEmpty {
            response["warnings"] = .array(review.warnings.map(JSONValue.string))
        }
        return ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response]
    }

    /// The object a request asks to check, nil when it needs no check. Only creates
    /// and updates of JsonnetSnippets are checked (a request naming no operation counts
    /// as a create); an update that leaves the spec alone (finalizers, labels, a snippet
    /// being deleted) is always let through so an operator can finish its work on
    /// objects that became invalid after they were stored, e.g. when `--ext-var` changed.
    static func checked(_ request: JSONValue) -> JSONValue? {
        let operation = request["operation"]?.stringValue ?? "CREATE"
        guard operation == "CREATE" || operation == "UPDATE",
              request[path: "kind", "kind"]?.stringValue ?? "JsonnetSnippet" == "JsonnetSnippet",
              let object = request["object"], !object.isNull else { return nil }
        if operation == "UPDATE" {
            if object[path: "metadata", "deletionTimestamp"].map({ !$0.isNull }) == true { return nil }
            if let old = request["oldObject"], old["spec"] == object["spec"] { return nil }
        }
        return object
    }

    /// The refusals and warnings for one request.
    func decide(_ request: JSONValue) -> SnippetValidator.Review {
        guard let object = Self.checked(request) else { return SnippetValidator.Review() }
        return validator.review(spec: object["spec"], name: object[path: "metadata", "name"]?.stringValue,
                                namespace: object[path: "metadata", "namespace"]?.stringValue ?? request["namespace"]?.stringValue)
    }
}

/// The cycle check of admission: follows a snippet's `sourceRef` (and its libraries'
/// `sourceRef`s) to ExternalArtifacts, which the snippet of the same name publishes,
/// through the snippets stored in the cluster, and reports a chain that comes back.
/// A `sourceRef` naming the snippet's own artifact directly is only a warning
/// (``SnippetValidator``), as in the original.
public struct SourceCycles: Sendable {
    let client: KubeClient
    /// Snippets visited at most per review.
    public var limit = 100

    public init(client: KubeClient) {
        self.client = client
    }

    /// The chain `name -> … -> name` when `spec` of `namespace/name` closes a cycle
    /// through other stored snippets; nil otherwise, or when the cluster cannot be read.
    public func cycle(name: String, namespace: String, spec: JSONValue) async -> [String]? {
        var frontier: [(spec: JSONValue, namespace: String, path: [String])] = [(spec, namespace, [name])]
        var seen: Set<String> = []
        while !frontier.isEmpty {
            let current = frontier.removeFirst()
            for ref in await artifactRefs(current.spec, namespace: current.namespace) {
                if ref.namespace == namespace && ref.name == name {
                    // The snippet's own artifact named directly is the warning, not this refusal.
                    if current.path.count == 1 { continue }
                    return current.path + [name]
                }
                let key = ref.namespace + "/" + ref.name
                guard seen.count < limit, seen.insert(key).inserted,
                      let next = try? await client.get(.jsonnetSnippets, namespace: ref.namespace, name: ref.name),
                      let nextSpec = next[path: "spec"] else { continue }
                frontier.append((nextSpec, ref.namespace, current.path + [ref.namespace == namespace ? ref.name : key]))
            }
        }
        return nil
    }

    /// The ExternalArtifacts `spec` reads: its `sourceRef`, and each library's.
    private func artifactRefs(_ spec: JSONValue, namespace: String) async -> [(namespace: String, name: String)] {
        var refs: [(namespace: String, name: String)] = []
        func add(_ ref: JSONValue?, in own: String) {
            guard let ref, ref["kind"]?.stringValue == "ExternalArtifact", let name = ref["name"]?.stringValue else { return }
            let given = ref["namespace"]?.stringValue ?? ""
            refs.append((namespace: given.isEmpty ? own : given, name: name))
        }
        add(spec["sourceRef"], in: namespace)
        for library in (spec["libraries"]?.arrayValue ?? []).prefix(limit) {
            guard let libraryName = library["name"]?.stringValue else { continue }
            let given = library["namespace"]?.stringValue ?? ""
            let libraryNamespace = given.isEmpty ? namespace : given
            guard let stored = try? await client.get(.jsonnetLibraries, namespace: libraryNamespace, name: libraryName) else {
                continue
            }
            add(stored[path: "spec", "sourceRef"], in: libraryNamespace)
        }
        return refs
    }
}
