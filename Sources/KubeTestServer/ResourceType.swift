import Kubernetes

/// A served resource: one (group, version, plural) with its kind and behaviour.
struct ResourceType: Sendable, Equatable {
    /// API group; empty for the core group.
    var group: String
    /// API version within the group.
    var version: String
    /// Plural name used in URLs.
    var plural: String
    /// Singular name.
    var singular: String
    /// Kind of the objects.
    var kind: String
    /// Whether objects live in namespaces.
    var namespaced: Bool
    /// Short names for kubectl.
    var shortNames: [String] = []
    /// Categories such as `all`.
    var categories: [String] = []
    /// Whether a `status` subresource exists (main writes then ignore status).
    var hasStatus: Bool = false
    /// Whether `metadata.generation` is maintained (custom resources, CRDs).
    var tracksGeneration: Bool = false
    /// The structural schema of a custom resource version (`openAPIV3Schema`).
    var schema: JSONValue? = nil
    /// `additionalPrinterColumns` of a custom resource version.
    var printerColumns: [JSONValue] = []
    /// Whether this resource comes from a CustomResourceDefinition.
    var isCustom: Bool = false

    /// `group/version`, or `v1` for the core group.
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// The key objects are stored under: all versions of a resource share storage.
    var storageKey: String { "\(group)/\(plural)" }
    /// The group-qualified resource for messages.
    var groupResource: GroupResource { GroupResource(group: group, resource: plural) }

    /// Verbs served for the main resource.
    var verbs: [String] {
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }
}

extension ResourceType {
    /// The built-in resources this server implements.
    static let builtins: [ResourceType] = [
        ResourceType(group: "", version: "v1", plural: "namespaces", singular: "namespace", kind: "Namespace",
                     namespaced: false, shortNames: ["ns"], hasStatus: true),
        ResourceType(group: "", version: "v1", plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount",
                     namespaced: true, shortNames: ["sa"]),
        ResourceType(group: "", version: "v1", plural: "secrets", singular: "secret", kind: "Secret", namespaced: true),
        ResourceType(group: "", version: "v1", plural: "configmaps", singular: "configmap", kind: "ConfigMap",
                     namespaced: true, shortNames: ["cm"]),
        ResourceType(group: "", version: "v1", plural: "events", singular: "event", kind: "Event",
                     namespaced: true, shortNames: ["ev"]),
        ResourceType(group: "events.k8s.io", version: "v1", plural: "events", singular: "event", kind: "Event",
                     namespaced: true, shortNames: ["ev"]),
        ResourceType(group: "coordination.k8s.io", version: "v1", plural: "leases", singular: "lease", kind: "Lease",
                     namespaced: true),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", singular: "role", kind: "Role",
                     namespaced: true),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "rolebindings", singular: "rolebinding",
                     kind: "RoleBinding", namespaced: true),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles", singular: "clusterrole",
                     kind: "ClusterRole", namespaced: false),
        ResourceType(group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterrolebindings",
                     singular: "clusterrolebinding", kind: "ClusterRoleBinding", namespaced: false),
        ResourceType(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
                     singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
                     shortNames: ["crd", "crds"], hasStatus: true, tracksGeneration: true),
        ResourceType(group: "admissionregistration.k8s.io", version: "v1", plural: "validatingwebhookconfigurations",
                     singular: "validatingwebhookconfiguration", kind: "ValidatingWebhookConfiguration", namespaced: false,
                     tracksGeneration: true),
    ]

    /// Resource types declared by a CustomResourceDefinition object, one per served version.
    static func fromCRD(_ crd: JSONValue) -> [ResourceType] {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
              let names = spec["names"], let plural = names["plural"]?.stringValue,
              let kind = names["kind"]?.stringValue
        else { return [] }
        let singular = names["singular"]?.stringValue ?? kind.lowercased()
        let shortNames = names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let categories = names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let namespaced = spec["scope"]?.stringValue != "Cluster"
        return (spec["versions"]?.arrayValue ?? []).compactMap { version in
            guard let name = version["name"]?.stringValue, version["served"]?.boolValue ?? true else { return nil }
            return ResourceType(
                group: group, version: name, plural: plural, singular: singular, kind: kind, namespaced: namespaced,
                shortNames: shortNames, categories: categories,
                hasStatus: version[path: ["subresources", "status"]] != nil, tracksGeneration: true,
                schema: version[path: ["schema", "openAPIV3Schema"]],
                printerColumns: version["additionalPrinterColumns"]?.arrayValue ?? [], isCustom: true)
        }
    }
}

/// Subresources served beside the main resources: (group, plural, subresource, kind, verbs).
struct Subresource: Sendable {
    var group: String
    var plural: String
    var name: String
    var kind: String
    var verbs: [String]

    static let builtins: [Subresource] = [
        Subresource(group: "", plural: "namespaces", name: "status", kind: "Namespace", verbs: ["get", "patch", "update"]),
        Subresource(group: "", plural: "serviceaccounts", name: "token", kind: "TokenRequest", verbs: ["create"]),
        Subresource(group: "apiextensions.k8s.io", plural: "customresourcedefinitions", name: "status",
                    kind: "CustomResourceDefinition", verbs: ["get", "patch", "update"]),
    ]
}
