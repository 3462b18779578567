/// Parses a Jsonnet file into an AST (see `AST.swift`), with go-jsonnet's
/// precedences and static error messages.
package func parseJsonnet(_ file: SourceFile) throws -> Node {
    var lexer = Lexer(file: file)
    var parser = Parser(tokens: try lexer.tokenize(), file: file)
    let root = try parser.parseExpression()
    let next = parser.peek()
    if next.kind != .eof {
        throw JsonnetError.staticError("Did not expect: \(next.described)", at: next.range)
    }
    return root
}

/// Recursive descent over the token array. Nesting depth is capped so hostile
/// input cannot exhaust the native stack.
struct Parser {
    private let tokens: [Token]
    private let file: SourceFile
    private var pos = 0
    private var depth = 0
    private static let maxDepth = 10_000
    private static let maxPrecedence = 10

    init(tokens: [Token], file: SourceFile) {
        self.tokens = tokens
        self.file = file
    }

    func peek(_ offset: Int = 0) -> Token { tokens[min(pos + offset, tokens.count - 1)] }

    private mutating func pop() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    private var lastEnd: SourcePosition { pos > 0 ? tokens[pos - 1].range.end : tokens[0].range.begin }

    private func span(_ begin: SourcePosition) -> SourceRange {
        SourceRange(file: file, begin: begin, end: lastEnd)
    }

    private func fail(_ message: String, _ token: Token) -> JsonnetError {
        JsonnetError.staticError(message, at: token.range)
    }

    private func unexpectedEOF(_ token: Token) -> JsonnetError {
        JsonnetError.staticError("Unexpected end of file", at: token.range)
    }

    private mutating func expect(_ kind: TokenKind, _ text: String) throws -> Token {
        let t = peek()
        guard t.kind == kind else {
            throw fail("Expected token \(text) but got \(t.described)", t)
        }
        return pop()
    }

    private mutating func expectOperator(_ op: String) throws {
        let t = peek()
        guard t.kind == .operator, t.data == op else {
            throw fail("Expected operator \(op) but got \(t.described)", t)
        }
        _ = pop()
    }

    private func isOperator(_ t: Token, _ op: String) -> Bool { t.kind == .operator && t.data == op }

    // MARK: Expressions

    /// One nesting level: every bracket, parenthesis, unary operator and keyword
    /// expression comes back through here, so this is where depth is counted.
    mutating func parseExpression() throws -> Node {
        try enterNesting(peek())
        defer { depth -= 1 }
        return try parse(Self.maxPrecedence)
    }

    private mutating func enterNesting(_ t: Token) throws {
        depth += 1
        if depth > Self.maxDepth { throw fail("Exceeded maximum nesting depth of \(Self.maxDepth)", t) }
    }

    private static func binaryOperator(_ t: Token) -> (BinaryOperator, Int)? {
        if t.kind == .kwIn { return (.in, 4) }
        guard t.kind == .operator else { return nil }
        switch t.data {
        case "*": return (.multiply, 1)
        case "/": return (.divide, 1)
        case "%": return (.modulo, 1)
        case "+": return (.plus, 2)
        case "-": return (.minus, 2)
        case "<<": return (.shiftLeft, 3)
        case ">>": return (.shiftRight, 3)
        case "<": return (.less, 4)
        case "<=": return (.lessEqual, 4)
        case ">": return (.greater, 4)
        case ">=": return (.greaterEqual, 4)
        case "==": return (.equal, 5)
        case "!=": return (.notEqual, 5)
        case "&": return (.bitAnd, 6)
        case "^": return (.bitXor, 7)
        case "|": return (.bitOr, 8)
        case "&&": return (.and, 9)
        case "||": return (.or, 10)
        default: return nil
        }
    }

