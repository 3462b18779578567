/// A one-shot (or n-shot) failure the server returns instead of handling a matching
/// request, so that client retry logic can be tested. `nil` criteria match anything.
public struct InjectedFault: Sendable {
    /// HTTP status to answer with: 409 (Conflict), 429 (TooManyRequests), 500, 503, ...
    public var code: Int
    /// `Retry-After` seconds (also `details.retryAfterSeconds`) for 429/5xx.
    public var retryAfterSeconds: Int?
    /// How many matching requests fail before the fault is used up.
    public var remaining: Int
    /// Whether a request is one this fault fails.
    let matches: @Sendable (RequestAttributes) -> Bool

    /// Creates a fault for the requests whose verb, API group (`""`: core), plural resource,
    /// subresource (`""`: only the main resource), namespace and name equal those given; by
    /// default it fails the next matching request once.
    public init(verb: String? = nil, group: String? = nil, resource: String? = nil, subresource: String? = nil,
                namespace: String? = nil, name: String? = nil, code: Int, retryAfterSeconds: Int? = nil, times: Int = 1) {
        self.code = code
        self.retryAfterSeconds = retryAfterSeconds
        self.remaining = times
        matches = { request in
            let wanted: [(String?, String?)] = [
                (verb, request.verb), (group, request.group), (resource, request.resource),
                (subresource, request.subresource ?? ""), (namespace, request.namespace), (name, request.name),
            ]
            return wanted.allSatisfy { criterion, actual in criterion == nil || criterion == actual }
        }
    }

    func error(for request: RequestAttributes) -> APIError {
        let resource = GroupResource(group: request.group, resource: request.resource)
        var error: APIError
        switch code {
        case 409:
            error = .conflict(resource, request.name ?? "")
        case 429:
            error = APIError(code: 429, reason: "TooManyRequests",
                             message: "the server has received too many requests and has asked us to try again later")
        case 500:
            error = APIError(code: 500, reason: "InternalError", message: "Internal error occurred: injected fault")
        case 503:
            error = APIError(code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request")
        case 504:
            error = APIError(code: 504, reason: "Timeout", message: "the server was unable to return a response in the time allotted")
        default:
            error = APIError(code: code, reason: "Unknown", message: "injected fault")
        }
        if let retryAfterSeconds {
            error.retryAfterSeconds = retryAfterSeconds
            var details = error.details ?? [:]
            details["retryAfterSeconds"] = .int(Int64(retryAfterSeconds))
            error.details = details
        }
        return error
    }
}
