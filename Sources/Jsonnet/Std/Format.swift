#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// std.format and the `%` operator on strings.
let stdFormat: [Builtin] = [
    Builtin("format", "str", "vals") { s, v, ev in
        switch s {
        case .string(let fmt):
            return .string(try ev.formatString(fmt.string, v))
        case .array(let a):
            // go-jsonnet reads the "format" element by element: an element equal to
            // "%" starts a code, any other is appended to the text as `+` would
            // (so a `%` inside it is literal).
            var text = ""
            for e in try a.values(ev) {
                if case .string(let c) = e, c.string == "%" {
                    text += "%"
                    continue
                }
                let piece: String
                if case .string(let c) = e { piece = c.string } else { piece = try ev.toStringValue(e) }
                for ch in piece { text += ch == "%" ? "%%" : String(ch) }
            }
            return .string(try ev.formatString(text, v))
        case .object(let o) where o.visibleCount == 0:
            return .string(try ev.formatString("", v))
        case .object:
            // go-jsonnet indexes the format by position: an object with fields fails there.
            throw ev.makeError("Unexpected type number, expected string")
        case .function(let f):
            if f.arity == 0 { return .string(try ev.formatString("", v)) }
            throw ev.makeError("Value non indexable: *jsonnet.valueFunction")
        default:
            throw ev.makeError("Unexpected type \(s.typeName)")
        }
    },
]