    private mutating func parse(_ prec: Int) throws -> Node {
        let begin = peek()
        switch begin.kind {
        case .kwAssert, .kwError, .kwIf, .kwFunction, .kwImport, .kwImportStr, .kwImportBin, .kwLocal:
            return try parseKeywordExpression()
        default:
            break
        }
        if prec == 0 { return try parseUnary() }
        var lhs = try parse(prec - 1)
        while true {
            let t = peek()
            guard let (op, p) = Self.binaryOperator(t) else {
                // An operator that cannot continue an expression (`:` ends one).
                if t.kind == .operator && !t.data.hasPrefix(":") {
                    throw JsonnetError.staticError("Not a binary operator: \(t.data)", at: t.range)
                }
                return lhs
            }
            guard p == prec else { return lhs }
            _ = pop()
            if op == .in && peek().kind == .kwSuper {
                _ = pop()
                lhs = InSuper(field: lhs, range: span(begin.range.begin))
                continue
            }
            let rhs = try parse(prec - 1)
            lhs = Binary(op: op, lhs: lhs, rhs: rhs, range: span(begin.range.begin))
        }
    }

    private mutating func parseUnary() throws -> Node {
        let t = peek()
        if t.kind == .operator {
            let op: UnaryOperator?
            switch t.data {
            case "-": op = .minus
            case "+": op = .plus
            case "!": op = .not
            case "~": op = .bitNot
            default: op = nil
            }
            if let op {
                _ = pop()
                try enterNesting(t)
                defer { depth -= 1 }
                let operand: Node
                switch peek().kind {
                case .kwAssert, .kwError, .kwIf, .kwFunction, .kwImport, .kwImportStr, .kwImportBin, .kwLocal:
                    operand = try parseKeywordExpression()
                default:
                    operand = try parseUnary()
                }
                return Unary(op: op, operand: operand, range: span(t.range.begin))
            }
            throw JsonnetError.staticError("Not a unary operator: \(t.data)", at: t.range)
        }
        let start = peek().range.begin
        return try parsePostfix(try parsePrimary(), start: start)
    }

    private mutating func parseKeywordExpression() throws -> Node {
        let begin = pop()
        let start = begin.range.begin
        switch begin.kind {
        case .kwAssert:
            let cond = try parseExpression()
            var message: Node?
            if isOperator(peek(), ":") {
                _ = pop()
                message = try parseExpression()
            }
            _ = try expect(.semicolon, "\";\"")
            let rest = try parseExpression()
            return AssertNode(condition: cond, message: message, rest: rest, range: span(start))
        case .kwError:
            let msg = try parseExpression()
            return ErrorNode(message: msg, range: span(start))
        case .kwIf:
            let cond = try parseExpression()
            _ = try expect(.kwThen, "\"then\"")
            let then = try parseExpression()
            var otherwise: Node?
            if peek().kind == .kwElse {
                _ = pop()
                otherwise = try parseExpression()
            }
            return Conditional(condition: cond, then: then, otherwise: otherwise, range: span(start))
        case .kwFunction:
            _ = try expect(.parenL, "\"(\"")
            let params = try parseParameters()
            let body = try parseExpression()
            return Function(parameters: params, body: body, range: span(start))
        case .kwImport, .kwImportStr, .kwImportBin:
            let pathNode = try parseExpression()
            guard let lit = pathNode as? StringLiteral else {
                throw JsonnetError.staticError("Computed imports are not allowed", at: pathNode.range)
            }
            if lit.isTextBlock {
                throw JsonnetError.staticError("Block string literals not allowed in imports", at: pathNode.range)
            }
            let kind: NodeKind = begin.kind == .kwImport ? .import : (begin.kind == .kwImportStr ? .importStr : .importBin)
            return ImportNode(kind: kind, path: lit.value, range: span(start))
        default:  // local
            var bindings: [Binding] = []
            var seen = Set<String>()
            while true {
                let b = try parseBinding()
                if !seen.insert(b.name).inserted {
                    throw JsonnetError.staticError("Duplicate local var: \(b.name)", at: b.nameRange)
                }
                bindings.append(b.binding)
                let t = peek()
                if t.kind == .comma {
                    _ = pop()
                    continue
                }
                if t.kind == .semicolon {
                    _ = pop()
                    break
                }
                throw fail("Expected , or ; but got \(t.described)", t)
            }
            let body = try parseExpression()
            return Local(bindings: bindings, body: body, range: span(start))
        }
    }

