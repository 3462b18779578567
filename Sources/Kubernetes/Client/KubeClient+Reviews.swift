import Foundation

/// Who a request is from, as the API server's authenticators describe a user:
/// `status.user` of a TokenReview, `spec.user`/`groups`/`uid`/`extra` of a
/// SubjectAccessReview, and what impersonation sends.
public struct UserInfo: Sendable, Hashable {
    /// The user name, e.g. `system:serviceaccount:team-a:deployer`.
    public var username: String
    /// A unique id of the user (the ServiceAccount's uid for a ServiceAccount token; may be empty).
    public var uid: String
    /// The groups, e.g. `system:serviceaccounts`, `system:authenticated`.
    public var groups: [String]
    /// Further attributes by key, e.g. `authentication.kubernetes.io/credential-id`.
    public var extra: [String: [String]]

    /// A user from its parts.
    public init(username: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.username = username
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// Reads `status.user` of a TokenReview (or any `UserInfo` object).
    public init(json: JSONValue) {
        username = json["username"]?.stringValue ?? ""
        uid = json["uid"]?.stringValue ?? ""
        groups = json["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var extra: [String: [String]] = [:]
        for (key, values) in json["extra"]?.objectValue ?? [:] {
            extra[key] = values.arrayValue?.compactMap(\.stringValue) ?? []
        }
        self.extra = extra
    }
}

/// What a `TokenReview` said about a bearer token.
public enum TokenReviewResult: Sendable, Hashable {
    /// The token is valid: who it belongs to, and the audiences it was accepted for.
    case authenticated(UserInfo, audiences: [String])
    /// The token is not valid; `error` is the API server's explanation (may be empty).
    case unauthenticated(error: String)
}

/// The resource a SubjectAccessReview asks about (`spec.resourceAttributes`).
public struct ResourceAttributes: Sendable, Hashable {
    /// The verb, e.g. `get`, `list`, `patch`.
    public var verb: String
    /// The API group (`""` for the core group).
    public var group: String
    /// The plural resource name.
    public var resource: String
    /// The subresource, e.g. `status`.
    public var subresource: String?
    /// The namespace (`nil`: cluster scope, or every namespace for namespaced resources).
    public var namespace: String?
    /// The object's name (`nil`: any).
    public var name: String?

    /// Attributes from their parts.
    public init(verb: String, group: String, resource: String, subresource: String? = nil, namespace: String? = nil,
                name: String? = nil) {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
    }

    /// `verb` on `resource` as one `GroupVersionResource`.
    public init(verb: String, _ resource: GroupVersionResource, subresource: String? = nil, namespace: String? = nil,
                name: String? = nil) {
        self.init(verb: verb, group: resource.group, resource: resource.resource, subresource: subresource,
                  namespace: namespace, name: name)
    }
}

extension KubeClient {
    /// Asks the API server who a bearer token belongs to: `POST
    /// /apis/authentication.k8s.io/v1/tokenreviews`. Needs `create` on `tokenreviews`.
    /// `audiences` empty: the API server's own audiences. Throws only when the review
    /// could not be made (the token being invalid is ``TokenReviewResult/unauthenticated(error:)``).
    public func reviewToken(_ token: String, audiences: [String] = []) async throws -> TokenReviewResult {
        var spec: JSONValue = ["token": .string(token)]
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map(JSONValue.string)) }
        let body: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": spec]
        let answer = try await performJSON(KubeRequest(.POST, "/apis/authentication.k8s.io/v1/tokenreviews",
                                                       body: try body.jsonData()))
        let status = answer["status"] ?? .null
        guard status["authenticated"]?.boolValue == true, let user = status["user"],
              let name = user["username"]?.stringValue, !name.isEmpty
        else {
            return .unauthenticated(error: status["error"]?.stringValue ?? "")
        }
        return .authenticated(UserInfo(json: user),
                              audiences: status["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// Whether `user` may do what `attributes` describe: `POST
    /// /apis/authorization.k8s.io/v1/subjectaccessreviews`. Needs `create` on
    /// `subjectaccessreviews`. Throws only when the review could not be made.
    public func reviewAccess(of user: UserInfo, _ attributes: ResourceAttributes) async throws -> Bool {
        var resource: JSONValue = [
            "verb": .string(attributes.verb), "group": .string(attributes.group), "resource": .string(attributes.resource),
        ]
        if let subresource = attributes.subresource { resource["subresource"] = .string(subresource) }
        if let namespace = attributes.namespace { resource["namespace"] = .string(namespace) }
        if let name = attributes.name { resource["name"] = .string(name) }
        var spec: JSONValue = [
            "user": .string(user.username), "groups": .array(user.groups.map(JSONValue.string)),
            "resourceAttributes": resource,
        ]
        if !user.uid.isEmpty { spec["uid"] = .string(user.uid) }
        if !user.extra.isEmpty {
            spec["extra"] = .object(user.extra.mapValues { .array($0.map(JSONValue.string)) })
        }
        let body: JSONValue = ["apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec]
        let answer = try await performJSON(KubeRequest(.POST, "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                                                       body: try body.jsonData()))
        return answer[path: "status", "allowed"]?.boolValue == true && answer[path: "status", "denied"]?.boolValue != true
    }

    /// A client making every request as `user` through impersonation
    /// (`Impersonate-User`, `Impersonate-Group`, `Impersonate-Extra-<key>`), with this
    /// client's own credentials, which need `impersonate` on `users` (or
    /// `serviceaccounts`), `groups` and `userextras/<key>`. It shares the connection
    /// pools; do not shut it down separately.
    public func impersonating(_ user: UserInfo) -> KubeClient {
        var copy = self
        copy.impersonation = user
        return copy
    }

    /// The impersonation headers for `user`. Extra keys are percent-encoded as the
    /// API server expects (it lowercases and unescapes them).
    static func impersonationHeaders(_ user: UserInfo) -> [(String, String)] {
        var headers = [("Impersonate-User", user.username)]
        for group in user.groups { headers.append(("Impersonate-Group", group)) }
        for key in user.extra.keys.sorted() {
            let name = "Impersonate-Extra-" + Self.escapeExtraKey(key)
            for value in user.extra[key] ?? [] { headers.append((name, value)) }
        }
        return headers
    }

    /// `url.PathEscape` of the key: bytes outside the unreserved set (and a few
    /// sub-delimiters header names also allow) become `%XX`.
    static func escapeExtraKey(_ key: String) -> String {
        var out = ""
        for byte in key.utf8 {
            let c = Character(UnicodeScalar(byte))
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "-._~".contains(c) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
