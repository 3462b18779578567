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
package final class JArray {
    /// The elements; `.thunk` ones are computed on first access.
    package let elements: ContiguousArray<Lazy>
    /// A large array's share of the evaluation's memory budget.
    private let charge: MemoryCharge?

    package init(_ elements: ContiguousArray<Lazy>) {
        self.elements = elements
        self.charge = JArray.charge(elements.count)
    }

    /// An array of already computed values.
    package init(values: some Sequence<Value>) {
        self.elements = ContiguousArray(values.lazy.map { Lazy.value($0) })
        self.charge = JArray.charge(elements.count)
    }

    @inline(__always)
    private static func charge(_ count: Int) -> MemoryCharge? {
        let bytes = count &* MemoryLayout<Lazy>.stride
        return bytes >= MemoryBudget.largeBytes ? MemoryBudget.charge(bytes) : nil
    }

    /// Reports the elements' references to the collector.
    func visitElements(_ sink: inout EdgeSink) { sink.add(borrowed: elements) }

    /// The shared empty array.
    nonisolated(unsafe) package static let empty = JArray(ContiguousArray())

    @inline(__always) package var count: Int { elements.count }

    /// Element `i`, computed if needed.
    @inline(__always)
    package func get(_ i: Int, _ ev: Interpreter) throws -> Value {
        try elements[i].force(ev)
    }

    /// Every element, computed.
    package func values(_ ev: Interpreter) throws -> [Value] {
        var out = [Value]()
        out.reserveCapacity(elements.count)
        for e in elements { out.append(try e.force(ev)) }
        return out
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
