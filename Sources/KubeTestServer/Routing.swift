import Kubernetes

/// Where a request path leads.
enum Route {
    /// A fixed document (discovery, version, health).
    case document(JSONValue)
    /// Plain-text health answer.
    case health
    /// An object, collection or subresource of a served resource.
    case resource(ResourceType, namespace: String?, name: String?, subresource: String?)
    /// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`.
    case selfSubjectAccessReview
    /// `POST /apis/authentication.k8s.io/v1/tokenreviews`.
    case tokenReview
    /// `POST /apis/authorization.k8s.io/v1/subjectaccessreviews`.
    case subjectAccessReview
    /// Nothing is served there.
    case notFound

    /// Whether this is ``tokenReview``.
    var isTokenReview: Bool {
        if case .tokenReview = self { return true }
        return false
    }

    /// Whether the route needs no authentication (as `system:public-info-viewer` allows).
    var isPublic: Bool {
        switch self {
        case .health: return true
        default: return false
        }
    }
}

extension Cluster {
    /// Resolves a request path against the served resources.
    func route(_ path: String, serverAddress: String) -> Route {
        let segments = path.split(separator: "/").map(String.init)
        let discovery = Discovery(types: types, serverAddress: serverAddress)
        guard let first = segments.first else {
            return .document(["paths": ["/api", "/api/v1", "/apis", "/version", "/healthz", "/livez", "/readyz"]])
        }
        let group: String
        let version: String
        var rest: ArraySlice<String>
        switch first {
        case "version" where segments.count == 1:
            return .document(Discovery.version)
        case "healthz", "livez", "readyz":
            return .health
        case "openapi" where segments.count >= 2 && segments[1] == "v3":
            return OpenAPIDocuments(types: types).document(segments: segments.dropFirst(2)).map(Route.document) ?? .notFound
        case "api":
            if segments.count == 1 { return .document(discovery.coreVersions) }
            guard segments[1] == "v1" else { return .notFound }
            (group, version, rest) = ("", "v1", segments.dropFirst(2))
        case "apis":
            if segments.count == 1 { return .document(discovery.groupList) }
            if segments.count == 2 { return discovery.group(segments[1]).map(Route.document) ?? .notFound }
            (group, version, rest) = (segments[1], segments[2], segments.dropFirst(3))
        default:
            return .notFound
        }
        if rest.isEmpty {
            return discovery.resourceList(group: group, version: version).map(Route.document) ?? .notFound
        }
        if group == "authorization.k8s.io" && version == "v1" && Array(rest) == ["selfsubjectaccessreviews"] {
            return .selfSubjectAccessReview
        }
        if group == "authorization.k8s.io" && version == "v1" && Array(rest) == ["subjectaccessreviews"] {
            return .subjectAccessReview
        }
        if group == "authentication.k8s.io" && version == "v1" && Array(rest) == ["tokenreviews"] {
            return .tokenReview
        }
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3,
           let inner = type(group: group, version: version, plural: rest[rest.startIndex + 2]), inner.namespaced {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        guard rest.count <= 3, let resource = type(group: group, version: version, plural: rest[rest.startIndex]) else {
            return .notFound
        }
        let name = rest.count > 1 ? rest[rest.startIndex + 1] : nil
        let subresource = rest.count > 2 ? rest[rest.startIndex + 2] : nil
        if resource.namespaced != (namespace != nil) && name != nil { return .notFound }
        if !resource.namespaced && namespace != nil { return .notFound }
        if let subresource {
            let known = (subresource == "status" && resource.hasStatus)
                || Subresource.builtins.contains { $0.group == group && $0.plural == resource.plural && $0.name == subresource }
            if !known { return .notFound }
        }
        return .resource(resource, namespace: namespace, name: name, subresource: subresource)
    }
}
