import Foundation
import Kubernetes

/// Options of a write call taken from its query string.
struct WriteOptions: Sendable {
    /// `dryRun=All`: validate and answer, but store nothing.
    var dryRun = false
    /// `fieldValidation`: `Strict` rejects unknown fields, `Warn` reports them, else they are pruned silently.
    var fieldValidation = "Warn"
}

/// The outcome of a write: the object served back and any `Warning` headers.
struct WriteResult: Sendable {
    var object: JSONValue
    var created = false
    var warnings: [String] = []
}

/// The cluster state: every object, the global resourceVersion counter, the event
/// log that watches replay, open watches, minted tokens and injected faults.
actor Cluster {
    /// All served resource types (built-ins plus those CRDs declare).
    var types: [ResourceType] = ResourceType.builtins
    /// storageKey → "namespace/name" → object.
    var objects: [String: [String: JSONValue]] = [:]
    /// The last resourceVersion handed out.
    var resourceVersion = 0
    /// Watch events, oldest first (bounded by `watchHistoryLimit`).
    var eventLog: [WatchEventRecord] = []
    /// Events with resourceVersion ≤ this were dropped from the log.
    var droppedThrough = 0
    /// Per storage key: watches starting below this resourceVersion get 410 Gone.
    var expiredBelow: [String: Int] = [:]
    /// How many events the log keeps.
    var watchHistoryLimit: Int
    var watchers: [UUID: Watcher] = [:]
    var tokens: [String: TokenRecord] = [:]
    var faults: [InjectedFault] = []
    let adminToken: String
    let anonymousIsAdmin: Bool

    init(adminToken: String, watchHistoryLimit: Int, anonymousIsAdmin: Bool) {
        self.adminToken = adminToken
        self.anonymousIsAdmin = anonymousIsAdmin
        self.watchHistoryLimit = watchHistoryLimit
    }

    /// Creates the namespaces every cluster starts with.
    func seed() {
        for namespace in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try? create(type(group: "", plural: "namespaces")!, namespace: nil,
                            body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]],
                            options: WriteOptions())
        }
    }

    // MARK: lookup

    func type(group: String, plural: String) -> ResourceType? {
        types.first { $0.group == group && $0.plural == plural }
    }

    func type(group: String, version: String, plural: String) -> ResourceType? {
        types.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    func allTypes() -> [ResourceType] { types }

    static func key(_ namespace: String?, _ name: String) -> String { "\(namespace ?? "")/\(name)" }

    func stored(_ type: ResourceType, _ namespace: String?, _ name: String) -> JSONValue? {
        objects[type.storageKey]?[Cluster.key(type.namespaced ? namespace : nil, name)]
    }

    /// The object as served at `type`'s version.
    func present(_ object: JSONValue, _ type: ResourceType) -> JSONValue {
        var copy = object
        copy["apiVersion"] = .string(type.apiVersion)
        copy["kind"] = .string(type.kind)
        return copy
    }

    func nextResourceVersion() -> Int {
        resourceVersion += 1
        return resourceVersion
    }

    // MARK: reads

    func get(_ type: ResourceType, namespace: String?, name: String) throws -> JSONValue {
        guard let object = stored(type, namespace, name) else { throw APIError.notFound(type.groupResource, name) }
        return present(object, type)
    }

    /// Lists matching objects in namespace/name order. With `limit`, returns one page and a
    /// `continue` token (the last key and the list's resourceVersion, base64-encoded).
    func list(_ type: ResourceType, filter: ListFilter, limit: Int? = nil, continueToken: String? = nil) throws -> JSONValue {
        var entries = (objects[type.storageKey] ?? [:]).sorted { $0.key < $1.key }.filter { filter.matches($0.value) }
        var listVersion = resourceVersion
        if let continueToken, !continueToken.isEmpty {
            guard let data = Data(base64Encoded: continueToken), let token = try? JSONValue.parse(data),
                  let after = token["start"]?.stringValue, let version = token["rv"]?.intValue
            else { throw APIError.badRequest("continue key is not valid: \(continueToken)") }
            entries = entries.filter { $0.key > after }
            listVersion = Int(version)
        }
        var metadata: JSONValue = ["resourceVersion": .string(String(listVersion))]
        if let limit, limit > 0, entries.count > limit {
            let remaining = entries.count - limit
            entries = Array(entries.prefix(limit))
            let token: JSONValue = ["start": .string(entries.last?.key ?? ""), "rv": .int(Int64(listVersion))]
            metadata["continue"] = .string(token.encoded().base64EncodedString())
            metadata["remainingItemCount"] = .int(Int64(remaining))
        }
        return [
            "apiVersion": .string(type.apiVersion), "kind": .string(type.kind + "List"),
            "metadata": metadata, "items": .array(entries.map { present($0.value, type) }),
        ]
    }

    // MARK: create

    func create(_ type: ResourceType, namespace: String?, body: JSONValue, options: WriteOptions) throws -> WriteResult {
        guard case .object = body else { throw APIError.badRequest("the body of the request must be a JSON object") }
        var object = body
        try checkKind(object, type)
        object["apiVersion"] = .string(type.apiVersion)
        object["kind"] = .string(type.kind)
        var metadata = object["metadata"]?.objectValue ?? [:]
        var name = metadata["name"]?.stringValue ?? ""
        if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
            let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
            name = prefix + String((0..<5).map { _ in alphabet.randomElement()! })
        }
        if name.isEmpty {
            throw APIError.invalid(kind: type.kind, group: type.group, name: "",
                                   causes: [FieldError(reason: "FieldValueRequired", field: "metadata.name",
                                                       causeMessage: "Required value: name or generateName is required")])
        }
        try validateName(name, type)
        metadata["name"] = .string(name)
        if type.namespaced {
            let bodyNamespace = metadata["namespace"]?.stringValue ?? ""
            if let namespace, !bodyNamespace.isEmpty, bodyNamespace != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            guard let effective = namespace ?? (bodyNamespace.isEmpty ? nil : bodyNamespace) else {
                throw APIError.badRequest("the server could not find the requested resource")
            }
            metadata["namespace"] = .string(effective)
            if self.type(group: "", plural: "namespaces").flatMap({ stored($0, nil, effective) }) == nil {
                throw APIError.notFound(GroupResource(group: "", resource: "namespaces"), effective)
            }
        } else {
            metadata.removeValue(forKey: "namespace")
        }
        let namespaceKey = type.namespaced ? metadata["namespace"]?.stringValue : nil
        if stored(type, namespaceKey, name) != nil { throw APIError.alreadyExists(type.groupResource, name) }
        for field in ["uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                      "generation", "managedFields", "selfLink"] {
            metadata.removeValue(forKey: field)
        }
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(kubeTimestamp())
        if type.tracksGeneration { metadata["generation"] = 1 }
        object["metadata"] = .object(metadata)
        if type.hasStatus && type.isCustom { object["status"] = nil }
        if type.group.isEmpty && type.plural == "namespaces" {
            object["status"] = ["phase": "Active"]
            object[path: ["spec", "finalizers"]] = ["kubernetes"]
        }
        var result = WriteResult(object: object, created: true)
        object = try admit(type, object, options: options, warnings: &result.warnings)
        if options.dryRun {
            result.object = present(object, type)
            return result
        }
        let rv = nextResourceVersion()
        object[path: ["metadata", "resourceVersion"]] = .string(String(rv))
        objects[type.storageKey, default: [:]][Cluster.key(namespaceKey, name)] = object
        record(type, "ADDED", object, old: nil)
        afterCreate(type, object)
        result.object = present(objects[type.storageKey]?[Cluster.key(namespaceKey, name)] ?? object, type)
        return result
    }

    private func checkKind(_ object: JSONValue, _ type: ResourceType) throws {
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != type.kind {
            throw APIError.badRequest("the kind of the object (\(kind)) does not match the expected kind (\(type.kind))")
        }
        if let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty,
           !types.contains(where: { $0.apiVersion == apiVersion && $0.plural == type.plural }) {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(type.apiVersion))")
        }
    }

    private func validateName(_ name: String, _ type: ResourceType) throws {
        if type.group.isEmpty && type.plural == "namespaces",
           name.count > 63 || name.range(of: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression) == nil {
            throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: [
                .invalid("metadata.name", .string(name),
                         "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
            ])
        }
        if !KubeObject.isName(name) {
            throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: [
                .invalid("metadata.name", .string(name),
                         "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
            ])
        }
    }

    /// Schema pruning, defaulting and validation for custom resources; CRD checks.
    private func admit(_ type: ResourceType, _ object: JSONValue, options: WriteOptions, warnings: inout [String]) throws -> JSONValue {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        var (object, pruned) = BuiltinFields.prune(object, type)
        var errors: [FieldError] = []
        if type.isCustom, let schema = type.schema {
            let outcome = StructuralSchema(root: schema).apply(to: object)
            pruned += outcome.pruned
            errors = outcome.errors
            object = outcome.object
        }
        if !pruned.isEmpty {
            if options.fieldValidation == "Strict" {
                let list = pruned.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
                throw APIError.badRequest("\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): strict decoding error: \(list)")
            }
            if options.fieldValidation == "Warn" {
                warnings += pruned.map { "unknown field \"\($0)\"" }
            }
        }
        if !errors.isEmpty { throw APIError.invalid(kind: type.kind, group: type.group, name: name, causes: errors) }
        if type.plural == "customresourcedefinitions" { object = try admitCRD(object) }
        if type.group.isEmpty && type.plural == "secrets", let stringData = object["stringData"]?.objectValue {
            var data = object["data"]?.objectValue ?? [:]
            for (key, value) in stringData { data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString()) }
            object["data"] = .object(data)
            object["stringData"] = nil
        }
        return object
    }

    // MARK: update and patch

    /// PUT: the whole object (or, for `subresource == "status"`, only its status).
    func update(_ type: ResourceType, namespace: String?, name: String, body: JSONValue, subresource: String?,
                options: WriteOptions) throws -> WriteResult {
        guard let existing = stored(type, namespace, name) else { throw APIError.notFound(type.groupResource, name) }
        guard case .object = body else { throw APIError.badRequest("the body of the request must be a JSON object") }
        try checkKind(body, type)
        if let bodyName = body[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let bodyRV = body[path: ["metadata", "resourceVersion"]]?.stringValue, !bodyRV.isEmpty,
           bodyRV != existing[path: ["metadata", "resourceVersion"]]?.stringValue {
            throw APIError.conflict(type.groupResource, name)
        }
        var updated: JSONValue
        if subresource == "status" {
            updated = existing
            updated["status"] = body["status"]
        } else {
            updated = body
            var metadata = body["metadata"]?.objectValue ?? [:]
            for field in ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                          "generation"] {
                metadata[field] = existing[path: ["metadata", field]]
            }
            updated["metadata"] = .object(metadata)
            if type.hasStatus { updated["status"] = existing["status"] }
        }
        updated["apiVersion"] = .string(type.apiVersion)
        updated["kind"] = .string(type.kind)
        return try commitUpdate(type, existing: existing, updated: updated, options: options)
    }

    /// PATCH: applies the patch to the stored object, then writes like PUT.
    func patch(_ type: ResourceType, namespace: String?, name: String, patchType: PatchType, patch: JSONValue,
               subresource: String?, options: WriteOptions) throws -> WriteResult {
        guard let existing = stored(type, namespace, name) else {
            guard case .apply = patchType, subresource == nil else { throw APIError.notFound(type.groupResource, name) }
            if let bodyName = patch[path: ["metadata", "name"]]?.stringValue, bodyName != name {
                throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
            }
            var object = patch
            object[path: ["metadata", "name"]] = .string(name)
            return try create(type, namespace: namespace, body: object, options: options)
        }
        let patched = try patchType.apply(patch, to: present(existing, type))
        return try update(type, namespace: namespace, name: name, body: patched, subresource: subresource, options: options)
    }

    /// What `metadata.generation` tracks: everything but metadata (and status, when it
    /// has its own subresource).
    private static func specPart(_ object: JSONValue, _ type: ResourceType) -> JSONValue {
        var copy = object
        copy["metadata"] = nil
        if type.hasStatus { copy["status"] = nil }
        copy["apiVersion"] = nil
        copy["kind"] = nil
        return copy
    }

    private func commitUpdate(_ type: ResourceType, existing: JSONValue, updated: JSONValue, options: WriteOptions) throws -> WriteResult {
        var result = WriteResult(object: updated)
        var object = try admit(type, updated, options: options, warnings: &result.warnings)
        if type.tracksGeneration, Cluster.specPart(object, type) != Cluster.specPart(existing, type) {
            let generation = existing[path: ["metadata", "generation"]]?.intValue ?? 1
            object[path: ["metadata", "generation"]] = .int(generation + 1)
        }
        object[path: ["metadata", "resourceVersion"]] = existing[path: ["metadata", "resourceVersion"]]
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        let terminating = object[path: ["metadata", "deletionTimestamp"]] != nil
        if options.dryRun {
            result.object = present(object, type)
            return result
        }
        if terminating && finalizers.isEmpty {
            result.object = present(remove(type, existing, final: object), type)
            return result
        }
        if object == present(existing, type) || object == existing {
            result.object = present(existing, type)
            return result
        }
        object[path: ["metadata", "resourceVersion"]] = .string(String(nextResourceVersion()))
        objects[type.storageKey, default: [:]][Cluster.key(type.namespaced ? namespace : nil, name)] = object
        record(type, "MODIFIED", object, old: existing)
        afterUpdate(type, object)
        result.object = present(object, type)
        return result
    }
}
