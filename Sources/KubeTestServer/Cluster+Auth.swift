import Kubernetes
import Foundation

/// Who is calling: the admin (full access) or a ServiceAccount or impersonated user
/// (subject to RBAC).
struct Identity: Sendable {
    var name: String
    var groups: [String]
    var isAdmin: Bool
    /// The user's uid (a ServiceAccount's uid for its tokens; empty when unknown).
    var uid: String = ""
    /// Further attributes, as TokenReview reports and `Impersonate-Extra-*` sets them.
    var extra: [String: [String]] = [:]

    /// The identity a request impersonates (`kubectl --as`, `--as-group`), as the API
    /// server builds it: a ServiceAccount user without groups gets its ServiceAccount
    /// groups, and every user but `system:anonymous` is in `system:authenticated`.
    static func impersonated(_ user: String, groups: [String], extra: [String: [String]] = [:], uid: String = "") -> Identity {
        var all = groups
        let parts = user.split(separator: ":", omittingEmptySubsequences: false)
        if groups.isEmpty, parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" {
            all += ["system:serviceaccounts", "system:serviceaccounts:\(parts[2])"]
        }
        if user != "system:anonymous", !all.contains("system:authenticated"), !all.contains("system:unauthenticated") {
            all.append("system:authenticated")
        }
        return Identity(name: user, groups: all, isAdmin: all.contains("system:masters"), uid: uid, extra: extra)
    }

    /// The identity a SubjectAccessReview names: exactly its user and groups (the API
    /// server adds no groups there).
    static func reviewed(_ user: String, groups: [String], extra: [String: [String]], uid: String) -> Identity {
        Identity(name: user, groups: groups, isAdmin: groups.contains("system:masters"), uid: uid, extra: extra)
    }

    /// `status.user` of a TokenReview.
    var userInfo: JSONValue {
        var user: JSONValue = ["username": .string(name), "groups": .array(groups.map(JSONValue.string))]
        if !uid.isEmpty { user["uid"] = .string(uid) }
        if !extra.isEmpty { user["extra"] = .object(extra.mapValues { .array($0.map(JSONValue.string)) }) }
        return user
    }
}

/// Why a TokenReview found a token invalid.
struct ReviewFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A token minted by TokenRequest.
struct TokenRecord: Sendable {
    var namespace: String
    var serviceAccount: String
    var serviceAccountUID: String
    var expires: Date
    /// The audiences the token was minted for (`aud`).
    var audiences: [String] = [Cluster.apiServerAudience]
    /// The token's `jti`, reported as `authentication.kubernetes.io/credential-id`.
    var credentialID: String = ""
}

/// What a request asks to do, for authorization and fault matching: the attributes a
/// SubjectAccessReview carries.
typealias RequestAttributes = ResourceAttributes

extension ResourceAttributes {
    /// `resource` or `resource/subresource`.
    var combinedResource: String { subresource.map { "\(resource)/\($0)" } ?? resource }
}

extension Cluster {
    // MARK: authentication

    /// The audience of tokens minted without `spec.audiences`, which the server accepts
    /// by default (kind's and kubeadm's issuer).
    static let apiServerAudience = "https://kubernetes.default.svc.cluster.local"

    func authenticate(_ token: String?) -> Identity? {
        guard let token, !token.isEmpty else { return anonymousIsAdmin ? Self.admin : nil }
        if case .success(let identity) = review(token, audiences: [Self.apiServerAudience]) { return identity }
        return nil
    }

    private static let admin = Identity(name: "kubernetes-admin", groups: ["system:masters", "system:authenticated"],
                                        isAdmin: true)

