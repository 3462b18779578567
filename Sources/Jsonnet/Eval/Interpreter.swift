import Synchronization

/// A flag another thread sets to stop a running evaluation.
///
/// The interpreter polls it on every function call and in native loops, so a
/// cancelled evaluation ends with an error within microseconds of CPU work.
public final class CancellationToken: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Creates one with the defaults.
    public init() {}

    /// Requests cancellation.
    public func cancel() { flag.store(true, ordering: .relaxed) }

    /// Whether cancellation was requested.
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// One evaluation's state: the heap registry, stack accounting, imports and
/// external variables. Created per evaluation and used from one thread.
package final class Interpreter {
    /// The registry of this evaluation's cycle-capable objects.
    package let heap = Heap()
    let maxStack: Int
    /// The memory budget, when the options set one.
    let memory: MemoryBudget?
    /// Active frames; starts at 1 for the top-level expression, as go-jsonnet counts.
    var depth = 1
    /// Containers being written by the `std.manifest*` writers.
    var manifestDepth = 0
    let cancellation: CancellationToken?
    let deadline: ContinuousClock.Instant?
    private var pollCounter = 0
    /// Lowest native stack address evaluation may reach before failing cleanly.
    var nativeStackLimit: UInt = 0
    let importer: Importer
    let extVars: [String: ExternalValue]
    var extVarCache: [String: Value] = [:]
    var extVarInProgress: Set<String> = []
    var fileCache: [String: Value] = [:]
    var stringImportCache: [String: Value] = [:]
    var binaryImportCache: [String: Value] = [:]
    var parsedCache: [String: Node] = [:]
    /// Parsed files shared with other evaluations, if any.
    let parseCache: ParseCache?
    let nativeFunctions: [String: JFunction]
    /// Where the latest call to a builtin with `wantsCallSite` came from.
    var callSite = SourceRange.none
    /// `std` without `thisFile`; built lazily.
    private(set) lazy var stdBase: JObject = makeStdObject(self)

    init(options: EvaluationOptions) {
        self.maxStack = options.maxStack
        self.memory = options.memoryLimit.map { MemoryBudget(limit: $0) }
        self.cancellation = options.cancellation
        self.deadline = options.timeout.map { ContinuousClock.now + $0 }
        self.importer = options.importer
        self.parseCache = options.parseCache
        self.extVars = options.externalVariables
        self.nativeFunctions = options.nativeFunctions.mapValues { JFunction(builtin: $0) }
    }

    // MARK: Errors

    /// A runtime error with `message` (the trace is filled while it propagates).
    package func makeError(_ message: String) -> JsonnetError {
        JsonnetError.runtime(message)
    }

    /// A runtime error located at `node`.
    func makeError(_ message: String, at node: Node) -> JsonnetError {
        var e = JsonnetError.runtime(message)
        e.trace.append(TraceFrame(at: node))
        return e
    }

    /// go-jsonnet's type error: `Unexpected type T, expected E`.
    package func typeError(_ v: Value, expected: String) -> JsonnetError {
        makeError("Unexpected type \(v.typeName), expected \(expected)")
    }

    // MARK: Stack and cancellation

    /// The one accounted entry point for recursion. Every recursion reachable from
    /// Jsonnet source enters here before it nests: calls, thunk forcing, imports,
    /// the std walkers (manifesters, `prune`, `mergePatch`, `flatten*`, `deepJoin`,
    /// parse results) and equality and comparison of nested values. It counts the
    /// level against `--max-stack`, keeps the native stack above its guard, and
    /// polls for cancellation; `kind` picks go-jsonnet's message for the overflow.
    /// Pair every successful `enter` with one `leave`.
    @inline(__always)
    func enter(_ kind: RecursionKind = .evaluation) throws {
        var marker: UInt8 = 0
        let sp = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        switch kind {
        case .evaluation:
            depth += 1
            if depth > maxStack || sp < nativeStackLimit {
                depth -= 1
                throw overflow(kind)
            }
        case .manifest:
            // Like go-jsonnet, manifest nesting has its own count (up to the
            // `--max-stack` value): thunks forced while writing count as frames.
            manifestDepth += 1
            if manifestDepth > maxStack || sp < nativeStackLimit {
                manifestDepth -= 1
                throw overflow(kind)
            }
        }
        pollCounter &+= 1
        if pollCounter & 0xFF == 0 { try poll() }
    }

    /// go-jsonnet's error for nesting too deep (out of line: `enter` is inlined into
    /// frames that stay on the native stack).
    @inline(never)
    private func overflow(_ kind: RecursionKind) -> JsonnetError {
        makeError(kind.overflowMessage)
    }

    @inline(__always)
    func leave(_ kind: RecursionKind = .evaluation) {
        switch kind {
        case .evaluation: depth -= 1
        case .manifest: manifestDepth -= 1
        }
    }

    /// Throws if the evaluation was cancelled, ran past its deadline or spent its
    /// memory budget. Native loops call this periodically.
    package func poll() throws {
        if let c = cancellation, c.isCancelled { throw EvaluationCancelled.cancelled }
        if let d = deadline, ContinuousClock.now >= d { throw EvaluationCancelled.timedOut }
        if let m = memory { try checkMemory(m) }
        if heap.allocations >= heap.collectAt { heap.collect() }
    }

    /// Polls every 1024th call: cheap enough for tight native loops.
    @inline(__always)
    package func tick() throws {
        pollCounter &+= 1
        if pollCounter & 0x3FF == 0 { try poll() }
    }

    // MARK: Evaluation

    /// Evaluates `node` in `env`.
    ///
    /// Every Jsonnet call nests this function twice or more on the native stack, so
    /// it keeps only the cheapest cases inline and hands the rest to functions of their
    /// own: a case's locals would otherwise widen this frame for every case
    /// (one frame here used 928 bytes; deep recursion pays it in fresh stack pages).
    package func eval(_ node: Node, _ env: Env) throws -> Value {
        switch node.kind {
        case .null:
            return .null
        case .true:
            return .bool(true)
        case .false:
            return .bool(false)
        case .number:
            return .number(unsafeDowncast(node, to: NumberLiteral.self).value)
        case .string:
            return .string(unsafeDowncast(node, to: StringLiteral.self).constant.unsafelyUnwrapped)
        case .variable:
            let v = unsafeDowncast(node, to: Variable.self)
            switch env.ancestor(v.depth).slots[Int(v.index)] {
            case .value(let x): return x
            case .thunk(let t): return try force(t, at: v)
            }
        case .self:
            let n = unsafeDowncast(node, to: SelfNode.self)
            return .object(env.ancestor(n.depth).selfObject.unsafelyUnwrapped)
        case .dollar:
            let n = unsafeDowncast(node, to: DollarNode.self)
            return .object(env.ancestor(n.depth).selfObject.unsafelyUnwrapped)
        case .local:
            return try evalLocal(unsafeDowncast(node, to: Local.self), env)
        case .function:
            return .function(JFunction(closure: unsafeDowncast(node, to: Function.self), env: env))
        case .apply:
            return try evalApply(unsafeDowncast(node, to: Apply.self), env)
        case .index:
            return try evalIndex(unsafeDowncast(node, to: Index.self), env)
        case .slice:
            return try evalSlice(unsafeDowncast(node, to: Slice.self), env)
        case .binary:
            return try evalBinary(unsafeDowncast(node, to: Binary.self), env)
        case .format:
            return try evalFormat(unsafeDowncast(node, to: Binary.self), env)
        case .unary:
            return try evalUnary(unsafeDowncast(node, to: Unary.self), env)
        case .conditional:
            return try evalConditional(unsafeDowncast(node, to: Conditional.self), env)
        case .error:
            throw try evalError(unsafeDowncast(node, to: ErrorNode.self), env)
        case .assert:
            return try evalAssert(unsafeDowncast(node, to: AssertNode.self), env)
        case .array:
            return evalArrayLiteral(unsafeDowncast(node, to: ArrayLiteral.self), env)
        case .arrayComprehension:
            return try evalArrayComprehension(unsafeDowncast(node, to: ArrayComprehension.self), env)
        case .object:
            return try evalObjectLiteral(unsafeDowncast(node, to: ObjectLiteral.self), env)
        case .objectComprehension:
            return try evalObjectComprehension(unsafeDowncast(node, to: ObjectComprehension.self), env)
        case .superIndex:
            return try evalSuperIndex(unsafeDowncast(node, to: SuperIndex.self), env)
        case .inSuper:
            return try evalInSuper(unsafeDowncast(node, to: InSuper.self), env)
        case .import, .importStr, .importBin:
            return try evalImport(unsafeDowncast(node, to: ImportNode.self))
        }
    }

    /// Forces the thunk a variable names; an error gets the variable's place in its trace.
    @inline(never)
    private func force(_ t: Thunk, at v: Variable) throws -> Value {
        do {
            return try t.force(self)
        } catch {
            throw traced(error, at: v)
        }
    }

    /// `error` with a trace frame for `node` added when it is a Jsonnet error.
    ///
    /// A `catch var e as JsonnetError` reserves room for the error in the frame of the
    /// function that catches; on the recursive evaluation path those frames stay on
    /// the native stack for the whole call, so they catch any error and call this.
    @inline(never)
    func traced(_ error: any Error, at node: Node) -> any Error {
        traced(error, frame: TraceFrame(at: node))
    }

    /// `error` with `frame` added to its trace when it is a Jsonnet error.
    @inline(never)
    func traced(_ error: any Error, frame: @autoclosure () -> TraceFrame) -> any Error {
        guard var e = error as? JsonnetError else { return error }
        e.trace.append(frame())
        return e
    }

    /// go-jsonnet's error for a value that needs itself (a thunk forced while it is computed).
    @inline(never)
    func recursionError() -> JsonnetError {
        makeError("max stack frames exceeded.")
    }

    /// `local x = …; body`: binds the new frame, then evaluates the body.
    @inline(never)
    private func evalLocal(_ n: Local, _ env: Env) throws -> Value {
        try eval(n.body, bindLocals(n, env))
    }

    /// The frame of a `local`'s bindings (each a handle evaluated on demand).
    @inline(never)
    func bindLocals(_ n: Local, _ env: Env) -> Env {
        let frame = Env(parent: env, slots: [], heap: heap)
        var slots = ContiguousArray<Lazy>()
        slots.reserveCapacity(n.bindings.count)
        for b in n.bindings { slots.append(lazyInFrame(b.body, frame)) }
        frame.slots = slots
        return frame
    }

    /// `if c then a else b`.
    @inline(never)
    private func evalConditional(_ c: Conditional, _ env: Env) throws -> Value {
        if try condition(c, env) { return try eval(c.then, env) }
        if let o = c.otherwise { return try eval(o, env) }
        return .null
    }

    /// The value of `c`'s condition, which must be a boolean.
    @inline(never)
    func condition(_ c: Conditional, _ env: Env) throws -> Bool {
        let cond = try eval(c.condition, env)
        guard case .bool(let b) = cond else {
            throw makeError("Unexpected type \(cond.typeName), expected boolean", at: c.condition)
        }
        return b
    }

    /// The error `error msg` raises.
    @inline(never)
    private func evalError(_ node: ErrorNode, _ env: Env) throws -> JsonnetError {
        let msg = try eval(node.message, env)
        let text: String
        do {
            if case .string(let s) = msg { text = s.string } else { text = try manifestForError(msg) }
        } catch var e as JsonnetError {
            e.trace.append(TraceFrame(at: node))
            throw e
        }
        return makeError(text, at: node)
    }

    /// `assert c : msg; rest`.
    @inline(never)
    private func evalAssert(_ a: AssertNode, _ env: Env) throws -> Value {
        let cond = try eval(a.condition, env)
        guard case .bool(let ok) = cond else {
            throw makeError("Unexpected type \(cond.typeName), expected boolean", at: a.condition)
        }
        if !ok {
            var text = "Assertion failed"
            if let m = a.message {
                let mv = try eval(m, env)
                if case .string(let s) = mv { text = s.string } else { text = try manifestForError(mv) }
            }
            throw makeError(text, at: a)
        }
        return try eval(a.rest, env)
    }

    /// `[a, b, …]`: constant literals share one array; others get a handle per element.
    @inline(never)
    private func evalArrayLiteral(_ a: ArrayLiteral, _ env: Env) -> Value {
        if a.elements.isEmpty { return .array(JArray.empty) }
        if let constant = a.constantElements { return .array(JArray(constant)) }
        var elems = ContiguousArray<Lazy>()
        elems.reserveCapacity(a.elements.count)
        for e in a.elements { elems.append(lazy(e, env)) }
        return .array(JArray(elems))
    }

    /// `field in super`.
    @inline(never)
    private func evalInSuper(_ n: InSuper, _ env: Env) throws -> Value {
        let name = try eval(n.field, env)
        guard case .string(let s) = name else { throw makeError("Unexpected type \(name.typeName), expected string", at: n) }
        let frame = env.ancestor(n.depth)
        return .bool(frame.selfObject.unsafelyUnwrapped.superHas(s.string, below: frame.layer))
    }

    /// A lazy handle for `node` in `env`: constants and variables need no thunk.
    @inline(__always)
    func lazy(_ node: Node, _ env: Env) -> Lazy {
        switch node.kind {
        case .null: return .value(.null)
        case .true: return .value(.bool(true))
        case .false: return .value(.bool(false))
        case .number: return .value(.number(unsafeDowncast(node, to: NumberLiteral.self).value))
        case .string: return .value(.string(unsafeDowncast(node, to: StringLiteral.self).constant.unsafelyUnwrapped))
        case .variable:
            let v = unsafeDowncast(node, to: Variable.self)
            return env.ancestor(v.depth).slots[Int(v.index)]
        case .function:
            return .value(.function(JFunction(closure: unsafeDowncast(node, to: Function.self), env: env)))
        default:
            return .thunk(Thunk(node, env, heap: heap))
        }
    }

    /// Like `lazy`, for a binding of the frame being built: a reference to a
    /// sibling slot (which may not exist yet) becomes a thunk.
    @inline(__always)
    func lazyInFrame(_ node: Node, _ frame: Env) -> Lazy {
        if node.kind == .variable && unsafeDowncast(node, to: Variable.self).depth == 0 {
            return .thunk(Thunk(node, frame, heap: heap))
        }
        return lazy(node, frame)
    }

    /// Evaluates an object field body (a stack frame, as in go-jsonnet).
    func evalField(_ node: Node, _ env: Env) throws -> Value {
        try enter()
        defer { leave() }
        return try eval(node, env)
    }

    /// Checks one object-level `assert`.
    func checkObjectAssert(_ a: ObjectAssert, _ env: Env) throws {
        let cond = try eval(a.condition, env)
        guard case .bool(let ok) = cond else {
            throw assertFailure("Unexpected type \(cond.typeName), expected boolean", a)
        }
        if !ok {
            var text = "Object assertion failed."
            if let m = a.message {
                let mv = try eval(m, env)
                if case .string(let s) = mv { text = s.string } else { text = try manifestForError(mv) }
            }
            throw assertFailure(text, a)
        }
    }

    /// A failed object assertion, located at the whole `assert` with no frame name, as go-jsonnet prints it.
    private func assertFailure(_ message: String, _ a: ObjectAssert) -> JsonnetError {
        var e = makeError(message)
        e.trace.append(TraceFrame(range: a.range, name: ""))
        return e
    }

    /// The compact JSON go-jsonnet uses when an error message is not a string.
    func manifestForError(_ v: Value) throws -> String {
        var m = JSONManifester(ev: self, indent: "", newline: "", keyValueSeparator: ": ", itemSeparator: ", ")
        try m.write(v)
        return m.output
    }
}

/// What a recursion was doing when it nested too deep.
enum RecursionKind {
    /// Evaluation: calls, thunks, imports and the std walkers that go-jsonnet
    /// writes in Jsonnet (`max stack frames exceeded.`).
    case evaluation
    /// The `std.manifest*` writers (`max manifest depth exceeded, possible infinite recursion`).
    case manifest

    var overflowMessage: String {
        switch self {
        case .evaluation: "max stack frames exceeded."
        case .manifest: "max manifest depth exceeded, possible infinite recursion"
        }
    }
}

/// Why an evaluation stopped early without a Jsonnet error.
public enum EvaluationCancelled: Error, Sendable {
    /// The cancellation token was set.
    case cancelled
    /// The timeout elapsed.
    case timedOut
}
