/// std builtins: encoding (base64 and UTF-8), with go-jsonnet's messages.
///
/// `std.base64` encodes a string's UTF-8 bytes (go-jsonnet rejects code points
/// above 255) or an array of byte numbers; decoding follows Go's `encoding/base64` standard decoder
/// (CR and LF are skipped, error offsets are its byte offsets), and bytes become
/// text the way Go converts them: each byte of an invalid UTF-8 sequence is one U+FFFD.
let stdEncoding: [Builtin] = [
    Builtin("base64", "input") { input, ev in
        var bytes = [UInt8]()
        switch input {
        case .string(let js):
            // go-jsonnet requires every code point to be ≤ 255, then encodes the UTF-8 bytes.
            let str = js.string
            if !js.isASCII {
                for u in str.unicodeScalars where u.value > 255 { throw base64RangeError(Int(u.value), ev) }
            }
            bytes = Array(str.utf8)
        case .array(let arr):
            bytes.reserveCapacity(arr.count)
            for k in 0..<arr.count {
                let v = try arr.get(k, ev)
                guard case .number(let d) = v, let i = int32Value(d) else {
                    throw ev.makeError("base64 encountered a non-integer value in the array, got \(v.typeName)")
                }
                guard i >= 0 && i <= 255 else { throw base64RangeError(i, ev) }
                bytes.append(UInt8(i))
            }
        default:
            throw ev.makeError("base64 can only base64 encode strings / arrays of single bytes, got \(input.typeName)")
        }
        return .string(base64Encode(bytes))
    },
    Builtin("base64Decode", "str") { str, ev in
        let bytes = try base64DecodeArgument(str, ev)
        return .string(bytes.withUnsafeBufferPointer { goStringFromBytes($0) })
    },
    Builtin("base64DecodeBytes", "str") { str, ev in
        byteArray(try base64DecodeArgument(str, ev))
    },
    Builtin("encodeUTF8", "str") { str, ev in
        guard case .string(let js) = str else { throw ev.typeError(str, expected: "string") }
        return byteArray(Array(js.string.utf8))
    },
    Builtin("decodeUTF8", "arr") { arr, ev in
        guard case .array(let a) = arr else { throw ev.typeError(arr, expected: "array") }
        var bytes = [UInt8]()
        bytes.reserveCapacity(a.count)
        for k in 0..<a.count {
            let v = try a.get(k, ev)
            guard case .number(let d) = v else { throw ev.typeError(v, expected: "number") }
            guard let i = int32Value(d) else {
                throw ev.makeError("Expected an integer, but got \(formatGoFloat(d))")
            }
            guard i >= 0 && i <= 255 else {
                throw ev.makeError("Bytes must be integers in range [0, 255], got \(i)")
            }
            bytes.append(UInt8(i))
        }
        return .string(bytes.withUnsafeBufferPointer { goStringFromBytes($0) })
    },
]

/// `d` as an integer if it is one that fits in 32 bits (go-jsonnet converts through int32).
@inline(__always)
private func int32Value(_ d: Double) -> Int? {
    guard d >= -2147483648.0 && d <= 2147483647.0 && d.rounded(.towardZero) == d else { return nil }
    return Int(d)
}


private func base64RangeError(_ value: Int, _ ev: Interpreter) -> JsonnetError {
    ev.makeError("base64 encountered invalid codepoint value in the array (must be 0 <= X <= 255), got \(value)")
}

/// An array of byte numbers.
private func byteArray(_ bytes: [UInt8]) -> Value {
    .array(JArray.bytes(bytes))
}

