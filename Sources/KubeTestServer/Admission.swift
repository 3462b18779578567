import Kubernetes
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// What validating admission needs to know about one write.
struct AdmissionAttributes: Sendable {
    var type: ResourceType
    /// `CREATE` or `UPDATE`.
    var operation: String
    var namespace: String?
    var name: String
    var object: JSONValue
    var oldObject: JSONValue?
    var dryRun: Bool
    var user: Identity
}

/// Calls the webhooks of the stored ValidatingWebhookConfigurations like the API server:
/// matching `rules`, `clientConfig.url` or `clientConfig.service` (mapped to a local
/// address), TLS verified against `caBundle`, `timeoutSeconds`, `failurePolicy`, and an
/// AdmissionReview v1 whose uid must come back. A refusal is thrown as the API server's
/// `admission webhook "<name>" denied the request: <message>`.
struct ValidatingAdmission: Sendable {
    /// `namespace/name` of a Service → `host:port` it is reached at.
    let serviceAddresses: [String: String]
    let client: HTTPClient

    /// The largest AdmissionReview answer read.
    static let maxResponseBytes = 3 << 20

    func admit(_ attributes: AdmissionAttributes, configurations: [JSONValue]) async throws {
        // As in the API server, admission configurations themselves are never sent to webhooks.
        if attributes.type.group == "admissionregistration.k8s.io" { return }
        for configuration in configurations {
            for webhook in configuration["webhooks"]?.arrayValue ?? [] where matches(webhook, attributes) {
                try await call(webhook, attributes)
            }
        }
    }

    /// Whether a rule of `webhook` covers the write (`*` wildcards; main resources only).
    func matches(_ webhook: JSONValue, _ attributes: AdmissionAttributes) -> Bool {
        func strings(_ rule: JSONValue, _ key: String) -> [String] { rule[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        return (webhook["rules"]?.arrayValue ?? []).contains { rule in
            let operations = strings(rule, "operations"), groups = strings(rule, "apiGroups")
            let versions = strings(rule, "apiVersions"), resources = strings(rule, "resources")
            let scope = rule["scope"]?.stringValue ?? "*"
            let type = attributes.type
            return (operations.contains("*") || operations.contains(attributes.operation))
                && (groups.contains("*") || groups.contains(type.group))
                && (versions.contains("*") || versions.contains(type.version))
                && (resources.contains("*") || resources.contains("*/*") || resources.contains(type.plural))
                && (scope == "*" || scope == (type.namespaced ? "Namespaced" : "Cluster"))
        }
    }

    private func call(_ webhook: JSONValue, _ attributes: AdmissionAttributes) async throws {
        let name = webhook["name"]?.stringValue ?? ""
        let ignore = webhook["failurePolicy"]?.stringValue == "Ignore"
        let uid = UUID().uuidString.lowercased()
        do {
            let response = try await send(webhook, review(attributes, uid: uid))
            guard response["apiVersion"]?.stringValue == "admission.k8s.io/v1", response["kind"]?.stringValue == "AdmissionReview"
            else { throw WebhookCallError("the answer is not an admission.k8s.io/v1 AdmissionReview") }
            guard let result = response["response"] else { throw WebhookCallError("the AdmissionReview has no response") }
            let echoed = result["uid"]?.stringValue ?? ""
            guard echoed == uid else { throw WebhookCallError("expected response.uid=\"\(uid)\", got \"\(echoed)\"") }
            guard let allowed = result["allowed"]?.boolValue else { throw WebhookCallError("response.allowed is missing") }
            if allowed { return }
            throw Self.denial(name, result["status"])
        } catch let error as WebhookCallError {
            if ignore { return }
            throw APIError(code: 500, reason: "InternalError",
                           message: "Internal error occurred: failed calling webhook \"\(name)\": \(error.message)")
        }
    }

    /// The API server's refusal: the webhook's code (at least 400), reason and message.
    static func denial(_ name: String, _ status: JSONValue?) -> APIError {
        let code = Int(status?["code"]?.intValue ?? 0)
        let reason = status?["reason"]?.stringValue ?? ""
        let message = status?["message"]?.stringValue ?? ""
        let denied = "admission webhook \"\(name)\" denied the request"
        let text = !message.isEmpty ? "\(denied): \(message)" : !reason.isEmpty ? "\(denied): \(reason)" : "\(denied) without explanation"
        return APIError(code: code < 400 || code > 599 ? 400 : code, reason: reason, message: text)
    }

    private func review(_ attributes: AdmissionAttributes, uid: String) -> JSONValue {
        let type = attributes.type
        let kind: JSONValue = ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
        let resource: JSONValue = ["group": .string(type.group), "version": .string(type.version), "resource": .string(type.plural)]
        var request: JSONValue = [
            "uid": .string(uid), "kind": kind, "resource": resource, "requestKind": kind, "requestResource": resource,
            "name": .string(attributes.name), "operation": .string(attributes.operation),
            "userInfo": ["username": .string(attributes.user.name), "groups": .array(attributes.user.groups.map { .string($0) })],
            "object": attributes.object, "oldObject": attributes.oldObject ?? .null, "dryRun": .bool(attributes.dryRun),
        ]
        if let namespace = attributes.namespace { request["namespace"] = .string(namespace) }
        return ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request]
    }

    /// POSTs the review to the webhook's endpoint and reads the answer.
    private func send(_ webhook: JSONValue, _ review: JSONValue) async throws(WebhookCallError) -> JSONValue {
        let versions = webhook["admissionReviewVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard versions.contains("v1") else {
            throw WebhookCallError("none of admissionReviewVersions \(versions) is v1, the only version this server sends")
        }
        let config = webhook["clientConfig"] ?? [:]
        var tls = TLSConfiguration.makeClientConfiguration()
        if let bundle = config["caBundle"]?.stringValue {
            guard let pem = Data(base64Encoded: bundle), let roots = try? NIOSSLCertificate.fromPEMBytes([UInt8](pem)), !roots.isEmpty
            else { throw WebhookCallError("clientConfig.caBundle holds no PEM certificate") }
            tls.trustRoots = .certificates(roots)
        }
        let url: String
        if let given = config["url"]?.stringValue {
            url = given
        } else if let service = config["service"], let name = service["name"]?.stringValue,
                  let namespace = service["namespace"]?.stringValue {
            guard let address = serviceAddresses["\(namespace)/\(name)"] else {
                throw WebhookCallError("service \(namespace)/\(name) has no --webhook-service-address")
            }
            url = "https://\(address)\(service["path"]?.stringValue ?? "/")"
            // The certificate names the Service, not the local address it is mapped to: check the chain only.
            tls.certificateVerification = .noHostnameVerification
        } else {
            throw WebhookCallError("clientConfig has neither url nor service")
        }
        let seconds = min(max(Int64(webhook["timeoutSeconds"]?.intValue ?? 10), 1), 30)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(data: review.encoded()))
        request.tlsConfiguration = tls
        do {
            let response = try await client.execute(request, timeout: .seconds(seconds))
            let body = try await response.body.collect(upTo: Self.maxResponseBytes)
            guard response.status == .ok else { throw WebhookCallError("the webhook answered HTTP \(response.status.code)") }
            return try JSONValue.parse(Data(body.readableBytesView))
        } catch let error as WebhookCallError {
            throw error
        } catch {
            throw WebhookCallError("failed to call webhook: Post \"\(url)\": \(error)")
        }
    }
}

/// Why a webhook could not be consulted (its `failurePolicy` decides what follows).
struct WebhookCallError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
