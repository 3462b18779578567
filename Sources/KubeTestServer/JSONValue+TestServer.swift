import Foundation
import Kubernetes
import Yams

// The test server stores and serves objects as the client's `Kubernetes.JSONValue`
// (one JSON value type for both sides of the wire); what follows is what only the server needs.

extension JSONValue {
    /// Parses a JSON text.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Parses a JSON text given as a string.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Data(text.utf8))
    }

    /// Parses a YAML document (JSON is YAML too).
    public static func parseYAML(_ text: String) throws -> JSONValue {
        JSONValue(yamlObject: try Yams.load(yaml: text) as Any)
    }

    /// Converts what a YAML parser produces (`Bool`, `Int`, `Double`, `String`, arrays, dictionaries).
    public init(yamlObject: Any) {
        switch yamlObject {
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(Int64(i))
        case let d as Double: self = .double(d)
        case let s as String: self = .string(s)
        case let a as [Any]: self = .array(a.map(JSONValue.init(yamlObject:)))
        case let o as [String: Any]: self = .object(o.mapValues(JSONValue.init(yamlObject:)))
        default: self = .null
        }
    }

    /// Compact JSON with sorted keys.
    public func encoded() -> Data {
        (try? jsonData()) ?? Data("null".utf8)
    }

    /// Compact JSON with sorted keys, as a string.
    public var text: String { String(decoding: encoded(), as: UTF8.self) }

    /// The value at a path of object keys, or `nil`. Setting through a non-object leaves it
    /// unchanged; a missing or non-object step below the first becomes an object.
    public subscript(path path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path { current = current?[key] }
            return current
        }
        set {
            guard let first = path.first else {
                if let newValue { self = newValue }
                return
            }
            guard case .object(var members) = self else { return }
            if path.count == 1 {
                members[first] = newValue
            } else {
                var child = members[first] ?? .object([:])
                if case .object = child {} else { child = .object([:]) }
                child[path: Array(path.dropFirst())] = newValue
                members[first] = child
            }
            self = .object(members)
        }
    }

    /// The JSON type name as OpenAPI spells it.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// Kubernetes' timestamp format: RFC 3339 in UTC with second precision.
func kubeTimestamp(_ date: Date = Date()) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}
