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
    package let index: [String: Int]

    package init(fields: ContiguousArray<FieldDef>) {
        self.fields = fields
        var index = [String: Int]()
        if fields.count > Self.linearLimit {
            index.reserveCapacity(fields.count)
            for (i, f) in fields.enumerated() { index[f.name] = i }
        }
        self.index = index
    }

    /// Layouts up to this size are searched linearly: comparing a few short
    /// strings is cheaper than hashing one.
    static let linearLimit = 8

    /// The position of field `name`, if this layout defines it.
    @inline(__always)
    package func find(_ name: String) -> Int? {
        if fields.count > Self.linearLimit { return index[name] }
        for i in 0..<fields.count where fields[i].name == name { return i }
        return nil
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

/// A Jsonnet object: a chain of layers (base first) evaluated with late-bound `self`.
///
/// `a + b` concatenates layer lists, so `super` inside layer `i` is simply the
/// layers below `i` of the same `self`. Field values are cached per object.
package final class JObject: Tracked {
    package private(set) var layers: ContiguousArray<ObjectLayer>
    /// Computed field values with `self` = this object, by (layer, field) slot.
    private var values: ContiguousArray<Value?> = []
    private var frames: ContiguousArray<Env?>
    private var merged: [String: FieldRef]?
    private var sortedVisible: [String]?
    private var assertState: UInt8 = 0  // 0 unchecked, 1 checking, 2 done

    /// Whether some layer is an `objectRemoveKey` marker (then lookups skip removed fields).
    private let hasRemovals: Bool

    package init(layers: ContiguousArray<ObjectLayer>, heap: Heap) {
        self.layers = layers
        self.frames = ContiguousArray(repeating: nil, count: layers.count)
        self.hasRemovals = layers.contains { $0.removal != nil }
        super.init(heap: heap)
        if layers.allSatisfy({ !$0.hasAsserts }) { assertState = 2 }
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
        layers = []
    }

    // MARK: Field table

    private func lookup(_ name: String) -> FieldRef? {
        if layers.count == 1 {
            guard let i = layers[0].layout.find(name) else { return nil }
            return FieldRef(layer: 0, field: Int32(i), visible: layers[0].layout.fields[i].visibility != .hidden)
        }
        // A few layers (the common `base { ... }`): scanning them beats building a merged table.
        if layers.count <= 8 && merged == nil { return resolve(name, below: layers.count) }
        return mergedTable()[name]
    }

    private func mergedTable() -> [String: FieldRef] {
        if let merged { return merged }
        var table = [String: FieldRef]()
        for (li, layer) in layers.enumerated() {
            for (fi, f) in layer.layout.fields.enumerated() {
                let visible: Bool
                if let old = table[f.name] {
                    switch f.visibility {
                    case .inherit: visible = old.visible
                    case .hidden: visible = false
                    case .visible: visible = true
                    }
                } else {
                    visible = f.visibility != .hidden
                }
                table[f.name] = FieldRef(layer: Int32(li), field: Int32(fi), visible: visible)
            }
        }
        if hasRemovals {
            for layer in layers {
                guard let name = layer.removal?.name else { continue }
                table[name] = resolve(name, below: layers.count)
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
            if let r = layers[li].removal {
                if r.name == name { li -= r.scope + 1; continue }
            } else if let fi = layers[li].layout.find(name) {
                // The top-most definition supplies the value; the top-most explicit
                // `::` or `:::` (or none: visible) supplies the visibility.
                if found == nil { found = FieldRef(layer: Int32(li), field: Int32(fi), visible: true) }
                if !decided {
                    switch layers[li].layout.fields[fi].visibility {
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
        if layers.count == 1 {
            let fields = layers[0].layout.fields
            names = []
            names.reserveCapacity(fields.count)
            for f in fields where includeHidden || f.visibility != .hidden { names.append(f.name) }
        } else {
            names = mergedTable().compactMap { includeHidden || $0.value.visible ? $0.key : nil }
        }
        names.sort(by: utf8Less)
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
            if let fi = layers[li].layout.find(name) {
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
        for l in 0..<li { slot += layers[l].layout.fields.count }
        if slot < values.count, let v = values[slot] { return v }
        let v = try evaluateField(layer: li, field: fi, ev)
        if values.isEmpty {
            var total = 0
            for l in layers { total += l.layout.fields.count }
            values = ContiguousArray(repeating: nil, count: total)
        }
        values[slot] = v
        return v
    }

    /// Whether a layer below `layer` defines `name` (for `name in super`).
    package func superHas(_ name: String, below layer: Int) -> Bool {
        if hasRemovals { return resolve(name, below: layer) != nil }
        var li = layer - 1
        while li >= 0 {
            if layers[li].layout.find(name) != nil { return true }
            li -= 1
        }
        return false
    }

    private func evaluateField(layer li: Int, field fi: Int, _ ev: Interpreter) throws -> Value {
        let def = layers[li].layout.fields[fi]
        var v: Value
        switch def.body {
        case .expr(let node, let fieldEnv):
            let frame = fieldEnv.map { makeFrame(layer: li, parent: $0, ev) } ?? frame(li, ev)
            v = try ev.evalField(node, frame)
        case .lazy(let l):
            v = try l.force(ev)
        }
        if def.plus, let base = try getSuper(def.name, below: li, ev) {
            do {
                v = try ev.plus(base, v)
            } catch var e as JsonnetError {
                if case .expr(let node, _) = def.body { e.trace.append(TraceFrame(range: node.range, name: "+:")) }
                throw e
            }
        }
        return v
    }

    /// The object frame of layer `li` with `self` = this object (cached).
    func frame(_ li: Int, _ ev: Interpreter) -> Env {
        if let f = frames[li] { return f }
        let f = makeFrame(layer: li, parent: layers[li].env, ev)
        frames[li] = f
        return f
    }

    private func makeFrame(layer li: Int, parent: Env?, _ ev: Interpreter) -> Env {
        let locals = layers[li].locals
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
        var layers = base.layers
        layers.append(contentsOf: top.layers)
        return JObject(layers: layers, heap: heap)
    }
}
