/// The Jsonnet abstract syntax tree.
///
/// Nodes are final classes tagged with a `kind`, so the evaluator dispatches with
/// one `switch` and an unchecked downcast instead of dynamic casts. The parser
/// builds the tree with names; `Resolver` then annotates every variable and
/// `self`/`super`/`$` with the frame slot it reads, so evaluation never looks a
/// name up in a dictionary.
public class Node {
    /// Which concrete subclass this is.
    public let kind: NodeKind
    /// Where the node came from.
    public let range: SourceRange
    /// The frame name go-jsonnet prints beside this node in a stack trace (set by the resolver;
    /// nil where go-jsonnet prints none).
    var traceContext: TraceContext?

    init(kind: NodeKind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

/// The concrete node classes, one case each.
public enum NodeKind: UInt8, Sendable {
    case null, `true`, `false`, number, string
    case `self`, dollar, superIndex, inSuper
    case variable, local, function, apply, index, slice
    case binary, unary, conditional, error, assert
    case array, arrayComprehension, object, objectComprehension
    case `import`, importStr, importBin
}

/// `null`
public final class NullLiteral: Node {
    public init(range: SourceRange) { super.init(kind: .null, range: range) }
}

/// `true` (kind `.true`) or `false` (kind `.false`).
public final class BoolLiteral: Node {
    public let value: Bool
    public init(_ value: Bool, range: SourceRange) {
        self.value = value
        super.init(kind: value ? .true : .false, range: range)
    }
}

/// A number literal, already converted to a double (digit separators removed).
public final class NumberLiteral: Node {
    public let value: Double
    public init(_ value: Double, range: SourceRange) {
        self.value = value
        super.init(kind: .number, range: range)
    }
}

/// A string literal of any syntax (quoted, verbatim, text block) with escapes decoded.
public final class StringLiteral: Node {
    public let value: String
    /// Set by the parser for `|||` text blocks (imports reject them).
    public let isTextBlock: Bool
    /// The runtime string, built once by the resolver.
    public var constant: JString?
    public init(_ value: String, isTextBlock: Bool = false, range: SourceRange) {
        self.value = value
        self.isTextBlock = isTextBlock
        super.init(kind: .string, range: range)
    }
}

/// `self`. `depth` is the number of frames between the use and the object frame.
public final class SelfNode: Node {
    public var depth: Int32 = -1
    public init(range: SourceRange) { super.init(kind: .self, range: range) }
}

/// `$`: the outermost object's `self`. `depth` as for `SelfNode`.
public final class DollarNode: Node {
    public var depth: Int32 = -1
    public init(range: SourceRange) { super.init(kind: .dollar, range: range) }
}

/// `super.f` or `super[e]` (the parser turns `super.f` into a string-literal index).
public final class SuperIndex: Node {
    public let index: Node
    public var depth: Int32 = -1
    public init(index: Node, range: SourceRange) {
        self.index = index
        super.init(kind: .superIndex, range: range)
    }
}

/// `e in super`.
public final class InSuper: Node {
    public let field: Node
    public var depth: Int32 = -1
    public init(field: Node, range: SourceRange) {
        self.field = field
        super.init(kind: .inSuper, range: range)
    }
}

/// A variable reference, resolved to `(depth, index)`: walk `depth` frames up, read slot `index`.
public final class Variable: Node {
    public let name: String
    public var depth: Int32 = -1
    public var index: Int32 = -1
    public init(name: String, range: SourceRange) {
        self.name = name
        super.init(kind: .variable, range: range)
    }
}

/// One `name = body` binding of a `local` (function sugar `f(x) = e` is already a `Function` body).
public struct Binding {
    public let name: String
    public let body: Node
    public let range: SourceRange
    public init(name: String, body: Node, range: SourceRange) {
        self.name = name
        self.body = body
        self.range = range
    }
}

/// `local a = e1, b = e2; body`. The bindings form one frame and see each other.
public final class Local: Node {
    public let bindings: [Binding]
    public let body: Node
    public init(bindings: [Binding], body: Node, range: SourceRange) {
        self.bindings = bindings
        self.body = body
        super.init(kind: .local, range: range)
    }
}

/// One function parameter with its optional default (evaluated in the call's frame).
public struct Parameter {
    public let name: String
    public let defaultValue: Node?
    public let range: SourceRange
    public init(name: String, defaultValue: Node?, range: SourceRange) {
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
    }
}

/// `function(params) body`. A call makes one frame holding the parameters.
public final class Function: Node {
    public let parameters: [Parameter]
    public let body: Node
    /// The name of the binding or field this function was defined as, for stack traces.
    public var name: String?
    public init(parameters: [Parameter], body: Node, range: SourceRange) {
        self.parameters = parameters
        self.body = body
        super.init(kind: .function, range: range)
    }
}

/// A named argument `name = value` in a call.
public struct NamedArgument {
    public let name: String
    public let value: Node
    public init(name: String, value: Node) {
        self.name = name
        self.value = value
    }
}

/// `target(positional..., named...)`, optionally `tailstrict`.
public final class Apply: Node {
    public let target: Node
    public let positional: [Node]
    public let named: [NamedArgument]
    public let tailStrict: Bool
    public init(target: Node, positional: [Node], named: [NamedArgument], tailStrict: Bool, range: SourceRange) {
        self.target = target
        self.positional = positional
        self.named = named
        self.tailStrict = tailStrict
        super.init(kind: .apply, range: range)
    }
}

/// `target[index]` or `target.name` (then `index` is a `StringLiteral` and `fieldName` is set).
public final class Index: Node {
    public let target: Node
    public let index: Node
    /// The field name when the index is a constant string (`a.b`, `a["b"]`).
    public let fieldName: String?
    public init(target: Node, index: Node, range: SourceRange) {
        self.target = target
        self.index = index
        self.fieldName = (index as? StringLiteral)?.value
        super.init(kind: .index, range: range)
    }
}

/// `target[begin:end:step]` with any part omitted.
public final class Slice: Node {
    public let target: Node
    public let begin: Node?
    public let end: Node?
    public let step: Node?
    public init(target: Node, begin: Node?, end: Node?, step: Node?, range: SourceRange) {
        self.target = target
        self.begin = begin
        self.end = end
        self.step = step
        super.init(kind: .slice, range: range)
    }
}

/// Binary operators. `a { ... }` is parsed as `.plus` with an object right-hand side.
public enum BinaryOperator: UInt8, Sendable {
    case multiply, divide, modulo
    case plus, minus
    case shiftLeft, shiftRight
    case less, lessEqual, greater, greaterEqual, `in`
    case equal, notEqual
    case bitAnd, bitXor, bitOr
    case and, or

    /// The operator as written in source.
    public var symbol: String {
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
public final class Binary: Node {
    public let op: BinaryOperator
    public let lhs: Node
    public let rhs: Node
    public init(op: BinaryOperator, lhs: Node, rhs: Node, range: SourceRange) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        super.init(kind: .binary, range: range)
    }
}

/// Unary operators.
public enum UnaryOperator: UInt8, Sendable {
    case minus, plus, not, bitNot

    /// The operator as written in source.
    public var symbol: String {
        switch self {
        case .minus: "-"
        case .plus: "+"
        case .not: "!"
        case .bitNot: "~"
        }
    }
}

/// `op operand`.
public final class Unary: Node {
    public let op: UnaryOperator
    public let operand: Node
    public init(op: UnaryOperator, operand: Node, range: SourceRange) {
        self.op = op
        self.operand = operand
        super.init(kind: .unary, range: range)
    }
}

/// `if cond then a else b` (`else` optional: then it yields null).
public final class Conditional: Node {
    public let condition: Node
    public let then: Node
    public let otherwise: Node?
    public init(condition: Node, then: Node, otherwise: Node?, range: SourceRange) {
        self.condition = condition
        self.then = then
        self.otherwise = otherwise
        super.init(kind: .conditional, range: range)
    }
}

/// `error expr`.
public final class ErrorNode: Node {
    public let message: Node
    public init(message: Node, range: SourceRange) {
        self.message = message
        super.init(kind: .error, range: range)
    }
}

/// `assert cond : message; rest`.
public final class AssertNode: Node {
    public let condition: Node
    public let message: Node?
    public let rest: Node
    public init(condition: Node, message: Node?, rest: Node, range: SourceRange) {
        self.condition = condition
        self.message = message
        self.rest = rest
        super.init(kind: .assert, range: range)
    }
}

/// `[a, b, c]`.
public final class ArrayLiteral: Node {
    public let elements: [Node]
    public init(elements: [Node], range: SourceRange) {
        self.elements = elements
        super.init(kind: .array, range: range)
    }
}

/// One `for x in e` or `if e` clause of a comprehension.
public enum ComprehensionSpec {
    case forIn(variable: String, sequence: Node, range: SourceRange)
    case ifCondition(Node, range: SourceRange)
}

/// `[body for x in e if c ...]`. Each `for` makes one frame holding its variable.
public final class ArrayComprehension: Node {
    public let body: Node
    public let specs: [ComprehensionSpec]
    public init(body: Node, specs: [ComprehensionSpec], range: SourceRange) {
        self.body = body
        self.specs = specs
        super.init(kind: .arrayComprehension, range: range)
    }
}

/// Field visibility: `:` inherits, `::` hides, `:::` forces visible.
public enum Visibility: UInt8, Sendable {
    case inherit, hidden, visible
}

/// A field's name: a constant (identifier or string literal) or a computed `[expr]`.
public enum FieldName {
    case fixed(String)
    case computed(Node)
}

/// One field of an object literal. Method sugar `f(x): e` arrives as a `Function` body.
public struct ObjectField {
    public let name: FieldName
    public let visibility: Visibility
    /// `+:` (and `+::`, `+:::`).
    public let plus: Bool
    public let body: Node
    public let range: SourceRange
    public init(name: FieldName, visibility: Visibility, plus: Bool, body: Node, range: SourceRange) {
        self.name = name
        self.visibility = visibility
        self.plus = plus
        self.body = body
        self.range = range
    }
}

/// One `assert cond : message` inside an object.
public struct ObjectAssert {
    public let condition: Node
    public let message: Node?
    public let range: SourceRange
    public init(condition: Node, message: Node?, range: SourceRange) {
        self.condition = condition
        self.message = message
        self.range = range
    }
}

/// `{ local ..., fields..., assert ... }`.
///
/// Field bodies and asserts are evaluated in a frame holding the object locals,
/// `self` and the layer used for `super`. Computed field names are evaluated
/// outside that frame (they cannot see locals or `self`).
public final class ObjectLiteral: Node {
    public let locals: [Binding]
    public let fields: [ObjectField]
    public let asserts: [ObjectAssert]
    /// Filled by the evaluator on first use: the slot table shared by every
    /// instance of this literal when all names are fixed.
    public var layoutCache: AnyObject?
    public init(locals: [Binding], fields: [ObjectField], asserts: [ObjectAssert], range: SourceRange) {
        self.locals = locals
        self.fields = fields
        self.asserts = asserts
        super.init(kind: .object, range: range)
    }
}

/// `{ local ..., [name]: value for x in e if c ... }`.
public final class ObjectComprehension: Node {
    public let locals: [Binding]
    public let name: Node
    public let visibility: Visibility
    public let plus: Bool
    public let body: Node
    public let specs: [ComprehensionSpec]
    public init(locals: [Binding], name: Node, visibility: Visibility, plus: Bool, body: Node,
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
public final class ImportNode: Node {
    public let path: String
    public init(kind: NodeKind, path: String, range: SourceRange) {
        precondition(kind == .import || kind == .importStr || kind == .importBin)
        self.path = path
        super.init(kind: kind, range: range)
    }
}
