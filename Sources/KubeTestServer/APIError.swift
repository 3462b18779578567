import Kubernetes

/// A failed API call, served as a Kubernetes `Status` object.
public struct APIError: Error, Sendable, Equatable {
    /// HTTP status code (also `Status.code`).
    public var code: Int
    /// `Status.reason`, e.g. `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`.
    public var reason: String
    /// `Status.message`.
    public var message: String
    /// `Status.details`, if any.
    public var details: JSONValue?
    /// Seconds for a `Retry-After` header (429 and 5xx faults).
    public var retryAfterSeconds: Int?

    /// Creates an error from its parts.
    public init(code: Int, reason: String, message: String, details: JSONValue? = nil, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The `Status` object served as the response body.
    public var status: JSONValue {
        var object: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:],
            "status": "Failure", "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if let details { object["details"] = details }
        return object
    }

    static func details(_ resource: GroupResource, _ name: String?) -> JSONValue {
        var d: JSONValue = ["kind": .string(resource.resource)]
        if let name, !name.isEmpty { d["name"] = .string(name) }
        if !resource.group.isEmpty { d["group"] = .string(resource.group) }
        return d
    }

    static func notFound(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found", details: details(resource, name))
    }

    static func alreadyExists(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists",
                 details: details(resource, name))
    }

    static func conflict(_ resource: GroupResource, _ name: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                 details: details(resource, name))
    }

    static func conflict(_ resource: GroupResource, _ name: String, because: String) -> APIError {
        APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(because)",
                 details: details(resource, name))
    }

    /// 422 Invalid with one cause per field error, worded like the API server.
    static func invalid(kind: String, group: String, name: String, causes: [FieldError]) -> APIError {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let list = causes.map(\.description)
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        var details: JSONValue = ["kind": .string(kind), "name": .string(name)]
        if !group.isEmpty { details["group"] = .string(group) }
        details["causes"] = .array(causes.map { ["reason": .string($0.reason), "message": .string($0.causeMessage), "field": .string($0.field)] })
        return APIError(code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(joined)", details: details)
    }

    static func forbidden(_ resource: GroupResource, _ name: String, reason: String) -> APIError {
        let subject = name.isEmpty ? "\(resource)" : "\(resource) \"\(name)\""
        return APIError(code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(reason)", details: details(resource, name))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource") -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    static func notFoundPath() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource", details: [:])
    }

    static func unsupportedMediaType(_ type: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \(type))")
    }

    static func expired(requested: Int, oldest: Int) -> APIError {
        APIError(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
    }
}

/// One field-level validation failure (a `StatusCause`).
struct FieldError: Sendable, Equatable, CustomStringConvertible {
    /// `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueTooLong`, ...
    var reason: String
    /// The field path, e.g. `spec.history`.
    var field: String
    /// The detail after the field path, e.g. `Required value`.
    var causeMessage: String

    /// `field: detail`, as the API server joins them.
    var description: String { "\(field): \(causeMessage)" }

    static func required(_ field: String) -> FieldError {
        FieldError(reason: "FieldValueRequired", field: field, causeMessage: "Required value")
    }

    static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(reason: "FieldValueInvalid", field: field, causeMessage: "Invalid value: \(renderValue(value)): \(detail)")
    }

    static func notSupported(_ field: String, _ value: JSONValue, _ allowed: [JSONValue]) -> FieldError {
        let list = allowed.map { renderValue($0) }.joined(separator: ", ")
        return FieldError(reason: "FieldValueNotSupported", field: field,
                          causeMessage: "Unsupported value: \(renderValue(value)): supported values: \(list)")
    }

    static func tooLong(_ field: String, _ max: Int64) -> FieldError {
        FieldError(reason: "FieldValueTooLong", field: field, causeMessage: "Too long: may not be more than \(max) bytes")
    }

    static func tooMany(_ field: String, _ count: Int, _ max: Int64) -> FieldError {
        FieldError(reason: "FieldValueTooMany", field: field, causeMessage: "Too many: \(count): must have at most \(max) items")
    }

    /// Values as the API server prints them in messages: strings quoted, objects as `"object"`.
    static func renderValue(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "\"\(s)\""
        case .object: return "\"object\""
        case .array: return "\"array\""
        case .null: return "\"null\""
        default: return value.text
        }
    }
}

/// A resource qualified by its API group, printed `resource.group` (core: `resource`).
struct GroupResource: Sendable, Hashable, CustomStringConvertible {
    /// API group; empty for the core group.
    var group: String
    /// Plural resource name.
    var resource: String

    /// Creates a group-qualified resource name.
    init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}