private let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/// Standard base64 with `=` padding.
private func base64Encode(_ bytes: [UInt8]) -> JString {
    let n = bytes.count
    let outLen = (n + 2) / 3 * 4
    if outLen == 0 { return JString.empty }
    let s = String(unsafeUninitializedCapacity: outLen) { out in
        let abc = base64Alphabet.utf8Start
        var i = 0
        var o = 0
        while i + 3 <= n {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out[o] = abc[Int(v >> 18)]
            out[o + 1] = abc[Int(v >> 12 & 63)]
            out[o + 2] = abc[Int(v >> 6 & 63)]
            out[o + 3] = abc[Int(v & 63)]
            i += 3
            o += 4
        }
        let rem = n - i
        if rem > 0 {
            var v = UInt32(bytes[i]) << 16
            if rem == 2 { v |= UInt32(bytes[i + 1]) << 8 }
            out[o] = abc[Int(v >> 18)]
            out[o + 1] = abc[Int(v >> 12 & 63)]
            out[o + 2] = rem == 2 ? abc[Int(v >> 6 & 63)] : UInt8(ascii: "=")
            out[o + 3] = UInt8(ascii: "=")
            o += 4
        }
        return o
    }
    return JString(s, count: outLen, isASCII: true)
}

/// Alphabet value of each byte, 0xFF for bytes outside it.
private let base64DecodeTable: [UInt8] = {
    var t = [UInt8](repeating: 0xFF, count: 256)
    var i: UInt8 = 0
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8 {
        t[Int(c)] = i
        i += 1
    }
    return t
}()

/// The bytes std.base64Decode / std.base64DecodeBytes decode from `str`.
private func base64DecodeArgument(_ str: Value, _ ev: Interpreter) throws -> [UInt8] {
    guard case .string(let js) = str else {
        throw ev.makeError("base64DecodeBytes requires a string, got \(str.typeName)")
    }
    var s = js.string
    return try s.withUTF8 { src in
        if src.count % 4 != 0 {
            throw ev.makeError("input string appears not to be a base64 encoded string. Wrong length found (\(src.count))")
        }
        switch goBase64Decode(src) {
        case .success(let bytes): return bytes
        case .failure(let e):
            throw ev.makeError("failed to decode: illegal base64 data at input byte \(e.offset)")
        }
    }
}

private struct CorruptBase64: Error {
    let offset: Int
}

/// Go's standard (padded, non-strict) base64 decoding, quantum by quantum.
private func goBase64Decode(_ src: UnsafeBufferPointer<UInt8>) -> Result<[UInt8], CorruptBase64> {
    var failure: CorruptBase64?
    // A quantum of k symbols (2...4) gives k - 1 bytes: at most 3 bytes for every 4 input
    // bytes, so 3 * (n / 4) + 2 bounds the output.
    let out = base64DecodeTable.withUnsafeBufferPointer { table in
        [UInt8](unsafeUninitializedCapacity: src.count / 4 * 3 + 3) { dst, written in
            written = 0
            failure = decodeQuanta(src, table, dst, &written)
        }
    }
    if let failure { return .failure(failure) }
    return .success(out)
}

