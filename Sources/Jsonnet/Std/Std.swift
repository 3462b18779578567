/// The `std` object: every builtin as a hidden field, in one layout shared by
/// all evaluations (the builtins are immutable; only the object is per evaluation).
///
/// Each family of functions lives in its own file and contributes one array.
nonisolated(unsafe) let stdLayout: ObjectLayout = {
    let all = stdCore + stdTypes + stdStrings + stdFormat + stdArrays + stdObjects + stdMath
        + stdSets + stdEncoding + stdHashes + stdManifest + stdParse + stdMisc
    var defs = ContiguousArray<FieldDef>()
    defs.reserveCapacity(all.count + stdConstants.count)
    // The first definition of a name wins.
    var seen = FieldIndex(capacity: all.count)
    for b in all where seen.find(b.name, in: defs) == nil {
        seen.insert(b.name, at: defs.count)
        defs.append(FieldDef(name: b.name, visibility: .hidden, body: .lazy(.value(.function(JFunction(builtin: b))))))
    }
    for (name, value) in stdConstants {
        defs.append(FieldDef(name: name, visibility: .hidden, body: .lazy(.value(value))))
    }
    return ObjectLayout(fields: defs)
}()

/// Builds this evaluation's `std` object (without `thisFile`).
func makeStdObject(_ ev: Interpreter) -> JObject {
    JObject(layers: [ObjectLayer(layout: stdLayout, env: nil, literal: nil)], heap: ev.heap)
}

/// Non-function members of `std`.
nonisolated(unsafe) let stdConstants: [(String, Value)] = [
    ("pi", .number(3.141592653589793)),
]

/// The builtins the evaluator itself relies on.
let stdCore: [Builtin] = [
    Builtin("extVar", "x") { x, ev in
        guard case .string(let s) = x else { throw ev.typeError(x, expected: "string") }
        return try ev.extVar(s.string)
    },
    Builtin("native", "x") { x, ev in
        guard case .string(let s) = x else { throw ev.typeError(x, expected: "string") }
        if let f = ev.nativeFunctions[s.string] { return .function(f) }
        return .null
    },
    Builtin("toString", "a") { a, ev in .str(try ev.toStringValue(a)) },
    Builtin("equals", "x", "y") { a, b, ev in .bool(try ev.equals(a, b)) },
]