    private mutating func parseBinding() throws -> (binding: Binding, name: String, nameRange: SourceRange) {
        let nameToken = try expect(.identifier, "IDENTIFIER")
        let start = nameToken.range.begin
        if peek().kind == .parenL {
            let fnStart = peek().range.begin
            _ = pop()
            let params = try parseParameters()
            try expectOperator("=")
            let body = try parseExpression()
            let fn = Function(parameters: params, body: body, range: span(fnStart))
            fn.name = nameToken.data
            return (Binding(name: nameToken.data, body: fn, range: span(start)), nameToken.data, nameToken.range)
        }
        try expectOperator("=")
        let body = try parseExpression()
        if let fn = body as? Function, fn.name == nil { fn.name = nameToken.data }
        return (Binding(name: nameToken.data, body: body, range: span(start)), nameToken.data, nameToken.range)
    }

    /// Parameters after `(`, through `)`.
    private mutating func parseParameters() throws -> [Parameter] {
        var params: [Parameter] = []
        while true {
            let t = peek()
            if t.kind == .parenR {
                _ = pop()
                return params
            }
            guard t.kind == .identifier else {
                if t.kind == .eof {
                    throw fail("Expected a comma before next function parameter, got end of file", t)
                }
                throw fail("Expected simple identifier but got a complex expression.", t)
            }
            _ = pop()
            var def: Node?
            if isOperator(peek(), "=") {
                _ = pop()
                def = try parseExpression()
            }
            params.append(Parameter(name: t.data, defaultValue: def, range: span(t.range.begin)))
            let next = peek()
            if next.kind == .comma {
                _ = pop()
            } else if next.kind != .parenR {
                throw fail("Expected a comma before next function parameter, got \(next.described)", next)
            }
        }
    }

    private mutating func parsePrimary() throws -> Node {
        let t = peek()
        switch t.kind {
        case .kwNull:
            _ = pop()
            return NullLiteral(range: t.range)
        case .kwTrue:
            _ = pop()
            return BoolLiteral(true, range: t.range)
        case .kwFalse:
            _ = pop()
            return BoolLiteral(false, range: t.range)
        case .kwSelf:
            _ = pop()
            return SelfNode(range: t.range)
        case .dollar:
            _ = pop()
            return DollarNode(range: t.range)
        case .number:
            _ = pop()
            let value = Double(t.data) ?? .infinity
            if !value.isFinite {
                // go-jsonnet reports literals beyond the float range when they are evaluated.
                return ErrorNode(message: StringLiteral("overflow", range: t.range), range: t.range)
            }
            return NumberLiteral(value, range: t.range)
        case .stringDouble, .stringSingle, .verbatimDouble, .verbatimSingle:
            _ = pop()
            return StringLiteral(t.data, range: t.range)
        case .stringBlock:
            _ = pop()
            return StringLiteral(t.data, isTextBlock: true, range: t.range)
        case .identifier:
            _ = pop()
            return Variable(name: t.data, range: t.range)
        case .parenL:
            _ = pop()
            let inner = try parseExpression()
            _ = try expect(.parenR, "\")\"")
            return inner
        case .braceL:
            _ = pop()
            return try parseObject(start: t.range.begin)
        case .bracketL:
            _ = pop()
            return try parseArray(start: t.range.begin)
        case .kwSuper:
            _ = pop()
            let next = peek()
            if next.kind == .dot {
                _ = pop()
                let name = try expect(.identifier, "IDENTIFIER")
                return SuperIndex(index: StringLiteral(name.data, range: name.range), range: t.range)
            }
            if next.kind == .bracketL {
                _ = pop()
                let index = try parseExpression()
                _ = try expect(.bracketR, "\"]\"")
                return SuperIndex(index: index, range: span(t.range.begin))
            }
            throw fail("Expected . or [ after super", t)
        case .eof:
            throw unexpectedEOF(t)
        default:
            let text = t.kind == .operator ? t.data : (t.kind.keywordText.isEmpty ? String(t.kind.displayName.dropFirst().dropLast()) : t.kind.keywordText)
            throw fail("Unexpected: \(quoteJSONString(text)) while parsing terminal", t)
        }
    }

