/// `std.manifestYamlDoc` and `std.manifestYamlStream`: go-jsonnet's YAML layout,
/// and the key-quoting rules it borrows from Go's YAML and float parsers.

/// go-jsonnet's `std.manifestYamlDoc` layout.
struct YAMLWriter {
    let ev: Interpreter
    let indentArrayInObject: Bool
    let quoteKeys: Bool
    var out: [UInt8] = []

    init(ev: Interpreter, indentArrayInObject: Bool, quoteKeys: Bool) {
        self.ev = ev
        self.indentArrayInObject = indentArrayInObject
        self.quoteKeys = quoteKeys
        out.reserveCapacity(256)
    }

    /// Whether `v` is written on lines of its own (a non-empty array or object).
    private func layout(_ v: Value) -> (isArray: Bool, isObject: Bool) {
        switch v {
        case .array(let a): return (a.count > 0, false)
        case .object(let o): return (false, o.visibleCount > 0)
        default: return (false, false)
        }
    }

    mutating func write(_ v: Value, _ cindent: Int) throws {
        switch v {
        case .array, .object:
            try ev.enter(.manifest)
            defer { ev.leave(.manifest) }
            try writeContainer(v, cindent)
        default:
            try writeContainer(v, cindent)
        }
    }

    private mutating func writeContainer(_ v: Value, _ cindent: Int) throws {
        switch v {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let b):
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let d):
            appendGoShortestFixed(d, to: &out)
        case .string(let s):
            try writeString(s, cindent)
        case .function:
            break  // go-jsonnet writes nothing for a function
        case .array(let a):
            if a.count == 0 {
                out.append(contentsOf: "[]".utf8)
                return
            }
            for i in 0..<a.count {
                try ev.tick()
                if i > 0 {
                    out.append(UInt8(ascii: "\n"))
                    appendSpaces(cindent, to: &out)
                }
                out.append(UInt8(ascii: "-"))
                let e = try a.get(i, ev)
                let (isArray, isObject) = layout(e)
                if isArray {
                    out.append(UInt8(ascii: "\n"))
                    appendSpaces(cindent + 2, to: &out)
                    try write(e, cindent + 2)
                } else {
                    out.append(UInt8(ascii: " "))
                    try write(e, isObject ? cindent + 2 : cindent)
                }
            }
        case .object(let o):
            try o.checkAsserts(ev)
            let names = o.fieldNames(includeHidden: false)
            if names.isEmpty {
                out.append(contentsOf: "{}".utf8)
                return
            }
            for (i, name) in names.enumerated() {
                try ev.tick()
                if i > 0 {
                    out.append(UInt8(ascii: "\n"))
                    appendSpaces(cindent, to: &out)
                }
                if quoteKeys || yamlKeyNeedsQuotes(name) {
                    appendQuoted(name, to: &out)
                } else {
                    out.append(contentsOf: name.utf8)
                }
                out.append(UInt8(ascii: ":"))
                let e = try o.get(name, ev)!
                let (isArray, isObject) = layout(e)
                if isArray {
                    let inner = indentArrayInObject ? cindent + 2 : cindent
                    out.append(UInt8(ascii: "\n"))
                    appendSpaces(inner, to: &out)
                    try write(e, inner)
                } else if isObject {
                    out.append(UInt8(ascii: "\n"))
                    appendSpaces(cindent + 2, to: &out)
                    try write(e, cindent + 2)
                } else {
                    out.append(UInt8(ascii: " "))
                    try write(e, cindent)
                }
            }
        }
    }

    /// Strings ending in a newline become `|` block scalars (one line per
    /// `\n`-separated part, blank lines still indented); others are quoted.
    private mutating func writeString(_ s: JString, _ cindent: Int) throws {
        var str = s.string
        let isBlock = str.utf8.last == UInt8(ascii: "\n")
        if !isBlock {
            if s.count == 0 {
                out.append(contentsOf: "\"\"".utf8)
            } else {
                appendQuoted(str, to: &out)
            }
            return
        }
        out.append(UInt8(ascii: "|"))
        str.withUTF8 { buf in
            var start = 0
            let n = buf.count
            // The last part (after the final newline) is empty and dropped.
            for i in 0..<n where buf[i] == 0x0A {
                out.append(UInt8(ascii: "\n"))
                appendSpaces(cindent + 2, to: &out)
                if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i])) }
                start = i + 1
            }
        }
    }
}

private let yamlReservedKeys: Set<String> = [
    "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", "-.inf", "+.inf", ".inf", "null", "-", "---",
]

