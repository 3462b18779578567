/// A Jsonnet string: a sequence of Unicode code points with O(1) length and,
/// for ASCII text, O(1) indexing.
///
/// Three forms keep `s + x` in a loop linear:
/// - `acc + x` where `acc` ends its append buffer (`TextBuffer`) writes `x` into the
///   buffer in place and returns a longer prefix of it; `acc` still sees its own
///   prefix (a second `acc + y` copies instead);
/// - other concatenations of long strings build a rope, flattened once, on first
///   use, without recursion;
/// - everything else is a Swift string.
package final class JString {
    /// Number of Unicode scalars.
    package let count: Int
    /// True when every scalar is ASCII (then UTF-8 offsets are scalar offsets).
    package let isASCII: Bool
    private var form: Form
    private var scalarCache: [Unicode.Scalar]?
    /// A large flat string's share of the evaluation's memory budget.
    private var charge: MemoryCharge?

    private enum Form {
        /// The text itself.
        case flat(String)
        /// `left + right`, not yet flattened.
        case rope(JString, JString)
        /// The first `bytes` bytes of a shared append buffer.
        case appended(TextBuffer, Int)
    }

    /// Strings of at most this many bytes are copied, not joined as ropes.
    private static let shortBytes = 64
    /// `a + b` starts an append buffer (copying both) only when both are at most this long.
    private static let bufferStartBytes = 4096

    /// Wraps a Swift string, measuring it once.
    package init(_ s: String) {
        var s = s
        var n = 0
        var ascii = true
        s.withUTF8 { buf in
            // ASCII text (the common case) is recognised eight bytes at a time.
            var i = 0
            if let base = buf.baseAddress {
                let raw = UnsafeRawPointer(base)
                while i + 8 <= buf.count, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                }
            }
            n = i
            while i < buf.count {
                let b = buf[i]
                if b & 0xC0 != 0x80 { n += 1 }
                if b >= 0x80 { ascii = false }
                i += 1
            }
        }
        self.count = n
        self.isASCII = ascii
        self.form = .flat(s)
        if s.utf8.count >= MemoryBudget.largeBytes { charge = MemoryBudget.charge(s.utf8.count) }
    }

    /// Wraps a string whose scalar count and ASCII-ness are already known.
    package init(_ s: String, count: Int, isASCII: Bool) {
        self.count = count
        self.isASCII = isASCII
        self.form = .flat(s)
        if count >= MemoryBudget.largeBytes { charge = MemoryBudget.charge(s.utf8.count) }
    }

    /// A string that is never mutated after creation (safe to share between
    /// evaluations): its scalar table, if it needs one, is built up front.
    package static func frozen(_ s: String) -> JString {
        let j = JString(s)
        // Shared trees outlive the evaluation that parsed them: charge nobody's budget.
        j.charge = nil
        if !j.isASCII { j.scalarCache = Array(s.unicodeScalars) }
        return j
    }

    private init(left: JString, right: JString) {
        self.count = left.count + right.count
        self.isASCII = left.isASCII && right.isASCII
        self.form = .rope(left, right)
    }

    private init(buffer: TextBuffer, bytes: Int, count: Int, isASCII: Bool) {
        self.count = count
        self.isASCII = isASCII
        self.form = .appended(buffer, bytes)
    }

    /// The shared empty string.
    nonisolated(unsafe) package static let empty = JString("", count: 0, isASCII: true)

    /// The UTF-8 length of a string that is not a rope (nil for a rope).
    private var directBytes: Int? {
        switch form {
        case .flat(let s): return s.utf8.count
        case .appended(_, let n): return n
        case .rope: return nil
        }
    }

    /// Calls `body` with the UTF-8 bytes of a string that is not a rope.
    private func withDirectBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        switch form {
        case .flat(let s):
            // Native text is contiguous already (a small string is copied to the stack).
            var copy = s
            return try copy.withUTF8(body)
        case .appended(let b, let n): return try body(UnsafeBufferPointer(start: b.storage, count: n))
        case .rope: preconditionFailure("a rope has no direct bytes")
        }
    }

    /// `a + b`: in place at the end of `a`'s append buffer, as a copy when short,
    /// as a rope otherwise.
    package static func concat(_ a: JString, _ b: JString) -> JString {
        if a.count == 0 { return b }
        if b.count == 0 { return a }
        let count = a.count + b.count
        let ascii = a.isASCII && b.isASCII
        guard let nb = b.directBytes else { return JString(left: a, right: b) }
        if case .appended(let buffer, let na) = a.form, na == buffer.used {
            b.withDirectBytes { buffer.append($0) }
            return JString(buffer: buffer, bytes: na + nb, count: count, isASCII: ascii)
        }
        guard let na = a.directBytes else { return JString(left: a, right: b) }
        if na + nb <= shortBytes {
            // Short results are copied: bytes side by side, without `String +`'s general path.
            let joined = String(unsafeUninitializedCapacity: na + nb) { out in
                let base = out.baseAddress.unsafelyUnwrapped
                a.withDirectBytes { if let p = $0.baseAddress, na > 0 { base.initialize(from: p, count: na) } }
                b.withDirectBytes { if let p = $0.baseAddress, nb > 0 { (base + na).initialize(from: p, count: nb) } }
                return na + nb
            }
            return JString(joined, count: count, isASCII: ascii)
        }
        if na <= bufferStartBytes && nb <= bufferStartBytes {
            // Likely the start of `acc + x` in a loop: later appends go in place.
            let buffer = TextBuffer(capacity: 2 * (na + nb))
            a.withDirectBytes { buffer.append($0) }
            b.withDirectBytes { buffer.append($0) }
            return JString(buffer: buffer, bytes: na + nb, count: count, isASCII: ascii)
        }
        return JString(left: a, right: b)
    }

    /// The flattened Swift string.
    package var string: String {
        switch form {
        case .flat(let s):
            return s
        case .appended(let buffer, let n):
            let s = String(unsafeUninitializedCapacity: n) { out in
                if n > 0 { out.baseAddress.unsafelyUnwrapped.initialize(from: buffer.storage, count: n) }
                return n
            }
            settle(s)
            return s
        case .rope:
            let s = flatten()
            settle(s)
            return s
        }
    }

    /// Keeps `s` as this string's only form (dropping rope children or the buffer).
    private func settle(_ s: String) {
        form = .flat(s)
        if s.utf8.count >= MemoryBudget.largeBytes { charge = MemoryBudget.charge(s.utf8.count) }
    }

    private func flatten() -> String {
        // The leaves left to right (no recursion: ropes can be millions deep), then
        // one string written in place.
        var leaves = ContiguousArray<JString>()
        var bytes = 0
        var stack: [JString] = [self]
        while let node = stack.popLast() {
            if case .rope(let l, let r) = node.form {
                stack.append(r)
                stack.append(l)
            } else {
                bytes += node.directBytes.unsafelyUnwrapped
                leaves.append(node)
            }
        }
        return JString.joined(leaves, separator: .empty, byteCount: bytes)
    }

    /// The number of UTF-8 bytes (flattening a rope).
    package var utf8Count: Int { directBytes ?? string.utf8.count }

    /// Calls `body` with the UTF-8 bytes (flattening a rope first).
    package func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if case .rope = form { _ = string }
        return try withDirectBytes(body)
    }

    /// `parts` joined by `separator`, written in place into one string of `byteCount`
    /// UTF-8 bytes (the sum of the parts' and separators' lengths).
    package static func joined(_ parts: ContiguousArray<JString>, separator: JString, byteCount: Int) -> String {
        String(unsafeUninitializedCapacity: byteCount) { out in
            var w = TextWriter(out)
            for k in parts.indices {
                if k > 0 { w.write(separator) }
                w.write(parts[k])
            }
            return w.written
        }
    }

    /// The scalars as an array (cached), for random access into non-ASCII text.
    package var scalars: [Unicode.Scalar] {
        if let scalarCache { return scalarCache }
        let s = Array(string.unicodeScalars)
        scalarCache = s
        return s
    }

    /// The scalar at code-point offset `i` (0 ≤ i < count).
    package func scalar(at i: Int) -> Unicode.Scalar {
        if isASCII {
            var s = string
            return s.withUTF8 { Unicode.Scalar($0[i]) }
        }
        return scalars[i]
    }

    /// The substring of `length` code points starting at code point `start` (both clamped).
    package func substring(from start: Int, length: Int) -> JString {
        let lo = max(0, min(start, count))
        let hi = max(lo, min(count, lo + max(0, length)))
        if lo == 0 && hi == count { return self }
        if isASCII {
            var s = string
            let sub = s.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[lo..<hi]), as: UTF8.self) }
            return JString(sub, count: hi - lo, isASCII: true)
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[lo..<hi])
        return JString(String(view), count: hi - lo, isASCII: false)
    }

    /// A one-scalar string.
    package static func of(_ scalar: Unicode.Scalar) -> JString {
        if scalar.isASCII { return asciiTable[Int(scalar.value)] }
        return JString(String(Character(scalar)), count: 1, isASCII: false)
    }

    nonisolated(unsafe) private static let asciiTable: [JString] = (0..<128).map {
        JString(String(Character(Unicode.Scalar(UInt8($0)))), count: 1, isASCII: true)
    }

    /// Code-point equality (not Swift's canonical equivalence).
    package static func equal(_ a: JString, _ b: JString) -> Bool {
        if a === b { return true }
        if a.count != b.count { return false }
        return a.string.utf8.elementsEqual(b.string.utf8)
    }

    /// Code-point order, which is UTF-8 byte order.
    package static func compare(_ a: JString, _ b: JString) -> Int {
        compareUTF8(a.string, b.string)
    }
}

