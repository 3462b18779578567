/// std builtins: math.
///
/// Transcendental functions go through `GoMath` so results round exactly as
/// go-jsonnet's; results that are not finite raise go-jsonnet's `Not a number`
/// / `Overflow`. Functions that go-jsonnet writes in Jsonnet (abs, sign, max,
/// min, clamp, mod, log2, log10, deg2rad, rad2deg) keep its evaluation order
/// and messages.
let stdMath: [Builtin] = [
    Builtin("abs", "n") { n, ev in
        guard case .number(let x) = n else { throw ev.makeError("std.abs expected number, got \(n.typeName)") }
        return .number(x > 0 ? x : -x)
    },
    Builtin("sign", "n") { n, ev in
        guard case .number(let x) = n else { throw ev.makeError("std.sign expected number, got \(n.typeName)") }
        return .number(x > 0 ? 1 : (x < 0 ? -1 : 0))
    },
    Builtin("max", [BuiltinParameter("a"), BuiltinParameter("b")], .lazy { args, ev in
        let (a, b) = try minMaxOperands("max", args, ev)
        return .number(a > b ? a : b)
    }),
    Builtin("min", [BuiltinParameter("a"), BuiltinParameter("b")], .lazy { args, ev in
        let (a, b) = try minMaxOperands("min", args, ev)
        return .number(a < b ? a : b)
    }),
    Builtin("pow", "x", "n") { x, n, ev in
        try ev.finiteNumber(GoMath.pow(try Args.number(x, ev), try Args.number(n, ev)))
    },
    Builtin("exp", "x") { x, ev in try ev.finiteNumber(GoMath.exp(try Args.number(x, ev))) },
    Builtin("log", "x") { x, ev in try ev.finiteNumber(GoMath.log(try Args.number(x, ev))) },
    Builtin("log2", "x") { x, ev in
        try ev.finiteNumber(try finite(GoMath.log(try Args.number(x, ev)), ev) / GoMath.ln2)
    },
    Builtin("log10", "x") { x, ev in
        try ev.finiteNumber(try finite(GoMath.log(try Args.number(x, ev)), ev) / GoMath.ln10)
    },
    Builtin("exponent", "x") { x, ev in .number(Double(GoMath.frexp(try Args.number(x, ev)).1)) },
    Builtin("mantissa", "x") { x, ev in .number(GoMath.frexp(try Args.number(x, ev)).0) },
    Builtin("floor", "x") { x, ev in .number(try Args.number(x, ev).rounded(.down)) },
    Builtin("ceil", "x") { x, ev in .number(try Args.number(x, ev).rounded(.up)) },
    Builtin("sqrt", "x") { x, ev in try ev.finiteNumber(try Args.number(x, ev).squareRoot()) },
    Builtin("sin", "x") { x, ev in try ev.finiteNumber(GoMath.sin(try Args.number(x, ev))) },
    Builtin("cos", "x") { x, ev in try ev.finiteNumber(GoMath.cos(try Args.number(x, ev))) },
    Builtin("tan", "x") { x, ev in try ev.finiteNumber(GoMath.tan(try Args.number(x, ev))) },
    Builtin("asin", "x") { x, ev in try ev.finiteNumber(GoMath.asin(try Args.number(x, ev))) },
    Builtin("acos", "x") { x, ev in try ev.finiteNumber(GoMath.acos(try Args.number(x, ev))) },
    Builtin("atan", "x") { x, ev in try ev.finiteNumber(GoMath.atan(try Args.number(x, ev))) },
    Builtin("atan2", "y", "x") { y, x, ev in
        try ev.finiteNumber(GoMath.atan2(try Args.number(y, ev), try Args.number(x, ev)))
    },
    Builtin("round", "x") { x, ev in .number(try Args.number(x, ev).rounded(.toNearestOrAwayFromZero)) },
    Builtin("mod", "a", "b") { a, b, ev in try ev.binary(.modulo, a, b) },
    Builtin("modulo", "x", "y") { x, y, ev in
        let a = try Args.number(x, ev)
        let b = try Args.number(y, ev)
        if b == 0 { throw ev.makeError("Division by zero.") }
        return try ev.finiteNumber(a.truncatingRemainder(dividingBy: b))
    },
    Builtin("clamp", [BuiltinParameter("x"), BuiltinParameter("minVal"), BuiltinParameter("maxVal")], .lazy { args, ev in
        let x = try args[0].force(ev)
        let lo = try args[1].force(ev)
        if try order(x, lo, ev) < 0 { return lo }
        let hi = try args[2].force(ev)
        if try order(x, hi, ev) > 0 { return hi }
        return x
    }),
    Builtin("isEven", "x") { x, ev in
        .bool(try Args.number(x, ev).rounded(.towardZero).truncatingRemainder(dividingBy: 2) == 0)
    },
    Builtin("isOdd", "x") { x, ev in
        .bool(try Args.number(x, ev).rounded(.towardZero).truncatingRemainder(dividingBy: 2) != 0)
    },
    Builtin("isInteger", "x") { x, ev in
        let v = try Args.number(x, ev)
        return .bool(v.rounded(.towardZero) == v)
    },
    Builtin("isDecimal", "x") { x, ev in
        let v = try Args.number(x, ev)
        return .bool(v.rounded(.towardZero) != v)
    },
    Builtin("deg2rad", "x") { x, ev in
        try ev.finiteNumber(try finite(try Args.number(x, ev) * Double.pi, ev) / 180)
    },
    Builtin("rad2deg", "x") { x, ev in
        try ev.finiteNumber(try finite(try Args.number(x, ev) * 180, ev) / Double.pi)
    },
    Builtin("hypot", "x", "y") { x, y, ev in
        try ev.finiteNumber(GoMath.hypot(try Args.number(x, ev), try Args.number(y, ev)))
    },
    Builtin("xor", "x", "y") { x, y, ev in
        let a = try Args.bool(x, ev)
        return .bool(a != (try Args.bool(y, ev)))
    },
    Builtin("xnor", "x", "y") { x, y, ev in
        let a = try Args.bool(x, ev)
        return .bool(a == (try Args.bool(y, ev)))
    },
]



/// `x` if finite, else go-jsonnet's error for NaN / infinity.
@inline(__always)
private func finite(_ x: Double, _ ev: Interpreter) throws -> Double {
    if x.isFinite { return x }
    throw ev.makeError(x.isNaN ? "Not a number" : "Overflow")
}


/// `std.log(2)` and `std.log(10)`, the divisors of std.log2 / std.log10.

/// Forces and checks the operands of std.max / std.min in go-jsonnet's order.
private func minMaxOperands(_ name: String, _ args: [Lazy], _ ev: Interpreter) throws -> (Double, Double) {
    let a = try args[0].force(ev)
    guard case .number(let x) = a else {
        throw ev.makeError("std.\(name) first param expected number, got \(a.typeName)")
    }
    let b = try args[1].force(ev)
    guard case .number(let y) = b else {
        throw ev.makeError("std.\(name) second param expected number, got \(b.typeName)")
    }
    return (x, y)
}

/// The ordering `<` and `>` use: -1, 0 or 1 (type errors as the operators raise them).
@inline(__always)
private func order(_ l: Value, _ r: Value, _ ev: Interpreter) throws -> Int {
    if case .number(let a) = l, case .number(let b) = r { return a < b ? -1 : (a > b ? 1 : 0) }
    return try ev.compare(l, r)
}