    /// Who `token` belongs to when it is valid for one of `audiences`, or the API
    /// server's error text.
    func review(_ token: String, audiences: [String]) -> Result<Identity, ReviewFailure> {
        if token == adminToken { return .success(Self.admin) }
        guard let record = tokens[token] else { return .failure(ReviewFailure("invalid bearer token")) }
        guard record.expires > Date() else {
            return .failure(ReviewFailure("[invalid bearer token, service account token has expired]"))
        }
        guard let saType = type(group: "", plural: "serviceaccounts"),
              stored(saType, record.namespace, record.serviceAccount)?[path: ["metadata", "uid"]]?.stringValue == record.serviceAccountUID
        else {
            return .failure(ReviewFailure("[invalid bearer token, service account \(record.namespace)/\(record.serviceAccount) has been deleted]"))
        }
        guard record.audiences.contains(where: audiences.contains) else {
            return .failure(ReviewFailure("[invalid bearer token, token audiences \(Self.goList(record.audiences)) is invalid for the target audiences \(Self.goList(audiences))]"))
        }
        var extra: [String: [String]] = [:]
        if !record.credentialID.isEmpty { extra["authentication.kubernetes.io/credential-id"] = ["JTI=\(record.credentialID)"] }
        return .success(Identity(name: "system:serviceaccount:\(record.namespace):\(record.serviceAccount)",
                                 groups: ["system:serviceaccounts", "system:serviceaccounts:\(record.namespace)", "system:authenticated"],
                                 isAdmin: false, uid: record.serviceAccountUID, extra: extra))
    }

    /// `["a" "b"]`, as Go's `%q` prints a string slice.
    private static func goList(_ items: [String]) -> String {
        "[" + items.map { "\"\($0)\"" }.joined(separator: " ") + "]"
    }

    /// TokenReview (`POST /apis/authentication.k8s.io/v1/tokenreviews`): whether
    /// `spec.token` is valid for `spec.audiences` (default: the server's own), and
    /// whose it is. An invalid token is a 201 answer with `status.error`, as the API
    /// server gives it; an empty token is 400.
    func tokenReview(_ body: JSONValue) throws -> JSONValue {
        guard let token = body[path: ["spec", "token"]]?.stringValue, !token.isEmpty else {
            throw APIError.badRequest("token is required for TokenReview in authentication.k8s.io")
        }
        let requested = body[path: ["spec", "audiences"]]?.arrayValue?.compactMap(\.stringValue) ?? []
        let audiences = requested.isEmpty ? [Self.apiServerAudience] : requested
        var response = body
        response["apiVersion"] = "authentication.k8s.io/v1"
        response["kind"] = "TokenReview"
        response["metadata"] = ["creationTimestamp": .null]
        switch review(token, audiences: audiences) {
        case .success(let identity):
            let accepted = token == adminToken ? audiences
                : audiences.filter { (tokens[token]?.audiences ?? []).contains($0) }
            response["status"] = ["authenticated": true, "user": identity.userInfo,
                                  "audiences": .array(accepted.map(JSONValue.string))]
        case .failure(let failure):
            response["status"] = ["user": [:], "error": .string(failure.message)]
        }
        return response
    }

