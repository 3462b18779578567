/// A Jsonnet value. Heap payloads are final classes so a `Value` is one word plus a tag.
package enum Value {
    case null
    case bool(Bool)
    case number(Double)
    case string(JString)
    case array(JArray)
    case object(JObject)
    case function(JFunction)

    /// The type name go-jsonnet prints in errors (`number`, `string`, `boolean`, ...).
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        case .function: "function"
        }
    }

    /// A string value from a Swift string.
    @inline(__always)
    package static func str(_ s: String) -> Value { .string(JString(s)) }
}

/// A value that may not be computed yet: array elements, arguments and frame slots.
package enum Lazy {
    case value(Value)
    case thunk(Thunk)

    /// The value, computing it on first use.
    @inline(__always)
    package func force(_ ev: Interpreter) throws -> Value {
        switch self {
        case .value(let v): return v
        case .thunk(let t): return try t.force(ev)
        }
    }
}

/// A Jsonnet array: an immutable sequence of lazily computed elements.
///
/// Most arrays are flat: their elements sit in one `ContiguousArray`. Three
/// operations build a lazy form instead, computed element by element and turned
/// flat (once) only when a builtin needs the whole sequence (`elements`):
/// - `std.range` is a run of consecutive integers: no storage at all;
/// - `a + b` of large arrays, where either is already lazy, is a concatenation
///   view over both (at most `maxDepth` views deep);
/// - `std.reverse` is a reversed view;
/// - byte arrays (`std.base64DecodeBytes`, `std.encodeUTF8`) keep one byte per element.
///
/// Views are charged to the memory budget as if they were flat, so a budget bounds
/// what a program can make of them (output, copies) exactly as it bounds flat arrays.
///
/// `a + b` where `a` ends its shared append buffer (`AppendBuffer`) appends `b` in
/// place and returns a longer prefix of the same buffer, so `acc + [x]` in a fold
/// costs O(1) amortised instead of copying `acc`; `a` still sees its own prefix.
package final class JArray {
    private enum Kind: UInt8 { case flat, prefix, range, concat, reversed, bytes, repeated }

    /// The number of elements.
    package let count: Int
    private var kind: Kind
    /// The elements of a flat array; `.repeated`: the one element; empty otherwise.
    private var flat: ContiguousArray<Lazy>
    /// `.range`: the first integer. `.concat`, `.reversed`: the depth of views below.
    private var first: Int = 0
    /// `.prefix`: the `AppendBuffer`. `.concat`: the left part. `.reversed`: the array reversed.
    /// `.bytes`: the `ByteStorage`.
    private var left: AnyObject?
    /// `.concat`: the right part.
    private var right: JArray?
    /// A large array's share of the evaluation's memory budget.
    private var charge: MemoryCharge?

    /// Views nest at most this deep; a deeper one is made flat.
    static let maxDepth = 8
    /// Concatenations shorter than this are copied: a view would save little.
    static let minViewCount = 4096

    package init(_ elements: ContiguousArray<Lazy>) {
        self.count = elements.count
        self.kind = .flat
        self.flat = elements
        self.charge = JArray.charge(elements.count)
    }

    /// An array of already computed values.
    package convenience init(values: some Sequence<Value>) {
        self.init(ContiguousArray(values.lazy.map { Lazy.value($0) }))
    }

    private init(kind: Kind, count: Int, first: Int = 0, left: AnyObject? = nil, right: JArray? = nil) {
        self.count = count
        self.kind = kind
        self.flat = []
        self.first = first
        self.left = left
        self.right = right
        if kind != .prefix && kind != .bytes { self.charge = JArray.charge(count) }
    }

    /// The integers `first`, `first + 1`, ... (`count` of them), without storing them.
    package static func range(from first: Int, count: Int) -> JArray {
        count == 0 ? empty : JArray(kind: .range, count: count, first: first)
    }

    /// `element` `count` times, stored once (`std.makeArray(n, function(_) 'x')`).
    package static func repeated(_ element: Lazy, count: Int) -> JArray {
        if count == 0 { return empty }
        let a = JArray(kind: .repeated, count: count)
        a.flat = [element]
        return a
    }

    /// The bytes as numbers 0...255, one byte of storage each.
    package static func bytes(_ bytes: [UInt8]) -> JArray {
        if bytes.isEmpty { return empty }
        let a = JArray(kind: .bytes, count: bytes.count, left: ByteStorage(bytes))
        a.charge = bytes.count >= MemoryBudget.largeBytes ? MemoryBudget.charge(bytes.count) : nil
        return a
    }

    /// The budget charge for `count` elements' storage, or nil for a small array.
    @inline(__always)
    fileprivate static func charge(_ count: Int) -> MemoryCharge? {
        let bytes = count &* MemoryLayout<Lazy>.stride
        return bytes >= MemoryBudget.largeBytes ? MemoryBudget.charge(bytes) : nil
    }

    /// The shared empty array.
    nonisolated(unsafe) package static let empty = JArray(ContiguousArray())

    /// Element `i` (0 ≤ i < count), not computed.
    @inline(__always)
    package subscript(i: Int) -> Lazy {
        if kind == .flat { return flat[i] }
        return element(slow: i)
    }

    private func element(slow i: Int) -> Lazy {
        switch kind {
        case .flat: return flat[i]
        case .prefix: return unsafeDowncast(left.unsafelyUnwrapped, to: AppendBuffer.self).elements[i]
        case .range: return .value(.number(Double(first &+ i)))
        case .repeated: return flat[0]
        case .bytes: return .value(.number(Double(unsafeDowncast(left.unsafelyUnwrapped, to: ByteStorage.self).bytes[i])))
        case .concat:
            let l = unsafeDowncast(left.unsafelyUnwrapped, to: JArray.self)
            return i < l.count ? l[i] : right.unsafelyUnwrapped[i &- l.count]
        case .reversed:
            return unsafeDowncast(left.unsafelyUnwrapped, to: JArray.self)[count &- 1 &- i]
        }
    }

    /// The longest stretch of elements around `i` (0 ≤ i < count) stored one way:
    /// loops over a view read it with one dispatch per stretch, not per element.
    package func run(at i: Int) -> ArrayRun {
        switch kind {
        case .flat:
            return ArrayRun(.lazies(flat), start: 0, end: count, shift: 0, step: 1)
        case .prefix:
            return ArrayRun(.lazies(unsafeDowncast(left.unsafelyUnwrapped, to: AppendBuffer.self).elements),
                            start: 0, end: count, shift: 0, step: 1)
        case .range:
            return ArrayRun(.integers, start: 0, end: count, shift: first, step: 1)
        case .repeated:
            return ArrayRun(.lazies(flat), start: 0, end: count, shift: 0, step: 0)
        case .bytes:
            return ArrayRun(.bytes(unsafeDowncast(left.unsafelyUnwrapped, to: ByteStorage.self).bytes),
                            start: 0, end: count, shift: 0, step: 1)
        case .concat:
            let l = unsafeDowncast(left.unsafelyUnwrapped, to: JArray.self)
            if i < l.count { return l.run(at: i) }
            var r = right.unsafelyUnwrapped.run(at: i &- l.count)
            // Element k of this array is element k - l.count of the right part.
            r.start &+= l.count
            r.end &+= l.count
            r.shift &-= r.step &* l.count
            return r
        case .reversed:
            let base = unsafeDowncast(left.unsafelyUnwrapped, to: JArray.self)
            var r = base.run(at: count &- 1 &- i)
            // Element k of this array is element count - 1 - k of the base.
            let (start, end) = (count &- r.end, count &- r.start)
            r.shift &+= r.step &* (count &- 1)
            r.step = 0 &- r.step
            r.start = start
            r.end = end
            return r
        }
    }

    /// Element `i`, computed if needed.
    @inline(__always)
    package func get(_ i: Int, _ ev: Interpreter) throws -> Value {
        try self[i].force(ev)
    }

    /// Every element, not computed. A lazy array becomes flat on first use, within
    /// the evaluation's memory budget.
    @inline(__always)
    package func elements(_ ev: Interpreter) throws -> ContiguousArray<Lazy> {
        if kind == .flat { return flat }
        return try materialize(ev)
    }

    private func materialize(_ ev: Interpreter) throws -> ContiguousArray<Lazy> {
        if kind == .prefix {
            let buffer = unsafeDowncast(left.unsafelyUnwrapped, to: AppendBuffer.self)
            if buffer.elements.count == count { return buffer.elements }
        }
        // A view's charge already stands for these elements; a prefix's does not.
        if charge == nil { try ev.reserve(count, elementBytes: MemoryLayout<Lazy>.stride) }
        var out = ContiguousArray<Lazy>()
        out.reserveCapacity(count)
        for i in 0..<count { out.append(element(slow: i)) }
        kind = .flat
        flat = out
        left = nil
        right = nil
        charge = JArray.charge(count)
        return out
    }

    /// Every element, computed.
    package func values(_ ev: Interpreter) throws -> [Value] {
        var out = [Value]()
        out.reserveCapacity(count)
        for i in 0..<count { out.append(try self[i].force(ev)) }
        return out
    }

    /// How many views lie below this array (0 for arrays that are not views of others).
    private var depth: Int { kind == .concat || kind == .reversed ? first : 0 }
    private var isView: Bool { kind != .flat && kind != .prefix }

    /// `a + b`: appends in place when `a` ends its append buffer, makes a view when
    /// the parts are large and one is already lazy, and copies otherwise.
    package static func concat(_ a: JArray, _ b: JArray) -> JArray {
        if a.count == 0 { return b }
        if b.count == 0 { return a }
        let total = a.count + b.count
        if a.kind == .prefix {
            let buffer = unsafeDowncast(a.left.unsafelyUnwrapped, to: AppendBuffer.self)
            if buffer.elements.count == a.count {
                buffer.append(b)
                return JArray(kind: .prefix, count: total, left: buffer)
            }
        }
        if total >= minViewCount && (a.isView || b.isView) {
            let depth = max(a.depth, b.depth) + 1
            if depth <= maxDepth { return JArray(kind: .concat, count: total, first: depth, left: a, right: b) }
        }
        let buffer = AppendBuffer(a, b)
        return JArray(kind: .prefix, count: total, left: buffer)
    }

    /// The elements in reverse order, as a view (or flat, when views are already deep).
    package func reversed() -> JArray {
        if count < 2 { return self }
        if kind == .reversed { return unsafeDowncast(left.unsafelyUnwrapped, to: JArray.self) }
        if depth < JArray.maxDepth {
            return JArray(kind: .reversed, count: count, first: depth + 1, left: self)
        }
        var out = ContiguousArray<Lazy>()
        out.reserveCapacity(count)
        for i in stride(from: count - 1, through: 0, by: -1) { out.append(self[i]) }
        return JArray(out)
    }

    /// Reports the elements' references to the collector: those of a flat array or
    /// of an append buffer this array alone holds, and of views' parts it alone holds.
    /// A shared buffer or part is left out (its elements then look referenced from
    /// outside and survive this pass).
    func visitElements(_ sink: inout EdgeSink) {
        switch kind {
        case .flat, .repeated:
            sink.add(&flat)
        case .range, .bytes:
            return
        case .prefix:
            guard let raw = EdgeSink.rawReference(&left), sink.owned(raw: raw) else { return }
            Unmanaged<AppendBuffer>.fromOpaque(raw)._withUnsafeGuaranteedRef { sink.add(&$0.elements) }
        case .concat, .reversed:
            if let raw = EdgeSink.rawReference(&left), sink.owned(raw: raw) {
                Unmanaged<JArray>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.visitElements(&sink) }
            }
            if let raw = EdgeSink.rawReference(&right), sink.owned(raw: raw) {
                Unmanaged<JArray>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.visitElements(&sink) }
            }
        }
    }
}

