/// std builtins on sets: sorted, duplicate-free arrays ordered by `keyF`.
let stdSets: [Builtin] = [
    Builtin("set", [BuiltinParameter("arr"), BuiltinParameter("keyF", default: .null)], .nary { args, ev in
        let arr = try Args.array(args[0], ev)
        let sorted = try sortArray(arr, keyF: args[1], ev)
        return .array(JArray(try uniq(sorted.elements, keyF: args[1], ev)))
    }),
    Builtin("setMember", [BuiltinParameter("x"), BuiltinParameter("arr"), BuiltinParameter("keyF", default: .null)],
            .nary { args, ev in
        guard let elems = Args.elements(args[1]) else { throw ev.typeError(args[1], expected: "array") }
        let key = try setKey(.value(args[0]), args[2], ev)
        var lo = 0
        var hi = elems.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = try ev.compare(key, setKey(elems[mid], args[2], ev))
            if c == 0 { return .bool(true) }
            if c < 0 { hi = mid } else { lo = mid + 1 }
        }
        return .bool(false)
    }),
    Builtin("setUnion", setParameters, .nary { args, ev in try setMerge(args, ev, keepA: true, keepBoth: true, keepB: true) }),
    Builtin("setInter", setParameters, .nary { args, ev in try setMerge(args, ev, keepA: false, keepBoth: true, keepB: false) }),
    Builtin("setDiff", setParameters, .nary { args, ev in try setMerge(args, ev, keepA: true, keepBoth: false, keepB: false) }),
]

private let setParameters = [BuiltinParameter("a"), BuiltinParameter("b"), BuiltinParameter("keyF", default: .null)]

private func setKey(_ e: Lazy, _ keyF: Value, _ ev: Interpreter) throws -> Value {
    if case .function(let fn) = keyF { return try ev.call(fn, [e]) }
    return try e.force(ev)
}

/// One merge walk over two sorted sets, keeping elements only in `a`, in both, or only in `b`.
private func setMerge(_ args: [Value], _ ev: Interpreter, keepA: Bool, keepBoth: Bool, keepB: Bool) throws -> Value {
    guard let a = Args.elements(args[0]) else { throw ev.typeError(args[0], expected: "array") }
    guard let b = Args.elements(args[1]) else { throw ev.typeError(args[1], expected: "array") }
    let keyF = args[2]
    let ka = try sortKeys(a, keyF: keyF, ev)
    let kb = try sortKeys(b, keyF: keyF, ev)
    var out = ContiguousArray<Lazy>()
    var i = 0
    var j = 0
    while i < a.count && j < b.count {
        try ev.tick()
        let c = try ev.compare(ka[i], kb[j])
        if c < 0 {
            if keepA { out.append(a[i]) }
            i += 1
        } else if c > 0 {
            if keepB { out.append(b[j]) }
            j += 1
        } else {
            if keepBoth { out.append(a[i]) }
            i += 1
            j += 1
        }
    }
    if keepA { out.append(contentsOf: a[i...]) }
    if keepB { out.append(contentsOf: b[j...]) }
    return .array(JArray(out))
}
