/// std builtins on objects: field listings, membership, `get`, `mapWithKey`,
/// `mergePatch`, `prune` and `objectRemoveKey`.
let stdObjects: [Builtin] = [
    Builtin("objectFields", "o") { o, ev in fieldArray(try Args.object(o, ev), hidden: false) },
    Builtin("objectFieldsAll", "o") { o, ev in fieldArray(try Args.object(o, ev), hidden: true) },
    Builtin("objectFieldsEx", "obj", "hidden") { o, h, ev in
        fieldArray(try Args.object(o, ev), hidden: try Args.bool(h, ev))
    },
    Builtin("objectHas", "o", "f") { o, f, ev in
        .bool(try Args.object(o, ev).has(try Args.string(f, ev).string, includeHidden: false))
    },
    Builtin("objectHasAll", "o", "f") { o, f, ev in
        .bool(try Args.object(o, ev).has(try Args.string(f, ev).string, includeHidden: true))
    },
    Builtin("objectHasEx", "obj", "fname", "hidden") { o, f, h, ev in
        let obj = try Args.object(o, ev)
        let name = try Args.string(f, ev).string
        return .bool(obj.has(name, includeHidden: try Args.bool(h, ev)))
    },
    Builtin("objectValues", "o") { o, ev in try valueArray(try Args.object(o, ev), hidden: false, ev) },
    Builtin("objectValuesAll", "o") { o, ev in try valueArray(try Args.object(o, ev), hidden: true, ev) },
    Builtin("objectKeysValues", "o") { o, ev in try keyValueArray(try Args.object(o, ev), hidden: false, ev) },
    Builtin("objectKeysValuesAll", "o") { o, ev in try keyValueArray(try Args.object(o, ev), hidden: true, ev) },
    Builtin("get", [BuiltinParameter("o"), BuiltinParameter("f"), BuiltinParameter("default", default: .null),
                    BuiltinParameter("inc_hidden", default: .bool(true))], .lazy { args, ev in
        // Like go-jsonnet: o, f and inc_hidden are evaluated, then checked; `default` only when used.
        let (o, f, h) = (try args[0].force(ev), try args[1].force(ev), try args[3].force(ev))
        let obj = try Args.object(o, ev)
        let name = try Args.string(f, ev).string
        let hidden = try Args.bool(h, ev)
        guard obj.has(name, includeHidden: hidden), let value = try obj.get(name, ev) else { return try args[2].force(ev) }
        return value
    }),
    Builtin("mapWithKey", [BuiltinParameter("func"), BuiltinParameter("obj")], .lazy { args, ev in
        // Like go-jsonnet, `func` is checked before `obj` is evaluated.
        let f = try args[0].force(ev)
        guard case .function(let fn) = f else {
            throw ev.makeError("std.mapWithKey first param must be function, got \(f.typeName)")
        }
        let o = try args[1].force(ev)
        guard case .object(let obj) = o else {
            throw ev.makeError("std.mapWithKey second param must be object, got \(o.typeName)")
        }
        var fields = [(String, Lazy)]()
        for name in obj.fieldNames(includeHidden: false) {
            let value = Lazy.thunk(Thunk(heap: ev.heap) { [unowned ev] in try obj.get(name, ev) ?? .null })
            fields.append((name, ev.deferredCall(fn, [.value(.str(name)), value])))
        }
        return .object(JObject(lazyFields: fields, heap: ev.heap))
    }),
    Builtin("mergePatch", "target", "patch") { t, p, ev in try mergePatch(t, p, ev) },
    Builtin("prune", "a") { a, ev in try prune(a, ev) },
    Builtin("objectRemoveKey", "obj", "key") { o, k, ev in
        let obj = try Args.object(o, ev)
        let key = try Args.string(k, ev).string
        // Keep every layer (fields stay late-bound: `self` and `super` work as
        // before) and add a marker that removes `key` from exactly these layers.
        let marker = ObjectLayer(removing: key, scope: obj.layers.count)
        return .object(JObject.extend(obj, with: marker, heap: ev.heap))
    },
    Builtin("$objectFlatMerge", "arr") { a, ev in
        var result: JObject?
        for e in try Args.array(a, ev).elements(ev) {
            let o = try Args.object(e.force(ev), ev)
            result = result.map { JObject.extend($0, o, heap: ev.heap) } ?? o
        }
        return .object(result ?? JObject(fields: [], heap: ev.heap))
    },
]

