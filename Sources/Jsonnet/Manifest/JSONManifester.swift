#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes values as JSON the way go-jsonnet does: sorted keys, `[ ]`/`{ }` for
/// empty containers, integers without a fraction, other numbers as `%.17g`.
///
/// The `.manifestJsonEx` flavor imitates go-jsonnet's `std.manifestJsonEx` instead:
/// Go's JSON string escaping, shortest round-trip numbers without exponent,
/// empty containers as open/newline/newline/close, and `tried to manifest
/// function at [path]` errors.
struct JSONManifester {
    /// Which go-jsonnet JSON writer to imitate.
    enum Flavor {
        /// The program output and `std.toString`.
        case output
        /// `std.manifestJsonEx` and its wrappers.
        case manifestJsonEx
    }

    let ev: Interpreter
    /// The layout: one level of indentation, the line break, what goes between a key and
    /// its value, and what goes between items.
    let indent, newline, keyValueSeparator, itemSeparator: String
    let flavor: Flavor
    /// The text being written (after `chunks`).
    private(set) var bytes: [UInt8] = []
    /// Text written before `bytes`, in pieces of about `chunkSize` bytes: one growing
    /// buffer would copy the whole text (into fresh pages) at every doubling.
    private var chunks: [[UInt8]] = []
    /// The bytes in `chunks`.
    private var chunkedBytes = 0
    /// The size at which `bytes` is moved to `chunks` (checked between values).
    private static let chunkSize = 1 << 16
    /// The text's length when it was last checked against the budget.
    private var checkedBytes = 0

    init(ev: Interpreter, indent: String, newline: String, keyValueSeparator: String, itemSeparator: String,
         flavor: Flavor = .output) {
        self.ev = ev
        self.indent = indent
        self.newline = newline
        self.keyValueSeparator = keyValueSeparator
        self.itemSeparator = itemSeparator
        self.flavor = flavor
    }

    /// go-jsonnet's default output layout (3-space indent).
    static func pretty(_ ev: Interpreter) -> JSONManifester {
        JSONManifester(ev: ev, indent: "   ", newline: "\n", keyValueSeparator: ": ", itemSeparator: ",")
    }

    /// The text as a string (one copy).
    var output: String {
        if chunks.isEmpty { return String(decoding: bytes, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: chunkedBytes + bytes.count) { buffer in
            var at = 0
            for piece in chunks + [bytes] {
                piece.withUnsafeBufferPointer { src in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[at...]).initialize(fromContentsOf: src)
                }
                at += piece.count
            }
            return at
        }
    }

    /// The text in pieces, in order, without copying it.
    var outputPieces: [[UInt8]] { chunks + [bytes] }

    /// Ends the output with a line feed.
    mutating func appendNewline() { bytes.append(0x0A) }

    mutating func write(_ v: Value) throws {
        var prefix = ""
        do {
            try write(v, &prefix)
        } catch let e as ManifestPathError {
            throw ev.makeError(e.message(prefix: "tried to manifest function at "))
        }
    }

