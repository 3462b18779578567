/// Names a kind of resource on the API server: its group, version and plural name,
/// e.g. `(jaas.metio.wtf, v1, jsonnetsnippets)`. The core group is the empty string.
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    /// The API group (`""` for the core group).
    public var group: String
    /// The version, e.g. `v1`.
    public var version: String
    /// The lower-case plural resource name, e.g. `serviceaccounts`.
    public var resource: String
    /// Whether objects live in namespaces (decides the URL shape).
    public var namespaced: Bool

    /// A resource; `namespaced` defaults to true.
    public init(group: String, version: String, resource: String, namespaced: Bool = true) {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespaced = namespaced
    }

    /// `group/version`, or `version` for the core group: the objects' `apiVersion`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `resource.group` (or `resource` for core), as kubectl prints it.
    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }

    /// The URL path of a collection or one object, without a query:
    /// `/api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]` for the core group,
    /// `/apis/{group}/{version}/...` otherwise. A `nil` namespace on a namespaced
    /// resource addresses all namespaces (list and watch only).
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/\(PathEncoding.segment(namespace))"
        }
        path += "/\(resource)"
        if let name {
            path += "/\(PathEncoding.segment(name))"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }
}

extension GroupVersionResource {
    /// Core `v1` namespaces (cluster-scoped).
    public static let namespaces = GroupVersionResource(group: "", version: "v1", resource: "namespaces", namespaced: false)
    /// Core `v1` service accounts.
    public static let serviceAccounts = GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts")
    /// Core `v1` config maps.
    public static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    /// Core `v1` secrets.
    public static let secrets = GroupVersionResource(group: "", version: "v1", resource: "secrets")
    /// Core `v1` events.
    public static let events = GroupVersionResource(group: "", version: "v1", resource: "events")
    /// `coordination.k8s.io/v1` leases.
    public static let leases = GroupVersionResource(group: "coordination.k8s.io", version: "v1", resource: "leases")
    /// `apiextensions.k8s.io/v1` custom resource definitions (cluster-scoped).
    public static let customResourceDefinitions = GroupVersionResource(
        group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions", namespaced: false)
}

/// Percent-encoding for URL path segments and query components.
enum PathEncoding {
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Encodes every byte but RFC 3986 unreserved characters.
    static func component(_ string: String) -> String {
        var out = ""
        for byte in string.utf8 {
            if isUnreserved(byte) {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// Encodes one path segment (same rules as a query component; `/` is escaped).
    static func segment(_ string: String) -> String { component(string) }

    /// `?k=v&k2=v2`, or `""` when there are no items.
    static func query(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { "\(component($0.0))=\(component($0.1))" }.joined(separator: "&")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
