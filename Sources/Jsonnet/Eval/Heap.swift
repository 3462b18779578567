/// Jsonnet's lazy semantics make reference cycles routine under ARC: a recursive
/// local function sits in the frame it closes over, and an object's `self` frame
/// is cached in the object. Every heap object that can close such a cycle (frames,
/// thunks, objects) is linked into its evaluation's `Heap`. While the evaluation
/// runs, `Heap.collect()` frees the unreachable ones (see Collector.swift); when
/// it ends, `Heap.release()` clears every mutable reference so ARC frees the rest.
///
/// The links cost no reference counting (both are raw pointers): linking is a
/// few stores, and `deinit` unlinks in O(1).
package class Tracked {
    /// The previous object in the ring. During a collection pass it holds the
    /// object's index in the pass instead (`gcIndex`), so tracked objects carry
    /// no extra word for the collector; the pass relinks the ring when it ends.
    fileprivate var prev: UnsafeMutableRawPointer?
    /// The next object in the ring.
    fileprivate var next: UnsafeMutableRawPointer?

    init(heap: Heap) {
        let s = heap.sentinel
        let me = Unmanaged.passUnretained(self).toOpaque()
        let n = s.next.unsafelyUnwrapped
        prev = Unmanaged.passUnretained(s).toOpaque()
        next = n
        Tracked.at(n).prev = me
        s.next = me
        heap.allocations &+= 1
    }

    fileprivate init() {}

    deinit {
        if let p = prev, let n = next {
            Tracked.at(p).next = n
            Tracked.at(n).prev = p
        }
    }

    /// The tracked object at `p`, borrowed: no reference counting.
    @inline(__always)
    static func at(_ p: UnsafeMutableRawPointer) -> Tracked {
        Unmanaged<Tracked>.fromOpaque(p).takeUnretainedValue()
    }

    /// The object after `p` in the ring.
    @inline(__always)
    static func next(_ p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        Unmanaged<Tracked>.fromOpaque(p)._withUnsafeGuaranteedRef { $0.next.unsafelyUnwrapped }
    }

    /// The object's position in the current collection pass.
    var gcIndex: Int32 {
        get { Int32(truncatingIfNeeded: Int(bitPattern: prev) &- 1) }
        set { prev = UnsafeMutableRawPointer(bitPattern: Int(newValue) &+ 1) }
    }

    /// Drops every reference this object acquired after construction.
    func breakCycles() {}

    /// Reports this object's strong references to other tracked objects.
    func visitEdges(_ sink: inout EdgeSink) {}
}

/// The registry of one evaluation's cycle-capable objects.
package final class Heap {
    let sentinel: Tracked
    /// The sentinel's address: the ring starts and ends here.
    var ring: UnsafeMutableRawPointer { Unmanaged.passUnretained(sentinel).toOpaque() }
    /// Objects linked since the last `collect()` plus those that survived it: an
    /// upper bound on the live count that costs one increment per object.
    var allocations = 0
    /// `allocations` at which the next poll runs `collect()`.
    var collectAt = Heap.firstCollection
    /// Evaluations that stay below this many tracked objects never collect.
    static let firstCollection = 65_536

    package init() {
        sentinel = Tracked()
        let s = Unmanaged.passUnretained(sentinel).toOpaque()
        sentinel.prev = s
        sentinel.next = s
    }

    /// Restores every `prev` link from the `next` links (after a collection pass).
    func relink() {
        let s = ring
        var p = s
        var node = Tracked.next(s)
        while node != s {
            Unmanaged<Tracked>.fromOpaque(node)._withUnsafeGuaranteedRef { $0.prev = p }
            p = node
            node = Tracked.next(node)
        }
        sentinel.prev = p
    }

    /// Breaks every cycle among the objects still alive so they can be freed.
    /// Objects must not be used after this.
    package func release() {
        var all: [Tracked] = []
        let s = ring
        var node = Tracked.next(s)
        while node != s {
            all.append(Tracked.at(node))
            node = Tracked.next(node)
        }
        for x in all {
            x.prev = nil
            x.next = nil
        }
        sentinel.next = s
        sentinel.prev = s
        for x in all { x.breakCycles() }
    }

    deinit {
        release()
        sentinel.prev = nil
        sentinel.next = nil
    }
}