    /// Appends `text`'s UTF-8 bytes (one copy of a contiguous buffer; the generic
    /// `append(contentsOf: text.utf8)` walks the view a byte at a time).
    @inline(__always)
    private mutating func appendText(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Every 1 MiB of output, polls for cancellation and checks the output against
    /// the memory budget: values such as `[s for i in std.range(1, 1000)]` or a
    /// long range are small, but their text is not.
    @inline(__always)
    private mutating func checkGrowth() throws {
        if bytes.count >= Self.chunkSize { sealChunk() }
        if chunkedBytes &+ bytes.count &- checkedBytes >= 1 << 20 { try checkedGrowth() }
    }

    /// Moves `bytes` to `chunks` and starts a new piece.
    @inline(never)
    private mutating func sealChunk() {
        chunks.append(bytes)
        chunkedBytes += bytes.count
        bytes = []
        bytes.reserveCapacity(Self.chunkSize + Self.chunkSize / 2)
    }

    /// A string, quoted. A long one starts a piece of its own, sized for it (plus a
    /// little escaping): the current piece would grow to it by doublings, each a copy.
    /// (Not inlined: the containers' loops stay small enough to inline their own appends.)
    @inline(never)
    private mutating func writeString(_ s: JString) {
        guard flavor == .output else { return appendGoJSONQuoted(s.string, to: &bytes) }
        if s.count >= Self.chunkSize {
            if !bytes.isEmpty { sealChunk() }
            let n = s.utf8Count
            bytes.reserveCapacity(n + n / 16 + 16)
        }
        appendQuoted(s.string, to: &bytes)
    }

    private mutating func checkedGrowth() throws {
        checkedBytes = chunkedBytes + bytes.count
        try ev.poll()
        try ev.reserve(checkedBytes, elementBytes: 1)
    }

    /// Appends four bytes (the generic `append(contentsOf:)` costs more than the copy).
    @inline(__always)
    private mutating func appendWord(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        bytes.append(a)
        bytes.append(b)
        bytes.append(c)
        bytes.append(d)
    }

    /// Appends an empty container in the current flavor.
    /// Writes one array element or field value; an error learns where it happened.
    @inline(__always)
    private mutating func writeMember(
        _ segment: ManifestPathSegment, _ current: inout String, _ value: () throws -> Value
    ) throws {
        do {
            try write(try value(), &current)
            try checkGrowth()
        } catch var e as ManifestPathError {
            e.path.append(segment)
            throw e
        } catch var e as JsonnetError {
            let frame = switch segment {
            case .index(let i): "Array element \(i)"
            case .field(let name): "Field \"\(name)\""
            }
            e.trace.append(TraceFrame(range: .none, name: frame))
            throw e
        }
    }

    /// Writes a non-empty array's or object's opening `bracket` and indents `current` one
    /// level; returns the indentation to restore and what goes before every element after
    /// the first, in one piece.
    private mutating func open(_ bracket: UInt8, _ current: inout String) -> (saved: String, lead: [UInt8]) {
        bytes.append(bracket)
        appendText(newline)
        let saved = current
        current += indent
        appendText(current)
        return (saved, Array((itemSeparator + newline + current).utf8))
    }

    /// Restores `current` to `saved` and writes the closing `bracket` on its own line.
    private mutating func close(_ bracket: UInt8, _ saved: String, _ current: inout String) {
        current = saved
        appendText(newline)
        appendText(current)
        bytes.append(bracket)
    }

    private mutating func writeEmpty(_ open: UInt8, _ close: UInt8, _ current: String) {
        if flavor == .output {
            bytes.append(open)
            bytes.append(0x20)
            bytes.append(close)
        } else {
            bytes.append(open)
            appendText(newline)
            appendText(newline)
            appendText(current)
            bytes.append(close)
        }
    }

    private mutating func write(_ v: Value, _ current: inout String) throws {
        switch v {
        case .array, .object:
            // Nesting is accounted, so self-containing values end in go-jsonnet's
            // error instead of running away: a stack error for the program output,
            // a manifest depth error for `std.manifestJsonEx`.
            let kind: RecursionKind = flavor == .output ? .evaluation : .manifest
            try ev.enter(kind)
            defer { ev.leave(kind) }
            try writeContainer(v, &current)
        default:
            try writeContainer(v, &current)
        }
    }

    private mutating func writeContainer(_ v: Value, _ current: inout String) throws {
        switch v {
        case .null:
            appendWord(0x6E, 0x75, 0x6C, 0x6C)  // null
        case .bool(let b):
            if b {
                appendWord(0x74, 0x72, 0x75, 0x65)  // true
            } else {
                bytes.append(0x66)
                appendWord(0x61, 0x6C, 0x73, 0x65)  // f alse
            }
        case .number(let d):
            if flavor == .output { appendNumber(d, to: &bytes) } else { appendGoShortestFixed(d, to: &bytes) }
        case .string(let s):
            writeString(s)
        case .function:
            if flavor == .manifestJsonEx { throw ManifestPathError() }
            throw ev.makeError("couldn't manifest function as JSON")
        case .array(let a):
            if a.count == 0 {
                writeEmpty(UInt8(ascii: "["), UInt8(ascii: "]"), current)
                return
            }
            let (saved, lead) = open(UInt8(ascii: "["), &current)
            var i = 0
            while i < a.count {
                // Stretch by stretch, so views cost one dispatch per stretch.
                let run = a.run(at: i)
                let end = Swift.max(i &+ 1, Swift.min(run.end, a.count))
                while i < end {
                    if i > 0 { bytes.append(contentsOf: lead) }
                    try writeMember(.index(i), &current) { [ev] in try run[i].force(ev) }
                    i &+= 1
                }
            }
            close(UInt8(ascii: "]"), saved, &current)
        case .object(let o):
            do {
                try o.checkAsserts(ev)
            } catch var e as JsonnetError {
                e.trace.append(TraceFrame(range: .none, name: "Checking object assertions"))
                throw e
            }
            let names = o.fieldNames(includeHidden: false)
            if names.isEmpty {
                writeEmpty(UInt8(ascii: "{"), UInt8(ascii: "}"), current)
                return
            }
            let (saved, lead) = open(UInt8(ascii: "{"), &current)
            for (i, name) in names.enumerated() {
                if i > 0 { bytes.append(contentsOf: lead) }
                if flavor == .output { appendQuoted(name, to: &bytes) } else { appendGoJSONQuoted(name, to: &bytes) }
                appendText(keyValueSeparator)
                try writeMember(.field(name), &current) { [ev] in try o.get(name, ev)! }
            }
            close(UInt8(ascii: "}"), saved, &current)
        }
    }
}

/// Appends `d` as go-jsonnet prints numbers.
func appendNumber(_ d: Double, to out: inout [UInt8]) {
    if d == d.rounded(.towardZero) && abs(d) < 1e15 {
        if d == 0 && d.sign == .minus {
            out.append(contentsOf: "-0".utf8)
        } else {
            appendInteger(Int64(d), to: &out)
        }
        return
    }
    var text = formatNumber(d)
    text.withUTF8 { out.append(contentsOf: $0) }
}

/// Appends the decimal digits of `n` (|n| < 1e15) without building a string.
@inline(__always)
private func appendInteger(_ n: Int64, to out: inout [UInt8]) {
    if n >= 0 && n < 10 {
        out.append(UInt8(truncatingIfNeeded: n) &+ 0x30)
        return
    }
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
        var m = n.magnitude
        var i = 20
        repeat {
            i -= 1
            digits[i] = UInt8(truncatingIfNeeded: m % 10) &+ 0x30
            m /= 10
        } while m > 0
        if n < 0 {
            i -= 1
            digits[i] = UInt8(ascii: "-")
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
    }
}

/// go-jsonnet's number text: `%.0f` for integral values, `%.17g` otherwise.
package func formatNumber(_ d: Double) -> String {
    if d == d.rounded(.towardZero) {
        if abs(d) < 1e15 {
            if d == 0 && d.sign == .minus { return "-0" }
            return String(Int64(d))
        }
        return cFormat("%.0f", d)
    }
    return cFormat("%.17g", d)
}

/// `snprintf` with one double argument.
func cFormat(_ format: String, _ d: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    let n = withVaList([d]) { vsnprintf(&buffer, 512, format, $0) }
    if n >= 512 {
        buffer = [CChar](repeating: 0, count: Int(n) + 1)
        _ = withVaList([d]) { vsnprintf(&buffer, Int(n) + 1, format, $0) }
    }
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Go's `%v` for a float64: shortest round-trip digits, exponent form when the
/// exponent is < -4 or >= 6 (`1e+100`, `2.5`, `1.114112e+06`, `1e-05`).
package func formatGoFloat(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    // Swift's description gives the shortest round-trip digits; re-layout them.
    let desc = "\(abs(d))"
    var mantissa = desc
    var exp = 0
    if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = String(desc[..<e])
        exp = Int(desc[desc.index(after: e)...])!
    }
    var digits = mantissa.filter { $0 != "." }
    let pointPos = (mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count)
    var decimalExp = pointPos + exp  // position of the decimal point relative to digits start
    while digits.hasPrefix("0") && digits.count > 1 {
        digits.removeFirst()
        decimalExp -= 1
    }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    let x = decimalExp - 1  // scientific exponent
    var out = d < 0 ? "-" : ""
    if x < -4 || x >= 6 {
        out += String(digits.first!)
        if digits.count > 1 { out += "." + digits.dropFirst() }
        out += "e" + (x < 0 ? "-" : "+") + (abs(x) < 10 ? "0" : "") + String(abs(x))
    } else if decimalExp <= 0 {
        out += "0." + String(repeating: "0", count: -decimalExp) + digits
    } else if decimalExp >= digits.count {
        out += digits + String(repeating: "0", count: decimalExp - digits.count)
    } else {
        let i = digits.index(digits.startIndex, offsetBy: decimalExp)
        out += digits[..<i] + "." + digits[i...]
    }
    return out
}

/// Whether any of the eight bytes in `w` is one `appendQuoted` escapes: a control
/// character, `"`, `\\`, DEL, or 0xC2 (the lead byte of the C1 controls).
/// Exact, with the usual word-at-a-time tests for a byte below / equal to a value.
@inline(__always)
private func mayNeedEscape(_ w: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    @inline(__always) func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & high != 0 }
    return (w &- ones &* 0x20) & ~w & high != 0
        || hasZero(w ^ (ones &* 0x22)) || hasZero(w ^ (ones &* 0x5C))
        || hasZero(w ^ (ones &* 0x7F)) || hasZero(w ^ (ones &* 0xC2))
}