extension Interpreter {
    /// `fmt % args` with Python-style conversions, as go-jsonnet implements them.
    package func format(_ fmt: String, _ args: Value) throws -> String {
        var out: [UInt8] = []
        try formatBytes(fmt, args, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `format` as a Jsonnet string.
    func formatString(_ fmt: String, _ args: Value) throws -> JString {
        JString(try format(fmt, args))
    }

    /// Parses `fmt` once, left to right, appending literal text and rendered
    /// values to `out`. A malformed code anywhere in `fmt` is reported in
    /// preference to problems with the values, as go-jsonnet (which parses the
    /// whole string first) does.
    fileprivate func formatBytes(_ fmt: String, _ args: Value, into out: inout [UInt8]) throws {
        var fmt = fmt
        try fmt.withUTF8 { b in
            var source: FormatSource
            switch args {
            case .array(let a): source = .array(try a.elements(self))
            case .object(let o): source = .object(o)
            default: source = .array([.value(args)])
            }
            out.reserveCapacity(b.count + 16)
            let n = b.count
            var i = 0
            var next = 0  // next array value
            while i < n {
                // Copy the literal run up to the next '%'.
                let base = b.baseAddress!
                let pct: Int
                if let p = memchr(base + i, Int32(UInt8(ascii: "%")), n - i) {
                    pct = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                } else {
                    pct = n
                }
                if pct > i { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<pct])) }
                if pct == n { break }
                i = pct + 1
                var spec = FormatSpec()
                if let message = parseFormatSpec(b, &i, &spec) { throw makeError(message) }
                do {
                    switch source {
                    case .array(let values):
                        try formatFromArray(spec, values, &next, &out)
                    case .object(let o):
                        try formatFromObject(spec, o, b, &out)
                    }
                    if out.count >= MemoryBudget.largeBytes { try reserve(out.count, elementBytes: 1) }
                } catch let error as JsonnetError {
                    var k = i
                    while k < n {
                        if b[k] != UInt8(ascii: "%") { k += 1; continue }
                        k += 1
                        var rest = FormatSpec()
                        if let message = parseFormatSpec(b, &k, &rest) { throw makeError(message) }
                    }
                    throw error
                }
            }
            if case .array(let values) = source, next < values.count {
                throw formatError("Too many values to format: \(values.count), expected \(next)", .init(kind: .tooManyValues))
            }
        }
    }

    private func formatFromArray(_ spec: FormatSpec, _ values: ContiguousArray<Lazy>, _ next: inout Int,
                                 _ out: inout [UInt8]) throws {
        var widthValue = Value.number(spec.width)
        if spec.widthStar {
            if next >= values.count {
                if spec.left && spec.conv != UInt8(ascii: "%") {
                    // go-jsonnet's pad_right needs the value before the width: that is what it misses first.
                    let at = next + 1 + (spec.precStar ? 1 : 0)
                    throw formatError("Not enough values to format: \(values.count), expected more than \(at)",
                                      .missingValue, spec)
                }
                throw formatError("Not enough values to format: \(values.count), expected at least \(next)", .missingWidth, spec)
            }
            widthValue = try values[next].force(self)
            next += 1
        }
        var prec = FormatPrecision.none
        if spec.precStar {
            prec = .index(next, values)
            next += 1
        } else if spec.hasPrec {
            prec = .literal(spec.prec)
        }
        let start = out.count
        var length = 1
        if spec.conv == UInt8(ascii: "%") {
            out.append(UInt8(ascii: "%"))
        } else {
            if next >= values.count {
                throw formatError("Not enough values to format: \(values.count), expected more than \(next)",
                                  .missingValue, spec)
            }
            let value = try values[next].force(self)
            let at = next
            next += 1
            length = try formatValue(value, spec, zeroPad: spec.zero && !spec.left ? widthValue : .number(0),
                                     prec: prec, at: { String(at) }, object: false, &out)
        }
        guard case .number(let width) = widthValue else { throw typeError(widthValue, expected: "number") }
        try pad(&out, from: start, length: length, width: width, left: spec.left)
    }

    private func formatFromObject(_ spec: FormatSpec, _ o: JObject, _ b: UnsafeBufferPointer<UInt8>,
                                  _ out: inout [UInt8]) throws {
        if spec.widthStar { throw makeError("Cannot use * field width with object.") }
        let start = out.count
        var length = 1
        if spec.conv == UInt8(ascii: "%") {
            out.append(UInt8(ascii: "%"))
        } else {
            guard spec.keyEnd >= 0 else { throw formatError("Mapping keys required.", .mappingKeysRequired, spec, object: true) }
            let key = String(decoding: UnsafeBufferPointer(rebasing: b[spec.keyStart..<spec.keyEnd]), as: UTF8.self)
            guard o.has(key, includeHidden: true), let value = try o.get(key, self) else {
                throw formatError("No such field: \(key)", .noSuchField, spec, object: true)
            }
            let prec: FormatPrecision = spec.precStar ? .objectStar : (spec.hasPrec ? .literal(spec.prec) : .none)
            length = try formatValue(value, spec, zeroPad: .number(spec.zero && !spec.left ? spec.width : 0),
                                     prec: prec, at: { key }, object: true, &out)
        }
        try pad(&out, from: start, length: length, width: spec.width, left: spec.left)
    }

    /// A format error tagged with where go's std.format would have raised it (see `GoStdTrace`).
    private func formatError(_ message: String, _ site: GoStdTrace.FormatSite) -> JsonnetError {
        var e = makeError(message)
        e.formatSite = site
        return e
    }

    private func formatError(_ message: String, _ kind: GoStdTrace.FormatSite.Kind, _ spec: FormatSpec,
                             object: Bool = false) -> JsonnetError {
        formatError(message, .init(kind: kind, conversion: spec.conv, leftAligned: spec.left, object: object))
    }

    /// Pads `out[start...]` (of `length` code points) to `width` with spaces.
    private func pad(_ out: inout [UInt8], from start: Int, length: Int, width: Double, left: Bool) throws {
        let count = try padCount(width - Double(length))
        if count == 0 { return }
        if left {
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
        } else {
            out.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: count), at: start)
        }
    }

    /// Appends one conversion of `value`; returns its length in code points.
    private func formatValue(_ value: Value, _ spec: FormatSpec, zeroPad: Value, prec: FormatPrecision,
                             at: () -> String, object: Bool, _ out: inout [UInt8]) throws -> Int {
        let conv = spec.conv
        switch conv {
        case UInt8(ascii: "s"):
            var text: String
            let count: Int
            if case .string(let s) = value {
                text = s.string
                count = s.count
                text.withUTF8 { out.append(contentsOf: $0) }
                return count
            }
            text = try toStringValue(value)
            let start = out.count
            text.withUTF8 { out.append(contentsOf: $0) }
            return codePoints(out, from: start)
        case UInt8(ascii: "c"):
            let s: JString
            switch value {
            case .number(let n): s = try stringsChar(n, self)
            case .string(let str):
                if str.count != 1 {
                    throw formatError("%c expected 1-sized string got: \(str.count)", .charLength, spec, object: object)
                }
                s = str
            default:
                throw formatError("%c expected number / string, got: \(value.typeName)", .charType, spec, object: object)
            }
            var text = s.string
            text.withUTF8 { out.append(contentsOf: $0) }
            return 1
        default:
            break
        }
        guard case .number(let x) = value else {
            throw formatError("Format required number at \(at()), got \(value.typeName)", .requiredNumber, spec,
                              object: object)
        }
        let start = out.count
        switch conv {
        case UInt8(ascii: "d"), UInt8(ascii: "o"), UInt8(ascii: "x"), UInt8(ascii: "X"):
            let zp = try number(zeroPad)
            var minDigits = 0.0
            if let p = try prec.resolve(self) {
                guard case .number(let d) = p else {
                    throw makeError("std.max second param expected number, got \(p.typeName)")
                }
                minDigits = d
            }
            if conv == UInt8(ascii: "d") || conv == UInt8(ascii: "o") {
                // Truncated towards zero; "-" only when the truncated value is negative.
                try appendInteger(&out, negative: x <= -1, magnitude: abs(x).rounded(.down), minChars: zp,
                                  minDigits: minDigits, blank: spec.blank, plus: spec.plus,
                                  radix: conv == UInt8(ascii: "d") ? 10 : 8,
                                  octalPrefix: conv == UInt8(ascii: "o") && spec.alt)
            } else {
                let v = x.rounded(.down)
                try appendInteger(&out, negative: v < 0, magnitude: abs(v), minChars: zp, minDigits: minDigits,
                                  blank: spec.blank, plus: spec.plus, radix: 16,
                                  hexPrefix: spec.alt, capitals: conv == UInt8(ascii: "X"))
            }
        default:
            var fpprec = 6.0
            if let p = try prec.resolve(self) { fpprec = try number(p) }
            let caps = conv == UInt8(ascii: "E") || conv == UInt8(ascii: "G")
            switch conv {
            case UInt8(ascii: "f"), UInt8(ascii: "F"):
                try appendFixed(&out, x, zeroPad: zeroPad, blank: spec.blank, plus: spec.plus,
                                ensurePoint: spec.alt, trailing: true, prec: fpprec)
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                try appendScientific(&out, x, zeroPad: zeroPad, blank: spec.blank, plus: spec.plus,
                                     ensurePoint: spec.alt, trailing: true, caps: caps, prec: fpprec)
            default:
                let exponent = x == 0 ? 0 : (GoMath.log(abs(x)) / GoMath.ln10).rounded(.down)
                if exponent < -4 || exponent >= fpprec {
                    try appendScientific(&out, x, zeroPad: zeroPad, blank: spec.blank, plus: spec.plus,
                                         ensurePoint: spec.alt, trailing: spec.alt, caps: caps,
                                         prec: try checked(fpprec - 1))
                } else {
                    try appendFixed(&out, x, zeroPad: zeroPad, blank: spec.blank, plus: spec.plus,
                                    ensurePoint: spec.alt, trailing: spec.alt,
                                    prec: try checked(fpprec - max(1, exponent + 1)))
                }
            }
        }
        return out.count - start
    }

    @inline(__always)
    private func number(_ v: Value) throws -> Double {
        guard case .number(let d) = v else { throw typeError(v, expected: "number") }
        return d
    }

    @inline(__always)
    private func checked(_ d: Double) throws -> Double {
        if d.isFinite { return d }
        if d.isNaN { throw makeError("Not a number") }
        throw makeError("Overflow")
    }

    /// Number of padding characters for a shortfall of `w` (a loop adding one
    /// while the remaining width is positive).
    private func padCount(_ w: Double) throws -> Int {
        if !(w > 0) { return 0 }
        if w > 100_000_000 { throw makeError("max stack frames exceeded.") }
        return Int(w.rounded(.up))
    }

    /// Appends a sign, optional `0x`/`0` prefix and the digits of `magnitude`
    /// (a non-negative integral double), zero-padded like go-jsonnet's
    /// `render_int`/`render_hex`.
    private func appendInteger(_ out: inout [UInt8], negative: Bool, magnitude: Double, minChars: Double,
                               minDigits: Double, blank: Bool, plus: Bool, radix: Int,
                               octalPrefix: Bool = false, hexPrefix: Bool = false, capitals: Bool = false) throws {
        // Digits, least significant first for huge values; counted for small ones.
        let numerals: StaticString = capitals ? "0123456789ABCDEF" : "0123456789abcdef"
        let table = numerals.utf8Start
        var big: [UInt8] = []
        var small: UInt64 = 0
        var digitCount = 0
        if magnitude != magnitude.rounded(.down) {
            // Only reachable with odd precisions: the last "digit" is the
            // fractional remainder, printed as a Jsonnet number.
            let r = Double(radix)
            for b in formatNumber(fmod(magnitude, r)).utf8.reversed() { big.append(b) }
            var v = (magnitude / r).rounded(.down)
            while v != 0 {
                big.append(table[Int(fmod(v, r))])
                v = (v / r).rounded(.down)
            }
            digitCount = big.count
        } else if magnitude < 9007199254740992 {
            small = UInt64(magnitude)
            var v = small
            repeat {
                digitCount += 1
                v /= UInt64(radix)
            } while v != 0
        } else {
            // Above 2^53 go-jsonnet's floor(n / radix) and n % radix in floating
            // point produce these (not always exact) digits.
            var v = magnitude
            let r = Double(radix)
            while v != 0 {
                big.append(table[Int(fmod(v, r))])
                v = (v / r).rounded(.down)
            }
            digitCount = big.count
        }
        let prefixZero = octalPrefix && magnitude != 0
        if prefixZero { digitCount += 1 }
        var zp = minChars - (negative || blank || plus ? 1 : 0)
        if hexPrefix { zp -= 2 }
        let zeros = try padCount(max(zp, minDigits) - Double(digitCount))
        if negative {
            out.append(UInt8(ascii: "-"))
        } else if plus {
            out.append(UInt8(ascii: "+"))
        } else if blank {
            out.append(UInt8(ascii: " "))
        }
        if hexPrefix { out.append(contentsOf: (capitals ? "0X" : "0x").utf8) }
        if zeros > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: zeros)) }
        if prefixZero { out.append(UInt8(ascii: "0")) }
        if big.isEmpty {
            let n = prefixZero ? digitCount - 1 : digitCount
            let pos = out.count
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n))
            var v = small
            var k = pos + n - 1
            let r = UInt64(radix)
            while v != 0 {
                out[k] = table[Int(v % r)]
                v /= r
                k -= 1
            }
        } else {
            out.append(contentsOf: big.reversed())
        }
    }

    /// go-jsonnet's `render_float_dec`: rounds half up on the magnitude at
    /// `prec` decimals, then prints the whole and fractional parts.
    private func appendFixed(_ out: inout [UInt8], _ n: Double, zeroPad: Value, blank: Bool, plus: Bool,
                             ensurePoint: Bool, trailing: Bool, prec: Double) throws {
        let denominator = try checked(pow10(prec))
        let numerator = try checked(try checked(abs(n) * denominator) + 0.5)
        if denominator == 0 { throw makeError("Division by zero.") }
        // Zero stays zero even for negative precisions.
        let whole = n == 0 ? 0 : (numerator / denominator).rounded(.down)
        let frac = n == 0 ? 0 : fmod(numerator.rounded(.down), denominator)
        let dotSize: Double = prec == 0 && !ensurePoint ? 0 : 1
        let zp = try checked(try number(zeroPad) - prec - dotSize)
        try appendInteger(&out, negative: n < 0, magnitude: whole, minChars: zp, minDigits: 0,
                          blank: blank, plus: plus, radix: 10)
        if prec == 0 {
            if ensurePoint { out.append(UInt8(ascii: ".")) }
            return
        }
        if !trailing && !(frac > 0) { return }
        out.append(UInt8(ascii: "."))
        let fracStart = out.count
        try appendInteger(&out, negative: false, magnitude: frac, minChars: prec, minDigits: 0,
                          blank: false, plus: false, radix: 10)
        if !trailing {
            var end = out.count
            while end > fracStart && out[end - 1] == UInt8(ascii: "0") { end -= 1 }
            out.removeSubrange(end...)
        }
    }

    /// go-jsonnet's `render_float_sci`: the exponent comes from `log(x)/log(10)`
    /// (so exact powers of ten can print as `10.000000e+02`, as there).
    private func appendScientific(_ out: inout [UInt8], _ n: Double, zeroPad: Value, blank: Bool, plus: Bool,
                                  ensurePoint: Bool, trailing: Bool, caps: Bool, prec: Double) throws {
        let exponent = n == 0 ? 0 : (GoMath.log(abs(n)) / GoMath.ln10).rounded(.down)
        var suffix: [UInt8] = [caps ? UInt8(ascii: "E") : UInt8(ascii: "e")]
        try appendInteger(&suffix, negative: exponent < 0, magnitude: abs(exponent), minChars: 3, minDigits: 0,
                          blank: false, plus: true, radix: 10)
        let mantissa = exponent == -324 ? n * 10 / pow10(exponent + 1) : n / pow10(exponent)
        let zp = try number(zeroPad) - Double(suffix.count)
        try appendFixed(&out, mantissa, zeroPad: .number(zp), blank: blank, plus: plus,
                        ensurePoint: ensurePoint, trailing: trailing, prec: prec)
        out.append(contentsOf: suffix)
    }
}