/// Orders two strings by code point (UTF-8 byte order): -1, 0 or 1.
package func compareUTF8(_ a: String, _ b: String) -> Int {
    var a = a
    var b = b
    return a.withUTF8 { pa in
        b.withUTF8 { pb in
            let n = min(pa.count, pb.count)
            if n > 0 {
                let r = memcmp(pa.baseAddress!, pb.baseAddress!, n)
                if r != 0 { return r < 0 ? -1 : 1 }
            }
            return pa.count == pb.count ? 0 : (pa.count < pb.count ? -1 : 1)
        }
    }
}

/// Sorts `names` in code-point (UTF-8 byte) order, as go-jsonnet sorts field names;
/// more than 32 names by their first eight bytes read as one integer, the whole strings only on a tie
/// (field names such as `k123` differ in those bytes, so most comparisons are one
/// integer comparison).
package func sortUTF8(_ names: inout [String]) {
    if names.count < 2 { return }
    // A few names: sorting them directly is cheaper than building the keys.
    if names.count <= 32 {
        names.sort(by: utf8Less)
        return
    }
    var keyed = [(prefix: UInt64, name: String)]()
    keyed.reserveCapacity(names.count)
    for name in names { keyed.append((utf8Prefix(name), name)) }
    keyed.sort { a, b in a.prefix != b.prefix ? a.prefix < b.prefix : compareUTF8(a.name, b.name) < 0 }
    for i in names.indices { names[i] = keyed[i].name }
}