    /// Indexes, calls and `{...}` extensions after `base`, whose text (parentheses included) starts at `start`.
    private mutating func parsePostfix(_ base: Node, start: SourcePosition) throws -> Node {
        var node = base
        while true {
            let t = peek()
            switch t.kind {
            case .dot:
                _ = pop()
                let name = try expect(.identifier, "IDENTIFIER")
                node = Index(target: node, index: StringLiteral(name.data, range: name.range), range: span(start))
            case .bracketL:
                _ = pop()
                node = try parseIndexOrSlice(node, start: start)
            case .parenL:
                _ = pop()
                let (positional, named) = try parseArguments()
                let range = span(start)
                var tailStrict = false
                if peek().kind == .kwTailStrict {
                    _ = pop()
                    tailStrict = true
                }
                node = Apply(target: node, positional: positional, named: named, tailStrict: tailStrict, range: range)
            case .braceL:
                _ = pop()
                let obj = try parseObject(start: t.range.begin)
                node = Binary(op: .plus, lhs: node, rhs: obj, range: span(start))
            default:
                return node
            }
        }
    }

    private mutating func parseIndexOrSlice(_ target: Node, start: SourcePosition) throws -> Node {
        var parts: [Node?] = [nil]
        var colons = 0
        while true {
            let t = peek()
            if t.kind == .bracketR {
                _ = pop()
                break
            }
            if isOperator(t, ":") || isOperator(t, "::") {
                _ = pop()
                colons += t.data.count
                if colons > 2 { throw fail("Invalid slice: too many colons", t) }
                while parts.count <= colons { parts.append(nil) }
                continue
            }
            if parts[colons] != nil {
                throw fail("Expected token \"]\" but got \(t.described)", t)
            }
            parts[colons] = try parseExpression()
        }
        if colons == 0 {
            guard let index = parts[0] else {
                throw JsonnetError.staticError("Expected an expression in the index", at: span(start))
            }
            return Index(target: target, index: index, range: span(start))
        }
        while parts.count < 3 { parts.append(nil) }
        return Slice(target: target, begin: parts[0], end: parts[1], step: parts[2], range: span(start))
    }

    /// Call arguments after `(`, through `)`.
    private mutating func parseArguments() throws -> ([Node], [NamedArgument]) {
        var positional: [Node] = []
        var named: [NamedArgument] = []
        while true {
            let t = peek()
            if t.kind == .parenR {
                _ = pop()
                return (positional, named)
            }
            if t.kind == .identifier && isOperator(peek(1), "=") {
                _ = pop()
                _ = pop()
                let value = try parseExpression()
                named.append(NamedArgument(name: t.data, value: value))
            } else {
                let value = try parseExpression()
                if !named.isEmpty {
                    throw JsonnetError.staticError("Positional argument after a named argument is not allowed", at: value.range)
                }
                positional.append(value)
            }
            let next = peek()
            if next.kind == .comma {
                _ = pop()
            } else if next.kind != .parenR {
                if next.kind == .eof {
                    throw fail("Expected a comma before next function argument, got end of file", next)
                }
                throw fail("Expected a comma before next function argument, got \(next.described)", next)
            }
        }
    }

    private mutating func parseArray(start: SourcePosition) throws -> Node {
        if peek().kind == .bracketR {
            _ = pop()
            return ArrayLiteral(elements: [], range: span(start))
        }
        let first = try parseExpression()
        // `[e for ...]`, also written with a trailing comma: `[e, for ...]`.
        if peek().kind == .comma && peek(1).kind == .kwFor { _ = pop() }
        if peek().kind == .kwFor {
            let specs = try parseComprehensionSpecs(closing: .bracketR, closingText: "\"]\"")
            return ArrayComprehension(body: first, specs: specs, range: span(start))
        }
        var elements = [first]
        while true {
            let t = peek()
            if t.kind == .bracketR {
                _ = pop()
                break
            }
            guard t.kind == .comma else {
                if t.kind == .eof { throw unexpectedEOF(t) }
                throw fail("Expected a comma before next array element", t)
            }
            _ = pop()
            if peek().kind == .bracketR {
                _ = pop()
                break
            }
            elements.append(try parseExpression())
        }
        return ArrayLiteral(elements: elements, range: span(start))
    }

