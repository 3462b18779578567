/// `std.manifestPython` and `std.manifestPythonVars`: Python literal syntax.

/// `std.manifestPython`: Python literal syntax (`True`, `None`, JSON-escaped strings).
func writePython(_ v: Value, _ out: inout [UInt8], _ ev: Interpreter) throws {
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
