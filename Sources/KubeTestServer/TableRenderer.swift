import Kubernetes
import Foundation

/// Whether the client asked for `meta.k8s.io` Table output (what `kubectl get` does).
struct TableRequest {
    var wanted: Bool

    init(accept: String?) {
        wanted = accept?.contains("as=Table") ?? false
    }
}

/// Server-side printing: a `Table` with a Name column, a CRD's
/// `additionalPrinterColumns` (JSONPath subset), or Age by default.
struct TableRenderer {
    var type: ResourceType

    private var columns: [JSONValue] {
        let custom = type.printerColumns
        return custom.isEmpty ? [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]] : custom
    }

    func table(for objects: [JSONValue], resourceVersion: JSONValue?) -> JSONValue {
        var definitions: [JSONValue] = [["name": "Name", "type": "string", "format": "name", "priority": 0,
                                         "description": "Name must be unique within a namespace."]]
        for column in columns {
            definitions.append(["name": column["name"] ?? "", "type": column["type"] ?? "string", "format": column["format"] ?? "",
                                "priority": column["priority"] ?? 0, "description": column["description"] ?? ""])
        }
        let rows = objects.map { object -> JSONValue in
            var cells: [JSONValue] = [object[path: ["metadata", "name"]] ?? ""]
            for column in columns {
                let value = JSONPathLite.evaluate(column["jsonPath"]?.stringValue ?? "", in: object)
                if column["type"]?.stringValue == "date", let text = value?.stringValue {
                    cells.append(.string(TableRenderer.age(since: text)))
                } else {
                    cells.append(value ?? .null)
                }
            }
            return ["cells": .array(cells), "object": [
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:],
            ]]
        }
        var metadata: JSONValue = [:]
        if let resourceVersion { metadata["resourceVersion"] = resourceVersion }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                "columnDefinitions": .array(definitions), "rows": .array(rows)]
    }

    /// kubectl's short age format: `42s`, `3m12s`, `25m`, `5h`, `3d`.
    static func age(since timestamp: String) -> String {
        guard let date = ISO8601DateFormatter().date(from: timestamp) else { return "<unknown>" }
        let seconds = max(0, Int(Date().timeIntervalSince(date)))
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 48 { return "\(hours)h" }
        return "\(hours / 24)d"
    }
}

/// The JSONPath subset printer columns use: `.a.b`, `[0]`, `[?(@.k=="v")]`.
enum JSONPathLite {
    static func evaluate(_ path: String, in object: JSONValue) -> JSONValue? {
        var current: [JSONValue] = [object]
        var rest = Substring(path.trimmingCharacters(in: CharacterSet(charactersIn: "{}")))
        while !rest.isEmpty {
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                let key = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(key.count)
                current = current.compactMap { $0[String(key)] }
            } else if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                if let index = Int(inside) {
                    current = current.compactMap { $0.arrayValue.flatMap { $0.indices.contains(index) ? $0[index] : nil } }
                } else if inside.hasPrefix("?(@."), inside.hasSuffix(")"), let eq = inside.range(of: "==") {
                    let key = String(inside[inside.index(inside.startIndex, offsetBy: 4)..<eq.lowerBound])
                    let literal = inside[eq.upperBound..<inside.index(before: inside.endIndex)]
                        .trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
                    current = current.flatMap { $0.arrayValue ?? [] }.filter { $0[key]?.stringValue == literal }
                } else if inside == "*" {
                    current = current.flatMap { $0.arrayValue ?? [] }
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        return current.first
    }
}