/// Elements `start..<end` of an array, stored one way: element `k` is
/// `lazies[shift + step * k]`, the integer `shift + step * k`, or the byte
/// `bytes[shift + step * k]`.
package struct ArrayRun {
    package enum Storage {
        case lazies(ContiguousArray<Lazy>)
        case integers
        case bytes([UInt8])
    }

    let storage: Storage
    /// The indices of the array this run covers.
    package var start: Int
    package var end: Int
    var shift: Int
    var step: Int

    init(_ storage: Storage, start: Int, end: Int, shift: Int, step: Int) {
        self.storage = storage
        self.start = start
        self.end = end
        self.shift = shift
        self.step = step
    }

    /// Element `k` of the array (start ≤ k < end).
    @inline(__always)
    package subscript(k: Int) -> Lazy {
        let j = shift &+ step &* k
        switch storage {
        case .lazies(let a): return a[j]
        case .integers: return .value(.number(Double(j)))
        case .bytes(let b): return .value(.number(Double(b[j])))
        }
    }
}

/// The bytes of a byte array.
final class ByteStorage {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// The storage arrays built by `+` share: each holds a prefix of `elements`, and the
/// array holding all of it may append.
final class AppendBuffer {
    var elements: ContiguousArray<Lazy>
    private var charge: MemoryCharge?

