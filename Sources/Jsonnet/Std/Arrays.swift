/// std builtins on arrays: construction, higher-order functions, folds,
/// joins, sorting and searching. Results stay lazy where go-jsonnet's are.
let stdArrays: [Builtin] = [
    Builtin("makeArray", "sz", "func") { n, f, ev in
        let count = try Args.int(n, ev)
        let fn = try Args.function(f, ev)
        if count < 0 { throw ev.makeError("makeArray requires size >= 0, got \(count)") }
        if count == 0 { return .array(JArray.empty) }
        // Each element is a slot and a deferred call.
        try ev.reserve(count, elementBytes: MemoryLayout<Lazy>.stride + MemoryBudget.trackedBytes)
        // `function(_) 'x'`: every element is the literal (see `deferredCall`).
        if case .closure(let f, _) = fn.body, f.parameters.count == 1, let v = f.body.literalValue {
            return .array(JArray.repeated(.value(v), count: count))
        }
        var out = ContiguousArray<Lazy>()
        out.reserveCapacity(count)
        for i in 0..<count {
            try ev.tick()
            out.append(ev.deferredCall(fn, [.value(.number(Double(i)))]))
        }
        return .array(JArray(out))
    },
    Builtin("range", "from", "to") { a, b, ev in
        let from = try Args.int(a, ev)
        let to = try Args.int(b, ev)
        if to < from { return .array(JArray.empty) }
        // Stored as its bounds (32-bit integers, so the count cannot overflow) and
        // computed when read, but charged to the budget as if stored.
        try ev.reserve(to - from + 1, elementBytes: MemoryLayout<Lazy>.stride)
        return .array(JArray.range(from: from, count: to - from + 1))
    },
    Builtin("map", [BuiltinParameter("func"), BuiltinParameter("arr")], .lazy { args, ev in
        // Like go-jsonnet, `func` is checked before `arr` is evaluated.
        let f = try args[0].force(ev)
        guard case .function(let fn) = f else {
            throw ev.makeError("std.map first param must be function, got \(f.typeName)")
        }
        let a = try args[1].force(ev)
        guard let elems = try Args.elements(a, ev) else {
            throw ev.makeError("std.map second param must be array / string, got \(a.typeName)")
        }
        return .array(JArray(ContiguousArray(elems.map { ev.deferredCall(fn, [$0]) })))
    }),
    Builtin("mapWithIndex", [BuiltinParameter("func"), BuiltinParameter("arr")], .lazy { args, ev in
        // Like go-jsonnet, `func` is checked before `arr` is evaluated.
        let f = try args[0].force(ev)
        guard case .function(let fn) = f else {
            throw ev.makeError("std.mapWithIndex first param must be function, got \(f.typeName)")
        }
        let a = try args[1].force(ev)
        guard let elems = try Args.elements(a, ev) else {
            throw ev.makeError("std.mapWithIndex second param must be array, got \(a.typeName)")
        }
        var out = ContiguousArray<Lazy>()
        out.reserveCapacity(elems.count)
        for (i, e) in elems.enumerated() { out.append(ev.deferredCall(fn, [.value(.number(Double(i))), e])) }
        return .array(JArray(out))
    }),
    Builtin("filter", "func", "arr") { f, a, ev in
        let arr = try Args.array(a, ev)
        let fn = try Args.function(f, ev)
        var out = ContiguousArray<Lazy>()
        var predicate = RepeatedCall(fn)
        for e in try arr.elements(ev) {
            let keep = try predicate(ev, e)
            guard case .bool(let b) = keep else { throw ev.typeError(keep, expected: "boolean") }
            if b { out.append(e) }
        }
        return .array(out.count == arr.count ? arr : JArray(out))
    },
    Builtin("filterMap", [BuiltinParameter("filter_func"), BuiltinParameter("map_func"), BuiltinParameter("arr")],
            .lazy { args, ev in
        // Arguments are forced in go-jsonnet's order, each checked before the next.
        let f = try args[0].force(ev)
        guard case .function(let filter) = f else {
            throw ev.makeError("std.filterMap first param must be function, got \(f.typeName)")
        }
        let m = try args[1].force(ev)
        guard case .function(let map) = m else {
            throw ev.makeError("std.filterMap second param must be function, got \(m.typeName)")
        }
        let a = try args[2].force(ev)
        guard case .array(let arr) = a else {
            throw ev.makeError("std.filterMap third param must be array, got \(a.typeName)")
        }
        var out = ContiguousArray<Lazy>()
        var predicate = RepeatedCall(filter)
        for e in try arr.elements(ev) {
            let keep = try predicate(ev, e)
            guard case .bool(let b) = keep else { throw ev.typeError(keep, expected: "boolean") }
            if b { out.append(ev.deferredCall(map, [e])) }
        }
        return .array(JArray(out))
    }),
    Builtin("flatMap", "func", "arr") { f, a, ev in try flatMap(f, a, ev) },
    Builtin("$flatMapArray", "func", "arr") { f, a, ev in try flatMap(f, a, ev) },
    Builtin("foldl", "func", "arr", "init") { f, a, initial, ev in
        let fn = try Args.function(f, ev)
        guard let elems = try Args.elements(a, ev) else {
            throw ev.makeError("foldl second parameter should be string or array, got \(a.typeName)")
        }
        var acc = initial
        var step = RepeatedCall(fn)
        for e in elems {
            try ev.tick()
            acc = try step(ev, .value(acc), e)
        }
        return acc
    },
    Builtin("foldr", "func", "arr", "init") { f, a, initial, ev in
        let fn = try Args.function(f, ev)
        guard let elems = try Args.elements(a, ev) else {
            throw ev.makeError("foldr second parameter should be string or array, got \(a.typeName)")
        }
        var acc = initial
        var step = RepeatedCall(fn)
        for e in elems.reversed() {
            try ev.tick()
            acc = try step(ev, e, .value(acc))
        }
        return acc
    },
    Builtin("join", "sep", "arr") { sep, a, ev in try join(sep, a, ev) },
    Builtin("lines", "arr") { a, ev in
        // go-jsonnet's definition: `std.join('\n', arr + [''])`.
        let withEnd = try ev.plus(a, .array(JArray([.value(.string(.empty))])))
        return try join(.str("\n"), withEnd, ev)
    },
    Builtin("deepJoin", "arr") { a, ev in
        var out: [UInt8] = []
        try deepJoin(a, &out, ev)
        return .str(String(decoding: out, as: UTF8.self))
    },
    Builtin("flattenArrays", "arrs") { a, ev in
        // go-jsonnet's definition: a foldl of `+` from `[]`, so odd elements
        // concatenate (or fail) the way `+` does.
        guard let elems = try Args.elements(a, ev) else {
            throw ev.makeError("foldl second parameter should be string or array, got \(a.typeName)")
        }
        var out = ContiguousArray<Lazy>()
        var i = 0
        while i < elems.count {
            try ev.tick()
            guard case .array(let part) = try elems[i].force(ev) else { break }
            try ev.reserve(out.count + part.count, elementBytes: MemoryLayout<Lazy>.stride)
            try out.append(contentsOf: part.elements(ev))
            i += 1
        }
        if i == elems.count { return .array(JArray(out)) }
        var acc = Value.array(JArray(out))
        while i < elems.count {
            try ev.tick()
            acc = try ev.plus(acc, elems[i].force(ev))
            i += 1
        }
        return acc
    },
    Builtin("flattenDeepArray", "value") { v, ev in
        var out = ContiguousArray<Lazy>()
        func walk(_ v: Value) throws {
            if case .array(let arr) = v {
                try ev.enter()
                defer { ev.leave() }
                for e in try arr.elements(ev) { try walk(e.force(ev)) }
            } else {
                out.append(.value(v))
            }
        }
        try walk(v)
        return .array(JArray(out))
    },
    Builtin("reverse", "arr") { a, ev in
        let arr = try Args.array(a, ev)
        try ev.reserve(arr.count, elementBytes: MemoryLayout<Lazy>.stride)
        return .array(arr.reversed())
    },
    Builtin("sort", [BuiltinParameter("arr"), BuiltinParameter("keyF", default: identityKey)], .nary { args, ev in
        let arr = try Args.array(args[0], ev)
        return .array(try sortArray(arr, keyF: args[1], ev))
    }),
    Builtin("uniq", [BuiltinParameter("arr"), BuiltinParameter("keyF", default: identityKey)], .nary { args, ev in
        // go-jsonnet's uniq is a foldl over the array (or the string's characters).
        guard let elems = try Args.elements(args[0], ev) else {
            throw ev.makeError("foldl second parameter should be string or array, got \(args[0].typeName)")
        }
        return .array(JArray(try uniq(elems, keyF: args[1], ev)))
    }),
    Builtin("member", "arr", "x") { a, x, ev in
        switch a {
        case .array(let arr):
            for e in try arr.elements(ev) where try ev.equals(e.force(ev), x) { return .bool(true) }
            return .bool(false)
        case .string(let s):
            let needle = try Args.string(x, ev)
            return .bool(needle.count == 0 || s.string.utf8.firstRange(of: needle.string.utf8) != nil)
        default:
            throw ev.makeError("std.member first argument must be an array or a string")
        }
    },
    Builtin("contains", "arr", "elem") { a, x, ev in
        let arr = try Args.array(a, ev)
        for e in try arr.elements(ev) where try ev.equals(e.force(ev), x) { return .bool(true) }
        return .bool(false)
    },
    Builtin("count", "arr", "x") { a, x, ev in
        let arr = try Args.array(a, ev)
        var n = 0
        for e in try arr.elements(ev) where try ev.equals(e.force(ev), x) { n += 1 }
        return .number(Double(n))
    },
    Builtin("find", "value", "arr") { x, a, ev in
        guard case .array(let arr) = a else {
            throw ev.makeError("find second parameter should be an array, got \(a.typeName)")
        }
        var out = ContiguousArray<Lazy>()
        for (i, e) in try arr.elements(ev).enumerated() where try ev.equals(e.force(ev), x) {
            out.append(.value(.number(Double(i))))
        }
        return .array(JArray(out))
    },
    Builtin("all", "arr") { a, ev in
        guard case .array(let arr) = a else {
            throw ev.makeError("all() parameter should be an array, got \(a.typeName)")
        }
        for e in try arr.elements(ev) {
            let v = try e.force(ev)
            guard case .bool(let b) = v else { throw try notBoolean(v, ev) }
            if !b { return .bool(false) }
        }
        return .bool(true)
    },
    Builtin("any", "arr") { a, ev in
        guard case .array(let arr) = a else {
            throw ev.makeError("any() parameter should be an array, got \(a.typeName)")
        }
        for e in try arr.elements(ev) {
            let v = try e.force(ev)
            guard case .bool(let b) = v else { throw try notBoolean(v, ev) }
            if b { return .bool(true) }
        }
        return .bool(false)
    },
    Builtin("sum", "arr") { a, ev in
        var total = 0.0
        for e in try Args.array(a, ev).elements(ev) { total += try Args.number(e.force(ev), ev) }
        return .number(total)
    },
    Builtin("avg", "arr") { a, ev in
        let arr = try Args.array(a, ev)
        if arr.count == 0 { throw ev.makeError("Cannot calculate average of an empty array.") }
        var total = 0.0
        for e in try arr.elements(ev) { total += try Args.number(e.force(ev), ev) }
        return .number(total / Double(arr.count))
    },
    Builtin("minArray", [BuiltinParameter("arr"), BuiltinParameter("keyF", default: identityKey),
                         BuiltinParameter("onEmpty", default: .null)], .lazy { args, ev in
        try extremum(args, ev, wantMax: false)
    }),
    Builtin("maxArray", [BuiltinParameter("arr"), BuiltinParameter("keyF", default: identityKey),
                         BuiltinParameter("onEmpty", default: .null)], .lazy { args, ev in
        try extremum(args, ev, wantMax: true)
    }),
    Builtin("remove", "arr", "elem") { a, x, ev in
        let arr = try Args.array(a, ev)
        for (i, e) in try arr.elements(ev).enumerated() where try ev.equals(e.force(ev), x) {
            var out = try arr.elements(ev)
            out.remove(at: i)
            return .array(JArray(out))
        }
        return .array(arr)
    },
    Builtin("removeAt", "arr", "i") { a, x, ev in
        let arr = try Args.array(a, ev)
        let i = try Args.int(x, ev)
        guard i >= 0 && i < arr.count else {
            throw ev.makeError("Index \(i) out of bounds, not within [0, \(arr.count))")
        }
        var out = try arr.elements(ev)
        out.remove(at: i)
        return .array(JArray(out))
    },
    Builtin("slice", [BuiltinParameter("indexable"), BuiltinParameter("index"), BuiltinParameter("end"),
                      BuiltinParameter("step")], .lazy { lazyArgs, ev in
        // go-jsonnet evaluates and compares step with 0 first (a zero step fails
        // before anything else is evaluated), then checks the indexable, then
        // compares index and end, so a part of the wrong type fails like `part < 0` would.
        func comparable(_ v: Value) throws {
            switch v {
            case .null, .number: return
            case .string, .array: throw ev.typeError(.number(0), expected: v.typeName)
            default: throw ev.makeError("Unexpected type \(v.typeName)")
            }
        }
        var args = [Value](repeating: .null, count: 4)
        args[3] = try lazyArgs[3].force(ev)
        try comparable(args[3])
        if case .number(let step) = args[3], step == 0 { throw ev.makeError("got 0 but step must be greater than 0") }
        if case .number(let step) = args[3], step < 0 {
            // A negative step is reported with index and end, which go evaluates first.
            args[1] = try lazyArgs[1].force(ev)
            args[2] = try lazyArgs[2].force(ev)
        }
        args[0] = try lazyArgs[0].force(ev)
        switch args[0] {
        case .array, .string: break
        default: throw ev.makeError("std.slice accepts a string or an array, but got: \(args[0].typeName)")
        }
        args[1] = try lazyArgs[1].force(ev)
        try comparable(args[1])
        args[2] = try lazyArgs[2].force(ev)
        try comparable(args[2])
        func part(_ v: Value) throws -> Int? {
            if case .null = v { return nil }
            return clampToInt(try Args.number(v, ev))
        }
        return try ev.slice(args[0], part(args[1]), part(args[2]), part(args[3]))
    }),
    Builtin("repeat", "what", "count") { w, c, ev in
        switch w {
        case .string, .array: break
        default: throw ev.makeError("std.repeat first argument must be an array or a string")
        }
        let n = try Args.int(c, ev)
        switch w {
        case .string(let s):
            if n <= 0 || s.count == 0 { return .string(.empty) }
            let piece = s.string
            let (total, overflow) = piece.utf8.count.multipliedReportingOverflow(by: n)
            try ev.reserve(overflow ? Int.max : total, elementBytes: 1)
            var out = ""
            out.reserveCapacity(total)
            for _ in 0..<n {
                try ev.tick()
                out += piece
            }
            return .string(JString(out, count: s.count * n, isASCII: s.isASCII))
        case .array(let arr):
            if n <= 0 || arr.count == 0 { return .array(JArray.empty) }
            let (total, overflow) = arr.count.multipliedReportingOverflow(by: n)
            try ev.reserve(overflow ? Int.max : total, elementBytes: MemoryLayout<Lazy>.stride)
            var out = ContiguousArray<Lazy>()
            out.reserveCapacity(total)
            for _ in 0..<n { try out.append(contentsOf: arr.elements(ev)) }
            return .array(JArray(out))
        default:
            throw ev.makeError("std.repeat first argument must be an array or a string")
        }
    },
    Builtin("__compare", "v1", "v2") { a, b, ev in .number(Double(try compareChecked(a, b, ev))) },
    Builtin("__compare_array", "arr1", "arr2") { a, b, ev in
        .number(Double(try compareChecked(.array(try Args.array(a, ev)), .array(try Args.array(b, ev)), ev)))
    },
    Builtin("__array_less", "arr1", "arr2") { a, b, ev in .bool(try compareArrays(a, b, ev) < 0) },
    Builtin("__array_greater", "arr1", "arr2") { a, b, ev in .bool(try compareArrays(a, b, ev) > 0) },
    Builtin("__array_less_or_equal", "arr1", "arr2") { a, b, ev in .bool(try compareArrays(a, b, ev) <= 0) },
    Builtin("__array_greater_or_equal", "arr1", "arr2") { a, b, ev in .bool(try compareArrays(a, b, ev) >= 0) },
]