/// Whether `quote_keys=false` still quotes this key: it has characters outside
/// `[A-Za-z0-9._/-]`, is a YAML 1.1 reserved word (any case), or could be read
/// as a number, a date or a hex/binary integer.
func yamlKeyNeedsQuotes(_ key: String) -> Bool {
    var key = key
    return key.withUTF8 { b -> Bool in
        let n = b.count
        if n == 0 { return true }
        var dashes = 0
        var onlyDateChars = true
        for c in b {
            switch c {
            case 0x30...0x39: break
            case UInt8(ascii: "-"): dashes += 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "/"):
                onlyDateChars = false
            default:
                return true
            }
        }
        if n <= 6 {
            let lower = String(decoding: b.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            if yamlReservedKeys.contains(lower) { return true }
        }
        if onlyDateChars && dashes == 2 { return true }
        if goParseFloatAccepts(b) { return true }
        // "0x" followed by a hex digit or underscore anywhere.
        if n >= 3 {
            for i in 0..<(n - 2) where b[i] == 0x30 && b[i + 1] == UInt8(ascii: "x") {
                let c = b[i + 2]
                if isHexDigit(c) || c == UInt8(ascii: "_") { return true }
            }
        }
        // -?0b[01_]+
        var i = 0
        if b[0] == UInt8(ascii: "-") { i = 1 }
        if n - i >= 3 && b[i] == 0x30 && b[i + 1] == UInt8(ascii: "b") {
            var j = i + 2
            while j < n && (b[j] == 0x30 || b[j] == 0x31 || b[j] == UInt8(ascii: "_")) { j += 1 }
            if j == n { return true }
        }
        return false
    }
}

@inline(__always)
private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

@inline(__always)
private func isHexDigit(_ c: UInt8) -> Bool {
    isDigit(c) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "f"))
}

/// Whether Go's `strconv.ParseFloat(s, 64)` succeeds: decimal or hexadecimal
/// (with `p` exponent) syntax with Go's underscore rules, `inf`/`infinity`
/// (optionally signed) and `nan` in any case, and no overflow.
func goParseFloatAccepts(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = b.count
    if n == 0 { return false }
    var i = 0
    if b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-") { i = 1 }
    func lowerEquals(_ from: Int, _ word: String) -> Bool {
        let w = Array(word.utf8)
        if n - from != w.count { return false }
        for k in 0..<w.count where b[from + k] | 0x20 != w[k] { return false }
        return true
    }
    if lowerEquals(i, "inf") || lowerEquals(i, "infinity") { return true }
    if lowerEquals(0, "nan") { return true }
    var j = i
    var hex = false
    if n - j > 2 && b[j] == 0x30 && b[j + 1] | 0x20 == UInt8(ascii: "x") {
        hex = true
        j += 2
    }
    var sawDigits = false
    var sawDot = false
    var underscores = false
    loop: while j < n {
        let c = b[j]
        switch c {
        case UInt8(ascii: "_"):
            underscores = true
        case UInt8(ascii: "."):
            if sawDot { break loop }
            sawDot = true
        default:
            if hex ? isHexDigit(c) : isDigit(c) {
                sawDigits = true
            } else {
                break loop
            }
        }
        j += 1
    }
    if !sawDigits { return false }
    if j < n && b[j] | 0x20 == (hex ? UInt8(ascii: "p") : UInt8(ascii: "e")) {
        j += 1
        if j >= n { return false }
        if b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
        if j >= n || !isDigit(b[j]) { return false }
        while j < n && (isDigit(b[j]) || b[j] == UInt8(ascii: "_")) {
            if b[j] == UInt8(ascii: "_") { underscores = true }
            j += 1
        }
    } else if hex {
        return false
    }
    if j != n { return false }
    if underscores && !goUnderscoreOK(b) { return false }
    let text = String(decoding: b.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
    guard let v = Double(text) else { return false }
    return v.isFinite
}

/// Go's rule for `_` in number literals: only between digits (a base prefix counts as a digit).
func goUnderscoreOK(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var saw = UInt8(ascii: "^")
    var i = 0
    let n = b.count
    if n >= 1 && (b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+")) { i = 1 }
    var hex = false
    if n - i >= 2 && b[i] == 0x30 {
        let p = b[i + 1] | 0x20
        if p == UInt8(ascii: "b") || p == UInt8(ascii: "o") || p == UInt8(ascii: "x") {
            i += 2
            saw = UInt8(ascii: "0")
            hex = p == UInt8(ascii: "x")
        }
    }
    while i < n {
        let c = b[i]
        if isDigit(c) || (hex && isHexDigit(c)) {
            saw = UInt8(ascii: "0")
        } else if c == UInt8(ascii: "_") {
            if saw != UInt8(ascii: "0") { return false }
            saw = UInt8(ascii: "_")
        } else {
            if saw == UInt8(ascii: "_") { return false }
            saw = UInt8(ascii: "!")
        }
        i += 1
    }
    return saw != UInt8(ascii: "_")
}
