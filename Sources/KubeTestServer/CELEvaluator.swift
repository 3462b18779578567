import Foundation

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

    // MARK: tokens

    enum Token: Equatable, CustomStringConvertible {
        case ident(String), int(Int64), double(Double), string(String), op(String)
        var description: String {
            switch self {
            case .ident(let s), .op(let s): return s
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .string(let s): return "'\(s)'"
            }
        }
    }

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
            } else if c.isLetter || c == "_" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                tokens.append(.ident(String(chars[i..<j])))
                i = j
            } else if c.isNumber {
                var j = i
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                let literal = String(chars[i..<j])
                if literal.contains(".") {
                    tokens.append(.double(Double(literal) ?? 0))
                } else {
                    tokens.append(.int(Int64(literal) ?? 0))
                }
                i = j
                if i < chars.count, chars[i] == "u" { i += 1 }
            } else if c == "'" || c == "\"" {
                var j = i + 1
                var s = ""
                while j < chars.count, chars[j] != c {
                    if chars[j] == "\\", j + 1 < chars.count {
                        j += 1
                        switch chars[j] {
                        case "n": s.append("\n")
                        case "t": s.append("\t")
                        default: s.append(chars[j])
                        }
                    } else {
                        s.append(chars[j])
                    }
                    j += 1
                }
                guard j < chars.count else { throw CELError("unterminated string") }
                tokens.append(.string(s))
                i = j + 1
            } else {
                let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
                if ["&&", "||", "==", "!=", "<=", ">="].contains(two) {
                    tokens.append(.op(two))
                    i += 2
                } else if "!<>+-*/%()[].,?:".contains(c) {
                    tokens.append(.op(String(c)))
                    i += 1
                } else {
                    throw CELError("unexpected character '\(c)'")
                }
            }
        }
        return tokens
    }

    // MARK: syntax

    indirect enum Node {
        case literal(CELValue)
        case ident(String)
        case list([Node])
        case select(Node, String)
        case index(Node, Node)
        case call(String, Node?, [Node])
        case unary(String, Node)
        case binary(String, Node, Node)
        case conditional(Node, Node, Node)
    }

    struct Parser {
        var tokens: [Token]
        var position = 0

        var atEnd: Bool { position >= tokens.count }
        var peek: Token? { atEnd ? nil : tokens[position] }

        mutating func accept(_ op: String) -> Bool {
            if peek == .op(op) || peek == .ident(op) {
                position += 1
                return true
            }
            return false
        }

        mutating func expect(_ op: String) throws {
            guard accept(op) else { throw CELError("expected '\(op)'") }
        }

        mutating func parseExpression() throws -> Node {
            let condition = try parseBinary(0)
            if accept("?") {
                let then = try parseExpression()
                try expect(":")
                return .conditional(condition, then, try parseExpression())
            }
            return condition
        }

        static let levels: [[String]] = [["||"], ["&&"], ["==", "!=", "<", "<=", ">", ">=", "in"], ["+", "-"], ["*", "/", "%"]]

        mutating func parseBinary(_ level: Int) throws -> Node {
            if level == Self.levels.count { return try parseUnary() }
            var left = try parseBinary(level + 1)
            while let token = peek, Self.levels[level].contains(token.description),
                  { if case .string = token { return false }; return true }() {
                position += 1
                left = .binary(token.description, left, try parseBinary(level + 1))
            }
            return left
        }

        mutating func parseUnary() throws -> Node {
            if accept("!") { return .unary("!", try parseUnary()) }
            if accept("-") { return .unary("-", try parseUnary()) }
            return try parsePostfix()
        }

        mutating func parsePostfix() throws -> Node {
            var node = try parsePrimary()
            while true {
                if accept(".") {
                    guard case .ident(let name)? = peek else { throw CELError("expected field name") }
                    position += 1
                    if accept("(") {
                        node = .call(name, node, try parseArguments())
                    } else {
                        node = .select(node, name)
                    }
                } else if accept("[") {
                    let index = try parseExpression()
                    try expect("]")
                    node = .index(node, index)
                } else {
                    return node
                }
            }
        }

        mutating func parseArguments() throws -> [Node] {
            var arguments: [Node] = []
            if accept(")") { return arguments }
            repeat { arguments.append(try parseExpression()) } while accept(",")
            try expect(")")
            return arguments
        }

        mutating func parsePrimary() throws -> Node {
            guard let token = peek else { throw CELError("unexpected end of expression") }
            position += 1
            switch token {
            case .int(let i): return .literal(.int(i))
            case .double(let d): return .literal(.double(d))
            case .string(let s): return .literal(.string(s))
            case .ident("true"): return .literal(.bool(true))
            case .ident("false"): return .literal(.bool(false))
            case .ident("null"): return .literal(.null)
            case .ident(let name):
                if accept("(") { return .call(name, nil, try parseArguments()) }
                return .ident(name)
            case .op("("):
                let inner = try parseExpression()
                try expect(")")
                return inner
            case .op("["):
                var elements: [Node] = []
                if !accept("]") {
                    repeat { elements.append(try parseExpression()) } while accept(",")
                    try expect("]")
                }
                return .list(elements)
            default:
                throw CELError("unexpected token \(token)")
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

/// Parses a Go duration (`1h30m`, `30s`, `1.5h`, `250ms`) into seconds.
func parseGoDuration(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
    var rest = Substring(text)
    var negative = false
    if rest.hasPrefix("-") {
        negative = true
        rest = rest.dropFirst()
    } else if rest.hasPrefix("+") {
        rest = rest.dropFirst()
    }
    if rest == "0" { return 0 }
    guard !rest.isEmpty else { return nil }
    var total = 0.0
    while !rest.isEmpty {
        let number = rest.prefix { $0.isNumber || $0 == "." }
        guard !number.isEmpty, let value = Double(number) else { return nil }
        rest = rest.dropFirst(number.count)
        guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else {
            return nil
        }
        total += value * unit.1
        rest = rest.dropFirst(unit.0.count)
    }
    return negative ? -total : total
}
