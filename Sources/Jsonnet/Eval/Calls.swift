extension Interpreter {
    /// `target(args)` at a call site.
    func evalApply(_ a: Apply, _ env: Env) throws -> Value {
        let (fn, positional, named) = try prepareCall(a, env)
        do {
            return try call(fn, positional, named, tailStrict: a.tailStrict)
        } catch {
            throw traced(error, at: a)
        }
    }

    /// Evaluates the callee and packages the arguments of `a` (eagerly when `tailstrict`).
    /// Not inlined: its locals would stay on the native stack for the whole call.
    @inline(never)
    private func prepareCall(_ a: Apply, _ env: Env) throws -> (JFunction, ContiguousArray<Lazy>, [(String, Lazy)]) {
        let target = try eval(a.target, env)
        guard case .function(let fn) = target else {
            throw makeError("Unexpected type \(target.typeName), expected function", at: a)
        }
        var positional = ContiguousArray<Lazy>()
        positional.reserveCapacity(a.positional.count)
        if a.tailStrict {
            for p in a.positional { positional.append(.value(try eval(p, env))) }
        } else if a.speculativeArguments == 0 || depth + 2 > maxStack {
            // (Next to the depth limit, thunks as always: forcing one in the callee is
            // the frame where go-jsonnet's "max stack frames exceeded" may be raised.)
            for p in a.positional { positional.append(lazy(p, env)) }
        } else {
            // `f(n - 1)` over values already computed: the value now instead of a thunk
            // (a failing operator keeps the thunk, so its error appears only if used).
            for (k, p) in a.positional.enumerated() {
                if k < 64, a.speculativeArguments & (1 << UInt64(k)) != 0, let v = speculate(p, env) {
                    positional.append(.value(v))
                } else {
                    positional.append(lazy(p, env))
                }
            }
        }
        var named: [(String, Lazy)] = []
        if !a.named.isEmpty {
            named.reserveCapacity(a.named.count)
            for n in a.named {
                named.append((n.name, a.tailStrict ? .value(try eval(n.value, env)) : lazy(n.value, env)))
            }
        }
        if case .builtin(let b) = fn.body, b.wantsCallSite { callSite = a.range }
        return (fn, positional, named)
    }

    /// The result of evaluating a function body up to a `tailstrict` call in tail position.
    private enum TailResult {
        case value(Value)
        case call(JFunction, ContiguousArray<Lazy>, [(String, Lazy)], Apply)
    }

    /// Evaluates `node`, but stops at a `tailstrict` call in tail position (through
    /// `local` and `if`) and returns it, so the caller can run it without growing the stack.
    private func evalTail(_ node: Node, _ env: Env) throws -> TailResult {
        var node = node
        var env = env
        while true {
            switch node.kind {
            case .apply:
                let a = unsafeDowncast(node, to: Apply.self)
                guard a.tailStrict else { return .value(try evalApply(a, env)) }
                let (fn, positional, named) = try prepareCall(a, env)
                return .call(fn, positional, named, a)
            case .conditional:
                let c = unsafeDowncast(node, to: Conditional.self)
                if try condition(c, env) {
                    node = c.then
                } else if let o = c.otherwise {
                    node = o
                } else {
                    return .value(.null)
                }
            case .local:
                let n = unsafeDowncast(node, to: Local.self)
                env = bindLocals(n, env)
                node = n.body
            default:
                return .value(try eval(node, env))
            }
        }
    }

    /// Calls `fn` with positional and named arguments. With `tailStrict`, every
    /// argument (defaults included) is evaluated before the body runs, and
    /// `tailstrict` calls in tail position reuse this call's stack frame.
    package func call(_ fn: JFunction, _ positional: ContiguousArray<Lazy>, _ named: [(String, Lazy)] = [],
                     tailStrict: Bool = false) throws -> Value {
        guard case .closure(let f, let cenv) = fn.body else {
            guard case .builtin(let b) = fn.body else { fatalError("unreachable") }
            return try callBuiltin(b, positional, named)
        }
        let frame = try bindArguments(f, cenv, positional, named)
        if tailStrict { try forceAll(frame) }
        return try runBody(f, frame)
    }

    /// Evaluates a file's top-level expression. A `tailstrict` call in its tail position
    /// replaces the top-level frame, as in go-jsonnet: an error while binding or forcing
    /// the arguments is traced to the call site, one inside the callee is not.
    func evalTopLevel(_ node: Node, _ env: Env) throws -> Value {
        switch try evalTail(node, env) {
        case .value(let v):
            return v
        case .call(let fn, let args, let named, let site):
            var inBody = false
            do {
                guard case .closure(let f, let cenv) = fn.body else { return try call(fn, args, named, tailStrict: true) }
                let frame = try bindArguments(f, cenv, args, named)
                try forceAll(frame)
                inBody = true
                return try runBody(f, frame)
            } catch var e as JsonnetError where !inBody {
                e.trace.append(TraceFrame(at: site))
                throw e
            }
        }
    }

    /// Runs the body of `f` in its bound argument `frame`, following `tailstrict` tail calls in place.
    func runBody(_ f: Function, _ frame: Env) throws -> Value {
        try enter()
        defer { leave() }
        switch try evalTail(f.body, frame) {
        case .value(let v):
            return v
        case .call(let next, let args, let named, let site):
            return try runTailCalls(next, args, named, site)
        }
    }

    /// Runs `tailstrict` calls in tail position one after another in the current frame
    /// (kept out of `runBody`, whose frame every ordinary call keeps on the native stack).
    @inline(never)
    private func runTailCalls(_ next: JFunction, _ args: ContiguousArray<Lazy>, _ named: [(String, Lazy)],
                              _ site: Apply) throws -> Value {
        var next = next
        var args = args
        var named = named
        var site = site
        while true {
            let f: Function
            let frame: Env
            do {
                switch next.body {
                case .builtin(let b):
                    return try callBuiltin(b, args, named)
                case .closure(let nf, let nenv):
                    try tick()
                    f = nf
                    frame = try bindArguments(nf, nenv, args, named)
                    try forceAll(frame)
                }
            } catch var e as JsonnetError {
                e.trace.append(TraceFrame(at: site))
                throw e
            }
            switch try evalTail(f.body, frame) {
            case .value(let v):
                return v
            case .call(let n, let a, let nn, let s):
                next = n
                args = a
                named = nn
                site = s
            }
        }
    }

    /// Forces every slot of an argument frame (for `tailstrict`).
    private func forceAll(_ frame: Env) throws {
        for i in 0..<frame.slots.count {
            if case .thunk(let t) = frame.slots[i] { frame.slots[i] = .value(try t.force(self)) }
        }
    }

    /// Calls `fn` with already computed positional arguments.
    package func call(_ fn: JFunction, _ args: Value...) throws -> Value {
        try call(fn, ContiguousArray(args.map { Lazy.value($0) }))
    }

    /// The argument frame of a call of `f` (not inlined: its locals would stay on
    /// the native stack for the whole call).
    @inline(never)
    private func bindArguments(_ f: Function, _ cenv: Env, _ positional: ContiguousArray<Lazy>,
                               _ named: [(String, Lazy)]) throws -> Env {
        let params = f.parameters
        if positional.count > params.count {
            throw makeError("function expected \(params.count) positional argument(s), but got \(positional.count)")
        }
        if named.isEmpty && positional.count == params.count {
            return Env(parent: cenv, slots: positional, heap: heap)
        }
        var slots = positional
        var filled = [Bool](repeating: false, count: params.count)
        for i in 0..<positional.count { filled[i] = true }
        slots.reserveCapacity(params.count)
        while slots.count < params.count { slots.append(.value(.null)) }
        for (name, value) in named {
            guard let i = params.firstIndex(where: { $0.name == name }) else {
                throw makeError("function has no parameter \(name)")
            }
            if filled[i] { throw makeError("Argument \(name) already provided") }
            slots[i] = value
            filled[i] = true
        }
        let frame = Env(parent: cenv, slots: [], heap: heap)
        for i in 0..<params.count where !filled[i] {
            guard let d = params[i].defaultValue else {
                throw makeError("Missing argument: \(params[i].name)")
            }
            slots[i] = lazyInFrame(d, frame)
        }
        frame.slots = slots
        return frame
    }

    private func callBuiltin(_ b: Builtin, _ positional: ContiguousArray<Lazy>, _ named: [(String, Lazy)]) throws -> Value {
        let params = b.parameters
        var args = positional
        if positional.count > params.count {
            throw makeError("function expected \(params.count) positional argument(s), but got \(positional.count)")
        }
        if !named.isEmpty || args.count < params.count {
            var filled = [Bool](repeating: false, count: params.count)
            for i in 0..<args.count { filled[i] = true }
            while args.count < params.count { args.append(.value(.null)) }
            for (name, value) in named {
                guard let i = params.firstIndex(where: { $0.name == name }) else {
                    throw makeError("function has no parameter \(name)")
                }
                if filled[i] { throw makeError("Argument \(name) already provided") }
                args[i] = value
                filled[i] = true
            }
            for i in 0..<params.count where !filled[i] {
                guard let d = params[i].defaultValue else {
                    throw makeError("Missing argument: \(params[i].name)")
                }
                args[i] = .value(d)
            }
        }
        try enter()
        defer { leave() }
        do {
            return try runBuiltin(b, args)
        } catch var e as JsonnetError where e.trace.isEmpty {
            // An error the builtin raised itself: add the frames go-jsonnet shows from its std.jsonnet.
            let frames = GoStdTrace.builtinFrames(b.name, e) { i in i < args.count ? try? args[i].force(self) : nil }
            for frame in frames { e.trace.append(frame) }
            throw e
        }
    }

    private func runBuiltin(_ b: Builtin, _ args: ContiguousArray<Lazy>) throws -> Value {
        switch b.implementation {
        case .unary(let f):
            return try f(args[0].force(self), self)
        case .binary(let f):
            return try f(args[0].force(self), args[1].force(self), self)
        case .ternary(let f):
            return try f(args[0].force(self), args[1].force(self), args[2].force(self), self)
        case .nary(let f):
            var values = [Value]()
            values.reserveCapacity(args.count)
            for a in args { values.append(try a.force(self)) }
            return try f(values, self)
        case .lazy(let f):
            return try f(Array(args), self)
        }
    }
}

