/// Argument checks shared by the std builtins, with go-jsonnet's messages.
enum Args {
    /// A number argument.
    @inline(__always)
    static func number(_ v: Value, _ ev: Interpreter) throws -> Double {
        guard case .number(let d) = v else { throw ev.typeError(v, expected: "number") }
        return d
    }

    /// An integral number argument in go-jsonnet's range (a 32-bit int), with its
    /// message: `Expected an integer, but got 1.5` (or `9e+18`). Sizes and counts
    /// computed from the result therefore never overflow an `Int`.
    static func int(_ v: Value, _ ev: Interpreter) throws -> Int {
        let d = try number(v, ev)
        guard d.rounded(.towardZero) == d, d >= -2147483648, d <= 2147483647 else {
            throw ev.makeError("Expected an integer, but got \(formatGoFloat(d))")
        }
        return Int(d)
    }

    /// A string argument.
    @inline(__always)
    static func string(_ v: Value, _ ev: Interpreter) throws -> JString {
        guard case .string(let s) = v else { throw ev.typeError(v, expected: "string") }
        return s
    }

    /// An array argument.
    @inline(__always)
    static func array(_ v: Value, _ ev: Interpreter) throws -> JArray {
        guard case .array(let a) = v else { throw ev.typeError(v, expected: "array") }
        return a
    }

    /// An object argument.
    @inline(__always)
    static func object(_ v: Value, _ ev: Interpreter) throws -> JObject {
        guard case .object(let o) = v else { throw ev.typeError(v, expected: "object") }
        return o
    }

    /// A function argument.
    @inline(__always)
    static func function(_ v: Value, _ ev: Interpreter) throws -> JFunction {
        guard case .function(let f) = v else { throw ev.typeError(v, expected: "function") }
        return f
    }

    /// A boolean argument.
    @inline(__always)
    static func bool(_ v: Value, _ ev: Interpreter) throws -> Bool {
        guard case .bool(let b) = v else { throw ev.typeError(v, expected: "boolean") }
        return b
    }

    /// The elements of an array, or the one-character strings of a string; nil otherwise.
    static func elements(_ v: Value, _ ev: Interpreter) throws -> ContiguousArray<Lazy>? {
        switch v {
        case .array(let a): return try a.elements(ev)
        case .string(let s): return characters(s)
        default: return nil
        }
    }

    /// The one-character strings of `s`.
    static func characters(_ s: JString) -> ContiguousArray<Lazy> {
        var out = ContiguousArray<Lazy>()
        out.reserveCapacity(s.count)
        if s.isASCII {
            for b in s.string.utf8 { out.append(.value(.string(JString.of(Unicode.Scalar(b))))) }
        } else {
            for c in s.string.unicodeScalars { out.append(.value(.string(JString.of(c)))) }
        }
        return out
    }
}

/// `d` truncated to an Int, saturating instead of trapping on huge values and NaN.
@inline(__always)
func clampToInt(_ d: Double) -> Int {
    if d.isNaN { return 0 }
    if d >= 9.2e18 { return Int.max / 2 }
    if d <= -9.2e18 { return Int.min / 2 }
    return Int(d.rounded(.towardZero))
}

extension Interpreter {
    /// A lazy element whose value is `fn(args...)`, computed on first use. Like go-jsonnet,
    /// a failing call made from such a builtin-made element leaves an unlocated, unnamed frame.
    @inline(__always)
    func deferredCall(_ fn: JFunction, _ args: ContiguousArray<Lazy>) -> Lazy {
        // A function whose body is a literal (`function(_) 'x'`) returns it whatever the
        // arguments are, and a call with exactly its parameters cannot fail: no thunk.
        if case .closure(let f, let cenv) = fn.body, f.parameters.count == args.count {
            if let v = f.body.literalValue { return .value(v) }
            // Exactly its parameters: the frame the call would bind, bound now.
            return .thunk(Thunk(call: f, in: Env(parent: cenv, slots: args, heap: heap), heap: heap))
        }
        return .thunk(Thunk(heap: heap) { [unowned self] in
            do {
                return try self.call(fn, args)
            } catch var e as JsonnetError {
                e.trace.append(TraceFrame(range: .none, name: ""))
                throw e
            }
        })
    }

    /// `fn(args...)` now.
    @inline(__always)
    func callNow(_ fn: JFunction, _ args: Lazy...) throws -> Value {
        try call(fn, ContiguousArray(args))
    }
}
