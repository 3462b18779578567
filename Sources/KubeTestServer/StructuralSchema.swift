import Kubernetes
import Foundation

/// A CRD version's `openAPIV3Schema`, applied the way the API server does on every
/// write: prune unknown fields, apply defaults, then validate (OpenAPI keywords, then
/// `x-kubernetes-validations` rules through ``CELEvaluator``).
struct StructuralSchema {
    var root: JSONValue

    /// The outcome of ``apply(to:)``.
    struct Outcome {
        var object: JSONValue
        /// Paths of dropped unknown fields (for `fieldValidation=Strict|Warn`).
        var pruned: [String]
        var errors: [FieldError]
    }

    func apply(to object: JSONValue) -> Outcome {
        var pruned: [String] = []
        let normalized = normalize(object, schema: root, path: "", isRoot: true, pruned: &pruned)
        var errors: [FieldError] = []
        validate(normalized, schema: root, path: "", isRoot: true, errors: &errors)
        return Outcome(object: normalized, pruned: pruned, errors: errors)
    }

    // MARK: pruning and defaulting

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func normalize(_ value: JSONValue, schema: JSONValue, path: String, isRoot: Bool,
                           pruned: inout [String]) -> JSONValue {
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return value }
        switch value {
        case .object(let members):
            let properties = schema["properties"]?.objectValue ?? [:]
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            let embedded = schema["x-kubernetes-embedded-resource"]?.boolValue == true
            let additional = schema["additionalProperties"]
            var result: [String: JSONValue] = [:]
            for (key, child) in members {
                if (isRoot || embedded) && ["apiVersion", "kind", "metadata"].contains(key) {
                    result[key] = child
                    continue
                }
                if let childSchema = properties[key] {
                    if case .null = child, childSchema["nullable"]?.boolValue != true { continue }
                    result[key] = normalize(child, schema: childSchema, path: join(path, key), isRoot: false, pruned: &pruned)
                } else if let additional, case .object = additional {
                    result[key] = normalize(child, schema: additional, path: join(path, key), isRoot: false, pruned: &pruned)
                } else if preserve || additional?.boolValue == true {
                    result[key] = child
                } else {
                    pruned.append(join(path, key))
                }
            }
            for (key, childSchema) in properties where result[key] == nil {
                if let defaultValue = childSchema["default"] {
                    result[key] = normalize(defaultValue, schema: childSchema, path: join(path, key), isRoot: false, pruned: &pruned)
                }
            }
            return .object(result)
        case .array(let elements):
            guard let items = schema["items"] else { return value }
            return .array(elements.enumerated().map {
                normalize($0.element, schema: items, path: "\(path)[\($0.offset)]", isRoot: false, pruned: &pruned)
            })
        default:
            return value
        }
    }

    // MARK: validation

    private func typeMatches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int),
             ("number", .int), ("number", .double):
            return true
        case ("integer", .double(let d)):
            return d.rounded() == d
        default:
            return false
        }
    }

    private func validate(_ value: JSONValue, schema: JSONValue, path: String, isRoot: Bool, errors: inout [FieldError]) {
        if case .null = value, schema["nullable"]?.boolValue == true { return }
        let intOrString = schema["x-kubernetes-int-or-string"]?.boolValue == true
        if intOrString {
            switch value {
            case .int, .string: break
            default:
                errors.append(.invalid(path, value, "\(path) in body must be of type int-or-string: \"\(value.typeName)\""))
                return
            }
        } else if let type = schema["type"]?.stringValue, !typeMatches(value, type) {
            errors.append(.invalid(path, value, "\(path) in body must be of type \(type): \"\(value.typeName)\""))
            return
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            errors.append(.notSupported(path, value, allowed))
        }
        switch value {
        case .string(let s):
            validateString(s, value: value, schema: schema, path: path, errors: &errors)
        case .int, .double:
            validateNumber(value, schema: schema, path: path, errors: &errors)
        case .array(let elements):
            validateArray(elements, value: value, schema: schema, path: path, errors: &errors)
        case .object(let members):
            for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
                errors.append(.required(join(path, key)))
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            let additional = schema["additionalProperties"]
            for (key, child) in members.sorted(by: { $0.key < $1.key }) {
                if isRoot && ["apiVersion", "kind", "metadata"].contains(key) { continue }
                if let childSchema = properties[key] {
                    validate(child, schema: childSchema, path: join(path, key), isRoot: false, errors: &errors)
                } else if let additional, case .object = additional {
                    validate(child, schema: additional, path: "\(path)[\(key)]", isRoot: false, errors: &errors)
                }
            }
        default:
            break
        }
        validateRules(value, schema: schema, path: path, errors: &errors)
    }

    private func validateString(_ s: String, value: JSONValue, schema: JSONValue, path: String, errors: inout [FieldError]) {
        if let max = schema["maxLength"]?.intValue, s.unicodeScalars.count > max {
            errors.append(.tooLong(path, max))
        }
        if let min = schema["minLength"]?.intValue, s.unicodeScalars.count < min {
            errors.append(.invalid(path, value, "\(path) in body should be at least \(min) chars long"))
        }
        if let pattern = schema["pattern"]?.stringValue {
            let regex = try? NSRegularExpression(pattern: pattern)
            let range = NSRange(s.startIndex..., in: s)
            if regex?.firstMatch(in: s, range: range) == nil {
                errors.append(.invalid(path, value, "\(path) in body should match '\(pattern)'"))
            }
        }
    }

    private func validateNumber(_ value: JSONValue, schema: JSONValue, path: String, errors: inout [FieldError]) {
        let number: Double
        switch value {
        case .int(let i): number = Double(i)
        case .double(let d): number = d
        default: return
        }
        if let max = schema["maximum"], let limit = Self.double(max) {
            if schema["exclusiveMaximum"]?.boolValue == true ? number >= limit : number > limit {
                let op = schema["exclusiveMaximum"]?.boolValue == true ? "less than" : "less than or equal to"
                errors.append(.invalid(path, value, "\(path) in body should be \(op) \(max.text)"))
            }
        }
        if let min = schema["minimum"], let limit = Self.double(min) {
            if schema["exclusiveMinimum"]?.boolValue == true ? number <= limit : number < limit {
                let op = schema["exclusiveMinimum"]?.boolValue == true ? "greater than" : "greater than or equal to"
                errors.append(.invalid(path, value, "\(path) in body should be \(op) \(min.text)"))
            }
        }
    }

    private static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    private func validateArray(_ elements: [JSONValue], value: JSONValue, schema: JSONValue, path: String,
                               errors: inout [FieldError]) {
        if let max = schema["maxItems"]?.intValue, elements.count > max {
            errors.append(.tooMany(path, elements.count, max))
        }
        if let min = schema["minItems"]?.intValue, elements.count < min {
            errors.append(.invalid(path, .int(Int64(elements.count)), "\(path) in body should have at least \(min) items"))
        }
        if let items = schema["items"] {
            for (i, element) in elements.enumerated() {
                validate(element, schema: items, path: "\(path)[\(i)]", isRoot: false, errors: &errors)
            }
        }
        switch schema["x-kubernetes-list-type"]?.stringValue {
        case "set":
            var seen: Set<JSONValue> = []
            for (i, element) in elements.enumerated() where !seen.insert(element).inserted {
                errors.append(FieldError(reason: "FieldValueDuplicate", field: "\(path)[\(i)]",
                                         causeMessage: "Duplicate value: \(FieldError.renderValue(element))"))
            }
        case "map":
            let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            var seen: Set<[JSONValue]> = []
            for (i, element) in elements.enumerated() {
                let key = keys.map { element[$0] ?? .null }
                if !seen.insert(key).inserted {
                    let shown = JSONValue.object(Dictionary(uniqueKeysWithValues: zip(keys, key)))
                    errors.append(FieldError(reason: "FieldValueDuplicate", field: "\(path)[\(i)]",
                                             causeMessage: "Duplicate value: \(shown.text)"))
                }
            }
        default:
            break
        }
    }

    private func validateRules(_ value: JSONValue, schema: JSONValue, path: String, errors: inout [FieldError]) {
        for rule in schema["x-kubernetes-validations"]?.arrayValue ?? [] {
            guard let expression = rule["rule"]?.stringValue else { continue }
            // Transition rules need the old object; this server evaluates creation-time rules only.
            if expression.contains("oldSelf") { continue }
            var field = path
            if let fieldPath = rule["fieldPath"]?.stringValue {
                field = path + (fieldPath.hasPrefix(".") ? fieldPath : "." + fieldPath)
                if field.hasPrefix(".") { field.removeFirst() }
            }
            let reason = rule["reason"]?.stringValue ?? "FieldValueInvalid"
            let shown = JSONValue.string(value.typeName)
            do {
                if try CELEvaluator.evaluate(expression, self: value) == false {
                    let message = rule["message"]?.stringValue ?? "failed rule: \(expression)"
                    errors.append(FieldError(reason: reason, field: field,
                                             causeMessage: "Invalid value: \(FieldError.renderValue(shown)): \(message)"))
                }
            } catch {
                errors.append(FieldError(reason: "FieldValueInvalid", field: field,
                                         causeMessage: "Invalid value: \(FieldError.renderValue(shown)): rule evaluation error: \(error)"))
            }
        }
    }
}