private func notBoolean(_ v: Value, _ ev: Interpreter) throws -> JsonnetError {
    ev.makeError("element \"\(try ev.toStringValue(v))\" of type \(v.typeName) is not a boolean")
}

private func compareChecked(_ a: Value, _ b: Value, _ ev: Interpreter) throws -> Int {
    if a.typeName != b.typeName {
        throw ev.makeError("Comparison requires matching types. Got \(a.typeName) and \(b.typeName)")
    }
    return try ev.compare(a, b)
}

private func compareArrays(_ a: Value, _ b: Value, _ ev: Interpreter) throws -> Int {
    try compareChecked(.array(try Args.array(a, ev)), .array(try Args.array(b, ev)), ev)
}

/// `std.flatMap`: arrays concatenate the arrays `fn` returns; strings concatenate strings.
private func flatMap(_ f: Value, _ a: Value, _ ev: Interpreter) throws -> Value {
    let fn = try Args.function(f, ev)
    switch a {
    case .array(let arr):
        var out = ContiguousArray<Lazy>()
        var produce = RepeatedCall(fn)
        for e in try arr.elements(ev) {
            let v = try produce(ev, e)
            switch v {
            case .array(let part): try out.append(contentsOf: part.elements(ev))
            default: throw ev.typeError(v, expected: "array")
            }
        }
        return .array(JArray(out))
    case .string(let s):
        var out = ""
        var produce = RepeatedCall(fn)
        for c in Args.characters(s) {
            let v = try produce(ev, c)
            switch v {
            case .string(let part): out += part.string
            default: throw ev.typeError(v, expected: "string")
            }
        }
        return .str(out)
    default:
        throw ev.makeError("std.flatMap second param must be array / string, got \(a.typeName)")
    }
}

