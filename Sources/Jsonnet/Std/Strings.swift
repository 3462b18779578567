#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// std builtins: strings (code points, substrings, splitting, stripping,
/// replacing, case, escaping and integer parsing).
///
/// Everything works on UTF-8 bytes; code-point positions are derived by counting
/// lead bytes. Error messages follow go-jsonnet 0.22 exactly, including its quirks
/// for non-string arguments.
let stdStrings: [Builtin] = [
    Builtin("codepoint", "str") { x, ev in
        guard case .string(let s) = x else { throw ev.typeError(x, expected: "string") }
        if s.count != 1 { throw ev.makeError("codepoint takes a string of length 1, got length \(s.count)") }
        return .number(Double(s.scalar(at: 0).value))
    },
    Builtin("char", "n") { x, ev in
        guard case .number(let n) = x else { throw ev.typeError(x, expected: "number") }
        return .string(try stringsChar(n, ev))
    },
    Builtin("substr", "str", "from", "len") { s, f, l, ev in try stringsSubstr(s, f, l, ev) },
    Builtin("findSubstr", [BuiltinParameter("pat"), BuiltinParameter("str")], .lazy { args, ev in
        // Like go-jsonnet, `pat` is checked before `str` is evaluated.
        let p = try args[0].force(ev)
        guard case .string(let pat) = p else {
            throw ev.makeError("findSubstr first parameter should be a string, got \(p.typeName)")
        }
        let s = try args[1].force(ev)
        guard case .string(let str) = s else {
            throw ev.makeError("findSubstr second parameter should be a string, got \(s.typeName)")
        }
        return .array(JArray(values: findSubstrings(pat, str)))
    }),
    Builtin("startsWith", [BuiltinParameter("a"), BuiltinParameter("b")], .lazy { args, ev in
        // Like go-jsonnet, the length of `a` is taken before `b` is evaluated.
        let a = try args[0].force(ev)
        if case .string = a {} else { _ = try genericLength(a, ev) }
        let b = try args[1].force(ev)
        if case .string(let x) = a, case .string(let y) = b {
            return .bool(hasAffix(x, y, suffix: false))
        }
        return .bool(try affixFallback(a, b, suffix: false, ev))
    }),
    Builtin("endsWith", [BuiltinParameter("a"), BuiltinParameter("b")], .lazy { args, ev in
        // Like go-jsonnet, the length of `a` is taken before `b` is evaluated.
        let a = try args[0].force(ev)
        if case .string = a {} else { _ = try genericLength(a, ev) }
        let b = try args[1].force(ev)
        if case .string(let x) = a, case .string(let y) = b {
            return .bool(hasAffix(x, y, suffix: true))
        }
        return .bool(try affixFallback(a, b, suffix: true, ev))
    }),
    Builtin("stripChars", "str", "chars") { s, c, ev in try strip(s, c, left: true, right: true, ev) },
    Builtin("lstripChars", "str", "chars") { s, c, ev in try strip(s, c, left: true, right: false, ev) },
    Builtin("rstripChars", "str", "chars") { s, c, ev in try strip(s, c, left: false, right: true, ev) },
    Builtin("trim", "str") { x, ev in
        guard case .string(let s) = x else { throw ev.typeError(x, expected: "string") }
        return .string(stripScalars(s, left: true, right: true, where: isGoSpace))
    },
    Builtin("split", [BuiltinParameter("str"), BuiltinParameter("c")], .lazy { args, ev in
        // Like go-jsonnet, `str` is checked before `c` is evaluated.
        let s = try args[0].force(ev)
        guard case .string(let str) = s else {
            throw ev.makeError("std.split first parameter must be a String, got \(s.typeName)")
        }
        let c = try args[1].force(ev)
        guard case .string(let sep) = c else {
            throw ev.makeError("std.split second parameter must be a String, got \(c.typeName)")
        }
        if sep.count == 0 {
            throw ev.makeError("std.split second parameter must have length 1 or greater, got 0")
        }
        return .array(JArray(values: try splitString(str, sep, limit: -1, fromRight: false, ev)))
    }),
    Builtin("splitLimit", "str", "c", "maxsplits") { s, c, m, ev in
        try splitLimit(s, c, m, name: "splitLimit", fromRight: false, ev)
    },
    Builtin("splitLimitR", "str", "c", "maxsplits") { s, c, m, ev in
        try splitLimit(s, c, m, name: "splitLimitR", fromRight: true, ev)
    },
    Builtin("strReplace", "str", "from", "to") { s, f, t, ev in
        guard case .string(let str) = s else { throw ev.typeError(s, expected: "string") }
        guard case .string(let from) = f else { throw ev.typeError(f, expected: "string") }
        guard case .string(let to) = t else { throw ev.typeError(t, expected: "string") }
        if from.count == 0 { throw ev.makeError("'from' string must not be zero length.") }
        return .string(replaceAll(str, from, to))
    },
    Builtin("asciiUpper", "str") { x, ev in try asciiCase(x, upper: true, ev) },
    Builtin("asciiLower", "str") { x, ev in try asciiCase(x, upper: false, ev) },
    Builtin("stringChars", "str") { x, ev in
        if case .string(let s) = x { return .array(JArray(Args.characters(s))) }
        return .array(JArray(values: try pseudoChars(x, ev)))
    },
    Builtin("isEmpty", "str") { x, ev in
        guard case .string(let s) = x else { throw ev.typeError(x, expected: "string") }
        return .bool(s.count == 0)
    },
    Builtin("equalsIgnoreCase", "str1", "str2") { a, b, ev in
        guard case .string(let x) = a else { throw ev.typeError(a, expected: "string") }
        guard case .string(let y) = b else { throw ev.typeError(b, expected: "string") }
        return .bool(equalFold(x, y))
    },
    Builtin("escapeStringJson", "str_") { x, ev in
        .str(quoteJSONString(try ev.toStringValue(x)))
    },
    Builtin("escapeStringPython", "str") { x, ev in
        .str(quoteJSONString(try ev.toStringValue(x)))
    },
    Builtin("escapeStringBash", "str_") { x, ev in
        var out: [UInt8] = [UInt8(ascii: "'")]
        try escapeBytes(x, ev, into: &out) { $0 == UInt8(ascii: "'") ? "'\"'\"'" : nil }
        out.append(UInt8(ascii: "'"))
        return .str(String(decoding: out, as: UTF8.self))
    },
    Builtin("escapeStringDollars", "str_") { x, ev in
        var out: [UInt8] = []
        try escapeBytes(x, ev, into: &out) { $0 == UInt8(ascii: "$") ? "$$" : nil }
        return .str(String(decoding: out, as: UTF8.self))
    },
    Builtin("escapeStringXML", "str_") { x, ev in
        var out: [UInt8] = []
        try escapeBytes(x, ev, into: &out) { b -> StaticString? in
            switch b {
            case UInt8(ascii: "<"): return "&lt;"
            case UInt8(ascii: ">"): return "&gt;"
            case UInt8(ascii: "&"): return "&amp;"
            case UInt8(ascii: "\""): return "&quot;"
            case UInt8(ascii: "'"): return "&apos;"
            default: return nil
            }
        }
        return .str(String(decoding: out, as: UTF8.self))
    },
    Builtin("parseInt", "str") { x, ev in
        guard case .string(let s) = x else { throw ev.typeError(x, expected: "string") }
        guard let n = parseDecimalInt64(s) else { throw ev.makeError("\(s.string) is not a base 10 integer") }
        return .number(Double(n))
    },
    Builtin("parseOctal", "str") { x, ev in
        guard case .string(let s) = x else { throw ev.makeError("Expected string, got \(x.typeName)") }
        if s.count == 0 { throw ev.makeError("Not an octal number: \"\"") }
        return .number(try parseNatural(s, base: 8, ev))
    },
    Builtin("parseHex", "str") { x, ev in
        guard case .string(let s) = x else { throw ev.makeError("Expected string, got \(x.typeName)") }
        if s.count == 0 { throw ev.makeError("Not hexadecimal: \"\"") }
        return .number(try parseNatural(s, base: 16, ev))
    },
]

