import Kubernetes
import Logging

/// The start-up check of the operator's own footing: are its CRDs served, and may
/// its identity do what it needs (SelfSubjectAccessReviews)? Each missing piece is
/// logged once, as an error naming the CRD or the verb and resource; the check is
/// repeated until nothing is missing, and the recovery is logged too.
public struct OperatorPreflight: Sendable {
    /// One thing the operator's identity must be allowed to do.
    struct Permission: Sendable {
        let resource: GroupVersionResource
        let subresource: String?
        let verbs: [String]
    }

    static let permissions: [Permission] = [
        Permission(resource: .jsonnetSnippets, subresource: nil, verbs: ["get", "list", "watch", "patch"]),
        Permission(resource: .jsonnetSnippets, subresource: "status", verbs: ["update"]),
        Permission(resource: .jsonnetLibraries, subresource: nil, verbs: ["get", "list", "watch"]),
        Permission(resource: .externalArtifacts, subresource: nil, verbs: ["get", "list", "watch"]),
        Permission(resource: .serviceAccounts, subresource: "token", verbs: ["create"]),
        Permission(resource: .events, subresource: nil, verbs: ["create"]),
    ]

    /// The CRDs without which the operator cannot work.
    static let requiredResources: [(kind: String, resource: GroupVersionResource)] = [
        ("JsonnetSnippet", .jsonnetSnippets), ("JsonnetLibrary", .jsonnetLibraries), ("ExternalArtifact", .externalArtifacts),
    ]

    /// The client.
    public let client: KubeClient
    /// A watched namespace to check namespaced permissions in (nil: cluster-wide).
    public let namespace: String?
    /// The logger.
    public let logger: Logger
    /// Time between checks while something is missing.
    public let retryInterval: Duration

    /// Creates one from the given values.
    public init(client: KubeClient, namespace: String?, logger: Logger, retryInterval: Duration = .seconds(30)) {
        self.client = client
        self.namespace = namespace
        self.logger = logger
        self.retryInterval = retryInterval
    }

    /// Checks until nothing is missing or the task is cancelled.
    public func run() async {
        var reported = Set<String>()
        while !Task.isCancelled {
            let missing = await problems()
            // Cancelled (shutdown): the checks failed for that reason, not because all is well.
            if Task.isCancelled { return }
            for problem in missing.sorted() where !reported.contains(problem) {
                logger.error("operator start-up check: \(problem)")
            }
            reported.formUnion(missing)
            if missing.isEmpty {
                if !reported.isEmpty { logger.info("operator start-up check: every CRD and permission is now in place") }
                return
            }
            try? await Task.sleep(for: retryInterval)
        }
    }

    /// What is missing now, one sentence each.
    public func problems() async -> Set<String> {
        var missing = Set<String>()
        for (kind, resource) in Self.requiredResources {
            do {
                _ = try await client.list(resource, namespace: namespace, options: ListOptions(limit: 1))
            } catch let e as KubeError where e.code == 404 {
                missing.insert("the \(kind) CRD (\(resource)) is not installed")
            } catch {
                // Forbidden and transient errors: the access reviews below say more.
            }
        }
        for permission in Self.permissions {
            for verb in permission.verbs {
                let target = permission.subresource.map { "\(permission.resource)/\($0)" } ?? "\(permission.resource)"
                switch await allowed(verb, permission) {
                case false?:
                    missing.insert("the operator's identity may not \(verb) \(target)"
                                   + (namespace.map { " in namespace \($0)" } ?? " cluster-wide"))
                case true?, nil:
                    break
                }
            }
        }
        return missing
    }

    /// A SelfSubjectAccessReview's answer; nil when the review itself failed.
    private func allowed(_ verb: String, _ permission: Permission) async -> Bool? {
        var attributes: [String: JSONValue] = [
            "verb": .string(verb), "group": .string(permission.resource.group),
            "version": .string(permission.resource.version), "resource": .string(permission.resource.resource),
        ]
        if let subresource = permission.subresource { attributes["subresource"] = .string(subresource) }
        if let namespace { attributes["namespace"] = .string(namespace) }
        var review = KubeObject(apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", name: "")
        review["metadata"] = [:]
        review["spec"] = ["resourceAttributes": .object(attributes)]
        let reviews = GroupVersionResource(group: "authorization.k8s.io", version: "v1",
                                           resource: "selfsubjectaccessreviews", namespaced: false)
        guard let answer = try? await client.create(reviews, review) else { return nil }
        return answer[path: "status", "allowed"]?.boolValue ?? false
    }
}