/// Calls `body` with each string element of `arr` in order, skipping nulls; any
/// other value fails as go-jsonnet's `std.join` does.
@inline(__always)
private func forEachStringPart(_ arr: JArray, _ ev: Interpreter,
                               _ body: (JString) throws -> Void) throws {
    // Stretch by stretch, so a view (a range, a repeated element) is read in place.
    var i = 0
    while i < arr.count {
        let run = arr.run(at: i)
        let end = Swift.max(i &+ 1, Swift.min(run.end, arr.count))
        while i < end {
            try stringPart(run[i], ev, body)
            i &+= 1
        }
    }
}

/// One element of `std.join`'s array: its string, nothing for `null`, an error otherwise.
@inline(__always)
private func stringPart(_ element: Lazy, _ ev: Interpreter, _ body: (JString) throws -> Void) throws {
    switch element {
    case .value(.string(let part)):
        try body(part)
    case .value(.null):
        return
    case .value(let v):
        throw ev.typeError(v, expected: "string")
    case .thunk(let t):
        switch try t.force(ev) {
        case .string(let part): try body(part)
        case .null: return
        case let v: throw ev.typeError(v, expected: "string")
        }
    }
}

/// `std.join` for string and array separators; `null` elements are skipped.
private func join(_ sep: Value, _ a: Value, _ ev: Interpreter) throws -> Value {
    let arr = try Args.array(a, ev)
    switch sep {
    case .string(let s):
        // Two passes over the elements: their total size (forcing and checking each),
        // then one string written in place (its length in scalars and ASCII-ness
        // follow from the parts').
        var parts = 0, bytes = 0, scalars = 0, ascii = true
        // A part equal (identical) to the one before it is measured and copied once
        // (`std.join(',', std.makeArray(n, function(_) 'x'))`).
        var lastID: ObjectIdentifier? = nil
        var lastBytes = 0
        try forEachStringPart(arr, ev) { part in
            parts += 1
            let id = ObjectIdentifier(part)
            if id != lastID {
                lastID = id
                lastBytes = part.utf8Count
                ascii = ascii && part.isASCII
            }
            bytes += lastBytes
            scalars += part.count
        }
        if parts == 0 { return .string(.empty) }
        let gaps = parts - 1
        bytes += gaps * s.utf8Count
        scalars += gaps * s.count
        ascii = ascii && (gaps == 0 || s.isASCII)
        if bytes >= MemoryBudget.largeBytes { try ev.reserve(bytes, elementBytes: 1) }
        let text = try s.withUTF8 { separator in
            try String(unsafeUninitializedCapacity: bytes) { out in
                var w = TextWriter(out)
                var first = true
                lastID = nil
                var lastAt = 0
                try forEachStringPart(arr, ev) { part in
                    if !first { w.write(bytes: separator) }
                    first = false
                    let id = ObjectIdentifier(part)
                    if id == lastID {
                        w.rewrite(from: lastAt, count: lastBytes)
                    } else {
                        lastID = id
                        lastAt = w.written
                        w.write(part)
                        lastBytes = w.written - lastAt
                    }
                }
                return w.written
            }
        }
        return .string(JString(text, count: scalars, isASCII: ascii))
    case .array(let s):
        var out = ContiguousArray<Lazy>()
        var first = true
        for e in try arr.elements(ev) {
            let v = try e.force(ev)
            switch v {
            case .null: continue
            case .array(let part):
                if !first { try out.append(contentsOf: s.elements(ev)) }
                first = false
                try out.append(contentsOf: part.elements(ev))
            default:
                throw ev.typeError(v, expected: "array")
            }
        }
        return .array(JArray(out))
    default:
        throw ev.makeError("join first parameter should be string or array, got \(sep.typeName)")
    }
}

