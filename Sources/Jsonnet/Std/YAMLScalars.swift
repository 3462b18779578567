/// YAML 1.1 scalar resolution as go-yaml v2 does it: booleans, integers in
/// every base, floats, timestamps, binary and null.

private let yamlResolveMap: [String: GoYAMLValue] = {
    var m: [String: GoYAMLValue] = [:]
    for s in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] { m[s] = .bool(true) }
    for s in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] { m[s] = .bool(false) }
    for s in ["", "~", "null", "Null", "NULL"] { m[s] = .null }
    for s in [".nan", ".NaN", ".NAN"] { m[s] = .float(.nan) }
    for s in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] { m[s] = .float(.infinity) }
    for s in ["-.inf", "-.Inf", "-.INF"] { m[s] = .float(-.infinity) }
    return m
}()

private func resolvedTag(_ v: GoYAMLValue) -> String {
    switch v {
    case .null: nullTag
    case .bool: boolTag
    case .int, .uint: intTag
    case .float: floatTag
    default: strTag
    }
}

/// go-yaml's `resolve(tag, text)`: the resolved tag and value, or an error
/// when an explicit tag does not fit the text.
func resolveYAMLScalar(tag: String, _ text: String) throws -> (String, GoYAMLValue) {
    switch tag {
    case "", strTag, boolTag, intTag, floatTag, nullTag, timestampTag: break
    default: return (tag, .string(text))  // not resolvable: kept as a string
    }
    let (rtag, out) = resolvePlain(tag: tag, text)
    switch tag {
    case "", rtag, strTag, binaryTag:
        return (rtag, out)
    case floatTag where rtag == intTag:
        // go-yaml only converts `int` values; uint64 ones fail like other mismatches.
        if case .int(let i) = out { return (floatTag, .float(Double(i))) }
    default:
        break
    }
    throw YAMLError(message: "yaml: cannot decode \(shortTag(rtag)) `\(text)` as a \(shortTag(tag))")
}

private func resolvePlain(tag: String, _ text: String) -> (String, GoYAMLValue) {
    let first = text.utf8.first
    var hint: UInt8 = UInt8(ascii: "N")
    if let c = first {
        switch c {
        case UInt8(ascii: "+"), UInt8(ascii: "-"): hint = UInt8(ascii: "S")
        case 0x30...0x39: hint = UInt8(ascii: "D")
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
             UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"),
             UInt8(ascii: "~"):
            hint = UInt8(ascii: "M")
        case UInt8(ascii: "."): hint = UInt8(ascii: ".")
        default: hint = 0
        }
    }
    if hint == 0 || tag == strTag || tag == binaryTag { return (strTag, .string(text)) }
    if let v = yamlResolveMap[text] { return (resolvedTag(v), v) }
    switch hint {
    case UInt8(ascii: "."):
        if let d = goParseFloat(text) { return (floatTag, .float(d)) }
    case UInt8(ascii: "D"), UInt8(ascii: "S"):
        if tag.isEmpty || tag == timestampTag, looksLikeYAMLTimestamp(text) {
            return (timestampTag, .string(text))
        }
        let plain = text.replacingUnderscores()
        if let i = goParseInt(plain) {
            return (intTag, .int(i))
        }
        if let u = goParseUint(plain) {
            return (intTag, .uint(u))
        }
        if isYAMLStyleFloat(plain), let d = Double(plain), d.isFinite {
            return (floatTag, .float(d))
        }
        if plain.hasPrefix("0b") {
            let digits = plain.dropFirst(2)
            if let i = parseBinary(digits, negative: false) { return (intTag, .int(i)) }
            if !digits.isEmpty, digits.allSatisfy({ $0 == "0" || $0 == "1" }), let u = UInt64(digits, radix: 2) {
                return (intTag, .uint(u))
            }
        } else if plain.hasPrefix("-0b") {
            if let i = parseBinary(plain.dropFirst(3), negative: true) { return (intTag, .int(i)) }
        }
    default:
        break
    }
    return (strTag, .string(text))
}

