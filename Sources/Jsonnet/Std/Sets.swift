/// std builtins on sets: sorted, duplicate-free arrays ordered by `keyF`.
///
/// go-jsonnet defines the set operations in Jsonnet as merge walks over `a[i]`
/// and `b[j]` with `std.length`, `==`, `<`, `+` and slices; these follow the same
/// steps with the same operators, so odd arguments (strings, objects, keys that
/// are not functions) give go-jsonnet's results and errors.
let stdSets: [Builtin] = [
    Builtin("set", [BuiltinParameter("arr"), BuiltinParameter("keyF", default: identityKey)], .nary { args, ev in
        let arr = try Args.array(args[0], ev)
        let sorted = try sortArray(arr, keyF: args[1], ev)
        return .array(JArray(try uniq(sorted.elements(ev), keyF: args[1], ev)))
    }),
    Builtin("setMember", [BuiltinParameter("x"), BuiltinParameter("arr"), BuiltinParameter("keyF", default: identityKey)],
            .lazy { args, ev in
        // `x` stays lazy, as in go-jsonnet's Jsonnet definition: the walk checks
        // `arr` and `keyF` before the element is forced.
        let inter = try SetWalk(a: .value(.array(JArray([args[0]]))), b: args[1], keyF: args[2], ev).intersection()
        return .bool(try ev.goLength(inter) > 0)
    }),
    Builtin("setUnion", setParameters, .lazy { args, ev in try SetWalk(a: args[0], b: args[1], keyF: args[2], ev).union() }),
    Builtin("setInter", setParameters, .lazy { args, ev in try SetWalk(a: args[0], b: args[1], keyF: args[2], ev).intersection() }),
    Builtin("setDiff", setParameters, .lazy { args, ev in try SetWalk(a: args[0], b: args[1], keyF: args[2], ev).difference() }),
]

/// The default `keyF` of the sort and set functions: the identity, told apart
/// from an explicit argument (which must be a function).
nonisolated(unsafe) let identityKey = Value.function(JFunction(builtin: Builtin("id", "x") { x, _ in x }))

private let setParameters = [BuiltinParameter("a"), BuiltinParameter("b"), BuiltinParameter("keyF", default: identityKey)]

extension Interpreter {
    /// `std.length` as the set functions use it.
    func goLength(_ v: Value) throws -> Int {
        switch v {
        case .array(let a): return a.count
        case .string(let s): return s.count
        case .object(let o): return o.visibleCount
        case .function(let f): return f.arity
        default: throw makeError("Unexpected type \(v.typeName)")
        }
    }

    /// `keyF(element())`: the element itself for the default key. Like a Jsonnet
    /// call, the function is checked and bound before the element is computed.
    func applyKey(_ keyF: Value, _ element: @escaping () throws -> Value) throws -> Value {
        guard case .function(let fn) = keyF else { throw typeError(keyF, expected: "function") }
        if case .function(let id) = identityKey, fn === id { return try element() }
        return try call(fn, [.thunk(Thunk(heap: heap, element))])
    }
}

/// One merge walk of go-jsonnet's `setUnion`, `setInter` or `setDiff`.
///
/// The arguments stay lazy, as go-jsonnet's are: each is forced where the walk
/// first uses it (`std.setUnion([], [], error "k")` is `[]`).
private final class SetWalk {
    private let lazyA: Lazy
    private let lazyB: Lazy
    private let lazyKeyF: Lazy
    let ev: Interpreter
    var out = ContiguousArray<Lazy>()

    init(a: Lazy, b: Lazy, keyF: Lazy, _ ev: Interpreter) {
        self.lazyA = a
        self.lazyB = b
        self.lazyKeyF = keyF
        self.ev = ev
    }

    private var a: Value { get throws { try lazyA.force(ev) } }
    private var b: Value { get throws { try lazyB.force(ev) } }
    private var keyF: Value { get throws { try lazyKeyF.force(ev) } }

    /// How the keys of `a[i]` and `b[j]` compare.
    private func step(_ i: Int, _ j: Int) throws -> Int {
        try ev.tick()
        let (a, b, ev) = (try self.a, try self.b, self.ev)
        let ka = try ev.applyKey(try keyF) { try ev.index(a, .number(Double(i))) }
        let kb = try ev.applyKey(try keyF) { try ev.index(b, .number(Double(j))) }
        if try ev.equals(ka, kb) { return 0 }
        guard case .bool(let less) = try ev.binary(.less, ka, kb) else { return 1 }
        return less ? -1 : 1
    }

    private func element(_ v: Value, _ k: Int) throws -> Lazy { .value(try ev.index(v, .number(Double(k)))) }

    /// `acc + rest[k:]`.
    private func finish(_ rest: Value, from k: Int) throws -> Value {
        try ev.plus(.array(JArray(out)), ev.slice(rest, k, nil, nil))
    }

    func union() throws -> Value {
        var i = 0
        var j = 0
        while true {
            if i >= (try ev.goLength(a)) { return try finish(try b, from: j) }
            if j >= (try ev.goLength(b)) { return try finish(try a, from: i) }
            let order = try step(i, j)
            if order == 0 {
                out.append(try element(try a, i)); i += 1; j += 1
            } else if order < 0 {
                out.append(try element(try a, i)); i += 1
            } else {
                out.append(try element(try b, j)); j += 1
            }
        }
    }

    func intersection() throws -> Value {
        // go-jsonnet forces both sets before its walk (measured against its binding).
        _ = try (a, b)
        var i = 0
        var j = 0
        while try i < ev.goLength(a) && j < ev.goLength(b) {
            let order = try step(i, j)
            if order == 0 {
                out.append(try element(try a, i)); i += 1; j += 1
            } else if order < 0 {
                i += 1
            } else {
                j += 1
            }
        }
        return .array(JArray(out))
    }

    func difference() throws -> Value {
        _ = try (a, b)
        var i = 0
        var j = 0
        while true {
            if i >= (try ev.goLength(a)) { return .array(JArray(out)) }
            if j >= (try ev.goLength(b)) { return try finish(try a, from: i) }
            let order = try step(i, j)
            if order == 0 {
                i += 1; j += 1
            } else if order < 0 {
                out.append(try element(try a, i)); i += 1
            } else {
                j += 1
            }
        }
    }
}
