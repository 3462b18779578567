import Kubernetes
import Foundation

/// A parsed `labelSelector`: requirements joined by commas, all of which must hold.
struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    var requirements: [Requirement] = []

    /// Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    init(_ text: String) throws {
        for raw in LabelSelector.splitTopLevel(text) {
            let term = raw.trimmingCharacters(in: .whitespaces)
            if term.isEmpty { continue }
            requirements.append(try LabelSelector.parseTerm(term))
        }
    }

    static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        return parts
    }

    static func parseTerm(_ term: String) throws -> Requirement {
        if term.hasPrefix("!") {
            return .doesNotExist(String(term.dropFirst()).trimmingCharacters(in: .whitespaces))
        }
        if let r = term.range(of: "!=") {
            return .notEquals(trim(term[..<r.lowerBound]), trim(term[r.upperBound...]))
        }
        if let r = term.range(of: "==") {
            return .equals(trim(term[..<r.lowerBound]), trim(term[r.upperBound...]))
        }
        if let r = term.range(of: "=") {
            return .equals(trim(term[..<r.lowerBound]), trim(term[r.upperBound...]))
        }
        for (keyword, negated) in [(" notin ", true), (" in ", false)] {
            if let r = term.range(of: keyword) {
                let key = trim(term[..<r.lowerBound])
                var rest = trim(term[r.upperBound...])
                guard rest.hasPrefix("("), rest.hasSuffix(")") else {
                    throw APIError.badRequest("unable to parse requirement: found '\(rest)', expected: '('")
                }
                rest = String(rest.dropFirst().dropLast())
                let values = Set(rest.split(separator: ",").map { trim($0) })
                return negated ? .notIn(key, values) : .isIn(key, values)
            }
        }
        guard term.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) else {
            throw APIError.badRequest("unable to parse requirement: invalid label key \"\(term)\"")
        }
        return .exists(term)
    }

    static func trim<S: StringProtocol>(_ s: S) -> String { s.trimmingCharacters(in: .whitespaces) }

    /// Whether the labels satisfy every requirement.
    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .isIn(let k, let vs): return labels[k].map { vs.contains($0) } ?? false
            case .notIn(let k, let vs): return labels[k].map { !vs.contains($0) } ?? true
            case .exists(let k): return labels[k] != nil
            case .doesNotExist(let k): return labels[k] == nil
            }
        }
    }
}

/// A parsed `fieldSelector` (`metadata.name`, `metadata.namespace`, and any other
/// dotted path compared as a string), with `=`, `==` and `!=`.
struct FieldSelector: Sendable {
    var terms: [(path: [String], value: String, negated: Bool)] = []

    init(_ text: String) throws {
        for raw in text.split(separator: ",") {
            let term = String(raw)
            let negated = term.contains("!=")
            let parts = negated ? term.components(separatedBy: "!=")
                : term.contains("==") ? term.components(separatedBy: "==") : term.components(separatedBy: "=")
            guard parts.count == 2 else { throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(term)'") }
            terms.append((parts[0].trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init),
                          parts[1].trimmingCharacters(in: .whitespaces), negated))
        }
    }

    /// The name this selector pins, if it has `metadata.name=...`.
    var pinnedName: String? {
        terms.first { $0.path == ["metadata", "name"] && !$0.negated }?.value
    }

    func matches(_ object: JSONValue) -> Bool {
        terms.allSatisfy { term in
            let actual: String
            switch object[path: term.path] {
            case .string(let s): actual = s
            case .none, .null: actual = ""
            case .some(let other): actual = other.text
            }
            return (actual == term.value) != term.negated
        }
    }
}

/// The selectors of a list or watch call.
struct ListFilter: Sendable {
    var namespace: String?
    var labels: LabelSelector?
    var fields: FieldSelector?

    func matches(_ object: JSONValue) -> Bool {
        if let namespace, object[path: ["metadata", "namespace"]]?.stringValue != namespace { return false }
        if let labels {
            let map = (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            if !labels.matches(map) { return false }
        }
        if let fields, !fields.matches(object) { return false }
        return true
    }
}
