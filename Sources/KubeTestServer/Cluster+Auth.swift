import Foundation

/// Who is calling: the admin (full access) or a ServiceAccount (subject to RBAC).
struct Identity: Sendable {
    var name: String
    var groups: [String]
    var isAdmin: Bool

    /// The identity an admin request impersonates (`kubectl --as`, `--as-group`).
    static func impersonated(_ user: String, groups: [String]) -> Identity {
        var all = groups
        let parts = user.split(separator: ":")
        if parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" {
            all += ["system:serviceaccounts", "system:serviceaccounts:\(parts[2])"]
        }
        all.append("system:authenticated")
        return Identity(name: user, groups: all, isAdmin: all.contains("system:masters"))
    }
}

/// A token minted by TokenRequest.
struct TokenRecord: Sendable {
    var namespace: String
    var serviceAccount: String
    var serviceAccountUID: String
    var expires: Date
}

/// What a request asks to do, for authorization and fault matching.
struct RequestAttributes: Sendable {
    var verb: String
    var group: String
    var resource: String
    var subresource: String?
    var namespace: String?
    var name: String?

    /// `resource` or `resource/subresource`.
    var combinedResource: String { subresource.map { "\(resource)/\($0)" } ?? resource }
}

extension Cluster {
    // MARK: authentication

    func authenticate(_ token: String?) -> Identity? {
        let admin = Identity(name: "kubernetes-admin", groups: ["system:masters", "system:authenticated"], isAdmin: true)
        guard let token, !token.isEmpty else { return anonymousIsAdmin ? admin : nil }
        if token == adminToken { return admin }
        guard let record = tokens[token], record.expires > Date(),
              let saType = type(group: "", plural: "serviceaccounts"),
              stored(saType, record.namespace, record.serviceAccount)?[path: ["metadata", "uid"]]?.stringValue == record.serviceAccountUID
        else { return nil }
        return Identity(name: "system:serviceaccount:\(record.namespace):\(record.serviceAccount)",
                        groups: ["system:serviceaccounts", "system:serviceaccounts:\(record.namespace)", "system:authenticated"],
                        isAdmin: false)
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
        let claims: JSONValue = [
            "aud": .array(audiences), "exp": .int(Int64(expires.timeIntervalSince1970)), "iat": .int(Int64(now.timeIntervalSince1970)),
            "iss": "https://kubernetes.default.svc.cluster.local", "sub": .string("system:serviceaccount:\(namespace):\(serviceAccount)"),
            "kubernetes.io": ["namespace": .string(namespace), "serviceaccount": ["name": .string(serviceAccount), "uid": .string(uid)]],
        ]
        let header: JSONValue = ["alg": "RS256", "kid": "kube-test-server"]
        let signature = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        let token = [Cluster.base64URL(header.encoded()), Cluster.base64URL(claims.encoded()), Cluster.base64URL(signature)]
            .joined(separator: ".")
        tokens[token] = TokenRecord(namespace: namespace, serviceAccount: serviceAccount, serviceAccountUID: uid, expires: expires)
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
        if identity.isAdmin { return true }
        let rbac = "rbac.authorization.k8s.io"
        var rules: [JSONValue] = []
        if let namespace = request.namespace, let bindings = type(group: rbac, plural: "rolebindings") {
            for (key, binding) in objects[bindings.storageKey] ?? [:] where key.hasPrefix(namespace + "/") {
                guard subjectsMatch(binding, identity, bindingNamespace: namespace) else { continue }
                rules += roleRules(binding["roleRef"], namespace: namespace)
            }
        }
        if let bindings = type(group: rbac, plural: "clusterrolebindings") {
            for binding in (objects[bindings.storageKey] ?? [:]).values where subjectsMatch(binding, identity, bindingNamespace: nil) {
                rules += roleRules(binding["roleRef"], namespace: nil)
            }
        }
        return rules.contains { ruleAllows($0, request) }
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
