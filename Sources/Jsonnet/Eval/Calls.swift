extension Interpreter {
    /// `target(args)` at a call site.
    func evalApply(_ a: Apply, _ env: Env) throws -> Value {
        let target = try eval(a.target, env)
        guard case .function(let fn) = target else {
            throw makeError("Unexpected type \(target.typeName), expected function", at: a)
        }
        var positional = ContiguousArray<Lazy>()
        positional.reserveCapacity(a.positional.count)
        if a.tailStrict {
            for p in a.positional { positional.append(.value(try eval(p, env))) }
        } else {
            for p in a.positional { positional.append(lazy(p, env)) }
        }
        var named: [(String, Lazy)] = []
        if !a.named.isEmpty {
            named.reserveCapacity(a.named.count)
            for n in a.named {
                named.append((n.name, a.tailStrict ? .value(try eval(n.value, env)) : lazy(n.value, env)))
            }
        }
        if case .builtin(let b) = fn.body, b.wantsCallSite { callSite = a.range }
        do {
            return try call(fn, positional, named)
        } catch var e as JsonnetError {
            e.trace.append(TraceFrame(range: a.range, name: ""))
            throw e
        }
    }

    /// Calls `fn` with positional and named arguments.
    public func call(_ fn: JFunction, _ positional: ContiguousArray<Lazy>, _ named: [(String, Lazy)] = []) throws -> Value {
        switch fn.body {
        case .closure(let f, let cenv):
            let frame = try bindArguments(f, cenv, positional, named)
            try enter()
            defer { leave() }
            do {
                return try eval(f.body, frame)
            } catch var e as JsonnetError {
                e.nameInnermost("function <\(f.name ?? "anonymous")>")
                throw e
            }
        case .builtin(let b):
            return try callBuiltin(b, positional, named)
        }
    }

    /// Calls `fn` with already computed positional arguments.
    public func call(_ fn: JFunction, _ args: Value...) throws -> Value {
        try call(fn, ContiguousArray(args.map { Lazy.value($0) }))
    }

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
        } catch var e as JsonnetError {
            e.nameInnermost("builtin function <\(b.name)>")
            throw e
        }
    }
}
