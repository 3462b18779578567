import Foundation

/// A Kubernetes object of any kind, kept as JSON, with accessors for the common
/// `apiVersion`, `kind` and `metadata` fields.
///
/// Typed resources convert at the edges: `try object.decode(as: MyResource.self)` and
/// `try KubeObject(encoding: myResource)`.
public struct KubeObject: Sendable, Hashable, Codable {
    /// The whole object.
    public var json: JSONValue

    /// Wraps a JSON object.
    public init(json: JSONValue) {
        self.json = json
    }

    /// A new object with the given type and identity.
    public init(apiVersion: String, kind: String, namespace: String? = nil, name: String) {
        var json: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": ["name": .string(name)]]
        if let namespace { json[path: "metadata", "namespace"] = .string(namespace) }
        self.json = json
    }

    /// Converts a typed resource (any `Encodable`) into a dynamic object.
    public init(encoding value: some Encodable) throws {
        self.json = try JSONValue(encoding: value)
    }

    /// Decodes the object as a typed resource.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try json.decode(as: type)
    }

    /// Decodes from the JSON object itself (no wrapper).
    public init(from decoder: any Decoder) throws {
        self.json = try JSONValue(from: decoder)
    }

    /// Encodes as the JSON object itself (no wrapper).
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    /// A top-level field, e.g. `object["spec"]`.
    public subscript(key: String) -> JSONValue? {
        get { json[key] }
        set { json[key] = newValue }
    }

    /// A nested field, e.g. `object[path: "status", "artifact", "url"]`.
    public subscript(path keys: String...) -> JSONValue? {
        get { json.value(at: keys[...]) }
        set { json.setValue(newValue, at: keys[...]) }
    }

    private func metadataString(_ key: String) -> String? { json[path: "metadata", key]?.stringValue }

    private mutating func setMetadata(_ key: String, _ value: JSONValue?) { json[path: "metadata", key] = value }

    /// `apiVersion`, e.g. `jaas.metio.wtf/v1` or `v1`.
    public var apiVersion: String? {
        get { json["apiVersion"]?.stringValue }
        set { json["apiVersion"] = newValue.map(JSONValue.string) }
    }

    /// `kind`, e.g. `JsonnetSnippet`.
    public var kind: String? {
        get { json["kind"]?.stringValue }
        set { json["kind"] = newValue.map(JSONValue.string) }
    }

    /// `metadata.name` (empty if missing).
    public var name: String {
        get { metadataString("name") ?? "" }
        set { setMetadata("name", .string(newValue)) }
    }

    /// `metadata.namespace`; `nil` for cluster-scoped objects.
    public var namespace: String? {
        get { metadataString("namespace") }
        set { setMetadata("namespace", newValue.map(JSONValue.string)) }
    }

    /// `metadata.resourceVersion`.
    public var resourceVersion: String? {
        get { metadataString("resourceVersion") }
        set { setMetadata("resourceVersion", newValue.map(JSONValue.string)) }
    }

    /// `metadata.uid`.
    public var uid: String? { metadataString("uid") }

    /// `metadata.generation`.
    public var generation: Int64? { json[path: "metadata", "generation"]?.intValue }

    /// `metadata.deletionTimestamp` as sent (RFC 3339); non-nil while the object is being deleted.
    public var deletionTimestamp: String? { metadataString("deletionTimestamp") }

    /// `metadata.labels`.
    public var labels: [String: String] {
        get { stringMap("labels") }
        set { setMetadata("labels", newValue.isEmpty ? nil : .object(newValue.mapValues(JSONValue.string))) }
    }

    /// `metadata.annotations`.
    public var annotations: [String: String] {
        get { stringMap("annotations") }
        set { setMetadata("annotations", newValue.isEmpty ? nil : .object(newValue.mapValues(JSONValue.string))) }
    }

    /// `metadata.finalizers`.
    public var finalizers: [String] {
        get { json[path: "metadata", "finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        set { setMetadata("finalizers", newValue.isEmpty ? nil : .array(newValue.map(JSONValue.string))) }
    }

    /// The cache key: `namespace/name`, or `name` for cluster-scoped objects.
    public var key: String { ObjectKey(namespace: namespace, name: name).description }

    private func stringMap(_ key: String) -> [String: String] {
        guard let members = json[path: "metadata", key]?.objectValue else { return [:] }
        return members.compactMapValues(\.stringValue)
    }
}

/// The identity of an object within one resource: its namespace (if namespaced) and name.
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The namespace; `nil` for cluster-scoped objects.
    public var namespace: String?
    /// The name.
    public var name: String

    /// A key from its parts.
    public init(namespace: String?, name: String) {
        self.namespace = namespace?.isEmpty == true ? nil : namespace
        self.name = name
    }

    /// Parses `namespace/name` or `name`.
    public init(_ string: String) {
        if let slash = string.firstIndex(of: "/") {
            self.init(namespace: String(string[..<slash]), name: String(string[string.index(after: slash)...]))
        } else {
            self.init(namespace: nil, name: string)
        }
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }

    /// Orders by the string form.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.description < rhs.description }
}

extension KubeObject {
    /// Whether `text` is a valid object name: a DNS-1123 subdomain, at most 253 characters
    /// in labels separated by `.`, each of lowercase letters, digits and `-`, beginning and
    /// ending with a letter or digit.
    package static func isName(_ text: String) -> Bool {
        func alphanumeric(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        guard text.utf8.count <= 253 else { return false }
        return text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last, alphanumeric(first), alphanumeric(last) else { return false }
            return label.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }
}
