extension Interpreter {
    /// `target.name` or `target[index]`. Field bodies evaluate inside this frame, so
    /// the error paths and the general `index` run in functions of their own.
    func evalIndex(_ n: Index, _ env: Env) throws -> Value {
        let target = try eval(n.target, env)
        if let name = n.fieldName, case .object(let o) = target {
            let found: Value?
            do {
                found = try o.get(name, self)
            } catch {
                throw traced(error, at: n)
            }
            if let v = found { return v }
            throw missingField(name, n)
        }
        let index = try eval(n.index, env)
        return try applyIndex(n, target, index)
    }

    @inline(never)
    private func missingField(_ name: String, _ n: Index) -> JsonnetError {
        makeError("Field does not exist: \(name)", at: n)
    }

    /// `target[index]` for an `Index` node; an error gets the node's place in its trace.
    @inline(never)
    private func applyIndex(_ n: Index, _ target: Value, _ index: Value) throws -> Value {
        do {
            return try self.index(target, index)
        } catch {
            throw traced(error, at: n)
        }
    }

    /// `target[index]` on evaluated operands.
    package func index(_ target: Value, _ index: Value) throws -> Value {
        // Fields and elements evaluate inside these frames: each kind of target has
        // its own function, and the error texts are built out of line.
        switch target {
        case .object(let o): return try indexObject(o, index)
        case .array(let a): return try indexArray(a, index)
        case .string(let s): return try indexString(s, index)
        default: throw indexError(.notIndexable(target))
        }
    }

    @inline(never)
    private func indexObject(_ o: JObject, _ index: Value) throws -> Value {
        guard case .string(let s) = index else { throw typeError(index, expected: "string") }
        let name = s.string
        if let v = try o.get(name, self) { return v }
        throw indexError(.missingField(name))
    }

    @inline(never)
    private func indexArray(_ a: JArray, _ index: Value) throws -> Value {
        guard case .number(let d) = index else { throw typeError(index, expected: "number") }
        if d.rounded(.towardZero) != d && d.isFinite { throw indexError(.notInteger(d)) }
        let i = Int(exactly: d.rounded(.towardZero)) ?? Int.min
        if i < 0 || i >= a.count { throw indexError(.outOfBounds(d, a.count)) }
        return try a.get(i, self)
    }

    @inline(never)
    private func indexString(_ s: JString, _ index: Value) throws -> Value {
        guard case .number(let d) = index else { throw typeError(index, expected: "number") }
        let i = Int(exactly: d.rounded(.towardZero)) ?? Int.min
        if i < 0 || i >= s.count { throw indexError(.outOfBounds(d, s.count)) }
        return .string(JString.of(s.scalar(at: i)))
    }

    /// Why `target[index]` failed.
    private enum IndexFailure {
        case missingField(String)
        case notInteger(Double)
        case outOfBounds(Double, Int)
        case notIndexable(Value)
    }

    /// go-jsonnet's message for an index that failed.
    @inline(never)
    private func indexError(_ failure: IndexFailure) -> JsonnetError {
        switch failure {
        case .missingField(let name):
            makeError("Field does not exist: \(name)")
        case .notInteger(let d):
            makeError("Array index must be an integer, got \(formatGoFloat(d))")
        case .outOfBounds(let d, let count):
            makeError("Index \(goInt(d)) out of bounds, not within [0, \(count))")
        case .notIndexable(let target):
            makeError("Value non indexable: \(goValueTypeName(target))")
        }
    }

    /// Go's `int(d)` on amd64: truncation, and the minimum Int64 when out of range.
    private func goInt(_ d: Double) -> Int {
        abs(d) < 9.2e18 ? Int(d.rounded(.towardZero)) : Int.min
    }

    private func goValueTypeName(_ v: Value) -> String {
        switch v {
        case .null: "*jsonnet.valueNull"
        case .bool: "*jsonnet.valueBoolean"
        case .number: "*jsonnet.valueNumber"
        case .function: "*jsonnet.valueFunction"
        default: v.typeName
        }
    }

    func evalSlice(_ n: Slice, _ env: Env) throws -> Value {
        let target = try eval(n.target, env)
        func part(_ node: Node?) throws -> Int? {
            guard let node else { return nil }
            let v = try eval(node, env)
            switch v {
            case .null: return nil
            case .number(let d): return clampToInt(d)
            default: throw makeError("Unexpected type \(v.typeName), expected number", at: node)
            }
        }
        let begin = try part(n.begin)
        let end = try part(n.end)
        let step = try part(n.step)
        return try slice(target, begin, end, step)
    }

