import Foundation

/// An error answer from the API server: the HTTP status plus what the server's
/// `Status` object (`kind: Status`) says.
public struct KubeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status code (or `Status.code` for errors inside a watch stream).
    public var code: Int
    /// The machine-readable reason, e.g. `.forbidden`, `.notFound`, `.conflict`.
    public var reason: Reason
    /// The server's human-readable message.
    public var message: String
    /// `Status.details`: the object the error is about, when the server names it.
    public var details: Details?
    /// For 403 Forbidden: who was denied what, parsed from the message and details.
    public var forbidden: Forbidden?
    /// How long the server asked the client to wait (`Retry-After` or `details.retryAfterSeconds`).
    public var retryAfter: Duration?

    /// `Status.reason` values; any string the server sends is kept.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
        /// The wire value.
        public var rawValue: String
        /// Wraps a wire value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Wraps a string literal.
        public init(stringLiteral value: String) { self.rawValue = value }
        /// The wire value.
        public var description: String { rawValue }

        /// 400.
        public static let badRequest: Reason = "BadRequest"
        /// 401.
        public static let unauthorized: Reason = "Unauthorized"
        /// 403.
        public static let forbidden: Reason = "Forbidden"
        /// 404.
        public static let notFound: Reason = "NotFound"
        /// 405.
        public static let methodNotAllowed: Reason = "MethodNotAllowed"
        /// 409: an update lost an optimistic-concurrency race.
        public static let conflict: Reason = "Conflict"
        /// 409: a create found the name taken.
        public static let alreadyExists: Reason = "AlreadyExists"
        /// 410: a resourceVersion no longer in the server's history.
        public static let gone: Reason = "Gone"
        /// 410 as watch streams report it ("too old resource version").
        public static let expired: Reason = "Expired"
        /// 415.
        public static let unsupportedMediaType: Reason = "UnsupportedMediaType"
        /// 422: validation failed.
        public static let invalid: Reason = "Invalid"
        /// 429.
        public static let tooManyRequests: Reason = "TooManyRequests"
        /// 500.
        public static let internalError: Reason = "InternalError"
        /// 503.
        public static let serviceUnavailable: Reason = "ServiceUnavailable"
        /// 504.
        public static let timeout: Reason = "Timeout"
        /// No reason given and none derivable from the code.
        public static let unknown: Reason = "Unknown"

        /// The conventional reason for an HTTP status code.
        public static func forCode(_ code: Int) -> Reason {
            switch code {
            case 400: .badRequest
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 405: .methodNotAllowed
            case 409: .conflict
            case 410: .gone
            case 415: .unsupportedMediaType
            case 422: .invalid
            case 429: .tooManyRequests
            case 500: .internalError
            case 503: .serviceUnavailable
            case 504: .timeout
            default: .unknown
            }
        }
    }

    /// `Status.details`.
    public struct Details: Sendable, Hashable {
        /// The object's name.
        public var name: String?
        /// The object's API group.
        public var group: String?
        /// The object's kind (for RBAC denials the server puts the resource here).
        public var kind: String?
        /// The object's UID.
        public var uid: String?
        /// Field-level causes, e.g. validation failures: `(reason, field, message)`.
        public var causes: [Cause]

        /// One `details.causes[]` entry.
        public struct Cause: Sendable, Hashable {
            /// e.g. `FieldValueRequired`.
            public var reason: String?
            /// e.g. `spec.files`.
            public var field: String?
            /// Human-readable text.
            public var message: String?
        }
    }

    /// What an RBAC denial names: `User "u" cannot <verb> resource "<resource>" in API
    /// group "<group>" in the namespace "<ns>"` (or `at the cluster scope`).
    public struct Forbidden: Sendable, Hashable {
        /// The denied user, e.g. `system:serviceaccount:team-a:renderer`.
        public var user: String?
        /// The denied verb, e.g. `get`, `create`.
        public var verb: String?
        /// The resource, with `/subresource` when one was addressed (`serviceaccounts/token`).
        public var resource: String?
        /// The API group (`""` for core).
        public var group: String?
        /// The namespace; `nil` at the cluster scope.
        public var namespace: String?
        /// The object's name, when the request named one.
        public var name: String?

        /// Denial details from their parts.
        public init(
            user: String? = nil, verb: String? = nil, resource: String? = nil, group: String? = nil,
            namespace: String? = nil, name: String? = nil
        ) {
            self.user = user
            self.verb = verb
            self.resource = resource
            self.group = group
            self.namespace = namespace
            self.name = name
        }
    }

    /// An error from its parts.
    public init(code: Int, reason: Reason? = nil, message: String, details: Details? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.reason = reason ?? Reason.forCode(code)
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
        self.forbidden = code == 403 ? Self.parseForbidden(message: message, details: details) : nil
    }

    /// `Forbidden (403): <message>`.
    public var description: String { "\(reason) (\(code)): \(message)" }

    /// 404.
    public var isNotFound: Bool { code == 404 }
    /// 409 with reason `AlreadyExists`.
    public var isAlreadyExists: Bool { code == 409 && reason == .alreadyExists }
    /// 409 with any other reason (an update raced another writer).
    public var isConflict: Bool { code == 409 && reason != .alreadyExists }
    /// 403.
    public var isForbidden: Bool { code == 403 }
    /// 410: the requested resourceVersion is too old; relist.
    public var isGone: Bool { code == 410 }
    /// 422.
    public var isInvalid: Bool { code == 422 }
}

