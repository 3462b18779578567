import Kubernetes
import Foundation

/// Decodes the Kubernetes protobuf request bodies kubectl's typed commands send
/// (`kubectl create namespace|serviceaccount|configmap|secret|role|rolebinding|token`,
/// `kubectl auth can-i`)
/// into JSON. Only the kinds and fields listed here are understood; unknown fields are
/// skipped. Responses are always JSON (clients accept it).
enum ProtobufBodies {
    /// A field's shape.
    indirect enum Field {
        case string, bytes, int, bool
        case strings
        case message(Schema)
        case messages(Schema)
        case stringMap
        case bytesMap
    }

    typealias Schema = [Int: (String, Field)]

    static let objectMeta: Schema = [
        1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string),
        11: ("labels", .stringMap), 12: ("annotations", .stringMap), 14: ("finalizers", .strings),
    ]
    static let policyRule: Schema = [
        1: ("verbs", .strings), 2: ("apiGroups", .strings), 3: ("resources", .strings), 4: ("resourceNames", .strings),
        5: ("nonResourceURLs", .strings),
    ]
    static let binding: Schema = [
        1: ("metadata", .message(objectMeta)),
        2: ("subjects", .messages([1: ("kind", .string), 2: ("apiGroup", .string), 3: ("name", .string), 4: ("namespace", .string)])),
        3: ("roleRef", .message([1: ("apiGroup", .string), 2: ("kind", .string), 3: ("name", .string)])),
    ]
    static let role: Schema = [1: ("metadata", .message(objectMeta)), 2: ("rules", .messages(policyRule))]

    static let kinds: [String: Schema] = [
        "Namespace": [1: ("metadata", .message(objectMeta)), 2: ("spec", .message([1: ("finalizers", .strings)]))],
        "ServiceAccount": [
            1: ("metadata", .message(objectMeta)),
            2: ("secrets", .messages([1: ("kind", .string), 2: ("namespace", .string), 3: ("name", .string)])),
            3: ("imagePullSecrets", .messages([1: ("name", .string)])), 4: ("automountServiceAccountToken", .bool),
        ],
        "ConfigMap": [1: ("metadata", .message(objectMeta)), 2: ("data", .stringMap), 3: ("binaryData", .bytesMap), 4: ("immutable", .bool)],
        "Secret": [
            1: ("metadata", .message(objectMeta)), 2: ("data", .bytesMap), 3: ("type", .string), 4: ("stringData", .stringMap),
            5: ("immutable", .bool),
        ],
        "Role": role, "ClusterRole": role, "RoleBinding": binding, "ClusterRoleBinding": binding,
        "SelfSubjectAccessReview": [
            1: ("metadata", .message(objectMeta)),
            2: ("spec", .message([
                1: ("resourceAttributes", .message([
                    1: ("namespace", .string), 2: ("verb", .string), 3: ("group", .string), 4: ("version", .string),
                    5: ("resource", .string), 6: ("subresource", .string), 7: ("name", .string),
                ])),
                2: ("nonResourceAttributes", .message([1: ("path", .string), 2: ("verb", .string)])),
            ])),
        ],
        "TokenRequest": [
            1: ("metadata", .message(objectMeta)),
            2: ("spec", .message([
                1: ("audiences", .strings), 4: ("expirationSeconds", .int),
                3: ("boundObjectRef", .message([1: ("kind", .string), 2: ("apiVersion", .string), 3: ("name", .string), 4: ("uid", .string)])),
            ])),
        ],
    ]

    struct Malformed: Error {}

    /// Decodes `k8s\0` + `runtime.Unknown{typeMeta, raw}` into a JSON object.
    static func decode(_ data: Data) throws -> JSONValue {
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0..<4] == [0x6b, 0x38, 0x73, 0x00] else { throw Malformed() }
        let envelope = try fields(bytes[4...])
        guard let typeMeta = envelope.first(where: { $0.0 == 1 })?.1, let raw = envelope.first(where: { $0.0 == 2 })?.1 else {
            throw Malformed()
        }
        let meta = try fields(typeMeta)
        let apiVersion = meta.first { $0.0 == 1 }.map { String(decoding: $0.1, as: UTF8.self) } ?? ""
        let kind = meta.first { $0.0 == 2 }.map { String(decoding: $0.1, as: UTF8.self) } ?? ""
        guard let schema = kinds[kind] else { throw Malformed() }
        var object = try message(raw, schema)
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return object
    }

    /// The varint and length-delimited fields of one message as (number, payload); a
    /// varint's payload is its encoded bytes.
    private static func fields(_ bytes: ArraySlice<UInt8>) throws -> [(Int, ArraySlice<UInt8>)] {
        var result: [(Int, ArraySlice<UInt8>)] = []
        var index = bytes.startIndex
        func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard index < bytes.endIndex, shift < 64 else { throw Malformed() }
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while index < bytes.endIndex {
            let key = try varint()
            let number = Int(key >> 3)
            switch key & 7 {
            case 0:
                let start = index
                _ = try varint()
                result.append((number, bytes[start..<index]))
            case 1:
                guard index + 8 <= bytes.endIndex else { throw Malformed() }
                index += 8
            case 2:
                let length = Int(try varint())
                guard length >= 0, index + length <= bytes.endIndex else { throw Malformed() }
                result.append((number, bytes[index..<index + length]))
                index += length
            case 5:
                guard index + 4 <= bytes.endIndex else { throw Malformed() }
                index += 4
            default:
                throw Malformed()
            }
        }
        return result
    }

    private static func varintValue(_ bytes: ArraySlice<UInt8>) -> Int64 {
        var value: UInt64 = 0
        for (i, byte) in bytes.enumerated() { value |= UInt64(byte & 0x7f) << UInt64(7 * i) }
        return Int64(bitPattern: value)
    }

    private static func message(_ bytes: ArraySlice<UInt8>, _ schema: Schema) throws -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (number, payload) in try fields(bytes) {
            guard let (name, field) = schema[number] else { continue }
            let text = JSONValue.string(String(decoding: payload, as: UTF8.self))
            switch field {
            case .string: object[name] = text
            case .bytes: object[name] = .string(Data(payload).base64EncodedString())
            case .int: object[name] = .int(varintValue(payload))
            case .bool: object[name] = .bool(varintValue(payload) != 0)
            case .strings: object[name] = .array((object[name]?.arrayValue ?? []) + [text])
            case .message(let inner): object[name] = try message(payload, inner)
            case .messages(let inner): object[name] = .array((object[name]?.arrayValue ?? []) + [try message(payload, inner)])
            case .stringMap, .bytesMap:
                let entry = try fields(payload)
                let key = entry.first { $0.0 == 1 }.map { String(decoding: $0.1, as: UTF8.self) } ?? ""
                let raw = entry.first { $0.0 == 2 }?.1 ?? []
                let value: JSONValue = if case .bytesMap = field {
                    .string(Data(raw).base64EncodedString())
                } else {
                    .string(String(decoding: raw, as: UTF8.self))
                }
                var map = object[name]?.objectValue ?? [:]
                map[key] = value
                object[name] = .object(map)
            }
        }
        return .object(object)
    }
}