// MARK: - Byte helpers

/// Runs `body` over the UTF-8 bytes of `s`.
@inline(__always)
private func withBytes<R>(_ s: JString, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    var str = s.string
    return try str.withUTF8(body)
}

/// A string from a byte range of valid UTF-8 (cut at scalar boundaries).
@inline(__always)
private func slice(_ buf: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, ascii: Bool) -> JString {
    if lo >= hi { return JString.empty }
    let str = String(decoding: UnsafeBufferPointer(rebasing: buf[lo..<hi]), as: UTF8.self)
    if ascii { return JString(str, count: hi - lo, isASCII: true) }
    return JString(str)
}

/// Decodes the scalar starting at byte `i` of valid UTF-8; returns it and its width.
@inline(__always)
private func decodeScalar(_ buf: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
    let b0 = UInt32(buf[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(buf[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
        return ((b0 & 0x0F) << 12 | UInt32(buf[i + 1] & 0x3F) << 6 | UInt32(buf[i + 2] & 0x3F), 3)
    }
    return ((b0 & 0x07) << 18 | UInt32(buf[i + 1] & 0x3F) << 12 | UInt32(buf[i + 2] & 0x3F) << 6
            | UInt32(buf[i + 3] & 0x3F), 4)
}

/// Byte offset of the first occurrence of `pat` in `buf[from..<end]`, or nil.
@inline(__always)
private func indexOf(_ pat: UnsafeBufferPointer<UInt8>, in buf: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int? {
    let m = pat.count
    if m == 0 || end - from < m { return nil }
    let first = pat[0]
    var i = from
    let last = end - m
    let base = buf.baseAddress!
    let pbase = pat.baseAddress!
    while i <= last {
        guard let p = memchr(base + i, Int32(first), last - i + 1) else { return nil }
        let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
        if m == 1 || memcmp(base + at + 1, pbase + 1, m - 1) == 0 { return at }
        i = at + 1
    }
    return nil
}

/// Byte offset of the last occurrence of `pat` in `buf[0..<end]`, or nil.
@inline(__always)
private func lastIndexOf(_ pat: UnsafeBufferPointer<UInt8>, in buf: UnsafeBufferPointer<UInt8>, end: Int) -> Int? {
    let m = pat.count
    if m == 0 || end < m { return nil }
    let first = pat[0]
    var i = end - m
    let base = buf.baseAddress!
    let pbase = pat.baseAddress!
    while i >= 0 {
        if buf[i] == first && memcmp(base + i, pbase, m) == 0 { return i }
        i -= 1
    }
    return nil
}

// MARK: - char / substr

/// `std.char(n)`: the one-code-point string, with go-jsonnet's errors
/// (surrogates become U+FFFD). Shared with `%c`.
func stringsChar(_ n: Double, _ ev: Interpreter) throws -> JString {
    if n < 0 { throw ev.makeError("Codepoints must be >= 0, got \(formatGoFloat(n))") }
    if !(n < 1114112) || n > 1114111 {
        throw ev.makeError("Invalid unicode codepoint, got \(formatGoFloat(n))")
    }
    let cp = UInt32(n)
    return JString.of(Unicode.Scalar(cp) ?? "\u{FFFD}")
}


/// Go's `%f` of a float, used by substr's messages.
private func goFixed6(_ d: Double) -> String { cFormat("%f", d) }

private func stringsSubstr(_ s: Value, _ f: Value, _ l: Value, _ ev: Interpreter) throws -> Value {
    guard case .string(let str) = s else {
        throw ev.makeError("substr first parameter should be a string, got \(s.typeName)")
    }
    guard case .number(let from) = f else {
        throw ev.makeError("substr second parameter should be a number, got \(f.typeName)")
    }
    if from != from.rounded(.down) {
        throw ev.makeError("substr second parameter should be an integer, got \(goFixed6(from))")
    }
    if from < 0 {
        throw ev.makeError("substr second parameter should be greater than zero, got \(goFixed6(from))")
    }
    guard case .number(let len) = l else {
        throw ev.makeError("substr third parameter should be a number, got \(l.typeName)")
    }
    if len != len.rounded(.down) || len < -2147483648 || len > 2147483647 {
        throw ev.makeError("substr third parameter should be an integer, got \(goFixed6(len))")
    }
    if len < 0 {
        throw ev.makeError("substr third parameter should be greater than zero, got \(Int(len))")
    }
    if from >= Double(str.count) || len == 0 { return .string(JString.empty) }
    return .string(str.substring(from: Int(from), length: Int(len)))
}

// MARK: - findSubstr / startsWith / endsWith

private func findSubstrings(_ pat: JString, _ str: JString) -> [Value] {
    if pat.count == 0 || pat.count > str.count { return [] }
    var result: [Value] = []
    withBytes(pat) { p in
        withBytes(str) { buf in
            let ascii = str.isASCII
            var cp = 0        // code points before byte `pos`
            var pos = 0
            var from = 0
            while let at = indexOf(p, in: buf, from: from, end: buf.count) {
                if ascii {
                    cp = at
                } else {
                    while pos < at {
                        if buf[pos] & 0xC0 != 0x80 { cp += 1 }
                        pos += 1
                    }
                }
                result.append(.number(Double(cp)))
                // Overlapping matches: continue at the next scalar.
                from = at + 1
                while from < buf.count && buf[from] & 0xC0 == 0x80 { from += 1 }
            }
        }
    }
    return result
}

private func hasAffix(_ a: JString, _ b: JString, suffix: Bool) -> Bool {
    if b.count > a.count { return false }
    return withBytes(a) { x in
        withBytes(b) { y in
            if y.count > x.count { return false }
            if y.count == 0 { return true }
            let start = suffix ? x.count - y.count : 0
            return memcmp(x.baseAddress! + start, y.baseAddress!, y.count) == 0
        }
    }
}

/// go-jsonnet's `std.length` for the generic startsWith/endsWith path.
private func genericLength(_ v: Value, _ ev: Interpreter) throws -> Int {
    switch v {
    case .string(let s): return s.count
    case .array(let a): return a.count
    case .object(let o): return o.visibleCount
    case .function(let f): return f.arity
    default: throw ev.makeError("Unexpected type \(v.typeName)")
    }
}

/// startsWith/endsWith when an argument is not a string: compare lengths, then
/// the substring (which needs a string) with `b`.
private func affixFallback(_ a: Value, _ b: Value, suffix: Bool, _ ev: Interpreter) throws -> Bool {
    let la = try genericLength(a, ev)
    let lb = try genericLength(b, ev)
    if la < lb { return false }
    guard case .string(let s) = a else {
        throw ev.makeError("substr first parameter should be a string, got \(a.typeName)")
    }
    let sub = s.substring(from: suffix ? la - lb : 0, length: lb)
    return try ev.equals(.string(sub), b)
}

// MARK: - stripping

/// Go's `unicode.IsSpace`.
@inline(__always)
private func isGoSpace(_ c: UInt32) -> Bool {
    switch c {
    case 9...13, 32, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
    default: return false
    }
}

/// `s` without the leading and/or trailing code points matching `pred`.
private func stripScalars(_ s: JString, left: Bool, right: Bool, where pred: (UInt32) throws -> Bool) rethrows -> JString {
    if s.count == 0 { return s }
    return try withBytes(s) { buf in
        var lo = 0
        var hi = buf.count
        if left {
            while lo < hi {
                let (c, w) = decodeScalar(buf, lo)
                if try !pred(c) { break }
                lo += w
            }
        }
        if right {
            while hi > lo {
                var start = hi - 1
                while buf[start] & 0xC0 == 0x80 { start -= 1 }
                let (c, _) = decodeScalar(buf, start)
                if try !pred(c) { break }
                hi = start
            }
        }
        if lo == 0 && hi == buf.count { return s }
        return slice(buf, lo, hi, ascii: s.isASCII)
    }
}

private func strip(_ s: Value, _ c: Value, left: Bool, right: Bool, _ ev: Interpreter) throws -> Value {
    guard case .string(let str) = s else { throw ev.typeError(s, expected: "string") }
    if str.count == 0 { return s }
    switch c {
    case .string(let chars):
        if chars.isASCII {
            var table = (UInt64(0), UInt64(0))
            withBytes(chars) { b in
                for x in b { if x < 64 { table.0 |= 1 << UInt64(x) } else { table.1 |= 1 << UInt64(x - 64) } }
            }
            return .string(stripScalars(str, left: left, right: right) { c in
                c < 64 ? table.0 & (1 << UInt64(c)) != 0 : (c < 128 ? table.1 & (1 << UInt64(c - 64)) != 0 : false)
            })
        }
        let set = Set(chars.scalars.map(\.value))
        return .string(stripScalars(str, left: left, right: right) { set.contains($0) })
    case .array(let a):
        // std.member on an array: equality with the one-character string.
        var set = Set<UInt32>()
        for v in try a.values(ev) {
            if case .string(let e) = v, e.count == 1 { set.insert(e.scalar(at: 0).value) }
        }
        return .string(stripScalars(str, left: left, right: right) { set.contains($0) })
    default:
        throw ev.makeError("std.member first argument must be an array or a string")
    }
}

// MARK: - split / replace

private func splitLimit(_ s: Value, _ c: Value, _ m: Value, name: String, fromRight: Bool,
                        _ ev: Interpreter) throws -> Value {
    guard case .string(let str) = s else { throw ev.typeError(s, expected: "string") }
    guard case .string(let sep) = c else { throw ev.typeError(c, expected: "string") }
    guard case .number(let limit) = m else { throw ev.typeError(m, expected: "number") }
    if limit != limit.rounded(.down) || limit < -2147483648 || limit > 2147483647 {
        throw ev.makeError("Expected an integer, but got \(formatGoFloat(limit))")
    }
    if limit < -1 {
        throw ev.makeError("std.\(name) third parameter should be -1 or non-negative, got \(Int(limit))")
    }
    if sep.count == 0 {
        throw ev.makeError("std.\(name) second parameter should have length 1 or greater, got 0")
    }
    return .array(JArray(values: try splitString(str, sep, limit: Int(limit), fromRight: fromRight, ev)))
}

/// Splits `str` on `sep` (non-empty) at most `limit` times (-1: no limit),
/// scanning from the left or from the right.
private func splitString(_ str: JString, _ sep: JString, limit: Int, fromRight: Bool,
                         _ ev: Interpreter) throws -> [Value] {
    if limit == 0 || sep.count > str.count { return [.string(str)] }
    return try withBytes(sep) { p in
        try withBytes(str) { buf in
            let ascii = str.isASCII
            var parts: [Value] = []
            var splits = 0
            if !fromRight {
                var start = 0
                while limit < 0 || splits < limit, let at = indexOf(p, in: buf, from: start, end: buf.count) {
                    parts.append(.string(slice(buf, start, at, ascii: ascii)))
                    start = at + p.count
                    splits += 1
                    try ev.tick()
                }
                parts.append(.string(slice(buf, start, buf.count, ascii: ascii)))
                return parts
            }
            var end = buf.count
            while limit < 0 || splits < limit, let at = lastIndexOf(p, in: buf, end: end) {
                parts.append(.string(slice(buf, at + p.count, end, ascii: ascii)))
                end = at
                splits += 1
                try ev.tick()
            }
            parts.append(.string(slice(buf, 0, end, ascii: ascii)))
            parts.reverse()
            return parts
        }
    }
}

private func replaceAll(_ str: JString, _ from: JString, _ to: JString) -> JString {
    if from.count > str.count { return str }
    return withBytes(from) { f in
        withBytes(to) { t in
            withBytes(str) { buf in
                guard var at = indexOf(f, in: buf, from: 0, end: buf.count) else { return str }
                var out = [UInt8]()
                out.reserveCapacity(buf.count + max(0, t.count - f.count) * 4)
                var start = 0
                while true {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<at]))
                    out.append(contentsOf: t)
                    start = at + f.count
                    guard let next = indexOf(f, in: buf, from: start, end: buf.count) else { break }
                    at = next
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<buf.count]))
                let s = String(decoding: out, as: UTF8.self)
                if str.isASCII && to.isASCII { return JString(s, count: out.count, isASCII: true) }
                return JString(s)
            }
        }
    }
}

