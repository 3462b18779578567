/// How a field's value is produced.
package enum FieldBody {
    /// An expression evaluated in the layer's object frame (or, for comprehension
    /// fields, in a frame whose parent is the given per-field environment).
    case expr(Node, Env?)
    /// A value computed natively.
    case lazy(Lazy)
}

/// One field definition in an object layer.
package struct FieldDef {
    package let name: String
    package let visibility: Visibility
    package let plus: Bool
    package let body: FieldBody

    package init(name: String, visibility: Visibility, plus: Bool = false, body: FieldBody) {
        self.name = name
        self.visibility = visibility
        self.plus = plus
        self.body = body
    }
}

/// The field table of one layer: shared by every instance of an object literal
/// whose field names are all constant, built per instance otherwise.
package final class ObjectLayout {
    package let fields: ContiguousArray<FieldDef>
    /// For more than `linearLimit` fields: where each name is.
    private let index: FieldIndex?

    /// Whether only this layout references its field buffer.
    func ownsFields(_ sink: EdgeSink) -> Bool { sink.owned(borrowed: fields) }

    package init(fields: ContiguousArray<FieldDef>) {
        self.fields = fields
        if fields.count > Self.linearLimit {
            var index = FieldIndex(capacity: fields.count)
            for i in fields.indices { index.insert(fields[i].name, at: i) }
            self.index = index
        } else {
            self.index = nil
        }
    }

    /// Layouts up to this size are searched linearly: comparing a few short
    /// strings is cheaper than hashing one.
    static let linearLimit = 8

    /// The position of field `name`, if this layout defines it. Names match by
    /// code points: canonically equivalent spellings are different fields.
    @inline(__always)
    package func find(_ name: String) -> Int? {
        if let index { return index.find(name, in: fields) }
        for i in 0..<fields.count where fields[i].name == name && sameBytes(fields[i].name, name) { return i }
        return nil
    }
}

/// Field name → position for a large layout: open addressing with linear probing
/// over the names' UTF-8 bytes, hashed with Swift's per-process seeded `Hasher`
/// (so a program cannot choose names that collide). Not a `Dictionary`: keyed by
/// a struct, its generic metadata costs 0.3 M instructions to instantiate on first
/// use, which every program that touches `std` paid.
struct FieldIndex {
    /// Positions plus one; 0 is an empty slot.
    private var slots: [Int]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity &* 2 && size < Int.max / 4 { size &<<= 1 }
        slots = [Int](repeating: 0, count: size)
        mask = size &- 1
    }

    private static func hash(_ name: String) -> Int {
        var name = name
        return name.withUTF8 { bytes in
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
            return hasher.finalize()
        }
    }

    /// The position of `name` in `fields`, if the index holds it.
    func find(_ name: String, in fields: ContiguousArray<FieldDef>) -> Int? {
        var i = Self.hash(name) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if sameBytes(fields[s &- 1].name, name) { return s &- 1 }
            i = (i &+ 1) & mask
        }
    }

    /// Records that position `position` holds `name` (a name not recorded yet;
    /// at most `capacity` of them).
    mutating func insert(_ name: String, at position: Int) {
        var i = Self.hash(name) & mask
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = position &+ 1
    }
}

/// One object literal instantiation (or one natively built object) inside an
/// object's inheritance chain.
package final class ObjectLayer {
    package let layout: ObjectLayout
    /// The frame the literal was evaluated in: parent of its object frames.
    package let env: Env?
    /// The literal (for locals and asserts), nil for native objects.
    package let literal: ObjectLiteral?
    /// Locals of an object comprehension (its literal has none).
    package let comprehensionLocals: [Binding]
    /// For the marker layers `std.objectRemoveKey` adds: the removed field and how
    /// many layers directly below this one it is removed from (the original
    /// object's layers; layers composed in later on the left keep theirs).
    package let removal: (name: String, scope: Int)?

    package init(layout: ObjectLayout, env: Env?, literal: ObjectLiteral?, comprehensionLocals: [Binding] = []) {
        self.layout = layout
        self.env = env
        self.literal = literal
        self.comprehensionLocals = comprehensionLocals
        self.removal = nil
    }

    /// A marker layer that removes `name` from the `scope` layers below it.
    package init(removing name: String, scope: Int) {
        self.layout = ObjectLayout(fields: [])
        self.env = nil
        self.literal = nil
        self.comprehensionLocals = []
        self.removal = (name, scope)
    }

    var locals: [Binding] { literal?.locals ?? comprehensionLocals }
    var hasAsserts: Bool { !(literal?.asserts.isEmpty ?? true) }
}