    /// SubjectAccessReview (`POST /apis/authorization.k8s.io/v1/subjectaccessreviews`):
    /// whether RBAC lets `spec.user`/`spec.groups` do `spec.resourceAttributes`.
    /// `status.allowed`, plus the binding that allowed it in `status.reason`; RBAC
    /// never denies outright, so `denied` is not set.
    func subjectAccessReview(_ body: JSONValue) throws -> JSONValue {
        let spec = body["spec"] ?? [:]
        let user = spec["user"]?.stringValue ?? ""
        let groups = spec["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var causes: [FieldError] = []
        if user.isEmpty && groups.isEmpty {
            causes.append(.invalid("spec.user", .string(""), "at least one of user or group must be specified"))
        }
        let resource = spec["resourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        let nonResource = spec["nonResourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        if resource == nil && nonResource == nil {
            causes.append(.invalid("spec.resourceAttributes", .string(""), "exactly one of nonResourceAttributes or resourceAttributes must be specified"))
        } else if resource != nil && nonResource != nil {
            causes.append(.invalid("spec.nonResourceAttributes", .string(""), "cannot be specified in combination with resourceAttributes"))
        }
        if !causes.isEmpty {
            throw APIError.invalid(kind: "SubjectAccessReview", group: "authorization.k8s.io", name: "", causes: causes)
        }
        var extra: [String: [String]] = [:]
        for (key, values) in spec["extra"]?.objectValue ?? [:] { extra[key] = values.arrayValue?.compactMap(\.stringValue) ?? [] }
        let identity = Identity.reviewed(user, groups: groups, extra: extra, uid: spec["uid"]?.stringValue ?? "")
        var status: JSONValue = ["allowed": false]
        if let resource {
            func field(_ key: String) -> String? {
                guard let value = resource[key]?.stringValue, !value.isEmpty else { return nil }
                return value
            }
            let attributes = RequestAttributes(verb: field("verb") ?? "", group: field("group") ?? "",
                                               resource: field("resource") ?? "", subresource: field("subresource"),
                                               namespace: field("namespace"), name: field("name"))
            if let reason = allowedBy(identity, attributes) {
                status = ["allowed": true, "reason": .string(reason)]
            }
        }
        var response = body
        response["apiVersion"] = "authorization.k8s.io/v1"
        response["kind"] = "SubjectAccessReview"
        response["metadata"] = ["creationTimestamp": .null]
        response["status"] = status
        return response
    }

    /// The identity a request with impersonation headers acts as, after checking that
    /// `identity` may `impersonate` each part: `users` (or `serviceaccounts` in the
    /// ServiceAccount's namespace), each of `groups`, `userextras/<key>` for each extra
    /// value and `uids` (in `authentication.k8s.io`), as the API server checks them.
    func impersonate(_ identity: Identity, user: String?, groups: [String], extra: [String: [String]],
                     uid: String?) throws -> Identity {
        guard let user, !user.isEmpty else {
            if !groups.isEmpty || !extra.isEmpty || uid != nil {
                throw APIError.badRequest("requested impersonation of groups, extra or uid without impersonating a user")
            }
            return identity
        }
        var checks: [RequestAttributes] = []
        let parts = user.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" {
            checks.append(RequestAttributes(verb: "impersonate", group: "", resource: "serviceaccounts", subresource: nil,
                                            namespace: String(parts[2]), name: String(parts[3])))
        } else {
            checks.append(RequestAttributes(verb: "impersonate", group: "", resource: "users", subresource: nil,
                                            namespace: nil, name: user))
        }
        for group in groups {
            checks.append(RequestAttributes(verb: "impersonate", group: "", resource: "groups", subresource: nil,
                                            namespace: nil, name: group))
        }
        for key in extra.keys.sorted() {
            for value in extra[key] ?? [] {
                checks.append(RequestAttributes(verb: "impersonate", group: "authentication.k8s.io", resource: "userextras",
                                                subresource: key, namespace: nil, name: value))
            }
        }
        if let uid {
            checks.append(RequestAttributes(verb: "impersonate", group: "authentication.k8s.io", resource: "uids",
                                            subresource: nil, namespace: nil, name: uid))
        }
        for check in checks where !authorize(identity, check) {
            let resource = GroupResource(group: check.group, resource: check.resource)
            throw APIError.forbidden(resource, check.name ?? "", reason: Self.forbiddenReason(identity, check))
        }
        return Identity.impersonated(user, groups: groups, extra: extra, uid: uid ?? "")
    }

    /// TokenRequest: mints a bearer token for a ServiceAccount.
    func requestToken(namespace: String, serviceAccount: String, body: JSONValue) throws -> JSONValue {
        guard let saType = type(group: "", plural: "serviceaccounts"),
              let sa = stored(saType, namespace, serviceAccount)
        else { throw APIError.notFound(GroupResource(group: "", resource: "serviceaccounts"), serviceAccount) }
        let seconds = body[path: ["spec", "expirationSeconds"]]?.intValue ?? 3600
        if seconds < 600 {
            throw APIError.invalid(kind: "TokenRequest", group: "authentication.k8s.io", name: serviceAccount, causes: [
                .invalid("spec.expirationSeconds", .int(seconds), "may not specify a duration less than 10 minutes"),
            ])
        }
        let now = Date()
        let expires = now.addingTimeInterval(TimeInterval(seconds))
        let audiences = body[path: ["spec", "audiences"]]?.arrayValue ?? ["https://kubernetes.default.svc.cluster.local"]
        let uid = sa[path: ["metadata", "uid"]]?.stringValue ?? ""
        let jti = UUID().uuidString.lowercased()
        let claims: JSONValue = [
            "jti": .string(jti),
            "aud": .array(audiences), "exp": .int(Int64(expires.timeIntervalSince1970)), "iat": .int(Int64(now.timeIntervalSince1970)),
            "iss": "https://kubernetes.default.svc.cluster.local", "sub": .string("system:serviceaccount:\(namespace):\(serviceAccount)"),
            "kubernetes.io": ["namespace": .string(namespace), "serviceaccount": ["name": .string(serviceAccount), "uid": .string(uid)]],
        ]
        let header: JSONValue = ["alg": "RS256", "kid": "kube-test-server"]
        let signature = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let token = [Cluster.base64URL(header.encoded()), Cluster.base64URL(claims.encoded()), Cluster.base64URL(signature)]
            .joined(separator: ".")
        tokens[token] = TokenRecord(namespace: namespace, serviceAccount: serviceAccount, serviceAccountUID: uid, expires: expires,
                                    audiences: audiences.compactMap(\.stringValue), credentialID: jti)
        var spec: JSONValue = ["audiences": .array(audiences), "expirationSeconds": .int(seconds)]
        if let bound = body[path: ["spec", "boundObjectRef"]], bound != .null { spec["boundObjectRef"] = bound }
        return [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(serviceAccount), "namespace": .string(namespace), "creationTimestamp": .null],
            "spec": spec,
            "status": ["token": .string(token), "expirationTimestamp": .string(kubeTimestamp(expires))],
        ]
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    // MARK: authorization (RBAC)

    /// Whether RBAC allows the request: some rule of a Role/ClusterRole bound to the
    /// identity (RoleBinding in the request's namespace, or ClusterRoleBinding) matches.
    func authorize(_ identity: Identity, _ request: RequestAttributes) -> Bool {
        allowedBy(identity, request) != nil
    }

    /// Why RBAC allows the request, in the API server's words (`RBAC: allowed by
    /// RoleBinding "b/ns" of Role "r" to ServiceAccount "sa/ns"`); nil when nothing allows it.
    func allowedBy(_ identity: Identity, _ request: RequestAttributes) -> String? {
        if identity.isAdmin { return "" }
        let rbac = "rbac.authorization.k8s.io"
        if let namespace = request.namespace, let bindings = type(group: rbac, plural: "rolebindings") {
            for (key, binding) in (objects[bindings.storageKey] ?? [:]).sorted(by: { $0.key < $1.key }) where key.hasPrefix(namespace + "/") {
                guard let subject = matchingSubject(binding, identity, bindingNamespace: namespace) else { continue }
                if roleRules(binding["roleRef"], namespace: namespace).contains(where: { ruleAllows($0, request) }) {
                    return Self.allowedReason("RoleBinding", binding, namespace: namespace, subject: subject)
                }
            }
        }
        if let bindings = type(group: rbac, plural: "clusterrolebindings") {
            for (_, binding) in (objects[bindings.storageKey] ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let subject = matchingSubject(binding, identity, bindingNamespace: nil) else { continue }
                if roleRules(binding["roleRef"], namespace: nil).contains(where: { ruleAllows($0, request) }) {
                    return Self.allowedReason("ClusterRoleBinding", binding, namespace: nil, subject: subject)
                }
            }
        }
        return nil
    }

    private static func allowedReason(_ kind: String, _ binding: JSONValue, namespace: String?, subject: JSONValue) -> String {
        let name = binding[path: ["metadata", "name"]]?.stringValue ?? ""
        let role = binding[path: ["roleRef", "name"]]?.stringValue ?? ""
        let roleKind = binding[path: ["roleRef", "kind"]]?.stringValue ?? ""
        let subjectKind = subject["kind"]?.stringValue ?? ""
        var subjectName = subject["name"]?.stringValue ?? ""
        if subjectKind == "ServiceAccount" { subjectName += "/" + (subject["namespace"]?.stringValue ?? namespace ?? "") }
        let bindingName = namespace.map { "\(name)/\($0)" } ?? name
        return "RBAC: allowed by \(kind) \"\(bindingName)\" of \(roleKind) \"\(role)\" to \(subjectKind) \"\(subjectName)\""
    }

    private func matchingSubject(_ binding: JSONValue, _ identity: Identity, bindingNamespace: String?) -> JSONValue? {
        (binding["subjects"]?.arrayValue ?? []).first { subject in
            subjectsMatch(["subjects": [subject]], identity, bindingNamespace: bindingNamespace)
        }
    }

    private func subjectsMatch(_ binding: JSONValue, _ identity: Identity, bindingNamespace: String?) -> Bool {
        (binding["subjects"]?.arrayValue ?? []).contains { subject in
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue {
            case "ServiceAccount":
                let namespace = subject["namespace"]?.stringValue ?? bindingNamespace ?? ""
                return identity.name == "system:serviceaccount:\(namespace):\(name)"
            case "User": return identity.name == name
            case "Group": return identity.groups.contains(name)
            default: return false
            }
        }
    }

    private func roleRules(_ roleRef: JSONValue?, namespace: String?) -> [JSONValue] {
        guard let name = roleRef?["name"]?.stringValue else { return [] }
        let rbac = "rbac.authorization.k8s.io"
        switch roleRef?["kind"]?.stringValue {
        case "Role":
            guard let namespace, let roles = type(group: rbac, plural: "roles") else { return [] }
            return stored(roles, namespace, name)?["rules"]?.arrayValue ?? []
        case "ClusterRole":
            guard let roles = type(group: rbac, plural: "clusterroles") else { return [] }
            return stored(roles, nil, name)?["rules"]?.arrayValue ?? []
        default:
            return []
        }
    }

    private func ruleAllows(_ rule: JSONValue, _ request: RequestAttributes) -> Bool {
        func list(_ key: String) -> [String] { rule[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let verbs = list("verbs")
        guard verbs.contains("*") || verbs.contains(request.verb) else { return false }
        let groups = list("apiGroups")
        guard groups.contains("*") || groups.contains(request.group) else { return false }
        let resources = list("resources")
        let resourceMatches = resources.contains { resource in
            if resource == "*" || resource == request.combinedResource { return true }
            if let sub = request.subresource, resource == "*/\(sub)" { return true }
            return false
        }
        guard resourceMatches else { return false }
        let names = list("resourceNames")
        if names.isEmpty { return true }
        guard let name = request.name, !name.isEmpty else { return false }
        return names.contains(name)
    }

    /// The API server's wording for a denied request.
    static func forbiddenReason(_ identity: Identity, _ request: RequestAttributes) -> String {
        if let namespace = request.namespace, !namespace.isEmpty {
            return "User \"\(identity.name)\" cannot \(request.verb) resource \"\(request.combinedResource)\" in API group \"\(request.group)\" in the namespace \"\(namespace)\""
        }
        return "User \"\(identity.name)\" cannot \(request.verb) resource \"\(request.combinedResource)\" in API group \"\(request.group)\" at the cluster scope"
    }

    // MARK: injected faults

    func addFault(_ fault: InjectedFault) { faults.append(fault) }

    func clearFaults() { faults.removeAll() }

    /// The first pending fault matching the request, consumed once.
    func takeFault(_ request: RequestAttributes) -> APIError? {
        guard let index = faults.firstIndex(where: { $0.matches(request) }) else { return nil }
        let error = faults[index].error(for: request)
        faults[index].remaining -= 1
        if faults[index].remaining <= 0 { faults.remove(at: index) }
        return error
    }
}
