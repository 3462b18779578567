/// `std.manifestToml` and `std.manifestTomlEx`: go-jsonnet's TOML layout.

/// `std.manifestTomlEx(value, indent)`.
func manifestToml(_ v: Value, _ indent: String, _ ev: Interpreter) throws -> String {
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
        defer { ev.leave(.manifest) }
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
                    // The array of tables is a nesting level of its own, as in go-jsonnet.
                    try ev.enter(.manifest)
                    defer { ev.leave(.manifest) }
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
        switch v {
        case .array, .object:
            try ev.enter(.manifest)
            defer { ev.leave(.manifest) }
            try valueContainer(v, inline: inline, depth: depth)
        default:
            try valueContainer(v, inline: inline, depth: depth)
        }
    }

    private mutating func valueContainer(_ v: Value, inline: Bool, depth: Int) throws {
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