/// The sort keys of `elems`: the elements themselves, or `keyF` of each.
func sortKeys(_ elems: ContiguousArray<Lazy>, keyF: Value, _ ev: Interpreter) throws -> [Value] {
    guard case .function(let fn) = keyF else { throw ev.typeError(keyF, expected: "function") }
    var keys = [Value]()
    keys.reserveCapacity(elems.count)
    if case .function(let id) = identityKey, fn === id {
        for e in elems { keys.append(try e.force(ev)) }
    } else {
        var key = RepeatedCall(fn)
        for e in elems { keys.append(try key(ev, e)) }
    }
    return keys
}

/// The permutation that sorts `keys` stably.
func sortedOrder(_ keys: [Value], _ ev: Interpreter) throws -> [Int] {
    var order = Array(0..<keys.count)
    if keys.count < 2 { return order }
    if keys.allSatisfy({ if case .number = $0 { true } else { false } }) {
        let nums = keys.map { (k: Value) -> Double in if case .number(let d) = k { d } else { 0 } }
        order.sort { nums[$0] < nums[$1] || (nums[$0] == nums[$1] && $0 < $1) }
    } else if keys.allSatisfy({ if case .string = $0 { true } else { false } }) {
        let strs = keys.map { (k: Value) -> String in if case .string(let s) = k { s.string } else { "" } }
        order.sort {
            let c = compareUTF8(strs[$0], strs[$1])
            return c < 0 || (c == 0 && $0 < $1)
        }
    } else {
        try order.sort {
            let c = try ev.compare(keys[$0], keys[$1])
            return c < 0 || (c == 0 && $0 < $1)
        }
    }
    return order
}