extension KubeError {
    /// Builds the error for a non-2xx response: the body's `Status` when it is one,
    /// else the code's conventional reason and the body text as the message.
    static func fromResponse(code: Int, body: [UInt8], retryAfterHeader: String?) -> KubeError {
        let headerDelay = retryAfterHeader.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { Duration.seconds(max(0, $0)) }
        if let json = try? JSONValue(json: body), json["kind"]?.stringValue == "Status" {
            var error = KubeError(status: json, fallbackCode: code)
            error.code = code
            if let headerDelay { error.retryAfter = headerDelay }
            return error
        }
        let text = String(decoding: body.prefix(1024), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return KubeError(code: code, message: text.isEmpty ? "HTTP \(code)" : text, retryAfter: headerDelay)
    }

    /// Builds the error from a `Status` object (as in watch `ERROR` events).
    init(status: JSONValue, fallbackCode: Int = 500) {
        let code = status["code"]?.intValue.map(Int.init) ?? fallbackCode
        let reason = status["reason"]?.stringValue.flatMap { $0.isEmpty ? nil : Reason(rawValue: $0) }
        var details: Details?
        var retryAfter: Duration?
        if let d = status["details"], d.objectValue != nil {
            let causes = d["causes"]?.arrayValue?.map {
                Details.Cause(reason: $0["reason"]?.stringValue, field: $0["field"]?.stringValue, message: $0["message"]?.stringValue)
            }
            details = Details(
                name: d["name"]?.stringValue, group: d["group"]?.stringValue, kind: d["kind"]?.stringValue,
                uid: d["uid"]?.stringValue, causes: causes ?? [])
            if let seconds = d["retryAfterSeconds"]?.intValue, seconds > 0 { retryAfter = .seconds(seconds) }
        }
        self.init(
            code: code, reason: reason, message: status["message"]?.stringValue ?? "HTTP \(code)", details: details,
            retryAfter: retryAfter)
    }

    /// Parses the authorizer's sentence; falls back to `details` for what it lacks.
    static func parseForbidden(message: String, details: Details?) -> Forbidden {
        var result = Forbidden(group: details?.group, name: details?.name)
        result.resource = details?.kind
        result.user = quoted(after: "User ", in: message)
        if let range = message.range(of: " cannot ") {
            let rest = message[range.upperBound...]
            if let space = rest.firstIndex(of: " ") {
                result.verb = String(rest[..<space])
            }
        }
        if let resource = quoted(after: " resource ", in: message) { result.resource = resource }
        if let group = quoted(after: " in API group ", in: message) { result.group = group }
        if let namespace = quoted(after: " in the namespace ", in: message) { result.namespace = namespace }
        return result
    }

    /// The text between double quotes right after `marker`.
    private static func quoted(after marker: String, in text: String) -> String? {
        guard let markerRange = text.range(of: marker) else { return nil }
        let rest = text[markerRange.upperBound...]
        guard rest.first == "\"" else { return nil }
        let body = rest.dropFirst()
        guard let end = body.firstIndex(of: "\"") else { return nil }
        return String(body[..<end])
    }
}
