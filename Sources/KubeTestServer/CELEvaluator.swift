import Kubernetes
import Foundation
import GoFormats

/// A small evaluator for the subset of CEL that `x-kubernetes-validations` rules in this
/// project use. It is not a full CEL implementation.
///
/// Supported: literals (int, double, string, bool, null, lists), `self`, field selection,
/// indexing, `!`, unary `-`, `&&`, `||`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`, `in`,
/// `? :`, the macros `has(x.f)`, `l.all(v, p)`, `l.exists(v, p)`, `l.exists_one(v, p)`,
/// `l.map(v, e)`, `l.filter(v, p)`, and the functions `size`, `duration`, `int`, `string`,
/// `matches`, `startsWith`, `endsWith`, `contains`, `split`.
enum CELEvaluator {
    /// Evaluates `expression` with `self` bound to `value`; the result must be a Boolean.
    static func evaluate(_ expression: String, self value: JSONValue) throws -> Bool {
        var parser = Parser(tokens: try tokenize(expression))
        let ast = try parser.parseExpression()
        guard parser.atEnd else { throw CELError("unexpected token \(parser.peek.map { "\($0)" } ?? "")") }
        let result = try eval(ast, ["self": CELValue(value)])
        guard case .bool(let b) = result else { throw CELError("rule did not evaluate to a bool") }
        return b
    }

    struct CELError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: values

    indirect enum CELValue: Equatable {
        case null, bool(Bool), int(Int64), double(Double), string(String), list([CELValue]), map([String: CELValue])
        case duration(Double)

        init(_ json: JSONValue) {
            switch json {
            case .null: self = .null
            case .bool(let b): self = .bool(b)
            case .int(let i): self = .int(i)
            case .double(let d): self = .double(d)
            case .string(let s): self = .string(s)
            case .array(let a): self = .list(a.map(CELValue.init))
            case .object(let o): self = .map(o.mapValues(CELValue.init))
            }
        }
    }

    // MARK: evaluation

    static func eval(_ node: Node, _ scope: [String: CELValue]) throws -> CELValue {
        switch node {
        case .literal(let v): return v
        case .ident(let name):
            guard let v = scope[name] else { throw CELError("undeclared reference to '\(name)'") }
            return v
        case .list(let elements): return .list(try elements.map { try eval($0, scope) })
        case .select(let target, let field):
            guard case .map(let m) = try eval(target, scope) else { throw CELError("no such key: \(field)") }
            guard let v = m[field] else { throw CELError("no such key: \(field)") }
            return v
        case .index(let target, let indexNode):
            let container = try eval(target, scope)
            let index = try eval(indexNode, scope)
            switch (container, index) {
            case (.list(let l), .int(let i)) where l.indices.contains(Int(i)): return l[Int(i)]
            case (.map(let m), .string(let k)):
                guard let v = m[k] else { throw CELError("no such key: \(k)") }
                return v
            default: throw CELError("invalid index")
            }
        case .unary(let op, let operand):
            let v = try eval(operand, scope)
            switch (op, v) {
            case ("!", .bool(let b)): return .bool(!b)
            case ("-", .int(let i)): return .int(-i)
            case ("-", .double(let d)): return .double(-d)
            default: throw CELError("no matching overload for '\(op)'")
            }
        case .conditional(let c, let t, let f):
            guard case .bool(let b) = try eval(c, scope) else { throw CELError("condition is not a bool") }
            return try eval(b ? t : f, scope)
        case .binary(let op, let l, let r):
            return try evalBinary(op, l, r, scope)
        case .call(let name, let target, let arguments):
            return try evalCall(name, target, arguments, scope)
        }
    }

