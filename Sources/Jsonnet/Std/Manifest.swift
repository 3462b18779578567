/// std builtins: manifestJson, manifestJsonEx, manifestJsonMinified,
/// manifestYamlDoc, manifestYamlStream, manifestPython, manifestPythonVars,
/// manifestIni, manifestXmlJsonml, manifestTomlEx and manifestToml, each
/// byte-identical to go-jsonnet's output (and its error messages).
let stdManifest: [Builtin] = [
    Builtin("manifestJsonEx", [
        BuiltinParameter("value"), BuiltinParameter("indent"),
        BuiltinParameter("newline", default: .str("\n")), BuiltinParameter("key_val_sep", default: .str(": ")),
    ], .nary { args, ev in
        guard case .string(let indent) = args[1] else { throw ev.typeError(args[1], expected: "string") }
        guard case .string(let newline) = args[2] else { throw ev.typeError(args[2], expected: "string") }
        guard case .string(let sep) = args[3] else { throw ev.typeError(args[3], expected: "string") }
        return try manifestJsonEx(args[0], indent.string, newline.string, sep.string, ev)
    }),
    Builtin("manifestJson", "value") { v, ev in
        try manifestJsonEx(v, "    ", "\n", ": ", ev)
    },
    Builtin("manifestJsonMinified", "value") { v, ev in
        try manifestJsonEx(v, "", "", ":", ev)
    },
    Builtin("manifestYamlDoc", [
        BuiltinParameter("value"), BuiltinParameter("indent_array_in_object", default: .bool(false)),
        BuiltinParameter("quote_keys", default: .bool(true)),
    ], .nary { args, ev in
        guard case .bool(let indentArrays) = args[1] else { throw ev.typeError(args[1], expected: "boolean") }
        guard case .bool(let quoteKeys) = args[2] else { throw ev.typeError(args[2], expected: "boolean") }
        var w = YAMLWriter(ev: ev, indentArrayInObject: indentArrays, quoteKeys: quoteKeys)
        try w.write(args[0], 0)
        return .str(String(decoding: w.out, as: UTF8.self))
    }),
    Builtin("manifestYamlStream", [
        BuiltinParameter("value"), BuiltinParameter("indent_array_in_object", default: .bool(false)),
        BuiltinParameter("c_document_end", default: .bool(true)), BuiltinParameter("quote_keys", default: .bool(true)),
    ], .nary { args, ev in
        guard case .array(let docs) = args[0] else {
            throw ev.makeError("manifestYamlStream only takes arrays, got \(args[0].typeName)")
        }
        var out: [UInt8] = Array("---\n".utf8)
        if docs.count > 0 {
            guard case .bool(let indentArrays) = args[1] else { throw ev.typeError(args[1], expected: "boolean") }
            guard case .bool(let quoteKeys) = args[3] else { throw ev.typeError(args[3], expected: "boolean") }
            var w = YAMLWriter(ev: ev, indentArrayInObject: indentArrays, quoteKeys: quoteKeys)
            for i in 0..<docs.count {
                if i > 0 { w.out.append(contentsOf: "\n---\n".utf8) }
                try w.write(docs.get(i, ev), 0)
            }
            out.append(contentsOf: w.out)
        }
        guard case .bool(let documentEnd) = args[2] else { throw ev.typeError(args[2], expected: "boolean") }
        out.append(contentsOf: (documentEnd ? "\n...\n" : "\n").utf8)
        return .str(String(decoding: out, as: UTF8.self))
    }),
    Builtin("manifestPython", "v") { v, ev in
        var out: [UInt8] = []
        try writePython(v, &out, ev)
        return .str(String(decoding: out, as: UTF8.self))
    },
    Builtin("manifestPythonVars", "conf") { v, ev in
        guard case .object(let conf) = v else { throw ev.typeError(v, expected: "object") }
        var out: [UInt8] = []
        for name in conf.fieldNames(includeHidden: false) {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: " = ".utf8)
            try writePython(conf.get(name, ev)!, &out, ev)
            out.append(UInt8(ascii: "\n"))
        }
        return .str(String(decoding: out, as: UTF8.self))
    },
    Builtin("manifestIni", "ini") { v, ev in
        .str(try manifestIni(v, ev))
    },
    Builtin("manifestXmlJsonml", "value") { v, ev in
        guard case .array = v else {
            throw ev.makeError("Expected a JSONML value (an array), got \(v.typeName)")
        }
        var out: [UInt8] = []
        try writeJsonml(v, &out, ev)
        return .str(String(decoding: out, as: UTF8.self))
    },
    Builtin("manifestTomlEx", "value", "indent") { v, indent, ev in
        guard case .string(let ind) = indent else { throw ev.typeError(indent, expected: "string") }
        return .str(try manifestToml(v, ind.string, ev))
    },
    Builtin("manifestToml", "value") { v, ev in
        .str(try manifestToml(v, "  ", ev))
    },
]

