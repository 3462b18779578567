#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// std builtins: parseJson and parseYaml, with go-jsonnet's results and error
/// messages (Go's `encoding/json` for JSON, YAML 1.1 scalars as go-yaml v2
/// resolves them for YAML).
let stdParse: [Builtin] = [
    Builtin("parseJson", "str") { v, ev in
        guard case .string(let s) = v else { throw ev.typeError(v, expected: "string") }
        var text = s.string
        do {
            return try text.withUTF8 { buf in
                var p = JSONTextParser(buf, ev: ev)
                return try p.parse()
            }
        } catch let e as JSONTextError {
            throw ev.makeError("failed to parse JSON: " + e.message)
        }
    },
    Builtin("parseYaml", "str") { v, ev in
        guard case .string(let s) = v else { throw ev.typeError(v, expected: "string") }
        return try parseYAMLStream(s.string, ev)
    },
]

/// A JSON syntax or range error, worded as Go's `encoding/json` words it.
struct JSONTextError: Error {
    let message: String
}

/// Go's `quoteChar`: how `encoding/json` shows an offending byte in errors.
func goQuoteChar(_ c: UInt8) -> String {
    switch c {
    case UInt8(ascii: "'"): return "'\\''"
    case UInt8(ascii: "\""): return "'\"'"
    case UInt8(ascii: "\\"): return "'\\\\'"
    case 0x07: return "'\\a'"
    case 0x08: return "'\\b'"
    case 0x0C: return "'\\f'"
    case 0x0A: return "'\\n'"
    case 0x0D: return "'\\r'"
    case 0x09: return "'\\t'"
    case 0x0B: return "'\\v'"
    case 0x20...0x7E, 0xA1...0xAC, 0xAE...0xFF:
        return "'" + String(Character(Unicode.Scalar(c))) + "'"
    case 0x80...0xA0, 0xAD:
        let h = String(c, radix: 16)
        return "'\\u00" + h + "'"
    default:
        let h = String(c, radix: 16)
        return "'\\x" + (h.count < 2 ? "0" + h : h) + "'"
    }
}

/// A strict JSON parser over UTF-8 bytes that reports errors exactly like Go's
/// `json.Unmarshal` into `interface{}`: syntax errors anywhere win over number
/// range errors; at the end of input the scanner's "space" step decides between
/// a specific message and `unexpected end of JSON input`.
struct JSONTextParser {
    private let b: UnsafeBufferPointer<UInt8>
    private let n: Int
    private var i = 0
    private let ev: Interpreter
    private var rangeError: String?
    private var scratch: [UInt8] = []

    /// Go's `maxNestingDepth`.
    static let maxDepth = 10000

    init(_ b: UnsafeBufferPointer<UInt8>, ev: Interpreter) {
        self.b = b
        self.n = b.count
        self.ev = ev
    }

    private enum Container {
        case array(ContiguousArray<Lazy>)
        case object([(String, Value)])
    }

    private func fail(_ c: UInt8, _ context: String) -> JSONTextError {
        JSONTextError(message: "invalid character \(goQuoteChar(c)) \(context)")
    }

    private func unexpectedEnd() -> JSONTextError {
        JSONTextError(message: "unexpected end of JSON input")
    }

    /// The error for byte `i` (or for the end of input, as a space) in `context`.
    private func failHere(_ context: String) -> JSONTextError {
        fail(i < n ? b[i] : 0x20, context)
    }