private func fieldArray(_ o: JObject, hidden: Bool) -> Value {
    .array(JArray(values: o.fieldNames(includeHidden: hidden).map { Value.str($0) }))
}

private func valueArray(_ o: JObject, hidden: Bool, _ ev: Interpreter) throws -> Value {
    var out = ContiguousArray<Lazy>()
    for name in o.fieldNames(includeHidden: hidden) { out.append(.value(try o.get(name, ev) ?? .null)) }
    return .array(JArray(out))
}

private func keyValueArray(_ o: JObject, hidden: Bool, _ ev: Interpreter) throws -> Value {
    var out = ContiguousArray<Lazy>()
    for name in o.fieldNames(includeHidden: hidden) {
        let pair = JObject(fields: [("key", .str(name)), ("value", try o.get(name, ev) ?? .null)], heap: ev.heap)
        out.append(.value(.object(pair)))
    }
    return .array(JArray(out))
}

/// RFC 7396 JSON merge patch on visible fields. Like go-jsonnet's definition,
/// the patch's values are forced (to find its nulls) but the result's fields are
/// lazy: a target field nobody reads is never evaluated.
func mergePatch(_ target: Value, _ patch: Value, _ ev: Interpreter) throws -> Value {
    guard case .object(let p) = patch else { return patch }
    let t: JObject? = if case .object(let o) = target { o } else { nil }
    let patchNames = p.fieldNames(includeHidden: false)
    var fields = [(String, Lazy)]()
    var inPatch = Set<CodePointKey>()
    for name in patchNames {
        inPatch.insert(CodePointKey(name))
        let pv = try p.get(name, ev) ?? .null
        if case .null = pv { continue }
        fields.append((name, .thunk(Thunk(heap: ev.heap) { [unowned ev] in
            let tv: Value = if let t, t.has(name, includeHidden: false) { try t.get(name, ev) ?? .null } else { .null }
            return try mergePatch(tv, pv, ev)
        })))
    }
    if let t {
        for name in t.fieldNames(includeHidden: false) where !inPatch.contains(CodePointKey(name)) {
            fields.append((name, .thunk(Thunk(heap: ev.heap) { [unowned ev] in try t.get(name, ev) ?? .null })))
        }
    }
    return .object(JObject(lazyFields: fields, heap: ev.heap))
}

/// `std.prune`: drops nulls, and arrays and objects left empty, recursively.
private func prune(_ v: Value, _ ev: Interpreter) throws -> Value {
    try ev.enter()
    defer { ev.leave() }
    switch v {
    case .array(let a):
        var out = ContiguousArray<Lazy>()
        for e in try a.elements(ev) {
            let p = try prune(e.force(ev), ev)
            if !isPrunedAway(p) { out.append(.value(p)) }
        }
        return .array(JArray(out))
    case .object(let o):
        var fields = [(String, Value)]()
        for name in o.fieldNames(includeHidden: false) {
            let p = try prune(o.get(name, ev) ?? .null, ev)
            if !isPrunedAway(p) { fields.append((name, p)) }
        }
        return .object(JObject(fields: fields, heap: ev.heap))
    default:
        return v
    }
}

private func isPrunedAway(_ v: Value) -> Bool {
    switch v {
    case .null: true
    case .array(let a): a.count == 0
    case .object(let o): o.visibleCount == 0
    default: false
    }
}