/// The first eight UTF-8 bytes of `s`, the first in the most significant place,
/// zero-padded: comparing two of them orders the strings unless they are equal.
@inline(__always)
private func utf8Prefix(_ s: String) -> UInt64 {
    var s = s
    return s.withUTF8 { buf in
        var key: UInt64 = 0
        for k in 0..<8 { key = key << 8 | UInt64(k < buf.count ? buf[k] : 0) }
        return key
    }
}

/// Code-point order on Swift strings, for sorting field names the way go-jsonnet does.
@inline(__always)
package func utf8Less(_ a: String, _ b: String) -> Bool { compareUTF8(a, b) < 0 }

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte equality of two strings (not Swift's canonical equivalence).
@inline(__always)
func sameBytes(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { pa in
        b.withUTF8 { pb in
            pa.count == pb.count && (pa.count == 0 || memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0)
        }
    }
}

/// A string key hashed and compared by its UTF-8 bytes (Swift's `String`
/// equality would merge canonically equivalent keys).
struct CodePointKey: Hashable {
    let s: String
    init(_ s: String) { self.s = s }
    static func == (a: CodePointKey, b: CodePointKey) -> Bool { sameBytes(a.s, b.s) }
    func hash(into h: inout Hasher) {
        var s = self.s
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// The growable bytes behind strings built by appending: each string made from it
/// is a prefix (`JString.Form.appended`), and only the string ending at `used` may
/// append, so earlier prefixes never change.
final class TextBuffer {
    private(set) var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    private(set) var used = 0
    /// The buffer's share of the evaluation's memory budget, when large.
    private var charge: MemoryCharge?

    init(capacity: Int) {
        self.capacity = max(capacity, 128)
        storage = .allocate(capacity: self.capacity)
        recharge()
    }

    deinit { storage.deallocate() }

    /// Writes `bytes` after the used part, growing the buffer (doubling) when full.
    /// `bytes` may lie in this buffer itself (`s + s`).
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard var from = bytes.baseAddress, bytes.count > 0 else { return }
        let needed = used + bytes.count
        if needed > capacity {
            let inside = from >= UnsafePointer(storage) && from < UnsafePointer(storage + used)
            let offset = inside ? from - UnsafePointer(storage) : 0
            // Doubling keeps appending linear, but not past the memory budget: near the
            // limit the buffer grows to exactly what is needed (and the budget check that
            // follows every allocation then ends the evaluation cleanly).
            var grown = Swift.max(needed, capacity &* 2)
            if let budget = MemoryBudget.current, budget.live - (charge?.bytes ?? 0) + grown > budget.limit {
                grown = needed
            }
            let next = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            next.initialize(from: storage, count: used)
            storage.deallocate()
            storage = next
            capacity = grown
            recharge()
            if inside { from = UnsafePointer(storage + offset) }
        }
        (storage + used).initialize(from: from, count: bytes.count)
        used = needed
    }

    private func recharge() {
        charge = nil  // the old share first, so growing never counts both
        charge = capacity >= MemoryBudget.largeBytes ? MemoryBudget.charge(capacity) : nil
    }
}

/// Writes strings one after another into uninitialized bytes, never past their end
/// (a miscounted size truncates instead of overrunning).
package struct TextWriter {
    private let out: UnsafeMutableBufferPointer<UInt8>
    /// Bytes written so far.
    package private(set) var written = 0

    package init(_ out: UnsafeMutableBufferPointer<UInt8>) { self.out = out }

    /// Appends the UTF-8 bytes of `s`.
    @inline(__always)
    package mutating func write(_ s: JString) {
        if s.count == 0 { return }
        s.withUTF8 { write(bytes: $0) }
    }

    /// Appends `bytes` (short ones byte by byte, without a call to `memcpy`).
    @inline(__always)
    package mutating func write(bytes: UnsafeBufferPointer<UInt8>) {
        guard let from = bytes.baseAddress, bytes.count > 0, written + bytes.count <= out.count else { return }
        let to = out.baseAddress.unsafelyUnwrapped + written
        if bytes.count <= 8 {
            for i in 0..<bytes.count { to[i] = from[i] }
        } else {
            to.initialize(from: from, count: bytes.count)
        }
        written += bytes.count
    }

    /// Appends again the `count` bytes already written at offset `start`.
    @inline(__always)
    package mutating func rewrite(from start: Int, count: Int) {
        guard count > 0, start >= 0, start + count <= written, written + count <= out.count else { return }
        let base = out.baseAddress.unsafelyUnwrapped
        write(bytes: UnsafeBufferPointer(start: base + start, count: count))
    }
}
