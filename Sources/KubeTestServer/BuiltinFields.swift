import Kubernetes

/// The fields built-in kinds and `metadata` know. Like the API server, unknown fields are
/// dropped (reported as warnings, or rejected with `fieldValidation=Strict`). Only the
/// top level and `metadata` are checked; nested fields of built-in kinds are not.
enum BuiltinFields {
    static let objectMeta: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ]

    static let topLevel: [String: Set<String>] = [
        "/namespaces": ["spec", "status"],
        "/serviceaccounts": ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
        "/secrets": ["data", "stringData", "type", "immutable"],
        "/configmaps": ["data", "binaryData", "immutable"],
        "/events": ["involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type",
                    "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"],
        "events.k8s.io/events": ["eventTime", "series", "reportingController", "reportingInstance", "action", "reason", "regarding",
                                 "related", "note", "type", "deprecatedSource", "deprecatedFirstTimestamp",
                                 "deprecatedLastTimestamp", "deprecatedCount"],
        "coordination.k8s.io/leases": ["spec"],
        "rbac.authorization.k8s.io/roles": ["rules"],
        "rbac.authorization.k8s.io/clusterroles": ["rules", "aggregationRule"],
        "rbac.authorization.k8s.io/rolebindings": ["subjects", "roleRef"],
        "rbac.authorization.k8s.io/clusterrolebindings": ["subjects", "roleRef"],
        "apiextensions.k8s.io/customresourcedefinitions": ["spec", "status"],
        "admissionregistration.k8s.io/validatingwebhookconfigurations": ["webhooks"],
    ]

    /// Drops unknown top-level fields (built-ins) and unknown metadata fields (all kinds);
    /// returns the cleaned object and the dropped paths.
    static func prune(_ object: JSONValue, _ type: ResourceType) -> (JSONValue, [String]) {
        guard var members = object.objectValue else { return (object, []) }
        var dropped: [String] = []
        if !type.isCustom, let known = topLevel[type.storageKey] {
            for key in members.keys.sorted() where !known.contains(key) && !["apiVersion", "kind", "metadata"].contains(key) {
                members.removeValue(forKey: key)
                dropped.append(key)
            }
        }
        if var metadata = members["metadata"]?.objectValue {
            for key in metadata.keys.sorted() where !objectMeta.contains(key) {
                metadata.removeValue(forKey: key)
                dropped.append("metadata.\(key)")
            }
            members["metadata"] = .object(metadata)
        }
        return (.object(members), dropped)
    }
}
