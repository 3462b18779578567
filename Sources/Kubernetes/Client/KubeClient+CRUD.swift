import Foundation

extension KubeClient {
    /// `GET` one object (or one of its subresources, e.g. `"status"`).
    public func get(
        _ resource: GroupVersionResource, namespace: String? = nil, name: String, subresource: String? = nil
    ) async throws -> KubeObject {
        let target = resource.path(namespace: namespace, name: name, subresource: subresource)
        return KubeObject(json: try await performJSON(KubeRequest(.GET, target)))
    }

    /// `GET` a collection, following `continue` tokens when `options.limit` pages it.
    /// A `nil` namespace on a namespaced resource lists all namespaces.
    public func list(
        _ resource: GroupVersionResource, namespace: String? = nil, options: ListOptions = .init()
    ) async throws -> KubeList {
        var items: [KubeObject] = []
        var continueToken: String?
        while true {
            var query = options.selectorItems
            if let continueToken {
                query.append(("continue", continueToken))
            } else {
                if let rv = options.resourceVersion { query.append(("resourceVersion", rv)) }
                if let match = options.resourceVersionMatch { query.append(("resourceVersionMatch", match)) }
            }
            if let limit = options.limit { query.append(("limit", String(limit))) }
            let target = resource.path(namespace: namespace) + PathEncoding.query(query)
            let page = try await performJSON(KubeRequest(.GET, target))
            let apiVersion = page["apiVersion"]?.stringValue ?? resource.apiVersion
            let kind = page["kind"]?.stringValue.flatMap { $0.hasSuffix("List") ? String($0.dropLast(4)) : nil }
            for item in page["items"]?.arrayValue ?? [] {
                var object = KubeObject(json: item)
                if object.apiVersion == nil { object.apiVersion = apiVersion }
                if object.kind == nil, let kind { object.kind = kind }
                items.append(object)
            }
            let next = page[path: "metadata", "continue"]?.stringValue ?? ""
            if next.isEmpty {
                return KubeList(items: items, resourceVersion: page[path: "metadata", "resourceVersion"]?.stringValue ?? "")
            }
            continueToken = next
        }
    }

    /// `POST` a new object into `namespace` (default: the object's own namespace).
    /// Throws `KubeError` with `isAlreadyExists` when the name is taken.
    public func create(
        _ resource: GroupVersionResource, _ object: KubeObject, namespace: String? = nil, fieldManager: String? = nil
    ) async throws -> KubeObject {
        let target = resource.path(namespace: namespace ?? object.namespace) + fieldManagerQuery(fieldManager)
        return KubeObject(json: try await performJSON(KubeRequest(.POST, target, body: try object.json.jsonData())))
    }

    /// `PUT` the whole object (or its `subresource`). Send the `resourceVersion` you read;
    /// a concurrent change then fails with `KubeError.isConflict`.
    public func update(
        _ resource: GroupVersionResource, _ object: KubeObject, subresource: String? = nil, fieldManager: String? = nil
    ) async throws -> KubeObject {
        let target =
            resource.path(namespace: object.namespace, name: object.name, subresource: subresource)
            + fieldManagerQuery(fieldManager)
        return KubeObject(json: try await performJSON(KubeRequest(.PUT, target, body: try object.json.jsonData())))
    }

    /// `PATCH` an object (or its `subresource`); JSON merge patch by default.
    /// Server-side apply (`.apply`) requires `fieldManager`; `force` takes conflicting fields over.
    public func patch(
        _ resource: GroupVersionResource, namespace: String? = nil, name: String, patch: JSONValue,
        type: PatchType = .merge, subresource: String? = nil, fieldManager: String? = nil, force: Bool = false
    ) async throws -> KubeObject {
        var query: [(String, String)] = []
        if let fieldManager { query.append(("fieldManager", fieldManager)) }
        if force { query.append(("force", "true")) }
        let target = resource.path(namespace: namespace, name: name, subresource: subresource) + PathEncoding.query(query)
        let request = KubeRequest(
            .PATCH, target, body: try patch.jsonData(), contentType: type.rawValue, idempotent: type.idempotent)
        return KubeObject(json: try await performJSON(request))
    }

    /// `DELETE` an object. Returns what the server answers: the object while finalizers
    /// hold it, else a `Status`.
    @discardableResult
    public func delete(
        _ resource: GroupVersionResource, namespace: String? = nil, name: String, options: DeleteOptions = .init()
    ) async throws -> KubeObject {
        let target = resource.path(namespace: namespace, name: name)
        let body = try options.body?.jsonData()
        return KubeObject(json: try await performJSON(KubeRequest(.DELETE, target, body: body)))
    }

    /// `GET .../{name}/status`.
    public func getStatus(_ resource: GroupVersionResource, namespace: String? = nil, name: String) async throws -> KubeObject {
        try await get(resource, namespace: namespace, name: name, subresource: "status")
    }

    /// `PUT .../{name}/status`: only `status` changes; send the `resourceVersion` you read.
    public func updateStatus(_ resource: GroupVersionResource, _ object: KubeObject, fieldManager: String? = nil) async throws
        -> KubeObject
    {
        try await update(resource, object, subresource: "status", fieldManager: fieldManager)
    }

    /// `PATCH .../{name}/status` with a merge patch such as `["status": ["ready": true]]`.
    public func patchStatus(
        _ resource: GroupVersionResource, namespace: String? = nil, name: String, patch: JSONValue,
        type: PatchType = .merge, fieldManager: String? = nil
    ) async throws -> KubeObject {
        try await self.patch(
            resource, namespace: namespace, name: name, patch: patch, type: type, subresource: "status",
            fieldManager: fieldManager)
    }

    private func fieldManagerQuery(_ fieldManager: String?) -> String {
        fieldManager.map { PathEncoding.query([("fieldManager", $0)]) } ?? ""
    }
}