/// Where the top-most definition of a field lives and whether it is visible.
struct FieldRef {
    var layer: Int32
    var field: Int32
    var visible: Bool
}

/// The layers of the objects built on one another by `+`, base first.
///
/// `a + b` appends `b`'s layers to `a`'s stack in place when `a` is the newest
/// object on it (it sees all of the stack) and there is room, and the result
/// shares the stack: every object sees only its first `count` layers, which
/// never change. A loop that keeps extending its result
/// (`std.foldl(function(acc, k) acc + {...})`) so copies only when the stack's
/// capacity doubles and stays linear.
///
/// One allocation holds the header and the layers (with each layer's running
/// field count), so building `base { ... }` costs one block, as a plain array
/// of layers would.
final class LayerStack: ManagedBuffer<LayerStack.Header, LayerStack.Entry> {
    struct Header {
        var count: Int
        let capacity: Int
        /// The first removal marker layer and the first layer with asserts (`Int.max`: none).
        var firstRemoval: Int
        var firstAssert: Int
    }

    struct Entry {
        let layer: ObjectLayer
        /// The number of fields in this layer and every layer below it.
        let total: Int
    }

    /// An empty stack with room for `capacity` layers.
    static func make(capacity: Int) -> LayerStack {
        let capacity = max(capacity, 1)
        let buffer = create(minimumCapacity: capacity) { _ in
            Header(count: 0, capacity: capacity, firstRemoval: Int.max, firstAssert: Int.max)
        }
        return unsafeDowncast(buffer, to: LayerStack.self)
    }

    /// A stack of `layers`.
    static func make(_ layers: ContiguousArray<ObjectLayer>) -> LayerStack {
        let stack = make(capacity: layers.count)
        for l in layers { stack.append(l) }
        return stack
    }

    /// A new stack holding the first `count` layers of `stack`, with room for
    /// at least `extra` more.
    static func make(prefix stack: LayerStack, count: Int, extra: Int) -> LayerStack {
        let copy = make(capacity: count + extra)
        copy.withUnsafeMutablePointers { h, e in
            stack.withUnsafeMutablePointerToElements { src in
                e.initialize(from: src, count: count)
            }
            h.pointee.count = count
            let old = stack.header
            if old.firstRemoval < count { h.pointee.firstRemoval = old.firstRemoval }
            if old.firstAssert < count { h.pointee.firstAssert = old.firstAssert }
        }
        return copy
    }

    /// The empty stack a collected object is left with; never appended to.
    nonisolated(unsafe) static let released = LayerStack.make(capacity: 1)

    deinit {
        _ = withUnsafeMutablePointers { h, e in e.deinitialize(count: h.pointee.count) }
    }

    var count: Int { header.count }
    var firstRemoval: Int { header.firstRemoval }
    var firstAssert: Int { header.firstAssert }

    /// Whether `extra` more layers fit without a new allocation.
    func hasRoom(for extra: Int) -> Bool { header.capacity - header.count >= extra }

    /// Layer `i` (`i` below `count`).
    @inline(__always)
    subscript(i: Int) -> ObjectLayer {
        withUnsafeMutablePointerToElements { $0[i].layer }
    }

    /// Appends `layer`; the caller checked `hasRoom(for:)`.
    func append(_ layer: ObjectLayer) {
        withUnsafeMutablePointers { h, e in
            let i = h.pointee.count
            precondition(i < h.pointee.capacity, "LayerStack overflow")
            if layer.removal != nil && h.pointee.firstRemoval == Int.max { h.pointee.firstRemoval = i }
            if layer.hasAsserts && h.pointee.firstAssert == Int.max { h.pointee.firstAssert = i }
            let below = i == 0 ? 0 : e[i - 1].total
            (e + i).initialize(to: Entry(layer: layer, total: below + layer.layout.fields.count))
            h.pointee.count = i + 1
        }
    }

    /// The number of fields in layers `0..<i`.
    @inline(__always)
    func fieldsBelow(_ i: Int) -> Int {
        i == 0 ? 0 : withUnsafeMutablePointerToElements { $0[i - 1].total }
    }