/// Code points in `out[start...]`.
private func codePoints(_ out: [UInt8], from start: Int) -> Int {
    var n = 0
    for i in start..<out.count where out[i] & 0xC0 != 0x80 { n += 1 }
    return n
}

/// Where the values of a format come from.
private enum FormatSource {
    case array(ContiguousArray<Lazy>)
    case object(JObject)
}

/// Where a conversion's precision comes from; resolved only when the conversion uses it.
private enum FormatPrecision {
    case none
    case literal(Double)
    /// `.*` with an array: the value at this index (null means "no precision").
    case index(Int, ContiguousArray<Lazy>)
    /// `.*` with an object: an error when used.
    case objectStar

    func resolve(_ ev: Interpreter) throws -> Value? {
        switch self {
        case .none: return nil
        case .literal(let d): return .number(d)
        case .index(let i, let values):
            if i >= values.count {
                throw ev.makeError("Not enough values to format: \(values.count), expected more than \(i)")
            }
            let v = try values[i].force(ev)
            if case .null = v { return nil }
            return v
        case .objectStar:
            throw ev.makeError("Cannot use * precision with object.")
        }
    }
}

/// One parsed `%` code.
struct FormatSpec {
    /// Byte range of the `(key)` mapping key; `keyEnd < 0` when absent.
    var keyStart = 0
    var keyEnd = -1
    var alt = false
    var zero = false
    var left = false
    var blank = false
    var plus = false
    var widthStar = false
    var width = 0.0
    var precStar = false
    var hasPrec = false
    var prec = 0.0
    /// The conversion character (`d i u` are stored as `d`).
    var conv: UInt8 = 0
}