    /// `target[begin:end:step]` with Jsonnet's clamping rules.
    package func slice(_ target: Value, _ begin: Int?, _ end: Int?, _ step: Int?) throws -> Value {
        let length: Int
        switch target {
        case .array(let a): length = a.count
        case .string(let s): length = s.count
        // go-jsonnet desugars `a[b:e:s]` to `std.slice`: its message.
        default: throw makeError("std.slice accepts a string or an array, but got: \(target.typeName)")
        }
        let step = step ?? 1
        if step < 0 {
            throw makeError("got [\(begin ?? 0):\(end ?? length):\(step)] but negative steps are not supported")
        }
        if step == 0 { throw makeError("got 0 but step must be greater than 0") }
        var lo = begin ?? 0
        var hi = end ?? length
        if lo < 0 { lo = max(0, length + lo) }
        if hi < 0 { hi = max(0, length + hi) }
        lo = min(lo, length)
        hi = min(hi, length)
        switch target {
        case .array(let a):
            if lo >= hi { return .array(JArray.empty) }
            return .array(JArray(ContiguousArray(stride(from: lo, to: hi, by: step).lazy.map { a[$0] })))
        case .string(let s):
            if lo >= hi { return .string(.empty) }
            if step == 1 { return .string(s.substring(from: lo, length: hi - lo)) }
            var view = String.UnicodeScalarView()
            for i in stride(from: lo, to: hi, by: step) { view.append(s.scalar(at: i)) }
            return .string(JString(String(view)))
        default:
            fatalError("unreachable")
        }
    }

    func evalSuperIndex(_ n: SuperIndex, _ env: Env) throws -> Value {
        let frame = env.ancestor(n.depth)
        let selfObject = frame.selfObject.unsafelyUnwrapped
        let index = try eval(n.index, env)
        guard case .string(let s) = index else { throw makeError("Unexpected type \(index.typeName), expected string", at: n) }
        if frame.layer == 0 {
            throw makeError("Attempt to use super when there is no super class.", at: n)
        }
        if let v = try selfObject.getSuper(s.string, below: frame.layer, self) { return v }
        throw makeError("Field does not exist: \(s.string)", at: n)
    }

    func evalObjectLiteral(_ o: ObjectLiteral, _ env: Env) throws -> Value {
        let layout: ObjectLayout
        if let cached = o.layoutCache {
            layout = unsafeDowncast(cached, to: ObjectLayout.self)
        } else {
            var defs = ContiguousArray<FieldDef>()
            defs.reserveCapacity(o.fields.count)
            // Duplicates: a scan of the names so far for a few fields, a set for more
            // (a set costs an allocation and a hash per name).
            let scan = o.fields.count <= 8
            var seen = Set<CodePointKey>()
            if !scan { seen.reserveCapacity(o.fields.count) }
            for f in o.fields {
                let name: String
                switch f.name {
                case .fixed(let s):
                    name = s
                case .computed(let e):
                    let v = try eval(e, env)
                    switch v {
                    case .string(let s): name = s.string
                    case .null: continue
                    default: throw makeError("Field name must be string, got \(v.typeName)", at: o)
                    }
                }
                let duplicate = scan ? defs.indices.contains { sameBytes(defs[$0].name, name) }
                                     : !seen.insert(CodePointKey(name)).inserted
                if duplicate { throw makeError("Duplicate field name: \"\(name)\"", at: o) }
                defs.append(FieldDef(name: name, visibility: f.visibility, plus: f.plus, body: .expr(f.body, nil)))
            }
            layout = ObjectLayout(fields: defs)
        }
        let layer = ObjectLayer(layout: layout, env: env, literal: o)
        return .object(JObject(layers: [layer], heap: heap))
    }

    /// Runs the `for`/`if` clauses of the comprehension `site`, calling `body` with the frame of
    /// each binding. As in go-jsonnet's traces, an error inside the k-th `for` passes k unnamed
    /// frames at `site`; with `typeErrorFrame`, a sequence that is not an array adds one more.
    private func forEachBinding(_ specs: ArraySlice<ComprehensionSpec>, _ env: Env, site: Node, typeErrorFrame: Bool,
                                _ body: (Env) throws -> Void) throws {
        guard let first = specs.first else {
            try body(env)
            return
        }
        switch first {
        case .forIn(_, let seqNode, _):
            do {
                let seq = try eval(seqNode, env)
                guard case .array(let arr) = seq else {
                    var e = makeError("std.flatMap second param must be array / string, got \(seq.typeName)")
                    if typeErrorFrame { e.trace.append(TraceFrame(range: site.range, name: "")) }
                    throw e
                }
                // One frame per element, unless nothing kept the previous one (a body
                // computed eagerly, or one that only read the variable): then that frame
                // is reused, which saves two allocations per element.
                var frame: Env? = nil
                for i in 0..<arr.count {
                    try tick()
                    if isKnownUniquelyReferenced(&frame) {
                        frame.unsafelyUnwrapped.slots[0] = arr[i]
                    } else {
                        frame = Env(parent: env, slots: [arr[i]], heap: heap)
                    }
                    try forEachBinding(specs.dropFirst(), frame.unsafelyUnwrapped, site: site, typeErrorFrame: typeErrorFrame, body)
                }
            } catch var e as JsonnetError {
                e.trace.append(TraceFrame(range: site.range, name: ""))
                throw e
            }
        case .ifCondition(let cond, _):
            let c = try eval(cond, env)
            guard case .bool(let b) = c else {
                var e = makeError("Unexpected type \(c.typeName), expected boolean")
                e.trace.append(TraceFrame(range: .none, name: ""))
                throw e
            }
            if b { try forEachBinding(specs.dropFirst(), env, site: site, typeErrorFrame: typeErrorFrame, body) }
        }
    }

