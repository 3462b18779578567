/// Shared pieces of the manifest family: go-jsonnet's number and string
/// renderings and the path carried by "tried to manifest function" errors.

/// One step of the path to a value inside the value being manifested.
enum ManifestPathSegment {
    case index(Int)
    case field(String)
}

/// Thrown from deep inside a manifester when it meets a function (or another
/// value it refuses); each enclosing array/object adds its segment on the way
/// out, so the happy path pays nothing for path tracking.
struct ManifestPathError: Error {
    /// Innermost segment first.
    var path: [ManifestPathSegment] = []

    /// `prefix` followed by the path as Go prints a `[]interface{}` (`[a 0 b]`).
    func message(prefix: String) -> String {
        var s = prefix + "["
        for (i, seg) in path.reversed().enumerated() {
            if i > 0 { s += " " }
            switch seg {
            case .index(let n): s += String(n)
            case .field(let f): s += f
            }
        }
        return s + "]"
    }
}

/// Appends the decimal digits of `v`.
@inline(__always)
func appendInt(_ v: Int64, to out: inout [UInt8]) {
    if v >= 0 && v < 10 {
        out.append(0x30 &+ UInt8(v))
        return
    }
    var n = v.magnitude
    if v < 0 { out.append(UInt8(ascii: "-")) }
    var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits
    var count = 0
    withUnsafeMutableBytes(of: &tmp) { buf in
        while n > 0 {
            buf[23 - count] = 0x30 &+ UInt8(n % 10)
            n /= 10
            count += 1
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(24 - count)...]))
    }
}

/// The shortest digits that round-trip `d` (finite, non-zero, positive) and the
/// position of the decimal point relative to the first digit: the value is
/// `0.d1d2d3... × 10^point`.
func shortestDigits(_ d: Double) -> (digits: [UInt8], point: Int) {
    shortestDigits(fromDescription: d.description)
}

/// Digits and decimal point position from Swift's shortest `description` of a
/// positive finite float (`1e-07`, `0.1`, `1.2345679e+08`).
func shortestDigits(fromDescription desc: String) -> (digits: [UInt8], point: Int) {
    var digits: [UInt8] = []
    digits.reserveCapacity(20)
    var point = 0
    var sawDot = false
    var exp = 0
    var expSign = 1
    var inExp = false
    for b in desc.utf8 {
        if inExp {
            if b == UInt8(ascii: "-") { expSign = -1 } else if b >= 0x30 && b <= 0x39 { exp = exp * 10 + Int(b - 0x30) }
            continue
        }
        switch b {
        case UInt8(ascii: "."): sawDot = true
        case UInt8(ascii: "e"), UInt8(ascii: "E"): inExp = true
        case 0x30...0x39:
            digits.append(b)
            if !sawDot { point += 1 }
        default: break
        }
    }
    point += expSign * exp
    // Strip leading zeros (0.001 → digits "0001") and trailing zeros.
    var lead = 0
    while lead < digits.count - 1 && digits[lead] == 0x30 { lead += 1 }
    if lead > 0 {
        digits.removeFirst(lead)
        point -= lead
    }
    while digits.count > 1 && digits[digits.count - 1] == 0x30 { digits.removeLast() }
    return (digits, point)
}

/// Go's `strconv.FormatFloat(d, 'f', -1, 64)`: shortest round-trip digits laid
/// out without an exponent (`0.1`, `0.0000001`, `1000000000000000000000`).
func appendGoShortestFixed(_ d: Double, to out: inout [UInt8]) {
    if d == d.rounded(.towardZero) && abs(d) < 9007199254740992 {
        if d == 0 {
            if d.sign == .minus { out.append(UInt8(ascii: "-")) }
            out.append(UInt8(ascii: "0"))
        } else {
            appendInt(Int64(d), to: &out)
        }
        return
    }
    if d.isNaN { out.append(contentsOf: "NaN".utf8); return }
    if d.isInfinite { out.append(contentsOf: (d < 0 ? "-Inf" : "+Inf").utf8); return }
    if d < 0 { out.append(UInt8(ascii: "-")) }
    let (digits, point) = shortestDigits(abs(d))
    if point <= 0 {
        out.append(UInt8(ascii: "0"))
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point))
        out.append(contentsOf: digits)
    } else if point >= digits.count {
        out.append(contentsOf: digits)
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - digits.count))
    } else {
        out.append(contentsOf: digits[..<point])
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: digits[point...])
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// Appends `s` as Go's `encoding/json` quotes it with HTML escaping off:
/// control characters, `"`, `\` and U+2028/U+2029 are escaped, everything else
/// is copied as is.
func appendGoJSONQuoted(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var s = s
    s.withUTF8 { buf in
        let n = buf.count
        var i = 0
        var runStart = 0
        while i < n {
            let b = buf[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0xE2 {
                i += 1
                continue
            }
            var width = 1
            var escape: UInt8 = 0
            var hex: UInt8 = 0
            var unicode = false
            switch b {
            case 0x22: escape = 0x22
            case 0x5C: escape = 0x5C
            case 0x0A: escape = UInt8(ascii: "n")
            case 0x0D: escape = UInt8(ascii: "r")
            case 0x09: escape = UInt8(ascii: "t")
            case 0x08: escape = UInt8(ascii: "b")
            case 0x0C: escape = UInt8(ascii: "f")
            case 0xE2:
                if i + 2 < n && buf[i + 1] == 0x80 && (buf[i + 2] == 0xA8 || buf[i + 2] == 0xA9) {
                    unicode = true
                    width = 3
                } else {
                    i += 1
                    continue
                }
            default:
                hex = b
            }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i])) }
            out.append(UInt8(ascii: "\\"))
            if escape != 0 {
                out.append(escape)
            } else if unicode {
                out.append(contentsOf: "u202".utf8)
                out.append(buf[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
            } else {
                out.append(contentsOf: "u00".utf8)
                out.append(hexDigits[Int(hex >> 4)])
                out.append(hexDigits[Int(hex & 0xF)])
            }
            i += width
            runStart = i
        }
        if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<n])) }
    }
    out.append(UInt8(ascii: "\""))
}

/// Appends a Jsonnet string as `std.escapeStringJson` renders it.
@inline(__always)
func appendJsonnetQuoted(_ s: JString, to out: inout [UInt8]) {
    appendQuoted(s.string, to: &out)
}

/// Appends `count` spaces.
@inline(__always)
func appendSpaces(_ count: Int, to out: inout [UInt8]) {
    if count > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count)) }
}