/// Reads the decimal digits at `i` (left after them) into `value`; false when the
/// text ends before a character that is not a digit.
private func readDigits(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, into value: inout Double) -> Bool {
    while true {
        if i >= b.count { return false }
        let d = b[i] &- 48
        if d > 9 { return true }
        value = value * 10 + Double(d)
        i += 1
    }
}

/// Parses the code after a `%` starting at `i` (left after it). Returns
/// go-jsonnet's message for a malformed code, nil on success.
func parseFormatSpec(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ spec: inout FormatSpec) -> String? {
    let n = b.count
    let truncated = "Truncated format code."
    if i >= n { return truncated }
    if b[i] == UInt8(ascii: "(") {
        var j = i + 1
        while j < n && b[j] != UInt8(ascii: ")") { j += 1 }
        if j >= n { return truncated }
        spec.keyStart = i + 1
        spec.keyEnd = j
        i = j + 1
    }
    flags: while true {
        if i >= n { return truncated }
        switch b[i] {
        case UInt8(ascii: "#"): spec.alt = true
        case UInt8(ascii: "0"): spec.zero = true
        case UInt8(ascii: "-"): spec.left = true
        case UInt8(ascii: " "): spec.blank = true
        case UInt8(ascii: "+"): spec.plus = true
        default: break flags
        }
        i += 1
    }
    if b[i] == UInt8(ascii: "*") {
        spec.widthStar = true
        i += 1
    } else if !readDigits(b, &i, into: &spec.width) {
        return truncated
    }
    if i >= n { return truncated }
    if b[i] == UInt8(ascii: ".") {
        spec.hasPrec = true
        i += 1
        if i < n && b[i] == UInt8(ascii: "*") {
            spec.precStar = true
            i += 1
        } else if !readDigits(b, &i, into: &spec.prec) {
            return truncated
        }
    }
    if i >= n { return truncated }
    if b[i] == UInt8(ascii: "h") || b[i] == UInt8(ascii: "l") || b[i] == UInt8(ascii: "L") { i += 1 }
    if i >= n { return truncated }
    let c = b[i]
    switch c {
    case UInt8(ascii: "d"), UInt8(ascii: "i"), UInt8(ascii: "u"):
        spec.conv = UInt8(ascii: "d")
    case UInt8(ascii: "o"), UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "e"), UInt8(ascii: "E"),
         UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "c"),
         UInt8(ascii: "s"), UInt8(ascii: "%"):
        spec.conv = c
    default:
        var end = i + 1
        while end < n && b[end] & 0xC0 == 0x80 { end += 1 }
        return "Unrecognised conversion type: " + String(decoding: UnsafeBufferPointer(rebasing: b[i..<end]), as: UTF8.self)
    }
    i += 1
    return nil
}

// MARK: - Go-compatible log and pow




/// 10^y as Go's math.Pow computes it (go-jsonnet's %e/%f/%g digits depend on its rounding).
@inline(__always)
private func pow10(_ y: Double) -> Double { GoMath.pow(10, y) }
