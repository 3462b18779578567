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
    ], .lazy { lazyArgs, ev in
        // Like go-jsonnet, the value is checked before the options are evaluated.
        let value = try lazyArgs[0].force(ev)
        guard case .array(let docs) = value else {
            throw ev.makeError("manifestYamlStream only takes arrays, got \(value.typeName)")
        }
        var args = [value]
        for a in lazyArgs.dropFirst() { args.append(try a.force(ev)) }
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