/// Decodes `src` into `dst` from index `o` on (advanced past what it writes); answers
/// where the input is corrupt, or nil. `dst` holds at least 3 * (src.count / 4) + 2 bytes.
private func decodeQuanta(_ src: UnsafeBufferPointer<UInt8>, _ table: UnsafeBufferPointer<UInt8>,
                          _ dst: UnsafeMutableBufferPointer<UInt8>, _ o: inout Int) -> CorruptBase64? {
    let n = src.count
    var si = 0
    let eq = UInt8(ascii: "=")
    let cr = UInt8(ascii: "\r")
    let lf = UInt8(ascii: "\n")
    while si < n {
        // Four symbols, no padding or line breaks (nearly all of the input): decode directly.
        while si &+ 4 <= n {
            let a = table[Int(src[si])], b = table[Int(src[si &+ 1])]
            let c = table[Int(src[si &+ 2])], d = table[Int(src[si &+ 3])]
            // Symbols are below 64; 0xFF marks anything else.
            if (a | b | c | d) & 0xC0 != 0 { break }
            let val = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            dst[o] = UInt8(truncatingIfNeeded: val >> 16)
            dst[o &+ 1] = UInt8(truncatingIfNeeded: val >> 8)
            dst[o &+ 2] = UInt8(truncatingIfNeeded: val)
            o &+= 3
            si &+= 4
        }
        if si >= n { break }
        var quantum: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        var dlen = 4
        var j = 0
        var trailingError: Int?
        while j < 4 {
            if si == n {
                if j == 0 { return nil }
                // j == 1 is never valid, and padding is required for 2 or 3.
                return CorruptBase64(offset: si - j)
            }
            let c = src[si]
            si += 1
            let v = table[Int(c)]
            if v != 0xFF {
                switch j {
                case 0: quantum.0 = UInt32(v)
                case 1: quantum.1 = UInt32(v)
                case 2: quantum.2 = UInt32(v)
                default: quantum.3 = UInt32(v)
                }
                j += 1
                continue
            }
            if c == lf || c == cr { continue }
            if c != eq { return CorruptBase64(offset: si - 1) }
            // Padding: only after two or three symbols.
            if j < 2 { return CorruptBase64(offset: si - 1) }
            if j == 2 {
                while si < n && (src[si] == lf || src[si] == cr) { si += 1 }
                if si == n { return CorruptBase64(offset: n) }
                if src[si] != eq { return CorruptBase64(offset: si - 1) }
                si += 1
            }
            while si < n && (src[si] == lf || src[si] == cr) { si += 1 }
            if si < n { trailingError = si }
            dlen = j
            break
        }
        let val = quantum.0 << 18 | quantum.1 << 12 | quantum.2 << 6 | quantum.3
        dst[o] = UInt8(truncatingIfNeeded: val >> 16)
        o += 1
        if dlen >= 3 { dst[o] = UInt8(truncatingIfNeeded: val >> 8); o += 1 }
        if dlen == 4 { dst[o] = UInt8(truncatingIfNeeded: val); o += 1 }
        if let t = trailingError { return CorruptBase64(offset: t) }
    }
    return nil
}

/// Converts bytes to text as Go converts a byte string to runes: valid UTF-8
/// sequences are kept, and every byte that does not start one becomes U+FFFD.
func goStringFromBytes(_ b: UnsafeBufferPointer<UInt8>) -> JString {
    let n = b.count
    var i = 0
    // Eight bytes at a time while they are all ASCII.
    if let base = b.baseAddress {
        while i &+ 8 <= n, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i &+= 8
        }
    }
    while i < n && b[i] < 0x80 { i += 1 }
    if i == n {
        return JString(String(decoding: b, as: UTF8.self), count: n, isASCII: true)
    }
    var out = [UInt8]()
    out.reserveCapacity(n + 8)
    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[0..<i]))
    var count = i
    @inline(__always) func isCont(_ x: UInt8) -> Bool { x & 0xC0 == 0x80 }
    while i < n {
        let c = b[i]
        count += 1
        if c < 0x80 {
            out.append(c)
            i += 1
            continue
        }
        var width = 0
        switch c {
        case 0xC2...0xDF:
            if i + 1 < n && isCont(b[i + 1]) { width = 2 }
        case 0xE0...0xEF:
            if i + 2 < n {
                let c1 = b[i + 1]
                let lo: UInt8 = c == 0xE0 ? 0xA0 : 0x80
                let hi: UInt8 = c == 0xED ? 0x9F : 0xBF
                if c1 >= lo && c1 <= hi && isCont(b[i + 2]) { width = 3 }
            }
        case 0xF0...0xF4:
            if i + 3 < n {
                let c1 = b[i + 1]
                let lo: UInt8 = c == 0xF0 ? 0x90 : 0x80
                let hi: UInt8 = c == 0xF4 ? 0x8F : 0xBF
                if c1 >= lo && c1 <= hi && isCont(b[i + 2]) && isCont(b[i + 3]) { width = 4 }
            }
        default:
            break
        }
        if width == 0 {
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            i += 1
        } else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<(i + width)]))
            i += width
        }
    }
    return JString(String(decoding: out, as: UTF8.self), count: count, isASCII: false)
}