/// A lazily evaluated expression: computed at most once, on first use.
package final class Thunk: Tracked {
    enum State {
        case pending(Node, Env)
        case deferred(() throws -> Value)
        /// A call made by a builtin (`std.map`, `std.makeArray`...): `f`'s body in its
        /// bound argument frame.
        case call(Function, Env)
        case inProgress
        case done(Value)
    }

    private var state: State

    /// A thunk that evaluates `node` in `env` when forced.
    package init(_ node: Node, _ env: Env, heap: Heap) {
        state = .pending(node, env)
        super.init(heap: heap)
    }

    /// A thunk that runs `compute` when forced (used by native builtins).
    package init(heap: Heap, _ compute: @escaping () throws -> Value) {
        state = .deferred(compute)
        super.init(heap: heap)
    }

    /// A thunk that runs the closure `f` in `frame` (its arguments already bound) when
    /// forced; a failure gets go-jsonnet's unnamed frame for builtin-made calls.
    package init(call f: Function, in frame: Env, heap: Heap) {
        state = .call(f, frame)
        super.init(heap: heap)
    }

    /// The value, computing it on first use.
    @inline(__always)
    package func force(_ ev: Interpreter) throws -> Value {
        if case .done(let v) = state { return v }
        return try forceSlow(ev)
    }

    /// Computes the value (once): marks the thunk in progress, so a thunk that needs its
    /// own value fails like go-jsonnet, and counts a stack frame, as go-jsonnet does.
    /// An error restores the state, so forcing again fails the same way.
    @inline(never)
    private func forceSlow(_ ev: Interpreter) throws -> Value {
        let saved = state
        switch saved {
        case .done(let v):
            return v
        case .inProgress:
            throw ev.recursionError()
        case .pending, .call, .deferred:
            break
        }
        state = .inProgress
        do {
            try ev.enter()
            defer { ev.leave() }
            let v = try compute(saved, ev)
            state = .done(v)
            return v
        } catch {
            state = saved
            throw error
        }
    }

    /// The value a `.pending`, `.call` or `.deferred` state stands for.
    @inline(__always)
    private func compute(_ pending: State, _ ev: Interpreter) throws -> Value {
        switch pending {
        case .pending(let node, let env):
            return try ev.eval(node, env)
        case .call(let f, let frame):
            // A builtin-made call: go-jsonnet's trace has an unnamed frame for it.
            do {
                return try ev.runBody(f, frame)
            } catch {
                throw ev.traced(error, frame: TraceFrame(range: .none, name: ""))
            }
        case .deferred(let compute):
            return try compute()
        case .done(let v):
            return v
        case .inProgress:
            throw ev.recursionError()
        }
    }

    override func breakCycles() { state = .done(.null) }

    override func visitEdges(_ sink: inout EdgeSink) {
        switch state {
        case .pending(_, let env), .call(_, let env): sink.add(env)
        case .done(let v): sink.add(v)
        case .deferred, .inProgress: return
        }
    }
}

/// A frame of variable slots, chained to the frame it was created in.
///
/// Object frames also carry `self` and the layer index that bounds `super`.
package final class Env: Tracked {
    /// The enclosing frame.
    package let parent: Env?
    /// The frame's variables, in the order the resolver assigned.
    package var slots: ContiguousArray<Lazy>
    /// For object frames: the object bound to `self`.
    package var selfObject: JObject?
    /// For object frames: the layer of `selfObject` whose fields are being evaluated;
    /// `super` is the layers below it.
    package let layer: Int

    package init(parent: Env?, slots: ContiguousArray<Lazy>, heap: Heap) {
        self.parent = parent
        self.slots = slots
        self.selfObject = nil
        self.layer = 0
        super.init(heap: heap)
    }

    package init(parent: Env?, slots: ContiguousArray<Lazy>, selfObject: JObject, layer: Int, heap: Heap) {
        self.parent = parent
        self.slots = slots
        self.selfObject = selfObject
        self.layer = layer
        super.init(heap: heap)
    }

    /// The frame `depth` levels up (0 = this one).
    @inline(__always)
    package func ancestor(_ depth: Int32) -> Env {
        var e = self
        var d = depth
        while d > 0 {
            e = e.parent.unsafelyUnwrapped
            d -= 1
        }
        return e
    }

    override func breakCycles() {
        slots = []
        selfObject = nil
    }

    override func visitEdges(_ sink: inout EdgeSink) {
        if let parent { sink.add(parent) }
        if let selfObject { sink.add(selfObject) }
        sink.add(&slots)
    }
}