/// `std.manifestJsonEx(v, indent, newline, keyValueSeparator)`.
private func manifestJsonEx(_ v: Value, _ indent: String, _ newline: String, _ sep: String,
                            _ ev: Interpreter) throws -> Value {
    var m = JSONManifester(ev: ev, indent: indent, newline: newline, keyValueSeparator: sep,
                           itemSeparator: ",", flavor: .manifestJsonEx)
    try m.write(v)
    return .str(m.output)
}

// MARK: - YAML

/// go-jsonnet's `std.manifestYamlDoc` layout.
private struct YAMLWriter {
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
        try ev.enter(.manifest)
        defer { ev.leave() }
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

// MARK: - Python

/// `std.manifestPython`: Python literal syntax (`True`, `None`, JSON-escaped strings).
private func writePython(_ v: Value, _ out: inout [UInt8], _ ev: Interpreter) throws {
    try ev.enter()
    defer { ev.leave() }
    switch v {
    case .null: out.append(contentsOf: "None".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "True" : "False").utf8)
    case .number(let d): out.append(contentsOf: formatNumber(d).utf8)
    case .string(let s): appendQuoted(s.string, to: &out)
    case .function: throw ev.makeError("cannot manifest function")
    case .array(let a):
        out.append(UInt8(ascii: "["))
        for i in 0..<a.count {
            try ev.tick()
            if i > 0 { out.append(contentsOf: ", ".utf8) }
            try writePython(a.get(i, ev), &out, ev)
        }
        out.append(UInt8(ascii: "]"))
    case .object(let o):
        out.append(UInt8(ascii: "{"))
        for (i, name) in o.fieldNames(includeHidden: false).enumerated() {
            try ev.tick()
            if i > 0 { out.append(contentsOf: ", ".utf8) }
            appendQuoted(name, to: &out)
            out.append(contentsOf: ": ".utf8)
            try writePython(o.get(name, ev)!, &out, ev)
        }
        out.append(UInt8(ascii: "}"))
    }
}

// MARK: - INI

/// `std.manifestIni`: the visible `main` fields, then one `[section]` per field
/// of `sections`; array values repeat the key. Values print as `%s` does.
private func manifestIni(_ v: Value, _ ev: Interpreter) throws -> String {
    guard case .object(let ini) = v else { throw ev.typeError(v, expected: "object") }
    // First every body and value is resolved (as the Jsonnet definition
    // does), then the lines are rendered.
    enum Line {
        case section(String)
        case entry(String, Lazy)
    }
    var lines: [Line] = []
    func body(_ b: Value) throws {
        guard case .object(let o) = b else { throw ev.typeError(b, expected: "object") }
        for name in o.fieldNames(includeHidden: false) {
            let value = try o.get(name, ev)!
            if case .array(let a) = value {
                for e in a.elements { lines.append(.entry(name, e)) }
            } else {
                lines.append(.entry(name, .value(value)))
            }
        }
    }
    if ini.has("main", includeHidden: false) {
        try body(ini.get("main", ev)!)
    }
    guard let sections = try ini.get("sections", ev) else {
        throw ev.makeError("Field does not exist: sections")
    }
    guard case .object(let so) = sections else { throw ev.typeError(sections, expected: "object") }
    for name in so.fieldNames(includeHidden: false) {
        lines.append(.section(name))
        try body(so.get(name, ev)!)
    }
    var out: [UInt8] = []
    for line in lines {
        try ev.tick()
        switch line {
        case .section(let name):
            out.append(UInt8(ascii: "["))
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: "]"))
        case .entry(let key, let value):
            out.append(contentsOf: key.utf8)
            out.append(contentsOf: " = ".utf8)
            out.append(contentsOf: try ev.toStringValue(value.force(ev)).utf8)
        }
        out.append(UInt8(ascii: "\n"))
    }
    return String(decoding: out, as: UTF8.self)
}

