import Foundation

/// The lexer and parser of ``CELEvaluator``'s CEL subset.
extension CELEvaluator {
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
}