private extension String {
    func replacingUnderscores() -> String {
        if !utf8.contains(UInt8(ascii: "_")) { return self }
        return String(decoding: utf8.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
    }
}

private func parseBinary(_ digits: Substring, negative: Bool) -> Int64? {
    // strconv.ParseInt(s, 2, 64): optional sign handled by the caller's prefix.
    var s = digits
    var neg = negative
    if !negative, let f = s.first, f == "+" || f == "-" {
        neg = f == "-"
        s = s.dropFirst()
    }
    guard !s.isEmpty, s.allSatisfy({ $0 == "0" || $0 == "1" }), let m = UInt64(s, radix: 2) else { return nil }
    if neg {
        if m > UInt64(Int64.max) + 1 { return nil }
        return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
    }
    if m > UInt64(Int64.max) { return nil }
    return Int64(m)
}

/// Go's `strconv.ParseUint(s, 0, 64)` on text without underscores.
private func goParseUint(_ s: String) -> UInt64? {
    let b = Array(s.utf8)
    guard !b.isEmpty else { return nil }
    var base: UInt64 = 10
    var i = 0
    if b[0] == 0x30 && b.count > 1 {
        switch b[1] | 0x20 {
        case UInt8(ascii: "x"): base = 16; i = 2
        case UInt8(ascii: "b"): base = 2; i = 2
        case UInt8(ascii: "o"): base = 8; i = 2
        default: base = 8; i = 1
        }
    }
    if i >= b.count && !(base == 8 && i == 1) { return nil }
    var v: UInt64 = 0
    while i < b.count {
        let c = b[i]
        let d: UInt64
        switch c {
        case 0x30...0x39: d = UInt64(c - 0x30)
        case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt64(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt64(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
        if d >= base { return nil }
        let (m, o1) = v.multipliedReportingOverflow(by: base)
        let (a, o2) = m.addingReportingOverflow(d)
        if o1 || o2 { return nil }
        v = a
        i += 1
    }
    return v
}

/// Go's `strconv.ParseInt(s, 0, 64)` on text without underscores.
private func goParseInt(_ s: String) -> Int64? {
    var body = Substring(s)
    var neg = false
    if let f = body.first, f == "+" || f == "-" {
        neg = f == "-"
        body = body.dropFirst()
    }
    guard let m = goParseUint(String(body)) else { return nil }
    if neg {
        if m > UInt64(Int64.max) + 1 { return nil }
        return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
    }
    if m > UInt64(Int64.max) { return nil }
    return Int64(m)
}

/// Go's `strconv.ParseFloat(s, 64)`, nil on syntax or range errors.
private func goParseFloat(_ s: String) -> Double? {
    var s = s
    let ok = s.withUTF8 { goParseFloatAccepts($0) }
    guard ok else { return nil }
    let b = Array(s.utf8)
    var i = 0
    var neg = false
    if let f = b.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") {
        neg = f == UInt8(ascii: "-")
        i = 1
    }
    let rest = String(decoding: b[i...], as: UTF8.self).lowercased()
    if rest == "inf" || rest == "infinity" { return neg ? -.infinity : .infinity }
    if s.lowercased() == "nan" { return .nan }
    return Double(s.replacingUnderscores())
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
private func isYAMLStyleFloat(_ s: String) -> Bool {
    let b = Array(s.utf8)
    var i = 0
    let n = b.count
    func digits() -> Int {
        let start = i
        while i < n && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        return i - start
    }
    if i < n && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
    if i < n && b[i] == UInt8(ascii: ".") {
        i += 1
        if digits() == 0 { return false }
    } else {
        if digits() == 0 { return false }
        if i < n && b[i] == UInt8(ascii: ".") {
            i += 1
            _ = digits()
        }
    }
    if i < n && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
        i += 1
        if i < n && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
        if digits() == 0 { return false }
    }
    return i == n
}

/// go-yaml's timestamp formats: `YYYY-M-D`, optionally followed by a time
/// (`T`, `t` or space separated, fraction and zone optional).
private func looksLikeYAMLTimestamp(_ s: String) -> Bool {
    let b = Array(s.utf8)
    let n = b.count
    var i = 0
    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    func num(_ minLen: Int, _ maxLen: Int) -> Bool {
        let start = i
        while i < n && isDigit(b[i]) && i - start < maxLen { i += 1 }
        return i - start >= minLen
    }
    func lit(_ c: UInt8) -> Bool {
        if i < n && b[i] == c { i += 1; return true }
        return false
    }
    guard num(4, 4), lit(UInt8(ascii: "-")), num(1, 2), lit(UInt8(ascii: "-")), num(1, 2) else { return false }
    if i == n { return true }
    let sep = b[i]
    guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || sep == UInt8(ascii: " ") else { return false }
    i += 1
    guard num(1, 2), lit(UInt8(ascii: ":")), num(1, 2), lit(UInt8(ascii: ":")), num(1, 2) else { return false }
    if lit(UInt8(ascii: ".")) { guard num(1, 9) else { return false } }
    if i == n { return true }
    if sep == UInt8(ascii: " ") { return false }
    if lit(UInt8(ascii: "Z")) { return i == n }
    guard i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return false }
    i += 1
    guard num(2, 2), lit(UInt8(ascii: ":")), num(2, 2) else { return false }
    return i == n
}

/// Go's `base64.StdEncoding.DecodeString`: padded standard alphabet; CR and LF ignored.
func goBase64Decode(_ s: String) -> [UInt8]? {
    var vals: [UInt8] = []
    var padding = 0
    for c in s.utf8 {
        if c == 0x0A || c == 0x0D { continue }
        if padding > 0 && c != UInt8(ascii: "=") { return nil }
        let v: UInt8
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): v = 62
        case UInt8(ascii: "/"): v = 63
        case UInt8(ascii: "="):
            padding += 1
            continue
        default: return nil
        }
        vals.append(v)
    }
    let total = vals.count + padding
    if total % 4 != 0 || padding > 2 { return nil }
    if padding > 0 && (vals.count % 4) + padding != 4 { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(vals.count * 3 / 4)
    var i = 0
    while i + 4 <= vals.count {
        let n = UInt32(vals[i]) << 18 | UInt32(vals[i + 1]) << 12 | UInt32(vals[i + 2]) << 6 | UInt32(vals[i + 3])
        out.append(UInt8(n >> 16 & 0xFF))
        out.append(UInt8(n >> 8 & 0xFF))
        out.append(UInt8(n & 0xFF))
        i += 4
    }
    let rest = vals.count - i
    if rest == 2 {
        let n = UInt32(vals[i]) << 18 | UInt32(vals[i + 1]) << 12
        out.append(UInt8(n >> 16 & 0xFF))
    } else if rest == 3 {
        let n = UInt32(vals[i]) << 18 | UInt32(vals[i + 1]) << 12 | UInt32(vals[i + 2]) << 6
        out.append(UInt8(n >> 16 & 0xFF))
        out.append(UInt8(n >> 8 & 0xFF))
    } else if rest == 1 {
        return nil
    }
    return out
}

/// Bytes as a string, each invalid UTF-8 byte replaced by U+FFFD as Go's JSON encoder does.
func yamlStringFromBytes(_ b: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(b.count)
    var i = 0
    let n = b.count
    while i < n {
        let c = b[i]
        var len = 0
        var minValue: UInt32 = 0
        var value: UInt32 = 0
        switch c {
        case 0x00...0x7F: out.append(c); i += 1; continue
        case 0xC2...0xDF: len = 2; value = UInt32(c & 0x1F); minValue = 0x80
        case 0xE0...0xEF: len = 3; value = UInt32(c & 0x0F); minValue = 0x800
        case 0xF0...0xF4: len = 4; value = UInt32(c & 0x07); minValue = 0x10000
        default: len = 0
        }
        var valid = len > 0 && i + len <= n
        if valid {
            for k in 1..<len {
                let cc = b[i + k]
                if cc & 0xC0 != 0x80 { valid = false; break }
                value = value << 6 | UInt32(cc & 0x3F)
            }
            if value < minValue || value > 0x10FFFF || (value >= 0xD800 && value < 0xE000) { valid = false }
        }
        if valid {
            out.append(contentsOf: b[i..<(i + len)])
            i += len
        } else {
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}