// MARK: - XML (JsonML)

/// One JsonML element (or text) of `std.manifestXmlJsonml`. Text and attribute
/// values are written as they are, without XML escaping, like go-jsonnet.
private func writeJsonml(_ v: Value, _ out: inout [UInt8], _ ev: Interpreter) throws {
    try ev.enter()
    defer { ev.leave() }
    if case .string(let s) = v {
        out.append(contentsOf: s.string.utf8)
        return
    }
    let tag = try ev.index(v, .number(0))
    out.append(UInt8(ascii: "<"))
    try deepJoin(tag, &out, ev)
    guard case .array(let a) = v else { return }  // index(…, 0) only succeeds on arrays here
    var firstChild = 1
    if a.count > 1, case .object(let attrs) = try a.get(1, ev) {
        firstChild = 2
        for name in attrs.fieldNames(includeHidden: false) {
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "=\"".utf8)
            out.append(contentsOf: try ev.toStringValue(attrs.get(name, ev)!).utf8)
            out.append(UInt8(ascii: "\""))
        }
    }
    out.append(UInt8(ascii: ">"))
    if firstChild < a.count {
        for i in firstChild..<a.count {
            try writeJsonml(a.get(i, ev), &out, ev)
        }
    }
    out.append(contentsOf: "</".utf8)
    try deepJoin(tag, &out, ev)
    out.append(UInt8(ascii: ">"))
}

/// `std.deepJoin`: strings and arbitrarily nested arrays of strings, concatenated.
func deepJoin(_ v: Value, _ out: inout [UInt8], _ ev: Interpreter) throws {
    try ev.enter()
    defer { ev.leave() }
    switch v {
    case .string(let s):
        out.append(contentsOf: s.string.utf8)
    case .array(let a):
        for i in 0..<a.count { try deepJoin(a.get(i, ev), &out, ev) }
    default:
        throw ev.makeError("Expected string or array, got \(v.typeName)")
    }
}

// MARK: - TOML

/// `std.manifestTomlEx(value, indent)`.
private func manifestToml(_ v: Value, _ indent: String, _ ev: Interpreter) throws -> String {
    guard case .object(let o) = v else {
        throw ev.makeError("TOML body must be an object. Got \(v.typeName)")
    }
    var w = TOMLWriter(ev: ev, indent: Array(indent.utf8))
    do {
        try w.body(o, path: [], depth: 0)
    } catch let e as TOMLPathError {
        throw ev.makeError(e.error.message(prefix: e.prefix))
    }
    return String(decoding: w.out, as: UTF8.self)
}

/// A value TOML cannot hold, with the path to it.
private struct TOMLPathError: Error {
    var prefix: String
    var error = ManifestPathError()
}

private struct TOMLWriter {
    let ev: Interpreter
    let indent: [UInt8]
    var out: [UInt8] = []

    init(ev: Interpreter, indent: [UInt8]) {
        self.ev = ev
        self.indent = indent
        out.reserveCapacity(256)
    }

    private mutating func writeIndent(_ depth: Int) {
        for _ in 0..<depth { out.append(contentsOf: indent) }
    }

    /// Objects and non-empty arrays of objects become `[table]`s / `[[arrays]]`.
    private func isSection(_ v: Value) throws -> Bool {
        switch v {
        case .object: return true
        case .array(let a):
            if a.count == 0 { return false }
            for i in 0..<a.count {
                guard case .object = try a.get(i, ev) else { return false }
            }
            return true
        default: return false
        }
    }

