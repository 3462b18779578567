import Foundation
import JaaSOperatorAPI
import Kubernetes

/// Answers `admission.k8s.io/v1` AdmissionReviews for JsonnetSnippets with the
/// checks of a `SnippetValidator`.
public struct SnippetAdmission: Sendable {
    /// The path the webhook is served at (the original's).
    public static let path = "/validate-jaas-metio-wtf-v1-jsonnetsnippet"

    /// The validator.
    public let validator: SnippetValidator

    /// Creates one from the given values.
    public init(validator: SnippetValidator) {
        self.validator = validator
    }

    /// A review that cannot be answered: the body is no AdmissionReview v1 with a request uid.
    public struct MalformedReview: Error, CustomStringConvertible {
        /// A one-line description.
        public let description: String
    }

    /// The AdmissionReview answering the review in `body`: the request's uid echoed,
    /// `allowed`, and on refusal `status.code` 403 with every refused field in `status.message`.
    public func answer(_ body: some DataProtocol) throws(MalformedReview) -> JSONValue {
        guard let review = try? JSONValue(json: body) else { throw MalformedReview(description: "the body is not JSON") }
        guard review["apiVersion"]?.stringValue == "admission.k8s.io/v1", review["kind"]?.stringValue == "AdmissionReview"
        else { throw MalformedReview(description: "expected an admission.k8s.io/v1 AdmissionReview") }
        guard let request = review["request"], let uid = request["uid"]?.stringValue, !uid.isEmpty else {
            throw MalformedReview(description: "the AdmissionReview has no request.uid")
        }
        let denials = decide(request)
        var response: JSONValue = ["uid": .string(uid), "allowed": .bool(denials.isEmpty)]
        if !denials.isEmpty {
            response["status"] = [
                "status": "Failure", "reason": "Forbidden", "code": 403,
                "message": .string(denials.map(\.description).joined(separator: "; ")),
            ]
        }
        return ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response]
    }

    /// The refusals for one request. Only creates and updates of JsonnetSnippets are
    /// checked (a request naming no operation counts as a create); an update that leaves the spec alone (finalizers, labels, a snippet being
    /// deleted) is always let through so an operator can finish its work on objects that
    /// became invalid after they were stored, e.g. when `--ext-var` changed.
    func decide(_ request: JSONValue) -> [SnippetValidator.Denial] {
        let operation = request["operation"]?.stringValue ?? "CREATE"
        guard operation == "CREATE" || operation == "UPDATE",
              request[path: "kind", "kind"]?.stringValue ?? "JsonnetSnippet" == "JsonnetSnippet",
              let object = request["object"], !object.isNull else { return [] }
        if operation == "UPDATE" {
            if object[path: "metadata", "deletionTimestamp"].map({ !$0.isNull }) == true { return [] }
            if let old = request["oldObject"], old["spec"] == object["spec"] { return [] }
        }
        return validator.denials(spec: object["spec"])
    }
}
