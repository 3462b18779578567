/// std.format and the `%` operator on strings.
let stdFormat: [Builtin] = [
    Builtin("format", "str", "vals") { s, v, ev in
        guard case .string(let fmt) = s else { throw ev.typeError(s, expected: "string") }
        return .str(try ev.format(fmt.string, v))
    },
]

extension Interpreter {
    /// `fmt % args` with Python-style conversions, as go-jsonnet implements them.
    public func format(_ fmt: String, _ args: Value) throws -> String {
        throw makeError("std.format is not implemented yet")
    }
}