/// A quick superset of `mayNeedEscape` for ASCII text, as a mask (0: nothing to
/// escape): control characters, `"`, `\\`, and any byte of 0x7F or above (which
/// `mayNeedEscape` then checks exactly). Fewer operations than the exact test, and
/// a mask, so two words can be tested with one branch.
@inline(__always)
private func quickEscapeMask(_ w: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    let notW = ~w
    let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
    let control = (w &- ones &* 0x20) & notW
    let quote = (q &- ones) & ~q
    let backslash = (b &- ones) & ~b
    // A byte of 0x7F or more has its high bit set in `w` or in `w + 1` (a carry
    // out of a byte needs 0xFF, whose own high bit is set).
    let upper = w | (w &+ ones)
    return (control | quote | backslash | upper) & high
}

/// Appends `s` as a JSON string literal with go-jsonnet's escapes.
func appendQuoted(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var s = s
    s.withUTF8 { buf in
        var i = 0
        let n = buf.count
        var runStart = 0
        let base = UnsafeRawPointer(buf.baseAddress)
        while i < n {
            // Sixteen, then eight bytes at a time past text that needs no escape (most of it).
            if let base {
                while i &+ 16 <= n {
                    let w0 = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let w1 = base.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
                    if quickEscapeMask(w0) | quickEscapeMask(w1) != 0 { break }
                    i &+= 16
                }
                while i &+ 8 <= n && !mayNeedEscape(base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i &+= 8 }
                if i >= n { break }
            }
            let b = buf[i]
            var escape: StaticString? = nil
            var hex: UInt32? = nil
            var width = 1
            switch b {
            case UInt8(ascii: "\""): escape = "\\\""
            case UInt8(ascii: "\\"): escape = "\\\\"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0..<0x20, 0x7F: hex = UInt32(b)
            case 0xC2 where i + 1 < n && buf[i + 1] >= 0x80 && buf[i + 1] <= 0x9F:
                hex = UInt32(buf[i + 1])
                width = 2
            default: break
            }
            if escape != nil || hex != nil {
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i])) }
                if let escape {
                    escape.withUTF8Buffer { out.append(contentsOf: $0) }
                } else if let hex {
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigit(hex >> 4))
                    out.append(hexDigit(hex & 0xF))
                }
                i += width
                runStart = i
            } else {
                i += 1
            }
        }
        if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<n])) }
    }
    out.append(UInt8(ascii: "\""))
}

/// The lower-case hex digit for `d` (0...15).
@inline(__always)
private func hexDigit(_ d: UInt32) -> UInt8 {
    UInt8(truncatingIfNeeded: d < 10 ? 0x30 + d : 0x57 + d)
}

/// `s` as a JSON string literal with go-jsonnet's escapes.
package func quoteJSONString(_ s: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count + 2)
    appendQuoted(s, to: &out)
    return String(decoding: out, as: UTF8.self)
}
