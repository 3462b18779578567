import Foundation
import Kubernetes

/// How the test server reads and applies the client's ``Kubernetes/PatchType``: server-side
/// apply is approximated (create when absent, else merge the applied configuration; no
/// managedFields, so fields dropped from the configuration stay).
extension PatchType {
    /// The patch type a request's `Content-Type` names; 415 for any other.
    init(contentType: String) throws {
        let base = contentType.split(separator: ";").first.map { String($0).lowercased() } ?? ""
        switch base.trimmingCharacters(in: .whitespaces) {
        case "application/merge-patch+json": self = .merge
        case "application/json-patch+json": self = .json
        case "application/strategic-merge-patch+json": self = .strategicMerge
        case "application/apply-patch+yaml", "application/apply-patch+json": self = .apply
        default: throw APIError.unsupportedMediaType(contentType)
        }
    }

    /// Applies `patch` to `target`.
    func apply(_ patch: JSONValue, to target: JSONValue) throws -> JSONValue {
        switch self {
        case .merge, .apply: return mergePatch(target, patch, strategic: false)
        case .strategicMerge: return mergePatch(target, patch, strategic: true)
        case .json: return try jsonPatch(target, patch)
        }
    }
}

/// RFC 7386 JSON merge patch. The strategic flavour treats a strategic merge patch as a
/// merge patch and drops its `$`-directives: lists are replaced, except the few lists
/// of `strategicMergeKeys`, whose items are merged by their key as the API server does.
func mergePatch(_ target: JSONValue, _ patch: JSONValue, strategic: Bool) -> JSONValue {
    guard case .object(let patchMembers) = patch else { return patch }
    var result = target.objectValue ?? [:]
    for (key, value) in patchMembers {
        if strategic && key.hasPrefix("$") { continue }
        if case .null = value {
            result.removeValue(forKey: key)
        } else if strategic, let mergeKey = strategicMergeKeys[key], let items = value.arrayValue,
                  let existing = result[key]?.arrayValue {
            result[key] = .array(mergeList(existing, items, by: mergeKey))
        } else {
            result[key] = mergePatch(result[key] ?? .null, value, strategic: strategic)
        }
    }
    return .object(result)
}

/// Lists that a strategic merge patch merges item by item, with their merge key
/// (`patchMergeKey` in the Kubernetes API types). Only what this server's callers need.
let strategicMergeKeys: [String: String] = ["webhooks": "name"]

/// `existing` with each patch item merged into the item of the same key (appended when
/// new; removed by `$patch: delete`), in the existing order.
private func mergeList(_ existing: [JSONValue], _ patch: [JSONValue], by mergeKey: String) -> [JSONValue] {
    var result = existing
    for item in patch {
        guard let key = item[mergeKey] else { continue }
        let index = result.firstIndex { $0[mergeKey] == key }
        if item["$patch"]?.stringValue == "delete" {
            if let index { result.remove(at: index) }
        } else if let index {
            result[index] = mergePatch(result[index], item, strategic: true)
        } else {
            result.append(mergePatch(.object([:]), item, strategic: true))
        }
    }
    return result
}

/// RFC 6902 JSON patch: add, remove, replace, move, copy, test.
func jsonPatch(_ target: JSONValue, _ patch: JSONValue) throws -> JSONValue {
    guard case .array(let operations) = patch else {
        throw APIError.badRequest("the server rejected our request due to an error in our request")
    }
    var document = target
    for operation in operations {
        guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
            throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request")
        }
        let pointer = try JSONPointer(path)
        switch op {
        case "add":
            document = try pointer.add(operation["value"] ?? .null, to: document)
        case "remove":
            document = try pointer.remove(from: document)
        case "replace":
            _ = try pointer.get(from: document)
            document = try pointer.remove(from: document)
            document = try pointer.add(operation["value"] ?? .null, to: document)
        case "move", "copy":
            let from = try JSONPointer(operation["from"]?.stringValue ?? "")
            let value = try from.get(from: document)
            if op == "move" { document = try from.remove(from: document) }
            document = try pointer.add(value, to: document)
        case "test":
            guard try pointer.get(from: document) == (operation["value"] ?? .null) else {
                throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: testing value \(path) failed")
            }
        default:
            throw APIError(code: 422, reason: "Invalid", message: "Unexpected kind: \(op)")
        }
    }
    return document
}

/// An RFC 6901 JSON pointer.
struct JSONPointer {
    var tokens: [String]

    init(_ text: String) throws {
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else { throw APIError(code: 422, reason: "Invalid", message: "JSON pointer must start with '/': \(text)") }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private func missing() -> APIError {
        APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: path /\(tokens.joined(separator: "/")) not found")
    }

    func get(from document: JSONValue) throws -> JSONValue {
        var current = document
        for token in tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else { throw missing() }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { throw missing() }
                current = a[i]
            default:
                throw missing()
            }
        }
        return current
    }

    func add(_ value: JSONValue, to document: JSONValue) throws -> JSONValue {
        try modify(document, tokens[...]) { container, last in
            switch container {
            case .object(var o):
                o[last] = value
                return .object(o)
            case .array(var a):
                if last == "-" {
                    a.append(value)
                } else {
                    guard let i = Int(last), i >= 0, i <= a.count else { throw missing() }
                    a.insert(value, at: i)
                }
                return .array(a)
            default:
                throw missing()
            }
        } root: { value }
    }

    func remove(from document: JSONValue) throws -> JSONValue {
        try modify(document, tokens[...]) { container, last in
            switch container {
            case .object(var o):
                guard o.removeValue(forKey: last) != nil else { throw missing() }
                return .object(o)
            case .array(var a):
                guard let i = Int(last), a.indices.contains(i) else { throw missing() }
                a.remove(at: i)
                return .array(a)
            default:
                throw missing()
            }
        } root: { .null }
    }

    private func modify(_ node: JSONValue, _ rest: ArraySlice<String>,
                        _ leaf: (JSONValue, String) throws -> JSONValue, root: () -> JSONValue) throws -> JSONValue {
        guard let first = rest.first else { return root() }
        if rest.count == 1 { return try leaf(node, first) }
        switch node {
        case .object(var o):
            guard let child = o[first] else { throw missing() }
            o[first] = try modify(child, rest.dropFirst(), leaf, root: root)
            return .object(o)
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw missing() }
            a[i] = try modify(a[i], rest.dropFirst(), leaf, root: root)
            return .array(a)
        default:
            throw missing()
        }
    }
}