    /// Calls `body` with each layer only this stack references.
    func visitLayers(_ sink: inout EdgeSink, _ body: (inout EdgeSink, ObjectLayer) -> Void) {
        withUnsafeMutablePointers { h, e in
            for i in 0..<h.pointee.count {
                let layer = UnsafeMutableRawPointer(e + i).load(as: UnsafeMutableRawPointer.self)
                guard sink.owned(raw: layer) else { continue }
                Unmanaged<ObjectLayer>.fromOpaque(layer)._withUnsafeGuaranteedRef { body(&sink, $0) }
            }
        }
    }
}

/// The first `count` layers of a stack.
package struct Layers: RandomAccessCollection {
    let stack: LayerStack
    package let count: Int
    package var startIndex: Int { 0 }
    package var endIndex: Int { count }
    package subscript(i: Int) -> ObjectLayer { stack[i] }
}

/// A Jsonnet object: a chain of layers (base first) evaluated with late-bound `self`.
///
/// `a + b` concatenates layer lists, so `super` inside layer `i` is simply the
/// layers below `i` of the same `self`. Field values are cached per object.
package final class JObject: Tracked {
    /// The stack this object's layers are the first `layerCount` of.
    private var stack: LayerStack
    private let layerCount: Int
    /// Computed field values with `self` = this object, by (layer, field) slot.
    private var values: ContiguousArray<Value?> = []
    /// Object frames by layer, allocated on first use.
    private var frames: ContiguousArray<Env?> = []
    private var merged: [CodePointKey: FieldRef]?
    private var sortedVisible: [String]?
    private var assertState: UInt8 = 0  // 0 unchecked, 1 checking, 2 done

    /// Whether some layer is an `objectRemoveKey` marker (then lookups skip removed fields).
    private let hasRemovals: Bool

    /// The object's layers, base first.
    package var layers: Layers { Layers(stack: stack, count: layerCount) }

    package convenience init(layers: ContiguousArray<ObjectLayer>, heap: Heap) {
        self.init(stack: LayerStack.make(layers), count: layers.count, heap: heap)
    }

    private init(stack: LayerStack, count: Int, heap: Heap) {
        self.stack = stack
        self.layerCount = count
        self.hasRemovals = stack.firstRemoval < count
        super.init(heap: heap)
        if stack.firstAssert >= count { assertState = 2 }
    }

    /// A single-layer object with natively computed fields.
    package convenience init(fields: [(String, Value)], heap: Heap, visibility: Visibility = .inherit) {
        let defs = ContiguousArray(fields.map { FieldDef(name: $0.0, visibility: visibility, body: .lazy(.value($0.1))) })
        self.init(layers: [ObjectLayer(layout: ObjectLayout(fields: defs), env: nil, literal: nil)], heap: heap)
    }

    /// A single-layer object with lazily computed fields.
    package convenience init(lazyFields: [(String, Lazy)], heap: Heap) {
        let defs = ContiguousArray(lazyFields.map { FieldDef(name: $0.0, visibility: .inherit, body: .lazy($0.1)) })
        self.init(layers: [ObjectLayer(layout: ObjectLayout(fields: defs), env: nil, literal: nil)], heap: heap)
    }

    override func breakCycles() {
        values = []
        frames = []
        stack = LayerStack.released
    }

    override func visitEdges(_ sink: inout EdgeSink) {
        if sink.owned(field: &stack) {
            stack.visitLayers(&sink) { sink, layer in
            if let env = layer.env { sink.add(env) }
            guard sink.owned(layer.layout), layer.layout.ownsFields(sink) else { return }
            for f in layer.layout.fields {
                switch f.body {
                case .expr(_, let env): if let env { sink.add(env) }
                case .lazy(let l): sink.add(l)
                }
            }
            }
        }
        if sink.owned(&values) {
            for case let v? in values { sink.add(v) }
        }
        if sink.owned(&frames) {
            for case let f? in frames { sink.add(f) }
        }
    }

    // MARK: Field table

    private func lookup(_ name: String) -> FieldRef? {
        if layerCount == 1 {
            let layout = stack[0].layout
            guard let i = layout.find(name) else { return nil }
            return FieldRef(layer: 0, field: Int32(i), visible: layout.fields[i].visibility != .hidden)
        }
        // A few layers (the common `base { ... }`): scanning them beats building a merged table.
        if layerCount <= 8 && merged == nil { return resolve(name, below: layerCount) }
        return mergedTable()[CodePointKey(name)]
    }

    private func mergedTable() -> [CodePointKey: FieldRef] {
        if let merged { return merged }
        var total = 0
        for layer in layers { total += layer.layout.fields.count }
        var table = [CodePointKey: FieldRef](minimumCapacity: total)
        for (li, layer) in layers.enumerated() {
            for (fi, f) in layer.layout.fields.enumerated() {
                // One hash per field: store, then look at what was there (only an
                // inherited visibility over a hidden field needs a second write).
                let key = CodePointKey(f.name)
                let ref = FieldRef(layer: Int32(li), field: Int32(fi), visible: f.visibility != .hidden)
                if let old = table.updateValue(ref, forKey: key), f.visibility == .inherit, !old.visible {
                    table[key] = FieldRef(layer: Int32(li), field: Int32(fi), visible: false)
                }
            }
        }
        if hasRemovals {
            for layer in layers {
                guard let name = layer.removal?.name else { continue }
                table[CodePointKey(name)] = resolve(name, below: layerCount)
            }
        }
        merged = table
        return table
    }

    /// The definition of `name` seen from just below layer `top`, honouring
    /// removal markers: each hides `name` in the layers of its scope.
    private func resolve(_ name: String, below top: Int) -> FieldRef? {
        var found: FieldRef?
        var decided = false
        var li = top - 1
        while li >= 0 {
            if let r = stack[li].removal {
                if sameBytes(r.name, name) { li -= r.scope + 1; continue }
            } else if let fi = stack[li].layout.find(name) {
                // The top-most definition supplies the value; the top-most explicit
                // `::` or `:::` (or none: visible) supplies the visibility.
                if found == nil { found = FieldRef(layer: Int32(li), field: Int32(fi), visible: true) }
                if !decided {
                    switch stack[li].layout.fields[fi].visibility {
                    case .inherit: break
                    case .hidden: found!.visible = false; decided = true
                    case .visible: decided = true
                    }
                }
                if decided { return found }
            }
            li -= 1
        }
        return found
    }

    /// Whether the object has field `name` (hidden ones count when `includeHidden`).
    package func has(_ name: String, includeHidden: Bool = true) -> Bool {
        guard let r = lookup(name) else { return false }
        return includeHidden || r.visible
    }

    /// Field names, sorted by code point. Visible only unless `includeHidden`.
    package func fieldNames(includeHidden: Bool) -> [String] {
        if !includeHidden, let sortedVisible { return sortedVisible }
        var names: [String]
        if layerCount == 1 {
            let fields = stack[0].layout.fields
            names = []
            names.reserveCapacity(fields.count)
            for f in fields where includeHidden || f.visibility != .hidden { names.append(f.name) }
        } else {
            names = mergedTable().compactMap { includeHidden || $0.value.visible ? $0.key.s : nil }
        }
        sortUTF8(&names)
        if !includeHidden { sortedVisible = names }
        return names
    }

    /// Number of visible fields.
    package var visibleCount: Int { fieldNames(includeHidden: false).count }

    // MARK: Field access

    /// The value of field `name` with `self` bound to this object, or nil if absent.
    package func get(_ name: String, _ ev: Interpreter) throws -> Value? {
        if assertState != 2 { try checkAsserts(ev) }
        guard let r = lookup(name) else { return nil }
        return try cachedField(layer: Int(r.layer), field: Int(r.field), ev)
    }

    /// `super[name]` as seen from `layer`: the top-most definition below it.
    package func getSuper(_ name: String, below layer: Int, _ ev: Interpreter) throws -> Value? {
        if hasRemovals {
            guard let r = resolve(name, below: layer) else { return nil }
            return try cachedField(layer: Int(r.layer), field: Int(r.field), ev)
        }
        var li = layer - 1
        while li >= 0 {
            if let fi = stack[li].layout.find(name) {
                return try cachedField(layer: li, field: fi, ev)
            }
            li -= 1
        }
        return nil
    }

    /// The value of field `fi` of layer `li` with `self` = this object, computed
    /// once: with `self` fixed it cannot change. Caching per slot also covers
    /// `super` chains (`super.a + super.b` over many layers), which would
    /// otherwise re-evaluate exponentially often.
    private func cachedField(layer li: Int, field fi: Int, _ ev: Interpreter) throws -> Value {
        var slot = fi
        slot += stack.fieldsBelow(li)
        if slot < values.count, let v = values[slot] { return v }
        let v = try evaluateField(layer: li, field: fi, ev)
        if values.isEmpty {
            values = ContiguousArray(repeating: nil, count: stack.fieldsBelow(layerCount))
        }
        values[slot] = v
        return v
    }

    /// Whether a layer below `layer` defines `name` (for `name in super`).
    package func superHas(_ name: String, below layer: Int) -> Bool {
        if hasRemovals { return resolve(name, below: layer) != nil }
        var li = layer - 1
        while li >= 0 {
            if stack[li].layout.find(name) != nil { return true }
            li -= 1
        }
        return false
    }

    private func evaluateField(layer li: Int, field fi: Int, _ ev: Interpreter) throws -> Value {
        let def = stack[li].layout.fields[fi]
        var v: Value
        switch def.body {
        case .expr(let node, let fieldEnv):
            let frame = fieldEnv.map { makeFrame(layer: li, parent: $0, ev) } ?? frame(li, ev)
            v = try ev.evalField(node, frame)
        case .lazy(let l):
            v = try l.force(ev)
        }
        if def.plus { v = try addSuper(v, layer: li, field: def, ev) }
        return v
    }

    /// `name+: v`: the field's value in the layers below added to `v` (out of line:
    /// `evaluateField`'s frame stays on the native stack while the field evaluates).
    @inline(never)
    private func addSuper(_ v: Value, layer li: Int, field def: FieldDef, _ ev: Interpreter) throws -> Value {
        guard let base = try getSuper(def.name, below: li, ev) else { return v }
        do {
            return try ev.plus(base, v)
        } catch var e as JsonnetError {
            if case .expr(let node, _) = def.body { e.trace.append(TraceFrame(range: node.range, name: "+:")) }
            throw e
        }
    }

    /// The object frame of layer `li` with `self` = this object (cached).
    func frame(_ li: Int, _ ev: Interpreter) -> Env {
        if li < frames.count, let f = frames[li] { return f }
        let f = makeFrame(layer: li, parent: stack[li].env, ev)
        if frames.isEmpty { frames = ContiguousArray(repeating: nil, count: layerCount) }
        frames[li] = f
        return f
    }

    private func makeFrame(layer li: Int, parent: Env?, _ ev: Interpreter) -> Env {
        let locals = stack[li].locals
        let env = Env(parent: parent, slots: [], selfObject: self, layer: li, heap: ev.heap)
        if !locals.isEmpty {
            var slots = ContiguousArray<Lazy>()
            slots.reserveCapacity(locals.count)
            for b in locals { slots.append(.thunk(Thunk(b.body, env, heap: ev.heap))) }
            env.slots = slots
        }
        return env
    }

    /// Runs every layer's `assert`s once, with `self` bound to this object.
    package func checkAsserts(_ ev: Interpreter) throws {
        guard assertState == 0 else { return }
        assertState = 1
        do {
            // Like go-jsonnet, the right-most operand's asserts run first.
            for (li, layer) in layers.enumerated().reversed() {
                guard let lit = layer.literal, !lit.asserts.isEmpty else { continue }
                let env = frame(li, ev)
                for a in lit.asserts {
                    try ev.checkObjectAssert(a, env)
                }
            }
        } catch {
            assertState = 0
            throw error
        }
        assertState = 2
    }

    /// `self + other`: the layers of both, `other` on top.
    package static func extend(_ base: JObject, _ top: JObject, heap: Heap) -> JObject {
        let stack = base.stackForExtension(adding: top.layerCount)
        // By index: `top` may share the stack being appended to (`a + a`).
        for i in 0..<top.layerCount { stack.append(top.stack[i]) }
        return JObject(stack: stack, count: base.layerCount + top.layerCount, heap: heap)
    }

    /// `self` with one more layer on top (`std.objectRemoveKey`'s marker).
    package static func extend(_ base: JObject, with layer: ObjectLayer, heap: Heap) -> JObject {
        let stack = base.stackForExtension(adding: 1)
        stack.append(layer)
        return JObject(stack: stack, count: base.layerCount + 1, heap: heap)
    }

    /// A stack to append this object's extension to: its own when this object
    /// is the newest on it, else a copy of its layers.
    private func stackForExtension(adding extra: Int) -> LayerStack {
        guard stack.count == layerCount else {
            return LayerStack.make(prefix: stack, count: layerCount, extra: extra)
        }
        if stack.hasRoom(for: extra) { return stack }
        // The newest object outgrew its stack: double, so a loop of extensions stays linear.
        return LayerStack.make(prefix: stack, count: layerCount, extra: max(extra, layerCount))
    }
}
