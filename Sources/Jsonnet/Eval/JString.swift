/// `parts` joined by `separator`, written in place into one string of `byteCount`
/// UTF-8 bytes (the caller's sum of the parts' and separators' lengths; a smaller
/// count truncates, never overruns).
func joinedString(_ parts: [String], separator: String = "", byteCount: Int) -> String {
    var separator = separator
    return separator.withUTF8 { sep in
        String(unsafeUninitializedCapacity: byteCount) { out in
            var at = 0
            func copy(_ bytes: UnsafeBufferPointer<UInt8>) {
                guard let from = bytes.baseAddress, bytes.count > 0, at + bytes.count <= out.count else { return }
                (out.baseAddress.unsafelyUnwrapped + at).initialize(from: from, count: bytes.count)
                at += bytes.count
            }
            for k in parts.indices {
                if k > 0 { copy(sep) }
                var text = parts[k]
                text.withUTF8 { copy($0) }
            }
            return at
        }
    }
}

/// A Jsonnet string: a sequence of Unicode code points with O(1) length and,
/// for ASCII text, O(1) indexing.
///
/// Concatenation of long strings builds a rope that is flattened once, on first
/// use, without recursion, so `s + x` in a loop stays linear.
package final class JString {
    /// Number of Unicode scalars.
    package let count: Int
    /// True when every scalar is ASCII (then UTF-8 offsets are scalar offsets).
    package let isASCII: Bool
    private var flat: String?
    private var left: JString?
    private var right: JString?
    private var scalarCache: [Unicode.Scalar]?
    /// A large flat string's share of the evaluation's memory budget.
    private var charge: MemoryCharge?

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
        self.flat = s
        if s.utf8.count >= MemoryBudget.largeBytes { charge = MemoryBudget.charge(s.utf8.count) }
    }

    /// Wraps a string whose scalar count and ASCII-ness are already known.
    package init(_ s: String, count: Int, isASCII: Bool) {
        self.count = count
        self.isASCII = isASCII
        self.flat = s
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
        self.left = left
        self.right = right
    }

    /// The shared empty string.
    nonisolated(unsafe) package static let empty = JString("", count: 0, isASCII: true)

    /// `a + b`, as a rope when the result is long.
    package static func concat(_ a: JString, _ b: JString) -> JString {
        if a.count == 0 { return b }
        if b.count == 0 { return a }
        if a.count + b.count <= 64, var fa = a.flat, var fb = b.flat {
            // Short results are copied: bytes side by side, without `String +`'s general path.
            let joined = fa.withUTF8 { x in
                fb.withUTF8 { y in
                    String(unsafeUninitializedCapacity: x.count + y.count) { out in
                        if let p = x.baseAddress, x.count > 0 { out.baseAddress.unsafelyUnwrapped.initialize(from: p, count: x.count) }
                        if let p = y.baseAddress, y.count > 0 { (out.baseAddress.unsafelyUnwrapped + x.count).initialize(from: p, count: y.count) }
                        return x.count + y.count
                    }
                }
            }
            return JString(joined, count: a.count + b.count, isASCII: a.isASCII && b.isASCII)
        }
        return JString(left: a, right: b)
    }

    /// The flattened Swift string.
    package var string: String {
        if let flat { return flat }
        let s = flatten()
        flat = s
        if s.utf8.count >= MemoryBudget.largeBytes { charge = MemoryBudget.charge(s.utf8.count) }
        left = nil
        right = nil
        return s
    }

    private func flatten() -> String {
        // The leaves left to right (no recursion: ropes can be millions deep), then
        // one string written in place.
        var leaves: [String] = []
        var bytes = 0
        var stack: [JString] = [self]
        while let node = stack.popLast() {
            if let f = node.flat {
                bytes += f.utf8.count
                leaves.append(f)
            } else {
                stack.append(node.right.unsafelyUnwrapped)
                stack.append(node.left.unsafelyUnwrapped)
            }
        }
        return joinedString(leaves, byteCount: bytes)
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