/// `std.sort(arr, keyF)`: stable, by the order of `<`.
func sortArray(_ arr: JArray, keyF: Value, _ ev: Interpreter) throws -> JArray {
    guard case .function(let fn) = keyF else { throw ev.typeError(keyF, expected: "function") }
    if arr.count < 2 { return arr }
    let keys = try sortKeys(arr.elements(ev), keyF: keyF, ev)
    let order = try sortedOrder(keys, ev)
    var out = ContiguousArray<Lazy>()
    out.reserveCapacity(order.count)
    if case .function(let id) = identityKey, fn === id {
        for i in order { out.append(.value(keys[i])) }
    } else {
        for i in order { out.append(arr[i]) }
    }
    return JArray(out)
}

/// Drops consecutive elements whose keys are equal.
func uniq(_ elems: ContiguousArray<Lazy>, keyF: Value, _ ev: Interpreter) throws -> ContiguousArray<Lazy> {
    if elems.count < 2 { return elems }
    let keys = try sortKeys(elems, keyF: keyF, ev)
    var out = ContiguousArray<Lazy>()
    out.append(elems[0])
    var last = keys[0]
    for i in 1..<elems.count {
        if try !ev.equals(keys[i], last) {
            out.append(elems[i])
            last = keys[i]
        }
    }
    return out
}

/// `std.minArray` / `std.maxArray`.
private func extremum(_ args: [Lazy], _ ev: Interpreter, wantMax: Bool) throws -> Value {
    // Like go-jsonnet: every argument is evaluated (a given onEmpty too) before any is checked.
    let value = try args[0].force(ev)
    let keyF = try args[1].force(ev)
    let onEmpty = try args[2].force(ev)
    let arr = try Args.array(value, ev)
    guard case .function = keyF else { throw ev.typeError(keyF, expected: "function") }
    if arr.count == 0 {
        if case .value(.null) = args[2] {
            throw ev.makeError("Expected at least one element in array. Got none")
        }
        return onEmpty
    }
    let keys = try sortKeys(arr.elements(ev), keyF: keyF, ev)
    var best = 0
    for i in 1..<keys.count {
        let c = try ev.compare(keys[best], keys[i])
        if wantMax ? c < 0 : c > 0 { best = i }
    }
    return try arr.get(best, ev)
}
