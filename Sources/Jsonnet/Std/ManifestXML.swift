/// `std.manifestXmlJsonml` and `std.deepJoin`.

/// One JsonML element (or text) of `std.manifestXmlJsonml`. Text and attribute
/// values are written as they are, without XML escaping, like go-jsonnet.
func writeJsonml(_ v: Value, _ out: inout [UInt8], _ ev: Interpreter) throws {
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
