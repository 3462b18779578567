#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Interpreter {
    /// `lhs op rhs`. The right operand is where recursion nests (`x + f(x - 1)`), so
    /// this frame holds only the operands; the operator and its error trace run in
    /// `applyBinary`, the short-circuit operators in `evalLogical`.
    func evalBinary(_ b: Binary, _ env: Env) throws -> Value {
        if b.op == .and || b.op == .or { return try evalLogical(b, env) }
        let l = try eval(b.lhs, env)
        let r = try eval(b.rhs, env)
        return try applyBinary(b, l, r)
    }

    /// `'literal' % args` (a `.format` node): by the resolver's template when it has
    /// one, with an array literal of variables and constants read without building
    /// the array; otherwise (or for values the template does not render) as `%`.
    @inline(never)
    func evalFormat(_ b: Binary, _ env: Env) throws -> Value {
        guard let t = b.format else { return try applyBinary(b, try eval(b.lhs, env), try eval(b.rhs, env)) }
        // (The left operand is the literal: evaluating it again costs nothing and cannot fail.)
        let r: Value? = t.arguments == nil ? try eval(b.rhs, env) : nil
        do {
            var s: JString? = nil
            if let arguments = t.arguments {
                s = try render(t) { try lazy(arguments[$0], env).force(self) }
            } else if let r {
                s = try render(t, r)
            }
            if let s { return .string(s) }
        } catch let e as JsonnetError {
            throw binaryError(e, b, try eval(b.lhs, env), try r ?? eval(b.rhs, env))
        }
        return try applyBinary(b, try eval(b.lhs, env), try r ?? eval(b.rhs, env))
    }

    /// `&&` and `||`: the right operand only when the left does not decide.
    @inline(never)
    private func evalLogical(_ b: Binary, _ env: Env) throws -> Value {
        let l = try eval(b.lhs, env)
        guard case .bool(let lb) = l else { throw makeError("Unexpected type \(l.typeName), expected boolean", at: b) }
        if lb == (b.op == .or) { return .bool(lb) }
        let r = try eval(b.rhs, env)
        guard case .bool(let rb) = r else { throw makeError("Unexpected type \(r.typeName), expected boolean", at: b) }
        return .bool(rb)
    }

    /// Applies `b`'s operator to its computed operands; an error gets `b`'s place in its trace.
    @inline(never)
    private func applyBinary(_ b: Binary, _ l: Value, _ r: Value) throws -> Value {
        do {
            return try binary(b.op, l, r)
        } catch let e as JsonnetError {
            throw binaryError(e, b, l, r)
        }
    }

    /// `e`, raised applying `b` to `l` and `r`, with `b`'s place in its trace.
    @inline(never)
    private func binaryError(_ e: JsonnetError, _ b: Binary, _ l: Value, _ r: Value) -> JsonnetError {
        guard e.trace.isEmpty else { return e }
        var e = e
        if b.op == .modulo {
            // go-jsonnet evaluates `%` as a call of its std.mod: frames from there, and an unnamed call site.
            for frame in GoStdTrace.moduloFrames(e, l, r) { e.trace.append(frame) }
            e.trace.append(TraceFrame(range: b.range, name: ""))
        } else {
            e.trace.append(TraceFrame(at: b))
        }
        return e
    }

    /// `t % r` by the template: `r`'s elements, or `r` itself for one code.
    private func render(_ t: FormatTemplate, _ r: Value) throws -> JString? {
        if case .array(let a) = r {
            guard a.count == t.codes.count else { return nil }
            return try render(t) { try a[$0].force(self) }
        }
        // A single value that is not an array is the only value, unless it is an
        // object (then the codes need mapping keys: the general path says so).
        if t.codes.count != 1 { return nil }
        if case .object = r { return nil }
        return try render(t) { _ in r }
    }

    /// Applies a (non short-circuit) binary operator to two values.
    package func binary(_ op: BinaryOperator, _ l: Value, _ r: Value) throws -> Value {
        if case .number(let x) = l, case .number(let y) = r {
            switch op {
            case .plus: return try finiteNumber(x + y)
            case .minus: return try finiteNumber(x - y)
            case .multiply: return try finiteNumber(x * y)
            case .divide:
                if y == 0 { throw makeError("Division by zero.") }
                return try finiteNumber(x / y)
            case .modulo:
                if y == 0 { throw makeError("Division by zero.") }
                return try finiteNumber(fmod(x, y))
            case .less: return .bool(x < y)
            case .lessEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterEqual: return .bool(x >= y)
            case .equal: return .bool(x == y)
            case .notEqual: return .bool(x != y)
            case .shiftLeft, .shiftRight, .bitAnd, .bitOr, .bitXor:
                let a = try bitwiseOperand(x)
                let c = try bitwiseOperand(y)
                switch op {
                case .shiftLeft:
                    if c < 0 { throw makeError("Shift by negative exponent.") }
                    let shifted = a << (c % 64)
                    if shifted >> (c % 64) != a {
                        throw makeError("Bitwise shift result of \(a) << \(c % 64) is outside the 64-bit integer range")
                    }
                    return .number(Double(shifted))
                case .shiftRight:
                    if c < 0 { throw makeError("Shift by negative exponent.") }
                    return .number(Double(a >> (c % 64)))
                case .bitAnd: return .number(Double(a & c))
                case .bitOr: return .number(Double(a | c))
                default: return .number(Double(a ^ c))
                }
            case .in:
                throw makeError("Unexpected type number, expected string")
            case .and, .or:
                throw makeError("Unexpected type number, expected boolean")
            }
        }
        switch op {
        case .plus:
            return try plus(l, r)
        case .equal:
            return .bool(try equals(l, r))
        case .notEqual:
            return .bool(!(try equals(l, r)))
        case .less:
            return .bool(try compare(l, r) < 0)
        case .lessEqual:
            return .bool(try compare(l, r) <= 0)
        case .greater:
            return .bool(try compare(l, r) > 0)
        case .greaterEqual:
            return .bool(try compare(l, r) >= 0)
        case .in:
            guard case .string(let name) = l else { throw typeError(l, expected: "string") }
            guard case .object(let o) = r else { throw typeError(r, expected: "object") }
            return .bool(o.has(name.string))
        case .modulo:
            if case .string(let fmt) = l {
                return .string(try formatString(fmt.string, r))
            }
            throw makeError("Operator % cannot be used on types \(l.typeName) and \(r.typeName).")
        default:
            if case .number = l { throw typeError(r, expected: "number") }
            throw typeError(l, expected: "number")
        }
    }

    /// A number result, or go-jsonnet's error for NaN ("Not a number") and infinity ("Overflow").
    @inline(__always)
    func finiteNumber(_ v: Double) throws -> Value {
        if v.isFinite { return .number(v) }
        if v.isNaN { throw makeError("Not a number") }
        throw makeError("Overflow")
    }

    private func bitwiseOperand(_ x: Double) throws -> Int64 {
        if x < -9223372036854775808.0 || x >= 9223372036854775808.0 || x.isNaN {
            throw makeError("Bitwise operator argument \(formatGoFloat(x)) outside of range [-9223372036854775808, 9223372036854775807]")
        }
        return Int64(x)
    }

    /// `l + r` for every type combination Jsonnet allows.
    package func plus(_ l: Value, _ r: Value) throws -> Value {
        switch (l, r) {
        case (.number(let x), .number(let y)):
            return try finiteNumber(x + y)
        case (.string(let a), .string(let b)):
            return .string(try concat(a, b))
        case (.string(let a), _):
            return .string(try concat(a, try stringOperand(r)))
        case (_, .string(let b)):
            return .string(try concat(try stringOperand(l), b))
        case (.array(let a), .array(let b)):
            if a.count == 0 { return r }
            if b.count == 0 { return l }
            try reserve(a.count + b.count, elementBytes: MemoryLayout<Lazy>.stride)
            return .array(JArray.concat(a, b))
        case (.object(let a), .object(let b)):
            return .object(JObject.extend(a, b, heap: heap))
        default:
            if l.typeName == r.typeName || l.typeName == "null" || l.typeName == "boolean" || l.typeName == "function" {
                throw makeError("Unexpected type \(l.typeName)")
            }
            throw typeError(r, expected: l.typeName)
        }
    }

    /// `a + b` for strings, within the size bounds.
    @inline(__always)
    private func concat(_ a: JString, _ b: JString) throws -> JString {
        let n = a.count + b.count
        if n >= MemoryBudget.largeBytes { try reserve(n, elementBytes: 1) }
        return JString.concat(a, b)
    }

    func evalUnary(_ u: Unary, _ env: Env) throws -> Value {
        let v = try eval(u.operand, env)
        switch (u.op, v) {
        case (.minus, .number(let x)): return .number(-x)
        case (.plus, .number(let x)): return .number(x)
        case (.not, .bool(let b)): return .bool(!b)
        case (.bitNot, .number(let x)):
            return .number(Double(~(try bitwiseOperand(x))))
        case (.not, _):
            throw makeError("Unexpected type \(v.typeName), expected boolean", at: u)
        default:
            throw makeError("Unexpected type \(v.typeName), expected number", at: u)
        }
    }

    /// Deep equality as `==` and `std.equals` define it.
    package func equals(_ l: Value, _ r: Value) throws -> Bool {
        switch (l, r) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return JString.equal(a, b)
        case (.array(let a), .array(let b)):
            if a === b { return true }
            if a.count != b.count { return false }
            try enter()
            defer { leave() }
            var i = 0
            while i < a.count {
                let ra = a.run(at: i), rb = b.run(at: i)
                let end = Swift.max(i &+ 1, Swift.min(ra.end, rb.end))
                while i < end {
                    let p = ra[i], q = rb[i]
                    i &+= 1
                    if case .value(.number(let x)) = p, case .value(.number(let y)) = q {
                        if x != y { return false }
                        continue
                    }
                    if !(try equals(p.force(self), q.force(self))) { return false }
                }
            }
            return true
        case (.object(let a), .object(let b)):
            if a === b { return true }
            try enter()
            defer { leave() }
            let fa = a.fieldNames(includeHidden: false)
            let fb = b.fieldNames(includeHidden: false)
            if fa != fb { return false }
            for name in fa {
                if !(try equals(a.get(name, self)!, b.get(name, self)!)) { return false }
            }
            return true
        case (.function, .function):
            throw makeError("Cannot test equality of functions")
        default:
            return false
        }
    }

    /// Ordering for `<` and `std.sort`: numbers, strings and arrays of those.
    package func compare(_ l: Value, _ r: Value) throws -> Int {
        switch (l, r) {
        case (.number(let a), .number(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.string(let a), .string(let b)): return JString.compare(a, b)
        case (.array(let a), .array(let b)):
            try enter()
            defer { leave() }
            let n = min(a.count, b.count)
            var i = 0
            while i < n {
                // Stretch by stretch, so views cost one dispatch per stretch.
                let ra = a.run(at: i), rb = b.run(at: i)
                let end = Swift.max(i &+ 1, Swift.min(ra.end, rb.end, n))
                while i < end {
                    let p = ra[i], q = rb[i]
                    i &+= 1
                    // Numbers already computed compare in place: no copies, no recursion.
                    if case .value(.number(let x)) = p, case .value(.number(let y)) = q {
                        if x < y { return -1 }
                        if x > y { return 1 }
                        continue
                    }
                    let c = try compare(p.force(self), q.force(self))
                    if c != 0 { return c }
                }
            }
            return a.count < b.count ? -1 : (a.count > b.count ? 1 : 0)
        case (.number, _), (.string, _), (.array, _):
            throw typeError(r, expected: l.typeName)
        default:
            // Like go-jsonnet, a left operand that has no order is the error.
            throw makeError("Unexpected type \(l.typeName)")
        }
    }

    /// `std.toString`: strings as they are, everything else as compact JSON.
    /// The other operand of `string + x` as text: numbers (`'l' + i`), booleans and
    /// null without a manifester.
    @inline(__always)
    private func stringOperand(_ v: Value) throws -> JString {
        switch v {
        case .number(let d):
            let s = formatNumber(d)
            return JString(s, count: s.utf8.count, isASCII: true)
        default:
            return JString(try toStringValue(v))
        }
    }

    package func toStringValue(_ v: Value) throws -> String {
        if case .string(let s) = v { return s.string }
        return try manifestForError(v)
    }
}