    static func evalBinary(_ op: String, _ l: Node, _ r: Node, _ scope: [String: CELValue]) throws -> CELValue {
        if op == "&&" || op == "||" {
            let left = try eval(l, scope)
            if case .bool(let b) = left, b == (op == "||") { return .bool(b) }
            guard case .bool = left, case .bool(let right) = try eval(r, scope) else {
                throw CELError("no matching overload for '\(op)'")
            }
            return .bool(right)
        }
        let a = try eval(l, scope)
        let b = try eval(r, scope)
        switch op {
        case "==": return .bool(a == b)
        case "!=": return .bool(a != b)
        case "in":
            switch b {
            case .list(let list): return .bool(list.contains(a))
            case .map(let map): if case .string(let k) = a { return .bool(map[k] != nil) }
            default: break
            }
            throw CELError("no matching overload for 'in'")
        case "<", "<=", ">", ">=":
            let order: Bool
            switch (a, b) {
            case (.int(let x), .int(let y)): order = compare(op, x, y)
            case (.double(let x), .double(let y)), (.duration(let x), .duration(let y)): order = compare(op, x, y)
            case (.string(let x), .string(let y)): order = compare(op, x, y)
            default: throw CELError("no matching overload for '\(op)'")
            }
            return .bool(order)
        case "+":
            switch (a, b) {
            case (.int(let x), .int(let y)): return .int(x + y)
            case (.double(let x), .double(let y)): return .double(x + y)
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.list(let x), .list(let y)): return .list(x + y)
            default: throw CELError("no matching overload for '+'")
            }
        case "-", "*", "/", "%":
            guard case .int(let x) = a, case .int(let y) = b else { throw CELError("no matching overload for '\(op)'") }
            if (op == "/" || op == "%") && y == 0 { throw CELError("division by zero") }
            switch op {
            case "-": return .int(x - y)
            case "*": return .int(x * y)
            case "/": return .int(x / y)
            default: return .int(x % y)
            }
        default:
            throw CELError("unknown operator \(op)")
        }
    }

    static func compare<T: Comparable>(_ op: String, _ x: T, _ y: T) -> Bool {
        switch op {
        case "<": return x < y
        case "<=": return x <= y
        case ">": return x > y
        default: return x >= y
        }
    }

    static func evalCall(_ name: String, _ target: Node?, _ arguments: [Node], _ scope: [String: CELValue]) throws -> CELValue {
        if name == "has", target == nil, arguments.count == 1, case .select(let object, let field) = arguments[0] {
            guard case .map(let m) = try eval(object, scope) else { return .bool(false) }
            return .bool(m[field] != nil)
        }
        if let target, ["all", "exists", "exists_one", "map", "filter"].contains(name) {
            return try evalMacro(name, target, arguments, scope)
        }
        var values = try arguments.map { try eval($0, scope) }
        if let target { values.insert(try eval(target, scope), at: 0) }
        switch (name, values.count) {
        case ("size", 1):
            switch values[0] {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .list(let l): return .int(Int64(l.count))
            case .map(let m): return .int(Int64(m.count))
            default: break
            }
        case ("duration", 1):
            if case .string(let s) = values[0] {
                guard let seconds = parseGoDuration(s) else { throw CELError("invalid duration '\(s)'") }
                return .duration(seconds)
            }
        case ("int", 1):
            switch values[0] {
            case .int: return values[0]
            case .double(let d): return .int(Int64(d))
            case .string(let s): if let i = Int64(s) { return .int(i) }
            default: break
            }
        case ("string", 1):
            switch values[0] {
            case .string: return values[0]
            case .int(let i): return .string(String(i))
            default: break
            }
        case ("matches", 2), ("startsWith", 2), ("endsWith", 2), ("contains", 2), ("split", 2):
            if case .string(let s) = values[0], case .string(let arg) = values[1] {
                switch name {
                case "matches":
                    let regex = try NSRegularExpression(pattern: arg)
                    return .bool(regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil)
                case "startsWith": return .bool(s.hasPrefix(arg))
                case "endsWith": return .bool(s.hasSuffix(arg))
                case "contains": return .bool(s.contains(arg))
                default: return .list(s.components(separatedBy: arg).map { .string($0) })
                }
            }
        default:
            break
        }
        throw CELError("found no matching overload for '\(name)'")
    }

    static func evalMacro(_ name: String, _ target: Node, _ arguments: [Node], _ scope: [String: CELValue]) throws -> CELValue {
        guard arguments.count == 2, case .ident(let variable) = arguments[0] else {
            throw CELError("\(name) macro needs a variable and an expression")
        }
        let elements: [CELValue]
        switch try eval(target, scope) {
        case .list(let l): elements = l
        case .map(let m): elements = m.keys.sorted().map { .string($0) }
        default: throw CELError("\(name) needs a list or map")
        }
        var results: [CELValue] = []
        var count = 0
        for element in elements {
            var inner = scope
            inner[variable] = element
            let value = try eval(arguments[1], inner)
            if name == "map" {
                results.append(value)
                continue
            }
            guard case .bool(let b) = value else { throw CELError("\(name) predicate is not a bool") }
            switch name {
            case "all": if !b { return .bool(false) }
            case "exists": if b { return .bool(true) }
            case "filter": if b { results.append(element) }
            default: if b { count += 1 }
            }
        }
        switch name {
        case "all": return .bool(true)
        case "exists": return .bool(false)
        case "exists_one": return .bool(count == 1)
        default: return .list(results)
        }
    }
}

/// Parses a Go duration (`1h30m`, `30s`, `1.5h`, `250ms`, `-5m`) into seconds, sign allowed as in CEL.
func parseGoDuration(_ text: String) -> Double? {
    GoDuration.seconds(text, allowingSign: true)
}