/// One function called many times in a row by a builtin (`std.foldl`, `std.filter`,
/// sort keys...). When the function is a closure taking exactly the arguments given,
/// the argument frame of the previous call is reused if nothing kept it (no closure,
/// object or thunk made by the body captured it): the loop then allocates no frame
/// per element. Otherwise each call binds a new frame, as `Interpreter.call` does.
struct RepeatedCall {
    let fn: JFunction
    private var frame: Env?

    init(_ fn: JFunction) { self.fn = fn }

    /// `fn(a)`.
    mutating func callAsFunction(_ ev: Interpreter, _ a: Lazy) throws -> Value {
        guard case .closure(let f, let cenv) = fn.body, f.parameters.count == 1 else {
            return try ev.call(fn, [a])
        }
        if isKnownUniquelyReferenced(&frame) {
            let env = frame.unsafelyUnwrapped
            env.slots[0] = a
            return try ev.runBody(f, env)
        }
        let env = Env(parent: cenv, slots: [a], heap: ev.heap)
        frame = env
        return try ev.runBody(f, env)
    }

    /// `fn(a, b)`.
    mutating func callAsFunction(_ ev: Interpreter, _ a: Lazy, _ b: Lazy) throws -> Value {
        guard case .closure(let f, let cenv) = fn.body, f.parameters.count == 2 else {
            return try ev.call(fn, [a, b])
        }
        if isKnownUniquelyReferenced(&frame) {
            let env = frame.unsafelyUnwrapped
            env.slots[0] = a
            env.slots[1] = b
            return try ev.runBody(f, env)
        }
        let env = Env(parent: cenv, slots: [a, b], heap: ev.heap)
        frame = env
        return try ev.runBody(f, env)
    }
}