    /// `for x in e` followed by any `for`/`if` clauses, through the closing bracket.
    private mutating func parseComprehensionSpecs(closing: TokenKind, closingText: String) throws -> [ComprehensionSpec] {
        var specs: [ComprehensionSpec] = []
        while true {
            let t = peek()
            if t.kind == closing {
                _ = pop()
                return specs
            }
            if t.kind == .kwFor {
                _ = pop()
                let v = try expect(.identifier, "IDENTIFIER")
                _ = try expect(.kwIn, "\"in\"")
                let seq = try parseExpression()
                specs.append(.forIn(variable: v.data, sequence: seq, range: span(t.range.begin)))
            } else if t.kind == .kwIf && !specs.isEmpty {
                _ = pop()
                let cond = try parseExpression()
                specs.append(.ifCondition(cond, range: span(t.range.begin)))
            } else {
                if t.kind == .eof { throw unexpectedEOF(t) }
                throw fail("Expected for, if or \(closingText) after for clause, got: \(t.described)", t)
            }
        }
    }

    private enum Member {
        case field(ObjectField, computed: Bool, nameRange: SourceRange)
        case local(Binding, SourceRange)
        case assert(ObjectAssert)
    }

    private mutating func parseObject(start: SourcePosition) throws -> Node {
        var members: [Member] = []
        while true {
            let t = peek()
            if t.kind == .braceR {
                _ = pop()
                return try buildObject(members, start: start)
            }
            if t.kind == .kwFor {
                return try buildComprehension(members, start: start, forToken: t)
            }
            if !members.isEmpty {
                guard t.kind == .comma else {
                    if t.kind == .eof { throw fail("Expected a comma before next field", t) }
                    throw fail("Expected a comma before next field", t)
                }
                _ = pop()
                let n = peek()
                if n.kind == .braceR {
                    _ = pop()
                    return try buildObject(members, start: start)
                }
                if n.kind == .kwFor {
                    return try buildComprehension(members, start: start, forToken: n)
                }
            }
            members.append(try parseMember())
        }
    }

    private mutating func parseMember() throws -> Member {
        let t = peek()
        switch t.kind {
        case .kwLocal:
            _ = pop()
            let b = try parseBinding()
            return .local(b.binding, b.nameRange)
        case .kwAssert:
            _ = pop()
            let cond = try parseExpression()
            var msg: Node?
            if isOperator(peek(), ":") {
                _ = pop()
                msg = try parseExpression()
            }
            return .assert(ObjectAssert(condition: cond, message: msg, range: span(t.range.begin)))
        default:
            break
        }
        let name: FieldName
        var computed = false
        switch t.kind {
        case .identifier:
            _ = pop()
            name = .fixed(t.data)
        case .stringDouble, .stringSingle, .stringBlock, .verbatimDouble, .verbatimSingle:
            _ = pop()
            name = .fixed(t.data)
        case .bracketL:
            _ = pop()
            let e = try parseExpression()
            _ = try expect(.bracketR, "\"]\"")
            name = .computed(e)
            computed = true
        case .eof:
            throw unexpectedEOF(t)
        default:
            if !t.kind.keywordText.isEmpty {
                _ = pop()
                name = .fixed(t.kind.keywordText)
            } else {
                throw fail("Expected token IDENTIFIER but got \(t.described)", t)
            }
        }
        let nameRange = span(t.range.begin)
        var params: [Parameter]?
        var fnStart = peek().range.begin
        if peek().kind == .parenL {
            fnStart = peek().range.begin
            _ = pop()
            params = try parseParameters()
        }
        let opToken = peek()
        guard opToken.kind == .operator else {
            throw fail("Expected token OPERATOR but got \(opToken.described)", opToken)
        }
        let plus: Bool
        let visibility: Visibility
        switch opToken.data {
        case ":": (plus, visibility) = (false, .inherit)
        case "::": (plus, visibility) = (false, .hidden)
        case ":::": (plus, visibility) = (false, .visible)
        case "+:": (plus, visibility) = (true, .inherit)
        case "+::": (plus, visibility) = (true, .hidden)
        case "+:::": (plus, visibility) = (true, .visible)
        default:
            throw fail("Expected one of :, ::, :::, +:, +::, +:::, got: \(opToken.data)", opToken)
        }
        _ = pop()
        var body = try parseExpression()
        if let params {
            let fn = Function(parameters: params, body: body, range: span(fnStart))
            if case .fixed(let n) = name { fn.name = n }
            body = fn
        } else if let fn = body as? Function, fn.name == nil, case .fixed(let n) = name {
            fn.name = n
        }
        return .field(ObjectField(name: name, visibility: visibility, plus: plus, body: body, range: span(t.range.begin)),
                      computed: computed, nameRange: nameRange)
    }