// MARK: - characters and case

/// What go-jsonnet's `std.stringChars` yields for a non-string: the indexable
/// elements of arrays (and of empty objects), errors otherwise.
private func pseudoChars(_ x: Value, _ ev: Interpreter) throws -> [Value] {
    switch x {
    case .array(let a): return try a.values(ev)
    case .object(let o):
        if o.visibleCount == 0 { return [] }
        throw ev.makeError("Unexpected type number, expected string")
    case .function(let f):
        if f.arity == 0 { return [] }
        throw ev.makeError("Value non indexable: *jsonnet.valueFunction")
    default:
        throw ev.makeError("Unexpected type \(x.typeName)")
    }
}

private func asciiCase(_ x: Value, upper: Bool, _ ev: Interpreter) throws -> Value {
    let lo: UInt8 = upper ? 97 : 65
    let hi: UInt8 = upper ? 122 : 90
    guard case .string(let s) = x else {
        // The generic path maps each element through codepoint/char and joins.
        var out = ""
        for e in try pseudoChars(x, ev) {
            guard case .string(let c) = e else { throw ev.typeError(e, expected: "string") }
            if c.count != 1 { throw ev.makeError("codepoint takes a string of length 1, got length \(c.count)") }
            let v = c.scalar(at: 0).value
            if v >= UInt32(lo) && v <= UInt32(hi) {
                out.unicodeScalars.append(Unicode.Scalar(upper ? v - 32 : v + 32)!)
            } else {
                out.unicodeScalars.append(c.scalar(at: 0))
            }
        }
        return .str(out)
    }
    return withBytes(s) { buf in
        var needs = false
        for b in buf where b >= lo && b <= hi { needs = true; break }
        if !needs { return x }
        let out = [UInt8](unsafeUninitializedCapacity: buf.count) { dst, n in
            for i in 0..<buf.count {
                let b = buf[i]
                dst[i] = (b >= lo && b <= hi) ? (upper ? b - 32 : b + 32) : b
            }
            n = buf.count
        }
        return .string(JString(String(decoding: out, as: UTF8.self), count: s.count, isASCII: s.isASCII))
    }
}

