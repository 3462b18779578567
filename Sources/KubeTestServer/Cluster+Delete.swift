import Kubernetes
import Foundation

/// Deletion: finalizers, preconditions, garbage collection of dependents.
extension Cluster {
    // MARK: delete

    /// DELETE: marks objects with finalizers as terminating, removes the others.
    func delete(_ type: ResourceType, namespace: String?, name: String, options: JSONValue?, dryRun: Bool) throws -> JSONValue {
        guard let existing = stored(type, namespace, name) else { throw APIError.notFound(type.groupResource, name) }
        if let uid = options?[path: ["preconditions", "uid"]]?.stringValue,
           uid != existing[path: ["metadata", "uid"]]?.stringValue {
            throw APIError.conflict(type.groupResource, name,
                                    because: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(existing[path: ["metadata", "uid"]]?.stringValue ?? "")")
        }
        if let rv = options?[path: ["preconditions", "resourceVersion"]]?.stringValue,
           rv != existing[path: ["metadata", "resourceVersion"]]?.stringValue {
            throw APIError.conflict(type.groupResource, name)
        }
        if dryRun { return present(existing, type) }
        let orphan = options?["propagationPolicy"] == "Orphan" || options?["orphanDependents"] == true
        let finalizers = existing[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        if !finalizers.isEmpty {
            if existing[path: ["metadata", "deletionTimestamp"]] != nil { return present(existing, type) }
            var object = existing
            object[path: ["metadata", "deletionTimestamp"]] = .string(kubeTimestamp())
            object[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
            object[path: ["metadata", "resourceVersion"]] = .string(String(nextResourceVersion()))
            objects[type.storageKey]?[Cluster.key(type.namespaced ? namespace : nil, name)] = object
            record(type, "MODIFIED", object, old: existing)
            return present(object, type)
        }
        return present(remove(type, existing, final: existing, collectDependents: !orphan), type)
    }

    /// Removes an object for good and records DELETED; returns the final object.
    @discardableResult
    func remove(_ type: ResourceType, _ existing: JSONValue, final: JSONValue, collectDependents: Bool = true) -> JSONValue {
        let namespace = existing[path: ["metadata", "namespace"]]?.stringValue
        let name = existing[path: ["metadata", "name"]]?.stringValue ?? ""
        var object = final
        object[path: ["metadata", "resourceVersion"]] = .string(String(nextResourceVersion()))
        objects[type.storageKey]?.removeValue(forKey: Cluster.key(type.namespaced ? namespace : nil, name))
        record(type, "DELETED", object, old: existing)
        afterDelete(type, object)
        if collectDependents, let uid = object[path: ["metadata", "uid"]]?.stringValue { collectGarbage(owner: uid) }
        return object
    }

    /// Background garbage collection: deletes objects whose only owners are gone.
    private func collectGarbage(owner uid: String) {
        let live = Set(objects.values.flatMap(\.values).compactMap { $0[path: ["metadata", "uid"]]?.stringValue })
        for resource in types {
            for item in (objects[resource.storageKey] ?? [:]).values {
                let owners = (item[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
                guard owners.contains(uid), !owners.contains(where: live.contains) else { continue }
                _ = try? delete(resource, namespace: item[path: ["metadata", "namespace"]]?.stringValue,
                                name: item[path: ["metadata", "name"]]?.stringValue ?? "", options: nil, dryRun: false)
            }
        }
    }

    /// DELETE on a collection: deletes every matching object.
    func deleteCollection(_ type: ResourceType, filter: ListFilter) throws -> JSONValue {
        let list = try list(type, filter: filter)
        var deleted: [JSONValue] = []
        for item in list["items"]?.arrayValue ?? [] {
            let name = item[path: ["metadata", "name"]]?.stringValue ?? ""
            deleted.append(try delete(type, namespace: item[path: ["metadata", "namespace"]]?.stringValue, name: name,
                                      options: nil, dryRun: false))
        }
        var result = list
        result["items"] = .array(deleted)
        return result
    }
}