    init(_ a: JArray, _ b: JArray) {
        var e = ContiguousArray<Lazy>()
        e.reserveCapacity(a.count + b.count)
        for i in 0..<a.count { e.append(a[i]) }
        for i in 0..<b.count { e.append(b[i]) }
        elements = e
        charge = JArray.charge(e.capacity)
    }

    func append(_ b: JArray) {
        let before = elements.capacity
        for i in 0..<b.count { elements.append(b[i]) }
        if elements.capacity != before { charge = JArray.charge(elements.capacity) }
    }
}

/// A function value: a closure over a frame, or a native builtin.
package final class JFunction {
    package enum Body {
        /// A Jsonnet `function` literal and the frame it closed over.
        case closure(Function, Env)
        /// A native builtin.
        case builtin(Builtin)
    }

    package let body: Body

    package init(closure node: Function, env: Env) {
        self.body = .closure(node, env)
    }

    package init(builtin: Builtin) {
        self.body = .builtin(builtin)
    }

    /// Number of declared parameters.
    package var arity: Int {
        switch body {
        case .closure(let f, _): f.parameters.count
        case .builtin(let b): b.parameters.count
        }
    }

    /// Parameter names in order.
    package var parameterNames: [String] {
        switch body {
        case .closure(let f, _): f.parameters.map(\.name)
        case .builtin(let b): b.parameters.map(\.name)
        }
    }
}
