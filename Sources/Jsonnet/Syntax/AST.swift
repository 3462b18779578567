/// The Jsonnet abstract syntax tree.
///
/// Nodes are final classes tagged with a `kind`, so the evaluator dispatches with
/// one `switch` and an unchecked downcast instead of dynamic casts. The parser
/// builds the tree with names; `Resolver` then annotates every variable and
/// `self`/`super`/`$` with the frame slot it reads, so evaluation never looks a
/// name up in a dictionary.
///
/// The parser and then the resolver are the only writers: once `Resolver.resolve`
/// returns, a tree is never mutated again, which is what lets `ParseCache` share
/// one resolved tree between evaluations on any number of threads.
package class Node {
    /// Which concrete subclass this is.
    package let kind: NodeKind
    /// Where the node came from.
    package let range: SourceRange
    /// The frame name go-jsonnet prints beside this node in a stack trace (set by the resolver;
    /// nil where go-jsonnet prints none).
    var traceContext: TraceContext?

    init(kind: NodeKind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

/// The concrete node classes, one case each.
package enum NodeKind: UInt8, Sendable {
    case null, `true`, `false`, number, string
    case `self`, dollar, superIndex, inSuper
    case variable, local, function, apply, index, slice
    case binary, unary, conditional, error, assert
    /// `'literal' % args`: a `Binary` whose format string the resolver may parse once.
    case format
    case array, arrayComprehension, object, objectComprehension
    case `import`, importStr, importBin
}

extension Node {
    /// The value of a literal (null, a boolean, a number, or a string once the
    /// resolver has made it constant); nil for any other node.
    @inline(__always)
    var literalValue: Value? {
        switch kind {
        case .null: .null
        case .true: .bool(true)
        case .false: .bool(false)
        case .number: .number(unsafeDowncast(self, to: NumberLiteral.self).value)
        case .string: unsafeDowncast(self, to: StringLiteral.self).constant.map { .string($0) }
        default: nil
        }
    }
}

/// `null`
package final class NullLiteral: Node {
    package init(range: SourceRange) { super.init(kind: .null, range: range) }
}

/// `true` (kind `.true`) or `false` (kind `.false`).
package final class BoolLiteral: Node {
    package let value: Bool
    package init(_ value: Bool, range: SourceRange) {
        self.value = value
        super.init(kind: value ? .true : .false, range: range)
    }
}

/// A number literal, already converted to a double (digit separators removed).
package final class NumberLiteral: Node {
    package let value: Double
    package init(_ value: Double, range: SourceRange) {
        self.value = value
        super.init(kind: .number, range: range)
    }
}

/// A string literal of any syntax (quoted, verbatim, text block) with escapes decoded.
package final class StringLiteral: Node {
    package let value: String
    /// Set by the parser for `|||` text blocks (imports reject them).
    package let isTextBlock: Bool
    /// The runtime string, built once by the resolver.
    package var constant: JString?
    package init(_ value: String, isTextBlock: Bool = false, range: SourceRange) {
        self.value = value
        self.isTextBlock = isTextBlock
        super.init(kind: .string, range: range)
    }
}

/// `self`. `depth` is the number of frames between the use and the object frame.
package final class SelfNode: Node {
    package var depth: Int32 = -1
    package init(range: SourceRange) { super.init(kind: .self, range: range) }
}

/// `$`: the outermost object's `self`. `depth` as for `SelfNode`.
package final class DollarNode: Node {
    package var depth: Int32 = -1
    package init(range: SourceRange) { super.init(kind: .dollar, range: range) }
}

/// `super.f` or `super[e]` (the parser turns `super.f` into a string-literal index).
package final class SuperIndex: Node {
    package let index: Node
    package var depth: Int32 = -1
    package init(index: Node, range: SourceRange) {
        self.index = index
        super.init(kind: .superIndex, range: range)
    }
}

/// `e in super`.
package final class InSuper: Node {
    package let field: Node
    package var depth: Int32 = -1
    package init(field: Node, range: SourceRange) {
        self.field = field
        super.init(kind: .inSuper, range: range)
    }
}

/// A variable reference, resolved to `(depth, index)`: walk `depth` frames up, read slot `index`.
package final class Variable: Node {
    package let name: String
    package var depth: Int32 = -1
    package var index: Int32 = -1
    package init(name: String, range: SourceRange) {
        self.name = name
        super.init(kind: .variable, range: range)
    }
}

/// One `name = body` binding of a `local` (function sugar `f(x) = e` is already a `Function` body).
package struct Binding {
    package let name: String
    package let body: Node
    package let range: SourceRange
}

/// `local a = e1, b = e2; body`. The bindings form one frame and see each other.
package final class Local: Node {
    package let bindings: [Binding]
    package let body: Node
    package init(bindings: [Binding], body: Node, range: SourceRange) {
        self.bindings = bindings
        self.body = body
        super.init(kind: .local, range: range)
    }
}

/// One function parameter with its optional default (evaluated in the call's frame).
package struct Parameter {
    package let name: String
    package let defaultValue: Node?
    package let range: SourceRange
}

/// `function(params) body`. A call makes one frame holding the parameters.
package final class Function: Node {
    package let parameters: [Parameter]
    package let body: Node
    /// The name of the binding or field this function was defined as, for stack traces.
    package var name: String?
    package init(parameters: [Parameter], body: Node, range: SourceRange) {
        self.parameters = parameters
        self.body = body
        super.init(kind: .function, range: range)
    }
}

/// A named argument `name = value` in a call.
package struct NamedArgument {
    package let name: String
    package let value: Node
}

/// `target(positional..., named...)`, optionally `tailstrict`.
package final class Apply: Node {
    package let target: Node
    package let positional: [Node]
    package let named: [NamedArgument]
    package let tailStrict: Bool
    /// Bit k is set when positional argument k (k < 64) is a small operator expression
    /// (`n - 1`) the evaluator may compute when the call is made instead of passing a
    /// thunk (see `Node.isScalarOperation`).
    package let speculativeArguments: UInt64
    package init(target: Node, positional: [Node], named: [NamedArgument], tailStrict: Bool, range: SourceRange) {
        self.target = target
        self.positional = positional
        self.named = named
        self.tailStrict = tailStrict
        var mask: UInt64 = 0
        for (k, p) in positional.prefix(64).enumerated() where p.isScalarOperation || p.isSpeculativeFormat {
            mask |= 1 << UInt64(k)
        }
        self.speculativeArguments = mask
        super.init(kind: .apply, range: range)
    }
}

/// `target[index]` or `target.name` (then `index` is a `StringLiteral` and `fieldName` is set).
package final class Index: Node {
    package let target: Node
    package let index: Node
    /// The field name when the index is a constant string (`a.b`, `a["b"]`).
    package let fieldName: String?
    package init(target: Node, index: Node, range: SourceRange) {
        self.target = target
        self.index = index
        self.fieldName = (index as? StringLiteral)?.value
        super.init(kind: .index, range: range)
    }
}

/// `target[begin:end:step]` with any part omitted.
package final class Slice: Node {
    package let target: Node
    package let begin: Node?
    package let end: Node?
    package let step: Node?
    package init(target: Node, begin: Node?, end: Node?, step: Node?, range: SourceRange) {
        self.target = target
        self.begin = begin
        self.end = end
        self.step = step
        super.init(kind: .slice, range: range)
    }
}

/// Binary operators. `a { ... }` is parsed as `.plus` with an object right-hand side.
package enum BinaryOperator: UInt8, Sendable {
    case multiply, divide, modulo
    case plus, minus
    case shiftLeft, shiftRight
    case less, lessEqual, greater, greaterEqual, `in`
    case equal, notEqual
    case bitAnd, bitXor, bitOr
    case and, or

    /// The operator as written in source.
    package var symbol: String {
        switch self {
        case .multiply: "*"
        case .divide: "/"
        case .modulo: "%"
        case .plus: "+"
        case .minus: "-"
        case .shiftLeft: "<<"
        case .shiftRight: ">>"
        case .less: "<"
        case .lessEqual: "<="
        case .greater: ">"
        case .greaterEqual: ">="
        case .in: "in"
        case .equal: "=="
        case .notEqual: "!="
        case .bitAnd: "&"
        case .bitXor: "^"
        case .bitOr: "|"
        case .and: "&&"
        case .or: "||"
        }
    }
}

/// `lhs op rhs`.
package final class Binary: Node {
    package let op: BinaryOperator
    package let lhs: Node
    package let rhs: Node
    /// For `'literal' % args` with plain `%s`/`%d` codes, the parsed format (set by the resolver).
    package var format: FormatTemplate?
    package init(op: BinaryOperator, lhs: Node, rhs: Node, range: SourceRange) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        super.init(kind: op == .modulo && lhs.kind == .string ? .format : .binary, range: range)
    }
}

/// Unary operators.
package enum UnaryOperator: UInt8, Sendable {
    case minus, plus, not, bitNot

    /// The operator as written in source.
    package var symbol: String {
        switch self {
        case .minus: "-"
        case .plus: "+"
        case .not: "!"
        case .bitNot: "~"
        }
    }
}

/// `op operand`.
package final class Unary: Node {
    package let op: UnaryOperator
    package let operand: Node
    package init(op: UnaryOperator, operand: Node, range: SourceRange) {
        self.op = op
        self.operand = operand
        super.init(kind: .unary, range: range)
    }
}

/// `if cond then a else b` (`else` optional: then it yields null).
package final class Conditional: Node {
    package let condition: Node
    package let then: Node
    package let otherwise: Node?
    package init(condition: Node, then: Node, otherwise: Node?, range: SourceRange) {
        self.condition = condition
        self.then = then
        self.otherwise = otherwise
        super.init(kind: .conditional, range: range)
    }
}

/// `error expr`.
package final class ErrorNode: Node {
    package let message: Node
    package init(message: Node, range: SourceRange) {
        self.message = message
        super.init(kind: .error, range: range)
    }
}

/// `assert cond : message; rest`.
package final class AssertNode: Node {
    package let condition: Node
    package let message: Node?
    package let rest: Node
    package init(condition: Node, message: Node?, rest: Node, range: SourceRange) {
        self.condition = condition
        self.message = message
        self.rest = rest
        super.init(kind: .assert, range: range)
    }
}

/// `[a, b, c]`.
package final class ArrayLiteral: Node {
    package let elements: [Node]
    /// For an array of literals only (`[1, 2, 'a', null]`), its elements, built once
    /// by the resolver and shared by every evaluation of the literal.
    package var constantElements: ContiguousArray<Lazy>?
    package init(elements: [Node], range: SourceRange) {
        self.elements = elements
        super.init(kind: .array, range: range)
    }

    /// The values of `elements` when every one is a literal (strings already resolved).
    static func constants(_ elements: [Node]) -> ContiguousArray<Lazy>? {
        guard elements.count > 1 else { return nil }
        var out = ContiguousArray<Lazy>()
        out.reserveCapacity(elements.count)
        for e in elements {
            guard let v = e.literalValue else { return nil }
            out.append(.value(v))
        }
        return out
    }
}

/// One `for x in e` or `if e` clause of a comprehension.
package enum ComprehensionSpec {
    case forIn(variable: String, sequence: Node, range: SourceRange)
    case ifCondition(Node, range: SourceRange)
}

/// `[body for x in e if c ...]`. Each `for` makes one frame holding its variable.
package final class ArrayComprehension: Node {
    package let body: Node
    package let specs: [ComprehensionSpec]
    /// Whether `body` is a small operator expression over literals and variables,
    /// which the evaluator may compute eagerly instead of allocating a thunk
    /// (see `Interpreter.speculate`).
    package let speculativeBody: Bool
    package init(body: Node, specs: [ComprehensionSpec], range: SourceRange) {
        self.body = body
        self.specs = specs
        self.speculativeBody = body.isScalarOperation || body.isSpeculativeFormat
        super.init(kind: .arrayComprehension, range: range)
    }
}

extension Node {
    /// Whether this is a small operator expression: literals and variables combined
    /// by one to fifteen unary and binary operators (not `%`, which formats, nor `in`,
    /// which needs an object). The evaluator may compute such an expression eagerly
    /// instead of allocating a thunk for it (see `Interpreter.speculate`).
    var isScalarOperation: Bool {
        var budget = 15
        return (kind == .binary || kind == .unary) && Node.isScalarOperation(self, &budget)
    }

    /// Whether this is `'literal' % [a, b, …]` over at most eight variables and
    /// literals: when every value is already a short string or a number, the
    /// evaluator may format it at once instead of allocating a thunk.
    var isSpeculativeFormat: Bool {
        guard kind == .format else { return false }
        let rhs = unsafeDowncast(self, to: Binary.self).rhs
        guard rhs.kind == .array else { return false }
        let elements = unsafeDowncast(rhs, to: ArrayLiteral.self).elements
        return elements.count <= 8 && elements.allSatisfy(FormatTemplate.isDirect)
    }

    private static func isScalarOperation(_ node: Node, _ budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch node.kind {
        case .null, .true, .false, .number, .string, .variable:
            return true
        case .unary:
            return isScalarOperation(unsafeDowncast(node, to: Unary.self).operand, &budget)
        case .binary:
            let b = unsafeDowncast(node, to: Binary.self)
            guard b.op != .modulo && b.op != .in else { return false }
            return isScalarOperation(b.lhs, &budget) && isScalarOperation(b.rhs, &budget)
        default:
            return false
        }
    }
}

/// Field visibility: `:` inherits, `::` hides, `:::` forces visible.
package enum Visibility: UInt8, Sendable {
    case inherit, hidden, visible
}

/// A field's name: a constant (identifier or string literal) or a computed `[expr]`.
package enum FieldName {
    case fixed(String)
    case computed(Node)
}

/// One field of an object literal. Method sugar `f(x): e` arrives as a `Function` body.
package struct ObjectField {
    package let name: FieldName
    package let visibility: Visibility
    /// `+:` (and `+::`, `+:::`).
    package let plus: Bool
    package let body: Node
    package let range: SourceRange
}

/// One `assert cond : message` inside an object.
package struct ObjectAssert {
    package let condition: Node
    package let message: Node?
    package let range: SourceRange
}

/// `{ local ..., fields..., assert ... }`.
///
/// Field bodies and asserts are evaluated in a frame holding the object locals,
/// `self` and the layer used for `super`. Computed field names are evaluated
/// outside that frame (they cannot see locals or `self`).
package final class ObjectLiteral: Node {
    package let locals: [Binding]
    package let fields: [ObjectField]
    package let asserts: [ObjectAssert]
    /// Filled by the evaluator on first use: the slot table shared by every
    /// instance of this literal when all names are fixed.
    package var layoutCache: AnyObject?
    package init(locals: [Binding], fields: [ObjectField], asserts: [ObjectAssert], range: SourceRange) {
        self.locals = locals
        self.fields = fields
        self.asserts = asserts
        super.init(kind: .object, range: range)
    }
}

/// `{ local ..., [name]: value for x in e if c ... }`.
package final class ObjectComprehension: Node {
    package let locals: [Binding]
    package let name: Node
    package let visibility: Visibility
    package let plus: Bool
    package let body: Node
    package let specs: [ComprehensionSpec]
    package init(locals: [Binding], name: Node, visibility: Visibility, plus: Bool, body: Node,
                specs: [ComprehensionSpec], range: SourceRange) {
        self.locals = locals
        self.name = name
        self.visibility = visibility
        self.plus = plus
        self.body = body
        self.specs = specs
        super.init(kind: .objectComprehension, range: range)
    }
}

/// `import "path"` (kind `.import`), `importstr` (`.importStr`), `importbin` (`.importBin`).
package final class ImportNode: Node {
    package let path: String
    package init(kind: NodeKind, path: String, range: SourceRange) {
        precondition(kind == .import || kind == .importStr || kind == .importBin)
        self.path = path
        super.init(kind: kind, range: range)
    }
}
