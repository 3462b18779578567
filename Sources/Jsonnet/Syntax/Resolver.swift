/// Static analysis: binds every variable, `self`, `super` and `$` to the frame
/// slot it reads at run time, reports unknown variables, and precomputes what
/// evaluation would otherwise recompute (string literal values, object layouts).
///
/// Frame layout, mirrored exactly by the interpreter:
/// - a file's root frame holds `std`;
/// - `local` makes one frame with its bindings in order;
/// - a function call makes one frame with the parameters in order;
/// - an object literal's fields and asserts run in an object frame holding its locals;
/// - each `for` of a comprehension makes a frame holding its variable; an object
///   comprehension's value then runs in an object frame holding its locals.
package struct Resolver {
    private struct Scope {
        var names: [String]
        var isObject: Bool
    }

    private var scopes: [Scope] = []
    /// The trace context of the nodes being visited.
    private var context: TraceContext? = .root

    /// Resolves `root`, evaluated in a root frame holding `rootNames` (normally `["std"]`).
    package static func resolve(_ root: Node, rootNames: [String] = ["std"]) throws {
        var r = Resolver()
        r.scopes = [Scope(names: rootNames, isObject: false)]
        try r.visit(root)
    }

    private func lookup(_ name: String) -> (Int32, Int32)? {
        var depth: Int32 = 0
        for scope in scopes.reversed() {
            if let i = scope.names.lastIndex(of: name) { return (depth, Int32(i)) }
            depth += 1
        }
        return nil
    }

    private func nearestObject() -> Int32? {
        var depth: Int32 = 0
        for scope in scopes.reversed() {
            if scope.isObject { return depth }
            depth += 1
        }
        return nil
    }

    /// The depth of the object `super` at `node` refers to (the nearest one).
    private func superDepth(at node: Node) throws -> Int32 {
        guard let d = nearestObject() else {
            throw JsonnetError.staticError("Can't use super outside of an object.", at: node.range)
        }
        return d
    }

    private func outermostObject() -> Int32? {
        var found: Int32?
        var depth: Int32 = 0
        for scope in scopes.reversed() {
            if scope.isObject { found = depth }
            depth += 1
        }
        return found
    }

    private mutating func withScope(_ names: [String], object: Bool = false, _ body: (inout Resolver) throws -> Void) rethrows {
        scopes.append(Scope(names: names, isObject: object))
        defer { scopes.removeLast() }
        try body(&self)
    }

    /// Visits `node` with `context` as the trace context (nil stays nil: go-jsonnet names nothing there).
    private mutating func visit(_ node: Node, in context: TraceContext?) throws {
        let saved = self.context
        self.context = saved == nil ? nil : context
        defer { self.context = saved }
        try visit(node)
    }

    /// A thunk context inside the current one.
    private func thunk(_ name: String? = nil) -> TraceContext? {
        context.map { TraceContext.thunk(name, from: $0) }
    }

    /// Visits a `local` binding's body: functions and objects are named after it, anything else is a thunk.
    private mutating func visitBinding(_ b: Binding) throws {
        switch b.body.kind {
        case .function: try visitFunction(unsafeDowncast(b.body, to: Function.self), name: b.name)
        case .object: try visitObject(unsafeDowncast(b.body, to: ObjectLiteral.self), name: b.name)
        default: try visit(b.body, in: thunk(b.name))
        }
    }

    private mutating func visitFunction(_ f: Function, name: String?) throws {
        f.traceContext = context
        let saved = context
        if saved != nil { context = .function(name) }
        defer { context = saved }
        try withScope(f.parameters.map(\.name)) { r in
            for p in f.parameters { if let d = p.defaultValue { try r.visit(d) } }
            try r.visit(f.body)
        }
    }

    private mutating func visit(_ node: Node) throws {
        node.traceContext = context
        switch node.kind {
        case .null, .true, .false, .number:
            break
        case .string:
            let s = unsafeDowncast(node, to: StringLiteral.self)
            s.constant = JString.frozen(s.value)
        case .self:
            let n = unsafeDowncast(node, to: SelfNode.self)
            guard let d = nearestObject() else {
                throw JsonnetError.staticError("Can't use self outside of an object.", at: node.range)
            }
            n.depth = d
        case .dollar:
            let n = unsafeDowncast(node, to: DollarNode.self)
            guard let d = outermostObject() else {
                throw JsonnetError.staticError("No top-level object found.", at: node.range)
            }
            n.depth = d
        case .superIndex:
            let n = unsafeDowncast(node, to: SuperIndex.self)
            n.depth = try superDepth(at: node)
            try visit(n.index)
        case .inSuper:
            let n = unsafeDowncast(node, to: InSuper.self)
            n.depth = try superDepth(at: node)
            try visit(n.field)
        case .variable:
            let v = unsafeDowncast(node, to: Variable.self)
            guard let (d, i) = lookup(v.name) else {
                throw JsonnetError.staticError("Unknown variable: \(v.name)", at: node.range)
            }
            v.depth = d
            v.index = i
        case .local:
            let n = unsafeDowncast(node, to: Local.self)
            try withScope(n.bindings.map(\.name)) { r in
                for b in n.bindings { try r.visitBinding(b) }
                try r.visit(n.body)
            }
        case .function:
            try visitFunction(unsafeDowncast(node, to: Function.self), name: nil)
        case .apply:
            let a = unsafeDowncast(node, to: Apply.self)
            try visit(a.target)
            for p in a.positional { try visit(p, in: thunk()) }
            for n in a.named { try visit(n.value, in: thunk()) }
        case .index:
            let i = unsafeDowncast(node, to: Index.self)
            // go-jsonnet names nothing inside an object literal that is indexed directly.
            try visit(i.target, in: i.target.kind == .object ? nil : context)
            try visit(i.index)
        case .slice:
            let s = unsafeDowncast(node, to: Slice.self)
            try visit(s.target)
            if let b = s.begin { try visit(b) }
            if let e = s.end { try visit(e) }
            if let st = s.step { try visit(st) }
        case .binary, .format:
            let b = unsafeDowncast(node, to: Binary.self)
            try visit(b.lhs)
            try visit(b.rhs)
            if b.kind == .format {
                b.format = FormatTemplate(unsafeDowncast(b.lhs, to: StringLiteral.self).value, rhs: b.rhs)
            }
        case .unary:
            try visit(unsafeDowncast(node, to: Unary.self).operand)
        case .conditional:
            let c = unsafeDowncast(node, to: Conditional.self)
            try visit(c.condition)
            try visit(c.then)
            if let o = c.otherwise { try visit(o) }
        case .error:
            try visit(unsafeDowncast(node, to: ErrorNode.self).message)
        case .assert:
            let a = unsafeDowncast(node, to: AssertNode.self)
            a.traceContext = nil
            try visit(a.condition)
            if let m = a.message { try visit(m) }
            try visit(a.rest)
        case .array:
            let a = unsafeDowncast(node, to: ArrayLiteral.self)
            for e in a.elements { try visit(e, in: thunk()) }
            a.constantElements = ArrayLiteral.constants(a.elements)
        case .arrayComprehension:
            let c = unsafeDowncast(node, to: ArrayComprehension.self)
            try visitSpecs(c.specs[...]) { r in try r.visit(c.body, in: r.thunk()) }
        case .object:
            try visitObject(unsafeDowncast(node, to: ObjectLiteral.self), name: nil)
        case .objectComprehension:
            let c = unsafeDowncast(node, to: ObjectComprehension.self)
            try visitSpecs(c.specs[...]) { r in
                try r.visit(c.name)
                let saved = r.context
                if saved != nil { r.context = .object(nil) }
                defer { r.context = saved }
                try r.withScope(c.locals.map(\.name), object: true) { r in
                    for b in c.locals { try r.visit(b.body) }
                    try r.visit(c.body)
                }
            }
        case .import, .importStr, .importBin:
            break
        }
    }

    private mutating func visitObject(_ o: ObjectLiteral, name: String?) throws {
        o.traceContext = context
        var allFixed = true
        for f in o.fields {
            if case .computed(let e) = f.name {
                allFixed = false
                try visit(e)
            }
        }
        let saved = context
        if saved != nil { context = .object(name) }
        defer { context = saved }
        try withScope(o.locals.map(\.name), object: true) { r in
            for b in o.locals { try r.visit(b.body) }
            for f in o.fields { try r.visit(f.body) }
            for a in o.asserts {
                try r.visit(a.condition)
                if let m = a.message { try r.visit(m) }
            }
        }
        if allFixed {
            let defs = o.fields.map { f -> FieldDef in
                guard case .fixed(let name) = f.name else { fatalError("unreachable") }
                return FieldDef(name: name, visibility: f.visibility, plus: f.plus, body: .expr(f.body, nil))
            }
            o.layoutCache = ObjectLayout(fields: ContiguousArray(defs))
        }
    }

    private mutating func visitSpecs(_ specs: ArraySlice<ComprehensionSpec>, _ body: (inout Resolver) throws -> Void) throws {
        guard let first = specs.first else {
            try body(&self)
            return
        }
        switch first {
        case .forIn(let name, let seq, _):
            try visit(seq)
            try withScope([name]) { r in try r.visitSpecs(specs.dropFirst(), body) }
        case .ifCondition(let cond, _):
            try visit(cond)
            try visitSpecs(specs.dropFirst(), body)
        }
    }
}