/// The representative of `c`'s simple case-folding class (Go's `SimpleFold` orbit).
private func foldKey(_ c: UInt32) -> UInt32 {
    if c < 0x80 { return (c >= 65 && c <= 90) ? c + 32 : c }
    // Turkish dotted/dotless i have no simple folding.
    if c == 0x130 || c == 0x131 { return c }
    guard let s = Unicode.Scalar(c) else { return c }
    func single(_ m: String) -> Unicode.Scalar? {
        var it = m.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return nil }
        return first
    }
    if let u = single(s.properties.uppercaseMapping), let l = single(u.properties.lowercaseMapping) {
        return l.value
    }
    if let l = single(s.properties.lowercaseMapping) { return l.value }
    return c
}

/// Go's `strings.EqualFold`: equal under simple Unicode case folding.
private func equalFold(_ a: JString, _ b: JString) -> Bool {
    if a.count != b.count { return false }
    return withBytes(a) { x in
        withBytes(b) { y in
            var i = 0
            var j = 0
            while i < x.count && j < y.count {
                let (c, w) = decodeScalar(x, i)
                let (d, v) = decodeScalar(y, j)
                i += w
                j += v
                if c != d && foldKey(c) != foldKey(d) { return false }
            }
            return i == x.count && j == y.count
        }
    }
}

