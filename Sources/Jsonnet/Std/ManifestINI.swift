/// `std.manifestIni`: INI sections and repeated keys.

/// `std.manifestIni`: the visible `main` fields, then one `[section]` per field
/// of `sections`; array values repeat the key. Values print as `%s` does.
func manifestIni(_ v: Value, _ ev: Interpreter) throws -> String {
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
                for e in try a.elements(ev) { lines.append(.entry(name, e)) }
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
