/// A parameter of a native builtin, with an optional default.
package struct BuiltinParameter: @unchecked Sendable {
    package let name: String
    /// The value used when the argument is omitted; nil means required.
    package let defaultValue: Value?

    package init(_ name: String, default defaultValue: Value? = nil) {
        self.name = name
        self.defaultValue = defaultValue
    }
}

/// A native function of the `std` object (or one registered by the host).
///
/// Most builtins take their arguments already evaluated; the arity-specific cases
/// avoid allocating an argument array on hot paths. `lazy` builtins receive
/// unevaluated arguments and force only what they need.
package final class Builtin: @unchecked Sendable {
    package enum Implementation {
        case unary((Value, Interpreter) throws -> Value)
        case binary((Value, Value, Interpreter) throws -> Value)
        case ternary((Value, Value, Value, Interpreter) throws -> Value)
        case nary(([Value], Interpreter) throws -> Value)
        case lazy(([Lazy], Interpreter) throws -> Value)
    }

    /// The name as go-jsonnet reports it in errors (without `std.`).
    package let name: String
    package let parameters: [BuiltinParameter]
    package let implementation: Implementation
    /// Set for builtins that report where they were called from (`std.trace`):
    /// the call site is then recorded in `Interpreter.callSite`.
    package var wantsCallSite = false

    package init(_ name: String, _ parameters: [BuiltinParameter], _ implementation: Implementation) {
        self.name = name
        self.parameters = parameters
        self.implementation = implementation
    }

    /// Convenience: a one-argument builtin.
    package convenience init(_ name: String, _ p: String, _ f: @escaping (Value, Interpreter) throws -> Value) {
        self.init(name, [BuiltinParameter(p)], .unary(f))
    }

    /// Convenience: a two-argument builtin.
    package convenience init(_ name: String, _ p1: String, _ p2: String,
                            _ f: @escaping (Value, Value, Interpreter) throws -> Value) {
        self.init(name, [BuiltinParameter(p1), BuiltinParameter(p2)], .binary(f))
    }

    /// Convenience: a three-argument builtin.
    package convenience init(_ name: String, _ p1: String, _ p2: String, _ p3: String,
                            _ f: @escaping (Value, Value, Value, Interpreter) throws -> Value) {
        self.init(name, [BuiltinParameter(p1), BuiltinParameter(p2), BuiltinParameter(p3)], .ternary(f))
    }
}
