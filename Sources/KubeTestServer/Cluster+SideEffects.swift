import Kubernetes
import Foundation

/// What the controllers of a real cluster would do right after a write: namespaces get
/// a `default` ServiceAccount and a phase, CRDs register their resources and become
/// Established, deleting a namespace or CRD deletes what lives in it.
extension Cluster {
    func afterCreate(_ type: ResourceType, _ object: JSONValue) {
        switch (type.group, type.plural) {
        case ("", "namespaces"):
            let namespace = object[path: ["metadata", "name"]]?.stringValue ?? ""
            if let sa = self.type(group: "", plural: "serviceaccounts") {
                _ = try? create(sa, namespace: namespace,
                                body: ["metadata": ["name": "default", "namespace": .string(namespace)]], options: WriteOptions())
            }
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            registerCRD(object)
        default:
            break
        }
    }

    func afterUpdate(_ type: ResourceType, _ object: JSONValue) {
        if type.plural == "customresourcedefinitions" { registerCRD(object) }
    }

    func afterDelete(_ type: ResourceType, _ object: JSONValue) {
        switch (type.group, type.plural) {
        case ("", "namespaces"):
            let namespace = object[path: ["metadata", "name"]]?.stringValue ?? ""
            for resource in types where resource.namespaced {
                for (key, item) in objects[resource.storageKey] ?? [:] where key.hasPrefix(namespace + "/") {
                    remove(resource, item, final: item)
                }
            }
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            let declared = ResourceType.fromCRD(object)
            guard let first = declared.first else { return }
            for (_, item) in objects[first.storageKey] ?? [:] { remove(first, item, final: item) }
            types.removeAll { $0.isCustom && $0.storageKey == first.storageKey }
            for (id, watcher) in watchers where watcher.type.storageKey == first.storageKey { closeWatch(id) }
        default:
            break
        }
    }

    private func registerCRD(_ crd: JSONValue) {
        let declared = ResourceType.fromCRD(crd)
        guard let first = declared.first else { return }
        types.removeAll { $0.isCustom && $0.storageKey == first.storageKey }
        types.append(contentsOf: declared)
    }

    /// Checks and completes a CRD the way the apiextensions server does: the name must be
    /// `plural.group`, names are defaulted, and status reports Established.
    func admitCRD(_ crd: JSONValue) throws -> JSONValue {
        var object = crd
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let group = object[path: ["spec", "group"]]?.stringValue ?? ""
        let plural = object[path: ["spec", "names", "plural"]]?.stringValue ?? ""
        let kind = object[path: ["spec", "names", "kind"]]?.stringValue ?? ""
        var causes: [FieldError] = []
        if group.isEmpty { causes.append(.required("spec.group")) }
        if plural.isEmpty { causes.append(.required("spec.names.plural")) }
        if kind.isEmpty { causes.append(.required("spec.names.kind")) }
        if !group.isEmpty && !plural.isEmpty && name != "\(plural).\(group)" {
            causes.append(.invalid("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        let versions = object[path: ["spec", "versions"]]?.arrayValue ?? []
        if versions.isEmpty { causes.append(.required("spec.versions")) }
        if versions.filter({ $0["storage"]?.boolValue == true }).count != 1 && !versions.isEmpty {
            causes.append(.invalid("spec.versions", .array(versions), "must have exactly one version marked as storage version"))
        }
        let scope = object[path: ["spec", "scope"]]?.stringValue ?? ""
        if scope != "Namespaced" && scope != "Cluster" {
            causes.append(.notSupported("spec.scope", .string(scope), ["Cluster", "Namespaced"]))
        }
        if !causes.isEmpty {
            throw APIError.invalid(kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", name: name, causes: causes)
        }
        var names = object[path: ["spec", "names"]]?.objectValue ?? [:]
        if names["singular"] == nil { names["singular"] = .string(kind.lowercased()) }
        if names["listKind"] == nil { names["listKind"] = .string(kind + "List") }
        object[path: ["spec", "names"]] = .object(names)
        if object[path: ["spec", "conversion"]] == nil { object[path: ["spec", "conversion"]] = ["strategy": "None"] }
        let now = object[path: ["status", "conditions"]]?.arrayValue?.first?["lastTransitionTime"] ?? .string(kubeTimestamp())
        let storage = versions.first { $0["storage"]?.boolValue == true }?["name"] ?? .null
        object["status"] = [
            "acceptedNames": .object(names),
            "storedVersions": [storage],
            "conditions": [
                ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found",
                 "lastTransitionTime": now],
                ["type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted", "lastTransitionTime": now],
            ],
        ]
        return object
    }
}
