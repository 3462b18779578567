/// The runtime's strong reference count of a Swift object (1 = one owner).
@_silgen_name("swift_retainCount")
private func swiftRetainCount(_ object: UnsafeMutableRawPointer) -> Int

/// Collects the edges between tracked objects for one collection pass.
///
/// An edge is recorded only where it stands for exactly one strong reference
/// held by the object being visited: through a class or array buffer that only
/// that object owns (reference count 1). A reference the collector cannot
/// attribute (a shared array, a native closure's captures) is left out, which
/// makes its target look referenced from outside: it survives. That errs on the
/// side of keeping memory, never of freeing something still in use.
package struct EdgeSink {
    fileprivate var edges: [Int32] = []

    /// Records a strong reference to `target`.
    @inline(__always)
    mutating func add(_ target: Tracked) { edges.append(target.gcIndex) }

    /// Whether `object`'s only strong reference is the one being visited.
    @inline(__always)
    func owned<T: AnyObject>(_ object: T) -> Bool {
        swiftRetainCount(Unmanaged.passUnretained(object).toOpaque()) == 1
    }

    /// Whether the object at `raw` (a reference read without retaining it) has one owner.
    @inline(__always)
    func owned(raw: UnsafeMutableRawPointer) -> Bool { swiftRetainCount(raw) == 1 }

    /// Whether the object stored in the variable at `field` (a `var` property of
    /// the object being visited) has that one owner. Read as a raw pointer, so
    /// loading the property does not disturb the count.
    @inline(__always)
    func owned<T: AnyObject>(field: inout T) -> Bool {
        let object = withUnsafeMutablePointer(to: &field) {
            UnsafeRawPointer($0).load(as: UnsafeMutableRawPointer.self)
        }
        return swiftRetainCount(object) == 1
    }

    /// The object stored in the optional variable at `field` (a `var` property of
    /// the object being visited), read without retaining it; nil when empty.
    @inline(__always)
    static func rawReference<T: AnyObject>(_ field: inout T?) -> UnsafeMutableRawPointer? {
        withUnsafeMutablePointer(to: &field) {
            UnsafeRawPointer($0).load(as: UnsafeMutableRawPointer?.self)
        }
    }

    /// Whether the element buffer of the array stored at `array` has one owner
    /// (the object being visited). The buffer reference is read as a raw
    /// pointer, so no copy of the array disturbs the count.
    @inline(__always)
    func owned<T>(_ array: inout ContiguousArray<T>) -> Bool {
        let buffer = withUnsafeMutablePointer(to: &array) {
            UnsafeRawPointer($0).load(as: UnsafeMutableRawPointer.self)
        }
        return swiftRetainCount(buffer) == 1
    }

    /// Whether the element buffer of `array`, a `let` property of the object
    /// being visited (so it is borrowed, not copied), has one owner.
    @inline(__always)
    func owned<T>(borrowed array: ContiguousArray<T>) -> Bool {
        swiftRetainCount(unsafeBitCast(array, to: UnsafeMutableRawPointer.self)) == 1
    }

    mutating func add(_ v: Value) {
        switch v {
        case .object(let o):
            add(o)
        case .array(let a):
            guard owned(a) else { return }
            a.visitElements(&self)
        case .function(let f):
            guard owned(f), case .closure(_, let env) = f.body else { return }
            add(env)
        case .null, .bool, .number, .string:
            return
        }
    }

    mutating func add(_ l: Lazy) {
        switch l {
        case .value(let v): add(v)
        case .thunk(let t): add(t)
        }
    }

    mutating func add(_ lazies: inout ContiguousArray<Lazy>) {
        guard owned(&lazies) else { return }
        for l in lazies { add(l) }
    }

    mutating func add(borrowed lazies: ContiguousArray<Lazy>) {
        guard owned(borrowed: lazies) else { return }
        for l in lazies { add(l) }
    }
}

extension Heap {
    /// Frees the tracked objects no longer reachable from outside the registry
    /// (from the interpreter, the native stack, or untracked values), cycles
    /// included: trial deletion over reference counts.
    ///
    /// 1. Each object's count of references starts at its runtime reference count.
    /// 2. Every edge between tracked objects takes one off its target's count;
    ///    what is left is references from outside the registry.
    /// 3. Objects with outside references, and everything reachable from them,
    ///    are live; the rest are unreachable garbage, and dropping their
    ///    references (`breakCycles`) lets ARC free them.
    ///
    /// Safe at any point where the evaluator holds its values in variables or
    /// fields (a poll): the native stack's references are outside references.
    func collect() {
        var objects: [UnsafeMutableRawPointer] = []
        objects.reserveCapacity(allocations)
        let s = ring
        var node = Tracked.next(s)
        while node != s {
            Unmanaged<Tracked>.fromOpaque(node)._withUnsafeGuaranteedRef {
                $0.gcIndex = Int32(truncatingIfNeeded: objects.count)
            }
            objects.append(node)
            node = Tracked.next(node)
        }
        let n = objects.count
        guard n < Int(Int32.max) else { return relink() }
        var sink = EdgeSink()
        sink.edges.reserveCapacity(n * 2)
        var counts = [Int32](repeating: 0, count: n)
        var starts = [Int32](repeating: 0, count: n + 1)
        counts.withUnsafeMutableBufferPointer { counts in
            starts.withUnsafeMutableBufferPointer { starts in
                for i in 0..<n {
                    let o = objects[i]
                    counts[i] = Int32(truncatingIfNeeded: swiftRetainCount(o))
                    starts[i] = Int32(truncatingIfNeeded: sink.edges.count)
                    Unmanaged<Tracked>.fromOpaque(o)._withUnsafeGuaranteedRef { $0.visitEdges(&sink) }
                }
                starts[n] = Int32(truncatingIfNeeded: sink.edges.count)
            }
        }
        let edges = sink.edges
        var survivors = 0
        var valid = true
        var garbage: [Tracked] = []
        counts.withUnsafeMutableBufferPointer { counts in
            for t in edges { counts[Int(t)] &-= 1 }
            // More edges than references would mean an edge the visitor should not
            // have reported; free nothing rather than trust the counts.
            for c in counts where c < 0 { valid = false; return }
            // Mark from the objects referenced from outside; `counts` becomes the mark.
            var stack: [Int32] = []
            for i in 0..<n where counts[i] > 0 {
                counts[i] = -1
                stack.append(Int32(truncatingIfNeeded: i))
            }
            starts.withUnsafeBufferPointer { starts in
                edges.withUnsafeBufferPointer { edges in
                    while let i = stack.popLast() {
                        for e in Int(starts[Int(i)])..<Int(starts[Int(i) + 1]) {
                            let t = Int(edges[e])
                            if counts[t] >= 0 {
                                counts[t] = -1
                                stack.append(Int32(truncatingIfNeeded: t))
                            }
                        }
                    }
                }
            }
            for i in 0..<n where counts[i] >= 0 {
                garbage.append(Tracked.at(objects[i]))
            }
            survivors = n - garbage.count
        }
        relink()
        guard valid else {
            collectAt = max(Heap.firstCollection, n * 2)
            return
        }
        for g in garbage { g.breakCycles() }
        garbage = []
        allocations = survivors
        // A pass that freed little means the live set is growing: wait longer
        // before the next one, so scanning stays a small share of the work
        // (a pass costs about one cache miss per object and per edge).
        let freed = n - survivors
        let growth = freed * 2 >= n ? 2 : freed * 8 >= n ? 4 : 8
        collectAt = max(Heap.firstCollection, survivors * growth)
    }
}