    @inline(__always)
    private mutating func skipSpace() {
        while i < n {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
    }

    mutating func parse() throws -> Value {
        var stack: [Container] = []
        var pendingKeys: [String] = []
        var value: Value = .null
        parseValue: while true {
            // Parse one value (or open a container and loop for its first element).
            skipSpace()
            guard i < n else { throw unexpectedEnd() }
            let c = b[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if stack.count >= Self.maxDepth { throw fail(c, "exceeded max depth") }
                i += 1
                skipSpace()
                guard i < n else { throw unexpectedEnd() }
                if c == UInt8(ascii: "[") {
                    if b[i] == UInt8(ascii: "]") {
                        i += 1
                        value = .array(JArray.empty)
                    } else {
                        stack.append(.array([]))
                        continue parseValue
                    }
                } else {
                    if b[i] == UInt8(ascii: "}") {
                        i += 1
                        value = .object(JObject(fields: [], heap: ev.heap))
                    } else if b[i] == UInt8(ascii: "\"") {
                        pendingKeys.append(try parseKey())
                        stack.append(.object([]))
                        continue parseValue
                    } else {
                        throw fail(b[i], "looking for beginning of object key string")
                    }
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), 0x30...0x39:
                value = .number(try parseNumber())
            case UInt8(ascii: "t"):
                try literal("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                value = .null
            default:
                throw fail(c, "looking for beginning of value")
            }
            // A value is complete: attach it to the enclosing container(s).
            while true {
                guard !stack.isEmpty else {
                    skipSpace()
                    if i < n { throw fail(b[i], "after top-level value") }
                    if let rangeError { throw JSONTextError(message: rangeError) }
                    return value
                }
                skipSpace()
                guard i < n else { throw unexpectedEnd() }
                let c = b[i]
                switch stack[stack.count - 1] {
                case .array(var elems):
                    stack[stack.count - 1] = .array([])
                    elems.append(.value(value))
                    if c == UInt8(ascii: ",") {
                        i += 1
                        stack[stack.count - 1] = .array(elems)
                        continue parseValue
                    }
                    if c != UInt8(ascii: "]") { throw fail(c, "after array element") }
                    i += 1
                    stack.removeLast()
                    value = .array(JArray(elems))
                case .object(var fields):
                    stack[stack.count - 1] = .object([])
                    fields.append((pendingKeys.removeLast(), value))
                    if c == UInt8(ascii: ",") {
                        i += 1
                        skipSpace()
                        guard i < n else { throw unexpectedEnd() }
                        guard b[i] == UInt8(ascii: "\"") else {
                            throw fail(b[i], "looking for beginning of object key string")
                        }
                        pendingKeys.append(try parseKey())
                        stack[stack.count - 1] = .object(fields)
                        continue parseValue
                    }
                    if c != UInt8(ascii: "}") { throw fail(c, "after object key:value pair") }
                    i += 1
                    stack.removeLast()
                    value = .object(JObject(fields: dedupeFields(fields), heap: ev.heap))
                }
            }
        }
    }

    /// An object key and the `:` after it.
    private mutating func parseKey() throws -> String {
        let key = try parseRawString().0
        skipSpace()
        guard i < n else { throw unexpectedEnd() }
        guard b[i] == UInt8(ascii: ":") else { throw fail(b[i], "after object key") }
        i += 1
        return key
    }

    private mutating func literal(_ word: StaticString) throws {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        i += 1
        for k in 1..<w.count {
            guard i < n, b[i] == w[k] else {
                throw failHere("in literal \(word) (expecting '\(Character(Unicode.Scalar(w[k])))')")
            }
            i += 1
        }
    }

    @inline(__always)
    private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private mutating func parseNumber() throws -> Double {
        let start = i
        var simple = true
        if b[i] == UInt8(ascii: "-") {
            i += 1
            guard i < n, isDigit(b[i]) else { throw failHere("in numeric literal") }
        }
        if b[i] == 0x30 {
            i += 1
        } else {
            while i < n && isDigit(b[i]) { i += 1 }
        }
        if i < n && b[i] == UInt8(ascii: ".") {
            simple = false
            i += 1
            guard i < n, isDigit(b[i]) else { throw failHere("after decimal point in numeric literal") }
            while i < n && isDigit(b[i]) { i += 1 }
        }
        if i < n && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            simple = false
            i += 1
            if i < n && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < n, isDigit(b[i]) else { throw failHere("in exponent of numeric literal") }
            while i < n && isDigit(b[i]) { i += 1 }
        }
        let negative = b[start] == UInt8(ascii: "-")
        let digitsStart = negative ? start + 1 : start
        if simple && i - digitsStart <= 15 {
            var v: Int64 = 0
            for k in digitsStart..<i { v = v * 10 + Int64(b[k] - 0x30) }
            return negative ? -Double(v) : Double(v)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        let d = Double(text) ?? .infinity
        if !d.isFinite && rangeError == nil {
            rangeError = "json: cannot unmarshal number \(text) into Go value of type float64"
        }
        return d
    }

    @inline(__always)
    private func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: Int(c - 0x30)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Four hex digits at `at`, validated as the scanner does (errors name the
    /// offending byte).
    private mutating func hex4(at: Int) throws -> Int {
        var v = 0
        for k in 0..<4 {
            let p = at + k
            guard p < n, let h = hexValue(b[p]) else {
                i = p
                throw failHere("in \\u hexadecimal character escape")
            }
            v = v << 4 | h
        }
        return v
    }

    /// `\uXXXX` at `at` if it is there (Go's `getu4`), for surrogate pairs.
    private func peekU4(at: Int) -> Int? {
        guard at + 6 <= n, b[at] == UInt8(ascii: "\\"), b[at + 1] == UInt8(ascii: "u") else { return nil }
        var v = 0
        for k in 2..<6 {
            guard let h = hexValue(b[at + k]) else { return nil }
            v = v << 4 | h
        }
        return v
    }

    private static func appendScalar(_ v: UInt32, to out: inout [UInt8]) {
        let s = Unicode.Scalar(v) ?? "\u{FFFD}"
        out.append(contentsOf: UTF8.encode(s)!)
    }

    /// A string literal starting at the opening quote.
    private mutating func parseString() throws -> JString {
        let (s, count, ascii) = try parseRawString()
        return count >= 0 ? JString(s, count: count, isASCII: ascii) : JString(s)
    }

    /// A string literal's text, its scalar count (-1 if not counted) and ASCII-ness.
    private mutating func parseRawString() throws -> (String, Int, Bool) {
        i += 1
        let start = i
        var ascii = true
        // Fast path: no escapes.
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                let count = ascii ? i - start : countScalars(start, i)
                i += 1
                return (s, count, ascii)
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail(c, "in string literal") }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        guard i < n else { throw unexpectedEnd() }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                let s = String(decoding: scratch, as: UTF8.self)
                return (s, ascii ? scratch.count : -1, ascii)
            }
            if c < 0x20 { throw fail(c, "in string literal") }
            if c != UInt8(ascii: "\\") {
                if c >= 0x80 { ascii = false }
                scratch.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < n else { throw failHere("in string escape code") }
            let e = b[i]
            i += 1
            if let byte = jsonEscapedByte(e) {
                scratch.append(byte)
                continue
            }
            switch e {
            case UInt8(ascii: "u"):
                var r = try hex4(at: i)
                i += 4
                if r >= 0xD800 && r < 0xE000 {
                    // A surrogate: only a high one followed by a low one makes a pair.
                    if r < 0xDC00, let r2 = peekU4(at: i), r2 >= 0xDC00 && r2 < 0xE000 {
                        r = 0x10000 + ((r - 0xD800) << 10) + (r2 - 0xDC00)
                        i += 6
                    } else {
                        r = 0xFFFD
                    }
                }
                if r >= 0x80 { ascii = false }
                Self.appendScalar(UInt32(r), to: &scratch)
            default:
                i -= 1
                throw failHere("in string escape code")
            }
        }
        throw unexpectedEnd()
    }

    private func countScalars(_ from: Int, _ to: Int) -> Int {
        var c = 0
        for k in from..<to where b[k] & 0xC0 != 0x80 { c += 1 }
        return c
    }
}

/// Drops earlier duplicates of a key (the last value wins, as in a Go map),
/// comparing keys by code points.
func dedupeFields(_ fields: [(String, Value)]) -> [(String, Value)] {
    if fields.count < 2 { return fields }
    if fields.count <= 8 {
        var duplicate = false
        outer: for a in 0..<fields.count {
            for c in (a + 1)..<fields.count where sameBytes(fields[a].0, fields[c].0) {
                duplicate = true
                break outer
            }
        }
        if !duplicate { return fields }
    }
    var seen = Set<CodePointKey>(minimumCapacity: fields.count)
    var hasDuplicates = false
    for f in fields where !seen.insert(CodePointKey(f.0)).inserted {
        hasDuplicates = true
        break
    }
    if !hasDuplicates { return fields }
    var last = [CodePointKey: Int]()
    for (k, f) in fields.enumerated() { last[CodePointKey(f.0)] = k }
    var out: [(String, Value)] = []
    for (k, f) in fields.enumerated() where last[CodePointKey(f.0)] == k { out.append(f) }
    return out
}