    /// Whether `name` is among the fixed names of `fields`: a scan for up to eight
    /// fields (no set to allocate, nor the set type's first-use cost in the Swift
    /// runtime, 0.3 M instructions), a set made on first need beyond.
    private func isDuplicateField(_ name: String, in fields: [ObjectField], _ seen: inout Set<CodePointKey>?) -> Bool {
        if fields.count < 8 {
            return fields.contains { if case .fixed(let m) = $0.name { sameBytes(m, name) } else { false } }
        }
        if seen == nil {
            var set = Set<CodePointKey>()
            for g in fields { if case .fixed(let m) = g.name { set.insert(CodePointKey(m)) } }
            seen = set
        }
        return !seen!.insert(CodePointKey(name)).inserted
    }

    private func buildObject(_ members: [Member], start: SourcePosition) throws -> Node {
        var locals: [Binding] = []
        var fields: [ObjectField] = []
        var asserts: [ObjectAssert] = []
        var seenFields: Set<CodePointKey>? = nil
        var seenLocals = Set<String>()
        for m in members {
            switch m {
            case .field(let f, _, let nameRange):
                if case .fixed(let n) = f.name, isDuplicateField(n, in: fields, &seenFields) {
                    throw JsonnetError.staticError("Duplicate field: \(n)", at: nameRange)
                }
                fields.append(f)
            case .local(let b, let r):
                if !seenLocals.insert(b.name).inserted {
                    throw JsonnetError.staticError("Duplicate local var: \(b.name)", at: r)
                }
                locals.append(b)
            case .assert(let a):
                asserts.append(a)
            }
        }
        return ObjectLiteral(locals: locals, fields: fields, asserts: asserts, range: span(start))
    }

    private mutating func buildComprehension(_ members: [Member], start: SourcePosition, forToken: Token) throws -> Node {
        var locals: [Binding] = []
        var field: ObjectField?
        var fieldCount = 0
        // go-jsonnet reports every misuse at the `for` keyword.
        for m in members {
            switch m {
            case .field(let f, let computed, _):
                fieldCount += 1
                if fieldCount > 1 {
                    throw fail("Object comprehension can only have one field", forToken)
                }
                if !computed {
                    throw fail("Object comprehensions can only have [e] fields", forToken)
                }
                field = f
            case .local(let b, _):
                locals.append(b)
            case .assert:
                throw fail("Object comprehension cannot have asserts", forToken)
            }
        }
        guard let field, case .computed(let nameExpr) = field.name else {
            throw fail("Object comprehension can only have one field", forToken)
        }
        let specs = try parseComprehensionSpecs(closing: .braceR, closingText: "\"}\"")
        return ObjectComprehension(locals: locals, name: nameExpr, visibility: field.visibility, plus: field.plus,
                                   body: field.body, specs: specs, range: span(start))
    }
}
