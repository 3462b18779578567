#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `%` format string of literal text and plain `%s` / `%d` codes (no mapping key,
/// flag, width or precision), parsed once by the resolver for `'literal' % args`.
///
/// Rendering takes the values in order, measures them, and writes the result into
/// one string of exactly the right size: no re-parsing, no growing buffer, no UTF-8
/// validation of the result. Whenever a value is not what its code renders directly
/// (`%s` of a non-string, `%d` of a non-number or of a number past 2^53) the caller
/// takes the general path in Format.swift, which produces the same text; values are
/// forced in the same order on both paths, so errors are the same too.
package final class FormatTemplate {
    enum Code { case string, integer }

    /// The literal text, with `%%` written as `%`.
    let text: [UInt8]
    /// Code `i` follows `text[..<cuts[i]]`; the text after `cuts.last` ends the result.
    let cuts: [Int]
    let codes: [Code]
    /// Code points in `text`, and whether they are all ASCII.
    let textCount: Int
    let textASCII: Bool
    /// The right operand's elements, when it is an array literal of exactly one
    /// variable or constant per code: `%` then reads them without building the array.
    let arguments: [Node]?

    /// The template of `format % rhs`, or nil when `format` has a code this type
    /// does not render (those go the general way, which also reports bad codes).
    package init?(_ format: String, rhs: Node) {
        var format = format
        var text: [UInt8] = []
        var cuts: [Int] = []
        var codes: [Code] = []
        let complete: Bool = format.withUTF8 { b in
            guard let base = b.baseAddress else { return false }
            // The codes first, from `%` to `%` (a format with other codes, such as a
            // large `%(key)s` template, costs no more than finding its first code).
            var i = 0
            while let p = memchr(base + i, Int32(UInt8(ascii: "%")), b.count - i) {
                i = base.distance(to: p.assumingMemoryBound(to: UInt8.self)) + 1
                var spec = FormatSpec()
                guard parseFormatSpec(b, &i, &spec) == nil, spec.isPlain else { return false }
                switch spec.conv {
                case UInt8(ascii: "%"): break
                case UInt8(ascii: "s"): codes.append(.string)
                case UInt8(ascii: "d"): codes.append(.integer)
                default: return false
                }
            }
            guard !codes.isEmpty else { return false }
            // Then the literal runs, copied whole.
            text.reserveCapacity(b.count)
            i = 0
            while i < b.count {
                guard let p = memchr(base + i, Int32(UInt8(ascii: "%")), b.count - i) else {
                    text.append(contentsOf: UnsafeBufferPointer(rebasing: b[i...]))
                    break
                }
                let pct = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                text.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<pct]))
                i = pct + 1
                var spec = FormatSpec()
                _ = parseFormatSpec(b, &i, &spec)
                if spec.conv == UInt8(ascii: "%") {
                    text.append(UInt8(ascii: "%"))
                } else {
                    cuts.append(text.count)
                }
            }
            return true
        }
        guard complete else { return nil }
        self.text = text
        self.cuts = cuts
        self.codes = codes
        textCount = text.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }
        textASCII = text.allSatisfy { $0 < 0x80 }
        if rhs.kind == .array, case let elements = unsafeDowncast(rhs, to: ArrayLiteral.self).elements,
           elements.count == codes.count, elements.allSatisfy(FormatTemplate.isDirect) {
            arguments = elements
        } else {
            arguments = nil
        }
    }

    /// A node whose lazy handle is not a thunk: reading it evaluates nothing.
    static func isDirect(_ node: Node) -> Bool {
        switch node.kind {
        case .variable, .string, .number, .null, .true, .false: return true
        default: return false
        }
    }
}

extension FormatSpec {
    /// No mapping key, flag, width or precision: just `%` and a conversion.
    var isPlain: Bool {
        keyEnd < 0 && !alt && !zero && !left && !blank && !plus && !widthStar && width == 0 && !hasPrec
    }
}

extension Interpreter {
    /// `template % args` with the argument `i` given by `value(i)` (asked once each,
    /// in order), or nil when some value needs the general path (or the result
    /// would be longer than `maxBytes`).
    func render(_ t: FormatTemplate, maxBytes: Int = .max, _ value: (Int) throws -> Value) throws -> JString? {
        let n = t.codes.count
        return try withUnsafeTemporaryAllocation(of: Value.self, capacity: n) { values -> JString? in
            let base = values.baseAddress.unsafelyUnwrapped
            var filled = 0
            defer { base.deinitialize(count: filled) }
            var bytes = t.text.count
            var count = t.textCount
            var ascii = t.textASCII
            while filled < n {
                let v = try value(filled)
                switch t.codes[filled] {
                case .string:
                    guard case .string(let s) = v else { return nil }
                    bytes += s.utf8Count
                    count += s.count
                    ascii = ascii && s.isASCII
                case .integer:
                    guard case .number(let x) = v, abs(x) < 9007199254740992 else { return nil }
                    let length = decimalLength(Int64(x))
                    bytes += length
                    count += length
                }
                (base + filled).initialize(to: v)
                filled += 1
            }
            if bytes > maxBytes { return nil }
            // Within the size bounds (and the memory budget) before allocating.
            if bytes >= MemoryBudget.largeBytes { try reserve(bytes, elementBytes: 1) }
            let result = t.text.withUnsafeBufferPointer { text in
                String(unsafeUninitializedCapacity: bytes) { out -> Int in
                    var at = 0
                    /// Copies `piece` to `out[at...]`, within `out`.
                    func put(_ piece: UnsafeBufferPointer<UInt8>) {
                        guard let p = piece.baseAddress, piece.count > 0, piece.count <= out.count - at else { return }
                        (out.baseAddress.unsafelyUnwrapped + at).initialize(from: p, count: piece.count)
                        at += piece.count
                    }
                    var from = 0
                    for i in 0..<n {
                        put(UnsafeBufferPointer(rebasing: text[from..<t.cuts[i]]))
                        from = t.cuts[i]
                        switch base[i] {
                        case .string(let s): s.withUTF8 { put($0) }
                        case .number(let x): at = writeDecimal(Int64(x), into: out, at: at)
                        default: break
                        }
                    }
                    put(UnsafeBufferPointer(rebasing: text[from...]))
                    return at
                }
            }
            return JString(result, count: count, isASCII: ascii)
        }
    }
}

/// Characters of `v` in decimal, with its sign.
private func decimalLength(_ v: Int64) -> Int {
    var m = v.magnitude
    var n = v < 0 ? 2 : 1
    while m >= 10 {
        m /= 10
        n += 1
    }
    return n
}

/// Writes `v` in decimal at `out[at...]` when it fits; returns the end.
private func writeDecimal(_ v: Int64, into out: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
    let length = decimalLength(v)
    guard length <= out.count - at else { return at }
    if v < 0 { out[at] = UInt8(ascii: "-") }
    var m = v.magnitude
    var k = at + length - 1
    repeat {
        out[k] = UInt8(ascii: "0") + UInt8(m % 10)
        m /= 10
        k -= 1
    } while m != 0
    return at + length
}