// MARK: - escaping

/// Appends `std.toString(x)` to `out`, replacing the ASCII bytes for which
/// `special` returns a replacement.
private func escapeBytes(_ x: Value, _ ev: Interpreter, into out: inout [UInt8],
                         _ special: (UInt8) -> StaticString?) throws {
    var text: String
    if case .string(let s) = x { text = s.string } else { text = try ev.toStringValue(x) }
    text.withUTF8 { buf in
        out.reserveCapacity(out.count + buf.count + 8)
        var run = 0
        for i in 0..<buf.count {
            guard let rep = special(buf[i]) else { continue }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i])) }
            rep.withUTF8Buffer { out.append(contentsOf: $0) }
            run = i + 1
        }
        if run < buf.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<buf.count])) }
    }
}

// MARK: - integer parsing

/// Go's `strconv.ParseInt(s, 10, 64)`.
private func parseDecimalInt64(_ s: JString) -> Int64? {
    withBytes(s) { buf in
        var i = 0
        var neg = false
        if i < buf.count && (buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-")) {
            neg = buf[i] == UInt8(ascii: "-")
            i += 1
        }
        if i == buf.count { return nil }
        var mag: UInt64 = 0
        while i < buf.count {
            let d = buf[i] &- 48
            if d > 9 { return nil }
            let (m, o1) = mag.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            mag = a
            i += 1
        }
        if neg {
            if mag > UInt64(Int64.max) + 1 { return nil }
            return mag == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mag)
        }
        if mag > UInt64(Int64.max) { return nil }
        return Int64(mag)
    }
}

/// parseOctal/parseHex: digits folded left to right in floating point, with
/// go-jsonnet's digit mapping (letters from 'a'/'A', everything else from '0').
private func parseNatural(_ s: JString, base: Double, _ ev: Interpreter) throws -> Double {
    try withBytes(s) { buf in
        var acc = 0.0
        var i = 0
        while i < buf.count {
            let (c, w) = decodeScalar(buf, i)
            i += w
            let digit: Int
            if c >= 97 { digit = Int(c) - 97 + 10 } else if c >= 65 { digit = Int(c) - 65 + 10 } else { digit = Int(c) - 48 }
            if digit < 0 || Double(digit) >= base {
                throw ev.makeError("\(s.string) is not a base \(Int(base)) integer")
            }
            acc = base * acc
            if !acc.isFinite { throw ev.makeError("Overflow") }
            acc += Double(digit)
            if !acc.isFinite { throw ev.makeError("Overflow") }
        }
        return acc
    }
}