    func evalArrayComprehension(_ c: ArrayComprehension, _ env: Env) throws -> Value {
        var elems = ContiguousArray<Lazy>()
        try forEachBinding(c.specs[...], env, site: c, typeErrorFrame: false) { frame in
            // The result's size is a product of the program's arrays: check it as it grows.
            if elems.count & 0xFFF == 0xFFF { try reserve(elems.count, elementBytes: MemoryLayout<Lazy>.stride) }
            try tick()
            if c.speculativeBody, let v = speculate(c.body, frame) {
                elems.append(.value(v))
            } else {
                elems.append(lazy(c.body, frame))
            }
        }
        return .array(JArray(elems))
    }

    /// Computes a comprehension body such as `i < j` or `x * 2 + 1` now, when every
    /// operand is a literal or a variable already holding a null, boolean, number or
    /// string: then the body cannot run other code, force other thunks or fail to
    /// terminate, and computing it costs less than the thunk and frame it would keep
    /// alive. nil when an operand is not such a value or the operator fails; the
    /// element then stays a thunk, so an error is raised only if the element is used,
    /// exactly as without this shortcut.
    func speculate(_ node: Node, _ env: Env) -> Value? {
        switch node.kind {
        case .null, .true, .false, .number, .string:
            return node.literalValue
        case .variable:
            let v = unsafeDowncast(node, to: Variable.self)
            guard case .value(let value) = env.ancestor(v.depth).slots[Int(v.index)] else { return nil }
            switch value {
            case .null, .bool, .number, .string: return value
            case .array, .object, .function: return nil
            }
        case .unary:
            let u = unsafeDowncast(node, to: Unary.self)
            switch (u.op, speculate(u.operand, env)) {
            case (.minus, .number(let x)?): return .number(-x)
            case (.plus, .number(let x)?): return .number(x)
            case (.not, .bool(let b)?): return .bool(!b)
            default: return nil
            }
        case .format:
            // Only short results: a thunk that is never forced must not have cost much.
            let b = unsafeDowncast(node, to: Binary.self)
            guard let t = b.format, let arguments = t.arguments else { return nil }
            let s = try? render(t, maxBytes: MemoryBudget.largeBytes) { i in
                guard let v = speculate(arguments[i], env) else { throw NotSpeculated() }
                return v
            }
            return s.map(Value.string)
        case .binary:
            let b = unsafeDowncast(node, to: Binary.self)
            guard let l = speculate(b.lhs, env) else { return nil }
            switch b.op {
            case .and, .or:
                guard case .bool(let lb) = l else { return nil }
                if lb == (b.op == .or) { return .bool(lb) }
                guard case .bool(let rb)? = speculate(b.rhs, env) else { return nil }
                return .bool(rb)
            default:
                guard let r = speculate(b.rhs, env) else { return nil }
                return try? binary(b.op, l, r)
            }
        default:
            return nil
        }
    }

    func evalObjectComprehension(_ c: ObjectComprehension, _ env: Env) throws -> Value {
        var defs = ContiguousArray<FieldDef>()
        try forEachBinding(c.specs[...], env, site: c, typeErrorFrame: true) { frame in
            if defs.count & 0xFFF == 0xFFF { try reserve(defs.count, elementBytes: MemoryBudget.trackedBytes) }
            let v = try eval(c.name, frame)
            let name: String
            switch v {
            case .string(let s): name = s.string
            case .null: return
            default: throw makeError("Field name must be string, got \(v.typeName)", at: c)
            }
            defs.append(FieldDef(name: name, visibility: c.visibility, plus: c.plus, body: .expr(c.body, frame)))
        }
        // Checked once all names are known, so the error carries no per-`for` frames (as in go-jsonnet).
        var seen = Set<CodePointKey>()
        for d in defs where !seen.insert(CodePointKey(d.name)).inserted {
            var e = makeError("Duplicate field name: \"\(d.name)\"")
            e.trace.append(TraceFrame(range: c.range, name: ""))
            throw e
        }
        let layer = ObjectLayer(layout: ObjectLayout(fields: defs), env: env, literal: nil, comprehensionLocals: c.locals)
        return .object(JObject(layers: [layer], heap: heap))
    }
}

/// A value `speculate` cannot compute without running code.
private struct NotSpeculated: Error {}