    private mutating func key(_ k: String) {
        if k.isEmpty {
            out.append(contentsOf: "''".utf8)
            return
        }
        for c in k.utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                appendQuoted(k, to: &out)
                return
            }
        }
        out.append(contentsOf: k.utf8)
    }

    private mutating func header(_ path: [String], open: String, close: String) {
        out.append(contentsOf: open.utf8)
        for (i, k) in path.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ".")) }
            key(k)
        }
        out.append(contentsOf: close.utf8)
    }

    /// Key/value lines first, then each table, separated by blank lines.
    /// Fields are rendered in key order whatever their kind (which decides
    /// which error is reported first); tables go to a side buffer.
    mutating func body(_ o: JObject, path: [String], depth: Int) throws {
        try ev.enter(.manifest)
        defer { ev.leave() }
        let names = o.fieldNames(includeHidden: false)
        var values: [Value] = []
        values.reserveCapacity(names.count)
        var sectionFlags: [Bool] = []
        sectionFlags.reserveCapacity(names.count)
        for name in names {
            let v = try o.get(name, ev)!
            values.append(v)
            sectionFlags.append(try isSection(v))
        }
        var tables: [UInt8] = []
        var first = true
        for (i, name) in names.enumerated() {
            try ev.tick()
            do {
                if !sectionFlags[i] {
                    if !first { out.append(UInt8(ascii: "\n")) }
                    first = false
                    writeIndent(depth)
                    key(name)
                    out.append(contentsOf: " = ".utf8)
                    try value(values[i], inline: false, depth: depth)
                    continue
                }
                // Render the table into `out` temporarily, then move it aside.
                let mark = out.count
                out.append(contentsOf: "\n\n".utf8)
                var sub = path
                sub.append(name)
                switch values[i] {
                case .object(let t):
                    writeIndent(depth)
                    header(sub, open: "[", close: "]")
                    if t.visibleCount > 0 { out.append(UInt8(ascii: "\n")) }
                    try body(t, path: sub, depth: depth + 1)
                case .array(let a):
                    for j in 0..<a.count {
                        guard case .object(let t) = try a.get(j, ev) else { continue }
                        if j > 0 { out.append(contentsOf: "\n\n".utf8) }
                        writeIndent(depth)
                        header(sub, open: "[[", close: "]]")
                        if t.visibleCount > 0 { out.append(UInt8(ascii: "\n")) }
                        do {
                            try body(t, path: sub, depth: depth + 1)
                        } catch var e as TOMLPathError {
                            e.error.path.append(.index(j))
                            throw e
                        }
                    }
                default:
                    break
                }
                tables.append(contentsOf: out[mark...])
                out.removeSubrange(mark...)
            } catch var e as TOMLPathError {
                e.error.path.append(.field(name))
                throw e
            }
        }
        out.append(contentsOf: tables)
    }

    /// A value after `key = `: arrays span lines unless inline (inside another
    /// array or an inline table); objects here are always inline tables.
    private mutating func value(_ v: Value, inline: Bool, depth: Int) throws {
        try ev.enter(.manifest)
        defer { ev.leave() }
        switch v {
        case .null:
            throw TOMLPathError(prefix: "Tried to manifest \"null\" at ")
        case .bool(let b):
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let d):
            out.append(contentsOf: formatNumber(d).utf8)
        case .string(let s):
            appendQuoted(s.string, to: &out)
        case .function:
            throw TOMLPathError(prefix: "Tried to manifest function at ")
        case .array(let a):
            if a.count == 0 {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            out.append(inline ? UInt8(ascii: " ") : UInt8(ascii: "\n"))
            for i in 0..<a.count {
                try ev.tick()
                if i > 0 {
                    out.append(UInt8(ascii: ","))
                    out.append(inline ? UInt8(ascii: " ") : UInt8(ascii: "\n"))
                }
                if !inline { writeIndent(depth + 1) }
                do {
                    try value(a.get(i, ev), inline: true, depth: 0)
                } catch var e as TOMLPathError {
                    e.error.path.append(.index(i))
                    throw e
                }
            }
            if inline {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(UInt8(ascii: "\n"))
                writeIndent(depth)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(contentsOf: "{ ".utf8)
            for (i, name) in o.fieldNames(includeHidden: false).enumerated() {
                try ev.tick()
                if i > 0 { out.append(contentsOf: ", ".utf8) }
                key(name)
                out.append(contentsOf: " = ".utf8)
                do {
                    try value(o.get(name, ev)!, inline: true, depth: 0)
                } catch var e as TOMLPathError {
                    e.error.path.append(.field(name))
                    throw e
                }
            }
            out.append(contentsOf: " }".utf8)
        }
    }
}
